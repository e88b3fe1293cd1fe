"""The England pack: every rule on hand-built cases, and properties over generated case files."""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from missingcare.case import CaseFile
from missingcare.children import Placement, PlacementKind
from missingcare.conversations import (
    ConversationOffer,
    ConversationTopic,
    Decision,
    ExploitationScreening,
    Interviewer,
)
from missingcare.episodes import (
    MissingEpisode,
    Notification,
    PoliceReport,
    RiskGrading,
)
from missingcare.findings import Evaluation, Finding, Outcome, Severity, Strength
from missingcare.packs import gb_eng
from missingcare.packs.gb_eng import PACK
from missingcare.rules import evaluate, get_pack
from missingcare.testing.builders import (
    case_file,
    context_entry,
    conversation,
    episode,
    trusted_adult,
)
from missingcare.testing.conformance import as_of_instants, check_as_of_monotonic
from missingcare.testing.strategies import case_files
from missingcare.time import local_instant
from missingcare.vocabularies import (
    CONTEXT_CATEGORIES,
    CONVERSATION_OUTCOMES,
    EXPLOITATION_INDICATORS,
    NOTIFICATION_RECIPIENTS,
    POLICE_RISK_GRADES,
    RELATIONSHIP_ROLES,
)
from tests._helpers import load_script

LONDON = "Europe/London"
RETURN = local_instant(2026, 10, 24, 22, zone=LONDON)  # BST, the night before clocks go back
DUE = datetime(2026, 10, 27, 21, tzinfo=UTC)
HOME = Placement("P1", PlacementKind.CHILDRENS_HOME, LONDON)
FOSTER = Placement("P2", PlacementKind.FOSTER_CARE, LONDON)


#: The shared builders, bound to this file's scenario: back at RETURN, five hours after last seen.
EPISODE = functools.partial(
    episode, seen=RETURN - timedelta(hours=6), ended=RETURN - timedelta(hours=1), returned=RETURN
)
CASE = functools.partial(case_file, placements=(HOME, FOSTER))
#: A conversation held by an independent interviewer, covering the required topics.
INTERVIEWER = Interviewer(
    role=RELATIONSHIP_ROLES["independent_return_interviewer"],
    independent_of_home=True,
    chosen_by_child=False,
)
HELD: dict[str, Any] = {"interviewer": INTERVIEWER, "topics": gb_eng.REQUIRED_TOPICS}


def _one(ev: Evaluation, code: str, episode: str | None = None) -> Finding:
    found = [f for f in ev.by_rule(code) if episode is None or f.episode_id == episode]
    assert len(found) == 1, found
    return found[0]


def _at(case: CaseFile, as_of: datetime, code: str, episode: str | None = "E1") -> Finding:
    return _one(evaluate(case, pack=PACK, as_of=as_of), code, episode)


R72 = "return-conversation-72h"
OFFERED = "return-conversation-offered"


# --- acceptance 1: the 72-hour boundary ----------------------------------------------------------


def test_72_hours_from_a_return_before_the_clocks_go_back() -> None:
    # 72 elapsed hours from 22:00 BST (21:00Z) on 24 October cross the change to GMT.
    assert datetime(2026, 10, 24, 21, tzinfo=UTC) == RETURN
    met = _at(
        CASE(EPISODE(), conversations=[conversation(held_at=DUE, **HELD)]),
        DUE + timedelta(days=5),
        R72,
    )
    assert met.outcome is Outcome.MET
    assert met.due == DUE
    assert met.observed == DUE
    assert met.text == (
        "The return conversation for episode E1 was held at 21:00 on Tue 27 October 2026 (GMT), "
        "by 21:00 on Tue 27 October 2026 (GMT)."
    )
    late_at = DUE + timedelta(minutes=30)
    late = _at(
        CASE(EPISODE(), conversations=[conversation(held_at=late_at, **HELD)]),
        DUE + timedelta(days=5),
        R72,
    )
    assert late.outcome is Outcome.BREACHED
    assert (late.due, late.observed) == (DUE, late_at)
    assert late.message_id == "gb-eng.return-conversation-72h.late"


def test_72_hours_before_the_deadline_with_nothing_held_is_pending_with_its_due() -> None:
    case = CASE(EPISODE())
    pending = _at(case, DUE - timedelta(minutes=1), R72)
    assert pending.outcome is Outcome.PENDING
    assert pending.due == DUE
    assert pending.observed is None
    assert _at(case, DUE, R72).outcome is Outcome.PENDING  # due at, not before
    overdue = _at(case, DUE + timedelta(seconds=1), R72)
    assert overdue.outcome is Outcome.BREACHED
    assert overdue.is_outstanding


def test_72_hours_with_an_unknown_return_is_insufficient_data_never_met() -> None:
    case = CASE(
        EPISODE(returned=None),
        conversations=[conversation(held_at=RETURN + timedelta(hours=1), **HELD)],
    )
    for as_of in (RETURN, DUE, DUE + timedelta(days=30)):
        finding = _at(case, as_of, R72)
        assert finding.outcome is Outcome.INSUFFICIENT_DATA
        assert finding.due is None
        assert "$.episodes[0].returned_at" in finding.evidence


def test_72_hours_counts_from_the_return_not_the_start_or_the_end() -> None:
    # Missing for two days, found (episode ended) in hospital, back in placement a day later.
    seen = RETURN - timedelta(days=3)
    episode = EPISODE(seen=seen, ended=RETURN - timedelta(days=1), returned=RETURN)
    case = CASE(episode, conversations=[conversation(held_at=DUE - timedelta(minutes=5), **HELD)])
    assert _at(case, DUE + timedelta(days=1), R72).outcome is Outcome.MET


def test_72_hours_while_open_or_not_back_is_not_applicable() -> None:
    open_case = CASE(EPISODE(ended=None))
    assert _at(open_case, RETURN, R72).outcome is Outcome.NOT_APPLICABLE
    # As of a moment before the recorded end, the episode is still open.
    closed = CASE(EPISODE())
    assert _at(closed, RETURN - timedelta(hours=2), R72).message_id.endswith(".open")
    assert _at(closed, RETURN - timedelta(minutes=30), R72).message_id.endswith(".not-back")


def test_72_hours_is_a_parameter() -> None:
    local = PACK.configure(return_conversation_within=timedelta(hours=48))
    ev = evaluate(CASE(EPISODE()), pack=local, as_of=RETURN)
    assert _one(ev, R72).due == RETURN + timedelta(hours=48)
    assert "48 hours" in _one(ev, R72).text


def test_declined_is_not_held_the_held_rule_does_not_apply_and_the_offer_is_met() -> None:
    # issue 17: a dashboard counting ``met`` must not count a decline as a conversation held
    offer = ConversationOffer(RETURN + timedelta(hours=2), CONVERSATION_OUTCOMES["declined"])
    conv = conversation(offers=(offer,), decision=Decision.DECLINED, declined_reason="—")
    case = CASE(EPISODE(), conversations=[conv])
    finding = _at(case, DUE + timedelta(days=1), R72)
    assert finding.outcome is Outcome.NOT_APPLICABLE
    assert finding.message_id.endswith(".declined")
    assert finding.observed == offer.at
    assert "—" not in finding.text  # the child's words never reach a message
    offered = _at(case, DUE + timedelta(days=1), "return-conversation-offered")
    assert offered.outcome is Outcome.MET


def test_a_decline_after_the_deadline_is_not_a_late_conversation_held() -> None:
    offer = ConversationOffer(DUE + timedelta(hours=5), CONVERSATION_OUTCOMES["declined"])
    conv = conversation(offers=(offer,), decision=Decision.DECLINED)
    case = CASE(EPISODE(), conversations=[conv])
    finding = _at(case, DUE + timedelta(days=1), R72)
    # still a breach (it was overdue before the child declined: a breach is never undone
    # later), but said as what it is: declined, not a conversation held late
    assert (finding.outcome, finding.message_id.rsplit(".", 1)[-1]) == (
        Outcome.BREACHED,
        "declined-late",
    )
    assert dict(finding.params)["declined_at"] == offer.at
    assert "held at" not in finding.text
    before = _at(case, DUE + timedelta(hours=1), R72)
    assert (before.outcome, before.message_id.rsplit(".", 1)[-1]) == (Outcome.BREACHED, "overdue")
    # the offer itself was late: that is what the offer rule reports
    offered = _at(case, DUE + timedelta(days=1), "return-conversation-offered")
    assert offered.outcome is Outcome.BREACHED


# --- one conversation covering several episodes --------------------------------------------------


def _two_episodes() -> tuple[MissingEpisode, MissingEpisode]:
    first = EPISODE("E1")
    second_seen = RETURN + timedelta(hours=20)  # missing again before the first deadline
    second = EPISODE(
        "E2",
        seen=second_seen,
        ended=second_seen + timedelta(hours=10),
        returned=second_seen + timedelta(hours=11),
    )
    return first, second


def _due(episode: MissingEpisode) -> datetime:
    assert episode.returned_at is not None
    return episode.returned_at + timedelta(hours=72)


def test_missing_again_before_the_conversation_rolls_the_deadline_on() -> None:
    first, second = _two_episodes()
    second_due = _due(second)
    held = second_due - timedelta(hours=1)  # after the first deadline, within the second
    case = CASE(
        first, second, conversations=[conversation("RC1", "E1", "E2", held_at=held, **HELD)]
    )
    after = second_due + timedelta(days=1)
    for eid in ("E1", "E2"):
        finding = _at(case, after, R72, eid)
        assert finding.outcome is Outcome.MET
        assert finding.due == second_due
    # While the child is missing again, the first episode's conversation waits for their return.
    waiting = _at(case, second.last_seen_at + timedelta(hours=1), R72)
    assert waiting.outcome is Outcome.PENDING
    assert waiting.due is None
    assert waiting.message_id.endswith(".waiting")
    # Once back, it is pending with the later deadline.
    assert _at(case, second_due - timedelta(hours=72), R72).due == second_due


def test_a_conversation_that_does_not_list_the_earlier_episode_does_not_cover_it() -> None:
    first, second = _two_episodes()
    second_due = _due(second)
    case = CASE(
        first, second, conversations=[conversation("RC1", "E2", held_at=second_due, **HELD)]
    )
    late = _at(case, second_due + timedelta(days=1), R72, "E1")
    assert late.outcome is Outcome.BREACHED
    assert late.observed is None


def test_missing_again_after_the_deadline_does_not_excuse_the_first() -> None:
    first = EPISODE("E1")
    seen = DUE + timedelta(hours=1)
    second = EPISODE(
        "E2", seen=seen, ended=seen + timedelta(hours=1), returned=seen + timedelta(hours=2)
    )
    case = CASE(first, second)
    assert _at(case, seen + timedelta(days=10), R72, "E1").due == DUE


# --- R1: offered ---------------------------------------------------------------------------------


def test_offer_recorded_in_time_is_met_and_not_offered_does_not_count() -> None:
    not_offered = ConversationOffer(
        RETURN + timedelta(hours=1), CONVERSATION_OUTCOMES["not_offered"]
    )
    case = CASE(EPISODE(), conversations=[conversation(offers=(not_offered,))])
    assert _at(case, DUE + timedelta(hours=1), OFFERED).outcome is Outcome.BREACHED
    offer = ConversationOffer(RETURN + timedelta(hours=1), CONVERSATION_OUTCOMES["accepted"])
    case = CASE(EPISODE(), conversations=[conversation(offers=(offer,))])
    met = _at(case, DUE + timedelta(hours=1), OFFERED)
    assert met.outcome is Outcome.MET
    assert met.observed == offer.at
    assert _at(case, RETURN + timedelta(minutes=30), OFFERED).outcome is Outcome.PENDING


# --- R3, R5 --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("independent", "chosen", "outcome", "key"),
    [
        (True, False, Outcome.MET, "independent"),
        (False, True, Outcome.MET, "chosen"),
        (False, False, Outcome.BREACHED, "not-independent"),
    ],
)
def test_independence(independent: bool, chosen: bool, outcome: Outcome, key: str) -> None:
    conv = conversation(
        held_at=RETURN + timedelta(hours=5),
        interviewer=attrs.evolve(
            INTERVIEWER, independent_of_home=independent, chosen_by_child=chosen
        ),
        topics=gb_eng.REQUIRED_TOPICS,
    )
    finding = _at(
        CASE(EPISODE(), conversations=[conv]), DUE, "return-conversation-independent", None
    )
    assert finding.outcome is outcome
    assert finding.message_id.endswith("." + key)
    assert finding.conversation_id == "RC1"


def test_independence_unknown_interviewer_is_insufficient_data() -> None:
    conv = attrs.evolve(conversation(held_at=RETURN + timedelta(hours=5), **HELD), interviewer=None)
    finding = _at(
        CASE(EPISODE(), conversations=[conv]), DUE, "return-conversation-independent", None
    )
    assert finding.outcome is Outcome.INSUFFICIENT_DATA


def test_independence_not_recorded_is_insufficient_data_never_a_breach() -> None:
    base = conversation(held_at=RETURN + timedelta(hours=5), **HELD)
    assert base.interviewer is not None
    for independent, chosen in ((None, None), (False, None), (None, False)):
        who = attrs.evolve(
            base.interviewer, independent_of_home=independent, chosen_by_child=chosen
        )
        conv = attrs.evolve(base, interviewer=who)
        finding = _at(
            CASE(EPISODE(), conversations=[conv]), DUE, "return-conversation-independent", None
        )
        assert finding.outcome is Outcome.INSUFFICIENT_DATA
        assert finding.message_id.endswith(".independence-unknown")
    who = attrs.evolve(base.interviewer, independent_of_home=None, chosen_by_child=True)
    finding = _at(
        CASE(EPISODE(), conversations=[attrs.evolve(base, interviewer=who)]),
        DUE,
        "return-conversation-independent",
        None,
    )
    assert finding.outcome is Outcome.MET


def test_topics() -> None:
    held = RETURN + timedelta(hours=5)
    code = "return-conversation-topics"
    full = CASE(EPISODE(), conversations=[conversation(held_at=held, **HELD)])
    assert _at(full, DUE, code, None).outcome is Outcome.MET
    part = CASE(
        EPISODE(),
        conversations=[
            conversation(held_at=held, interviewer=INTERVIEWER, topics=(ConversationTopic.HARM,))
        ],
    )
    finding = _at(part, DUE, code, None)
    assert finding.outcome is Outcome.BREACHED
    assert finding.parameters["missing"] == (
        "reasons for running, safety planning, helpline information"
    )
    none = CASE(EPISODE(), conversations=[conversation(held_at=held, interviewer=INTERVIEWER)])
    assert _at(none, DUE, code, None).outcome is Outcome.INSUFFICIENT_DATA
    # Not yet held: the rule has nothing to say.
    assert not evaluate(full, pack=PACK, as_of=held - timedelta(seconds=1)).by_rule(code)


# --- police, placing authority -------------------------------------------------------------------


def test_police_report_and_reference_when_whereabouts_unknown() -> None:
    code = "police-report"
    report = PoliceReport(RETURN - timedelta(hours=5), reference="LOG-0001")
    met = CASE(EPISODE(police_report=report))
    assert _at(met, DUE, code).outcome is Outcome.MET
    no_ref = CASE(EPISODE(police_report=attrs.evolve(report, reference=None)))
    assert _at(no_ref, DUE, code).message_id.endswith(".no-reference")
    none = CASE(EPISODE())
    assert _at(none, RETURN - timedelta(hours=3), code).outcome is Outcome.PENDING
    assert _at(none, DUE, code).outcome is Outcome.BREACHED
    away = CASE(EPISODE(status="away_without_authorisation"))
    assert _at(away, DUE, code).outcome is Outcome.NOT_APPLICABLE


def test_placing_authority_and_locally_required_recipients() -> None:
    code = "placing-authority-notified"
    told = Notification(NOTIFICATION_RECIPIENTS["placing_authority"], RETURN - timedelta(hours=4))
    case = CASE(EPISODE(notifications=(told,)))
    assert _at(case, DUE, code).outcome is Outcome.MET
    local = PACK.configure(notify_recipients=("placing_authority", "parent_or_carer"))
    ev = evaluate(case, pack=local, as_of=DUE)
    outcomes = {f.parameters["recipient"]: f.outcome for f in ev.by_rule(code)}
    assert outcomes == {"Placing authority": Outcome.MET, "Parent or carer": Outcome.BREACHED}


# --- regulation 40(4): a prompt, never a breach --------------------------------------------------


def test_ofsted_prompt_on_exploitation_indicators_or_high_risk_never_breached() -> None:
    code = "ofsted-notification-prompt"
    screening = ExploitationScreening(indicators=(EXPLOITATION_INDICATORS["cse.older_partner"],))
    conv = conversation(held_at=RETURN + timedelta(hours=3), screening=screening, **HELD)
    case = CASE(EPISODE(), conversations=[conv])
    prompt = _at(case, DUE + timedelta(days=60), code)
    assert prompt.outcome is Outcome.PENDING
    assert prompt.severity is Severity.PROMPT
    assert prompt.strength is Strength.REGULATION
    assert "sexual exploitation indicators" in prompt.text
    high = RiskGrading(RETURN - timedelta(hours=5), POLICE_RISK_GRADES["high"])
    assert _at(CASE(EPISODE(risk_grades=(high,))), DUE, code).outcome is Outcome.PENDING
    told = Notification(NOTIFICATION_RECIPIENTS["ofsted"], RETURN + timedelta(hours=4))
    notified = CASE(EPISODE(notifications=(told,)), conversations=[conv])
    assert _at(notified, DUE, code).outcome is Outcome.MET
    assert _at(CASE(EPISODE()), DUE, code).outcome is Outcome.NOT_APPLICABLE
    fostered = CASE(EPISODE(placement_id="P2", risk_grades=(high,)))
    assert not evaluate(fostered, pack=PACK, as_of=DUE).by_rule(code)  # homes only


# --- repeated episodes: regulation 14 and the strategy meeting -----------------------------------


def _series(n: int, gap: timedelta, placement: str = "P1") -> list[MissingEpisode]:
    out = []
    for i in range(n):
        seen = datetime(2026, 9, 1, 20, tzinfo=UTC) + i * gap
        out.append(
            EPISODE(
                f"E{i + 1}",
                seen=seen,
                ended=seen + timedelta(hours=2),
                returned=seen + timedelta(hours=3),
                placement_id=placement,
            )
        )
    return out


def test_strategy_meeting_after_three_in_thirty_days_by_default() -> None:
    code = "repeat-missing-strategy-meeting"
    as_of = datetime(2026, 11, 20, tzinfo=UTC)
    assert not evaluate(CASE(*_series(3, timedelta(days=15))), pack=PACK, as_of=as_of).by_rule(code)
    eps = _series(4, timedelta(days=10))
    (pending,) = evaluate(CASE(*eps), pack=PACK, as_of=as_of).by_rule(code)
    assert pending.outcome is Outcome.PENDING
    assert pending.episode_id == "E3"
    assert pending.strength is Strength.LOCAL_PRACTICE
    meeting = context_entry(
        "X1", eps[2].last_seen_at + timedelta(days=2), concept=gb_eng.STRATEGY_MEETING_HELD
    )
    (met,) = evaluate(CASE(*eps, context=[meeting]), pack=PACK, as_of=as_of).by_rule(code)
    assert met.outcome is Outcome.MET
    local = PACK.configure(repeat_missing_threshold=5)
    assert not evaluate(CASE(*eps), pack=local, as_of=as_of).by_rule(code)
    deadline = PACK.configure(strategy_meeting_within=timedelta(days=1))
    (late,) = evaluate(CASE(*eps, context=[meeting]), pack=deadline, as_of=as_of).by_rule(code)
    assert late.outcome is Outcome.BREACHED
    assert late.observed == meeting.at


def test_regulation_14_persistent_absence_in_homes_only_with_a_configurable_threshold() -> None:
    code = "persistent-absence-review"
    as_of = datetime(2026, 11, 20, tzinfo=UTC)
    eps = _series(2, timedelta(days=5))
    assert not evaluate(CASE(*eps), pack=PACK, as_of=as_of).by_rule(code)
    strict = PACK.configure(persistent_absence_threshold=2)
    (pending,) = evaluate(CASE(*eps), pack=strict, as_of=as_of).by_rule(code)
    assert pending.outcome is Outcome.PENDING
    assert pending.strength is Strength.REGULATION
    asked = context_entry(
        "X1", eps[1].last_seen_at + timedelta(hours=5), concept=gb_eng.PLAN_REVIEW_REQUESTED
    )
    (met,) = evaluate(CASE(*eps, context=[asked]), pack=strict, as_of=as_of).by_rule(code)
    assert met.outcome is Outcome.MET
    fostered = _series(4, timedelta(days=2), placement="P2")
    assert not evaluate(CASE(*fostered), pack=strict, as_of=as_of).by_rule(code)
    # Before 1 April 2015 the 2015 regulations were not in force.
    old = evaluate(CASE(*eps), pack=strict, as_of=datetime(2015, 3, 31, 12, tzinfo=UTC))
    assert old.edition == "2014-01"


# --- the investigative lens ----------------------------------------------------------------------


def test_context_before_reviewed() -> None:
    code = "context-before-reviewed"
    first, second = _two_episodes()
    assert _at(CASE(first), DUE, code).outcome is Outcome.PENDING
    missed = _at(CASE(first, second), DUE, code)
    assert missed.outcome is Outcome.BREACHED
    assert missed.parameters["next_episode_id"] == "E2"
    review = context_entry("X1", RETURN + timedelta(hours=2), concept=gb_eng.CONTEXT_REVIEWED)
    assert _at(CASE(first, second, context=[review]), DUE, code).outcome is Outcome.MET


def test_trusted_adult_recorded_or_absence_noted() -> None:
    code = "trusted-adult-recorded"
    adult = trusted_adult("T1", named_at=RETURN - timedelta(days=40))
    assert _at(CASE(EPISODE(), trusted_adults=[adult]), DUE, code).outcome is Outcome.MET
    left = attrs.evolve(adult, ended_at=RETURN - timedelta(days=10))
    assert _at(CASE(EPISODE(), trusted_adults=[left]), DUE, code).outcome is Outcome.BREACHED
    note = context_entry("X1", RETURN - timedelta(days=5), concept=gb_eng.NO_TRUSTED_ADULT_NOTED)
    noted = CASE(EPISODE(), context=[note], trusted_adults=[left])
    assert _at(noted, DUE, code).message_id.endswith(".absence-noted")
    stale = context_entry("X1", RETURN - timedelta(days=30), concept=gb_eng.NO_TRUSTED_ADULT_NOTED)
    stale_case = CASE(EPISODE(), context=[stale], trusted_adults=[left])
    assert _at(stale_case, DUE, code).outcome is Outcome.BREACHED
    assert _at(CASE(EPISODE(ended=None)), DUE, code).outcome is Outcome.PENDING


def test_pack_context_categories_extend_the_core_vocabulary() -> None:
    vocab = gb_eng.context_categories()
    assert set(CONTEXT_CATEGORIES.codes) <= set(vocab.codes)
    assert vocab["strategy_meeting_held"] == gb_eng.STRATEGY_MEETING_HELD


def test_case_files_with_pack_categories_round_trip_with_the_pack_vocabulary() -> None:
    from missingcare.converters import from_json, make_converter, to_json

    review = context_entry("X1", RETURN + timedelta(hours=2), concept=gb_eng.CONTEXT_REVIEWED)
    case = CASE(EPISODE(), context=[review])
    converter = make_converter(vocabularies=[gb_eng.context_categories()])
    back = from_json(to_json(case, converter=converter), CaseFile, converter=converter)
    assert back == case
    assert evaluate(back, pack=PACK, as_of=DUE) == evaluate(case, pack=PACK, as_of=DUE)


def test_pack_metadata_and_lookup() -> None:
    assert get_pack("GB-ENG") is PACK
    assert get_pack("England") is PACK
    assert [e.name for e in PACK.editions] == ["2014-01", "2015-04", "2017-02"]
    latest = {r.code for r in PACK.rules()}
    assert {"ofsted-notification-prompt", "persistent-absence-review"} <= latest
    assert "exploitation-screening-considered" in latest
    assert "exploitation-screening-considered" not in {r.code for r in PACK.rules("2015-04")}
    assert all(r.sources for r in PACK.rules())
    keys = {s.key for r in PACK.rules() for s in r.sources}
    assert {"DFE14", "REG40", "H2I-14", "DERBY"} <= keys
    assert PACK.edition_on(date(2015, 4, 1)).name == "2015-04"


# --- messages never carry free text from the case ------------------------------------------------

SECRET = "zz-secret-words-zz"


def test_messages_carry_no_free_text_from_the_case() -> None:
    offer = ConversationOffer(
        RETURN + timedelta(hours=1), CONVERSATION_OUTCOMES["accepted"], reason=SECRET, by=SECRET
    )
    conv = conversation(
        held_at=RETURN + timedelta(hours=5),
        offers=(offer,),
        **HELD,
        child_account=SECRET,
        what_happened=SECRET,
        late_reason=SECRET,
    )
    ep = EPISODE(
        last_seen_place=SECRET, clothing=SECRET, police_report=PoliceReport(RETURN, SECRET, SECRET)
    )
    note = context_entry("X1", RETURN, concept=gb_eng.CONTEXT_REVIEWED, note=SECRET)
    case = CASE(ep, conversations=[conv], context=[note])
    for as_of in as_of_instants(case):
        for f in evaluate(case, pack=PACK, as_of=as_of):
            assert SECRET not in f.text
            assert SECRET not in repr(f.params)


# --- acceptance 2: determinism and the as-of property over generated case files ------------------

PROPERTY = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


#: The as-of property is about one record read at different "now"s: the record as known
#: now, read with ``known_at`` fixed. (Read as known at each ``as_of``, a later recording
#: may turn an overdue duty into one done on time: tests/test_known_at.py.)
KNOWN_NOW = datetime(2100, 1, 1, tzinfo=UTC)


@PROPERTY
@given(case=case_files(), data=st.data())
def test_as_of_monotonic_and_deterministic(case: CaseFile, data: st.DataObject) -> None:
    points = as_of_instants(case, around=[timedelta(hours=72)])
    if not points:
        return
    chosen = sorted(set(data.draw(st.lists(st.sampled_from(points), min_size=2, max_size=6))))
    previous: Evaluation | None = None
    for t in chosen:
        ev = evaluate(case, pack=PACK, as_of=t, known_at=KNOWN_NOW)
        assert ev == evaluate(case, pack=PACK, as_of=t, known_at=KNOWN_NOW)
        if previous is not None and previous.edition == ev.edition:
            assert check_as_of_monotonic(previous.findings, ev.findings) == []
        previous = ev


# --- acceptance 3: a task list over 1,000 generated case files -----------------------------------

TASKS_AS_OF = datetime(2026, 10, 27, 9, tzinfo=UTC)


def test_task_list_over_1000_generated_case_files() -> None:
    tasks: list[Finding] = []
    seen = 0

    @settings(
        max_examples=1000,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],  # generation is the cost; nothing to shrink unless it fails
    )
    @given(case=case_files(), shift=st.integers(-20 * 24, 4 * 24))
    def collect(case: CaseFile, shift: int) -> None:
        nonlocal seen
        seen += 1
        # Evaluate each case as of an instant near its own history, so deadlines fall around it.
        points = as_of_instants(case)
        as_of = (points[len(points) // 2] if points else TASKS_AS_OF) + timedelta(hours=shift)
        ev = evaluate(case, pack=PACK, as_of=as_of)
        horizon = as_of + timedelta(days=1)
        due = ev.due_before(horizon)
        assert list(due) == sorted(due, key=lambda f: f.due)  # type: ignore[arg-type, return-value]
        expected = {
            f for f in ev.findings if f.is_outstanding and f.due is not None and f.due < horizon
        }
        assert set(due) == expected
        for f in due:
            assert f.outcome in {Outcome.PENDING, Outcome.BREACHED}
            assert f.observed is None
            assert (f.outcome is Outcome.BREACHED) == (f.due is not None and f.due < as_of)
        tasks.extend(due)

    collect()
    assert seen >= 1000
    assert tasks, "the generated case files should produce some due or overdue items"
    merged = sorted(tasks, key=lambda f: f.sort_key)
    assert [f.due for f in merged] == sorted(f.due for f in tasks)  # type: ignore[type-var]


# --- acceptance 5: the generated reference page -------------------------------------------------


def test_reference_page_is_generated_and_up_to_date() -> None:
    from pathlib import Path

    path = Path(__file__).parent.parent / "docs" / "_gen_packs.py"
    gen = load_script(path, "_gen_packs")
    pages = gen.pages()
    page = pages[path.parent / "reference" / "packs" / "gb-eng.md"]
    for r in PACK.rules():
        assert f"### `{r.code}`" in page
        assert r.strength.value.replace("_", " ") in page
        for s in r.sources:
            assert s.url in page
    for p in PACK.parameters:
        assert f"`{p.name}`" in page
    for file, text in pages.items():
        assert file.read_text(encoding="utf-8") == text, "run: python docs/_gen_packs.py"


def test_every_field_a_rule_declares_exists_in_the_model() -> None:
    import attrs

    import missingcare as mc

    declared = [name for r in PACK.rules() for name in r.fields]
    assert declared, "rules declare the fields they read"
    for name in declared:
        type_name, field = name.split(".")
        cls = getattr(mc, type_name)
        assert field in attrs.fields_dict(cls), name
