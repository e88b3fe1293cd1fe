"""The 903 benchmark compares findings with the public validator's before it reports a ratio.

No timing is asserted. The public validator is replaced by a stand-in that answers as
the real one does (the missingcare side's own answer), or with one finding changed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.test_benchmarks_smoke import _load_runner


@pytest.fixture(scope="module")
def runner() -> Any:
    return _load_runner()


def _stand_in(runner: Any, change: Callable[[list[Any]], list[Any]]) -> Any:
    real = runner._time_903

    def time_903(side: str, python: str, files: Mapping[str, Path], job: Any) -> Any:
        got = real("missingcare", sys.executable, files, job)
        if side == "validator":
            got = {**got, "findings": change(list(got["findings"])), "version": "stand-in"}
        return got

    return time_903


def _run(
    runner: Any, monkeypatch: pytest.MonkeyPatch, change: Callable[[list[Any]], list[Any]]
) -> Any:
    monkeypatch.setenv("MISSINGCARE_903_VALIDATOR", "stand-in")
    monkeypatch.setattr(runner, "_time_903", _stand_in(runner, change))
    tier = runner.TIERS["tiny"]
    return runner.bench_ssda903(tier, runner.dataset(tier.episodes))


def test_equal_findings_give_a_ratio_per_return(
    runner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = _run(runner, monkeypatch, lambda found: found)
    ours = [r for r in rows if r.name.startswith("missingcare")]
    assert len(ours) == 2  # the derived return, and the one with seeded mistakes
    assert all(r.ratio is not None and r.met is not None for r in ours)
    assert all(r.baseline.startswith("csc-validator-be-903 stand-in") for r in rows)
    assert "findings equal: 0 " in ours[0].check
    assert "findings equal: 0 " not in ours[1].check  # the seeded mistakes are found


def test_a_finding_only_one_side_has_stops_the_run(
    runner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(runner.CheckFailedError, match="findings equal"):
        _run(runner, monkeypatch, lambda found: [*found, ["574", "Missing", 0]])
    with pytest.raises(runner.CheckFailedError, match="findings equal"):
        _run(runner, monkeypatch, lambda found: found[1:])


def test_the_validator_python_may_be_given_relative_to_where_the_runner_starts(
    runner: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The timers run in the files' directory: ``.venv-903/bin/python`` must still work."""
    real = tmp_path / "base-python"
    real.write_text("")
    venv_bin = tmp_path / ".venv-903" / "bin"
    venv_bin.mkdir(parents=True)
    (venv_bin / "python").symlink_to(real)
    monkeypatch.chdir(tmp_path)
    got = runner.interpreter(".venv-903/bin/python")
    # absolute, and still the venv's own python: the symlink is not followed
    assert got == str(tmp_path / ".venv-903" / "bin" / "python")
    assert runner.interpreter(str(real)) == str(real)
    # a bare name is looked up on PATH; an unknown one is left for the OS to refuse
    on_path = tmp_path / "on-path"
    on_path.mkdir()
    tool = on_path / "python-903"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", str(on_path))
    assert runner.interpreter("python-903") == str(tool)
    assert runner.interpreter("no-such-python") == "no-such-python"


def test_the_timer_is_started_with_the_resolved_path(
    runner: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[list[str]] = []

    class Done:
        returncode = 0
        stderr = ""
        stdout = '{"findings": []}\n'

    def fake_run(argv: list[str], **kwargs: Any) -> Done:
        started.append(argv)
        return Done()

    data = tmp_path / "files"
    data.mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(runner.subprocess, "run", fake_run)
    got = runner._time_903("validator", ".venv-903/bin/python", {"missing": data / "m.csv"}, {})
    assert got == {"findings": []}
    assert started[0][0] == str(tmp_path / ".venv-903" / "bin" / "python")
