"""The written visit notes (tests/data/visit_notes_*.tsv, six writers' styles) come out right end to end."""

from __future__ import annotations

import pytest

from tests.visit_note_set import read_notes, report, score


@pytest.mark.parametrize("name", ["visit_notes_dev.tsv", "visit_notes_holdout.tsv"])
def test_every_written_note_is_read_exactly(name):
    notes = read_notes(name)
    results = score(notes)
    assert len(notes) >= 25
    assert all(r.exact for r in results), report(name, results)


def test_the_sets_hold_at_least_sixty_notes_from_several_writers():
    notes = read_notes("visit_notes_dev.tsv") + read_notes("visit_notes_holdout.tsv")
    assert len(notes) >= 60 and len({n.writer for n in notes}) >= 5
