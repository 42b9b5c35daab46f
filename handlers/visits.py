"""The visit features around the 走访 flow: 名单, 本月, 查, 撤销, photos after a visit, and the
mandatory-report check that reads every text before it is routed."""

from __future__ import annotations

from datetime import date

from pypinyin import lazy_pinyin

from data import audit, conversations, protection, recipients, visits
from data.db import transaction
from data.masking import mask_text
from flows import engine, request_life
from flows.context import Ctx
from flows.engine import Flow, Step
from flows.errors import Invalid
from flows.message import Message
from flows.parsers import format_date, mask_phone, parse_yes_no
from flows.visit import VISIT
from flows.words import clean, numbered
from handlers.feature import Feature

STAFF = ("worker", "director", "admin")
feature = Feature("visits")
feature.flow(VISIT)
MAX_PHOTOS = 9
_ALL = ("全部", "所有", "全部的")


def _month(ctx: Ctx) -> str:
    return ctx.today.strftime("%Y-%m")


def _short_date(iso_date: str | None, today: date) -> str:
    if not iso_date:
        return ""
    day = date.fromisoformat(iso_date)
    return f"{day.month}月{day.day}日" if day.year == today.year else f"{day.year}年{day.month}月{day.day}日"


def my_recipients(ctx: Ctx) -> tuple[list[dict], list[dict]]:
    """(the ones this person is responsible for, the others they may see); everyone seen when none is theirs."""
    seen = recipients.visible_recipients(ctx.db, ctx.person)
    mine = [r for r in seen if r["responsible_id"] == ctx.person["id"]]
    if not mine:
        return seen, []
    return mine, [r for r in seen if r["responsible_id"] != ctx.person["id"]]


# ---------------------------------------------------------------- 名单

@feature.command("名单", "我的名单", "花名册", roles=STAFF, anytime=True,
                 describe="名单：我负责的服务对象和本月走访情况")
def roster(ctx: Ctx, rest: str) -> str:
    mine, others = my_recipients(ctx)
    everyone = clean(rest) in _ALL
    listed = sorted(mine + others if everyone else mine, key=lambda r: lazy_pinyin(r["name"]))
    if not listed:
        return "您的名单里还没有服务对象。请联系管理员用「laoxiao import recipients」导入名单。"
    ids = [r["id"] for r in listed]
    last = visits.last_visit_dates(ctx.db, ids)
    done = visits.visited_in_month(ctx.db, ids, _month(ctx))
    lines = [f"服务对象共{len(listed)}人，本月已走访{len(done)}人（✅本月已访 ⭕未访 ★持续关爱）："]
    for number, r in enumerate(listed, 1):
        mark = "✅" if r["id"] in done else "⭕"
        star = "★" if r["ongoing_care"] else ""
        kinds = "、".join(recipients.categories_of(r)[:2])
        seen = f"上次{_short_date(last[r['id']], ctx.today)}" if r["id"] in last else "还没走访过"
        lines.append(f"{number}. {mark}{star}{r['name']} {kinds} {seen}")
    if others and not everyone:
        lines.append(f"本站点另有{len(others)}人由别人负责，发「名单 全部」查看。")
    lines.append("发「查 姓名」看详情，「本月」看走访覆盖。")
    return "\n".join(lines)


# ---------------------------------------------------------------- 本月

@feature.command("本月", "本月走访", "覆盖率", roles=STAFF, anytime=True, describe="本月：我这个月的走访覆盖情况")
def coverage(ctx: Ctx, rest: str) -> str:
    mine, _ = my_recipients(ctx)
    if not mine:
        return "您的名单里还没有服务对象。"
    ongoing = [r for r in mine if r["ongoing_care"]]
    base, who = (ongoing, "持续关爱对象") if ongoing else (mine, "服务对象")
    done = visits.visited_in_month(ctx.db, [r["id"] for r in base], _month(ctx))
    left = [r["name"] for r in base if r["id"] not in done]
    share = round(100 * len(done) / len(base))
    lines = [f"{ctx.today.month}月走访覆盖：{who}{len(base)}人，已走访{len(done)}人（{share}%）。"]
    if left:
        shown = "、".join(left[:30]) + ("等" if len(left) > 30 else "")
        lines.append(f"还没走访（{len(left)}人）：{shown}")
    else:
        lines.append("全部走访到了，辛苦了！")
    count = ctx.db.conn.execute(
        "SELECT COUNT(*) FROM visits WHERE visitor_id = ? AND deleted_at IS NULL AND visit_date BETWEEN ? AND ?",
        [ctx.person["id"], *visits.month_bounds(_month(ctx))]).fetchone()[0]
    lines.append(f"本月您共记录走访{count}次。")
    return "\n".join(lines)


# ---------------------------------------------------------------- 查 姓名

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
    lines = [f"{recipients.describe(r, ctx.today)} {recipients.KINDS[r['kind']]}｜{r['site_name']}",
             f"类别：{kinds or '未填'}" + (f"｜{'｜'.join(flags)}" if flags else ""),
             f"负责人：{r['responsible_name'] or '未指定'}"]
    if r["phone"]:
        lines.append(f"电话：{mask_phone(r['phone'])}")
    if r["guardian"]:
        lines.append(f"{'监护人' if r['kind'] == 'child' else '家属'}：{mask_text(r['guardian'])}")
    if r.get("consent"):
        lines.append(f"知情同意：{r['consent']}")
    elif recipients.lacks_guardian_consent(r, ctx.today):
        lines.append("⚠️ 未登记监护人知情同意（未满14岁须监护人同意建档），请补上。")
    recent = visits.recent_for_recipient(ctx.db, r["id"], 3)
    if not recent:
        lines.append("还没有走访记录。发「走访 姓名 今天 上门 情况」记一次。")
    else:
        lines.append("最近走访：")
        for v in recent:
            findings = mask_text(v["findings"])
            note = findings if len(findings) <= 60 else findings[:60] + "…"
            extra = f"；需求：{mask_text(v['needs'])}" if v["needs"] else ""
            extra += "；⚠️需跟进" if v["flagged"] else ""
            extra += f"；照片{v['photos']}张" if v["photos"] else ""
            lines.append(f"· {_short_date(v['visit_date'], ctx.today)} {v['mode']}（{v['visitor_name'] or ''}）："
                         f"{note}{extra}")
    return "\n".join(lines)


# ---------------------------------------------------------------- 撤销

def _undoable(ctx: Ctx, values: dict) -> int:
    visit = visits.undoable_visit(ctx.db, ctx.person["id"], ctx.now)
    return visit["id"] if visit else 0


def _ask_sure(ctx: Ctx, values: dict) -> str:
    visit = visits.get_visit(ctx.db, values["visit"])
    note = visit["findings"] if len(visit["findings"]) <= 40 else visit["findings"][:40] + "…"
    return (f"要撤销这条走访记录吗？\n{visit['recipient_name']} {_short_date(visit['visit_date'], ctx.today)}"
            f" {visit['mode']}：{note}\n回「是」撤销，回「否」保留。")


def _save_undo(ctx: Ctx, values: dict) -> str:
    if not values["visit"]:
        return "您24小时内没有可撤销的走访记录（只能撤销自己24小时内记的）。"
    if not values.get("sure"):
        return "好的，记录保留，没有撤销。"
    visit = visits.undoable_visit(ctx.db, ctx.person["id"], ctx.now)
    if visit is None or visit["id"] != values["visit"] or not visits.soft_delete(ctx.db, visit["id"], ctx.now):
        raise Invalid("这条记录已超过24小时或已撤销，没有改动。")
    audit.record(ctx.db, ctx.now, ctx.openid, "visit_undone", f"recipient:{visit['recipient_id']}",
                 {"visit": visit["id"]})
    withdrawn, kept = request_life.withdraw_from_visit(ctx.db, visit["id"], ctx.person, ctx.now)
    tail = ""
    if withdrawn:
        tail += f"\n由它转出的求助 {'、'.join(withdrawn)} 已一并撤回。"
    if kept:
        tail += f"\n求助 {'、'.join(kept)} 已有人在办，没有撤回；如需取消请联系社工。"
    return f"已撤销：{visit['recipient_name']} {_short_date(visit['visit_date'], ctx.today)}的走访记录。{tail}"


UNDO = feature.flow(Flow(
    name="visit_undo",
    title="撤销走访",
    triggers=("撤销", "撤回走访"),
    roles=STAFF,
    steps=(
        Step("visit", "记录", ask="要撤销哪条记录？", parse=lambda text, ctx, values: 0, default=_undoable),
        Step("sure", "确认", ask=_ask_sure, parse=lambda text, ctx, values: parse_yes_no(text),
             when=lambda values: bool(values.get("visit"))),
    ),
    save=_save_undo,
    confirm=False,
    describe="撤销：撤回自己24小时内记的上一条走访",
    draftable=False,
))


# ---------------------------------------------------------------- photos

@feature.on_media
def attach_photo(ctx: Ctx, msg: Message) -> str | None:
    """A photo from staff goes with the visit being recorded, or the one saved in the last 30 minutes."""
    if msg.kind != "image" or not recipients.may_see_any(ctx.person):
        return None
    photo = {"media_id": msg.media_id, "pic_url": msg.pic_url}
    state = conversations.load(ctx.db, ctx.person_id)
    if state and state["flow"] == VISIT.name and state["step"] != engine.SAVED and state["expires_at"] > ctx.now:
        kept = state["data"].setdefault("attachments", [])
        if len(kept) >= MAX_PHOTOS:
            return f"一条走访最多附{MAX_PHOTOS}张照片。"
        kept.append(photo)
        conversations.save(ctx.db, ctx.person_id, state["flow"], state["step"], state["version"], state["data"],
                           ctx.now, engine.IDLE)
        return f"📷 照片收到（第{len(kept)}张），保存走访记录时一起附上。请接着回答上面的问题。"
    visit = visits.last_visit_by(ctx.db, ctx.person["id"], ctx.now - visits.PHOTO_WINDOW)
    if visit is None:
        return "收到图片。走访照片请在保存走访记录后30分钟内发来，会自动附到那条记录。"
    count = len(visits.photos(ctx.db, visit["id"]))
    if count >= MAX_PHOTOS:
        return f"这条走访已经有{MAX_PHOTOS}张照片了。"
    visits.add_photo(ctx.db, visit["id"], msg.media_id, msg.pic_url, ctx.now)
    day = format_date(date.fromisoformat(visit["visit_date"]), ctx.today)
    return f"📷 照片已附到{visit['recipient_name']} {day}的走访记录（共{count + 1}张）。"




# ---------------------------------------------------------------- mandatory report

def _report_site(ctx: Ctx) -> int | None:
    """The site whose staff must act: the recipient being visited, else the sender's own site."""
    state = conversations.load(ctx.db, ctx.person_id)
    if state and state["flow"] == VISIT.name:
        chosen = state["data"]["values"].get("recipient")
        recipient = recipients.get_recipient(ctx.db, chosen["id"]) if chosen else None
        if recipient:
            return recipient["site_id"]
    return ctx.person.get("site_id")


@feature.observer
def check_protection(ctx: Ctx, text: str) -> str | None:
    words = protection.find_words(text)
    if not words:
        return None
    with transaction(ctx.db):
        protection.raise_report(ctx.db, ctx.now, ctx.person, text, words, _report_site(ctx))
    return protection.STAFF_NOTICE if ctx.role in STAFF else protection.SENDER_NOTICE

