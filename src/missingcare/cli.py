"""The ``missingcare`` command: demo, check, synth (needs the ``cli`` extra).

* ``missingcare demo`` generates a small synthetic home's year and shows what
  the library does with it: validation, what is overdue today under the
  England pack, one episode's formulation, and the home's patterns;
* ``missingcare check FILE`` reads JSON or JSON-lines case files and reports
  the England pack's findings, as a table or ``--format json``;
* ``missingcare synth --children N --seed S --out DIR`` writes a synthetic
  cohort as JSON lines (and the SSDA903 Missing, Header and Episodes tables)
  with a manifest;
* ``missingcare 903 …`` appears when :mod:`missingcare.cli_903` is installed.

Exit codes: 0 success; 1 when ``check`` finds something breached; 2 for
unusable input or usage. Every failure is one line on standard error naming
the problem (never the data, never a traceback).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.util
import json
import statistics
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from missingcare._version import __version__
from missingcare.case import CaseFile
from missingcare.converters import SCHEMA_VERSION, from_dict, from_json, to_json
from missingcare.exceptions import MissingCareError, ValidationError
from missingcare.testing.synth import Cohort
from missingcare.time import (
    SystemClock,
    format_instant,
    local_datetime,
    parse_instant,
    start_of_local_day,
    tzdata_version,
)

__all__ = ["EXIT_FLAGGED", "EXIT_OK", "EXIT_UNUSABLE", "UnusableInput", "main"]

EXIT_OK = 0
#: ``check`` found something breached.
EXIT_FLAGGED = 1
#: The input or the command line could not be used.
EXIT_UNUSABLE = 2

_72H = timedelta(hours=72)
_9H = timedelta(hours=9)


class UnusableInput(click.ClickException):
    """Input the command cannot use: a missing file, bad JSON, a wrong schema version."""

    exit_code = EXIT_UNUSABLE


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"missingcare: error: {_one_line(message)}", err=True)
    sys.exit(code)


class _Group(click.Group):
    """The top-level group: one-line errors and fixed exit codes, never a traceback."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            rv = super().main(
                args=args,
                prog_name=prog_name or "missingcare",
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
        except click.ClickException as exc:
            _fail(exc.format_message(), exc.exit_code)
        except click.Abort:
            _fail("aborted", EXIT_FLAGGED)
        except MissingCareError as exc:
            _fail(f"{type(exc).__name__}: the input could not be used", EXIT_UNUSABLE)
        except OSError as exc:
            where = f"{Path(str(exc.filename)).name}: " if exc.filename else ""
            _fail(f"{where}{exc.strerror or type(exc).__name__}", EXIT_UNUSABLE)
        except Exception as exc:  # the top-level handler: never a traceback
            _fail(f"unexpected {type(exc).__name__}; please report this bug", EXIT_UNUSABLE)
        code = rv if isinstance(rv, int) else EXIT_OK
        if standalone_mode:
            sys.exit(code)
        return code

    # ``903`` is attached lazily, only when missingcare.cli_903 is installed.
    def list_commands(self, ctx: click.Context) -> list[str]:
        names = super().list_commands(ctx)
        if _find_903() is not None:
            names = sorted({*names, "903"})
        return names

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name == "903":
            return _load_903()
        return super().get_command(ctx, cmd_name)


def _find_903() -> object | None:
    try:
        return importlib.util.find_spec("missingcare.cli_903")
    except (ImportError, ValueError):
        return None


def _load_903() -> click.Command | None:
    """The ``903`` group from :mod:`missingcare.cli_903` (``group``, ``ssda903`` or ``cli``)."""
    if _find_903() is None:
        return None
    module = importlib.import_module("missingcare.cli_903")
    for name in ("group", "ssda903", "cli", "main"):
        command = getattr(module, name, None)
        if isinstance(command, click.Command):
            return command
    return None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(
    __version__, "--version", prog_name="missingcare", message="%(prog)s %(version)s"
)
def main() -> None:
    """Record, check and understand episodes in which a child goes missing from care.

    Every example here uses synthetic data; never put a real child's data in a
    bug report.
    """


# --- reading case files ---------------------------------------------------------------


def _read_documents(path: Path) -> Iterator[tuple[str, object]]:
    """(where, document) pairs from a JSON document, a JSON array, or JSON lines.

    JSON lines (``.jsonl``, ``.ndjson``, or any file of one object per line)
    are read a line at a time.
    """
    name = path.name
    if not path.exists():
        raise UnusableInput(f"{name}: no such file")
    if path.is_dir():
        raise UnusableInput(f"{name}: is a directory, expected a JSON or JSON-lines file")
    lines = path.suffix.lower() in {".jsonl", ".ndjson"}
    if not lines:
        text = _decode(name, path.read_bytes())
        try:
            doc = json.loads(text)
        except ValueError:
            if sum(1 for line in text.splitlines() if line.strip()) < 2:
                raise UnusableInput(f"{name}: not valid JSON") from None
        else:
            if isinstance(doc, list):
                for i, item in enumerate(doc):
                    yield f"{name}[{i}]", item
            else:
                yield name, doc
            return
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            line = _decode(f"{name} line {number}", raw)
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
            except ValueError:
                raise UnusableInput(f"{name} line {number}: not valid JSON") from None
            yield f"{name} line {number}", doc


def _decode(where: str, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UnusableInput(f"{where}: not UTF-8 text") from None


def _load_case_files(
    path: Path,
) -> tuple[list[tuple[str, CaseFile]], list[tuple[str, ValidationError]]]:
    """The valid case files, and the invalid ones with their violations.

    A wrong schema version, or a document that is not a JSON object, makes
    the whole input unusable.
    """
    good: list[tuple[str, CaseFile]] = []
    bad: list[tuple[str, ValidationError]] = []
    for where, doc in _read_documents(path):
        if not isinstance(doc, dict):
            raise UnusableInput(f"{where}: expected a case file (a JSON object)")
        try:
            good.append((where, from_dict(doc, CaseFile)))
        except ValidationError as exc:
            version = [v for v in exc.violations if v.path == "$.schema_version"]
            if version:
                v = version[0]
                raise UnusableInput(
                    f"{where}: {v.path}: {v.message} [{v.code}]; this missingcare reads "
                    f"schema version {SCHEMA_VERSION}"
                ) from None
            bad.append((where, exc))
    if not good and not bad:
        raise UnusableInput(f"{path.name}: no case files in the file")
    return good, bad


def _parse_as_of(text: str | None) -> datetime:
    if text is None:
        return SystemClock().now()  # the command line is the edge: real time is asked for here
    try:
        return parse_instant(text, "--as-of")
    except ValidationError:
        raise click.BadParameter(
            "expected an RFC 3339 instant with an offset, e.g. 2026-03-31T09:00:00Z",
            param_hint="--as-of",
        ) from None


# --- findings: the one place where rule evaluation plugs in -------------------------


def _evaluate(case: CaseFile, *, pack: str, as_of: datetime) -> list[dict[str, Any]]:
    """The findings for one case file as JSON-ready rows (rule evaluation plugs in here)."""
    from missingcare.rules import evaluate  # noqa: PLC0415 - loaded when checking only

    evaluation = evaluate(case, pack=pack, as_of=as_of)
    return [
        {
            "child": case.child.id,
            "rule": str(f.rule),
            "outcome": f.outcome.value,
            "severity": f.severity.value,
            "strength": f.strength.value,
            "subject": f.subject,
            "episode_id": f.episode_id,
            "conversation_id": f.conversation_id,
            "due": None if f.due is None else format_instant(f.due),
            "observed": None if f.observed is None else format_instant(f.observed),
            "message_id": f.message_id,
            "message": f.text,
        }
        for f in evaluation.findings
    ]


def _check_pack(code: str) -> str:
    from missingcare.rules import PackError, get_pack  # noqa: PLC0415

    try:
        get_pack(code)
    except PackError:
        raise click.BadParameter("no rule pack with this code", param_hint="--pack") from None
    return code


_SHOWN = ("breached", "pending", "insufficient_data")


@main.command()
@click.argument("file", type=click.Path(path_type=Path, dir_okay=True))
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option("--pack", default="GB-ENG", show_default=True, help="The rule pack's code.")
@click.option(
    "--as-of",
    "as_of_text",
    metavar="INSTANT",
    help="Evaluate as of this RFC 3339 instant (default: now).",
)
@click.option("--all", "show_all", is_flag=True, help="Show met and not-applicable findings too.")
def check(file: Path, fmt: str, pack: str, as_of_text: str | None, show_all: bool) -> int:
    """Check JSON or JSON-lines case files against a rule pack.

    Exits 1 when a finding is breached or a case file is invalid, 0 otherwise.
    """
    as_of = _parse_as_of(as_of_text)
    pack = _check_pack(pack)
    good, bad = _load_case_files(file)
    rows: list[dict[str, Any]] = []
    for where, exc in bad:
        rows.extend(
            {
                "child": where,
                "rule": "model",
                "outcome": "invalid",
                "severity": "serious",
                "subject": v.path,
                "message_id": v.code,
                "message": v.message,
                "due": None,
            }
            for v in exc.violations
        )
    for _, case in good:
        rows.extend(_evaluate(case, pack=pack, as_of=as_of))
    flagged = any(r["outcome"] in {"breached", "invalid"} for r in rows)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "pack": pack,
                    "as_of": format_instant(as_of),
                    "case_files": len(good) + len(bad),
                    "invalid": len(bad),
                    "findings": rows,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        console = Console(highlight=False)
        shown = [r for r in rows if show_all or r["outcome"] in {*_SHOWN, "invalid"}]
        table = Table(title=f"Findings ({pack}, as of {format_instant(as_of)})")
        for column in ("child", "rule", "outcome", "due", "message"):
            table.add_column(column, overflow="fold")
        for r in shown:
            table.add_row(r["child"], r["rule"], r["outcome"], r["due"] or "", r["message"])
        if shown:
            console.print(table)
        counts = Counter(r["outcome"] for r in rows)
        summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no findings"
        console.print(f"{len(good) + len(bad)} case files: {summary}.")
    return EXIT_FLAGGED if flagged else EXIT_OK


# --- synth -----------------------------------------------------------------------------


def _parse_date(_ctx: click.Context, _param: click.Parameter, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("expected a date YYYY-MM-DD") from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fobj:
        for block in iter(lambda: fobj.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _collection_year(start: date) -> str | None:
    if (start.month, start.day) == (4, 1):
        return f"{start.year}/{str(start.year + 1)[-2:]}"
    return None


@main.command()
@click.option("--children", type=click.IntRange(min=1), required=True, help="How many children.")
@click.option("--seed", type=int, default=0, show_default=True, help="The random seed.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="The directory to write (created if needed).",
)
@click.option(
    "--start",
    default="2025-04-01",
    show_default=True,
    callback=_parse_date,
    help="The first day of the window (1 April gives a 903 collection year).",
)
@click.option("--days", type=click.IntRange(min=1), default=365, show_default=True)
@click.option(
    "--zone",
    "zones",
    multiple=True,
    default=("Europe/London",),
    show_default=True,
    help="An IANA zone for the homes (repeat for several).",
)
@click.option("--per-home", type=click.IntRange(min=1), default=4, show_default=True)
@click.option("--no-903", "no_903", is_flag=True, help="Do not write the SSDA903 tables.")
@click.option("--quiet", is_flag=True, help="No progress bar or summary.")
def synth(
    *,
    children: int,
    seed: int,
    out: Path,
    start: date,
    days: int,
    zones: tuple[str, ...],
    per_home: int,
    no_903: bool,
    quiet: bool,
) -> int:
    """Write a synthetic cohort's case files as JSON lines, with a manifest.

    Everything is synthetic and deterministic: the same options give the same
    bytes on any machine.
    """
    try:
        cohort = Cohort(
            children=children,
            seed=seed,
            start=start,
            days=days,
            zones=zones,
            children_per_home=per_home,
        )
    except ValidationError:
        raise click.BadParameter("expected IANA zone names", param_hint="--zone") from None
    if out.exists() and not out.is_dir():
        raise UnusableInput(f"{out.name}: exists and is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    year = None if no_903 else _collection_year(start)
    tables = _Tables(year, out) if year is not None and days == 365 else None
    cases_path = out / "case-files.jsonl"
    episodes = 0
    stderr = Console(stderr=True)
    progress = Progress(
        TextColumn("[bold]synth"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("children"),
        TimeElapsedColumn(),
        console=stderr,
        disable=quiet,
        transient=True,
    )
    with progress, cases_path.open("wb") as stream, tables or contextlib.nullcontext():
        task = progress.add_task("synth", total=children)
        for case in cohort:
            stream.write(to_json(case))
            stream.write(b"\n")
            episodes += len(case.episodes)
            if tables is not None:
                tables.add(case)
            progress.advance(task)
    files = {cases_path.name: {"records": children, "sha256": _sha256(cases_path)}}
    if tables is not None:
        files.update(tables.manifest())
    manifest = {
        "generator": "missingcare.synth",
        "missingcare_version": __version__,
        "schema_version": SCHEMA_VERSION,
        "tzdata_version": tzdata_version(),
        "synthetic": True,
        "seed": seed,
        "children": children,
        "children_per_home": per_home,
        "start": start.isoformat(),
        "days": days,
        "zones": list(cohort.zones),
        "collection_year": year,
        "episodes": episodes,
        "files": files,
    }
    (out / "manifest.json").write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    if not quiet:
        Console(highlight=False).print(
            f"Wrote {children} synthetic case files ({episodes} episodes) to {out}"
            + (", with SSDA903 tables" if tables is not None else "")
            + "."
        )
    return EXIT_OK


class _Tables:
    """The SSDA903 Header, Episodes and Missing tables, written one child at a time."""

    NAMES = ("Header", "Episodes", "Missing")

    def __init__(self, year: str, out: Path) -> None:
        self.year = year
        self.paths = {name: out / f"ssda903-{name.lower()}.csv" for name in self.NAMES}
        self.rows = dict.fromkeys(self.NAMES, 0)
        self.streams: dict[str, Any] = {}

    def __enter__(self) -> _Tables:
        self.streams = {name: path.open("wb") for name, path in self.paths.items()}
        return self

    def __exit__(self, *_exc: object) -> None:
        for stream in self.streams.values():
            stream.close()

    def add(self, case: CaseFile) -> None:
        from missingcare.adapters.ssda903 import (  # noqa: PLC0415 - only when writing 903
            derive_return,
            write_csv,
        )

        ret = derive_return([case], self.year, with_last_year=False)
        for name, table in zip(self.NAMES, (ret.header, ret.episodes, ret.missing), strict=True):
            if table is None:
                continue
            lines = write_csv(table).splitlines(keepends=True)
            if self.streams[name].tell() == 0:
                self.streams[name].write(lines[0])
            self.streams[name].writelines(lines[1:])
            self.rows[name] += len(lines) - 1

    def manifest(self) -> dict[str, dict[str, Any]]:
        return {
            path.name: {"records": self.rows[name], "sha256": _sha256(path)}
            for name, path in self.paths.items()
        }


# --- demo ------------------------------------------------------------------------------


def _median(values: Sequence[timedelta]) -> timedelta | None:
    if not values:
        return None
    return timedelta(seconds=statistics.median(v.total_seconds() for v in values))


def _span(value: timedelta | None) -> str:
    if value is None:
        return "-"
    hours = value.total_seconds() / 3600
    return f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


@main.command()
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
    return EXIT_OK


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
    when = local_datetime(today, zone)
    table = Table(title=f"Overdue and due soon, as of {when:%H:%M on %d %B %Y} (GB-ENG pack)")
    table.add_column("due", no_wrap=True)
    table.add_column("rule", no_wrap=True)
    table.add_column("what", overflow="fold")
    for due, code, text in sorted(soon):
        table.add_row(f"{local_datetime(due, zone):%d %b %H:%M}", code, text)
    for due, code, text in sorted(overdue, reverse=True)[:6]:
        table.add_row(f"[red]{local_datetime(due, zone):%d %b %H:%M}[/]", code, text)
    console.print(table)
    console.print(
        f"{len(overdue)} overdue (the 6 most recent shown), {len(soon)} due in the next 72 hours. "
        "Findings over the year: "
        + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in sorted(totals.items()))
        + "."
    )


def _demo_formulation(console: Console, cases: list[CaseFile], as_of: datetime) -> None:
    from missingcare.analysis import formulate  # noqa: PLC0415

    chosen = None
    for case in cases:
        for conv in case.conversations:
            if conv.held_at is not None and conv.child_account is not None:
                chosen = (case, conv.episode_ids[-1])
    if chosen is None:
        console.print("[bold]Formulation[/]: no episode with a held conversation this year.")
        return
    case, episode_id = chosen
    formulation = formulate(case, episode_id, as_of=as_of)
    console.print(
        Panel(
            "\n".join(formulation.sentences),
            title=f"What might episode {episode_id} have been saying?",
        )
    )


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


def _attach_schema() -> None:
    from missingcare.cli_schema import schema_command  # noqa: PLC0415 - keeps start-up light

    main.add_command(schema_command, "schema")


_attach_schema()
