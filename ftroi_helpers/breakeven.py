"""Break-even: how many requests, or how many days, until fine-tuning repays its one-time cost.

Two forms of the same idea, one per source:

* :func:`breakeven_requests` is source 003's calculator: costs per 1,000 requests and a one-time
  project cost.
* :func:`breakeven_days` answers source 000's "prompt cost P per call at V calls/day, training cost
  T, inference savings S" question.
"""

from __future__ import annotations

import math

import numpy as np

from .validation import Number, as_output, require_fraction, require_nonnegative

__all__ = ["breakeven_days", "breakeven_requests", "explain_breakeven", "explain_breakeven_days"]


def breakeven_requests(
    hosted_cost_per_1k_req: Number,
    self_hosted_cost_per_1k_req: Number,
    one_time_finetune_cost: Number,
) -> Number:
    """Requests whose per-request savings repay the one-time fine-tuning cost.

    ``one_time_finetune_cost / (hosted - self_hosted) * 1000``, or ``math.inf`` where
    self-hosting is not cheaper per request (the savings never repay anything).

    Parameters
    ----------
    hosted_cost_per_1k_req : float or array, USD per 1,000 requests on the hosted API (>= 0)
    self_hosted_cost_per_1k_req : float or array, USD per 1,000 requests self-hosted (>= 0)
    one_time_finetune_cost : float or array, USD spent once: data, training, evaluation (>= 0)

    Returns
    -------
    float or ndarray
        Requests to break even; ``inf`` where self-hosting is not cheaper.

    Raises
    ------
    ValueError, TypeError
        For a negative, non-finite or non-numeric argument, naming it.

    Examples
    --------
    Source 003: hosted $15 per 1k requests, self-hosted $2 per 1k, $400 one-time:

    >>> round(breakeven_requests(15, 2, 400))
    30769
    >>> breakeven_requests(2, 15, 400)
    inf
    >>> breakeven_requests(np.array([15, 10]), 2, 400).round()
    array([30769., 50000.])
    """
    hosted = require_nonnegative("hosted_cost_per_1k_req", hosted_cost_per_1k_req)
    self_hosted = require_nonnegative("self_hosted_cost_per_1k_req", self_hosted_cost_per_1k_req)
    one_time = require_nonnegative("one_time_finetune_cost", one_time_finetune_cost)
    if isinstance(hosted, float) and isinstance(self_hosted, float) and isinstance(one_time, float):
        savings = hosted - self_hosted
        return math.inf if savings <= 0 else one_time / savings * 1000.0
    # Arrays: two full-size buffers and plain (unmasked) vector operations, which run at memory
    # speed; a masked divide (``where=``) is several times slower (benchmarks/, row 1a).
    # Savings clipped at 0 make "not cheaper" a division by zero: x / 0 = inf, and the 0 / 0
    # (or x / -0.0) of a free project that saves nothing is set to inf afterwards.
    savings = np.subtract(hosted, self_hosted)
    if isinstance(savings, np.ndarray):
        np.maximum(savings, 0.0, out=savings)
    else:
        savings = max(float(savings), 0.0)
    shape = np.broadcast_shapes(np.shape(hosted), np.shape(self_hosted), np.shape(one_time))
    out = np.multiply(one_time, 1000.0, out=np.empty(shape))
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(out, savings, out=out)
    undefined = ~(out >= 0)
    if undefined.any():
        out[undefined] = np.inf
    return as_output(out)


def explain_breakeven(
    hosted_cost_per_1k_req: float,
    self_hosted_cost_per_1k_req: float,
    one_time_finetune_cost: float,
) -> str:
    """One sentence a learner can read: the break-even of :func:`breakeven_requests`.

    Parameters
    ----------
    hosted_cost_per_1k_req : float, USD per 1,000 requests on the hosted API (>= 0)
    self_hosted_cost_per_1k_req : float, USD per 1,000 requests self-hosted (>= 0)
    one_time_finetune_cost : float, USD spent once: data, training, evaluation (>= 0)

    Returns
    -------
    str
        ``"Break even after ~N requests"``, or why there is no break-even.

    Raises
    ------
    ValueError, TypeError
        For a bad argument (see :func:`breakeven_requests`), or arrays instead of numbers.

    Examples
    --------
    Source 003's example and its "not cheaper" branch:

    --------
    >>> explain_breakeven(15, 2, 400)
    'Break even after ~30,769 requests'
    >>> explain_breakeven(2, 2, 400)
    'Self-hosting is not cheaper per request ($2.00 vs $2.00 per 1k) -- fine-tune only for behaviour, not for cost'
    """
    requests = breakeven_requests(
        hosted_cost_per_1k_req, self_hosted_cost_per_1k_req, one_time_finetune_cost
    )
    if not isinstance(requests, float):
        raise TypeError("explain_breakeven takes single numbers, not arrays")
    if math.isinf(requests):
        return (
            "Self-hosting is not cheaper per request "
            f"(${float(self_hosted_cost_per_1k_req):,.2f} vs "
            f"${float(hosted_cost_per_1k_req):,.2f} per 1k) "
            "-- fine-tune only for behaviour, not for cost"
        )
    return f"Break even after ~{requests:,.0f} requests"


def breakeven_days(
    prompt_cost_per_call: Number,
    calls_per_day: Number,
    training_cost: Number,
    savings_fraction: Number,
) -> Number:
    """Days until the inference savings repay the training cost.

    Answers the source question "prompt cost P per call at V calls/day, training cost T,
    inference savings S": ``T / (P * V * S)``. ``S`` is the fraction of the per-call cost that the
    fine-tuned model saves, in [0, 1].

    Parameters
    ----------
    prompt_cost_per_call : float or array, USD per call while prompting (>= 0)
    calls_per_day : float or array, calls per day (>= 0)
    training_cost : float or array, USD, one-time (>= 0)
    savings_fraction : float or array, fraction of the per-call cost saved, 0 to 1

    Returns
    -------
    float or ndarray
        Days to break even; ``inf`` where nothing is saved; 0 where training is free.

    Raises
    ------
    ValueError, TypeError
        For a negative, non-finite or non-numeric argument, or ``savings_fraction`` outside
        [0, 1], naming it.

    Examples
    --------
    $0.002 per call, 10,000 calls a day, $300 of training, 60 % saved: $12 a day saved.

    >>> breakeven_days(0.002, 10_000, 300, 0.6)
    25.0
    >>> breakeven_days(0.002, 10_000, 300, 0)
    inf
    >>> breakeven_days(0.002, 10_000, 300, 1.2)
    Traceback (most recent call last):
    ...
    ValueError: savings_fraction must be between 0 and 1, got 1.2
    """
    p = require_nonnegative("prompt_cost_per_call", prompt_cost_per_call)
    v = require_nonnegative("calls_per_day", calls_per_day)
    t = require_nonnegative("training_cost", training_cost)
    s = require_fraction("savings_fraction", savings_fraction)
    daily = np.multiply(np.multiply(p, v), s)
    shape = np.broadcast(p, v, t, s).shape
    days = np.full(shape, np.inf)
    np.divide(np.broadcast_to(t, shape), daily, out=days, where=np.broadcast_to(daily > 0, shape))
    # Free training pays back at once, even with no savings.
    days = np.where(np.broadcast_to(t, shape) == 0, 0.0, days)
    return as_output(days)


def explain_breakeven_days(
    prompt_cost_per_call: float,
    calls_per_day: float,
    training_cost: float,
    savings_fraction: float,
) -> str:
    """One sentence a learner can read: the break-even of :func:`breakeven_days`.

    Parameters
    ----------
    prompt_cost_per_call : float, USD per call while prompting (>= 0)
    calls_per_day : float, calls per day (>= 0)
    training_cost : float, USD, one-time (>= 0)
    savings_fraction : float, fraction of the per-call cost saved, 0 to 1

    Returns
    -------
    str
        The days to pay back and the USD saved a day, or that training never pays back.

    Raises
    ------
    ValueError, TypeError
        For a bad argument (see :func:`breakeven_days`), or arrays instead of numbers.

    Examples
    --------
    >>> explain_breakeven_days(0.002, 10_000, 300, 0.6)
    'Training pays back after 25.0 days (saving $12.00 a day)'
    >>> explain_breakeven_days(0.002, 10_000, 300, 0)
    'Training never pays back: nothing is saved per call'
    """
    days = breakeven_days(prompt_cost_per_call, calls_per_day, training_cost, savings_fraction)
    if not isinstance(days, float):
        raise TypeError("explain_breakeven_days takes single numbers, not arrays")
    if math.isinf(days):
        return "Training never pays back: nothing is saved per call"
    daily = float(prompt_cost_per_call) * float(calls_per_day) * float(savings_fraction)
    return f"Training pays back after {days:,.1f} days (saving ${daily:,.2f} a day)"
