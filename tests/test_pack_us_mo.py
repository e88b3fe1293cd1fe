"""The Missouri pack: the federal pack derived with its 2023 edition (2 hours), monthly contact
with family and friends until located, and the non-punitive response on return (the lens's
definition, as a rule)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from missingcare.analysis import DEFAULT_GROUPS, InsightKind, response_on_return
from missingcare.case import CaseFile
from missingcare.conversations import ResponseOnReturn
from missingcare.episodes import MissingEpisode, PoliceReport, SearchAction
from missingcare.findings import Outcome
from missingcare.packs import us, us_mo
from missingcare.rules import evaluate, get_pack
from missingcare.testing.builders import conversation
from missingcare.testing.conformance import RulePackContract, check_case, check_pack
from missingcare.time import local_instant
from missingcare.vocab import Concept
from missingcare.vocabularies import RESPONSES_ON_RETURN, SEARCH_ACTIONS
from tests._us_packs import H, M, findings, outcome, told, us_case, us_episode

CHICAGO = "America/Chicago"
PACK = us_mo.PACK
MONTHLY, RESPONSE = "family-friends-contacted-monthly", "trauma-informed-response"
LEARNED = local_instant(2027, 1, 15, 10, zone=CHICAGO)


class TestMissouriConformance(RulePackContract):
    pack = PACK
    max_examples = 30  # the federal rules are drawn 60 times in test_pack_us


def _episode(learned: datetime | None = LEARNED, **changes: Any) -> MissingEpisode:
    return us_episode(CHICAGO, learned, **changes)


def _case(*episodes: MissingEpisode, **changes: Any) -> CaseFile:
    return us_case(CHICAGO, *episodes, **changes)


def _contacts(*items: tuple[str | Concept, datetime]) -> tuple[SearchAction, ...]:
    return tuple(
        SearchAction(at, SEARCH_ACTIONS[c] if isinstance(c, str) else c) for c, at in items
    )


def test_missouri_is_the_federal_pack_derived_with_its_own_edition() -> None:
    assert get_pack("US-MO") is PACK
    assert (PACK.derived_from, PACK.zone) == ("US", CHICAGO)
    assert [e.name for e in PACK.editions] == ["2015-09", "2016-09", "2023-08"]
    for ed in us.PACK.editions:  # the federal rules themselves, in every edition
        assert {id(r) for r in us.PACK.rules(ed.name)} <= {id(r) for r in PACK.rules(ed.name)}
    assert {id(r) for r in us.PACK.rules()} <= {id(r) for r in PACK.rules("2023-08")}
    assert check_pack(PACK).ok


# --- 2023: law enforcement and NCMEC within 2 hours ---------------------------------------------


def test_the_2_hour_rules_apply_from_28_august_2023() -> None:
    case = _case(_episode(learned=datetime(2023, 8, 20, tzinfo=UTC)))
    codes = {f.rule.code for f in evaluate(case, pack=PACK, as_of=local_instant(
        2023, 8, 27, 23, 59, zone=CHICAGO)).findings}  # fmt: skip
    assert "ncmec-2h" not in codes
    assert "ncmec-24h" in codes
    codes = {f.rule.code for f in evaluate(case, pack=PACK, as_of=local_instant(
        2023, 8, 28, 0, 1, zone=CHICAGO)).findings}  # fmt: skip
    assert {"ncmec-2h", "law-enforcement-2h", "ncmec-24h"} <= codes


@pytest.mark.parametrize(
    ("after", "expected"),
    [(2 * H - M, (Outcome.MET, "met")), (2 * H + M, (Outcome.BREACHED, "late"))],
)
def test_2_hours_a_minute_either_side(after: Any, expected: Any) -> None:
    ep = _episode(notifications=(told("ncmec", LEARNED + after),),
                  police_report=PoliceReport(LEARNED + after, "MO-1"))  # fmt: skip
    case = _case(ep)
    assert outcome(case, LEARNED + 5 * H, "ncmec-2h", PACK) == expected
    assert outcome(case, LEARNED + 5 * H, "law-enforcement-2h", PACK) == expected
    assert outcome(case, LEARNED + 5 * H, "ncmec-24h", PACK) == (Outcome.MET, "met")


def test_2_elapsed_hours_across_the_november_change() -> None:
    learned = local_instant(2026, 11, 1, 0, 30, zone=CHICAGO)  # CDT; 01:00-02:00 happens twice
    for shift, expected in ((-M, Outcome.MET), (M, Outcome.BREACHED)):
        case = _case(_episode(learned, notifications=(told("ncmec", learned + 2 * H + shift),)))
        (f,) = findings(case, learned + 5 * H, "ncmec-2h", PACK)
        assert (f.outcome, f.due) == (expected, learned + 2 * H)
    assert learned + 2 * H == local_instant(2026, 11, 1, 1, 30, zone=CHICAGO, fold=1)


def test_2_hours_knowledge_time_unknown_is_never_met() -> None:
    case = _case(_episode(None, seen=LEARNED, notifications=(told("ncmec", LEARNED),)))
    assert outcome(case, LEARNED + 9 * H, "ncmec-2h", PACK) == (
        Outcome.INSUFFICIENT_DATA,
        "event-unknown",
    )


# --- monthly contact with family and friends until located --------------------------------------


def test_contacts_at_most_a_calendar_month_apart_until_located() -> None:
    contacts = _contacts(
        ("contacted_family", local_instant(2027, 2, 15, 23, 59, zone=CHICAGO)),  # same date
        ("contacted_friends", local_instant(2027, 3, 14, 9, zone=CHICAGO)),
        (us_mo.CONTACTED_OTHERS, local_instant(2027, 4, 14, 23, zone=CHICAGO)),
    )
    located = local_instant(2027, 5, 10, 12, zone=CHICAGO)
    case = _case(_episode(search_actions=contacts, ended=located))
    (f,) = findings(case, located + H, MONTHLY, PACK)
    assert (f.outcome, f.message_id.rsplit(".", 1)[1], f.observed) == (Outcome.MET, "met", located)
    assert f.evidence[-2:] == ("$.episodes[0].search_actions[2]", "$.episodes[0].ended_at")


def test_a_gap_of_a_month_and_a_minute_is_breached() -> None:
    contacts = _contacts(("contacted_family", local_instant(2027, 2, 16, 0, 1, zone=CHICAGO)))
    case = _case(_episode(search_actions=contacts))
    (f,) = findings(case, local_instant(2027, 3, 1, 0, zone=CHICAGO), MONTHLY, PACK)
    assert (f.outcome, f.message_id.rsplit(".", 1)[1]) == (Outcome.BREACHED, "gap")
    assert f.due == local_instant(2027, 2, 16, 0, zone=CHICAGO)  # the end of 15 February


def test_a_month_from_31_january_ends_with_february() -> None:
    learned = local_instant(2027, 1, 31, 9, zone=CHICAGO)
    end_of_february = local_instant(2027, 3, 1, 0, zone=CHICAGO)
    on_time = _contacts(("contacted_school", end_of_february - M))
    (f,) = findings(
        _case(_episode(learned, search_actions=on_time)), end_of_february, MONTHLY, PACK
    )
    # in time; the next contact is due a month after 28 February: by the end of 28 March
    assert (f.outcome, f.due) == (Outcome.PENDING, local_instant(2027, 3, 29, 0, zone=CHICAGO))
    late = _contacts(("contacted_school", end_of_february + M))
    (g,) = findings(
        _case(_episode(learned, search_actions=late)), end_of_february + M, MONTHLY, PACK
    )
    assert (g.outcome, g.due) == (Outcome.BREACHED, end_of_february)


def test_open_without_contact_pending_then_breached() -> None:
    case = _case(_episode())
    due = local_instant(2027, 2, 16, 0, zone=CHICAGO)
    assert outcome(case, due, MONTHLY, PACK) == (Outcome.PENDING, "pending")
    assert outcome(case, due + M, MONTHLY, PACK) == (Outcome.BREACHED, "gap")
    # searching is not contacting family and friends
    drove = _case(_episode(search_actions=_contacts(("drove_local_area", LEARNED + H))))
    assert outcome(drove, due + M, MONTHLY, PACK) == (Outcome.BREACHED, "gap")


def test_located_before_the_first_contact_was_due() -> None:
    case = _case(_episode(ended=LEARNED + 30 * H))
    assert outcome(case, LEARNED + 31 * H, MONTHLY, PACK) == (Outcome.MET, "located-before-due")


def test_the_month_is_counted_in_local_dates_across_the_march_change() -> None:
    learned = local_instant(2027, 2, 20, 22, zone=CHICAGO)  # CST; clocks go forward 14 March
    (f,) = findings(_case(_episode(learned)), learned + H, MONTHLY, PACK)
    assert f.due == local_instant(2027, 3, 21, 0, zone=CHICAGO)  # midnight CDT
    assert f.due.hour == 5


def test_monthly_knowledge_time_unknown_is_insufficient() -> None:
    contacts = _contacts(("contacted_family", LEARNED))
    case = _case(_episode(None, seen=LEARNED - H, search_actions=contacts, ended=LEARNED + H))
    assert outcome(case, LEARNED + 2 * H, MONTHLY, PACK) == (Outcome.INSUFFICIENT_DATA, "unknown")


# --- a trauma-informed, non-punitive response on return ------------------------------------------

BACK = LEARNED + 10 * H


def _returned(*responses: tuple[str, bool | None]) -> CaseFile:
    said = tuple(
        ResponseOnReturn(RESPONSES_ON_RETURN[code], BACK + H, safeguarding_reason=reason)
        for code, reason in responses
    )
    talk = conversation("RC1", "E1", held_at=BACK + 2 * H, responses_on_return=said)
    return _case(_episode(ended=BACK), conversations=[talk])


def test_a_restriction_without_a_safeguarding_reason_is_breached() -> None:
    case = _returned(("welcomed_back", None), ("grounding", None), ("phone_removed", False))
    (f,) = findings(case, BACK + 3 * H, RESPONSE, PACK)
    assert (f.outcome, f.message_id.rsplit(".", 1)[1]) == (Outcome.BREACHED, "punitive")
    assert f.evidence == (
        "$.conversations[0].responses_on_return[1]",
        "$.conversations[0].responses_on_return[2]",
    )
    assert "grounding, phone removed" in f.text
    assert "phone_removed" not in f.text


def test_a_restriction_with_a_safeguarding_reason_or_a_warm_welcome_is_met() -> None:
    case = _returned(("welcomed_back", None), ("increased_supervision", True))
    assert outcome(case, BACK + 3 * H, RESPONSE, PACK) == (Outcome.MET, "met")


def test_no_response_recorded_is_insufficient_and_an_open_episode_not_judged() -> None:
    assert outcome(_returned(), BACK + 3 * H, RESPONSE, PACK) == (
        Outcome.INSUFFICIENT_DATA,
        "unknown",
    )
    # before the return conversation is held, nothing is recorded yet
    assert outcome(_returned(("grounding", None)), BACK + H, RESPONSE, PACK) == (
        Outcome.INSUFFICIENT_DATA,
        "no-conversation",
    )
    assert findings(_case(_episode()), BACK, RESPONSE, PACK) == []


def test_judged_on_the_first_conversation_held_so_a_later_record_never_turns_it_round() -> None:
    later = ResponseOnReturn(RESPONSES_ON_RETURN["grounding"], BACK + 3 * H)
    first = conversation(
        "RC1", "E1", held_at=BACK + 2 * H, responses_on_return=(
            ResponseOnReturn(RESPONSES_ON_RETURN["welcomed_back"], BACK + H), later),
    )  # fmt: skip
    second = conversation(
        "RC2", "E1", held_at=BACK + 5 * H,
        responses_on_return=(ResponseOnReturn(RESPONSES_ON_RETURN["phone_removed"], BACK + 4 * H),),
    )  # fmt: skip
    case = _case(_episode(ended=BACK), conversations=[first, second])
    for as_of in (BACK + 2 * H, BACK + 4 * H, BACK + 100 * H):
        (f,) = findings(case, as_of, RESPONSE, PACK)
        assert (f.outcome, f.evidence) == (
            Outcome.MET,
            ("$.conversations[0].responses_on_return[0]",),
        )


@pytest.mark.parametrize("code", sorted(c.code for c in RESPONSES_ON_RETURN.concepts))
def test_punitive_is_the_lens_definition(code: str) -> None:
    case = _returned((code, None))
    (f,) = findings(case, BACK + 3 * H, RESPONSE, PACK)
    assert (f.outcome is Outcome.BREACHED) is (code in DEFAULT_GROUPS.restrictive_responses)
    insights = response_on_return(case, "E1", as_of=BACK + 3 * H)
    flagged = InsightKind.RESTRICTION_WITHOUT_SAFEGUARDING_REASON in {i.kind for i in insights}
    assert flagged is (f.outcome is Outcome.BREACHED)


def test_scenarios_are_total_and_monotonic() -> None:
    cases = (
        _returned(("grounding", None)),
        _case(_episode(search_actions=_contacts(("contacted_family", LEARNED + 40 * 24 * H)))),
        _case(_episode(None, ended=LEARNED)),
    )
    for case in cases:
        assert check_case(PACK, case) == []
