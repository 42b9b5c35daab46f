"""The intent matcher an app classifies with: built once per process for a phrasings file, and rebuilt when
an admin adds a phrasing (`laoxiao phrases add`, or 「改类 R1203-04 医疗健康」 in the chat, changes the file)."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

from data.categories import ALL_LABELS, load_categories, read_phrasings_tsv
from handlers.intent import IntentMatcher, Match

HEADER = "# 管理员补充的说法：每行 文本<TAB>类别<TAB>谁加的（laoxiao phrases add 或「改类」写入）\n"
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
        stat = self.path.stat()
        return (str(self.path), stat.st_mtime_ns + stat.st_size / 1e6)

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

    def learn(self, text: str, label: str, author: str) -> bool:
        """Keep a corrected routing as a phrasing, with who corrected it; False when it cannot be kept (no file
        configured, or the same phrasing is there already). The matcher is rebuilt on the next message."""
        phrase = " ".join(text.replace("\t", " ").split())
        author = " ".join(author.replace("\t", " ").split()) or "admin"
        if self.path is None or not phrase or label not in ALL_LABELS:
            return False
        with _LOCK:
            if self.path.exists() and (phrase, label) in set(read_phrasings_tsv(self.path)):
                return False
            self.path.parent.mkdir(parents=True, exist_ok=True)
            new_file = not self.path.exists() or self.path.stat().st_size == 0
            with self.path.open("a", encoding="utf-8") as f:
                f.write((HEADER if new_file else "") + f"{phrase}\t{label}\t{author}\n")
        return True

    def warm(self) -> None:
        """Build before the first message, outside its transaction (building takes a fraction of a second)."""
        self.matcher()
