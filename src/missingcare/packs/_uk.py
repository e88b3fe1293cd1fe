"""Checks the Welsh, Scottish and Northern Irish packs share, written once.

Wales and Northern Ireland both ask for a return interview to be offered with a
timescale the sources leave to local practice, and both keep a missing-person
profile (the Child Information Form, the Philomena Protocol form) that is given to
police when the child is reported missing. Wales and Scotland both ask for efforts
to find the child (Wales's "reasonable efforts", Scotland's "initial enquiries")
before a report to police, at once if there is concern. The duties are the same;
the sources, editions and wording are each jurisdiction's, so each pack declares
its own rule
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
from missingcare.findings import Finding, Outcome, ParamValue
from missingcare.rules import RuleContext, kit
from missingcare.rules.kit import ElapsedDeadline

__all__ = [
    "EFFORTS_FIELDS",
    "PROFILE_SHARED_FIELDS",
    "efforts_then_report",
    "missing_since",
    "offered_within_local_timescale",
    "profile_shared_on_report",
]

#: The model fields :func:`efforts_then_report` reads.
EFFORTS_FIELDS = (
    "MissingEpisode.statuses",
    "MissingEpisode.search_actions",
    "SearchAction.at",
    "MissingEpisode.police_report",
    "PoliceReport.reported_at",
    "MissingEpisode.ended_at",
)
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

    Keys: ``shared`` (met; ``{shared_at}``), ``shared-late`` (breached: given only after
    the episode ended; ``{shared_at}``), ``pending`` (reported, not yet shared,
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
        shared = shared if kit.known(shared, now) else None
        if shared is not None and (ended is None or shared <= ended):
            yield find(
                "shared",
                Outcome.MET,
                params={"shared_at": shared},
                observed=shared,
                evidence=["profile_shared_at", *reported.paths],
            )
        elif shared is not None:  # given only after the child was found: too late to help
            yield find(
                "shared-late",
                Outcome.BREACHED,
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


def efforts_then_report(case: CaseFile, ctx: RuleContext, parameter: str) -> Iterator[Finding]:
    """Efforts to find the child, recorded as search actions, then a report to police if
    they are not found; at once if there is concern for their safety, which the library
    cannot judge. ``parameter`` is the local time efforts may take (no default: the
    sources set none), from the first ``missing`` status.

    Keys: ``met`` (efforts, then the report), ``reported-at-once`` (insufficient data:
    no efforts recorded before the report; right only if staff were concerned),
    ``pending`` / ``pending-by`` (still missing, not reported), ``overdue``, ``late``
    and ``not-reported`` (past the local time; breached), ``no-efforts`` (ended with
    neither efforts nor a report; breached), ``found`` (ended after efforts, within the
    local time), ``found-unreported`` (ended after efforts, the local time not set:
    insufficient data), ``not-missing`` (the whereabouts were known).
    """
    now, within = ctx.as_of, ctx.param(parameter)
    for ep in kit.timeline(case, now):
        find, ended, since = kit.about(ctx, ep), kit.ended_by(ep, now), missing_since(ep, now)
        if since is None:
            if ended is not None:
                yield find("not-missing", Outcome.NOT_APPLICABLE, evidence=["statuses"])
            continue
        index, unknown_at = since
        due = None if within is None else unknown_at + within
        at = kit.reported_to_police(ep, now, by=ended).at
        until = at if at is not None else (ended if ended is not None else now)
        searches = [
            f"search_actions[{k}]" for k, s in enumerate(ep.record.search_actions)
            if unknown_at <= s.at <= until
        ]  # fmt: skip
        evidence = [f"statuses[{index}]", *searches, "police_report"]
        params: dict[str, ParamValue] = {} if due is None else {"due": due}
        if at is not None:
            params["reported_at"] = at
            key, outcome = (
                ("late", Outcome.BREACHED) if due is not None and at > due
                else ("met", Outcome.MET) if searches
                else ("reported-at-once", Outcome.INSUFFICIENT_DATA)
            )  # fmt: skip
            yield find(key, outcome, params=params, due=due, observed=at, evidence=evidence)
        elif ended is None:
            key, outcome = (
                ("pending", Outcome.PENDING) if due is None
                else ("overdue", Outcome.BREACHED) if now > due
                else ("pending-by", Outcome.PENDING)
            )  # fmt: skip
            yield find(key, outcome, params=params, due=due, evidence=evidence)
        elif not searches:
            yield find("no-efforts", Outcome.BREACHED, evidence=evidence)
        elif due is None:
            params = {"parameter": kit.setting_words(parameter)}
            yield find("found-unreported", Outcome.INSUFFICIENT_DATA, params=params,
                       evidence=evidence)  # fmt: skip
        else:
            params["ended_at"] = ended
            key, outcome = (
                ("found", Outcome.MET) if ended <= due else ("not-reported", Outcome.BREACHED)
            )
            yield find(key, outcome, params=params, due=due, observed=ended, evidence=evidence)
