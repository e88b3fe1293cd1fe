"""The wire format: strict, lossless conversion between the model and JSON.

``make_converter()`` returns a fresh :class:`cattrs.Converter` that knows every
model type (there is no global converter). On the wire:

* instants are RFC 3339 text with an offset (written in UTC with ``Z``);
  text without an offset is refused;
* dates are ``YYYY-MM-DD``; enumerations are their values; concepts are their
  codes, resolved through the vocabulary the field is bound to;
* empty values (``None``, empty lists, defaults) are omitted, and ``null`` is
  never accepted: leave the key out instead;
* unknown keys are refused, and nothing is coerced (``"no"`` is not a
  boolean, ``3.9`` not an integer, ``"abc"`` not a list);
* a top-level document carries ``schema_version``; older versions are
  upgraded by the functions in :data:`UPGRADES`.

Every refusal is a :class:`~missingcare.exceptions.ValidationError` listing
all violations, each with its JSON path, and never the rejected value.

>>> from missingcare import ChildRef, CaseFile
>>> to_json(CaseFile(child=ChildRef("C-1")))
b'{"schema_version":1,"child":{"id":"C-1"}}'
>>> from_json(b'{"schema_version":1,"child":{"id":"C-1"}}', CaseFile).child.id
'C-1'
"""

from __future__ import annotations

import enum
import functools
import json
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from missingcare import _fields
from missingcare.case import CaseFile
from missingcare.children import ChildRef, PeriodOfCare, Placement
from missingcare.context import ContextEntry
from missingcare.conversations import (
    AgreedAction,
    ConversationOffer,
    ExploitationScreening,
    Interviewer,
    ResponseOnReturn,
    ReturnConversation,
)
from missingcare.episodes import (
    Located,
    MissingEpisode,
    Notification,
    PoliceReport,
    RiskGrading,
    SearchAction,
    StatusChange,
)
from missingcare.exceptions import ValidationError, Violation
from missingcare.factors import Factor, FactorDirection, UnmetNeed
from missingcare.relationships import AdultContact, TrustedAdult
from missingcare.time import format_instant, parse_instant
from missingcare.vocab import Concept, Vocabulary
from missingcare.vocabularies import CORE

if TYPE_CHECKING:
    from missingcare._fastwire import FastWire

__all__ = [
    "DOCUMENTS",
    "SCHEMA_VERSION",
    "UPGRADES",
    "from_dict",
    "from_json",
    "make_converter",
    "to_dict",
    "to_json",
]

T = TypeVar("T")

#: The wire-format version written on every top-level document.
SCHEMA_VERSION = 1

#: The top-level documents: the types that travel alone, with ``schema_version``.
DOCUMENTS: tuple[type, ...] = (
    CaseFile,
    MissingEpisode,
    ReturnConversation,
    ContextEntry,
    Factor,
    UnmetNeed,
    TrustedAdult,
    Placement,
)

#: Every model type the converter knows, each after the types it contains.
MODELS: tuple[type, ...] = (
    ChildRef,
    PeriodOfCare,
    Placement,
    StatusChange,
    RiskGrading,
    PoliceReport,
    SearchAction,
    Notification,
    Located,
    MissingEpisode,
    ConversationOffer,
    Interviewer,
    ExploitationScreening,
    ResponseOnReturn,
    AgreedAction,
    ReturnConversation,
    ContextEntry,
    Factor,
    UnmetNeed,
    AdultContact,
    TrustedAdult,
    CaseFile,
)

#: ``UPGRADES[n]`` turns a version-``n`` document (a dict) into version ``n + 1``.
UPGRADES: Mapping[int, Callable[[dict[str, Any]], dict[str, Any]]] = types.MappingProxyType({})


class _InvalidError(Exception):
    """A leaf refusal raised by a hook: a code and message, never the value."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


# --- leaf hooks ---------------------------------------------------------------


def _str(value: object, _: object) -> str:
    if type(value) is not str:
        raise _InvalidError("wrong_type", "expected a string")
    return value


def _bool(value: object, _: object) -> bool:
    if type(value) is not bool:
        raise _InvalidError("wrong_type", "expected true or false")
    return value


def _int(value: object, _: object) -> int:
    if type(value) is not int:
        raise _InvalidError("wrong_type", "expected a whole number")
    return value


def _float(value: object, _: object) -> float:
    if type(value) not in (int, float):
        raise _InvalidError("wrong_type", "expected a number")
    return float(value)  # type: ignore[arg-type]


def _datetime(value: object, _: object) -> datetime:
    try:
        return parse_instant(value)  # type: ignore[arg-type]
    except ValidationError as exc:
        v = exc.violations[0]
        raise _InvalidError(v.code, v.message) from None


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date(value: object, _: object) -> date:
    if type(value) is not str:
        raise _InvalidError("wrong_type", "expected a date string YYYY-MM-DD")
    if not _DATE.match(value):
        raise _InvalidError("invalid_date", "expected a date YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _InvalidError("invalid_date", "expected a real calendar date YYYY-MM-DD") from None


def _enum_hook(cls: type[enum.Enum]) -> Callable[[object, object], enum.Enum]:
    allowed = ", ".join(m.value for m in cls)
    table = {m.value: m for m in cls}

    def hook(value: object, _: object) -> enum.Enum:
        if type(value) is not str:
            raise _InvalidError("wrong_type", f"expected one of: {allowed}")
        try:
            return table[value]
        except KeyError:
            raise _InvalidError("unknown_code", f"expected one of: {allowed}") from None

    return hook


def _concept_hook(vocab: Vocabulary) -> Callable[[object, object], Concept]:
    index = vocab.by_code

    def hook(value: object, _: object) -> Concept:
        if type(value) is not str:
            raise _InvalidError("wrong_type", f"expected a code of the vocabulary {vocab.name!r}")
        try:
            return index[value]
        except KeyError:
            raise _InvalidError(
                "unknown_code", f"expected a code of the vocabulary {vocab.name!r}"
            ) from None

    return hook


def _sequence_hook(
    item: Callable[[object, object], Any],
) -> Callable[[object, object], tuple[Any, ...]]:
    def hook(value: object, _: object) -> tuple[Any, ...]:
        if not isinstance(value, (list, tuple)) or type(value) not in (list, tuple):
            raise _InvalidError("wrong_type", "expected a list")
        out: list[Any] = []
        errors: list[Exception] = []
        for i, elem in enumerate(value):
            try:
                out.append(item(elem, None))
            except Exception as exc:
                exc.__notes__ = [*getattr(exc, "__notes__", []), _IndexNote(i)]
                errors.append(exc)
        if errors:
            raise IterableValidationError("invalid items", errors, tuple)
        return tuple(out)

    return hook


class _IndexNote(str):
    """A note on an item's exception that records the item's index."""

    position: int

    def __new__(cls, index: int) -> _IndexNote:
        note = super().__new__(cls, f"item {index}")
        note.position = index
        return note


def _no_null(hook: Callable[[object, object], T]) -> Callable[[object, object], T]:
    def optional(value: object, _: object) -> T:
        if value is None:
            raise _InvalidError("null", "null is not accepted: leave the key out instead")
        return hook(value, _)

    return optional


# --- unstructure hooks ------------------------------------------------------------


def _concept_code(value: Concept) -> str:
    return value.code


def _concept_codes(values: tuple[Concept, ...]) -> list[str]:
    return [c.code for c in values]


# --- the converter ----------------------------------------------------------------


def _vocabularies(
    extra: Iterable[Vocabulary] | Mapping[str, Vocabulary] | None,
) -> dict[str, Vocabulary]:
    merged = dict(CORE)
    if extra is not None:
        values = extra.values() if isinstance(extra, Mapping) else extra
        for vocab in values:
            if not isinstance(vocab, Vocabulary):
                raise TypeError("vocabularies must be Vocabulary values")
            merged[vocab.name] = vocab
    return merged


def _field_hook(conv: cattrs.Converter, tp: Any) -> Callable[[object, object], Any]:
    """A structure hook for a field of type ``tp``; ``null`` is refused everywhere."""
    args = typing.get_args(tp)
    if type(None) in args:
        (inner,) = (a for a in args if a is not type(None))
        return _field_hook(conv, inner)
    if typing.get_origin(tp) is tuple:
        return _no_null(_sequence_hook(_field_hook(conv, args[0])))
    handler = conv.get_structure_hook(tp)
    return _no_null(lambda value, _: handler(value, tp))


def _concept_field_hook(tp: Any, vocab: Vocabulary) -> Callable[[object, object], Any]:
    if typing.get_origin(tp) is tuple:
        return _no_null(_sequence_hook(_no_null(_concept_hook(vocab))))
    return _no_null(_concept_hook(vocab))


def _class_hooks(
    conv: cattrs.Converter, cls: type, vocabs: Mapping[str, Vocabulary], bind: Mapping[str, str]
) -> tuple[Callable[..., Any], Callable[..., Any]]:
    hints = typing.get_type_hints(cls)
    s_over: dict[str, Any] = {}
    u_over: dict[str, Any] = {}
    for i, a in enumerate(attrs.fields(cls)):
        tp = hints[a.name]
        name = bind.get(a.name) or _fields.kinds(cls)[i][1].vocabulary
        if name is not None:
            s_over[a.name] = override(struct_hook=_concept_field_hook(tp, vocabs[name]))
            multi = typing.get_origin(tp) is tuple
            u_over[a.name] = override(unstruct_hook=_concept_codes if multi else _concept_code)
        else:
            s_over[a.name] = override(struct_hook=_field_hook(conv, tp))
    structure: Callable[..., Any] = make_dict_structure_fn(
        cls, conv, _cattrs_forbid_extra_keys=True, _cattrs_detailed_validation=True, **s_over
    )
    unstructure: Callable[..., Any] = make_dict_unstructure_fn(
        cls, conv, _cattrs_omit_if_default=True, **u_over
    )
    return structure, unstructure


def _mapping_guard(hook: Callable[[Any, Any], T]) -> Callable[[object, object], T]:
    def guarded(value: object, cls: object) -> T:
        if type(value) is not dict:
            raise _InvalidError("wrong_type", "expected an object")
        return hook(value, cls)

    return guarded


def make_converter(
    vocabularies: Iterable[Vocabulary] | Mapping[str, Vocabulary] | None = None,
) -> cattrs.Converter:
    """A fresh converter for every model type, bound to the given vocabularies.

    ``vocabularies`` replaces core vocabularies by name (use
    :meth:`Vocabulary.extend` to add local codes and keep the name).
    """
    vocabs = _vocabularies(vocabularies)
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(str, _str)
    conv.register_structure_hook(bool, _bool)
    conv.register_structure_hook(int, _int)
    conv.register_structure_hook(float, _float)
    conv.register_structure_hook(datetime, _datetime)
    conv.register_structure_hook(date, _date)
    conv.register_unstructure_hook(datetime, format_instant)
    conv.register_unstructure_hook(date, date.isoformat)
    conv.register_structure_hook_func(
        lambda t: isinstance(t, type) and issubclass(t, enum.Enum),
        lambda v, t: _enum_hook(t)(v, t),
    )

    def refuse_unbound(_v: object, _t: object) -> Concept:
        raise _InvalidError("unbound_concept", "a concept needs a vocabulary binding")

    conv.register_structure_hook(Concept, refuse_unbound)
    push_s, push_u = _class_hooks(
        conv, Factor, vocabs, {"concept": FactorDirection.PUSH.vocabulary}
    )
    pull_s, _ = _class_hooks(conv, Factor, vocabs, {"concept": FactorDirection.PULL.vocabulary})

    def factor(value: object, cls: object) -> Factor:
        if type(value) is not dict:
            raise _InvalidError("wrong_type", "expected an object")
        hook = pull_s if value.get("direction") == FactorDirection.PULL.value else push_s
        return hook(value, cls)  # type: ignore[no-any-return]

    for cls in MODELS:
        if cls is Factor:
            conv.register_structure_hook(Factor, factor)
            conv.register_unstructure_hook(Factor, push_u)
            continue
        s, u = _class_hooks(conv, cls, vocabs, {})
        conv.register_structure_hook(cls, _mapping_guard(s))
        conv.register_unstructure_hook(cls, u)
    return conv


@functools.lru_cache(maxsize=1)
def _default_converter() -> cattrs.Converter:
    return make_converter()


def _converter(conv: cattrs.Converter | None) -> cattrs.Converter:
    return _default_converter() if conv is None else conv


# --- error collection -------------------------------------------------------------


def _join(path: str, rel: str) -> str:
    """Join a JSON path with a relative one (``$.a`` + ``$.b[0]`` = ``$.a.b[0]``)."""
    return path + rel[1:]


def _violations(exc: BaseException, path: str) -> list[Violation]:
    if isinstance(exc, ForbiddenExtraKeysError):
        return [
            Violation(path, "unknown_key", "this object has a key the model does not know")
            for _ in exc.extra_fields
        ][:1]
    if isinstance(exc, (ClassValidationError, IterableValidationError)):
        found: list[Violation] = []
        for sub in exc.exceptions:
            found.extend(_violations(sub, _child_path(sub, path)))
        return found
    if isinstance(exc, ValidationError):
        return [Violation(_join(path, v.path), v.code, v.message) for v in exc.violations]
    if isinstance(exc, _InvalidError):
        return [Violation(path, exc.code, exc.message)]
    if isinstance(exc, KeyError):
        return [Violation(path, "required", "this field is required")]
    return [Violation(path, "invalid", "this value is not valid here")]


def _child_path(exc: BaseException, path: str) -> str:
    for note in getattr(exc, "__notes__", ()):
        if isinstance(note, _IndexNote):
            return f"{path}[{note.position}]"
        name = getattr(note, "name", None)
        if isinstance(name, str):
            return f"{path}.{name}"
    return path


# --- public functions ---------------------------------------------------------------


def _document_name(cls: type) -> str:
    if cls not in DOCUMENTS:
        raise TypeError(f"{cls.__name__} is not a top-level document type")
    return cls.__name__


def _upgrade(doc: dict[str, Any]) -> tuple[dict[str, Any] | None, list[Violation]]:
    version = doc.get("schema_version")
    if "schema_version" not in doc:
        return None, [Violation("$.schema_version", "required", "this field is required")]
    if type(version) is not int:
        return None, [Violation("$.schema_version", "wrong_type", "expected a whole number")]
    if not 1 <= version <= SCHEMA_VERSION:
        return None, [
            Violation(
                "$.schema_version",
                "unsupported_version",
                f"expected a schema version from 1 to {SCHEMA_VERSION}",
            )
        ]
    body = {k: v for k, v in doc.items() if k != "schema_version"}
    while version < SCHEMA_VERSION:
        body = UPGRADES[version](body)
        version += 1
    return body, []


def from_dict(document: object, cls: type[T], *, converter: cattrs.Converter | None = None) -> T:
    """Build a ``cls`` value from a JSON-ready document (with ``schema_version``).

    Raises :class:`~missingcare.exceptions.ValidationError` listing every
    violation; the error carries no part of the document and is raised with
    no chained exception.
    """
    _document_name(cls)
    conv = _converter(converter)
    problems: list[Violation]
    if type(document) is not dict:
        problems = [Violation("$", "wrong_type", "expected a JSON object")]
    else:
        body, problems = _upgrade(document)
        if body is not None:
            try:
                return conv.structure(body, cls)
            except Exception as exc:
                problems = _violations(exc, "$")
    raise ValidationError(problems)


def to_dict(value: object, *, converter: cattrs.Converter | None = None) -> dict[str, Any]:
    """The JSON-ready document of a top-level model value, with ``schema_version``."""
    _document_name(type(value))
    body = _converter(converter).unstructure(value)
    return {"schema_version": SCHEMA_VERSION, **body}


@functools.cache
def _fast_wire() -> FastWire:
    """The fast path, imported on first use (``_fastwire`` imports this module).

    Cached, so a call costs no import statement: an import inside ``to_json``
    ran the import machinery on every call, about 1 µs, a third of a dump.
    """
    from missingcare._fastwire import default_wire  # noqa: PLC0415 - import cycle

    return default_wire()


def to_json(value: object, *, converter: cattrs.Converter | None = None) -> bytes:
    """The UTF-8 JSON bytes of a top-level model value.

    Without a ``converter`` this takes the msgspec-backed fast path, which
    writes the same bytes (the test suite checks it).
    """
    if converter is None:
        return _fast_wire().dump(value)
    return json.dumps(
        to_dict(value, converter=converter), ensure_ascii=False, separators=(",", ":")
    ).encode()


def from_json(data: bytes | str, cls: type[T], *, converter: cattrs.Converter | None = None) -> T:
    """Read a top-level model value from JSON text or UTF-8 bytes.

    Without a ``converter`` this takes the msgspec-backed fast path, which
    builds the same values and, for invalid input, falls back to the
    converter so the error lists every violation exactly as it would.
    """
    if converter is None:
        return _fast_wire().load(data, cls)
    problems: list[Violation] = []
    try:
        document = json.loads(data)
    except (ValueError, TypeError, RecursionError):
        problems = [Violation("$", "invalid_json", "expected UTF-8 JSON text")]
    if problems:
        raise ValidationError(problems)
    return from_dict(document, cls, converter=converter)
