"""Every jurisdiction together: the comparison page, the packs command, check and synth per pack."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from missingcare.cli import main
from missingcare.packs import BUILTIN_PACKS
from missingcare.rules import Duty, available_packs, get_pack
from missingcare.testing.conformance import check_pack
from tests._helpers import load_script

DOCS = Path(__file__).parent.parent / "docs"
AS_OF = "2026-04-01T00:00:00Z"


def _generator() -> ModuleType:
    return load_script(DOCS / "_gen_jurisdictions.py", "_gen_jurisdictions")


def test_every_built_in_pack_is_available_and_conforms() -> None:
    assert set(BUILTIN_PACKS) <= set(available_packs())
    for code in BUILTIN_PACKS:
        report = check_pack(get_pack(code))
        assert report.ok, report.problems


def test_every_rule_of_every_pack_names_its_duty() -> None:
    for code in BUILTIN_PACKS:
        pack = get_pack(code)
        for ed in pack.editions:
            for r in pack.rules(ed):
                assert isinstance(r.duty, Duty), f"{code} {r.code}"


def test_the_comparison_page_is_current_and_has_a_column_per_pack() -> None:
    gen = _generator()
    text = gen.page()
    assert (DOCS / "reference" / "jurisdictions.md").read_text(encoding="utf-8") == text, (
        "run: python docs/_gen_jurisdictions.py"
    )
    header = next(line for line in text.splitlines() if line.startswith("| duty |"))
    for code in BUILTIN_PACKS:
        assert f"[{code}](packs/{code.lower()}.md)" in header
    for label in gen.ROWS.values():
        assert f"| {label} |" in text
    england = get_pack("GB-ENG")
    for r in england.rules():
        assert f"`{r.code}`" in text


def test_the_packs_command_lists_every_pack_with_its_editions() -> None:
    result = CliRunner().invoke(main, ["packs", "--format", "json"])
    assert result.exit_code == 0, result.output
    listed = {p["code"]: p for p in json.loads(result.output)["packs"]}
    assert set(listed) == set(available_packs())
    england = listed["GB-ENG"]
    assert england["zone"] == "Europe/London"
    assert [e["name"] for e in england["editions"]] == ["2014-01", "2015-04", "2017-02"]
    assert england["editions"][0]["effective_to"] == "2015-03-31"
    table = CliRunner().invoke(main, ["packs"])
    assert table.exit_code == 0
    assert "GB-ENG" in table.output


@pytest.mark.parametrize("code", sorted(BUILTIN_PACKS))
def test_synth_then_check_in_every_pack(code: str, tmp_path: Path) -> None:
    pack = get_pack(code)
    zone = [] if pack.zone is not None else ["--zone", "America/Chicago"]
    out = tmp_path / "cohort"
    made = CliRunner().invoke(
        main, ["synth", "--children", "40", "--pack", code, "--out", str(out), "--quiet", *zone]
    )
    assert made.exit_code == 0, made.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["pack"] == code
    assert manifest["zones"] == [pack.zone or "America/Chicago"]
    if code != "GB-ENG":
        assert not (out / "ssda903-missing.csv").exists()  # the 903 return is England's
    checked = CliRunner().invoke(
        main,
        ["check", str(out / "case-files.jsonl"), "--pack", code, "--as-of", AS_OF,
         "--format", "json", "--all", *zone],
    )  # fmt: skip
    assert checked.exit_code in (0, 1), checked.output
    evaluations = [json.loads(line) for line in checked.stdout.splitlines()]
    assert not checked.stderr  # no invalid record
    findings = [f for e in evaluations for f in e.get("findings", [])]
    outcomes = {f["outcome"] for f in findings}
    assert {"met", "breached"} <= outcomes, f"{code}: the cohort exercises its rules"
    rules = {f["rule"]["code"] for f in findings}
    for r in pack.rules():
        assert any(r.code in rule for rule in rules), f"{code} {r.code} never fired"


def test_check_refuses_an_unknown_pack_naming_those_there_are(tmp_path: Path) -> None:
    doc = tmp_path / "x.json"
    doc.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(doc), "--pack", "XX-NOPE", "--as-of", AS_OF])
    assert result.exit_code == 2
    assert "GB-ENG" in result.output
