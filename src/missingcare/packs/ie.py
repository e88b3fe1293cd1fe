"""The Ireland pack, ``IE``: the Tusla–Garda joint protocol for children missing from care.

What it encodes, from the joint protocol between An Garda Síochána and the HSE (now
Tusla) [IE-08] as Tusla and the Minister describe it [IE-WRAN][IE-COMM][IE-ECHO][IE-EX]:

* Every child in residential care has an **Absence Management Plan**: age-appropriate
  curfews and return times, and when the child is to be reported missing
  (``absence-management-plan``: a :class:`~missingcare.plans.AbsencePlan` in force
  when the child went missing, for episodes from a children's home).
* The child is **reported missing to the Gardaí** once they are past their expected
  time by the plan's threshold (``garda-report-after-plan-threshold``): the report is
  due at the episode's ``expected_back_at`` plus the plan's ``report_after``. The
  threshold is the plan's, child by child: "15 minutes" is what a plan might set for a
  child about whom there is high concern [IE-COMM], not a national default, so the pack
  has no default either. No plan in force, a plan with no threshold, or no expected time
  recorded is insufficient data, never compliance.
* A child whose **whereabouts are known but who is not where they should be** is still
  counted as missing [IE-COMM]: the reporting rule applies whatever the episode's status
  (``away_without_authorisation``, ``missing``, any other).

The plan's threshold is read as the instant the report is due: a report made at or
before it is on time (staff may report sooner when concerned), one made after it is
late. A child back at or before the threshold needed no report (not applicable).

Edition ``2008-12`` (19 December 2008, when the HSE–Garda protocol was signed [IE-08]).
The sources read describe the protocol as operated from 2018 to 2025; whether the 2008
text already required a plan for every child, and the date of the Tusla–Garda revision
(under review in 2024), are not in them. Ireland's clocks: Europe/Dublin's tzdata makes
Irish Standard Time (UTC+1, summer) the standard time and winter GMT "negative DST";
every instant here is UTC and the threshold elapsed time, so the clock changes on the
last Sundays of March and October move no deadline.

>>> from missingcare.rules import get_pack
>>> [r.code for r in get_pack("IE").rules()]
['absence-management-plan', 'garda-report-after-plan-threshold']
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from missingcare.case import CaseFile
from missingcare.children import PlacementKind
from missingcare.findings import Finding, Outcome, ParamValue, Severity, Strength
from missingcare.rules import Duty, Edition, RuleContext, RulePack, Source, kit

__all__ = ["PACK", "SOURCES"]

_D = kit.read_pack_data("missingcare.packs", "ie.toml")
#: Every source the pack cites, by domain-research key.
SOURCES: tuple[Source, ...] = tuple(_D.sources.values())

#: Residential care: the placements every child in which has an Absence Management Plan.
_RESIDENTIAL = (PlacementKind.CHILDRENS_HOME, PlacementKind.SECURE_CHILDRENS_HOME)


@_D.rule(
    "absence-management-plan",
    title="A child in residential care has an Absence Management Plan in force when they go "
    "missing",
    duty=Duty.PLAN, strength=Strength.AGENCY_POLICY, severity=Severity.WARNING,
    sources=_D.cite("IE-EX", "IE-COMM", "IE-WRAN"),
    fields=("CaseFile.absence_plans", "AbsencePlan.agreed_at", "AbsencePlan.ended_at",
            "MissingEpisode.last_seen_at", "MissingEpisode.placement_id", "Placement.kind"),
)  # fmt: skip
def absence_management_plan(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Every child in residential care has an Absence Management Plan, setting their return
    times and when they are reported missing. For each episode from a children's home, a
    plan was in force (agreed, not ended) when the child was last seen."""
    now = ctx.as_of
    for ep in kit.timeline(case, now):
        find, seen = kit.about(ctx, ep), ep.record.last_seen_at
        if not kit.in_placement(case, ep, _RESIDENTIAL):
            yield find("not-residential", Outcome.NOT_APPLICABLE, evidence=["placement_id"])
        elif (plan := kit.plan_in_force(case, seen, now)) is not None:
            params: dict[str, ParamValue] = {"plan_id": plan.record.id}
            params["agreed_at"] = plan.record.agreed_at
            yield find("met", Outcome.MET, params=params, observed=plan.record.agreed_at,
                       evidence=["last_seen_at", plan])  # fmt: skip
        else:
            yield find("no-plan", Outcome.BREACHED, evidence=["last_seen_at", "$.absence_plans"])


@_D.rule(
    "garda-report-after-plan-threshold",
    title="The child is reported missing to the Gardaí once past the expected time by the "
    "plan's threshold, whatever their status",
    duty=Duty.REPORT, strength=Strength.AGENCY_POLICY, severity=Severity.SERIOUS,
    sources=(*_D.cite("IE-08"), *_D.cite("IE-WRAN", "IE-COMM", "IE-ECHO", "IE-EX")),
    fields=("MissingEpisode.expected_back_at", "AbsencePlan.report_after",
            "MissingEpisode.police_report", "PoliceReport.reported_at",
            "MissingEpisode.ended_at", "MissingEpisode.statuses"),
)  # fmt: skip
def garda_report_after_plan_threshold(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """The report to the Gardaí is due at the time the child was expected back plus the
    threshold of the Absence Management Plan in force when they went missing. The protocol
    sets no national threshold (15 minutes is what a plan may set for a child about whom
    there is high concern), so the pack has none to default to. It applies
    whatever the episode's status: a child whose whereabouts are known but who is not at
    the unit is still counted as missing. Until the threshold passes nothing is due; a
    child back by then needed no report. No plan, no threshold in the plan, or no expected
    time recorded is insufficient data."""
    now = ctx.as_of
    for ep in kit.timeline(case, now):
        find, expected = kit.about(ctx, ep), ep.record.expected_back_at
        plan = kit.plan_in_force(case, ep.record.last_seen_at, now)
        if expected is None:
            yield find("no-expected-time", Outcome.INSUFFICIENT_DATA, evidence=["expected_back_at"])
            continue
        if plan is None:
            yield find("no-plan", Outcome.INSUFFICIENT_DATA, evidence=["$.absence_plans"])
            continue
        threshold = plan.record.report_after
        if threshold is None:
            params = {"plan_id": plan.record.id}
            yield find("no-threshold", Outcome.INSUFFICIENT_DATA, params=params,
                       evidence=[plan.path_of("report_after")])  # fmt: skip
            continue
        due = expected + threshold
        evidence = ["expected_back_at", plan.path_of("report_after")]
        reported, ended = kit.reported_to_police(ep, now), kit.ended_by(ep, now)
        at = reported.at
        if at is not None and at <= due:
            yield find("met", Outcome.MET, params={"reported_at": at, "due": due}, due=due,
                       observed=at, evidence=[*evidence, *reported.paths])  # fmt: skip
        elif ended is not None and ended <= due:
            yield find("back-in-time", Outcome.NOT_APPLICABLE, params={"due": due}, due=due,
                       evidence=[*evidence, "ended_at"])  # fmt: skip
        elif now <= due:
            yield find("not-yet", Outcome.NOT_APPLICABLE, params={"due": due}, due=due,
                       evidence=evidence)  # fmt: skip
        elif at is not None:
            yield find("late", Outcome.BREACHED, params={"reported_at": at, "due": due}, due=due,
                       observed=at, evidence=[*evidence, *reported.paths])  # fmt: skip
        else:
            yield find("overdue", Outcome.BREACHED, params={"due": due}, due=due,
                       evidence=[*evidence, "police_report"])  # fmt: skip


_EDITIONS = (
    Edition("2008-12", effective_from=date(2008, 12, 19), sources=_D.cite("IE-08"),
            add=(absence_management_plan, garda_report_after_plan_threshold),
            note="HSE–An Garda Síochána joint protocol, signed 19 December 2008; the rules as "
                 "the Tusla–Garda protocol is described 2018–2025."),
)  # fmt: skip

#: The Ireland pack.
PACK = RulePack(
    code="IE",
    name="Ireland",
    zone="Europe/Dublin",
    aliases=("Ireland", "IRL"),
    editions=_EDITIONS,
    sources=SOURCES,
    description=(
        "Children in the care of Tusla who go missing: the Absence Management Plan every child "
        "in residential care has, and the report to An Garda Síochána once the child is past "
        "their expected time by the plan's threshold, whether or not their whereabouts are known."
    ),
)
