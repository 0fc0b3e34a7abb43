"""The sources' worked examples, recomputed side by side with what each source printed.

Every table here rebuilds one example from the source material with the workbook's maths, so a
lesson can show where the sources agree with their own numbers and where they do not:

* :func:`breakeven_timeline` -- source 003's $15 vs $2 per 1k requests and $400 one-time, turned
  from requests into days and months at its 200k requests/month;
* :func:`inference_savings_table` -- source 002's inference-savings table, with the shortcut it
  used (``naive``) and the saving at each model's own prices (``true``);
* :func:`breakeven_range_table` -- source 002's "at 100 requests/day, breakeven extends to 6-18
  months", tested against its own figures;
* :func:`volume_table` and :func:`tokens_rule_table` -- source 002's requests/day bands and
  source 001's 10-100M tokens/month rule, tested against the calculator;
* :func:`gpu_utilization` and :func:`gpu_breakeven_requests_per_month` -- how busy a rented GPU
  is at a given volume (source 003's $2/1k self-hosted assumes a utilization it never states);
* :func:`compare_scenarios` and :func:`misuse_table` -- source 001's "Where teams misuse
  fine-tuning economics" as a walk from the per-token comparison to a total cost of ownership.

The maths imports numpy only; pandas is imported inside the functions that build tables.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from .breakeven import breakeven_requests
from .hosting import HOURS_PER_MONTH, hosting_cost_per_month
from .tco import Scenario, tco
from .tokens import monthly_inference_savings, monthly_tokens, request_cost
from .validation import (
    Number,
    as_number,
    as_output,
    require_choice,
    require_nonnegative,
    require_positive,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "GPT_4O",
    "GPT_4O_MINI",
    "InferenceExample",
    "MISUSE_ASSUMPTIONS",
    "SOURCE_002_INFERENCE",
    "SOURCE_002_MINI_TRAINING_USD",
    "SOURCE_002_REQUESTS_PER_DAY",
    "SOURCE_003_REQUESTS_PER_MONTH",
    "BreakevenTime",
    "TokenPrices",
    "breakeven_range_table",
    "breakeven_timeline",
    "compare_scenarios",
    "gpu_breakeven_requests_per_month",
    "gpu_utilization",
    "inference_savings_table",
    "misuse_scenarios",
    "misuse_table",
    "monthly_prompting_cost",
    "months_to_break_even",
    "token_price_models",
    "token_prices",
    "tokens_rule_table",
    "volume_table",
]

#: The two OpenAI models in ``data/prices.csv`` that have per-token prices.
GPT_4O_MINI = "gpt-4o-mini-2024-07-18"
GPT_4O = "gpt-4o-2024-08-06"

#: Source 003's volume: "200k requests/month currently on a hosted model".
SOURCE_003_REQUESTS_PER_MONTH = 200_000

#: Source 002's inference table is computed "at 10K req/day".
SOURCE_002_REQUESTS_PER_DAY = 10_000

#: Source 002's typical gpt-4o-mini training run: "$15-75 (500-2K examples)".
SOURCE_002_MINI_TRAINING_USD = (15.0, 75.0)

DAYS_PER_MONTH = 30


class InferenceExample(NamedTuple):
    """One row of source 002's inference-cost table, as printed."""

    task: str
    prompted_input_tokens: int
    finetuned_input_tokens: int
    output_tokens: int
    #: "Monthly cost savings (10K req/day)" as printed, USD per month (gpt-4o-mini).
    source_usd_per_month: float
    #: "Breakeven (training cost / monthly savings)" as printed.
    source_breakeven: str


#: Source 002, "Inference Cost Comparison" (all four rows: gpt-4o-mini, 10K requests/day).
SOURCE_002_INFERENCE: tuple[InferenceExample, ...] = (
    InferenceExample("Simple classification", 800, 200, 50, 54.0, "1-2 months"),
    InferenceExample("Entity extraction", 1200, 400, 200, 72.0, "1 month"),
    InferenceExample("Content generation", 2000, 500, 1000, 135.0, "1 month"),
    InferenceExample("Complex analysis", 3000, 1000, 2000, 180.0, "1 month"),
)


# -- prices --------------------------------------------------------------------------------------
class TokenPrices(NamedTuple):
    """Per-token prices of one model, USD per 1M tokens, and the date they were read."""

    model: str
    base_usd_per_1m_input: float
    base_usd_per_1m_output: float
    ft_usd_per_1m_input: float
    ft_usd_per_1m_output: float
    as_of: str


@lru_cache(maxsize=1)
def _token_price_table() -> dict[str, TokenPrices]:
    from .prices import load_prices

    table = load_prices()
    cols = ["base_usd_per_1m_input_tokens", "base_usd_per_1m_output_tokens",
            "ft_usd_per_1m_input_tokens", "ft_usd_per_1m_output_tokens"]
    rows = table.dropna(subset=cols)
    return {
        r["model"]: TokenPrices(r["model"], *(float(r[c]) for c in cols), str(r["as_of"]))
        for _, r in rows.iterrows()
    }


def token_price_models() -> list[str]:
    """Models in ``data/prices.csv`` with base and fine-tuned per-token prices.

    Examples
    --------
    >>> token_price_models()
    ['gpt-4o-mini-2024-07-18', 'gpt-4o-2024-08-06']
    """
    return list(_token_price_table())


def token_prices(model: str) -> TokenPrices:
    """Base and fine-tuned per-token prices of ``model`` (a row of ``data/prices.csv``).

    Parameters
    ----------
    model : str, one of :func:`token_price_models`

    Returns
    -------
    TokenPrices
        USD per 1M input/output tokens for the base and the fine-tuned model, and ``as_of``.

    Raises
    ------
    ValueError
        If the model has no per-token prices in the table.

    Examples
    --------
    The fine-tuned gpt-4o-mini costs twice the base model per token:

    >>> p = token_prices("gpt-4o-mini-2024-07-18")
    >>> p.base_usd_per_1m_input, p.ft_usd_per_1m_input, p.as_of
    (0.15, 0.3, '2024-07-23')
    >>> token_prices("Llama 3.1 8B (full)")
    Traceback (most recent call last):
    ...
    ValueError: model must be one of 'gpt-4o-mini-2024-07-18', 'gpt-4o-2024-08-06', got 'Llama 3.1 8B (full)'
    """
    table = _token_price_table()
    require_choice("model", model, list(table))
    return table[model]


# -- time to break even --------------------------------------------------------------------------
def months_to_break_even(one_time_usd: Number, monthly_savings_usd: Number) -> Number:
    """Months until a monthly saving repays a one-time cost (source 002's breakeven formula).

    ``one_time_usd / monthly_savings_usd``: "Training cost / monthly savings = months to
    breakeven". Where nothing is saved (``monthly_savings_usd <= 0``) the answer is ``inf``:
    fine-tuning never gets ahead.

    Parameters
    ----------
    one_time_usd : float or array, USD paid once at the start (>= 0)
    monthly_savings_usd : float or array, USD saved per month (any sign)

    Returns
    -------
    float or ndarray
        Months to break even; ``inf`` where the monthly saving is zero or negative.

    Raises
    ------
    ValueError, TypeError
        For a negative one-time cost or a non-numeric argument, naming it.

    Examples
    --------
    Source 002, simple classification: $75 of training against the printed $54/month, and
    against the $9/month the same task really saves:

    >>> round(months_to_break_even(75, 54), 2), round(months_to_break_even(75, 9), 2)
    (1.39, 8.33)
    >>> months_to_break_even(75, -18)
    inf
    """
    one_time = require_nonnegative("one_time_usd", one_time_usd)
    savings = as_number("monthly_savings_usd", monthly_savings_usd)
    shape = np.broadcast(one_time, savings).shape
    out = np.full(shape, np.inf)
    np.divide(np.broadcast_to(one_time, shape), np.broadcast_to(savings, shape), out=out,
              where=np.broadcast_to(np.asarray(savings) > 0, shape))
    return as_output(out)


@dataclass(frozen=True)
class BreakevenTime:
    """Break-even of source 003's calculator in requests, and in time at a given volume."""

    requests: float
    requests_per_month: float
    months: float
    days: float

    def summary(self) -> str:
        """One sentence with the three units.

        >>> breakeven_timeline(15, 2, 400, 200_000).summary()
        'Break even after ~30,769 requests: 4.6 days (0.15 months) at 200,000 requests a month'
        """
        if math.isinf(self.requests):
            return "Never: self-hosting is not cheaper per request"
        return (f"Break even after ~{self.requests:,.0f} requests: {self.days:,.1f} days "
                f"({self.months:,.2f} months) at {self.requests_per_month:,.0f} requests a month")


def breakeven_timeline(
    hosted_cost_per_1k_req: float,
    self_hosted_cost_per_1k_req: float,
    one_time_finetune_cost: float,
    requests_per_month: float = SOURCE_003_REQUESTS_PER_MONTH,
    days_per_month: float = DAYS_PER_MONTH,
) -> BreakevenTime:
    """Source 003's break-even in requests, converted to months and days at a volume.

    Parameters
    ----------
    hosted_cost_per_1k_req : USD per 1,000 requests on the hosted API (>= 0)
    self_hosted_cost_per_1k_req : USD per 1,000 requests for the fine-tuned model (>= 0)
    one_time_finetune_cost : USD paid once (>= 0)
    requests_per_month : requests served per month (> 0); source 003 says 200k
    days_per_month : days in a month (> 0), 30 as in source 002

    Returns
    -------
    BreakevenTime
        ``requests``, ``months`` and ``days`` to break even (all ``inf`` when self-hosting is
        not cheaper per request).

    Raises
    ------
    ValueError, TypeError
        For a negative cost or a volume that is not positive, naming it.

    Examples
    --------
    Source 003: $15 vs $2 per 1k requests, $400 one-time, 200k requests/month:

    >>> t = breakeven_timeline(15, 2, 400, 200_000)
    >>> round(t.requests), round(t.days, 1), round(t.months, 3)
    (30769, 4.6, 0.154)
    >>> breakeven_timeline(15, 2, 400, 0)
    Traceback (most recent call last):
    ...
    ValueError: requests_per_month must be > 0, got 0
    """
    volume = require_positive("requests_per_month", requests_per_month)
    days = require_positive("days_per_month", days_per_month)
    requests = breakeven_requests(hosted_cost_per_1k_req, self_hosted_cost_per_1k_req,
                                  one_time_finetune_cost)
    if not isinstance(requests, float):
        raise TypeError("breakeven_timeline takes single numbers, not arrays")
    months = requests / volume
    return BreakevenTime(requests, volume, months, months * days)


# -- source 002's inference table ----------------------------------------------------------------
def _savings(requests_per_day: Number, ex: InferenceExample, base: TokenPrices,
             tuned: TokenPrices, naive: bool) -> Number:
    return monthly_inference_savings(
        requests_per_day, ex.prompted_input_tokens, ex.finetuned_input_tokens, ex.output_tokens,
        base.base_usd_per_1m_input, base.base_usd_per_1m_output,
        tuned.ft_usd_per_1m_input, tuned.ft_usd_per_1m_output,
        days_per_month=DAYS_PER_MONTH, naive=naive)


def monthly_prompting_cost(requests_per_day: Number, input_tokens: Number, output_tokens: Number,
                           base_model: str = GPT_4O_MINI,
                           days_per_month: Number = DAYS_PER_MONTH) -> Number:
    """USD per month for prompting ``base_model`` at a daily volume.

    Parameters
    ----------
    requests_per_day : requests per day (>= 0)
    input_tokens, output_tokens : tokens per request (>= 0)
    base_model : a row of :func:`token_price_models`, billed at its base prices
    days_per_month : days in a month (> 0)

    Returns
    -------
    float or ndarray
        USD per month.

    Examples
    --------
    Source 002's classification prompt (800 in, 50 out) at 10K requests/day on gpt-4o-mini:

    >>> round(monthly_prompting_cost(10_000, 800, 50), 2)
    45.0
    """
    p = token_prices(base_model)
    per_request = request_cost(input_tokens, output_tokens, p.base_usd_per_1m_input,
                               p.base_usd_per_1m_output)
    requests = np.multiply(require_nonnegative("requests_per_day", requests_per_day),
                           require_positive("days_per_month", days_per_month))
    return as_output(np.multiply(requests, per_request))


def _task(task: str) -> InferenceExample:
    names = [ex.task for ex in SOURCE_002_INFERENCE]
    require_choice("task", task, names)
    return SOURCE_002_INFERENCE[names.index(task)]


def inference_savings_table(
    requests_per_day: float = SOURCE_002_REQUESTS_PER_DAY,
    base_model: str = GPT_4O_MINI,
    finetuned_model: str = GPT_4O_MINI,
    training_usd: float = SOURCE_002_MINI_TRAINING_USD[1],
) -> pd.DataFrame:
    """Source 002's inference-savings table, recomputed two ways.

    ``naive_savings_usd_per_month`` is the shortcut behind the printed figures (saved input
    tokens times the fine-tuned input price); ``true_savings_usd_per_month`` prices the prompted
    request at ``base_model``'s prices and the fine-tuned request at ``finetuned_model``'s
    fine-tuned prices. Break-even months are ``training_usd`` divided by each saving.

    Parameters
    ----------
    requests_per_day : requests per day (>= 0); source 002 uses 10,000
    base_model : model prompted with few-shot examples (a row of :func:`token_price_models`)
    finetuned_model : model fine-tuned and served without examples
    training_usd : one-time training cost, USD (>= 0); source 002's gpt-4o-mini run is $15-75

    Returns
    -------
    pandas.DataFrame
        One row per task: token counts, ``prompting_usd_per_month`` (the whole prompted bill),
        ``source_002_usd_per_month`` (as printed, for gpt-4o-mini), the naive and true savings
        (USD per month) and months to break even.

    Examples
    --------
    The printed $54 saving for classification is more than the whole $45 prompted bill:

    >>> t = inference_savings_table()
    >>> t["prompting_usd_per_month"].round(2).tolist()
    [45.0, 90.0, 270.0, 495.0]
    >>> t["naive_savings_usd_per_month"].round(2).tolist()
    [54.0, 72.0, 135.0, 180.0]
    >>> t["true_savings_usd_per_month"].round(2).tolist()
    [9.0, -18.0, -135.0, -315.0]
    """
    import pandas as pd

    base = token_prices(base_model)
    tuned = token_prices(finetuned_model)
    rows = []
    for ex in SOURCE_002_INFERENCE:
        naive = float(_savings(requests_per_day, ex, base, tuned, naive=True))
        true = float(_savings(requests_per_day, ex, base, tuned, naive=False))
        bill = float(monthly_prompting_cost(requests_per_day, ex.prompted_input_tokens,
                                            ex.output_tokens, base_model))
        rows.append({
            "task": ex.task,
            "prompted_input_tokens": ex.prompted_input_tokens,
            "finetuned_input_tokens": ex.finetuned_input_tokens,
            "output_tokens": ex.output_tokens,
            "prompting_usd_per_month": bill,
            "source_002_usd_per_month": ex.source_usd_per_month,
            "naive_savings_usd_per_month": naive,
            "true_savings_usd_per_month": true,
            "naive_breakeven_months": months_to_break_even(training_usd, naive),
            "true_breakeven_months": months_to_break_even(training_usd, true),
        })
    return pd.DataFrame(rows)


def breakeven_range_table(
    requests_per_day: float = 100,
    task: str = "Simple classification",
    training_usd_low: float = SOURCE_002_MINI_TRAINING_USD[0],
    training_usd_high: float = SOURCE_002_MINI_TRAINING_USD[1],
    base_model: str = GPT_4O_MINI,
    finetuned_model: str = GPT_4O_MINI,
) -> pd.DataFrame:
    """Months to break even at one volume, for a range of training costs, two ways.

    Tests source 002's "At 100 requests/day, breakeven extends to 6-18 months" against its own
    figures: the saving from its shortcut (``naive``) and at each model's own prices (``true``).

    Parameters
    ----------
    requests_per_day : requests per day (> 0)
    task : one of the four tasks of :data:`SOURCE_002_INFERENCE`
    training_usd_low, training_usd_high : one-time training cost range, USD (>= 0)
    base_model, finetuned_model : rows of :func:`token_price_models`

    Returns
    -------
    pandas.DataFrame
        Rows ``naive`` and ``true``: ``savings_usd_per_month``, ``breakeven_months_low`` and
        ``breakeven_months_high``.

    Examples
    --------
    At 100 requests/day even the shortcut's saving needs 28-139 months, not 6-18:

    >>> t = breakeven_range_table(100).set_index("method")
    >>> t.loc["naive", ["breakeven_months_low", "breakeven_months_high"]].round().tolist()
    [28.0, 139.0]
    >>> t.loc["true", ["breakeven_months_low", "breakeven_months_high"]].round().tolist()
    [167.0, 833.0]
    """
    import pandas as pd

    volume = require_positive("requests_per_day", requests_per_day)
    ex = _task(task)
    base = token_prices(base_model)
    tuned = token_prices(finetuned_model)
    rows = []
    for method in ("naive", "true"):
        saving = float(_savings(volume, ex, base, tuned, naive=method == "naive"))
        rows.append({
            "method": method,
            "requests_per_day": volume,
            "savings_usd_per_month": saving,
            "breakeven_months_low": months_to_break_even(training_usd_low, saving),
            "breakeven_months_high": months_to_break_even(training_usd_high, saving),
        })
    return pd.DataFrame(rows)


def volume_table(
    requests_per_day: Iterable[float] = (30, 100, 300, 1_000, 3_000, 10_000, 30_000, 100_000,
                                         300_000),
    task: str = "Simple classification",
    base_model: str = GPT_4O_MINI,
    finetuned_model: str = GPT_4O_MINI,
    training_usd: float = SOURCE_002_MINI_TRAINING_USD[1],
) -> pd.DataFrame:
    """Monthly savings and months to break even across daily volumes, for one task.

    The calculator's answer for each volume, to set beside source 002's requests/day bands.

    Parameters
    ----------
    requests_per_day : daily volumes to tabulate (each > 0)
    task : one of the four tasks of :data:`SOURCE_002_INFERENCE`
    base_model, finetuned_model : rows of :func:`token_price_models`
    training_usd : one-time training cost, USD (>= 0)

    Returns
    -------
    pandas.DataFrame
        ``requests_per_day``, ``tokens_per_month`` (prompted input + output),
        ``naive_savings_usd_per_month``, ``true_savings_usd_per_month``,
        ``naive_breakeven_months``, ``true_breakeven_months``.

    Examples
    --------
    Moving from prompted gpt-4o to a fine-tuned gpt-4o-mini pays back $75 of training within
    a month from about 1,000 requests a day:

    >>> t = volume_table([100, 1_000], base_model="gpt-4o-2024-08-06")
    >>> t["true_breakeven_months"].round(2).tolist()
    [10.5, 1.05]
    """
    import pandas as pd

    volumes = require_positive("requests_per_day", np.atleast_1d(
        np.asarray(list(requests_per_day), dtype=float)))
    ex = _task(task)
    base = token_prices(base_model)
    tuned = token_prices(finetuned_model)
    naive = _savings(volumes, ex, base, tuned, naive=True)
    true = _savings(volumes, ex, base, tuned, naive=False)
    return pd.DataFrame({
        "requests_per_day": volumes,
        "tokens_per_month": monthly_tokens(volumes, ex.prompted_input_tokens + ex.output_tokens,
                                           DAYS_PER_MONTH),
        "naive_savings_usd_per_month": naive,
        "true_savings_usd_per_month": true,
        "naive_breakeven_months": months_to_break_even(training_usd, naive),
        "true_breakeven_months": months_to_break_even(training_usd, true),
    })


def tokens_rule_table(
    tokens_per_month: Iterable[float] = (1e6, 3e6, 1e7, 3e7, 1e8, 3e8, 1e9),
    task: str = "Simple classification",
    pairs: Iterable[tuple[str, str]] = ((GPT_4O_MINI, GPT_4O_MINI), (GPT_4O, GPT_4O_MINI)),
    training_usd: float = SOURCE_002_MINI_TRAINING_USD[1],
) -> pd.DataFrame:
    """Months to break even at given tokens per month, for several (prompted, fine-tuned) pairs.

    Tests source 001's rule ("Below 10M tokens/month: prompting is cheaper. 10-100M
    tokens/month: fine-tuning may break even. Above 100M tokens/month: fine-tuning usually
    wins.") against the calculator. Tokens are counted as the prompted workload processes them
    (input with the few-shot examples, plus output), which fixes the requests per day.

    Parameters
    ----------
    tokens_per_month : monthly token volumes (each > 0)
    task : one of the four tasks of :data:`SOURCE_002_INFERENCE`
    pairs : (prompted base model, fine-tuned model) pairs; one column of months per pair
    training_usd : one-time training cost, USD (>= 0)

    Returns
    -------
    pandas.DataFrame
        ``tokens_per_month``, ``requests_per_day`` and one ``breakeven_months: A -> ft B``
        column per pair (``inf`` = never).

    Examples
    --------
    >>> t = tokens_rule_table([1e7, 1e8])
    >>> t.columns.tolist()[2:]
    ['breakeven_months: gpt-4o-mini -> ft gpt-4o-mini', 'breakeven_months: gpt-4o -> ft gpt-4o-mini']
    >>> t.iloc[:, 2].round(2).tolist()
    [212.5, 21.25]
    >>> t.iloc[:, 3].round(2).tolist()
    [2.68, 0.27]
    """
    import pandas as pd

    tokens = require_positive("tokens_per_month", np.atleast_1d(
        np.asarray(list(tokens_per_month), dtype=float)))
    ex = _task(task)
    per_request = ex.prompted_input_tokens + ex.output_tokens
    requests_per_day = tokens / (per_request * DAYS_PER_MONTH)
    table = {"tokens_per_month": tokens, "requests_per_day": requests_per_day}
    for base_model, ft_model in pairs:
        saving = _savings(requests_per_day, ex, token_prices(base_model), token_prices(ft_model),
                          naive=False)
        label = f"breakeven_months: {_short(base_model)} -> ft {_short(ft_model)}"
        table[label] = months_to_break_even(training_usd, saving)
    return pd.DataFrame(table)


def _short(model: str) -> str:
    """'gpt-4o-mini-2024-07-18' -> 'gpt-4o-mini' (drop a trailing date)."""
    parts = model.split("-")
    if len(parts) > 3 and all(p.isdigit() for p in parts[-3:]):
        return "-".join(parts[:-3])
    return model


# -- self-hosting: how busy is the GPU? ----------------------------------------------------------
def gpu_utilization(
    requests_per_month: Number,
    requests_per_second_capacity: Number,
    gpus: Number = 1,
    hours_per_month: Number = HOURS_PER_MONTH,
) -> Number:
    """Fraction of a deployment's capacity that a monthly volume uses.

    ``requests_per_month / (capacity * 3600 * hours_per_month * gpus)``. A GPU billed by the
    hour costs the same busy or idle, so a low utilization means an expensive request.

    Parameters
    ----------
    requests_per_month : requests served per month (> 0)
    requests_per_second_capacity : requests per second one GPU serves flat out (> 0)
    gpus : GPUs in the deployment (> 0)
    hours_per_month : hours billed per month (> 0), 730 around the clock

    Returns
    -------
    float or ndarray
        Utilization in (0, 1].

    Raises
    ------
    ValueError
        If the volume needs more than the deployment's capacity (utilization above 100 %), or
        an argument is not positive.

    Examples
    --------
    Source 003's 200k requests/month on a GPU that serves 10 requests/s is under 1 % busy:

    >>> round(gpu_utilization(200_000, 10) * 100, 2)
    0.76
    >>> gpu_utilization(30_000_000, 10)
    Traceback (most recent call last):
    ...
    ValueError: requests_per_month must be at most the deployment's capacity (26,280,000 requests a month at 10 requests/s on 1 GPU), got 30,000,000: that would be 114% utilization
    """
    volume = require_positive("requests_per_month", requests_per_month)
    capacity = require_positive("requests_per_second_capacity", requests_per_second_capacity)
    count = require_positive("gpus", gpus)
    hours = require_positive("hours_per_month", hours_per_month)
    monthly_capacity = np.multiply(np.multiply(capacity, 3600.0 * hours), count)
    util = np.divide(volume, monthly_capacity)
    if np.any(np.asarray(util) > 1 + 1e-12):
        vol, cap, rate, n, u = (np.ravel(a) for a in np.broadcast_arrays(
            volume, monthly_capacity, capacity, count, util))
        i = int(np.argmax(u > 1 + 1e-12))
        raise ValueError(
            "requests_per_month must be at most the deployment's capacity "
            f"({cap[i]:,.0f} requests a month at {rate[i]:,.4g} requests/s on {n[i]:,.4g} "
            f"GPU{'' if n[i] == 1 else 's'}), got {vol[i]:,.0f}: that would be "
            f"{u[i]:.0%} utilization")
    return as_output(util)


def gpu_breakeven_requests_per_month(
    usd_per_gpu_hour: Number,
    hosted_cost_per_1k_req: Number,
    gpus: Number = 1,
    hours_per_month: Number = HOURS_PER_MONTH,
) -> Number:
    """Monthly volume at which an always-on GPU costs as much per request as the hosted API.

    Below it, the hosted API is cheaper per request; above it, the GPU is (as long as it has the
    capacity). ``monthly GPU bill / hosted_cost_per_1k_req * 1000``.

    Parameters
    ----------
    usd_per_gpu_hour : USD per GPU-hour (>= 0)
    hosted_cost_per_1k_req : USD per 1,000 requests on the hosted API (> 0)
    gpus : GPUs billed (> 0)
    hours_per_month : hours billed per month (>= 0)

    Returns
    -------
    float or ndarray
        Requests per month.

    Examples
    --------
    An AWS g5.xlarge (one A10G, $1.006/hour) against source 003's $15 per 1k hosted:

    >>> round(gpu_breakeven_requests_per_month(1.006, 15))
    48959
    >>> round(gpu_breakeven_requests_per_month(1.006, 2))
    367190
    """
    bill = np.multiply(hosting_cost_per_month(usd_per_gpu_hour, hours_per_month),
                       require_positive("gpus", gpus))
    hosted = require_positive("hosted_cost_per_1k_req", hosted_cost_per_1k_req)
    return as_output(np.divide(bill, hosted) * 1000.0)


# -- total cost of ownership: comparing scenarios ------------------------------------------------
def compare_scenarios(scenarios: Mapping[str, Scenario]) -> pd.DataFrame:
    """One row per named scenario: what it costs and when (if ever) fine-tuning pays back.

    Parameters
    ----------
    scenarios : mapping of a label to a :class:`~ftroi_helpers.tco.Scenario`

    Returns
    -------
    pandas.DataFrame
        ``scenario``, ``one_time_usd``, ``prompting_usd_per_month`` and
        ``finetune_running_usd_per_month`` (month 1, before any price decline),
        ``retrain_every_months``, ``payback_months`` (``inf`` = not within the horizon) and
        ``savings_at_horizon_usd`` (cumulative, prompting minus fine-tuning).

    Examples
    --------
    >>> t = compare_scenarios({"source 003": Scenario(),
    ...                        "$3 per 1k hosted": Scenario(hosted_cost_per_1k_req=3)})
    >>> t["payback_months"].round(2).tolist()
    [0.15, 2.0]
    """
    import pandas as pd

    rows = []
    for label, s in scenarios.items():
        if not isinstance(s, Scenario):
            raise TypeError(f"scenarios[{label!r}] must be a Scenario, got {type(s).__name__}")
        result = tco(s)
        first = result.table.iloc[0]
        rows.append({
            "scenario": label,
            "one_time_usd": s.one_time_usd,
            "prompting_usd_per_month": float(first["prompting_usd"]),
            "finetune_running_usd_per_month": float(first["finetune_usd"]) - s.one_time_usd,
            "retrain_every_months": s.retrain_every_months,
            "payback_months": (math.inf if result.payback_months is None
                               else result.payback_months),
            "savings_at_horizon_usd": float(result.table["cumulative_savings_usd"].iloc[-1]),
        })
    return pd.DataFrame(rows)


#: Illustrative assumptions for :func:`misuse_table` (ours, not a source's), USD.
MISUSE_ASSUMPTIONS = {
    "requests_per_day": 1_000,
    "rag_context_tokens": 1_000,
    "regression_testing_usd_per_month": 50.0,
    "horizon_months": 24,
}


def misuse_scenarios(requests_per_day: float = MISUSE_ASSUMPTIONS["requests_per_day"],
                     training_usd: float = SOURCE_002_MINI_TRAINING_USD[1]
                     ) -> dict[str, tuple[str, Scenario]]:
    """Source 001's five misuses as a walk from a per-token comparison to a full TCO.

    The walk starts from source 002's classification task (800 -> 200 input tokens, 50 output),
    prompting gpt-4o and fine-tuning gpt-4o-mini, counting only the training run. Each step adds
    what one misuse leaves out, keeping the steps before it. The data-preparation and evaluation
    harness costs are source 003's split of its $400 project; the request volume, RAG context
    and regression-testing cost are illustrative (:data:`MISUSE_ASSUMPTIONS`).

    Returns
    -------
    dict
        Step label -> (what the step adds, :class:`Scenario`), in walk order.

    Examples
    --------
    >>> list(misuse_scenarios())[0]
    'per-token price only'
    """
    a = MISUSE_ASSUMPTIONS
    mini, big = token_prices(GPT_4O_MINI), token_prices(GPT_4O)
    ex = _task("Simple classification")
    rag = a["rag_context_tokens"]

    def scenario(base: TokenPrices, context: int, **assumptions) -> Scenario:
        return Scenario.from_tokens(
            requests_per_day, ex.prompted_input_tokens + context,
            ex.finetuned_input_tokens + context, ex.output_tokens,
            base.base_usd_per_1m_input, base.base_usd_per_1m_output,
            mini.ft_usd_per_1m_input, mini.ft_usd_per_1m_output,
            days_per_month=DAYS_PER_MONTH, horizon_months=a["horizon_months"],
            training_usd=training_usd, **assumptions)

    one_time = {"data_prep_usd": Scenario.data_prep_usd,
                "eval_harness_usd": Scenario.eval_harness_usd}
    evals = {**one_time, "monitoring_usd_per_month": a["regression_testing_usd_per_month"]}
    return {
        "per-token price only": (
            "training only: the inference price gap is all that is compared",
            scenario(big, 0, data_prep_usd=0, eval_harness_usd=0)),
        "1. + data and eval harness (TCO)": (
            "misuse 1: compare total cost of ownership, not inference price",
            scenario(big, 0, **one_time)),
        "3. + regression testing": (
            "misuse 3: the eval burden goes on every month in production",
            scenario(big, 0, **evals)),
        "4. + RAG context on both sides": (
            "misuse 4: price the combined system; retrieved context rides on every request",
            scenario(big, rag, **evals)),
        "5. + monthly retraining": (
            "misuse 5: data that shifts monthly needs monthly retraining, not a stale snapshot",
            scenario(big, rag, retrain_every_months=1, **evals)),
        "2. prompted gpt-4o-mini would do": (
            "misuse 2: if a cheaper prompted model meets the bar, compare against it",
            scenario(mini, rag, retrain_every_months=1, **evals)),
    }


def misuse_table(requests_per_day: float = MISUSE_ASSUMPTIONS["requests_per_day"],
                 training_usd: float = SOURCE_002_MINI_TRAINING_USD[1]) -> pd.DataFrame:
    """:func:`compare_scenarios` over :func:`misuse_scenarios`, with what each step adds.

    Parameters
    ----------
    requests_per_day : requests per day (> 0)
    training_usd : USD per training run (>= 0)

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`compare_scenarios` plus ``adds``.

    Examples
    --------
    The per-token comparison pays back in about a month; the full picture never does:

    >>> t = misuse_table()
    >>> t["payback_months"].round(2).tolist()
    [1.05, 5.95, 19.86, 4.86, inf, inf]
    """
    steps = misuse_scenarios(requests_per_day, training_usd)
    table = compare_scenarios({label: s for label, (_, s) in steps.items()})
    table.insert(1, "adds", [adds for adds, _ in steps.values()])
    return table

