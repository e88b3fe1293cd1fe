"""The documentation builds with warnings as errors, and its generated pages are current.

Needs the ``docs`` extra (mkdocs, mkdocstrings); skipped with the reason when it
is not installed. The build runs ``docs/build.sh`` into a temporary directory,
so the working tree is not touched.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests._helpers import load_script

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"


def _load(name: str) -> ModuleType:
    return load_script(DOCS / f"{name}.py", f"docs_{name}")


def test_vocabulary_pages_are_current() -> None:
    gen = _load("_gen_vocabularies")
    assert gen.stale() == [], "run python docs/_gen_vocabularies.py and commit the pages"
    pages = gen.render()
    assert "index.md" in pages
    assert "| `missing` |" in pages["episode_statuses.md"]
    assert "`Factor.concept`" in pages["pull_factors.md"]


def test_every_example_is_on_the_examples_page() -> None:
    page = (DOCS / "reference" / "examples.md").read_text(encoding="utf-8")
    for example in sorted((ROOT / "examples").glob("*.py")):
        assert f'--8<-- "examples/{example.name}"' in page, example.name


def test_citations_are_escaped_but_code_and_links_are_not() -> None:
    hooks = _load("_hooks")
    text = "Seen [DFE14][KENT]; [a link](x.md); `q[AB][CD]`\n```python\nx = [ABC]\n```\n"
    out = hooks._escape_citations(text)
    assert "\\[DFE14\\]\\[KENT\\]" in out
    assert "[a link](x.md)" in out
    assert "`q[AB][CD]`" in out
    assert "x = [ABC]" in out


def test_the_docs_build_strictly(tmp_path: Path) -> None:
    for module in ("mkdocs", "mkdocstrings", "mkdocstrings_handlers.python", "pymdownx"):
        if importlib.util.find_spec(module.split(".")[0]) is None:
            pytest.skip(
                f"the docs extra is not installed ({module} missing): pip install -e '.[docs]'"
            )
    site = tmp_path / "site"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        ["bash", str(DOCS / "build.sh"), str(site)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "WARNING" not in result.stderr
    # every page is built and reachable from the navigation
    home = (site / "index.html").read_text(encoding="utf-8")
    for page in sorted(DOCS.rglob("*.md")):
        rel = page.relative_to(DOCS).with_suffix("")
        if rel.name == "index":
            rel = rel.parent
        if rel == Path("."):
            continue
        assert (site / rel / "index.html").exists(), rel
        assert f'href="{rel.as_posix()}/"' in home, f"{rel} is not in the navigation"
    api = (site / "reference" / "api" / "index.html").read_text(encoding="utf-8")
    assert "missingcare.adapters.jsonschema.json_schema" in api
    changelog = (site / "reference" / "changelog" / "index.html").read_text(encoding="utf-8")
    assert "Keep a Changelog" in changelog
