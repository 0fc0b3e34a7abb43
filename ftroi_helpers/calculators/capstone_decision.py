"""Calculator for lesson 06 (the capstone): does fine-tuning pay back within a quarter?

The calculator demo asks: at 200k requests/month on a hosted model, would fine-tuning a small open model
to self-host pay back within a quarter, and which assumptions dominate? The calculator sets the
key assumptions and reports exactly what lesson 06's text and figures report, from the same
function (:func:`ftroi_helpers.capstone.capstone_answer`): the payback at the point values;
P(payback within 3 months), P(payback within 12 months) and P(ahead at month 12) from a seeded
Monte Carlo over the lesson's ranges (:data:`~ftroi_helpers.sensitivity.REALISTIC_RANGES`,
widened to contain the controls' values); and the assumptions that drive the spread. At its
starting values it gives the lesson's numbers exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from ..capstone import capstone_answer
from ..cost_model import REALISTIC, Scenario, replace, simulate
from ..hosting import HOURS_PER_MONTH, hosting_cost_per_month
from ..sensitivity_plots import cost_curve_series, draw_cost_curves, update_cost_curves
from ..validation import require_int, require_nonnegative
from ._base import Calculator, Outcome, field_label, float_slider, int_slider, number_box

__all__ = ["capstone", "capstone_outcome"]


def capstone_title(answer: Any) -> str:
    """The figure title: :meth:`~ftroi_helpers.capstone.CapstoneAnswer.title`.

    >>> from ftroi_helpers.capstone import capstone_answer
    >>> capstone_title(capstone_answer(n_draws=2_000)).startswith("Payback month 6")
    True
    """
    return str(answer.title())


def capstone_outcome(requests_per_month: float, hosted_cost_per_1k_req: float,
                     usd_per_gpu_hour: float, replicas: int, data_prep_usd: float,
                     engineering_usd_per_month: float, launch_delay_months: int,
                     retrain_every_months: int, model_switch_month: int,
                     scenario: Scenario | None = None,
                     ranges: Mapping[str, tuple[float, float]] | None = None,
                     n_draws: int = 10_000, seed: int = 0, within_months: int = 3,
                     distribution: str = "split") -> Outcome:
    """The capstone calculator's result for given control values.

    Parameters
    ----------
    requests_per_month : float
        Requests served per month (>= 0).
    hosted_cost_per_1k_req : float
        USD per 1,000 requests on the hosted API (>= 0).
    usd_per_gpu_hour : float
        USD per hour for one GPU serving the fine-tuned model, billed around the clock
        (730 hours a month) and stored as ``hosting_usd_per_month``.
    replicas : int
        GPUs kept up (>= 1).
    data_prep_usd : float
        One-time USD for the training data (>= 0).
    engineering_usd_per_month : float
        People's time to run the system, USD per month (>= 0).
    launch_delay_months : int
        Whole months before the fine-tuned model serves traffic (>= 0).
    retrain_every_months : int
        Retrain every N months after launch; 0 = never.
    model_switch_month : int
        Month in which a cheaper hosted model arrives (0 = none, else >= 2).
    scenario : Scenario, optional
        Everything else; default :data:`~ftroi_helpers.cost_model.REALISTIC`.
    ranges : dict, optional
        The Monte Carlo's ranges; default :data:`~ftroi_helpers.sensitivity.REALISTIC_RANGES`.
    n_draws, seed : int
        Monte Carlo draws and seed (10,000 and 0, as in lesson 06: the same numbers).
    within_months : int
        The deadline (3: "within a quarter").

    Returns
    -------
    Outcome
        The answer's sentences; ``data`` holds ``scenario``, ``curves``, ``series`` and
        ``answer`` (a :class:`~ftroi_helpers.capstone.CapstoneAnswer`).

    Raises
    ------
    ValueError, TypeError
        For a negative cost or volume, fewer than one replica, or months that are not whole.

    Examples
    --------
    >>> out = capstone_outcome(200_000, 15, 1.006, 2, 2_500, 500, 1, 3, 9, n_draws=2_000)
    >>> out.sentence.split(" (")[0]
    'At the point values fine-tuning pays back in month 6'
    >>> capstone_outcome(200_000, 15, 1.006, 0, 2_500, 500, 1, 3, 9).sentence
    Traceback (most recent call last):
    ...
    ValueError: replicas must be >= 1, got 0
    """
    base = scenario if scenario is not None else REALISTIC
    gpu = require_nonnegative("usd_per_gpu_hour", usd_per_gpu_hour)
    s = replace(
        base,
        requests_per_month=require_nonnegative("requests_per_month", requests_per_month),
        hosted_cost_per_1k_req=require_nonnegative("hosted_cost_per_1k_req",
                                                   hosted_cost_per_1k_req),
        hosting_usd_per_month=hosting_cost_per_month(gpu),
        # the GPUs serve: no price per request on top, unless the scenario says it is extra
        self_hosted_cost_per_1k_req=(base.self_hosted_cost_per_1k_req
                                     if base.per_request_on_top_of_hosting else 0.0),
        replicas=require_int("replicas", replicas, minimum=1),
        data_prep_usd=require_nonnegative("data_prep_usd", data_prep_usd),
        engineering_usd_per_month=require_nonnegative("engineering_usd_per_month",
                                                      engineering_usd_per_month),
        launch_delay_months=require_int("launch_delay_months", launch_delay_months),
        retrain_every_months=require_int("retrain_every_months", retrain_every_months),
        model_switch_month=require_int("model_switch_month", model_switch_month),
    )
    answer = capstone_answer(s, ranges, n_draws=n_draws, seed=seed,
                             deadline_months=within_months, distribution=distribution)
    curves = simulate(s)
    return Outcome(answer.text(), {"scenario": s, "curves": curves,
                                   "series": cost_curve_series(s, curves), "answer": answer,
                                   "p_payback_within": answer.p_within_deadline},
                   title=capstone_title(answer))


def capstone(scenario: Scenario | None = None,
             ranges: Mapping[str, tuple[float, float]] | None = None,
             n_draws: int = 10_000, seed: int = 0, within_months: int = 3) -> Calculator:
    """The calculator demo's question as a widget: payback, three probabilities, drivers, curves.

    The controls start at ``scenario``'s values (default
    :data:`~ftroi_helpers.cost_model.REALISTIC`, lesson 06's scenario), and at those values the
    calculator reports lesson 06's numbers.

    Examples
    --------
    >>> calc = capstone(n_draws=2_000)
    >>> calc.outcome.data["answer"].payback_month
    6
    >>> calc.set(replicas=1, data_prep_usd=1_000)
    >>> calc.result_text.split(" (")[0]
    'At the point values fine-tuning pays back in month 3'
    """
    s = scenario if scenario is not None else REALISTIC
    require_int("n_draws", n_draws, minimum=1)
    require_int("within_months", within_months, minimum=1)
    controls: dict[str, Any] = {
        "requests_per_month": number_box(field_label("requests_per_month"), s.requests_per_month),
        "hosted_cost_per_1k_req": float_slider(
            field_label("hosted_cost_per_1k_req"), s.hosted_cost_per_1k_req, 0, 50, 0.5),
        "usd_per_gpu_hour": float_slider(
            "GPU for the fine-tuned model (USD per hour, 730 h a month)",
            s.hosting_usd_per_month / HOURS_PER_MONTH, 0, 5, 0.01, ",.3f"),
        "replicas": int_slider(field_label("replicas"), s.replicas, 1, 4),
        "data_prep_usd": float_slider(
            field_label("data_prep_usd"), s.data_prep_usd, 0, 20_000, 250, ",.0f"),
        "engineering_usd_per_month": float_slider(
            field_label("engineering_usd_per_month"), s.engineering_usd_per_month, 0, 5_000, 100,
            ",.0f"),
        "launch_delay_months": int_slider(
            field_label("launch_delay_months"), s.launch_delay_months, 0, 6),
        "retrain_every_months": int_slider(
            field_label("retrain_every_months"), s.retrain_every_months, 0, 12),
        "model_switch_month": int_slider(
            field_label("model_switch_month"), s.model_switch_month, 0, 12),
    }

    def draw(ax, outcome: Outcome):
        ax.figure.subplots_adjust(top=0.83)  # room for the two-line title
        return draw_cost_curves(ax, outcome.data["series"])

    def redraw(ax, artists, outcome: Outcome) -> None:
        update_cost_curves(ax, artists, outcome.data["series"])

    compute = partial(capstone_outcome, scenario=s, ranges=ranges, n_draws=n_draws, seed=seed,
                      within_months=within_months)
    return Calculator("Capstone: does fine-tuning pay back within a quarter?", controls,
                      compute, draw, redraw)
