"""Cost from tokens, and source 002's inference table checked against its own prices."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftroi_helpers.token_costs import (
    cacheable_tokens,
    monthly_inference_savings,
    monthly_tokens,
    request_cost,
)

SETTINGS = settings(derandomize=True, database=None, deadline=None, max_examples=100)

# gpt-4o-mini-2024-07-18, USD per 1M tokens (OpenAI's published prices, as in prices.csv):
MINI_BASE_IN, MINI_BASE_OUT = 0.15, 0.60
MINI_FT_IN, MINI_FT_OUT = 0.30, 1.20
# gpt-4o-2024-08-06:
GPT4O_BASE_IN, GPT4O_BASE_OUT = 2.50, 10.00

MINI = (MINI_BASE_IN, MINI_BASE_OUT, MINI_FT_IN, MINI_FT_OUT)
REQUESTS_PER_DAY = 10_000  # source 002's table: "Monthly cost savings (10K req/day)"
REQUESTS_PER_MONTH = REQUESTS_PER_DAY * 30

# 002_44dbb0b6dad16d21.txt, "Inference Cost Comparison": scenario -> (prompted input tokens,
# fine-tuned input tokens, output tokens, the table's "monthly cost savings" in USD).
SOURCE_002_TABLE = {
    "simple classification": (800, 200, 50, 54),
    "entity extraction": (1_200, 400, 200, 72),
    "content generation": (2_000, 500, 1_000, 135),
    "complex analysis": (3_000, 1_000, 2_000, 180),
}


# -- request_cost and monthly_tokens ------------------------------------------------------------

def test_request_cost_adds_input_and_output_at_their_prices():
    # 800 input tokens at $0.15/1M = $0.00012, 50 output at $0.60/1M = $0.00003.
    assert request_cost(800, 50, 0.15, 0.60) == pytest.approx(0.00012 + 0.00003)


def test_request_cost_is_zero_for_zero_tokens():
    assert request_cost(0, 0, 2.5, 10.0) == 0.0


def test_request_cost_broadcasts_over_token_counts():
    out = request_cost(np.array([800, 200]), 50, 0.15, 0.60)
    assert out == pytest.approx([0.00015, 0.00006])


def test_monthly_tokens_multiplies_requests_tokens_and_days():
    assert monthly_tokens(10_000, 850) == 10_000 * 850 * 30
    assert monthly_tokens(100, 850, days_per_month=31) == 100 * 850 * 31


def test_source_001s_10m_token_threshold_is_about_400_requests_a_day_of_850_tokens():
    # 001_cc89cacdfb6b29fd.txt: "Below 10M tokens/month: prompting is cheaper". With source 002's
    # classification request (800 in + 50 out) that is 10M / (850 x 30) = 392 requests a day.
    assert monthly_tokens(392, 850) < 10_000_000 < monthly_tokens(393, 850)


@pytest.mark.parametrize(
    ("call", "name"),
    [(lambda: request_cost(-1, 50, 0.15, 0.6), "input_tokens"),
     (lambda: request_cost(800, 50, 0.15, "0.6"), "usd_per_1m_output_tokens"),
     (lambda: monthly_tokens(10_000, 850, days_per_month=0), "days_per_month"),
     (lambda: monthly_tokens(math.nan, 850), "requests_per_day")],
)
def test_bad_token_inputs_name_the_parameter(call, name):
    with pytest.raises((ValueError, TypeError), match=rf"^{name} must"):
        call()


# -- source 002's inference table ---------------------------------------------------------------

@pytest.mark.parametrize("scenario", list(SOURCE_002_TABLE))
def test_naive_formula_reproduces_source_002s_inference_table(scenario):
    # 002_44dbb0b6dad16d21.txt: $54, $72, $135, $180 a month at 10K req/day on gpt-4o-mini.
    prompted, tuned, output, table_usd = SOURCE_002_TABLE[scenario]
    naive = monthly_inference_savings(REQUESTS_PER_DAY, prompted, tuned, output, *MINI,
                                      naive=True)
    assert naive == pytest.approx(table_usd)


def test_source_002s_table_prices_saved_tokens_at_the_fine_tuned_input_price():
    # How the table's figures arise: saved input tokens x 300K requests x $0.30/1M (the
    # FINE-TUNED input price). 600 x 300,000 = 180M tokens x $0.30/1M = $54. The base input
    # price ($0.15) would give $27 -- so the table is not "prompt tokens saved at base prices".
    saved_tokens = (800 - 200) * REQUESTS_PER_MONTH
    assert saved_tokens * MINI_FT_IN / 1e6 == pytest.approx(54)
    assert saved_tokens * MINI_BASE_IN / 1e6 == pytest.approx(27)


def test_true_classification_saving_is_9_usd_not_54():
    # Prices are per 1M tokens, so divide by 1M:
    # prompted:   800 in x $0.15 + 50 out x $0.60 = $0.000120 + $0.000030 = $0.000150 a request;
    # fine-tuned: 200 in x $0.30 + 50 out x $1.20 = $0.000060 + $0.000060 = $0.000120 a request.
    # Saved $0.000030 a request x 300,000 requests a month = $9.
    expected = ((800 * 0.15 + 50 * 0.60) - (200 * 0.30 + 50 * 1.20)) / 1e6 * REQUESTS_PER_MONTH
    assert expected == pytest.approx(9)
    assert monthly_inference_savings(REQUESTS_PER_DAY, 800, 200, 50, *MINI) == pytest.approx(9)


@pytest.mark.parametrize(
    ("scenario", "true_usd"),
    [
        # Each: (prompted_in x 0.15 + out x 0.60) - (tuned_in x 0.30 + out x 1.20), per 1M
        # tokens, times 300,000 requests a month. The fine-tuned model charges DOUBLE for every
        # output token, and the output is the same size either way, so long outputs wipe out
        # the few-shot saving.
        # entity extraction: (180 + 120) - (120 + 240) = -60 -> -$18 a month (table: +$72)
        ("entity extraction", -18),
        # content generation: (300 + 600) - (150 + 1,200) = -450 -> -$135 a month (table: +$135)
        ("content generation", -135),
        # complex analysis: (450 + 1,200) - (300 + 2,400) = -1,050 -> -$315 a month (table: +$180)
        ("complex analysis", -315),
    ],
)
def test_true_savings_for_source_002s_other_rows_are_negative(scenario, true_usd):
    prompted, tuned, output, table_usd = SOURCE_002_TABLE[scenario]
    worked = ((prompted * MINI_BASE_IN + output * MINI_BASE_OUT)
              - (tuned * MINI_FT_IN + output * MINI_FT_OUT)) / 1e6 * REQUESTS_PER_MONTH
    assert worked == pytest.approx(true_usd)
    true = monthly_inference_savings(REQUESTS_PER_DAY, prompted, tuned, output, *MINI)
    assert true == pytest.approx(true_usd)
    assert true < 0 < table_usd


def test_source_002s_6_to_18_months_at_100_requests_a_day_is_really_2_to_12_years():
    # 002_44dbb0b6dad16d21.txt: "At 100 requests/day, breakeven extends to 6-18 months". Even on
    # the source's own (naive) figures, 100 requests/day saves 600 tokens x 3,000 requests x
    # $0.30/1M = $0.54 a month, so its $15-75 training run takes 15 / 0.54 = 28 to
    # 75 / 0.54 = 139 months; at the true $0.09 a month it is 167 to 833 months.
    naive = monthly_inference_savings(100, 800, 200, 50, *MINI, naive=True)
    true = monthly_inference_savings(100, 800, 200, 50, *MINI)
    assert naive == pytest.approx(0.54)
    assert true == pytest.approx(0.09)
    assert (15 / naive, 75 / naive) == (pytest.approx(27.8, abs=0.05), pytest.approx(138.9, abs=0.05))
    assert 15 / naive > 18                       # already beyond the source's upper bound
    assert (15 / true, 75 / true) == (pytest.approx(166.7, abs=0.05), pytest.approx(833.3, abs=0.05))


def test_prompted_gpt_4o_against_fine_tuned_gpt_4o_mini_saves_money():
    # Source 001's case for fine-tuning: a small fine-tuned model replacing a large prompted one.
    # Classification on gpt-4o: 800 x $2.50 + 50 x $10 = $0.0025 a request; fine-tuned
    # gpt-4o-mini: $0.00012. Saved $0.00238 x 300,000 = $714 a month.
    saving = monthly_inference_savings(REQUESTS_PER_DAY, 800, 200, 50, GPT4O_BASE_IN,
                                       GPT4O_BASE_OUT, MINI_FT_IN, MINI_FT_OUT)
    assert saving == pytest.approx(714)
    # ... and even the costliest row of source 002 saves money this way.
    saving = monthly_inference_savings(REQUESTS_PER_DAY, 3_000, 1_000, 2_000, GPT4O_BASE_IN,
                                       GPT4O_BASE_OUT, MINI_FT_IN, MINI_FT_OUT)
    assert saving == pytest.approx((3_000 * 2.5 + 2_000 * 10 - 1_000 * 0.3 - 2_000 * 1.2)
                                   / 1e6 * REQUESTS_PER_MONTH)
    assert saving > 0


def test_savings_are_zero_when_nothing_changes():
    assert monthly_inference_savings(10_000, 800, 800, 50, 0.3, 1.2, 0.3, 1.2) == 0.0


def test_savings_scale_with_days_per_month():
    thirty = monthly_inference_savings(10_000, 800, 200, 50, *MINI)
    thirty_one = monthly_inference_savings(10_000, 800, 200, 50, *MINI, days_per_month=31)
    assert thirty_one == pytest.approx(thirty * 31 / 30)


@SETTINGS
@given(st.floats(0, 1e5), st.floats(0, 5_000), st.floats(0, 5_000), st.floats(0, 5_000))
def test_savings_equal_the_difference_of_monthly_request_costs(per_day, prompted, tuned, output):
    expected = per_day * 30 * (request_cost(prompted, output, *MINI[:2])
                               - request_cost(tuned, output, *MINI[2:]))
    got = monthly_inference_savings(per_day, prompted, tuned, output, *MINI)
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_savings_broadcast_over_request_volumes():
    out = monthly_inference_savings(np.array([100, 10_000]), 800, 200, 50, *MINI)
    assert out == pytest.approx([0.09, 9.0])


def test_naive_must_be_a_real_bool():
    with pytest.raises(TypeError, match="^naive must be True or False, got 1$"):
        monthly_inference_savings(10_000, 800, 200, 50, *MINI, naive=1)


ARG_NAMES = ["requests_per_day", "prompted_input_tokens", "finetuned_input_tokens",
             "output_tokens", "base_usd_per_1m_input", "base_usd_per_1m_output",
             "ft_usd_per_1m_input", "ft_usd_per_1m_output"]


@pytest.mark.parametrize("naive", [False, True])
@pytest.mark.parametrize("position", range(len(ARG_NAMES)))
def test_bad_savings_inputs_name_the_parameter(position, naive):
    args = [10_000, 800, 200, 50, *MINI]
    args[position] = -1
    with pytest.raises(ValueError, match=rf"^{ARG_NAMES[position]} must be >= 0, got -1$"):
        monthly_inference_savings(*args, naive=naive)


def test_zero_days_per_month_is_rejected():
    with pytest.raises(ValueError, match=r"^days_per_month must be > 0, got 0$"):
        monthly_inference_savings(10_000, 800, 200, 50, *MINI, days_per_month=0)


# -- prompt caching and the batch discount ---------------------------------------------------
# gpt-4o-mini's cached input: $0.075 per 1M tokens, half its $0.15 (OpenAI's prompt caching
# prices, prices.csv). OpenAI's Batch API: 50 % off the whole request.
MINI_CACHED_IN = 0.075


def test_cached_tokens_are_billed_at_the_cached_price_and_the_rest_at_the_input_price():
    cost = request_cost(800, 50, MINI_BASE_IN, MINI_BASE_OUT, cached_input_tokens=600,
                        usd_per_1m_cached_input_tokens=MINI_CACHED_IN)
    assert cost == pytest.approx((200 * 0.15 + 600 * 0.075 + 50 * 0.60) / 1e6)


def test_caching_a_repeated_few_shot_prefix_saves_part_of_the_prompt():
    full = request_cost(800, 50, MINI_BASE_IN, MINI_BASE_OUT)
    cached = request_cost(800, 50, MINI_BASE_IN, MINI_BASE_OUT, cached_input_tokens=600,
                          usd_per_1m_cached_input_tokens=MINI_CACHED_IN)
    assert full - cached == pytest.approx(600 * (0.15 - 0.075) / 1e6)


def test_the_batch_discount_comes_off_the_whole_request():
    full = request_cost(800, 50, MINI_BASE_IN, MINI_BASE_OUT)
    assert request_cost(800, 50, MINI_BASE_IN, MINI_BASE_OUT, batch_discount=0.5) == \
        pytest.approx(full / 2)


def test_caching_and_batch_together_on_arrays():
    cost = request_cost(np.array([800, 1_000]), 50, MINI_BASE_IN, MINI_BASE_OUT,
                        cached_input_tokens=np.array([0, 1_000]),
                        usd_per_1m_cached_input_tokens=MINI_CACHED_IN, batch_discount=0.5)
    expected = np.array([800 * 0.15 + 50 * 0.60, 1_000 * 0.075 + 50 * 0.60]) / 1e6 * 0.5
    np.testing.assert_allclose(cost, expected)


def test_no_cached_tokens_and_no_discount_give_the_plain_price_exactly():
    assert request_cost(800, 50, 0.15, 0.60, cached_input_tokens=0,
                        usd_per_1m_cached_input_tokens=None, batch_discount=0.0) == \
        request_cost(800, 50, 0.15, 0.60)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"cached_input_tokens": 600}, ValueError,
         "usd_per_1m_cached_input_tokens is required when cached_input_tokens > 0, got None"),
        ({"cached_input_tokens": 900, "usd_per_1m_cached_input_tokens": 0.075}, ValueError,
         "cached_input_tokens must be <= input_tokens (800), got 900"),
        ({"cached_input_tokens": -1, "usd_per_1m_cached_input_tokens": 0.075}, ValueError,
         "cached_input_tokens must be >= 0, got -1"),
        ({"batch_discount": 1.5}, ValueError, "batch_discount must be between 0 and 1, got 1.5"),
        ({"cached_input_tokens": 10, "usd_per_1m_cached_input_tokens": -1}, ValueError,
         "usd_per_1m_cached_input_tokens must be >= 0, got -1"),
    ],
)
def test_request_cost_rejects_bad_caching_and_batch_arguments_naming_them(kwargs, error, message):
    import re

    with pytest.raises(error, match=re.escape(message)):
        request_cost(800, 50, 0.15, 0.60, **kwargs)


# -- the prompt cache's rule (issue 20) ----------------------------------------------------------
# OpenAI's prompt-caching guide (developers.openai.com/docs/guides/prompt-caching, and the
# 2024-10-01 launch text): prompts of 1,024 tokens or more, cache hits in 128-token steps.
OPENAI_CACHE = {"cache_min_tokens": 1024, "cache_increment_tokens": 128}


def test_an_800_token_prompt_caches_nothing_under_openais_rule():
    cached = request_cost(800, 50, 0.15, 0.60, cached_input_tokens=800,
                          usd_per_1m_cached_input_tokens=0.075, **OPENAI_CACHE)
    assert cached == pytest.approx(request_cost(800, 50, 0.15, 0.60))


def test_a_1100_token_prefix_caches_1024_tokens():
    cost = request_cost(1_100, 0, 0.15, 0.60, cached_input_tokens=1_100,
                        usd_per_1m_cached_input_tokens=0.075, **OPENAI_CACHE)
    assert cost == pytest.approx((1_024 * 0.075 + 76 * 0.15) / 1e6)


@pytest.mark.parametrize("prefix, billed", [(1_023, 0), (1_024, 1_024), (1_151, 1_024),
                                            (1_152, 1_152), (1_500, 1_408),  # lesson 03
                                            (5_000, 4_992)])
def test_the_cache_bills_the_minimum_then_whole_steps(prefix, billed):
    assert cacheable_tokens(prefix, 1024, 128) == billed


def test_without_a_rule_every_cached_token_is_billed_at_the_cached_price():
    assert cacheable_tokens(600.5) == 600.5
    assert cacheable_tokens(np.array([0, 600]), 1024) == pytest.approx([0, 0])


@pytest.mark.parametrize("kwargs, name", [
    ({"cache_min_tokens": -1}, "cache_min_tokens must be >= 0"),
    ({"cache_min_tokens": 10.5}, "cache_min_tokens must be a whole number"),
    ({"cache_increment_tokens": 0}, "cache_increment_tokens must be >= 1"),
    ({"cache_increment_tokens": "128"}, "cache_increment_tokens"),
])
def test_a_bad_cache_rule_is_refused_by_its_name(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        request_cost(1_100, 0, 0.15, 0.60, cached_input_tokens=1_100,
                     usd_per_1m_cached_input_tokens=0.075, **kwargs)


def test_quiz_l7_3s_cached_prefix_is_long_enough_for_openais_cache():
    # issue 20: L7.3 asked about caching the worksheet's 293-token prefix, which OpenAI does not
    # cache at all. Its premise must name a prefix the cache rule bills at the cached price.
    import json
    import re
    from importlib import resources

    text = resources.files("ftroi_helpers").joinpath("data/questions/L7.json").read_text("utf-8")
    question = json.loads(text)["L7.3"]["question"]
    m = re.search(r"([\d,]+)-token prefix", question)
    assert m, question
    prefix = int(m.group(1).replace(",", ""))
    assert cacheable_tokens(prefix, **OPENAI_CACHE) > 0
