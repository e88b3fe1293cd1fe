"""pydantic v2 models of the episode and conversation documents: what a user might pick instead.

The benchmarks time :class:`PEpisode` and :class:`PConversation` reading
and writing the same JSON lines as :class:`missingcare.MissingEpisode` and
:class:`missingcare.ReturnConversation`. They are written as a pydantic user
would write them, with the checks the library makes on the wire:

* models are frozen, strict (nothing coerced: ``"no"`` is not a boolean) and
  refuse unknown keys; a top-level document has ``schema_version`` 1;
* instants are ``AwareDatetime`` (naive text refused), normalised to UTC by
  an after-validator;
* text is at most ``MAX_TEXT`` characters and not blank (a pattern that
  matches a character ``str.strip`` keeps, equal to the library's test on
  every code point); ids the same, list items of ids not blank;
* vocabulary concepts and enumerations are ``Literal`` codes, made from the
  library's own vocabularies and enums (so the codes are written once);
* optional fields are typed without ``None`` and default to ``None``, so an
  explicit ``null`` is refused as on the wire ("leave the key out"), and
  ``exclude_defaults`` leaves them out when writing;
* lists of concepts, topics, categories and ids hold no repeats;
* the zone is a zone of the pinned tz database (the library's own check);
* model validators hold the cross-field invariants of ``MissingEpisode``
  (a status first, at or after last seen, in order, each changing the
  status, none after the end; risk grades in order; noticed, reported,
  located, ended and returned not before last seen; returned not before
  ended; a return, a located or an ending other than
  ``still_missing_at_period_end`` needs an end) and of
  ``ReturnConversation`` (at least one episode; offers in order; a declined
  conversation not held, a declined reason only when declined; interviewer,
  account and feedback only when held; action ids unique).

Where the checks differ (the benchmark reads valid documents only, so
none of this changes what is timed, except as noted):

* **Instant text.** pydantic's parser also accepts a space for ``T``,
  minutes without seconds, ``+0100`` for ``+01:00`` and more than six
  fractional digits (cut to six); the wire refuses all four.
* **Values held.** A concept is its code (``str``) here; the library holds
  the vocabulary's one :class:`~missingcare.vocab.Concept` object (code,
  system, display, definition). Enumerations are their values here, enum
  members in the library. Instants are datetimes with pydantic's
  ``TzInfo(0)`` before the after-validator makes them ``datetime.UTC``.
* **Errors.** A model validator stops at the first broken invariant; the
  library lists every violation, each with its JSON path. pydantic's
  messages do not repeat values for these checks, but its errors carry
  the rejected ``input``, which the library's never do.
* **Local vocabularies.** The ``Literal`` codes are fixed when the module
  is imported; the library's converter can be bound to extended
  vocabularies at run time.
* **Writing.** ``model_dump_json`` returns ``str``; ``to_json`` returns
  ``bytes``. For the records in the benchmark the text is the same as the
  library's bytes, which the runner checks before timing anything.
"""

# pydantic is an optional extra (``bench``); without it mypy sees its names as Any:
# mypy: allow-subclassing-any, allow-untyped-decorators

from __future__ import annotations

import enum
import typing
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self, TypeAlias

from pydantic import (  # type: ignore[import-not-found, unused-ignore]
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from missingcare._fields import MAX_TEXT
from missingcare.conversations import ContactMethod, ConversationTopic, Decision
from missingcare.conversations import ExploitationCategory as _Exploitation
from missingcare.converters import SCHEMA_VERSION
from missingcare.exceptions import ValidationError
from missingcare.time import check_zone
from missingcare.vocabularies import CORE

__all__ = ["PConversation", "PEpisode", "model_for"]

#: a character ``str.strip`` keeps (Unicode white space, and U+001C to U+001F)
_NOT_BLANK = r"[^\s\x1c-\x1f]"


def _codes(vocabulary: str) -> Any:
    """``Literal`` of the codes of a core vocabulary."""
    return typing.cast(Any, Literal)[tuple(CORE[vocabulary].by_code)]


def _values(cls: type[enum.Enum]) -> Any:
    """``Literal`` of an enumeration's values."""
    return typing.cast(Any, Literal)[tuple(m.value for m in cls)]


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _distinct(value: tuple[Any, ...]) -> tuple[Any, ...]:
    if len(set(value)) != len(value):
        raise ValueError("expected each item at most once")
    return value


def _zone(value: str) -> str:
    try:
        return check_zone(value)
    except ValidationError:
        raise ValueError("expected an IANA time zone") from None


def _absent() -> Any:
    """The default of an optional field: ``None``, though ``null`` itself is refused."""
    return Field(default=None)


Text = Annotated[str, StringConstraints(max_length=MAX_TEXT, pattern=_NOT_BLANK)]
Id = Annotated[str, StringConstraints(pattern=_NOT_BLANK)]
Instant = Annotated[AwareDatetime, AfterValidator(_utc)]
Zone = Annotated[str, AfterValidator(_zone)]

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

Places = Annotated[tuple[Place, ...], AfterValidator(_distinct)]
WhoWiths = Annotated[tuple[WhoWith, ...], AfterValidator(_distinct)]
Harms = Annotated[tuple[Harm, ...], AfterValidator(_distinct)]
Ids = Annotated[tuple[Id, ...], AfterValidator(_distinct)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, strict=True, extra="forbid")


# --- episodes ------------------------------------------------------------------------


class PStatusChange(_Model):
    at: Instant
    status: Status


class PRiskGrading(_Model):
    at: Instant
    grade: Grade
    by: Text = _absent()


class PPoliceReport(_Model):
    reported_at: Instant
    reference: Text = _absent()
    reported_by: Text = _absent()


class PSearchAction(_Model):
    at: Instant
    action: Action
    by: Text = _absent()
    note: Text = _absent()


class PNotification(_Model):
    recipient: Recipient
    at: Instant
    method: Text = _absent()


class PLocated(_Model):
    at: Instant
    where: Place = _absent()
    by: Text = _absent()
    distance: Distance = _absent()
    address_link: AddressLink = _absent()


_STILL_MISSING = "still_missing_at_period_end"


class PEpisode(_Model):
    """A missing episode document (``MissingEpisode`` on the wire)."""

    schema_version: Version
    id: Text
    child_id: Text
    placement_id: Text
    zone: Zone
    last_seen_at: Instant
    statuses: tuple[PStatusChange, ...] = ()
    last_seen_place: Text = _absent()
    clothing: Text = _absent()
    noticed_at: Instant = _absent()
    agency_informed_at: Instant = _absent()
    expected_back_at: Instant = _absent()
    profile_shared_at: Instant = _absent()
    police_report: PPoliceReport = _absent()
    risk_grades: tuple[PRiskGrading, ...] = ()
    search_actions: tuple[PSearchAction, ...] = ()
    notifications: tuple[PNotification, ...] = ()
    located: PLocated = _absent()
    ended_at: Instant = _absent()
    returned_at: Instant = _absent()
    ending: Ending = _absent()
    whereabouts: Places = ()
    who_with: WhoWiths = ()
    harm_disclosed: Harms = ()
    child_said: Text = _absent()
    child_said_to: Text = _absent()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        seen = self.last_seen_at
        ended = self.ended_at
        if not self.statuses:
            raise ValueError("expected at least one status")
        previous = None
        for change in self.statuses:
            if change.at < seen:
                raise ValueError("a status cannot start before the child was last seen")
            if previous is not None and change.at <= previous.at:
                raise ValueError("expected status changes in time order, one at a time")
            if previous is not None and change.status == previous.status:
                raise ValueError("a status change must change the status")
            if ended is not None and change.at > ended:
                raise ValueError("a status cannot start after the episode ended")
            previous = change
        grades = self.risk_grades
        for i in range(1, len(grades)):
            if grades[i].at < grades[i - 1].at:
                raise ValueError("expected grades in time order")
        police = self.police_report
        located = self.located
        returned = self.returned_at
        for when in (
            self.noticed_at,
            self.agency_informed_at,
            self.profile_shared_at,
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
            if self.ending is not None and self.ending != _STILL_MISSING:
                raise ValueError("an episode with an ending must say when it ended")
        elif returned is not None and returned < ended:
            raise ValueError("cannot return to placement before the episode ended")
        return self


# --- conversations ---------------------------------------------------------------------


class POffer(_Model):
    at: Instant
    outcome: Outcome
    by: Text = _absent()
    method: Method = _absent()
    reason: Text = _absent()


class PInterviewer(_Model):
    role: Role
    independent_of_home: bool = _absent()
    chosen_by_child: bool = _absent()
    organisation: Text = _absent()
    adult_id: Text = _absent()


class PScreening(_Model):
    categories: Annotated[tuple[Category, ...], AfterValidator(_distinct)] = ()
    indicators: Annotated[tuple[Indicator, ...], AfterValidator(_distinct)] = ()


class PResponse(_Model):
    response: Response
    at: Instant
    reason: Text = _absent()
    safeguarding_reason: bool = _absent()


class PAction(_Model):
    id: Text
    description: Text
    owner: Text = _absent()
    due: Instant = _absent()
    done_at: Instant = _absent()


class PConversation(_Model):
    """A return conversation document (``ReturnConversation`` on the wire)."""

    schema_version: Version
    id: Text
    child_id: Text
    episode_ids: Annotated[Ids, Field(min_length=1)]
    offers: tuple[POffer, ...] = ()
    requested_adult_ids: Ids = ()
    decision: DecisionCode = _absent()
    declined_reason: Text = _absent()
    held_at: Instant = _absent()
    interviewer: PInterviewer = _absent()
    method: Method = _absent()
    late_reason: Text = _absent()
    child_account: Text = _absent()
    whereabouts: Places = ()
    who_with: WhoWiths = ()
    what_happened: Text = _absent()
    harm_disclosed: Harms = ()
    screening: PScreening = _absent()
    topics: Annotated[tuple[Topic, ...], AfterValidator(_distinct)] = ()
    responses_on_return: tuple[PResponse, ...] = ()
    child_feedback: Text = _absent()
    actions: tuple[PAction, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        offers = self.offers
        for i in range(1, len(offers)):
            if offers[i].at < offers[i - 1].at:
                raise ValueError("expected offers in time order")
        declined = self.decision == Decision.DECLINED.value
        if self.held_at is not None and declined:
            raise ValueError("a declined conversation was not held")
        if self.declined_reason is not None and not declined:
            raise ValueError("only a declined conversation has a reason")
        if self.held_at is None and (
            self.interviewer is not None
            or self.child_account is not None
            or self.child_feedback is not None
        ):
            raise ValueError("recorded for a conversation not held")
        if len({a.id for a in self.actions}) != len(self.actions):
            raise ValueError("expected action ids unique")
        return self


_MODELS: dict[str, type[_Model]] = {
    "MissingEpisode": PEpisode,
    "ReturnConversation": PConversation,
}


def model_for(cls: type) -> type[BaseModel]:
    """The pydantic model of the document type ``cls`` (by name)."""
    return _MODELS[cls.__name__]
