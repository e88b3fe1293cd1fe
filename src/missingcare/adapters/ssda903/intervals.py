"""Dated intervals: episodes with a start and an optional end, chained into periods.

Statutory returns are full of "episode-like" rows — episodes of care (903
``DECOM``/``DEC``), missing episodes (``MIS_START``/``MIS_END``), and from
2026/27 deprivation-of-liberty orders (``DOLO_START``/``DOLO_END``). The same
questions recur for all of them: which episodes chain into one *period*
(contiguous, no gap), where the gaps are, and which period or episode holds a
given day. This module answers them once, for any ordered value (``date``,
``datetime``…), with an open end (``None``) meaning "still going on".

It is pure and generic: it knows nothing about 903 or missing episodes. The
903 rules are its user (periods of care for rules 577 and 578, the care
episode a missing episode starts in for 581), so it lives beside them. (It was
``missingcare.intervals``; that path works, with a ``DeprecationWarning``,
for one more minor release.)

>>> from datetime import date
>>> spans = [Span(date(2025, 4, 1), date(2025, 6, 1), "a"),
...          Span(date(2025, 6, 1), None, "b"),
...          Span(date(2024, 1, 1), date(2024, 2, 1), "c")]
>>> for p in chain_periods(spans):
...     print(p.start, p.end)
2024-01-01 2024-02-01
2025-04-01 None
>>> for g in gaps(chain_periods(spans)):
...     print(g.start)
2024-02-01
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Generic, Protocol, TypeVar

import attrs

__all__ = ["Gap", "Period", "Span", "chain_periods", "containing", "gaps"]


class _Ordered(Protocol):
    def __lt__(self, other: Any, /) -> bool: ...


T = TypeVar("T", bound=_Ordered)
P = TypeVar("P")


@attrs.frozen
class Span(Generic[T, P]):
    """One episode: ``start`` to ``end`` inclusive; ``end=None`` is open (ongoing).

    ``item`` is whatever the caller needs to find the source again (a row
    number, a record); the engine never looks inside it.
    """

    start: T
    end: T | None
    item: P

    def contains(self, point: T) -> bool:
        """Whether ``point`` lies in the span, both ends included; open spans run on."""
        return not point < self.start and (self.end is None or not self.end < point)

    @property
    def is_open(self) -> bool:
        """Whether the span has no end yet."""
        return self.end is None


@attrs.frozen
class Period(Generic[T, P]):
    """Spans chained without a gap, in start order.

    ``start`` is the first member's start; ``end`` is the *last* member's end
    (``None`` while the last member is open). That is how DfE's tools define a
    903 period of care: care ends when the latest episode ends.
    """

    start: T
    end: T | None
    members: tuple[Span[T, P], ...]

    def contains(self, point: T) -> bool:
        """Whether ``point`` lies between the period's start and end (open ends run on)."""
        return not point < self.start and (self.end is None or not self.end < point)


@attrs.frozen
class Gap(Generic[T]):
    """The time between the end of one period and the start of the next (exclusive)."""

    start: T
    end: T


def chain_periods(spans: Iterable[Span[T, P]]) -> tuple[Period[T, P], ...]:
    """Chain spans into periods: a span starts a new period only after a gap.

    Spans are taken in start order (ties keep their given order). A span joins
    the current period when it starts on or before the end of the span just
    before it — so touching spans (one ends the day the next starts) chain —
    or when that span is open. Comparing with the previous span only, not with
    the longest-running one, is the rule DfE's validator applies to 903
    episodes; overlapping episodes are themselves an error there.
    """
    ordered = sorted(spans, key=lambda s: s.start)
    periods: list[Period[T, P]] = []
    current: list[Span[T, P]] = []
    for span in ordered:
        if current:
            prev_end = current[-1].end
            if prev_end is not None and prev_end < span.start:
                periods.append(_period(current))
                current = []
        current.append(span)
    if current:
        periods.append(_period(current))
    return tuple(periods)


def _period(members: list[Span[T, P]]) -> Period[T, P]:
    return Period(members[0].start, members[-1].end, tuple(members))


def gaps(periods: Iterable[Period[T, P]]) -> tuple[Gap[T], ...]:
    """The gaps between consecutive periods (as returned by :func:`chain_periods`)."""
    out: list[Gap[T]] = []
    prev: Period[T, P] | None = None
    for period in periods:
        if prev is not None and prev.end is not None and prev.end < period.start:
            out.append(Gap(prev.end, period.start))
        prev = period
    return tuple(out)


def containing(spans: Iterable[Span[T, P]], point: T) -> tuple[Span[T, P], ...]:
    """The spans that contain ``point`` (both ends included, open spans run on)."""
    return tuple(s for s in spans if s.contains(point))
