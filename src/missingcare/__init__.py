"""missingcare: record, check and understand the episodes in which a child goes missing from care.

A child running is a child saying something. missingcare holds a missing
episode with what came before it, the return conversation and the child's
trusted adults in typed, immutable values, and converts them losslessly to
and from JSON.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
from missingcare.converters import (
    SCHEMA_VERSION,
    from_dict,
    from_json,
    make_converter,
    to_dict,
    to_json,
)
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
    AmbiguousLocalTimeError,
    InvalidZoneError,
    MissingCareError,
    NaiveDatetimeError,
    NonExistentLocalTimeError,
    UnknownCodeError,
    ValidationError,
    Violation,
)
from missingcare.factors import EvidenceSource, Factor, FactorDirection, UnmetNeed
from missingcare.findings import Evaluation, Finding, Outcome, RuleRef, Severity, Strength
from missingcare.relationships import AdultContact, ContactKind, TrustedAdult
from missingcare.rules import (
    Edition,
    InvalidPackError,
    PackConflictError,
    PackError,
    Parameter,
    Rule,
    RulePack,
    Source,
    UnknownEditionError,
    UnknownJurisdictionError,
    available_packs,
    evaluate,
    get_pack,
    register_pack,
    rule,
)
from missingcare.time import (
    CalendarDeadline,
    Clock,
    ElapsedDeadline,
    FixedClock,
    SystemClock,
    Weekdays,
    local_instant,
    parse_instant,
    parse_local,
)
from missingcare.vocab import Concept, Vocabulary

if TYPE_CHECKING:
    __version__: str

__all__ = [
    "SCHEMA_VERSION",
    "AdultContact",
    "AgreedAction",
    "AmbiguousLocalTimeError",
    "CalendarDeadline",
    "CaseFile",
    "ChildRef",
    "Clock",
    "Concept",
    "ContactKind",
    "ContactMethod",
    "ContextEntry",
    "ConversationOffer",
    "ConversationTopic",
    "Decision",
    "Edition",
    "ElapsedDeadline",
    "EpisodeState",
    "Evaluation",
    "EvidenceSource",
    "ExploitationCategory",
    "ExploitationScreening",
    "Factor",
    "FactorDirection",
    "Finding",
    "FixedClock",
    "Interviewer",
    "InvalidPackError",
    "InvalidZoneError",
    "Located",
    "MissingCareError",
    "MissingEpisode",
    "NaiveDatetimeError",
    "NonExistentLocalTimeError",
    "Notification",
    "Outcome",
    "PackConflictError",
    "PackError",
    "Parameter",
    "PeriodOfCare",
    "Placement",
    "PlacementKind",
    "PoliceReport",
    "ResponseOnReturn",
    "ReturnConversation",
    "RiskGrading",
    "Rule",
    "RulePack",
    "RuleRef",
    "SearchAction",
    "Severity",
    "Source",
    "StatusChange",
    "Strength",
    "SystemClock",
    "TrustedAdult",
    "UnknownCodeError",
    "UnknownEditionError",
    "UnknownJurisdictionError",
    "UnmetNeed",
    "ValidationError",
    "Violation",
    "Vocabulary",
    "Weekdays",
    "available_packs",
    "evaluate",
    "from_dict",
    "from_json",
    "get_pack",
    "local_instant",
    "make_converter",
    "parse_instant",
    "parse_local",
    "register_pack",
    "rule",
    "to_dict",
    "to_json",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from missingcare._version import __version__  # noqa: PLC0415 - lazy on purpose

        return __version__
    raise AttributeError(f"module 'missingcare' has no attribute {name!r}")
