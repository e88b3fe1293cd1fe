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
from missingcare.relationships import AdultContact, TrustedAdult
from missingcare.screenings import Screening
from missingcare.vocab import Vocabulary

#: The wire-format version written on every top-level document.
SCHEMA_VERSION = 1

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

#: ``UPGRADES[n]`` turns a version-``n`` document (a dict) into version ``n + 1``.
UPGRADES: Mapping[int, Callable[[dict[str, Any]], dict[str, Any]]] = types.MappingProxyType({})


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
