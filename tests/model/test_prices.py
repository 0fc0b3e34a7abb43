"""The shipped price table: dated, sourced, and holding the rows the lessons use."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import textwrap
from urllib.parse import urlparse

import pandas as pd
import pytest

from ftroi_helpers.hosting import G5_XLARGE_USD_PER_HOUR
from ftroi_helpers.prices import (
    PRICE_COLUMNS,
    PROVIDER_PAGE,
    SOURCE_002_PROVENANCE,
    load_prices,
    price_row,
    token_prices,
)

#: The domains whose price pages may stand behind each provider's rows.
PROVIDER_DOMAINS = {"OpenAI": "openai.com", "AWS": "aws.amazon.com", "Lambda": "lambda.ai",
                    "Anthropic": "claude.com", "Google": "ai.google.dev",
                    "Together AI": "together.ai"}
ROWS = load_prices().to_dict("records")


@pytest.fixture(scope="module")
def prices() -> pd.DataFrame:
    return load_prices()


def test_table_has_every_documented_column(prices):
    assert list(prices.columns) == list(PRICE_COLUMNS)


@pytest.mark.parametrize("row", ROWS, ids=[r["model"] for r in ROWS])
def test_every_row_says_where_its_numbers_come_from(row):
    assert row["provenance"] in {PROVIDER_PAGE, SOURCE_002_PROVENANCE}, row["model"]


@pytest.mark.parametrize("row", [r for r in ROWS if r["provenance"] == PROVIDER_PAGE],
                         ids=lambda r: r["model"])
def test_a_provider_page_row_has_the_read_date_and_that_providers_own_url(row):
    parsed = dt.date.fromisoformat(row["as_of"])
    assert parsed.isoformat() == row["as_of"]
    assert parsed <= dt.date.today()
    url = urlparse(row["source"])
    assert url.scheme == "https"
    domain = PROVIDER_DOMAINS[row["provider"]]
    assert url.netloc == domain or url.netloc.endswith("." + domain), (row["model"], url.netloc)


@pytest.mark.parametrize("row", [r for r in ROWS if r["provenance"] == SOURCE_002_PROVENANCE],
                         ids=lambda r: r["model"])
def test_a_row_from_the_cost_guide_is_undated_and_carries_no_provider_url(row):
    # 002_44dbb0b6dad16d21.txt gives no date; a provider URL on its numbers would claim a check
    # that never happened.
    assert row["as_of"] == "undated"
    for column in ("source", "note"):
        assert "http" not in str(row[column]) and "www." not in str(row[column]), column
    assert "crossover guide" in row["source"]


def test_the_rows_once_dated_with_source_001s_check_date_are_now_the_guides(prices):
    # Their numbers were source 002's, but they carried 2026-05-25 (source 001's check date)
    # and a provider URL.
    for model in ("Claude (via AWS Bedrock)", "Gemini (via Vertex AI)", "Llama 3.1 70B (LoRA)",
                  "Llama 3.1 8B (LoRA or QLoRA)"):
        assert price_row(model)["provenance"] == SOURCE_002_PROVENANCE
    assert "2026-05-25" not in set(prices["as_of"])


@pytest.mark.parametrize("row", [r for r in ROWS if pd.notna(r["ft_premium"])],
                         ids=lambda r: r["model"])
def test_the_fine_tuned_premium_is_the_fine_tuned_over_the_base_token_price(row):
    for kind in ("input", "output"):
        ratio = row[f"ft_usd_per_1m_{kind}_tokens"] / row[f"base_usd_per_1m_{kind}_tokens"]
        assert ratio == pytest.approx(row["ft_premium"])


def test_every_per_token_model_has_its_premium_cached_prices_and_batch_discount(prices):
    priced = prices[prices["ft_usd_per_1m_input_tokens"].notna()]
    assert priced["ft_premium"].notna().all()
    # OpenAI's prompt caching: cached input at half the input price, base and fine-tuned.
    assert (priced["base_usd_per_1m_cached_input_tokens"]
            == priced["base_usd_per_1m_input_tokens"] / 2).all()
    assert (priced["ft_usd_per_1m_cached_input_tokens"]
            == priced["ft_usd_per_1m_input_tokens"] / 2).all()
    # OpenAI's Batch API: 50 % off.
    assert (priced["batch_discount"] == 0.5).all()
    assert token_prices("gpt-4o-2024-08-06").ft_usd_per_1m_cached_input == 1.875


def test_the_8b_row_says_the_a10g_fits_lora_not_a_full_fine_tune():
    # A full fine-tune needs ~16 bytes per parameter (weights, gradients, Adam state):
    # 8e9 x 16 bytes = 128 GB, against the A10G's 24 GB.
    row = price_row("Llama 3.1 8B (LoRA or QLoRA)")
    assert 8e9 * 16 / 1e9 > 24
    assert "LoRA" in row["note"] and "24 GB" in row["note"]


def test_the_g5_rate_the_maths_modules_use_is_the_price_tables():
    assert price_row("g5.xlarge")["hosting_usd_per_hour"] == G5_XLARGE_USD_PER_HOUR


def test_model_names_are_unique(prices):
    assert prices["model"].is_unique


def test_every_row_is_an_api_or_a_gpu_offer_with_its_prices(prices):
    for _, row in prices.iterrows():
        if row["kind"] == "api":  # a training price, a per-token price, or a note saying why not
            priced = (pd.notna(row["training_usd_per_1m_tokens_low"])
                      or pd.notna(row["base_usd_per_1m_input_tokens"]))
            assert priced or row["note"].startswith("No price entered:"), row["model"]
        else:
            assert row["kind"] == "gpu"
            assert pd.notna(row["usd_per_gpu_hour_low"]) and pd.notna(row["gpu_type"])


def test_ranges_have_the_low_end_first(prices):
    for low, high in [("training_usd_per_1m_tokens_low", "training_usd_per_1m_tokens_high"),
                      ("usd_per_gpu_hour_low", "usd_per_gpu_hour_high")]:
        both = prices[[low, high]].dropna()
        assert (both[low] <= both[high]).all()


def test_gpt_4o_mini_prices_match_openais_published_prices():
    # OpenAI pricing for gpt-4o-mini-2024-07-18 (USD per 1M tokens): base 0.15 in / 0.60 out,
    # fine-tuned 0.30 / 1.20, training 3.00 -- the $3.00 matches 002_44dbb0b6dad16d21.txt.
    row = price_row("gpt-4o-mini-2024-07-18")
    assert (row["base_usd_per_1m_input_tokens"], row["base_usd_per_1m_output_tokens"]) == (
        0.15, 0.60)
    assert (row["ft_usd_per_1m_input_tokens"], row["ft_usd_per_1m_output_tokens"]) == (0.30, 1.20)
    assert row["training_usd_per_1m_tokens_low"] == row["training_usd_per_1m_tokens_high"] == 3.00


def test_gpt_4o_prices_match_openais_published_prices():
    # gpt-4o-2024-08-06: base 2.50 / 10.00, fine-tuned 3.75 / 15.00, training 25.00 (the $25.00
    # matches 002_44dbb0b6dad16d21.txt).
    row = price_row("gpt-4o-2024-08-06")
    assert (row["base_usd_per_1m_input_tokens"], row["base_usd_per_1m_output_tokens"]) == (
        2.50, 10.00)
    assert (row["ft_usd_per_1m_input_tokens"], row["ft_usd_per_1m_output_tokens"]) == (
        3.75, 15.00)
    assert row["training_usd_per_1m_tokens_low"] == 25.00


def test_a_fine_tuned_gpt_4o_mini_token_costs_double_the_base_token():
    # The fact source 002's inference table leaves out (see test_token_costs.py).
    row = price_row("gpt-4o-mini-2024-07-18")
    assert row["ft_usd_per_1m_input_tokens"] == 2 * row["base_usd_per_1m_input_tokens"]
    assert row["ft_usd_per_1m_output_tokens"] == 2 * row["base_usd_per_1m_output_tokens"]


@pytest.mark.parametrize(
    ("model", "low", "high"),
    [
        # 002_44dbb0b6dad16d21.txt, "Training Cost": Claude via AWS Bedrock "~$8-30/1M training
        # tokens", Gemini via Vertex AI "$4-16/1M training tokens".
        ("Claude (via AWS Bedrock)", 8.0, 30.0),
        ("Gemini (via Vertex AI)", 4.0, 16.0),
    ],
)
def test_source_002s_provider_training_ranges_are_kept_whole(model, low, high):
    row = price_row(model)
    assert (row["training_usd_per_1m_tokens_low"], row["training_usd_per_1m_tokens_high"]) == (
        low, high)


@pytest.mark.parametrize(
    ("model", "gpu", "low", "high"),
    [
        # 002_44dbb0b6dad16d21.txt: Llama 3.1 70B (LoRA) "$2-5/hour GPU (A100)", Llama 3.1 8B
        # (full) "$1-2/hour GPU (A10G)".
        ("Llama 3.1 70B (LoRA)", "A100", 2.0, 5.0),
        ("Llama 3.1 8B (LoRA or QLoRA)", "A10G", 1.0, 2.0),
    ],
)
def test_source_002s_self_hosted_gpu_ranges_are_kept_whole(model, gpu, low, high):
    row = price_row(model)
    assert row["gpu_type"] == gpu
    assert (row["usd_per_gpu_hour_low"], row["usd_per_gpu_hour_high"]) == (low, high)


@pytest.mark.parametrize("gpu", ["A10G", "A100", "H100"])
def test_there_is_a_dated_on_demand_price_for_each_gpu(prices, gpu):
    offers = prices[(prices["gpu_type"] == gpu) & prices["hosting_usd_per_hour"].notna()]
    assert len(offers) >= 1
    assert (offers["hosting_usd_per_hour"] > 0).all()


def test_price_row_rejects_an_unknown_model_listing_where_to_look():
    with pytest.raises(ValueError, match=r"^model must be one of the rows of prices.csv"):
        price_row("gpt-5")


def test_price_row_rejects_a_non_string():
    with pytest.raises(ValueError, match=r"got 3$"):
        price_row(3)  # type: ignore[arg-type]


def test_load_prices_works_from_another_working_directory(tmp_path):
    # The CSV is read with importlib.resources, not a path relative to the current directory.
    code = textwrap.dedent("""
        from ftroi_helpers.prices import load_prices
        table = load_prices()
        print(len(table), table.loc[table.model == "gpt-4o-2024-08-06", "as_of"].item())
    """)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                         capture_output=True, text=True, check=True)
    rows, as_of = out.stdout.split()
    assert int(rows) == len(load_prices())
    assert as_of == "2024-10-01"


# -- a broken price table is one PriceDataError naming the line and the column ---------------
from ftroi_helpers.prices import PriceDataError  # noqa: E402

GOOD_ROW = 2  # line 2 of the file: the first data row (gpt-4o-mini, a provider page)
GUIDE_ROW = 4  # line 4: Claude via Bedrock, from the crossover guide


def _broken(tmp_path, line: int, column: str, value: str):
    table = load_prices()
    raw = table.astype(object).where(table.notna(), "")
    raw.loc[line - 2, column] = value
    path = tmp_path / "prices.csv"
    raw.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("line, column, value, message", [
    (GOOD_ROW, "provenance", "a blog", "provenance must be 'provider page' or"),
    (GOOD_ROW, "provenance", "", "provenance is blank"),
    (GOOD_ROW, "as_of", "undated", "as_of must be an ISO date"),
    (GOOD_ROW, "as_of", "2024-13-01", "as_of must be an ISO date"),
    (GUIDE_ROW, "as_of", "2026-05-25", "as_of must be 'undated' for a figure from the crossover"),
    (GOOD_ROW, "model", "gpt-4o-2024-08-06", "is already on line"),
    (GOOD_ROW, "batch_discount", "half", "batch_discount must be a number"),
    (GOOD_ROW, "ft_premium", "-2", "ft_premium must be a positive number"),
    (GUIDE_ROW, "training_usd_per_1m_tokens_low", "99", "must be at most training_usd_per_1m"),
])
def test_a_bad_row_is_refused_naming_its_line_and_column(tmp_path, line, column, value, message):
    path = _broken(tmp_path, line, column, value)
    with pytest.raises(PriceDataError, match=re.escape(message)) as err:
        load_prices(path)
    assert f"line {line}" in str(err.value)


def test_a_missing_empty_or_unreadable_table_is_one_error(tmp_path):
    with pytest.raises(PriceDataError, match="is missing"):
        load_prices(tmp_path / "none.csv")
    (tmp_path / "empty.csv").write_text(",".join(PRICE_COLUMNS) + "\n", encoding="utf-8")
    with pytest.raises(PriceDataError, match="has no rows"):
        load_prices(tmp_path / "empty.csv")
    (tmp_path / "cols.csv").write_text("provider,model\nA,B\n", encoding="utf-8")
    with pytest.raises(PriceDataError, match="lacks the column"):
        load_prices(tmp_path / "cols.csv")
    (tmp_path / "bin.csv").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(PriceDataError, match="cannot be read"):
        load_prices(tmp_path / "bin.csv")


@pytest.mark.parametrize("model", ["gpt-4o-mini-2024-07-18", "gpt-4o-2024-08-06"])
def test_openais_rows_carry_its_prompt_cache_rule(model):
    # OpenAI's prompt-caching guide: prompts of 1,024 tokens or more, in 128-token steps.
    p = token_prices(model)
    assert (p.cache_min_tokens, p.cache_increment_tokens) == (1024, 128)


@pytest.mark.parametrize("value", ["-1", "10.5", "many"])
def test_a_cache_rule_that_is_not_a_whole_number_of_tokens_is_refused(tmp_path, value):
    path = _broken(tmp_path, GOOD_ROW, "cache_min_tokens", value)
    with pytest.raises(PriceDataError, match="cache_min_tokens must be a whole number of tokens"):
        load_prices(path)


# -- prices of today (issue 20, item 8) ------------------------------------------------------------
TODAY_PROVIDERS = {"OpenAI", "Anthropic", "Google", "Together AI"}


def test_each_provider_a_learner_uses_has_a_row_read_on_a_recent_date(prices):
    dated = prices[prices["as_of"] != "undated"]
    recent = dated[dated["as_of"] >= "2026-12-01"]
    assert TODAY_PROVIDERS <= set(recent["provider"])
    for _, row in recent.iterrows():
        assert row["provenance"] == PROVIDER_PAGE and row["source"].startswith("https://")


def test_a_price_that_could_not_be_read_is_left_blank_and_the_note_says_so(prices):
    unread = prices[prices["note"].str.startswith("No price entered:")]
    assert len(unread) >= 1
    assert unread["base_usd_per_1m_input_tokens"].isna().all()
    assert unread["training_usd_per_1m_tokens_low"].isna().all()


def test_the_2024_rows_the_worked_examples_use_are_kept(prices):
    kept = prices.set_index("model").loc[["gpt-4o-mini-2024-07-18", "gpt-4o-2024-08-06"], "as_of"]
    assert (kept == "2024-10-01").all()


def test_the_row_picker_offers_every_hosted_per_token_row():
    from ftroi_helpers.calculators.prompt import price_rows
    from ftroi_helpers.prices import hosted_price_models

    models = hosted_price_models()
    assert {"claude-sonnet-5-5", "claude-haiku-4-5"} <= set(models)
    assert list(price_rows()) == models
    # Anthropic, from its model overview page read 2026-12-08: USD 2 / 10 per 1M tokens
    assert price_rows()["claude-sonnet-5-5"]["input"] == 2.0
    assert price_rows()["claude-sonnet-5-5"]["ft_input"] is None


@pytest.mark.parametrize("model, minimum", [
    # Google's context-caching page (last updated 2026-10-13): current Flash and Pro models
    ("Gemini (Developer API, current Flash and Pro)", 4096),
    # Anthropic's prompt-caching page as quoted in anthropic-sdk-python#1194
    ("claude-haiku-4-5", 4096),
])
def test_other_providers_cache_minimums_are_in_the_table(prices, model, minimum):
    assert prices.set_index("model").loc[model, "cache_min_tokens"] == minimum
