"""Annex A List 8: missing and away episodes in the last 12 months; the last return interview."""

from __future__ import annotations

from datetime import UTC, date, datetime

import attrs

from missingcare import (
    CaseFile,
    ChildRef,
    ConversationOffer,
    Decision,
    PeriodOfCare,
    PlacementKind,
    ReturnConversation,
)
from missingcare.adapters.ssda903 import AnnexAAnswer, annex_a_list8
from missingcare.testing.builders import CHILD, case_file, conversation, episode, placement
from missingcare.vocabularies import CONVERSATION_OUTCOMES


def at(y: int, m: int, d: int, h: int = 20) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


def case(*conversations: ReturnConversation) -> CaseFile:
    c = case_file(
        episode("E1", seen=at(2024, 3, 1), ended=at(2024, 3, 2)),  # more than 12 months before
        episode("E2", seen=at(2025, 3, 31), ended=at(2025, 4, 1),
                status="away_without_authorisation"),
        episode("E3", seen=at(2025, 6, 1), ended=at(2025, 6, 2)),
        episode("E4", seen=at(2025, 9, 1), ended=at(2025, 9, 3)),
        episode("E5", seen=at(2026, 4, 1), ended=at(2026, 4, 2)),  # after the snapshot
        placements=(placement(kind=PlacementKind.FOSTER_CARE),),
        periods_of_care=(PeriodOfCare(date(2023, 1, 1)),),
        conversations=conversations,
    )  # fmt: skip
    return attrs.evolve(c, child=ChildRef(CHILD, date_of_birth=date(2010, 1, 1)))


def test_counts_in_the_twelve_months_to_the_snapshot() -> None:
    row = annex_a_list8(case(), date(2026, 3, 31))
    assert (row.missing_episodes, row.away_episodes) == (2, 0)  # 31/03/2025 is outside
    row = annex_a_list8(case(), date(2026, 3, 30))
    assert (row.missing_episodes, row.away_episodes) == (2, 1)


def test_no_record_of_an_offer_is_unknown_never_no() -> None:
    row = annex_a_list8(case(), date(2026, 3, 31))
    assert (row.offered, row.accepted) == (AnnexAAnswer.UNKNOWN, AnnexAAnswer.UNKNOWN)


def test_offer_and_decision_after_the_last_missing_episode() -> None:
    offer = ConversationOffer(at=at(2025, 9, 4), outcome=next(iter(CONVERSATION_OUTCOMES)))
    declined = conversation("RC1", "E4", offers=(offer,), decision=Decision.DECLINED)
    row = annex_a_list8(case(declined), date(2026, 3, 31))
    assert (row.offered, row.accepted) == (AnnexAAnswer.YES, AnnexAAnswer.NO)
    held = conversation(
        "RC1", "E4", offers=(offer,), decision=Decision.ACCEPTED, held_at=at(2025, 9, 5)
    )
    row = annex_a_list8(case(held), date(2026, 3, 31))
    assert (row.offered, row.accepted) == (AnnexAAnswer.YES, AnnexAAnswer.YES)
    # a conversation about an earlier episode says nothing about the last one
    earlier = conversation("RC1", "E3", offers=(offer,))
    row = annex_a_list8(case(earlier), date(2026, 3, 31))
    assert row.offered is AnnexAAnswer.UNKNOWN


def test_no_missing_episode_leaves_the_columns_blank() -> None:
    row = annex_a_list8(case(), date(2024, 1, 1))
    assert (row.missing_episodes, row.away_episodes, row.offered, row.accepted) == (
        0,
        0,
        None,
        None,
    )
