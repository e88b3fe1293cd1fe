"""``missingcare 903 validate``: check an SSDA903 return's missing episodes (``cli`` extra).

::

    missingcare 903 validate --collection-year 2025/26 \\
        --header H.csv --episodes E.csv --missing M.csv [--missing-last L.csv] \\
        [--format table|json]
    missingcare 903 validate --collection-year 2025/26 --xml RETURN.xml [--missing-last L.csv]

``--format json`` prints a JSON list of objects with keys ``rule`` (the DfE
code, a string), ``table`` (``Missing``, ``Episodes`` or ``Header``), ``row``
(0-based index of the data row in that table's input, header line excluded)
and ``fields``. Exit code 0 when nothing is flagged, 1 when rows are flagged,
2 when the input cannot be used — with one line on standard error naming the
file and the problem, never a traceback and never a partial result.

The group is :data:`ssda903_group`; the ``missingcare`` command attaches it as
``903``, and it ends the same way run on its own (``click.testing.CliRunner``).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from missingcare.adapters.ssda903 import (
    CollectionYear,
    ValidationReport,
    read_return,
    rules_for,
    validate,
)
from missingcare.cli._common import ExitCode, Group, UnusableInput

__all__ = ["ssda903_group"]


@click.group(name="903", cls=Group)
def ssda903_group() -> None:
    """SSDA903 children-looked-after return: the Missing table and DfE's rules on it."""


_FILE = click.Path(dir_okay=False, path_type=Path)


@ssda903_group.command("validate")
@click.option(
    "--collection-year",
    "collection_year",
    required=True,
    help="The collection year, written 2025/26 (1 April 2025 to 31 March 2026).",
)
@click.option("--header", type=_FILE, help="The Header table (CSV).")
@click.option("--episodes", type=_FILE, help="The Episodes table (CSV).")
@click.option("--missing", type=_FILE, help="The Missing table (CSV).")
@click.option("--missing-last", "missing_last", type=_FILE, help="Last year's Missing table.")
@click.option("--xml", type=_FILE, help="The XML return, instead of the CSV tables.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="How to print the findings.",
)
def validate_command(  # noqa: PLR0917 - one parameter per option, as click passes them
    collection_year: str,
    header: Path | None,
    episodes: Path | None,
    missing: Path | None,
    missing_last: Path | None,
    xml: Path | None,
    fmt: str,
) -> int:
    """Check the Missing table with DfE's missing-episode rules for the collection year."""
    try:
        year = CollectionYear.parse(collection_year)
        rules_for(year)
    except ValueError as exc:
        raise UnusableInput(f"--collection-year: {exc}") from None
    csv_given = [p for p in (header, episodes, missing) if p is not None]
    if xml is not None and csv_given:
        raise UnusableInput(
            "give either --xml or the CSV tables (--header, --episodes, --missing), not both"
        )
    if xml is None and len(csv_given) != 3:
        raise UnusableInput("give --header, --episodes and --missing (CSV), or --xml")
    # an unreadable file raises Unusable903Input, which the group reports in one line
    ret = read_return(
        header=header, episodes=episodes, missing=missing, missing_last=missing_last, xml=xml
    )
    report = validate(ret, year)
    if fmt == "json":
        click.echo(json.dumps(_as_json(report)))
    else:
        _print_table(report)
    return ExitCode.FLAGGED if report.findings else ExitCode.OK


def _as_json(report: ValidationReport) -> list[dict[str, object]]:
    return [
        {"rule": f.rule, "table": f.table, "row": f.row, "fields": list(f.fields)}
        for f in report.findings
    ]


def _print_table(report: ValidationReport) -> None:
    if report.findings:
        click.echo(f"{'rule':<6} {'table':<9} {'row':>6}  {'fields':<22} problem")
        for f in report.findings:
            fields = ",".join(f.fields)
            click.echo(f"{f.rule:<6} {f.table:<9} {f.row:>6}  {fields:<22} {f.problem}")
    rows = len({(f.table, f.row) for f in report.findings})
    rules = len({f.rule for f in report.findings})
    click.echo(
        f"{len(report.findings)} finding(s) on {rows} row(s) under {rules} rule(s) "
        f"for {report.year}."
    )
    if report.not_run:
        click.echo("Not run (a table they need was not given): " + ", ".join(report.not_run))
    for note in report.notes:
        where = f" column {note.column}" if note.column else ""
        count = f" ({len(note.rows)} row(s))" if note.rows else ""
        click.echo(f"Tolerated in {note.table}{where}: {note.message}{count}")
