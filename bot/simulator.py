"""The chat simulator (demo only): talk to laoxiao as any demo persona from a browser."""

from __future__ import annotations

import uuid

from flask import Blueprint, current_app, jsonify, render_template, request

from bot.storage import get_db
from data import delivery, people
from data.clock import utcnow
from flows.message import Message
from handlers.inbox import receive

bp = Blueprint("simulator", __name__)


@bp.get("/")
@bp.get("/simulator")
def page() -> str:
    personas = list(get_db().query(
        "SELECT p.openid, p.name, p.role, s.name AS site FROM people p LEFT JOIN sites s ON s.id = p.site_id"
        " WHERE p.name IS NOT NULL ORDER BY p.id"
    ))
    for persona in personas:
        persona["role_name"] = people.ROLES.get(persona["role"], persona["role"])
    return render_template("simulator.html", personas=personas)


@bp.post("/simulator/send")
def send() -> tuple:
    payload = request.get_json(silent=True) or {}
    openid = str(payload.get("openid") or "").strip()
    text = str(payload.get("text") or "")
    kind = payload.get("kind") or "text"
    if not openid or len(openid) > 64:
        return jsonify(error="请选择一个身份"), 400
    if kind not in ("text", "event") or len(text) > 2000:
        return jsonify(error="消息太长或类型不对"), 400
    msg = Message(openid=openid, kind=kind, key=f"sim:{uuid.uuid4().hex}", at=utcnow(), text=text,
                  event=text if kind == "event" else None, channel="simulator")
    reply = receive(get_db(), msg, current_app.config["LAOXIAO"].tz, current_app.config["DISPATCHER"])
    return jsonify(reply=reply or ""), 200


@bp.get("/simulator/pushes")
def pushes() -> tuple:
    """What laoxiao pushed to this persona (team cards, reminders, status updates), shown as they arrive."""
    openid = request.args.get("openid", "").strip()
    if not openid or len(openid) > 64:
        return jsonify(error="请选择一个身份"), 400
    return jsonify(pushes=delivery.take_undelivered(get_db(), openid, utcnow(), "simulator")), 200
