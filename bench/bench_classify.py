"""Accuracy and speed of the intent matcher.

    python bench/bench_classify.py               # table: held-out set and, if present, ../shared dev set
    python bench/bench_classify.py --phrasings 3000   # the same, phrasings padded to 3,000
    python bench/bench_classify.py --calibrate   # refit handlers.intent.WEIGHTS by cross-validation

Top-1 accuracy: predicted category (None counts as 无) equals the label. Wrong-without-asking: share of
items where clarify is False and the category is wrong. Times are per text, after construction.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import math
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from data.categories import load_categories, read_phrasings_tsv  # noqa: E402
from handlers import intent  # noqa: E402
from handlers.intent import IntentMatcher, normalize  # noqa: E402

HOLDOUT = ROOT / "tests" / "data" / "intents_holdout.tsv"
DEV = ROOT.parent / "shared" / "intents-dev.tsv"
MIN_PHRASINGS = 1000
# Neutral wrappers used only to pad the phrasing count for the speed measurement.
PAD_TEMPLATES = ("{}，麻烦了", "请问一下，{}", "{}，麻烦你们了", "打扰一下 {}", "{}。谢谢啦")


def measure(matcher: IntentMatcher, rows: list[tuple[str, str]], repeats: int = 3) -> dict[str, float]:
    """Quality on one pass; time per text as the best of ``repeats`` runs (less scheduler noise), and raw."""
    right = wrong_silent = asked = 0
    for text, label in rows:
        m = matcher.match(text)
        right += (m.category or "无") == label
        wrong_silent += (m.category or "无") != label and not m.clarify
        asked += m.clarify
    runs = []
    for _ in range(repeats):
        times = []
        for text, _ in rows:
            start = time.perf_counter()
            matcher.match(text)
            times.append((time.perf_counter() - start) * 1000)
        runs.append(times)
    best = sorted(map(min, zip(*runs, strict=True)))
    raw = sorted(t for run in runs for t in run)
    n = len(rows)
    return {
        "n": n,
        "acc": right / n,
        "wwa": wrong_silent / n,
        "clarify": asked / n,
        "median": statistics.median(best),
        "p99": best[min(n - 1, math.ceil(0.99 * n) - 1)],
        "p99_raw": raw[min(len(raw) - 1, math.ceil(0.99 * len(raw)) - 1)],
    }


def padded_matcher(minimum: int = MIN_PHRASINGS) -> tuple[IntentMatcher, int, int]:
    """The matcher over the bundled phrasings, padded to ``minimum`` with generated variants (extra TSV)."""
    cats = load_categories()
    bundled = sum(len(c.phrasings) for c in cats)
    variants = (
        f"{template.format(text)}\t{cat.label}"
        for template in PAD_TEMPLATES
        for cat in cats
        if cat.label != "无"
        for text in cat.phrasings
    )
    lines = list(itertools.islice(variants, max(0, minimum - bundled)))
    if not lines:
        return IntentMatcher(cats), bundled, 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "padding.tsv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return IntentMatcher(load_categories(str(path))), bundled, len(lines)


def bench(minimum: int = MIN_PHRASINGS) -> None:
    start = time.perf_counter()
    matcher, bundled, padded = padded_matcher(minimum)
    built = time.perf_counter() - start
    note = f" + {padded} generated variants (padding to {minimum})" if padded else ""
    print(
        f"phrasings: {bundled} bundled{note}; construction {built:.2f} s; load {os.getloadavg()[0]:.2f}"
    )
    sets = [("holdout", HOLDOUT)]
    if DEV.exists():
        sets.append(("dev", DEV))
    else:
        print(f"dev set not found at {DEV}: skipped")
    for text, _ in read_phrasings_tsv(HOLDOUT)[:20]:
        matcher.match(text)  # warm the pinyin caches
    print(
        f"{'set':<9}{'n':>5}{'top-1':>8}{'wrong-no-ask':>14}{'clarify':>9}{'median ms':>11}{'p99 ms':>8}"
        f"{'p99 raw':>9}"
    )
    for name, path in sets:
        r = measure(matcher, read_phrasings_tsv(path))
        print(
            f"{name:<9}{r['n']:>5}{r['acc']:>8.1%}{r['wwa']:>14.1%}{r['clarify']:>9.1%}{r['median']:>11.2f}"
            f"{r['p99']:>8.2f}{r['p99_raw']:>9.2f}"
        )
    print("times per text: median and p99 of each text's best of 3 runs; 'p99 raw' over every run")
    print(
        f"targets (dev): top-1 >= 90%, wrong-no-ask <= 2%, p99 < 5 ms;"
        f" bands: route >= {intent.ROUTE_THRESHOLD}, clarify >= {intent.CLARIFY_THRESHOLD}"
    )


# -- calibration --------------------------------------------------------------------------------
def out_of_fold(folds: int = 5, seed: int = 7) -> list[tuple[list[list[float]], int]]:
    """Signal vectors for every bundled phrasing, computed by a matcher that never saw it."""
    cats = load_categories()
    rng = random.Random(seed)
    assign = {}
    for cat in cats:
        texts = list(cat.phrasings)
        rng.shuffle(texts)
        assign.update({(t, cat.label): i % folds for i, t in enumerate(texts)})
    samples = []
    for f in range(folds):
        train = [
            dataclasses.replace(c, phrasings=tuple(t for t in c.phrasings if assign[t, c.label] != f))
            for c in cats
        ]
        m = IntentMatcher(train)
        for (text, label), fold in assign.items():
            if fold == f:
                rows, _ = m.components(normalize(text))
                samples.append((rows, m.labels.index(label)))
    return samples


def _loss_grad_hess(w, samples, l2):
    k = len(w)
    loss = 0.5 * l2 * sum(x * x for x in w)
    grad = [l2 * x for x in w]
    hess = [[l2 if i == j else 0.0 for j in range(k)] for i in range(k)]
    n = len(samples)
    for rows, gold in samples:
        logits = [sum(a * b for a, b in zip(w, r, strict=True)) for r in rows]
        top = max(logits)
        exps = [math.exp(x - top) for x in logits]
        total = sum(exps)
        probs = [e / total for e in exps]
        loss -= (logits[gold] - top - math.log(total)) / n
        mean = [sum(p * r[j] for p, r in zip(probs, rows, strict=True)) for j in range(k)]
        for j in range(k):
            grad[j] += (mean[j] - rows[gold][j]) / n
        for p, r in zip(probs, rows, strict=True):
            d = [r[j] - mean[j] for j in range(k)]
            for i in range(k):
                if d[i]:
                    for j in range(k):
                        hess[i][j] += p * d[i] * d[j] / n
    return loss, grad, hess


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    k = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(k):
        piv = max(range(c, k), key=lambda r: abs(m[r][c]))
        m[c], m[piv] = m[piv], m[c]
        for r in range(k):
            if r != c and m[c][c]:
                f = m[r][c] / m[c][c]
                m[r] = [x - f * y for x, y in zip(m[r], m[c], strict=True)]
    return [m[i][k] / m[i][i] if m[i][i] else 0.0 for i in range(k)]


def fit(samples: list[tuple[list[list[float]], int]], l2: float = 0.01, steps: int = 25) -> list[float]:
    """Conditional-logit weights shared across labels: damped Newton steps on the mean log-loss + L2."""
    w = list(intent.WEIGHTS)
    loss, grad, hess = _loss_grad_hess(w, samples, l2)
    for _ in range(steps):
        step = _solve(hess, grad)
        t = 1.0
        while t > 1e-3:
            cand = [a - t * s for a, s in zip(w, step, strict=True)]
            new = _loss_grad_hess(cand, samples, l2)
            if new[0] <= loss:
                break
            t /= 2
        else:
            break
        if loss - new[0] < 1e-7:
            w = cand
            break
        w, (loss, grad, hess) = cand, new
    print(f"out-of-fold log-loss {loss:.4f} on {len(samples)} phrasings")
    return w


def calibrate() -> None:
    samples = out_of_fold()
    weights = fit(samples)
    print("WEIGHTS = (" + ", ".join(f"{x:.3g}" for x in weights) + ")")
    print("out-of-fold precision by score (with these weights):")
    scored = []
    for rows, gold in samples:
        logits = [sum(a * b for a, b in zip(weights, r, strict=True)) for r in rows]
        best = max(range(len(logits)), key=logits.__getitem__)
        top = max(logits)
        p = 1 / sum(math.exp(x - top) for x in logits)
        scored.append((p, best == gold))
    for lo, hi in ((0, 0.3), (0.3, 0.5), (0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.01)):
        hits = [ok for p, ok in scored if lo <= p < hi]
        if hits:
            print(f"  [{lo:.1f}, {min(hi, 1):.1f}): n={len(hits):4d} precision={sum(hits) / len(hits):.1%}")


if __name__ == "__main__":
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--calibrate", action="store_true", help="refit WEIGHTS by cross-validation")
    parser.add_argument("--phrasings", type=int, default=MIN_PHRASINGS, help="pad to at least this many")
    args = parser.parse_args()
    calibrate() if args.calibrate else bench(args.phrasings)
