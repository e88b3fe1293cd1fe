"""The document list, the wire-format version and the vocabularies a converter binds (private)."""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from missingcare import _fields
from missingcare import vocabularies as _core
from missingcare.case import CaseFile
from missingcare.children import ChildRef, PeriodOfCare, Placement
from missingcare.context import ContextEntry
from missingcare.conversations import (
    AgreedAction,
    ConversationOffer,
    ExploitationScreening,
    Interviewer,
    ResponseOnReturn,
    ReturnConversation,
)
from missingcare.dates import SignificantDate
from missingcare.episodes import (
    Located,
    MissingEpisode,
    Notification,
    PoliceReport,
    RiskGrading,
    SearchAction,
    StatusChange,
)
from missingcare.factors import Factor, UnmetNeed
from missingcare.findings import Evaluation, Finding, RuleRef
from missingcare.plans import AbsencePlan, MissingPersonProfile
from missingcare.records import Recorded
from missingcare.relationships import AdultContact, TrustedAdult
from missingcare.screenings import Screening
from missingcare.vocab import Vocabulary

#: The wire-format version written on every top-level document. Version 2 added
#: ``recorded`` (when a record was written, and the recorder's role) to every record a
#: person enters; see :data:`UPGRADES`.
SCHEMA_VERSION = 2

#: The top-level documents: the types that travel alone, with ``schema_version``.
DOCUMENTS: tuple[type, ...] = (
    CaseFile,
    MissingEpisode,
    ReturnConversation,
    ContextEntry,
    Factor,
    UnmetNeed,
    TrustedAdult,
    Placement,
    Evaluation,
    Finding,
)

#: Every model type the converter knows, each after the types it contains.
MODELS: tuple[type, ...] = (
    Recorded,
    ChildRef,
    PeriodOfCare,
    Placement,
    StatusChange,
    RiskGrading,
    PoliceReport,
    SearchAction,
    Notification,
    Located,
    MissingEpisode,
    ConversationOffer,
    Interviewer,
    ExploitationScreening,
    ResponseOnReturn,
    AgreedAction,
    ReturnConversation,
    ContextEntry,
    Factor,
    UnmetNeed,
    AdultContact,
    TrustedAdult,
    AbsencePlan,
    MissingPersonProfile,
    Screening,
    SignificantDate,
    CaseFile,
    RuleRef,
    Finding,
    Evaluation,
)


def _recorded_added(body: dict[str, Any]) -> dict[str, Any]:
    """Version 1 to 2: ``recorded`` was added, optional; a version-1 document has none,
    which version 2 reads as "recording time unknown". The body is unchanged."""
    return body


#: ``UPGRADES[n]`` turns a version-``n`` document's body (a dict, without
#: ``schema_version``) into version ``n + 1``'s.
UPGRADES: Mapping[int, Callable[[dict[str, Any]], dict[str, Any]]] = types.MappingProxyType(
    {1: _recorded_added}
)

#: The upgrades that change nothing: a version-2 body is a version-1 body.
_UNCHANGED: frozenset[Callable[[dict[str, Any]], dict[str, Any]]] = frozenset({_recorded_added})

#: The versions whose documents read exactly as the current version's (every upgrade
#: from them changes nothing): the fast path reads them as it reads the current one.
#: Derived from :data:`UPGRADES`, so an upgrade that changes the body leaves them out.
SAME_BODY: frozenset[int] = frozenset(
    v
    for v in range(1, SCHEMA_VERSION + 1)
    if all(UPGRADES[u] in _UNCHANGED for u in range(v, SCHEMA_VERSION))
)


def vocabularies(
    extra: Iterable[Vocabulary] | Mapping[str, Vocabulary] | None,
) -> dict[str, Vocabulary]:
    """The core vocabularies, with those in ``extra`` replacing them by name.

    The one merge the converters and :mod:`missingcare.adapters.jsonschema` share.
    """
    merged = dict(_core.CORE)  # read on first use, not when the package is imported
    if extra is not None:
        values = extra.values() if isinstance(extra, Mapping) else extra
        for vocab in values:
            if not isinstance(vocab, Vocabulary):
                raise TypeError("vocabularies must be Vocabulary values")
            merged[vocab.name] = vocab
    return merged


def chosen_vocabularies(cls: type, name: str) -> dict[Any, str]:
    """For a concept field whose kind has ``vocabulary_from``: enumeration member → vocabulary.

    >>> from missingcare.factors import Factor, FactorDirection
    >>> chosen_vocabularies(Factor, "concept")[FactorDirection.PULL]
    'pull_factors'
    """
    found = dict(_fields.kinds(cls))
    sibling = found[name].vocabulary_from
    assert sibling is not None, f"{cls.__name__}.{name} is not chosen by a sibling"
    choices = found[sibling].choices
    assert choices is not None
    return {m: m.vocabulary for m in choices}  # type: ignore[attr-defined]
