"""Time reading and validating one 903 return from CSV files, in a fresh interpreter.

Run by ``benchmarks/run.py`` (``bench_ssda903``), once for each side, never
imported by the project itself:

- ``side: "validator"`` with the python of the venv where DfE's public
  validator (``csc-validator-be-903``, which pins old pandas) is installed;
- ``side: "missingcare"`` with the project's own python.

It reads one JSON job on stdin::

    {"side": "validator", "files": {"Header": path, "Episodes": path, "Missing": path,
     "Missing_last": path}, "year": "2025/26", "rules": ["564", ...], "repeats": 3}

(``Missing_last``, last year's Missing table, is optional: rule 576 needs it.)

Both sides are timed the same way. The files' bytes are loaded, and the
modules imported, before any timing; then each repeat collects garbage and
times, with ``time.process_time`` (this process's CPU time), reading the CSV
bytes and validating them with the given rules. Best of the repeats is what
counts. What each side does:

- validator: what its own engine (``lac_validator.lac_validator.LacValidator``)
  does with uploaded CSV text and selected rules: ``read_csvs_from_text``
  (pandas ``read_csv`` plus its dtype and upper-casing passes) and, for each
  rule, a shallow copy of the tables (``copy_datastore``) and the rule's
  function. Left out: ``create_datastore``'s postcode enrichment of Episodes
  (no missing-episode rule reads it) and the engine's logging (disabled), both
  of which would only add to the validator's time;
- missingcare: ``read_csv`` of each table and ``validate`` with the rules.

Prints one JSON line: the CPU and wall seconds of every repeat, the process's
peak resident memory (``peak_mb``), the side's version, and the findings of the
first repeat as ``[code, table, row]`` (the validator's NaN row labels are
dropped, as its engine drops them), after checking that every repeat found the
same.
"""

from __future__ import annotations

import gc
import importlib
import json
import logging
import math
import resource
import sys
import time
from collections.abc import Callable
from typing import Any

_Found = list[tuple[str, str, int]]


def _nan(label: object) -> bool:
    return isinstance(label, float) and math.isnan(label)


def _validator(job: dict[str, Any], content: dict[str, bytes]) -> Callable[[], _Found]:
    logging.disable(logging.CRITICAL)
    ingress: Any = importlib.import_module("lac_validator.ingress")
    datastore: Any = importlib.import_module("lac_validator.datastore")
    start_year = int(job["year"][:4])
    ruleset = f"lac{start_year}_{(start_year + 1) % 100:02d}"
    registry: Any = importlib.import_module("lac_validator.rules." + ruleset).registry
    rules = [registry[code] for code in job["rules"]]
    raw = [
        {
            "name": path,
            "file_content": content[name],
            "description": "Prev year" if name.endswith("_last") else "This year",
        }
        for name, path in job["files"].items()
    ]
    metadata = {
        "collection_start": f"01/04/{start_year}",
        "collection_end": f"31/03/{start_year + 1}",
    }

    def read_validate() -> _Found:
        dfs = ingress.read_csvs_from_text(raw)
        dfs["metadata"] = metadata
        found: _Found = []
        for rule in rules:
            result = rule.func(datastore.copy_datastore(dfs))
            for table, labels in result.items():
                found.extend((rule.code, table, int(i)) for i in labels if not _nan(i))
        return found

    return read_validate


def _missingcare(job: dict[str, Any], content: dict[str, bytes]) -> Callable[[], _Found]:
    s903: Any = importlib.import_module("missingcare.adapters.ssda903")
    year = s903.CollectionYear.parse(job["year"])
    codes = list(job["rules"])

    def read_validate() -> _Found:
        last = content.get("Missing_last")
        ret = s903.Return903(
            header=s903.read_csv(content["Header"], expect="Header"),
            episodes=s903.read_csv(content["Episodes"], expect="Episodes"),
            missing=s903.read_csv(content["Missing"], expect="Missing"),
            missing_last=None if last is None else s903.read_csv(last, expect="Missing"),
        )
        report = s903.validate(ret, year, codes=codes)
        return [(f.rule, f.table, f.row) for f in report.findings]

    return read_validate


def _peak_mb() -> float:
    """This process's peak resident memory in MB: ``VmHWM`` (Linux), which a new program
    starts afresh (unlike ``ru_maxrss``, which can keep the peak of the process it was
    forked from), else ``ru_maxrss``."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    job = json.load(sys.stdin)
    content: dict[str, bytes] = {}
    for name, path in job["files"].items():
        with open(path, "rb") as fh:
            content[name] = fh.read()
    if job["side"] == "validator":
        read_validate = _validator(job, content)
        package = "csc-validator-be-903"
    else:
        read_validate = _missingcare(job, content)
        package = "missingcare"
    cpu: list[float] = []
    wall: list[float] = []
    first: _Found | None = None
    for _ in range(int(job["repeats"])):
        gc.collect()
        c0, w0 = time.process_time(), time.perf_counter()
        found = read_validate()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
        if first is None:
            first = found
        elif sorted(set(found)) != sorted(set(first)):
            print("the findings differ between repeats", file=sys.stderr)
            return 1
    findings = sorted({(str(c), t, r) for c, t, r in first or []})
    version = importlib.import_module("importlib.metadata").version(package)
    peak = _peak_mb()
    print(
        json.dumps(
            {"cpu": cpu, "wall": wall, "findings": findings, "version": version, "peak_mb": peak}
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
