"""The Wales pack, ``GB-WLS``: a looked-after child missing from care in Wales.

From *Safeguarding children who go missing from home or care — All Wales Practice
Guide* (last updated February 2021, used with the Wales Safeguarding Procedures)
[WALES], as summarised by Missing People's Wales toolkit [MP-WAL], and the police
definition of missing the guide and Care Inspectorate Wales use (the College of
Policing APP: anyone whose whereabouts cannot be established is missing until
located and their well-being confirmed) [CIW23][NUYU]. The guide is national
inter-agency practice guidance, not statutory guidance: its rules are of strength
``agency_policy``. Sources, English messages and parameter meanings are in
``gb_wls.toml``.

Edition ``2021-02``: the February 2021 guide (the day is not in the sources, so the
first is used). It encodes: reasonable efforts to find the child, then a report to
police — at once if there is concern for the child's safety (a status ``missing``
is the APP's "whereabouts cannot be established"); the Child Information Form in
force when the child went missing, kept current with a recent photograph; the form
given to police on the report; the child told what the form records and when it is
shared; the return interview (the Welsh "debrief" [KIPDF11]) offered.

What the sources do NOT set, so each is a parameter with no default and the part
of the rule that needs it is ``insufficient_data`` until configured:

* ``debrief_offered_within`` — the sources give no timescale for the return
  interview in Wales (the 2021 guide's is not confirmed [TCS17]);
* ``form_review_within`` and ``photograph_within`` — "kept up to date" and "a
  recent photograph" have no number in the sources;
* ``reasonable_efforts_within`` — how long reasonable efforts may go on before
  the report. A 2011-protocol threshold of "more than six hours or after
  midnight" appears only in a freedom-of-information requester's words [PEMB]
  and is not used. Unset, a report after recorded efforts is ``met`` (the
  sequence the guide sets) and an episode ended unreported after efforts is
  ``insufficient_data`` (whether a report was owed cannot be worked out).

The library cannot judge concern for a child's safety: a report made with no
search recorded before it is ``insufficient_data`` with a message saying it is
right only if staff were concerned, never ``met`` and never ``breached``.

Configure with ``PACK.configure(debrief_offered_within=timedelta(hours=72), ...)``
(the local authority's own values). The return-interview and profile-sharing
checks are shared with Northern Ireland (:mod:`missingcare.packs._uk`).

>>> from missingcare.rules import get_pack
>>> [r.code for r in get_pack("GB-WLS").rules()][:2]
['reasonable-efforts-then-report', 'child-information-form-current']
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from missingcare.case import CaseFile
from missingcare.findings import Finding, Outcome, ParamValue, Severity, Strength
from missingcare.packs import _uk
from missingcare.rules import Duty, Edition, RuleContext, RulePack, Source, kit
from missingcare.time import format_local_date, local_date

__all__ = ["PACK", "SOURCES"]

_D = kit.read_pack_data("missingcare.packs", "gb_wls.toml")
#: Every source the pack cites, by domain-research key.
SOURCES: tuple[Source, ...] = tuple(_D.sources.values())

_EFFORTS, _REVIEW, _PHOTO = "reasonable_efforts_within", "form_review_within", "photograph_within"
_DEBRIEF = "debrief_offered_within"


@_D.rule(
    "reasonable-efforts-then-report",
    title="Reasonable efforts to find the child, then a report to police (at once if concerned)",
    duty=Duty.REPORT, strength=Strength.AGENCY_POLICY, severity=Severity.SERIOUS,
    sources=_D.cite("MP-WAL", "WALES", "NUYU", "CIW23"), parameters=(_EFFORTS,),
    fields=_uk.EFFORTS_FIELDS,
)  # fmt: skip
def reasonable_efforts_then_report(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """When the child's whereabouts cannot be established (status ``missing``), the
    placement makes reasonable efforts to find them, recorded as search actions, and
    reports them to police if they are not found; at once if there is concern for
    their safety, which the library cannot judge. With ``reasonable_efforts_within``
    set, the report is due that long after the whereabouts became unknown."""
    yield from _uk.efforts_then_report(case, ctx, _EFFORTS)


@_D.rule(
    "child-information-form-current",
    title="A Child Information Form, kept current with a recent photograph, when the child "
    "goes missing",
    duty=Duty.PROFILE, strength=Strength.AGENCY_POLICY, severity=Severity.WARNING,
    sources=_D.cite("MP-WAL", "WALES"), parameters=(_REVIEW, _PHOTO),
    fields=("CaseFile.profiles", "MissingPersonProfile.completed_at",
            "MissingPersonProfile.reviewed_at", "MissingPersonProfile.photograph_taken_on",
            "MissingEpisode.last_seen_at"),
)  # fmt: skip
def child_information_form_current(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Every looked-after child has a Child Information Form, kept up to date with a
    recent photograph, in force when they go missing. How recent is local: until
    ``form_review_within`` and ``photograph_within`` are set, a form in force is
    insufficient data (it is never met on an unknown standard)."""
    now, review, photo = ctx.as_of, ctx.param(_REVIEW), ctx.param(_PHOTO)
    for ep in kit.timeline(case, now):
        find, seen = kit.about(ctx, ep), ep.record.last_seen_at
        form = kit.profile_in_force(case, seen, now)
        if form is None:
            yield find("no-form", Outcome.BREACHED, evidence=["$.profiles", "last_seen_at"])
            continue
        unset = [name for name, value in ((_REVIEW, review), (_PHOTO, photo)) if value is None]
        if unset:
            unset_params: dict[str, ParamValue] = {
                "parameter": " and ".join(f"'{kit.setting_words(n)}'" for n in unset)
            }
            yield find("not-configured", Outcome.INSUFFICIENT_DATA, params=unset_params,
                       evidence=[form])  # fmt: skip
            continue
        updated, taken = form.record.brought_up_to_date(seen), form.record.photograph_taken_on
        assert updated is not None  # in force at seen: completed by then
        params: dict[str, ParamValue] = {"updated_at": updated}
        if seen - updated > review:
            yield find("out-of-date", Outcome.BREACHED, params=params, observed=updated,
                       evidence=[form.path_of("reviewed_at"), "last_seen_at"])  # fmt: skip
        elif taken is None:
            yield find("photograph-unknown", Outcome.INSUFFICIENT_DATA,
                       evidence=[form.path_of("photograph_taken_on")])  # fmt: skip
        elif local_date(seen, ep.record.zone) - taken > photo:
            params = {"taken_on": format_local_date(taken)}
            yield find("old-photograph", Outcome.BREACHED, params=params,
                       evidence=[form.path_of("photograph_taken_on"), "last_seen_at"])  # fmt: skip
        else:
            yield find("current", Outcome.MET, params=params, observed=updated, evidence=[form])


@_D.rule(
    "child-information-form-shared",
    title="The Child Information Form is given to police when the child is reported missing",
    duty=Duty.PROFILE, strength=Strength.AGENCY_POLICY, severity=Severity.WARNING,
    sources=_D.cite("MP-WAL", "WALES"),
    fields=_uk.PROFILE_SHARED_FIELDS,
)  # fmt: skip
def child_information_form_shared(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """When the child is reported missing, the Child Information Form is shared with
    police, to help them assess the risk. Only on a report: it is not shared otherwise."""
    yield from _uk.profile_shared_on_report(case, ctx)


@_D.rule(
    "child-told-about-form",
    title="The child is told what the Child Information Form records and when it is shared",
    duty=Duty.PROFILE, strength=Strength.AGENCY_POLICY, severity=Severity.WARNING,
    sources=_D.cite("MP-WAL", "WALES"),
    fields=("MissingPersonProfile.child_told_at", "MissingEpisode.profile_shared_at"),
)  # fmt: skip
def child_told_about_form(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Social services talk with the child about what the form records and explain when it
    will be shared with police and others: by the time it is first shared. The sources
    set no other timescale, so until then it is a to-do, not a breach."""
    now = ctx.as_of
    for ep in kit.timeline(case, now):
        find = kit.about(ctx, ep)
        form = kit.profile_in_force(case, ep.record.last_seen_at, now)
        if form is None:
            yield find("no-form", Outcome.NOT_APPLICABLE, evidence=["$.profiles"])
            continue
        told, shared = form.record.child_told_at, ep.record.profile_shared_at
        told_path = form.path_of("child_told_at")
        shared = shared if kit.known(shared, now) else None
        if told is not None and kit.known(told, now) and (shared is None or told <= shared):
            yield find("told", Outcome.MET, params={"told_at": told}, observed=told,
                       evidence=[told_path])  # fmt: skip
        elif shared is not None:
            yield find("shared-untold", Outcome.BREACHED, params={"shared_at": shared},
                       observed=shared, evidence=[told_path, "profile_shared_at"])  # fmt: skip
        else:
            yield find("pending", Outcome.PENDING, evidence=[told_path])


@_D.rule(
    "debrief-offered",
    title="A return interview (debrief) is offered within the local timescale",
    duty=Duty.CONVERSATION_OFFERED, strength=Strength.AGENCY_POLICY, severity=Severity.WARNING,
    sources=_D.cite("WALES", "MP-WAL", "KIPDF11", "TCS17"),
    standard={**kit.NOT_CONFIGURED_MESSAGES, **kit.CLOCK_MESSAGES}, parameters=(_DEBRIEF,),
    fields=("MissingEpisode.returned_at", "ReturnConversation.episode_ids",
            "ReturnConversation.offers", "ReturnConversation.held_at"),
)  # fmt: skip
def debrief_offered(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """After each episode the child is offered a return interview (in Wales long called a
    "debrief"). The sources set no timescale: ``debrief_offered_within`` is the local
    one, and until it is set every returned episode is insufficient data."""
    yield from _uk.offered_within_local_timescale(case, ctx, _DEBRIEF)


_LOCAL = {"minimum": timedelta(minutes=1), "optional": True}
_PARAMETERS = (  # what each means is in gb_wls.toml; none has a default in the sources
    _D.parameter(_EFFORTS, timedelta, None, **_LOCAL),
    _D.parameter(_REVIEW, timedelta, None, **_LOCAL),
    _D.parameter(_PHOTO, timedelta, None, **_LOCAL),
    _D.parameter(_DEBRIEF, timedelta, None, **_LOCAL),
)

_EDITIONS = (
    Edition("2021-02", effective_from=date(2021, 2, 1), sources=_D.cite("WALES"),
            add=(reasonable_efforts_then_report, child_information_form_current,
                 child_information_form_shared, child_told_about_form, debrief_offered),
            note="All Wales Practice Guide, last updated February 2021 (day not in the sources)."),
)  # fmt: skip

#: The Wales pack.
PACK = RulePack(
    code="GB-WLS",
    name="Wales",
    zone="Europe/London",
    aliases=("Wales", "WLS"),
    editions=_EDITIONS,
    parameters=_PARAMETERS,
    sources=SOURCES,
    description=(
        "Children looked after in Wales who go missing: reasonable efforts then a report to "
        "police, the Child Information Form (current, shared with police on the report, the "
        "child told), and the return interview offered within the local timescale."
    ),
)
