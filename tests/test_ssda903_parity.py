"""Parity with DfE's public 903 validator (``csc-validator-be-903``), rule by rule.

Runs only when ``MISSINGCARE_903_VALIDATOR`` names the python of a virtual
environment where ``csc-validator-be-903`` is installed (its pinned pandas
keeps it out of the project's own environment)::

    python -m venv /tmp/v903 && /tmp/v903/bin/pip install csc-validator-be-903
    MISSINGCARE_903_VALIDATOR=/tmp/v903/bin/python pytest tests/test_ssda903_parity.py

It generates 903 returns with every mistake class real files have
(:mod:`missingcare.adapters.ssda903.synth`), writes them as CSV files and as XML
returns, and for every rule compares the set of (table, row) flagged by
missingcare with the set flagged by the validator, each rule run on its own
fresh copy of the tables read by the validator's own reader (as its web tool
does). The sets must be equal but for the named differences in
:data:`DIFFERENCES`, each listed in docs/how-to/ssda903.md.
"""

from __future__ import annotations

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from missingcare.adapters.ssda903 import RULES, CollectionYear, Return903, read_return, validate
from missingcare.adapters.ssda903.synth import (
    FILE_MISTAKES,
    file_mistakes,
    generate_return,
    write_files,
)

YEAR = CollectionYear.parse("2025/26")
SEEDS = range(40)

#: Where missingcare deliberately differs from the public validator, by name (each is
#: in docs/how-to/ssda903.md, "Where missingcare differs from the public validator").
#: "case": the validator's reader upper-cases every cell before any rule runs
#: (lac_validator/ingress.py, capitalise_object_dtype_cols), so a lower-case code
#: passes its 1006 and 580; missingcare validates the cell as submitted (rule 1006's
#: own logic and tests are case-sensitive, PR #692), so it flags them.
#: "trailing_columns": the validator refuses a CSV whose header ends in empty columns
#: and misreads one whose lines do (pandas takes the first column as the row label);
#: missingcare reads the cells under their headers, so it is compared with the
#: validator reading the same file without them.
DIFFERENCES = ("case", "trailing_columns")


def _case_difference(ret: Return903) -> set[tuple[str, str, int]]:
    """The findings the "case" difference explains: lower-case codes the validator's
    reader upper-cases (1006 on MISSING, 580 on REC)."""
    explained: set[tuple[str, str, int]] = set()
    if ret.missing is not None:
        for row, kind in zip(ret.missing.row_numbers, ret.missing.column("MISSING"), strict=True):
            if kind is not None and kind != kind.upper() and kind.upper() in {"M", "A"}:
                explained.add(("1006", "Missing", row))
    if ret.episodes is not None:
        for row, rec in zip(ret.episodes.row_numbers, ret.episodes.column("REC"), strict=True):
            if rec is not None and rec != rec.upper() and rec.upper() == "E8":
                explained.add(("580", "Episodes", row))
    return explained


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
        if "XML_last" in case["files"]:
            dfs["Missing_last"] = read_xml_from_text(raw[1]["file_content"])["Missing"]
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
    ours: dict[str, set[tuple[str, str, int]]], *, cannot_fire: frozenset[str] = frozenset(),
    explained: dict[str, set[tuple[str, str, int]]] | None = None,
) -> dict[str, int]:  # fmt: skip
    """Run the validator on ``cases`` for ``codes``; assert equal sets, but for the findings
    a named difference explains (``explained``, only ours); count flags per rule."""
    batches = [codes[0::2], codes[1::2]]  # two validator processes, one per core
    theirs: dict[str, object] = {}
    with ThreadPoolExecutor(max_workers=2) as pool:
        for result in pool.map(lambda b: _run_validator(python, b, cases), batches):
            theirs.update(result)
    mismatches: list[str] = []
    flagged: dict[str, int] = {}
    used = 0
    for code, per_case in theirs.items():
        assert isinstance(per_case, dict)
        for case_id, tables in per_case.items():
            expected = {(code, t, r) for t, rows in tables.items() for r in rows}
            got = {f for f in ours[case_id] if f[0] == code}
            allowed = (explained or {}).get(case_id, set())
            flagged[code] = flagged.get(code, 0) + len(expected)
            only_ours = got - expected
            used += len(only_ours & allowed)
            if expected - got or only_ours - allowed:
                mismatches.append(
                    f"rule {code} case {case_id}: only validator {sorted(expected - got)[:5]}, "
                    f"only missingcare {sorted(only_ours - allowed)[:5]}"
                )
    print("flagged per rule:", flagged, "explained by a named difference:", used)
    assert not mismatches, "\n".join(mismatches[:40])
    # every rule must have been exercised by the generator, or parity proves nothing
    assert all(flagged.get(code, 0) > 0 for code in codes if code not in cannot_fire), flagged
    if explained is not None:
        assert used > 0, "the generator no longer exercises the named differences"
    return flagged


def _findings(ret: Return903) -> set[tuple[str, str, int]]:
    report = validate(ret, YEAR)
    assert not report.not_run
    return {(f.rule, f.table, f.row) for f in report.findings}


def test_parity_with_public_validator(tmp_path: Path) -> None:
    """40 seeds of CSV files with every mistake class, in cells, rows and files."""
    python = _validator()
    cases: list[dict[str, object]] = []
    ours: dict[str, set[tuple[str, str, int]]] = {}
    explained: dict[str, set[tuple[str, str, int]]] = {}
    total_missing = 0
    seen_file_mistakes: set[str] = set()
    for seed in SEEDS:
        tables = generate_return(seed)
        total_missing += len(tables["Missing"])
        mistakes = file_mistakes(seed)
        seen_file_mistakes |= mistakes
        paths = write_files(tables, tmp_path / f"seed{seed}", seed=seed)
        ret = read_return(
            header=paths["Header"],
            episodes=paths["Episodes"],
            missing=paths["Missing"],
            missing_last=paths["Missing_last"],
        )
        ours[str(seed)] = _findings(ret)
        explained[str(seed)] = _case_difference(ret)
        if "trailing_columns" in mistakes:  # the named difference: see DIFFERENCES
            paths = write_files(
                tables, tmp_path / f"seed{seed}-v", seed=seed,
                mistakes=mistakes - {"trailing_columns"},
            )  # fmt: skip
            plain = read_return(
                header=paths["Header"],
                episodes=paths["Episodes"],
                missing=paths["Missing"],
                missing_last=paths["Missing_last"],
            )
            assert _findings(plain) == ours[str(seed)]
        cases.append({"id": str(seed), "files": {k: str(v) for k, v in paths.items()}})
    assert total_missing >= 10_000
    assert seen_file_mistakes == set(FILE_MISTAKES)
    _compare(python, list(RULES), cases, ours, explained=explained)


def test_parity_reading_the_xml_return(tmp_path: Path) -> None:
    """The same 40 seeds as XML returns (this year's and last year's), read by each side's
    XML reader: 576 runs on last year's return."""
    python = _validator()
    cases: list[dict[str, object]] = []
    ours: dict[str, set[tuple[str, str, int]]] = {}
    explained: dict[str, set[tuple[str, str, int]]] = {}
    for seed in SEEDS:
        tables = generate_return(seed)
        paths = write_files(tables, tmp_path / f"seed{seed}", xml=True)
        cases.append(
            {
                "id": str(seed),
                "files": {"XML": str(paths["XML"]), "XML_last": str(paths["XML_last"])},
            }
        )
        ret = read_return(xml=paths["XML"], xml_last=paths["XML_last"])
        ours[str(seed)] = _findings(ret)
        explained[str(seed)] = _case_difference(ret)
    # in XML every Missing row sits in its child's HEADER and takes its DOB, so INT04 and
    # INT13 cannot fire
    _compare(
        python,
        list(RULES),
        cases,
        ours,
        cannot_fire=frozenset({"INT04", "INT13"}),
        explained=explained,
    )


@pytest.mark.skipif(
    not os.environ.get("MISSINGCARE_903_LARGE"),
    reason="the two large files run when MISSINGCARE_903_LARGE=1 (a separate CI step)",
)
@pytest.mark.parametrize("xml", [False, True], ids=["csv", "xml"])
def test_parity_on_a_large_return(tmp_path: Path, xml: bool) -> None:
    """One return of over 100,000 Missing rows (56,000 children, every mistake class), as
    CSV files and as XML returns: the same comparison as on the 40 seeds."""
    python = _validator()
    tables = generate_return(
        1000,
        children=56_000,
        missing_per_child=(0, 0, 0, 1, 1, 2, 2, 3, 4, 5, 5),
        tidy_children=0.5,
    )
    assert len(tables["Missing"]) >= 100_000
    if xml:
        paths = write_files(tables, tmp_path, xml=True)
        ret = read_return(xml=paths["XML"], xml_last=paths["XML_last"])
        cannot_fire = frozenset({"INT04", "INT13"})
    else:
        mistakes = frozenset({"bom", "crlf", "blank_lines"})
        paths = write_files(tables, tmp_path, seed=1000, mistakes=mistakes)
        ret = read_return(
            header=paths["Header"],
            episodes=paths["Episodes"],
            missing=paths["Missing"],
            missing_last=paths["Missing_last"],
        )
        cannot_fire = frozenset()
    files = {k: str(v) for k, v in paths.items()}
    _compare(
        python, list(RULES), [{"id": "large", "files": files}], {"large": _findings(ret)},
        cannot_fire=cannot_fire, explained={"large": _case_difference(ret)},
    )  # fmt: skip
