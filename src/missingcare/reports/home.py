"""The registered manager's review of a home's missing episodes over a period.

:func:`home_report` renders it: the episodes by child and month, how long they
lasted, when and where the children went and were found, what came before
them (sanctions, conflicts, disrupted contact: the lens's
:func:`~missingcare.analysis.before_window`), return conversations offered,
accepted, declined and held in time (:func:`~missingcare.analysis.home_summary`),
what is overdue under the rule pack (:func:`~missingcare.rules.evaluate`), the
children's trusted adults, and two charts. Every rate is shown with its count.

With ``publishable=True`` (or a
:class:`~missingcare.research.extracts.SuppressionProfile`) the report is made
safe to share beyond the home: no child's id, no free text, no
record-level rows, and every count shown through the research layer's
disclosure control (1 to 9 as ``c``, the rest rounded; a table behind fewer
than 10 children is ``c`` throughout).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

import attrs
import polars as pl

from missingcare.analysis._common import median_span, now_of
from missingcare.analysis.before import before_window
from missingcare.analysis.config import DEFAULT_CONFIG, LensConfig
from missingcare.analysis.home import Proportion, home_summary
from missingcare.case import CaseFile
from missingcare.conversations import Decision
from missingcare.episodes import MissingEpisode
from missingcare.reports._render import Counts, TemplateSource, render, svg
from missingcare.research import patterns
from missingcare.research.extracts import (
    DEFAULT_SUPPRESSION,
    SUPPRESSED,
    PublishedTable,
    SuppressionProfile,
    publish,
    suppress,
)
from missingcare.research.tables import CaseTables, to_arrow
from missingcare.rules import RulePack, evaluate, get_pack
from missingcare.time import format_month, local_date, start_of_local_day
from missingcare.typing import AsOf

__all__ = ["home_report"]

#: The duration bands of the review, as (label, upper bound).
_BANDS: tuple[tuple[str, timedelta | None], ...] = (
    ("Under six hours", timedelta(hours=6)),
    ("Six hours to a day", timedelta(hours=24)),
    ("One to two days", timedelta(days=2)),
    ("Over two days", None),
)
#: What came before an episode, as (label, the lens's category group).
_BEFORE = (
    ("A conflict (with staff, another young person or family)", "conflict"),
    ("A sanction or restriction", "sanction"),
    ("Contact cancelled or changed", "contact_disrupted"),
)


@attrs.frozen
class _Row:
    case: CaseFile
    episode: MissingEpisode


def _band(e: MissingEpisode) -> str:
    if e.duration is None:
        return "Still open"
    for label, bound in _BANDS:
        if bound is None or e.duration < bound:
            return label
    raise AssertionError("unreachable")  # pragma: no cover


def _group(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """(label, child id) pairs as each label's child ids, one per thing counted."""
    out: dict[str, list[str]] = {}
    for label, child in pairs:
        out.setdefault(label, []).append(child)
    return out


def _month(at: datetime, zone: str) -> str:
    return format_month(local_date(at, zone))


def _zone_of(cases: list[CaseFile], home_id: str | None, pack: RulePack) -> str:
    for case in cases:
        for p in case.placements:
            if home_id is None or p.home_id == home_id:
                return p.zone
    return pack.zone or "UTC"


def _period_tables(tables: CaseTables, keys: set[tuple[str, str]]) -> CaseTables:
    """The research tables with only the period's episodes (for the charts)."""
    frame = pl.from_arrow(tables.episodes)
    assert isinstance(frame, pl.DataFrame)
    wanted = pl.DataFrame(
        {"child_id": [c for c, _ in keys], "episode_id": [e for _, e in keys]},
        schema={"child_id": pl.String, "episode_id": pl.String},
    )
    kept = frame.join(wanted, on=["child_id", "episode_id"], how="semi")
    return attrs.evolve(tables, episodes=kept.to_arrow().cast(tables.episodes.schema))


def _published(table: PublishedTable, label: str) -> list[dict[str, Any]]:
    return [dict(zip(table.frame.columns, r, strict=True)) for r in table.frame.iter_rows()] or [
        {label: "None in the period"}
    ]


def home_report(
    cases: Iterable[CaseFile],
    *,
    start: date,
    end: date,
    home_id: str | None = None,
    pack: RulePack | str = "GB-ENG",
    as_of: AsOf | None = None,
    publishable: bool | SuppressionProfile = False,
    config: LensConfig = DEFAULT_CONFIG,
    templates: TemplateSource | None = None,
) -> str:
    """The registered manager's review of ``home_id``'s episodes from ``start`` to ``end``.

    ``start`` and ``end`` are local dates in the home's zone, both included;
    the records are read as they stood at the end of ``end`` unless ``as_of``
    says otherwise (overdue duties are those due before ``as_of``). Without
    ``home_id``, every case file given is the home. Returns the HTML page.
    """
    files = sorted(cases, key=lambda c: c.child.id)
    the_pack = get_pack(pack) if isinstance(pack, str) else pack
    zone = _zone_of(files, home_id, the_pack)
    since = start_of_local_day(start, zone)
    until = start_of_local_day(end + timedelta(days=1), zone)
    now = until if as_of is None else now_of(as_of)
    profile = (
        publishable
        if isinstance(publishable, SuppressionProfile)
        else (DEFAULT_SUPPRESSION if publishable else None)
    )

    scoped: list[CaseFile] = []
    rows: list[_Row] = []
    for case in files:
        places = {p.id for p in case.placements if home_id is None or p.home_id == home_id}
        if not places:
            continue
        scoped.append(case)
        rows += (
            _Row(case, e)
            for e in sorted(case.episodes, key=lambda e: (e.last_seen_at, e.id))
            if e.placement_id in places and since <= e.last_seen_at < until
        )
    summary = home_summary(
        scoped, as_of=min(now, until), home_id=home_id, config=config, since=since
    )
    n_children = len(scoped)
    counts = Counts(profile, n_children)
    months = _months(start, end)

    # episodes by child and month
    by_child: dict[str, Counter[str]] = {c.child.id: Counter() for c in scoped}
    for r in rows:
        by_child[r.case.child.id][_month(r.episode.last_seen_at, zone)] += 1
    per_month = pl.DataFrame(
        {
            "month": months,
            "episodes": [sum(c[m] for c in by_child.values()) for m in months],
            "children": [sum(1 for c in by_child.values() if c[m]) for m in months],
        },
        schema={"month": pl.String, "episodes": pl.Int64, "children": pl.Int64},
    )

    # what came before, from the lens's before-window of each episode
    before: list[tuple[str, Proportion, int]] = []
    windows = {
        (r.case.child.id, r.episode.id): before_window(r.case, r.episode.id, config) for r in rows
    }
    for label, group in _BEFORE:
        codes = getattr(config.groups, group)
        hits = [
            child
            for (child, _), w in windows.items()
            if any(e.category.code in codes for e in w.entries)
        ]
        before.append((label, Proportion(len(hits), len(rows)), len(set(hits))))

    bands = _group((_band(r.episode), r.case.child.id) for r in rows)
    whereabouts = _group(
        (c.display, r.case.child.id) for r in rows for c in dict.fromkeys(r.episode.whereabouts)
    )
    found = _group(
        (r.episode.located.where.display, r.case.child.id)
        for r in rows
        if r.episode.located is not None and r.episode.located.where is not None
    )

    # overdue duties under the pack
    keys = {(r.case.child.id, r.episode.id) for r in rows}
    overdue: list[dict[str, Any]] = []
    for case in scoped:
        evaluation = evaluate(case, pack=the_pack, as_of=now)
        for f in evaluation.due_before(now):
            if f.episode_id is not None and (case.child.id, f.episode_id) not in keys:
                continue
            overdue.append(
                {
                    "child": case.child.id,
                    "title": the_pack.rule(f.rule.code, evaluation.edition).title,
                    "due": f.due,
                    "text": f.text,
                    "outcome": f.outcome.value.replace("_", " "),
                }
            )
    overdue.sort(key=lambda o: (o["due"], o["child"], o["title"]))
    overdue_by_rule = _group((o["title"], o["child"]) for o in overdue)

    tables = _period_tables(to_arrow(scoped), keys)
    hour_weekday = patterns.hour_by_weekday(tables)
    charts: list[tuple[str, Any]] = []
    from missingcare.research import plots  # noqa: PLC0415 - matplotlib on demand

    if profile is None:
        charts.append(("When children went missing", svg(plots.heatmap(hour_weekday))))
        monthly = patterns.conversation_rates(tables, by="month")
        if monthly.frame.height:
            charts.append(("Return conversations by month", svg(plots.timeliness(monthly))))
    else:
        charts.append(
            ("When children went missing", svg(plots.heatmap(publish(hour_weekday, profile))))
        )

    def published(
        frame: pl.DataFrame, count_cols: list[str], labels: list[str], children: str | None
    ) -> list[dict[str, Any]]:
        assert profile is not None
        table = suppress(
            frame,
            count_cols,
            labels=labels,
            children=children,
            population=n_children,
            profile=profile,
        )
        return _published(table, labels[0])

    def tally(
        groups: dict[str, list[str]], order: Iterable[str] | None = None
    ) -> list[tuple[str, Any]]:
        keys_ = (
            list(order) if order is not None else sorted(groups, key=lambda k: (-len(groups[k]), k))
        )
        return counts.tally(
            [(k, len(groups.get(k, ())), len(set(groups.get(k, ())))) for k in keys_]
        )

    context: dict[str, Any] = {
        "title": "Review of missing episodes",
        "home_id": home_id,
        "start": start,
        "end": end,
        "as_of": now,
        "pack": the_pack,
        "publishable": profile is not None,
        "profile": profile,
        "suppressed": SUPPRESSED,
        "children": n_children,
        "episodes": len(rows),
        "children_missing": sum(1 for c in by_child.values() if c),
        "months": months,
        "by_child": [
            (child, [c[m] for m in months], sum(c.values())) for child, c in by_child.items()
        ],
        "per_month": (
            published(per_month, ["episodes", "children"], ["month"], "children")
            if profile is not None
            else per_month.to_dicts()
        ),
        "rows": [
            {
                "child": r.case.child.id,
                "episode": r.episode,
                "band": _band(r.episode),
                "before": [
                    (c.category.display, c.count)
                    for c in windows[(r.case.child.id, r.episode.id)].by_category
                ],
                "conversation": _conversation(r, config.account_deadline, now),
            }
            for r in rows
        ]
        if profile is None
        else [],
        "bands": tally(bands, [b for b, _ in _BANDS] + ["Still open"]),
        "median": median_span([r.episode.duration for r in rows if r.episode.duration is not None]),
        "whereabouts": tally(whereabouts),
        "found": tally(found),
        "before": before,
        "summary": summary,
        "overdue": overdue if profile is None else [],
        "overdue_by_rule": tally(overdue_by_rule),
        "overdue_total": len(overdue),
        "adults": _adults(scoped, since, until) if profile is None else [],
        "charts": charts,
    }
    return render("home.html.j2", context, zone=zone, counts=counts, templates=templates)


def _months(start: date, end: date) -> list[str]:
    out: list[str] = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(format_month(date(y, m, 1)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _conversation(r: _Row, deadline: timedelta, now: datetime) -> str:
    e = r.episode
    if e.returned_at is None or e.returned_at > now:
        return "Not yet back" if e.is_open else "Return time not recorded"
    convs = r.case.conversations_for(e.id)
    held = [c.held_at for c in convs if c.held_at is not None and c.held_at <= now]
    if held:
        return "Held in time" if min(held) <= e.returned_at + deadline else "Held late"
    if any(c.decision is Decision.DECLINED for c in convs):
        return "Declined"
    if any(o.at <= now for c in convs for o in c.offers):
        return "Offered, not held"
    return "Not offered"


def _adults(cases: list[CaseFile], since: datetime, until: datetime) -> list[dict[str, Any]]:
    out = []
    for case in cases:
        adults = [
            ta
            for ta in case.trusted_adults
            if ta.named_at < until and (ta.ended_at is None or ta.ended_at >= since)
        ]
        out.append(
            {
                "child": case.child.id,
                "adults": [
                    {
                        "role": ta.role.display,
                        "named_at": ta.named_at,
                        "ended_at": ta.ended_at,
                        "contacts": sum(1 for k in ta.contacts if since <= k.at < until),
                    }
                    for ta in sorted(adults, key=lambda t: (t.named_at, t.id))
                ],
            }
        )
    return out
