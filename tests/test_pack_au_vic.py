"""The Victoria pack: conformance, the acceptance scenario, and each rule at its boundaries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from missingcare.case import CaseFile
from missingcare.conversations import AgreedAction, ConversationOffer, Decision
from missingcare.episodes import MissingEpisode
from missingcare.findings import Finding, Outcome
from missingcare.packs.au_vic import (
    PACK,
    REPEAT_MISSING_PROFILE_COMPLETED,
    RESPONSE_PLAN_MADE,
)
from missingcare.rules import Duty, evaluate, get_pack
from missingcare.rules.kit import ReMissingPolicy
from missingcare.testing.builders import case_file, context_entry, conversation, episode, placement
from missingcare.testing.conformance import RulePackContract, check_case, check_pack
from missingcare.testing.strategies import case_files
from missingcare.time import PublicHolidays, Weekdays, local_instant
from missingcare.vocabularies import CONVERSATION_OUTCOMES
from tests._helpers import load_script

MELB = "Australia/Melbourne"
MIN = timedelta(minutes=1)
H = timedelta(hours=1)
HELD_48H = "return-to-care-conversation-48h"
HELD_1WD = "return-to-care-conversation-working-day"
PLAN = "response-plan-names-conversation-holder"
OUTCOME = "return-to-care-outcome-recorded"
RMP = "repeat-missing-profile"
#: Back in placement at 22:00 on Saturday 4 April 2026, AEDT: at 03:00 the clocks go back.
BACK = local_instant(2026, 4, 4, 22, zone=MELB)


class TestVictoriaContract(RulePackContract):
    pack = PACK


def _episode(ep_id: str = "E1", *, back: datetime | None = BACK, **changes: Any) -> MissingEpisode:
    seen = changes.pop("seen", (back or BACK) - 5 * H)
    return episode(ep_id, seen=seen, ended=back, returned=back, zone=MELB, **changes)


def _case(*episodes: MissingEpisode, **changes: Any) -> CaseFile:
    return case_file(*episodes, placements=[placement(zone=MELB)], **changes)


def _findings(case: CaseFile, code: str, as_of: datetime, pack: Any = PACK) -> list[Finding]:
    return [f for f in evaluate(case, pack=pack, as_of=as_of).findings if f.rule.code == code]


def _finding(case: CaseFile, code: str, as_of: datetime, pack: Any = PACK) -> Finding:
    (found,) = _findings(case, code, as_of, pack)
    return found


def _key(f: Finding) -> tuple[Outcome, str]:
    """The outcome and the message key (the message id without the pack and rule)."""
    return f.outcome, f.message_id.rpartition(".")[2]


def test_the_pack_is_registered_and_conforms() -> None:
    assert get_pack("AU-VIC") is PACK
    assert get_pack("Victoria") is PACK
    assert PACK.zone == MELB
    assert check_pack(PACK).ok
    assert [e.name for e in PACK.editions] == ["2017-03", "2022-06", "2024-12"]
    assert all(r.duty is not None and r.sources for e in PACK.editions for r in PACK.rules(e))
    duties = {r.code: r.duty for r in PACK.rules("2017-03")}
    assert duties[PLAN] is Duty.CONVERSATION_HOLDER
    assert duties[RMP] is Duty.REPEAT_THRESHOLD


def test_editions_one_working_day_and_the_profile_in_2017_then_48_hours() -> None:
    v1 = {r.code for r in PACK.rules("2017-03")}
    assert v1 == {PLAN, HELD_1WD, OUTCOME, RMP}
    for name in ("2022-06", "2024-12"):
        assert {r.code for r in PACK.rules(name)} == {PLAN, HELD_48H, OUTCOME}
    assert PACK.edition_on(date(2022, 6, 29)).name == "2017-03"
    assert PACK.edition_on(date(2022, 6, 30)).name == "2022-06"
    assert PACK.edition_on(date(2024, 12, 9)).name == "2024-12"


def test_vocabulary_adds_the_packs_context_categories() -> None:
    (vocab,) = PACK.extended_vocabularies()
    assert vocab["missing_response_plan_made"] == RESPONSE_PLAN_MADE
    assert vocab["repeat_missing_profile_completed"] == REPEAT_MISSING_PROFILE_COMPLETED
    assert vocab["episode_context_reviewed"].code == "episode_context_reviewed"  # core kept


def test_case_files_with_the_packs_categories_round_trip_with_its_vocabulary() -> None:
    from cattrs.errors import ClassValidationError

    from missingcare.converters import make_converter

    plan = context_entry("CX1", BACK, concept=RESPONSE_PLAN_MADE, adult_ids=("A7",))
    case = _case(_episode(), context=[plan])
    conv = make_converter(vocabularies=PACK.extended_vocabularies())
    data = conv.unstructure(case)
    assert data["context"][0]["category"] == "missing_response_plan_made"
    assert conv.structure(data, CaseFile) == case
    with pytest.raises(ClassValidationError):  # the core vocabulary alone does not know it
        make_converter().structure(data, CaseFile)


# --- acceptance: 48 elapsed hours across the night the clocks go back ----------------------------


def test_acceptance_48_elapsed_hours_from_the_night_the_clocks_go_back() -> None:
    due = BACK + timedelta(hours=48)
    assert due == datetime(2026, 4, 6, 11, tzinfo=UTC)
    assert due == local_instant(2026, 4, 6, 21, zone=MELB)  # 21:00 AEST, not 22:00
    later = due + timedelta(days=1)
    met = _finding(
        _case(_episode(), conversations=[conversation(held_at=due - MIN)]), HELD_48H, later
    )
    assert (met.outcome, met.due) == (Outcome.MET, due)
    late = _finding(
        _case(_episode(), conversations=[conversation(held_at=due + MIN)]), HELD_48H, later
    )
    assert (late.outcome, late.due) == (Outcome.BREACHED, due)
    not_held = _case(_episode())
    assert _finding(not_held, HELD_48H, due - MIN).outcome is Outcome.PENDING
    assert _key(_finding(not_held, HELD_48H, due + MIN)) == (Outcome.BREACHED, "overdue")


def test_48_hours_across_the_october_clock_change() -> None:
    # Sunday 4 October 2026: 02:00 AEST becomes 03:00 AEDT; 48 hours end at 23:00 local.
    back = local_instant(2026, 10, 3, 22, zone=MELB)
    due = local_instant(2026, 10, 5, 23, zone=MELB)
    assert due - back == timedelta(hours=48)
    for held, outcome in ((due - MIN, Outcome.MET), (due + MIN, Outcome.BREACHED)):
        case = _case(_episode(back=back), conversations=[conversation(held_at=held)])
        assert _finding(case, HELD_48H, due + H).outcome is outcome


def test_return_time_unknown_is_insufficient_and_a_declined_conversation_is_not_held() -> None:
    unknown = _case(episode("E1", seen=BACK - 5 * H, ended=BACK, returned=None, zone=MELB))
    assert _key(_finding(unknown, HELD_48H, BACK + 72 * H)) == (
        Outcome.INSUFFICIENT_DATA,
        "return-unknown",
    )
    offer = ConversationOffer(BACK + H, CONVERSATION_OUTCOMES["declined"])
    declined = conversation(offers=(offer,), decision=Decision.DECLINED)
    case = _case(_episode(), conversations=[declined])
    # declined is not held: the rule does not apply (never met, never a breach)
    assert _key(_finding(case, HELD_48H, BACK + 72 * H)) == (Outcome.NOT_APPLICABLE, "declined")


def test_each_return_keeps_its_own_clock_unless_configured() -> None:
    second = BACK + 30 * H
    case = _case(
        _episode("E1"),
        _episode("E2", back=second, seen=BACK + 10 * H),
        conversations=[conversation("RC1", "E1", "E2", held_at=second + 20 * H)],
    )
    as_of = second + 72 * H
    own = {f.episode_id: f.outcome for f in _findings(case, HELD_48H, as_of)}
    assert own == {"E1": Outcome.BREACHED, "E2": Outcome.MET}  # E1's 48 h ran out
    restart = PACK.configure(re_missing_policy=ReMissingPolicy.RESTART_FROM_LATER_RETURN)
    later = {f.episode_id: _key(f) for f in _findings(case, HELD_48H, as_of, restart)}
    assert later == {"E1": (Outcome.MET, "met-later-return"), "E2": (Outcome.MET, "met")}


# --- the 2017 edition: one working day, Victoria's public holidays -------------------------------


def test_2017_one_working_day_skips_melbourne_cup_day() -> None:
    # Monday 1 November 2021, back at 15:00; Tuesday 2 November is Melbourne Cup Day, so the
    # one working day is Wednesday 3 November: due at midnight, the start of Thursday.
    back = local_instant(2021, 11, 1, 15, zone=MELB)
    due = local_instant(2021, 11, 4, 0, zone=MELB)
    assert not PublicHolidays("AU", "VIC").is_working_day(date(2021, 11, 2))
    for held, outcome in ((due - MIN, Outcome.MET), (due + MIN, Outcome.BREACHED)):
        case = _case(_episode(back=back), conversations=[conversation(held_at=held)])
        f = _finding(case, HELD_1WD, due + H)
        assert (f.outcome, f.due) == (outcome, due)
        assert evaluate(case, pack=PACK, as_of=due + H).edition == "2017-03"
    # Monday to Friday without the holiday list: due a day earlier
    plain = PACK.configure(working_days=Weekdays())
    case = _case(_episode(back=back), conversations=[conversation(held_at=due - MIN)])
    f = _finding(case, HELD_1WD, due + H, plain)
    assert (f.outcome, f.due) == (Outcome.BREACHED, local_instant(2021, 11, 3, 0, zone=MELB))


def test_2017_one_working_day_across_the_weekend_of_the_october_clock_change() -> None:
    # Friday 1 October 2021 at 20:00 AEST; Sunday 3 October the clocks go forward. The one
    # working day is Monday 4 October: due at midnight AEDT, 13:00 UTC, not 14:00.
    back = local_instant(2021, 10, 1, 20, zone=MELB)
    due = local_instant(2021, 10, 5, 0, zone=MELB)
    assert due == datetime(2021, 10, 4, 13, tzinfo=UTC)
    for held, outcome in ((due - MIN, Outcome.MET), (due + MIN, Outcome.BREACHED)):
        case = _case(_episode(back=back), conversations=[conversation(held_at=held)])
        assert _finding(case, HELD_1WD, due + H).outcome is outcome
    case = _case(_episode(back=back))
    assert _finding(case, HELD_1WD, due - MIN).outcome is Outcome.PENDING
    assert _finding(case, HELD_1WD, due + MIN).outcome is Outcome.BREACHED


def test_2017_one_working_day_skips_a_weekend_and_anzac_day() -> None:
    # Friday 22 April 2022, back at 09:00 (still version 1: version 4 came on 30 June 2022);
    # Monday 25 April is ANZAC Day, so the one working day is Tuesday 26 April.
    back = local_instant(2022, 4, 22, 9, zone=MELB)
    due = local_instant(2022, 4, 27, 0, zone=MELB)
    assert not PublicHolidays("AU", "VIC").is_working_day(date(2022, 4, 25))
    for held, outcome in ((due - MIN, Outcome.MET), (due + MIN, Outcome.BREACHED)):
        case = _case(_episode(back=back), conversations=[conversation(held_at=held)])
        f = _finding(case, HELD_1WD, due + H)
        assert (f.outcome, f.due) == (outcome, due)


# --- the response plan naming who holds the conversation -----------------------------------------


def _plan(at: datetime, *adults: str, entry_id: str = "CX1") -> Any:
    return context_entry(entry_id, at, concept=RESPONSE_PLAN_MADE, adult_ids=adults)


def test_a_plan_naming_the_holder_is_met_naming_no_one_is_its_own_finding() -> None:
    seen = BACK - 5 * H
    named = _finding(_case(_episode(), context=[_plan(seen + H, "A7")]), PLAN, BACK)
    assert (named.outcome, named.observed) == (Outcome.MET, seen + H)
    no_one = _finding(_case(_episode(), context=[_plan(seen + H)]), PLAN, BACK)
    assert _key(no_one) == (Outcome.PENDING, "no-one-named")
    both = _case(_episode(), context=[_plan(seen + H), _plan(seen + 2 * H, "A7", entry_id="CX2")])
    assert _finding(both, PLAN, BACK).outcome is Outcome.MET


def test_no_plan_is_insufficient_until_a_local_timescale_is_configured() -> None:
    seen = BACK - 5 * H
    none = _case(_episode())
    f = _finding(none, PLAN, BACK + 72 * H)
    assert _key(f) == (Outcome.INSUFFICIENT_DATA, "not-configured")
    assert "(the setting 'response plan within')" in f.text
    local = PACK.configure(response_plan_within=timedelta(hours=2))
    due = seen + 2 * H
    assert _key(_finding(none, PLAN, due - MIN, local)) == (Outcome.PENDING, "pending")
    assert _key(_finding(none, PLAN, due + MIN, local)) == (Outcome.BREACHED, "overdue")
    on_time = _case(_episode(), context=[_plan(due - MIN, "A7")])
    assert _finding(on_time, PLAN, due + H, local).outcome is Outcome.MET
    late = _case(_episode(), context=[_plan(due + MIN, "A7")])
    assert _key(_finding(late, PLAN, due + H, local)) == (Outcome.BREACHED, "late")
    no_one = _case(_episode(), context=[_plan(due - MIN)])
    assert _key(_finding(no_one, PLAN, due + MIN, local)) == (
        Outcome.BREACHED,
        "no-one-named-overdue",
    )


def test_a_plan_counts_for_the_episode_it_follows() -> None:
    seen = BACK - 5 * H
    before = _case(_episode(), context=[_plan(seen - MIN, "A7")])  # made before this episode
    assert _finding(before, PLAN, BACK).outcome is Outcome.INSUFFICIENT_DATA
    two = _case(
        _episode("E1"),
        _episode("E2", back=BACK + 30 * H, seen=BACK + 10 * H),
        context=[_plan(BACK + 11 * H, "A7")],
    )
    by_episode = {f.episode_id: f.outcome for f in _findings(two, PLAN, BACK + 40 * H)}
    assert by_episode == {"E1": Outcome.INSUFFICIENT_DATA, "E2": Outcome.MET}


# --- the outcome recorded --------------------------------------------------------------------


def test_the_outcome_of_a_held_conversation_is_recorded() -> None:
    as_of = BACK + 72 * H
    for fields in (
        {"what_happened": "Stayed at a friend's."},
        {"child_account": "I needed space."},
        {"actions": (AgreedAction("AA1", "Key worker to call each evening", owner="key_worker"),)},
    ):
        case = _case(_episode(), conversations=[conversation(held_at=BACK + H, **fields)])
        assert _finding(case, OUTCOME, as_of).outcome is Outcome.MET
    bare = _case(_episode(), conversations=[conversation(held_at=BACK + H)])
    assert _key(_finding(bare, OUTCOME, as_of)) == (Outcome.BREACHED, "not-recorded")
    not_held = _case(_episode(), conversations=[conversation(what_happened="Planned.")])
    assert _findings(not_held, OUTCOME, as_of) == []


# --- the 2017 Repeat Missing Profile -----------------------------------------------------------

START = local_instant(2021, 5, 3, 18, zone=MELB)


def _short(ep_id: str, day: float) -> MissingEpisode:
    seen = START + timedelta(days=day)
    return episode(ep_id, seen=seen, zone=MELB)


def test_three_episodes_in_28_days_call_for_a_repeat_missing_profile() -> None:
    three = _case(_short("E1", 0), _short("E2", 10), _short("E3", 27.9))
    f = _finding(three, RMP, START + timedelta(days=30))
    assert (f.episode_id, *_key(f)) == ("E3", Outcome.PENDING, "pending")
    spread = _case(_short("E1", 0), _short("E2", 10), _short("E3", 28))
    assert _findings(spread, RMP, START + timedelta(days=30)) == []
    done = context_entry(
        "RMP1", START + timedelta(days=29), concept=REPEAT_MISSING_PROFILE_COMPLETED
    )
    three_done = _case(_short("E1", 0), _short("E2", 10), _short("E3", 27.9), context=[done])
    assert _finding(three_done, RMP, START + timedelta(days=30)).outcome is Outcome.MET
    # the same three episodes in 2023: the 2022 edition has no Repeat Missing Profile
    shift = timedelta(days=730)
    in_2023 = _case(*(_short(e, d) for e, d in (("E1", 0), ("E2", 10), ("E3", 27.9))))
    in_2023 = attrs.evolve(in_2023, episodes=tuple(
        attrs.evolve(e, last_seen_at=e.last_seen_at + shift, ended_at=e.last_seen_at + shift + H,
                     returned_at=e.last_seen_at + shift + H, statuses=tuple(
                         attrs.evolve(s, at=s.at + shift) for s in e.statuses))
        for e in in_2023.episodes))  # fmt: skip
    assert (
        evaluate(in_2023, pack=PACK, as_of=START + shift + timedelta(days=30)).edition == "2022-06"
    )
    assert _findings(in_2023, RMP, START + shift + timedelta(days=30)) == []


def test_more_than_seven_consecutive_days_call_for_a_repeat_missing_profile() -> None:
    week = START + timedelta(days=7)
    open_ep = _case(episode("E1", seen=START, ended=None, zone=MELB))
    assert _findings(open_ep, RMP, week) == []  # seven days exactly: not more than seven
    f = _finding(open_ep, RMP, week + MIN)
    assert _key(f) == (Outcome.PENDING, "long-pending")
    seven = _case(episode("E1", seen=START, ended=week, zone=MELB))
    assert _findings(seven, RMP, week + timedelta(days=3)) == []
    eight = _case(episode("E1", seen=START, ended=week + MIN, zone=MELB))
    assert _finding(eight, RMP, week + timedelta(days=3)).outcome is Outcome.PENDING
    local = PACK.configure(repeat_missing_profile_within=timedelta(days=2))
    due = week + timedelta(days=2)
    assert _key(_finding(open_ep, RMP, due - MIN, local)) == (Outcome.PENDING, "long-pending-by")
    assert _key(_finding(open_ep, RMP, due + MIN, local)) == (Outcome.BREACHED, "long-overdue")
    done = context_entry("RMP1", due + H, concept=REPEAT_MISSING_PROFILE_COMPLETED)
    late = _case(episode("E1", seen=START, ended=None, zone=MELB), context=[done])
    assert _key(_finding(late, RMP, due + 2 * H, local)) == (Outcome.BREACHED, "long-late")


def _with_victorias_categories(case: CaseFile) -> CaseFile:
    """The generated case with its context entries relabelled as the pack's own evidence."""
    kinds = (RESPONSE_PLAN_MADE, REPEAT_MISSING_PROFILE_COMPLETED)
    context = tuple(attrs.evolve(c, category=kinds[i % 2]) for i, c in enumerate(case.context))
    return attrs.evolve(case, context=context)


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case_files())
def test_the_packs_own_evidence_keeps_findings_total_and_monotonic(case: CaseFile) -> None:
    # the generic contract's case files use core categories only: here the response plan
    # and the Repeat Missing Profile are recorded, with and without local timescales
    case = _with_victorias_categories(case)
    local = PACK.configure(
        response_plan_within=timedelta(hours=6), repeat_missing_profile_within=timedelta(days=2)
    )
    for pack in (PACK, local):
        assert check_case(pack, case) == []


def test_reference_page_lists_the_rules_sources_and_calendar() -> None:
    from pathlib import Path

    path = Path(__file__).parent.parent / "docs" / "_gen_packs.py"
    gen = load_script(path, "_gen_packs")
    page_path = path.parent / "reference" / "packs" / "au-vic.md"
    page = gen.pages()[page_path]
    assert page_path.read_text(encoding="utf-8") == page, "run: python docs/_gen_packs.py"
    assert "| `working_days` | WorkingDayCalendar | public holidays of AU-VIC |" in page
    for e in PACK.editions:
        for r in PACK.rules(e):
            assert f"### `{r.code}`" in page
            assert all(s.url in page for s in r.sources)
