"""Tests for the ``missingcare`` group (:mod:`missingcare.cli`): its exit codes and one-line errors,
``demo``, ``synth`` and ``check``."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from missingcare import (
    CaseFile,
    ChildRef,
    Evaluation,
    Outcome,
    ValidationError,
    Violation,
    from_json,
    to_json,
)
from missingcare.cli import ExitCode, UnusableInput, main

AS_OF = "2026-04-01T08:00:00Z"


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _one_line_error(result: Result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("missingcare: error: ")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0]


@pytest.fixture(scope="module")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "cohort"
    result = _run("synth", "--children", "12", "--seed", "4", "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    return out


# --- the group ---------------------------------------------------------------------------------


def test_version() -> None:
    result = _run("--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("missingcare ")


def test_help_lists_the_commands() -> None:
    result = _run("--help")
    assert result.exit_code == 0
    for name in ("check", "demo", "synth"):
        assert name in result.stdout


def test_unknown_command_is_a_usage_error() -> None:
    _one_line_error(_run("frobnicate"), "frobnicate")


def test_unknown_option_is_a_usage_error() -> None:
    _one_line_error(_run("demo", "--loud"), "--loud")


def test_an_unexpected_error_is_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, synth_dir: Path
) -> None:
    def broken(*_args: object, **_kwargs: object) -> list[dict[str, object]]:
        raise RuntimeError("boom with CANARY-data")

    monkeypatch.setattr("missingcare.cli.check._evaluate", broken)
    result = _run("check", str(synth_dir / "case-files.jsonl"), "--as-of", AS_OF)
    _one_line_error(result, "RuntimeError")
    assert "CANARY" not in result.output


def test_importing_missingcare_loads_no_extra() -> None:
    code = (
        "import sys, missingcare, missingcare.testing.synth\n"
        "bad = {'click', 'rich', 'hypothesis', 'polars', 'pyarrow', 'matplotlib'}\n"
        "print(sorted(bad & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_903_group_is_attached() -> None:
    assert "903" in _run("--help").stdout
    result = _run("903", "--help")
    assert result.exit_code == 0
    assert "validate" in result.stdout


def test_exit_codes_are_the_documented_three() -> None:
    assert [(c.name, int(c)) for c in ExitCode] == [("OK", 0), ("FLAGGED", 1), ("UNUSABLE", 2)]
    assert UnusableInput("x").exit_code == ExitCode.UNUSABLE


@pytest.mark.parametrize(
    ("raised", "fragment"),
    [
        (click.Abort(), "aborted"),
        (click.ClickException("a click error whose own code is 1"), "whose own code is 1"),
        (OSError(13, "Permission denied", "/somewhere/CANARY-free.jsonl"), "Permission denied"),
    ],
)
def test_whatever_stops_a_command_exits_2_never_1(
    monkeypatch: pytest.MonkeyPatch, synth_dir: Path, raised: BaseException, fragment: str
) -> None:
    # 1 means "did the whole job and flagged something"; an interrupted check flagged nothing
    def stopped(*_args: object, **_kwargs: object) -> list[dict[str, object]]:
        raise raised

    monkeypatch.setattr("missingcare.cli.check._evaluate", stopped)
    _one_line_error(_run("check", str(synth_dir / "case-files.jsonl"), "--as-of", AS_OF), fragment)


def test_a_library_error_is_one_line_naming_the_path_not_the_value(
    monkeypatch: pytest.MonkeyPatch, synth_dir: Path
) -> None:
    def refused(*_args: object, **_kwargs: object) -> list[dict[str, object]]:
        raise ValidationError(
            (
                Violation("$.episodes[3].returned_at", "naive_datetime", "expected an instant"),
                Violation("$.child.id", "required", "this field is required"),
            )
        )

    monkeypatch.setattr("missingcare.cli.check._evaluate", refused)
    result = _run("check", str(synth_dir / "case-files.jsonl"), "--as-of", AS_OF)
    _one_line_error(result, "$.child.id: this field is required [required] (and 1 more)")


def test_without_a_command_the_help_is_shown_and_exits_2() -> None:
    result = _run()
    assert result.exit_code == 2
    assert result.stderr.startswith("Usage: missingcare [OPTIONS] COMMAND")
    for name in ("903", "check", "demo", "schema", "synth"):
        assert f"  {name} " in result.stderr


def test_python_dash_m_runs_the_group() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "missingcare.cli", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.startswith("missingcare ")


def test_commands_load_only_when_run() -> None:
    code = (
        "import sys\n"
        "from missingcare.cli import main\n"
        "assert main(['--version'], standalone_mode=False) == 0\n"
        "print(sorted(m for m in sys.modules if m == 'rich'"
        " or m.startswith('missingcare.adapters')"
        " or (m.startswith('missingcare.cli.') and m != 'missingcare.cli._common')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines()[-1] == "[]"


@pytest.mark.parametrize(
    ("old", "name", "new"),
    [
        ("missingcare.cli", "EXIT_OK", "missingcare.cli.ExitCode.OK"),
        ("missingcare.cli", "EXIT_FLAGGED", "missingcare.cli.ExitCode.FLAGGED"),
        ("missingcare.cli", "EXIT_UNUSABLE", "missingcare.cli.ExitCode.UNUSABLE"),
        ("missingcare.cli_903", "ssda903_group", "missingcare.cli.ssda903.ssda903_group"),
        ("missingcare.cli_903", "group", "missingcare.cli.ssda903.ssda903_group"),
        ("missingcare.cli_schema", "schema_command", "missingcare.cli.schema.schema_command"),
        ("missingcare.cli_schema", "UnknownModelError", "missingcare.cli.UnusableInput"),
    ],
)
def test_moved_names_still_import_with_a_deprecation_warning(old: str, name: str, new: str) -> None:
    import importlib
    import pkgutil

    module = importlib.import_module(old)
    with pytest.warns(DeprecationWarning, match=rf"{old}\.{name} is deprecated; use {new}"):
        value = getattr(module, name)
    assert value is pkgutil.resolve_name(new)
    with pytest.raises(AttributeError, match="no_such_name"):
        module.no_such_name  # noqa: B018


# --- demo ----------------------------------------------------------------------------------------


def test_demo_shows_the_home() -> None:
    result = _run("demo")
    assert result.exit_code == 0, result.output
    for heading in (
        "missingcare demo",
        "Validation",
        "The children this year",
        "Overdue and due soon",
        "What might episode",
        "The home's patterns",
    ):
        assert heading in result.stdout
    assert "round-trip through JSON unchanged" in result.stdout


def test_demo_is_deterministic() -> None:
    first = _run("demo", "--seed", "3")
    assert first.exit_code == 0
    assert first.stdout == _run("demo", "--seed", "3").stdout
    assert first.stdout != _run("demo", "--seed", "4").stdout


# --- synth ----------------------------------------------------------------------------------------


def test_synth_writes_case_files_tables_and_a_manifest(synth_dir: Path) -> None:
    manifest = json.loads((synth_dir / "manifest.json").read_text())
    assert manifest["synthetic"] is True
    assert manifest["children"] == 12
    assert manifest["collection_year"] == "2025/26"
    lines = (synth_dir / "case-files.jsonl").read_bytes().splitlines()
    cases = [from_json(line, CaseFile) for line in lines]
    assert len(cases) == 12
    assert manifest["episodes"] == sum(len(c.episodes) for c in cases)
    for name, entry in manifest["files"].items():
        data = (synth_dir / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    header = (synth_dir / "ssda903-missing.csv").read_text().splitlines()[0]
    assert header == "CHILD,DOB,MISSING,MIS_START,MIS_END"


def test_synth_is_deterministic(synth_dir: Path, tmp_path: Path) -> None:
    result = _run("synth", "--children", "12", "--seed", "4", "--out", str(tmp_path), "--quiet")
    assert result.exit_code == 0
    for name in ("case-files.jsonl", "manifest.json", "ssda903-missing.csv"):
        assert (tmp_path / name).read_bytes() == (synth_dir / name).read_bytes()


def test_synth_summary_and_no_903(tmp_path: Path) -> None:
    result = _run("synth", "--children", "3", "--out", str(tmp_path), "--no-903")
    assert result.exit_code == 0
    assert "Wrote 3 synthetic case files" in result.stdout
    assert not (tmp_path / "ssda903-missing.csv").exists()


def test_synth_refuses_a_file_as_out(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("x")
    _one_line_error(_run("synth", "--children", "2", "--out", str(target)), "taken")


def test_synth_refuses_bad_options(tmp_path: Path) -> None:
    _one_line_error(_run("synth", "--children", "0", "--out", str(tmp_path)), "--children")
    _one_line_error(
        _run("synth", "--children", "1", "--out", str(tmp_path), "--zone", "Mars/Base"), "--zone"
    )
    _one_line_error(
        _run("synth", "--children", "1", "--out", str(tmp_path), "--start", "April"), "--start"
    )
    _one_line_error(_run("synth", "--out", str(tmp_path)), "--children")


# --- check ---------------------------------------------------------------------------------


def test_check_reports_findings_and_exits_1_on_a_breach(synth_dir: Path) -> None:
    result = _run("check", str(synth_dir / "case-files.jsonl"), "--as-of", AS_OF)
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("Checked 12 case files against GB-ENG")
    assert "breached" in result.stdout


def test_check_json_format(synth_dir: Path) -> None:
    result = _run(
        "check", str(synth_dir / "case-files.jsonl"), "--as-of", AS_OF, "--format", "json"
    )
    # JSON lines: each case file's Evaluation document, exactly as to_json writes it
    lines = result.stdout.splitlines()
    assert len(lines) == 12
    evaluations = [from_json(line, Evaluation) for line in lines]
    assert [to_json(e).decode() for e in evaluations] == lines
    assert {e.pack for e in evaluations} == {"GB-ENG"}
    outcomes = {f.outcome for e in evaluations for f in e.findings}
    assert Outcome.BREACHED in outcomes
    assert not outcomes & {Outcome.MET, Outcome.NOT_APPLICABLE}  # only --all lists those
    assert result.exit_code == 1


def test_check_a_clean_file_exits_0(tmp_path: Path) -> None:
    path = tmp_path / "one.json"
    path.write_bytes(to_json(CaseFile(child=ChildRef("C-1"))))
    result = _run("check", str(path), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Checked 1 case file against")


def test_check_reads_a_json_array(tmp_path: Path) -> None:
    docs = [json.loads(to_json(CaseFile(child=ChildRef(f"C-{i}")))) for i in range(3)]
    path = tmp_path / "many.json"
    path.write_text(json.dumps(docs))
    result = _run("check", str(path), "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["child_id"] for line in result.stdout.splitlines()] == [
        "C-0",
        "C-1",
        "C-2",
    ]


def test_check_flags_an_invalid_case_file_without_echoing_it(tmp_path: Path) -> None:
    doc = json.loads(to_json(CaseFile(child=ChildRef("CANARY-CHILD"))))
    doc["child"]["date_of_birth"] = "not a date CANARY-DOB"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    result = _run("check", str(path), "--as-of", AS_OF)
    assert result.exit_code == 1
    assert "invalid" in result.stdout
    assert "CANARY-DOB" not in result.output


@pytest.mark.parametrize(
    ("name", "content", "fragments"),
    [
        ("broken.json", '{"schema_version": 1, "child": ', ["broken.json", "$", "invalid_json"]),
        (
            "broken.jsonl",
            '{"schema_version": 1, "child": {"id": "C"}}\n{oops\n',
            ["broken.jsonl line 2", "invalid_json"],
        ),
        (
            "old.json",
            '{"schema_version": 99, "child": {"id": "CANARY"}}',
            ["$.schema_version", "unsupported_version"],
        ),
        ("none.json", '{"child": {"id": "C"}}', ["$.schema_version", "required"]),
        ("list.json", "[1, 2]", ["list.json[0]", "list.json[1]", "wrong_type"]),
        ("binary.json", b"\xff\xfe\x00".decode("latin-1"), ["binary.json", "invalid_json"]),
    ],
)
def test_check_a_record_that_is_not_a_case_file_is_invalid_and_exits_1(
    tmp_path: Path, name: str, content: str, fragments: list[str]
) -> None:
    # one rule for a single document and a file of many: every record is judged, and
    # one that is not a usable case file (not JSON, a wrong version, against the model)
    # is an invalid record named by its place and field path: exit 1
    path = tmp_path / name
    path.write_bytes(content.encode("latin-1"))
    for fmt in ("table", "json"):
        result = _run("check", str(path), "--as-of", AS_OF, "--format", fmt)
        assert result.exit_code == 1, result.output
        shown = result.stdout if fmt == "table" else result.stderr
        for fragment in fragments:
            assert fragment in shown, (fmt, fragment, shown)
        assert "CANARY" not in result.output
        assert "Traceback" not in result.output


def test_check_input_with_nothing_to_check_exits_2_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"\n\n")
    _one_line_error(_run("check", str(path), "--as-of", AS_OF), "no case files")


def test_check_missing_file_and_directory(tmp_path: Path) -> None:
    _one_line_error(_run("check", str(tmp_path / "nope.json")), "nope.json: no such file")
    _one_line_error(_run("check", str(tmp_path)), "is a directory")


def test_check_bad_options(synth_dir: Path) -> None:
    path = str(synth_dir / "case-files.jsonl")
    _one_line_error(_run("check", path, "--as-of", "tomorrow"), "--as-of")
    _one_line_error(_run("check", path, "--as-of", "2026-04-01T08:00:00"), "--as-of")
    _one_line_error(_run("check", path, "--pack", "XX-NOPE"), "--pack")
    _one_line_error(_run("check", path, "--format", "xml"), "--format")
    _one_line_error(_run("check"), "FILE")


def test_synth_903_tables_pass_903_validate(synth_dir: Path) -> None:
    result = _run(
        "903",
        "validate",
        "--collection-year",
        "2025/26",
        "--header",
        str(synth_dir / "ssda903-header.csv"),
        "--episodes",
        str(synth_dir / "ssda903-episodes.csv"),
        "--missing",
        str(synth_dir / "ssda903-missing.csv"),
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["findings"] == []
    assert report["counts"]["rows"]["Missing"] > 0


def test_an_unwritable_out_directory_is_one_line(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "case-files.jsonl").mkdir()  # a directory where the file should go
    result = _run("synth", "--children", "1", "--out", str(locked), "--quiet")
    _one_line_error(result, "case-files.jsonl")
