"""How people's details appear on the dashboard, by role: the one place where screens mask.

Phone and ID numbers inside free text (notes, excerpts, guardians) are masked for staff and removed for the
bureau and the evaluator (data.text_masking). A phone field is shown in full only to those who must call
(admin, worker, supervisor); an ID number only ever as its last four characters, and never to the bureau or
the evaluator.
"""

from __future__ import annotations

from bot.admin import access
from data.text_masking import hide_numbers, mask_id, mask_text

HIDDEN = "（不显示）"


def text(value: str | None) -> str:
    return mask_text(value) if access.sees_contacts() else hide_numbers(value)


def phone(value: str | None) -> str:
    if not value:
        return ""
    return value if access.sees_contacts() else HIDDEN


def contact(value: str | None) -> str:
    """A guardian or family contact: in full for those who must call, names only for the others."""
    if not value:
        return ""
    return value if access.sees_contacts() else hide_numbers(value)


def id_number(tail: str | None) -> str:
    if not tail:
        return ""
    return mask_id(tail) if access.sees_contacts() else HIDDEN
