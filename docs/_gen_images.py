"""Draw the pictures in docs/_static: the research plots and a screenshot of each report.

Run ``python docs/_gen_images.py`` after changing a plot or a report template
(the screenshots need Chromium: ``apt-get install chromium``). Everything is
drawn from synthetic cohorts; the pictures show the generator's assumptions,
not findings.
"""

from __future__ import annotations

import sys
from pathlib import Path

from missingcare.reports import browser
from missingcare.research import patterns, plots
from missingcare.research.tables import to_arrow
from missingcare.testing.synth import Cohort

OUT = Path(__file__).parent / "_static"
ROOT = Path(__file__).parent.parent


def research() -> None:
    """research-*.png: the plots of the research how-to (400 synthetic children)."""
    cases = list(Cohort(children=400, seed=2026))
    tables = to_arrow(cases)
    plots.save(plots.heatmap(patterns.hour_by_weekday(tables)), OUT / "research-heatmap.png")
    plots.save(
        plots.timeliness(patterns.conversation_rates(tables, by="month")),
        OUT / "research-timeliness.png",
    )
    busiest = max(cases, key=lambda c: (len(c.episodes), len(c.trusted_adults), c.child.id))
    plots.save(plots.timeline(busiest), OUT / "research-timeline.png")


def reports() -> None:
    """report-*.png: the top of each report, as a browser shows it."""
    sys.path.insert(0, str(ROOT))
    from tests.test_reports import render_all  # noqa: PLC0415 - the pages the tests check

    for name, html in render_all().items():
        browser.screenshot(html, OUT / f"report-{name}.png", width=900, height=1200)


if __name__ == "__main__":
    research()
    reports()
    print(f"wrote {', '.join(sorted(p.name for p in OUT.glob('*.png')))}")
