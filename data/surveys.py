"""The needs survey (需求调研): when, how, how many people answered, where the report is kept, and the list of
needs found (服务需求清单).

Each need carries how many volunteer services are planned to answer it (default 1) and, optionally, the request
category that answers it: their sum is the target of the "volunteer services answer needs" indicator
(实施方案 四(一)7: 指标根据需求调研结果定量), see data.indicators.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlite_utils import Database

from data import audit
from data.categories import LABELS
from data.clock import iso
from data.db import first, transaction
from data.record_rules import Actor, RecordError, day_of, one_of, text_of, whole_number

PROJECTS = ("elder", "child")


def record_survey(db: Database, project: str, *, day: str | date, method: str, needs: list[dict | str],
                  by: Actor, now: datetime, today: date, site_id: int | None = None, respondents: int | str = 0,
                  report_file: str = "", summary: str = "") -> int:
    """A survey with its needs list (at least one need); returns its id. The same survey again (project, date,
    method) adds the needs not yet listed and returns the first id."""
    project = one_of(project, PROJECTS, "项目")
    day = day_of(day, today, "调研日期")
    method = text_of(method, "调研方式", limit=60)
    count = whole_number(respondents, "调研人数", 0, 100_000, default=0)
    report_file = text_of(report_file, "调研报告", required=False, limit=300)
    summary = text_of(summary, "调研小结", required=False)
    listed = [_need(n) for n in needs]
    if not listed:
        raise RecordError("请至少列出一项服务需求")
    with transaction(db):
        existing = first(db, "SELECT id FROM needs_surveys WHERE project = ? AND day = ? AND method = ?",
                         [project, day, method])
        if existing:
            survey_id = existing["id"]
        else:
            survey_id = db.conn.execute(
                "INSERT INTO needs_surveys (project, site_id, day, method, respondents, report_file, summary,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [project, site_id, day, method, count, report_file, summary, iso(now)]).lastrowid
            audit.record(db, now, by.label, "survey_record", f"survey:{survey_id}", {"project": project})
        for need in listed:
            db.conn.execute("INSERT OR IGNORE INTO survey_needs (survey_id, need, category, target)"
                            " VALUES (?, ?, ?, ?)", [survey_id, need["need"], need["category"], need["target"]])
    return survey_id


def _need(raw: dict | str) -> dict:
    item = {"need": raw} if isinstance(raw, str) else dict(raw)
    category = (item.get("category") or "").strip() or None
    if category is not None:
        category = one_of(category, LABELS, "需求类别")
    return {"need": text_of(item.get("need"), "需求", limit=100), "category": category,
            "target": whole_number(item.get("target"), "计划回应次数", 1, 10_000, default=1)}


def set_report_file(db: Database, survey_id: int, report_file: str, *, by: Actor, now: datetime) -> None:
    report_file = text_of(report_file, "调研报告", limit=300)
    if db.conn.execute("UPDATE needs_surveys SET report_file = ? WHERE id = ?", [report_file, survey_id]).rowcount != 1:
        raise RecordError("找不到这次调研")
    audit.record(db, now, by.label, "survey_report", f"survey:{survey_id}", None)


def list_surveys(db: Database, project: str | None = None) -> list[dict]:
    where, params = ("WHERE s.project = ?", [project]) if project else ("", [])
    return list(db.query(
        "SELECT s.*, (SELECT COUNT(*) FROM survey_needs n WHERE n.survey_id = s.id) AS needs,"
        " (SELECT name FROM sites WHERE id = s.site_id) AS site_name"
        f" FROM needs_surveys s {where} ORDER BY s.day DESC, s.id DESC", params))


def needs_of(db: Database, project: str, first_day: str, last_day: str) -> list[dict]:
    """Every need of the project's surveys done between two dates, oldest survey first."""
    return list(db.query(
        "SELECT n.*, s.day AS survey_day FROM survey_needs n JOIN needs_surveys s ON s.id = n.survey_id"
        " WHERE s.project = ? AND s.day BETWEEN ? AND ? ORDER BY s.day, n.id", [project, first_day, last_day]))
