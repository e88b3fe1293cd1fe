"""Hand-written msgspec mirrors of the wire documents: the baselines' floor.

Each Struct mirrors a model class field for field, in the same order, with
the natural msgspec types: aware datetimes (``tz=True``), codes as text,
closed enumerations as :class:`enum.Enum`, nested Structs and tuples. With
``omit_defaults=True`` an encoded Struct is byte-for-byte the model's
``to_json`` document, which is how every benchmark checks that the baseline
and the library read the same records.

These Structs do only what msgspec does: type checks. They do not check
vocabulary codes, text rules, RFC 3339 strictness or the model's invariants,
which is the work the library is measured doing on top of the floor.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from missingcare.conversations import (
    ContactMethod,
    ConversationTopic,
    Decision,
    ExploitationCategory,
)

__all__ = ["SConversation", "SEpisode"]

Instant = Annotated[datetime, msgspec.Meta(tz=True)]


class _S(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, omit_defaults=True):
    pass


class SStatusChange(_S):
    at: Instant
    status: str


class SRiskGrading(_S):
    at: Instant
    grade: str
    by: str | None = None


class SPoliceReport(_S):
    reported_at: Instant
    reference: str | None = None
    reported_by: str | None = None


class SSearchAction(_S):
    at: Instant
    action: str
    by: str | None = None
    note: str | None = None


class SNotification(_S):
    recipient: str
    at: Instant
    method: str | None = None


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
