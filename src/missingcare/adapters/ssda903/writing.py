"""Write 903 tables as CSV and as the XML return.

Reading back what was written gives the same rows: CSV keeps row order;
XML nests rows under their child (``CHILD`` > ``HEADER`` > ``AMISSING``,
``CHILD`` > ``EPISODE``), so rows come back grouped by child, in the order
children first appear — the same order whenever the input was already grouped
(as derived rows are). In XML a Missing row takes the child's Header ``DOB``.

No 903 value begins with ``=``, ``+``, ``-`` or ``@`` (nor a tab or carriage
return), which a spreadsheet opening the CSV would run as a formula; a table with
such a cell is refused, not written (:func:`write_csv` raises
:class:`~missingcare.exceptions.Unusable903Input` naming the row and column, never
the value). Refusing rather than neutralising (a leading ``'``) keeps what is
written exactly what is read back.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

from missingcare.adapters.ssda903.tables import COLUMNS, Return903, Table
from missingcare.exceptions import Unusable903Input

__all__ = ["FORMULA_START", "write_csv", "write_xml"]

#: The first characters that make a spreadsheet read a cell as a formula (OWASP, "CSV
#: injection"); no 903 value begins with one.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_XML_TAGS = {"CHILD": "CHILDID", "PLACE": "PL"}
_HEADER_ORDER = ("CHILD", "UPN", "SEX", "DOB", "ETHNIC", "MOTHER", "MC_DOB")


def write_csv(table: Table) -> bytes:
    """The table as UTF-8 CSV with its header line; blank cells are empty.

    >>> from missingcare.adapters.ssda903.tables import Table
    >>> t = Table.from_records("Missing", [{"CHILD": "C1", "MISSING": "M",
    ...                                     "MIS_START": "01/06/2025"}])
    >>> write_csv(t).decode().splitlines()
    ['CHILD,DOB,MISSING,MIS_START,MIS_END', 'C1,,M,01/06/2025,']
    """
    for column in table.columns:
        for n, cell in zip(table.row_numbers, table.column(column), strict=True):
            if cell is not None and cell.startswith(FORMULA_START):
                raise Unusable903Input(
                    f"the {table.name} table",
                    f"row {n}, column {column}: a cell begins with =, +, -, @, a tab or a "
                    "carriage return, which a spreadsheet would run as a formula; no 903 "
                    "value does, so the table is not written",
                )
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return out.getvalue().encode("utf-8")


def _leaf(parent: ET.Element, column: str, value: str | None) -> None:
    el = ET.SubElement(parent, _XML_TAGS.get(column, column))
    if value is not None:
        el.text = value


def write_xml(ret: Return903) -> bytes:
    """The return's Header, Episodes and Missing tables as an ``EXPSSDA903`` document.

    A child with Episodes or Missing rows but no Header row gets a Header
    holding only its id (and the Missing row's date of birth).
    """
    header = ret.header or Table("Header", COLUMNS["Header"], ())
    episodes = ret.episodes or Table("Episodes", COLUMNS["Episodes"], ())
    missing = ret.missing or Table("Missing", COLUMNS["Missing"], ())
    order: list[str] = []
    heads: dict[str, dict[str, str | None]] = {}
    eps: dict[str, list[dict[str, str | None]]] = {}
    miss: dict[str, list[dict[str, str | None]]] = {}
    for rec in header.records():
        child = rec["CHILD"] or ""
        if child not in heads:
            order.append(child)
            heads[child] = rec
    for table, into in ((episodes, eps), (missing, miss)):
        for rec in table.records():
            child = rec["CHILD"] or ""
            if child not in heads:
                order.append(child)
                heads[child] = {"CHILD": rec["CHILD"], "DOB": rec.get("DOB")}
            into.setdefault(child, []).append(rec)
    root = ET.Element("EXPSSDA903")
    for child in order:
        child_el = ET.SubElement(root, "CHILD")
        head_el = ET.SubElement(child_el, "HEADER")
        for column in _HEADER_ORDER:
            _leaf(head_el, column, heads[child].get(column))
        for rec in miss.get(child, ()):
            am = ET.SubElement(head_el, "AMISSING")
            for column in ("MISSING", "MIS_START", "MIS_END"):
                _leaf(am, column, rec[column])
        for rec in eps.get(child, ()):
            ep = ET.SubElement(child_el, "EPISODE")
            for column in COLUMNS["Episodes"][1:]:
                _leaf(ep, column, rec[column])
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body + b"\n"
