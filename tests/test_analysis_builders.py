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
    ContactKind,
    ContextEntry,
    Decision,
    EvidenceSource,
    Factor,
    Interviewer,
    MissingEpisode,
    PeriodOfCare,
    Placement,
    ResponseOnReturn,
    ReturnConversation,
    TrustedAdult,
    UnmetNeed,
    local_instant,
)
from missingcare.analysis.insights import Evidence
from missingcare.conversations import AgreedAction
from missingcare.testing import builders as b
from missingcare.vocabularies import RELATIONSHIP_ROLES, RESPONSES_ON_RETURN

ZONE = "Europe/London"
CHILD = "C-SYN-01"
HOME = "HOME-SYN-A"
PLACEMENT = b.placement("P-1", zone=ZONE, home_id=HOME, start=date(2025, 1, 6))

# The scenario's own defaults over the shared builders (missingcare.testing.builders):
# the child C-SYN-01 in placement P-1, episodes back after five hours.


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
    return b.context_entry(
        id,
        when,
        code,
        child_id=child,
        note=note,
        resolves=tuple(resolves),
        adult_ids=tuple(adults),
        needs=tuple(needs),
    )


def episode(
    id: str,
    seen: datetime,
    *,
    back_after: timedelta | None = timedelta(hours=5),
    child: str = CHILD,
    placement: Placement = PLACEMENT,
) -> MissingEpisode:
    return b.episode(
        id,
        seen=seen,
        ended=None if back_after is None else seen + back_after,
        child_id=child,
        placement_id=placement.id,
        zone=placement.zone,
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
    return b.factor(
        id, code, noted, pull=pull, source=source, child_id=child, episode_ids=tuple(episodes)
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
    return b.unmet_need(id, code, noted, source=source, child_id=child, episode_ids=tuple(episodes))


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
    return b.trusted_adult(
        id,
        named_at=named,
        adult_id=adult,
        role=role,
        child_id=child,
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
    return b.conversation(
        id,
        *episodes,
        child_id=child,
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
    return b.case_file(
        *episodes,
        child_id=child,
        date_of_birth=date(2011, 2, 1),
        placements=[placement],
        periods_of_care=(PeriodOfCare(date(2025, 1, 6)),),
        conversations=conversations,
        context=context,
        factors=tuple(factors),
        needs=tuple(needs),
        trusted_adults=trusted_adults,
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
