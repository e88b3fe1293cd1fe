"""DfE's SSDA903 validation rules for missing and away episodes, as named values.

Each :class:`Rule` carries its DfE code and message, the tables it needs and
the fields it names; :func:`validate` runs the edition for a collection year
and returns one :class:`RowError` per (rule, table, row) — a *validation
error* in DfE's words, a row that breaks a rule; not a rule pack's
:class:`~missingcare.findings.Finding`, which judges a case against an
expectation. Rules are evaluated independently of each other, on the same
unchanged input. Editions are composed as a rule pack's are (the previous
year plus added rules minus withdrawn codes, :mod:`missingcare._editions`);
periods of care come from the interval engine
(:mod:`missingcare.adapters.ssda903.intervals`).

The logic follows DfE's public validator (``csc-validator-be-903``, source key
903V in the domain research) rule by rule, including which row rule 574 flags
(the DfE portal's choice, see the how-to). Where that validator's answer is an
accident of its implementation, the how-to says what we do and why.

Row errors tell *why* a date failed: ``blank``, ``unparseable`` (not a
``dd/mm/yyyy`` date) or ``out_of_range`` — the validator skips unparseable
dates silently in every comparison rule, so only 1004/1005 report them.
"""

from __future__ import annotations

import itertools
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from datetime import date
from typing import cast

import attrs

from missingcare._deprecated import moved
from missingcare._editions import compose_editions
from missingcare.adapters.ssda903.intervals import Span, chain_periods, containing
from missingcare.adapters.ssda903.tables import (
    CollectionYear,
    ReadNote,
    Return903,
    Table,
    _parse_date,
    tidy,
)

__all__ = [
    "CODE_LISTS",
    "EDITIONS",
    "RULES",
    "CodeList",
    "RowError",
    "Rule",
    "ValidationReport",
    "code_lists_for",
    "rules_for",
    "validate",
]

_FAR_FUTURE = date(2099, 1, 1)  # what 576 puts in place of a blank or invalid start


@attrs.frozen
class RowError:
    """One row that breaks one rule: what DfE and its validator call a validation error.

    A value, not an exception. (It was called ``Finding``; that name still
    works, with a ``DeprecationWarning``, for one minor release.)

    ``row`` is the 0-based index of the data row in that table's input (header
    line excluded). ``problem`` says what kind of failure it is: ``blank``,
    ``unparseable``, ``out_of_range``, ``overlap``, ``previous_open``,
    ``not_carried``, ``outside_care``, ``wrong_reason``, ``unknown_code``,
    ``unknown_child``, ``mismatch`` or ``inconsistent``.
    """

    rule: str
    table: str
    row: int
    fields: tuple[str, ...]
    problem: str

    @property
    def message(self) -> str:
        """DfE's message for the rule."""
        return RULES[self.rule].message


@attrs.frozen
class CodeList:
    """A list of codes one collection year's rules accept, as data (``name`` is its code)."""

    name: str
    codes: tuple[str, ...]
    source: str = "903V"


_NEVER = date.max  # sorts after every date a 903 cell can hold (they end in 2262)
_DAYS = 1 << 22  # more than date.max's day number: (a * _DAYS + b) sorts as (a, b)
_BLANK_DAY = _NEVER.toordinal()


class _Seen(dict[str | None, date | None]):
    """The date of each cell text seen so far: a text not seen yet is parsed when first met."""

    def __missing__(self, text: str) -> date | None:
        value = self[text] = _parse_date(text)
        return value


class _Dates:
    """Parses each distinct date text once per validation (a dict of this run, no global cache)."""

    def __init__(self) -> None:
        self._seen = _Seen({None: None})

    def column(self, cells: tuple[str | None, ...]) -> tuple[date | None, ...]:
        """The dates of a column's cells (a tuple: the garbage collector soon stops walking it)."""
        return tuple(map(self._seen.__getitem__, cells))

    def parsed(self) -> Iterable[date | None]:
        """Every date parsed so far."""
        return self._seen.values()


def _runs(keys: tuple[str | None, ...]) -> tuple[list[str | None], list[int], list[int]]:
    """The runs of equal keys, in order: each run's key, and where it starts and ends."""
    n = len(keys)
    if not n:
        return [], [], []
    starts = [0, *itertools.compress(range(1, n), map(operator.ne, keys[1:], keys))]
    ends = [*starts[1:], n]
    return list(map(keys.__getitem__, starts)), starts, ends


def _positions(
    keys: tuple[str | None, ...], runs: tuple[list[str | None], list[int], list[int]] | None = None
) -> dict[str, Sequence[int]]:
    """The positions of each non-blank key, in order: a ``range`` for rows that are together.

    Ranges are not tracked by the garbage collector, so a large table leaves it little to do.
    """
    firsts, starts, ends = _runs(keys) if runs is None else runs
    distinct = set(firsts)
    if len(distinct) == len(firsts) and None not in distinct:  # each key's rows are together
        return dict(zip(firsts, map(range, starts, ends), strict=True))  # type: ignore[arg-type]
    # rows apart: gather each key's positions in one pass (a shuffled table has as many
    # runs as rows, so going run by run would cost more)
    gathered: dict[str | None, list[int]] = {}
    get = gathered.get
    for i, key in enumerate(keys):
        found = get(key)
        if found is None:
            gathered[key] = [i]
        else:
            found.append(i)
    return {
        key: range(found[0], found[0] + 1) if len(found) == 1 else tuple(found)
        for key, found in gathered.items()
        if key is not None
    }


def _columns(table: Table, names: tuple[str, ...]) -> list[tuple[str | None, ...]]:
    """The cells of the named columns of a table, one tuple per column."""
    where = [table.columns.index(c) for c in names]
    kept = table._column_cells()  # (a table read from CSV keeps its columns)
    if kept is not None:
        return [kept[0][i] for i in where]
    return [tuple(map(operator.itemgetter(i), table.rows)) for i in where]


def _row_numbers(table: Table) -> Sequence[int]:
    """A table's row numbers (a ``range`` when a table read from CSV skipped no row)."""
    kept = table._column_cells()
    return table.row_numbers if kept is None else kept[1]


_MISSING_COLUMNS = ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END")


class _Missing:
    """A Missing table as columns in input order (``row`` the input row numbers), dates parsed.

    ``by_child`` lists, for each non-blank child, the positions of its rows; ``child_runs``
    gives the runs of equal cells of the child column, in order: each one's cell and length.
    """

    __slots__ = (
        "by_child",
        "child",
        "child_runs",
        "dob",
        "ed",
        "end",
        "kind",
        "row",
        "sd",
        "start",
    )

    def __init__(self, table: Table | None, dates: _Dates, *, last_year: bool = False) -> None:
        self.row: Sequence[int] = ()
        cols: list[tuple[str | None, ...]] = [(), (), (), (), ()]
        if table is not None:
            self.row = _row_numbers(table)
            # (of last year's table, rule 576 reads only the child, start and end)
            names = ("CHILD", "MIS_START", "MIS_END") if last_year else _MISSING_COLUMNS
            cols = _columns(table, names)
            if last_year:
                cols = [cols[0], (), (), cols[1], cols[2]]
        self.child, dob, self.kind, self.start, self.end = cols
        self.sd: tuple[date | None, ...] = dates.column(self.start)
        self.dob: tuple[date | None, ...] = ()
        self.ed: tuple[date | None, ...] = ()
        self.by_child: dict[str, Sequence[int]] = {}
        self.child_runs: tuple[tuple[str | None, ...], tuple[int, ...]] = ((), ())
        if last_year:
            return
        self.dob = dates.column(dob)
        self.ed = dates.column(self.end)
        runs = _runs(self.child)
        self.by_child = _positions(self.child, runs)
        # (tuples, which the garbage collector stops walking once it has seen them)
        self.child_runs = (tuple(runs[0]), tuple(map(operator.sub, runs[2], runs[1])))


class _Data:
    """The input parsed once, as columns with per-child indexes, shared by all rules (read-only)."""

    def __init__(self, ret: Return903, year: CollectionYear) -> None:
        self.year = year
        self.codes = code_lists_for(year)
        self.has = {
            "Header": ret.header is not None,
            "Episodes": ret.episodes is not None,
            "Missing": ret.missing is not None,
            "Missing_last": ret.missing_last is not None,
        }
        self._dates = dates = _Dates()
        self._days: dict[date, int] | None = None
        self.missing = _Missing(ret.missing, dates)
        self.missing_last = _Missing(ret.missing_last, dates, last_year=True)
        #: the Episodes table as columns (``ep_row`` the input row numbers), and the
        #: positions of each child's rows
        self.ep_row: Sequence[int] = ()
        self.ep_decom: tuple[date | None, ...] = ()
        self.ep_dec: tuple[date | None, ...] = ()
        self.ep_rec: tuple[str | None, ...] = ()
        self.episodes_by_child: dict[str, Sequence[int]] = {}
        if ret.episodes is not None:
            child, decom, dec, self.ep_rec = _columns(
                ret.episodes, ("CHILD", "DECOM", "DEC", "REC")
            )
            self.ep_row = _row_numbers(ret.episodes)
            self.ep_decom = dates.column(decom)
            self.ep_dec = dates.column(dec)
            self.episodes_by_child = _positions(child)
        #: each child's date of birth in the Header table (for a child with several Header
        #: rows, the last one's), and every row's for the children with several
        self.header_dob: dict[str | None, date | None] = {}
        self.header_dobs: dict[str, Sequence[date | None]] = {}
        if ret.header is not None:
            h_child, h_dob = _columns(ret.header, ("CHILD", "DOB"))
            dobs = dates.column(h_dob)
            self.header_dob = dict(zip(h_child, dobs, strict=True))
            self.header_dob.pop(None, None)
            if len(self.header_dob) != len(h_child) - h_child.count(None):
                self.header_dobs = {
                    c: [dobs[i] for i in p] for c, p in _positions(h_child).items() if len(p) > 1
                }
        self._care: tuple[list[int], list[int], list[int]] | None = None

    def day_numbers(self) -> dict[date, int]:
        """The day number (``toordinal``) of every date in the input."""
        if self._days is None:
            self._days = {x: x.toordinal() for x in self._dates.parsed() if x is not None}
        return self._days

    def care(self) -> tuple[list[int], list[int], list[int]]:
        """The Missing rows that rules 577, 578 and 581 flag, found in one pass.

        577: the episode has no end but care ended, or it ends outside every period
        of care. 578: it starts outside every period of care. 581: it starts in no
        episode (or its start is not a date). 577 and 578 need a period of care; 581
        needs an Episodes row.
        """
        if self._care is not None:
            return self._care
        r577: list[int] = []
        r578: list[int] = []
        r581: list[int] = []
        m = self.missing
        sd, ed, rows = m.sd, m.ed, m.row
        decoms, decs = self.ep_decom, self.ep_dec
        for child, positions in m.by_child.items():
            eps = self.episodes_by_child.get(child)
            if not eps:
                continue
            chain = _one_chain(eps, decoms, decs)
            if chain is not None:
                # one episode, or episodes each starting the day the one before ended (in
                # input order): one period of care, which every day of it is in an episode
                # of (what chain_periods and containing give, without building spans)
                p_start, p_end = chain
                for i in positions:
                    s = sd[i]
                    if s is None:
                        r581.append(rows[i])
                        continue
                    if s < p_start or (p_end is not None and s > p_end):
                        r578.append(rows[i])
                        r581.append(rows[i])
                    e = ed[i]
                    if e is None:
                        if p_end is not None or s < p_start:
                            r577.append(rows[i])
                    elif (p_end is not None and e > p_end) or e < p_start:
                        r577.append(rows[i])
                continue
            spans = [Span(a, decs[j], j) for j in eps if (a := decoms[j]) is not None]
            periods = chain_periods(spans)
            for i in positions:
                s = sd[i]
                if s is None or not containing(spans, s):
                    r581.append(rows[i])
                if s is None or not periods:
                    continue
                if not any(p.contains(s) for p in periods):
                    r578.append(rows[i])
                e = ed[i]
                if e is None:  # open: out unless a period still open had started by then
                    out = not any(p.end is None and not s < p.start for p in periods)
                else:
                    out = not any(p.contains(e) for p in periods)
                if out:
                    r577.append(rows[i])
        self._care = (r577, r578, r581)
        return self._care


def _one_chain(
    eps: Sequence[int], decoms: Sequence[date | None], decs: Sequence[date | None]
) -> tuple[date, date | None] | None:
    """The start and end of a child's episodes when they chain without a gap or an overlap
    (each starts on the day the one before ended, in input order, and none ends before
    it starts; only the last may be open), else ``None``."""
    first = decoms[eps[0]]
    if first is None:
        return None
    end = decs[eps[0]]
    if end is not None and end < first:
        return None
    for j in itertools.islice(eps, 1, None):
        start = decoms[j]
        if end is None or start != end:
            return None
        end = decs[j]
        if end is not None and end < start:  # (ends before it starts)
            return None
    return first, end


_Hit = tuple[str, int, str]  # (table, row, problem)


@attrs.frozen
class Rule:
    """A DfE 903 validation rule: code, message, what it needs and names, and its check."""

    code: str
    message: str
    tables: tuple[str, ...]
    fields: tuple[str, ...]
    check: Callable[[_Data], Iterable[_Hit]] = attrs.field(repr=False)
    source: str = "903V"

    def run(self, data: _Data) -> Iterator[RowError]:
        """The rows this rule flags (nothing when a table it needs is absent)."""
        if not all(data.has[t] for t in self.tables):
            return
        code, fields = self.code, self.fields
        for table, row, problem in self.check(data):  # each check yields a row once
            yield RowError(code, table, row, fields, problem)


# ---- the rules -------------------------------------------------------------------------
# Each rule reads the columns of ``_Data``; a cheap whole-column test (``None in ...``,
# a set or a min/max) skips the row-by-row pass when no row can be flagged.


def _missing_hits(rows: Iterable[int], problem: str) -> list[_Hit]:
    return [("Missing", r, problem) for r in rows]


def _blank(cells: Sequence[object]) -> Iterator[int]:
    """The positions of the blank (``None``) cells of a column."""
    return itertools.compress(range(len(cells)), map(operator.is_, cells, itertools.repeat(None)))


def _r564(d: _Data) -> list[_Hit]:
    m = d.missing
    kinds = d.codes["MISSING"]
    any_case = {*kinds, *(k.lower() for k in kinds)}  # (as 903V's 564 reads them)
    return _missing_hits((m.row[i] for i in _blank(m.start) if m.kind[i] in any_case), "blank")


def _r565(d: _Data) -> list[_Hit]:
    m = d.missing
    return _missing_hits((m.row[i] for i in _blank(m.kind) if m.start[i] is not None), "blank")


def _r566(d: _Data) -> list[_Hit]:
    m = d.missing
    return _missing_hits((m.row[i] for i in _blank(m.kind) if m.end[i] is not None), "blank")


def _r567(d: _Data) -> list[_Hit]:
    m = d.missing
    return _missing_hits(
        (r for r, s, e in zip(m.row, m.sd, m.ed, strict=True)
         if s is not None and e is not None and s > e),
        "out_of_range",
    )  # fmt: skip


def _r570(d: _Data) -> list[_Hit]:
    m, end = d.missing, d.year.end
    late = {s for s in set(m.sd) if s is not None and s > end}  # (each distinct date once)
    if not late:
        return []
    return _missing_hits(itertools.compress(m.row, map(late.__contains__, m.sd)), "out_of_range")


def _r571(d: _Data) -> list[_Hit]:
    m, start, end = d.missing, d.year.start, d.year.end
    outside = {e for e in set(m.ed) if e is not None and (e < start or e > end)}
    if not outside:
        return []
    return _missing_hits(itertools.compress(m.row, map(outside.__contains__, m.ed)), "out_of_range")


def _r574(d: _Data) -> list[_Hit]:
    # DfE portal order: per child by end (an open end takes its start), then start, then
    # input order; each row is compared with the one before it, and the *later* row is
    # flagged. A blank end or start sorts after every date. The sort key is one int (end,
    # else start, then start, as day numbers); sorting is stable, so ties keep input order.
    m = d.missing
    sd, ed, rows = m.sd, m.ed, m.row
    day = cast("Callable[[date | None, int], int]", d.day_numbers().get)
    repeat = itertools.repeat
    start = list(map(day, sd, repeat(_BLANK_DAY)))
    keys = list(
        map(
            operator.add,
            map(operator.mul, map(day, ed, start), repeat(_DAYS)),  # end, else start
            start,
        )
    )
    hits: list[_Hit] = []
    for positions in m.by_child.values():
        if len(positions) < 2:
            continue
        for p, c in itertools.pairwise(sorted(positions, key=keys.__getitem__)):
            prev_end = ed[p]
            if prev_end is None:
                hits.append(("Missing", rows[c], "previous_open"))
            else:
                cur = sd[c]
                if cur is not None and cur < prev_end:
                    hits.append(("Missing", rows[c], "overlap"))
    return hits


def _r575(d: _Data) -> list[_Hit]:
    m = d.missing
    hits: list[int] = []
    for i in itertools.compress(range(len(m.end)), map(operator.not_, m.end)):  # open rows
        r, child, sd = m.row[i], m.child[i], m.sd[i]
        if sd is None or child is None:
            continue
        for j in d.episodes_by_child.get(child, ()):
            decom, dec = d.ep_decom[j], d.ep_dec[j]
            if decom is not None and dec is not None and decom <= sd <= dec:
                hits.append(r)
                break
    return _missing_hits(hits, "blank")


def _r576(d: _Data) -> list[_Hit]:
    m, last = d.missing, d.missing_last
    open_last: defaultdict[str, list[date]] = defaultdict(list)
    for child, sd, end in zip(last.child, last.sd, last.end, strict=True):
        if end is None and sd is not None and child is not None:
            open_last[child].append(sd)
    hits: list[int] = []
    starts = [s or _FAR_FUTURE for s in m.sd]
    for child, positions in m.by_child.items():
        carried = open_last.get(child)
        if not carried:
            continue
        first = min(positions, key=starts.__getitem__)  # the first of equal starts
        start = starts[first]
        if any(s != start for s in carried):
            hits.append(m.row[first])
    return _missing_hits(hits, "not_carried")


def _r577(d: _Data) -> list[_Hit]:
    return _missing_hits(d.care()[0], "outside_care")


def _r578(d: _Data) -> list[_Hit]:
    return _missing_hits(d.care()[1], "outside_care")


_NO_DATE = object()  # equal to no date (nor to None)


def _eighteenth(dob: date) -> date:
    try:
        return dob.replace(year=dob.year + 18)
    except ValueError:  # 29 February: DfE's tools take 28 February
        return date(dob.year + 18, 2, 28)


def _r580(d: _Data) -> list[_Hit]:
    m = d.missing
    adult = d.codes["REC_AT_18"]
    hits: set[int] = set()
    # the rows that end on the child's eighteenth birthday (each distinct birth date's
    # birthday found once; a blank birth date's stands for no date, so equals no end)
    birthdays: dict[date | None, object] = {
        dob: _eighteenth(dob) for dob in set(m.dob) if dob is not None
    }
    birthdays[None] = _NO_DATE
    for i in itertools.compress(
        range(len(m.ed)), map(operator.eq, map(birthdays.__getitem__, m.dob), m.ed)
    ):
        child, end = m.child[i], m.ed[i]
        if child is None:
            continue
        for j in d.episodes_by_child.get(child, ()):
            if d.ep_dec[j] == end and d.ep_rec[j] not in adult:
                hits.add(d.ep_row[j])
    return [("Episodes", row, "wrong_reason") for row in sorted(hits)]


def _r581(d: _Data) -> list[_Hit]:
    return _missing_hits(d.care()[2], "outside_care")


def _r586(d: _Data) -> list[_Hit]:
    m = d.missing
    return _missing_hits(
        (r for r, s, b in zip(m.row, m.sd, m.dob, strict=True)
         if s is not None and b is not None and s <= b),
        "out_of_range",
    )  # fmt: skip


def _r1004(d: _Data) -> list[_Hit]:
    m = d.missing
    return [
        ("Missing", m.row[i], "blank" if m.start[i] is None else "unparseable")
        for i in _blank(m.sd)
    ]


def _r1005(d: _Data) -> list[_Hit]:
    m = d.missing
    return _missing_hits((m.row[i] for i in _blank(m.ed) if m.end[i] is not None), "unparseable")


def _r1006(d: _Data) -> list[_Hit]:
    m = d.missing
    unknown = set(m.kind) - {*d.codes["MISSING"], None}
    if not unknown:
        return []
    return _missing_hits(
        itertools.compress(m.row, map(unknown.__contains__, m.kind)), "unknown_code"
    )


def _unknown_children(m: _Missing, known: AbstractSet[str | None]) -> list[_Hit]:
    rows = [m.row[i] for c in m.by_child.keys() - known for i in m.by_child[c]]
    if None in m.child_runs[0]:
        rows += [r for r, c in zip(m.row, m.child, strict=True) if c is None]
    return _missing_hits(rows, "unknown_child")


def _r1012(d: _Data) -> list[_Hit]:
    return _unknown_children(d.missing, d.episodes_by_child.keys())


def _rint04(d: _Data) -> list[_Hit]:
    return _unknown_children(d.missing, d.header_dob.keys())


def _rint13(d: _Data) -> list[_Hit]:
    m = d.missing
    several = d.header_dobs
    # rows whose DOB differs from (or is blank, or has no) the DOB of their child's Header row
    # (each run of rows of one child looks its child up once)
    cells, lengths = m.child_runs
    header_dob = list(
        itertools.chain.from_iterable(map(itertools.repeat, map(d.header_dob.get, cells), lengths))
    )
    hits: list[int] = []
    for i in itertools.compress(range(len(header_dob)), map(operator.ne, header_dob, m.dob)):
        dob, h, child = m.dob[i], header_dob[i], m.child[i]
        if dob is not None and h is not None and child not in several:
            hits.append(m.row[i])
    for child, dobs in several.items():  # a child with several Header rows
        for i in m.by_child.get(child, ()):
            dob = m.dob[i]
            if dob is not None and any(h is not None and h != dob for h in dobs):
                hits.append(m.row[i])
    return _missing_hits(hits, "mismatch")


_M = ("Missing",)
_EM = ("Episodes", "Missing")
_HM = ("Header", "Missing")

#: Every missing-episode rule, by DfE code (903V ``lac2022_23/rule_<code>.py``).
RULES: dict[str, Rule] = {
    r.code: r
    for r in (
        Rule(
            "564",
            "Child was missing or away from placement without authorisation and the date "
            "started is blank.",
            _M,
            ("MISSING", "MIS_START"),
            _r564,
        ),
        Rule(
            "565",
            "The date that the child started to be missing or away from placement without "
            "authorisation has been completed but whether the child was missing or away from "
            "placement without authorisation has not been completed.",
            _M,
            ("MISSING", "MIS_START"),
            _r565,
        ),
        Rule(
            "566",
            "The date that the child's episode of being missing or away from placement without "
            "authorisation ended has been completed but whether the child was missing or away "
            "without authorisation has not been completed.",
            _M,
            ("MISSING", "MIS_END"),
            _r566,
        ),
        Rule(
            "567",
            "The date that the missing episode or episode that the child was away from "
            "placement without authorisation ended is before the date that it started.",
            _M,
            ("MIS_START", "MIS_END"),
            _r567,
        ),
        Rule(
            "570",
            "The date that the child started to be missing or away from placement without "
            "authorisation is after the end of the collection year.",
            _M,
            ("MIS_START",),
            _r570,
        ),
        Rule(
            "571",
            "The date that the child ceased to be missing or away from placement without "
            "authorisation is before the start or after the end of the collection year.",
            _M,
            ("MIS_END",),
            _r571,
        ),
        Rule(
            "574",
            "A new missing/away from placement without authorisation period cannot start when "
            "the previous missing/away from placement without authorisation period is still "
            "open. Missing/away from placement without authorisation periods should also not "
            "overlap.",
            _M,
            ("MIS_START", "MIS_END"),
            _r574,
        ),
        Rule(
            "575",
            "If the placement from which the child goes missing/away from placement without "
            "authorisation ends, the missing/away from placement without authorisation period "
            "in the missing module must also have an end date.",
            _EM,
            ("MIS_END",),
            _r575,
        ),
        Rule(
            "576",
            "There is an open missing/away from placement without authorisation period in last "
            "year's return and there is no corresponding period recorded at the start of this "
            "year.",
            ("Missing", "Missing_last"),
            ("CHILD",),
            _r576,
        ),
        Rule(
            "577",
            "Child ceased to be looked after but there is a missing/away from placement without "
            "authorisation period without an end date.",
            _EM,
            ("MIS_END",),
            _r577,
        ),
        Rule(
            "578",
            "The date that the child started to be missing is after the child ceased to be "
            "looked after.",
            _EM,
            ("MIS_START",),
            _r578,
        ),
        Rule(
            "580",
            "Child is missing when cease being looked after but reason episode ceased not 'E8'.",
            _EM,
            ("REC",),
            _r580,
        ),
        Rule(
            "581",
            "Child is missing but has not yet started to be looked after.",
            _EM,
            ("MIS_START",),
            _r581,
        ),
        Rule(
            "586",
            "Dates of missing periods are before child's date of birth.",
            _M,
            ("MIS_START",),
            _r586,
        ),
        Rule(
            "1004",
            "The start date of the missing episode or episode that the child was away from "
            "placement without authorisation is not a valid date.",
            _M,
            ("MIS_START",),
            _r1004,
        ),
        Rule(
            "1005",
            "The end date of the missing episode or episode that the child was away from "
            "placement without authorisation is not a valid date.",
            _M,
            ("MIS_END",),
            _r1005,
        ),
        Rule("1006", "Missing type invalid.", _M, ("MISSING",), _r1006),
        Rule(
            "1012",
            "No other data should be returned for OC3 children who had no episodes in the "
            "current year.",
            _EM,
            ("CHILD",),
            _r1012,
        ),
        Rule(
            "INT04",
            "Internal Check: Child in Missing does not exist in Header.",
            _HM,
            ("CHILD",),
            _rint04,
        ),
        Rule(
            "INT13",
            "Internal Check: DOB in Missing is different to DOB in Header.",
            _HM,
            ("DOB",),
            _rint13,
        ),
    )
}

#: Rule editions as data: each year is the previous year plus added or changed
#: rules, minus withdrawn codes. None of the missing-episode rules changed from
#: 2022/23 to 2026/27 (903V ``rules/lac20XX_YY``: no year adds, changes or deletes
#: one of these codes; anchors §4.2).
EDITIONS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("2022/23", tuple(RULES), ()),
    ("2023/24", (), ()),
    ("2024/25", (), ()),
    ("2025/26", (), ()),
    ("2026/27", (), ()),
)

#: The code lists the rules read, by edition, composed the same way (a list replaced
#: is removed and added again): ``MISSING`` (1006, 564: the episode types) and
#: ``REC_AT_18`` (580: the reason an episode ends when a child turns 18 while missing).
CODE_LISTS: tuple[tuple[str, tuple[CodeList, ...], tuple[str, ...]], ...] = (
    ("2022/23", (CodeList("MISSING", ("M", "A")), CodeList("REC_AT_18", ("E8",))), ()),
    ("2023/24", (), ()),
    ("2024/25", (), ()),
    ("2025/26", (), ()),
    ("2026/27", (), ()),
)

# each edition's rules and code lists, composed as a rule pack's editions are
_COMPOSED: dict[CollectionYear, tuple[Rule, ...]] = {
    CollectionYear.parse(name): rules
    for name, rules in compose_editions(
        ((name, map(RULES.__getitem__, added), removed) for name, added, removed in EDITIONS),
        code=operator.attrgetter("code"),
    ).items()
}
_LISTS: dict[CollectionYear, dict[str, tuple[str, ...]]] = {
    CollectionYear.parse(name): {c.name: c.codes for c in lists}
    for name, lists in compose_editions(CODE_LISTS, code=operator.attrgetter("name")).items()
}
_FIRST = CollectionYear.parse(EDITIONS[0][0])


def _edition(year: CollectionYear | str) -> CollectionYear:
    y = CollectionYear.parse(year) if isinstance(year, str) else year
    y = max(y, _FIRST, key=lambda c: c.start_year)
    if y not in _COMPOSED:
        raise ValueError(f"no 903 rule edition for {y}; the latest is {EDITIONS[-1][0]}")
    return y


def code_lists_for(year: CollectionYear | str) -> dict[str, tuple[str, ...]]:
    """The code lists in force for a collection year, by name.

    >>> code_lists_for("2025/26")["MISSING"]
    ('M', 'A')
    """
    return dict(_LISTS[_edition(year)])


def rules_for(year: CollectionYear | str) -> tuple[Rule, ...]:
    """The rules in force for a collection year, in DfE code order of the base edition.

    Years before 2022/23 — the earliest edition DfE's current validator
    carries — are checked with the 2022/23 edition, as that validator does for
    historic files. Raises ``ValueError`` for a year after the last edition.
    """
    return _COMPOSED[_edition(year)]


_by_place = operator.attrgetter("table", "row")

#: What a table is called when a rule cannot run without it.
_TABLE_NAMES = {
    "Header": "no Header table",
    "Episodes": "no Episodes table",
    "Missing": "no Missing table",
    "Missing_last": "no previous year's table",
}


@attrs.frozen
class ValidationReport:
    """What :func:`validate` found: row errors, rules not run for want of a table, reader notes.

    ``findings`` holds the :class:`RowError` values, in the order :func:`validate` gives.
    ``run`` and ``not_run`` are the rule codes run and not run (``reasons`` says why
    each was not); ``rows`` is the number of rows read of each table given (``Header``,
    ``Episodes``, ``Missing``, ``Missing_last``).
    """

    year: CollectionYear
    findings: tuple[RowError, ...]
    not_run: tuple[str, ...]
    notes: tuple[ReadNote, ...] = ()
    run: tuple[str, ...] = ()
    rows: tuple[tuple[str, int], ...] = ()

    @property
    def ok(self) -> bool:
        """Whether no row was flagged."""
        return not self.findings

    @property
    def reasons(self) -> dict[str, str]:
        """Why each rule in ``not_run`` was not run: the tables it needs that were not given."""
        given = dict(self.rows)
        return {
            code: "; ".join(_TABLE_NAMES[t] for t in RULES[code].tables if t not in given)
            for code in self.not_run
        }

    def per_rule(self) -> dict[str, int]:
        """The number of rows each rule run flagged (0 for a rule that flagged none)."""
        counts = dict.fromkeys(self.run, 0)
        for f in self.findings:
            counts[f.rule] += 1
        return counts


def validate(
    ret: Return903,
    year: CollectionYear | str,
    *,
    codes: Iterable[str] | None = None,
    tolerant: bool = False,
) -> ValidationReport:
    """Run the year's missing-episode rules (or only ``codes``) on a return.

    Every rule sees the same unchanged input: the cells as submitted, unless
    ``tolerant=True``, when they are first cleaned as
    :func:`~missingcare.adapters.ssda903.tables.tidy` cleans them, each cleaning a
    note in the report. Row errors are ordered by rule (in edition order), table,
    then row.
    """
    y = CollectionYear.parse(year) if isinstance(year, str) else year
    rules = rules_for(y)
    if codes is not None:
        wanted = set(codes)
        unknown = wanted - {r.code for r in rules}
        if unknown:
            raise ValueError(f"unknown rule codes for {y}: {', '.join(sorted(unknown))}")
        rules = tuple(r for r in rules if r.code in wanted)
    notes = ret.notes
    if tolerant:
        ret, cleaned = _tidy_return(ret)
        notes = (*notes, *cleaned)
    data = _Data(ret, y)
    findings: list[RowError] = []
    run: list[str] = []
    not_run: list[str] = []
    for rule in rules:
        if not all(data.has[t] for t in rule.tables):
            not_run.append(rule.code)
            continue
        run.append(rule.code)
        findings.extend(sorted(rule.run(data), key=_by_place))
    given = (
        ("Header", ret.header),
        ("Episodes", ret.episodes),
        ("Missing", ret.missing),
        ("Missing_last", ret.missing_last),
    )
    rows = tuple((name, len(t)) for name, t in given if t is not None)
    return ValidationReport(y, tuple(findings), tuple(not_run), notes, tuple(run), rows)


def _tidy_return(ret: Return903) -> tuple[Return903, list[ReadNote]]:
    notes: list[ReadNote] = []
    tables: list[Table | None] = []
    for label, table in (
        ("Header", ret.header),
        ("Episodes", ret.episodes),
        ("Missing", ret.missing),
        ("Missing_last", ret.missing_last),
    ):
        if table is None:
            tables.append(None)
            continue
        clean, found = tidy(table)
        tables.append(clean)
        notes.extend(ReadNote(label, n.code, n.message, n.column, n.rows) for n in found)
    header, episodes, missing, last = tables
    return Return903(header, episodes, missing, last, ret.notes), notes


__getattr__ = moved(__name__, {"Finding": "missingcare.adapters.ssda903.rules.RowError"})
