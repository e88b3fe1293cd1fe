"""``missingcare packs``: the rule packs there are, with their zones and editions.

A table by default, or one JSON object with ``--format json``: for each pack
its code, name, zone (none for a pack that spans several and will not guess
one), the pack it was derived from, its editions (name, first and last day in
force) and the number of rules in its latest edition. ``missingcare check
--pack CODE`` evaluates case files against any of them.
"""

from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from missingcare.rules import RulePack, available_packs, get_pack

__all__ = ["packs_command"]


def describe_pack(pack: RulePack) -> dict[str, Any]:
    """What ``missingcare packs`` says about one pack, as JSON-ready values."""
    editions = []
    for ed in pack.editions:
        ends = pack.edition_ends(ed)
        editions.append(
            {
                "name": ed.name,
                "effective_from": ed.effective_from.isoformat(),
                "effective_to": None if ends is None else ends.isoformat(),
                "rules": len(pack.rules(ed)),
            }
        )
    return {
        "code": pack.code,
        "name": pack.name,
        "zone": pack.zone,
        "derived_from": pack.derived_from,
        "editions": editions,
        "rules": len(pack.rules()),
    }


@click.command("packs")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def packs_command(fmt: str) -> None:
    """List the rule packs, with their zones and editions."""
    rows = [describe_pack(get_pack(code)) for code in available_packs()]
    if fmt == "json":
        click.echo(json.dumps({"packs": rows}, indent=2, ensure_ascii=False))
        return
    table = Table(title="Rule packs")
    for column in ("code", "name", "zone", "editions", "rules"):
        table.add_column(column, overflow="fold")
    for r in rows:
        editions = ", ".join(f"{e['name']} (from {e['effective_from']})" for e in r["editions"])
        zone = r["zone"] or "none: give --zone"
        name = r["name"] + (f" (derived from {r['derived_from']})" if r["derived_from"] else "")
        table.add_row(r["code"], name, zone, editions, str(r["rules"]))
    Console(highlight=False).print(table)
