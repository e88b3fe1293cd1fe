"""Deprecated: the Arrow tables moved to :mod:`missingcare.research.tables`.

Importing one of its public names from here still works for one minor
release, with a :class:`DeprecationWarning` naming the new path.
"""

from missingcare._deprecated import moved

__getattr__ = moved(
    __name__,
    {
        name: f"missingcare.research.tables.{name}"
        for name in (
            "ARROW_SCHEMA_VERSION",
            "SCHEMAS",
            "TABLES",
            "CaseTables",
            "from_arrow",
            "to_arrow",
        )
    },
)
