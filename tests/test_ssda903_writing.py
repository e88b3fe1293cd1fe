"""Writing 903 tables: reading back what was written gives the same rows."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from missingcare.adapters.ssda903 import (
    COLUMNS,
    Return903,
    Table,
    read_csv,
    read_xml,
    write_csv,
    write_xml,
)

FIXTURES = Path(__file__).parent / "fixtures" / "ssda903"

# cells as a reader hands them over: stripped, upper-case, never empty
_cell = st.one_of(
    st.none(),
    st.from_regex(r"[A-Z0-9][A-Z0-9/ ,\"'&<>]{0,10}[A-Z0-9]|[A-Z1-9]", fullmatch=True),
)


def _rows(name: str, child_ids: list[str]) -> st.SearchStrategy[Table]:
    width = len(COLUMNS[name]) - 1
    row = st.tuples(st.sampled_from(child_ids), *([_cell] * width))
    return st.lists(row, max_size=8).map(lambda rows: Table(name, COLUMNS[name], tuple(rows)))


@given(_rows("Missing", ["C1", "C2"]))
def test_csv_round_trip(table: Table) -> None:
    assert read_csv(write_csv(table)).rows == table.rows


def test_fixture_round_trips_through_csv_and_xml() -> None:
    ret = read_xml((FIXTURES / "return.xml").read_bytes())
    again = read_xml(write_xml(ret))
    for a, b in ((ret.header, again.header), (ret.episodes, again.episodes),
                 (ret.missing, again.missing)):  # fmt: skip
        assert a is not None
        assert b is not None
        assert a.rows == b.rows
        assert read_csv(write_csv(a)).rows == a.rows


@given(st.data())
def test_xml_round_trip_of_rows_grouped_by_child(data: st.DataObject) -> None:
    children = ["C1", "C2", "C3"]
    header = Table.from_records("Header", [{"CHILD": c, "DOB": "01/01/2010"} for c in children])
    missing = data.draw(_rows("Missing", children))
    episodes = data.draw(_rows("Episodes", children))
    order = {c: i for i, c in enumerate(children)}
    # the XML nests rows under their child, and a Missing row's DOB is the child's
    missing = Table(
        "Missing",
        missing.columns,
        tuple(
            sorted(
                ((r[0], "01/01/2010", *r[2:]) for r in missing.rows),
                key=lambda r: order[str(r[0])],
            )
        ),
    )
    episodes = Table(
        "Episodes", episodes.columns, tuple(sorted(episodes.rows, key=lambda r: order[str(r[0])]))
    )
    again = read_xml(write_xml(Return903(header=header, episodes=episodes, missing=missing)))
    assert again.header is not None
    assert again.missing is not None
    assert again.episodes is not None
    assert again.header.rows == header.rows
    assert again.missing.rows == missing.rows
    assert again.episodes.rows == episodes.rows


def test_xml_writes_a_header_for_a_child_only_in_missing() -> None:
    missing = Table.from_records(
        "Missing", [{"CHILD": "C9", "DOB": "01/01/2010", "MISSING": "M", "MIS_START": "01/05/2025"}]
    )
    again = read_xml(write_xml(Return903(missing=missing)))
    assert again.header is not None
    assert again.header.records()[0]["CHILD"] == "C9"
    assert again.missing is not None
    assert again.missing.rows == missing.rows
