"""``missingcare check FILE``: a rule pack's findings on JSON or JSON-lines case files.

The findings print as a table, or as one JSON object with ``--format json``.
A case file that breaks the model's rules is reported as an ``invalid``
finding naming the field path (never the value); a file that cannot be read
at all, or a wrong schema version, makes the input unusable.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import cattrs
import click
from rich.console import Console
from rich.table import Table

from missingcare.case import CaseFile
from missingcare.cli._common import ExitCode, UnusableInput
from missingcare.converters import SCHEMA_VERSION, from_dict, make_converter
from missingcare.exceptions import ValidationError
from missingcare.rules import RulePack
from missingcare.time import SystemClock, format_instant, parse_instant

__all__ = ["check"]


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
    path: Path, converter: cattrs.Converter | None = None
) -> tuple[list[tuple[str, CaseFile]], list[tuple[str, ValidationError]]]:
    """The valid case files, and the invalid ones with their violations.

    ``converter`` binds the pack's vocabularies (its own categories and
    recipients). A wrong schema version, or a document that is not a JSON
    object, makes the whole input unusable.
    """
    good: list[tuple[str, CaseFile]] = []
    bad: list[tuple[str, ValidationError]] = []
    for where, doc in _read_documents(path):
        if not isinstance(doc, dict):
            raise UnusableInput(f"{where}: expected a case file (a JSON object)")
        try:
            good.append((where, from_dict(doc, CaseFile, converter=converter)))
        except ValidationError as exc:
            version = [v for v in exc.violations if v.path == "$.schema_version"]
            if version:
                v = version[0]
                raise UnusableInput(
                    f"{where}: {v}; this missingcare reads schema version {SCHEMA_VERSION}"
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


def _evaluate(case: CaseFile, *, pack: RulePack, as_of: datetime) -> list[dict[str, Any]]:
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


def _check_pack(code: str, zone: str | None) -> RulePack:
    """The pack asked for, in ``zone`` when given; a pack without a zone needs one."""
    from missingcare.rules import PackError, available_packs, get_pack  # noqa: PLC0415

    try:
        pack = get_pack(code)
    except PackError:
        known = ", ".join(available_packs())
        raise click.BadParameter(
            f"no rule pack with this code; packs: {known}", param_hint="--pack"
        ) from None
    if zone is not None:
        try:
            return pack.in_zone(zone)
        except ValidationError:
            raise click.BadParameter("expected an IANA zone name", param_hint="--zone") from None
    if pack.zone is None:
        raise click.BadParameter(
            f"{pack.code} spans several time zones and will not guess one: give the agency's "
            "zone, e.g. --zone America/Chicago",
            param_hint="--zone",
        )
    return pack


_SHOWN = ("breached", "pending", "insufficient_data")


@click.command("check")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=True))
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option(
    "--pack", default="GB-ENG", show_default=True, help="The rule pack's code (see: packs)."
)
@click.option(
    "--zone",
    default=None,
    help="The IANA zone of the agency, for a pack that spans several (the US pack).",
)
@click.option(
    "--as-of",
    "as_of_text",
    metavar="INSTANT",
    help="Evaluate as of this RFC 3339 instant (default: now).",
)
@click.option("--all", "show_all", is_flag=True, help="Show met and not-applicable findings too.")
def check(  # noqa: PLR0917 - click passes each option as a parameter
    file: Path, fmt: str, pack: str, zone: str | None, as_of_text: str | None, show_all: bool
) -> int:
    """Check JSON or JSON-lines case files against a rule pack.

    The case files may use the pack's own categories and recipients. Exits 1
    when a finding is breached or a case file is invalid, 0 otherwise.
    """
    as_of = _parse_as_of(as_of_text)
    the_pack = _check_pack(pack, zone)
    converter = make_converter(the_pack.extended_vocabularies()) if the_pack.vocabularies else None
    good, bad = _load_case_files(file, converter)
    pack = the_pack.code
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
        rows.extend(_evaluate(case, pack=the_pack, as_of=as_of))
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
    return ExitCode.FLAGGED if flagged else ExitCode.OK
