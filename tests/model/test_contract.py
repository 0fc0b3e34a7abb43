"""The input contract, fuzzed: every public function, calculator control and command-line flag.

Issue 11: "Every input gets the right number or a clear message". Hypothesis draws bad and
extreme inputs -- NaN, +-inf, negatives, zero, strings, None, bools, complex numbers, 1e308,
400-digit integers, empty, ragged and complex arrays, lists, pandas Series, values outside a
slider's range -- and checks the contract:

* a valid input gives a finite number (the right one, where an exact oracle exists: see
  ``tests/contract_cases.py``), "never" as None / a masked element / pd.NA exactly where the
  true answer is "never" (ftroi_helpers.never), or a "too large" error naming the inputs;
  never an inf or a NaN anywhere in a result, never a nonsense sentence;
* an invalid input raises ValueError or TypeError whose message names the caller's parameter
  and is short;
* nothing else escapes: no other exception, no warning;
* a calculator never clamps, shows any error beside its controls with the figure hidden, and
  recovers; the command line answers with one line and exit code 2, never a traceback.

The runs are seeded (``derandomize=True``), so every run draws the same cases: more than 5,000
in all (``test_at_least_5000_cases_were_drawn``).
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings
from typing import Any

import contract_cases as cc
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ftroi_helpers
from ftroi_helpers import calculators
from ftroi_helpers.cli import main as cli_main

CASES = cc.cases()
DRAWN = {"functions": 0, "scenario": 0, "calculators": 0, "cli": 0}


def fuzz(n: int):
    """Seeded settings: the same ``n`` cases every run, no example database on disk.

    The property tests run with coverage tracing paused (it would double their time); the
    branches they reach are pinned by test_contract_errors.py.
    """
    seeded = settings(max_examples=n, derandomize=True, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))

    def decorate(test):
        run = seeded(test)

        def untraced():
            with _coverage_paused():
                run()

        untraced.__name__, untraced.__doc__ = test.__name__, test.__doc__
        untraced.hypothesis = run.hypothesis  # still a hypothesis test to pytest
        return untraced

    return decorate


@contextlib.contextmanager
def _coverage_paused():
    """Stop coverage's tracer (when one runs) for the duration; restart it after."""
    try:
        import coverage

        cov = coverage.Coverage.current()
    except ImportError:  # pragma: no cover - coverage is a test dependency
        cov = None
    if cov is not None:
        cov.stop()
    try:
        yield
    finally:
        if cov is not None:
            cov.start()


# -- values --------------------------------------------------------------------------------------
EXTREME_FLOATS = st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, 2.5, 1e-300, 5e-324, -5e-324,
                                  1e15, 1e100, 1e300, 1e308, 1.7976931348623157e308, -1e308,
                                  math.nan, math.inf, -math.inf])
HUGE_INTS = st.sampled_from([10**400, -(10**400), 2**53 + 1, 10**18, -1])
FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64)
ODD = st.sampled_from(["abc", "", "3", "1e3", None, True, False, np.bool_(True), 1j,
                       complex(2, 0), b"1", {"a": 1}, object(), [], [[1, 2], [3]], ["a"], [1j],
                       [True, False], "x" * 5_000])


@st.composite
def arrays(draw: Any) -> Any:
    """Arrays and array-likes: numpy (float, int, complex, bool, 2-D), lists, Series."""
    n = draw(st.integers(0, 4))
    values = draw(st.lists(st.one_of(EXTREME_FLOATS, st.floats(0, 1e6)), min_size=n,
                           max_size=n))
    kind = draw(st.sampled_from(["ndarray", "list", "series", "int", "complex", "2d", "mixed"]))
    if kind == "ndarray":
        return np.array(values, dtype=float)
    if kind == "list":
        return list(values)
    if kind == "series":
        return pd.Series(values, dtype=float)
    if kind == "int":
        return np.array([int(v) for v in values if math.isfinite(v) and abs(v) < 1e18],
                        dtype=np.int64)
    if kind == "complex":
        return np.array(values, dtype=complex) + 1j
    if kind == "2d":
        return np.array(values + values, dtype=float).reshape(2, -1) if values else \
            np.zeros((2, 0))
    return [*values, "x"]


NUMBERISH = st.one_of(EXTREME_FLOATS, FLOATS, HUGE_INTS, st.integers(-10**6, 10**6), ODD,
                      arrays())


def values_for(domain: Any) -> st.SearchStrategy:
    """Values to try for one parameter: its own good and bad values, and anything odd."""
    good = cc.good_values(domain)
    bad = cc.bad_values(domain)
    pools = [st.sampled_from(bad)]
    if good:
        pools.append(st.sampled_from(good))
    if isinstance(domain, cc.Num):
        pools.append(NUMBERISH)
    return st.one_of(*pools)


# -- validity of a drawn value ---------------------------------------------------------------------
def valid(domain: Any, value: Any, good: list[Any]) -> bool:
    """Whether ``value`` lies in ``domain`` (the other arguments being valid)."""
    if isinstance(domain, cc.Num):
        return _valid_number(domain, value)
    if isinstance(domain, cc.Choice):
        return (value is None and domain.none) or (
            isinstance(value, str) and value in domain.options)
    if isinstance(domain, cc.Flag):
        return isinstance(value, (bool, np.bool_)) or (value is None and domain.none)
    return any(value is g for g in good)


def _valid_number(d: cc.Num, value: Any) -> bool:
    if value is None:
        return d.none
    if isinstance(value, (bool, np.bool_, str, bytes, complex, np.complexfloating, dict)):
        return False
    if isinstance(value, (int, np.integer)):
        v = int(value)
        if abs(v).bit_length() > 1000:
            return d.huge_ok and v >= d.lo and d.whole
        return d.contains(float(v)) and v <= d.limit  # (a float rounds 2**53 + 1 down)
    if isinstance(value, (float, np.floating)):
        return d.contains(float(value))
    if isinstance(value, (list, tuple, np.ndarray, pd.Series)):
        if not d.array:
            return False
        try:
            arr = np.asarray(value)
        except ValueError:
            return False
        if arr.dtype.kind not in "iuf" or (d.flat and arr.ndim > 1):
            return False
        if arr.size == 0:
            return d.empty_ok
        return all(d.contains(float(x)) for x in arr.ravel())
    return False


# -- public functions ------------------------------------------------------------------------------
#: Functions that draw a figure or build a widget or a big table: drawn a third as often.
SLOW = {"breakeven_figure", "cost_curves_figure", "misuse_table", "misuse_scenarios", "predict",
        "ask", "measured_delta_spread", "inference_savings_table", "breakeven_range_table"}
PAIRS = [(name, param) for name, case in CASES.items() for param in case.domains
         for _ in range(1 if name in SLOW else 3)]
STRATEGIES = {(name, param): values_for(case.domains[param])
              for name, case in CASES.items() for param in case.domains}
GOOD = {(name, param): cc.good_values(case.domains[param])
        for name, case in CASES.items() for param in case.domains}


@st.composite
def function_calls(draw: Any) -> tuple[cc.Case, str, Any]:
    name, param = draw(st.sampled_from(PAIRS))
    return CASES[name], param, draw(STRATEGIES[name, param])


@fuzz(3_150)
@given(function_calls())
def test_every_public_function_gives_the_right_number_or_names_the_parameter(call):
    case, param, value = call
    DRAWN["functions"] += 1
    domain = case.domains[param]
    ok = valid(domain, value, GOOD[case.name, param])
    kwargs = {**case.valid, param: value}
    oracle = array_oracle = None
    if case.oracle is not None and ok and np.ndim(value) == 0:
        def oracle():
            return case.oracle(*kwargs.values())
    elif case.oracle is not None and ok:
        def array_oracle():
            # the exact answer of every element, to check where a masked result says never
            columns = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in kwargs.values()))
            return [case.oracle(*row) for row in zip(*(c.ravel() for c in columns),
                                                     strict=True)]
    verdict = cc.judge(case.name, param, value, ok, lambda: case.func(**kwargs), oracle=oracle,
                       cross_checked=case.cross_checked, array_oracle=array_oracle)
    if ok and "too large" in verdict.detail:
        assert _extreme(kwargs.values()), f"{case.name}({param}={cc.short(value)}): {verdict}"
    assert verdict.fine, f"{case.name}({param}={cc.short(value)}): {verdict}"


def _extreme(values: Any) -> bool:
    """Whether some argument is extreme enough for an honest "too large" (or too small)."""
    for v in values:
        try:
            arr = np.abs(np.asarray(v, dtype=float))
        except (TypeError, ValueError, OverflowError):
            continue
        if arr.size and (arr.max() >= 1e15 or 0 < arr[arr > 0].min(initial=1) < 1e-15):
            return True
    return False


# -- the scenario: every field, through tco and simulate ------------------------------------------
FIELDS = cc.scenario_fields()


FIELD_STRATEGIES = {name: st.one_of(values_for(cc.scenario_domain(name, default)),
                                    st.sampled_from(cc.scalar_only_bad()))
                    for name, default in FIELDS.items()}


@st.composite
def scenario_calls(draw: Any) -> tuple[str, Any, bool]:
    name = draw(st.sampled_from(sorted(FIELDS)))
    value = draw(FIELD_STRATEGIES[name])
    as_array = draw(st.booleans()) and name != "horizon_months"
    return name, value, as_array


def _bool_array(value: Any) -> bool:
    """True/False, or a non-empty 1-D list, array or Series of them (a flag in simulate)."""
    if isinstance(value, (bool, np.bool_)):
        return True
    if not isinstance(value, (list, tuple, np.ndarray, pd.Series)):
        return False
    try:
        arr = np.asarray(value)
    except ValueError:
        return False
    return arr.dtype == bool and arr.ndim == 1 and arr.size > 0


def _base(name: str) -> Any:
    """The default scenario, served by its GPUs alone when the hosting fee is fuzzed."""
    if name == "hosting_usd_per_month":  # a flat price per request too would pay twice
        return ftroi_helpers.Scenario(self_hosted_cost_per_1k_req=0)
    return ftroi_helpers.Scenario()


@fuzz(1_100)
@given(scenario_calls())
def test_every_scenario_field_gives_a_finite_tco_or_names_the_field(call):
    name, value, as_array = call
    DRAWN["scenario"] += 1
    domain = cc.scenario_domain(name, FIELDS[name])
    if as_array:
        # simulate() takes arrays of any field but the horizon
        if isinstance(domain, cc.Flag):  # a 1-D array of True/False
            ok = _bool_array(value)
        else:
            arr_domain = cc.Num(domain.lo, domain.hi, domain.lo_open, domain.hi_open,
                                domain.whole, array=True, huge_ok=domain.huge_ok, flat=True,
                                empty_ok=False, also=domain.also)  # model_switch_month's 0
            ok = valid(arr_domain, value, [])
        verdict = cc.judge("simulate", name, value, ok,
                           lambda: ftroi_helpers.simulate(_base(name), **{name: value}))
    else:
        ok = valid(domain, value, [])
        verdict = cc.judge("Scenario", name, value, ok,
                           lambda: ftroi_helpers.tco(ftroi_helpers.replace(_base(name),
                                                                           **{name: value})))
    if ok and "too large" in verdict.detail:
        assert _extreme([value]), f"{name}={cc.short(value)}: {verdict}"
    assert verdict.fine, f"{name}={cc.short(value)} ({'array' if as_array else 'scalar'}): " \
                         f"{verdict}"


# -- calculators ---------------------------------------------------------------------------------
FACTORIES = sorted(n for n in calculators._index() if not n.endswith("_outcome"))
_BUILT: dict[str, Any] = {}


_PRISTINE: dict[str, dict[str, Any]] = {}


def _calculator(name: str) -> Any:
    if name not in _BUILT:
        _BUILT[name] = calc = getattr(calculators, name)()
        _PRISTINE[name] = calc.values() if hasattr(calc, "values") else {}
    return _BUILT[name]


CONTROLS = [(name, control) for name in FACTORIES
            for control in getattr(_calculator(name), "controls", {})]
CALC_VALUES = st.one_of(EXTREME_FLOATS, HUGE_INTS, st.integers(-10, 10**7),
                        st.floats(-1e6, 1e9), ODD)


@st.composite
def control_settings(draw: Any) -> tuple[str, str, Any]:
    name, control = draw(st.sampled_from(CONTROLS))
    calc = _calculator(name)
    w = calc.controls[control]
    options = [o[1] if isinstance(o, tuple) else o for o in getattr(w, "options", ())]
    extra = [st.sampled_from(options)] if options else []
    default = w.value
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        # outside the slider's range on both sides, and just inside
        extra.append(st.sampled_from([default * 10 + 1000, -abs(default) - 1,
                                      getattr(w, "max", default) * 3 + 1,
                                      getattr(w, "min", 0) - 5]))
    return name, control, draw(st.one_of(CALC_VALUES, *extra))


@fuzz(300)
@given(control_settings())
def test_every_calculator_control_holds_its_value_or_says_why_and_recovers(setting):
    name, control, value = setting
    DRAWN["calculators"] += 1
    calc = _calculator(name)
    defaults = _PRISTINE[name]
    if calc.values() != defaults or calc.error is not None:
        calc.set(**defaults)  # each case starts from the calculator's own start values
    w = calc.controls[control]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            calc.set(**{control: value})
        except (ValueError, TypeError) as exc:
            assert control in str(exc) and len(str(exc)) < 600, str(exc)
            assert calc.controls[control].value == defaults[control]  # nothing changed
        else:
            # never clamped: the control holds exactly the value set
            expected = float(value) if isinstance(w.value, float) else value
            assert w.value == expected, f"{name}.{control}: set {value!r}, holds {w.value!r}"
            if calc.error is not None:
                assert any(c in calc.error for c in calc.controls) or "too large" in \
                    calc.error, f"{name}.{control}={cc.short(value)}: {calc.error}"
                assert "internal error" not in calc.error, calc.error
                if hasattr(calc, "image"):
                    assert calc.image.layout.display == "none"  # the stale figure is hidden
            else:
                assert cc.text_is_sane(calc.result_text), calc.result_text
    calc.set(**defaults)  # recovers
    assert calc.error is None, f"{name} did not recover: {calc.error}"
    if hasattr(calc, "image") and calc._draw is not None:
        assert calc.image.layout.display != "none"


# -- the command line ------------------------------------------------------------------------------
#: The flags each command's valid call (cc.CLI_VALID_ARGV) has a bad value put into.
CLI_SPOILED = {
    "breakeven": ["--hosted", "--self-hosted", "--one-time", "--requests-per-day"],
    "days": ["--prompt-cost", "--calls-per-day", "--training-cost", "--savings"],
    "tokens": ["--requests-per-day", "--prompted-input-tokens", "--finetuned-input-tokens",
               "--output-tokens", "--days-per-month", "--model", "--ft-model",
               "--base-usd-per-1m-input", "--ft-usd-per-1m-output"],
    "tco": [f"--{f.replace('_', '-')}" for f in cc.scenario_fields()] + ["--scenario"],
    "prices": ["--model"],
}
CLI = {command: (cc.CLI_VALID_ARGV[command], flags) for command, flags in CLI_SPOILED.items()}
CLI_FLAGS = [(command, flag) for command, (_, flags) in CLI.items() for flag in flags]
CLI_TEXT = st.one_of(
    st.sampled_from(["nan", "inf", "-inf", "-1", "0", "1e400", "abc", "", "1e308", "9" * 400,
                     "1j", "0x10", "-1e308", "2.5", "1e15", "1e-320", "1_000", " 3 ",
                     "x" * 2_000, "gpt-4o-mini-2024-07-18", "s.json", "s.toml"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**30, 10**30).map(str),
    st.text(max_size=20),
)


@fuzz(500)
@given(st.sampled_from(CLI_FLAGS), CLI_TEXT)
def test_the_command_line_answers_or_says_what_is_wrong_in_one_line(command_flag, text):
    command, flag = command_flag
    DRAWN["cli"] += 1
    base, _ = CLI[command]
    argv = [command, *base]
    if flag in argv:
        i = argv.index(flag)
        argv = argv[:i] + argv[i + 2:]
    argv += [f"{flag}={text}"]
    out, err = io.StringIO(), io.StringIO()
    with warnings.catch_warnings(record=True) as caught, \
            contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        warnings.simplefilter("always")
        code = cli_main(argv)
    assert not caught, [str(w.message) for w in caught]
    stderr = err.getvalue()
    assert "Traceback" not in stderr
    assert code in (0, 2), f"{argv}: exit {code}: {stderr}"
    if code == 0:
        assert stderr == ""
        assert cc.text_is_sane(out.getvalue()), out.getvalue()[:300]
    else:
        lines = stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("ftroi: error: "), stderr
        assert len(lines[0]) < 700
        named = flag in lines[0] or flag[2:].replace("-", "_") in lines[0]
        assert named or "too large" in lines[0], lines[0]


# -- coverage of the registry and of the count -----------------------------------------------------
def test_every_public_function_is_in_the_contract_registry():
    # A new public function must be registered (tests/contract_cases.py) or listed as taking
    # no user numbers, so the fuzzing above covers it.
    found = set(cc.public_functions())
    assert found - set(CASES) - cc.NOT_FUZZED == set()
    assert set(CASES) <= found


def test_every_scenario_field_is_fuzzed_and_has_a_flag():
    from ftroi_helpers.cli import SCENARIO_FLAGS

    assert set(FIELDS) == set(SCENARIO_FLAGS)


def test_at_least_5000_cases_were_drawn():
    # Runs after the property tests above (pytest keeps file order); run alone, it has
    # nothing to count.
    if not any(DRAWN.values()):
        pytest.skip("run with the property tests of this file")
    assert sum(DRAWN.values()) >= 5_000, DRAWN
