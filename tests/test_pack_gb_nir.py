"""The Northern Ireland pack: conformance, and every rule at its boundaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from missingcare.case import CaseFile
from missingcare.children import PlacementKind
from missingcare.conversations import ConversationOffer
from missingcare.episodes import Notification, PoliceReport
from missingcare.findings import Finding, Outcome
from missingcare.packs.gb_nir import PACK
from missingcare.rules import Duty, RulePack, evaluate, get_pack
from missingcare.testing.builders import (
    SEEN,
    case_file,
    conversation,
    episode,
    placement,
    profile,
)
from missingcare.testing.conformance import RulePackContract
from missingcare.time import local_instant
from missingcare.vocabularies import CONVERSATION_OUTCOMES, NOTIFICATION_RECIPIENTS

LONDON = "Europe/London"
MIN, H = timedelta(minutes=1), timedelta(hours=1)
LOCAL = PACK.configure(untoward_event_within=24 * H, return_interview_offered_within=72 * H)
HOME = placement()
NOTIFY, PART1, SHARED, OFFERED = (
    "untoward-event-notification",
    "philomena-part-1-held",
    "philomena-shared-on-report",
    "return-interview-offered",
)


class TestGBNirConformance(RulePackContract):
    pack = PACK
    max_examples = 30


class TestGBNirConfiguredConformance(RulePackContract):
    pack = LOCAL
    max_examples = 20


def _one(case: CaseFile, as_of: datetime, code: str, pack: RulePack = PACK) -> Finding:
    found = evaluate(case, pack=pack, as_of=as_of).by_rule(code)
    assert len(found) == 1, found
    return found[0]


def test_registered_with_its_zone_no_default_timescale_and_a_duty_on_every_rule() -> None:
    assert get_pack("GB-NIR") is PACK
    assert get_pack("Northern Ireland") is PACK
    assert PACK.zone == LONDON
    assert all(r.duty is not None and r.sources for r in PACK.rules())
    assert all(p.default is None for p in PACK.parameters)  # the sources set none
    assert PACK.rule(NOTIFY).duty is Duty.NOTIFY


# --- the untoward event notification to the Department -------------------------------------------


def _told_doh(seen: datetime, *at: datetime, ended: datetime | None = None) -> CaseFile:
    notes = tuple(Notification(NOTIFICATION_RECIPIENTS["doh_ni"], t) for t in at)
    ep = episode(seen=seen, ended=ended if ended else seen + 3 * H, notifications=notes)
    return case_file(ep, placements=[HOME])


def test_untoward_event_is_insufficient_data_until_configured_even_when_sent() -> None:
    # no timescale in the sources, and none "by the end of the episode" either
    case = _told_doh(SEEN, SEEN + H)
    unset = _one(case, SEEN + timedelta(days=3), NOTIFY)
    assert (unset.outcome, unset.message_id) == (
        Outcome.INSUFFICIENT_DATA, "gb-nir.untoward-event-notification.not-configured"
    )  # fmt: skip
    assert "(the setting 'untoward event within')" in unset.text
    assert _one(case, SEEN + timedelta(days=3), NOTIFY, LOCAL).outcome is Outcome.MET
    # an open episode is not "pending" while unconfigured: it cannot be worked out either
    still_out = case_file(episode(ended=None), placements=[HOME])
    assert _one(still_out, SEEN + H, NOTIFY).outcome is Outcome.INSUFFICIENT_DATA


@pytest.mark.parametrize(
    ("seen", "due"),
    [
        # 22:00 GMT on 28 March; the clocks go forward at 01:00Z: due 23:00 BST on the 29th
        (local_instant(2026, 3, 28, 22, zone=LONDON), datetime(2026, 3, 29, 22, tzinfo=UTC)),
        # 22:00 BST on 24 October; the clocks go back at 01:00Z on the 25th: due 21:00 GMT
        (local_instant(2026, 10, 24, 22, zone=LONDON), datetime(2026, 10, 25, 21, tzinfo=UTC)),
    ],
    ids=["march", "october"],
)
def test_configured_notification_a_minute_either_side_across_the_clock_change(
    seen: datetime, due: datetime
) -> None:
    assert due - seen == 24 * H
    met = _one(_told_doh(seen, due - MIN), due + H, NOTIFY, LOCAL)
    assert (met.outcome, met.due) == (Outcome.MET, due)
    late = _one(_told_doh(seen, due + MIN), due + H, NOTIFY, LOCAL)
    assert (late.outcome, late.message_id) == (
        Outcome.BREACHED, "gb-nir.untoward-event-notification.late"
    )  # fmt: skip
    assert _one(_told_doh(seen), due - MIN, NOTIFY, LOCAL).outcome is Outcome.PENDING
    assert _one(_told_doh(seen), due + MIN, NOTIFY, LOCAL).outcome is Outcome.BREACHED


def test_each_episode_keeps_its_own_notification_clock() -> None:
    # going missing again does not put off the Department's notice of the first episode
    first = episode("E1", seen=SEEN, ended=SEEN + H)
    again = episode("E2", seen=SEEN + 2 * H, ended=None)
    ev = evaluate(case_file(first, again, placements=[HOME]), pack=LOCAL, as_of=SEEN + 25 * H)
    (f1,) = [f for f in ev.by_rule(NOTIFY) if f.episode_id == "E1"]
    assert (f1.outcome, f1.due) == (Outcome.BREACHED, SEEN + 24 * H)


def test_a_notification_to_someone_else_does_not_count() -> None:
    ep = episode(notifications=(Notification(NOTIFICATION_RECIPIENTS["police"], SEEN + H),))
    case = case_file(ep, placements=[HOME])
    assert _one(case, SEEN + timedelta(days=3), NOTIFY, LOCAL).outcome is Outcome.BREACHED


# --- Philomena Part 1 for every child in a residential home; given to police on the report -------


@pytest.mark.parametrize(
    ("placements", "profiles", "outcome", "key"),
    [
        ([HOME], [profile()], Outcome.MET, "held"),
        ([HOME], [], Outcome.BREACHED, "not-held"),
        ([HOME], [profile(completed_at=SEEN + MIN)], Outcome.BREACHED, "not-held"),
        ([HOME], [profile(ended_at=SEEN - MIN)], Outcome.BREACHED, "not-held"),
        ([placement(kind=PlacementKind.SECURE_CHILDRENS_HOME)], [], Outcome.BREACHED, "not-held"),
        ([placement(kind=PlacementKind.FOSTER_CARE)], [], Outcome.NOT_APPLICABLE,
         "not-residential"),
    ],
)  # fmt: skip
def test_philomena_part_1_held_for_every_child_in_a_residential_home(
    placements: list[object], profiles: list[object], outcome: Outcome, key: str
) -> None:
    case = case_file(episode(), placements=placements, profiles=profiles)  # type: ignore[arg-type]
    f = _one(case, SEEN + H, PART1)
    assert (f.outcome, f.message_id) == (outcome, f"gb-nir.{PART1}.{key}")


def test_philomena_form_given_to_police_on_the_report() -> None:
    report, later = PoliceReport(SEEN + H, reference="PSNI-1"), SEEN + timedelta(days=1)
    forms = [profile()]
    shared = episode(police_report=report, profile_shared_at=SEEN + H + 5 * MIN)
    f = _one(case_file(shared, placements=[HOME], profiles=forms), later, SHARED)
    assert (f.outcome, f.observed) == (Outcome.MET, SEEN + H + 5 * MIN)
    unshared = case_file(episode(police_report=report), placements=[HOME], profiles=forms)
    assert _one(unshared, later, SHARED).outcome is Outcome.BREACHED
    unreported = case_file(episode(), placements=[HOME], profiles=forms)
    assert _one(unreported, later, SHARED).outcome is Outcome.NOT_APPLICABLE


# --- the return interview: no NI timescale until configured --------------------------------------


def test_return_interview_insufficient_until_configured_then_exact() -> None:
    back = local_instant(2026, 10, 24, 22, zone=LONDON)
    due = back + 72 * H
    ep = episode(seen=back - 6 * H, ended=back - H, returned=back)
    offer = ConversationOffer(due - MIN, CONVERSATION_OUTCOMES["accepted"])
    case = case_file(ep, placements=[HOME], conversations=[conversation(offers=[offer])])
    unset = _one(case, due + H, OFFERED)
    assert (unset.outcome, unset.message_id) == (
        Outcome.INSUFFICIENT_DATA, "gb-nir.return-interview-offered.not-configured"
    )  # fmt: skip
    assert _one(case, due + H, OFFERED, LOCAL).outcome is Outcome.MET
    late = ConversationOffer(due + MIN, CONVERSATION_OUTCOMES["accepted"])
    case = case_file(ep, placements=[HOME], conversations=[conversation(offers=[late])])
    assert _one(case, due + H, OFFERED, LOCAL).outcome is Outcome.BREACHED


def test_an_episode_with_nothing_recorded_is_never_met() -> None:
    bare = case_file(episode(ended=SEEN + 2 * H, returned=None), placements=[HOME])
    for pack in (PACK, LOCAL):
        ev = evaluate(bare, pack=pack, as_of=SEEN + timedelta(days=60))
        assert ev.findings
        assert all(f.outcome is not Outcome.MET for f in ev.findings)
