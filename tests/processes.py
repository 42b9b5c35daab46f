"""Real server processes for tests that need them: a free port, start, wait until it answers, stop or kill."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from urllib.parse import urlencode

import requests

from tests.wechat_peer import OFFICIAL, WeChatPeer, build_xml, parse_reply_xml


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {process.stdout.read() if process.stdout else ''}")
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:  # not listening yet, or a worker still booting behind the socket
            time.sleep(0.2)
    raise AssertionError("server did not start")


def start(args: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    """Start `python -m ARGS --port P` style servers; args may hold '{port}'. Returns (process, base URL)."""
    port = free_port()
    command = [sys.executable, "-m", *(a.replace("{port}", str(port)) for a in args)]
    process = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    wait_for(base + "/healthz", process)
    return process, base


def gunicorn(app: str, env: dict[str, str], workers: int = 2) -> tuple[subprocess.Popen, str]:
    return start(["gunicorn", "-w", str(workers), "-b", "127.0.0.1:{port}", "--timeout", "60", app], env)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            kill(process)


def kill(process: subprocess.Popen) -> None:
    """kill -9 the server and every worker it forked."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=15)


def post(base: str, openid: str, text: str | None = None, msg_id: int | None = None, timeout: float = 10,
         **fields) -> str | None:
    """One WeChat message (plaintext mode) to a real server; the reply's text, or None for a bare success."""
    body = {"ToUserName": OFFICIAL, "FromUserName": openid, "CreateTime": int(time.time()),
            "MsgType": "text" if text is not None else fields.pop("MsgType"), **fields}
    if text is not None:
        body["Content"] = text
    if msg_id is not None:
        body["MsgId"] = msg_id
    response = requests.post(f"{base}/wechat?" + urlencode(WeChatPeer(None).query()),
                             data=build_xml(body).encode(), timeout=timeout)
    assert response.status_code == 200, response.text
    return None if response.text == "success" else parse_reply_xml(response.text)["Content"]
