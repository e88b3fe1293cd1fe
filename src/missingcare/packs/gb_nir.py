"""The Northern Ireland pack, ``GB-NIR``: a looked-after child missing from care in NI.

From *The Interface Protocol between HSC Trusts and PSNI* (October 2023), the
regional guidance on reporting children missing from residential children's homes,
and the Department of Health's untoward event notifications, as described in the
Minister's answer to Assembly question AQW 29570/22-27 [NIAQW]; the PSNI's use of
the Philomena Protocol [PSNI-PP]; and return interviews offered to children in NI
[MPRET]. Sources, English messages and parameter meanings are in ``gb_nir.toml``.

Edition ``2023-10`` (October 2023, the Interface Protocol; the day is not in the
sources, so the first is used; when PSNI adopted Philomena is not in the sources
either, so its two rules start with the same edition): the Trust's untoward event
notification to the Department of Health (recipient ``doh_ni``) for every episode;
Philomena Part 1 held for every child in a residential children's home (a
missing-person profile in force when they went missing); the Philomena form given
to police when the child is reported missing (PSNI asks for it only then); a
return interview offered.

What the sources do NOT set, so each is a parameter with no default and the rule is
``insufficient_data`` until configured (``PACK.configure(...)``):

* ``untoward_event_within`` — the answer says the Department receives the
  notifications when a looked-after child goes missing but gives no timescale,
  nor that it is due by the end of the episode; the local one runs from when the
  child was last seen, each episode on its own clock;
* ``return_interview_offered_within`` — no NI timescale was found.

The Interface Protocol's own text was not seen: its categories and any timescale
in it are open questions (domain research §12). The return-interview and
profile-sharing checks are shared with Wales (:mod:`missingcare.packs._uk`).

>>> from missingcare.rules import get_pack
>>> [r.code for r in get_pack("GB-NIR").rules()][:2]
['untoward-event-notification', 'philomena-part-1-held']
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from missingcare.case import CaseFile
from missingcare.children import PlacementKind
from missingcare.findings import Finding, Outcome, Severity, Strength
from missingcare.packs import _uk
from missingcare.rules import Duty, Edition, RuleContext, RulePack, Source, kit
from missingcare.rules.kit import Anchor, ElapsedDeadline, ReMissingPolicy

__all__ = ["PACK", "RESIDENTIAL_HOMES", "SOURCES"]

_D = kit.read_pack_data("missingcare.packs", "gb_nir.toml")
#: Every source the pack cites, by domain-research key.
SOURCES: tuple[Source, ...] = tuple(_D.sources.values())
#: The placements PSNI asks a Philomena Part 1 for every child in.
RESIDENTIAL_HOMES = frozenset({PlacementKind.CHILDRENS_HOME, PlacementKind.SECURE_CHILDRENS_HOME})

_NOTIFY, _INTERVIEW = "untoward_event_within", "return_interview_offered_within"


def _notified(case: CaseFile, ep: kit.EpisodeAt, now: datetime) -> kit.Done:
    return kit.notified(ep, "doh_ni", now)


@_D.rule(
    "untoward-event-notification",
    title="The Trust notifies the Department of Health of an untoward event",
    duty=Duty.NOTIFY, strength=Strength.AGENCY_POLICY, severity=Severity.WARNING,
    sources=_D.cite("NIAQW"), parameters=(_NOTIFY,),
    standard={**kit.NOT_CONFIGURED_MESSAGES, **kit.clock_messages(Anchor.LAST_SEEN)},
    fields=("MissingEpisode.last_seen_at", "MissingEpisode.notifications",
            "Notification.recipient", "Notification.at"),
)  # fmt: skip
def untoward_event_notification(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """When a looked-after child goes missing (or is absent), the HSC Trust sends the
    Department of Health an untoward event notification (recipient ``doh_ni``). The
    sources give no timescale: until ``untoward_event_within`` is set, every episode is
    insufficient data; then it is due that long after the child was last seen."""
    within = ctx.param(_NOTIFY)
    if within is None:
        yield from kit.not_configured_findings(ctx, case, _NOTIFY, anchor=Anchor.LAST_SEEN)
        return
    yield from kit.deadline_findings(
        ctx, case, ElapsedDeadline(within), _notified, done_param="notified_at",
        anchor=Anchor.LAST_SEEN, policy=ReMissingPolicy.KEEP_OWN_CLOCK,
    )  # fmt: skip


@_D.rule(
    "philomena-part-1-held",
    title="Philomena Protocol Part 1 is held for every child in a residential children's home",
    duty=Duty.PROFILE, strength=Strength.POLICE_PRACTICE, severity=Severity.WARNING,
    sources=_D.cite("PSNI-PP", "NIAQW"),
    fields=("CaseFile.profiles", "MissingPersonProfile.completed_at", "Placement.kind",
            "MissingEpisode.placement_id", "MissingEpisode.last_seen_at"),
)  # fmt: skip
def philomena_part_1_held(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """PSNI asks for Part 1 of the Philomena form, completed as soon as possible and kept
    up to date, for every child in residential care: a profile in force when a child in
    a residential children's home went missing. Episodes from other placements are not
    covered (the case file always names the placement an episode began from)."""
    now = ctx.as_of
    for ep in kit.timeline(case, now):
        find = kit.about(ctx, ep)
        if not kit.in_placement(case, ep, RESIDENTIAL_HOMES):
            yield find("not-residential", Outcome.NOT_APPLICABLE, evidence=["placement_id"])
        elif (form := kit.profile_in_force(case, ep.record.last_seen_at, now)) is not None:
            at = form.record.completed_at
            yield find("held", Outcome.MET, params={"completed_at": at}, observed=at,
                       evidence=[form, "placement_id"])  # fmt: skip
        else:
            yield find("not-held", Outcome.BREACHED, evidence=["$.profiles", "placement_id"])


@_D.rule(
    "philomena-shared-on-report",
    title="The Philomena form is given to police when the child is reported missing",
    duty=Duty.PROFILE, strength=Strength.POLICE_PRACTICE, severity=Severity.WARNING,
    sources=_D.cite("PSNI-PP"),
    fields=_uk.PROFILE_SHARED_FIELDS,
)  # fmt: skip
def philomena_shared_on_report(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """PSNI asks for the Philomena form only when the child has been reported missing, and
    asks for it then (by email): the profile in force is given to police on the report."""
    yield from _uk.profile_shared_on_report(case, ctx)


@_D.rule(
    "return-interview-offered",
    title="A return interview is offered within the local timescale",
    duty=Duty.CONVERSATION_OFFERED, strength=Strength.GOOD_PRACTICE, severity=Severity.WARNING,
    sources=_D.cite("MPRET", "NIAQW"),
    standard={**kit.NOT_CONFIGURED_MESSAGES, **kit.CLOCK_MESSAGES}, parameters=(_INTERVIEW,),
    fields=("MissingEpisode.returned_at", "ReturnConversation.episode_ids",
            "ReturnConversation.offers", "ReturnConversation.held_at"),
)  # fmt: skip
def return_interview_offered(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Children in Northern Ireland are offered a return interview after an episode. No NI
    timescale was found: ``return_interview_offered_within`` is the local one, and until
    it is set every returned episode is insufficient data."""
    yield from _uk.offered_within_local_timescale(case, ctx, _INTERVIEW)


_LOCAL = {"minimum": timedelta(minutes=1), "optional": True}
_PARAMETERS = (  # what each means is in gb_nir.toml; neither has a default in the sources
    _D.parameter(_NOTIFY, timedelta, None, **_LOCAL),
    _D.parameter(_INTERVIEW, timedelta, None, **_LOCAL),
)

_EDITIONS = (
    Edition("2023-10", effective_from=date(2023, 10, 1), sources=_D.cite("NIAQW"),
            add=(untoward_event_notification, philomena_part_1_held, philomena_shared_on_report,
                 return_interview_offered),
            note="Interface Protocol between HSC Trusts and PSNI, October 2023 (day not in the "
                 "sources); PSNI's Philomena practice is undated in the sources."),
)  # fmt: skip

#: The Northern Ireland pack.
PACK = RulePack(
    code="GB-NIR",
    name="Northern Ireland",
    zone="Europe/London",
    aliases=("Northern Ireland", "NIR"),
    editions=_EDITIONS,
    parameters=_PARAMETERS,
    sources=SOURCES,
    evidence=[("notification_recipients", "doh_ni")],
    description=(
        "Children looked after in Northern Ireland who go missing: the untoward event "
        "notification to the Department of Health, Philomena Part 1 for every child in a "
        "residential home and the form given to police on the report, and the return "
        "interview offered within the local timescale."
    ),
)
