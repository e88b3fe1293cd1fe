"""A missing episode: from the moment the child was last seen to their return."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

import attrs

from missingcare import _fields as f
from missingcare.records import Recorded, recorded_field
from missingcare.time import elapsed, local_date
from missingcare.vocab import Concept

__all__ = [
    "EpisodeState",
    "Located",
    "MissingEpisode",
    "Notification",
    "PoliceReport",
    "RiskGrading",
    "SearchAction",
    "StatusChange",
]


@attrs.frozen
class StatusChange:
    """From ``at`` on, the episode had this status (missing, away without authorisation…)."""

    at: datetime = attrs.field(**f.at("Status from", "When did the episode take this status?"))
    status: Concept = attrs.field(
        **f.concept(
            "episode_statuses", "Status", "Were the child's whereabouts unknown (missing) or known?"
        )
    )
    recorded: Recorded | None = recorded_field()


@attrs.frozen
class RiskGrading:
    """A police risk grade, and when (and by whom) it was set or reviewed."""

    at: datetime = attrs.field(**f.at("Graded at", "When was the risk graded or reviewed?"))
    grade: Concept = attrs.field(
        **f.concept("police_risk_grades", "Risk grade", "What grade did police give?")
    )
    by: str | None = f.optional_text("Graded by", "Who set the grade (role or collar number)?")
    recorded: Recorded | None = recorded_field()


@attrs.frozen
class PoliceReport:
    """The report to police: when it was made and the reference they gave."""

    reported_at: datetime = attrs.field(
        **f.at("Reported to police at", "When was the child reported missing?")
    )
    reference: str | None = f.optional_text(
        "Police reference", "The police log or incident reference."
    )
    reported_by: str | None = f.optional_text("Reported by", "Who made the report (role)?")


@attrs.frozen
class SearchAction:
    """One thing done to find the child before or after reporting."""

    at: datetime = attrs.field(**f.at("Searched at", "When was this done?"))
    action: Concept = attrs.field(
        **f.concept("search_actions", "Action", "What was done to find the child?")
    )
    by: str | None = f.optional_text("By", "Who did it (role)?")
    note: str | None = f.optional_text("Note", "Anything learned.")
    recorded: Recorded | None = recorded_field()


@attrs.frozen
class Notification:
    """Someone told that the child was missing (placing authority, parent, Ofsted…)."""

    recipient: Concept = attrs.field(
        **f.concept("notification_recipients", "Notified", "Who was told the child was missing?")
    )
    at: datetime = attrs.field(**f.at("Notified at", "When were they told?"))
    method: str | None = f.optional_text("Method", "How (phone, email, portal)?")
    recorded: Recorded | None = recorded_field()


@attrs.frozen
class Located:
    """Where and when the child was found, and by whom."""

    at: datetime = attrs.field(**f.at("Located at", "When was the child found or seen safe?"))
    where: Concept | None = f.optional_concept(
        "location_types", "Where found", "What kind of place was the child found in?"
    )
    by: str | None = f.optional_text("Found by", "Who found the child (police, staff, self)?")
    distance: Concept | None = f.optional_concept(
        "distance_bands",
        "Distance from the placement",
        "How far from the placement was the child found (when both places are known)?",
    )
    address_link: Concept | None = f.optional_concept(
        "address_links",
        "Address known as",
        "Does the address match one known to the record (family, friends, associates)?",
    )


class EpisodeState(enum.Enum):
    """Whether an episode is still going on."""

    OPEN = "open"
    CLOSED = "closed"


@attrs.frozen
class MissingEpisode:
    """One episode in which a looked-after child was missing or away from placement.

    Instants are UTC; ``zone`` is the placement's IANA zone, which gives them
    local meaning. The status history starts at or after ``last_seen_at``; a
    status change (away → missing) stays within one episode.

    ``ended_at`` is when the episode ended (the child was found safe or came
    back); ``returned_at`` is when the child was back in placement, which is
    when the return-conversation clock starts. They differ when, say, the child
    was found and taken to hospital first.
    """

    id: str = attrs.field(**f.ident("Episode id", "The episode's identifier in your system."))
    child_id: str = attrs.field(**f.ident("Child id", "The child's identifier."))
    placement_id: str = attrs.field(
        **f.ident("Placement id", "The placement the child went missing from.")
    )
    zone: str = attrs.field(**f.zone("Time zone", "The placement's IANA time zone."))
    last_seen_at: datetime = attrs.field(**f.at("Last seen", "When was the child last seen?"))
    statuses: tuple[StatusChange, ...] = f.many(
        StatusChange,
        "Status history",
        "Was the child missing or away, and did it change?",
        non_empty=True,
    )
    last_seen_place: str | None = f.optional_text(
        "Last seen where", "Where was the child last seen?"
    )
    clothing: str | None = f.optional_text("Clothing", "What was the child wearing?")
    noticed_at: datetime | None = f.optional_at(
        "Noticed missing", "When did staff notice the child was missing?"
    )
    agency_informed_at: datetime | None = f.optional_at(
        "Agency informed",
        "When did the agency responsible for the child learn they were missing?",
    )
    expected_back_at: datetime | None = f.optional_at(
        "Expected back", "When was the child expected back (the time the absence plan counts from)?"
    )
    police_report: PoliceReport | None = f.optional_nested(
        PoliceReport,
        "Police report",
        "Was the child reported to police, when, with what reference?",
    )
    profile_shared_at: datetime | None = f.optional_at(
        "Profile given to police",
        "When was the child's missing-person profile (Philomena Part 1, the Child Information "
        "Form) given to police?",
    )
    risk_grades: tuple[RiskGrading, ...] = f.many(
        RiskGrading, "Police risk grades", "What risk grades did police set, and when?"
    )
    search_actions: tuple[SearchAction, ...] = f.many(
        SearchAction, "Search actions", "What was done to find the child?"
    )
    notifications: tuple[Notification, ...] = f.many(
        Notification, "Notifications", "Who was told, and when?"
    )
    located: Located | None = f.optional_nested(
        Located, "Located", "When, where and by whom was the child found?"
    )
    ended_at: datetime | None = f.optional_at(
        "Episode ended", "When did the episode end (found safe or back)?"
    )
    returned_at: datetime | None = f.optional_at(
        "Returned to placement", "When was the child back in placement?"
    )
    ending: Concept | None = f.optional_concept(
        "episode_endings", "How it ended", "How did the episode end?"
    )
    whereabouts: tuple[Concept, ...] = f.concepts(
        "location_types", "Where the child was", "Where was the child while missing?"
    )
    who_with: tuple[Concept, ...] = f.concepts("who_with", "Who with", "Who was the child with?")
    harm_disclosed: tuple[Concept, ...] = f.concepts(
        "harm_types", "Harm disclosed", "What harm did the child disclose or was seen?"
    )
    child_said: str | None = f.optional_text(
        "The child said on return",
        "What did the child say on return to staff or police, in their own words (verbatim)?",
    )
    child_said_to: str | None = f.optional_text(
        "Said to", "Who heard the child say it (role: staff, police)?"
    )
    recorded: Recorded | None = recorded_field()

    def __attrs_post_init__(self) -> None:
        if not self._plainly_consistent():
            self._check()

    def _plainly_consistent(self) -> bool:
        """True only if :meth:`_check` would find nothing (a cheap, sound test).

        Construction is on every load's path, and nearly every episode is
        consistent: this says so with plain comparisons, building no paths or
        messages. It may answer False for a consistent episode (two statuses
        with the same code, say): :meth:`_check` then decides.
        """
        seen = self.last_seen_at
        statuses = self.statuses
        if not statuses or statuses[0].at < seen:
            return False
        prev = statuses[0]
        for change in statuses[1:]:
            if change.at <= prev.at or change.status.code == prev.status.code:
                return False
            prev = change
        if not f.in_time_order(self.risk_grades):
            return False
        ended = self.ended_at
        returned = self.returned_at
        noticed = self.noticed_at
        informed = self.agency_informed_at
        shared = self.profile_shared_at
        if (informed is not None and informed < seen) or (shared is not None and shared < seen):
            return False
        police = self.police_report
        located = self.located
        ending = self.ending
        if ended is None:
            return (
                returned is None
                and located is None
                and (ending is None or ending.code == "still_missing_at_period_end")
                and (noticed is None or noticed >= seen)
                and (police is None or police.reported_at >= seen)
            )
        # ended >= seen follows: the first status is at or after seen, the last at or before ended
        return (
            prev.at <= ended
            and (returned is None or returned >= ended)
            and (noticed is None or noticed >= seen)
            and (police is None or police.reported_at >= seen)
            and (located is None or located.at >= seen)
        )

    def _check(self) -> None:
        """Raise a :class:`ValidationError` naming every broken invariant."""
        p = f.Problems()
        seen = self.last_seen_at
        if not self.statuses:
            p.add("$.statuses", "required", "expected at least one status")
        for i, change in enumerate(self.statuses):
            f.not_before(
                p,
                change.at,
                seen,
                f"$.statuses[{i}].at",
                "a status cannot start before the child was last seen",
            )
            if i and change.at <= self.statuses[i - 1].at:
                p.add(
                    f"$.statuses[{i}].at",
                    "out_of_order",
                    "expected status changes in time order, one at a time",
                )
            if i and change.status == self.statuses[i - 1].status:
                p.add(
                    f"$.statuses[{i}].status", "repeated", "a status change must change the status"
                )
        for i, grading in enumerate(self.risk_grades):
            if i and grading.at < self.risk_grades[i - 1].at:
                p.add(f"$.risk_grades[{i}].at", "out_of_order", "expected grades in time order")
        f.not_before(
            p,
            self.noticed_at,
            seen,
            "$.noticed_at",
            "cannot notice a child missing before they were last seen",
        )
        f.not_before(
            p,
            self.agency_informed_at,
            seen,
            "$.agency_informed_at",
            "the agency cannot learn of the episode before the child was last seen",
        )
        f.not_before(
            p,
            self.profile_shared_at,
            seen,
            "$.profile_shared_at",
            "cannot give police the profile before the child was last seen",
        )
        if self.police_report is not None:
            f.not_before(
                p,
                self.police_report.reported_at,
                seen,
                "$.police_report.reported_at",
                "cannot report to police before the child was last seen",
            )
        if self.located is not None:
            f.not_before(
                p,
                self.located.at,
                seen,
                "$.located.at",
                "cannot be found before the child was last seen",
            )
        f.not_before(
            p,
            self.ended_at,
            seen,
            "$.ended_at",
            "an episode cannot end before the child was last seen",
        )
        f.not_before(
            p,
            self.returned_at,
            seen,
            "$.returned_at",
            "cannot return before the child was last seen",
        )
        f.not_before(
            p,
            self.returned_at,
            self.ended_at,
            "$.returned_at",
            "cannot return to placement before the episode ended",
        )
        if self.returned_at is not None and self.ended_at is None:
            p.add("$.ended_at", "required", "an episode with a return must have ended")
        if self.located is not None and self.ended_at is None:
            p.add("$.ended_at", "required", "an episode in which the child was found has ended")
        if self.ended_at is not None:
            for i, change in enumerate(self.statuses):
                if change.at > self.ended_at:
                    p.add(
                        f"$.statuses[{i}].at",
                        "out_of_order",
                        "a status cannot start after the episode ended",
                    )
        if (
            self.ending is not None
            and self.ended_at is None
            and (self.ending.code != "still_missing_at_period_end")
        ):
            p.add("$.ended_at", "required", "an episode with an ending must say when it ended")
        p.raise_if_any()

    @property
    def state(self) -> EpisodeState:
        """:attr:`EpisodeState.OPEN` until ``ended_at`` is recorded."""
        return EpisodeState.OPEN if self.ended_at is None else EpisodeState.CLOSED

    @property
    def is_open(self) -> bool:
        """Whether the episode is still going on (no end recorded)."""
        return self.ended_at is None

    @property
    def duration(self) -> timedelta | None:
        """True elapsed time from last seen to the end, correct across clock changes.

        ``None`` while the episode is open; see :meth:`duration_as_of`.
        """
        if self.ended_at is None:
            return None
        return elapsed(self.last_seen_at, self.ended_at)

    def duration_as_of(self, now: datetime) -> timedelta:
        """Elapsed time so far: to the end if closed, else to ``now``."""
        end = self.ended_at if self.ended_at is not None else now
        return elapsed(self.last_seen_at, end)

    @property
    def length_in_days(self) -> int | None:
        """Length in calendar days in the placement's zone, counted as DfE counts.

        The number of local dates crossed: an evening-to-morning absence is 1
        day, a same-day one 0. ``None`` while open.
        """
        if self.ended_at is None:
            return None
        start = local_date(self.last_seen_at, self.zone)
        return (local_date(self.ended_at, self.zone) - start).days

    @property
    def status(self) -> Concept:
        """The latest status."""
        return self.statuses[-1].status

    def status_at(self, when: datetime) -> Concept | None:
        """The status in force at ``when``, or ``None`` before the first change."""
        current = None
        for change in self.statuses:
            if change.at <= when:
                current = change.status
        return current

    def was_missing_at(self, when: datetime) -> bool:
        """Whether ``when`` falls inside the episode (open episodes run on)."""
        return self.last_seen_at <= when and (self.ended_at is None or when <= self.ended_at)
