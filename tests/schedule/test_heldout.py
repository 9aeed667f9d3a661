"""The held-out sets of issue 19, kept as regression tables once measured: every clear phrase
right, and what a person cannot date stays unparsed or manual (never a wrong date)."""

from __future__ import annotations

from datetime import date

import pytest

from roadmap.schedule import parse
from tests.schedule.heldout_phrases import HELDOUT, HELDOUT_2, HELDOUT_3, HELDOUT_4

PERIODS = {
    "2026": (date(2026, 1, 1), date(2026, 12, 31), "calendar"),
    "A25": (date(2025, 9, 1), date(2026, 8, 31), "academic"),
}


def _fmt(o) -> str:
    return o.start.isoformat() if o.start == o.due else f"{o.start.isoformat()}/{o.due.isoformat()}"


@pytest.mark.parametrize(("period", "phrase", "expected"), HELDOUT + HELDOUT_2 + HELDOUT_3 + HELDOUT_4)
def test_heldout_phrase(period, phrase, expected):
    schedule = parse(phrase)
    start, end, year_type = PERIODS[period]
    if expected is None:
        assert not schedule.is_parsed, schedule.explanation
        return
    got = [_fmt(o) for o in schedule.occurrences(start, end, year_type)]
    if expected == "12x":  # monthly: twelve occurrences
        assert schedule.kind == "periodic" and len(got) == 12
    else:
        assert got == expected, schedule.explanation
