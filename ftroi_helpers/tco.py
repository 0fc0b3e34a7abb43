"""Total cost of ownership over months: keep prompting a hosted model, or fine-tune?

A :class:`Scenario` is a small frozen record of assumptions with defaults from the sources; a
lesson changes one field at a time with :func:`dataclasses.replace`. :func:`tco` turns a scenario
into a month-by-month table and a payback month. :func:`simulate` runs the same model on arrays of
assumptions at once (thousands of scenarios, no Python loop), for sensitivity analysis.

Timing conventions (the same everywhere in the workbook):

* one-time costs (data preparation, training, the evaluation harness) are paid at the start of
  month 1;
* a retraining (training plus evaluation again) is paid at the start of months
  ``1 + N, 1 + 2N, ...`` when ``retrain_every_months = N > 0``;
* inference, hosting fees and monitoring accrue evenly through each month;
* a yearly price decline ``d`` multiplies a price in month ``m`` by ``(1 - d) ** ((m - 1) / 12)``.
  The hosted API's decline applies to its per-request price; fine-tuning's decline applies to the
  self-hosted per-request price and to the training part of each retraining.

The payback month is the first month at whose end the cumulative cost of fine-tuning is no higher
than that of prompting (``None`` when that never happens within the horizon).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .tokens import request_cost
from .validation import (
    Number,
    require_fraction,
    require_int,
    require_nonnegative,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Curves", "Scenario", "TCOResult", "simulate", "tco"]


@dataclass(frozen=True)
class Scenario:
    """Assumptions for one prompting-versus-fine-tuning comparison. Money in USD.

    The defaults are source 003's example: 200,000 requests a month on a hosted model at $15
    per 1,000 requests, a self-hosted fine-tuned small model at $2 per 1,000, and a $400 one-time
    project (split here into data, training and evaluation; the split is ours, the total is the
    source's). No hosting fee, monitoring, retraining or price decline until you add them.

    >>> s = Scenario()
    >>> s.one_time_usd
    400.0
    >>> dataclasses.replace(s, retrain_every_months=3).retrain_every_months
    3
    """

    #: Requests served per month.
    requests_per_month: float = 200_000.0
    #: USD per 1,000 requests when prompting the hosted model.
    hosted_cost_per_1k_req: float = 15.0
    #: USD per 1,000 requests for the fine-tuned model's inference (per-request part only).
    self_hosted_cost_per_1k_req: float = 2.0
    #: One-time USD for collecting, cleaning and labelling training data.
    data_prep_usd: float = 250.0
    #: USD per training run (also paid again at each retraining).
    training_usd: float = 50.0
    #: USD to build the evaluation harness (paid again, as re-evaluation, at each retraining).
    eval_harness_usd: float = 100.0
    #: Fixed USD per month for the fine-tuned model: a GPU billed by the hour or a deployment fee.
    hosting_usd_per_month: float = 0.0
    #: USD per month to monitor the fine-tuned model's quality in production.
    monitoring_usd_per_month: float = 0.0
    #: Retrain every N months (0 = never).
    retrain_every_months: int = 0
    #: Yearly fall in the hosted API's per-request price, 0 to 1 (0.5 = halves each year).
    hosted_price_decline_per_year: float = 0.0
    #: Yearly fall in fine-tuning's inference and training prices, 0 to 1.
    finetune_price_decline_per_year: float = 0.0
    #: Months to compare over.
    horizon_months: int = 12

    def __post_init__(self) -> None:
        _validate_fields({f.name: getattr(self, f.name) for f in fields(self)}, scalar=True)

    @property
    def one_time_usd(self) -> float:
        """Data preparation + training + evaluation harness, paid once at the start."""
        return float(self.data_prep_usd + self.training_usd + self.eval_harness_usd)

    @classmethod
    def from_tokens(
        cls,
        requests_per_day: float,
        prompted_input_tokens: float,
        finetuned_input_tokens: float,
        output_tokens: float,
        base_usd_per_1m_input: float,
        base_usd_per_1m_output: float,
        ft_usd_per_1m_input: float,
        ft_usd_per_1m_output: float,
        days_per_month: float = 30,
        **assumptions: Any,
    ) -> Scenario:
        """Build a scenario whose per-1k-request costs come from the token model.

        >>> s = Scenario.from_tokens(10_000, 800, 200, 50, 0.15, 0.60, 0.30, 1.20)
        >>> s.requests_per_month, round(s.hosted_cost_per_1k_req, 4), round(s.self_hosted_cost_per_1k_req, 4)
        (300000.0, 0.15, 0.12)
        """
        requests = require_nonnegative("requests_per_day", requests_per_day) * require_nonnegative(
            "days_per_month", days_per_month
        )
        hosted = request_cost(
            prompted_input_tokens, output_tokens, base_usd_per_1m_input, base_usd_per_1m_output
        )
        tuned = request_cost(
            finetuned_input_tokens, output_tokens, ft_usd_per_1m_input, ft_usd_per_1m_output
        )
        return cls(
            requests_per_month=float(requests),
            hosted_cost_per_1k_req=float(hosted) * 1000,
            self_hosted_cost_per_1k_req=float(tuned) * 1000,
            **assumptions,
        )


_FRACTIONS = {"hosted_price_decline_per_year", "finetune_price_decline_per_year"}
_INTS = {"retrain_every_months", "horizon_months"}


def _validate_fields(values: dict[str, Any], *, scalar: bool) -> dict[str, Number]:
    """Check every scenario field once; return floats/arrays ready for the model."""
    out: dict[str, Number] = {}
    for name, value in values.items():
        if name == "horizon_months":
            out[name] = require_int(name, value, minimum=1)
        elif name == "retrain_every_months":
            if scalar or np.ndim(value) == 0:
                out[name] = float(require_int(name, value, minimum=0))
            else:
                arr = require_nonnegative(name, value)
                if not np.all(np.mod(arr, 1) == 0):
                    raise TypeError(f"{name} must hold whole numbers of months")
                out[name] = arr
        elif name in _FRACTIONS:
            decline = require_fraction(name, value)
            if np.any(np.asarray(decline) >= 1):
                raise ValueError(f"{name} must be below 1 (a price cannot fall to zero), got 1")
            out[name] = decline
        else:
            out[name] = require_nonnegative(name, value)
    return out


class Curves(NamedTuple):
    """Month-by-month results of :func:`simulate`; arrays shaped ``(scenarios, months)``."""

    prompting_usd: np.ndarray
    finetune_usd: np.ndarray
    prompting_cumulative_usd: np.ndarray
    finetune_cumulative_usd: np.ndarray
    #: Fractional months until fine-tuning has paid back (``inf`` if not within the horizon).
    payback_months: np.ndarray
    #: Month (1-based) in which payback happens (``0`` if not within the horizon).
    payback_month: np.ndarray


def simulate(scenario: Scenario | None = None, **arrays: Number) -> Curves:
    """Run the TCO model for many scenarios at once.

    Any :class:`Scenario` field except ``horizon_months`` may be given as an array; arrays
    broadcast against each other and the result has one row per scenario.

    Examples
    --------
    Source 003's example pays back within the first month; at $3 per 1k hosted, later:

    >>> c = simulate(Scenario(), hosted_cost_per_1k_req=np.array([15.0, 3.0]))
    >>> c.payback_month
    array([1, 2])
    >>> c.payback_months.round(2)
    array([0.15, 2.  ])
    """
    base = scenario if scenario is not None else Scenario()
    unknown = set(arrays) - {f.name for f in fields(Scenario)}
    if unknown:
        raise TypeError(f"unknown scenario field(s): {', '.join(sorted(unknown))}")
    if "horizon_months" in arrays:
        raise TypeError("horizon_months must be set on the scenario, not given as an array")
    values = {f.name: getattr(base, f.name) for f in fields(Scenario)}
    values.update(arrays)
    p = _validate_fields(values, scalar=False)
    horizon = int(p["horizon_months"])
    col = {k: np.atleast_1d(np.asarray(v, dtype=float))[:, None] for k, v in p.items()
           if k != "horizon_months"}
    month = np.arange(1, horizon + 1, dtype=float)[None, :]
    years = (month - 1) / 12.0
    hosted_mult = (1.0 - col["hosted_price_decline_per_year"]) ** years
    ft_mult = (1.0 - col["finetune_price_decline_per_year"]) ** years

    requests_k = col["requests_per_month"] / 1000.0
    prompting = requests_k * col["hosted_cost_per_1k_req"] * hosted_mult
    running = (
        requests_k * col["self_hosted_cost_per_1k_req"] * ft_mult
        + col["hosting_usd_per_month"]
        + col["monitoring_usd_per_month"]
    )
    every = col["retrain_every_months"]
    retrain_now = (every > 0) & (month > 1) & (np.mod(month - 1, np.maximum(every, 1)) == 0)
    lump = np.where(retrain_now, col["training_usd"] * ft_mult + col["eval_harness_usd"], 0.0)
    lump[:, :1] += col["data_prep_usd"] + col["training_usd"] + col["eval_harness_usd"]
    finetune = running + lump
    shape = np.broadcast_shapes(prompting.shape, finetune.shape)
    prompting = np.broadcast_to(prompting, shape)
    finetune = np.broadcast_to(finetune, shape)
    cum_prompt = np.cumsum(prompting, axis=1)
    cum_ft = np.cumsum(finetune, axis=1)

    lead_end = cum_prompt - cum_ft                       # cumulative savings at month end
    lead_start = np.concatenate([np.zeros((shape[0], 1)), lead_end[:, :-1]], axis=1) - lump
    flow = prompting - np.broadcast_to(running, shape)   # savings accruing during the month
    paid = lead_end >= 0
    first = np.argmax(paid, axis=1)
    any_paid = paid[np.arange(shape[0]), first]
    rows = np.arange(shape[0])
    start = lead_start[rows, first]
    rate = flow[rows, first]
    within = np.divide(-start, rate, out=np.zeros_like(start), where=(start < 0) & (rate > 0))
    payback = np.where(any_paid, first + within, np.inf)
    month_idx = np.where(any_paid, first + 1, 0)
    return Curves(prompting, finetune, cum_prompt, cum_ft, payback, month_idx)


@dataclass(frozen=True)
class TCOResult:
    """A scenario's month-by-month table and its payback."""

    scenario: Scenario
    table: pd.DataFrame
    #: Month (1-based) in which fine-tuning has paid back, or None within the horizon.
    payback_month: int | None
    #: The same as a fraction of months (e.g. 2.4), or None.
    payback_months: float | None

    def summary(self) -> str:
        """One sentence: when fine-tuning pays back, or that it does not."""
        if self.payback_month is None:
            savings = self.table["cumulative_savings_usd"].iloc[-1]
            return (
                f"Fine-tuning does not pay back within {self.scenario.horizon_months} months "
                f"(it is ${-savings:,.0f} behind at the end)"
            )
        return f"Fine-tuning pays back in month {self.payback_month}"


def tco(scenario: Scenario | None = None) -> TCOResult:
    """Month-by-month cost of prompting and of fine-tuning, and the payback month.

    Returns a :class:`TCOResult` whose ``table`` has one row per month with the columns
    ``month``, ``prompting_usd``, ``finetune_usd``, ``prompting_cumulative_usd``,
    ``finetune_cumulative_usd`` and ``cumulative_savings_usd`` (prompting minus fine-tuning; it
    turns positive at payback).

    Examples
    --------
    >>> r = tco(Scenario(hosted_cost_per_1k_req=3.0))
    >>> r.payback_month, r.summary()
    (2, 'Fine-tuning pays back in month 2')
    >>> r.table.loc[0, ["prompting_usd", "finetune_usd"]].tolist()
    [600.0, 800.0]
    """
    import pandas as pd

    s = scenario if scenario is not None else Scenario()
    c = simulate(s)
    months = np.arange(1, s.horizon_months + 1)
    table = pd.DataFrame(
        {
            "month": months,
            "prompting_usd": c.prompting_usd[0],
            "finetune_usd": c.finetune_usd[0],
            "prompting_cumulative_usd": c.prompting_cumulative_usd[0],
            "finetune_cumulative_usd": c.finetune_cumulative_usd[0],
            "cumulative_savings_usd": c.prompting_cumulative_usd[0] - c.finetune_cumulative_usd[0],
        }
    )
    frac = float(c.payback_months[0])
    month = int(c.payback_month[0])
    return TCOResult(
        scenario=s,
        table=table,
        payback_month=month if month > 0 else None,
        payback_months=None if math.isinf(frac) else frac,
    )


def replace(scenario: Scenario, **changes: Any) -> Scenario:
    """:func:`dataclasses.replace`, re-exported so a lesson needs one import.

    >>> replace(Scenario(), horizon_months=3).horizon_months
    3
    """
    return dataclasses.replace(scenario, **changes)
