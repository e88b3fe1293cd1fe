"""The cheap invariant tests that construction runs first must be sound.

``MissingEpisode`` and ``ReturnConversation`` check their cross-field
invariants in two steps: ``_plainly_consistent()`` (plain comparisons, no
messages) and, only when it answers False, ``_check()`` (which names every
problem). A False answer merely costs time; a True answer for a value that
``_check()`` would refuse would let an invalid record through.

These tests build values *without* running ``__init__`` (so inconsistent
ones exist) over every combination of a few values per field: two instants
(so every pair of instants is before, equal or after), empty, valid and
broken lists, each optional value absent or present. Over all of them the
two steps must agree exactly, with one known exception: two statuses with
the same code but unequal concepts, which the cheap test leaves to the full
one.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings

import missingcare as mc
from missingcare.conversations import (
    AgreedAction,
    ConversationOffer,
    ConversationTopic,
    Decision,
    Interviewer,
)
from missingcare.episodes import Located, PoliceReport, RiskGrading, StatusChange
from missingcare.exceptions import ValidationError
from missingcare.testing import strategies as mst
from missingcare.vocabularies import (
    CONVERSATION_OUTCOMES,
    EPISODE_ENDINGS,
    EPISODE_STATUSES,
    POLICE_RISK_GRADES,
    RELATIONSHIP_ROLES,
)

from ._helpers import examples

T0 = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
T1 = T0 + timedelta(hours=1)
MISSING = EPISODE_STATUSES["missing"]
AWAY = EPISODE_STATUSES["away_without_authorisation"]
# same code as a core concept, not equal to it: the cheap test cannot tell them apart
MISSING_LOCAL = attrs.evolve(MISSING, display="Missing (local wording)")
GRADE = next(iter(POLICE_RISK_GRADES))


def _unchecked(cls: type, values: dict[str, Any]) -> Any:
    """An instance of ``cls`` with these values, built without ``__init__`` (no checks)."""
    obj: Any = object.__new__(cls)
    for a in attrs.fields(cls):
        if a.name in values:
            value = values[a.name]
        elif isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
            value = a.default.factory()
        else:
            value = a.default
        object.__setattr__(obj, a.name, value)
    return obj


def _full_check_passes(value: Any) -> bool:
    try:
        value._check()
    except ValidationError:
        return False
    return True


def _combinations(choices: dict[str, list[Any]]) -> Iterator[dict[str, Any]]:
    for values in itertools.product(*choices.values()):
        yield dict(zip(choices, values, strict=True))


def _statuses(*changes: tuple[datetime, Any]) -> tuple[StatusChange, ...]:
    return tuple(StatusChange(at, status) for at, status in changes)


EPISODE_CHOICES: dict[str, list[Any]] = {
    "last_seen_at": [T0, T1],
    "statuses": [
        (),
        _statuses((T0, MISSING)),
        _statuses((T1, MISSING)),
        _statuses((T0, MISSING), (T1, AWAY)),
        _statuses((T1, MISSING), (T0, AWAY)),
        _statuses((T0, MISSING), (T0, AWAY)),
        _statuses((T0, MISSING), (T1, MISSING)),
        _statuses((T0, MISSING), (T1, MISSING_LOCAL)),
    ],
    "risk_grades": [
        (),
        (RiskGrading(T0, GRADE), RiskGrading(T0, GRADE)),
        (RiskGrading(T0, GRADE), RiskGrading(T1, GRADE)),
        (RiskGrading(T1, GRADE), RiskGrading(T0, GRADE)),
    ],
    "noticed_at": [None, T0, T1],
    "police_report": [None, PoliceReport(T0), PoliceReport(T1)],
    "located": [None, Located(T0), Located(T1)],
    "ended_at": [None, T0, T1],
    "returned_at": [None, T0, T1],
    "ending": [
        None,
        EPISODE_ENDINGS["still_missing_at_period_end"],
        EPISODE_ENDINGS["returned_voluntarily"],
    ],
}


def test_episode_cheap_test_agrees_with_the_full_check_on_every_combination() -> None:
    fixed = {"id": "E1", "child_id": "C1", "placement_id": "P1", "zone": "Europe/London"}
    answers = {(True, True): 0, (False, False): 0, (False, True): 0, (True, False): 0}
    for values in _combinations(EPISODE_CHOICES):
        episode = _unchecked(mc.MissingEpisode, {**fixed, **values})
        cheap, full = episode._plainly_consistent(), _full_check_passes(episode)
        answers[cheap, full] += 1
        assert not cheap or full, values  # soundness: never passes what the full check refuses
        if not cheap and full:  # the known, harmless exception only
            codes = [c.status.code for c in episode.statuses]
            assert len(set(codes)) < len(codes), values
    assert answers[True, True] > 1000, answers
    assert answers[False, False] > 1000, answers


CONVERSATION_CHOICES: dict[str, list[Any]] = {
    "episode_ids": [(), ("E1",), ("E1", "E2"), ("E1", "E1"), (" ",), ("E1", "\t")],
    "offers": [
        (),
        tuple(ConversationOffer(at, next(iter(CONVERSATION_OUTCOMES))) for at in (T0, T1)),
        tuple(ConversationOffer(at, next(iter(CONVERSATION_OUTCOMES))) for at in (T1, T0)),
    ],
    "requested_adult_ids": [(), ("A1",), ("A1", "A2"), ("A1", "A1"), (" ",)],
    "decision": [None, Decision.ACCEPTED, Decision.DECLINED],
    "declined_reason": [None, "did not want to"],
    "held_at": [None, T0],
    "interviewer": [None, Interviewer(next(iter(RELATIONSHIP_ROLES)))],
    "child_account": [None, "words"],
    "child_feedback": [None, "fine"],
    "topics": [(), tuple(ConversationTopic)[:2], (next(iter(ConversationTopic)),) * 2],
    "actions": [
        (),
        (AgreedAction("X1", "d"), AgreedAction("X2", "d")),
        (AgreedAction("X1", "d"), AgreedAction("X1", "d")),
    ],
}


def test_conversation_cheap_test_agrees_with_the_full_check_on_every_combination() -> None:
    fixed = {"id": "V1", "child_id": "C1"}
    answers = {(True, True): 0, (False, False): 0}
    for values in _combinations(CONVERSATION_CHOICES):
        conversation = _unchecked(mc.ReturnConversation, {**fixed, **values})
        cheap, full = conversation._plainly_consistent(), _full_check_passes(conversation)
        assert cheap == full, values
        answers[cheap, full] += 1
    assert answers[True, True] > 100, answers
    assert answers[False, False] > 1000, answers


# The cheap test is what makes construction fast, so valid records must take it.


@settings(max_examples=examples(300))
@given(mst.missing_episodes())
def test_valid_episodes_are_plainly_consistent(episode: mc.MissingEpisode) -> None:
    assert episode._plainly_consistent()


@settings(max_examples=examples(300))
@given(mst.return_conversations())
def test_valid_conversations_are_plainly_consistent(conversation: mc.ReturnConversation) -> None:
    assert conversation._plainly_consistent()


def test_same_code_different_concept_is_left_to_the_full_check() -> None:
    """The one case where the two steps differ: the cheap test declines, the full one accepts."""
    episode = _unchecked(
        mc.MissingEpisode,
        {
            "id": "E1",
            "child_id": "C1",
            "placement_id": "P1",
            "zone": "Europe/London",
            "last_seen_at": T0,
            "statuses": _statuses((T0, MISSING), (T1, MISSING_LOCAL)),
        },
    )
    assert MISSING != MISSING_LOCAL
    assert not episode._plainly_consistent()
    assert _full_check_passes(episode)
    # and construction, which runs both steps, accepts it
    assert attrs.evolve(episode).statuses == episode.statuses


@pytest.mark.parametrize(
    "statuses",
    [
        (),
        ((T0 - timedelta(hours=1), MISSING),),
        ((T0, MISSING), (T0, AWAY)),
        ((T0, MISSING), (T1, MISSING)),
    ],
)
def test_construction_still_refuses_what_the_full_check_refuses(
    statuses: tuple[tuple[datetime, Any], ...],
) -> None:
    with pytest.raises(ValidationError) as caught:
        mc.MissingEpisode("E1", "C1", "P1", "Europe/London", T0, _statuses(*statuses))
    assert all(p.startswith("$.statuses") for p in caught.value.paths)
