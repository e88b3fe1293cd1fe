"""The reference path: documents through a cattrs converter, errors as JSON paths (private)."""

from __future__ import annotations

import functools
import json
from typing import Any, TypeVar

import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError

from missingcare.converters._documents import DOCUMENTS, SCHEMA_VERSION, UPGRADES
from missingcare.converters.hooks import IndexNote, InvalidError, make_converter
from missingcare.exceptions import ValidationError, Violation

T = TypeVar("T")


@functools.lru_cache(maxsize=1)
def default_converter() -> cattrs.Converter:
    """The converter bound to the core vocabularies (built once, on first use)."""
    return make_converter()


def _converter(conv: cattrs.Converter | None) -> cattrs.Converter:
    return default_converter() if conv is None else conv


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
    if isinstance(exc, InvalidError):
        return [Violation(path, exc.code, exc.message)]
    if isinstance(exc, KeyError):
        return [Violation(path, "required", "this field is required")]
    return [Violation(path, "invalid", "this value is not valid here")]


def _child_path(exc: BaseException, path: str) -> str:
    for note in getattr(exc, "__notes__", ()):
        if isinstance(note, IndexNote):
            return f"{path}[{note.position}]"
        name = getattr(note, "name", None)
        if isinstance(name, str):
            return f"{path}.{name}"
    return path


# --- documents ---------------------------------------------------------------------


def check_document(cls: type) -> None:
    """Raise :class:`TypeError` unless ``cls`` is a top-level document type."""
    if cls not in DOCUMENTS:
        raise TypeError(f"{getattr(cls, '__name__', cls)!s} is not a top-level document type")


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
    check_document(cls)
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
    check_document(type(value))
    body = _converter(converter).unstructure(value)
    return {"schema_version": SCHEMA_VERSION, **body}


def dumps(value: object, converter: cattrs.Converter | None) -> bytes:
    """:func:`to_json` through the converter."""
    return json.dumps(
        to_dict(value, converter=converter), ensure_ascii=False, separators=(",", ":")
    ).encode()


def loads(data: bytes | str, cls: type[T], converter: cattrs.Converter | None) -> T:
    """:func:`from_json` through the converter."""
    problems: list[Violation] = []
    try:
        document = json.loads(data)
    except (ValueError, TypeError, RecursionError):
        problems = [Violation("$", "invalid_json", "expected UTF-8 JSON text")]
    if problems:  # raised here, not in the except block: no chained exception
        raise ValidationError(problems)
    return from_dict(document, cls, converter=converter)
