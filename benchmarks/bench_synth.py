"""Benchmark: stream synthetic episodes and report throughput and peak memory.

A plain script (not a test), run by hand or in a scheduled job::

    .venv/bin/python benchmarks/bench_synth.py                 # 1,000,000 episodes
    .venv/bin/python benchmarks/bench_synth.py --episodes 100000 --no-tracemalloc

It generates case files with :func:`missingcare.testing.synth.iter_case_files` until
``--episodes`` episodes have been produced, serialises each case file as a
JSON line (as ``missingcare synth`` does) into a sink that only counts bytes,
and reports episodes per second and peak memory, both as the Python heap seen
by :mod:`tracemalloc` and as the process's maximum resident set size
(``ru_maxrss``). Checkpoints at each tenth show whether memory stays flat as
the stream grows (it should: one child's records are held at a time).

tracemalloc slows allocation-heavy code down; pass ``--no-tracemalloc`` to
measure throughput alone.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from typing import BinaryIO

from missingcare import to_json
from missingcare.testing.synth import iter_case_files


class _CountingSink:
    """A binary stream that throws bytes away and counts them."""

    def __init__(self) -> None:
        self.bytes = 0

    def write(self, data: bytes) -> int:
        self.bytes += len(data)
        return len(data)


def _rss_mib() -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 2**20


def run(episodes: int, seed: int, trace: bool, out: BinaryIO | None) -> None:
    sink = _CountingSink()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    cpu_started = time.process_time()
    produced = children = 0
    step = max(1, episodes // 10)
    next_mark = step
    # an upper bound on children: the stream is cut when enough episodes exist
    for case in iter_case_files(10 * episodes + 10, seed=seed):
        line = _line(case)
        sink.write(line)
        if out is not None:
            out.write(line)
        children += 1
        produced += len(case.episodes)
        if produced >= next_mark:
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            heap = tracemalloc.get_traced_memory()[1] / 2**20 if trace else float("nan")
            print(
                f"  {produced:>10,} episodes  {children:>9,} children  "
                f"{elapsed:8.1f} s ({cpu:7.1f} s CPU)  "
                f"heap peak {heap:7.1f} MiB  maxrss {_rss_mib():7.1f} MiB",
                flush=True,
            )
            next_mark += step
        if produced >= episodes:
            break
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else float("nan")
    if trace:
        tracemalloc.stop()
    print(f"episodes:            {produced:,}")
    print(f"children:            {children:,}")
    print(f"JSON written:        {sink.bytes / 2**20:,.1f} MiB")
    print(f"elapsed:             {elapsed:,.1f} s")
    print(f"CPU time:            {cpu:,.1f} s")
    print(f"episodes/s:          {produced / elapsed:,.0f} (wall), {produced / cpu:,.0f} (CPU)")
    print(f"case files/s:        {children / elapsed:,.0f}")
    print(f"tracemalloc peak:    {peak:,.1f} MiB" + ("" if trace else " (not traced)"))
    print(f"ru_maxrss:           {_rss_mib():,.1f} MiB")


def _line(case: object) -> bytes:
    return to_json(case) + b"\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-tracemalloc", dest="trace", action="store_false")
    parser.add_argument("--out", help="also write the JSON lines to this file")
    args = parser.parse_args(argv)
    print(f"bench_synth: {args.episodes:,} episodes, seed {args.seed}, tracemalloc {args.trace}")
    if args.out:
        with open(args.out, "wb") as out:
            run(args.episodes, args.seed, args.trace, out)
    else:
        run(args.episodes, args.seed, args.trace, None)


if __name__ == "__main__":
    main()
