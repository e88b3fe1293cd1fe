from __future__ import annotations

import copy
import pickle
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from missingcare import time as mt
from missingcare.exceptions import (
    AmbiguousLocalTimeError,
    InvalidZoneError,
    NaiveDatetimeError,
    NonExistentLocalTimeError,
    ValidationError,
)
from missingcare.testing import strategies as mst
from missingcare.time import local_instant
from missingcare.typing import WorkingDayCalendar

LONDON = "Europe/London"


def test_october_episode_lasts_seven_hours() -> None:
    start = mt.local_instant(2026, 10, 25, 0, 30, zone=LONDON)
    end = mt.local_instant(2026, 10, 25, 6, 30, zone=LONDON)
    assert mt.elapsed(start, end) == timedelta(hours=7)


def test_march_episode_lasts_five_hours() -> None:
    start = mt.local_instant(2026, 3, 29, 0, 30, zone=LONDON)
    end = mt.local_instant(2026, 3, 29, 6, 30, zone=LONDON)
    assert mt.elapsed(start, end) == timedelta(hours=5)


def test_repeated_hour_without_offset_is_ambiguous() -> None:
    with pytest.raises(AmbiguousLocalTimeError) as info:
        mt.parse_local("2026-10-25T01:30", LONDON, path="$.last_seen_at")
    assert info.value.violations[0].code == "ambiguous_local_time"
    assert info.value.violations[0].path == "$.last_seen_at"


def test_skipped_hour_is_non_existent() -> None:
    with pytest.raises(NonExistentLocalTimeError) as info:
        mt.parse_local("2026-03-29T01:30", LONDON, path="$.held_at")
    assert info.value.violations[0].code == "nonexistent_local_time"
    with pytest.raises(NonExistentLocalTimeError):
        mt.local_instant(2026, 3, 29, 1, 30, zone=LONDON, fold=1)


def test_ambiguous_time_with_a_chosen_reading() -> None:
    early = mt.local_instant(2026, 10, 25, 1, 30, zone=LONDON, fold=0)
    late = mt.local_instant(2026, 10, 25, 1, 30, zone=LONDON, fold=1)
    assert early == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert late == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert early < late


def test_explicit_offset_resolves_the_repeated_hour() -> None:
    assert mt.parse_local("2026-10-25T01:30:00+00:00", LONDON) == datetime(
        2026, 10, 25, 1, 30, tzinfo=UTC
    )


def test_naive_instants_are_refused() -> None:
    with pytest.raises(NaiveDatetimeError):
        mt.instant(datetime(2026, 1, 1, 12), "$.at")
    with pytest.raises(NaiveDatetimeError):
        mt.parse_instant("2026-01-01T12:00:00")


def test_instants_are_standard_library_utc() -> None:
    value = mt.instant(datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=ZoneInfo(LONDON)))
    assert type(value) is datetime
    assert value.tzinfo is UTC
    assert value == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_fold_readings_order_correctly_in_utc() -> None:
    # T10: 01:15 GMT (second reading) is after 01:25 BST (first reading)
    gmt = mt.instant(datetime(2026, 10, 25, 1, 15, fold=1, tzinfo=ZoneInfo(LONDON)))
    bst = mt.instant(datetime(2026, 10, 25, 1, 25, fold=0, tzinfo=ZoneInfo(LONDON)))
    assert sorted([gmt, bst]) == [bst, gmt]
    first = mt.instant(datetime(2026, 10, 25, 1, 30, fold=0, tzinfo=ZoneInfo(LONDON)))
    second = mt.instant(datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=ZoneInfo(LONDON)))
    assert first != second


def test_instants_in_the_repeated_hour_survive_pickle_and_copy() -> None:
    second = mt.local_instant(2026, 10, 25, 1, 30, zone=LONDON, fold=1)
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(second, protocol)) == second
    assert copy.copy(second) == second
    assert copy.deepcopy(second) == second


def test_local_date_uses_the_zone() -> None:
    late = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)
    assert mt.local_date(late, LONDON) == date(2026, 7, 1)
    assert mt.local_date(late, "UTC") == date(2026, 6, 30)


def test_dublin_winter_is_computed_without_dst_flags() -> None:
    start = mt.local_instant(2026, 1, 10, 22, zone="Europe/Dublin")
    assert start == datetime(2026, 1, 10, 22, tzinfo=UTC)


def test_seventy_two_hour_deadline_across_the_clock_change() -> None:
    returned = mt.local_instant(2026, 10, 24, 22, zone=LONDON)
    due = mt.ElapsedDeadline(timedelta(hours=72)).due(returned, LONDON)
    assert due == datetime(2026, 10, 27, 21, tzinfo=UTC)


def test_calendar_deadline_counts_working_days() -> None:
    friday = mt.local_instant(2026, 10, 23, 15, zone=LONDON)
    due = mt.CalendarDeadline(5, calendar=mt.Weekdays()).due(friday, LONDON)
    # Mon 26 .. Fri 30 October are the five working days: due at the start of Sat 31.
    assert due == mt.start_of_local_day(date(2026, 10, 31), LONDON)
    holiday = mt.Weekdays(holidays=frozenset({date(2026, 10, 26)}))
    assert mt.CalendarDeadline(5, calendar=holiday).due(friday, LONDON) == (
        mt.start_of_local_day(date(2026, 11, 3), LONDON)
    )
    assert mt.CalendarDeadline(1).due(friday, LONDON) == mt.start_of_local_day(
        date(2026, 10, 25), LONDON
    )


def test_start_of_day_where_midnight_is_skipped() -> None:
    # Santiago moved its clocks at midnight on 2026-09-06: the day starts at 01:00.
    start = mt.start_of_local_day(date(2026, 9, 6), "America/Santiago")
    assert mt.local_datetime(start, "America/Santiago").hour in (0, 1)
    assert mt.local_date(start, "America/Santiago") == date(2026, 9, 6)


def test_unknown_zones_are_refused() -> None:
    for name in ("Mars/Olympus", "", "../../etc/passwd", "Europe", "zone.tab"):
        with pytest.raises(InvalidZoneError):
            mt.check_zone(name, "$.zone")


def test_deadlines_validate_their_arguments() -> None:
    with pytest.raises(ValueError, match="positive"):
        mt.ElapsedDeadline(timedelta(0))
    with pytest.raises(ValueError, match="whole number"):
        mt.CalendarDeadline(0)
    assert mt.ElapsedDeadline(timedelta(hours=72)).describe() == "72 hours"
    assert mt.CalendarDeadline(5, calendar=mt.Weekdays()).describe() == "5 working days"


def test_fixed_clock() -> None:
    clock = mt.FixedClock(datetime(2026, 10, 27, 10, tzinfo=timezone(timedelta(hours=1))))
    assert clock.now() == datetime(2026, 10, 27, 9, tzinfo=UTC)
    assert isinstance(clock, mt.Clock)
    assert isinstance(mt.SystemClock(), mt.Clock)


def test_rfc3339_is_strict() -> None:
    for text in (
        "2026-01-01",
        "2026-01-01T12:00Z",
        "20260101T120000Z",
        "2026-02-30T12:00:00Z",
        "2026-01-01T12:00:00.1234567Z",
        " 2026-01-01T12:00:00Z",
    ):
        with pytest.raises(ValidationError):
            mt.parse_instant(text)
    assert mt.format_instant(mt.parse_instant("2026-01-01T12:00:00.5+01:00")) == (
        "2026-01-01T11:00:00.500000Z"
    )


@given(mst.instants(), mst.instants())
def test_elapsed_is_utc_subtraction(a: datetime, b: datetime) -> None:
    # T11
    assert mt.elapsed(a, b) == b.astimezone(UTC) - a.astimezone(UTC)


@given(mst.instants(), st.sampled_from(mst.ZONES))
def test_local_round_trip(value: datetime, zone: str) -> None:
    local = mt.local_datetime(value, zone)
    assert mt.instant(local) == value
    assert mt.local_date(value, zone) == local.date()


@given(mst.instants())
def test_format_and_parse_round_trip(value: datetime) -> None:
    assert mt.parse_instant(mt.format_instant(value)) == value


def test_early_years_round_trip_and_overflow_is_a_path_error() -> None:
    # regressions: years before 1000 were written unpadded; an offset that overflows
    # datetime's range raised a bare OverflowError. Such years are now outside the
    # accepted range (1900-2200): written padded, read back as out_of_range.
    early = datetime(999, 6, 1, 12, tzinfo=UTC)
    assert mt.format_instant(early) == "0999-06-01T12:00:00Z"
    with pytest.raises(ValidationError) as info:
        mt.parse_instant(mt.format_instant(early), "$.at")
    assert info.value.violations[0].path == "$.at"
    assert info.value.violations[0].code == "out_of_range"
    with pytest.raises(ValidationError) as info:
        mt.parse_instant("0001-01-01T00:00:00+01:00", "$.at")
    assert info.value.violations[0].path == "$.at"
    assert info.value.violations[0].code == "out_of_range"


def test_public_holidays_come_from_the_holidays_package_for_the_subdivision() -> None:
    from missingcare.time import CalendarDeadline, PublicHolidays

    georgia = PublicHolidays("US", "GA")
    assert isinstance(georgia, WorkingDayCalendar)
    assert not georgia.is_working_day(date(2026, 11, 26))  # Thanksgiving
    assert not georgia.is_working_day(date(2026, 11, 27))  # Georgia's state holiday
    assert not georgia.is_working_day(date(2026, 11, 28))  # a Saturday
    assert georgia.is_working_day(date(2026, 11, 30))
    assert PublicHolidays("US").is_working_day(date(2026, 11, 27))  # federal: a working day
    # two business days from Wednesday 25 November 2026: Monday 30th and Tuesday 1 December
    due = CalendarDeadline(2, calendar=georgia).due(
        local_instant(2026, 11, 25, 16, zone="America/New_York"), "America/New_York"
    )
    assert due == local_instant(2026, 12, 2, 0, zone="America/New_York")
    melbourne = PublicHolidays("AU", "VIC")
    assert not melbourne.is_working_day(date(2026, 11, 3))  # Melbourne Cup Day
    assert georgia == PublicHolidays("US", "GA")
    assert hash(georgia) == hash(PublicHolidays("US", "GA"))
    assert georgia.describe() == "public holidays of US-GA"


def test_public_holidays_refuse_unknown_places_without_echoing_them() -> None:
    from missingcare.time import PublicHolidays

    with pytest.raises(ValueError, match="country code the holidays package supports"):
        PublicHolidays("ZZ")
    with pytest.raises(ValueError, match="no subdivision of US"):
        PublicHolidays("US", "XX")


# --- times for people -------------------------------------------------------------


def test_format_local_shows_the_repeated_hour_with_its_abbreviation() -> None:
    # 01:30 comes twice in London on 25 October 2026: BST first, then GMT
    first = local_instant(2026, 10, 25, 1, 30, zone="Europe/London", fold=0)
    second = local_instant(2026, 10, 25, 1, 30, zone="Europe/London", fold=1)
    assert mt.format_local(first, "Europe/London") == "01:30 on Sun 25 October 2026 (BST)"
    assert mt.format_local(second, "Europe/London") == "01:30 on Sun 25 October 2026 (GMT)"


def test_format_local_across_the_southern_and_american_changes() -> None:
    # Melbourne leaves daylight saving on Sun 5 April 2026 at 03:00 AEDT
    before = datetime(2026, 4, 4, 15, 59, tzinfo=UTC)
    after = datetime(2026, 4, 4, 16, 0, tzinfo=UTC)
    assert mt.format_local(before, "Australia/Melbourne", "short") == "Sun 5 Apr 02:59 AEDT"
    assert mt.format_local(after, "Australia/Melbourne", "short") == "Sun 5 Apr 02:00 AEST"
    # New York springs forward on Sun 8 March 2026 at 02:00 EST
    assert mt.format_local(datetime(2026, 3, 8, 6, 59, tzinfo=UTC), "America/New_York") == (
        "01:59 on Sun 8 March 2026 (EST)"
    )
    assert mt.format_local(datetime(2026, 3, 8, 7, 0, tzinfo=UTC), "America/New_York") == (
        "03:00 on Sun 8 March 2026 (EDT)"
    )


def test_format_local_every_form() -> None:
    at = datetime(2026, 4, 3, 4, 23, 7, 999, tzinfo=UTC)
    z = "Europe/London"
    assert mt.format_local(at, z) == "05:23:07 on Fri 3 April 2026 (BST)"
    assert mt.format_local(at, z, "long-no-year") == "05:23:07 on Fri 3 April (BST)"
    assert mt.format_local(at, z, "short") == "Fri 3 Apr 05:23:07 BST"
    assert mt.format_local(at, z, "short-year") == "Fri 3 Apr 2026 05:23:07 BST"
    assert mt.format_local(at, z, "date") == "Fri 3 April 2026"
    assert mt.format_local(at, z, "short-date") == "Fri 3 Apr 2026"
    assert mt.format_local(at, None, "short") == "Fri 3 Apr 04:23:07 UTC"
    with pytest.raises(ValueError, match="form is one of"):
        mt.format_local(at, z, "iso")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="form is"):
        mt.format_local_date(date(2026, 4, 3), "long")  # type: ignore[arg-type]


def test_zone_abbreviation_writes_an_offset_where_the_database_has_no_letters() -> None:
    at = datetime(2026, 4, 3, tzinfo=UTC)
    assert mt.zone_abbreviation(at, "America/Sao_Paulo") == "UTC-3"
    assert mt.zone_abbreviation(at, "Asia/Kathmandu") == "UTC+5:45"
    assert mt.zone_abbreviation(at, "Etc/UTC") == "UTC"
    assert mt.zone_abbreviation(at, None) == "UTC"
    assert mt.format_local(at, "America/Sao_Paulo", "short") == "Thu 2 Apr 21:00 UTC-3"


def test_format_local_ignores_the_host_zone_and_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    import contextlib
    import locale
    import time as stdtime

    at = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    expected = mt.format_local(at, "Europe/London")
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    stdtime.tzset()
    try:
        # where the locale is not installed, the zone change still applies
        with contextlib.suppress(locale.Error):
            locale.setlocale(locale.LC_TIME, "de_DE.UTF-8")
        assert (
            mt.format_local(at, "Europe/London")
            == expected
            == ("01:30 on Sun 25 October 2026 (GMT)")
        )
    finally:
        locale.setlocale(locale.LC_TIME, "C")
        monkeypatch.undo()
        stdtime.tzset()


def test_an_elapsed_deadline_of_one_minute_says_minute() -> None:
    assert mt.ElapsedDeadline(timedelta(minutes=1)).describe() == "1 minute"
    assert mt.ElapsedDeadline(timedelta(minutes=90)).describe() == "90 minutes"
    assert mt.ElapsedDeadline(timedelta(hours=1)).describe() == "1 hour"


def test_format_month_is_for_people_and_a_time_is_found_whole_in_text() -> None:
    assert mt.format_month(date(2026, 4, 30)) == "Apr 2026"
    assert mt.format_month(date(2025, 12, 1)) == "Dec 2025"
    at = datetime(2026, 4, 3, 4, 23, tzinfo=UTC)
    for form in ("long", "long-no-year", "date"):
        shown = mt.format_local(at, "Europe/London", form)
        found = mt.A_TIME.search(f"It was due by {shown}, then.")
        assert found is not None
        assert found.group(0) == shown
