"""A process killed in the middle of a message loses nothing and leaves nothing half-done; a conversation saved by
a flow that has since changed ends politely instead of failing every message."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
import requests

from data import open_db
from flows.engine import Flow, Step
from handlers.feature import Feature
from tests import processes
from tests.conftest import peer_with
from tests.conversation import converse

ROOT = Path(__file__).resolve().parent.parent


def _audit_rows(db_path: str, action: str) -> list[dict]:
    db = open_db(db_path)
    try:
        return list(db.query("SELECT * FROM audit WHERE action = ?", [action]))
    finally:
        db.close()


def test_killing_the_server_mid_message_loses_nothing_and_the_retry_does_the_work_once(env, monkeypatch):
    monkeypatch.chdir(ROOT)
    server, base = processes.gunicorn("tests.slow_app:app", {**env, "SLOW_SECONDS": "30"}, workers=1)
    answered: list = []
    first = threading.Thread(target=lambda: answered.append(_quietly(base, "慢写 第一条", 4242)), daemon=True)
    first.start()
    try:
        _until(lambda: _row_is_open(env["LAOXIAO_DB"]))  # the transaction has written, not committed
    finally:
        processes.kill(server)
    first.join(timeout=10)
    assert _audit_rows(env["LAOXIAO_DB"], "slow_write") == []  # nothing half-done survived
    # WeChat retries the same MsgId: a fresh server handles it, once.
    server, base = processes.gunicorn("tests.slow_app:app", {**env, "SLOW_SECONDS": "0"}, workers=1)
    try:
        assert processes.post(base, "crash-user", "慢写 第一条", msg_id=4242) == "写好了：第一条"
        assert processes.post(base, "crash-user", "慢写 第一条", msg_id=4242) == "写好了：第一条"
    finally:
        processes.stop(server)
    assert len(_audit_rows(env["LAOXIAO_DB"], "slow_write")) == 1
    db = open_db(env["LAOXIAO_DB"])
    assert db.execute("SELECT status FROM inbound WHERE key = 'msg:4242'").fetchall() == [("done",)]


def _quietly(base: str, text: str, msg_id: int) -> str | None:
    try:
        return processes.post(base, "crash-user", text, msg_id=msg_id, timeout=40)
    except (requests.RequestException, AssertionError):
        return None


def _row_is_open(db_path: str) -> bool:
    """True once the slow message holds the write lock (its transaction has begun)."""
    import sqlite3

    conn = sqlite3.connect(db_path, timeout=0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def _until(condition, seconds: float = 20) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.05)


def test_a_message_left_processing_by_an_older_version_is_taken_over(wechat, db):
    db.conn.execute("INSERT INTO inbound (key, openid, channel, msg_type, content, received_at, status)"
                    " VALUES ('msg:777001', 'old-crash', 'wechat', 'text', '帮助', '2026-01-01T00:00:00Z',"
                    " 'processing')")
    reply = wechat.message("old-crash", "text", msg_id=777001, Content="帮助")
    assert reply.text and "您可以发" in reply.text
    assert db.execute("SELECT status FROM inbound WHERE key = 'msg:777001'").fetchone()[0] == "done"


# ---------------------------------------------------------------- flows that change under people

def _survey(version: int, second_step: str) -> Feature:
    steps = (Step("age", "年龄", ask="您多大年纪？", parse=lambda t, c, v: t.strip()),
             Step(second_step, "爱好", ask="您有什么爱好？", parse=lambda t, c, v: t.strip()))
    feature = Feature("survey")
    feature.flow(Flow(name="survey", title="问卷", triggers=("问卷",), steps=steps, version=version,
                      save=lambda ctx, values: f"谢谢！{values}"))
    return feature


@pytest.mark.parametrize(("version", "renamed"), [(1, "hobby_new"), (2, "hobby")])
def test_people_mid_flow_when_a_step_is_renamed_or_the_flow_changes(settings, version, renamed):
    before = peer_with(settings, _survey(1, "hobby"))
    converse(before, "survey-1", [("问卷", "多大年纪"), ("72", "爱好")])
    converse(before, "survey-2", [("问卷", "多大年纪")])
    after = peer_with(settings, _survey(version, renamed))
    converse(after, "survey-1", [
        ("秦腔", ["已过期", "重新开始", "!出了点问题"]),
        ("帮助", ["您可以发", "!已过期"]),
        ("问卷", "多大年纪"), ("70", "爱好"), ("书法", "请核对"), ("1", "谢谢"),
    ])
    # Someone at a step that still exists in the same version goes on; a new version ends every old state.
    converse(after, "survey-2", [("帮助", "多大年纪" if version == 1 else "已过期")])


def test_a_step_that_fails_on_every_answer_does_not_trap_the_person(settings, db):
    def broken(text, ctx, values):
        raise RuntimeError("a bug in this step")

    feature = Feature("broken")
    feature.flow(Flow(name="broken", title="报修", triggers=("报修",), save=lambda c, v: "好",
                      steps=(Step("what", "什么坏了", ask="什么坏了？", parse=lambda t, c, v: t),
                             Step("where", "在哪", ask="在哪里？", parse=broken))))
    peer = peer_with(settings, feature)
    converse(peer, "trapped", [
        ("报修", "什么坏了"), ("水管", "在哪里"),
        ("厨房", ["出了点问题", "存为草稿", "继续"]),
        ("帮助", ["您可以发", "!出了点问题"]),  # the next message works
    ])
