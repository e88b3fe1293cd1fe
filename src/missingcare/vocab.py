"""Vocabularies: open sets of coded concepts that jurisdictions and embedders extend.

Closed sets the library branches on are :class:`enum.Enum` members; open sets
(push and pull factors, unmet needs, locations, who-with, context categories…)
are :class:`Concept` values held in an immutable :class:`Vocabulary`.
Extending a vocabulary returns a new one; nothing is changed in place.

Vocabularies are data: the core ones are read from the package's
``vocabularies/core.json``, and an embedder's own are read from a file of
the same format with :func:`load_vocabularies` or :meth:`Vocabulary.from_file`.
The format (``schema_version`` 1), in JSON::

    {"schema_version": 1,
     "vocabularies": [
       {"name": "push_factors", "title": "Push factors", "source": "where it comes from",
        "system": "https://example.invalid/codes",
        "concepts": [{"code": "bus_pass_removed", "display": "Bus pass removed",
                      "definition": "What the code means and when to use it."}]}]}

``name``, ``title``, ``system`` and ``concepts`` are required for each
vocabulary (``source`` is optional); ``code`` and ``display`` for each
concept (``definition`` is optional, and ``system`` overrides the
vocabulary's for that concept).  A file that breaks the format raises
:class:`~missingcare.exceptions.ValidationError` whose violations give the
path of each bad entry (``$.vocabularies[2].concepts[5].display``), with a
note naming the file.  The walk over the file is written here by hand: the
format is three levels and a dozen keys, and the model layer uses neither
cattrs nor msgspec.

>>> from missingcare.vocabularies import PUSH_FACTORS
>>> PUSH_FACTORS["conflict_with_staff"].display
'Conflict with carers or staff'
>>> PUSH_FACTORS.suggest("conflict_with_staf")[0]
'conflict_with_staff'
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs

from missingcare.exceptions import UnknownCodeError, ValidationError, Violation

__all__ = [
    "FILE_SCHEMA_VERSION",
    "SYSTEM",
    "Concept",
    "Vocabulary",
    "VocabularySource",
    "load_vocabularies",
]

#: The code system of the concepts missingcare ships.
SYSTEM = "https://missingcare.invalid/vocab"

#: Where a vocabulary file is read from: a path, or a resource from
#: :func:`importlib.resources.files` (how the package reads its own).
VocabularySource = str | os.PathLike[str] | Traversable

#: The ``schema_version`` of the vocabulary files this release reads.
FILE_SCHEMA_VERSION = 1

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


class _RepeatedCodeError(ValueError):
    """A code appears twice in a vocabulary; ``index`` is the second concept's position."""

    def __init__(self, vocabulary: str, code: str, index: int) -> None:
        self.index = index
        super().__init__(f"code {code!r} appears twice in vocabulary {vocabulary!r}")


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
        for i, concept in enumerate(self.concepts):
            if not isinstance(concept, Concept):
                raise TypeError(f"vocabulary {self.name!r} holds only Concept values")
            if concept.code in index:
                raise _RepeatedCodeError(self.name, concept.code, i)
            index[concept.code] = concept
        object.__setattr__(self, "_index", index)

    @classmethod
    def from_file(cls, source: VocabularySource) -> Vocabulary:
        """The one vocabulary in a vocabulary file (see the module's docs for the format).

        A file holding several vocabularies is read with :func:`load_vocabularies`.
        Raises :class:`~missingcare.exceptions.ValidationError` (noting the file)
        if the file breaks the format or does not hold exactly one vocabulary.
        """
        found = load_vocabularies(source)
        if len(found) != 1:
            error = ValidationError.single(
                "$.vocabularies", "not_one", "expected exactly one vocabulary in the file"
            )
            error.add_note(f"in the vocabulary file {_label(source)}")
            raise error
        return next(iter(found.values()))

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
        the original, for example in :func:`missingcare.converters.make_converter`.
        """
        return attrs.evolve(self, name=name or self.name, concepts=(*self.concepts, *concepts))

    def without(self, *codes: str) -> Vocabulary:
        """A new vocabulary without the concepts whose codes are given."""
        for code in codes:
            self.get(code)
        drop = set(codes)
        return attrs.evolve(self, concepts=tuple(c for c in self.concepts if c.code not in drop))


_FILE_KEYS = {"schema_version": (int, True), "vocabularies": (list, True)}
_VOCABULARY_KEYS = {
    "name": (str, True),
    "title": (str, True),
    "source": (str, False),
    "system": (str, True),
    "concepts": (list, True),
}
_CONCEPT_KEYS = {
    "code": (str, True),
    "display": (str, True),
    "definition": (str, False),
    "system": (str, False),
}
_EXPECTED = {str: "text", int: "a whole number", list: "a list"}


def _label(source: VocabularySource) -> str:
    return os.fspath(source) if isinstance(source, str | os.PathLike) else str(source)


def load_vocabularies(source: VocabularySource) -> Mapping[str, Vocabulary]:
    """Every vocabulary in a vocabulary file, by name, in the file's order (read-only).

    ``source`` is a path or an :mod:`importlib.resources` resource; the file
    is UTF-8 JSON in the format the module's docs describe.  Every problem
    found is reported at once, as a :class:`~missingcare.exceptions.ValidationError`
    whose violations give each bad entry's path and whose note names the file.

    >>> from importlib.resources import files
    >>> core = load_vocabularies(files("missingcare.vocabularies") / "core.json")
    >>> statuses = core["episode_statuses"]
    >>> statuses["missing"].display
    'Missing'
    """
    file = Path(source) if isinstance(source, str | os.PathLike) else source
    problems: list[Violation] = []
    try:
        document = json.loads(file.read_bytes())
    except (ValueError, RecursionError):
        problems.append(Violation("$", "invalid_json", "expected UTF-8 JSON text"))
    else:
        found = _read_file(document, problems)
    if problems:
        error = ValidationError(problems)
        error.add_note(f"in the vocabulary file {_label(source)}")
        raise error
    return MappingProxyType(found)


def _fields(
    value: object, path: str, keys: Mapping[str, tuple[type, bool]], problems: list[Violation]
) -> dict[str, Any] | None:
    """``value`` if it is an object with exactly ``keys`` of the right types, else ``None``."""
    if not isinstance(value, dict):
        problems.append(Violation(path, "wrong_type", "expected an object"))
        return None
    before = len(problems)
    for key in sorted(value.keys() - keys.keys()):
        problems.append(Violation(f"{path}.{key}", "unknown_key", "this key is not in the format"))
    for key, (kind, required) in keys.items():
        if key not in value:
            if required:
                problems.append(Violation(f"{path}.{key}", "required", "this key is required"))
        elif not isinstance(value[key], kind) or isinstance(value[key], bool):
            problems.append(Violation(f"{path}.{key}", "wrong_type", f"expected {_EXPECTED[kind]}"))
    return value if len(problems) == before else None


def _read_file(document: object, problems: list[Violation]) -> dict[str, Vocabulary]:
    top = _fields(document, "$", _FILE_KEYS, problems)
    if top is None:
        return {}
    if top["schema_version"] != FILE_SCHEMA_VERSION:
        problems.append(
            Violation(
                "$.schema_version",
                "unsupported_version",
                f"this release reads vocabulary files of schema_version {FILE_SCHEMA_VERSION}",
            )
        )
        return {}
    found: dict[str, Vocabulary] = {}
    for i, entry in enumerate(top["vocabularies"]):
        path = f"$.vocabularies[{i}]"
        vocabulary = _read_vocabulary(entry, path, problems)
        if vocabulary is None:
            continue
        if vocabulary.name in found:
            problems.append(
                Violation(f"{path}.name", "repeated", "expected each vocabulary name once a file")
            )
        found[vocabulary.name] = vocabulary
    return found


def _read_vocabulary(entry: object, path: str, problems: list[Violation]) -> Vocabulary | None:
    fields = _fields(entry, path, _VOCABULARY_KEYS, problems)
    if fields is None:
        return None
    concepts: list[Concept] = []
    for j, item in enumerate(fields["concepts"]):
        at = f"{path}.concepts[{j}]"
        concept = _fields(item, at, _CONCEPT_KEYS, problems)
        if concept is None:
            continue
        try:
            concepts.append(
                Concept(
                    concept.get("system", fields["system"]),
                    concept["code"],
                    concept["display"],
                    concept.get("definition", ""),
                )
            )
        except ValueError as exc:  # the code's form: the one rule the types leave
            problems.append(Violation(f"{at}.code", "invalid", str(exc)))
    if len(concepts) != len(fields["concepts"]):
        return None
    try:
        return Vocabulary(
            name=fields["name"],
            title=fields["title"],
            source=fields.get("source", ""),
            concepts=concepts,
        )
    except _RepeatedCodeError as exc:
        at = f"{path}.concepts[{exc.index}].code"
        problems.append(Violation(at, "repeated", "expected each code once a vocabulary"))
    except ValueError as exc:  # the name's form
        problems.append(Violation(f"{path}.name", "invalid", str(exc)))
    return None
