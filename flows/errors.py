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
    """The answer cannot be used; the message says why, in the person's language. An extractor that recognised
    its part of a longer message but refused it (a future date) gives `rest`: the message without that part, so
    that no other step takes it up."""

    def __init__(self, message: str = "", rest: str | None = None):
        super().__init__(message)
        self.rest = rest


class Ambiguous(FlowError):
    """Several values fit; `options` are (value, label) pairs to offer by number. `rest` is the message without
    the words that were ambiguous, for the other steps of a one-shot message to read; `also` is what the same
    reading settled for other steps (a flows.engine.Several), kept while the person chooses."""

    def __init__(self, question: str, options: list[tuple[Any, str]], rest: str | None = None,
                 also: Any = None):
        super().__init__(question)
        self.question = question
        self.options = options
        self.rest = rest
        self.also = also


class Abort(FlowError):
    """The conversation cannot go on (too many failed tries, lost permission); the message says so."""
