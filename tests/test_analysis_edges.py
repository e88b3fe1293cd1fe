"""Edge cases of the analyses: open episodes, empty homes, clocks, inputs left untouched."""

from __future__ import annotations

import copy
import subprocess
import sys
from datetime import timedelta

from missingcare import local_instant
from missingcare.analysis import (
    InsightKind,
    Proportion,
    before_window,
    child_history,
    formulate,
    home_summary,
    response_on_return,
    trusted_adult_picture,
)
from missingcare.time import FixedClock

from .test_analysis_builders import at, case, conversation, entry, episode, response


def test_open_episode_is_formulated_without_inventing_an_end() -> None:
    seen = at(3, 3, 22)
    c = case(
        episodes=[episode("E-1", seen, back_after=None)],
        context=[entry("log-1", at(3, 3, 19), "conflict_with_family")],
    )
    f = formulate(c, "E-1", as_of=seen + timedelta(hours=2))
    assert f.duration is None
    assert "still open" in f.sentences[0]
    assert f.insights[0].kind is InsightKind.UNRESOLVED_CONFLICT
    # no return yet: nothing can be said about the response or the account
    assert response_on_return(c, "E-1", as_of=seen + timedelta(days=9)) == ()
    assert "the child's own account is the place to start" not in f.text


def test_nothing_recorded_says_so_plainly() -> None:
    c = case(episodes=[episode("E-1", at(3, 3, 22))])
    f = formulate(c, "E-1")
    assert f.insights == ()
    assert f.sentences[-1].startswith("The records do not yet say")


def test_clock_and_instant_give_the_same_picture() -> None:
    now = at(4, 1, 9)
    c = case(episodes=[episode("E-1", at(3, 3, 22))])
    assert trusted_adult_picture(c, FixedClock(now)) == trusted_adult_picture(c, now)
    assert child_history(c, as_of=FixedClock(now)) == child_history(c, as_of=now)


def test_empty_home_has_zero_of_zero_not_a_rate() -> None:
    summary = home_summary([], as_of=at(4, 1))
    assert summary.preceded_by_sanction == Proportion(0, 0)
    assert summary.preceded_by_sanction.share is None
    assert summary.with_trusted_adult.median_duration is None
    assert {r["measure"] for r in summary.as_rows()} >= {"children with a trusted adult"}


def test_responses_after_a_later_return_belong_to_the_later_episode() -> None:
    first, second = at(3, 3, 22), at(3, 5, 22)
    c = case(
        episodes=[episode("E-1", first), episode("E-2", second)],
        conversations=[
            conversation(
                "RC-1",
                ["E-1", "E-2"],
                held=second + timedelta(hours=20),
                words="ok",
                responses=[
                    response("grounding", first + timedelta(hours=6)),
                    response("room_search", second + timedelta(hours=6)),
                ],
            )
        ],
    )
    (on_first,) = [i for i in response_on_return(c, "E-1") if i.kind.name.startswith("RESTRICTION")]
    (on_second,) = [
        i for i in response_on_return(c, "E-2") if i.kind.name.startswith("RESTRICTION")
    ]
    assert on_first.param("what") == "grounding"
    assert on_second.param("what") == "room searched"


def test_analyses_never_mutate_their_input() -> None:
    seen = at(3, 3, 22)
    c = case(
        episodes=[episode("E-1", seen)],
        context=[entry("log-1", at(3, 3, 19), "conflict_with_staff")],
        conversations=[conversation("RC-1", ["E-1"], held=seen + timedelta(hours=30))],
    )
    before = copy.deepcopy(c)
    formulate(c, "E-1", as_of=at(4, 1))
    child_history(c, as_of=at(4, 1))
    home_summary([c], as_of=at(4, 1))
    assert c == before


def test_window_and_gaps_are_elapsed_time_across_the_spring_clock_change() -> None:
    # 29 March 2026: UK clocks go from 01:00 GMT to 02:00 BST.
    row = local_instant(2026, 3, 29, 0, 30, zone="Europe/London")
    seen = local_instant(2026, 3, 29, 3, 30, zone="Europe/London")
    c = case(episodes=[episode("E-1", seen)], context=[entry("log-1", row, "conflict_with_peer")])
    insight = before_window(c, "E-1").insights[0]
    assert insight.param("gap") == "2 hours"
    assert insight.param("latest") == "00:30 on Sun 29 March 2026 (GMT)"
    assert before_window(c, "E-1").start == seen - timedelta(hours=72)


def test_importing_the_lens_loads_no_optional_extra() -> None:
    code = (
        "import sys, missingcare.analysis\n"
        "bad = {'hypothesis', 'polars', 'pyarrow', 'matplotlib', 'click', 'rich', 'pendulum'}\n"
        "loaded = bad & set(sys.modules)\n"
        "assert loaded <= {'pendulum'}, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
