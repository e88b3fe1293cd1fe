"""The model: frozen values, invariants on construction and evolve, safe pickling."""

from __future__ import annotations

import copy
import functools
import json
import pickle
import typing
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest
from hypothesis import given, settings

import missingcare as mc
from missingcare import _fields
from missingcare.converters import DOCUMENTS, MODELS
from missingcare.exceptions import NaiveDatetimeError
from missingcare.screenings import Screening
from missingcare.testing import builders
from missingcare.testing import strategies as mst
from missingcare.time import local_instant
from missingcare.vocabularies import (
    CONTEXT_CATEGORIES,
    EPISODE_STATUSES,
    PUSH_FACTORS,
    RELATIONSHIP_ROLES,
)

LONDON = "Europe/London"
MISSING = EPISODE_STATUSES["missing"]
AWAY = EPISODE_STATUSES["away_without_authorisation"]


#: The shared episode builder, on the night the clocks go back in London.
_episode = functools.partial(
    builders.episode,
    seen=local_instant(2026, 10, 25, 0, 30, zone=LONDON),
    ended=local_instant(2026, 10, 25, 6, 30, zone=LONDON),
    returned=local_instant(2026, 10, 25, 7, 0, zone=LONDON),
)


def _model_classes() -> set[type]:
    """Every class reachable from the documents through nested field kinds."""
    found: set[type] = set()
    todo = list(DOCUMENTS)
    while todo:
        cls = todo.pop()
        if cls in found:
            continue
        found.add(cls)
        todo += [k.model for a in attrs.fields(cls) if (k := _fields.kind_of(a)) and k.model]
    return found


def test_every_field_of_every_model_has_a_kind_that_makes_its_rules() -> None:
    classes = _model_classes()
    assert classes == set(MODELS)
    for cls in classes:
        for a in attrs.fields(cls):
            kind = _fields.kind_of(a)
            assert kind is not None, f"{cls.__name__}.{a.name} has no field kind"
            assert _fields.is_plain(a), f"{cls.__name__}.{a.name}: more than its kind"
            assert kind.label, f"{cls.__name__}.{a.name}"
            assert kind.help, f"{cls.__name__}.{a.name}"


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_each_kind_agrees_with_the_annotation(cls: type) -> None:
    hints = typing.get_type_hints(cls)
    for name, kind in _fields.kinds(cls):
        item = kind.item_type
        expected: Any = tuple.__class_getitem__((item, ...)) if kind.many else item
        if kind.optional:
            expected = expected | None
        assert hints[name] == expected, f"{cls.__name__}.{name}"
        if kind.base == "concept":
            assert (kind.vocabulary is None) != (kind.vocabulary_from is None)
        if kind.optional or kind.many:
            assert attrs.fields_dict(cls)[name].default == (() if kind.many else None)


def test_a_field_built_by_hand_has_no_kind() -> None:
    @attrs.frozen
    class Bare:
        a: str

    with pytest.raises(TypeError, match=r"Bare\.a has no field kind"):
        _fields.kinds(Bare)


def test_lists_whose_kind_says_non_empty_refuse_an_empty_list() -> None:
    values: dict[type, Any] = {
        mc.MissingEpisode: builders.episode(),
        mc.ReturnConversation: builders.conversation(),
        Screening: builders.screening("S1", builders.SEEN, "E1"),
    }
    marked = {(cls, name) for cls in MODELS for name, k in _fields.kinds(cls) if k.non_empty}
    assert marked == {
        (mc.MissingEpisode, "statuses"),
        (mc.ReturnConversation, "episode_ids"),
        (Screening, "episode_ids"),
        (Screening, "categories"),
    }
    for cls, name in marked:
        with pytest.raises(mc.ValidationError) as caught:
            attrs.evolve(values[cls], **{name: ()})
        assert ("$." + name, "required") in [(v.path, v.code) for v in caught.value.violations]


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
def test_every_model_is_frozen_slotted_and_has_no_mutable_fields(cls: type) -> None:
    assert attrs.has(cls)
    assert "__slots__" in cls.__dict__
    hints = typing.get_type_hints(cls)
    for field in attrs.fields(cls):
        tp = hints[field.name]
        for part in (tp, *typing.get_args(tp)):
            assert typing.get_origin(part) not in (list, dict, set), field.name
            assert part not in (list, dict, set), field.name


@settings(max_examples=200)
@given(mst.case_files(near_clock_changes=True))
def test_case_files_are_deeply_immutable_and_hashable(case: mc.CaseFile) -> None:
    hash(case)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        case.child = mc.ChildRef("other")  # type: ignore[misc]
    for episode in case.episodes:
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            episode.ended_at = None  # type: ignore[misc]


def _reachable(value: Any) -> typing.Iterator[Any]:
    yield value
    if isinstance(value, tuple):
        for item in value:
            yield from _reachable(item)
    elif attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            yield from _reachable(getattr(value, field.name))


@settings(max_examples=300)
@given(mst.case_files(near_clock_changes=True))
def test_pickle_and_copy_preserve_every_instant(case: mc.CaseFile) -> None:
    instants = [v for v in _reachable(case) if isinstance(v, datetime)]
    assert all(type(v) is datetime and v.tzinfo is UTC for v in instants)
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(case, protocol))
        assert back == case
        assert [v for v in _reachable(back) if isinstance(v, datetime)] == instants
    assert copy.copy(case) == case
    assert copy.deepcopy(case) == case


def test_instants_in_the_repeated_hour_are_kept() -> None:
    second = datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=ZoneInfo(LONDON))
    first = datetime(2026, 10, 25, 1, 30, fold=0, tzinfo=ZoneInfo(LONDON))
    episode = _episode(
        last_seen_at=first,
        statuses=(mc.StatusChange(first, AWAY), mc.StatusChange(second, MISSING)),
    )
    assert episode.statuses[1].at - episode.statuses[0].at == timedelta(hours=1)
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        back = pickle.loads(pickle.dumps(episode, protocol))
        assert back.statuses[1].at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert copy.copy(episode).statuses == episode.statuses
    assert copy.deepcopy(episode).statuses == episode.statuses


def test_duration_is_true_elapsed_time_across_clock_changes() -> None:
    october = _episode()
    assert october.duration == timedelta(hours=7)
    assert october.length_in_days == 0
    seen = local_instant(2026, 3, 29, 0, 30, zone=LONDON)
    march = _episode(
        last_seen_at=seen,
        statuses=(mc.StatusChange(seen, MISSING),),
        ended_at=local_instant(2026, 3, 29, 6, 30, zone=LONDON),
        returned_at=None,
    )
    assert march.duration == timedelta(hours=5)


def test_length_in_days_counts_local_dates() -> None:
    seen = local_instant(2026, 7, 1, 22, 0, zone=LONDON)
    episode = _episode(
        last_seen_at=seen,
        statuses=(mc.StatusChange(seen, MISSING),),
        ended_at=local_instant(2026, 7, 2, 8, 0, zone=LONDON),
        returned_at=None,
    )
    assert episode.length_in_days == 1  # an evening-to-morning absence is one day
    late = datetime(2026, 7, 1, 23, 30, tzinfo=UTC)  # 00:30 on 2 July in London
    other = _episode(
        last_seen_at=late,
        statuses=(mc.StatusChange(late, MISSING),),
        ended_at=late + timedelta(hours=2),
        returned_at=None,
    )
    assert other.length_in_days == 0


def test_open_episode() -> None:
    episode = _episode(ended_at=None, returned_at=None)
    assert episode.is_open
    assert episode.state is mc.EpisodeState.OPEN
    assert episode.duration is None
    assert episode.length_in_days is None
    now = episode.last_seen_at + timedelta(hours=30)
    assert episode.duration_as_of(now) == timedelta(hours=30)
    assert episode.was_missing_at(now)


def test_evolve_rechecks_invariants() -> None:
    episode = _episode()
    with pytest.raises(mc.ValidationError) as info:
        attrs.evolve(episode, returned_at=episode.last_seen_at - timedelta(hours=1))
    assert "$.returned_at" in info.value.paths
    assert episode.returned_at == local_instant(2026, 10, 25, 7, 0, zone=LONDON)
    with pytest.raises(NaiveDatetimeError):
        attrs.evolve(episode, ended_at=datetime(2026, 10, 25, 8, 0))


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"statuses": ()}, "$.statuses"),
        (
            {
                "returned_at": None,
                "ended_at": None,
                "located": mc.Located(local_instant(2026, 10, 25, 3, 0, zone=LONDON)),
            },
            "$.ended_at",
        ),
        ({"ended_at": None}, "$.ended_at"),
        ({"noticed_at": local_instant(2026, 10, 24, 23, 0, zone=LONDON)}, "$.noticed_at"),
        ({"zone": "Nowhere/Town"}, "$.zone"),
        ({"id": "  "}, "$.id"),
        ({"clothing": ""}, "$.clothing"),
        ({"whereabouts": "abc"}, "$.whereabouts"),
    ],
)
def test_episode_invariants(changes: dict[str, Any], path: str) -> None:
    with pytest.raises(mc.ValidationError) as info:
        _episode(**changes)
    assert path in info.value.paths


def test_status_history_must_change_in_time_order() -> None:
    seen = local_instant(2026, 10, 24, 19, 0, zone=LONDON)
    with pytest.raises(mc.ValidationError) as info:
        _episode(
            last_seen_at=seen,
            statuses=(mc.StatusChange(seen, AWAY), mc.StatusChange(seen, MISSING)),
        )
    assert info.value.paths == ("$.statuses[1].at",)
    with pytest.raises(mc.ValidationError) as info:
        _episode(
            last_seen_at=seen,
            statuses=(
                mc.StatusChange(seen, MISSING),
                mc.StatusChange(seen + timedelta(hours=1), MISSING),
            ),
        )
    assert info.value.paths == ("$.statuses[1].status",)


def test_status_at() -> None:
    seen = local_instant(2026, 10, 24, 19, 0, zone=LONDON)
    later = seen + timedelta(hours=2)
    episode = _episode(
        last_seen_at=seen, statuses=(mc.StatusChange(seen, AWAY), mc.StatusChange(later, MISSING))
    )
    assert episode.status_at(seen + timedelta(hours=1)) == AWAY
    assert episode.status_at(later) == MISSING
    assert episode.status == MISSING


def test_conversation_invariants() -> None:
    with pytest.raises(mc.ValidationError) as info:
        mc.ReturnConversation(id="R1", child_id="C1", episode_ids=())
    assert info.value.paths == ("$.episode_ids",)
    with pytest.raises(mc.ValidationError) as info:
        mc.ReturnConversation(
            id="R1",
            child_id="C1",
            episode_ids=("E1",),
            decision=mc.Decision.DECLINED,
            held_at=datetime(2026, 1, 1, tzinfo=UTC),
            child_account="words",
        )
    assert "$.held_at" in info.value.paths
    with pytest.raises(mc.ValidationError) as info:
        mc.ReturnConversation(id="R1", child_id="C1", episode_ids=("E1",), child_account="words")
    assert info.value.paths == ("$.child_account",)


def test_trusted_adult_invariants() -> None:
    named = datetime(2026, 1, 1, tzinfo=UTC)
    role = RELATIONSHIP_ROLES["key_worker"]
    with pytest.raises(mc.ValidationError) as info:
        mc.TrustedAdult("T1", "C1", "A1", role, named, ended_at=named - timedelta(days=1))
    assert info.value.paths == ("$.ended_at",)
    adult = mc.TrustedAdult("T1", "C1", "A1", role, named, ended_at=named + timedelta(days=30))
    assert adult.is_present_at(named + timedelta(days=1))
    assert not adult.is_present_at(named + timedelta(days=31))


def test_case_file_refuses_overlapping_episodes() -> None:
    first = _episode(ended_at=None, returned_at=None)
    second = _episode(
        id="E2",
        last_seen_at=first.last_seen_at + timedelta(hours=1),
        statuses=(mc.StatusChange(first.last_seen_at + timedelta(hours=1), MISSING),),
    )
    placement = mc.Placement("P1", mc.PlacementKind.CHILDRENS_HOME, LONDON)
    with pytest.raises(mc.ValidationError) as info:
        mc.CaseFile(child=mc.ChildRef("C1"), placements=(placement,), episodes=(first, second))
    assert info.value.paths == ("$.episodes[1].last_seen_at",)


def test_case_file_refuses_records_of_another_child_and_duplicate_ids() -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    entry = mc.ContextEntry("X1", "C2", at, CONTEXT_CATEGORIES["conflict_with_staff"])
    factor = mc.Factor(
        "F1",
        "C1",
        mc.FactorDirection.PUSH,
        PUSH_FACTORS["boredom"],
        mc.EvidenceSource.CHILD_OWN_WORDS,
        at,
    )
    with pytest.raises(mc.ValidationError) as info:
        mc.CaseFile(child=mc.ChildRef("C1"), context=(entry,), factors=(factor, factor))
    assert set(info.value.paths) == {"$.context[0].child_id", "$.factors[1].id"}


def test_case_file_helpers() -> None:
    placement = mc.Placement("P1", mc.PlacementKind.CHILDRENS_HOME, LONDON)
    episode = _episode()
    conv = mc.ReturnConversation(id="R1", child_id="C1", episode_ids=("E1",))
    case = mc.CaseFile(
        child=mc.ChildRef("C1", date(2011, 2, 3)),
        placements=(placement,),
        episodes=(episode,),
        conversations=(conv,),
    )
    assert case.episode("E1") is episode
    assert case.placement("P1") is placement
    assert case.conversations_for("E1") == (conv,)
    with pytest.raises(KeyError):
        case.episode("nope")
    window = case.episodes_between(episode.last_seen_at, episode.last_seen_at + timedelta(1))
    assert window == (episode,)


def test_period_of_care() -> None:
    period = mc.PeriodOfCare(date(2025, 4, 1), date(2026, 3, 31))
    assert period.contains(date(2025, 4, 1))
    assert not period.contains(date(2026, 4, 1))
    with pytest.raises(mc.ValidationError):
        mc.PeriodOfCare(date(2026, 4, 1), date(2025, 4, 1))


def test_vocabulary_extension_returns_a_new_vocabulary() -> None:
    extra = mc.Concept("https://example.invalid/la", "bus_pass_removed", "Bus pass removed")
    bigger = PUSH_FACTORS.extend(extra)
    assert extra in bigger
    assert extra not in PUSH_FACTORS
    assert len(bigger) == len(PUSH_FACTORS) + 1
    with pytest.raises(ValueError, match="twice"):
        bigger.extend(extra)
    smaller = PUSH_FACTORS.without("boredom")
    assert "boredom" not in smaller
    with pytest.raises(mc.UnknownCodeError) as info:
        PUSH_FACTORS.get("bordom")
    assert info.value.suggestions[0] == "boredom"
    assert isinstance(info.value, LookupError)


def test_touching_episodes_are_accepted_in_any_order() -> None:
    # regression: a zero-length episode touching the next one was refused when listed second
    seen = datetime(2026, 1, 1, tzinfo=UTC)
    first = _episode(
        last_seen_at=seen,
        statuses=(mc.StatusChange(seen, MISSING),),
        ended_at=seen,
        returned_at=None,
    )
    second = _episode(
        id="E2",
        last_seen_at=seen,
        statuses=(mc.StatusChange(seen, MISSING),),
        ended_at=seen + timedelta(hours=1),
        returned_at=None,
    )
    placement = mc.Placement("P1", mc.PlacementKind.CHILDRENS_HOME, LONDON)
    for episodes in ((first, second), (second, first)):
        mc.CaseFile(child=mc.ChildRef("C1"), placements=(placement,), episodes=episodes)


def test_durations_travel_as_iso_8601_and_are_bounded() -> None:
    from datetime import timedelta

    from missingcare.plans import AbsencePlan

    plan = builders.absence_plan(report_after=timedelta(minutes=15))
    case = builders.case_file(builders.episode(), absence_plans=[plan])
    data = mc.to_json(case)
    assert b'"report_after":"PT900S"' in data
    assert mc.from_json(data, mc.CaseFile) == case
    for text, code in (("P1W", "invalid_duration"), ("-PT1M", "out_of_range"), (17, "wrong_type")):
        doc = json.loads(data)
        doc["absence_plans"][0]["report_after"] = text
        with pytest.raises(mc.ValidationError) as caught:
            mc.from_json(json.dumps(doc), mc.CaseFile)
        assert [(v.path, v.code) for v in caught.value.violations] == [
            ("$.absence_plans[0].report_after", code)
        ]
        assert str(text) not in str(caught.value)
    for bad in (timedelta(0), timedelta(days=367), timedelta(seconds=1, microseconds=1)):
        with pytest.raises(mc.ValidationError):
            AbsencePlan("AP1", "C1", builders.SEEN, report_after=bad)


def test_plans_profiles_and_screenings_check_their_own_times_and_references() -> None:
    from datetime import timedelta

    seen = builders.SEEN
    with pytest.raises(mc.ValidationError) as caught:
        builders.absence_plan(ended_at=seen - timedelta(days=90))
    assert caught.value.violations[0].path == "$.ended_at"
    with pytest.raises(mc.ValidationError) as caught:
        builders.profile(reviewed_at=seen - timedelta(days=90))
    assert caught.value.violations[0].path == "$.reviewed_at"
    with pytest.raises(mc.ValidationError) as caught:
        builders.screening(
            "S1", seen, "E1", categories=[mc.ExploitationCategory.SEXUAL],
            concerns=(mc.ExploitationCategory.TRAFFICKING,),
        )  # fmt: skip
    assert [v.code for v in caught.value.violations] == ["contradiction"]
    with pytest.raises(mc.ValidationError) as caught:
        builders.case_file(builders.episode(), screenings=[builders.screening("S1", seen, "E9")])
    assert [v.path for v in caught.value.violations] == ["$.screenings[0].episode_ids[0]"]
    with pytest.raises(mc.ValidationError) as caught:
        builders.case_file(builders.episode(), profiles=[builders.profile(child_id="C2")])
    assert [v.path for v in caught.value.violations] == ["$.profiles[0].child_id"]
    with pytest.raises(mc.ValidationError) as caught:
        builders.episode(agency_informed_at=seen - timedelta(minutes=1))
    assert [v.path for v in caught.value.violations] == ["$.agency_informed_at"]
