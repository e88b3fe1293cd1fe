"""The Scotland pack: conformance, and every rule at its boundaries (both clock changes)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from missingcare.case import CaseFile
from missingcare.conversations import ConversationOffer, Decision, Interviewer
from missingcare.episodes import PoliceReport, RiskGrading, SearchAction, StatusChange
from missingcare.findings import Finding, Outcome
from missingcare.packs.gb_sct import PACK
from missingcare.rules import Duty, RulePack, evaluate, get_pack
from missingcare.testing.builders import (
    SEEN,
    absence_plan,
    case_file,
    conversation,
    episode,
    placement,
)
from missingcare.testing.conformance import RulePackContract
from missingcare.time import local_instant
from missingcare.vocabularies import (
    CONVERSATION_OUTCOMES,
    EPISODE_STATUSES,
    POLICE_RISK_GRADES,
    RELATIONSHIP_ROLES,
    SEARCH_ACTIONS,
)

LONDON = "Europe/London"
MIN = timedelta(minutes=1)
ARRANGED, COMPLETED = "return-discussion-arranged", "return-discussion-completed"


class TestGBSctConformance(RulePackContract):
    pack = PACK
    max_examples = 30


class TestGBSctLocalConformance(RulePackContract):
    """A partnership's own timescales pass the kit too."""

    pack = PACK.configure(
        discussion_arranged_within=timedelta(hours=48),
        discussion_completed_within=timedelta(days=5),
    )
    max_examples = 15


def _back_at(back: datetime) -> functools.partial[CaseFile]:
    ep = episode(seen=back - timedelta(hours=6), ended=back - timedelta(hours=1), returned=back)
    return functools.partial(case_file, ep, placements=[placement(zone=LONDON)])


def _one(case: CaseFile, as_of: datetime, code: str, pack: RulePack = PACK) -> Finding:
    found = evaluate(case, pack=pack, as_of=as_of).by_rule(code)
    assert len(found) == 1, found
    return found[0]


def _offer(at: datetime, outcome: str = "accepted", **kw: object) -> ConversationOffer:
    return ConversationOffer(at, CONVERSATION_OUTCOMES[outcome], **kw)  # type: ignore[arg-type]


def test_registered_with_its_zone_and_every_rule_names_a_duty() -> None:
    assert get_pack("GB-SCT") is PACK
    assert get_pack("Scotland") is PACK
    assert PACK.zone == LONDON
    assert all(r.duty is not None and r.sources for r in PACK.rules())
    assert PACK.rule(ARRANGED).duty is Duty.CONVERSATION_OFFERED
    assert PACK.rule(COMPLETED).duty is Duty.CONVERSATION_HELD


# --- the two deadlines from the return, across both of London's clock changes --------------------

#: Back at 22:00 on the Saturday before each change; (arranged due, completed due) in UTC.
CHANGES = {
    # October: 22:00 BST = 21:00Z on 24 Oct; the clocks go back at 01:00Z on 25 Oct.
    "october": (
        local_instant(2026, 10, 24, 22, zone=LONDON),
        datetime(2026, 10, 27, 21, tzinfo=UTC),  # 72 elapsed hours: 21:00 GMT on the clock
        datetime(2026, 10, 31, 21, tzinfo=UTC),  # 168 elapsed hours: 21:00 GMT on the clock
    ),
    # March: 22:00 GMT = 22:00Z on 28 Mar; the clocks go forward at 01:00Z on 29 Mar.
    "march": (
        local_instant(2026, 3, 28, 22, zone=LONDON),
        datetime(2026, 3, 31, 22, tzinfo=UTC),  # 23:00 BST on the clock
        datetime(2026, 4, 4, 22, tzinfo=UTC),  # 23:00 BST on the clock
    ),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_arranged_within_72_elapsed_hours_a_minute_either_side(change: str) -> None:
    back, due, _ = CHANGES[change]
    assert due - back == timedelta(hours=72)
    case = _back_at(back)
    met = _one(
        case(conversations=[conversation(offers=[_offer(due - MIN)])]), due + 9 * MIN, ARRANGED
    )
    assert (met.outcome, met.due, met.observed) == (Outcome.MET, due, due - MIN)
    late = _one(
        case(conversations=[conversation(offers=[_offer(due + MIN)])]), due + 9 * MIN, ARRANGED
    )
    assert (late.outcome, late.due, late.message_id) == (
        Outcome.BREACHED, due, "gb-sct.return-discussion-arranged.late"
    )  # fmt: skip
    nothing = case()
    assert _one(nothing, due - MIN, ARRANGED).outcome is Outcome.PENDING
    assert _one(nothing, due + MIN, ARRANGED).outcome is Outcome.BREACHED


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_completed_within_one_week_of_elapsed_time_a_minute_either_side(change: str) -> None:
    back, _, due = CHANGES[change]
    assert due - back == timedelta(days=7)
    case = _back_at(back)
    met = _one(case(conversations=[conversation(held_at=due - MIN)]), due + 9 * MIN, COMPLETED)
    assert (met.outcome, met.due) == (Outcome.MET, due)
    late = _one(case(conversations=[conversation(held_at=due + MIN)]), due + 9 * MIN, COMPLETED)
    assert (late.outcome, late.message_id) == (
        Outcome.BREACHED, "gb-sct.return-discussion-completed.late"
    )  # fmt: skip
    assert _one(case(), due - MIN, COMPLETED).outcome is Outcome.PENDING
    overdue = _one(case(), due + MIN, COMPLETED)
    assert (overdue.outcome, overdue.message_id) == (
        Outcome.BREACHED, "gb-sct.return-discussion-completed.overdue"
    )  # fmt: skip


def test_arranged_in_time_but_not_completed_in_time_are_two_findings() -> None:
    back, arranged_due, completed_due = CHANGES["october"]
    conv = conversation(offers=[_offer(back + timedelta(hours=2))], held_at=completed_due + MIN)
    ev = evaluate(_back_at(back)(conversations=[conv]), pack=PACK, as_of=completed_due + MIN)
    assert ev.by_rule(ARRANGED)[0].outcome is Outcome.MET
    assert ev.by_rule(COMPLETED)[0].outcome is Outcome.BREACHED
    assert ev.by_rule(ARRANGED)[0].due == arranged_due


def test_a_return_time_not_recorded_is_insufficient_data_never_met() -> None:
    ep = episode(seen=SEEN, ended=SEEN + timedelta(hours=2), returned=None)
    offered = _offer(SEEN + timedelta(hours=3))
    conv = conversation(offers=[offered], held_at=SEEN + timedelta(hours=4))
    case = case_file(ep, conversations=[conv])
    ev = evaluate(case, pack=PACK, as_of=SEEN + timedelta(days=30))
    for code in (ARRANGED, COMPLETED):
        (f,) = ev.by_rule(code)
        assert f.outcome is Outcome.INSUFFICIENT_DATA


def test_a_partnership_sets_its_own_timescales() -> None:
    back, _, _ = CHANGES["october"]
    local = PACK.configure(discussion_arranged_within=timedelta(hours=48))
    case = _back_at(back)(conversations=[conversation(offers=[_offer(back + timedelta(hours=50))])])
    (f,) = evaluate(case, pack=local, as_of=back + timedelta(days=3)).by_rule(ARRANGED)
    assert (f.outcome, f.due) == (Outcome.BREACHED, back + timedelta(hours=48))


# --- declined: the reasons recorded, further attempts (a prompt, never a breach) -----------------

DECLINED_AT = SEEN + timedelta(hours=20)


def _declined(**kw: object) -> CaseFile:
    offers = kw.pop("offers", [_offer(DECLINED_AT, "declined")])
    conv = conversation(offers=offers, decision=Decision.DECLINED, **kw)  # type: ignore[arg-type]
    return case_file(episode(), conversations=[conv])


def test_a_decline_before_the_week_is_out_is_not_a_discussion_completed() -> None:
    """Declined is not held (issue 17): the completion rule does not apply, with its own
    message; the arrangement (the offer) is what is met."""
    f = _one(_declined(), SEEN + timedelta(days=30), COMPLETED)
    assert (f.outcome, f.message_id) == (
        Outcome.NOT_APPLICABLE,
        "gb-sct.return-discussion-completed.declined",
    )


def test_reasons_for_a_decline_are_recorded_or_it_is_breached() -> None:
    code, later = "return-discussion-declined-reasons", SEEN + timedelta(days=2)
    assert _one(_declined(), later, code).outcome is Outcome.BREACHED
    told = _declined(declined_reason="Did not want to talk to police.")
    assert _one(told, later, code).outcome is Outcome.MET
    on_offer = _declined(offers=[_offer(DECLINED_AT, "declined", reason="Asked for later.")])
    assert _one(on_offer, later, code).evidence == ("$.conversations[0].offers[0].reason",)
    # nothing to say before the decline is known
    assert evaluate(_declined(), pack=PACK, as_of=DECLINED_AT - MIN).by_rule(code) == ()


def test_further_attempts_after_a_decline_are_prompted_never_breached() -> None:
    code = "return-discussion-further-attempts"
    prompt = _one(_declined(), SEEN + timedelta(days=90), code)
    assert (prompt.outcome, prompt.severity.value) == (Outcome.PENDING, "prompt")
    again = DECLINED_AT + timedelta(days=2)
    retried = _declined(offers=[_offer(DECLINED_AT, "declined"), _offer(again, "no_response")])
    met = _one(retried, SEEN + timedelta(days=90), code)
    assert (met.outcome, met.observed) == (Outcome.MET, again)
    # a discussion held later for the same episode, in another record, counts too
    case = _declined()
    held = conversation("RC2", held_at=again)
    case = case_file(episode(), conversations=[*case.conversations, held])
    assert _one(case, SEEN + timedelta(days=90), code).outcome is Outcome.MET


# --- the child's choice of who holds it: judged only from what the record says -------------------


def _held_by(requested: tuple[str, ...] = (), **who: object) -> CaseFile:
    interviewer = Interviewer(role=RELATIONSHIP_ROLES["police_officer"], **who)  # type: ignore[arg-type]
    conv = conversation(held_at=SEEN + timedelta(days=1), interviewer=interviewer,
                        requested_adult_ids=requested)  # fmt: skip
    return case_file(episode(), conversations=[conv])


@pytest.mark.parametrize(
    ("who", "outcome", "key"),
    [
        ({"chosen_by_child": True}, Outcome.MET, "chosen"),
        ({"adult_id": "A7", "requested": ("A7",)}, Outcome.MET, "asked-for"),
        ({"chosen_by_child": False, "adult_id": "A1", "requested": ("A7",)},
         Outcome.BREACHED, "not-asked-for"),
        ({"chosen_by_child": None, "adult_id": "A1", "requested": ("A7",)},
         Outcome.INSUFFICIENT_DATA, "choice-unknown"),
        ({"chosen_by_child": False}, Outcome.INSUFFICIENT_DATA, "choice-unknown"),
        ({}, Outcome.INSUFFICIENT_DATA, "choice-unknown"),
    ],
)  # fmt: skip
def test_the_choice_of_who_holds_it(who: dict[str, Any], outcome: Outcome, key: str) -> None:
    f = _one(_held_by(**who), SEEN + timedelta(days=2), "return-discussion-choice")
    assert (f.outcome, f.message_id) == (outcome, f"gb-sct.return-discussion-choice.{key}")


def test_who_held_it_not_recorded_is_insufficient_data() -> None:
    conv = conversation(held_at=SEEN + timedelta(days=1), requested_adult_ids=("A7",))
    f = _one(case_file(episode(), conversations=[conv]), SEEN + timedelta(days=2),
             "return-discussion-choice")  # fmt: skip
    assert (f.outcome, f.message_id) == (
        Outcome.INSUFFICIENT_DATA, "gb-sct.return-discussion-choice.unknown"
    )  # fmt: skip


# --- initial enquiries, then a report: Wales's check, said once ---------------------------------

ENQUIRIES = "initial-enquiries-then-report"


def test_initial_enquiries_then_a_report() -> None:
    later = SEEN + timedelta(days=1)
    enquiry = (SearchAction(SEEN + 10 * MIN, SEARCH_ACTIONS["contacted_friends"]),)
    met = _one(case_file(episode(search_actions=enquiry, police_report=REPORTED)), later, ENQUIRIES)
    assert (met.outcome, met.observed) == (Outcome.MET, REPORTED.reported_at)
    at_once = _one(case_file(episode(police_report=REPORTED)), later, ENQUIRIES)
    assert (at_once.outcome, "immediate concern" in at_once.text) == (
        Outcome.INSUFFICIENT_DATA, True
    )  # fmt: skip
    found = _one(case_file(episode(search_actions=enquiry)), later, ENQUIRIES)
    assert (found.outcome, "(the setting 'initial enquiries within')" in found.text) == (
        Outcome.INSUFFICIENT_DATA, True
    )  # fmt: skip
    local = PACK.configure(initial_enquiries_within=4 * timedelta(hours=1))
    assert _one(case_file(episode(search_actions=enquiry)), later, ENQUIRIES, local).outcome is (
        Outcome.MET  # back after 3 hours, within the local 4
    )
    assert _one(case_file(episode()), later, ENQUIRIES).outcome is Outcome.BREACHED


# --- police risk grades: high, medium or low -----------------------------------------------------

REPORTED = PoliceReport(SEEN + timedelta(minutes=30), reference="PS-1")


def _graded(*grades: str, ended: datetime | None = SEEN + timedelta(hours=3)) -> CaseFile:
    risk = tuple(
        RiskGrading(SEEN + timedelta(minutes=40 + i), POLICE_RISK_GRADES[g])
        for i, g in enumerate(grades)
    )
    return case_file(episode(ended=ended, police_report=REPORTED, risk_grades=risk))


def test_police_risk_is_graded_high_medium_or_low() -> None:
    code, later = "police-risk-grade", SEEN + timedelta(days=1)
    assert _one(_graded("medium", "high"), later, code).outcome is Outcome.MET
    other = _one(_graded("low", "no_apparent_risk"), later, code)
    assert (other.outcome, other.evidence) == (Outcome.BREACHED, ("$.episodes[0].risk_grades[1]",))
    assert _one(_graded("very_low"), later, code).outcome is Outcome.BREACHED
    assert _one(_graded(), later, code).outcome is Outcome.INSUFFICIENT_DATA
    assert _one(_graded("low", ended=None), later, code).outcome is Outcome.PENDING
    unreported = case_file(episode())
    assert _one(unreported, later, code).outcome is Outcome.NOT_APPLICABLE


# --- "not at home" only where agreed beforehand --------------------------------------------------

NAH = "not-at-home-pre-agreed"


def _not_at_home(*plans: object) -> CaseFile:
    ep = episode(statuses=(StatusChange(SEEN, EPISODE_STATUSES["not_at_home"]),))
    return case_file(ep, absence_plans=plans)


@pytest.mark.parametrize(
    ("plans", "outcome", "key"),
    [
        ((absence_plan(not_at_home_agreed=True),), Outcome.MET, "agreed"),
        ((), Outcome.BREACHED, "no-plan"),
        ((absence_plan(not_at_home_agreed=False),), Outcome.BREACHED, "not-agreed"),
        ((absence_plan(not_at_home_agreed=None),), Outcome.BREACHED, "not-agreed"),
        # agreed only after the status was used is not "previously agreed"
        ((absence_plan(agreed_at=SEEN + MIN, not_at_home_agreed=True),), Outcome.BREACHED,
         "no-plan"),
        # a plan that had ended before is not in force
        ((absence_plan(ended_at=SEEN - MIN, not_at_home_agreed=True),), Outcome.BREACHED,
         "no-plan"),
    ],
)  # fmt: skip
def test_not_at_home_only_where_agreed_beforehand(
    plans: tuple[object, ...], outcome: Outcome, key: str
) -> None:
    f = _one(_not_at_home(*plans), SEEN + timedelta(days=1), NAH)
    assert (f.outcome, f.message_id) == (outcome, f"gb-sct.{NAH}.{key}")


def test_not_at_home_is_in_the_2021_edition_only_and_silent_for_other_statuses() -> None:
    assert NAH not in {r.code for r in PACK.rules("2017-05")}
    assert NAH in {r.code for r in PACK.rules("2021-09")}
    as_2020 = evaluate(_not_at_home(), pack=PACK, as_of=SEEN, edition="2017-05")
    assert as_2020.by_rule(NAH) == ()
    assert evaluate(case_file(episode()), pack=PACK, as_of=SEEN + MIN).by_rule(NAH) == ()


def test_an_episode_with_nothing_recorded_is_never_met() -> None:
    bare = case_file(episode(ended=SEEN + timedelta(hours=2), returned=None))
    ev = evaluate(bare, pack=PACK, as_of=SEEN + timedelta(days=60))
    assert ev.findings
    assert all(f.outcome is not Outcome.MET for f in ev.findings)
