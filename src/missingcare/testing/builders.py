"""Small builders of valid records, for tests, docs and examples.

Each builder fills in sensible defaults around the one or two values a test
is about, so a test reads as its scenario::

    >>> from datetime import UTC, date, datetime, timedelta
    >>> from missingcare.testing.builders import case_file, episode
    >>> seen = datetime(2026, 10, 1, 20, tzinfo=UTC)
    >>> ep = episode("E1", seen=seen, ended=seen + timedelta(hours=3))
    >>> ep.returned_at == ep.ended_at
    True
    >>> case = case_file(ep)
    >>> case.child.id, case.placements[0].kind.value
    ('C1', 'childrens_home')

The defaults: child ``C1``, placement ``P1`` (a children's home in
``Europe/London``), an episode last seen at 20:00 UTC on 1 October 2026 with
the status ``missing``, ended three hours later and back at the placement
when it ended. Pass ``ended=None`` for an episode still open; ``returned=None``
for a return time not recorded. Unlike the Hypothesis strategies in
:mod:`missingcare.testing.strategies`, these build one fixed, readable record;
they import nothing beyond the model and need no extra.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from missingcare.case import CaseFile
from missingcare.children import ChildRef, Placement, PlacementKind
from missingcare.context import ContextEntry
from missingcare.conversations import ExploitationCategory, ReturnConversation
from missingcare.dates import SignificantDate
from missingcare.episodes import MissingEpisode, StatusChange
from missingcare.factors import EvidenceSource, Factor, FactorDirection, UnmetNeed
from missingcare.plans import AbsencePlan, MissingPersonProfile
from missingcare.relationships import TrustedAdult
from missingcare.screenings import Screening
from missingcare.vocabularies import (
    CONTEXT_CATEGORIES,
    EPISODE_STATUSES,
    PULL_FACTORS,
    PUSH_FACTORS,
    RELATIONSHIP_ROLES,
    SIGNIFICANT_DATE_KINDS,
    UNMET_NEEDS,
)

__all__ = [
    "CHILD",
    "PLACEMENT",
    "SEEN",
    "ZONE",
    "absence_plan",
    "case_file",
    "context_entry",
    "conversation",
    "episode",
    "factor",
    "placement",
    "profile",
    "screening",
    "significant_date",
    "trusted_adult",
    "unmet_need",
]

#: The default child, placement and zone of every builder.
CHILD = "C1"
PLACEMENT = "P1"
ZONE = "Europe/London"
#: The default instant an episode's child was last seen.
SEEN = datetime(2026, 10, 1, 20, tzinfo=UTC)

_SAME: Any = object()


def placement(
    id: str = PLACEMENT,
    kind: PlacementKind = PlacementKind.CHILDRENS_HOME,
    zone: str = ZONE,
    **changes: Any,
) -> Placement:
    """A placement (a children's home in ``Europe/London`` by default)."""
    return Placement(id=id, kind=kind, zone=zone, **changes)


def episode(
    id: str = "E1",
    *,
    seen: datetime = SEEN,
    ended: datetime | None = _SAME,
    returned: datetime | None = _SAME,
    status: str = "missing",
    child_id: str = CHILD,
    placement_id: str = PLACEMENT,
    zone: str = ZONE,
    **changes: Any,
) -> MissingEpisode:
    """An episode last seen at ``seen`` with one status change (``missing`` by default).

    ``ended`` defaults to three hours after ``seen`` (``None``: still open);
    ``returned`` defaults to ``ended`` (``None``: return time not recorded).
    Any other field of :class:`~missingcare.MissingEpisode` can be given.
    """
    end = seen + timedelta(hours=3) if ended is _SAME else ended
    back = end if returned is _SAME else returned
    values: dict[str, Any] = {
        "id": id,
        "child_id": child_id,
        "placement_id": placement_id,
        "zone": zone,
        "last_seen_at": seen,
        "statuses": (StatusChange(seen, EPISODE_STATUSES[status]),),
        "ended_at": end,
        "returned_at": back if end is not None else None,
    }
    values.update(changes)
    return MissingEpisode(**values)


def conversation(
    id: str = "RC1",
    *episode_ids: str,
    child_id: str = CHILD,
    **changes: Any,
) -> ReturnConversation:
    """A return conversation covering ``episode_ids`` (``E1`` when none are given)."""
    return ReturnConversation(
        id=id, child_id=child_id, episode_ids=episode_ids or ("E1",), **changes
    )


def context_entry(
    id: str,
    at: datetime,
    category: str = "conflict_with_staff",
    *,
    child_id: str = CHILD,
    **changes: Any,
) -> ContextEntry:
    """A context-log entry of a core category (by code) at ``at``.

    ``needs`` may be given as codes of the core unmet needs.
    """
    concept = changes.pop("concept", None) or CONTEXT_CATEGORIES[category]
    if "needs" in changes:
        changes["needs"] = tuple(
            UNMET_NEEDS[n] if isinstance(n, str) else n for n in changes["needs"]
        )
    return ContextEntry(id=id, child_id=child_id, at=at, category=concept, **changes)


def factor(
    id: str,
    code: str,
    noted: datetime,
    *,
    pull: bool = False,
    source: EvidenceSource = EvidenceSource.STAFF_OBSERVATION,
    child_id: str = CHILD,
    **changes: Any,
) -> Factor:
    """A push factor (``pull=True``: a pull factor) of a core code, noted at ``noted``."""
    return Factor(
        id=id,
        child_id=child_id,
        direction=FactorDirection.PULL if pull else FactorDirection.PUSH,
        concept=(PULL_FACTORS if pull else PUSH_FACTORS)[code],
        source=source,
        noted_at=noted,
        **changes,
    )


def unmet_need(
    id: str,
    code: str,
    noted: datetime,
    *,
    source: EvidenceSource = EvidenceSource.CHILD_OWN_WORDS,
    child_id: str = CHILD,
    **changes: Any,
) -> UnmetNeed:
    """An unmet need of a core code, noted at ``noted`` (in the child's own words by default)."""
    return UnmetNeed(
        id=id, child_id=child_id, need=UNMET_NEEDS[code], source=source, noted_at=noted, **changes
    )


def trusted_adult(
    id: str = "TA1",
    *,
    named_at: datetime = SEEN - timedelta(days=30),
    adult_id: str = "A1",
    role: str = "key_worker",
    child_id: str = CHILD,
    **changes: Any,
) -> TrustedAdult:
    """A trusted adult the child named 30 days before :data:`SEEN` (by default)."""
    return TrustedAdult(
        id=id,
        child_id=child_id,
        adult_id=adult_id,
        role=RELATIONSHIP_ROLES[role],
        named_at=named_at,
        **changes,
    )


def absence_plan(
    id: str = "AP1",
    *,
    agreed_at: datetime = SEEN - timedelta(days=60),
    child_id: str = CHILD,
    **changes: Any,
) -> AbsencePlan:
    """An absence plan agreed 60 days before :data:`SEEN` (by default), still in force."""
    return AbsencePlan(id=id, child_id=child_id, agreed_at=agreed_at, **changes)


def profile(
    id: str = "MP1",
    *,
    completed_at: datetime = SEEN - timedelta(days=60),
    child_id: str = CHILD,
    **changes: Any,
) -> MissingPersonProfile:
    """A missing-person profile completed 60 days before :data:`SEEN` (by default)."""
    return MissingPersonProfile(id=id, child_id=child_id, completed_at=completed_at, **changes)


def screening(
    id: str,
    at: datetime,
    *episode_ids: str,
    categories: Iterable[ExploitationCategory] = tuple(ExploitationCategory),
    child_id: str = CHILD,
    **changes: Any,
) -> Screening:
    """An exploitation screening at ``at`` after the episodes (for every kind, by default)."""
    return Screening(
        id=id,
        child_id=child_id,
        at=at,
        episode_ids=episode_ids or ("E1",),
        categories=tuple(categories),
        **changes,
    )


def significant_date(
    id: str,
    on: date,
    kind: str = "family_birthday",
    *,
    child_id: str = CHILD,
    **changes: Any,
) -> SignificantDate:
    """A significant date of the child, by the code of its kind (a family birthday by default)."""
    return SignificantDate(
        id=id, child_id=child_id, kind=SIGNIFICANT_DATE_KINDS[kind], on=on, **changes
    )


def case_file(
    *episodes: MissingEpisode,
    child_id: str = CHILD,
    date_of_birth: date | None = None,
    placements: Iterable[Placement] | None = None,
    conversations: Iterable[ReturnConversation] = (),
    context: Iterable[ContextEntry] = (),
    trusted_adults: Iterable[TrustedAdult] = (),
    **changes: Any,
) -> CaseFile:
    """One child's case file: the episodes given, in one children's home by default.

    Any other field of :class:`~missingcare.CaseFile` (``factors``, ``needs``,
    ``periods_of_care``, ``absence_plans``, ``profiles``, ``screenings``,
    ``significant_dates``) can be given.
    """
    return CaseFile(
        child=ChildRef(child_id, date_of_birth=date_of_birth),
        placements=tuple(placements) if placements is not None else (placement(),),
        episodes=episodes,
        conversations=tuple(conversations),
        context=tuple(context),
        trusted_adults=tuple(trusted_adults),
        **changes,
    )
