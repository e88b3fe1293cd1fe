"""A case file's history: revisions, the digest chain, JSON lines (issue 22, item 2)."""

from __future__ import annotations

import hashlib
import io
import pickle
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import missingcare as mc
from missingcare.converters import SCHEMA_VERSION, Limits
from missingcare.episodes import RiskGrading
from missingcare.exceptions import EmptyHistoryError, HistoryTampered, LineError
from missingcare.history import (
    CaseHistory,
    Change,
    Revision,
    read_revisions,
    write_revisions,
)
from missingcare.testing import builders
from missingcare.testing import strategies as mst
from missingcare.vocabularies import POLICE_RISK_GRADES, RELATIONSHIP_ROLES
from tests._helpers import examples

#: Written into the documents of the tampering tests: no error may repeat any part of it.
CANARY = "CANARY-Zq7xJane-Doe-9434765919"
CANARY_PARTS = ("CANARY", "Zq7x", "Jane", "Doe", "94347", "65919")

T0 = datetime(2026, 10, 2, 9, tzinfo=UTC)
MANAGER = RELATIONSHIP_ROLES["registered_manager"]


def _graded(grade: str) -> mc.CaseFile:
    grading = RiskGrading(builders.SEEN, POLICE_RISK_GRADES[grade])
    return builders.case_file(builders.episode("E1", risk_grades=(grading,)))


def _amended_history() -> CaseHistory:
    history = CaseHistory().append(_graded("medium"), at=T0, why="First recorded")
    return history.append(
        _graded("high"), at=T0 + timedelta(days=2), by=MANAGER, why="Grade corrected"
    )


def _lines(history: CaseHistory) -> list[bytes]:
    sink = io.BytesIO()
    assert history.write(sink) == len(history)
    return sink.getvalue().splitlines(keepends=True)


def _no_value_in(error: BaseException) -> None:
    text = str(error) + repr(error)
    for part in CANARY_PARTS:
        assert part not in text
    assert error.args == ()
    assert error.__cause__ is None


# --- appending ---------------------------------------------------------------------------


def test_a_revision_records_who_when_why_and_the_field_paths_that_changed() -> None:
    history = _amended_history()
    first, second = history.revisions
    assert [str(c) for c in first.changes] == ["add $"]
    assert first.previous_digest is None
    assert [str(c) for c in second.changes] == ["replace $.episodes[0].risk_grades[0].grade"]
    assert second.changes[0].value == "high"
    assert (second.index, second.at, second.by, second.why) == (
        1,
        T0 + timedelta(days=2),
        MANAGER,
        "Grade corrected",
    )
    assert second.previous_digest == first.digest
    assert history.latest == _graded("high")
    history.verify()


def test_appending_returns_a_new_history_and_leaves_the_old_one_as_it_was() -> None:
    one = CaseHistory().append(_graded("medium"), at=T0)
    two = one.append(_graded("high"), at=T0 + timedelta(hours=1))
    assert len(one) == 1
    assert len(two) == 2
    assert one.latest == _graded("medium")


def test_revisions_must_be_appended_in_time_order() -> None:
    history = CaseHistory().append(_graded("medium"), at=T0)
    with pytest.raises(mc.ValidationError) as info:
        history.append(_graded("high"), at=T0 - timedelta(microseconds=1))
    assert info.value.paths == ("$.at",)
    assert info.value.violations[0].code == "out_of_order"
    # the same instant is allowed: two revisions saved in the same second
    assert len(history.append(_graded("high"), at=T0)) == 2


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(mc.ValidationError) as info:
        CaseHistory().append(_graded("medium"), at=datetime(2026, 10, 2, 9))
    assert info.value.paths == ("$.at",)


def test_a_history_is_of_one_child() -> None:
    history = CaseHistory().append(_graded("medium"), at=T0)
    other = builders.case_file(child_id="C2")
    with pytest.raises(mc.ValidationError) as info:
        history.append(other, at=T0 + timedelta(hours=1))
    assert info.value.paths == ("$.child.id",)
    assert info.value.violations[0].code == "wrong_child"


def test_a_revision_that_changes_nothing_is_kept() -> None:
    history = _amended_history().append(
        _graded("high"), at=T0 + timedelta(days=3), by=MANAGER, why="Reviewed: no change"
    )
    assert history.revisions[-1].changes == ()
    assert b'"changes"' not in history.revisions[-1].to_json()
    history.verify()
    assert CaseHistory.read(_lines(history)) == history


def test_an_empty_history() -> None:
    empty = CaseHistory()
    with pytest.raises(EmptyHistoryError):
        _ = empty.latest
    assert isinstance(EmptyHistoryError("x"), LookupError)
    assert empty.case_at(T0) is None
    assert empty.changes_to("$.child") == ()
    empty.verify()
    with pytest.raises(HistoryTampered):
        empty.verify(last_digest="0" * 64)


# --- the case file at an instant -----------------------------------------------------------


def test_case_at_is_the_case_file_as_it_stood() -> None:
    history = _amended_history()
    assert history.case_at(T0 - timedelta(microseconds=1)) is None
    assert history.case_at(T0) == _graded("medium")
    assert history.case_at(T0 + timedelta(days=2) - timedelta(microseconds=1)) == _graded("medium")
    assert history.case_at(T0 + timedelta(days=2)) == _graded("high")
    assert history.case_at(datetime(2200, 1, 1, tzinfo=UTC)) == history.latest


def test_case_at_stops_at_the_first_revision_made_later_even_out_of_order() -> None:
    """A history read from storage and not verified may be out of time order: what it
    shows "as known at" still never includes a revision made after that instant."""
    made = CaseHistory().append(_graded("medium"), at=T0)
    for days, grade in ((5, "high"), (6, "low"), (7, "very_low")):
        made = made.append(_graded(grade), at=T0 + timedelta(days=days))
    a, b, c, d = made.revisions
    # b made on day 5; c and d stored as if made an hour or two after a
    c, d = (
        attrs.evolve(c, at=T0 + timedelta(hours=1)),
        attrs.evolve(d, at=T0 + timedelta(hours=2)),
    )
    disordered = CaseHistory((a, b, c, d))
    with pytest.raises(HistoryTampered):
        disordered.verify()
    assert disordered.case_at(T0 + timedelta(hours=3)) == _graded("medium")


@settings(max_examples=examples(200))
@given(
    cases=st.lists(mst.case_files(max_episodes=2, child_id="C-1"), min_size=1, max_size=4),
    gaps=st.lists(st.sampled_from((0, 1, 60, 86_400)), min_size=4, max_size=4),
    data=st.data(),
)
def test_case_at_never_shows_a_revision_made_after_known_at(
    cases: list[mc.CaseFile], gaps: list[int], data: st.DataObject
) -> None:
    history = CaseHistory()
    times = []
    at = T0
    for case, gap in zip(cases, gaps, strict=False):
        at += timedelta(seconds=gap)
        times.append(at)
        history = history.append(case, at=at)
    known_at = data.draw(
        st.one_of(
            st.sampled_from(times),
            st.sampled_from(times).map(lambda t: t - timedelta(microseconds=1)),
            st.datetimes(
                min_value=datetime(2026, 10, 1),
                max_value=datetime(2026, 10, 8),
                timezones=st.just(UTC),
            ),
        )
    )
    made = [i for i, t in enumerate(times) if t <= known_at]
    expected = cases[made[-1]] if made else None
    assert history.case_at(known_at) == expected
    # and built again from the stored revisions alone, with nothing remembered
    assert CaseHistory(history.revisions).case_at(known_at) == expected


@settings(max_examples=examples(200))
@given(mst.case_histories())
def test_the_last_revisions_case_file_is_the_latest(history: CaseHistory) -> None:
    last = history.revisions[-1].at
    assert history.case_at(last) == history.latest
    rebuilt = CaseHistory(history.revisions)
    assert rebuilt.latest == history.latest
    for i, revision in enumerate(history.revisions):
        # every revision made at the same instant or before, never one after
        upto = max(j for j, r in enumerate(history.revisions) if r.at <= revision.at)
        assert upto >= i
        assert rebuilt.case_at(revision.at) == CaseHistory(history.revisions[: upto + 1]).latest


# --- a field's history ---------------------------------------------------------------------


def test_changes_to_a_field_lists_each_revision_that_changed_it() -> None:
    history = _amended_history()
    grade = history.changes_to("$.episodes[0].risk_grades[0].grade")
    assert [(c.index, c.kind, c.before, c.after) for c in grade] == [
        (0, "added", None, "medium"),
        (1, "changed", "medium", "high"),
    ]
    assert (grade[1].at, grade[1].by, grade[1].why) == (
        T0 + timedelta(days=2),
        MANAGER,
        "Grade corrected",
    )
    # a record that holds the field changed with it; a field beside it did not
    assert [c.index for c in history.changes_to("$.episodes[0]")] == [0, 1]
    assert [c.index for c in history.changes_to("$.episodes[0].last_seen_at")] == [0]
    assert history.changes_to("$.conversations[0]") == ()


def test_a_record_removed_is_listed_as_removed() -> None:
    case = _graded("medium")
    history = CaseHistory().append(case, at=T0)
    history = history.append(attrs.evolve(case, episodes=()), at=T0 + timedelta(hours=1))
    removed = history.changes_to("$.episodes[0].risk_grades[0].grade")
    assert [(c.index, c.kind, c.before, c.after) for c in removed] == [
        (0, "added", None, "medium"),
        (1, "removed", "medium", None),
    ]


def test_changes_to_takes_only_a_field_path() -> None:
    with pytest.raises(ValueError, match="field path"):
        _amended_history().changes_to("episodes.0.risk")


@settings(max_examples=examples(200))
@given(mst.case_histories(), st.data())
def test_a_fields_history_agrees_with_the_case_file_at_each_revision(
    history: CaseHistory, data: st.DataObject
) -> None:
    path = data.draw(st.sampled_from(("$.child", "$.episodes[0]", "$.context[1].at", "$.factors")))
    listed = {c.index: c for c in history.changes_to(path)}
    before = None
    rebuilt = CaseHistory(history.revisions)
    for i in range(len(history)):
        now = _value_at(CaseHistory(rebuilt.revisions[: i + 1]).latest, path)
        if now != before:
            assert listed[i].before == before
            assert listed[i].after == now
        else:
            assert i not in listed
        before = now


def _value_at(case: mc.CaseFile, path: str) -> object:
    import json

    value: object = json.loads(mc.to_json(case))
    for key, index in re.findall(r"\.(\w+)|\[(\d+)\]", path):
        if key and isinstance(value, dict):
            value = value.get(key)
        elif index and isinstance(value, list) and int(index) < len(value):
            value = value[int(index)]
        else:
            return None
    return value


# --- JSON lines ----------------------------------------------------------------------------


@settings(max_examples=examples(200))
@given(mst.case_histories())
def test_a_history_round_trips_through_json_lines(history: CaseHistory) -> None:
    lines = _lines(history)
    back = CaseHistory.read(lines)
    assert back == history
    assert back.latest == history.latest
    assert _lines(back) == lines
    back.verify()
    for line, revision in zip(lines, history.revisions, strict=True):
        assert line == revision.to_json() + b"\n"
        assert Revision.from_json(revision.to_json()) == revision


def test_json_lines_from_a_path_and_a_stream(tmp_path: Path) -> None:
    history = _amended_history()
    path = tmp_path / "history.jsonl"
    assert write_revisions(history.revisions, path) == 2
    assert CaseHistory.read(path) == history
    assert CaseHistory.read(str(path)) == history
    with path.open("rb") as stream:
        assert list(read_revisions(stream)) == list(history.revisions)
    # text lines are read as well; the last line may lack its newline
    text = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    assert CaseHistory.read(text) == history


def test_the_canonical_json_and_digest_of_a_revision_are_fixed() -> None:
    """The same revision gives the same bytes and digest on any host, in any release."""
    revision = Revision(
        index=0,
        at=datetime(2026, 10, 2, 9, 30, tzinfo=UTC),
        by=MANAGER,
        why="Première note",
        changes=(Change("add", "$", '{"child":{"id":"C1"},"placements":[]}'),),
        schema_version=1,
        digest="0" * 64,
    )
    assert (
        revision.body()
        == (
            '{"at":"2026-10-02T09:30:00Z","by":"registered_manager","changes":[{"op":"add",'
            '"path":"$","value":{"child":{"id":"C1"},"placements":[]}}],"index":0,'
            '"schema_version":1,"why":"Première note"}'
        ).encode()
    )
    digest = hashlib.sha256(revision.body()).hexdigest()
    assert digest == "ad73d979dff6b41ccbbcbfa8a430e2676e882e82a0f815d5d751be0a4df72aad"


def test_a_change_holds_canonical_json_only() -> None:
    with pytest.raises(mc.ValidationError) as info:
        Change("replace", "$.child.id", '{"b": 1, "a": 2}')
    assert info.value.violations[0].code == "not_canonical"
    with pytest.raises(mc.ValidationError):
        Change("remove", "$.child.id", '"x"')
    with pytest.raises(mc.ValidationError):
        Change("add", "$.child.id")
    with pytest.raises(mc.ValidationError) as info:
        Change("add", "child.id", '"x"')
    assert info.value.violations[0].code == "invalid_path"


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        (lambda line: line.replace(b'{"at"', b'{ "at"', 1), "not_canonical"),
        (lambda line: line.replace(b'"index":1', b'"index":1,"index":1', 1), "duplicate_key"),
        (lambda line: line.replace(b'"index":1', b'"index":1,"x":1', 1), "unknown_key"),
        (lambda line: line.replace(b'"index":1', b'"index":"1"', 1), "wrong_type"),
        (
            lambda line: line.replace(b'"by":"registered_manager"', b'"by":"boss"', 1),
            "unknown_code",
        ),
        (lambda line: line.replace(b'"at":"2026-10-04T09:00:00Z"', b'"at":"x"', 1), None),
        (lambda line: line.replace(b'"index":1', b'"index":NaN', 1), "invalid_json"),
        (lambda line: line[:-1], "invalid_json"),
        (lambda line: b"\xef\xbb\xbf" + line, "invalid_json"),
        (lambda line: b"", "required"),
    ],
)
def test_a_line_that_is_not_a_revision_as_written_is_refused_with_its_number(
    edit: object, code: str | None
) -> None:
    lines = _lines(_amended_history())
    changed = edit(lines[1].rstrip(b"\n"))  # type: ignore[operator]
    assert changed != lines[1].rstrip(b"\n")
    with pytest.raises(LineError) as info:
        list(read_revisions([lines[0], changed + b"\n"]))
    assert info.value.line == 2
    if code is not None:
        assert code in {v.code for v in info.value.violations}


def test_a_value_nested_too_deeply_is_refused_not_raised() -> None:
    line = _lines(_amended_history())[1]
    deep = b"[" * 200_000 + b"]" * 200_000
    nested = re.sub(rb'"value":"[a-z]+"', b'"value":' + deep, line, count=1)
    assert nested != line
    with pytest.raises(LineError) as info:
        list(read_revisions([nested]))
    assert info.value.line == 1


def test_a_line_longer_than_the_limits_allow_is_refused_unread() -> None:
    lines = _lines(_amended_history())
    with pytest.raises(LineError) as info:
        list(read_revisions(io.BytesIO(b"".join(lines)), limits=Limits(document_bytes=100)))
    assert info.value.line == 1
    assert info.value.violations[0].code == "too_large"


def test_an_extended_roles_vocabulary_is_read_when_given() -> None:
    from missingcare.vocab import Concept

    roles = RELATIONSHIP_ROLES.extend(
        Concept(RELATIONSHIP_ROLES.concepts[0].system, "night_manager", "Night manager")
    )
    history = CaseHistory().append(_graded("medium"), at=T0, by=roles["night_manager"])
    lines = _lines(history)
    with pytest.raises(LineError):
        CaseHistory.read(lines)
    assert CaseHistory.read(lines, vocabularies=[roles]) == history


def _rechained(revisions: tuple[Revision, ...], **changes: Any) -> tuple[Revision, ...]:
    """The revisions with ``changes`` made to each, their digests chained again."""
    out: list[Revision] = []
    for revision in revisions:
        moved = attrs.evolve(revision, previous_digest=out[-1].digest if out else None, **changes)
        out.append(attrs.evolve(moved, digest=hashlib.sha256(moved.body()).hexdigest()))
    return tuple(out)


def test_revisions_written_at_schema_version_1_read_verify_rebuild_and_take_more() -> None:
    """A history outlives the wire format's version: its digests are over the stored changes,
    and an older case file is upgraded when rebuilt (a no-op while the version is 1)."""
    old = CaseHistory(_rechained(_amended_history().revisions, schema_version=1))
    back = CaseHistory.read(_lines(old))
    back.verify()
    assert [r.schema_version for r in back.revisions] == [1, 1]
    assert back.latest == _graded("high")
    assert back.case_at(T0) == _graded("medium")
    assert [c.index for c in back.changes_to("$.episodes[0].risk_grades[0].grade")] == [0, 1]
    more = back.append(_graded("low"), at=T0 + timedelta(days=5))
    assert more.revisions[-1].schema_version == SCHEMA_VERSION
    more.verify()
    assert CaseHistory(more.revisions).latest == _graded("low")


def test_a_revision_of_a_newer_schema_version_is_refused_on_reading() -> None:
    lines = _lines(_amended_history())
    newer = lines[1].replace(
        b'"schema_version":%d' % SCHEMA_VERSION, b'"schema_version":%d' % (SCHEMA_VERSION + 1)
    )
    assert newer != lines[1]
    with pytest.raises(LineError) as info:
        CaseHistory.read([lines[0], newer])
    assert (info.value.line, info.value.violations[0].code) == (2, "unsupported_version")


# --- verify: the chain ---------------------------------------------------------------------


def _canary_history(data: st.DataObject) -> CaseHistory:
    history = data.draw(mst.case_histories(max_revisions=3, max_episodes=2))
    out = CaseHistory()
    for i, revision in enumerate(history.revisions):
        case = CaseHistory(history.revisions[: i + 1]).latest
        out = out.append(case, at=revision.at, by=MANAGER, why=f"{CANARY} {i}")
    return out


@settings(max_examples=examples(500))
@given(st.data())
def test_any_byte_changed_in_any_stored_revision_is_found_and_no_value_is_named(
    data: st.DataObject,
) -> None:
    history = _canary_history(data)
    lines = _lines(history)
    k = data.draw(st.integers(0, len(lines) - 1), label="line")
    line = lines[k]
    at = data.draw(st.integers(0, len(line) - 1), label="byte")
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != line[at]), label="to")
    tampered = [*lines[:k], line[:at] + bytes([byte]) + line[at + 1 :], *lines[k + 1 :]]
    stored = io.BytesIO(b"".join(tampered))
    found: CaseHistory | LineError
    try:
        found = CaseHistory.read(stored)
    except LineError as error:
        found = error
    if isinstance(found, LineError):
        assert found.line == k + 1  # refused on reading, at the line changed
        _no_value_in(found)
        return
    with pytest.raises(HistoryTampered) as info:
        found.verify()
    assert info.value.index == k
    _no_value_in(info.value)


@settings(max_examples=examples(500))
@given(st.data())
def test_verify_lines_finds_any_byte_changed_with_its_revision_index(data: st.DataObject) -> None:
    """The acceptance of issue 22, literally: whatever byte of whatever stored revision is
    changed, verifying the stored lines raises HistoryTampered with that revision's index,
    naming no value; untouched lines verify and give the history back."""
    history = _canary_history(data)
    lines = _lines(history)
    assert CaseHistory.verify_lines(io.BytesIO(b"".join(lines))) == history
    k = data.draw(st.integers(0, len(lines) - 1), label="line")
    line = lines[k]
    at = data.draw(st.integers(0, len(line) - 1), label="byte")
    byte = data.draw(st.integers(0, 255).filter(lambda b: b != line[at]), label="to")
    tampered = [*lines[:k], line[:at] + bytes([byte]) + line[at + 1 :], *lines[k + 1 :]]
    with pytest.raises(HistoryTampered) as info:
        CaseHistory.verify_lines(io.BytesIO(b"".join(tampered)))
    assert info.value.index == k
    _no_value_in(info.value)


@pytest.mark.parametrize("end", [b" ", b"\r", b"\t", b"}"])
def test_the_last_lines_newline_changed_is_found(end: bytes) -> None:
    """The one byte whose change leaves the same JSON: refused as not written so."""
    lines = _lines(_amended_history())
    with pytest.raises(LineError) as info:
        CaseHistory.read(io.BytesIO(lines[0] + lines[1][:-1] + end + b"\n"))
    assert info.value.line == 2


def test_a_changed_revision_whose_digest_was_rewritten_breaks_the_next_link() -> None:
    history = _amended_history().append(_graded("low"), at=T0 + timedelta(days=3))
    first, second, third = history.revisions
    forged = attrs.evolve(second, why="Something else")
    forged = attrs.evolve(forged, digest=hashlib.sha256(forged.body()).hexdigest())
    with pytest.raises(HistoryTampered) as info:
        CaseHistory((first, forged, third)).verify()
    assert info.value.index == 2
    assert info.value.violations[0].code == "broken_chain"


def test_a_revision_removed_moved_or_inserted_is_found() -> None:
    history = _amended_history().append(_graded("low"), at=T0 + timedelta(days=3))
    a, b, c = history.revisions
    for broken, index in (((a, c), 1), ((b, a, c), 0), ((a, c, b), 1), ((a, b, b, c), 2)):
        with pytest.raises(HistoryTampered) as info:
            CaseHistory(broken).verify()
        assert info.value.index == index


def test_revisions_cut_off_the_end_are_found_with_the_digest_kept_apart() -> None:
    history = _amended_history()
    kept = history.revisions[-1].digest
    history.verify(last_digest=kept)
    cut = CaseHistory(history.revisions[:-1])
    cut.verify()  # a chain alone cannot know what followed it
    with pytest.raises(HistoryTampered) as info:
        cut.verify(last_digest=kept)
    assert info.value.violations[0].code == "not_the_last"


def test_a_change_that_does_not_apply_is_found() -> None:
    history = _amended_history()
    first, second = history.revisions
    bad = attrs.evolve(second, changes=(Change("replace", "$.episodes[3].id", '"E9"'),))
    bad = attrs.evolve(bad, digest=hashlib.sha256(bad.body()).hexdigest())
    broken = CaseHistory((first, bad))
    with pytest.raises(HistoryTampered) as info:
        broken.verify()
    assert (info.value.index, info.value.paths) == (1, ("$.changes[0].path",))
    with pytest.raises(HistoryTampered):
        _ = broken.latest


def test_history_tampered_is_a_validation_error_that_pickles() -> None:
    err = HistoryTampered(3, [mc.Violation("$.digest", "digest_mismatch", "expected ...")])
    assert isinstance(err, mc.ValidationError)
    back = pickle.loads(pickle.dumps(err))
    assert (back.index, back.violations) == (3, err.violations)
    assert str(back).startswith("revision 3: 1 violation:")


def test_a_history_or_a_revision_holding_anything_else_is_refused_at_its_position() -> None:
    history = _amended_history()
    with pytest.raises(mc.ValidationError) as info:
        CaseHistory((history.revisions[0], "SECRET"))  # type: ignore[arg-type]
    assert info.value.paths == ("$[1]",)
    assert "SECRET" not in str(info.value)
    first = history.revisions[0]
    with pytest.raises(mc.ValidationError) as info:
        attrs.evolve(first, changes=(*first.changes, "SECRET"))  # type: ignore[arg-type]
    assert info.value.paths == (f"$.changes[{len(first.changes)}]",)
    assert "SECRET" not in str(info.value)
