"""What happens to a help request after it is made: routing to a volunteer team, accepting, finishing,
sending back, transferring, feedback, and the pushes each step sends through the outbox.

Routing: category + site -> active teams serving both -> the one with the fewest open requests that is
under capacity; none -> the site's worker holds it. Every change is a row in `request_events`.
Callers run these inside `transaction()`.
"""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from data import handoffs, outbox, people, recipients, sites, teams
from data import requests as reqs

KIND = "request"  # the sender picks the template and label by kind
STAFF_AT_SITE = ("worker", "director")


def display_name(person: dict | None) -> str:
    if not person:
        return "居民"
    return person.get("name") or "微信用户"


def site_workers(db: Database, site_id: int | None) -> list[dict]:
    """Who stands in for a site: its social workers; else its child directors; else the admins."""
    return handoffs.responders(db, site_id)


def _card_people(db: Database, team_id: int) -> list[dict]:
    return teams.leaders(db, team_id) or teams.members(db, team_id)


def who_and_where(db: Database, request: dict) -> tuple[str, str]:
    requester = people.get_person_by_id(db, request["requester_id"]) if request["requester_id"] else None
    who = request["recipient_name"] or display_name(requester)
    site = sites.get_site(db, request["site_id"])
    site_name, address = (site["name"] if site else ""), request["address"] or ""
    where = address if site_name and site_name in address else site_name + address
    return who, where or "未说明"


def card_text(db: Database, request: dict, note: str | None = None) -> str:
    """The short card a team leader (or the site's worker) gets: number, category, who, where, what."""
    who, where = who_and_where(db, request)
    # Pushes carry the least that lets someone act: phone numbers only in 「进度」, to those who may act.
    text = recipients.mask_phones(request["text"])
    text = text if len(text) <= 80 else text[:80] + "…"
    lines = [f"【新求助 {request['number']}】{request['category']}{'（紧急）' if request['urgent'] else ''}",
             f"为谁：{who}", f"地点：{where}", f"需要：{text}"]
    if note:
        lines.append(note)
    lines.append(f"接单请回「接单 {request['number']}」；不能接请回「退回 {request['number']} 原因」。"
                 f"联系方式发「进度 {request['number']}」查看。")
    return "\n".join(lines)


def route(db: Database, request: dict, now: datetime, actor_id: int | None = None,
          action: str = "assigned", note: str | None = None) -> str:
    """Give the request to the best team, or the site's worker; push the card. Returns where it went."""
    skip = reqs.rejected_team_ids(db, request["id"])
    for team in teams.eligible_teams(db, request["category"], request["site_id"], skip):
        contacts = _card_people(db, team["id"])
        if team["open_count"] < team["capacity"] and contacts:
            return _give(db, request, now, actor_id, team, contacts, action, note)
    return _give(db, request, now, actor_id, None, site_workers(db, request["site_id"]), action, note)


def give_to_team(db: Database, request: dict, now: datetime, actor_id: int, team: dict, note: str) -> str:
    contacts = _card_people(db, team["id"]) or site_workers(db, request["site_id"])
    return _give(db, request, now, actor_id, team, contacts, "transferred", note)


def _give(db: Database, request: dict, now: datetime, actor_id: int | None, team: dict | None,
          contacts: list[dict], action: str, note: str | None) -> str:
    holder = None if team else (contacts[0] if contacts else None)
    event = reqs.assign(db, request, now, actor_id, team["id"] if team else None,
                        holder["id"] if holder else None, action, note)
    request = reqs.get(db, request["id"])
    body = card_text(db, request, note)
    for person in contacts:
        outbox.enqueue(db, f"request:{request['number']}:card:{event}:{person['id']}", person["openid"], KIND,
                       body, now, urgent=bool(request["urgent"]))
    if team:
        return f"{site_label(db, request)}{team['name']}"
    return f"{site_label(db, request)}社工{'（' + display_name(holder) + '）' if holder else ''}"


def site_label(db: Database, request: dict) -> str:
    site = sites.get_site(db, request["site_id"])
    return site["name"] if site else ""


def can_act(db: Database, request: dict, person: dict) -> bool:
    """Only the assigned team's people, the worker holding it and the site's staff may change it."""
    if teams.is_member(db, request["team_id"], person["id"]) or request["worker_id"] == person["id"]:
        return True
    return person["role"] in STAFF_AT_SITE and person["site_id"] is not None \
        and person["site_id"] == request["site_id"]


def can_view(db: Database, request: dict, person: dict) -> bool:
    return request["requester_id"] == person["id"] or person["role"] == "admin" or can_act(db, request, person)


def tell_requester(db: Database, request: dict, what: str, body: str, now: datetime) -> None:
    requester = people.get_person_by_id(db, request["requester_id"]) if request["requester_id"] else None
    if requester:
        outbox.enqueue(db, f"request:{request['number']}:{what}", requester["openid"], KIND, body, now)


def withdraw_from_visit(db: Database, visit_id: int, actor: dict, now: datetime) -> tuple[list[str], list[str]]:
    """A visit was undone: its requests nobody has taken on yet are withdrawn (numbers in the first list);
    those already accepted or done stay, since someone is working on them (the second list)."""
    withdrawn, kept = [], []
    for request in reqs.from_visit(db, visit_id):
        if request["status"] not in ("new", "assigned"):
            if request["status"] in reqs.OPEN:
                kept.append(request["number"])
            continue
        reqs.withdraw(db, request, now, actor["id"], "走访记录已撤销")
        withdrawn.append(request["number"])
        # A card not yet delivered is simply not sent; whoever already has it is told.
        db.conn.execute(
            "UPDATE outbox SET status = 'cancelled', last_error = 'request withdrawn'"
            " WHERE key LIKE ? AND status IN ('pending', 'held')", [f"request:{request['number']}:card:%"],
        )
        sent = db.conn.execute(
            "SELECT DISTINCT openid FROM outbox WHERE key LIKE ? AND status IN ('sent', 'sending')",
            [f"request:{request['number']}:card:%"],
        ).fetchall()
        for (openid,) in sent:
            outbox.enqueue(db, f"request:{request['number']}:withdrawn:{openid}", openid, KIND,
                           f"求助 {request['number']}（{request['category']}）已撤回："
                           "提交它的走访记录被撤销了，不用再办。", now)
    return withdrawn, kept


def accept(db: Database, request: dict, actor: dict, now: datetime) -> str:
    reqs.accept(db, request, now, actor["id"])
    team = teams.get_team(db, request["team_id"])
    by = f"{team['name']}的{display_name(actor)}" if team else f"社工{display_name(actor)}"
    tell_requester(db, request, "accepted",
                   f"您的求助 {request['number']}（{request['category']}）已有人接单：{by}会尽快联系您。", now)
    return f"已接单 {request['number']}。办好后请回「完成 {request['number']} 做了什么」。"


def finish(db: Database, request: dict, actor: dict, note: str, now: datetime) -> str:
    reqs.finish(db, request, now, actor["id"], note)
    tell_requester(db, request, "done",
                   f"您的求助 {request['number']} 已办好：{note}\n对这次帮助满意吗？请回「满意」或「不满意」"
                   "（可以加几句意见）。", now)
    return f"已记录完成 {request['number']}，谢谢您！已通知求助人。"


def reject(db: Database, request: dict, actor: dict, reason: str, now: datetime) -> str:
    team = teams.get_team(db, request["team_id"])
    if team is None:
        return (f"{request['number']} 现在由社工负责，没有服务队可退回。"
                f"如需交给某个服务队，请回「转派 {request['number']} 队名」。")
    reqs.add_event(db, request["id"], now, actor["id"], "rejected", request["status"], request["status"],
                   team["id"], reason)
    where = route(db, reqs.get(db, request["id"]), now, actor["id"], "rerouted",
                  f"（{team['name']}退回：{reason}）")
    return f"已退回 {request['number']}，已转给{where}。谢谢说明原因。"


def transfer(db: Database, request: dict, actor: dict, team: dict, now: datetime) -> str:
    note = f"（{display_name(actor)}转派）"
    give_to_team(db, request, now, actor["id"], team, note)
    full = "（注意：该队手上的求助已满）" if teams.open_count(db, team["id"]) > team["capacity"] else ""
    return f"已把 {request['number']} 转派给{team['name']}。{full}".rstrip()


def give_feedback(db: Database, request: dict, person: dict, rating: str, comment: str | None,
                  now: datetime) -> str:
    reqs.record_feedback(db, request, person["id"], rating, comment, now)
    if request["status"] == "done":
        reqs.close(db, request, now, person["id"], "收到评价")
    if rating == "满意":
        return f"谢谢您的评价！求助 {request['number']} 已结束。有需要随时再发消息。"
    for worker in site_workers(db, request["site_id"]):
        outbox.enqueue(db, f"request:{request['number']}:unhappy:{worker['id']}", worker["openid"], KIND,
                       f"求助 {request['number']}（{request['category']}）的求助人不满意："
                       f"{comment or '没有写原因'}。请跟进。", now)
    return f"收到，抱歉没让您满意。您的意见已转给社工，社工会跟进 {request['number']}。"


def status_line(db: Database, request: dict) -> str:
    team = teams.get_team(db, request["team_id"])
    holder = team["name"] if team else "社工"
    return f"{request['number']} {request['category']} {reqs.STATUSES[request['status']]}（{holder}）"
