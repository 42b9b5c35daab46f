"""Visit notes read end to end: how many come out exactly right (recipients, date, mode, outcome, needs).

    python bench/score_visits.py             # the dev set (tuned on) and the held-out set (scored once)

Each note goes through the real WeChat callback as its writer would send it, is confirmed when laoxiao shows
the summary, and the stored visits are compared with the expectations in tests/data/visit_notes_*.tsv.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.visit_note_set import read_notes, report, score  # noqa: E402


def main() -> int:
    for name, path in (("dev set", "visit_notes_dev.tsv"), ("held-out set", "visit_notes_holdout.tsv")):
        print(report(name, score(read_notes(path))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
