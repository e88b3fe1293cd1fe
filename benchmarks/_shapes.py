"""attrs classes shaped like the model, for a floor figure (benchmarks only).

``shaped(MissingEpisode)`` is a frozen, slotted attrs class with the model's
field names, order and defaults, nested classes shaped the same way, but
codes as plain text and no validators, converters or invariants. msgspec
decodes JSON straight into such classes in C: the time that takes, against
msgspec's own Structs, is what building *this shape* of attrs objects costs
before any validation: a path into the real model, which must do more, is
not expected to beat it (see ``bench_load`` and ``bench_dump``).
"""

from __future__ import annotations

import typing
from typing import Any

import attrs

from missingcare.vocab import Concept

__all__ = ["as_shaped", "shaped"]

_COPIES: dict[type, type] = {}


def _shape(tp: Any) -> Any:
    args = typing.get_args(tp)
    if type(None) in args:
        (inner,) = (a for a in args if a is not type(None))
        return _shape(inner) | None
    if typing.get_origin(tp) is tuple:
        return tuple.__class_getitem__((_shape(args[0]), ...))
    if tp is Concept:
        return str
    if attrs.has(tp):
        return shaped(tp)
    return tp


def shaped(cls: type, *, document: bool = False) -> type:
    """The attrs class shaped like model class ``cls`` (made once, then reused).

    ``document`` adds the top-level ``schema_version`` field, first.
    """
    key: Any = (cls, "document") if document else cls
    if key not in _COPIES:
        hints = typing.get_type_hints(cls)
        these: dict[str, Any] = {}
        if document:
            these["schema_version"] = attrs.field(type=int)
        for a in attrs.fields(cls):
            tp = _shape(hints[a.name])
            if a.default is attrs.NOTHING:
                these[a.name] = attrs.field(type=tp)
            else:
                these[a.name] = attrs.field(type=tp, default=a.default)
        name = f"Shaped{'Document' if document else ''}{cls.__name__}"
        made = attrs.make_class(name, these, frozen=True, slots=True)
        made.__annotations__ = {k: v.type for k, v in these.items()}
        _COPIES[key] = made
    return _COPIES[key]


def as_shaped(value: Any, *, schema_version: int | None = None) -> Any:
    """A model value copied into its shaped class (codes for concepts), to check results.

    With ``schema_version``, the top-level value goes into the document class.
    """
    if schema_version is not None:
        cls = shaped(type(value), document=True)
        fields = {a.name: as_shaped(getattr(value, a.name)) for a in attrs.fields(type(value))}
        return cls(schema_version=schema_version, **fields)
    if isinstance(value, Concept):
        return value.code
    if isinstance(value, tuple):
        return tuple(as_shaped(v) for v in value)
    if attrs.has(type(value)):
        cls = shaped(type(value))
        return cls(**{a.name: as_shaped(getattr(value, a.name)) for a in attrs.fields(type(value))})
    return value
