"""What was happening in the child's life: entries in the daily log.

Context belongs to the child, not to an episode. An episode's "before" is a
time window over the child's context (see :mod:`missingcare.analysis`).
"""

from __future__ import annotations

from datetime import datetime

import attrs

from missingcare import _fields as f
from missingcare.records import Recorded, recorded_field
from missingcare.vocab import Concept

__all__ = ["ContextEntry"]


@attrs.frozen
class ContextEntry:
    """One thing that happened: a row, a cancelled contact, a sanction, a key worker's leave.

    ``resolves`` names earlier entries (by id) that this one resolves, so a
    repaired conflict can be told from one left open. ``adult_ids`` names the
    adults involved (for example the key worker who went on leave), and
    ``needs`` the unmet needs the entry speaks to. ``child_said`` keeps what
    the child said, verbatim (the library never rewrites it), and
    ``child_said_to`` who heard it.
    """

    id: str = attrs.field(**f.ident("Entry id", "The log entry's identifier."))
    child_id: str = attrs.field(**f.ident("Child id", "The child's identifier."))
    at: datetime = attrs.field(**f.at("When", "When did it happen?"))
    category: Concept = attrs.field(
        **f.concept("context_categories", "What kind of event", "What happened?")
    )
    note: str | None = f.optional_text("Note", "A short factual note.")
    recorded_by: str | None = f.optional_text("Recorded by", "Who recorded it (role)?")
    resolves: tuple[str, ...] = f.many(
        str, "Resolves", "Which earlier entries does this resolve (e.g. a repaired conflict)?"
    )
    adult_ids: tuple[str, ...] = f.many(str, "Adults involved", "Which adults were involved?")
    needs: tuple[Concept, ...] = f.concepts(
        "unmet_needs", "Needs it speaks to", "Which unmet needs does this speak to?"
    )
    child_said: str | None = f.optional_text(
        "The child said", "What did the child say, in their own words (verbatim)?"
    )
    child_said_to: str | None = f.optional_text("Said to", "Who heard the child say it (role)?")
    recorded: Recorded | None = recorded_field()

    def __attrs_post_init__(self) -> None:
        if not self.resolves and not self.adult_ids:
            return  # every check below is over these two lists
        p = f.Problems()
        if self.id in self.resolves:
            p.add("$.resolves", "self_reference", "an entry cannot resolve itself")
        for name in ("resolves", "adult_ids"):
            values = getattr(self, name)
            for i, value in enumerate(values):
                if not value.strip():
                    p.add(f"$.{name}[{i}]", "empty", "expected a non-empty id")
            if len(set(values)) != len(values):
                p.add(f"$.{name}", "repeated", "expected each id at most once")
        p.raise_if_any()
