"""``missingcare report home|episode|handover``: the pages people print and hand over.

Each sub-command reads case files (a JSON document, a JSON array or JSON
lines, as ``check`` does), renders one of the reports of
:mod:`missingcare.reports` and writes the self-contained HTML page to
``--output`` (or standard output). Print it to PDF from any browser. An
invalid case file, an unknown child or episode makes the input unusable
(exit 2): a report is never made from part of a record.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from missingcare.case import CaseFile
from missingcare.cli._common import UnusableInput, describe
from missingcare.cli.check import _Counted, _Invalid, _open, _parse_as_of, _records
from missingcare.exceptions import ValidationError

if TYPE_CHECKING:
    from missingcare.reports import ProfileDetails

__all__ = ["report_group"]


def _cases(file: Path) -> Iterator[CaseFile]:
    """The case files of ``file`` (as ``check`` reads them); the first invalid one stops."""
    stream, _ = _open(str(file))
    try:
        counted = None if stream is None else _Counted(stream)
        for found in _records(str(file), None, counted):
            if isinstance(found, _Invalid):
                raise UnusableInput(f"{found.where}: {describe(found.error)}")
            yield found
    finally:
        if stream is not None and stream is not sys.stdin.buffer:
            stream.close()


def _case(file: Path, child: str) -> CaseFile:
    for case in _cases(file):
        if case.child.id == child:
            return case
    raise UnusableInput(f"{file.name}: no case file for the child given with --child")


def _write(html: str, output: Path | None) -> None:
    """Write the page, whole or not at all (an interruption leaves no partial file)."""
    if output is None:
        sys.stdout.write(html)
        return
    fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(html)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_FILE = click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
_OUTPUT = click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False, writable=True),
    help="Write the HTML page here (default: standard output).",
)
_TEMPLATES = click.option(
    "--templates",
    type=click.Path(path_type=Path, file_okay=False, exists=True),
    help="A directory of templates that override the shipped ones.",
)
_AS_OF = click.option(
    "--as-of",
    "as_of_text",
    help="Read the records as they stood at this RFC 3339 instant.",
)
_CHILD = click.option("--child", required=True, help="The child's id.")
_EPISODE = click.option("--episode", required=True, help="The episode's id.")


@click.group("report")
def report_group() -> None:
    """Write a report as a self-contained HTML page (print it to PDF from a browser)."""


@report_group.command("home")
@_FILE
@click.option(
    "--start", type=click.DateTime(["%Y-%m-%d"]), required=True, help="First day (local)."
)
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Last day (local).")
@click.option("--home", "home_id", help="The home's id (default: every case file given).")
@click.option("--pack", default="GB-ENG", show_default=True, help="The rule pack for duties.")
@click.option(
    "--publishable",
    is_flag=True,
    help="Disclosure control: no child named, no record listed, counts 1-9 as c, others rounded.",
)
@_AS_OF
@_TEMPLATES
@_OUTPUT
def home_command(  # noqa: PLR0917 - one parameter per option
    file: Path,
    start: object,
    end: object,
    home_id: str | None,
    pack: str,
    publishable: bool,
    as_of_text: str | None,
    templates: Path | None,
    output: Path | None,
) -> None:
    """The registered manager's review of a home's missing episodes over a period."""
    from missingcare.reports import home_report  # noqa: PLC0415 - the extra, on demand

    first, last = _day(start), _day(end)
    if last < first:
        raise click.BadParameter("must not be before --start", param_hint="--end")
    html = home_report(
        _cases(file),
        start=first,
        end=last,
        home_id=home_id,
        pack=pack,
        as_of=None if as_of_text is None else _parse_as_of(as_of_text),
        publishable=publishable,
        templates=templates,
    )
    _write(html, output)


@report_group.command("episode")
@_FILE
@_CHILD
@_EPISODE
@_AS_OF
@_TEMPLATES
@_OUTPUT
def episode_command(  # noqa: PLR0917 - one parameter per option
    file: Path,
    child: str,
    episode: str,
    as_of_text: str | None,
    templates: Path | None,
    output: Path | None,
) -> None:
    """One episode's formulation, for a strategy meeting."""
    from missingcare.reports import episode_report  # noqa: PLC0415 - the extra, on demand

    case = _case(file, child)
    _known(case, episode)
    as_of = None if as_of_text is None else _parse_as_of(as_of_text)
    _write(episode_report(case, episode, as_of=as_of, templates=templates), output)


@report_group.command("handover")
@_FILE
@_CHILD
@_EPISODE
@click.option(
    "--details",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A JSON object of the profile's details kept by the host system (description...).",
)
@_AS_OF
@_TEMPLATES
@_OUTPUT
def handover_command(  # noqa: PLR0917 - one parameter per option
    file: Path,
    child: str,
    episode: str,
    details: Path | None,
    as_of_text: str | None,
    templates: Path | None,
    output: Path | None,
) -> None:
    """The page staff send to police when they report a child missing."""
    from missingcare.reports import handover_report  # noqa: PLC0415 - the extra, on demand

    case = _case(file, child)
    _known(case, episode)
    given = None if details is None else _details(details)
    as_of = None if as_of_text is None else _parse_as_of(as_of_text)
    _write(handover_report(case, episode, details=given, as_of=as_of, templates=templates), output)


def _details(path: Path) -> ProfileDetails:
    import attrs  # noqa: PLC0415

    from missingcare.reports import ProfileDetails  # noqa: PLC0415

    names = [a.name for a in attrs.fields(ProfileDetails)]
    try:
        data = json.loads(path.read_bytes())
    except ValueError:
        raise UnusableInput(f"{path.name}: not valid JSON") from None
    if not isinstance(data, dict) or not set(data) <= set(names):
        raise UnusableInput(
            f"{path.name}: expected a JSON object with keys among: {', '.join(names)}"
        )
    try:
        return ProfileDetails(**data)
    except ValidationError as exc:
        raise UnusableInput(f"{path.name}: {describe(exc)}") from None


def _known(case: CaseFile, episode: str) -> None:
    if all(e.id != episode for e in case.episodes):
        raise UnusableInput("the child's case file has no episode with the id given with --episode")


def _day(value: object) -> date:
    from datetime import datetime  # noqa: PLC0415

    assert isinstance(value, datetime)
    return value.date()
