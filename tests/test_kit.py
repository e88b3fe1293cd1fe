"""The public rule kit: each building block on hand-built cases, derived packs, pack data."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from missingcare.case import CaseFile
from missingcare.conversations import ConversationOffer, Decision
from missingcare.episodes import Notification, PoliceReport
from missingcare.findings import Finding, Outcome, Severity, Strength
from missingcare.packs import gb_eng
from missingcare.packs.gb_eng import PACK
from missingcare.rules import (
    Duty,
    Edition,
    InvalidPackError,
    Parameter,
    RuleContext,
    RulePack,
    Source,
    evaluate,
    kit,
    rule,
)
from missingcare.rules.kit import (
    Anchor,
    CalendarDeadline,
    DeadlineState,
    DoneKind,
    ElapsedDeadline,
    Located,
    ReMissingPolicy,
    RepeatThreshold,
)
from missingcare.testing import strategies as mst
from missingcare.testing.builders import (
    SEEN,
    absence_plan,
    case_file,
    context_entry,
    conversation,
    episode,
    profile,
    screening,
)
from missingcare.time import Weekdays, local_instant
from missingcare.vocabularies import (
    CONTEXT_CATEGORIES,
    CONVERSATION_OUTCOMES,
    NOTIFICATION_RECIPIENTS,
)

from ._helpers import examples

H = timedelta(hours=1)
BACK = SEEN + 3 * H  # the builders' episode ends, and the child is back, three hours after
HOURS_72 = ElapsedDeadline(timedelta(hours=72))
SRC = Source("LA-ZZ", "A local protocol (synthetic)", "https://example.invalid/p")


def _offer(at: datetime, outcome: str = "accepted") -> ConversationOffer:
    return ConversationOffer(at=at, outcome=CONVERSATION_OUTCOMES[outcome])


def _again(hours_after_back: float, back_after: float = 5) -> tuple[CaseFile, tuple[datetime, ...]]:
    """E1, then E2 last seen ``hours_after_back`` after E1's return, back ``back_after`` later."""
    seen2 = BACK + hours_after_back * H
    back2 = seen2 + back_after * H
    case = case_file(episode("E1"), episode("E2", seen=seen2, ended=back2))
    return case, (BACK, back2)


# --- where things are ----------------------------------------------------------------------------


def test_located_records_know_their_paths_and_the_timeline_is_in_time_order() -> None:
    later, earlier = episode("E2", seen=SEEN + 30 * H), episode("E1")
    case = case_file(later, earlier, context=[context_entry("X1", SEEN)])
    timeline = kit.timeline(case, SEEN + 40 * H)
    assert [(e.index, e.record.id, e.path) for e in timeline] == [
        (1, "E1", "$.episodes[1]"),
        (0, "E2", "$.episodes[0]"),
    ]
    assert timeline[0].path_of("returned_at") == "$.episodes[1].returned_at"
    assert [e.record.id for e in kit.timeline(case, SEEN + H)] == ["E1"]  # E2 not begun yet
    assert kit.entries(case, CONTEXT_CATEGORIES["conflict_with_staff"], SEEN)[0].path == (
        "$.context[0]"
    )
    assert kit.ended_by(timeline[0], SEEN + H) is None
    assert kit.ended_by(timeline[0], BACK) == BACK
    assert kit.in_placement(case, timeline[0], gb_eng._HOMES)


# --- deadlines after an event --------------------------------------------------------------------


def test_an_elapsed_deadline_runs_from_the_return() -> None:
    case = case_file(episode())
    timeline = kit.timeline(case, BACK + H)
    clock = kit.deadline_after(timeline, 0, HOURS_72, now=BACK + H, done=None)
    assert clock.state is DeadlineState.DUE
    assert clock.due == BACK + timedelta(hours=72)
    assert clock.clock_episode == timeline[0]
    assert clock.anchor is Anchor.RETURN


def test_a_working_day_deadline_is_counted_in_the_episode_zone() -> None:
    # Back on Friday 23 October 2026, 15:00 London: day 0; five working days end on Friday 30.
    back = local_instant(2026, 10, 23, 15, zone="Europe/London")
    case = case_file(episode(seen=back - 4 * H, ended=back))
    timeline = kit.timeline(case, back)
    five = CalendarDeadline(5, calendar=Weekdays())
    clock = kit.deadline_after(timeline, 0, five, now=back, done=None)
    assert clock.due == datetime(2026, 10, 31, 0, tzinfo=UTC)  # midnight GMT after the change
    assert kit.deadline_period(five) == "5 working days"
    assert kit.deadline_period(HOURS_72) == timedelta(hours=72)


def test_before_there_is_a_deadline_the_state_says_why() -> None:
    open_case = case_file(episode(ended=None))
    assert _state(open_case, SEEN + H) is DeadlineState.OPEN
    unknown = case_file(episode(returned=None))
    assert _state(unknown, BACK + H) is DeadlineState.UNKNOWN
    not_back = case_file(episode(returned=BACK + 5 * H))
    assert _state(not_back, BACK + H) is DeadlineState.NOT_YET
    assert _state(not_back, BACK + 5 * H) is DeadlineState.DUE


def _state(case: CaseFile, now: datetime) -> DeadlineState:
    return kit.deadline_after(kit.timeline(case, now), 0, HOURS_72, now=now, done=None).state


def test_missing_again_restarts_the_clock_from_the_later_return_or_keeps_its_own() -> None:
    case, (back1, back2) = _again(20)
    now = back2 + H
    timeline = kit.timeline(case, now)
    restart = kit.deadline_after(timeline, 0, HOURS_72, now=now, done=None)
    assert restart.due == back2 + timedelta(hours=72)
    assert restart.clock_episode is not None
    assert restart.clock_episode.record.id == "E2"
    own = kit.deadline_after(
        timeline, 0, HOURS_72, now=now, done=None, policy=ReMissingPolicy.KEEP_OWN_CLOCK
    )
    assert own.due == back1 + timedelta(hours=72)
    assert own.clock_episode == timeline[0]
    # Done before the child went again: the first deadline stands.
    done = kit.deadline_after(timeline, 0, HOURS_72, now=now, done=back1 + H)
    assert done.due == back1 + timedelta(hours=72)
    # Missing again after the first deadline: no restart.
    late_case, (late1, _) = _again(80)
    late_timeline = kit.timeline(late_case, late1 + 100 * H)
    late = kit.deadline_after(late_timeline, 0, HOURS_72, now=late1 + 100 * H, done=None)
    assert late.due == late1 + timedelta(hours=72)


def test_while_the_child_is_missing_again_the_clock_waits() -> None:
    case, (_, back2) = _again(20)
    now = back2 - H  # E2 is still open
    clock = kit.deadline_after(kit.timeline(case, now), 0, HOURS_72, now=now, done=None)
    assert clock.state is DeadlineState.WAITING
    assert clock.due is None
    assert clock.later is not None
    assert clock.later.record.id == "E2"


def test_other_anchors_last_seen_and_the_police_report() -> None:
    report = PoliceReport(reported_at=SEEN + 2 * H, reference="REF1")
    case = case_file(episode(police_report=report))
    now = SEEN + 3 * H
    timeline = kit.timeline(case, now)
    hour = ElapsedDeadline(H)
    seen = kit.deadline_after(timeline, 0, hour, now=now, done=None, anchor=Anchor.LAST_SEEN)
    assert seen.due == SEEN + H
    police = kit.deadline_after(timeline, 0, hour, now=now, done=None, anchor=Anchor.POLICE_REPORT)
    assert police.due == SEEN + 3 * H
    before = kit.deadline_after(
        kit.timeline(case, SEEN + H), 0, hour, now=SEEN + H, done=None, anchor=Anchor.POLICE_REPORT
    )
    assert before.state is DeadlineState.NOT_YET


# --- done evidence -------------------------------------------------------------------------------


def test_conversation_offered_held_and_declined_with_their_paths() -> None:
    offered = conversation(offers=(_offer(BACK + H), _offer(BACK + 2 * H, "not_offered")))
    held = conversation("RC2", held_at=BACK + 5 * H)
    declined = conversation(
        "RC3", decision=Decision.DECLINED, offers=(_offer(BACK + 3 * H, "declined"),)
    )
    case = case_file(episode(), conversations=[offered, held, declined])
    convs = kit.covering(case, "E1")
    now = BACK + 10 * H
    offer = kit.conversation_offered(convs, now)
    assert offer.at == BACK + H
    assert offer.paths == (
        "$.conversations[0].offers[0].at",
        "$.conversations[1].held_at",
        "$.conversations[2].offers[0].at",
    )
    assert kit.conversation_held(convs, now).paths == ("$.conversations[1].held_at",)
    first = kit.first_of(kit.conversation_held(convs, now), kit.conversation_declined(convs, now))
    assert first.first is not None
    assert (first.first.kind, first.at) == (DoneKind.DECLINED, BACK + 3 * H)
    assert kit.conversation_held(convs, BACK).at is None  # not yet known
    assert kit.Done().first is None


def test_context_entries_notifications_and_police_reports_as_evidence() -> None:
    told = Notification(at=SEEN + H, recipient=NOTIFICATION_RECIPIENTS["placing_authority"])
    report = PoliceReport(reported_at=SEEN + 2 * H, reference=None)
    meeting = context_entry("X1", SEEN + 5 * H, "episode_context_reviewed")
    case = case_file(episode(notifications=(told,), police_report=report), context=[meeting])
    (ep,) = kit.timeline(case, BACK)
    assert kit.notified(ep, "placing_authority", BACK).paths == ("$.episodes[0].notifications[0]",)
    assert kit.notified(ep, "placing_authority", BACK, by=SEEN).at is None
    assert kit.notified(ep, "ofsted", BACK).at is None
    police = kit.reported_to_police(ep, BACK)
    assert (police.at, police.paths) == (SEEN + 2 * H, ("$.episodes[0].police_report",))
    assert kit.reported_to_police(ep, SEEN + H).at is None
    reviews = kit.entries(case, gb_eng.CONTEXT_REVIEWED, SEEN + 6 * H)
    assert kit.context_recorded(reviews, since=SEEN).paths == ("$.context[0]",)
    assert kit.context_recorded(reviews, before=SEEN + 5 * H).at is None


# --- repeat thresholds ---------------------------------------------------------------------------


def test_repeat_thresholds_find_each_run_and_its_due() -> None:
    days = (0, 2, 4, 6, 60, 61, 62)
    eps = [Located(i, episode(f"E{i}", seen=SEEN + timedelta(days=d))) for i, d in enumerate(days)]
    runs = RepeatThreshold(3, timedelta(days=30)).runs(eps, ElapsedDeadline(timedelta(days=3)))
    assert [(r.episode.record.id, r.count) for r in runs] == [("E2", 3), ("E6", 3)]
    assert runs[0].due == SEEN + timedelta(days=7)
    assert RepeatThreshold(3, timedelta(days=30)).runs(eps)[0].due is None
    with pytest.raises(ValueError, match="at least 1"):
        RepeatThreshold(0, timedelta(days=1))
    with pytest.raises(ValueError, match="positive"):
        RepeatThreshold(1, timedelta(0))


# --- findings ------------------------------------------------------------------------------------


@rule(
    "back-in-an-hour",
    title="A conversation offered within an hour of the return (synthetic)",
    strength=Strength.LOCAL_PRACTICE,
    severity=Severity.WARNING,
    sources=[SRC],
    messages=kit.deadline_messages(
        met="Episode {episode_id}: offered at {offered_at}, by {due}.",
        met_later_return="Episode {episode_id}: offered at {offered_at}, by {due} "
        "(from episode {clock_episode_id}).",
        pending="Episode {episode_id}: offer by {due}.",
        late="Episode {episode_id}: offered at {offered_at}, after {due}.",
        overdue="Episode {episode_id}: not offered by {due}.",
    ),
)
def back_in_an_hour(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """A local protocol's hour (synthetic)."""
    timeline = kit.timeline(case, ctx.as_of)
    for pos, ep in enumerate(timeline):
        done = kit.conversation_offered(kit.covering(case, ep.record.id), ctx.as_of)
        clock = kit.deadline_after(timeline, pos, ElapsedDeadline(H), now=ctx.as_of, done=done.at)
        yield kit.deadline_finding(
            kit.about(ctx, ep), clock, done, now=ctx.as_of, done_param="offered_at", period=H
        )


LOCAL = RulePack(
    code="ZZ-KIT",
    name="Kit tests",
    zone="Europe/London",
    description="A pack for the kit's tests.",
    editions=[Edition("2020-01", date(2020, 1, 1), add=[back_in_an_hour])],
)


def test_deadline_finding_says_pending_met_late_and_overdue_with_paths() -> None:
    case = case_file(episode())
    pending = evaluate(case, pack=LOCAL, as_of=BACK).findings[0]
    assert (pending.message_id, pending.text) == (
        "zz-kit.back-in-an-hour.pending",
        "Episode E1: offer by 01:00 on Fri 2 October 2026 (BST).",
    )
    assert pending.parameters == {"episode_id": "E1", "due": BACK + H}  # unused ones left out
    assert pending.subject == "$.episodes[0]"
    assert pending.evidence == ("$.episodes[0].returned_at",)
    overdue = evaluate(case, pack=LOCAL, as_of=BACK + 2 * H).findings[0]
    assert overdue.outcome is Outcome.BREACHED
    offered = case_file(episode(), conversations=[conversation(offers=(_offer(BACK + 2 * H),))])
    late = evaluate(offered, pack=LOCAL, as_of=BACK + 3 * H).findings[0]
    assert late.message_id.endswith(".late")
    assert late.evidence == ("$.episodes[0].returned_at", "$.conversations[0].offers[0].at")
    assert late.observed == BACK + 2 * H


def test_a_met_deadline_whose_clock_ran_from_another_return_says_so() -> None:
    case, (_, back2) = _again(0.5)
    cover = conversation("RC1", "E1", "E2", offers=(_offer(back2 + 0.5 * H),))
    case = attrs.evolve(case, conversations=(cover,))
    first, second = evaluate(case, pack=LOCAL, as_of=back2 + 2 * H).findings
    assert first.episode_id == "E1"
    assert first.message_id == "zz-kit.back-in-an-hour.met-later-return"
    assert first.parameters["clock_episode_id"] == "E2"
    assert first.text.endswith("(from episode E2).")
    assert second.message_id == "zz-kit.back-in-an-hour.met"  # its own clock


def test_the_finding_builder_knows_conversations_too() -> None:
    case = case_file(episode(), conversations=[conversation(held_at=BACK + H)])
    (conv,) = kit.held(case, BACK + 2 * H)
    messages = {"met": "Conversation {conversation_id}."}
    r = rule("c", title="c", strength=Strength.GOOD_PRACTICE, severity=Severity.INFO,
             sources=[SRC], messages=messages)(lambda case, ctx: iter(()))  # fmt: skip
    pack = attrs.evolve(LOCAL, editions=[Edition("2020-01", date(2020, 1, 1), add=[r])])
    from missingcare.findings import RuleRef

    ctx = RuleContext(rule=r, ref=RuleRef(pack.code, "2020-01", "c"), as_of=BACK, settings={})
    f = kit.about(ctx, conv)("met", Outcome.MET, evidence=["topics", "$.context", conv])
    assert (f.subject, f.conversation_id, f.episode_id) == ("$.conversations[0]", "RC1", None)
    assert f.evidence == ("$.conversations[0].topics", "$.context", "$.conversations[0]")
    assert f.text == "Conversation RC1."


def test_repeat_findings_and_standard_messages() -> None:
    messages = kit.repeat_messages(done="a meeting was held", todo="hold a meeting")
    assert set(messages) == {"met", "pending", "pending-by", "late", "overdue"}
    assert set(kit.CLOCK_MESSAGES) == {"open", "not-back", "return-unknown", "waiting"}
    assert kit.clock_messages() == kit.CLOCK_MESSAGES
    assert set(kit.clock_messages(Anchor.AGENCY_INFORMED)) == {
        *kit.CLOCK_MESSAGES,
        "event-unknown",
        "event-not-yet",
    }
    eps = [episode(f"E{i}", seen=SEEN + timedelta(days=i)) for i in range(3)]
    case = case_file(*eps)
    local = PACK.configure(repeat_missing_threshold=3, strategy_meeting_within=timedelta(days=1))
    (f,) = evaluate(case, pack=local, as_of=SEEN + timedelta(days=4)).by_rule(
        "repeat-missing-strategy-meeting"
    )
    assert (f.message_id, f.subject, f.due) == (
        "gb-eng.repeat-missing-strategy-meeting.overdue",
        "$.episodes[2]",
        SEEN + timedelta(days=3),
    )


# --- the England pack's re-missing policy and vocabulary -----------------------------------------


def _e1(findings: Iterable[Finding]) -> Finding:
    (f,) = (f for f in findings if f.episode_id == "E1")
    return f


def test_england_restarts_the_clock_by_default_and_can_keep_each_episodes_own() -> None:
    case, (back1, back2) = _again(20)
    held = conversation("RC1", "E1", "E2", held_at=back2 + 60 * H)  # after E1's own 72 hours
    case = attrs.evolve(case, conversations=(held,))
    as_of = back2 + timedelta(days=5)
    f = _e1(evaluate(case, pack=PACK, as_of=as_of).by_rule("return-conversation-72h"))
    assert f.message_id == "gb-eng.return-conversation-72h.met-later-return"
    assert f.text.endswith("due after the return from episode E2).")
    own = PACK.configure(re_missing_policy=ReMissingPolicy.KEEP_OWN_CLOCK)
    f = _e1(evaluate(case, pack=own, as_of=as_of).by_rule("return-conversation-72h"))
    assert (f.message_id, f.due) == (
        "gb-eng.return-conversation-72h.late",
        back1 + timedelta(hours=72),
    )
    policy = PACK.parameter("re_missing_policy")
    assert [s.key for s in policy.sources] == ["DEVON18"]
    with pytest.raises(InvalidPackError, match="re_missing_policy"):
        PACK.configure(re_missing_policy="keep_own_clock")


def test_england_brings_its_own_context_categories() -> None:
    (added,) = PACK.vocabularies
    assert added.name == "context_categories"
    assert added.codes == ("strategy_meeting_held", "plan_review_requested")
    for concept in added.concepts:  # England's own: the core vocabulary no longer has them
        assert concept.code not in CONTEXT_CATEGORIES.codes
        assert concept.system == CONTEXT_CATEGORIES.concepts[0].system
    assert gb_eng.context_categories()["plan_review_requested"] == gb_eng.PLAN_REVIEW_REQUESTED


# --- pack data and derived packs -----------------------------------------------------------------


def test_pack_data_holds_sources_messages_and_parameter_descriptions() -> None:
    data = kit.read_pack_data("missingcare.packs", "gb_eng.toml")
    assert {s.key for s in gb_eng.SOURCES} == set(data.sources)
    (dfe,) = data.cite("DFE14", locator="somewhere")
    assert dfe.locator == "somewhere"
    assert data.cite("REG40", locator="elsewhere")[0].locator == "reg 40(4)(a) and (b)"
    assert "met-later-return" in data.messages["return-conversation-72h"]
    assert data.parameter("repeat_missing_threshold", int, 3).description.startswith("Episodes")


def test_derive_adds_removes_replaces_and_configures_under_its_own_code() -> None:
    local = PACK.derive(
        code="ZZ-LA",
        name="A local authority (synthetic)",
        add=[back_in_an_hour],
        remove=["trusted-adult-recorded", "persistent-absence-review"],
        settings={"repeat_missing_threshold": 2},
    )
    assert (local.code, local.derived_from, local.aliases) == ("ZZ-LA", "GB-ENG", ())
    assert [e.name for e in local.editions] == [e.name for e in PACK.editions]
    assert local.sources == PACK.sources
    assert local.vocabularies == PACK.vocabularies
    codes = {r.code for r in local.rules("2015-04")}
    assert "back-in-an-hour" in codes
    assert {"trusted-adult-recorded", "persistent-absence-review"}.isdisjoint(codes)
    assert "back-in-an-hour" in {r.code for r in local.rules("2014-01")}
    assert local.effective_settings["repeat_missing_threshold"] == 2
    assert PACK.effective_settings["repeat_missing_threshold"] == 3
    ev = evaluate(case_file(episode()), pack=local, as_of=BACK)
    assert ev.pack == "ZZ-LA"
    assert {f.message_id.split(".")[0] for f in ev} == {"zz-la"}
    # Replace a rule: remove its code and add the new rule under it.
    replacement = attrs.evolve(back_in_an_hour, code="police-report")
    replaced = PACK.derive(code="ZZ-LB", name="B", remove=["police-report"], add=[replacement])
    assert replaced.rule("police-report") is replacement


def test_derive_refuses_what_it_cannot_do() -> None:
    with pytest.raises(InvalidPackError, match="no rule 'nope'"):
        PACK.derive(code="ZZ-LA", name="A", remove=["nope"])
    with pytest.raises(InvalidPackError, match="twice"):
        PACK.derive(code="ZZ-LA", name="A", add=[gb_eng.police_report])
    with pytest.raises(InvalidPackError, match="no parameter"):
        PACK.derive(code="ZZ-LA", name="A", settings={"nope": 1})


# --- the bottom layer: missingcare.typing -----------------------------------------------------


def test_typing_imports_nothing_of_the_package_at_run_time() -> None:
    import ast
    from pathlib import Path

    import missingcare.typing as mtyping

    tree = ast.parse(Path(mtyping.__file__).read_text(encoding="utf-8"))
    guarded = {
        id(node)
        for stmt in tree.body
        if isinstance(stmt, ast.If) and ast.unparse(stmt.test) == "TYPE_CHECKING"
        for node in ast.walk(stmt)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("missingcare"):
            assert id(node) in guarded, node.module
        if isinstance(node, ast.Import):
            assert not any(a.name.startswith("missingcare") for a in node.names)


def test_the_protocols_keep_their_old_import_paths() -> None:
    import missingcare.time as mtime
    import missingcare.typing as mtyping
    from missingcare import exceptions, rules

    assert mtime.Clock is mtyping.Clock
    assert mtime.Deadline is mtyping.Deadline
    assert mtime.WorkingDayCalendar is mtyping.WorkingDayCalendar
    assert rules.RuleCheck is mtyping.RuleCheck
    assert rules.PackError is exceptions.PackError
    assert rules.UnknownJurisdictionError is exceptions.UnknownJurisdictionError
    assert isinstance(HOURS_72, mtyping.Deadline)
    assert isinstance(Weekdays(), mtyping.WorkingDayCalendar)


def test_held_or_declined_is_first_of_held_and_declined() -> None:
    declined = conversation(
        "RC1", decision=Decision.DECLINED, offers=(_offer(BACK + 3 * H, "declined"),)
    )
    held = conversation("RC2", held_at=BACK + 3 * H)
    case = case_file(episode(), conversations=[declined, held])
    convs, now = kit.covering(case, "E1"), BACK + 5 * H
    both = kit.conversation_held_or_declined(convs, now)
    apart = kit.first_of(kit.conversation_held(convs, now), kit.conversation_declined(convs, now))
    assert both.events == apart.events
    assert both.first is not None
    assert both.first.kind is DoneKind.HELD  # held wins a tie


# --- anchors beyond the return; what was agreed beforehand; screenings ---------------------------


def _informed_rule(hours: int) -> RulePack:
    @rule(
        "ncmec-24h",
        title="Told within a day",
        strength=Strength.REGULATION,
        severity=Severity.SERIOUS,
        sources=[SRC],
        messages=kit.deadline_messages(
            met="{episode_id} told at {told_at}, by {due}.",
            pending="{episode_id}: tell by {due}.",
            late="{episode_id} told at {told_at}, after {due}.",
            overdue="{episode_id}: not told by {due}.",
            anchor=Anchor.AGENCY_INFORMED,
        ),
    )
    def told(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
        "Told within the period after the agency learned."
        yield from kit.deadline_findings(
            ctx,
            case,
            ElapsedDeadline(timedelta(hours=hours)),
            lambda case, ep, now: kit.notified(ep, "ncmec", now),
            done_param="told_at",
            anchor=Anchor.AGENCY_INFORMED,
            policy=ReMissingPolicy.KEEP_OWN_CLOCK,
        )

    return RulePack(
        code="ZZ-US",
        name="Synthetic",
        zone="America/Chicago",
        description="Synthetic.",
        editions=[Edition("1", effective_from=date(2014, 1, 1), add=[told])],
    )


@pytest.mark.parametrize(
    ("told_after", "now_after", "expected"),
    [
        (timedelta(hours=23, minutes=59), 30 * H, Outcome.MET),
        (timedelta(hours=24, minutes=1), 30 * H, Outcome.BREACHED),
        (None, 25 * H, Outcome.BREACHED),
        (None, 23 * H, Outcome.PENDING),
    ],
)
def test_a_deadline_runs_from_when_the_agency_learned(
    told_after: timedelta | None, now_after: timedelta, expected: Outcome
) -> None:
    learned = SEEN + 2 * H
    notes = (
        ()
        if told_after is None
        else (Notification(NOTIFICATION_RECIPIENTS["ncmec"], learned + told_after),)
    )
    ep = episode("E1", ended=None, agency_informed_at=learned, notifications=notes)
    (f,) = evaluate(case_file(ep), pack=_informed_rule(24), as_of=learned + now_after).findings
    assert f.outcome is expected
    assert f.evidence[0] == "$.episodes[0].agency_informed_at"
    if expected is not Outcome.PENDING:
        assert f.due == learned + 24 * H


def test_an_unrecorded_knowledge_time_is_insufficient_data_never_met() -> None:
    told = (Notification(NOTIFICATION_RECIPIENTS["ncmec"], SEEN + H),)
    ep = episode("E1", notifications=told)  # agency_informed_at not recorded
    (f,) = evaluate(case_file(ep), pack=_informed_rule(24), as_of=SEEN + 48 * H).findings
    assert f.outcome is Outcome.INSUFFICIENT_DATA
    assert f.message_id == "zz-us.ncmec-24h.event-unknown"
    assert "the agency learned the child was missing" in f.text
    assert f.evidence == ("$.episodes[0].agency_informed_at",)


def test_a_knowledge_time_after_now_is_not_yet_known() -> None:
    ep = episode("E1", ended=None, agency_informed_at=SEEN + 5 * H)
    (f,) = evaluate(case_file(ep), pack=_informed_rule(24), as_of=SEEN + H).findings
    assert (f.outcome, f.message_id) == (Outcome.NOT_APPLICABLE, "zz-us.ncmec-24h.event-not-yet")


def test_the_ended_anchor_waits_for_the_end() -> None:
    clock = kit.deadline_after(
        kit.timeline(case_file(episode("E1", ended=None)), SEEN + H),
        0,
        HOURS_72,
        now=SEEN + H,
        done=None,
        anchor=Anchor.ENDED,
    )
    assert clock.state is DeadlineState.OPEN
    case = case_file(episode("E1"))
    clock = kit.deadline_after(
        kit.timeline(case, BACK + H), 0, HOURS_72, now=BACK + H, done=None, anchor=Anchor.ENDED
    )
    assert (clock.state, clock.due) == (DeadlineState.DUE, BACK + 72 * H)


def test_plans_and_profiles_in_force_as_recorded_by_now() -> None:
    old = absence_plan("AP1", agreed_at=SEEN - 90 * 24 * H, ended_at=SEEN - 30 * 24 * H)
    current = absence_plan("AP2", agreed_at=SEEN - 30 * 24 * H, report_after=timedelta(minutes=15))
    later = absence_plan("AP3", agreed_at=SEEN + H)
    case = case_file(episode("E1"), absence_plans=(old, current, later))
    found = kit.plan_in_force(case, SEEN, SEEN + 10 * H)
    assert found is not None
    assert (found.path, found.record.report_after) == ("$.absence_plans[1]", timedelta(minutes=15))
    assert kit.plan_in_force(case, SEEN - 100 * 24 * H, SEEN) is None
    p = profile("MP1", completed_at=SEEN - 10 * 24 * H, reviewed_at=SEEN + H)
    case = case_file(episode("E1"), profiles=(p,))
    at = kit.profile_in_force(case, SEEN, SEEN)
    assert at is not None
    assert at.path == "$.profiles[0]"
    assert at.record.brought_up_to_date(SEEN) == SEEN - 10 * 24 * H  # the review came later
    assert kit.profile_in_force(case, SEEN, SEEN - 11 * 24 * H) is None  # not yet recorded


def test_screened_reads_screenings_and_held_conversations() -> None:
    from missingcare.conversations import ExploitationCategory, ExploitationScreening

    s = screening("S1", BACK + 5 * H, "E1", categories=[ExploitationCategory.SEXUAL])
    case = case_file(episode("E1"), screenings=(s,))
    assert kit.screened(case, "E1", BACK + 6 * H).at == BACK + 5 * H
    assert kit.screened(case, "E1", BACK + 4 * H).at is None  # not yet done
    trafficking = ExploitationCategory.TRAFFICKING
    assert kit.screened(case, "E1", BACK + 6 * H, category=trafficking).at is None
    conv = conversation(
        "RC1",
        held_at=BACK + 2 * H,
        screening=ExploitationScreening(categories=(trafficking,)),
    )
    case = case_file(episode("E1"), conversations=(conv,), screenings=(s,))
    done = kit.screened(case, "E1", BACK + 6 * H, category=trafficking)
    assert (done.at, done.paths) == (BACK + 2 * H, ("$.conversations[0].screening",))
    assert done.first is not None
    assert done.first.kind is DoneKind.SCREENED


def _debrief_pack() -> RulePack:
    """A rule whose timescale the sources leave to local practice: a parameter, no default."""

    @rule(
        "debrief-held",
        title="The debrief is held within the local timescale",
        strength=Strength.STATUTORY_GUIDANCE,
        severity=Severity.WARNING,
        sources=[SRC],
        parameters=["debrief_within"],
        duty=Duty.CONVERSATION_HELD,
        messages={
            **kit.NOT_CONFIGURED_MESSAGES,
            **kit.deadline_messages(
                met="{episode_id}: held at {held_at}, by {due}.",
                pending="{episode_id}: hold by {due}.",
                late="{episode_id}: held at {held_at}, after {due}.",
                overdue="{episode_id}: not held by {due}.",
            ),
        },
    )
    def debrief(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
        "Held within the local timescale."
        within = ctx.param("debrief_within")
        if within is None:
            yield from kit.not_configured_findings(ctx, case, "debrief_within")
            return
        yield from kit.deadline_findings(
            ctx,
            case,
            ElapsedDeadline(within),
            lambda case, ep, now: kit.conversation_held(kit.covering(case, ep.record.id), now),
            done_param="held_at",
        )

    return RulePack(
        code="ZZ-WL",
        name="Synthetic",
        zone="Europe/London",
        description="Synthetic.",
        parameters=[
            Parameter("debrief_within", timedelta, None, "Local timescale.", optional=True)
        ],
        editions=[Edition("1", effective_from=date(2014, 1, 1), add=[debrief])],
    )


def test_a_timescale_the_sources_do_not_give_is_insufficient_data_until_configured() -> None:
    pack = _debrief_pack()
    assert pack.rule("debrief-held").duty is Duty.CONVERSATION_HELD
    case = case_file(
        episode("E1"),
        episode("E2", seen=BACK + 100 * H, ended=None),
        conversations=[conversation("RC1", "E1", held_at=BACK + 50 * H)],
    )
    findings = evaluate(case, pack=pack, as_of=BACK + 101 * H).findings
    assert [(f.episode_id, f.outcome, f.message_id) for f in findings] == [
        ("E1", Outcome.INSUFFICIENT_DATA, "zz-wl.debrief-held.not-configured")
    ]  # E2 is still open: nothing would be due yet
    assert "(the setting 'debrief within')" in findings[0].text
    local = pack.configure(debrief_within=timedelta(hours=72))
    (f1, f2) = evaluate(case, pack=local, as_of=BACK + 101 * H).findings
    assert (f1.outcome, f1.due) == (Outcome.MET, BACK + 72 * H)
    assert f2.outcome is Outcome.NOT_APPLICABLE


@settings(max_examples=examples(200), deadline=None)
@given(case=mst.case_files(max_episodes=8), hours=st.integers(0, 24 * 40))
def test_a_whole_timeline_of_clocks_equals_each_clock_alone(case: CaseFile, hours: int) -> None:
    """The timeline's clocks are shared walk by walk (linear time): the same as one by one."""
    from missingcare.rules.kit import _deadline_after

    start = min((e.last_seen_at for e in case.episodes), default=SEEN)
    now = start + timedelta(hours=hours)
    episodes = kit.timeline(case, now)
    for deadline in (HOURS_72, ElapsedDeadline(timedelta(hours=6))):
        memo: dict[int, kit.DeadlineClock] = {}
        for pos in range(len(episodes)):
            alone = kit.deadline_after(episodes, pos, deadline, now=now, done=None)
            shared = _deadline_after(
                episodes, pos, deadline, now, None, Anchor.RETURN,
                ReMissingPolicy.RESTART_FROM_LATER_RETURN, memo,
            )  # fmt: skip
            assert shared == alone


def test_covering_is_indexed_once_per_case_file_and_follows_the_case() -> None:
    one = case_file(episode("E1"), conversations=[conversation("RC1", "E1")])
    two = case_file(episode("E1"), conversations=[conversation("RC9", "E1")])
    assert [c.record.id for c in kit.covering(one, "E1")] == ["RC1"]
    assert [c.record.id for c in kit.covering(two, "E1")] == ["RC9"]
    assert [c.record.id for c in kit.covering(one, "E1")] == ["RC1"]
    assert kit.covering(one, "E2") == ()


def _counted_runs(
    episodes: list[Located[Any]], threshold: RepeatThreshold
) -> list[tuple[str, int]]:
    """The runs by counting, for every episode, the episodes in the window before it."""
    out, previous = [], False
    for pos, ep in enumerate(episodes):
        seen = ep.record.last_seen_at
        n = sum(1 for o in episodes[: pos + 1] if seen - o.record.last_seen_at < threshold.window)
        if n >= threshold.count and not previous:
            out.append((ep.record.id, n))
        previous = n >= threshold.count
    return out


def test_repeat_runs_count_the_window_in_one_pass_and_agree_with_counting() -> None:
    seen = [SEEN + timedelta(days=d) for d in (0, 1, 2, 10, 40, 41, 42, 70)]
    eps = [episode(f"E{i}", seen=t, ended=t + H) for i, t in enumerate(seen)]
    timeline_ = list(kit.timeline(case_file(*eps), seen[-1] + H))
    threshold = RepeatThreshold(3, timedelta(days=30))
    runs = [(r.episode.record.id, r.count) for r in threshold.runs(timeline_)]
    assert runs == [("E2", 3), ("E6", 3)] == _counted_runs(timeline_, threshold)
    shuffled = list(reversed(timeline_))  # not in time order: counted the long way, same rule
    runs = [(r.episode.record.id, r.count) for r in threshold.runs(shuffled)]
    assert runs == _counted_runs(shuffled, threshold)
