"""Receiving one message from any channel: claim its key, route it once, keep the reply for retries."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlite_utils import Database

import handlers.features  # noqa: F401  (registers every flow and command)
from data import delivery, inbound, people
from data.clock import utcnow
from data.db import transaction
from flows.context import Ctx
from flows.message import Message
from handlers.paging import MAX_BYTES, MORE_HINT
from handlers.router import route

log = logging.getLogger(__name__)
SORRY = "抱歉，系统刚才出了点问题，您的消息没有处理成功，请稍后再发一次。"
HELD_HEADER = "\n\n—— 之前给您的消息 ——"
# WeChat gives up after 5 seconds; a retry waiting for the first attempt must answer before that.
RETRY_WAIT_SECONDS = 4.0


def receive(db: Database, msg: Message, tz: ZoneInfo, now: datetime | None = None) -> str | None:
    """The reply to `msg`; a repeat of a message already seen gets the first reply and changes nothing."""
    now = now or utcnow()
    content = msg.text if msg.kind in ("text", "voice") else None
    if not inbound.claim(db, msg.key, msg.openid, msg.channel, msg.kind, msg.event, content, now):
        return _await_first_reply(db, msg.key)
    try:
        person = people.ensure_person(db, msg.openid, now)
        reply = route(Ctx(db=db, person=person, now=now, tz=tz, message=msg), msg)
    except Exception:
        # The person hears about it; the log keeps the key, never the message text.
        log.exception("handling failed for message %s", msg.key)
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        inbound.finish(db, msg.key, SORRY, utcnow(), status="failed")
        return SORRY
    try:
        with transaction(db):
            full = _with_held_pushes(db, msg.openid, reply, now)
            inbound.finish(db, msg.key, full, utcnow())
        return full
    except Exception:
        log.exception("attaching held pushes failed for message %s", msg.key)
    inbound.finish(db, msg.key, reply, utcnow())
    return reply


def _with_held_pushes(db: Database, openid: str, reply: str | None, now: datetime) -> str | None:
    """Pushes WeChat would not let us send (outside the 48-hour window) ride along with this reply; those
    that do not fit go back to the sender, since the person's message has just reopened the window."""
    if reply is None:
        return None
    room = 0 if MORE_HINT in reply else MAX_BYTES - len((reply + HELD_HEADER).encode())
    texts = delivery.take_held(db, openid, now, room)
    return reply + HELD_HEADER + "".join(f"\n\n{text}" for text in texts) if texts else reply


def _await_first_reply(db: Database, key: str) -> str | None:
    deadline = time.monotonic() + RETRY_WAIT_SECONDS
    while True:
        row = inbound.get(db, key)
        if row and row["status"] != "processing":
            return row["reply"]
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.05)
