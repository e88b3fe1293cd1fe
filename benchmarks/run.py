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
import dataclasses
import enum
import functools
import gc
import hashlib
import importlib.util
import json
import os
import platform
import re
import shutil
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

import attrs  # noqa: E402
import msgspec  # noqa: E402
from _corpus import judge  # noqa: E402
from _data import Dataset, dataset, some_case_files  # noqa: E402
from _shapes import as_shaped, shaped  # noqa: E402
from _structs import SConversation, SEpisode, validated  # noqa: E402

from missingcare import CaseFile, MissingEpisode, ReturnConversation, from_json, to_json  # noqa: E402
from missingcare.converters import SCHEMA_VERSION  # noqa: E402
from missingcare.vocab import Concept  # noqa: E402

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
    #: The export compares model objects held in memory, so it runs on the first
    #: case files only (the analyses read Arrow tables built in chunks).
    export_episodes: int = 200_000
    #: Children in the small and large cohorts of the scaling benchmark.
    scale_children: tuple[int, int] = (1_000, 16_000)
    #: Episodes per case file, small and large, in the scaling benchmark.
    scale_episodes: tuple[int, int] = (10, 160)
    #: Rounds of the load and dump benchmarks, whose targets are medians of
    #: paired rounds (at least 5 on a shared machine; ``--repeats`` sets both).
    paired_rounds: int = 5


TIERS: dict[str, Tier] = {
    # indicative only: too few records for a ratio to mean anything (see run())
    "tiny": Tier(
        200,
        40,
        200,
        200,
        200,
        1,
        export_episodes=200,
        scale_children=(4, 16),
        scale_episodes=(2, 8),
        paired_rounds=1,
    ),
    "quick": Tier(
        20_000,
        2_000,
        20_000,
        20_000,
        20_000,
        3,
        export_episodes=20_000,
        scale_children=(250, 4_000),
    ),
    "full": Tier(200_000, 100_000, 100_000, 1_000_000, 1_000_000, 3),
}


# --- timing --------------------------------------------------------------------------


def _time_once(fn: Callable[[], object]) -> tuple[float, float]:
    cpu = time.process_time()
    wall = time.perf_counter()
    fn()
    return time.process_time() - cpu, time.perf_counter() - wall


def compare(
    variants: dict[str, Callable[[], object]],
    repeats: int,
    *,
    collect: bool = True,
    rounds: dict[str, list[float]] | None = None,
) -> dict[str, tuple[float, float]]:
    """Best (CPU, wall) seconds of each variant, run alternately ``repeats`` times.

    ``collect`` sets the garbage collector on or off while timing; a full
    collection runs before every timed call so no variant pays for another's
    garbage. Each repeat is a round in which every variant runs once; with
    ``rounds``, each variant's CPU time in every round is appended there
    (see :func:`paired`).
    """
    best: dict[str, tuple[float, float]] = {k: (float("inf"), float("inf")) for k in variants}
    if rounds is not None:
        for name in variants:
            rounds.setdefault(name, [])
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
                if rounds is not None:
                    rounds[name].append(cpu)
                b_cpu, b_wall = best[name]
                best[name] = (min(cpu, b_cpu), min(wall, b_wall))
    finally:
        if was_enabled:
            gc.enable()
        else:
            gc.disable()
    return best


@dataclass(frozen=True)
class Paired:
    """The ratio of two variants' CPU times round by round: its median and range."""

    median: float
    low: float
    high: float
    rounds: int

    def __str__(self) -> str:
        if self.rounds == 1:
            return f"{self.median:.2f} (1 round)"
        return f"{self.median:.2f} ({self.low:.2f}–{self.high:.2f}, {self.rounds} rounds)"


def paired(rounds: Mapping[str, Sequence[float]], name: str, baseline: str) -> Paired:
    """``name`` ÷ ``baseline`` in each round (timed next to each other), summarised.

    On a shared machine the load changes between rounds far more than within
    one, so the median of the paired ratios, and their range, say more about
    noise than the ratio of the best times alone.
    """
    ratios = sorted(a / b for a, b in zip(rounds[name], rounds[baseline], strict=True))
    mid = len(ratios) // 2
    median = ratios[mid] if len(ratios) % 2 else (ratios[mid - 1] + ratios[mid]) / 2
    return Paired(median, ratios[0], ratios[-1], len(ratios))


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
    rounds_on: Mapping[str, Sequence[float]] | None = None,
    rounds_off: Mapping[str, Sequence[float]] | None = None,
) -> list[Row]:
    rows = []
    b_on = on[baseline]
    for name, (cpu, wall) in on.items():
        row = Row(group, name, baseline, n, unit, seconds=cpu, ratio=cpu / b_on[0])
        row.wall_ratio = wall / b_on[1]
        if off is not None:
            row.seconds_gc_off = off[name][0]
            row.ratio_gc_off = off[name][0] / off[baseline][0]
        if rounds_on is not None:
            row.extra["paired_on"] = asdict(paired(rounds_on, name, baseline))
        if rounds_off is not None:
            row.extra["paired_off"] = asdict(paired(rounds_off, name, baseline))
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


@dataclass
class Timings:
    """Every variant timed with the collector on and off: best times and each round's."""

    on: dict[str, tuple[float, float]]
    off: dict[str, tuple[float, float]]
    rounds_on: dict[str, list[float]]
    rounds_off: dict[str, list[float]]


def timings(variants: dict[str, Callable[[], object]], repeats: int) -> Timings:
    """:func:`compare` with the collector on, then off, keeping every round."""
    rounds_on: dict[str, list[float]] = {}
    rounds_off: dict[str, list[float]] = {}
    on = compare(variants, repeats, collect=True, rounds=rounds_on)
    off = compare(variants, repeats, collect=False, rounds=rounds_off)
    return Timings(on, off, rounds_on, rounds_off)


def _versus(
    group: str,
    label: str,
    t: Timings,
    n: int,
    *,
    name: str,
    baseline: str,
    check: str,
    note: str,
    target: tuple[str, float] | None = None,
) -> Row:
    """A row of its own for ``name`` ÷ ``baseline``, two variants timed in the same rounds.

    The ratio columns are the medians of the round-by-round ratios (GC on,
    off), the note gives their ranges; the ratios of the best times are in
    ``extra``. With ``target`` (``("≤", 1.3)``: at most; ``("≥", 2.0)``: at
    least) the median with the collector on decides whether it is met.
    """
    on, off = t.on, t.off
    p_on = paired(t.rounds_on, name, baseline)
    p_off = paired(t.rounds_off, name, baseline)
    row = Row(
        group,
        label,
        baseline,
        n,
        ratio=p_on.median,
        ratio_gc_off=p_off.median,
        wall_ratio=on[name][1] / on[baseline][1],
        check=check,
        note=f"{note}; paired rounds: {p_on} GC on, {p_off} GC off",
        extra={
            "paired_on": asdict(p_on),
            "paired_off": asdict(p_off),
            "best_ratio": on[name][0] / on[baseline][0],
            "best_ratio_gc_off": off[name][0] / off[baseline][0],
        },
    )
    if target is not None:
        op, bound = target
        row.target = f"{op}{bound:g}× (median, GC on)"
        row.met = p_on.median <= bound if op == "≤" else p_on.median >= bound
    return row


# --- 1 and 2: load and dump ----------------------------------------------------------
#
# Issue 20's targets 1 and 2, one row each, for episodes and conversations:
#
# * ahead of every peer: pydantic v2 (``_pydantic.py``) and cattrs on the
#   library's own classes (``_cattrs.py``) each take at least twice the
#   library's time (load and dump) and hold at least as much memory;
# * close to the limit: the library takes at most 1.3× (load) and 1.5× (dump)
#   the time of msgspec Structs making the same checks (``_structs.py``,
#   ``V*``);
#
# each decided by the median of the paired rounds' ratios with the collector
# on. The floor (msgspec into attrs-shaped classes, nothing checked) and the
# type-only Structs are reported for reference. Fairness:
#
# * every peer is first judged on the same corpus of valid and invalid
#   documents as the library (``_corpus.py``: it must accept, refuse and write
#   back as the wire does), then made to read the benchmark's lines and write
#   back the same bytes, before anything is timed;
# * every side's input is built at the same stage: load reads the same
#   ``bytes``; dump's inputs (the models, each peer's objects) are all decoded
#   from the lines in one interleaved pass at the start of the dump benchmark,
#   so no side's objects were laid out on a fresher heap than another's;
# * process-wide caches are warm for every side alike: each side has read
#   every line (the checks) before its first timed round; the one cache the
#   library adds while reading (repeated instant text, ``_fast._SEEN``) is
#   emptied after every document, so nothing is carried between records or
#   rounds; the zone cache (``time._zone``) is the one every side's zone check
#   calls.

#: What the pydantic rows say when pydantic is not installed.
_NO_PYDANTIC = "pydantic rows: pydantic is not installed (pip install -e '.[bench]')"

#: Issue 20's bounds: the library's time ÷ the validated Structs' (load, dump), and
#: each peer's time ÷ the library's.
_LOAD_TARGET = 1.3
_DUMP_TARGET = 1.5
_PEER_TARGET = 2.0


def _pydantic() -> Any | None:
    """``benchmarks/_pydantic.py``, or ``None`` when pydantic is not installed."""
    if importlib.util.find_spec("pydantic") is None:
        return None
    import _pydantic

    return _pydantic


def _cattrs() -> Any | None:
    """The cattrs peer (``benchmarks/_cattrs.py``), or ``None`` without cattrs' msgspec preset."""
    if importlib.util.find_spec("cattrs.preconf.msgspec") is None:
        return None
    import _cattrs

    return _cattrs.peer()


def _pydantic_dump(model: Any) -> str:
    return model.model_dump_json(exclude_defaults=True)  # type: ignore[no-any-return]


def _texts_digest(texts: Iterable[str]) -> str:
    return _digest(t.encode() for t in texts)


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
    if importlib.util.find_spec("missingcare.converters._fast") is None:
        return None
    from missingcare.converters._fast import default_wire

    return default_wire()


def _key_fields(value: Any, cls: type) -> tuple[Any, ...]:
    """The top-level plain fields of a model or a pydantic mirror (``cls``'s names).

    Codes stand for concepts and values for enumerations; nested records are left
    out (the re-encoded bytes check those).
    """

    def plain(v: Any) -> Any:
        if isinstance(v, Concept):
            return v.code
        if isinstance(v, enum.Enum):
            return v.value
        if isinstance(v, tuple):
            items = tuple(plain(x) for x in v)
            return items if _NESTED not in items else _NESTED
        if v is None or isinstance(v, str | int | datetime):
            return v
        return _NESTED

    return tuple(plain(getattr(value, a.name)) for a in attrs.fields(cls))


_NESTED = object()


def _judged(
    what: str, cls: type, load: Callable[[bytes], Any], dump: Callable[[Any], bytes]
) -> None:
    """Stop the run unless the peer judges the corpus as the wire does (``_corpus.py``)."""
    found = list(judge(cls, load, dump))
    _check(not found, f"{what}: on the corpus, {'; '.join(found)}")


def _short(name: str) -> str:
    """A row's name without its peer's name, ``per line`` and ``(episodes)``."""
    return name.split(" (", 1)[0].removeprefix("pydantic v2 ").removesuffix(" per line")


def _peer_rows(
    group: str,
    label: str,
    t: Timings,
    n: int,
    *,
    lib: str,
    floor: str,
    pyd: str | None,
    catt: str | None,
    check: str,
) -> list[Row]:
    """The rows that divide the library's time by each peer's, or a peer's by the library's."""
    rows = [
        _versus(
            group,
            f"missingcare × floor: {_short(lib)} ÷ floor ({label})",
            t,
            n,
            name=lib,
            baseline=floor,
            check="the two rows it divides",
            note="reference: what the library adds to building objects of this shape",
        )
    ]
    for peer, who in ((pyd, "pydantic"), (catt, "cattrs")):
        if peer is not None:
            rows.append(
                _versus(
                    group,
                    f"{who} × missingcare: {_short(peer)} ÷ {_short(lib)} ({label})",
                    t,
                    n,
                    name=peer,
                    baseline=lib,
                    check=check,
                    note=">1: missingcare is faster",
                    target=("≥", _PEER_TARGET),
                )
            )
    return rows


def _library_targets(rows: list[Row], names: Sequence[str], bound: float, rounds: Timings) -> None:
    """Give the library's rows their target against the validated Structs (the baseline)."""
    for row in rows:
        if row.name in names:
            p = paired(rounds.rounds_on, row.name, row.baseline)
            row.target = f"≤{bound:g}× (median, GC on)"
            row.met = p.median <= bound
            row.note = f"median of paired rounds {p} GC on"


def bench_load(tier: Tier, data: Dataset) -> list[Row]:
    """JSON lines → validated models, against msgspec Structs making the same checks.

    The peers (validated Structs, pydantic, cattrs) and the references (the
    floor, type-only Structs) read the same lines in the same rounds; see the
    notes above on fairness.
    """
    rows: list[Row] = []
    wire = _fastwire()
    pyd = _pydantic()
    catt = _cattrs()
    if pyd is None:
        rows.append(Row("1 load", "skipped", "", 0, note=_NO_PYDANTIC))
    for label, cls, struct, lines in (
        ("episodes", MissingEpisode, SEpisode, data.episode_lines),
        ("conversations", ReturnConversation, SConversation, data.conversation_lines),
    ):
        if not lines:
            continue
        checked = validated(cls)
        decoder = msgspec.json.Decoder(checked)
        loose = msgspec.json.Decoder(struct)
        encoder = msgspec.json.Encoder()
        # checks first: every side judges the corpus as the wire does, and reads
        # the benchmark's lines to the same records
        _judged(f"load {label}: validated Structs", cls, decoder.decode, encoder.encode)
        reference = [from_json(line, cls) for line in lines]
        for name, dec in (("validated", decoder), ("type-only", loose)):
            _check(
                _digest(encoder.encode(dec.decode(line)) for line in lines) == _digest(lines),
                f"load {label}: {name} msgspec Structs re-encode to the input",
            )
        # the floor: msgspec straight into attrs classes of the model's shape,
        # with nothing validated and codes left as text (benchmarks/_shapes.py)
        floor: msgspec.json.Decoder[Any] = msgspec.json.Decoder(shaped(cls, document=True))
        _check(
            [floor.decode(line) for line in lines]
            == [as_shaped(m, schema_version=SCHEMA_VERSION) for m in reference],
            f"load {label}: the attrs-shaped records equal the models, field for field",
        )
        base_name = f"msgspec Structs, validated ({label})"
        floor_name = f"floor: msgspec → attrs-shaped, unvalidated ({label})"
        lib_name = f"from_json per line ({label})"
        variants: dict[str, Callable[[], object]] = {
            base_name: _each(decoder.decode, lines),
            f"msgspec Structs, types only ({label})": _each(loose.decode, lines),
            floor_name: _each(floor.decode, lines),
            lib_name: _each(functools.partial(_from_json, cls=cls), lines),
        }
        pyd_name = f"pydantic v2 model_validate_json per line ({label})"
        if pyd is not None:
            model = pyd.model_for(cls)
            _judged(
                f"load {label}: pydantic",
                cls,
                model.model_validate_json,
                lambda m: _pydantic_dump(m).encode(),
            )
            mirrors = [model.model_validate_json(line) for line in lines]
            _check(len(mirrors) == len(reference), f"load {label}: pydantic read every record")
            _check(
                [_key_fields(m, cls) for m in mirrors] == [_key_fields(r, cls) for r in reference],
                f"load {label}: pydantic's top-level fields equal the models'",
            )
            _check(
                _texts_digest(_pydantic_dump(m) for m in mirrors) == _digest(lines),
                f"load {label}: pydantic models re-encode to the input",
            )
            del mirrors
            variants[pyd_name] = _each(model.model_validate_json, lines)
        catt_name = f"cattrs (preconf msgspec) loads per line ({label})"
        if catt is not None:
            _judged(
                f"load {label}: cattrs",
                cls,
                functools.partial(catt.loads, cls=cls),
                catt.dumps,
            )
            _check(
                [catt.loads(line, cls) for line in lines] == reference,
                f"load {label}: cattrs models equal the converter's",
            )
            variants[catt_name] = _each(functools.partial(catt.loads, cls=cls), lines)
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
            del fast, bulk
        del reference
        t = timings(variants, tier.paired_rounds)
        mine = _ratio_rows(
            "1 load",
            base_name,
            len(lines),
            t.on,
            off=t.off,
            targets={},
            check="models equal across paths; all re-encode to the input bytes",
            rounds_on=t.rounds_on,
            rounds_off=t.rounds_off,
        )
        _library_targets(
            mine, [k for k in variants if k == lib_name or "_fastwire" in k], _LOAD_TARGET, t
        )
        for row in mine:
            if row.name == floor_name:
                row.note = (
                    "reference, not a path: the C floor for objects of this shape, "
                    "before any validation, vocabulary or instant check"
                )
            elif row.name.startswith("msgspec Structs, types only"):
                row.note = (
                    "reference: msgspec's type checks only (no codes, text rules, invariants)"
                )
            elif row.name == base_name:
                row.note = "the baseline: Literal codes, Meta text rules, __post_init__ invariants"
            elif row.name == pyd_name:
                row.note = "the same checks, as a pydantic user would write them"
            elif row.name == catt_name:
                row.note = "cattrs structuring missingcare's own classes (their checks run)"
        rows += mine
        rows += _peer_rows(
            "1 load",
            label,
            t,
            len(lines),
            lib=lib_name,
            floor=floor_name,
            pyd=pyd_name if pyd is not None else None,
            catt=catt_name if catt is not None else None,
            check="same corpus verdicts; same records; same bytes re-encoded",
        )
    return rows


def _dump_inputs(
    lines: Sequence[bytes], cls: type, pyd_model: Any | None
) -> tuple[list[Any], list[Any], list[Any], list[Any]]:
    """Every side's objects for the dump, decoded from ``lines`` in one interleaved pass.

    (models, validated Structs, type-only Structs, pydantic models or []): all
    built at the same stage, one record of each side after another, so no side
    writes objects laid out on a fresher heap than another's (the library's
    models are not the dataset's, which were built before everything else).
    """
    checked = msgspec.json.Decoder(validated(cls)).decode
    loose = msgspec.json.Decoder(SEpisode if cls is MissingEpisode else SConversation).decode
    pydantic_read = None if pyd_model is None else pyd_model.model_validate_json
    models: list[Any] = []
    structs: list[Any] = []
    loose_structs: list[Any] = []
    mirrors: list[Any] = []
    gc.collect()
    for line in lines:
        models.append(from_json(line, cls))
        structs.append(checked(line))
        loose_structs.append(loose(line))
        if pydantic_read is not None:
            mirrors.append(pydantic_read(line))
    return models, structs, loose_structs, mirrors


def bench_dump(tier: Tier, data: Dataset) -> list[Row]:
    """Models → JSON bytes, against msgspec encoding the validated Structs of the same records.

    pydantic v2 and cattrs (on the same model objects as ``to_json``) write the
    same records in the same rounds; every side writes the same bytes.
    """
    rows: list[Row] = []
    wire = _fastwire()
    pyd = _pydantic()
    catt = _cattrs()
    if pyd is None:
        rows.append(Row("2 dump", "skipped", "", 0, note=_NO_PYDANTIC))
    for label, cls, lines in (
        ("episodes", MissingEpisode, data.episode_lines),
        ("conversations", ReturnConversation, data.conversation_lines),
    ):
        if not lines:
            continue
        model = None if pyd is None else pyd.model_for(cls)
        models, structs, loose_structs, mirrors = _dump_inputs(lines, cls, model)
        encoder = msgspec.json.Encoder()
        expected = _digest(lines)
        _check(_digest(encoder.encode(s) for s in structs) == expected, "dump: validated Structs")
        _check(_digest(encoder.encode(s) for s in loose_structs) == expected, "dump: Structs")
        _check(_digest(to_json(m) for m in models) == expected, "dump: to_json")
        # the floor: msgspec encoding attrs objects of the model's shape itself, in
        # C (codes as text; it writes defaults as null and [], so not the same bytes)
        shaped_docs = [as_shaped(m, schema_version=SCHEMA_VERSION) for m in models]
        floor_decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(shaped(cls, document=True))
        _check(
            [floor_decoder.decode(encoder.encode(x)) for x in shaped_docs] == shaped_docs,
            f"dump {label}: the attrs-shaped records encode and read back equal",
        )
        base_name = f"msgspec Structs, validated ({label})"
        floor_name = f"floor: msgspec ← attrs-shaped, defaults written ({label})"
        lib_name = f"to_json ({label})"
        variants: dict[str, Callable[[], object]] = {
            base_name: _each(encoder.encode, structs),
            f"msgspec Structs, types only ({label})": _each(encoder.encode, loose_structs),
            floor_name: _each(encoder.encode, shaped_docs),
            lib_name: _each(to_json, models),
        }
        if wire is not None:
            _check(_digest(wire.dump(m) for m in models) == expected, "dump: _fastwire.dump")
            variants[f"_fastwire.dump ({label})"] = _each(wire.dump, models)
        pyd_name = f"pydantic v2 model_dump_json ({label})"
        if model is not None:
            _check(len(mirrors) == len(models), f"dump {label}: pydantic holds every record")
            _check(
                _texts_digest(_pydantic_dump(m) for m in mirrors) == expected,
                f"dump {label}: pydantic writes the same text as to_json",
            )
            variants[pyd_name] = _each(_pydantic_dump, mirrors)
        catt_name = f"cattrs (preconf msgspec) dumps ({label})"
        if catt is not None:
            _check(
                _digest(catt.dumps(m) for m in models) == expected,
                f"dump {label}: cattrs writes the same bytes as to_json",
            )
            variants[catt_name] = _each(catt.dumps, models)
        t = timings(variants, tier.paired_rounds)
        mine = _ratio_rows(
            "2 dump",
            base_name,
            len(models),
            t.on,
            off=t.off,
            targets={},
            check="identical bytes (sha256 of all lines)",
            rounds_on=t.rounds_on,
            rounds_off=t.rounds_off,
        )
        _library_targets(
            mine, [k for k in variants if k == lib_name or "_fastwire" in k], _DUMP_TARGET, t
        )
        for row in mine:
            if row.name == floor_name:
                row.check = "the shaped records read back equal"
                row.note = (
                    "reference, not a path: msgspec's C encoder on attrs objects of this "
                    "shape, writing every default (no omit-defaults for attrs classes)"
                )
            elif row.name.startswith("msgspec Structs, types only"):
                row.note = "reference: the type-only Structs of the same records"
            elif row.name == pyd_name:
                row.note = "exclude_defaults=True; text (str), where to_json gives bytes"
            elif row.name == catt_name:
                row.note = "the same model objects as to_json; omit_if_default"
        rows += mine
        rows += _peer_rows(
            "2 dump",
            label,
            t,
            len(models),
            lib=lib_name,
            floor=floor_name,
            pyd=pyd_name if model is not None else None,
            catt=catt_name if catt is not None else None,
            check="identical bytes (sha256 of all lines)",
        )
        del models, structs, loose_structs, mirrors, shaped_docs
    return rows


# --- 3: memory ----------------------------------------------------------------------


def _traced(build: Callable[[], list[Any]]) -> tuple[int, int, list[Any]]:
    """(bytes held after ``build``, its peak above the start, what it built)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = build()
    after, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return after - before, peak - before, kept


def bench_memory(tier: Tier, data: Dataset) -> list[Row]:
    """Memory of the records read (tracemalloc): held, and peak while reading.

    The type-only msgspec Struct is the baseline (the ≤1.15× target of the
    held bytes); the peers (validated Structs, cattrs, pydantic) are measured
    the same way, and the library's peak must be no higher than cattrs' or
    pydantic's (issue 20, target 1).
    """
    rows: list[Row] = []
    wire = _fastwire()
    pyd = _pydantic()
    catt = _cattrs()
    for label, cls, struct, lines in (
        ("episodes", MissingEpisode, SEpisode, data.episode_lines),
        ("conversations", ReturnConversation, SConversation, data.conversation_lines),
    ):
        if not lines:
            continue
        n = len(lines)
        unit = label[:-1]
        decoder = msgspec.json.Decoder(struct)
        checked = msgspec.json.Decoder(validated(cls))
        s_held, _, structs = _traced(_each(decoder.decode, lines))
        m_held, m_peak, models = _traced(_each(functools.partial(_from_json, cls=cls), lines))
        _check(len(structs) == len(models) == n, f"memory {label}: same number of records")
        _check(
            _digest(msgspec.json.encode(s) for s in structs) == _digest(to_json(m) for m in models),
            f"memory {label}: same records",
        )
        del structs, models
        sides: dict[str, tuple[int, int]] = {}
        v_held, v_peak, vs = _traced(_each(checked.decode, lines))
        _check(_digest(msgspec.json.encode(s) for s in vs) == _digest(lines), "memory: validated")
        del vs
        sides["msgspec Structs, validated"] = (v_held, v_peak)
        if catt is not None:
            c_held, c_peak, cs = _traced(_each(functools.partial(catt.loads, cls=cls), lines))
            _check(_digest(catt.dumps(m) for m in cs) == _digest(lines), "memory: cattrs")
            del cs
            sides["cattrs (preconf msgspec)"] = (c_held, c_peak)
        if pyd is not None:
            model = pyd.model_for(cls)
            p_held, p_peak, ps = _traced(_each(model.model_validate_json, lines))
            _check(
                _texts_digest(_pydantic_dump(m) for m in ps) == _digest(lines),
                f"memory {label}: pydantic holds the same records",
            )
            del ps
            sides["pydantic v2"] = (p_held, p_peak)
        base = f"msgspec Structs, types only ({label})"
        rows.append(
            Row("3 memory", base, base, n, unit, ratio=1.0, extra={"bytes_per_item": s_held / n})
        )
        rows.append(
            Row(
                "3 memory",
                f"{cls.__name__} (from_json)",
                base,
                n,
                unit,
                ratio=m_held / s_held,
                target="≤1.15× held",
                met=m_held / s_held <= 1.15,
                check="same records (identical re-encoded bytes)",
                extra={"bytes_per_item": m_held / n, "peak_per_item": m_peak / n},
            )
        )
        if wire is not None and cls is MissingEpisode:
            f_held, f_peak, fast = _traced(
                _each(functools.partial(_fast_load, wire, cls=cls), lines)
            )
            _check(len(fast) == n, "memory: fast path record count")
            del fast
            rows.append(
                Row(
                    "3 memory",
                    f"{cls.__name__} (_fastwire)",
                    base,
                    n,
                    unit,
                    ratio=f_held / s_held,
                    target="≤1.15× held",
                    met=f_held / s_held <= 1.15,
                    check="same records",
                    extra={"bytes_per_item": f_held / n, "peak_per_item": f_peak / n},
                )
            )
        for who, (held, peak) in sides.items():
            rows.append(
                Row(
                    "3 memory",
                    f"{who} ({label})",
                    base,
                    n,
                    unit,
                    ratio=held / s_held,
                    check="same records (identical re-encoded bytes)",
                    extra={"bytes_per_item": held / n, "peak_per_item": peak / n},
                )
            )
        for row in rows:
            if "bytes_per_item" in row.extra and not row.note:
                peak_text = (
                    f", peak {row.extra['peak_per_item']:,.0f} B while reading"
                    if "peak_per_item" in row.extra
                    else ""
                )
                row.note = f"{row.extra['bytes_per_item']:,.0f} B per {unit} held{peak_text}"
        for who in ("cattrs (preconf msgspec)", "pydantic v2"):
            if who in sides:
                held, peak = sides[who]
                rows.append(
                    Row(
                        "3 memory",
                        f"missingcare ÷ {who.split(' ')[0]}: peak while reading ({label})",
                        f"{who} ({label})",
                        n,
                        unit,
                        ratio=m_peak / peak,
                        target="≤1× peak",
                        met=m_peak <= peak,
                        check="same records",
                        note=f"held: {m_held / held:.2f}×",
                        extra={"held_ratio": m_held / held},
                    )
                )
    if pyd is None:
        rows.append(Row("3 memory", "skipped", "", 0, note=_NO_PYDANTIC))
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
    cases = list(some_case_files(tier.rule_cases, data))
    lines = [to_json(c) for c in cases]
    as_of = datetime(2026, 4, 1, tzinfo=UTC)
    wire = _fastwire()
    # checked, then dropped: at the full tier each list of 100,000 case files is GBs
    _check(
        [from_json(x, CaseFile) for x in lines] == cases,
        "rules: loaded case files equal the generated ones",
    )
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

_TIMER_903 = HERE / "_ssda903_timer.py"
_VALIDATOR_903 = "csc-validator-be-903"


def _with_mistakes(ret: Any, s903: Any, seed: int = 903, share: float = 0.05) -> Any:
    """The return with seeded mistakes in about ``share`` of its Missing rows.

    Blank, impossible or shifted dates, blank and unknown codes, unknown children
    and overlapping episodes: enough for most missing-episode rules to fire, so the
    comparison of findings with the public validator's is not vacuous.
    """
    import random
    from datetime import timedelta

    rng = random.Random(seed)
    missing = ret.missing
    columns = missing.columns
    rows = [list(r) for r in missing.rows]
    for row in rows:
        if rng.random() >= share:
            continue
        column = rng.choice(("MIS_START", "MIS_END", "DOB", "MISSING", "CHILD"))
        i = columns.index(column)
        if column == "MISSING":
            row[i] = rng.choice((None, "X", "AWAY"))
        elif column == "CHILD":
            row[i] = f"UNKNOWN-{rng.randrange(100)}"
        else:
            day = s903.parse_903_date(row[i])
            if day is None or rng.random() < 0.2:
                row[i] = rng.choice((None, "31/02/2025", "2025-06-01", "13/13/2025"))
            else:
                shift = rng.choice((-400, -40, -3, -1, 1, 3, 40, 400))
                row[i] = s903.format_903_date(day + timedelta(days=shift))
    table = s903.Table(missing.name, columns, tuple(tuple(r) for r in rows))
    return s903.Return903(header=ret.header, episodes=ret.episodes, missing=table)


def interpreter(name: str) -> str:
    """``name`` as a command that works from any directory.

    The timers run in the directory of the files they read, so a relative
    path (``.venv-903/bin/python``) is made absolute against the current
    directory, without resolving symlinks (a venv's python is a symlink to
    the base interpreter, which would lose the venv); a bare name is looked up
    on ``PATH``.
    """
    if os.sep in name or (os.altsep is not None and os.altsep in name):
        return os.path.abspath(name)
    return shutil.which(name) or name


def _time_903(side: str, python: str, files: Mapping[str, Path], job: Mapping[str, Any]) -> Any:
    """Time one side's read + validate of the files in a fresh interpreter (``_ssda903_timer``)."""
    job = {**job, "side": side, "files": {name: str(path) for name, path in files.items()}}
    proc = subprocess.run(
        [interpreter(python), str(_TIMER_903)],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=False,
        cwd=str(next(iter(files.values())).parent),
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    last = proc.stderr.strip().splitlines()[-1:] or [""]
    _check(proc.returncode == 0, f"ssda903: the {side} timer ran ({last[0][:200]})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_ssda903(tier: Tier, data: Dataset) -> list[Row]:
    """Reading and validating a 903 return (Header, Episodes, Missing) from CSV files.

    Against DfE's public validator (``csc-validator-be-903``) when
    ``MISSINGCARE_903_VALIDATOR`` (or ``--validator-903``) names the python of
    the venv where it is installed. Both sides get the same CSV files and the
    same rules, and are timed the same way: each in a fresh interpreter of its
    own (``_ssda903_timer.py``), files loaded and modules imported first, CPU
    time of read + validate, best of the tier's repeats. Run on the derived
    return and on a copy with seeded mistakes; the (rule, table, row) findings
    of both sides must be equal before any ratio is reported.
    """
    if importlib.util.find_spec("missingcare.adapters.ssda903") is None:
        return [Row("5 ssda903", "skipped", "", 0, note="missingcare.adapters.ssda903 absent")]
    import tempfile

    from missingcare.adapters import ssda903 as s903

    year = s903.CollectionYear.parse("2025/26")
    cases, episodes = [], 0
    for case in data.cases:  # about one Missing row per episode
        if episodes >= tier.ssda903_rows:
            break
        cases.append(case)
        episodes += len(case.episodes)
    derived = s903.derive_return(cases, year, with_last_year=False)
    codes = [r.code for r in s903.rules_for(year)]
    python = os.environ.get("MISSINGCARE_903_VALIDATOR") or None
    returns: list[tuple[str, Any]] = [
        ("", derived),
        (" (seeded mistakes)", _with_mistakes(derived, s903)),
    ]
    timed = (
        f"each side in a fresh interpreter, files loaded and imports done first, CPU time of "
        f"read + validate with the same {len(codes)} rules of {year} (576 not run by either: "
        f"no last year's table), best of 2 × {tier.repeats} in two rounds (ours, theirs; "
        f"theirs, ours). missingcare: read_csv × 3 + "
        f"validate. {_VALIDATOR_903}: read_csvs_from_text + per rule copy_datastore and the "
        "rule, as its LacValidator runs selected rules, without its postcode enrichment or "
        "logging"
    )
    rows: list[Row] = []
    for label, ret in returns:
        tables = {
            "Header": s903.write_csv(ret.header),
            "Episodes": s903.write_csv(ret.episodes),
            "Missing": s903.write_csv(ret.missing),
        }
        for name, table in tables.items():
            _check(
                s903.read_csv(table, expect=name).rows == getattr(ret, name.lower()).rows,
                f"ssda903{label}: the {name} table reads back from CSV unchanged",
            )
        expected = sorted((f.rule, f.table, f.row) for f in s903.validate(ret, year).findings)
        n_missing = len(ret.missing)
        with tempfile.TemporaryDirectory(prefix="missingcare-903-") as tmp:
            files = {name: Path(tmp) / f"{name}.csv" for name in tables}
            for name, path in files.items():
                path.write_bytes(tables[name])
            job = {"year": str(year), "rules": codes, "repeats": tier.repeats}
            sides = {"missingcare": sys.executable}
            if python is not None:
                sides["validator"] = python
            # two rounds, in opposite orders, so a change in the machine's load weighs
            # on both sides; each side's best time over both rounds counts
            runs: dict[str, list[Any]] = {side: [] for side in sides}
            for order in (list(sides), list(reversed(sides))):
                for side in order:
                    runs[side].append(_time_903(side, sides[side], files, job))
        for side, (first, second) in runs.items():
            _check(first["findings"] == second["findings"], f"ssda903{label}: {side} repeats")
        ours = {k: runs["missingcare"][0][k] + runs["missingcare"][1][k] for k in ("cpu", "wall")}
        ours["findings"] = runs["missingcare"][0]["findings"]
        theirs = None
        if "validator" in runs:
            first, second = runs["validator"]
            theirs = {k: first[k] + second[k] for k in ("cpu", "wall")}
            theirs["findings"], theirs["version"] = first["findings"], first["version"]
        found = sorted((str(c), str(t), int(r)) for c, t, r in ours["findings"])
        _check(found == expected, f"ssda903{label}: the timed run's findings are validate's")
        cpu, wall = min(ours["cpu"]), min(ours["wall"])
        name = "missingcare read_csv + validate" + label
        if theirs is None:
            rows.append(
                Row(
                    "5 ssda903",
                    name,
                    name,
                    n_missing,
                    "Missing row",
                    seconds=cpu,
                    ratio=1.0,
                    check=f"{len(found):,} findings",
                    note=f"{n_missing / cpu:,.0f} Missing rows/s; {timed}; {_VALIDATOR_903} "
                    "not given (MISSINGCARE_903_VALIDATOR or --validator-903): its baseline is "
                    "skipped",
                    target="≥5× faster than csc-validator-be-903 (not measured)",
                )
            )
            continue
        their_found = sorted((str(c), str(t), int(r)) for c, t, r in theirs["findings"])
        only_theirs = sorted(set(their_found) - set(found))
        only_ours = sorted(set(found) - set(their_found))
        _check(
            not only_theirs and not only_ours,
            f"ssda903{label}: findings equal to {_VALIDATOR_903}'s (only theirs: "
            f"{only_theirs[:5]}, only ours: {only_ours[:5]})",
        )
        if label:
            _check(len(found) > 0, f"ssda903{label}: the seeded mistakes are found")
        base_cpu, base_wall = min(theirs["cpu"]), min(theirs["wall"])
        baseline = f"{_VALIDATOR_903} {theirs['version']} read + validate" + label
        by_rule = sorted({c for c, _t, _r in found})
        check = (
            f"(rule, table, row) findings equal: {len(found):,}"
            f" ({', '.join(by_rule) if by_rule else 'none'})"
        )
        rows.append(
            Row(
                "5 ssda903",
                baseline,
                baseline,
                n_missing,
                "Missing row",
                seconds=base_cpu,
                ratio=1.0,
                wall_ratio=1.0,
                check=check,
                note=timed,
            )
        )
        rows.append(
            Row(
                "5 ssda903",
                name,
                baseline,
                n_missing,
                "Missing row",
                seconds=cpu,
                ratio=cpu / base_cpu,
                wall_ratio=wall / base_wall,
                target="≥5× faster than csc-validator-be-903 (≤0.2×)",
                met=base_cpu / cpu >= 5.0,
                check=check,
                note=f"{base_cpu / cpu:.1f}× faster (wall {base_wall / wall:.1f}×); "
                f"{n_missing / cpu:,.0f} Missing rows/s",
            )
        )
    if python is not None and tier.ssda903_rows >= 100_000:
        rows.extend(_ssda903_at_scale(tier, python, codes))
    return rows


def _ssda903_at_scale(tier: Tier, python: str, codes: list[str]) -> list[Row]:
    """The comparison at a large authority's scale (``ssda903_scale.py``): a generated return
    with about ``tier.ssda903_rows`` Missing rows, 56% as many children in Header, about
    1.3 Episodes rows per Missing row and last year's table (so 576 runs), mistakes in a
    share of the cells, a byte-order mark and CRLF line ends; each side in a fresh process
    reading the files and validating with the same rules once, 5 paired runs, medians."""
    import tempfile

    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    scale: Any = importlib.import_module("ssda903_scale")
    with tempfile.TemporaryDirectory(prefix="missingcare-903-scale-") as tmp:
        files = scale.make_files(Path(tmp), round(tier.ssda903_rows * 0.56))
        n_missing = Path(files["Missing"]).read_bytes().count(b"\n") - 1
        got = scale.paired(files, codes, interpreter(python), 5)
    ours, theirs = got["findings"]["mc"], got["findings"]["val"]
    found = sorted(map(tuple, ours))
    _check(
        found == sorted(map(tuple, theirs)),
        f"ssda903 at scale: findings equal to {_VALIDATOR_903}'s",
    )
    mc, val = got["medians"]["mc"], got["medians"]["val"]
    label = f"{n_missing:,} Missing rows, realistic Header and Episodes, last year's table"
    baseline = f"{_VALIDATOR_903} LacValidator rules, same files ({label})"
    check = f"(rule, table, row) findings equal: {len(found):,}"
    note = "median of 5 paired runs, each side a fresh process reading and validating once"
    return [
        Row("5 ssda903", baseline, baseline, n_missing, "Missing row", seconds=val[1],
            ratio=1.0, wall_ratio=1.0, check=check, note=note),
        Row("5 ssda903", "missingcare 903 whole process (at scale)", baseline, n_missing,
            "Missing row", seconds=mc[1], ratio=mc[1] / val[1], wall_ratio=mc[0] / val[0],
            target="≥5× faster than csc-validator-be-903 (≤0.2×)", met=val[1] / mc[1] >= 5.0,
            check=check, note=f"{val[1] / mc[1]:.1f}× faster by CPU (wall "
            f"{val[0] / mc[0]:.1f}×); {note}"),
        Row("5 ssda903", "missingcare read + validate in process (at scale)", baseline,
            n_missing, "Missing row", seconds=mc[3], ratio=mc[3] / val[3],
            target="≥5× faster than csc-validator-be-903 (≤0.2×)", met=val[3] / mc[3] >= 5.0,
            check=check, note=f"{val[3] / mc[3]:.1f}× faster; {note}"),
        Row("5 ssda903", "missingcare peak memory, whole process (at scale)", baseline,
            n_missing, "Missing row", ratio=mc[2] / val[2],
            target="≤0.5× csc-validator-be-903's peak RSS", met=mc[2] / val[2] <= 0.5,
            check=check, note=f"{mc[2]:.0f} MB against {val[2]:.0f} MB; {note}"),
    ]  # fmt: skip


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


def _hand_arrow(cases: Sequence[CaseFile], pa: Any) -> dict[str, Any]:
    """Every table ``to_arrow`` builds, written by hand from the same model objects.

    One list comprehension per column and one typed ``pa.array`` call, no
    per-row dicts or tuples; repeated values as flat strings plus offsets, so
    no Python list per row (nested lists per row would make the collector
    walk the whole heap of loaded case files, several times over).
    """
    import itertools

    s, ts, dt, b, i32 = (
        pa.string(),
        pa.timestamp("us", tz="UTC"),
        pa.date32(),
        pa.bool_(),
        pa.int32(),
    )

    def table(cols: dict[str, tuple[Any, Any]]) -> Any:
        return pa.table({k: v if t is None else pa.array(v, t) for k, (v, t) in cols.items()})

    def strings(groups: list[Any]) -> tuple[Any, None]:
        # a list<string> column as flat values and offsets: no Python list per row
        offsets = pa.array(list(itertools.accumulate(map(len, groups), initial=0)), i32)
        flat = pa.array([v for g in groups for v in g], s)
        return pa.ListArray.from_arrays(offsets, flat), None

    def codes(groups: list[Any]) -> tuple[Any, None]:
        offsets = pa.array(list(itertools.accumulate(map(len, groups), initial=0)), i32)
        flat = pa.array([c.code for g in groups for c in g], s)
        return pa.ListArray.from_arrays(offsets, flat), None

    def kids(attr: str) -> tuple[list[str], list[int], list[Any]]:
        groups = [getattr(c, attr) for c in cases]
        cids = [c.child.id for c, g in zip(cases, groups, strict=True) for _ in g]
        return cids, [i for g in groups for i in range(len(g))], [x for g in groups for x in g]

    def grandkids(
        cids: list[str], parents: list[Any], attr: str
    ) -> tuple[list[str], list[str], list[int], list[Any]]:
        groups = [getattr(p, attr) for p in parents]
        return (
            [cid for cid, g in zip(cids, groups, strict=True) for _ in g],
            [p.id for p, g in zip(parents, groups, strict=True) for _ in g],
            [i for g in groups for i in range(len(g))],
            [x for g in groups for x in g],
        )

    def recording(xs: list[Any]) -> dict[str, tuple[Any, Any]]:
        # when each record was written (issue 22): the last two columns of its table
        recs = [x.recorded for x in xs]
        return {
            "recording_at": ([None if r is None else r.at for r in recs], ts),
            "recording_by": ([None if r is None or r.by is None else r.by.code for r in recs], s),
        }

    out: dict[str, Any] = {}
    out["children"] = table(
        {
            "child_id": ([c.child.id for c in cases], s),
            "seq": (list(range(len(cases))), i32),
            "date_of_birth": ([c.child.date_of_birth for c in cases], dt),
        }
    )
    cid, seq, xs = kids("placements")
    out["placements"] = table(
        {
            "child_id": (cid, s),
            "seq": (seq, i32),
            "placement_id": ([x.id for x in xs], s),
            "kind": ([x.kind.value for x in xs], s),
            "zone": ([x.zone for x in xs], s),
            "home_id": ([x.home_id for x in xs], s),
            "start": ([x.start for x in xs], dt),
            "end": ([x.end for x in xs], dt),
            "placing_authority": ([x.placing_authority for x in xs], s),
            "host_authority": ([x.host_authority for x in xs], s),
        }
    )
    cid, seq, xs = kids("periods_of_care")
    out["periods_of_care"] = table(
        {
            "child_id": (cid, s),
            "seq": (seq, i32),
            "start": ([x.start for x in xs], dt),
            "end": ([x.end for x in xs], dt),
        }
    )
    cid, seq, eps = kids("episodes")
    prs = [e.police_report for e in eps]
    locs = [e.located for e in eps]
    out["episodes"] = table(
        {
            "child_id": (cid, s),
            "seq": (seq, i32),
            "episode_id": ([e.id for e in eps], s),
            "placement_id": ([e.placement_id for e in eps], s),
            "zone": ([e.zone for e in eps], s),
            "last_seen_at": ([e.last_seen_at for e in eps], ts),
            "last_seen_place": ([e.last_seen_place for e in eps], s),
            "clothing": ([e.clothing for e in eps], s),
            "noticed_at": ([e.noticed_at for e in eps], ts),
            "agency_informed_at": ([e.agency_informed_at for e in eps], ts),
            "expected_back_at": ([e.expected_back_at for e in eps], ts),
            "police_reported_at": ([None if p is None else p.reported_at for p in prs], ts),
            "police_reference": ([None if p is None else p.reference for p in prs], s),
            "police_reported_by": ([None if p is None else p.reported_by for p in prs], s),
            "profile_shared_at": ([e.profile_shared_at for e in eps], ts),
            "located_at": ([None if x is None else x.at for x in locs], ts),
            "located_where": (
                [None if x is None or x.where is None else x.where.code for x in locs],
                s,
            ),
            "located_by": ([None if x is None else x.by for x in locs], s),
            "located_distance": (
                [None if x is None or x.distance is None else x.distance.code for x in locs],
                s,
            ),
            "located_address_link": (
                [
                    None if x is None or x.address_link is None else x.address_link.code
                    for x in locs
                ],
                s,
            ),
            "ended_at": ([e.ended_at for e in eps], ts),
            "returned_at": ([e.returned_at for e in eps], ts),
            "ending": ([None if e.ending is None else e.ending.code for e in eps], s),
            "whereabouts": codes([e.whereabouts for e in eps]),
            "who_with": codes([e.who_with for e in eps]),
            "harm_disclosed": codes([e.harm_disclosed for e in eps]),
            "child_said": ([e.child_said for e in eps], s),
            "child_said_to": ([e.child_said_to for e in eps], s),
            **recording(eps),
        }
    )
    ep_cid = cid
    cid, eid, seq, xs = grandkids(ep_cid, eps, "statuses")
    out["status_changes"] = table(
        {
            "child_id": (cid, s),
            "episode_id": (eid, s),
            "seq": (seq, i32),
            "at": ([x.at for x in xs], ts),
            "status": ([x.status.code for x in xs], s),
            **recording(xs),
        }
    )
    cid, eid, seq, xs = grandkids(ep_cid, eps, "risk_grades")
    out["risk_grades"] = table(
        {
            "child_id": (cid, s),
            "episode_id": (eid, s),
            "seq": (seq, i32),
            "at": ([x.at for x in xs], ts),
            "grade": ([x.grade.code for x in xs], s),
            "by": ([x.by for x in xs], s),
            **recording(xs),
        }
    )
    cid, eid, seq, xs = grandkids(ep_cid, eps, "search_actions")
    out["search_actions"] = table(
        {
            "child_id": (cid, s),
            "episode_id": (eid, s),
            "seq": (seq, i32),
            "at": ([x.at for x in xs], ts),
            "action": ([x.action.code for x in xs], s),
            "by": ([x.by for x in xs], s),
            "note": ([x.note for x in xs], s),
            **recording(xs),
        }
    )
    cid, eid, seq, xs = grandkids(ep_cid, eps, "notifications")
    out["notifications"] = table(
        {
            "child_id": (cid, s),
            "episode_id": (eid, s),
            "seq": (seq, i32),
            "recipient": ([x.recipient.code for x in xs], s),
            "at": ([x.at for x in xs], ts),
            "method": ([x.method for x in xs], s),
            **recording(xs),
        }
    )
    cid, seq, cvs = kids("conversations")
    ivs = [c.interviewer for c in cvs]
    scs = [c.screening for c in cvs]
    out["conversations"] = table(
        {
            "child_id": (cid, s),
            "seq": (seq, i32),
            "conversation_id": ([c.id for c in cvs], s),
            "episode_ids": strings([c.episode_ids for c in cvs]),
            "requested_adult_ids": strings([c.requested_adult_ids for c in cvs]),
            "decision": ([None if c.decision is None else c.decision.value for c in cvs], s),
            "declined_reason": ([c.declined_reason for c in cvs], s),
            "held_at": ([c.held_at for c in cvs], ts),
            "interviewer_role": ([None if v is None else v.role.code for v in ivs], s),
            "interviewer_independent_of_home": (
                [None if v is None else v.independent_of_home for v in ivs],
                b,
            ),
            "interviewer_chosen_by_child": (
                [None if v is None else v.chosen_by_child for v in ivs],
                b,
            ),
            "interviewer_organisation": ([None if v is None else v.organisation for v in ivs], s),
            "interviewer_adult_id": ([None if v is None else v.adult_id for v in ivs], s),
            "method": ([None if c.method is None else c.method.value for c in cvs], s),
            "late_reason": ([c.late_reason for c in cvs], s),
            "child_account": ([c.child_account for c in cvs], s),
            "whereabouts": codes([c.whereabouts for c in cvs]),
            "who_with": codes([c.who_with for c in cvs]),
            "what_happened": ([c.what_happened for c in cvs], s),
            "harm_disclosed": codes([c.harm_disclosed for c in cvs]),
            "screening_recorded": ([x is not None for x in scs], b),
            "screening_categories": strings(
                [[] if x is None else [k.value for k in x.categories] for x in scs]
            ),
            "screening_indicators": codes([() if x is None else x.indicators for x in scs]),
            "topics": strings([[t.value for t in c.topics] for c in cvs]),
            "child_feedback": ([c.child_feedback for c in cvs], s),
            **recording(cvs),
        }
    )
    cv_cid = cid
    cid, cvid, seq, xs = grandkids(cv_cid, cvs, "offers")
    out["conversation_offers"] = table(
        {
            "child_id": (cid, s),
            "conversation_id": (cvid, s),
            "seq": (seq, i32),
            "at": ([x.at for x in xs], ts),
            "outcome": ([x.outcome.code for x in xs], s),
            "by": ([x.by for x in xs], s),
            "method": ([None if x.method is None else x.method.value for x in xs], s),
            "reason": ([x.reason for x in xs], s),
        }
    )
    cid, cvid, seq, xs = grandkids(cv_cid, cvs, "responses_on_return")
    out["responses_on_return"] = table(
        {
            "child_id": (cid, s),
            "conversation_id": (cvid, s),
            "seq": (seq, i32),
            "response": ([x.response.code for x in xs], s),
            "at": ([x.at for x in xs], ts),
            "reason": ([x.reason for x in xs], s),
            "safeguarding_reason": ([x.safeguarding_reason for x in xs], b),
        }
    )
    cid, cvid, seq, xs = grandkids(cv_cid, cvs, "actions")
    out["agreed_actions"] = table(
        {
            "child_id": (cid, s),
            "conversation_id": (cvid, s),
            "seq": (seq, i32),
            "action_id": ([x.id for x in xs], s),
            "description": ([x.description for x in xs], s),
            "owner": ([x.owner for x in xs], s),
            "due": ([x.due for x in xs], ts),
            "done_at": ([x.done_at for x in xs], ts),
        }
    )
    cid, seq, xs = kids("context")
    out["context"] = table(
        {
            "child_id": (cid, s),
            "seq": (seq, i32),
            "entry_id": ([x.id for x in xs], s),
            "at": ([x.at for x in xs], ts),
            "category": ([x.category.code for x in xs], s),
            "note": ([x.note for x in xs], s),
            "recorded_by": ([x.recorded_by for x in xs], s),
            "resolves": strings([x.resolves for x in xs]),
            "adult_ids": strings([x.adult_ids for x in xs]),
            "needs": codes([x.needs for x in xs]),
            "child_said": ([x.child_said for x in xs], s),
            "child_said_to": ([x.child_said_to for x in xs], s),
            **recording(xs),
        }
    )
    cid, seq, xs = kids("factors")
    out["factors"] = table(
        {
            "child_id": (cid, s),
            "seq": (seq, i32),
            "factor_id": ([x.id for x in xs], s),
            "direction": ([x.direction.value for x in xs], s),
            "concept": ([x.concept.code for x in xs], s),
            "source": ([x.source.value for x in xs], s),
            "noted_at": ([x.noted_at for x in xs], ts),
            "episode_ids": strings([x.episode_ids for x in xs]),
            "note": ([x.note for x in xs], s),
            **recording(xs),
        }
    )
    cid, seq, xs = kids("needs")
    out["needs"] = table(
        {
            "child_id": (cid, s),
            "seq": (seq, i32),
            "need_id": ([x.id for x in xs], s),
            "need": ([x.need.code for x in xs], s),
            "source": ([x.source.value for x in xs], s),
            "noted_at": ([x.noted_at for x in xs], ts),
            "episode_ids": strings([x.episode_ids for x in xs]),
            "note": ([x.note for x in xs], s),
            **recording(xs),
        }
    )
    cid, seq, tas = kids("trusted_adults")
    out["trusted_adults"] = table(
        {
            "child_id": (cid, s),
            "seq": (seq, i32),
            "relationship_id": ([x.id for x in tas], s),
            "adult_id": ([x.adult_id for x in tas], s),
            "role": ([x.role.code for x in tas], s),
            "named_at": ([x.named_at for x in tas], ts),
            "named_by_child": ([x.named_by_child for x in tas], b),
            "child_words": ([x.child_words for x in tas], s),
            "ended_at": ([x.ended_at for x in tas], ts),
            "end_reason": ([x.end_reason for x in tas], s),
            **recording(tas),
        }
    )
    cid, rid, seq, xs = grandkids(cid, tas, "contacts")
    out["adult_contacts"] = table(
        {
            "child_id": (cid, s),
            "relationship_id": (rid, s),
            "seq": (seq, i32),
            "at": ([x.at for x in xs], ts),
            "kind": ([x.kind.value for x in xs], s),
            "child_initiated": ([x.child_initiated for x in xs], b),
            "episode_id": ([x.episode_id for x in xs], s),
            "note": ([x.note for x in xs], s),
        }
    )
    cid, seq, xs = kids("absence_plans")
    out["absence_plans"] = table(
        {
            "child_id": (cid, s),
            "seq": (seq, i32),
            "plan_id": ([x.id for x in xs], s),
            "agreed_at": ([x.agreed_at for x in xs], ts),
            "ended_at": ([x.ended_at for x in xs], ts),
            "reviewed_at": ([x.reviewed_at for x in xs], ts),
            "report_after": ([x.report_after for x in xs], pa.duration("s")),
            "not_at_home_agreed": ([x.not_at_home_agreed for x in xs], b),
            "circumstances": ([x.circumstances for x in xs], s),
        }
    )
    cid, seq, xs = kids("profiles")
    out["profiles"] = table(
        {
            "child_id": (cid, s),
            "seq": (seq, i32),
            "profile_id": ([x.id for x in xs], s),
            "completed_at": ([x.completed_at for x in xs], ts),
            "reviewed_at": ([x.reviewed_at for x in xs], ts),
            "photograph_taken_on": ([x.photograph_taken_on for x in xs], dt),
            "child_told_at": ([x.child_told_at for x in xs], ts),
            "ended_at": ([x.ended_at for x in xs], ts),
        }
    )
    cid, seq, xs = kids("screenings")
    out["screenings"] = table(
        {
            "child_id": (cid, s),
            "seq": (seq, i32),
            "screening_id": ([x.id for x in xs], s),
            "at": ([x.at for x in xs], ts),
            "episode_ids": strings([x.episode_ids for x in xs]),
            "categories": strings([[c.value for c in x.categories] for x in xs]),
            "indicators": codes([x.indicators for x in xs]),
            "concerns": strings([[c.value for c in x.concerns] for x in xs]),
            "by": ([x.by for x in xs], s),
            **recording(xs),
        }
    )
    cid, seq, xs = kids("significant_dates")
    out["significant_dates"] = table(
        {
            "child_id": (cid, s),
            "seq": (seq, i32),
            "date_id": ([x.id for x in xs], s),
            "kind": ([x.kind.code for x in xs], s),
            "on": ([x.on for x in xs], dt),
            "yearly": ([x.yearly for x in xs], b),
            "whose": ([x.whose for x in xs], s),
            "contact_arranged": ([x.contact_arranged for x in xs], b),
            "note": ([x.note for x in xs], s),
            **recording(xs),
        }
    )
    return out


def bench_research(tier: Tier, data: Dataset) -> list[Row]:
    """The library's analyses against a hand-written polars pipeline on the same Arrow data,
    and its model → Arrow export against a hand-written pyarrow build of the same tables.
    """
    if importlib.util.find_spec("missingcare.research") is None:
        return [Row("6 research", "skipped", "", 0, note="missingcare.research absent")]
    import pyarrow as pa  # type: ignore[import-untyped]

    from missingcare.research import to_arrow

    # Arrow tables built in chunks of case files, so a million episodes never
    # sit in memory as model objects; the export below runs on the first ones.
    cases: list[CaseFile] = []
    chunks: dict[str, list[Any]] = {}
    chunk: list[CaseFile] = []
    n_eps = 0
    for case in _research_cases(tier, data):
        n_eps += len(case.episodes)
        if n_eps <= tier.export_episodes:
            cases.append(case)
        chunk.append(case)
        if len(chunk) == 5_000:
            for name, table in to_arrow(chunk).as_dict().items():
                chunks.setdefault(name, []).append(table)
            chunk = []
    if chunk or not chunks:
        for name, table in to_arrow(chunk).as_dict().items():
            chunks.setdefault(name, []).append(table)
    del chunk
    arrow = {name: pa.concat_tables(parts).combine_chunks() for name, parts in chunks.items()}
    del chunks
    rows = _bench_analyses(arrow, n_eps, tier, batch=1 if n_eps >= 10 * _SMALL_RESEARCH else 10)
    if n_eps >= 10 * _SMALL_RESEARCH:
        # target 4 at small size, in the same run: the first case files holding about
        # 200 episodes, each round timing a batch of calls (one is a few milliseconds)
        small: list[CaseFile] = []
        for case in cases:
            small.append(case)
            if sum(len(c.episodes) for c in small) >= _SMALL_RESEARCH:
                break
        few = {k: t.combine_chunks() for k, t in to_arrow(small).as_dict().items()}
        rows += _bench_analyses(few, few["episodes"].num_rows, tier, batch=10)
    # model → Arrow: every table to_arrow builds, against a hand build of every table
    mine = _hand_arrow(cases, pa)
    theirs = to_arrow(cases)
    _check(
        list(mine) == list(theirs.as_dict())
        and all(
            theirs.table(n).schema.remove_metadata().equals(t.schema) and theirs.table(n).equals(t)
            for n, t in mine.items()
        ),
        "research: to_arrow's tables equal the hand-built pyarrow tables (schema and values)",
    )
    n_rows = sum(t.num_rows for t in mine.values())
    n_export = sum(len(c.episodes) for c in cases)
    a_variants: dict[str, Callable[[], object]] = {
        "hand-written pyarrow build (all 17 tables)": lambda: _hand_arrow(cases, pa),
        "research.to_arrow (all tables)": lambda: to_arrow(cases),
    }
    rows += _ratio_rows(
        "6 research",
        "hand-written pyarrow build (all 17 tables)",
        n_export,
        compare(a_variants, tier.repeats, collect=True),
        off=compare(a_variants, tier.repeats, collect=False),
        targets={"research.to_arrow (all tables)": (1.5, None)},
        check=f"all 17 tables equal, schema and values ({n_rows:,} rows)",
        unit="episode",
    )
    rows += _bench_read_back(cases, theirs if len(cases) <= _READ_BACK_CASES else None)
    return rows


#: Episodes in the small research row (target 4: at most 1.5× hand-written polars there).
_SMALL_RESEARCH = 200


def _bench_analyses(arrow: dict[str, Any], n_eps: int, tier: Tier, *, batch: int) -> list[Row]:
    """The three analyses against the hand-written polars pipeline on the same Arrow tables.

    Each timed call runs ``batch`` times. The target is decided by the median of
    the paired rounds' ratios (GC on), at least 5 rounds (11 for a batch).
    """
    import polars as pl

    from missingcare.research import CaseTables, patterns

    rounds = max(tier.repeats, tier.paired_rounds, 11 if batch > 1 else 5)
    # Both sides start from the same Arrow tables. The library keeps the localised
    # episodes of a CaseTables for the analyses run on it, so each call gets its own
    # CaseTables (made untimed from the same tables, sharing their buffers): no call
    # reuses an earlier repeat's work. Enough are made for every timed call (two
    # library variants, GC on and off, every round) and the check, so none is ever
    # built inside the clock. The hand pipeline converts the columns it reads.
    fresh = [CaseTables(**arrow) for _ in range(4 * rounds * batch + 1)]
    hand_eps = arrow["episodes"].select(["child_id", "zone", "last_seen_at", "ended_at"])

    def library_once() -> dict[str, Any]:
        tables = fresh.pop()
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

    def hand_once() -> dict[str, Any]:
        return _hand_polars(pl.from_arrow(hand_eps), pl)

    def library() -> object:
        return [library_once() for _ in range(batch)]

    def hand() -> object:
        return [hand_once() for _ in range(batch)]

    def library_cold() -> object:
        # the zone table (UTC offsets read from the pinned zone database) is cached per
        # process; a fresh process pays for it once. polars' own zone data has no such step.
        out = []
        for _ in range(batch):
            patterns._zone_year.cache_clear()
            out.append(library_once())
        return out

    _check(
        library_once() == hand_once(),
        "research: the library's results equal the hand-written pipeline's",
    )
    baseline = "hand-written polars (3 analyses)"
    name = "missingcare.research.patterns (3 analyses)"
    variants: dict[str, Callable[[], object]] = {
        baseline: hand,
        name: library,
        f"{name}, zone table cold": library_cold,
    }
    t = timings(variants, rounds)
    check = "hour×weekday cells, median hours and days, repeat counts equal"
    size = f"{n_eps:,} episodes" + (f", {batch} calls a round" if batch > 1 else "")
    rows = [
        _versus(
            "6 research",
            f"{name} [{size}]",
            t,
            n_eps,
            name=name,
            baseline=baseline,
            check=check,
            note="zone table warm (cached in the process), as polars' own zone data is",
            target=("≤", 1.5 if n_eps < 20_000 else 1.2),
        ),
        _versus(
            "6 research",
            f"{name}, zone table cold [{size}]",
            t,
            n_eps,
            name=f"{name}, zone table cold",
            baseline=baseline,
            check=check,
            note="information: the first analysis in a process (zone table built)",
        ),
    ]
    for row, variant in zip(rows, (name, f"{name}, zone table cold"), strict=True):
        row.unit = "episode"
        row.seconds = t.on[variant][0] / batch  # the best call, GC on
        row.seconds_gc_off = t.off[variant][0] / batch
    return rows


#: Arrow → model runs on at most this many case files, whatever the tier: it is
#: information (no target), and the full tier's export set would take minutes a pass.
_READ_BACK_CASES = 7_500


def _bench_read_back(cases: Sequence[CaseFile], tables: Any | None) -> list[Row]:
    """Arrow → model (``from_arrow``) against JSON lines → model (``from_json``).

    Both read the same case files and must give them back equal. No target:
    it shows what reading a columnar extract back into the model costs,
    beside the library's fastest way in.
    """
    from missingcare.research import from_arrow, to_arrow

    cases = cases[:_READ_BACK_CASES]
    if tables is None:
        tables = to_arrow(cases)
    lines = [to_json(c) for c in cases]
    expected = tuple(cases)
    _check(from_arrow(tables) == expected, "read back: from_arrow gives the case files back")
    _check(
        tuple(from_json(line, CaseFile) for line in lines) == expected,
        "read back: from_json gives the case files back",
    )
    variants: dict[str, Callable[[], object]] = {
        "from_json per line (case files)": _each(
            functools.partial(_from_json, cls=CaseFile), lines
        ),
        "research.from_arrow (case files)": lambda: from_arrow(tables),
    }
    return _ratio_rows(
        "6 research",
        "from_json per line (case files)",
        len(cases),
        compare(variants, 3, collect=True),
        off=None,
        targets={},
        check="both give the case files back equal",
        unit="case file",
    )


def _research_cases(tier: Tier, data: Dataset) -> Iterable[CaseFile]:
    """The tier's research case files: the dataset's if it is big enough, else a stream."""
    if tier.research_episodes <= tier.episodes:
        return data.cases
    from _data import case_files

    return case_files(tier.research_episodes)


# --- 7: synthetic generation -------------------------------------------------------------


_LAUNCH = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"


def bench_synth(tier: Tier, data: Dataset) -> list[Row]:
    """bench_synth.py in a child process: throughput and peak resident memory."""
    script = HERE / "bench_synth.py"
    if not script.exists() or importlib.util.find_spec("missingcare.testing.synth") is None:
        return [
            Row(
                "7 synth",
                "skipped",
                "",
                0,
                note="bench_synth.py or missingcare.testing.synth absent",
            )
        ]
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


# --- 8: linear scaling ----------------------------------------------------------------------


def bench_scale(tier: Tier, data: Dataset) -> list[Row]:
    """Per-episode and per-child cost of the lens and the rules, large size over small.

    See ``benchmarks/bench_scale.py`` (which also runs alone). The baseline of
    each row is the same operation at the small size; the ratio is per unit.
    """
    import bench_scale

    results = bench_scale.by_episodes(*tier.scale_episodes, rounds=max(3, tier.repeats))
    results += bench_scale.by_children(*tier.scale_children)
    rows = []
    for s in results:
        calls = "" if s.calls_ratio != s.calls_ratio else f"; calls × {s.calls_ratio:.2f}"
        per = "episode" if s.unit == "episodes" else "child"
        rows.append(
            Row(
                "8 scale",
                f"{s.operation}, {s.large:,} {s.unit}",
                f"the same at {s.small:,} {s.unit}",
                s.large,
                per,
                seconds=s.us_per_unit_large * s.large / 1e6,
                ratio=s.ratio,
                target=f"≤{bench_scale.TARGET:g}× per {per}",
                met=s.met,
                check="same count on fresh copies and on every round",
                note=f"per {per}, median of {s.rounds} paired rounds "
                f"({s.low:.2f}–{s.high:.2f}){calls}",
            )
        )
    if tier.scale_children[1] < 1_000:
        for row in rows:
            row.note += "; tiny sizes: indicative only"
    return rows


#: Refusals timed against accepting the same documents (issue 18, defect 7): each
#: mistake keeps the document's size to within a few bytes.
_REFUSALS: dict[str, Callable[[bytes], bytes]] = {
    "every instant unreadable": lambda t: t.replace(b"T", b"X"),
    "every code unknown (episode statuses)": lambda t: t.replace(b'"missing"', b'"mizzing"'),
    "one instant at the end naive": lambda t: t[: t.rindex(b'Z"')] + t[t.rindex(b'Z"') + 1 :],
    "a key repeated at the end": lambda t: t[:-1] + b',"schema_version":1}',
    # msgspec's typed decode refuses this one: the refusal path walks the JSON tree
    "every instant unreadable, a key unknown": (
        lambda t: t.replace(b"T", b"X").replace(b'"child":{', b'"child":{"name":null,', 1)
    ),
}


def bench_refusal(tier: Tier, data: Dataset) -> list[Row]:
    """Refusing a case file against accepting one of the same size (target: ≤ 2×).

    The largest case files of the tier, loaded as they are and with each
    mistake of :data:`_REFUSALS`; each refusal is checked to be the reference
    converter's error (the same violations and count) before it is timed.
    """
    from missingcare.converters import make_converter
    from missingcare.exceptions import ValidationError

    reference = make_converter()
    # the largest case files that every mistake changes (one without an episode has no
    # status to misspell)
    every = [c for c in data.cases if all(e(to_json(c)) != to_json(c) for e in _REFUSALS.values())]
    cases = sorted(every, key=lambda c: len(to_json(c)))[-20:]
    _check(bool(cases), "no case file to refuse")
    good = [to_json(c) for c in cases]

    def answer(doc: bytes, converter: Any = None) -> Any:
        try:
            return from_json(doc, CaseFile, converter=converter)
        except ValidationError as exc:
            return (exc.violations, exc.more)

    variants: dict[str, Callable[[], object]] = {
        "accept": lambda: [from_json(d, CaseFile) for d in good],
    }
    for name, edit in _REFUSALS.items():
        bad = [edit(d) for d in good]
        refused = [answer(d) for d in bad]
        _check(
            all(type(a) is tuple for a in refused)
            and refused == [answer(d, reference) for d in bad],
            f"refusal {name!r}: not the reference converter's error",
        )
        variants[name] = functools.partial(lambda docs: [answer(d) for d in docs], bad)
    _check([from_json(d, CaseFile) for d in good] == list(cases), "the accepted case files differ")
    t = timings(variants, max(tier.repeats, 5))
    size = sum(map(len, good))
    rows = []
    for name in _REFUSALS:
        row = _versus(
            "8 refusal",
            name,
            t,
            len(good),
            name=name,
            baseline="accept",
            check="the reference converter's error, violation for violation",
            note=f"{len(good)} case files, {size:,} bytes",
        )
        row.baseline = "accepting the same documents"
        row.unit = "document"
        row.target = "≤2× on"
        row.met = row.ratio is not None and row.ratio <= 2
        rows.append(row)
    return rows


class _LazyDataset:
    """The tier's dataset, built on first use (the synth benchmark needs none)."""

    def __init__(self, episodes: int) -> None:
        self._episodes = episodes
        self.built = False

    def __getattr__(self, name: str) -> Any:
        self.built = True
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
    "scale": bench_scale,
    "refusal": bench_refusal,
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
        "pydantic": _version_of("pydantic"),
    }


def _version_of(distribution: str) -> str | None:
    """The installed version of ``distribution``, or ``None``."""
    import importlib.metadata

    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


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


#: What every targeted row of the tiny tier says: its figures do not judge a target.
TINY_NOTE = "tiny tier: indicative only (too few records; targets are judged on --quick)"


def run(
    tier_name: str,
    only: Sequence[str] | None = None,
    echo: bool = True,
    *,
    repeats: int | None = None,
) -> list[Row]:
    """Run the benchmarks of a tier (all, or ``only`` these) and return their rows.

    ``repeats`` replaces the tier's number of rounds.
    """
    tier = TIERS[tier_name]
    if repeats is not None:
        if repeats < 1:
            raise SystemExit("--repeats must be at least 1")
        tier = dataclasses.replace(tier, repeats=repeats, paired_rounds=repeats)
    names = list(only) if only else list(BENCHMARKS)
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        raise SystemExit(f"unknown benchmarks: {', '.join(sorted(unknown))}")
    data = _LazyDataset(tier.episodes)
    described = False
    rows: list[Row] = []
    for name in names:
        started = time.perf_counter()
        got = BENCHMARKS[name](tier, data)
        if echo and not described and data.built:
            # (only once a benchmark has built the dataset: a streaming one needs none)
            print(f"tier {tier_name}: {data.describe()}", flush=True)
            described = True
        rows += got
        if echo:
            print(f"  {name}: {time.perf_counter() - started:,.1f} s", flush=True)
    if tier_name == "tiny":
        for row in rows:
            if row.target:
                row.note = "; ".join(x for x in (row.note, TINY_NOTE) if x)
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    tiers = parser.add_mutually_exclusive_group()
    tiers.add_argument("--quick", action="store_const", dest="tier", const="quick")
    tiers.add_argument("--tiny", action="store_const", dest="tier", const="tiny")
    tiers.add_argument("--full", action="store_const", dest="tier", const="full")
    parser.add_argument("--only", help="comma-separated: " + ",".join(BENCHMARKS))
    parser.add_argument("--json", type=Path, help="also write the rows and machine as JSON")
    parser.add_argument(
        "--repeats",
        type=int,
        metavar="N",
        help="rounds per benchmark instead of the tier's (load and dump report the median "
        "and range of the round-by-round ratios; 5 or more on a busy machine)",
    )
    parser.add_argument(
        "--validator-903",
        metavar="PYTHON",
        help="python of a venv with csc-validator-be-903 (default: $MISSINGCARE_903_VALIDATOR)",
    )
    args = parser.parse_args(argv)
    if args.validator_903:
        os.environ["MISSINGCARE_903_VALIDATOR"] = args.validator_903
    tier_name = args.tier or "full"
    only = [x.strip() for x in args.only.split(",")] if args.only else None
    info = machine()
    rows = run(tier_name, only, repeats=args.repeats)
    info["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    print()
    print(
        f"Python {info['python']} on {info['cpu']} ({info['nproc']} CPUs), "
        f"load average {info['loadavg']} before, {info['loadavg_after']} after"
    )
    if tier_name == "tiny":
        print(TINY_NOTE)
    print(table(rows))
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "machine": info,
                    "tier": tier_name,
                    "repeats": args.repeats or TIERS[tier_name].repeats,
                    "rows": [asdict(r) for r in rows],
                },
                indent=1,
                default=str,
            )
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
