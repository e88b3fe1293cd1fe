"""Collection years as data: each year's rules and code lists, composed on the edition machinery."""

from __future__ import annotations

import pytest

from missingcare._editions import compose_editions
from missingcare.adapters.ssda903 import (
    CODE_LISTS,
    EDITIONS,
    RULES,
    CollectionYear,
    Return903,
    Table,
    code_lists_for,
    rules_for,
    validate,
)

ALL = tuple(RULES)


def _one_child(year: CollectionYear, start: str, end: str | None, rec: str = "E8") -> Return903:
    return Return903(
        header=Table.from_records("Header", [{"CHILD": "C1", "DOB": "01/04/2000"}]),
        episodes=Table.from_records(
            "Episodes",
            [{"CHILD": "C1", "DECOM": f"01/01/{year.start_year - 1}", "DEC": end, "REC": rec}],
        ),
        missing=Table.from_records(
            "Missing",
            [
                {
                    "CHILD": "C1",
                    "DOB": "01/04/2000",
                    "MISSING": "M",
                    "MIS_START": start,
                    "MIS_END": end,
                }
            ],
        ),
    )


def _check_year(name: str) -> None:
    year = CollectionYear.parse(name)
    assert tuple(r.code for r in rules_for(year)) == ALL
    assert code_lists_for(year) == {"MISSING": ("M", "A"), "REC_AT_18": ("E8",)}
    last_day = f"31/03/{year.start_year + 1}"
    next_day = f"01/04/{year.start_year + 1}"
    inside = validate(_one_child(year, f"01/04/{year.start_year}", last_day), year)
    assert inside.findings == ()
    assert inside.not_run == ("576",)
    late = validate(_one_child(year, next_day, None), year)
    assert {f.rule for f in late.findings} >= {"570"}
    # the code lists are the year's: a lower-case type is not one of them (as submitted)
    kinds = Return903(
        missing=Table.from_records(
            "Missing", [{"CHILD": "C1", "MISSING": k, "MIS_START": last_day} for k in "MAma"]
        )
    )
    assert [f.row for f in validate(kinds, year, codes=["1006"]).findings] == [2, 3]


def test_2024_25() -> None:
    _check_year("2024/25")


def test_2025_26() -> None:
    _check_year("2025/26")


def test_2026_27() -> None:
    _check_year("2026/27")


def test_every_year_is_an_edition_of_both_rules_and_code_lists() -> None:
    assert [n for n, _, _ in EDITIONS] == [n for n, _, _ in CODE_LISTS]
    assert "2026/27" in {n for n, _, _ in EDITIONS}
    with pytest.raises(ValueError, match="no 903 rule edition for 2027/28"):
        code_lists_for("2027/28")
    # a year that changes a code list replaces it, as the machinery composes any edition
    changed = compose_editions(
        [*CODE_LISTS, ("2027/28", (type(CODE_LISTS[0][1][0])("MISSING", ("M",)),), ("MISSING",))],
        code=lambda c: c.name,
    )
    assert {c.name: c.codes for c in changed["2027/28"]}["MISSING"] == ("M",)
