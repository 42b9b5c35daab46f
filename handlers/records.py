"""The project's record by chat: 个案, 活动 and 小组 (flows.records), volunteer hours (时长, 我的时长), and the month
at a glance for staff (月报, 指标), computed by the same report the bureau downloads (data.report)."""

from __future__ import annotations

from datetime import timedelta

from data import report, volunteering
from data import requests as reqs
from data.record_rules import RecordError
from flows.context import Ctx
from flows.records import CASE, EVENT, SESSION, actor
from handlers.feature import Feature

STAFF = ("worker", "director", "admin")
TEAM = ("team_lead", "volunteer", "worker", "director", "admin")
feature = Feature("records")
for flow in (CASE, EVENT, SESSION):
    feature.flow(flow)


def _month(ctx: Ctx) -> dict:
    first = ctx.today.replace(day=1)
    site_ids = None if ctx.role == "admin" or not ctx.person.get("site_id") else [ctx.person["site_id"]]
    return report.build(ctx.db, first, ctx.today, ctx.tz, site_ids, month=first.strftime("%Y-%m"), today=ctx.today)


def _indicator_lines(built: dict) -> list[str]:
    lines = []
    for row in built["indicators"]:
        target = f"{row['target']}-{row['target_max']}" if row.get("target_max") else f"{row['target']}"
        lines.append(f"· {row['name']}：{row['actual']}/{target}{row['unit']}")
    return lines


@feature.command("指标", "指标进度", roles=STAFF, anytime=True, describe="指标：项目指标的进度")
def indicators(ctx: Ctx, rest: str) -> str:
    built = _month(ctx)
    if not built["indicators"]:
        return "还没有设置项目指标，请联系管理员（laoxiao project）。"
    return "\n".join([f"截至{ctx.today.month}月{ctx.today.day}日的指标进度（累计/目标）：", *_indicator_lines(built),
                      "完整报表请在网页后台下载。"])


@feature.command("月报", "本月小结", roles=STAFF, anytime=True, describe="月报：本月工作小结（走访、求助、个案、活动）")
def monthly(ctx: Ctx, rest: str) -> str:
    built = _month(ctx)
    visits, asks, cases = built["visits"], built["requests"], built["cases"]
    coverage = f"{round(100 * visits['coverage'])}%" if visits.get("coverage") is not None else "—"
    lines = [f"{ctx.today.month}月工作小结（截至{ctx.today.day}日，{built['site']}）：",
             f"走访{visits['total']}次，上门见到{visits['in_person']}次；持续关爱对象上门覆盖"
             f"{visits['ongoing_seen']}/{visits['ongoing_recipients']}人（{coverage}）。",
             f"求助{asks['total']}件，办完{asks['done']}件，在办{asks['open']}件。",
             f"个案在办{cases['open']}个（超过30天没跟进的{cases['overdue']}个）。",
             f"小组活动{built['groups']['sessions_in_period']}次，社区活动{len(built['events']['items'])}场。"]
    lines.append(f"月报请在电脑上下载：网页后台「报告」，或 laoxiao report --month {ctx.today:%Y-%m}。")
    return "\n".join(lines)


@feature.command("我的时长", "志愿时长", roles=TEAM, anytime=True, describe="我的时长：我做志愿服务的累计时长")
def my_hours(ctx: Ctx, rest: str) -> str:
    mine = volunteering.hours_of_person(ctx.db, ctx.person["id"])
    if not mine["services"]:
        return "还没有您的志愿服务时长记录。办完一个求助后，回「时长 编号 2小时」就能记上。"
    lines = [f"您的志愿服务累计{mine['hours']:g}小时，共{mine['services']}次："]
    lines += [f"· {m['month']}：{m['hours']:g}小时（{m['services']}次）" for m in mine["months"][:6]]
    return "\n".join(lines)


@feature.command("时长", "记时长", roles=TEAM, others="ignore", glued=r"\s*[Rr]\d",
                 describe="时长 编号 2小时：记下为一个求助做志愿服务的时长")
def record_hours(ctx: Ctx, rest: str) -> str:
    found = reqs.find_request_number(rest)
    if not found:
        return "请写上求助编号和时长，例如「时长 R1203-07 2小时」。"
    number, after = found
    request = reqs.get_by_number(ctx.db, number)
    if request is None:
        return f"没有找到求助 {number}，请核对编号。"
    when = ctx.today - timedelta(days=1) if "昨天" in after else ctx.today
    try:
        volunteering.record_hours(ctx.db, name=ctx.person.get("name") or "志愿者", person_id=ctx.person["id"],
                                  day=when, hours=after.replace("昨天", "").strip() or "", by=actor(ctx),
                                  now=ctx.now, today=ctx.today, request_id=request["id"])
    except RecordError as exc:
        return f"{exc}。例如「时长 {number} 2小时」。"
    total = volunteering.hours_of_person(ctx.db, ctx.person["id"])["hours"]
    return f"✅ 已记下为 {number} 服务的时长。您累计志愿服务{total:g}小时，发「我的时长」看明细。"
