"""Field builders shared by the model classes (private).

Each builder returns an ``attrs.field`` whose validator or converter enforces
the model's rules when a value is built in Python, and whose metadata tells
the converter and the schema what the field means (its vocabulary binding,
label and help text). Every error names the field and never the value.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

import attrs

from missingcare.exceptions import ValidationError, Violation
from missingcare.time import instant
from missingcare.vocab import Concept

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)

#: metadata keys
VOCAB = "missingcare.vocabulary"
LABEL = "missingcare.label"
HELP = "missingcare.help"

MAX_TEXT = 10_000


def _wrong(field: attrs.Attribute[Any], code: str, message: str) -> ValidationError:
    return ValidationError.single(f"$.{field.name}", code, message)


def meta(label: str, help: str, vocabulary: str | None = None) -> dict[str, str]:
    meta = {LABEL: label, HELP: help}
    if vocabulary is not None:
        meta[VOCAB] = vocabulary
    return meta


# --- validators -------------------------------------------------------------


def _text_validator(inst: object, field: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not str:
        raise _wrong(field, "wrong_type", "expected text")
    if not value.strip():
        raise _wrong(field, "empty", "expected non-empty text")
    if len(value) > MAX_TEXT:
        raise _wrong(field, "too_long", f"expected at most {MAX_TEXT} characters")


def _optional_text_validator(inst: object, field: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _text_validator(inst, field, value)


def _bool_validator(inst: object, field: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not bool:
        raise _wrong(field, "wrong_type", "expected true or false")


def _optional_bool_validator(inst: object, field: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _bool_validator(inst, field, value)


def _date_validator(inst: object, field: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not date:
        raise _wrong(field, "wrong_type", "expected a calendar date")


def _optional_date_validator(inst: object, field: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _date_validator(inst, field, value)


def _concept_validator(inst: object, field: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Concept):
        raise _wrong(field, "wrong_type", "expected a vocabulary concept")


def _optional_concept_validator(inst: object, field: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _concept_validator(inst, field, value)


# --- converters ---------------------------------------------------------------


def _instant_converter(value: Any, _self: object, field: attrs.Attribute[Any]) -> datetime:
    return instant(value, f"$.{field.name}")


def _optional_instant_converter(
    value: Any, _self: object, field: attrs.Attribute[Any]
) -> datetime | None:
    return None if value is None else instant(value, f"$.{field.name}")


def _tuple_converter(item_type: type | tuple[type, ...]) -> attrs.Converter[Any, Any]:
    def convert(value: Any, _self: object, field: attrs.Attribute[Any]) -> tuple[Any, ...]:
        if isinstance(value, (str, bytes, dict)) or not isinstance(value, Iterable):
            raise _wrong(field, "wrong_type", "expected a sequence")
        out = tuple(value)
        for i, item in enumerate(out):
            if not isinstance(item, item_type) or (
                isinstance(item, bool) and item_type is not bool
            ):
                raise ValidationError.single(
                    f"$.{field.name}[{i}]", "wrong_type", "expected an item of the right kind"
                )
        return out

    return attrs.Converter(convert, takes_self=True, takes_field=True)


def _enum_validator(cls: type[E]) -> Callable[[object, attrs.Attribute[Any], object], None]:
    def check(inst: object, field: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, cls):
            raise _wrong(field, "wrong_type", f"expected one of {', '.join(m.value for m in cls)}")

    return check


# --- field builders -------------------------------------------------------------


def ident(label: str, help: str) -> dict[str, Any]:
    """A required identifier (opaque text from the embedding system).

    Required builders return ``attrs.field`` keyword arguments, used as
    ``attrs.field(**ident(...))`` so type checkers see a field with no default.
    """
    return {"validator": _text_validator, "metadata": meta(label, help)}


def text(label: str, help: str) -> dict[str, Any]:
    """Required free text."""
    return {"validator": _text_validator, "metadata": meta(label, help)}


def optional_text(label: str, help: str) -> Any:
    """Optional free text; absent is ``None``, never the empty string."""
    return attrs.field(default=None, validator=_optional_text_validator, metadata=meta(label, help))


def flag(label: str, help: str, default: bool = False) -> Any:
    """A required-or-defaulted boolean; only ``True`` or ``False``."""
    return attrs.field(default=default, validator=_bool_validator, metadata=meta(label, help))


def optional_flag(label: str, help: str) -> Any:
    """A boolean that may be unknown (``None``)."""
    return attrs.field(default=None, validator=_optional_bool_validator, metadata=meta(label, help))


def at(label: str, help: str) -> dict[str, Any]:
    """A required instant, normalised to UTC; naive datetimes are refused."""
    return {
        "converter": attrs.Converter(_instant_converter, takes_self=True, takes_field=True),
        "metadata": meta(label, help),
    }


def optional_at(label: str, help: str) -> Any:
    """An optional instant, normalised to UTC."""
    return attrs.field(
        default=None,
        converter=attrs.Converter(_optional_instant_converter, takes_self=True, takes_field=True),
        metadata=meta(label, help),
    )


def day(label: str, help: str) -> dict[str, Any]:
    """A required calendar date."""
    return {"validator": _date_validator, "metadata": meta(label, help)}


def optional_day(label: str, help: str) -> Any:
    """An optional calendar date."""
    return attrs.field(default=None, validator=_optional_date_validator, metadata=meta(label, help))


def concept(vocabulary: str, label: str, help: str) -> dict[str, Any]:
    """A required concept from the named vocabulary."""
    return {"validator": _concept_validator, "metadata": meta(label, help, vocabulary)}


def optional_concept(vocabulary: str, label: str, help: str) -> Any:
    """An optional concept from the named vocabulary."""
    return attrs.field(
        default=None, validator=_optional_concept_validator, metadata=meta(label, help, vocabulary)
    )


def concepts(vocabulary: str, label: str, help: str) -> Any:
    """A tuple of concepts from the named vocabulary (empty by default, no repeats)."""
    return attrs.field(
        default=(),
        converter=_tuple_converter(Concept),
        validator=_no_repeats,
        metadata=meta(label, help, vocabulary),
    )


def many(item_type: type | tuple[type, ...], label: str, help: str) -> Any:
    """A tuple of values of ``item_type`` (empty by default)."""
    return attrs.field(
        default=(), converter=_tuple_converter(item_type), metadata=meta(label, help)
    )


def choice(cls: type[E], label: str, help: str) -> dict[str, Any]:
    """A required member of a closed enumeration."""
    return {"validator": _enum_validator(cls), "metadata": meta(label, help)}


def optional_choice(cls: type[E], label: str, help: str) -> Any:
    """An optional member of a closed enumeration."""
    check = _enum_validator(cls)

    def optional(inst: object, field: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            check(inst, field, value)

    return attrs.field(default=None, validator=optional, metadata=meta(label, help))


def nested(cls: type, label: str, help: str) -> dict[str, Any]:
    """A required nested model value."""
    return {"validator": attrs.validators.instance_of(cls), "metadata": meta(label, help)}


def optional_nested(cls: type, label: str, help: str) -> Any:
    """An optional nested model value."""
    return attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.instance_of(cls)),
        metadata=meta(label, help),
    )


def _no_repeats(inst: object, field: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
    if len(set(value)) != len(value):
        raise _wrong(field, "repeated", "expected each item at most once")


# --- invariants -----------------------------------------------------------------


class Problems:
    """Collects cross-field violations so one error reports all of them."""

    __slots__ = ("_found",)

    def __init__(self) -> None:
        self._found: list[tuple[str, str, str]] = []

    def add(self, path: str, code: str, message: str) -> None:
        self._found.append((path, code, message))

    def raise_if_any(self) -> None:
        if self._found:
            raise ValidationError(Violation(p, c, m) for p, c, m in self._found)


def not_before(
    problems: Problems, later: datetime | None, earlier: datetime | None, path: str, message: str
) -> None:
    """Record a violation at ``path`` if ``later`` is before ``earlier`` (both known)."""
    if later is not None and earlier is not None and later < earlier:
        problems.add(path, "out_of_order", message)


def in_time_order(items: Sequence[Any]) -> bool:
    """Whether the items' ``at`` instants never go backwards (equal ones allowed)."""
    # a loop, not all() over a generator: no generator frame on the construction path
    for i in range(1, len(items)):  # noqa: SIM110
        if items[i].at < items[i - 1].at:
            return False
    return True


def unique_ids(problems: Problems, items: Iterable[Any], path: str) -> None:
    """Record a violation for each item whose ``id`` repeats an earlier one."""
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item.id in seen:
            problems.add(f"{path}[{i}].id", "duplicate_id", "expected ids unique in this list")
        seen.add(item.id)


#: The validator of a required concept field, for fields built by hand.
CONCEPT = _concept_validator
