"""Parity with DfE's public 903 validator (``csc-validator-be-903``), rule by rule.

Runs only when ``MISSINGCARE_903_VALIDATOR`` names the python of a virtual
environment where ``csc-validator-be-903`` is installed (its pinned pandas
keeps it out of the project's own environment)::

    python -m venv /tmp/v903 && /tmp/v903/bin/pip install csc-validator-be-903
    MISSINGCARE_903_VALIDATOR=/tmp/v903/bin/python pytest tests/test_ssda903_parity.py

It generates 903 returns (valid and deliberately broken), writes them as
CSV, and for every rule compares the set of (table, row) flagged by
missingcare with the set flagged by the validator, each rule run on its own
fresh copy of the tables read by the validator's own CSV reader (as its web
tool does). The generator lives here so the other 903 tests can reuse it.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import pytest

from missingcare.adapters.ssda903 import (
    RULES,
    CollectionYear,
    Return903,
    Table,
    read_return,
    validate,
    write_csv,
    write_xml,
)

YEAR = CollectionYear.parse("2025/26")
SEEDS = range(40)
BAD_DATES = (
    "31/02/2025",
    "2025-06-01",
    "1/6/25",
    "00/01/2025",
    "32/01/2025",
    "01/13/2025",
    "NA",
    "unknown",
    "01/06/2025 00:00",
    "29/02/2025",
    "01-06-2025",
)
KINDS = ("M", "A", "m", "a", "", "X", "AWAY", "NA")
KIND_WEIGHTS = (45, 40, 4, 4, 3, 2, 1, 1)

Record = dict[str, str | None]


def _fmt(rng: random.Random, d: date) -> str:
    if rng.random() < 0.1:
        return f"{d.day}/{d.month}/{d.year}"  # no leading zeros: still a valid 903 date
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def _date_or_bad(rng: random.Random, d: date, p_bad: float) -> str | None:
    r = rng.random()
    if r < p_bad / 3:
        return None
    if r < p_bad:
        return rng.choice(BAD_DATES)
    return _fmt(rng, d)


def _eighteenth(dob: date) -> date:
    try:
        return dob.replace(year=dob.year + 18)
    except ValueError:
        return date(dob.year + 18, 2, 28)


def generate_return(seed: int) -> dict[str, list[Record]]:
    """A synthetic 903 return for 2025/26 with realistic mistakes, deterministic per seed.

    Covers overlapping and touching missing episodes, open episodes, several
    periods of care with gaps, bad and blank dates, lower-case and unknown
    codes, children missing from Header or Episodes, 18th birthdays while
    missing, and last year's open episodes carried (or not).
    """
    rng = random.Random(seed)
    y0, y1 = YEAR.start, YEAR.end
    header: list[Record] = []
    episodes: list[Record] = []
    missing: list[Record] = []
    last: list[Record] = []
    for i in range(rng.randint(50, 90)):
        child = f"C{seed:03d}{i:03d}"
        if rng.random() < 0.2:
            dob = date(2007, 4, 1) + timedelta(rng.randrange(366))  # turns 18 this year
        else:
            dob = date(2006, 1, 1) + timedelta(rng.randrange(365 * 13))
        adult = _eighteenth(dob)
        if rng.random() > 0.03:
            header.append(
                {"CHILD": child, "SEX": "1", "DOB": _date_or_bad(rng, dob, 0.02), "ETHNIC": "WBRI"}
            )
        care_start = y0 - timedelta(days=rng.randrange(0, 800))
        if rng.random() > 0.04:
            cur = care_start
            k = rng.randint(1, 4)
            for j in range(k):
                dec = cur + timedelta(days=rng.randrange(1, 300))
                dec_text: str | None = _date_or_bad(rng, dec, 0.03)
                if j == k - 1:
                    r = rng.random()
                    if r < 0.45:
                        dec_text = None
                    elif r < 0.6 and y0 <= adult <= y1:
                        dec_text = _fmt(rng, adult)
                episodes.append(
                    {
                        "CHILD": child,
                        "DECOM": _date_or_bad(rng, cur, 0.02),
                        "RNE": "P",
                        "LS": "C2",
                        "CIN": "N1",
                        "PLACE": "U1",
                        "PLACE_PROVIDER": "PR1",
                        "DEC": dec_text,
                        "REC": rng.choice(("E8", "E8", "E4A", "X1", None)),
                    }
                )
                r = rng.random()
                if r < 0.6:
                    cur = dec
                elif r < 0.85:
                    cur = dec + timedelta(days=rng.randrange(1, 90))
                else:
                    cur = dec - timedelta(days=rng.randrange(1, 30))
        rows: list[Record] = []
        if rng.random() < 0.85:
            cursor = max(care_start, y0 - timedelta(days=20)) + timedelta(rng.randrange(0, 300))
        else:
            cursor = care_start + timedelta(days=rng.randrange(-30, 700))
        for _ in range(rng.choice((0, 1, 2, 3, 4, 5, 6, 8, 10, 12))):
            start = cursor
            end = start + timedelta(days=rng.choice((0, 0, 1, 1, 2, 3, 5, 9, 20)))
            dob_text: str | None = _fmt(rng, dob)
            r = rng.random()
            if r < 0.03:
                dob_text = _fmt(rng, dob + timedelta(days=rng.randrange(1, 400)))
            elif r < 0.05:
                dob_text = None
            end_text = _date_or_bad(rng, end, 0.05)
            if rng.random() < 0.08:
                end_text = None
            if y0 <= adult <= y1 and rng.random() < 0.15:
                end_text = _fmt(rng, adult)
            kind = rng.choices(KINDS, KIND_WEIGHTS)[0] or None
            rows.append(
                {
                    "CHILD": child,
                    "DOB": dob_text,
                    "MISSING": kind,
                    "MIS_START": _date_or_bad(
                        rng, start if rng.random() > 0.01 else dob - timedelta(days=3), 0.05
                    ),
                    "MIS_END": end_text,
                }
            )
            r = rng.random()
            if r < 0.1:
                cursor = end - timedelta(days=rng.randrange(1, 4))  # overlap
            elif r < 0.25:
                cursor = end  # touching
            else:
                cursor = end + timedelta(days=rng.randrange(1, 60))
        if rng.random() < 0.3:
            rng.shuffle(rows)
        missing.extend(rows)
        if rng.random() < 0.35:
            lstart = y0 - timedelta(days=rng.randrange(1, 200))
            last.append(
                {
                    "CHILD": child,
                    "DOB": _fmt(rng, dob),
                    "MISSING": "M",
                    "MIS_START": _fmt(rng, lstart - timedelta(days=30)),
                    "MIS_END": _fmt(rng, lstart - timedelta(days=20)),
                }
            )
            r = rng.random()
            if r < 0.5 and rows and rows[0]["MIS_START"] is not None:
                carried = rows[0]["MIS_START"]  # carried correctly (if it is the earliest)
            elif r < 0.9:
                carried = _fmt(rng, lstart)
            else:
                carried = rng.choice(BAD_DATES)
            last.append(
                {"CHILD": child, "DOB": _fmt(rng, dob), "MISSING": "A", "MIS_START": carried}
            )
    if seed % 3 == 0:
        rng.shuffle(missing)
    if seed % 5 == 0:
        rng.shuffle(episodes)
    return {"Header": header, "Episodes": episodes, "Missing": missing, "Missing_last": last}


def write_return(tables: dict[str, list[Record]], folder: Path) -> dict[str, Path]:
    """Write a generated return as four CSV files; returns their paths by table."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name, records in tables.items():
        table = Table.from_records("Missing" if name == "Missing_last" else name, records)
        path = folder / f"{name}.csv"
        path.write_bytes(write_csv(table))
        paths[name] = path
    return paths


# Runs inside the validator's environment: each case is read once by the validator's own
# CSV reader, then every rule runs on its own deep copy (rules mutate their input).
_DRIVER = r"""
import copy, importlib, json, sys
from lac_validator.ingress import read_csvs_from_text, read_xml_from_text
job = json.load(sys.stdin)
registry = importlib.import_module("lac_validator.rules." + job["ruleset"]).registry
out = {code: {} for code in job["rules"]}
for case in job["cases"]:
    raw = []
    for name, path in case["files"].items():
        with open(path, "rb") as fh:
            content = fh.read()
        desc = "Prev year" if name.endswith("_last") else "This year"
        raw.append({"name": path, "file_content": content, "description": desc})
    if "XML" in case["files"]:
        dfs = read_xml_from_text(raw[0]["file_content"])
        # empty tables with no columns make the validator's 1012 crash: leave them out
        dfs = {k: v for k, v in dfs.items() if k in ("Header", "Episodes", "Missing")}
    else:
        dfs = read_csvs_from_text(raw)
    dfs["metadata"] = {"collection_start": job["start"], "collection_end": job["end"]}
    for code in job["rules"]:
        result = registry[code].func(copy.deepcopy(dfs))
        found = {t: sorted({int(i) for i in v if i == i}) for t, v in result.items()}
        out[code][case["id"]] = found
print(json.dumps(out))
"""


def _validator() -> str:
    python = os.environ.get("MISSINGCARE_903_VALIDATOR")
    if not python:
        pytest.skip(
            "parity with csc-validator-be-903 runs only when MISSINGCARE_903_VALIDATOR names "
            "the python of a venv where it is installed"
        )
    return python


def _run_validator(
    python: str, codes: list[str], cases: list[dict[str, object]]
) -> dict[str, object]:
    job = {
        "rules": codes,
        "ruleset": "lac" + str(YEAR).replace("/", "_"),
        "start": f"01/04/{YEAR.start_year}",
        "end": f"31/03/{YEAR.start_year + 1}",
        "cases": cases,
    }
    proc = subprocess.run(
        [python, "-c", _DRIVER],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=False,
        cwd="/",
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    if proc.returncode != 0:
        raise AssertionError(f"validator failed on rules {codes}: {proc.stderr[-2000:]}")
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _compare(
    python: str, codes: list[str], cases: list[dict[str, object]],
    ours: dict[str, set[tuple[str, str, int]]], cannot_fire: frozenset[str] = frozenset(),
) -> dict[str, int]:  # fmt: skip
    """Run the validator on ``cases`` for ``codes``; assert equal sets; count flags per rule."""
    batches = [codes[0::2], codes[1::2]]  # two validator processes, one per core
    theirs: dict[str, object] = {}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for result in pool.map(lambda b: _run_validator(python, b, cases), batches):
            theirs.update(result)
    mismatches: list[str] = []
    flagged: dict[str, int] = {}
    for code, per_case in theirs.items():
        assert isinstance(per_case, dict)
        for case_id, tables in per_case.items():
            expected = {(code, t, r) for t, rows in tables.items() for r in rows}
            got = {f for f in ours[case_id] if f[0] == code}
            flagged[code] = flagged.get(code, 0) + len(expected)
            if expected != got:
                mismatches.append(
                    f"rule {code} case {case_id}: only validator {sorted(expected - got)[:5]}, "
                    f"only missingcare {sorted(got - expected)[:5]}"
                )
    print("flagged per rule:", flagged)
    assert not mismatches, "\n".join(mismatches[:40])
    # every rule must have been exercised by the generator, or parity proves nothing
    assert all(flagged.get(code, 0) > 0 for code in codes if code not in cannot_fire), flagged
    return flagged


def test_parity_with_public_validator(tmp_path: Path) -> None:
    python = _validator()
    cases: list[dict[str, object]] = []
    ours: dict[str, set[tuple[str, str, int]]] = {}
    total_missing = 0
    for seed in SEEDS:
        tables = generate_return(seed)
        total_missing += len(tables["Missing"])
        paths = write_return(tables, tmp_path / f"seed{seed}")
        cases.append({"id": str(seed), "files": {k: str(v) for k, v in paths.items()}})
        ret = read_return(
            header=paths["Header"],
            episodes=paths["Episodes"],
            missing=paths["Missing"],
            missing_last=paths["Missing_last"],
        )
        report = validate(ret, YEAR)
        assert not report.not_run
        ours[str(seed)] = {(f.rule, f.table, f.row) for f in report.findings}
    assert total_missing >= 10_000

    _compare(python, list(RULES), cases, ours)


def test_parity_reading_the_xml_return(tmp_path: Path) -> None:
    """The same tables written as one XML return, read by each side's XML reader."""
    python = _validator()
    cases: list[dict[str, object]] = []
    ours: dict[str, set[tuple[str, str, int]]] = {}
    for seed in range(10):
        tables = generate_return(seed)
        ret = Return903(
            header=Table.from_records("Header", tables["Header"]),
            episodes=Table.from_records("Episodes", tables["Episodes"]),
            missing=Table.from_records("Missing", tables["Missing"]),
        )
        path = tmp_path / f"seed{seed}.xml"
        path.write_bytes(write_xml(ret))
        cases.append({"id": str(seed), "files": {"XML": str(path)}})
        report = validate(read_return(xml=path), YEAR)
        ours[str(seed)] = {(f.rule, f.table, f.row) for f in report.findings}
    # 576 needs last year's table, which an XML return does not carry; in XML every
    # Missing row sits in its child's HEADER and takes its DOB, so INT04/INT13 cannot fire
    codes = [c for c in RULES if c != "576"]
    _compare(python, codes, cases, ours, frozenset({"INT04", "INT13"}))
