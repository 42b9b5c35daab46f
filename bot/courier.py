"""One outbox row delivered the one way WeChat allows now, and the outcome recorded (bot/sender.py claims the rows).

Choosing the channel, per row:
    the person unsubscribed or blocked us               -> failed ('unreachable'), never retried
    inside the 48-hour window with quota left           -> customer-service message (channel 'cs')
    otherwise, a template configured for the row's kind -> template message ('template') or, for a
                                                           'subscribe:' id, a subscribe message ('subscribe');
                                                           a short notice, so the full text is kept as a
                                                           held copy (key + ':full') for the next reply
    otherwise                                           -> held: delivered with the person's next reply

What WeChat's answers mean here (ERRORS below; token errors never reach it: the client refreshes once):
    -1              busy                           retry with backoff
    45015           outside the 48-hour window     template if configured, else held
    45047           too many messages to person    no more customer-service messages to them until they
                                                   write again; this one by template, else held
    43004 / 43019   unsubscribed / blocked us      person marked unreachable; failed, no retry
    43101           refused the subscribe message  held
    45009 / 45011   API quota / frequency limit    batch stops; rows go back untried for a while
    40003 / 40037   bad openid / bad template id   failed (needs a person to look)
    network errors, HTTP errors, anything else     retry with backoff; failed after MAX_ATTEMPTS
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from enum import Enum

from sqlite_utils import Database

from bot.config import Settings
from bot.wechat_client import SharedTokenClient, network_error
from data import delivery, people
from data.db import transaction

log = logging.getLogger(__name__)


class Action(Enum):
    RETRY = "retry"
    FALLBACK = "fallback"
    STOP_CS = "stop_cs"
    UNREACHABLE = "unreachable"
    HOLD = "hold"
    SLOW_DOWN = "slow_down"
    FAIL = "fail"


ERRORS: dict[int, Action] = {
    -1: Action.RETRY,
    45015: Action.FALLBACK,
    45047: Action.STOP_CS,
    43004: Action.UNREACHABLE,
    43019: Action.UNREACHABLE,
    43101: Action.HOLD,
    45009: Action.SLOW_DOWN,
    45011: Action.SLOW_DOWN,
    40003: Action.FAIL,
    40037: Action.FAIL,
}
SLOW_DOWN_FOR = {45009: timedelta(hours=1), 45011: timedelta(minutes=1)}
_TEMPLATE_GROUPS = {"reminder": "template_reminder", "escalation": "template_reminder",
                    "alert": "template_alert", "protection": "template_alert", "urgent": "template_alert"}


class SlowDown(Exception):
    """WeChat asked us to call less often: stop this batch."""

    def __init__(self, pause: timedelta):
        super().__init__(str(pause))
        self.pause = pause


def error_code(exc: BaseException) -> int | None:
    return getattr(exc, "errcode", None)


def classify(exc: BaseException) -> Action:
    if network_error(exc):
        return Action.RETRY
    return ERRORS.get(error_code(exc), Action.RETRY)


def in_quiet_hours(settings: Settings, now: datetime) -> bool:
    if not settings.quiet_hours:
        return False
    start, end = settings.quiet_hours
    local = now.astimezone(settings.tz)
    minute = local.hour * 60 + local.minute
    return start <= minute < end if start <= end else minute >= start or minute < end


def template_for(settings: Settings, row: dict) -> str:
    """The template id for a row: urgent rows use the alert template; others are grouped by the first word
    of their key ('reminder:2026-11-15:3', 'request:R1203-07:card:...') or kind; the notice template is the
    fallback for everything that is not an alert."""
    if row["urgent"]:
        return settings.template_alert
    group = _TEMPLATE_GROUPS.get(_first_word(row["key"])) or _TEMPLATE_GROUPS.get(_first_word(row["kind"]))
    return (getattr(settings, group) if group else "") or settings.template_notice


def _first_word(kind: str) -> str:
    for sep in (":", ".", "_", "-"):
        kind = kind.split(sep, 1)[0]
    return kind


class Courier:
    """Delivers claimed rows through one database connection and one WeChat client (one per sending thread).
    Without a client nothing can be pushed, so every row is held for the person's next reply (the demo)."""

    def __init__(self, db: Database, settings: Settings, client: SharedTokenClient | None, holder: str):
        self.db, self.settings, self.client, self.holder = db, settings, client, holder

    # One row --------------------------------------------------------------------------------------------

    def deliver(self, row: dict, now: datetime) -> str:
        """Send one claimed row; returns the DrainReport field to count it under."""
        if row["known"] and not row["reachable"]:
            delivery.mark_failed(self.db, row["id"], self.holder, "unreachable", now)
            return "failed"
        if self.client is None:
            delivery.mark_held(self.db, row["id"], self.holder, "no WeChat credentials", now)
            return "held"
        window = row["last_inbound_at"]
        if delivery.window_open(window, now) and delivery.reserve_cs(self.db, row["openid"], window):
            try:
                self.client.message.send_text(row["openid"], delivery.body_text(row["body"]))
            except Exception as exc:  # noqa: BLE001 (every failure is classified below)
                delivery.refund_cs(self.db, row["openid"], window)
                action = classify(exc)
                if action is Action.STOP_CS:
                    delivery.exhaust_cs(self.db, row["openid"], window)
                elif action is not Action.FALLBACK:
                    return self._failed(row, exc, action, now)
                return self._outside_window(row, now, f"WeChat {error_code(exc)}")
            delivery.mark_sent(self.db, row["id"], self.holder, "cs", now)
            return "sent"
        reason = "outside the 48-hour window" if not delivery.window_open(window, now) else "quota used up"
        return self._outside_window(row, now, reason)

    def _outside_window(self, row: dict, now: datetime, reason: str) -> str:
        template = template_for(self.settings, row)
        if not template:
            delivery.mark_held(self.db, row["id"], self.holder, reason, now)
            return "held"
        subscribe = template.startswith("subscribe:")
        try:
            if subscribe:
                self.client.message.send_subscribe_message(
                    row["openid"], template.removeprefix("subscribe:"), self._subscribe_data(row, now))
            else:
                self.client.message.send_template(row["openid"], template, self._template_data(row, now))
        except Exception as exc:  # noqa: BLE001
            action = classify(exc)
            if action in (Action.FALLBACK, Action.HOLD, Action.STOP_CS):
                delivery.mark_held(self.db, row["id"], self.holder, f"{reason}; template refused {error_code(exc)}",
                                   now)
                return "held"
            return self._failed(row, exc, action, now)
        with transaction(self.db):
            if delivery.mark_sent(self.db, row["id"], self.holder, "subscribe" if subscribe else "template", now):
                delivery.hold_copy(self.db, row, now)
        return "sent"

    def _failed(self, row: dict, exc: BaseException, action: Action, now: datetime) -> str:
        code = error_code(exc)
        error = f"WeChat {code}" if code is not None else f"{type(exc).__name__}"
        if action is Action.UNREACHABLE:
            people.set_reachable(self.db, row["openid"], False, now)
            delivery.mark_failed(self.db, row["id"], self.holder, f"unreachable ({code})", now)
            return "failed"
        if action is Action.SLOW_DOWN:
            raise SlowDown(SLOW_DOWN_FOR.get(code, timedelta(minutes=1)))
        if action is Action.HOLD:
            delivery.mark_held(self.db, row["id"], self.holder, error, now)
            return "held"
        if action is Action.FAIL:
            delivery.mark_failed(self.db, row["id"], self.holder, error, now)
            return "failed"
        status = delivery.mark_retry(self.db, row, self.holder, error, now)
        log.info("outbox row %s: %s, now %s", row["id"], error, status)
        return "failed" if status == "failed" else "retrying"

    # Template bodies: the least detail that lets the person act; the full text comes when they write.

    def _template_data(self, row: dict, now: datetime) -> dict:
        title = delivery.body_title(row["body"])
        return {
            "first": {"value": title[:60]},
            "keyword1": {"value": _label(row)},
            "keyword2": {"value": now.astimezone(self.settings.tz).strftime("%Y-%m-%d %H:%M")},
            "remark": {"value": "详情会在您下次给公众号发消息时一并发给您。"},
        }

    def _subscribe_data(self, row: dict, now: datetime) -> dict:
        return {
            "thing1": {"value": delivery.body_title(row["body"])[:20]},
            "time2": {"value": now.astimezone(self.settings.tz).strftime("%Y-%m-%d %H:%M")},
        }


_KIND_LABELS = {"reminder": "工作提醒", "escalation": "工作提醒", "alert": "紧急提醒", "protection": "紧急提醒",
                "urgent": "紧急提醒", "request": "求助进度", "handoff": "留言转达"}


def _label(row: dict) -> str:
    if row["urgent"]:
        return "紧急提醒"
    return _KIND_LABELS.get(_first_word(row["key"])) or _KIND_LABELS.get(_first_word(row["kind"]), "通知")
