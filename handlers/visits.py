"""The visit features around the 走访 flow: recognising a visit by what a note says, 撤销, photos after a visit,
and the mandatory-report check that reads every text before it is routed. (名单, 本月, 查: handlers.roster.)"""

from __future__ import annotations

from datetime import date

from data import audit, conversations, menus, protection, recipients, visits
from data.db import transaction
from flows import engine, request_life
from flows import visit_notes as notes
from flows.context import Ctx
from flows.engine import Flow, Step
from flows.errors import Invalid
from flows.message import Message
from flows.parsers import format_date, parse_yes_no
from flows.visit import VISIT
from handlers.feature import Feature
from handlers.roster import short_date as _short_date

STAFF = ("worker", "director", "admin")
feature = Feature("visits")
feature.flow(VISIT)
MAX_PHOTOS = 9


# ---------------------------------------------------------------- a visit recognised by what it says

@feature.fallback
def recognise_visit(ctx: Ctx, text: str) -> str | None:
    """A worker's or director's note that names someone on their roster and says they went, called or saw them
    (前天去看了田家豪…, 记一下今天去了马晓燕家…) is a visit, one-shot. A name without such words, or such words
    without a name, may be a visit or a help request: one numbered question. Residents never get here."""
    if ctx.role not in STAFF or not recipients.may_see_any(ctx.person):
        return None
    pool = recipients.visible_recipients(ctx.db, ctx.person)
    reading = notes.read_preamble(text, pool, ctx.today)
    named = bool(reading.recipients or reading.unknown) or bool(notes.names_anywhere(text, pool))
    went = notes.looks_like_a_visit(text) or reading.mode is not None
    if named and went:
        menus.forget(ctx.db, ctx.person_id)
        return "\n".join(engine.start(VISIT, ctx, text))
    if not (named or went) or len(text) < 4:
        return None
    options = [{"label": "记一次走访", "flow": VISIT.name, "text": text},
               {"label": "提一个求助（需要别人帮忙办的事）", "flow": "request", "text": text}]
    menus.remember(ctx.db, ctx.person_id, options, ctx.now)
    return "这条是要：\n1. 记一次走访\n2. 提一个求助（需要别人帮忙办的事）\n请回编号。"


# ---------------------------------------------------------------- 撤销

def _undoable(ctx: Ctx, values: dict) -> int:
    visit = visits.undoable_visit(ctx.db, ctx.person["id"], ctx.now)
    return visit["id"] if visit else 0


def _ask_sure(ctx: Ctx, values: dict) -> str:
    visit = visits.get_visit(ctx.db, values["visit"])
    names = "、".join(v["recipient_name"] for v in visits.saved_together(ctx.db, visit))
    note = visit["findings"] if len(visit["findings"]) <= 40 else visit["findings"][:40] + "…"
    return (f"要撤销这条走访记录吗？\n{names} {_short_date(visit['visit_date'], ctx.today)}"
            f" {visit['mode']}：{note}\n回「是」撤销，回「否」保留。")


def _save_undo(ctx: Ctx, values: dict) -> str:
    if not values["visit"]:
        return "您24小时内没有可撤销的走访记录（只能撤销自己24小时内记的）。"
    if not values.get("sure"):
        return "好的，记录保留，没有撤销。"
    visit = visits.undoable_visit(ctx.db, ctx.person["id"], ctx.now)
    if visit is None or visit["id"] != values["visit"]:
        raise Invalid("这条记录已超过24小时或已撤销，没有改动。")
    together = visits.saved_together(ctx.db, visit)
    withdrawn, kept = [], []
    for one in together:
        if not visits.soft_delete(ctx.db, one["id"], ctx.now):
            raise Invalid("这条记录已超过24小时或已撤销，没有改动。")
        audit.record(ctx.db, ctx.now, ctx.openid, "visit_undone", f"recipient:{one['recipient_id']}",
                     {"visit": one["id"]})
        gone, stay = request_life.withdraw_from_visit(ctx.db, one["id"], ctx.person, ctx.now)
        withdrawn += gone
        kept += stay
    tail = ""
    if withdrawn:
        tail += f"\n由它转出的求助 {'、'.join(withdrawn)} 已一并撤回。"
    if kept:
        tail += f"\n求助 {'、'.join(kept)} 已有人在办，没有撤回；如需取消请联系社工。"
    names = "、".join(v["recipient_name"] for v in together)
    return f"已撤销：{names} {_short_date(visit['visit_date'], ctx.today)}的走访记录。{tail}"


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

def _report_about(ctx: Ctx, text: str) -> tuple[int | None, int | None]:
    """(the site whose staff must act, the person it is about): the recipient being visited or named in a
    staff member's note, else the sender's own site."""
    chosen: list[int] = []
    state = conversations.load(ctx.db, ctx.person_id)
    if state and state["flow"] == VISIT.name:
        chosen = [r["id"] for r in state["data"]["values"].get("recipients") or [] if r.get("id")]
    elif ctx.role in STAFF and recipients.may_see_any(ctx.person):
        pool = recipients.visible_recipients(ctx.db, ctx.person)
        mentions = notes.read_preamble(text, pool, ctx.today).recipients or notes.names_anywhere(text, pool)
        chosen = [group[0]["id"] for group in mentions if len(group) == 1]
    recipient = recipients.get_recipient(ctx.db, chosen[0]) if chosen else None
    if recipient:
        return recipient["site_id"], recipient["id"]
    return ctx.person.get("site_id"), None


@feature.observer
def check_protection(ctx: Ctx, text: str) -> str | None:
    words = protection.find_words(text)
    if not words:
        return None
    site_id, recipient_id = _report_about(ctx, text)
    with transaction(ctx.db):
        protection.raise_report(ctx.db, ctx.now, ctx.person, text, words, site_id, recipient_id)
    return protection.STAFF_NOTICE if ctx.role in STAFF else protection.SENDER_NOTICE

