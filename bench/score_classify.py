#!/usr/bin/env python3
"""Score `laoxiao classify` output against a labelled TSV (text<TAB>category, header line optional).

    laoxiao classify --timing < ../shared/intents-dev.tsv | python bench/score_classify.py ../shared/intents-dev.tsv

Lines are matched by position; a label of 无 means "not a request" (category null).
"""

from __future__ import annotations

import json
import sys
from collections import Counter


def main(labels_path: str) -> int:
    rows = [line.rstrip("\n").split("\t") for line in open(labels_path, encoding="utf-8") if line.strip()]
    if rows and rows[0][:2] == ["text", "category"]:
        rows = rows[1:]
    results = [json.loads(line) for line in sys.stdin if line.strip()]
    if len(results) != len(rows):
        print(f"expected {len(rows)} results, got {len(results)}", file=sys.stderr)
        return 2
    right = wrong_silent = asked = 0
    confusions: Counter[tuple[str, str]] = Counter()
    for (_text, label), result in zip(rows, results, strict=True):
        got = result["category"] or "无"
        asked += bool(result["clarify"])
        if got == label:
            right += 1
        else:
            confusions[(label, got)] += 1
            wrong_silent += not result["clarify"]
    n = len(rows)
    print(f"texts {n}  top-1 {right / n:.1%}  wrong-without-asking {wrong_silent / n:.1%}  asks first {asked / n:.1%}")
    for (label, got), count in confusions.most_common():
        print(f"  {label} -> {got}: {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
