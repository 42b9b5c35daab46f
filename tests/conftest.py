from __future__ import annotations

import os
import threading
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.app import create_app
from bot.config import load_settings
from data import open_db, people, sites
from data.clock import utcnow
from handlers.feature import Feature
from tests.wechat_peer import AES_KEY, APPID, TOKEN, WeChatPeer


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    return {"LAOXIAO_DB": str(tmp_path / "laoxiao.db"), "WECHAT_TOKEN": TOKEN, "WECHAT_APPID": APPID,
            "WECHAT_AES_KEY": AES_KEY, "WECHAT_SECRET": "testsecret", "LAOXIAO_QUIET_HOURS": "",
            "LAOXIAO_PHRASES": str(tmp_path / "phrasings.tsv")}


@pytest.fixture
def settings(env):
    return load_settings(env=env, dotenv=False)


@pytest.fixture
def extra_features() -> tuple:
    """Features a test module adds to the app (override this fixture in the module)."""
    return ()


@pytest.fixture
def app(settings, extra_features):
    app = create_app(settings, simulator=True, extra_features=extra_features)
    app.config["TESTING"] = True
    return app


def command_feature(word: str, run) -> Feature:
    """A feature with one command, for tests that need a handler of their own (slow, failing, long)."""
    feature = Feature(f"test:{word}")
    feature.command(word)(run)
    return feature


def peer_with(settings, *features, safe: bool = False) -> WeChatPeer:
    """A WeChat peer talking to a fresh app that also has `features`."""
    app = create_app(settings, simulator=True, extra_features=features)
    app.config["TESTING"] = True
    return WeChatPeer(app.test_client(), safe=safe)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app, settings):
    """A second connection to the same file, for setting up and inspecting what the app stored."""
    database = open_db(settings.db_path)
    yield database
    database.close()


@pytest.fixture
def wechat(client) -> WeChatPeer:
    return WeChatPeer(client)


@pytest.fixture
def wechat_safe(client) -> WeChatPeer:
    return WeChatPeer(client, safe=True)


@pytest.fixture
def runner(env, monkeypatch):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return CliRunner()


def make_person(db, openid: str, role: str = "family", site: str | None = None, name: str | None = None,
                now: datetime | None = None) -> dict:
    """A bound person, as `laoxiao invite` + `绑定` would leave them."""
    now = now or utcnow()
    person = people.ensure_person(db, openid, now)
    site_row = sites.find_site(db, site) if site else None
    if site and site_row is None:
        sites.add_site(db, site, "child")
        site_row = sites.find_site(db, site)
    people.assign_role(db, person["id"], role, site_row["id"] if site_row else None, name, now)
    return people.get_person(db, openid)


@pytest.fixture
def person(db):
    def make(openid: str, role: str = "family", site: str | None = None, name: str | None = None) -> dict:
        return make_person(db, openid, role, site, name)

    return make


@pytest.fixture
def live_server(app):
    """The app on a real HTTP port on 127.0.0.1, for concurrent clients and the browser."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; never a downloaded browser."""
    if not CHROMIUM.exists():
        if os.environ.get("LAOXIAO_REQUIRE_BROWSER"):
            pytest.fail("LAOXIAO_REQUIRE_BROWSER is set but /usr/bin/chromium is missing")
        pytest.skip("no /usr/bin/chromium: install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def clock():
    """Frozen at Friday 20 November 2026, 10:00 in Ningxia (tests.visit_world.TODAY)."""
    import time_machine

    from tests.visit_world import TODAY

    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def team(db, person, clock):
    """马丽, 李明, 杨帆, 丁玉梅 and 张主任 with a few recipients each (tests.visit_world.make_team)."""
    from tests.visit_world import make_team

    return make_team(db, person)


@pytest.fixture
def fake():
    """A stand-in for WeChat's API: a real HTTP server on 127.0.0.1 (tests/fake_wechat_api.py)."""
    from tests.fake_wechat_api import FakeWeChat

    server = FakeWeChat().start()
    yield server
    server.stop()
