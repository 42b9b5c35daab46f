"""Settings: a missing or malformed variable stops the start with a message that names it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import SETTINGS, ConfigError, load_settings
from tests.wechat_peer import AES_KEY, APPID

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
BASE = {"WECHAT_TOKEN": "abc123"}


def test_defaults_are_sensible():
    settings = load_settings(env=BASE, dotenv=False)
    assert str(settings.db_path) == "instance/laoxiao.db"
    assert settings.api_base == "https://api.weixin.qq.com/cgi-bin/"
    assert settings.tz.key == "Asia/Shanghai"
    assert settings.quiet_hours == (21 * 60, 8 * 60)
    assert not settings.safe_mode


@pytest.mark.parametrize(("env", "named"), [
    ({}, "WECHAT_TOKEN"),
    ({"WECHAT_TOKEN": ""}, "WECHAT_TOKEN"),
    ({"WECHAT_TOKEN": "has space"}, "WECHAT_TOKEN"),
    ({**BASE, "WECHAT_AES_KEY": "short"}, "WECHAT_AES_KEY"),
    ({**BASE, "WECHAT_AES_KEY": "!" * 43, "WECHAT_APPID": APPID}, "WECHAT_AES_KEY"),
    ({**BASE, "WECHAT_AES_KEY": AES_KEY}, "WECHAT_APPID"),
    ({**BASE, "WECHAT_API_BASE": "api.weixin.qq.com"}, "WECHAT_API_BASE"),
    ({**BASE, "LAOXIAO_TZ": "Mars/Olympus"}, "LAOXIAO_TZ"),
    ({**BASE, "LAOXIAO_QUIET_HOURS": "9pm-8am"}, "LAOXIAO_QUIET_HOURS"),
    ({**BASE, "LAOXIAO_DB": ""}, "LAOXIAO_DB"),
])
def test_bad_settings_fail_naming_the_variable(env, named):
    with pytest.raises(ConfigError, match=named):
        load_settings(env=env, dotenv=False)


def test_safe_mode_and_local_api_base():
    settings = load_settings(env={**BASE, "WECHAT_AES_KEY": AES_KEY, "WECHAT_APPID": APPID,
                                  "WECHAT_API_BASE": "http://127.0.0.1:9999/cgi-bin"}, dotenv=False)
    assert settings.safe_mode
    assert settings.api_base == "http://127.0.0.1:9999/cgi-bin/"


def test_empty_quiet_hours_disables_them():
    assert load_settings(env={**BASE, "LAOXIAO_QUIET_HOURS": ""}, dotenv=False).quiet_hours is None


def test_dotenv_file_is_read(tmp_path, monkeypatch):
    for setting in SETTINGS:
        monkeypatch.delenv(setting.name, raising=False)
    (tmp_path / ".env").write_text("WECHAT_TOKEN=fromdotenv\nLAOXIAO_TZ=Asia/Urumqi\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.token == "fromdotenv" and settings.tz.key == "Asia/Urumqi"


def test_cli_reports_bad_settings_without_a_traceback(runner, monkeypatch):
    from bot.cli import cli

    monkeypatch.setenv("LAOXIAO_TZ", "Nowhere/Land")
    result = runner.invoke(cli, ["init-db"])
    assert result.exit_code != 0
    assert "LAOXIAO_TZ" in result.output and "Traceback" not in result.output


def test_every_setting_is_documented_in_the_readme():
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", README))
    missing = [s.name for s in SETTINGS if s.name not in documented]
    assert missing == []


def test_no_secret_has_a_default_value():
    for setting in SETTINGS:
        if setting.secret:
            assert not setting.default, setting.name
