"""Writing rows out as CSV, JSON or Excel, for any table (recipients, visits, requests ...).

CSV and JSON are for programs: stable English keys, values as stored (kind is 'elder'/'child'). Excel is
for people: Chinese headers, and a column may give a display function for its values.

    columns = [("recipient", "服务对象"), ("kind", "对象类型", lambda v: {"elder": "老人"}.get(v, v))]
    write_rows(rows, columns, "xlsx", "visits.xlsx")
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO

FORMATS = ("csv", "json", "xlsx")
# Spreadsheet programs run a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

Column = tuple[str, str] | tuple[str, str, Callable[[Any], Any]]


class ExportError(ValueError):
    """An export that cannot be written (unknown format, bad destination)."""


def write_rows(rows: Iterable[dict], columns: list[Column], fmt: str, out: str | Path | BinaryIO) -> int:
    """Write `rows` to `out` (a path or a binary stream); returns how many rows were written."""
    if fmt not in FORMATS:
        raise ExportError(f"格式只能是 {'、'.join(FORMATS)}")
    rows = list(rows)
    writer = {"csv": _csv, "json": _json, "xlsx": _xlsx}[fmt]
    if isinstance(out, str | Path):
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        with open(out, "wb") as stream:
            writer(rows, columns, stream)
    else:
        writer(rows, columns, out)
    return len(rows)


def _plain(value: Any) -> Any:
    """A value as JSON keeps it: lists and objects stay structured."""
    return value


def _flat(value: Any) -> str:
    """A value for one CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _defuse(text: str) -> str:
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _csv(rows: list[dict], columns: list[Column], stream: BinaryIO) -> None:
    # A BOM so that Excel opens the Chinese text as UTF-8 when someone double-clicks the file.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow([c[0] for c in columns])
    for row in rows:
        writer.writerow([_defuse(_flat(row.get(c[0]))) for c in columns])
    text.flush()
    text.detach()


def _json(rows: list[dict], columns: list[Column], stream: BinaryIO) -> None:
    records = [{c[0]: _plain(row.get(c[0])) for c in columns} for row in rows]
    stream.write(json.dumps(records, ensure_ascii=False, indent=1).encode())
    stream.write(b"\n")


def _display(column: Column, value: Any) -> Any:
    if len(column) > 2 and value is not None:
        value = column[2](value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{v}" for k, v in value.items())
    if isinstance(value, str):
        return _ILLEGAL.sub("", value)
    return "" if value is None else value


def _xlsx(rows: list[dict], columns: list[Column], stream: BinaryIO) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = "导出"
    sheet.append([c[1] for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(c[1]) * 2 + 2 for c in columns]
    for number, row in enumerate(rows, 2):
        for index, column in enumerate(columns, 1):
            value = _display(column, row.get(column[0]))
            cell = sheet.cell(row=number, column=index, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
                widths[index - 1] = max(widths[index - 1], min(60, len(value) * 2))
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    book.save(stream)
