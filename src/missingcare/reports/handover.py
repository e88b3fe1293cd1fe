"""The page staff send to police when they report a child missing.

:func:`handover_report` renders, on two A4 pages:

1. the pre-completed profile (the Philomena Protocol's Part 1, Wales's Child
   Information Form): the profile record in force when the child was last
   seen (:class:`~missingcare.plans.MissingPersonProfile`: when it was
   completed and reviewed, when the photograph was taken, when the child was
   told), the details the host system keeps (:class:`ProfileDetails`:
   description, where the recent photograph is, associates, places, phone and
   social media, medical needs), the child's trusted adults, and the missing
   history with where the child was found before;
2. the episode so far (Part 2): when and where the child was last seen,
   clothing, risk grades, what has been done (searches, notifications, the
   police report).

Every label is the model's own (its field kinds), so a field added to the
model, or to :class:`ProfileDetails`, appears on the page with its label.
missingcare keeps no description, photograph or associate names
(docs/reference/model.md): the host passes them in ``details``, and a field
it leaves empty prints as a box to fill in by hand.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from missingcare import _fields as f
from missingcare.case import CaseFile
from missingcare.episodes import MissingEpisode
from missingcare.plans import MissingPersonProfile
from missingcare.reports._render import Counts, TemplateSource, field_rows, render
from missingcare.typing import AsOf
from missingcare.vocab import Concept

__all__ = ["ProfileDetails", "handover_report"]

#: The episode's fields that make up Part 2, in the order police ask for them.
PART_2 = (
    "last_seen_at",
    "last_seen_place",
    "clothing",
    "noticed_at",
    "expected_back_at",
    "risk_grades",
    "police_report",
    "profile_shared_at",
    "search_actions",
    "notifications",
)
#: How many earlier episodes the history shows (newest first), so the profile fits a page.
HISTORY = 6


@attrs.frozen
class ProfileDetails:
    """What the host system keeps of a child's missing-person profile, for the handover page.

    Free text from the host's own profile; never stored by missingcare. Every
    field is optional: one left empty prints as a box to fill in by hand.
    """

    description: str | None = f.optional_text(
        "Description", "Height, build, hair, distinguishing marks, how the child presents."
    )
    photograph: str | None = f.optional_text(
        "Recent photograph", "Where the recent photograph is kept (a reference, not the image)."
    )
    associates: str | None = f.optional_text(
        "Associates", "Friends, family and adults the child may be with."
    )
    places: str | None = f.optional_text("Places", "Addresses and places the child may go to.")
    phone_and_social_media: str | None = f.optional_text(
        "Phone and social media", "Phone numbers and social media accounts the child uses."
    )
    medical_needs: str | None = f.optional_text(
        "Medical needs", "Medication, conditions and what happens without them."
    )


def _profile(case: CaseFile, episode: MissingEpisode) -> MissingPersonProfile | None:
    current = [p for p in case.profiles if p.in_force(episode.last_seen_at)]
    return max(current, key=lambda p: (p.completed_at, p.id), default=None)


def _labels(concepts: Iterable[Concept | None]) -> list[str]:
    """Distinct display labels, first seen first."""
    return list(dict.fromkeys(c.display for c in concepts if c is not None))


def handover_report(
    case: CaseFile,
    episode_id: str,
    *,
    details: ProfileDetails | None = None,
    as_of: AsOf | None = None,
    templates: TemplateSource | None = None,
) -> str:
    """The police handover page for the episode ``episode_id`` of ``case``.

    ``details`` are the profile's descriptive fields from the host system.
    The missing history is the child's episodes before this one; ``as_of``
    (default: everything recorded) limits Part 2 to what was recorded by then.
    Raises ``KeyError`` for an unknown episode. Returns the HTML page.
    """
    episode = case.episode(episode_id)
    zone = episode.zone
    if as_of is not None:
        from missingcare.analysis._common import now_of  # noqa: PLC0415

        now = now_of(as_of)
        episode = attrs.evolve(
            episode,
            risk_grades=tuple(g for g in episode.risk_grades if g.at <= now),
            search_actions=tuple(s for s in episode.search_actions if s.at <= now),
            notifications=tuple(n for n in episode.notifications if n.at <= now),
        )
    earlier = sorted(
        (e for e in case.episodes if e.last_seen_at < episode.last_seen_at),
        key=lambda e: (e.last_seen_at, e.id),
        reverse=True,
    )
    profile = _profile(case, episode)
    the_details = details if details is not None else ProfileDetails()
    adults = [ta for ta in case.trusted_adults if ta.is_present_at(episode.last_seen_at)]
    part2 = field_rows(episode, zone, PART_2)
    context: dict[str, Any] = {
        "title": "Child reported missing: information for police",
        "case": case,
        "episode": episode,
        "profile": profile,
        "profile_rows": (
            field_rows(
                profile, zone, [n for n, k in f.kinds(MissingPersonProfile) if k.base != "id"]
            )
            if profile is not None
            else ()
        ),
        "details": field_rows(the_details, zone),
        "adults": adults,
        "history": earlier[:HISTORY],
        "history_more": max(0, len(earlier) - HISTORY),
        "history_total": len(earlier),
        "places_known": _labels(e.located.where for e in earlier if e.located is not None),
        "whereabouts_known": _labels(c for e in earlier for c in e.whereabouts),
        "with_known": _labels(c for e in earlier for c in e.who_with),
        "part2": part2,
    }
    return render("handover.html.j2", context, zone=zone, counts=Counts(), templates=templates)
