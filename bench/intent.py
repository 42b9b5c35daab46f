"""Intent matching with 1,000 and 5,000 phrasings: construction time and time per message (median, p99), on
the held-out test set (accuracy is bench/bench_classify.py's business)."""

from __future__ import annotations

import time

from bench.bench_classify import HOLDOUT, measure, padded_matcher
from data.categories import read_phrasings_tsv


def run(phrasings: int) -> dict:
    start = time.perf_counter()
    matcher, bundled, padded = padded_matcher(phrasings)
    built = time.perf_counter() - start
    rows = read_phrasings_tsv(HOLDOUT)
    for text, _ in rows[:20]:
        matcher.match(text)  # warm the pinyin caches
    result = measure(matcher, rows)
    return {"phrasings": bundled + padded, "build_s": built, **result}
