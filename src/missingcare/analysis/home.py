"""Over a home: a descriptive summary, always with the counts.

:func:`home_summary` describes the episodes of the children of one home up
to ``as_of``: how often each push and pull factor was recorded, the share
of episodes preceded by an unresolved conflict or by a sanction, the share
of children with a trusted adult, and how episodes compare between children
who had a trusted adult when they went and those who did not (median
length, and how often another episode followed within 30 days), and the
return conversations counted as national reports count them: offered,
accepted, declined, held and held in time, each separately (a declined
conversation is never counted as held). Every
figure is a :class:`Proportion` or a count, never a bare percentage, and
nothing here is a rate to rank homes by: the numbers are small and for the
home's own reflection. (Figures for publication need the disclosure control
of the research layer.)
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import datetime, timedelta

import attrs

from missingcare._known import KnownSource
from missingcare.analysis._common import (
    known_file,
    known_instant,
    lower_first,
    median_span,
    now_of,
)
from missingcare.analysis.before import before_window
from missingcare.analysis.config import DEFAULT_CONFIG, LensConfig
from missingcare.analysis.insights import InsightKind
from missingcare.case import CaseFile
from missingcare.conversations import Decision
from missingcare.episodes import MissingEpisode
from missingcare.exceptions import ValidationError
from missingcare.factors import FactorDirection
from missingcare.typing import AsOf
from missingcare.vocab import Concept

__all__ = [
    "ConversationCounts",
    "FactorPrevalence",
    "GroupOutcome",
    "HomeSummary",
    "Proportion",
    "home_summary",
]


@attrs.frozen
class Proportion:
    """``numerator`` of ``denominator``; ``share`` is ``None`` when there is nothing to divide.

    >>> str(Proportion(3, 12)), Proportion(3, 12).share
    ('3 of 12', 0.25)
    """

    numerator: int
    denominator: int

    @property
    def share(self) -> float | None:
        """The fraction, or ``None`` for ``0 of 0``."""
        return self.numerator / self.denominator if self.denominator else None

    def __str__(self) -> str:
        return f"{self.numerator} of {self.denominator}"


@attrs.frozen
class FactorPrevalence:
    """How often one factor was recorded: in how many episodes and for how many children."""

    concept: Concept
    direction: FactorDirection
    episodes: Proportion
    children: Proportion


@attrs.frozen
class GroupOutcome:
    """Episodes of one group of children: how many, how long, how often repeated.

    ``repeated`` counts episodes followed by another of the same child within
    the repeat window, out of those whose window has fully passed.
    """

    children: int
    episodes: int
    closed: int
    median_duration: timedelta | None
    repeated: Proportion


@attrs.frozen
class ConversationCounts:
    """Return conversations after the episodes back by ``as_of``, counted separately.

    Each count is of episodes (a conversation covering two episodes counts for
    both), out of ``returned``, the episodes the child was back from: ``offered``
    (an offer or attempt recorded), ``accepted`` and ``declined`` (the child's
    decision), ``held`` (held by ``as_of``) and ``held_in_time`` (held within the
    lens's ``account_deadline`` of the return, 72 hours by default [DFE14]).
    Declined is never held: national reporting counts them apart [MP-RHI24].
    """

    returned: int
    offered: Proportion
    accepted: Proportion
    declined: Proportion
    held: Proportion
    held_in_time: Proportion


@attrs.frozen
class HomeSummary:
    """The descriptive summary of one home (or of all the case files given).

    ``known_at`` is set when the records were read as known at another instant
    than ``as_of`` (only what had been recorded by then).
    """

    home_id: str | None
    as_of: datetime
    children: int
    episodes: int
    push_prevalence: tuple[FactorPrevalence, ...]
    pull_prevalence: tuple[FactorPrevalence, ...]
    preceded_by_unresolved_conflict: Proportion
    preceded_by_sanction: Proportion
    preceded_by_either: Proportion
    children_with_trusted_adult: Proportion
    with_trusted_adult: GroupOutcome
    without_trusted_adult: GroupOutcome
    repeat_window: timedelta
    conversations: ConversationCounts = ConversationCounts(0, *(Proportion(0, 0) for _ in range(5)))
    known_at: datetime | None = None

    def as_rows(self) -> tuple[dict[str, str | int], ...]:
        """The figures as rows of (measure, numerator, denominator) for a table."""
        rows: list[dict[str, str | int]] = []

        def add(measure: str, p: Proportion) -> None:
            rows.append(
                {"measure": measure, "numerator": p.numerator, "denominator": p.denominator}
            )

        add("episodes preceded by an unresolved conflict", self.preceded_by_unresolved_conflict)
        add("episodes preceded by a sanction or restriction", self.preceded_by_sanction)
        add("episodes preceded by either", self.preceded_by_either)
        add("children with a trusted adult", self.children_with_trusted_adult)
        for fp in (*self.push_prevalence, *self.pull_prevalence):
            label = lower_first(fp.concept.display)
            add(f"episodes with the {fp.direction.value} factor '{label}'", fp.episodes)
        add("episodes repeated, children with a trusted adult", self.with_trusted_adult.repeated)
        add("episodes repeated, children without", self.without_trusted_adult.repeated)
        c = self.conversations
        add("returns with a conversation offered", c.offered)
        add("returns with a conversation accepted", c.accepted)
        add("returns with a conversation declined", c.declined)
        add("returns with a conversation held", c.held)
        add("returns with a conversation held in time", c.held_in_time)
        return tuple(rows)


def home_summary(
    cases: Iterable[KnownSource],
    *,
    as_of: AsOf,
    known_at: AsOf | None = None,
    home_id: str | None = None,
    config: LensConfig = DEFAULT_CONFIG,
    since: datetime | None = None,
) -> HomeSummary:
    """Summarise the episodes of the children in ``cases`` up to ``as_of``.

    ``known_at`` (by default ``as_of``) reads each child's record as it stood
    then (only what had been recorded by then); an item of ``cases`` may be a
    :class:`~missingcare.history.CaseHistory`.

    With ``since`` (an aware instant), only episodes in which the child was
    last seen at or after it count: the period of a manager's review (what
    came before an episode is still read from the whole record).

    With ``home_id``, only episodes from placements with that ``home_id``
    count, and only children who have such a placement. Each child may
    appear once; a repeated child id is refused.
    """
    now = now_of(as_of)
    known = known_instant(now, known_at)
    files = sorted((known_file(c, known) for c in cases), key=lambda c: c.child.id)
    for i in range(1, len(files)):
        if files[i].child.id == files[i - 1].child.id:
            raise ValidationError.single(
                "$[*].child.id", "duplicate_id", "expected each child at most once"
            )
    scoped: list[tuple[CaseFile, tuple[MissingEpisode, ...]]] = []
    for case in files:
        places = {p.id for p in case.placements if home_id is None or p.home_id == home_id}
        if not places:
            continue
        eps = tuple(
            sorted(
                (
                    e
                    for e in case.episodes
                    if e.placement_id in places
                    and e.last_seen_at <= now
                    and (since is None or since <= e.last_seen_at)
                ),
                key=lambda e: (e.last_seen_at, e.id),
            )
        )
        scoped.append((case, eps))

    n_children = len(scoped)
    all_eps = [(case, e) for case, eps in scoped for e in eps]
    n_eps = len(all_eps)
    children_with_eps = sum(1 for _, eps in scoped if eps)

    conflict = sanction = either = 0
    for case, e in all_eps:
        kinds = before_window(case, e.id, config).kinds()
        conflict += InsightKind.UNRESOLVED_CONFLICT in kinds
        sanction += InsightKind.SANCTION_BEFORE in kinds
        either += InsightKind.UNRESOLVED_CONFLICT in kinds or InsightKind.SANCTION_BEFORE in kinds

    prevalence = {d: _prevalence(scoped, d, n_eps, children_with_eps) for d in FactorDirection}
    with_ta = [
        (c, eps) for c, eps in scoped if any(ta.is_present_at(now) for ta in c.trusted_adults)
    ]

    def had_ta(case: CaseFile, e: MissingEpisode) -> bool:
        return any(ta.is_present_at(e.last_seen_at) for ta in case.trusted_adults)

    return HomeSummary(
        home_id=home_id,
        as_of=now,
        children=n_children,
        episodes=n_eps,
        push_prevalence=prevalence[FactorDirection.PUSH],
        pull_prevalence=prevalence[FactorDirection.PULL],
        preceded_by_unresolved_conflict=Proportion(conflict, n_eps),
        preceded_by_sanction=Proportion(sanction, n_eps),
        preceded_by_either=Proportion(either, n_eps),
        children_with_trusted_adult=Proportion(len(with_ta), n_children),
        with_trusted_adult=_outcome(
            [(c, e) for c, e in all_eps if had_ta(c, e)], scoped, now, config.recent
        ),
        without_trusted_adult=_outcome(
            [(c, e) for c, e in all_eps if not had_ta(c, e)], scoped, now, config.recent
        ),
        repeat_window=config.recent,
        conversations=_conversation_counts(all_eps, now, config.account_deadline),
        known_at=None if known == now else known,
    )


def _conversation_counts(
    all_eps: list[tuple[CaseFile, MissingEpisode]], now: datetime, deadline: timedelta
) -> ConversationCounts:
    returned = offered = accepted = declined = held = in_time = 0
    for case, e in all_eps:
        back = e.returned_at
        if back is None or back > now:
            continue
        returned += 1
        convs = case.conversations_for(e.id)
        offered += any(o.at <= now for c in convs for o in c.offers)
        accepted += any(c.decision is Decision.ACCEPTED for c in convs)
        declined += any(c.decision is Decision.DECLINED for c in convs)
        times = [c.held_at for c in convs if c.held_at is not None and c.held_at <= now]
        held += bool(times)
        in_time += any(t <= back + deadline for t in times)
    return ConversationCounts(
        returned=returned,
        offered=Proportion(offered, returned),
        accepted=Proportion(accepted, returned),
        declined=Proportion(declined, returned),
        held=Proportion(held, returned),
        held_in_time=Proportion(in_time, returned),
    )


def _prevalence(
    scoped: list[tuple[CaseFile, tuple[MissingEpisode, ...]]],
    direction: FactorDirection,
    n_eps: int,
    n_children: int,
) -> tuple[FactorPrevalence, ...]:
    episodes: dict[str, set[tuple[str, str]]] = {}
    children: dict[str, set[str]] = {}
    concepts: dict[str, Concept] = {}
    for case, eps in scoped:
        ids = {e.id for e in eps}
        for f in case.factors:
            if f.direction is not direction:
                continue
            hits = ids.intersection(f.episode_ids)
            if not hits:
                continue
            code = f.concept.code
            concepts[code] = min(concepts.get(code, f.concept), f.concept)
            episodes.setdefault(code, set()).update((case.child.id, h) for h in hits)
            children.setdefault(code, set()).add(case.child.id)
    out = [
        FactorPrevalence(
            concept=concepts[code],
            direction=direction,
            episodes=Proportion(len(episodes[code]), n_eps),
            children=Proportion(len(children[code]), n_children),
        )
        for code in concepts
    ]
    return tuple(sorted(out, key=lambda p: (-p.episodes.numerator, p.concept.code)))


def _outcome(
    group: list[tuple[CaseFile, MissingEpisode]],
    scoped: list[tuple[CaseFile, tuple[MissingEpisode, ...]]],
    now: datetime,
    window: timedelta,
) -> GroupOutcome:
    # each child's episodes are in time order: the next ones are found by binary search
    episodes_of = {case.child.id: eps for case, eps in scoped}
    seen_of = {child: [o.last_seen_at for o in eps] for child, eps in episodes_of.items()}
    durations = [e.duration for _, e in group if e.duration is not None]
    observable = repeated = 0
    for case, e in group:
        if e.ended_at is None or e.ended_at + window > now:
            continue
        observable += 1
        eps, seen = episodes_of[case.child.id], seen_of[case.child.id]
        start = bisect.bisect_left(seen, e.ended_at)
        stop = bisect.bisect_left(seen, e.ended_at + window)
        repeated += any(o.id != e.id for o in eps[start:stop])
    return GroupOutcome(
        children=len({case.child.id for case, _ in group}),
        episodes=len(group),
        closed=len(durations),
        median_duration=median_span(durations),
        repeated=Proportion(repeated, observable),
    )
