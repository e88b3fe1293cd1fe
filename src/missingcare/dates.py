"""Dates that matter to a child: a parent's birthday, an anniversary, a court date.

Practice guidance names anniversaries, bereavement, contact days, court dates
and placement moves among what happens before an episode (domain research §6.5: PKC, WALES,
MO, YORK98).
A :class:`SignificantDate` is the child's own record of such a date: one-off
or recurring every year, whose date it is, and whether contact (or a way to
mark the day) is arranged. The investigative lens lists those that fall in an
episode's before-window.
"""

from __future__ import annotations

from datetime import date

import attrs

from missingcare import _fields as f
from missingcare.records import Recorded, recorded_field
from missingcare.vocab import Concept

__all__ = ["SignificantDate"]


@attrs.frozen
class SignificantDate:
    """A date that matters to the child, one-off or every year.

    ``on`` is the date (for a yearly date, any year's occurrence: the first
    known); ``yearly`` says it recurs on the same month and day. A yearly
    date on 29 February falls on 28 February in other years.
    ``contact_arranged`` says whether contact or a way of marking the day is
    arranged (``None``: not recorded).
    """

    id: str = attrs.field(**f.ident("Date id", "The significant date's identifier."))
    child_id: str = attrs.field(**f.ident("Child id", "The child's identifier."))
    kind: Concept = attrs.field(
        **f.concept("significant_date_kinds", "What date", "What kind of date is it?")
    )
    on: date = attrs.field(**f.day("Date", "On what date (the first, for a yearly one)?"))
    yearly: bool = f.flag("Every year", "Does it come round every year?")
    whose: str | None = f.optional_text(
        "Whose", "Whose date is it (e.g. mother, brother), in the record's words?"
    )
    contact_arranged: bool | None = f.optional_flag(
        "Contact arranged", "Is contact, or a way of marking the day, arranged?"
    )
    note: str | None = f.optional_text("Note", "Anything the child has said about it.")
    recorded: Recorded | None = recorded_field()

    def occurrence_in(self, year: int) -> date | None:
        """The date's occurrence in ``year``, or ``None`` if it has none then.

        >>> from missingcare.vocabularies import SIGNIFICANT_DATE_KINDS as K
        >>> d = SignificantDate("d", "C", K["family_birthday"], date(2012, 2, 29), yearly=True)
        >>> d.occurrence_in(2026), d.occurrence_in(2011)
        (datetime.date(2026, 2, 28), None)
        """
        if not self.yearly:
            return self.on if self.on.year == year else None
        if year < self.on.year:
            return None
        day = self.on.day
        if self.on.month == 2 and day == 29 and not _leap(year):
            day = 28
        return date(year, self.on.month, day)


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
