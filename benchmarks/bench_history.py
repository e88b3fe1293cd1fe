"""Benchmark: a case history of many revisions, against reading its case file once.

A plain script (not a test), run by hand::

    .venv/bin/python benchmarks/bench_history.py                  # 1,000 revisions
    .venv/bin/python benchmarks/bench_history.py --revisions 5000

It takes the largest case file of a small synthetic cohort, then makes one
revision per new context entry (a day's log, one entry a revision), and reports
what each operation costs in milliseconds and, so that the figures mean the
same on any machine, as a ratio to ``from_json`` of the latest case file in the
same process (median of ``--rounds``):

* ``append`` (one revision, on the largest file);
* reading the history's JSON lines, and ``verify()`` over every revision;
* ``latest`` rebuilt from the revisions alone, and ``case_at`` half-way;
* ``changes_to`` one episode's field.

Each result is checked against what it must be (the rebuilt file equals the
one appended), so a fast wrong answer stops the run.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable
from datetime import timedelta

import attrs

from missingcare import CaseFile, from_json, to_json
from missingcare.history import CaseHistory
from missingcare.testing import builders
from missingcare.testing.synth import Cohort
from missingcare.vocabularies import RELATIONSHIP_ROLES


def _median_ms(work: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def build(revisions: int) -> tuple[CaseHistory, CaseFile]:
    """A history of ``revisions`` revisions of the largest case file of a small cohort."""
    cohort = Cohort(children=40, seed=6)
    base = max((cohort.case_file(i) for i in range(40)), key=lambda c: len(to_json(c)))
    times = [e.last_seen_at for e in base.episodes] + [c.at for c in base.context]
    start = max(times) + timedelta(days=1)
    role = RELATIONSHIP_ROLES["key_worker"]
    history = CaseHistory().append(base, at=start, by=role, why="Opened")
    case = base
    for i in range(1, revisions):
        entry = builders.context_entry(f"H{i}", start + timedelta(hours=i), child_id=base.child.id)
        case = attrs.evolve(case, context=(*case.context, entry))
        history = history.append(case, at=start + timedelta(hours=i), by=role, why=f"Entry {i}")
    return history, case


def run(revisions: int, rounds: int) -> None:
    history, case = build(revisions)
    sink = io.BytesIO()
    history.write(sink)
    data = sink.getvalue()
    stored = CaseHistory.read(io.BytesIO(data))
    assert stored == history
    assert CaseHistory(stored.revisions).latest == case
    middle = stored.revisions[len(stored) // 2].at
    assert CaseHistory(stored.revisions).case_at(middle) is not None
    document = to_json(case)
    extra = builders.context_entry(
        "H-next", history.revisions[-1].at + timedelta(hours=1), child_id=case.child.id
    )
    bigger = attrs.evolve(case, context=(*case.context, extra))
    at = history.revisions[-1].at + timedelta(hours=1)

    baseline = _median_ms(lambda: from_json(document, CaseFile), rounds)
    measured = {
        "append one revision": _median_ms(lambda: history.append(bigger, at=at), rounds),
        f"read {revisions:,} lines": _median_ms(lambda: CaseHistory.read(io.BytesIO(data)), rounds),
        f"verify {revisions:,} revisions": _median_ms(stored.verify, rounds),
        "latest, rebuilt": _median_ms(lambda: CaseHistory(stored.revisions).latest, rounds),
        "case_at half-way": _median_ms(lambda: stored.case_at(middle), rounds),
        "changes_to one field": _median_ms(
            lambda: stored.changes_to("$.episodes[0].last_seen_at"), rounds
        ),
    }
    first = len(data.split(b"\n", 1)[0])
    print(
        f"latest case file {len(document):,} bytes; {revisions:,} revisions, "
        f"{len(data):,} bytes of JSON lines (the first line {first:,})"
    )
    print(f"{'from_json of the latest case file (baseline)':<48} {baseline:9.2f} ms   1.0x")
    for name, ms in measured.items():
        print(f"{name:<48} {ms:9.2f} ms {ms / baseline:6.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--revisions", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    run(args.revisions, args.rounds)


if __name__ == "__main__":
    main()
