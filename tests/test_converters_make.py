"""``converters._make.maker(cls)`` gives exactly what ``cls(...)`` gives, for every model.

A maker fills the instance directly when each field's guard holds and calls
the class otherwise. A guard that held for a value the class would refuse,
or would store differently, would let a wrong record through; so for every
model these tests take generated valid values and then replace each field,
one at a time, by values the validators and converters refuse or change
(blank and over-long text, naive and non-UTC instants, subclasses, lists
for tuples, repeated items, wrong kinds of item, unknown zones…), and check
that the maker and the class agree exactly: the same error, or equal values
with the same representation (so an instant left in another zone, equal as
an instant, still counts as a difference).
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from missingcare import (
    AdultContact,
    CaseFile,
    ChildRef,
    MissingEpisode,
    PeriodOfCare,
    ReturnConversation,
    TrustedAdult,
    _fields,
)
from missingcare.conversations import ContactMethod
from missingcare.converters import DOCUMENTS, MODELS
from missingcare.converters._make import maker
from missingcare.exceptions import ValidationError
from missingcare.findings import RuleRef
from missingcare.plans import AbsencePlan, MissingPersonProfile
from missingcare.screenings import Screening
from missingcare.testing import strategies as mst  # noqa: F401  (registers the strategies)
from missingcare.vocab import Concept
from missingcare.vocabularies import EPISODE_STATUSES, WHO_WITH

from ._helpers import examples

#: Where to find generated instances of each model class.
_SOURCE: dict[type, type] = dict.fromkeys(MODELS, CaseFile)
_SOURCE.update(
    {
        cls: MissingEpisode
        for cls in MODELS
        if cls.__module__ == "missingcare.episodes" and cls is not MissingEpisode
    }
)
_SOURCE.update(
    {
        cls: ReturnConversation
        for cls in MODELS
        if cls.__module__ == "missingcare.conversations" and cls is not ReturnConversation
    }
)
# the classes missingcare.testing.strategies registers a strategy for: every
# top-level document, and the three parts that have one of their own
_SOURCE.update(
    {
        cls: cls
        for cls in (
            *DOCUMENTS,
            ChildRef,
            PeriodOfCare,
            AdultContact,
            AbsencePlan,
            MissingPersonProfile,
            Screening,
            RuleRef,
        )
    }
)


def _walk(value: Any) -> Iterator[Any]:
    """Every attrs instance in ``value``, ``value`` first."""
    if isinstance(value, tuple):
        for item in value:
            yield from _walk(item)
    elif attrs.has(type(value)):
        yield value
        for a in attrs.fields(type(value)):
            yield from _walk(getattr(value, a.name))


class _Str(str):
    pass


class _DateTime(datetime):
    pass


class _Other(enum.Enum):
    ONE = "one"


class _UnhashableText(str):
    __hash__ = None  # type: ignore[assignment]

    def __eq__(self, other: object) -> bool:
        return str.__eq__(self, other)


class _LiarType(type):
    """A metaclass whose classes claim to equal, and hash as, ``str``."""

    def __eq__(cls, other: object) -> bool:
        return True

    def __hash__(cls) -> int:
        return hash(str)


class _Liar(metaclass=_LiarType):
    def strip(self) -> str:
        return "x"


T = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
CONCEPT = EPISODE_STATUSES["missing"]
#: A Concept whose hash fails: a lone one in a tuple is refused by the no-repeats check
UNHASHABLE = Concept(_UnhashableText("urn:test"), "code", "Display")


def _replacements(value: Any) -> list[Any]:
    """Values to put in place of a field's ``value``: refused, changed or borderline."""
    pool: list[Any] = [
        None,
        "",
        " \t\n",
        "\u2003",
        "x" * 10_000,
        "x" * 10_001,
        "Europe/London",
        "Not/AZone",
        _Str("Europe/London"),
        _Str("text"),
        b"bytes",
        0,
        1,
        True,
        False,
        1.5,
        T,
        T.replace(tzinfo=None),
        T.astimezone(timezone(timedelta(hours=1))),
        _DateTime(2026, 1, 1, tzinfo=UTC),
        date(2026, 1, 1),
        timedelta(minutes=15),
        timedelta(0),
        timedelta(seconds=-60),
        timedelta(seconds=1, microseconds=5),
        timedelta(days=367),
        CONCEPT,
        WHO_WITH["alone"] if "alone" in WHO_WITH else next(iter(WHO_WITH)),
        ContactMethod.PHONE if hasattr(ContactMethod, "PHONE") else next(iter(ContactMethod)),
        _Other.ONE,
        (),
        [],
        ("a",),
        ("a", "a"),
        (CONCEPT,),
        (CONCEPT, CONCEPT),
        (None,),
        (True,),
        (UNHASHABLE,),
        (_Liar(),),
        _Liar(),
        {},
        object(),
    ]
    if isinstance(value, tuple):
        pool += [list(value), (*value, None), (*value, *value[:1]), (*value, True)]
    if isinstance(value, str):
        pool += [value + " ", " " + value, value.upper(), _Str(value)]
    if attrs.has(type(value)):
        pool.append(attrs.evolve(value))
    return pool


def _outcome(fn: Any, kwargs: dict[str, Any]) -> tuple[str, Any]:
    try:
        made = fn(**kwargs)
    except ValidationError as exc:
        return ("refused", exc.violations)
    except Exception as exc:  # the class's own non-validation errors must match too
        return ("raised", (type(exc), str(exc)))
    return ("built", (type(made), made, repr(made)))


def _same_fields(made: Any, values: dict[str, Any]) -> bool:
    return all(getattr(made, name) is v for name, v in values.items())


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_every_model_is_made_directly(cls: type) -> None:
    assert maker(cls) is not cls


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
@settings(
    max_examples=examples(15),
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(data=st.data())
def test_maker_agrees_with_the_class(cls: type, data: st.DataObject) -> None:
    source = data.draw(st.from_type(_SOURCE[cls]))
    found = [v for v in _walk(source) if type(v) is cls]
    assume(found)
    original = found[0]
    values = {a.name: getattr(original, a.name) for a in attrs.fields(cls)}
    make: Any = maker(cls)
    # values in their final form: built directly, storing the very objects given
    calls = []
    real_init = vars(cls)["__init__"]

    def counting_init(self: Any, *args: Any, **kwargs: Any) -> None:
        calls.append(1)
        real_init(self, *args, **kwargs)

    setattr(cls, "__init__", counting_init)  # noqa: B010
    try:
        made = make(**values)
    finally:
        setattr(cls, "__init__", real_init)  # noqa: B010
    assert calls == [], "valid values in their final form fell back to the class"
    assert type(made) is cls
    assert made == original
    assert hash(made) == hash(original)
    assert repr(made) == repr(original)
    assert _same_fields(made, values)
    # each field replaced by a value the checks refuse or change: the same answer
    for a in attrs.fields(cls):
        for replacement in _replacements(values[a.name]):
            changed = {**values, a.name: replacement}
            expected = _outcome(cls, changed)
            got = _outcome(make, changed)
            assert got == expected, (cls.__name__, a.name, type(replacement).__name__)


def test_defaults_are_the_classes_defaults() -> None:
    make = maker(TrustedAdult)
    given_ = {"id": "R-1", "child_id": "C-1", "adult_id": "A-1", "role": _role(), "named_at": T}
    assert make(**given_) == TrustedAdult(**given_)
    assert make(**given_).contacts == ()
    with pytest.raises(TypeError):
        make(id="R-1")


def _role() -> Any:
    from missingcare.vocabularies import RELATIONSHIP_ROLES

    return next(iter(RELATIONSHIP_ROLES))


@attrs.frozen(kw_only=True)
class _KeywordOnly:
    a: str


@attrs.frozen(cache_hash=True)
class _CachedHash:
    a: str


@attrs.define(frozen=True, slots=False)
class _NoSlots:
    a: str


@attrs.frozen(init=False)
class _HandInit:
    a: str

    def __init__(self, a: str) -> None:
        self.__attrs_init__(a.upper())


@attrs.frozen
class _PreInit:
    a: str

    def __attrs_pre_init__(self) -> None:
        pass


@attrs.frozen
class _Subclass(CaseFile):
    pass


@attrs.frozen
class _Plain:
    a: str = attrs.field(**_fields.ident("A", "An id."))


@attrs.frozen
class _NoKind:
    a: str


def _also_upper(_inst: object, _field: object, value: str) -> None:
    if value != value.upper():
        raise ValueError("not upper case")


@attrs.frozen
class _MoreThanItsKind:
    """A field with its kind's validator and one more: the kind does not say it all."""

    a: str = attrs.field(
        validator=[_fields.rule_parts(_fields.FieldKind("id", "A", "An id.").rule)[0], _also_upper],
        metadata={_fields.KIND: _fields.FieldKind("id", "A", "An id.")},
    )


@pytest.mark.parametrize(
    "cls",
    [
        _KeywordOnly,
        _CachedHash,
        _NoSlots,
        _HandInit,
        _PreInit,
        _Subclass,
        _NoKind,
        _MoreThanItsKind,
    ],
    ids=lambda c: c.__name__,
)
def test_classes_whose_init_does_more_are_left_to_the_class(cls: type) -> None:
    assert maker(cls) is cls


def test_a_plain_attrs_class_is_made_directly() -> None:
    make: Any = maker(_Plain)
    assert make is not _Plain
    assert make("x") == _Plain("x") == make(a="x")
    with pytest.raises(TypeError):
        make()


def test_a_validator_added_beside_the_kind_is_still_run() -> None:
    assert _MoreThanItsKind("X").a == "X"
    with pytest.raises(ValueError, match="upper"):
        maker(_MoreThanItsKind)("x")
