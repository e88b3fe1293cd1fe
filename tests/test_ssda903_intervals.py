"""The interval engine of the 903 adapter: spans chained into periods, gaps, containment."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from missingcare.adapters.ssda903.intervals import Span, chain_periods, containing, gaps

D = date(2025, 4, 1)


def d(n: int) -> date:
    return D + timedelta(days=n)


def test_touching_spans_chain_and_a_gap_starts_a_new_period() -> None:
    spans = [Span(d(0), d(10), 0), Span(d(10), d(20), 1), Span(d(25), None, 2)]
    periods = chain_periods(spans)
    assert [(p.start, p.end, [s.item for s in p.members]) for p in periods] == [
        (d(0), d(20), [0, 1]),
        (d(25), None, [2]),
    ]
    assert [(g.start, g.end) for g in gaps(periods)] == [(d(20), d(25))]


def test_an_open_span_absorbs_what_follows_and_the_last_member_ends_the_period() -> None:
    periods = chain_periods([Span(d(5), d(8), "b"), Span(d(0), None, "a")])
    assert [(p.start, p.end) for p in periods] == [(d(0), d(8))]


def test_containing() -> None:
    spans = [Span(d(0), d(3), 0), Span(d(3), None, 1), Span(d(-9), d(-1), 2)]
    assert [s.item for s in containing(spans, d(3))] == [0, 1]
    assert [s.item for s in containing(spans, d(100))] == [1]
    assert Span(d(0), None, 0).is_open


_spans = st.lists(
    st.tuples(st.integers(0, 60), st.none() | st.integers(0, 20)).map(
        lambda t: Span(d(t[0]), None if t[1] is None else d(t[0] + t[1]), t)
    ),
    max_size=12,
)


@given(_spans)
def test_every_span_lands_in_exactly_one_period_and_periods_are_separated(
    spans: list[Span[date, object]],
) -> None:
    periods = chain_periods(spans)
    assert sorted(map(repr, (s for p in periods for s in p.members))) == sorted(map(repr, spans))
    for p in periods:
        assert all(p.start <= s.start for s in p.members)
    for a, b in itertools.pairwise(periods):
        assert a.end is not None
        assert a.end < b.start
    assert len(gaps(periods)) == max(0, len(periods) - 1)


def test_the_old_path_still_works_with_a_warning() -> None:
    import missingcare.intervals as old

    with pytest.warns(DeprecationWarning, match=r"missingcare\.adapters\.ssda903\.intervals"):
        assert old.chain_periods is chain_periods
    for name in ("Gap", "Period", "Span", "containing", "gaps"):
        with pytest.warns(
            DeprecationWarning, match=rf"missingcare\.intervals\.{name} is deprecated"
        ):
            getattr(old, name)
    with pytest.raises(AttributeError):
        old.nothing  # noqa: B018 - the lookup is the test
