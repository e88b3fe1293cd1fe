"""The Utah pack: the federal pack derived, the case staffed within 2 hours of the agency
learning and NCIC entry requested within 2 hours of the report, across the clock changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from missingcare.case import CaseFile
from missingcare.episodes import PoliceReport
from missingcare.findings import Outcome
from missingcare.packs import us_ut
from missingcare.rules import get_pack
from missingcare.testing.builders import context_entry
from missingcare.testing.conformance import RulePackContract, check_case, check_pack
from missingcare.time import local_datetime, local_instant
from missingcare.vocab import Concept
from tests._us_packs import H, M, findings, outcome, us_case, us_episode

DENVER = "America/Denver"
PACK = us_ut.PACK
LEARNED = local_instant(2026, 10, 13, 15, zone=DENVER)
STAFFED, NCIC = "case-staffed-2h", "ncic-entry-requested-2h"


class TestUtahConformance(RulePackContract):
    pack = PACK
    max_examples = 30  # the federal rules are drawn 60 times in test_pack_us


def _case(
    learned: datetime | None = LEARNED,
    *entries: tuple[Concept, datetime],
    reported: datetime | None = None,
) -> CaseFile:
    report = PoliceReport(reported, "UT-1") if reported else None
    context = [context_entry(f"X{i}", at, concept=c) for i, (c, at) in enumerate(entries)]
    return us_case(DENVER, us_episode(DENVER, learned, police_report=report), context=context)


def test_utah_is_the_federal_pack_derived() -> None:
    assert get_pack("US-UT") is PACK
    assert (PACK.derived_from, PACK.zone) == ("US", DENVER)
    assert check_pack(PACK).ok
    vocabs = {v.name: v for v in PACK.extended_vocabularies()}
    assert {"case_staffed", "ncic_entry_requested", "absence_factors_addressed"} <= set(
        vocabs["context_categories"].codes
    )


@pytest.mark.parametrize(
    ("after", "expected"),
    [(2 * H - M, (Outcome.MET, "met")), (2 * H + M, (Outcome.BREACHED, "late"))],
)
def test_case_staffed_a_minute_either_side_of_2_hours(after: Any, expected: Any) -> None:
    case = _case(LEARNED, (us_ut.CASE_STAFFED, LEARNED + after))
    assert outcome(case, LEARNED + 5 * H, STAFFED, PACK) == expected


def test_case_staffed_not_recorded_or_recorded_before_the_agency_learned() -> None:
    assert outcome(_case(), LEARNED + 2 * H, STAFFED, PACK) == (Outcome.PENDING, "pending")
    stale = _case(LEARNED, (us_ut.CASE_STAFFED, LEARNED - H))  # an earlier episode's staffing
    assert outcome(stale, LEARNED + 2 * H + M, STAFFED, PACK) == (Outcome.BREACHED, "overdue")
    unknown = _case(None, (us_ut.CASE_STAFFED, LEARNED))
    assert outcome(unknown, LEARNED + 9 * H, STAFFED, PACK) == (
        Outcome.INSUFFICIENT_DATA,
        "event-unknown",
    )


@pytest.mark.parametrize(
    ("after", "expected"),
    [(2 * H - M, (Outcome.MET, "met")), (2 * H + M, (Outcome.BREACHED, "late"))],
)
def test_ncic_requested_within_2_hours_of_the_report(after: Any, expected: Any) -> None:
    reported = LEARNED + 5 * H  # the clock runs from the report, not from the agency learning
    case = _case(LEARNED, (us_ut.NCIC_ENTRY_REQUESTED, reported + after), reported=reported)
    (f,) = findings(case, reported + 5 * H, NCIC, PACK)
    assert ((f.outcome, f.message_id.rsplit(".", 1)[1]), f.due) == (expected, reported + 2 * H)


def test_ncic_without_a_report_has_nothing_to_time() -> None:
    case = _case(LEARNED, (us_ut.NCIC_ENTRY_REQUESTED, LEARNED + H))
    assert outcome(case, LEARNED + 30 * H, NCIC, PACK) == (Outcome.NOT_APPLICABLE, "event-not-yet")
    # the federal rule is the finding then
    assert outcome(case, LEARNED + 30 * H, "law-enforcement-24h", PACK)[0] is Outcome.BREACHED


@pytest.mark.parametrize(
    ("learned", "local_hour"),
    [
        (local_instant(2026, 3, 8, 1, 30, zone=DENVER), 4),  # 01:30 MST; 02:00 never happens
        (local_instant(2026, 11, 1, 0, 30, zone=DENVER), 1),  # 00:30 MDT; 01:xx happens twice
    ],
)
def test_2_elapsed_hours_across_the_clock_changes(learned: datetime, local_hour: int) -> None:
    for shift, expected in ((-M, Outcome.MET), (M, Outcome.BREACHED)):
        case = _case(learned, (us_ut.CASE_STAFFED, learned + 2 * H + shift))
        (f,) = findings(case, learned + 5 * H, STAFFED, PACK)
        assert (f.outcome, f.due) == (expected, learned + 2 * H)
    assert local_datetime(learned + 2 * H, DENVER).hour == local_hour


def test_scenarios_are_total_and_monotonic() -> None:
    cases = (
        _case(LEARNED, (us_ut.CASE_STAFFED, LEARNED + H), reported=LEARNED + H),
        _case(None),
        _case(LEARNED, (us_ut.NCIC_ENTRY_REQUESTED, LEARNED + 9 * H), reported=LEARNED + 6 * H),
    )
    for case in cases:
        assert check_case(PACK, case) == []
