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
