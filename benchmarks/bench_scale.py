"""Linear in every dimension: per-episode and per-child cost of the lens and the rules.

One command (from the repository root)::

    .venv/bin/python benchmarks/bench_scale.py           # 10→160 episodes, 1,000→16,000 children
    .venv/bin/python benchmarks/bench_scale.py --quick   # 10→160 episodes, 250→4,000 children
    .venv/bin/python benchmarks/bench_scale.py --json out.json

Two dimensions, each as the cost of the large size over the small one, per
unit, in the same process:

* **episodes per case file**: one synthetic child whose record has 10
  episodes, and the same pattern grown to 160 (log entries, conversations
  with an agreed action, factors, contacts with a trusted adult around every
  episode: :func:`bench_lens.case_file`). Per episode: ``rules.evaluate``
  (GB-ENG), ``formulate`` of every episode, ``child_history`` and
  ``home_summary``.
* **children**: the first 1,000 and the first 16,000 children of one
  synthetic cohort (:mod:`missingcare.testing.synth`). Per child: the same
  four, over every case file (``home_summary`` once over them all).

Each ratio is the median of paired rounds (small and large timed next to
each other, CPU time, fresh case-file copies every round so no index or
memo is carried over), with its range, and the ratio of Python function
calls (deterministic: it does not depend on the machine or its load).
Linear means near 1; issue 20 asks for at most 1.2. Nothing here is an
absolute time, and no test asserts one. ``benchmarks/run.py --only scale``
prints the same rows in the suite's table.
"""

from __future__ import annotations

import argparse
import functools
import gc
import itertools
import json
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import attrs  # noqa: E402
import bench_lens  # noqa: E402

from missingcare import CaseFile, rules  # noqa: E402
from missingcare.analysis import child_history, formulate, home_summary  # noqa: E402
from missingcare.conversations import AgreedAction  # noqa: E402

__all__ = ["TARGET", "Scaling", "by_children", "by_episodes", "main"]

#: Issue 20: per-unit cost at the large size at most this multiple of the small size's.
TARGET = 1.2

Operation = Callable[[Sequence[CaseFile]], int]


@dataclass(frozen=True)
class Scaling:
    """One operation's per-unit cost at the large size over the small size."""

    dimension: str
    operation: str
    small: int
    large: int
    unit: str
    ratio: float
    low: float
    high: float
    rounds: int
    calls_ratio: float
    us_per_unit_small: float
    us_per_unit_large: float

    @property
    def met(self) -> bool:
        return self.ratio <= TARGET


def case_file(episodes: int) -> CaseFile:
    """:func:`bench_lens.case_file` with an action agreed in every conversation, done later.

    Actions matter to ``child_history`` (it compares the episodes before and
    after each one), so a long record has as many as it has conversations.
    """
    case = bench_lens.case_file(episodes)
    convs = tuple(
        attrs.evolve(
            c,
            actions=(
                AgreedAction(
                    id=f"A{k:04d}",
                    description="Keyworker session about contact",
                    due=c.held_at + timedelta(days=7) if c.held_at else None,
                    done_at=c.held_at + timedelta(days=3) if c.held_at else None,
                ),
            ),
        )
        for k, c in enumerate(case.conversations)
    )
    return attrs.evolve(case, conversations=convs)


def _as_of(cases: Sequence[CaseFile]) -> datetime:
    last = max(e.ended_at or e.last_seen_at for c in cases for e in c.episodes)
    return last + timedelta(days=10)


def operations(as_of: datetime) -> dict[str, Operation]:
    """The four operations, each over a list of case files, returning a count to check."""
    pack = rules.get_pack("GB-ENG")

    def evaluate(cases: Sequence[CaseFile]) -> int:
        return sum(len(rules.evaluate(c, pack=pack, as_of=as_of).findings) for c in cases)

    def formulate_all(cases: Sequence[CaseFile]) -> int:
        return sum(
            len(formulate(c, e.id, as_of=as_of).sentences) for c in cases for e in c.episodes
        )

    def history(cases: Sequence[CaseFile]) -> int:
        return sum(len(child_history(c, as_of=as_of).formulations) for c in cases)

    def home(cases: Sequence[CaseFile]) -> int:
        return home_summary(cases, as_of=as_of).episodes

    return {
        "rules.evaluate GB-ENG": evaluate,
        "formulate (every episode)": formulate_all,
        "child_history": history,
        "home_summary": home,
    }


def _fresh(cases: Sequence[CaseFile]) -> list[CaseFile]:
    """Copies with no cached index or memo (made outside the timed call)."""
    return [attrs.evolve(c) for c in cases]


def _timed(op: Operation, cases: Sequence[CaseFile]) -> tuple[float, int]:
    copies = _fresh(cases)
    gc.collect()
    t = time.process_time()
    count = op(copies)
    return time.process_time() - t, count


def scale(
    dimension: str,
    unit: str,
    small: tuple[int, Sequence[CaseFile]],
    large: tuple[int, Sequence[CaseFile]],
    rounds: int,
    *,
    count_calls: bool = True,
) -> list[Scaling]:
    """Each operation's per-unit cost, large over small, in paired rounds.

    ``count_calls`` also counts Python function calls at both sizes (a pass
    several times slower than a timed one: left out for the largest cohorts).
    """
    (n_small, c_small), (n_large, c_large) = small, large
    ops = operations(_as_of([*c_small, *c_large]))
    out = []
    for name, op in ops.items():
        # warm up (imports, vocabularies, packs) and check the result depends on nothing before
        first = op(_fresh(c_small))
        copies = _fresh(c_small)
        if first <= 0 or op(copies) != first or op(copies) != first:
            raise SystemExit(f"{name}: nothing counted, or a result that depends on the past")
        ratios: list[float] = []
        t_small: list[float] = []
        t_large: list[float] = []
        counts: dict[int, set[int]] = {n_small: {first}, n_large: set()}
        for r in range(rounds):
            pair = [(c_small, n_small, t_small), (c_large, n_large, t_large)]
            if r % 2:
                pair.reverse()
            got = {}
            for cases, n, into in pair:
                seconds, count = _timed(op, cases)
                counts[n].add(count)
                into.append(seconds / n)
                got[n] = seconds / n
            ratios.append(got[n_large] / got[n_small])
        if len(counts[n_small]) != 1 or len(counts[n_large]) != 1 or 0 in counts[n_large]:
            raise SystemExit(f"{name}: the counts differ between rounds, or nothing was counted")
        calls = float("nan")
        if count_calls:
            small_copies, large_copies = _fresh(c_small), _fresh(c_large)
            calls = (bench_lens._calls(functools.partial(op, large_copies)) / n_large) / (
                bench_lens._calls(functools.partial(op, small_copies)) / n_small
            )
        out.append(
            Scaling(
                dimension,
                name,
                n_small,
                n_large,
                unit,
                ratio=statistics.median(ratios),
                low=min(ratios),
                high=max(ratios),
                rounds=rounds,
                calls_ratio=calls,
                us_per_unit_small=1e6 * min(t_small),
                us_per_unit_large=1e6 * min(t_large),
            )
        )
    return out


def by_episodes(small: int = 10, large: int = 160, rounds: int = 5) -> list[Scaling]:
    """Per-episode cost in one case file of ``small`` and of ``large`` episodes."""
    return scale(
        "episodes per case file",
        "episodes",
        (small, [case_file(small)]),
        (large, [case_file(large)]),
        rounds,
    )


def cohort(children: int, seed: int = 2020) -> list[CaseFile]:
    """The case files of a synthetic cohort of ``children`` children."""
    from missingcare.testing.synth import iter_case_files  # noqa: PLC0415 - a heavy module

    return list(itertools.islice(iter_case_files(children, seed=seed), children))


def by_children(small: int = 1_000, large: int = 16_000, rounds: int = 1) -> list[Scaling]:
    """Per-child cost over the first ``small`` and all ``large`` children of one cohort.

    Function calls are not counted at this size (the timed pass is minutes already).
    """
    everyone = cohort(large)
    return scale(
        "children",
        "children",
        (small, everyone[:small]),
        (large, everyone),
        rounds,
        count_calls=False,
    )


def report(results: Sequence[Scaling]) -> str:
    """A Markdown table of the ratios, with the target and whether each is met."""
    out = [
        (
            "| dimension | operation | sizes | µs/unit small | µs/unit large "
            "| × per unit (median, range) | calls × | target | met |"
        ),
        "|---|---|---|---:|---:|---|---:|---|---|",
    ]
    for s in results:
        out.append(
            f"| {s.dimension} | {s.operation} | {s.small:,}→{s.large:,} {s.unit} "
            f"| {s.us_per_unit_small:,.0f} | {s.us_per_unit_large:,.0f} "
            f"| {s.ratio:.2f} ({s.low:.2f}–{s.high:.2f}, {s.rounds} rounds) "
            f"| {'' if math.isnan(s.calls_ratio) else format(s.calls_ratio, '.2f')} "
            f"| ≤{TARGET:g}× | {'yes' if s.met else '**no**'} |"
        )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="250→4,000 children")
    parser.add_argument("--rounds", type=int, default=5, help="paired rounds (episodes)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    results = by_episodes(rounds=args.rounds)
    if args.quick:
        results += by_children(250, 4_000)
    else:
        results += by_children()
    print(report(results))
    if args.json is not None:
        payload = [asdict(s) | {"met": s.met} for s in results]
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
