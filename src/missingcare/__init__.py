"""missingcare: record, check and understand the episodes in which a child goes missing from care.

A child running is a child saying something. missingcare holds a missing
episode with what came before it, the return conversation and the child's
trusted adults in typed, immutable values, and converts them losslessly to
and from JSON.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from missingcare._deprecated import moved

if TYPE_CHECKING:
    from missingcare.case import CaseFile
    from missingcare.children import ChildRef, PeriodOfCare, Placement, PlacementKind
    from missingcare.context import ContextEntry
    from missingcare.conversations import (
        AgreedAction,
        ContactMethod,
        ConversationOffer,
        ConversationTopic,
        Decision,
        ExploitationCategory,
        ExploitationScreening,
        Interviewer,
        ResponseOnReturn,
        ReturnConversation,
    )
    from missingcare.converters import from_json, to_json
    from missingcare.dates import SignificantDate
    from missingcare.episodes import (
        EpisodeState,
        Located,
        MissingEpisode,
        Notification,
        PoliceReport,
        RiskGrading,
        SearchAction,
        StatusChange,
    )
    from missingcare.exceptions import (
        MissingCareError,
        UnknownCodeError,
        ValidationError,
        Violation,
    )
    from missingcare.factors import EvidenceSource, Factor, FactorDirection, UnmetNeed
    from missingcare.findings import Evaluation, Finding, Outcome
    from missingcare.plans import AbsencePlan, MissingPersonProfile
    from missingcare.records import Recorded
    from missingcare.relationships import AdultContact, ContactKind, TrustedAdult
    from missingcare.rules import evaluate, get_pack
    from missingcare.screenings import Screening
    from missingcare.time import local_instant
    from missingcare.vocab import Concept

    __version__: str

#: What an embedder needs on day one. Everything else lives in its module
#: (``missingcare.rules``, ``missingcare.time``, ``missingcare.converters``…).
__all__ = [
    "AbsencePlan",
    "AdultContact",
    "AgreedAction",
    "CaseFile",
    "ChildRef",
    "Concept",
    "ContactKind",
    "ContactMethod",
    "ContextEntry",
    "ConversationOffer",
    "ConversationTopic",
    "Decision",
    "EpisodeState",
    "Evaluation",
    "EvidenceSource",
    "ExploitationCategory",
    "ExploitationScreening",
    "Factor",
    "FactorDirection",
    "Finding",
    "Interviewer",
    "Located",
    "MissingCareError",
    "MissingEpisode",
    "MissingPersonProfile",
    "Notification",
    "Outcome",
    "PeriodOfCare",
    "Placement",
    "PlacementKind",
    "PoliceReport",
    "Recorded",
    "ResponseOnReturn",
    "ReturnConversation",
    "RiskGrading",
    "Screening",
    "SearchAction",
    "SignificantDate",
    "StatusChange",
    "TrustedAdult",
    "UnknownCodeError",
    "UnmetNeed",
    "ValidationError",
    "Violation",
    "evaluate",
    "from_json",
    "get_pack",
    "local_instant",
    "to_json",
]

#: Names the top level held in 2026.11 (and ``Vocabulary``, which made room for the plans
#: and screenings in 2026.12), each with its home now; asking for one here still works
#: for one minor release, with a DeprecationWarning naming the new path.
_MOVED = {
    **{
        name: f"missingcare.converters.{name}"
        for name in ("SCHEMA_VERSION", "from_dict", "make_converter", "to_dict")
    },
    **{
        name: f"missingcare.exceptions.{name}"
        for name in (
            "AmbiguousLocalTimeError",
            "InvalidPackError",
            "InvalidZoneError",
            "NaiveDatetimeError",
            "NonExistentLocalTimeError",
            "PackConflictError",
            "PackError",
            "UnknownEditionError",
            "UnknownJurisdictionError",
        )
    },
    **{name: f"missingcare.findings.{name}" for name in ("RuleRef", "Severity", "Strength")},
    "Vocabulary": "missingcare.vocab.Vocabulary",
    **{
        name: f"missingcare.rules.{name}"
        for name in (
            "Edition",
            "Parameter",
            "Rule",
            "RulePack",
            "Source",
            "available_packs",
            "register_pack",
            "rule",
        )
    },
    **{
        name: f"missingcare.time.{name}"
        for name in (
            "CalendarDeadline",
            "Clock",
            "ElapsedDeadline",
            "FixedClock",
            "SystemClock",
            "Weekdays",
            "parse_instant",
            "parse_local",
        )
    },
}
#: Where each top-level name lives. Each is imported on first use, so importing one part of
#: the package (the SSDA903 reader, say) does not import the whole model.
_HOMES = {
    "AbsencePlan": "missingcare.plans",
    "AdultContact": "missingcare.relationships",
    "AgreedAction": "missingcare.conversations",
    "CaseFile": "missingcare.case",
    "ChildRef": "missingcare.children",
    "Concept": "missingcare.vocab",
    "ContactKind": "missingcare.relationships",
    "ContactMethod": "missingcare.conversations",
    "ContextEntry": "missingcare.context",
    "ConversationOffer": "missingcare.conversations",
    "ConversationTopic": "missingcare.conversations",
    "Decision": "missingcare.conversations",
    "EpisodeState": "missingcare.episodes",
    "Evaluation": "missingcare.findings",
    "EvidenceSource": "missingcare.factors",
    "ExploitationCategory": "missingcare.conversations",
    "ExploitationScreening": "missingcare.conversations",
    "Factor": "missingcare.factors",
    "FactorDirection": "missingcare.factors",
    "Finding": "missingcare.findings",
    "Interviewer": "missingcare.conversations",
    "Located": "missingcare.episodes",
    "MissingCareError": "missingcare.exceptions",
    "MissingEpisode": "missingcare.episodes",
    "MissingPersonProfile": "missingcare.plans",
    "Notification": "missingcare.episodes",
    "Outcome": "missingcare.findings",
    "PeriodOfCare": "missingcare.children",
    "Placement": "missingcare.children",
    "PlacementKind": "missingcare.children",
    "PoliceReport": "missingcare.episodes",
    "Recorded": "missingcare.records",
    "ResponseOnReturn": "missingcare.conversations",
    "ReturnConversation": "missingcare.conversations",
    "RiskGrading": "missingcare.episodes",
    "Screening": "missingcare.screenings",
    "SearchAction": "missingcare.episodes",
    "SignificantDate": "missingcare.dates",
    "StatusChange": "missingcare.episodes",
    "TrustedAdult": "missingcare.relationships",
    "UnknownCodeError": "missingcare.exceptions",
    "UnmetNeed": "missingcare.factors",
    "ValidationError": "missingcare.exceptions",
    "Violation": "missingcare.exceptions",
    "evaluate": "missingcare.rules",
    "from_json": "missingcare.converters",
    "get_pack": "missingcare.rules",
    "local_instant": "missingcare.time",
    "to_json": "missingcare.converters",
}
_moved = moved("missingcare", _MOVED)


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from missingcare._version import __version__  # noqa: PLC0415 - lazy on purpose

        return __version__
    home = _HOMES.get(name)
    if home is not None:
        value = getattr(importlib.import_module(home), name)
        globals()[name] = value  # looked up once
        return value
    if name in _MOVED:
        return _moved(name)
    if name.isidentifier() and not name.startswith("_"):
        try:  # a module of the package (``missingcare.rules``), as an attribute
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    return _moved(name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
