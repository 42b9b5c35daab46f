"""Importing the recipient roster from real .xlsx files (written with openpyxl) and .csv files."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from bot.cli import cli
from data import recipients

HEADERS = ["姓名", "对象类型", "类别", "性别", "出生日期", "站点", "负责人", "联系电话", "监护人", "地址", "身份证号",
           "持续关爱", "领取津贴", "知情同意", "走访等级"]
SECRET = "test-secret-key"


def id_number(prefix17: str) -> str:
    """A well-formed ID number: the 17 digits given plus the check character (GB 11643)."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return prefix17 + "10X98765432"[sum(int(d) * w for d, w in zip(prefix17, weights, strict=True)) % 11]


WANG_ID = id_number("64038119400305002")
MA_ID = id_number("64038120160412004")
GOOD = [
    ["王秀兰", "老人", "高龄、独居", "女", "1940-03-05", "怡园社区", "马丽", 13709531234, "儿子 马建国 13709531234",
     "怡园社区3号楼", WANG_ID, "是", "否", "本人签字 2026-03-01"],
    ["马雨涵", "儿童", "孤儿,困境儿童", "女", datetime(2016, 4, 12), "沈闸村", "李明", "", "姑姑 马红", "沈闸村二组",
     MA_ID, "是", "是", "姑姑（监护人）签字 2026-03-01"],
    ["李小明", "儿童", "留守", "男", "2014/9/9", "沈闸村", "", "", "奶奶", "", "", "否", "", ""],
]


def write_xlsx(path: Path, rows: list[list], headers: list[str] = HEADERS) -> Path:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("服务对象")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.fixture
def staff(person):
    return {"ma": person("w-mali", "worker", "怡园社区", "马丽"),
            "li": person("d-liming", "director", "沈闸村", "李明")}


@pytest.fixture
def invoke(runner, monkeypatch, staff):
    monkeypatch.setenv("LAOXIAO_SECRET_KEY", SECRET)
    monkeypatch.setenv("LAOXIAO_TZ", "Asia/Shanghai")

    def run(*args: str):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return run


def stored(db) -> list[dict]:
    return list(db.query("SELECT * FROM recipients ORDER BY id"))


def test_a_good_file_is_imported_and_no_id_number_is_kept_in_clear(invoke, db, staff, tmp_path, settings):
    result = invoke("import", "recipients", str(write_xlsx(tmp_path / "名单.xlsx", GOOD)))
    assert result.exit_code == 0, result.output
    assert "新增 3 人" in result.output
    # 李小明 is under 14 and no guardian's consent is on the roster: a warning, not a refusal.
    assert "知情同意" in result.output and "监护人同意" in result.output
    wang, ma, li = stored(db)
    assert (ma["consent"], li["consent"]) == ("姑姑（监护人）签字 2026-03-01", None)
    assert (wang["kind"], json.loads(wang["categories"]), wang["sex"], wang["birth_date"]) == \
        ("elder", ["高龄", "独居"], "女", "1940-03-05")
    assert wang["responsible_id"] == staff["ma"]["id"] and wang["phone"] == "13709531234"
    assert (wang["ongoing_care"], wang["allowance"]) == (1, 0)
    assert recipients.mask_id(wang["id_number_tail"]) == "**************" + WANG_ID[-4:]
    assert (ma["kind"], json.loads(ma["categories"]), ma["birth_date"], ma["allowance"]) == \
        ("child", ["孤儿", "困境儿童"], "2016-04-12", 1)
    assert (li["responsible_id"], li["id_number_hash"], json.loads(li["categories"])) == (None, None, ["留守儿童"])
    db.close()
    raw = b"".join(p.read_bytes() for p in Path(settings.db_path).parent.glob("laoxiao.db*"))
    assert WANG_ID.encode() not in raw and MA_ID.encode() not in raw
    assert WANG_ID[:14].encode() not in raw


def test_bad_rows_are_all_reported_by_row_and_column_and_nothing_is_written(invoke, db, tmp_path):
    rows = [
        GOOD[0],
        ["张三", "老人", "高令", "男", "1950-13-01", "火星村", "", "123", "", "", "11010119500101123X", "可能", "是"],
        ["", "青年", "", "", "", "", "", "", "", "", "", "", ""][:6] + [""] * 7,
        ["李四", "儿童", "留守儿童", "男", "2000-01-01", "沈闸村", "", "", "", "", "", "", ""],
        GOOD[0],
    ]
    result = invoke("import", "recipients", str(write_xlsx(tmp_path / "bad.xlsx", rows)))
    assert result.exit_code != 0
    out = result.output
    for expected in ("第3行「类别」：不认识「高令」", "第3行「出生日期」：看不懂「1950-13-01」",
                     "第3行「站点」：没有站点「火星村」", "第3行「联系电话」", "第3行「身份证号」：身份证号校验位不对",
                     "第3行「持续关爱」", "第3行「领取津贴」", "第4行「姓名」：不能为空", "第4行「对象类型」",
                     "第4行「性别」", "第5行「出生日期」：儿童应未满18岁", "第6行「姓名」：与第2行是同一个人",
                     "没有导入任何数据"):
        assert expected in out, expected
    assert stored(db) == []


def test_a_number_in_the_wrong_column_is_not_echoed_in_full(invoke, db, tmp_path):
    row = list(GOOD[0])
    row[4] = WANG_ID  # the ID number typed where the birth date goes
    result = invoke("import", "recipients", str(write_xlsx(tmp_path / "r.xlsx", [row])))
    assert "第2行「出生日期」" in result.output and WANG_ID not in result.output


def test_skip_bad_writes_the_good_rows_and_lists_the_rest(invoke, db, tmp_path):
    rows = [GOOD[0], ["张三", "老人", "高龄", "男", "1950-01-01", "火星村", "", "", "", "", "", "", ""], GOOD[2]]
    result = invoke("import", "recipients", str(write_xlsx(tmp_path / "r.xlsx", rows)), "--skip-bad")
    assert result.exit_code == 0
    assert "第3行「站点」" in result.output and "新增 2 人" in result.output
    assert "跳过有错误的 1 行（第3行）" in result.output
    assert [r["name"] for r in stored(db)] == ["王秀兰", "李小明"]


def test_reimporting_updates_instead_of_duplicating(invoke, db, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", GOOD)
    invoke("import", "recipients", str(path))
    again = invoke("import", "recipients", str(path))
    assert "新增 0 人，更新 0 人，无变化 3 人" in again.output
    changed = [list(r) for r in GOOD]
    changed[0][0] = "王秀蘭"  # a corrected spelling: still the same ID number, so the same person
    changed[0][7] = "13995321876"
    changed[2][9] = "沈闸村一组"  # no ID number: matched on name + birth date + site
    result = invoke("import", "recipients", str(write_xlsx(tmp_path / "r2.xlsx", changed)))
    assert "新增 0 人，更新 2 人，无变化 1 人" in result.output
    wang, _, li = stored(db)
    assert (wang["name"], wang["phone"], li["address"]) == ("王秀蘭", "13995321876", "沈闸村一组")
    assert len(stored(db)) == 3


def test_a_closed_recipient_listed_again_is_reopened(invoke, db, tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", GOOD[:1])
    invoke("import", "recipients", str(path))
    db.conn.execute("UPDATE recipients SET active = 0, closed_reason = '迁出'")
    assert "更新 1 人" in invoke("import", "recipients", str(path)).output
    assert stored(db)[0]["active"] == 1


def test_five_thousand_rows(invoke, db, tmp_path):
    def row(i: int) -> list:
        elder = i % 2 == 1
        born = f"{1940 + i % 15}-0{1 + i % 9}-1{i % 9}" if elder else f"20{10 + i % 7}-0{1 + i % 9}-1{i % 9}"
        number = id_number(f"640381{1950 + i % 40}0101{i:03d}"[:17]) if i < 1000 else ""
        return [f"测试{i:04d}", "老人" if elder else "儿童", "高龄" if elder else "留守儿童", "男" if i % 3 else "女",
                born, "怡园社区" if elder else "沈闸村", "", f"139{i:08d}", "", "", number, "是", "否"]

    rows = [row(i) for i in range(5000)]
    path = write_xlsx(tmp_path / "big.xlsx", rows)
    result = invoke("import", "recipients", str(path))
    assert result.exit_code == 0, result.output[-500:]
    assert "新增 5000 人" in result.output
    assert "检查" in result.output  # the progress bar's label
    assert "无变化 5000 人" in invoke("import", "recipients", str(path)).output
    assert db.conn.execute("SELECT COUNT(*) FROM recipients").fetchone()[0] == 5000


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_in_utf8_or_the_gbk_excel_writes(invoke, db, tmp_path, encoding):
    path = tmp_path / "名单.csv"
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        writer.writerow(["周淑芳", "老人", "独居、空巢", "女", "1954-07-08", "怡园社区", "马丽", "0953-3012345", "", "",
                         "", "是", "否"])
    result = invoke("import", "recipients", str(path))
    assert "新增 1 人" in result.output, result.output
    assert (stored(db)[0]["name"], stored(db)[0]["phone"]) == ("周淑芳", "0953-3012345")


def test_the_template_has_the_headers_and_imports_once_filled(invoke, db, tmp_path):
    out = tmp_path / "模板.xlsx"
    assert invoke("template", "recipients", str(out)).exit_code == 0
    book = load_workbook(out)
    sheet = book["服务对象"]
    assert [c.value.lstrip("*") for c in sheet[1]] == HEADERS
    assert [c.value for c in sheet[1]][:6] == ["*姓名", "*对象类型", "*类别", "*性别", "*出生日期", "*站点"]
    assert "说明" in book.sheetnames
    for column, value in zip("ABCDEF", ["海福贵", "老人", "高龄", "男", "1938-02-03", "怡园社区"], strict=True):
        sheet[f"{column}2"] = value
    book.save(out)
    assert "新增 1 人" in invoke("import", "recipients", str(out)).output


def test_missing_required_columns_and_other_files_are_refused(invoke, db, tmp_path):
    result = invoke("import", "recipients", str(write_xlsx(tmp_path / "x.xlsx", [], headers=["姓名", "性别"])))
    assert result.exit_code != 0 and "缺少必填列：对象类型、类别、出生日期、站点" in result.output
    text = tmp_path / "名单.txt"
    text.write_text("姓名")
    assert "只支持 .xlsx 和 .csv" in invoke("import", "recipients", str(text)).output
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    assert "打不开这个Excel文件" in invoke("import", "recipients", str(broken)).output


def test_id_numbers_need_the_secret_key(runner, db, tmp_path, monkeypatch, staff):
    monkeypatch.setenv("LAOXIAO_SECRET_KEY", "")
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout
    result = runner.invoke(cli, ["import", "recipients", str(write_xlsx(tmp_path / "r.xlsx", GOOD))])
    assert result.exit_code != 0 and "LAOXIAO_SECRET_KEY" in result.output
    assert stored(db) == []


def test_an_unbound_responsible_person_is_a_warning_not_an_error(invoke, db, tmp_path):
    row = list(GOOD[2])
    row[6] = "还没绑定的人"
    result = invoke("import", "recipients", str(write_xlsx(tmp_path / "r.xlsx", [row])))
    assert "提醒 第2行「负责人」：「还没绑定的人」还没有在公众号绑定身份" in result.output
    assert "新增 1 人" in result.output and stored(db)[0]["responsible_id"] is None


def test_the_visit_level_is_read_and_defaults_by_ongoing_care(invoke, db, tmp_path):
    rows = [["王秀兰", "老人", "高龄", "女", "1940-03-05", "怡园社区", "", "", "", "", "", "是", "否", "", "重点"],
            ["马占福", "老人", "高龄", "男", "1944-01-02", "怡园社区", "", "", "", "", "", "是", "否", "", ""],
            ["周淑芳", "老人", "独居", "女", "1953-07-09", "怡园社区", "", "", "", "", "", "否", "否", "", ""]]
    assert "新增 3 人" in invoke("import", "recipients", str(write_xlsx(tmp_path / "a.xlsx", rows))).output
    levels = {r["name"]: r["level"] for r in db.query("SELECT name, level FROM recipients")}
    assert levels == {"王秀兰": "重点", "马占福": "一般", "周淑芳": "稳定"}
    rows[0][-1] = "每天"
    result = invoke("import", "recipients", str(write_xlsx(tmp_path / "b.xlsx", rows)))
    assert result.exit_code != 0 and "走访等级" in result.output and "每天" in result.output


def test_the_level_is_set_by_command(invoke, db, tmp_path):
    rows = [["王秀兰", "老人", "高龄", "女", "1940-03-05", "怡园社区", "", "", "", "", "", "是", "否", "", ""]]
    invoke("import", "recipients", str(write_xlsx(tmp_path / "a.xlsx", rows)))
    assert "每周至少上门见到一次" in invoke("recipient", "set", "王秀兰", "--level", "重点").output
    assert db.execute("SELECT level FROM recipients").fetchone()[0] == "重点"
    assert invoke("recipient", "set", "王秀兰", "--level", "每天").exit_code != 0
    assert invoke("recipient", "set", "张三", "--level", "稳定").exit_code != 0
