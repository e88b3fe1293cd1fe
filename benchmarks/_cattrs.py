"""cattrs on missingcare's own attrs classes: the peer a cattrs user would set up.

``cattrs.preconf.msgspec.make_converter`` (msgspec parses and writes the
JSON, cattrs structures and unstructures) on :class:`MissingEpisode`,
:class:`ReturnConversation` and their nested classes, with the hooks a user
needs for the wire's rules:

* strict leaves: text is ``str``, flags ``bool``, the version ``int``
  (nothing coerced), lists are JSON arrays; unknown keys refused;
* an explicit ``null`` refused (leave the key out): a hook on every
  ``X | None`` field;
* instants: ``datetime.fromisoformat`` of the text, naive refused;
* concepts: each field's code looked up in the vocabulary the class declares
  for it (the field's metadata, read once per class), written back as the
  code;
* writing leaves out defaults (``omit_if_default``).

Everything else, text not blank nor too long, the zone, no repeats, the
cross-field invariants and instants made UTC, is the classes' own
constructors, which cattrs calls. Where it reads more than the wire: the
instant parser (``fromisoformat``) also takes a space for ``T``, minutes
without seconds, ``+0100``, more than six fractional digits and the basic
format (``20261001T200000Z``); errors are cattrs' own
(``detailed_validation``), with paths.
"""

from __future__ import annotations

import operator
import typing
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

import attrs
import cattrs
import msgspec
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.preconf.msgspec import make_converter

from missingcare._fields import kinds
from missingcare.converters import SCHEMA_VERSION
from missingcare.vocab import Concept
from missingcare.vocabularies import CORE

__all__ = ["CattrsPeer", "peer"]


def _str(value: object, _: object) -> str:
    if type(value) is not str:
        raise TypeError("expected text")
    return value


def _bool(value: object, _: object) -> bool:
    if type(value) is not bool:
        raise TypeError("expected true or false")
    return value


def _int(value: object, _: object) -> int:
    if type(value) is not int:
        raise TypeError("expected an integer")
    return value


def _instant(value: object, _: object) -> datetime:
    if type(value) is not str:
        raise TypeError("expected an instant")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError("expected an offset")
    return parsed


def _is_optional(tp: Any) -> bool:
    args = typing.get_args(tp)
    return len(args) == 2 and type(None) in args


def _is_tuple(tp: Any) -> bool:
    return typing.get_origin(tp) is tuple


class CattrsPeer:
    """A cattrs converter for the wire documents, and its ``loads`` and ``dumps``."""

    def __init__(self) -> None:
        conv = make_converter(forbid_extra_keys=True)
        self.converter: cattrs.Converter = conv
        conv.register_structure_hook(str, _str)
        conv.register_structure_hook(bool, _bool)
        conv.register_structure_hook(int, _int)
        conv.register_structure_hook(datetime, _instant)
        conv.register_unstructure_hook(Concept, operator.attrgetter("code"))

        def optional(tp: Any) -> Callable[[Any, Any], Any]:
            (inner,) = (a for a in typing.get_args(tp) if a is not type(None))
            structure = conv.get_structure_hook(inner)

            def hook(value: Any, _: Any) -> Any:
                if value is None:
                    raise TypeError("null: leave the key out")
                return structure(value, inner)

            return hook

        def many(tp: Any) -> Callable[[Any, Any], Any]:
            (item, _) = typing.get_args(tp)
            structure = conv.get_structure_hook(item)

            def hook(value: Any, _: Any) -> Any:
                if type(value) is not list:
                    raise TypeError("expected a list")
                return tuple([structure(x, item) for x in value])

            return hook

        def model(cls: type) -> Callable[[Any, Any], Any]:
            overrides: dict[str, Any] = {}
            for name, kind in kinds(cls):
                if kind.base != "concept" or kind.vocabulary is None:
                    continue
                codes = CORE[kind.vocabulary].by_code.__getitem__
                if kind.many:
                    overrides[name] = override(struct_hook=_concepts(codes))
                elif kind.optional:
                    overrides[name] = override(struct_hook=_optional_concept(codes))
                else:
                    overrides[name] = override(struct_hook=_concept(codes))
            return make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=True, **overrides)

        def writer(cls: type) -> Callable[[Any], Any]:
            return make_dict_unstructure_fn(cls, conv, _cattrs_omit_if_default=True)

        def is_model(tp: Any) -> bool:
            return attrs.has(tp) and tp is not Concept

        conv.register_structure_hook_factory(_is_optional, optional)
        conv.register_structure_hook_factory(_is_tuple, many)
        conv.register_structure_hook_factory(is_model, model)
        conv.register_unstructure_hook_factory(is_model, writer)
        self._by_class: dict[type, tuple[Any, Any]] = {}
        self._decode = msgspec.json.decode
        self._encode = msgspec.json.Encoder().encode

    def _hooks(self, cls: type) -> tuple[Any, Any]:
        hooks = self._by_class.get(cls)
        if hooks is None:
            hooks = self._by_class[cls] = (
                self.converter.get_structure_hook(cls),
                self.converter.get_unstructure_hook(cls),
            )
        return hooks

    def loads(self, data: bytes, cls: type) -> Any:
        """A top-level document: its version checked, then structured into ``cls``."""
        raw = self._decode(data)
        if type(raw) is not dict or raw.pop("schema_version", None) != SCHEMA_VERSION:
            raise ValueError(f"expected schema_version {SCHEMA_VERSION}")
        return self._hooks(cls)[0](raw, cls)

    def dumps(self, value: Any) -> bytes:
        """The document's bytes: the version first, then the value's fields."""
        return self._encode(
            {"schema_version": SCHEMA_VERSION, **self._hooks(type(value))[1](value)}
        )


def _concept(codes: Callable[[str], Concept]) -> Callable[[Any, Any], Concept]:
    def hook(value: Any, _: Any) -> Concept:
        return codes(value)

    return hook


def _optional_concept(codes: Callable[[str], Concept]) -> Callable[[Any, Any], Concept]:
    def hook(value: Any, _: Any) -> Concept:
        if value is None:
            raise TypeError("null: leave the key out")
        return codes(value)

    return hook


def _concepts(codes: Callable[[str], Concept]) -> Callable[[Any, Any], tuple[Concept, ...]]:
    def hook(value: Any, _: Any) -> tuple[Concept, ...]:
        if type(value) is not list:
            raise TypeError("expected a list")
        return tuple(map(codes, value))

    return hook


@cache
def peer() -> CattrsPeer:
    """The peer (built once)."""
    return CattrsPeer()
