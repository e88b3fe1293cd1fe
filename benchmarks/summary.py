"""The rows that compare the library with pydantic v2 and with the floor, run beside run.

Give it the JSON files of ``run.py --json`` (say, before and after a change)::

    .venv/bin/python benchmarks/summary.py before.json after.json

It prints one Markdown table: for each ``pydantic × missingcare`` and
``missingcare × floor`` row (and the memory rows), each file's ratio of
the best times with the collector on and off, and the median and range of
the round-by-round ratios. Ratios only: times from a shared machine are
not comparable between runs, ratios measured within one run nearly are.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["main", "summary"]


def _paired(extra: dict[str, Any], key: str) -> str:
    p = extra.get(key)
    if not p:
        return ""
    return f"{p['median']:.2f} ({p['low']:.2f}–{p['high']:.2f})"


def _cell(row: dict[str, Any]) -> str:
    on = "" if row["ratio"] is None else f"{row['ratio']:.2f}"
    off = "" if row["ratio_gc_off"] is None else f"{row['ratio_gc_off']:.2f}"
    extra = row.get("extra") or {}
    paired = " / ".join(x for x in (_paired(extra, "paired_on"), _paired(extra, "paired_off")) if x)
    text = f"{on} / {off}" if off else on
    return f"{text}; paired {paired}" if paired else text


def _wanted(row: dict[str, Any]) -> bool:
    name: str = row["name"]
    return " × " in name or (row["group"] == "3 memory" and name != "skipped")


_LEGEND = (
    "Each cell: ratio of the best times, GC on / off; paired: median (range) of "
    "the round-by-round ratios, GC on / off. Memory: bytes ÷ the msgspec Struct."
)


def summary(runs: Sequence[dict[str, Any]], names: Sequence[str]) -> str:
    """A Markdown table of the comparison rows of ``runs``, one column each."""
    order: list[str] = []
    cells: dict[str, list[str]] = {}
    for i, doc in enumerate(runs):
        for row in doc["rows"]:
            if not _wanted(row):
                continue
            if row["name"] not in cells:
                order.append(row["name"])
                cells[row["name"]] = [""] * len(runs)
            cells[row["name"]][i] = _cell(row)
    head = "| row | " + " | ".join(names) + " |"
    rule = "|---|" + "---|" * len(names)
    lines = [head, rule]
    lines += [f"| {name} | " + " | ".join(cells[name]) + " |" for name in order]
    notes = [
        f"{name}: tier {doc.get('tier')}, {doc.get('repeats', '?')} rounds, "
        f"load average {doc['machine'].get('loadavg')} → {doc['machine'].get('loadavg_after')}"
        for name, doc in zip(names, runs, strict=True)
    ]
    return "\n".join(
        [
            *lines,
            "",
            _LEGEND,
            *notes,
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path, help="JSON files written by run.py --json")
    args = parser.parse_args(argv)
    runs = [json.loads(path.read_text()) for path in args.files]
    print(summary(runs, [path.stem for path in args.files]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
