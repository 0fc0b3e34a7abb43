"""Training cost (per token and per GPU-hour) and self-hosted serving cost."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftroi_helpers.hosting import (
    HOURS_PER_MONTH,
    hosting_cost_per_month,
    self_hosted_cost_per_1k_req,
)
from ftroi_helpers.training import training_cost_gpu, training_cost_tokens, training_run_usd

SETTINGS = settings(derandomize=True, database=None, deadline=None, max_examples=100)


# -- training priced per token -----------------------------------------------------------------

def test_token_training_cost_is_tokens_times_epochs_times_price():
    # 1,000 examples x 1,000 tokens, 3 epochs, $3.00 per 1M training tokens: 3M tokens -> $9.
    assert training_cost_tokens(1_000_000, 3, 3.00) == pytest.approx(9.0)


def test_a_training_run_is_examples_times_request_tokens_times_epochs_times_the_table_price():
    # prices.csv: gpt-4o-mini trains at USD 3.00 per 1M tokens, gpt-4o at USD 25.00
    assert training_run_usd(200, 50) == pytest.approx(2_000 * 250 * 3 * 3.00 / 1e6)
    assert training_run_usd(200, 50, examples=500, epochs=2) == pytest.approx(
        500 * 250 * 2 * 3.00 / 1e6)
    assert training_run_usd(200, 50, "gpt-4o-2024-08-06") == pytest.approx(
        2_000 * 250 * 3 * 25.00 / 1e6)


def test_a_training_run_on_a_model_quoted_as_a_price_range_is_refused_by_name():
    # the crossover guide quotes Bedrock at "~$8-30/1M": no one price to compute with
    with pytest.raises(ValueError, match="training price range"):
        training_run_usd(200, 50, "Claude (via AWS Bedrock)")
    with pytest.raises(ValueError, match="model must be one of"):
        training_run_usd(200, 50, "g5.xlarge")


@pytest.mark.parametrize("name, args", [("input_tokens", (-1, 50)), ("output_tokens", (200, -1)),
                                        ("examples", (200, 50, "gpt-4o-mini-2024-07-18", 0)),
                                        ("epochs", (200, 50, "gpt-4o-mini-2024-07-18", 10, 0))])
def test_a_training_runs_bad_argument_is_named(name, args):
    with pytest.raises(ValueError, match=name):
        training_run_usd(*args)


def test_source_002_gpt_4o_mini_training_range_implies_5m_to_25m_training_tokens():
    # 002_44dbb0b6dad16d21.txt: GPT-4o-mini, $3.00/1M training tokens, typical run "$15-75
    # (500-2K examples)". Billed tokens = file tokens x epochs, so $15 / $3 = 5M and
    # $75 / $3 = 25M token-epochs: 10,000 per example at 500 examples, 12,500 at 2,000.
    assert training_cost_tokens(5_000_000, 1, 3.00) == pytest.approx(15)
    assert training_cost_tokens(25_000_000, 1, 3.00) == pytest.approx(75)
    # The same as 500 examples of ~3,333 tokens for 3 epochs, or 2,000 of ~4,167 for 3 epochs.
    assert training_cost_tokens(500 * 10_000 / 3, 3, 3.00) == pytest.approx(15)
    assert training_cost_tokens(2_000 * 12_500 / 3, 3, 3.00) == pytest.approx(75)


def test_source_002_gpt_4o_training_range_implies_5m_to_20m_training_tokens():
    # 002_44dbb0b6dad16d21.txt: GPT-4o, $25.00/1M training tokens, "$125-500 (500-2K examples)":
    # 5M-20M token-epochs -- not the 5M-25M of the gpt-4o-mini row for the same examples, so
    # the two rows do not describe the same training set.
    assert training_cost_tokens(5_000_000, 1, 25.00) == pytest.approx(125)
    assert training_cost_tokens(20_000_000, 1, 25.00) == pytest.approx(500)
    assert training_cost_tokens(25_000_000, 1, 25.00) == pytest.approx(625)


def test_token_training_cost_broadcasts_over_epochs():
    assert training_cost_tokens(1_000_000, np.array([1, 2, 4]), 3.0) == pytest.approx([3, 6, 12])


@pytest.mark.parametrize(
    ("args", "message"),
    [((-1, 3, 3.0), r"^training_tokens must be >= 0, got -1$"),
     ((1e6, 0, 3.0), r"^epochs must be > 0, got 0$"),
     ((1e6, 3, math.nan), r"^usd_per_1m_training_tokens must be a finite number, got nan$")],
)
def test_bad_token_training_inputs_name_the_parameter(args, message):
    with pytest.raises(ValueError, match=message):
        training_cost_tokens(*args)


# -- training priced per GPU-hour --------------------------------------------------------------

def test_gpu_training_cost_is_hours_times_rate_times_gpus():
    assert training_cost_gpu(10, 2.0) == 20.0
    assert training_cost_gpu(10, 2.0, gpus=8) == 160.0


def test_source_002_llama_8b_row_low_end_is_4_usd_not_8():
    # 002_44dbb0b6dad16d21.txt: "Llama 3.1 8B (full) $1-2/hour GPU (A10G) ... $8-40 (4-20 GPU
    # hours)". The cheapest run is 4 h x $1 = $4; the dearest is 20 h x $2 = $40.
    assert training_cost_gpu(4, 1.0) == 4.0
    assert training_cost_gpu(20, 2.0) == 40.0
    # The printed $8 is 4 h at the HIGHER rate: the low end mixes the two ends of the ranges.
    assert training_cost_gpu(4, 2.0) == 8.0


def test_source_002_llama_70b_row_low_end_is_8_usd_not_20():
    # 002_44dbb0b6dad16d21.txt: "Llama 3.1 70B (LoRA) $2-5/hour GPU (A100) ... $20-100 (4-20 GPU
    # hours)". Cheapest 4 h x $2 = $8; dearest 20 h x $5 = $100. The printed $20 is again
    # 4 h at the higher rate ($5), the same slip as the 8B row.
    assert training_cost_gpu(4, 2.0) == 8.0
    assert training_cost_gpu(20, 5.0) == 100.0
    assert training_cost_gpu(4, 5.0) == 20.0


@pytest.mark.parametrize(
    ("args", "message"),
    [((-4, 1.0), r"^gpu_hours must be >= 0, got -4$"),
     ((4, -1.0), r"^usd_per_gpu_hour must be >= 0, got -1$"),
     ((4, 1.0, 0), r"^gpus must be > 0, got 0$")],
)
def test_bad_gpu_training_inputs_name_the_parameter(args, message):
    with pytest.raises(ValueError, match=message):
        training_cost_gpu(*args)


def test_gpu_training_cost_rejects_a_string():
    with pytest.raises(TypeError, match=r"^usd_per_gpu_hour must be a number"):
        training_cost_gpu(4, "1.0")


# -- self-hosted serving -----------------------------------------------------------------------

def test_self_hosted_cost_spreads_the_hourly_bill_over_requests_served():
    # $1.006 an hour (AWS g5.xlarge, one A10G), 10 requests/s flat out, busy half the time:
    # 10 x 3,600 x 0.5 = 18,000 requests an hour -> $1.006 / 18 per 1,000 requests.
    assert self_hosted_cost_per_1k_req(1.006, 10, 0.5) == pytest.approx(1.006 / 18)


def test_an_idle_gpu_at_half_utilization_doubles_the_cost_per_request():
    full = self_hosted_cost_per_1k_req(1.006, 10, 1.0)
    half = self_hosted_cost_per_1k_req(1.006, 10, 0.5)
    assert half == pytest.approx(2 * full)


def test_source_003s_2_usd_per_1k_means_about_500_requests_an_hour_on_an_a10g():
    # 003_512d162286761903.txt's "$2 / 1k" self-hosted figure states no utilization. On a
    # $1.006/hour A10G it means serving only 503 requests an hour (1.006 / 2 x 1,000), i.e.
    # 0.14 requests a second -- at 10 requests/s capacity, 1.4 % utilization.
    assert self_hosted_cost_per_1k_req(1.006, 10, 503 / 36_000) == pytest.approx(2.0)


def test_more_gpus_cost_proportionally_more_per_request_at_the_same_throughput():
    assert self_hosted_cost_per_1k_req(2.0, 10, 0.5, gpus=4) == pytest.approx(
        4 * self_hosted_cost_per_1k_req(2.0, 10, 0.5))


@SETTINGS
@given(st.floats(0.01, 100), st.floats(0.01, 1_000), st.floats(0.01, 1.0))
def test_cost_per_request_times_requests_served_is_the_hourly_bill(rate, capacity, utilization):
    per_1k = self_hosted_cost_per_1k_req(rate, capacity, utilization)
    served_per_hour = capacity * 3_600 * utilization
    assert per_1k * served_per_hour / 1_000 == pytest.approx(rate)


@SETTINGS
@given(st.floats(0.01, 100), st.floats(0.01, 1_000), st.floats(0.01, 0.99),
       st.floats(0.001, 0.5))
def test_cost_per_request_falls_as_utilization_rises(rate, capacity, utilization, more):
    busier = min(utilization + more, 1.0)
    assert (self_hosted_cost_per_1k_req(rate, capacity, busier)
            < self_hosted_cost_per_1k_req(rate, capacity, utilization))


def test_self_hosted_cost_broadcasts_over_utilization():
    out = self_hosted_cost_per_1k_req(1.0, 1.0, np.array([1.0, 0.5, 0.25]))
    assert out == pytest.approx(np.array([1, 2, 4]) / 3.6)


@pytest.mark.parametrize("utilization", [0, 1.5, -0.2])
def test_utilization_outside_zero_to_one_is_rejected(utilization):
    with pytest.raises(ValueError, match=r"^utilization must be in \(0, 1\], got "):
        self_hosted_cost_per_1k_req(1.006, 10, utilization)


def test_zero_capacity_is_rejected():
    with pytest.raises(ValueError, match=r"^requests_per_second_capacity must be > 0, got 0$"):
        self_hosted_cost_per_1k_req(1.006, 0, 0.5)


def test_a_month_of_hourly_billing_is_730_hours():
    # 8,760 hours a year / 12.
    assert HOURS_PER_MONTH == 8_760 / 12
    # AWS g5.xlarge (prices.csv): $1.006 an hour around the clock.
    assert hosting_cost_per_month(1.006) == pytest.approx(1.006 * 730)


def test_hosting_cost_per_month_takes_other_hours_and_arrays():
    assert hosting_cost_per_month(2.0, hours_per_month=100) == 200.0
    assert hosting_cost_per_month(np.array([1.0, 2.49])) == pytest.approx([730, 2.49 * 730])


def test_hosting_cost_rejects_negative_rates():
    with pytest.raises(ValueError, match=r"^usd_per_hour must be >= 0, got -1$"):
        hosting_cost_per_month(-1)


# -- hosting options side by side (issue 12) ---------------------------------------------------
from ftroi_helpers.cost_model import REALISTIC, compare_scenarios, hosting_scenarios  # noqa: E402
from ftroi_helpers.hosting import gpu_breakeven_requests_per_month, hosting_options  # noqa: E402
from ftroi_helpers.token_costs import request_cost  # noqa: E402


def _options(**kw):
    # fine-tuned gpt-4o-mini per token (prices.csv: USD 0.30 / 1.20 per 1M), 500 in, 1,000 out
    serverless = request_cost(500, 1_000, 0.30, 1.20) * 1000
    args = {"requests_per_month": 200_000, "serverless_usd_per_1k_req": serverless,
            "usd_per_gpu_hour": 1.006, "requests_per_second_capacity": 10, "replicas": 2}
    return hosting_options(**{**args, **kw})


def test_hosting_options_price_each_way_to_serve_at_the_volume():
    t = _options().set_index("billed")
    assert t.loc["per token; nothing when idle", "total_usd_per_month"] == pytest.approx(270)
    gpu = t.loc["per GPU-hour, busy or idle"]
    assert gpu["total_usd_per_month"] == pytest.approx(2 * 1.006 * 730)
    assert gpu["utilization"] == pytest.approx(200_000 / (2 * 10 * 3600 * 730))
    assert t.loc["a flat price per request", "total_usd_per_month"] == pytest.approx(400)


def test_the_per_1k_shortcut_is_explained_as_the_gpus_at_one_volume():
    # On one g5.xlarge, $2 per 1,000 needs 367,190 requests a month (issue 12; lesson 03).
    note = _options(replicas=1)["note"].iloc[2]
    assert f"{gpu_breakeven_requests_per_month(1.006, 2):,.0f} requests a month" in note
    assert "367,190" in note


def test_a_shortcut_below_what_the_gpus_cost_flat_out_says_so():
    note = _options(shortcut_usd_per_1k_req=0.001)["note"].iloc[2]
    assert "even flat out" in note


def test_hosting_options_reject_bad_arguments_naming_them():
    with pytest.raises(ValueError, match="replicas must be >= 1, got 0"):
        _options(replicas=0)
    with pytest.raises(ValueError, match="requests_per_month must be at most"):
        _options(requests_per_month=1e9)


def test_hosting_scenarios_put_each_option_into_the_realistic_scenario():
    scenarios = hosting_scenarios(REALISTIC, _options())
    assert list(scenarios) == ["serverless, per token", "fixed GPU x 2", "per-1k shortcut (USD 2.00)"]
    gpu = scenarios["fixed GPU x 2"]
    assert (gpu.replicas, gpu.self_hosted_cost_per_1k_req) == (2, 0.0)
    assert gpu.engineering_usd_per_month == REALISTIC.engineering_usd_per_month
    table = compare_scenarios(scenarios)
    assert table["finetune_running_usd_per_month"].iloc[0] == pytest.approx(
        270 + REALISTIC.monitoring_usd_per_month + REALISTIC.engineering_usd_per_month)
    with pytest.raises(ValueError, match="missing replicas"):
        hosting_scenarios(REALISTIC, _options().drop(columns="replicas"))
    with pytest.raises(TypeError, match="scenario must be a Scenario"):
        hosting_scenarios({}, _options())
