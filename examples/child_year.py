"""One synthetic child's year, read through the investigative lens.

Run it with ``python examples/child_year.py``. It builds a year of records
for an invented child in an invented children's home (every id, note and
quotation is made up), then walks it: each episode with its before-window
and formulation, the child's trusted-adult picture, and what followed the
actions agreed with the child. It checks its own output as it goes, so CI
fails if the lens stops seeing what a practitioner would.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from missingcare import (
    AdultContact,
    AgreedAction,
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
from missingcare.analysis import (
    InsightKind,
    child_history,
    formulate,
    trusted_adult_picture,
)
from missingcare.vocabularies import (
    CONTEXT_CATEGORIES,
    EPISODE_ENDINGS,
    EPISODE_STATUSES,
    PULL_FACTORS,
    PUSH_FACTORS,
    RELATIONSHIP_ROLES,
    RESPONSES_ON_RETURN,
    UNMET_NEEDS,
)

ZONE = "Europe/London"
CHILD = "C-YEAR-01"
HOME = Placement(
    "P-YEAR", PlacementKind.CHILDRENS_HOME, ZONE, home_id="HOME-SYN-B", start=date(2025, 8, 1)
)
K = InsightKind


def t(y: int, mo: int, d: int, h: int = 12, mi: int = 0) -> datetime:
    """A wall-clock time at the home."""
    return local_instant(y, mo, d, h, mi, zone=ZONE)


def log(id: str, at: datetime, code: str, note: str, **kw: tuple[str, ...]) -> ContextEntry:
    return ContextEntry(
        id=id,
        child_id=CHILD,
        at=at,
        category=CONTEXT_CATEGORIES[code],
        note=note,
        resolves=kw.get("resolves", ()),
        adult_ids=kw.get("adults", ()),
        needs=tuple(UNMET_NEEDS[n] for n in kw.get("needs", ())),
    )


def episode(id: str, seen: datetime, back: datetime, ending: str) -> MissingEpisode:
    return MissingEpisode(
        id=id,
        child_id=CHILD,
        placement_id=HOME.id,
        zone=ZONE,
        last_seen_at=seen,
        statuses=(StatusChange(seen, EPISODE_STATUSES["missing"]),),
        ended_at=back,
        returned_at=back,
        ending=EPISODE_ENDINGS[ending],
    )


def push(id: str, code: str, at: datetime, ep: str, source: EvidenceSource) -> Factor:
    return Factor(id, CHILD, FactorDirection.PUSH, PUSH_FACTORS[code], source, at, (ep,))


def pull(id: str, code: str, at: datetime, ep: str, source: EvidenceSource) -> Factor:
    return Factor(id, CHILD, FactorDirection.PULL, PULL_FACTORS[code], source, at, (ep,))


def need(id: str, code: str, at: datetime, ep: str) -> UnmetNeed:
    return UnmetNeed(id, CHILD, UNMET_NEEDS[code], EvidenceSource.CHILD_OWN_WORDS, at, (ep,))


def responded(code: str, at: datetime, safeguarding: bool = False) -> ResponseOnReturn:
    return ResponseOnReturn(RESPONSES_ON_RETURN[code], at, safeguarding_reason=safeguarding)


INDEPENDENT = Interviewer(
    RELATIONSHIP_ROLES["independent_return_interviewer"],
    independent_of_home=True,
    chosen_by_child=False,
    organisation="Synthetic Advocacy Service",
)
CHOSEN = Interviewer(
    RELATIONSHIP_ROLES["residential_care_worker"],
    independent_of_home=False,
    chosen_by_child=True,
    adult_id="A-22",
)

E1 = episode("E-1", t(2025, 10, 4, 22, 30), t(2025, 10, 5, 3, 10), "returned_by_police")
E2 = episode("E-2", t(2025, 11, 15, 20), t(2025, 11, 16, 11), "returned_voluntarily")
E3 = episode("E-3", t(2026, 1, 20, 21), t(2026, 1, 21, 14), "returned_by_police")
E4 = episode("E-4", t(2026, 4, 10, 22), t(2026, 4, 10, 23, 50), "returned_voluntarily")

CONTEXT = (
    log("L-01", t(2025, 10, 4, 19), "conflict_with_staff", "row when phone confiscated"),
    log("L-02", t(2025, 11, 15, 14), "contact_cancelled", "mum cancelled contact by text"),
    log("L-03", t(2026, 1, 5, 17), "older_peers", "mentions a boyfriend, says he is 19"),
    log("L-04", t(2026, 1, 12, 18), "older_peers", "dropped off by the 'boyfriend'"),
    log("L-05", t(2026, 1, 19, 20), "older_peers", "on the phone to 'boyfriend' for hours"),
    log("L-06", t(2026, 3, 1, 16), "key_worker_left", "key worker's last day", adults=("A-11",)),
)

KEY_WORKER = TrustedAdult(
    id="TA-1",
    child_id=CHILD,
    adult_id="A-11",
    role=RELATIONSHIP_ROLES["key_worker"],
    named_at=t(2025, 9, 1),
    child_words="she doesn't shout",
    contacts=tuple(
        AdultContact(t(2025, 9, 1) + timedelta(days=14 * i), ContactKind.IN_PERSON)
        for i in range(12)
    ),
    ended_at=t(2026, 3, 1, 17),
    end_reason="left the home",
)
SAM = TrustedAdult(
    id="TA-2",
    child_id=CHILD,
    adult_id="A-22",
    role=RELATIONSHIP_ROLES["residential_care_worker"],
    named_at=t(2026, 3, 20),
    child_words="Sam gets it",
    contacts=(
        AdultContact(t(2026, 4, 1, 17), ContactKind.IN_PERSON),
        AdultContact(t(2026, 4, 10, 22, 40), ContactKind.PHONE, True, "E-4"),
        AdultContact(t(2026, 6, 20, 16), ContactKind.IN_PERSON),
        AdultContact(t(2026, 7, 25, 16), ContactKind.IN_PERSON),
        AdultContact(t(2026, 8, 22, 16), ContactKind.IN_PERSON, True),
    ),
)

CONVERSATIONS = (
    ReturnConversation(
        id="RC-1",
        child_id=CHILD,
        episode_ids=("E-1",),
        decision=Decision.ACCEPTED,
        held_at=t(2025, 10, 6, 15),
        interviewer=INDEPENDENT,
        child_account="They took my phone for nothing. Nobody here listens.",
        responses_on_return=(
            responded("grounding", t(2025, 10, 5, 9)),
            responded("phone_removed", t(2025, 10, 5, 9)),
        ),
        actions=(
            AgreedAction(
                "A-1", "key worker and child agree phone rules together", done_at=t(2025, 10, 20)
            ),
        ),
    ),
    ReturnConversation(
        id="RC-2",
        child_id=CHILD,
        episode_ids=("E-2",),
        requested_adult_ids=("A-11",),
        decision=Decision.ACCEPTED,
        held_at=t(2025, 11, 20, 16),
        interviewer=INDEPENDENT,
        child_account="Mum didn't come again. I went to find her.",
        actions=(
            AgreedAction(
                "A-2", "social worker fixes a regular contact day", done_at=t(2025, 12, 1)
            ),
        ),
    ),
    ReturnConversation(
        id="RC-3",
        child_id=CHILD,
        episode_ids=("E-3",),
        decision=Decision.ACCEPTED,
        held_at=t(2026, 1, 22, 16),
        interviewer=INDEPENDENT,
        child_account="He's just a friend. He buys me food.",
        actions=(
            AgreedAction("A-3", "weekly time with a chosen adult", done_at=t(2026, 1, 28)),
            AgreedAction("A-4", "exploitation screening review", due=t(2026, 2, 15)),
        ),
    ),
    ReturnConversation(
        id="RC-4",
        child_id=CHILD,
        episode_ids=("E-4",),
        decision=Decision.ACCEPTED,
        held_at=t(2026, 4, 11, 15),
        interviewer=CHOSEN,
        child_account="I rang Sam because Sam gets it. I wanted to come back.",
        responses_on_return=(
            responded("welcomed_back", t(2026, 4, 10, 23, 50)),
            responded("food_and_rest_offered", t(2026, 4, 10, 23, 55)),
        ),
    ),
)

CASE = CaseFile(
    child=ChildRef(CHILD, date_of_birth=date(2011, 6, 1)),
    placements=(HOME,),
    periods_of_care=(PeriodOfCare(date(2025, 8, 1)),),
    episodes=(E1, E2, E3, E4),
    conversations=CONVERSATIONS,
    context=CONTEXT,
    factors=(
        push(
            "F-1", "conflict_with_staff", t(2025, 10, 6, 16), "E-1", EvidenceSource.CHILD_OWN_WORDS
        ),
        push("F-2", "not_listened_to", t(2025, 10, 6, 16), "E-1", EvidenceSource.CHILD_OWN_WORDS),
        pull("F-3", "see_family", t(2025, 11, 20, 17), "E-2", EvidenceSource.CHILD_OWN_WORDS),
        push(
            "F-4", "not_listened_to", t(2025, 11, 20, 17), "E-2", EvidenceSource.RETURN_CONVERSATION
        ),
    ),
    needs=(
        need("N-1", "being_heard", t(2025, 10, 6, 16), "E-1"),
        need("N-2", "family_contact", t(2025, 11, 20, 17), "E-2"),
        need("N-3", "being_heard", t(2025, 11, 20, 17), "E-2"),
        need("N-4", "trusted_adult", t(2026, 4, 11, 16), "E-4"),
    ),
    trusted_adults=(KEY_WORKER, SAM),
)
AS_OF = t(2026, 8, 31, 9)

EXPECTED_KINDS = {
    "E-1": {
        K.UNRESOLVED_CONFLICT,
        K.RESTRICTION_WITHOUT_SAFEGUARDING_REASON,
    },
    "E-2": {K.CONTACT_DISRUPTED, K.ACCOUNT_UNHEARD, K.STRANGER_NOT_CHOSEN},
    "E-3": {K.UNNAMED_PULL_SIGNAL, K.CHILD_WORDS_NOT_REFLECTED},
    "E-4": {K.TRUSTED_ADULT_REACHED},
}


def main() -> list[str]:
    """Walk the year; return the lines printed, after checking them."""
    lines: list[str] = []
    out = lines.append
    out(f"A year for {CHILD} (synthetic), as of {AS_OF:%Y-%m-%d}")
    for ep in sorted(CASE.episodes, key=lambda e: e.last_seen_at):
        f = formulate(CASE, ep.id, as_of=AS_OF)
        out("")
        out(f"== Episode {ep.id} ==")
        for sentence in f.sentences:
            out(f"  {sentence}")
        for insight in f.insights:
            out(f"  ? {insight.prompt}")
            out(f"    evidence: {', '.join(insight.evidence_paths)}")
        assert {i.kind for i in f.insights} == EXPECTED_KINDS[ep.id], (ep.id, f.insights)

    e1 = formulate(CASE, "E-1", as_of=AS_OF)
    assert e1.child_words[0].text == "They took my phone for nothing. Nobody here listens."
    assert "may be saying something about being heard" in e1.text
    e3 = formulate(CASE, "E-3", as_of=AS_OF)
    (signal,) = [i for i in e3.insights if i.kind is K.UNNAMED_PULL_SIGNAL]
    assert signal.evidence_paths == tuple(
        f"$.context[?(@.id=='{i}')]" for i in ("L-03", "L-04", "L-05")
    )

    picture = trusted_adult_picture(CASE, AS_OF)
    out("")
    out("== Trusted adults ==")
    for a in picture.adults:
        state = "present" if a.present else f"left {a.ended_at:%Y-%m-%d}"
        out(
            f"  {a.role.display} ({a.adult_id}): {state}; contacts in the last 30 days: "
            f"{a.contacts_recent}, 90 days: {a.contacts_longer}; "
            f"came back after contacting them: {', '.join(a.came_back_after) or 'no'}"
        )
    for insight in picture.insights:
        out(f"  ? {insight.prompt}")
    assert picture.has_trusted_adult
    sam = next(a for a in picture.adults if a.adult_id == "A-22")
    assert (sam.contacts_recent, sam.contacts_longer, sam.came_back_after) == (1, 3, ("E-4",))
    assert [i.kind for i in picture.insights] == [K.TRUSTED_ADULT_REACHED]

    history = child_history(CASE, as_of=AS_OF)
    out("")
    out("== What changed after actions ==")
    for sentence in history.summary():
        out(f"  {sentence}")
    for insight in history.insights:
        out(f"  ? {insight.prompt}")
    by_action = {u.action_id: u for u in history.follow_ups}
    assert by_action["A-2"].fewer is True
    assert (len(by_action["A-3"].episodes_before), len(by_action["A-3"].episodes_after)) == (2, 1)
    assert by_action["A-3"].shorter is True
    assert [r.concept.code for r in history.recurring_needs] == ["being_heard"]
    assert [r.concept.code for r in history.recurring_factors] == ["not_listened_to"]
    assert {i.kind for i in history.insights} == {
        K.RECURRING_FACTOR,
        K.RECURRING_NEED,
        K.ACTIONS_NOT_DONE,
    }
    return lines


if __name__ == "__main__":
    print("\n".join(main()))
