"""wechatpy's WeChatClient, made safe for several processes sharing one Official Account.

wechatpy keeps the access token per process and refreshes it without a lock: several workers refreshing at
once invalidate each other's token. Its `fetch_access_token` also hard-codes api.weixin.qq.com and sets no
timeout. Here the token lives in SQLite (data/tokens.py), is fetched by one process at a time under a lease,
every call (the token fetch included) goes to WECHAT_API_BASE with a timeout, and a token WeChat rejects
(40001/40014/42001) is replaced once and the call retried once, never in a loop.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import requests
from sqlite_utils import Database
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from data import lease, tokens
from data.clock import utcnow

log = logging.getLogger(__name__)
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
DEFAULT_TIMEOUT = 10.0
# Longer than a token fetch can take (one timeout), so a stuck fetcher's lease lapses for someone else.
REFRESH_LEASE = timedelta(seconds=30)


class TokenUnavailable(WeChatClientException):
    """No token could be had in time (another process is fetching it, or WeChat refused): try later."""

    def __init__(self, message: str):
        super().__init__(None, message)


class SharedTokenClient(WeChatClient):
    """A WeChatClient whose token is shared through SQLite and refreshed by one process at a time."""

    def __init__(self, db: Database, appid: str, secret: str, api_base: str, timeout: float = DEFAULT_TIMEOUT,
                 holder: str | None = None, clock: Callable[[], datetime] = utcnow):
        super().__init__(appid, secret, timeout=timeout, auto_retry=False)
        self.API_BASE_URL = api_base if api_base.endswith("/") else api_base + "/"
        self.db = db
        self.holder = holder or lease.make_holder("token")
        self.clock = clock
        self.fetches = 0

    # The token ------------------------------------------------------------------------------------------

    @property
    def access_token(self) -> str:
        return self.token()

    def token(self, rejected: str | None = None) -> str:
        """A usable token: the shared one, or a fresh one fetched by whichever process gets the lease first.
        `rejected` is a token WeChat just refused: it is replaced even though it has not expired."""
        if rejected:
            tokens.discard(self.db, self.appid, rejected)
        deadline = time.monotonic() + (self.timeout or DEFAULT_TIMEOUT) * 2
        name = tokens.refresh_lease(self.appid)
        while True:
            current = tokens.get(self.db, self.appid)
            if current and current.usable(self.clock()) and current.value != rejected:
                return current.value
            if lease.acquire(self.db, name, self.holder, self.clock(), REFRESH_LEASE):
                try:
                    # Someone may have refreshed between our read and our lease.
                    current = tokens.get(self.db, self.appid)
                    if current and current.usable(self.clock()) and current.value != rejected:
                        return current.value
                    return self._fetch_and_store()
                finally:
                    lease.release(self.db, name, self.holder)
            if time.monotonic() > deadline:
                raise TokenUnavailable("another process is fetching the access token; try again later")
            time.sleep(0.1)

    def fetch_access_token(self) -> dict:
        """wechatpy calls this when it wants a token: honour the shared store instead of fetching blindly."""
        return {"access_token": self.token()}

    def _fetch_and_store(self) -> str:
        response = self._http.get(
            self.API_BASE_URL + "token",
            params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
            timeout=self.timeout,
        )
        response.raise_for_status()
        result = response.json()
        if result.get("errcode"):
            raise WeChatClientException(result["errcode"], result.get("errmsg"), client=self,
                                        request=response.request, response=response)
        self.fetches += 1
        saved = tokens.save(self.db, self.appid, result["access_token"], int(result.get("expires_in", 7200)),
                            self.clock(), self.holder)
        log.info("fetched a new access token for %s", self.appid)
        return saved.value

    # Calls ----------------------------------------------------------------------------------------------

    def _request(self, method: str, url_or_endpoint: str, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        params = dict(kwargs.pop("params", None) or {})
        used = params.get("access_token") or self.token()
        params["access_token"] = used
        try:
            return super()._request(method, url_or_endpoint, params=params, **kwargs)
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
            log.info("access token rejected (%s): fetching a new one and retrying once", exc.errcode)
        params["access_token"] = self.token(rejected=used)
        return super()._request(method, url_or_endpoint, params=params, **kwargs)


def network_error(exc: BaseException) -> bool:
    """Connection trouble (refused, reset, timed out, HTTP 5xx): retried like WeChat's -1 (busy)."""
    if isinstance(exc, requests.RequestException):
        return True
    return isinstance(exc, WeChatClientException) and exc.errcode is None
