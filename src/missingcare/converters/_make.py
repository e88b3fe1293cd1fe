"""Direct construction of model values, generated from the field kinds (private).

A model class's ``__init__`` runs each field's attrs validator and converter,
then the class's ``__attrs_post_init__`` invariants. The validator and
converter of a field are made from its :class:`~missingcare._fields.FieldKind`
(:func:`missingcare._fields.rule_parts`), so the kind also says what they
check. :func:`guard` writes that as one Python condition per field; code
generated from the guards fills a new instance's slots directly when every
guard holds and then runs the invariants, which is what ``__init__`` would
do. There is no table of validators here: every guard follows from the kind,
and a field whose validator or converter is not exactly its kind's
(:func:`missingcare._fields.is_plain`) leaves its class to ``__init__``.

A guard may be stricter than its validator (an exact type where the
validator takes subclasses): that only sends more values to the class.
With ``typed=True`` a guard omits the type tests, for values whose types are
already certain (decoded by the msgspec mirrors of :mod:`._fast`).

``maker(cls)`` returns a function with the signature of ``cls`` that gives
exactly what calling ``cls`` gives: the same value, or the same error. When a
guard fails it calls the class with the same arguments, so every refusal is
the class's own. Readers of typed sources (Arrow tables) use it.

>>> from datetime import UTC, datetime
>>> from missingcare.episodes import StatusChange
>>> from missingcare.vocabularies import EPISODE_STATUSES
>>> status = next(iter(EPISODE_STATUSES))
>>> make = maker(StatusChange)
>>> make(datetime(2026, 1, 1, tzinfo=UTC), status) == StatusChange(
...     datetime(2026, 1, 1, tzinfo=UTC), status
... )
True
"""

from __future__ import annotations

import enum
import functools
import re
import types
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar, cast

import attrs

from missingcare import _fields
from missingcare._fields import FieldKind
from missingcare.time import EARLIEST, FIRST_DATE, LAST_DATE, LATEST, check_zone, computed_instant
from missingcare.vocab import Concept

__all__ = ["Namespace", "fill", "guard", "is_fillable", "maker"]

T = TypeVar("T")


class DeclinedError(Exception):
    """A guard does not hold: the value is left to the class (or the reference path)."""


#: The names every generated function may use.
_BASE_NAMES: Mapping[str, Any] = types.MappingProxyType(
    {
        "_type": type,
        "_all": all,
        "_str": str,
        "_bool": bool,
        "_date": date,
        "_timedelta": timedelta,
        "_ZERO": timedelta(0),
        "_MAXD": _fields.MAX_DURATION,
        "_datetime": datetime,
        "_UTC": UTC,
        "_Concept": Concept,
        "_tuple": tuple,
        "_len": len,
        "_set": set,
        "_MAX": _fields.MAX_TEXT,
        "_new": object.__new__,
        "_DeclinedError": DeclinedError,
        "_check_zone": check_zone,
        "_SURROGATE": _fields.SURROGATE,
        "_EARLIEST": EARLIEST,
        "_LATEST": LATEST,
        "_FIRST_DATE": FIRST_DATE,
        "_LAST_DATE": LAST_DATE,
    }
)


class Namespace:
    """The globals of generated code: fixed names, and values bound as ``_b<n>``."""

    def __init__(self) -> None:
        self.env: dict[str, Any] = dict(_BASE_NAMES)
        # zones already checked (check_zone is pure: the pinned tzdata)
        self.env["_ZONES"] = set()

    def bind(self, value: Any) -> str:
        """A name that refers to ``value`` in the generated code."""
        for name, bound in self.env.items():
            if name.startswith("_b") and bound is value:
                return name
        name = f"_b{len(self.env)}"
        self.env[name] = value
        return name

    def run(self, source: str, name: str) -> Any:
        exec(source, self.env)  # generated from the field kinds only
        return self.env[name]


# not v.strip(), without a copy; isascii() is O(1), so ASCII text skips the search
_TEXT = (
    "{v} and not {v}.isspace() and _len({v}) <= _MAX and ({v}.isascii() or _SURROGATE({v}) is None)"
)
_ZONE = "({v} in _ZONES or (_check_zone({v}) == {v} and _ZONES.add({v}) is None))"
_EXACT: Mapping[str, str] = types.MappingProxyType(
    {
        "text": "_str",
        "id": "_str",
        "zone": "_str",
        "flag": "_bool",
        "date": "_date",
        "duration": "_timedelta",
        "instant": "_datetime",
        "concept": "_Concept",
    }
)


def _exact(kind: FieldKind, v: str, ns: Namespace) -> str:
    """That ``v``'s type is exactly the kind's item type (implies its isinstance check)."""
    # ``is``, never ``in`` a set: a set lookup would trust the types' __eq__
    name = _EXACT.get(kind.base) or ns.bind(kind.item_type)
    return f"_type({v}) is {name}"


def _value(kind: FieldKind, v: str, ns: Namespace, typed: bool) -> str:
    """The condition for one non-None value of a scalar field."""
    checks = [] if typed else [_exact(kind, v, ns)]
    if kind.base in _fields.TEXTUAL:
        checks.append(_TEXT.format(v=v))
        if kind.pattern is not None:
            checks.append(f"{ns.bind(re.compile(kind.pattern).fullmatch)}({v}) is not None")
    elif kind.base == "zone":
        checks.append(_ZONE.format(v=v))
    elif kind.base == "duration":
        checks.append(f"_ZERO < {v} <= _MAXD and not {v}.microseconds")
    elif kind.base == "instant" and not typed:
        # instant() returns a plain datetime whose tzinfo is UTC, in range, unchanged
        checks.append(f"{v}.tzinfo is _UTC and _EARLIEST <= {v} <= _LATEST")
    elif kind.base == "date" and not typed:
        # typed dates were read by the wire's date hook, which checks the range
        checks.append(f"_FIRST_DATE <= {v} <= _LAST_DATE")
    return " and ".join(checks)


def guard(kind: FieldKind, v: str, ns: Namespace, *, typed: bool = False) -> str:
    """A condition over ``v`` that implies the field's validator passes and its converter
    returns ``v`` itself (``""`` when there is nothing to test)."""
    if kind.base == "param":
        # the converter returns the value itself when it is already its pairs, in order
        return f"({ns.bind(_fields.to_params)}({v}) is {v})"
    if kind.many:
        # the tuple converter checks each item's type (isinstance); tuple(v) is v
        checks = (
            []
            if typed
            else [f"_type({v}) is _tuple", f"_all([{_exact(kind, '_i', ns)} for _i in {v}])"]
        )
        if kind.base in _fields.TEXTUAL:
            # the tuple converter refuses an item that is blank or not valid Unicode
            checks.append(
                f"_all([_i and not _i.isspace() and (_i.isascii() or _SURROGATE(_i) is None)"
                f" for _i in {v}])"
            )
        if kind.ordered_by is not None:
            # the converter returns the tuple itself when its items are already in order
            checks.append(f"{ns.bind(_fields.in_order(kind.ordered_by))}({v})")
        if kind.unique:
            # every item hashed, as the validator hashes it (a lone unhashable one too)
            lone = f"_len({v}) < 2" if typed else f"not {v}"
            checks.append(f"({lone} or _len(_set({v})) == _len({v}))")
        return f"({' and '.join(checks)})" if checks else ""
    if kind.computed and not typed:
        # computed_instant returns the value itself when it is a plain UTC one in its range
        return f"({v} is None or {ns.bind(computed_instant)}({v}) is {v})"
    one = _value(kind, v, ns, typed)
    if kind.optional and one:
        return f"({v} is None or ({one}))"
    return f"({one})" if one else ""


def is_fillable(cls: type) -> bool:
    """Whether instances of ``cls`` may be filled directly: ``__init__`` does only
    what the generated code repeats.

    That is: every field has a kind and exactly its kind's validator and
    converter, a positional parameter of its own name and no factory default;
    slots for every field and nothing else stored (no cached hash);
    ``object.__new__``; no ``__attrs_pre_init__``; an ``__init__`` that attrs
    generated (not one written by hand, nor a subclass's inherited one).
    """
    if not attrs.has(cls) or isinstance(cls, enum.EnumMeta):
        return False
    init = cls.__dict__.get("__init__")
    code = getattr(init, "__code__", None)
    slots = cls.__dict__.get("__slots__")
    return (
        slots is not None
        and "_attrs_cached_hash" not in slots
        and getattr(cls, "__new__", None) is object.__new__
        and getattr(cls, "__attrs_pre_init__", None) is None
        and code is not None
        and code.co_filename.startswith("<attrs generated")
        and all(
            isinstance(cls.__dict__.get(a.name), types.MemberDescriptorType)
            and _fields.is_plain(a)
            and a.init
            and not a.kw_only
            and a.alias == a.name
            and not isinstance(a.default, attrs.Factory)  # type: ignore[arg-type]
            for a in attrs.fields(cls)
        )
    )


def fill(cls: type, refs: Mapping[str, str], ns: Namespace, *, typed: bool) -> list[str]:
    """Lines that test every field's guard over the locals ``refs`` (field → name),
    raising :class:`DeclinedError` when one fails, then fill ``_o``.

    The caller runs ``_o.__attrs_post_init__()`` (if any) after them; only for
    a class :func:`is_fillable` accepts.
    """
    lines = []
    for name, kind in _fields.kinds(cls):
        condition = guard(kind, refs[name], ns, typed=typed)
        if condition:
            lines.append(f"if not {condition}: raise _DeclinedError")
    lines.append(f"_o = _new({ns.bind(cls)})")
    lines += [
        f"{ns.bind(cls.__dict__[name].__set__)}(_o, {refs[name]})" for name, _ in _fields.kinds(cls)
    ]
    return lines


def post_init(cls: type) -> list[str]:
    """The line that runs ``cls``'s invariants on ``_o``, if it has any."""
    return ["_o.__attrs_post_init__()"] if hasattr(cls, "__attrs_post_init__") else []


def maker(cls: type[T]) -> Callable[..., T]:
    """A function with ``cls``'s signature giving exactly what ``cls(...)`` gives.

    It is the class itself when :func:`is_fillable` refuses the class. Made
    once per class, then reused.
    """
    made: Callable[..., T] = _maker(cast(Any, cls))
    return made


@functools.cache
def _maker(cls: Any) -> Any:
    if not is_fillable(cls):
        return cls
    ns = Namespace()
    fields = attrs.fields(cls)
    # parameters keep the fields' names (generated names all start with "_")
    params = [
        a.name if a.default is attrs.NOTHING else f"{a.name}={ns.bind(a.default)}" for a in fields
    ]
    bound = ns.bind(cls)
    call = f"{bound}(" + ", ".join(f"{a.name}={a.name}" for a in fields) + ")"
    src = [f"def _make_{cls.__name__}({', '.join(params)}):", "    try:"]
    src += [
        f"        {line}" for line in fill(cls, {a.name: a.name for a in fields}, ns, typed=False)
    ]
    src += ["    except Exception:", f"        return {call}"]
    src += [f"    {line}" for line in post_init(cls)]
    src.append("    return _o")
    made = ns.run("\n".join(src), f"_make_{cls.__name__}")
    made.__doc__ = f"Build a {cls.__name__} exactly as {cls.__name__}(...) would."
    return made
