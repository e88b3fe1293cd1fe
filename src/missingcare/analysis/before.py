"""The before-window: what was happening in the child's life before they were last seen.

For one episode, :func:`before_window` gathers the child's context entries
in a window before "last seen" (72 hours by default, or since the previous
episode ended), counts them by category, and raises insights for the
patterns practice guidance names as antecedents [PKC][WALES][MO][YORK98]:
a conflict left unresolved, sanctions or restrictions, contact cancelled or
changed, the trusted adult off shift, on leave or gone, a need escalating
against the child's own baseline, and pull signals nobody named as a
factor. It also lists the child's significant dates that fell in the window
(a parent's birthday, an anniversary, a court date) and whether contact was
arranged for them.

Only what was recorded as happening *before* the child was last seen is
read: an entry written about a later time can never change the window.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import attrs

from missingcare.analysis._common import (
    displays,
    local_text,
    lower_first,
    previous_episode,
    records,
    span,
)
from missingcare.analysis.config import DEFAULT_CONFIG, LensConfig
from missingcare.analysis.insights import Evidence, Insight, InsightKind, Param
from missingcare.case import CaseFile
from missingcare.context import ContextEntry
from missingcare.dates import SignificantDate
from missingcare.episodes import MissingEpisode
from missingcare.factors import FactorDirection
from missingcare.time import format_local_date, local_date
from missingcare.vocab import Concept

__all__ = ["BeforeWindow", "CategoryCount", "DateInWindow", "before_window", "window_log"]


@attrs.frozen
class DateInWindow:
    """A significant date that fell in the before-window, and whether contact was arranged.

    ``on`` is its local date; ``contact_arranged`` is the record's answer, or
    ``True`` when the log holds contact with family that day (``contact_entry_ids``).
    """

    record: SignificantDate
    on: date
    contact_arranged: bool | None
    contact_entry_ids: tuple[str, ...] = ()

    @property
    def evidence(self) -> Evidence:
        """The date's record in the case file."""
        return Evidence.record("significant_dates", self.record.id)

    def sentence(self) -> str:
        """The date in words, with whether contact was arranged."""
        whose = f" ({self.record.whose})" if self.record.whose else ""
        what = f"{lower_first(self.record.kind.display)}{whose} on {format_local_date(self.on)}"
        if self.contact_arranged is True:
            return f"{what}: contact was arranged."
        if self.contact_arranged is False:
            return f"{what}: no contact was arranged."
        return f"{what}: the record does not say whether contact was arranged."


@attrs.frozen
class CategoryCount:
    """How many entries of one category the window holds, and which."""

    category: Concept
    count: int
    entry_ids: tuple[str, ...]


@attrs.frozen
class BeforeWindow:
    """The child's context before one episode, summarised, with its insights.

    ``start <= entry.at < end``, where ``end`` is when the child was last seen;
    ``since_previous_episode`` says whether ``start`` is where the previous
    episode ended. ``entries`` are in time order; ``by_category`` is sorted
    by count (most first), then code.
    """

    child_id: str
    episode_id: str
    zone: str
    start: datetime
    end: datetime
    since_previous_episode: bool
    entries: tuple[ContextEntry, ...]
    by_category: tuple[CategoryCount, ...]
    insights: tuple[Insight, ...]
    dates: tuple[DateInWindow, ...] = ()

    @property
    def label(self) -> str:
        """The window in words: ``72 hours`` or ``time since the previous episode``."""
        if self.since_previous_episode:
            return "time since the previous episode"
        return span(self.end - self.start)

    def kinds(self) -> tuple[InsightKind, ...]:
        """The kinds of insight raised, in order."""
        return tuple(i.kind for i in self.insights)

    def summary(self) -> str:
        """One sentence: what the log holds in the window, by category."""
        when = local_text(self.end, self.zone)
        if not self.entries:
            return f"No log entries are recorded in the {self.label} before {when}."
        parts = ", ".join(
            f"{lower_first(c.category.display)} ({c.count})" for c in self.by_category
        )
        n = len(self.entries)
        noun = "entry" if n == 1 else "entries"
        return f"In the {self.label} before {when}, the log holds {n} {noun}: {parts}."


def _window_start(
    case: CaseFile, episode: MissingEpisode, config: LensConfig
) -> tuple[datetime, bool]:
    end = episode.last_seen_at
    if config.since_previous_episode:
        prev = previous_episode(case, episode)
        if prev is not None:
            prev_end = prev.returned_at or prev.ended_at
            if prev_end is not None:
                return min(prev_end, end), True
    return end - config.window, False


def _ev(entries: Sequence[ContextEntry]) -> tuple[Evidence, ...]:
    return tuple(Evidence.record("context", c.id) for c in entries)


def _insight(
    kind: InsightKind, episode: MissingEpisode, params: tuple[Param, ...], ev: tuple[Evidence, ...]
) -> Insight:
    return Insight(
        kind=kind, child_id=episode.child_id, episode_id=episode.id, params=params, evidence=ev
    )


def _simple(
    kind: InsightKind,
    episode: MissingEpisode,
    found: Sequence[ContextEntry],
    label: str,
) -> list[Insight]:
    if not found:
        return []
    params: tuple[Param, ...] = (
        ("count", len(found)),
        ("what", displays(c.category for c in found)),
        ("window", label),
    )
    return [_insight(kind, episode, params, _ev(found))]


def before_window(
    case: CaseFile, episode_id: str, config: LensConfig = DEFAULT_CONFIG
) -> BeforeWindow:
    """The before-window of the episode ``episode_id`` and the insights it raises.

    Raises ``KeyError`` if the case file has no such episode.
    """
    episode = case.episode(episode_id)
    groups = config.groups
    end = episode.last_seen_at
    start, since_previous = _window_start(case, episode, config)
    # every look-back below reaches no further than this: the rest of the log is never read
    reach = min(start - config.baseline, end - config.loss_lookback, end - config.signal_lookback)
    prior = case.context_between(reach, end)
    window = case.context_between(start, end)  # window_log's entries
    label = "time since the previous episode" if since_previous else span(end - start)

    insights: list[Insight] = []

    # a conflict with no recorded resolution before the child was last seen
    unresolved = [
        c
        for c in window
        if c.category.code in groups.conflict and not case.resolved_before(c.id, end)
    ]
    if unresolved:
        latest = unresolved[-1]
        params: tuple[Param, ...] = (
            ("count", len(unresolved)),
            ("what", displays(c.category for c in unresolved)),
            ("window", label),
            ("latest", local_text(latest.at, episode.zone)),
            ("gap", span(end - latest.at)),
        )
        insights.append(_insight(InsightKind.UNRESOLVED_CONFLICT, episode, params, _ev(unresolved)))

    insights += _simple(
        InsightKind.SANCTION_BEFORE,
        episode,
        [c for c in window if c.category.code in groups.sanction],
        label,
    )
    insights += _simple(
        InsightKind.CONTACT_DISRUPTED,
        episode,
        [c for c in window if c.category.code in groups.contact_disrupted],
        label,
    )
    insights += _simple(
        InsightKind.TRUSTED_ADULT_UNAVAILABLE,
        episode,
        [c for c in window if c.category.code in groups.adult_unavailable],
        label,
    )
    insights += _adult_lost(case, episode, prior, config)
    insights += _escalating(episode, prior, start, label, config)
    insights += _unnamed_pulls(case, episode, prior, config)

    return BeforeWindow(
        child_id=episode.child_id,
        episode_id=episode.id,
        zone=episode.zone,
        start=start,
        end=end,
        since_previous_episode=since_previous,
        entries=window,
        by_category=_by_category(window),
        insights=tuple(insights),
        dates=_dates(case, episode, start, end, groups.contact_kept),
    )


def window_log(
    case: CaseFile, episode_id: str, config: LensConfig = DEFAULT_CONFIG
) -> tuple[tuple[ContextEntry, ...], tuple[DateInWindow, ...]]:
    """The ``entries`` and ``dates`` of :func:`before_window`, without its insights
    (for a reader of the window's log alone: the cues of an exploitation screening).

    Raises ``KeyError`` if the case file has no such episode.
    """
    episode = case.episode(episode_id)
    end = episode.last_seen_at
    start, _ = _window_start(case, episode, config)
    dates = _dates(case, episode, start, end, config.groups.contact_kept)
    return case.context_between(start, end), dates


def _dates(
    case: CaseFile,
    episode: MissingEpisode,
    start: datetime,
    end: datetime,
    contact_kept: frozenset[str],
) -> tuple[DateInWindow, ...]:
    if not case.significant_dates:
        return ()
    first, last = local_date(start, episode.zone), local_date(end, episode.zone)
    out: list[DateInWindow] = []
    for record in case.significant_dates:
        for year in range(first.year, last.year + 1):
            on = record.occurrence_in(year)
            if on is None or not first <= on <= last:
                continue
            held = tuple(
                c.id
                for c in case.context_between(start, end)
                if c.category.code in contact_kept and local_date(c.at, episode.zone) == on
            )
            arranged = True if held else record.contact_arranged
            out.append(DateInWindow(record, on, arranged, held))
    return tuple(sorted(out, key=lambda d: (d.on, d.record.id)))


def _by_category(window: Sequence[ContextEntry]) -> tuple[CategoryCount, ...]:
    groups: dict[str, list[ContextEntry]] = {}
    for c in window:
        groups.setdefault(c.category.code, []).append(c)
    counts = [
        CategoryCount(
            category=min(c.category for c in found),
            count=len(found),
            entry_ids=tuple(c.id for c in found),
        )
        for found in groups.values()
    ]
    return tuple(sorted(counts, key=lambda c: (-c.count, c.category.code)))


def _adult_lost(
    case: CaseFile,
    episode: MissingEpisode,
    prior: Sequence[ContextEntry],
    config: LensConfig,
) -> list[Insight]:
    end = episode.last_seen_at
    since = end - config.loss_lookback
    adults = sorted(
        (
            ta
            for ta in case.trusted_adults
            if ta.ended_at is not None and since <= ta.ended_at < end and ta.named_at < end
        ),
        key=lambda ta: (ta.ended_at or end, ta.id),
    )
    left = [c for c in prior if c.at >= since and c.category.code in config.groups.adult_left]
    if not adults and not left:
        return []
    named = {ta.adult_id for ta in adults}
    items = [f"trusted adult ({lower_first(ta.role.display)})" for ta in adults]
    items += [lower_first(c.category.display) for c in left if not named.intersection(c.adult_ids)]
    times = [ta.ended_at for ta in adults if ta.ended_at is not None] + [c.at for c in left]
    params: tuple[Param, ...] = (
        ("what", ", ".join(dict.fromkeys(items))),
        ("gap", span(end - max(times))),
    )
    ev = tuple(Evidence.record("trusted_adults", ta.id) for ta in adults) + _ev(left)
    return [_insight(InsightKind.TRUSTED_ADULT_LOST, episode, params, ev)]


def _escalating(
    episode: MissingEpisode,
    prior: Sequence[ContextEntry],
    start: datetime,
    label: str,
    config: LensConfig,
) -> list[Insight]:
    end = episode.last_seen_at
    window_length = end - start
    base_start = start - config.baseline
    needs: dict[str, Concept] = {}
    for c in prior:
        for need in c.needs:
            if c.at >= start:
                needs[need.code] = min(needs.get(need.code, need), need)
    out: list[Insight] = []
    for code in sorted(needs):
        found = [c for c in prior if c.at >= start and any(n.code == code for n in c.needs)]
        baseline = [
            c for c in prior if base_start <= c.at < start and any(n.code == code for n in c.needs)
        ]
        expected = len(baseline) * (window_length / config.baseline)
        if len(found) >= config.escalation_min and len(found) > config.escalation_ratio * expected:
            params: tuple[Param, ...] = (
                ("what", lower_first(needs[code].display)),
                ("count", len(found)),
                ("window", label),
                ("baseline", len(baseline)),
                ("baseline_window", span(config.baseline)),
            )
            out.append(_insight(InsightKind.NEED_ESCALATING, episode, params, _ev(found)))
    return out


def _unnamed_pulls(
    case: CaseFile,
    episode: MissingEpisode,
    prior: Sequence[ContextEntry],
    config: LensConfig,
) -> list[Insight]:
    end = episode.last_seen_at
    since = end - config.signal_lookback
    groups = config.groups
    signals: dict[str, list[ContextEntry]] = {}
    signal_codes = groups.signals
    for c in prior:
        if c.at >= since and c.category.code in signal_codes:
            signals.setdefault(c.category.code, []).append(c)
    index = records(case)
    named_codes = {code for code, first in index.first_pull.items() if first < end} | {
        f.concept.code
        for f in index.factors.get(episode.id, ())
        if f.direction is FactorDirection.PULL
    }
    out: list[Insight] = []
    for code in sorted(signals):
        if groups.named_by(code) & named_codes:
            continue
        found = signals[code]
        params: tuple[Param, ...] = (
            ("what", displays(c.category for c in found)),
            ("count", len(found)),
            ("lookback", span(config.signal_lookback)),
        )
        out.append(_insight(InsightKind.UNNAMED_PULL_SIGNAL, episode, params, _ev(found)))
    return out
