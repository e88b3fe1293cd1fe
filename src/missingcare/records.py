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

>>> from missingcare.case import CaseFile
>>> from missingcare.episodes import StatusChange
>>> StatusChange in recorded_types(CaseFile)
True
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING

import attrs

from missingcare import _fields as f
from missingcare.vocab import Concept

if TYPE_CHECKING:
    pass

__all__ = ["RECORDING_UNKNOWN", "Recorded", "recorded_types"]

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
