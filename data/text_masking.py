"""The one place where reports and the dashboard mask phone and ID numbers written inside free text (notes,
guardians, summaries). Interim: data/masking.py (issue 13) will replace the body of `mask_text`.
"""

from __future__ import annotations

import re

from data.recipients import mask_id, mask_phones

_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_MASKED = re.compile(r"[0-9]*\*{4,}[0-9Xx]*")

__all__ = ["hide_numbers", "mask_id", "mask_text"]


def mask_text(text: str | None) -> str:
    """Free text with ID numbers and phone numbers hidden but for a few digits (for staff)."""
    return mask_phones(_ID_IN_TEXT.sub(r"\1********\2", text or ""))


def hide_numbers(text: str | None) -> str:
    """Free text with no trace of a phone or ID number (for the bureau, the evaluator and reports)."""
    return _MASKED.sub("（号码已隐去）", mask_text(text))
