"""Builders shared by the US pack tests (the federal pack and the states derived from it)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from missingcare.case import CaseFile
from missingcare.episodes import MissingEpisode, Notification
from missingcare.findings import Finding, Outcome
from missingcare.rules import RulePack, evaluate
from missingcare.testing.builders import SEEN, case_file, episode, placement
from missingcare.vocab import Concept
from missingcare.vocabularies import NOTIFICATION_RECIPIENTS

M = timedelta(minutes=1)
H = timedelta(hours=1)


def us_episode(
    zone: str, learned: datetime | None, id: str = "E1", **changes: Any
) -> MissingEpisode:
    """An episode in ``zone``, the agency told at ``learned``, open unless ``ended`` is given."""
    seen = changes.pop("seen", None) or (learned - 2 * H if learned else SEEN)
    changes.setdefault("ended", None)
    return episode(id, seen=seen, zone=zone, agency_informed_at=learned, **changes)


def us_case(zone: str, *episodes: MissingEpisode, **changes: Any) -> CaseFile:
    """One child's case file in a placement in ``zone``."""
    return case_file(*episodes, placements=[placement(zone=zone)], **changes)


def told(recipient: str | Concept, at: datetime) -> Notification:
    """A notification to a core recipient (by code) or a pack's (a concept) at ``at``."""
    concept = NOTIFICATION_RECIPIENTS[recipient] if isinstance(recipient, str) else recipient
    return Notification(concept, at)


def findings(case: CaseFile, as_of: datetime, code: str, pack: RulePack) -> list[Finding]:
    """The findings of the rule ``code`` as of ``as_of``."""
    return [f for f in evaluate(case, pack=pack, as_of=as_of).findings if f.rule.code == code]


def outcome(case: CaseFile, as_of: datetime, code: str, pack: RulePack) -> tuple[Outcome, str]:
    """The one finding of ``code``: its outcome and message key."""
    (f,) = findings(case, as_of, code, pack)
    return f.outcome, f.message_id.rsplit(".", 1)[1]
