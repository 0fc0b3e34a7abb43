"""Issue 11: "never" is never inf or NaN.

Every public function that can answer "never" is called here with inputs whose true answer is
"never" (and, for arrays, a mix of "never" and finite answers). The conventions
(``ftroi_helpers/never.py``): None for one value, a MaskedArray masked exactly where it never
happens for arrays (no inf or NaN visible, inf under the mask and as the fill value), nullable
``Float64`` with ``<NA>`` in tables, the word "never" in text. The expected masks are worked out
here from the inputs (self-hosting not cheaper, nothing saved), not read from the code.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

import ftroi_helpers as f
from ftroi_helpers.cost_model import Scenario, compare_scenarios, simulate, tco
from ftroi_helpers.never import is_never, never_array, never_or_float, never_to_inf, never_to_na


def assert_masked_never(result, never):
    """A MaskedArray, masked exactly at ``never``, no inf/NaN in sight, inf under the mask."""
    never = np.asarray(never, dtype=bool)
    assert isinstance(result, np.ma.MaskedArray), type(result)
    assert np.ma.getmaskarray(result).tolist() == never.tolist()
    assert not np.isinf(result).any()
    assert not np.isnan(result).any()
    assert np.isfinite(result).all() or never.all()  # (all masked: .all() is masked)
    assert np.isfinite(result.compressed()).all()
    assert result.fill_value == np.inf
    assert np.isinf(np.ma.getdata(result)[never]).all()  # stripping the mask: "more than any"
    assert np.isinf(result.filled()[never]).all()


def assert_na_exactly(column, never):
    assert str(column.dtype) == "Float64"
    assert column.isna().tolist() == list(never)
    values = column.array._data[~column.array._mask]
    assert np.isfinite(values).all()  # no float NaN or inf hiding beside the <NA>


def no_nonsense(text: str) -> bool:
    return re.search(r"(?<![A-Za-z])(nan|inf)(?![A-Za-z])", text, re.I) is None


# -- the break-even functions -------------------------------------------------------------------
def test_breakeven_requests_never_is_none_and_masked():
    assert f.breakeven_requests(2, 15, 400) is None          # dearer self-hosted
    assert f.breakeven_requests(15, 15, 400) is None         # no saving, something to repay
    hosted = np.array([15.0, 2.0, 15.0, 2.0])
    self_hosted = np.array([2.0, 15.0, 15.0, 2.0])
    one_time = np.array([400.0, 400.0, 400.0, 0.0])
    out = f.breakeven_requests(hosted, self_hosted, one_time)
    assert_masked_never(out, (hosted <= self_hosted) & ~((hosted == self_hosted) & (one_time == 0)))
    assert out[0] == pytest.approx(400 / 13 * 1000) and out[3] == 0.0


def test_breakeven_requests_is_a_masked_array_for_arrays_even_without_never():
    assert_masked_never(f.breakeven_requests(np.array([15.0, 10.0]), 2, 400), [False, False])


def test_breakeven_days_never_is_none_and_masked():
    assert f.breakeven_days(0.002, 10_000, 300, 0) is None
    assert f.breakeven_days(0, 10_000, 300, 0.6) is None
    calls = np.array([10_000.0, 0.0, 5_000.0])
    out = f.breakeven_days(0.002, calls, 300, 0.6)
    assert_masked_never(out, calls == 0)
    assert out[0] == pytest.approx(300 / (0.002 * 10_000 * 0.6))


def test_months_to_break_even_never_is_none_and_masked_on_a_grid():
    assert f.months_to_break_even(75, 0) is None
    assert f.months_to_break_even(75, -18) is None
    savings = np.array([[9.0], [0.0], [-1.0]])
    one_time = np.array([75.0, 0.0])
    out = f.months_to_break_even(one_time, savings)
    # never where nothing is saved, except a free project with no saving at all (0 at once)
    never = (savings <= 0) & ~((one_time == 0) & (savings == 0))
    assert_masked_never(out, never)
    assert out[1, 1] == 0.0


def test_a_free_project_with_no_savings_breaks_even_at_once_everywhere():
    # issue 11's named inconsistency, scalar and array
    assert f.months_to_break_even(0, 0) == 0.0
    assert f.breakeven_days(0.002, 10_000, 0, 0) == 0.0
    assert f.breakeven_requests(2, 2, 0) == 0.0
    assert f.breakeven_requests(np.array([2.0]), 2, 0).tolist() == [0.0]
    assert f.months_to_break_even(np.array([0.0]), 0).tolist() == [0.0]
    assert f.breakeven_days(0.002, np.array([10_000.0]), 0, 0).tolist() == [0.0]


def test_breakeven_timeline_and_the_sentences_say_never_in_words():
    t = f.breakeven_timeline(2, 15, 400)
    assert (t.requests, t.months, t.days) == (None, None, None)
    assert t.summary().startswith("Never")
    for text in (t.summary(), f.explain_breakeven(2, 15, 400),
                 f.explain_breakeven_days(0.002, 10_000, 300, 0)):
        assert no_nonsense(text), text
    assert "never" in f.explain_breakeven_days(0.002, 10_000, 300, 0)


def test_a_free_project_pays_back_at_once_in_every_sentence():
    # the same semantics as the numbers: free and saving nothing -> 0, said as "at once"
    assert f.breakeven_days(0.002, 10_000, 0, 0) == 0 == f.breakeven_requests(5, 5, 0)
    for text in (f.explain_breakeven_days(0.002, 10_000, 0, 0),
                 f.explain_breakeven_days(0.002, 10_000, 0, 0.5), f.explain_breakeven(5, 5, 0)):
        assert "at once" in text and "never" not in text.lower() and "0.0" not in text, text


# -- the cost model and its sensitivity analyses ---------------------------------------------------
def test_simulate_masks_payback_where_it_never_pays_back():
    hosted = np.array([15.0, 1.0, 3.0, 2.0])   # self-hosted costs USD 2 per 1k: 1 and 2 never
    c = simulate(Scenario(), hosted_cost_per_1k_req=hosted)
    assert_masked_never(c.payback_months, hosted <= 2)
    assert c.payback_month.tolist() == [1, 0, 2, 0]


def test_tco_and_compare_scenarios_say_never_as_none_and_na():
    never = Scenario(hosted_cost_per_1k_req=1)
    r = tco(never)
    assert r.payback_months is None and r.payback_month is None
    assert no_nonsense(r.summary())
    table = compare_scenarios({"pays": Scenario(), "never": never})
    assert_na_exactly(table["payback_months"], [False, True])


def test_tornado_sweep_two_way_and_monte_carlo_never():
    from ftroi_helpers.sensitivity import monte_carlo, sweep, tornado, two_way

    t = tornado(Scenario(hosted_cost_per_1k_req=1.0), {"hosted_cost_per_1k_req": (1.0, 15.0)})
    assert_na_exactly(t["payback_months_at_low"], [True])
    assert t.attrs["base_value"] is None
    s = sweep(None, "hosted_cost_per_1k_req", [15, 2, 1])
    assert_na_exactly(s["payback_months"], [False, True, True])
    w = two_way(None, "hosted_cost_per_1k_req", [1.0, 15.0], "data_prep_usd", [0.0, 100.0])
    for column, never in ((1.0, True), (15.0, False)):
        assert_na_exactly(w[column], [never, never])
    mc = monte_carlo(Scenario(hosted_cost_per_1k_req=2.0), {"data_prep_usd": (100.0, 200.0)},
                     n_draws=20, seed=0)
    assert_masked_never(mc.payback_months, [True] * 20)
    assert mc.median_payback_months is None and mc.p_payback_within_horizon == 0.0


def test_capstone_answer_and_cost_curve_series_never():
    from ftroi_helpers.capstone import capstone_answer
    from ftroi_helpers.sensitivity_plots import cost_curve_series

    never = Scenario(hosted_cost_per_1k_req=1.0)
    a = capstone_answer(never, {"data_prep_usd": (100.0, 200.0)}, n_draws=50)
    assert a.payback_months is None and a.payback_month is None
    assert not a.pays_back_within_deadline
    assert all(no_nonsense(s) for s in a.sentences())
    series = cost_curve_series(never, simulate(never))
    assert series["payback_months"] is None
    assert no_nonsense(series["alt"])


# -- tables from the sources, quality, hosting ----------------------------------------------------
def test_the_sources_break_even_tables_show_na_for_never():
    from ftroi_helpers.sources import (
        breakeven_range_table,
        inference_savings_table,
        misuse_table,
        tokens_rule_table,
        volume_table,
    )

    t = inference_savings_table()
    never = (t["true_savings_usd_per_month"] <= 0).tolist()
    assert any(never) and not all(never)
    assert_na_exactly(t["true_breakeven_months"], never)
    r = breakeven_range_table(100, task="Entity extraction")
    true_never = (r["savings_usd_per_month"] <= 0).tolist()
    assert_na_exactly(r["breakeven_months_low"], true_never)
    v = volume_table([100, 1_000], task="Entity extraction")
    assert_na_exactly(v["true_breakeven_months"], (v["true_savings_usd_per_month"] <= 0).tolist())
    k = tokens_rule_table([1e7], task="Entity extraction")
    assert str(k.iloc[:, 2].dtype) == "Float64"
    m = misuse_table()
    assert_na_exactly(m["payback_months"], [False, False, False, False, True, True])


def test_quality_table_and_hosting_options_use_na_not_nan():
    from ftroi_helpers.hosting import hosting_options
    from ftroi_helpers.quality import QualityComparison

    q = QualityComparison(0.001, 0.0, 0.002, 0.9, 1.0, 1_000).table()
    assert_na_exactly(q["cost_per_correct_answer_usd"], [True, False])
    h = hosting_options(200_000, 1.35, 1.006, 10, replicas=2)
    assert_na_exactly(h["utilization"], [True, False, True])


# -- what a learner sees ---------------------------------------------------------------------------
def test_tables_print_never_for_none_na_and_masked():
    from ftroi_helpers.tables import format_value, show_table

    assert format_value(None, "months") == "never"
    assert format_value(pd.NA, "months") == "never"
    assert format_value(np.ma.masked, "months") == "never"
    text = str(show_table(compare_scenarios({"never": Scenario(hosted_cost_per_1k_req=1)})))
    assert "never" in text and no_nonsense(text)


def test_the_token_savings_calculator_and_the_cli_say_never(capsys):
    from ftroi_helpers import calculators
    from ftroi_helpers.cli import main

    calc = calculators.token_savings()
    calc.set(prompted_input_tokens=1_200, finetuned_input_tokens=400, output_tokens=200)
    assert calc.outcome.data["breakeven_months"] is None
    assert "never pays back" in calc.result_text and no_nonsense(calc.result_text)
    assert main(["breakeven", "--hosted", "2", "--self-hosted", "15", "--one-time", "400",
                 "--requests-per-day", "100"]) == 0
    assert main(["days", "--prompt-cost", "0.002", "--calls-per-day", "10000",
                 "--training-cost", "300", "--savings", "0"]) == 0
    out = capsys.readouterr().out
    assert "not cheaper" in out and "never pays back" in out and no_nonsense(out)


def test_prediction_takes_and_gives_never_without_inf():
    from ftroi_helpers.prediction import closeness, format_number, parse_guess, predict

    assert parse_guess("never") == "never"
    assert format_number(None, "months") == "never"
    c = closeness(3, f.breakeven_requests(2, 15, 400), "requests")
    assert c.verdict == "wrong way" and c.ratio is None and no_nonsense(c.message)
    assert closeness(parse_guess("never"), None).verdict == "exact"
    assert closeness(5, 0).ratio is None
    box = predict("Requests to break even?", f.breakeven_requests(2, 15, 400), unit="requests")
    box.guess_box.value = "never"
    box.reveal()
    assert box.closeness.verdict == "exact"


def test_exercises_accept_never_as_none():
    from ftroi_helpers.exercises import check_exercise

    assert check_exercise("E1.1", None).status == "not yet"
    assert check_exercise("E1.1", math.inf).status == "not yet"


# -- the helpers themselves -----------------------------------------------------------------------
def test_the_never_helpers_round_trip():
    arr = never_array([1.0, 2.0, 3.0], [False, True, False])
    assert_masked_never(arr, [False, True, False])
    assert never_to_inf(arr).tolist() == [1.0, math.inf, 3.0]
    assert never_or_float(math.inf) is None and never_or_float(2.0) == 2.0
    assert never_to_na(arr).isna().tolist() == [False, True, False]
    assert all(is_never(v) for v in (None, pd.NA, np.ma.masked, math.inf))
    assert not any(is_never(v) for v in (0.0, -math.inf, 1, "never"))
