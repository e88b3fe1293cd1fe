"""Field builders shared by the model classes (private).

Each builder returns an ``attrs.field`` (or its keyword arguments) and records
the field's :class:`FieldKind` in its metadata: what the field holds (text,
an id, an instant, a date, a flag, a time zone, a concept of a vocabulary, a
member of an enumeration, a nested model value, or a tuple of one of these),
whether it may be absent, and its label and help text. The kind is the one
source every other layer derives from: the attrs validator and converter
here (:func:`rule_parts`), the cattrs hooks and the msgspec fast path in
:mod:`missingcare.converters`, the JSON Schema and form metadata in
:mod:`missingcare.adapters.jsonschema`, and the Arrow columns in
:mod:`missingcare.research`. :func:`kinds` lists a model class's fields with
their kinds. Every error names the field and never the value.

>>> from missingcare.episodes import StatusChange
>>> [(name, k.base) for name, k in kinds(StatusChange)]
[('at', 'instant'), ('status', 'concept'), ('recorded', 'nested')]
>>> kinds(StatusChange)[1][1].vocabulary
'episode_statuses'
"""

from __future__ import annotations

import enum
import functools
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Literal, TypeVar

import attrs

from missingcare.exceptions import ValidationError, Violation
from missingcare.time import check_date, check_zone, computed_instant, instant
from missingcare.vocab import Concept

T = TypeVar("T")
E = TypeVar("E", bound=enum.Enum)

#: The metadata key under which every model field records its :class:`FieldKind`.
KIND = "missingcare.kind"

MAX_TEXT = 10_000

#: Finds a lone surrogate code point (U+D800 to U+DFFF) in a text: such text is
#: not valid Unicode, cannot be written as UTF-8 and is refused as
#: ``invalid_text`` wherever text enters (I-JSON, RFC 7493). The one test the
#: attrs validators, the generated guards and the wire share.
SURROGATE = re.compile("[\ud800-\udfff]").search

#: What one value of a field is (for a tuple field: what each item is).
Base = Literal[
    "text",
    "id",
    "zone",
    "instant",
    "date",
    "duration",
    "flag",
    "concept",
    "choice",
    "nested",
    "param",
]

#: The longest duration a field accepts (a year); durations are positive whole seconds.
MAX_DURATION = timedelta(days=366)

#: The bases whose values are text that must not be blank and at most ``MAX_TEXT`` long.
TEXTUAL: frozenset[str] = frozenset(("text", "id"))


@attrs.frozen
class FieldKind:
    """What a model field holds, recorded by its builder: the one source of its rules.

    * ``base``: what one value is — ``text`` (free text), ``id`` (an opaque
      identifier from the embedding system; a text), ``zone`` (an IANA zone
      name), ``instant`` (an aware UTC ``datetime``), ``date``, ``duration``
      (a positive ``timedelta`` of whole seconds, at most :data:`MAX_DURATION`), ``flag``
      (``True``/``False``), ``concept`` (a :class:`~missingcare.vocab.Concept`
      of a vocabulary), ``choice`` (a member of the enumeration ``choices``)
      ``nested`` (a value of the model class ``model``) or ``param`` (a named
      message parameter of a finding: a ``(name, value)`` pair whose value is
      one of :data:`PARAM_TYPES`);
    * ``many``: the field is a tuple of such values (empty by default, never
      ``None``); ``unique``: no item twice (checked by the field's validator);
      ``non_empty``: at least one item (checked by the class's invariants);
    * ``optional``: the value may be ``None`` (the default);
    * ``vocabulary``: a concept's vocabulary by name; or ``vocabulary_from``,
      the name of a sibling ``choice`` field whose member's ``vocabulary``
      attribute names it (a factor's concept, by its direction);
    * ``computed``: for an instant, that the library computes it (a finding's
      due instant), so it is taken in :func:`~missingcare.time.computed_instant`'s
      range (a deadline may fall after the accepted range ends);
    * ``ordered_by``: for a tuple of nested values, the name of the items'
      attribute they are kept sorted by (an evaluation's findings, by their
      ``sort_key``);
    * ``pattern``: for an id, a regular expression the whole text must match
      (``help`` then says, in words, what it is);
    * ``label`` and ``help``: the field's name and question for a form.

    Whether the field is required (no default) is attrs' own ``default``.
    """

    base: Base
    label: str
    help: str
    many: bool = False
    optional: bool = False
    vocabulary: str | None = None
    vocabulary_from: str | None = None
    choices: type[enum.Enum] | None = None
    model: type | None = None
    unique: bool = False
    non_empty: bool = False
    pattern: str | None = None
    computed: bool = False
    ordered_by: str | None = None

    @property
    def item_type(self) -> Any:
        """The Python type of one value (of each item, for a tuple field)."""
        if self.choices is not None:
            return self.choices
        if self.model is not None:
            return self.model
        return _ITEM_TYPES[self.base]

    @property
    def rule(self) -> tuple[Any, ...]:
        """What decides the field's validator and converter (label and help do not)."""
        return (
            self.base,
            self.many,
            self.optional,
            self.choices,
            self.model,
            self.unique,
            self.pattern,
            self.help if self.pattern else None,
            self.computed,
            self.ordered_by,
        )


#: The types a finding's message parameter may take.
ParamValue = str | int | bool | datetime | timedelta

_ITEM_TYPES: dict[str, Any] = {
    "text": str,
    "id": str,
    "zone": str,
    "instant": datetime,
    "date": date,
    "duration": timedelta,
    "flag": bool,
    "concept": Concept,
    "param": tuple[str, ParamValue],
}

#: What a message parameter's value may be, by the key that holds it on the wire
#: (``{"name": "due", "instant": "2026-10-27T21:00:00Z"}``); ``bool`` before
#: ``int``, as a ``bool`` is an ``int`` too. The keys are the field kinds' bases
#: of the same values, and ``number`` for a whole number.
PARAM_TYPES: tuple[tuple[str, type], ...] = (
    ("flag", bool),
    ("number", int),
    ("text", str),
    ("instant", datetime),
    ("duration", timedelta),
)


def param_key(value: object) -> str:
    """The wire key of a message parameter's value (:data:`PARAM_TYPES`).

    >>> param_key(True), param_key(3), param_key("x")
    ('flag', 'number', 'text')
    """
    for key, tp in PARAM_TYPES:
        if isinstance(value, tp):
            return key
    raise TypeError("a message parameter is str, int, bool, datetime or timedelta")


def kind_of(field: attrs.Attribute[Any]) -> FieldKind | None:
    """The kind a builder recorded on ``field``, or ``None`` for a field built by hand."""
    found = field.metadata.get(KIND)
    return found if isinstance(found, FieldKind) else None


@functools.cache
def kinds(cls: type) -> tuple[tuple[str, FieldKind], ...]:
    """``(name, kind)`` for every field of the model class ``cls``, in declaration order.

    Raises :class:`TypeError` naming a field that has no kind (every model
    field is made by a builder of this module).
    """
    out = []
    for a in attrs.fields(cls):
        kind = kind_of(a)
        if kind is None:
            raise TypeError(f"{cls.__name__}.{a.name} has no field kind")
        out.append((a.name, kind))
    return tuple(out)


def is_plain(field: attrs.Attribute[Any]) -> bool:
    """Whether ``field``'s validator and converter are exactly those its kind makes.

    A fast path may stand in for them only then: a field given a validator
    of its own as well is left to the class.
    """
    kind = kind_of(field)
    if kind is None:
        return False
    validator, converter = rule_parts(kind.rule)
    return field.validator is validator and field.converter is converter


def _wrong(field: attrs.Attribute[Any], code: str, message: str) -> ValidationError:
    return ValidationError.single(f"$.{field.name}", code, message)


# --- validators and converters, one per base -------------------------------------

Check = Callable[[object, "attrs.Attribute[Any]", Any], None]


def _text_validator(inst: object, field: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not str:
        raise _wrong(field, "wrong_type", "expected text")
    if not value.strip():
        raise _wrong(field, "empty", "expected non-empty text")
    if len(value) > MAX_TEXT:
        raise _wrong(field, "too_long", f"expected at most {MAX_TEXT} characters")
    if not value.isascii() and SURROGATE(value):
        raise _wrong(field, "invalid_text", "expected valid Unicode text (no lone surrogates)")


def _zone_validator(_inst: object, field: attrs.Attribute[Any], value: str) -> None:
    check_zone(value, f"$.{field.name}")


def _bool_validator(inst: object, field: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not bool:
        raise _wrong(field, "wrong_type", "expected true or false")


def _date_validator(inst: object, field: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not date:
        raise _wrong(field, "wrong_type", "expected a calendar date")
    check_date(value, f"$.{field.name}")


def _duration_validator(inst: object, field: attrs.Attribute[Any], value: object) -> None:
    if type(value) is not timedelta:
        raise _wrong(field, "wrong_type", "expected a duration")
    if value <= timedelta(0) or value > MAX_DURATION or value.microseconds:
        raise _wrong(
            field, "out_of_range", "expected a positive whole number of seconds, at most a year"
        )


def _concept_validator(inst: object, field: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Concept):
        raise _wrong(field, "wrong_type", "expected a vocabulary concept")


@functools.cache
def _enum_validator(cls: type[enum.Enum]) -> Check:
    def check(inst: object, field: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, cls):
            raise _wrong(field, "wrong_type", f"expected one of {', '.join(m.value for m in cls)}")

    return check


def _pattern_validator(pattern: str, described: str) -> Check:
    whole = re.compile(pattern).fullmatch

    def check(inst: object, field: attrs.Attribute[Any], value: object) -> None:
        _text_validator(inst, field, value)
        if whole(str(value)) is None:
            raise _wrong(field, "invalid_code", f"expected {described}")

    return check


def _optional(check: Check) -> Check:
    def optional(inst: object, field: attrs.Attribute[Any], value: object) -> None:
        if value is not None:
            check(inst, field, value)

    return optional


def _no_repeats(inst: object, field: attrs.Attribute[Any], value: tuple[Any, ...]) -> None:
    if len(set(value)) != len(value):
        raise _wrong(field, "repeated", "expected each item at most once")


def _instant_converter(value: Any, _self: object, field: attrs.Attribute[Any]) -> datetime:
    return instant(value, f"$.{field.name}")


def _optional_instant_converter(
    value: Any, _self: object, field: attrs.Attribute[Any]
) -> datetime | None:
    return None if value is None else instant(value, f"$.{field.name}")


class _WrongTypeError(ValidationError, TypeError):
    """A tuple field given one text, a mapping, a non-iterable or an item of another
    type: a type error too."""


def _tuple_converter(item_type: type, ordered_by: str | None = None) -> attrs.Converter[Any, Any]:
    key = None if ordered_by is None else operator.attrgetter(ordered_by)

    def convert(value: Any, _self: object, field: attrs.Attribute[Any]) -> tuple[Any, ...]:
        if isinstance(value, (str, bytes, dict)) or not isinstance(value, Iterable):
            raise _WrongTypeError(
                (Violation(f"$.{field.name}", "wrong_type", "expected a sequence"),)
            )
        out = tuple(value)
        for i, item in enumerate(out):
            if not isinstance(item, item_type) or (
                isinstance(item, bool) and item_type is not bool
            ):
                raise _WrongTypeError.single(
                    f"$.{field.name}[{i}]", "wrong_type", "expected an item of the right kind"
                )
            if type(item) is str and not item.isascii() and SURROGATE(item):
                raise ValidationError.single(
                    f"$.{field.name}[{i}]",
                    "invalid_text",
                    "expected valid Unicode text (no lone surrogates)",
                )
            if type(item) is str and not item.strip():
                # an id in a tuple is never blank, as the wire and the JSON Schema hold it
                raise ValidationError.single(
                    f"$.{field.name}[{i}]", "empty", "expected non-empty text"
                )
        if key is None or in_order(ordered_by)(out):
            return out
        return tuple(sorted(out, key=key))

    return attrs.Converter(convert, takes_self=True, takes_field=True)


@functools.cache
def in_order(attribute: str) -> Callable[[tuple[Any, ...]], bool]:
    """Whether a tuple's items are already sorted by their ``attribute``, as an
    ``ordered_by`` field keeps them (sorting would then give the same items, in order)."""
    key = operator.attrgetter(attribute)

    def check(items: tuple[Any, ...]) -> bool:
        keys = [key(item) for item in items]
        return all(not keys[i] < keys[i - 1] for i in range(1, len(keys)))

    return check


_VALIDATOR_OF_BASE: dict[str, Check] = {
    "text": _text_validator,
    "id": _text_validator,
    "zone": _zone_validator,
    "flag": _bool_validator,
    "date": _date_validator,
    "duration": _duration_validator,
    "concept": _concept_validator,
}


def _optional_computed_converter(
    value: Any, _self: object, field: attrs.Attribute[Any]
) -> datetime | None:
    return None if value is None else computed_instant(value, f"$.{field.name}")


_OPTIONAL_COMPUTED = attrs.Converter(
    _optional_computed_converter, takes_self=True, takes_field=True
)
_INSTANT = attrs.Converter(_instant_converter, takes_self=True, takes_field=True)
_OPTIONAL_INSTANT = attrs.Converter(_optional_instant_converter, takes_self=True, takes_field=True)


@functools.cache
def rule_parts(rule: tuple[Any, ...]) -> tuple[Any, Any]:
    """The attrs ``(validator, converter)`` of fields whose kind has this :attr:`~FieldKind.rule`.

    Made once per rule: two fields of the same rule share the same objects,
    which is how :func:`is_plain` knows a field has nothing added.
    """
    base, many, optional, choices, model, unique, pattern, described, computed, ordered = rule
    if base == "param":
        return None, to_params
    if pattern is not None:
        assert base == "id", "a pattern is for an id"
        assert not many, "a pattern is for one id"
        assert not optional, "a pattern is for a required id"
        return _pattern_validator(pattern, described), None
    if many:
        item = choices or model or _ITEM_TYPES[base]
        return (_no_repeats if unique else None), _tuple_converter(item, ordered)
    if base == "instant" and computed:
        assert optional, "a computed instant is optional"
        return None, _OPTIONAL_COMPUTED
    if base == "instant":
        return None, _OPTIONAL_INSTANT if optional else _INSTANT
    if base == "choice":
        check = _enum_validator(choices)
    elif base == "nested":
        check = attrs.validators.instance_of(model)
    else:
        check = _VALIDATOR_OF_BASE[base]
    return (_optional(check) if optional else check), None


def to_params(
    value: Mapping[str, ParamValue] | Iterable[tuple[str, ParamValue]],
) -> tuple[tuple[str, ParamValue], ...]:
    """Message parameters as ``(name, value)`` pairs sorted by name, each name once: the
    converter of every ``param`` field (a field names it, so that type checkers see the
    mapping it takes; :func:`is_plain` checks it is this one)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError("message parameters are a mapping or (name, value) pairs")
    items = value.items() if isinstance(value, Mapping) else value
    pairs = [(str(k), v) for k, v in items]
    out = tuple(sorted(pairs, key=lambda kv: kv[0]))
    for key, v in out:
        param_key(v)
        if not key.isascii() and SURROGATE(key):
            raise ValueError("a message parameter's name is not valid Unicode")
        if type(v) is str and not v.isascii() and SURROGATE(v):
            raise ValueError("a message parameter's text is not valid Unicode")
    if len({k for k, _ in out}) != len(out):
        raise ValueError("message parameter names must be unique")
    if type(value) is tuple and all(
        type(given) is tuple and given == pair and given[1] is pair[1] and type(given[0]) is str
        for given, pair in zip(value, out, strict=True)
    ):
        return value  # already pairs, in order: kept as given
    return out


def _required(kind: FieldKind) -> dict[str, Any]:
    validator, converter = rule_parts(kind.rule)
    return {"validator": validator, "converter": converter, "metadata": {KIND: kind}}


def _defaulted(kind: FieldKind, default: Any) -> Any:
    return attrs.field(default=default, **_required(kind))


# --- field builders -------------------------------------------------------------
# Required builders return ``attrs.field`` keyword arguments, used as
# ``attrs.field(**ident(...))`` so type checkers see a field with no default;
# the others return the field itself.


def ident(label: str, help: str) -> dict[str, Any]:
    """A required identifier (opaque text from the embedding system)."""
    return _required(FieldKind("id", label, help))


def code(pattern: str, label: str, help: str) -> dict[str, Any]:
    """A required identifier that matches ``pattern`` in full; ``help`` says what it is
    (the error says "expected <help>")."""
    return _required(FieldKind("id", label, help, pattern=pattern))


def optional_ident(label: str, help: str) -> Any:
    """An optional identifier; absent is ``None``."""
    return _defaulted(FieldKind("id", label, help, optional=True), None)


def text(label: str, help: str) -> dict[str, Any]:
    """Required free text."""
    return _required(FieldKind("text", label, help))


def optional_text(label: str, help: str) -> Any:
    """Optional free text; absent is ``None``, never the empty string."""
    return _defaulted(FieldKind("text", label, help, optional=True), None)


def zone(label: str, help: str) -> dict[str, Any]:
    """A required IANA time zone name, from the pinned zone database."""
    return _required(FieldKind("zone", label, help))


def optional_zone(label: str, help: str) -> Any:
    """An optional IANA time zone name; absent is ``None``."""
    return _defaulted(FieldKind("zone", label, help, optional=True), None)


def flag(label: str, help: str, default: bool = False) -> Any:
    """A required-or-defaulted boolean; only ``True`` or ``False``."""
    return _defaulted(FieldKind("flag", label, help), default)


def optional_flag(label: str, help: str) -> Any:
    """A boolean that may be unknown (``None``)."""
    return _defaulted(FieldKind("flag", label, help, optional=True), None)


def at(label: str, help: str) -> dict[str, Any]:
    """A required instant, normalised to UTC; naive datetimes are refused."""
    return _required(FieldKind("instant", label, help))


def optional_at(label: str, help: str) -> Any:
    """An optional instant, normalised to UTC."""
    return _defaulted(FieldKind("instant", label, help, optional=True), None)


def computed_at(label: str, help: str) -> Any:
    """An optional instant the library computes (a deadline), normalised to UTC."""
    return _defaulted(FieldKind("instant", label, help, optional=True, computed=True), None)


def day(label: str, help: str) -> dict[str, Any]:
    """A required calendar date."""
    return _required(FieldKind("date", label, help))


def optional_day(label: str, help: str) -> Any:
    """An optional calendar date."""
    return _defaulted(FieldKind("date", label, help, optional=True), None)


def duration(label: str, help: str) -> dict[str, Any]:
    """A required duration (a positive ``timedelta``; ISO 8601 such as ``PT15M`` on the wire)."""
    return _required(FieldKind("duration", label, help))


def optional_duration(label: str, help: str) -> Any:
    """An optional duration."""
    return _defaulted(FieldKind("duration", label, help, optional=True), None)


def concept(vocabulary: str, label: str, help: str) -> dict[str, Any]:
    """A required concept from the named vocabulary."""
    return _required(FieldKind("concept", label, help, vocabulary=vocabulary))


def concept_chosen_by(field: str, label: str, help: str) -> dict[str, Any]:
    """A required concept whose vocabulary the sibling choice ``field`` names.

    The sibling's enumeration members have a ``vocabulary`` attribute giving
    the vocabulary's name (a factor's concept is a push or a pull factor by
    its ``direction``).
    """
    return _required(FieldKind("concept", label, help, vocabulary_from=field))


def optional_concept(vocabulary: str, label: str, help: str) -> Any:
    """An optional concept from the named vocabulary."""
    return _defaulted(FieldKind("concept", label, help, optional=True, vocabulary=vocabulary), None)


def concepts(vocabulary: str, label: str, help: str) -> Any:
    """A tuple of concepts from the named vocabulary (empty by default, no repeats)."""
    kind = FieldKind("concept", label, help, many=True, vocabulary=vocabulary, unique=True)
    return _defaulted(kind, ())


def many(
    item_type: type,
    label: str,
    help: str,
    *,
    non_empty: bool = False,
    unique: bool = False,
    ordered_by: str | None = None,
) -> Any:
    """A tuple of values of ``item_type`` (empty by default).

    ``item_type`` is ``str`` (ids), an enumeration (choices) or a model class
    (nested values); for concepts use :func:`concepts`. ``non_empty`` records
    that the class's invariants require at least one item.
    """
    more: dict[str, Any] = {"many": True, "non_empty": non_empty, "unique": unique}
    if item_type is str:
        kind = FieldKind("id", label, help, **more)
    elif isinstance(item_type, type) and issubclass(item_type, enum.Enum):
        kind = FieldKind("choice", label, help, choices=item_type, **more)
    elif attrs.has(item_type):
        kind = FieldKind("nested", label, help, model=item_type, ordered_by=ordered_by, **more)
    else:
        raise TypeError(f"no field kind for a tuple of {item_type!r}")
    return _defaulted(kind, ())


def choice(cls: type[E], label: str, help: str) -> dict[str, Any]:
    """A required member of a closed enumeration."""
    return _required(FieldKind("choice", label, help, choices=cls))


def optional_choice(cls: type[E], label: str, help: str) -> Any:
    """An optional member of a closed enumeration."""
    return _defaulted(FieldKind("choice", label, help, optional=True, choices=cls), None)


def nested(cls: type, label: str, help: str) -> dict[str, Any]:
    """A required nested model value."""
    return _required(FieldKind("nested", label, help, model=cls))


def optional_nested(cls: type, label: str, help: str) -> Any:
    """An optional nested model value."""
    return _defaulted(FieldKind("nested", label, help, optional=True, model=cls), None)


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
