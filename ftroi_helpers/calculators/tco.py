"""Calculators for lesson 03: cost curves over months, and what an idle GPU costs per request."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..cost_model import Scenario, tco
from ..formatting import months_text, usd_per_1k_requests
from ..hosting import (
    gpu_breakeven_requests_per_month,
    gpu_utilization,
    hosting_cost_per_month,
    self_hosted_cost_per_1k_req,
)
from ..plots import (
    FINETUNE_STYLE,
    MARK_STYLE,
    OKABE_ITO,
    PROMPTING_STYLE,
    style_axes,
    usd,
)
from ..serving import capacity_rps
from ..sources import SOURCE_003_REQUESTS_PER_MONTH
from ..validation import require_nonnegative, require_positive
from ._base import Calculator, Outcome, field_label, float_slider, int_slider, number_box

__all__ = ["cost_curves", "cost_curves_outcome", "utilization", "utilization_outcome"]

_DEFAULT = Scenario()


# -- cost curves ---------------------------------------------------------------------------------
def cost_curves_outcome(requests_per_month: float, hosted_cost_per_1k_req: float,
                        self_hosted_cost_per_1k_req: float, data_prep_usd: float,
                        training_usd: float, eval_harness_usd: float,
                        hosting_usd_per_month: float, monitoring_usd_per_month: float,
                        retrain_every_months: int, horizon_months: float, replicas: int = 1,
                        engineering_usd_per_month: float = 0.0,
                        launch_delay_months: int = 0) -> Outcome:
    """The cost-curve calculator's result: :func:`~ftroi_helpers.cost_model.tco` of the control values.

    Parameters
    ----------
    The :class:`~ftroi_helpers.cost_model.Scenario` fields of the same names (money in USD).

    Returns
    -------
    Outcome
        ``TCOResult.summary()`` plus the totals over the horizon; ``data`` holds the
        :class:`~ftroi_helpers.cost_model.TCOResult` and the cumulative series from month 0.

    Raises
    ------
    ValueError, TypeError
        For an impossible scenario (negative money or volume, a horizon below one month or not
        a whole number).

    Examples
    --------
    The calculator demo's example over a year:

    >>> cost_curves_outcome(200_000, 15, 2, 250, 50, 100, 0, 0, 0, 12).sentence
    'Fine-tuning pays back in month 1 (after 4.6 days); over 12 months prompting costs $36,000 and fine-tuning $5,200, saving $30,800.'

    Two months before launch and two replicas of a USD 734 GPU:

    >>> cost_curves_outcome(200_000, 15, 0, 250, 50, 100, 734.38, 0, 0, 12, replicas=2,
    ...                     launch_delay_months=2).sentence.split(";")[0]
    'Fine-tuning pays back in month 3 (after 2.3 months)'
    >>> cost_curves_outcome(200_000, 15, 2, 250, 50, 100, 0, 0, 0, 0).sentence
    Traceback (most recent call last):
    ...
    ValueError: horizon_months must be >= 1, got 0
    """
    scenario = Scenario(
        requests_per_month=requests_per_month,
        hosted_cost_per_1k_req=hosted_cost_per_1k_req,
        self_hosted_cost_per_1k_req=self_hosted_cost_per_1k_req,
        data_prep_usd=data_prep_usd,
        training_usd=training_usd,
        eval_harness_usd=eval_harness_usd,
        hosting_usd_per_month=hosting_usd_per_month,
        monitoring_usd_per_month=monitoring_usd_per_month,
        retrain_every_months=retrain_every_months,
        horizon_months=horizon_months,
        replicas=replicas,
        engineering_usd_per_month=engineering_usd_per_month,
        launch_delay_months=launch_delay_months,
    )
    result = tco(scenario)
    t = result.table
    prompting = float(t["prompting_cumulative_usd"].iloc[-1])
    finetune = float(t["finetune_cumulative_usd"].iloc[-1])
    savings = prompting - finetune
    head = result.summary()
    if result.payback_months is not None:
        head += f" (after {months_text(result.payback_months)})"
    sentence = (f"{head}; over {scenario.horizon_months} months prompting costs {usd(prompting)} "
                f"and fine-tuning {usd(finetune)}")
    if result.payback_months is None:  # the summary already says how far behind it ends
        sentence += "."
    else:
        sentence += f", {'saving' if savings >= 0 else 'losing'} {usd(abs(savings))}."
    months = np.concatenate([[0.0], t["month"].to_numpy(float)])
    series = {
        "months": months,
        "prompting": np.concatenate([[0.0], t["prompting_cumulative_usd"].to_numpy()]),
        # the one-time costs are paid at the start of month 1, i.e. at month 0 on this axis
        "finetune": np.concatenate([[scenario.one_time_usd],
                                    t["finetune_cumulative_usd"].to_numpy()]),
    }
    payback = result.payback_months
    mark = None
    if payback is not None:
        mark = (payback, float(np.interp(payback, months, series["prompting"])))
    title = (result.summary() if payback is not None
             else f"Fine-tuning does not pay back within {scenario.horizon_months} months")
    return Outcome(sentence, {"result": result, "series": series, "mark": mark}, title=title)


def _draw_curves(ax, outcome: Outcome) -> dict:
    s = outcome.data["series"]
    (prompting,) = ax.plot(s["months"], s["prompting"], **PROMPTING_STYLE)
    (finetune,) = ax.plot(s["months"], s["finetune"], **FINETUNE_STYLE)
    (mark,) = ax.plot([], [], linestyle="none", **MARK_STYLE)
    style_axes(ax, title="", xlabel="month", ylabel="cumulative cost (USD)")
    artists = {"prompting": prompting, "finetune": finetune, "mark": mark}
    _redraw_curves(ax, artists, outcome)
    return artists


def _redraw_curves(ax, artists: dict, outcome: Outcome) -> None:
    s = outcome.data["series"]
    artists["prompting"].set_data(s["months"], s["prompting"])
    artists["finetune"].set_data(s["months"], s["finetune"])
    mark = outcome.data["mark"]
    if mark is not None:
        artists["mark"].set_data([mark[0]], [mark[1]])
        artists["mark"].set_label(f"payback: month {mark[0]:,.1f}")
    else:
        artists["mark"].set_data([], [])
        artists["mark"].set_label("_no payback")  # a leading underscore keeps it off the legend
    ax.legend(frameon=False, loc="upper left", fontsize=9)
    top = max(float(np.max(s["prompting"])), float(np.max(s["finetune"])), 1.0)
    ax.set_xlim(0, s["months"][-1])
    ax.set_ylim(0, top * 1.3)


def cost_curves(requests_per_month: float = _DEFAULT.requests_per_month,
                hosted_cost_per_1k_req: float = _DEFAULT.hosted_cost_per_1k_req,
                self_hosted_cost_per_1k_req: float = _DEFAULT.self_hosted_cost_per_1k_req,
                data_prep_usd: float = _DEFAULT.data_prep_usd,
                training_usd: float = _DEFAULT.training_usd,
                eval_harness_usd: float = _DEFAULT.eval_harness_usd,
                hosting_usd_per_month: float = _DEFAULT.hosting_usd_per_month,
                monitoring_usd_per_month: float = _DEFAULT.monitoring_usd_per_month,
                retrain_every_months: int = _DEFAULT.retrain_every_months,
                horizon_months: int = _DEFAULT.horizon_months,
                replicas: int = _DEFAULT.replicas,
                engineering_usd_per_month: float = _DEFAULT.engineering_usd_per_month,
                launch_delay_months: int = _DEFAULT.launch_delay_months) -> Calculator:
    """Total cost of ownership over months as a widget; defaults are the calculator demo's example.

    >>> calc = cost_curves()
    >>> calc.result_text.startswith("Fine-tuning pays back in month 1")
    True
    >>> calc.set(horizon_months=0)
    >>> calc.error
    'horizon_months must be >= 1, got 0'
    """
    controls = {
        "requests_per_month": number_box(field_label("requests_per_month"), requests_per_month),
        "hosted_cost_per_1k_req": float_slider(
            field_label("hosted_cost_per_1k_req"), hosted_cost_per_1k_req, 0, 50, 0.25),
        "self_hosted_cost_per_1k_req": float_slider(
            field_label("self_hosted_cost_per_1k_req"), self_hosted_cost_per_1k_req,
            0, 50, 0.25),
        "data_prep_usd": float_slider(field_label("data_prep_usd"), data_prep_usd,
                                      0, 20_000, 50, ",.0f"),
        "training_usd": float_slider(field_label("training_usd"), training_usd,
                                     0, 5_000, 5, ",.0f"),
        "eval_harness_usd": float_slider(field_label("eval_harness_usd"),
                                         eval_harness_usd, 0, 5_000, 25, ",.0f"),
        "hosting_usd_per_month": float_slider(
            field_label("hosting_usd_per_month"), hosting_usd_per_month,
            0, 5_000, 10, ",.0f"),
        "monitoring_usd_per_month": float_slider(field_label("monitoring_usd_per_month"),
                                                 monitoring_usd_per_month, 0, 2_000, 10, ",.0f"),
        "retrain_every_months": int_slider(field_label("retrain_every_months"),
                                           retrain_every_months, 0, 12),
        "horizon_months": number_box(field_label("horizon_months"), horizon_months),
        "replicas": int_slider(field_label("replicas"), replicas, 1, 6),
        "engineering_usd_per_month": float_slider(
            field_label("engineering_usd_per_month"), engineering_usd_per_month, 0, 5_000, 100,
            ",.0f"),
        "launch_delay_months": int_slider(field_label("launch_delay_months"),
                                          launch_delay_months, 0, 6),
    }
    return Calculator("Cost curves: cumulative cost of prompting vs fine-tuning", controls,
                      cost_curves_outcome, _draw_curves, _redraw_curves)


# -- self-hosted utilization ---------------------------------------------------------------------
def utilization_outcome(usd_per_gpu_hour: float, requests_per_second_capacity: float,
                        requests_per_month: float, hosted_cost_per_1k_req: float) -> Outcome:
    """The utilization calculator's result: how busy one always-on GPU is, and its $/1k.

    Parameters
    ----------
    usd_per_gpu_hour : USD per GPU-hour, billed around the clock (> 0)
    requests_per_second_capacity : requests per second the GPU serves flat out (> 0)
    requests_per_month : requests actually served per month (> 0, at most the capacity)
    hosted_cost_per_1k_req : the hosted API's USD per 1,000 requests, for comparison (> 0)

    Returns
    -------
    Outcome
        The sentence; ``data`` has the utilization, the self-hosted $/1k, the monthly bill,
        the volume where the GPU matches the hosted price, and the curve for the figure.

    Raises
    ------
    ValueError, TypeError
        For a price, capacity or volume that is not positive, or a volume above the GPU's
        capacity (utilization over 100 %).

    Examples
    --------
    The calculator demo's 200k requests/month on an AWS g5.xlarge ($1.006/hour, one A10G) serving
    an 8B model at 500 in / 1,000 out tokens (:func:`~ftroi_helpers.serving.capacity_rps`):

    >>> from ftroi_helpers.serving import capacity_rps
    >>> utilization_outcome(1.006, capacity_rps("A10G", 8, 500, 1_000), 200_000, 15).sentence
    'At 200,000 requests a month the GPU is 5.7% busy: its $734 monthly bill makes every 1,000 requests cost $3.67, against $15.00 hosted (break-even volume: 48,959 requests a month).'
    """
    # a rented GPU is never free (and a zero price has no place on the log-scale figure)
    require_positive("usd_per_gpu_hour", usd_per_gpu_hour)
    util = float(gpu_utilization(requests_per_month, requests_per_second_capacity))
    for name, value in (("hosted_cost_per_1k_req", hosted_cost_per_1k_req),
                        ("usd_per_gpu_hour", usd_per_gpu_hour)):
        if require_nonnegative(name, value) > 1e300:  # no room left on the price axis
            raise ValueError(f"{name} is too large to chart (at most 1e300 USD), got "
                             f"{float(value):.3g}")
    if util == 0:  # the volume is a vanishing share of a capacity beyond reason
        raise ValueError(
            "requests_per_second_capacity is too large for this volume: the GPU would be 0% "
            f"busy (requests_per_month={float(requests_per_month):.3g}, "
            f"requests_per_second_capacity={float(requests_per_second_capacity):.3g})")
    per_1k = float(self_hosted_cost_per_1k_req(usd_per_gpu_hour, requests_per_second_capacity,
                                               util))
    bill = float(hosting_cost_per_month(usd_per_gpu_hour))
    hosted = float(require_nonnegative("hosted_cost_per_1k_req", hosted_cost_per_1k_req))
    capacity_per_month = float(requests_per_month) / util
    if hosted > 0:
        match = float(gpu_breakeven_requests_per_month(usd_per_gpu_hour, hosted))
    else:
        match = math.inf
    sentence = (f"At {float(requests_per_month):,.0f} requests a month the GPU is "
                f"{_percent(util)} busy: its {usd(bill)} monthly bill makes every 1,000 requests "
                f"cost {usd_per_1k_requests(per_1k)}, against {usd_per_1k_requests(hosted)} hosted")
    if match <= capacity_per_month:
        sentence += f" (break-even volume: {match:,.0f} requests a month)."
    else:
        sentence += " (even flat out this GPU cannot match the hosted price)."
    cheaper = per_1k < hosted
    title = ("Self-hosting is cheaper per request at this volume" if cheaper
             else "The hosted API is cheaper per request at this volume")
    # the cost per 1k requests across volumes, from 0.05 % utilization (or lower) to 100 %
    low = min(0.0005, util / 2)
    utils = np.geomspace(low, 1.0, 120)
    curve = self_hosted_cost_per_1k_req(usd_per_gpu_hour, requests_per_second_capacity, utils)
    data: dict[str, Any] = {
        "utilization": util,
        "self_hosted_cost_per_1k_req": per_1k,
        "hosting_usd_per_month": bill,
        "hosted_cost_per_1k_req": hosted,
        # None: no volume matches a free hosted API (ftroi_helpers.never)
        "breakeven_requests_per_month": match if math.isfinite(match) else None,
        "capacity_requests_per_month": capacity_per_month,
        "curve": (utils * capacity_per_month, np.asarray(curve)),
        "point": (float(requests_per_month), per_1k),
    }
    return Outcome(sentence, data, title=title)


def _percent(fraction: float) -> str:
    """'5.7%', '0.57%', '12%' -- two significant figures below 10 %.

    >>> _percent(0.056850), _percent(0.0056850), _percent(0.5)
    ('5.7%', '0.57%', '50%')
    """
    pct = fraction * 100
    return f"{pct:.2g}%" if pct < 10 else f"{pct:.0f}%"


def _draw_utilization(ax, outcome: Outcome) -> dict:
    from matplotlib.ticker import FuncFormatter

    d = outcome.data
    (curve,) = ax.plot(*d["curve"], color=OKABE_ITO["blue"], linestyle="--", linewidth=2.2,
                       label="self-hosted GPU, always on")
    hosted = ax.axhline(d["hosted_cost_per_1k_req"], **{**PROMPTING_STYLE,
                                                        "label": "hosted API"})
    (point,) = ax.plot([], [], linestyle="none", **MARK_STYLE)
    ax.set_xscale("log")
    ax.set_yscale("log")
    style_axes(ax, title="", xlabel="requests per month (log scale)",
               ylabel="USD per 1,000 requests (log scale)", money_axis=None)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: usd(v, 2 if v < 1 else 0)))
    ax.minorticks_off()  # a third of each redraw went on unlabelled minor ticks (benchmarks/)
    artists = {"curve": curve, "hosted": hosted, "point": point}
    _redraw_utilization(ax, artists, outcome)
    return artists


def _redraw_utilization(ax, artists: dict, outcome: Outcome) -> None:
    d = outcome.data
    x, y = d["curve"]
    artists["curve"].set_data(x, y)
    artists["hosted"].set_ydata([d["hosted_cost_per_1k_req"]] * 2)
    px, py = d["point"]
    artists["point"].set_data([px], [py])
    artists["point"].set_label(f"you: {_percent(d['utilization'])} busy, {usd_per_1k_requests(py)} per 1k")
    ax.legend(frameon=False, loc="upper right", fontsize=9)
    values = np.concatenate([y, [max(d["hosted_cost_per_1k_req"], 1e-3)]])
    ax.set_xlim(float(x[0]), float(x[-1]))
    ax.set_ylim(float(values.min()) / 2, float(values.max()) * 4)


def utilization(usd_per_gpu_hour: float = 1.006, requests_per_second_capacity: float | None = None,
                requests_per_month: float = SOURCE_003_REQUESTS_PER_MONTH,
                hosted_cost_per_1k_req: float = 15.0) -> Calculator:
    """An always-on GPU as a widget: utilization and cost per 1,000 requests.

    Defaults: an AWS g5.xlarge (one A10G, $1.006/hour on demand) serving an 8B model at 500 in /
    1,000 out tokens (its capacity from the measured table,
    :func:`~ftroi_helpers.serving.capacity_rps`: 1.34 requests a second), the calculator demo's
    200k requests/month and its $15 per 1k hosted price.

    >>> calc = utilization()
    >>> calc.result_text.startswith("At 200,000 requests a month the GPU is 5.7% busy")
    True
    >>> calc.set(requests_per_month=30_000_000)
    >>> calc.error.startswith("requests_per_month must be at most the deployment's capacity")
    True
    """
    if requests_per_second_capacity is None:
        requests_per_second_capacity = round(capacity_rps("A10G", 8, 500, 1_000), 2)
    controls = {
        "usd_per_gpu_hour": float_slider("GPU price (USD per hour)", usd_per_gpu_hour,
                                         0.05, 10, 0.05, ",.3f"),
        "requests_per_second_capacity": number_box("GPU capacity (requests per second)",
                                                   requests_per_second_capacity),
        "requests_per_month": number_box(field_label("requests_per_month"), requests_per_month),
        "hosted_cost_per_1k_req": float_slider(field_label("hosted_cost_per_1k_req"),
                                               hosted_cost_per_1k_req, 0.25, 50, 0.25),
    }
    return Calculator("Self-hosting: an idle GPU still bills", controls, utilization_outcome,
                      _draw_utilization, _redraw_utilization)
