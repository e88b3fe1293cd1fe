"""The benchmark suite runs end to end on tiny sizes and its result checks bite.

No timing is asserted here (speed is measured by ``benchmarks/run.py``, by
hand or as information in CI); this only shows that every benchmark runs,
that each compares its result with its baseline's, and that a wrong fast
path stops the run.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"


def _load_runner() -> ModuleType:
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location("missingcare_bench_run", BENCH / "run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def runner() -> ModuleType:
    return _load_runner()


def test_the_tiny_tier_runs_every_benchmark_with_checks(runner: Any) -> None:
    rows = runner.run("tiny", echo=False)
    groups = {r.group for r in rows}
    assert {"1 load", "2 dump", "3 memory"} <= groups
    measured = [r for r in rows if r.name not in ("skipped", "failed")]
    assert all(r.check or r.note for r in measured)
    assert not [r for r in rows if r.name == "failed"]
    load = [r for r in rows if r.group == "1 load"]
    assert any("_fastwire" in r.name for r in load)
    assert all(r.ratio is not None and r.ratio_gc_off is not None for r in load)
    text = runner.table(rows)
    assert text.count("\n") == len(rows) + 1


def test_a_wrong_fast_dump_stops_the_run(runner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    real = runner._fastwire()

    class Wrong:
        def dump(self, value: object) -> bytes:
            return bytes(real.dump(value)).replace(b'"Z"', b'"z"').replace(b"Z", b"+00:00")

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

    monkeypatch.setattr(runner, "_fastwire", Wrong)
    data = runner.dataset(runner.TIERS["tiny"].episodes)
    with pytest.raises(runner.CheckFailedError):
        runner.bench_dump(runner.TIERS["tiny"], data)


def test_a_wrong_fast_load_stops_the_run(runner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    real = runner._fastwire()

    class Wrong:
        def load(self, data: bytes, cls: type) -> Any:
            value = real.load(data, cls)
            return value if getattr(value, "clothing", None) is None else real.load(data, cls)

        def load_lines(self, lines: Any, cls: type) -> Any:
            return [real.load(x, cls) for x in list(lines)[1:]]  # drops the first record

        def __getattr__(self, name: str) -> Any:
            return getattr(real, name)

    monkeypatch.setattr(runner, "_fastwire", Wrong)
    data = runner.dataset(runner.TIERS["tiny"].episodes)
    with pytest.raises(runner.CheckFailedError):
        runner.bench_load(runner.TIERS["tiny"], data)


def test_the_command_prints_a_table(runner: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert runner.main(["--tiny", "--only", "memory"]) == 0
    out = capsys.readouterr().out
    assert "| 3 memory |" in out
    assert "CPUs" in out


def test_the_fill_benchmark_runs_and_prints_each_way(
    capsys: pytest.CaptureFixture[str],
) -> None:
    spec = importlib.util.spec_from_file_location("missingcare_bench_fill", BENCH / "bench_fill.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(["--number", "50"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("  ")[0] for line in lines] == list(module.measure(50))
