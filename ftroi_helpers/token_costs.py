"""Per-request and monthly cost from token counts and per-token prices.

Prices are quoted in USD per 1 million tokens, the way providers publish them.
"""

from __future__ import annotations

import numpy as np

from .formatting import DAYS_PER_MONTH
from .prices import GPT_4O_MINI, token_prices
from .validation import (
    Number,
    TooLargeError,
    as_output,
    common_shape,
    finite_result,
    require_bool,
    require_choice,
    require_fraction,
    require_int,
    require_nonnegative,
    require_positive,
)

__all__ = [
    "DAYS_PER_MONTH",
    "cacheable_tokens",
    "monthly_inference_savings",
    "monthly_prompting_cost",
    "monthly_tokens",
    "request_cost",
]

TOKENS_PER_MILLION = 1_000_000

#: The largest cache rule accepted, tokens: far beyond any prompt a model takes.
MAX_CACHE_RULE_TOKENS = 1_000_000_000



def request_cost(
    input_tokens: Number,
    output_tokens: Number,
    usd_per_1m_input_tokens: Number,
    usd_per_1m_output_tokens: Number,
    cached_input_tokens: Number = 0,
    usd_per_1m_cached_input_tokens: Number | None = None,
    batch_discount: Number = 0.0,
    cache_min_tokens: int | None = None,
    cache_increment_tokens: int | None = None,
) -> Number:
    """USD for one request with the given token counts and prices.

    ``cached_input_tokens`` of the ``input_tokens`` are billed at the provider's cached-input
    price (a prompt prefix the provider has seen recently, such as a repeated system prompt
    with few-shot examples); the rest at the input price. A batch API takes
    ``batch_discount`` off the whole request.

    Providers cache only long prefixes: the cached price applies when the cached prefix reaches
    ``cache_min_tokens``, and then in whole ``cache_increment_tokens`` steps above it. OpenAI
    (``token_prices(row).cache_min_tokens``): 1,024 tokens, then 128-token steps, so a 1,100-token
    prefix bills 1,024 cached tokens and an 800-token prefix bills none. Tokens the rule leaves
    out of the cache are billed at the input price.

    Parameters
    ----------
    input_tokens : float or array, tokens sent per request, cached ones included (>= 0)
    output_tokens : float or array, tokens generated per request (>= 0)
    usd_per_1m_input_tokens : float or array, USD per 1M input tokens (>= 0)
    usd_per_1m_output_tokens : float or array, USD per 1M output tokens (>= 0)
    cached_input_tokens : float or array, the part of ``input_tokens`` served from the prompt
        cache (>= 0, at most ``input_tokens``; default 0)
    usd_per_1m_cached_input_tokens : float or array, USD per 1M cached input tokens (>= 0);
        required when ``cached_input_tokens > 0``
    batch_discount : float or array, share taken off the whole request, 0 to 1 (default 0;
        OpenAI's Batch API takes 0.5)
    cache_min_tokens : int, the shortest prefix the provider caches, tokens (a whole number
        >= 0; default None: no minimum)
    cache_increment_tokens : int, the steps in which a longer prefix is cached above the
        minimum, tokens (a whole number >= 1; default None: every token)

    Returns
    -------
    float or ndarray
        USD per request.

    Raises
    ------
    ValueError, TypeError
        For a negative, non-finite or non-numeric argument, more cached tokens than input
        tokens, cached tokens without a cached price, a discount outside [0, 1], or a cache
        rule that is not a whole number of tokens, naming it.

    Examples
    --------
    gpt-4o-mini at $0.15 / $0.60 per 1M tokens, 800 tokens in and 50 out (the crossover guide's
    classification prompt with five examples):

    >>> round(request_cost(800, 50, 0.15, 0.60), 8)
    0.00015

    Its 600 example tokens are below OpenAI's 1,024-token minimum: caching them saves nothing.

    >>> round(request_cost(800, 50, 0.15, 0.60, cached_input_tokens=600,
    ...                    usd_per_1m_cached_input_tokens=0.075, cache_min_tokens=1024,
    ...                    cache_increment_tokens=128), 8)
    0.00015

    A 1,600-token prompt whose 1,100-token prefix repeats caches 1,024 of them, and the Batch
    API takes half off:

    >>> round(request_cost(1_600, 50, 0.15, 0.60, cached_input_tokens=1_100,
    ...                    usd_per_1m_cached_input_tokens=0.075, cache_min_tokens=1024,
    ...                    cache_increment_tokens=128) * 1e6, 2)
    193.2
    >>> round(request_cost(800, 50, 0.15, 0.60, batch_discount=0.5), 8)
    7.5e-05
    >>> request_cost(800, 50, 0.15, 0.60, cached_input_tokens=600)
    Traceback (most recent call last):
    ...
    ValueError: usd_per_1m_cached_input_tokens is required when cached_input_tokens > 0, got None
    """
    tin = require_nonnegative("input_tokens", input_tokens)
    tout = require_nonnegative("output_tokens", output_tokens)
    pin = require_nonnegative("usd_per_1m_input_tokens", usd_per_1m_input_tokens)
    pout = require_nonnegative("usd_per_1m_output_tokens", usd_per_1m_output_tokens)
    cached = require_nonnegative("cached_input_tokens", cached_input_tokens)
    discount = require_fraction("batch_discount", batch_discount)
    if np.any(np.asarray(cached) > np.asarray(tin)):
        c, t = (np.ravel(a) for a in np.broadcast_arrays(cached, tin))
        i = int(np.argmax(c > t))
        raise ValueError(f"cached_input_tokens must be <= input_tokens ({t[i]:g}), got {c[i]:g}")
    inputs = {"input_tokens": tin, "output_tokens": tout, "usd_per_1m_input_tokens": pin,
              "usd_per_1m_output_tokens": pout, "cached_input_tokens": cached,
              "batch_discount": discount}
    if usd_per_1m_cached_input_tokens is None:
        if np.any(np.asarray(cached) > 0):
            raise ValueError("usd_per_1m_cached_input_tokens is required when "
                             "cached_input_tokens > 0, got None")
        pcached: Number = 0.0
    else:
        pcached = require_nonnegative("usd_per_1m_cached_input_tokens",
                                      usd_per_1m_cached_input_tokens)
        inputs["usd_per_1m_cached_input_tokens"] = pcached
    common_shape(**inputs)
    cached = cacheable_tokens(cached, cache_min_tokens, cache_increment_tokens)
    with np.errstate(over="ignore", invalid="ignore"):
        fresh = np.subtract(tin, cached)
        usd = (np.multiply(fresh, pin) + np.multiply(cached, pcached)
               + np.multiply(tout, pout)) / TOKENS_PER_MILLION
        if not np.all(np.isfinite(usd)):  # a product beyond the largest float: safer order
            usd = (np.multiply(np.divide(fresh, TOKENS_PER_MILLION), pin)
                   + np.multiply(np.divide(cached, TOKENS_PER_MILLION), pcached)
                   + np.multiply(np.divide(tout, TOKENS_PER_MILLION), pout))
        usd = np.multiply(usd, np.subtract(1.0, discount))
    return finite_result(usd, "USD per request", inputs)


def cacheable_tokens(cached_input_tokens: Number, cache_min_tokens: int | None = None,
                     cache_increment_tokens: int | None = None) -> Number:
    """The part of a repeated prefix that a provider's prompt cache bills at the cached price.

    Nothing below ``cache_min_tokens``; above it, the minimum plus whole
    ``cache_increment_tokens`` steps.

    Parameters
    ----------
    cached_input_tokens : float or array, the repeated prefix, tokens (>= 0)
    cache_min_tokens : int, the shortest prefix cached (a whole number >= 0; None: no minimum)
    cache_increment_tokens : int, the step above the minimum (a whole number >= 1; None: every
        token)

    Returns
    -------
    float or ndarray
        Tokens billed at the cached-input price.

    Raises
    ------
    ValueError, TypeError
        For a rule that is not a whole number of tokens, naming it.

    Examples
    --------
    OpenAI's rule (prompt caching page, 2024-10-01): 1,024 tokens, then 128-token steps.

    >>> [float(cacheable_tokens(n, 1024, 128)) for n in (800, 1_023, 1_024, 1_100, 1_152)]
    [0.0, 0.0, 1024.0, 1024.0, 1152.0]
    >>> cacheable_tokens(1_100, cache_min_tokens=-1)
    Traceback (most recent call last):
    ...
    ValueError: cache_min_tokens must be >= 0, got -1
    """
    cached = require_nonnegative("cached_input_tokens", cached_input_tokens)
    low = (0 if cache_min_tokens is None
           else require_int("cache_min_tokens", cache_min_tokens, maximum=MAX_CACHE_RULE_TOKENS))
    step = (None if cache_increment_tokens is None
            else require_int("cache_increment_tokens", cache_increment_tokens, minimum=1,
                             maximum=MAX_CACHE_RULE_TOKENS))
    if low == 0 and step is None:
        return cached
    above = np.subtract(cached, low)
    if step is not None:
        above = np.floor(np.divide(above, step)) * step
    return as_output(np.where(np.asarray(cached) >= low, np.add(low, above), 0.0))


def monthly_tokens(
    requests_per_day: Number, tokens_per_request: Number, days_per_month: Number = 30
) -> Number:
    """Tokens processed per month (input plus output, as you count them).

    Parameters
    ----------
    requests_per_day : float or array, requests per day (>= 0)
    tokens_per_request : float or array, tokens per request (>= 0)
    days_per_month : float or array, days per month (> 0; default 30)

    Returns
    -------
    float or ndarray
        Tokens per month.

    Raises
    ------
    ValueError, TypeError
        For a bad argument, naming it.

    Examples
    --------
    The crossover guide's classification request (800 in + 50 out) at 10K requests/day:

    >>> monthly_tokens(10_000, 850)
    255000000.0
    """
    r = require_nonnegative("requests_per_day", requests_per_day)
    t = require_nonnegative("tokens_per_request", tokens_per_request)
    d = require_positive("days_per_month", days_per_month)
    inputs = {"requests_per_day": r, "tokens_per_request": t, "days_per_month": d}
    common_shape(**inputs)
    with np.errstate(over="ignore"):
        tokens = np.multiply(np.multiply(r, t), d)
    return finite_result(tokens, "tokens per month", inputs)


def monthly_inference_savings(
    requests_per_day: Number,
    prompted_input_tokens: Number,
    finetuned_input_tokens: Number,
    output_tokens: Number,
    base_usd_per_1m_input: Number,
    base_usd_per_1m_output: Number,
    ft_usd_per_1m_input: Number,
    ft_usd_per_1m_output: Number,
    days_per_month: Number = 30,
    naive: bool = False,
) -> Number:
    """USD per month saved by serving the fine-tuned model instead of prompting the base model.

    The prompted request carries few-shot examples (``prompted_input_tokens``) and is billed at
    the base model's prices; the fine-tuned request has a short prompt
    (``finetuned_input_tokens``) and is billed at the fine-tuned model's prices. The result is
    negative when fine-tuning costs more per request.

    ``naive=True`` reproduces the shortcut behind the crossover guide's inference table: saved input
    tokens times the fine-tuned input price. It ignores that the fine-tuned model is dearer per
    token, and so gets the sign of the answer wrong for gpt-4o-mini.

    Parameters
    ----------
    requests_per_day : float or array, requests per day (>= 0)
    prompted_input_tokens : float or array, input tokens per prompted request, few-shot
        examples included (>= 0)
    finetuned_input_tokens : float or array, input tokens per fine-tuned request (>= 0)
    output_tokens : float or array, output tokens per request, the same for both (>= 0)
    base_usd_per_1m_input, base_usd_per_1m_output : float or array, the prompted base model's
        USD per 1M input / output tokens (>= 0)
    ft_usd_per_1m_input, ft_usd_per_1m_output : float or array, the fine-tuned model's USD per
        1M input / output tokens (>= 0)
    days_per_month : float or array, days per month (> 0; default 30)
    naive : bool, reproduce the crossover guide's shortcut instead (default False)

    Returns
    -------
    float or ndarray
        USD saved per month (negative when fine-tuning costs more).

    Raises
    ------
    ValueError, TypeError
        For a bad argument, naming it; ``naive`` must be True or False.

    Examples
    --------
    The crossover guide, simple classification on gpt-4o-mini at 10K requests/day: 800 -> 200 input
    tokens, 50 output. The table says $54/month:

    >>> round(monthly_inference_savings(10_000, 800, 200, 50, 0.15, 0.60, 0.30, 1.20,
    ...                                 naive=True), 2)
    54.0

    At each model's own prices the saving is only $9/month:

    >>> round(monthly_inference_savings(10_000, 800, 200, 50, 0.15, 0.60, 0.30, 1.20), 2)
    9.0
    """
    naive = require_bool("naive", naive)
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            saving = _monthly_inference_savings(
                requests_per_day, prompted_input_tokens, finetuned_input_tokens, output_tokens,
                base_usd_per_1m_input, base_usd_per_1m_output, ft_usd_per_1m_input,
                ft_usd_per_1m_output, days_per_month, naive)
    except TooLargeError:  # from request_cost, which names its own parameters
        saving = np.inf
    inputs = {"requests_per_day": requests_per_day, "prompted_input_tokens": prompted_input_tokens,
              "finetuned_input_tokens": finetuned_input_tokens, "output_tokens": output_tokens,
              "base_usd_per_1m_input": base_usd_per_1m_input,
              "base_usd_per_1m_output": base_usd_per_1m_output,
              "ft_usd_per_1m_input": ft_usd_per_1m_input,
              "ft_usd_per_1m_output": ft_usd_per_1m_output, "days_per_month": days_per_month}
    return finite_result(saving, "the monthly saving (USD)", inputs)


def _monthly_inference_savings(requests_per_day: Number, prompted_input_tokens: Number,
                               finetuned_input_tokens: Number, output_tokens: Number,
                               base_usd_per_1m_input: Number, base_usd_per_1m_output: Number,
                               ft_usd_per_1m_input: Number, ft_usd_per_1m_output: Number,
                               days_per_month: Number, naive: bool) -> Number:
    """:func:`monthly_inference_savings`, unchecked for overflow."""
    r = require_nonnegative("requests_per_day", requests_per_day)
    d = require_positive("days_per_month", days_per_month)
    requests_per_month = np.multiply(r, d)
    if naive:
        saved = np.subtract(
            require_nonnegative("prompted_input_tokens", prompted_input_tokens),
            require_nonnegative("finetuned_input_tokens", finetuned_input_tokens),
        )
        require_nonnegative("output_tokens", output_tokens)
        for name, value in (
            ("base_usd_per_1m_input", base_usd_per_1m_input),
            ("base_usd_per_1m_output", base_usd_per_1m_output),
            ("ft_usd_per_1m_output", ft_usd_per_1m_output),
        ):
            require_nonnegative(name, value)
        price = require_nonnegative("ft_usd_per_1m_input", ft_usd_per_1m_input)
        return as_output(requests_per_month * saved * (price / TOKENS_PER_MILLION))
    prompted = request_cost(
        _named("prompted_input_tokens", prompted_input_tokens),
        _named("output_tokens", output_tokens),
        _named("base_usd_per_1m_input", base_usd_per_1m_input),
        _named("base_usd_per_1m_output", base_usd_per_1m_output),
    )
    finetuned = request_cost(
        _named("finetuned_input_tokens", finetuned_input_tokens),
        output_tokens,
        _named("ft_usd_per_1m_input", ft_usd_per_1m_input),
        _named("ft_usd_per_1m_output", ft_usd_per_1m_output),
    )
    return as_output(requests_per_month * np.subtract(prompted, finetuned))


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

    Raises
    ------
    ValueError, TypeError
        For an unknown model or a bad number, naming it.

    Examples
    --------
    The crossover guide's classification prompt (800 in, 50 out) at 10K requests/day on gpt-4o-mini:

    >>> round(monthly_prompting_cost(10_000, 800, 50), 2)
    45.0
    """
    from .prices import token_price_models

    require_choice("base_model", base_model, token_price_models())
    p = token_prices(base_model)
    r = require_nonnegative("requests_per_day", requests_per_day)
    d = require_positive("days_per_month", days_per_month)
    inputs = {"requests_per_day": r, "input_tokens": input_tokens,
              "output_tokens": output_tokens, "days_per_month": d}
    try:
        per_request = request_cost(input_tokens, output_tokens, p.base_usd_per_1m_input,
                                   p.base_usd_per_1m_output)
    except TooLargeError:
        per_request = np.inf
    common_shape(**inputs)
    with np.errstate(over="ignore", invalid="ignore"):
        usd = np.multiply(np.multiply(r, d), per_request)
    return finite_result(usd, "USD per month", inputs)


def _named(name: str, value: Number) -> Number:
    """Validate under this function's own parameter name before delegating."""
    return require_nonnegative(name, value)
