"""National scale on one machine: ten million episodes analysed in bounded memory.

One command (from the repository root; minutes, writes a few hundred MB)::

    nice .venv/bin/python benchmarks/national_scale.py                  # 10,000,000 episodes
    .venv/bin/python benchmarks/national_scale.py --episodes 200000     # a quick look
    .venv/bin/python benchmarks/national_scale.py --json out.json

England records about 87,000 missing incidents of looked-after children a
year, so twenty years of the whole country is under two million episodes;
this runs five times that. It writes synthetic research tables, made at
table level (``_tables_synth.py``: the model would take hours to make ten
million episodes), batch by batch as a Parquet dataset partitioned by year
and area (:func:`missingcare.research.datasets.write_dataset`), then, in a
fresh process, runs three analyses (hour × weekday, durations, repeat
episodes in 28-, 30- and 90-day windows) as polars lazy plans over the
dataset with the streaming engine. It reports the time per million episodes
of each phase and the peak resident memory of the analysing process (its
own high-water mark, read from the kernel), against the target of 4 GiB.

Figures only: nothing here is asserted by a test (the test suite runs this
at a few thousand episodes to check that it works).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import _tables_synth  # noqa: E402

from missingcare.research.datasets import EpisodeDataset, write_dataset  # noqa: E402
from missingcare.research.patterns import durations, hour_by_weekday, repeat_episodes  # noqa: E402

__all__ = ["TARGET_GIB", "analyse", "main", "write"]

#: Issue 20: the analysing process's peak resident memory, at most.
TARGET_GIB = 4.0
YEARS = 20
FIRST_YEAR = 2006


def write(root: Path, episodes: int, batches: int) -> dict[str, Any]:
    """Write about ``episodes`` episodes under ``root`` in ``batches`` batches (by years)."""
    years_per = max(1, YEARS // batches)
    made = 0
    cpu, wall = time.process_time(), time.perf_counter()
    for b in range(batches):
        tables = _tables_synth.case_tables(
            episodes // batches,
            first_year=FIRST_YEAR + (b * years_per) % YEARS,
            years=years_per,
            batch=b,
        )
        made += tables.episodes.num_rows
        write_dataset(tables, root, batch=str(b))
        del tables
    data = EpisodeDataset(root)
    return {
        "episodes": made,
        "files": len(data.files),
        "bytes": sum(p.stat().st_size for p in data.files),
        "write_cpu_s": time.process_time() - cpu,
        "write_wall_s": time.perf_counter() - wall,
    }


def analyse(root: Path) -> dict[str, Any]:
    """Run the three analyses over the dataset at ``root``: times, headline figures, peak."""
    data = EpisodeDataset(root)
    out: dict[str, Any] = {}
    runs: list[tuple[str, Callable[[], int]]] = [
        ("hour_by_weekday", lambda: hour_by_weekday(data).episodes),
        ("durations", lambda: durations(data).closed_episodes),
        ("repeat_episodes", lambda: repeat_episodes(data).repeat_episodes[28]),
    ]
    for name, run in runs:
        cpu, wall = time.process_time(), time.perf_counter()
        figure = run()
        out[name] = {
            "cpu_s": time.process_time() - cpu,
            "wall_s": time.perf_counter() - wall,
            "figure": figure,
        }
    out["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return out


def _analyse_apart(root: Path) -> dict[str, Any]:
    """:func:`analyse` in a fresh process, so its peak is the analyses' alone."""
    done = subprocess.run(
        [sys.executable, __file__, "--analyse-only", str(root)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def measure(episodes: int, batches: int, root: Path | None = None) -> dict[str, Any]:
    """Write, then analyse apart; every figure in one dictionary."""
    own = root is None
    where = Path(tempfile.mkdtemp(prefix="missingcare-national-")) if own else root
    assert where is not None
    try:
        written = write(where, episodes, batches)
        analysed = _analyse_apart(where)
    finally:
        if own:
            shutil.rmtree(where, ignore_errors=True)
    millions = written["episodes"] / 1e6
    wall = sum(analysed[k]["wall_s"] for k in ("hour_by_weekday", "durations", "repeat_episodes"))
    cpu = sum(analysed[k]["cpu_s"] for k in ("hour_by_weekday", "durations", "repeat_episodes"))
    peak = analysed["peak_rss_bytes"] / 2**30
    return {
        **written,
        "analyses": analysed,
        "analyse_wall_s_per_million": wall / millions,
        "analyse_cpu_s_per_million": cpu / millions,
        "write_wall_s_per_million": written["write_wall_s"] / millions,
        "peak_rss_gib": peak,
        "target_gib": TARGET_GIB,
        "met": peak <= TARGET_GIB,
        "cpus": os.cpu_count(),
    }


def report(r: dict[str, Any]) -> str:
    lines = [
        (
            f"{r['episodes']:,} episodes in {r['files']:,} Parquet files "
            f"({r['bytes'] / 2**20:,.0f} MiB), partitioned by year and area"
        ),
        (
            f"write (make tables + localise + Parquet): {r['write_wall_s_per_million']:.1f} s "
            "per million episodes (wall)"
        ),
    ]
    for name in ("hour_by_weekday", "durations", "repeat_episodes"):
        a = r["analyses"][name]
        lines.append(
            f"  {name:16} {a['wall_s']:8.1f} s wall, {a['cpu_s']:8.1f} s CPU  ({a['figure']:,})"
        )
    lines.append(
        f"analyses: {r['analyse_wall_s_per_million']:.2f} s per million episodes (wall), "
        f"{r['analyse_cpu_s_per_million']:.2f} s CPU; peak RSS of the analysing process "
        f"{r['peak_rss_gib']:.2f} GiB (target ≤{r['target_gib']:g} GiB: "
        f"{'met' if r['met'] else 'MISSED'}) on {r['cpus']} CPUs"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--episodes", type=int, default=10_000_000)
    parser.add_argument("--batches", type=int, default=10, help="written one at a time")
    parser.add_argument("--root", type=Path, help="write here and keep it (default: a temp dir)")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--analyse-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.analyse_only is not None:
        print(json.dumps(analyse(args.analyse_only)))
        return 0
    result = measure(args.episodes, args.batches, args.root)
    print(report(result))
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
