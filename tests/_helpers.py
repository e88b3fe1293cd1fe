"""Shared helpers for the test suite."""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

#: The Hypothesis profiles ``tests/conftest.py`` registers (see its docstring).
PROFILES = ("default", "thorough", "deep")
#: The ``deep`` profile's count for every property test that states one.
DEEP_EXAMPLES = 100_000
#: The quick ``default`` profile runs this share of each documented count ...
QUICK_SHARE = 10
#: ... but never fewer than this many examples (or the count, when smaller).
QUICK_FLOOR = 20


def profile() -> str:
    """The active Hypothesis profile's name (``HYPOTHESIS_PROFILE``, else ``default``)."""
    name = os.environ.get("HYPOTHESIS_PROFILE", "default")
    if name not in PROFILES:
        raise ValueError(f"HYPOTHESIS_PROFILE is one of {', '.join(PROFILES)}")
    return name


def examples(documented: int) -> int:
    """How many examples a property test runs, given its documented count.

    ``thorough`` runs the documented count, ``deep`` at least 100,000, and the
    quick ``default`` a tenth of it (at least 20, or the count when smaller).
    """
    name = profile()
    if name == "thorough":
        return documented
    if name == "deep":
        return max(documented, DEEP_EXAMPLES)
    return max(min(documented, QUICK_FLOOR), documented // QUICK_SHARE)


def places(doc: Any, path: str = "$") -> Iterator[tuple[str, Any, Any]]:
    """(path, container, key) for every value below the JSON document ``doc``."""
    if isinstance(doc, dict):
        for key, value in doc.items():
            child = f"{path}.{key}"
            yield child, doc, key
            yield from places(value, child)
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            child = f"{path}[{i}]"
            yield child, doc, i
            yield from places(value, child)


def load_script(path: Path, name: str | None = None) -> ModuleType:
    """The script at ``path`` (a benchmark, a docs generator, the fuzz harness), run as a
    module named ``name`` and registered in ``sys.modules`` (attrs classes and pickling
    look a module up there); the script's folder is put on ``sys.path`` first, so its
    imports of its neighbours resolve."""
    folder = str(path.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(name or f"missingcare_{path.stem}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def run_cli(*args: str, width: int = 80, stdin: bytes | None = None) -> Any:
    """``missingcare`` run with ``args`` in-process, its output ``width`` columns wide
    (a :class:`click.testing.Result`)."""
    from click.testing import CliRunner

    from missingcare.cli import main

    return CliRunner(env={"COLUMNS": str(width)}).invoke(main, list(args), input=stdin)


def synth_cohort(folder: Path, children: int, seed: int) -> Path:
    """The case-file lines of a synthetic cohort written by ``missingcare synth`` into
    ``folder``."""
    out = folder / "cohort"
    result = run_cli(
        "synth", "--children", str(children), "--seed", str(seed), "--out", str(out), "--quiet"
    )
    assert result.exit_code == 0, result.output
    return out / "case-files.jsonl"
