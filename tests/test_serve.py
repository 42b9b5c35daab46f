"""`laoxiao serve` and `laoxiao demo` as real processes on a real port."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from urllib.parse import urlencode

import pytest
import requests

from tests.processes import free_port, wait_for
from tests.wechat_peer import OFFICIAL, TOKEN, WeChatPeer, build_xml, parse_reply_xml, sha1_sign


@pytest.fixture
def served(env):
    def start(*args: str, extra_env: dict | None = None):
        port = free_port()
        environment = {**os.environ, **env, **(extra_env or {})}
        process = subprocess.Popen([sys.executable, "-m", "bot", *args, "--port", str(port)], env=environment,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        started.append(process)
        base = f"http://127.0.0.1:{port}"
        wait_for(base + "/healthz", process)
        return base

    started: list[subprocess.Popen] = []
    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)


def test_serve_answers_wechat_url_verification_and_messages(served):
    base = served("serve", "--no-scheduler")
    ts = str(int(time.time()))
    params = {"signature": sha1_sign(TOKEN, ts, "n"), "timestamp": ts, "nonce": "n", "echostr": "hello"}
    assert requests.get(f"{base}/wechat?" + urlencode(params), timeout=5).text == "hello"
    xml = build_xml({"ToUserName": OFFICIAL, "FromUserName": "served-user", "CreateTime": int(time.time()),
                     "MsgType": "text", "Content": "帮助", "MsgId": 99})
    response = requests.post(f"{base}/wechat?" + urlencode(WeChatPeer(None).query()), data=xml.encode(), timeout=5)
    assert "您可以发" in parse_reply_xml(response.text)["Content"]
    assert requests.get(f"{base}/simulator", timeout=5).status_code == 404


def test_serve_refuses_to_start_without_a_token(env):
    environment = {k: v for k, v in {**os.environ, **env}.items() if k != "WECHAT_TOKEN"}
    result = subprocess.run([sys.executable, "-m", "bot", "serve"], env=environment, capture_output=True, text=True,
                            timeout=60, cwd=os.path.dirname(env["LAOXIAO_DB"]))
    assert result.returncode != 0
    assert "WECHAT_TOKEN" in result.stderr + result.stdout


def test_demo_serves_the_simulator_with_personas(served, env):
    base = served("demo", extra_env={"LAOXIAO_DB": env["LAOXIAO_DB"]})
    page = requests.get(base + "/", timeout=5).text
    assert "李明" in page and "聊天模拟器" in page
    reply = requests.post(base + "/simulator/send", json={"openid": "demo-worker-elder", "text": "帮助"}, timeout=5)
    assert "马丽" in reply.json()["reply"]
