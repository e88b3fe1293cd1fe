"""Shared helpers for the test suite."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from hypothesis import settings


def examples(minimum: int) -> int:
    """At least ``minimum`` examples, more when the active profile asks for more."""
    current = settings.default
    return minimum if current is None else max(minimum, current.max_examples)


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
