"""What a step's parser and a flow's save function may look at."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from data import people
from flows.message import Message


@dataclass
class Ctx:
    """One message being handled. `classify(text)` is the intent matcher the app was built with (handlers hand
    it over here, so flows never reach up into handlers); `state` is the conversation being saved, if any."""

    db: Database
    person: dict
    now: datetime
    tz: ZoneInfo
    message: Message | None = None
    classify: Callable[[str], Any] | None = None
    state: dict | None = None

    @property
    def openid(self) -> str:
        return self.person["openid"]

    @property
    def person_id(self) -> int:
        return self.person["id"]

    @property
    def role(self) -> str:
        return self.person["role"]

    @property
    def is_staff(self) -> bool:
        return self.role in people.STAFF_ROLES

    @property
    def local_now(self) -> datetime:
        return self.now.astimezone(self.tz)

    @property
    def today(self) -> date:
        return self.local_now.date()

    def reload_person(self) -> None:
        self.person = people.get_person(self.db, self.openid)
