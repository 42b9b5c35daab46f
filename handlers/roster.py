"""Look-ups over the people staff visit: 名单, 本月, 查 姓名, and the newly found (新发现, 确认 姓名).

Coverage everywhere follows data.coverage: seen in person within the period of each person's level (重点 a week,
一般 a month, 稳定 a quarter); phone and video contacts and visits that found nobody are shown, never counted.
"""

from __future__ import annotations

from datetime import date

from pypinyin import lazy_pinyin

from data import audit, coverage, people, protection, recipients, visits
from data.db import transaction
from flows.context import Ctx
from flows.parsers import mask_phone
from flows.words import clean, numbered
from handlers.feature import Feature

STAFF = ("worker", "director", "admin")
feature = Feature("roster")
_ALL = ("全部", "所有", "全部的")
_LEVEL_MARK = {"重点": "（重点·每周）", "一般": "", "稳定": "（稳定·每季）"}


def short_date(iso_date: str | None, today: date) -> str:
    if not iso_date:
        return ""
    day = date.fromisoformat(iso_date)
    return f"{day.month}月{day.day}日" if day.year == today.year else f"{day.year}年{day.month}月{day.day}日"


def my_recipients(ctx: Ctx) -> tuple[list[dict], list[dict]]:
    """(the ones this person is responsible for, the others they may see); everyone seen when none is theirs."""
    seen = [r for r in recipients.visible_recipients(ctx.db, ctx.person) if not r["pending"]]
    mine = [r for r in seen if r["responsible_id"] == ctx.person["id"]]
    if not mine:
        return seen, []
    return mine, [r for r in seen if r["responsible_id"] != ctx.person["id"]]


def _mark(standing: coverage.Standing, today: date) -> tuple[str, str]:
    """(the mark, what it says) for one person: ✅ seen this period, ☎ only called, 🚪 not found at home, ⭕ due."""
    if standing.seen:
        return "✅", f"上次上门{short_date(standing.last_seen, today)}"
    if standing.last_contact and standing.last_contact >= standing.period[0].isoformat():
        if standing.contact_mode not in visits.IN_PERSON_MODES:
            return "☎", f"{short_date(standing.last_contact, today)}{standing.contact_mode}联系过，还要上门"
        return "🚪", f"{short_date(standing.last_contact, today)}去了但{visits.OUTCOMES[standing.contact_outcome]}"
    if standing.last_seen:
        return "⭕", f"上次上门{short_date(standing.last_seen, today)}"
    return "⭕", "还没上门见过"


@feature.command("名单", "我的名单", "花名册", roles=STAFF, anytime=True,
                 describe="名单：我负责的服务对象和这一期的上门情况")
def roster(ctx: Ctx, rest: str) -> str:
    mine, others = my_recipients(ctx)
    everyone = clean(rest) in _ALL
    listed = sorted(mine + others if everyone else mine, key=lambda r: lazy_pinyin(r["name"]))
    if not listed:
        return "您的名单里还没有服务对象。请联系管理员用「laoxiao import recipients」导入名单。"
    standings = coverage.standings(ctx.db, listed, ctx.today)
    done = sum(s.seen for s in standings)
    lines = [f"服务对象共{len(listed)}人，这一期已上门见到{done}人"
             "（✅已上门见到 ☎只电话/视频 🚪去了没见到 ⭕待上门 ★持续关爱）："]
    for number, standing in enumerate(standings, 1):
        r = standing.recipient
        mark, said = _mark(standing, ctx.today)
        star = "★" if r["ongoing_care"] else ""
        kinds = "、".join(recipients.categories_of(r)[:2])
        lines.append(f"{number}. {mark}{star}{r['name']}{_LEVEL_MARK.get(r['level'], '')} {kinds} {said}")
    if others and not everyone:
        lines.append(f"本站点另有{len(others)}人由别人负责，发「名单 全部」查看。")
    pending = _pending(ctx)
    if pending:
        lines.append(f"另有{len(pending)}位新发现的待核实，发「新发现」查看。")
    lines.append("重点每周、一般每月、稳定每季度至少上门见到一次；电话和视频会记下，但不算上门。")
    lines.append("发「查 姓名」看详情，「本月」看覆盖。")
    return "\n".join(lines)


@feature.command("本月", "本月走访", "覆盖率", roles=STAFF, anytime=True,
                 describe="本月：这一期的上门覆盖情况（社工看本站点每位儿童主任的）")
def coverage_now(ctx: Ctx, rest: str) -> str:
    if ctx.role == "worker":
        pool = [r for r in recipients.visible_recipients(ctx.db, ctx.person) if not r["pending"]]
    else:
        pool = my_recipients(ctx)[0]
    if not pool:
        return "您的名单里还没有服务对象。"
    first, last = ctx.today.replace(day=1), ctx.today
    standings = coverage.standings(ctx.db, pool, ctx.today)
    seen = [s for s in standings if s.seen]
    share = round(100 * len(seen) / len(standings))
    figures = coverage.counts(ctx.db, [r["id"] for r in pool], first, last)
    where = "本站点" if ctx.role == "worker" else "您负责的"
    lines = [f"{ctx.today.month}月{where}服务对象{len(pool)}人，这一期已上门见到{len(seen)}人（{share}%）。",
             f"本月走访{figures['all']}次：上门见到{figures['counting']}次，电话/视频{figures['remote']}次，"
             f"去了没见到{figures['not_met']}次。"]
    if ctx.role == "worker":
        lines += _by_responsible(ctx, standings)
    left = [s.recipient["name"] for s in standings if not s.seen]
    if left:
        lines.append(f"还没上门见到（{len(left)}人）：{'、'.join(left[:30])}{'等' if len(left) > 30 else ''}")
    else:
        lines.append("全部上门见到了，辛苦了！")
    return "\n".join(lines)


def _by_responsible(ctx: Ctx, standings: list[coverage.Standing]) -> list[str]:
    """A worker sees each child director's (and their own) coverage at the site."""
    groups: dict[int | None, list[coverage.Standing]] = {}
    for standing in standings:
        groups.setdefault(standing.recipient["responsible_id"], []).append(standing)
    lines = ["按负责人："]
    for person_id, group in groups.items():
        person = people.get_person_by_id(ctx.db, person_id) if person_id else None
        who = (person or {}).get("name") or "未指定负责人"
        lines.append(f"· {who}：{sum(s.seen for s in group)}/{len(group)}人已上门见到")
    return lines


@feature.command("查", "查询", "查看", roles=STAFF, describe="查 姓名：某位服务对象的近况和最近3次走访")
def look_up(ctx: Ctx, rest: str) -> str:
    name = clean(rest)
    if not name:
        return "请在「查」后面加姓名，比如「查 王秀兰」。"
    found = recipients.best_matches(name, recipients.visible_recipients(ctx.db, ctx.person))
    if not found:
        return f"您的名单里没有「{name}」。发「名单」查看您负责的人。"
    if len(found) > 1:
        labels = [recipients.describe(r, ctx.today, with_site=ctx.role == "admin") for r in found[:6]]
        return f"有几位可能是您说的：\n{numbered(labels)}\n请发「查 全名」。"
    return _profile(ctx, found[0])


def _profile(ctx: Ctx, r: dict) -> str:
    audit.record(ctx.db, ctx.now, ctx.openid, "recipient_viewed", f"recipient:{r['id']}")
    kinds = "、".join(recipients.categories_of(r))
    flags = [f for f, on in (("★持续关爱", r["ongoing_care"]), ("领取基本生活费", r["allowance"])) if on]
    lines = [f"{recipients.describe(r, ctx.today)} {recipients.KINDS[r['kind']]}｜{r['site_name']}"
             + ("｜🆕新发现待核实" if r["pending"] else ""),
             f"类别：{kinds or '未填'}" + (f"｜{'｜'.join(flags)}" if flags else ""),
             f"走访等级：{r['level']}（{coverage.LEVEL_WORDS[r['level']]}上门一次）",
             f"负责人：{r['responsible_name'] or '未指定'}"]
    if r["phone"]:
        lines.append(f"电话：{mask_phone(r['phone'])}")
    if r["guardian"]:
        lines.append(f"{'监护人' if r['kind'] == 'child' else '家属'}：{recipients.mask_phones(r['guardian'])}")
    if r.get("consent"):
        lines.append(f"知情同意：{r['consent']}")
    elif recipients.lacks_guardian_consent(r, ctx.today):
        lines.append("⚠️ 未登记监护人知情同意（未满14岁须监护人同意建档），请补上。")
    open_reports = [p for p in protection.open_reports(ctx.db, r["site_id"]) if p.get("recipient_id") == r["id"]]
    if open_reports:
        lines.append(f"⚠️ 有{len(open_reports)}条强制报告还没处理完。")
    recent = visits.recent_for_recipient(ctx.db, r["id"], 3)
    if not recent:
        lines.append("还没有走访记录。发「走访 姓名 今天 上门 情况」记一次。")
    else:
        lines.append("最近走访：")
        for v in recent:
            note = v["findings"] if len(v["findings"]) <= 60 else v["findings"][:60] + "…"
            extra = f"；需求：{v['needs']}" if v["needs"] else ""
            extra += "；⚠️需跟进" if v["flagged"] else ""
            extra += f"；照片{v['photos']}张" if v["photos"] else ""
            outcome = "" if v["outcome"] == "met" else f"，{visits.OUTCOMES[v['outcome']]}"
            when = short_date(v["visit_date"], ctx.today)
            lines.append(f"· {when} {v['mode']}{outcome}（{v['visitor_name'] or ''}）：{note}{extra}")
    return "\n".join(lines)


# ---------------------------------------------------------------- people found on a visit

def _pending(ctx: Ctx) -> list[dict]:
    return [r for r in recipients.visible_recipients(ctx.db, ctx.person) if r["pending"]]


@feature.command("新发现", "待核实", roles=STAFF, anytime=True, describe="新发现：走访时发现、还没进名单的人")
def newly_found(ctx: Ctx, rest: str) -> str:
    pending = _pending(ctx)
    if not pending:
        return "现在没有待核实的新发现。"
    lines = [f"新发现待核实（{len(pending)}人）："]
    for number, r in enumerate(pending, 1):
        recent = visits.recent_for_recipient(ctx.db, r["id"], 1)
        said = f"：{recent[0]['findings'][:40]}" if recent else ""
        lines.append(f"{number}. {r['name']}（{recipients.KINDS[r['kind']]}，{r['responsible_name'] or ''}记录）{said}")
    lines.append("核实后回「核实 姓名」加入名单；出生日期、类别等请在名单表里补全后重新导入。")
    return "\n".join(lines)


@feature.command("核实", "加入名单", roles=("worker", "admin"), others="ignore",
                 glued=r"\s*[\u4e00-\u9fff]{2,4}", denied="新发现的人由社工核实后加入名单。")
def confirm_found(ctx: Ctx, rest: str) -> str:
    name = clean(rest)
    matches = recipients.best_matches(name, _pending(ctx)) if name else []
    if not matches:
        return f"没有叫「{name}」的待核实新发现。发「新发现」看名单。" if name else "请写上姓名，例如「核实 马小龙」。"
    if len(matches) > 1:
        return "有几位同名的待核实，请在网页后台或名单表里处理。"
    person = matches[0]
    with transaction(ctx.db):
        recipients.confirm_pending(ctx.db, person["id"], ctx.now)
        audit.record(ctx.db, ctx.now, ctx.openid, "recipient_confirmed", f"recipient:{person['id']}")
    who = person["responsible_name"] or "未指定"
    return f"已核实：{person['name']}加入名单（{person['site_name']}），负责人{who}。"
