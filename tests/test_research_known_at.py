"""The research tables as the records were known at an instant (issue 22, item 5)."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta

import attrs
import pytest

pl = pytest.importorskip("polars")

from missingcare import CaseFile  # noqa: E402
from missingcare.exceptions import NaiveDatetimeError  # noqa: E402
from missingcare.records import Recorded, as_known_at  # noqa: E402
from missingcare.research import patterns as p  # noqa: E402
from missingcare.research.extracts import make_extract  # noqa: E402
from missingcare.research.tables import (  # noqa: E402
    KNOWN_AT,
    SCHEMAS,
    TABLES,
    from_arrow,
    to_arrow,
)
from missingcare.testing.synth import Cohort  # noqa: E402

KEY = hashlib.sha256(b"missingcare known-at test key").digest()

#: The tables with the recording columns: every record a person enters.
RECORDED_TABLES = [n for n in TABLES if "recording_at" in SCHEMAS[n].names]

COHORT = Cohort(children=24, seed=8, days=120)
#: Part-way through the cohort's window: records written after it exist.
MIDWAY = datetime(2025, 6, 15, 12, tzinfo=UTC)


def _cases() -> tuple[CaseFile, ...]:
    return tuple(COHORT)


def test_the_tables_as_known_at_hold_the_case_files_as_known_then() -> None:
    cases = _cases()
    known = to_arrow(cases, known_at=MIDWAY)
    expected = tuple(as_known_at(c, MIDWAY) for c in cases)
    assert expected != cases  # the instant leaves something out
    assert from_arrow(known) == expected
    assert known == to_arrow(expected)  # the same contents, row for row
    assert known.known_at == MIDWAY
    assert all(known.table(n).schema.metadata[KNOWN_AT] == b"2025-06-15T12:00:00Z" for n in TABLES)
    everything = to_arrow(cases)
    assert everything.known_at is None
    assert everything.episodes.num_rows > known.episodes.num_rows


def test_no_row_was_written_after_the_instant() -> None:
    known = to_arrow(_cases(), known_at=MIDWAY)
    assert RECORDED_TABLES  # the recording columns are derived from the kinds
    for name in RECORDED_TABLES:
        written = known.to_polars(name).get_column("recording_at").drop_nulls().to_list()
        assert all(at <= MIDWAY for at in written), name
    # the records of unknown recording time are kept, under their event time
    assert known.to_polars("context").get_column("recording_at").null_count() > 0


def _referenced(case: CaseFile, episode_id: str) -> bool:
    lists: list[tuple[str, ...]] = [
        *(x.episode_ids for x in case.conversations),
        *(x.episode_ids for x in case.factors),
        *(x.episode_ids for x in case.needs),
    ]
    return any(episode_id in ids for ids in lists) or any(
        c.episode_id == episode_id for t in case.trusted_adults for c in t.contacts
    )


def test_a_statistic_as_known_at_does_not_move_when_a_record_is_written_late() -> None:
    cases = list(_cases())
    start, end = date(2025, 4, 1), date(2025, 7, 1)
    year_end = datetime(2025, 7, 1, tzinfo=UTC)
    # an episode in the period that nothing else names, and the records without it: what
    # was published at the year's end, before the episode was written up
    i, late = next(
        (i, e)
        for i, c in enumerate(cases)
        for e in c.episodes
        if date(2025, 4, 2) <= e.last_seen_at.date() < date(2025, 6, 30)
        and not _referenced(c, e.id)
    )
    without = [*cases]
    without[i] = attrs.evolve(cases[i], episodes=tuple(e for e in cases[i].episodes if e != late))
    published = p.episode_rates(to_arrow(without, known_at=year_end), start=start, end=end)
    # forty days later the episode is written up
    cases[i] = attrs.evolve(
        cases[i],
        episodes=tuple(
            attrs.evolve(e, recorded=Recorded(year_end + timedelta(days=40))) if e == late else e
            for e in cases[i].episodes
        ),
    )
    again = p.episode_rates(to_arrow(cases, known_at=year_end), start=start, end=end)
    now = p.episode_rates(to_arrow(cases), start=start, end=end)
    assert again.frame.equals(published.frame)  # the published figure can be made again
    assert not now.frame.equals(again.frame)  # the records as they are now count it
    assert now.frame.get_column("episodes").sum() == again.frame.get_column("episodes").sum() + 1


def test_an_extract_says_which_instant_its_records_were_known_at() -> None:
    extract = make_extract(to_arrow(_cases(), known_at=MIDWAY), KEY)
    assert extract.manifest["records_as_known_at"] == "2025-06-15T12:00:00Z"
    assert all(
        t.schema.metadata[KNOWN_AT] == b"2025-06-15T12:00:00Z" for t in extract.tables.values()
    )
    # the recording columns are a record's like any other: the instant shifted, the role kept
    assert "recording_at" in extract.tables["episodes"].column_names
    assert "recording_by" in extract.tables["episodes"].column_names
    assert make_extract(to_arrow(_cases()), KEY).manifest["records_as_known_at"] is None


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(NaiveDatetimeError) as info:
        to_arrow(_cases(), known_at=datetime(2025, 6, 15))
    assert info.value.paths == ("$.known_at",)
