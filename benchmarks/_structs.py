"""Hand-written msgspec mirrors of the wire documents: the targets' baseline, and a floor.

Each Struct mirrors a model class field for field, in the same order, with
the natural msgspec types: aware datetimes (``tz=True``), codes as text,
closed enumerations as :class:`enum.Enum`, nested Structs and tuples. With
``omit_defaults=True`` an encoded Struct is byte-for-byte the model's
``to_json`` document, which is how every benchmark checks that the baseline
and the library read the same records.

``S*`` Structs do only what msgspec does: type checks. They do not check
vocabulary codes, text rules, RFC 3339 strictness or the model's invariants
(a reference row). ``V*`` Structs make the library's checks, as a msgspec
user would write them (see below): the baseline of the load and dump targets.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from _invariants import (
    NOT_BLANK,
    Action,
    AddressLink,
    Category,
    DecisionCode,
    Distance,
    Ending,
    Grade,
    Harm,
    Indicator,
    Method,
    Outcome,
    Place,
    Recipient,
    Response,
    Role,
    Status,
    Topic,
    Version,
    WhoWith,
    conversation,
    distinct,
    episode,
    utc,
    zone,
)

from missingcare._fields import MAX_TEXT
from missingcare.conversations import (
    ContactMethod,
    ConversationTopic,
    Decision,
    ExploitationCategory,
)

__all__ = ["SConversation", "SEpisode", "VConversation", "VEpisode", "validated"]

Instant = Annotated[datetime, msgspec.Meta(tz=True)]


class _S(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    pass


class SRecorded(_S):
    at: Instant
    by: str | None = None


class SStatusChange(_S):
    at: Instant
    status: str
    recorded: SRecorded | None = None


class SRiskGrading(_S):
    at: Instant
    grade: str
    by: str | None = None
    recorded: SRecorded | None = None


class SPoliceReport(_S):
    reported_at: Instant
    reference: str | None = None
    reported_by: str | None = None


class SSearchAction(_S):
    at: Instant
    action: str
    by: str | None = None
    note: str | None = None
    recorded: SRecorded | None = None


class SNotification(_S):
    recipient: str
    at: Instant
    method: str | None = None
    recorded: SRecorded | None = None


class SLocated(_S):
    at: Instant
    where: str | None = None
    by: str | None = None
    distance: str | None = None
    address_link: str | None = None


class SEpisode(_S):
    schema_version: int
    id: str
    child_id: str
    placement_id: str
    zone: str
    last_seen_at: Instant
    statuses: tuple[SStatusChange, ...] = ()
    last_seen_place: str | None = None
    clothing: str | None = None
    noticed_at: Instant | None = None
    agency_informed_at: Instant | None = None
    expected_back_at: Instant | None = None
    profile_shared_at: Instant | None = None
    police_report: SPoliceReport | None = None
    risk_grades: tuple[SRiskGrading, ...] = ()
    search_actions: tuple[SSearchAction, ...] = ()
    notifications: tuple[SNotification, ...] = ()
    located: SLocated | None = None
    ended_at: Instant | None = None
    returned_at: Instant | None = None
    ending: str | None = None
    whereabouts: tuple[str, ...] = ()
    who_with: tuple[str, ...] = ()
    harm_disclosed: tuple[str, ...] = ()
    child_said: str | None = None
    child_said_to: str | None = None
    recorded: SRecorded | None = None


class SOffer(_S):
    at: Instant
    outcome: str
    by: str | None = None
    method: ContactMethod | None = None
    reason: str | None = None


class SInterviewer(_S):
    role: str
    independent_of_home: bool | None = None
    chosen_by_child: bool | None = None
    organisation: str | None = None
    adult_id: str | None = None


class SScreening(_S):
    categories: tuple[ExploitationCategory, ...] = ()
    indicators: tuple[str, ...] = ()


class SResponse(_S):
    response: str
    at: Instant
    reason: str | None = None
    safeguarding_reason: bool | None = None


class SAction(_S):
    id: str
    description: str
    owner: str | None = None
    due: Instant | None = None
    done_at: Instant | None = None


class SConversation(_S):
    schema_version: int
    id: str
    child_id: str
    episode_ids: tuple[str, ...] = ()
    offers: tuple[SOffer, ...] = ()
    requested_adult_ids: tuple[str, ...] = ()
    decision: Decision | None = None
    declined_reason: str | None = None
    held_at: Instant | None = None
    interviewer: SInterviewer | None = None
    method: ContactMethod | None = None
    late_reason: str | None = None
    child_account: str | None = None
    whereabouts: tuple[str, ...] = ()
    who_with: tuple[str, ...] = ()
    what_happened: str | None = None
    harm_disclosed: tuple[str, ...] = ()
    screening: SScreening | None = None
    topics: tuple[ConversationTopic, ...] = ()
    responses_on_return: tuple[SResponse, ...] = ()
    child_feedback: str | None = None
    actions: tuple[SAction, ...] = ()
    recorded: SRecorded | None = None


# --- the same documents with the library's checks: the target's baseline ----------------
#
# What a msgspec user would write for the checks the wire makes: codes as
# ``Literal``s made from the library's own vocabularies and enums, text and
# ids as ``Meta`` patterns and lengths, optional fields typed without ``None``
# (an explicit ``null`` is refused, as on the wire), and ``__post_init__`` for
# what no type says: instants made UTC, the zone known, no repeats in lists and
# the cross-field invariants (``_invariants.py``, shared with the pydantic
# models). Where msgspec reads more than the wire: its instant parser also
# takes a space for ``T``, ``+0100``, a lower-case ``z`` and more than six
# fractional digits; and the first broken invariant stops it where the
# library lists them all.

Text = Annotated[str, msgspec.Meta(max_length=MAX_TEXT, pattern=NOT_BLANK)]
Id = Annotated[str, msgspec.Meta(pattern=NOT_BLANK)]
Ids = tuple[Id, ...]


class _V(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    pass


class VRecorded(_V):
    at: Instant
    by: Role = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.at = utc(self.at)


class VStatusChange(_V):
    at: Instant
    status: Status
    recorded: VRecorded = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.at = utc(self.at)


class VRiskGrading(_V):
    at: Instant
    grade: Grade
    by: Text = None  # type: ignore[assignment]
    recorded: VRecorded = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.at = utc(self.at)


class VPoliceReport(_V):
    reported_at: Instant
    reference: Text = None  # type: ignore[assignment]
    reported_by: Text = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.reported_at = utc(self.reported_at)


class VSearchAction(_V):
    at: Instant
    action: Action
    by: Text = None  # type: ignore[assignment]
    note: Text = None  # type: ignore[assignment]
    recorded: VRecorded = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.at = utc(self.at)


class VNotification(_V):
    recipient: Recipient
    at: Instant
    method: Text = None  # type: ignore[assignment]
    recorded: VRecorded = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.at = utc(self.at)


class VLocated(_V):
    at: Instant
    where: Place = None  # type: ignore[assignment]
    by: Text = None  # type: ignore[assignment]
    distance: Distance = None  # type: ignore[assignment]
    address_link: AddressLink = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.at = utc(self.at)


class VEpisode(_V):
    schema_version: Version
    id: Text
    child_id: Text
    placement_id: Text
    zone: str
    last_seen_at: Instant
    statuses: tuple[VStatusChange, ...] = ()
    last_seen_place: Text = None  # type: ignore[assignment]
    clothing: Text = None  # type: ignore[assignment]
    noticed_at: Instant = None  # type: ignore[assignment]
    agency_informed_at: Instant = None  # type: ignore[assignment]
    expected_back_at: Instant = None  # type: ignore[assignment]
    profile_shared_at: Instant = None  # type: ignore[assignment]
    police_report: VPoliceReport = None  # type: ignore[assignment]
    risk_grades: tuple[VRiskGrading, ...] = ()
    search_actions: tuple[VSearchAction, ...] = ()
    notifications: tuple[VNotification, ...] = ()
    located: VLocated = None  # type: ignore[assignment]
    ended_at: Instant = None  # type: ignore[assignment]
    returned_at: Instant = None  # type: ignore[assignment]
    ending: Ending = None  # type: ignore[assignment]
    whereabouts: tuple[Place, ...] = ()
    who_with: tuple[WhoWith, ...] = ()
    harm_disclosed: tuple[Harm, ...] = ()
    child_said: Text = None  # type: ignore[assignment]
    child_said_to: Text = None  # type: ignore[assignment]
    recorded: VRecorded = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        zone(self.zone)
        self.last_seen_at = utc(self.last_seen_at)
        for name in _EPISODE_INSTANTS:
            value = getattr(self, name)
            if value is not None:
                setattr(self, name, utc(value))
        distinct(self.whereabouts)
        distinct(self.who_with)
        distinct(self.harm_disclosed)
        episode(self)


_EPISODE_INSTANTS = (
    "noticed_at",
    "agency_informed_at",
    "expected_back_at",
    "profile_shared_at",
    "ended_at",
    "returned_at",
)


class VOffer(_V):
    at: Instant
    outcome: Outcome
    by: Text = None  # type: ignore[assignment]
    method: Method = None  # type: ignore[assignment]
    reason: Text = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.at = utc(self.at)


class VInterviewer(_V):
    role: Role
    independent_of_home: bool = None  # type: ignore[assignment]
    chosen_by_child: bool = None  # type: ignore[assignment]
    organisation: Text = None  # type: ignore[assignment]
    adult_id: Text = None  # type: ignore[assignment]


class VScreening(_V):
    categories: tuple[Category, ...] = ()
    indicators: tuple[Indicator, ...] = ()

    def __post_init__(self) -> None:
        distinct(self.categories)
        distinct(self.indicators)


class VResponse(_V):
    response: Response
    at: Instant
    reason: Text = None  # type: ignore[assignment]
    safeguarding_reason: bool = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        self.at = utc(self.at)


class VAction(_V):
    id: Text
    description: Text
    owner: Text = None  # type: ignore[assignment]
    due: Instant = None  # type: ignore[assignment]
    done_at: Instant = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.due is not None:
            self.due = utc(self.due)
        if self.done_at is not None:
            self.done_at = utc(self.done_at)


class VConversation(_V):
    schema_version: Version
    id: Text
    child_id: Text
    episode_ids: Annotated[Ids, msgspec.Meta(min_length=1)]
    offers: tuple[VOffer, ...] = ()
    requested_adult_ids: Ids = ()
    decision: DecisionCode = None  # type: ignore[assignment]
    declined_reason: Text = None  # type: ignore[assignment]
    held_at: Instant = None  # type: ignore[assignment]
    interviewer: VInterviewer = None  # type: ignore[assignment]
    method: Method = None  # type: ignore[assignment]
    late_reason: Text = None  # type: ignore[assignment]
    child_account: Text = None  # type: ignore[assignment]
    whereabouts: tuple[Place, ...] = ()
    who_with: tuple[WhoWith, ...] = ()
    what_happened: Text = None  # type: ignore[assignment]
    harm_disclosed: tuple[Harm, ...] = ()
    screening: VScreening = None  # type: ignore[assignment]
    topics: tuple[Topic, ...] = ()
    responses_on_return: tuple[VResponse, ...] = ()
    child_feedback: Text = None  # type: ignore[assignment]
    actions: tuple[VAction, ...] = ()
    recorded: VRecorded = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.held_at is not None:
            self.held_at = utc(self.held_at)
        distinct(self.episode_ids)
        distinct(self.requested_adult_ids)
        distinct(self.whereabouts)
        distinct(self.who_with)
        distinct(self.harm_disclosed)
        distinct(self.topics)
        conversation(self)


_VALIDATED: dict[str, type[msgspec.Struct]] = {
    "MissingEpisode": VEpisode,
    "ReturnConversation": VConversation,
}


def validated(cls: type) -> type[msgspec.Struct]:
    """The validated Struct of the document type ``cls`` (by name)."""
    return _VALIDATED[cls.__name__]
