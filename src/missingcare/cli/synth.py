"""``missingcare synth``: a synthetic cohort as JSON lines, the SSDA903 tables and a manifest.

Everything written is synthetic and deterministic: the same options give the
same bytes on any machine. The SSDA903 Header, Episodes and Missing tables are
written when the window is a collection year (1 April, 365 days).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from missingcare._version import __version__
from missingcare.case import CaseFile
from missingcare.cli._common import ExitCode, UnusableInput
from missingcare.converters import SCHEMA_VERSION, to_json
from missingcare.exceptions import ValidationError
from missingcare.testing.synth import Cohort
from missingcare.time import tzdata_version

__all__ = ["synth"]


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


@click.command("synth")
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
    help="An IANA zone for the homes (repeat for several) [default: Europe/London, or the "
    "pack's zone].",
)
@click.option(
    "--pack",
    default=None,
    help="A rule pack's code: the cohort in its zone and terms (see: missingcare packs).",
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
    pack: str | None,
    per_home: int,
    no_903: bool,
    quiet: bool,
) -> int:
    """Write a synthetic cohort's case files as JSON lines, with a manifest.

    Everything is synthetic and deterministic: the same options give the same
    bytes on any machine.
    """
    if pack is not None:
        pack = _check_pack(pack, zones)
    try:
        cohort = (
            Cohort(children=children, seed=seed, start=start, days=days,
                   children_per_home=per_home, pack=pack, zones=zones)
            if zones
            else Cohort(children=children, seed=seed, start=start, days=days,
                        children_per_home=per_home, pack=pack)
        )  # fmt: skip
    except ValidationError:
        raise click.BadParameter("expected IANA zone names", param_hint="--zone") from None
    if out.exists() and not out.is_dir():
        raise UnusableInput(f"{out.name}: exists and is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    # the SSDA903 return is England's: a cohort in another jurisdiction's terms has none
    england = pack is None or pack == "GB-ENG"
    year = None if no_903 or not england else _collection_year(start)
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
        "generator": "missingcare.testing.synth",
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
        "pack": pack,
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
    return ExitCode.OK


def _check_pack(code: str, zones: tuple[str, ...]) -> str:
    """The pack's code, checked; a pack that spans zones needs ``--zone``."""
    from missingcare.rules import PackError, available_packs, get_pack  # noqa: PLC0415

    try:
        found = get_pack(code)
    except PackError:
        known = ", ".join(available_packs())
        raise click.BadParameter(
            f"no rule pack with this code; packs: {known}", param_hint="--pack"
        ) from None
    if found.zone is None and not zones:
        raise click.BadParameter(
            f"{found.code} spans several time zones and will not guess one: give the homes' "
            "zone, e.g. --zone America/Chicago",
            param_hint="--zone",
        )
    return found.code


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
