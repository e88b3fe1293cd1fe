"""The US federal pack: each rule at its boundaries, across the US clock changes, and missing
data never met."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from missingcare.case import CaseFile
from missingcare.conversations import AgreedAction, ExploitationCategory, ExploitationScreening
from missingcare.episodes import MissingEpisode, Notification, PoliceReport
from missingcare.exceptions import PackNotConfiguredError
from missingcare.findings import Finding, Outcome
from missingcare.packs import us
from missingcare.rules import available_packs, evaluate, get_pack
from missingcare.testing.builders import (
    context_entry,
    conversation,
    episode,
    factor,
    screening,
)
from missingcare.testing.conformance import RulePackContract, check_case, check_pack
from missingcare.time import local_datetime, local_instant
from tests._us_packs import H, M, told, us_case, us_episode
from tests._us_packs import findings as _findings
from tests._us_packs import outcome as _outcome

CHICAGO = "America/Chicago"
PACK = us.PACK.in_zone(CHICAGO)
TRAFFICKING = ExploitationCategory.TRAFFICKING
#: The agency learns on a Tuesday afternoon in October, far from any clock change.
LEARNED = local_instant(2026, 10, 13, 15, zone=CHICAGO)


class TestUSConformance(RulePackContract):
    pack = PACK


def _episode(learned: datetime | None = LEARNED, **changes: Any) -> MissingEpisode:
    return us_episode(CHICAGO, learned, seen=changes.pop("seen", (learned or LEARNED) - 2 * H),
                      **changes)  # fmt: skip


def _case(*episodes: MissingEpisode, **changes: Any) -> CaseFile:
    return us_case(CHICAGO, *episodes, **changes)


_told = told


def findings(case: CaseFile, as_of: datetime, code: str, pack: Any = PACK) -> list[Finding]:
    return _findings(case, as_of, code, pack)


def outcome(case: CaseFile, as_of: datetime, code: str, pack: Any = PACK) -> tuple[Outcome, str]:
    return _outcome(case, as_of, code, pack)


# --- the acceptance tests: NCMEC within 24 hours of the agency learning -------------------------


def test_ncmec_told_23h59_after_the_agency_learned_is_met() -> None:
    case = _case(_episode(notifications=(_told("ncmec", LEARNED + 23 * H + 59 * M),)))
    (f,) = findings(case, LEARNED + 30 * H, "ncmec-24h")
    assert (f.outcome, f.due, f.observed) == (
        Outcome.MET,
        LEARNED + 24 * H,
        LEARNED + 23 * H + 59 * M,
    )
    assert f.evidence == ("$.episodes[0].agency_informed_at", "$.episodes[0].notifications[0]")
    assert "NCMEC" in f.text
    assert "ncmec" not in f.text


def test_ncmec_told_24h01_after_is_breached() -> None:
    case = _case(_episode(notifications=(_told("ncmec", LEARNED + 24 * H + M),)))
    assert outcome(case, LEARNED + 30 * H, "ncmec-24h") == (Outcome.BREACHED, "late")


def test_ncmec_not_told_and_it_is_25h_is_breached() -> None:
    case = _case(_episode())
    assert outcome(case, LEARNED + 25 * H, "ncmec-24h") == (Outcome.BREACHED, "overdue")
    assert outcome(case, LEARNED + 23 * H, "ncmec-24h") == (Outcome.PENDING, "pending")


@pytest.mark.parametrize("told", [None, LEARNED + H])
def test_knowledge_time_not_recorded_is_insufficient_data_never_met(told: datetime | None) -> None:
    notes = (_told("ncmec", told),) if told else ()
    case = _case(_episode(learned=None, notifications=notes, police_report=None))
    for as_of in (LEARNED + 2 * H, LEARNED + 25 * H, LEARNED + 1000 * H):
        for code in ("ncmec-24h", "law-enforcement-24h"):
            (f,) = findings(case, as_of, code)
            assert f.outcome is Outcome.INSUFFICIENT_DATA, (code, as_of)
            assert f.message_id.endswith(".event-unknown")
            assert "the agency learned the child was missing" in f.text


def test_the_clock_runs_from_the_agency_learning_not_from_last_seen() -> None:
    # last seen two days before the agency learned: told 23 h after learning is still met
    case = _case(_episode(seen=LEARNED - 48 * H, notifications=(_told("ncmec", LEARNED + 23 * H),)))
    assert outcome(case, LEARNED + 30 * H, "ncmec-24h") == (Outcome.MET, "met")


def test_an_episode_keeps_its_own_clock_when_the_child_goes_missing_again() -> None:
    first = _episode(ended=LEARNED + 3 * H)
    again = episode(
        "E2", seen=LEARNED + 5 * H, ended=None, zone=CHICAGO, agency_informed_at=LEARNED + 6 * H,
        notifications=(_told("ncmec", LEARNED + 6 * H + 30 * M),),
    )  # fmt: skip
    found = findings(_case(first, again), LEARNED + 25 * H, "ncmec-24h")
    assert [(f.episode_id, f.outcome, f.due) for f in found] == [
        ("E1", Outcome.BREACHED, LEARNED + 24 * H),
        ("E2", Outcome.MET, LEARNED + 30 * H),
    ]


# --- law enforcement (NCIC) within 24 hours -----------------------------------------------------


@pytest.mark.parametrize(
    ("reported", "expected"),
    [(23 * H + 59 * M, (Outcome.MET, "met")), (24 * H + M, (Outcome.BREACHED, "late"))],
)
def test_law_enforcement_a_minute_either_side(reported: timedelta, expected: Any) -> None:
    case = _case(_episode(police_report=PoliceReport(LEARNED + reported, "PD-1")))
    assert outcome(case, LEARNED + 30 * H, "law-enforcement-24h") == expected


def test_law_enforcement_not_reported() -> None:
    case = _case(_episode())
    assert outcome(case, LEARNED + 24 * H, "law-enforcement-24h") == (Outcome.PENDING, "pending")
    assert outcome(case, LEARNED + 24 * H + M, "law-enforcement-24h") == (
        Outcome.BREACHED,
        "overdue",
    )


# --- across the US clock changes: 24 elapsed hours, whatever the wall clock says ----------------


@pytest.mark.parametrize(
    ("learned", "local_due_hour"),
    [
        # Saturday 7 March 2026, 14:00 CST; the clocks go forward on Sunday 8 March
        (local_instant(2026, 3, 7, 14, zone=CHICAGO), 15),
        # Saturday 31 October 2026, 14:00 CDT; the clocks go back on Sunday 1 November
        (local_instant(2026, 10, 31, 14, zone=CHICAGO), 13),
    ],
)
def test_24_elapsed_hours_across_the_clock_changes(learned: datetime, local_due_hour: int) -> None:
    for shift, expected in ((-M, Outcome.MET), (M, Outcome.BREACHED)):
        case = _case(
            _episode(learned=learned, notifications=(_told("ncmec", learned + 24 * H + shift),))
        )
        (f,) = findings(case, learned + 48 * H, "ncmec-24h")
        assert (f.outcome, f.due) == (expected, learned + 24 * H)
        assert local_datetime(learned + 24 * H, CHICAGO).hour == local_due_hour  # not 14:00


# --- the zone: the federal pack refuses to guess -----------------------------------------------


def test_the_federal_pack_has_no_zone_and_refuses_to_guess() -> None:
    assert us.PACK.zone is None
    assert get_pack("US") is us.PACK
    case = _case(_episode())
    with pytest.raises(PackNotConfiguredError, match="in_zone"):
        evaluate(case, pack=us.PACK, as_of=LEARNED + H)
    # naming the edition is enough to evaluate without a zone
    named = evaluate(case, pack=us.PACK, as_of=LEARNED + H, edition="2016-09")
    assert named.edition == "2016-09"


def test_editions_follow_the_act() -> None:
    before = evaluate(_case(_episode()), pack=PACK, as_of=datetime(2016, 9, 1, tzinfo=UTC))
    assert before.edition == "2015-09"
    assert {f.rule.code for f in before.findings} <= {r.code for r in PACK.rules("2015-09")}
    assert "ncmec-24h" not in {r.code for r in PACK.rules("2015-09")}
    assert "ncmec-24h" in {r.code for r in PACK.rules("2016-09")}


# --- on return: the factors, the response to them, the screening --------------------------------

BACK = LEARNED + 10 * H


def _back(**changes: Any) -> MissingEpisode:
    return _episode(ended=BACK, **changes)


def _factor(at: datetime) -> Any:
    return factor("F1", "conflict_with_staff", at, episode_ids=("E1",))


def test_factors_not_recorded_are_insufficient_until_a_timescale_is_configured() -> None:
    case = _case(_back())
    (f,) = findings(case, BACK + 1000 * H, "absence-factors-determined")
    assert (f.outcome, f.message_id) == (
        Outcome.INSUFFICIENT_DATA,
        "us.absence-factors-determined.not-configured",
    )
    assert "(the setting 'factors determined within')" in f.text
    # still open: nothing to determine yet
    assert findings(_case(_episode()), BACK + H, "absence-factors-determined") == []


def test_factors_recorded_are_met_without_a_timescale() -> None:
    case = _case(_back(), factors=[_factor(BACK + 5 * H)])
    (f,) = findings(case, BACK + 6 * H, "absence-factors-determined")
    assert (f.outcome, f.observed, f.evidence) == (Outcome.MET, BACK + 5 * H, ("$.factors[0]",))
    # a factor recorded after "now" is not yet known
    (g,) = findings(case, BACK + 4 * H, "absence-factors-determined")
    assert g.outcome is Outcome.INSUFFICIENT_DATA


@pytest.mark.parametrize(
    ("noted", "expected"),
    [(71 * H + 59 * M, (Outcome.MET, "met")), (72 * H + M, (Outcome.BREACHED, "late"))],
)
def test_factors_against_a_configured_timescale(noted: timedelta, expected: Any) -> None:
    local = PACK.configure(factors_determined_within=timedelta(hours=72))
    case = _case(_back(), factors=[_factor(BACK + noted)])
    assert outcome(case, BACK + 100 * H, "absence-factors-determined", local) == expected
    none = _case(_back())
    assert outcome(none, BACK + 72 * H + M, "absence-factors-determined", local) == (
        Outcome.BREACHED,
        "overdue",
    )
    assert outcome(none, BACK + 72 * H, "absence-factors-determined", local)[0] is Outcome.PENDING


def test_the_response_to_the_factors() -> None:
    code = "absence-factors-responded"
    assert outcome(_case(_back()), BACK + H, code) == (Outcome.INSUFFICIENT_DATA, "no-factors")
    pending = _case(_back(), factors=[_factor(BACK + H)])
    # a judgement ("as far as possible and appropriate"): pending, never breached
    assert outcome(pending, BACK + 10_000 * H, code) == (Outcome.PENDING, "pending")
    addressed = context_entry("X1", BACK + 2 * H, concept=us.FACTORS_ADDRESSED)
    met = _case(_back(), factors=[_factor(BACK + H)], context=[addressed])
    (f,) = findings(met, BACK + 3 * H, code)
    assert (f.outcome, f.evidence) == (Outcome.MET, ("$.factors[0]", "$.context[0]"))
    # an entry from before the factors were determined is not a response to them
    early = context_entry("X0", BACK - H, concept=us.FACTORS_ADDRESSED)
    stale = _case(_back(), factors=[_factor(BACK + H)], context=[early])
    assert outcome(stale, BACK + 3 * H, code) == (Outcome.PENDING, "pending")
    action = AgreedAction("A1", "Move contact with mum to weekends")
    agreed = conversation("RC1", "E1", held_at=BACK + 4 * H, actions=(action,))
    by_conversation = _case(_back(), factors=[_factor(BACK + H)], conversations=[agreed])
    assert outcome(by_conversation, BACK + 5 * H, code) == (Outcome.MET, "responded")


def test_trafficking_screening() -> None:
    code = "trafficking-screening"
    assert outcome(_case(_back()), BACK + H, code) == (Outcome.INSUFFICIENT_DATA, "not-configured")
    other = screening("S1", BACK + H, "E1", categories=(ExploitationCategory.SEXUAL,))
    assert outcome(_case(_back(), screenings=[other]), BACK + 2 * H, code)[0] is (
        Outcome.INSUFFICIENT_DATA
    )
    done = screening("S1", BACK + H, "E1", categories=(TRAFFICKING,))
    (f,) = findings(_case(_back(), screenings=[done]), BACK + 2 * H, code)
    assert (f.outcome, f.evidence) == (Outcome.MET, ("$.screenings[0]",))
    talk = conversation(
        "RC1",
        "E1",
        held_at=BACK + 3 * H,
        screening=ExploitationScreening(categories=(TRAFFICKING,)),
    )
    (g,) = findings(_case(_back(), conversations=[talk]), BACK + 4 * H, code)
    assert (g.outcome, g.evidence) == (Outcome.MET, ("$.conversations[0].screening",))


@pytest.mark.parametrize(
    ("at", "expected"), [(-M, (Outcome.MET, "met")), (M, (Outcome.BREACHED, "late"))]
)
def test_trafficking_screening_configured(at: timedelta, expected: Any) -> None:
    local = PACK.configure(screening_within=timedelta(hours=72))
    done = screening("S1", BACK + 72 * H + at, "E1", categories=(TRAFFICKING,))
    assert (
        outcome(_case(_back(), screenings=[done]), BACK + 100 * H, "trafficking-screening", local)
        == expected
    )


# --- an identified victim reported to law enforcement within 24 hours ---------------------------

SCREENED = BACK + 5 * H


def _victim(*notes: Notification, at: datetime = SCREENED, **changes: Any) -> CaseFile:
    found = screening("S1", at, "E1", categories=(TRAFFICKING,), concerns=(TRAFFICKING,))
    return _case(_back(notifications=notes, **changes), screenings=[found])


@pytest.mark.parametrize(
    ("after", "expected"),
    [(23 * H + 59 * M, (Outcome.MET, "met")), (24 * H + M, (Outcome.BREACHED, "late"))],
)
def test_identified_victim_reported_a_minute_either_side(after: timedelta, expected: Any) -> None:
    case = _victim(_told("police", SCREENED + after))
    assert outcome(case, SCREENED + 30 * H, "trafficking-victim-reported-24h") == expected


def test_identified_victim_not_reported() -> None:
    code = "trafficking-victim-reported-24h"
    # the missing-person report to police before the screening is not the victim report
    case = _victim(_told("police", BACK - H), police_report=PoliceReport(LEARNED + H, "PD-1"))
    assert outcome(case, SCREENED + 24 * H, code) == (Outcome.PENDING, "pending")
    (f,) = findings(case, SCREENED + 24 * H + M, code)
    assert (f.outcome, f.due, f.evidence) == (
        Outcome.BREACHED,
        SCREENED + 24 * H,
        ("$.screenings[0]",),
    )


def test_identified_victim_across_the_november_change() -> None:
    at = local_instant(2026, 10, 31, 20, zone=CHICAGO)  # the clocks go back that night
    case = _victim(_told("police", at + 24 * H - M), at=at)
    (f,) = findings(case, at + 48 * H, "trafficking-victim-reported-24h")
    assert (f.outcome, f.due) == (Outcome.MET, at + 24 * H)
    assert local_datetime(at + 24 * H, CHICAGO).hour == 19


def test_no_concern_no_victim_report_due() -> None:
    clear = screening("S1", SCREENED, "E1", categories=(TRAFFICKING,))
    case = _case(_back(), screenings=[clear])
    assert findings(case, SCREENED + 48 * H, "trafficking-victim-reported-24h") == []


# --- the pack as a whole -----------------------------------------------------------------------


def test_the_pack_conforms_and_its_vocabulary_extends_the_core() -> None:
    assert check_pack(PACK).ok
    (vocab,) = us.PACK.extended_vocabularies()
    assert vocab.name == "context_categories"
    assert "absence_factors_addressed" in vocab.codes
    assert all(r.duty is not None and r.sources for r in us.PACK.rules())


def test_scenarios_are_total_and_monotonic() -> None:
    cases = [
        _victim(_told("police", SCREENED + H)),
        _case(_back(), factors=[_factor(BACK + H)]),
        _case(_episode(learned=None)),
        _case(_episode(notifications=(_told("ncmec", LEARNED + H),))),
    ]
    for case in cases:
        assert check_case(PACK, case) == [], case


def test_the_five_us_packs_are_built_in() -> None:
    assert {"US", "US-GA", "US-KY", "US-MO", "US-UT"} <= set(available_packs())
    for code in ("US-GA", "US-KY", "US-MO", "US-UT"):
        derived = get_pack(code)
        assert (derived.derived_from, derived.zone is not None) == ("US", True)
        assert check_pack(derived).ok
