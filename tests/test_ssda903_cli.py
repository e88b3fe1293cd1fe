"""``missingcare 903 validate``: output formats, exit codes, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from missingcare.cli import main
from missingcare.cli.ssda903 import ssda903_group

FIXTURES = Path(__file__).parent / "fixtures" / "ssda903"
YEAR = ["903", "validate", "--collection-year", "2025/26"]


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*YEAR, *args])
    return result.exit_code, result.stdout, result.stderr


def csv_args(missing: str = "missing.csv") -> list[str]:
    return [
        "--header", str(FIXTURES / "header.csv"),
        "--episodes", str(FIXTURES / "episodes.csv"),
        "--missing", str(FIXTURES / missing),
    ]  # fmt: skip


def test_clean_return_exits_0() -> None:
    code, out, _ = run(*csv_args(), "--missing-last", str(FIXTURES / "missing_last.csv"))
    assert code == 0
    assert "5 Missing rows checked under 20 rules for 2025/26: no findings." in out
    assert "0 finding" not in out
    code, out, _ = run("--xml", str(FIXTURES / "return.xml"), "--format", "json")
    report = json.loads(out)
    assert (code, report["findings"]) == (0, [])
    assert report["not_run"] == [{"rule": "576", "reason": "no previous year's table"}]
    assert report["counts"]["rows"] == {"Header": 3, "Episodes": 3, "Missing": 5}
    assert report["counts"]["findings_total"] == 0
    assert len(report["run"]) == 19
    code, out, _ = run("--xml", str(FIXTURES / "return.xml"))
    assert (
        "5 Missing rows checked under 19 rules for 2025/26: no findings; rule 576 not run: "
        "no previous year's table." in out
    )


def test_flagged_rows_exit_1_with_json_findings() -> None:
    code, out, _ = run(*csv_args("broken_missing.csv"), "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert set(report) == {
        "collection_year", "tolerant", "findings", "run", "not_run", "notes", "counts",
    }  # fmt: skip
    findings = report["findings"]
    assert all(set(f) == {"rule", "table", "row", "fields", "message_id"} for f in findings)
    assert sum(report["counts"]["findings"].values()) == len(findings)
    got = {(f["rule"], f["table"], f["row"]) for f in findings}
    assert {("574", "Missing", 0), ("1004", "Missing", 2), ("1006", "Missing", 2),
            ("567", "Missing", 3), ("INT04", "Missing", 3), ("570", "Missing", 4),
            ("INT13", "Missing", 4)} <= got  # fmt: skip
    assert all(isinstance(f["rule"], str) and isinstance(f["row"], int) for f in findings)
    code, out, _ = run(*csv_args("broken_missing.csv"))
    assert code == 1
    assert "574" in out
    assert "previous_open" in out


def test_tolerated_input_is_reported() -> None:
    code, out, _ = run(*csv_args("messy_missing.csv"))
    assert code == 1  # child 1001 is in neither Header nor Episodes
    assert "lower-case letters" not in out  # (validated as submitted)
    code, out, _ = run(*csv_args("messy_missing.csv"), "--tolerant", "--format", "json")
    notes = {(n["table"], n["code"], n["column"]): n["rows"] for n in json.loads(out)["notes"]}
    assert notes[("Missing", "lower_case_code", "MISSING")] == [0, 2]
    code, out, _ = run(*csv_args("messy_missing.csv"), "--tolerant")
    assert "Note on Missing, column MISSING: lower-case letters were read as upper-case" in out


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (csv_args("wrong_headers.csv"), "wrong_headers.csv: the header line is not that of"),
        (csv_args("empty.csv"), "empty.csv: the file is empty"),
        (csv_args("utf16_missing.csv"), "utf16_missing.csv: the file is not UTF-8"),
        (csv_args("latin1.csv"), "latin1.csv: line 2 is not UTF-8"),
        (csv_args("absent.csv"), "absent.csv: cannot be opened"),
        (["--xml", str(FIXTURES / "not_903.xml")], "not an SSDA903 XML return"),
        (["--xml", str(FIXTURES / "doctype.xml")], "DOCTYPE"),
        (["--xml", str(FIXTURES / "header.csv")], "not well-formed XML"),
        (["--xml", str(FIXTURES / "empty.csv")], "the file is empty"),
        (["--xml", str(FIXTURES / "return.xml"), *csv_args()], "not both"),
        (["--missing", str(FIXTURES / "missing.csv")], "give --header, --episodes and --missing"),
    ],
)
def test_unusable_input_exits_2_with_one_line(args: list[str], problem: str) -> None:
    code, out, err = run(*args)
    assert code == 2
    assert out == ""
    assert err.startswith("missingcare: error: ")
    assert problem in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_the_group_ends_the_same_way_on_its_own() -> None:
    result = CliRunner().invoke(ssda903_group, [*YEAR[1:], *csv_args("empty.csv")])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"missingcare: error: {FIXTURES / 'empty.csv'}: the file is empty\n"
    result = CliRunner().invoke(ssda903_group, [*YEAR[1:], *csv_args("broken_missing.csv")])
    assert result.exit_code == 1


def test_bad_collection_year_exits_2() -> None:
    result = CliRunner().invoke(
        main, ["903", "validate", "--collection-year", "2031/32", *csv_args()]
    )
    assert result.exit_code == 2
    assert "no 903 rule edition" in result.stderr
    result = CliRunner().invoke(main, ["903", "validate", "--collection-year", "2026", *csv_args()])
    assert result.exit_code == 2
    assert "--collection-year" in result.stderr


def test_missing_last_as_xml() -> None:
    # last year's open row for SYN001 (20/03/2026) is not where this year's rows begin
    code, out, _ = run(
        *csv_args(), "--missing-last", str(FIXTURES / "return.xml"), "--format", "json"
    )
    assert code == 1
    assert [(f["rule"], f["row"]) for f in json.loads(out)["findings"]] == [("576", 0)]
    code, out, _ = run(
        "--xml", str(FIXTURES / "return.xml"), "--xml-last", str(FIXTURES / "return.xml"),
        "--format", "json",
    )  # fmt: skip
    report = json.loads(out)
    assert report["not_run"] == []
    assert "576" in report["run"]
    assert (code, {f["rule"] for f in report["findings"]}) == (1, {"576"})
