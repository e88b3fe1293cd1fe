"""Over a child's history: the episodes in sequence, what recurs, and what changed.

:func:`child_history` formulates every episode up to ``as_of`` in time
order, names the factors and needs recorded for two or more episodes, and
for each action recorded as done compares the episodes in an equal window
before and after it (90 days by default). The comparison is descriptive: it
says "fewer" or "shorter" with the counts, never that the action caused it.
"""

from __future__ import annotations

import bisect
from datetime import datetime, timedelta

import attrs

from missingcare._known import KnownSource
from missingcare.analysis._common import (
    displays,
    known_file,
    known_instant,
    lower_first,
    median_span,
    now_of,
    span,
)
from missingcare.analysis.config import DEFAULT_CONFIG, LensConfig
from missingcare.analysis.formulation import EpisodeFormulation, formulate
from missingcare.analysis.insights import Evidence, Insight, InsightKind, Param
from missingcare.case import CaseFile
from missingcare.episodes import MissingEpisode
from missingcare.factors import FactorDirection
from missingcare.typing import AsOf
from missingcare.vocab import Concept

__all__ = ["ActionFollowUp", "ChildHistory", "Recurrence", "child_history"]


@attrs.frozen
class Recurrence:
    """A factor or need recorded for more than one episode.

    ``direction`` is ``None`` for a need; ``record_ids`` are the factor or
    need records it rests on.
    """

    concept: Concept
    direction: FactorDirection | None
    episode_ids: tuple[str, ...]
    record_ids: tuple[str, ...]


@attrs.frozen
class ActionFollowUp:
    """Episodes in equal windows before and after an action was done.

    ``complete`` is false while the window after the action has not fully
    passed by ``as_of``; then ``fewer`` and ``shorter`` are ``None`` too,
    as they are when there is nothing to compare.
    """

    conversation_id: str
    action_id: str
    description: str
    done_at: datetime
    window: timedelta
    episodes_before: tuple[str, ...]
    episodes_after: tuple[str, ...]
    median_before: timedelta | None
    median_after: timedelta | None
    complete: bool

    @property
    def fewer(self) -> bool | None:
        """Whether fewer episodes followed the action than preceded it."""
        if not self.complete:
            return None
        return len(self.episodes_after) < len(self.episodes_before)

    @property
    def shorter(self) -> bool | None:
        """Whether the episodes after were shorter (by median) than those before."""
        if not self.complete or self.median_before is None or self.median_after is None:
            return None
        return self.median_after < self.median_before

    def sentence(self) -> str:
        """The comparison in words, with the counts."""
        head = f"After '{self.description}' was done"
        if not self.complete:
            return f"{head}, the {span(self.window)} since have not yet passed."

        def part(ids: tuple[str, ...], median: timedelta | None) -> str:
            n = len(ids)
            noun = "episode" if n == 1 else "episodes"
            return f"{n} {noun}" + (f" (median {span(median)})" if median is not None else "")

        return (
            f"{head}: {part(self.episodes_after, self.median_after)} in the following "
            f"{span(self.window)}, against {part(self.episodes_before, self.median_before)} "
            f"in the {span(self.window)} before."
        )


@attrs.frozen
class ChildHistory:
    """A child's episodes with their formulations, what recurs, and what followed actions.

    ``known_at`` is set when the record was read as known at another instant than
    ``as_of`` (only what had been recorded by then).
    """

    child_id: str
    as_of: datetime
    formulations: tuple[EpisodeFormulation, ...]
    recurring_factors: tuple[Recurrence, ...]
    recurring_needs: tuple[Recurrence, ...]
    follow_ups: tuple[ActionFollowUp, ...]
    insights: tuple[Insight, ...]
    known_at: datetime | None = None

    def summary(self) -> tuple[str, ...]:
        """Plain sentences: recurring factors and needs, and what followed each action."""
        out = []
        if self.recurring_factors:
            out.append(
                "Recurring factors: " + displays(r.concept for r in self.recurring_factors) + "."
            )
        if self.recurring_needs:
            out.append(
                "Recurring needs: " + displays(r.concept for r in self.recurring_needs) + "."
            )
        out += [u.sentence() for u in self.follow_ups]
        return tuple(out)


def _median(episodes: list[MissingEpisode]) -> timedelta | None:
    durations = [e.duration for e in episodes if e.duration is not None]
    return median_span(durations)


def child_history(
    case: KnownSource,
    *,
    as_of: AsOf,
    known_at: AsOf | None = None,
    config: LensConfig = DEFAULT_CONFIG,
) -> ChildHistory:
    """The child's history up to ``as_of`` (an instant or a clock).

    ``known_at`` (by default ``as_of``) reads only what had been recorded by then,
    as :func:`~missingcare.rules.evaluate` does; ``case`` may be a
    :class:`~missingcare.history.CaseHistory`.
    """
    now = now_of(as_of)
    known = known_instant(now, known_at)
    case = known_file(case, known)
    episodes = sorted(
        (e for e in case.episodes if e.last_seen_at <= now), key=lambda e: (e.last_seen_at, e.id)
    )
    in_scope = {e.id for e in episodes}
    formulations = tuple(
        formulate(case, e.id, as_of=now, known_at=known, config=config) for e in episodes
    )

    factor_groups: dict[tuple[str, str], list[tuple[str, str, Concept]]] = {}
    for f in case.factors:
        for eid in f.episode_ids:
            if eid in in_scope:
                factor_groups.setdefault((f.direction.value, f.concept.code), []).append(
                    (eid, f.id, f.concept)
                )
    need_groups: dict[tuple[str, str], list[tuple[str, str, Concept]]] = {}
    for n in case.needs:
        for eid in n.episode_ids:
            if eid in in_scope:
                need_groups.setdefault(("", n.need.code), []).append((eid, n.id, n.need))

    recurring_factors = _recurrences(factor_groups)
    recurring_needs = _recurrences(need_groups)

    insights: list[Insight] = []
    for r in recurring_factors:
        direction = r.direction.value if r.direction else ""
        params: tuple[Param, ...] = (
            ("direction", direction),
            ("what", lower_first(r.concept.display)),
            ("count", len(r.episode_ids)),
        )
        insights.append(_insight(case, InsightKind.RECURRING_FACTOR, params, "factors", r))
    for r in recurring_needs:
        params = (("what", lower_first(r.concept.display)), ("count", len(r.episode_ids)))
        insights.append(_insight(case, InsightKind.RECURRING_NEED, params, "needs", r))

    overdue = [
        (conv.id, a)
        for conv in sorted(case.conversations, key=lambda c: c.id)
        for a in sorted(conv.actions, key=lambda a: a.id)
        if a.due is not None and a.due < now and (a.done_at is None or a.done_at > now)
    ]
    if overdue:
        insights.append(
            Insight(
                kind=InsightKind.ACTIONS_NOT_DONE,
                child_id=case.child.id,
                episode_id=None,
                params=(
                    ("count", len(overdue)),
                    ("what", ", ".join(f"'{a.description}'" for _, a in overdue)),
                ),
                evidence=tuple(
                    Evidence.record("conversations", cid, within=f".actions[?(@.id=='{a.id}')]")
                    for cid, a in overdue
                ),
            )
        )

    follow_ups = []
    # the episodes are in time order: each window is a slice found by binary search
    seen = [e.last_seen_at for e in episodes]
    w = config.compare_window
    for conv in sorted(case.conversations, key=lambda c: c.id):
        for a in sorted(conv.actions, key=lambda a: a.id):
            if a.done_at is None or a.done_at > now:
                continue
            at = bisect.bisect_left(seen, a.done_at)
            before = episodes[bisect.bisect_left(seen, a.done_at - w) : at]
            after = episodes[at : bisect.bisect_left(seen, a.done_at + w)]
            follow_ups.append(
                ActionFollowUp(
                    conversation_id=conv.id,
                    action_id=a.id,
                    description=a.description,
                    done_at=a.done_at,
                    window=w,
                    episodes_before=tuple(e.id for e in before),
                    episodes_after=tuple(e.id for e in after),
                    median_before=_median(before),
                    median_after=_median(after),
                    complete=a.done_at + w <= now,
                )
            )
    follow_ups.sort(key=lambda u: (u.done_at, u.conversation_id, u.action_id))
    return ChildHistory(
        child_id=case.child.id,
        as_of=now,
        formulations=formulations,
        recurring_factors=recurring_factors,
        recurring_needs=recurring_needs,
        follow_ups=tuple(follow_ups),
        insights=tuple(insights),
        known_at=None if known == now else known,
    )


def _recurrences(
    groups: dict[tuple[str, str], list[tuple[str, str, Concept]]],
) -> tuple[Recurrence, ...]:
    out = []
    for (direction, _code), rows in sorted(groups.items()):
        episode_ids = tuple(sorted({eid for eid, _, _ in rows}))
        if len(episode_ids) < 2:
            continue
        out.append(
            Recurrence(
                concept=min(c for _, _, c in rows),
                direction=FactorDirection(direction) if direction else None,
                episode_ids=episode_ids,
                record_ids=tuple(sorted({rid for _, rid, _ in rows})),
            )
        )
    return tuple(sorted(out, key=lambda r: (-len(r.episode_ids), r.concept.code)))


def _insight(
    case: CaseFile,
    kind: InsightKind,
    params: tuple[Param, ...],
    collection: str,
    r: Recurrence,
) -> Insight:
    return Insight(
        kind=kind,
        child_id=case.child.id,
        episode_id=None,
        params=params,
        evidence=tuple(Evidence.record(collection, rid) for rid in r.record_ids),
    )
