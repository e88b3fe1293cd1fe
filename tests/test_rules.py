"""Rules, packs (editions, parameters, configuration), the registry and evaluate()."""

from __future__ import annotations

import pickle
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest

from missingcare import rules
from missingcare.case import CaseFile
from missingcare.findings import Finding, Outcome, Severity, Strength
from missingcare.rules import (
    Edition,
    InvalidPackError,
    PackConflictError,
    PackRegistry,
    Parameter,
    Rule,
    RuleContext,
    RulePack,
    Source,
    UnknownEditionError,
    UnknownJurisdictionError,
    evaluate,
    get_pack,
    registry,
    rule,
)
from missingcare.testing.builders import case_file, episode
from missingcare.time import FixedClock

SRC = Source("TEST", "A test source", "https://example.invalid/source")
T0 = datetime(2026, 10, 27, 9, tzinfo=UTC)


@rule(
    "count-episodes",
    title="Count the episodes",
    strength=Strength.GOOD_PRACTICE,
    severity=Severity.INFO,
    sources=[SRC],
    messages={"many": "{count} episodes (limit {limit}).", "few": "{count} episodes."},
    parameters=["limit"],
    applies_to="child",
)
def count_episodes(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Says how many episodes began by as_of, against a limit."""
    n = sum(1 for e in case.episodes if e.last_seen_at <= ctx.as_of)
    limit = ctx.param("limit")
    if n > limit:
        yield ctx.finding(
            "many", Outcome.BREACHED, subject="$", params={"count": n, "limit": limit}
        )
    else:
        yield ctx.finding("few", Outcome.MET, subject="$", params={"count": n})


@rule(
    "always",
    title="Always met",
    strength=Strength.REGULATION,
    severity=Severity.WARNING,
    sources=[SRC],
    messages={"met": "Met."},
)
def always(case: CaseFile, ctx: RuleContext) -> Iterator[Finding]:
    """Always met."""
    yield ctx.finding("met", Outcome.MET, subject="$")


def _pack(code: str = "ZZ-TST", aliases: tuple[str, ...] = ("Testland",)) -> RulePack:
    return RulePack(
        code=code,
        name="Testland",
        zone="Europe/London",
        aliases=aliases,
        editions=(
            Edition("2020-01", date(2020, 1, 1), add=(count_episodes, always)),
            Edition("2024-01", date(2024, 1, 1), remove=("always",)),
        ),
        parameters=(Parameter("limit", int, 2, "How many episodes are too many.", minimum=0),),
        description="A pack for tests.",
    )


def _seen(i: int) -> datetime:
    return datetime(2026, 10, 1 + 2 * i, 20, tzinfo=UTC)


#: One child with one episode, and with three two days apart (back an hour after each ends).
ONE, THREE = (
    case_file(
        *(
            episode(f"E{i + 1}", seen=_seen(i), returned=_seen(i) + timedelta(hours=4))
            for i in range(n)
        )
    )
    for n in (1, 3)
)


# --- rules ---------------------------------------------------------------------------------------


def test_rule_decorator_builds_a_rule_value() -> None:
    assert isinstance(count_episodes, Rule)
    assert count_episodes.description.startswith("Says how many")
    assert count_episodes.template("few") == "{count} episodes."
    assert count_episodes.parameters == ("limit",)
    with pytest.raises(KeyError):
        count_episodes.template("nope")


def test_rule_declarations_are_checked() -> None:
    with pytest.raises(InvalidPackError):
        attrs.evolve(always, code="Bad Code")
    with pytest.raises(InvalidPackError):
        attrs.evolve(always, title=" ")
    with pytest.raises(InvalidPackError):
        attrs.evolve(always, messages={"Bad Key": "x"})
    with pytest.raises(InvalidPackError):
        attrs.evolve(always, sources=["not a source"])  # type: ignore[list-item]


# --- packs and editions --------------------------------------------------------------------------


def test_editions_compose_as_previous_plus_rules_minus_codes() -> None:
    pack = _pack()
    assert [r.code for r in pack.rules("2020-01")] == ["count-episodes", "always"]
    assert [r.code for r in pack.rules("2024-01")] == ["count-episodes"]
    assert pack.rules() == pack.rules("2024-01")
    assert pack.rule("always", "2020-01") is always
    assert pack.edition_on(date(2023, 12, 31)).name == "2020-01"
    assert pack.edition_on(date(2024, 1, 1)).name == "2024-01"
    assert pack.edition_ends(pack.edition("2020-01")) == date(2023, 12, 31)
    with pytest.raises(UnknownEditionError):
        pack.edition_on(date(2019, 12, 31))
    with pytest.raises(UnknownEditionError, match="2020-01, 2024-01"):
        pack.edition("1999")


def test_edition_mistakes_are_refused() -> None:
    base = Edition("a", date(2020, 1, 1), add=(always,))
    kwargs: dict[str, Any] = {"code": "ZZ-TST", "name": "T", "zone": "Europe/London"}
    with pytest.raises(InvalidPackError, match="removes"):
        RulePack(**kwargs, editions=(base, Edition("b", date(2021, 1, 1), remove=("nope",))))
    with pytest.raises(InvalidPackError, match="twice"):
        RulePack(**kwargs, editions=(base, Edition("b", date(2021, 1, 1), add=(always,))))
    with pytest.raises(InvalidPackError, match="first edition"):
        RulePack(**kwargs, editions=(Edition("a", date(2020, 1, 1), remove=("x",)),))
    with pytest.raises(InvalidPackError, match="parameter"):
        RulePack(**kwargs, editions=(Edition("a", date(2020, 1, 1), add=(count_episodes,)),))
    with pytest.raises(InvalidPackError, match="ISO"):
        RulePack(**{**kwargs, "code": "england"}, editions=(base,))
    with pytest.raises(InvalidPackError):
        Edition("c", date(2021, 1, 1), effective_to=date(2020, 1, 1))
    with pytest.raises(InvalidPackError):
        RulePack(**kwargs, editions=())


def test_configure_returns_a_derived_pack_and_checks_types() -> None:
    pack = _pack()
    local = pack.configure(limit=5)
    assert local is not pack
    assert pack.effective_settings == {"limit": 2}
    assert local.effective_settings == {"limit": 5}
    assert local.settings == (("limit", 5),)
    with pytest.raises(InvalidPackError, match="no parameter 'limt'"):
        pack.configure(limt=5)
    with pytest.raises(InvalidPackError, match="int"):
        pack.configure(limit=True)
    with pytest.raises(InvalidPackError, match="int"):
        pack.configure(limit="5")
    with pytest.raises(InvalidPackError, match="minimum"):
        pack.configure(limit=-1)
    with pytest.raises(InvalidPackError, match="required"):
        pack.configure(limit=None)


def test_parameter_kinds() -> None:
    p = Parameter("who", tuple, ("a",), "Who.", item_kind=str)
    assert p.validate(("a", "b")) == ("a", "b")
    with pytest.raises(InvalidPackError, match="items"):
        p.validate(("a", 1))
    q = Parameter("within", timedelta, None, "Optional.", optional=True, minimum=timedelta(hours=1))
    assert q.validate(None) is None
    with pytest.raises(InvalidPackError):
        q.validate(timedelta(minutes=5))
    with pytest.raises(InvalidPackError):
        Parameter("Bad-Name", int, 1, "x")


# --- evaluate ------------------------------------------------------------------------------------


def test_evaluate_uses_the_edition_in_force_and_the_settings() -> None:
    case = THREE
    ev = evaluate(case, pack=_pack(), as_of=T0)
    assert (ev.pack, ev.edition, ev.child_id) == ("ZZ-TST", "2024-01", "C1")
    (finding,) = ev.findings
    assert finding.outcome is Outcome.BREACHED
    assert finding.text == "3 episodes (limit 2)."
    assert finding.message_id == "zz-tst.count-episodes.many"
    assert str(finding.rule) == "ZZ-TST/2024-01/count-episodes"
    relaxed = evaluate(case, pack=_pack().configure(limit=3), as_of=T0)
    assert relaxed.findings[0].outcome is Outcome.MET
    old = evaluate(case, pack=_pack(), as_of=T0, edition="2020-01")
    assert {f.rule.code for f in old} == {"count-episodes", "always"}


def test_evaluate_facts_after_as_of_are_not_yet_known() -> None:
    case = THREE
    early = evaluate(case, pack=_pack(), as_of=datetime(2026, 10, 2, tzinfo=UTC))
    assert early.findings[0].text == "1 episodes."


def test_evaluate_takes_a_clock_or_an_instant_never_both() -> None:
    case = ONE
    by_clock = evaluate(case, pack=_pack(), as_of=FixedClock(T0))
    assert by_clock == evaluate(case, pack=_pack(), as_of=T0)
    with pytest.raises(TypeError):
        evaluate(case, pack=_pack())
    with pytest.raises(TypeError), pytest.warns(DeprecationWarning, match="as_of"):
        evaluate(case, pack=_pack(), as_of=T0, clock=FixedClock(T0))
    with pytest.raises(TypeError, match="as_of"):
        evaluate(case, pack=_pack(), as_of="2026-10-27T09:00:00Z")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="as_of"):
        evaluate(case, pack=_pack(), as_of=datetime(2026, 10, 27, 9))  # naive
    with pytest.raises(TypeError):
        evaluate("not a case", pack=_pack(), as_of=T0)  # type: ignore[arg-type]


def test_the_clock_keyword_still_works_for_one_release_with_a_warning() -> None:
    with pytest.warns(DeprecationWarning, match="as_of"):
        old = evaluate(ONE, pack=_pack(), clock=FixedClock(T0))
    assert old == evaluate(ONE, pack=_pack(), as_of=FixedClock(T0))


def test_evaluate_is_pure() -> None:
    case = THREE
    before = pickle.dumps(case)
    assert evaluate(case, pack=_pack(), as_of=T0) == evaluate(case, pack=_pack(), as_of=T0)
    assert pickle.dumps(case) == before


def test_evaluate_accepts_a_code() -> None:
    ev = evaluate(ONE, pack="england", as_of=T0)
    assert ev.pack == "GB-ENG"


# --- registry ------------------------------------------------------------------------------------


def test_registry_explicit_registration_aliases_and_conflicts() -> None:
    reg = PackRegistry(builtins={}, group="missingcare.packs.none-for-tests")
    pack = _pack()
    reg.register(pack)
    assert reg.get("ZZ-TST") is pack
    assert reg.get("zz-tst") is pack
    assert reg.get("testland") is pack
    assert reg.available() == ("ZZ-TST",)
    with pytest.raises(PackConflictError):
        reg.register(pack)
    with pytest.raises(PackConflictError):
        reg.register(_pack(code="ZZ-OTH", aliases=("Testland",)))
    with pytest.raises(TypeError):
        reg.register("ZZ-TST")  # type: ignore[arg-type]


def test_unknown_code_lists_the_available_codes() -> None:
    reg = PackRegistry(builtins={}, group="missingcare.packs.none-for-tests")
    reg.register(_pack())
    with pytest.raises(UnknownJurisdictionError) as info:
        reg.get("GB-XXX")
    assert info.value.available == ("ZZ-TST",)
    assert "ZZ-TST" in str(info.value)
    assert isinstance(info.value, LookupError)
    assert pickle.loads(pickle.dumps(info.value)).available == ("ZZ-TST",)


def test_builtins_load_lazily_and_cannot_be_registered_over() -> None:
    reg = PackRegistry()
    assert "GB-ENG" in reg.available()
    with pytest.raises(PackConflictError):
        reg.register(attrs.evolve(_pack(), code="GB-ENG", aliases=()))
    assert reg.get("England").code == "GB-ENG"


def test_builtin_declared_under_the_wrong_code_is_refused() -> None:
    reg = PackRegistry(builtins={"GB-WLS": "missingcare.packs.gb_eng:PACK"}, group="x.none")
    with pytest.raises(InvalidPackError, match="GB-WLS"):
        reg.get("GB-WLS")


def test_module_functions_share_one_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_registry", None)
    rules.register_pack(_pack())
    assert get_pack("Testland").code == "ZZ-TST"
    # every built-in pack and the registered one, in code order
    assert rules.available_packs() == tuple(sorted((*registry.BUILTIN_PACKS, "ZZ-TST")))
    assert {"GB-ENG", "GB-NIR", "GB-SCT", "GB-WLS", "IE", "AU-VIC", "US", "US-GA"} <= set(
        rules.available_packs()
    )


def test_importing_missingcare_rules_loads_no_pack_and_no_extra() -> None:
    code = (
        "import sys, missingcare, missingcare.rules, missingcare.packs\n"
        "bad = [m for m in ('missingcare.packs.gb_eng', 'hypothesis', 'click', 'polars',"
        " 'pyarrow', 'matplotlib') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_broken_plug_in_does_not_hide_other_packs() -> None:
    reg = PackRegistry(
        builtins={
            "AA-BRK": "missingcare_no_such_module_for_tests:PACK",
            "GB-ENG": "missingcare.packs.gb_eng:PACK",
        },
        group="x.none",
    )
    assert reg.get("England").code == "GB-ENG"
    with pytest.raises(ModuleNotFoundError):
        reg.get("AA-BRK")
    assert reg.available() == ("AA-BRK", "GB-ENG")
