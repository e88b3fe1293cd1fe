"""DfE's missing-episode rules, case by case.

Cases marked [903V] re-express the fixtures in ``csc-validator-be-903``
(``lac_validator/rules/lac2022_23/rule_<code>.py``, ``test_validate``; MIT),
with the rows and expected indices they give; the others pin the quirks the
how-to documents.
"""

from __future__ import annotations

from datetime import date

import attrs
import pytest

from missingcare.adapters.ssda903 import (
    EDITIONS,
    RULES,
    CollectionYear,
    Return903,
    RowError,
    Table,
    parse_903_date,
    rules_for,
    validate,
)

Rec = dict[str, str | None]


def _table(name: str, rows: list[Rec] | None) -> Table | None:
    return None if rows is None else Table.from_records(name, rows)


def flagged(
    code: str,
    missing: list[Rec],
    *,
    episodes: list[Rec] | None = None,
    header: list[Rec] | None = None,
    last: list[Rec] | None = None,
    year: str = "2019/20",
) -> list[int]:
    ret = Return903(
        header=_table("Header", header),
        episodes=_table("Episodes", episodes),
        missing=_table("Missing", missing),
        missing_last=_table("Missing", last),
    )
    return [f.row for f in validate(ret, year, codes=[code]).findings]


def m(child: str, start: str | None, end: str | None = None, kind: str | None = "M") -> Rec:
    return {"CHILD": child, "MISSING": kind, "MIS_START": start, "MIS_END": end}


def e(child: str, decom: str | None, dec: str | None = None, rec: str | None = None) -> Rec:
    return {"CHILD": child, "DECOM": decom, "DEC": dec, "REC": rec}


def test_574_flags_the_row_the_dfe_portal_flags() -> None:  # [903V] rule_574
    rows = [
        m("111", "01/06/2020", "05/06/2020"),
        m("111", "04/06/2020"),
        m("222", "03/06/2020", "04/06/2020"),
        m("222", "04/06/2020"),
        m("222", "07/06/2020", "09/06/2020"),
        m("333", "02/06/2020", "04/06/2020"),
        m("333", "03/06/2020", "09/06/2020"),
        m("444", "06/06/2020", "08/06/2020"),
        m("444", "10/06/2020", "10/06/2020"),
        m("444", "08/06/2020", "10/08/2020"),
        m("555", None, "05/06/2020"),
        m("555", None, "05/06/2020"),
    ]
    assert flagged("574", rows) == [0, 4, 6, 9]


def test_574_touching_episodes_pass() -> None:
    rows = [m("1", "01/06/2020", "03/06/2020"), m("1", "03/06/2020", "03/06/2020")]
    assert flagged("574", rows) == []


def test_574_an_unparseable_end_counts_as_open() -> None:
    rows = [m("1", "01/06/2020", "31/06/2020"), m("1", "09/06/2020", "10/06/2020")]
    assert flagged("574", rows) == [1]


def test_581_start_must_fall_in_an_episode() -> None:  # [903V] rule_581
    episodes = [
        e("111", "01/06/2020", "10/06/2020"),
        e("123", "08/06/2020", "10/06/2020"),
        e("222", "06/06/2020", "10/06/2020"),
        e("333", "06/06/2020"),
        e("333", "07/06/2020", "10/06/2020"),
        e("444", "08/06/2020", "10/06/2020"),
        e("444", "12/06/2020"),
        e("555", "15/06/2020", "20/06/2020"),
    ]
    missing = [
        m("111", "01/06/2020", "05/06/2020"),
        m("123", "08/06/2020"),
        m("222", "05/06/2020", "05/06/2020"),
        m("333", "12/06/2020"),
        m("444", "08/06/2020", "05/06/2020"),
        m("444", "11/06/2020", "11/06/2020"),
        m("444", "19/06/2020", "05/06/2020"),
        m("555", "21/06/2020", "21/06/2020"),
    ]
    assert flagged("581", missing, episodes=episodes) == [2, 5, 7]


def test_577_uses_periods_of_care() -> None:  # [903V] rule_577
    missing = [
        m("1", "01/01/1981"),
        m("2", "01/01/1981", "02/06/2020"),
        m("3", "01/01/1981", "03/06/2022"),
        m("3", "01/01/1981", "03/06/2020"),
        m("4", "01/01/1981", "04/06/2020"),
        m("5", "01/01/1981", "01/01/1982"),
        m("5", "01/01/1981", "01/01/2000"),
        m("6", "01/01/1981", "01/01/1981"),
        m("7", None, "01/01/1981"),
        m("8", "01/01/1981"),
        m("9", "01/01/2020"),
        m("9", "01/01/2021"),
        m("9", "04/06/2020", "04/06/2021"),
    ]
    episodes = [
        e("1", "01/04/1977", "31/03/1981"),
        e("2", "01/04/1979", "30/03/1981"),
        e("88", "01/05/1980", "01/01/1981"),
        e("3", "01/04/1980", "01/01/1981"),
        e("3", "01/04/2020", "01/01/2021"),
        e("3", "01/01/2021", "05/10/2021"),
        e("4", "01/04/1981"),
        e("5", "01/04/1978", "01/01/1981"),
        e("5", "01/01/1981", "01/01/1990"),
        e("5", "01/04/1983", "04/06/2020"),
        e("6", "01/04/1983", "04/06/2020"),
        e("7", "01/04/1983", "04/06/2020"),
        e("8", "01/04/1983", "04/06/2020"),
        e("9", "01/01/2020", "04/06/2020"),
        e("9", "04/06/2020", "11/08/2020"),
        e("9", "11/08/2020", "01/12/2020"),
        e("9", "22/12/2020", "25/12/2020"),
        e("9", "01/01/2021", "22/02/2021"),
        e("9", "22/02/2021", "08/08/2021"),
        e("9", "08/08/2021"),
    ]
    assert flagged("577", missing, episodes=episodes) == [0, 1, 2, 7, 9, 10]


def test_578_start_after_care_ceased() -> None:
    episodes = [e("1", "01/04/2019", "01/06/2019"), e("1", "01/09/2019", "01/10/2019")]
    missing = [
        m("1", "05/05/2019", "06/05/2019"),  # inside the first period
        m("1", "05/07/2019", "06/07/2019"),  # in the gap: after one period, before the next
        m("1", "05/11/2019", "06/11/2019"),  # after every period
        m("2", "05/11/2019", "06/11/2019"),  # no episodes at all: not this rule's business
    ]
    assert flagged("578", missing, episodes=episodes) == [1, 2]


def test_575_open_while_the_episode_has_ended() -> None:
    episodes = [e("1", "01/04/2019", "01/06/2019"), e("2", "01/04/2019")]
    missing = [m("1", "05/05/2019"), m("1", "05/05/2019", "06/05/2019"), m("2", "05/05/2019")]
    assert flagged("575", missing, episodes=episodes) == [0]


def test_576_open_period_must_be_carried() -> None:
    last = [m("1", "01/03/2019"), m("2", "01/03/2019"), m("3", "01/03/2019", "02/03/2019")]
    missing = [
        m("1", "01/03/2019", "05/04/2019"),  # carried
        m("2", "02/03/2019", "05/04/2019"),  # not the same start
        m("3", "05/05/2019", "06/05/2019"),  # last year's was closed
    ]
    assert flagged("576", missing, last=last) == [1]


def test_576_needs_last_years_table() -> None:
    ret = Return903(missing=Table.from_records("Missing", [m("1", "01/05/2019")]))
    report = validate(ret, "2019/20")
    assert "576" in report.not_run
    assert "576" not in {f.rule for f in report.findings}


def test_580_flags_the_episode_row() -> None:
    missing = [
        {**m("1", "01/03/2020", "01/03/2020"), "DOB": "01/03/2002"},
        {**m("2", "01/03/2020", "01/03/2020"), "DOB": "01/03/2002"},
        {**m("3", "27/02/2018", "28/02/2018"), "DOB": "29/02/2000"},  # 29 Feb: 28 Feb
    ]
    episodes = [
        e("1", "01/04/2019", "01/03/2020", "E4A"),
        e("2", "01/04/2019", "01/03/2020", "E8"),
        e("3", "01/04/2017", "28/02/2018", None),
    ]
    ret = Return903(
        episodes=Table.from_records("Episodes", episodes),
        missing=Table.from_records("Missing", missing),
    )
    found = [(f.table, f.row) for f in validate(ret, "2019/20", codes=["580"]).findings]
    assert found == [("Episodes", 0), ("Episodes", 2)]


D1, D2 = "01/05/2019", "02/05/2019"
SINGLE_TABLE_CASES = [
    ("564", [m("1", None), m("1", None, kind="m"), m("1", D1), m("1", None, None, None)], [0, 1]),
    ("565", [m("1", D1, kind=None), m("1", None, kind=None)], [0]),
    ("566", [m("1", None, D1, None), m("1", D1, D2)], [0]),
    ("567", [m("1", D2, D1), m("1", D2, D2)], [0]),
    ("570", [m("1", "01/04/2020"), m("1", "31/03/2020")], [0]),
    (
        "571",
        [
            m("1", "01/03/2019", "31/03/2019"),
            m("1", "01/03/2019", "01/04/2019"),
            m("1", "01/03/2020", "01/04/2020"),
        ],
        [0, 2],
    ),
    ("1004", [m("1", None), m("1", "2019-05-01"), m("1", "1/5/2019")], [0, 1]),
    ("1005", [m("1", D1, "31/04/2019"), m("1", D1)], [0]),
    (
        "1006",  # [903V] rule_1006: "AWAY", the string "NA" and "m" fail; a true blank passes
        [
            m("1", D1, kind="AWAY"),
            m("1", D1, kind="NA"),
            m("1", D1, kind=None),
            m("1", D1, kind="m"),
        ],
        [0, 1, 3],
    ),
]


@pytest.mark.parametrize(("code", "rows", "expected"), SINGLE_TABLE_CASES)
def test_single_table_rules(code: str, rows: list[Rec], expected: list[int]) -> None:
    assert flagged(code, rows) == expected


def test_586_start_on_or_before_birth() -> None:
    rows = [
        {**m("1", "01/05/2010"), "DOB": "01/05/2010"},
        {**m("1", "02/05/2010"), "DOB": "01/05/2010"},
        {**m("1", "01/05/2010"), "DOB": "bad"},
    ]
    assert flagged("586", rows) == [0]


def test_cross_table_child_checks() -> None:
    header: list[Rec] = [{"CHILD": "1", "DOB": "01/05/2010"}, {"CHILD": "2", "DOB": "01/05/2010"}]
    episodes = [e("1", "01/04/2019")]
    missing = [
        {**m("1", "01/05/2019"), "DOB": "01/05/2010"},
        {**m("2", "01/05/2019"), "DOB": "02/05/2010"},
        {**m("3", "01/05/2019"), "DOB": "01/05/2010"},
        {**m(None, "01/05/2019"), "DOB": "01/05/2010"},  # type: ignore[arg-type]
    ]
    assert flagged("INT04", missing, header=header, episodes=episodes) == [2, 3]
    assert flagged("INT13", missing, header=header, episodes=episodes) == [1]
    assert flagged("1012", missing, header=header, episodes=episodes) == [1, 2, 3]


def test_findings_name_rule_table_row_fields_and_problem() -> None:
    missing = Table.from_records("Missing", [m("1", "31/02/2019"), m("1", None)])
    findings = validate(Return903(missing=missing), "2019/20", codes=["1004"]).findings
    assert [(f.rule, f.table, f.row, f.fields, f.problem) for f in findings] == [
        ("1004", "Missing", 0, ("MIS_START",), "unparseable"),
        ("1004", "Missing", 1, ("MIS_START",), "blank"),
    ]
    assert findings[0].message.endswith("is not a valid date.")
    assert all(type(f) is RowError for f in findings)


def test_the_old_name_of_a_row_error_still_works_with_a_warning() -> None:
    from missingcare.adapters import ssda903
    from missingcare.adapters.ssda903 import rules

    for module in (ssda903, rules):
        with pytest.warns(DeprecationWarning, match="RowError"):
            assert module.Finding is RowError
        with pytest.raises(AttributeError):
            module.Nothing  # noqa: B018 - the lookup is the test
    assert "Finding" not in ssda903.__all__


def test_rules_do_not_depend_on_each_other() -> None:
    # in DfE's validator run all together, one rule's changes leak into the next;
    # here every rule sees the same input, so running one alone gives the same answer
    rows = [m("1", "01/05/2019"), m("1", "03/05/2019", "02/05/2019"), m("1", "x", "y")]
    ret = Return903(missing=Table.from_records("Missing", rows))
    together = validate(ret, "2019/20").findings
    alone = [f for code in RULES for f in validate(ret, "2019/20", codes=[code]).findings]
    assert sorted(together, key=repr) == sorted(alone, key=repr)


def test_editions_cover_2022_23_to_2026_27() -> None:
    assert [name for name, _, _ in EDITIONS] == [
        "2022/23",
        "2023/24",
        "2024/25",
        "2025/26",
        "2026/27",
    ]
    assert {r.code for r in rules_for("2025/26")} == set(RULES)
    assert len(RULES) == 20
    with pytest.raises(ValueError, match="no 903 rule edition"):
        rules_for("2030/31")
    # years before the first edition are checked with it, as DfE's validator does
    assert rules_for("2019/20") == rules_for("2022/23") == rules_for(CollectionYear(2024))
    assert [r.code for r in rules_for("2026/27")] == list(RULES)  # in DfE code order
    with pytest.raises(ValueError, match="unknown rule codes"):
        validate(Return903(), "2025/26", codes=["999"])


def test_collection_year() -> None:
    y = CollectionYear.parse("2025/26")
    assert (y.start, y.end, y.validator_name, str(y)) == (
        date(2025, 4, 1),
        date(2026, 3, 31),
        "2026",
        "2025/26",
    )
    assert CollectionYear.parse("2025-2026") == y
    assert y.previous == CollectionYear(2024)
    for bad in ("2025", "2025/27", "26/27", "1999/00x"):
        with pytest.raises(ValueError, match=r"collection year|consecutive"):
            CollectionYear.parse(bad)
    assert CollectionYear.parse("1999/00").end == date(2000, 3, 31)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01/06/2025", date(2025, 6, 1)),
        ("1/6/2025", date(2025, 6, 1)),
        ("29/02/2024", date(2024, 2, 29)),
        ("29/02/2025", None),
        ("01/06/25", None),
        ("2025-06-01", None),
        ("01/06/2025 00:00", None),
        ("01/01/1600", None),  # outside the range DfE's tools can hold
        ("١/06/2025", None),  # a non-ASCII digit
        (None, None),
    ],
)
def test_parse_903_date(text: str | None, expected: date | None) -> None:
    assert parse_903_date(text) == expected


def test_one_care_episode_gives_what_the_interval_engine_gives_for_it() -> None:
    """A child's single care episode is read as its period of care without chaining it;
    the same episode given twice goes through the interval engine: the same rows."""
    from missingcare.adapters.ssda903.synth import generate_return

    for seed in range(4):
        tables = generate_return(seed)
        episodes = tables["Episodes"]
        ret = Return903(
            header=Table.from_records("Header", tables["Header"]),
            episodes=Table.from_records("Episodes", episodes),
            missing=Table.from_records("Missing", tables["Missing"]),
        )
        twice = attrs.evolve(ret, episodes=Table.from_records("Episodes", episodes + episodes))
        for code in ("577", "578", "581"):
            once = [(f.table, f.row) for f in validate(ret, "2025/26", codes=[code]).findings]
            again = [(f.table, f.row) for f in validate(twice, "2025/26", codes=[code]).findings]
            assert once == again, (seed, code)
            assert once, (seed, code)


def test_generated_returns_flag_each_row_once_per_rule_and_deterministically() -> None:
    from missingcare.adapters.ssda903.synth import generate_return

    fired: set[str] = set()
    for seed in range(4):
        tables = generate_return(seed)
        ret = Return903(
            header=Table.from_records("Header", tables["Header"]),
            episodes=Table.from_records("Episodes", tables["Episodes"]),
            missing=Table.from_records("Missing", tables["Missing"]),
            missing_last=Table.from_records("Missing", tables["Missing_last"]),
        )
        report = validate(ret, "2025/26")
        keys = [(f.rule, f.table, f.row) for f in report.findings]
        assert len(keys) == len(set(keys))
        assert report == validate(ret, "2025/26")
        sizes = {"Missing": len(tables["Missing"]), "Episodes": len(tables["Episodes"])}
        assert all(0 <= f.row < sizes[f.table] for f in report.findings)
        fired |= {f.rule for f in report.findings}
    assert fired == set(RULES)


def _reference_parse(text: str | None) -> date | None:
    """parse_903_date as the pattern alone defines it (the fast path must agree)."""
    import re

    if text is None:
        return None
    found = re.fullmatch(
        r"(3[01]|[12][0-9]|0[1-9]|[1-9]| [1-9])/(1[0-2]|0[1-9]|[1-9])/([0-9]{4})", text
    )
    if found is None:
        return None
    try:
        value = date(int(found[3]), int(found[2]), int(found[1]))
    except ValueError:
        return None
    return value if date(1677, 9, 22) <= value <= date(2262, 4, 11) else None


def test_the_usual_date_shape_parses_as_the_pattern_says() -> None:
    days = ("00", "01", "1", " 1", "09", "10", "28", "29", "30", "31", "32", "99", "0a", "+1", "١٢")
    months = ("00", "01", "1", "02", "09", "12", "13", "1a", " 2", "-1")
    years: tuple[str, ...] = ("2025", "2024", "2000", "1900", "0000", "0001", "1677", "2262")
    years = (*years, "2263", "9999", "202", "20255", "２０２５", "1_00", " 202")
    texts = [f"{d}/{m}/{y}" for d in days for m in months for y in years]
    texts += ["21/09/1677", "22/09/1677", "11/04/2262", "12/04/2262", "01-06-2025", "01/06-2025"]
    for text in texts:
        assert parse_903_date(text) == _reference_parse(text), text


# which of two overlapping rows (574), or of two first rows with the same start (576), is
# flagged depends on the input order, as in DfE's validator
ORDER_DEPENDENT = ("574", "576")


def test_rows_of_a_child_apart_or_together_give_the_same_findings() -> None:
    """Rows are grouped by child whether they sit together or are scattered (and the
    order a child's rows are compared in does not depend on where they sit)."""
    import random

    from missingcare.adapters.ssda903.synth import generate_return

    for seed in (1, 2, 4):  # generated in child order (seeds divisible by 3 or 5 shuffle)
        tables = generate_return(seed)
        rng = random.Random(seed)
        order = {name: list(range(len(tables[name]))) for name in ("Header", "Episodes", "Missing")}
        for positions in order.values():
            rng.shuffle(positions)

        def ret(
            shuffled: bool,
            tables: dict[str, list[Rec]] = tables,
            order: dict[str, list[int]] = order,
        ) -> Return903:
            t = {
                name: Table.from_records(
                    name, [tables[name][i] for i in order[name]] if shuffled else tables[name]
                )
                for name in order
            }
            return Return903(
                header=t["Header"],
                episodes=t["Episodes"],
                missing=t["Missing"],
                missing_last=Table.from_records("Missing", tables["Missing_last"]),
            )

        together = {
            (f.rule, f.table, f.row, f.problem) for f in validate(ret(False), "2025/26").findings
        }
        scattered = {
            (f.rule, f.table, order[f.table][f.row], f.problem)
            for f in validate(ret(True), "2025/26").findings
            if f.rule not in ORDER_DEPENDENT
        }
        assert scattered == {f for f in together if f[0] not in ORDER_DEPENDENT}
        assert together


def test_positions_of_each_key_together_apart_or_blank() -> None:
    """Each non-blank key's positions, in order and first-seen order, whichever way its
    rows sit; runs of equal keys cover every row in order."""
    import itertools
    import random

    from missingcare.adapters.ssda903 import rules

    rng = random.Random(5)
    for n in range(60):
        keys = tuple(rng.choice(["A", "B", "C", None]) for _ in range(n % 12))
        if n % 3 == 0:
            keys = tuple(sorted(keys, key=str))
        want: dict[str, list[int]] = {}
        for i, key in enumerate(keys):
            if key is not None:
                want.setdefault(key, []).append(i)
        got = rules._positions(keys)
        assert list(got) == list(want)
        assert {k: list(v) for k, v in got.items()} == want
        firsts, starts, ends = rules._runs(keys)
        assert [k for k, _ in itertools.groupby(keys)] == firsts
        assert [i for s, e in zip(starts, ends, strict=True) for i in range(s, e)] == list(
            range(len(keys))
        )
        assert all(keys[i] == k for k, s, e in zip(firsts, starts, ends, strict=True)
                   for i in range(s, e))  # fmt: skip


def test_tables_read_from_csv_give_the_findings_of_tables_built_from_rows() -> None:
    """Validation reads the columns a table read from CSV keeps: its findings are those of
    the same table built from rows (also when blank lines make it be read line by line)."""
    from missingcare.adapters.ssda903 import read_csv, write_csv
    from missingcare.adapters.ssda903.synth import generate_return

    for seed in (1, 2, 3):
        tables = generate_return(seed)
        built = {  # as a tidy system writes them: no lower case, no spaces
            name: Table.from_records(
                name,
                [
                    {k: None if v is None else v.upper().replace(" ", "") for k, v in r.items()}
                    for r in tables[name]
                ],
            )
            for name in ("Header", "Episodes", "Missing")
        }
        read = {name: read_csv(write_csv(t), expect=name) for name, t in built.items()}
        assert all(read[name]._column_cells() is not None for name in read)
        blank = b"\r\n \r\n"  # a blank line: not a row
        holed = read_csv(write_csv(built["Missing"]).replace(b"\r\n", blank, 2), expect="Missing")
        for missing in (read["Missing"], holed):
            a = validate(
                Return903(header=built["Header"], episodes=built["Episodes"],
                          missing=built["Missing"]), "2025/26",
            )  # fmt: skip
            b = validate(
                Return903(header=read["Header"], episodes=read["Episodes"], missing=missing),
                "2025/26",
            )
            assert a.findings
            renumber = dict(enumerate(missing.row_numbers))
            assert [(f.rule, f.table, f.row, f.problem) for f in b.findings] == [
                (f.rule, f.table, renumber[f.row] if f.table == "Missing" else f.row, f.problem)
                for f in a.findings
            ]


def test_care_rules_do_not_depend_on_the_order_of_episodes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """577, 578 and 581 read a child's chained episodes in one step when they are in order
    (each starting the day the one before ended); the same episodes in another order go
    the long way, through the interval engine: the rows flagged are the same."""
    import random

    from missingcare.adapters.ssda903 import rules
    from missingcare.adapters.ssda903.synth import generate_return

    chained: list[object] = []
    one_chain = rules._one_chain

    def spy(*args: object) -> object:
        got = one_chain(*args)  # type: ignore[arg-type]
        chained.append(got)
        return got

    monkeypatch.setattr(rules, "_one_chain", spy)
    for seed in (1, 2, 3, 4, 6, 7):  # (seeds whose episodes are in order)
        tables = generate_return(seed, tidy_children=0.5)
        episodes = tables["Episodes"]
        shuffled = list(episodes)
        random.Random(seed).shuffle(shuffled)
        found = []
        for eps in (episodes, shuffled):
            ret = Return903(
                header=Table.from_records("Header", tables["Header"]),
                episodes=Table.from_records("Episodes", eps),
                missing=Table.from_records("Missing", tables["Missing"]),
            )
            report = validate(ret, "2025/26", codes=["577", "578", "581"])
            found.append({(f.rule, f.row) for f in report.findings})
        assert found[0] == found[1]
        assert found[0]
    assert sum(c is not None for c in chained) > 100  # (the one-step way was taken)
