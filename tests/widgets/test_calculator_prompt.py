"""The own-prompt calculator (issue 13): set its controls as a learner would and compare with the
helpers (count_tokens, request_cost) and with counts and costs worked out by hand."""

from __future__ import annotations

import pytest

from ftroi_helpers import calculators
from ftroi_helpers.calculators.prompt import (
    EXAMPLE_PROMPT,
    OWN_PRICES,
    TOKENIZERS,
    _request,
    price_rows,
)
from ftroi_helpers.prices import load_prices
from ftroi_helpers.report import build_report
from ftroi_helpers.scenario_file import load
from ftroi_helpers.token_costs import request_cost
from ftroi_helpers.tokenizer import count_tokens

MINI = "gpt-4o-mini-2024-07-18"
GPT_4O = "gpt-4o-2024-08-06"
# Counted by OpenAI's tiktoken 0.14.0 with the official o200k_base / cl100k_base files (as in
# tests/model/test_tokenizer.py): system prompt, examples, input, output of EXAMPLE_PROMPT.
KNOWN_O200K = {"system": 45, "examples": 248, "input": 44, "output": 1}
KNOWN_CL100K = {"system": 46, "examples": 248, "input": 44, "output": 1}


@pytest.fixture
def calc():
    return calculators.prompt_cost()


def test_the_example_prompt_is_counted_exactly(calc):
    assert calc.outcome.data["tokens"] == KNOWN_O200K
    assert calc.outcome.data["count"].exact
    calc.set(tokens_for=list(TOKENIZERS)[2])  # cl100k_base
    assert calc.outcome.data["tokens"] == KNOWN_CL100K


def test_pasted_text_is_counted_like_count_tokens(calc):
    text = "Summarise this ticket in two sentences for the on-call engineer, please."
    calc.set(system_prompt=text, examples="", input_text=text * 3)
    tokens = calc.outcome.data["tokens"]
    assert tokens["system"] == count_tokens(text, model=MINI)
    assert tokens["input"] == count_tokens(text * 3, model=MINI)
    assert tokens["examples"] == 0


def test_cost_per_request_with_and_without_the_examples_at_the_chosen_row(calc):
    # gpt-4o-mini at USD 0.15 in / 0.60 out per 1M: with the examples (45 + 248 + 44) = 337 in
    # and 1 out = (50.55 + 0.6) / 1M; without them 89 in = (13.35 + 0.6) / 1M. At 200,000
    # requests a month: USD 10.23 and USD 2.79.
    usd = calc.outcome.data["usd_per_request"]
    assert usd["with_examples"] == pytest.approx(51.15e-6)
    assert usd["without_examples"] == pytest.approx(13.95e-6)
    assert usd["with_examples"] == pytest.approx(request_cost(337, 1, 0.15, 0.60))
    assert "$0.00005115 with the examples" in calc.result_text
    assert "$10 and $3 a month" in calc.result_text


def test_every_price_row_of_the_table_is_offered_and_priced(calc):
    table = load_prices()
    per_token = table.dropna(subset=["base_usd_per_1m_input_tokens"])["model"].tolist()
    options = [v for _label, v in calc.controls["price_row"].options]
    assert options == [*per_token, OWN_PRICES]
    rows = {r["price_row"]: r for r in calc.outcome.data["table"]}
    assert list(rows) == [*per_token, OWN_PRICES]
    # gpt-4o at 2.50 / 10.00: 337 in and 1 out = (842.5 + 10) / 1M; the fine-tuned gpt-4o at
    # 3.75 / 15.00 without the examples: 89 in and 1 out = (333.75 + 15) / 1M.
    assert rows[GPT_4O]["with_examples"] == pytest.approx(852.5e-6)
    assert rows[GPT_4O]["finetuned_without_examples"] == pytest.approx(348.75e-6)
    assert rows[OWN_PRICES]["finetuned_without_examples"] is None
    assert "gpt-4o-2024-08-06" in calc.table_box.value


def test_my_own_prices_with_a_cached_prefix_and_a_batch_discount(calc):
    calc.set(price_row=OWN_PRICES, usd_per_1m_input_tokens=2.0, usd_per_1m_output_tokens=8.0,
             usd_per_1m_cached_input_tokens=0.5, use_cache=True, use_batch=True,
             batch_discount_pct=50, tokens_for=list(TOKENIZERS)[1])  # o200k_base
    # prefix 45 + 248 = 293 cached at 0.50, 44 fresh at 2.00, 1 out at 8.00:
    # (146.5 + 88 + 8) / 1M = 242.5e-6, half off = 121.25e-6
    assert calc.outcome.data["usd_per_request"]["with_examples"] == pytest.approx(121.25e-6)
    # without the examples the cached prefix is the system prompt alone: (22.5 + 88 + 8) / 2
    assert calc.outcome.data["usd_per_request"]["without_examples"] == pytest.approx(59.25e-6)
    assert calc.result_text.startswith("Each request is 337 input tokens")


def test_a_row_without_a_published_cached_or_batch_price_says_so_and_charges_in_full():
    tokens = {"system": 45, "examples": 248, "input": 44, "output": 1}
    row = {"input": 2.5, "output": 10.0, "cached_input": None, "batch_discount": None}
    usd, note = _request(tokens, True, row, "", use_cache=True, use_batch=True)
    assert usd == pytest.approx(request_cost(337, 1, 2.5, 10.0))
    assert note == "no cached-input price published, no batch price published"


def test_my_own_prices_count_as_an_estimate_unless_a_tokenizer_is_chosen(calc):
    calc.set(price_row=OWN_PRICES)
    assert not calc.outcome.data["count"].exact
    calc.set(tokens_for=list(TOKENIZERS)[1])
    assert calc.outcome.data["count"].exact


def test_another_providers_model_is_a_labelled_estimate(calc):
    calc.set(tokens_for=list(TOKENIZERS)[3])
    assert not calc.outcome.data["count"].exact
    assert "estimated at 4 characters per token" in calc.result_text
    assert calc.outcome.data["tokens"]["system"] == -(-len(EXAMPLE_PROMPT["system_prompt"]) // 4)


@pytest.mark.parametrize("changes, message", [
    ({"requests_per_month": -1}, "requests_per_month must be >= 0, got -1"),
    ({"price_row": OWN_PRICES, "usd_per_1m_input_tokens": -2},
     "usd_per_1m_input_tokens must be >= 0"),
    ({"batch_discount_pct": 100}, "batch_discount_pct must be"),
])
def test_bad_settings_show_a_message_in_place_of_the_result(calc, changes, message):
    calc.set(**changes)
    assert calc.outcome is None and message in calc.error
    assert message in calc.result_text


def test_save_writes_tokens_prices_and_texts_and_the_report_reads_them(calc, tmp_path):
    calc.set(price_row=GPT_4O, requests_per_month=150_000)
    sf = load(calc.save(tmp_path / "my.toml"))
    assert sf.scenario.requests_per_month == 150_000
    # the hosted cost per 1,000 requests is the calculator's per-request cost x 1,000
    assert sf.scenario.hosted_cost_per_1k_req == pytest.approx(852.5e-6 * 1000)
    assert sf.derived == {"hosted_cost_per_1k_req"}
    assert sf.workload["few_shot_tokens"] == 248 and sf.workload["tokens_exact"] is True
    assert sf.prompt["examples"] == EXAMPLE_PROMPT["examples"]
    assert sf.source_of("hosted_cost_per_1k_req")[1] == price_rows()[GPT_4O]["as_of"]
    report = build_report(sf)
    assert ("Input tokens per request, with the few-shot examples",
            "337 (exact, counted for gpt-4o-2024-08-06)") in report.workload


def test_load_brings_back_the_texts_and_the_prices(calc, tmp_path):
    calc.set(system_prompt="Be brief.", price_row=OWN_PRICES, usd_per_1m_input_tokens=1.0,
             usd_per_1m_output_tokens=4.0, use_batch=True, batch_discount_pct=40)
    calc.save(tmp_path / "my.toml")
    other = calculators.prompt_cost()
    other.load(tmp_path / "my.toml")
    assert other.values() == calc.values()
    assert other.result_text == calc.result_text


def test_the_example_prompts_293_token_prefix_is_too_short_for_openais_cache(calc):
    # issue 20: OpenAI caches a prefix only from 1,024 tokens (prices.csv, cache_min_tokens);
    # the worksheet's prefix is 45 + 248 = 293 tokens, so ticking the cache changes nothing.
    uncached = calc.outcome.data["usd_per_request"]["with_examples"]
    calc.set(use_cache=True)
    assert calc.outcome.data["usd_per_request"]["with_examples"] == pytest.approx(uncached)
    row = {r["price_row"]: r for r in calc.outcome.data["table"]}[MINI]
    assert row["applied"] == "prefix too short to cache (293 < 1,024 tokens)"


def test_a_prefix_above_the_minimum_is_cached_in_128_token_steps():
    # 1,100 prefix tokens at gpt-4o-mini's row: 1,024 cached at 0.075, 76 + 44 fresh at 0.15
    tokens = {"system": 100, "examples": 1_000, "input": 44, "output": 1}
    usd, note = _request(tokens, True, price_rows()[MINI], "", use_cache=True, use_batch=False)
    assert usd == pytest.approx((1_024 * 0.075 + 120 * 0.15 + 1 * 0.60) / 1e6)
    assert note == "1,024 of 1,100 prefix tokens cached"
