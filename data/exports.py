"""Writing rows out as CSV, JSON or Excel, for any table (recipients, visits, requests ...).

CSV and JSON are for programs: stable English keys, values as stored (kind is 'elder'/'child'). Excel is
for people: Chinese headers, and a column may give a display function for its values.

    columns = [("recipient", "服务对象"), ("kind", "对象类型", lambda v: {"elder": "老人"}.get(v, v))]
    write_rows(rows, columns, "xlsx", "visits.xlsx")

Rows stream through: `rows` may be a generator over a query, and every format writes as it reads, Excel
too (openpyxl's write-only mode), so memory stays flat however many rows there are.
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
_WIDTH = 14  # Excel's units; a date or a name fits

Column = tuple[str, str] | tuple[str, str, Callable[[Any], Any]]


class ExportError(ValueError):
    """An export that cannot be written (unknown format, bad destination)."""


def write_rows(rows: Iterable[dict], columns: list[Column], fmt: str, out: str | Path | BinaryIO) -> int:
    """Write `rows` to `out` (a path or a binary stream); returns how many rows were written."""
    if fmt not in FORMATS:
        raise ExportError(f"格式只能是 {'、'.join(FORMATS)}")
    writer = {"csv": _csv, "json": _json, "xlsx": _xlsx}[fmt]
    if isinstance(out, str | Path):
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        with open(out, "wb") as stream:
            return writer(rows, columns, stream)
    return writer(rows, columns, out)


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


def _csv(rows: Iterable[dict], columns: list[Column], stream: BinaryIO) -> int:
    # A BOM so that Excel opens the Chinese text as UTF-8 when someone double-clicks the file.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow([c[0] for c in columns])
    count = 0
    for row in rows:
        writer.writerow([_defuse(_flat(row.get(c[0]))) for c in columns])
        count += 1
    text.flush()
    text.detach()
    return count


def _json(rows: Iterable[dict], columns: list[Column], stream: BinaryIO) -> int:
    """A JSON array written one record at a time."""
    count = 0
    stream.write(b"[")
    for row in rows:
        record = {c[0]: _plain(row.get(c[0])) for c in columns}
        separator = ",\n" if count else "\n"
        stream.write((separator + json.dumps(record, ensure_ascii=False)).encode())
        count += 1
    stream.write(b"\n]\n")
    return count


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


def _xlsx(rows: Iterable[dict], columns: list[Column], stream: BinaryIO) -> int:
    """openpyxl's write-only mode: each row goes to a temporary file as it comes, never all in memory. Column
    widths are set up front from the headers (a streamed sheet cannot measure its cells afterwards)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet("导出")
    for index, column in enumerate(columns, 1):
        sheet.column_dimensions[get_column_letter(index)].width = max(len(column[1]) * 2 + 2, _WIDTH)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    sheet.append([_cell(sheet, c[1], bold) for c in columns])
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, _display(column, row.get(column[0]))) for column in columns])
        count += 1
    book.save(stream)
    return count


def _cell(sheet, value: Any, font=None):
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
    if font is not None:
        cell.font = font
    return cell
