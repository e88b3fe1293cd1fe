"""What filling an attrs instance in Python costs, beside msgspec's whole decode.

A flat record of 20 text fields, timed three ways in one process:

1. msgspec decoding its JSON into a ``msgspec.Struct`` (the baseline);
2. Python code that only fills a frozen, slotted attrs instance with the 20
   values of an already-decoded Struct (``object.__new__`` and each slot's
   descriptor; no decoding, no checks), as ``missingcare.converters._fast`` does;
3. the attrs class's own ``__init__`` with no validators.

It shows how much of a load target a path that builds attrs objects in
Python can meet before it checks anything (``docs/performance.md``, Load).
Run: ``python benchmarks/bench_fill.py [--number N]``.
"""

from __future__ import annotations

import argparse
import timeit
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import msgspec

FIELDS = tuple(f"f{i}" for i in range(20))


def _best(fn: Callable[[], object], number: int) -> float:
    """Best time per call over five runs of ``number`` calls, in µs."""
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def measure(number: int) -> dict[str, float]:
    """µs per record for the three ways; each checked to give the same values."""
    cls = attrs.make_class("Flat", dict.fromkeys(FIELDS, attrs.field()), frozen=True, slots=True)
    struct = msgspec.defstruct("FlatStruct", [(n, str) for n in FIELDS])
    env: dict[str, Any] = {"_new": object.__new__, "C": cls}
    for i, name in enumerate(FIELDS):
        env[f"_s{i}"] = cls.__dict__[name].__set__
    body = "".join(f"    _s{i}(o, w.{n})\n" for i, n in enumerate(FIELDS))
    exec(f"def fill(w):\n    o = _new(C)\n{body}    return o\n", env)  # generated, fixed
    fill = env["fill"]
    values = [f"value {i}" for i in range(len(FIELDS))]
    data = msgspec.json.encode(struct(*values))
    decoder = msgspec.json.Decoder(struct)
    wire = decoder.decode(data)
    if attrs.astuple(fill(wire)) != tuple(values) or fill(wire) != cls(*values):
        raise SystemExit("check failed: the filled instance differs from the constructed one")
    return {
        "msgspec decode into a Struct": _best(lambda: decoder.decode(data), number),
        "fill an attrs instance in Python": _best(lambda: fill(wire), number),
        "attrs __init__, no validators": _best(lambda: cls(*values), number),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=200_000, help="calls per timing")
    args = parser.parse_args(argv)
    times = measure(args.number)
    base = times["msgspec decode into a Struct"]
    for name, us in times.items():
        print(f"{name:36} {us:6.2f} µs  {us / base:5.2f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
