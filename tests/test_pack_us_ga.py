"""The Georgia pack: the federal pack derived, DFCS policy 19.22's rules at their boundaries,
Georgia business days from python-holidays across a state holiday, a weekend and a clock change."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from missingcare.case import CaseFile
from missingcare.episodes import MissingEpisode
from missingcare.findings import Outcome
from missingcare.packs import us, us_ga
from missingcare.rules import get_pack
from missingcare.testing.conformance import RulePackContract, check_case, check_pack
from missingcare.time import PublicHolidays, Weekdays, local_instant
from tests._us_packs import H, M, findings, outcome, told, us_case, us_episode

NY = "America/New_York"
PACK = us_ga.PACK
LEARNED = local_instant(2026, 10, 13, 15, zone=NY)
COURT = "juvenile-court-runaway-report"


class TestGeorgiaConformance(RulePackContract):
    pack = PACK
    max_examples = 30  # the federal rules are drawn 60 times in test_pack_us


def _episode(learned: datetime | None = LEARNED, **changes: Any) -> MissingEpisode:
    return us_episode(NY, learned, **changes)


def _case(*episodes: MissingEpisode, **changes: Any) -> CaseFile:
    return us_case(NY, *episodes, **changes)


def test_georgia_is_the_federal_pack_derived() -> None:
    assert get_pack("US-GA") is PACK
    assert (PACK.derived_from, PACK.zone) == ("US", NY)
    assert [e.name for e in PACK.editions] == [e.name for e in us.PACK.editions]
    for ed in us.PACK.editions:  # the federal rules themselves, so a federal change reaches GA
        ours = {id(r) for r in PACK.rules(ed.name)}
        assert all(id(r) in ours for r in us.PACK.rules(ed.name))
    assert check_pack(PACK).ok


# --- the acceptance test: two Georgia business days, on a real date -----------------------------


def test_court_report_skips_thanksgiving_the_state_holiday_and_the_weekend() -> None:
    calendar = PACK.effective_settings["court_report_calendar"]
    assert calendar == PublicHolidays("US", "GA")
    # Thursday 26 November 2026 is Thanksgiving; Friday 27 a Georgia state holiday
    assert not calendar.is_working_day(date(2026, 11, 26))
    assert not calendar.is_working_day(date(2026, 11, 27))
    learned = local_instant(2026, 11, 25, 10, zone=NY)  # Wednesday
    due = local_instant(2026, 12, 2, 0, zone=NY)  # the end of Tuesday 1 December, local
    for filed, expected in ((due - M, (Outcome.MET, "met")), (due + M, (Outcome.BREACHED, "late"))):
        case = _case(_episode(learned, notifications=(told(us_ga.JUVENILE_COURT, filed),)))
        (f,) = findings(case, due + 48 * H, COURT, PACK)
        assert (f.outcome, f.message_id.rsplit(".", 1)[1], f.due) == (*expected, due)
        assert "the juvenile court" in f.text
        assert "juvenile_court" not in f.text
    unfiled = _case(_episode(learned))
    assert outcome(unfiled, due, COURT, PACK) == (Outcome.PENDING, "pending")
    assert outcome(unfiled, due + M, COURT, PACK) == (Outcome.BREACHED, "overdue")


def test_an_embedders_calendar_replaces_georgias() -> None:
    local = PACK.configure(court_report_calendar=Weekdays())  # no holidays at all
    learned = local_instant(2026, 11, 25, 10, zone=NY)
    (f,) = findings(_case(_episode(learned)), learned + H, COURT, local)
    assert f.due == local_instant(2026, 11, 28, 0, zone=NY)  # the end of Friday 27th


def test_court_report_across_the_november_clock_change() -> None:
    learned = local_instant(2026, 10, 30, 16, zone=NY)  # Friday; clocks go back Sunday 1 Nov
    (f,) = findings(_case(_episode(learned)), learned + H, COURT, PACK)
    assert f.due == local_instant(2026, 11, 4, 0, zone=NY)  # end of Tuesday 3rd, EST
    assert f.due.hour == 5  # midnight EST, not EDT


def test_court_report_knowledge_time_unknown_is_never_met() -> None:
    case = _case(_episode(None, notifications=(told(us_ga.JUVENILE_COURT, LEARNED),)))
    assert outcome(case, LEARNED + 1000 * H, COURT, PACK) == (
        Outcome.INSUFFICIENT_DATA,
        "event-unknown",
    )


# --- the internal notifications -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "recipient"),
    [
        ("missing-children-team-24h", us_ga.MISSING_CHILDREN_TEAM),
        ("revenue-specialist-24h", us_ga.REVENUE_SPECIALIST),
    ],
)
def test_told_within_24h_of_missing(code: str, recipient: Any) -> None:
    for at, expected in (
        (24 * H - M, (Outcome.MET, "met")),
        (24 * H + M, (Outcome.BREACHED, "late")),
    ):
        case = _case(_episode(notifications=(told(recipient, LEARNED + at),)))
        assert outcome(case, LEARNED + 48 * H, code, PACK) == expected
    assert outcome(_case(_episode()), LEARNED + 24 * H + M, code, PACK) == (
        Outcome.BREACHED,
        "overdue",
    )
    assert outcome(_case(_episode(None)), LEARNED + 48 * H, code, PACK)[0] is (
        Outcome.INSUFFICIENT_DATA
    )


def test_missing_children_team_across_the_march_clock_change() -> None:
    learned = local_instant(2026, 3, 7, 20, zone=NY)  # Saturday; clocks go forward Sunday
    for at, expected in ((-M, Outcome.MET), (M, Outcome.BREACHED)):
        note = told(us_ga.MISSING_CHILDREN_TEAM, learned + 24 * H + at)
        (f,) = findings(_case(_episode(learned, notifications=(note,))), learned + 48 * H,
                        "missing-children-team-24h", PACK)  # fmt: skip
        assert (f.outcome, f.due) == (expected, learned + 24 * H)
    assert learned + 24 * H == local_instant(2026, 3, 8, 21, zone=NY)  # 21:00 EDT


def test_revenue_specialist_told_within_24h_of_the_child_being_located() -> None:
    code, found = "revenue-specialist-located-24h", LEARNED + 30 * H
    missing_note = told(us_ga.REVENUE_SPECIALIST, LEARNED + H)  # told of the missing, not the find
    open_case = _case(_episode(notifications=(missing_note,)))
    assert outcome(open_case, LEARNED + 2 * H, code, PACK) == (Outcome.NOT_APPLICABLE, "open")
    for at, expected in (
        (24 * H - M, (Outcome.MET, "met")),
        (24 * H + M, (Outcome.BREACHED, "late")),
    ):
        notes = (missing_note, told(us_ga.REVENUE_SPECIALIST, found + at))
        case = _case(_episode(ended=found, notifications=notes))
        assert outcome(case, found + 48 * H, code, PACK) == expected
    only_missing = _case(_episode(ended=found, notifications=(missing_note,)))
    assert outcome(only_missing, found + 24 * H + M, code, PACK) == (Outcome.BREACHED, "overdue")


def test_the_recipients_extend_the_core_vocabulary() -> None:
    vocabs = {v.name: v for v in PACK.extended_vocabularies()}
    assert "absence_factors_addressed" in vocabs["context_categories"].codes  # the federal one
    vocab = vocabs["notification_recipients"]
    assert {"missing_children_team", "revenue_maximization_specialist", "juvenile_court"} <= set(
        vocab.codes
    )
    assert "ncmec" in vocab.codes


def test_scenarios_are_total_and_monotonic() -> None:
    notes = (told(us_ga.JUVENILE_COURT, LEARNED + 30 * H), told(us_ga.REVENUE_SPECIALIST, LEARNED))
    for case in (_case(_episode(notifications=notes)), _case(_episode(None, ended=LEARNED))):
        assert check_case(PACK, case) == []
