"""Derive the 903 Missing table (and the Header and Episodes rows it is checked against).

A :class:`~missingcare.episodes.MissingEpisode` holds instants; the return
wants local dates. The derivation:

* takes dates in the placement's zone (the episode's ``zone``), never the host's;
* starts at the date the child was last seen (DfE: the later of leaving the
  placement and being last seen by a responsible adult — ``last_seen_at``);
* splits an episode whose status changed (away → missing) into one row per
  903 type; the rows touch (one ends the day the next starts), which rule 574
  allows, and never overlap;
* writes an episode still going on at 31 March — or ending after it — with a
  blank end, and carries an episode open at last year's 31 March into this
  year with the same start (rule 576);
* closes a row on the child's 18th birthday, or on the day their period of
  care ended, since the child is no longer looked after — DfE's guidance:
  unresolved episodes stay open until the 18th birthday and are then closed —
  and writes reason ceased ``E8`` on a care episode that ends on the 18th
  birthday while the child is missing (rule 580);
* leaves out rows that start while the child was not looked after, when the
  case file records periods of care.

Rows derived from a consistent case file validate clean under every rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from types import MappingProxyType

from missingcare.adapters.ssda903.tables import (
    CollectionYear,
    Missing903Row,
    Return903,
    Table,
    format_903_date,
)
from missingcare.case import CaseFile
from missingcare.children import PeriodOfCare
from missingcare.exceptions import ValidationError, Violation
from missingcare.time import local_date

__all__ = ["DEFAULT_STATUS_CODES", "derive_return", "missing_rows"]

#: Episode status code → 903 ``MISSING`` code (domain research §2.3; anchors §2.1).
DEFAULT_STATUS_CODES: Mapping[str, str] = MappingProxyType(
    {"missing": "M", "away_without_authorisation": "A"}
)


def _eighteenth(dob: date) -> date:
    try:
        return dob.replace(year=dob.year + 18)
    except ValueError:  # born 29 February: DfE's tools take 28 February
        return date(dob.year + 18, 2, 28)


def _care_for(day: date, periods: tuple[PeriodOfCare, ...]) -> PeriodOfCare | None:
    for p in periods:
        if p.contains(day):
            return p
    return None


def _segments(
    case: CaseFile, status_codes: Mapping[str, str]
) -> list[tuple[str, date, date | None]]:
    """(903 code, local start date, local end date) per status run, in time order."""
    pieces: list[tuple[datetime, str, str, datetime | None]] = []
    problems: list[Violation] = []
    for i, ep in enumerate(case.episodes):
        mine: list[tuple[datetime, str, str, datetime | None]] = []
        for j, change in enumerate(ep.statuses):
            code = status_codes.get(change.status.code)
            if code is None:
                problems.append(
                    Violation(
                        f"$.episodes[{i}].statuses[{j}].status",
                        "not_reportable",
                        "expected a status with a 903 code (missing or away without "
                        "authorisation), or pass status_codes",
                    )
                )
                continue
            start = ep.last_seen_at if j == 0 else change.at
            if mine and mine[-1][1] == code:
                continue  # two statuses with the same 903 code make one row
            if mine:
                mine[-1] = (mine[-1][0], mine[-1][1], mine[-1][2], start)
            mine.append((start, code, ep.zone, None))
        if mine:
            mine[-1] = (mine[-1][0], mine[-1][1], mine[-1][2], ep.ended_at)
        pieces.extend(mine)
    if problems:
        raise ValidationError(problems)
    pieces.sort(key=lambda p: p[0])
    out: list[tuple[str, date, date | None]] = []
    floor: date | None = None
    for start, code, zone, end in pieces:
        day = local_date(start, zone)
        # placements in different zones could put a start's local date before the
        # previous row's end: never let rows overlap in dates
        if floor is not None and day < floor:
            day = floor
        last = None if end is None else max(day, local_date(end, zone))
        out.append((code, day, last))
        floor = last if last is not None else day
    return out


def missing_rows(
    case: CaseFile,
    year: CollectionYear | str,
    *,
    status_codes: Mapping[str, str] = DEFAULT_STATUS_CODES,
) -> tuple[Missing903Row, ...]:
    """The child's Missing rows for a collection year, in start order.

    Raises :class:`~missingcare.exceptions.ValidationError` naming the status
    path when an episode has a status with no 903 code in ``status_codes``.
    """
    y = CollectionYear.parse(year) if isinstance(year, str) else year
    dob = case.child.date_of_birth
    adult = _eighteenth(dob) if dob is not None else None
    periods = case.periods_of_care
    rows: list[Missing903Row] = []
    for code, start, segment_end in _segments(case, status_codes):
        end = segment_end
        if adult is not None and start > adult:
            continue
        if adult is not None and (end is None or end > adult):
            end = adult
        if periods:
            care = _care_for(start, periods)
            if care is None:
                continue
            if care.end is not None and (end is None or end > care.end):
                end = care.end
        if start > y.end or (end is not None and end < y.start):
            continue
        if end is not None and end > y.end:
            end = None
        rows.append(
            Missing903Row(
                child=case.child.id,
                dob=None if dob is None else format_903_date(dob),
                missing=code,
                mis_start=format_903_date(start),
                mis_end=None if end is None else format_903_date(end),
            )
        )
    return tuple(rows)


def derive_return(
    cases: Iterable[CaseFile],
    year: CollectionYear | str,
    *,
    status_codes: Mapping[str, str] = DEFAULT_STATUS_CODES,
    with_last_year: bool = True,
) -> Return903:
    """Header, Episodes and Missing tables for the year, from case files.

    Header rows carry ``CHILD`` and ``DOB``; Episodes rows are the periods of
    care that touch the year (``DECOM``, ``DEC`` blank when care goes on past
    31 March, ``REC`` = ``E8`` only when care ends on the 18th birthday while
    the child is missing); other columns are left blank for the case-record
    system to fill. With ``with_last_year``, ``missing_last`` is last year's
    derived Missing table, so rule 576 can be checked.
    """
    y = CollectionYear.parse(year) if isinstance(year, str) else year
    header: list[dict[str, str | None]] = []
    episodes: list[dict[str, str | None]] = []
    missing: list[dict[str, str | None]] = []
    last: list[dict[str, str | None]] = []
    for case in sorted(cases, key=lambda c: c.child.id):
        dob = case.child.date_of_birth
        header.append(
            {"CHILD": case.child.id, "DOB": None if dob is None else format_903_date(dob)}
        )
        rows = missing_rows(case, y, status_codes=status_codes)
        missing.extend(r.as_record() for r in rows)
        if with_last_year:
            last.extend(
                r.as_record() for r in missing_rows(case, y.previous, status_codes=status_codes)
            )
        ends = {r.mis_end for r in rows if r.mis_end is not None}
        adult = None if dob is None else format_903_date(_eighteenth(dob))
        for p in sorted(case.periods_of_care, key=lambda p: p.start):
            if p.start > y.end or (p.end is not None and p.end < y.start):
                continue
            dec = None if p.end is None or p.end > y.end else format_903_date(p.end)
            rec = "E8" if dec is not None and dec == adult and dec in ends else None
            episodes.append(
                {"CHILD": case.child.id, "DECOM": format_903_date(p.start), "DEC": dec, "REC": rec}
            )
    return Return903(
        header=Table.from_records("Header", header),
        episodes=Table.from_records("Episodes", episodes),
        missing=Table.from_records("Missing", missing),
        missing_last=Table.from_records("Missing", last) if with_last_year else None,
    )
