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


def test_cells_are_read_as_submitted_by_default() -> None:
    """Padded and lower-case codes and dates reach the rules as the file holds them, as
    DfE's validator reads them; what is not a cell (BOM, CRLF, blank line, header case)
    is read around, with a note; an all-blank row is a row (DfE's validator flags it)."""
    table, notes = read_csv_with_notes((FIXTURES / "messy_missing.csv").read_bytes())
    assert table.records() == (
        {"CHILD": "1001", "DOB": "14/05/2010", "MISSING": "m",
         "MIS_START": "02/06/2025", "MIS_END": "03/06/2025"},
        {"CHILD": None, "DOB": None, "MISSING": None, "MIS_START": None, "MIS_END": None},
        {"CHILD": "1001.0", "DOB": "14/05/2010", "MISSING": " a ",
         "MIS_START": "03/06/2025", "MIS_END": "05/06/2025"},
    )  # fmt: skip
    # the blank line is not a row: rows are numbered without it, as DfE's validator does
    assert table.row_numbers == (0, 1, 2)
    assert {(n.code, n.column): n.rows for n in notes} == {
        ("bom", None): (),
        ("header_case", None): (),
    }


def test_tolerant_reading_cleans_and_notes_each_cleaning() -> None:
    table, notes = read_csv_with_notes((FIXTURES / "messy_missing.csv").read_bytes(), tolerant=True)
    assert table.records()[0]["MISSING"] == "M"
    assert table.records()[2] == {"CHILD": "1001", "DOB": "14/05/2010", "MISSING": "A",
                                  "MIS_START": "03/06/2025", "MIS_END": "05/06/2025"}  # fmt: skip
    found = {(n.code, n.column): n.rows for n in notes}
    assert found == {
        ("bom", None): (),
        ("header_case", None): (),
        ("lower_case_code", "MISSING"): (0, 2),
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
        ("wrong_headers.csv", "missing columns MISSING, MIS_START, MIS_END"),
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
    with pytest.raises(Unusable903Input, match="first line is not a 903 header"):
        read_csv(b"A,B\n1,2\n")
    with pytest.raises(Unusable903Input, match="matches no 903 table"):
        read_csv(b"CHILD,B\n1,2\n")
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


def test_unusable_input_is_one_of_the_library_errors_importable_from_the_adapter() -> None:
    from missingcare import exceptions
    from missingcare.adapters.ssda903 import reading

    assert Unusable903Input is exceptions.Unusable903Input is reading.Unusable903Input
    assert issubclass(Unusable903Input, exceptions.MissingCareError)
    assert issubclass(Unusable903Input, ValueError)


def test_doctype_after_a_long_comment_is_still_refused() -> None:
    data = b"<?xml version='1.0'?><!--" + b"x" * 10_000 + b'--><!DOCTYPE a [<!ENTITY e "e">]><a/>'
    with pytest.raises(Unusable903Input, match="DOCTYPE"):
        read_xml(data)


def _quoted_first_cell(data: bytes) -> bytes:
    """The same CSV with its first data cell quoted, so it is read by the csv module."""
    lines = data.splitlines(keepends=True)
    at = [i for i, line in enumerate(lines) if line.strip()][1]
    first, _, rest = lines[at].partition(b",")
    lines[at] = b'"' + first + b'",' + rest
    return b"".join(lines)


def _variants(data: bytes) -> dict[str, bytes]:
    lines = data.decode().splitlines()
    width = lines[0].count(",")
    blank = "," * width
    names = lines[0].split(",")
    swapped = [",".join([*ln.split(",")[1:], ln.split(",")[0]]) for ln in lines]
    return {
        "crlf": data,
        "lf": "\n".join(lines).encode(),
        "lf, no final line end": "\n".join(lines).rstrip("\n").encode(),
        "blank lines": "\n\n".join(lines).encode() + b"\n\n",
        "all-blank rows": "\r\n".join([lines[0], blank, *lines[1:3], blank, *lines[3:]]).encode(),
        "header in another case": "\n".join(
            [",".join(n.lower() for n in names), *lines[1:]]
        ).encode(),
        "columns in another order": "\n".join(swapped).encode(),
        "bom": b"\xef\xbb\xbf" + data,
    }


def test_plain_files_read_the_same_by_the_whole_text_shortcut(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Unquoted files with one kind of line end and no blank line are read by splitting the
    whole text into cells; what that gives (rows, row numbers, notes) is what reading them
    line by line (or with the csv module, when a cell is quoted) gives."""
    from missingcare.adapters.ssda903 import Table, reading, write_csv
    from missingcare.adapters.ssda903.synth import generate_return

    fast_reads: list[str] = []
    simple = reading._read_simple

    def spy_simple(*args: object, **kwargs: object) -> object:
        got = simple(*args, **kwargs)  # type: ignore[arg-type]
        if got is not None:
            fast_reads.append("text")
        return got

    monkeypatch.setattr(reading, "_read_simple", spy_simple)
    by_lines = {"blank lines"}  # (the others: the whole text at once)
    tables = generate_return(7)
    for name in ("Header", "Episodes", "Missing"):
        data = write_csv(Table.from_records(name, tables[name]))
        for label, variant in _variants(data).items():
            fast_reads.clear()
            fast = read_csv_with_notes(variant, expect=name)
            assert fast_reads == ([] if label in by_lines else ["text"]), (name, label)
            fast_reads.clear()
            slow = read_csv_with_notes(_quoted_first_cell(variant), expect=name)
            assert fast_reads == [], (name, label)
            assert fast == slow, (name, label)
            assert fast[0].rows == slow[0].rows, (name, label)
            assert fast[0].row_numbers == slow[0].row_numbers, (name, label)
            assert len(fast[0]) == len(slow[0]), (name, label)
            for column in fast[0].columns:
                assert fast[0].column(column) == slow[0].column(column), (name, label)
            monkeypatch.setattr(reading, "_read_simple", lambda *a, **k: None)
            assert read_csv_with_notes(variant, expect=name) == fast, (name, label)
            monkeypatch.setattr(reading, "_read_simple", spy_simple)
    # a lone CR ends lines as the csv module (and DfE's reader) reads them
    lone_cr = b"CHILD,DOB,MISSING,MIS_START,MIS_END\rC1,,M,01/06/2025,\r"
    assert read_csv(lone_cr).rows == (("C1", None, "M", "01/06/2025", None),)


@pytest.mark.parametrize(
    "data",
    [
        # a lone LF (or CR) among CRLF line ends
        b"CHILD,DOB,MISSING,MIS_START,MIS_END\r\nC1,,M,01/06/2025,\nC2,,A,,\r\n",
        b"CHILD,DOB,MISSING,MIS_START,MIS_END\nC1,,M,01/06/2025,\r\nC2,,A,,\r\n",
        b"CHILD,DOB,MISSING,MIS_START,MIS_END\r\nC1,,M,01/\r06/2025,\r\nC2,,A,,\r\n",
        # blank lines, first, inside and last
        b"\r\nCHILD,DOB,MISSING,MIS_START,MIS_END\r\nC1,,M,01/06/2025,\r\n",
        b"CHILD,DOB,MISSING,MIS_START,MIS_END\n\nC1,,M,01/06/2025,\n\n",
        # a line of spaces (blank) and a line of tabs
        b"CHILD,DOB,MISSING,MIS_START,MIS_END\nC1,,M,01/06/2025,\n   \n,01/01/2010,,,\n",
        b"CHILD,DOB,MISSING,MIS_START,MIS_END\n\t\nC1,,M,01/06/2025,\n,01/01/2010,,,",
        # lines with too few or too many cells, one making up for another
        b"CHILD,DOB,MISSING,MIS_START,MIS_END\nC1,,M,01/06/2025\nC2,,A,,,\n",
        b"CHILD,DOB,MISSING,MIS_START,MIS_END\nC1,,M,01/06/2025,,\n",
        # headers: repeated, trailing blank name, no line end
        b"CHILD,DOB,MISSING,MIS_START,MIS_START\nC1,,M,01/06/2025,\n",
        b"CHILD,DOB,MISSING,MIS_START,MIS_END,\nC1,,M,01/06/2025,,\n",
        b"CHILD,DOB,MISSING,MIS_START,MIS_END",
        b"CHILD,DOB,MISSING,MIS_START,MIS_END\n",
    ],
)
def test_files_the_whole_text_shortcut_leaves_read_as_before(data: bytes) -> None:
    """What the whole-text shortcut does not read is read (or refused) the long way."""
    from missingcare.adapters.ssda903 import reading

    assert reading._read_simple(data.decode(), "Missing") is None
    assert reading._read_simple(data.decode(), None) is None
    assert reading._read_simple(data.decode(), "Header") is None
    for expect in (None, "Missing"):
        try:
            got: object = read_csv_with_notes(data, expect=expect)
        except Unusable903Input as exc:
            got = exc.problem
        quoted = data.replace(b"MIS_END", b'"MIS_END"', 1)  # (read by the csv module)
        try:
            want: object = read_csv_with_notes(quoted, expect=expect)
        except Unusable903Input as exc:
            want = exc.problem
        assert got == want


def test_tables_read_from_text_make_their_rows_when_asked() -> None:
    """A table read by the shortcut keeps its columns; its rows and row numbers are made on
    first use, and it is equal to (and pickles, copies and evolves like) the table built
    from its rows."""
    import copy
    import pickle

    import attrs

    from missingcare.adapters.ssda903 import COLUMNS, Table

    data = b"CHILD,DOB,MISSING,MIS_START,MIS_END\r\nC1,,M,01/06/2025,\r\nC2,01/01/2010,A,,\r\n"
    rows = (("C1", None, "M", "01/06/2025", None), ("C2", "01/01/2010", "A", None, None))
    built = Table("Missing", COLUMNS["Missing"], rows)

    def read() -> Table:
        table = read_csv(data, expect="Missing")
        assert table._column_cells() is not None  # (read by the shortcut)
        return table

    assert read() == built
    assert hash(read()) == hash(built)
    assert repr(read()) == repr(built)
    assert attrs.asdict(read()) == attrs.asdict(built)
    assert pickle.loads(pickle.dumps(read())) == built
    assert copy.deepcopy(read()) == built
    assert attrs.evolve(read(), name="Missing") == built
    table = read()
    assert len(table) == 2
    assert table.column("DOB") == (None, "01/01/2010")
    assert table.records() == built.records()
    assert table.rows == rows
    assert table.rows is table.rows  # (made once)
    assert table.row_numbers == (0, 1)
    with pytest.raises(AttributeError):
        table.rows = ()  # type: ignore[misc]
    with pytest.raises(AttributeError):
        _ = table.no_such_attribute  # type: ignore[attr-defined]
    assert built._column_cells() is None
    assert built.column("DOB") == (None, "01/01/2010")


def test_tolerant_cleaning_of_each_kind() -> None:
    head = b"CHILD,DOB,MISSING,MIS_START,MIS_END\n"
    for line, codes in (
        (b"C1,,m,01/06/2025,\n", ["lower_case_code"]),
        (b"C1, ,M,01/06/2025,\n", ["whitespace"]),
        (b"C1,,M ,01/06/2025,\n", ["whitespace"]),
        (b"1.0,,M,01/06/2025,\n", ["float_artefact"]),
        (b"C1,,M,2025-06-01,\n", ["iso_date"]),
        (b"C1,,M,01/06/2025 00:00,\n", ["midnight"]),
        (b"C1,,M,01/06/2025,\xc2\xa0\n", ["whitespace"]),  # a no-break space is blank too
    ):
        strict = read_csv_with_notes(head + line)
        assert [n.code for n in strict[1]] == []
        table, notes = read_csv_with_notes(head + line, tolerant=True)
        assert table.rows[0][2:] == ("M", "01/06/2025", None)
        assert [n.code for n in notes] == codes
        assert all(n.rows == (0,) for n in notes)
    # a two-digit year is left as it is: its century would be a guess
    two_digit = read_csv(head + b"C1,,M,1/6/25,\n", tolerant=True)
    assert two_digit.rows[0][3] == "1/6/25"
    ragged = read_csv_with_notes(head + b"C1,,M\nC2,,A,01/06/2025,,,\n")[0]
    assert ragged.rows == (("C1", None, "M", None, None), ("C2", None, "A", "01/06/2025", None))


def test_a_cell_longer_than_any_903_value_is_refused() -> None:
    from missingcare.adapters.ssda903.reading import MAX_CELL

    for letter in (b"x", b"X"):
        cell = letter * (MAX_CELL + 1)
        with pytest.raises(Unusable903Input, match=r"data row 0 \(line 2\), column CHILD") as info:
            read_csv(b"CHILD,DOB,MISSING,MIS_START,MIS_END\n" + cell + b",,M,,\n")
        assert letter * 5 not in str(info.value).encode()
    # a file of another table than the one expected is refused as before
    header = b"CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC1,1,01/01/2010,WBRI,,,\n"
    assert read_csv(header).name == "Header"
    with pytest.raises(Unusable903Input, match="not that of the 903 Missing table"):
        read_csv(header, expect="Missing")
