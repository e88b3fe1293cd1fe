"""When each fact was recorded, and by whom; and a case file as it was known at a moment.

A care record is read later by people asking what the home knew, and when: an
inspector checking that a return conversation was written up, a review
reconstructing the weeks before an incident. Every record a person enters
(an episode, a status change, a conversation, a context entry…) has, beside
its event time, an optional :class:`Recorded` as its last field, ``recorded``:
the instant the record, as it stands, was written, and the recorder's role
(a concept of ``relationship_roles``, never a name). Absent means the
recording time is unknown (every document written before wire-format
version 2 says so).

Which types carry it is read from the field kinds (:func:`recorded_types`):
there is no second list.

:func:`as_known_at` gives a case file as it was known at an instant: every
record written after it is left out, with whatever depends on it.

>>> from missingcare.case import CaseFile
>>> from missingcare.episodes import StatusChange
>>> StatusChange in recorded_types(CaseFile)
True
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from missingcare import _fields as f
from missingcare.time import elapsed, format_duration, format_local, instant
from missingcare.vocab import Concept

if TYPE_CHECKING:
    from missingcare.case import CaseFile

T = TypeVar("T")

__all__ = [
    "RECORDING_UNKNOWN",
    "Recorded",
    "as_known_at",
    "carries_recorded",
    "later_by",
    "recorded_types",
    "recording_text",
]

#: What is shown to people where a record's recording time is not known.
RECORDING_UNKNOWN = "recording time unknown"


@attrs.frozen
class Recorded:
    """When a record was written, and the recorder's role.

    ``at`` is the instant the record, as it stands, was written (a record
    amended later carries the amendment's instant: the earlier versions are
    kept by a case history, not here); ``by`` is the recorder's role.
    """

    at: datetime = attrs.field(**f.at("Recorded at", "When was this written into the record?"))
    by: Concept | None = f.optional_concept(
        "relationship_roles", "Recorded by", "Who wrote it (their role, never a name)?"
    )


def recording_text(
    recorded: Recorded | None, zone: str | None, event: datetime | None = None
) -> str:
    """How a record's recording is shown to people.

    ``recording time unknown`` when there is none; else when it was written, in
    the placement's ``zone`` (:func:`~missingcare.time.format_local`), by whom,
    and, given the ``event`` it records, how long after it when that was a day
    or more (:func:`later_by`, said as the rules' messages say it:
    :func:`~missingcare.time.format_duration`, "48 hours", "12 days").

    >>> from datetime import UTC, datetime
    >>> from missingcare.vocabularies import RELATIONSHIP_ROLES as ROLES
    >>> written = Recorded(datetime(2026, 11, 15, 9, 0, tzinfo=UTC), ROLES["key_worker"])
    >>> recording_text(written, "Europe/London", datetime(2026, 11, 2, 10, 0, tzinfo=UTC))
    'recorded 09:00 on Sun 15 November 2026 (GMT) by key worker, 12 days later'
    >>> recording_text(None, "Europe/London")
    'recording time unknown'
    """
    if recorded is None:
        return RECORDING_UNKNOWN
    text = f"recorded {format_local(recorded.at, zone)}"
    if recorded.by is not None:
        text += f" by {recorded.by.display.lower()}"
    if event is not None and recorded.at > event:
        lag = later_by(event, recorded.at)
        if lag >= timedelta(days=1):
            text += f", {format_duration(lag)} later"
    return text


def later_by(start: datetime, end: datetime) -> timedelta:
    """How long after ``start`` ``end`` came, as a message says it: whole days of elapsed
    time from a day on, else whole hours, else whole minutes (at least one). The one
    count of a recording's lag: :func:`recording_text` and the rules' messages
    ("held on time, recorded 13 days later") both say it.

    >>> from datetime import UTC
    >>> from missingcare.findings import render_message
    >>> t = datetime(2026, 10, 2, 9, tzinfo=UTC)
    >>> lags = {"a": later_by(t, t + timedelta(days=13, hours=20)),
    ...         "b": later_by(t, t + timedelta(hours=20, minutes=40)),
    ...         "c": later_by(t, t + timedelta(seconds=10))}
    >>> render_message("{a}; {b}; {c}", lags)
    '13 days; 20 hours; 1 minute'
    """
    lag = elapsed(start, end)
    if lag >= timedelta(days=1):
        return timedelta(days=lag.days)
    if lag >= timedelta(hours=1):
        return timedelta(hours=lag.seconds // 3600)
    return timedelta(minutes=max(1, lag.seconds // 60))


def recorded_field() -> Recorded | None:
    """The ``recorded`` field every record a person enters ends with (optional)."""
    return f.optional_nested(  # type: ignore[no-any-return]
        Recorded, "Recorded", "When was this recorded, and by whom (role)?"
    )


def carries_recorded(cls: type) -> bool:
    """Whether the model class ``cls`` has a ``recorded`` field of :class:`Recorded`."""
    return any(
        name == "recorded" and kind.base == "nested" and kind.model is Recorded
        for name, kind in f.kinds(cls)
    )


@functools.cache
def recorded_types(root: type) -> tuple[type, ...]:
    """Every model class in ``root`` (itself, and what it nests) that carries ``recorded``,
    found from the field kinds; in the order a walk of the nested fields meets them.

    (The root is given, not imported: the model modules import this one.)
    """
    found: list[type] = []
    seen: set[type] = set()

    def walk(cls: type) -> None:
        if cls in seen:
            return
        seen.add(cls)
        if carries_recorded(cls):
            found.append(cls)
        for _, kind in f.kinds(cls):
            if kind.base == "nested" and kind.model is not None and kind.model is not Recorded:
                walk(kind.model)

    walk(root)
    return tuple(found)


# --- a case file as known at an instant ----------------------------------------------

#: The fields that name episodes of the case file, by the record that holds them: a
#: record left out takes its episode's id out of them (the case file checks them).
_EPISODE_REFS = ("episode_ids", "episode_id")


def _written_after(value: object, known_at: datetime) -> bool:
    recorded = getattr(value, "recorded", None)
    return recorded is not None and recorded.at > known_at


def _kept(value: T, known_at: datetime, gone: frozenset[str]) -> T | None:
    """``value`` as known at ``known_at`` with the episodes ``gone`` left out: the value
    itself when nothing in it changes, ``None`` when it is left out.

    Left out: a value written after ``known_at``; one whose list that may not be empty
    (by its kind) has lost every item; one that named only episodes ``gone``; an adult
    contact during an episode ``gone``. Kept: a value with no ``recorded``.
    """
    cls: type = type(value)
    if _written_after(value, known_at):
        return None
    changes: dict[str, Any] = {}
    for name, kind in f.kinds(cls):
        current = getattr(value, name)
        if kind.base == "nested" and kind.many and kind.model in _carrying(cls):
            items = tuple(
                kept for item in current if (kept := _kept(item, known_at, gone)) is not None
            )
            if len(items) != len(current) or any(
                a is not b for a, b in zip(items, current, strict=True)
            ):
                if kind.non_empty and not items:
                    return None
                changes[name] = items
        elif name == "episode_ids" and gone and current:
            ids = tuple(i for i in current if i not in gone)
            if len(ids) != len(current):
                if not ids:  # it was about episodes not yet known: so is it
                    return None
                changes[name] = ids
        elif name == "episode_id" and current is not None and current in gone:
            return None
    if "statuses" in changes:  # a change must change the status: the same one twice is one
        statuses = changes["statuses"]
        changes["statuses"] = tuple(
            s for i, s in enumerate(statuses) if not i or s.status != statuses[i - 1].status
        )
    return attrs.evolve(value, **changes) if changes else value  # type: ignore[misc]


#: The key under which a case file keeps whether anything in it was written after an instant.
_ANY_AFTER = "missingcare.records.any_written_after"


def _any_written_after(value: object, known_at: datetime) -> bool:
    """Whether anything in ``value`` was written after ``known_at`` (walks what
    :func:`_kept` walks, and stops at the first such record)."""
    if _written_after(value, known_at):
        return True
    cls: type = type(value)
    return any(
        _any_written_after(item, known_at)
        for name in _carried_lists(cls)
        for item in getattr(value, name)
    )


@functools.cache
def _carried_lists(cls: type) -> tuple[str, ...]:
    """The names of ``cls``'s lists of records that :func:`_kept` walks."""
    return tuple(
        name
        for name, kind in f.kinds(cls)
        if kind.base == "nested" and kind.many and kind.model in _carrying(cls)
    )


@functools.cache
def _carrying(cls: type) -> frozenset[type]:
    """The model classes nested (at any depth) in ``cls`` that hold, or are, a record
    carrying ``recorded`` or naming an episode: the lists :func:`_kept` walks."""
    out = set()
    for _, kind in f.kinds(cls):
        model = kind.model
        if kind.base == "nested" and model is not None and model is not Recorded:
            names = {n for n, _ in f.kinds(model)}
            if carries_recorded(model) or names & set(_EPISODE_REFS) or _carrying(model):
                out.add(model)
    return frozenset(out)


def as_known_at(case: CaseFile, known_at: datetime) -> CaseFile:
    """The case file as it was known at ``known_at``: what had been written by then.

    Every record written after ``known_at`` (``recorded.at > known_at``) is left
    out, with what depends on it, so the result is a valid case file: an episode
    takes its status changes, risk grades, searches and notifications with it, and
    its id out of the conversations, factors, needs and screenings that name it (a
    record that named only episodes left out is left out too; so is a trusted
    adult's contact during one); a status change left out may leave the same
    status twice in a row, which is then one change. A record whose recording
    time is unknown (``recorded is None``) is kept: its event time decides what
    was known, as it does everywhere else.

    A record carries the time it was last written, so one written after
    ``known_at`` is left out whole, even if an earlier version of it existed
    then: the earlier versions are a case history's to keep.

    Pure: ``case`` is not changed, and is returned itself when nothing is left out.
    ``known_at`` is an aware datetime (naive ones are refused).

    >>> from datetime import UTC, datetime
    >>> import attrs
    >>> from missingcare.testing import builders
    >>> episode = builders.episode()
    >>> written = Recorded(at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    >>> case = builders.case_file(attrs.evolve(episode, recorded=written))
    >>> len(as_known_at(case, datetime(2026, 11, 2, 8, 59, tzinfo=UTC)).episodes)
    0
    >>> as_known_at(case, written.at) is case
    True
    """
    at = instant(known_at, "$.known_at")
    # the common case (a file read as known now): one walk, nothing built, and asked
    # again of the same file (the lens, an episode at a time) a lookup
    if not case.derived((_ANY_AFTER, at), lambda: _any_written_after(case, at)):
        return case
    gone = frozenset(
        e.id for e in case.episodes if _written_after(e, at) or _kept(e, at, frozenset()) is None
    )
    kept = _kept(case, at, gone)
    assert kept is not None, "a case file has no recording of its own"
    return kept
