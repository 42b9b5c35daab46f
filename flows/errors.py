"""Exceptions a parser raises; the engine turns each into a reply.

    FlowError
     ├── Invalid      the answer cannot be used: `str(exc)` is the sentence shown to the person
     ├── Ambiguous    several values fit: the person picks one from a numbered list
     └── Abort        the conversation cannot go on: the message is shown and the state dropped
"""

from __future__ import annotations

from typing import Any


class FlowError(Exception):
    """Base of the errors a step's parser may raise."""


class Invalid(FlowError):
    """The answer cannot be used; the message says why, in the person's language."""


class Ambiguous(FlowError):
    """Several values fit; `options` are (value, label) pairs to offer by number."""

    def __init__(self, question: str, options: list[tuple[Any, str]]):
        super().__init__(question)
        self.question = question
        self.options = options


class Abort(FlowError):
    """The conversation cannot go on (too many failed tries, lost permission); the message says so."""
