"""Properties of the lens's suggestions, over generated case files with the child's words.

Suggestions never change the recorded factors; removing a piece of evidence never
adds a suggestion (or an exploitation indicator); reordering the case file changes
nothing.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from missingcare import CaseFile, ContextEntry, Located, SignificantDate
from missingcare.analysis import CueTable, EpisodeFormulation, formulate
from missingcare.testing.strategies import case_files
from missingcare.vocabularies import (
    ADDRESS_LINKS,
    CONTEXT_CATEGORIES,
    DISTANCE_BANDS,
    EPISODE_ENDINGS,
    LOCATION_TYPES,
    SIGNIFICANT_DATE_KINDS,
    WHO_WITH,
)

from ._helpers import examples

SETTINGS = settings(
    max_examples=examples(40),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
#: Phrases the English cue table listens for, and some it does not.
PHRASES = (
    "nobody listens",
    "I just want to see my mum",
    "they gave me money",
    "I owe them",
    "it's like a prison",
    "I came back on my own",
    "he's older",
    "I rang to say I was safe",
    "it was fine",
    "dunno",
)
EMPTY = CueTable(version="0", language="en", cues=(), indicators=())


@st.composite
def voiced_case_files(draw: st.DrawFn) -> CaseFile:
    """A valid case file with the child's words, significant dates and where found."""
    case = draw(case_files(max_episodes=3))
    anchors = [e.last_seen_at for e in case.episodes] or [datetime(2026, 3, 1, tzinfo=UTC)]
    extra = []
    for k in range(draw(st.integers(0, 6))):
        around = draw(st.sampled_from(anchors))
        extra.append(
            ContextEntry(
                id=f"V{k + 1}",
                child_id=case.child.id,
                at=around - timedelta(minutes=draw(st.integers(1, 4 * 24 * 60))),
                category=draw(st.sampled_from(CONTEXT_CATEGORIES.concepts)),
                child_said=draw(st.one_of(st.none(), st.sampled_from(PHRASES))),
            )
        )
    dates = tuple(
        SignificantDate(
            id=f"D{k + 1}",
            child_id=case.child.id,
            kind=draw(st.sampled_from(SIGNIFICANT_DATE_KINDS.concepts)),
            on=(draw(st.sampled_from(anchors)) - timedelta(days=draw(st.integers(0, 3)))).date(),
            yearly=draw(st.booleans()),
            contact_arranged=draw(st.one_of(st.none(), st.booleans())),
        )
        for k in range(draw(st.integers(0, 3)))
    )
    episodes = []
    for original in case.episodes:
        e = original
        if e.ended_at is not None and draw(st.booleans()):
            e = attrs.evolve(
                e,
                located=Located(
                    at=e.ended_at,
                    where=draw(st.sampled_from(LOCATION_TYPES.concepts)),
                    distance=draw(st.one_of(st.none(), st.sampled_from(DISTANCE_BANDS.concepts))),
                    address_link=draw(
                        st.one_of(st.none(), st.sampled_from(ADDRESS_LINKS.concepts))
                    ),
                ),
                who_with=tuple(draw(st.sets(st.sampled_from(WHO_WITH.concepts), max_size=2))),
                ending=draw(st.sampled_from(EPISODE_ENDINGS.concepts[:8])),
                child_said=draw(st.one_of(st.none(), st.sampled_from(PHRASES))),
            )
        episodes.append(e)
    return attrs.evolve(
        case,
        episodes=tuple(episodes),
        context=(*case.context, *extra),
        significant_dates=dates,
    )


def _as_of(case: CaseFile) -> datetime:
    times = [e.ended_at or e.last_seen_at for e in case.episodes]
    return max(times, default=datetime(2026, 3, 1, tzinfo=UTC)) + timedelta(days=5)


#: These properties are about the cue table over the whole record: it is read as known
#: now (a record written after ``as_of`` is on file), not as it stood at ``as_of``.
KNOWN_NOW = datetime(2100, 1, 1, tzinfo=UTC)


def _found(f: EpisodeFormulation) -> set[tuple[str, str]]:
    out = {(s.kind.value, s.concept.code) for s in f.suggestions}
    if f.screening is not None:
        out |= {("indicator", i.indicator.code) for i in f.screening.indicators}
    return out


@SETTINGS
@given(case=voiced_case_files())
def test_suggestions_never_change_the_recorded_factors(case: CaseFile) -> None:
    as_of = _as_of(case)
    for e in case.episodes:
        with_cues = formulate(case, e.id, as_of=as_of, known_at=KNOWN_NOW)
        without = formulate(case, e.id, as_of=as_of, known_at=KNOWN_NOW, cues=EMPTY)
        recorded = (with_cues.push, with_cues.pull, with_cues.needs, with_cues.protective)
        assert recorded == (without.push, without.pull, without.needs, without.protective)
        assert without.suggestions == ()
        recorded_ids = {r.id for group in recorded for r in group}
        assert recorded_ids <= {f.id for f in case.factors} | {n.id for n in case.needs}
        codes = {(f.direction.value, f.concept.code) for f in (*with_cues.push, *with_cues.pull)}
        assert not codes & {(s.kind.value, s.concept.code) for s in with_cues.suggestions}


def _without_one_piece(case: CaseFile, data: st.DataObject) -> CaseFile:
    choices: list[tuple[str, Any]] = [("context", c) for c in case.context]
    choices += [("significant_dates", d) for d in case.significant_dates]
    choices += [("conversations", c) for c in case.conversations]
    choices += [("words", e) for e in case.episodes if e.child_said is not None]
    choices += [("located", e) for e in case.episodes if e.located is not None]
    choices += [("trusted_adults", t) for t in case.trusted_adults]
    if not choices:
        return case
    name, item = data.draw(st.sampled_from(choices))
    if name == "words":
        new = attrs.evolve(item, child_said=None, child_said_to=None)
        return attrs.evolve(case, episodes=tuple(new if e is item else e for e in case.episodes))
    if name == "located":
        new = attrs.evolve(item, located=None)
        return attrs.evolve(case, episodes=tuple(new if e is item else e for e in case.episodes))
    changes: dict[str, Any] = {name: tuple(x for x in getattr(case, name) if x is not item)}
    return attrs.evolve(case, **changes)


@SETTINGS
@given(case=voiced_case_files(), data=st.data())
def test_removing_a_piece_of_evidence_never_adds_a_suggestion(
    case: CaseFile, data: st.DataObject
) -> None:
    smaller = _without_one_piece(case, data)
    as_of = _as_of(case)
    for e in case.episodes:
        before = _found(formulate(case, e.id, as_of=as_of, known_at=KNOWN_NOW))
        after = _found(formulate(smaller, e.id, as_of=as_of, known_at=KNOWN_NOW))
        assert after <= before


def _shuffled(case: CaseFile, rnd: random.Random) -> CaseFile:
    def mix(items: tuple[Any, ...]) -> tuple[Any, ...]:
        out = list(items)
        rnd.shuffle(out)
        return tuple(out)

    names = [a.name for a in attrs.fields(CaseFile) if a.name != "child"]
    changes: dict[str, Any] = {name: mix(getattr(case, name)) for name in names}
    return attrs.evolve(case, **changes)


@SETTINGS
@given(case=voiced_case_files(), seed=st.integers(0, 2**32 - 1))
def test_reordering_the_case_file_changes_nothing(case: CaseFile, seed: int) -> None:
    reordered = _shuffled(case, random.Random(seed))
    as_of = _as_of(case)
    for e in case.episodes:
        assert formulate(reordered, e.id, as_of=as_of, known_at=KNOWN_NOW) == formulate(
            case, e.id, as_of=as_of, known_at=KNOWN_NOW
        )
