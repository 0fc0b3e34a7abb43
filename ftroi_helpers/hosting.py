"""Self-hosted serving cost: a GPU bills by the hour, busy or idle."""

from __future__ import annotations

import numpy as np

from .validation import Number, as_output, require_fraction, require_nonnegative, require_positive

__all__ = ["HOURS_PER_MONTH", "hosting_cost_per_month", "self_hosted_cost_per_1k_req"]

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
    served_per_hour = np.multiply(np.multiply(capacity, 3600.0), util)
    return as_output(np.multiply(rate, count) / served_per_hour * 1000.0)


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
    return as_output(np.round(np.multiply(rate, hours), 10))
