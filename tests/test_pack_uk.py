"""What the Welsh, Scottish and Northern Irish packs promise alike: their fields exist,
their reference pages are current, and no timescale is invented."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import attrs
import pytest

import missingcare as mc
from missingcare.rules import RulePack, get_pack

UK = ("GB-WLS", "GB-SCT", "GB-NIR")


@pytest.fixture(params=UK)
def pack(request: pytest.FixtureRequest) -> RulePack:
    return get_pack(request.param)


def test_every_field_a_rule_declares_exists_in_the_model(pack: RulePack) -> None:
    declared = {name for ed in pack.editions for r in pack.rules(ed) for name in r.fields}
    assert declared
    for name in sorted(declared):
        type_name, field = name.split(".")
        assert field in attrs.fields_dict(getattr(mc, type_name)), name


def test_the_reference_page_lists_every_rule_source_and_parameter(pack: RulePack) -> None:
    # that every generated page is current is checked for all packs in test_gb_eng.py
    pages = Path(__file__).parent.parent / "docs" / "reference" / "packs"
    text = (pages / f"{pack.code.lower()}.md").read_text(encoding="utf-8")
    for ed in pack.editions:
        assert all(f"### `{r.code}`" in text for r in pack.rules(ed))
    assert all(s.url in text for s in pack.sources)
    assert all(f"`{p.name}`" in text for p in pack.parameters)
    assert f"({pack.code.lower()}.md)" in (pages / "index.md").read_text(encoding="utf-8")


def test_a_timescale_without_a_default_says_the_sources_set_none(pack: RulePack) -> None:
    for p in pack.parameters:
        if p.kind is timedelta and p.default is None:
            assert p.optional
            assert "sources" in p.description.lower(), p.name
        elif p.kind is timedelta:
            assert p.sources, f"{p.name}: a default timescale cites where it comes from"
