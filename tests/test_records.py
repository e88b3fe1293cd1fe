"""When each fact was recorded, and wire-format version 2 (issue 22, items 1 and 5)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import missingcare as mc
from missingcare import _fields
from missingcare.converters import (
    DOCUMENTS,
    MODELS,
    SCHEMA_VERSION,
    UPGRADES,
    _reference,
    from_dict,
    from_json,
    make_converter,
    read_lines,
    to_json,
)
from missingcare.episodes import StatusChange
from missingcare.exceptions import NaiveDatetimeError
from missingcare.records import Recorded, as_known_at, recorded_types
from missingcare.testing import builders
from missingcare.testing import strategies as mst
from missingcare.vocabularies import EPISODE_STATUSES, RELATIONSHIP_ROLES

from ._helpers import examples

V1 = Path(__file__).parent / "fixtures" / "wire_v1"

#: The records a person enters (issue 22, item 1), and those the contract adds as cheap (a
#: police report is not: it is nested in the episode, and the research tables spread a nested
#: value over columns one level deep only; the episode's own recording covers it).
ENTERED = {
    mc.MissingEpisode,
    mc.StatusChange,
    mc.ContextEntry,
    mc.Factor,
    mc.UnmetNeed,
    mc.ReturnConversation,
    mc.Notification,
    mc.TrustedAdult,
    mc.SignificantDate,
    mc.Screening,
    mc.RiskGrading,
    mc.SearchAction,
}

AT = datetime(2026, 10, 30, 9, 15, tzinfo=UTC)


# --- the field --------------------------------------------------------------------------


def test_the_types_that_carry_recorded_are_found_from_the_kinds() -> None:
    assert set(recorded_types(mc.CaseFile)) == ENTERED
    for cls in recorded_types(mc.CaseFile):
        name, kind = _fields.kinds(cls)[-1]
        assert name == "recorded", cls.__name__  # the last field, as the contract says
        assert (kind.base, kind.model, kind.optional) == ("nested", Recorded, True)
        assert attrs.fields_dict(cls)["recorded"].default is None
    # nothing else in the model has it
    for cls in set(MODELS) - ENTERED:
        assert "recorded" not in attrs.fields_dict(cls), cls.__name__


def test_recorded_is_an_instant_and_a_role() -> None:
    assert [(n, k.base, k.optional, k.vocabulary) for n, k in _fields.kinds(Recorded)] == [
        ("at", "instant", False, None),
        ("by", "concept", True, "relationship_roles"),
    ]
    with pytest.raises(NaiveDatetimeError):
        Recorded(at=datetime(2026, 10, 30, 9, 15))  # a naive time is refused
    with pytest.raises(mc.ValidationError) as info:
        Recorded(at=AT, by="key_worker")  # type: ignore[arg-type]
    assert info.value.paths == ("$.by",)


def test_recorded_travels_on_the_wire() -> None:
    rec = Recorded(at=AT, by=RELATIONSHIP_ROLES["key_worker"])
    episode = attrs.evolve(
        builders.episode(),
        recorded=rec,
        statuses=tuple(attrs.evolve(s, recorded=Recorded(AT)) for s in builders.episode().statuses),
    )
    data = to_json(episode)
    doc = json.loads(data)
    assert doc["schema_version"] == 2
    assert doc["recorded"] == {"at": "2026-10-30T09:15:00Z", "by": "key_worker"}
    assert doc["statuses"][0]["recorded"] == {"at": "2026-10-30T09:15:00Z"}
    assert list(doc)[-1] == "recorded"
    assert from_json(data, mc.MissingEpisode) == episode
    conv = make_converter()
    assert from_json(data, mc.MissingEpisode, converter=conv) == episode
    assert to_json(episode, converter=conv) == data


def _refused_on_every_path(data: bytes) -> tuple[mc.ValidationError, mc.ValidationError]:
    """The errors refusing an episode document on the fast path and the reference one."""
    errors = []
    for conv in (None, make_converter()):
        with pytest.raises(mc.ValidationError) as info:
            from_json(data, mc.MissingEpisode, converter=conv)
        errors.append(info.value)
    return errors[0], errors[1]


@pytest.mark.parametrize(
    ("recorded", "path", "code"),
    [
        ({}, "$.recorded.at", "required"),
        ({"at": "2026-10-30T09:15:00"}, "$.recorded.at", "naive_datetime"),
        ({"at": "2026-10-30T09:15:00Z", "by": "a name"}, "$.recorded.by", "unknown_code"),
        ({"at": "2026-10-30T09:15:00Z", "who": "x"}, "$.recorded", "unknown_key"),
        (None, "$.recorded", "null"),
        ("2026-10-30T09:15:00Z", "$.recorded", "wrong_type"),
    ],
)
def test_a_bad_recording_is_refused_at_its_path_on_every_path(
    recorded: object, path: str, code: str
) -> None:
    doc = {**json.loads(to_json(builders.episode())), "recorded": recorded}
    fast, reference = _refused_on_every_path(json.dumps(doc).encode())
    assert fast.violations == reference.violations
    assert (fast.violations[0].path, fast.violations[0].code) == (path, code)
    assert "a name" not in str(fast)


# --- version 2, and the upgrade from version 1 ------------------------------------------


def _v1_files() -> list[Path]:
    return sorted(V1.glob("*.json"))


_TYPES = {
    "case_files": mc.CaseFile,
    "context_entry": mc.ContextEntry,
    "evaluation": mc.Evaluation,
    "factor": mc.Factor,
    "finding": mc.Finding,
    "missing_episode": mc.MissingEpisode,
    "placement": mc.Placement,
    "return_conversation": mc.ReturnConversation,
    "trusted_adult": mc.TrustedAdult,
    "unmet_need": mc.UnmetNeed,
}


def test_the_version_1_fixtures_cover_every_document_type() -> None:
    assert SCHEMA_VERSION == 2
    assert set(UPGRADES) == {1}
    assert {p.stem for p in [*_v1_files(), V1 / "case_files.jsonl"]} == set(_TYPES)
    assert set(_TYPES.values()) == set(DOCUMENTS)


def _v1_documents() -> list[tuple[str, type, bytes]]:
    out = [(p.name, _TYPES[p.stem], p.read_bytes().strip()) for p in _v1_files()]
    lines = (V1 / "case_files.jsonl").read_bytes().splitlines()
    out += [(f"case_files.jsonl:{i}", mc.CaseFile, line) for i, line in enumerate(lines, 1)]
    return out


@pytest.mark.parametrize(
    ("name", "cls", "data"), _v1_documents(), ids=[n for n, _, _ in _v1_documents()]
)
def test_a_version_1_document_loads_unchanged_and_is_written_as_version_2(
    name: str, cls: type, data: bytes
) -> None:
    assert json.loads(data)["schema_version"] == 1, "the fixtures stay at version 1"
    for conv in (None, make_converter()):
        told: list[int] = []
        value: Any = from_json(data, cls, upgraded=told.append, converter=conv)
        assert told == [1], name  # the upgrade is noted
        again = to_json(value, converter=conv)
        # unchanged: the same document, but for its version
        assert again == data.replace(b'{"schema_version":1,', b'{"schema_version":2,', 1)
        told.clear()
        assert from_json(again, cls, upgraded=told.append, converter=conv) == value
        assert told == []  # the current version is not an upgrade
    doc = json.loads(data)
    told = []
    assert from_dict(doc, cls, upgraded=told.append) == value
    assert told == [1]


def test_a_version_1_document_says_recording_time_unknown() -> None:
    case = next(read_lines(V1 / "case_files.jsonl", mc.CaseFile))
    assert case.episodes
    for episode in case.episodes:
        assert episode.recorded is None
        assert all(s.recorded is None for s in episode.statuses)


def test_a_refused_document_is_not_reported_as_upgraded() -> None:
    told: list[int] = []
    bad = b'{"schema_version":1,"child":{"id":""}}'
    for conv in (None, make_converter()):
        with pytest.raises(mc.ValidationError):
            from_json(bad, mc.CaseFile, upgraded=told.append, converter=conv)
    assert told == []


class _Unreachable:
    """Stands for the reference path: the fast path may tell an upgrade through it, no more."""

    noted = staticmethod(_reference.noted)

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"the fast path reached the reference path ({name})")


def test_a_version_1_document_is_read_on_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    # its body is a version-2 body: the fast path need not hand it to the converter
    from missingcare.converters import _fast

    monkeypatch.setattr(_fast, "_reference", _Unreachable())
    told: list[int] = []
    for path in _v1_files():
        cls = _TYPES[path.stem]
        assert type(_fast.default_wire().load(path.read_bytes(), cls, told.append)) is cls
    assert told == [1] * len(_v1_files())


def test_an_unknown_version_is_refused() -> None:
    for version in (0, 3):
        with pytest.raises(mc.ValidationError) as info:
            from_json(json.dumps({"schema_version": version, "child": {"id": "C"}}), mc.CaseFile)
        assert info.value.violations[0].code == "unsupported_version"


def _no_recorded(doc: Any) -> bool:
    if isinstance(doc, dict):
        return "recorded" not in doc and all(_no_recorded(v) for v in doc.values())
    if isinstance(doc, list):
        return all(_no_recorded(v) for v in doc)
    return True


def test_the_fixtures_were_written_before_recorded_existed() -> None:
    for _, _, data in _v1_documents():
        assert _no_recorded(json.loads(data))


# --- a case file as known at an instant --------------------------------------------------


def _recordings(value: Any) -> Iterator[Recorded]:
    """Every recording in a model value, at any depth."""
    if isinstance(value, Recorded):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _recordings(item)
    elif attrs.has(type(value)):
        for a in attrs.fields(type(value)):
            yield from _recordings(getattr(value, a.name))


def _records(case: mc.CaseFile) -> Counter[tuple[str, str]]:
    """What a case file holds, as (list, id or event time) items: to compare two of them."""
    out: Counter[tuple[str, str]] = Counter()
    for name in ("episodes", "conversations", "context", "factors", "needs", "trusted_adults"):
        out.update((name, x.id) for x in getattr(case, name))
    for name in ("screenings", "significant_dates"):
        out.update((name, x.id) for x in getattr(case, name))
    for e in case.episodes:
        for name in ("statuses", "risk_grades", "search_actions", "notifications"):
            out.update((f"{e.id}.{name}", x.at.isoformat()) for x in getattr(e, name))
    return out


@st.composite
def _known_ats(draw: st.DrawFn, case: mc.CaseFile) -> datetime:
    """An instant to know the case file at: most often at or next to one of its recordings."""
    times = [r.at for r in _recordings(case)]
    near: int = draw(st.integers(0, 4))
    if times and near:
        return draw(st.sampled_from(times)) + timedelta(minutes=draw(st.sampled_from([-1, 0, 1])))
    return draw(mst.instants())


@settings(max_examples=examples(300), deadline=None)
@given(st.data())
def test_as_known_at_never_sees_a_record_written_after_it(data: st.DataObject) -> None:
    case = data.draw(mst.case_files())
    known_at = data.draw(_known_ats(case))
    known = as_known_at(case, known_at)
    assert all(r.at <= known_at for r in _recordings(known))
    # a valid case file (the constructor checked it), and a document like any other
    assert from_json(to_json(known), mc.CaseFile) == known
    # nothing is left out that was written by then, but for what depends on what was
    if all(r.at <= known_at for r in _recordings(case)):
        assert known is case
    else:
        assert known != case
    # a record of unknown recording time is kept unless what it depends on is left out
    unknown = [c for c in case.context if c.recorded is None]
    assert all(c in known.context for c in unknown)


@settings(max_examples=examples(300), deadline=None)
@given(st.data())
def test_as_known_at_is_idempotent_and_monotone(data: st.DataObject) -> None:
    case = data.draw(mst.case_files())
    first, second = sorted((data.draw(_known_ats(case)), data.draw(_known_ats(case))))
    earlier, later = as_known_at(case, first), as_known_at(case, second)
    assert as_known_at(earlier, first) is earlier  # idempotent: nothing more to leave out
    assert as_known_at(later, first) == earlier  # knowing later, then earlier: the same
    assert not _records(earlier) - _records(later)  # monotone: nothing known is unknown later
    assert as_known_at(case, datetime(2200, 12, 31, tzinfo=UTC)) is case


def test_as_known_at_leaves_out_what_depends_on_a_record_left_out() -> None:
    day = datetime(2026, 11, 2, tzinfo=UTC)
    episode = builders.episode()
    late = attrs.evolve(episode, recorded=Recorded(day + timedelta(days=13)))
    case = builders.case_file(
        late,
        conversations=[builders.conversation("RC1", late.id)],
        factors=(builders.factor("F1", "conflict_with_staff", day, episode_ids=(late.id,)),),
        screenings=(builders.screening("S1", day, late.id),),
    )
    known = as_known_at(case, day)
    assert (known.episodes, known.conversations, known.factors, known.screenings) == (
        (),
        (),
        (),
        (),
    )
    assert known.child == case.child
    assert known.placements == case.placements
    assert as_known_at(case, day + timedelta(days=13)) is case


def test_as_known_at_keeps_an_episode_without_the_parts_written_later() -> None:
    day = datetime(2026, 11, 2, tzinfo=UTC)
    episode = builders.episode()
    # away, then missing (written up a week later), then away again
    first = episode.statuses[0]
    statuses = (
        attrs.evolve(first, status=EPISODE_STATUSES["away_without_authorisation"]),
        StatusChange(
            first.at + timedelta(hours=1),
            EPISODE_STATUSES["missing"],
            Recorded(day + timedelta(days=7)),
        ),
        StatusChange(first.at + timedelta(hours=2), EPISODE_STATUSES["away_without_authorisation"]),
    )
    case = builders.case_file(attrs.evolve(episode, statuses=statuses, recorded=Recorded(day)))
    known = as_known_at(case, day)
    assert known.episodes[0].statuses == statuses[:1]  # the same status twice is one
    assert known.episodes[0].recorded == Recorded(day)


def test_as_known_at_refuses_a_naive_instant() -> None:
    case = builders.case_file(builders.episode())
    with pytest.raises(NaiveDatetimeError) as info:
        as_known_at(case, datetime(2026, 11, 2))
    assert info.value.paths == ("$.known_at",)  # the argument's name, as evaluate says it


# --- shown to people ------------------------------------------------------------------


def test_the_episode_report_says_when_the_record_was_written_or_that_it_is_unknown() -> None:
    pytest.importorskip("jinja2")
    pytest.importorskip("matplotlib")
    from missingcare.reports import episode_report

    episode = builders.episode()
    as_of = datetime(2026, 12, 1, tzinfo=UTC)
    page = episode_report(builders.case_file(episode), episode.id, as_of=as_of)
    assert "This record: recording time unknown." in page
    written = Recorded(
        episode.last_seen_at + timedelta(days=13, hours=2), RELATIONSHIP_ROLES["key_worker"]
    )
    late = attrs.evolve(episode, recorded=written)
    page = episode_report(builders.case_file(late), episode.id, as_of=as_of)
    assert "by key worker" in page
    assert "recording time unknown" not in page
    # the version-1 fixture's episodes are shown as of unknown recording time
    case = next(read_lines(V1 / "case_files.jsonl", mc.CaseFile))
    page = episode_report(case, case.episodes[0].id, as_of=as_of)
    assert "This record: recording time unknown." in page


@pytest.mark.parametrize("direction", [["push"], {"push": 1}, 3, None])
def test_a_factor_whose_direction_is_not_text_is_refused_at_the_direction(
    direction: object,
) -> None:
    # found by the mutation test once the strategies drew recordings: a list or an object
    # for the direction, which picks the concept's vocabulary, was refused at "$" ("invalid")
    doc = json.loads((V1 / "factor.json").read_bytes())
    doc["direction"] = direction
    for conv in (None, make_converter()):
        with pytest.raises(mc.ValidationError) as info:
            from_json(json.dumps(doc), mc.Factor, converter=conv)
        assert info.value.paths == ("$.direction",)


def test_a_version_1_document_is_refused_alike_on_every_path() -> None:
    # read as version 2 by the fast path and the refusal path (SAME_BODY): the same errors
    doc = json.loads((V1 / "missing_episode.json").read_bytes())
    doc["last_seen_at"] = "2025-06-01T10:00:00"
    doc["statuses"][0]["status"] = "gone"
    fast, reference = _refused_on_every_path(json.dumps(doc).encode())
    assert fast.violations == reference.violations
    assert {v.path for v in fast.violations} >= {"$.last_seen_at", "$.statuses[0].status"}
