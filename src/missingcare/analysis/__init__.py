"""The investigative lens: what was the episode saying?

Per child, and per home, these analyses answer the questions practice asks
after a child has gone missing: what was happening before (:func:`before_window`),
what the episode may have been communicating (:func:`formulate`), how the home
responded on return (:func:`response_on_return`), whether the child has an
adult to come back to (:func:`trusted_adult_picture`), what recurs over the
child's history (:func:`child_history`), and what a home's episodes look like
together (:func:`home_summary`).

Results are *insights*: prompts for reflective practice, each carrying the
ids and JSON paths of its evidence. They are not compliance findings, never
state a cause as certain, and never score a child. See
``docs/explanation/running-as-communication.md`` for the practice model.
"""

from __future__ import annotations

from missingcare.analysis.before import BeforeWindow, CategoryCount, before_window
from missingcare.analysis.config import DEFAULT_CONFIG, DEFAULT_GROUPS, CategoryGroups, LensConfig
from missingcare.analysis.formulation import (
    ActionStatus,
    ChildWords,
    EpisodeFormulation,
    ReturnResponse,
    formulate,
)
from missingcare.analysis.history import ActionFollowUp, ChildHistory, Recurrence, child_history
from missingcare.analysis.home import (
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

__all__ = [
    "DEFAULT_CONFIG",
    "DEFAULT_GROUPS",
    "MESSAGES",
    "ActionFollowUp",
    "ActionStatus",
    "AdultStanding",
    "BeforeWindow",
    "CategoryCount",
    "CategoryGroups",
    "ChildHistory",
    "ChildWords",
    "EpisodeFormulation",
    "Evidence",
    "FactorPrevalence",
    "GroupOutcome",
    "HomeSummary",
    "Insight",
    "InsightKind",
    "LensConfig",
    "Proportion",
    "Recurrence",
    "ReturnResponse",
    "TrustedAdultPicture",
    "before_window",
    "child_history",
    "formulate",
    "home_summary",
    "reached_insights",
    "response_on_return",
    "responses_for",
    "trusted_adult_picture",
]
