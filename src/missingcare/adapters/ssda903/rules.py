"""DfE's SSDA903 validation rules for missing and away episodes, as named values.

Each :class:`Rule` carries its DfE code and message, the tables it needs and
the fields it names; :func:`validate` runs the edition for a collection year
and returns one :class:`Finding` per (rule, table, row). Rules are evaluated
independently of each other, on the same unchanged input.

The logic follows DfE's public validator (``csc-validator-be-903``, source key
903V in the domain research) rule by rule, including which row rule 574 flags
(the DfE portal's choice, see the how-to). Where that validator's answer is an
accident of its implementation, the how-to says what we do and why.

Findings tell *why* a date failed: ``blank``, ``unparseable`` (not a
``dd/mm/yyyy`` date) or ``out_of_range`` — the validator skips unparseable
dates silently in every comparison rule, so only 1004/1005 report them.
"""

from __future__ import annotations

import itertools
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import date

import attrs

from missingcare.adapters.ssda903.tables import (
    CollectionYear,
    ReadNote,
    Return903,
    Table,
    parse_903_date,
)
from missingcare.intervals import Period, Span, chain_periods

__all__ = [
    "EDITIONS",
    "RULES",
    "Finding",
    "Rule",
    "ValidationReport",
    "rules_for",
    "validate",
]

_FAR_FUTURE = date(2099, 1, 1)  # what 576 puts in place of a blank or invalid start


@attrs.frozen
class Finding:
    """One row that breaks one rule.

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


class _Missing:
    __slots__ = ("child", "dob", "ed", "end", "kind", "row", "sd", "start")

    def __init__(self, row: int, cells: tuple[str | None, ...]) -> None:
        self.row = row
        self.child, dob, self.kind, self.start, self.end = cells
        self.dob = parse_903_date(dob)
        self.sd = parse_903_date(self.start)
        self.ed = parse_903_date(self.end)


class _Episode:
    __slots__ = ("child", "dec", "decom", "rec", "row")

    def __init__(self, row: int, child: str | None, decom: str | None, dec: str | None,
                 rec: str | None) -> None:  # fmt: skip
        self.row = row
        self.child = child
        self.decom = parse_903_date(decom)
        self.dec = parse_903_date(dec)
        self.rec = rec


class _Data:
    """The input parsed once, with per-child indexes, shared by all rules (read-only)."""

    def __init__(self, ret: Return903, year: CollectionYear) -> None:
        self.year = year
        self.has = {
            "Header": ret.header is not None,
            "Episodes": ret.episodes is not None,
            "Missing": ret.missing is not None,
            "Missing_last": ret.missing_last is not None,
        }
        self.missing = _missing_rows(ret.missing)
        self.missing_last = _missing_rows(ret.missing_last)
        self.episodes: list[_Episode] = []
        if ret.episodes is not None:
            cols = ret.episodes.columns
            ci, di, ei, ri = (cols.index(c) for c in ("CHILD", "DECOM", "DEC", "REC"))
            self.episodes = [
                _Episode(n, r[ci], r[di], r[ei], r[ri])
                for n, r in zip(ret.episodes.row_numbers, ret.episodes.rows, strict=True)
            ]
        self.header: dict[str, list[date | None]] = defaultdict(list)
        if ret.header is not None:
            ci, di = ret.header.columns.index("CHILD"), ret.header.columns.index("DOB")
            for r in ret.header.rows:
                child = r[ci]
                if child is not None:
                    self.header[child].append(parse_903_date(r[di]))
        self.episodes_by_child: dict[str, list[_Episode]] = defaultdict(list)
        for e in self.episodes:
            if e.child is not None:
                self.episodes_by_child[e.child].append(e)
        self._periods: dict[str, tuple[Period[date, int], ...]] | None = None

    def periods_of_care(self, child: str) -> tuple[Period[date, int], ...]:
        """The child's periods of care: episodes with a valid DECOM chained without a gap."""
        if self._periods is None:
            self._periods = {
                c: chain_periods(Span(e.decom, e.dec, e.row) for e in eps if e.decom is not None)
                for c, eps in self.episodes_by_child.items()
            }
        return self._periods.get(child, ())


def _missing_rows(table: Table | None) -> list[_Missing]:
    if table is None:
        return []
    cols = table.columns
    order = [cols.index(c) for c in ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END")]
    return [
        _Missing(n, tuple(r[i] for i in order))
        for n, r in zip(table.row_numbers, table.rows, strict=True)
    ]


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

    def run(self, data: _Data) -> Iterator[Finding]:
        """The findings of this rule (nothing when a table it needs is absent)."""
        if not all(data.has[t] for t in self.tables):
            return
        code, fields = self.code, self.fields
        for table, row, problem in self.check(data):  # each check yields a row once
            yield Finding(code, table, row, fields, problem)


# ---- the rules -------------------------------------------------------------------------


def _r564(d: _Data) -> Iterator[_Hit]:
    for m in d.missing:
        if m.kind in {"M", "A", "m", "a"} and m.start is None:
            yield "Missing", m.row, "blank"


def _r565(d: _Data) -> Iterator[_Hit]:
    for m in d.missing:
        if m.start is not None and m.kind is None:
            yield "Missing", m.row, "blank"


def _r566(d: _Data) -> Iterator[_Hit]:
    for m in d.missing:
        if m.end is not None and m.kind is None:
            yield "Missing", m.row, "blank"


def _r567(d: _Data) -> Iterator[_Hit]:
    for m in d.missing:
        if m.sd is not None and m.ed is not None and m.sd > m.ed:
            yield "Missing", m.row, "out_of_range"


def _r570(d: _Data) -> Iterator[_Hit]:
    for m in d.missing:
        if m.sd is not None and m.sd > d.year.end:
            yield "Missing", m.row, "out_of_range"


def _r571(d: _Data) -> Iterator[_Hit]:
    for m in d.missing:
        if m.ed is not None and (m.ed < d.year.start or m.ed > d.year.end):
            yield "Missing", m.row, "out_of_range"


def _sort_574(m: _Missing, position: int) -> tuple[object, ...]:
    fill = m.ed if m.ed is not None else m.sd
    return (
        m.child is None,
        m.child or "",
        fill is None,
        fill or date.min,
        m.sd is None,
        m.sd or date.min,
        position,
    )


def _r574(d: _Data) -> Iterator[_Hit]:
    # DfE portal order: per child by end (an open end takes its start), then start;
    # each row is compared with the one before it, and the *later* row is flagged.
    ordered = sorted(enumerate(d.missing), key=lambda pm: _sort_574(pm[1], pm[0]))
    for (_, prev), (_, cur) in itertools.pairwise(ordered):
        if cur.child is None or cur.child != prev.child:
            continue
        if prev.ed is None:
            yield "Missing", cur.row, "previous_open"
        elif cur.sd is not None and cur.sd < prev.ed:
            yield "Missing", cur.row, "overlap"


def _r575(d: _Data) -> Iterator[_Hit]:
    for m in d.missing:
        if m.end is not None or m.sd is None or m.child is None:
            continue
        for e in d.episodes_by_child.get(m.child, ()):
            if e.decom is not None and e.dec is not None and e.decom <= m.sd <= e.dec:
                yield "Missing", m.row, "blank"
                break


def _r576(d: _Data) -> Iterator[_Hit]:
    first: dict[str, tuple[date, _Missing]] = {}
    for m in d.missing:
        if m.child is None:
            continue
        start = m.sd if m.sd is not None else _FAR_FUTURE
        if m.child not in first or start < first[m.child][0]:
            first[m.child] = (start, m)
    open_last: dict[str, list[date]] = defaultdict(list)
    for m in d.missing_last:
        if m.end is None and m.sd is not None and m.child is not None:
            open_last[m.child].append(m.sd)
    for child, (start, m) in first.items():
        if any(s != start for s in open_last.get(child, ())):
            yield "Missing", m.row, "not_carried"


def _out_577(m: _Missing, p: Period[date, int]) -> bool:
    assert m.sd is not None  # guarded by the caller
    if m.ed is None:
        return p.end is not None or m.sd < p.start
    return (p.end is not None and m.ed > p.end) or m.ed < p.start


def _r577(d: _Data) -> Iterator[_Hit]:
    for m in d.missing:
        if m.sd is None or m.child is None:
            continue
        periods = d.periods_of_care(m.child)
        if periods and all(_out_577(m, p) for p in periods):
            yield "Missing", m.row, "outside_care"


def _r578(d: _Data) -> Iterator[_Hit]:
    for m in d.missing:
        if m.sd is None or m.child is None:
            continue
        sd = m.sd
        periods = d.periods_of_care(m.child)
        if periods and all(sd < p.start or (p.end is not None and sd > p.end) for p in periods):
            yield "Missing", m.row, "outside_care"


def _eighteenth(dob: date) -> date:
    try:
        return dob.replace(year=dob.year + 18)
    except ValueError:  # 29 February: DfE's tools take 28 February
        return date(dob.year + 18, 2, 28)


def _r580(d: _Data) -> Iterator[_Hit]:
    hits: set[int] = set()
    for m in d.missing:
        if m.ed is None or m.dob is None or m.child is None:
            continue
        if _eighteenth(m.dob) != m.ed:
            continue
        for e in d.episodes_by_child.get(m.child, ()):
            if e.dec == m.ed and e.rec != "E8":
                hits.add(e.row)
    for row in sorted(hits):
        yield "Episodes", row, "wrong_reason"


def _r581(d: _Data) -> Iterator[_Hit]:
    for m in d.missing:
        if m.child is None:
            continue
        eps = d.episodes_by_child.get(m.child)
        if not eps:
            continue
        sd = m.sd
        inside = sd is not None and any(
            e.decom is not None and e.decom <= sd and (e.dec is None or sd <= e.dec) for e in eps
        )
        if not inside:
            yield "Missing", m.row, "outside_care"


def _r586(d: _Data) -> Iterator[_Hit]:
    for m in d.missing:
        if m.sd is not None and m.dob is not None and m.sd <= m.dob:
            yield "Missing", m.row, "out_of_range"


def _r1004(d: _Data) -> Iterator[_Hit]:
    for m in d.missing:
        if m.start is None:
            yield "Missing", m.row, "blank"
        elif m.sd is None:
            yield "Missing", m.row, "unparseable"


def _r1005(d: _Data) -> Iterator[_Hit]:
    for m in d.missing:
        if m.end is not None and m.ed is None:
            yield "Missing", m.row, "unparseable"


def _r1006(d: _Data) -> Iterator[_Hit]:
    for m in d.missing:
        if m.kind is not None and m.kind not in {"M", "A"}:
            yield "Missing", m.row, "unknown_code"


def _r1012(d: _Data) -> Iterator[_Hit]:
    for m in d.missing:
        if m.child is None or m.child not in d.episodes_by_child:
            yield "Missing", m.row, "unknown_child"


def _rint04(d: _Data) -> Iterator[_Hit]:
    for m in d.missing:
        if m.child is None or m.child not in d.header:
            yield "Missing", m.row, "unknown_child"


def _rint13(d: _Data) -> Iterator[_Hit]:
    for m in d.missing:
        if m.dob is None or m.child is None:
            continue
        if any(h is not None and h != m.dob for h in d.header.get(m.child, ())):
            yield "Missing", m.row, "mismatch"


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
#: 2022/23 to 2026/27 (903V ``rules/lac20XX_YY``; anchors §4.2).
EDITIONS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("2022/23", tuple(RULES), ()),
    ("2023/24", (), ()),
    ("2024/25", (), ()),
    ("2025/26", (), ()),
    ("2026/27", (), ()),
)


def rules_for(year: CollectionYear | str) -> tuple[Rule, ...]:
    """The rules in force for a collection year, in DfE code order of the base edition.

    Years before 2022/23 — the earliest edition DfE's current validator
    carries — are checked with the 2022/23 edition, as that validator does for
    historic files. Raises ``ValueError`` for a year after the last edition.
    """
    y = CollectionYear.parse(year) if isinstance(year, str) else year
    y = max(y, CollectionYear.parse(EDITIONS[0][0]), key=lambda c: c.start_year)
    codes: list[str] = []
    found = False
    for name, added, removed in EDITIONS:
        codes = [c for c in codes if c not in removed]
        codes += [c for c in added if c not in codes]
        if CollectionYear.parse(name) == y:
            found = True
            break
    if not found:
        raise ValueError(f"no 903 rule edition for {y}; the latest is {EDITIONS[-1][0]}")
    return tuple(RULES[c] for c in codes)


_by_place = operator.attrgetter("table", "row")


@attrs.frozen
class ValidationReport:
    """What :func:`validate` found: findings, rules not run for want of a table, reader notes."""

    year: CollectionYear
    findings: tuple[Finding, ...]
    not_run: tuple[str, ...]
    notes: tuple[ReadNote, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether no row was flagged."""
        return not self.findings


def validate(
    ret: Return903, year: CollectionYear | str, *, codes: Iterable[str] | None = None
) -> ValidationReport:
    """Run the year's missing-episode rules (or only ``codes``) on a return.

    Every rule sees the same unchanged input. Findings are ordered by rule (in
    edition order), table, then row.
    """
    y = CollectionYear.parse(year) if isinstance(year, str) else year
    rules = rules_for(y)
    if codes is not None:
        wanted = set(codes)
        unknown = wanted - {r.code for r in rules}
        if unknown:
            raise ValueError(f"unknown rule codes for {y}: {', '.join(sorted(unknown))}")
        rules = tuple(r for r in rules if r.code in wanted)
    data = _Data(ret, y)
    findings: list[Finding] = []
    not_run: list[str] = []
    for rule in rules:
        if not all(data.has[t] for t in rule.tables):
            not_run.append(rule.code)
            continue
        findings.extend(sorted(rule.run(data), key=_by_place))
    return ValidationReport(y, tuple(findings), tuple(not_run), ret.notes)
