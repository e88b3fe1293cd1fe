"""A small corpus of valid and invalid documents every peer must judge as the wire does.

Before anything is timed, the runner checks each peer (the validated msgspec
Structs, pydantic, cattrs) on it: each accepts the two valid documents and
writes them back to the library's bytes (codes for concepts, UTC instants),
and refuses each of the invalid ones, which the library refuses too. The
peers' timings are only comparable because their checks are: this is where
that is shown. ``tests/test_benchmarks_smoke.py`` runs the same corpus case by
case.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

from missingcare import MissingEpisode, ReturnConversation, from_json, to_json
from missingcare.exceptions import ValidationError

__all__ = ["BASES", "REFUSED", "changed", "documents", "judge"]

EPISODE: dict[str, Any] = {
    "schema_version": 2,
    "id": "E1",
    "child_id": "C1",
    "placement_id": "P1",
    "zone": "Europe/London",
    "last_seen_at": "2026-10-01T20:00:00Z",
    "statuses": [
        {"at": "2026-10-01T20:00:00Z", "status": "away_without_authorisation"},
        {
            "at": "2026-10-01T22:00:00+01:00",
            "status": "missing",
            "recorded": {"at": "2026-10-01T21:30:00Z"},
        },
    ],
    "last_seen_place": "the park",
    "clothing": "a blue coat",
    "noticed_at": "2026-10-01T20:30:00Z",
    "police_report": {"reported_at": "2026-10-01T22:00:00Z", "reference": "LOG-1"},
    "risk_grades": [
        {"at": "2026-10-01T22:10:00Z", "grade": "medium", "by": "PC 1"},
        {"at": "2026-10-02T01:00:00Z", "grade": "low"},
    ],
    "search_actions": [{"at": "2026-10-01T20:40:00Z", "action": "phoned_child"}],
    "notifications": [{"recipient": "police", "at": "2026-10-01T22:00:00Z"}],
    "located": {"at": "2026-10-02T02:00:00Z", "where": "friends_home"},
    "ended_at": "2026-10-02T02:00:00Z",
    "returned_at": "2026-10-02T03:00:00.5Z",
    "ending": "returned_voluntarily",
    "whereabouts": ["friends_home", "family_home"],
    "who_with": ["peers"],
    "harm_disclosed": ["emotional_harm"],
    "recorded": {"at": "2026-10-02T09:00:00Z", "by": "key_worker"},
}

CONVERSATION: dict[str, Any] = {
    "schema_version": 2,
    "id": "V1",
    "child_id": "C1",
    "episode_ids": ["E1", "E2"],
    "offers": [
        {"at": "2026-10-02T10:00:00Z", "outcome": "unable_to_locate_child"},
        {"at": "2026-10-02T12:00:00Z", "outcome": "accepted", "method": "phone"},
    ],
    "requested_adult_ids": ["A1"],
    "decision": "accepted",
    "held_at": "2026-10-03T10:00:00Z",
    "interviewer": {"role": "key_worker", "independent_of_home": False},
    "method": "in_person",
    "child_account": "I went to see a friend.",
    "whereabouts": ["friends_home"],
    "screening": {"categories": ["sexual", "criminal"], "indicators": ["cse.older_partner"]},
    "topics": ["harm", "safety_planning"],
    "responses_on_return": [
        {"response": "welcomed_back", "at": "2026-10-02T03:00:00Z", "safeguarding_reason": True}
    ],
    "child_feedback": "It was fine.",
    "actions": [
        {"id": "X1", "description": "Call the school", "due": "2026-10-10T09:00:00Z"},
        {"id": "X2", "description": "Review the plan"},
    ],
}


def changed(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of ``document`` with ``value`` at ``path`` (``a.b.0``; ``...`` removes)."""
    out = copy.deepcopy(document)
    *parents, last = path.split(".")
    node: Any = out
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    key_: Any = int(last) if isinstance(node, list) else last
    if value is ...:
        del node[key_]
    else:
        node[key_] = value
    return out


#: Each (document, path, value) is refused by the wire and by the pydantic model.
REFUSED: list[tuple[str, str, Any]] = [
    ("episode", "last_seen_at", "2026-10-01T20:00:00"),  # naive
    ("episode", "last_seen_at", 1_791_000_000),
    ("episode", "noticed_at", None),  # null: leave the key out
    ("episode", "clothing", "   "),
    ("episode", "clothing", "\x1c"),
    ("episode", "clothing", "x" * 10_001),
    ("episode", "id", ""),
    ("episode", "zone", "Europe/Nowhere"),
    ("episode", "statuses.0.status", "gone"),
    ("episode", "ending", "MISSING"),
    ("episode", "whereabouts", ["friends_home", "friends_home"]),
    ("episode", "surname", "Smith"),
    ("episode", "schema_version", 3),
    ("episode", "recorded.by", "J. Smith"),  # a role, never a name
    ("episode", "recorded.at", "2026-10-02T09:00:00"),  # naive
    ("episode", "statuses.1.recorded", {}),  # no time
    ("episode", "statuses", []),
    ("episode", "statuses.0.at", "2026-10-01T19:59:59Z"),  # before last seen
    ("episode", "statuses.1.status", "away_without_authorisation"),  # no change
    ("episode", "statuses.1.at", "2026-10-02T02:00:01Z"),  # after the end
    ("episode", "risk_grades.1.at", "2026-10-01T22:00:00Z"),  # out of order
    ("episode", "police_report.reported_at", "2026-10-01T19:00:00Z"),
    ("episode", "returned_at", "2026-10-02T01:59:00Z"),  # before the end
    ("episode", "ended_at", ...),  # returned and located without an end
    ("conversation", "episode_ids", []),
    ("conversation", "episode_ids", ["E1", "E1"]),
    ("conversation", "episode_ids", ["E1", " "]),
    ("conversation", "requested_adult_ids", ["A1", "A1"]),
    ("conversation", "topics", ["harm", "harm"]),
    ("conversation", "screening.categories", ["sexual", "sexual"]),
    ("conversation", "interviewer.independent_of_home", "no"),
    ("conversation", "method", "carrier_pigeon"),
    ("conversation", "decision", "declined"),  # declined, yet held
    ("conversation", "declined_reason", "busy"),  # a reason, not declined
    ("conversation", "held_at", ...),  # account and feedback for one not held
    ("conversation", "offers.1.at", "2026-10-02T09:00:00Z"),  # out of order
    ("conversation", "actions.1.id", "X1"),
]

#: The valid base of each kind of document, and the model class that reads it.
BASES: dict[str, tuple[type, dict[str, Any]]] = {
    "episode": (MissingEpisode, EPISODE),
    "conversation": (ReturnConversation, CONVERSATION),
}


def documents(cls: type) -> tuple[bytes, list[bytes]]:
    """The valid document of ``cls``'s kind, and the invalid ones."""
    kind, base = next((k, b) for k, (c, b) in BASES.items() if c is cls)
    bad = [json.dumps(changed(base, p, v)).encode() for k, p, v in REFUSED if k == kind]
    return json.dumps(base).encode(), bad


def judge(
    cls: type,
    load: Callable[[bytes], Any],
    dump: Callable[[Any], bytes],
) -> Iterator[str]:
    """What a peer does differently from the wire on the corpus (nothing, if it is equivalent).

    ``load`` reads a document (raising on a refusal, any exception), ``dump``
    writes what it read as bytes.
    """
    good, bad = documents(cls)
    expected = to_json(from_json(good, cls))
    try:
        written = dump(load(good))
    except Exception:
        yield "refuses the valid document"
    else:
        if written != expected:
            yield "writes the valid document back differently"
    for i, data in enumerate(bad):
        try:
            from_json(data, cls)
        except ValidationError:
            pass
        else:  # pragma: no cover - the corpus itself is wrong
            yield f"invalid document {i}: the library accepts it"
        try:
            load(data)
        except Exception:
            continue
        yield f"accepts invalid document {i}"
