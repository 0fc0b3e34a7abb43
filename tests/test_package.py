"""Import-time rules: ``import ftroi_helpers`` is cheap, every export resolves, and every public
function of the maths modules is documented with a runnable example."""

from __future__ import annotations

import importlib
import inspect
import json
import os
import subprocess
import sys

import pytest

import ftroi_helpers

HEAVY = ("pandas", "matplotlib", "ipywidgets")
MATHS_MODULES = ["validation", "breakeven", "tokens", "training", "hosting", "tco", "prices"]
SECTIONS = ("Parameters", "Returns", "Raises", "Examples")
#: Public functions that cannot raise on any input their type allows: no Raises section needed.
CANNOT_RAISE = {"tco.TCOResult.summary"}


def _modules_after(code: str) -> set[str]:
    """Top-level package names in sys.modules after running ``code`` in a fresh interpreter."""
    probe = code + "\nimport sys, json; print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, env=env)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_importing_the_package_loads_no_pandas_matplotlib_or_ipywidgets():
    loaded = _modules_after("import ftroi_helpers")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_importing_the_package_does_not_even_load_numpy():
    assert "numpy" not in _modules_after("import ftroi_helpers")


@pytest.mark.parametrize("module", [*MATHS_MODULES, "selfcheck", "cli"])
def test_maths_modules_import_without_pandas_matplotlib_or_ipywidgets(module):
    loaded = _modules_after(f"import ftroi_helpers.{module}")
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_the_break_even_command_runs_without_pandas_or_matplotlib():
    loaded = _modules_after(
        "import contextlib, io\n"
        "from ftroi_helpers.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['breakeven', '--hosted', '15', '--self-hosted', '2', '--one-time', '400'])"
    )
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))


def test_calling_a_maths_function_from_the_package_top_level_stays_light():
    loaded = _modules_after("import ftroi_helpers as f\nf.breakeven_requests(15, 2, 400)\n"
                            "f.simulate(f.Scenario())")
    assert not loaded & set(HEAVY)


@pytest.mark.parametrize("name", ftroi_helpers.__all__)
def test_every_name_in_all_resolves(name):
    assert getattr(ftroi_helpers, name) is not None


@pytest.mark.parametrize("order", ["Scenario, tco", "tco, Scenario"])
def test_from_the_package_tco_is_the_function_whatever_the_import_order(order):
    # `tco` is both a submodule and an exported function. Importing the submodule (which
    # resolving `Scenario` does) must not leave the package's `tco` pointing at the module.
    code = (f"from ftroi_helpers import {order}\n"
            "import inspect; print(inspect.isfunction(tco))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "True"


def test_an_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        ftroi_helpers.nope  # noqa: B018


def test_dir_lists_the_exports():
    assert set(dir(ftroi_helpers)) == set(ftroi_helpers.__all__)


def _public_functions():
    for module_name in MATHS_MODULES:
        module = importlib.import_module(f"ftroi_helpers.{module_name}")
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                yield f"{module_name}.{name}", obj
            elif inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if attr.startswith("_"):
                        continue
                    if isinstance(member, classmethod):
                        member = member.__func__
                    if inspect.isfunction(member):
                        yield f"{module_name}.{name}.{attr}", member


PUBLIC = dict(_public_functions())


def test_the_maths_modules_have_public_functions_to_check():
    assert "breakeven.breakeven_requests" in PUBLIC and "tco.Scenario.from_tokens" in PUBLIC


@pytest.mark.parametrize("qualname", sorted(PUBLIC))
def test_every_public_maths_function_has_a_numpy_docstring_with_examples(qualname):
    doc = inspect.getdoc(PUBLIC[qualname]) or ""
    summary = doc.splitlines()[0] if doc else ""
    assert summary.strip(), f"{qualname} has no one-line summary"
    missing = [s for s in SECTIONS if f"\n{s}\n{'-' * len(s)}" not in f"\n{doc}"]
    if not [p for p in inspect.signature(PUBLIC[qualname]).parameters if p not in ("self",)]:
        missing = [s for s in missing if s != "Parameters"]
    if qualname in CANNOT_RAISE:
        missing = [s for s in missing if s != "Raises"]
    assert not missing, f"{qualname} lacks {missing}"
    examples = doc.split("Examples\n--------", 1)[1]
    assert ">>> " in examples, f"{qualname}'s Examples section has no doctest"


@pytest.mark.parametrize("qualname", sorted(PUBLIC))
def test_every_public_maths_function_has_type_hints(qualname):
    sig = inspect.signature(PUBLIC[qualname])
    unannotated = [p.name for p in sig.parameters.values()
                   if p.name not in ("self", "cls") and p.annotation is inspect.Parameter.empty]
    assert not unannotated, f"{qualname}: {unannotated}"
    assert sig.return_annotation is not inspect.Signature.empty, qualname


def test_python_m_runs_the_command_line_and_importing_main_does_not():
    import ftroi_helpers.__main__ as entry  # importing must not run (or exit)

    assert entry.__name__ == "ftroi_helpers.__main__"
    out = subprocess.run([sys.executable, "-m", "ftroi_helpers", "--version"],
                         capture_output=True, text=True)
    assert out.returncode == 0
    assert out.stdout.strip() == f"ftroi {ftroi_helpers.__version__}"
