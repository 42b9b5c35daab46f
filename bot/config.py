"""Settings from the environment (and a `.env` file when present), checked once at start."""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


def _aes_key(value: str) -> str:
    if value == "":
        return ""
    if len(value) != 43:
        raise ValueError("EncodingAESKey 必须是43个字符 (must be 43 characters)")
    try:
        base64.b64decode(value + "=", validate=True)
    except binascii.Error as exc:
        raise ValueError("EncodingAESKey 只能包含字母和数字 (must be base64 letters and digits)") from exc
    return value


def _path(value: str) -> Path:
    if not value.strip():
        raise ValueError("不能为空 (must not be empty)")
    return Path(value)


def _url(value: str) -> str:
    if not re.match(r"^https?://[^\s/]+", value):
        raise ValueError("必须是 http:// 或 https:// 开头的网址 (must be an http(s) URL)")
    return value if value.endswith("/") else value + "/"


def _tz(value: str) -> ZoneInfo:
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError("不是有效的时区名，例如 Asia/Shanghai (not a time zone name)") from exc


def _token(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9]{3,32}", value):
        raise ValueError("Token 为3-32位字母或数字 (3-32 letters or digits)")
    return value


def _quiet_hours(value: str) -> tuple[int, int] | None:
    if not value.strip():
        return None
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", value)
    if not match or int(match.group(1)) > 23 or int(match.group(3)) > 23:
        raise ValueError("格式应为 21:00-08:00，留空表示不设免打扰 (expected HH:MM-HH:MM or empty)")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    return h1 * 60 + m1, h2 * 60 + m2


def _days_of_month(value: str) -> tuple[int, ...]:
    try:
        days = tuple(sorted({int(part) for part in re.split(r"[,，\s]+", value.strip()) if part}))
    except ValueError:
        days = ()
    if not days or not all(1 <= day <= 28 for day in days):
        raise ValueError("应为1-28之间的日期，用逗号分隔，例如 15,25 (days 1-28, comma separated)")
    return days


def _time_of_day(value: str) -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", value)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError("格式应为 09:00 (expected HH:MM)")
    return int(match.group(1)), int(match.group(2))


def _verify_period(value: str) -> str:
    if value not in ("month", "quarter", "half", "year"):
        raise ValueError("应为 month、quarter、half 或 year 之一 (month/quarter/half/year)")
    return value


def _positive_int(value: str) -> int:
    if not value.strip().isdigit() or int(value) < 1:
        raise ValueError("应为正整数 (a positive whole number)")
    return int(value)


@dataclass(frozen=True)
class Setting:
    name: str
    default: str | None
    describe: str
    parse: Callable[[str], Any] = str
    secret: bool = False

    @property
    def field(self) -> str:
        """The Settings attribute it fills: the variable's name without its prefix, in lower case."""
        return _RENAMED.get(self.name) or self.name.split("_", 1)[1].lower()


# Where the attribute name is not the variable's name less its prefix.
_RENAMED = {"LAOXIAO_DB": "db_path", "LAOXIAO_PHRASES": "phrases_path"}

SETTINGS: tuple[Setting, ...] = (
    Setting("LAOXIAO_DB", "instance/laoxiao.db", "SQLite 数据库文件 / SQLite file path", _path),
    Setting("WECHAT_TOKEN", None, "公众号后台的 Token / the Official Account's callback Token", _token, True),
    Setting("WECHAT_APPID", "", "公众号 AppID (安全模式必填) / AppID, required in safe mode"),
    Setting("WECHAT_SECRET", "", "公众号 AppSecret，用于主动推送 / AppSecret, for pushes", str, True),
    Setting("WECHAT_AES_KEY", "", "EncodingAESKey（43位），设置后接受安全模式 / 43-char key: enables safe mode",
            _aes_key, True),
    Setting("WECHAT_API_BASE", "https://api.weixin.qq.com/cgi-bin/", "微信接口地址，测试时指向本地 / API base URL",
            _url),
    Setting("LAOXIAO_TZ", "Asia/Shanghai", "时区 / time zone", _tz),
    Setting("LAOXIAO_QUIET_HOURS", "21:00-08:00", "免打扰时段，留空关闭 / quiet hours, empty disables",
            _quiet_hours),
    Setting("LAOXIAO_LOG_LEVEL", "INFO", "日志级别 / log level"),
    Setting("LAOXIAO_SECRET_KEY", "", "用于身份证号等敏感信息加盐散列的密钥，生产环境必填 / key for hashing ID numbers",
            str, True),
    Setting("LAOXIAO_REMINDER_DAYS", "15,25", "每月走访提醒日 / days of the month for visit reminders",
            _days_of_month),
    Setting("LAOXIAO_REMINDER_TIME", "09:00", "提醒发送时刻 / time of day reminders are sent", _time_of_day),
    Setting("LAOXIAO_VERIFY_PERIOD", "quarter", "津贴核查周期 month/quarter/half/year / allowance verification period",
            _verify_period),
    Setting("LAOXIAO_BACKUP_DIR", "instance/backups", "每晚备份的目录 / nightly backup folder", _path),
    Setting("LAOXIAO_BACKUP_KEEP", "14", "保留最近几份备份 / backups kept", _positive_int),
    Setting("LAOXIAO_SCHEDULER_LEASE", "60", "调度租约秒数，超时由待命进程接手 / scheduler lease in seconds",
            _positive_int),
    Setting("LAOXIAO_SENDER_INTERVAL", "30", "发件箱发送间隔秒数 / seconds between outbox drains", _positive_int),
    Setting("WECHAT_TEMPLATE_REMINDER", "", "提醒类模板消息 ID，48小时外使用 / template id for reminders"),
    Setting("WECHAT_TEMPLATE_ALERT", "", "紧急提醒模板消息 ID / template id for alerts"),
    Setting("WECHAT_TEMPLATE_NOTICE", "", "其他通知（派单、进度）模板消息 ID / template id for other notices"),
    Setting("LAOXIAO_KEEP_MESSAGES_DAYS", "90",
            "收到的消息原文保留天数，过期后只留编号 / days the text of incoming messages is kept", _positive_int),
    Setting("LAOXIAO_PHRASES", "instance/phrasings.tsv",
            "管理员补充的求助说法（每行 文本<TAB>类别）/ extra intent phrasings, text<TAB>label per line", _path),
    Setting("LAOXIAO_WEB_SESSION_HOURS", "12", "管理后台登录有效小时数 / hours a dashboard login lasts",
            _positive_int),
)


@dataclass(frozen=True)
class Settings:
    db_path: Path
    token: str
    appid: str
    secret: str
    aes_key: str
    api_base: str
    tz: ZoneInfo
    quiet_hours: tuple[int, int] | None
    log_level: str
    secret_key: str
    reminder_days: tuple[int, ...]
    reminder_time: tuple[int, int]
    verify_period: str
    backup_dir: Path
    backup_keep: int
    scheduler_lease: int
    sender_interval: int
    template_reminder: str
    template_alert: str
    template_notice: str
    phrases_path: Path = Path("instance/phrasings.tsv")
    keep_messages_days: int = 90
    web_session_hours: int = 12

    @property
    def safe_mode(self) -> bool:
        return bool(self.aes_key)




def load_settings(env: Mapping[str, str] | None = None, defaults: Mapping[str, str] | None = None,
                  dotenv: bool = True) -> Settings:
    """Read every setting; `defaults` fill what the environment leaves unset (the demo uses this)."""
    if env is None:
        if dotenv:
            _read_dotenv()
        env = os.environ
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = env.get(setting.name)
        if raw is None or (raw == "" and setting.default is None):
            raw = (defaults or {}).get(setting.name, setting.default)
        if raw is None:
            raise ConfigError(f"缺少设置 {setting.name}：{setting.describe} (missing {setting.name})")
        try:
            values[setting.field] = setting.parse(raw)
        except ValueError as exc:
            raise ConfigError(f"设置 {setting.name} 不正确：{exc}") from None
    if values["aes_key"] and not values["appid"]:
        raise ConfigError("设置 WECHAT_APPID 不能为空：启用安全模式 (WECHAT_AES_KEY) 时必须填写 AppID")
    return Settings(**values)


def _read_dotenv() -> None:
    from dotenv import load_dotenv

    load_dotenv(Path.cwd() / ".env", override=False)
