"""Deprecated: the Arrow tables moved to :mod:`missingcare.research.tables`.

Importing one of its public names from here still works for one minor
release, with a :class:`DeprecationWarning` naming the new path.
"""

from __future__ import annotations

import warnings
from typing import Any

from missingcare.research import tables as _tables

_MOVED = frozenset(
    ("ARROW_SCHEMA_VERSION", "SCHEMAS", "TABLES", "CaseTables", "from_arrow", "to_arrow")
)


def __getattr__(name: str) -> Any:
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(
        f"missingcare.research.arrow.{name} moved to missingcare.research.tables.{name}",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(_tables, name)
