"""Deprecated: the interval engine is :mod:`missingcare.adapters.ssda903.intervals`.

Its one user is the 903 adapter, so it moved there. This path keeps working,
with a ``DeprecationWarning``, for one minor release.
"""

from missingcare._deprecated import moved

__all__: list[str] = []

__getattr__ = moved(
    __name__,
    {
        name: f"missingcare.adapters.ssda903.intervals.{name}"
        for name in ("Gap", "Period", "Span", "chain_periods", "containing", "gaps")
    },
)
