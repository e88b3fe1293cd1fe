"""Reading 903 tables from CSV and from the XML return: what is tolerated, what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from missingcare.adapters.ssda903 import (
    Unusable903Input,
    read_csv,
    read_csv_with_notes,
    read_return,
    read_xml,
)

FIXTURES = Path(__file__).parent / "fixtures" / "ssda903"


def test_tables_are_identified_by_their_header_line() -> None:
    for name, file in (("Header", "header.csv"), ("Episodes", "episodes.csv")):
        assert read_csv((FIXTURES / file).read_bytes()).name == name
    table = read_csv((FIXTURES / "missing.csv").read_bytes())
    assert table.name == "Missing"
    assert table.column("MIS_END") == ("03/06/2025", "05/06/2025", None, "02/11/2025", "12/05/2025")


def test_messy_local_authority_file_is_tolerated_and_reported() -> None:
    table, notes = read_csv_with_notes((FIXTURES / "messy_missing.csv").read_bytes())
    assert table.records() == (
        {"CHILD": "1001", "DOB": "14/05/2010", "MISSING": "M",
         "MIS_START": "02/06/2025", "MIS_END": "03/06/2025"},
        {"CHILD": "1001", "DOB": "14/05/2010", "MISSING": "A",
         "MIS_START": "03/06/2025", "MIS_END": "05/06/2025"},
    )  # fmt: skip
    # the blank line is not a row; the all-blank row keeps its index, so rows stay numbered
    # as DfE's validator numbers them
    assert table.row_numbers == (0, 2)
    found = {(n.code, n.column): n.rows for n in notes}
    assert found == {
        ("header_case", None): (),
        ("lower_case_code", "MISSING"): (0, 2),
        ("blank_row", None): (1,),
        ("whitespace", "MISSING"): (2,),
        ("float_artefact", "CHILD"): (2,),
    }
    assert all("1001" not in n.message for n in notes)


@pytest.mark.parametrize(
    ("file", "problem"),
    [
        ("empty.csv", "the file is empty"),
        ("utf16_missing.csv", "not UTF-8"),
        ("latin1.csv", "not UTF-8"),
        ("wrong_headers.csv", "missing column(s) MISSING, MIS_START, MIS_END"),
    ],
)
def test_unusable_csv_is_refused_with_one_line(file: str, problem: str) -> None:
    with pytest.raises(Unusable903Input) as info:
        read_csv((FIXTURES / file).read_bytes(), source=file, expect="Missing")
    text = str(info.value)
    assert text.startswith(f"{file}: ")
    assert problem in text
    assert "\n" not in text


def test_unknown_table_and_ragged_rows_are_refused() -> None:
    with pytest.raises(Unusable903Input, match="matches no 903 table"):
        read_csv(b"A,B\n1,2\n")
    with pytest.raises(Unusable903Input, match="more cells than the header"):
        read_csv(b"CHILD,DOB,MISSING,MIS_START,MIS_END\n1,2,3,4,5,6\n")
    with pytest.raises(Unusable903Input, match="repeats a column"):
        read_csv(b"CHILD,CHILD,DOB,MISSING,MIS_START,MIS_END\n")
    short = read_csv(b"CHILD,DOB,MISSING,MIS_START,MIS_END\nC1,01/01/2010,M\n")
    assert short.rows == (("C1", "01/01/2010", "M", None, None),)


def test_xml_return_gives_the_same_rows_as_the_csv_tables() -> None:
    ret = read_xml((FIXTURES / "return.xml").read_bytes())
    for name, table in (("header", ret.header), ("episodes", ret.episodes),
                        ("missing", ret.missing)):  # fmt: skip
        assert table is not None
        assert table.rows == read_csv((FIXTURES / f"{name}.csv").read_bytes()).rows


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty"),
        (b"<catalog/>", "expected root EXPSSDA903"),
        (b"<EXPSSDA903></EXPSSDA903>", "no CHILD records"),
        (b"<EXPSSDA903><CHILD>", "not well-formed XML"),
        ((FIXTURES / "doctype.xml").read_bytes(), "DOCTYPE"),
        (b'<!DOCTYPE a SYSTEM "file:///etc/passwd"><EXPSSDA903/>', "DOCTYPE"),
    ],
)
def test_unusable_xml_is_refused(data: bytes, problem: str) -> None:
    with pytest.raises(Unusable903Input, match=problem):
        read_xml(data, source="r.xml")


def test_read_return_from_files() -> None:
    ret = read_return(
        header=FIXTURES / "header.csv",
        episodes=FIXTURES / "episodes.csv",
        missing=FIXTURES / "missing.csv",
        missing_last=FIXTURES / "missing_last.csv",
    )
    assert ret.missing_last is not None
    assert len(ret.missing_last) == 1
    with pytest.raises(Unusable903Input, match="not that of the 903 Header"):
        read_return(header=FIXTURES / "missing.csv")
    with pytest.raises(Unusable903Input, match="cannot be opened"):
        read_return(missing=FIXTURES / "absent.csv")
    with pytest.raises(Unusable903Input, match="not both"):
        read_return(xml=FIXTURES / "return.xml", missing=FIXTURES / "missing.csv")
    from_xml = read_return(xml=FIXTURES / "return.xml", missing_last=FIXTURES / "return.xml")
    assert from_xml.missing_last is not None
    assert from_xml.missing_last.rows == from_xml.missing.rows  # type: ignore[union-attr]


def test_unusable_input_pickles() -> None:
    import pickle

    err = Unusable903Input("m.csv", "the file is empty")
    again = pickle.loads(pickle.dumps(err))
    assert (again.source, again.problem, str(again)) == ("m.csv", "the file is empty", str(err))


def test_doctype_after_a_long_comment_is_still_refused() -> None:
    data = b"<?xml version='1.0'?><!--" + b"x" * 10_000 + b'--><!DOCTYPE a [<!ENTITY e "e">]><a/>'
    with pytest.raises(Unusable903Input, match="DOCTYPE"):
        read_xml(data)
