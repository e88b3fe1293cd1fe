"""The research plots render to PNG, SVG and PDF and can be read (issue 6, issue 21 item 4)."""

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


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
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
        elif suffix == ".pdf":
            assert data.startswith(b"%PDF-")
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
    with pytest.raises(ValueError, match=r"\.png, \.svg or \.pdf"):
        plots.save(figure, tmp_path / "plot.gif")


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


# --- plots people can read (issue 21 item 4) ----------------------------------------------

OKABE_ITO = {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}


def _hex(colour: object) -> str:
    from matplotlib.colors import to_hex

    return to_hex(colour).upper()  # type: ignore[arg-type]


@pytest.mark.parametrize("suffix", [".svg", ".pdf"])
def test_vector_output_is_deterministic(tmp_path: Path, tables: CaseTables, suffix: str) -> None:
    result = p.conversation_rates(tables, by="month")
    plots.timeliness(result, tmp_path / f"a{suffix}")
    plots.timeliness(result, tmp_path / f"b{suffix}")
    assert (tmp_path / f"a{suffix}").read_bytes() == (tmp_path / f"b{suffix}").read_bytes()


def test_every_chart_explains_its_marks(cases: tuple[CaseFile, ...], tables: CaseTables) -> None:
    from missingcare.research.extracts import publish

    timeline = plots.timeline(_busiest(cases)).axes[0].get_legend()
    assert timeline is not None
    labels = [t.get_text() for t in timeline.get_texts()]
    assert {"Episode", "Conversation offered", "Conversation held"} <= set(labels)
    # open circles for an offer, filled for a conversation held
    handles = dict(zip(labels, timeline.legend_handles, strict=True))
    assert handles["Conversation offered"].get_markerfacecolor() == "none"  # type: ignore[union-attr]
    assert handles["Conversation held"].get_markerfacecolor() != "none"  # type: ignore[union-attr]
    timeliness = plots.timeliness(p.conversation_rates(tables, by="month")).axes[0].get_legend()
    assert timeliness is not None
    assert [t.get_text() for t in timeliness.get_texts()] == [
        "Held within 72 hours",
        "Held late",
        "Not held",
    ]
    published = plots.heatmap(publish(p.hour_by_weekday(tables))).axes[0].get_legend()
    assert published is not None
    assert [t.get_text() for t in published.get_texts()] == ["Suppressed (c)"]
    heat = plots.heatmap(p.hour_by_weekday(tables))
    (_, bar) = heat.axes
    assert bar.get_ylabel() == "Episodes"  # a labelled colour bar is the heatmap's key


def test_each_kind_of_context_has_its_own_colour_blind_safe_colour(
    cases: tuple[CaseFile, ...],
) -> None:
    case = max(cases, key=lambda c: (len({e.category.code for e in c.context}), c.child.id))
    legend = plots.timeline(case).axes[0].get_legend()
    assert legend is not None
    colours = {
        t.get_text(): _hex(h.get_color())  # type: ignore[attr-defined]
        for t, h in zip(legend.get_texts(), legend.legend_handles, strict=True)
        if h is not None and t.get_text() in {k for k, _, _ in plots.CONTEXT_KINDS}
    }
    assert len(colours) >= 3, "the busiest context log shows several kinds"
    assert len(set(colours.values())) == len(colours), "one colour per kind"
    assert set(colours.values()) <= OKABE_ITO
    # every kind's colour is one of the palette, and kinds that differ never share one
    by_kind = {label: colour for label, _, colour in plots.CONTEXT_KINDS}
    assert len(set(by_kind.values())) == len(by_kind)


def test_counts_have_whole_number_ticks() -> None:
    from missingcare.testing.synth import Cohort

    small = to_arrow(Cohort(children=2, seed=5))
    figure = plots.timeliness(p.conversation_rates(small, by="month"))
    ticks = figure.axes[0].get_yticks()
    assert len(ticks) >= 2
    assert all(float(t).is_integer() for t in ticks), ticks
    heat = plots.heatmap(p.hour_by_weekday(small))
    assert all(float(t).is_integer() for t in heat.axes[1].get_yticks())


def test_the_legend_is_beside_the_bars_never_over_them(tables: CaseTables) -> None:
    figure = plots.timeliness(p.conversation_rates(tables, by="month"))
    figure.canvas.draw()
    (ax,) = figure.axes
    legend = ax.get_legend()
    assert legend is not None
    box, area = legend.get_window_extent(), ax.get_window_extent()
    assert box.x0 >= area.x1, "the legend starts right of the plotting area"


def test_every_plot_draws_on_a_given_axes(
    tmp_path: Path, cases: tuple[CaseFile, ...], tables: CaseTables
) -> None:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(12, 10))
    top, middle, bottom = figure.subplots(3)
    assert plots.heatmap(p.hour_by_weekday(tables), ax=top) is figure
    assert plots.timeline(_busiest(cases), ax=middle) is figure
    assert plots.timeliness(p.conversation_rates(tables, by="month"), ax=bottom) is figure
    assert top.images
    assert middle.collections
    assert bottom.patches
    assert len(figure.axes) == 4  # the three panels and the heatmap's colour bar
    plots.save(figure, tmp_path / "panels.pdf")
    assert (tmp_path / "panels.pdf").read_bytes().startswith(b"%PDF-")


def test_a_timeline_window_draws_and_counts_only_that_stretch(cases: tuple[CaseFile, ...]) -> None:
    from datetime import timedelta

    case = _busiest(cases)
    first = case.episodes[0]
    window = (first.last_seen_at - timedelta(days=1), first.last_seen_at + timedelta(days=1))
    whole = plots.timeline(case).axes[0]
    part = plots.timeline(case, window=window).axes[0]
    assert whole.get_title().startswith(f"{len(case.episodes)} episodes;")
    assert part.get_title().startswith("1 episode;")
    assert part.get_xlim()[1] - part.get_xlim()[0] == pytest.approx(2, abs=1 / 24)


def test_months_are_labelled_for_people(tables: CaseTables) -> None:
    """The month axis reads "Apr 2026", as the reports' tables do, never "2026-04"."""
    import re

    result = p.conversation_rates(tables, by="month")
    labels = [t.get_text() for t in plots.timeliness(result).axes[0].get_xticklabels()]
    assert labels
    assert all(re.fullmatch(r"[A-Z][a-z]{2} \d{4}", label) for label in labels), labels
