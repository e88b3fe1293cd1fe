"""The investigative lens: what was the episode saying?

Per child, and per home, these analyses answer the questions practice asks
after a child has gone missing: what was happening before (:func:`before_window`),
what the episode may have been communicating (:func:`formulate`), how the home
responded on return (:func:`response_on_return`), whether the child has an
adult to come back to (:func:`trusted_adult_picture`), what recurs over the
child's history (:func:`child_history`), and what a home's episodes look like
together (:func:`home_summary`). The formulation puts the child's own words
first, and offers *suggestions* from a transparent cue table
(:class:`CueTable`): push and pull factors, needs and protective factors the
record points to that nobody has recorded, each with its evidence and labelled
"suggested from the record, not recorded by staff", and the exploitation
indicators that call for a screening (:func:`exploitation_indicators`).

Results are *insights*: prompts for reflective practice, each carrying the
ids and JSON paths of its evidence. They are not compliance findings, never
state a cause as certain, and never score a child. See
``docs/explanation/running-as-communication.md`` for the practice model.
"""

from __future__ import annotations

from missingcare.analysis.before import BeforeWindow, CategoryCount, DateInWindow, before_window
from missingcare.analysis.config import DEFAULT_CONFIG, DEFAULT_GROUPS, CategoryGroups, LensConfig
from missingcare.analysis.formulation import (
    ActionStatus,
    ChildWords,
    EpisodeFormulation,
    ReturnResponse,
    ScreeningPrompt,
    WhereFound,
    formulate,
)
from missingcare.analysis.history import ActionFollowUp, ChildHistory, Recurrence, child_history
from missingcare.analysis.home import (
    ConversationCounts,
    FactorPrevalence,
    GroupOutcome,
    HomeSummary,
    Proportion,
    home_summary,
)
from missingcare.analysis.insights import MESSAGES, Evidence, Insight, InsightKind
from missingcare.analysis.relationships import (
    AdultStanding,
    TrustedAdultPicture,
    reached_insights,
    trusted_adult_picture,
)
from missingcare.analysis.response import response_on_return, responses_for
from missingcare.analysis.suggestions import (
    SUGGESTED,
    Cue,
    CueTable,
    IndicatorSeen,
    Suggestion,
    SuggestionKind,
    exploitation_indicators,
)

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_GROUPS",
    "MESSAGES",
    "SUGGESTED",
    "ActionFollowUp",
    "ActionStatus",
    "AdultStanding",
    "BeforeWindow",
    "CategoryCount",
    "CategoryGroups",
    "ChildHistory",
    "ChildWords",
    "ConversationCounts",
    "Cue",
    "CueTable",
    "DateInWindow",
    "EpisodeFormulation",
    "Evidence",
    "FactorPrevalence",
    "GroupOutcome",
    "HomeSummary",
    "IndicatorSeen",
    "Insight",
    "InsightKind",
    "LensConfig",
    "Proportion",
    "Recurrence",
    "ReturnResponse",
    "ScreeningPrompt",
    "Suggestion",
    "SuggestionKind",
    "TrustedAdultPicture",
    "WhereFound",
    "before_window",
    "child_history",
    "exploitation_indicators",
    "formulate",
    "home_summary",
    "reached_insights",
    "response_on_return",
    "responses_for",
    "trusted_adult_picture",
]
