"""The Wales pack: conformance, and every rule at its boundaries (both clock changes)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from missingcare.case import CaseFile
from missingcare.conversations import ConversationOffer
from missingcare.episodes import PoliceReport, SearchAction
from missingcare.findings import Finding, Outcome
from missingcare.packs import _uk, gb_nir
from missingcare.packs.gb_wls import PACK
from missingcare.rules import Duty, RulePack, evaluate, get_pack
from missingcare.testing.builders import SEEN, case_file, conversation, episode, profile
from missingcare.testing.conformance import RulePackContract
from missingcare.time import local_instant
from missingcare.vocabularies import CONVERSATION_OUTCOMES, SEARCH_ACTIONS

LONDON = "Europe/London"
MIN, H = timedelta(minutes=1), timedelta(hours=1)
LOCAL = PACK.configure(
    reasonable_efforts_within=2 * H,
    form_review_within=timedelta(days=90),
    photograph_within=timedelta(days=180),
    debrief_offered_within=72 * H,
)


class TestGBWlsConformance(RulePackContract):
    pack = PACK
    max_examples = 30


class TestGBWlsConfiguredConformance(RulePackContract):
    pack = LOCAL
    max_examples = 20


def _one(case: CaseFile, as_of: datetime, code: str, pack: RulePack = PACK) -> Finding:
    found = evaluate(case, pack=pack, as_of=as_of).by_rule(code)
    assert len(found) == 1, found
    return found[0]


def test_registered_with_its_zone_no_default_timescale_and_a_duty_on_every_rule() -> None:
    assert get_pack("GB-WLS") is PACK
    assert get_pack("Wales") is PACK
    assert PACK.zone == LONDON
    assert all(r.duty is not None and r.sources for r in PACK.rules())
    assert all(p.default is None for p in PACK.parameters)  # the sources set none
    assert PACK.rule("debrief-offered").duty is Duty.CONVERSATION_OFFERED


# --- the debrief: no timescale in the sources until configured -----------------------------------

DEBRIEF = "debrief-offered"


def _back(back: datetime, *offers: datetime) -> CaseFile:
    ep = episode(seen=back - 6 * H, ended=back - H, returned=back)
    accepted = CONVERSATION_OUTCOMES["accepted"]
    convs = [conversation(offers=[ConversationOffer(at, accepted) for at in offers])]
    return case_file(ep, conversations=convs if offers else [])


def test_debrief_is_insufficient_data_until_configured_then_configure_makes_it_work() -> None:
    back = local_instant(2026, 10, 24, 22, zone=LONDON)  # the night before the clocks go back
    due = datetime(2026, 10, 27, 21, tzinfo=UTC)  # 72 elapsed hours: 21:00 GMT
    case = _back(back, back + H)
    unset = _one(case, due + H, DEBRIEF)
    assert (unset.outcome, unset.message_id) == (
        Outcome.INSUFFICIENT_DATA, "gb-wls.debrief-offered.not-configured"
    )  # fmt: skip
    assert "(the setting 'debrief offered within')" in unset.text
    local = PACK.configure(debrief_offered_within=72 * H)
    assert _one(case, due + H, DEBRIEF, local).outcome is Outcome.MET


@pytest.mark.parametrize(
    ("back", "due"),
    [
        (local_instant(2026, 10, 24, 22, zone=LONDON), datetime(2026, 10, 27, 21, tzinfo=UTC)),
        (local_instant(2026, 3, 28, 22, zone=LONDON), datetime(2026, 3, 31, 22, tzinfo=UTC)),
    ],
    ids=["october", "march"],
)
def test_configured_debrief_a_minute_either_side_across_the_clock_change(
    back: datetime, due: datetime
) -> None:
    assert due - back == 72 * H
    met = _one(_back(back, due - MIN), due + H, DEBRIEF, LOCAL)
    assert (met.outcome, met.due, met.observed) == (Outcome.MET, due, due - MIN)
    late = _one(_back(back, due + MIN), due + H, DEBRIEF, LOCAL)
    assert (late.outcome, late.message_id) == (Outcome.BREACHED, "gb-wls.debrief-offered.late")
    assert _one(_back(back), due - MIN, DEBRIEF, LOCAL).outcome is Outcome.PENDING
    assert _one(_back(back), due + MIN, DEBRIEF, LOCAL).outcome is Outcome.BREACHED


def test_debrief_with_no_return_time_is_insufficient_data_configured_or_not() -> None:
    case = case_file(episode(returned=None))
    for pack in (PACK, LOCAL):
        assert _one(case, SEEN + timedelta(days=9), DEBRIEF, pack).outcome is (
            Outcome.INSUFFICIENT_DATA
        )


# --- reasonable efforts, then a report to police -------------------------------------------------

REPORT = "reasonable-efforts-then-report"


def _searched(*at: datetime) -> tuple[SearchAction, ...]:
    return tuple(SearchAction(t, SEARCH_ACTIONS["phoned_child"]) for t in at)


def _missing(**kw: Any) -> CaseFile:
    return case_file(episode(**kw))


def _reported(at: datetime) -> PoliceReport:
    return PoliceReport(at, reference="WP-1")


def test_efforts_then_a_report_is_met_and_a_report_at_once_cannot_be_judged() -> None:
    later = SEEN + timedelta(days=1)
    met = _one(_missing(search_actions=_searched(SEEN + 10 * MIN),
                        police_report=_reported(SEEN + H)), later, REPORT)  # fmt: skip
    assert (met.outcome, met.observed) == (Outcome.MET, SEEN + H)
    at_once = _one(_missing(police_report=_reported(SEEN + 5 * MIN)), later, REPORT)
    assert (at_once.outcome, at_once.message_id) == (
        Outcome.INSUFFICIENT_DATA, "gb-wls.reasonable-efforts-then-report.reported-at-once"
    )  # fmt: skip
    assert "cannot judge concern" in at_once.text
    # a search recorded only after the report does not make the report follow efforts
    after = _missing(search_actions=_searched(SEEN + 2 * H), police_report=_reported(SEEN + H))
    assert _one(after, later, REPORT).outcome is Outcome.INSUFFICIENT_DATA


def test_unreported_episodes() -> None:
    later = SEEN + timedelta(days=1)
    assert _one(_missing(ended=None), later, REPORT).outcome is Outcome.PENDING
    nothing = _one(_missing(), later, REPORT)
    assert (nothing.outcome, nothing.message_id) == (
        Outcome.BREACHED, "gb-wls.reasonable-efforts-then-report.no-efforts"
    )  # fmt: skip
    found = _one(_missing(search_actions=_searched(SEEN + 10 * MIN)), later, REPORT)
    assert (found.outcome, found.message_id) == (
        Outcome.INSUFFICIENT_DATA, "gb-wls.reasonable-efforts-then-report.found-unreported"
    )  # fmt: skip
    assert "(the setting 'reasonable efforts within')" in found.text
    away = _one(_missing(status="away_without_authorisation"), later, REPORT)
    assert away.outcome is Outcome.NOT_APPLICABLE


def test_a_local_time_for_reasonable_efforts_a_minute_either_side() -> None:
    due, search = SEEN + 2 * H, _searched(SEEN + 10 * MIN)
    later = SEEN + timedelta(days=1)
    on_time = _missing(search_actions=search, police_report=_reported(due - MIN))
    assert _one(on_time, later, REPORT, LOCAL).outcome is Outcome.MET
    late = _one(_missing(search_actions=search, police_report=_reported(due + MIN)), later,
                REPORT, LOCAL)  # fmt: skip
    assert (late.outcome, late.due) == (Outcome.BREACHED, due)
    back_in_time = _missing(search_actions=search, ended=due - MIN)
    assert _one(back_in_time, later, REPORT, LOCAL).outcome is Outcome.MET
    too_long = _one(_missing(search_actions=search, ended=due + MIN), later, REPORT, LOCAL)
    assert (too_long.outcome, too_long.message_id) == (
        Outcome.BREACHED, "gb-wls.reasonable-efforts-then-report.not-reported"
    )  # fmt: skip
    still_out = _missing(search_actions=search, ended=None)
    assert _one(still_out, due - MIN, REPORT, LOCAL).outcome is Outcome.PENDING
    assert _one(still_out, due + MIN, REPORT, LOCAL).outcome is Outcome.BREACHED


# --- the Child Information Form ------------------------------------------------------------------

FORM = "child-information-form-current"


def test_no_form_is_breached_and_an_unset_standard_is_insufficient_data() -> None:
    later = SEEN + H
    assert _one(_missing(), later, FORM).outcome is Outcome.BREACHED
    completed_after = case_file(episode(), profiles=[profile(completed_at=SEEN + MIN)])
    assert _one(completed_after, later, FORM).outcome is Outcome.BREACHED
    held = case_file(episode(), profiles=[profile(photograph_taken_on=date(2026, 9, 1))])
    unset = _one(held, later, FORM)
    assert (unset.outcome, unset.message_id) == (
        Outcome.INSUFFICIENT_DATA, "gb-wls.child-information-form-current.not-configured"
    )  # fmt: skip
    assert "(not set: 'form review within' and 'photograph within')" in unset.text
    assert _one(held, later, FORM, LOCAL).outcome is Outcome.MET


def test_form_kept_current_a_minute_either_side_and_a_recent_photograph() -> None:
    later, limit = SEEN + H, timedelta(days=90)
    photo: dict[str, Any] = {"photograph_taken_on": date(2026, 9, 1)}
    current = profile(completed_at=SEEN - limit, **photo)
    assert _one(case_file(episode(), profiles=[current]), later, FORM, LOCAL).outcome is Outcome.MET
    stale = profile(completed_at=SEEN - limit - MIN, **photo)
    out = _one(case_file(episode(), profiles=[stale]), later, FORM, LOCAL)
    assert (out.outcome, out.message_id) == (
        Outcome.BREACHED, "gb-wls.child-information-form-current.out-of-date"
    )  # fmt: skip
    reviewed = profile(completed_at=SEEN - 400 * timedelta(days=1), reviewed_at=SEEN - H, **photo)
    assert _one(case_file(episode(), profiles=[reviewed]), later, FORM, LOCAL).outcome is (
        Outcome.MET
    )
    # SEEN is 21:00 BST on 1 October 2026: the photograph's age counts London dates
    recent = profile(photograph_taken_on=date(2026, 4, 4))  # 180 days before 1 October
    assert _one(case_file(episode(), profiles=[recent]), later, FORM, LOCAL).outcome is Outcome.MET
    old = profile(photograph_taken_on=date(2026, 4, 3))
    f = _one(case_file(episode(), profiles=[old]), later, FORM, LOCAL)
    assert (f.outcome, f.parameters["taken_on"]) == (Outcome.BREACHED, "Fri 3 April 2026")
    unknown = _one(case_file(episode(), profiles=[profile()]), later, FORM, LOCAL)
    assert unknown.outcome is Outcome.INSUFFICIENT_DATA


# --- shared with police on the report; the child told --------------------------------------------

SHARED, TOLD = "child-information-form-shared", "child-told-about-form"


def test_form_shared_on_the_report() -> None:
    later, report = SEEN + timedelta(days=1), _reported(SEEN + H)
    forms = [profile()]
    shared = case_file(episode(police_report=report, profile_shared_at=SEEN + H), profiles=forms)
    assert _one(shared, later, SHARED).outcome is Outcome.MET
    unshared = case_file(episode(police_report=report), profiles=forms)
    assert _one(unshared, later, SHARED).outcome is Outcome.BREACHED
    open_ = case_file(episode(police_report=report, ended=None), profiles=forms)
    assert _one(open_, later, SHARED).outcome is Outcome.PENDING
    assert _one(case_file(episode(), profiles=forms), later, SHARED).outcome is (
        Outcome.NOT_APPLICABLE
    )
    quiet = case_file(episode(ended=None), profiles=forms)  # open, not reported: nothing yet
    assert evaluate(quiet, pack=PACK, as_of=later).by_rule(SHARED) == ()
    no_form = case_file(episode(police_report=report))
    assert _one(no_form, later, SHARED).outcome is Outcome.NOT_APPLICABLE


def test_a_form_given_only_after_the_child_was_found_stays_breached() -> None:
    """Found by the as-of conformance check: breached at the end, it must not turn met when a
    sharing dated after the end is recorded later."""
    report, back = _reported(SEEN + H), SEEN + 3 * H  # the builders' episode ends at SEEN + 3h
    late = case_file(
        episode(police_report=report, profile_shared_at=back + H), profiles=[profile()]
    )
    assert _one(late, back + 30 * MIN, SHARED).outcome is Outcome.BREACHED  # not yet given
    f = _one(late, back + 2 * H, SHARED)
    assert (f.outcome, f.message_id) == (
        Outcome.BREACHED,
        "gb-wls.child-information-form-shared.shared-late",
    )
    assert "after the child was found" in f.text


def test_the_child_is_told_what_the_form_records_before_it_is_shared() -> None:
    later, shared_at = SEEN + timedelta(days=1), SEEN + H
    ep = episode(police_report=_reported(SEEN + H), profile_shared_at=shared_at)
    told = case_file(ep, profiles=[profile(child_told_at=SEEN - timedelta(days=3))])
    assert _one(told, later, TOLD).outcome is Outcome.MET
    untold = _one(case_file(ep, profiles=[profile()]), later, TOLD)
    assert (untold.outcome, untold.message_id) == (
        Outcome.BREACHED, "gb-wls.child-told-about-form.shared-untold"
    )  # fmt: skip
    told_after = case_file(ep, profiles=[profile(child_told_at=shared_at + MIN)])
    assert _one(told_after, later, TOLD).outcome is Outcome.BREACHED
    not_shared = case_file(episode(), profiles=[profile()])
    assert _one(not_shared, later, TOLD).outcome is Outcome.PENDING


def test_the_checks_shared_with_northern_ireland_are_written_once() -> None:
    # the same check behind both packs' rules: a change reaches both
    wls = PACK.rule(SHARED).fields
    nir = gb_nir.PACK.rule("philomena-shared-on-report").fields
    assert wls == nir == _uk.PROFILE_SHARED_FIELDS


def test_an_episode_with_nothing_recorded_is_never_met() -> None:
    bare = case_file(episode(ended=SEEN + 2 * H, returned=None))
    for pack in (PACK, LOCAL):
        ev = evaluate(bare, pack=pack, as_of=SEEN + timedelta(days=60))
        assert ev.findings
        assert all(f.outcome is not Outcome.MET for f in ev.findings)
