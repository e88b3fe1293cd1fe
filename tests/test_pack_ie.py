"""The Ireland pack: conformance, and each rule at its boundaries (Dublin's clock changes too)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from missingcare.case import CaseFile
from missingcare.children import PlacementKind
from missingcare.episodes import MissingEpisode, PoliceReport
from missingcare.findings import Finding, Outcome, Strength
from missingcare.packs.ie import PACK
from missingcare.plans import AbsencePlan
from missingcare.rules import Duty, evaluate, get_pack
from missingcare.testing.builders import absence_plan, case_file, episode, placement
from missingcare.testing.conformance import RulePackContract, check_pack
from missingcare.time import local_instant
from tests._helpers import load_script

DUBLIN = "Europe/Dublin"
MIN = timedelta(minutes=1)
#: Expected back at 22:00 on a summer evening (IST, UTC+1); last seen two hours before.
EXPECTED = local_instant(2026, 7, 15, 22, zone=DUBLIN)
#: When the default plan (15 minutes past the expected time) was agreed.
AGREED = datetime(2025, 1, 6, 10, tzinfo=UTC)
REPORT = "garda-report-after-plan-threshold"
PLAN = "absence-management-plan"


class TestIrelandContract(RulePackContract):
    pack = PACK


def test_the_pack_is_registered_and_conforms() -> None:
    assert get_pack("IE") is PACK
    assert get_pack("Ireland") is PACK
    assert PACK.zone == DUBLIN
    assert check_pack(PACK).ok
    assert {r.duty for r in PACK.rules()} == {Duty.PLAN, Duty.REPORT}
    assert {r.strength for r in PACK.rules()} == {Strength.AGENCY_POLICY}
    assert all(r.sources for r in PACK.rules())


def _episode(
    *,
    expected: datetime | None = EXPECTED,
    reported: datetime | None = None,
    back: datetime | None = None,
    status: str = "missing",
    ep_id: str = "E1",
) -> MissingEpisode:
    seen = (expected or EXPECTED) - timedelta(hours=2)
    extra: dict[str, Any] = {}
    if reported is not None:
        extra["police_report"] = PoliceReport(reported, reference="G-1")
    return episode(
        ep_id,
        seen=seen,
        ended=back,
        returned=back,
        status=status,
        zone=DUBLIN,
        expected_back_at=expected,
        **extra,
    )


def _case(
    *episodes: MissingEpisode,
    plans: tuple[AbsencePlan, ...] | None = None,
    kind: PlacementKind = PlacementKind.CHILDRENS_HOME,
    **changes: Any,
) -> CaseFile:
    if plans is None:
        plans = (absence_plan(agreed_at=AGREED, report_after=timedelta(minutes=15)),)
    return case_file(
        *episodes, placements=[placement(kind=kind, zone=DUBLIN)], absence_plans=plans, **changes
    )


def _key(f: Finding) -> tuple[Outcome, str]:
    """The outcome and the message key (the message id without the pack and rule)."""
    return f.outcome, f.message_id.rpartition(".")[2]


def _finding(case: CaseFile, code: str, as_of: datetime) -> Finding:
    found = [f for f in evaluate(case, pack=PACK, as_of=as_of).findings if f.rule.code == code]
    assert len(found) == 1, found
    return found[0]


# --- the report to the Gardaí at the plan's threshold -------------------------------------------


def test_reported_a_minute_before_the_threshold_is_met_a_minute_after_is_breached() -> None:
    due = EXPECTED + timedelta(minutes=15)
    on_time = _finding(_case(_episode(reported=due - MIN)), REPORT, due + timedelta(hours=1))
    assert (on_time.outcome, on_time.due, on_time.observed) == (Outcome.MET, due, due - MIN)
    late = _finding(_case(_episode(reported=due + MIN)), REPORT, due + timedelta(hours=1))
    assert _key(late) == (
        Outcome.BREACHED,
        "late",
    )
    at_due = _finding(_case(_episode(reported=due)), REPORT, due + timedelta(hours=1))
    assert at_due.outcome is Outcome.MET


def test_not_reported_nothing_is_due_until_the_threshold_then_it_is_overdue() -> None:
    due = EXPECTED + timedelta(minutes=15)
    case = _case(_episode())
    before = _finding(case, REPORT, due - MIN)
    assert (before.outcome, before.due) == (Outcome.NOT_APPLICABLE, due)
    assert "report them missing to the Gardaí" in before.text
    assert _finding(case, REPORT, due).outcome is Outcome.NOT_APPLICABLE
    after = _finding(case, REPORT, due + MIN)
    assert _key(after) == (Outcome.BREACHED, "overdue")


def test_a_child_back_within_the_threshold_needed_no_report() -> None:
    due = EXPECTED + timedelta(minutes=15)
    back = _finding(_case(_episode(back=due - MIN)), REPORT, due + timedelta(hours=3))
    assert _key(back) == (Outcome.NOT_APPLICABLE, "back-in-time")
    late_back = _finding(_case(_episode(back=due + MIN)), REPORT, due + timedelta(hours=3))
    assert late_back.outcome is Outcome.BREACHED  # back after the threshold, never reported


def test_the_threshold_is_the_plans_not_a_national_fifteen_minutes() -> None:
    plan = absence_plan(agreed_at=EXPECTED - timedelta(days=9), report_after=timedelta(hours=2))
    due = EXPECTED + timedelta(hours=2)
    case = _case(_episode(reported=EXPECTED + timedelta(minutes=90)), plans=(plan,))
    assert _finding(case, REPORT, due + MIN).outcome is Outcome.MET
    case = _case(_episode(reported=due + MIN), plans=(plan,))
    assert _finding(case, REPORT, due + timedelta(hours=1)).outcome is Outcome.BREACHED


def test_the_plan_in_force_when_the_child_went_missing_sets_the_threshold() -> None:
    old = absence_plan(
        "AP-old",
        agreed_at=EXPECTED - timedelta(days=90),
        ended_at=EXPECTED - timedelta(days=30),
        report_after=timedelta(hours=4),
    )
    new = absence_plan(
        "AP-new", agreed_at=EXPECTED - timedelta(days=30), report_after=timedelta(minutes=30)
    )
    f = _finding(_case(_episode(), plans=(old, new)), REPORT, EXPECTED + timedelta(hours=1))
    assert f.due == EXPECTED + timedelta(minutes=30)
    assert "$.absence_plans[1].report_after" in f.evidence


@pytest.mark.parametrize("status", ["away_without_authorisation", "absent_no_apparent_risk"])
def test_whereabouts_known_but_absent_is_still_reported(status: str) -> None:
    due = EXPECTED + timedelta(minutes=15)
    f = _finding(_case(_episode(status=status)), REPORT, due + MIN)
    assert f.outcome is Outcome.BREACHED
    g = _finding(_case(_episode(status=status, reported=due - MIN)), REPORT, due + MIN)
    assert g.outcome is Outcome.MET


def test_missing_data_is_insufficient_never_met() -> None:
    late = EXPECTED + timedelta(days=2)
    reported = EXPECTED + timedelta(minutes=5)
    no_expected = _finding(_case(_episode(expected=None, reported=reported)), REPORT, late)
    assert _key(no_expected) == (Outcome.INSUFFICIENT_DATA, "no-expected-time")
    no_plan = _finding(_case(_episode(reported=reported), plans=()), REPORT, late)
    assert no_plan.outcome is Outcome.INSUFFICIENT_DATA
    silent = absence_plan(agreed_at=EXPECTED - timedelta(days=9))  # no threshold recorded
    no_threshold = _finding(_case(_episode(reported=reported), plans=(silent,)), REPORT, late)
    assert _key(no_threshold) == (Outcome.INSUFFICIENT_DATA, "no-threshold")
    agreed_after = absence_plan(agreed_at=EXPECTED, report_after=timedelta(minutes=15))
    f = _finding(_case(_episode(reported=reported), plans=(agreed_after,)), REPORT, late)
    assert f.outcome is Outcome.INSUFFICIENT_DATA  # not in force when the child went missing


def test_across_dublins_spring_clock_change() -> None:
    # Sunday 29 March 2026: 01:00 GMT becomes 02:00 IST. Expected back 00:50 (GMT), the
    # plan's 15 minutes run to 02:05 IST on the wall clock, 01:05 UTC.
    expected = local_instant(2026, 3, 29, 0, 50, zone=DUBLIN)
    due = local_instant(2026, 3, 29, 2, 5, zone=DUBLIN)
    assert due - expected == timedelta(minutes=15)
    for reported, outcome in ((due - MIN, Outcome.MET), (due + MIN, Outcome.BREACHED)):
        case = _case(_episode(expected=expected, reported=reported))
        f = _finding(case, REPORT, due + timedelta(hours=1))
        assert (f.outcome, f.due) == (outcome, due)


def test_across_dublins_autumn_clock_change() -> None:
    # Sunday 25 October 2026: 02:00 IST becomes 01:00 GMT. Expected back at 01:50 IST (the
    # first 01:50), 30 minutes: due 01:20 UTC, the wall clock's second 01:20, not 02:20.
    expected = local_instant(2026, 10, 25, 1, 50, zone=DUBLIN, fold=0)
    due = datetime(2026, 10, 25, 1, 20, tzinfo=UTC)
    assert due == local_instant(2026, 10, 25, 1, 20, zone=DUBLIN, fold=1)
    plan = absence_plan(agreed_at=expected - timedelta(days=9), report_after=timedelta(minutes=30))
    for reported, outcome in ((due - MIN, Outcome.MET), (due + MIN, Outcome.BREACHED)):
        case = _case(_episode(expected=expected, reported=reported), plans=(plan,))
        f = _finding(case, REPORT, due + timedelta(hours=1))
        assert (f.outcome, f.due) == (outcome, due)


def test_winter_is_gmt_and_summer_is_ist_in_dublin() -> None:
    # tzdata models Irish Standard Time as the standard offset and winter as "negative
    # DST": the offsets must still come out GMT in January and UTC+1 in July.
    assert local_instant(2026, 1, 15, 22, zone=DUBLIN) == datetime(2026, 1, 15, 22, tzinfo=UTC)
    assert local_instant(2026, 7, 15, 22, zone=DUBLIN) == datetime(2026, 7, 15, 21, tzinfo=UTC)


# --- the Absence Management Plan -----------------------------------------------------------------


def test_a_child_in_a_childrens_home_has_a_plan_in_force() -> None:
    late = EXPECTED + timedelta(days=1)
    met = _finding(_case(_episode(back=EXPECTED)), PLAN, late)
    assert (met.outcome, met.evidence[-1]) == (Outcome.MET, "$.absence_plans[0]")
    none = _finding(_case(_episode(back=EXPECTED), plans=()), PLAN, late)
    assert _key(none) == (
        Outcome.BREACHED,
        "no-plan",
    )
    ended = absence_plan(
        agreed_at=EXPECTED - timedelta(days=60), ended_at=EXPECTED - timedelta(days=1)
    )
    assert _finding(_case(_episode(), plans=(ended,)), PLAN, late).outcome is Outcome.BREACHED
    secure = _case(_episode(), plans=(), kind=PlacementKind.SECURE_CHILDRENS_HOME)
    assert _finding(secure, PLAN, late).outcome is Outcome.BREACHED


def test_the_plan_rule_is_for_residential_care() -> None:
    late = EXPECTED + timedelta(days=1)
    for kind in (PlacementKind.FOSTER_CARE, PlacementKind.KINSHIP_CARE):
        f = _finding(_case(_episode(), plans=(), kind=kind), PLAN, late)
        assert _key(f) == (Outcome.NOT_APPLICABLE, "not-residential")


def test_reference_page_lists_the_rules_and_sources() -> None:
    from pathlib import Path

    path = Path(__file__).parent.parent / "docs" / "_gen_packs.py"
    gen = load_script(path, "_gen_packs")
    page_path = path.parent / "reference" / "packs" / "ie.md"
    page = gen.pages()[page_path]
    assert page_path.read_text(encoding="utf-8") == page, "run: python docs/_gen_packs.py"
    for r in PACK.rules():
        assert f"### `{r.code}`" in page
        assert all(s.url in page for s in r.sources)
