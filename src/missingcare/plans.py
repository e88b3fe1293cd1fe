"""What is agreed for a child before any episode: absence plans and missing-person profiles.

Both belong to the child, not to an episode, and are in force from when they
were agreed or completed until they end. Rules read them as they stood when
the child went missing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import attrs

from missingcare import _fields as f

__all__ = ["AbsencePlan", "MissingPersonProfile"]


@attrs.frozen
class AbsencePlan:
    """What is agreed about a child's absences before they happen.

    Ireland's Absence Management Plan (every child in residential care has one)
    sets age-appropriate return times and how long past the expected time the
    child is reported missing (``report_after``). In Scotland, "not at home" may
    be recorded instead of missing only where it was agreed in advance for this
    child in these circumstances (``not_at_home_agreed``). The plan is in force
    from ``agreed_at`` until ``ended_at``.
    """

    id: str = attrs.field(**f.ident("Plan id", "The plan's identifier in your system."))
    child_id: str = attrs.field(**f.ident("Child id", "The child's identifier."))
    agreed_at: datetime = attrs.field(**f.at("Agreed at", "When was the plan agreed?"))
    ended_at: datetime | None = f.optional_at(
        "Ended at", "When did the plan stop applying (replaced or ended)?"
    )
    reviewed_at: datetime | None = f.optional_at(
        "Last reviewed", "When was the plan last reviewed?"
    )
    report_after: timedelta | None = f.optional_duration(
        "Report missing after",
        "How long past the expected return time is the child reported missing?",
    )
    not_at_home_agreed: bool | None = f.optional_flag(
        "'Not at home' agreed",
        "Is it agreed in advance that, in the circumstances the plan names, the child may be "
        "recorded as 'not at home' rather than missing?",
    )
    circumstances: str | None = f.optional_text(
        "Circumstances", "In which circumstances does the plan apply?"
    )

    def __attrs_post_init__(self) -> None:
        p = f.Problems()
        f.not_before(
            p, self.ended_at, self.agreed_at, "$.ended_at", "a plan cannot end before it is agreed"
        )
        f.not_before(
            p,
            self.reviewed_at,
            self.agreed_at,
            "$.reviewed_at",
            "a plan cannot be reviewed before it is agreed",
        )
        p.raise_if_any()

    def in_force(self, at: datetime) -> bool:
        """Whether the plan applied at the instant ``at``."""
        return self.agreed_at <= at and (self.ended_at is None or at < self.ended_at)


@attrs.frozen
class MissingPersonProfile:
    """A profile kept ready to give police if the child goes missing.

    The Philomena Protocol's Part 1 (PSNI asks for one for every child in a
    residential home), Wales's Child Information Form. missingcare records when
    it was completed and last reviewed, when its photograph was taken and when
    the child was told what it holds and when it is shared; the description,
    photograph and associates stay in the host system. It is in force from
    ``completed_at`` until ``ended_at``.
    """

    id: str = attrs.field(**f.ident("Profile id", "The profile's identifier in your system."))
    child_id: str = attrs.field(**f.ident("Child id", "The child's identifier."))
    completed_at: datetime = attrs.field(
        **f.at("Completed at", "When was the profile first completed?")
    )
    reviewed_at: datetime | None = f.optional_at(
        "Last reviewed", "When was the profile last reviewed and brought up to date?"
    )
    photograph_taken_on: date | None = f.optional_day(
        "Photograph taken on", "When was the photograph in the profile taken?"
    )
    child_told_at: datetime | None = f.optional_at(
        "Child told", "When was the child told what the profile records and when it is shared?"
    )
    ended_at: datetime | None = f.optional_at(
        "Superseded at", "When did this profile stop being the current one?"
    )

    def __attrs_post_init__(self) -> None:
        p = f.Problems()
        for name in ("reviewed_at", "ended_at"):
            f.not_before(
                p,
                getattr(self, name),
                self.completed_at,
                f"$.{name}",
                "cannot be before the profile was completed",
            )
        p.raise_if_any()

    def in_force(self, at: datetime) -> bool:
        """Whether this was the child's current profile at the instant ``at``."""
        return self.completed_at <= at and (self.ended_at is None or at < self.ended_at)

    def brought_up_to_date(self, at: datetime) -> datetime | None:
        """When the profile was last completed or reviewed at or before ``at``, as recorded."""
        if self.reviewed_at is not None and self.reviewed_at <= at:
            return self.reviewed_at
        return self.completed_at if self.completed_at <= at else None
