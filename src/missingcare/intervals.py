"""Deprecated: the interval engine is :mod:`missingcare.adapters.ssda903.intervals`.

Its one user is the 903 adapter, so it moved there. This path keeps working,
with a ``DeprecationWarning``, for one minor release.
"""

from __future__ import annotations

import warnings
from typing import Any

__all__: list[str] = []

_NEW = "missingcare.adapters.ssda903.intervals"
_MOVED = frozenset({"Gap", "Period", "Span", "chain_periods", "containing", "gaps"})


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        warnings.warn(
            f"missingcare.intervals.{name} moved to {_NEW}.{name}; "
            "the old path will be removed in the next minor release",
            DeprecationWarning,
            stacklevel=2,
        )
        from missingcare.adapters.ssda903 import intervals  # noqa: PLC0415 - lazy on purpose

        return getattr(intervals, name)
    raise AttributeError(f"module 'missingcare.intervals' has no attribute {name!r}")
