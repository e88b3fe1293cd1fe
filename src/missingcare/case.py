"""A child's case file: everything missingcare knows about one child."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from datetime import datetime

import attrs

from missingcare import _fields as f
from missingcare.children import ChildRef, PeriodOfCare, Placement
from missingcare.context import ContextEntry
from missingcare.conversations import ReturnConversation
from missingcare.episodes import MissingEpisode
from missingcare.factors import Factor, UnmetNeed
from missingcare.plans import AbsencePlan, MissingPersonProfile
from missingcare.relationships import TrustedAdult
from missingcare.screenings import Screening

__all__ = ["CaseFile"]


@attrs.frozen
class CaseFile:
    """One child's record: placements, care, episodes, conversations, context, relationships.

    Every record in it belongs to the child, references resolve (an episode's
    placement, a conversation's episodes), ids are unique in each list, and
    the child's episodes do not overlap in time.
    """

    child: ChildRef = attrs.field(
        **f.nested(ChildRef, "Child", "The child this case file is about.")
    )
    placements: tuple[Placement, ...] = f.many(
        Placement, "Placements", "Where the child has lived."
    )
    periods_of_care: tuple[PeriodOfCare, ...] = f.many(
        PeriodOfCare, "Periods of care", "When the child has been looked after."
    )
    episodes: tuple[MissingEpisode, ...] = f.many(
        MissingEpisode, "Missing episodes", "Every episode in which the child went missing."
    )
    conversations: tuple[ReturnConversation, ...] = f.many(
        ReturnConversation, "Return conversations", "Conversations offered after episodes."
    )
    context: tuple[ContextEntry, ...] = f.many(
        ContextEntry, "Context", "What was happening in the child's life."
    )
    factors: tuple[Factor, ...] = f.many(Factor, "Push and pull factors", "What pushed and pulled.")
    needs: tuple[UnmetNeed, ...] = f.many(UnmetNeed, "Unmet needs", "Needs behind the behaviour.")
    trusted_adults: tuple[TrustedAdult, ...] = f.many(
        TrustedAdult, "Trusted adults", "The adults the child names as trusted."
    )
    absence_plans: tuple[AbsencePlan, ...] = f.many(
        AbsencePlan, "Absence plans", "What is agreed about the child's absences beforehand."
    )
    profiles: tuple[MissingPersonProfile, ...] = f.many(
        MissingPersonProfile,
        "Missing-person profiles",
        "Profiles kept ready for police (Philomena Part 1, Child Information Form).",
    )
    screenings: tuple[Screening, ...] = f.many(
        Screening, "Exploitation screenings", "Screenings for exploitation after returns."
    )

    def __attrs_post_init__(self) -> None:
        p = f.Problems()
        child = self.child.id
        for name in (
            "placements",
            "episodes",
            "conversations",
            "context",
            "factors",
            "needs",
            "trusted_adults",
            "absence_plans",
            "profiles",
            "screenings",
        ):
            items = getattr(self, name)
            if name != "placements":
                for i, item in enumerate(items):
                    if item.child_id != child:
                        p.add(
                            f"$.{name}[{i}].child_id",
                            "wrong_child",
                            "every record in a case file must belong to its child",
                        )
            f.unique_ids(p, items, f"$.{name}")
        placements = {pl.id: pl for pl in self.placements}
        episode_ids = {e.id for e in self.episodes}
        for i, ep in enumerate(self.episodes):
            placement = placements.get(ep.placement_id)
            if placement is None:
                p.add(
                    f"$.episodes[{i}].placement_id",
                    "unknown_reference",
                    "expected the id of a placement in this case file",
                )
            elif placement.zone != ep.zone:
                p.add(
                    f"$.episodes[{i}].zone",
                    "mismatch",
                    "expected the zone of the episode's placement",
                )
        order = sorted(range(len(self.episodes)), key=self._episode_order)
        for prev, cur in itertools.pairwise(order):
            end = self.episodes[prev].ended_at
            if end is None or self.episodes[cur].last_seen_at < end:
                p.add(
                    f"$.episodes[{cur}].last_seen_at",
                    "overlap",
                    "a child's episodes cannot overlap: the earlier one must end first",
                )
        for i, conv in enumerate(self.conversations):
            for j, eid in enumerate(conv.episode_ids):
                if eid not in episode_ids:
                    p.add(
                        f"$.conversations[{i}].episode_ids[{j}]",
                        "unknown_reference",
                        "expected the id of an episode in this case file",
                    )
        for name in ("factors", "needs", "screenings"):
            for i, item in enumerate(getattr(self, name)):
                for j, eid in enumerate(item.episode_ids):
                    if eid not in episode_ids:
                        p.add(
                            f"$.{name}[{i}].episode_ids[{j}]",
                            "unknown_reference",
                            "expected the id of an episode in this case file",
                        )
        for i, ta in enumerate(self.trusted_adults):
            for j, contact in enumerate(ta.contacts):
                if contact.episode_id is not None and contact.episode_id not in episode_ids:
                    p.add(
                        f"$.trusted_adults[{i}].contacts[{j}].episode_id",
                        "unknown_reference",
                        "expected the id of an episode in this case file",
                    )
        p.raise_if_any()

    def _episode_order(self, index: int) -> tuple[datetime, bool, datetime]:
        ep = self.episodes[index]
        # ties on last seen: the episode that ends first (a zero-length one) comes first
        end = ep.ended_at
        return (ep.last_seen_at, end is None, end if end is not None else ep.last_seen_at)

    def episode(self, episode_id: str) -> MissingEpisode:
        """The episode with ``episode_id``; raises ``KeyError`` if there is none."""
        for ep in self.episodes:
            if ep.id == episode_id:
                return ep
        raise KeyError(episode_id)

    def placement(self, placement_id: str) -> Placement:
        """The placement with ``placement_id``; raises ``KeyError`` if there is none."""
        for pl in self.placements:
            if pl.id == placement_id:
                return pl
        raise KeyError(placement_id)

    def conversations_for(self, episode_id: str) -> tuple[ReturnConversation, ...]:
        """The conversations that cover the episode."""
        return tuple(c for c in self.conversations if episode_id in c.episode_ids)

    def episodes_between(self, start: datetime, end: datetime) -> tuple[MissingEpisode, ...]:
        """Episodes the child went missing in with ``start <= last seen < end``, in time order."""
        return tuple(
            sorted(
                (e for e in self.episodes if start <= e.last_seen_at < end),
                key=lambda e: (e.last_seen_at, e.id),
            )
        )

    def context_between(self, start: datetime, end: datetime) -> tuple[ContextEntry, ...]:
        """Context entries with ``start <= at < end``, in time order."""
        return _in_window(self.context, start, end)


def _in_window(
    entries: Iterable[ContextEntry], start: datetime, end: datetime
) -> tuple[ContextEntry, ...]:
    return tuple(sorted((c for c in entries if start <= c.at < end), key=lambda c: (c.at, c.id)))
