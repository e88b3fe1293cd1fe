"""The fast wire path gives exactly what the reference converter gives.

On valid documents: equal values, and byte-identical JSON when dumping. On
mutated documents (a key dropped, a ``null``, a wrong type, an unknown key, an
unknown code, a non-canonical or invalid timestamp, an empty text…): the same
:class:`ValidationError` with the same violations, or the same value when the
mutation happens to stay valid.
"""

from __future__ import annotations

import builtins
import itertools
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from missingcare import (
    CaseFile,
    ChildRef,
    MissingEpisode,
    ReturnConversation,
    ValidationError,
    from_json,
    to_json,
)
from missingcare.converters import DOCUMENTS, to_dict
from missingcare.converters._fast import FastWire, default_wire
from missingcare.testing import strategies as mst
from missingcare.vocab import Concept, Vocabulary
from missingcare.vocabularies import CORE

WIRE = default_wire()

documents = st.one_of(
    mst.missing_episodes(),
    mst.return_conversations(),
    mst.case_files(),
    mst.context_entries(),
    mst.factors(),
    mst.unmet_needs(),
    mst.trusted_adults(),
    mst.placements(),
)


def _reference_load(data: bytes | str, cls: type) -> object:
    """The reference converter's reading (``from_json`` without one takes the fast path)."""
    return from_json(data, cls, converter=WIRE.converter)


def _outcome(load: Any, data: bytes, cls: type) -> tuple[str, object]:
    try:
        return "value", load(data, cls)
    except ValidationError as exc:
        return "error", exc.violations


@settings(max_examples=120)
@given(documents)
def test_valid_documents_load_and_dump_identically(value: Any) -> None:
    data = to_json(value)
    assert WIRE.dump(value) == data
    loaded = WIRE.load(data, type(value))
    assert loaded == value
    assert type(loaded) is type(value)
    assert WIRE.load(data.decode(), type(value)) == value


# --- mutations --------------------------------------------------------------------

_BAD_INSTANTS = (
    "2026-03-29T01:30:00",  # naive
    "2026-03-29 01:30:00Z",  # space for T
    "2026-03-29T01:30:00.1234567Z",  # more than microseconds
    "2026-03-29T01:30:00+0100",  # offset without colon
    "2026-03-29T01:30Z",  # no seconds
    "2026-02-30T01:30:00Z",  # no such day
    "2026-03-29t01:30:00z",  # lower case (valid, non-canonical)
    "2026-03-29T01:30:00+01:00",  # offset (valid, non-canonical)
    "2026-03-29T01:30:00-00:00",  # valid, non-canonical
    "0001-01-01T00:00:00+01:00",  # before year 1 in UTC
    "2026-03-29T24:00:00Z",
    "2026-03-29T01:30:60Z",
    "２０２６-03-29T01:30:00Z",  # non-ASCII digits
    "2026-03-29T01:30:00.500000Z",  # canonical, with microseconds
    "2026-03-29T01:30:00.5Z",  # valid, one fractional digit
    "2026-03-29T01:30:00.000000Z",  # valid, zero microseconds written out
    "2026-03-29T01:30:00.123456+05:30",  # valid, microseconds and an offset
    "1899-12-31T23:59:59Z",  # canonical, before the accepted range
    "2201-01-01T00:00:00Z",  # canonical, after the accepted range
    "2200-12-31T23:30:00-01:00",  # after the range only in UTC
    "2026-03-29T01:30:00+24:00",  # no such offset
)
#: how the mutants are written: as ``to_json`` writes (compact), and as json.dumps does
_SEPARATORS: tuple[tuple[str, str] | None, ...] = ((",", ":"), None)

_ODD_VALUES: tuple[object, ...] = (
    None,
    True,
    0,
    1.5,
    "",
    " ",
    "x",
    "x" * 10_001,
    "unknown_code",
    "Mars/Olympus",
    [],
    ["x"],
    [None],
    {},
    {"x": 1},
    "2026-03-29",
    *_BAD_INSTANTS,
)


def _paths(doc: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found: list[tuple[object, ...]] = [path]
    if isinstance(doc, dict):
        for k, v in doc.items():
            found += _paths(v, (*path, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            found += _paths(v, (*path, i))
    return found


def _parent(doc: Any, path: tuple[object, ...]) -> Any:
    for key in path[:-1]:
        doc = doc[key]
    return doc


@st.composite
def mutated(draw: st.DrawFn) -> tuple[bytes, type]:
    value = draw(documents)
    doc = to_dict(value)
    for _ in range(draw(st.integers(1, 2))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _parent(doc, path)
        key = path[-1]
        action = draw(st.sampled_from(["replace", "replace", "drop", "extra", "instant"]))
        if action == "drop":
            del parent[key]
        elif action == "extra" and isinstance(parent, dict):
            parent["not_a_field"] = draw(st.sampled_from(_ODD_VALUES))
        elif action == "instant":
            parent[key] = draw(st.sampled_from(_BAD_INSTANTS))
        else:
            parent[key] = draw(st.sampled_from(_ODD_VALUES))
    # compact, as to_json writes, or not
    separators = draw(st.sampled_from(_SEPARATORS))
    return json.dumps(doc, ensure_ascii=False, separators=separators).encode(), type(value)


@settings(max_examples=400)
@given(mutated())
def test_mutated_documents_give_the_same_outcome(case: tuple[bytes, type]) -> None:
    data, cls = case
    assert _outcome(WIRE.load, data, cls) == _outcome(_reference_load, data, cls)


def _exemplars() -> list[Any]:
    """A few rich documents, each with most optional fields filled."""
    from missingcare.testing.synth import iter_case_files

    found: dict[type, list[Any]] = {}
    cases = list(iter_case_files(40, seed=7))
    for case in cases:
        for item in (*case.episodes, *case.conversations, *case.trusted_adults, *case.context):
            found.setdefault(type(item), []).append(item)
        for item in (*case.factors, *case.needs, *case.placements):
            found.setdefault(type(item), []).append(item)
    # the richest few of each type (most keys on the wire)
    chosen = [
        v for items in found.values() for v in sorted(items, key=lambda x: -len(to_json(x)))[:4]
    ]
    smallest = min((c for c in cases if c.episodes), key=lambda c: len(to_json(c)))
    return [*chosen, smallest]


@pytest.mark.parametrize("value", _exemplars(), ids=lambda v: type(v).__name__)
def test_every_single_mutation_gives_the_same_outcome(value: Any) -> None:
    """Each leaf of the document replaced by each odd value, or dropped: same outcome."""
    doc = to_dict(value)
    cls = type(value)
    checked = 0
    paths = [p for p in _paths(doc) if p]
    step = max(1, len(paths) // 40)  # a case file has hundreds: an even sample of them
    for path, separators in itertools.product(paths[::step], _SEPARATORS):
        for replacement in (*_ODD_VALUES, _DROP, _EXTRA):
            mutant = json.loads(json.dumps(doc))
            parent = _parent(mutant, path)
            if replacement is _DROP:
                del parent[path[-1]]
            elif replacement is _EXTRA:
                if not isinstance(parent, dict):
                    continue
                parent["not_a_field"] = 1
            else:
                parent[path[-1]] = replacement
            data = json.dumps(mutant, ensure_ascii=False, separators=separators).encode()
            assert _outcome(WIRE.load, data, cls) == _outcome(_reference_load, data, cls), (
                path,
                separators,
            )
            checked += 1
    assert checked > 20


_DROP = object()
_EXTRA = object()


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"[]",
        b"null",
        b'{"schema_version":1}',
        b'{"schema_version":2,"child":{"id":"C"}}',
        b'{"schema_version":true,"child":{"id":"C"}}',
        b'{"schema_version":1.0,"child":{"id":"C"}}',
        b'{"child":{"id":"C"}}',
        b'{"schema_version":1,"child":{"id":"C"},"child":{"id":""}}',
        b'{"schema_version":1,"child":{"id":"\\ud800"}}',
        b'\xef\xbb\xbf{"schema_version":1,"child":{"id":"C"}}',
        b'{"schema_version":1,"child":{"id":"C","date_of_birth":"2010-02-30"}}',
        b'{"schema_version":1,"child":{"id":"C","date_of_birth":"2010-01-01\\n"}}',
        b'{"schema_version":1,"child":{"id":NaN}}',
        b'{"schema_version":1,"child":{"id":"C"}} x',
        # as to_json writes them
        b'{"schema_version":2,"child":{"id":"C","date_of_birth":"2010-02-28"}}',
        b'{"schema_version":2,"child":{"id":"C","date_of_birth":"2010-02-30"}}',
        b'{"schema_version":2,"child":{"id":"C","date_of_birth":"1899-12-31"}}',
        b'{"schema_version":2,"child":{"id":"C","date_of_birth":"2201-01-01"}}',
        b'{"schema_version":2,"child":{"id":"C","date_of_birth":"2010-1-01"}}',
        b'{"schema_version":2,"child":{"id":"C","date_of_birth":"2010-01-01T00:00:00Z"}}',
        b'{"schema_version":2,"child":{"id":"C"},"child":{"id":"D"}}',
        b'{"schema_version":2,"child":{"id":"\\ud800"}}',
        b'{"schema_version":2,"child":{"id":" "}}',
    ],
)
def test_edge_documents_give_the_same_outcome(data: bytes) -> None:
    assert _outcome(WIRE.load, data, CaseFile) == _outcome(_reference_load, data, CaseFile)


def test_an_invalid_episode_reports_every_violation_like_the_converter() -> None:
    doc = {
        "schema_version": 1,
        "id": "",
        "child_id": "C",
        "placement_id": "P",
        "zone": "Mars/Olympus",
        "last_seen_at": "2026-01-01T10:00:00",
        "statuses": [{"at": "2026-01-01T10:00:00Z", "status": "nope"}],
        "whereabouts": ["street", "street"],
    }
    data = json.dumps(doc).encode()
    with pytest.raises(ValidationError) as fast:
        WIRE.load(data, MissingEpisode)
    with pytest.raises(ValidationError) as slow:
        _reference_load(data, MissingEpisode)
    assert fast.value.violations == slow.value.violations
    assert len(fast.value.violations) >= 3
    assert "Mars" not in str(fast.value)


def test_load_lines_reads_each_line_and_skips_blank_ones() -> None:
    case = CaseFile(child=ChildRef("C-1"))
    lines = [to_json(case), b"  \n", to_json(case) + b"\n"]
    assert list(WIRE.load_lines(lines, CaseFile)) == [case, case]
    with pytest.raises(ValidationError):
        list(WIRE.load_lines([b'{"schema_version":1}'], CaseFile))


def test_every_document_type_has_a_fast_decoder() -> None:
    for cls in DOCUMENTS:
        assert cls in WIRE._decoders


def test_a_non_document_is_refused_like_the_converter() -> None:
    with pytest.raises(TypeError):
        WIRE.load(b"{}", ChildRef)
    with pytest.raises(TypeError):
        WIRE.dump(ChildRef("C"))


def test_local_vocabularies_are_honoured() -> None:
    local = CORE["location_types"].extend(
        Concept("https://example.invalid/vocab", "bus_station", "Bus station")
    )
    wire = FastWire([local])
    at = datetime(2026, 1, 1, 10, tzinfo=UTC)
    doc = {
        "schema_version": 2,
        "id": "E1",
        "child_id": "C",
        "placement_id": "P",
        "zone": "Europe/London",
        "last_seen_at": "2026-01-01T10:00:00Z",
        "statuses": [{"at": "2026-01-01T10:00:00Z", "status": "missing"}],
        "whereabouts": ["bus_station"],
    }
    data = json.dumps(doc).encode()
    episode = wire.load(data, MissingEpisode)
    assert episode.last_seen_at == at
    assert episode.whereabouts[0].code == "bus_station"
    assert wire.dump(episode) == data.replace(b", ", b",").replace(b": ", b":")
    with pytest.raises(ValidationError) as err:
        WIRE.load(data, MissingEpisode)
    assert err.value.violations[0].code == "unknown_code"
    assert isinstance(local, Vocabulary)
    # written as to_json writes it
    compact = wire.dump(episode)
    assert compact.startswith(b'{"schema_version":2,')
    assert wire.load(compact, MissingEpisode) == episode
    with pytest.raises(ValidationError) as err:
        WIRE.load(compact, MissingEpisode)
    assert err.value.violations[0].code == "unknown_code"


def test_conversation_round_trip_keeps_the_childs_words_verbatim() -> None:
    words = 'I went to my nan\'s. "Nobody listens" \u2028 \t café'
    doc = {
        "schema_version": 1,
        "id": "R1",
        "child_id": "C",
        "episode_ids": ["E1"],
        "held_at": "2026-01-02T10:00:00.000120Z",
        "child_account": words,
    }
    value = _reference_load(json.dumps(doc), ReturnConversation)
    assert WIRE.load(json.dumps(doc), ReturnConversation) == value
    assert WIRE.load(to_json(value), ReturnConversation).child_account == words
    assert WIRE.dump(value) == to_json(value)


def test_years_outside_the_accepted_range_are_refused_on_both_paths() -> None:
    # years before 1000 were once read and written (msgspec pads them as the
    # converter does); they are now outside the accepted range (1900-2200)
    def doc(text: str) -> dict[str, object]:
        return {
            "schema_version": 1,
            "id": "E1",
            "child_id": "C",
            "placement_id": "P",
            "zone": "UTC",
            "last_seen_at": text,
            "statuses": [{"at": text, "status": "missing"}],
        }

    for text in ("0999-06-01T12:00:00Z", "1899-12-31T23:59:59Z", "2201-01-01T00:00:00Z"):
        for load in (WIRE.load, _reference_load):
            with pytest.raises(ValidationError) as info:
                load(json.dumps(doc(text)), MissingEpisode)
            assert {v.code for v in info.value.violations} == {"out_of_range"}
    for text, at in (
        ("1900-01-01T00:00:00Z", datetime(1900, 1, 1, tzinfo=UTC)),
        ("2200-12-31T23:59:59.999999Z", datetime(2200, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
    ):
        episode = WIRE.load(json.dumps(doc(text)), MissingEpisode)
        assert episode.last_seen_at == at
        assert WIRE.dump(episode) == to_json(episode, converter=WIRE.converter)


def test_repeated_instants_share_one_value() -> None:
    data = to_json(CaseFile(child=ChildRef("C-1")))
    assert WIRE.load(data, CaseFile) == WIRE.load(data, CaseFile)
    doc = {
        "schema_version": 1,
        "id": "E1",
        "child_id": "C",
        "placement_id": "P",
        "zone": "UTC",
        "last_seen_at": "2026-06-01T12:00:00Z",
        "statuses": [{"at": "2026-06-01T12:00:00Z", "status": "missing"}],
    }
    episode = WIRE.load(json.dumps(doc), MissingEpisode)
    assert episode.statuses[0].at is episode.last_seen_at
    assert episode.last_seen_at.tzinfo is UTC


def test_the_instant_cache_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from missingcare.converters import _fast

    monkeypatch.setattr(_fast, "_SEEN_MAX", 8)
    _fast._SEEN.clear()
    lines = [
        json.dumps(
            {
                "schema_version": 1,
                "id": f"E{i}",
                "child_id": "C",
                "placement_id": "P",
                "zone": "UTC",
                "last_seen_at": f"2026-06-01T12:{i:02d}:00Z",
                "statuses": [{"at": f"2026-06-01T12:{i:02d}:00Z", "status": "missing"}],
            }
        )
        for i in range(40)
    ]
    episodes = list(WIRE.load_lines(lines, MissingEpisode))
    # cleared before a document once full: never more than the bound plus one document's
    assert len(_fast._SEEN) <= 8 + 1
    assert [e.last_seen_at.minute for e in episodes] == list(range(40))
    assert episodes == [from_json(line, MissingEpisode, converter=WIRE.converter) for line in lines]


def test_to_json_and_from_json_run_no_import_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    """The public functions reach the fast path without an import statement per call.

    An import inside ``to_json`` once cost about 1 µs a call, a third of a dump.
    """
    case = CaseFile(child=ChildRef("C-1"))
    data = to_json(case)  # first use: the fast path may be imported here
    imported: list[str] = []
    real = builtins.__import__

    def counting(name: str, *args: Any, **kwargs: Any) -> Any:
        imported.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", counting)
    assert from_json(to_json(case), CaseFile) == case
    assert to_json(case) == data
    assert imported == []


# --- a key repeated: the canonical bytes and the key count ------------------------------


@settings(max_examples=120)
@given(documents)
def test_written_documents_are_their_mirror_written_back(value: Any) -> None:
    # the load's proof that no key is repeated is then one comparison of the bytes
    # (see _fast._CANONICAL_DOCUMENT): the mirror keeps the writer's order and omissions
    data = to_json(value)
    cls = type(value)
    assert WIRE._encode(WIRE._decoders[cls].decode(data)) == data


def _with_key_twice(doc: Any, target: tuple[object, ...], path: tuple[object, ...] = ()) -> str:
    """``doc`` as JSON text, the object at ``target`` with its first key written twice."""
    if isinstance(doc, dict):
        items = [
            f"{json.dumps(k)}:{_with_key_twice(v, target, (*path, k))}" for k, v in doc.items()
        ]
        if path == target:
            items.append(items[0])
        return "{" + ",".join(items) + "}"
    if isinstance(doc, list):
        return (
            "[" + ",".join(_with_key_twice(v, target, (*path, i)) for i, v in enumerate(doc)) + "]"
        )
    return json.dumps(doc, ensure_ascii=False)


@settings(max_examples=150)
@given(documents, st.data())
def test_a_key_repeated_anywhere_is_refused_as_the_converter_refuses_it(
    value: Any, data: st.DataObject
) -> None:
    doc = {"schema_version": 1, **to_dict(value)}
    objects = [p for p in _paths(doc) if isinstance(_parent(doc, (*p, None)), dict)]
    target = data.draw(st.sampled_from(objects))
    text = _with_key_twice(doc, target).encode()
    cls = type(value)
    fast = _outcome(WIRE.load, text, cls)
    reference = _outcome(lambda d, c: from_json(d, c, converter=WIRE.converter), text, type(value))
    assert fast == reference
    assert fast[0] == "error"
    assert "duplicate_key" in {v.code for v in fast[1]}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"topics": ["harm", "safety_planning", "harm"]}, "$.topics"),
        ({"screening": {"categories": ["sexual", "criminal", "sexual"]}}, "$.screening.categories"),
    ],
)
def test_a_repeated_choice_is_refused_on_both_paths(change: dict[str, Any], path: str) -> None:
    # members are counted by identity on the fast path's build (no Enum.__hash__)
    value = next(v for v in _exemplars() if type(v) is ReturnConversation)
    doc = {"schema_version": 1, **to_dict(value), **change}
    data = json.dumps(doc).encode()
    fast = _outcome(WIRE.load, data, ReturnConversation)
    reference = _outcome(
        lambda d, c: from_json(d, c, converter=WIRE.converter), data, ReturnConversation
    )
    assert fast == reference
    assert fast[0] == "error"
    assert (path, "repeated") in {(v.path, v.code) for v in fast[1]}  # type: ignore[attr-defined]


# --- documents written compactly, as to_json writes them ------------------------------

_EPISODE_DOC = {
    "schema_version": 2,
    "id": "E1",
    "child_id": "C",
    "placement_id": "P",
    "zone": "Europe/London",
    "last_seen_at": "2026-06-01T12:00:00Z",
    "statuses": [{"at": "2026-06-01T12:00:00Z", "status": "missing"}],
    "ended_at": "2026-06-02T12:00:00Z",
    "returned_at": "2026-06-02T12:00:00Z",
}


@pytest.mark.parametrize("text", _BAD_INSTANTS)
@pytest.mark.parametrize("field", ["last_seen_at", "returned_at"])
@pytest.mark.parametrize("separators", _SEPARATORS)
def test_an_instant_in_any_form_is_read_as_the_converter_reads_it(
    field: str, text: str, separators: tuple[str, str] | None
) -> None:
    doc = dict(_EPISODE_DOC, **{field: text})
    data = json.dumps(doc, ensure_ascii=False, separators=separators).encode()
    assert _outcome(WIRE.load, data, MissingEpisode) == _outcome(
        _reference_load, data, MissingEpisode
    )
