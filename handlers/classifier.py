"""The intent matcher an app classifies with: built once per process for a phrasings file, and rebuilt when
an admin adds a phrasing (`laoxiao phrases add` changes the file)."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from data.categories import load_categories
from handlers.intent import IntentMatcher, Match

_BUILT: dict[tuple[str, float], tuple[IntentMatcher, int]] = {}
_LOCK = threading.Lock()


class Classifier:
    """`classifier(text) -> Match`, for the bundled phrasings plus the admins' file at `phrases_path`."""

    def __init__(self, phrases_path: str | Path | None = None) -> None:
        self.path = Path(phrases_path) if phrases_path else None
        self._current: tuple[tuple[str, float], IntentMatcher] | None = None
        self._cached = lru_cache(maxsize=512)(self._match)

    def _stamp(self) -> tuple[str, float]:
        if self.path is None or not self.path.exists():
            return ("", 0.0)
        return (str(self.path), self.path.stat().st_mtime)

    def matcher(self) -> IntentMatcher:
        stamp = self._stamp()
        if self._current is None or self._current[0] != stamp:
            with _LOCK:  # waitress serves on threads: build once, not once per thread
                if stamp not in _BUILT:
                    categories = load_categories(extra_phrasings_path=stamp[0] or None)
                    _BUILT[stamp] = (IntentMatcher(categories), sum(len(c.phrasings) for c in categories))
            self._current = (stamp, _BUILT[stamp][0])
            self._cached.cache_clear()
        return self._current[1]

    @property
    def phrasings(self) -> int:
        self.matcher()
        return _BUILT[self._current[0]][1]

    def __call__(self, text: str) -> Match:
        """The flows ask about the same text more than once per message: answered from a small cache."""
        self.matcher()
        return self._cached(text)

    def _match(self, text: str) -> Match:
        return self._current[1].match(text)

    def warm(self) -> None:
        """Build before the first message, outside its transaction (building takes a fraction of a second)."""
        self.matcher()
