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

from datetime import UTC, datetime
from typing import Annotated, Any, Self

import _invariants
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
)
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

__all__ = ["PConversation", "PEpisode", "model_for"]


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _distinct(value: tuple[Any, ...]) -> tuple[Any, ...]:
    _invariants.distinct(value)
    return value


def _zone(value: str) -> str:
    _invariants.zone(value)
    return value


def _absent() -> Any:
    """The default of an optional field: ``None``, though ``null`` itself is refused."""
    return Field(default=None)


Text = Annotated[str, StringConstraints(max_length=MAX_TEXT, pattern=NOT_BLANK)]
Id = Annotated[str, StringConstraints(pattern=NOT_BLANK)]
Instant = Annotated[AwareDatetime, AfterValidator(_utc)]
Zone = Annotated[str, AfterValidator(_zone)]

Places = Annotated[tuple[Place, ...], AfterValidator(_distinct)]
WhoWiths = Annotated[tuple[WhoWith, ...], AfterValidator(_distinct)]
Harms = Annotated[tuple[Harm, ...], AfterValidator(_distinct)]
Ids = Annotated[tuple[Id, ...], AfterValidator(_distinct)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, strict=True, extra="forbid")


# --- episodes ------------------------------------------------------------------------


class PRecorded(_Model):
    at: Instant
    by: Role = _absent()


class PStatusChange(_Model):
    at: Instant
    status: Status
    recorded: PRecorded = _absent()


class PRiskGrading(_Model):
    at: Instant
    grade: Grade
    by: Text = _absent()
    recorded: PRecorded = _absent()


class PPoliceReport(_Model):
    reported_at: Instant
    reference: Text = _absent()
    reported_by: Text = _absent()


class PSearchAction(_Model):
    at: Instant
    action: Action
    by: Text = _absent()
    note: Text = _absent()
    recorded: PRecorded = _absent()


class PNotification(_Model):
    recipient: Recipient
    at: Instant
    method: Text = _absent()
    recorded: PRecorded = _absent()


class PLocated(_Model):
    at: Instant
    where: Place = _absent()
    by: Text = _absent()
    distance: Distance = _absent()
    address_link: AddressLink = _absent()


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
    recorded: PRecorded = _absent()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _invariants.episode(self)
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
    recorded: PRecorded = _absent()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        _invariants.conversation(self)
        return self


_MODELS: dict[str, type[_Model]] = {
    "MissingEpisode": PEpisode,
    "ReturnConversation": PConversation,
}


def model_for(cls: type) -> type[BaseModel]:
    """The pydantic model of the document type ``cls`` (by name)."""
    return _MODELS[cls.__name__]
