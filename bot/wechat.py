"""The WeChat Official Account callback at /wechat: verify, decrypt, dedupe, route, reply."""

from __future__ import annotations

import logging
import secrets

from flask import Blueprint, Response, current_app, request

from bot import wechat_xml as wx
from bot.storage import get_db
from handlers.inbox import receive

log = logging.getLogger(__name__)
bp = Blueprint("wechat", __name__)


@bp.get("/wechat")
def verify_url() -> Response:
    settings = current_app.config["LAOXIAO"]
    args = request.args
    try:
        wx.check_signature(settings.token, args.get("signature", ""), args.get("timestamp", ""),
                           args.get("nonce", ""))
    except wx.Forbidden as exc:
        log.warning("URL verification refused: %s", exc)
        return Response("forbidden", 403, mimetype="text/plain")
    return Response(args.get("echostr", ""), 200, mimetype="text/plain")


@bp.post("/wechat")
def callback() -> Response:
    settings = current_app.config["LAOXIAO"]
    args = request.args
    timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
    try:
        wx.check_signature(settings.token, args.get("signature", ""), timestamp, nonce)
    except wx.Forbidden as exc:
        log.warning("callback refused: %s", exc)
        return Response("forbidden", 403, mimetype="text/plain")
    body = request.get_data(cache=False)  # over MAX_CONTENT_LENGTH: Flask answers 413
    safe = args.get("encrypt_type", "raw").lower() == "aes"
    try:
        fields = wx.parse_xml(body)
        if safe:
            if not settings.safe_mode:
                raise wx.BadRequest("safe mode message but WECHAT_AES_KEY is not set")
            fields = wx.decrypt(fields, settings.token, settings.aes_key, settings.appid,
                                args.get("msg_signature", ""), timestamp, nonce)
        msg = wx.to_message(fields)
    except wx.Forbidden as exc:
        log.warning("callback refused: %s", exc)
        return Response("forbidden", 403, mimetype="text/plain")
    except wx.BadRequest as exc:
        log.warning("bad callback body: %s", exc)
        return Response("bad request", 400, mimetype="text/plain")
    reply = receive(get_db(), msg, settings.tz, current_app.config["DISPATCHER"])
    if not reply:
        return Response("success", 200, mimetype="text/plain")
    xml = wx.text_reply(msg.openid, wx._text(fields.get("ToUserName")), reply)
    if safe:
        xml = wx.encrypt_reply(xml, settings.token, settings.aes_key, settings.appid, nonce or secrets.token_hex(8))
    return Response(xml, 200, mimetype="application/xml")
