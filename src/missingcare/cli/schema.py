"""``missingcare schema [MODEL]``: print the JSON Schema of a document (needs the ``cli`` extra).

``MODEL`` is a top-level document name, as a class name or in snake case
(``MissingEpisode``, ``missing_episode``). Without it, the command prints one
JSON object mapping every document name to its schema. ``--fields`` prints
the form metadata of the document's fields instead (label, help text,
vocabulary, whether required, the rules that read it).

An unknown ``MODEL`` is unusable input (exit code 2), with one line on
standard error naming the documents that exist.
"""

from __future__ import annotations

import json
from typing import Any

import attrs
import click

from missingcare.adapters.jsonschema import document_type, field_metadata, json_schema
from missingcare.cli._common import UnusableInput
from missingcare.converters import DOCUMENTS

__all__ = ["schema_command"]


def _fields(cls: type) -> list[dict[str, Any]]:
    return [
        {k: list(v) if isinstance(v, tuple) else v for k, v in attrs.asdict(m).items()}
        for m in field_metadata(cls)
    ]


@click.command("schema")
@click.argument("model", required=False)
@click.option(
    "--fields", "show_fields", is_flag=True, help="Print the fields' form metadata instead."
)
@click.option("--indent", type=click.IntRange(0, 8), default=2, show_default=True)
def schema_command(model: str | None, show_fields: bool, indent: int) -> None:
    """Print the JSON Schema (draft 2020-12) of MODEL, or of every document."""
    if model is None:
        render = _fields if show_fields else json_schema
        out: Any = {cls.__name__: render(cls) for cls in DOCUMENTS}
    else:
        try:
            cls = document_type(model)
        except LookupError as exc:
            raise UnusableInput(str(exc)) from None
        out = _fields(cls) if show_fields else json_schema(cls)
    click.echo(json.dumps(out, indent=indent or None, ensure_ascii=False))
