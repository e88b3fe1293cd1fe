"""Shared helpers for the test suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

#: The Hypothesis profiles ``tests/conftest.py`` registers (see its docstring).
PROFILES = ("default", "thorough", "deep")
#: The ``deep`` profile's count for every property test that states one.
DEEP_EXAMPLES = 100_000
#: The quick ``default`` profile runs this share of each documented count ...
QUICK_SHARE = 10
#: ... but never fewer than this many examples (or the count, when smaller).
QUICK_FLOOR = 20


def profile() -> str:
    """The active Hypothesis profile's name (``HYPOTHESIS_PROFILE``, else ``default``)."""
    name = os.environ.get("HYPOTHESIS_PROFILE", "default")
    if name not in PROFILES:
        raise ValueError(f"HYPOTHESIS_PROFILE is one of {', '.join(PROFILES)}")
    return name


def examples(documented: int) -> int:
    """How many examples a property test runs, given its documented count.

    ``thorough`` runs the documented count, ``deep`` at least 100,000, and the
    quick ``default`` a tenth of it (at least 20, or the count when smaller).
    """
    name = profile()
    if name == "thorough":
        return documented
    if name == "deep":
        return max(documented, DEEP_EXAMPLES)
    return max(min(documented, QUICK_FLOOR), documented // QUICK_SHARE)


def places(doc: Any, path: str = "$") -> Iterator[tuple[str, Any, Any]]:
    """(path, container, key) for every value below the JSON document ``doc``."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            child = f"{path}.{key}"
            yield child, doc, key
            yield from places(value, child)
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            child = f"{path}[{i}]"
            yield child, doc, i
            yield from places(value, child)
