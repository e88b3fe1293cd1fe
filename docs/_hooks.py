"""MkDocs hooks: the navigation from the four kinds of page, and links out of docs/.

* ``on_config`` builds ``nav`` from the directories (tutorial, how-to,
  explanation, reference), so a page another author adds is never left out
  and the order is the reader's order, not the alphabet's;
* ``on_page_markdown`` rewrites links from a page to files outside ``docs/``
  that the site carries as pages (``CHANGELOG.md`` to the changelog page,
  ``examples/*.py`` to the examples page), and escapes the project's source
  citations (``[DFE14][KENT]``, keys of the domain research) so Markdown does
  not read them as reference links; code is left alone.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any

__all__ = ["on_config", "on_page_markdown"]

SECTIONS = (
    ("Tutorial", "tutorial"),
    ("How-to guides", "how-to"),
    ("Explanation", "explanation"),
    ("Reference", "reference"),
)

#: Pages first in their section, in this order; the rest follow alphabetically.
FIRST = ("reference/api.md", "reference/model.md")

OUTSIDE = {"CHANGELOG.md": "reference/changelog.md", "README.md": "index.md"}

_LINK = re.compile(r"\]\(([^)#\s]+)(#[^)\s]*)?\)")
_CITATION = re.compile(r"\[([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*)\](?!\()")
_CODE = re.compile(r"(^```.*?^```|`[^`\n]*`)", re.DOTALL | re.MULTILINE)


def _escape_citations(markdown: str) -> str:
    parts = _CODE.split(markdown)
    for i in range(0, len(parts), 2):  # even parts are outside code
        parts[i] = _CITATION.sub(r"\\[\1\\]", parts[i])
    return "".join(parts)


def _title(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem.replace("-", " ").capitalize()


def _entries(docs: Path, folder: Path) -> list[Any]:
    def rel(p: Path) -> str:
        return p.relative_to(docs).as_posix()

    pages = sorted(
        folder.glob("*.md"), key=lambda p: (rel(p) not in FIRST, p.name != "index.md", rel(p))
    )
    out: list[Any] = [{_title(p): rel(p)} for p in pages]
    for sub in sorted(d for d in folder.iterdir() if d.is_dir() and not d.name.startswith("_")):
        children = _entries(docs, sub)
        if children:
            index = sub / "index.md"
            name = _title(index) if index.exists() else sub.name.replace("-", " ").capitalize()
            out.append({name: children})
    return out


def on_config(config: Any) -> Any:
    docs = Path(config["docs_dir"])
    nav: list[Any] = [{"Home": "index.md"}]
    for name, folder in SECTIONS:
        if (docs / folder).is_dir():
            nav.append({name: _entries(docs, docs / folder)})
    for page in sorted(docs.glob("*.md")):  # top-level pages such as performance.md
        if page.name != "index.md":
            nav.append({_title(page): page.name})
    config["nav"] = nav
    return config


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    here = posixpath.dirname(page.file.src_uri)

    def rewrite(match: re.Match[str]) -> str:
        target, anchor = match.group(1), match.group(2) or ""
        if "://" in target:
            return match.group(0)
        resolved = posixpath.normpath(posixpath.join("docs", here, target))
        if resolved.startswith("docs/"):
            return match.group(0)
        page_for = OUTSIDE.get(resolved)
        if page_for is None and resolved.startswith("examples/") and resolved.endswith(".py"):
            page_for, anchor = "reference/examples.md", ""
        if page_for is None:
            return match.group(0)
        return f"]({posixpath.relpath(page_for, here or '.')}{anchor})"

    return _escape_citations(_LINK.sub(rewrite, markdown))
