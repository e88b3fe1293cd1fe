"""The research plots render to PNG and SVG (acceptance 5 of issue 6)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("polars")

from missingcare import CaseFile, ChildRef
from missingcare.research import patterns as p
from missingcare.research import plots
from missingcare.research.tables import CaseTables, to_arrow

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def cases(clock_changes_cohort: tuple[CaseFile, ...]) -> tuple[CaseFile, ...]:
    return clock_changes_cohort[:100]


@pytest.fixture(scope="module")
def tables(cases: tuple[CaseFile, ...]) -> CaseTables:
    return to_arrow(cases)


def _busiest(cases: tuple[CaseFile, ...]) -> CaseFile:
    return max(cases, key=lambda c: (len(c.episodes), len(c.trusted_adults), c.child.id))


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_every_plot_renders(
    tmp_path: Path, cases: tuple[CaseFile, ...], tables: CaseTables, suffix: str
) -> None:
    outputs = [
        (plots.heatmap, p.hour_by_weekday(tables)),
        (plots.timeliness, p.conversation_rates(tables, by="month")),
        (plots.timeline, _busiest(cases)),
    ]
    for make, value in outputs:
        path = tmp_path / f"{make.__name__}{suffix}"
        make(value, path)  # type: ignore[operator]
        data = path.read_bytes()
        assert len(data) > 1_000
        if suffix == ".png":
            assert data.startswith(PNG)
        else:
            assert b"<svg" in data[:2_000]


def test_svg_output_is_deterministic(tmp_path: Path, tables: CaseTables) -> None:
    result = p.hour_by_weekday(tables)
    plots.heatmap(result, tmp_path / "a.svg")
    plots.heatmap(result, tmp_path / "b.svg")
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()


def test_timeline_of_a_child_with_nothing_recorded(tmp_path: Path) -> None:
    figure = plots.timeline(CaseFile(child=ChildRef("C-EMPTY")), tmp_path / "empty.png")
    assert figure.axes
    assert (tmp_path / "empty.png").exists()


def test_timeliness_needs_monthly_rates_and_files_need_a_known_format(
    tmp_path: Path, tables: CaseTables
) -> None:
    with pytest.raises(ValueError, match="by='month'"):
        plots.timeliness(p.conversation_rates(tables, by="home"))
    figure = plots.heatmap(p.hour_by_weekday(tables))
    with pytest.raises(ValueError, match=r"\.png or \.svg"):
        plots.save(figure, tmp_path / "plot.pdf")


def test_a_published_heatmap_shows_only_what_the_table_publishes(tmp_path: Path) -> None:
    import numpy as np

    from missingcare.research.extracts import publish
    from missingcare.testing.synth import Cohort

    small = to_arrow(Cohort(children=3, seed=11, profile="clock_changes"))
    figure = plots.heatmap(publish(p.hour_by_weekday(small)), tmp_path / "small.svg")
    (ax, _colourbar) = figure.axes
    assert "3 children" not in ax.get_title()
    assert "suppressed" in ax.get_title()
    cells = ax.images[0].get_array()
    assert cells is not None
    assert np.ma.getmaskarray(cells).all()  # a 3-child table is suppressed whole: all grey
    assert (tmp_path / "small.svg").read_bytes().startswith(b"<?xml")
