"""Tornado tables, Monte Carlo and sweeps over the TCO model (ftroi_helpers.sensitivity)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftroi_helpers import sensitivity
from ftroi_helpers.cost_model import Scenario, replace, simulate, tco
from ftroi_helpers.hosting import hosting_cost_per_month
from ftroi_helpers.sensitivity import (
    ASSUMPTION_LABELS,
    DEFAULT_RANGES,
    GPU_BILLED_RANGES,
    MonteCarloResult,
    monte_carlo,
    ranges_around,
    sweep,
    tornado,
)
from ftroi_helpers.training import training_cost_gpu

# Seeded and database-free, so every run checks the same examples and writes nothing.
SETTINGS = settings(derandomize=True, database=None, deadline=None, max_examples=25)

#: Source 003's example made realistic the way lesson 06 does: an A10G billed by the hour
#: (g5.xlarge, $1.006/hour in prices.csv), monitoring and quarterly retraining.
REALISTIC = replace(Scenario(), self_hosted_cost_per_1k_req=0.0,
                    hosting_usd_per_month=hosting_cost_per_month(1.006),
                    monitoring_usd_per_month=200.0, retrain_every_months=3)


def direct_payback(scenario: Scenario) -> float:
    """Fractional payback months from a plain tco() run (inf for none)."""
    months = tco(scenario).payback_months
    return math.inf if months is None else months


def direct_net_savings(scenario: Scenario) -> float:
    return float(tco(scenario).table["cumulative_savings_usd"].iloc[-1])


def with_value(scenario: Scenario, name: str, value: float) -> Scenario:
    if name == "retrain_every_months":
        value = int(value)
    return replace(scenario, **{name: value})


# -- the documented ranges match the sources -----------------------------------------------------

def test_retraining_range_is_every_3_to_6_months():
    # 002_44dbb0b6dad16d21.txt: "Plan for 2-4 retraining cycles per year" -> 12/4 to 12/2 months.
    assert DEFAULT_RANGES["retrain_every_months"] == (12 // 4, 12 // 2)


def test_hosted_price_decline_range_is_50_to_80_percent_a_year():
    # 002_44dbb0b6dad16d21.txt: "prices have dropped 50-80% annually".
    assert DEFAULT_RANGES["hosted_price_decline_per_year"] == (0.50, 0.80)


def test_training_range_is_source_002_llama_8b_row_with_its_low_end_corrected():
    # 002_44dbb0b6dad16d21.txt: Llama 3.1 8B (full), "$1-2/hour GPU (A10G)", "4-20 GPU hours";
    # printed as "$8-40" but 4 h x $1 = $4.
    assert DEFAULT_RANGES["training_usd"] == (training_cost_gpu(4, 1.0), training_cost_gpu(20, 2.0))


def test_data_prep_range_reaches_source_002_upfront_ceiling():
    # 002_44dbb0b6dad16d21.txt: fine-tuning upfront cost "$50-10,000+ (data + training)".
    assert DEFAULT_RANGES["data_prep_usd"][1] == 10_000


def test_eval_range_starts_where_eval_costs_as_much_as_training():
    # 001_cc89cacdfb6b29fd.txt: eval "can cost as much as the training itself".
    assert DEFAULT_RANGES["eval_harness_usd"][0] == DEFAULT_RANGES["training_usd"][1]


def test_self_hosted_range_covers_an_idle_a10g_at_source_003_volume():
    # 003_512d162286761903.txt: 200k requests/month and $2 per 1k self-hosted. An A10G
    # (g5.xlarge, $1.006/h in prices.csv) billed 730 h a month over 200k requests costs $3.67/1k.
    idle = hosting_cost_per_month(1.006) / 200_000 * 1000
    low, high = DEFAULT_RANGES["self_hosted_cost_per_1k_req"]
    assert low < 2.0 < idle <= high


def test_volume_range_stays_inside_source_002_evaluate_both_band():
    # 002_44dbb0b6dad16d21.txt: "1,000-10,000" requests/day -> "Evaluate both" (x 30 days).
    # 003_512d162286761903.txt: 200k requests/month is the centre.
    low, high = DEFAULT_RANGES["requests_per_month"]
    assert 1_000 * 30 <= low < 200_000 < high <= 10_000 * 30


def test_gpu_billed_ranges_price_an_a10g_at_1_to_2_usd_an_hour_around_the_clock():
    # 002_44dbb0b6dad16d21.txt: A10G "$1-2/hour GPU".
    assert GPU_BILLED_RANGES["hosting_usd_per_month"] == (hosting_cost_per_month(1.0),
                                                          hosting_cost_per_month(2.0))
    assert "self_hosted_cost_per_1k_req" not in GPU_BILLED_RANGES


def test_default_ranges_leave_out_the_hosting_fee_so_the_gpu_is_not_counted_twice():
    assert "hosting_usd_per_month" not in DEFAULT_RANGES


def test_every_default_range_has_a_label_with_units_or_a_count():
    for name in {*DEFAULT_RANGES, *GPU_BILLED_RANGES}:
        assert name in ASSUMPTION_LABELS


def test_every_default_range_is_valid_and_brackets_source_003_where_003_gives_a_value():
    s = Scenario()
    for name in ("requests_per_month", "hosted_cost_per_1k_req", "self_hosted_cost_per_1k_req",
                 "data_prep_usd"):
        low, high = DEFAULT_RANGES[name]
        assert low <= getattr(s, name) <= high, name


# -- tornado ------------------------------------------------------------------------------------

@pytest.mark.parametrize("scenario,ranges", [(Scenario(), DEFAULT_RANGES),
                                             (REALISTIC, GPU_BILLED_RANGES)],
                         ids=["source_003", "realistic"])
def test_tornado_is_sorted_by_swing_largest_first(scenario, ranges):
    table = tornado(scenario, ranges)
    swings = table["swing_months"].to_numpy(dtype=float, na_value=np.inf)  # never first
    assert (np.diff(swings) <= 0).all()
    assert swings[0] > swings[-1]
    assert set(table["assumption"]) == set(ranges)


@pytest.mark.parametrize("scenario,ranges", [(Scenario(), DEFAULT_RANGES),
                                             (REALISTIC, GPU_BILLED_RANGES)],
                         ids=["source_003", "realistic"])
def test_each_tornado_end_equals_a_direct_tco_run_with_that_field_replaced(scenario, ranges):
    table = tornado(scenario, ranges)
    for row in table.itertuples():
        assert (row.low, row.high) == ranges[row.assumption]
        at_low = direct_payback(with_value(scenario, row.assumption, row.low))
        at_high = direct_payback(with_value(scenario, row.assumption, row.high))
        assert row.payback_months_at_low == pytest.approx(at_low)
        assert row.payback_months_at_high == pytest.approx(at_high)


def test_net_savings_tornado_ends_equal_the_tco_tables_last_cumulative_savings():
    table = tornado(REALISTIC, GPU_BILLED_RANGES, metric="net_savings_usd")
    assert list(table.columns) == ["assumption", "low", "high", "net_savings_usd_at_low",
                                   "net_savings_usd_at_high", "swing_usd"]
    for row in table.itertuples():
        low = direct_net_savings(with_value(REALISTIC, row.assumption, row.low))
        high = direct_net_savings(with_value(REALISTIC, row.assumption, row.high))
        assert row.net_savings_usd_at_low == pytest.approx(low)
        assert row.net_savings_usd_at_high == pytest.approx(high)
        assert row.swing_usd == pytest.approx(abs(high - low))
    assert (np.diff(table["swing_usd"]) <= 0).all()
    assert table.attrs["base_value"] == pytest.approx(direct_net_savings(REALISTIC))


def test_tornado_columns_and_attrs_describe_the_payback_metric():
    table = tornado()
    assert list(table.columns) == ["assumption", "low", "high", "payback_months_at_low",
                                   "payback_months_at_high", "swing_months"]
    assert table.attrs["metric"] == "payback_months"
    assert table.attrs["horizon_months"] == 12
    assert table.attrs["base_value"] == pytest.approx(direct_payback(Scenario()))


def test_tornado_reports_never_for_no_payback_and_never_counts_it_as_the_horizon():
    # At $1 per 1k hosted, self-hosting at $2 per 1k never pays back: <NA>, not inf (issue 11);
    # and the swing is never too, not "6 months minus the other end" (issue 20)
    table = tornado(Scenario(horizon_months=6), {"hosted_cost_per_1k_req": (1.0, 15.0),
                                                 "data_prep_usd": (250.0, 5_000.0)})
    row = table.iloc[0]
    assert row["assumption"] == "hosted_cost_per_1k_req"  # it decides whether it pays back
    assert row["payback_months_at_low"] is pd.NA
    assert str(table["payback_months_at_low"].dtype) == "Float64"
    assert row["swing_months"] is pd.NA
    assert table.iloc[1]["swing_months"] == pytest.approx(
        table.iloc[1]["payback_months_at_high"] - table.iloc[1]["payback_months_at_low"])


def test_two_ends_that_both_never_pay_back_have_no_swing():
    table = tornado(Scenario(hosted_cost_per_1k_req=1.0), {"data_prep_usd": (250.0, 5_000.0)})
    assert table.iloc[0]["payback_months_at_low"] is pd.NA
    assert table.iloc[0]["swing_months"] == 0


def test_tornado_ties_keep_the_order_of_the_ranges():
    # Neither retraining nor a price decline moves a payback that happens in month 1.
    table = tornado(Scenario(), {"retrain_every_months": (3, 6),
                                 "hosted_price_decline_per_year": (0.5, 0.8)})
    assert table["assumption"].tolist() == ["retrain_every_months",
                                            "hosted_price_decline_per_year"]
    assert (table["swing_months"] == 0).all()


def test_tornado_uses_one_simulate_call_for_all_ends(monkeypatch):
    calls = []
    real = sensitivity.simulate

    def counting(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(sensitivity, "simulate", counting)
    tornado(REALISTIC, GPU_BILLED_RANGES)
    assert len(calls) == 1                        # both ends of every range, and the scenario
    assert all(np.shape(v) == (2 * len(GPU_BILLED_RANGES) + 1,) for v in calls[0].values())


def test_tornado_rejects_an_unknown_metric():
    with pytest.raises(ValueError, match="metric must be one of 'payback_months', "
                                         "'net_savings_usd', got 'irr'"):
        tornado(metric="irr")


def test_tornado_rejects_something_that_is_not_a_scenario():
    with pytest.raises(TypeError, match="scenario must be a Scenario, got dict"):
        tornado({"requests_per_month": 1})


# -- range validation (shared by tornado and monte_carlo) ----------------------------------------

@pytest.mark.parametrize("ranges,error,message", [
    ({"requests_per_day": (1, 2)}, ValueError,
     r"ranges has an unknown assumption 'requests_per_day'; choose from: requests_per_month"),
    ({"horizon_months": (6, 12)}, ValueError,
     "ranges cannot vary horizon_months: set it on the scenario instead"),
    ({"data_prep_usd": (500, 100)}, ValueError,
     r"ranges\['data_prep_usd'\] low must be <= high, got \(500, 100\)"),
    ({"data_prep_usd": (-5, 100)}, ValueError,
     r"ranges\['data_prep_usd'\] is outside the field's domain: data_prep_usd must be >= 0, "
     r"got -5"),
    ({"hosted_price_decline_per_year": (0.5, 1.0)}, ValueError,
     r"ranges\['hosted_price_decline_per_year'\] is outside the field's domain: "
     r"hosted_price_decline_per_year must be below 1"),
    ({"retrain_every_months": (2.5, 4)}, TypeError,
     r"ranges\['retrain_every_months'\] is outside the field's domain: retrain_every_months "
     r"must hold whole numbers of months"),
    ({"data_prep_usd": (1, 2, 3)}, TypeError,
     r"ranges\['data_prep_usd'\] must be a \(low, high\) pair, got \(1, 2, 3\)"),
    ({"data_prep_usd": 100}, TypeError,
     r"ranges\['data_prep_usd'\] must be a \(low, high\) pair, got 100"),
    ({"data_prep_usd": "1-2"}, TypeError,
     r"ranges\['data_prep_usd'\] must be a \(low, high\) pair, got '1-2'"),
    ({"data_prep_usd": ("a", 2)}, TypeError,
     r"ranges\['data_prep_usd'\] low must be a number, got 'a'"),
    ({"data_prep_usd": (1, [2, 3])}, TypeError,
     r"ranges\['data_prep_usd'\] must hold two numbers, got \(1, \[2, 3\]\)"),
    ({"data_prep_usd": (1, math.inf)}, ValueError,
     r"ranges\['data_prep_usd'\] high must be a finite number, got inf"),
    ({}, ValueError, "ranges must name at least one assumption, got an empty dict"),
    ([("data_prep_usd", (1, 2))], TypeError,
     "ranges must be a dict of field name -> \\(low, high\\), got list"),
])
def test_bad_ranges_are_rejected_with_a_message_naming_the_range(ranges, error, message):
    with pytest.raises(error, match=message):
        tornado(ranges=ranges)
    with pytest.raises(error, match=message):
        monte_carlo(ranges=ranges, n_draws=10)


# -- Monte Carlo --------------------------------------------------------------------------------

@SETTINGS
@given(seed=st.integers(min_value=0, max_value=2**32 - 1),
       n_draws=st.integers(min_value=1, max_value=400),
       distribution=st.sampled_from(["uniform", "triangular"]))
def test_monte_carlo_is_reproducible_with_a_fixed_seed(seed, n_draws, distribution):
    first = monte_carlo(REALISTIC, GPU_BILLED_RANGES, n_draws=n_draws, seed=seed,
                        distribution=distribution)
    second = monte_carlo(REALISTIC, GPU_BILLED_RANGES, n_draws=n_draws, seed=seed,
                         distribution=distribution)
    np.testing.assert_array_equal(first.payback_months, second.payback_months)
    assert first.p_payback_within == second.p_payback_within
    for name in GPU_BILLED_RANGES:
        np.testing.assert_array_equal(first.draws[name], second.draws[name])


@SETTINGS
@given(seed=st.integers(min_value=0, max_value=2**32 - 1),
       within=st.integers(min_value=1, max_value=12))
def test_probability_of_payback_is_a_share_between_0_and_1(seed, within):
    r = monte_carlo(n_draws=200, seed=seed, within_months=within)
    assert 0.0 <= r.p_payback_within <= r.p_payback_within_horizon <= 1.0
    assert r.p_payback_within == np.mean(r.payback_months.filled(np.inf) <= within)


def test_different_seeds_give_different_draws():
    a = monte_carlo(n_draws=1_000, seed=0)
    b = monte_carlo(n_draws=1_000, seed=1)
    assert not np.array_equal(a.payback_months, b.payback_months)
    assert not np.array_equal(a.draws["data_prep_usd"], b.draws["data_prep_usd"])


def test_every_draw_stays_inside_its_range():
    for distribution in ("uniform", "triangular"):
        r = monte_carlo(REALISTIC, GPU_BILLED_RANGES, n_draws=5_000, seed=3,
                        distribution=distribution)
        for name, (low, high) in GPU_BILLED_RANGES.items():
            assert r.draws[name].min() >= low and r.draws[name].max() <= high, name


@pytest.mark.parametrize("distribution", ["uniform", "triangular"])
def test_retraining_cadence_is_drawn_as_whole_months_covering_the_range(distribution):
    r = monte_carlo(REALISTIC, {"retrain_every_months": (3, 6)}, n_draws=4_000, seed=0,
                    distribution=distribution)
    assert set(np.unique(r.draws["retrain_every_months"])) == {3.0, 4.0, 5.0, 6.0}


def test_triangular_draws_crowd_towards_the_scenario_value_and_uniform_draws_do_not():
    ranges = {"data_prep_usd": (0.0, 10_000.0)}          # the scenario's $250 is near the low end
    uniform = monte_carlo(Scenario(), ranges, n_draws=20_000, seed=0)
    triangular = monte_carlo(Scenario(), ranges, n_draws=20_000, seed=0,
                             distribution="triangular")
    # means of U(0, 10000) and of a triangle (0, 250, 10000)
    assert uniform.draws["data_prep_usd"].mean() == pytest.approx(10_000 / 2, rel=0.02)
    assert triangular.draws["data_prep_usd"].mean() == pytest.approx(10_250 / 3, rel=0.02)
    # cheaper data on average -> faster payback
    assert triangular.p_payback_within > uniform.p_payback_within


def test_triangular_mode_is_clipped_into_the_range():
    # The scenario's hosted price, $15, lies above this range: the mode becomes the high end.
    r = monte_carlo(Scenario(), {"hosted_cost_per_1k_req": (5.0, 10.0)}, n_draws=20_000,
                    seed=0, distribution="triangular")
    assert r.draws["hosted_cost_per_1k_req"].mean() == pytest.approx((5 + 10 + 10) / 3, rel=0.01)


@pytest.mark.parametrize("scenario", [Scenario(), REALISTIC,
                                      replace(Scenario(), hosted_cost_per_1k_req=2.0)],
                         ids=["source_003", "realistic", "never_pays_back"])
def test_degenerate_ranges_give_the_deterministic_payback(scenario):
    ranges = {name: (getattr(scenario, name),) * 2 for name in DEFAULT_RANGES}
    for distribution in ("uniform", "triangular"):
        r = monte_carlo(scenario, ranges, n_draws=50, seed=0, distribution=distribution)
        expected = direct_payback(scenario)
        assert np.all(r.payback_months.filled(np.inf) == pytest.approx(expected))
        assert np.ma.getmaskarray(r.payback_months).all() == (expected == math.inf)
        assert r.p_payback_within == (1.0 if expected <= 3 else 0.0)


def test_monte_carlo_runs_all_draws_through_one_simulate_call(monkeypatch):
    calls = []
    real = sensitivity.simulate

    def counting(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(sensitivity, "simulate", counting)
    monte_carlo(n_draws=3_000)
    assert len(calls) == 1
    assert all(np.shape(v) == (3_000,) for v in calls[0].values())


def test_monte_carlo_fields_not_in_ranges_stay_at_the_scenario_value():
    r = monte_carlo(REALISTIC, {"data_prep_usd": (250.0, 10_000.0)}, n_draws=500, seed=0)
    # with only data prep varied, each draw's payback equals a direct run at that data cost
    for i in (0, 1, 499):
        s = replace(REALISTIC, data_prep_usd=float(r.draws["data_prep_usd"][i]))
        assert r.payback_months[i] == pytest.approx(direct_payback(s))


def test_monte_carlo_result_fields_and_summary():
    r = monte_carlo(n_draws=10_000, seed=7, within_months=6)
    assert isinstance(r, MonteCarloResult)
    assert (r.n_draws, r.seed, r.within_months, r.distribution, r.horizon_months) == \
        (10_000, 7, 6, "uniform", 12)
    assert r.payback_months.shape == (10_000,)
    pct = round(r.p_payback_within * 100)
    assert r.summary() == f"Payback within 6 months in {pct}% of 10,000 draws"
    assert r.median_payback_months == np.median(r.payback_months.filled(np.inf))
    with pytest.raises(AttributeError):
        r.seed = 3  # frozen


def test_deadline_defaults_to_a_quarter_or_the_horizon_if_shorter():
    # 003_512d162286761903.txt: "pay back within a quarter".
    assert monte_carlo(n_draws=10).within_months == 3
    assert monte_carlo(Scenario(horizon_months=2), n_draws=10).within_months == 2


@pytest.mark.parametrize("p,text", [(0.0, "0%"), (0.001, "<1%"), (0.5, "50%"), (0.996, ">99%"),
                                    (1.0, "100%")])
def test_summary_never_rounds_a_near_certainty_to_0_or_100_percent(p, text):
    assert sensitivity.share_text(p) == text


@pytest.mark.parametrize("kwargs,error,message", [
    ({"n_draws": 0}, ValueError, "n_draws must be >= 1, got 0"),
    ({"n_draws": 2.5}, TypeError, "n_draws must be a whole number, got 2.5"),
    ({"n_draws": True}, TypeError, "n_draws must be a whole number, got True"),
    ({"seed": -1}, ValueError, "seed must be >= 0, got -1"),
    ({"distribution": "normal"}, ValueError,
     "distribution must be one of 'uniform', 'triangular', 'split', got 'normal'"),
    ({"within_months": 0}, ValueError, "within_months must be >= 1, got 0"),
    ({"within_months": 13}, ValueError,
     r"within_months must be <= the scenario's horizon_months \(12\), got 13"),
    ({"scenario": "realistic"}, TypeError, "scenario must be a Scenario, got str"),
])
def test_bad_monte_carlo_arguments_are_rejected_naming_the_parameter(kwargs, error, message):
    with pytest.raises(error, match=message):
        monte_carlo(**{"n_draws": 10, **kwargs})


# -- sweep --------------------------------------------------------------------------------------

def test_sweep_rows_equal_direct_tco_runs():
    values = [0, 1, 2, 3, 6, 12]
    table = sweep(REALISTIC, "retrain_every_months", values)
    assert table["retrain_every_months"].tolist() == values
    for row in table.itertuples():
        result = tco(replace(REALISTIC, retrain_every_months=row.retrain_every_months))
        assert row.payback_months == pytest.approx(direct_payback(result.scenario))
        assert row.net_savings_usd == pytest.approx(direct_net_savings(result.scenario))
        assert (None if pd.isna(row.payback_month) else row.payback_month) == \
            result.payback_month


def test_sweep_marks_no_payback_as_missing_month_and_infinite_months():
    table = sweep(None, "hosted_cost_per_1k_req", [15, 2])
    assert table["payback_month"].isna().tolist() == [False, True]
    assert table["payback_months"].iloc[1] is pd.NA  # never (issue 11), not inf
    assert table["net_savings_usd"].iloc[1] == pytest.approx(-Scenario().one_time_usd)


def test_sweep_accepts_a_single_number():
    assert len(sweep(None, "data_prep_usd", 1_000)) == 1


@pytest.mark.parametrize("name,values,error,message", [
    ("horizon_months", [6], ValueError,
     "name must be a Scenario field other than horizon_months, got 'horizon_months'"),
    ("data_prep_usd", [], ValueError, r"values must be a non-empty list of numbers, got \[\]"),
    ("data_prep_usd", [[1, 2], [3, 4]], ValueError, "values must be a non-empty list"),
    ("data_prep_usd", [-1], ValueError, "data_prep_usd must be >= 0, got -1"),
])
def test_bad_sweeps_are_rejected(name, values, error, message):
    with pytest.raises(error, match=message):
        sweep(None, name, values)


# -- ranges_around ------------------------------------------------------------------------------

def test_ranges_around_spreads_each_value_by_the_given_fraction():
    r = ranges_around(REALISTIC, 0.25)
    assert r["hosted_cost_per_1k_req"] == (15 * 0.75, 15 * 1.25)
    assert r["data_prep_usd"] == (250 * 0.75, 250 * 1.25)
    assert set(r) == set(DEFAULT_RANGES)


def test_ranges_around_keeps_whole_months_and_never_turns_retraining_off():
    assert ranges_around(replace(REALISTIC, retrain_every_months=1), 0.9,
                         ["retrain_every_months"]) == {"retrain_every_months": (1, 2)}
    assert ranges_around(Scenario(), 0.9, ["retrain_every_months"]) == \
        {"retrain_every_months": (0, 0)}


def test_ranges_around_caps_price_declines_below_one():
    s = replace(Scenario(), hosted_price_decline_per_year=0.8)
    assert ranges_around(s, 0.5, ["hosted_price_decline_per_year"]) == \
        {"hosted_price_decline_per_year": (pytest.approx(0.4), 0.95)}


def test_ranges_around_feeds_monte_carlo_and_zero_spread_is_deterministic():
    r = monte_carlo(REALISTIC, ranges_around(REALISTIC, 0.0, [*DEFAULT_RANGES,
                                                               "hosting_usd_per_month"]),
                    n_draws=20)
    assert np.all(r.payback_months == pytest.approx(direct_payback(REALISTIC)))


@pytest.mark.parametrize("kwargs,error,message", [
    ({"relative_spread": 1.5}, ValueError, "relative_spread must be between 0 and 1, got 1.5"),
    ({"names": ["gpu"]}, ValueError, "names has an unknown assumption 'gpu'"),
])
def test_bad_ranges_around_arguments_are_rejected(kwargs, error, message):
    with pytest.raises(error, match=message):
        ranges_around(Scenario(), **kwargs)


def test_sensitivity_imports_numpy_only():
    import subprocess
    import sys

    code = ("import sys, ftroi_helpers.sensitivity; "
            "print(any(m in sys.modules for m in ('pandas', 'matplotlib', 'ipywidgets')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# -- figures (ftroi_helpers.sensitivity_plots) ---------------------------------------------------

def test_tornado_figure_title_names_the_assumption_with_the_largest_swing():
    from ftroi_helpers.sensitivity_plots import tornado_figure

    table = tornado(REALISTIC, GPU_BILLED_RANGES)
    fig = tornado_figure(table)
    top = ASSUMPTION_LABELS[table["assumption"].iloc[0]]
    assert fig.get_suptitle() == f"{top[0].upper()}{top[1:]} moves the payback most"
    ax = fig.axes[0]
    assert len(ax.patches) == 2 * len(table)               # a low bar and a high bar each
    # largest swing on top: its tick label is the highest one
    labels = [t.get_text() for t in ax.get_yticklabels()]
    ticks = list(ax.get_yticks())
    assert labels[ticks.index(max(ticks))].startswith(top)


def test_tornado_figure_marks_ends_with_no_payback_as_never_at_the_horizon():
    from ftroi_helpers.sensitivity_plots import tornado_figure

    fig = tornado_figure(tornado(Scenario(), {"hosted_cost_per_1k_req": (1.0, 15.0)}))
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["never"]
    low_bar = ax.patches[0]
    assert low_bar.get_x() + low_bar.get_width() == pytest.approx(12)


def test_net_savings_tornado_figure_has_money_on_the_x_axis():
    from ftroi_helpers.sensitivity_plots import tornado_figure

    fig = tornado_figure(tornado(REALISTIC, GPU_BILLED_RANGES, metric="net_savings_usd"))
    ax = fig.axes[0]
    assert fig.get_suptitle().endswith("moves the savings most")
    assert ax.get_xlabel() == "net savings after 12 months (USD)"
    assert ax.xaxis.get_major_formatter()(25_000, 0) == "$25,000"
    assert not ax.texts                                   # savings are always finite


def test_tornado_figure_shows_never_for_a_scenario_that_never_pays_back():
    from ftroi_helpers.sensitivity_plots import tornado_figure

    fig = tornado_figure(tornado(Scenario(hosted_cost_per_1k_req=2.0),
                                 {"data_prep_usd": (0.0, 1_000.0)}))
    assert fig.axes[0].get_legend().get_texts()[0].get_text() == "scenario as set: never"


def test_monte_carlo_figure_curve_reaches_the_share_paid_back_at_the_deadline():
    from ftroi_helpers.sensitivity_plots import monte_carlo_figure

    r = monte_carlo(REALISTIC, GPU_BILLED_RANGES, n_draws=2_000, seed=0)
    fig = monte_carlo_figure(r)
    ax = fig.axes[0]
    assert ax.get_title(loc="left") == r.summary()
    curve = ax.get_lines()[0]
    share = np.interp(r.within_months, curve.get_xdata(), curve.get_ydata())
    assert share == pytest.approx(r.p_payback_within * 100)
    assert curve.get_ydata()[-1] == pytest.approx(r.p_payback_within_horizon * 100)


def test_cost_curve_series_starts_fine_tuning_at_its_one_time_cost():
    from ftroi_helpers.sensitivity_plots import cost_curve_series

    series = cost_curve_series(REALISTIC, simulate(REALISTIC))
    assert series["month"][0] == 0 and series["prompting"][0] == 0
    assert series["finetune"][0] == REALISTIC.one_time_usd
    assert series["payback_months"] == pytest.approx(direct_payback(REALISTIC))


def test_cost_curves_figure_title_states_the_payback_and_its_marker_sits_on_the_lines():
    from ftroi_helpers.sensitivity_plots import cost_curves_figure

    fig = cost_curves_figure(REALISTIC)
    ax = fig.axes[0]
    month = tco(REALISTIC).payback_month
    assert ax.get_title(loc="left") == f"Fine-tuning pays back in month {month}"
    prompting, finetune, mark = ax.get_lines()
    x = mark.get_xdata()[0]
    assert x == pytest.approx(direct_payback(REALISTIC))
    assert np.interp(x, finetune.get_xdata(), finetune.get_ydata()) == \
        pytest.approx(mark.get_ydata()[0])


def test_sensitivity_figures_show_themselves_as_png_in_jupyter():
    from ftroi_helpers.sensitivity_plots import (
        cost_curves_figure,
        monte_carlo_figure,
        tornado_figure,
    )

    for fig in (tornado_figure(tornado()), monte_carlo_figure(monte_carlo(n_draws=100)),
                cost_curves_figure(Scenario())):
        assert fig._repr_png_().startswith(b"\x89PNG")


def test_tornado_figure_marks_the_deadline_when_asked():
    from ftroi_helpers.sensitivity_plots import tornado_figure

    fig = tornado_figure(tornado(REALISTIC, GPU_BILLED_RANGES), deadline_months=3)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "deadline: 3 months" in legend
    deadline = [ln for ln in fig.axes[0].get_lines() if ln.get_linestyle() == ":"]
    assert len(deadline) == 1 and deadline[0].get_xdata()[0] == 3


def test_payback_label_moves_above_the_marker_near_the_bottom_of_the_chart():
    from ftroi_helpers.sensitivity_plots import cost_curves_figure

    early = cost_curves_figure(Scenario())                       # pays back at 0.15 months
    late = cost_curves_figure(Scenario(hosted_cost_per_1k_req=3.0))   # at 2 months
    assert early.axes[0].texts[0].xyann == (8, 8)
    assert late.axes[0].texts[0].xyann == (8, -16)


def test_payback_label_moves_left_of_the_marker_near_the_right_hand_end():
    from ftroi_helpers.sensitivity_plots import cost_curves_figure

    # $2.20 vs $2 per 1k: the $400 takes 10 months to repay
    fig = cost_curves_figure(Scenario(hosted_cost_per_1k_req=2.2))
    label = fig.axes[0].texts[0]
    assert label.xy[0] > 0.7 * 12
    assert label.xyann[0] == -8 and label.get_horizontalalignment() == "right"


# -- the realistic scenario's ranges, interactions and the capstone's answer -------------------
from ftroi_helpers.cost_model import REALISTIC as SHARED_REALISTIC  # noqa: E402
from ftroi_helpers.sensitivity import (  # noqa: E402
    REALISTIC_CHANCES,
    REALISTIC_RANGES,
    attribution,
    capstone_answer,
    ranges_containing,
    two_way,
)


@pytest.mark.parametrize("name", sorted(REALISTIC_RANGES))
def test_the_realistic_base_case_lies_inside_each_of_its_ranges(name):
    low, high = REALISTIC_RANGES[name]
    assert low <= getattr(SHARED_REALISTIC, name) <= high


def test_the_realistic_ranges_draw_the_price_fall_as_a_model_switch_from_source_002():
    # 002_*.txt: prices "have dropped 50-80% annually"
    assert REALISTIC_RANGES["model_switch_price_cut"] == (0.5, 0.8)
    assert "hosted_price_decline_per_year" not in REALISTIC_RANGES


def test_ranges_containing_widens_only_the_ranges_a_value_falls_outside():
    s = replace(SHARED_REALISTIC, data_prep_usd=20_000, replicas=1)
    r = ranges_containing(s, REALISTIC_RANGES)
    assert r["data_prep_usd"] == (250.0, 20_000.0)
    assert r["replicas"] == REALISTIC_RANGES["replicas"]


def test_a_switch_price_cut_that_the_payback_tornado_cannot_see_still_moves_the_monte_carlo():
    # At the point values payback comes before the switch, so the cut has zero swing one at a
    # time; drawn together with an early switch and a slow payback, it decides the draws.
    table = tornado(SHARED_REALISTIC, REALISTIC_RANGES).set_index("assumption")
    assert table.loc["model_switch_price_cut", "swing_months"] == 0
    mc = monte_carlo(SHARED_REALISTIC, REALISTIC_RANGES, n_draws=4_000, seed=0)
    cut = mc.draws["model_switch_price_cut"]
    early = mc.draws["model_switch_month"] <= 8  # a cut only matters for the months after it
    ahead = mc.net_savings_usd >= 0
    assert ahead[early & (cut < 0.6)].mean() > ahead[early & (cut > 0.7)].mean()


def test_two_way_cells_equal_direct_runs_of_each_pair():
    t = two_way(SHARED_REALISTIC, "model_switch_month", [6, 9, 12], "data_prep_usd",
                [250, 2_500, 10_000])
    assert t.shape == (3, 3) and t.index.name == "data_prep_usd"
    for y in t.index:
        for x in t.columns:
            s = replace(SHARED_REALISTIC, model_switch_month=int(x), data_prep_usd=float(y))
            cell = t.loc[y, x]
            assert (math.inf if cell is pd.NA else cell) == pytest.approx(direct_payback(s))


def test_two_way_net_savings_and_its_errors():
    t = two_way(None, "hosted_cost_per_1k_req", [2, 15], "replicas", [1, 2],
                metric="net_savings_usd")
    assert t.loc[1, 15] == pytest.approx(direct_net_savings(Scenario()))
    with pytest.raises(ValueError, match="x_name and y_name must differ"):
        two_way(None, "replicas", [1], "replicas", [2])
    with pytest.raises(ValueError, match="y_name must be a Scenario field"):
        two_way(None, "replicas", [1], "horizon_months", [2])
    with pytest.raises(ValueError, match="must be a non-empty list"):
        two_way(None, "replicas", [], "training_usd", [2])


def test_attribution_finds_the_one_assumption_that_matters_and_no_interactions():
    # Only the hosted price varies in the first, so it explains (nearly) all the spread.
    mc = monte_carlo(Scenario(), {"hosted_cost_per_1k_req": (5.0, 25.0), "training_usd": (50, 50)},
                     n_draws=5_000, seed=1)
    t = attribution(mc)
    assert t["assumption"].tolist() == ["hosted_cost_per_1k_req"]
    assert t["first_order_share"].iloc[0] > 0.98
    assert t.attrs["interaction_share"] < 0.02
    assert t["metric_when_high"].iloc[0] > t["metric_when_low"].iloc[0]


def test_attribution_of_payback_within_a_quarter_shows_large_interactions():
    mc = monte_carlo(SHARED_REALISTIC, REALISTIC_RANGES, n_draws=4_000, seed=0)
    within = attribution(mc, "payback_within")
    savings = attribution(mc, "net_savings_usd")
    assert within.attrs["interaction_share"] > savings.attrs["interaction_share"]
    p = within["metric_when_low"].to_numpy()
    assert ((0 <= p) & (p <= 1)).all()


def test_attribution_rejects_what_it_cannot_attribute():
    with pytest.raises(TypeError, match="result must be a MonteCarloResult"):
        attribution("draws")
    fixed = monte_carlo(Scenario(), {"training_usd": (50, 50)}, n_draws=10)
    with pytest.raises(ValueError, match="no assumption that varies"):
        attribution(fixed)
    with pytest.raises(ValueError, match="bins must be >= 2"):
        attribution(fixed, bins=1)


def test_monte_carlo_reports_payback_by_any_month_and_ahead_at_the_horizon():
    mc = monte_carlo(SHARED_REALISTIC, REALISTIC_RANGES, n_draws=3_000, seed=2)
    direct = simulate(SHARED_REALISTIC, **mc.draws)
    assert mc.p_payback_by(12) == pytest.approx(np.mean(direct.payback_months.filled(np.inf)
                                                        <= 12))
    assert mc.p_ahead_at_horizon == pytest.approx(np.mean(direct.net_savings_usd >= 0))
    assert mc.p_payback_by(3) == mc.p_payback_within


def test_capstone_answer_reports_the_point_payback_and_the_three_probabilities():
    a = capstone_answer(SHARED_REALISTIC, REALISTIC_RANGES, n_draws=3_000, seed=0)
    r = tco(SHARED_REALISTIC)
    assert a.payback_month == r.payback_month
    mc = monte_carlo(SHARED_REALISTIC, ranges_containing(SHARED_REALISTIC, REALISTIC_RANGES),
                     n_draws=3_000, seed=0, distribution="split", chances=REALISTIC_CHANCES)
    assert (a.p_within_deadline, a.p_within_year, a.p_ahead_at_horizon) == (
        mc.p_payback_by(3), mc.p_payback_by(12), mc.p_ahead_at_horizon)
    assert len(a.drivers) == 3
    assert a.drivers[0] == attribution(mc)["assumption"].iloc[0]
    assert a.interaction_share == attribution(mc, "payback_within").attrs["interaction_share"]


@pytest.mark.parametrize("p", [0.0, 0.2, 0.49, 0.5, 0.9])
def test_the_capstone_verdict_says_likely_only_at_50_percent_or_more(p):
    a = capstone_answer(n_draws=500)
    a = sensitivity.CapstoneAnswer(**{**a.__dict__, "p_within_deadline": p})
    verdict = a.sentences()[2]
    assert ("is likely" in verdict.split(",")[0]) == (p >= 0.5)


def test_the_capstone_answer_of_a_scenario_that_never_pays_back():
    a = capstone_answer(Scenario(hosted_cost_per_1k_req=1.0), {"training_usd": (10, 60)},
                        n_draws=200, n_drivers=1)
    assert a.payback_month is None and a.p_within_deadline == 0
    assert a.text().startswith("At the point values fine-tuning does not pay back")
    assert f"driven most by {ASSUMPTION_LABELS['training_usd']}." in a.text()
    assert a.interaction_share is None and "Every draw gives the same answer" in a.text()


def test_a_model_switch_range_that_takes_in_never_draws_no_switch_in_month_1():
    # (added with issue 13: the capstone with no model switch, as a scenario file can say)
    from ftroi_helpers.calculators import capstone
    from ftroi_helpers.cost_model import Scenario

    for distribution in ("uniform", "triangular"):
        r = monte_carlo(Scenario(), {"model_switch_month": (0, 6)}, n_draws=2_000, seed=1,
                        distribution=distribution)
        drawn = set(np.unique(r.draws["model_switch_month"]))
        assert 1.0 not in drawn and {0.0, 2.0, 6.0} <= drawn
    assert capstone(Scenario()).error is None  # the GPUs serve: no USD 2 per 1,000 on top
    assert capstone(Scenario()).outcome.data["scenario"].self_hosted_cost_per_1k_req == 0


def test_attribution_halves_are_never_empty_even_for_adjacent_floats():
    # min and max one float apart: their midpoint rounds to min, so "x < middle" is empty.
    lo = 10.0
    hi = float(np.nextafter(lo, 20.0))
    mc = monte_carlo(Scenario(), {"hosted_cost_per_1k_req": (lo, hi)}, n_draws=200, seed=3)
    t = attribution(mc)
    low, high = t["metric_when_low"].iloc[0], t["metric_when_high"].iloc[0]
    assert np.isfinite(low) and np.isfinite(high)


# -- honest ranges (issue 20, item 6) -------------------------------------------------------------
def test_every_realistic_point_value_is_the_median_of_its_capstone_draws():
    a = capstone_answer(SHARED_REALISTIC, REALISTIC_RANGES, n_draws=20_000, seed=1, chances={})
    for name, (low, high) in REALISTIC_RANGES.items():
        point = float(getattr(SHARED_REALISTIC, name))
        drawn = a.monte_carlo.draws[name]
        if name in {"replicas", "launch_delay_months", "retrain_every_months",
                    "model_switch_month"}:  # whole numbers: the point is the middle draw
            assert np.median(drawn) == point, name
        else:
            assert abs(np.median(drawn) - point) <= 0.01 * (high - low), name


def test_the_split_draws_keep_the_point_at_the_median_and_lean_the_mean_with_the_range():
    rng = np.random.default_rng(0)
    x = sensitivity._split(rng, 250.0, 2_500.0, 10_000.0, 200_000)
    assert np.median(x) == pytest.approx(2_500, rel=0.01)
    # each half a triangle peaked at the point: means 250 + 2/3 x 2,250 and 2,500 + 1/3 x 7,500
    assert x.mean() == pytest.approx((1_750 + 5_000) / 2, rel=0.01)
    assert x.min() >= 250 and x.max() <= 10_000


def test_the_model_switch_happens_in_the_share_of_draws_its_chance_says():
    assert REALISTIC_CHANCES == {"model_switch_month": 0.5}
    a = capstone_answer(SHARED_REALISTIC, REALISTIC_RANGES, n_draws=20_000, seed=2)
    switched = a.monte_carlo.draws["model_switch_month"] > 0
    assert switched.mean() == pytest.approx(0.5, abs=0.02)
    assert set(np.unique(a.monte_carlo.draws["model_switch_month"][switched])) <= set(range(6, 13))
    never = capstone_answer(SHARED_REALISTIC, REALISTIC_RANGES, n_draws=2_000, seed=2,
                            chances={"model_switch_month": 0.0})
    assert not np.any(never.monte_carlo.draws["model_switch_month"])


def test_a_chance_for_something_that_is_not_an_event_is_refused_by_name():
    with pytest.raises(ValueError, match="chances has 'data_prep_usd', which is not an event"):
        monte_carlo(SHARED_REALISTIC, REALISTIC_RANGES, n_draws=10,
                    chances={"data_prep_usd": 0.5})
    with pytest.raises(ValueError, match=r"chances\['model_switch_month'\] must be between 0 and 1"):
        monte_carlo(SHARED_REALISTIC, REALISTIC_RANGES, n_draws=10,
                    chances={"model_switch_month": 1.5})


def test_the_gpu_range_holds_the_dated_g5_xlarge_price_as_its_point_value():
    low, high = REALISTIC_RANGES["hosting_usd_per_month"]
    assert SHARED_REALISTIC.hosting_usd_per_month == pytest.approx(1.006 * 730)  # prices.csv
    assert low <= SHARED_REALISTIC.hosting_usd_per_month <= high


def test_no_gpu_price_trend_is_assumed_without_dated_rows_showing_one():
    from ftroi_helpers.prices import load_prices

    gpus = load_prices().dropna(subset=["hosting_usd_per_hour"])
    # one dated row per GPU model: nothing to read a trend from
    assert gpus.groupby("model")["as_of"].nunique().max() == 1
    assert SHARED_REALISTIC.hosting_price_decline_per_year == 0
    assert "hosting_price_decline_per_year" not in REALISTIC_RANGES


def test_the_mean_saving_over_the_draws_is_reported_beside_the_point_saving():
    a = capstone_answer(SHARED_REALISTIC, REALISTIC_RANGES, n_draws=3_000, seed=0)
    assert a.mean_net_savings_usd == pytest.approx(float(np.mean(a.monte_carlo.net_savings_usd)))
    assert a.mean_net_savings_usd < a.net_savings_usd  # the upward-leaning cost ranges
