"""Evaluating "as known at": only what had been recorded by ``known_at`` is read.

A return conversation held on time and written up 13 days later, read as the
home knew it on the day after it was held, as it knew it three weeks on, and as
an inspector reads "then" with what is known now; the England pack's rule for
the recording itself (regulation 36: no time limit, so a local one with no
default); the lens read the same way; and the acceptance properties over
generated histories: an evaluation at an instant never sees a revision made
after it, and a history read at its last revision is the case file it builds.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import missingcare as mc
from missingcare import analysis
from missingcare.adapters.jsonschema import json_schema
from missingcare.case import CaseFile
from missingcare.children import PlacementKind
from missingcare.exceptions import ValidationError
from missingcare.findings import Evaluation, Finding, Outcome
from missingcare.history import CaseHistory
from missingcare.packs.gb_eng import PACK
from missingcare.records import Recorded
from missingcare.rules import RulePack, evaluate
from missingcare.testing import builders as b
from missingcare.testing.conformance import as_of_instants
from missingcare.testing.strategies import case_histories, instants
from missingcare.time import FixedClock, format_local

LONDON = "Europe/London"
SEEN = b.SEEN  # 20:00 UTC on Thu 1 October 2026 (21:00 BST)
BACK = SEEN + timedelta(hours=3)  # the builders' episode ends, the child back, 3 hours later
DUE = BACK + timedelta(hours=72)  # the return conversation is due 72 hours after the return
HELD = BACK + timedelta(hours=15)  # held the next afternoon: on time
WRITTEN = HELD + timedelta(days=13)  # written up on the record 13 days later
DAY_AFTER = HELD + timedelta(days=1)  # a day after it was held: still before the due instant
AFTER_DUE = DUE + timedelta(hours=12)
WEEKS_ON = SEEN + timedelta(days=20)  # day 20: the record is complete

R72 = "return-conversation-72h"
RECORDED = "return-conversation-recorded"


def _case(
    recorded: datetime | None = WRITTEN, *, kind: PlacementKind = PlacementKind.CHILDRENS_HOME
) -> CaseFile:
    conv = b.conversation("RC1", "E1", held_at=HELD)
    if recorded is not None:
        conv = attrs.evolve(conv, recorded=Recorded(at=recorded))
    return b.case_file(b.episode("E1"), placements=[b.placement(kind=kind)], conversations=[conv])


def _one(ev: Evaluation, code: str) -> Finding:
    (found,) = ev.by_rule(code)
    return found


# --- the scenario: held on time, recorded 13 days later ------------------------------------------


def test_as_known_the_day_after_it_was_held_the_conversation_is_not_on_file() -> None:
    ev = evaluate(_case(), pack=PACK, as_of=DAY_AFTER)
    f = _one(ev, R72)
    assert (f.outcome, f.message_id) == (Outcome.PENDING, "gb-eng.return-conversation-72h.pending")
    assert ev.known_at is None  # known_at defaults to as_of, and is not repeated
    assert ev.by_rule(RECORDED) == ()  # no conversation on file to say anything about


def test_as_known_after_the_due_instant_it_looks_overdue() -> None:
    f = _one(evaluate(_case(), pack=PACK, as_of=AFTER_DUE), R72)
    assert (f.outcome, f.message_id) == (Outcome.BREACHED, "gb-eng.return-conversation-72h.overdue")


def test_as_known_on_day_20_it_was_held_on_time_and_recorded_13_days_later() -> None:
    f = _one(evaluate(_case(), pack=PACK, as_of=WEEKS_ON), R72)
    assert f.outcome is Outcome.MET
    assert f.message_id == "gb-eng.return-conversation-72h.met-recorded-later"
    assert f.parameters["recorded_at"] == WRITTEN
    assert f.parameters["recorded_after"] == timedelta(days=13)
    assert f.observed == HELD
    assert f.due == DUE
    assert "held on time" in f.text
    assert "recorded 13 days later" in f.text
    assert format_local(WRITTEN, LONDON) in f.text  # local time for people, not RFC 3339
    assert f.text == (
        "The return conversation for episode E1 was held on time, at 15:00 on Fri 2 October "
        "2026 (BST) (due by 00:00 on Mon 5 October 2026 (BST)), and recorded 13 days later, "
        "at 15:00 on Thu 15 October 2026 (BST)."
    )


def test_what_we_know_now_about_then() -> None:
    # as of the day after it was held, read with what is known on day 20
    ev = evaluate(_case(), pack=PACK, as_of=DAY_AFTER, known_at=WEEKS_ON)
    assert ev.as_of == DAY_AFTER
    assert ev.known_at == WEEKS_ON
    f = _one(ev, R72)
    assert (f.outcome, f.message_id.rsplit(".", 1)[1]) == (Outcome.MET, "met-recorded-later")
    # and the other way: today's deadlines over what was on file the day after
    ev = evaluate(_case(), pack=PACK, as_of=WEEKS_ON, known_at=DAY_AFTER)
    assert ev.known_at == DAY_AFTER
    assert _one(ev, R72).outcome is Outcome.BREACHED


def test_recorded_before_it_was_due_says_plain_met() -> None:
    f = _one(evaluate(_case(HELD + timedelta(hours=2)), pack=PACK, as_of=WEEKS_ON), R72)
    assert f.message_id == "gb-eng.return-conversation-72h.met"


def test_recording_time_unknown_counts_by_the_event_time_as_before() -> None:
    case = _case(None)
    for as_of in (DAY_AFTER, WEEKS_ON):
        f = _one(evaluate(case, pack=PACK, as_of=as_of), R72)
        assert f.message_id == "gb-eng.return-conversation-72h.met"


def test_the_evaluation_keeps_known_at_through_json() -> None:
    ev = evaluate(_case(), pack=PACK, as_of=DAY_AFTER, known_at=WEEKS_ON)
    assert mc.from_json(mc.to_json(ev), Evaluation) == ev
    assert b'"known_at":"2026-10-21T20:00:00Z"' in mc.to_json(ev).replace(b" ", b"")
    same = evaluate(_case(), pack=PACK, as_of=WEEKS_ON, known_at=WEEKS_ON)
    assert same.known_at is None
    assert b"known_at" not in mc.to_json(same)
    schema = json_schema(Evaluation)
    assert "known_at" in schema["properties"]
    assert "known_at" not in schema.get("required", [])


def test_known_at_is_an_aware_instant_and_its_errors_name_it() -> None:
    with pytest.raises(ValidationError) as caught:
        evaluate(_case(), pack=PACK, as_of=WEEKS_ON, known_at=datetime(2026, 10, 2, 9))
    assert [v.path for v in caught.value.violations] == ["$.known_at"]
    assert "2026" not in str(caught.value)
    with pytest.raises(TypeError, match="known_at"):
        evaluate(_case(), pack=PACK, as_of=WEEKS_ON, known_at="2026-10-02")  # type: ignore[arg-type]
    clock = FixedClock(WEEKS_ON)
    assert evaluate(_case(), pack=PACK, as_of=DAY_AFTER, known_at=clock).known_at == WEEKS_ON


# --- a history: revisions as they were made ------------------------------------------------------


def _history() -> CaseHistory:
    bare = b.case_file(b.episode("E1"))
    later = _case(None)  # the conversation added by the revision made when it was written up
    return CaseHistory().append(bare, at=BACK + timedelta(hours=1)).append(later, at=WRITTEN)


def test_a_history_is_read_as_it_stood() -> None:
    history = _history()
    assert _one(evaluate(history, pack=PACK, as_of=DAY_AFTER), R72).outcome is Outcome.PENDING
    assert _one(evaluate(history, pack=PACK, as_of=AFTER_DUE), R72).outcome is Outcome.BREACHED
    late = evaluate(history, pack=PACK, as_of=AFTER_DUE, known_at=WEEKS_ON)
    assert _one(late, R72).outcome is Outcome.MET
    assert evaluate(history, pack=PACK, as_of=WEEKS_ON) == evaluate(
        history.latest, pack=PACK, as_of=WEEKS_ON
    )


def test_a_history_with_nothing_on_file_by_known_at_is_refused_naming_the_argument() -> None:
    with pytest.raises(ValidationError) as caught:
        evaluate(_history(), pack=PACK, as_of=SEEN)
    (violation,) = caught.value.violations
    assert violation.path == "$.known_at"
    assert "2026" not in str(caught.value)
    assert "E1" not in str(caught.value)
    with pytest.raises(ValidationError):
        analysis.formulate(_history(), "E1", as_of=SEEN)


def test_evaluate_refuses_anything_else() -> None:
    with pytest.raises(TypeError, match="CaseFile or a CaseHistory"):
        evaluate({"child": {"id": "C1"}}, pack=PACK, as_of=SEEN)  # type: ignore[arg-type]


# --- the recording itself: regulation 36, with the home's own timescale --------------------------


def test_the_recording_rule_is_not_configured_until_the_home_sets_its_timescale() -> None:
    f = _one(evaluate(_case(), pack=PACK, as_of=WEEKS_ON), RECORDED)
    assert f.outcome is Outcome.INSUFFICIENT_DATA  # never met, never breached
    assert f.message_id == "gb-eng.return-conversation-recorded.not-configured"
    assert "return conversation recorded within" in f.text  # the setting in words
    assert "not configured" in f.text
    assert f.conversation_id == "RC1"
    assert f.subject == "$.conversations[0]"
    rule = PACK.rule(RECORDED)
    assert "REG36" in {s.key for s in rule.sources}
    assert PACK.parameter("return_conversation_recorded_within").default is None


def _configured(hours: int = 48) -> RulePack:
    return PACK.configure(return_conversation_recorded_within=timedelta(hours=hours))


def test_recorded_13_days_later_is_late_against_a_48_hour_timescale() -> None:
    f = _one(evaluate(_case(), pack=_configured(), as_of=WEEKS_ON), RECORDED)
    assert (f.outcome, f.message_id.rsplit(".", 1)[1]) == (Outcome.BREACHED, "late")
    assert "recorded 13 days later" in f.text
    assert "48 hours" in f.text
    assert f.due == HELD + timedelta(hours=48)
    assert f.observed == WRITTEN


def test_recorded_within_the_timescale_is_met() -> None:
    f = _one(
        evaluate(_case(HELD + timedelta(hours=5)), pack=_configured(), as_of=WEEKS_ON), RECORDED
    )
    assert (f.outcome, f.message_id.rsplit(".", 1)[1]) == (Outcome.MET, "met")


def test_recording_time_unknown_where_the_recording_is_the_point() -> None:
    f = _one(evaluate(_case(None), pack=_configured(), as_of=WEEKS_ON), RECORDED)
    assert (f.outcome, f.message_id.rsplit(".", 1)[1]) == (
        Outcome.INSUFFICIENT_DATA,
        "recording-unknown",
    )
    assert "recording time unknown" in f.text


def test_a_recording_still_to_come_at_as_of_is_pending_then_overdue() -> None:
    pack = _configured()
    ev = evaluate(_case(), pack=pack, as_of=HELD + timedelta(hours=1), known_at=WEEKS_ON)
    assert _one(ev, RECORDED).outcome is Outcome.PENDING
    ev = evaluate(_case(), pack=pack, as_of=DAY_AFTER + timedelta(days=2), known_at=WEEKS_ON)
    f = _one(ev, RECORDED)
    assert (f.outcome, f.message_id.rsplit(".", 1)[1]) == (Outcome.BREACHED, "overdue")


def test_the_recording_rule_is_about_children_s_homes() -> None:
    ev = evaluate(_case(kind=PlacementKind.FOSTER_CARE), pack=_configured(), as_of=WEEKS_ON)
    assert ev.by_rule(RECORDED) == ()
    assert _one(ev, R72).outcome is Outcome.MET  # the guidance's rule still applies


def test_the_recording_rule_is_in_the_2015_edition_and_the_pack_page() -> None:
    assert RECORDED in {r.code for r in PACK.rules("2015-04")}
    assert RECORDED not in {r.code for r in PACK.rules("2014-01")}
    from pathlib import Path

    page = Path(__file__).parent.parent / "docs" / "reference" / "packs" / "gb-eng.md"
    text = page.read_text(encoding="utf-8")
    assert RECORDED in text
    assert "return_conversation_recorded_within" in text


# --- the lens reads the same way -----------------------------------------------------------------


def test_the_lens_reads_only_what_was_on_file() -> None:
    case = _case()
    then = analysis.home_summary([case], as_of=DAY_AFTER)
    assert then.conversations.held.numerator == 0
    assert then.known_at is None
    now_about_then = analysis.home_summary([case], as_of=DAY_AFTER, known_at=WEEKS_ON)
    assert now_about_then.conversations.held.numerator == 1
    assert now_about_then.known_at == WEEKS_ON

    history = analysis.child_history(case, as_of=WEEKS_ON, known_at=DAY_AFTER)
    assert history.known_at == DAY_AFTER
    assert analysis.child_history(case, as_of=WEEKS_ON).known_at is None

    f_then = analysis.formulate(case, "E1", as_of=DAY_AFTER)
    f_now = analysis.formulate(case, "E1", as_of=DAY_AFTER, known_at=WEEKS_ON)
    assert f_then == analysis.formulate(b.case_file(b.episode("E1")), "E1", as_of=DAY_AFTER)
    assert f_now == analysis.formulate(case, "E1", as_of=DAY_AFTER, known_at=WEEKS_ON)
    assert analysis.formulate(_history(), "E1", as_of=WEEKS_ON) == analysis.formulate(
        _history().latest, "E1", as_of=WEEKS_ON
    )


# --- acceptance: the properties over generated histories -----------------------------------------

PROPERTY = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _made_by(history: CaseHistory, t: datetime) -> CaseHistory:
    """The history of the revisions made by ``t``: what existed then."""
    return CaseHistory(tuple(r for r in history.revisions if r.at <= t))


def _evaluate(source: CaseFile | CaseHistory, as_of: datetime, known_at: datetime) -> object:
    try:
        return evaluate(source, pack=PACK, as_of=as_of, known_at=known_at)
    except ValidationError as error:
        return [v.path for v in error.violations]


def _instant_near(history: CaseHistory) -> st.SearchStrategy[datetime]:
    """Instants that matter: when revisions were made (and just before and after), and
    around the events and recordings of every case file in the history."""
    made = [r.at for r in history.revisions]
    events = sorted(
        {t for r in range(len(made)) for t in as_of_instants(_built(history, r))}
        | {t + timedelta(days=31) for t in made}
    )
    around = st.sampled_from(events)
    return st.one_of(
        st.sampled_from(made),
        st.sampled_from(made).map(lambda t: t - timedelta(minutes=1)),
        st.sampled_from(made).map(lambda t: t + timedelta(days=1)),
        around,
        around,
        around,
        instants(),
    )


def _built(history: CaseHistory, r: int) -> CaseFile:
    """The case file revision ``r`` built."""
    return CaseHistory(history.revisions[: r + 1]).latest


@PROPERTY
@given(history=case_histories(), data=st.data())
def test_an_evaluation_never_sees_a_revision_made_after_known_at(
    history: CaseHistory, data: st.DataObject
) -> None:
    near = _instant_near(history)
    t1, t2 = sorted((data.draw(near), data.draw(near)))
    as_of = data.draw(near)
    early = _evaluate(history, as_of, t1)
    # nothing made after t1 can change what is seen at t1: not the revisions up to t2 ...
    assert early == _evaluate(_made_by(history, t2), as_of, t1)
    # ... nor any of them
    assert early == _evaluate(_made_by(history, t1), as_of, t1)
    later = _evaluate(history, as_of, t2)
    assert later == _evaluate(_made_by(history, t2), as_of, t2)
    if isinstance(early, Evaluation):
        assert early.known_at in {None, t1}


@PROPERTY
@given(history=case_histories(), data=st.data())
def test_a_history_at_its_last_revision_is_the_case_file_it_builds(
    history: CaseHistory, data: st.DataObject
) -> None:
    last = history.revisions[-1].at
    as_of = data.draw(_instant_near(history))
    assert evaluate(history, pack=PACK, as_of=as_of, known_at=last) == evaluate(
        history.latest, pack=PACK, as_of=as_of, known_at=last
    )


# --- the command line: missingcare check --known-at --------------------------------------------


def _rfc3339(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def test_check_reads_what_was_known_at_the_instant_given(tmp_path: Any) -> None:
    pytest.importorskip("click")
    from click.testing import CliRunner

    from missingcare.cli import main

    path = tmp_path / "cases.jsonl"
    path.write_bytes(mc.to_json(_case()) + b"\n")

    def run(*extra: str) -> Any:
        args = ["check", str(path), "--format", "json", "--all", "--as-of", _rfc3339(WEEKS_ON)]
        result = CliRunner().invoke(main, [*args, *extra])
        (line,) = result.stdout.splitlines()
        return result, mc.from_json(line, Evaluation)

    _, now = run()
    assert _one(now, R72).outcome is Outcome.MET
    assert now.known_at is None
    result, then = run("--known-at", _rfc3339(AFTER_DUE))
    assert result.exit_code == 1  # as known then, the conversation was overdue
    assert _one(then, R72).outcome is Outcome.BREACHED
    assert then.known_at == AFTER_DUE
    table = CliRunner().invoke(
        main, ["check", str(path), "--as-of", _rfc3339(WEEKS_ON), "--known-at", _rfc3339(DAY_AFTER)]
    )
    assert "as known at" in " ".join(table.stdout.split())
    bad = CliRunner().invoke(main, ["check", str(path), "--known-at", "yesterday"])
    assert bad.exit_code == 2
    assert "--known-at" in bad.stderr
    assert "yesterday" not in bad.stderr
