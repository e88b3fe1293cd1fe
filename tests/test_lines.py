"""Findings as documents and JSON lines of any document type (issue 21, item 3)."""

from __future__ import annotations

import io
import pickle
import re
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import missingcare as mc
from missingcare.converters import Limits, read_lines, scan_lines, to_json, write_lines
from missingcare.exceptions import LineError
from missingcare.findings import Outcome, ParamValue, RuleRef, Severity, Strength
from missingcare.testing import builders

CANARY = "CANARY-Zq7xJane-Doe-9434765919"


def _evaluation() -> mc.Evaluation:
    case = builders.case_file(builders.episode())
    return mc.evaluate(case, pack="GB-ENG", as_of=datetime(2026, 11, 1, tzinfo=UTC))


def test_an_evaluation_and_its_findings_are_documents() -> None:
    evaluation = _evaluation()
    assert evaluation.findings
    data = to_json(evaluation)  # raised TypeError: "not a top-level document type"
    assert mc.from_json(data, mc.Evaluation) == evaluation
    for finding in evaluation.findings:
        assert mc.from_json(to_json(finding), mc.Finding) == finding


PARAMS: dict[str, ParamValue] = {"due": datetime(2201, 1, 3, tzinfo=UTC), "count": 3, "late": False}


def _late_finding() -> mc.Finding:
    return mc.Finding(
        rule=RuleRef("GB-ENG", "2015-04", "return-conversation-72h"),
        outcome=Outcome.PENDING,
        severity=Severity.WARNING,
        strength=Strength.STATUTORY_GUIDANCE,
        subject="$.episodes[0]",
        message_id="gb-eng.return-conversation-72h.pending",
        text="due",
        params=PARAMS,
        due=datetime(2201, 1, 3, tzinfo=UTC),
    )


def test_a_deadline_after_the_accepted_range_still_round_trips() -> None:
    finding = _late_finding()
    data = to_json(finding)
    assert b'{"name":"count","number":3}' in data
    assert b'{"name":"late","flag":false}' in data
    back = mc.from_json(data, mc.Finding)
    assert back == finding
    assert back.parameters == finding.parameters
    assert type(back.parameters["count"]) is int
    assert type(back.parameters["late"]) is bool


def test_a_parameter_names_its_path_and_never_its_value() -> None:
    good = to_json(_late_finding())
    data = re.sub(rb'"number":\d+', b'"number":"' + CANARY.encode() + b'"', good, count=1)
    assert data != good
    with pytest.raises(mc.ValidationError) as info:
        mc.from_json(data, mc.Finding)
    assert CANARY not in str(info.value)
    assert info.value.violations[0].path.endswith(".number")
    assert info.value.violations[0].code == "wrong_type"
    two = good.replace(b'{"name":', b'{"flag":true,"name":', 1)
    with pytest.raises(mc.ValidationError) as info:
        mc.from_json(two, mc.Finding)
    assert any(".params[" in p for p in info.value.paths)
    assert {v.code for v in info.value.violations} == {"invalid_param"}


def test_lines_round_trip_through_a_file(tmp_path: Path) -> None:
    cases = [mc.CaseFile(child=mc.ChildRef(f"C-{i}")) for i in range(5)]
    path = tmp_path / "cases.jsonl"
    assert write_lines(cases, path) == 5
    assert list(read_lines(path, mc.CaseFile)) == cases
    assert path.read_bytes() == b"".join(to_json(c) + b"\n" for c in cases)
    # text lines too, and blank lines are skipped (their numbers still count)
    text = ["", to_json(cases[0]).decode(), "  "]
    assert list(scan_lines(text, mc.CaseFile)) == [(2, cases[0])]


def test_every_error_names_its_line_and_paths_never_the_value() -> None:
    lines = [
        to_json(mc.CaseFile(child=mc.ChildRef("C-1"))),
        b'{"schema_version":1,"child":{"id":"' + CANARY.encode() + b'","x":1}}',
        b"{oops " + CANARY.encode(),
        to_json(builders.episode(clothing=CANARY)),
    ]
    found = list(scan_lines(lines, mc.CaseFile))
    assert [n for n, _ in found] == [1, 2, 3, 4]
    errors = [e for _, e in found if isinstance(e, LineError)]
    assert [e.line for e in errors] == [2, 3, 4]
    assert errors[0].paths == ("$.child",)
    assert errors[1].violations[0].code == "invalid_json"
    assert errors[2].document == "MissingEpisode"
    assert errors[0].document is None
    for error in errors:
        assert CANARY not in str(error)
        assert CANARY not in repr(error)
        assert str(error).startswith(f"line {error.line}")
        again = pickle.loads(pickle.dumps(error))
        assert (again.line, again.violations, again.document) == (
            error.line,
            error.violations,
            error.document,
        )
    with pytest.raises(LineError) as info:
        list(read_lines(lines, mc.CaseFile))
    assert info.value.line == 2
    assert info.value.__cause__ is None
    assert info.value.__context__ is None


def test_a_line_over_the_largest_document_is_refused_without_being_held() -> None:
    long = b'{"schema_version":1,"child":{"id":"' + b"x" * 5000 + b'"}}\n'
    good = to_json(mc.CaseFile(child=mc.ChildRef("C-1"))) + b"\n"
    stream = io.BytesIO(good + long + good)
    found = list(scan_lines(stream, mc.CaseFile, limits=Limits(document_bytes=200)))
    assert [(n, type(v).__name__) for n, v in found] == [
        (1, "CaseFile"),
        (2, "LineError"),
        (3, "CaseFile"),
    ]
    error = found[1][1]
    assert isinstance(error, LineError)
    assert error.violations[0].code == "too_large"


def _many(n: int) -> Iterator[bytes]:
    line = to_json(builders.case_file(builders.episode())) + b"\n"
    for _ in range(n):
        yield line


def test_reading_lines_holds_one_document_at_a_time() -> None:
    # memory as allocations, not time: reading 5,000 lines one at a time peaks far below
    # what holding them does (the bound would fail for a reader that kept them)
    def peak(n: int, *, keep: bool) -> int:
        tracemalloc.start()
        if keep:
            held = list(read_lines(_many(n), mc.CaseFile))
            assert len(held) == n
        else:
            for _ in read_lines(_many(n), mc.CaseFile):
                pass
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    peak(5, keep=False)  # warm the caches (the fast path's generated code)
    streamed, held = peak(5000, keep=False), peak(5000, keep=True)
    assert streamed < 1 << 20 < held, (streamed, held)


def test_the_vocabularies_of_a_pack_bind_its_codes() -> None:
    pack = mc.get_pack("GB-ENG")
    lines = [to_json(builders.case_file(builders.episode()))]
    bound = list(read_lines(lines, mc.CaseFile, vocabularies=pack.extended_vocabularies()))
    assert bound == list(read_lines(lines, mc.CaseFile))
    with pytest.raises(TypeError):
        list(read_lines(lines, mc.CaseFile, vocabularies=(), converter=object()))  # type: ignore[arg-type]


def test_only_documents_are_read_or_written() -> None:
    with pytest.raises(TypeError):
        list(read_lines([b"{}"], mc.ChildRef))
    with pytest.raises(TypeError):
        list(read_lines(b"{}", mc.CaseFile))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        write_lines([mc.ChildRef("C-1")], io.BytesIO())
