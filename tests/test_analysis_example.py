"""The child's-year example runs, checks itself, and shows what a practitioner needs."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "child_year.py"


def test_child_year_example_runs_and_checks_itself() -> None:
    namespace: dict[str, Any] = runpy.run_path(str(EXAMPLE), run_name="child_year")
    lines = namespace["main"]()
    text = "\n".join(lines)
    assert "“They took my phone for nothing. Nobody here listens.”" in text
    assert "== Trusted adults ==" in text
    assert "After 'weekly time with a chosen adult' was done: 1 episode" in text
    assert lines == namespace["main"]()  # deterministic
