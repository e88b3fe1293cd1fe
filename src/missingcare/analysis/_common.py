"""Helpers shared by the analysis modules (private)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType

import attrs

from missingcare._known import KnownSource, known_case, read_instant
from missingcare.case import CaseFile
from missingcare.context import ContextEntry
from missingcare.episodes import MissingEpisode
from missingcare.factors import Factor, FactorDirection, UnmetNeed
from missingcare.relationships import TrustedAdult
from missingcare.time import format_local
from missingcare.typing import AsOf
from missingcare.vocab import Concept


def now_of(as_of: AsOf) -> datetime:
    """The instant ``as_of`` stands for (a clock is read once)."""
    return read_instant(as_of, "$.as_of")


def known_instant(now: datetime | None, known_at: AsOf | None) -> datetime | None:
    """The instant the lens reads the record as known at: ``known_at``, by default ``now``
    (the instant ``as_of`` stands for); ``None`` when neither is given (everything)."""
    return now if known_at is None else read_instant(known_at, "$.known_at")


def known_file(case: KnownSource, known: datetime | None) -> CaseFile:
    """The case file the lens reads: ``case`` as known at the instant ``known``."""
    if isinstance(case, CaseFile) and known is not None:
        # the lens asks about one episode at a time: the file as known is worked out once
        return case.derived(("lens.known_at", known), lambda: known_case(case, known))
    return known_case(case, known)


def episodes_in_order(case: CaseFile) -> tuple[MissingEpisode, ...]:
    """The child's episodes by last seen, then id."""
    return case.episodes_in_order()


def entries_in_order(entries: Iterable[ContextEntry]) -> tuple[ContextEntry, ...]:
    """Context entries by time, then id."""
    return tuple(sorted(entries, key=lambda c: (c.at, c.id)))


def previous_episode(case: CaseFile, episode: MissingEpisode) -> MissingEpisode | None:
    """The episode before ``episode``, if any."""
    i = case.episode_position(episode.id)
    return case.episodes_in_order()[i - 1] if i > 0 else None


def next_episode(case: CaseFile, episode: MissingEpisode) -> MissingEpisode | None:
    """The episode after ``episode``, if any."""
    ordered = case.episodes_in_order()
    i = case.episode_position(episode.id) + 1
    return ordered[i] if i < len(ordered) else None


def median_span(values: Iterable[timedelta]) -> timedelta | None:
    """The median of some lengths of time, or ``None`` if there are none."""
    ordered = sorted(values)
    if not ordered:
        return None
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def span(value: timedelta) -> str:
    """A length of time in words: ``72 hours``, ``14 days``, ``2 hours 30 minutes``.

    >>> span(timedelta(hours=72)), span(timedelta(days=14)), span(timedelta(minutes=90))
    ('72 hours', '14 days', '1 hour 30 minutes')
    """
    minutes = int(abs(value).total_seconds() // 60)
    days, rem = divmod(minutes, 24 * 60)
    hours, mins = divmod(rem, 60)
    if days >= 4:
        days += 1 if rem >= 12 * 60 else 0
        return _plural(days, "day")
    hours += days * 24
    if hours and mins:
        return f"{_plural(hours, 'hour')} {_plural(mins, 'minute')}"
    if hours:
        return _plural(hours, "hour")
    return _plural(mins, "minute")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def local_text(at: datetime, zone: str) -> str:
    """``19:00 on Tue 3 March 2026 (GMT)``: the wall-clock time in ``zone`` for people.

    :func:`~missingcare.time.format_local` in its long form: the zone's
    abbreviation beside the time, English names, never the host's locale.
    """
    return format_local(at, zone)


def lower_first(text: str) -> str:
    """``Older peers`` → ``older peers`` (a display label inside a sentence)."""
    return text[:1].lower() + text[1:] if text else text


def displays(concepts: Iterable[Concept]) -> str:
    """Distinct display labels in first-seen order, lower-cased, joined with commas."""
    seen: list[str] = []
    for concept in concepts:
        label = lower_first(concept.display)
        if label not in seen:
            seen.append(label)
    return ", ".join(seen)


@attrs.frozen
class Records:
    """A case file's factors, needs and contacts indexed by episode (built once per file).

    ``general_*`` are the records tied to no episode; ``first_pull`` the
    earliest ``noted_at`` of each pull factor's code; ``contacts`` each
    episode's contacts with trusted adults as (adult record, index).
    """

    factors: Mapping[str, tuple[Factor, ...]]
    general_factors: tuple[Factor, ...]
    needs: Mapping[str, tuple[UnmetNeed, ...]]
    general_needs: tuple[UnmetNeed, ...]
    first_pull: Mapping[str, datetime]
    contacts: Mapping[str, tuple[tuple[TrustedAdult, int], ...]]


def records(case: CaseFile) -> Records:
    """The :class:`Records` index of ``case``, built on first use and kept with it."""
    return case.derived("lens.records", lambda: _records(case))


def _records(case: CaseFile) -> Records:
    factors: dict[str, list[Factor]] = {}
    first_pull: dict[str, datetime] = {}
    for f in case.factors:
        for eid in f.episode_ids:
            factors.setdefault(eid, []).append(f)
        if f.direction is FactorDirection.PULL:
            code = f.concept.code
            first_pull[code] = min(first_pull.get(code, f.noted_at), f.noted_at)
    needs: dict[str, list[UnmetNeed]] = {}
    for n in case.needs:
        for eid in n.episode_ids:
            needs.setdefault(eid, []).append(n)
    contacts: dict[str, list[tuple[TrustedAdult, int]]] = {}
    for ta in sorted(case.trusted_adults, key=lambda t: t.id):
        for i, contact in enumerate(ta.contacts):
            if contact.episode_id is not None:
                contacts.setdefault(contact.episode_id, []).append((ta, i))
    return Records(
        factors=MappingProxyType({k: tuple(v) for k, v in factors.items()}),
        general_factors=tuple(f for f in case.factors if not f.episode_ids),
        needs=MappingProxyType({k: tuple(v) for k, v in needs.items()}),
        general_needs=tuple(n for n in case.needs if not n.episode_ids),
        first_pull=MappingProxyType(first_pull),
        contacts=MappingProxyType({k: tuple(v) for k, v in contacts.items()}),
    )
