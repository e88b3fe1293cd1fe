"""The cheap invariant tests that construction runs first must be sound.

``MissingEpisode`` and ``ReturnConversation`` check their cross-field
invariants in two steps: ``_plainly_consistent()`` (plain comparisons, no
messages) and, only when it answers False, ``_check()`` (which names every
problem). A False answer merely costs time; a True answer for a value that
``_check()`` would refuse would let an invalid record through. These tests
build values *without* running ``__init__`` (so inconsistent ones exist) from
small pools of instants and codes, so that ties and orderings collide often,
and require: plainly consistent implies the full check passes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
#: Four instants an hour apart: few enough that equal and reversed times are common.
AT = st.sampled_from([T0 + timedelta(hours=h) for h in range(4)])
STATUSES = [
    EPISODE_STATUSES["missing"],
    EPISODE_STATUSES["away_without_authorisation"],
    # same code as a core concept, not equal to it: the cheap test cannot tell them apart
    attrs.evolve(EPISODE_STATUSES["missing"], display="Missing (local wording)"),
]
ENDINGS = [None, *EPISODE_ENDINGS]


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


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


@st.composite
def raw_episodes(draw: st.DrawFn) -> mc.MissingEpisode:
    values: dict[str, Any] = {
        "id": "E1",
        "child_id": "C1",
        "placement_id": "P1",
        "zone": "Europe/London",
        "last_seen_at": draw(AT),
        "statuses": tuple(
            draw(
                st.lists(
                    st.builds(StatusChange, AT, st.sampled_from(STATUSES)), min_size=0, max_size=3
                )
            )
        ),
        "risk_grades": tuple(
            draw(
                st.lists(
                    st.builds(RiskGrading, AT, st.sampled_from(list(POLICE_RISK_GRADES))),
                    max_size=3,
                )
            )
        ),
        "noticed_at": draw(_maybe(AT)),
        "police_report": draw(_maybe(st.builds(PoliceReport, AT))),
        "located": draw(_maybe(st.builds(Located, AT))),
        "ended_at": draw(_maybe(AT)),
        "returned_at": draw(_maybe(AT)),
        "ending": draw(st.sampled_from(ENDINGS)),
    }
    return _unchecked(mc.MissingEpisode, values)  # type: ignore[no-any-return]


ADULTS = st.sampled_from(["A1", "A2", " "])


@st.composite
def raw_conversations(draw: st.DrawFn) -> mc.ReturnConversation:
    values: dict[str, Any] = {
        "id": "V1",
        "child_id": "C1",
        "episode_ids": tuple(draw(st.lists(st.sampled_from(["E1", "E2", "", " \t"]), max_size=3))),
        "offers": tuple(
            draw(
                st.lists(
                    st.builds(
                        ConversationOffer,
                        at=AT,
                        outcome=st.sampled_from(list(CONVERSATION_OUTCOMES)),
                    ),
                    max_size=3,
                )
            )
        ),
        "requested_adult_ids": tuple(draw(st.lists(ADULTS, max_size=3))),
        "decision": draw(_maybe(st.sampled_from(Decision))),
        "declined_reason": draw(_maybe(st.just("did not want to"))),
        "held_at": draw(_maybe(AT)),
        "interviewer": draw(
            _maybe(st.builds(Interviewer, role=st.sampled_from(list(RELATIONSHIP_ROLES))))
        ),
        "child_account": draw(_maybe(st.just("words"))),
        "child_feedback": draw(_maybe(st.just("fine"))),
        "topics": tuple(draw(st.lists(st.sampled_from(ConversationTopic), max_size=3))),
        "actions": tuple(
            draw(
                st.lists(
                    st.builds(
                        AgreedAction, id=st.sampled_from(["X1", "X2"]), description=st.just("d")
                    ),
                    max_size=3,
                )
            )
        ),
    }
    return _unchecked(mc.ReturnConversation, values)  # type: ignore[no-any-return]


@settings(max_examples=examples(2000))
@given(raw_episodes())
def test_a_plainly_consistent_episode_passes_the_full_check(episode: mc.MissingEpisode) -> None:
    if episode._plainly_consistent():
        assert _full_check_passes(episode)


@settings(max_examples=examples(2000))
@given(raw_conversations())
def test_a_plainly_consistent_conversation_passes_the_full_check(
    conversation: mc.ReturnConversation,
) -> None:
    if conversation._plainly_consistent():
        assert _full_check_passes(conversation)


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
    missing, local = STATUSES[0], STATUSES[2]
    assert missing != local
    episode = _unchecked(
        mc.MissingEpisode,
        {
            "id": "E1",
            "child_id": "C1",
            "placement_id": "P1",
            "zone": "Europe/London",
            "last_seen_at": T0,
            "statuses": (StatusChange(T0, missing), StatusChange(T0 + timedelta(hours=1), local)),
        },
    )
    assert not episode._plainly_consistent()
    assert _full_check_passes(episode)
    # and construction, which runs both steps, accepts it
    assert attrs.evolve(episode).statuses == episode.statuses


@pytest.mark.parametrize(
    "statuses",
    [
        (),
        ((T0 - timedelta(hours=1), "missing"),),
        ((T0, "missing"), (T0, "away_without_authorisation")),
        ((T0, "missing"), (T0 + timedelta(hours=1), "missing")),
    ],
)
def test_construction_still_refuses_what_the_full_check_refuses(
    statuses: tuple[tuple[datetime, str], ...],
) -> None:
    changes = tuple(StatusChange(at, EPISODE_STATUSES[code]) for at, code in statuses)
    with pytest.raises(ValidationError) as caught:
        mc.MissingEpisode("E1", "C1", "P1", "Europe/London", T0, changes)
    assert all(p.startswith("$.statuses") for p in caught.value.paths)
