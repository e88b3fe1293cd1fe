"""``missingcare check`` at a caseload's scale: when the summary appears, the run, peak memory.

Writes synthetic cohorts with ``missingcare synth`` (1,500 and 15,000 children
by default, the 903 tables left out), and a large JSON-lines input made by
repeating the first cohort's lines to about ``--large-mb`` megabytes. Then runs
``missingcare check FILE --as-of …`` in a fresh process for each (table and
``--format json``), ``--runs`` times, and reports the median of:

- **summary**: wall seconds from the start until the line that opens the
  summary ("Checked N case files …") is read from the process's output;
- **CPU to summary**: the user + system CPU seconds the command had used by
  then (read from ``/proc``: the process and, with ``--jobs``, its worker
  processes); on a shared machine wall time waits for a core, CPU time does
  not, so this is the figure to compare with "the summary in under 3 s";
- **total**: wall seconds until the process has ended;
- **CPU**: the user + system CPU seconds of the whole run (from ``os.wait4``;
  worker processes included, as they are reaped before the command ends);
- **peak**: peak resident memory (``ru_maxrss`` from ``os.wait4``: the largest
  of the command's process and its reaped workers, not their sum), MiB.

``--jobs 1 2`` runs each input with each number of processes (``check --jobs``).

The peak must not grow with the input (memory independent of input size):
the script prints the ratio of each peak to the smallest cohort's.

Run::

    python benchmarks/check_scale.py --runs 3
    python benchmarks/check_scale.py --quick     # 150 and 1,500 children, 1 run, no large file

Not part of CI's test run (a few minutes on a quiet machine); the smoke test
runs ``--quick --children 20 --no-large`` for correctness only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AS_OF = "2026-04-01T08:00:00Z"


def _command() -> list[str]:
    script = Path(sys.executable).parent / "missingcare"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "missingcare.cli"]  # pragma: no cover - an odd install


def synth(children: int, out: Path) -> Path:
    """A cohort's case files (JSON lines), written once per size."""
    target = out / f"cohort-{children}"
    path = target / "case-files.jsonl"
    if not path.exists():
        subprocess.run(
            [
                *_command(),
                *("synth", "--children", str(children), "--seed", "21"),
                *("--out", str(target), "--no-903", "--quiet"),
            ],
            check=True,
        )
    return path


def repeated(source: Path, megabytes: int, out: Path) -> Path:
    """``source``'s lines repeated until the file holds about ``megabytes`` MB.

    Copied a megabyte at a time: this process stays small, since a child's peak
    memory as ``wait4`` reports it starts from its parent's size when it forks.
    """
    path = out / f"large-{megabytes}mb.jsonl"
    if not path.exists():
        with path.open("wb") as sink:
            while sink.tell() < megabytes * 1_000_000:
                with source.open("rb") as part:
                    shutil.copyfileobj(part, sink, 1 << 20)
    return path


def _cpu_so_far(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and its live children (Linux)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # the command name (field 2) may hold spaces: split after its ")"
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if stat.parent.name == str(pid):  # itself, and its children already reaped
            total += sum(int(f) for f in fields[11:15]) / tick  # utime stime cutime cstime
        elif fields[1] == str(pid):  # a child still running
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def run_once(path: Path, fmt: str, jobs: int = 1) -> tuple[float, float, float, float, float]:
    """(seconds to the summary, CPU seconds to the summary, seconds in all, CPU seconds,
    peak RSS in MiB) of one ``check``."""
    args = [*_command(), "check", str(path), "--as-of", AS_OF, "--format", fmt]
    args += ["--jobs", str(jobs)]
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    summary: float | None = None
    summary_cpu: float | None = None
    for line in proc.stdout:
        if summary is None and (line.startswith(b"Checked ") or fmt == "json"):
            summary = time.perf_counter() - start  # json: the first evaluation written
            summary_cpu = _cpu_so_far(proc.pid)
    _, status, usage = os.wait4(proc.pid, 0)
    total = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"check failed on {path.name}: exit {proc.returncode}")
    cpu = usage.ru_utime + usage.ru_stime
    return (
        total if summary is None else summary,
        cpu if summary_cpu is None else summary_cpu,
        total,
        cpu,
        usage.ru_maxrss / 1024,  # Linux: kilobytes
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, nargs="+", default=[1500, 15000])
    parser.add_argument("--large-mb", type=int, default=400)
    parser.add_argument("--no-large", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", nargs="+", default=["table", "json"])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--keep", type=Path, default=None, help="Keep the inputs here.")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.runs = 1
        args.no_large = True
        if args.children == [1500, 15000]:
            args.children = [150, 1500]
    work = args.keep or Path(tempfile.mkdtemp(prefix="check-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        inputs = [(f"{n:,} children", synth(n, work)) for n in args.children]
        if not args.no_large:
            inputs.append((f"~{args.large_mb} MB", repeated(inputs[0][1], args.large_mb, work)))
        print(f"{'input':>16} {'MB':>7} {'format':>6} {'jobs':>4} {'summary s':>10} "
              f"{'CPU to summary s':>16} {'total s':>8} {'CPU s':>7} {'peak MiB':>9} "
              f"{'peak ÷ first':>12}")  # fmt: skip
        first: dict[tuple[str, int], float] = {}
        for label, path in inputs:
            size = path.stat().st_size / 1e6
            for fmt in args.formats:
                # the numbers of processes alternate run by run: a busy spell of the
                # machine falls on each alike
                runs: dict[int, list[tuple[float, ...]]] = {jobs: [] for jobs in args.jobs}
                for _ in range(args.runs):
                    for jobs in args.jobs:
                        runs[jobs].append(run_once(path, fmt, jobs))
                for jobs, done in runs.items():
                    summary, summary_cpu, total, cpu, peak = (
                        statistics.median(r[i] for r in done) for i in range(5)
                    )
                    first.setdefault((fmt, jobs), peak)
                    print(
                        f"{label:>16} {size:7.1f} {fmt:>6} {jobs:>4} {summary:10.2f} "
                        f"{summary_cpu:16.2f} {total:8.2f} {cpu:7.2f} {peak:9.1f} "
                        f"{peak / first[fmt, jobs]:12.2f}",
                        flush=True,
                    )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
