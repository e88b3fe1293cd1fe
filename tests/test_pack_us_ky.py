"""The Kentucky pack: the federal pack derived, the 12-hour missing person report at its
boundaries and across the US clock changes, Central time for western Kentucky."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from missingcare.case import CaseFile
from missingcare.episodes import MissingEpisode, PoliceReport
from missingcare.findings import Outcome
from missingcare.packs import us, us_ky
from missingcare.rules import get_pack
from missingcare.testing.conformance import RulePackContract, check_case, check_pack
from missingcare.time import local_datetime, local_instant
from tests._us_packs import H, M, findings, outcome, us_case, us_episode

NY, CHICAGO = "America/New_York", "America/Chicago"
PACK = us_ky.PACK
LEARNED = local_instant(2026, 10, 13, 15, zone=NY)
CODE = "missing-person-report-12h"


class TestKentuckyConformance(RulePackContract):
    pack = PACK
    max_examples = 30  # the federal rules are drawn 60 times in test_pack_us


def _case(learned: datetime | None, reported: datetime | None = None, **changes: Any) -> CaseFile:
    report = PoliceReport(reported, "KSP-1") if reported else None
    ep: MissingEpisode = us_episode(NY, learned, police_report=report, **changes)
    return us_case(NY, ep)


def test_kentucky_is_the_federal_pack_derived() -> None:
    assert get_pack("US-KY") is PACK
    assert (PACK.derived_from, PACK.zone) == ("US", NY)
    assert {r.code for r in us.PACK.rules()} < {r.code for r in PACK.rules()}
    assert "KY" in {s.key for s in PACK.sources}
    assert check_pack(PACK).ok


@pytest.mark.parametrize(
    ("after", "expected"),
    [(12 * H - M, (Outcome.MET, "met")), (12 * H + M, (Outcome.BREACHED, "late"))],
)
def test_report_a_minute_either_side_of_12_hours(after: Any, expected: Any) -> None:
    case = _case(LEARNED, LEARNED + after)
    assert outcome(case, LEARNED + 24 * H, CODE, PACK) == expected
    # the federal 24 hours is met by the same report
    assert outcome(case, LEARNED + 24 * H, "law-enforcement-24h", PACK)[0] is Outcome.MET


def test_not_reported() -> None:
    assert outcome(_case(LEARNED), LEARNED + 12 * H, CODE, PACK) == (Outcome.PENDING, "pending")
    assert outcome(_case(LEARNED), LEARNED + 12 * H + M, CODE, PACK) == (
        Outcome.BREACHED,
        "overdue",
    )


@pytest.mark.parametrize(
    ("learned", "local_hour"),
    [
        (local_instant(2026, 3, 7, 23, zone=NY), 12),  # clocks go forward at 02:00 on the 8th
        (local_instant(2026, 10, 31, 23, zone=NY), 10),  # clocks go back at 02:00 on 1 Nov
    ],
)
def test_12_elapsed_hours_across_the_clock_changes(learned: datetime, local_hour: int) -> None:
    for shift, expected in ((-M, Outcome.MET), (M, Outcome.BREACHED)):
        (f,) = findings(_case(learned, learned + 12 * H + shift), learned + 24 * H, CODE, PACK)
        assert (f.outcome, f.due) == (expected, learned + 12 * H)
    assert local_datetime(learned + 12 * H, NY).hour == local_hour  # not 11:00 on the wall clock


def test_knowledge_time_unknown_is_insufficient_never_met() -> None:
    case = _case(None, LEARNED, seen=LEARNED - 3 * H)
    assert outcome(case, LEARNED + 100 * H, CODE, PACK) == (
        Outcome.INSUFFICIENT_DATA,
        "event-unknown",
    )


def test_western_kentucky_uses_central_time() -> None:
    west = PACK.in_zone(CHICAGO)
    assert (west.zone, west.code) == (CHICAGO, "US-KY")
    ep = us_episode(CHICAGO, LEARNED, police_report=PoliceReport(LEARNED + 11 * H, "KSP-2"))
    case = us_case(CHICAGO, ep)
    assert outcome(case, LEARNED + 24 * H, CODE, west) == (Outcome.MET, "met")
    # an edition is chosen by the local date in the pack's zone: 23:30 Central is the next day
    # in Eastern time
    late_night = local_instant(2016, 9, 28, 23, 30, zone=CHICAGO)
    assert PACK.edition_on(local_datetime(late_night, NY).date()).name == "2016-09"
    assert west.edition_on(local_datetime(late_night, CHICAGO).date()).name == "2015-09"


def test_scenarios_are_total_and_monotonic() -> None:
    for case in (_case(LEARNED, LEARNED + 13 * H), _case(None), _case(LEARNED, ended=LEARNED)):
        assert check_case(PACK, case) == []
