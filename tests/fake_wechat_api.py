"""A stand-in for WeChat's API server: a real HTTP server on 127.0.0.1 in a thread.

It issues access tokens (each new one invalidates the last, as WeChat does), checks the token on every call,
and answers customer-service, template and subscribe sends with the error codes a test asks for:

    fake.window_closed.add(openid)     45015 for customer-service messages to that person
    fake.unsubscribed[openid] = 43004  43004 / 43019 for every send to that person
    fake.fail_next(-1, -1)             the next sends answer these codes, in order
    fake.expire_token()                the current token now answers 42001 (40001 with invalidate_token)
    fake.on_message = callable         called with each accepted message before answering (crash tests)
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from tests.wechat_peer import APPID

SECRET = "testsecret"
_ERRMSG = {-1: "system error", 40001: "invalid credential", 42001: "access_token expired",
           45015: "response out of time limit", 45047: "out of response count limit", 43004: "require subscribe",
           43019: "require remove blacklist", 45011: "api minute-quota reach limit", 40037: "invalid template_id",
           43101: "user refuse to accept the msg"}


class FakeWeChat:
    def __init__(self, appid: str = APPID, secret: str = SECRET, token_delay: float = 0.0):
        self.appid, self.secret, self.token_delay = appid, secret, token_delay
        self.lock = threading.Lock()
        self.sent: list[dict] = []
        self.calls: list[dict] = []
        self.token_fetches = 0
        self.valid_token: str | None = None
        self.expired: dict[str, int] = {}
        self.window_closed: set[str] = set()
        self.unsubscribed: dict[str, int] = {}
        self.script: deque[int] = deque()
        self.on_message = None
        self.menus: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/cgi-bin/"

    def start(self) -> FakeWeChat:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # Test controls ---------------------------------------------------------------------------------------

    def fail_next(self, *codes: int) -> None:
        with self.lock:
            self.script.extend(codes)

    def expire_token(self, code: int = 42001) -> None:
        with self.lock:
            if self.valid_token:
                self.expired[self.valid_token] = code
                self.valid_token = None

    def invalidate_token(self) -> None:
        self.expire_token(40001)

    def texts_to(self, openid: str) -> list[str]:
        return [m["text"] for m in self.sent if m["openid"] == openid]

    # Endpoints -------------------------------------------------------------------------------------------

    def token(self, query: dict) -> dict:
        if self.token_delay:
            time.sleep(self.token_delay)
        if query.get("grant_type") != "client_credential" or query.get("appid") != self.appid:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        if query.get("secret") != self.secret:
            return {"errcode": 40125, "errmsg": "invalid appsecret"}
        with self.lock:
            self.token_fetches += 1
            if self.valid_token:
                self.expired[self.valid_token] = 40001
            self.valid_token = f"token-{self.token_fetches}"
            return {"access_token": self.valid_token, "expires_in": 7200}

    def send(self, channel: str, query: dict, body: dict) -> dict:
        openid = body.get("touser", "")
        with self.lock:
            self.calls.append({"channel": channel, "openid": openid})
            token = query.get("access_token")
            if token != self.valid_token:
                return _error(self.expired.get(token, 40001))
            if self.script:
                return _error(self.script.popleft())
            if openid in self.unsubscribed:
                return _error(self.unsubscribed[openid])
            if channel == "cs" and openid in self.window_closed:
                return _error(45015)
        if channel == "cs":
            message = {"channel": "cs", "openid": openid, "text": body["text"]["content"]}
        else:
            message = {"channel": channel, "openid": openid, "template_id": body.get("template_id"),
                       "data": body.get("data"), "text": body["data"]}
        if self.on_message:
            self.on_message(message)
        with self.lock:
            self.sent.append(message)
        return {"errcode": 0, "errmsg": "ok", "msgid": len(self.sent)}


    def create_menu(self, query: dict, body: dict) -> dict:
        with self.lock:
            if query.get("access_token") != self.valid_token:
                return _error(self.expired.get(query.get("access_token"), 40001))
            self.menus.append(body)
        return {"errcode": 0, "errmsg": "ok"}


def _error(code: int) -> dict:
    return {"errcode": code, "errmsg": _ERRMSG.get(code, "error")}


def _handler(fake: FakeWeChat) -> type[BaseHTTPRequestHandler]:
    routes = {"/cgi-bin/message/custom/send": "cs", "/cgi-bin/message/template/send": "template",
              "/cgi-bin/message/subscribe/bizsend": "subscribe"}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def _query(self) -> dict:
            return {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}

        def _answer(self, payload: dict, status: int = 200) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def do_GET(self) -> None:
            if urlparse(self.path).path == "/cgi-bin/token":
                self._answer(fake.token(self._query()))
            else:
                self._answer({"errcode": 404, "errmsg": "not found"}, 404)

        def do_POST(self) -> None:
            channel = routes.get(urlparse(self.path).path)
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if urlparse(self.path).path == "/cgi-bin/menu/create":
                self._answer(fake.create_menu(self._query(), body))
                return
            if channel is None:
                self._answer({"errcode": 404, "errmsg": "not found"}, 404)
                return
            self._answer(fake.send(channel, self._query(), body))

    return Handler
