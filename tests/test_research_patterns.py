"""The research analyses agree with plain pure-Python computations over the model.

Acceptance 1 of issue 6: every analysis is checked against a straightforward
computation on the model objects (``MissingEpisode.duration``,
``length_in_days``, :func:`missingcare.time.local_datetime`) over at least
10,000 generated episodes (the generator's ``clock_changes`` profile) that
include open episodes and episodes across clock changes in four zones (London,
Dublin, New York and Lord Howe, whose clocks move by half an hour).
"""

from __future__ import annotations

import gc
import random
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest

pl = pytest.importorskip("polars")

from missingcare import CaseFile, MissingEpisode  # noqa: E402
from missingcare.research import patterns as p  # noqa: E402
from missingcare.research.tables import CaseTables, to_arrow  # noqa: E402
from missingcare.testing.builders import case_file, episode, placement  # noqa: E402
from missingcare.testing.synth import Cohort  # noqa: E402
from missingcare.time import local_datetime, local_instant  # noqa: E402

#: At least this many episodes in the cohort every analysis is checked on.
MIN_EPISODES = 10_000


@pytest.fixture(scope="module")
def cases(clock_changes_cohort: tuple[CaseFile, ...]) -> tuple[CaseFile, ...]:
    return clock_changes_cohort


@pytest.fixture(scope="module")
def tables(cases: tuple[CaseFile, ...]) -> CaseTables:
    return to_arrow(cases)


def _episodes(cases: Iterable[CaseFile]) -> list[tuple[CaseFile, MissingEpisode]]:
    return [(c, e) for c in cases for e in c.episodes]


def _local(at: datetime, zone: str) -> datetime:
    return local_datetime(at, zone)


def _band(value: float, edges: Sequence[float]) -> float | None:
    found = None
    for edge in edges:
        if value >= edge:
            found = float(edge)
    return found


def _rows(frame: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = frame.to_dicts()
    return rows


# --- the generated data covers what it must ---------------------------------------------


def test_the_data_has_open_episodes_clock_changes_and_several_zones(
    cases: tuple[CaseFile, ...],
) -> None:
    eps = _episodes(cases)
    assert len(eps) >= MIN_EPISODES
    assert sum(e.is_open for _, e in eps) > 50
    across = [
        e
        for _, e in eps
        if e.ended_at is not None
        and _local(e.last_seen_at, e.zone).utcoffset() != _local(e.ended_at, e.zone).utcoffset()
    ]
    assert len(across) > 100
    assert {e.zone for _, e in eps} >= {"Europe/London", "Australia/Lord_Howe"}


# --- each analysis against its plain computation ------------------------------------------


def test_hour_by_weekday(cases: tuple[CaseFile, ...], tables: CaseTables) -> None:
    episodes: Counter[tuple[int, int]] = Counter()
    children: defaultdict[tuple[int, int], set[str]] = defaultdict(set)
    for c, e in _episodes(cases):
        local = _local(e.last_seen_at, e.zone)
        key = (local.isoweekday(), local.hour)
        episodes[key] += 1
        children[key].add(c.child.id)
    result = p.hour_by_weekday(tables)
    assert result.frame.height == 168
    for row in _rows(result.frame):
        key = (row["weekday"], row["hour"])
        assert row["episodes"] == episodes[key], key
        assert row["children"] == len(children[key]), key
    assert result.episodes == len(_episodes(cases))
    assert result.children == len({c.child.id for c, _ in _episodes(cases)})


def test_durations(cases: tuple[CaseFile, ...], tables: CaseTables) -> None:
    closed = [(c, e) for c, e in _episodes(cases) if not e.is_open]
    expected: Counter[tuple[str, float | None]] = Counter()
    kids: defaultdict[tuple[str, float | None], set[str]] = defaultdict(set)
    hours, days = [], []
    for c, e in closed:
        assert e.duration is not None
        assert e.length_in_days is not None
        h = e.duration.total_seconds() / 3600
        hours.append(h)
        days.append(e.length_in_days)
        for key in (
            ("elapsed_hours", _band(h, p.HOUR_BANDS)),
            ("calendar_days", _band(e.length_in_days, p.DAY_BANDS)),
        ):
            expected[key] += 1
            kids[key].add(c.child.id)
    result = p.durations(tables)
    for row in _rows(result.frame):
        key = (row["measure"], row["lower"])
        assert row["episodes"] == expected[key], key
        assert row["children"] == len(kids[key]), key
    assert result.closed_episodes == len(closed)
    assert result.open_episodes == len(_episodes(cases)) - len(closed)
    assert result.median_elapsed_hours == pytest.approx(statistics.median(hours))
    assert result.median_calendar_days == statistics.median(days)


def _window_counts(cases: Iterable[CaseFile], days: int) -> dict[tuple[str, str], int]:
    """Per episode: the child's episodes whose local start date is in the window ending on it."""
    out = {}
    for c in cases:
        dates = [(_local(e.last_seen_at, e.zone).date(), e.id) for e in c.episodes]
        for d, eid in dates:
            out[c.child.id, eid] = sum(
                1 for other, _ in dates if d - timedelta(days=days - 1) <= other <= d
            )
    return out


def test_repeat_episodes(cases: tuple[CaseFile, ...], tables: CaseTables) -> None:
    result = p.repeat_episodes(tables)
    rows = _rows(result.frame)
    for w in (28, 30, 90):
        counts = _window_counts(cases, w)
        assert result.repeat_episodes[w] == sum(1 for n in counts.values() if n >= 2)
        most: Counter[int] = Counter()
        eps: Counter[int] = Counter()
        for c in cases:
            if c.episodes:
                m = max(counts[c.child.id, e.id] for e in c.episodes)
                most[m] += 1
                eps[m] += len(c.episodes)
        got = {r["most_in_window"]: r for r in rows if r["window_days"] == w}
        assert {k: r["children"] for k, r in got.items()} == dict(most)
        assert {k: r["episodes"] for k, r in got.items()} == dict(eps)


def test_whereabouts(cases: tuple[CaseFile, ...], tables: CaseTables) -> None:
    expected: defaultdict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for c, e in _episodes(cases):
        for concept in e.whereabouts:
            expected["where", concept.code].add((c.child.id, e.id))
        for concept in e.who_with:
            expected["who_with", concept.code].add((c.child.id, e.id))
    result = p.whereabouts(tables)
    got = {(r["dimension"], r["code"]): r for r in _rows(result.frame)}
    assert set(got) == set(expected)
    for key, pairs in expected.items():
        assert got[key]["episodes"] == len(pairs)
        assert got[key]["children"] == len({cid for cid, _ in pairs})
        assert got[key]["display"]
    assert result.episodes_with_where == sum(1 for _, e in _episodes(cases) if e.whereabouts)


def test_prevalence(cases: tuple[CaseFile, ...], tables: CaseTables) -> None:
    children: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
    records: Counter[tuple[str, str]] = Counter()
    episodes: defaultdict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for c in cases:
        items = [(f.direction.value, f.concept.code, f.episode_ids) for f in c.factors]
        items += [("need", n.need.code, n.episode_ids) for n in c.needs]
        for kind, code, eids in items:
            children[kind, code].add(c.child.id)
            records[kind, code] += 1
            episodes[kind, code].update((c.child.id, eid) for eid in eids)
    result = p.prevalence(tables)
    got = {(r["kind"], r["code"]): r for r in _rows(result.frame)}
    assert set(got) == set(records)
    for key in records:
        assert got[key]["children"] == len(children[key])
        assert got[key]["records"] == records[key]
        assert got[key]["episodes"] == len(episodes[key])
    assert result.children_total == len(cases)


def _conversation_facts(cases: Iterable[CaseFile], deadline: timedelta) -> list[dict[str, Any]]:
    out = []
    for c in cases:
        for e in c.episodes:
            if e.is_open:
                continue
            convs = c.conversations_for(e.id)
            held = [cv.held_at for cv in convs if cv.held_at is not None]
            first = min(held) if held else None
            placement = c.placement(e.placement_id)
            out.append(
                {
                    "child": c.child.id,
                    "returned": e.returned_at,
                    "home_id": placement.home_id,
                    "placing_authority": placement.placing_authority,
                    "month": None
                    if e.returned_at is None
                    else _local(e.returned_at, e.zone).strftime("%Y-%m"),
                    "offered": any(
                        cv.offers or cv.decision is not None or cv.held_at is not None
                        for cv in convs
                    ),
                    "accepted": any(
                        (cv.decision is not None and cv.decision.value == "accepted")
                        or cv.held_at is not None
                        for cv in convs
                    ),
                    "declined": any(
                        cv.decision is not None and cv.decision.value == "declined" for cv in convs
                    ),
                    "first_held": first,
                    "within": first is not None
                    and e.returned_at is not None
                    and first - e.returned_at <= deadline,
                }
            )
    return out


@pytest.mark.parametrize("by", ["month", "home", "authority"])
def test_conversation_rates(cases: tuple[CaseFile, ...], tables: CaseTables, by: str) -> None:
    deadline = timedelta(hours=72)
    column = {"month": "month", "home": "home_id", "authority": "placing_authority"}[by]
    facts = _conversation_facts(cases, deadline)
    known = [f for f in facts if f["returned"] is not None]
    groups: defaultdict[Any, list[dict[str, Any]]] = defaultdict(list)
    for f in known:
        groups[f[column]].append(f)
    result = p.conversation_rates(tables, by=by, deadline=deadline)  # type: ignore[arg-type]
    got = {r[column]: r for r in _rows(result.frame)}
    assert set(got) == set(groups)
    for key, rows in groups.items():
        r = got[key]
        assert r["returns"] == len(rows)
        assert r["children"] == len({f["child"] for f in rows})
        assert r["offered"] == sum(f["offered"] for f in rows)
        assert r["accepted"] == sum(f["accepted"] for f in rows)
        assert r["declined"] == sum(f["declined"] for f in rows)
        assert r["held"] == sum(f["first_held"] is not None for f in rows)
        assert r["held_within_deadline"] == sum(f["within"] for f in rows)
        assert r["held_late"] == r["held"] - r["held_within_deadline"]
        assert r["within_deadline_rate"] == pytest.approx(r["held_within_deadline"] / len(rows))
    assert result.returns == len(known)
    assert result.return_time_unknown == len(facts) - len(known)
    assert sum(f["declined"] for f in known) > 0  # the cohort has declines to count


def test_the_deadline_is_a_parameter(tables: CaseTables) -> None:
    short = p.conversation_rates(tables, deadline=timedelta(hours=24))
    long = p.conversation_rates(tables, deadline=timedelta(hours=72))
    s = short.frame.get_column("held_within_deadline").sum()
    assert s < long.frame.get_column("held_within_deadline").sum()
    with pytest.raises(ValueError, match="positive"):
        p.conversation_rates(tables, deadline=timedelta(0))


def test_time_to_conversation(cases: tuple[CaseFile, ...], tables: CaseTables) -> None:
    facts = [
        f for f in _conversation_facts(cases, timedelta(hours=72)) if f["returned"] is not None
    ]
    held = [f for f in facts if f["first_held"] is not None]
    hours = [(f["first_held"] - f["returned"]).total_seconds() / 3600 for f in held]
    bands: Counter[float | None] = Counter(_band(h, p.CONVERSATION_BANDS) for h in hours)
    result = p.time_to_conversation(tables)
    for row in _rows(result.frame):
        assert row["episodes"] == bands[row["lower"]]
    assert result.held == len(held)
    assert result.not_held == len(facts) - len(held)
    assert result.within_deadline == sum(f["within"] for f in held)
    assert result.median_hours == pytest.approx(statistics.median(hours))


def test_episode_rates(cases: tuple[CaseFile, ...], tables: CaseTables) -> None:
    start, end = date(2024, 6, 1), date(2026, 1, 1)
    days: Counter[str | None] = Counter()
    placements: Counter[str | None] = Counter()
    eps: Counter[str | None] = Counter()
    kids: defaultdict[str | None, set[str]] = defaultdict(set)
    for c in cases:
        for pl_ in c.placements:
            if pl_.start is None:
                continue
            placements[pl_.home_id] += 1
            days[pl_.home_id] += max(0, (min(pl_.end or end, end) - max(pl_.start, start)).days)
        for e in c.episodes:
            d = _local(e.last_seen_at, e.zone).date()
            pl_ = c.placement(e.placement_id)
            if pl_.start is not None and start <= d < end:
                eps[pl_.home_id] += 1
                kids[pl_.home_id].add(c.child.id)
    result = p.episode_rates(tables, start=start, end=end)
    got = {r["home_id"]: r for r in _rows(result.frame)}
    assert set(got) == set(placements)
    for home, n in placements.items():
        r = got[home]
        assert (r["placements"], r["placement_days"]) == (n, days[home])
        assert (r["episodes"], r["children"]) == (eps[home], len(kids[home]))
        if days[home]:
            assert r["per_1000_days"] == pytest.approx(eps[home] * 1000 / days[home])


def test_trusted_adult_comparison(cases: tuple[CaseFile, ...], tables: CaseTables) -> None:
    counts = _window_counts(cases, 28)
    groups: defaultdict[bool, list[tuple[str, MissingEpisode]]] = defaultdict(list)
    for c, e in _episodes(cases):
        present = any(ta.is_present_at(e.last_seen_at) for ta in c.trusted_adults)
        groups[present].append((c.child.id, e))
    result = p.trusted_adult_comparison(tables, window_days=28)
    got = {r["trusted_adult"]: r for r in _rows(result.frame)}
    for flag, rows in groups.items():
        r = got[flag]
        hours = [e.duration.total_seconds() / 3600 for _, e in rows if e.duration is not None]
        assert r["episodes"] == len(rows)
        assert r["children"] == len({cid for cid, _ in rows})
        assert r["closed_episodes"] == len(hours)
        assert r["median_elapsed_hours"] == pytest.approx(statistics.median(hours))
        assert r["mean_elapsed_hours"] == pytest.approx(statistics.fmean(hours))
        assert r["repeat_episodes"] == sum(1 for cid, e in rows if counts[cid, e.id] >= 2)


# --- clock changes, exactly -------------------------------------------------------------------


def _case(
    *spans: tuple[datetime, datetime | None], zone: str = "Europe/London", child_id: str = "C-DST"
) -> CaseFile:
    """One child in one home whose episodes run over ``spans`` (no return times recorded)."""
    episodes = (
        episode(f"E{i}", seen=start, ended=end, returned=None, child_id=child_id, zone=zone)
        for i, (start, end) in enumerate(spans)
    )
    return case_file(*episodes, child_id=child_id, placements=[placement(zone=zone)])


def test_october_night_is_seven_hours_and_march_five() -> None:
    october = (
        local_instant(2026, 10, 25, 0, 30, zone="Europe/London"),
        local_instant(2026, 10, 25, 6, 30, zone="Europe/London"),
    )
    march = (
        local_instant(2026, 3, 29, 0, 30, zone="Europe/London"),
        local_instant(2026, 3, 29, 6, 30, zone="Europe/London"),
    )
    tables = to_arrow([_case(october, march)])
    rows = _rows(p.durations(tables, hour_bands=(0, 5, 6, 7, 8)).frame)
    hours = {r["lower"]: r["episodes"] for r in rows if r["measure"] == "elapsed_hours"}
    assert hours == {0.0: 0, 5.0: 1, 6.0: 0, 7.0: 1, 8.0: 0}
    days = {r["lower"]: r["episodes"] for r in rows if r["measure"] == "calendar_days"}
    assert days[0.0] == 2
    grid = p.hour_by_weekday(tables).frame.filter(pl.col("episodes") > 0)
    assert grid.select("weekday", "hour").rows() == [(7, 0)]


@pytest.mark.parametrize(
    ("utc", "zone", "hour"),
    [
        (datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC), "Europe/London", 0),
        (datetime(2026, 3, 29, 1, 0, 0, tzinfo=UTC), "Europe/London", 2),
        (datetime(2026, 10, 25, 0, 59, 59, tzinfo=UTC), "Europe/London", 1),
        (datetime(2026, 10, 25, 1, 0, 0, tzinfo=UTC), "Europe/London", 1),
        (datetime(2026, 1, 10, 12, 0, 0, tzinfo=UTC), "Europe/Dublin", 12),
        (datetime(2026, 4, 4, 14, 59, 59, tzinfo=UTC), "Australia/Lord_Howe", 1),
        (datetime(2026, 4, 4, 15, 0, 0, tzinfo=UTC), "Australia/Lord_Howe", 1),
        (datetime(2026, 4, 4, 15, 30, 0, tzinfo=UTC), "Australia/Lord_Howe", 2),
    ],
)
def test_local_hour_at_the_second_of_a_change(utc: datetime, zone: str, hour: int) -> None:
    assert _local(utc, zone).hour == hour
    tables = to_arrow([_case((utc, utc + timedelta(minutes=5)), zone=zone)])
    grid = p.hour_by_weekday(tables).frame.filter(pl.col("episodes") > 0)
    assert grid.get_column("hour").to_list() == [hour]


def test_one_home_few_records_and_empty_tables() -> None:
    empty = to_arrow([])
    assert p.hour_by_weekday(empty).episodes == 0
    assert p.durations(empty).closed_episodes == 0
    assert p.durations(empty).median_elapsed_hours is None
    assert p.repeat_episodes(empty).frame.height == 0
    assert p.whereabouts(empty).frame.height == 0
    assert p.prevalence(empty).frame.height == 0
    assert p.conversation_rates(empty).returns == 0
    assert p.time_to_conversation(empty).held == 0
    assert p.episode_rates(empty, start=date(2026, 1, 1), end=date(2027, 1, 1)).frame.height == 0
    assert p.trusted_adult_comparison(empty).frame.get_column("episodes").to_list() == [0, 0]


def test_results_convert_to_arrow_and_polars(
    cases: tuple[CaseFile, ...], tables: CaseTables
) -> None:
    result = p.hour_by_weekday(tables)
    assert result.to_arrow().num_rows == 168
    copy = result.to_polars()
    copy = copy.with_columns(pl.lit(0).alias("episodes"))
    assert result.frame.get_column("episodes").sum() == len(_episodes(cases))


def test_open_episodes_are_not_read_as_short(tables: CaseTables) -> None:
    result = p.durations(tables)
    banded = result.frame.filter(pl.col("measure") == "elapsed_hours")
    assert banded.get_column("episodes").sum() == result.closed_episodes
    assert result.open_episodes > 0


def test_bad_arguments_are_refused(tables: CaseTables) -> None:
    with pytest.raises(ValueError, match="band edges"):
        p.durations(tables, hour_bands=(1, 2))
    with pytest.raises(ValueError, match="at least one day"):
        p.repeat_episodes(tables, windows=(0,))
    with pytest.raises(ValueError, match="by must be"):
        p.conversation_rates(tables, by="week")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="start must be before end"):
        p.episode_rates(tables, start=date(2026, 1, 1), end=date(2026, 1, 1))


def test_agreement_on_the_project_synthetic_cohort() -> None:
    """The same checks on the generator's realistic (default) profile: conversations
    covering several episodes, several placements per child, context logs and trusted
    adults leaving."""
    cohort = tuple(Cohort(children=150, seed=6))
    tables = to_arrow(cohort)
    _check_hour_by_weekday(cohort, tables)
    _check_durations(cohort, tables)
    for by in ("month", "home", "authority"):
        test_conversation_rates(cohort, tables, by)
    test_trusted_adult_comparison(cohort, tables)
    test_prevalence(cohort, tables)


def _check_hour_by_weekday(cases: tuple[CaseFile, ...], tables: CaseTables) -> None:
    """The hour-by-weekday cells agree with the model's local times."""
    result = p.hour_by_weekday(tables)
    expected: Counter[tuple[int, int]] = Counter(
        (_local(e.last_seen_at, e.zone).isoweekday(), _local(e.last_seen_at, e.zone).hour)
        for _, e in _episodes(cases)
    )
    got = {(r["weekday"], r["hour"]): r["episodes"] for r in _rows(result.frame)}
    assert got == {k: expected[k] for k in got}


def _check_durations(cases: tuple[CaseFile, ...], tables: CaseTables) -> None:
    """Closed counts and the median agree with the model."""
    closed = [e for _, e in _episodes(cases) if e.duration is not None]
    result = p.durations(tables)
    assert result.closed_episodes == len(closed)
    hours = [e.duration.total_seconds() / 3600 for e in closed if e.duration is not None]
    if hours:
        assert result.median_elapsed_hours == pytest.approx(statistics.median(hours))


# --- localisation and windows, the vectorised paths (issue 9) ----------------------------------

_ODD_ZONES = (
    "Europe/London",
    "Europe/Dublin",
    "America/New_York",
    "America/St_Johns",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kathmandu",
    "Africa/Casablanca",
    "Antarctica/Troll",
    "Pacific/Apia",
    "Pacific/Kiritimati",
)


def test_local_times_agree_with_the_zone_database_around_every_change() -> None:
    """Instants a second either side of every change (and at random) in zones with
    negative summer time, half-hour shifts, two changes a year and a skipped day."""
    rng = random.Random(9)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    rows: list[tuple[str | None, datetime | None]] = [(None, epoch), ("Europe/London", None)]
    for zone in _ODD_ZONES:
        for year in (1971, 1996, 2011, 2019, 2026, 2040):
            for start, _ in p._zone_year(zone, year)[1:]:
                rows += [(zone, epoch + timedelta(seconds=start + d)) for d in (-1, 0, 1)]
            rows += [
                (
                    zone,
                    datetime(year, 1, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(31_000_000)),
                )
                for _ in range(50)
            ]
    frame = pl.DataFrame(
        rows, schema={"zone": pl.String, "at": pl.Datetime("us", "UTC")}, orient="row"
    )
    got = p._localise(frame.reverse(), "at", "x").reverse()
    assert got.get_column("zone").to_list() == frame.get_column("zone").to_list()
    for zone, at, local in got.iter_rows():
        expected = None if zone is None or at is None else _local(at, zone).replace(tzinfo=None)
        assert local == expected, (zone, at)


def test_instants_at_the_ends_of_the_accepted_range_are_localised() -> None:
    """The first and last accepted instants (1900 to 2200; years 1 and 9999 are now refused
    where they enter) do not overflow: their local hours are the zone database's."""
    instants = (
        datetime(1900, 1, 1, 0, 0, tzinfo=UTC),
        datetime(1900, 1, 1, 5, 0, tzinfo=UTC),
        datetime(2200, 7, 1, 12, 0, tzinfo=UTC),
        datetime(2200, 12, 31, 23, 50, tzinfo=UTC),
    )
    for zone in ("Europe/London", "America/New_York", "Australia/Lord_Howe"):
        for at in instants:
            tables = to_arrow([_case((at, at + timedelta(minutes=5)), zone=zone)])
            result = p.hour_by_weekday(tables)
            local = _local(at, zone)
            cells = result.frame.filter(pl.col("episodes") > 0).select("weekday", "hour").rows()
            assert cells == [(local.isoweekday(), local.hour)], (zone, at)
            days = (_local(at + timedelta(minutes=5), zone).date() - local.date()).days
            assert p.durations(tables).median_calendar_days == days


def test_the_episodes_frame_is_built_once_per_tables_and_dropped_with_them() -> None:
    case = _case((datetime(2026, 3, 29, 0, 30, tzinfo=UTC), None))
    home = attrs.evolve(case.placements[0], home_id="H1", placing_authority="LA1")
    tables = to_arrow([attrs.evolve(case, placements=(home,))])
    assert p.hour_by_weekday(tables).episodes == 1
    key = id(tables)
    # the analyses that read nothing of the placement never build the join
    assert set(p._EPISODES[key]) == {"local"}
    local = p._local_episodes(tables)
    first = p._episodes(tables)
    assert p._episodes(tables) is first
    assert p._local_episodes(tables) is local
    # the placed frame is the local one, row for row, with the placement's columns
    assert first.select(local.columns).equals(local)
    assert first.select("home_id", "placing_authority").row(0) == ("H1", "LA1")
    assert key in p._EPISODES
    del tables
    gc.collect()
    assert key not in p._EPISODES


def test_repeat_windows_count_ties_duplicates_and_one_day_windows() -> None:
    at = datetime(2026, 3, 28, 22, 0, tzinfo=UTC)
    spans = [
        (at + timedelta(hours=h), at + timedelta(hours=h, minutes=10))
        for h in (0, 1, 3, 30, 49, 24 * 40)
    ]
    other = _case(*spans[:2], zone="America/New_York", child_id="C-NY")
    cases = (_case(*spans), other)
    windows = (1, 2, 28, 28, 90, 200_000)
    result = p.repeat_episodes(to_arrow(cases), windows)
    for w in set(windows):
        counts = _window_counts(cases, w)
        assert result.repeat_episodes[w] == sum(1 for n in counts.values() if n >= 2), w
        expected = Counter(max(counts[c.child.id, e.id] for e in c.episodes) for c in cases)
        got = result.frame.filter(pl.col("window_days") == w)
        assert got.height == len(expected) * windows.count(w)
        children: Counter[int] = Counter()
        for most, n in got.select("most_in_window", "children").iter_rows():
            children[most] += n
        assert children == Counter({k: v * windows.count(w) for k, v in expected.items()})
    assert p.repeat_episodes(to_arrow(cases), ()).frame.height == 0
    # a window of a billion days holds every episode of the child (it once overflowed)
    endless = p.repeat_episodes(to_arrow(cases), (10**9,)).frame
    assert endless.select("most_in_window", "children").rows() == sorted(
        (len(c.episodes), 1) for c in cases
    )


def _tzif_changes(data: bytes) -> list[tuple[int, int]]:
    """(Unix second, UTC offset) of each transition in a TZif file (64-bit block if present)."""
    import struct

    def header(at: int) -> tuple[int, ...]:
        return struct.unpack(">6l", data[at + 20 : at + 44])

    isutc, isstd, leap, count, types, chars = header(0)
    size, at = 4, 0
    if data[4] >= ord("2"):  # skip the 32-bit block to the 64-bit one
        at = 44 + count * 5 + types * 6 + chars + leap * 8 + isstd + isutc
        isutc, isstd, leap, count, types, chars = header(at)
        size = 8
    p_ = at + 44
    times = struct.unpack(f">{count}{'q' if size == 8 else 'l'}", data[p_ : p_ + size * count])
    index = data[p_ + size * count : p_ + (size + 1) * count]
    q = p_ + (size + 1) * count
    offsets = [struct.unpack(">l", data[q + 6 * i : q + 6 * i + 4])[0] for i in range(types)]
    return [(t, offsets[i]) for t, i in zip(times, index, strict=True)]


def test_no_zone_changes_its_offset_twice_in_one_utc_day() -> None:
    # _zone_year probes each UTC midnight and bisects a day whose midnights differ: it
    # relies on at most one change of offset per UTC day. This checks every transition
    # listed in every zone of the installed tzdata, so an update that breaks it is caught.
    # (After its last listed transition a zone follows its POSIX rule: a start and an
    # end of summer time on two different dates of each year.)
    import importlib.resources

    root = importlib.resources.files("tzdata").joinpath("zoneinfo")
    seen = 0

    def walk(node: Any) -> Iterable[Any]:
        for child in node.iterdir():
            if child.is_dir():
                yield from walk(child)
            else:
                yield child

    for entry in walk(root):
        data = entry.read_bytes()
        if data[:4] != b"TZif":
            continue
        seen += 1
        changes: list[tuple[int, int]] = []
        for at, offset in _tzif_changes(data):
            if not changes or changes[-1][1] != offset:
                changes.append((at, offset))
        days = [at // 86_400 for at, _ in changes]
        assert len(days) == len(set(days)), entry.name
    assert seen > 300
