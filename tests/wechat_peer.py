"""A stand-in for WeChat's servers: builds signed (and, in safe mode, encrypted) XML the way WeChat does,
posts it to the app, and reads the reply. Written independently of bot/wechat_xml.py on purpose."""

from __future__ import annotations

import base64
import hashlib
import itertools
import os
import socket
import struct
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urlencode

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

TOKEN = "testtoken123"
APPID = "wx1234567890abcdef"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters
OFFICIAL = "gh_laoxiao"
_ids = itertools.count(7_000_000_000_000_000_000)


def sha1_sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def build_xml(fields: dict) -> str:
    inner = "".join(
        f"<{k}>{v}</{k}>" if isinstance(v, int) else f"<{k}>{_cdata(str(v))}</{k}>" for k, v in fields.items()
    )
    return f"<xml>{inner}</xml>"


def aes_encrypt(plain: str, key43: str = AES_KEY, appid: str = APPID) -> str:
    key = base64.b64decode(key43 + "=")
    body = os.urandom(16) + struct.pack("!I", len(plain.encode())) + plain.encode() + appid.encode()
    pad = 32 - len(body) % 32
    body += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(body) + encryptor.finalize()).decode()


def aes_decrypt(encrypted: str, key43: str = AES_KEY) -> tuple[str, str]:
    key = base64.b64decode(key43 + "=")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
    plain = plain[: -plain[-1]]
    length = socket.ntohl(struct.unpack("I", plain[16:20])[0])
    return plain[20 : 20 + length].decode(), plain[20 + length :].decode()


@dataclass
class Reply:
    status: int
    body: str
    fields: dict = field(default_factory=dict)

    @property
    def text(self) -> str | None:
        """The text the person sees, or None for a bare 'success'."""
        return self.fields.get("Content")


def parse_reply_xml(body: str) -> dict:
    root = ET.fromstring(body)
    return {child.tag: (child.text or "") for child in root}


class WeChatPeer:
    """Speaks WeChat's callback protocol to a Flask test client (or any `post(url, data)` callable)."""

    def __init__(self, client, token: str = TOKEN, safe: bool = False, aes_key: str = AES_KEY,
                 appid: str = APPID):
        self.client = client
        self.token, self.safe, self.aes_key, self.appid = token, safe, aes_key, appid

    def query(self, timestamp: int | None = None, nonce: str = "n0nce", encrypt: str | None = None,
              bad_signature: bool = False) -> dict:
        ts = str(timestamp if timestamp is not None else int(time.time()))
        params = {"timestamp": ts, "nonce": nonce, "signature": sha1_sign(self.token, ts, nonce)}
        if bad_signature:
            params["signature"] = "0" * 40
        if encrypt is not None:
            params["encrypt_type"] = "aes"
            params["msg_signature"] = sha1_sign(self.token, ts, nonce, encrypt)
        return params

    def post_xml(self, xml: str, timestamp: int | None = None, bad_signature: bool = False) -> Reply:
        encrypt = None
        body = xml
        if self.safe:
            encrypt = aes_encrypt(xml, self.aes_key, self.appid)
            body = build_xml({"ToUserName": OFFICIAL, "Encrypt": encrypt})
        params = self.query(timestamp=timestamp, encrypt=encrypt, bad_signature=bad_signature)
        response = self.client.post("/wechat?" + urlencode(params), data=body.encode(),
                                    content_type="text/xml")
        text = response.get_data(as_text=True)
        fields = {}
        if response.status_code == 200 and text.startswith("<xml>"):
            fields = parse_reply_xml(text)
            if self.safe:
                expected = sha1_sign(self.token, fields["TimeStamp"], fields["Nonce"], fields["Encrypt"])
                assert fields["MsgSignature"] == expected, "reply signature does not verify"
                inner, appid = aes_decrypt(fields["Encrypt"], self.aes_key)
                assert appid == self.appid
                fields = parse_reply_xml(inner)
        return Reply(response.status_code, text, fields)

    def message(self, openid: str, msg_type: str = "text", msg_id: int | None = None, **extra) -> Reply:
        fields = {"ToUserName": OFFICIAL, "FromUserName": openid, "CreateTime": int(time.time()),
                  "MsgType": msg_type, **extra}
        if msg_type != "event":
            fields["MsgId"] = msg_id if msg_id is not None else next(_ids)
        return self.post_xml(build_xml(fields))

    def say(self, openid: str, text: str, **extra) -> Reply:
        return self.message(openid, "text", Content=text, **extra)

    def voice(self, openid: str, recognition: str | None, **extra) -> Reply:
        fields = {"MediaId": "media-voice-1", "Format": "amr", **extra}
        if recognition is not None:
            fields["Recognition"] = recognition
        return self.message(openid, "voice", **fields)

    def event(self, openid: str, event: str, create_time: int | None = None, **extra) -> Reply:
        fields = {"ToUserName": OFFICIAL, "FromUserName": openid,
                  "CreateTime": create_time or int(time.time()), "MsgType": "event", "Event": event, **extra}
        return self.post_xml(build_xml(fields))
