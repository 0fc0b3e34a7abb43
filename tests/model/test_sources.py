"""Tests for ftroi_helpers.sources (the sources' worked examples, recomputed) and the general
maths they use (months and days to break even, GPU utilization, per-token prices).

Every figure a source prints is a named case with the source file in a comment. Expected values
are computed from the maths helpers (token_costs.py, breakeven.py, hosting.py, cost_model.py) and the
price table, never copied from sources.py's output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ftroi_helpers.breakeven import breakeven_requests, breakeven_timeline, months_to_break_even
from ftroi_helpers.cost_model import Scenario, compare_scenarios, tco
from ftroi_helpers.hosting import (
    gpu_breakeven_requests_per_month,
    gpu_utilization,
    hosting_cost_per_month,
    self_hosted_cost_per_1k_req,
)
from ftroi_helpers.prices import price_row, token_price_models, token_prices
from ftroi_helpers.sources import (
    SOURCE_002_INFERENCE,
    SOURCE_002_MINI_TRAINING_USD,
    breakeven_by_task_table,
    breakeven_range_table,
    inference_savings_table,
    misuse_scenarios,
    misuse_table,
    task_training_usd,
    tokens_rule_table,
    volume_table,
)
from ftroi_helpers.token_costs import monthly_inference_savings, monthly_tokens, request_cost

MINI = "gpt-4o-mini-2024-07-18"
GPT4O = "gpt-4o-2024-08-06"


def _prices(model):
    row = price_row(model)
    return (float(row["base_usd_per_1m_input_tokens"]), float(row["base_usd_per_1m_output_tokens"]),
            float(row["ft_usd_per_1m_input_tokens"]), float(row["ft_usd_per_1m_output_tokens"]))


# -- prices --------------------------------------------------------------------------------------
def test_token_prices_match_the_price_table_row_and_carry_its_date():
    p = token_prices(MINI)
    assert (p.base_usd_per_1m_input, p.base_usd_per_1m_output, p.ft_usd_per_1m_input,
            p.ft_usd_per_1m_output) == _prices(MINI)
    assert p.as_of == price_row(MINI)["as_of"]


def test_fine_tuned_gpt_4o_mini_costs_twice_the_base_model_per_token():
    # source 002's table omits this; OpenAI's published prices (data/prices.csv)
    p = token_prices(MINI)
    assert p.ft_usd_per_1m_input == pytest.approx(2 * p.base_usd_per_1m_input)
    assert p.ft_usd_per_1m_output == pytest.approx(2 * p.base_usd_per_1m_output)


def test_only_models_with_all_four_token_prices_are_offered():
    assert set(token_price_models()) == {MINI, GPT4O}


def test_token_prices_reject_a_gpu_row_by_name():
    with pytest.raises(ValueError, match="model must be one of"):
        token_prices("g5.xlarge")


# -- months to break even ------------------------------------------------------------------------
def test_months_to_break_even_is_training_over_monthly_savings():
    assert months_to_break_even(75, 9) == pytest.approx(75 / 9)


@pytest.mark.parametrize("savings", [0, -18])
def test_months_to_break_even_is_never_none_when_nothing_is_saved(savings):
    assert months_to_break_even(75, savings) is None


def test_months_to_break_even_broadcasts_over_arrays():
    out = months_to_break_even(np.array([15.0, 75.0]), np.array([[0.54], [-1.0]]))
    assert out.shape == (2, 2)
    assert out[0].tolist() == pytest.approx([15 / 0.54, 75 / 0.54])
    assert np.ma.getmaskarray(out).tolist() == [[False, False], [True, True]]
    assert not np.isinf(out).any()


def test_months_to_break_even_rejects_a_negative_one_time_cost():
    with pytest.raises(ValueError, match="one_time_usd must be >= 0, got -1"):
        months_to_break_even(-1, 10)


def test_months_to_break_even_rejects_text():
    with pytest.raises(TypeError, match="monthly_savings_usd must be a number"):
        months_to_break_even(75, "9")


@given(st.floats(0, 1e6), st.floats(0.01, 1e6))
def test_break_even_months_times_savings_repays_the_one_time_cost(one_time, savings):
    assert months_to_break_even(one_time, savings) * savings == pytest.approx(one_time)


# -- source 003 ----------------------------------------------------------------------------------
def test_source_003_breaks_even_after_30769_requests():
    # source 003: "$15 / 1k requests ... $2 / 1k ... $400"; its breakeven() prints ~30,769
    t = breakeven_timeline(15, 2, 400, 200_000)
    assert round(t.requests) == 30_769


def test_source_003_break_even_is_under_five_days_at_200k_requests_a_month():
    # source 003: "Given 200k requests/month ... would pay back within a quarter"
    t = breakeven_timeline(15, 2, 400, 200_000)
    assert t.months == pytest.approx(breakeven_requests(15, 2, 400) / 200_000)
    assert t.days == pytest.approx(t.months * 30)
    assert t.days < 5 and t.months < 3


def test_breakeven_timeline_agrees_with_the_tco_payback():
    assert breakeven_timeline(15, 2, 400).months == pytest.approx(tco(Scenario()).payback_months)


def test_breakeven_timeline_says_never_when_self_hosting_is_not_cheaper():
    t = breakeven_timeline(15, 16, 400)
    assert t.requests is None and t.days is None and t.months is None
    assert t.summary().startswith("Never")


def test_breakeven_timeline_summary_quotes_requests_days_and_months():
    t = breakeven_timeline(15, 2, 400, 200_000)
    text = t.summary()
    assert f"{t.requests:,.0f} requests" in text and f"{t.days:,.1f} days" in text


def test_breakeven_timeline_rejects_zero_volume():
    with pytest.raises(ValueError, match="requests_per_month must be > 0, got 0"):
        breakeven_timeline(15, 2, 400, 0)


# -- source 002's inference table ----------------------------------------------------------------
SOURCE_002_ROWS = [
    # source 002, "Inference Cost Comparison": task, tokens, printed $/month at 10K req/day
    ("Simple classification", 800, 200, 50, 54.0),
    ("Entity extraction", 1200, 400, 200, 72.0),
    ("Content generation", 2000, 500, 1000, 135.0),
    ("Complex analysis", 3000, 1000, 2000, 180.0),
]


def test_the_source_002_rows_are_transcribed_as_printed():
    assert [(e.task, e.prompted_input_tokens, e.finetuned_input_tokens, e.output_tokens,
             e.source_usd_per_month) for e in SOURCE_002_INFERENCE] == SOURCE_002_ROWS


@pytest.mark.parametrize("task, prompted, tuned, out, printed", SOURCE_002_ROWS)
def test_naive_savings_reproduce_source_002s_printed_figure(task, prompted, tuned, out, printed):
    # source 002: $54 / $72 / $135 / $180 per month (gpt-4o-mini, 10K requests/day)
    row = inference_savings_table().set_index("task").loc[task]
    assert row["naive_savings_usd_per_month"] == pytest.approx(printed)
    assert row["source_002_usd_per_month"] == printed


@pytest.mark.parametrize("task, prompted, tuned, out, printed", SOURCE_002_ROWS)
def test_true_savings_price_each_request_at_its_own_models_prices(task, prompted, tuned, out,
                                                                  printed):
    b_in, b_out, f_in, f_out = _prices(MINI)
    expected = 300_000 * (request_cost(prompted, out, b_in, b_out)
                          - request_cost(tuned, out, f_in, f_out))
    row = inference_savings_table().set_index("task").loc[task]
    assert row["true_savings_usd_per_month"] == pytest.approx(expected)


def test_classification_really_saves_a_sixth_of_source_002s_54_dollars():
    # source 002: "$54/mo (GPT-4o-mini)" for simple classification
    true = inference_savings_table().set_index("task").loc["Simple classification",
                                                              "true_savings_usd_per_month"]
    assert true == pytest.approx(54 / 6)


def test_the_other_three_tasks_cost_more_after_fine_tuning_gpt_4o_mini():
    t = inference_savings_table().set_index("task")
    assert (t["true_savings_usd_per_month"].drop("Simple classification") < 0).all()
    assert np.isinf(t["true_breakeven_months"].drop("Simple classification")).all()


def test_source_002s_classification_saving_exceeds_the_whole_prompted_bill():
    # source 002 prints $54/month; the prompted gpt-4o-mini bill for that task is smaller
    bill = inference_savings_table().set_index("task").loc["Simple classification",
                                                              "prompting_usd_per_month"]
    b_in, b_out, _, _ = _prices(MINI)
    assert bill == pytest.approx(300_000 * request_cost(800, 50, b_in, b_out))
    assert bill < 54


def test_source_002s_one_to_two_month_breakeven_holds_only_for_its_shortcut():
    # source 002: "Breakeven ... 1-2 months" for classification; training "$15-75"
    t = inference_savings_table(training_usd=75).set_index("task")
    assert t.loc["Simple classification", "naive_breakeven_months"] <= 2
    assert t.loc["Simple classification", "true_breakeven_months"] > 2


def test_a_small_fine_tuned_model_replacing_gpt_4o_saves_on_every_task():
    t = inference_savings_table(base_model=GPT4O)
    assert (t["true_savings_usd_per_month"] > 0).all()
    b_in, b_out, _, _ = _prices(GPT4O)
    _, _, f_in, f_out = _prices(MINI)
    expected = 300_000 * (request_cost(800, 50, b_in, b_out) - request_cost(200, 50, f_in, f_out))
    assert t.loc[0, "true_savings_usd_per_month"] == pytest.approx(expected)


# -- the 100 requests/day claim ------------------------------------------------------------------
def test_source_002s_6_to_18_months_at_100_requests_a_day_is_not_what_its_figures_give():
    # source 002: "At 100 requests/day, breakeven extends to 6-18 months"; training $15-75
    t = breakeven_range_table(100, training_usd_low=15, training_usd_high=75).set_index("method")
    naive = monthly_inference_savings(100, 800, 200, 50, *_prices(MINI), naive=True)
    assert t.loc["naive", "breakeven_months_low"] == pytest.approx(15 / naive)
    assert t.loc["naive", "breakeven_months_high"] == pytest.approx(75 / naive)
    assert t.loc["naive", "breakeven_months_low"] > 18
    assert t.loc["true", "breakeven_months_low"] > t.loc["naive", "breakeven_months_high"]


def test_source_002s_own_shortcut_gives_8_3_and_11_1_months_at_its_low_training_cost():
    # source 002 at 100 requests/day, USD 15 of training: its shortcut savings (USD 135 and 180 a
    # month at 10,000 a day, so 1.35 and 1.80 at 100) give 15 / 1.35 = 11.1 and 15 / 1.80 = 8.3
    # months, inside its "6-18 months"; at true prices those two tasks never pay back
    t = breakeven_by_task_table(100).set_index("task")
    quoted = t["naive_breakeven_months_at_quoted_low"]
    assert quoted["Content generation"] == pytest.approx(15 / 1.35)
    assert quoted["Complex analysis"] == pytest.approx(15 / 1.80)
    assert 6 <= quoted["Complex analysis"] <= quoted["Content generation"] <= 18
    for task in ("Entity extraction", "Content generation", "Complex analysis"):
        assert pd.isna(t.loc[task, "true_breakeven_months_low"])
        assert pd.isna(t.loc[task, "true_breakeven_months_high"])


def test_the_computed_runs_put_each_tasks_payback_where_its_own_tokens_say():
    # classification: 500-2,000 examples x 250 tokens x 3 epochs x USD 3.00/1M = USD 1.125-4.50,
    # repaid by the shortcut's USD 0.54 a month in 2.1-8.3 months, by the true USD 0.09 in 12.5-50
    t = breakeven_by_task_table(100).set_index("task").loc["Simple classification"]
    assert (t["training_usd_low"], t["training_usd_high"]) == pytest.approx((1.125, 4.5))
    assert t["naive_breakeven_months_low"] == pytest.approx(1.125 / 0.54)
    assert t["naive_breakeven_months_high"] == pytest.approx(4.5 / 0.54)
    assert t["true_breakeven_months_high"] == pytest.approx(4.5 / 0.09)


def test_breakeven_range_table_defaults_to_the_tasks_computed_runs():
    t = breakeven_range_table(100, task="Complex analysis").set_index("method")
    assert t.loc["naive", "training_usd_low"] == pytest.approx(500 * 3_000 * 3 * 3.00 / 1e6)
    assert t.loc["naive", "training_usd_high"] == pytest.approx(2_000 * 3_000 * 3 * 3.00 / 1e6)


def test_breakeven_by_task_table_rejects_zero_requests_by_name():
    with pytest.raises(ValueError, match="requests_per_day must be > 0"):
        breakeven_by_task_table(0)


# -- one training cost ---------------------------------------------------------------------------
@pytest.mark.parametrize("task, tokens", [("Simple classification", 250),
                                          ("Entity extraction", 600),
                                          ("Content generation", 1_500),
                                          ("Complex analysis", 3_000)])
def test_a_tasks_training_run_is_examples_times_its_tokens_times_epochs_times_price(task, tokens):
    # 2,000 examples (source 002's "500-2K"), 3 epochs ("2-4 epochs"), gpt-4o-mini USD 3.00/1M
    assert task_training_usd(task) == pytest.approx(2_000 * tokens * 3 * 3.00 / 1e6)
    assert task_training_usd(task, GPT4O) == pytest.approx(2_000 * tokens * 3 * 25.00 / 1e6)


def test_every_table_repays_the_same_computed_run_unless_told_otherwise():
    run = task_training_usd("Simple classification")
    inference = inference_savings_table().iloc[0]
    assert inference["training_usd"] == pytest.approx(run)
    assert inference["true_breakeven_months"] == pytest.approx(
        run / inference["true_savings_usd_per_month"])
    volume = volume_table([10_000]).iloc[0]
    assert volume["true_breakeven_months"] == pytest.approx(inference["true_breakeven_months"])
    steps = misuse_scenarios()
    assert {s.training_usd for _, s in steps.values()} == {run}


def test_the_guides_quoted_range_is_a_check_the_computed_run_sits_below():
    # source 002: "$15-75 (500-2K examples)": its tasks' own tokens give less, the longest
    # task's 2,000-example run (USD 54) inside the quote
    low, high = SOURCE_002_MINI_TRAINING_USD
    runs = [task_training_usd(ex.task) for ex in SOURCE_002_INFERENCE]
    assert max(runs) == pytest.approx(54.0) and low <= max(runs) <= high
    assert min(runs) < low


def test_breakeven_range_table_rejects_an_unknown_task():
    with pytest.raises(ValueError, match="task must be one of"):
        breakeven_range_table(100, task="Poetry")


# -- volume bands and the tokens rule ------------------------------------------------------------
def test_volume_table_tokens_are_prompted_input_plus_output():
    t = volume_table([100, 10_000])
    assert t["tokens_per_month"].tolist() == pytest.approx(
        [monthly_tokens(100, 850), monthly_tokens(10_000, 850)])


def test_break_even_shortens_in_proportion_to_volume():
    t = volume_table([100, 1_000, 10_000])
    months = t["true_breakeven_months"].to_numpy()
    assert months[0] / months[1] == pytest.approx(10)
    assert months[1] / months[2] == pytest.approx(10)


def test_volume_table_at_10k_a_day_matches_the_inference_table():
    v = volume_table([10_000]).iloc[0]
    i = inference_savings_table().iloc[0]
    assert v["true_savings_usd_per_month"] == pytest.approx(i["true_savings_usd_per_month"])


def test_volume_table_rejects_zero_requests():
    with pytest.raises(ValueError, match="requests_per_day must be > 0, got 0"):
        volume_table([0, 100])


def test_tokens_rule_table_converts_tokens_to_requests_per_day():
    t = tokens_rule_table([1e7, 1e8])
    assert monthly_tokens(t["requests_per_day"].to_numpy(), 850).tolist() == pytest.approx(
        [1e7, 1e8])


def test_a_gpt_4o_to_fine_tuned_mini_swap_pays_back_below_source_001s_10m_threshold():
    # source 001: "Below 10M tokens/month: prompting is cheaper"
    t = tokens_rule_table([5e6], pairs=[(GPT4O, MINI)], training_usd=75)
    assert t.iloc[0, 2] < 12


def test_fine_tuning_gpt_4o_mini_itself_needs_more_than_100m_tokens_only_at_usd_75():
    # source 001: "Above 100M tokens/month: fine-tuning usually wins". At source 002's quoted
    # USD 75 the same-model fine-tune takes over a year at 100M tokens a month ...
    t = tokens_rule_table([1e8], pairs=[(MINI, MINI)], training_usd=75)
    assert t.iloc[0, 2] > 12


def test_with_the_computed_run_fine_tuning_gpt_4o_mini_repays_within_about_a_year_at_10m():
    # ... but its computed run (USD 4.50) is repaid in 12.75 months at 10M tokens a month and
    # in 1.3 at 100M: the article's 10-100M band, for training alone
    t = tokens_rule_table([1e7, 1e8], pairs=[(MINI, MINI)])
    saving_per_request = request_cost(800, 50, 0.15, 0.60) - request_cost(200, 50, 0.30, 1.20)
    per_month = 1e7 / 850 * saving_per_request
    assert t.iloc[0, 2] == pytest.approx(4.5 / per_month)
    assert 12 < t.iloc[0, 2] < 13 and t.iloc[1, 2] < 1.5


def test_tokens_rule_table_names_one_column_per_model_pair():
    t = tokens_rule_table([1e7], pairs=[(GPT4O, MINI)])
    assert t.columns.tolist() == ["tokens_per_month", "requests_per_day",
                                  "breakeven_months: gpt-4o -> ft gpt-4o-mini"]


# -- GPU utilization -----------------------------------------------------------------------------
def test_source_003s_volume_keeps_a_10_requests_per_second_gpu_under_one_percent_busy():
    # source 003: 200k requests/month; its $2/1k self-hosted never states a utilization
    util = gpu_utilization(200_000, 10)
    assert util == pytest.approx(200_000 / (10 * 3600 * 730))
    assert util < 0.01


def test_gpu_utilization_above_capacity_is_an_error_naming_the_volume():
    with pytest.raises(ValueError, match="requests_per_month must be at most the deployment's"):
        gpu_utilization(30_000_000, 10)


def test_gpu_utilization_over_capacity_with_2d_hours_names_the_volume():
    # the contract fuzzer found hours_per_month=[[1.], [1.]] refused with numpy's internal error
    with pytest.raises(ValueError, match="requests_per_month must be at most the deployment's "
                                         "capacity .* for 1 hours"):
        gpu_utilization(200_000, 10, 1, [[1.0], [1.0]])


def test_gpu_utilization_at_full_capacity_is_one():
    assert gpu_utilization(10 * 3600 * 730, 10) == pytest.approx(1.0)


def test_more_gpus_lower_the_utilization():
    assert gpu_utilization(200_000, 10, gpus=2) == pytest.approx(
        gpu_utilization(200_000, 10) / 2)


def test_gpu_utilization_over_capacity_in_an_array_names_the_bad_volume():
    with pytest.raises(ValueError, match="got 30,000,000"):
        gpu_utilization(np.array([200_000, 30_000_000]), 10)


@pytest.mark.parametrize("field, args", [("requests_per_second_capacity", (200_000, 0)),
                                         ("requests_per_month", (0, 10))])
def test_gpu_utilization_rejects_zero(field, args):
    with pytest.raises(ValueError, match=f"{field} must be > 0, got 0"):
        gpu_utilization(*args)


def test_at_the_gpu_break_even_volume_the_gpu_costs_what_the_api_costs():
    volume = gpu_breakeven_requests_per_month(1.006, 15)
    util = gpu_utilization(volume, 10)
    assert self_hosted_cost_per_1k_req(1.006, 10, util) == pytest.approx(15)
    assert volume == pytest.approx(hosting_cost_per_month(1.006) / 15 * 1000)


def test_source_003s_2_dollars_per_1k_on_a_g5_xlarge_needs_more_than_its_200k_requests():
    # source 003: "Self-hosted fine-tuned small model: $2 / 1k", at 200k requests/month
    assert gpu_breakeven_requests_per_month(1.006, 2) > 200_000


# -- comparing scenarios and the misuse walk -----------------------------------------------------
def test_compare_scenarios_reports_each_scenarios_tco_payback():
    cheap = Scenario(hosted_cost_per_1k_req=3)
    t = compare_scenarios({"a": Scenario(), "b": cheap}).set_index("scenario")
    assert t.loc["b", "payback_months"] == pytest.approx(tco(cheap).payback_months)
    assert t.loc["a", "one_time_usd"] == Scenario().one_time_usd


def test_compare_scenarios_marks_no_payback_as_na():
    never = Scenario(hosted_cost_per_1k_req=1)
    t = compare_scenarios({"never": never})
    assert t.loc[0, "payback_months"] is pd.NA  # issue 11: never is <NA>, not inf
    assert t.loc[0, "savings_at_horizon_usd"] == pytest.approx(
        tco(never).table["cumulative_savings_usd"].iloc[-1])


def test_compare_scenarios_rejects_something_that_is_not_a_scenario():
    with pytest.raises(TypeError, match="must be a Scenario"):
        compare_scenarios({"x": {"requests_per_month": 1}})


def test_each_of_source_001s_misuses_appears_in_the_walk():
    # source 001, "Where teams misuse fine-tuning economics": five items
    adds = " ".join(misuse_table()["adds"])
    for n in range(1, 6):
        assert f"misuse {n}" in adds


def test_counting_data_and_eval_delays_payback_beyond_the_per_token_view():
    t = misuse_table()
    assert t.loc[1, "payback_months"] > t.loc[0, "payback_months"]
    assert t.loc[1, "one_time_usd"] == t.loc[0, "one_time_usd"] + 250 + 100  # source 003's split


def test_regression_testing_costs_delay_payback_further():
    t = misuse_table()
    assert t.loc[2, "payback_months"] > t.loc[1, "payback_months"]


def test_monthly_retraining_means_the_walk_never_pays_back():
    t = misuse_table()
    assert t.loc[4, "retrain_every_months"] == 1
    assert t.loc[4, "payback_months"] is pd.NA


def test_against_a_prompted_gpt_4o_mini_the_fine_tune_loses_money():
    t = misuse_table()
    assert t.loc[5, "savings_at_horizon_usd"] < t.loc[4, "savings_at_horizon_usd"] < 0


# -- what the sources' tables refuse ---------------------------------------------------------
def test_tables_take_a_generator_of_volumes():
    t = volume_table(v for v in (100, 1_000))
    assert t["requests_per_day"].tolist() == [100, 1_000]


@pytest.mark.parametrize("pairs, error, message", [
    ("gpt-4o", TypeError, "pairs must be a list of"),
    ([("gpt-4o-2024-08-06",)], TypeError, "pairs must hold (prompted model, fine-tuned model)"),
    ([("gpt-4o-2024-08-06", "gpt-5")], ValueError, "pairs must name models of the price table"),
    ([], ValueError, "pairs must hold at least one"),
    ([("gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18")] * 21, ValueError, "at most 20 pairs"),
])
def test_tokens_rule_table_refuses_bad_pairs(pairs, error, message):
    import re

    with pytest.raises(error, match=re.escape(message)):
        tokens_rule_table([1e7], pairs=pairs)


def test_a_table_refuses_no_volumes_or_too_many():
    with pytest.raises(ValueError, match="one or more numbers"):
        volume_table([])
    with pytest.raises(ValueError, match="MAX_TABLE_ROWS"):
        volume_table(range(1, 10**6))
