"""Synthetic inputs for the benchmarks: seeded, deterministic, never a real person.

The records come from :func:`missingcare.testing.synth.iter_case_files` (the
library's own generator of synthetic cohorts). If that module is absent
(an older checkout), a small seeded builder in this file stands in, so the
benchmarks still run.

Everything returned is built once per size and seed and kept in memory, so
a benchmark measures the work under test, not the making of its input.
"""

# Optional modules are imported where they are used, so a missing one skips
# its benchmark instead of stopping the run.
# ruff: noqa: PLC0415

from __future__ import annotations

import functools
import importlib.util
import itertools
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from missingcare import (
    CaseFile,
    ChildRef,
    MissingEpisode,
    Placement,
    PlacementKind,
    ReturnConversation,
    to_json,
)
from missingcare.episodes import StatusChange
from missingcare.vocabularies import EPISODE_ENDINGS, EPISODE_STATUSES, LOCATION_TYPES

__all__ = ["Dataset", "case_files", "dataset", "some_case_files"]

SEED = 903


def _fallback_case_files(children: int, seed: int) -> Iterator[CaseFile]:
    """A minimal seeded builder: one placement, a few closed episodes per child."""
    rng = random.Random(seed)
    start = datetime(2025, 4, 1, tzinfo=UTC)
    missing = EPISODE_STATUSES["missing"]
    ending = EPISODE_ENDINGS["returned_voluntarily"]
    places = tuple(LOCATION_TYPES)
    for c in range(children):
        cid = f"BENCH-{seed}-{c:06d}"
        placement = Placement(f"{cid}-P1", PlacementKind.CHILDRENS_HOME, "Europe/London")
        episodes = []
        at = start + timedelta(minutes=rng.randrange(60 * 24 * 30))
        for e in range(rng.randrange(1, 5)):
            end = at + timedelta(minutes=rng.randrange(30, 60 * 48))
            episodes.append(
                MissingEpisode(
                    id=f"{cid}-E{e:03d}",
                    child_id=cid,
                    placement_id=placement.id,
                    zone=placement.zone,
                    last_seen_at=at,
                    statuses=(StatusChange(at, missing),),
                    ended_at=end,
                    returned_at=end,
                    ending=ending,
                    whereabouts=(rng.choice(places),),
                )
            )
            at = end + timedelta(minutes=rng.randrange(60, 60 * 24 * 20))
        yield CaseFile(child=ChildRef(cid), placements=(placement,), episodes=tuple(episodes))


def _cohort(children: int, seed: int) -> Iterator[CaseFile]:
    """The case files of ``children`` synthetic children: the library's generator if present."""
    if importlib.util.find_spec("missingcare.testing.synth") is not None:
        from missingcare.testing.synth import iter_case_files

        return iter(iter_case_files(children, seed=seed))
    return _fallback_case_files(children, seed)


def case_files(episodes: int, seed: int = SEED) -> Iterator[CaseFile]:
    """Synthetic case files, until at least ``episodes`` episodes have been produced."""
    produced = 0
    for case in _cohort(10 * episodes + 10, seed):
        if produced >= episodes:
            return
        yield case
        produced += len(case.episodes)


def some_case_files(count: int, data: Dataset, seed: int = SEED) -> tuple[CaseFile, ...]:
    """Exactly ``count`` case files: the dataset's first ones if it has enough.

    Otherwise a cohort of ``count`` children is generated for the purpose
    (the rules benchmark asks for more case files than a tier's episodes fill).
    """
    if len(data.cases) >= count:
        return data.cases[:count]
    return tuple(itertools.islice(_cohort(count, seed), count))


class Dataset:
    """The models and their JSON lines for one size, built once."""

    def __init__(self, episodes: int, seed: int = SEED) -> None:
        self.cases: tuple[CaseFile, ...] = tuple(case_files(episodes, seed))
        self.episodes: tuple[MissingEpisode, ...] = tuple(
            e for c in self.cases for e in c.episodes
        )[:episodes]
        self.conversations: tuple[ReturnConversation, ...] = tuple(
            v for c in self.cases for v in c.conversations
        )
        self.episode_lines: tuple[bytes, ...] = tuple(to_json(e) for e in self.episodes)
        self.conversation_lines: tuple[bytes, ...] = tuple(to_json(v) for v in self.conversations)
        self._case_lines: tuple[bytes, ...] | None = None

    @property
    def case_lines(self) -> tuple[bytes, ...]:
        """One JSON line per case file (built on first use)."""
        if self._case_lines is None:
            self._case_lines = tuple(to_json(c) for c in self.cases)
        return self._case_lines

    def describe(self) -> str:
        size = sum(map(len, self.episode_lines))
        n = max(1, len(self.episode_lines))
        return (
            f"{len(self.cases):,} case files, {len(self.episodes):,} episodes "
            f"({size / n:,.0f} B per JSON line), {len(self.conversations):,} conversations"
        )


@functools.lru_cache(maxsize=2)
def dataset(episodes: int, seed: int = SEED) -> Dataset:
    """The dataset of ``episodes`` episodes (cached: built once per run)."""
    return Dataset(episodes, seed)
