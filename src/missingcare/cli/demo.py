"""``missingcare demo``: a small synthetic home's year, and what missingcare makes of it.

It shows validation and the JSON round trip, the children, what is overdue
today under the England pack, one episode's formulation (the child's words
first, the suggestions from the record with their evidence, what protected
the child) and the home's patterns, with the return conversations counted as
national reports count them. Every record is generated; none is about a real child.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from missingcare.case import CaseFile
from missingcare.cli._common import ExitCode
from missingcare.converters import from_json, to_json
from missingcare.testing.synth import Cohort
from missingcare.time import format_local, local_datetime, start_of_local_day

if TYPE_CHECKING:
    from missingcare.analysis import EpisodeFormulation

__all__ = ["demo"]

_72H = timedelta(hours=72)
_9H = timedelta(hours=9)


def _median(values: Sequence[timedelta]) -> timedelta | None:
    if not values:
        return None
    return timedelta(seconds=statistics.median(v.total_seconds() for v in values))


def _span(value: timedelta | None) -> str:
    if value is None:
        return "-"
    hours = value.total_seconds() / 3600
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


@click.command("demo")
@click.option("--seed", type=int, default=2026, show_default=True, help="The random seed.")
@click.option("--children", type=click.IntRange(1, 12), default=6, show_default=True)
def demo(seed: int, children: int) -> int:
    """Generate a small synthetic home's year and show what missingcare makes of it."""
    cohort = Cohort(children=children, seed=seed, children_per_home=children)
    home = cohort.home(0)
    as_of = cohort.as_of(home.zone)
    console = Console(highlight=False)
    cases = list(cohort)
    last_day = cohort.end - timedelta(days=1)
    console.print(
        Panel(
            f"A synthetic children's home ({home.id}, {home.zone}): {children} children, "
            f"{cohort.start:%d %B %Y} to {last_day:%d %B %Y}.\n"
            "Every record is generated; none is about a real child.",
            title="missingcare demo",
        )
    )

    # 1. validation: every case file holds the model's invariants and round-trips
    same = sum(1 for c in cases if from_json(to_json(c), CaseFile) == c)
    episodes = [e for c in cases for e in c.episodes]
    console.print(
        f"[bold]Validation[/]: {len(cases)} case files, {len(episodes)} episodes; "
        f"{same} of {len(cases)} round-trip through JSON unchanged."
    )

    # 2. the children
    table = Table(title="The children this year")
    table.add_column("child", no_wrap=True)
    for column in ("age", "episodes", "median away", "talks held", "trusted adult"):
        table.add_column(column, justify="right")
    for c in cases:
        durations = [e.duration for e in c.episodes if e.duration is not None]
        held = [v for v in c.conversations if v.held_at is not None]
        dob = c.child.date_of_birth
        age = "-" if dob is None else str((last_day - dob).days // 365)
        trusted = any(ta.is_present_at(as_of - timedelta(seconds=1)) for ta in c.trusted_adults)
        table.add_row(
            c.child.id,
            age,
            str(len(c.episodes)),
            _span(_median(durations)),
            str(len(held)),
            "yes" if trusted else "no",
        )
    console.print(table)

    # 3. what is overdue today, under the England pack
    _demo_overdue(console, cases, start_of_local_day(last_day, home.zone) + _9H, home.zone)

    # 4. one episode's formulation
    _demo_formulation(console, cases, as_of)

    # 5. the home's patterns
    _demo_patterns(console, cases, as_of, home.id)
    return ExitCode.OK


def _demo_overdue(console: Console, cases: list[CaseFile], today: datetime, zone: str) -> None:
    from missingcare.rules import evaluate  # noqa: PLC0415

    overdue: list[tuple[datetime, str, str]] = []
    soon: list[tuple[datetime, str, str]] = []
    totals: Counter[str] = Counter()
    for case in cases:
        evaluation = evaluate(case, pack="GB-ENG", as_of=today)
        for outcome, n in evaluation.counts().items():
            totals[outcome.value] += n
        for f in evaluation.outstanding():
            if f.due is None:
                continue
            row = (f.due, f.rule.code, f.text)
            if f.due < today:
                overdue.append(row)
            elif f.due < today + _72H:
                soon.append(row)
    when = format_local(today, zone)
    table = Table(title=f"Overdue and due soon, as of {when} (GB-ENG pack)")
    table.add_column("due", no_wrap=True)
    table.add_column("rule", no_wrap=True)
    table.add_column("what", overflow="fold")
    for due, code, text in sorted(soon):
        table.add_row(format_local(due, zone, "short"), code, text)
    for due, code, text in sorted(overdue, reverse=True)[:6]:
        table.add_row(f"[red]{format_local(due, zone, 'short')}[/]", code, text)
    console.print(table)
    console.print(
        f"{len(overdue)} overdue (the 6 most recent shown), {len(soon)} due in the next 72 hours. "
        "Findings over the year: "
        + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(totals.items()))
        + "."
    )


def _demo_formulation(console: Console, cases: list[CaseFile], as_of: datetime) -> None:
    from missingcare.analysis import SuggestionKind, formulate  # noqa: PLC0415

    def score(f: EpisodeFormulation) -> tuple[bool, bool, bool, int]:
        protective = bool(f.protective) or any(
            s.kind is SuggestionKind.PROTECTIVE for s in f.suggestions
        )
        other = any(s.kind is not SuggestionKind.PROTECTIVE for s in f.suggestions)
        return (bool(f.child_words), other, protective, len(f.child_words))

    # the episode that shows most: the child's words, a suggestion and a protective factor
    best: EpisodeFormulation | None = None
    for case in cases:
        for episode in case.episodes_in_order():
            f = formulate(case, episode.id, as_of=as_of)
            if best is None or score(f) > score(best):
                best = f
    if best is None:
        console.print("[bold]Formulation[/]: no episode this year.")
        return
    console.print(
        Panel(
            "\n".join(best.sentences),
            title=f"What might episode {best.episode_id} have been saying?",
        )
    )
    if best.suggestions:
        table = Table(
            title=f"Suggested from the record, not recorded by staff ({best.episode_id})",
            expand=True,
        )
        table.add_column("suggests", ratio=3)
        table.add_column("from", ratio=3)
        table.add_column("evidence", overflow="fold", ratio=5)
        table.add_column("cues", overflow="fold", ratio=2)
        for s in best.suggestions:
            table.add_row(
                f"{s.kind.label}: {s.concept.display}",
                ", ".join(s.because),
                "\n".join(s.evidence_paths),
                ", ".join(s.cue_ids),
            )
        console.print(table)


def _demo_patterns(console: Console, cases: list[CaseFile], as_of: datetime, home_id: str) -> None:
    from missingcare.analysis import home_summary  # noqa: PLC0415

    summary = home_summary(cases, as_of=as_of, home_id=home_id)
    table = Table(title="The home's patterns")
    table.add_column("measure")
    table.add_column("count", justify="right")
    table.add_column("of", justify="right")
    for row in summary.as_rows():
        table.add_row(str(row["measure"]), str(row["numerator"]), str(row["denominator"]))
    episodes = [e for c in cases for e in c.episodes]
    buckets: Counter[str] = Counter()
    days: Counter[str] = Counter()
    for e in episodes:
        local = local_datetime(e.last_seen_at, e.zone)
        buckets[_bucket(local.hour)] += 1
        days["weekend" if local.weekday() >= 5 else "weekday"] += 1
    for name in ("morning 06-12", "afternoon 12-18", "evening 18-22", "night 22-06"):
        table.add_row(f"episodes starting in the {name}", str(buckets[name]), str(len(episodes)))
    table.add_row("episodes starting at the weekend", str(days["weekend"]), str(len(episodes)))
    console.print(table)
    med_with = summary.with_trusted_adult.median_duration
    med_without = summary.without_trusted_adult.median_duration
    console.print(
        f"Median time away: {_span(med_with)} with a trusted adult present, "
        f"{_span(med_without)} without."
    )


def _bucket(hour: int) -> str:
    if 6 <= hour < 12:
        return "morning 06-12"
    if 12 <= hour < 18:
        return "afternoon 12-18"
    if 18 <= hour < 22:
        return "evening 18-22"
    return "night 22-06"
