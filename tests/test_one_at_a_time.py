"""One message at a time per person, against a real server with two worker processes (gunicorn -w 2).

Each round fires two messages from one person at the same moment: a double-tapped confirmation, two different
answers, or a photo and a text. Whatever the order, the result must be what handling them one after the other
gives: no lost update to the conversation, no duplicate row.

    pytest tests/test_one_at_a_time.py -s     # prints the figures for the closing note
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from functools import partial
from pathlib import Path

import pytest

from data import open_db
from tests import processes
from tests.conftest import make_person
from tests.visit_world import add_recipient

ROUNDS = 200
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def server(env, monkeypatch):
    monkeypatch.chdir(ROOT)
    db = open_db(env["LAOXIAO_DB"])
    for openid in ("tap", "two", "photo"):
        director = make_person(db, f"conc-{openid}", "director", "沈闸村", f"主任{openid}")
        for name in ("王小明", "李小明", "杨欣怡"):
            add_recipient(db, f"{name}{openid}", director["site_id"], responsible=director)
    db.close()
    process, base = processes.gunicorn("bot.wsgi:app", env, workers=2)
    yield base
    processes.stop(process)


def _together(*sends) -> list:
    """Run the sends at the same instant on their own threads; their replies, in the order given."""
    barrier = threading.Barrier(len(sends))
    results: list = [None] * len(sends)

    def run(index, send):
        barrier.wait()
        results[index] = send()

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(sends)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


class Ids:
    def __init__(self) -> None:
        self.next = 10_000_000

    def __call__(self) -> int:
        self.next += 1
        return self.next


def test_two_messages_at_once_from_one_person_never_lose_or_double_anything(server, env):
    post, new_id = processes.post, Ids()
    outcome: Counter = Counter()
    started = time.monotonic()
    for round_number in range(ROUNDS):
        kind = ("tap", "two", "photo")[round_number % 3]
        openid = f"conc-{kind}"
        if kind == "tap":  # a double-tapped confirmation: saved once, and the second tap is told so
            note = f"精神不错{round_number}"
            assert "请核对" in post(server, openid, f"走访 王小明tap 今天 上门 {note}", msg_id=new_id())
            replies = _together(partial(post, server, openid, "1", msg_id=new_id()),
                                partial(post, server, openid, "1", msg_id=new_id()))
            assert sorted("已保存：" in r for r in replies) == [False, True], replies
            assert any("已经保存过了" in r for r in replies), replies
            outcome["double taps"] += 1
        elif kind == "two":  # two different answers: one fills the findings, the other the need
            assert "情况怎么样" in post(server, openid, "走访 李小明two 今天 上门", msg_id=new_id())
            said = {f"吃饭正常{round_number}", f"作业写完了{round_number}"}
            first, second = sorted(said)
            _together(partial(post, server, openid, first, msg_id=new_id()),
                      partial(post, server, openid, second, msg_id=new_id()))
            assert "已保存" in post(server, openid, "1", msg_id=new_id())
            outcome["two answers"] += 1
        else:  # a photo and a text at once: the photo is attached, the text answers the question
            assert "情况怎么样" in post(server, openid, "走访 杨欣怡photo 今天 上门", msg_id=new_id())
            _together(partial(post, server, openid, None, msg_id=new_id(), MsgType="image",
                              PicUrl=f"http://pic/{round_number}.jpg", MediaId=f"m{round_number}"),
                      partial(post, server, openid, f"学习正常{round_number}", msg_id=new_id()))
            assert "请核对" in post(server, openid, "无", msg_id=new_id())
            assert "已保存" in post(server, openid, "1", msg_id=new_id())
            outcome["photo and text"] += 1
    elapsed = time.monotonic() - started

    db = open_db(env["LAOXIAO_DB"])
    visits = list(db.query("SELECT v.*, r.name, (SELECT COUNT(*) FROM visit_photos f WHERE f.visit_id = v.id)"
                           " AS photos FROM visits v JOIN recipients r ON r.id = v.recipient_id ORDER BY v.id"))
    taps = [v for v in visits if v["name"] == "王小明tap"]
    twos = [v for v in visits if v["name"] == "李小明two"]
    photos = [v for v in visits if v["name"] == "杨欣怡photo"]
    assert len(taps) == outcome["double taps"]  # no duplicate
    assert len({v["findings"] for v in taps}) == len(taps)
    assert len(twos) == outcome["two answers"]
    for visit in twos:  # no lost update: both answers were kept, one in each field, from the same round
        pair = [visit["findings"], visit["needs"] or ""]
        assert {p.rstrip("0123456789") for p in pair} == {"吃饭正常", "作业写完了"}, pair
        assert len({p[len(p.rstrip("0123456789")):] for p in pair}) == 1, pair
    assert len(photos) == outcome["photo and text"]
    assert all(v["photos"] == 1 and v["findings"].startswith("学习正常") for v in photos)
    inbound = db.execute("SELECT COUNT(*), SUM(status = 'done') FROM inbound").fetchone()
    assert inbound[0] == inbound[1]  # every message answered, none left processing
    print(f"\n{ROUNDS} rounds of two simultaneous messages through gunicorn -w 2 in {elapsed:.1f} s: "
          f"{dict(outcome)}; {inbound[0]} messages, 0 lost updates, 0 duplicate rows")
