"""The one composition of editions: the previous edition, minus ``remove``, plus ``add``.

Rule packs' editions and the 903 editions are both composed by it.
"""

from __future__ import annotations

import pytest

from missingcare._editions import compose_editions
from missingcare.adapters.ssda903 import EDITIONS, RULES, rules_for


class _RefusedError(Exception):
    pass


def test_each_edition_is_the_previous_minus_removed_plus_added() -> None:
    composed = compose_editions(
        [("a", ["x", "y", "z"], []), ("b", [], []), ("c", ["y", "w"], ["y"])], code=str
    )
    # a replaced item is removed and added again, so it goes to the end
    assert composed == {"a": ("x", "y", "z"), "b": ("x", "y", "z"), "c": ("x", "z", "y", "w")}


@pytest.mark.parametrize(
    ("editions", "problem"),
    [
        ([("a", ["x"], []), ("a", [], [])], "used twice"),
        ([("a", ["x"], ["x"])], "first edition has nothing to remove"),
        ([("a", ["x"], []), ("b", [], ["y"])], "removes 'y', which the previous edition lacks"),
        ([("a", ["x", "x"], [])], "adds 'x' twice"),
        ([("a", ["x"], []), ("b", ["x"], [])], "adds 'x' twice"),
    ],
)
def test_nothing_is_done_silently(
    editions: list[tuple[str, list[str], list[str]]], problem: str
) -> None:
    with pytest.raises(_RefusedError, match=problem):
        compose_editions(editions, code=str, error=_RefusedError)
    with pytest.raises(ValueError, match=problem):  # the default error
        compose_editions(editions, code=str)


def test_the_903_editions_are_composed_by_it() -> None:
    composed = compose_editions(
        ((name, [RULES[c] for c in added], removed) for name, added, removed in EDITIONS),
        code=lambda r: r.code,
    )
    assert {name: rules_for(name) for name, _, _ in EDITIONS} == composed
