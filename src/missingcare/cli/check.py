"""``missingcare check FILE``: a rule pack's findings on JSON or JSON-lines case files.

The findings print as a table, or as one JSON object with ``--format json``.
A case file that breaks the model's rules is reported as an ``invalid``
finding naming the field path (never the value); a file that cannot be read
at all, or a wrong schema version, makes the input unusable.

JSON lines are read, checked and let go one line at a time, and the findings
of ``--format json`` wait in a temporary file (in memory up to 8 MiB) until
the input has been read to the end: memory does not grow with the input, and
nothing is printed unless the whole input could be used. A line longer than
the largest document (:class:`~missingcare.converters.Limits`) is an invalid
case file, skipped without being held in memory. A ``.json`` file (one
document or an array of them) is read whole.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import cattrs
import click
from rich.console import Console
from rich.table import Table

from missingcare.case import CaseFile
from missingcare.cli._common import ExitCode, UnusableInput
from missingcare.converters import SCHEMA_VERSION, Limits, from_dict, from_json, make_converter
from missingcare.exceptions import ValidationError
from missingcare.rules import RulePack
from missingcare.time import SystemClock, format_instant, parse_instant

__all__ = ["check"]


#: The longest line read, in bytes: the largest document.
_MOST = Limits().document_bytes


def _read_documents(path: Path) -> Iterator[tuple[str, object]]:
    """(where, document) pairs from a JSON document, a JSON array, or JSON lines.

    A document is its UTF-8 bytes when it has its own text (a line, a whole
    file), else the parsed item of an array; ``None`` for a line over the
    largest document. JSON lines (``.jsonl``, ``.ndjson``, or any file of one
    object per line) are read a line at a time.
    """
    name = path.name
    if not path.exists():
        raise UnusableInput(f"{name}: no such file")
    if path.is_dir():
        raise UnusableInput(f"{name}: is a directory, expected a JSON or JSON-lines file")
    lines = path.suffix.lower() in {".jsonl", ".ndjson"}
    if not lines:
        data = path.read_bytes()
        text = _decode(name, data)
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: nested too deep
            if sum(1 for line in text.splitlines() if line.strip()) < 2:
                raise UnusableInput(f"{name}: not valid JSON") from None
        else:
            if isinstance(doc, list):
                for i, item in enumerate(doc):
                    yield f"{name}[{i}]", item
            else:
                yield name, data
            return
    with path.open("rb") as stream:
        for number, raw in _lines(stream):
            where = f"{name} line {number}"
            if raw is None:
                yield where, None
                continue
            if not _decode(where, raw).strip():
                continue
            yield where, raw


def _lines(stream: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """Numbered lines of ``stream``; ``None`` for a line over :data:`_MOST`, never held whole."""
    number = 0
    while line := stream.readline(_MOST + 1):
        number += 1
        if len(line) > _MOST and not line.endswith(b"\n"):
            while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
            yield number, None
        else:
            yield number, line


def _decode(where: str, data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UnusableInput(f"{where}: not UTF-8 text") from None


def _load(
    where: str, doc: object, converter: cattrs.Converter | None = None
) -> CaseFile | ValidationError:
    """The case file, or the error that refuses it.

    A wrong schema version, text that is not JSON, or a document that is not
    a JSON object makes the whole input unusable.
    """
    try:
        if doc is None:
            return ValidationError.single(
                "$", "too_large", f"expected a document of at most {_MOST:,} bytes"
            )
        if isinstance(doc, bytes):
            return from_json(doc, CaseFile, converter=converter)
        if not isinstance(doc, dict):
            raise UnusableInput(f"{where}: expected a case file (a JSON object)")
        return from_dict(doc, CaseFile, converter=converter)
    except ValidationError as exc:
        found = [(v.path, v.code) for v in exc.violations]
        version = [v for v in exc.violations if v.path == "$.schema_version"]
        if version:
            raise UnusableInput(
                f"{where}: {version[0]}; this missingcare reads schema version {SCHEMA_VERSION}"
            ) from None
        if found == [("$", "invalid_json")]:
            raise UnusableInput(f"{where}: not valid JSON (UTF-8, no byte-order mark)") from None
        if found == [("$", "wrong_type")]:
            raise UnusableInput(f"{where}: expected a case file (a JSON object)") from None
        return exc


def _invalid_rows(where: str, exc: ValidationError) -> list[dict[str, Any]]:
    return [
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
    ]


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
    pack = the_pack.code
    # the pack's own categories and recipients are read with its vocabularies
    converter = make_converter(the_pack.extended_vocabularies()) if the_pack.vocabularies else None
    counts: Counter[str] = Counter()
    shown: list[dict[str, Any]] = []
    read = invalid = 0
    with tempfile.SpooledTemporaryFile(max_size=8 << 20, mode="w+", encoding="utf-8") as spool:
        for where, doc in _read_documents(file):
            loaded = _load(where, doc, converter)
            read += 1
            if isinstance(loaded, ValidationError):
                invalid += 1
                rows = _invalid_rows(where, loaded)
            else:
                rows = _evaluate(loaded, pack=the_pack, as_of=as_of)
            for r in rows:
                counts[r["outcome"]] += 1
                if fmt == "json":
                    spool.write(("," if counts.total() > 1 else "") + "\n")
                    spool.write(_indented(r))
                elif show_all or r["outcome"] in {*_SHOWN, "invalid"}:
                    shown.append(r)
        if not read:
            raise UnusableInput(f"{file.name}: no case files in the file")
        if fmt == "json":
            _print_json(spool, pack=pack, as_of=as_of, read=read, invalid=invalid)
    if fmt != "json":
        console = Console(highlight=False)
        table = Table(title=f"Findings ({pack}, as of {format_instant(as_of)})")
        for column in ("child", "rule", "outcome", "due", "message"):
            table.add_column(column, overflow="fold")
        for r in shown:
            table.add_row(r["child"], r["rule"], r["outcome"], r["due"] or "", r["message"])
        if shown:
            console.print(table)
        summary = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "no findings"
        console.print(f"{read} case files: {summary}.")
    flagged = counts["breached"] > 0 or counts["invalid"] > 0
    return ExitCode.FLAGGED if flagged else ExitCode.OK


def _indented(row: dict[str, Any]) -> str:
    """A finding as it sits in the report's ``findings`` list (indent 2, in a list)."""
    text = json.dumps(row, ensure_ascii=False, indent=2)
    return "\n".join("    " + line for line in text.splitlines())


def _print_json(spool: IO[str], *, pack: str, as_of: datetime, read: int, invalid: int) -> None:
    """The report: the same JSON as ``json.dumps(report, indent=2)``, findings from ``spool``."""
    head = {"pack": pack, "as_of": format_instant(as_of), "case_files": read, "invalid": invalid}
    text = json.dumps(head, ensure_ascii=False, indent=2)
    click.echo(text[: text.rindex("\n")] + ',\n  "findings": [', nl=False)
    any_rows = spool.tell() > 0
    spool.seek(0)
    while chunk := spool.read(1 << 16):
        click.echo(chunk, nl=False)
    click.echo("\n  ]\n}" if any_rows else "]\n}")
