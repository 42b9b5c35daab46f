"""What every record (case, group, event, survey, organisation, volunteer hours) checks before it is written,
and who wrote it.

The record modules raise `RecordError` with a short Chinese sentence meant for the person who typed the value,
whether by chat, on the dashboard or on the command line; nothing is written when one is raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_TEXT = 2000


class RecordError(ValueError):
    """A value that cannot be recorded; the message is Chinese and says what to change."""


@dataclass(frozen=True)
class Actor:
    """Who records something: a person on WeChat (people.id), a dashboard account (web_users.id), or neither
    (the command line). `label` goes into the audit trail: an openid, 'web:username' or 'cli'."""

    person_id: int | None = None
    user_id: int | None = None
    label: str = "cli"


def day_of(value: str | date | None, today: date, what: str = "日期", allow_future: bool = False) -> str:
    """A local date as YYYY-MM-DD; a missing, malformed or (unless allowed) future date is refused."""
    if value is None or value == "":
        raise RecordError(f"请填写{what}")
    if isinstance(value, date):
        parsed = value
    else:
        try:
            parsed = date.fromisoformat(str(value).strip())
        except ValueError:
            raise RecordError(f"{what}「{value}」不对，请写成 2026-11-20 这样") from None
    if not allow_future and parsed > today:
        raise RecordError(f"{what}不能晚于今天")
    return parsed.isoformat()


def optional_day(value: str | date | None, today: date, what: str, allow_future: bool = False) -> str | None:
    if value is None or value == "":
        return None
    return day_of(value, today, what, allow_future)


def text_of(value: str | None, what: str, required: bool = True, limit: int = MAX_TEXT) -> str:
    """Text with its ends trimmed; control characters and overlong text are refused."""
    text = (value or "").strip()
    if required and not text:
        raise RecordError(f"请填写{what}")
    if _CONTROL.search(text):
        raise RecordError(f"{what}里有看不见的控制字符，请重新输入")
    if len(text) > limit:
        raise RecordError(f"{what}太长了（最多{limit}字）")
    return text


def whole_number(value: int | str | None, what: str, low: int = 0, high: int = 100_000,
                 default: int | None = None) -> int:
    if value is None or value == "":
        if default is not None:
            return default
        raise RecordError(f"请填写{what}")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise RecordError(f"{what}应为整数") from None
    if not low <= number <= high:
        raise RecordError(f"{what}应在{low}到{high}之间")
    return number


def one_of(value: str | None, choices: tuple[str, ...] | dict, what: str) -> str:
    text = (value or "").strip()
    if text not in choices:
        raise RecordError(f"{what}只能是：{'、'.join(choices)}")
    return text


class Where:
    """The WHERE clause of a listing, built condition by condition with its parameters.

        where = Where().sites("e.site_id", site_ids).days("e.day", first, last)
        db.query(f"SELECT ... FROM events e{where} ORDER BY ...", where.params)
    """

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: list = []

    def add(self, condition: str, *params) -> Where:
        self.parts.append(condition)
        self.params.extend(params)
        return self

    def sites(self, column: str, site_ids: list[int] | None) -> Where:
        """Rows at these sites; None means every site, an empty list none."""
        if site_ids is not None:
            self.add(f"{column} IN ({','.join('?' * len(site_ids)) or 'NULL'})", *site_ids)
        return self

    def days(self, column: str, first_day: str | None, last_day: str | None) -> Where:
        if first_day:
            self.add(f"{column} >= ?", first_day)
        if last_day:
            self.add(f"{column} <= ?", last_day)
        return self

    def __str__(self) -> str:
        return f" WHERE {' AND '.join(self.parts)}" if self.parts else ""
