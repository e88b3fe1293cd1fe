"""Screening for exploitation after a return: what was looked for, seen and concluded.

National guidance in England expects exploitation to be considered after a
return when indicators appear; US federal law (P.L. 113-183) requires the
agency to determine the child's experiences while absent, including screening
for sex trafficking. One record serves both: which kinds of exploitation were
screened for, which indicators were seen, and for which kinds the child was
identified as a possible victim.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from missingcare import _fields as f
from missingcare.conversations import ExploitationCategory
from missingcare.records import Recorded, recorded_field
from missingcare.vocab import Concept

__all__ = ["Screening"]


@attrs.frozen
class Screening:
    """One screening for exploitation, about one or more episodes.

    ``concerns`` names the kinds of exploitation the screening identified the
    child as a possible victim of; each must be among those screened for.
    """

    id: str = attrs.field(**f.ident("Screening id", "The screening's identifier."))
    child_id: str = attrs.field(**f.ident("Child id", "The child's identifier."))
    at: datetime = attrs.field(**f.at("Screened at", "When was the screening done?"))
    episode_ids: tuple[str, ...] = f.many(
        str, "Episodes", "Which episodes does the screening follow?", non_empty=True
    )
    categories: tuple[ExploitationCategory, ...] = f.many(
        ExploitationCategory,
        "Screened for",
        "Which kinds of exploitation were screened for?",
        non_empty=True,
    )
    indicators: tuple[Concept, ...] = f.concepts(
        "exploitation_indicators", "Indicators seen", "Which indicators were present?"
    )
    concerns: tuple[ExploitationCategory, ...] = f.many(
        ExploitationCategory,
        "Concerns identified",
        "Of which kinds of exploitation was the child identified as a possible victim?",
    )
    by: str | None = f.optional_text("Screened by", "Who screened (role or service)?")
    recorded: Recorded | None = recorded_field()

    def __attrs_post_init__(self) -> None:
        p = f.Problems()
        if not self.episode_ids:
            p.add("$.episode_ids", "required", "a screening follows at least one episode")
        if not self.categories:
            p.add("$.categories", "required", "expected at least one kind of exploitation")
        for name in ("episode_ids", "categories", "concerns"):
            values = getattr(self, name)
            if len(set(values)) != len(values):
                p.add(f"$.{name}", "repeated", "expected each item at most once")
        for i, value in enumerate(self.episode_ids):
            if not value.strip():
                p.add(f"$.episode_ids[{i}]", "empty", "expected a non-empty id")
        for i, concern in enumerate(self.concerns):
            if concern not in self.categories:
                p.add(
                    f"$.concerns[{i}]",
                    "contradiction",
                    "a concern must be one of the kinds screened for",
                )
        p.raise_if_any()

    def screened_for(self, category: ExploitationCategory) -> bool:
        """Whether the screening looked for ``category``."""
        return category in self.categories
