"""The child's trusted adults: the one they would call, the one they come back to."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from missingcare import _fields as f
from missingcare.records import Recorded, recorded_field
from missingcare.vocab import Concept

__all__ = ["AdultContact", "ContactKind", "TrustedAdult"]


class ContactKind(enum.Enum):
    """How the child and the adult were in touch."""

    IN_PERSON = "in_person"
    PHONE = "phone"
    MESSAGE = "message"
    VIDEO = "video"


@attrs.frozen
class AdultContact:
    """A contact between the child and a trusted adult.

    ``episode_id`` is set when the contact happened during that episode (the
    child phoned them while missing); ``child_initiated`` when the child
    reached out.
    """

    at: datetime = attrs.field(**f.at("When", "When were they in touch?"))
    kind: ContactKind = attrs.field(**f.choice(ContactKind, "How", "How were they in touch?"))
    child_initiated: bool | None = f.optional_flag(
        "Child reached out", "Did the child make the contact?"
    )
    episode_id: str | None = f.optional_text(
        "During episode", "If it was during a missing episode, which one?"
    )
    note: str | None = f.optional_text("Note", "Anything worth recording.")


@attrs.frozen
class TrustedAdult:
    """An adult the child names as someone they trust, and what became of it.

    ``named_at`` is when the child named them and ``child_words`` how they put
    it; ``ended_at`` is when the relationship ended in the home (the adult
    left, the child moved), with ``end_reason``.
    """

    id: str = attrs.field(**f.ident("Relationship id", "The relationship record's identifier."))
    child_id: str = attrs.field(**f.ident("Child id", "The child's identifier."))
    adult_id: str = attrs.field(
        **f.ident("Adult id", "The adult's identifier in your system (no names).")
    )
    role: Concept = attrs.field(
        **f.concept("relationship_roles", "Role", "What is the adult's role?")
    )
    named_at: datetime = attrs.field(**f.at("Named at", "When did the child name this adult?"))
    named_by_child: bool = f.flag(
        "Named by the child", "Did the child name this adult themselves?", default=True
    )
    child_words: str | None = f.optional_text(
        "In the child's words", "How did the child describe them?"
    )
    contacts: tuple[AdultContact, ...] = f.many(
        AdultContact, "Contacts", "When were they in touch, and how?"
    )
    ended_at: datetime | None = f.optional_at("Ended", "When did the relationship end here?")
    end_reason: str | None = f.optional_text("Why it ended", "The adult left, the child moved…")
    recorded: Recorded | None = recorded_field()

    def __attrs_post_init__(self) -> None:
        p = f.Problems()
        f.not_before(
            p,
            self.ended_at,
            self.named_at,
            "$.ended_at",
            "a relationship cannot end before it was named",
        )
        if self.end_reason is not None and self.ended_at is None:
            p.add("$.end_reason", "contradiction", "only an ended relationship has an end reason")
        for i, contact in enumerate(self.contacts):
            if i and contact.at < self.contacts[i - 1].at:
                p.add(f"$.contacts[{i}].at", "out_of_order", "expected contacts in time order")
        p.raise_if_any()

    def is_present_at(self, when: datetime) -> bool:
        """Whether the relationship stood at ``when`` (named, not yet ended)."""
        return self.named_at <= when and (self.ended_at is None or when < self.ended_at)
