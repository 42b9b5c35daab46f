"""Accuracy and speed of the intent matcher, measured on writers it never saw.

    python bench/bench_classify.py                # writer-split k-fold, emergencies, held-out set, speed
    python bench/bench_classify.py --dev PATH     # also score a labelled TSV (information only)
    python bench/bench_classify.py --calibrate    # refit handlers.intent.WEIGHTS on writer-split folds

The corpus (data/reference/phrasings.tsv) keeps the writer of every line. The k-fold splits by writer, not by
line: each fold holds out every line of one writer, builds the matcher from the other writers' lines (and the
keyword lists, which belong to no fold), and classifies the held-out lines. A writer's turns of phrase never
help the matcher on that writer's own messages, so the figure estimates what a new sender would see.

Writers (each a persona of the domain notes; one voice per writer): seed (the first phrasings); mahailong (a son
working in Xinjiang, long run-on sentences); dingxiumei (a daughter-in-law in Yinchuan, short, 咋整, two needs);
yangnainai and yeye (elders by voice input: homophones, no punctuation, Ningxia speech); linju and dianzhu (a
hesitant neighbour, a shopkeeper); huizu and huinainai (Hui families: greetings and blessings, halal meals);
chuzhong and xiaozhang (pupils); liming (a village child director's voice notes); mali (a social worker,
terse); sushifu (a team leader); laohan and laoyeye2 (elder men writing for themselves); nainai (a grandmother
raising grandchildren); guangzhou (a daughter far away, standard Mandarin); wangjie (a young mother); laoshi (a
village teacher); canji (a disabled man); qinqi (a nephew); cunguan (a student volunteer); dabao (a blunt son);
xiaoma (a grandson, casual, stickers); zuzhang (a village group leader); erxi (a daughter-in-law in town).

Top-1: the predicted category (None counts as 无) equals the label. Wrong-without-asking: the category is wrong
and laoxiao did not ask first (clarify False). Emergency recall: lines labelled 紧急求助 that raise an alert.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import math
import os
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from data.categories import URGENT_LABEL, corpus, load_categories, read_corpus, read_phrasings_tsv  # noqa: E402
from handlers import intent  # noqa: E402
from handlers.intent import IntentMatcher, normalize  # noqa: E402

HOLDOUT = ROOT / "tests" / "data" / "intents_holdout.tsv"
EMERGENCIES = ROOT / "tests" / "data" / "emergencies.tsv"
NOT_NOW = ROOT / "tests" / "data" / "alarm_words_no_danger.tsv"
MIN_PHRASINGS = 3000
TARGETS = "targets on other writers: top-1 >= 93%, wrong without asking <= 2%, emergencies 100%"
# Neutral wrappers used only to pad the phrasing count for the speed measurement.
PAD_TEMPLATES = ("{}，麻烦了", "请问一下，{}", "{}，麻烦你们了", "打扰一下 {}", "{}。谢谢啦")


@dataclasses.dataclass
class Score:
    n: int = 0
    right: int = 0
    wrong_silent: int = 0
    asked: int = 0
    emergencies: int = 0
    alerted: int = 0
    false_alarms: int = 0

    def add(self, label: str, m: intent.Match) -> None:
        got = m.category or "无"
        self.n += 1
        self.right += got == label
        self.wrong_silent += got != label and not m.clarify
        self.asked += m.clarify
        if label == URGENT_LABEL:
            self.emergencies += 1
            self.alerted += m.urgent
        else:
            self.false_alarms += m.urgent

    def line(self, name: str) -> str:
        recall = f"{self.alerted / self.emergencies:.1%}" if self.emergencies else "-"
        return (f"{name:<12}{self.n:>6}{self.right / self.n:>8.1%}{self.wrong_silent / self.n:>14.1%}"
                f"{self.asked / self.n:>9.1%}{recall:>12}{self.false_alarms:>13}")


HEADER = f"{'':<12}{'n':>6}{'top-1':>8}{'wrong-no-ask':>14}{'asks':>9}{'emerg.recall':>12}{'false alarms':>13}"


def writer_folds(rows: tuple[tuple[str, str, str], ...]) -> tuple[Score, dict[str, Score], Counter]:
    """Leave one writer out: pooled score, score per writer, and the confusions (label, predicted)."""
    pooled, per_writer, confusions = Score(), defaultdict(Score), Counter()
    for writer in sorted({w for _, _, w in rows}):
        train = tuple(r for r in rows if r[2] != writer)
        matcher = IntentMatcher(load_categories(phrasings=train))
        for text, label, _ in (r for r in rows if r[2] == writer):
            m = matcher.match(text)
            pooled.add(label, m)
            per_writer[writer].add(label, m)
            if (m.category or "无") != label:
                confusions[(label, m.category or "无", m.clarify)] += 1
    return pooled, dict(per_writer), confusions


def score_file(matcher: IntentMatcher, path: Path) -> Score:
    score = Score()
    for text, label in read_phrasings_tsv(path):
        score.add(label, matcher.match(text))
    return score


def speed(matcher: IntentMatcher, texts: list[str], repeats: int = 3) -> tuple[float, float]:
    """Median and p99 ms per text, each text's best of `repeats` runs (less scheduler noise)."""
    runs = []
    for _ in range(repeats):
        times = []
        for text in texts:
            start = time.perf_counter()
            matcher.match(text)
            times.append((time.perf_counter() - start) * 1000)
        runs.append(times)
    best = sorted(map(min, zip(*runs, strict=True)))
    return statistics.median(best), best[min(len(best) - 1, math.ceil(0.99 * len(best)) - 1)]


def padded_matcher(minimum: int) -> tuple[IntentMatcher, int, int]:
    """The matcher over the bundled phrasings, padded to ``minimum`` with generated variants (extra TSV)."""
    cats = load_categories()
    bundled = sum(len(c.phrasings) for c in cats)
    variants = (f"{template.format(text)}\t{cat.label}" for template in PAD_TEMPLATES for cat in cats
                if cat.label != "无" for text in cat.phrasings)
    lines = list(itertools.islice(variants, max(0, minimum - bundled)))
    if not lines:
        return IntentMatcher(cats), bundled, 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "padding.tsv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return IntentMatcher(load_categories(str(path))), bundled, len(lines)


def bench(dev: Path | None, minimum: int) -> None:
    rows = corpus()
    writers = Counter(w for _, _, w in rows)
    print(f"corpus: {len(rows)} phrasings by {len(writers)} writers "
          f"({', '.join(f'{w} {n}' for w, n in sorted(writers.items()))}); load {os.getloadavg()[0]:.2f}")
    start = time.perf_counter()
    pooled, per_writer, confusions = writer_folds(rows)
    took = time.perf_counter() - start
    print(f"\nwriter-split k-fold ({len(writers)} folds, one writer held out each; {took:.0f} s):")
    print(HEADER)
    for writer, score in sorted(per_writer.items()):
        print(score.line(writer))
    print(pooled.line("ALL (pooled)"))
    others = Score(**{f.name: sum(getattr(s, f.name) for w, s in per_writer.items() if w != "seed")
                      for f in dataclasses.fields(Score)})
    print(others.line("ALL but seed"))
    print("most frequent confusions (label -> predicted, asked first?):")
    for (label, got, asked), count in confusions.most_common(12):
        print(f"  {label} -> {got}{' (asked)' if asked else ''}: {count}")

    matcher = IntentMatcher()
    print("\nfull matcher on committed sets:")
    print(HEADER)
    for name, path in (("emergencies", EMERGENCIES), ("no danger", NOT_NOW), ("holdout", HOLDOUT)):
        if path.exists():
            print(score_file(matcher, path).line(name))
    if dev is not None:
        if dev.exists():
            print(score_file(matcher, dev).line("dev (info)") + f"   <- {dev}")
        else:
            print(f"dev set not found at {dev}: skipped")

    big, bundled, padded = padded_matcher(minimum)
    texts = [t for t, _, _ in rows[:400]]
    for text in texts[:20]:
        big.match(text)  # warm the pinyin caches
    median, p99 = speed(big, texts)
    note = f" + {padded} generated variants" if padded else ""
    print(f"\nspeed with {bundled} phrasings{note}: median {median:.2f} ms, p99 {p99:.2f} ms per text")
    print(f"{TARGETS}; bands: route >= {intent.ROUTE_THRESHOLD}, clarify >= {intent.CLARIFY_THRESHOLD}")


# -- calibration --------------------------------------------------------------------------------
def out_of_fold() -> list[tuple[list[list[float]], int]]:
    """Signal vectors for every corpus line, computed by a matcher that never saw its writer."""
    rows = corpus()
    samples = []
    for writer in sorted({w for _, _, w in rows}):
        m = IntentMatcher(load_categories(phrasings=tuple(r for r in rows if r[2] != writer)))
        for text, label, _ in (r for r in rows if r[2] == writer):
            components, _ = m.components(normalize(text))
            samples.append((components, m.labels.index(label)))
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
    parser.add_argument("--calibrate", action="store_true", help="refit WEIGHTS on writer-split folds")
    parser.add_argument("--dev", type=Path, help="a labelled TSV to score too (information only)")
    parser.add_argument("--phrasings", type=int, default=MIN_PHRASINGS, help="pad to at least this many (speed)")
    args = parser.parse_args()
    calibrate() if args.calibrate else bench(args.dev, args.phrasings)
    _ = read_corpus  # re-exported for measurement scripts
