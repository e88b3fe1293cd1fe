"""The public surface: curated exports, no import-time side effects."""

from __future__ import annotations

import enum
import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import missingcare as mc
from missingcare import converters, exceptions, time, vocab
from missingcare.converters import MODELS
from missingcare.exceptions import (
    AmbiguousLocalTimeError,
    InvalidZoneError,
    NaiveDatetimeError,
    NonExistentLocalTimeError,
)

#: Classes added to these modules since the top level was curated, which live only there.
_NEVER_AT_THE_TOP = {"PackNotConfiguredError", "LineError", "HistoryTampered", "EmptyHistoryError"}


def test_all_is_curated_complete_and_resolves() -> None:
    # "at most ~45": 45 when curated; the plans, profiles and screenings the jurisdictions
    # need joined the model in 2026.12 (every model class is exported), Vocabulary moved off;
    # a child's significant dates (a top-level record of the case file) joined in 2026.12;
    # Recorded (when a record was written: a field of every record a person enters) in 2026.12
    assert len(mc.__all__) <= 49, "the top level holds what an embedder needs on day one"
    for name in mc.__all__:
        assert hasattr(mc, name), name
    assert len(set(mc.__all__)) == len(mc.__all__)
    for cls in MODELS:
        # a rule reference travels inside a finding; it moved off the top level in 2026.12
        assert cls.__name__ in mc.__all__ or cls.__name__ in mc._MOVED, cls.__name__
    for name in ("MissingCareError", "ValidationError", "Violation", "UnknownCodeError"):
        assert name in mc.__all__, name
    for module in (exceptions, vocab):
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) and name not in mc.__all__:
                assert (
                    name in mc._MOVED
                    or name in _NEVER_AT_THE_TOP
                    or name.startswith(("Vocabulary", "Unusable"))
                ), name


@pytest.mark.parametrize("name", sorted(mc._MOVED))
def test_a_name_moved_off_the_top_level_still_works_for_a_release(name: str) -> None:
    module, _, attr = mc._MOVED[name].rpartition(".")
    home = importlib.import_module(module)
    with pytest.warns(DeprecationWarning, match=rf"missingcare\.{name} is deprecated; use "):
        obj = getattr(mc, name)
    assert obj is getattr(home, attr)
    assert name not in mc.__all__


def test_an_unknown_top_level_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        mc.Nothing  # noqa: B018 - the lookup is the test


def test_every_public_enum_and_model_of_the_model_modules_is_exported() -> None:
    from missingcare import (
        case,
        children,
        context,
        conversations,
        dates,
        episodes,
        factors,
        plans,
        relationships,
        screenings,
    )

    modules = (
        case,
        children,
        context,
        conversations,
        dates,
        episodes,
        factors,
        plans,
        relationships,
    )
    for module in (*modules, screenings):
        for name in module.__all__:
            assert name in mc.__all__, f"{module.__name__}.{name}"
            obj = getattr(module, name)
            assert inspect.isclass(obj)
            assert issubclass(obj, enum.Enum) or hasattr(obj, "__attrs_attrs__")


def test_module_alls_resolve() -> None:
    for module in (converters, exceptions, time, vocab):
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"


def test_import_has_no_optional_or_testing_imports() -> None:
    code = (
        "import sys, missingcare, missingcare.time, missingcare.converters;"
        "bad = [m for m in ('hypothesis', 'click', 'rich', 'pyarrow', 'polars', 'pandas',"
        " 'matplotlib', 'missingcare.testing') if m in sys.modules];"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_import_reads_no_vocabulary_file() -> None:
    """The core vocabularies are read on first use, not by ``import missingcare``."""
    code = (
        "import missingcare, missingcare.vocabularies as v;"
        "print('CORE' in vars(v));"
        "missingcare.converters.make_converter();"
        "print('CORE' in vars(v))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_version_is_lazy_and_a_calver_string() -> None:
    version = mc.__version__
    assert version.count(".") == 2
    assert int(version.split(".")[0]) >= 2026


def test_exceptions_subclass_builtins() -> None:
    assert issubclass(mc.ValidationError, ValueError)
    assert issubclass(mc.ValidationError, mc.MissingCareError)
    assert issubclass(mc.UnknownCodeError, LookupError)
    for cls in (
        NaiveDatetimeError,
        AmbiguousLocalTimeError,
        NonExistentLocalTimeError,
        InvalidZoneError,
    ):
        assert issubclass(cls, mc.ValidationError)


def test_validation_error_pickles() -> None:
    import pickle

    err = mc.ValidationError.single("$.x", "wrong_type", "expected text")
    back = pickle.loads(pickle.dumps(err))
    assert back.violations == err.violations
    naive = pickle.loads(pickle.dumps(NaiveDatetimeError("$.at")))
    assert naive.paths == ("$.at",)


def test_pendulum_is_only_imported_by_the_time_module() -> None:
    from pathlib import Path

    root = Path(mc.__file__).parent
    users = sorted(
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if "import pendulum" in p.read_text() or "from pendulum" in p.read_text()
    )
    assert users == ["time.py"]


def test_no_dst_flag_logic() -> None:
    from pathlib import Path

    root = Path(mc.__file__).parent
    for p in root.rglob("*.py"):
        text = p.read_text()
        assert ".dst()" not in text, p
        assert "is_dst(" not in text, p


@pytest.mark.parametrize(
    ("module", "table"),
    [("missingcare", "_HOMES"), ("missingcare.adapters.ssda903", "_FROM_THE_MODEL")],
)
def test_the_lazy_names_agree_with_what_type_checkers_see(module: str, table: str) -> None:
    """Names imported on first use are listed for type checkers too: the two lists agree, and
    every name resolves to the object its home module defines."""
    import ast

    mod = importlib.import_module(module)
    assert mod.__file__ is not None
    tree = ast.parse(Path(mod.__file__).read_text(encoding="utf-8"))
    checked: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for stmt in node.body:
                if isinstance(stmt, ast.ImportFrom) and stmt.module:
                    checked.update({a.name: stmt.module for a in stmt.names})
    lazy = getattr(mod, table)
    homes = {k: (v if v.startswith("missingcare") else f"{module}.{v}") for k, v in lazy.items()}
    assert homes == checked
    for name, home in homes.items():
        assert getattr(mod, name) is getattr(importlib.import_module(home), name)
        assert name in dir(mod)


def test_reading_and_validating_a_903_return_imports_no_model() -> None:
    code = (
        "import sys\n"
        "from missingcare.adapters.ssda903 import read_csv, validate\n"
        "print(sorted(m for m in ('missingcare.case', 'cattrs', 'pendulum') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
