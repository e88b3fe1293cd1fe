"""The lens and the rules stay linear; the indexed paths answer what the long way answers.

Speed is measured by ``benchmarks/bench_scale.py`` (as ratios, by hand or as
information in CI); no test asserts a time. These tests show that the
lookups which replaced whole-file scans (windows by binary search, the
case file's conversation index) give exactly the answers of the scans, at
the edges of every window, and that the scaling benchmark runs and checks
what it measures.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from missingcare import CaseFile
from missingcare.analysis import DEFAULT_CONFIG, child_history, home_summary
from missingcare.conversations import AgreedAction
from missingcare.rules import kit
from missingcare.testing import builders as b
from missingcare.testing.synth import iter_case_files
from tests._helpers import load_script

BENCH = Path(__file__).resolve().parent.parent / "benchmarks"
W = DEFAULT_CONFIG.compare_window
R = DEFAULT_CONFIG.recent
H = timedelta(hours=1)


def _bench_scale() -> ModuleType:
    return load_script(BENCH / "bench_scale.py", "missingcare_bench_scale")


def _edges_case() -> CaseFile:
    """Episodes exactly on every edge of an action's windows, listed out of time order."""
    done = b.SEEN + timedelta(days=200)
    seen = [
        done - W - H,  # just outside the window before
        done - W,  # first instant of the window before
        done - H,
        done,  # first instant of the window after
        done + W - H,
        done + W,  # first instant after the window after
    ]
    eps = [b.episode(f"E{i}", seen=t, ended=t) for i, t in enumerate(seen)]  # zero-length
    action = AgreedAction("A1", "keyworker session", done_at=done)
    conv = b.conversation("RC1", "E2", held_at=done - H, actions=(action,))
    return b.case_file(*reversed(eps), conversations=[conv])


def _follow_ups_the_long_way(
    case: CaseFile, now: Any
) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    eps = sorted(
        (e for e in case.episodes if e.last_seen_at <= now), key=lambda e: (e.last_seen_at, e.id)
    )
    out = []
    for conv in sorted(case.conversations, key=lambda c: c.id):
        for a in sorted(conv.actions, key=lambda a: a.id):
            if a.done_at is None or a.done_at > now:
                continue
            before = tuple(e.id for e in eps if a.done_at - W <= e.last_seen_at < a.done_at)
            after = tuple(e.id for e in eps if a.done_at <= e.last_seen_at < a.done_at + W)
            out.append((before, after))
    return out


#: The record as known now: the long ways below read every record, whenever written.
KNOWN_NOW = datetime(2100, 1, 1, tzinfo=UTC)


def _cohort() -> list[CaseFile]:
    return [c for c in iter_case_files(120, seed=20) if c.episodes]


def test_action_windows_by_binary_search_match_the_long_way_on_every_edge() -> None:
    case = _edges_case()
    now = max(e.last_seen_at for e in case.episodes) + timedelta(days=1)
    (follow,) = child_history(case, as_of=now).follow_ups
    assert follow.episodes_before == ("E1", "E2")
    assert follow.episodes_after == ("E3", "E4")
    assert [
        (u.episodes_before, u.episodes_after) for u in child_history(case, as_of=now).follow_ups
    ] == (_follow_ups_the_long_way(case, now))
    for case in _cohort():
        now = max(e.ended_at or e.last_seen_at for e in case.episodes) + timedelta(days=3)
        # the long way reads the whole record: so does this (records written after now too)
        got = [
            (u.episodes_before, u.episodes_after)
            for u in child_history(case, as_of=now, known_at=KNOWN_NOW).follow_ups
        ]
        assert got == _follow_ups_the_long_way(case, now)


def _repeated_the_long_way(cases: list[CaseFile], now: Any) -> tuple[int, int]:
    """(repeated, observable) over every episode, by scanning each child's episodes."""
    repeated = observable = 0
    for case in cases:
        eps = [e for e in case.episodes if e.last_seen_at <= now]
        for e in eps:
            if e.ended_at is None or e.ended_at + R > now:
                continue
            observable += 1
            repeated += any(
                e.ended_at <= o.last_seen_at < e.ended_at + R for o in eps if o.id != e.id
            )
    return repeated, observable


def _repeated(cases: list[CaseFile], now: Any) -> tuple[int, int]:
    s = home_summary(cases, as_of=now, known_at=KNOWN_NOW)  # the whole record, as the long way
    with_, without = s.with_trusted_adult.repeated, s.without_trusted_adult.repeated
    return (
        with_.numerator + without.numerator,
        with_.denominator + without.denominator,
    )


def test_repeats_within_the_window_by_binary_search_match_the_long_way_on_every_edge() -> None:
    start = b.SEEN
    # zero-length episodes: each starts where the one before ends, or a window (excluded) later
    seen = [start, start, start + R, start + R + H, start + 3 * R, start + 4 * R]
    eps = [b.episode(f"E{i}", seen=t, ended=t) for i, t in enumerate(seen)]
    case = b.case_file(*reversed(eps))
    now = start + 10 * R
    assert _repeated([case], now) == _repeated_the_long_way([case], now) == (3, 6)
    cohort = _cohort()
    for now in (b.SEEN + timedelta(days=400), b.SEEN + timedelta(days=2000)):
        assert _repeated(cohort, now) == _repeated_the_long_way(cohort, now)


def test_covering_reads_the_case_files_index_with_positions() -> None:
    e1, e2 = b.episode("E1"), b.episode("E2", seen=b.SEEN + timedelta(days=2))
    convs = [
        b.conversation("RC1", "E2"),
        b.conversation("RC2", "E1"),
        b.conversation("RC3", "E1", "E2"),
    ]
    case = b.case_file(e1, e2, conversations=convs)
    assert [(k, c.id) for k, c in case.conversations_covering("E1")] == [(1, "RC2"), (2, "RC3")]
    assert [(c.index, c.record.id) for c in kit.covering(case, "E1")] == [(1, "RC2"), (2, "RC3")]
    assert [c.path for c in kit.covering(case, "E2")] == [
        "$.conversations[0]",
        "$.conversations[2]",
    ]
    assert case.conversations_for("E2") == (convs[0], convs[2])
    assert kit.covering(case, "E9") == () == case.conversations_covering("E9")
    assert not hasattr(kit, "_conversations_by_episode")  # one index: the case file's


def test_the_scaling_benchmark_runs_and_checks_what_it_measures() -> None:
    bench = _bench_scale()
    rows = bench.by_episodes(small=2, large=4, rounds=1)
    rows += bench.scale(
        "children", "children", (3, bench.cohort(3)), (6, bench.cohort(6)), 1, count_calls=False
    )
    assert [r.operation for r in rows[:4]] == [
        "rules.evaluate GB-ENG",
        "formulate (every episode)",
        "child_history",
        "home_summary",
    ]
    assert len(rows) == 8
    assert all(r.ratio > 0 and r.us_per_unit_small > 0 for r in rows)
    assert all(r.calls_ratio > 0 for r in rows[:4])
    assert "≤1.2×" in bench.report(rows)


def test_the_scaling_benchmark_stops_when_a_result_depends_on_the_past() -> None:
    bench = _bench_scale()
    state = {"n": 0}

    def drifting(cases: Any) -> int:
        state["n"] += 1
        return state["n"]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(bench, "operations", lambda _as_of: {"drifting": drifting})
        with pytest.raises(SystemExit, match="depends on the past"):
            bench.by_episodes(small=2, large=4, rounds=1)
