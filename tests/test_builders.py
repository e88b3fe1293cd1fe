"""The shared builders in missingcare.testing.builders build valid, readable records."""

from __future__ import annotations

from datetime import timedelta

import pytest

from missingcare import ValidationError
from missingcare.factors import EvidenceSource, FactorDirection
from missingcare.testing.builders import (
    SEEN,
    case_file,
    context_entry,
    conversation,
    episode,
    factor,
    trusted_adult,
    unmet_need,
)


def test_episode_defaults_end_and_return_three_hours_after_seen() -> None:
    ep = episode()
    assert ep.ended_at == ep.returned_at == SEEN + timedelta(hours=3)
    assert [s.status.code for s in ep.statuses] == ["missing"]


def test_an_open_episode_has_no_return() -> None:
    ep = episode(ended=None)
    assert ep.ended_at is None
    assert ep.returned_at is None


def test_return_time_may_be_unrecorded_or_later() -> None:
    assert episode(returned=None).returned_at is None
    later = SEEN + timedelta(hours=5)
    assert episode(returned=later).returned_at == later


def test_builders_still_enforce_the_model() -> None:
    with pytest.raises(ValidationError):
        episode(ended=SEEN - timedelta(hours=1))


def test_a_case_file_holds_what_it_is_given() -> None:
    ep = episode("E1")
    case = case_file(
        ep,
        conversations=[conversation("RC1", "E1")],
        context=[context_entry("X1", SEEN - timedelta(hours=2))],
        trusted_adults=[trusted_adult()],
    )
    assert case.episodes == (ep,)
    assert case.conversations[0].episode_ids == ("E1",)
    assert case.context[0].category.code == "conflict_with_staff"
    assert case.trusted_adults[0].role.code == "key_worker"


def test_factors_and_needs_by_code() -> None:
    push = factor("F1", "conflict_with_staff", SEEN)
    pull = factor("F2", "see_family", SEEN, pull=True, episode_ids=("E1",))
    need = unmet_need("N1", "belonging", SEEN)
    assert (push.direction, push.concept.code) == (FactorDirection.PUSH, "conflict_with_staff")
    assert (pull.direction, pull.episode_ids) == (FactorDirection.PULL, ("E1",))
    assert (need.need.code, need.source) == ("belonging", EvidenceSource.CHILD_OWN_WORDS)
    case = case_file(episode(), factors=[push, pull], needs=[need])
    assert case.factors == (push, pull)


def test_context_needs_by_code_and_a_date_of_birth() -> None:
    entry = context_entry("X1", SEEN, "child_upset", needs=["belonging"], note="upset")
    assert [n.code for n in entry.needs] == ["belonging"]
    assert entry.note == "upset"
    dob = SEEN.date().replace(year=2011)
    assert case_file(date_of_birth=dob).child.date_of_birth == dob
