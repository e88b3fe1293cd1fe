"""The 903 benchmark at real scale: missingcare against DfE's public validator.

Generates one return with :mod:`missingcare.adapters.ssda903.synth` at the size of a
large local authority's (about 100,000 Missing rows, 56,000 children in Header,
130,000 Episodes rows, and last year's Missing table), with mistakes in a share of
the cells and a byte-order mark and ``\\r\\n`` line ends in the files, then times
``_ssda903_timer.py`` for each side, paired, ``--runs`` times (median reported):

- whole process: a fresh interpreter that imports, loads the files, reads and
  validates them with the same 20 rules once (wall seconds, CPU = user + system of
  the process, and its peak resident memory);
- in process: the CPU seconds of read + validate alone in that same process, as the
  timer reports them (files loaded and modules imported before timing).

Run (the validator lives in its own venv, as in the parity tests)::

    MISSINGCARE_903_VALIDATOR=/path/to/venv-903/bin/python \\
        python benchmarks/ssda903_scale.py --runs 5

Not part of CI's test run (a minute or two on a quiet machine): a marked benchmark step.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from missingcare.adapters.ssda903 import rules_for
from missingcare.adapters.ssda903.synth import generate_return, write_files

HERE = Path(__file__).parent
TIMER = HERE / "_ssda903_timer.py"


def make_files(folder: Path, children: int) -> dict[str, str]:
    """Write the generated return (``children`` children) as four CSV files; their paths.

    Codes are written upper-case (the validator's reader upper-cases every cell, a
    difference named in the how-to), so both sides' findings can be compared as equal.
    """
    tables = generate_return(
        903,
        children=children,
        missing_per_child=(0, 0, 0, 1, 1, 2, 2, 3, 4, 5, 5),
        p_bad=0.01,
        tidy_children=0.95,
    )
    upper = {
        name: [{k: None if v is None else v.upper() for k, v in r.items()} for r in rows]
        for name, rows in tables.items()
    }
    paths = write_files(upper, folder, seed=903, mistakes=frozenset({"bom", "crlf"}))
    return {name: str(p) for name, p in paths.items()}


def _once(python: str, job: dict[str, Any]) -> tuple[float, float, float, dict[str, Any]]:
    """Wall seconds, CPU seconds and peak RSS (MB, as the process reports it: see
    ``_ssda903_timer._peak_mb``) of one whole process, and its report."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [python, str(TIMER)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert proc.stdin is not None
    assert proc.stdout is not None
    proc.stdin.write(json.dumps(job).encode())
    proc.stdin.close()
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if status != 0:
        raise SystemExit(f"{python} failed")
    report = json.loads(out.decode().strip().splitlines()[-1])
    return wall, usage.ru_utime + usage.ru_stime, float(report["peak_mb"]), report


def paired(files: dict[str, str], codes: list[str], validator: str, runs: int) -> dict[str, object]:
    """Both sides' whole-process runs, paired (ours then theirs, ``runs`` times): each
    side's medians of (wall s, CPU s, peak RSS MB, in-process CPU s), every run, and the
    findings of each side (as ``[code, table, row]``)."""
    results: dict[str, list[tuple[float, float, float, float]]] = {"mc": [], "val": []}
    found: dict[str, Any] = {}
    for _ in range(runs):
        for side, python in (("mc", sys.executable), ("val", validator)):
            job = {
                "side": "missingcare" if side == "mc" else "validator",
                "files": files,
                "year": "2025/26",
                "rules": codes,
                "repeats": 1,
            }
            wall, cpu, rss, report = _once(python, job)
            results[side].append((wall, cpu, rss, report["cpu"][0]))
            found[side] = report["findings"]
    medians = {
        side: [statistics.median(r[i] for r in rows) for i in range(4)]
        for side, rows in results.items()
    }
    return {"medians": medians, "runs": results, "findings": found}


def runs_of(got: dict[str, Any], side: str) -> list[tuple[float, float, float, float]]:
    """One side's runs from :func:`paired`'s answer."""
    runs: list[tuple[float, float, float, float]] = got["runs"][side]
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--children", type=int, default=56_000)
    args = parser.parse_args()
    validator = os.environ.get("MISSINGCARE_903_VALIDATOR")
    if not validator:
        print("set MISSINGCARE_903_VALIDATOR to the python of a venv with csc-validator-be-903")
        return 2
    codes = [r.code for r in rules_for("2025/26")]
    with tempfile.TemporaryDirectory(prefix="missingcare-903-scale-") as tmp:
        files = make_files(Path(tmp), args.children)
        sizes = {n: sum(1 for _ in open(p, "rb")) - 1 for n, p in files.items()}  # noqa: SIM115
        print("rows:", sizes, "rules:", len(codes), flush=True)
        got = paired(files, codes, validator, args.runs)
    medians = got["medians"]
    assert isinstance(medians, dict)
    mc, val = medians["mc"], medians["val"]
    found = got["findings"]
    assert isinstance(found, dict)
    same = sorted(map(tuple, found["mc"])) == sorted(map(tuple, found["val"]))
    print(f"findings: missingcare {len(found['mc']):,}, validator {len(found['val']):,}"
          f" ({'equal' if same else 'DIFFERENT'})")  # fmt: skip
    print(f"{'':24}{'missingcare':>12}{'validator':>12}{'ratio':>8}")
    labels = ("whole process, wall s", "whole process, CPU s", "peak RSS, MB", "in process, CPU s")
    for i, label in enumerate(labels):
        ratio = val[i] / mc[i] if i != 2 else mc[i] / val[i]
        print(f"{label:<24}{mc[i]:>12.2f}{val[i]:>12.2f}{ratio:>7.2f}{'x' if i != 2 else ''}")
    print("(ratios: validator/missingcare for time; missingcare/validator for memory)")
    pairs = list(zip(runs_of(got, "mc"), runs_of(got, "val"), strict=True))
    for i, label in ((1, "whole process, CPU"), (3, "in process, CPU")):
        ratio = statistics.median(v[i] / m[i] for m, v in pairs)
        print(f"median of the per-pair ratios, {label}: {ratio:.2f}x")
    runs = got["runs"]
    assert isinstance(runs, dict)
    for side, rows in runs.items():
        print(side, "runs (wall, CPU, RSS MB, in-process CPU):",
              [tuple(round(x, 2) for x in r) for r in rows])  # fmt: skip
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
