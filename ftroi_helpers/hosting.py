"""Self-hosted serving cost: a GPU bills by the hour, busy or idle."""

from __future__ import annotations

import numpy as np

from .validation import (
    Number,
    common_shape,
    finite_result,
    require_fraction,
    require_nonnegative,
    require_positive,
)

__all__ = [
    "HOURS_PER_MONTH",
    "gpu_breakeven_requests_per_month",
    "gpu_utilization",
    "hosting_cost_per_month",
    "self_hosted_cost_per_1k_req",
]

#: Average hours in a month (8,760 hours a year / 12), the way cloud providers bill.
HOURS_PER_MONTH = 730.0


def self_hosted_cost_per_1k_req(
    usd_per_gpu_hour: Number,
    requests_per_second_capacity: Number,
    utilization: Number,
    gpus: Number = 1,
) -> Number:
    """USD per 1,000 requests served by rented GPUs at a given utilization.

    The hourly bill is spread over the requests actually served in that hour:
    ``capacity * 3600 * utilization``. Halve the utilization and every request costs twice as
    much.

    Parameters
    ----------
    usd_per_gpu_hour : USD per GPU-hour (>= 0)
    requests_per_second_capacity : requests per second the deployment can serve flat out (> 0)
    utilization : fraction of that capacity actually used, in (0, 1]
    gpus : GPUs billed (> 0)

    Returns
    -------
    float or ndarray
        USD per 1,000 requests.

    Raises
    ------
    ValueError, TypeError
        For a bad argument, naming it; ``utilization`` must be in (0, 1].

    Examples
    --------
    An A10G at $1.006/hour that serves 10 requests/s flat out, busy 50 % of the time:

    >>> round(self_hosted_cost_per_1k_req(1.006, 10, 0.5), 4)
    0.0559
    """
    rate = require_nonnegative("usd_per_gpu_hour", usd_per_gpu_hour)
    capacity = require_positive("requests_per_second_capacity", requests_per_second_capacity)
    util = require_fraction("utilization", utilization, allow_zero=False)
    count = require_positive("gpus", gpus)
    inputs = {"usd_per_gpu_hour": rate, "requests_per_second_capacity": capacity,
              "utilization": util, "gpus": count}
    common_shape(**inputs)
    with np.errstate(over="ignore", under="ignore"):
        served_per_hour = np.multiply(np.multiply(capacity, 3600.0), util)
        per_1k = np.multiply(rate, count) / served_per_hour * 1000.0
        if np.any(np.isinf(served_per_hour)):  # more served than a float holds: ~0 per request
            per_1k = np.where(np.isinf(served_per_hour), 0.0, per_1k)
    return finite_result(per_1k, "USD per 1,000 requests", inputs)


def hosting_cost_per_month(usd_per_hour: Number, hours_per_month: Number = HOURS_PER_MONTH) -> Number:
    """USD per month for something billed by the hour around the clock (a GPU, a deployment).

    Parameters
    ----------
    usd_per_hour : float or array, USD per hour (>= 0)
    hours_per_month : float or array, hours billed per month (>= 0; default 730)

    Returns
    -------
    float or ndarray
        USD per month.

    Raises
    ------
    ValueError, TypeError
        For a bad argument, naming it.

    Examples
    --------
    An AWS g5.xlarge (one A10G) at $1.006 an hour (prices.csv):

    >>> hosting_cost_per_month(1.006)
    734.38
    """
    rate = require_nonnegative("usd_per_hour", usd_per_hour)
    hours = require_nonnegative("hours_per_month", hours_per_month)
    inputs = {"usd_per_hour": rate, "hours_per_month": hours}
    common_shape(**inputs)
    with np.errstate(over="ignore"):
        bill = np.multiply(rate, hours)
        # rounded to 10 decimals (so $1.006 x 730 h is $734.38, not 734.3799999), where the
        # rounding itself cannot overflow
        bill = np.where(np.abs(bill) < 1e290, np.round(bill, 10), bill)
    return finite_result(bill, "USD per month", inputs)


# -- how busy is the GPU? ------------------------------------------------------------------------
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
    ValueError: requests_per_month must be at most the deployment's capacity (26,280,000 requests a month at 10 requests/s on 1 GPU), got 30,000,000: that would be 114% utilization (the capacity is requests_per_second_capacity x 3,600 x hours_per_month x gpus)
    """
    volume = require_positive("requests_per_month", requests_per_month)
    capacity = require_positive("requests_per_second_capacity", requests_per_second_capacity)
    count = require_positive("gpus", gpus)
    hours = require_positive("hours_per_month", hours_per_month)
    inputs = {"requests_per_month": volume, "requests_per_second_capacity": capacity,
              "gpus": count, "hours_per_month": hours}
    common_shape(**inputs)
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        monthly_capacity = np.multiply(np.multiply(capacity, 3600.0 * hours), count)
        util = np.divide(volume, monthly_capacity)
    if np.any(np.asarray(util) > 1 + 1e-12):
        vol, cap, rate, n, u = (np.ravel(a) for a in np.broadcast_arrays(
            volume, monthly_capacity, capacity, count, util))
        i = int(np.argmax(u > 1 + 1e-12))
        hrs = np.ravel(np.broadcast_to(hours, u.shape))[i]
        raise ValueError(
            "requests_per_month must be at most the deployment's capacity "
            f"({_num(cap[i])} requests a month at {_num(rate[i], 4)} requests/s on "
            f"{_num(n[i], 4)} GPU{'' if n[i] == 1 else 's'}"
            + ("" if hrs == HOURS_PER_MONTH else f" for {_num(hrs, 4)} hours") + "), got "
            f"{_num(vol[i])}: that would be {_percent(u[i])} utilization (the capacity is "
            "requests_per_second_capacity x 3,600 x hours_per_month x gpus)")
    return finite_result(util, "utilization", inputs)


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

    Raises
    ------
    ValueError, TypeError
        For a bad argument, naming it; the hosted price must be above zero.

    Examples
    --------
    An AWS g5.xlarge (one A10G, $1.006/hour) against source 003's $15 per 1k hosted:

    >>> round(gpu_breakeven_requests_per_month(1.006, 15))
    48959
    >>> round(gpu_breakeven_requests_per_month(1.006, 2))
    367190
    """
    rate = require_nonnegative("usd_per_gpu_hour", usd_per_gpu_hour)
    hosted = require_positive("hosted_cost_per_1k_req", hosted_cost_per_1k_req)
    count = require_positive("gpus", gpus)
    hours = require_nonnegative("hours_per_month", hours_per_month)
    inputs = {"usd_per_gpu_hour": rate, "hosted_cost_per_1k_req": hosted, "gpus": count,
              "hours_per_month": hours}
    common_shape(**inputs)
    with np.errstate(over="ignore", under="ignore"):
        per_gpu = np.multiply(rate, hours)
        per_gpu = np.where(np.abs(per_gpu) < 1e290, np.round(per_gpu, 10), per_gpu)
        bill = np.multiply(per_gpu, count)
        volume = np.divide(bill, hosted) * 1000.0
    return finite_result(volume, "requests per month", inputs)


def _num(x: float, digits: int = 0) -> str:
    """A number for a message: '26,280,000', '10', or '1.2e+20' when very large or small."""
    x = float(x)
    if x != 0 and (abs(x) >= 1e15 or abs(x) < 10.0 ** -max(digits, 1)):
        return f"{x:.3g}"
    return f"{x:,.{digits}g}" if digits else f"{x:,.0f}"


def _percent(u: float) -> str:
    """A utilization for a message: '114%', or 'over 1e15%'."""
    return f"{u:.0%}" if u < 1e13 else "far more than 100%"
