"""The benchmark suite runs end to end on tiny sizes and its result checks bite.

No timing is asserted here (speed is measured by ``benchmarks/run.py``, by
hand or as information in CI); this only shows that every benchmark runs,
that each compares its result with its baseline's, and that a wrong fast
path stops the run.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests._helpers import load_script

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from _corpus import CONVERSATION, EPISODE, REFUSED, changed  # noqa: E402


def _load_runner() -> ModuleType:
    return load_script(BENCH / "run.py", "missingcare_bench_run")


@pytest.fixture(scope="module")
def runner() -> ModuleType:
    return _load_runner()


@pytest.fixture(scope="module")
def tiny_rows(runner: Any) -> list[Any]:
    """Every benchmark at the tiny tier, in two rounds (run once for the tests below)."""
    return runner.run("tiny", echo=False, repeats=2)  # type: ignore[no-any-return]


def test_the_tiny_tier_runs_every_benchmark_with_checks(runner: Any, tiny_rows: Any) -> None:
    rows = tiny_rows
    groups = {r.group for r in rows}
    assert {"1 load", "2 dump", "3 memory"} <= groups
    measured = [r for r in rows if r.name not in ("skipped", "failed")]
    assert all(r.check or r.note for r in measured)
    assert not [r for r in rows if r.name == "failed"]
    load = [r for r in measured if r.group == "1 load"]
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
    module = load_script(BENCH / "bench_fill.py", "missingcare_bench_fill")
    assert module.main(["--number", "50"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("  ")[0] for line in lines] == list(module.measure(50))


# --- the pydantic rows -------------------------------------------------------------------


def _pydantic_rows(rows: Any) -> list[Any]:
    return [r for r in rows if "pydantic" in r.name]


def test_the_pydantic_rows_run_with_their_checks(tiny_rows: Any) -> None:
    pytest.importorskip("pydantic")
    rows = [r for r in tiny_rows if r.group in ("1 load", "2 dump", "3 memory")]
    assert not [r for r in rows if r.name in ("skipped", "failed")]
    mine = _pydantic_rows(rows)
    assert {r.group for r in mine} == {"1 load", "2 dump", "3 memory"}
    versus = [r for r in mine if r.name.startswith("pydantic × missingcare")]
    assert len(versus) == 4  # load and dump, episodes and conversations
    for row in versus:
        assert row.ratio > 0
        assert row.ratio_gc_off > 0
        assert row.extra["paired_on"]["rounds"] == row.extra["paired_off"]["rounds"] == 2
        assert row.check
    # the library's own rows keep their targets; pydantic's own figures have none,
    # the rows setting it beside the library have issue 20's: at least 2x the time,
    # at least the memory
    memory = [r for r in mine if r.name.startswith("missingcare ÷ pydantic")]
    assert len(memory) == 2  # episodes and conversations
    assert all(r.target == "" for r in mine if r not in versus and r not in memory)
    assert all(r.target.startswith("≥2×") and r.met is not None for r in versus)
    assert all(r.target == "≤1× peak" and r.met is not None for r in memory)
    assert [r for r in rows if r.name.startswith("from_json") and r.target]


def _untimed(
    variants: dict[str, Any],
    repeats: int,
    *,
    collect: bool = True,
    rounds: dict[str, list[float]] | None = None,
) -> dict[str, tuple[float, float]]:
    """``compare`` with every variant taking one second, run by no one (for speed)."""
    if rounds is not None:
        for name in variants:
            rounds.setdefault(name, []).extend([1.0] * repeats)
    return dict.fromkeys(variants, (1.0, 1.0))


def test_without_pydantic_its_rows_are_skipped_with_a_note(
    runner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "_pydantic", lambda: None)
    monkeypatch.setattr(runner, "compare", _untimed)
    tier = runner.TIERS["tiny"]
    data = runner.dataset(tier.episodes)
    for bench in (runner.bench_load, runner.bench_dump, runner.bench_memory):
        rows = bench(tier, data)
        skipped = [r for r in rows if r.name == "skipped"]
        assert len(skipped) == 1
        assert "pydantic" in skipped[0].note
        assert not [r for r in rows if r.name != "skipped" and "pydantic" in r.name]


def test_a_wrong_pydantic_model_stops_the_run(runner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pydantic")
    real = runner._pydantic()

    class Wrong:
        """Reads each record, then loses its id."""

        def __init__(self, model: Any) -> None:
            self.model = model

        def model_validate_json(self, data: bytes) -> Any:
            value = self.model.model_validate_json(data)
            return value.model_copy(update={"id": value.id + "-"})

    class Module:
        PEpisode = Wrong(real.PEpisode)

        @staticmethod
        def model_for(document: type) -> Any:
            return Wrong(real.model_for(document))

    monkeypatch.setattr(runner, "_pydantic", Module)
    tier = runner.TIERS["tiny"]
    data = runner.dataset(tier.episodes)
    for bench in (runner.bench_load, runner.bench_dump, runner.bench_memory):
        with pytest.raises(runner.CheckFailedError):
            bench(tier, data)


def test_a_lax_cattrs_peer_stops_the_run(runner: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    real = runner._cattrs()

    class Lax:
        """Reads every document, refusing none (no null, type or invariant checks)."""

        def loads(self, data: bytes, cls: type) -> Any:
            try:
                return real.loads(data, cls)
            except Exception:
                return None

        def dumps(self, value: Any) -> bytes:
            return real.dumps(value)  # type: ignore[no-any-return]

    monkeypatch.setattr(runner, "_cattrs", Lax)
    monkeypatch.setattr(runner, "compare", _untimed)
    tier = runner.TIERS["tiny"]
    data = runner.dataset(tier.episodes)
    with pytest.raises(runner.CheckFailedError, match="cattrs: on the corpus, accepts invalid"):
        runner.bench_load(tier, data)


def test_the_tiny_tier_says_its_targets_are_indicative_only(runner: Any, tiny_rows: Any) -> None:
    targeted = [r for r in tiny_rows if r.target]
    assert targeted
    assert all(runner.TINY_NOTE in r.note for r in targeted)
    assert not [r for r in tiny_rows if not r.target and runner.TINY_NOTE in r.note]


def test_paired_ratios_are_summarised_by_their_median_and_range(runner: Any) -> None:
    rounds = {"a": [2.0, 3.0, 9.0, 4.0], "b": [1.0, 1.0, 1.0, 2.0]}
    summary = runner.paired(rounds, "a", "b")
    assert (summary.median, summary.low, summary.high, summary.rounds) == (2.5, 2.0, 9.0, 4)
    assert str(summary) == "2.50 (2.00–9.00, 4 rounds)"
    assert runner.paired({"a": [3.0], "b": [2.0]}, "a", "b").median == 1.5


@pytest.mark.parametrize(("kind", "path", "value"), REFUSED)
def test_the_pydantic_models_refuse_what_the_wire_refuses(
    runner: Any, kind: str, path: str, value: Any
) -> None:
    pytest.importorskip("pydantic")
    import json

    import pydantic  # type: ignore[import-not-found, unused-ignore]

    from missingcare import MissingEpisode, ReturnConversation, from_json, to_json
    from missingcare.exceptions import ValidationError

    cls, model, base = {
        "episode": (MissingEpisode, runner._pydantic().PEpisode, EPISODE),
        "conversation": (ReturnConversation, runner._pydantic().PConversation, CONVERSATION),
    }[kind]
    # the valid base reads the same on both sides (codes for concepts, UTC instants)
    good = json.dumps(base)
    assert model.model_validate_json(good).model_dump_json(exclude_defaults=True) == (
        to_json(from_json(good, cls)).decode()
    )
    bad = json.dumps(changed(base, path, value))
    with pytest.raises(ValidationError):
        from_json(bad, cls)
    with pytest.raises(pydantic.ValidationError):
        model.model_validate_json(bad)


def _peer(name: str, cls: type) -> tuple[Any, Any]:
    """(load, dump) of the validated msgspec Structs or the cattrs peer, for ``cls``."""
    import msgspec

    if name == "structs":
        from _structs import validated

        decoder = msgspec.json.Decoder(validated(cls))
        return decoder.decode, msgspec.json.encode
    from _cattrs import peer

    return (lambda data: peer().loads(data, cls)), peer().dumps


@pytest.mark.parametrize("peer", ["structs", "cattrs"])
@pytest.mark.parametrize(("kind", "path", "value"), REFUSED)
def test_the_msgspec_and_cattrs_peers_refuse_what_the_wire_refuses(
    peer: str, kind: str, path: str, value: Any
) -> None:
    import json

    from missingcare import MissingEpisode, ReturnConversation, from_json, to_json

    cls, base = {
        "episode": (MissingEpisode, EPISODE),
        "conversation": (ReturnConversation, CONVERSATION),
    }[kind]
    load, dump = _peer(peer, cls)
    good = json.dumps(base).encode()
    assert dump(load(good)) == to_json(from_json(good, cls))
    with pytest.raises(Exception):  # noqa: B017, PT011 - each library's own error
        load(json.dumps(changed(base, path, value)).encode())


@pytest.mark.parametrize("peer", ["structs", "cattrs"])
def test_the_corpus_check_finds_nothing_in_the_peers_and_bites_on_a_lax_one(peer: str) -> None:
    import msgspec
    from _corpus import judge

    from missingcare import MissingEpisode, ReturnConversation

    for cls in (MissingEpisode, ReturnConversation):
        load, dump = _peer(peer, cls)
        assert list(judge(cls, load, dump)) == []
    # the type-only Structs accept what the wire refuses: the check says so
    from _structs import SEpisode

    lax = msgspec.json.Decoder(SEpisode)
    found = list(judge(MissingEpisode, lax.decode, msgspec.json.encode))
    assert "accepts invalid document 2" in found  # an explicit null
    assert len(found) > 10


@pytest.mark.parametrize(
    "text",
    [
        "2026-10-01 20:00:00Z",  # a space for T
        "2026-10-01T20:00Z",  # no seconds
        "2026-10-01T21:00:00+0100",  # no colon in the offset
        "2026-10-01T20:00:00.1234567Z",  # seven fractional digits
    ],
)
def test_pydantic_reads_instants_the_wire_refuses_as_its_docstring_says(
    runner: Any, text: str
) -> None:
    pytest.importorskip("pydantic")
    import json

    from missingcare import MissingEpisode, from_json
    from missingcare.exceptions import ValidationError

    bad = json.dumps(changed(EPISODE, "noticed_at", text))
    with pytest.raises(ValidationError):
        from_json(bad, MissingEpisode)
    assert runner._pydantic().PEpisode.model_validate_json(bad).noticed_at is not None
    assert "space for ``T``" in runner._pydantic().__doc__


def test_the_summary_sets_runs_side_by_side(
    runner: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "before.json"
    assert runner.main(["--tiny", "--only", "memory", "--repeats", "1", "--json", str(out)]) == 0
    (tmp_path / "after.json").write_bytes(out.read_bytes())
    capsys.readouterr()
    module = load_script(BENCH / "summary.py", "missingcare_bench_summary")
    assert module.main([str(out), str(tmp_path / "after.json")]) == 0
    text = capsys.readouterr().out
    assert text.startswith("| row | before | after |")
    lines = text.splitlines()
    row = next(line for line in lines if line.startswith("| MissingEpisode (from_json)"))
    assert row.count("|") == 4
    assert "tier tiny, 1 rounds" in text


def test_the_check_scale_benchmark_runs_on_a_tiny_cohort(tmp_path: Path) -> None:
    import subprocess

    done = subprocess.run(
        [
            *(sys.executable, str(BENCH / "check_scale.py")),
            *("--quick", "--children", "5", "--keep", str(tmp_path)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = done.stdout.strip().splitlines()
    assert rows[0].split()[:4] == ["input", "MB", "format", "jobs"]
    # 5 children, each format, with 1 and 2 processes
    assert [tuple(r.split()[3:5]) for r in rows[1:]] == [
        ("table", "1"),
        ("table", "2"),
        ("json", "1"),
        ("json", "2"),
    ]


def test_a_refusal_unlike_the_converters_stops_the_run(
    runner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from missingcare.converters import _refuse
    from missingcare.exceptions import ValidationError, Violation

    def wrong(_self: Any, _out: Any) -> ValidationError:
        return ValidationError([Violation("$", "wrong", "not the converter's error")])

    monkeypatch.setattr(_refuse.Refusal, "_listed", wrong)
    with pytest.raises(runner.CheckFailedError, match="refusal"):
        runner.run("tiny", only=["refusal"], echo=False, repeats=1)


def test_the_history_benchmark_runs_on_a_few_revisions(capsys: pytest.CaptureFixture[str]) -> None:
    module = load_script(BENCH / "bench_history.py", "missingcare_bench_history")
    module.run(revisions=5, rounds=1)
    out = capsys.readouterr().out
    assert "verify 5 revisions" in out
    assert "from_json of the latest case file (baseline)" in out
