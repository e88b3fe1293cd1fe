"""The child, their placements and their periods of care."""

from __future__ import annotations

import enum
from datetime import date

import attrs

from missingcare import _fields as f
from missingcare.exceptions import ValidationError

__all__ = ["ChildRef", "PeriodOfCare", "Placement", "PlacementKind"]


class PlacementKind(enum.Enum):
    """The kind of setting a child is placed in (a closed set the rules branch on)."""

    CHILDRENS_HOME = "childrens_home"
    SECURE_CHILDRENS_HOME = "secure_childrens_home"
    FOSTER_CARE = "foster_care"
    KINSHIP_CARE = "kinship_care"
    SUPPORTED_ACCOMMODATION = "supported_accommodation"
    RESIDENTIAL_SCHOOL = "residential_school"
    PLACED_WITH_PARENTS = "placed_with_parents"
    OTHER = "other"


@attrs.frozen
class ChildRef:
    """The child, by the embedding system's opaque id; missingcare holds no name.

    >>> ChildRef("C-0001", date_of_birth=date(2010, 5, 1)).id
    'C-0001'
    """

    id: str = attrs.field(
        **f.ident("Child id", "The child's identifier in your case-record system.")
    )
    date_of_birth: date | None = f.optional_day(
        "Date of birth", "The child's date of birth (used for age and 903 checks)."
    )


@attrs.frozen
class Placement:
    """Where the child lives: a children's home, foster placement… and its IANA time zone.

    The zone gives local meaning to the instants recorded there (903 dates,
    working days, "overnight").
    """

    id: str = attrs.field(**f.ident("Placement id", "The placement's identifier in your system."))
    kind: PlacementKind = attrs.field(
        **f.choice(PlacementKind, "Kind of placement", "What kind of setting is it?")
    )
    zone: str = attrs.field(**f.zone("Time zone", "The IANA time zone of the placement."))
    home_id: str | None = f.optional_text(
        "Home id", "The home or provider's identifier (e.g. an Ofsted URN), if any."
    )
    start: date | None = f.optional_day("Placement start", "The date the child moved in.")
    end: date | None = f.optional_day("Placement end", "The date the placement ended.")
    placing_authority: str | None = f.optional_text(
        "Placing authority", "The local authority responsible for the child."
    )
    host_authority: str | None = f.optional_text(
        "Host authority", "The local authority where the placement is."
    )

    def __attrs_post_init__(self) -> None:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValidationError.single(
                "$.end", "out_of_order", "a placement cannot end before it starts"
            )


@attrs.frozen
class PeriodOfCare:
    """A period during which the child is looked after (903: DECOM to DEC)."""

    start: date = attrs.field(**f.day("Start of care", "The date this period of care began."))
    end: date | None = f.optional_day("End of care", "The date it ended, if it has.")

    def __attrs_post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValidationError.single(
                "$.end", "out_of_order", "a period of care cannot end before it starts"
            )

    def contains(self, day: date) -> bool:
        """Whether the local date ``day`` falls in the period (both ends included)."""
        return self.start <= day and (self.end is None or day <= self.end)
