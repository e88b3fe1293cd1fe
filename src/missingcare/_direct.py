"""Direct construction of model values from values already in their final form (private).

``maker(cls)`` returns a function with the signature of ``cls`` that gives
exactly what calling ``cls`` gives: the same value, or the same
:class:`~missingcare.exceptions.ValidationError`. It is faster when the
values passed are already what the attrs converters would return and pass
what the validators check: UTC instants as plain ``datetime`` objects,
tuples of the right item types, concepts, enumeration members, nested model
values. Readers of typed sources (Arrow tables) produce exactly that.

For each field the generated code tests a *guard* that implies the field's
validator passes and its converter returns the value unchanged (``_GUARDS``
and ``_guard``). When every guard holds, the instance is filled directly and
the class's ``__attrs_post_init__`` invariants run, as ``__init__`` would run
them after the same validators and converters. When any guard fails the
class itself is called with the same arguments, so every refusal is the
reference's own. A guard may be stricter than its validator (an exact type
where the validator takes subclasses): that only sends more values to the
class. A class with a validator, converter or default the table does not
know is not made directly at all: ``maker`` returns the class.

``tests/test_direct.py`` checks, for every model, that the two agree on
generated values and on each field replaced by values the validators refuse.

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
import inspect
import types
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, TypeVar, cast

import attrs

from missingcare import _fields
from missingcare.time import check_zone
from missingcare.vocab import Concept

__all__ = ["maker"]

T = TypeVar("T")


class _DeclinedError(Exception):
    """A guard does not hold: the class is called instead."""


_TEXT = "_type({v}) is _str and {v} and not {v}.isspace() and _len({v}) <= _MAX"

#: Guards for the model's own validators and converters, by function. Each
#: implies its validator passes (or its converter returns ``{v}`` itself).
#: ``not v.strip()`` is ``not v or v.isspace()``: both use str.isspace's whitespace.
_GUARDS: dict[Any, str] = {
    _fields._text_validator: _TEXT,
    _fields._bool_validator: "_type({v}) is _bool",
    _fields._date_validator: "_type({v}) is _date",
    _fields._concept_validator: "_type({v}) is _Concept",
    # every item is hashed, as the validator hashes it, unless there is none
    _fields._no_repeats: "not {v} or _len(_set({v})) == _len({v})",
    # instant() returns a plain datetime whose tzinfo is UTC unchanged
    _fields._instant_converter: "_type({v}) is _datetime and {v}.tzinfo is _UTC",
    _fields._optional_instant_converter: (
        "{v} is None or (_type({v}) is _datetime and {v}.tzinfo is _UTC)"
    ),
}

_SLOT = types.MemberDescriptorType
_INSTANCE_OF: Any = type(attrs.validators.instance_of(int))
_OPTIONAL: Any = type(attrs.validators.optional(attrs.validators.instance_of(int)))


def _closure(fn: Any, name: str) -> Any:
    return inspect.getclosurevars(fn).nonlocals[name]


class _Plan:
    """Names bound in the generated code, and the code's guards."""

    def __init__(self) -> None:
        self.env: dict[str, Any] = {
            "_type": type,
            "_all": all,
            "_str": str,
            "_bool": bool,
            "_date": date,
            "_datetime": datetime,
            "_UTC": UTC,
            "_Concept": Concept,
            "_tuple": tuple,
            "_len": len,
            "_set": set,
            "_MAX": _fields.MAX_TEXT,
            "_new": object.__new__,
            "_DeclinedError": _DeclinedError,
            "_check_zone": check_zone,
            "_ZONES": set(),
        }

    def bind(self, value: Any) -> str:
        name = f"_b{len(self.env)}"
        self.env[name] = value
        return name

    def exact(self, v: str, kinds: type | tuple[type, ...]) -> str:
        """A guard that ``v``'s type is exactly one of ``kinds`` (implies isinstance)."""
        # ``is`` each time, never ``in`` a set: a set lookup would trust the types' __eq__
        each = (kinds,) if isinstance(kinds, type) else kinds
        if not each:
            return "False"
        return "(" + " or ".join(f"_type({v}) is {self.bind(k)}" for k in each) + ")"

    def validator(self, v: str, validator: Any) -> str | None:
        """The guard for ``validator``, or None if it is not one this module knows."""
        if validator is None:
            return "True"
        known = _GUARDS.get(validator)
        if known is not None:
            return known.format(v=v)
        if isinstance(validator, _INSTANCE_OF) and isinstance(validator.type, (type, tuple)):
            return self.exact(v, validator.type)
        if isinstance(validator, _OPTIONAL):
            inner = self.validator(v, validator.validator)
            return None if inner is None else f"{v} is None or ({inner})"
        module = getattr(validator, "__module__", None)
        qualname = getattr(validator, "__qualname__", None)
        if module == "missingcare.children" and qualname == "_zone_validator":
            # check_zone is pure (the pinned tzdata): a zone it accepted once is known
            return (
                f"_type({v}) is _str and ({v} in _ZONES"
                f" or (_check_zone({v}) == {v} and _ZONES.add({v}) is None))"
            )
        if module != _fields.__name__:
            return None
        if qualname == "_enum_validator.<locals>.check":
            return self.exact(v, _closure(validator, "cls"))
        if qualname == "optional_choice.<locals>.optional":
            cls = _closure(_closure(validator, "check"), "cls")
            return f"{v} is None or {self.exact(v, cls)}"
        return None

    def converter(self, v: str, converter: Any) -> str | None:
        """The guard that ``converter`` returns ``v`` itself, or None if unknown."""
        if converter is None:
            return "True"
        inner = getattr(converter, "converter", converter)
        known = _GUARDS.get(inner)
        if known is not None:
            return known.format(v=v)
        if (
            getattr(inner, "__module__", None) == _fields.__name__
            and getattr(inner, "__qualname__", None) == "_tuple_converter.<locals>.convert"
        ):
            # tuple(v) is v for a tuple; each item passes isinstance(item, item_type)
            # and is a bool only where item_type is bool (see _tuple_converter)
            item_type = _closure(inner, "item_type")
            kinds = item_type if isinstance(item_type, tuple) else (item_type,)
            allowed = tuple(k for k in kinds if k is not bool or item_type is bool)
            return f"_type({v}) is _tuple and _all([{self.exact('_i', allowed)} for _i in {v}])"
        return None


def _plain(cls: type) -> bool:
    """Whether ``cls``'s own ``__init__`` is attrs' and does only what the maker repeats.

    That is: slots for every field and nothing else stored (no cached hash),
    ``object.__new__``, no ``__attrs_pre_init__``, an ``__init__`` that attrs
    generated (not one written by hand, nor a subclass's inherited one).
    """
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
        and all(isinstance(cls.__dict__.get(a.name), _SLOT) for a in attrs.fields(cls))
    )


def _source(cls: type, plan: _Plan) -> str | None:
    """The generated ``make`` for ``cls``, or None if any field is not one it knows."""
    if not _plain(cls):
        return None
    fields = attrs.fields(cls)
    params: list[str] = []
    guards: list[str] = []
    for a in fields:
        if (
            not a.init or a.kw_only or a.alias != a.name or isinstance(a.default, attrs.Factory)  # type: ignore[arg-type]
        ):
            return None
        v = a.name  # the parameter, as in __init__; generated names all start with "_"
        for guard in (plan.converter(v, a.converter), plan.validator(v, a.validator)):
            if guard is None:
                return None
            if guard != "True":
                guards.append(guard)
        if a.default is attrs.NOTHING:
            params.append(v)
        else:
            params.append(f"{v}={plan.bind(a.default)}")
    name = cls.__name__
    bound = plan.bind(cls)
    call = f"{bound}(" + ", ".join(f"{a.name}={a.name}" for a in fields) + ")"
    src = [f"def _make_{name}({', '.join(params)}):", "    try:"]
    src += [f"        if not ({g}): raise _DeclinedError" for g in guards]
    src.append(f"        _o = _new({bound})")
    for a in fields:
        setter = plan.bind(cls.__dict__[a.name].__set__)
        src.append(f"        {setter}(_o, {a.name})")
    src += ["    except Exception:", f"        return {call}"]
    if getattr(cls, "__attrs_post_init__", None) is not None:
        src.append("    _o.__attrs_post_init__()")
    src.append("    return _o")
    return "\n".join(src)


def maker(cls: type[T]) -> Callable[..., T]:
    """A function with ``cls``'s signature giving exactly what ``cls(...)`` gives.

    It is the class itself when the class has a validator, converter or
    default this module does not know. Made once per class, then reused.
    """
    made: Callable[..., T] = _maker(cast(Any, cls))
    return made


@functools.cache
def _maker(cls: Any) -> Any:
    if not attrs.has(cls) or isinstance(cls, enum.EnumMeta):
        return cls
    plan = _Plan()
    source = _source(cls, plan)
    if source is None:
        return cls
    exec(source, plan.env)  # generated from attrs metadata only
    made = plan.env[f"_make_{cls.__name__}"]
    made.__doc__ = f"Build a {cls.__name__} exactly as {cls.__name__}(...) would."
    return made
