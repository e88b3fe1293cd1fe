"""Instants, zones, local dates and deadlines: the one module that uses pendulum.

The rules this module enforces (see ``docs/explanation/time.md``):

* every instant the model stores is a standard-library :class:`~datetime.datetime`
  that is aware and normalised to UTC; naive values are refused;
* a placement's IANA zone travels beside its instants; it is consulted only for
  local meaning (a 903 date, a working day, "overnight");
* local wall-clock times that are ambiguous (the repeated hour when clocks go
  back) or non-existent (the skipped hour when they go forward) are refused
  with distinct errors, unless the caller chooses a reading with ``fold``;
* zones come from the pinned ``tzdata`` package, never from the host, so
  results do not depend on the machine;
* nothing here reads the system clock implicitly: "now" is a :class:`Clock`.

The Protocols :class:`Clock`, :class:`Deadline` and :class:`WorkingDayCalendar`
are defined in :mod:`missingcare.typing` and re-exported here.

pendulum is used for local wall-clock resolution; no pendulum object ever
leaves this module.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.resources
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

import attrs
import pendulum
from pendulum.tz.exceptions import AmbiguousTime, NonExistingTime

from missingcare.exceptions import (
    AmbiguousLocalTimeError,
    InvalidZoneError,
    NaiveDatetimeError,
    NonExistentLocalTimeError,
    ValidationError,
)
from missingcare.typing import Clock, Deadline, WorkingDayCalendar

__all__ = [
    "A_TIME",
    "EARLIEST",
    "FIRST_DATE",
    "LAST_DATE",
    "LATEST",
    "UTC",
    "CalendarDeadline",
    "Clock",
    "Deadline",
    "ElapsedDeadline",
    "FixedClock",
    "LocalForm",
    "PublicHolidays",
    "SystemClock",
    "Weekdays",
    "WorkingDayCalendar",
    "check_date",
    "check_zone",
    "computed_instant",
    "elapsed",
    "format_duration",
    "format_instant",
    "format_local",
    "format_local_date",
    "format_month",
    "instant",
    "local_date",
    "local_datetime",
    "local_instant",
    "parse_computed_instant",
    "parse_instant",
    "parse_local",
    "start_of_local_day",
    "tzdata_version",
    "zone_abbreviation",
]

_DT = datetime

# --- zones -----------------------------------------------------------------

_ZONE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$")


@functools.lru_cache(maxsize=512)
def _zone(name: str) -> pendulum.Timezone:
    """The zone ``name`` read from the pinned tzdata package (never the host)."""
    if not isinstance(name, str) or not _ZONE_NAME.match(name) or ".." in name:
        raise InvalidZoneError()
    resource = importlib.resources.files("tzdata.zoneinfo")
    for part in name.split("/"):
        resource = resource.joinpath(part)
    try:
        with resource.open("rb") as fobj:
            return pendulum.Timezone.from_file(fobj, key=name)
    except (OSError, ValueError):
        raise InvalidZoneError() from None


def check_zone(name: str, path: str = "$") -> str:
    """Return ``name`` if it is an IANA zone in the pinned database; else raise.

    >>> check_zone("Europe/London")
    'Europe/London'
    """
    try:
        _zone(name)
    except InvalidZoneError:
        raise InvalidZoneError(path) from None
    return name


def tzdata_version() -> str:
    """The version of the zone database every computation uses."""
    return importlib.metadata.version("tzdata")


# --- the accepted range ------------------------------------------------------

#: The earliest instant missingcare accepts (``docs/explanation/safety.md``).
EARLIEST = _DT(1900, 1, 1, tzinfo=UTC)
#: The latest instant missingcare accepts: the last microsecond of 2200 (UTC).
LATEST = _DT(2200, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
#: The earliest and latest calendar dates missingcare accepts.
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2200, 12, 31)

# Local wall-clock times are first checked against a range one day wider on
# each side (every zone's offset is less than a day), so that no zone
# conversion can overflow; the instant they give is then checked exactly.
_FIRST_LOCAL = _DT(1899, 12, 31)
_LAST_LOCAL = _DT(2201, 1, 1, 23, 59, 59, 999999)

# Values the library computes from accepted ones (a deadline due after the
# last accepted instant) may lie beyond LATEST; the functions that read them
# (local_date, format_instant...) take anything from year 2 to year 9998,
# where no zone conversion or day's arithmetic can overflow.
_FIRST_COMPUTED = _DT(2, 1, 1, tzinfo=UTC)
_LAST_COMPUTED = _DT(9998, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


def _out_of_range(path: str, what: str) -> ValidationError:
    return ValidationError.single(
        path, "out_of_range", f"expected {what} from 1900-01-01 to 2200-12-31"
    )


def check_date(value: date, path: str = "$") -> date:
    """Return the calendar date ``value`` if it is in the accepted range; else raise.

    Dates (a date of birth, a placement's start) are accepted from
    :data:`FIRST_DATE` to :data:`LAST_DATE`; outside, the error's code is
    ``out_of_range`` and it names ``path`` only.

    >>> check_date(date(2026, 4, 1))
    datetime.date(2026, 4, 1)
    >>> check_date(date(9999, 12, 31), "$.child.date_of_birth")
    Traceback (most recent call last):
    ...
    missingcare.exceptions.ValidationError: 1 violation:
      $.child.date_of_birth: expected a date from 1900-01-01 to 2200-12-31 [out_of_range]
    """
    if type(value) is not date:
        raise ValidationError.single(path, "wrong_type", "expected a calendar date")
    if not FIRST_DATE <= value <= LAST_DATE:
        raise _out_of_range(path, "a date")
    return value


# --- instants ---------------------------------------------------------------


def _utc(value: datetime, path: str, first: datetime, last: datetime) -> datetime:
    if type(value) is _DT and value.tzinfo is UTC:
        if first <= value <= last:
            return value
        raise _out_of_range(path, "an instant")
    if not isinstance(value, datetime):
        raise ValidationError.single(path, "wrong_type", "expected an aware datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveDatetimeError(path)
    try:
        u = value.astimezone(UTC)
    except OverflowError:
        raise _out_of_range(path, "an instant") from None
    u = _DT(u.year, u.month, u.day, u.hour, u.minute, u.second, u.microsecond, tzinfo=UTC)
    if not first <= u <= last:
        raise _out_of_range(path, "an instant")
    return u


def instant(value: datetime, path: str = "$") -> datetime:
    """``value`` as a standard-library UTC datetime; naive values are refused.

    Any aware datetime is accepted (a ``zoneinfo`` zone, a fixed offset, a
    pendulum ``DateTime``); the result is always a plain ``datetime`` whose
    ``tzinfo`` is :data:`datetime.UTC`, so it pickles, copies and compares as
    the instant it is, in the repeated hour too.

    Instants are accepted from :data:`EARLIEST` to :data:`LATEST` (1900 to
    the end of 2200, UTC); outside that range the error's code is
    ``out_of_range``, so nothing downstream (a local date in any zone, a
    deadline after it) can overflow.

    >>> instant(datetime(9999, 12, 31, 20, tzinfo=UTC), "$.ended_at")
    Traceback (most recent call last):
    ...
    missingcare.exceptions.ValidationError: 1 violation:
      $.ended_at: expected an instant from 1900-01-01 to 2200-12-31 [out_of_range]
    """
    if type(value) is _DT and value.tzinfo is UTC and EARLIEST <= value <= LATEST:
        return value
    return _utc(value, path, EARLIEST, LATEST)


def computed_instant(value: datetime, path: str = "$") -> datetime:
    """``value`` as :func:`instant` gives it, for an instant the library computed.

    A deadline due after an accepted instant may lie past :data:`LATEST`
    (the end of 2200); such values are taken from year 2 to year 9998, where
    no zone conversion or day's arithmetic can overflow. Input from outside
    the library goes through :func:`instant`, never this.

    >>> computed_instant(datetime(2201, 1, 3, tzinfo=UTC)).isoformat()
    '2201-01-03T00:00:00+00:00'
    """
    if type(value) is _DT and value.tzinfo is UTC and _FIRST_COMPUTED <= value <= _LAST_COMPUTED:
        return value
    return _utc(value, path, _FIRST_COMPUTED, _LAST_COMPUTED)


_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([Zz]|[+-]\d{2}:\d{2})$")
_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$")


def parse_computed_instant(text: str, path: str = "$") -> datetime:
    """:func:`parse_instant` for an instant the library computed (a finding's due
    instant), taken in :func:`computed_instant`'s range.

    >>> parse_computed_instant("2201-01-03T00:00:00Z").year
    2201
    """
    return computed_instant(_parse_aware(text, path), path)


def parse_instant(text: str, path: str = "$") -> datetime:
    """Parse an RFC 3339 timestamp *with* an offset into a UTC datetime.

    >>> parse_instant("2026-10-24T22:00:00+01:00")
    datetime.datetime(2026, 10, 24, 21, 0, tzinfo=datetime.timezone.utc)

    A timestamp without an offset is refused with :class:`NaiveDatetimeError`;
    the message never repeats the text.
    """
    return instant(_parse_aware(text, path), path)


def _parse_aware(text: str, path: str) -> datetime:
    """The aware datetime RFC 3339 ``text`` (with an offset) gives, or the error."""
    if not isinstance(text, str):
        raise ValidationError.single(path, "wrong_type", "expected an RFC 3339 timestamp string")
    if not _RFC3339.match(text):
        if _LOCAL.match(text):
            raise NaiveDatetimeError(path)
        raise ValidationError.single(
            path, "invalid_datetime", "expected an RFC 3339 timestamp with an offset"
        )
    try:
        parsed = _DT.fromisoformat(text.upper())
    except (ValueError, OverflowError):
        raise ValidationError.single(
            path, "invalid_datetime", "expected an RFC 3339 timestamp with an offset"
        ) from None
    return parsed


def format_instant(value: datetime) -> str:
    """The canonical RFC 3339 text of an instant: UTC, ``Z``, microseconds if any."""
    return computed_instant(value).isoformat().replace("+00:00", "Z")


def local_instant(  # noqa: PLR0917 - mirrors datetime()
    year: int,
    month: int,
    day: int,
    hour: int = 0,
    minute: int = 0,
    second: int = 0,
    microsecond: int = 0,
    *,
    zone: str,
    fold: int | None = None,
    path: str = "$",
) -> datetime:
    """The UTC instant of a local wall-clock time in ``zone``.

    A time in the repeated hour raises :class:`AmbiguousLocalTimeError` unless
    ``fold`` chooses the earlier (0) or later (1) reading; a time in the
    skipped hour always raises :class:`NonExistentLocalTimeError`.

    >>> local_instant(2026, 10, 24, 22, zone="Europe/London").isoformat()
    '2026-10-24T21:00:00+00:00'
    >>> local_instant(2026, 10, 25, 1, 30, zone="Europe/London")
    Traceback (most recent call last):
    ...
    missingcare.exceptions.AmbiguousLocalTimeError: 1 violation:
    ...
    """
    tz = _zone(check_zone(zone, path))
    try:
        naive = _DT(year, month, day, hour, minute, second, microsecond)
    except (TypeError, ValueError):
        raise ValidationError.single(
            path, "invalid_datetime", "expected a valid calendar date and time"
        ) from None
    if not _FIRST_LOCAL <= naive <= _LAST_LOCAL:
        raise _out_of_range(path, "an instant")
    try:
        local = tz.convert(naive, raise_on_unknown_times=True)
    except AmbiguousTime:
        if fold not in (0, 1):
            raise AmbiguousLocalTimeError(path) from None
        local = tz.convert(naive.replace(fold=fold))
    except NonExistingTime:
        raise NonExistentLocalTimeError(path) from None
    return instant(local, path)


def parse_local(text: str, zone: str, *, fold: int | None = None, path: str = "$") -> datetime:
    """Parse a local wall-clock ``YYYY-MM-DDTHH:MM[:SS]`` in ``zone`` to a UTC instant.

    This is how a form's "date and time" field (no offset) becomes an instant:
    the placement's zone supplies the meaning, and the repeated and skipped
    hours are refused as in :func:`local_instant`. Text that carries an offset
    is parsed as an instant (the offset wins; ``zone`` is only checked).
    """
    if not isinstance(text, str):
        raise ValidationError.single(path, "wrong_type", "expected a local date-time string")
    if _RFC3339.match(text):
        check_zone(zone, path)
        return parse_instant(text, path)
    if not _LOCAL.match(text):
        raise ValidationError.single(path, "invalid_datetime", "expected YYYY-MM-DDTHH:MM[:SS]")
    try:
        n = _DT.fromisoformat(text)
    except ValueError:
        raise ValidationError.single(
            path, "invalid_datetime", "expected YYYY-MM-DDTHH:MM[:SS]"
        ) from None
    return local_instant(
        n.year,
        n.month,
        n.day,
        n.hour,
        n.minute,
        n.second,
        n.microsecond,
        zone=zone,
        fold=fold,
        path=path,
    )


def local_datetime(value: datetime, zone: str) -> datetime:
    """``value`` as an aware datetime on the wall clock of ``zone`` (for display)."""
    return computed_instant(value).astimezone(_zone(zone))


# --- times for people ---------------------------------------------------------

#: How :func:`format_local` writes an instant for people (see ``docs/explanation/time.md``):
#:
#: * ``"long"``: ``05:23 on Fri 3 April 2026 (BST)``, for sentences (finding text, prompts);
#: * ``"long-no-year"``: ``05:23 on Fri 3 April (BST)``, where the year is plain from context;
#: * ``"short"``: ``Fri 3 Apr 05:23 BST``, for tables (a column of a task list);
#: * ``"short-year"``: ``Fri 3 Apr 2026 05:23 BST``, for tables spanning years;
#: * ``"date"``: ``Fri 3 April 2026``, the local date only;
#: * ``"short-date"``: ``Fri 3 Apr 2026``, the local date only, for tables.
LocalForm = Literal["long", "long-no-year", "short", "short-year", "date", "short-date"]

# English names, fixed here: never the host's locale.
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_FORMS = frozenset(("long", "long-no-year", "short", "short-year", "date", "short-date"))


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign, minutes = ("+", minutes) if minutes >= 0 else ("-", -minutes)
    hours, minutes = divmod(minutes, 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def zone_abbreviation(value: datetime, zone: str | None) -> str:
    """The abbreviation of ``zone`` at the instant ``value``, as people read it: ``BST``, ``AEDT``.

    It comes from the pinned ``tzdata`` package, never the host. Where the
    database has no letters for a zone (it writes ``-03`` for São Paulo), the
    offset is written ``UTC-3`` (``UTC+5:45`` for Kathmandu). With no zone,
    ``UTC``.

    >>> from datetime import datetime, UTC
    >>> zone_abbreviation(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "Europe/London")
    'BST'
    >>> zone_abbreviation(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "Europe/London")
    'GMT'
    >>> zone_abbreviation(datetime(2026, 4, 3, tzinfo=UTC), "America/Sao_Paulo")
    'UTC-3'
    """
    if zone is None:
        return "UTC"
    return _abbreviation(local_datetime(value, zone))


def _abbreviation(local: datetime) -> str:
    """The abbreviation of a zone's wall-clock time ``local`` (see :func:`zone_abbreviation`)."""
    name = local.tzname() or ""
    if name[:1].isalpha():
        return name
    offset = local.utcoffset()
    return _offset_text(offset if offset is not None else timedelta(0))


def format_local_date(day: date, form: Literal["date", "short-date"] = "date") -> str:
    """A calendar date for people: ``Fri 3 April 2026`` (``"date"``) or ``Fri 3 Apr 2026``.

    >>> format_local_date(date(2026, 10, 25))
    'Sun 25 October 2026'
    >>> format_local_date(date(2026, 10, 25), "short-date")
    'Sun 25 Oct 2026'
    """
    if form not in {"date", "short-date"}:
        raise ValueError("a date's form is 'date' or 'short-date'")
    month = _MONTHS[day.month - 1]
    if form == "short-date":
        month = month[:3]
    return f"{_DAYS[day.weekday()]} {day.day} {month} {day.year}"


def format_duration(value: timedelta) -> str:
    """A length of time for people: whole days from 4 days on, else hours, else minutes.

    A deadline of up to 72 hours is said in hours, as the guidance says it; a longer
    whole number of days in days ("recorded 5 days later"); what is not whole is
    rounded down (at the least, minutes).

    >>> format_duration(timedelta(hours=72)), format_duration(timedelta(days=5))
    ('72 hours', '5 days')
    >>> format_duration(timedelta(days=1)), format_duration(timedelta(minutes=90))
    ('24 hours', '90 minutes')
    """
    seconds = int(value.total_seconds())
    if seconds % 86400 == 0 and seconds > 3 * 86400:
        count, one, many = seconds // 86400, "day", "days"
    elif seconds % 3600 == 0:
        count, one, many = seconds // 3600, "hour", "hours"
    else:
        count, one, many = seconds // 60, "minute", "minutes"
    return f"{count} {one if count == 1 else many}"


def format_month(day: date) -> str:
    """The calendar month of ``day`` for people, as headings and table columns show it.

    >>> format_month(date(2026, 4, 3))
    'Apr 2026'
    """
    return f"{_MONTHS[day.month - 1][:3]} {day.year}"


#: A time or date as :func:`format_local` (or :func:`format_local_date`) writes it in a
#: sentence, found in text: a layout keeps it whole on one line.
A_TIME = re.compile(
    r"(?:\d\d:\d\d(?::\d\d)? on )?(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} [A-Z][a-z]+"
    r"(?: \d{4})?(?: \([^()\s]+\))?"
)


def format_local(value: datetime, zone: str | None, form: LocalForm = "long") -> str:
    """An instant for people: the wall clock of ``zone`` with the zone's abbreviation.

    This is how every human-facing text shows an instant (finding text,
    prompts, tables, reports); machines get :func:`format_instant` (RFC 3339
    UTC). ``zone`` is the placement's IANA zone (or the pack's); ``None`` only
    where no zone is known, and then the text says ``UTC``. Times are on the
    24-hour clock, with seconds only when they are not zero; day and month
    names are English, fixed in code (never the host's locale); the
    abbreviation comes from the pinned ``tzdata`` (:func:`zone_abbreviation`),
    so the repeated hour when clocks go back reads ``01:30 (BST)`` then
    ``01:30 (GMT)``. The forms are :data:`LocalForm`.

    >>> from datetime import datetime, UTC
    >>> at = datetime(2026, 4, 3, 4, 23, tzinfo=UTC)
    >>> format_local(at, "Europe/London")
    '05:23 on Fri 3 April 2026 (BST)'
    >>> format_local(at, "Europe/London", "long-no-year")
    '05:23 on Fri 3 April (BST)'
    >>> format_local(at, "Australia/Melbourne", "short")
    'Fri 3 Apr 15:23 AEDT'
    >>> format_local(at, "America/New_York", "short-year")
    'Fri 3 Apr 2026 00:23 EDT'
    >>> format_local(at, "Australia/Melbourne", "date")
    'Fri 3 April 2026'
    >>> format_local(at, None)
    '04:23 on Fri 3 April 2026 (UTC)'
    """
    if form not in _FORMS:
        raise ValueError("form is one of: " + ", ".join(sorted(_FORMS)))
    at = computed_instant(value)
    # one conversion to the wall clock serves the day, the time and the abbreviation
    # (the zone is read once per name: _zone is cached)
    local = at if zone is None else at.astimezone(_zone(zone))
    if form in {"date", "short-date"}:
        return format_local_date(local.date(), "short-date" if form == "short-date" else "date")
    clock = f"{local.hour:02d}:{local.minute:02d}" + (
        f":{local.second:02d}" if local.second else ""
    )
    abbreviation = "UTC" if zone is None else _abbreviation(local)
    weekday, month, day = _DAYS[local.weekday()], _MONTHS[local.month - 1], local.day
    if form == "long":
        return f"{clock} on {weekday} {day} {month} {local.year} ({abbreviation})"
    if form == "long-no-year":
        return f"{clock} on {weekday} {day} {month} ({abbreviation})"
    if form == "short":
        return f"{weekday} {day} {month[:3]} {clock} {abbreviation}"
    return f"{weekday} {day} {month[:3]} {local.year} {clock} {abbreviation}"


def local_date(value: datetime, zone: str) -> date:
    """The calendar date of the instant ``value`` on the wall clock of ``zone``.

    >>> from datetime import datetime, UTC
    >>> local_date(datetime(2026, 6, 30, 23, 30, tzinfo=UTC), "Europe/London")
    datetime.date(2026, 7, 1)
    """
    return computed_instant(value).astimezone(_zone(zone)).date()


def start_of_local_day(day: date, zone: str) -> datetime:
    """The first instant (UTC) of the local calendar date ``day`` in ``zone``.

    Where local midnight is skipped (some zones change clocks at midnight) the
    day starts at the first wall-clock time that exists; where it repeats, at
    the earlier reading.
    """
    tz = _zone(zone)
    naive = _DT.combine(day, time())
    if not _FIRST_COMPUTED.replace(tzinfo=None) <= naive <= _LAST_COMPUTED.replace(tzinfo=None):
        raise _out_of_range("$", "a date")
    try:
        local = tz.convert(naive, raise_on_unknown_times=True)
    except AmbiguousTime:
        local = tz.convert(naive.replace(fold=0))
    except NonExistingTime:
        local = tz.convert(naive.replace(fold=1))
    return computed_instant(local)


def elapsed(start: datetime, end: datetime) -> timedelta:
    """The true elapsed time from ``start`` to ``end``, computed in UTC.

    Same-zone subtraction of local datetimes is wall-clock arithmetic and is
    wrong across clock changes; this never is.
    """
    return computed_instant(end) - computed_instant(start)


# --- clocks -----------------------------------------------------------------


@attrs.frozen
class FixedClock:
    """A clock stopped at one instant: for tests, and for "as of 09:00 today".

    >>> from datetime import datetime, UTC
    >>> FixedClock(datetime(2026, 10, 27, 9, tzinfo=UTC)).now().isoformat()
    '2026-10-27T09:00:00+00:00'
    """

    at: datetime = attrs.field(converter=instant)

    def now(self) -> datetime:
        return self.at


@attrs.frozen
class SystemClock:
    """The machine's clock, read in UTC. Pass it explicitly where you want real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


# --- deadlines ----------------------------------------------------------------


def _to_dates(value: object) -> frozenset[date]:
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError("holidays must be an iterable of dates")
    out = frozenset(value)
    if not all(type(d) is date for d in out):
        raise TypeError("holidays must be dates")
    return out


@attrs.frozen
class Weekdays:
    """Monday to Friday are working days, except the given ``holidays``.

    Bank holidays differ by nation and year; pass them in (for example from the
    ``holidays`` package) rather than relying on a list built into the library.
    """

    holidays: frozenset[date] = attrs.field(default=frozenset(), converter=_to_dates)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays


def _positive_timedelta(_inst: object, _attr: object, value: timedelta) -> None:
    if not isinstance(value, timedelta) or value <= timedelta(0):
        raise ValueError("an elapsed deadline needs a positive timedelta")


@attrs.frozen
class ElapsedDeadline:
    """A limit in elapsed time, e.g. 72 hours after the return, whatever the clocks do.

    >>> from datetime import timedelta
    >>> d = ElapsedDeadline(timedelta(hours=72))
    >>> d.due(local_instant(2026, 10, 24, 22, zone="Europe/London"), "Europe/London").isoformat()
    '2026-10-27T21:00:00+00:00'
    """

    period: timedelta = attrs.field(validator=_positive_timedelta)

    def due(self, start: datetime, zone: str) -> datetime:
        check_zone(zone)
        return computed_instant(computed_instant(start) + self.period)

    def describe(self) -> str:
        seconds = int(self.period.total_seconds())
        if seconds % 3600 == 0:
            hours = seconds // 3600
            return f"{hours} hour{'s' if hours != 1 else ''}"
        minutes = seconds // 60
        return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _positive_int(_inst: object, _attr: object, value: int) -> None:
    if type(value) is not int or value < 1:
        raise ValueError("a calendar deadline needs a whole number of days, at least 1")


@attrs.frozen
class CalendarDeadline:
    """A limit in local calendar days: the end of the Nth (working) day after the start.

    The start's local date in the zone is day 0; the thing is due by the end of
    day N, that is at the first instant of the following local date. With
    ``calendar`` set, only working days count.

    >>> d = CalendarDeadline(5, calendar=Weekdays())
    >>> d.due(local_instant(2026, 10, 23, 15, zone="Europe/London"), "Europe/London").isoformat()
    '2026-10-31T00:00:00+00:00'
    """

    days: int = attrs.field(validator=_positive_int)
    calendar: WorkingDayCalendar | None = None

    def due(self, start: datetime, zone: str) -> datetime:
        day = local_date(start, check_zone(zone))
        remaining = self.days
        while remaining:
            day = day + timedelta(days=1)
            if self.calendar is None or self.calendar.is_working_day(day):
                remaining -= 1
        return start_of_local_day(day + timedelta(days=1), zone)

    def describe(self) -> str:
        kind = "working day" if self.calendar is not None else "day"
        return f"{self.days} {kind}{'s' if self.days != 1 else ''}"


@functools.lru_cache(maxsize=256)
def _public_holidays(country: str, subdiv: str | None, year: int) -> frozenset[date]:
    import holidays  # noqa: PLC0415 - its country tables load on first use, not on import

    return frozenset(holidays.country_holidays(country, subdiv=subdiv, years=year))


def _check_country(_inst: object, _attr: object, value: str) -> None:
    import holidays  # noqa: PLC0415

    if not isinstance(value, str) or value not in holidays.list_supported_countries():
        raise ValueError("expected a country code the holidays package supports, such as 'US'")


@attrs.frozen
class PublicHolidays:
    """Monday to Friday are working days, except the public holidays of a country or subdivision.

    The holidays come from the ``holidays`` package (python-holidays), for the
    ISO 3166 country and subdivision, so a deadline in working or business days
    skips the right days without a list written by hand: ``PublicHolidays("US",
    "GA")`` is Georgia's state calendar, ``PublicHolidays("AU", "VIC")``
    Victoria's. Any :class:`~missingcare.typing.WorkingDayCalendar` can stand in
    for it (an embedder's own list from their HR system, say). Results depend
    on the installed ``holidays`` version, never on the host's locale or clock.

    >>> georgia = PublicHolidays("US", "GA")
    >>> georgia.is_working_day(date(2026, 11, 27))  # the day after Thanksgiving: a state holiday
    False
    >>> georgia.is_working_day(date(2026, 11, 30))
    True
    """

    country: str = attrs.field(validator=_check_country)
    subdiv: str | None = None

    def __attrs_post_init__(self) -> None:
        import holidays  # noqa: PLC0415

        if self.subdiv is not None:
            known = holidays.list_supported_countries()[self.country]
            if self.subdiv not in known:
                raise ValueError(f"the holidays package has no subdivision of {self.country}")

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in _public_holidays(
            self.country, self.subdiv, day.year
        )

    def describe(self) -> str:
        """Which calendar this is, for messages: ``public holidays of US-GA``."""
        where = self.country if self.subdiv is None else f"{self.country}-{self.subdiv}"
        return f"public holidays of {where}"
