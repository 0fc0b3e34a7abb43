"""Self-hosted serving cost: a GPU bills by the hour, busy or idle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .serving import capacity_rps, replicas_needed, time_per_answer_s
from .validation import (
    Number,
    as_number,
    common_shape,
    finite_result,
    require_fraction,
    require_int,
    require_nonnegative,
    require_positive,
    require_scalar,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "G5_XLARGE_USD_PER_HOUR",
    "HOURS_PER_MONTH",
    "gpu_breakeven_requests_per_month",
    "gpu_utilization",
    "hosting_cost_per_month",
    "hosting_options",
    "self_hosted_cost_per_1k_req",
]

#: Average hours in a month (8,760 hours a year / 12), the way cloud providers bill.
HOURS_PER_MONTH = 730.0

#: AWS g5.xlarge (one A10G, 24 GB), on-demand USD per hour: the ``g5.xlarge`` row of
#: ``data/prices.csv`` (a test keeps the two equal). Kept here so that the maths modules need no
#: pandas to build :data:`~ftroi_helpers.cost_model.REALISTIC`.
G5_XLARGE_USD_PER_HOUR = 1.006


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
    An A10G at $1.006/hour serving an 8B model flat out at 500 in / 1,000 out tokens
    (:func:`~ftroi_helpers.serving.capacity_rps`: 1.34 requests a second), busy 50 % of the time:

    >>> from ftroi_helpers.serving import capacity_rps
    >>> round(self_hosted_cost_per_1k_req(1.006, capacity_rps("A10G", 8, 500, 1_000), 0.5), 2)
    0.42
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
        bill = _rounded(bill)
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
    The calculator demo's 200k requests/month on one A10G serving an 8B model at 500 in / 1,000 out
    tokens (:func:`~ftroi_helpers.serving.capacity_rps`: 1.34 requests a second) is 5.7 % busy:

    >>> from ftroi_helpers.serving import capacity_rps
    >>> round(gpu_utilization(200_000, capacity_rps("A10G", 8, 500, 1_000)) * 100, 1)
    5.7
    >>> gpu_utilization(5_000_000, 1.34)
    Traceback (most recent call last):
    ...
    ValueError: requests_per_month must be at most the deployment's capacity (3,521,520 requests a month at 1.34 requests/s on 1 GPU), got 5,000,000: that would be 142% utilization (the capacity is requests_per_second_capacity x 3,600 x hours_per_month x gpus)
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
        vol, cap, rate, n, every_hrs, u = (np.ravel(a) for a in np.broadcast_arrays(
            volume, monthly_capacity, capacity, count, hours, util))
        i = int(np.argmax(u > 1 + 1e-12))
        hrs = every_hrs[i]
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
    An AWS g5.xlarge (one A10G, $1.006/hour) against the calculator demo's $15 per 1k hosted:

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
        per_gpu = _rounded(per_gpu)
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



# -- hosting options side by side -------------------------------------------------------------
def hosting_options(
    requests_per_month: float,
    serverless_usd_per_1k_req: float,
    usd_per_gpu_hour: float,
    requests_per_second_capacity: float | None = None,
    replicas: int = 1,
    shortcut_usd_per_1k_req: float = 2.0,
    hours_per_month: float = HOURS_PER_MONTH,
    *,
    gpu: str = "A10G",
    params_b: float = 8,
    input_tokens: float = 500,
    output_tokens: float = 1000,
    peak_rps: float | None = None,
    latency_target_s: float | None = None,
) -> pd.DataFrame:
    """Three ways to pay for serving a fine-tuned model, at one monthly volume.

    * **serverless, per token**: a provider serves the fine-tuned model (or LoRA adapter) and
      bills its tokens; nothing when idle. ``serverless_usd_per_1k_req`` comes from
      :func:`~ftroi_helpers.token_costs.request_cost` at the fine-tuned per-token prices.
    * **fixed GPU**: ``replicas`` GPUs rented by the hour around the clock, busy or idle; the
      table shows how busy they are and how long an answer takes. Their capacity comes from the
      measured throughput table (:func:`~ftroi_helpers.serving.capacity_rps` for ``gpu``,
      ``params_b``, ``input_tokens`` and ``output_tokens``), unless
      ``requests_per_second_capacity`` is given.
    * **per-1k shortcut**: a flat price per 1,000 requests such as the calculator demo's USD 2. It is not
      a third way to pay: it is one of the other two seen at one volume. The ``note`` says at
      what volume (and utilization) the GPUs cost that much per request.

    Parameters
    ----------
    requests_per_month : requests served per month (> 0)
    serverless_usd_per_1k_req : USD per 1,000 requests served per token (>= 0)
    usd_per_gpu_hour : USD per GPU-hour (> 0)
    requests_per_second_capacity : requests per second one GPU serves flat out (> 0; default
        None: :func:`~ftroi_helpers.serving.capacity_rps` of the request below)
    replicas : GPUs kept up (a whole number >= 1)
    shortcut_usd_per_1k_req : the flat price to explain, USD per 1,000 requests (> 0)
    hours_per_month : hours billed per month (> 0)
    gpu, params_b, input_tokens, output_tokens : the GPU, the model size (billions of
        parameters) and the tokens of one request (default: an A10G serving an 8B model at 500
        in and 1,000 out), for the capacity and the time per answer
    peak_rps, latency_target_s : with a latency target (seconds per answer), the replicas are
        at least :func:`~ftroi_helpers.serving.replicas_needed` for the peak load (requests a
        second; default: the month's average), and the note says so

    Returns
    -------
    pandas.DataFrame
        One row per option: ``option``, ``billed``, the :class:`~ftroi_helpers.cost_model.Scenario`
        fields that express it (``self_hosted_cost_per_1k_req``, ``hosting_usd_per_month`` per
        replica, ``replicas``), ``total_usd_per_month`` at the volume,
        ``effective_usd_per_1k_req``, ``utilization`` and ``time_per_answer_s`` (GPUs only:
        nullable ``Float64``, ``<NA>`` for the others) and ``note``.

    Raises
    ------
    ValueError, TypeError
        For a bad argument, naming it, or a volume beyond the GPUs' capacity.

    Examples
    --------
    The calculator demo's 200k requests a month: a fine-tuned gpt-4o-mini served per token (500 input and
    1,000 output tokens at USD 0.30 / 1.20 per 1M: USD 1.35 per 1,000 requests), two g5.xlarge
    replicas (one A10G each, 1.34 requests a second of an 8B model at those lengths), and the
    demo's USD 2 per 1,000:

    >>> t = hosting_options(200_000, 1.35, 1.006, replicas=2)
    >>> t["total_usd_per_month"].round().tolist()
    [270.0, 1469.0, 400.0]
    >>> round(float(t["utilization"].iloc[1]), 3), round(float(t["time_per_answer_s"].iloc[1]))
    (0.028, 35)
    >>> t["note"].iloc[2]
    'USD 2.00 per 1,000 requests is what the 2 GPUs cost at 734,380 requests a month (10.5% busy); at 200,000 requests a month they cost USD 7.34 per 1,000'
    """
    import pandas as pd

    volume = require_scalar("requests_per_month", requests_per_month, require_positive)
    serverless = require_scalar("serverless_usd_per_1k_req", serverless_usd_per_1k_req,
                                require_nonnegative)
    rate = require_scalar("usd_per_gpu_hour", usd_per_gpu_hour, require_positive)
    if requests_per_second_capacity is None:
        capacity = capacity_rps(gpu, params_b, input_tokens, output_tokens)
    else:
        capacity = require_scalar("requests_per_second_capacity", requests_per_second_capacity,
                                  require_positive)
    count = require_int("replicas", replicas, minimum=1)
    as_number("replicas", count)  # a count beyond a float is too large, by its own name
    sized = ""
    if latency_target_s is not None:
        hours_ = require_scalar("hours_per_month", hours_per_month, require_positive)
        peak = (require_scalar("requests_per_month", requests_per_month, require_positive)
                / (hours_ * 3600) if peak_rps is None else peak_rps)
        plan = replicas_needed(peak, latency_target_s, gpu, params_b, input_tokens, output_tokens)
        if plan.replicas > count:
            count = plan.replicas
        sized = (f"; {plan.replicas} {'keeps' if plan.replicas == 1 else 'keep'} answers within {float(latency_target_s):,.0f} s at a peak "
                 f"of {float(peak):,.2f} requests a second")
    elif peak_rps is not None:
        raise ValueError("peak_rps needs latency_target_s: give the seconds an answer may take")
    shortcut = require_scalar("shortcut_usd_per_1k_req", shortcut_usd_per_1k_req,
                              require_positive)
    hours = require_scalar("hours_per_month", hours_per_month, require_positive)
    util = float(gpu_utilization(volume, capacity, count, hours))
    answer_s = time_per_answer_s(gpu, params_b, output_tokens, util)
    per_replica = float(hosting_cost_per_month(rate, hours))
    gpu_total = per_replica * count
    with np.errstate(over="ignore"):
        gpu_per_1k = gpu_total / volume * 1000
        totals = np.array([serverless * volume / 1000, gpu_total, gpu_per_1k,
                           shortcut * volume / 1000])
    # a total beyond a float would read as "never" in the table: say it is too large
    finite_result(totals, "a monthly total (USD)", {
        "requests_per_month": volume, "serverless_usd_per_1k_req": serverless,
        "usd_per_gpu_hour": rate, "replicas": count, "shortcut_usd_per_1k_req": shortcut})
    match = float(gpu_breakeven_requests_per_month(rate, shortcut, count, hours))
    capacity_per_month = capacity * 3600 * hours * count
    gpus = f"{count} GPU{'' if count == 1 else 's'}"
    if match <= capacity_per_month:
        shortcut_note = (f"USD {shortcut:,.2f} per 1,000 requests is what the {gpus} cost at "
                         f"{match:,.0f} requests a month ({match / capacity_per_month:.1%} "
                         f"busy); at {volume:,.0f} requests a month they cost "
                         f"USD {gpu_per_1k:,.2f} per 1,000")
    else:
        shortcut_note = (f"USD {shortcut:,.2f} per 1,000 requests is below what the {gpus} "
                         "cost even flat out; only a cheaper or faster GPU reaches it")
    rows = [
        {"option": "serverless, per token", "billed": "per token; nothing when idle",
         "self_hosted_cost_per_1k_req": serverless, "hosting_usd_per_month": 0.0,
         "replicas": 1, "total_usd_per_month": serverless * volume / 1000,
         "effective_usd_per_1k_req": serverless, "utilization": None, "time_per_answer_s": None,
         "note": "the provider runs the GPUs; you pay for the tokens you use"},
        {"option": f"fixed GPU x {count}", "billed": "per GPU-hour, busy or idle",
         "self_hosted_cost_per_1k_req": 0.0, "hosting_usd_per_month": per_replica,
         "replicas": count, "total_usd_per_month": gpu_total,
         "effective_usd_per_1k_req": gpu_per_1k, "utilization": util,
         "time_per_answer_s": answer_s,
         "note": (f"{util:.1%} busy at this volume (each {gpu} serves {capacity:,.2f} requests "
                  f"a second flat out); an answer of {output_tokens:,.0f} tokens takes about "
                  f"{answer_s:,.0f} s{sized}; the bill does not shrink with traffic")},
        {"option": f"per-1k shortcut (USD {shortcut:,.2f})", "billed": "a flat price per request",
         "self_hosted_cost_per_1k_req": shortcut, "hosting_usd_per_month": 0.0, "replicas": 1,
         "total_usd_per_month": shortcut * volume / 1000, "effective_usd_per_1k_req": shortcut,
         "utilization": None, "time_per_answer_s": None, "note": shortcut_note},
    ]
    # utilization applies to GPUs only: <NA> elsewhere (a nullable column, never a float NaN)
    return pd.DataFrame(rows).astype({"utilization": "Float64", "time_per_answer_s": "Float64"})

def _rounded(usd: Any) -> Any:
    """USD rounded to 10 decimals ($1.006 x 730 h is $734.38, not 734.3799999), where rounding
    neither overflows (beyond 1e290) nor wipes out a tiny amount (below a thousandth)."""
    usd = np.asarray(usd, dtype=float)
    size = np.abs(usd)
    return np.where((size >= 1e-3) & (size < 1e290), np.round(usd, 10), usd)
