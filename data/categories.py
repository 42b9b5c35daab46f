"""Need categories (routing targets) and the word lists that go with them, read from bundled reference data.

Storage only: plain dataclasses loaded from ``data/reference/*.json``, the phrasing corpus
``data/reference/phrasings.tsv`` (``text<TAB>label<TAB>writer``: who wrote each line, so that accuracy can be
measured on writers the matcher never saw), plus an optional admin TSV of extra phrasings (``text<TAB>label``,
optionally ``<TAB>author``: an admin's 改类 correction is kept with its author), so phrasings can be added
without touching code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
CATEGORIES_FILE = REFERENCE_DIR / "need_categories.json"
CORPUS_FILE = REFERENCE_DIR / "phrasings.tsv"
PROTECTION_FILE = REFERENCE_DIR / "protection_words.json"

#: The twelve request categories, in menu order. ``NONE_LABEL`` (无) is not a category: "not a request".
LABELS: tuple[str, ...] = (
    "生活照料",
    "医疗健康",
    "心理慰藉",
    "学业辅导",
    "政策咨询",
    "法律援助",
    "监护支持",
    "居家安全",
    "代办服务",
    "物资帮扶",
    "紧急求助",
    "文体活动",
)
NONE_LABEL = "无"
URGENT_LABEL = "紧急求助"
#: Every label a phrasing may carry: the twelve categories plus 无.
ALL_LABELS: tuple[str, ...] = (*LABELS, NONE_LABEL)
EMERGENCY_NUMBERS = ("110", "119", "120")


@dataclass(frozen=True)
class Category:
    label: str
    description: str
    menu: str
    team: str
    keywords: tuple[tuple[str, float], ...]
    phrasings: tuple[str, ...]
    urgent: bool = False

    @property
    def is_request(self) -> bool:
        return self.label != NONE_LABEL


@dataclass(frozen=True)
class AlertWord:
    """An urgent or child-protection word. ``*`` in ``word`` stands for a short gap (a few characters)."""

    word: str
    call: str = ""  # 120 / 110 / 119 for urgent words
    kind: str = ""  # abuse / sexual / neglect / abandonment for protection words
    urgent: bool = True
    guard: bool = False  # defused by 怕/担心/去年/以前/差点... in the same clause (a worry or the past)
    not_before: tuple[str, ...] = ()  # no hit when one of these follows right after the word
    not_after: tuple[str, ...] = ()  # no hit when one of these comes right before the word
    note: str = ""
    hard: bool = False  # always a present danger (救命, 不想活): never defused by context
    soft: bool = False  # a present danger only with a sign of now (想不开, 头晕想吐): else a need to route


class CategoryDataError(ValueError):
    """Bad reference data or a bad line in an extra-phrasings file."""


@cache
def _read_json(path: Path) -> Any:
    with path.open(encoding="utf-8") as f:
        return json.load(f)


def _category(raw: dict[str, Any], extra: list[str]) -> Category:
    keywords = tuple((str(k["word"]), float(k.get("weight", 1.0))) for k in raw.get("keywords", ()))
    phrasings = tuple(dict.fromkeys([*raw.get("phrasings", ()), *extra]))
    return Category(
        label=raw["label"],
        description=raw.get("description", ""),
        menu=raw.get("menu", ""),
        team=raw.get("team", ""),
        keywords=keywords,
        phrasings=phrasings,
        urgent=bool(raw.get("urgent", False)),
    )


def read_phrasings_tsv(path: str | Path) -> list[tuple[str, str]]:
    """Read ``text<TAB>label`` lines (a third column, the writer, is allowed and dropped here); blank lines,
    ``#`` comments and a ``text<TAB>category`` header skipped.

    Raises CategoryDataError naming the file and line for a missing tab or an unknown label.
    """
    return [(text, label) for text, label, _ in read_corpus(path)]


def read_corpus(path: str | Path, default_writer: str = "") -> list[tuple[str, str, str]]:
    """``(text, label, writer)`` per line of a ``text<TAB>label[<TAB>writer]`` file."""
    rows: list[tuple[str, str, str]] = []
    with open(path, encoding="utf-8-sig") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if "\t" not in line:
                raise CategoryDataError(f"{path}:{lineno}: expected 'text<TAB>label', got {line!r}")
            parts = [part.strip() for part in line.split("\t")]
            if parts[0].lower() == "text" and parts[1].lower() in ("category", "label"):
                continue  # header
            if len(parts) > 2 and parts[-2] in ALL_LABELS:
                text, label, writer = "\t".join(parts[:-2]), parts[-2], parts[-1]
            else:
                (text, label), writer = (p.strip() for p in line.rsplit("\t", 1)), default_writer
            if text.lower() == "text" and label.lower() in ("category", "label"):
                continue  # header
            if label not in ALL_LABELS:
                raise CategoryDataError(
                    f"{path}:{lineno}: unknown label {label!r} (expected one of {', '.join(ALL_LABELS)})"
                )
            if text:
                rows.append((text, label, writer or default_writer))
    return rows


@cache
def corpus() -> tuple[tuple[str, str, str], ...]:
    """The bundled phrasing corpus: (text, label, writer)."""
    return tuple(read_corpus(CORPUS_FILE)) if CORPUS_FILE.exists() else ()


def load_categories(extra_phrasings_path: str | None = None,
                    phrasings: tuple[tuple[str, str, str], ...] | None = None) -> list[Category]:
    """All categories in ``ALL_LABELS`` order (the twelve, then 无), with the corpus (``phrasings``: the
    bundled one by default; a benchmark passes a subset) and any extra phrasings merged in."""
    extra: dict[str, list[str]] = {label: [] for label in ALL_LABELS}
    for text, label, _ in corpus() if phrasings is None else phrasings:
        extra[label].append(text)
    if extra_phrasings_path:
        for text, label in read_phrasings_tsv(extra_phrasings_path):
            extra[label].append(text)
    raw_by_label = {raw["label"]: raw for raw in _read_json(CATEGORIES_FILE)}
    if set(raw_by_label) != set(ALL_LABELS):
        missing = set(ALL_LABELS) - set(raw_by_label)
        unknown = set(raw_by_label) - set(ALL_LABELS)
        raise CategoryDataError(f"{CATEGORIES_FILE}: missing {sorted(missing)}, unknown {sorted(unknown)}")
    return [_category(raw_by_label[label], extra[label]) for label in ALL_LABELS]


def _alert(raw: dict[str, Any], **defaults: Any) -> AlertWord:
    fields = {**defaults, **raw}
    return AlertWord(
        word=fields["word"],
        call=str(fields.get("call", "")),
        kind=fields.get("kind", ""),
        urgent=bool(fields.get("urgent", True)),
        guard=bool(fields.get("guard", False)),
        not_before=tuple(fields.get("not_before", ())),
        not_after=tuple(fields.get("not_after", ())),
        note=fields.get("note", ""),
        hard=bool(fields.get("hard", not fields.get("guard", False) and not fields.get("soft", False))),
        soft=bool(fields.get("soft", False)),
    )


def urgent_words() -> list[AlertWord]:
    """Words that make a message 紧急求助 at once, each with the number to call (120/110/119)."""
    for raw in _read_json(CATEGORIES_FILE):
        if raw["label"] == URGENT_LABEL:
            words = [_alert(w) for w in raw.get("urgent_words", ())]
            bad = [w.word for w in words if w.call not in EMERGENCY_NUMBERS]
            if bad:
                raise CategoryDataError(f"{CATEGORIES_FILE}: urgent words without 110/119/120: {bad}")
            return words
    raise CategoryDataError(f"{CATEGORIES_FILE}: no {URGENT_LABEL} entry")


@dataclass(frozen=True)
class AcuteSigns:
    """Signs of an acute danger (一动不动, 都是血, 敌敌畏 …) with their weight and the number to call, and what
    it takes for them to mean an emergency (reference/acute_signs.json)."""

    signs: tuple[tuple[str, float, str], ...]  # (word, weight, call)
    threshold: float
    now_bonus: float
    now: tuple[str, ...]


@cache
def acute_signs() -> AcuteSigns:
    doc = _read_json(REFERENCE_DIR / "acute_signs.json")
    signs = tuple((word, float(weight), kind["call"]) for kind in doc["signs"].values()
                  for word, weight in kind["words"].items())
    bad = [w for w, _, call in signs if call not in EMERGENCY_NUMBERS]
    if bad:
        raise CategoryDataError(f"acute_signs.json: signs without 110/119/120: {bad}")
    return AcuteSigns(signs, float(doc["threshold"]), float(doc["now_bonus"]), tuple(doc["now"]))


def protection_words() -> list[AlertWord]:
    """Suspected harm to a child (abuse, neglect, abandonment): these trigger the mandatory-report path."""
    doc = _read_json(PROTECTION_FILE)
    return [_alert(w, call=doc.get("call", "110")) for w in doc["words"]]
