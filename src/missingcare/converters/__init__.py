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
  upgraded by the functions in :data:`UPGRADES`, and the caller who asks is
  told (``upgraded=``, see :func:`from_json`);
* the input is UTF-8 (or a ``str``), without a byte-order mark; a key
  repeated in an object is refused (``duplicate_key``), never resolved; text
  that is not valid Unicode (a lone surrogate, written as an escape or as
  CESU-8 bytes) is refused (``invalid_text``, ``invalid_json``);
* a document is held to :class:`Limits` (its size, the items of each list)
  and instants and dates to the accepted range (``out_of_range``).

Every refusal is a :class:`~missingcare.exceptions.ValidationError` listing
all violations, each with its JSON path (up to ``Limits.violations`` of them;
the rest are counted), and never the rejected value. Whatever is accepted can
be written back.

JSON lines of any document type (one document per line, as ``missingcare
synth`` writes case files) are read one line at a time by :func:`read_lines`
and :func:`scan_lines`, whose errors name the line (:class:`LineError`), and
written by :func:`write_lines`.

Everything here is derived from the field kinds the model records
(:mod:`missingcare._fields`): the cattrs hooks (:mod:`.hooks`), and the
msgspec fast path ``to_json`` and ``from_json`` take when no converter is
passed (``_fast``), which gives the same bytes, values and errors.

>>> from missingcare import ChildRef, CaseFile
>>> to_json(CaseFile(child=ChildRef("C-1")))
b'{"schema_version":2,"child":{"id":"C-1"}}'
>>> from_json(b'{"schema_version":2,"child":{"id":"C-1"}}', CaseFile).child.id
'C-1'
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import cattrs

from missingcare.converters import _reference
from missingcare.converters._documents import DOCUMENTS, SCHEMA_VERSION, UPGRADES
from missingcare.converters._documents import MODELS as MODELS
from missingcare.converters._fast import FastWire, default_wire
from missingcare.converters._limits import DEFAULT_LIMITS, Limits
from missingcare.converters._lines import read_lines, scan_lines, write_lines
from missingcare.converters._reference import from_dict, to_dict
from missingcare.converters.hooks import make_converter
from missingcare.exceptions import ValidationError

__all__ = [
    "DOCUMENTS",
    "SCHEMA_VERSION",
    "UPGRADES",
    "Limits",
    "from_dict",
    "from_json",
    "make_converter",
    "read_lines",
    "scan_lines",
    "to_dict",
    "to_json",
    "write_lines",
]

T = TypeVar("T")

#: The default fast path's writer of each document type, once that path is built.
_DUMPERS: dict[type, Callable[[Any], bytes]] = {}


def to_json(value: object, *, converter: cattrs.Converter | None = None) -> bytes:
    """The UTF-8 JSON bytes of a top-level model value.

    Without a ``converter`` this takes the msgspec-backed fast path, which
    writes the same bytes (the test suite checks it). A value that cannot
    be written (which a value built through the model's constructors never
    is) raises a :class:`~missingcare.exceptions.ValidationError` that holds
    no part of it: no message, argument or chained exception carries the
    document.
    """
    if converter is None:
        # a document type's generated writer, called directly (one frame: the
        # fast path's bytes without its layers); anything else goes below
        dump = _DUMPERS.get(type(value))
        if dump is not None:
            try:
                return dump(value)
            except Exception:
                pass
    _reference.check_document(type(value))
    try:
        if converter is None:
            wire = default_wire()
            if not _DUMPERS:
                _DUMPERS.update(wire.dumpers)
            return wire.dump(value)
        return _reference.dumps(value, converter)
    except Exception:
        pass
    raise ValidationError.single("$", "unwritable", "this value cannot be written as JSON")


@functools.lru_cache(maxsize=8)
def _wire(limits: Limits) -> FastWire:
    return FastWire(limits=limits)


def from_json(
    data: bytes | str,
    cls: type[T],
    *,
    converter: cattrs.Converter | None = None,
    limits: Limits | None = None,
    upgraded: Callable[[int], object] | None = None,
) -> T:
    """Read a top-level model value from JSON text or UTF-8 bytes.

    Without a ``converter`` this takes the msgspec-backed fast path, which
    builds the same values and, for invalid input, falls back to the
    converter so the error lists every violation exactly as it would.
    ``limits`` (default: :class:`Limits`' defaults) bounds the document's
    size and how many violations the error lists; a ``converter``'s own
    limits (:func:`make_converter`) bound its lists.

    A document written in an older wire-format version is upgraded
    (:data:`UPGRADES`) and read; once it is accepted, ``upgraded`` (if given)
    is called with the version it was written in, so the caller can note it
    (say, to write the record back in the current version). Nothing is
    called for a document of the current version, or for one refused.

    >>> from missingcare import CaseFile
    >>> seen = []
    >>> case = from_json(b'{"schema_version":1,"child":{"id":"C-1"}}', CaseFile,
    ...                  upgraded=seen.append)
    >>> seen, to_json(case)
    ([1], b'{"schema_version":2,"child":{"id":"C-1"}}')
    """
    if converter is None:
        wire = default_wire() if limits is None or limits == DEFAULT_LIMITS else _wire(limits)
        return wire.load(data, cls, upgraded)
    bounds = DEFAULT_LIMITS if limits is None else limits
    return _reference.loads(data, cls, converter, bounds, upgraded)
