"""The 903 readers and writer at their boundaries: nothing echoed, nothing expanded,
nothing silently lost, nothing written that a spreadsheet would run (issue 18, defects 2-5)."""

from __future__ import annotations

import pytest

from missingcare.adapters.ssda903 import (
    Table,
    Unusable903Input,
    read_csv,
    read_xml,
    write_csv,
)
from missingcare.adapters.ssda903.reading import MAX_CELL, MAX_DEPTH

HEAD = b"CHILD,DOB,MISSING,MIS_START,MIS_END\n"
CANARY = "QX7CANARY"


def _refusal(data: bytes, **kwargs: object) -> str:
    with pytest.raises(Unusable903Input) as info:
        read_csv(data, source="m.csv", **kwargs)  # type: ignore[arg-type]
    text = str(info.value)
    assert text.startswith("m.csv: ")
    assert "\n" not in text
    return text


# ---- defect 2: a refusal never echoes a cell or a header name --------------------------------


def test_a_file_without_its_header_line_is_refused_without_echoing_the_first_row() -> None:
    data = f"02/06/2025,03/06/2025,14/05/2010,{CANARY},M\n02/06/2025,,,C2,A\n".encode()
    for expect in (None, "Missing"):
        text = _refusal(data, expect=expect)
        assert "the first line is not a 903 header" in text
        assert CANARY not in text
        assert "02/06/2025" not in text
        assert "14/05/2010" not in text


def test_unexpected_header_names_are_counted_and_placed_not_echoed() -> None:
    data = f"CHILD,DOB,{CANARY},MISSING,MIS_START,{CANARY}B\nC1,,x,M,01/06/2025,y\n".encode()
    text = _refusal(data, expect="Missing")
    assert CANARY not in text
    assert "missing column MIS_END;" in text
    assert "2 unexpected columns, at positions 3, 6" in text
    text = _refusal(data)
    assert CANARY not in text


@pytest.mark.parametrize(
    "data",
    [
        HEAD + f"C1,,M,01/06/2025,,{CANARY}\n".encode(),  # a cell past the last column
        HEAD + f'"{CANARY},,M,01/06/2025,\n'.encode(),  # an unclosed quote
        HEAD + f'C1,,"{CANARY}\nM",01/06/2025,\n'.encode(),  # a quoted cell over two lines
        HEAD + (CANARY * (MAX_CELL // len(CANARY) + 1)).encode() + b",,M,,\n",  # too long
        HEAD + b"C1,,M,01/06/2025,\n" + CANARY.encode() + b"\xff,,M,,\n",  # not UTF-8
    ],
)
def test_no_refusal_quotes_a_cell(data: bytes) -> None:
    assert CANARY not in _refusal(data)


# ---- defect 4: an unclosed quote refuses the file, naming the line ------------------------------


def test_an_unclosed_quote_refuses_the_file_with_its_line() -> None:
    rows = [f"C{i},01/01/2010,M,01/06/2025,02/06/2025" for i in range(100)]
    rows[1] = 'C1,01/01/2010,"M,01/06/2025,02/06/2025'  # a stray quote at data row 1
    data = HEAD + "\n".join(rows).encode() + b"\n"
    text = _refusal(data)
    assert "line 3: a quote is not closed" in text
    # a stray quote closed by another much later: the lines between would become one cell
    rows[50] = 'C50,01/01/2010,M",01/06/2025,02/06/2025'
    data = HEAD + "\n".join(rows).encode() + b"\n"
    assert "line 3" in _refusal(data)


def test_quotes_that_close_are_read_as_csv_quoting() -> None:
    table = read_csv(HEAD + b'"C1","01/01/2010","M","01/06/2025",""\n')
    assert table.rows == (("C1", "01/01/2010", "M", "01/06/2025", None),)


# ---- defect 3: XML is parsed by defusedxml: no DTD, no entity, bounded, streamed ---------------

_BOMB = (
    '<?xml version="1.0" encoding="{enc}"?>\n'
    '<!DOCTYPE EXPSSDA903 [<!ENTITY a "{canary}{canary}{canary}{canary}{canary}">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
    '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">]>'
    "<EXPSSDA903><CHILD><HEADER><CHILDID>&e;</CHILDID></HEADER></CHILD></EXPSSDA903>"
)


@pytest.mark.parametrize(
    ("encoding", "codec"),
    [
        ("UTF-8", "utf-8-sig"),  # with a byte-order mark
        ("UTF-8", "utf-8"),
        ("UTF-16", "utf-16"),  # with a byte-order mark (little-endian here)
        ("UTF-16BE", "utf-16-be"),
        ("UTF-16LE", "utf-16-le"),
        ("UTF-32", "utf-32"),
    ],
)
def test_xml_with_an_internal_entity_is_refused_in_every_encoding(
    encoding: str, codec: str
) -> None:
    data = _BOMB.format(enc=encoding, canary=CANARY).encode(codec)
    with pytest.raises(Unusable903Input) as info:
        read_xml(data, source="r.xml")
    text = str(info.value)
    assert CANARY not in text
    # refused at the DOCTYPE, before any entity is declared (so before any expansion); a
    # UTF-32 document, which XML parsers are not required to read, is refused unread
    if codec == "utf-32":
        assert "not well-formed XML, or not in an encoding XML readers know" in text
    else:
        assert "DOCTYPE" in text


def test_xml_nested_too_deep_or_with_a_long_text_is_refused() -> None:
    deep = (
        b"<EXPSSDA903><CHILD>" + b"<X>" * MAX_DEPTH + b"</X>" * MAX_DEPTH + b"</CHILD></EXPSSDA903>"
    )
    with pytest.raises(Unusable903Input, match="nests deeper than"):
        read_xml(deep)
    long = (
        b"<EXPSSDA903><CHILD><HEADER><CHILDID>C1</CHILDID><AMISSING><MIS_START>"
        + CANARY.encode() * (MAX_CELL // len(CANARY) + 1)
        + b"</MIS_START></AMISSING></HEADER></CHILD></EXPSSDA903>"
    )
    with pytest.raises(Unusable903Input, match="XML Missing row 0, element MIS_START") as info:
        read_xml(long)
    assert CANARY not in str(info.value)


def test_xml_is_read_as_a_stream_the_same_in_any_chunking() -> None:
    """The reader feeds the parser in chunks: a return read whole or a byte at a time is the
    same; each CHILD's leaves are taken as it ends (no tree is kept)."""
    from missingcare.adapters.ssda903 import reading

    data = (
        "<?xml version='1.0' encoding='UTF-16'?><EXPSSDA903>"
        "<CHILD><HEADER><CHILDID>C1</CHILDID><DOB>01/01/2010</DOB>"
        "<AMISSING><MISSING> m</MISSING><MIS_START>01/06/2025</MIS_START><MIS_END/></AMISSING>"
        "</HEADER><EPISODE><DECOM>01/05/2025</DECOM><PL>U1</PL></EPISODE></CHILD>"
        "<CHILD><HEADER><CHILDID>C2</CHILDID></HEADER></CHILD></EXPSSDA903>"
    ).encode("utf-16")
    whole = read_xml(data)
    drip = reading._parse_xml((data[i : i + 1] for i in range(len(data))), "r.xml", False)
    assert whole == drip
    assert whole.missing is not None
    assert whole.episodes is not None
    assert whole.header is not None
    assert whole.missing.rows == (("C1", "01/01/2010", " m", "01/06/2025", None),)
    assert whole.episodes.column("PLACE") == ("U1",)
    assert whole.header.column("CHILD") == ("C1", "C2")


# ---- defect 5: a cell a spreadsheet would run as a formula is not written ----------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_beginning_like_a_formula_is_refused_on_write(start: str) -> None:
    table = Table.from_records(
        "Missing",
        [
            {"CHILD": "C1", "MISSING": "M", "MIS_START": "01/06/2025"},
            {"CHILD": "C2", "MISSING": "A", "MIS_START": f"{start}HYPERLINK({CANARY})"},
        ],
    )
    with pytest.raises(Unusable903Input) as info:
        write_csv(table)
    text = str(info.value)
    assert "row 1, column MIS_START" in text
    assert CANARY not in text
    assert "HYPERLINK" not in text


def test_a_formula_cell_read_from_a_file_is_not_written_back() -> None:
    table = read_csv(HEAD + b"=1+2,,M,01/06/2025,\n")
    assert table.rows[0][0] == "=1+2"  # read as submitted (and flagged by the rules)
    with pytest.raises(Unusable903Input, match="row 0, column CHILD"):
        write_csv(table)


# ---- found by the fuzz harness: no chained error holds the data; expat's encoding errors ---------


def test_a_file_that_is_not_utf8_is_refused_with_no_chained_error() -> None:
    data = HEAD + f"{CANARY},,M,01/06/2025,\n".encode() + b"\xff\xfe,,M,01/06/2025,\n"
    with pytest.raises(Unusable903Input) as info:
        read_csv(data)
    assert "line 3 is not UTF-8 text" in str(info.value)
    assert info.value.__context__ is None  # the UnicodeDecodeError held the whole file
    assert info.value.__cause__ is None


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_xml_with_a_doctype_in_utf16_without_a_mark_is_refused_cleanly(encoding: str) -> None:
    """Found by the fuzz harness: expat raised a bare ValueError (multi-byte encodings)."""
    xml = f'<?xml version="1.0" encoding="utf-16"?><!DOCTYPE x [<!ENTITY a "{CANARY}">]>'
    xml += "<EXPSSDA903><CHILD><HEADER><CHILDID>&a;</CHILDID></HEADER></CHILD></EXPSSDA903>"
    with pytest.raises(Unusable903Input) as info:
        read_xml(xml.encode(encoding))
    assert CANARY not in str(info.value)
    assert info.value.__context__ is None
