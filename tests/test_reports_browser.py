"""The reports as a person sees them: rendered by a real headless Chromium (issue 21 item 6).

Skipped when no Chromium is installed, unless ``MISSINGCARE_REQUIRE_BROWSER=1``
(CI sets it and installs Debian's ``chromium``): then a missing browser fails.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")

from matplotlib.image import imread

from missingcare.reports import browser
from tests.test_reports import HEADINGS, render_all, text_of


@pytest.fixture(scope="module", autouse=True)
def _need_a_browser() -> None:
    if browser.chromium() is None:
        if os.environ.get("MISSINGCARE_REQUIRE_BROWSER") == "1":
            pytest.fail("MISSINGCARE_REQUIRE_BROWSER=1 but no Chromium was found")
        pytest.skip("no Chromium installed (set MISSINGCARE_REQUIRE_BROWSER=1 to require it)")


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return render_all()


@pytest.mark.parametrize("name", sorted(HEADINGS))
def test_the_page_shows_in_a_browser_with_every_section(
    name: str, pages: dict[str, str], tmp_path: Path
) -> None:
    shot = browser.screenshot(pages[name], tmp_path / f"{name}.png")
    pixels = imread(shot)
    assert pixels.shape[0] >= 1000
    assert pixels.shape[1] >= 800
    grey = pixels[..., :3].mean(axis=2)
    assert grey.std() > 0.05, "the screenshot is not blank"
    assert (grey < 0.5).mean() > 0.01, "there is dark text on the page"
    dom = browser.dump_dom(pages[name])
    headings = text_of(dom).headings
    for heading in HEADINGS[name]:
        assert heading in headings, heading


def test_the_handover_prints_on_two_a4_pages(pages: dict[str, str], tmp_path: Path) -> None:
    pdf = browser.print_to_pdf(pages["handover"], tmp_path / "handover.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert browser.pdf_pages(pdf) == 2
    # every page is A4: 595 x 842 points (210 x 297 mm)
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert len(boxes) == 2
    assert all(round(float(w)) == 595 and round(float(h)) == 842 for w, h in boxes)


def test_the_page_count_reader_can_tell_one_page_from_two(tmp_path: Path) -> None:
    one = "<!DOCTYPE html><html><body><p>one page</p></body></html>"
    two = one.replace("</body>", '<p style="break-before: page">two</p></body>')
    assert browser.pdf_pages(browser.print_to_pdf(one, tmp_path / "1.pdf").read_bytes()) == 1
    assert browser.pdf_pages(browser.print_to_pdf(two, tmp_path / "2.pdf").read_bytes()) == 2


def test_a_full_profile_still_prints_on_two_pages(tmp_path: Path) -> None:
    import attrs

    from missingcare.reports import ProfileDetails, handover_report
    from tests.test_reports import busiest, cohort

    case = busiest(list(cohort()))
    text = ("Synthetic detail about the child, the places and the people they know. " * 4)[:300]
    details = ProfileDetails(**{a.name: text for a in attrs.fields(ProfileDetails)})
    html = handover_report(case, case.episodes[-1].id, details=details)
    assert html.count(text) == len(attrs.fields(ProfileDetails))
    pdf = browser.print_to_pdf(html, tmp_path / "full.pdf").read_bytes()
    assert browser.pdf_pages(pdf) == 2
