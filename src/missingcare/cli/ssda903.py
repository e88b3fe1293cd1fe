"""``missingcare 903 validate``: check an SSDA903 return's missing episodes (``cli`` extra).

::

    missingcare 903 validate --collection-year 2025/26 \\
        --header H.csv --episodes E.csv --missing M.csv [--missing-last L.csv] \\
        [--tolerant] [--format table|json]
    missingcare 903 validate --collection-year 2025/26 --xml RETURN.xml \\
        [--xml-last LAST.xml | --missing-last L.csv]

The cells are validated as submitted (as DfE's validator sees them) unless
``--tolerant`` is given, which cleans what can be cleaned and says so, by table,
column and rows, in the notes.

``--format json`` prints one JSON object::

    {"collection_year": "2025/26", "tolerant": false,
     "findings": [{"rule": "574", "table": "Missing", "row": 3,
                   "fields": ["MIS_START", "MIS_END"], "message_id": "previous_open"}],
     "run": ["564", ...], "not_run": [{"rule": "576", "reason": "no previous year's table"}],
     "notes": [{"table": "Missing", "code": "bom", "column": null, "rows": [],
                "message": "..."}],
     "counts": {"rows": {"Header": 56, "Missing": 134}, "findings": {"564": 0, ...},
                "findings_total": 1, "rows_flagged": 1}}

``row`` is the 0-based index of the data row in that table's input (header line
and blank lines excluded, as DfE's validator numbers them); ``message_id`` says
what kind of failure it is (:class:`~missingcare.adapters.ssda903.RowError`).
The text summary says what was checked ("134 Missing rows checked under 19
rules: no findings; rule 576 not run: no previous year's table"). Exit code 0
when nothing is flagged, 1 when rows are flagged, 2 when the input cannot be used
— with one line on standard error naming the file (and row and column) and the
problem, never a traceback, a cell's value, or a partial result.

The group is :data:`ssda903_group`; the ``missingcare`` command attaches it as
``903``, and it ends the same way run on its own (``click.testing.CliRunner``).
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from missingcare.adapters.ssda903 import (
    RULES,
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
@click.option(
    "--missing-last", "missing_last", type=_FILE, help="Last year's Missing table (CSV), for 576."
)
@click.option("--xml", type=_FILE, help="The XML return, instead of the CSV tables.")
@click.option(
    "--xml-last", "xml_last", type=_FILE, help="Last year's XML return (its Missing), for 576."
)
@click.option(
    "--tolerant",
    is_flag=True,
    help="Clean spaces, lower case, '.0' and yyyy-mm-dd dates before validating, and note each.",
)
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
    xml_last: Path | None,
    tolerant: bool,
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
    if missing_last is not None and xml_last is not None:
        raise UnusableInput("give last year's table once: --missing-last or --xml-last")
    # an unreadable file raises Unusable903Input, which the group reports in one line
    ret = read_return(
        header=header,
        episodes=episodes,
        missing=missing,
        missing_last=missing_last,
        xml=xml,
        xml_last=xml_last,
        tolerant=tolerant,
    )
    report = validate(ret, year)
    if fmt == "json":
        click.echo(json.dumps(as_json(report, tolerant=tolerant)))
    else:
        _print_table(report)
    return ExitCode.FLAGGED if report.findings else ExitCode.OK


def as_json(report: ValidationReport, *, tolerant: bool = False) -> dict[str, object]:
    """The report as the one JSON object ``--format json`` prints."""
    reasons = report.reasons
    return {
        "collection_year": str(report.year),
        "tolerant": tolerant,
        "findings": [
            {
                "rule": f.rule,
                "table": f.table,
                "row": f.row,
                "fields": list(f.fields),
                "message_id": f.problem,
            }
            for f in report.findings
        ],
        "run": list(report.run),
        "not_run": [{"rule": code, "reason": reasons[code]} for code in report.not_run],
        "notes": [
            {
                "table": n.table,
                "code": n.code,
                "column": n.column,
                "rows": list(n.rows),
                "message": n.message,
            }
            for n in report.notes
        ],
        "counts": {
            "rows": dict(report.rows),
            "findings": report.per_rule(),
            "findings_total": len(report.findings),
            "rows_flagged": len({(f.table, f.row) for f in report.findings}),
        },
    }


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def summary(report: ValidationReport) -> str:
    """What was checked and what was found, in one sentence.

    For example ``134 Missing rows checked under 19 rules for 2025/26: no findings;
    rule 576 not run: no previous year's table``.
    """
    rows = dict(report.rows)
    checked = (
        f"{_plural(rows.get('Missing', 0), 'Missing row')} checked under "
        f"{_plural(len(report.run), 'rule')} for {report.year}"
    )
    if report.findings:
        flagged = len({(f.table, f.row) for f in report.findings})
        by = sum(1 for n in report.per_rule().values() if n)
        found = (
            f"{_plural(len(report.findings), 'finding')} on {_plural(flagged, 'row')} "
            f"under {_plural(by, 'rule')}"
        )
    else:
        found = "no findings"
    text = f"{checked}: {found}"
    reasons = report.reasons
    for code in report.not_run:
        text += f"; rule {code} not run: {reasons[code]}"
    return text + "."


def _print_table(report: ValidationReport) -> None:
    console = Console(highlight=False, soft_wrap=True)
    if report.findings:
        table = Table(title=f"SSDA903 findings, {report.year}")
        for column in ("rule", "table", "row", "fields", "problem"):
            table.add_column(
                column, overflow="fold", justify="right" if column == "row" else "left"
            )
        for f in report.findings:
            table.add_row(f.rule, f.table, str(f.row), ",".join(f.fields), f.problem)
        console.print(table)
    console.print(summary(report))
    for note in report.notes:
        where = f", column {note.column}" if note.column else ""
        count = f" ({_plural(len(note.rows), 'row')})" if note.rows else ""
        console.print(f"Note on {note.table}{where}: {note.message}{count}.")
    if report.findings:
        for code in sorted({f.rule for f in report.findings}, key=list(RULES).index):
            console.print(f"{code}: {RULES[code].message}")
