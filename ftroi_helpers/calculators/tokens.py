"""Calculator for lesson 02: what fine-tuning saves per month once tokens are priced honestly."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np

from ..breakeven import months_to_break_even
from ..formatting import DAYS_PER_MONTH, money, months_text, usd
from ..plots import FINETUNE_STYLE, MARK_STYLE, PROMPTING_STYLE, style_axes
from ..prices import GPT_4O_MINI, token_price_models, token_prices
from ..token_costs import cacheable_tokens, monthly_inference_savings, request_cost
from ..training import training_run_usd
from ..validation import require_nonnegative, require_positive
from ._base import (
    Calculator,
    Outcome,
    dropdown,
    field_label,
    float_slider,
    int_slider,
    number_box,
)

__all__ = ["token_savings", "token_savings_outcome"]

#: Months shown on the token-savings figure.
FIGURE_MONTHS = 24


def short_model(model: str) -> str:
    """A model name without its trailing date, for sentences and legends.

    >>> short_model("gpt-4o-mini-2024-07-18")
    'gpt-4o-mini'
    """
    parts = model.split("-")
    if len(parts) > 3 and all(p.isdigit() for p in parts[-3:]):
        return "-".join(parts[:-3])
    return model


def token_savings_outcome(requests_per_day: float, prompted_input_tokens: float,
                          finetuned_input_tokens: float, output_tokens: float, base_model: str,
                          finetuned_model: str, training_usd: float,
                          cached_input_tokens: float = 0,
                          batch_discount_pct: float = 0.0) -> Outcome:
    """The token-savings calculator's result for given control values.

    Prices the prompted request (with its few-shot examples) at ``base_model``'s prices and the
    fine-tuned request at ``finetuned_model``'s fine-tuned prices; the naive figure is source
    002's shortcut (saved input tokens times the fine-tuned input price), shown for contrast.

    Parameters
    ----------
    requests_per_day : requests per day (> 0)
    prompted_input_tokens : input tokens of the prompted request, examples included (>= 0)
    finetuned_input_tokens : input tokens of the fine-tuned request (>= 0)
    output_tokens : output tokens per request, the same for both (>= 0)
    base_model, finetuned_model : rows of ``data/prices.csv`` with per-token prices
    training_usd : one-time training cost, USD (>= 0)
    cached_input_tokens : the part of the prompted input served from the provider's prompt
        cache (a repeated few-shot prefix), billed at the base model's cached-input price under
        its cache rule (``cache_min_tokens`` in 128-token steps for OpenAI; default 0)
    batch_discount_pct : percent taken off both requests by a batch API, 0 to 100 (default 0;
        OpenAI's Batch API: 50)

    Returns
    -------
    Outcome
        The sentence, and ``data`` with the monthly costs, savings, break-even months (None
        for never) and the cumulative-cost series for the figure.

    Raises
    ------
    ValueError, TypeError
        For an impossible setting (zero requests, negative tokens or cost, unknown model).

    Examples
    --------
    The crossover guide's simple classification at 10K requests/day on gpt-4o-mini:

    >>> token_savings_outcome(10_000, 800, 200, 50, "gpt-4o-mini-2024-07-18",
    ...                       "gpt-4o-mini-2024-07-18", 75).sentence
    "At 10,000 requests a day fine-tuning saves $9.00 a month (the crossover guide's shortcut says $54.00), so $75.00 of training pays back in 8.3 months (shortcut: 1.4 months)."

    Caching the 600 repeated example tokens changes nothing: OpenAI caches a prefix only from
    1,024 tokens (``token_prices(base_model).cache_min_tokens``), so the saving is still $9.00:

    >>> token_savings_outcome(10_000, 800, 200, 50, "gpt-4o-mini-2024-07-18",
    ...                       "gpt-4o-mini-2024-07-18", 75, cached_input_tokens=600).sentence[:47]
    'At 10,000 requests a day fine-tuning saves $9.00'
    >>> token_savings_outcome(0, 800, 200, 50, "gpt-4o-mini-2024-07-18",
    ...                       "gpt-4o-mini-2024-07-18", 75)
    Traceback (most recent call last):
    ...
    ValueError: requests_per_day must be > 0, got 0
    """
    volume = require_positive("requests_per_day", requests_per_day)
    training = require_nonnegative("training_usd", training_usd)
    base = token_prices(base_model)
    tuned = token_prices(finetuned_model)
    pct = float(require_nonnegative("batch_discount_pct", batch_discount_pct))
    if pct > 100:
        raise ValueError(f"batch_discount_pct must be between 0 and 100, got {pct:g}")
    cached = float(require_nonnegative("cached_input_tokens", cached_input_tokens))
    prompted = float(require_nonnegative("prompted_input_tokens", prompted_input_tokens))
    if cached > prompted:
        raise ValueError(f"Cached prompt tokens ({cached:,.0f}) must be at most the prompted "
                         f"input tokens per request ({prompted:,.0f}): only a part of the "
                         f"prompt can be cached")
    if cached > 0 and base.base_usd_per_1m_cached_input is None:
        raise ValueError(f"cached_input_tokens must be 0 for {base_model}: prices.csv has no "
                         f"cached-input price for it, got {cached:g}")
    args = (volume, prompted_input_tokens, finetuned_input_tokens, output_tokens,
            base.base_usd_per_1m_input, base.base_usd_per_1m_output,
            tuned.ft_usd_per_1m_input, tuned.ft_usd_per_1m_output)
    naive = float(monthly_inference_savings(*args, days_per_month=DAYS_PER_MONTH, naive=True))
    requests_per_month = volume * DAYS_PER_MONTH
    prompting_usd_per_month = requests_per_month * float(request_cost(
        prompted_input_tokens, output_tokens, base.base_usd_per_1m_input,
        base.base_usd_per_1m_output, cached_input_tokens=cached,
        usd_per_1m_cached_input_tokens=base.base_usd_per_1m_cached_input,
        batch_discount=pct / 100, cache_min_tokens=base.cache_min_tokens,
        cache_increment_tokens=base.cache_increment_tokens))
    finetune_usd_per_month = requests_per_month * float(request_cost(
        finetuned_input_tokens, output_tokens, tuned.ft_usd_per_1m_input,
        tuned.ft_usd_per_1m_output, batch_discount=pct / 100))
    true = prompting_usd_per_month - finetune_usd_per_month
    months = months_to_break_even(training, true)  # None: never
    naive_months = months_to_break_even(training, naive)

    lead = f"At {volume:,.0f} requests a day fine-tuning "
    if true > 0:
        lead += f"saves {money(true)} a month"
    elif true < 0:
        lead += f"costs {money(-true)} a month more than prompting"
    else:
        lead += "saves nothing"
    shortcut = (f"a {money(naive)} saving" if naive > 0 else "no saving")
    if true > 0:
        lead += f" (the crossover guide's shortcut says {money(naive)})"
    else:
        lead += f" (the crossover guide's shortcut claims {shortcut})"
    if months is None:
        tail = f"so {usd(training)} of training never pays back"
    else:
        tail = f"so {money(training)} of training pays back in {months_text(months)}"
    sentence = f"{lead}, {tail} (shortcut: {months_text(naive_months)})."
    billed_cached = float(cacheable_tokens(cached, base.cache_min_tokens,
                                           base.cache_increment_tokens))
    if cached > 0 and billed_cached < cached:
        sentence += (f" Only {billed_cached:,.0f} of the {cached:,.0f} cached tokens are billed at "
                     f"the cached price: {short_model(base_model)} caches a prefix from "
                     f"{base.cache_min_tokens:,} tokens, in steps of "
                     f"{base.cache_increment_tokens or 1:,}.")
    if months is None:
        title = "Fine-tuning never pays back: it saves nothing per request"
    else:
        title = f"Fine-tuning pays back in {months_text(months)}"

    x = np.arange(FIGURE_MONTHS + 1, dtype=float)
    series = {
        "months": x,
        "prompting": prompting_usd_per_month * x,
        "finetune": training + finetune_usd_per_month * x,
    }
    data: dict[str, Any] = {
        "requests_per_month": requests_per_month,
        "prompting_usd_per_month": prompting_usd_per_month,
        "finetune_usd_per_month": finetune_usd_per_month,
        "true_savings_usd_per_month": true,
        "naive_savings_usd_per_month": naive,
        "breakeven_months": months,
        "naive_breakeven_months": naive_months,
        "training_usd": training,
        "labels": (short_model(base_model), short_model(finetuned_model)),
        "series": series,
    }
    return Outcome(sentence, data, title=title)


def _draw(ax, outcome: Outcome) -> dict:
    s = outcome.data["series"]
    (prompting,) = ax.plot(s["months"], s["prompting"], **PROMPTING_STYLE)
    (finetune,) = ax.plot(s["months"], s["finetune"], **FINETUNE_STYLE)
    (mark,) = ax.plot([], [], linestyle="none", **MARK_STYLE)
    style_axes(ax, title="", xlabel="month", ylabel="cumulative cost (USD)")
    ax.set_xlim(0, FIGURE_MONTHS)
    artists = {"prompting": prompting, "finetune": finetune, "mark": mark}
    _redraw(ax, artists, outcome)
    return artists


def _redraw(ax, artists: dict, outcome: Outcome) -> None:
    d = outcome.data
    s = d["series"]
    base, tuned = d["labels"]
    artists["prompting"].set_data(s["months"], s["prompting"])
    artists["prompting"].set_label(f"keep prompting {base}")
    artists["finetune"].set_data(s["months"], s["finetune"])
    artists["finetune"].set_label(f"fine-tuned {tuned} (training + inference)")
    months = d["breakeven_months"]  # None: never
    if months is not None and months <= FIGURE_MONTHS:
        y = d["prompting_usd_per_month"] * months
        artists["mark"].set_data([months], [y])
        artists["mark"].set_label(f"break-even: month {months:,.1f}")
    else:
        artists["mark"].set_data([], [])
        artists["mark"].set_label("_no break-even")  # a leading underscore keeps it off the legend
    ax.legend(frameon=False, loc="upper left", fontsize=9)
    # room above the lines for the legend; the y range follows the data on every update
    top = max(float(np.max(s["prompting"])), float(np.max(s["finetune"])), 1.0)
    ax.set_xlim(0, FIGURE_MONTHS)
    ax.set_ylim(0, top * 1.3)


def token_savings(requests_per_day: float = 10_000, prompted_input_tokens: int = 800,
                  finetuned_input_tokens: int = 200, output_tokens: int = 50,
                  base_model: str = GPT_4O_MINI, finetuned_model: str = GPT_4O_MINI,
                  training_usd: float | None = None,
                  cached_input_tokens: int = 0, batch_discount_pct: float = 0.0) -> Calculator:
    """Token savings as a widget: volume, token counts, two models and a training cost.

    Defaults are the crossover guide's simple classification (800 -> 200 input tokens, 50 output) at
    10K requests/day on gpt-4o-mini. The training cost starts at the workbook's run for those
    tokens (:func:`~ftroi_helpers.training.training_run_usd`: 2,000 examples, 3 epochs, USD 4.50)
    unless ``training_usd`` is given.

    >>> calc = token_savings()
    >>> calc.result_text.startswith("At 10,000 requests a day fine-tuning saves $9.00 a month")
    True
    >>> calc.set(requests_per_day=0)
    >>> calc.error
    'requests_per_day must be > 0, got 0'
    """
    options = [(f"{short_model(m)} (prices as of {token_prices(m).as_of})", m)
               for m in token_price_models()]
    if training_usd is None:
        training_usd = float(training_run_usd(finetuned_input_tokens, output_tokens,
                                              finetuned_model))
    controls = {
        "requests_per_day": number_box("Requests per day", requests_per_day),
        "prompted_input_tokens": int_slider(
            "Prompted input tokens per request (with few-shot examples)",
            prompted_input_tokens, 0, 8_000, 50),
        "finetuned_input_tokens": int_slider(
            "Fine-tuned input tokens per request (no examples)", finetuned_input_tokens,
            0, 8_000, 50),
        "output_tokens": int_slider("Output tokens per request", output_tokens, 0, 4_000, 10),
        "base_model": dropdown("Prompted (base) model", options, base_model),
        "finetuned_model": dropdown("Fine-tuned model", options, finetuned_model),
        "training_usd": number_box(field_label("training_usd"), training_usd),
        "cached_input_tokens": int_slider(
            "Cached prompt tokens per request (at the cached price)",
            cached_input_tokens, 0, 8_000, 50),
        "batch_discount_pct": float_slider("Batch discount (% off both requests)",
                                           batch_discount_pct, 0, 50, 50, ",.0f"),
    }
    calc = Calculator("Token savings: prompting with examples vs a fine-tuned model", controls,
                      token_savings_outcome, _draw, _redraw)
    # the cached part of a prompt is never longer than the prompt: the slider ends there (a
    # prompt length the calculator refuses, such as -1, leaves the slider's end at 0 and the
    # message beside the controls)
    controls["cached_input_tokens"].max = max(controls["prompted_input_tokens"].value,
                                              controls["cached_input_tokens"].value)
    widgets.dlink((controls["prompted_input_tokens"], "value"),
                  (controls["cached_input_tokens"], "max"), transform=_cached_slider_end)
    return calc


def _cached_slider_end(prompted_input_tokens: float) -> int:
    """Where the cached-token slider ends for a prompt length: the length, never below 0."""
    try:
        return max(int(prompted_input_tokens), 0)
    except (TypeError, ValueError, OverflowError):  # NaN or inf typed into the box
        return 0
