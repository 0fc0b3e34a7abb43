"""Calculator for lesson 06 (the capstone): does fine-tuning pay back within a quarter?

The calculator demo asks: at 200k requests/month on a hosted model, would fine-tuning a small open model
to self-host pay back within a quarter, and which assumptions dominate? The calculator sets the
key assumptions, shows the payback month and the cost curves, and a small seeded Monte Carlo
(:func:`ftroi_helpers.sensitivity.monte_carlo`, 2,000 draws) gives the chance of payback within
the deadline if every assumption could be off by the chosen percentage.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from ..cost_model import Scenario, replace, simulate
from ..hosting import HOURS_PER_MONTH, hosting_cost_per_month
from ..sensitivity import DEFAULT_RANGES, monte_carlo, ranges_around, share_text
from ..sensitivity_plots import (
    cost_curve_series,
    draw_cost_curves,
    payback_sentence,
    update_cost_curves,
)
from ..validation import require_fraction, require_int, require_nonnegative
from ._base import Calculator, Outcome, float_slider, int_slider, number_box
from .drift import percent_to_share

__all__ = ["capstone", "capstone_outcome"]

#: The assumptions the Monte Carlo varies around the calculator's values.
UNCERTAIN_FIELDS = (*DEFAULT_RANGES, "hosting_usd_per_month")


def capstone_outcome(requests_per_month: float, hosted_cost_per_1k_req: float,
                     usd_per_gpu_hour: float, data_prep_usd: float,
                     monitoring_usd_per_month: float, retrain_every_months: int,
                     hosted_price_decline_pct: float, uncertainty_pct: float,
                     scenario: Scenario | None = None, n_draws: int = 2_000, seed: int = 0,
                     within_months: int = 3) -> Outcome:
    """The capstone calculator's result for given control values.

    Parameters
    ----------
    requests_per_month : float
        Requests served per month (>= 0).
    hosted_cost_per_1k_req : float
        USD per 1,000 requests on the hosted API (>= 0).
    usd_per_gpu_hour : float
        USD per hour for the GPU serving the fine-tuned model, billed around the clock
        (730 hours a month) and stored as ``hosting_usd_per_month``.
    data_prep_usd : float
        One-time USD for the training data (>= 0).
    monitoring_usd_per_month : float
        USD per month to watch the model's quality in production (>= 0).
    retrain_every_months : int
        Retrain every N months; 0 = never.
    hosted_price_decline_pct : float
        Yearly fall in the hosted price, percent (0 to below 100).
    uncertainty_pct : float
        How far each assumption could be off, +/- percent (0 to 100), for the Monte Carlo
        (:func:`~ftroi_helpers.sensitivity.ranges_around`).
    scenario : Scenario, optional
        Everything else (serving cost per request, training and evaluation cost, horizon);
        default ``Scenario()``.
    n_draws, seed : int
        Monte Carlo draws and seed (2,000 and 0: the answer is the same every time).
    within_months : int
        The deadline (3: "within a quarter").

    Returns
    -------
    Outcome
        The payback sentence followed by the Monte Carlo's; ``data`` holds ``scenario``,
        ``curves``, ``series``, ``monte_carlo`` (a MonteCarloResult) and
        ``p_payback_within``.

    Raises
    ------
    ValueError, TypeError
        For a negative cost or volume, a decline of 100 % or more, an uncertainty above 100 %,
        or a cadence that is not a whole number of months.

    Examples
    --------
    The calculator demo's example (no GPU fee: its $2 per 1k includes the GPU) with every assumption
    +/- 50 %:

    >>> out = capstone_outcome(200_000, 15, 0, 250, 0, 0, 0, 50)
    >>> out.sentence
    'Fine-tuning pays back in month 1 (after 0.2 months) and is $30,800 ahead after 12 months. If every assumption could be off by ±50%: payback within 3 months in 100% of 2,000 draws.'
    >>> capstone_outcome(200_000, 15, 0, 250, 0, 0, 0, 150).sentence
    Traceback (most recent call last):
    ...
    ValueError: uncertainty_pct must be between 0 and 100, got 150
    """
    base = scenario if scenario is not None else Scenario()
    gpu = require_nonnegative("usd_per_gpu_hour", usd_per_gpu_hour)
    pct = require_nonnegative("uncertainty_pct", uncertainty_pct)
    if pct > 100:
        raise ValueError(f"uncertainty_pct must be between 0 and 100, got {pct:g}")
    spread = require_fraction("uncertainty_pct", pct / 100)
    s = replace(
        base,
        requests_per_month=require_nonnegative("requests_per_month", requests_per_month),
        hosted_cost_per_1k_req=require_nonnegative("hosted_cost_per_1k_req",
                                                   hosted_cost_per_1k_req),
        hosting_usd_per_month=hosting_cost_per_month(gpu),
        data_prep_usd=require_nonnegative("data_prep_usd", data_prep_usd),
        monitoring_usd_per_month=require_nonnegative("monitoring_usd_per_month",
                                                     monitoring_usd_per_month),
        retrain_every_months=require_int("retrain_every_months", retrain_every_months),
        hosted_price_decline_per_year=percent_to_share("hosted_price_decline_pct",
                                                       hosted_price_decline_pct),
    )
    curves = simulate(s)
    sentence = payback_sentence(s, curves)[0]
    mc = monte_carlo(s, ranges_around(s, spread, UNCERTAIN_FIELDS), n_draws=n_draws, seed=seed,
                     within_months=within_months)
    sentence = (f"{sentence}. If every assumption could be off by ±{pct:g}%: "
                f"{mc.summary()[0].lower()}{mc.summary()[1:]}.")
    month = int(curves.payback_month[0])
    title = (f"{'No payback' if month == 0 else f'Payback month {month}'}; "
             f"{share_text(mc.p_payback_within)} chance within {mc.within_months} months")
    return Outcome(sentence, {"scenario": s, "curves": curves,
                              "series": cost_curve_series(s, curves), "monte_carlo": mc,
                              "p_payback_within": mc.p_payback_within}, title=title)


def capstone(scenario: Scenario | None = None, uncertainty_pct: float = 50.0,
             n_draws: int = 2_000, seed: int = 0, within_months: int = 3) -> Calculator:
    """The calculator demo's question as a widget: payback month, P(payback within a quarter), curves.

    The controls start at ``scenario``'s values (default ``Scenario()``, the calculator demo's example;
    lesson 06 passes its realistic scenario with a GPU billed by the hour).

    Examples
    --------
    >>> calc = capstone()
    >>> calc.outcome.data["p_payback_within"]
    1.0
    >>> calc.set(usd_per_gpu_hour=1.006, data_prep_usd=5_000)
    >>> calc.result_text.split(". ")[0]
    'Fine-tuning pays back in month 3 (after 2.8 months) and is $17,237 ahead after 12 months'
    """
    s = scenario if scenario is not None else Scenario()
    require_int("n_draws", n_draws, minimum=1)
    require_int("within_months", within_months, minimum=1)
    controls: dict[str, Any] = {
        "requests_per_month": number_box("Requests per month", s.requests_per_month),
        "hosted_cost_per_1k_req": float_slider(
            "Hosted price (USD per 1,000 requests)", s.hosted_cost_per_1k_req, 0, 50, 0.5),
        "usd_per_gpu_hour": float_slider(
            "GPU for the fine-tuned model (USD per hour, 730 h a month)",
            s.hosting_usd_per_month / HOURS_PER_MONTH, 0, 5, 0.01, ",.3f"),
        "data_prep_usd": float_slider(
            "Data preparation (USD, one-time)", s.data_prep_usd, 0, 20_000, 250, ",.0f"),
        "monitoring_usd_per_month": float_slider(
            "Monitoring (USD per month)", s.monitoring_usd_per_month, 0, 2_000, 50, ",.0f"),
        "retrain_every_months": int_slider(
            "Retrain every (months; 0 = never)", s.retrain_every_months, 0, 12),
        "hosted_price_decline_pct": float_slider(
            "Hosted price decline (% per year)", s.hosted_price_decline_per_year * 100, 0, 90,
            5, ",.0f"),
        "uncertainty_pct": float_slider(
            "Uncertainty in every assumption (± %)", uncertainty_pct, 0, 100, 5, ",.0f"),
    }

    def draw(ax, outcome: Outcome):
        return draw_cost_curves(ax, outcome.data["series"])

    def redraw(ax, artists, outcome: Outcome) -> None:
        update_cost_curves(ax, artists, outcome.data["series"])

    compute = partial(capstone_outcome, scenario=s, n_draws=n_draws, seed=seed,
                      within_months=within_months)
    return Calculator("Capstone: does fine-tuning pay back within a quarter?", controls,
                      compute, draw, redraw)
