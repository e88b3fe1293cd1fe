"""The SSDA903 tables this adapter reads and writes, as plain values.

A table keeps the *text* of each cell (``None`` for blank): DfE's rules tell a
blank date from an unparseable one, so parsing is left to the rules. Each row
keeps its 0-based index in the input (header line excluded), which is what a
finding names.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, overload

import attrs

__all__ = [
    "CLEANINGS",
    "COLUMNS",
    "CollectionYear",
    "Missing903Row",
    "ReadNote",
    "Return903",
    "Table",
    "format_903_date",
    "parse_903_date",
    "tidy",
]

#: The columns of each table, in DfE order (903V ``lac_validator/config.py``).
COLUMNS: dict[str, tuple[str, ...]] = {
    "Header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "Episodes": (
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    ),
    "Missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
}

# What DfE's validator accepts as ``%d/%m/%Y`` (pandas' strptime): day and
# month with or without a leading zero, a four-digit year, nothing else.
_DATE = re.compile(r"(3[01]|[12][0-9]|0[1-9]|[1-9]| [1-9])/(1[0-2]|0[1-9]|[1-9])/([0-9]{4})")
# pandas' Timestamp range: dates outside it are "not a valid date" to the validator.
_MIN = date(1677, 9, 22)
_MAX = date(2262, 4, 11)


@functools.lru_cache(maxsize=1 << 16)
def parse_903_date(text: str | None) -> date | None:
    """The date in a 903 cell (``dd/mm/yyyy``), or ``None`` when blank or not a valid date.

    >>> parse_903_date("1/6/2025")
    datetime.date(2025, 6, 1)
    >>> parse_903_date("31/02/2025") is None
    True
    """
    return _parse_date(text)


def _parse_date(text: str | None) -> date | None:
    """:func:`parse_903_date` without its cache (callers that parse a column keep their own)."""
    if text is None:
        return None
    if len(text) == 10 and text[2] == "/" and text[5] == "/" and text.isascii():
        # the usual dd/mm/yyyy: ASCII digits in each place are what the pattern below
        # accepts, and date() refuses a day or month out of range (00, 32, 13...) as it does
        day, month, year = text[:2], text[3:5], text[6:]
        if day.isdigit() and month.isdigit() and year.isdigit():
            try:
                value = date(int(year), int(month), int(day))
            except ValueError:
                return None
            return value if _MIN <= value <= _MAX else None
    m = _DATE.fullmatch(text)
    if m is None:
        return None
    try:
        value = date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return value if _MIN <= value <= _MAX else None


def format_903_date(day: date) -> str:
    """A date as 903 writes it: ``dd/mm/yyyy``.

    >>> format_903_date(date(2025, 6, 1))
    '01/06/2025'
    """
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


@attrs.frozen
class CollectionYear:
    """A 903 collection year: 1 April to 31 March.

    Written ``2025/26``; DfE's validator names it by the year it ends (``2026``).

    >>> y = CollectionYear.parse("2025/26")
    >>> (y.start.isoformat(), y.end.isoformat(), y.validator_name)
    ('2025-04-01', '2026-03-31', '2026')
    """

    start_year: int

    @classmethod
    def parse(cls, text: str) -> CollectionYear:
        """Read ``2025/26`` (or ``2025-26``); raise ``ValueError`` on anything else."""
        m = re.fullmatch(r"\s*(\d{4})\s*[/-]\s*(\d{2}|\d{4})\s*", text)
        if m is None:
            raise ValueError("expected a collection year written like 2025/26")
        first = int(m[1])
        second = int(m[2])
        if second % 100 != (first + 1) % 100 or (second >= 100 and second != first + 1):
            raise ValueError("expected consecutive years, like 2025/26")
        return cls(first)

    @property
    def start(self) -> date:
        """1 April: the first day of the collection year."""
        return date(self.start_year, 4, 1)

    @property
    def end(self) -> date:
        """31 March: the last day of the collection year."""
        return date(self.start_year + 1, 3, 31)

    @property
    def previous(self) -> CollectionYear:
        """The year before (whose Missing table is "last year's")."""
        return CollectionYear(self.start_year - 1)

    @property
    def validator_name(self) -> str:
        """The name DfE's validator uses: the year the collection ends."""
        return str(self.start_year + 1)

    def __str__(self) -> str:
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"


@attrs.frozen
class ReadNote:
    """Something the reader read around, or (when asked) cleaned, so the user can fix the source.

    ``code`` is stable: what is not a cell (``bom``, ``header_case``,
    ``trailing_columns``), and with ``tolerant=True`` each cleaning
    (:data:`CLEANINGS`: ``whitespace``, ``lower_case_code``, ``float_artefact``,
    ``iso_date``, ``midnight``); ``rows`` are the data rows concerned. Never
    contains the value itself.
    """

    table: str
    code: str
    message: str
    column: str | None = None
    rows: tuple[int, ...] = ()


class _Cells:
    """Private state of a :class:`Table` read from CSV: its cells as columns, its row numbers.

    A table that :func:`~missingcare.adapters.ssda903.read_csv` read from a tidy file (one
    with nothing to clean) has them; its ``rows`` and ``row_numbers`` are made from them on
    first use (the same values, made once), so reading and validating, which only needs the
    columns, never makes them. Not part of the table's value: neither compared, shown nor
    pickled (a copy or an unpickled table has its rows, and no columns kept).
    """

    __slots__ = ("_cells",)


_BLANK_CELL: dict[str, None] = {"": None}


def _column(cells: Sequence[str]) -> tuple[str | None, ...]:
    """One column's cells as a table holds them: a blank cell is ``None``."""
    if "" not in cells:
        return tuple(cells)
    if cells.count("") == len(cells):
        return (None,) * len(cells)
    return tuple(map(_BLANK_CELL.get, cells, cells))


class _Split(Sequence[tuple[str | None, ...]]):
    """The columns of a table read from CSV text split into cells, each made on first use.

    ``cells`` is every cell of the text, row after row, ``stride`` apart, column ``i``
    starting at ``where[i]``; the rules read a few of a table's columns (4 of the 13 of
    Episodes), so the others are never made. Once every column is made, the cells go.
    """

    __slots__ = ("_cells", "_made", "_stride", "_where")

    def __init__(self, cells: list[str], where: list[int], stride: int) -> None:
        # (a tuple: the garbage collector stops walking it once it has seen it, where it
        # would walk a list of every cell at each collection while the table lives)
        self._cells: tuple[str, ...] | None = tuple(cells)
        self._where = where
        self._stride = stride
        self._made: list[tuple[str | None, ...] | None] = [None] * len(where)

    def __len__(self) -> int:
        return len(self._where)

    @overload
    def __getitem__(self, i: int) -> tuple[str | None, ...]: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[tuple[str | None, ...]]: ...
    def __getitem__(
        self, i: int | slice
    ) -> tuple[str | None, ...] | Sequence[tuple[str | None, ...]]:
        if isinstance(i, slice):
            return [self[j] for j in range(len(self))[i]]
        made = self._made[i]
        if made is None:
            assert self._cells is not None  # (kept until every column is made)
            made = self._made[i] = _column(self._cells[self._where[i] : -1 : self._stride])
            if None not in self._made:
                self._cells = None
        return made


_LAZY = frozenset({"rows", "row_numbers"})


@attrs.frozen
class Table(_Cells):
    """One 903 table: its name, canonical columns, and the text of each cell.

    ``row_numbers[i]`` is the 0-based index in the input of ``rows[i]``
    (rows the reader skipped, such as all-blank rows, leave a hole).
    """

    name: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]
    row_numbers: tuple[int, ...] = attrs.field()

    @row_numbers.default
    def _default_numbers(self) -> tuple[int, ...]:
        return tuple(range(len(self.rows)))

    def __attrs_post_init__(self) -> None:
        if len(self.row_numbers) != len(self.rows):
            raise ValueError("expected one row number per row")
        width = len(self.columns)
        if not set(map(len, self.rows)) <= {width}:
            raise ValueError("expected every row to have one cell per column")

    if not TYPE_CHECKING:  # (hidden from type checkers, which would accept any name)

        def __getattr__(self, name: str) -> Any:
            # only reached when a slot is unset: ``rows``/``row_numbers`` of a table made
            # by ``_from_columns`` before their first use
            if name not in _LAZY:
                raise AttributeError(name)
            try:
                cells, numbers = object.__getattribute__(self, "_cells")
            except AttributeError:
                raise AttributeError(name) from None
            # (rows: a list first, as a tuple grown from an iterator keeps re-entering the
            # collector's youngest generation, where every collection walks it again)
            rows = list(zip(*cells, strict=True)) if name == "rows" else numbers
            value = tuple(rows)
            object.__setattr__(self, name, value)
            return value

    @classmethod
    def _from_columns(
        cls,
        name: str,
        columns: tuple[str, ...],
        cells: Sequence[tuple[str | None, ...]],
        numbers: Sequence[int],
    ) -> Table:
        """A table of these columns' cells (one tuple per column, all of one length, a
        ``range`` or tuple of row numbers as long): what ``Table(name, columns, rows,
        numbers)`` would be, its rows made on first use."""
        table: Table = object.__new__(cls)
        object.__setattr__(table, "name", name)
        object.__setattr__(table, "columns", columns)
        kept = cells if isinstance(cells, _Split) else tuple(cells)
        object.__setattr__(table, "_cells", (kept, numbers))
        return table

    def _column_cells(
        self,
    ) -> tuple[Sequence[tuple[str | None, ...]], Sequence[int]] | None:
        """The columns and row numbers kept by ``_from_columns``, if this table has them."""
        try:
            return object.__getattribute__(self, "_cells")  # type: ignore[no-any-return]
        except AttributeError:
            return None

    def column(self, name: str) -> tuple[str | None, ...]:
        """Every cell of one column, in row order."""
        i = self.columns.index(name)
        kept = self._column_cells()
        if kept is not None:
            return kept[0][i]
        return tuple(r[i] for r in self.rows)

    def records(self) -> tuple[dict[str, str | None], ...]:
        """Each row as a mapping from column to cell text."""
        return tuple(dict(zip(self.columns, r, strict=True)) for r in self.rows)

    @classmethod
    def from_records(
        cls, name: str, records: tuple[dict[str, str | None], ...] | list[dict[str, str | None]]
    ) -> Table:
        """Build a table in canonical column order; absent keys are blank."""
        columns = COLUMNS[name]
        return cls(name, columns, tuple(tuple(r.get(c) for c in columns) for r in records))

    def __len__(self) -> int:
        kept = self._column_cells()
        if kept is not None:
            return len(kept[1])
        return len(self.rows)


_DATE_COLUMNS = frozenset({"DOB", "MC_DOB", "DECOM", "DEC", "MIS_START", "MIS_END"})
_FLOAT_ARTEFACT = re.compile(r"([0-9]+)\.0+")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T]00:00(?::00)?)?")
_MIDNIGHT = re.compile(r"([0-9]{1,2}/[0-9]{1,2}/[0-9]{4}) 00:00(?::00)?")

#: What :func:`tidy` does to a cell, by note code: each is reported, never silent.
CLEANINGS: dict[str, str] = {
    "whitespace": "surrounding spaces were removed",
    "lower_case_code": "lower-case letters were read as upper-case",
    "float_artefact": "a spreadsheet's '.0' was removed from a code",
    "iso_date": "a date written yyyy-mm-dd was read as dd/mm/yyyy",
    "midnight": "a time of 00:00 after a date was removed",
}


def _tidy_cell(text: str, column: str) -> tuple[str | None, list[str]]:
    """A cell cleaned as :func:`tidy` cleans it, and the codes of what was done."""
    done: list[str] = []
    value = text.strip()
    if value != text:
        done.append("whitespace")
    if not value:
        return None, done
    upper = value.upper()
    if upper != value:
        done.append("lower_case_code")
        value = upper
    if column in _DATE_COLUMNS:
        if (m := _ISO_DATE.fullmatch(value)) is not None:
            done.append("iso_date")
            value = f"{m[3]}/{m[2]}/{m[1]}"
        elif (m := _MIDNIGHT.fullmatch(value)) is not None:
            done.append("midnight")
            value = m[1]
    elif "." in value and (m := _FLOAT_ARTEFACT.fullmatch(value)) is not None:
        done.append("float_artefact")
        value = m[1]
    return value, done


def tidy(table: Table) -> tuple[Table, tuple[ReadNote, ...]]:
    """The table with what can be cleaned without guessing cleaned, and a note for each kind.

    Asked for with ``tolerant=True`` (the readers, :func:`validate`, ``--tolerant``);
    by default the rules see the cells as submitted. Cleans surrounding spaces (a cell
    of spaces becomes blank), lower-case letters, a spreadsheet's ``1234.0`` in a code,
    ``2025-05-17`` (and a midnight time after a date) in a date column. A date with a
    two-digit year (``17/5/25``) is left as it is: its century would be a guess. Each
    note names the column and rows (:data:`CLEANINGS`), never the value.

    >>> t = Table.from_records("Missing", [{"CHILD": "C1", "MISSING": " m",
    ...                                     "MIS_START": "2025-05-17"}])
    >>> clean, notes = tidy(t)
    >>> clean.rows[0]
    ('C1', None, 'M', '17/05/2025', None)
    >>> sorted((n.code, n.column, n.rows) for n in notes)  # doctest: +NORMALIZE_WHITESPACE
    [('iso_date', 'MIS_START', (0,)), ('lower_case_code', 'MISSING', (0,)),
     ('whitespace', 'MISSING', (0,))]
    """
    found: dict[tuple[str, str], list[int]] = {}
    numbers = table.row_numbers
    cols: list[tuple[str | None, ...]] = []
    for column in table.columns:
        cells = table.column(column)
        out: list[str | None] = list(cells)
        for i, cell in enumerate(cells):
            if cell is None:
                continue
            value, done = _tidy_cell(cell, column)
            if done:
                out[i] = value
                for code in done:
                    found.setdefault((code, column), []).append(numbers[i])
        cols.append(tuple(out))
    if not found:
        return table, ()
    notes = tuple(
        ReadNote(table.name, code, CLEANINGS[code], column, tuple(rows))
        for (code, column), rows in found.items()
    )
    rows = tuple(zip(*cols, strict=True)) if cols else ()
    return Table(table.name, table.columns, rows, numbers), notes


@attrs.frozen
class Missing903Row:
    """One row of the Missing table: a missing (``M``) or away (``A``) episode.

    Cells are the 903 text (dates ``dd/mm/yyyy``; ``mis_end`` blank = open).
    """

    child: str
    dob: str | None
    missing: str
    mis_start: str
    mis_end: str | None = None

    def as_record(self) -> dict[str, str | None]:
        """The row keyed by 903 column name."""
        return {
            "CHILD": self.child,
            "DOB": self.dob,
            "MISSING": self.missing,
            "MIS_START": self.mis_start,
            "MIS_END": self.mis_end,
        }


@attrs.frozen
class Return903:
    """The tables of one 903 return that the missing-episode rules need.

    ``missing_last`` is last year's Missing table (used by rule 576); any
    table may be absent, and a rule that needs an absent table is not run.
    ``notes`` says what the reader tolerated.
    """

    header: Table | None = None
    episodes: Table | None = None
    missing: Table | None = None
    missing_last: Table | None = None
    notes: tuple[ReadNote, ...] = ()
