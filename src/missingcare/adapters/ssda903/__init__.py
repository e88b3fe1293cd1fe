"""SSDA903: read, validate, derive and write the children-looked-after return's Missing table.

The Missing table (``CHILD, DOB, MISSING, MIS_START, MIS_END``) is how missing
and away episodes reach DfE. This package reads it from CSV or the XML
return together with the Header and Episodes tables (and last year's Missing
table), checks it with DfE's missing-episode rules for a collection year,
derives it from :class:`~missingcare.episodes.MissingEpisode` values, writes
it back as CSV or XML, and produces Ofsted Annex A List 8's missing columns.

>>> from missingcare.adapters.ssda903 import Table, Return903, validate
>>> missing = Table.from_records("Missing", [
...     {"CHILD": "C1", "DOB": "01/05/2010", "MISSING": "M", "MIS_START": "02/06/2025"},
...     {"CHILD": "C1", "DOB": "01/05/2010", "MISSING": "A", "MIS_START": "31/13/2025"},
... ])
>>> report = validate(Return903(missing=missing), "2025/26")
>>> for e in report.findings:
...     print(e.rule, e.table, e.row, e.problem)
574 Missing 1 previous_open
1004 Missing 1 unparseable

Each flagged row is a :class:`RowError` (DfE's "validation error"). The
interval engine the rules use, which chains dated episodes into periods, is
:mod:`missingcare.adapters.ssda903.intervals`.
"""

import importlib
from typing import TYPE_CHECKING, Any

from missingcare._deprecated import moved
from missingcare.adapters.ssda903.reading import (
    read_csv,
    read_csv_with_notes,
    read_return,
    read_xml,
)
from missingcare.adapters.ssda903.rules import (
    CODE_LISTS,
    EDITIONS,
    RULES,
    CodeList,
    RowError,
    Rule,
    ValidationReport,
    code_lists_for,
    rules_for,
    validate,
)
from missingcare.adapters.ssda903.tables import (
    COLUMNS,
    CollectionYear,
    Missing903Row,
    ReadNote,
    Return903,
    Table,
    format_903_date,
    parse_903_date,
    tidy,
)
from missingcare.adapters.ssda903.writing import write_csv, write_xml
from missingcare.exceptions import Unusable903Input

if TYPE_CHECKING:
    from missingcare.adapters.ssda903.annex_a import AnnexAAnswer, AnnexAList8, annex_a_list8
    from missingcare.adapters.ssda903.derive import (
        DEFAULT_STATUS_CODES,
        derive_return,
        missing_rows,
    )

__all__ = [
    "CODE_LISTS",
    "COLUMNS",
    "DEFAULT_STATUS_CODES",
    "EDITIONS",
    "RULES",
    "AnnexAAnswer",
    "AnnexAList8",
    "CodeList",
    "CollectionYear",
    "Missing903Row",
    "ReadNote",
    "Return903",
    "RowError",
    "Rule",
    "Table",
    "Unusable903Input",
    "ValidationReport",
    "annex_a_list8",
    "code_lists_for",
    "derive_return",
    "format_903_date",
    "missing_rows",
    "parse_903_date",
    "read_csv",
    "read_csv_with_notes",
    "read_return",
    "read_xml",
    "rules_for",
    "tidy",
    "validate",
    "write_csv",
    "write_xml",
]


#: The names that read the model (deriving a return from case files, Annex A): imported on
#: first use, so reading and validating a return never imports the model.
_FROM_THE_MODEL = {
    "AnnexAAnswer": "annex_a",
    "AnnexAList8": "annex_a",
    "annex_a_list8": "annex_a",
    "DEFAULT_STATUS_CODES": "derive",
    "derive_return": "derive",
    "missing_rows": "derive",
}
_moved = moved(__name__, {"Finding": "missingcare.adapters.ssda903.rules.RowError"})


def __getattr__(name: str) -> Any:
    module = _FROM_THE_MODEL.get(name)
    if module is None:
        return _moved(name)
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
