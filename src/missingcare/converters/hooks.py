"""The cattrs hooks of the wire format, derived from the model's field kinds (private).

Each field's structure hook follows from its :class:`~missingcare._fields.FieldKind`:
text, ids and zones are strings; flags are booleans; instants are RFC 3339
text with an offset; dates ``YYYY-MM-DD``; choices their enumeration values;
concepts their codes in the bound vocabulary; nested values objects; a tuple
field a list of these. ``null`` is refused everywhere, unknown keys are
refused and defaults are omitted when writing.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

import cattrs
import msgspec
from cattrs.errors import IterableValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from missingcare import _fields
from missingcare._fields import FieldKind
from missingcare.converters import _documents
from missingcare.converters._documents import MODELS, chosen_vocabularies
from missingcare.converters._limits import DEFAULT_LIMITS, Limits
from missingcare.exceptions import ValidationError, Violation
from missingcare.time import check_date, format_instant, parse_computed_instant, parse_instant
from missingcare.vocab import Concept, Vocabulary

T = TypeVar("T")
Hook = Callable[[object, object], Any]


class InvalidError(Exception):
    """A leaf refusal raised by a hook: a code and message, never the value."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


class IndexNote(str):
    """A note on an item's exception that records the item's index."""

    position: int

    def __new__(cls, index: int) -> IndexNote:
        note = super().__new__(cls, f"item {index}")
        note.position = index
        return note


# --- leaf hooks ---------------------------------------------------------------


def _str(value: object, _: object) -> str:
    if type(value) is not str:
        raise InvalidError("wrong_type", "expected a string")
    return value


def _bool(value: object, _: object) -> bool:
    if type(value) is not bool:
        raise InvalidError("wrong_type", "expected true or false")
    return value


def _int(value: object, _: object) -> int:
    if type(value) is not int:
        raise InvalidError("wrong_type", "expected a whole number")
    return value


def _float(value: object, _: object) -> float:
    if type(value) not in (int, float):
        raise InvalidError("wrong_type", "expected a number")
    return float(value)  # type: ignore[arg-type]


def _datetime(value: object, _: object) -> datetime:
    try:
        return parse_instant(value)  # type: ignore[arg-type]
    except ValidationError as exc:
        v = exc.violations[0]
        raise InvalidError(v.code, v.message) from None


def computed_hook(value: object, _: object) -> datetime:
    """An instant the library computed (:func:`~missingcare.time.parse_computed_instant`)."""
    try:
        return parse_computed_instant(value)  # type: ignore[arg-type]
    except ValidationError as exc:
        v = exc.violations[0]
        raise InvalidError(v.code, v.message) from None


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def date_hook(value: object, _: object) -> date:
    """A ``YYYY-MM-DD`` text as a :class:`~datetime.date`, or an :class:`InvalidError`."""
    if type(value) is not str:
        raise InvalidError("wrong_type", "expected a date string YYYY-MM-DD")
    if not _DATE.match(value):
        raise InvalidError("invalid_date", "expected a date YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidError("invalid_date", "expected a real calendar date YYYY-MM-DD") from None
    try:
        return check_date(day)
    except ValidationError as exc:
        v = exc.violations[0]
        raise InvalidError(v.code, v.message) from None


def duration_hook(value: object, _: object) -> timedelta:
    """An ISO 8601 duration text (``PT15M``, ``P2D``) as a :class:`~datetime.timedelta`.

    Read by msgspec, which accepts the units D, H, M and S; the model's field
    kind then bounds the value (positive, whole seconds, at most a year).
    """
    if type(value) is not str:
        raise InvalidError("wrong_type", "expected an ISO 8601 duration such as PT15M")
    try:
        return msgspec.convert(value, timedelta)
    except msgspec.ValidationError:
        raise InvalidError(
            "invalid_duration", "expected an ISO 8601 duration such as PT15M"
        ) from None


def duration_text(value: timedelta) -> str:
    """The wire form of a duration: ISO 8601, as msgspec writes it (``PT900S``, ``P3D``)."""
    text: str = msgspec.to_builtins(value)
    return text


def _enum_hook(cls: type[enum.Enum]) -> Hook:
    allowed = ", ".join(m.value for m in cls)
    table = {m.value: m for m in cls}

    def hook(value: object, _: object) -> enum.Enum:
        if type(value) is not str:
            raise InvalidError("wrong_type", f"expected one of: {allowed}")
        try:
            return table[value]
        except KeyError:
            raise InvalidError("unknown_code", f"expected one of: {allowed}") from None

    return hook


def _concept_hook(vocab: Vocabulary) -> Hook:
    index = vocab.by_code

    def hook(value: object, _: object) -> Concept:
        if type(value) is not str:
            raise InvalidError("wrong_type", f"expected a code of the vocabulary {vocab.name!r}")
        try:
            return index[value]
        except KeyError:
            raise InvalidError(
                "unknown_code", f"expected a code of the vocabulary {vocab.name!r}"
            ) from None

    return hook


def _sequence_hook(item: Hook, most: int) -> Hook:
    def hook(value: object, _: object) -> tuple[Any, ...]:
        if type(value) not in (list, tuple):
            raise InvalidError("wrong_type", "expected a list")
        items: list[Any] | tuple[Any, ...] = value  # type: ignore[assignment]
        if len(items) > most:
            raise InvalidError("too_many", f"expected at most {most:,} items")
        out: list[Any] = []
        errors: list[Exception] = []
        for i, elem in enumerate(items):
            try:
                out.append(item(elem, None))
            except Exception as exc:
                exc.__notes__ = [*getattr(exc, "__notes__", []), IndexNote(i)]
                errors.append(exc)
        if errors:
            raise IterableValidationError("invalid items", errors, tuple)
        return tuple(out)

    return hook


def _no_null(hook: Callable[[object, object], T]) -> Callable[[object, object], T]:
    def optional(value: object, _: object) -> T:
        if value is None:
            raise InvalidError("null", "null is not accepted: leave the key out instead")
        return hook(value, _)

    return optional


def _mapping_guard(hook: Callable[[Any, Any], T]) -> Callable[[object, object], T]:
    def guarded(value: object, cls: object) -> T:
        if type(value) is not dict:
            raise InvalidError("wrong_type", "expected an object")
        return hook(value, cls)

    return guarded


def param_hook(value: object, _: object) -> tuple[str, Any]:
    """A message parameter ``{"name": …, <key>: value}`` as a ``(name, value)`` pair.

    The key says the value's type (:data:`missingcare._fields.PARAM_TYPES`);
    each value is read by the hook of the base of the same name.
    """
    if type(value) is not dict:
        raise InvalidError("wrong_type", "expected an object")
    keys = set(value) - {"name"}
    if len(keys) != 1 or not keys <= _PARAM_HOOKS.keys():
        raise InvalidError(
            "invalid_param",
            "expected a name and one value: " + ", ".join(k for k, _ in _fields.PARAM_TYPES),
        )
    (key,) = keys
    found: list[Violation] = []
    out: list[Any] = []
    for at, hook in (("name", _str), (key, _PARAM_HOOKS[key])):
        item = value.get(at)
        try:
            if at not in value:
                raise InvalidError("required", "this field is required")
            if item is None:
                raise InvalidError("null", "null is not accepted: leave the key out instead")
            out.append(hook(item, None))
        except InvalidError as exc:
            found.append(Violation(f"$.{at}", exc.code, exc.message))
    if found:  # raised here, not in the except block: no chained exception
        raise ValidationError(found)
    return out[0], out[1]


def param_document(pair: tuple[str, Any]) -> dict[str, Any]:
    """The wire form of a ``(name, value)`` message parameter (see :func:`param_hook`)."""
    name, value = pair
    key = _fields.param_key(value)
    if key == "instant":
        value = format_instant(value)
    elif key == "duration":
        value = duration_text(value)
    return {"name": name, key: value}


def _param_documents(values: tuple[tuple[str, Any], ...]) -> list[dict[str, Any]]:
    return [param_document(p) for p in values]


_LEAVES: dict[str, Hook] = {
    "text": _str,
    "id": _str,
    "zone": _str,  # the class's own validator checks the zone
    "flag": _bool,
    "instant": _datetime,
    "date": date_hook,
    "duration": duration_hook,
}

#: A parameter's instant may be a computed one (a deadline after 2200), as ``due`` may.
_PARAM_HOOKS: dict[str, Hook] = {
    key: {"number": _int, "instant": computed_hook}.get(key) or _LEAVES[key]
    for key, _ in _fields.PARAM_TYPES
}
_LEAVES["param"] = param_hook


# --- hooks from kinds ----------------------------------------------------------------


def _value_hook(conv: cattrs.Converter, kind: FieldKind, vocab: Vocabulary | None) -> Hook:
    """The structure hook of one value (one item of a tuple field) of ``kind``."""
    if kind.base == "concept":
        assert vocab is not None
        return _no_null(_concept_hook(vocab))
    if kind.base == "choice":
        assert kind.choices is not None
        return _no_null(_enum_hook(kind.choices))
    if kind.computed:
        return _no_null(computed_hook)
    if kind.base == "nested":
        model = kind.model
        handler = conv.get_structure_hook(model)
        return _no_null(lambda value, _: handler(value, model))
    return _no_null(_LEAVES[kind.base])


def _field_hook(
    conv: cattrs.Converter, kind: FieldKind, vocab: Vocabulary | None, limits: Limits
) -> Hook:
    value = _value_hook(conv, kind, vocab)
    return _no_null(_sequence_hook(value, limits.items)) if kind.many else value


def _concept_code(value: Concept) -> str:
    return value.code


def _concept_codes(values: tuple[Concept, ...]) -> list[str]:
    return [c.code for c in values]


def _class_hooks(
    conv: cattrs.Converter,
    cls: type,
    vocabs: Mapping[str, Vocabulary],
    chosen: Mapping[str, str],
    limits: Limits,
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """Structure and unstructure functions for ``cls``; ``chosen`` binds chosen concepts."""
    s_over: dict[str, Any] = {}
    u_over: dict[str, Any] = {}
    for name, kind in _fields.kinds(cls):
        vocab = None
        if kind.base == "concept":
            vocab = vocabs[chosen[name] if kind.vocabulary is None else kind.vocabulary]
            u_over[name] = override(unstruct_hook=_concept_codes if kind.many else _concept_code)
        elif kind.base == "param":
            u_over[name] = override(unstruct_hook=_param_documents)
        s_over[name] = override(struct_hook=_field_hook(conv, kind, vocab, limits))
    structure: Callable[..., Any] = make_dict_structure_fn(
        cls, conv, _cattrs_forbid_extra_keys=True, _cattrs_detailed_validation=True, **s_over
    )
    unstructure: Callable[..., Any] = make_dict_unstructure_fn(
        cls, conv, _cattrs_omit_if_default=True, **u_over
    )
    return structure, unstructure


def _register(
    conv: cattrs.Converter, cls: type, vocabs: Mapping[str, Vocabulary], limits: Limits
) -> None:
    """Register ``cls``'s hooks; a concept chosen by a sibling picks its hook by the sibling."""
    picked = [(n, k.vocabulary_from) for n, k in _fields.kinds(cls) if k.vocabulary_from]
    if not picked:
        s, u = _class_hooks(conv, cls, vocabs, {}, limits)
        conv.register_structure_hook(cls, _mapping_guard(s))
        conv.register_unstructure_hook(cls, u)
        return
    ((name, sibling),) = picked  # one chosen concept per class is all the model has
    by_value: dict[object, Callable[..., Any]] = {}
    unstructures: list[Callable[..., Any]] = []
    for member, vocab in chosen_vocabularies(cls, name).items():
        s, u = _class_hooks(conv, cls, vocabs, {name: vocab}, limits)
        by_value[member.value] = s
        unstructures.append(u)  # the same for every binding: a concept is written as its code
    first = next(iter(by_value.values()))  # an unknown or missing choice: the first binding

    def structure(value: object, cls: object) -> Any:
        if type(value) is not dict:
            raise InvalidError("wrong_type", "expected an object")
        choice = value.get(sibling)
        # an enumeration's values are text: anything else (a list, unhashable) is refused
        # by the first binding's hook for the sibling, at the sibling's path
        return (by_value.get(choice, first) if type(choice) is str else first)(value, cls)

    conv.register_structure_hook(cls, structure)
    conv.register_unstructure_hook(cls, unstructures[0])


def make_converter(
    vocabularies: Iterable[Vocabulary] | Mapping[str, Vocabulary] | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
) -> cattrs.Converter:
    """A fresh converter for every model type, bound to the given vocabularies.

    ``vocabularies`` replaces core vocabularies by name (use
    :meth:`Vocabulary.extend` to add local codes and keep the name);
    ``limits.items`` bounds every list (``too_many``).
    """
    vocabs = _documents.vocabularies(vocabularies)
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(str, _str)
    conv.register_structure_hook(bool, _bool)
    conv.register_structure_hook(int, _int)
    conv.register_structure_hook(float, _float)
    conv.register_structure_hook(datetime, _datetime)
    conv.register_structure_hook(date, date_hook)
    conv.register_structure_hook(timedelta, duration_hook)
    conv.register_unstructure_hook(datetime, format_instant)
    conv.register_unstructure_hook(timedelta, duration_text)
    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_structure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, enum.Enum),
        lambda v, t: _enum_hook(t)(v, t),
    )

    def refuse_unbound(_v: object, _t: object) -> Concept:
        raise InvalidError("unbound_concept", "a concept needs a vocabulary binding")

    conv.register_structure_hook(Concept, refuse_unbound)
    for cls in MODELS:
        _register(conv, cls, vocabs, limits)
    return conv
