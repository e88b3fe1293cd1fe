"""Ofsted Annex A List 8 (children in care): the missing-episode columns.

List 8 asks, per child in care (anchors §3.3, §6.3):

* the number of episodes the child has been *missing* from their placement in
  the last 12 months;
* the number of episodes the child has been *absent* (away without
  authorisation) in the last 12 months;
* whether the child was offered a return interview after their last missing
  episode, and whether they accepted it.

Episodes are counted as the 903 return counts them (one per 903 row, so an
episode that went from away to missing counts once in each column), by the
local date they started, in the 12 months up to and including ``as_of``
(after the same date a year earlier). The "last missing episode" is the
latest episode with a missing status that started on or before ``as_of``.

An offer or acceptance with no record is ``UNKNOWN``, never ``NO``: a missing
record is not evidence either way.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date

import attrs

from missingcare.adapters.ssda903.derive import DEFAULT_STATUS_CODES, _segments
from missingcare.case import CaseFile
from missingcare.conversations import Decision
from missingcare.episodes import MissingEpisode
from missingcare.time import local_date

__all__ = ["AnnexAAnswer", "AnnexAList8", "annex_a_list8"]


class AnnexAAnswer(enum.Enum):
    """Annex A's answer to a yes/no question, with "unknown" for no record."""

    YES = "Y"
    NO = "N"
    UNKNOWN = "Unknown"


@attrs.frozen
class AnnexAList8:
    """The List 8 missing-episode columns for one child.

    ``offered`` and ``accepted`` are ``None`` when the child has no missing
    episode up to ``as_of`` (the columns are then left blank).
    """

    child_id: str
    as_of: date
    missing_episodes: int
    away_episodes: int
    offered: AnnexAAnswer | None
    accepted: AnnexAAnswer | None


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return date(day.year - 1, 2, 28)


def _last_missing(case: CaseFile, as_of: date) -> MissingEpisode | None:
    best: MissingEpisode | None = None
    for ep in case.episodes:
        if local_date(ep.last_seen_at, ep.zone) > as_of:
            continue
        if not any(s.status.code == "missing" for s in ep.statuses):
            continue
        if best is None or (ep.last_seen_at, ep.id) > (best.last_seen_at, best.id):
            best = ep
    return best


def annex_a_list8(
    case: CaseFile,
    as_of: date,
    *,
    status_codes: Mapping[str, str] = DEFAULT_STATUS_CODES,
) -> AnnexAList8:
    """The child's List 8 missing-episode columns as of the local date ``as_of``."""
    since = _year_before(as_of)
    counts = {"M": 0, "A": 0}
    for code, start, _end in _segments(case, status_codes):
        if since < start <= as_of:
            counts[code] = counts.get(code, 0) + 1
    last = _last_missing(case, as_of)
    offered: AnnexAAnswer | None = None
    accepted: AnnexAAnswer | None = None
    if last is not None:
        convs = case.conversations_for(last.id)
        if any(c.offers or c.decision is not None or c.was_held for c in convs):
            offered = AnnexAAnswer.YES
        else:
            offered = AnnexAAnswer.UNKNOWN
        if any(c.decision is Decision.ACCEPTED or c.was_held for c in convs):
            accepted = AnnexAAnswer.YES
        elif any(c.decision is Decision.DECLINED for c in convs):
            accepted = AnnexAAnswer.NO
        else:
            accepted = AnnexAAnswer.UNKNOWN
    return AnnexAList8(case.child.id, as_of, counts["M"], counts["A"], offered, accepted)
