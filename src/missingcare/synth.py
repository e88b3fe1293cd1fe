"""Deprecated: the synthetic generator now lives in :mod:`missingcare.testing.synth`.

Importing a name from here still works for one minor release and emits a
:class:`DeprecationWarning` naming the new path.
"""

from __future__ import annotations

import warnings
from typing import Any

from missingcare.testing import synth as _synth

_MOVED = frozenset(
    {
        "TRIGGER_CATEGORIES",
        "Cohort",
        "Home",
        "Parameters",
        "iter_case_files",
        "write_jsonl",
    }
)


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        warnings.warn(
            f"missingcare.synth.{name} has moved to missingcare.testing.synth.{name}",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(_synth, name)
    raise AttributeError(f"module 'missingcare.synth' has no attribute {name!r}")
