"""missingcare: record, check and understand the episodes in which a child goes missing from care.

A child running is a child saying something. missingcare holds a missing
episode with what came before it, the return conversation and the child's
trusted adults in typed, immutable values, and converts them losslessly to
and from JSON.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from missingcare._deprecated import moved
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
from missingcare.exceptions import MissingCareError, UnknownCodeError, ValidationError, Violation
from missingcare.factors import EvidenceSource, Factor, FactorDirection, UnmetNeed
from missingcare.findings import Evaluation, Finding, Outcome
from missingcare.plans import AbsencePlan, MissingPersonProfile
from missingcare.relationships import AdultContact, ContactKind, TrustedAdult
from missingcare.rules import evaluate, get_pack
from missingcare.screenings import Screening
from missingcare.time import local_instant
from missingcare.vocab import Concept

if TYPE_CHECKING:
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
_moved = moved("missingcare", _MOVED)


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from missingcare._version import __version__  # noqa: PLC0415 - lazy on purpose

        return __version__
    return _moved(name)
