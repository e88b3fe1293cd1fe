"""Deriving Missing rows from rich episodes: local dates, splits, year ends, validation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from missingcare import CaseFile, ChildRef, MissingEpisode, PeriodOfCare, StatusChange
from missingcare.adapters.ssda903 import (
    CollectionYear,
    derive_return,
    missing_rows,
    validate,
)
from missingcare.exceptions import ValidationError
from missingcare.testing.builders import case_file
from missingcare.testing.builders import episode as built
from missingcare.testing.strategies import case_files
from missingcare.time import local_date
from missingcare.vocab import Concept
from missingcare.vocabularies import EPISODE_STATUSES

MISSING = EPISODE_STATUSES["missing"]
AWAY = EPISODE_STATUSES["away_without_authorisation"]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def episode(
    eid: str,
    seen: datetime,
    ended: datetime | None,
    *changes: tuple[datetime, Concept],
) -> MissingEpisode:
    """The shared builder's episode; ``changes`` are its status history when given."""
    if not changes:
        return built(eid, seen=seen, ended=ended)
    return built(
        eid, seen=seen, ended=ended, statuses=tuple(StatusChange(at, s) for at, s in changes)
    )


CARE = (PeriodOfCare(date(2024, 1, 1)),)


def case(
    *episodes: MissingEpisode,
    dob: date | None = date(2010, 5, 14),
    care: tuple[PeriodOfCare, ...] = CARE,
) -> CaseFile:
    """The shared builder's case file, with the birth date and care the 903 return needs."""
    c = case_file(*episodes, periods_of_care=care)
    return attrs.evolve(c, child=ChildRef(c.child.id, date_of_birth=dob))


def cells(c: CaseFile, year: str = "2025/26") -> list[tuple[str, str, str | None]]:
    return [(r.missing, r.mis_start, r.mis_end) for r in missing_rows(c, year)]


def test_dates_are_local_to_the_placement() -> None:
    # 23:30 UTC on 25 October 2025 is 00:30 BST on the 26th in London
    c = case(episode("E1", utc(2025, 10, 25, 23, 30), utc(2025, 10, 26, 9, 0)))
    assert cells(c) == [("M", "26/10/2025", "26/10/2025")]


def test_away_then_missing_is_split_into_touching_rows() -> None:
    seen = utc(2025, 6, 1, 18)
    c = case(episode("E1", seen, utc(2025, 6, 4, 12), (seen, AWAY), (utc(2025, 6, 2, 1), MISSING)))
    assert cells(c) == [("A", "01/06/2025", "02/06/2025"), ("M", "02/06/2025", "04/06/2025")]
    report = validate(derive_return([c], "2025/26"), "2025/26")
    assert report.findings == ()


def test_open_at_31_march_and_carried_into_the_next_year() -> None:
    c = case(episode("E1", utc(2025, 3, 28, 20), utc(2025, 4, 3, 10)))
    assert cells(c, "2024/25") == [("M", "28/03/2025", None)]
    assert cells(c, "2025/26") == [("M", "28/03/2025", "03/04/2025")]
    ret = derive_return([c], "2025/26")
    assert ret.missing_last is not None
    assert ret.missing_last.records()[0]["MIS_END"] is None
    assert validate(ret, "2025/26").findings == ()


def test_episode_still_open() -> None:
    c = case(episode("E1", utc(2026, 3, 1, 20), None))
    assert cells(c) == [("M", "01/03/2026", None)]
    assert cells(c, "2026/27") == [("M", "01/03/2026", None)]
    assert cells(c, "2024/25") == []


def test_closed_on_the_eighteenth_birthday_with_reason_e8() -> None:
    dob = date(2007, 11, 2)
    c = case(
        episode("E1", utc(2025, 10, 30, 20), None),
        dob=dob,
        care=(PeriodOfCare(date(2023, 6, 10), date(2025, 11, 2)),),
    )
    assert cells(c) == [("M", "30/10/2025", "02/11/2025")]
    ret = derive_return([c], "2025/26")
    assert ret.episodes is not None
    assert ret.episodes.records()[0]["REC"] == "E8"
    assert validate(ret, "2025/26").findings == ()


def test_rows_outside_care_are_left_out_and_care_end_closes_a_row() -> None:
    care = (PeriodOfCare(date(2025, 5, 1), date(2025, 9, 1)),)
    c = case(
        episode("E1", utc(2025, 4, 10, 20), utc(2025, 4, 11, 9)),  # before care began
        episode("E2", utc(2025, 8, 30, 20), None),  # still missing when care ended
        dob=date(2010, 1, 1),
        care=care,
    )
    assert cells(c) == [("M", "30/08/2025", "01/09/2025")]


def test_a_status_with_no_903_code_is_refused_with_its_path() -> None:
    seen = utc(2025, 6, 1, 18)
    other = EPISODE_STATUSES["not_at_home"]
    c = case(episode("E1", seen, utc(2025, 6, 2), (seen, other)))
    with pytest.raises(ValidationError) as info:
        missing_rows(c, "2025/26")
    assert info.value.paths == ("$.episodes[0].statuses[0].status",)
    assert cells_with(c, {"not_at_home": "A"}) == [("A", "01/06/2025", "02/06/2025")]


def cells_with(c: CaseFile, codes: dict[str, str]) -> list[tuple[str, str, str | None]]:
    return [
        (r.missing, r.mis_start, r.mis_end) for r in missing_rows(c, "2025/26", status_codes=codes)
    ]


ALL_CODES = {c.code: ("M" if c.code == "missing" else "A") for c in EPISODE_STATUSES}


@st.composite
def reportable_cases(draw: st.DrawFn) -> CaseFile:
    """Generated case files made consistent for 903: born before, in care throughout."""
    c = draw(case_files(max_episodes=5))
    starts = [local_date(e.last_seen_at, e.zone) for e in c.episodes]
    first = min(starts, default=date(2025, 6, 1))
    dob = draw(st.none() | st.dates(first - timedelta(days=365 * 17), first - timedelta(days=1)))
    care_start = first - timedelta(days=draw(st.integers(0, 400)))
    care_end = draw(st.none() | st.dates(first, first + timedelta(days=3000)))
    return attrs.evolve(
        c,
        child=ChildRef(c.child.id, date_of_birth=dob),
        periods_of_care=(PeriodOfCare(care_start, care_end),),
    )


def _renamed(c: CaseFile, child_id: str) -> CaseFile:
    return CaseFile(
        child=ChildRef(child_id, date_of_birth=c.child.date_of_birth),
        placements=c.placements,
        periods_of_care=c.periods_of_care,
        episodes=tuple(attrs.evolve(e, child_id=child_id) for e in c.episodes),
    )


@settings(max_examples=120)
@given(st.lists(reportable_cases(), min_size=1, max_size=4), st.integers(2015, 2026))
def test_rows_derived_from_generated_episodes_validate_clean(
    cases: list[CaseFile], start_year: int
) -> None:
    cases = [_renamed(c, f"{c.child.id}-{i}") for i, c in enumerate(cases)]  # ids unique
    year = CollectionYear(start_year)
    years = {CollectionYear(d.year if d.month >= 4 else d.year - 1)
             for c in cases for e in c.episodes
             for d in (local_date(e.last_seen_at, e.zone),)}  # fmt: skip
    latest = CollectionYear.parse("2026/27")  # the last rule edition
    for y in sorted({year, *years}, key=lambda y: y.start_year):
        if y.start_year > latest.start_year:
            continue
        ret = derive_return(cases, y, status_codes=ALL_CODES)
        report = validate(ret, y)
        assert report.findings == (), (y, report.findings)
