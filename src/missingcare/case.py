"""A child's case file: everything missingcare knows about one child."""

from __future__ import annotations

import bisect
import functools
import itertools
from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import TypeVar

import attrs

from missingcare import _fields as f
from missingcare.children import ChildRef, PeriodOfCare, Placement
from missingcare.context import ContextEntry
from missingcare.conversations import ExploitationCategory, ReturnConversation
from missingcare.dates import SignificantDate
from missingcare.episodes import MissingEpisode
from missingcare.factors import Factor, UnmetNeed
from missingcare.plans import AbsencePlan, MissingPersonProfile
from missingcare.relationships import TrustedAdult
from missingcare.screenings import Screening

__all__ = ["CaseFile"]

T = TypeVar("T")


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
    significant_dates: tuple[SignificantDate, ...] = f.many(
        SignificantDate,
        "Significant dates",
        "Dates that matter to the child: birthdays, anniversaries, court dates, contact days.",
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
            "significant_dates",
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

    @functools.cached_property
    def _index(self) -> _Index:
        return _Index(self)

    def episode(self, episode_id: str) -> MissingEpisode:
        """The episode with ``episode_id``; raises ``KeyError`` if there is none.

        Looked up in an index built once per case file (a case file never changes).
        """
        return self._index.episodes[episode_id]

    def episodes_in_order(self) -> tuple[MissingEpisode, ...]:
        """The episodes by last seen, then id."""
        return self._index.in_order

    def episode_position(self, episode_id: str) -> int:
        """Where the episode stands in :meth:`episodes_in_order`; ``KeyError`` if unknown."""
        return self._index.position[episode_id]

    def context_before(self, end: datetime) -> tuple[ContextEntry, ...]:
        """Context entries with ``at < end``, in time order (then id)."""
        idx = self._index
        return idx.context[: bisect.bisect_left(idx.context_at, end)]

    def resolved_before(self, entry_id: str, end: datetime) -> bool:
        """Whether an entry recorded before ``end`` resolves the entry ``entry_id``."""
        at = self._index.resolved_at.get(entry_id)
        return at is not None and at < end

    def derived(self, key: object, compute: Callable[[], T]) -> T:
        """``compute()``, worked out once per case file and ``key`` (a case file never changes).

        For analyses that read the whole case file and are asked about one
        episode at a time: the second ask costs a lookup.
        """
        memo = self._index.memo
        if key not in memo:
            memo[key] = compute()
        return memo[key]  # type: ignore[return-value]

    def placement(self, placement_id: str) -> Placement:
        """The placement with ``placement_id``; raises ``KeyError`` if there is none."""
        for pl in self.placements:
            if pl.id == placement_id:
                return pl
        raise KeyError(placement_id)

    def conversations_for(self, episode_id: str) -> tuple[ReturnConversation, ...]:
        """The conversations that cover the episode, in the case file's order."""
        return tuple(conv for _, conv in self.conversations_covering(episode_id))

    def conversations_covering(self, episode_id: str) -> tuple[tuple[int, ReturnConversation], ...]:
        """The conversations that cover the episode with their positions in ``conversations``.

        In the case file's order; looked up in the index (built once per case file).
        """
        return self._index.conversations.get(episode_id, ())

    def screenings_of(
        self, episode_id: str, by: datetime, category: ExploitationCategory | None = None
    ) -> tuple[tuple[str, int, datetime], ...]:
        """Where the episode was screened for exploitation by ``by``: (list, index, when).

        A :class:`~missingcare.screenings.Screening` that follows the episode counts
        at its time (``("screenings", i, at)``); so does the screening recorded in a
        held return conversation that covers it (``("conversations", k, held_at)``).
        With ``category``, only screenings that looked for it count. In that order,
        each list in case-file order.
        """
        idx = self._index
        out = [
            ("screenings", i, s.at)
            for i, s in idx.screenings.get(episode_id, ())
            if s.at <= by and (category is None or s.screened_for(category))
        ]
        for k, conv in idx.conversations.get(episode_id, ()):
            at, screening = conv.held_at, conv.screening
            looked = screening.categories if screening is not None else ()
            if at is not None and at <= by and looked and (category is None or category in looked):
                out.append(("conversations", k, at))
        return tuple(out)

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
        idx = self._index
        lo = bisect.bisect_left(idx.context_at, start)
        hi = bisect.bisect_left(idx.context_at, end)
        return idx.context[lo : max(lo, hi)]


class _Index:
    """Lookups over one case file, built once on first use (a case file is immutable)."""

    __slots__ = (
        "context",
        "context_at",
        "conversations",
        "episodes",
        "in_order",
        "memo",
        "position",
        "resolved_at",
        "screenings",
    )

    def __init__(self, case: CaseFile) -> None:
        self.episodes: Mapping[str, MissingEpisode] = MappingProxyType(
            {e.id: e for e in case.episodes}
        )
        self.in_order = tuple(sorted(case.episodes, key=lambda e: (e.last_seen_at, e.id)))
        self.position = MappingProxyType({e.id: i for i, e in enumerate(self.in_order)})
        self.context = tuple(sorted(case.context, key=lambda c: (c.at, c.id)))
        self.context_at = [c.at for c in self.context]
        resolved: dict[str, datetime] = {}
        for c in self.context:  # in time order: the first resolution is kept
            for rid in c.resolves:
                resolved.setdefault(rid, c.at)
        self.resolved_at: Mapping[str, datetime] = MappingProxyType(resolved)
        #: results derived from the case file by the layers above, by their own keys
        self.memo: dict[object, object] = {}
        # each episode's covering conversations with their positions (rules cite the path)
        found: dict[str, list[tuple[int, ReturnConversation]]] = {}
        for k, conv in enumerate(case.conversations):
            for eid in conv.episode_ids:
                found.setdefault(eid, []).append((k, conv))
        self.conversations: Mapping[str, tuple[tuple[int, ReturnConversation], ...]] = (
            MappingProxyType({eid: tuple(v) for eid, v in found.items()})
        )
        screened: dict[str, list[tuple[int, Screening]]] = {}
        for i, s in enumerate(case.screenings):
            for eid in s.episode_ids:
                screened.setdefault(eid, []).append((i, s))
        self.screenings: Mapping[str, tuple[tuple[int, Screening], ...]] = MappingProxyType(
            {k: tuple(v) for k, v in screened.items()}
        )
