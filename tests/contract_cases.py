"""What every public function accepts: the registry behind the input-contract suite.

For each public function of ``ftroi_helpers`` this module records one valid call and the domain
of each parameter; for the pure formulas it also records an independent oracle (exact rational
arithmetic with :class:`fractions.Fraction`), so a fuzzed valid input can be checked for the
right number, not only for "some number". ``tests/model/test_contract.py`` draws bad and extreme inputs
from these domains; ``benchmarks/fuzz_inputs.py`` uses the same registry to report how many
errors name the parameter.

The public functions are discovered from every module's ``__all__``; a new public function
that is neither registered here nor listed in :data:`NOT_FUZZED` fails
``test_every_public_function_is_in_the_contract_registry``.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

import ftroi_helpers

BIG = 1e300  # an intermediate beyond this may overflow: a "too large" error is then acceptable


# -- domains -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Num:
    """A real number in an interval (optionally whole, optionally an array)."""

    lo: float = -math.inf
    hi: float = math.inf
    lo_open: bool = False
    hi_open: bool = False
    whole: bool = False
    array: bool = False
    #: Valid but rejected by a limit (e.g. MAX_HORIZON_MONTHS): an error must then say so.
    limit: float = math.inf
    #: None is accepted too (it means "the default").
    none: bool = False
    #: Integers of any size are right (a count only compared, a seed).
    huge_ok: bool = False
    #: +-inf is accepted (a formatter that prints "never").
    inf_ok: bool = False
    #: An empty array is a valid input (an empty result); else it is refused by name.
    empty_ok: bool = True
    #: Only one number or a 1-D list (a table's rows, scenarios): a 2-D array is refused.
    flat: bool = False
    #: Single values valid outside the interval (model_switch_month: 0 = no switch).
    also: tuple = ()

    def contains(self, x: float) -> bool:
        if self.inf_ok and math.isinf(x) or x in self.also:
            return True
        if not math.isfinite(x):
            return False
        if self.whole and not float(x).is_integer():
            return False
        above = x > self.lo if self.lo_open else x >= self.lo
        below = x < self.hi if self.hi_open else x <= self.hi
        return above and below and x <= self.limit

    def samples(self) -> list[float]:
        """In-domain values at and near the edges, plus ordinary ones."""
        lo = 0.0 if math.isinf(self.lo) else self.lo
        out = [lo + 1 if self.lo_open or not math.isinf(self.hi) and lo + 1 > self.hi else lo]
        if not self.lo_open:
            out.append(self.lo if math.isfinite(self.lo) else -1e6)
        if math.isfinite(self.hi):
            out += [self.hi if not self.hi_open else self.hi - (1e-9 if not self.whole else 1),
                    (lo + self.hi) / 2]
        else:
            out += [1.0, 7.0, 123.0, 1e6, 1e15, 1e100, 1e300, 1.7e308]
        if not self.whole:
            out += [lo + 5e-324 if self.lo_open else lo, lo + 1e-300 if self.lo_open else lo,
                    (lo + 0.5) if self.hi >= lo + 0.5 else lo]
        return [x for x in (float(round(v)) if self.whole else float(v) for v in out)
                if self.contains(x)]


@dataclass(frozen=True)
class Choice:
    """One of a set of options (strings or other values)."""

    options: tuple
    #: Whether None is allowed as well.
    none: bool = False


@dataclass(frozen=True)
class Flag:
    """True or False (optionally None)."""

    none: bool = False


@dataclass(frozen=True)
class Obj:
    """An object of a given kind (a Scenario, a mapping...), with bad values to try."""

    kind: str
    none: bool = False


NONNEG = Num(0.0)
NONNEG_A = Num(0.0, array=True)
POS = Num(0.0, lo_open=True)
POS_A = Num(0.0, lo_open=True, array=True)
REAL_A = Num(array=True)
FRAC = Num(0.0, 1.0)
FRAC_A = Num(0.0, 1.0, array=True)
FRAC_POS = Num(0.0, 1.0, lo_open=True)
FRAC_POS_A = Num(0.0, 1.0, lo_open=True, array=True)
FRAC_OPEN = Num(0.0, 1.0, lo_open=True, hi_open=True)
PCT = Num(0.0, 100.0)
SEED = Num(0.0, whole=True, huge_ok=True)
#: A training cost in USD, or None for the workbook's computed run (ftroi_helpers.training).
NONNEG_OR_RUN = Num(0.0, none=True)


def INT(minimum: int = 0, limit: float = math.inf, **kw: Any) -> Num:  # noqa: N802 - a type
    return Num(float(minimum), whole=True, limit=limit, **kw)


#: A number, or "never": None (ftroi_helpers.never), and +inf read as never too; -inf is refused.
NUM_OR_NEVER = Num(none=True, also=(math.inf,))


# -- oracles (exact arithmetic) -----------------------------------------------------------------
class Never:
    """The oracle's "never": the function must return None (a number) or mask it (an array).

    Issue 11: a function never returns inf or NaN to stand for "never" (ftroi_helpers.never).
    """


NEVER = Never()


def _q(x: float) -> Fraction:
    return Fraction(float(x))


def _breakeven_requests(h, s, o):
    h, s, o = _q(h), _q(s), _q(o)
    if h > s:
        return o * 1000 / (h - s), max(o * 1000, h, s)
    return (Fraction(0), 0) if o == 0 and h == s else (NEVER, 0)


def _breakeven_days(p, v, t, s):
    p, v, t, s = _q(p), _q(v), _q(t), _q(s)
    daily = p * v * s
    if t == 0:
        return Fraction(0), 0
    return (t / daily, max(p * v, t)) if daily > 0 else (NEVER, 0)


def _months_to_break_even(o, m):
    o, m = _q(o), _q(m)
    if m > 0:
        return o / m, o
    return (Fraction(0), 0) if o == 0 and m == 0 else (NEVER, 0)


def _request_cost(ti, to, pi, po):
    a, b = _q(ti) * _q(pi), _q(to) * _q(po)
    return (a + b) / 1_000_000, max(a, b)


def _monthly_tokens(r, t, d=30):
    x = _q(r) * _q(t)
    return x * _q(d), max(x, x * _q(d))


def _training_cost_tokens(t, e, p):
    x = _q(t) * _q(e) * _q(p)
    return x / 1_000_000, max(x, _q(t) * _q(e))


def _training_cost_gpu(h, r, g=1):
    x = _q(h) * _q(r)
    return x * _q(g), max(x, x * _q(g))


def _hosting_cost_per_month(r, h=730.0):
    x = _q(r) * _q(h)
    return x, x * 10**10  # rounding to 10 decimals scales by 1e10


def _self_hosted_cost_per_1k_req(r, c, u, g=1):
    served = _q(c) * 3600 * _q(u)
    bill = _q(r) * _q(g)
    return bill / served * 1000, max(bill * 1000, served, bill / served * 1000)


def _gpu_utilization(v, c, g=1, h=730.0):
    cap = _q(c) * 3600 * _q(h) * _q(g)
    return _q(v) / cap, max(cap, _q(v))


def _gpu_breakeven(r, hosted, g=1, h=730.0):
    bill = _q(r) * _q(h) * _q(g)
    return bill / _q(hosted) * 1000, max(bill * 10**10, bill / _q(hosted) * 1000)


def _monthly_inference_savings(r, pi, fi, o, bi, bo, fip, fop, days_per_month=30, naive=False):
    rm = _q(r) * _q(days_per_month)
    if naive:
        x = rm * (_q(pi) - _q(fi)) * _q(fip)
        return x / 1_000_000, max(abs(x), rm * max(_q(pi), _q(fi)), rm)
    prompted = (_q(pi) * _q(bi) + _q(o) * _q(bo)) / 1_000_000
    tuned = (_q(fi) * _q(fip) + _q(o) * _q(fop)) / 1_000_000
    terms = [_q(pi) * _q(bi), _q(o) * _q(bo), _q(fi) * _q(fip), _q(o) * _q(fop)]
    return rm * (prompted - tuned), max([rm, *terms, rm * max(prompted, tuned)])


def _cost_per_correct(c, a):
    return _q(c) / _q(a), _q(c) / _q(a)


def _expected_cost(c, a, e):
    x = (1 - _q(a)) * _q(e)
    return _q(c) + x, max(_q(c), x)


# -- the registry --------------------------------------------------------------------------------
@dataclass
class Case:
    """One public function: a valid call, each parameter's domain, and an optional oracle."""

    name: str
    valid: dict[str, Any]
    domains: dict[str, Any]
    #: ``oracle(**numbers) -> (exact Fraction or NEVER, largest intermediate magnitude)``.
    oracle: Callable[..., tuple[Any, Any]] | None = None
    #: Keyword-only / positional: parameters passed by keyword (all are, here).
    #: Parameters that must stay fixed while another is fuzzed (e.g. both of a cross-check).
    cross_checked: frozenset = field(default_factory=frozenset)
    #: Outputs are text (check for 'nan'/'inf' in it).
    text_output: bool = False

    @property
    def func(self) -> Callable[..., Any]:
        return public_functions()[self.name]


def _scenario():
    return ftroi_helpers.Scenario()


MODELS = ("gpt-4o-mini-2024-07-18", "gpt-4o-2024-08-06")
TASKS = ("Simple classification", "Entity extraction", "Content generation", "Complex analysis")


def cases() -> dict[str, Case]:
    """Every registered public function, by name."""
    c: list[Case] = [
        Case("breakeven_requests",
             {"hosted_cost_per_1k_req": 15, "self_hosted_cost_per_1k_req": 2,
              "one_time_finetune_cost": 400},
             {"hosted_cost_per_1k_req": NONNEG_A, "self_hosted_cost_per_1k_req": NONNEG_A,
              "one_time_finetune_cost": NONNEG_A}, _breakeven_requests),
        Case("explain_breakeven",
             {"hosted_cost_per_1k_req": 15, "self_hosted_cost_per_1k_req": 2,
              "one_time_finetune_cost": 400},
             {"hosted_cost_per_1k_req": NONNEG, "self_hosted_cost_per_1k_req": NONNEG,
              "one_time_finetune_cost": NONNEG}, text_output=True),
        Case("breakeven_days",
             {"prompt_cost_per_call": 0.002, "calls_per_day": 10_000, "training_cost": 300,
              "savings_fraction": 0.6},
             {"prompt_cost_per_call": NONNEG_A, "calls_per_day": NONNEG_A,
              "training_cost": NONNEG_A, "savings_fraction": FRAC_A}, _breakeven_days),
        Case("explain_breakeven_days",
             {"prompt_cost_per_call": 0.002, "calls_per_day": 10_000, "training_cost": 300,
              "savings_fraction": 0.6},
             {"prompt_cost_per_call": NONNEG, "calls_per_day": NONNEG,
              "training_cost": NONNEG, "savings_fraction": FRAC}, text_output=True),
        Case("request_cost",
             {"input_tokens": 800, "output_tokens": 50, "usd_per_1m_input_tokens": 0.15,
              "usd_per_1m_output_tokens": 0.6},
             {"input_tokens": NONNEG_A, "output_tokens": NONNEG_A,
              "usd_per_1m_input_tokens": NONNEG_A, "usd_per_1m_output_tokens": NONNEG_A},
             _request_cost),
        Case("cacheable_tokens",
             {"cached_input_tokens": 1_100, "cache_min_tokens": 1024,
              "cache_increment_tokens": 128},
             {"cached_input_tokens": NONNEG_A, "cache_min_tokens": INT(0, 1e9, none=True),
              "cache_increment_tokens": INT(1, 1e9, none=True)}),
        Case("monthly_tokens",
             {"requests_per_day": 10_000, "tokens_per_request": 850, "days_per_month": 30},
             {"requests_per_day": NONNEG_A, "tokens_per_request": NONNEG_A,
              "days_per_month": POS_A}, _monthly_tokens),
        Case("monthly_inference_savings",
             {"requests_per_day": 10_000, "prompted_input_tokens": 800,
              "finetuned_input_tokens": 200, "output_tokens": 50, "base_usd_per_1m_input": 0.15,
              "base_usd_per_1m_output": 0.6, "ft_usd_per_1m_input": 0.3,
              "ft_usd_per_1m_output": 1.2, "days_per_month": 30, "naive": False},
             {"requests_per_day": NONNEG_A, "prompted_input_tokens": NONNEG_A,
              "finetuned_input_tokens": NONNEG_A, "output_tokens": NONNEG_A,
              "base_usd_per_1m_input": NONNEG_A, "base_usd_per_1m_output": NONNEG_A,
              "ft_usd_per_1m_input": NONNEG_A, "ft_usd_per_1m_output": NONNEG_A,
              "days_per_month": POS_A, "naive": Flag()},
             _monthly_inference_savings),
        Case("training_cost_tokens",
             {"training_tokens": 1_000_000, "epochs": 3, "usd_per_1m_training_tokens": 3.0},
             {"training_tokens": NONNEG_A, "epochs": POS_A,
              "usd_per_1m_training_tokens": NONNEG_A}, _training_cost_tokens),
        Case("training_cost_gpu", {"gpu_hours": 4, "usd_per_gpu_hour": 1.0, "gpus": 1},
             {"gpu_hours": NONNEG_A, "usd_per_gpu_hour": NONNEG_A, "gpus": POS_A},
             _training_cost_gpu),
        Case("hosting_cost_per_month", {"usd_per_hour": 1.006, "hours_per_month": 730},
             {"usd_per_hour": NONNEG_A, "hours_per_month": NONNEG_A}, _hosting_cost_per_month),
        Case("self_hosted_cost_per_1k_req",
             {"usd_per_gpu_hour": 1.006, "requests_per_second_capacity": 10,
              "utilization": 0.5, "gpus": 1},
             {"usd_per_gpu_hour": NONNEG_A, "requests_per_second_capacity": POS_A,
              "utilization": FRAC_POS_A, "gpus": POS_A}, _self_hosted_cost_per_1k_req),
        Case("months_to_break_even", {"one_time_usd": 75, "monthly_savings_usd": 54},
             {"one_time_usd": NONNEG_A, "monthly_savings_usd": REAL_A}, _months_to_break_even),
        Case("breakeven_timeline",
             {"hosted_cost_per_1k_req": 15, "self_hosted_cost_per_1k_req": 2,
              "one_time_finetune_cost": 400, "requests_per_month": 200_000,
              "days_per_month": 30},
             {"hosted_cost_per_1k_req": NONNEG, "self_hosted_cost_per_1k_req": NONNEG,
              "one_time_finetune_cost": NONNEG, "requests_per_month": POS,
              "days_per_month": POS}),
        Case("gpu_utilization",
             {"requests_per_month": 200_000, "requests_per_second_capacity": 10, "gpus": 1,
              "hours_per_month": 730},
             {"requests_per_month": POS_A, "requests_per_second_capacity": POS_A,
              "gpus": POS_A, "hours_per_month": POS_A}, _gpu_utilization,
             cross_checked=frozenset({"requests_per_month", "requests_per_second_capacity",
                                      "gpus", "hours_per_month"})),
        Case("gpu_breakeven_requests_per_month",
             {"usd_per_gpu_hour": 1.006, "hosted_cost_per_1k_req": 15, "gpus": 1,
              "hours_per_month": 730},
             {"usd_per_gpu_hour": NONNEG_A, "hosted_cost_per_1k_req": POS_A, "gpus": POS_A,
              "hours_per_month": NONNEG_A}, _gpu_breakeven),
        Case("monthly_prompting_cost",
             {"requests_per_day": 10_000, "input_tokens": 800, "output_tokens": 50,
              "base_model": MODELS[0], "days_per_month": 30},
             {"requests_per_day": NONNEG_A, "input_tokens": NONNEG_A, "output_tokens": NONNEG_A,
              "base_model": Choice(MODELS), "days_per_month": POS_A}),
        Case("inference_savings_table",
             {"requests_per_day": 10_000, "base_model": MODELS[0], "finetuned_model": MODELS[0],
              "training_usd": 75},
             {"requests_per_day": NONNEG, "base_model": Choice(MODELS),
              "finetuned_model": Choice(MODELS), "training_usd": NONNEG_OR_RUN}),
        Case("breakeven_by_task_table",
             {"requests_per_day": 100, "base_model": MODELS[0], "finetuned_model": MODELS[0]},
             {"requests_per_day": POS, "base_model": Choice(MODELS),
              "finetuned_model": Choice(MODELS)}),
        Case("task_training_usd",
             {"task": TASKS[0], "finetuned_model": MODELS[0], "examples": 2_000},
             {"task": Choice(TASKS), "finetuned_model": Choice(MODELS), "examples": POS}),
        Case("training_run_usd",
             {"input_tokens": 200, "output_tokens": 50, "model": MODELS[0], "examples": 2_000,
              "epochs": 3},
             {"input_tokens": NONNEG_A, "output_tokens": NONNEG_A, "model": Choice(MODELS),
              "examples": POS_A, "epochs": POS_A}),
        Case("breakeven_range_table",
             {"requests_per_day": 100, "task": TASKS[0], "training_usd_low": 15,
              "training_usd_high": 75, "base_model": MODELS[0], "finetuned_model": MODELS[0]},
             {"requests_per_day": POS, "task": Choice(TASKS), "training_usd_low": NONNEG_OR_RUN,
              "training_usd_high": NONNEG_OR_RUN, "base_model": Choice(MODELS),
              "finetuned_model": Choice(MODELS)},
             cross_checked=frozenset({"training_usd_low", "training_usd_high"})),
        Case("volume_table",
             {"requests_per_day": [100, 1_000], "task": TASKS[0], "base_model": MODELS[0],
              "finetuned_model": MODELS[0], "training_usd": 75},
             {"requests_per_day": Num(0.0, lo_open=True, array=True, empty_ok=False, flat=True),
              "task": Choice(TASKS), "base_model": Choice(MODELS),
              "finetuned_model": Choice(MODELS), "training_usd": NONNEG_OR_RUN}),
        Case("tokens_rule_table",
             {"tokens_per_month": [1e7, 1e8], "task": TASKS[0],
              "pairs": [(MODELS[0], MODELS[0])], "training_usd": 75},
             {"tokens_per_month": Num(0.0, lo_open=True, array=True, empty_ok=False, flat=True),
              "task": Choice(TASKS), "pairs": Obj("pairs"),
              "training_usd": NONNEG_OR_RUN}),
        Case("misuse_scenarios", {"requests_per_day": 1_000, "training_usd": 75},
             {"requests_per_day": POS, "training_usd": NONNEG_OR_RUN}),
        Case("misuse_table", {"requests_per_day": 1_000, "training_usd": 75},
             {"requests_per_day": POS, "training_usd": NONNEG_OR_RUN}),
        Case("token_prices", {"model": MODELS[0]}, {"model": Choice(MODELS)}),
        Case("price_row", {"model": MODELS[0]}, {"model": Choice(MODELS)}),
        Case("compare_scenarios", {"scenarios": {"a": ftroi_helpers.Scenario()}},
             {"scenarios": Obj("scenario_mapping")}),
        Case("tco", {"scenario": None}, {"scenario": Obj("scenario", none=True)}),
        Case("simulate", {"scenario": None}, {"scenario": Obj("scenario", none=True)}),
        Case("cost_curves_figure", {"scenario": ftroi_helpers.Scenario(horizon_months=3)},
             {"scenario": Obj("scenario")}),
        Case("tornado",
             {"scenario": None, "ranges": {"hosted_cost_per_1k_req": (7.5, 22.5)},
              "metric": "payback_months"},
             {"scenario": Obj("scenario", none=True), "ranges": Obj("ranges", none=True),
              "metric": Choice(("payback_months", "net_savings_usd"))}),
        Case("monte_carlo",
             {"scenario": None, "ranges": {"hosted_cost_per_1k_req": (7.5, 22.5)},
              "n_draws": 200, "seed": 0, "distribution": "uniform", "within_months": 3,
              "chances": None},
             {"scenario": Obj("scenario", none=True), "ranges": Obj("ranges", none=True),
              "n_draws": INT(1, limit=10_000_000), "seed": SEED,
              "distribution": Choice(("uniform", "triangular", "split")),
              "within_months": Num(1.0, 12.0, whole=True, none=True),
              "chances": Obj("chances", none=True)}),
        Case("sweep", {"scenario": None, "name": "hosted_cost_per_1k_req", "values": [15, 3]},
             {"scenario": Obj("scenario", none=True), "name": Obj("field_name"),
              "values": Num(0.0, array=True, empty_ok=False, flat=True)}),
        Case("ranges_around", {"scenario": None, "relative_spread": 0.5, "names": None},
             {"scenario": Obj("scenario", none=True), "relative_spread": FRAC,
              "names": Obj("field_names", none=True)}),
        Case("share_text", {"p": 0.5}, {"p": FRAC}, text_output=True),
        Case("volume_band", {"requests_per_day": 10_000}, {"requests_per_day": NONNEG}),
        Case("tokens_per_month_rule", {"tokens_per_month": 1e7}, {"tokens_per_month": NONNEG}),
        Case("decision_tree",
             {"requests_per_day": 10_000, "labeled_examples": 500, "quality_gap_pct": 8,
              "format_or_style_task": True, "finetune_improves_eval": None},
             {"requests_per_day": NONNEG, "labeled_examples": INT(0, huge_ok=True), "quality_gap_pct": PCT,
              "format_or_style_task": Flag(), "finetune_improves_eval": Flag(none=True)}),
        Case("check_data_quality",
             {"label_accuracy": 0.96, "distribution_matches_production": True,
              "edge_case_fraction": 0.15, "consistent_format": True,
              "test_examples_in_training": 0, "duplicate_fraction": 0.02},
             {"label_accuracy": FRAC, "distribution_matches_production": Flag(),
              "edge_case_fraction": FRAC, "consistent_format": Flag(),
              "test_examples_in_training": INT(0, huge_ok=True), "duplicate_fraction": FRAC}),
        Case("held_out_split", {"n_examples": 2_000, "held_out_fraction": 0.2},
             {"n_examples": INT(2, limit=2**53), "held_out_fraction": FRAC_OPEN}),
        Case("accuracy_interval", {"correct": 90, "n": 100, "confidence": 0.95},
             {"correct": Num(0.0, 100.0, whole=True, array=True),
              "n": Num(90.0, whole=True, array=True), "confidence": FRAC_OPEN},
             cross_checked=frozenset({"correct", "n"})),
        Case("difference_interval",
             {"correct_a": 90, "n_a": 100, "correct_b": 93, "n_b": 100, "confidence": 0.95},
             {"correct_a": Num(0.0, 100.0, whole=True, array=True),
              "n_a": Num(90.0, whole=True, array=True),
              "correct_b": Num(0.0, 100.0, whole=True, array=True),
              "n_b": Num(93.0, whole=True, array=True), "confidence": FRAC_OPEN},
             cross_checked=frozenset({"correct_a", "n_a", "correct_b", "n_b"})),
        Case("compare_evals",
             {"n_examples": 400, "baseline_correct": 360, "finetuned_correct": 372,
              "confidence": 0.95},
             {"n_examples": INT(372), "baseline_correct": Num(0.0, 400.0, whole=True),
              "finetuned_correct": Num(0.0, 400.0, whole=True), "confidence": FRAC_OPEN},
             cross_checked=frozenset({"n_examples", "baseline_correct", "finetuned_correct"})),
        Case("min_examples_to_detect",
             {"baseline_accuracy": 0.9, "delta": 0.03, "confidence": 0.95, "power": 0.8},
             {"baseline_accuracy": Num(0.0, 0.97, lo_open=True), "delta": Num(0.0, 0.1,
                                                                               lo_open=True),
              "confidence": FRAC_OPEN, "power": FRAC_OPEN},
             cross_checked=frozenset({"baseline_accuracy", "delta"})),
        Case("min_examples_to_detect_paired",
             {"baseline_accuracy": 0.9, "delta": 0.03, "discordant_share": None,
              "confidence": 0.95, "power": 0.8},
             {"baseline_accuracy": Num(0.0, 0.97, lo_open=True), "delta": Num(0.0, 0.1,
                                                                               lo_open=True),
              "discordant_share": Num(0.03, 0.17, none=True),
              "confidence": FRAC_OPEN, "power": FRAC_OPEN},
             cross_checked=frozenset({"baseline_accuracy", "delta", "discordant_share"})),
        Case("discordant_share_if_independent", {"baseline_accuracy": 0.9, "delta": 0.03},
             {"baseline_accuracy": Num(0.0, 0.97, lo_open=True),
              "delta": Num(0.0, 0.1, lo_open=True)},
             cross_checked=frozenset({"baseline_accuracy", "delta"})),
        Case("simulate_eval",
             {"n_examples": 100, "true_accuracy": [0.9, 0.945], "seed": 0, "n_sets": None,
              "error_correlation": 0.0},
             {"n_examples": INT(1), "true_accuracy": Num(0.0, 1.0, array=True, empty_ok=False,
                                                    flat=True),
              "seed": SEED, "n_sets": Num(1.0, whole=True, none=True),
              "error_correlation": FRAC}),
        Case("measured_delta_spread",
             {"held_out_examples": [100], "baseline_accuracy": 0.9, "finetuned_accuracy": 0.945,
              "n_sets": 50, "seed": 0, "error_correlation": 0.0},
             {"held_out_examples": Num(1.0, whole=True, array=True, empty_ok=False, flat=True),
              "baseline_accuracy": FRAC, "finetuned_accuracy": FRAC,
              "n_sets": Num(1.0, whole=True), "seed": SEED,
              "error_correlation": FRAC}),
        Case("cost_per_correct_answer", {"cost_per_request_usd": 0.00015, "accuracy": 0.9},
             {"cost_per_request_usd": NONNEG_A, "accuracy": FRAC_POS_A}, _cost_per_correct),
        Case("expected_cost_per_request",
             {"cost_per_request_usd": 0.00015, "accuracy": 0.9, "usd_per_error": 0.05},
             {"cost_per_request_usd": NONNEG_A, "accuracy": FRAC_A, "usd_per_error": NONNEG_A},
             _expected_cost),
        Case("quality_adjusted_comparison",
             {"prompt_cost_per_request_usd": 0.00015, "prompt_accuracy": 0.9,
              "finetuned_cost_per_request_usd": 0.00012, "finetuned_accuracy": 0.945,
              "usd_per_error": 0.05, "requests_per_month": 300_000},
             {"prompt_cost_per_request_usd": NONNEG, "prompt_accuracy": FRAC_POS,
              "finetuned_cost_per_request_usd": NONNEG, "finetuned_accuracy": FRAC_POS,
              "usd_per_error": NONNEG, "requests_per_month": NONNEG}),
        Case("smaller_model_matches",
             {"large_correct": 90, "small_correct": 89, "n_examples": 100, "tolerance": 0.02,
              "confidence": 0.95},
             {"large_correct": Num(0.0, 100.0, whole=True),
              "small_correct": Num(0.0, 100.0, whole=True), "n_examples": INT(90),
              "tolerance": FRAC, "confidence": FRAC_OPEN},
             cross_checked=frozenset({"large_correct", "small_correct", "n_examples"})),
        Case("training_set_size", {"n_examples": 500}, {"n_examples": INT(0, huge_ok=True)}),
        Case("usd", {"value": 1234.5, "decimals": 0},
             {"value": Num(inf_ok=True), "decimals": Num(0.0, 20.0, whole=True)},
             text_output=True),
        Case("breakeven_figure",
             {"hosted_cost_per_1k_req": 15, "self_hosted_cost_per_1k_req": 2,
              "one_time_finetune_cost": 400, "max_requests": None},
             {"hosted_cost_per_1k_req": NONNEG, "self_hosted_cost_per_1k_req": NONNEG,
              "one_time_finetune_cost": NONNEG, "max_requests": Obj("positive_or_none")}),
        Case("ask", {"question_id": "L1.1"}, {"question_id": Obj("question_id")}),
        Case("grade_choice", {"question_id": "L1.1", "answer": "A"},
             {"question_id": Obj("question_id"), "answer": Obj("answer")}),
        Case("replace", {"scenario": ftroi_helpers.Scenario()},
             {"scenario": Obj("scenario")}),
        Case("breakeven_alt",
             {"hosted_cost_per_1k_req": 15, "self_hosted_cost_per_1k_req": 2,
              "one_time_finetune_cost": 400},
             {"hosted_cost_per_1k_req": NONNEG, "self_hosted_cost_per_1k_req": NONNEG,
              "one_time_finetune_cost": NONNEG}, text_output=True),
        Case("estimate_tokens", {"text": "How much is fine-tuning worth?", "chars_per_token": 4},
             {"text": Obj("text"), "chars_per_token": POS}),
        Case("count_tokens", {"text": "How much is fine-tuning worth?", "model": "gpt-4o-mini"},
             {"text": Obj("text")}),
        Case("money", {"value": 9.0}, {"value": Num()}, text_output=True),
        Case("money_cents", {"x": 1234.5}, {"x": Num()}, text_output=True),
        Case("usd_per_request", {"amount": 0.000153}, {"amount": Num()}, text_output=True),
        Case("usd_per_1k_requests", {"usd_per_1k": 3.6719}, {"usd_per_1k": Num()},
             text_output=True),
        Case("usd_per_1m_tokens", {"usd_per_1m": 0.075}, {"usd_per_1m": Num()},
             text_output=True),
        Case("plain_number", {"value": 250.0}, {"value": Num()}, text_output=True),
        Case("months_text", {"months": 8.333}, {"months": NUM_OR_NEVER}, text_output=True),
        Case("format_number", {"value": 30769.2, "unit": "requests", "decimals": 0},
             {"value": NUM_OR_NEVER, "decimals": Num(0.0, 20.0, whole=True, none=True)},
             text_output=True),
        Case("closeness", {"guess": 30000, "answer": 30769.2, "unit": "requests",
                           "decimals": None},
             {"guess": NUM_OR_NEVER, "answer": NUM_OR_NEVER}),
        Case("predict", {"question": "How many requests?", "answer": 30769.2},
             {"question": Obj("text"), "answer": NUM_OR_NEVER}),
        Case("hosting_options",
             {"requests_per_month": 200_000, "serverless_usd_per_1k_req": 1.35,
              "usd_per_gpu_hour": 1.006, "requests_per_second_capacity": 10, "replicas": 2,
              "shortcut_usd_per_1k_req": 2.0, "hours_per_month": 730},
             {"requests_per_month": POS, "serverless_usd_per_1k_req": NONNEG,
              "usd_per_gpu_hour": POS,
              "requests_per_second_capacity": Num(0.0, lo_open=True, none=True),
              "replicas": INT(1), "shortcut_usd_per_1k_req": POS, "hours_per_month": POS},
             cross_checked=frozenset({"requests_per_month", "requests_per_second_capacity",
                                      "replicas", "hours_per_month"})),
        Case("capstone_answer",
             {"scenario": None, "ranges": {"hosted_cost_per_1k_req": (7.5, 22.5)},
              "n_draws": 200, "seed": 0, "deadline_months": 3, "n_drivers": 3,
              "distribution": "triangular", "chances": None},
             {"scenario": Obj("scenario", none=True), "ranges": Obj("ranges", none=True),
              "n_draws": INT(2, limit=10_000_000), "seed": SEED,
              "deadline_months": Num(1.0, 12.0, whole=True), "n_drivers": INT(1, huge_ok=True),
              "distribution": Choice(("uniform", "triangular", "split")),
              "chances": Obj("chances", none=True)}),
        Case("hosted_baseline",
             {"scenario": None, "model": MODELS[0], "input_tokens": 2_000, "output_tokens": 1_000,
              "cached_prefix_tokens": 1_500, "batch": False},
             {"scenario": Obj("scenario", none=True), "model": Choice(MODELS),
              "input_tokens": Num(1_500.0), "output_tokens": NONNEG,
              "cached_prefix_tokens": Num(0.0, 2_000.0), "batch": Flag()},
             cross_checked=frozenset({"input_tokens", "cached_prefix_tokens"})),
        Case("ranges_containing", {"scenario": None, "ranges": None},
             {"scenario": Obj("scenario", none=True), "ranges": Obj("ranges", none=True)}),
        Case("two_way",
             {"scenario": None, "x_name": "hosted_cost_per_1k_req", "x_values": [15, 3],
              "y_name": "data_prep_usd", "y_values": [250, 5_000], "metric": "payback_months"},
             {"scenario": Obj("scenario", none=True), "x_name": Obj("field_name"),
              "x_values": Num(0.0, array=True, empty_ok=False, flat=True),
              "y_name": Obj("field_name"),
              "y_values": Num(0.0, array=True, empty_ok=False, flat=True),
              "metric": Choice(("payback_months", "net_savings_usd"))}),
    ]
    return {case.name: case for case in c}


#: Public names that take no user numbers, only other objects the package made (figures,
#: tables, axes) or nothing at all; each is covered by its own module's tests.
NOT_FUZZED = {
    # no arguments: fixed tables from the sources
    "load_prices", "volume_bands_table", "token_rules_table", "decision_tree_table",
    "quality_by_task", "task_quality_delta_check", "training_set_sizes_table",
    "token_price_models", "hosted_price_models", "questions",
    # take objects the package made (a figure, axes, a table, a result)
    "figure_to_png", "new_figure", "style_axes", "cost_curve_figure", "tornado_figure",
    "monte_carlo_figure", "draw_cost_curves", "update_cost_curves", "cost_curve_series",
    "payback_sentence", "draw_breakeven", "update_breakeven", "breakeven_series",
    # text helpers with their own tests
    "answer_hash", "normalise_choice",
    # figure and table helpers: they take a figure, or arrays the package computed
    "alt_text", "with_alt", "cost_curve_alt", "cumulative_steps", "retraining_lumps",
    "show_table", "header", "column_kind", "format_value",
    # scenario files and reports: they parse files or render a report object
    # (tests/model/test_scenario_file.py and tests/model/test_report.py feed them broken files)
    "dumps", "loads", "load", "save", "update", "from_dict", "example_scenario_file",
    "build_report", "write_report", "render_html", "render_markdown", "decision_sentence",
    # exercise and prediction helpers whose answers are free text (never raise by design)
    "check_exercise", "expected_answer", "parse_guess", "encoding_for_model",
    # "Build it": they take the learner's function or an exercise id and call the package's own
    # (fuzzed) functions on held-out inputs (tests/content/test_build_it.py)
    "check_function", "reference_result",
    # take a result the package made (a Monte Carlo result, a capstone answer, an options table)
    "attribution", "capstone_figure", "hosting_scenarios",
    # the quiz self-check (the course's grading, tests/test_quiz*.py)
    "check",
    # serving capacity: the valid lengths are the measured region of data/throughput.csv, not a
    # box of numbers (tests/model/test_serving.py checks each refusal names its parameter)
    "capacity_rps", "time_per_answer_s", "replicas_needed", "load_throughput",
}


# -- the command line ------------------------------------------------------------------------------
#: A valid call of each ``ftroi`` command (its required flags at the calculator demo's or the
#: crossover guide's numbers): the suite and benchmarks/fuzz_inputs.py spoil one flag at a time.
CLI_VALID_ARGV: dict[str, list[str]] = {
    "breakeven": ["--hosted", "15", "--self-hosted", "2", "--one-time", "400"],
    "days": ["--prompt-cost", "0.002", "--calls-per-day", "10000", "--training-cost", "300",
             "--savings", "0.6"],
    "tokens": ["--requests-per-day", "10000", "--prompted-input-tokens", "800",
               "--finetuned-input-tokens", "200", "--output-tokens", "50"],
    "tco": ["--horizon-months", "3"],
    "prices": [],
}


# -- discovery -----------------------------------------------------------------------------------
#: Not fuzzed here: the command line and calculators have their own sections of the suite; the
#: quiz modules belong to the course's grading (their own tests, tests/test_quiz*.py).
# validation and never hold the checks and the "never" conventions the functions use
_SKIP_MODULES = {"cli", "calculators", "quizcheck", "quiz", "quiz_variants", "validation", "never",
                 "__main__"}


def public_functions() -> dict[str, Callable[..., Any]]:
    """Every public function (and class constructor) of the package, by name."""
    if _FUNCS:
        return _FUNCS
    for info in pkgutil.iter_modules(ftroi_helpers.__path__):
        if info.name in _SKIP_MODULES or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"ftroi_helpers.{info.name}")
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if callable(obj) and not isinstance(obj, type) and not name.isupper():
                _FUNCS.setdefault(name, obj)
    for name in getattr(ftroi_helpers, "_EXPORTS", {}):
        obj = getattr(ftroi_helpers, name)
        if callable(obj) and not isinstance(obj, type):
            _FUNCS.setdefault(name, obj)
    return _FUNCS


_FUNCS: dict[str, Callable[..., Any]] = {}


def scenario_fields() -> dict[str, Any]:
    """Every Scenario field and its default, discovered from the dataclass."""
    return {f.name: f.default for f in dataclasses.fields(ftroi_helpers.Scenario)}


def scenario_domain(name: str, default: Any) -> Num | Flag:
    """A Scenario field's domain, from the fields' registry (so a field added there is fuzzed
    with the right domain)."""
    from ftroi_helpers.scenario import SCENARIO_FIELDS

    spec = SCENARIO_FIELDS[name]
    if spec.kind == "flag":
        return Flag()
    if spec.maximum is not None:  # the horizon
        return Num(float(spec.minimum), whole=True, limit=spec.maximum)
    if spec.kind == "fraction":
        return Num(0.0, 1.0, hi_open=True)
    if spec.whole:
        months = spec.kind == "months"  # a month beyond the horizon: never
        if name == "model_switch_month":  # 0 = no switch; month 1 has nothing to switch from
            return Num(2.0, whole=True, huge_ok=True, also=(0.0,))
        return Num(float(spec.minimum), whole=True, huge_ok=months)
    return NONNEG


def as_fraction(x: Any) -> Fraction:
    return Fraction(float(x))


def close(got: float, exact: Fraction, scale: Any) -> bool:
    """``got`` equals ``exact`` to rounding, relative to the computation's own scale."""
    if not math.isfinite(got):
        return False
    tol = Fraction(1, 10**9) * (abs(exact) + abs(Fraction(scale)) * Fraction(1, 10**6)) \
        + Fraction(1, 10**300)
    # float64 holds ~16 digits; the terms of a sum may cancel, so allow 1e-9 of the largest term
    tol = max(tol, Fraction(1, 10**9) * abs(Fraction(scale)) / 10**6 if scale else tol)
    return abs(Fraction(got) - exact) <= tol


def message_names(message: str, names: Mapping[str, Any] | list[str]) -> bool:
    """Whether ``message`` names one of ``names`` (the caller's parameters)."""
    return any(n in message for n in names)


# -- values to try -------------------------------------------------------------------------------
def universal_bad() -> list[Any]:
    """Values no numeric parameter accepts."""
    import pandas as pd

    return ["abc", "", "3", None, True, False, np.bool_(True), 1j, complex(2, 0), math.nan,
            math.inf, -math.inf, np.float64("nan"), 10**400, -(10**400), [[1, 2], [3]], ["a"],
            [1j], np.array([1 + 2j]), {"a": 1}, object(), pd.Series(["x"]),
            pd.Series([1.0, math.nan]), [1.0, math.inf], "x" * 1000, b"1", [True, False]]


def scalar_only_bad() -> list[Any]:
    """Arrays: refused where one number is meant."""
    import pandas as pd

    return [[1.0, 2.0], np.array([1.0, 2.0]), pd.Series([1.0, 2.0]), np.array([[1.0]])]


def out_of_domain(d: Num) -> list[float]:
    out: list[float] = []
    if math.isfinite(d.lo):
        out += [d.lo - 1, d.lo - 1e-9 if not d.whole else d.lo - 1, -1e308]
        if d.lo_open:
            out.append(d.lo)
    if math.isfinite(d.hi):
        out += [d.hi + 1, 1e308]
        if d.hi_open:
            out.append(d.hi)
    if d.whole:
        out += [2.5, (d.lo if math.isfinite(d.lo) else 0) + 0.5]
    if math.isfinite(d.limit):
        out += [d.limit + 1, 10**15, 10**18]
    return [x for x in out if not d.contains(x)]


def bad_objects(kind: str) -> list[Any]:
    s = ftroi_helpers.Scenario
    return {
        "scenario": ["x", 3, {}, [], s, {"horizon_months": 3}, 1j],
        "scenario_mapping": [{"a": "x"}, [s()], "x", None, 3, {"a": None}, [("a", s())]],
        "ranges": [{"nope": (1, 2)}, {"hosted_cost_per_1k_req": (2, 1)},
                   {"hosted_cost_per_1k_req": "ab"}, "x", [], 3,
                   {"hosted_cost_per_1k_req": (math.nan, 1)},
                   {"hosted_cost_per_1k_req": (0, 10**400)},
                   {"hosted_cost_per_1k_req": (1, 2, 3)}, {"horizon_months": (1, 2)},
                   {"retrain_every_months": (0.5, 2)}, {"hosted_price_decline_per_year": (0, 1)},
                   {"hosted_cost_per_1k_req": (1j, 2)}, {3: (1, 2)}],
        "field_name": ["nope", 3, None, "horizon_months", ["hosted_cost_per_1k_req"]],
        "field_names": [["nope"], 3, [3], "x"],
        "pairs": [[("x", "y")], "ab", [1], 3, None, [(MODELS[0],)], [[MODELS[0], 3]]],
        "question_id": ["L99.9", ["L1.1"], None, 3, "x" * 1000, b"L1.1"],
        "answer": [3, None, ["A"], 1j, b"A"],
        "text": [3, None, ["a"], b"abc", 1j, {"a": 1}],
        "positive_or_none": [0, -1, "x", math.nan, math.inf, 10**400, [1, 2]],
        "chances": [{"data_prep_usd": 0.5}, {"model_switch_month": 1.5}, "x", 3,
                    {"model_switch_month": "x"}, {"model_switch_month": math.nan}],
    }[kind]


def bad_values(domain: Any) -> list[Any]:
    if isinstance(domain, Num):
        vals = [v for v in universal_bad() + out_of_domain(domain)
                if not (domain.none and v is None)
                and not (domain.huge_ok and isinstance(v, int) and not isinstance(v, bool)
                         and v > 0)
                and not (domain.inf_ok and isinstance(v, float) and math.isinf(v))
                and not (isinstance(v, float) and v in domain.also)]
        if domain.array and not domain.empty_ok:
            vals.append([])
        if not domain.array:
            vals += scalar_only_bad()
        return vals
    if isinstance(domain, Choice):
        vals = ["nope", 3, ["x"], "x" * 500, 1j, math.nan]
        return vals + ([] if domain.none else [None])
    if isinstance(domain, Flag):
        return ["yes", 1, 0, [True], 1.0, "True"] + ([] if domain.none else [None])
    return bad_objects(domain.kind)


def good_values(domain: Any) -> list[Any]:
    import pandas as pd

    if isinstance(domain, Num):
        vals: list[Any] = domain.samples()
        if domain.array and not domain.empty_ok:
            vals = [v for v in vals if np.size(v)]
        vals += [int(x) for x in vals if float(x).is_integer() and abs(x) < 1e18]
        vals += [np.float32(v) for v in vals[:3] if float(np.float32(v)) == v]
        vals += [np.int64(int(v)) for v in vals[:3] if float(v).is_integer() and abs(v) < 1e18]
        if domain.none:
            vals.append(None)
        if domain.huge_ok:
            vals.append(10**400)
        if domain.inf_ok:
            vals += [math.inf, -math.inf]
        if domain.array and vals:
            vals += [np.array(vals[:3]), list(vals[:2]), pd.Series(vals[:2])]
            if domain.empty_ok:
                vals.append(np.array([], dtype=float))
        return vals
    if isinstance(domain, Choice):
        return list(domain.options) + ([None] if domain.none else [])
    if isinstance(domain, Flag):
        return [True, False, np.bool_(True)] + ([None] if domain.none else [])
    return []


# -- judging an outcome --------------------------------------------------------------------------
@dataclass
class Verdict:
    """How one call went."""

    category: str  # "ok", "error_named", "error_unnamed", "silent_accept", "crash", "wrong"
    detail: str = ""

    @property
    def fine(self) -> bool:
        return self.category in ("ok", "error_named")


_NONFINITE_WORDS = ("nan", "inf")


def text_is_sane(text: str) -> bool:
    import re

    return re.search(r"(?<![A-Za-z])(nan|inf|-inf)(?![A-Za-z])", text, re.I) is None \
        and "$inf" not in text


def _numeric_leaves(value: Any, depth: int = 0):
    """Every number inside a result (arrays, dataclasses, tuples, DataFrames), as float arrays."""
    import pandas as pd

    if depth > 3:
        return
    if isinstance(value, (bool, np.bool_)) or value is None or isinstance(value, str):
        return
    if isinstance(value, (int, np.integer)):
        if abs(int(value)).bit_length() < 1000:  # a huge exact count is fine, and no float
            yield np.array([float(value)])
    elif isinstance(value, (float, np.floating)):
        yield np.array([float(value)])
    elif isinstance(value, np.ma.MaskedArray):
        if value.dtype.kind in "fiu":
            # the unmasked data must be finite; under the mask ("never") anything goes
            yield np.ma.getdata(value)[~np.ma.getmaskarray(value)].astype(float).ravel()
    elif isinstance(value, np.ndarray):
        if value.dtype.kind in "fiu":
            yield value.astype(float).ravel()
    elif isinstance(value, pd.DataFrame):
        for _, column in value.select_dtypes("number").items():
            yield _column_numbers(column)
    elif isinstance(value, pd.Series):
        if value.dtype.kind in "fiu":
            yield _column_numbers(value)
    elif isinstance(value, (tuple, list)):
        for v in value[:1000]:
            yield from _numeric_leaves(v, depth + 1)
    elif isinstance(value, Mapping):
        for v in list(value.values())[:1000]:
            yield from _numeric_leaves(v, depth + 1)
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            bound = getattr(value, f.name)
            if f.name.startswith("upper_") and bound == math.inf:
                # the open top of a band (">10,000 examples"): a range bound, not an answer
                continue
            yield from _numeric_leaves(bound, depth + 1)


def _column_numbers(column: Any) -> np.ndarray:
    """A pandas column's numbers: pd.NA ("never", "no payback month") is allowed, a float NaN
    is not (it is kept, so the caller flags it)."""
    array = column.array
    if hasattr(array, "_mask") and hasattr(array, "_data"):  # nullable Float64 / Int64
        return np.asarray(array._data, dtype=float)[~np.asarray(array._mask)]
    return column.to_numpy(dtype=float)


def _never_mask(value: Any) -> np.ndarray | None:
    """Where an array result says "never" (its mask), or None for a result that is no array."""
    if isinstance(value, np.ma.MaskedArray):
        return np.ma.getmaskarray(value)
    if isinstance(value, np.ndarray) and value.ndim:
        return np.zeros(value.shape, dtype=bool)
    return None


def _texts(value: Any) -> list[str]:
    """Sentences a result offers (summary(), a str result)."""
    out = []
    if isinstance(value, str):
        out.append(value)
    summary = getattr(value, "summary", None)
    if callable(summary):
        out.append(summary())
    return out


def judge(case_name: str, param: str, value: Any, valid_value: bool, call: Callable[[], Any],
          *, oracle: Callable[[], tuple[Any, Any]] | None = None,
          cross_checked: frozenset = frozenset(),
          array_oracle: Callable[[], list[tuple[Any, Any]]] | None = None) -> Verdict:
    """Call, and judge the outcome against the contract.

    ``valid_value``: whether ``value`` is in ``param``'s domain (the other arguments are valid).
    ``oracle``: the exact answer of a call with single numbers; ``array_oracle``: the exact
    answer of each element of an array call (in C order of the broadcast shape). No result may
    hold inf or NaN anywhere (issue 11: "never" is None, a mask or pd.NA).
    """
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = call()
            error = None
        except (ValueError, TypeError) as exc:
            error = exc
        except Exception as exc:  # noqa: BLE001 - a crash is what we are looking for
            return Verdict("crash", f"{type(exc).__name__}: {str(exc)[:200]}")
    leaked = [w for w in caught if not issubclass(w.category, DeprecationWarning)]
    if leaked:
        w = leaked[0]
        return Verdict("crash", f"warning {w.category.__name__}: {str(w.message)[:200]}")
    if error is not None:
        msg = str(error)
        too_large = "too large" in msg
        if len(msg) > 600:
            return Verdict("error_unnamed", f"message of {len(msg)} characters")
        if valid_value:
            if too_large:
                return Verdict("ok" if param in msg or "=" in msg else "error_unnamed", msg)
            if param in cross_checked and param in msg:
                return Verdict("ok", msg)
            if param in msg and ("at most" in msg or "MAX_" in msg or "too large" in msg
                                 or "too small" in msg):
                return Verdict("ok", msg)  # a valid value beyond a named size limit
            return Verdict("wrong", f"valid value refused: {type(error).__name__}: {msg[:300]}")
        if param in msg:
            return Verdict("error_named", msg)
        return Verdict("error_unnamed", f"{type(error).__name__}: {msg[:300]}")
    # returned
    if not valid_value:
        return Verdict("silent_accept", f"returned {short(result)}")
    for text in _texts(result):
        if not text_is_sane(text):
            return Verdict("wrong", f"text with nan/inf: {text[:200]}")
    leaves = list(_numeric_leaves(result))
    if any(np.isnan(x).any() for x in leaves):
        return Verdict("wrong", f"NaN in result {short(result)}")
    if any(np.isinf(x).any() for x in leaves):
        return Verdict("wrong", f"inf in result {short(result)}")
    if isinstance(result, np.ma.MaskedArray) and result.fill_value != np.inf:
        return Verdict("wrong", f"masked result whose fill_value is not inf: {short(result)}")
    if array_oracle is not None and _never_mask(result) is not None:
        try:
            exacts = array_oracle()
        except ZeroDivisionError:
            exacts = None
        if exacts is not None:
            want = np.array([isinstance(e, Never) for e, _ in exacts])
            got_mask = _never_mask(result).ravel()
            if got_mask.shape != want.shape or not np.array_equal(got_mask, want):
                return Verdict("wrong", f"mask {got_mask.tolist()[:20]} but never at "
                                        f"{want.tolist()[:20]}: {short(result)}")
            if want.any() and not isinstance(result, np.ma.MaskedArray):
                return Verdict("wrong", f"never answered without a mask: {short(result)}")
    if oracle is not None:
        try:
            exact, scale = oracle()
        except ZeroDivisionError:
            return Verdict("ok")
        if isinstance(exact, Never):
            if result is None or result is np.ma.masked or (
                    isinstance(result, np.ma.MaskedArray) and np.ma.getmaskarray(result).all()):
                return Verdict("ok")
            return Verdict("wrong", f"expected never (None), got {short(result)}")
        if result is None:
            return Verdict("wrong", f"expected {float(exact)!r}, got None (never)")
        got = np.asarray(result, dtype=float)
        if got.size != 1:
            return Verdict("ok")
        got_f = float(got.ravel()[0])
        try:
            float(exact)  # rounds to the nearest float, or overflows
            beyond = False
        except OverflowError:
            beyond = True
        if beyond:
            return Verdict("wrong", f"true result {float(min(exact, 10**308))!r}+ is too large, "
                                    f"got {got_f!r} (should say too large)")
        if math.isinf(got_f):
            return Verdict("wrong", f"true result {float(exact)!r} is finite, got {got_f!r}")
        if not close(got_f, exact, scale):
            return Verdict("wrong", f"expected {float(exact)!r}, got {got_f!r}")
    return Verdict("ok")


def short(value: Any) -> str:
    from ftroi_helpers.validation import short_repr

    return short_repr(value, 120)
