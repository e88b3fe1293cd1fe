"""Regressions for the boundary defects of issue 18 (1, 6, 7, 8, 13).

Each test here failed on the code before the fix: lone surrogates accepted
and then unwritable (with the document in the exception), instants that
overflow downstream, repeated keys and non-UTF-8 input accepted, an instant
cache that kept a document's data, and refusals that listed every problem.
"""

from __future__ import annotations

import functools
import itertools
import json
import pickle
import traceback
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest

import missingcare as mc
from missingcare import _fields
from missingcare import time as mt
from missingcare.converters import DOCUMENTS, Limits, from_json, make_converter, to_json
from missingcare.converters._documents import MODELS
from missingcare.converters._fast import FastWire, default_wire
from missingcare.converters._make import maker
from missingcare.exceptions import ValidationError
from missingcare.testing import builders
from missingcare.testing.synth import Cohort

CANARY = "CANARY-7f3a-Lucy-Smith"
WIRE = default_wire()


def _reference(data: bytes | str, cls: type) -> Any:
    return from_json(data, cls, converter=WIRE.converter)


LOADS = (pytest.param(from_json, id="fast"), pytest.param(_reference, id="reference"))


def _no_leak(exc: BaseException, *secrets: str) -> None:
    """Neither the error's text, repr, args, chain nor formatted traceback holds a secret."""
    seen = [str(exc), repr(exc), repr(exc.args), "".join(traceback.format_exception(exc))]
    seen += [repr(getattr(exc, "object", ""))]
    for s in secrets:
        for text in seen:
            assert s not in text
    assert exc.__cause__ is None
    assert exc.__context__ is None


@functools.cache
def _samples() -> dict[type, Any]:
    """One valid value of every model class, from a synthetic cohort."""
    found: dict[type, Any] = {}

    def walk(value: object) -> None:
        if type(value) in MODELS:
            found.setdefault(type(value), value)
            for a in attrs.fields(type(value)):  # type: ignore[arg-type]
                walk(getattr(value, a.name))
        elif isinstance(value, tuple):
            for item in value:
                walk(item)

    # in Northern Ireland's terms (core vocabularies only), so the plans, profiles and
    # screenings are there too
    for case in Cohort(children=40, seed=1, pack="GB-NIR"):
        walk(case)
        # and what the rules find about it: findings and evaluations are documents too
        walk(mc.evaluate(case, pack="GB-NIR", as_of=datetime(2026, 4, 1, tzinfo=UTC)))
    assert set(found) == set(MODELS)
    return found


TEXT_FIELDS = [
    (cls, name, kind)
    for cls in MODELS
    for name, kind in _fields.kinds(cls)
    if kind.base in _fields.TEXTUAL
]


# --- defect 1: lone surrogates --------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "name", "kind"), TEXT_FIELDS, ids=[f"{c.__name__}.{n}" for c, n, _ in TEXT_FIELDS]
)
def test_every_text_and_id_field_refuses_a_lone_surrogate(
    cls: type, name: str, kind: _fields.FieldKind
) -> None:
    value = _samples()[cls]
    bad = f"{CANARY}\ud800" if not kind.many else ("ok", f"{CANARY}\udfff")
    with pytest.raises(ValidationError) as info:
        attrs.evolve(value, **{name: bad})
    (v,) = info.value.violations
    assert v.code == "invalid_text"
    assert v.path == (f"$.{name}[1]" if kind.many else f"$.{name}")
    _no_leak(info.value, CANARY)
    # the generated maker (readers of typed sources) refuses it the same way
    fields = {a.name: getattr(value, a.name) for a in attrs.fields(cls)}
    with pytest.raises(ValidationError):
        maker(cls)(**{**fields, name: bad})


def _clothing_doc(text: str) -> str:
    doc = json.loads(to_json(builders.episode(clothing="placeholder")))
    doc["clothing"] = text
    return json.dumps(doc, ensure_ascii=True)


@pytest.mark.parametrize("load", LOADS)
def test_surrogate_escapes_and_str_input_are_refused_with_the_path(load: Any) -> None:
    escaped = _clothing_doc(CANARY + "\ud800")  # ensure_ascii writes "\ud800"
    assert "\\ud800" in escaped
    raw = escaped.replace("\\ud800", "\ud800")  # a str holding the surrogate itself
    for data in (escaped.encode(), escaped, raw):
        with pytest.raises(ValidationError) as info:
            load(data, mc.MissingEpisode)
        assert [(v.path, v.code) for v in info.value.violations] == [("$.clothing", "invalid_text")]
        _no_leak(info.value, CANARY)


@pytest.mark.parametrize("load", LOADS)
def test_cesu8_bytes_are_refused(load: Any) -> None:
    data = _clothing_doc(CANARY + "X").encode().replace(b"X", b"\xed\xa0\x80")
    with pytest.raises(ValidationError) as info:
        load(data, mc.MissingEpisode)
    assert [(v.path, v.code) for v in info.value.violations] == [("$", "invalid_json")]
    _no_leak(info.value, CANARY)


def test_a_surrogate_pair_written_as_escapes_is_text() -> None:
    value = from_json(_clothing_doc(CANARY + "\U0001f600"), mc.MissingEpisode)
    assert value.clothing == CANARY + "\U0001f600"
    assert from_json(to_json(value), mc.MissingEpisode) == value


@pytest.mark.parametrize("converter", [None, WIRE.converter], ids=["fast", "reference"])
def test_to_json_never_raises_an_error_that_holds_the_document(converter: Any) -> None:
    conv = builders.episode(clothing=CANARY)
    # only possible by going round the constructors: the guard for the class
    object.__setattr__(conv, "clothing", CANARY + "\ud800")
    with pytest.raises(ValidationError) as info:
        to_json(conv, converter=converter)
    assert info.value.violations[0].code == "unwritable"
    _no_leak(info.value, CANARY)


# --- defect 6: the accepted range -----------------------------------------------------

SENTINEL = "9999-12-31T20:00:00Z"


@pytest.mark.parametrize("load", LOADS)
def test_an_open_ended_sentinel_instant_is_refused_on_the_wire(load: Any) -> None:
    doc = json.loads(to_json(builders.episode()))
    doc["ended_at"] = doc["returned_at"] = SENTINEL
    with pytest.raises(ValidationError) as info:
        load(json.dumps(doc), mc.MissingEpisode)
    assert {(v.path, v.code) for v in info.value.violations} == {
        ("$.ended_at", "out_of_range"),
        ("$.returned_at", "out_of_range"),
    }


@pytest.mark.parametrize("load", LOADS)
def test_dates_outside_the_accepted_range_are_refused_on_the_wire(load: Any) -> None:
    doc = json.loads(to_json(builders.case_file()))
    for day in ("0001-01-01", "1899-12-31", "2201-01-01", "9999-12-31"):
        doc["child"]["date_of_birth"] = day
        with pytest.raises(ValidationError) as info:
            load(json.dumps(doc), mc.CaseFile)
        assert [(v.path, v.code) for v in info.value.violations] == [
            ("$.child.date_of_birth", "out_of_range")
        ]
    doc["child"]["date_of_birth"] = "1900-01-01"
    assert load(json.dumps(doc), mc.CaseFile).child.date_of_birth == date(1900, 1, 1)


def test_constructors_refuse_instants_and_dates_outside_the_range() -> None:
    far = datetime(9999, 12, 31, 20, tzinfo=UTC)
    with pytest.raises(ValidationError) as info:
        builders.episode(seen=far - timedelta(hours=4), ended=far)
    assert {v.code for v in info.value.violations} == {"out_of_range"}
    with pytest.raises(ValidationError) as info:
        mc.ChildRef("C1", date_of_birth=date(1, 1, 1))
    assert [(v.path, v.code) for v in info.value.violations] == [
        ("$.date_of_birth", "out_of_range")
    ]
    with pytest.raises(ValidationError):
        maker(mc.ChildRef)("C1", date_of_birth=date(2201, 1, 1))


@pytest.mark.parametrize(
    "call",
    [
        lambda: mt.local_instant(1, 1, 1, zone="Asia/Tokyo"),
        lambda: mt.local_instant(9999, 12, 31, 23, zone="Pacific/Kiritimati"),
        lambda: mt.parse_local("9999-12-31T23:00", "Asia/Tokyo"),
        lambda: mt.parse_instant(SENTINEL),
        lambda: mt.parse_instant("0001-01-01T00:30:00+01:00"),
        lambda: mt.local_date(datetime(9999, 12, 31, 20, tzinfo=UTC), "Asia/Tokyo"),
        lambda: mt.local_datetime(datetime(1, 1, 1, tzinfo=UTC), "America/New_York"),
        lambda: mt.instant(datetime.max.replace(tzinfo=UTC)),
        lambda: mt.check_date(date.max),
    ],
)
def test_time_entry_points_refuse_out_of_range_instead_of_overflowing(call: Any) -> None:
    with pytest.raises(ValidationError) as info:
        call()
    assert info.value.violations[0].code == "out_of_range"


def test_nothing_overflows_at_the_edges_of_the_range() -> None:
    last = mt.LATEST
    episode = builders.episode(seen=last - timedelta(hours=1), ended=last, zone="Asia/Tokyo")
    assert episode.length_in_days == 0
    assert mt.local_date(last, "Pacific/Kiritimati") == date(2201, 1, 1)
    assert mt.CalendarDeadline(5, calendar=mt.Weekdays()).due(last, "Asia/Tokyo") > last
    assert mt.ElapsedDeadline(timedelta(hours=72)).due(last, "Asia/Tokyo") > last
    first = mt.EARLIEST
    assert mt.local_date(first, "America/Los_Angeles") == date(1899, 12, 31)
    case = builders.case_file(builders.episode(seen=last - timedelta(hours=1), ended=last))
    found = mc.evaluate(case, pack="GB-ENG", as_of=last)
    assert found.findings  # the duties after a return near the end of 2200 are computed
    due = [f.due for f in found.findings if f.due is not None]
    assert due
    assert all(mt.format_instant(d) for d in due)


# --- defect 13: lenient JSON ----------------------------------------------------------


def _episode_text() -> str:
    return to_json(builders.episode(clothing=CANARY)).decode()


@pytest.mark.parametrize("load", LOADS)
@pytest.mark.parametrize(
    ("edit", "path"),
    [
        (lambda t: t.replace('"id":"E1"', '"id":"E1","id":"E2"'), "$"),
        (lambda t: t.replace('"id":"E1"', '"id" :"E1","id":"E2"'), "$"),
        (
            lambda t: t.replace('"status":"missing"', '"status":"missing","status":"missing"'),
            "$.statuses[0]",
        ),
        # a repeated key beside a string that holds an escaped quote and colon:
        # a count of '":' alone could be fooled by it
        (
            lambda t: t.replace('"id":"E1"', '"id":"E1","id":"E2"').replace(
                f'"clothing":"{CANARY}"', f'"clothing":"{CANARY}\\u0022:"'
            ),
            "$",
        ),
        (lambda t: t.replace('"id":"E1"', '"id":"x\\":","id":"E2"'), "$"),
        # a repeated key whose lost colon an escaped colon elsewhere makes up for
        (
            lambda t: t.replace('"id":"E1"', '"id" : "E1","id":"E2"').replace(
                f'"clothing":"{CANARY}"', f'"clothing":"{CANARY}\\u003a"'
            ),
            "$",
        ),
    ],
)
def test_repeated_keys_are_refused_with_the_object_path(load: Any, edit: Any, path: str) -> None:
    text = edit(_episode_text())
    assert text != _episode_text()
    with pytest.raises(ValidationError) as info:
        load(text.encode(), mc.MissingEpisode)
    assert [(v.path, v.code) for v in info.value.violations] == [(path, "duplicate_key")]
    _no_leak(info.value, CANARY)


@pytest.mark.parametrize("load", LOADS)
@pytest.mark.parametrize(
    "encode",
    [
        lambda t: t.encode("utf-16"),
        lambda t: t.encode("utf-16-le"),
        lambda t: t.encode("utf-16-be"),
        lambda t: t.encode("utf-32"),
        lambda t: t.encode("utf-32-le"),
        lambda t: b"\xef\xbb\xbf" + t.encode(),
        lambda t: "\ufeff" + t,
    ],
    ids=["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-8-bom", "str-bom"],
)
def test_only_utf8_without_a_bom_is_read(load: Any, encode: Any) -> None:
    with pytest.raises(ValidationError) as info:
        load(encode(_episode_text()), mc.MissingEpisode)
    assert [(v.path, v.code) for v in info.value.violations] == [("$", "invalid_json")]
    _no_leak(info.value, CANARY)


@pytest.mark.parametrize("load", LOADS)
def test_escapes_and_white_space_still_load(load: Any) -> None:
    value = builders.episode(clothing='a coat marked "no": left')
    pretty = json.dumps(json.loads(to_json(value)), indent=2, separators=(",", " : "))
    escaped = json.dumps(json.loads(to_json(value))).replace('\\"', "\\u0022")
    for text in (pretty, escaped):
        assert load(text, mc.MissingEpisode) == value


# --- defect 8: the instant cache --------------------------------------------------------


def _many_instants(n: int, category: str = "conflict_with_staff") -> bytes:
    """A case file with ``n`` context entries, each at its own instant."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    entries = [
        {
            "id": f"X{i}",
            "child_id": builders.CHILD,
            "at": mt.format_instant(start + timedelta(seconds=i)),
            "category": category,
        }
        for i in range(n)
    ]
    doc = json.loads(to_json(builders.case_file()))
    doc["context"] = entries
    return json.dumps(doc).encode()


def test_the_instant_cache_is_empty_after_each_load_accepted_or_refused() -> None:
    from missingcare.converters import _fast

    data = _many_instants(3000)
    assert len(from_json(data, mc.CaseFile).context) == 3000
    assert len(_fast._SEEN) == 0
    bad = data.replace(b'"X2999"', b'"X2999","extra":1')
    with pytest.raises(ValidationError):
        from_json(bad, mc.CaseFile)
    assert len(_fast._SEEN) == 0
    for line in WIRE.load_lines([data, data], mc.CaseFile):
        assert len(line.context) == 3000
    assert len(_fast._SEEN) == 0


def test_the_instant_cache_is_bounded_within_a_document() -> None:
    from missingcare.converters import _fast

    wire = FastWire()
    wire._ns.env["_SEEN_MAX"] = 16
    sizes: list[int] = []
    parse = wire._ns.env["_fromiso"]

    def spy(text: str) -> datetime:
        sizes.append(len(_fast._SEEN))
        return parse(text)  # type: ignore[no-any-return]

    wire._ns.env["_fromiso"] = spy
    data = _many_instants(200)
    assert len(wire.load(data, mc.CaseFile).context) == 200
    assert sizes
    assert max(sizes) <= 16
    assert len(_fast._SEEN) == 0


# --- defect 7: limits ----------------------------------------------------------------


@pytest.mark.parametrize("load", LOADS)
def test_a_refusal_lists_at_most_the_limit_and_counts_the_rest(load: Any) -> None:
    data = _many_instants(500, "no_such_code")  # 500 violations
    with pytest.raises(ValidationError) as info:
        load(data, mc.CaseFile)
    err = info.value
    assert len(err.violations) == 100
    assert err.more == 400
    assert str(err).startswith("500 violations:")
    assert str(err).endswith("and 400 more")
    again = pickle.loads(pickle.dumps(err))
    assert (again.violations, again.more) == (err.violations, err.more)
    with pytest.raises(ValidationError) as info:
        from_json(data, mc.CaseFile, limits=Limits(violations=3))
    assert (len(info.value.violations), info.value.more) == (3, 497)


def test_documents_and_lists_over_the_limits_are_refused() -> None:
    data = _many_instants(50)
    assert len(from_json(data, mc.CaseFile).context) == 50
    with pytest.raises(ValidationError) as info:
        from_json(data, mc.CaseFile, limits=Limits(document_bytes=len(data) - 1))
    assert [(v.path, v.code) for v in info.value.violations] == [("$", "too_large")]
    with pytest.raises(ValidationError) as info:
        from_json(data.decode(), mc.CaseFile, limits=Limits(document_bytes=len(data) - 1))
    assert [(v.path, v.code) for v in info.value.violations] == [("$", "too_large")]
    small = Limits(items=49)
    # as written here, and as to_json writes it
    compact = to_json(from_json(data, mc.CaseFile))
    assert compact != data
    for converter, text in itertools.product((None, make_converter(limits=small)), (data, compact)):
        with pytest.raises(ValidationError) as info:
            from_json(text, mc.CaseFile, converter=converter, limits=small)
        assert [(v.path, v.code) for v in info.value.violations] == [("$.context", "too_many")]
    with pytest.raises(ValidationError) as info:
        from_json(compact, mc.CaseFile, limits=Limits(document_bytes=len(compact) - 1))
    assert [(v.path, v.code) for v in info.value.violations] == [("$", "too_large")]


def test_every_document_type_keeps_its_round_trip() -> None:
    for cls in DOCUMENTS:
        value = _samples()[cls]
        assert from_json(to_json(value), cls) == value


# --- the guard: no key from the document in a path ------------------------------------


def _with_key(cls: type, key: str, value: str, *, inside: str | None = None) -> bytes:
    """A valid ``cls`` document with ``"key": value`` added (at the top, or in ``inside``)."""
    doc = json.loads(to_json(_samples()[cls]))
    marker = "__added__"
    if inside is None:
        doc[marker] = 0
    else:
        doc[inside][marker] = 0
    return json.dumps(doc).replace(f'"{marker}": 0', f'"{key}": {value}').encode()


UNKNOWN_VALUES = [
    '"\\ud800"',  # a lone surrogate: invalid_text
    '{"a": 1, "a": 2}',  # a repeated key: duplicate_key
    '[{"b": "\\udfff"}]',
    '{"c": {"d": 1, "d": 1}}',
]


@pytest.mark.parametrize("load", LOADS)
@pytest.mark.parametrize("value", UNKNOWN_VALUES)
@pytest.mark.parametrize("cls", DOCUMENTS, ids=[c.__name__ for c in DOCUMENTS])
def test_a_key_the_model_does_not_know_is_never_part_of_a_path(
    load: Any, value: str, cls: type
) -> None:
    """Found by the fuzz harness: a key the model does not know, holding a lone surrogate
    or a repeated key, was spelt in the violation's path (``$.<the key>``)."""
    for key in (CANARY, f"{CANARY}\\ud800"):
        with pytest.raises(ValidationError) as info:
            load(_with_key(cls, key, value), cls)
        _no_leak(info.value, CANARY)
        assert {v.path for v in info.value.violations} == {"$"}


@pytest.mark.parametrize("load", LOADS)
def test_an_unknown_key_inside_a_known_object_is_reported_at_that_object(load: Any) -> None:
    data = _with_key(mc.CaseFile, CANARY, '{"a": 1, "a": 2}', inside="child")
    with pytest.raises(ValidationError) as info:
        load(data, mc.CaseFile)
    _no_leak(info.value, CANARY)
    assert [(v.path, v.code) for v in info.value.violations] == [("$.child", "duplicate_key")]


# --- defect 7: the refusal path ---------------------------------------------------------


def _refusals(data: bytes) -> tuple[Any, Any]:
    """The fast path's and the reference converter's errors for ``data`` (a case file),
    each ``None`` if it is accepted."""
    answers: list[Any] = []
    for load in (from_json, _reference):
        try:
            load(data, mc.CaseFile)
        except ValidationError as err:
            answers.append((err.violations, err.more, str(err)))
        else:
            answers.append(None)
    return answers[0], answers[1]


#: Mistakes in the values of a valid case file (its shape and types stay right).
VALUE_MISTAKES = {
    "instants unreadable": lambda t: t.replace(b"T", b"X"),
    "instants naive": lambda t: t.replace(b'Z"', b'"'),
    "seconds out of range": lambda t: t.replace(b':00Z"', b':60Z"'),
    "instants out of range": lambda t: t.replace(b'"20', b'"99'),
    "dates unreal": lambda t: t.replace(b"-0", b"-9"),
    "codes unknown": lambda t: t.replace(b'"missing', b'"mizzing'),
    "codes in lists unknown": lambda t: t.replace(b'["', b'["x'),
    "zones unknown": lambda t: t.replace(b"Europe/London", b"Europe/Lndon"),
    "ids blank": lambda t: t.replace(b'"id":"', b'"id":" '),
    "one instant at the end naive": lambda t: t[: t.rindex(b'Z"')] + t[t.rindex(b'Z"') + 1 :],
    # and with a mistake of shape or type too (msgspec's typed decode refuses these)
    "instants unreadable, a key unknown": lambda t: t.replace(b"T", b"X")[:-1] + b',"x":1}',
    "instants unreadable, a null": lambda t: t.replace(b"T", b"X").replace(
        b'"id":', b'"id":null,"i":', 1
    ),
    "a number for text, a key missing": (
        lambda t: t.replace(b'"zone":"', b'"zone":1,"z":"').replace(b'"status":', b'"s":')
    ),
    "items and lists of the wrong type": lambda t: (
        t.replace(b'"statuses":[', b'"statuses":[1,')
        .replace(b'"episode_ids":["', b'"episode_ids":[1,"')
        .replace(b'"context":[', b'"context":"x","y":[', 1)
    ),
}


@pytest.mark.parametrize("mistake", list(VALUE_MISTAKES), ids=list(VALUE_MISTAKES))
def test_the_fast_refusal_is_the_reference_refusal(mistake: str) -> None:
    """A document that cannot be built is refused without the converter, with the
    converter's error: the same violations, in the same order, and the same count."""
    from missingcare.converters import _refuse

    answered = []

    def spy(method: Any) -> Any:
        def spied(self: Any, read: Any, cls: type) -> Any:
            found = method(self, read, cls)
            answered.append(found is not None)
            return found

        return spied

    tried = 0
    with pytest.MonkeyPatch.context() as patch:
        for name in ("error", "error_of_mirror"):
            patch.setattr(_refuse.Refusal, name, spy(getattr(_refuse.Refusal, name)))
        for case in Cohort(children=12, seed=11, profile="clock_changes"):
            good = to_json(case)
            bad = VALUE_MISTAKES[mistake](good)
            if bad == good:
                continue
            fast, reference = _refusals(bad)
            assert fast == reference
            tried += reference is not None
    assert tried >= 5
    assert any(answered)  # the refusal path answered, not only the converter


def test_a_refusal_works_out_the_reasons_of_the_violations_it_lists_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """4,000 unreadable instants: no exception per field, and a reason (code and
    message) for the 100 violations listed, not for the 3,900 counted."""
    from missingcare.converters import hooks

    made = []
    init = hooks.InvalidError.__init__

    def counted(self: Any, code: str, message: str) -> None:
        made.append(code)
        init(self, code, message)

    monkeypatch.setattr(hooks.InvalidError, "__init__", counted)
    data = _many_instants(4000).replace(b"T", b"X")
    with pytest.raises(ValidationError) as info:
        FastWire().load(data, mc.CaseFile)
    assert (len(info.value.violations), info.value.more) == (100, 3900)
    assert len(made) == 100


def test_a_validation_errors_text_is_rendered_when_read_and_holds_no_value() -> None:
    # the refusal path raises an error per listed violation to learn its reason: the text is
    # built only when read (str, a traceback), from paths and codes, and args hold nothing
    import traceback

    from missingcare.exceptions import ValidationError, Violation

    err = ValidationError([Violation("$.child.id", "required", "this field is required")])
    assert err.args == ()
    assert str(err) == "1 violation:\n  $.child.id: this field is required [required]"
    shown = "".join(traceback.format_exception_only(type(err), err))
    assert "$.child.id: this field is required [required]" in shown


def test_a_validation_error_lists_its_violations_once_each_sorted_by_path_and_code() -> None:
    from missingcare.exceptions import ValidationError, Violation

    b = Violation("$.b", "required", "this field is required")
    a2 = Violation("$.a", "wrong_type", "expected text")
    a1 = Violation("$.a", "blank", "expected text that is not blank")
    assert ValidationError([b, a2, a1, b]).violations == (a1, a2, b)
    assert ValidationError(iter([b])).violations == (b,)
    assert ValidationError.single("$.b", "required", "this field is required").violations == (b,)
    assert ValidationError([b, a2, a1], limit=2).more == 1
    with pytest.raises(ValueError, match="at least one violation"):
        ValidationError([])
