"""Vocabularies: open sets of coded concepts that jurisdictions and embedders extend.

Closed sets the library branches on are :class:`enum.Enum` members; open sets
(push and pull factors, unmet needs, locations, who-with, context categories…)
are :class:`Concept` values held in an immutable :class:`Vocabulary`.
Extending a vocabulary returns a new one; nothing is changed in place.

>>> from missingcare.vocabularies import PUSH_FACTORS
>>> PUSH_FACTORS["conflict_with_staff"].display
'Conflict with carers or staff'
>>> PUSH_FACTORS.suggest("conflict_with_staf")[0]
'conflict_with_staff'
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType

import attrs

from missingcare.exceptions import UnknownCodeError

__all__ = ["SYSTEM", "Concept", "Vocabulary"]

#: The code system of the concepts missingcare ships.
SYSTEM = "https://missingcare.invalid/vocab"

_CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def _check_code(_inst: object, _attr: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not _CODE.match(value):
        raise ValueError(
            "a concept code is 1-64 characters: lower-case letters, digits, '_', '.', '-'"
        )


def _check_text(_inst: object, attr: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str):
        raise TypeError(f"Concept.{attr.name} must be text")


@attrs.frozen(order=True)
class Concept:
    """One coded term: ``system`` and ``code`` identify it; ``display`` labels it.

    Equality and hashing use all four fields, so a concept read back from the
    wire equals the one written when both come from the same vocabulary.
    """

    system: str = attrs.field(validator=_check_text)
    code: str = attrs.field(validator=_check_code)
    display: str = attrs.field(validator=_check_text)
    definition: str = attrs.field(default="", validator=_check_text)

    def __str__(self) -> str:
        return self.code


def _to_concepts(value: Iterable[Concept]) -> tuple[Concept, ...]:
    return tuple(value)


@attrs.frozen
class Vocabulary:
    """An immutable, ordered set of :class:`Concept` values with unique codes.

    ``name`` is the vocabulary's stable identifier (``push_factors``); fields
    of the model bind to vocabularies by this name.
    """

    name: str = attrs.field(validator=_check_code)
    title: str = attrs.field(validator=_check_text)
    concepts: tuple[Concept, ...] = attrs.field(converter=_to_concepts)
    source: str = attrs.field(default="", validator=_check_text)
    _index: Mapping[str, Concept] = attrs.field(
        init=False, repr=False, eq=False, hash=False, alias="_index"
    )

    def __attrs_post_init__(self) -> None:
        index: dict[str, Concept] = {}
        for concept in self.concepts:
            if not isinstance(concept, Concept):
                raise TypeError(f"vocabulary {self.name!r} holds only Concept values")
            if concept.code in index:
                raise ValueError(f"code {concept.code!r} appears twice in vocabulary {self.name!r}")
            index[concept.code] = concept
        object.__setattr__(self, "_index", index)

    def __getitem__(self, code: str) -> Concept:
        return self.get(code)

    @property
    def by_code(self) -> Mapping[str, Concept]:
        """The concepts by code, read-only: a plain lookup, ``None`` from ``.get`` if unknown.

        >>> from missingcare.vocabularies import EPISODE_STATUSES
        >>> EPISODE_STATUSES.by_code.get("missing") == EPISODE_STATUSES["missing"]
        True
        >>> EPISODE_STATUSES.by_code.get("gone") is None
        True
        """
        return MappingProxyType(self._index)

    def get(self, code: str) -> Concept:
        """The concept with ``code``; raises :class:`UnknownCodeError` with close matches."""
        try:
            return self._index[code]
        except (KeyError, TypeError):
            raise UnknownCodeError(self.name, str(code), self.suggest(str(code))) from None

    def suggest(self, code: str, n: int = 3) -> tuple[str, ...]:
        """Up to ``n`` codes close to ``code``, best first."""
        return tuple(difflib.get_close_matches(code, list(self._index), n=n, cutoff=0.6))

    def __contains__(self, item: object) -> bool:
        if isinstance(item, Concept):
            return self._index.get(item.code) == item
        return isinstance(item, str) and item in self._index

    def __iter__(self) -> Iterator[Concept]:
        return iter(self.concepts)

    def __len__(self) -> int:
        return len(self.concepts)

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes, in the vocabulary's order."""
        return tuple(c.code for c in self.concepts)

    def extend(self, *concepts: Concept, name: str | None = None) -> Vocabulary:
        """A new vocabulary with ``concepts`` appended; a duplicate code is refused.

        Keep the name (the default) to use the extension where the model binds
        the original, for example in :func:`missingcare.make_converter`.
        """
        return attrs.evolve(self, name=name or self.name, concepts=(*self.concepts, *concepts))

    def without(self, *codes: str) -> Vocabulary:
        """A new vocabulary without the concepts whose codes are given."""
        for code in codes:
            self.get(code)
        drop = set(codes)
        return attrs.evolve(self, concepts=tuple(c for c in self.concepts if c.code not in drop))


def _vocab(name: str, title: str, source: str, rows: Iterable[tuple[str, str, str]]) -> Vocabulary:
    return Vocabulary(
        name=name,
        title=title,
        source=source,
        concepts=tuple(
            Concept(SYSTEM, code, display, definition) for code, display, definition in rows
        ),
    )
