#!/usr/bin/env python3
"""Score `laoxiao classify` output against a labelled TSV (text<TAB>category[<TAB>writer], header optional).

    laoxiao classify --timing < ../shared/intents-dev.tsv | python bench/score_classify.py ../shared/intents-dev.tsv

Lines are matched by position; a label of 无 means "not a request" (category null). Top-1: the category
equals the label. Wrong without asking: wrong, and `clarify` false (laoxiao neither offered a choice nor
showed the menu). Emergency recall: lines labelled 紧急求助 whose result is `urgent` (an alert is raised).
"""

from __future__ import annotations

import json
import sys
from collections import Counter

URGENT = "紧急求助"


def main(labels_path: str) -> int:
    rows = [line.rstrip("\n").split("\t") for line in open(labels_path, encoding="utf-8") if line.strip()]
    rows = [r for r in rows if not r[0].startswith("#")]
    if rows and [c.lower() for c in rows[0][:2]] in (["text", "category"], ["text", "label"]):
        rows = rows[1:]
    results = [json.loads(line) for line in sys.stdin if line.strip()]
    if len(results) != len(rows):
        print(f"expected {len(rows)} results, got {len(results)}", file=sys.stderr)
        return 2
    right = wrong_silent = asked = emergencies = alerted = false_alarms = 0
    confusions: Counter[tuple[str, str]] = Counter()
    for row, result in zip(rows, results, strict=True):
        label = row[1].strip()
        got = result["category"] or "无"
        asked += bool(result["clarify"])
        urgent = bool(result.get("urgent", got == URGENT))
        if label == URGENT:
            emergencies += 1
            alerted += urgent
        else:
            false_alarms += urgent
        if got == label:
            right += 1
        else:
            confusions[(label, got)] += 1
            wrong_silent += not result["clarify"]
    n = len(rows)
    recall = f"{alerted / emergencies:.1%} ({alerted}/{emergencies})" if emergencies else "-"
    print(f"texts {n}  top-1 {right / n:.1%}  wrong-without-asking {wrong_silent / n:.1%}  asks first {asked / n:.1%}"
          f"  emergency recall {recall}  false alarms {false_alarms}")
    for (label, got), count in confusions.most_common():
        print(f"  {label} -> {got}: {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
