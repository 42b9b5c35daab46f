"""The report (data.report.build) as JSON (stable English keys, for programs), Markdown (to read and paste into the
monthly summary) and Excel (one sheet per section, Chinese headers)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, BinaryIO

from data.cases import STAGES
from data.events import PARTNERS
from data.requests import STATUSES

FORMATS = ("md", "xlsx", "json")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def title(report: dict) -> str:
    if report["month"]:
        year, month = report["month"].split("-")
        when = f"{year}年{int(month)}月"
    else:
        when = f"{report['from']} 至 {report['to']}"
    return f"月度工作总结 {when}（{report['site']}）" if report["month"] else f"工作总结 {when}（{report['site']}）"


def to_json(report: dict) -> str:
    return json.dumps(report, ensure_ascii=False, indent=1) + "\n"


# ---------------------------------------------------------------- the tables every format shares

def tables(report: dict) -> list[tuple[str, list[str], list[list[Any]]]]:
    """(sheet title, headers, rows) for each section, in the report's order."""
    names = {p["code"]: p["label"] for p in report["projects"]}
    visits, requests, cases = report["visits"], report["requests"], report["cases"]
    return [
        ("指标进度", ["项目", "指标", "目标", "累计完成", "本期", "单位", "完成率"],
         [[names[i["project"]], i["name"], _target(i), i["actual"], i["in_period"], i["unit"],
           percent(i["actual"] / i["target"] if i["target"] else None)] for i in report["indicators"]]),
        ("走访覆盖", ["站点", "走访次数", "上门见到本人", "持续关爱对象", "本期上门见到", "覆盖率"],
         [[s["site"], s["visits"], s["in_person"], s["ongoing_recipients"], s["ongoing_seen"], percent(s["coverage"])]
          for s in visits["by_site"]]
         + [["合计", visits["total"], visits["in_person"], visits["ongoing_recipients"], visits["ongoing_seen"],
             percent(visits["coverage"])]]),
        ("个案", ["项目", "数量"],
         [["在办", cases["open"]], ["本期接案", cases["opened"]], ["本期结案", cases["closed"]],
          ["超过30天未跟进", cases["overdue"]], ["本期服务记录", cases["notes"]]]
         + [[f"处于「{stage}」阶段", cases["by_stage"][stage]] for stage in STAGES]),
        ("小组", ["小组", "类型", "站点", "开始日期", "组员", "累计活动", "本期活动", "本期出席人次", "达标"],
         [[g["name"], g["type"], g["site"], g["started_on"], g["members"], g["sessions"], g["sessions_in_period"],
           g["attendance_in_period"], "是" if g["qualifies"] else "否"] for g in report["groups"]["items"]]),
        ("社区活动", ["日期", "活动", "类型", "站点", "地点", "参与人数", "五社参与", "志愿者", "志愿时长",
                  "捐款（元）", "捐赠物资"],
         [[e["day"], e["title"], e["type"], e["site"], e["place"], e["participants"], "、".join(e["partners"]),
           e["volunteers"], e["volunteer_hours"], e["money"], e["goods"]] for e in report["events"]["items"]]),
        ("求助服务", ["类别", "求助数", "已完成", "处理中", "接单用时中位数（小时）", "完成用时中位数（小时）"],
         [[c["category"], c["total"], c["done"], c["open"], _num(c["median_hours_to_accept"]),
           _num(c["median_hours_to_finish"])] for c in requests["by_category"]]
         + [["合计", requests["total"], requests["done"], requests["open"], _num(requests["median_hours_to_accept"]),
             _num(requests["median_hours_to_finish"])]]),
        ("志愿服务", ["志愿者", "服务次数", "服务时长（小时）"],
         [[v["name"], v["services"], v["hours"]] for v in report["volunteers"]["by_volunteer"]]
         + [["合计", report["volunteers"]["services"], report["volunteers"]["hours"]]]),
        ("强制报告", ["项目", "数量"],
         [["本期新发生", report["protection"]["raised"]], ["本期已处置", report["protection"]["handled"]],
          ["期末仍未处置", report["protection"]["open"]]]),
        ("工作亮点", ["内容"], [[line] for line in report["highlights"]]),
        ("下月计划", ["内容"], [[line] for line in report["next_month"]]),
    ]


def _target(indicator: dict) -> str:
    if indicator["target"] is None:
        return "待调研确定"
    if indicator.get("target_max"):
        return f"{indicator['target']}-{indicator['target_max']}"
    return str(indicator["target"])


# ---------------------------------------------------------------- Markdown

def to_markdown(report: dict) -> str:
    lines = [f"# {title(report)}", "", f"统计期：{report['from']} 至 {report['to']}"]
    for project in report["projects"]:
        lines.append(f"{project['label']}：{project['name']}，项目期 {project['start_date']} 至 {project['end_date']}，"
                     f"预算 {project['budget'] / 10000:g} 万元")
    visits, requests, events = report["visits"], report["requests"], report["events"]
    intro = {
        "走访覆盖": [f"走访记录 {visits['total']} 次：上门见到本人 {visits['in_person']} 次，"
                 f"电话或视频 {visits['remote']} 次，上门未见到 {visits['not_met']} 次；"
                 f"上门见到的服务对象 {visits['recipients_visited']} 人。",
                 f"持续关爱对象 {visits['ongoing_recipients']} 人，本期上门见到 {visits['ongoing_seen']} 人，"
                 f"覆盖率 {percent(visits['coverage'])}（只计上门或到校且见到本人的走访）。"],
        "小组": [f"小组 {report['groups']['count']} 个，达标（组员≥8人、活动≥4次）{report['groups']['qualifying']} 个，"
               f"本期活动 {report['groups']['sessions_in_period']} 次。"],
        "社区活动": [f"本期活动 {events['count']} 场（计入指标 {events['counted']} 场），"
                 f"参与 {events['participants']} 人次，志愿服务 {events['volunteer_hours']:g} 小时，"
                 f"捐款 {events['money']:g} 元。",
                 "五社参与：" + "，".join(f"{p} {events['partners'][p]} 场" for p in PARTNERS) + "。"],
        "求助服务": [f"本期求助 {requests['total']} 件，已完成 {requests['done']} 件，仍在处理 {requests['open']} 件；"
                 f"接单用时中位数 {_num(requests['median_hours_to_accept'])} 小时，"
                 f"完成用时中位数 {_num(requests['median_hours_to_finish'])} 小时；"
                 f"评价满意 {requests['feedback']['satisfied']} 件，不满意 {requests['feedback']['unsatisfied']} 件。",
                 "状态：" + "，".join(f"{STATUSES[s]} {n}" for s, n in requests["by_status"].items() if n) + "。"
                 if requests["total"] else ""],
        "志愿服务": [f"志愿者 {report['volunteers']['people']} 人，服务 {report['volunteers']['services']} 次，"
                 f"共 {report['volunteers']['hours']:g} 小时。"],
    }
    numerals = "一二三四五六七八九十"
    for index, (name, headers, rows) in enumerate(tables(report)):
        lines += ["", f"## {numerals[index]}、{name}", ""]
        lines += [line for line in intro.get(name, []) if line]
        if name in ("工作亮点", "下月计划"):
            lines += [f"- {row[0]}" for row in rows] or ["（无）"]
            continue
        if intro.get(name):
            lines.append("")
        if not rows:
            lines.append("（无）")
            continue
        lines.append("| " + " | ".join(headers) + " |")
        lines.append("|" + "---|" * len(headers))
        lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    return _num(value).replace("|", "／").replace("\n", " ")


# ---------------------------------------------------------------- Excel

def write_xlsx(report: dict, out: str | Path | BinaryIO) -> None:
    """One sheet per section. Text cells are stored as text, never as formulas, whatever they start with."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for name, headers, rows in tables(report):
        sheet = book.create_sheet(name)
        sheet.freeze_panes = "A2"
        for index, header in enumerate(headers):
            sheet.column_dimensions[chr(ord("A") + index)].width = max(10, len(header) * 2 + 2)
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(sheet, value=header)
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in rows:
            sheet.append([_xlsx_cell(sheet, value) for value in row])
    if isinstance(out, str | Path):
        Path(out).parent.mkdir(parents=True, exist_ok=True)
    book.save(out)


def _xlsx_cell(sheet, value: Any):
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=_ILLEGAL.sub("", value))
        cell.data_type = "s"
        return cell
    return value
