"""The relational variable: does the child have an adult in the home to come back to?

:func:`trusted_adult_picture` describes, as of an instant, each trusted adult
the child has named: whether they are still there, how often they have been
in touch (over the last 30 and 90 days by default), when last, and whether
the child reached out to them during an episode and came back to them. It
prompts for a child with no trusted adult, an adult about to leave or gone,
and a long silence [ADV][LEEDS-C][NYAS][RTC19].
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from missingcare._known import KnownSource
from missingcare.analysis._common import (
    known_file,
    known_instant,
    local_text,
    lower_first,
    now_of,
    span,
)
from missingcare.analysis.config import DEFAULT_CONFIG, LensConfig
from missingcare.analysis.insights import Evidence, Insight, InsightKind, Param
from missingcare.case import CaseFile
from missingcare.relationships import TrustedAdult
from missingcare.typing import AsOf
from missingcare.vocab import Concept

__all__ = ["AdultStanding", "TrustedAdultPicture", "reached_insights", "trusted_adult_picture"]


@attrs.frozen
class AdultStanding:
    """Where one trusted adult stands in the child's life as of an instant.

    ``contacts_recent`` and ``contacts_longer`` count contacts in the two
    windows of the picture; ``reached_during`` lists the episodes in which
    the child contacted the adult, and ``came_back_after`` those that ended
    soon after such a contact.
    """

    trusted_adult_id: str
    adult_id: str
    role: Concept
    named_at: datetime
    present: bool
    ended_at: datetime | None
    end_reason: str | None
    contacts_recent: int
    contacts_longer: int
    last_contact_at: datetime | None
    reached_during: tuple[str, ...]
    came_back_after: tuple[str, ...]


@attrs.frozen
class TrustedAdultPicture:
    """The child's trusted adults as of ``as_of``, with prompts."""

    child_id: str
    as_of: datetime
    recent: timedelta
    longer: timedelta
    adults: tuple[AdultStanding, ...]
    insights: tuple[Insight, ...]

    @property
    def has_trusted_adult(self) -> bool:
        """Whether at least one trusted adult is present as of ``as_of``."""
        return any(a.present for a in self.adults)


def reached_insights(
    case: KnownSource,
    config: LensConfig = DEFAULT_CONFIG,
    *,
    as_of: datetime | None = None,
    known_at: datetime | None = None,
) -> tuple[Insight, ...]:
    """One insight per (trusted adult, episode) the child reached out in and came back soon.

    ``known_at`` (by default ``as_of``) reads only what had been recorded by then.
    """
    if as_of is not None:
        as_of = now_of(as_of)
    case = known_file(case, known_instant(as_of, known_at))
    out: list[Insight] = []
    for ta in sorted(case.trusted_adults, key=lambda t: t.id):
        for episode_id, index, gap in _came_back(case, ta, config, as_of):
            ep = case.episode(episode_id)
            params: tuple[Param, ...] = (
                ("what", lower_first(ta.role.display)),
                ("gap", span(gap)),
            )
            ev = (
                Evidence.record("trusted_adults", ta.id, within=f".contacts[{index}]"),
                Evidence.record("episodes", ep.id, within=".ended_at"),
            )
            out.append(
                Insight(
                    kind=InsightKind.TRUSTED_ADULT_REACHED,
                    child_id=case.child.id,
                    episode_id=ep.id,
                    params=params,
                    evidence=ev,
                )
            )
    return tuple(sorted(out, key=lambda i: (i.episode_id or "", i.evidence_paths)))


def _came_back(
    case: CaseFile, ta: TrustedAdult, config: LensConfig, as_of: datetime | None
) -> list[tuple[str, int, timedelta]]:
    """(episode id, index of the last contact in it, time to the end) for quick returns."""
    last: dict[str, int] = {}
    for i, contact in enumerate(ta.contacts):
        if contact.episode_id is None or contact.child_initiated is not True:
            continue
        if as_of is not None and contact.at > as_of:
            continue
        last[contact.episode_id] = i
    out = []
    for episode_id, i in sorted(last.items()):
        ended = case.episode(episode_id).ended_at
        if ended is None or (as_of is not None and ended > as_of):
            continue
        gap = ended - ta.contacts[i].at
        if timedelta(0) <= gap <= config.came_back_within:
            out.append((episode_id, i, gap))
    return out


def trusted_adult_picture(
    case: KnownSource,
    as_of: AsOf,
    config: LensConfig = DEFAULT_CONFIG,
    *,
    known_at: AsOf | None = None,
) -> TrustedAdultPicture:
    """The child's trusted adults as of ``as_of`` (an instant or a clock), with prompts.

    ``known_at`` (by default ``as_of``) reads only what had been recorded by then;
    ``case`` may be a :class:`~missingcare.history.CaseHistory`.
    """
    now = now_of(as_of)
    case = known_file(case, known_instant(now, known_at))
    named = sorted(
        (ta for ta in case.trusted_adults if ta.named_at <= now), key=lambda t: (t.named_at, t.id)
    )
    standings = []
    insights: list[Insight] = []
    for ta in named:
        seen = [c for c in ta.contacts if c.at <= now]
        reached = sorted(
            {c.episode_id for c in seen if c.episode_id is not None and c.child_initiated is True}
        )
        present = ta.is_present_at(now)
        standings.append(
            AdultStanding(
                trusted_adult_id=ta.id,
                adult_id=ta.adult_id,
                role=ta.role,
                named_at=ta.named_at,
                present=present,
                ended_at=ta.ended_at,
                end_reason=ta.end_reason,
                contacts_recent=sum(1 for c in seen if c.at > now - config.recent),
                contacts_longer=sum(1 for c in seen if c.at > now - config.longer),
                last_contact_at=seen[-1].at if seen else None,
                reached_during=tuple(reached),
                came_back_after=tuple(e for e, _, _ in _came_back(case, ta, config, now)),
            )
        )
        insights += _prompts(
            case,
            ta,
            present=present,
            last_contact=seen[-1].at if seen else None,
            now=now,
            config=config,
        )

    if not any(s.present for s in standings):
        ev = tuple(Evidence.record("trusted_adults", ta.id) for ta in named)
        insights.insert(
            0,
            Insight(
                kind=InsightKind.NO_TRUSTED_ADULT,
                child_id=case.child.id,
                episode_id=None,
                params=(("latest", local_text(now, _zone(case))),),
                evidence=ev or (Evidence("$.trusted_adults", "trusted_adults", ""),),
            ),
        )
    insights += reached_insights(case, config, as_of=now)
    return TrustedAdultPicture(
        child_id=case.child.id,
        as_of=now,
        recent=config.recent,
        longer=config.longer,
        adults=tuple(standings),
        insights=tuple(insights),
    )


def _zone(case: CaseFile) -> str:
    placements = sorted(case.placements, key=lambda p: (p.start is None, p.start, p.id))
    return placements[-1].zone if placements else "UTC"


def _prompts(
    case: CaseFile,
    ta: TrustedAdult,
    *,
    present: bool,
    last_contact: datetime | None,
    now: datetime,
    config: LensConfig,
) -> list[Insight]:
    what = lower_first(ta.role.display)

    def make(kind: InsightKind, gap: timedelta, within: str) -> Insight:
        return Insight(
            kind=kind,
            child_id=case.child.id,
            episode_id=None,
            params=(("what", what), ("gap", span(gap))),
            evidence=(Evidence.record("trusted_adults", ta.id, within=within),),
        )

    ended = ta.ended_at
    if ended is not None and ended > now and ended - now <= config.leaving_soon:
        return [make(InsightKind.TRUSTED_ADULT_LEAVING, ended - now, ".ended_at")]
    if ended is not None and ended <= now:
        if now - ended <= config.longer:
            return [make(InsightKind.TRUSTED_ADULT_GONE, now - ended, ".ended_at")]
        return []
    since = last_contact if last_contact is not None else ta.named_at
    if present and now - since >= config.long_absence:
        within = ".contacts" if last_contact is not None else ".named_at"
        return [make(InsightKind.TRUSTED_ADULT_DISTANT, now - since, within)]
    return []
