"""The pages people print and hand over, for a synthetic home.

Writes the registered manager's review of a home's year (and its publishable
version), one episode's formulation for a strategy meeting and the police
handover for that episode, as self-contained HTML pages in the current
directory. Open one in a browser and print it to PDF; with Chromium
installed, this script prints the handover itself and counts its pages.
Every record is synthetic.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from missingcare.reports import (
    ProfileDetails,
    browser,
    episode_report,
    handover_report,
    home_report,
)
from missingcare.testing.synth import Cohort


def main() -> None:
    cohort = Cohort(children=4, seed=7, children_per_home=4, pack="GB-WLS")
    cases = list(cohort)
    home = cohort.home(0)
    start, end = date(2025, 4, 1), date(2026, 3, 31)  # a 903 collection year

    review = home_report(cases, start=start, end=end, home_id=home.id, pack="GB-WLS")
    public = home_report(
        cases, start=start, end=end, home_id=home.id, pack="GB-WLS", publishable=True
    )

    case = max(cases, key=lambda c: len(c.episodes))
    episode = case.episodes[-1]
    meeting = episode_report(case, episode.id, as_of=cohort.as_of(home.zone))
    details = ProfileDetails(
        description="Slim build, short dark hair, often wears a grey hoodie (synthetic).",
        photograph="Photo store ref SYN-PH-0003 (synthetic)",
        medical_needs="Asthma: carries an inhaler (synthetic).",
    )
    handover = handover_report(case, episode.id, details=details)

    pages = {
        "home-review.html": review,
        "home-review-publishable.html": public,
        "strategy-meeting.html": meeting,
        "police-handover.html": handover,
    }
    for name, html in pages.items():
        assert html.startswith("<!DOCTYPE html>")
        Path(name).write_text(html, encoding="utf-8")
        print(f"{name}: {len(html):,} characters")
    assert case.child.id in review
    assert case.child.id not in public  # the publishable version names no child
    assert "Part 2: this episode" in handover

    if browser.chromium() is not None:
        pdf = browser.print_to_pdf(handover, Path("police-handover.pdf"))
        pages_printed = browser.pdf_pages(pdf.read_bytes())
        assert pages_printed == 2
        print(f"police-handover.pdf: {pages_printed} A4 pages")
    else:
        print("Chromium not found: open police-handover.html in a browser and print it.")


if __name__ == "__main__":
    main()
