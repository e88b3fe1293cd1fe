"""Realistic synthetic situations, each with the insight it should raise and the evidence cited.

Every child, adult, note and quotation is invented. Each scenario builds the
smallest case file that tells its story, then asserts the kind of insight,
its exact evidence paths and the key parameters of its prompt.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from missingcare import ContactKind, Decision, EvidenceSource, Interviewer
from missingcare.analysis import (
    InsightKind,
    LensConfig,
    before_window,
    child_history,
    formulate,
    home_summary,
    response_on_return,
    trusted_adult_picture,
)
from missingcare.analysis.insights import Insight
from missingcare.conversations import AgreedAction
from missingcare.vocabularies import RELATIONSHIP_ROLES

from .test_analysis_builders import (
    CHILD,
    at,
    case,
    contact,
    conversation,
    entry,
    episode,
    ev,
    factor,
    need,
    response,
    trusted,
)

K = InsightKind


def only(insights: tuple[Insight, ...], kind: InsightKind) -> Insight:
    found = [i for i in insights if i.kind is kind]
    assert len(found) == 1, [i.kind for i in insights]
    return found[0]


def kinds(insights: tuple[Insight, ...]) -> set[InsightKind]:
    return {i.kind for i in insights}


# 1 -------------------------------------------------------------------------------------------
def test_row_over_confiscated_phone_left_unresolved() -> None:
    """A row with staff over a confiscated phone at 19:00; nobody repaired it; gone at 22:30."""
    seen = at(3, 3, 22, 30)
    c = case(
        episodes=[episode("E-1", seen)],
        context=[
            entry("log-row", at(3, 3, 19), "conflict_with_staff", note="row: phone confiscated"),
            entry("log-tea", at(3, 3, 17), "positive_activity", note="cooked tea together"),
        ],
    )
    bw = before_window(c, "E-1")
    insight = only(bw.insights, K.UNRESOLVED_CONFLICT)
    assert insight.evidence_paths == (ev("context", "log-row"),)
    assert insight.param("latest") == "19:00 on Tue 3 March 2026 (GMT)"
    assert insight.param("gap") == "3 hours 30 minutes"
    assert insight.episode_id == "E-1"
    assert insight.child_id == CHILD
    assert insight.prompt.endswith("?")
    assert [c.category.code for c in bw.by_category] == ["conflict_with_staff", "positive_activity"]


# 2 -------------------------------------------------------------------------------------------
def test_row_repaired_before_leaving_raises_nothing_but_repair_afterwards_does() -> None:
    seen = at(3, 3, 22, 30)
    row = entry("log-row", at(3, 3, 19), "conflict_with_staff")
    repaired = case(
        episodes=[episode("E-1", seen)],
        context=[row, entry("log-fix", at(3, 3, 20), "conflict_resolved", resolves=["log-row"])],
    )
    assert K.UNRESOLVED_CONFLICT not in kinds(before_window(repaired, "E-1").insights)
    late_repair = case(
        episodes=[episode("E-1", seen)],
        context=[row, entry("log-fix", at(3, 4, 9), "conflict_resolved", resolves=["log-row"])],
    )
    insight = only(before_window(late_repair, "E-1").insights, K.UNRESOLVED_CONFLICT)
    assert insight.evidence_paths == (ev("context", "log-row"),)


# 3 -------------------------------------------------------------------------------------------
def test_contact_with_mum_cancelled_that_afternoon() -> None:
    seen = at(3, 10, 21)
    c = case(
        episodes=[episode("E-1", seen)],
        context=[entry("log-contact", at(3, 10, 14), "contact_cancelled", note="mum cancelled")],
    )
    insight = only(before_window(c, "E-1").insights, K.CONTACT_DISRUPTED)
    assert insight.evidence_paths == (ev("context", "log-contact"),)
    assert insight.param("what") == "family contact cancelled"
    assert insight.param("window") == "72 hours"


# 4 -------------------------------------------------------------------------------------------
def test_key_worker_left_two_weeks_earlier() -> None:
    seen = at(3, 20, 23)
    left = at(3, 6, 17)
    c = case(
        episodes=[episode("E-1", seen)],
        trusted_adults=[trusted("TA-kw", "A-101", at(1, 10), ended=left)],
        context=[entry("log-left", left, "key_worker_left", adults=["A-101"])],
    )
    insight = only(before_window(c, "E-1").insights, K.TRUSTED_ADULT_LOST)
    assert insight.evidence_paths == tuple(
        sorted([ev("context", "log-left"), ev("trusted_adults", "TA-kw")])
    )
    assert insight.param("gap") == "14 days"
    assert insight.param("what") == "trusted adult (key worker)"
    picture = trusted_adult_picture(c, at(3, 21))
    gone = only(picture.insights, K.TRUSTED_ADULT_GONE)
    assert gone.evidence_paths == (ev("trusted_adults", "TA-kw", ".ended_at"),)
    assert K.NO_TRUSTED_ADULT in kinds(picture.insights)


# 5 -------------------------------------------------------------------------------------------
def test_older_boyfriend_in_three_entries_never_named_as_pull() -> None:
    seen = at(3, 25, 20)
    notes = [
        ("log-b1", at(3, 4, 16), "talks about boyfriend, 19, met online"),
        ("log-b2", at(3, 14, 18), "picked up by 'boyfriend' near school"),
        ("log-b3", at(3, 24, 21), "boyfriend's name on new phone"),
    ]
    context = [entry(i, t, "older_peers", note=n) for i, t, n in notes]
    c = case(episodes=[episode("E-1", seen)], context=context)
    insight = only(before_window(c, "E-1").insights, K.UNNAMED_PULL_SIGNAL)
    assert insight.evidence_paths == tuple(ev("context", i) for i, _, _ in notes)
    assert insight.param("count") == 3
    assert insight.param("what") == "older peers"
    named = case(
        episodes=[episode("E-1", seen)],
        context=context,
        factors=[factor("F-older", "older_partner", at(3, 15), pull=True)],
    )
    assert K.UNNAMED_PULL_SIGNAL not in kinds(before_window(named, "E-1").insights)


# 6 -------------------------------------------------------------------------------------------
def test_grounding_and_phone_removal_on_return_without_safeguarding_reason() -> None:
    seen = at(3, 7, 22)
    back = seen + timedelta(hours=9)
    c = case(
        episodes=[episode("E-1", seen, back_after=timedelta(hours=9))],
        conversations=[
            conversation(
                "RC-1",
                ["E-1"],
                held=back + timedelta(hours=30),
                words="I just needed to get out",
                responses=[
                    response("welcomed_back", back),
                    response("grounding", back + timedelta(hours=1)),
                    response("phone_removed", back + timedelta(hours=1)),
                    response("increased_supervision", back + timedelta(hours=2), safeguarding=True),
                ],
            )
        ],
    )
    insight = only(response_on_return(c, "E-1"), K.RESTRICTION_WITHOUT_SAFEGUARDING_REASON)
    assert insight.evidence_paths == (
        ev("conversations", "RC-1", ".responses_on_return[1]"),
        ev("conversations", "RC-1", ".responses_on_return[2]"),
    )
    assert insight.param("what") == "grounding, phone removed"


# 7 -------------------------------------------------------------------------------------------
def test_child_says_nobody_here_listens() -> None:
    seen = at(3, 12, 19)
    words = "nobody here listens. I told them and they just wrote it down."
    held = seen + timedelta(hours=40)
    episodes = [episode("E-1", seen)]
    conversations = [conversation("RC-1", ["E-1"], held=held, words=words)]
    c = case(episodes=episodes, conversations=conversations)
    insight = only(response_on_return(c, "E-1"), K.CHILD_WORDS_NOT_REFLECTED)
    assert insight.evidence_paths == (ev("conversations", "RC-1", ".child_account"),)
    f = formulate(c, "E-1")
    assert f.child_words[0].text == words  # verbatim
    assert any(words in s for s in f.sentences)

    noted = held + timedelta(hours=1)
    heard = case(
        episodes=episodes,
        conversations=conversations,
        needs=[need("N-heard", "being_heard", noted, episodes=["E-1"])],
        factors=[
            factor(
                "F-listen",
                "not_listened_to",
                noted,
                episodes=["E-1"],
                source=EvidenceSource.CHILD_OWN_WORDS,
            )
        ],
    )
    assert K.CHILD_WORDS_NOT_REFLECTED not in kinds(response_on_return(heard, "E-1"))
    text = formulate(heard, "E-1").text
    assert "may be saying something about being heard" in text
    assert "not listened to (child own words)" in text


# 8 -------------------------------------------------------------------------------------------
def test_trusted_adult_on_shift_phoned_and_child_back_within_two_hours() -> None:
    seen = at(3, 15, 20)
    call = seen + timedelta(minutes=40)
    c = case(
        episodes=[episode("E-1", seen, back_after=timedelta(hours=1, minutes=55))],
        trusted_adults=[
            trusted(
                "TA-jo",
                "A-201",
                at(1, 5),
                contacts=[
                    contact(at(3, 14, 16)),
                    contact(call, episode_id="E-1", kind=ContactKind.PHONE, by_child=True),
                ],
            )
        ],
    )
    bw = before_window(c, "E-1")
    assert K.TRUSTED_ADULT_UNAVAILABLE not in kinds(bw.insights)
    assert K.TRUSTED_ADULT_LOST not in kinds(bw.insights)
    f = formulate(c, "E-1")
    reached = only(f.insights, K.TRUSTED_ADULT_REACHED)
    assert reached.evidence_paths == (
        ev("episodes", "E-1", ".ended_at"),
        ev("trusted_adults", "TA-jo", ".contacts[1]"),
    )
    assert reached.param("gap") == "1 hour 15 minutes"
    picture = trusted_adult_picture(c, at(3, 16))
    (standing,) = picture.adults
    assert standing.present
    assert standing.reached_during == ("E-1",)
    assert standing.came_back_after == ("E-1",)
    assert standing.contacts_recent == 2
    assert picture.has_trusted_adult
    assert K.NO_TRUSTED_ADULT not in kinds(picture.insights)


# 9 -------------------------------------------------------------------------------------------
def test_conversation_that_records_none_of_the_childs_words() -> None:
    seen = at(3, 2, 21)
    c = case(
        episodes=[episode("E-1", seen)],
        conversations=[conversation("RC-1", ["E-1"], held=seen + timedelta(hours=30))],
    )
    insight = only(response_on_return(c, "E-1"), K.NO_CHILD_WORDS)
    assert insight.evidence_paths == (ev("conversations", "RC-1", ".child_account"),)
    assert insight.param("latest") == "03:00 on Wed 4 March 2026 (GMT)"


# 10 ------------------------------------------------------------------------------------------
def test_stranger_held_the_conversation_while_child_names_a_trusted_adult() -> None:
    seen = at(3, 2, 21)
    held = seen + timedelta(hours=30)
    ta = trusted("TA-sam", "A-301", at(1, 5), role="residential_care_worker")
    c = case(
        episodes=[episode("E-1", seen)],
        trusted_adults=[ta],
        conversations=[conversation("RC-1", ["E-1"], held=held, words="fine", requested=["A-301"])],
    )
    insight = only(response_on_return(c, "E-1"), K.STRANGER_NOT_CHOSEN)
    assert insight.evidence_paths == (
        ev("conversations", "RC-1", ".interviewer"),
        ev("conversations", "RC-1", ".requested_adult_ids"),
        ev("trusted_adults", "TA-sam"),
    )
    not_asked = case(
        episodes=[episode("E-1", seen)],
        trusted_adults=[ta],
        conversations=[conversation("RC-1", ["E-1"], held=held, words="fine")],
    )
    assert K.STRANGER_NOT_CHOSEN not in kinds(response_on_return(not_asked, "E-1"))
    chosen = Interviewer(
        role=RELATIONSHIP_ROLES["residential_care_worker"],
        independent_of_home=False,
        chosen_by_child=True,
        adult_id="A-301",
    )
    ok = case(
        episodes=[episode("E-1", seen)],
        trusted_adults=[ta],
        conversations=[
            conversation(
                "RC-1", ["E-1"], held=held, words="fine", interviewer=chosen, requested=["A-301"]
            )
        ],
    )
    assert K.STRANGER_NOT_CHOSEN not in kinds(response_on_return(ok, "E-1"))


# 11 ------------------------------------------------------------------------------------------
def test_delay_left_account_unheard_and_child_went_again() -> None:
    seen = at(3, 2, 21)
    back = seen + timedelta(hours=5)
    c = case(
        episodes=[
            episode("E-1", seen),
            episode("E-2", back + timedelta(hours=50), back_after=timedelta(hours=3)),
        ],
        conversations=[
            conversation("RC-1", ["E-1", "E-2"], held=back + timedelta(days=5), words="ok")
        ],
    )
    insight = only(response_on_return(c, "E-1"), K.ACCOUNT_UNHEARD)
    assert insight.evidence_paths == (
        ev("conversations", "RC-1", ".held_at"),
        ev("episodes", "E-1", ".returned_at"),
        ev("episodes", "E-2", ".last_seen_at"),
    )
    assert insight.param("what") == (
        "first held 5 days after return; the child went missing again 50 hours after return"
    )


def test_unheld_conversation_is_late_only_against_an_injected_now() -> None:
    seen = at(3, 2, 21)
    c = case(episodes=[episode("E-1", seen)], conversations=[conversation("RC-1", ["E-1"])])
    assert K.ACCOUNT_UNHEARD not in kinds(response_on_return(c, "E-1"))
    late = response_on_return(c, "E-1", as_of=seen + timedelta(days=4))
    assert only(late, K.ACCOUNT_UNHEARD).evidence_paths == (
        ev("conversations", "RC-1"),
        ev("episodes", "E-1", ".returned_at"),
    )
    declined = case(
        episodes=[episode("E-1", seen)],
        conversations=[conversation("RC-1", ["E-1"], decision=Decision.DECLINED)],
    )
    assert not response_on_return(declined, "E-1", as_of=seen + timedelta(days=4))


# 12 ------------------------------------------------------------------------------------------
def test_pocket_money_stopped_the_day_before() -> None:
    seen = at(3, 9, 16)
    c = case(
        episodes=[episode("E-1", seen)],
        context=[
            entry("log-s1", at(3, 8, 10), "sanction_imposed", note="pocket money stopped"),
            entry("log-old", at(3, 1, 10), "sanction_imposed", note="outside the window"),
        ],
    )
    insight = only(before_window(c, "E-1").insights, K.SANCTION_BEFORE)
    assert insight.evidence_paths == (ev("context", "log-s1"),)
    assert insight.param("count") == 1


# 13 ------------------------------------------------------------------------------------------
def test_belonging_escalating_against_the_childs_own_baseline() -> None:
    seen = at(3, 20, 22)
    window = [
        entry("log-w1", at(3, 18, 10), "child_upset", needs=["belonging"]),
        entry("log-w2", at(3, 19, 15), "family_news", needs=["belonging"]),
        entry("log-w3", at(3, 20, 18), "child_upset", needs=["belonging"]),
    ]
    baseline = [entry("log-b1", at(2, 1, 10), "child_upset", needs=["belonging"])]
    c = case(episodes=[episode("E-1", seen)], context=window + baseline)
    insight = only(before_window(c, "E-1").insights, K.NEED_ESCALATING)
    assert insight.evidence_paths == tuple(ev("context", e.id) for e in window)
    assert (insight.param("count"), insight.param("baseline")) == (3, 1)
    steady = [
        entry(f"log-s{i}", at(3, 17, 10) - timedelta(days=i), "child_upset", needs=["belonging"])
        for i in range(1, 89)
    ]
    c2 = case(episodes=[episode("E-1", seen)], context=window + steady)
    assert K.NEED_ESCALATING not in kinds(before_window(c2, "E-1").insights)


# 14 ------------------------------------------------------------------------------------------
def test_key_worker_off_shift_the_night_they_went() -> None:
    seen = at(3, 21, 23)
    c = case(
        episodes=[episode("E-1", seen)],
        context=[entry("log-off", at(3, 21, 14), "key_worker_off_shift", adults=["A-101"])],
    )
    insight = only(before_window(c, "E-1").insights, K.TRUSTED_ADULT_UNAVAILABLE)
    assert insight.evidence_paths == (ev("context", "log-off"),)
    assert insight.param("what") == "key worker off shift"


# 15 ------------------------------------------------------------------------------------------
def test_no_trusted_adult_and_one_about_to_leave() -> None:
    now = at(4, 1, 9)
    nobody = trusted_adult_picture(case(), now)
    insight = only(nobody.insights, K.NO_TRUSTED_ADULT)
    assert insight.evidence_paths == ("$.trusted_adults",)
    leaving = case(
        trusted_adults=[trusted("TA-kw", "A-101", at(1, 5), ended=now + timedelta(days=10))]
    )
    picture = trusted_adult_picture(leaving, now)
    soon = only(picture.insights, K.TRUSTED_ADULT_LEAVING)
    assert soon.evidence_paths == (ev("trusted_adults", "TA-kw", ".ended_at"),)
    assert soon.param("gap") == "10 days"
    assert K.NO_TRUSTED_ADULT not in kinds(picture.insights)
    distant = case(
        trusted_adults=[trusted("TA-kw", "A-101", at(1, 5), contacts=[contact(at(2, 1))])]
    )
    far = only(trusted_adult_picture(distant, now).insights, K.TRUSTED_ADULT_DISTANT)
    assert far.evidence_paths == (ev("trusted_adults", "TA-kw", ".contacts"),)


# 16 ------------------------------------------------------------------------------------------
def test_since_previous_episode_window_and_recurring_push() -> None:
    first = at(2, 1, 22)
    second = at(2, 20, 22)
    c = case(
        episodes=[episode("E-1", first), episode("E-2", second)],
        context=[entry("log-x", at(2, 10, 12), "restriction_imposed")],
        factors=[
            factor("F-1", "surveillance_and_control", first + timedelta(days=1), episodes=["E-1"]),
            factor("F-2", "surveillance_and_control", second + timedelta(days=1), episodes=["E-2"]),
        ],
    )
    assert K.SANCTION_BEFORE not in kinds(before_window(c, "E-2").insights)
    config = LensConfig(since_previous_episode=True)
    bw = before_window(c, "E-2", config)
    assert bw.since_previous_episode
    assert bw.start == first + timedelta(hours=5)
    assert only(bw.insights, K.SANCTION_BEFORE).evidence_paths == (ev("context", "log-x"),)
    history = child_history(c, as_of=at(3, 1))
    recurring = only(history.insights, K.RECURRING_FACTOR)
    assert recurring.evidence_paths == (ev("factors", "F-1"), ev("factors", "F-2"))
    assert recurring.param("count") == 2


# 17 ------------------------------------------------------------------------------------------
def test_actions_followed_by_fewer_shorter_episodes_and_an_overdue_one() -> None:
    before = [
        episode(f"E-{i}", at(1, 2 + 7 * i, 22), back_after=timedelta(hours=20)) for i in range(4)
    ]
    done_at = at(2, 10)
    after = [episode("E-9", at(4, 20, 22), back_after=timedelta(hours=2))]
    actions = [
        AgreedAction("A-1", "weekly one-to-one with chosen adult", done_at=done_at),
        AgreedAction("A-2", "rearrange contact with sister", due=at(2, 20)),
    ]
    c = case(
        episodes=before + after,
        conversations=[
            conversation("RC-1", ["E-3"], held=at(1, 25, 10), words="ok", actions=actions)
        ],
    )
    history = child_history(c, as_of=at(6, 1))
    (follow,) = history.follow_ups
    assert follow.episodes_before == ("E-0", "E-1", "E-2", "E-3")
    assert follow.episodes_after == ("E-9",)
    assert follow.fewer is True
    assert follow.shorter is True
    assert "1 episode (median 2 hours)" in follow.sentence()
    overdue = only(history.insights, K.ACTIONS_NOT_DONE)
    assert overdue.evidence_paths == (ev("conversations", "RC-1", ".actions[?(@.id=='A-2')]"),)
    early = child_history(c, as_of=at(3, 1))
    assert early.follow_ups[0].complete is False
    assert early.follow_ups[0].fewer is None


# 18 ------------------------------------------------------------------------------------------
def test_home_summary_counts() -> None:
    a_seen = at(3, 3, 22, 30)
    child_a = case(
        episodes=[episode("E-1", a_seen), episode("E-2", at(3, 10, 22))],
        context=[entry("log-row", at(3, 3, 19), "conflict_with_staff")],
        factors=[factor("F-1", "conflict_with_staff", at(3, 5), episodes=["E-1"])],
        trusted_adults=[trusted("TA-1", "A-1", at(1, 5))],
    )
    child_b = case(
        child="C-SYN-02",
        episodes=[episode("E-7", at(3, 4, 20), child="C-SYN-02")],
        context=[entry("log-s", at(3, 4, 9), "sanction_imposed", child="C-SYN-02")],
        factors=[
            factor("F-7", "rules_and_sanctions", at(3, 5), episodes=["E-7"], child="C-SYN-02"),
            factor("F-8", "conflict_with_staff", at(3, 5), episodes=["E-7"], child="C-SYN-02"),
        ],
    )
    summary = home_summary([child_b, child_a], as_of=at(5, 1), home_id="HOME-SYN-A")
    assert (summary.children, summary.episodes) == (2, 3)
    assert str(summary.preceded_by_unresolved_conflict) == "1 of 3"
    assert str(summary.preceded_by_sanction) == "1 of 3"
    assert str(summary.preceded_by_either) == "2 of 3"
    assert str(summary.children_with_trusted_adult) == "1 of 2"
    top = summary.push_prevalence[0]
    assert (top.concept.code, str(top.episodes), str(top.children)) == (
        "conflict_with_staff",
        "2 of 3",
        "2 of 2",
    )
    assert summary.with_trusted_adult.episodes == 2
    assert str(summary.with_trusted_adult.repeated) == "1 of 2"
    assert str(summary.without_trusted_adult.repeated) == "0 of 1"
    assert home_summary([child_a], as_of=at(5, 1), home_id="ELSEWHERE").children == 0
    with pytest.raises(ValueError, match="at most once"):
        home_summary([child_a, child_a], as_of=at(5, 1))
