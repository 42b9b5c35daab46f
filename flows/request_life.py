"""What happens to a help request after it is made: routing to a volunteer team, accepting, finishing,
sending back, transferring, cancelling, feedback, and the pushes each step sends through the outbox.

Routing: category + site -> active teams serving both -> the one with the fewest open requests that is
under capacity; none -> the site's worker holds it (the admins, for a place outside the project's sites).
A transfer goes only to a team that serves the request's site and category. Every change is a row in
`request_events`, and every change the family would want to know of reaches them in plain words: accepted
(by whom, how they will be contacted), sent back and given to someone else, transferred, done (满意?),
cancelled. Callers run these inside `transaction()`.
"""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from data import handoffs, outbox, people, sites, teams
from data import requests as reqs
from flows import request_card as card

KIND = "request"  # the sender picks the template and label by kind
STAFF_AT_SITE = ("worker", "director")


def display_name(person: dict | None) -> str:
    if not person:
        return "居民"
    return person.get("name") or "微信用户"


def site_workers(db: Database, site_id: int | None) -> list[dict]:
    """Who stands in for a site: its social workers; else its child directors; else the admins. A request
    from outside the project's sites goes to the admins."""
    if site_id is None:
        return people.admins(db) or handoffs.responders(db, None)
    return handoffs.responders(db, site_id)


def _card_people(db: Database, team_id: int) -> list[dict]:
    return teams.leaders(db, team_id) or teams.members(db, team_id)


def who_and_where(db: Database, request: dict) -> tuple[str, str]:
    site = sites.get_site(db, request["site_id"])
    site_name, address = (site["name"] if site else ""), request["address"] or ""
    where = address if site_name and (site_name in address or address.startswith(_short(site_name))) \
        else "，".join(p for p in (site_name, address) if p)
    return card.request_who(request), where or "未说明"


def _short(site_name: str) -> str:
    return site_name.removesuffix("社区").removesuffix("村")


def card_text(db: Database, request: dict, note: str | None = None) -> str:
    """The card a team leader (or the site's worker) gets: who, where, what, how to reach them, how urgent.
    Pushes carry the least that lets someone act: the full phone only in 「进度」, to those who may act."""
    who, where = who_and_where(db, request)
    number = request["number"]
    lines = [f"【新求助 {number}】{request['category']}{'（紧急）' if request['urgent'] else ''}",
             *card.body_lines(request["category"], request["urgency"], who, where, request["text"],
                              card.request_contact(request))[1:]]
    if request["flag"]:
        lines.append(f"（请留意：{request['flag']}）")
    if note:
        lines.append(note)
    lines.append(f"能接请回「接单 {number}」（或回「接了」）；去不了请回「退回 {number} 原因」。"
                 f"完整电话发「进度 {number}」查看。")
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
    tell_requester(db, request, f"accepted:{len(reqs.events(db, request['id']))}",
                   f"您的求助 {request['number']}（{request['category']}）已有人接单：{by}。{_how_contacted(request)}",
                   now)
    return f"已接单 {request['number']}。办好后请回「完成 {request['number']} 做了什么」（或回「搞定了」）。"


def _how_contacted(request: dict) -> str:
    phone = request["contact_phone"]
    if phone:
        return f"对方会打您留的电话（尾号{phone[-4:]}）联系您，请留意接听。"
    if request["no_phone"]:
        return f"您没有留电话，对方会直接上门{('（' + request['address'] + '）') if request['address'] else ''}。"
    return "对方会先通过社工联系您。"


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
    # The family hears that someone else will help, never the team's internal reason.
    tell_requester(db, request, f"rerouted:{len(reqs.events(db, request['id']))}",
                   f"您的求助 {request['number']}（{request['category']}）原来安排的{team['name']}这次去不了，"
                   f"已改派给{where}，请再稍等。", now)
    return f"已退回 {request['number']}，已转给{where}。谢谢说明原因。"


def reroute(db: Database, request: dict, actor: dict, now: datetime) -> str:
    """After a change of category: whoever had it is told not to go, the right team gets it, the family hears."""
    for person in holders(db, request):
        outbox.enqueue(db, f"request:{request['number']}:moved:{len(reqs.events(db, request['id']))}:{person['id']}",
                       person["openid"], KIND, f"求助 {request['number']} 改为「{request['category']}」，"
                       "已转给别的队，您这边不用办了。", now)
    where = route(db, request, now, actor["id"], "rerouted", f"（{display_name(actor)}改类为{request['category']}）")
    tell_requester(db, request, f"rerouted:{len(reqs.events(db, request['id']))}",
                   f"您的求助 {request['number']} 已转给{where}（{request['category']}），有人接单后会通知您。", now)
    return where


def transfer_targets(db: Database, request: dict) -> list[dict]:
    """The teams a request may be transferred to: active, serving its site and its category."""
    return [t for t in teams.eligible_teams(db, request["category"], request["site_id"])
            if t["id"] != request["team_id"]]


def transfer(db: Database, request: dict, actor: dict, team: dict, now: datetime) -> str:
    note = f"（{display_name(actor)}转派）"
    give_to_team(db, request, now, actor["id"], team, note)
    tell_requester(db, request, f"transferred:{len(reqs.events(db, request['id']))}",
                   f"您的求助 {request['number']}（{request['category']}）已转给{site_label(db, request)}"
                   f"{team['name']}办理，有人接单后会通知您。", now)
    full = "（注意：该队手上的求助已满）" if teams.open_count(db, team["id"]) > team["capacity"] else ""
    return f"已把 {request['number']} 转派给{team['name']}，已告诉求助人。{full}".rstrip()


def cancel(db: Database, request: dict, actor: dict, reason: str, now: datetime) -> str:
    """No longer needed: whoever holds it is told not to go; the family is told when staff cancelled it."""
    by_requester = actor["id"] == request["requester_id"]
    reqs.cancel(db, request, now, actor["id"], reason)
    told = holders(db, request)
    for person in told:
        if person["id"] != actor["id"]:
            outbox.enqueue(db, f"request:{request['number']}:cancelled:{person['id']}", person["openid"], KIND,
                           f"求助 {request['number']}（{request['category']}）已撤回，不用再办了。"
                           f"{'求助人说：' + reason if by_requester and reason else ''}", now)
    if not by_requester:
        tell_requester(db, request, "cancelled",
                       f"您的求助 {request['number']}（{request['category']}）已由社工撤回："
                       f"{reason or '不再需要办理'}。如果还需要帮忙，请再发消息。", now)
    return f"已撤回求助 {request['number']}，已告诉{'负责的人' if told else '社工'}。"


def holders(db: Database, request: dict) -> list[dict]:
    """Who is working on it: the team's leaders (or members), or the worker holding it."""
    if request["team_id"]:
        return _card_people(db, request["team_id"])
    holder = people.get_person_by_id(db, request["worker_id"]) if request["worker_id"] else None
    return [holder] if holder else []


def state_sentence(db: Database, request: dict) -> str:
    """Where a request stands, in the family's words (「已改派给卫生院志愿队，还在等他们接单」)."""
    status = request["status"]
    team = teams.get_team(db, request["team_id"])
    holder = f"{site_label(db, request)}{team['name'] if team else '社工'}"
    moved = any(e["action"] in ("rerouted", "transferred") for e in reqs.events(db, request["id"]))
    if status == "new":
        return "刚收到，正在安排。"
    if status == "assigned":
        return f"已{'改派' if moved else '转'}给{holder}，还在等他们接单。"
    if status == "accepted":
        actor = people.get_person_by_id(db, request["accepted_by"]) if request["accepted_by"] else None
        return f"{holder}的{display_name(actor)}已接单，正在办。{_how_contacted(request)}"
    if status == "done":
        rated = reqs.feedback(db, request["id"]) is not None
        return f"已办好：{request['done_note']}。" + ("" if rated else "满意吗？请回「满意」或「不满意」。")
    return "已撤回，不再办理。" if request["closed_reason"] in reqs.CLOSED_AS else "已办完，已结束。"


def add_note(db: Database, request: dict, person: dict, text: str, now: datetime) -> str:
    """A second message about the same need: kept on the request, and whoever holds it is told."""
    event = reqs.add_event(db, request["id"], now, person["id"], "note", request["status"], request["status"],
                           request["team_id"], text[:300])
    for holder in holders(db, request) or site_workers(db, request["site_id"]):
        outbox.enqueue(db, f"request:{request['number']}:note:{event}:{holder['id']}", holder["openid"], KIND,
                       f"求助 {request['number']}（{request['category']}）求助人补充：{card.need_text(text)}", now)
    return (f"已补充到求助 {request['number']}（{request['category']}），已告诉负责的人。"
            f"现在：{reqs.status_name(request)}。")


def complaint(db: Database, request: dict, person: dict, text: str, now: datetime) -> str:
    """Unhappy with the help: 不满意 with the family's words (kept as feedback once the request is done), and
    the team's leader and the site's worker are told."""
    if request["status"] in ("done", "closed"):
        reqs.record_feedback(db, request, person["id"], "不满意", text[:300], now)
        if request["status"] == "done":
            reqs.close(db, request, now, person["id"], "收到评价")
    else:
        reqs.add_event(db, request["id"], now, person["id"], "complaint", request["status"], request["status"],
                       request["team_id"], text[:300])
    _tell_of_complaint(db, request, text, now)
    return (f"收到，抱歉让您不满意。您说的已记下，并转给了负责的队长和社工，他们会跟进求助 {request['number']}。"
            "有急事请回「转人工」。")


def _tell_of_complaint(db: Database, request: dict, text: str, now: datetime) -> None:
    told = {p["id"]: p for p in [*holders(db, request), *site_workers(db, request["site_id"])]}
    count = len(reqs.events(db, request["id"]))
    for person in told.values():
        outbox.enqueue(db, f"request:{request['number']}:unhappy:{count}:{person['id']}", person["openid"], KIND,
                       f"求助 {request['number']}（{request['category']}）的求助人不满意："
                       f"{card.need_text(text) or '没有写原因'}。请跟进。", now)


def flag_for_worker(db: Database, request: dict, now: datetime) -> None:
    """Alarm words that describe no danger now: routed by the need, and the site's worker takes a look."""
    for worker in site_workers(db, request["site_id"]):
        outbox.enqueue(db, f"request:{request['number']}:flag:{worker['id']}", worker["openid"], KIND,
                       f"【请留意】求助 {request['number']}（{request['category']}）{request['flag']}。"
                       f"已按需要派出，请看一眼是否需要上门：发「进度 {request['number']}」。", now)


def give_feedback(db: Database, request: dict, person: dict, rating: str, comment: str | None,
                  now: datetime) -> str:
    if rating == "不满意":
        reqs.record_feedback(db, request, person["id"], rating, comment, now)
        if request["status"] == "done":
            reqs.close(db, request, now, person["id"], "收到评价")
        _tell_of_complaint(db, request, comment or "", now)
        return f"收到，抱歉没让您满意。您的意见已转给队长和社工，他们会跟进 {request['number']}。"
    reqs.record_feedback(db, request, person["id"], rating, comment, now)
    if request["status"] == "done":
        reqs.close(db, request, now, person["id"], "收到评价")
    for holder in holders(db, request):
        outbox.enqueue(db, f"request:{request['number']}:thanks:{holder['id']}", holder["openid"], KIND,
                       f"求助 {request['number']}（{request['category']}）的求助人很满意"
                       f"{'：' + card.need_text(comment) if comment else ''}。谢谢您！", now)
    return f"谢谢您的评价！求助 {request['number']} 已结束。有需要随时再发消息。"


def status_line(db: Database, request: dict) -> str:
    team = teams.get_team(db, request["team_id"])
    holder = team["name"] if team else "社工"
    return f"{request['number']} {request['category']} {reqs.status_name(request)}（{holder}）"
