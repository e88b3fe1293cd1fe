"""One episode's formulation, for a strategy meeting.

:func:`episode_report` renders :func:`~missingcare.analysis.formulate`: the
child's timeline, the child's own words first, what came before, the push,
pull and protective factors and needs recorded, those the record suggests
(each with its evidence, marked as suggested, not recorded by staff), the
response on return and the actions agreed, the child's trusted adults, and
the question for the child.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from missingcare.analysis.config import DEFAULT_CONFIG, LensConfig
from missingcare.analysis.formulation import formulate
from missingcare.analysis.relationships import trusted_adult_picture
from missingcare.analysis.suggestions import SUGGESTED
from missingcare.case import CaseFile
from missingcare.records import recording_text
from missingcare.reports._render import Counts, TemplateSource, render, svg
from missingcare.typing import AsOf

__all__ = ["episode_report"]

#: The timeline shows at least this long before the episode, and this long after it.
_BEFORE, _AFTER = timedelta(days=60), timedelta(days=30)


def episode_report(
    case: CaseFile,
    episode_id: str,
    *,
    as_of: AsOf | None = None,
    config: LensConfig = DEFAULT_CONFIG,
    templates: TemplateSource | None = None,
) -> str:
    """The strategy-meeting page for the episode ``episode_id`` of ``case``.

    ``as_of`` decides what is overdue and what is known yet, as for
    :func:`~missingcare.analysis.formulate`. Raises ``KeyError`` for an unknown
    episode. Returns the HTML page.
    """
    f = formulate(case, episode_id, as_of=as_of, config=config)
    episode = case.episode(episode_id)
    now: datetime | None = None if as_of is None else f.before.end
    picture = trusted_adult_picture(case, episode.last_seen_at)
    from missingcare.research import plots  # noqa: PLC0415 - matplotlib on demand

    end = episode.ended_at or (now if now is not None else episode.last_seen_at)
    start = min(f.before.start, episode.last_seen_at - _BEFORE)

    factors = [
        ("Pushing away", f.push),
        ("Pulling towards", f.pull),
        ("What protected the child", f.protective),
    ]
    context: dict[str, Any] = {
        "title": "Episode formulation for a strategy meeting",
        "case": case,
        "episode": episode,
        "f": f,
        "now": now,
        "factors": factors,
        "suggested_note": SUGGESTED,
        "picture": picture,
        "question": f.sentences[-1],
        "timeline": svg(plots.timeline(case, now=end, window=(start, end + _AFTER))),
        "window": (start, end + _AFTER),
        # when the episode's record was written, or "recording time unknown"
        "recording": recording_text(
            episode.recorded, episode.zone, episode.ended_at or episode.last_seen_at
        ),
    }
    return render("episode.html.j2", context, zone=f.zone, counts=Counts(), templates=templates)
