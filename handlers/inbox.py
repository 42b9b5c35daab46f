"""Receiving one message from any channel: exactly once, and one at a time.

Everything one message does happens in one SQLite transaction (BEGIN IMMEDIATE): the claim of its key, the
state read, the step, the state write, the domain rows, the outbox rows and the stored reply. So
- two messages from one person (a double tap, a photo and a text) run one after the other, each seeing what
  the other wrote, and a second 「1」 finds the entry already saved;
- a WeChat retry of the same MsgId waits for the first attempt's transaction and gets its reply;
- a process killed mid-message leaves nothing behind: its transaction never commits, and WeChat's retry handles
  the message afresh.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlite_utils import Database

from data import delivery, inbound, people
from data.clock import utcnow
from data.db import transaction
from flows.message import Message
from handlers.dispatcher import Dispatcher
from handlers.paging import MAX_BYTES, MORE_HINT

log = logging.getLogger(__name__)
SORRY = "抱歉，系统刚才出了点问题，您的消息没有处理成功，请稍后再发一次。"
HELD_HEADER = "\n\n—— 之前给您的消息 ——"
# WeChat gives up after 5 seconds; a retry waiting for the first attempt must answer before that.
RETRY_WAIT_SECONDS = 4.0


def receive(db: Database, msg: Message, tz: ZoneInfo, dispatcher: Dispatcher,
            now: datetime | None = None) -> str | None:
    """The reply to `msg`; a repeat of a message already handled gets the first reply and changes nothing."""
    now = now or utcnow()
    dispatcher.warm(msg)
    content = msg.text if msg.kind in ("text", "voice") else None
    try:
        with transaction(db):
            seen = inbound.claim(db, msg.key, msg.openid, msg.channel, msg.kind, msg.event, content, now)
            if seen is not None:
                return seen["reply"]
            person = people.ensure_person(db, msg.openid, now)
            reply = dispatcher.route(dispatcher.context(db, person, now, tz, msg), msg)
            full = _with_held_pushes(db, msg.openid, reply, now)
            inbound.finish(db, msg.key, full, utcnow())
            return full
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            return _failed(db, msg, tz, dispatcher, now)
        # Another message held the database longer than the busy timeout: answer if it was this one's twin.
        log.warning("database busy for message %s", msg.key)
        return _await_reply(db, msg.key)
    except Exception:
        return _failed(db, msg, tz, dispatcher, now)


def _failed(db: Database, msg: Message, tz: ZoneInfo, dispatcher: Dispatcher, now: datetime) -> str:
    """The message's own work was rolled back. Keep the apology for retries, and set an unfinished conversation
    aside as a draft: a step that fails on every answer must not trap the person."""
    # The person hears about it; the log keeps the key, never the message text.
    log.exception("handling failed for message %s", msg.key)
    reply = SORRY
    try:
        with transaction(db):
            content = msg.text if msg.kind in ("text", "voice") else None
            inbound.claim(db, msg.key, msg.openid, msg.channel, msg.kind, msg.event, content, now)
            person = people.ensure_person(db, msg.openid, now)
            note = dispatcher.park(dispatcher.context(db, person, now, tz, msg))
            reply = f"{SORRY}\n{note}" if note else SORRY
            inbound.finish(db, msg.key, reply, utcnow(), status="failed")
    except Exception:
        log.exception("recording the failure of message %s failed too", msg.key)
    return reply


def _with_held_pushes(db: Database, openid: str, reply: str | None, now: datetime) -> str | None:
    """Pushes WeChat would not let us send (outside the 48-hour window) ride along with this reply; those
    that do not fit go back to the sender, since the person's message has just reopened the window."""
    if reply is None:
        return None
    room = 0 if MORE_HINT in reply else MAX_BYTES - len((reply + HELD_HEADER).encode())
    texts = delivery.take_held(db, openid, now, room)
    return reply + HELD_HEADER + "".join(f"\n\n{text}" for text in texts) if texts else reply


def _await_reply(db: Database, key: str) -> str | None:
    deadline = time.monotonic() + RETRY_WAIT_SECONDS
    while True:
        row = inbound.get(db, key)
        if row and row["status"] != "processing":
            return row["reply"]
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.05)
