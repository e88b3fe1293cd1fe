"""``missingcare schema [MODEL]`` (:mod:`missingcare.cli.schema`), alone and in the group."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

import missingcare as mc
from missingcare.adapters.jsonschema import json_schema
from missingcare.cli import main
from missingcare.cli.schema import schema_command
from missingcare.converters import DOCUMENTS


@pytest.mark.parametrize("name", ["MissingEpisode", "missing_episode", "missing-episode"])
def test_prints_the_schema_of_a_document(name: str) -> None:
    result = CliRunner().invoke(schema_command, [name])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == json_schema(mc.MissingEpisode)


def test_without_a_model_prints_every_document() -> None:
    result = CliRunner().invoke(schema_command, ["--indent", "0"])
    assert result.exit_code == 0
    assert len(result.stdout.strip().splitlines()) == 1
    out = json.loads(result.stdout)
    assert list(out) == [cls.__name__ for cls in DOCUMENTS]
    assert out["Placement"] == json_schema(mc.Placement)


def test_fields_prints_form_metadata() -> None:
    result = CliRunner().invoke(schema_command, ["Factor", "--fields"])
    assert result.exit_code == 0
    fields = {f["name"]: f for f in json.loads(result.stdout)}
    # a factor is a push, pull or protective one (issue 17): its concept, by direction
    assert fields["concept"]["vocabulary"] == "push_factors|pull_factors|protective_factors"
    assert fields["noted_at"] == {
        "name": "noted_at",
        "label": "Noted at",
        "help": "When was it noted?",
        "kind": "instant",
        "required": True,
        "repeated": False,
        "vocabulary": None,
        # the US packs read when the factors behind an absence were determined
        "rules": [
            "US-GA/absence-factors-determined",
            "US-KY/absence-factors-determined",
            "US-MO/absence-factors-determined",
            "US-UT/absence-factors-determined",
            "US/absence-factors-determined",
        ],
    }
    every = json.loads(CliRunner().invoke(schema_command, ["--fields"]).stdout)
    assert set(every) == {cls.__name__ for cls in DOCUMENTS}


def test_unknown_model_exits_2_with_one_line() -> None:
    result = CliRunner().invoke(main, ["schema", "Episode"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("missingcare: error: unknown document")
    assert "MissingEpisode" in lines[0]
    assert "Traceback" not in result.output
    assert not result.stdout


def test_it_attaches_to_a_group() -> None:
    @click.group()
    def cli() -> None:
        """A stand-in for the missingcare group."""

    cli.add_command(schema_command)
    result = CliRunner().invoke(cli, ["schema", "placement"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["title"] == "Placement"
