"""``missingcare check`` for a caseload (issue 21, item 1): summary first, whole tokens at any
width, local times, ``--limit``, ``--all`` in every format, ``-`` for standard input,
field paths and the document type of every invalid record."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from missingcare import CaseFile, ChildRef, Evaluation, from_json, to_json
from missingcare.cli._common import human_time
from missingcare.rules import get_pack
from missingcare.testing import builders
from tests._helpers import run_cli, synth_cohort

AS_OF = "2026-04-01T08:00:00Z"


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synth_cohort(tmp_path_factory.mktemp("check"), children=30, seed=7)


def _ids(path: Path) -> set[str]:
    """Every id of the cohort: children, episodes, conversations."""
    found: set[str] = set()
    with path.open("rb") as lines:
        for line in lines:
            case = from_json(line, CaseFile)
            found.add(case.child.id)
            found |= {e.id for e in case.episodes} | {c.id for c in case.conversations}
    return found


@pytest.mark.parametrize("width", [80, 60])
def test_no_line_is_wider_than_the_terminal_and_no_token_is_split(cohort: Path, width: int) -> None:
    result = run_cli("check", str(cohort), "--as-of", AS_OF, "--limit", "40", width=width)
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines
    # the finding lists are laid out by the command; rich's rule table is narrower than 60
    assert all(len(line) <= width for line in lines), [x for x in lines if len(x) > width]
    assert "…" not in result.stdout  # nothing shortened mid-token
    words = {w.strip("():,;.") for line in lines for w in line.split()}
    shown_ids = {w for w in words if w.startswith("SYN-")}
    assert shown_ids
    assert shown_ids <= _ids(cohort)  # every id shown is a whole id
    codes = {r.code for r in get_pack("GB-ENG").rules()}
    assert words & codes
    # no part of a rule code: a hyphenated word that begins one is the whole code
    split = {
        w for w in words if "-" in w and w not in codes and any(c.startswith(w) for c in codes)
    }
    assert not split, split
    # every time is whole on one line: "HH:MM on Ddd D Month YYYY (ZONE)"
    for line in lines:
        if " on " in line and re.search(r"\d\d:\d\d", line):
            assert re.search(r"\d\d:\d\d on \w{3} \d{1,2} \w+ \d{4} \((BST|GMT)\)", line), line


def test_the_summary_comes_first_then_the_most_urgent(cohort: Path) -> None:
    result = run_cli("check", str(cohort), "--as-of", AS_OF)
    out = result.stdout
    assert out.startswith("Checked 30 case files against GB-ENG as of")
    assert out.index("By outcome:") < out.index("Findings by rule") < out.index("Outstanding:")
    assert out.index("Outstanding:") < out.index("Most urgent")
    # times for people: the placement's local time and zone, never UTC with a Z, in the
    # command's own columns (the messages' wording is the packs')
    entries = [line for line in out.splitlines() if line.startswith("  ") and " on " in line]
    assert entries
    assert all("Z " not in line and not line.endswith("Z") for line in entries)


def test_limit_bounds_the_list_and_all_lists_every_finding(cohort: Path) -> None:
    few = run_cli("check", str(cohort), "--as-of", AS_OF, "--limit", "3").stdout
    assert "Most urgent (3 of " in few
    assert len(re.findall(r"^  \d\d:\d\d on ", few, flags=re.MULTILINE)) == 3
    every = run_cli("check", str(cohort), "--as-of", AS_OF, "--all").stdout
    assert "Every finding and invalid record, in the order read:" in every
    assert " met " in every


def test_all_is_honoured_in_json_and_the_lines_are_evaluation_documents(cohort: Path) -> None:
    shown = run_cli("check", str(cohort), "--as-of", AS_OF, "--format", "json")
    every = run_cli("check", str(cohort), "--as-of", AS_OF, "--format", "json", "--all")
    assert shown.exit_code == every.exit_code == 1
    brief = [from_json(line, Evaluation) for line in shown.stdout.splitlines()]
    full = [from_json(line, Evaluation) for line in every.stdout.splitlines()]
    assert len(brief) == len(full) == 30
    assert sum(len(e) for e in full) > sum(len(e) for e in brief)
    outcomes = {f.outcome.value for e in full for f in e}
    assert {"met", "breached"} <= outcomes
    # exactly the library's wire form: each line is to_json of its evaluation
    assert [to_json(e).decode() for e in full] == every.stdout.splitlines()


def test_dash_reads_standard_input(cohort: Path) -> None:
    data = cohort.read_bytes()
    piped = run_cli("check", "-", "--as-of", AS_OF, "--format", "json", stdin=data)
    from_file = run_cli("check", str(cohort), "--as-of", AS_OF, "--format", "json")
    assert piped.exit_code == 1
    assert piped.stdout == from_file.stdout
    table = run_cli("check", "-", "--as-of", AS_OF, stdin=data)
    assert table.stdout.startswith("Checked 30 case files")


def test_every_invalid_record_shows_its_field_paths(tmp_path: Path) -> None:
    good = to_json(CaseFile(child=ChildRef("C-1")))
    no_id = b'{"schema_version":1,"child":{}}'
    bad_date = good.replace(b'"id":"C-1"', b'"id":"C-2","date_of_birth":"CANARY-DOB"')
    path = tmp_path / "cases.jsonl"
    path.write_bytes(b"\n".join([good, no_id, bad_date]) + b"\n")
    result = run_cli("check", str(path), "--as-of", AS_OF)
    assert result.exit_code == 1
    out = result.stdout
    assert "2 invalid records" in out
    assert "cases.jsonl line 2" in out
    assert "$.child.id" in out
    assert "cases.jsonl line 3" in out
    assert "$.child.date_of_birth" in out
    assert "CANARY" not in result.output


@pytest.mark.parametrize("suffix", ["json", "jsonl"])
def test_a_document_of_another_type_is_named(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"episode.{suffix}"
    path.write_bytes(to_json(builders.episode()) + b"\n")
    table = run_cli("check", str(path), "--as-of", AS_OF)
    assert table.exit_code == 1
    assert "MissingEpisode" in table.stdout
    as_json = run_cli("check", str(path), "--as-of", AS_OF, "--format", "json")
    assert "this record is a MissingEpisode document, not a case file" in as_json.stderr


def test_the_exit_code_rule_is_the_same_for_one_document_and_a_file(tmp_path: Path) -> None:
    bad = b'{"schema_version":1,"child":{}}'
    one = tmp_path / "one.json"
    one.write_bytes(bad)
    many = tmp_path / "many.jsonl"
    many.write_bytes(to_json(CaseFile(child=ChildRef("C-1"))) + b"\n" + bad + b"\n")
    assert run_cli("check", str(one), "--as-of", AS_OF).exit_code == 1
    assert run_cli("check", str(many), "--as-of", AS_OF).exit_code == 1
    not_json = tmp_path / "x.json"
    not_json.write_bytes(b"{oops")
    lines = tmp_path / "x.jsonl"
    lines.write_bytes(to_json(CaseFile(child=ChildRef("C-1"))) + b"\n{oops\n")
    assert run_cli("check", str(not_json), "--as-of", AS_OF).exit_code == 1
    assert run_cli("check", str(lines), "--as-of", AS_OF).exit_code == 1


def test_human_time_is_local_with_the_zone_abbreviation() -> None:
    summer = datetime(2026, 4, 3, 4, 23, tzinfo=UTC)
    winter = datetime(2026, 1, 3, 4, 23, tzinfo=UTC)
    assert human_time(summer, "Europe/London") == "05:23 on Fri 3 April 2026 (BST)"
    assert human_time(winter, "Europe/London") == "04:23 on Sat 3 January 2026 (GMT)"
    assert "Z" not in human_time(summer, "America/Chicago")


def test_all_lists_every_invalid_record_after_the_summary(tmp_path: Path) -> None:
    bad = b'{"schema_version":1,"child":{}}\n'
    path = tmp_path / "bad.jsonl"
    path.write_bytes(bad * 5)
    listed = run_cli("check", str(path), "--as-of", AS_OF, "--all", "--limit", "2").stdout
    assert "Invalid records (2 of 5 problems)" in listed
    after = listed.split("in the order read:")[1]
    assert [f"bad.jsonl line {i}" in after for i in range(1, 6)] == [True] * 5


def test_the_progress_bar_is_only_for_a_terminal(cohort: Path) -> None:
    # CliRunner's standard error is not a terminal: nothing but the findings is written
    result = run_cli("check", str(cohort), "--as-of", AS_OF, "--format", "json")
    assert result.stderr == ""
    assert json.loads(result.stdout.splitlines()[0])["schema_version"] == 2
