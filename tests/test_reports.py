"""The reports people print and hand over (issue 21 item 5): whole, safe, readable pages."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import attrs
import pytest

pytest.importorskip("jinja2")
pytest.importorskip("matplotlib")

import jinja2
from click.testing import CliRunner
from markupsafe import escape

from missingcare import CaseFile, ContextEntry, MissingEpisode
from missingcare import _fields as f
from missingcare.analysis import Proportion, home_summary
from missingcare.cli import main
from missingcare.converters import to_json
from missingcare.plans import MissingPersonProfile
from missingcare.reports import ProfileDetails, episode_report, handover_report, home_report
from missingcare.reports.handover import PART_2
from missingcare.testing.synth import Cohort

START, END = date(2025, 4, 1), date(2026, 3, 31)
SCRIPT = "<script>alert('x')</script>"
#: The section headings each report must show (what the browser test looks for too).
HEADINGS = {
    "home": (
        "Summary",
        "Episodes by child and month",
        "How long, when and where",
        "What came before",
        "Return conversations",
        "Overdue duties",
        "Trusted adults",
        "Charts",
        "Every episode",
    ),
    "episode": (
        "In the child's own words",
        "Timeline",
        "What came before",
        "Factors recorded",
        "Suggested from the record",
        "The response on return",
        "The trusted adult",
        "The question for the child",
    ),
    "handover": (
        "Part 1: the child's profile",
        "Trusted adults",
        "Missing history",
        "Part 2: this episode",
    ),
}


def cohort() -> Cohort:
    """One synthetic home of four children, with what the Welsh pack looks for (profiles)."""
    return Cohort(children=4, seed=7, children_per_home=4, pack="GB-WLS")


def busiest(cases: list[CaseFile]) -> CaseFile:
    return max(cases, key=lambda c: (len(c.episodes), c.child.id))


def render_all() -> dict[str, str]:
    """Each report for the synthetic cohort, by name."""
    c = cohort()
    cases = list(c)
    case = busiest(cases)
    episode = case.episodes[-2]
    details = ProfileDetails(
        description="Slim build, short dark hair (synthetic).",
        photograph="Photo store ref SYN-PH-1 (synthetic)",
        medical_needs="Inhaler (synthetic).",
    )
    return {
        "home": home_report(cases, home_id=c.home(0).id, pack="GB-WLS", start=START, end=END),
        "episode": episode_report(case, episode.id, as_of=c.as_of(c.home(0).zone)),
        "handover": handover_report(case, episode.id, details=details),
    }


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return render_all()


class _Text(HTMLParser):
    """The text a reader sees: no CSS, and (optionally) no dates and times."""

    def __init__(self, *, skip_times: bool) -> None:
        super().__init__()
        self.skip = {"style", "script", "title"} | ({"time"} if skip_times else set())
        self.depth = 0
        self.parts: list[str] = []
        self.headings: list[str] = []
        self._in_heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.skip:
            self.depth += 1
        self._in_heading = tag in {"h1", "h2", "h3"}

    def handle_endtag(self, tag: str) -> None:
        if tag in self.skip:
            self.depth -= 1
        if tag in {"h1", "h2", "h3"}:
            self._in_heading = False

    def handle_data(self, data: str) -> None:
        if self.depth == 0:
            self.parts.append(data)
            if self._in_heading:
                self.headings.append(data.strip())


def text_of(html: str, *, skip_times: bool = False) -> _Text:
    parser = _Text(skip_times=skip_times)
    parser.feed(html)
    return parser


#: A count from 1 to 9 standing alone (not part of a longer number, a decimal or a word).
SMALL_COUNT = re.compile(r"(?<![\w.])[1-9](?![\w]|\.\d)")


def test_each_report_is_a_whole_page_with_its_sections(pages: dict[str, str]) -> None:
    for name, html in pages.items():
        assert html.startswith("<!DOCTYPE html>"), name
        assert '<html lang="en-GB">' in html
        assert "<style>" in html
        assert "@page" in html
        found = text_of(html).headings
        for heading in HEADINGS[name]:
            assert heading in found, (name, heading)


def test_a_page_makes_no_external_request(pages: dict[str, str]) -> None:
    external = re.compile(r"""(?:src|href|action|data)\s*=\s*["']?\s*(?:https?:)?//""", re.I)
    for name, html in pages.items():
        assert not external.search(html), name
        assert "@import" not in html
        assert not re.search(r"url\(\s*['\"]?\s*(?:https?:)?//", html, re.I), name
        assert "<link" not in html
    assert "<svg" in pages["home"]
    assert "<svg" in pages["episode"]  # charts are inline SVG


def test_times_are_local_with_the_zone_abbreviation_never_utc_text(pages: dict[str, str]) -> None:
    for name, html in pages.items():
        seen = "".join(text_of(html).parts)
        assert re.search(r"\d\d:\d\d on \w{3} \d{1,2} \w+ \d{4} \((GMT|BST)\)", seen), name
        assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", seen), name
        assert '<time datetime="' in html  # the instant for machines stays in the attribute


def _poisoned(case: CaseFile) -> CaseFile:
    episodes = list(case.episodes)
    episodes[-2] = attrs.evolve(
        episodes[-2], last_seen_place=SCRIPT, clothing=SCRIPT, child_said=SCRIPT
    )
    context = [attrs.evolve(c, note=SCRIPT) for c in case.context]
    return attrs.evolve(case, episodes=tuple(episodes), context=tuple(context))


def test_text_from_the_record_is_escaped_everywhere() -> None:
    c = cohort()
    cases = list(c)
    case = _poisoned(busiest(cases))
    episode = case.episodes[-2]
    pages = [
        home_report([case], start=START, end=END),
        episode_report(case, episode.id),
        handover_report(case, episode.id, details=ProfileDetails(description=SCRIPT)),
    ]
    for html in pages:
        assert "<script" not in html.lower()
        assert "&lt;script&gt;" in html


def test_a_publishable_review_of_a_home_of_three_shows_no_count_from_1_to_9(
    tmp_path: Path,
) -> None:
    three = Cohort(children=3, seed=7, children_per_home=3)
    source = tmp_path / "three.jsonl"
    source.write_bytes(b"".join(to_json(c) + b"\n" for c in three))
    args = ["report", "home", str(source), "--start", "2025-04-01", "--end", "2026-03-31"]

    exact = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "exact.html")])
    assert exact.exit_code == 0, exact.output
    plain = text_of((tmp_path / "exact.html").read_text("utf-8"), skip_times=True)
    # the detector finds small counts in the page for managers: the check below can fail
    assert SMALL_COUNT.search(" ".join(plain.parts))

    result = CliRunner().invoke(main, [*args, "--publishable", "-o", str(tmp_path / "pub.html")])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "pub.html").read_text("utf-8")
    shown = " ".join(text_of(html, skip_times=True).parts)
    assert not SMALL_COUNT.findall(shown), SMALL_COUNT.findall(shown)
    assert "SYN-7-00000" not in html  # no child named
    assert '<span class="count">c</span>' in html  # the counts are there, suppressed


def test_a_publishable_count_goes_through_the_research_disclosure_control() -> None:
    from missingcare.reports._render import Counts
    from missingcare.research.extracts import DEFAULT_SUPPRESSION

    def shown(counts: Counts) -> list[str]:
        return [re.sub(r"<[^>]+>", "", str(counts.count(n))) for n in (0, 3, 12, 27)]

    assert shown(Counts(DEFAULT_SUPPRESSION, population=40)) == ["0", "c", "10", "25"]
    # a page about fewer than 10 children shows c for every count, zeros included
    assert shown(Counts(DEFAULT_SUPPRESSION, population=3)) == ["c"] * 4
    assert shown(Counts()) == ["0", "3", "12", "27"]
    many = Counts(DEFAULT_SUPPRESSION, population=40)
    behind_few = re.sub(r"<[^>]+>", "", str(many.rate(Proportion(30, 100), children=3)))
    assert behind_few == "c of 100"
    assert re.sub(r"<[^>]+>", "", str(many.rate(Proportion(30, 100), children=12))) == "30 of 100"
    assert re.sub(r"<[^>]+>", "", str(Counts().rate(Proportion(3, 12)))) == "3 of 12 (25%)"
    counts = Counts(DEFAULT_SUPPRESSION, population=40)
    tally = counts.tally([("a", 3, 2), ("b", 12, 11), ("c", 27, 20)])
    # secondary suppression: one suppressed cell in the column would be undone by the total
    assert [re.sub(r"<[^>]+>", "", str(n)) for _, n in tally] == ["c", "c", "25"]
    # a row behind fewer than 10 children is c, however many episodes it counts
    tally = counts.tally([("a", 30, 3), ("b", 12, 11), ("c", 27, 20)])
    assert re.sub(r"<[^>]+>", "", str(tally[0][1])) == "c"


def test_the_handover_labels_come_from_the_model(pages: dict[str, str]) -> None:
    html = pages["handover"]
    labels = dict(f.kinds(MissingEpisode))
    for name in PART_2:
        assert f'<th scope="row">{escape(labels[name].label)}</th>' in html, name
    for name, kind in f.kinds(ProfileDetails):
        assert str(escape(kind.label)) in html, name
    for name, kind in f.kinds(MissingPersonProfile):
        if kind.base != "id":
            assert str(escape(kind.label)) in html, name
    assert "Slim build, short dark hair (synthetic)." in html
    assert html.count('class="page"') == 1  # Part 2 starts the second page


def test_the_episode_page_puts_the_childs_words_first_and_ends_with_the_question(
    pages: dict[str, str],
) -> None:
    c = cohort()
    case = busiest(list(c))
    said = case.episodes[-2].child_said
    html = pages["episode"]
    headings = text_of(html).headings
    assert headings.index("In the child's own words") < headings.index("Factors recorded")
    assert headings[-1] == "The question for the child"
    if said:
        assert str(escape(said)) in html
    assert "?" in html.rsplit('class="question"', 1)[1]
    # evidence is named in the model's words; its JSON path is only a tooltip
    seen = "".join(text_of(html).parts)
    assert "$." not in seen
    assert 'title="$.' in html


def test_an_embedder_overrides_any_template(tmp_path: Path) -> None:
    c = cohort()
    case = busiest(list(c))
    (tmp_path / "report.css").write_text("body { color: #000000; } /* house style */\n")
    page = episode_report(case, case.episodes[0].id, templates=tmp_path)
    assert "/* house style */" in page
    assert "In the child's own words" in page  # the rest is the shipped template
    loader = jinja2.DictLoader(
        {
            "base.html.j2": "<!DOCTYPE html><title>{{ title }}</title>"
            "{% block main %}{% endblock %}<p>Our footer {{ version }}</p>"
        }
    )
    page = handover_report(case, case.episodes[0].id, templates=loader)
    assert "Our footer" in page
    assert "Part 2: this episode" in page


# --- contrast (WCAG 2.1 AA: 4.5:1 for text) ------------------------------------------------


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_the_contrast_check_can_fail() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") < 4.5 < contrast("#767676", "#ffffff")


def test_every_colour_pair_in_the_stylesheet_meets_wcag_aa() -> None:
    css = (
        Path(__file__).parent.parent
        / "src"
        / "missingcare"
        / "reports"
        / "templates"
        / "report.css"
    ).read_text("utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    variables = dict(re.findall(r"(--[\w-]+)\s*:\s*(#[0-9a-fA-F]{6})", css))
    page = variables["--page"]

    def resolve(value: str) -> str:
        value = value.strip()
        found = re.fullmatch(r"var\((--[\w-]+)\)", value)
        return variables[found.group(1)] if found else value

    pairs = 0
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        decls = {
            k.strip(): v.strip() for k, v in (d.split(":", 1) for d in body.split(";") if ":" in d)
        }
        if "color" not in decls:
            continue
        fg = resolve(decls["color"])
        bg = resolve(decls.get("background") or decls.get("background-color") or page)
        assert re.fullmatch(r"#[0-9a-fA-F]{6}", fg), selector
        assert re.fullmatch(r"#[0-9a-fA-F]{6}", bg), selector
        assert contrast(fg, bg) >= 4.5, (selector.strip(), fg, bg, contrast(fg, bg))
        pairs += 1
    assert pairs >= 10


# --- the command line ------------------------------------------------------------------------


def test_the_report_commands_write_each_page(tmp_path: Path) -> None:
    c = cohort()
    cases = list(c)
    case = busiest(cases)
    source = tmp_path / "cohort.jsonl"
    source.write_bytes(b"".join(to_json(x) + b"\n" for x in cases))
    ep = case.episodes[-1].id
    runs = {
        "home.html": ["home", "--start", "2025-04-01", "--end", "2026-03-31", "--pack", "GB-WLS"],
        "episode.html": ["episode", "--child", case.child.id, "--episode", ep],
        "handover.html": ["handover", "--child", case.child.id, "--episode", ep],
    }
    for out, args in runs.items():
        result = CliRunner().invoke(
            main, ["report", args[0], str(source), *args[1:], "-o", str(tmp_path / out)]
        )
        assert result.exit_code == 0, result.output
        assert (tmp_path / out).read_text("utf-8").startswith("<!DOCTYPE html>")
    unknown = CliRunner().invoke(
        main, ["report", "episode", str(source), "--child", case.child.id, "--episode", "E-NONE"]
    )
    assert unknown.exit_code == 2
    assert "E-NONE" not in unknown.output  # ids given on the command line are not echoed


def test_handover_details_are_checked_and_named_by_path_only(tmp_path: Path) -> None:
    c = cohort()
    case = busiest(list(c))
    source = tmp_path / "one.json"
    source.write_bytes(to_json(case))
    details = tmp_path / "details.json"
    details.write_text('{"description": "\\ud800 SECRET-VALUE"}')
    args = ["report", "handover", str(source), "--child", case.child.id]
    result = CliRunner().invoke(
        main, [*args, "--episode", case.episodes[0].id, "--details", str(details)]
    )
    assert result.exit_code == 2
    assert "SECRET-VALUE" not in result.output
    assert "description" in result.output


def test_home_summary_counts_only_the_period_given_since() -> None:
    cases = list(cohort())
    whole = home_summary(cases, as_of=datetime(2026, 4, 1, tzinfo=UTC))
    half = home_summary(
        cases,
        as_of=datetime(2026, 4, 1, tzinfo=UTC),
        since=datetime(2025, 10, 1, tzinfo=UTC),
    )
    in_half = sum(
        1 for c in cases for e in c.episodes if e.last_seen_at >= datetime(2025, 10, 1, tzinfo=UTC)
    )
    assert half.episodes == in_half < whole.episodes


def test_context_entry_notes_are_shown_in_the_episode_page() -> None:
    case = busiest(list(cohort()))
    episode = case.episodes[-2]
    note = "Argument over phone time (synthetic)"
    entry = ContextEntry(
        id="CTX-NOTE",
        child_id=case.child.id,
        at=episode.last_seen_at - timedelta(minutes=30),
        category=next(iter(c.category for c in case.context)),
        note=note,
    )
    case = attrs.evolve(
        case, context=tuple(sorted((*case.context, entry), key=lambda c: (c.at, c.id)))
    )
    assert note in episode_report(case, episode.id)


def test_the_home_review_names_its_months_for_people(pages: dict[str, str]) -> None:
    # the page's own text; a chart's axis (an SVG) is the plot's to label
    page = re.sub(r"<svg.*?</svg>", "", pages["home"], flags=re.DOTALL)
    seen = "".join(text_of(page).parts)
    # (the text runs on without spaces between cells: no word boundaries to match)
    assert "Apr 2025May 2025" in seen  # the month columns: "Apr 2025"
    assert not re.search(r"(?<!\d)\d{4}-(?:0[1-9]|1[0-2])(?!-\d)", seen)  # never "2025-04"
