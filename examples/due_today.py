"""A vendor's "due today" task list: what is due or overdue for the children of one home.

Each child's case file is evaluated against the England pack as of 09:00 on
the home's morning (an injected instant: missingcare never reads the system
clock), and the outstanding items due before the end of the home's local day
are listed in due order, overdue first. A local authority's own threshold is
supplied as configuration, not code.

Run: python examples/due_today.py   (all data here is synthetic)
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import missingcare as mc
from missingcare.findings import Finding, Outcome
from missingcare.rules import evaluate, get_pack
from missingcare.time import format_instant, local_datetime, start_of_local_day
from missingcare.vocabularies import (
    CONVERSATION_OUTCOMES,
    EPISODE_STATUSES,
    NOTIFICATION_RECIPIENTS,
    RELATIONSHIP_ROLES,
)

ZONE = "Europe/London"
TODAY = date(2026, 10, 27)
HOME = mc.Placement("home-3", mc.PlacementKind.CHILDRENS_HOME, ZONE, placing_authority="LA-07")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return mc.local_instant(2026, 10, day, hour, minute, zone=ZONE)


def episode(child: str, eid: str, seen: datetime, back: datetime) -> mc.MissingEpisode:
    return mc.MissingEpisode(
        id=eid,
        child_id=child,
        placement_id=HOME.id,
        zone=ZONE,
        last_seen_at=seen,
        statuses=(mc.StatusChange(seen, EPISODE_STATUSES["missing"]),),
        police_report=mc.PoliceReport(seen + timedelta(minutes=40), reference=f"SYN-{eid}"),
        notifications=(
            mc.Notification(
                NOTIFICATION_RECIPIENTS["placing_authority"], seen + timedelta(hours=1)
            ),
        ),
        ended_at=back - timedelta(minutes=30),
        returned_at=back,
    )


def key_worker(child: str) -> mc.TrustedAdult:
    return mc.TrustedAdult(
        id=f"ta-{child}",
        child_id=child,
        adult_id="adult-kw-1",
        role=RELATIONSHIP_ROLES["key_worker"],
        named_at=at(1, 12),
    )


def case_files() -> list[mc.CaseFile]:
    # Child A came back at 22:00 on Saturday 24 October (BST): due 21:00Z Tuesday, after the
    # clocks went back — still today, nothing arranged yet.
    a = mc.CaseFile(
        child=mc.ChildRef("child-a"),
        placements=(HOME,),
        episodes=(episode("child-a", "ep-a1", at(24, 16), at(24, 22)),),
        trusted_adults=(key_worker("child-a"),),
    )
    # Child B came back on Thursday night and the conversation was never held: overdue. It was
    # B's second episode this month, and the local protocol wants a strategy meeting.
    held = mc.ReturnConversation(
        id="rc-b0",
        child_id="child-b",
        episode_ids=("ep-b0",),
        offers=(mc.ConversationOffer(at(11, 9), CONVERSATION_OUTCOMES["accepted"]),),
        held_at=at(11, 16),
        interviewer=mc.Interviewer(
            role=RELATIONSHIP_ROLES["independent_return_interviewer"], independent_of_home=True
        ),
        topics=tuple(mc.ConversationTopic),
    )
    b = mc.CaseFile(
        child=mc.ChildRef("child-b"),
        placements=(HOME,),
        episodes=(
            episode("child-b", "ep-b0", at(10, 18), at(10, 23)),
            episode("child-b", "ep-b1", at(22, 19), at(23, 2)),
        ),
        conversations=(held,),
        trusted_adults=(key_worker("child-b"),),
    )
    # Child C came back yesterday and the conversation is already offered: due on Thursday.
    offer = mc.ConversationOffer(at(26, 10), CONVERSATION_OUTCOMES["accepted"])
    c = mc.CaseFile(
        child=mc.ChildRef("child-c"),
        placements=(HOME,),
        episodes=(episode("child-c", "ep-c1", at(25, 20), at(26, 7)),),
        conversations=(
            mc.ReturnConversation(
                id="rc-c1", child_id="child-c", episode_ids=("ep-c1",), offers=(offer,)
            ),
        ),
        trusted_adults=(key_worker("child-c"),),
    )
    return [a, b, c]


def due_today(cases: list[mc.CaseFile], as_of: datetime) -> list[tuple[str, Finding]]:
    """Outstanding items due before the end of the home's local day, overdue first."""
    # The local authority's protocol: a strategy meeting within 5 days of a second episode in
    # 30 days. Configuration, not code: a derived pack.
    pack = get_pack("GB-ENG").configure(
        repeat_missing_threshold=2, strategy_meeting_within=timedelta(days=5)
    )
    end_of_day = start_of_local_day(TODAY + timedelta(days=1), ZONE)
    items = [
        (case.child.id, finding)
        for case in cases
        for finding in evaluate(case, pack=pack, as_of=as_of).due_before(end_of_day)
    ]
    return sorted(items, key=lambda item: (item[1].sort_key, item[0]))


def main() -> None:
    as_of = at(27, 9)
    tasks = due_today(case_files(), as_of)
    print(f"Due or overdue by the end of {TODAY.isoformat()} (as of {format_instant(as_of)}):")
    for child, f in tasks:
        assert f.due is not None
        when = local_datetime(f.due, ZONE).strftime("%a %H:%M")
        flag = "OVERDUE" if f.outcome is Outcome.BREACHED else "due"
        print(f"  {flag:<7} {when}  {child:<8} {f.rule.code:<28} {f.text}")

    # The list asserts what a home manager would expect to see.
    listed = [(child, f.rule.code, f.outcome) for child, f in tasks]
    assert listed == [
        ("child-b", "return-conversation-72h", Outcome.BREACHED),
        ("child-b", "return-conversation-offered", Outcome.BREACHED),
        ("child-b", "repeat-missing-strategy-meeting", Outcome.PENDING),
        ("child-a", "return-conversation-72h", Outcome.PENDING),
        ("child-a", "return-conversation-offered", Outcome.PENDING),
    ], listed
    child_a_due = tasks[3][1].due
    assert child_a_due == datetime.fromisoformat("2026-10-27T21:00:00+00:00")
    assert all(
        f.due is not None and f.due < start_of_local_day(date(2026, 10, 28), ZONE) for _, f in tasks
    )
    assert [f.due for _, f in tasks] == sorted(f.due for _, f in tasks if f.due is not None)
    # Child C's conversation is offered and due on Thursday: not on today's list.
    assert all(child != "child-c" for child, _ in tasks)
    print(f"{len(tasks)} items; child-c is on track.")


if __name__ == "__main__":
    main()
