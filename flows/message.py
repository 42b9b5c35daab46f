"""The neutral message every channel (WeChat, terminal chat, web simulator) is turned into."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

KINDS = ("text", "image", "voice", "video", "shortvideo", "location", "link", "file", "event", "unknown")


@dataclass(frozen=True)
class Message:
    openid: str
    kind: str
    key: str
    at: datetime
    text: str = ""
    event: str | None = None
    event_key: str | None = None
    media_id: str | None = None
    pic_url: str | None = None
    channel: str = "wechat"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_text(self) -> bool:
        return bool(self.text.strip())
