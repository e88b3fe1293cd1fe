"""The case file as known at an instant: what the rules and the lens read (private).

:func:`~missingcare.rules.evaluate` and the lens (:func:`~missingcare.analysis.formulate`,
:func:`~missingcare.analysis.child_history`, :func:`~missingcare.analysis.home_summary`…)
take a case file or a :class:`~missingcare.history.CaseHistory` and an optional
``known_at``; :func:`known_case` is the one place that turns them into the case file
they read:

* a :class:`~missingcare.case.CaseFile`: :func:`missingcare.records.as_known_at`
  (every record whose recording came after ``known_at`` left out);
* a :class:`~missingcare.history.CaseHistory`: the file built from every revision
  made by ``known_at`` (:meth:`~missingcare.history.CaseHistory.case_at`), then
  :func:`~missingcare.records.as_known_at` of it (a revision may carry a record
  whose own recording time is later still). No revision by then is an error that
  names the argument: nothing was on file, which is not the same as an empty file.

``known_at`` of ``None`` reads everything (a history's latest file).
"""

from __future__ import annotations

from datetime import datetime

from missingcare.case import CaseFile
from missingcare.exceptions import ValidationError
from missingcare.history import CaseHistory
from missingcare.records import as_known_at
from missingcare.time import instant
from missingcare.typing import AsOf, Clock

__all__ = ["KnownSource", "known_case", "read_instant"]

#: What the rules and the lens read: a case file, or a history of its revisions.
KnownSource = CaseFile | CaseHistory


def read_instant(value: AsOf, path: str) -> datetime:
    """The instant ``value`` stands for (a clock is read once); errors name ``path``."""
    if isinstance(value, datetime):
        return instant(value, path)
    if not isinstance(value, Clock):
        raise TypeError(f"{path.removeprefix('$.')} is an aware datetime or a Clock")
    return instant(value.now(), path)


def known_case(source: KnownSource, known_at: datetime | None) -> CaseFile:
    """The case file ``source`` as known at the instant ``known_at`` (``None``: all of it).

    Raises :class:`TypeError` for anything but a case file or a history, and
    :class:`~missingcare.exceptions.ValidationError` at ``$.known_at`` when a history
    has no revision made by ``known_at``.
    """
    if isinstance(source, CaseFile):
        return source if known_at is None else as_known_at(source, known_at)
    if not isinstance(source, CaseHistory):
        raise TypeError("expected a CaseFile or a CaseHistory")
    if known_at is None:
        return source.latest
    case = source.case_at(known_at)
    if case is None:
        raise ValidationError.single(
            "$.known_at",
            "before_history",
            "no revision of the case file had been made by then, so nothing was on file",
        )
    return as_known_at(case, known_at)
