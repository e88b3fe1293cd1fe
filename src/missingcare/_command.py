"""The ``missingcare`` console script: the command line, or one line naming the extra it needs.

The command line lives in :mod:`missingcare.cli` and needs the ``cli`` extra
(click and rich). Installed without it, ``missingcare`` says so in one line
on standard error and exits 2, instead of ending in a traceback.
"""

from __future__ import annotations

import sys

__all__ = ["main"]

#: The modules of the ``cli`` extra.
_EXTRA = frozenset(("click", "rich"))


def main() -> None:
    """Run :func:`missingcare.cli.main`, or say which extra to install."""
    try:
        from missingcare.cli import main as command  # noqa: PLC0415 - only when run
    except ImportError as exc:
        missing = getattr(exc.__cause__, "name", None) or exc.name or ""
        if missing.partition(".")[0] not in _EXTRA:
            raise
        sys.stderr.write(
            "missingcare: error: the command line needs the 'cli' extra: "
            'pip install "missingcare[cli]"\n'
        )
        sys.exit(2)
    command()
