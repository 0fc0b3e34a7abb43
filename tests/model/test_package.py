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
MATHS_MODULES = [
    "validation", "breakeven", "token_costs", "training", "hosting", "cost_model", "prices", "sources",
]
SECTIONS = ("Parameters", "Returns", "Raises", "Examples")
#: Public functions that cannot raise on any input their type allows: no Raises section needed.
CANNOT_RAISE = {"cost_model.TCOResult.summary", "breakeven.BreakevenTime.summary"}


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
    # The module is cost_model, so nothing can shadow the `tco` function any more.
    code = (f"import ftroi_helpers.cost_model\nfrom ftroi_helpers import {order}\n"
            "import inspect; print(inspect.isfunction(tco))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "True"


def test_no_submodule_shares_a_name_with_an_export():
    assert not set(ftroi_helpers._EXPORTS) & ftroi_helpers._SUBMODULES


def test_the_package_module_is_a_plain_module_without_a_guard_class():
    assert type(ftroi_helpers) is type(os)


@pytest.mark.parametrize("name", sorted(ftroi_helpers._EXPORTS))
def test_every_export_imports_from_the_package_and_is_its_modules_object(name):
    module = importlib.import_module(f"ftroi_helpers.{ftroi_helpers._EXPORTS[name]}")
    namespace: dict = {}
    exec(f"from ftroi_helpers import {name}", namespace)  # noqa: S102
    assert namespace[name] is getattr(module, name)


#: Every public name the package exported before the cost model's module layout changed (the
#: ``tco`` module became ``cost_model`` and ``scenarios`` was split). None may disappear.
NAMES_BEFORE_THE_SPLIT = (
    "breakeven_requests breakeven_days explain_breakeven explain_breakeven_days request_cost "
    "monthly_tokens monthly_inference_savings training_cost_tokens training_cost_gpu "
    "self_hosted_cost_per_1k_req hosting_cost_per_month HOURS_PER_MONTH Scenario TCOResult tco "
    "simulate replace load_prices price_row volume_band volume_bands_table VOLUME_BANDS "
    "tokens_per_month_rule token_rules_table decision_tree decision_tree_table DECISION_TREE "
    "DATA_QUALITY_CHECKLIST check_data_quality quality_by_task task_quality_delta_check "
    "held_out_split accuracy_interval difference_interval compare_evals min_examples_to_detect "
    "simulate_eval measured_delta_spread cost_per_correct_answer expected_cost_per_request "
    "quality_adjusted_comparison smaller_model_matches training_set_size "
    "training_set_sizes_table months_to_break_even breakeven_timeline gpu_utilization "
    "gpu_breakeven_requests_per_month inference_savings_table compare_scenarios tornado "
    "monte_carlo MonteCarloResult DEFAULT_RANGES GPU_BILLED_RANGES ASSUMPTION_LABELS sweep "
    "ranges_around share_text tornado_figure monte_carlo_figure cost_curves_figure ask"
).split()


@pytest.mark.parametrize("name", NAMES_BEFORE_THE_SPLIT)
def test_every_name_exported_before_the_split_still_imports(name):
    namespace: dict = {}
    exec(f"from ftroi_helpers import {name}", namespace)  # noqa: S102
    assert namespace[name] is not None


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
    assert "breakeven.breakeven_requests" in PUBLIC and "cost_model.Scenario.from_tokens" in PUBLIC


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
