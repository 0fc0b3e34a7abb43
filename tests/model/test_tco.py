"""Total cost of ownership: the scenario record, the month table, payback, and simulate()."""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftroi_helpers.cost_model import (
    REALISTIC,
    REALISTIC_ASSUMPTIONS,
    REALISTIC_TRAINING_GPU_HOURS,
    Curves,
    Scenario,
    TCOResult,
    compare_scenarios,
    replace,
    simulate,
    tco,
)

SETTINGS = settings(derandomize=True, database=None, deadline=None, max_examples=60)

COLUMNS = ["month", "prompting_usd", "finetune_usd", "prompting_cumulative_usd",
           "finetune_cumulative_usd", "cumulative_savings_usd"]


def reference_model(s: Scenario) -> tuple[list[tuple[float, float]], int | None, float | None]:
    """The documented timing conventions (cost_model's module docstring), one month at a time.

    Written independently of cost_model.simulate as a plain loop: returns the monthly
    (prompting_usd, finetune_usd) pairs, the payback month and the fractional payback months.
    """
    rows = []
    cum_prompt = cum_ft = 0.0
    month_paid = fraction_paid = None
    for m in range(1, s.horizon_months + 1):
        hosted_mult = (1 - s.hosted_price_decline_per_year) ** ((m - 1) / 12)
        ft_mult = (1 - s.finetune_price_decline_per_year) ** ((m - 1) / 12)
        gpu_mult = (1 - s.hosting_price_decline_per_year) ** ((m - 1) / 12)
        switched = s.model_switch_month and m >= s.model_switch_month
        cut = 1 - s.model_switch_price_cut if switched else 1.0
        prompting = s.requests_per_month / 1000 * s.hosted_cost_per_1k_req * hosted_mult * cut
        if m <= s.launch_delay_months:        # not launched yet: the hosted API serves it all
            serving = prompting
        else:
            serving = (s.requests_per_month / 1000 * s.self_hosted_cost_per_1k_req * ft_mult * cut
                       + s.hosting_usd_per_month * s.replicas * gpu_mult
                       + s.monitoring_usd_per_month)
        running = serving + s.engineering_usd_per_month
        after_launch = m - 1 - s.launch_delay_months
        scheduled = (s.retrain_every_months and after_launch > 0
                     and after_launch % s.retrain_every_months == 0)
        switch_now = s.model_switch_month and m == s.model_switch_month
        if m == 1:
            lump = s.data_prep_usd + s.training_usd + s.eval_harness_usd
        elif scheduled or switch_now:
            lump = s.training_usd * ft_mult + s.eval_harness_usd
        else:
            lump = 0.0
        prompt_lump = s.eval_harness_usd if switch_now else 0.0
        # lumps are paid as the month starts
        lead_at_start = (cum_prompt - cum_ft) + prompt_lump - lump
        cum_prompt += prompting + prompt_lump
        cum_ft += running + lump
        rows.append((prompting + prompt_lump, running + lump))
        if month_paid is None and cum_prompt - cum_ft >= 0:
            flow = prompting - running                 # savings accrue evenly in the month
            month_paid = m
            fraction_paid = (m - 1) + (-lead_at_start / flow if lead_at_start < 0 else 0.0)
    return rows, month_paid, fraction_paid


# -- the scenario record -----------------------------------------------------------------------

def test_default_scenario_is_source_003s_example():
    # 003_512d162286761903.txt: "200k requests/month", hosted $15 / 1k, self-hosted $2 / 1k,
    # "One-time project cost (data + a few Colab/cloud GPU hours + your time): $400".
    s = Scenario()
    assert s.requests_per_month == 200_000
    assert (s.hosted_cost_per_1k_req, s.self_hosted_cost_per_1k_req) == (15, 2)
    assert s.one_time_usd == 400


def test_scenario_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Scenario().horizon_months = 24  # type: ignore[misc]


def test_scenario_stores_plain_numbers_with_whole_months_as_ints():
    s = Scenario(horizon_months=24.0, retrain_every_months=np.int64(3),
                 requests_per_month=np.float32(1000))
    assert type(s.horizon_months) is int and s.horizon_months == 24
    assert type(s.retrain_every_months) is int and s.retrain_every_months == 3
    assert type(s.requests_per_month) is float


def test_replace_changes_one_field_and_leaves_the_original_alone():
    s = Scenario()
    t = replace(s, retrain_every_months=3)
    assert t.retrain_every_months == 3 and s.retrain_every_months == 0
    assert dataclasses.astuple(t)[:8] == dataclasses.astuple(s)[:8]


def test_replace_validates_the_new_value():
    with pytest.raises(ValueError, match=r"^horizon_months must be >= 1, got 0$"):
        replace(Scenario(), horizon_months=0)


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [({"hosted_cost_per_1k_req": -3}, ValueError, r"^hosted_cost_per_1k_req must be >= 0, got -3$"),
     ({"training_usd": math.nan}, ValueError, r"^training_usd must be a finite number"),
     ({"data_prep_usd": "250"}, TypeError, r"^data_prep_usd must be a number"),
     ({"requests_per_month": True}, TypeError, r"^requests_per_month must be a number"),
     ({"hosted_price_decline_per_year": 1.0}, ValueError,
      r"^hosted_price_decline_per_year must be below 1"),
     ({"finetune_price_decline_per_year": 1.5}, ValueError,
      r"^finetune_price_decline_per_year must be between 0 and 1, got 1.5$"),
     ({"hosted_price_decline_per_year": -0.1}, ValueError, r"must be between 0 and 1, got -0.1$"),
     ({"horizon_months": 0}, ValueError, r"^horizon_months must be >= 1, got 0$"),
     ({"horizon_months": 2.5}, TypeError, r"^horizon_months must be a whole number, got 2.5$"),
     ({"retrain_every_months": 1.5}, TypeError,
      r"^retrain_every_months must be a whole number, got 1.5$"),
     ({"retrain_every_months": -1}, ValueError, r"^retrain_every_months must be >= 0, got -1$"),
     ({"hosted_cost_per_1k_req": np.array([15.0, 3.0])}, TypeError,
      r"^hosted_cost_per_1k_req must be a single number in a Scenario")],
)
def test_bad_scenario_fields_are_rejected_naming_the_field(changes, error, message):
    with pytest.raises(error, match=message):
        Scenario(**changes)


def test_from_tokens_prices_source_002s_classification_per_1k_requests():
    # 002_44dbb0b6dad16d21.txt, simple classification at 10K req/day on gpt-4o-mini:
    # prompted 800 in + 50 out at $0.15/$0.60 -> $0.15 per 1k requests; fine-tuned 200 in +
    # 50 out at $0.30/$1.20 -> $0.12 per 1k; 10,000 x 30 = 300,000 requests a month.
    s = Scenario.from_tokens(10_000, 800, 200, 50, 0.15, 0.60, 0.30, 1.20)
    assert s.requests_per_month == 300_000
    assert s.hosted_cost_per_1k_req == pytest.approx(0.15)
    assert s.self_hosted_cost_per_1k_req == pytest.approx(0.12)


def test_from_tokens_passes_other_assumptions_through():
    s = Scenario.from_tokens(10_000, 800, 200, 50, 0.15, 0.60, 0.30, 1.20, days_per_month=31,
                             horizon_months=24, training_usd=15)
    assert (s.requests_per_month, s.horizon_months, s.training_usd) == (310_000, 24, 15)


def test_classification_on_gpt_4o_mini_pays_back_slower_than_source_002_says():
    # 002_44dbb0b6dad16d21.txt: simple classification breaks even in "1-2 months" with a
    # "$15-75" training run. At the true $9 a month saved, the $15 run alone takes 15 / 9 = 1.7
    # months, the $75 run 75 / 9 = 8.3 months, and with this workbook's default data and
    # evaluation costs ($350 more) fine-tuning does not pay back within a year.
    s = Scenario.from_tokens(10_000, 800, 200, 50, 0.15, 0.60, 0.30, 1.20, training_usd=15,
                             data_prep_usd=0, eval_harness_usd=0)
    assert tco(s).payback_months == pytest.approx(15 / 9)
    assert tco(replace(s, training_usd=75)).payback_months == pytest.approx(75 / 9)
    assert tco(replace(s, data_prep_usd=250, eval_harness_usd=100)).payback_month is None


@pytest.mark.parametrize(
    ("position", "name"),
    [(0, "requests_per_day"), (1, "prompted_input_tokens"), (2, "finetuned_input_tokens"),
     (3, "output_tokens"), (4, "base_usd_per_1m_input"), (7, "ft_usd_per_1m_output")],
)
def test_from_tokens_errors_name_its_own_parameters(position, name):
    args = [10_000, 800, 200, 50, 0.15, 0.60, 0.30, 1.20]
    args[position] = -1
    with pytest.raises(ValueError, match=rf"^{name} must be >= 0, got -1$"):
        Scenario.from_tokens(*args)


def test_from_tokens_refuses_arrays():
    with pytest.raises(TypeError, match=r"^requests_per_day must be a single number"):
        Scenario.from_tokens(np.array([1.0, 2.0]), 800, 200, 50, 0.15, 0.60, 0.30, 1.20)


# -- the month table ---------------------------------------------------------------------------

def test_table_has_one_row_per_month_and_the_documented_columns():
    result = tco(Scenario(horizon_months=18))
    assert isinstance(result, TCOResult)
    assert list(result.table.columns) == COLUMNS
    assert result.table["month"].tolist() == list(range(1, 19))


def test_one_time_cost_is_paid_in_month_1_only():
    t = tco(Scenario()).table
    # 200 x $2 = $400 of inference a month, plus the $400 one-time cost in month 1.
    assert t["finetune_usd"].tolist() == [800.0] + [400.0] * 11
    assert t["prompting_usd"].tolist() == [3000.0] * 12


def test_totals_over_a_year_for_source_003s_example():
    t = tco(Scenario()).table
    assert t["prompting_cumulative_usd"].iloc[-1] == 12 * 3_000
    assert t["finetune_cumulative_usd"].iloc[-1] == 400 + 12 * 400
    assert t["cumulative_savings_usd"].iloc[-1] == 36_000 - 5_200


def test_cumulative_columns_are_running_sums_and_savings_their_difference():
    t = tco(Scenario(retrain_every_months=2, hosted_price_decline_per_year=0.5)).table
    np.testing.assert_allclose(t["prompting_cumulative_usd"], t["prompting_usd"].cumsum())
    np.testing.assert_allclose(t["finetune_cumulative_usd"], t["finetune_usd"].cumsum())
    np.testing.assert_allclose(t["cumulative_savings_usd"],
                               t["prompting_cumulative_usd"] - t["finetune_cumulative_usd"])


def test_retraining_is_paid_at_the_start_of_months_1_plus_n():
    t = tco(Scenario(retrain_every_months=3)).table
    # Retraining = another training run ($50) plus re-evaluation ($100), in months 4, 7 and 10.
    retrain_months = t.loc[t["finetune_usd"] > 400, "month"].tolist()
    assert retrain_months == [1, 4, 7, 10]
    assert t.loc[t["month"] == 4, "finetune_usd"].item() == 400 + 50 + 100


def test_retraining_every_month_pays_from_month_2():
    t = tco(Scenario(retrain_every_months=1, horizon_months=3)).table
    assert t["finetune_usd"].tolist() == [800.0, 550.0, 550.0]


def test_hosting_and_monitoring_are_paid_every_month():
    t = tco(Scenario(hosting_usd_per_month=734.38, monitoring_usd_per_month=50, per_request_on_top_of_hosting=True)).table
    assert t["finetune_usd"].tolist() == pytest.approx([800 + 784.38] + [400 + 784.38] * 11)


def test_a_hosted_price_halving_each_year_is_half_in_month_13():
    # Source 002: "prices have dropped 50-80% annually". A 50 % yearly decline halves the
    # hosted price after 12 months, and takes 1/sqrt(2) off it after 6.
    t = tco(Scenario(hosted_price_decline_per_year=0.5, horizon_months=13)).table
    assert t["prompting_usd"].iloc[12] == pytest.approx(3_000 * 0.5)
    assert t["prompting_usd"].iloc[6] == pytest.approx(3_000 * 0.5 ** 0.5)
    assert t["finetune_usd"].iloc[12] == 400


def test_fine_tuning_price_decline_cuts_inference_and_retraining_but_not_evaluation():
    s = Scenario(finetune_price_decline_per_year=0.5, retrain_every_months=12, horizon_months=13)
    t = tco(s).table
    # Month 13: $400 of inference at half price, plus a retraining: $50 at half price + $100.
    assert t["finetune_usd"].iloc[12] == pytest.approx(200 + 25 + 100)
    assert t["prompting_usd"].iloc[12] == 3_000


# -- payback -----------------------------------------------------------------------------------

def test_source_003s_example_pays_back_within_month_1():
    # $400 up front, then $3,000 - $400 = $2,600 a month saved: 400 / 2,600 = 0.15 months.
    result = tco(Scenario())
    assert result.payback_month == 1
    assert result.payback_months == pytest.approx(400 / 2_600)
    assert result.summary() == "Fine-tuning pays back in month 1"


def test_payback_exactly_at_a_month_end_is_that_month():
    # $3 / 1k hosted: $600 a month against $400 + $400; $200 a month saved repays $400 in 2.
    result = tco(Scenario(hosted_cost_per_1k_req=3.0))
    assert (result.payback_month, result.payback_months) == (2, pytest.approx(2.0))


def test_payback_part_way_through_a_month_is_fractional():
    # $2.80 / 1k hosted: $560 - $400 = $160 a month saved; $400 / $160 = 2.5 months.
    result = tco(Scenario(hosted_cost_per_1k_req=2.8))
    assert result.payback_month == 3
    assert result.payback_months == pytest.approx(2.5)


def test_payback_is_none_when_self_hosting_is_not_cheaper():
    result = tco(Scenario(hosted_cost_per_1k_req=2.0))
    assert result.payback_month is None and result.payback_months is None
    assert result.summary() == ("Fine-tuning does not pay back within 12 months "
                                "(it is $400 behind at the end)")


def test_payback_is_none_when_hosting_eats_the_savings():
    # Source 003's savings are $2,600 a month; a $3,000-a-month GPU more than cancels them.
    assert tco(Scenario(hosting_usd_per_month=3_000, per_request_on_top_of_hosting=True)).payback_month is None


def test_payback_is_none_when_it_falls_beyond_the_horizon():
    # $2.10 / 1k: $20 a month saved needs 20 months.
    assert tco(Scenario(hosted_cost_per_1k_req=2.1)).payback_month is None
    result = tco(Scenario(hosted_cost_per_1k_req=2.1, horizon_months=24))
    assert result.payback_month == 20
    assert result.payback_months == pytest.approx(20.0)


def test_payback_is_the_first_month_ahead_even_if_a_retraining_puts_it_behind_later():
    # $520 vs $420 a month ($100 saved), $400 up front, $150 retraining in months 4, 7, 10:
    # behind by 300, 200, 100, 150, 50, then ahead by 50 at the end of month 6 (payback 5.5),
    # and behind again during month 7 after the next retraining.
    s = Scenario(hosted_cost_per_1k_req=2.6, hosting_usd_per_month=20, retrain_every_months=3,
                 per_request_on_top_of_hosting=True,
                 horizon_months=8)
    result = tco(s)
    assert result.table["cumulative_savings_usd"].tolist() == pytest.approx(
        [-300, -200, -100, -150, -50, 50, 0, 100])
    assert result.payback_month == 6
    assert result.payback_months == pytest.approx(5.5)


def test_free_fine_tuning_that_saves_money_pays_back_at_once():
    s = Scenario(data_prep_usd=0, training_usd=0, eval_harness_usd=0)
    result = tco(s)
    assert (result.payback_month, result.payback_months) == (1, 0.0)


# -- simulate ----------------------------------------------------------------------------------

def test_simulate_returns_arrays_shaped_scenarios_by_months():
    c = simulate(Scenario(horizon_months=6), hosted_cost_per_1k_req=np.array([15.0, 3.0, 2.0]))
    assert isinstance(c, Curves)
    for arr in (c.prompting_usd, c.finetune_usd, c.prompting_cumulative_usd,
                c.finetune_cumulative_usd):
        assert arr.shape == (3, 6)
    assert c.payback_month.tolist() == [1, 2, 0]
    assert c.payback_months[:2].tolist() == pytest.approx([400 / 2_600, 2.0])
    # issue 11: never is masked, not inf
    assert np.ma.getmaskarray(c.payback_months).tolist() == [False, False, True]
    assert not np.isinf(c.payback_months).any()


def test_simulate_without_arrays_is_one_scenario():
    c = simulate()
    assert c.prompting_usd.shape == (1, 12)
    assert c.payback_month.tolist() == [1]


def test_simulate_broadcasts_a_length_one_array_against_a_longer_one():
    c = simulate(Scenario(), hosted_cost_per_1k_req=np.array([15.0, 3.0]),
                 training_usd=np.array([50.0]))
    assert c.prompting_usd.shape == (2, 12)


def test_simulate_accepts_whole_retraining_intervals_as_an_array():
    c = simulate(Scenario(horizon_months=4), retrain_every_months=np.array([0, 3]))
    assert c.finetune_usd[:, 3].tolist() == [400.0, 550.0]


@pytest.mark.parametrize(
    ("arrays", "error", "message"),
    [({"hosted": np.array([1.0])}, TypeError, r"^unknown scenario field\(s\): hosted$"),
     ({"horizon_months": np.array([12, 24])}, TypeError, r"^horizon_months must be set on"),
     ({"hosted_cost_per_1k_req": np.array([[15.0, 3.0]])}, ValueError,
      r"^hosted_cost_per_1k_req must be a number or a 1-D array, got shape \(1, 2\)$"),
     ({"hosted_cost_per_1k_req": np.array([15.0, 3.0]), "training_usd": np.ones(3)},
      ValueError, r"^scenario arrays must have the same length \(or length 1\): "
      r"hosted_cost_per_1k_req has 2, training_usd has 3$"),
     ({"retrain_every_months": np.array([1.5, 3.0])}, TypeError,
      r"^retrain_every_months must hold whole numbers of months, got 1.5$"),
     ({"retrain_every_months": 2.5}, TypeError,
      r"^retrain_every_months must be a whole number, got 2.5$"),
     ({"training_usd": np.array([50.0, -1.0])}, ValueError, r"^training_usd must be >= 0, got -1$"),
     ({"hosted_price_decline_per_year": np.array([0.5, 1.0])}, ValueError,
      r"^hosted_price_decline_per_year must be below 1")],
)
def test_simulate_rejects_bad_arrays_naming_the_field(arrays, error, message):
    with pytest.raises(error, match=message):
        simulate(Scenario(), **arrays)


money = st.integers(0, 2_000).map(lambda x: x / 2)
scenarios = st.builds(
    Scenario,
    requests_per_month=st.integers(0, 1_000_000).map(float),
    hosted_cost_per_1k_req=st.integers(0, 60).map(lambda x: x / 4),
    self_hosted_cost_per_1k_req=st.integers(0, 40).map(lambda x: x / 4),
    data_prep_usd=money, training_usd=money, eval_harness_usd=money,
    hosting_usd_per_month=money, monitoring_usd_per_month=money,
    # the arithmetic of both serving costs at once (lessons never pay both: see test_serving)
    per_request_on_top_of_hosting=st.just(True),
    retrain_every_months=st.integers(0, 7),
    hosted_price_decline_per_year=st.sampled_from([0.0, 0.2, 0.5, 0.8]),
    finetune_price_decline_per_year=st.sampled_from([0.0, 0.3, 0.5]),
    replicas=st.integers(1, 3),
    engineering_usd_per_month=money,
    launch_delay_months=st.integers(0, 3),
    hosting_price_decline_per_year=st.sampled_from([0.0, 0.25]),
    model_switch_month=st.sampled_from([0, 2, 4, 7, 12]),
    model_switch_price_cut=st.sampled_from([0.0, 0.5, 0.8]),
    horizon_months=st.just(12),
)


@SETTINGS
@given(scenarios)
def test_tco_follows_the_documented_timing_conventions(s):
    rows, month_paid, fraction_paid = reference_model(s)
    result = tco(s)
    np.testing.assert_allclose(result.table[["prompting_usd", "finetune_usd"]].to_numpy(),
                               np.array(rows), rtol=1e-12, atol=1e-9)
    savings = result.table["cumulative_savings_usd"].to_numpy()
    near_zero = np.isclose(savings, 0, atol=1e-6).any()   # float ties may fall either way
    if not near_zero:
        assert result.payback_month == month_paid
        if fraction_paid is None:
            assert result.payback_months is None
        else:
            assert result.payback_months == pytest.approx(fraction_paid, abs=1e-9)


@SETTINGS
@given(st.lists(scenarios, min_size=1, max_size=6))
def test_simulate_rows_equal_tco_of_each_scenario(batch):
    names = [f.name for f in dataclasses.fields(Scenario) if f.name != "horizon_months"]
    arrays = {name: np.array([getattr(s, name) for s in batch]) for name in names}
    c = simulate(Scenario(), **arrays)
    for i, s in enumerate(batch):
        result = tco(s)
        t = result.table
        np.testing.assert_allclose(c.prompting_usd[i], t["prompting_usd"], rtol=1e-12)
        np.testing.assert_allclose(c.finetune_usd[i], t["finetune_usd"], rtol=1e-12)
        np.testing.assert_allclose(c.finetune_cumulative_usd[i], t["finetune_cumulative_usd"],
                                   rtol=1e-12)
        assert c.payback_month[i] == (result.payback_month or 0)
        if result.payback_months is None:
            assert c.payback_months[i] is np.ma.masked
        else:
            assert c.payback_months[i] == pytest.approx(result.payback_months)


def test_a_large_batch_matches_the_reference_model_scenario_by_scenario():
    # Hundreds of scenarios take simulate's large-batch path; every row must still follow the
    # month-by-month conventions.
    rng = np.random.default_rng(20240723)
    n = 400
    arrays = {
        "hosted_cost_per_1k_req": rng.uniform(0, 6, n).round(2),
        "training_usd": rng.uniform(0, 500, n).round(),
        "retrain_every_months": rng.integers(0, 7, n),
        "hosted_price_decline_per_year": rng.choice([0.0, 0.5, 0.8], n),
        "finetune_price_decline_per_year": rng.choice([0.0, 0.3], n),
        "hosting_usd_per_month": rng.choice([0.0, 100.0], n),
        "replicas": rng.integers(1, 4, n),
        "launch_delay_months": rng.integers(0, 3, n),
        "model_switch_month": rng.choice([0, 3, 7], n),
        "model_switch_price_cut": rng.choice([0.0, 0.6], n),
        "engineering_usd_per_month": rng.choice([0.0, 50.0], n),
    }
    c = simulate(Scenario(horizon_months=24, per_request_on_top_of_hosting=True), **arrays)
    assert c.prompting_usd.shape == (n, 24)
    for i in range(0, n, 7):
        s = Scenario(horizon_months=24, per_request_on_top_of_hosting=True, **{k: v[i].item() for k, v in arrays.items()})
        rows, month_paid, _ = reference_model(s)
        np.testing.assert_allclose(c.finetune_usd[i], [f for _p, f in rows], rtol=1e-12)
        np.testing.assert_allclose(c.finetune_cumulative_usd[i],
                                   np.cumsum([f for _p, f in rows]), rtol=1e-12)
        np.testing.assert_allclose(c.prompting_cumulative_usd[i],
                                   np.cumsum([p for p, _f in rows]), rtol=1e-12)
        assert c.payback_month[i] == (month_paid or 0)


@SETTINGS
@given(scenarios, st.integers(1, 20).map(float))
def test_a_dearer_hosted_price_never_delays_payback(s, extra):
    before = tco(s).payback_months
    after = tco(replace(s, hosted_cost_per_1k_req=s.hosted_cost_per_1k_req + extra))
    if before is not None:
        assert after.payback_months is not None and after.payback_months <= before + 1e-9


# -- the costs that sink real self-hosting projects (issue 12's table, source 003's defaults) --
# Source 003 (003_*.txt): $15 vs $2 per 1k requests, $400 one-time, 200k requests/month. The
# monthly saving is 200 x (15 - 2) = $2,600.

def test_two_months_to_launch_push_source_003s_payback_to_month_3():
    assert tco(Scenario(launch_delay_months=2)).payback_month == 3


def test_3000_a_month_of_engineering_means_source_003_never_pays_back():
    assert tco(Scenario(engineering_usd_per_month=3000)).payback_month is None


def test_two_g5_replicas_serving_source_003_pay_back_in_month_1_for_usd_1469_a_month():
    # served by the GPUs, their bill replaces the USD 2 per 1,000 (issue 20: lesson 03 kept both)
    s = Scenario(self_hosted_cost_per_1k_req=0, hosting_usd_per_month=734.38, replicas=2)
    assert s.finetune_usd_per_month == pytest.approx(2 * 734.38)
    assert tco(s).payback_month == 1


def test_four_g5_replicas_serving_source_003_pay_back_in_month_7():
    # USD 3,000 hosted against 4 x 734.38 = 2,937.52 of GPUs: USD 62.48 a month repays USD 400
    # in 6.4 months
    s = Scenario(self_hosted_cost_per_1k_req=0, hosting_usd_per_month=734.38, replicas=4)
    assert tco(s).payback_month == 7
    assert tco(s).payback_months == pytest.approx(400 / (3_000 - 4 * 734.38))


def test_a_scenario_served_by_gpus_refuses_a_flat_price_per_request_as_well():
    with pytest.raises(ValueError, match="self_hosted_cost_per_1k_req .2. and hosting_usd_per_month "
                                         ".734.38. would both pay for serving"):
        Scenario(hosting_usd_per_month=734.38, replicas=4)
    with pytest.raises(ValueError, match=r"\(scenario 1\).*per_request_on_top_of_hosting=True"):
        simulate(Scenario(self_hosted_cost_per_1k_req=0),
                 hosting_usd_per_month=np.array([734.38, 734.38]),
                 self_hosted_cost_per_1k_req=np.array([0.0, 2.0]))


def test_a_per_request_cost_on_top_of_the_gpus_is_paid_when_the_scenario_says_why():
    # e.g. egress at USD 0.10 per 1,000 requests on top of one GPU
    s = Scenario(self_hosted_cost_per_1k_req=0.1, hosting_usd_per_month=734.38,
                 per_request_on_top_of_hosting=True)
    assert s.finetune_usd_per_month == pytest.approx(200 * 0.1 + 734.38)
    assert tco(s).table["finetune_usd"].iloc[1] == pytest.approx(200 * 0.1 + 734.38)


def test_new_fields_default_to_source_003s_unchanged_example():
    s = Scenario()
    assert (s.engineering_usd_per_month, s.launch_delay_months, s.replicas) == (0.0, 0, 1)
    assert (s.model_switch_month, s.model_switch_price_cut,
            s.hosting_price_decline_per_year) == (0, 0.0, 0.0)


def test_before_launch_fine_tuning_pays_the_hosted_bill_on_top_of_its_one_time_costs():
    s = Scenario(launch_delay_months=2, hosting_usd_per_month=500, monitoring_usd_per_month=40,
                 per_request_on_top_of_hosting=True)
    ft = tco(s).table["finetune_usd"].tolist()
    assert ft[0] == pytest.approx(400 + 3000)           # one-time + all traffic hosted
    assert ft[1] == pytest.approx(3000)                 # still hosted; no GPU, no monitoring
    assert ft[2] == pytest.approx(400 + 500 + 40)       # launched: $2/1k + GPU + monitoring


def test_engineering_is_paid_from_month_1_even_before_launch():
    ft = tco(Scenario(launch_delay_months=1, engineering_usd_per_month=700)).table["finetune_usd"]
    assert ft.iloc[0] == pytest.approx(400 + 3000 + 700)
    assert ft.iloc[1] == pytest.approx(400 + 700)


def test_retraining_counts_its_cadence_from_launch():
    s = Scenario(launch_delay_months=2, retrain_every_months=3, training_usd=50,
                 eval_harness_usd=100, data_prep_usd=250)
    ft = tco(s).table["finetune_usd"].to_numpy()
    lumps = [m for m in range(2, 13) if ft[m - 1] > 3000 + 1e-9 or 400 + 1e-9 < ft[m - 1] < 3000]
    assert lumps == [6, 9, 12]                          # launch in month 3, then every 3 months


def test_the_hosting_fee_is_paid_once_per_replica():
    one = tco(Scenario(hosting_usd_per_month=300, self_hosted_cost_per_1k_req=0)).table["finetune_usd"].iloc[1]
    three = tco(Scenario(hosting_usd_per_month=300, self_hosted_cost_per_1k_req=0, replicas=3)
                ).table["finetune_usd"].iloc[1]
    assert three - one == pytest.approx(600)


def test_a_gpu_price_decline_cuts_the_fixed_fee_a_year_later():
    s = Scenario(hosting_usd_per_month=1000, self_hosted_cost_per_1k_req=0,
                 hosting_price_decline_per_year=0.5, horizon_months=13)
    ft = tco(s).table["finetune_usd"]
    assert ft.iloc[12] == pytest.approx(500)


def test_a_model_switch_cuts_both_per_request_prices_from_its_month_on():
    s = Scenario(model_switch_month=4, model_switch_price_cut=0.6)
    t = tco(s).table
    assert t["prompting_usd"].iloc[2] == pytest.approx(3000)
    # month 4: 40 % of the price, plus the prompting side's re-evaluation ($100)
    assert t["prompting_usd"].iloc[3] == pytest.approx(3000 * 0.4 + 100)
    assert t["prompting_usd"].iloc[4] == pytest.approx(1200)
    # the fine-tuning side: its $2/1k cut too, plus a retraining ($50 + $100) in month 4
    assert t["finetune_usd"].iloc[3] == pytest.approx(400 * 0.4 + 150)
    assert t["finetune_usd"].iloc[4] == pytest.approx(160)


def test_a_switch_in_a_scheduled_retraining_month_retrains_once():
    both = tco(Scenario(retrain_every_months=3, model_switch_month=4)).table["finetune_usd"]
    only = tco(Scenario(retrain_every_months=3)).table["finetune_usd"]
    assert both.iloc[3] == pytest.approx(only.iloc[3])


def test_a_switch_can_make_a_fine_tune_that_paid_back_fall_behind():
    s = replace(Scenario(hosting_usd_per_month=2500, self_hosted_cost_per_1k_req=0),
                model_switch_month=6, model_switch_price_cut=0.5)
    r = tco(s)
    assert r.payback_month is not None
    assert r.table["cumulative_savings_usd"].iloc[-1] < 0
    assert "falls behind again" in r.summary()


@pytest.mark.parametrize(
    "changes, error, message",
    [
        ({"replicas": 0}, ValueError, "replicas must be >= 1, got 0"),
        ({"replicas": 1.5}, TypeError, "replicas must be a whole number, got 1.5"),
        ({"launch_delay_months": -1}, ValueError, "launch_delay_months must be >= 0, got -1"),
        ({"launch_delay_months": 0.5}, TypeError, "launch_delay_months must be a whole number"),
        ({"engineering_usd_per_month": -5}, ValueError, "engineering_usd_per_month must be >= 0"),
        ({"model_switch_month": 1}, ValueError, "model_switch_month must be 0 (no switch) or >= 2"),
        ({"model_switch_price_cut": 1.0}, ValueError, "model_switch_price_cut must be below 1"),
        ({"hosting_price_decline_per_year": 1.5}, ValueError,
         "hosting_price_decline_per_year must be between 0 and 1"),
    ],
)
def test_the_new_fields_reject_bad_values_naming_the_field(changes, error, message):
    with pytest.raises(error, match=re.escape(message)):
        Scenario(**changes)


@pytest.mark.parametrize(
    "arrays, error, message",
    [
        ({"replicas": np.array([1.0, 0.0])}, ValueError, "replicas must be >= 1, got 0"),
        ({"launch_delay_months": np.array([0.5])}, TypeError,
         "launch_delay_months must hold whole numbers of months, got 0.5"),
        ({"model_switch_month": np.array([0, 1])}, ValueError, "model_switch_month must be 0"),
        ({"replicas": np.array([1.5])}, TypeError, "replicas must hold whole numbers, got 1.5"),
    ],
)
def test_simulate_rejects_bad_whole_number_arrays(arrays, error, message):
    with pytest.raises(error, match=re.escape(message)):
        simulate(Scenario(), **arrays)


def test_running_cost_properties_add_up_the_monthly_fields():
    s = Scenario(hosting_usd_per_month=100, replicas=2, monitoring_usd_per_month=10,
                 engineering_usd_per_month=1, per_request_on_top_of_hosting=True)
    assert s.prompting_usd_per_month == 3000
    assert s.finetune_usd_per_month == pytest.approx(400 + 200 + 10 + 1)


def test_net_savings_is_the_cumulative_lead_at_the_horizon():
    c = simulate(Scenario(), hosted_cost_per_1k_req=np.array([15.0, 2.0]))
    np.testing.assert_allclose(c.net_savings_usd, [12 * 2600 - 400, -400])


def test_from_tokens_prices_cached_input_and_the_batch_discount():
    # gpt-4o-mini (prices.csv): $0.15 input, $0.075 cached input, $0.60 output per 1M tokens
    s = Scenario.from_tokens(10_000, 800, 200, 50, 0.15, 0.60, 0.30, 1.20,
                             prompted_cached_input_tokens=600,
                             base_usd_per_1m_cached_input=0.075, batch_discount=0.5)
    prompted = (200 * 0.15 + 600 * 0.075 + 50 * 0.60) / 1e6 * 0.5
    tuned = (200 * 0.30 + 50 * 1.20) / 1e6 * 0.5
    assert s.hosted_cost_per_1k_req == pytest.approx(prompted * 1000)
    assert s.self_hosted_cost_per_1k_req == pytest.approx(tuned * 1000)


def test_from_tokens_wants_a_cached_price_for_cached_tokens():
    with pytest.raises(ValueError, match="base_usd_per_1m_cached_input is required"):
        Scenario.from_tokens(10_000, 800, 200, 50, 0.15, 0.60, 0.30, 1.20,
                             prompted_cached_input_tokens=600)
    with pytest.raises(ValueError, match="finetuned_cached_input_tokens must be <= "):
        Scenario.from_tokens(10_000, 800, 200, 50, 0.15, 0.60, 0.30, 1.20,
                             finetuned_cached_input_tokens=300, ft_usd_per_1m_cached_input=0.15)


def test_compare_scenarios_has_the_payback_month_as_a_whole_number_or_missing():
    t = compare_scenarios({"a": Scenario(), "never": Scenario(hosted_cost_per_1k_req=1)})
    assert t["payback_month"].tolist()[0] == 1
    assert t["payback_month"].isna().tolist() == [False, True]


def test_the_realistic_scenario_is_source_003_with_what_it_leaves_out_added():
    r = REALISTIC
    assert (r.requests_per_month, r.hosted_cost_per_1k_req) == (200_000, 15)
    assert r.hosting_usd_per_month == pytest.approx(1.006 * 730)     # g5.xlarge, prices.csv
    assert r.training_usd == pytest.approx(REALISTIC_TRAINING_GPU_HOURS * 1.006)
    assert r.replicas >= 2 and r.engineering_usd_per_month > 0 and r.launch_delay_months >= 1
    assert set(REALISTIC_ASSUMPTIONS) == {
        f.name for f in dataclasses.fields(Scenario)
        if getattr(r, f.name) != getattr(Scenario(), f.name)} | {
            "requests_per_month", "hosted_cost_per_1k_req",
            # at the default, with its reason: no GPU price trend in the dated rows (issue 20)
            "hosting_price_decline_per_year"}


# -- refusals the model's own callers can reach -----------------------------------------------
def test_simulate_refuses_a_batch_beyond_the_scenario_month_limit():
    from ftroi_helpers.validation import MAX_SCENARIO_MONTHS

    n = MAX_SCENARIO_MONTHS // 12 + 1
    with pytest.raises(ValueError, match="MAX_SCENARIO_MONTHS"):
        simulate(Scenario(), training_usd=np.zeros(n))


def test_simulate_refuses_costs_too_large_to_add_up():
    with pytest.raises(ValueError, match="too large to compute"):
        simulate(Scenario(), requests_per_month=np.array([1.0, 1e306]),
                 hosted_cost_per_1k_req=1e306)


def test_replace_and_compare_refuse_what_is_not_a_scenario():
    with pytest.raises(TypeError, match="unknown scenario field"):
        replace(Scenario(), gpus=2)
    with pytest.raises(TypeError, match="scenarios must be a dict"):
        compare_scenarios([Scenario()])
    with pytest.raises(TypeError, match="scenario must be a Scenario"):
        simulate("source 003")


def test_a_ragged_list_is_refused_as_a_scenario_field():
    with pytest.raises(TypeError, match="single number"):
        Scenario(replicas=[1, [2]])


def test_lesson_06s_cached_800_token_prompt_bills_in_full_and_pays_back_in_8_3_months():
    # issue 20: OpenAI caches a prompt only from 1,024 tokens (prices.csv: cache_min_tokens), so
    # the 600 repeated example tokens of the crossover guide's 800-token classification prompt
    # are billed at the input price: USD 45 a month at 10,000 requests a day (not USD 31.50), and
    # USD 75 of training saving USD 9 a month pays back in 8.3 months (not never).
    from ftroi_helpers.cost_model import compare_scenarios
    from ftroi_helpers.prices import GPT_4O_MINI, token_prices

    mini = token_prices(GPT_4O_MINI)
    prices = [mini.base_usd_per_1m_input, mini.base_usd_per_1m_output, mini.ft_usd_per_1m_input,
              mini.ft_usd_per_1m_output]
    cached = Scenario.from_tokens(
        10_000, 800, 200, 50, *prices, prompted_cached_input_tokens=600,
        base_usd_per_1m_cached_input=mini.base_usd_per_1m_cached_input,
        cache_min_tokens=mini.cache_min_tokens, cache_increment_tokens=mini.cache_increment_tokens,
        data_prep_usd=0, training_usd=75, eval_harness_usd=0)
    row = compare_scenarios({"cached": cached}).iloc[0]
    assert row["prompting_usd_per_month"] == pytest.approx(45.0)
    assert row["payback_months"] == pytest.approx(75 / 9, abs=0.05)


# -- the serving stack's one-time build (issue 20, item 7) --------------------------------------
def test_the_serving_stack_build_is_paid_once_at_the_start_and_not_at_retraining():
    base = Scenario(retrain_every_months=3, horizon_months=12)
    built = replace(base, serving_build_usd=2_400)
    a, b = tco(base).table, tco(built).table
    assert built.one_time_usd == base.one_time_usd + 2_400
    assert b["finetune_usd"].iloc[0] == pytest.approx(a["finetune_usd"].iloc[0] + 2_400)
    assert b["finetune_usd"].iloc[1:].tolist() == pytest.approx(a["finetune_usd"].iloc[1:].tolist())
    # the calculator demo: USD 2,600 a month saved repays USD 400 + 2,400 in 2,800 / 2,600 months
    assert tco(replace(Scenario(), serving_build_usd=2_400)).payback_months == pytest.approx(
        2_800 / 2_600)


def test_a_negative_serving_build_is_refused_by_name():
    with pytest.raises(ValueError, match="serving_build_usd must be >= 0"):
        Scenario(serving_build_usd=-1)
