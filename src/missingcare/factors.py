"""Push and pull factors, and the unmet needs behind them."""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from missingcare import _fields as f
from missingcare.exceptions import ValidationError
from missingcare.records import Recorded, recorded_field
from missingcare.vocab import Concept

__all__ = ["EvidenceSource", "Factor", "FactorDirection", "UnmetNeed"]


class FactorDirection(enum.Enum):
    """Whether a factor pushed the child away, pulled them towards something, or protected them.

    A protective factor is what kept the child safe or brought them back: a
    trusted adult they called, coming back by themselves (domain research §6.2: ADV,
    NYAS, RTC19).
    """

    PUSH = "push"
    PULL = "pull"
    PROTECTIVE = "protective"

    @property
    def vocabulary(self) -> str:
        """The name of the vocabulary the factor's concept comes from."""
        return f"{self.value}_factors"


class EvidenceSource(enum.Enum):
    """Where the knowledge of a factor or need came from."""

    CHILD_OWN_WORDS = "child_own_words"
    STAFF_OBSERVATION = "staff_observation"
    RETURN_CONVERSATION = "return_conversation"
    OTHER_AGENCY = "other_agency"
    FAMILY = "family"


def _ids(values: tuple[str, ...], path: str) -> None:
    for i, value in enumerate(values):
        if not value.strip():
            raise ValidationError.single(f"{path}[{i}]", "empty", "expected a non-empty id")
    if len(set(values)) != len(values):
        raise ValidationError.single(path, "repeated", "expected each id at most once")


@attrs.frozen
class Factor:
    """A push, pull or protective factor in a child's going missing, with its evidence.

    ``episode_ids`` ties it to particular episodes; empty means it is known of
    the child generally.
    """

    id: str = attrs.field(**f.ident("Factor id", "The factor record's identifier."))
    child_id: str = attrs.field(**f.ident("Child id", "The child's identifier."))
    direction: FactorDirection = attrs.field(
        **f.choice(
            FactorDirection,
            "Push or pull",
            "Did it push the child away or pull them towards something?",
        )
    )
    concept: Concept = attrs.field(
        **f.concept_chosen_by("direction", "Factor", "What was pushing or pulling?")
    )
    source: EvidenceSource = attrs.field(**f.choice(EvidenceSource, "Evidence", "How do we know?"))
    noted_at: datetime = attrs.field(**f.at("Noted at", "When was it noted?"))
    episode_ids: tuple[str, ...] = f.many(str, "Episodes", "Which episodes does it concern?")
    note: str | None = f.optional_text("Note", "What was seen or said.")
    recorded: Recorded | None = recorded_field()

    def __attrs_post_init__(self) -> None:
        _ids(self.episode_ids, "$.episode_ids")


@attrs.frozen
class UnmetNeed:
    """A need hypothesised to sit behind the child's going missing."""

    id: str = attrs.field(**f.ident("Need id", "The need record's identifier."))
    child_id: str = attrs.field(**f.ident("Child id", "The child's identifier."))
    need: Concept = attrs.field(**f.concept("unmet_needs", "Need", "What need was not being met?"))
    source: EvidenceSource = attrs.field(**f.choice(EvidenceSource, "Evidence", "How do we know?"))
    noted_at: datetime = attrs.field(**f.at("Noted at", "When was it noted?"))
    episode_ids: tuple[str, ...] = f.many(str, "Episodes", "Which episodes does it concern?")
    note: str | None = f.optional_text("Note", "What was seen or said.")
    recorded: Recorded | None = recorded_field()

    def __attrs_post_init__(self) -> None:
        _ids(self.episode_ids, "$.episode_ids")
