"""Checks the Welsh, Scottish and Northern Irish packs share, written once.

Wales and Northern Ireland both ask for a return interview to be offered with a
timescale the sources leave to local practice, and both keep a missing-person
profile (the Child Information Form, the Philomena Protocol form) that is given to
police when the child is reported missing. The duties are the same; the sources,
editions and wording are each jurisdiction's, so each pack declares its own rule
(its code, sources and English messages in its TOML) over these checks. They are
not derived with :meth:`~missingcare.rules.RulePack.derive`, which would carry
England's editions and 72-hour default into packs whose sources set neither.

The message keys each check yields are listed in its docstring; the pack's TOML
supplies their English templates.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from missingcare.case import CaseFile
from missingcare.findings import Finding, Outcome
from missingcare.rules import RuleContext, kit
from missingcare.rules.kit import ElapsedDeadline

__all__ = [
    "PROFILE_SHARED_FIELDS",
    "missing_since",
    "offered_within_local_timescale",
    "profile_shared_on_report",
]

#: The model fields :func:`profile_shared_on_report` reads.
PROFILE_SHARED_FIELDS = (
    "MissingEpisode.profile_shared_at",
    "MissingEpisode.police_report",
    "CaseFile.profiles",
    "MissingPersonProfile.completed_at",
)


def _offered(case: CaseFile, ep: kit.EpisodeAt, now: datetime) -> kit.Done:
    return kit.conversation_offered(kit.covering(case, ep.record.id), now)


def offered_within_local_timescale(
    case: CaseFile, ctx: RuleContext, parameter: str
) -> Iterator[Finding]:
    """A return interview offered within the local timescale ``parameter`` after the return.

    Until the parameter is configured every returned episode is ``insufficient_data``
    (``not-configured``: :data:`~missingcare.rules.kit.NOT_CONFIGURED_MESSAGES`); then
    the kit's deadline findings (:func:`~missingcare.rules.kit.deadline_messages`, done
    instant ``offered_at``), restarting from a later return when the child goes
    missing again first (one interview may cover several episodes).
    """
    within = ctx.param(parameter)
    if within is None:
        yield from kit.not_configured_findings(ctx, case, parameter)
        return
    yield from kit.deadline_findings(
        ctx, case, ElapsedDeadline(within), _offered, done_param="offered_at"
    )


def missing_since(ep: kit.EpisodeAt, now: datetime) -> tuple[int, datetime] | None:
    """The index and instant of the episode's first ``missing`` status known by ``now``."""
    for i, change in enumerate(ep.record.statuses):
        if change.status.code == "missing" and change.at <= now:
            return i, change.at
    return None


def profile_shared_on_report(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """The profile in force when the child went missing is given to police on the report.

    Keys: ``shared`` (met; ``{shared_at}``), ``pending`` (reported, not yet shared,
    the episode still open), ``not-shared`` (breached: the episode ended with the
    child reported and no sharing recorded), ``no-profile`` (not applicable: no
    profile was in force to share; the profile rule says so), ``not-reported`` (not
    applicable: the episode ended without a report, and the profile is shared only
    on one). Nothing is said while the episode is open and unreported.
    """
    now = ctx.as_of
    for ep in kit.timeline(case, now):
        find, ended = kit.about(ctx, ep), kit.ended_by(ep, now)
        shared, reported = ep.record.profile_shared_at, kit.reported_to_police(ep, now)
        if kit.known(shared, now):
            assert shared is not None
            yield find(
                "shared",
                Outcome.MET,
                params={"shared_at": shared},
                observed=shared,
                evidence=["profile_shared_at", *reported.paths],
            )
        elif reported.at is None:
            if ended is not None:
                yield find("not-reported", Outcome.NOT_APPLICABLE, evidence=["police_report"])
        elif kit.profile_in_force(case, ep.record.last_seen_at, now) is None:
            yield find("no-profile", Outcome.NOT_APPLICABLE, evidence=["$.profiles"])
        elif ended is None:
            yield find("pending", Outcome.PENDING, evidence=[*reported.paths, "profile_shared_at"])
        else:
            yield find(
                "not-shared", Outcome.BREACHED, evidence=[*reported.paths, "profile_shared_at"]
            )
