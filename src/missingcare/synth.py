"""Deprecated: the synthetic generator now lives in :mod:`missingcare.testing.synth`.

Importing a name from here still works for one minor release and emits a
:class:`DeprecationWarning` naming the new path.
"""

from missingcare._deprecated import moved

__getattr__ = moved(
    __name__,
    {
        name: f"missingcare.testing.synth.{name}"
        for name in (
            "TRIGGER_CATEGORIES",
            "Cohort",
            "Home",
            "Parameters",
            "iter_case_files",
            "write_jsonl",
        )
    },
)
