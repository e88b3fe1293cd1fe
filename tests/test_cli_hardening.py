"""Regressions for the command line's defects of issue 18 (defect 14).

An interruption exits 130 and leaves no partial file; ``synth``'s options are
bounded; ``check`` reads JSON lines one at a time, refusing a bad record
without failing the batch; without an extra, one line names it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from missingcare import CaseFile, ChildRef, to_json
from missingcare.cli import main

AS_OF = "2026-04-01T08:00:00Z"
CANARY = "CANARY-9d1e"


def _run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def _one_line_error(result: Result, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("missingcare: error: ")
    for fragment in fragments:
        assert fragment in lines[0]


def test_an_interruption_exits_130_with_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def stopped(*_args: object, **_kwargs: object) -> list[dict[str, object]]:
        raise KeyboardInterrupt

    path = tmp_path / "one.json"
    path.write_bytes(to_json(CaseFile(child=ChildRef("C-1"))))
    monkeypatch.setattr("missingcare.cli.check._evaluate", stopped)
    result = _run("check", str(path), "--as-of", AS_OF)
    assert result.exit_code == 130
    assert result.stderr.strip() == "missingcare: error: interrupted"


def test_sigint_during_synth_exits_130_and_leaves_no_partial_file(tmp_path: Path) -> None:
    out = tmp_path / "cohort"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "missingcare.cli",
            "synth",
            "--children=200000",
            f"--out={out}",
            "--quiet",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            work = list(out.glob(".synth-*/case-files.jsonl")) if out.exists() else []
            if work and work[0].stat().st_size > 0:
                break
            time.sleep(0.05)
        else:
            pytest.fail("synth wrote nothing in 60 s")
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert err.decode().strip().splitlines()[-1] == "missingcare: error: interrupted"
    assert sorted(os.listdir(out)) == []


def test_synth_publishes_only_whole_files_with_their_manifest(tmp_path: Path) -> None:
    out = tmp_path / "cohort"
    out.mkdir()
    (out / "manifest.json").write_text("{}")  # an earlier run's
    assert _run("synth", "--children", "3", "--out", str(out), "--quiet").exit_code == 0
    names = sorted(os.listdir(out))
    assert names == [
        "case-files.jsonl",
        "manifest.json",
        "ssda903-episodes.csv",
        "ssda903-header.csv",
        "ssda903-missing.csv",
    ]
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["files"]) == set(names) - {"manifest.json"}


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (["--children", str(10**20)], "--children"),
        (["--children", "1", "--days", "10000000"], "--days"),
        (["--children", "1", "--start", "9999-12-30"], "--start"),
        (["--children", "1", "--start", "1900-01-01"], "--start"),
        (["--children", "1", "--start", "2199-06-01", "--days", "365"], "--days"),
        (["--children", "1", "--per-home", str(10**9)], "--per-home"),
        (["--children", "1", "--seed", str(10**30)], "--seed"),
    ],
)
def test_synth_options_are_bounded(tmp_path: Path, options: list[str], fragment: str) -> None:
    result = _run("synth", *options, "--out", str(tmp_path / "out"), "--quiet")
    _one_line_error(result, fragment)
    assert "unexpected" not in result.stderr
    assert not (tmp_path / "out").exists()


def _lines(tmp_path: Path, *extra: bytes) -> Path:
    good = [to_json(CaseFile(child=ChildRef(f"C-{i}"))) for i in range(3)]
    path = tmp_path / "cases.jsonl"
    path.write_bytes(b"\n".join([good[0], *extra, good[1], good[2]]) + b"\n")
    return path


@pytest.mark.parametrize(
    ("line", "path", "code"),
    [
        (
            to_json(CaseFile(child=ChildRef("X"))).replace(
                b'"id":"X"', f'"id":"{CANARY}\\ud800"'.encode()
            ),
            "$.child.id",
            "invalid_text",
        ),
        (
            to_json(CaseFile(child=ChildRef("X"))).replace(
                b'"id":"X"', f'"id":"{CANARY}","id":"Y"'.encode()
            ),
            "$.child",
            "duplicate_key",
        ),
    ],
    ids=["surrogate", "repeated-key"],
)
def test_check_refuses_one_bad_record_and_reads_the_rest(
    tmp_path: Path, line: bytes, path: str, code: str
) -> None:
    for fmt in ("json", "table"):
        result = _run("check", str(_lines(tmp_path, line)), "--as-of", AS_OF, "--format", fmt)
        assert result.exit_code == 1, result.output
        assert CANARY not in result.output
        if fmt == "json":
            # the three good case files are evaluated; the bad record is one line on stderr
            assert [json.loads(x)["child_id"] for x in result.stdout.splitlines()] == [
                "C-0",
                "C-1",
                "C-2",
            ]
            (bad,) = result.stderr.splitlines()
            assert bad.startswith("missingcare: invalid: cases.jsonl line 2")
            assert f"{path}: " in bad
            assert f"[{code}]" in bad
        else:
            assert "cases.jsonl line 2" in result.stdout
            assert path in result.stdout


def test_check_refuses_a_line_over_the_largest_document_without_holding_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("missingcare.cli.check._MOST", 200)
    long = b'{"schema_version":1,"child":{"id":"' + b"x" * 5000 + b'"}}'
    result = _run("check", str(_lines(tmp_path, long)), "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 1, result.output
    assert len(result.stdout.splitlines()) == 3
    (bad,) = result.stderr.splitlines()
    assert bad.startswith("missingcare: invalid: cases.jsonl line 2")
    assert "[too_large]" in bad


def test_check_json_with_no_findings_is_valid_json(tmp_path: Path) -> None:
    result = _run("check", str(_lines(tmp_path)), "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.output
    evaluations = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(evaluations) == 3
    assert all("findings" not in e for e in evaluations)  # empty lists are left out


def _without(modules: str, code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter where importing ``modules`` fails."""
    block = f"import sys\nfor m in {modules.split()!r}: sys.modules[m] = None\n"
    return subprocess.run(
        [sys.executable, "-c", block + code], capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize("missing", ["click", "rich"])
def test_the_command_without_the_cli_extra_says_which_to_install(missing: str) -> None:
    done = _without(missing, "from missingcare._command import main\nmain()")
    assert done.returncode == 2
    expected = (
        "missingcare: error: the command line needs the 'cli' extra: "
        'pip install "missingcare[cli]"'
    )
    assert done.stderr.strip().splitlines() == [expected]
    assert "Traceback" not in done.stderr


def test_testing_without_hypothesis_says_which_extra_to_install() -> None:
    done = _without(
        "hypothesis",
        "import missingcare.testing, missingcare.testing.builders, missingcare.testing.synth\n"
        "try:\n"
        "    import missingcare.testing.strategies\n"
        "except ImportError as exc:\n"
        "    print(exc)\n",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "missingcare.testing.strategies needs the 'testing' extra (Hypothesis): "
        'pip install "missingcare[testing]"'
    )


@pytest.mark.parametrize("name", ["deep.json", "deep.jsonl"])
def test_check_refuses_json_nested_too_deep_in_one_line(tmp_path: Path, name: str) -> None:
    # found by the fuzz harness: a RecursionError ended in "please report this bug"
    path = tmp_path / name
    path.write_bytes(b'{"schema_version":1,"child":' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    result = _run("check", str(path), "--as-of", AS_OF)
    assert "please report" not in result.stderr
    # one invalid record, not JSON (a single document and a line alike)
    assert result.exit_code == 1, result.output
    assert "invalid_json" in result.stdout
