"""The outbox sender against a fake WeChat API on 127.0.0.1: every push arrives once, or waits visibly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from datetime import datetime, timedelta

import pytest

from bot.config import load_settings
from bot.sender import drain_once
from bot.wechat_client import SharedTokenClient
from data import delivery, open_db, outbox, people
from data.clock import utcnow
from data.db import connect
from tests.wechat_peer import APPID

HOUR = timedelta(hours=1)


@pytest.fixture
def env(env, fake):
    return {**env, "WECHAT_API_BASE": fake.base_url}


def someone(db, person, openid: str, wrote_ago: timedelta | None = HOUR, role: str = "worker") -> dict:
    """A bound person who last wrote to the account `wrote_ago` ago (None: never)."""
    found = person(openid, role, "怡园社区", f"名{openid[-2:]}")
    if wrote_ago is not None:
        people.note_inbound(db, openid, utcnow() - wrote_ago)
    return found


def at_once(count: int, target) -> None:
    threads = [threading.Thread(target=target) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def row(db, key: str) -> dict:
    return next(iter(db.query("SELECT * FROM outbox WHERE key = ?", [key])))


def test_a_message_inside_the_window_goes_out_as_a_customer_service_message(db, person, settings, fake):
    someone(db, person, "o-mali")
    outbox.enqueue(db, "reminder:2026-11-15:1", "o-mali", "reminder", "【走访提醒】本月还有2位没走访", utcnow())
    report = drain_once(db, settings)
    assert report.sent == 1
    assert fake.texts_to("o-mali") == ["【走访提醒】本月还有2位没走访"]
    sent = row(db, "reminder:2026-11-15:1")
    assert (sent["status"], sent["channel"]) == ("sent", "cs")
    assert fake.token_fetches == 1


def test_enqueued_twice_is_sent_once(db, person, settings, fake):
    someone(db, person, "o-twice")
    assert outbox.enqueue(db, "alert:7:3", "o-twice", "text", "请尽快联系", utcnow())
    assert not outbox.enqueue(db, "alert:7:3", "o-twice", "text", "请尽快联系", utcnow())
    drain_once(db, settings)
    drain_once(db, settings)
    assert fake.texts_to("o-twice") == ["请尽快联系"]


def test_token_expiring_mid_batch_is_refreshed_once_and_nothing_is_lost(db, person, settings, fake):
    someone(db, person, "o-batch")
    for number in range(4):
        outbox.enqueue(db, f"k{number}", "o-batch", "text", f"第{number}条", utcnow())

    def expire_after_second(message):
        if message["text"] == "第1条":
            fake.expire_token()

    fake.on_message = expire_after_second
    report = drain_once(db, settings)
    assert report.sent == 4
    assert fake.texts_to("o-batch") == ["第0条", "第1条", "第2条", "第3条"]
    assert fake.token_fetches == 2


def test_a_token_rejected_again_after_refresh_is_retried_later_not_in_a_loop(db, person, settings, fake):
    someone(db, person, "o-loop")
    outbox.enqueue(db, "loop", "o-loop", "text", "你好", utcnow())
    fake.fail_next(40001, 40001)
    report = drain_once(db, settings)
    assert report.retrying == 1 and fake.token_fetches == 2
    assert row(db, "loop")["status"] == "pending"


def test_outside_the_window_without_template_it_is_held_and_rides_with_the_next_reply(
        db, person, settings, fake, wechat):
    someone(db, person, "o-held")
    fake.window_closed.add("o-held")  # WeChat disagrees with our clock: it answers 45015
    outbox.enqueue(db, "request:R1129-01:accepted", "o-held", "text", "您的求助 R1129-01 已有人接单。", utcnow())
    report = drain_once(db, settings)
    assert report.held == 1
    held = row(db, "request:R1129-01:accepted")
    assert held["status"] == "held" and "45015" in held["last_error"]
    assert "o-held" not in [m["openid"] for m in fake.sent]

    reply = wechat.say("o-held", "帮助")
    assert "您可以发" in reply.text and "您的求助 R1129-01 已有人接单。" in reply.text
    delivered = row(db, "request:R1129-01:accepted")
    assert (delivered["status"], delivered["channel"]) == ("sent", "reply")
    assert "R1129-01" not in (wechat.say("o-held", "帮助").text or "")


def test_outside_the_window_with_a_template_the_notice_goes_by_template(db, person, env, fake, wechat):
    settings = load_settings(env={**env, "WECHAT_TEMPLATE_REMINDER": "TPL-REMIND"}, dotenv=False)
    someone(db, person, "o-tpl", wrote_ago=timedelta(days=3))
    outbox.enqueue(db, "reminder:2026-11-25:9", "o-tpl", "reminder",
                   "【走访提醒】本月还有1位持续关爱对象没走访\n1. 王秀兰：40天没走访", utcnow())
    report = drain_once(db, settings)
    assert report.sent == 1
    assert [m["channel"] for m in fake.calls] == ["template"]  # no doomed customer-service attempt first
    sent = fake.sent[0]
    assert sent["template_id"] == "TPL-REMIND"
    assert sent["data"]["first"]["value"] == "【走访提醒】本月还有1位持续关爱对象没走访"
    assert "王秀兰" not in str(sent["data"])  # a notice with the least detail; names come in the chat
    assert row(db, "reminder:2026-11-25:9")["channel"] == "template"

    reply = wechat.say("o-tpl", "帮助")
    assert "王秀兰：40天没走访" in reply.text


def test_45015_with_a_template_falls_back_to_the_template(db, person, env, fake):
    settings = load_settings(env={**env, "WECHAT_TEMPLATE_NOTICE": "TPL-NOTICE"}, dotenv=False)
    someone(db, person, "o-fallback")
    fake.window_closed.add("o-fallback")
    outbox.enqueue(db, "request:R1129-02:card:assigned:4", "o-fallback", "text", "新求助 R1129-02：买药", utcnow())
    assert drain_once(db, settings).sent == 1
    assert [m["channel"] for m in fake.calls] == ["cs", "template"]
    assert fake.sent[0]["template_id"] == "TPL-NOTICE"
    assert row(db, "request:R1129-02:card:assigned:4")["channel"] == "template"


def test_urgent_rows_use_the_alert_template(db, person, env, fake):
    settings = load_settings(env={**env, "WECHAT_TEMPLATE_ALERT": "TPL-ALERT",
                                  "WECHAT_TEMPLATE_NOTICE": "TPL-NOTICE"}, dotenv=False)
    someone(db, person, "o-urgent", wrote_ago=None)
    outbox.enqueue(db, "protection:3:8", "o-urgent", "text", "【强制报告】请立即处理", utcnow(), urgent=True)
    drain_once(db, settings)
    assert fake.sent[0]["template_id"] == "TPL-ALERT"


def test_unsubscribed_person_is_marked_unreachable_and_never_retried(db, person, settings, fake):
    someone(db, person, "o-gone")
    fake.unsubscribed["o-gone"] = 43004
    outbox.enqueue(db, "a", "o-gone", "text", "你好", utcnow())
    report = drain_once(db, settings)
    assert report.failed == 1
    assert row(db, "a")["status"] == "failed" and "43004" in row(db, "a")["last_error"]
    assert people.get_person(db, "o-gone")["reachable"] == 0

    calls = len(fake.calls)
    outbox.enqueue(db, "b", "o-gone", "text", "再问一次", utcnow())
    drain_once(db, settings, utcnow() + 3 * HOUR)
    assert len(fake.calls) == calls  # no call for someone who cannot be reached
    assert row(db, "b")["status"] == "failed"


def test_busy_then_success_waits_for_the_backoff(db, person, settings, fake):
    someone(db, person, "o-busy")
    outbox.enqueue(db, "busy", "o-busy", "text", "稍后见", utcnow())
    fake.fail_next(-1)
    now = utcnow()
    assert drain_once(db, settings, now).retrying == 1
    waiting = row(db, "busy")
    assert waiting["status"] == "pending" and waiting["attempts"] == 1 and "-1" in waiting["last_error"]
    assert drain_once(db, settings, now + timedelta(minutes=1)).claimed == 0
    assert drain_once(db, settings, now + timedelta(minutes=3)).sent == 1
    assert fake.texts_to("o-busy") == ["稍后见"]


def test_network_errors_are_retried_like_busy(db, person, env, fake):
    settings = load_settings(env={**env, "WECHAT_API_BASE": "http://127.0.0.1:9/cgi-bin/"}, dotenv=False)
    someone(db, person, "o-net")
    outbox.enqueue(db, "net", "o-net", "text", "你好", utcnow())
    assert drain_once(db, settings).retrying == 1
    assert row(db, "net")["attempts"] == 1


def test_out_of_attempts_the_row_fails_and_an_admin_can_retry_it(db, person, settings, fake, runner):
    from bot.cli import cli

    someone(db, person, "o-flaky")
    outbox.enqueue(db, "flaky", "o-flaky", "text", "重要通知", utcnow())
    fake.fail_next(*[-1] * delivery.MAX_ATTEMPTS)
    now = utcnow()
    for _ in range(delivery.MAX_ATTEMPTS):
        drain_once(db, settings, now)
        now += delivery.BACKOFF_CAP
    failed = row(db, "flaky")
    assert failed["status"] == "failed" and failed["attempts"] == delivery.MAX_ATTEMPTS

    listing = runner.invoke(cli, ["outbox", "--status", "failed"])
    assert listing.exit_code == 0 and "重要通知" in listing.output and "失败" in listing.output
    retried = runner.invoke(cli, ["outbox", "retry", str(failed["id"])])
    assert retried.exit_code == 0, retried.output
    assert drain_once(db, settings).sent == 1
    assert fake.texts_to("o-flaky") == ["重要通知"]


def test_only_five_customer_service_messages_per_message_received(db, person, settings, fake, wechat):
    someone(db, person, "o-quota")
    for number in range(7):
        outbox.enqueue(db, f"q{number}", "o-quota", "text", f"通知{number}", utcnow())
    report = drain_once(db, settings)
    assert (report.sent, report.held) == (5, 2)
    reply = wechat.say("o-quota", "帮助")
    assert "通知5" in reply.text and "通知6" in reply.text


def test_45047_stops_customer_service_messages_to_that_person(db, person, settings, fake):
    someone(db, person, "o-many")
    for number in range(3):
        outbox.enqueue(db, f"m{number}", "o-many", "text", f"消息{number}", utcnow())
    fake.fail_next(45047)
    report = drain_once(db, settings)
    assert report.held == 3
    assert [m["channel"] for m in fake.calls] == ["cs"]  # one refusal is enough


def test_frequency_limit_slows_the_whole_batch_down_without_counting_attempts(db, person, settings, fake):
    someone(db, person, "o-slow")
    for number in range(3):
        outbox.enqueue(db, f"s{number}", "o-slow", "text", f"消息{number}", utcnow())
    fake.fail_next(45011)
    now = utcnow()
    report = drain_once(db, settings, now)
    assert report.released == 3
    assert {r["attempts"] for r in outbox.rows(db)} == {0}
    assert drain_once(db, settings, now + timedelta(seconds=10)).claimed == 0
    assert drain_once(db, settings, now + timedelta(minutes=2)).sent == 3


@pytest.fixture
def quiet_env(env):
    return {**env, "LAOXIAO_QUIET_HOURS": "21:00-08:00"}


def test_quiet_hours_hold_ordinary_messages_but_not_urgent_ones(db, person, quiet_env, fake):
    settings = load_settings(env=quiet_env, dotenv=False)
    night = datetime(2026, 11, 29, 22, 30, tzinfo=settings.tz)
    person("o-night", "worker", "怡园社区", "值班社工")
    people.note_inbound(db, "o-night", night - HOUR)
    outbox.enqueue(db, "ordinary", "o-night", "text", "明天记得走访", night)
    outbox.enqueue(db, "protection:9:1", "o-night", "text", "【强制报告】有孩子被打", night, urgent=True)
    report = drain_once(db, settings, night)
    assert report.sent == 1 and fake.texts_to("o-night") == ["【强制报告】有孩子被打"]
    assert drain_once(db, settings, night.replace(hour=23, minute=59) + timedelta(hours=7)).claimed == 0  # 06:59
    assert drain_once(db, settings, night + timedelta(hours=9, minutes=35)).sent == 1  # 08:05
    assert fake.texts_to("o-night")[-1] == "明天记得走访"


def test_without_credentials_everything_waits_for_the_next_reply(db, person, env, wechat, fake):
    settings = load_settings(env={**env, "WECHAT_SECRET": ""}, dotenv=False)
    someone(db, person, "o-demo")
    outbox.enqueue(db, "demo", "o-demo", "text", "演示提醒", utcnow())
    assert drain_once(db, settings).held == 1
    assert fake.calls == []
    assert "演示提醒" in wechat.say("o-demo", "帮助").text


def test_a_stale_held_reminder_is_cancelled_not_delivered(db, person, settings, wechat):
    someone(db, person, "o-stale", wrote_ago=timedelta(days=5))
    outbox.enqueue(db, "reminder:old", "o-stale", "reminder", "上一期的提醒", utcnow() - timedelta(days=12))
    delivery.set_expiry(db, "reminder:old", utcnow() - timedelta(days=2))
    outbox.enqueue(db, "reminder:new", "o-stale", "reminder", "这一期的提醒", utcnow())
    drain_once(db, settings)
    reply = wechat.say("o-stale", "帮助").text
    assert "这一期的提醒" in reply and "上一期的提醒" not in reply
    assert row(db, "reminder:old")["status"] == "cancelled"


def test_held_messages_that_do_not_fit_the_reply_go_back_to_the_sender(db, person, settings, wechat, fake):
    someone(db, person, "o-long", wrote_ago=timedelta(days=3))
    someone(db, person, "o-lon2")
    room = 2048 - len(wechat.say("o-lon2", "帮助").text.encode())  # the same menu, as long as o-long's
    long_text = "长" * int(room * 0.6 / 3)  # one fits beside the reply, two do not
    for number in range(2):
        outbox.enqueue(db, f"long{number}", "o-long", "text", f"{number}{long_text}", utcnow())
    drain_once(db, settings)
    assert {r["status"] for r in outbox.rows(db, openid="o-long")} == {"held"}
    reply = wechat.say("o-long", "帮助").text
    assert reply.count(long_text) == 1 and len(reply.encode()) <= 2048
    assert drain_once(db, settings).sent == 1  # the window has reopened: the rest goes out directly
    assert len(fake.texts_to("o-long")) == 1


def test_two_processes_needing_a_token_at_once_fetch_it_once(settings, db, fake):
    fake.token_delay = 0.5
    results: list[str] = []

    def get_token():
        own = connect(settings.db_path)
        client = SharedTokenClient(own, APPID, "testsecret", fake.base_url)
        results.append(client.access_token)
        own.close()

    at_once(3, get_token)
    assert fake.token_fetches == 1
    assert results == ["token-1"] * 3


def test_the_token_fetch_honours_the_api_base(settings, db, fake):
    client = SharedTokenClient(db, APPID, "testsecret", fake.base_url)
    assert client.access_token == "token-1"
    assert client.access_token == "token-1"  # cached in SQLite, not fetched again
    assert fake.token_fetches == 1


def test_a_crash_between_send_and_mark_sends_at_most_one_duplicate(db, person, env, fake):
    """The sender process is killed while WeChat is accepting a message: that message is sent again once
    the claim is stale (WeChat has no idempotency key), every other one exactly once."""
    someone(db, person, "o-crash")
    for text in ("第一条", "第二条", "第三条"):
        outbox.enqueue(db, text, "o-crash", "text", text, utcnow())
    proc_env = {**os.environ, **env}
    proc = subprocess.Popen([sys.executable, "-m", "bot", "outbox", "send"], env=proc_env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def crash_on_second(message):
        if message["text"] == "第二条":
            os.kill(proc.pid, signal.SIGKILL)

    fake.on_message = crash_on_second
    assert proc.wait(timeout=60) == -signal.SIGKILL
    fake.on_message = None
    assert fake.texts_to("o-crash") == ["第一条", "第二条"]
    assert {r["key"]: r["status"] for r in outbox.rows(db)} == {"第一条": "sent", "第二条": "sending",
                                                               "第三条": "sending"}

    settings = load_settings(env=env, dotenv=False)
    assert drain_once(open_db(settings.db_path), settings).claimed == 0  # a fresh claim is left alone
    # The dead sender's claims lapse within seconds (they used to wait five minutes).
    assert drain_once(db, settings, utcnow() + timedelta(seconds=5)).claimed == 0
    report = drain_once(db, settings, utcnow() + timedelta(seconds=20))
    assert report.reclaimed == 2 and report.sent == 2
    assert fake.texts_to("o-crash") == ["第一条", "第二条", "第二条", "第三条"]


def test_outbox_commands_list_send_and_mask_phone_numbers(db, person, fake, runner):
    from bot.cli import cli

    assert "发件箱：空" in runner.invoke(cli, ["outbox"]).output
    someone(db, person, "o-cli")
    outbox.enqueue(db, "request:R1129-03:card", "o-cli", "text", "新求助：请联系13912345678", utcnow())
    listing = runner.invoke(cli, ["outbox"]).output
    assert "待发 1" in listing and "139****5678" in listing and "13912345678" not in listing
    sent = runner.invoke(cli, ["outbox", "send"])
    assert sent.exit_code == 0 and "已发 1" in sent.output
    assert fake.texts_to("o-cli") == ["新求助：请联系13912345678"]
    assert "已发/cs" in runner.invoke(cli, ["outbox", "--status", "sent"]).output
    refused = runner.invoke(cli, ["outbox", "retry", "999"])
    assert refused.exit_code != 0 and "没有可重试的消息" in refused.output


def test_a_row_waiting_in_a_stalled_senders_batch_is_never_sent_by_both(db, person, settings, fake):
    """Sender A claims a batch and stalls (a long GC pause, a frozen VM) past its claim; B takes the rows over
    and sends them. When A wakes up it must not send them again."""
    from bot.sender import DrainReport, Sender

    for number in range(3):
        someone(db, person, f"o-stall{number}")
        outbox.enqueue(db, f"stall{number}", f"o-stall{number}", "text", f"消息{number}", utcnow())
    stalled = Sender(db, settings, holder="sender:A", workers=1)
    stalled.clock = utcnow
    rows = delivery.claim_due(db, utcnow(), "sender:A", 10)
    assert len(rows) == 3
    report = drain_once(db, settings, utcnow() + timedelta(seconds=20), holder="sender:B")
    assert report.reclaimed == 3 and report.sent == 3
    late = DrainReport()
    stalled._run_lane(rows, late)
    assert late.skipped == 3 and late.sent == 0
    assert sorted(m["text"] for m in fake.sent) == ["消息0", "消息1", "消息2"]


def test_a_burst_is_drained_in_one_run_urgent_first_and_quotas_exact(db, person, settings, fake):
    now = utcnow()
    for number in range(150):
        someone(db, person, f"o-burst{number:03d}")
        for copy in range(3):
            outbox.enqueue(db, f"burst:{number}:{copy}", f"o-burst{number:03d}", "text", f"通知{number}-{copy}", now)
    someone(db, person, "o-quota2")
    for copy in range(8):
        outbox.enqueue(db, f"many:{copy}", "o-quota2", "text", f"多条{copy}", now)
    outbox.enqueue(db, "protection:1:1", "o-burst149", "text", "【强制报告】请立即处理", now, urgent=True)
    report = drain_once(db, settings, now)
    assert report.sent == 150 * 3 + 5 + 1 and report.held == 3  # one run, not 50 rows per 30 seconds
    assert fake.texts_to("o-quota2") == [f"多条{n}" for n in range(5)]  # in order, and five at most
    assert fake.sent[0]["text"] == "【强制报告】请立即处理"  # urgent first
    texts = [m["text"] for m in fake.sent]
    assert len(texts) == len(set(texts))


def test_two_senders_draining_at_once_send_each_row_once(db, person, settings, fake):
    now = utcnow()
    for number in range(60):
        someone(db, person, f"o-two{number:02d}")
        for copy in range(2):
            outbox.enqueue(db, f"two:{number}:{copy}", f"o-two{number:02d}", "text", f"两个{number}-{copy}", now)
    reports = []

    def run() -> None:
        own = connect(settings.db_path)
        reports.append(drain_once(own, settings))
        own.close()

    at_once(2, run)
    texts = [m["text"] for m in fake.sent]
    assert len(texts) == 120 and len(set(texts)) == 120
    assert sum(r.sent for r in reports) == 120
