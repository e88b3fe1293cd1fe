"""The fuzz harness (``fuzz/harness.py``) runs, and its detectors bite.

No timing is asserted: the harness's figures are measured by running it
(``python fuzz/harness.py --minutes N``); this only shows a short pass runs
clean and that a crash, a leak and an unwritable accept would be reported.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests._helpers import load_script

HARNESS = Path(__file__).resolve().parent.parent / "fuzz" / "harness.py"


def _load() -> ModuleType:
    return load_script(HARNESS, "missingcare_fuzz_harness")


fuzz = _load()


def test_a_short_pass_over_the_documents_finds_nothing() -> None:
    skip = frozenset(t for t in fuzz.TARGETS if "-" in t) | {"timing"}
    tally = fuzz.run(0.02, seed_value=3, skip=skip)
    assert sum(tally.tried.values()) >= 25
    assert not any(tally.found.values()), fuzz.report(tally)["examples"]


def test_a_canary_in_a_chained_exception_is_a_leak() -> None:
    def chained() -> None:
        try:
            raise ValueError(f"holds {fuzz.CANARY_TEXT}")
        except ValueError:
            raise KeyError("clean") from None

    with pytest.raises(KeyError) as info:
        chained()
    assert fuzz._leaks(info.value, fuzz.CANARY_TEXT)  # from None: the context still holds it
    assert not fuzz._leaks(KeyError("clean"), fuzz.CANARY_TEXT)


def test_crashes_leaks_and_unwritable_accepts_are_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    from missingcare import to_json
    from missingcare.testing import builders

    cls = type(builders.case_file())
    raw = to_json(builders.case_file())

    def crash(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError(fuzz.CANARY_ID)

    tally = fuzz.Tally()
    monkeypatch.setattr(fuzz, "from_json", crash)
    fuzz._check_document(cls, raw, tally, "test")
    assert tally.found["CaseFile"]["crash"] == 2
    assert tally.found["CaseFile"]["leak"] == 2
    monkeypatch.undo()

    tally = fuzz.Tally()
    monkeypatch.setattr(fuzz, "to_json", crash)
    fuzz._check_document(cls, raw, tally, "test")
    assert tally.found["CaseFile"]["unserialisable"] == 1


@pytest.mark.parametrize("cls", fuzz.DOCUMENTS, ids=lambda c: c.__name__)
def test_a_planted_but_unmutated_document_of_every_type_is_accepted(cls: type) -> None:
    """Canaries go only where any text is valid: an id held to a pattern (a pack's
    code, an edition) gets none, or every Evaluation and Finding the harness tried
    would be refused and their accept side never exercised."""
    import json

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from missingcare import from_json, to_json

    @settings(max_examples=10, deadline=None, database=None)
    @given(st.data())
    def check(data: st.DataObject) -> None:
        value = data.draw(fuzz.STRATEGIES[cls]())
        planted = json.dumps(fuzz._plant(json.loads(to_json(value))))
        from_json(planted, cls)

    check()
