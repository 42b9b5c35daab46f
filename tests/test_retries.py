"""WeChat resends a message it got no answer to within 5 seconds, up to 3 times, possibly overlapping."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
import requests

from tests.conftest import command_feature
from tests.wechat_peer import OFFICIAL, WeChatPeer, build_xml, parse_reply_xml

CALLS: list[str] = []


def _slow(ctx, rest):
    CALLS.append(rest)
    time.sleep(0.8)  # slow enough that the retries arrive while the first attempt is still working
    return f"第{len(CALLS)}次处理：{rest}"


def _broken(ctx, rest):
    raise RuntimeError("boom")


@pytest.fixture
def extra_features():
    return (command_feature("慢查询", _slow), command_feature("坏命令", _broken))


@pytest.fixture
def slow_command():
    CALLS.clear()
    yield CALLS


def test_three_concurrent_retries_are_handled_once_with_identical_replies(live_server, slow_command, db):
    xml = build_xml({"ToUserName": OFFICIAL, "FromUserName": "retry-user", "CreateTime": int(time.time()),
                     "MsgType": "text", "Content": "慢查询 王秀兰", "MsgId": 1234567890123})
    peer = WeChatPeer(None)

    def post(_):
        response = requests.post(f"{live_server}/wechat?" + urlencode(peer.query()), data=xml.encode(), timeout=10)
        return response.status_code, parse_reply_xml(response.text)["Content"]

    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(post, range(3)))

    assert [status for status, _ in results] == [200, 200, 200]
    assert len({content for _, content in results}) == 1
    assert results[0][1] == "第1次处理：王秀兰"
    assert slow_command == ["王秀兰"]
    assert db.execute("SELECT COUNT(*) FROM inbound WHERE key = 'msg:1234567890123'").fetchone()[0] == 1


def test_a_later_retry_gets_the_stored_reply_without_side_effects(wechat, db):
    first = wechat.message("retry-2", "text", msg_id=555, Content="绑定")
    again = wechat.message("retry-2", "text", msg_id=555, Content="绑定")
    assert first.text == again.text
    # The retry did not advance the conversation: the bot still waits for the code, asked once.
    assert db.execute("SELECT COUNT(*) FROM inbound WHERE openid = 'retry-2'").fetchone()[0] == 1
    assert "绑定码" in wechat.say("retry-2", "帮助").text


def test_events_are_deduplicated_by_sender_time_and_event(wechat, db):
    created = int(time.time())
    assert "欢迎" in wechat.event("retry-3", "subscribe", create_time=created).text
    assert "欢迎" in wechat.event("retry-3", "subscribe", create_time=created).text
    assert db.execute("SELECT COUNT(*) FROM inbound WHERE openid = 'retry-3'").fetchone()[0] == 1


def test_a_failing_handler_answers_politely_and_the_retry_gets_the_same_answer(wechat, db):
    first = wechat.message("retry-4", "text", msg_id=777, Content="坏命令")
    again = wechat.message("retry-4", "text", msg_id=777, Content="坏命令")
    assert first.status == again.status == 200
    assert "出了点问题" in first.text and first.text == again.text
    assert db.execute("SELECT status FROM inbound WHERE key = 'msg:777'").fetchone()[0] == "failed"
