"""missingcare benchmarks: every figure measured beside its baseline, in the same run.

One command (from the repository root)::

    .venv/bin/python benchmarks/run.py --quick     # tens of thousands of records, minutes
    .venv/bin/python benchmarks/run.py             # the full tier (by hand; long)
    .venv/bin/python benchmarks/run.py --quick --only load,dump --json out.json

Machines differ and are noisy, so nothing here is an absolute time: each
benchmark times the library and its baseline on the same input, in the
same process, alternating them over several repeats, and reports the ratio
of the best times (CPU time of this process, which a busy shared machine
disturbs less than wall time; wall-clock ratios are in the JSON output).
Bulk work is timed with the garbage collector on (what a real load gets)
and off (the library's own cost).

Each benchmark checks its result against its baseline's (identical records,
identical bytes or equal checksums) before any figure is printed, so a fast
wrong path cannot pass: a failed check stops the run.

Benchmarks whose module or baseline is missing are skipped with a note.
See ``docs/performance.md`` for the latest table and the targets.
"""

# Optional modules are imported where they are used, so a missing one skips
# its benchmark instead of stopping the run.
# ruff: noqa: PLC0415

from __future__ import annotations

import argparse
import functools
import gc
import hashlib
import importlib.util
import json
import os
import platform
import re
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import msgspec  # noqa: E402
from _data import Dataset, dataset  # noqa: E402
from _structs import SConversation, SEpisode  # noqa: E402

from missingcare import CaseFile, MissingEpisode, ReturnConversation, from_json, to_json  # noqa: E402

__all__ = ["TIERS", "CheckFailedError", "Row", "main", "run"]


class CheckFailedError(AssertionError):
    """A benchmark's result differs from its baseline's."""


@dataclass
class Row:
    """One measured figure: ``name`` against ``baseline`` over ``n`` items."""

    group: str
    name: str
    baseline: str
    n: int
    unit: str = "record"
    seconds: float | None = None
    ratio: float | None = None
    seconds_gc_off: float | None = None
    ratio_gc_off: float | None = None
    wall_ratio: float | None = None
    target: str = ""
    met: bool | None = None
    check: str = ""
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Tier:
    """Sizes for one tier.

    ``episodes`` sets the dataset: the case files holding that many episodes,
    and all their return conversations (load and dump measure both).
    """

    episodes: int
    rule_cases: int
    ssda903_rows: int
    research_episodes: int
    synth_episodes: int
    repeats: int


TIERS: dict[str, Tier] = {
    "tiny": Tier(200, 40, 200, 200, 200, 1),
    "quick": Tier(20_000, 2_000, 20_000, 20_000, 20_000, 3),
    "full": Tier(200_000, 100_000, 100_000, 1_000_000, 1_000_000, 3),
}


# --- timing --------------------------------------------------------------------------


def _time_once(fn: Callable[[], object]) -> tuple[float, float]:
    cpu = time.process_time()
    wall = time.perf_counter()
    fn()
    return time.process_time() - cpu, time.perf_counter() - wall


def compare(
    variants: dict[str, Callable[[], object]], repeats: int, *, collect: bool = True
) -> dict[str, tuple[float, float]]:
    """Best (CPU, wall) seconds of each variant, run alternately ``repeats`` times.

    ``collect`` sets the garbage collector on or off while timing; a full
    collection runs before every timed call so no variant pays for another's
    garbage.
    """
    best: dict[str, tuple[float, float]] = {k: (float("inf"), float("inf")) for k in variants}
    was_enabled = gc.isenabled()
    try:
        for r in range(repeats):
            order = list(variants.items())
            if r % 2:
                order.reverse()
            for name, fn in order:
                gc.collect()
                if collect:
                    gc.enable()
                else:
                    gc.disable()
                cpu, wall = _time_once(fn)
                gc.enable()
                b_cpu, b_wall = best[name]
                best[name] = (min(cpu, b_cpu), min(wall, b_wall))
    finally:
        if was_enabled:
            gc.enable()
        else:
            gc.disable()
    return best


def _digest(chunks: Iterable[bytes]) -> str:
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(chunk)
        h.update(b"\n")
    return h.hexdigest()[:16]


def _check(condition: bool, what: str) -> None:
    if not condition:
        raise CheckFailedError(what)


def _ratio_rows(
    group: str,
    baseline: str,
    n: int,
    on: dict[str, tuple[float, float]],
    *,
    off: dict[str, tuple[float, float]] | None,
    targets: Mapping[str, tuple[float | None, float | None]],
    check: str,
    unit: str = "record",
) -> list[Row]:
    rows = []
    b_on = on[baseline]
    for name, (cpu, wall) in on.items():
        row = Row(group, name, baseline, n, unit, seconds=cpu, ratio=cpu / b_on[0])
        row.wall_ratio = wall / b_on[1]
        if off is not None:
            row.seconds_gc_off = off[name][0]
            row.ratio_gc_off = off[name][0] / off[baseline][0]
        t_on, t_off = targets.get(name, (None, None))
        if t_on is not None or t_off is not None:
            parts = []
            ok = True
            if t_on is not None:
                parts.append(f"≤{t_on:g}× on")
                ok = ok and row.ratio is not None and row.ratio <= t_on
            if t_off is not None:
                parts.append(f"≤{t_off:g}× off")
                ok = ok and row.ratio_gc_off is not None and row.ratio_gc_off <= t_off
            row.target = ", ".join(parts)
            row.met = ok
        row.check = check
        rows.append(row)
    return rows


# --- 1 and 2: load and dump ----------------------------------------------------------


def _each(fn: Callable[[Any], object], items: Sequence[Any]) -> Callable[[], list[object]]:
    """A call that applies ``fn`` to every item (the loop a user would write)."""

    def call() -> list[object]:
        return [fn(x) for x in items]

    return call


def _from_json(data: bytes, cls: type) -> object:
    return from_json(data, cls)


def _fast_load(wire: Any, data: bytes, cls: type) -> object:
    return wire.load(data, cls)


def _fast_lines(wire: Any, lines: Sequence[bytes], cls: type) -> list[object]:
    return list(wire.load_lines(lines, cls))


def _fastwire() -> Any | None:
    if importlib.util.find_spec("missingcare._fastwire") is None:
        return None
    from missingcare._fastwire import default_wire

    return default_wire()


def bench_load(tier: Tier, data: Dataset) -> list[Row]:
    """JSON lines → validated models, against msgspec decoding the same bytes into Structs."""
    rows: list[Row] = []
    wire = _fastwire()
    for label, cls, struct, lines in (
        ("episodes", MissingEpisode, SEpisode, data.episode_lines),
        ("conversations", ReturnConversation, SConversation, data.conversation_lines),
    ):
        if not lines:
            continue
        decoder = msgspec.json.Decoder(struct)
        encoder = msgspec.json.Encoder()
        # checks first: the baseline reads the same records the library does
        structs = [decoder.decode(line) for line in lines]
        _check(
            _digest(encoder.encode(s) for s in structs) == _digest(lines),
            f"load {label}: msgspec Structs re-encode to the input",
        )
        reference = [from_json(line, cls) for line in lines]
        variants: dict[str, Callable[[], object]] = {
            f"msgspec Structs ({label})": _each(decoder.decode, lines),
            f"from_json per line ({label})": _each(functools.partial(_from_json, cls=cls), lines),
        }
        if wire is not None:
            fast = [wire.load(line, cls) for line in lines]
            bulk = list(wire.load_lines(lines, cls))
            _check(fast == reference, f"load {label}: fast path models equal the converter's")
            _check(bulk == reference, f"load {label}: load_lines models equal the converter's")
            _check(
                _digest(wire.dump(m) for m in fast) == _digest(lines),
                f"load {label}: fast models re-encode to the input",
            )
            variants[f"_fastwire.load per line ({label})"] = _each(
                functools.partial(_fast_load, wire, cls=cls), lines
            )
            variants[f"_fastwire.load_lines ({label})"] = functools.partial(
                _fast_lines, wire, lines, cls
            )
        del structs, reference
        on = compare(variants, tier.repeats, collect=True)
        off = compare(variants, tier.repeats, collect=False)
        targets = {k: (1.3, 2.0) for k in variants if "Structs" not in k}
        rows += _ratio_rows(
            "1 load",
            f"msgspec Structs ({label})",
            len(lines),
            on,
            off=off,
            targets=targets,
            check="models equal across paths; all re-encode to the input bytes",
        )
    return rows


def bench_dump(tier: Tier, data: Dataset) -> list[Row]:
    """Models → JSON bytes, against msgspec encoding the equivalent Structs."""
    rows: list[Row] = []
    wire = _fastwire()
    for label, struct, models, lines in (
        ("episodes", SEpisode, data.episodes, data.episode_lines),
        ("conversations", SConversation, data.conversations, data.conversation_lines),
    ):
        if not models:
            continue
        decoder = msgspec.json.Decoder(struct)
        encoder = msgspec.json.Encoder()
        structs = [decoder.decode(line) for line in lines]
        expected = _digest(lines)
        _check(_digest(encoder.encode(s) for s in structs) == expected, "dump: Structs")
        _check(_digest(to_json(m) for m in models) == expected, "dump: to_json")
        variants: dict[str, Callable[[], object]] = {
            f"msgspec Structs ({label})": _each(encoder.encode, structs),
            f"to_json ({label})": _each(to_json, models),
        }
        if wire is not None:
            _check(_digest(wire.dump(m) for m in models) == expected, "dump: _fastwire.dump")
            variants[f"_fastwire.dump ({label})"] = _each(wire.dump, models)
        on = compare(variants, tier.repeats, collect=True)
        off = compare(variants, tier.repeats, collect=False)
        targets = {k: (2.0, None) for k in variants if "Structs" not in k}
        rows += _ratio_rows(
            "2 dump",
            f"msgspec Structs ({label})",
            len(models),
            on,
            off=off,
            targets=targets,
            check="identical bytes (sha256 of all lines)",
        )
    return rows


# --- 3: memory ----------------------------------------------------------------------


def _traced(build: Callable[[], list[Any]]) -> tuple[int, list[Any]]:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = build()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return after - before, kept


def bench_memory(tier: Tier, data: Dataset) -> list[Row]:
    """Bytes per episode held in memory (tracemalloc), against the msgspec Struct."""
    lines = data.episode_lines
    decoder = msgspec.json.Decoder(SEpisode)
    wire = _fastwire()
    s_bytes, structs = _traced(lambda: [decoder.decode(x) for x in lines])
    m_bytes, models = _traced(lambda: [from_json(x, MissingEpisode) for x in lines])
    _check(len(structs) == len(models) == len(lines), "memory: same number of records")
    _check(
        _digest(msgspec.json.encode(s) for s in structs) == _digest(to_json(m) for m in models),
        "memory: same records",
    )
    n = len(lines)
    rows = [
        Row(
            "3 memory",
            "msgspec SEpisode",
            "msgspec SEpisode",
            n,
            "episode",
            ratio=1.0,
            extra={"bytes_per_episode": s_bytes / n},
        ),
        Row(
            "3 memory",
            "MissingEpisode (from_json)",
            "msgspec SEpisode",
            n,
            "episode",
            ratio=m_bytes / s_bytes,
            target="≤1.15×",
            met=m_bytes / s_bytes <= 1.15,
            check="same records (identical re-encoded bytes)",
            extra={"bytes_per_episode": m_bytes / n},
        ),
    ]
    del models
    if wire is not None:
        f_bytes, fast = _traced(lambda: [wire.load(x, MissingEpisode) for x in lines])
        _check(len(fast) == n, "memory: fast path record count")
        rows.append(
            Row(
                "3 memory",
                "MissingEpisode (_fastwire)",
                "msgspec SEpisode",
                n,
                "episode",
                ratio=f_bytes / s_bytes,
                target="≤1.15×",
                met=f_bytes / s_bytes <= 1.15,
                check="same records",
                extra={"bytes_per_episode": f_bytes / n},
            )
        )
    for row in rows:
        row.note = f"{row.extra['bytes_per_episode']:,.0f} B per episode"
    return rows


# --- 4: rules -------------------------------------------------------------------------


def bench_rules(tier: Tier, data: Dataset) -> list[Row]:
    """The England pack over case files: case files per second, and the ratio to loading them."""
    if importlib.util.find_spec("missingcare.rules") is None:
        return [Row("4 rules", "skipped", "", 0, note="missingcare.rules is not present")]
    from missingcare import rules

    try:
        pack = rules.get_pack("GB-ENG")
    except LookupError:
        return [Row("4 rules", "skipped", "", 0, note="the GB-ENG pack is not registered")]
    cases = list(data.cases[: tier.rule_cases])
    lines = [to_json(c) for c in cases]
    as_of = datetime(2026, 4, 1, tzinfo=UTC)
    wire = _fastwire()
    loaded = [from_json(x, CaseFile) for x in lines]
    _check(loaded == cases, "rules: loaded case files equal the generated ones")
    if wire is not None:
        _check([wire.load(x, CaseFile) for x in lines] == cases, "rules: fast load equal")
    counts: list[int] = []

    def evaluate_all() -> None:
        counts[:] = [len(rules.evaluate(c, pack=pack, as_of=as_of).findings) for c in cases]

    evaluate_all()
    first = list(counts)
    variants: dict[str, Callable[[], object]] = {
        "from_json (case files)": lambda: [from_json(x, CaseFile) for x in lines],
        "rules.evaluate GB-ENG": evaluate_all,
    }
    if wire is not None:
        variants["_fastwire.load (case files)"] = lambda: [wire.load(x, CaseFile) for x in lines]
    on = compare(variants, tier.repeats, collect=True)
    _check(counts == first, "rules: the evaluation is deterministic")
    n = len(cases)
    eval_s = on["rules.evaluate GB-ENG"][0]
    rows = []
    for name, (cpu, _wall) in on.items():
        row = Row(
            "4 rules",
            name,
            "rules.evaluate GB-ENG",
            n,
            "case file",
            seconds=cpu,
            ratio=cpu / eval_s,
            check=f"{sum(first):,} findings, same on every repeat",
        )
        if name != "rules.evaluate GB-ENG":
            row.target = "load/evaluate ≥1"
            row.met = cpu / eval_s >= 1.0
            row.note = f"load ÷ evaluate = {cpu / eval_s:.2f}"
        else:
            row.note = f"{n / cpu:,.0f} case files/s"
        rows.append(row)
    return rows


# --- 5: SSDA903 -------------------------------------------------------------------------


def bench_ssda903(tier: Tier, data: Dataset) -> list[Row]:
    """Reading and validating a 903 return (Header, Episodes, Missing) from CSV."""
    if importlib.util.find_spec("missingcare.adapters.ssda903") is None:
        return [Row("5 ssda903", "skipped", "", 0, note="missingcare.adapters.ssda903 absent")]
    from missingcare.adapters import ssda903 as s903

    year = "2025/26"
    cases, episodes = [], 0
    for case in data.cases:  # about one Missing row per episode
        if episodes >= tier.ssda903_rows:
            break
        cases.append(case)
        episodes += len(case.episodes)
    ret = s903.derive_return(cases, year, with_last_year=False)
    tables = {
        name: s903.write_csv(t)
        for name, t in (
            ("Header", ret.header),
            ("Episodes", ret.episodes),
            ("Missing", ret.missing),
        )
        if t is not None
    }
    n_missing = len(ret.missing) if ret.missing is not None else 0

    def read_validate() -> Any:
        read = s903.Return903(
            header=s903.read_csv(tables["Header"], expect="Header"),
            episodes=s903.read_csv(tables["Episodes"], expect="Episodes"),
            missing=s903.read_csv(tables["Missing"], expect="Missing"),
        )
        return s903.validate(read, year)

    report = read_validate()
    variants: dict[str, Callable[[], object]] = {
        "missingcare read_csv + validate": read_validate,
        "missingcare validate (tables in memory)": lambda: s903.validate(ret, year),
    }
    on = compare(variants, tier.repeats, collect=True)
    note_baseline = (
        "csc-validator-be-903 is not installed in a separate venv: its baseline is skipped"
    )
    rows = []
    base = on["missingcare read_csv + validate"][0]
    for name, (cpu, _wall) in on.items():
        rows.append(
            Row(
                "5 ssda903",
                name,
                "missingcare read_csv + validate",
                n_missing,
                "Missing row",
                seconds=cpu,
                ratio=cpu / base,
                check=f"{len(report.findings)} findings",
                note=f"{n_missing / cpu:,.0f} Missing rows/s; {note_baseline}",
                target="≥5× faster than csc-validator-be-903 (not measured)",
            )
        )
    return rows


# --- 6: research ----------------------------------------------------------------------


def _hand_polars(eps: Any, pl: Any) -> dict[str, Any]:
    """Durations, repeat counts and hour × weekday, written by hand in polars."""
    zones = eps.get_column("zone").unique().drop_nulls().to_list()
    parts = []
    for zone in zones:
        parts.append(
            eps.filter(pl.col("zone") == zone).with_columns(
                pl.col("last_seen_at")
                .dt.convert_time_zone(zone)
                .dt.replace_time_zone(None)
                .alias("start_local"),
                pl.col("ended_at")
                .dt.convert_time_zone(zone)
                .dt.replace_time_zone(None)
                .alias("end_local"),
            )
        )
    local = pl.concat(parts)
    hw = (
        local.group_by(
            pl.col("start_local").dt.weekday().cast(pl.Int8).alias("weekday"),
            pl.col("start_local").dt.hour().cast(pl.Int8).alias("hour"),
        )
        .agg(pl.len().alias("episodes"))
        .sort("weekday", "hour")
    )
    closed = local.filter(pl.col("ended_at").is_not_null())
    hours = (pl.col("ended_at") - pl.col("last_seen_at")).dt.total_microseconds() / 3.6e9
    days = (pl.col("end_local").dt.date() - pl.col("start_local").dt.date()).dt.total_days()
    dur = closed.select(hours.median().alias("h"), days.median().alias("d"))
    rep = {}
    starts = local.select(
        "child_id",
        pl.col("start_local").dt.date().alias("start_date"),
        pl.lit(1, dtype=pl.Int64).alias("one"),
    ).sort("child_id", "start_date")
    for w in (28, 30, 90):
        n = (
            pl.col("one")
            .rolling_sum_by("start_date", window_size=f"{w}d", closed="right")
            .over("child_id")
        )
        rep[w] = starts.with_columns(n.alias("n")).filter(pl.col("n") >= 2).height
    return {
        "hw": [(r[0], r[1], r[2]) for r in hw.iter_rows()],
        "median_hours": dur.item(0, "h"),
        "median_days": float(dur.item(0, "d")),
        "repeats": rep,
    }


def bench_research(tier: Tier, data: Dataset) -> list[Row]:
    """The library's analyses against a hand-written polars pipeline on the same Arrow data."""
    if importlib.util.find_spec("missingcare.research") is None:
        return [Row("6 research", "skipped", "", 0, note="missingcare.research absent")]
    import polars as pl
    import pyarrow as pa  # type: ignore[import-untyped]

    from missingcare.research import patterns, to_arrow

    cases = list(_research_cases(tier.research_episodes, data))
    n_eps = sum(len(c.episodes) for c in cases)
    tables = to_arrow(cases)
    eps = tables.to_polars("episodes")

    def library() -> dict[str, Any]:
        hw = patterns.hour_by_weekday(tables)
        du = patterns.durations(tables)
        rp = patterns.repeat_episodes(tables)
        return {
            "hw": [
                (r["weekday"], r["hour"], r["episodes"])
                for r in hw.frame.filter(pl.col("episodes") > 0).iter_rows(named=True)
            ],
            "median_hours": du.median_elapsed_hours,
            "median_days": du.median_calendar_days,
            "repeats": dict(rp.repeat_episodes),
        }

    lib = library()
    hand = _hand_polars(eps, pl)
    _check(lib == hand, "research: the library's results equal the hand-written pipeline's")
    variants: dict[str, Callable[[], object]] = {
        "hand-written polars (3 analyses)": lambda: _hand_polars(eps, pl),
        "missingcare.research.patterns (3 analyses)": library,
    }
    on = compare(variants, tier.repeats, collect=True)
    rows = _ratio_rows(
        "6 research",
        "hand-written polars (3 analyses)",
        n_eps,
        on,
        off=None,
        targets={"missingcare.research.patterns (3 analyses)": (1.5, None)},
        check="hour×weekday cells, median hours and days, repeat counts equal",
        unit="episode",
    )
    # model → Arrow: the library's export against a column-by-column pyarrow build
    episodes = [e for c in cases for e in c.episodes]
    ts = pa.timestamp("us", tz="UTC")

    def hand_arrow() -> Any:
        return pa.table(
            {
                "child_id": pa.array([e.child_id for e in episodes], pa.string()),
                "episode_id": pa.array([e.id for e in episodes], pa.string()),
                "placement_id": pa.array([e.placement_id for e in episodes], pa.string()),
                "zone": pa.array([e.zone for e in episodes], pa.string()),
                "last_seen_at": pa.array([e.last_seen_at for e in episodes], ts),
                "ended_at": pa.array([e.ended_at for e in episodes], ts),
                "returned_at": pa.array([e.returned_at for e in episodes], ts),
                "whereabouts": pa.array(
                    [[c.code for c in e.whereabouts] for e in episodes], pa.list_(pa.string())
                ),
                "who_with": pa.array(
                    [[c.code for c in e.who_with] for e in episodes], pa.list_(pa.string())
                ),
            }
        )

    mine = hand_arrow()
    theirs = to_arrow(cases).table("episodes").select(mine.column_names)
    _check(
        theirs.cast(mine.schema).equals(mine),
        "research: to_arrow's episode columns equal the hand-built pyarrow table",
    )
    a_on = compare(
        {
            "hand-written pyarrow build (episodes, 9 columns)": hand_arrow,
            "research.to_arrow (all tables)": lambda: to_arrow(cases),
        },
        tier.repeats,
        collect=True,
    )
    rows += _ratio_rows(
        "6 research",
        "hand-written pyarrow build (episodes, 9 columns)",
        n_eps,
        a_on,
        off=None,
        targets={"research.to_arrow (all tables)": (1.5, None)},
        check="the 9 episode columns are equal",
        unit="episode",
    )
    rows[-1].note = "to_arrow builds every table of every case file, the baseline one table"
    return rows


def _research_cases(episodes: int, data: Dataset) -> Iterable[CaseFile]:
    if episodes <= len(data.episodes):
        return data.cases
    from _data import case_files

    return case_files(episodes)


# --- 7: synthetic generation -------------------------------------------------------------


_LAUNCH = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"


def bench_synth(tier: Tier, data: Dataset) -> list[Row]:
    """bench_synth.py in a child process: throughput and peak resident memory."""
    script = HERE / "bench_synth.py"
    if not script.exists() or importlib.util.find_spec("missingcare.synth") is None:
        return [Row("7 synth", "skipped", "", 0, note="bench_synth.py or missingcare.synth absent")]
    inner = [
        sys.executable,
        str(script),
        "--episodes",
        str(tier.synth_episodes),
        "--no-tracemalloc",
    ]
    # Linux keeps ru_maxrss across fork and exec, so a child forked from this
    # (large) process would report this process's peak: a small launcher
    # process starts the real child instead.
    cmd = [sys.executable, "-c", _LAUNCH, *inner]
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=HERE.parent)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        return [Row("7 synth", "failed", "", 0, note=proc.stderr.strip()[-300:])]
    found = re.findall(r"maxrss\D*?([\d,]+\.?\d*) MiB", proc.stdout)
    rss = float(found[-1].replace(",", "")) if found else float("nan")
    rate = re.findall(r"episodes/s:\s*([\d,]+) \(wall\), ([\d,]+) \(CPU\)", proc.stdout)
    return [
        Row(
            "7 synth",
            "synth.iter_case_files → JSON lines",
            "(peak memory bound)",
            tier.synth_episodes,
            "episode",
            seconds=elapsed,
            target="peak < 1 GiB",
            met=rss < 1024,
            check="bench_synth's own count",
            note=f"maxrss {rss:,.0f} MiB; episodes/s (wall, CPU): "
            + (", ".join(rate[-1]) if rate else "?"),
            extra={"maxrss_mib": rss, "stdout_tail": proc.stdout.splitlines()[-3:]},
        )
    ]


class _LazyDataset:
    """The tier's dataset, built on first use (the synth benchmark needs none)."""

    def __init__(self, episodes: int) -> None:
        self._episodes = episodes

    def __getattr__(self, name: str) -> Any:
        data = dataset(self._episodes)
        return getattr(data, name)


BENCHMARKS: dict[str, Callable[[Tier, Any], list[Row]]] = {
    "load": bench_load,
    "dump": bench_dump,
    "memory": bench_memory,
    "rules": bench_rules,
    "ssda903": bench_ssda903,
    "research": bench_research,
    "synth": bench_synth,
}


# --- reporting -----------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    """The machine the figures come from."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    import missingcare

    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "platform": platform.platform(),
        "loadavg": [round(x, 2) for x in load],
        "missingcare": getattr(missingcare, "__version__", "?"),
        "msgspec": msgspec.__version__,
    }


def _fmt(x: float | None, spec: str) -> str:
    return "" if x is None else format(x, spec)


def table(rows: Sequence[Row]) -> str:
    """A Markdown table of the rows."""
    head = (
        "| # | variant | n | µs/item (GC on) | × baseline (GC on) | × baseline (GC off) "
        "| target | met | check / note |"
    )
    out = [head, "|---|---|---:|---:|---:|---:|---|---|---|"]
    for r in rows:
        per = None if r.seconds is None or not r.n else r.seconds / r.n * 1e6
        met = "" if r.met is None else ("yes" if r.met else "**no**")
        text = "; ".join(x for x in (r.check, r.note) if x)
        out.append(
            f"| {r.group} | {r.name} | {r.n:,} | {_fmt(per, ',.1f')} | {_fmt(r.ratio, '.2f')} "
            f"| {_fmt(r.ratio_gc_off, '.2f')} | {r.target} | {met} | {text} |"
        )
    return "\n".join(out)


def run(tier_name: str, only: Sequence[str] | None = None, echo: bool = True) -> list[Row]:
    """Run the benchmarks of a tier (all, or ``only`` these) and return their rows."""
    tier = TIERS[tier_name]
    names = list(only) if only else list(BENCHMARKS)
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        raise SystemExit(f"unknown benchmarks: {', '.join(sorted(unknown))}")
    data = _LazyDataset(tier.episodes)
    rows: list[Row] = []
    for name in names:
        started = time.perf_counter()
        got = BENCHMARKS[name](tier, data)
        if echo and name == names[0] and name != "synth":
            print(f"tier {tier_name}: {data.describe()}", flush=True)
        rows += got
        if echo:
            print(f"  {name}: {time.perf_counter() - started:,.1f} s", flush=True)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    tiers = parser.add_mutually_exclusive_group()
    tiers.add_argument("--quick", action="store_const", dest="tier", const="quick")
    tiers.add_argument("--tiny", action="store_const", dest="tier", const="tiny")
    tiers.add_argument("--full", action="store_const", dest="tier", const="full")
    parser.add_argument("--only", help="comma-separated: " + ",".join(BENCHMARKS))
    parser.add_argument("--json", type=Path, help="also write the rows and machine as JSON")
    args = parser.parse_args(argv)
    tier_name = args.tier or "full"
    only = [x.strip() for x in args.only.split(",")] if args.only else None
    info = machine()
    rows = run(tier_name, only)
    info["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    print()
    print(
        f"Python {info['python']} on {info['cpu']} ({info['nproc']} CPUs), "
        f"load average {info['loadavg']} before, {info['loadavg_after']} after"
    )
    print(table(rows))
    if args.json:
        args.json.write_text(
            json.dumps(
                {"machine": info, "tier": tier_name, "rows": [asdict(r) for r in rows]},
                indent=1,
                default=str,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
