"""The faster paths ``missingcare check`` runs on give exactly what the straightforward ones give.

Each optimisation for issue 21's "summary in under 3 s" is compared here with the
path it replaces, on a synthetic cohort: ``--jobs 2`` with ``--jobs 1``, the
rule kit's direct construction of findings with ``Finding(...)``, templates
parsed once with :meth:`string.Formatter.vformat`, the pairs kept by
``to_params`` with its long way, and ``format_local``'s one conversion with the
composition of :func:`~missingcare.time.local_datetime` and
:func:`~missingcare.time.zone_abbreviation`. Speed itself is measured in
``benchmarks/check_scale.py``, never here.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

from missingcare import CaseFile, from_json, to_json
from missingcare._fields import to_params
from missingcare.analysis.before import before_window, window_log
from missingcare.cli import check as check_module
from missingcare.converters._make import maker
from missingcare.exceptions import ValidationError
from missingcare.findings import (
    Evaluation,
    Finding,
    Outcome,
    RuleRef,
    Severity,
    Strength,
    _formatter,
    render_message,
)
from missingcare.rules import evaluate, get_pack
from missingcare.time import format_local, local_datetime, zone_abbreviation
from tests._helpers import run_cli, synth_cohort

AS_OF = "2026-04-01T08:00:00Z"
T0 = datetime(2026, 4, 1, 8, tzinfo=UTC)


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synth_cohort(tmp_path_factory.mktemp("paths"), children=25, seed=5)


@pytest.fixture(scope="module")
def mixed(cohort: Path) -> Path:
    """The cohort with invalid records, a blank line and another document type among
    its lines, so that the parts sent to processes hold each kind."""
    lines = cohort.read_bytes().splitlines(keepends=True)
    other = json.dumps({"schema_version": 1, "id": "E-1"}).encode() + b"\n"
    lines[3:3] = [b'{"schema_version": 1, "child": {}}\n', b"\n", b"not json\n"]
    lines[17:17] = [other, b"[1, 2]\n"]
    path = cohort.with_name("mixed.jsonl")
    path.write_bytes(b"".join(lines))
    return path


@pytest.fixture(scope="module")
def findings(cohort: Path) -> list[Finding]:
    pack = get_pack("GB-ENG")
    out: list[Finding] = []
    with cohort.open("rb") as lines:
        for line in lines:
            out += evaluate(from_json(line, CaseFile), pack=pack, as_of=T0).findings
    assert len(out) > 300
    return out


# --- --jobs N ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options",
    [
        ("--limit", "7"),
        ("--all",),
        ("--format", "json"),
        ("--format", "json", "--all"),
    ],
)
def test_jobs_give_the_same_output_in_the_same_order(
    mixed: Path, options: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    # small parts: the records of one run are judged by several processes, in many parts
    monkeypatch.setattr(check_module, "_PART_LINES", 4)
    one = run_cli("check", str(mixed), "--as-of", AS_OF, *options)
    two = run_cli("check", str(mixed), "--as-of", AS_OF, *options, "--jobs", "2")
    assert one.exit_code == two.exit_code == 1
    assert two.stdout == one.stdout
    assert two.stderr == one.stderr
    # the invalid records keep their own line numbers whichever part they were in
    text = one.stdout + one.stderr
    for number in (4, 6, 18, 19):
        assert f"mixed.jsonl line {number}" in text, number


def test_jobs_read_standard_input_too(cohort: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check_module, "_PART_LINES", 3)
    data = cohort.read_bytes()
    one = run_cli("check", "-", "--as-of", AS_OF, stdin=data)
    two = run_cli("check", "-", "--as-of", AS_OF, "-j", "0", stdin=data)  # 0: one per core
    assert one.exit_code == two.exit_code == 1
    assert two.stdout == one.stdout


def test_without_jobs_a_large_file_is_shared_between_the_cores(
    cohort: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cores = check_module._cores()
    assert check_module._jobs(None, None) == 1  # standard input: size unknown
    assert check_module._jobs(None, check_module._AUTO_BYTES - 1) == 1
    assert check_module._jobs(None, check_module._AUTO_BYTES) == min(cores, 4)
    assert check_module._jobs(0, 10) == cores
    assert check_module._jobs(3, None) == 3
    # the default on a "large" file starts the processes; the output is the same
    started: list[int] = []
    pool = check_module._Pool

    class Counted(pool):  # type: ignore[misc, valid-type]
        def __init__(self, jobs: int, judge: Any) -> None:
            started.append(jobs)
            super().__init__(max(jobs, 2), judge)

    monkeypatch.setattr(check_module, "_Pool", Counted)
    monkeypatch.setattr(check_module, "_AUTO_BYTES", 1)
    monkeypatch.setattr(check_module, "_cores", lambda: 2)
    auto = run_cli("check", str(cohort), "--as-of", AS_OF, "--all")
    assert started == [2]
    one = run_cli("check", str(cohort), "--as-of", AS_OF, "--all", "--jobs", "1")
    assert started == [2]  # --jobs 1: no processes
    assert auto.exit_code == one.exit_code == 1
    assert auto.stdout == one.stdout


def test_jobs_are_refused_below_zero(cohort: Path) -> None:
    result = run_cli("check", str(cohort), "--as-of", AS_OF, "--jobs", "-1")
    assert result.exit_code == 2


# --- the rule kit's findings ---------------------------------------------------------------


def test_every_finding_is_what_finding_would_build(findings: list[Finding]) -> None:
    for f in findings:
        values = {a.name: getattr(f, a.name) for a in attrs.fields(Finding)}
        again = Finding(**{**values, "params": dict(f.params)})  # the long way, from a mapping
        assert again == f
        assert type(again.params) is tuple
        assert again.params == f.params


def _finding_values(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "rule": RuleRef("GB-ENG", "2015-04", "r1"),
        "outcome": Outcome.PENDING,
        "severity": Severity.WARNING,
        "strength": Strength.STATUTORY_GUIDANCE,
        "subject": "$.episodes[0]",
        "message_id": "gb-eng.r1.pending",
        "text": "Due.",
        "params": (("due", T0),),
        "due": T0,
        "observed": None,
        "evidence": ("$.episodes[0].returned_at",),
        "episode_id": "E1",
        "conversation_id": None,
        "zone": "Europe/London",
    }
    return {**values, **changes}


@pytest.mark.parametrize(
    "changes",
    [
        {"evidence": (" ",)},  # a blank path in a tuple: the class refuses it
        {"evidence": ("",)},
        {"evidence": ("$.a", "$.a")},
        {"subject": " "},
        {"text": ""},
        {"params": (("b", 1), ("a", 2))},  # out of order: sorted, not kept
        {"params": (("a", 1), ("a", 2))},
        {"params": (("a", [1]),)},
        {"params": (("a", "\ud800"),)},
        {"due": datetime(2026, 4, 1, 9)},  # naive
        {"zone": "Mars/Base"},
    ],
)
def test_direct_construction_refuses_or_converts_as_the_class_does(
    changes: dict[str, Any],
) -> None:
    values = _finding_values(**changes)
    make = maker(Finding)
    refused: Exception | None = None
    try:
        expected = Finding(**values)
    except (ValidationError, TypeError, ValueError) as exc:
        refused = exc
    if refused is None:
        assert make(**values) == expected
        return
    with pytest.raises(type(refused)) as raised:
        make(**values)
    assert str(raised.value) == str(refused)


def test_a_blank_evidence_path_is_refused_on_the_wire_as_by_the_class() -> None:
    # the wire's fast path took " " where Finding(...) refuses it
    good = Finding(**_finding_values())
    data = to_json(good).replace(b'"$.episodes[0].returned_at"', b'" "')
    with pytest.raises(ValidationError, match=r"\$\.evidence\[0\]"):
        from_json(data, Finding)


def test_pairs_are_kept_as_the_long_way_keeps_them() -> None:
    class Text(str):
        __slots__ = ()

    cases: list[Any] = [
        (("a", 1), ("b", "x"), ("c", T0), ("d", timedelta(hours=1)), ("e", True)),
        (("a", Text("x")),),  # a subclass: the long way, which keeps it too
        (("", 1),),
        (),
    ]
    for pairs in cases:
        out = to_params(pairs)
        assert out is pairs
    assert to_params({"b": 1, "a": 2}) == (("a", 2), ("b", 1))
    assert to_params([("b", 1), ("a", 2)]) == (("a", 2), ("b", 1))


# --- message text --------------------------------------------------------------------------


def test_templates_read_once_render_as_vformat(findings: list[Finding]) -> None:
    pack = get_pack("GB-ENG")
    rules = {r.code: r for r in pack.rules()}
    for f in findings:
        template = rules[f.rule.code].template(f.message_id.rsplit(".", 1)[1])
        assert f.text == _formatter(f.zone).vformat(template, (), f.parameters)


@pytest.mark.parametrize(
    "template",
    [
        "{a} and {{literal}} {b:>6}, {n:time/times}",
        "{a!r} {b}",  # a conversion: vformat itself
        "{b:{w}}",  # a nested spec: vformat itself
        "{a}{b}",
        "plain",
    ],
)
def test_every_template_form_renders_as_vformat(template: str) -> None:
    params: dict[str, int | str] = {"a": 5, "b": "x", "n": 3, "w": 4}
    used = {k: v for k, v in params.items() if "{" + k in template}
    expected = _formatter("Europe/London").vformat(template, (), used)
    assert render_message(template, used, zone="Europe/London", strict=False) == expected


def test_format_local_is_the_wall_clock_and_the_abbreviation() -> None:
    # every half hour across the autumn change in three zones, and UTC
    start = datetime(2026, 10, 24, 20, tzinfo=UTC)
    for zone in ("Europe/London", "America/Sao_Paulo", "Australia/Lord_Howe", None):
        for step in range(96):
            at = start + timedelta(minutes=30 * step)
            local = at if zone is None else local_datetime(at, zone)
            clock = f"{local:%H:%M}"
            day = f"{local:%a} {local.day} {local:%B} {local.year}"
            assert format_local(at, zone) == f"{clock} on {day} ({zone_abbreviation(at, zone)})"


def test_an_ordered_tuple_is_sorted_as_sorted_sorts_it(findings: list[Finding]) -> None:
    some = findings[:60]
    for shuffled in (some[::-1], some[1::2] + some[::2], some):
        ev = Evaluation(
            pack="GB-ENG", edition="2015-04", as_of=T0, child_id="C1", findings=tuple(shuffled)
        )
        assert ev.findings == tuple(sorted(shuffled, key=lambda f: f.sort_key))


def test_the_window_log_is_the_before_windows_entries_and_dates(cohort: Path) -> None:
    seen = 0
    with cohort.open("rb") as lines:
        for line in lines:
            case = from_json(line, CaseFile)
            for episode in case.episodes:
                window = before_window(case, episode.id)
                assert window_log(case, episode.id) == (window.entries, window.dates)
                seen += bool(window.entries)
    assert seen
