"""The reference path: documents through a cattrs converter, errors as JSON paths (private)."""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import re
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError

from missingcare import _fields
from missingcare._fields import SURROGATE
from missingcare.converters._documents import DOCUMENTS, MODELS, SCHEMA_VERSION, UPGRADES
from missingcare.converters._limits import DEFAULT_LIMITS, Limits
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
    # dropped once read: a traceback holds its frames, which hold the exception (a
    # cycle only the garbage collector would free)
    exc.__traceback__ = None
    exc.__context__ = None
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


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic garbage collector paused while a document is read or refused.

    Reading makes many small objects that live until the end (a refusal: an
    exception per violation, each holding its traceback); with the collector
    on, its passes over them cost more than the reading itself (a document
    with 4,300 bad instants: 33 ms against 9 ms). Nothing read holds a cycle
    the collector would free sooner; it runs again afterwards as usual.
    """
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


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


#: What is told of an upgraded document: called with the version it was written in.
Upgraded = Callable[[int], object]


def noted(upgraded: Upgraded | None, version: object) -> None:
    """Tell ``upgraded`` that a document of ``version`` was read, if it was an older one."""
    if upgraded is not None and type(version) is int and version < SCHEMA_VERSION:
        upgraded(version)


def from_dict(
    document: object,
    cls: type[T],
    *,
    converter: cattrs.Converter | None = None,
    limits: Limits = DEFAULT_LIMITS,
    upgraded: Upgraded | None = None,
) -> T:
    """Build a ``cls`` value from a JSON-ready document (with ``schema_version``).

    Raises :class:`~missingcare.exceptions.ValidationError` listing every
    violation (up to ``limits.violations``; the rest are counted); the error
    carries no part of the document and is raised with no chained exception.
    A document of an older version is upgraded (:data:`UPGRADES`); once it is
    accepted, ``upgraded`` (if given) is called with the version it was written in.
    """
    check_document(cls)
    conv = _converter(converter)
    problems: list[Violation]
    if type(document) is not dict:
        problems = [Violation("$", "wrong_type", "expected a JSON object")]
    else:
        body, problems = _upgrade(document)
        if body is not None:
            with _collector_paused():
                try:
                    value: T = conv.structure(body, cls)
                except Exception as exc:
                    problems = _violations(exc, "$")
                else:
                    noted(upgraded, document["schema_version"])
                    return value
    raise ValidationError(problems, limits.violations)


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


class _Repeated(dict[str, Any]):
    """A JSON object in which some key appeared more than once."""


_REPEATED = "this object has the same key more than once"
_NOT_UNICODE = "expected valid Unicode text (no lone surrogates)"


#: The keys a path may name: the wire format's own (every model field, and
#: ``schema_version``). A key the document brings is data: a path never spells it.
_PATH_KEYS = frozenset(
    {"schema_version", *(name for cls in MODELS for name, _ in _fields.kinds(cls))}
)


def _malformed_at(value: object, path: str) -> list[Violation]:
    """What the JSON tree ``value`` holds that no document may: an object with a key
    twice (``duplicate_key``), a string or key with a lone surrogate (``invalid_text``,
    I-JSON), each at its path.

    A path names only the wire format's own keys (:data:`_PATH_KEYS`): what lies
    under any other key (which is refused as ``unknown_key`` anyway) is reported
    at the object that holds that key, so no key from the document is repeated.
    """
    found: list[Violation] = []
    # (value, its path, whether the path is the value's own: not under a foreign key)
    stack: list[tuple[object, str, bool]] = [(value, path, True)]
    while stack:
        item, at, own = stack.pop()
        if isinstance(item, str):
            if not item.isascii() and SURROGATE(item):
                found.append(Violation(at, "invalid_text", _NOT_UNICODE))
        elif isinstance(item, dict):
            if type(item) is _Repeated:
                found.append(Violation(at, "duplicate_key", _REPEATED))
            for k, v in item.items():
                if not k.isascii() and SURROGATE(k):
                    found.append(Violation(at, "invalid_text", _NOT_UNICODE))
                if own and k in _PATH_KEYS:
                    stack.append((v, f"{at}.{k}", True))
                else:
                    stack.append((v, at, False))
        elif isinstance(item, list):
            stack.extend((v, f"{at}[{i}]" if own else at, own) for i, v in enumerate(item))
    return found


#: A lone surrogate may be written as an escape (``\ud800``): UTF-8 cannot hold one.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


_BOM = b"\xef\xbb\xbf"
_NOT_UTF8 = Violation("$", "invalid_json", "expected JSON text in UTF-8, without a byte-order mark")


def _text(data: object, limits: Limits) -> tuple[str | None, list[Violation]]:
    """The JSON text of ``data``: UTF-8 bytes (strictly: no BOM, no UTF-16 or UTF-32,
    no encoded surrogates) or a ``str``; or the violations that refuse it."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        raw = bytes(data)
        if len(raw) > limits.document_bytes:
            return None, [_too_large(limits)]
        if raw.startswith(_BOM) or b"\x00" in raw:
            return None, [_NOT_UTF8]
        try:
            return raw.decode("utf-8"), []
        except UnicodeDecodeError:
            return None, [_NOT_UTF8]
    if isinstance(data, str):
        if len(data) > limits.document_bytes:
            return None, [_too_large(limits)]
        return data, []
    return None, [Violation("$", "wrong_type", "expected JSON text (bytes or str)")]


def _too_large(limits: Limits) -> Violation:
    return Violation(
        "$", "too_large", f"expected a document of at most {limits.document_bytes:,} bytes"
    )


def loads(
    data: bytes | str,
    cls: type[T],
    converter: cattrs.Converter | None,
    limits: Limits = DEFAULT_LIMITS,
    upgraded: Upgraded | None = None,
) -> T:
    """:func:`from_json` through the converter.

    The text must be UTF-8 (bytes) or a ``str``, within ``limits``; a key
    repeated in an object is refused (``duplicate_key``), never resolved.
    """
    check_document(cls)
    text, problems = _text(data, limits)
    # strict UTF-8 bytes hold no surrogate; a str may, and either may escape one
    suspect = text is not None and (
        ("\\u" in text and _SURROGATE_ESCAPE.search(text) is not None)
        or (isinstance(data, str) and not text.isascii() and SURROGATE(text) is not None)
    )
    repeated = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal repeated
        found = dict(items)
        if len(found) != len(items):
            repeated = True
            return _Repeated(found)
        return found

    document: object = None
    if text is not None:
        with _collector_paused():
            try:
                document = json.loads(text, object_pairs_hook=pairs)
            except (ValueError, TypeError, RecursionError):
                problems = [Violation("$", "invalid_json", "expected UTF-8 JSON text")]
    if not problems and (repeated or suspect):
        problems = _malformed_at(document, "$")
    if problems:  # raised here, not in the except block: no chained exception
        raise ValidationError(problems, limits.violations)
    return from_dict(document, cls, converter=converter, limits=limits, upgraded=upgraded)
