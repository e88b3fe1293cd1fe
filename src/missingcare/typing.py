"""The Protocols the layers share, and ``AsOf``: the bottom layer, importing nothing of the package.

* :class:`Clock` — where "now" comes from (:class:`missingcare.time.FixedClock`,
  :class:`missingcare.time.SystemClock`);
* :class:`Deadline` — a time limit after a start instant
  (:class:`missingcare.time.ElapsedDeadline`, :class:`missingcare.time.CalendarDeadline`);
* :class:`WorkingDayCalendar` — which local dates are working days
  (:class:`missingcare.time.Weekdays`, or a ``holidays`` calendar);
* :class:`RuleCheck` — the shape of a rule's check, ``check(case, ctx)``;
* :data:`AsOf` — "now", as an instant or a clock: every function that asks
  for "now" takes ``as_of: AsOf``.

>>> from datetime import datetime, UTC
>>> from missingcare.time import FixedClock
>>> isinstance(FixedClock(datetime(2026, 10, 27, 9, tzinfo=UTC)), Clock)
True
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from missingcare.case import CaseFile
    from missingcare.findings import Finding
    from missingcare.rules.engine import RuleContext

__all__ = ["AsOf", "Clock", "Deadline", "RuleCheck", "WorkingDayCalendar"]


@runtime_checkable
class Clock(Protocol):
    """Where "now" comes from. missingcare never reads the system clock itself."""

    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        ...


@runtime_checkable
class WorkingDayCalendar(Protocol):
    """Says which local calendar dates are working days."""

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` is a working day."""
        ...


@runtime_checkable
class Deadline(Protocol):
    """A rule's time limit: from a start instant and the zone, the due instant."""

    def due(self, start: datetime, zone: str) -> datetime:
        """The instant by which the thing must be done."""
        ...

    def describe(self) -> str:
        """English text such as ``72 hours`` or ``5 working days``."""
        ...


class RuleCheck(Protocol):
    """The shape of a rule's check: findings about a case file, given the context."""

    def __call__(self, case: CaseFile, ctx: RuleContext, /) -> Iterable[Finding]: ...


#: "Now": an instant (aware), or a clock to read it from once.
AsOf = datetime | Clock
