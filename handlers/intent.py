"""Which need category a free-text message belongs to (or 无: not a request), with how sure we are.

Three signals are combined per label, then turned into a calibrated score with a softmax: weighted
keyword hits (exact, or by fuzzy pinyin for homophone typos like 高林津贴), a naive-Bayes model over
characters and character bigrams, and the nearest bundled phrasing by rapidfuzz similarity. Urgent words
(摔倒, 着火, 不想活...) and urgent child-protection words bypass all of it. All is built in the constructor.

Urgent words alert only for a present danger to a person (handlers.danger); otherwise the need is routed by
what it is and the words are kept as a `flag` for a worker's look.

Bands: "route" (score >= ROUTE_THRESHOLD), "clarify" (ask which of a few kinds first), "menu" (too unsure:
category None, show the menu). ``clarify`` is True for every answer that asks first, that is both of the
latter. A confident 无 (greeting, thanks, visit note) is category None with band "route": nothing to route,
just reply.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from pypinyin import lazy_pinyin
from rapidfuzz import fuzz, process

from data import protection
from data.alert_words import NOT_NOW, AlertMatcher, word_pattern
from data.categories import (
    NONE_LABEL,
    URGENT_LABEL,
    AlertWord,
    Category,
    load_categories,
    urgent_words,
)
from data.text import normalize
from handlers.danger import DangerJudge, flag_text
from handlers.smalltalk import pleasant_kind

ROUTE_THRESHOLD = 0.70  # score >= this: route without asking
CLARIFY_THRESHOLD = 0.30  # score in [CLARIFY, ROUTE): ask "您是想…吗？" before routing; below: show the menu
SHORT, SHORT_SURE = 3, 0.9  # a text of at most SHORT Chinese characters routes only when this sure
SECONDARY_MIN_KEYWORDS = 3.0  # keyword weight a clause needs for its own label to count as a secondary need
COMMAND_MIN_SCORE = 75.0  # fuzzy_command: similarity (0-100) a token needs to count as a command word

EXACT_SCORE = 0.95  # a text equal to a known phrasing (after normalisation) scores at least this
KEYWORD_CAP = 9.0  # keyword weight per label saturates here
PINYIN_HIT_FACTOR = 0.85  # a homophone hit counts a little less than an exact one
KNN_BASE = 0.3  # rapidfuzz ratio below this is noise
# Per-label signals, in order: keyword weight (capped), "has the strongest keywords", naive-Bayes mean
# log-odds, nearest-phrasing similarity, and two 无-only switches: no request cue / a request cue in the text.
# Weights fitted by `python bench/bench_classify.py --calibrate` (log-loss on writer-split folds of the
# phrasings), so a score of 0.9 means about nine in ten such texts are right.
WEIGHTS = (1.11, 0.11, 2.89, 0.812, 0.572, 0.237)
KNN_TOP = 12

_NUMBERS = re.compile(r"(?<![a-z0-9])(?:r\s*\d{4}\s*[-_－—–]?\s*\d{2,3}|t\s*\d{1,6})(?![0-9])|\d{7,}")
_SEP = re.compile(r"[\s,.!?;:~…\-—\"'“”‘’()\[\]【】《》<>/|、。，！？；：]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Some sign that the text asks for something (else 无 is more likely).
_REQUEST = re.compile(
    r"能不能|能否|可以|有没|没有|怎么|什么|哪里|几时|多少|吗|不$|帮|请|想|要|需要|求|找|麻烦|咨询|问|\?"
    r"|不会|不了|不动|不上|不够|没人|没钱|坏|完了|没了|疼|冷|漏|急|难受|烦|救"
)
_ASK = re.compile(r"能不能|能否|可以|有没|怎么|什么|哪里|几时|多少|吗|想|要|需要|请问|麻烦|\?")
_PAST = tuple("上次 上回 已经 批下来 办下来 办好了 办妥 收到了 拿到了 领到了 解决了 送到了".split())
_PAST_TIME = re.compile(
    r"昨天|前天|去年|前年|上个?月|前几天|前些天|以前|那年|小时候|[一两二三四五六七八九十几多好]+年"
)
# keywords with these characters are matched exactly only: 帮我叫 must not pass for 帮我交
_NO_HOMOPHONE = set("我你他她它帮的了不没有是在要想给也就都很个吗呢吧啊")
_THANKS = ("谢谢", "感谢", "多谢")
_SECONDARY = ("另外", "还有", "再问", "再一个")
_PRIORITY = ("先", "最要紧", "最急", "着急")


def clauses(norm: str) -> list[str]:
    return [c for c in _SEP.split(norm) if c]


def _flat(norm: str) -> str:
    return "".join(clauses(norm))


@lru_cache(maxsize=4096)
def _fuzzy_syllable(s: str) -> str:
    for a, b in (("zh", "z"), ("ch", "c"), ("sh", "s")):
        if s.startswith(a):
            s = b + s[2:]
            break
    if s.endswith(("ing", "eng")):
        s = s[:-1]
    return s


@lru_cache(maxsize=8192)
def _char_key(ch: str) -> str:
    return _fuzzy_syllable(lazy_pinyin(ch)[0]) if _HAN.match(ch) else ch


def pinyin_keys(s: str) -> list[str]:
    """One fuzzy pinyin syllable per character (zh/z, ch/c, sh/s, in/ing, en/eng merged); others kept."""
    return [_char_key(ch) for ch in s]


def _features(norm: str) -> list[str]:
    """Naive-Bayes features: Chinese characters and character bigrams within clauses."""
    feats: list[str] = []
    for c in clauses(norm):
        feats.extend(ch for ch in c if _HAN.match(ch))
        feats.extend(c[i : i + 2] for i in range(len(c) - 1))
    return feats


@dataclass(frozen=True)
class Match:
    category: str | None  # a label from data.categories.LABELS, or None for 无 / not understood
    score: float  # 0..1, calibrated confidence in the top label
    alternatives: list[tuple[str, float]] = field(default_factory=list)  # runners-up, best first, up to 3
    clarify: bool = False  # ask before routing (middle band)
    band: str = "menu"  # "route" | "clarify" | "menu"
    secondary: str | None = None  # a second need seen in the same message
    urgent: bool = False
    call: str | None = None  # 120 / 110 / 119 when urgent
    alerts: tuple[str, ...] = ()  # urgent words that fired
    protection: tuple[str, ...] = ()  # child-protection words that fired (mandatory report)
    flag: str | None = None  # urgent words that describe no present danger: for a worker's look


class _Keyword(NamedTuple):
    label: str
    word: str
    weight: float


class IntentMatcher:
    """Built once from the categories; ``match`` is then fast (well under 5 ms per text)."""

    def __init__(self, categories: Sequence[Category] | None = None) -> None:
        cats = list(categories) if categories is not None else load_categories()
        self.labels: tuple[str, ...] = tuple(c.label for c in cats)
        self._index = {label: i for i, label in enumerate(self.labels)}
        self.menu = {c.label: c.menu for c in cats}
        self._build_keywords(cats)
        self._build_phrasings(cats)
        # Urgent words are defused by the past and by habit too (经常摔倒 is no emergency now).
        words = urgent_words()
        self._urgent = AlertMatcher(words, NOT_NOW)
        self._danger = DangerJudge(words)
        self._protection = protection.matcher()

    def _build_keywords(self, cats: Sequence[Category]) -> None:
        self._kw_exact: dict[str, list[tuple[str, _Keyword]]] = {}
        self._kw_pinyin: dict[str, list[tuple[tuple[str, ...], _Keyword]]] = {}
        self._kw_gapped: list[tuple[re.Pattern[str], _Keyword]] = []
        for cat in cats:
            for word, weight in cat.keywords:
                kw = _Keyword(cat.label, normalize(word), weight)
                if "*" in kw.word:
                    self._kw_gapped.append((word_pattern(AlertWord(word=word), gap=3), kw))
                    continue
                self._kw_exact.setdefault(kw.word[0], []).append((kw.word, kw))
                if len(kw.word) >= 2 and all(_HAN.match(ch) and ch not in _NO_HOMOPHONE for ch in kw.word):
                    in_context = tuple(_fuzzy_syllable(s) for s in lazy_pinyin(kw.word))
                    for keys in {tuple(pinyin_keys(kw.word)), in_context}:
                        self._kw_pinyin.setdefault(keys[0], []).append((keys, kw))

    def _build_phrasings(self, cats: Sequence[Category]) -> None:
        n = len(self.labels)
        counts = [Counter() for _ in range(n)]
        self._choices: list[str] = []
        self._choice_label: list[int] = []
        exact: dict[str, set[int]] = {}
        for i, cat in enumerate(cats):
            for text in cat.phrasings:
                norm = normalize(text)
                counts[i].update(_features(norm))
                flat = _flat(norm)
                if flat:
                    self._choices.append(flat)
                    self._choice_label.append(i)
                    exact.setdefault(flat, set()).add(i)
            for word, _ in cat.keywords:
                counts[i].update(_features(normalize(word.replace("*", " "))))
        self._exact = {flat: next(iter(labs)) for flat, labs in exact.items() if len(labs) == 1}
        vocab = set().union(*counts)
        totals = [sum(c.values()) for c in counts]
        alpha = 0.5
        self._nb: dict[str, tuple[float, ...]] = {}
        for f in vocab:
            logs = [math.log((counts[i][f] + alpha) / (totals[i] + alpha * len(vocab))) for i in range(n)]
            mean = sum(logs) / n
            self._nb[f] = tuple(x - mean for x in logs)

    @staticmethod
    def _clause_weights(parts: list[str]) -> list[tuple[float, float]]:
        """(weight for keywords, extra factor for 紧急求助 keywords) per clause."""
        weights, damp = [], 1.0
        for n, part in enumerate(parts):
            if n and part.startswith(_SECONDARY) and not part.startswith("还有没"):
                damp = min(damp, 0.7)  # "还有…", "另外…": an added, lesser need from here on...
            if n and ("顺便" in part or "顺带" in part):
                damp = 0.4  # ..."顺便问一下…" even more so...
            w = 1.4 if any(m in part for m in _PRIORITY) else damp  # ...unless flagged "先…", "最急…"
            if any(m in part for m in (*_THANKS, *_PAST)) and not _ASK.search(part):
                w *= 0.35  # thanks, or a report of something already done
            weights.append((w, 0.4 if _PAST_TIME.search(part) else 1.0))
        return weights

    def _clause_keyword_scores(self, norm: str) -> tuple[list[list[float]], list[float]]:
        """Keyword weight per label for each clause (before clause weighting), and the clause weights."""
        parts = clauses(norm)
        urgent = self._index.get(URGENT_LABEL, -1)
        per_clause = [[0.0] * len(self.labels)]
        clause_weights = [0.0]
        for part, (cw, past) in zip(parts, self._clause_weights(parts), strict=True):
            scores = [0.0] * len(self.labels)
            per_clause.append(scores)
            clause_weights.append(cw)
            hits: list[tuple[int, int, float, _Keyword]] = []
            keys = pinyin_keys(part)
            for i, ch in enumerate(part):
                for word, kw in self._kw_exact.get(ch, ()):
                    if part.startswith(word, i):
                        hits.append((i, i + len(word), 1.0, kw))
                for pkeys, kw in self._kw_pinyin.get(keys[i], ()):
                    end = i + len(pkeys)
                    # a homophone typo changes some characters, never all of them
                    same = any(a == b for a, b in zip(part[i:end], kw.word, strict=False))
                    if same and tuple(keys[i:end]) == pkeys:
                        hits.append((i, end, PINYIN_HIT_FACTOR, kw))
            for pattern, kw in self._kw_gapped:
                for m in pattern.finditer(part):
                    hits.append((m.start(), m.end(), 1.0, kw))
            cover = [0] * len(part)
            seen: set[tuple[int, int, str]] = set()
            for start, end, factor, kw in sorted(hits, key=lambda h: (h[0] - h[1], -h[2])):
                if any(cover[p] > end - start for p in range(start, end)) or (start, end, kw.word) in seen:
                    continue  # a longer keyword already covers this text (老年饭桌 over 饭桌)
                seen.add((start, end, kw.word))
                for p in range(start, end):
                    cover[p] = end - start
                i = self._index[kw.label]
                scores[i] += kw.weight * factor * (past if i == urgent else 1.0)
        return per_clause, clause_weights

    def _nb_scores(self, norm: str) -> list[float]:
        feats = [self._nb[f] for f in _features(norm) if f in self._nb]
        if not feats:
            return [0.0] * len(self.labels)
        return [sum(col) / len(feats) for col in zip(*feats, strict=True)]

    def _knn_scores(self, flat: str) -> list[float]:
        best = [0.0] * len(self.labels)
        if not flat:
            return best
        cutoff = KNN_BASE * 100
        found = process.extract(flat, self._choices, scorer=fuzz.ratio, limit=KNN_TOP, score_cutoff=cutoff)
        for _, score, idx in found:
            lab = self._choice_label[idx]
            best[lab] = max(best[lab], (score / 100.0 - KNN_BASE) / (1.0 - KNN_BASE))
        return best

    def components(self, norm: str) -> tuple[list[list[float]], list[list[float]]]:
        """Per-label signal vectors (see WEIGHTS) and the unweighted keyword scores per clause."""
        per_clause, weights = self._clause_keyword_scores(norm)
        kw = [sum(s * w for s, w in zip(col, weights, strict=True)) for col in zip(*per_clause, strict=True)]
        nb = self._nb_scores(norm)
        knn = self._knn_scores(_flat(norm))
        top_kw = max(kw)
        has_han = bool(_HAN.search(norm))
        request = bool(_REQUEST.search(norm))
        none = self._index.get(NONE_LABEL, -1)
        quiet, asking = float(has_han and not request), float(has_han and request)
        rows = []
        for i, (k, b, s) in enumerate(zip(kw, nb, knn, strict=True)):
            flags = [quiet, asking] if i == none else [0.0, 0.0]
            rows.append([min(k, KEYWORD_CAP), float(k > 0 and k == top_kw), b, s, *flags])
        return rows, per_clause

    def _probabilities(self, norm: str) -> tuple[list[float], list[list[float]]]:
        rows, kw = self.components(norm)
        logits = [sum(w * x for w, x in zip(WEIGHTS, row, strict=True)) for row in rows]
        top = max(logits)
        exps = [math.exp(x - top) for x in logits]
        total = sum(exps)
        probs = [e / total for e in exps]
        known = self._exact.get(_flat(norm))
        if known is not None and probs[known] < EXACT_SCORE:  # the very text of a bundled/admin phrasing
            rest = (1.0 - EXACT_SCORE) / max(1e-9, 1.0 - probs[known])
            probs = [EXACT_SCORE if i == known else p * rest for i, p in enumerate(probs)]
        return probs, kw

    def match(self, text: str) -> Match:
        # Request and ticket numbers and phone numbers are no words: R1203-02 or 13812012345 holds no 「120」.
        norm = _NUMBERS.sub(" ", normalize(text))
        probs, kw = self._probabilities(norm)
        # The listed urgent words, and the signs of an acute danger when they add up (for wordings no list has).
        words = [*self._urgent.find(norm, normalized=True), *filter(None, [self._danger.acute(norm)])]
        present, defused = self._danger.judge(norm, words)
        guards = self._protection.find(norm, normalized=True)
        protection = tuple(w.word for w in guards)
        alarm = present + [w for w in guards if w.urgent]
        ranked = sorted(zip(self.labels, probs, strict=True), key=lambda p: -p[1])
        if alarm:  # a present danger wins over everything else
            others = [(lab, round(p, 3)) for lab, p in ranked if lab not in (URGENT_LABEL, NONE_LABEL)]
            second, words = self._secondary(kw, URGENT_LABEL), tuple(w.word for w in alarm)
            return Match(URGENT_LABEL, 1.0, others[:3], False, "route", second, True, alarm[0].call, words,
                         protection)
        if pleasant_kind(text) is not None:  # 好的, 谢谢, 辛苦了, 👍, 色俩目: never a request
            return Match(None, 1.0, [], False, "route", protection=protection)
        flag = flag_text(defused)
        if flag:  # alarm words, but no danger now: the need is what the rest of the message says
            ranked = _without(ranked, URGENT_LABEL)
        if not _HAN.search(norm) and not any(map(any, kw)):  # emoji, "ok", "1", punctuation
            return Match(None, 1.0, [], False, "route", protection=protection)
        label, score = ranked[0]
        band = "route" if score >= ROUTE_THRESHOLD else "clarify" if score >= CLARIFY_THRESHOLD else "menu"
        if label == URGENT_LABEL and band == "clarify" and not flag:
            band = "route"  # an emergency does not wait for a question: 紧急求助 on top alerts
        if band == "route" and label != NONE_LABEL and len(_HAN.findall(norm)) <= SHORT and score < SHORT_SURE:
            band = "clarify"  # one word (「孩子」) is too little to route without asking
        category = None if label == NONE_LABEL or band == "menu" else label
        alts = [(lab, round(p, 3)) for lab, p in ranked if lab not in (NONE_LABEL, category)][:3]
        secondary = self._secondary(kw, category) if category else None
        urgent = category == URGENT_LABEL and band == "route"
        # Everything but a confident answer asks first: which kind (clarify) or the whole menu.
        clarify = band != "route"
        return Match(category, round(score, 3), alts, clarify, band, secondary, urgent, protection=protection,
                     flag=flag if category else None)

    def _secondary(self, per_clause: list[list[float]], primary: str | None) -> str | None:
        """Another need with a clause of its own: the label leading some clause with enough keyword weight."""
        best, best_score = None, SECONDARY_MIN_KEYWORDS
        for scores in per_clause:
            top = max(range(len(scores)), key=scores.__getitem__)
            label = self.labels[top]
            if label not in (primary, NONE_LABEL) and scores[top] >= best_score:
                best, best_score = label, scores[top]
        return best


def _without(ranked: list[tuple[str, float]], label: str) -> list[tuple[str, float]]:
    """The ranking with one label taken out and the rest renormalised."""
    kept = [(lab, p) for lab, p in ranked if lab != label]
    total = sum(p for _, p in kept) or 1.0
    return [(lab, p / total) for lab, p in kept]


def fuzzy_command(token: str, vocabulary: Iterable[str]) -> str | None:
    """The command word ``token`` was meant to be, or None when nothing is close enough (or two are).

    Tolerates pinyin-IME homophones (走防 -> 走访, 帮组 -> 帮助, 明单 -> 名单), one wrong character in
    longer words, one extra character (走访了 -> 走访) and typed pinyin (zoufang -> 走访). Never maps an
    ordinary word that merely shares a character (跳舞 is not 跳过). The dispatcher asks about every short
    first word that is no command, with the same vocabulary: answers are kept per (token, vocabulary).
    """
    return _fuzzy_command(token, tuple(vocabulary))


@lru_cache(maxsize=4096)
def _fuzzy_command(token: str, vocabulary: tuple[str, ...]) -> str | None:
    tok = normalize(token).replace(" ", "")
    by_norm = _normalized_vocabulary(vocabulary)
    if not tok or not by_norm:
        return None
    if tok in by_norm:
        return by_norm[tok]
    if tok.isascii():
        spelled = {"".join(lazy_pinyin(n)): v for n, v in by_norm.items() if _HAN.search(n)}
        if tok in spelled:
            return spelled[tok]
        hit = process.extractOne(tok, list(spelled), scorer=fuzz.ratio, score_cutoff=85)
        return spelled[hit[0]] if hit and len(tok) > 4 else None
    key = pinyin_keys(tok)

    def closeness(n: str) -> float:
        if len(n) == len(tok):
            if pinyin_keys(n) == key:
                return 100.0  # same sound: the usual pinyin-IME slip
            if len(tok) >= 3 and sum(a == b for a, b in zip(tok, n, strict=True)) == len(tok) - 1:
                return fuzz.ratio(" ".join(key), " ".join(pinyin_keys(n)))
        elif len(tok) == len(n) + 1 and len(n) >= 2 and (tok.startswith(n) or tok.endswith(n)):
            return 90.0
        return 0.0

    ranked = sorted(((closeness(n), v) for n, v in by_norm.items()), reverse=True)
    if ranked[0][0] < COMMAND_MIN_SCORE or (len(ranked) > 1 and ranked[1][0] == ranked[0][0]):
        return None  # nothing close, or two equally close
    return ranked[0][1]


@lru_cache(maxsize=16)
def _normalized_vocabulary(vocabulary: tuple[str, ...]) -> dict[str, str]:
    return {normalize(v).replace(" ", ""): v for v in vocabulary}


def classify_lines(lines: Iterable[str], matcher: IntentMatcher) -> Iterator[dict]:
    """One result dict per non-empty line: text, category (None for 无), score, alternatives, band (route,
    clarify, menu), clarify (True whenever laoxiao asks before routing) and urgent (an alert is raised)."""
    for line in lines:
        text = line.strip()
        if not text:
            continue
        m = matcher.match(text)
        alternatives = [[lab, score] for lab, score in m.alternatives]
        yield {"text": text, "category": m.category, "score": m.score, "alternatives": alternatives,
               "band": m.band, "clarify": m.clarify, "urgent": m.urgent}
