"""The investigative lens stays linear: formulating every episode of a long case file.

One command (from the repository root)::

    .venv/bin/python benchmarks/bench_lens.py            # 10 and 160 episodes
    .venv/bin/python benchmarks/bench_lens.py --json out.json

For a synthetic child with 10 episodes and the same child's record grown to
160 (the same pattern of log entries, conversations, factors, contacts with a
trusted adult and significant dates around every episode), it formulates every
episode and reports the cost *per episode* of the long file over the short one,
in the same process: as a ratio of CPU times (best of several alternating
rounds) and as a ratio of Python function calls (deterministic: it does not
depend on the machine). Linear means a ratio near 1; issue 17 asks for at most
1.3. Nothing here is an absolute time and no test asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import attrs

from missingcare import (
    AdultContact,
    CaseFile,
    ContactKind,
    Decision,
    Interviewer,
)
from missingcare.analysis import formulate
from missingcare.testing import builders as b
from missingcare.vocabularies import RELATIONSHIP_ROLES

START = datetime(2024, 1, 1, 18, tzinfo=UTC)
LOG = ("conflict_with_staff", "sanction_imposed", "contact_cancelled", "child_upset")
WORDS = ("Nobody listens to me here.", "I just want to see my mum.", None, None)


def case_file(episodes: int) -> CaseFile:
    """One child's record with ``episodes`` episodes, two days apart, each with its context."""
    eps, context, convs, factors, contacts = [], [], [], [], []
    interviewer = Interviewer(
        role=RELATIONSHIP_ROLES["independent_return_interviewer"], independent_of_home=True
    )
    for n in range(episodes):
        seen = START + timedelta(days=2 * n)
        eid = f"E{n + 1:04d}"
        eps.append(b.episode(eid, seen=seen, ended=seen + timedelta(hours=5)))
        for k, code in enumerate(LOG):
            context.append(
                b.context_entry(
                    f"L{n + 1:04d}-{k}",
                    seen - timedelta(hours=3 + 5 * k),
                    code,
                    child_said=WORDS[k],
                )
            )
        convs.append(
            b.conversation(
                f"RC{n + 1:04d}",
                eid,
                decision=Decision.ACCEPTED,
                held_at=seen + timedelta(hours=30),
                interviewer=interviewer,
                child_account="I was with my mates.",
            )
        )
        factors.append(b.factor(f"F{n + 1:04d}", "not_listened_to", seen, episode_ids=(eid,)))
        contacts.append(
            AdultContact(
                at=seen + timedelta(hours=4),
                kind=ContactKind.PHONE,
                child_initiated=True,
                episode_id=eid,
            )
        )
    adult = b.trusted_adult("TA1", named_at=START - timedelta(days=30), contacts=tuple(contacts))
    dates = (b.significant_date("D1", date(1985, 1, 9), yearly=True, contact_arranged=False),)
    return b.case_file(
        *eps,
        conversations=convs,
        context=context,
        factors=tuple(factors),
        trusted_adults=[adult],
        significant_dates=dates,
    )


def _every_episode(case: CaseFile) -> Callable[[], int]:
    as_of = max(e.ended_at or e.last_seen_at for e in case.episodes) + timedelta(days=10)
    ids = [e.id for e in case.episodes]

    def run() -> int:
        # a fresh copy each round, so no index or result is carried from the round before
        copy = _copy(case)
        return sum(len(formulate(copy, eid, as_of=as_of).sentences) for eid in ids)

    return run


def _copy(case: CaseFile) -> CaseFile:
    return attrs.evolve(case)


def _calls(fn: Callable[[], object]) -> int:
    count = 0

    def profile(_frame: object, event: str, _arg: object) -> None:
        nonlocal count
        if event == "call":
            count += 1

    sys.setprofile(profile)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return count


def measure(small: int = 10, large: int = 160, rounds: int = 5) -> dict[str, float]:
    """Per-episode cost of ``large`` over ``small`` episodes: CPU time and function calls."""
    short, long_ = case_file(small), case_file(large)
    run_short, run_long = _every_episode(short), _every_episode(long_)
    if run_short() <= 0 or run_long() <= 0:  # warm up, and check there is something to say
        raise SystemExit("no sentences: the benchmark is not measuring the lens")
    best_short = best_long = float("inf")
    for _ in range(rounds):
        t = time.process_time()
        run_short()
        best_short = min(best_short, time.process_time() - t)
        t = time.process_time()
        run_long()
        best_long = min(best_long, time.process_time() - t)
    calls_short, calls_long = _calls(run_short), _calls(run_long)
    return {
        "episodes_small": small,
        "episodes_large": large,
        "cpu_per_episode_small_ms": 1000 * best_short / small,
        "cpu_per_episode_large_ms": 1000 * best_long / large,
        "cpu_ratio_per_episode": (best_long / large) / (best_short / small),
        "calls_per_episode_small": calls_short / small,
        "calls_per_episode_large": calls_long / large,
        "calls_ratio_per_episode": (calls_long / large) / (calls_short / small),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    result = measure(rounds=args.rounds)
    for key, value in result.items():
        print(f"{key:28} {value:.3f}" if isinstance(value, float) else f"{key:28} {value}")
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
