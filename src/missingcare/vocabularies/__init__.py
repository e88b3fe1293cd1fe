"""The core vocabularies missingcare ships: episode statuses, push and pull factors and the rest.

Each constant is an immutable :class:`~missingcare.vocab.Vocabulary` of coded
concepts.  The lists are *candidates* synthesised from the sources cited in the
project's domain research (sections 6 and 7); each vocabulary's ``source``
names the section and the source keys it came from.  They are open sets:
jurisdictions and embedders extend them with :meth:`Vocabulary.extend` rather
than editing them.  Nothing here states a statutory rule; definitions say what
a code means and when to use it.

The concepts are package data, ``core.json`` beside this module, in the
vocabulary file format of :mod:`missingcare.vocab`; the file's order is
:data:`CORE`'s order.  It is read once, on the first use of any of the names
below, not when the module is imported.

>>> from missingcare.vocabularies import CORE, EPISODE_STATUSES
>>> EPISODE_STATUSES["away_without_authorisation"].display
'Away without authorisation'
>>> CORE["push_factors"].name
'push_factors'
"""

from __future__ import annotations

import threading
import typing
from importlib.resources import files
from types import MappingProxyType

from missingcare.vocab import Concept, Vocabulary, load_vocabularies

__all__ = [
    "ADDRESS_LINKS",
    "CONTEXT_CATEGORIES",
    "CONVERSATION_OUTCOMES",
    "CORE",
    "DISTANCE_BANDS",
    "EPISODE_ENDINGS",
    "EPISODE_STATUSES",
    "EXPLOITATION_INDICATORS",
    "HARM_TYPES",
    "LOCATION_TYPES",
    "NOTIFICATION_RECIPIENTS",
    "POLICE_RISK_GRADES",
    "PROTECTIVE_FACTORS",
    "PULL_FACTORS",
    "PUSH_FACTORS",
    "RELATIONSHIP_ROLES",
    "RESPONSES_ON_RETURN",
    "SEARCH_ACTIONS",
    "SIGNIFICANT_DATE_KINDS",
    "UNMET_NEEDS",
    "WHO_WITH",
    "exploitation_category",
]

# The names below are bound from ``core.json`` on first use (see ``__getattr__``);
# declared here so that type checkers and ``dir()`` know them.

#: Every core vocabulary, by name, in the order of ``core.json``.
CORE: MappingProxyType[str, Vocabulary]
EPISODE_STATUSES: Vocabulary
POLICE_RISK_GRADES: Vocabulary
PUSH_FACTORS: Vocabulary
PULL_FACTORS: Vocabulary
UNMET_NEEDS: Vocabulary
EXPLOITATION_INDICATORS: Vocabulary
LOCATION_TYPES: Vocabulary
WHO_WITH: Vocabulary
EPISODE_ENDINGS: Vocabulary
CONVERSATION_OUTCOMES: Vocabulary
CONTEXT_CATEGORIES: Vocabulary
RELATIONSHIP_ROLES: Vocabulary
NOTIFICATION_RECIPIENTS: Vocabulary
SEARCH_ACTIONS: Vocabulary
HARM_TYPES: Vocabulary
RESPONSES_ON_RETURN: Vocabulary
PROTECTIVE_FACTORS: Vocabulary
SIGNIFICANT_DATE_KINDS: Vocabulary
DISTANCE_BANDS: Vocabulary
ADDRESS_LINKS: Vocabulary

_LOADING = threading.Lock()


def _bind() -> None:
    """Read ``core.json`` and bind :data:`CORE` and each vocabulary's upper-case name."""
    with _LOADING:
        if "CORE" not in globals():
            core = load_vocabularies(files(__name__) / "core.json")
            globals().update({name.upper(): vocabulary for name, vocabulary in core.items()})
            globals()["CORE"] = core


if not typing.TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        if name in __annotations__:
            _bind()
            if name in globals():
                return globals()[name]
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(globals().keys() | __annotations__.keys())


_EXPLOITATION_PREFIXES = MappingProxyType(
    {"cse.": "sexual", "cce.": "criminal", "trafficking.": "trafficking"}
)


def exploitation_category(concept: Concept | str) -> str:
    """The category of an exploitation indicator: ``sexual``, ``criminal`` or ``trafficking``.

    The category is read from the code's prefix (``cse.``, ``cce.``,
    ``trafficking.``), so indicators an embedder adds with those prefixes work
    too.  Anything else raises :class:`ValueError`.

    >>> from missingcare.vocabularies import EXPLOITATION_INDICATORS
    >>> exploitation_category(EXPLOITATION_INDICATORS["cce.travel_tickets"])
    'criminal'
    """
    code = concept.code if isinstance(concept, Concept) else concept
    if isinstance(code, str):
        for prefix, category in _EXPLOITATION_PREFIXES.items():
            if code.startswith(prefix) and len(code) > len(prefix):
                return category
    raise ValueError(
        "an exploitation indicator's code starts with 'cse.', 'cce.' or 'trafficking.'"
    )
