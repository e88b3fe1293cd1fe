"""The lens hears the child: their words, suggestions, where found, screening, protection.

Each scenario is built from the practice research of the domain reference (§6:
the antecedents of §6.5, the return conversation of §6.3, the indicators of §6.4
and §7.6, the trusted adult of §6.2) as the smallest synthetic case file that
tells its story. Every child, adult and quotation is invented. Each asserts the
exact suggestions with their evidence paths, the words shown verbatim, the
screening prompt, the protective factors and, where it applies, the counts;
``test_each_scenario_needs_its_cue`` shows each one fails without its cue.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import attrs
import pytest

from missingcare import (
    AdultContact,
    CaseFile,
    ContactKind,
    ConversationOffer,
    Decision,
    EvidenceSource,
    ExploitationScreening,
    Factor,
    FactorDirection,
    Interviewer,
    Located,
    MissingEpisode,
    Outcome,
    evaluate,
    local_instant,
)
from missingcare.analysis import (
    SUGGESTED,
    CueTable,
    EpisodeFormulation,
    SuggestionKind,
    formulate,
    home_summary,
)
from missingcare.conversations import ExploitationCategory
from missingcare.packs.gb_eng import PACK
from missingcare.testing import builders as b
from missingcare.vocabularies import (
    ADDRESS_LINKS,
    CONVERSATION_OUTCOMES,
    DISTANCE_BANDS,
    EPISODE_ENDINGS,
    EXPLOITATION_INDICATORS,
    LOCATION_TYPES,
    PROTECTIVE_FACTORS,
    RELATIONSHIP_ROLES,
    WHO_WITH,
)
from tests._helpers import load_script

ZONE = "Europe/London"
CHILD = b.CHILD


def at(month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return local_instant(2026, month, day, hour, minute, zone=ZONE)


SEEN = at(3, 14, 21)
BACK = SEEN + timedelta(hours=20)
LATER = at(3, 25)


def ep(
    id: str = "E1", seen: datetime = SEEN, back: datetime | None = BACK, **changes: Any
) -> MissingEpisode:
    return b.episode(id, seen=seen, ended=back, zone=ZONE, **changes)


def found(
    where: str,
    *,
    link: str | None = None,
    distance: str | None = None,
    when: datetime = BACK,
) -> Located:
    return Located(
        at=when,
        where=LOCATION_TYPES[where],
        by="police",
        address_link=ADDRESS_LINKS[link] if link else None,
        distance=DISTANCE_BANDS[distance] if distance else None,
    )


def case(*episodes: MissingEpisode, **changes: Any) -> CaseFile:
    return b.case_file(*episodes, placements=[b.placement(zone=ZONE)], **changes)


def ev(collection: str, id: str, within: str = "") -> str:
    return f"$.{collection}[?(@.id=='{id}')]{within}"


def suggested(f: EpisodeFormulation) -> dict[tuple[str, str], tuple[str, ...]]:
    """Every suggestion: (kind, code) -> its evidence paths."""
    return {(s.kind.value, s.concept.code): s.evidence_paths for s in f.suggestions}


def indicators(f: EpisodeFormulation) -> dict[str, tuple[str, ...]]:
    assert f.screening is not None
    return {i.indicator.code: tuple(e.path for e in i.evidence) for i in f.screening.indicators}


# --- the scenarios, each a case file and its episode ------------------------------------------


def contact_cancelled_on_mums_birthday() -> CaseFile:
    """§6.5 contact visits or family news; §7.3/7.4: contact cancelled on a parent's birthday,
    no contact arranged; the child says they want to see their mum [PKC][YORK98][SCOPE25]."""
    return case(
        ep(),
        context=[
            b.context_entry(
                "L1",
                at(3, 13, 17),
                "contact_cancelled",
                child_said="I just want to see my mum.",
                child_said_to="key worker",
            )
        ],
        significant_dates=(
            b.significant_date(
                "D1", date(1985, 3, 14), whose="mother", yearly=True, contact_arranged=False
            ),
        ),
    )


def nobody_listens() -> CaseFile:
    """§6.2 NYAS: breakdown in communication is the major push; the child says so [NYAS]."""
    return case(
        ep(),
        context=[
            b.context_entry("L1", at(3, 14, 19), "conflict_with_staff"),
            b.context_entry(
                "L2", at(3, 14, 19, 5), "child_upset", child_said="Nobody listens to me here."
            ),
        ],
    )


def bullied_by_residents() -> CaseFile:
    """§6.1 YORK98: bullying by other residents a major push."""
    return case(
        ep(),
        context=[
            b.context_entry(
                "L1",
                at(3, 13, 16),
                "conflict_with_peer",
                child_said="The other kids keep bullying me.",
            )
        ],
    )


def like_a_prison() -> CaseFile:
    """§6.1 SCOPE25: seeking freedom from restrictive environments."""
    return case(
        ep(),
        context=[
            b.context_entry(
                "L1", at(3, 14, 9), "restriction_imposed", child_said="It's like a prison in here."
            )
        ],
    )


def found_at_family_address() -> CaseFile:
    """§7.7/7.8/7.9: found at a family address, with family, brought back by family: the
    clearest statement of a pull toward family, and a relationship that brought them back."""
    return case(
        ep(
            located=found("family_home", link="family", distance="nearby"),
            who_with=(WHO_WITH["family_member"],),
            ending=EPISODE_ENDINGS["returned_with_friend_or_family"],
        )
    )


def picked_up_and_found_far_away(*, screened: bool = False) -> CaseFile:
    """§6.4/§7.6: picked up by a car, a new phone, found far away at a trap house with gang
    associates [CSE17][CL23][PKC]."""
    extra: dict[str, Any] = {}
    if screened:
        extra["screenings"] = (
            b.screening(
                "S1",
                BACK + timedelta(hours=30),
                "E1",
                indicators=(EXPLOITATION_INDICATORS["cce.found_out_of_area"],),
            ),
        )
    return case(
        ep(
            located=found("trap_house", link="associates_of_concern", distance="far"),
            who_with=(WHO_WITH["gang_associates"],),
        ),
        context=[
            b.context_entry("L1", at(3, 12, 18), "picked_up_by_car"),
            b.context_entry("L2", at(3, 13, 20), "new_phone_or_gifts"),
        ],
        **extra,
    )


def trusted_adult_called() -> CaseFile:
    """§6.2: the child phoned their key worker during the episode and was back within the
    hour [ADV][NYAS][RTC19]."""
    back = SEEN + timedelta(hours=3)
    return case(
        ep(back=back),
        trusted_adults=[
            b.trusted_adult(
                "TA1",
                named_at=at(1, 10),
                contacts=(
                    AdultContact(
                        at=back - timedelta(minutes=40),
                        kind=ContactKind.PHONE,
                        child_initiated=True,
                        episode_id="E1",
                    ),
                ),
            )
        ],
    )


def came_back_by_themselves() -> CaseFile:
    """§7.9 UKMPU21: returned voluntarily; the child says so on return."""
    return case(
        ep(
            ending=EPISODE_ENDINGS["returned_voluntarily"],
            child_said="I came back on my own.",
            child_said_to="home staff",
        )
    )


def anniversary_of_a_loss() -> CaseFile:
    """§6.5: anniversaries and bereavement in the days before [PKC][WALES]."""
    return case(
        ep(),
        significant_dates=(
            b.significant_date("D1", date(2019, 3, 13), "anniversary_of_loss", yearly=True),
        ),
    )


def placement_move_ahead() -> CaseFile:
    """§6.1: placement instability [YORK98][SCOPE25][MO]; a planned move falls in the window."""
    return case(
        ep(),
        context=[
            b.context_entry(
                "L1", at(3, 12, 15), "placement_move_news", child_said="I don't want to move again."
            )
        ],
        significant_dates=(b.significant_date("D1", date(2026, 3, 13), "placement_move"),),
    )


def older_boyfriend() -> CaseFile:
    """§7.4/§7.6: a significantly older boyfriend [PKC][CSE17]."""
    return case(
        ep(
            who_with=(WHO_WITH["older_partner"],),
            child_said="I was with my boyfriend, he's older.",
        )
    )


def owes_them() -> CaseFile:
    """§7.6 CCE: debt bondage; missing for days [CL23][SUTT]."""
    return case(
        ep(back=SEEN + timedelta(days=3), child_said="I had to go, I owe them."),
    )


def found_out_of_area_no_other_signal() -> CaseFile:
    """§6.1 APPG12: children placed far from home go back to it; §7.6 out of area."""
    return case(ep(located=found("street_or_outdoors", link="no_known_link", distance="far")))


# --- 1 ------------------------------------------------------------------------------------------
def test_contact_cancelled_on_mums_birthday_suggests_the_pull_to_family() -> None:
    f = formulate(contact_cancelled_on_mums_birthday(), "E1", as_of=LATER)
    assert suggested(f) == {
        ("pull", "see_family"): (
            ev("context", "L1"),
            ev("context", "L1", ".child_said"),
            ev("significant_dates", "D1"),
        ),
        ("need", "belonging"): (ev("significant_dates", "D1"),),
        ("need", "family_contact"): (ev("context", "L1"), ev("significant_dates", "D1")),
    }
    # the child's words come first, verbatim, with who heard them
    assert f.sentences[1] == (
        "In the child's own words (log, 17:00 on Fri 13 March 2026 (GMT), heard by key worker): "
        "“I just want to see my mum.”"
    )
    assert [(d.record.id, d.on, d.contact_arranged) for d in f.before.dates] == [
        ("D1", date(2026, 3, 14), False)
    ]
    assert (
        "A significant date in the window: family member's birthday (mother) on Sat 14 March 2026: "
        "no contact was arranged." in f.sentences
    )
    assert f.screening is None
    assert f.protective == ()
    assert (f.push, f.pull, f.needs) == ((), (), ())  # suggestions are never recorded factors
    assert all(s.note == SUGGESTED for s in f.suggestions)


def test_contact_held_that_day_counts_as_arranged_and_the_belonging_cue_stays_quiet() -> None:
    c = contact_cancelled_on_mums_birthday()
    held = b.context_entry("L2", at(3, 14, 11), "contact_held")
    f = formulate(attrs.evolve(c, context=(*c.context, held)), "E1", as_of=LATER)
    assert [(d.contact_arranged, d.contact_entry_ids) for d in f.before.dates] == [(True, ("L2",))]
    assert ("need", "belonging") not in suggested(f)


# --- 2 ------------------------------------------------------------------------------------------
def test_nobody_listens_suggests_not_listened_to_and_being_heard() -> None:
    f = formulate(nobody_listens(), "E1", as_of=LATER)
    assert suggested(f) == {
        ("push", "conflict_with_staff"): (ev("context", "L1"),),
        ("push", "mental_health_distress"): (ev("context", "L2"),),
        ("push", "not_listened_to"): (ev("context", "L2", ".child_said"),),
        ("need", "being_heard"): (ev("context", "L2", ".child_said"),),
    }
    heard = next(s for s in f.suggestions if s.concept.code == "being_heard")
    assert heard.because == ("“nobody listens”",)
    assert heard.sentence() == (
        "Suggested unmet need: being heard (suggested from the record, not recorded by staff; "
        "from “nobody listens”)."
    )
    words = [w.text for w in f.child_words]
    assert words == ["Nobody listens to me here."]
    # the words come before the before-window and before any suggestion
    text = f.text
    assert text.index("Nobody listens") < text.index("In the 72 hours before")
    assert text.index("Nobody listens") < text.index("Suggested")


# --- 3 ------------------------------------------------------------------------------------------
def test_bullying_by_other_residents_is_a_suggested_push() -> None:
    f = formulate(bullied_by_residents(), "E1", as_of=LATER)
    assert suggested(f) == {
        ("push", "conflict_with_residents"): (
            ev("context", "L1"),
            ev("context", "L1", ".child_said"),
        )
    }
    s = f.suggestions[0]
    assert s.because == ("conflict with a peer", "“the other kids”", "“bullying me”")
    assert set(s.cites) >= {"YORK98", "BW99"}


# --- 4 ------------------------------------------------------------------------------------------
def test_a_home_like_a_prison_suggests_rules_and_the_need_for_freedom() -> None:
    f = formulate(like_a_prison(), "E1", as_of=LATER)
    assert suggested(f) == {
        ("push", "rules_and_sanctions"): (ev("context", "L1"), ev("context", "L1", ".child_said")),
        ("need", "freedom"): (ev("context", "L1"), ev("context", "L1", ".child_said")),
    }


# --- 5 ------------------------------------------------------------------------------------------
def test_found_at_a_family_address_connects_to_the_pull_toward_family() -> None:
    f = formulate(found_at_family_address(), "E1", as_of=LATER)
    e = ev("episodes", "E1")
    assert suggested(f) == {
        ("pull", "see_family"): (
            e + ".located.address_link",
            e + ".located.where",
            e + ".who_with[0]",
        ),
        ("protective", "relationship_brought_back"): (e + ".ending",),
    }
    where = f.where_found
    assert where is not None
    assert [c.code for c in where.pulls] == ["see_family"]
    assert where.sentence() == (
        "Found at family member's home; the address is a family address; nearby (5 to 25 km) "
        "from the placement; with family member; the episode ended: returned with friend or "
        "family. This connects to the pull, recorded or suggested: to see family."
    )
    assert "How can what protected the child be strengthened?" in f.sentences


def test_a_recorded_pull_is_shown_as_recorded_and_never_suggested_again() -> None:
    c = found_at_family_address()
    recorded = b.factor("F1", "see_family", BACK, pull=True, episode_ids=("E1",))
    f = formulate(attrs.evolve(c, factors=(recorded,)), "E1", as_of=LATER)
    assert ("pull", "see_family") not in suggested(f)
    assert f.pull == (recorded,)
    assert f.where_found is not None
    assert [p.code for p in f.where_found.pulls] == ["see_family"]


# --- 6 ------------------------------------------------------------------------------------------
def test_picked_up_and_found_far_away_prompts_a_screening_and_the_rule_is_pending() -> None:
    c = picked_up_and_found_far_away()
    f = formulate(c, "E1", as_of=LATER)
    e = ev("episodes", "E1")
    assert indicators(f) == {
        "cce.association_with_older_gang_members": (e + ".who_with[0]",),
        "cce.found_out_of_area": (e + ".located.distance", e + ".located.where"),
        "cse.found_in_unknown_area": (e + ".located.address_link",),
        "cse.picked_up_by_unknown_adults": (ev("context", "L1"),),
        "cse.unexplained_gifts": (ev("context", "L2"),),
    }
    assert f.screening is not None
    assert not f.screening.screened
    assert f.screening.sentence().endswith(
        "Has an exploitation screening been done, as national guidance expects after a return "
        "when such indicators appear?"
    )
    assert suggested(f) == {
        ("pull", "gang_recruitment"): (e + ".located.where", e + ".who_with[0]"),
        ("pull", "groomed_by_adults"): (
            ev("context", "L1"),
            ev("context", "L2"),
            e + ".located.address_link",
        ),
        ("pull", "home_area"): (e + ".located.distance",),
        ("pull", "money_gifts_status"): (ev("context", "L2"),),
    }
    rule = [
        x
        for x in evaluate(c, pack=PACK, as_of=LATER).findings
        if x.rule.code == "exploitation-screening-considered"
    ]
    assert [(x.outcome, x.message_id.rsplit(".", 1)[-1]) for x in rule] == [
        (Outcome.PENDING, "pending")
    ]
    assert "Found out of area" in rule[0].text
    assert {s.key for s in PACK.rule("exploitation-screening-considered").sources} >= {
        "CSE17",
        "CL23",
        "PKC",
    }


# --- 7 ------------------------------------------------------------------------------------------
def test_a_recorded_screening_answers_the_prompt_and_meets_the_rule() -> None:
    c = picked_up_and_found_far_away(screened=True)
    f = formulate(c, "E1", as_of=LATER)
    assert f.screening is not None
    assert f.screening.screened
    assert [e.path for e in f.screening.screenings] == [ev("screenings", "S1")]
    assert f.screening.sentence().endswith("A screening is recorded.")
    rule = [
        x
        for x in evaluate(c, pack=PACK, as_of=LATER).findings
        if x.rule.code == "exploitation-screening-considered"
    ]
    assert [(x.outcome, x.observed) for x in rule] == [(Outcome.MET, BACK + timedelta(hours=30))]
    # before the screening was done, the rule was pending and the prompt asked
    early = BACK + timedelta(hours=1)
    assert not formulate(c, "E1", as_of=early).screening.screened  # type: ignore[union-attr]


# --- 8 ------------------------------------------------------------------------------------------
def test_a_held_conversations_screening_answers_it_too() -> None:
    c = picked_up_and_found_far_away()
    conv = b.conversation(
        "RC1",
        "E1",
        decision=Decision.ACCEPTED,
        held_at=BACK + timedelta(hours=26),
        interviewer=Interviewer(
            role=RELATIONSHIP_ROLES["independent_return_interviewer"], independent_of_home=True
        ),
        screening=ExploitationScreening(categories=(ExploitationCategory.CRIMINAL,)),
    )
    f = formulate(attrs.evolve(c, conversations=(conv,)), "E1", as_of=LATER)
    assert f.screening is not None
    assert [e.path for e in f.screening.screenings] == [ev("conversations", "RC1", ".screening")]


# --- 9 ------------------------------------------------------------------------------------------
def test_a_call_to_the_trusted_adult_is_named_as_protective_and_asked_about() -> None:
    f = formulate(trusted_adult_called(), "E1", as_of=LATER)
    assert suggested(f) == {
        ("protective", "trusted_adult_contact"): (ev("trusted_adults", "TA1", ".contacts[0]"),)
    }
    assert (
        "During the episode the child contacted their trusted adult (key worker) and the "
        "episode ended 40 minutes later. (from episodes E1; trusted adults TA1)"
    ) in f.sentences
    protect = f.sentences.index("How can what protected the child be strengthened?")
    assert f.sentences[protect - 1].startswith(
        "Suggested protective factor: contacted a trusted adult"
    )


def test_a_recorded_protective_factor_is_named_and_not_suggested_again() -> None:
    c = trusted_adult_called()
    rec = Factor(
        id="F1",
        child_id=CHILD,
        direction=FactorDirection.PROTECTIVE,
        concept=PROTECTIVE_FACTORS["trusted_adult_contact"],
        source=EvidenceSource.STAFF_OBSERVATION,
        noted_at=BACK,
        episode_ids=("E1",),
    )
    f = formulate(attrs.evolve(c, factors=(rec,)), "E1", as_of=LATER)
    assert f.protective == (rec,)
    assert f.suggestions == ()
    assert "What protected the child, as recorded: contacted a trusted adult." in f.sentences


# --- 10 -----------------------------------------------------------------------------------------
def test_coming_back_by_themselves_is_protective_and_their_words_are_shown() -> None:
    f = formulate(came_back_by_themselves(), "E1", as_of=LATER)
    e = ev("episodes", "E1")
    assert suggested(f) == {
        ("protective", "returned_by_themselves"): (e + ".child_said", e + ".ending")
    }
    assert [(w.source, w.heard_by, w.text) for w in f.child_words] == [
        ("on return", "home staff", "I came back on my own.")
    ]


# --- 11 -----------------------------------------------------------------------------------------
def test_the_anniversary_of_a_loss_in_the_window_suggests_loss_and_support() -> None:
    f = formulate(anniversary_of_a_loss(), "E1", as_of=LATER)
    d = ev("significant_dates", "D1")
    assert suggested(f) == {
        ("push", "bereavement_or_loss"): (d,),
        ("need", "belonging"): (d,),
        ("need", "emotional_support"): (d,),
        ("need", "family_contact"): (d,),
    }
    assert f.before.dates[0].sentence() == (
        "anniversary of a loss on Fri 13 March 2026: the record does not say whether contact was "
        "arranged."
    )


def test_a_date_outside_the_window_is_not_listed() -> None:
    c = attrs.evolve(
        anniversary_of_a_loss(),
        significant_dates=(b.significant_date("D1", date(2019, 3, 1), "anniversary_of_loss"),),
    )
    f = formulate(c, "E1", as_of=LATER)
    assert f.before.dates == ()
    assert f.suggestions == ()


# --- 12 -----------------------------------------------------------------------------------------
def test_a_planned_move_suggests_instability_and_the_need_for_stability() -> None:
    f = formulate(placement_move_ahead(), "E1", as_of=LATER)
    d, log = ev("significant_dates", "D1"), ev("context", "L1")
    assert suggested(f) == {
        ("push", "placement_instability"): (log, log + ".child_said", d),
        ("need", "stability"): (log, d),
    }


# --- 13 -----------------------------------------------------------------------------------------
def test_an_older_boyfriend_is_a_suggested_pull_and_a_screening_prompt() -> None:
    f = formulate(older_boyfriend(), "E1", as_of=LATER)
    e = ev("episodes", "E1")
    assert suggested(f) == {("pull", "older_partner"): (e + ".child_said", e + ".who_with[0]")}
    assert indicators(f) == {"cse.older_partner": (e + ".child_said", e + ".who_with[0]")}
    assert f.child_words[0].text == "I was with my boyfriend, he's older."


# --- 14 -----------------------------------------------------------------------------------------
def test_owing_them_and_days_away_prompt_for_criminal_exploitation() -> None:
    f = formulate(owes_them(), "E1", as_of=LATER)
    e = ev("episodes", "E1")
    assert suggested(f) == {("pull", "gang_recruitment"): (e + ".child_said",)}
    assert indicators(f) == {
        "cce.missing_for_days": (e + ".ended_at",),
        "cce.unexplained_cash_or_debt": (e + ".child_said",),
    }


# --- 15 -----------------------------------------------------------------------------------------
def test_found_far_from_the_placement_suggests_home_area_and_asks_about_screening() -> None:
    f = formulate(found_out_of_area_no_other_signal(), "E1", as_of=LATER)
    e = ev("episodes", "E1")
    assert suggested(f) == {("pull", "home_area"): (e + ".located.distance",)}
    assert indicators(f) == {"cce.found_out_of_area": (e + ".located.distance",)}


# --- 16 -----------------------------------------------------------------------------------------
def _declined_and_held() -> tuple[CaseFile, ...]:
    """§6.3 admin / §7.10: offered-accepted-completed, offered-declined, held late."""
    offer = ConversationOffer(BACK + timedelta(hours=2), CONVERSATION_OUTCOMES["accepted"])
    interviewer = Interviewer(
        role=RELATIONSHIP_ROLES["independent_return_interviewer"], independent_of_home=True
    )
    held_in_time = b.conversation(
        "RC1",
        "E1",
        offers=(offer,),
        decision=Decision.ACCEPTED,
        held_at=BACK + timedelta(hours=30),
        interviewer=interviewer,
    )
    e2_seen = at(3, 19, 21)
    e2_back = e2_seen + timedelta(hours=5)
    declined = b.conversation(
        "RC2",
        "E2",
        offers=(
            ConversationOffer(e2_back + timedelta(hours=3), CONVERSATION_OUTCOMES["declined"]),
        ),
        decision=Decision.DECLINED,
    )
    e3_seen = at(3, 21, 21)
    e3_back = e3_seen + timedelta(hours=2)
    late = b.conversation(
        "RC3",
        "E3",
        offers=(
            ConversationOffer(e3_back + timedelta(hours=1), CONVERSATION_OUTCOMES["accepted"]),
        ),
        decision=Decision.ACCEPTED,
        held_at=e3_back + timedelta(hours=80),
        interviewer=interviewer,
    )
    first = case(
        ep("E1"),
        ep("E2", seen=e2_seen, back=e2_back),
        ep("E3", seen=e3_seen, back=e3_back),
        ep("E4", seen=at(3, 27, 21), back=at(3, 27, 23)),
        conversations=[held_in_time, declined, late],
    )
    return (first,)


def test_declined_is_counted_apart_from_held_in_the_home_summary_and_the_rule() -> None:
    (c,) = _declined_and_held()
    as_of = at(4, 10)
    summary = home_summary([c], as_of=as_of)
    counts = summary.conversations
    assert counts.returned == 4
    assert [
        str(p)
        for p in (
            counts.offered,
            counts.accepted,
            counts.declined,
            counts.held,
            counts.held_in_time,
        )
    ] == ["3 of 4", "2 of 4", "1 of 4", "2 of 4", "1 of 4"]
    rows = {r["measure"]: (r["numerator"], r["denominator"]) for r in summary.as_rows()}
    assert rows["returns with a conversation declined"] == (1, 4)
    assert rows["returns with a conversation held in time"] == (1, 4)
    held = {
        x.episode_id: (x.outcome, x.message_id.rsplit(".", 1)[-1])
        for x in evaluate(c, pack=PACK, as_of=as_of).findings
        if x.rule.code == "return-conversation-72h"
    }
    assert held == {
        "E1": (Outcome.MET, "met"),
        "E2": (Outcome.NOT_APPLICABLE, "declined"),
        "E3": (Outcome.BREACHED, "late"),
        "E4": (Outcome.BREACHED, "overdue"),
    }


# --- the cue table is what makes each scenario ---------------------------------------------------

#: (scenario, the cue it rests on, the suggestion or indicator that goes without it)
NEEDS_ITS_CUE: tuple[tuple[Callable[[], CaseFile], str, tuple[str, str]], ...] = (
    (contact_cancelled_on_mums_birthday, "pull.family", ("pull", "see_family")),
    (contact_cancelled_on_mums_birthday, "need.family-date-unmarked", ("need", "belonging")),
    (nobody_listens, "need.being-heard", ("need", "being_heard")),
    (bullied_by_residents, "push.bullying-residents", ("push", "conflict_with_residents")),
    (like_a_prison, "need.freedom", ("need", "freedom")),
    (
        found_at_family_address,
        "protective.relationship",
        ("protective", "relationship_brought_back"),
    ),
    (picked_up_and_found_far_away, "cce.out-of-area", ("indicator", "cce.found_out_of_area")),
    (trusted_adult_called, "protective.trusted-adult", ("protective", "trusted_adult_contact")),
    (came_back_by_themselves, "protective.came-back", ("protective", "returned_by_themselves")),
    (anniversary_of_a_loss, "push.loss", ("push", "bereavement_or_loss")),
    (placement_move_ahead, "need.stability", ("need", "stability")),
    (older_boyfriend, "cse.older-partner", ("indicator", "cse.older_partner")),
    (owes_them, "cce.missing-for-days", ("indicator", "cce.missing_for_days")),
    (found_out_of_area_no_other_signal, "pull.home-area", ("pull", "home_area")),
)


def _found(f: EpisodeFormulation, what: tuple[str, str]) -> bool:
    kind, code = what
    if kind == "indicator":
        return f.screening is not None and code in indicators(f)
    return (kind, code) in suggested(f)


@pytest.mark.parametrize(
    ("scenario", "cue", "what"), NEEDS_ITS_CUE, ids=[c for _, c, _ in NEEDS_ITS_CUE]
)
def test_each_scenario_needs_its_cue(
    scenario: Callable[[], CaseFile], cue: str, what: tuple[str, str]
) -> None:
    c = scenario()
    table = CueTable.english()
    assert _found(formulate(c, "E1", as_of=LATER, cues=table), what)
    assert not _found(formulate(c, "E1", as_of=LATER, cues=table.without(cue)), what)


def test_without_its_rule_the_pack_asks_nothing_about_screening() -> None:
    c = picked_up_and_found_far_away()
    codes = {x.rule.code for x in evaluate(c, pack=PACK, as_of=LATER).findings}
    assert "exploitation-screening-considered" in codes
    earlier = {r.code for r in PACK.rules("2015-04")}
    assert "exploitation-screening-considered" not in earlier


def test_the_cue_table_is_versioned_cites_known_sources_and_reads_its_own_errors() -> None:
    table = CueTable.english()
    assert table.version == "2026.12.1"
    assert all(c.cites for c in (*table.cues, *table.indicators))
    kinds = {c.kind for c in table.cues}
    assert kinds == set(SuggestionKind)
    from missingcare.exceptions import ValidationError

    bad = 'version = "1"\nlanguage = "en"\n[[cue]]\nid = "x"\nsuggests = "push:nope"\n'
    with pytest.raises(ValidationError, match=r"\$\.cue\[0\]\.suggests"):
        CueTable.from_toml(bad + 'cites = ["A"]\nwords = ["x"]\n')
    uncited = 'version = "1"\nlanguage = "en"\n[[cue]]\nid = "x"\nsuggests = "push:boredom"\n'
    with pytest.raises(ValidationError, match=r"\$\.cue\[0\]\.cites"):
        CueTable.from_toml(uncited + 'words = ["x"]\n')


def test_words_match_whole_words_in_any_case_and_curly_apostrophes() -> None:
    cue = CueTable.english().cue("push.unsafe")
    assert cue.phrases_in("I DON’T FEEL SAFE there") == ("don't feel safe",)
    assert cue.phrases_in("notsafe") == ()


def test_the_lens_benchmark_runs_and_checks_it_measures_something() -> None:
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_lens.py"
    module = load_script(path, "missingcare_bench_lens")
    result = module.measure(small=2, large=4, rounds=1)
    assert result["calls_per_episode_small"] > 100  # the lens ran, with something to say
    assert result["cpu_ratio_per_episode"] > 0


def test_the_generator_records_words_dates_and_where_found_at_its_stated_rates() -> None:
    """docs/how-to/synthetic-data.md: every rate is a stated assumption (no published figure)
    except that county-lines exploitation takes children out of area [CL23]."""
    from missingcare.testing.synth import _LOG_WORDS, Cohort, Parameters

    p = Parameters()
    eligible = said = closed = said_back = children = birthdays = far = found_at = 0
    for c in Cohort(children=300, seed=2026):
        children += 1
        birthdays += any(d.kind.code == "family_birthday" for d in c.significant_dates)
        for e in c.context:
            if e.category.code in _LOG_WORDS:
                eligible += 1
                said += e.child_said is not None
        for x in c.episodes:
            if x.ended_at is None:
                continue
            closed += 1
            said_back += x.child_said is not None
            if x.located is not None and x.located.where is not None:
                found_at += 1
                assert x.located.distance is not None
                assert x.located.address_link is not None
                far += x.located.distance.code in {"out_of_area", "far"}
    assert abs(said / eligible - p.words_share) < 0.02
    assert abs(said_back / closed - p.said_on_return_share) < 0.05
    assert abs(birthdays / children - p.birthday_share) < 0.08
    # out of area: 5% of most children's episodes, 40% of exploited children's
    assert 0.05 <= far / found_at <= 0.2


def test_the_demo_shows_the_childs_words_a_suggestion_with_its_evidence_and_protection() -> None:
    from click.testing import CliRunner

    from missingcare.cli import main

    result = CliRunner().invoke(main, ["demo"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "In the child's own words (" in out
    assert "Suggested from the record, not recorded by staff (" in out  # the table's title
    assert "$.context[?(@.id==" in out or "$.episodes[?(@.id==" in out  # evidence paths
    assert "protective factor:" in out
    assert "How can what protected the child be strengthened?" in out
    assert "returns with a conversation declined" in out
    assert out.index("In the child's own words") < out.index("Suggested push factor")
