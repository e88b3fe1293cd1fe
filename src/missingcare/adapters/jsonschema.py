"""JSON Schema (draft 2020-12) and field metadata for the top-level documents.

missingcare knows no form: vendors and local authorities keep their own
screens. This module tells their tools what to ask, how to label it and how to
check it, in a form those tools already read. :func:`json_schema` describes
the wire format that :mod:`missingcare.converters` reads and writes, and
:func:`field_metadata` lists each field's label, help text (the question a
practitioner would ask), vocabulary, whether it is required and which rules
use it.

The schema and the converter agree: every document :func:`~missingcare.converters.to_dict`
writes validates, and a document the schema refuses the converter refuses
too. The converter checks more than a schema can say; the invariants the
schema leaves to it are listed in :data:`CONVERTER_ONLY` (time order, ids
unique within a list, references between records, zone of an episode equal
to its placement's). A form that validates against the schema must still be
read with :func:`~missingcare.converters.from_dict`, which is the authority.

Choices a builder should know:

* a vocabulary is a ``$defs`` entry whose ``oneOf`` lists one
  ``{"const": code, "title": display, "description": definition}`` per
  concept: the form that react-jsonschema-form and JSON Forms read as a
  labelled drop-down, and that any validator checks as an enumeration;
  closed enumerations (``PlacementKind``…) take the same form;
* instants are ``"format": "date-time"`` *and* a ``pattern`` that requires an
  offset, so a validator that treats formats as annotations (the draft
  2020-12 default) still refuses a local time without one; day-of-month
  validity (30 February) needs format assertion switched on;
* a ``Factor``'s concept is bound by its ``direction``: ``if``/``then``/
  ``else`` picks the push or pull vocabulary, as the converter does;
* cross-field rules JSON Schema can say are said (``dependentRequired``: a
  return needs an end; ``if``/``then``: a declined conversation was not held).

```pycon
>>> schema = json_schema(MissingEpisode)
>>> schema["$schema"]
'https://json-schema.org/draft/2020-12/schema'
>>> schema["properties"]["last_seen_at"]["title"]
'Last seen'
>>> "last_seen_at" in schema["required"]
True

```
"""

from __future__ import annotations

import enum
import functools
import importlib.resources
import types
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from missingcare import _fields
from missingcare._fields import FieldKind
from missingcare.conversations import ReturnConversation
from missingcare.converters import DOCUMENTS, SCHEMA_VERSION
from missingcare.converters._documents import SAME_BODY, chosen_vocabularies
from missingcare.converters._documents import vocabularies as merged_vocabularies
from missingcare.episodes import MissingEpisode
from missingcare.exceptions import InvalidZoneError
from missingcare.relationships import TrustedAdult
from missingcare.time import check_zone
from missingcare.vocab import Vocabulary

__all__ = [
    "CONVERTER_ONLY",
    "DATE_PATTERN",
    "DIALECT",
    "INSTANT_PATTERN",
    "TEXT_PATTERN",
    "FieldMetadata",
    "document_type",
    "field_metadata",
    "json_schema",
]

#: The JSON Schema dialect of every schema this module writes.
DIALECT = "https://json-schema.org/draft/2020-12/schema"

_BASE = "https://missingcare.invalid/schema"

#: An RFC 3339 instant with an offset, as the converter reads it (no leap second).
INSTANT_PATTERN = (
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]"
    r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?"
    r"([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)

#: A calendar date ``YYYY-MM-DD``.
DATE_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"

#: An ISO 8601 duration in days, hours, minutes and seconds (``PT15M``, ``P2D``, ``PT900S``).
DURATION_PATTERN = (
    r"^P(?=[0-9]|T[0-9])([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]+)?S)?)?$"
)

#: Text with at least one character that is not white space.
TEXT_PATTERN = r"\S"

#: The violation codes the converter can report on a document the schema accepts:
#: invariants JSON Schema cannot state, with what each means.
CONVERTER_ONLY: Mapping[str, str] = types.MappingProxyType(
    {
        "out_of_order": "instants in time order (statuses after last seen, ends after starts…)",
        "overlap": "a child's episodes do not overlap in time",
        "duplicate_id": "ids unique within a list of records",
        "unknown_reference": "a reference names a record in the same case file",
        "wrong_child": "every record in a case file belongs to its child",
        "mismatch": "an episode's zone is its placement's zone",
        "self_reference": "a context entry does not resolve itself",
        "repeated": "a status change changes the status",
        "invalid_datetime": "a real calendar day in an instant, if format assertion is off",
        "invalid_date": "a real calendar day in a date, if format assertion is off",
    }
)


@attrs.frozen
class FieldMetadata:
    """What a form needs to know about one field of a model type.

    ``kind`` is one of ``text``, ``flag``, ``instant``, ``date``, ``concept``,
    ``choice`` (a closed enumeration) or ``object`` (a nested record, or a
    finding's message parameter);
    ``repeated`` says the value is a list of that kind. ``vocabulary`` is the
    name of the bound vocabulary (``push_factors|pull_factors`` for a factor's
    concept, chosen by its direction); ``required`` says the wire format needs
    the key; ``rules`` lists the rules (``PACK/CODE``) that declare they read
    the field.
    """

    name: str
    label: str
    help: str
    kind: str
    required: bool
    repeated: bool = False
    vocabulary: str | None = None
    rules: tuple[str, ...] = ()


# --- helpers -------------------------------------------------------------------


def _usable(name: str) -> bool:
    try:
        check_zone(name)
    except InvalidZoneError:
        return False
    return True


@functools.lru_cache(maxsize=1)
def _zones() -> tuple[str, ...]:
    """The IANA zones of the pinned tzdata package that the model accepts, sorted."""
    listed = importlib.resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return tuple(sorted(z for z in listed.split() if _usable(z)))


def _first_paragraph(doc: str | None) -> str:
    if not doc:
        return ""
    return " ".join(doc.strip().split("\n\n")[0].split())


def _humanise(value: str) -> str:
    return value.replace("_", " ").capitalize()


def document_type(name: str) -> type:
    """The top-level document type called ``name`` (``MissingEpisode`` or ``missing_episode``).

    ```pycon
    >>> document_type("missing_episode").__name__
    'MissingEpisode'

    ```

    Raises :class:`LookupError` naming the known documents.
    """
    wanted = name.replace("_", "").replace("-", "").lower()
    for cls in DOCUMENTS:
        if cls.__name__.lower() == wanted:
            return cls
    known = ", ".join(c.__name__ for c in DOCUMENTS)
    raise LookupError(f"unknown document; expected one of: {known}")


# --- the schema builder ---------------------------------------------------------------


class _Builder:
    """Collects ``$defs`` while it walks the model types."""

    def __init__(self, vocabs: Mapping[str, Vocabulary]) -> None:
        self.vocabs = vocabs
        self.defs: dict[str, Any] = {}

    def ref(self, key: str) -> dict[str, Any]:
        return {"$ref": f"#/$defs/{key}"}

    def vocabulary(self, name: str) -> dict[str, Any]:
        key = f"vocab.{name}"
        if key not in self.defs:
            vocab = self.vocabs[name]
            options = []
            for c in vocab:
                option: dict[str, Any] = {"const": c.code, "title": c.display}
                if c.definition:
                    option["description"] = c.definition
                options.append(option)
            described = f"A code of the vocabulary {name!r}."
            if vocab.source:
                described += f" Source: {vocab.source}."
            self.defs[key] = {
                "title": vocab.title,
                "description": described,
                "type": "string",
                "x-missingcare-vocabulary": name,
                "oneOf": options,
            }
        return self.ref(key)

    def choice(self, cls: type[enum.Enum]) -> dict[str, Any]:
        key = cls.__name__
        if key not in self.defs:
            self.defs[key] = {
                "title": _humanise(key),
                "description": _first_paragraph(cls.__doc__),
                "type": "string",
                "oneOf": [{"const": m.value, "title": _humanise(m.value)} for m in cls],
            }
        return self.ref(key)

    def zone(self) -> dict[str, Any]:
        if "zone" not in self.defs:
            self.defs["zone"] = {
                "title": "IANA time zone",
                "description": "A zone of the IANA database pinned by the tzdata package.",
                "type": "string",
                "enum": list(_zones()),
            }
        return self.ref("zone")

    def param(self) -> dict[str, Any]:
        """A finding's message parameter: a name and one value, its key saying its type."""
        if "param" not in self.defs:
            values = {
                "flag": {"title": "Yes or no", "type": "boolean"},
                "number": {"title": "Whole number", "type": "integer"},
                "text": {"title": "Text", "type": "string"},
                "instant": {
                    "title": "Instant",
                    **self.value(type, "instant", FieldKind("instant", "", "")),
                },
                "duration": {
                    "title": "Duration",
                    **self.value(type, "duration", FieldKind("duration", "", "")),
                },
            }
            for key, schema in values.items():
                schema["description"] = f"The parameter's value, when it is a {key}."
            assert list(values) == [k for k, _ in _fields.PARAM_TYPES]
            self.defs["param"] = {
                "title": "Message parameter",
                "description": "A value a finding's message is rendered from, by name.",
                "type": "object",
                "properties": {
                    "name": {"title": "Name", "description": "The placeholder.", "type": "string"},
                    **values,
                },
                "required": ["name"],
                "oneOf": [{"required": [key]} for key in values],
                "additionalProperties": False,
            }
        return self.ref("param")

    def model(self, cls: type) -> dict[str, Any]:
        key = cls.__name__
        if key not in self.defs:
            self.defs[key] = {}  # reserve the name before walking (no cycles today)
            self.defs[key] = self.object(cls)
        return self.ref(key)

    def value(self, cls: type, name: str, kind: FieldKind) -> dict[str, Any]:
        """The schema of one value of ``kind`` (one item, for a tuple field)."""
        if kind.base == "concept":
            if kind.vocabulary is None:
                return {"type": "string"}  # bound by its sibling: see cross_field
            return self.vocabulary(kind.vocabulary)
        if kind.base == "zone":
            return self.zone()
        if kind.base in _fields.TEXTUAL:
            pattern = TEXT_PATTERN if kind.pattern is None else f"^(?:{kind.pattern})$"
            return {"type": "string", "minLength": 1, "pattern": pattern}
        if kind.base == "flag":
            return {"type": "boolean"}
        if kind.base == "instant":
            return {"type": "string", "format": "date-time", "pattern": INSTANT_PATTERN}
        if kind.base == "date":
            return {"type": "string", "format": "date", "pattern": DATE_PATTERN}
        if kind.base == "duration":
            return {"type": "string", "format": "duration", "pattern": DURATION_PATTERN}
        if kind.base == "choice":
            assert kind.choices is not None
            return self.choice(kind.choices)
        if kind.base == "param":
            return self.param()
        assert kind.model is not None, f"{cls.__name__}.{name}: no schema for its kind"
        return self.model(kind.model)

    def field(self, cls: type, name: str, kind: FieldKind, default: Any) -> dict[str, Any]:
        described: dict[str, Any] = {"title": kind.label, "description": kind.help}
        if kind.many:
            schema: dict[str, Any] = {
                **described,
                "type": "array",
                "items": self.value(cls, name, kind),
            }
            if kind.non_empty:
                schema["minItems"] = 1
            if kind.base != "nested":
                schema["uniqueItems"] = True
            return schema
        schema = self.value(cls, name, kind)
        if kind.base in _fields.TEXTUAL:
            schema["maxLength"] = _fields.MAX_TEXT
        if "$ref" in schema:
            return {**described, **schema}
        schema = {**described, **schema}
        if kind.base == "flag" and default is not attrs.NOTHING:
            schema["default"] = default
        return schema

    def object(self, cls: type) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required: list[str] = []
        for a, (_, kind) in zip(attrs.fields(cls), _fields.kinds(cls), strict=True):
            properties[a.name] = self.field(cls, a.name, kind, a.default)
            if _required(a.default, kind):
                required.append(a.name)
        schema: dict[str, Any] = {
            "title": _humanise(_snake(cls.__name__)),
            "description": _first_paragraph(cls.__doc__),
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }
        schema.update(self.chosen(cls))
        schema.update(self.cross_field(cls))
        return schema

    def chosen(self, cls: type) -> dict[str, Any]:
        """``if``/``then``/``else`` binding each concept whose vocabulary a sibling chooses."""
        for name, kind in _fields.kinds(cls):
            if kind.vocabulary_from is None:
                continue
            choices = list(chosen_vocabularies(cls, name).items())
            (_, vocab), rest = choices[0], choices[1:]
            schema: dict[str, Any] = {"properties": {name: self.vocabulary(vocab)}}
            for member, vocab in reversed(rest):
                schema = {
                    "if": {
                        "required": [kind.vocabulary_from],
                        "properties": {kind.vocabulary_from: {"const": member.value}},
                    },
                    "then": {"properties": {name: self.vocabulary(vocab)}},
                    "else": schema,
                }
            return schema
        return {}

    def cross_field(self, cls: type) -> dict[str, Any]:
        """The invariants of ``cls`` that JSON Schema can state."""
        if cls is MissingEpisode:
            return {
                "dependentRequired": {"returned_at": ["ended_at"], "located": ["ended_at"]},
                "if": {
                    "required": ["ending"],
                    "not": {
                        "properties": {"ending": {"const": "still_missing_at_period_end"}},
                    },
                },
                "then": {"required": ["ended_at"]},
            }
        if cls is ReturnConversation:
            return {
                "dependentRequired": {
                    "interviewer": ["held_at"],
                    "child_account": ["held_at"],
                    "child_feedback": ["held_at"],
                },
                "if": {"required": ["decision"], "properties": {"decision": {"const": "declined"}}},
                "then": {"not": {"required": ["held_at"]}},
                "else": {"not": {"required": ["declined_reason"]}},
            }
        if cls is TrustedAdult:
            return {"dependentRequired": {"end_reason": ["ended_at"]}}
        return {}


def _snake(name: str) -> str:
    out = [name[0].lower()]
    for ch in name[1:]:
        out.append(f"_{ch.lower()}" if ch.isupper() else ch)
    return "".join(out)


def _check_document(cls: type) -> None:
    if cls not in DOCUMENTS:
        raise TypeError(f"{getattr(cls, '__name__', cls)!s} is not a top-level document type")


def json_schema(
    cls: type, *, vocabularies: Iterable[Vocabulary] | Mapping[str, Vocabulary] | None = None
) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the top-level document type ``cls``.

    ``vocabularies`` replaces core vocabularies by name, as in
    :func:`missingcare.converters.make_converter`, so a local authority's extended
    vocabulary appears in its forms. The result is a fresh ``dict`` of plain
    JSON values, the same on every call.

    ```pycon
    >>> from missingcare import Placement
    >>> json_schema(Placement)["properties"]["zone"]
    {'title': 'Time zone', 'description': 'The IANA time zone of the placement.', '$ref': '#/$defs/zone'}

    ```
    """  # noqa: E501 - a doctest's output is one line
    _check_document(cls)
    builder = _Builder(merged_vocabularies(vocabularies))
    body = builder.object(cls)
    name = cls.__name__
    # an older version whose documents read the same is accepted too (and upgraded)
    version: dict[str, Any] = {
        "title": "Schema version",
        "description": "The wire-format version of this document (an older one whose "
        "documents read the same is upgraded on reading).",
        "type": "integer",
        **(
            {"const": SCHEMA_VERSION}
            if {SCHEMA_VERSION} == SAME_BODY
            else {"enum": sorted(SAME_BODY)}
        ),
    }
    schema: dict[str, Any] = {
        "$schema": DIALECT,
        "$id": f"{_BASE}/{SCHEMA_VERSION}/{name}.json",
        **body,
        "properties": {"schema_version": version, **body["properties"]},
        "required": ["schema_version", *body["required"]],
    }
    schema["$defs"] = {k: builder.defs[k] for k in sorted(builder.defs)}
    return schema


# --- field metadata -------------------------------------------------------------------------


#: The form kind of each field-kind base (``id`` and ``zone`` are text to a form).
_FORM_KIND: Mapping[str, str] = types.MappingProxyType(
    {
        "text": "text",
        "id": "text",
        "zone": "text",
        "flag": "flag",
        "instant": "instant",
        "date": "date",
        "duration": "duration",
        "concept": "concept",
        "choice": "choice",
        "nested": "object",
        "param": "object",
    }
)


def _required(default: Any, kind: FieldKind) -> bool:
    """Whether the wire format needs the key (no default, or a list that must not be empty)."""
    return default is attrs.NOTHING or kind.non_empty


def _vocabulary_of(cls: type, name: str, kind: FieldKind) -> str | None:
    if kind.vocabulary_from is not None:
        return "|".join(chosen_vocabularies(cls, name).values())
    return kind.vocabulary


def _rules_by_field() -> dict[str, tuple[str, ...]]:
    """``"Type.field"`` → the built-in rules that declare they read it.

    A rule declares the fields it reads in a ``fields`` attribute of
    ``"Type.field"`` names; rules that do not declare any are not listed.
    """
    from missingcare.packs import BUILTIN_PACKS  # noqa: PLC0415 - load rules only when asked
    from missingcare.rules import get_pack  # noqa: PLC0415

    found: dict[str, list[str]] = {}
    for code in BUILTIN_PACKS:
        pack = get_pack(code)
        for rule in pack.rules():
            for name in getattr(rule, "fields", ()):
                found.setdefault(name, []).append(f"{code}/{rule.code}")
    return {k: tuple(sorted(set(v))) for k, v in found.items()}


def field_metadata(cls: type) -> tuple[FieldMetadata, ...]:
    """The form metadata of every field of the model type ``cls``, in declaration order.

    ```pycon
    >>> from missingcare import Factor
    >>> [m.name for m in field_metadata(Factor) if m.vocabulary]
    ['concept']
    >>> from missingcare import CaseFile
    >>> field_metadata(CaseFile)[0].label
    'Child'

    ```
    """
    if not attrs.has(cls):
        raise TypeError(f"{getattr(cls, '__name__', cls)!s} is not a model type")
    rules = _rules_by_field()
    out: list[FieldMetadata] = []
    for a, (_, kind) in zip(attrs.fields(cls), _fields.kinds(cls), strict=True):
        out.append(
            FieldMetadata(
                name=a.name,
                label=kind.label,
                help=kind.help,
                kind=_FORM_KIND[kind.base],
                required=_required(a.default, kind),
                repeated=kind.many,
                vocabulary=_vocabulary_of(cls, a.name, kind),
                rules=rules.get(f"{cls.__name__}.{a.name}", ()),
            )
        )
    return tuple(out)
