"""Look at a report as a person would: a headless Chromium prints it to PDF or a screenshot.

Optional and outside Python: it runs a Chromium (or Chrome) found on the
``PATH`` (``chromium``, ``chromium-browser``, ``google-chrome``) or named by
the ``MISSINGCARE_CHROMIUM`` environment variable, with a throw-away profile,
no network services of its own (no sync, no component updates, no
background networking) and a time limit. The test suite and the docs use it
to check what the reports look like; an embedder may use it to make a PDF::

    from missingcare.reports.browser import print_to_pdf
    print_to_pdf(html, Path("handover.pdf"))

Nothing here is needed to produce a report: a report is HTML, and any
browser's "Print" makes the PDF.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = [
    "BrowserNotFoundError",
    "chromium",
    "dump_dom",
    "pdf_pages",
    "print_to_pdf",
    "screenshot",
]

#: The executables tried, in order, when ``MISSINGCARE_CHROMIUM`` is not set.
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Flags for every run: headless, sandbox off (containers, CI), no network of its own.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
)
#: Seconds a single run may take.
TIMEOUT = 120


class BrowserNotFoundError(RuntimeError):
    """No Chromium was found."""


def chromium() -> str | None:
    """The Chromium executable to use, or ``None`` when there is none."""
    named = os.environ.get("MISSINGCARE_CHROMIUM")
    if named:
        return shutil.which(named)
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def _run(html: str, *flags: str, out: str | None = None) -> bytes:
    exe = chromium()
    if exe is None:
        raise BrowserNotFoundError("no Chromium found: install it or set MISSINGCARE_CHROMIUM")
    with tempfile.TemporaryDirectory(prefix="missingcare-browser-") as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(html, encoding="utf-8")
        args = [exe, *FLAGS, f"--user-data-dir={Path(tmp) / 'profile'}"]
        args += [f.replace("{tmp}", tmp) for f in flags]
        done = subprocess.run(  # a browser we found, a file we wrote
            [*args, page.as_uri()],
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"Chromium exited with status {done.returncode}")
        if out is None:
            return done.stdout
        written = Path(tmp) / out
        if not written.exists():
            raise RuntimeError("Chromium wrote nothing")
        return written.read_bytes()


def screenshot(html: str, path: Path, *, width: int = 1000, height: int = 1400) -> Path:
    """A PNG of the top of the page, ``width`` by ``height`` CSS pixels."""
    shot = _run(
        html, "--screenshot={tmp}/out.png", f"--window-size={width},{height}", out="out.png"
    )
    path.write_bytes(shot)
    return path


def print_to_pdf(html: str, path: Path) -> Path:
    """The page printed to PDF, as the browser's own print does (A4 from the page's CSS)."""
    path.write_bytes(
        _run(html, "--print-to-pdf={tmp}/out.pdf", "--no-pdf-header-footer", out="out.pdf")
    )
    return path


def dump_dom(html: str) -> str:
    """The page's DOM after the browser has loaded it, serialised."""
    return _run(html, "--dump-dom").decode("utf-8")


def pdf_pages(data: bytes) -> int:
    """How many pages a PDF written by Chromium has (its page objects)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))
