"""Plots of research results and of one child's timeline (needs the ``plot`` extra).

Each function returns a :class:`matplotlib.figure.Figure` built without
pyplot (no global state, no window) and, given ``path``, also writes it as
PNG, SVG or PDF according to the suffix. Given ``ax=`` (a
:class:`matplotlib.axes.Axes`), it draws there instead and returns that
axes' figure, so a plot can be one panel of a larger figure. Output is
deterministic: SVG ids are salted with a fixed string and no creation date
is written. Every chart has a legend (placed outside the plotting area, so
it never covers the data) or a labelled colour bar; counts have whole-number
ticks; colours are the Okabe-Ito palette, distinct for the common
colour-vision deficiencies.

* :func:`heatmap`: episodes by local hour of day and weekday
  (:func:`~missingcare.research.patterns.hour_by_weekday`), or only what
  its published table shows (:func:`~missingcare.research.extracts.publish`):
  rounded counts, suppressed cells grey, no exact totals;
* :func:`timeline`: one child's episodes, context entries, return
  conversations and trusted-adult relationships and contacts, on the wall
  clock of the child's placement;
* :func:`timeliness`: return conversations held within the deadline, late or
  not held, by month of return
  (:func:`~missingcare.research.patterns.conversation_rates` with
  ``by="month"``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

try:
    import matplotlib as mpl
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.ticker import MaxNLocator
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "missingcare.research.plots needs the 'plot' extra (matplotlib): "
        'pip install "missingcare[plot]"'
    ) from exc

from missingcare.analysis.config import DEFAULT_GROUPS, CategoryGroups
from missingcare.case import CaseFile
from missingcare.research.extracts import SUPPRESSED, PublishedTable
from missingcare.research.patterns import ConversationRates, HourWeekday
from missingcare.time import format_month, local_datetime

__all__ = ["CONTEXT_KINDS", "FORMATS", "heatmap", "save", "timeline", "timeliness", "write"]

_EPOCH = datetime(1970, 1, 1)
_MIN_WIDTH = 1 / 12  # two hours, in days, so short episodes stay visible
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: The file formats :func:`save` writes, by suffix.
FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf"}
#: The Okabe-Ito palette (Okabe and Ito, "Color Universal Design", 2008): eight colours
#: that stay distinct for the common colour-vision deficiencies.
_BLACK, _ORANGE, _SKY, _GREEN, _YELLOW, _BLUE, _VERMILLION, _PURPLE = (
    "#000000",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
)
_GREY = "#999999"
#: The kinds of context entry the timeline colours apart: (label, the
#: :class:`~missingcare.analysis.CategoryGroups` field whose codes it covers,
#: Okabe-Ito colour). An entry whose category is in none is "Other".
CONTEXT_KINDS: tuple[tuple[str, str, str], ...] = (
    ("Conflict", "conflict", _VERMILLION),
    ("Sanction or restriction", "sanction", _PURPLE),
    ("Contact disrupted", "contact_disrupted", _SKY),
    ("Key adult unavailable or left", "adult_unavailable", _YELLOW),
    ("Key adult unavailable or left", "adult_left", _YELLOW),
    ("Contact kept", "contact_kept", _GREEN),
)
_OTHER_CONTEXT = ("Other context", _GREY)


def _legend(ax: Axes, handles: Sequence[Artist]) -> None:
    """A legend to the right of the plotting area, so it never covers the data."""
    ax.legend(
        handles=list(handles),
        frameon=False,
        fontsize="small",
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
    )


def save(figure: Figure, path: str | Path, *, dpi: int = 100) -> Path:
    """Write ``figure`` to ``path`` as PNG, SVG or PDF (by its suffix), deterministically."""
    out = Path(path)
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise ValueError("plots are written as .png, .svg or .pdf")
    write(figure, out, fmt, dpi=dpi)
    return out


def write(figure: Figure, target: Path | BinaryIO, fmt: str, *, dpi: int = 100) -> None:
    """Write ``figure`` to a path or binary stream in ``fmt`` (one of :data:`FORMATS`' values).

    Deterministic: no creation date or software name, fixed SVG ids, text
    kept as text in SVG.
    """
    keys = {"svg": ("Date", "Creator"), "pdf": ("CreationDate", "Creator", "Producer")}
    metadata: dict[str, str | None] = dict.fromkeys(keys.get(fmt, ("Software",)))
    with mpl.rc_context({"svg.hashsalt": "missingcare", "svg.fonttype": "none"}):
        figure.savefig(target, format=fmt, dpi=dpi, metadata=metadata, bbox_inches="tight")


def _axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        figure = ax.get_figure()
        if not isinstance(figure, Figure):  # a SubFigure's axes: draw, return the top figure
            figure = ax.get_figure(root=True)
        assert isinstance(figure, Figure)
        return figure, ax
    figure = Figure(figsize=size)
    return figure, figure.add_subplot()


def heatmap(
    result: HourWeekday | PublishedTable,
    path: str | Path | None = None,
    *,
    ax: Axes | None = None,
) -> Figure:
    """Episodes by local hour (columns) and weekday (rows), with the counts behind it.

    Given a published table (``publish(hour_by_weekday(...))``) it draws only
    what the table publishes: rounded counts, suppressed cells in grey (named
    in the legend), and no exact total, so the picture may travel with the table.
    """
    grid: list[list[float]] = [[0.0] * 24 for _ in range(7)]
    published = isinstance(result, PublishedTable)
    for weekday, hour, episodes in result.frame.select("weekday", "hour", "episodes").iter_rows():
        shown = float("nan") if episodes == SUPPRESSED else float(episodes)
        grid[int(weekday) - 1][int(hour)] = shown
    fig, ax = _axes(ax, (9, 3.4))
    cmap = mpl.colormaps["Blues"].with_extremes(bad=_GREY)
    image = ax.imshow(grid, aspect="auto", cmap=cmap, interpolation="nearest")
    ax.set_yticks(range(7), _WEEKDAYS)
    ax.set_xticks(range(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)])
    ax.set_xlabel("Hour last seen (placement's local time)")
    if isinstance(result, PublishedTable):
        ax.set_title("When children went missing (published counts; grey: suppressed, c)")
        ax.legend(
            handles=[Patch(facecolor=_GREY, label="Suppressed (c)")],
            frameon=False,
            fontsize="small",
            loc="upper left",
            bbox_to_anchor=(0, -0.18),
        )
    else:
        ax.set_title(
            f"When children went missing: {result.episodes} episodes, {result.children} children"
        )
    bar = fig.colorbar(image, ax=ax, label="Episodes (rounded)" if published else "Episodes")
    if published:  # only values the table publishes: never a tick between them
        bar.set_ticks(sorted({v for row in grid for v in row if not math.isnan(v)}))
    else:
        bar.locator = MaxNLocator(integer=True)
        bar.update_ticks()
    if path is not None:
        save(fig, path)
    return fig


def _zone(case: CaseFile) -> str:
    for ep in case.episodes:
        return ep.zone
    for placement in case.placements:
        return placement.zone
    return "UTC"


def _context_kind(code: str, groups: CategoryGroups) -> tuple[str, str]:
    for label, group, colour in CONTEXT_KINDS:
        if code in getattr(groups, group):
            return label, colour
    return _OTHER_CONTEXT


def timeline(
    case: CaseFile,
    path: str | Path | None = None,
    *,
    now: datetime | None = None,
    ax: Axes | None = None,
    groups: CategoryGroups = DEFAULT_GROUPS,
    window: tuple[datetime, datetime] | None = None,
) -> Figure:
    """One child's timeline: episodes, context, conversations and trusted adults.

    Times are shown on the wall clock of the child's placement. An open
    episode runs to ``now`` when given, else to the last recorded instant.
    With ``window`` (two instants), only that stretch is drawn and counted
    in the title, e.g. the weeks around one episode.
    Context entries are coloured by kind (:data:`CONTEXT_KINDS`, read through
    ``groups``); the legend names every mark drawn: closed and open episodes,
    conversations offered (open circles) and held (filled), each kind of
    context, trusted adults and their contacts.
    """
    zone = _zone(case)

    def local(at: datetime) -> float:
        # matplotlib's date numbers: days since 1970-01-01 on the local wall clock
        wall = local_datetime(at, zone).replace(tzinfo=None)
        return (wall - _EPOCH) / timedelta(days=1)

    instants = [
        t
        for ep in case.episodes
        for t in (ep.last_seen_at, ep.ended_at, ep.returned_at)
        if t is not None
    ]
    instants += [c.at for c in case.context]
    instants += [c.held_at for c in case.conversations if c.held_at is not None]
    instants += [o.at for c in case.conversations for o in c.offers]
    instants += [ta.named_at for ta in case.trusted_adults]
    instants += [k.at for ta in case.trusted_adults for k in ta.contacts]
    last = now if now is not None else (max(instants) if instants else None)

    fig, ax = _axes(ax, (10, 3.6))
    legend: dict[str, Patch | Line2D] = {}
    rows = {"Trusted adults": 3, "Conversations": 2, "Episodes": 1, "Context": 0}

    def seen(at: datetime) -> bool:
        return window is None or window[0] <= at <= window[1]

    episodes = [
        ep
        for ep in case.episodes
        if window is None
        or (ep.last_seen_at <= window[1] and (ep.ended_at is None or ep.ended_at >= window[0]))
    ]
    for ep in episodes:
        end = ep.ended_at or last or ep.last_seen_at
        start_l, end_l = local(ep.last_seen_at), local(end)
        width = max(end_l - start_l, _MIN_WIDTH)
        label, colour = ("Episode, still open", _ORANGE) if ep.is_open else ("Episode", _BLUE)
        ax.barh(rows["Episodes"], width, left=start_l, height=0.5, color=colour)
        legend.setdefault(label, Patch(facecolor=colour, label=label))
    kinds: dict[tuple[str, str], list[float]] = {}
    for c in (c for c in case.context if seen(c.at)):
        kinds.setdefault(_context_kind(c.category.code, groups), []).append(local(c.at))
    order = [(label, colour) for label, _, colour in CONTEXT_KINDS]
    for label, colour in sorted(kinds, key=lambda k: order.index(k) if k in order else len(order)):
        xs = kinds[(label, colour)]
        ax.scatter(xs, [rows["Context"]] * len(xs), marker="|", s=200, color=colour)
        legend[label] = Line2D([], [], marker="|", markersize=10, color=colour, ls="", label=label)
    offers = [local(o.at) for c in case.conversations for o in c.offers if seen(o.at)]
    if offers:
        ax.scatter(
            offers,
            [rows["Conversations"]] * len(offers),
            marker="o",
            facecolors="none",
            edgecolors=_GREEN,
        )
        legend["Conversation offered"] = Line2D(
            [],
            [],
            marker="o",
            ls="",
            markerfacecolor="none",
            color=_GREEN,
            label="Conversation offered",
        )
    held = [
        local(c.held_at) for c in case.conversations if c.held_at is not None and seen(c.held_at)
    ]
    if held:
        ax.scatter(held, [rows["Conversations"]] * len(held), marker="o", color=_GREEN)
        legend["Conversation held"] = Line2D(
            [], [], marker="o", ls="", color=_GREEN, label="Conversation held"
        )
    adults = [
        ta
        for ta in case.trusted_adults
        if window is None
        or (ta.named_at <= window[1] and (ta.ended_at is None or ta.ended_at >= window[0]))
    ]
    for ta in adults:
        end = ta.ended_at or last or ta.named_at
        ax.barh(
            rows["Trusted adults"],
            max(local(end) - local(ta.named_at), _MIN_WIDTH),
            left=local(ta.named_at),
            height=0.3,
            color=_BLACK,
            alpha=0.25,
        )
        legend.setdefault(
            "Trusted adult named", Patch(facecolor=_BLACK, alpha=0.25, label="Trusted adult named")
        )
        contacts = [local(k.at) for k in ta.contacts if seen(k.at)]
        if contacts:
            ax.scatter(contacts, [rows["Trusted adults"]] * len(contacts), marker="^", color=_BLACK)
            legend.setdefault(
                "Contact with trusted adult",
                Line2D([], [], marker="^", ls="", color=_BLACK, label="Contact with trusted adult"),
            )
    ax.set_yticks(list(rows.values()), list(rows))
    ax.set_ylim(-0.6, 3.6)
    ax.xaxis_date()
    ax.set_xlabel(f"Local time ({zone})")
    if window is not None:
        ax.set_xlim(local(window[0]), local(window[1]))
    ax.set_title(
        f"{_n(len(episodes), 'episode')}; {_n(len(held), 'conversation')} held; "
        f"{_n(len(adults), 'trusted adult')}"
    )
    ax.grid(axis="x", color="#dddddd")
    if legend:
        _legend(ax, list(legend.values()))
    else:
        _legend(ax, [Patch(facecolor="none", label="Nothing recorded")])
    if path is not None:
        save(fig, path)
    return fig


def timeliness(
    result: ConversationRates, path: str | Path | None = None, *, ax: Axes | None = None
) -> Figure:
    """Return conversations by month of return: held within the deadline, late, not held.

    The y axis counts returns in whole numbers; the legend sits to the right
    of the bars, never over them.
    """
    if result.by != "month":
        raise ValueError("timeliness plots conversation_rates(..., by='month')")
    frame = result.frame.filter(result.frame.get_column("month").is_not_null())
    months = frame.get_column("month").to_list()
    within = frame.get_column("held_within_deadline").to_list()
    late = frame.get_column("held_late").to_list()
    not_held = frame.get_column("not_held").to_list()
    fig, ax = _axes(ax, (max(7, 0.35 * len(months) + 3.5), 3.6))
    x = range(len(months))
    hours = result.deadline.total_seconds() / 3600
    ax.bar(x, within, color=_GREEN, label=f"Held within {hours:g} hours")
    ax.bar(x, late, bottom=within, color=_ORANGE, label="Held late")
    ax.bar(x, not_held, bottom=_sums(within, late), color=_GREY, label="Not held")
    step = max(1, len(months) // 12)
    labels = [format_month(date(int(m[:4]), int(m[5:7]), 1)) for m in months[::step]]
    ax.set_xticks(list(x)[::step], labels, rotation=45, ha="right")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("Returns")
    ax.set_title(
        f"Return conversations by month of return ({result.returns} returns; "
        f"{result.return_time_unknown} without a return time not shown)"
    )
    _legend(ax, ax.get_legend_handles_labels()[0])
    if path is not None:
        save(fig, path)
    return fig


def _n(count: int, noun: str) -> str:
    """``1 episode``, ``3 episodes``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _sums(a: Sequence[int], b: Sequence[int]) -> list[int]:
    return [x + y for x, y in zip(a, b, strict=True)]
