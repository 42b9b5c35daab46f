"""The confirmation a visitor reads, and what saving a visit writes: one visit per person, pending recipients for
people found on the visit, the needs as help requests, verification changes flagged to the site's worker."""

from __future__ import annotations

from datetime import date

from data import audit, conversations, outbox, people, recipients, sites, visits
from data.categories import URGENT_LABEL
from flows import visit_findings as found_in
from flows.context import Ctx
from flows.errors import Invalid
from flows.parsers import format_date
from flows.request import open_request_from_visit

WARN_DAYS = 30


def verification_of(values: dict) -> dict | None:
    if not any(r.get("allowance") for r in values.get("recipients") or []):
        return None
    return {"seen": values.get("seen"), "change": values.get("change"), "school": values.get("school")}


def flag_reasons(verification: dict | None) -> list[str]:
    if not verification:
        return []
    reasons = []
    if verification.get("change"):
        reasons.append(f"监护或生活有变化：{verification['change']}")
    if verification.get("seen") is False:
        reasons.append("没有见到孩子本人")
    if verification.get("school") == "辍学":
        reasons.append("孩子辍学")
    return reasons


def counts(values: dict) -> bool:
    """The coverage rule (data.visits.COUNTS_SQL) for a visit being recorded."""
    return values.get("mode") in visits.IN_PERSON_MODES and values.get("outcome", "met") == "met"


# ---------------------------------------------------------------- the confirmation

def _show_date(iso_date: str, ctx: Ctx) -> str:
    day = date.fromisoformat(iso_date)
    shown = format_date(day, ctx.today)
    days = (ctx.today - day).days
    if days == 0:
        return shown + " 今天"
    if days == 1:
        return shown + " 昨天"
    if days > WARN_DAYS:
        return shown + f" ⚠️已是{days}天前，请核对日期"
    return shown


def summary(ctx: Ctx, values: dict) -> str:
    who = values["recipients"]
    kinds = "、".join(dict.fromkeys(recipients.KINDS[r["kind"]] for r in who))
    findings = values["findings"]
    lines = []
    advice = found_in.danger_advice(findings)
    if advice:
        lines.append(advice)
    lines += ["请核对走访记录：", f"对象：{'、'.join(r['name'] for r in who)}（{kinds}）",
              f"日期：{_show_date(values['date'], ctx)}", f"方式：{values['mode']}",
              f"结果：{visits.OUTCOMES[values['outcome']]}"
              + ("" if counts(values) else "（会记下，但只有上门或到校见到本人才算本期走访）"),
              f"情况：{findings if len(findings) <= 150 else findings[:150] + '…'}"]
    for kind in dict.fromkeys(r["kind"] for r in who):
        read = found_in.areas(findings, kind)
        if read:
            lines.append(("四项：" if kind == "child" else "探访：") + "｜".join(f"{k}：{v}" for k, v in read.items()))
    lines.append(f"需求：{values['needs']}（保存后转给社工/志愿者跟进）" if values.get("needs") else "需求：无")
    verification = verification_of(values)
    if verification:
        lines.append("核查：" + visits.verification_text(verification))
        if flag_reasons(verification):
            lines.append("⚠️ 核查有变化，保存后会提醒社工跟进。")
    new = [r["name"] for r in who if r.get("new")]
    if new:
        lines.append(f"新发现：{'、'.join(new)}（保存后请社工核实，加入名单）")
    if len(who) > 1:
        lines.append(f"保存后为{len(who)}人各记一条走访。")
    photos = (ctx.state or {}).get("attachments") or []
    if photos:
        lines.append(f"照片：{len(photos)}张")
    lines.append("要改某项可回「改 日期」「改 结果」「改 情况」这样。")
    return "\n".join(lines)


# ---------------------------------------------------------------- saving

def _row_for(ctx: Ctx, value: dict, findings: str) -> dict:
    """The recipient's row: re-read and re-checked, or created as pending for someone found on this visit."""
    if not value.get("new"):
        row = recipients.get_recipient(ctx.db, value["id"])
        if not recipients.can_see(ctx.person, row) or not row["active"]:
            raise Invalid(f"{value['name']}已不在您的名单里，走访没有保存。")
        return row
    site_id = ctx.person.get("site_id")
    if site_id is None:
        raise Invalid(f"「{value['name']}」不在名单里。请先在名单里添加，再记录走访。")
    rid = recipients.insert_recipient(ctx.db, {
        "kind": value["kind"], "name": value["name"], "site_id": site_id, "responsible_id": ctx.person["id"],
        "categories": [], "ongoing_care": True, "pending": True}, ctx.now)
    row = recipients.get_recipient(ctx.db, rid)
    _ask_workers_to_confirm(ctx, row, findings)
    return row


def _ask_workers_to_confirm(ctx: Ctx, row: dict, findings: str) -> None:
    site = sites.get_site(ctx.db, row["site_id"])
    who = "老人" if row["kind"] == "elder" else "孩子"
    body = (f"【新发现待核实】{ctx.person.get('name') or people.ROLES[ctx.role]}走访时记下了名单外的{who}"
            f"「{row['name']}」（{site['name'] if site else ''}）：{findings[:80]}\n"
            f"请核实情况、补全信息，核实后回「核实 {row['name']}」加入名单。")
    staff = people.staff_of_site(ctx.db, row["site_id"], ("worker",)) or people.admins(ctx.db)
    for worker in staff:
        if worker["id"] != ctx.person["id"]:
            outbox.enqueue(ctx.db, f"newfound:{row['id']}:{worker['id']}", worker["openid"], "text", body, ctx.now)


def save(ctx: Ctx, values: dict) -> str:
    findings, verification = values["findings"], verification_of(values)
    reasons = flag_reasons(verification)
    started = conversations.started_at(ctx.db, ctx.person_id)
    source = visits.texts_since(ctx.db, ctx.openid, started, ctx.message.key if ctx.message else None)
    saved: list[tuple[int, dict]] = []
    batch = f"{ctx.openid}:{ctx.message.key}" if ctx.message else f"{ctx.openid}:{ctx.now.isoformat()}"
    for value in values["recipients"]:
        row = _row_for(ctx, value, findings)
        checked = verification if value.get("allowance") else None
        visit_id = visits.add_visit(
            ctx.db, recipient_id=row["id"], visitor_id=ctx.person["id"], visit_date=values["date"],
            mode=values["mode"], findings=findings, now=ctx.now, areas=found_in.areas(findings, row["kind"]) or None,
            needs=values.get("needs"), verification=checked, flagged=bool(reasons and checked),
            source_text=source, outcome=values["outcome"], batch=batch)
        audit.record(ctx.db, ctx.now, ctx.openid, "visit_recorded", f"recipient:{row['id']}",
                     {"visit": visit_id, "flagged": bool(reasons and checked), "new": bool(value.get("new"))})
        if reasons and checked:
            visits.flag_to_workers(ctx.db, row, visit_id, reasons, ctx.person, ctx.now)
        saved.append((visit_id, row))
    for photo in (ctx.state or {}).get("attachments") or []:
        visits.add_photo(ctx.db, saved[0][0], photo.get("media_id"), photo.get("pic_url"), ctx.now)
    return _reply(ctx, values, saved, reasons)


def _reply(ctx: Ctx, values: dict, saved: list[tuple[int, dict]], reasons: list[str]) -> str:
    names = "、".join(row["name"] for _, row in saved)
    day = format_date(date.fromisoformat(values["date"]), ctx.today)
    lines = [f"✅ 已保存：{names} {day} {values['mode']}走访（{visits.OUTCOMES[values['outcome']]}）。"]
    if not counts(values):
        lines.append("这次不算本期上门走访，名单里仍显示待访。")
    made = _requests_for(ctx, values, saved)
    lines += [f"需求已转为求助 {r['number']}（{r['category']}），交给{r.get('routed_to') or '社工'}跟进。"
              for r in made]
    if values.get("needs") and not made:
        lines.append(f"需求已记在这次走访里：{values['needs']}")
    if any(r["category"] == URGENT_LABEL for r in made) or found_in.danger(values["findings"]):
        lines.append("紧急情况已通知本站点社工和管理员。")
    if reasons:
        lines.append("核查有变化，已提醒社工跟进。")
    if any(row["pending"] for _, row in saved):
        lines.append("新发现的人已记下，社工核实后会加入名单。")
    lines.append("30分钟内发来的现场照片会附到这条记录；记错了回「撤销」。")
    return "\n".join(lines)


def _requests_for(ctx: Ctx, values: dict, saved: list[tuple[int, dict]]) -> list[dict]:
    """The needs (and any danger) of a visit become help requests, once for the visit, for its first person."""
    text = values.get("needs") or ""
    words = found_in.danger(values["findings"])
    if words:
        alarm = next((c for c in found_in.clauses(values["findings"]) if found_in.danger(c)), values["findings"])
        text = f"{alarm}；{text}" if text and alarm not in text else (text or alarm)
    if not text:
        return []
    visit_id, row = saved[0]
    if len(saved) > 1:
        text = f"{text}（{'、'.join(r['name'] for _, r in saved)}）"
    return open_request_from_visit(ctx, visit_id, row, text)
