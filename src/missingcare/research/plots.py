"""Plots of research results and of one child's timeline (needs the ``plot`` extra).

Each function returns a :class:`matplotlib.figure.Figure` built without
pyplot (no global state, no window) and, given ``path``, also writes it as
PNG or SVG according to the suffix. Output is deterministic: SVG ids are
salted with a fixed string and no creation date is written.

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

from datetime import datetime, timedelta
from pathlib import Path

try:
    import matplotlib as mpl
    from matplotlib.figure import Figure
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "missingcare.research.plots needs the 'plot' extra (matplotlib): "
        'pip install "missingcare[plot]"'
    ) from exc

from missingcare.case import CaseFile
from missingcare.research.extracts import SUPPRESSED, PublishedTable
from missingcare.research.patterns import ConversationRates, HourWeekday
from missingcare.time import local_datetime

__all__ = ["heatmap", "save", "timeline", "timeliness"]

_EPOCH = datetime(1970, 1, 1)
_MIN_WIDTH = 1 / 12  # two hours, in days, so short episodes stay visible
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_FORMATS = {".png": "png", ".svg": "svg"}
#: Colours chosen to stay distinct for the common colour-vision deficiencies (Okabe-Ito).
_BLUE, _ORANGE, _GREEN, _GREY, _PURPLE = "#0072B2", "#E69F00", "#009E73", "#999999", "#CC79A7"


def save(figure: Figure, path: str | Path, *, dpi: int = 100) -> Path:
    """Write ``figure`` to ``path`` as PNG or SVG (by its suffix), deterministically."""
    out = Path(path)
    fmt = _FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise ValueError("plots are written as .png or .svg")
    metadata: dict[str, str | None] = (
        {"Date": None, "Creator": None} if fmt == "svg" else {"Software": None}
    )
    with mpl.rc_context({"svg.hashsalt": "missingcare", "svg.fonttype": "none"}):
        figure.savefig(out, format=fmt, dpi=dpi, metadata=metadata, bbox_inches="tight")
    return out


def heatmap(result: HourWeekday | PublishedTable, path: str | Path | None = None) -> Figure:
    """Episodes by local hour (columns) and weekday (rows), with the counts behind it.

    Given a published table (``publish(hour_by_weekday(...))``) it draws only
    what the table publishes: rounded counts, suppressed cells in grey, and
    no exact total, so the picture may travel with the table.
    """
    grid: list[list[float]] = [[0.0] * 24 for _ in range(7)]
    published = isinstance(result, PublishedTable)
    for weekday, hour, episodes in result.frame.select("weekday", "hour", "episodes").iter_rows():
        shown = float("nan") if episodes == SUPPRESSED else float(episodes)
        grid[int(weekday) - 1][int(hour)] = shown
    fig = Figure(figsize=(9, 3.4))
    ax = fig.add_subplot()
    cmap = mpl.colormaps["Blues"].with_extremes(bad=_GREY)
    image = ax.imshow(grid, aspect="auto", cmap=cmap, interpolation="nearest")
    ax.set_yticks(range(7), _WEEKDAYS)
    ax.set_xticks(range(0, 24, 2), [f"{h:02d}" for h in range(0, 24, 2)])
    ax.set_xlabel("Hour last seen (placement's local time)")
    if isinstance(result, PublishedTable):
        ax.set_title("When children went missing (published counts; grey: suppressed, c)")
    else:
        ax.set_title(
            f"When children went missing: {result.episodes} episodes, {result.children} children"
        )
    fig.colorbar(image, ax=ax, label="Episodes (rounded)" if published else "Episodes")
    if path is not None:
        save(fig, path)
    return fig


def _zone(case: CaseFile) -> str:
    for ep in case.episodes:
        return ep.zone
    for placement in case.placements:
        return placement.zone
    return "UTC"


def timeline(
    case: CaseFile, path: str | Path | None = None, *, now: datetime | None = None
) -> Figure:
    """One child's timeline: episodes, context, conversations and trusted adults.

    Times are shown on the wall clock of the child's placement. An open
    episode runs to ``now`` when given, else to the last recorded instant.
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

    fig = Figure(figsize=(10, 3.6))
    ax = fig.add_subplot()
    rows = {"Trusted adults": 3, "Conversations": 2, "Episodes": 1, "Context": 0}
    for ep in case.episodes:
        end = ep.ended_at or last or ep.last_seen_at
        start_l, end_l = local(ep.last_seen_at), local(end)
        width = max(end_l - start_l, _MIN_WIDTH)
        colour = _ORANGE if ep.is_open else _BLUE
        ax.barh(rows["Episodes"], width, left=start_l, height=0.5, color=colour)
    ax.scatter(
        [local(c.at) for c in case.context],
        [rows["Context"]] * len(case.context),
        marker="|",
        s=200,
        color=_GREY,
    )
    offers = [local(o.at) for c in case.conversations for o in c.offers]
    ax.scatter(
        offers,
        [rows["Conversations"]] * len(offers),
        marker="o",
        facecolors="none",
        edgecolors=_GREEN,
    )
    held = [local(c.held_at) for c in case.conversations if c.held_at is not None]
    ax.scatter(held, [rows["Conversations"]] * len(held), marker="o", color=_GREEN)
    for ta in case.trusted_adults:
        end = ta.ended_at or last or ta.named_at
        ax.barh(
            rows["Trusted adults"],
            max(local(end) - local(ta.named_at), _MIN_WIDTH),
            left=local(ta.named_at),
            height=0.3,
            color=_PURPLE,
            alpha=0.4,
        )
        contacts = [local(k.at) for k in ta.contacts]
        ax.scatter(contacts, [rows["Trusted adults"]] * len(contacts), marker="^", color=_PURPLE)
    ax.set_yticks(list(rows.values()), list(rows))
    ax.set_ylim(-0.6, 3.6)
    ax.xaxis_date()
    ax.set_xlabel(f"Local time ({zone})")
    ax.set_title(
        f"{len(case.episodes)} episodes; conversations held {len(held)}; "
        f"trusted adults {len(case.trusted_adults)}"
    )
    ax.grid(axis="x", color="#dddddd")
    if path is not None:
        save(fig, path)
    return fig


def timeliness(result: ConversationRates, path: str | Path | None = None) -> Figure:
    """Return conversations by month of return: held within the deadline, late, not held."""
    if result.by != "month":
        raise ValueError("timeliness plots conversation_rates(..., by='month')")
    frame = result.frame.filter(result.frame.get_column("month").is_not_null())
    months = frame.get_column("month").to_list()
    within = frame.get_column("held_within_deadline").to_list()
    late = frame.get_column("held_late").to_list()
    not_held = frame.get_column("not_held").to_list()
    fig = Figure(figsize=(max(6, 0.35 * len(months) + 2), 3.6))
    ax = fig.add_subplot()
    x = range(len(months))
    hours = result.deadline.total_seconds() / 3600
    ax.bar(x, within, color=_GREEN, label=f"Held within {hours:g} hours")
    ax.bar(x, late, bottom=within, color=_ORANGE, label="Held late")
    ax.bar(
        x,
        not_held,
        bottom=[a + b for a, b in zip(within, late, strict=True)],
        color=_GREY,
        label="Not held",
    )
    step = max(1, len(months) // 12)
    ax.set_xticks(list(x)[::step], months[::step], rotation=45, ha="right")
    ax.set_ylabel("Returns")
    ax.set_title(
        f"Return conversations by month of return ({result.returns} returns; "
        f"{result.return_time_unknown} without a return time not shown)"
    )
    ax.legend(frameon=False, fontsize="small", loc="upper left")
    if path is not None:
        save(fig, path)
    return fig
