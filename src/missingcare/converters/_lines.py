"""JSON lines of any document type: a streaming reader and writer (private; see the package).

One document per line, each exactly its :func:`~missingcare.converters.to_json`
bytes, a newline after each (the form ``missingcare synth`` writes and
``missingcare check`` reads). Reading is one line at a time, in constant
memory: a line is read, turned into a value, and let go before the next; a
line longer than the largest document (:class:`Limits`) is refused without
being held. Every refusal is a :class:`LineError`: a
:class:`~missingcare.exceptions.ValidationError` that names the line and the
field paths, never a value.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Protocol, TypeVar, runtime_checkable

import cattrs

from missingcare.converters import _reference
from missingcare.converters._fast import FastWire
from missingcare.converters._limits import DEFAULT_LIMITS, Limits
from missingcare.exceptions import LineError, ValidationError, Violation
from missingcare.vocab import Vocabulary

__all__ = ["document_type_of", "read_lines", "scan_lines", "write_lines"]

T = TypeVar("T")


@runtime_checkable
class Readable(Protocol):
    """A binary stream, as far as reading lines goes."""

    def readline(self, size: int = -1, /) -> bytes: ...


#: Where JSON lines come from: a file's path, a binary stream, or the lines themselves.
Source = str | os.PathLike[str] | Readable | Iterable[bytes | str]


def raw_lines(stream: Readable, most: int) -> Iterator[bytes | None]:
    """The lines of ``stream``; ``None`` for a line over ``most`` bytes, never held whole."""
    while line := stream.readline(most + 1):
        if len(line) > most and not line.endswith(b"\n"):
            while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass
            yield None
        else:
            yield line


def _lines_of(source: Source, most: int) -> Iterator[bytes | str | None]:
    if isinstance(source, (str, os.PathLike)):
        with Path(source).open("rb") as stream:
            yield from raw_lines(stream, most)
    elif isinstance(source, (bytes, bytearray)):
        raise TypeError("JSON lines are read from a path, a binary stream or an iterable of lines")
    elif isinstance(source, Readable):
        yield from raw_lines(source, most)
    else:
        yield from source


#: Refusals that suggest a document of another type: a key the type does not know,
#: or a required key missing, at the top level.
_ANOTHER_TYPE = frozenset(("unknown_key", "required"))


def document_type_of(data: bytes | str, expected: type) -> type | None:
    """The document type other than ``expected`` that ``data`` is, when it is refused
    as ``expected`` because it is another document (a ``MissingEpisode`` where a
    ``CaseFile`` was expected); else ``None``.

    Only tried on a refusal, and only when the refusal is at the top level.

    >>> from missingcare import CaseFile, MissingEpisode, to_json
    >>> from missingcare.testing import builders
    >>> document_type_of(to_json(builders.episode()), CaseFile).__name__
    'MissingEpisode'
    """
    from missingcare.converters import DOCUMENTS, from_json  # noqa: PLC0415

    for cls in DOCUMENTS:
        if cls is expected:
            continue
        try:
            from_json(data, cls)
        except ValidationError:
            continue
        return cls
    return None


def _refusal(number: int, line: bytes | str, exc: ValidationError, cls: type) -> LineError:
    top = {v.code for v in exc.violations if v.path.count(".") <= 1 and "[" not in v.path}
    other = document_type_of(line, cls) if top & _ANOTHER_TYPE else None
    return LineError(
        number,
        exc.violations,
        len(exc.violations),
        exc.more,
        document=None if other is None else other.__name__,
    )


def scan_lines(
    source: Source,
    cls: type[T],
    *,
    converter: cattrs.Converter | None = None,
    vocabularies: Iterable[Vocabulary] | Mapping[str, Vocabulary] | None = None,
    limits: Limits | None = None,
) -> Iterator[tuple[int, T | LineError]]:
    """Each non-blank line's number (from 1) with its ``cls`` value, or the
    :class:`LineError` that refuses it; reading goes on after a refused line.

    ``source`` is a path, a binary stream (``sys.stdin.buffer``) or an
    iterable of lines (bytes or text). Each line is read as
    :func:`~missingcare.converters.from_json` reads a document, with the same
    ``converter`` and ``limits``; or, with ``vocabularies`` (replacing core
    vocabularies by name, as :func:`~missingcare.converters.make_converter`
    does) and no converter, on the fast path bound to them. A line that is a
    whole document of another type says so (:attr:`LineError.document`).

    ```pycon
    >>> from missingcare import ChildRef, CaseFile
    >>> lines = [b'{"schema_version":1,"child":{"id":"C-1"}}', b"", b'{"schema_version":1}']
    >>> for number, found in scan_lines(lines, CaseFile):
    ...     print(number, found.child.id if isinstance(found, CaseFile) else found.paths)
    1 C-1
    3 ('$.child',)

    ```
    """
    load, most = line_loader(cls, converter=converter, vocabularies=vocabularies, limits=limits)
    yield from scan_raw(_lines_of(source, most), cls, load, most)


def line_loader(
    cls: type[T],
    *,
    converter: cattrs.Converter | None = None,
    vocabularies: Iterable[Vocabulary] | Mapping[str, Vocabulary] | None = None,
    limits: Limits | None = None,
) -> tuple[Callable[[bytes | str], T], int]:
    """How :func:`scan_lines` reads a line, and the longest line it reads, in bytes.

    Made once (the fast path is generated here) for any number of lines.
    """
    from missingcare.converters import from_json  # noqa: PLC0415 - the package imports us

    _reference.check_document(cls)
    bounds = DEFAULT_LIMITS if limits is None else limits
    if vocabularies is not None:
        if converter is not None:
            raise TypeError("give a converter or vocabularies, not both")
        load: Callable[[bytes | str], T] = functools.partial(
            FastWire(vocabularies, bounds).load, cls=cls
        )
    else:
        load = functools.partial(from_json, cls=cls, converter=converter, limits=limits)
    return load, bounds.document_bytes


def scan_raw(
    lines: Iterable[bytes | str | None],
    cls: type[T],
    load: Callable[[bytes | str], T],
    most: int,
    *,
    start: int = 1,
) -> Iterator[tuple[int, T | LineError]]:
    """:func:`scan_lines` over lines already read (``None`` for a line over ``most``
    bytes, as :func:`raw_lines` gives it), numbered from ``start``: a part of a file
    read elsewhere keeps its lines' numbers."""
    for number, line in enumerate(lines, start=start):
        if line is None:
            too_large = Violation(
                "$", "too_large", f"expected a document of at most {most:,} bytes"
            )
            yield number, LineError(number, [too_large])
            continue
        if not line.strip():
            continue
        try:
            value = load(line)
        except ValidationError as exc:
            error = _refusal(number, line, exc, cls)
        else:
            yield number, value
            continue
        yield number, error  # outside the except block: no chained exception


def read_lines(
    source: Source,
    cls: type[T],
    *,
    converter: cattrs.Converter | None = None,
    vocabularies: Iterable[Vocabulary] | Mapping[str, Vocabulary] | None = None,
    limits: Limits | None = None,
) -> Iterator[T]:
    """The ``cls`` value of each non-blank line, one at a time (constant memory).

    Stops at the first refused line with its :class:`LineError` (use
    :func:`scan_lines` to read on past it).

    ```pycon
    >>> import io
    >>> from missingcare import ChildRef, CaseFile
    >>> sink = io.BytesIO()
    >>> write_lines([CaseFile(child=ChildRef("C-1")), CaseFile(child=ChildRef("C-2"))], sink)
    2
    >>> _ = sink.seek(0)
    >>> [case.child.id for case in read_lines(sink, CaseFile)]
    ['C-1', 'C-2']
    >>> list(read_lines([b'{"schema_version":1,"child":{}}'], CaseFile))
    Traceback (most recent call last):
    ...
    missingcare.exceptions.LineError: line 1: 1 violation:
      $.child.id: this field is required [required]

    ```
    """
    found_lines = scan_lines(
        source, cls, converter=converter, vocabularies=vocabularies, limits=limits
    )
    for _, found in found_lines:
        if isinstance(found, LineError):
            raise found
        yield found


def write_lines(
    values: Iterable[object],
    sink: str | os.PathLike[str] | IO[bytes],
    *,
    converter: cattrs.Converter | None = None,
) -> int:
    """Write each top-level value's :func:`~missingcare.converters.to_json` and a newline;
    return how many were written.

    ``sink`` is a path (written in place: a failure part-way leaves what was
    written) or a binary stream. Values are written as they come: an iterator
    of values is never held whole.
    """
    from missingcare.converters import to_json  # noqa: PLC0415 - the package imports us

    if isinstance(sink, (str, os.PathLike)):
        with Path(sink).open("wb") as stream:
            return write_lines(values, stream, converter=converter)
    count = 0
    for value in values:
        sink.write(to_json(value, converter=converter) + b"\n")
        count += 1
    return count
