"""Read 903 tables from CSV files and from the XML return, as submitted.

By default the reader keeps every cell exactly as the file holds it, as DfE's
validator reads it: ``' A'``, ``'m'`` and ``'17/05/2025 '`` reach the rules as
they are (and are invalid there). Only blank cells become ``None``. What is not
a cell is read as DfE's tools read it, with a :class:`ReadNote` saying so: a
UTF-8 byte-order mark, ``\\r\\n`` line ends, blank lines (which are not rows:
rows are numbered without them), trailing empty columns, header names in
another case or order.

``tolerant=True`` also cleans what can be cleaned without guessing (surrounding
spaces, lower-case letters, a spreadsheet's ``1234.0``, ISO dates
``2025-05-17``), and reports each cleaning as a note naming the column and the
rows, never the value (:func:`~missingcare.adapters.ssda903.tables.tidy`).

What cannot be read is refused with
:class:`~missingcare.exceptions.Unusable903Input`, whose message names the
file, and the row and column where there is one, and never quotes a cell or a
header name: an empty file, text that is not UTF-8, a first line that is not a
903 header, a quote that is never closed or a quoted cell over several lines,
a cell longer than any 903 value (:data:`MAX_CELL`), XML that is not a 903
return. XML is parsed by ``defusedxml`` with DTDs forbidden, so no entity is
ever declared or expanded in any encoding; it is read as a stream (no tree is
built), its nesting bounded by :data:`MAX_DEPTH`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from missingcare.adapters.ssda903.tables import (
    COLUMNS,
    ReadNote,
    Return903,
    Table,
    _Split,
    tidy,
)
from missingcare.exceptions import Unusable903Input

__all__ = [
    "MAX_CELL",
    "MAX_DEPTH",
    "Unusable903Input",  # defined in missingcare.exceptions; importable here as before
    "read_csv",
    "read_csv_with_notes",
    "read_return",
    "read_xml",
]

#: The longest cell (CSV) or element text (XML) read, in characters: no 903 value is
#: longer than 13 (a UPN); anything longer is refused, so memory stays bounded.
MAX_CELL = 1_000
#: The deepest XML nesting read: a 903 return nests five deep
#: (``EXPSSDA903 > CHILD > HEADER > AMISSING > MIS_START``).
MAX_DEPTH = 12
_CHUNK = 1 << 16  # bytes of XML fed to the parser at a time

_LINE_END = re.compile(r"\r\n|\r|\n")
_BLANK_LINE = re.compile(r"[ \t]*")  # a line of only these is blank, as DfE's reader skips it


class _Notes:
    def __init__(self, table: str) -> None:
        self.table = table
        self._rows: dict[tuple[str, str | None], list[int]] = {}
        self._messages: dict[tuple[str, str | None], str] = {}

    def add(self, code: str, column: str | None, row: int | None, message: str) -> None:
        key = (code, column)
        self._messages.setdefault(key, message)
        rows = self._rows.setdefault(key, [])
        if row is not None:
            rows.append(row)

    def done(self) -> tuple[ReadNote, ...]:
        return tuple(
            ReadNote(self.table, code, self._messages[(code, column)], column, tuple(rows))
            for (code, column), rows in self._rows.items()
        )


def _decode(data: bytes, source: str) -> tuple[str, bool]:
    if not data or data.isspace():  # (as ``not data.strip()``, without copying the data)
        raise Unusable903Input(source, "the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise Unusable903Input(
            source, "the file is not UTF-8 text (UTF-16 or binary); save it as CSV UTF-8"
        )
    bad: int | None = None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start  # raised below, outside the handler: no chained error holds the data
    if bad is not None:
        line = data.count(b"\n", 0, bad) + 1
        raise Unusable903Input(source, f"line {line} is not UTF-8 text; save the file as CSV UTF-8")
    bom = text.startswith("\ufeff")
    return (text[1:] if bom else text), bom


def _where(row: int, line: int) -> str:
    return f"data row {row} (line {line})"


def _identify(names: list[str], source: str, expect: str | None) -> str:
    """The table whose columns the header names are; refusals name columns the table
    expects and the positions of the others, never what the file holds."""
    found = set(names)
    candidates = [expect] if expect is not None else list(COLUMNS)
    for name in candidates:
        if found == set(COLUMNS[name]):
            return name
    known = {c for cols in COLUMNS.values() for c in cols}
    if not found & known:
        raise Unusable903Input(
            source,
            "the first line is not a 903 header (it holds no 903 column name); "
            "the file must start with its table's header line",
        )
    if expect is None:
        raise Unusable903Input(
            source,
            "the header line matches no 903 table this reader knows (Header, Episodes, Missing)",
        )
    want = COLUMNS[expect]
    missing = [c for c in want if c not in found]
    extra = [str(i + 1) for i, n in enumerate(names) if n not in want]
    parts = []
    if missing:
        parts.append(
            ("missing column " if len(missing) == 1 else "missing columns ") + ", ".join(missing)
        )
    if extra:
        where = "at position" if len(extra) == 1 else "at positions"
        noun = "unexpected column" if len(extra) == 1 else "unexpected columns"
        parts.append(f"{len(extra)} {noun}, {where} " + ", ".join(extra))
    raise Unusable903Input(
        source, f"the header line is not that of the 903 {expect} table: " + "; ".join(parts)
    )


def read_csv(
    data: bytes, *, source: str = "<input>", expect: str | None = None, tolerant: bool = False
) -> Table:
    """Read one 903 table from CSV bytes; ``expect`` names the table it must be.

    The table is identified by its header line (any order, any case). Use
    :func:`read_csv_with_notes` to learn what was read around.
    """
    return read_csv_with_notes(data, source=source, expect=expect, tolerant=tolerant)[0]


def read_csv_with_notes(
    data: bytes, *, source: str = "<input>", expect: str | None = None, tolerant: bool = False
) -> tuple[Table, tuple[ReadNote, ...]]:
    """Like :func:`read_csv`, also returning the reader's notes.

    With ``tolerant=True`` the cells are cleaned as :func:`tidy` does, each cleaning
    a note.
    """
    text, bom = _decode(data, source)
    del data
    found = _read_simple(text, expect)
    if found is None:
        found = _read_lines(text, source, expect)
    table, notes = found
    if bom:
        notes = (ReadNote(table.name, "bom", "a UTF-8 byte-order mark was skipped"), *notes)
    if tolerant:
        table, cleaned = tidy(table)
        notes = (*notes, *cleaned)
    return table, notes


def _header(raw: list[str], source: str, expect: str | None) -> tuple[str, list[str], _Notes]:
    """The table a header line is, its column names, and what was read around in it."""
    width = len(raw)
    while width and not raw[width - 1].strip():
        width -= 1
    names = [n.strip().upper() for n in raw[:width]]
    if len(set(names)) != len(names):
        raise Unusable903Input(source, "the header line repeats a column name")
    name = _identify(names, source, expect)
    notes = _Notes(name)
    if names != raw[:width]:
        notes.add("header_case", None, None, "header names were read ignoring case and spaces")
    if width < len(raw):
        notes.add("trailing_columns", None, None, "empty columns after the last were ignored")
    return name, names, notes


def _read_simple(text: str, expect: str | None) -> tuple[Table, tuple[ReadNote, ...]] | None:
    """The table in CSV text with nothing unusual, or ``None`` to read it line by line.

    What this reads, :func:`_read_lines` reads the same (it is a shortcut, and never
    refuses): no quote character, one kind of line end (``\n`` or ``\r\n``), no blank
    line, a header of exactly a 903 table's columns (any order, any case) and one cell per
    column on every line, no cell longer than :data:`MAX_CELL`. The cells are split from the
    whole text at once, line ends read as one more cell, and each column is taken from that
    with a stride: no line or row is ever made.
    """
    if '"' in text:
        return None
    end = "\r\n" if "\r" in text else "\n"
    first = text.find(end)
    if first <= 0:
        return None
    header = text[:first]
    if "\r" in header or "\n" in header:
        return None
    raw_names = header.split(",")
    names = [n.strip().upper() for n in raw_names]
    found = set(names)
    if len(found) != len(names) or not all(names):
        return None
    candidates = list(COLUMNS) if expect is None else [expect]
    name = next((t for t in candidates if found == set(COLUMNS.get(t, ()))), None)
    if name is None:
        return None
    width = len(names)
    body = text[first + len(end) :]
    if not body:
        return None
    if not body.endswith(end):
        body += end
    if not _short_cells(body):
        return None  # (maybe a cell longer than MAX_CELL, which the long way refuses)
    # "a,b\r\nc,d\r\n" -> "a,b,\n,c,d,\n," -> a b \n c d \n '': every line has one cell per
    # column when its n line ends (the only "\n" in it, no "\r" left) are every (width + 1)th
    # cell (a blank line would be one cell)
    joined = body.replace(end, ",\n,")
    n_rows = (len(joined) - len(body)) // (3 - len(end))  # (each line end made longer)
    del body
    if "\r" in joined or joined.count("\n") != n_rows:
        return None
    cells = joined.split(",")
    del joined
    if len(cells) != n_rows * (width + 1) + 1 or cells[width :: width + 1].count("\n") != n_rows:
        return None
    # each column in canonical order, made from the cells when first read
    cols = _Split(cells, [names.index(c) for c in COLUMNS[name]], width + 1)
    notes = _Notes(name)
    if names != raw_names:
        notes.add("header_case", None, None, "header names were read ignoring case and spaces")
    return Table._from_columns(name, COLUMNS[name], cols, range(n_rows)), notes.done()


def _short_cells(body: str) -> bool:
    """Whether no cell of unquoted CSV text can be longer than :data:`MAX_CELL`.

    Checked without making the cells: a longer cell would hold a whole stretch of half
    the limit (those starting at a multiple of it) with no ``,`` nor line end. (A cell of
    half the limit or more may be sent the long way too, which decides.)
    """
    step = MAX_CELL // 2
    return all(
        body.find(",", a, a + step) >= 0 or body.find("\n", a, a + step) >= 0
        for a in range(0, len(body), step)
    )


def _lines(text: str, source: str) -> Iterator[tuple[int, list[str]]]:
    """Each non-blank line's number (1-based) and cells; a quote is read as CSV quoting.

    An unclosed quote, or a quoted cell over several lines, is refused with the line it
    starts on: read on, it would take the rest of the file (or the next lines) as one cell.
    """
    if '"' not in text:
        for n, line in enumerate(_LINE_END.split(text), start=1):
            if not _BLANK_LINE.fullmatch(line):
                yield n, line.split(",")
        return
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise Unusable903Input(
                    source,
                    f"line {start}: a cell longer than {csv.field_size_limit():,} characters "
                    "(is a quote not closed?)",
                ) from None
            raise Unusable903Input(
                source,
                f"line {start}: a quote is not closed as CSV quoting closes it "
                "(the rest of the line, or of the file, would be read as one cell)",
            ) from None
        if reader.line_num != start:
            raise Unusable903Input(
                source,
                f"line {start}: a quoted cell runs over several lines (is a quote not closed?)",
            )
        if cells and not (len(cells) == 1 and _BLANK_LINE.fullmatch(cells[0])):
            yield start, cells
        start = reader.line_num + 1


def _read_lines(text: str, source: str, expect: str | None) -> tuple[Table, tuple[ReadNote, ...]]:
    lines = _lines(text, source)
    first = next(lines, None)
    if first is None:
        raise Unusable903Input(source, "the file is empty")
    name, names, notes = _header(first[1], source, expect)
    width = len(names)
    columns = COLUMNS[name]
    where = [names.index(c) for c in columns]
    rows: list[tuple[str | None, ...]] = []
    for n, (line, cells) in enumerate(lines):
        if len(cells) > width:
            if any(cells[width:]):
                raise Unusable903Input(
                    source, f"{_where(n, line)} has more cells than the header has columns"
                )
            notes.add("trailing_columns", None, n, "empty cells after the last column were ignored")
        elif len(cells) < width:
            cells.extend([""] * (width - len(cells)))
        for i in where:
            if len(cells[i]) > MAX_CELL:
                raise Unusable903Input(
                    source,
                    f"{_where(n, line)}, column {names[i]}: a cell longer than "
                    f"{MAX_CELL:,} characters (no 903 value is)",
                )
        rows.append(tuple([cells[i] or None for i in where]))
    return Table(name, columns, tuple(rows)), notes.done()


# ---- XML ----------------------------------------------------------------------------------

_XML_NAMES = {"CHILDID": "CHILD", "PL": "PLACE"}
_HEADER_OF = {"Header": "CHILD", "Episodes": "EPISODE", "Missing": "AMISSING"}


class _Stream:
    """A parser target that reads a 903 return as it streams past: no tree is built.

    Each ``CHILD`` gives one Header row from its ``HEADER``'s leaves, one Episodes row per
    ``EPISODE`` and one Missing row per ``AMISSING`` inside the ``HEADER``; the leaves of
    one record are all that is held at a time.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.depth = 0
        self.path: list[str] = []
        self.text: list[str] = []
        self.size = 0
        self.leaf = True
        self.root: str | None = None
        self.children = 0
        self.record: dict[str, str | None] = {}  # the leaves of the element being read
        self.header: dict[str, str | None] = {}
        self.episodes: list[dict[str, str | None]] = []
        self.missing: list[dict[str, str | None]] = []
        self.rows: dict[str, list[tuple[str | None, ...]]] = {t: [] for t in COLUMNS}

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Unusable903Input(
                self.source, f"the XML nests deeper than {MAX_DEPTH} elements (no 903 return does)"
            )
        if self.depth == 1:
            self.root = tag
            if tag != "EXPSSDA903":
                raise Unusable903Input(
                    self.source, "not an SSDA903 XML return: expected root EXPSSDA903"
                )
        self.path.append(tag)
        self.leaf = True
        self.text = []
        self.size = 0
        if self.depth == 2 and tag == "CHILD":
            self.header, self.episodes, self.missing = {}, [], []
        elif self._in(("CHILD", "EPISODE")) or self._in(("CHILD", "HEADER", "AMISSING")):
            self.record = {}

    def _in(self, tail: tuple[str, ...]) -> bool:
        return len(self.path) == len(tail) + 1 and tuple(self.path[1:]) == tail

    def data(self, text: str) -> None:
        self.size += len(text)
        if self.size > MAX_CELL:
            table, column = self._place()
            raise Unusable903Input(
                self.source,
                f"XML {table} row {len(self.rows[table])}, element {column}: text longer than "
                f"{MAX_CELL:,} characters (no 903 value is)",
            )
        self.text.append(text)

    def _place(self) -> tuple[str, str]:
        parents = self.path[1:-1]
        table = "Missing" if "AMISSING" in parents else "Episodes"
        if "EPISODE" not in parents and "AMISSING" not in parents:
            table = "Header"
        return table, self.path[-1]

    def end(self, tag: str) -> None:
        path = tuple(self.path[1:])
        leaf, text = self.leaf, ("".join(self.text) if self.text else None)
        self.path.pop()
        self.depth -= 1
        self.text = []
        self.size = 0
        self.leaf = False  # (the parent has a child element: it is no leaf)
        column = _XML_NAMES.get(tag, tag)
        if path == ("CHILD", "EPISODE"):
            self.episodes.append(self.record)
        elif path == ("CHILD", "HEADER", "AMISSING"):
            self.missing.append(self.record)
        elif path == ("CHILD",):
            self._child()
        elif not leaf:
            pass
        elif len(path) == 3 and path[:2] == ("CHILD", "HEADER"):
            self.header[column] = text
        elif path[:-1] in {("CHILD", "EPISODE"), ("CHILD", "HEADER", "AMISSING")}:
            self.record[column] = text

    def _child(self) -> None:
        self.children += 1
        header = self.header
        child, dob = header.get("CHILD"), header.get("DOB")
        self.rows["Header"].append(tuple(header.get(c) for c in COLUMNS["Header"]))
        for rec in self.episodes:
            rec["CHILD"] = child
            self.rows["Episodes"].append(tuple(rec.get(c) for c in COLUMNS["Episodes"]))
        for rec in self.missing:
            rec["CHILD"], rec["DOB"] = child, dob
            self.rows["Missing"].append(tuple(rec.get(c) for c in COLUMNS["Missing"]))

    def close(self) -> None:
        return None


def _parse_xml(stream: Iterable[bytes], source: str, tolerant: bool) -> Return903:
    target = _Stream(source)
    parser = DefusedXMLParser(target=target, forbid_dtd=True)
    seen = False
    refused: str | None = None  # raised below, outside the handlers: no chained error
    try:
        for chunk in stream:
            seen = seen or bool(chunk.strip())
            parser.feed(chunk)
        if not seen:
            raise Unusable903Input(source, "the file is empty")
        parser.close()
    except Unusable903Input:
        raise  # the reader's own refusals (too deep, too long), raised inside the parser
    except ParseError as exc:
        line, column = exc.position
        refused = (
            f"not well-formed XML, or not in an encoding XML readers know "
            f"(line {line}, column {column})"
        )
    except DefusedXmlException:
        refused = "XML with a DOCTYPE or entity declarations is refused"
    except (ValueError, LookupError):  # expat: a multi-byte or unknown declared encoding
        refused = "not in an encoding XML readers know (save it as UTF-8)"
    if refused is not None:
        raise Unusable903Input(source, refused)
    if not target.children:
        raise Unusable903Input(source, "the XML return holds no CHILD records")
    tables = {name: Table(name, COLUMNS[name], tuple(rows)) for name, rows in target.rows.items()}
    notes: list[ReadNote] = []
    if tolerant:
        for name, table in list(tables.items()):
            tables[name], cleaned = tidy(table)
            notes.extend(cleaned)
    return Return903(
        header=tables["Header"],
        episodes=tables["Episodes"],
        missing=tables["Missing"],
        notes=tuple(notes),
    )


def read_xml(data: bytes, *, source: str = "<input>", tolerant: bool = False) -> Return903:
    """Read the Header, Episodes and Missing tables from an XML 903 return (``EXPSSDA903``).

    Each ``CHILD`` gives one Header row from its ``HEADER``, one Episodes row per
    ``EPISODE`` and one Missing row per ``AMISSING`` inside the ``HEADER`` (with
    the child's ``CHILDID`` and ``DOB``), in document order. The document is parsed
    as a stream; a DOCTYPE (so any entity) is refused in every encoding.
    """
    view = memoryview(data)
    return _parse_xml(
        (bytes(view[i : i + _CHUNK]) for i in range(0, len(view), _CHUNK)), source, tolerant
    )


def _chunks(fh: BinaryIO) -> Iterator[bytes]:
    while chunk := fh.read(_CHUNK):
        yield chunk


def _read_xml_file(path: str | Path, tolerant: bool) -> Return903:
    try:
        with Path(path).open("rb") as fh:
            return _parse_xml(_chunks(fh), str(path), tolerant)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise Unusable903Input(str(path), f"cannot be opened ({reason})") from None


def _load(path: str | Path) -> bytes:
    p = Path(path)
    try:
        return p.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise Unusable903Input(str(path), f"cannot be opened ({reason})") from None


def read_return(
    *,
    header: str | Path | None = None,
    episodes: str | Path | None = None,
    missing: str | Path | None = None,
    missing_last: str | Path | None = None,
    xml: str | Path | None = None,
    xml_last: str | Path | None = None,
    tolerant: bool = False,
) -> Return903:
    """Read a return from files: an XML return, or CSV tables (each checked for its kind).

    Last year's Missing table (for rule 576) is ``missing_last`` (a CSV table, or an
    XML return when its name ends ``.xml``) or ``xml_last`` (last year's XML return).
    """
    notes: list[ReadNote] = []
    tables: dict[str, Table | None] = {"Header": None, "Episodes": None, "Missing": None}
    if xml is not None:
        if any(p is not None for p in (header, episodes, missing)):
            raise Unusable903Input(str(xml), "give either an XML return or CSV tables, not both")
        ret = _read_xml_file(xml, tolerant)
        tables = {"Header": ret.header, "Episodes": ret.episodes, "Missing": ret.missing}
        notes.extend(ret.notes)
    for name, path in (("Header", header), ("Episodes", episodes), ("Missing", missing)):
        if path is not None:
            table, found = read_csv_with_notes(
                _load(path), source=str(path), expect=name, tolerant=tolerant
            )
            tables[name] = table
            notes.extend(found)
    if missing_last is not None and xml_last is not None:
        raise Unusable903Input(str(xml_last), "give last year's Missing table once, not twice")
    last: Table | None = None
    last_path = missing_last if missing_last is not None else xml_last
    if last_path is not None:
        if xml_last is not None or str(last_path).lower().endswith(".xml"):
            last_ret = _read_xml_file(last_path, tolerant)
            last = last_ret.missing
            notes.extend(
                _relabel((n for n in last_ret.notes if n.table == "Missing"), "Missing_last")
            )
        else:
            last, found = read_csv_with_notes(
                _load(last_path), source=str(last_path), expect="Missing", tolerant=tolerant
            )
            notes.extend(_relabel(found, "Missing_last"))
    return Return903(
        header=tables["Header"],
        episodes=tables["Episodes"],
        missing=tables["Missing"],
        missing_last=last,
        notes=tuple(notes),
    )


def _relabel(notes: Iterable[ReadNote], table: str) -> list[ReadNote]:
    return [ReadNote(table, n.code, n.message, n.column, n.rows) for n in notes]
