"""The ``missingcare`` command (needs the ``cli`` extra): one group, a module per command.

* ``missingcare demo`` (:mod:`~missingcare.cli.demo`) generates a small
  synthetic home's year and shows what the library does with it;
* ``missingcare check FILE`` (:mod:`~missingcare.cli.check`) reports a rule
  pack's findings on a caseload of case files (JSON lines, a JSON file, or
  ``-`` for standard input), summary first;
* ``missingcare packs`` (:mod:`~missingcare.cli.packs`) lists the rule packs
  with their zones and editions;
* ``missingcare synth`` (:mod:`~missingcare.cli.synth`) writes a synthetic
  cohort as JSON lines, the SSDA903 tables and a manifest;
* ``missingcare schema [MODEL]`` (:mod:`~missingcare.cli.schema`) prints a
  document's JSON Schema or its fields' form metadata;
* ``missingcare report home|episode|handover`` (:mod:`~missingcare.cli.report`)
  writes a report people print and hand over as a self-contained HTML page;
* ``missingcare 903 validate`` (:mod:`~missingcare.cli.ssda903`) checks an
  SSDA903 return's Missing table with DfE's rules.

Every command ends with one of three exit codes (:class:`ExitCode`):

* **0** the command did its job and flagged nothing;
* **1** the command did its job and flagged something: a breached finding or
  an invalid record (``check``: one rule for one document and a file of many,
  every record judged on its own), a flagged row (``903 validate``);
* **2** the command could not do its job: unusable input (a missing or
  unreadable file, input with no record in it, a file that is not a 903
  table), a usage error, or a bug.

An interruption (Ctrl-C, SIGINT) exits **130**, as shells expect, and leaves
no partial output file behind. So 1 always means "read it all, and here is
what is wrong", never "stopped".
A failure is one line on standard error, ``missingcare: error: …``, naming the
file, option or field path and what would be accepted, never the data and never
a traceback; no partial result is printed. (Run without a command, a group
prints its help on standard error and exits 2.)
"""

from __future__ import annotations

import importlib.util

try:
    import click

    if importlib.util.find_spec("rich") is None:  # found, not imported: start-up stays light
        raise ModuleNotFoundError("No module named 'rich'", name="rich")
except ImportError as exc:  # exercised in a subprocess without the extra
    raise ImportError(
        "the missingcare command needs the 'cli' extra (click and rich): "
        'pip install "missingcare[cli]"'
    ) from exc

from missingcare._deprecated import moved
from missingcare._version import __version__
from missingcare.cli._common import ExitCode, Group, UnusableInput

__all__ = ["ExitCode", "UnusableInput", "main"]


@click.group(
    "missingcare",
    cls=Group,
    lazy={
        "903": "missingcare.cli.ssda903:ssda903_group",
        "check": "missingcare.cli.check:check",
        "demo": "missingcare.cli.demo:demo",
        "packs": "missingcare.cli.packs:packs_command",
        "report": "missingcare.cli.report:report_group",
        "schema": "missingcare.cli.schema:schema_command",
        "synth": "missingcare.cli.synth:synth",
    },
)
@click.version_option(
    __version__, "--version", prog_name="missingcare", message="%(prog)s %(version)s"
)
def main() -> None:
    """Record, check and understand episodes in which a child goes missing from care.

    Every example here uses synthetic data; never put a real child's data in a
    bug report.
    """


__getattr__ = moved(
    __name__,
    {
        "EXIT_OK": "missingcare.cli.ExitCode.OK",
        "EXIT_FLAGGED": "missingcare.cli.ExitCode.FLAGGED",
        "EXIT_UNUSABLE": "missingcare.cli.ExitCode.UNUSABLE",
    },
)
