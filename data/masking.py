"""One way to hide identifiers inside any text people typed: logs, replies, exports and the dashboard use it.

    mask_text("身份证640381197001011234 电话139-5123-4567 / +86 139 5123 4567 座机0953-3012345")
    -> "身份证**************1234 电话139****4567 / +86 139****4567 座机0953-*****45"

Found wherever they stand in free text, typed as people type them:
- ID card numbers (18 characters, the last may be X, or the old 15 digits), unbroken or in groups separated
  by spaces or hyphens: only the last four stay, as `data.recipients.mask_id` shows a stored one.
- mobiles (1[3-9] and 11 digits) with spaces, hyphens or dots between groups, with or without +86/0086/86:
  the first three and last four stay, the way WeChat and banks show them.
- landlines with an area code (0 + 2-3 digits, then 7-8 digits): the area code and the last two stay.
Full-width digits (old phones, Chinese input methods) count as digits. Numbers that are none of these (dates,
amounts, request numbers, MsgIds of 19 digits) are left alone: a match must not touch other digits.

Showing a full value is an exception an admin asks for, and leaves an audit row (`reveal`).
"""

from __future__ import annotations

import re
from datetime import datetime

from sqlite_utils import Database

from data import audit

_WIDE_DIGITS = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)} | {0xFF38: ord("X"), 0xFF58: ord("x")}
_SEP = r"[ \u00a0\u3000\-–—.]"  # one separator between digit groups
_D = rf"(?:{_SEP}?\d)"  # a digit, perhaps after a separator
_EDGE_BEFORE = r"(?<![0-9A-Za-z])"
_EDGE_AFTER = rf"(?!{_SEP}?[0-9A-Za-z])"

_ID_NUMBER = re.compile(rf"{_EDGE_BEFORE}[1-9]\d{_D}{{15}}{_SEP}?[\dXx]{_EDGE_AFTER}"
                        rf"|{_EDGE_BEFORE}[1-9]\d{_D}{{13}}{_EDGE_AFTER}")
_MOBILE = re.compile(rf"{_EDGE_BEFORE}(?P<prefix>(?:\+|00)?86{_SEP}?|\(\+?86\){_SEP}?)?"
                     rf"(?P<number>1[3-9]\d{_D}{{8}}){_EDGE_AFTER}")
_LANDLINE = re.compile(rf"{_EDGE_BEFORE}(?P<area>0(?:[12]\d|[3-9]\d{{2}}))(?P<sep>{_SEP}|[(（)）])?"
                       rf"(?P<local>[1-9]{_D}{{6,7}}){_EDGE_AFTER}")


def _digits(text: str) -> str:
    return re.sub(r"[^0-9Xx]", "", text)


def _id(match: re.Match) -> str:
    digits = _digits(match[0])
    return "*" * (len(digits) - 4) + digits[-4:].upper()


def _mobile(match: re.Match) -> str:
    digits = _digits(match["number"])
    return (match["prefix"] or "") + f"{digits[:3]}****{digits[-4:]}"


def _landline(match: re.Match) -> str:
    local = _digits(match["local"])
    return f"{match['area']}-{'*' * (len(local) - 2)}{local[-2:]}"


def mask_text(text: str | None) -> str:
    """`text` with every ID card, mobile and landline number in it masked; "" for None."""
    if not text:
        return ""
    # Matching runs on ASCII digits; the translation is one character for one, so spans stay valid.
    plain = text.translate(_WIDE_DIGITS)
    if not re.search(r"\d{3}", re.sub(_SEP, "", plain)):
        return text  # the common case, a message without any long number, costs one scan
    out, last = [], 0
    for start, end, masked in _spans(plain):
        out.append(text[last:start])
        out.append(masked)
        last = end
    out.append(text[last:])
    return "".join(out)


def _spans(plain: str) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, masked) spans, ID numbers first: they would also contain a landline."""
    found: list[tuple[int, int, str]] = []
    for pattern, mask in ((_ID_NUMBER, _id), (_MOBILE, _mobile), (_LANDLINE, _landline)):
        for match in pattern.finditer(plain):
            if not any(match.start() < end and start < match.end() for start, end, _ in found):
                found.append((match.start(), match.end(), mask(match)))
    return sorted(found)


def mask_values(record: dict, fields: tuple[str, ...]) -> dict:
    """A copy of `record` with the text of `fields` masked (for exports and pages that show free text)."""
    return {k: mask_text(v) if k in fields and isinstance(v, str) else v for k, v in record.items()}


def reveal(db: Database, actor: str, subject: str, reason: str, now: datetime) -> None:
    """Record that `actor` was shown `subject` unmasked, and why: the audit trail of every exception."""
    if not reason.strip():
        raise ValueError("an unmasked view needs a reason")
    audit.record(db, now, actor, "reveal", subject, {"reason": reason.strip()})
