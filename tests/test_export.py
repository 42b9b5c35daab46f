"""Exports: stable English keys in CSV and JSON, Chinese headers in Excel, ID numbers and phones masked."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

import pytest
from openpyxl import load_workbook

from bot.cli import cli
from data import recipients, visits
from data.exports import ExportError, write_rows
from tests.test_roster_import import WANG_ID

NOW = datetime.fromisoformat("2026-11-20T02:00:00+00:00")
VISIT_KEYS = ["recipient", "kind", "categories", "site", "visit_date", "mode", "visitor", "findings", "needs",
              "verification"]


def test_write_rows_in_each_format():
    columns = [("name", "姓名"), ("kind", "类型", {"elder": "老人"}.get), ("tags", "类别"), ("ok", "在册"),
               ("extra", "核查")]
    rows = [{"name": "王秀兰", "kind": "elder", "tags": ["高龄", "独居"], "ok": True, "extra": {"seen": True}},
            {"name": "=HYPERLINK(\"http://x\")", "kind": "elder", "tags": [], "ok": False, "extra": None}]
    out = io.BytesIO()
    assert write_rows(rows, columns, "csv", out) == 2
    text = out.getvalue().decode("utf-8-sig")
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert list(parsed[0]) == ["name", "kind", "tags", "ok", "extra"]
    assert parsed[0] == {"name": "王秀兰", "kind": "elder", "tags": "高龄、独居", "ok": "true",
                         "extra": '{"seen": true}'}
    assert parsed[1]["name"].startswith("'=")  # a spreadsheet must not run it as a formula
    out = io.BytesIO()
    write_rows(rows, columns, "json", out)
    assert json.loads(out.getvalue())[0] == rows[0]
    out = io.BytesIO()
    write_rows(rows, columns, "xlsx", out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == ["姓名", "类型", "类别", "在册", "核查"]
    assert values[1] == ["王秀兰", "老人", "高龄、独居", "是", "seen：True"]
    assert values[2][0] == "=HYPERLINK(\"http://x\")" and sheet["A3"].data_type == "s"
    with pytest.raises(ExportError):
        write_rows(rows, columns, "pdf", io.BytesIO())


@pytest.fixture
def data(db, person):
    ma = person("w-mali", "worker", "怡园社区", "马丽")
    li = person("d-liming", "director", "沈闸村", "李明")
    wang = recipients.insert_recipient(db, {
        "kind": "elder", "name": "王秀兰", "sex": "女", "birth_date": "1940-03-05", "categories": ["高龄", "独居"],
        "site_id": ma["site_id"], "responsible_id": ma["id"], "phone": "13709531234",
        "guardian": "儿子 13709531234", "address": "3号楼", "ongoing_care": True, "allowance": False,
        "id_number_hash": recipients.id_hash(WANG_ID, "k"), "id_number_tail": WANG_ID[-4:]}, NOW)
    child = recipients.insert_recipient(db, {
        "kind": "child", "name": "马雨涵", "sex": "女", "birth_date": "2016-04-12", "categories": ["孤儿"],
        "site_id": li["site_id"], "responsible_id": li["id"], "phone": None, "guardian": None, "address": None,
        "ongoing_care": True, "allowance": True}, NOW)
    visits.add_visit(db, recipient_id=wang, visitor_id=ma["id"], visit_date="2026-10-30", mode="电话",
                     findings="十月", now=NOW)
    visits.add_visit(db, recipient_id=wang, visitor_id=ma["id"], visit_date="2026-11-18", mode="上门",
                     findings="血压有点高", needs="降压药快吃完了", now=NOW)
    kept = visits.add_visit(db, recipient_id=child, visitor_id=li["id"], visit_date="2026-11-19", mode="上门",
                            findings="挺好", verification={"seen": True, "change": "跟奶奶住", "school": "在学"},
                            flagged=True, areas={"就学": "正常"}, now=NOW)
    visits.add_photo(db, kept, "m1", "http://p/1.jpg", NOW)
    undone = visits.add_visit(db, recipient_id=child, visitor_id=li["id"], visit_date="2026-11-19", mode="电话",
                              findings="记错了", now=NOW)
    visits.soft_delete(db, undone, NOW)


@pytest.fixture
def invoke(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def run(*args: str):
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        return result

    return run


def test_visits_as_json_with_stable_keys_for_a_month(invoke, data):
    result = invoke("export", "visits", "--format", "json", "--month", "2026-11")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["findings"] for r in rows] == ["血压有点高", "挺好"]  # October's and the undone one left out
    assert list(rows[0])[:10] == VISIT_KEYS
    wang, child = rows
    assert (wang["recipient"], wang["kind"], wang["categories"], wang["site"], wang["visitor"], wang["needs"]) == \
        ("王秀兰", "elder", ["高龄", "独居"], "怡园社区", "马丽", "降压药快吃完了")
    assert child["verification"] == {"seen": True, "change": "跟奶奶住", "school": "在学"}
    assert (child["flagged"], child["photos"], child["areas"]) == (True, 1, {"就学": "正常"})


def test_visits_as_csv_for_one_site(invoke, data):
    result = invoke("export", "visits", "--format", "csv", "--site", "沈闸村")
    rows = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert list(rows[0])[:10] == VISIT_KEYS
    assert [(r["recipient"], r["kind"], r["verification"]) for r in rows] == [
        ("马雨涵", "child", '{"change": "跟奶奶住", "school": "在学", "seen": true}')]


def test_visits_as_excel_with_chinese_headers(invoke, data, tmp_path):
    result = invoke("export", "visits", "--format", "xlsx", "--month", "2026-11")
    assert "已导出 2 条到 visits-2026-11.xlsx" in result.output
    sheet = load_workbook(tmp_path / "visits-2026-11.xlsx").active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:10] == ["服务对象", "对象类型", "类别", "站点", "走访日期", "方式", "走访人", "情况", "需求",
                              "核查"]
    assert values[2][:4] == ["马雨涵", "儿童", "孤儿", "沈闸村"]
    assert values[2][9] == "见到本人：是；监护或生活变化：跟奶奶住；就学：在学"


def test_recipients_export_masks_id_numbers_and_phones_everywhere(invoke, data, tmp_path):
    for fmt in ("csv", "json", "xlsx"):
        out = tmp_path / f"r.{fmt}"
        assert invoke("export", "recipients", "--format", fmt, "--month", "2026-11", "-o", str(out)).exit_code == 0
        raw = out.read_bytes()
        assert WANG_ID[-4:].encode() in raw or fmt == "xlsx"  # xlsx is zipped
        assert WANG_ID.encode() not in raw and b"13709531234" not in raw
    rows = json.loads((tmp_path / "r.json").read_text())
    wang = rows[0]
    assert (wang["recipient"], wang["id_number"], wang["phone"], wang["guardian"]) == \
        ("王秀兰", "**************" + WANG_ID[-4:], "137****1234", "儿子 137****1234")
    assert (wang["last_visit"], wang["visits_in_month"], wang["ongoing_care"]) == ("2026-11-18", 1, True)
    sheet = load_workbook(tmp_path / "r.xlsx").active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["姓名", "对象类型", "类别", "站点"]
    assert sheet.cell(row=2, column=header.index("身份证号") + 1).value == "**************" + WANG_ID[-4:]


def test_bad_month_and_unknown_site_are_explained(invoke, data):
    assert "月份「2026-13」不对" in invoke("export", "visits", "--month", "2026-13").output
    assert "没有站点「火星村」" in invoke("export", "visits", "--site", "火星村").output
    assert invoke("export", "visits", "--format", "pdf").exit_code != 0


FREE_TEXT = "身份证640381197001011234 电话139-5123-4567 / +86 139 5123 4567"


def test_identifiers_typed_in_free_text_are_masked_in_both_exports(invoke, data, db):
    db.conn.execute("UPDATE recipients SET guardian = ?, address = ? WHERE name = '王秀兰'",
                    [f"儿子 {FREE_TEXT}", "3号楼，座机0953-3012345"])
    db.conn.execute("UPDATE visits SET findings = ?, needs = ? WHERE findings = '血压有点高'",
                    [f"老人说{FREE_TEXT}", "联系 0953 3012345"])
    for what in ("recipients", "visits"):
        for fmt in ("csv", "json", "xlsx"):
            out = f"{what}.{fmt}"
            assert invoke("export", what, "--format", fmt, "--month", "2026-11", "-o", out).exit_code == 0
            text = _all_text(out, fmt)
            for clear in ("640381197001011234", "19700101", "5123-4567", "5123 4567", "3012345"):
                assert clear not in text, (what, fmt, clear)
            assert "139****4567" in text and "**************1234" in text


def _all_text(path: str, fmt: str) -> str:
    if fmt != "xlsx":
        return open(path, encoding="utf-8-sig").read()
    return " ".join(str(c.value) for row in load_workbook(path).active.iter_rows() for c in row)


def test_an_unmasked_export_needs_a_reason_and_leaves_an_audit_row(invoke, data, db):
    refused = invoke("export", "recipients", "--format", "json", "--unmasked")
    assert refused.exit_code != 0 and "--reason" in refused.output
    result = invoke("export", "recipients", "--format", "json", "--unmasked", "--reason", "民政局核对监护人电话")
    assert result.exit_code == 0, result.output
    wang = json.loads(result.stdout)[0]
    assert wang["phone"] == "13709531234" and wang["guardian"] == "儿子 13709531234"
    assert wang["id_number"] == "**************" + WANG_ID[-4:]  # never stored in full: nothing to reveal
    [row] = list(db.query("SELECT * FROM audit WHERE action = 'reveal'"))
    assert row["subject"] == "export:recipients" and "民政局核对监护人电话" in row["detail"]


def test_an_excel_export_streams_in_bounded_memory():
    """99,502 recipients took 810 MB as xlsx: openpyxl kept every cell. Write-only mode keeps none."""
    import tracemalloc

    def many(count: int):
        for n in range(count):
            yield {"recipient": f"对象{n}", "kind": "elder", "categories": ["高龄", "独居"], "site": "怡园社区",
                   "sex": "女", "birth_date": "1940-03-05", "responsible": "马丽", "phone": "137****1234",
                   "guardian": "儿子 137****1234", "address": f"怡园社区{n % 40}号楼", "id_number": "*" * 14 + "1234",
                   "ongoing_care": True, "allowance": False, "active": True, "last_visit": "2026-11-18",
                   "visits_in_month": n % 3, "consent": "本人签字", "recipient_id": n}

    def peak_mb(count: int) -> float:
        tracemalloc.start()
        try:
            assert write_rows(many(count), recipients.COLUMNS, "xlsx", io.BytesIO()) == count
            return tracemalloc.get_traced_memory()[1] / 1e6
        finally:
            tracemalloc.stop()

    small, large = peak_mb(200), peak_mb(2000)
    assert large < small * 2 + 5, (small, large)  # ten times the rows, not ten times the memory
