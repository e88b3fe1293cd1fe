"""What the three reports share: the template environment, and how values are shown.

Templates are Jinja2 files shipped as package data in ``templates/``; an
embedder overrides any of them (``base.html.j2``, ``report.css``, a report's
own template) by passing a directory or a Jinja2 loader as ``templates=``:
its templates are looked up first, the shipped ones after. Autoescaping is
always on: every value from a record is untrusted text.

Every instant is shown on the wall clock of the placement or pack zone, with
the zone's abbreviation, inside a ``<time>`` element whose ``datetime``
attribute keeps the RFC 3339 UTC instant for machines (:func:`_when`, the one
place a report formats an instant). Every count goes through :class:`Counts`,
which in a publishable report shows it as the research layer's disclosure
control does (:meth:`~missingcare.research.extracts.SuppressionProfile.show`).
"""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from os import PathLike
from typing import Any

try:
    import jinja2
    from markupsafe import Markup, escape
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "missingcare.reports needs the 'reports' extra (jinja2, matplotlib, polars): "
        'pip install "missingcare[reports]"'
    ) from exc

import attrs
import polars as pl

from missingcare import _fields
from missingcare._version import __version__
from missingcare.analysis._common import span
from missingcare.analysis.home import Proportion
from missingcare.analysis.insights import Evidence
from missingcare.case import CaseFile
from missingcare.research.extracts import SUPPRESSED, SuppressionProfile, suppress
from missingcare.time import format_instant, format_local, format_local_date
from missingcare.vocab import Concept

__all__ = ["Counts", "FieldRow", "TemplateSource", "field_rows", "render"]

#: Where an embedder's templates come from: a directory, or any Jinja2 loader.
TemplateSource = str | PathLike[str] | jinja2.BaseLoader


def _when(at: datetime, zone: str) -> str:
    """An instant for people: ``05:23 on Fri 3 April 2026 (BST)`` on ``zone``'s wall clock.

    The one place a report turns an instant into words: :func:`missingcare.time.format_local`.

    >>> from datetime import UTC
    >>> _when(datetime(2026, 4, 3, 4, 23, tzinfo=UTC), "Europe/London")
    '05:23 on Fri 3 April 2026 (BST)'
    """
    return format_local(at, zone, "long")


def _day(on: date) -> str:
    """``Fri 3 April 2026``: :func:`missingcare.time.format_local_date`."""
    return format_local_date(on, "date")


def when(at: datetime | None, zone: str) -> Markup:
    """An instant as a ``<time>`` element, or a dash when it is not recorded."""
    if at is None:
        return Markup('<span class="none">not recorded</span>')
    return Markup('<time datetime="{}">{}</time>').format(format_instant(at), _when(at, zone))


def day(on: date | None) -> Markup:
    """A date as a ``<time>`` element, or a dash when it is not recorded."""
    if on is None:
        return Markup('<span class="none">not recorded</span>')
    return Markup('<time datetime="{}">{}</time>').format(on.isoformat(), _day(on))


def duration(value: timedelta | None) -> str:
    """A length of time in words, or "still open"."""
    return "still open" if value is None else span(value)


@attrs.frozen
class Counts:
    """How a report shows counts and rates: exactly, or under disclosure control.

    With a ``profile`` (a publishable report), every count is shown as the
    profile shows it (``0``, ``c`` or rounded), and every count is ``c`` when
    the page is about fewer than ``profile.threshold`` children
    (``population``), zeros included, as
    :func:`~missingcare.research.extracts.suppress` does for a whole table. A
    rate shows only its published numerator and denominator, since rates are
    not published. :meth:`tally` publishes a table of counts through
    :func:`~missingcare.research.extracts.suppress` itself (secondary
    suppression included).
    """

    profile: SuppressionProfile | None = None
    population: int = 0

    def count(self, n: int) -> Markup:
        """One count, as the page may show it."""
        if self.profile is None:
            shown = str(n)
        elif self.population < self.profile.threshold:
            shown = SUPPRESSED
        else:
            shown = self.profile.show(n)
        return Markup('<span class="count">{}</span>').format(shown)

    def rate(self, p: Proportion, children: int | None = None) -> Markup:
        """``n of d (p%)``; published, only ``n of d``.

        ``children`` is how many children are behind the numerator: published,
        a numerator behind fewer than ``threshold`` children is ``c``.
        """
        if self.profile is not None and children is not None and children < self.profile.threshold:
            return Markup('<span class="count">{}</span> of {}').format(
                SUPPRESSED, self.count(p.denominator)
            )
        if self.profile is not None or p.share is None:
            return Markup("{} of {}").format(self.count(p.numerator), self.count(p.denominator))
        return Markup("{} of {} ({}%)").format(
            self.count(p.numerator), self.count(p.denominator), round(100 * p.share)
        )

    def tally(self, rows: Sequence[tuple[str, int, int]]) -> list[tuple[str, Markup]]:
        """A table of (label, count, children behind the count), as the page may show it.

        Published, a row behind fewer than ``threshold`` children is ``c``.
        """
        if self.profile is None or not rows:
            return [(label, self.count(n)) for label, n, _ in rows]
        frame = pl.DataFrame(
            {
                "label": [r[0] for r in rows],
                "n": [r[1] for r in rows],
                "children": [r[2] for r in rows],
            },
            schema={"label": pl.String, "n": pl.Int64, "children": pl.Int64},
        )
        table = suppress(
            frame,
            ["n"],
            labels=["label"],
            children="children",
            population=self.population,
            profile=self.profile,
        )
        return [
            (label, Markup('<span class="count">{}</span>').format(shown))
            for label, shown in table.frame.select("label", "n").iter_rows()
        ]


@attrs.frozen
class FieldRow:
    """One labelled value of a record, for a form-like table."""

    label: str
    value: Markup
    help: str = ""


def _shown(kind: _fields.FieldKind, value: Any, zone: str) -> Markup:
    if value is None or value == ():
        return Markup('<span class="none">not recorded</span>')
    if kind.many:
        one = attrs.evolve(kind, many=False)
        joiner = Markup("<br>") if kind.base == "nested" else Markup(", ")
        return joiner.join(_shown(one, v, zone) for v in value)
    match kind.base:
        case "instant":
            return when(value, zone)
        case "date":
            return day(value)
        case "duration":
            return Markup(escape(span(value)))
        case "flag":
            return Markup("Yes" if value else "No")
        case "concept":
            assert isinstance(value, Concept)
            return escape(value.display)
        case "choice":
            return escape(str(value.value).replace("_", " ").capitalize())
        case "nested":  # the sub-fields recorded, labelled
            model: type = type(value)
            kinds = _fields.kinds(model)
            return Markup("; ").join(
                Markup("{}: {}").format(k.label, _shown(k, getattr(value, n), zone))
                for n, k in kinds
                if getattr(value, n) not in (None, ())
            )
    return escape(str(value))


def field_rows(record: Any, zone: str, names: Iterable[str] | None = None) -> tuple[FieldRow, ...]:
    """Each field of a model ``record`` as (label, value), labels from the model's field kinds.

    ``names`` picks and orders fields; by default every field is shown in the
    model's order.
    """
    model: type = type(record)
    kinds = dict(_fields.kinds(model))
    chosen = kinds if names is None else {n: kinds[n] for n in names}
    return tuple(
        FieldRow(k.label, _shown(k, getattr(record, n), zone), k.help) for n, k in chosen.items()
    )


def evidence(e: Evidence) -> str:
    """Where evidence is, in the model's words: ``Return conversations R-3: Child's account``.

    The case file's list and the field within a record are named by their
    labels (the JSON path stays in the page's ``title`` for whoever needs it).

    >>> evidence(Evidence.record("conversations", "R-3", within=".child_account"))
    "Return conversations R-3: The child's account"
    """
    lists = dict(_fields.kinds(CaseFile))
    kind = lists.get(e.collection)
    if kind is None:
        return e.path
    text = f"{kind.label} {e.id}"
    rest = e.path.partition("')]")[2]
    name = re.match(r"\.(\w+)", rest)
    if name and kind.model is not None:
        inner = dict(_fields.kinds(kind.model)).get(name.group(1))
        if inner is not None:
            text += f": {inner.label}"
    return text


def svg(figure: Any) -> Markup:
    """A matplotlib figure as inline SVG markup (no XML prologue, no external reference)."""
    from missingcare.research.plots import write  # noqa: PLC0415 - matplotlib on demand

    buffer = io.BytesIO()
    write(figure, buffer, "svg")
    text = buffer.getvalue().decode("utf-8")
    text = text[text.index("<svg") :]
    start, end = text.find("<metadata>"), text.find("</metadata>")
    if start != -1 and end != -1:
        text = text[:start] + text[end + len("</metadata>") :]
    return Markup(text)  # matplotlib's own SVG: its labels are escaped by it


def png_data_uri(figure: Any) -> str:
    """A matplotlib figure as a ``data:`` URI of a PNG (for templates that prefer an ``img``)."""
    from missingcare.research.plots import write  # noqa: PLC0415 - matplotlib on demand

    buffer = io.BytesIO()
    write(figure, buffer, "png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _environment(templates: TemplateSource | None) -> jinja2.Environment:
    shipped = jinja2.PackageLoader("missingcare.reports", "templates")
    loaders: list[jinja2.BaseLoader] = []
    if isinstance(templates, jinja2.BaseLoader):
        loaders.append(templates)
    elif templates is not None:
        loaders.append(jinja2.FileSystemLoader(templates))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader([*loaders, shipped]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals["version"] = __version__
    env.filters["duration"] = duration
    env.filters["day"] = day
    env.filters["evidence"] = evidence
    return env


def render(
    name: str,
    context: Mapping[str, Any],
    *,
    zone: str,
    counts: Counts,
    templates: TemplateSource | None,
) -> str:
    """Render the template ``name`` with ``context``; instants shown in ``zone``."""
    env = _environment(templates)
    env.globals["counts"] = counts
    env.filters["when"] = lambda at: when(at, zone)
    env.filters["count"] = counts.count
    env.filters["rate"] = counts.rate
    return env.get_template(name).render(**context, zone=zone)
