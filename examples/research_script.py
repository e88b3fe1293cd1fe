"""A research script end to end: synthetic records → safe extract → patterns → a plot.

Run it with ``python examples/research_script.py`` (needs the ``plot`` extra,
which brings ``research``). Everything it touches is synthetic
(:mod:`missingcare.testing.synth`), the key lives only in memory, and every file is
written to a temporary directory that is removed at the end. The script
checks its own output and exits non-zero if anything is wrong.
"""

from __future__ import annotations

import json
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

from missingcare.research import from_arrow, to_arrow
from missingcare.research import patterns as p
from missingcare.research.extracts import make_extract
from missingcare.research.plots import heatmap, timeliness
from missingcare.testing.synth import Cohort

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def main() -> None:
    cohort = Cohort(children=300, seed=2026)
    cases = tuple(cohort)
    tables = to_arrow(cases)
    assert from_arrow(tables) == cases, "the Arrow round trip must be lossless"

    # The analyses: descriptive, with counts of episodes and of children.
    hours = p.hour_by_weekday(tables)
    lengths = p.durations(tables)
    rates = p.conversation_rates(tables, by="month", deadline=timedelta(hours=72))
    adults = p.trusted_adult_comparison(tables, window_days=28)
    assert hours.episodes == tables.episodes.num_rows
    assert lengths.closed_episodes + lengths.open_episodes == hours.episodes

    # The extract: a fresh key for this recipient, held in memory only.
    key = secrets.token_bytes(32)
    extract = make_extract(
        tables,
        key,
        publish_results={"hour_by_weekday": hours, "conversations_by_month": rates},
    )

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        manifest_path = extract.write(out)
        heatmap(hours, out / "heatmap.png")
        timeliness(rates, out / "timeliness.svg")

        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        written = b"".join(f.read_bytes() for f in sorted(out.iterdir()))
        assert key not in written, "the key leaked"
        assert key.hex().encode() not in written, "the key leaked"
        assert manifest["free_text"]["included"] == []  # no free text unless named
        assert (out / "heatmap.png").read_bytes().startswith(PNG_SIGNATURE)
        assert b"<svg" in (out / "timeliness.svg").read_bytes()[:2000]
        for published in extract.published.values():
            for row in published.frame.iter_rows():
                for cell in row:
                    assert not (isinstance(cell, str) and cell.isdigit() and 0 < int(cell) < 10)

        episodes = tables.episodes.num_rows
        children = len(cases)
        print(f"{children} children, {episodes} episodes; extract written to a temporary folder")
        print(f"median episode length: {lengths.median_elapsed_hours:.1f} hours")
        on_time = int(rates.frame.get_column("held_within_deadline").sum())
        print(f"return conversations held within 72 hours: {on_time} of {rates.returns} returns")
        for group in adults.frame.to_dicts():
            label = "with" if group["trusted_adult"] else "without"
            print(
                f"episodes {label} a trusted adult in place: {group['episodes']} "
                f"({group['children']} children), repeat rate {group['repeat_rate']:.2f}"
            )
        print(f"files: {', '.join(sorted(f.name for f in out.iterdir()))}")


if __name__ == "__main__":
    main()
