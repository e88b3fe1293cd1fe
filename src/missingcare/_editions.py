"""Editions as "the previous edition, plus some, minus some": the one composition.

Two kinds of rule set change by dated edition: a jurisdiction's
:class:`~missingcare.rules.RulePack` (its :class:`~missingcare.rules.Edition`
values, keyed by a date in force) and DfE's 903 validation rules (keyed by
collection year, in :mod:`missingcare.adapters.ssda903.rules`). Their rules
differ — a pack rule checks a case file and yields findings, a 903 rule flags
rows of a table — and so do their edition values: ``Edition`` holds pack
rules and a date in force, the 903 editions are DfE's year names with codes.
What they share is how an edition is composed, so that is said here once and
both call it: each edition is the previous one with ``remove`` taken out, then
``add`` put in (a rule replaced is removed and added again, and goes to the
end), and nothing is done silently (a code added twice, or removed though
absent, is an error).

It knows nothing about either kind of rule: items are anything with a code.

>>> composed = compose_editions(
...     [("one", ["a", "b"], []), ("two", ["c"], ["a"])], code=str
... )
>>> composed
{'one': ('a', 'b'), 'two': ('b', 'c')}
>>> compose_editions([("one", ["a"], []), ("two", [], ["z"])], code=str)
Traceback (most recent call last):
...
ValueError: edition 'two' removes 'z', which the previous edition lacks
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

__all__ = ["compose_editions"]

V = TypeVar("V")


def compose_editions(
    editions: Iterable[tuple[str, Iterable[V], Iterable[str]]],
    *,
    code: Callable[[V], str],
    error: Callable[[str], Exception] = ValueError,
) -> dict[str, tuple[V, ...]]:
    """Each edition's items, by edition name, from ``(name, add, remove)`` in order.

    ``code`` gives an item's code, by which ``remove`` names it. The first
    edition is its ``add``. Raises ``error(message)`` when a name is used
    twice, the first edition removes anything, a removal names a code the
    previous edition lacks, or an edition adds a code it already has.
    """
    composed: dict[str, tuple[V, ...]] = {}
    current: dict[str, V] = {}
    for i, (name, add, remove) in enumerate(editions):
        if name in composed:
            raise error(f"edition name {name!r} is used twice")
        removed = tuple(remove)
        if i == 0 and removed:
            raise error("the first edition has nothing to remove")
        for c in removed:
            if c not in current:
                raise error(f"edition {name!r} removes {c!r}, which the previous edition lacks")
            del current[c]
        for item in add:
            c = code(item)
            if c in current:
                raise error(f"edition {name!r} adds {c!r} twice (remove it first to replace it)")
            current[c] = item
        composed[name] = tuple(current.values())
    return composed
