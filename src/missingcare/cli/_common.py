"""What every ``missingcare`` command shares: exit codes, the unusable-input error, one-line errors.

The rule is written here once; :mod:`missingcare.cli` documents it for users.
"""

from __future__ import annotations

import enum
import importlib
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import click

from missingcare.exceptions import MissingCareError, ValidationError
from missingcare.time import format_local

__all__ = ["INTERRUPTED", "ExitCode", "Group", "UnusableInput", "describe", "human_time"]


class ExitCode(enum.IntEnum):
    """How a ``missingcare`` command ends.

    ``FLAGGED`` only ever means that the command did its whole job and found
    something (a breached or invalid finding, a flagged 903 row); anything that
    stops a command from doing its job is ``UNUSABLE``.
    """

    #: The command did its job and flagged nothing.
    OK = 0
    #: The command did its job and flagged something.
    FLAGGED = 1
    #: The command could not do its job: unusable input, a usage error, an
    #: interruption, or a bug.
    UNUSABLE = 2


#: The exit status after an interruption (Ctrl-C, SIGINT): 128 + 2, as shells expect.
#: Not an :class:`ExitCode`: the command neither finished nor judged its input.
INTERRUPTED = 130


class UnusableInput(click.ClickException):
    """Input the command cannot use: a missing file, bad JSON, a wrong schema version."""

    exit_code = ExitCode.UNUSABLE


def human_time(at: datetime, zone: str) -> str:
    """An instant as people in ``zone`` read it, with the zone's abbreviation.

    The one place the command line formats a time for people (never ``…Z``):
    :func:`missingcare.time.format_local`, the same on every host.

    >>> from datetime import UTC
    >>> human_time(datetime(2026, 4, 3, 4, 23, tzinfo=UTC), "Europe/London")
    '05:23 on Fri 3 April 2026 (BST)'
    """
    return format_local(at, zone)


def _one_line(text: str) -> str:
    """``text`` with every run of white space, line breaks included, folded to one space."""
    return " ".join(text.split())


def describe(exc: MissingCareError) -> str:
    """One line for a library error: the field path and what would be accepted, never the value.

    >>> describe(ValidationError.single("$.child.id", "required", "this field is required"))
    '$.child.id: this field is required [required]'
    """
    if isinstance(exc, ValidationError):
        first, *rest = exc.violations
        return f"{first} (and {len(rest)} more)" if rest else str(first)
    # the library builds every other message from paths, codes, vocabulary terms and file names
    return _one_line(str(exc))


def _fail(message: str) -> NoReturn:
    click.echo(f"missingcare: error: {_one_line(message)}", err=True)
    sys.exit(ExitCode.UNUSABLE)


def _interrupted() -> NoReturn:
    click.echo("missingcare: error: interrupted", err=True)
    sys.exit(INTERRUPTED)


def _failure(exc: Exception) -> str:
    """The one-line message for an exception that stopped a command."""
    if isinstance(exc, click.ClickException):
        return exc.format_message()
    if isinstance(exc, click.Abort):
        return "aborted"
    if isinstance(exc, MissingCareError):
        return describe(exc)
    if isinstance(exc, OSError):
        where = f"{Path(str(exc.filename)).name}: " if exc.filename else ""
        return f"{where}{exc.strerror or type(exc).__name__}"
    return f"unexpected {type(exc).__name__}; please report this bug"


class Group(click.Group):
    """A group that ends with an :class:`ExitCode` and one error line, never a traceback.

    ``lazy`` maps a command's name to ``"module:attribute"``; the module is
    imported only when the command is run or listed, which keeps start-up light.
    """

    def __init__(self, *args: Any, lazy: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("context_settings", {"help_option_names": ["-h", "--help"]})
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module, _, attribute = self.lazy[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), attribute)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy[cmd_name]} is not a click command")
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            rv = super().main(
                args=args,
                prog_name=prog_name or "missingcare",
                complete_var=complete_var,
                standalone_mode=False,
                **extra,
            )
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.format_message(), err=True)  # the help, as written
            sys.exit(ExitCode.UNUSABLE)
        except KeyboardInterrupt:
            _interrupted()
        except Exception as exc:  # the top-level handler: never a traceback
            if isinstance(exc, click.Abort) and isinstance(exc.__cause__, KeyboardInterrupt):
                _interrupted()
            _fail(_failure(exc))
        code = rv if isinstance(rv, int) else ExitCode.OK
        if standalone_mode:
            sys.exit(code)
        return code
