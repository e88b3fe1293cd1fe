"""Properties of the investigative lens that must hold for every case file.

* A context entry about a time after the child was last seen never changes
  that episode's before-window (nor its insights).
* Reordering any collection of the case file, or the case files of a home,
  never changes any result.
* Every insight renders to a question, and cites evidence that exists.

Case files come from :func:`missingcare.testing.strategies.case_files`,
enriched here with log entries in the categories the detections read, near
each episode, so that the detections actually fire.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from missingcare import CaseFile, ContextEntry
from missingcare.analysis import (
    DEFAULT_GROUPS,
    Insight,
    LensConfig,
    before_window,
    child_history,
    formulate,
    home_summary,
    response_on_return,
    trusted_adult_picture,
)
from missingcare.testing.strategies import case_files
from missingcare.vocabularies import CONTEXT_CATEGORIES, UNMET_NEEDS
from tests._helpers import examples

T = TypeVar("T")

SETTINGS = settings(
    max_examples=examples(60),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

_DETECTED = sorted(
    DEFAULT_GROUPS.conflict
    | DEFAULT_GROUPS.sanction
    | DEFAULT_GROUPS.contact_disrupted
    | DEFAULT_GROUPS.adult_unavailable
    | DEFAULT_GROUPS.adult_left
    | DEFAULT_GROUPS.signals
    | {"conflict_resolved"}
)


@st.composite
def rich_case_files(draw: st.DrawFn) -> CaseFile:
    """A valid case file with extra log entries in detected categories around its episodes."""
    case = draw(case_files(max_episodes=3))
    anchors = [e.last_seen_at for e in case.episodes] or [datetime(2026, 3, 1, tzinfo=UTC)]
    extra: list[ContextEntry] = []
    for k in range(draw(st.integers(0, 8))):
        around = draw(st.sampled_from(anchors))
        earlier = [c.id for c in (*case.context, *extra)]
        resolves = draw(st.lists(st.sampled_from(earlier), max_size=1)) if earlier else []
        extra.append(
            ContextEntry(
                id=f"Y{k + 1}",
                child_id=case.child.id,
                at=around + timedelta(minutes=draw(st.integers(-30 * 24 * 60, 12 * 60))),
                category=CONTEXT_CATEGORIES[draw(st.sampled_from(_DETECTED))],
                resolves=tuple(resolves),
                adult_ids=tuple(draw(st.lists(st.sampled_from(["A-1", "A-2"]), unique=True))),
                needs=tuple(
                    draw(st.lists(st.sampled_from(list(UNMET_NEEDS)[:3]), unique=True, max_size=1))
                ),
            )
        )
    return attrs.evolve(case, context=(*case.context, *extra))


def _shuffled(case: CaseFile, rnd: random.Random) -> CaseFile:
    def mix(items: tuple[T, ...]) -> tuple[T, ...]:
        out = list(items)
        rnd.shuffle(out)
        return tuple(out)

    return attrs.evolve(
        case,
        placements=mix(case.placements),
        periods_of_care=mix(case.periods_of_care),
        episodes=mix(case.episodes),
        conversations=mix(case.conversations),
        context=mix(case.context),
        factors=mix(case.factors),
        needs=mix(case.needs),
        trusted_adults=mix(case.trusted_adults),
    )


def _as_of(case: CaseFile) -> datetime:
    times = [e.ended_at or e.last_seen_at for e in case.episodes]
    return max(times, default=datetime(2026, 3, 1, tzinfo=UTC)) + timedelta(days=5)


#: These properties are about the whole record: it is read as known now (a record written
#: after ``as_of`` is on file), not as it stood at ``as_of`` (tests/test_known_at.py).
NOW = datetime(2100, 1, 1, tzinfo=UTC)


def _everything(case: CaseFile, as_of: datetime, config: LensConfig) -> tuple[object, ...]:
    per_episode = tuple(
        (
            before_window(case, e.id, config),
            formulate(case, e.id, as_of=as_of, known_at=NOW, config=config),
            response_on_return(case, e.id, as_of=as_of, known_at=NOW, config=config),
        )
        for e in sorted(case.episodes, key=lambda e: e.id)
    )
    return (
        per_episode,
        trusted_adult_picture(case, as_of, config, known_at=NOW),
        child_history(case, as_of=as_of, known_at=NOW, config=config),
        home_summary([case], as_of=as_of, known_at=NOW, config=config),
    )


@SETTINGS
@given(case=rich_case_files(), data=st.data(), since_previous=st.booleans())
def test_context_after_last_seen_never_changes_the_before_window(
    case: CaseFile, data: st.DataObject, since_previous: bool
) -> None:
    if not case.episodes:
        return
    config = LensConfig(since_previous_episode=since_previous)
    ep = data.draw(st.sampled_from(case.episodes))
    earlier_ids = [c.id for c in case.context]
    later = ContextEntry(
        id="Z-late",
        child_id=case.child.id,
        at=ep.last_seen_at + timedelta(minutes=data.draw(st.integers(0, 60 * 24 * 30))),
        category=CONTEXT_CATEGORIES[data.draw(st.sampled_from(_DETECTED))],
        resolves=tuple(data.draw(st.lists(st.sampled_from(earlier_ids), max_size=2, unique=True)))
        if earlier_ids
        else (),
        needs=(UNMET_NEEDS["belonging"],),
    )
    before = before_window(case, ep.id, config)
    after = before_window(attrs.evolve(case, context=(*case.context, later)), ep.id, config)
    assert after == before
    assert after.insights == before.insights


@SETTINGS
@given(case=rich_case_files(), seed=st.integers(0, 2**32 - 1), since_previous=st.booleans())
def test_reordering_collections_never_changes_any_result(
    case: CaseFile, seed: int, since_previous: bool
) -> None:
    config = LensConfig(since_previous_episode=since_previous)
    as_of = _as_of(case)
    reordered = _shuffled(case, random.Random(seed))
    assert _everything(reordered, as_of, config) == _everything(case, as_of, config)


@SETTINGS
@given(cases=st.lists(rich_case_files(), max_size=3), seed=st.integers(0, 2**32 - 1))
def test_reordering_a_homes_case_files_never_changes_its_summary(
    cases: list[CaseFile], seed: int
) -> None:
    unique = list({c.child.id: c for c in cases}.values())
    as_of = max((_as_of(c) for c in unique), default=datetime(2026, 3, 1, tzinfo=UTC))
    rnd = random.Random(seed)
    mixed = [_shuffled(c, rnd) for c in unique]
    rnd.shuffle(mixed)
    assert home_summary(mixed, as_of=as_of, known_at=NOW) == home_summary(
        unique, as_of=as_of, known_at=NOW
    )


def _paths_exist(case: CaseFile, insight: Insight) -> None:
    for e in insight.evidence:
        if not e.id:
            assert e.path == f"$.{e.collection}"
            continue
        ids = {item.id for item in getattr(case, e.collection)}
        assert e.id in ids, e.path
        assert e.path.startswith(f"$.{e.collection}[?(@.id==")


@SETTINGS
@given(case=rich_case_files())
def test_every_insight_is_a_question_with_real_evidence(case: CaseFile) -> None:
    as_of = _as_of(case)
    insights: list[Insight] = []
    for e in case.episodes:
        insights += formulate(case, e.id, as_of=as_of, known_at=NOW).insights
    insights += trusted_adult_picture(case, as_of, known_at=NOW).insights
    insights += child_history(case, as_of=as_of, known_at=NOW).insights
    for insight in insights:
        assert insight.prompt.endswith("?")
        assert insight.child_id == case.child.id
        assert insight.evidence == tuple(sorted(set(insight.evidence)))
        _paths_exist(case, insight)
