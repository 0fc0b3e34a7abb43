"""Calculator for lesson 05: retraining cadence and falling prices against the payback month.

The crossover guide says to plan for 2-4 retraining cycles a year and that hosted prices have fallen
50-80 % a year; the economics article warns that "if your workload changes faster than your re-training
cadence, fine-tuning will not pay back". The calculator moves those assumptions on a scenario
and shows the payback month and the cumulative cost curves.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from ..cost_model import Scenario, replace, simulate
from ..sensitivity_plots import (
    cost_curve_series,
    draw_cost_curves,
    payback_sentence,
    update_cost_curves,
)
from ..validation import require_int, require_nonnegative
from ._base import Calculator, Outcome, field_label, float_slider, int_slider, number_box

__all__ = ["retraining", "retraining_outcome"]


def percent_to_share(name: str, value: Any) -> float:
    """A yearly price decline typed in percent (0 to below 100) as a share (0 to below 1).

    >>> percent_to_share("hosted_price_decline_pct", 50)
    0.5
    >>> percent_to_share("hosted_price_decline_pct", 100)
    Traceback (most recent call last):
    ...
    ValueError: hosted_price_decline_pct must be below 100 (a price cannot fall to zero), got 100
    """
    pct = require_nonnegative(name, value)
    if not isinstance(pct, float):
        raise TypeError(f"{name} must be a single number, got an array")
    if pct >= 100:
        raise ValueError(
            f"{name} must be below 100 (a price cannot fall to zero), got {pct:g}"
        )
    return pct / 100.0


def retraining_outcome(retrain_every_months: int, hosted_price_decline_pct: float,
                       finetune_price_decline_pct: float, requests_per_month: float,
                       scenario: Scenario | None = None) -> Outcome:
    """The retraining calculator's result for given control values.

    Parameters
    ----------
    retrain_every_months : int
        Retrain (training plus re-evaluation) every N months; 0 = never.
    hosted_price_decline_pct : float
        Yearly fall in the hosted API's price, percent (0 to below 100).
    finetune_price_decline_pct : float
        Yearly fall in the fine-tuned model's serving and training prices, percent.
    requests_per_month : float
        Requests served per month (>= 0).
    scenario : Scenario, optional
        Every other assumption (default ``Scenario()``, the calculator demo's example).

    Returns
    -------
    Outcome
        ``sentence`` with the payback month; ``data`` holds ``scenario``, ``curves`` and the
        cost-curve ``series``.

    Raises
    ------
    ValueError, TypeError
        For a negative or non-numeric value, a decline of 100 % or more, or a cadence that is
        not a whole number of months.

    Examples
    --------
    The calculator demo's example, retrained every 3 months (the crossover guide's 4 cycles a year) while hosted
    prices fall 50 % a year (the crossover guide's low end):

    >>> retraining_outcome(3, 50, 0, 200_000).sentence
    'Fine-tuning pays back in month 1 (after 0.2 months) and is $21,076 ahead after 12 months'
    >>> retraining_outcome(3, 50, 0, -1).sentence
    Traceback (most recent call last):
    ...
    ValueError: requests_per_month must be >= 0, got -1
    """
    base = scenario if scenario is not None else Scenario()
    s = replace(
        base,
        retrain_every_months=require_int("retrain_every_months", retrain_every_months),
        hosted_price_decline_per_year=percent_to_share("hosted_price_decline_pct",
                                                       hosted_price_decline_pct),
        finetune_price_decline_per_year=percent_to_share("finetune_price_decline_pct",
                                                         finetune_price_decline_pct),
        requests_per_month=require_nonnegative("requests_per_month", requests_per_month),
    )
    curves = simulate(s)
    sentence, title = payback_sentence(s, curves)
    return Outcome(sentence, {"scenario": s, "curves": curves,
                              "series": cost_curve_series(s, curves)}, title=title)


def retraining(scenario: Scenario | None = None, retrain_every_months: int | None = None,
               hosted_price_decline_pct: float | None = None,
               finetune_price_decline_pct: float | None = None,
               requests_per_month: float | None = None) -> Calculator:
    """Retraining cadence and price declines against the payback month, as a widget.

    Every control starts at the scenario's value unless given. The other assumptions (one-time
    costs, hosting, monitoring, horizon) come from ``scenario``.

    Examples
    --------
    >>> calc = retraining()
    >>> calc.result_text
    'Fine-tuning pays back in month 1 (after 0.2 months) and is $30,800 ahead after 12 months'
    >>> calc.set(hosted_price_decline_pct=80, requests_per_month=20_000)
    >>> calc.result_text
    'Fine-tuning pays back in month 2 (after 1.6 months) and is $1,032 ahead after 12 months'
    """
    s = scenario if scenario is not None else Scenario()

    def pick(value: Any, default: Any) -> Any:
        return default if value is None else value

    controls = {
        "retrain_every_months": int_slider(
            field_label("retrain_every_months"),
            pick(retrain_every_months, s.retrain_every_months), 0, 12),
        "hosted_price_decline_pct": float_slider(
            "Hosted price decline (% per year)",
            pick(hosted_price_decline_pct, s.hosted_price_decline_per_year * 100), 0, 90, 5,
            ",.0f"),
        "finetune_price_decline_pct": float_slider(
            "Fine-tuning price decline (% per year)",
            pick(finetune_price_decline_pct, s.finetune_price_decline_per_year * 100), 0, 90, 5,
            ",.0f"),
        "requests_per_month": number_box(
            field_label("requests_per_month"), pick(requests_per_month, s.requests_per_month)),
    }

    def draw(ax, outcome: Outcome):
        return draw_cost_curves(ax, outcome.data["series"])

    def redraw(ax, artists, outcome: Outcome) -> None:
        update_cost_curves(ax, artists, outcome.data["series"])

    return Calculator("Retraining and falling prices: when does fine-tuning pay back?",
                      controls, partial(retraining_outcome, scenario=s), draw, redraw)
