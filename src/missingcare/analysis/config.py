"""How the investigative lens reads a case file: windows, thresholds and category groups.

Everything the analyses treat as configurable lives in one frozen
:class:`LensConfig`. The defaults follow the practice sources in
``docs/explanation/running-as-communication.md``; embedders with extended
vocabularies map their own codes by building a :class:`CategoryGroups`
with ``attrs.evolve``:

>>> groups = attrs.evolve(
...     DEFAULT_GROUPS, conflict=DEFAULT_GROUPS.conflict | {"argument_with_teacher"}
... )
>>> "argument_with_teacher" in LensConfig(groups=groups).groups.conflict
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta

import attrs

__all__ = ["DEFAULT_CONFIG", "DEFAULT_GROUPS", "CategoryGroups", "LensConfig"]


def _codes(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        raise TypeError("expected a collection of codes, not one string")
    return frozenset(value)


def _signal_map(
    value: Mapping[str, Iterable[str]] | Iterable[tuple[str, Iterable[str]]],
) -> tuple[tuple[str, frozenset[str]], ...]:
    pairs = value.items() if isinstance(value, Mapping) else value
    return tuple(sorted((str(k), _codes(v)) for k, v in pairs))


@attrs.frozen
class CategoryGroups:
    """Which context-category and response codes each detection looks for.

    Codes are those of :data:`missingcare.vocabularies.CONTEXT_CATEGORIES`
    and :data:`~missingcare.vocabularies.RESPONSES_ON_RETURN` unless the
    embedder extends them. ``pull_signals`` maps a context category that
    signals a pull (a new phone, an unknown adult…) to the pull-factor codes
    that would count as having named it (given as a mapping, held as
    sorted pairs so the value stays hashable).
    """

    conflict: frozenset[str] = attrs.field(
        converter=_codes,
        default=frozenset({"conflict_with_staff", "conflict_with_peer", "conflict_with_family"}),
    )
    sanction: frozenset[str] = attrs.field(
        converter=_codes, default=frozenset({"sanction_imposed", "restriction_imposed"})
    )
    contact_disrupted: frozenset[str] = attrs.field(
        converter=_codes,
        default=frozenset(
            {"contact_cancelled", "contact_changed", "social_worker_visit_cancelled"}
        ),
    )
    adult_unavailable: frozenset[str] = attrs.field(
        converter=_codes,
        default=frozenset({"key_worker_off_shift", "key_worker_on_leave", "staff_change"}),
    )
    adult_left: frozenset[str] = attrs.field(
        converter=_codes, default=frozenset({"key_worker_left"})
    )
    contact_kept: frozenset[str] = attrs.field(
        converter=_codes, default=frozenset({"contact_held"})
    )
    pull_signals: tuple[tuple[str, frozenset[str]], ...] = attrs.field(
        converter=_signal_map,
        default={
            "new_phone_or_gifts": ("money_gifts_status", "groomed_by_adults", "gang_recruitment"),
            "unknown_adult": ("groomed_by_adults", "gang_recruitment", "older_partner"),
            "older_peers": (
                "older_partner",
                "boyfriend_or_girlfriend",
                "groomed_by_adults",
                "gang_recruitment",
            ),
            "picked_up_by_car": ("groomed_by_adults", "gang_recruitment", "older_partner"),
            "many_calls_or_messages": ("groomed_by_adults", "gang_recruitment", "online_contacts"),
            "online_contact_concern": ("online_contacts", "groomed_by_adults"),
            "new_peer_group": ("see_friends", "gang_recruitment", "parties"),
        },
    )
    restrictive_responses: frozenset[str] = attrs.field(
        converter=_codes,
        default=frozenset(
            {
                "grounding",
                "phone_removed",
                "pocket_money_withheld",
                "activity_cancelled",
                "increased_supervision",
                "room_search",
                "locked_doors_or_alarms",
                "contact_restricted",
            }
        ),
    )

    def named_by(self, signal: str) -> frozenset[str]:
        """The pull-factor codes that count as naming the pull signal ``signal``."""
        for code, factors in self.pull_signals:
            if code == signal:
                return factors
        return frozenset()

    @property
    def signals(self) -> frozenset[str]:
        """The context categories read as pull signals."""
        return frozenset(code for code, _ in self.pull_signals)


#: The shipped category groups, for the core vocabularies.
DEFAULT_GROUPS = CategoryGroups()


def _positive(_inst: object, attr: attrs.Attribute[timedelta], value: timedelta) -> None:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise ValueError(f"LensConfig.{attr.name} must be a positive timedelta")


@attrs.frozen
class LensConfig:
    """The windows and thresholds of the investigative lens.

    * ``window``: how far before "last seen" the before-window reaches (72 h).
    * ``since_previous_episode``: start the window where the previous episode
      ended instead (falling back to ``window`` for a first episode).
    * ``loss_lookback``: how far back a trusted adult leaving still counts (28 days).
    * ``signal_lookback``: how far back pull signals in the log are gathered (28 days).
    * ``baseline``: the period before the window that gives the child's own
      baseline for escalating needs (90 days); a need escalates when its
      entries in the window reach ``escalation_min`` and exceed
      ``escalation_ratio`` times the baseline rate.
    * ``account_deadline``: when a child's account should have been heard after
      return (72 hours, England [DFE14]).
    * ``came_back_within``: a child who contacted a trusted adult and was back
      within this long is said to have come back to them (6 hours).
    * ``recent``/``longer``: the two contact-count windows (30 and 90 days).
    * ``long_absence``: no contact for this long is a long absence (21 days).
    * ``leaving_soon``: an ending this close ahead is "about to leave" (28 days).
    * ``compare_window``: the period before and after an action compared in a
      child's history (90 days).
    """

    window: timedelta = attrs.field(default=timedelta(hours=72), validator=_positive)
    since_previous_episode: bool = False
    loss_lookback: timedelta = attrs.field(default=timedelta(days=28), validator=_positive)
    signal_lookback: timedelta = attrs.field(default=timedelta(days=28), validator=_positive)
    baseline: timedelta = attrs.field(default=timedelta(days=90), validator=_positive)
    escalation_min: int = 2
    escalation_ratio: float = 2.0
    account_deadline: timedelta = attrs.field(default=timedelta(hours=72), validator=_positive)
    came_back_within: timedelta = attrs.field(default=timedelta(hours=6), validator=_positive)
    recent: timedelta = attrs.field(default=timedelta(days=30), validator=_positive)
    longer: timedelta = attrs.field(default=timedelta(days=90), validator=_positive)
    long_absence: timedelta = attrs.field(default=timedelta(days=21), validator=_positive)
    leaving_soon: timedelta = attrs.field(default=timedelta(days=28), validator=_positive)
    compare_window: timedelta = attrs.field(default=timedelta(days=90), validator=_positive)
    groups: CategoryGroups = DEFAULT_GROUPS


#: The default configuration.
DEFAULT_CONFIG = LensConfig()
