"""Shared helpers for the test suite."""

from __future__ import annotations

from hypothesis import settings


def examples(minimum: int) -> int:
    """At least ``minimum`` examples, more when the active profile asks for more."""
    current = settings.default
    return minimum if current is None else max(minimum, current.max_examples)
