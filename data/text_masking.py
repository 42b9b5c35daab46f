"""How reports and the dashboard show free text: masked for staff (data.masking.mask_text, the one masking
function), or with no trace of a number at all for the bureau, the evaluator and the reports."""

from __future__ import annotations

import re

from data.masking import mask_text
from data.recipients import mask_id

_MASKED = re.compile(r"[0-9+\-()（）]*\*{3,}[0-9Xx]*")

__all__ = ["hide_numbers", "mask_id", "mask_text"]


def hide_numbers(text: str | None) -> str:
    """Free text with no trace of a phone or ID number (for the bureau, the evaluator and reports)."""
    return _MASKED.sub("（号码已隐去）", mask_text(text))
