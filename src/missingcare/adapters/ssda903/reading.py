"""Read 903 tables from CSV files and from the XML return.

Local authority files are not tidy, so the reader tolerates — and reports, as
:class:`~missingcare.adapters.ssda903.tables.ReadNote` values — what can be
corrected without guessing: lower-case codes (read upper-case, as DfE's tools
do), float artefacts from spreadsheets (``1234.0``), surrounding spaces,
header names in another case or order, blank lines and all-blank rows, a
UTF-8 byte-order mark. Tables are identified by their header line.

What cannot be read is refused with
:class:`~missingcare.exceptions.Unusable903Input`, whose message
names the file and the problem in one line and never quotes a cell: an empty
file, text that is not UTF-8, headers that match no 903 table, XML that is
not a 903 return, or XML with a DOCTYPE (refused outright, so no entity is
ever expanded).
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from pathlib import Path

from missingcare.adapters.ssda903.tables import COLUMNS, ReadNote, Return903, Table
from missingcare.exceptions import Unusable903Input

__all__ = [
    "Unusable903Input",  # defined in missingcare.exceptions; importable here as before
    "read_csv",
    "read_csv_with_notes",
    "read_return",
    "read_xml",
]

_DATE_COLUMNS = frozenset({"DOB", "MC_DOB", "DECOM", "DEC", "MIS_START", "MIS_END"})
_FLOAT_ARTEFACT = re.compile(r"([0-9]+)\.0+")


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


def _clean(text: str, column: str, row: int, notes: _Notes) -> str | None:
    value = text.strip()
    if not value:
        return None
    if value != text:
        notes.add("whitespace", column, row, "surrounding spaces were removed")
    if not value.isupper():
        upper = value.upper()
        if upper != value:
            notes.add("lower_case_code", column, row, "lower-case letters were read as upper-case")
            value = upper
    if "." in value and column not in _DATE_COLUMNS:
        m = _FLOAT_ARTEFACT.fullmatch(value)
        if m is not None:
            notes.add("float_artefact", column, row, "a spreadsheet's '.0' was removed from a code")
            value = m[1]
    return value


def _decode(data: bytes, source: str) -> str:
    if not data or data.isspace():  # (as ``not data.strip()``, without copying the data)
        raise Unusable903Input(source, "the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
        raise Unusable903Input(
            source, "the file is not UTF-8 text (UTF-16 or binary); save it as CSV UTF-8"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unusable903Input(source, "the file is not UTF-8 text; save it as CSV UTF-8") from None


def _identify(names: list[str], source: str, expect: str | None) -> str:
    found = set(names)
    candidates = [expect] if expect is not None else list(COLUMNS)
    for name in candidates:
        if found == set(COLUMNS[name]):
            return name
    if expect is not None:
        want = set(COLUMNS[expect])
        missing = [c for c in COLUMNS[expect] if c not in found]
        extra = sorted(found - want)
        parts = []
        if missing:
            parts.append("missing column(s) " + ", ".join(missing))
        if extra:
            parts.append("unexpected column(s) " + ", ".join(extra))
        raise Unusable903Input(
            source, f"the header line is not that of the 903 {expect} table: " + "; ".join(parts)
        )
    raise Unusable903Input(
        source,
        "the header line matches no 903 table this reader knows (Header, Episodes, Missing)",
    )


def read_csv(data: bytes, *, source: str = "<input>", expect: str | None = None) -> Table:
    """Read one 903 table from CSV bytes; ``expect`` names the table it must be.

    The table is identified by its header line (any order, any case). Use
    :func:`read_csv_with_notes` to learn what was tolerated.
    """
    return read_csv_with_notes(data, source=source, expect=expect)[0]


def read_csv_with_notes(
    data: bytes, *, source: str = "<input>", expect: str | None = None
) -> tuple[Table, tuple[ReadNote, ...]]:
    """Like :func:`read_csv`, also returning what was tolerated."""
    text = _decode(data, source)
    simple = _read_simple(text, expect)
    if simple is not None:
        return simple
    plain = _plain_lines(text)
    if plain is not None:
        lines = [ln.split(",") for ln in plain[:1]]
    else:
        try:
            lines = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as exc:
            raise Unusable903Input(source, f"not readable as CSV ({exc})") from None
        lines = [ln for ln in lines if ln]  # blank lines are not rows (as DfE's tools read them)
    if not lines:
        raise Unusable903Input(source, "the file is empty")
    raw_names = lines[0]
    while raw_names and not raw_names[-1].strip():
        raw_names = raw_names[:-1]
    names = [n.strip().upper() for n in raw_names]
    if len(set(names)) != len(names):
        raise Unusable903Input(source, "the header line repeats a column name")
    name = _identify(names, source, expect)
    notes = _Notes(name)
    if names != raw_names:
        notes.add("header_case", None, None, "header names were read ignoring case and spaces")
    columns = COLUMNS[name]
    if plain is not None:
        del plain[0]  # the header line: the data lines remain
        fast = _tidy_body(plain, names, columns, notes)
        if fast is not None:
            return Table._from_columns(name, columns, *fast), notes.done()
        lines += [ln.split(",") for ln in plain]
    pairs = [(names.index(c), c) for c in columns]
    rows: list[tuple[str | None, ...]] = []
    numbers: list[int] = []
    for n, line in enumerate(lines[1:]):
        if len(line) > len(names) and any(c.strip() for c in line[len(names) :]):
            raise Unusable903Input(
                source, f"data row {n} has more cells than the header has columns"
            )
        cells = line[: len(names)] + [""] * (len(names) - len(line))
        if not any(c.strip() for c in cells):
            notes.add("blank_row", None, n, "an all-blank row was skipped")
            continue
        rows.append(tuple([_clean(cells[i], c, n, notes) for i, c in pairs]))
        numbers.append(n)
    return Table(name, columns, tuple(rows), tuple(numbers)), notes.done()


def _read_simple(text: str, expect: str | None) -> tuple[Table, tuple[ReadNote, ...]] | None:
    """The table in CSV text that needs no tolerance at all, or ``None`` to read it the long way.

    What this reads, the long way reads the same (it is a shortcut, and never refuses):
    no quote character, one kind of line end (``\n`` or ``\r\n``), no blank or all-blank
    line, a header of a 903 table's columns (any order, any case) and one cell per column on
    every line, no cell with spaces, lower-case letters or a ``.``, none too long for the
    csv module. The cells are split from the whole text at once, line ends read as one more
    cell, and each column is taken from that with a stride: no line or row is ever made.
    """
    if '"' in text:
        return None
    end = "\r\n" if "\r" in text else "\n"
    first = text.find(end)
    if first <= 0 or first > csv.field_size_limit():
        return None  # (a blank first line, or a header line the csv module may refuse)
    header = text[:first]
    if "\r" in header or "\n" in header:
        return None
    raw_names = header.split(",")
    names = [n.strip().upper() for n in raw_names]
    found = set(names)
    if len(found) != len(names):
        return None
    candidates = list(COLUMNS) if expect is None else [expect]
    name = next((t for t in candidates if found == set(COLUMNS.get(t, ()))), None)
    if name is None:
        return None
    width = len(names)
    body = text[first + len(end) :]
    if not body:
        return None
    if not _nothing_to_clean(body):
        return None
    if not body.endswith(end):
        body += end
    if not _short_cells(body):
        return None  # (maybe a cell too long for the csv module, which the long way refuses)
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
    cols: list[tuple[str | None, ...]] = []
    filled = False  # whether a column has no blank cell (so no line is all blank)
    for c in COLUMNS[name]:  # each column in canonical order, blank cells read as None
        col = cells[names.index(c) : -1 : width + 1]
        filled = filled or "" not in col
        cols.append(_column(col))
    if not filled and any(map(_all_blank, *cols)):
        return None  # (the long way skips an all-blank line, and notes it)
    notes = _Notes(name)
    if names != raw_names:
        notes.add("header_case", None, None, "header names were read ignoring case and spaces")
    return Table._from_columns(name, COLUMNS[name], cols, range(n_rows)), notes.done()


def _all_blank(*cells: str | None) -> bool:
    return cells.count(None) == len(cells)


def _short_cells(body: str) -> bool:
    """Whether no cell of unquoted CSV text can be longer than the csv module's field size limit.

    Checked without touching the cells: a cell longer than the limit would hold a whole
    stretch of half the limit (those that start at a multiple of it) with no ``,`` nor line
    end. (A cell of half the limit or more may be refused here too: the long way decides.)
    """
    step = csv.field_size_limit() // 2
    if step < 1:
        return False
    return all(
        body.find(",", a, a + step) >= 0 or body.find("\n", a, a + step) >= 0
        for a in range(0, len(body), step)
    )


def _plain_lines(text: str) -> list[str] | None:
    """The non-blank lines of CSV text with no quoting, or ``None`` when it needs the csv module.

    Without a quote character, what ``csv.reader`` gives for a line is exactly
    ``line.split(",")``; line ends are ``\n`` or ``\r\n`` (a lone ``\r``, which
    the csv module also reads as a line end, is left to it), and a line longer
    than the csv module's field size limit is left to it so it is refused the same.
    """
    if '"' in text:
        return None
    end = "\n"
    if "\r" in text:
        crlf = text.count("\r\n")
        if crlf == text.count("\r") == text.count("\n"):
            end = "\r\n"
        else:
            text = text.replace("\r\n", "\n")
            if "\r" in text:
                return None
    lines = text.split(end)
    if lines and not lines[-1]:
        lines.pop()
    if end + end in text or (lines and not lines[0]):
        lines = [ln for ln in lines if ln]
    if lines and max(map(len, lines)) > csv.field_size_limit():
        return None
    return lines


_BLANK_CELL: dict[str, None] = {"": None}
_SPACES = " \t\x0b\x0c\x1c\x1d\x1e\x1f"


def _tidy_body(
    body: list[str], names: list[str], columns: tuple[str, ...], notes: _Notes
) -> tuple[list[tuple[str | None, ...]], Sequence[int]] | None:
    """The columns (in canonical order) and row numbers of unquoted data lines, when
    nothing in them needs cleaning.

    That is: every line has one cell per column, and no cell has spaces, lower-case
    letters or a ``.`` (so :func:`_clean` would change nothing but blank to ``None``).
    Otherwise ``None``, and the caller reads the lines cell by cell.
    """
    width = len(names)
    if not body:
        return [() for _ in columns], ()
    if set(map(str.count, body, itertools.repeat(","))) != {width - 1}:
        return None
    joined = ",".join(body)
    if not _nothing_to_clean(joined):
        return None
    blank = "," * (width - 1)
    blanks = [n for n, line in enumerate(body) if line == blank] if blank in body else []
    # Nothing below needs the lines: letting them go (the caller's list is this one) spares
    # the garbage collector, which walks every young list item by item, from walking them
    # while the columns are made; for the same reason the columns are tuples, which it
    # stops tracking once it has seen them. No row tuple is made: the table makes its rows
    # from the columns if they are ever asked for.
    n_rows = len(body)
    body.clear()
    cells = joined.split(",")
    del joined
    numbers: Sequence[int] = range(n_rows)
    if blanks:
        for n in blanks:
            notes.add("blank_row", None, n, "an all-blank row was skipped")
        dropped = set(blanks)
        numbers = tuple(n for n in numbers if n not in dropped)
    cols: list[tuple[str | None, ...]] = []
    for c in columns:  # each column in canonical order, blank cells read as None
        col = cells[names.index(c) :: width]
        if blanks:
            col = list(map(col.__getitem__, numbers))
        cols.append(_column(col))
    return cols, numbers


def _nothing_to_clean(text: str) -> bool:
    """Whether no cell in ``text`` has spaces, lower-case letters, a ``.`` or non-ASCII text.

    Then :func:`_clean` would change nothing but blank to ``None``.
    """
    return (
        text.isascii()
        and "." not in text
        and not any(c in text for c in _SPACES)
        and text.upper() == text  # (ASCII: no lower-case letter; quicker than isupper)
    )


def _column(cells: list[str]) -> tuple[str | None, ...]:
    """One column's cells as the table holds them: a blank cell is ``None``."""
    if "" not in cells:
        return tuple(cells)
    if cells.count("") == len(cells):
        return (None,) * len(cells)
    return tuple(map(_BLANK_CELL.get, cells, cells))


_XML_NAMES = {"CHILDID": "CHILD", "PL": "PLACE"}


def _leaves(element: ET.Element) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for node in element:
        if len(node) == 0:
            out[_XML_NAMES.get(node.tag, node.tag)] = node.text
    return out


def read_xml(data: bytes, *, source: str = "<input>") -> Return903:
    """Read the Header, Episodes and Missing tables from an XML 903 return (``EXPSSDA903``).

    Each ``CHILD`` gives one Header row from its ``HEADER``, one Episodes row per
    ``EPISODE`` and one Missing row per ``AMISSING`` inside the ``HEADER`` (with
    the child's ``CHILDID`` and ``DOB``), in document order.
    """
    if not data.strip():
        raise Unusable903Input(source, "the file is empty")
    upper = data.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise Unusable903Input(source, "XML with a DOCTYPE or entity declarations is refused")
    try:
        root = ET.fromstring(data)  # DOCTYPE and entity declarations were refused above
    except ET.ParseError as exc:
        raise Unusable903Input(
            source, f"not well-formed XML (line {exc.position[0]}, column {exc.position[1]})"
        ) from None
    if root.tag != "EXPSSDA903":
        raise Unusable903Input(source, "not an SSDA903 XML return: expected root EXPSSDA903")
    children = [c for c in root if c.tag == "CHILD"]
    if not children:
        raise Unusable903Input(source, "the XML return holds no CHILD records")
    records: dict[str, list[dict[str, str | None]]] = {"Header": [], "Episodes": [], "Missing": []}
    for child in children:
        header_el = child.find("HEADER")
        header = _leaves(header_el) if header_el is not None else {}
        records["Header"].append(header)
        for el in child.findall("EPISODE"):
            records["Episodes"].append({"CHILD": header.get("CHILD"), **_leaves(el)})
        if header_el is not None:
            for el in header_el.findall("AMISSING"):
                records["Missing"].append(
                    {"CHILD": header.get("CHILD"), "DOB": header.get("DOB"), **_leaves(el)}
                )
    tables: dict[str, Table] = {}
    all_notes: list[ReadNote] = []
    for name, recs in records.items():
        notes = _Notes(name)
        columns = COLUMNS[name]
        rows = tuple(
            tuple([None if (v := r.get(c)) is None else _clean(v, c, n, notes) for c in columns])
            for n, r in enumerate(recs)
        )
        tables[name] = Table(name, columns, rows)
        all_notes.extend(notes.done())
    return Return903(
        header=tables["Header"],
        episodes=tables["Episodes"],
        missing=tables["Missing"],
        notes=tuple(all_notes),
    )


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
) -> Return903:
    """Read a return from files: an XML return, or CSV tables (each checked for its kind).

    ``missing_last`` (last year's Missing table) may be CSV or XML, beside either.
    """
    notes: list[ReadNote] = []
    tables: dict[str, Table | None] = {"Header": None, "Episodes": None, "Missing": None}
    if xml is not None:
        if any(p is not None for p in (header, episodes, missing)):
            raise Unusable903Input(str(xml), "give either an XML return or CSV tables, not both")
        ret = _read_xml_file(xml)
        tables = {"Header": ret.header, "Episodes": ret.episodes, "Missing": ret.missing}
        notes.extend(ret.notes)
    for name, path in (("Header", header), ("Episodes", episodes), ("Missing", missing)):
        if path is not None:
            table, found = read_csv_with_notes(_load(path), source=str(path), expect=name)
            tables[name] = table
            notes.extend(found)
    last: Table | None = None
    if missing_last is not None:
        if str(missing_last).lower().endswith(".xml"):
            last_ret = _read_xml_file(missing_last)
            last = last_ret.missing
            notes.extend(
                _relabel((n for n in last_ret.notes if n.table == "Missing"), "Missing_last")
            )
        else:
            last, found = read_csv_with_notes(
                _load(missing_last), source=str(missing_last), expect="Missing"
            )
            notes.extend(_relabel(found, "Missing_last"))
    return Return903(
        header=tables["Header"],
        episodes=tables["Episodes"],
        missing=tables["Missing"],
        missing_last=last,
        notes=tuple(notes),
    )


def _read_xml_file(path: str | Path) -> Return903:
    return read_xml(_load(path), source=str(path))


def _relabel(notes: Iterable[ReadNote], table: str) -> list[ReadNote]:
    return [ReadNote(table, n.code, n.message, n.column, n.rows) for n in notes]
