"""WeChat's XML: parsing what it posts (safely), turning it into a Message, and rendering replies."""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from datetime import UTC, datetime
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from wechatpy.crypto import PrpCrypto, WeChatCrypto

from flows.message import KINDS, Message

MAX_BODY_BYTES = 64 * 1024
REPLAY_WINDOW_SECONDS = 300


class BadRequest(ValueError):
    """The request is not a well-formed WeChat message; answered with HTTP 400."""


class Forbidden(ValueError):
    """The request is not from WeChat (signature or timestamp); answered with HTTP 403."""


def sign(*parts: str) -> str:
    # WeChat's protocol fixes SHA-1 for its signatures; it is not our choice of hash.
    return hashlib.sha1("".join(sorted(parts)).encode(), usedforsecurity=False).hexdigest()


def check_signature(token: str, signature: str, timestamp: str, nonce: str, now: float | None = None) -> None:
    """wechatpy compares signatures with `!=` and ignores the timestamp; we check both properly."""
    if not (signature and timestamp and nonce):
        raise Forbidden("missing signature parameters")
    if not _same_digest(sign(token, timestamp, nonce), signature):
        raise Forbidden("bad signature")
    check_timestamp(timestamp, now)


def _same_digest(expected: str, given: str) -> bool:
    """compare_digest refuses non-ASCII text with a TypeError (a 500, found by fuzzing): such a signature is
    simply wrong."""
    return given.isascii() and hmac.compare_digest(expected, given)


def check_timestamp(timestamp: str, now: float | None = None) -> None:
    try:
        sent = int(timestamp)
    except ValueError:
        raise Forbidden("bad timestamp") from None
    if abs((now or time.time()) - sent) > REPLAY_WINDOW_SECONDS:
        raise Forbidden("timestamp outside the replay window")


def parse_xml(body: bytes | str) -> dict[str, Any]:
    """The <xml> element as a dict (nested elements as nested dicts). A real DTD or entity declaration is refused
    (XXE, billion laughs); the same words typed inside a message's text are just text."""
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
    except UnicodeDecodeError:
        raise BadRequest("body is not UTF-8") from None
    try:
        root = fromstring(text, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise BadRequest(f"DOCTYPE and entities are not accepted: {type(exc).__name__}") from None
    except (ParseError, ValueError) as exc:
        raise BadRequest(f"malformed XML: {type(exc).__name__}") from None
    if root.tag != "xml":
        raise BadRequest("no <xml> root element")
    fields = _as_dict(root)
    return fields if isinstance(fields, dict) else {}


def _as_dict(element: Any) -> dict[str, Any] | str | None:
    children = list(element)
    if not children:
        return element.text
    fields: dict[str, Any] = {}
    for child in children:
        value = _as_dict(child)
        if child.tag in fields:  # a repeated element becomes a list, as in xmltodict
            previous = fields[child.tag]
            fields[child.tag] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            fields[child.tag] = value
    return fields


def decrypt(fields: dict[str, Any], token: str, aes_key: str, appid: str, msg_signature: str,
            timestamp: str, nonce: str) -> dict[str, Any]:
    """Safe mode: check msg_signature over the ciphertext, decrypt, and parse the inner XML."""
    encrypted = fields.get("Encrypt")
    if not isinstance(encrypted, str) or not encrypted:
        raise BadRequest("safe mode message without <Encrypt>")
    if not msg_signature or not _same_digest(sign(token, timestamp, nonce, encrypted), msg_signature):
        raise Forbidden("bad msg_signature")
    try:
        plain = PrpCrypto(WeChatCrypto(token, aes_key, appid).key).decrypt(encrypted, appid)
    except Exception as exc:
        # A wrong key surfaces as UnicodeDecodeError, a wrong appid as InvalidAppIdException, bad padding as
        # ValueError or IndexError: all mean "not for us".
        raise BadRequest(f"cannot decrypt: {type(exc).__name__}") from None
    return parse_xml(plain)


def encrypt_reply(xml: str, token: str, aes_key: str, appid: str, nonce: str) -> str:
    return WeChatCrypto(token, aes_key, appid).encrypt_message(xml, nonce, str(int(time.time())))


def to_message(fields: dict[str, Any], channel: str = "wechat") -> Message:
    msg_type = _text(fields.get("MsgType")).lower()
    openid = _text(fields.get("FromUserName"))
    if not msg_type or not openid:
        raise BadRequest("MsgType and FromUserName are required")
    created = _text(fields.get("CreateTime")) or "0"
    try:
        at = datetime.fromtimestamp(int(created), UTC)
    except (ValueError, OverflowError, OSError):
        raise BadRequest("bad CreateTime") from None
    event = _text(fields.get("Event")) or None
    if msg_type == "event":
        # Two buttons tapped within one second are two events; a retry repeats the same key.
        key = f"event:{openid}:{created}:{(event or '').lower()}:{_text(fields.get('EventKey'))}"
    else:
        msg_id = _text(fields.get("MsgId")) or _text(fields.get("MsgID"))
        key = f"msg:{msg_id}" if msg_id else f"msg:{openid}:{created}:{msg_type}"
    kind = msg_type if msg_type in KINDS else "unknown"
    text = ""
    if kind == "text":
        text = _text(fields.get("Content"))
    elif kind == "voice":
        text = _text(fields.get("Recognition"))
    elif kind == "link":
        text = ""
    extra = {k: _text(v) for k, v in fields.items()
             if k in ("Location_X", "Location_Y", "Label", "Url", "Title", "Format", "Latitude", "Longitude",
                      "ThumbMediaId", "FileKey")}
    return Message(
        openid=openid, kind=kind, key=key, at=at, text=text, event=event,
        event_key=_text(fields.get("EventKey")) or None, media_id=_text(fields.get("MediaId")) or None,
        pic_url=_text(fields.get("PicUrl")) or None, channel=channel, extra=extra,
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):  # <Content attr="x">..</Content> parses as a dict
        value = value.get("#text", "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value)


def cdata(text: str) -> str:
    """CDATA cannot contain ']]>': split it across two sections so any text stays well-formed."""
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(to_user: str, from_user: str, content: str, now: float | None = None) -> str:
    content = _xml_safe(content)
    return (
        f"<xml><ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(from_user)}</FromUserName>"
        f"<CreateTime>{int(now or time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{cdata(content)}</Content></xml>"
    )


_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    """Drop characters XML 1.0 forbids even inside CDATA (control characters from odd keyboards). One regex
    pass: a character-by-character join cost a third of a millisecond on a long reply."""
    return _NOT_IN_XML.sub("", text)
