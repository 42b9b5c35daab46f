"""The Official Account's bottom menu: created through WeChat's API, and every button does something."""

from __future__ import annotations

import pytest

from bot import wechat_menu
from bot.cli import cli
from data.clock import utcnow
from data.demo import seed_demo
from handlers import build_dispatcher


@pytest.fixture
def env(env, fake):
    return {**env, "WECHAT_API_BASE": fake.base_url}


def test_menu_command_creates_the_menu_through_the_api(runner, fake):
    result = runner.invoke(cli, ["menu"])
    assert result.exit_code == 0, result.output
    assert "菜单已创建" in result.output
    assert fake.menus == [wechat_menu.MENU]


def test_menu_command_needs_the_app_secret(runner, monkeypatch):
    monkeypatch.setenv("WECHAT_SECRET", "")
    result = runner.invoke(cli, ["menu"])
    assert result.exit_code != 0 and "WECHAT_SECRET" in result.output


def test_menu_fits_wechats_limits_and_the_routers_keys():
    known = build_dispatcher().clicks
    wechat_menu.check(known)
    with pytest.raises(ValueError):
        wechat_menu.check(known, {"button": [{"type": "click", "name": "x", "key": "NOPE"}]})


@pytest.mark.parametrize(("key", "expected"), [
    ("MENU_ASK", "需要什么帮助"),
    ("MENU_REQUESTS", "求助"),
    ("MENU_HELP", "您可以发"),
    ("MENU_HANDOFF", "社工"),
])
def test_every_button_gets_a_useful_answer(wechat, db, key, expected):
    seed_demo(db, utcnow())
    assert key in wechat_menu.click_keys()
    reply = wechat.event("demo-family", "CLICK", EventKey=key)
    assert reply.text and expected in reply.text and "没太明白" not in reply.text


def test_the_welcome_offers_a_resident_help_first_and_binding_last(wechat, db):
    reply = wechat.event("new-resident", "subscribe").text
    lines = [line for line in reply.splitlines() if line[:1].isdigit()]
    assert "求助" in lines[0] and "绑定" in lines[-1] and "居民不用绑定" in lines[-1]
    assert "需要什么帮助" in wechat.say("new-resident", "1").text  # the welcome's numbers answer too
