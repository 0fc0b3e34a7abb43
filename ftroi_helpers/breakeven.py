"""Break-even: how many requests, or how many days, until fine-tuning repays its one-time cost.

Two forms of the same idea, one per source:

* :func:`breakeven_requests` is the calculator demo's function: costs per 1,000 requests and a one-time
  project cost.
* :func:`breakeven_days` answers the Cost Curves page's "prompt cost P per call at V calls/day, training cost
  T, inference savings S" question.

And the same idea in time: :func:`months_to_break_even` (a one-time cost over a monthly saving)
and :func:`breakeven_timeline` (the calculator demo's break-even in requests, turned into days and months).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .formatting import DAYS_PER_MONTH, money_cents
from .never import never_or_float
from .validation import (
    Number,
    TooLargeError,
    as_number,
    common_shape,
    finite_result,
    require_fraction,
    require_nonnegative,
    require_positive,
    require_scalar,
    short_repr,
)

__all__ = [
    "BreakevenTime",
    "breakeven_days",
    "breakeven_requests",
    "breakeven_timeline",
    "explain_breakeven",
    "explain_breakeven_days",
    "months_to_break_even",
]


def breakeven_requests(
    hosted_cost_per_1k_req: Number,
    self_hosted_cost_per_1k_req: Number,
    one_time_finetune_cost: Number,
) -> float | None | np.ma.MaskedArray:
    """Requests whose per-request savings repay the one-time fine-tuning cost.

    ``one_time_finetune_cost / (hosted - self_hosted) * 1000``, or "never" where self-hosting
    is not cheaper per request (the savings never repay anything): ``None`` for numbers, and
    for arrays a MaskedArray masked where it never breaks even (see :mod:`ftroi_helpers.never`).

    Parameters
    ----------
    hosted_cost_per_1k_req : float or array, USD per 1,000 requests on the hosted API (>= 0)
    self_hosted_cost_per_1k_req : float or array, USD per 1,000 requests self-hosted (>= 0)
    one_time_finetune_cost : float or array, USD spent once: data, training, evaluation (>= 0)

    Returns
    -------
    float, None or numpy.ma.MaskedArray
        Requests to break even; ``None`` (numbers) or masked (arrays) where it never breaks
        even because self-hosting is not cheaper. A free project that saves nothing: 0.

    Raises
    ------
    ValueError, TypeError
        For a negative, non-finite or non-numeric argument, naming it.

    Examples
    --------
    The calculator demo: hosted $15 per 1k requests, self-hosted $2 per 1k, $400 one-time:

    >>> round(breakeven_requests(15, 2, 400))
    30769
    >>> breakeven_requests(2, 15, 400) is None
    True
    >>> breakeven_requests(np.array([15, 10, 1]), 2, 400).round()
    masked_array(data=[30769.0, 50000.0, --],
                 mask=[False, False,  True],
           fill_value=inf)
    """
    hosted = require_nonnegative("hosted_cost_per_1k_req", hosted_cost_per_1k_req)
    self_hosted = require_nonnegative("self_hosted_cost_per_1k_req", self_hosted_cost_per_1k_req)
    one_time = require_nonnegative("one_time_finetune_cost", one_time_finetune_cost)
    inputs = {"hosted_cost_per_1k_req": hosted, "self_hosted_cost_per_1k_req": self_hosted,
              "one_time_finetune_cost": one_time}
    if isinstance(hosted, float) and isinstance(self_hosted, float) and isinstance(one_time, float):
        savings = hosted - self_hosted
        if savings > 0:
            return finite_result(one_time / savings * 1000.0, "requests to break even", inputs)
        # A free project that saves nothing has nothing to repay: it breaks even at once.
        return 0.0 if savings == 0 and one_time == 0 else None
    savings = np.subtract(hosted, self_hosted, out=np.empty(common_shape(**inputs)))
    never = savings <= 0  # self-hosting is not cheaper per request
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        requests = np.divide(one_time, savings, out=savings)  # one buffer: no second 8 MB
        requests *= 1000.0
    return _never_unless_cheaper(requests, never, inputs)


def _never_unless_cheaper(requests: np.ndarray, never: np.ndarray,
                          inputs: dict[str, Number]) -> float | None | np.ma.MaskedArray:
    """The "never" convention on :func:`breakeven_requests`' arrays: masked (or None) where
    self-hosting is not cheaper; 0 for a free project that saves nothing (0 / 0: nothing to
    repay); an overflow is refused, naming the inputs.

    Whole-array passes only (no boolean indexing): at a million scenarios this costs less than
    the formula itself (benchmarks/, row 1a).
    """
    if never.any():
        free = np.isnan(requests)  # 0 / 0: the only NaN the formula can make
        np.copyto(requests, np.inf, where=never)
        if free.any():
            np.copyto(requests, 0.0, where=free)
            never = never & ~free
    if np.count_nonzero(np.isinf(requests)) != np.count_nonzero(never):
        finite_result(requests, "requests to break even", inputs, allowed=never)
    if requests.ndim == 0:
        return never_or_float(requests, bool(never))
    return np.ma.MaskedArray(requests, mask=never, fill_value=np.inf)


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
    The calculator demo's example and its "not cheaper" branch:

    --------
    >>> explain_breakeven(15, 2, 400)
    'Break even after ~30,769 requests'
    >>> explain_breakeven(2, 2, 400)
    'Self-hosting is not cheaper per request ($2.00 vs $2.00 per 1k) -- fine-tune only for behaviour, not for cost'
    """
    hosted = require_scalar("hosted_cost_per_1k_req", hosted_cost_per_1k_req)
    self_hosted = require_scalar("self_hosted_cost_per_1k_req", self_hosted_cost_per_1k_req)
    require_scalar("one_time_finetune_cost", one_time_finetune_cost)
    requests = breakeven_requests(
        hosted_cost_per_1k_req, self_hosted_cost_per_1k_req, one_time_finetune_cost
    )
    if requests is None:
        return (
            "Self-hosting is not cheaper per request "
            f"({money_cents(self_hosted)} vs {money_cents(hosted)} per 1k) "
            "-- fine-tune only for behaviour, not for cost"
        )
    if requests == 0:
        return "Break even at once: there is no one-time cost to repay"
    return f"Break even after ~{_count(requests)} requests"


def breakeven_days(
    prompt_cost_per_call: Number,
    calls_per_day: Number,
    training_cost: Number,
    savings_fraction: Number,
) -> float | None | np.ma.MaskedArray:
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
    float, None or numpy.ma.MaskedArray
        Days to break even; 0 where training is free; where nothing is saved it never breaks
        even: ``None`` for numbers, masked for arrays (see :mod:`ftroi_helpers.never`).

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
    >>> breakeven_days(0.002, 10_000, 300, 0) is None
    True
    >>> breakeven_days(0.002, 10_000, 300, 1.2)
    Traceback (most recent call last):
    ...
    ValueError: savings_fraction must be between 0 and 1, got 1.2
    """
    p = require_nonnegative("prompt_cost_per_call", prompt_cost_per_call)
    v = require_nonnegative("calls_per_day", calls_per_day)
    t = require_nonnegative("training_cost", training_cost)
    s = require_fraction("savings_fraction", savings_fraction)
    inputs = {"prompt_cost_per_call": p, "calls_per_day": v, "training_cost": t,
              "savings_fraction": s}
    shape = common_shape(**inputs)
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        daily = np.multiply(np.multiply(p, v), s)
        days = np.full(shape, np.inf)
        np.divide(np.broadcast_to(t, shape), daily, out=days,
                  where=np.broadcast_to(daily > 0, shape))
        # A daily saving beyond the largest float still gives a finite (small) number of days:
        # work it out in logarithms.
        huge = np.broadcast_to(np.isinf(daily), shape)
        if huge.any():
            logs = (np.log(np.broadcast_to(t, shape)[huge]) - np.log(np.broadcast_to(p, shape)[huge])
                    - np.log(np.broadcast_to(v, shape)[huge])
                    - np.log(np.broadcast_to(s, shape)[huge]))
            days[huge] = np.exp(logs)
    # Free training pays back at once, even with no savings.
    days = np.where(np.broadcast_to(t, shape) == 0, 0.0, days)
    saves = np.broadcast_to(daily > 0, shape)
    days = finite_result(days, "days to break even", inputs, allowed=~saves)
    never = np.isinf(days)
    if np.ndim(days) == 0:
        return never_or_float(days, bool(never))
    return np.ma.MaskedArray(days, mask=never, fill_value=np.inf)


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
    >>> explain_breakeven_days(0.002, 10_000, 0, 0)
    'Training pays back at once: there is no training cost to repay'
    """
    for name, value in (("prompt_cost_per_call", prompt_cost_per_call),
                        ("calls_per_day", calls_per_day), ("training_cost", training_cost),
                        ("savings_fraction", savings_fraction)):
        require_scalar(name, value)
    days = breakeven_days(prompt_cost_per_call, calls_per_day, training_cost, savings_fraction)
    if days is None:
        return "Training never pays back: nothing is saved per call"
    p, v, s = (as_number(n, x) for n, x in (("prompt_cost_per_call", prompt_cost_per_call),
                                           ("calls_per_day", calls_per_day),
                                           ("savings_fraction", savings_fraction)))
    daily = p * v * s
    if not math.isfinite(daily):
        raise TooLargeError(
            "the daily saving prompt_cost_per_call x calls_per_day x savings_fraction is too "
            f"large to compute (above 1.8e+308) for prompt_cost_per_call={short_repr(p)}, "
            f"calls_per_day={short_repr(v)}, savings_fraction={short_repr(s)}")
    if days == 0:
        return "Training pays back at once: there is no training cost to repay"
    return f"Training pays back after {days:,.1f} days (saving {money_cents(daily)} a day)"


# -- time to break even ------------------------------------------------------------------------
def months_to_break_even(one_time_usd: Number,
                         monthly_savings_usd: Number) -> float | None | np.ma.MaskedArray:
    """Months until a monthly saving repays a one-time cost (the crossover guide's breakeven formula).

    ``one_time_usd / monthly_savings_usd``: "Training cost / monthly savings = months to
    breakeven". Where nothing is saved (``monthly_savings_usd <= 0``) fine-tuning never gets
    ahead: ``None`` for numbers, masked for arrays (see :mod:`ftroi_helpers.never`); a free
    project that saves nothing breaks even at once (0).

    Parameters
    ----------
    one_time_usd : float or array, USD paid once at the start (>= 0)
    monthly_savings_usd : float or array, USD saved per month (any sign)

    Returns
    -------
    float, None or numpy.ma.MaskedArray
        Months to break even; ``None`` (numbers) or masked (arrays) where it never breaks even
        because the monthly saving is zero or negative.

    Raises
    ------
    ValueError, TypeError
        For a negative one-time cost or a non-numeric argument, naming it.

    Examples
    --------
    The crossover guide, simple classification: $75 of training against the printed $54/month, and
    against the $9/month the same task really saves:

    >>> round(months_to_break_even(75, 54), 2), round(months_to_break_even(75, 9), 2)
    (1.39, 8.33)
    >>> months_to_break_even(75, -18) is None
    True
    >>> months_to_break_even(75, np.array([9.0, 0.0]))
    masked_array(data=[8.333333333333334, --],
                 mask=[False,  True],
           fill_value=inf)
    """
    one_time = require_nonnegative("one_time_usd", one_time_usd)
    savings = as_number("monthly_savings_usd", monthly_savings_usd)
    inputs = {"one_time_usd": one_time, "monthly_savings_usd": savings}
    shape = common_shape(**inputs)
    out = np.full(shape, np.inf)
    saves = np.broadcast_to(np.asarray(savings) > 0, shape)
    with np.errstate(over="ignore"):
        np.divide(np.broadcast_to(one_time, shape), np.broadcast_to(savings, shape), out=out,
                  where=saves)
    # Nothing to repay and nothing lost each month: even at once (as breakeven_days and the
    # TCO model count a tie).
    free = np.broadcast_to((np.asarray(one_time) == 0) & (np.asarray(savings) == 0), shape)
    out = np.where(free, 0.0, out)
    out = finite_result(out, "months to break even", inputs, allowed=~saves)
    never = np.isinf(out)
    if np.ndim(out) == 0:
        return never_or_float(out, bool(never))
    return np.ma.MaskedArray(out, mask=never, fill_value=np.inf)


@dataclass(frozen=True)
class BreakevenTime:
    """Break-even of the calculator demo's function in requests, and in time at a given volume.

    ``requests``, ``months`` and ``days`` are None where it never breaks even (see
    :mod:`ftroi_helpers.never`).
    """

    requests: float | None
    requests_per_month: float
    months: float | None
    days: float | None

    def summary(self) -> str:
        """One sentence with the three units.

        Returns
        -------
        str
            The requests, days and months to break even, or that it never happens.

        Examples
        --------
        >>> breakeven_timeline(15, 2, 400, 200_000).summary()
        'Break even after ~30,769 requests: 4.6 days (0.15 months) at 200,000 requests a month'
        """
        if self.requests is None or self.months is None or self.days is None:
            return "Never: self-hosting is not cheaper per request"
        if self.requests == 0:
            return "Break even at once: there is no one-time cost to repay"
        return (f"Break even after ~{_count(self.requests)} requests: {_count(self.days, 1)} "
                f"days ({_count(self.months, 2)} months) at {_count(self.requests_per_month)} "
                "requests a month")


def breakeven_timeline(
    hosted_cost_per_1k_req: float,
    self_hosted_cost_per_1k_req: float,
    one_time_finetune_cost: float,
    requests_per_month: float = 200_000,
    days_per_month: float = DAYS_PER_MONTH,
) -> BreakevenTime:
    """The calculator demo's break-even in requests, converted to months and days at a volume.

    Parameters
    ----------
    hosted_cost_per_1k_req : USD per 1,000 requests on the hosted API (>= 0)
    self_hosted_cost_per_1k_req : USD per 1,000 requests for the fine-tuned model (>= 0)
    one_time_finetune_cost : USD paid once (>= 0)
    requests_per_month : requests served per month (> 0); the calculator demo says 200k
    days_per_month : days in a month (> 0), 30 as in the crossover guide

    Returns
    -------
    BreakevenTime
        ``requests``, ``months`` and ``days`` to break even (all ``None``, "never", when
        self-hosting is not cheaper per request).

    Raises
    ------
    ValueError, TypeError
        For a negative cost or a volume that is not positive, naming it.

    Examples
    --------
    The calculator demo: $15 vs $2 per 1k requests, $400 one-time, 200k requests/month:

    >>> t = breakeven_timeline(15, 2, 400, 200_000)
    >>> round(t.requests), round(t.days, 1), round(t.months, 3)
    (30769, 4.6, 0.154)
    >>> breakeven_timeline(2, 15, 400).months is None
    True
    >>> breakeven_timeline(15, 2, 400, 0)
    Traceback (most recent call last):
    ...
    ValueError: requests_per_month must be > 0, got 0
    """
    names = ("hosted_cost_per_1k_req", "self_hosted_cost_per_1k_req", "one_time_finetune_cost",
             "requests_per_month", "days_per_month")
    given = (hosted_cost_per_1k_req, self_hosted_cost_per_1k_req, one_time_finetune_cost,
             requests_per_month, days_per_month)
    for name, value in zip(names, given, strict=True):
        require_scalar(name, value)
    volume = require_positive("requests_per_month", requests_per_month)
    days = require_positive("days_per_month", days_per_month)
    requests = breakeven_requests(hosted_cost_per_1k_req, self_hosted_cost_per_1k_req,
                                  one_time_finetune_cost)
    if requests is None:
        return BreakevenTime(None, volume, None, None)
    inputs = dict(zip(names, given, strict=True))
    months = finite_result(requests / volume, "months to break even", inputs)
    return BreakevenTime(requests, volume, months,
                         finite_result(months * days, "days to break even", inputs))


def _count(x: float, decimals: int = 0) -> str:
    """A count for a sentence: '30,769', '4.6'; very large ones in scientific notation."""
    return f"{x:,.{decimals}f}" if abs(x) < 1e15 else f"{x:.3g}"
