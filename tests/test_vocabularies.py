"""Tests for the core vocabularies in :mod:`missingcare.vocabularies` and the file format."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import zipfile
from collections.abc import Callable, Mapping
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from missingcare import vocab
from missingcare import vocabularies as v
from missingcare.exceptions import UnknownCodeError, ValidationError
from missingcare.vocab import SYSTEM, Concept, Vocabulary, load_vocabularies

_CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")

REQUIRED: dict[str, set[str]] = {
    "episode_statuses": {
        "missing",
        "away_without_authorisation",
        "absent_no_apparent_risk",
        "not_at_home",
        "unaccounted_in_contact",
        "unaccounted_not_in_contact",
        "absconding",
        "absconder_legal",
        "late_return",
    },
    "police_risk_grades": {"no_apparent_risk", "very_low", "low", "medium", "high"},
    "push_factors": {
        "conflict_with_staff",
        "conflict_with_residents",
        "rules_and_sanctions",
        "not_listened_to",
        "placement_instability",
        "out_of_area_placement",
        "abuse_or_neglect",
        "family_conflict",
        "bereavement_or_loss",
        "mental_health_distress",
        "school_problems",
        "boredom",
        "feeling_unsafe",
        "communication_breakdown",
        "forced_to_leave",
        "surveillance_and_control",
    },
    "pull_factors": {
        "see_family",
        "see_siblings",
        "see_friends",
        "boyfriend_or_girlfriend",
        "older_partner",
        "groomed_by_adults",
        "gang_recruitment",
        "drugs_or_alcohol",
        "money_gifts_status",
        "parties",
        "online_contacts",
        "home_area",
        "independence",
    },
    "unmet_needs": {
        "belonging",
        "being_heard",
        "safety",
        "stability",
        "family_contact",
        "education",
        "emotional_support",
        "substance_support",
        "freedom",
        "identity",
        "practical",
        "trusted_adult",
        "being_treated_as_capable",
        "status",
    },
    "exploitation_indicators": {
        "cse.older_partner",
        "cse.unexplained_gifts",
        "cse.picked_up_by_unknown_adults",
        "cse.sexual_health_concern",
        "cse.injuries",
        "cse.secretive_phone_use",
        "cse.found_in_unknown_area",
        "cce.found_out_of_area",
        "cce.travel_tickets",
        "cce.multiple_phones",
        "cce.unexplained_cash_or_debt",
        "cce.drugs_or_paraphernalia",
        "cce.weapons",
        "cce.association_with_older_gang_members",
        "trafficking.nrm_referral_considered",
        "trafficking.sex_trafficking_screen_positive",
    },
    "location_types": {"unknown_or_not_disclosed"},
    "who_with": {"alone", "not_disclosed", "older_partner", "unknown_adults"},
    "episode_endings": {
        "returned_voluntarily",
        "returned_with_friend_or_family",
        "collected_by_staff",
        "found_by_staff_search",
        "returned_by_police",
        "found_via_public_appeal",
        "attended_hospital",
        "in_custody",
        "still_missing_at_period_end",
        "placement_ended_while_missing",
    },
    "conversation_outcomes": {
        "accepted",
        "declined",
        "not_offered",
        "unable_to_locate_child",
        "missing_again",
        "no_response",
        "rescheduled",
    },
    "context_categories": {
        "conflict_with_staff",
        "conflict_with_peer",
        "conflict_with_family",
        "conflict_resolved",
        "sanction_imposed",
        "restriction_imposed",
        "contact_cancelled",
        "contact_changed",
        "contact_held",
        "social_worker_visit_cancelled",
        "key_worker_off_shift",
        "key_worker_on_leave",
        "key_worker_left",
        "staff_change",
        "new_phone_or_gifts",
        "unknown_adult",
        "older_peers",
        "picked_up_by_car",
        "placement_move_news",
        "school_exclusion",
        "school_problem",
        "bereavement_or_anniversary",
        "health_or_self_harm",
        "police_contact",
        "positive_activity",
        "child_upset",
        "court_or_review_meeting",
        "substance_use",
        "online_contact_concern",
        "other",
    },
    "relationship_roles": {
        "key_worker",
        "residential_care_worker",
        "registered_manager",
        "deputy_manager",
        "foster_carer",
        "social_worker",
        "personal_adviser",
        "independent_return_interviewer",
        "advocate",
        "independent_visitor",
        "teacher",
        "youth_worker",
        "mentor",
        "family_member",
        "police_officer",
        "health_worker",
        "other",
    },
    "notification_recipients": {
        "police",
        "placing_authority",
        "social_worker",
        "parent_or_carer",
        "independent_reviewing_officer",
        "ofsted",
        "host_authority",
        "emergency_duty_team",
        "virtual_school",
        "care_inspectorate",
        "doh_ni",
        "ncmec",
        "other",
    },
    "search_actions": {
        "searched_home_and_grounds",
        "phoned_child",
        "messaged_child",
        "contacted_friends",
        "contacted_family",
        "visited_known_locations",
        "checked_social_media",
        "contacted_school",
        "drove_local_area",
        "other",
    },
    "harm_types": {
        "physical_injury",
        "sexual_harm",
        "emotional_harm",
        "exploitation",
        "substance_related",
        "neglect",
        "self_harm",
        "other",
    },
    "responses_on_return": {
        "welcomed_back",
        "food_and_rest_offered",
        "key_worker_conversation",
        "grounding",
        "phone_removed",
        "pocket_money_withheld",
        "activity_cancelled",
        "increased_supervision",
        "room_search",
        "locked_doors_or_alarms",
        "contact_restricted",
        "none",
    },
    "protective_factors": {
        "trusted_adult_contact",
        "returned_by_themselves",
        "told_where_they_were",
        "relationship_brought_back",
        "talks_to_staff",
        "positive_activity",
        "family_contact_supported",
        "other",
    },
    "significant_date_kinds": {
        "family_birthday",
        "child_birthday",
        "anniversary_of_loss",
        "court_date",
        "contact_day",
        "placement_move",
        "review_meeting",
        "cultural_or_religious",
        "other",
    },
    "distance_bands": {
        "local",
        "nearby",
        "out_of_area",
        "far",
    },
    "address_links": {
        "family",
        "friends",
        "associates_of_concern",
        "other_missing_children",
        "no_known_link",
    },
}

# Vocabularies whose codes the brief fixes exactly (no extra codes allowed).
EXACT = ("episode_statuses", "police_risk_grades", "conversation_outcomes")

VOCABULARIES = tuple(v.CORE.values())


def test_core_is_read_only_and_keyed_by_name() -> None:
    assert isinstance(v.CORE, MappingProxyType)
    assert list(v.CORE) == list(REQUIRED)
    for name, vocabulary in v.CORE.items():
        assert isinstance(vocabulary, Vocabulary)
        assert vocabulary.name == name


def test_module_constants_are_the_core_values() -> None:
    for name, vocabulary in v.CORE.items():
        assert getattr(v, name.upper()) is vocabulary


def test_all_is_sorted_and_complete() -> None:
    assert v.__all__ == sorted(v.__all__)
    public = {n for n in dir(v) if n.isupper() and not n.startswith("_")}
    assert public | {"exploitation_category"} == set(v.__all__)
    for name in v.__all__:
        assert hasattr(v, name)


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=lambda x: x.name)
def test_codes_unique_and_valid(vocabulary: Vocabulary) -> None:
    codes = vocabulary.codes
    assert len(codes) == len(set(codes))
    for code in codes:
        assert _CODE.match(code), code
        assert code.isascii()


@pytest.mark.parametrize("vocabulary", VOCABULARIES, ids=lambda x: x.name)
def test_concepts_have_text(vocabulary: Vocabulary) -> None:
    assert vocabulary.title.strip()
    assert "domain research" in vocabulary.source
    for concept in vocabulary:
        assert concept.system == SYSTEM
        assert concept.display.strip()
        assert concept.display[0].isupper() or concept.display[0].isdigit(), concept.code
        assert concept.definition.strip()
        assert concept.definition.endswith("."), concept.code


@pytest.mark.parametrize(("name", "required"), sorted(REQUIRED.items()))
def test_required_codes_present(name: str, required: set[str]) -> None:
    missing = required - set(v.CORE[name].codes)
    assert not missing


@pytest.mark.parametrize("name", EXACT)
def test_exact_vocabularies(name: str) -> None:
    assert set(v.CORE[name].codes) == REQUIRED[name]


def test_every_exploitation_indicator_has_a_category() -> None:
    seen = {v.exploitation_category(c) for c in v.EXPLOITATION_INDICATORS}
    assert seen == {"sexual", "criminal", "trafficking"}


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("cse.older_partner", "sexual"),
        ("cce.weapons", "criminal"),
        ("trafficking.nrm_referral_considered", "trafficking"),
    ],
)
def test_exploitation_category(code: str, category: str) -> None:
    assert v.exploitation_category(v.EXPLOITATION_INDICATORS[code]) == category
    assert v.exploitation_category(code) == category


def test_exploitation_category_accepts_extensions() -> None:
    extra = Concept(SYSTEM, "cce.cuckooing", "Home taken over", "Someone took over the home.")
    assert v.exploitation_category(extra) == "criminal"


@pytest.mark.parametrize(
    "bad",
    [
        Concept(SYSTEM, "boredom", "Boredom", ""),
        Concept(SYSTEM, "cse", "Bare prefix", ""),
        Concept(SYSTEM, "cse.", "Bare prefix", ""),
        Concept(SYSTEM, "csex.thing", "Wrong prefix", ""),
        "trafficking",
        "",
    ],
)
def test_exploitation_category_rejects(bad: Concept | str) -> None:
    with pytest.raises(ValueError, match="starts with"):
        v.exploitation_category(bad)


@pytest.mark.parametrize(
    ("vocabulary", "typo", "expected"),
    [
        (v.PUSH_FACTORS, "conflict_with_staf", "conflict_with_staff"),
        (v.CONTEXT_CATEGORIES, "key_worker_of_shift", "key_worker_off_shift"),
        (v.EPISODE_STATUSES, "away_without_authorization", "away_without_authorisation"),
        (v.EXPLOITATION_INDICATORS, "cce.travel_ticket", "cce.travel_tickets"),
    ],
)
def test_misspelt_code_suggests(vocabulary: Vocabulary, typo: str, expected: str) -> None:
    with pytest.raises(UnknownCodeError) as info:
        vocabulary.get(typo)
    err = info.value
    assert err.vocabulary == vocabulary.name
    assert err.code == typo
    assert err.suggestions[0] == expected
    assert f"did you mean {expected!r}" in str(err)
    with pytest.raises(LookupError):
        vocabulary[typo]


def test_conflict_with_staff_display_matches_vocab_docs() -> None:
    assert v.PUSH_FACTORS["conflict_with_staff"].display == "Conflict with carers or staff"


def test_by_code_is_the_vocabulary_read_only() -> None:
    vocab = v.EPISODE_STATUSES
    assert dict(vocab.by_code) == {c.code: c for c in vocab}
    assert list(vocab.by_code) == list(vocab.codes)
    with pytest.raises(TypeError):
        vocab.by_code["missing"] = vocab["missing"]  # type: ignore[index]
    assert vocab.extend(Concept(SYSTEM, "x_local", "Local")).by_code["x_local"].code == "x_local"


# --- the data file ---------------------------------------------------------------

#: SHA-256 of the canonical dump of CORE, recorded from the Python tuples the
#: vocabularies were written as before they became package data, less the two
#: England-only context categories (``strategy_meeting_held``,
#: ``plan_review_requested``), which moved into the England pack.  A deliberate
#: change to a vocabulary changes it: record the new digest in the same commit.
CORE_DIGEST = "4142f0bff018ae5649e9672e33682ed7d3b8893f758552491413d3cba47ec7e3"


def _canonical(core: Mapping[str, Vocabulary]) -> bytes:
    """Every field of every vocabulary and concept, in order, as compact sorted-key JSON."""
    dump = [
        {
            "name": vocabulary.name,
            "title": vocabulary.title,
            "source": vocabulary.source,
            "concepts": [
                {
                    "system": c.system,
                    "code": c.code,
                    "display": c.display,
                    "definition": c.definition,
                }
                for c in vocabulary.concepts
            ],
        }
        for vocabulary in core.values()
    ]
    text = json.dumps(dump, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode()


#: The vocabularies added after the tuples were replaced (2026.12: protective factors,
#: significant dates, where a child was found), with their sizes.
ADDED = {
    "protective_factors": 8,
    "significant_date_kinds": 9,
    "distance_bands": 4,
    "address_links": 5,
}


def test_core_is_identical_to_the_tuples_it_replaced() -> None:
    replaced = dict(list(v.CORE.items())[:16])
    assert sum(len(vocabulary) for vocabulary in replaced.values()) == 233
    assert hashlib.sha256(_canonical(replaced)).hexdigest() == CORE_DIGEST
    added = {name: len(vocab) for name, vocab in list(v.CORE.items())[16:]}
    assert added == ADDED


def test_core_data_is_a_package_resource() -> None:
    resource = files("missingcare.vocabularies") / "core.json"
    assert resource.is_file()
    assert load_vocabularies(resource) == v.CORE


def test_core_data_keeps_one_layout() -> None:
    """Two-space indents, one key a line, UTF-8 as written: small diffs when a concept changes."""
    text = (files("missingcare.vocabularies") / "core.json").read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=2) + "\n"


def _fresh_module() -> Any:
    """A new, unbound copy of :mod:`missingcare.vocabularies`, as on first import."""
    spec = importlib.util.find_spec("missingcare.vocabularies")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_core_is_read_on_first_use_and_only_once(monkeypatch: pytest.MonkeyPatch) -> None:
    module = _fresh_module()
    assert "CORE" not in vars(module)
    assert "PUSH_FACTORS" in dir(module)
    reads: list[object] = []

    def counting(source: vocab.VocabularySource) -> Mapping[str, Vocabulary]:
        reads.append(source)
        return load_vocabularies(source)

    monkeypatch.setattr(module, "load_vocabularies", counting)
    first = module.PUSH_FACTORS
    assert first is module.CORE["push_factors"] is module.PUSH_FACTORS
    assert module.EPISODE_STATUSES is module.CORE["episode_statuses"]
    assert len(reads) == 1
    assert first == v.PUSH_FACTORS
    with pytest.raises(AttributeError, match="PUSH_FACTOR"):
        _ = module.PUSH_FACTOR


# --- reading a vocabulary file ------------------------------------------------------


def _concept(code: str, **extra: object) -> dict[str, object]:
    return {"code": code, "display": code.capitalize(), "definition": f"Means {code}.", **extra}


def _vocabulary(name: str, *codes: str, **extra: object) -> dict[str, object]:
    return {
        "name": name,
        "title": name.capitalize(),
        "source": "our own practice guidance",
        "system": "https://example.invalid/codes",
        "concepts": [_concept(code) for code in codes],
        **extra,
    }


def _write(tmp_path: Path, document: object, name: str = "ours.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_load_vocabularies_reads_every_vocabulary_in_order(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {
            "schema_version": 1,
            "vocabularies": [_vocabulary("zebra", "a", "b"), _vocabulary("aardvark", "c")],
        },
    )
    found = load_vocabularies(path)
    assert isinstance(found, MappingProxyType)
    assert list(found) == ["zebra", "aardvark"]
    assert found["zebra"].codes == ("a", "b")
    assert found["zebra"]["a"] == Concept("https://example.invalid/codes", "a", "A", "Means a.")
    assert found["zebra"].source == "our own practice guidance"
    assert load_vocabularies(str(path)) == found


def test_a_resource_in_a_zip_is_read_and_named(tmp_path: Path) -> None:
    archive = tmp_path / "vendor.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("ours.json", json.dumps({"schema_version": 1, "vocabularies": [{}]}))
        z.writestr("good.json", json.dumps({"schema_version": 1, "vocabularies": []}))
    assert load_vocabularies(zipfile.Path(archive, "good.json")) == {}
    with pytest.raises(ValidationError) as info:
        load_vocabularies(zipfile.Path(archive, "ours.json"))
    assert info.value.__notes__ == [f"in the vocabulary file {archive / 'ours.json'}"]


def test_optional_keys_take_their_defaults(tmp_path: Path) -> None:
    entry = _vocabulary("ours")
    del entry["source"]
    entry["concepts"] = [
        {"code": "plain", "display": "Plain"},
        {"code": "borrowed", "display": "Borrowed", "system": SYSTEM},
    ]
    path = _write(tmp_path, {"schema_version": 1, "vocabularies": [entry]})
    ours = Vocabulary.from_file(path)
    assert ours.source == ""
    assert ours["plain"] == Concept("https://example.invalid/codes", "plain", "Plain", "")
    assert ours["borrowed"].system == SYSTEM


def test_from_file_reads_the_one_vocabulary_and_extends_a_core_one(tmp_path: Path) -> None:
    path = _write(
        tmp_path, {"schema_version": 1, "vocabularies": [_vocabulary("push_factors", "bus_pass")]}
    )
    ours = Vocabulary.from_file(path)
    extended = v.PUSH_FACTORS.extend(*ours)
    assert extended.name == "push_factors"
    assert extended.codes == (*v.PUSH_FACTORS.codes, "bus_pass")


def test_from_file_refuses_a_file_of_several(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {"schema_version": 1, "vocabularies": [_vocabulary("a", "x"), _vocabulary("b", "y")]},
    )
    with pytest.raises(ValidationError) as info:
        Vocabulary.from_file(path)
    assert [(x.path, x.code) for x in info.value.violations] == [("$.vocabularies", "not_one")]
    assert info.value.__notes__ == [f"in the vocabulary file {path}"]


def _good() -> dict[str, Any]:
    return {"schema_version": 1, "vocabularies": [_vocabulary("ours", "a", "b", "c")]}


def _concepts(document: dict[str, Any]) -> list[dict[str, Any]]:
    concepts: list[dict[str, Any]] = document["vocabularies"][0]["concepts"]
    return concepts


def _set(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    document = _good()
    change(document)
    return document


MALFORMED: list[tuple[str, object, list[tuple[str, str]]]] = [
    ("top level not an object", ["vocabularies"], [("$", "wrong_type")]),
    (
        "schema_version missing",
        _set(lambda d: d.pop("schema_version")),
        [("$.schema_version", "required")],
    ),
    (
        "schema_version from the future",
        _set(lambda d: d.update(schema_version=2)),
        [("$.schema_version", "unsupported_version")],
    ),
    (
        "schema_version a boolean",
        _set(lambda d: d.update(schema_version=True)),
        [("$.schema_version", "wrong_type")],
    ),
    (
        "vocabulary not an object",
        _set(lambda d: d["vocabularies"].insert(0, "ours")),
        [("$.vocabularies[0]", "wrong_type")],
    ),
    (
        "title missing",
        _set(lambda d: d["vocabularies"][0].pop("title")),
        [("$.vocabularies[0].title", "required")],
    ),
    (
        "name not a code",
        _set(lambda d: d["vocabularies"][0].update(name="Our Codes")),
        [("$.vocabularies[0].name", "invalid")],
    ),
    (
        "a vocabulary named twice",
        _set(lambda d: d["vocabularies"].append(_vocabulary("ours", "z"))),
        [("$.vocabularies[1].name", "repeated")],
    ),
    (
        "display missing",
        _set(lambda d: _concepts(d)[1].pop("display")),
        [("$.vocabularies[0].concepts[1].display", "required")],
    ),
    (
        "definition not text",
        _set(lambda d: _concepts(d)[2].update(definition=3)),
        [("$.vocabularies[0].concepts[2].definition", "wrong_type")],
    ),
    (
        "a misspelt key",
        _set(lambda d: _concepts(d)[0].update(defintion="Means a.")),
        [("$.vocabularies[0].concepts[0].defintion", "unknown_key")],
    ),
    (
        "code not a code",
        _set(lambda d: _concepts(d)[2].update(code="Secret Code")),
        [("$.vocabularies[0].concepts[2].code", "invalid")],
    ),
    (
        "a code twice",
        _set(lambda d: _concepts(d)[2].update(code="a")),
        [("$.vocabularies[0].concepts[2].code", "repeated")],
    ),
    (
        "every problem at once",
        _set(
            lambda d: (
                _concepts(d)[0].pop("code"),
                _concepts(d)[2].update(display=None),
                d["vocabularies"].append(_vocabulary("other", "x", extends="ours")),
            )
        ),
        [
            ("$.vocabularies[0].concepts[0].code", "required"),
            ("$.vocabularies[0].concepts[2].display", "wrong_type"),
            ("$.vocabularies[1].extends", "unknown_key"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("document", "expected"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED]
)
def test_a_malformed_file_names_the_file_and_each_entry(
    tmp_path: Path, document: object, expected: list[tuple[str, str]]
) -> None:
    path = _write(tmp_path, document)
    with pytest.raises(ValidationError) as info:
        load_vocabularies(path)
    error = info.value
    assert [(x.path, x.code) for x in error.violations] == expected
    assert error.__notes__ == [f"in the vocabulary file {path}"]
    assert "Secret Code" not in str(error)


def test_a_file_that_is_not_json(tmp_path: Path) -> None:
    path = tmp_path / "ours.json"
    path.write_bytes(b'{"schema_version": 1,')
    with pytest.raises(ValidationError) as info:
        load_vocabularies(path)
    assert [(x.path, x.code) for x in info.value.violations] == [("$", "invalid_json")]
    assert info.value.__notes__ == [f"in the vocabulary file {path}"]


def test_a_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_vocabularies(tmp_path / "absent.json")
