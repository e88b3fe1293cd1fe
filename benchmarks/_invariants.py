"""The checks the peers make beyond their types, written once for all of them (benchmarks only).

The pydantic models (``_pydantic.py``) and the validated msgspec Structs
(``_structs.py``) hold the same records under the same field names, codes as
``Literal`` text made here from the library's own vocabularies and enums: each
calls these from its own hook (a model validator, a
``__post_init__``). Each raises :class:`ValueError`, which both libraries turn
into their own validation error. The cattrs peer (``_cattrs.py``) builds
missingcare's own classes, whose constructors make these checks themselves.
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from missingcare.conversations import ContactMethod, ConversationTopic, Decision
from missingcare.conversations import ExploitationCategory as _Exploitation
from missingcare.converters import SCHEMA_VERSION
from missingcare.exceptions import ValidationError
from missingcare.time import check_zone
from missingcare.vocabularies import CORE

__all__ = ["NOT_BLANK", "conversation", "distinct", "episode", "utc", "zone"]

#: a character ``str.strip`` keeps (Unicode white space, and U+001C to U+001F)
NOT_BLANK = r"[^\s\x1c-\x1f]"


def _codes(vocabulary: str) -> Any:
    """``Literal`` of the codes of a core vocabulary."""
    return typing.cast(Any, Literal)[tuple(CORE[vocabulary].by_code)]


def _values(cls: type[enum.Enum]) -> Any:
    """``Literal`` of an enumeration's values."""
    return typing.cast(Any, Literal)[tuple(m.value for m in cls)]


if TYPE_CHECKING:  # each a Literal at run time
    Status: TypeAlias = str
    Grade: TypeAlias = str
    Action: TypeAlias = str
    Recipient: TypeAlias = str
    Place: TypeAlias = str
    Distance: TypeAlias = str
    AddressLink: TypeAlias = str
    Ending: TypeAlias = str
    WhoWith: TypeAlias = str
    Harm: TypeAlias = str
    Outcome: TypeAlias = str
    Role: TypeAlias = str
    Indicator: TypeAlias = str
    Response: TypeAlias = str
    Method: TypeAlias = str
    Topic: TypeAlias = str
    Category: TypeAlias = str
    DecisionCode: TypeAlias = str
    Version: TypeAlias = int
else:
    Version = typing.cast(Any, Literal)[SCHEMA_VERSION]
    Status = _codes("episode_statuses")
    Grade = _codes("police_risk_grades")
    Action = _codes("search_actions")
    Recipient = _codes("notification_recipients")
    Place = _codes("location_types")
    Distance = _codes("distance_bands")
    AddressLink = _codes("address_links")
    Ending = _codes("episode_endings")
    WhoWith = _codes("who_with")
    Harm = _codes("harm_types")
    Outcome = _codes("conversation_outcomes")
    Role = _codes("relationship_roles")
    Indicator = _codes("exploitation_indicators")
    Response = _codes("responses_on_return")
    Method = _values(ContactMethod)
    Topic = _values(ConversationTopic)
    Category = _values(_Exploitation)
    DecisionCode = _values(Decision)


_STILL_MISSING = "still_missing_at_period_end"
_DECLINED = Decision.DECLINED.value


def utc(value: datetime) -> datetime:
    """An aware instant in UTC."""
    return value if value.tzinfo is UTC else value.astimezone(UTC)


def distinct(value: Sequence[Any]) -> None:
    """Refuse a list holding an item twice."""
    if len(set(value)) != len(value):
        raise ValueError("expected each item at most once")


def zone(value: str) -> None:
    """Refuse a name that is not a zone of the pinned tz database (the library's own check)."""
    try:
        check_zone(value)
    except ValidationError:
        raise ValueError("expected an IANA time zone") from None


def episode(e: Any) -> None:
    """The cross-field invariants of ``MissingEpisode``."""
    seen = e.last_seen_at
    ended = e.ended_at
    if not e.statuses:
        raise ValueError("expected at least one status")
    previous = None
    for change in e.statuses:
        if change.at < seen:
            raise ValueError("a status cannot start before the child was last seen")
        if previous is not None and change.at <= previous.at:
            raise ValueError("expected status changes in time order, one at a time")
        if previous is not None and change.status == previous.status:
            raise ValueError("a status change must change the status")
        if ended is not None and change.at > ended:
            raise ValueError("a status cannot start after the episode ended")
        previous = change
    grades = e.risk_grades
    for i in range(1, len(grades)):
        if grades[i].at < grades[i - 1].at:
            raise ValueError("expected grades in time order")
    police = e.police_report
    located = e.located
    returned = e.returned_at
    for when in (
        e.noticed_at,
        e.agency_informed_at,
        e.profile_shared_at,
        None if police is None else police.reported_at,
        None if located is None else located.at,
        ended,
        returned,
    ):
        if when is not None and when < seen:
            raise ValueError("nothing in an episode comes before the child was last seen")
    if ended is None:
        if returned is not None or located is not None:
            raise ValueError("an episode with a return or a find must have ended")
        if e.ending is not None and e.ending != _STILL_MISSING:
            raise ValueError("an episode with an ending must say when it ended")
    elif returned is not None and returned < ended:
        raise ValueError("cannot return to placement before the episode ended")


def conversation(c: Any) -> None:
    """The cross-field invariants of ``ReturnConversation``."""
    if not c.episode_ids:
        raise ValueError("expected at least one episode")
    offers = c.offers
    for i in range(1, len(offers)):
        if offers[i].at < offers[i - 1].at:
            raise ValueError("expected offers in time order")
    declined = c.decision == _DECLINED
    if c.held_at is not None and declined:
        raise ValueError("a declined conversation was not held")
    if c.declined_reason is not None and not declined:
        raise ValueError("only a declined conversation has a reason")
    if c.held_at is None and (
        c.interviewer is not None or c.child_account is not None or c.child_feedback is not None
    ):
        raise ValueError("recorded for a conversation not held")
    if len({a.id for a in c.actions}) != len(c.actions):
        raise ValueError("expected action ids unique")
