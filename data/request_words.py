"""Word lists for reading help requests and what follows them, loaded from bundled reference data:
kinship words, forms of address, surnames, place markers and ways of saying "no phone"
(reference/request_details.json); thanks, praise, complaints, progress questions and greetings
(reference/followup_words.json)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


@cache
def details() -> dict[str, Any]:
    with (REFERENCE_DIR / "request_details.json").open(encoding="utf-8") as f:
        return json.load(f)


@cache
def followups() -> dict[str, Any]:
    with (REFERENCE_DIR / "followup_words.json").open(encoding="utf-8") as f:
        return json.load(f)


@cache
def kinship() -> tuple[tuple[str, str], ...]:
    """(word, relation) pairs, longest word first, so that 我妈妈 wins over 我妈 and 妈妈."""
    pairs = [(word, relation) for relation, words in details()["kinship"].items() for word in words]
    return tuple(sorted(dict.fromkeys(pairs), key=lambda p: -len(p[0])))


@cache
def surnames() -> frozenset[str]:
    return frozenset(details()["surnames"])
