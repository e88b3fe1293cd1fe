"""When each fact was recorded, and wire-format version 2 (issue 22, items 1 and 5)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs
import pytest

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
from missingcare.exceptions import NaiveDatetimeError
from missingcare.records import Recorded, recorded_types
from missingcare.testing import builders
from missingcare.vocabularies import RELATIONSHIP_ROLES

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
    data = json.dumps(doc).encode()
    errors = []
    for conv in (None, make_converter()):
        with pytest.raises(mc.ValidationError) as info:
            from_json(data, mc.MissingEpisode, converter=conv)
        errors.append(info.value.violations)
        assert (info.value.violations[0].path, info.value.violations[0].code) == (path, code)
        assert "a name" not in str(info.value)
    assert errors[0] == errors[1]


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
