"""What a step's parser and a flow's save function may look at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from data import people
from flows.message import Message


@dataclass
class Ctx:
    db: Database
    person: dict
    now: datetime
    tz: ZoneInfo
    message: Message | None = None

    @property
    def openid(self) -> str:
        return self.person["openid"]

    @property
    def role(self) -> str:
        return self.person["role"]

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(self.tz)

    @property
    def today(self) -> date:
        return self.local_now.date()

    def reload_person(self) -> None:
        self.person = people.get_person(self.db, self.openid)
