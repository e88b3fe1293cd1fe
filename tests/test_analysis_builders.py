"""Small builders for the analysis tests: one synthetic child in one synthetic home.

Every id, note and quotation here is invented; none resembles a real person.
Times are given as wall-clock times in the home's zone (Europe/London).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from missingcare import (
    AdultContact,
    CaseFile,
    ChildRef,
    ContactKind,
    ContextEntry,
    Decision,
    EvidenceSource,
    Factor,
    FactorDirection,
    Interviewer,
    MissingEpisode,
    PeriodOfCare,
    Placement,
    PlacementKind,
    ResponseOnReturn,
    ReturnConversation,
    StatusChange,
    TrustedAdult,
    UnmetNeed,
    local_instant,
)
from missingcare.analysis.insights import Evidence
from missingcare.conversations import AgreedAction
from missingcare.vocabularies import (
    CONTEXT_CATEGORIES,
    EPISODE_STATUSES,
    PULL_FACTORS,
    PUSH_FACTORS,
    RELATIONSHIP_ROLES,
    RESPONSES_ON_RETURN,
    UNMET_NEEDS,
)

ZONE = "Europe/London"
CHILD = "C-SYN-01"
HOME = "HOME-SYN-A"
PLACEMENT = Placement(
    "P-1", PlacementKind.CHILDRENS_HOME, ZONE, home_id=HOME, start=date(2025, 1, 6)
)


def at(month: int, day: int, hour: int = 12, minute: int = 0, year: int = 2026) -> datetime:
    """A wall-clock time in the home's zone, as a UTC instant."""
    return local_instant(year, month, day, hour, minute, zone=ZONE)


def entry(
    id: str,
    when: datetime,
    code: str,
    *,
    note: str | None = None,
    resolves: Iterable[str] = (),
    adults: Iterable[str] = (),
    needs: Iterable[str] = (),
    child: str = CHILD,
) -> ContextEntry:
    return ContextEntry(
        id=id,
        child_id=child,
        at=when,
        category=CONTEXT_CATEGORIES[code],
        note=note,
        resolves=tuple(resolves),
        adult_ids=tuple(adults),
        needs=tuple(UNMET_NEEDS[n] for n in needs),
    )


def episode(
    id: str,
    seen: datetime,
    *,
    back_after: timedelta | None = timedelta(hours=5),
    child: str = CHILD,
    placement: Placement = PLACEMENT,
) -> MissingEpisode:
    ended = None if back_after is None else seen + back_after
    return MissingEpisode(
        id=id,
        child_id=child,
        placement_id=placement.id,
        zone=placement.zone,
        last_seen_at=seen,
        statuses=(StatusChange(seen, EPISODE_STATUSES["missing"]),),
        ended_at=ended,
        returned_at=ended,
    )


def factor(
    id: str,
    code: str,
    noted: datetime,
    *,
    pull: bool = False,
    episodes: Iterable[str] = (),
    source: EvidenceSource = EvidenceSource.STAFF_OBSERVATION,
    child: str = CHILD,
) -> Factor:
    return Factor(
        id=id,
        child_id=child,
        direction=FactorDirection.PULL if pull else FactorDirection.PUSH,
        concept=(PULL_FACTORS if pull else PUSH_FACTORS)[code],
        source=source,
        noted_at=noted,
        episode_ids=tuple(episodes),
    )


def need(
    id: str,
    code: str,
    noted: datetime,
    *,
    episodes: Iterable[str] = (),
    source: EvidenceSource = EvidenceSource.CHILD_OWN_WORDS,
    child: str = CHILD,
) -> UnmetNeed:
    return UnmetNeed(
        id=id,
        child_id=child,
        need=UNMET_NEEDS[code],
        source=source,
        noted_at=noted,
        episode_ids=tuple(episodes),
    )


def trusted(
    id: str,
    adult: str,
    named: datetime,
    *,
    role: str = "key_worker",
    contacts: Iterable[AdultContact] = (),
    ended: datetime | None = None,
    child: str = CHILD,
) -> TrustedAdult:
    return TrustedAdult(
        id=id,
        child_id=child,
        adult_id=adult,
        role=RELATIONSHIP_ROLES[role],
        named_at=named,
        contacts=tuple(contacts),
        ended_at=ended,
        end_reason="left the home" if ended is not None else None,
    )


def contact(
    when: datetime,
    *,
    episode_id: str | None = None,
    kind: ContactKind = ContactKind.IN_PERSON,
    by_child: bool = False,
) -> AdultContact:
    return AdultContact(at=when, kind=kind, child_initiated=by_child, episode_id=episode_id)


def response(code: str, when: datetime, *, safeguarding: bool = False) -> ResponseOnReturn:
    return ResponseOnReturn(
        response=RESPONSES_ON_RETURN[code],
        at=when,
        reason="agreed with the social worker" if safeguarding else None,
        safeguarding_reason=safeguarding,
    )


def conversation(
    id: str,
    episodes: Iterable[str],
    *,
    held: datetime | None = None,
    words: str | None = None,
    interviewer: Interviewer | None = None,
    responses: Iterable[ResponseOnReturn] = (),
    actions: Iterable[AgreedAction] = (),
    decision: Decision | None = None,
    requested: Iterable[str] = (),
    child: str = CHILD,
) -> ReturnConversation:
    if held is not None and interviewer is None:
        interviewer = Interviewer(
            role=RELATIONSHIP_ROLES["independent_return_interviewer"],
            independent_of_home=True,
            chosen_by_child=False,
        )
    return ReturnConversation(
        id=id,
        child_id=child,
        episode_ids=tuple(episodes),
        requested_adult_ids=tuple(requested),
        held_at=held,
        decision=decision if decision is not None else (Decision.ACCEPTED if held else None),
        interviewer=interviewer,
        child_account=words,
        responses_on_return=tuple(responses),
        actions=tuple(actions),
    )


def case(
    *,
    episodes: Iterable[MissingEpisode] = (),
    context: Iterable[ContextEntry] = (),
    factors: Iterable[Factor] = (),
    needs: Iterable[UnmetNeed] = (),
    conversations: Iterable[ReturnConversation] = (),
    trusted_adults: Iterable[TrustedAdult] = (),
    child: str = CHILD,
    placement: Placement = PLACEMENT,
) -> CaseFile:
    return CaseFile(
        child=ChildRef(child, date_of_birth=date(2011, 2, 1)),
        placements=(placement,),
        periods_of_care=(PeriodOfCare(date(2025, 1, 6)),),
        episodes=tuple(episodes),
        conversations=tuple(conversations),
        context=tuple(context),
        factors=tuple(factors),
        needs=tuple(needs),
        trusted_adults=tuple(trusted_adults),
    )


def ev(collection: str, id: str, within: str = "") -> str:
    """The evidence path an insight should cite."""
    return Evidence.record(collection, id, within=within).path


def test_builders_make_a_valid_case() -> None:
    seen = at(3, 3, 22, 30)
    c = case(
        episodes=[episode("E-1", seen)],
        context=[entry("log-1", at(3, 3, 19), "conflict_with_staff")],
    )
    assert c.episode("E-1").last_seen_at == seen
    assert ev("context", "log-1") == "$.context[?(@.id=='log-1')]"
