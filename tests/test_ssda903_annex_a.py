"""Annex A List 8: missing and away episodes in the last 12 months; the last return interview."""

from __future__ import annotations

from datetime import UTC, date, datetime

from missingcare import (
    CaseFile,
    ChildRef,
    ConversationOffer,
    Decision,
    MissingEpisode,
    PeriodOfCare,
    Placement,
    PlacementKind,
    ReturnConversation,
    StatusChange,
)
from missingcare.adapters.ssda903 import AnnexAAnswer, annex_a_list8
from missingcare.vocabularies import CONVERSATION_OUTCOMES, EPISODE_STATUSES

ZONE = "Europe/London"


def at(y: int, m: int, d: int, h: int = 20) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)


def ep(eid: str, seen: datetime, status: str, ended: datetime) -> MissingEpisode:
    return MissingEpisode(
        id=eid,
        child_id="SYN-7",
        placement_id="P1",
        zone=ZONE,
        last_seen_at=seen,
        statuses=(StatusChange(at=seen, status=EPISODE_STATUSES[status]),),
        ended_at=ended,
    )


def case(*conversations: ReturnConversation) -> CaseFile:
    return CaseFile(
        child=ChildRef("SYN-7", date_of_birth=date(2010, 1, 1)),
        placements=(Placement("P1", PlacementKind.FOSTER_CARE, ZONE),),
        periods_of_care=(PeriodOfCare(date(2023, 1, 1)),),
        episodes=(
            ep("E1", at(2024, 3, 1), "missing", at(2024, 3, 2)),  # more than 12 months before
            ep("E2", at(2025, 3, 31), "away_without_authorisation", at(2025, 4, 1)),
            ep("E3", at(2025, 6, 1), "missing", at(2025, 6, 2)),
            ep("E4", at(2025, 9, 1), "missing", at(2025, 9, 3)),
            ep("E5", at(2026, 4, 1), "missing", at(2026, 4, 2)),  # after the snapshot
        ),
        conversations=conversations,
    )


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
    declined = ReturnConversation(
        id="RC1", child_id="SYN-7", episode_ids=("E4",), offers=(offer,),
        decision=Decision.DECLINED,
    )  # fmt: skip
    row = annex_a_list8(case(declined), date(2026, 3, 31))
    assert (row.offered, row.accepted) == (AnnexAAnswer.YES, AnnexAAnswer.NO)
    held = ReturnConversation(
        id="RC1", child_id="SYN-7", episode_ids=("E4",), offers=(offer,),
        decision=Decision.ACCEPTED, held_at=at(2025, 9, 5),
    )  # fmt: skip
    row = annex_a_list8(case(held), date(2026, 3, 31))
    assert (row.offered, row.accepted) == (AnnexAAnswer.YES, AnnexAAnswer.YES)
    # a conversation about an earlier episode says nothing about the last one
    earlier = ReturnConversation(id="RC1", child_id="SYN-7", episode_ids=("E3",), offers=(offer,))
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
