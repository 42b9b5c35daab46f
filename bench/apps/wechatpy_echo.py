"""Baseline: Flask + wechatpy, the usual hand-written callback: check the signature, decrypt, parse, echo the
text back encrypted. No storage, no dedupe."""

import os

from flask import Flask, request
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

TOKEN, AES_KEY, APPID = os.environ["WECHAT_TOKEN"], os.environ["WECHAT_AES_KEY"], os.environ["WECHAT_APPID"]
crypto = WeChatCrypto(TOKEN, AES_KEY, APPID)
app = Flask(__name__)


@app.post("/wechat")
def wechat():
    args = request.args
    check_signature(TOKEN, args["signature"], args["timestamp"], args["nonce"])
    xml = crypto.decrypt_message(request.data, args["msg_signature"], args["timestamp"], args["nonce"])
    message = parse_message(xml)
    reply = TextReply(content=getattr(message, "content", "") or "收到", message=message)
    return crypto.encrypt_message(reply.render(), args["nonce"], args["timestamp"])


@app.get("/healthz")
def healthz() -> dict:
    return {"ok": True}
