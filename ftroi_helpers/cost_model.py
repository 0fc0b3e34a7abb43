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
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .tokens import request_cost
from .validation import (
    MAX_HORIZON_MONTHS,
    MAX_SCENARIO_MONTHS,
    Number,
    TooLargeError,
    finite_result,
    require_fraction,
    require_int,
    require_nonnegative,
    short_repr,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["Curves", "Scenario", "TCOResult", "compare_scenarios", "replace", "simulate", "tco"]


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
        checked = _validate_fields({f.name: getattr(self, f.name) for f in fields(self)},
                                   scalar=True)
        # Store plain Python numbers (ints for whole months), whatever the caller passed.
        for name, value in checked.items():
            object.__setattr__(self, name, int(value) if name in _INTS else float(value))

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

        Parameters
        ----------
        requests_per_day : float, requests per day (>= 0)
        prompted_input_tokens : float, input tokens per prompted request (>= 0)
        finetuned_input_tokens : float, input tokens per fine-tuned request (>= 0)
        output_tokens : float, output tokens per request (>= 0)
        base_usd_per_1m_input, base_usd_per_1m_output : float, the prompted model's USD per 1M
            input / output tokens (>= 0)
        ft_usd_per_1m_input, ft_usd_per_1m_output : float, the fine-tuned model's USD per 1M
            input / output tokens (>= 0)
        days_per_month : float, days per month (default 30)
        **assumptions : any other :class:`Scenario` field

        Returns
        -------
        Scenario
            ``requests_per_month`` and both per-1k-request costs set from the tokens.

        Raises
        ------
        ValueError, TypeError
            For a bad argument, naming it (arrays are refused: use :func:`simulate`).

        Examples
        --------
        Source 002's simple classification on gpt-4o-mini at 10K requests/day:

        >>> s = Scenario.from_tokens(10_000, 800, 200, 50, 0.15, 0.60, 0.30, 1.20)
        >>> s.requests_per_month, round(s.hosted_cost_per_1k_req, 4), round(s.self_hosted_cost_per_1k_req, 4)
        (300000.0, 0.15, 0.12)
        """
        # Check every argument under its own name (request_cost would name its own parameters).
        given = {
            "requests_per_day": requests_per_day,
            "prompted_input_tokens": prompted_input_tokens,
            "finetuned_input_tokens": finetuned_input_tokens,
            "output_tokens": output_tokens,
            "base_usd_per_1m_input": base_usd_per_1m_input,
            "base_usd_per_1m_output": base_usd_per_1m_output,
            "ft_usd_per_1m_input": ft_usd_per_1m_input,
            "ft_usd_per_1m_output": ft_usd_per_1m_output,
            "days_per_month": days_per_month,
        }
        v = {}
        for name, value in given.items():
            if np.ndim(value) != 0:
                raise TypeError(f"{name} must be a single number in a Scenario, got "
                                f"{short_repr(value)}")
            v[name] = require_nonnegative(name, value)
        requests = finite_result(v["requests_per_day"] * v["days_per_month"],
                                 "requests per month", {"requests_per_day": v["requests_per_day"],
                                                        "days_per_month": v["days_per_month"]})
        hosted = request_cost(v["prompted_input_tokens"], v["output_tokens"],
                              v["base_usd_per_1m_input"], v["base_usd_per_1m_output"])
        tuned = request_cost(v["finetuned_input_tokens"], v["output_tokens"],
                             v["ft_usd_per_1m_input"], v["ft_usd_per_1m_output"])
        per_1k = finite_result(np.array([hosted, tuned]) * 1000, "USD per 1,000 requests", v)
        return cls(
            requests_per_month=float(requests),
            hosted_cost_per_1k_req=float(per_1k[0]),
            self_hosted_cost_per_1k_req=float(per_1k[1]),
            **assumptions,
        )


_FRACTIONS = {"hosted_price_decline_per_year", "finetune_price_decline_per_year"}
_INTS = {"retrain_every_months", "horizon_months"}


def _validate_fields(values: dict[str, Any], *, scalar: bool) -> dict[str, Number]:
    """Check every scenario field once; return floats/arrays ready for the model."""
    out: dict[str, Number] = {}
    for name, value in values.items():
        if scalar and _ndim(value) != 0:
            raise TypeError(
                f"{name} must be a single number in a Scenario (give arrays to simulate()), "
                f"got {short_repr(value)}"
            )
        if name == "horizon_months":
            out[name] = require_int(name, value, minimum=1, maximum=MAX_HORIZON_MONTHS,
                                    limit_name="MAX_HORIZON_MONTHS")
        elif name == "retrain_every_months":
            if scalar or _ndim(value) == 0:
                # beyond any horizon it never comes round; the model only compares it with one
                out[name] = float(min(require_int(name, value, minimum=0), 2**53))
            else:
                arr = require_nonnegative(name, value)
                if not np.all(np.mod(arr, 1) == 0):
                    bad = float(arr[np.mod(arr, 1) != 0].flat[0])
                    raise TypeError(f"{name} must hold whole numbers of months, got {bad}")
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


#: From this many scenarios on, running sums go month by month (one vector add each), several
#: times faster than ``np.cumsum`` along a short axis; the additions are the same, in the same order.
_VECTOR_CUMSUM_MIN = 256


def _cumsum_months(x: np.ndarray) -> np.ndarray:
    """Running sum down axis 0 (months) of a ``(months, scenarios)`` array."""
    if x.shape[1] < _VECTOR_CUMSUM_MIN:
        return np.cumsum(x, axis=0)
    out = np.empty_like(x)
    out[0] = x[0]
    for m in range(1, x.shape[0]):
        np.add(out[m - 1], x[m], out=out[m])
    return out


def _part(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """A per-scenario value (length 1 = the same for all) for the scenarios in ``rows``."""
    return values if values.size == 1 else values[rows]


# An overflow in the running costs is refused at the end (see _too_large), not warned about.
@np.errstate(over="ignore", invalid="ignore")
def simulate(scenario: Scenario | None = None, **arrays: Number) -> Curves:
    """Run the TCO model for many scenarios at once.

    Any :class:`Scenario` field except ``horizon_months`` may be given as a 1-D array; the
    arrays must share one length (or have length 1) and the result has one row per scenario.

    Parameters
    ----------
    scenario : Scenario, optional
        The fixed assumptions and the horizon (default ``Scenario()``, source 003's example).
    **arrays : float or 1-D array
        Scenario fields to vary, in the field's units (USD, requests per month, months...).

    Returns
    -------
    Curves
        Monthly and cumulative costs shaped ``(scenarios, months)``, ``payback_months``
        (``inf`` where there is no payback) and ``payback_month`` (``0`` where none).

    Raises
    ------
    TypeError
        For an unknown field, ``horizon_months`` given as an array, or fractional months.
    ValueError
        For a value outside its field's domain, a 2-D array, or arrays of different lengths.

    Examples
    --------
    Source 003's example pays back within the first month; at $3 per 1k hosted, later:

    >>> c = simulate(Scenario(), hosted_cost_per_1k_req=np.array([15.0, 3.0]))
    >>> c.payback_month
    array([1, 2])
    >>> c.payback_months.round(2)
    array([0.15, 2.  ])
    """
    base = _scenario("scenario", scenario)
    unknown = set(arrays) - {f.name for f in fields(Scenario)}
    if unknown:
        raise TypeError(f"unknown scenario field(s): {', '.join(sorted(unknown))}")
    if "horizon_months" in arrays:
        raise TypeError("horizon_months must be set on the scenario, not given as an array")
    values = {f.name: getattr(base, f.name) for f in fields(Scenario)}
    values.update(arrays)
    p = _validate_fields(values, scalar=False)
    horizon = int(p["horizon_months"])
    for name in arrays:
        if np.ndim(p[name]) > 1:
            raise ValueError(f"{name} must be a number or a 1-D array, got shape {np.shape(p[name])}")
    lengths = {name: np.size(p[name]) for name in arrays if np.ndim(p[name]) == 1}
    if len(set(lengths.values()) - {1}) > 1:
        listed = ", ".join(f"{name} has {n}" for name, n in sorted(lengths.items()))
        raise ValueError(f"scenario arrays must have the same length (or length 1): {listed}")
    n_scenarios = max(lengths.values(), default=1)
    if n_scenarios * horizon > MAX_SCENARIO_MONTHS:
        named = ", ".join(sorted(lengths)) or "the arrays"
        raise ValueError(
            f"{named} ({n_scenarios:,} scenarios) x horizon_months ({horizon}) must be at most "
            f"{MAX_SCENARIO_MONTHS:,} scenario-months (MAX_SCENARIO_MONTHS), got "
            f"{n_scenarios * horizon:,}: use fewer scenarios or a shorter horizon")
    # Months run down the rows and scenarios along the columns here, so each month is one
    # contiguous vector (running sums and retraining lumps are a few vector operations per
    # month); the curves are returned transposed, shaped (scenarios, months). The arithmetic,
    # and its order, is that of the month-by-month model, so every number matches it exactly.
    v = {k: np.atleast_1d(np.asarray(x, dtype=float)) for k, x in p.items()
         if k != "horizon_months"}
    n = max(x.size for x in v.values())
    shape = (horizon, n)
    cols = np.arange(n)
    years = (np.arange(1, horizon + 1, dtype=float)[:, None] - 1) / 12.0
    ft_mult = (1.0 - v["finetune_price_decline_per_year"]) ** years  # (months, 1 or n)
    ft_cols = cols if ft_mult.shape[1] > 1 else 0
    requests_k = v["requests_per_month"] / 1000.0
    inference_ft = requests_k * v["self_hosted_cost_per_1k_req"]
    hosting = v["hosting_usd_per_month"]
    monitoring = v["monitoring_usd_per_month"]
    training = v["training_usd"]
    evaluation = v["eval_harness_usd"]

    prompting = (1.0 - v["hosted_price_decline_per_year"]) ** years
    if prompting.shape == shape:
        prompting *= requests_k * v["hosted_cost_per_1k_req"]
    else:
        prompting = np.multiply(prompting, requests_k * v["hosted_cost_per_1k_req"],
                                out=np.empty(shape))
    # Fine-tuning: inference, hosting and monitoring accrue every month, ...
    finetune = np.multiply(inference_ft, ft_mult, out=np.empty(shape))
    finetune += hosting
    finetune += monitoring
    # ... the one-time costs land in month 1, ...
    one_time = v["data_prep_usd"] + v["training_usd"] + v["eval_harness_usd"]
    finetune[0] += one_time
    # ... and a retraining (training at that month's price, plus re-evaluation) in months
    # 1 + N, 1 + 2N, ... of each scenario that retrains every N months: one step per N.
    every = np.minimum(v["retrain_every_months"], horizon).astype(np.intp)
    counts = np.bincount(every, minlength=horizon + 1)
    for period in np.flatnonzero(counts[1:horizon]) + 1:
        months = np.arange(period, horizon, period)
        if counts[period] == every.size:  # every scenario retrains with this period
            finetune[months] += training * ft_mult[months] + evaluation
        else:
            rows = np.flatnonzero(every == period)
            grid = np.ix_(months, rows)
            ft = ft_mult[grid] if ft_mult.shape[1] > 1 else ft_mult[months]
            finetune[grid] += _part(training, rows) * ft + _part(evaluation, rows)
    cum_prompt = _cumsum_months(prompting)
    cum_ft = _cumsum_months(finetune)
    # Every monthly cost is >= 0, so the last month holds the largest running sums: an
    # overflow anywhere shows there.
    if not (np.isfinite(cum_prompt[-1]).all() and np.isfinite(cum_ft[-1]).all()):
        _too_large(v, cum_prompt[-1], cum_ft[-1], horizon)

    # Payback: the first month at whose end fine-tuning's cumulative cost is no higher. Within
    # it, savings grow linearly from their value just after that month's lump.
    paid = cum_prompt >= cum_ft
    first = np.argmax(paid, axis=0)
    any_paid = paid[first, cols]
    ft_at = ft_mult[first, ft_cols]
    lead_before = np.where(first > 0, cum_prompt[first - 1, cols] - cum_ft[first - 1, cols], 0.0)
    retrains = (first > 0) & (every > 0) & (first % np.maximum(every, 1) == 0)
    lump = np.where(first == 0, one_time, np.where(retrains, training * ft_at + evaluation, 0.0))
    start = lead_before - lump
    rate = prompting[first, cols] - (inference_ft * ft_at + hosting + monitoring)
    within = np.divide(-start, rate, out=np.zeros_like(start), where=(start < 0) & (rate > 0))
    payback = np.where(any_paid, first + within, np.inf)
    month_idx = np.where(any_paid, first + 1, 0)
    return Curves(prompting.T, finetune.T, cum_prompt.T, cum_ft.T, payback, month_idx)


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
        """One sentence: when fine-tuning pays back, or that it does not.

        Returns
        -------
        str
            ``"Fine-tuning pays back in month N"``, or how far behind it is at the horizon.

        Examples
        --------
        >>> tco(Scenario(hosted_cost_per_1k_req=2.0)).summary()
        'Fine-tuning does not pay back within 12 months (it is $400 behind at the end)'
        """
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

    Parameters
    ----------
    scenario : Scenario, optional
        The assumptions (default ``Scenario()``, source 003's example).

    Returns
    -------
    TCOResult
        The table (USD per month and cumulative USD), ``payback_month`` (int or None) and
        ``payback_months`` (fractional months, or None).

    Raises
    ------
    ValueError, TypeError
        Never for a valid :class:`Scenario` (a Scenario checks its fields when it is made).

    Examples
    --------
    >>> r = tco(Scenario(hosted_cost_per_1k_req=3.0))
    >>> r.payback_month, r.summary()
    (2, 'Fine-tuning pays back in month 2')
    >>> r.table.loc[0, ["prompting_usd", "finetune_usd"]].tolist()
    [600.0, 800.0]
    """
    import pandas as pd

    s = _scenario("scenario", scenario)
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

    Parameters
    ----------
    scenario : Scenario
        The scenario to copy.
    **changes : any
        New values for some of its fields, in the fields' units.

    Returns
    -------
    Scenario
        A new scenario; ``scenario`` itself is unchanged (it is frozen).

    Raises
    ------
    ValueError, TypeError
        For a bad new value (the new Scenario checks every field) or an unknown field.

    Examples
    --------
    >>> replace(Scenario(), horizon_months=3).horizon_months
    3
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a Scenario, got {short_repr(scenario)} "
                        f"({type(scenario).__name__})")
    unknown = set(changes) - {f.name for f in fields(Scenario)}
    if unknown:
        raise TypeError(f"unknown scenario field(s): {', '.join(sorted(unknown))} (the fields "
                        f"are {', '.join(f.name for f in fields(Scenario))})")
    return dataclasses.replace(scenario, **changes)


def compare_scenarios(scenarios: Mapping[str, Scenario]) -> pd.DataFrame:
    """One row per named scenario: what it costs and when (if ever) fine-tuning pays back.

    Parameters
    ----------
    scenarios : mapping of a label to a :class:`Scenario`

    Returns
    -------
    pandas.DataFrame
        ``scenario``, ``one_time_usd``, ``prompting_usd_per_month`` and
        ``finetune_running_usd_per_month`` (month 1, before any price decline),
        ``retrain_every_months``, ``payback_months`` (``inf`` = not within the horizon) and
        ``savings_at_horizon_usd`` (cumulative, prompting minus fine-tuning).

    Raises
    ------
    TypeError
        If a value of ``scenarios`` is not a :class:`Scenario`.

    Examples
    --------
    >>> t = compare_scenarios({"source 003": Scenario(),
    ...                        "$3 per 1k hosted": Scenario(hosted_cost_per_1k_req=3)})
    >>> t["payback_months"].round(2).tolist()
    [0.15, 2.0]
    """
    import pandas as pd

    rows = []
    if not isinstance(scenarios, Mapping):
        raise TypeError("scenarios must be a dict of label -> Scenario, got "
                        f"{short_repr(scenarios)} ({type(scenarios).__name__})")
    for label, s in scenarios.items():
        if not isinstance(s, Scenario):
            raise TypeError(f"scenarios[{short_repr(label)}] must be a Scenario, got "
                            f"{short_repr(s)} ({type(s).__name__})")
        result = tco(s)
        first = result.table.iloc[0]
        rows.append({
            "scenario": label,
            "one_time_usd": s.one_time_usd,
            "prompting_usd_per_month": float(first["prompting_usd"]),
            "finetune_running_usd_per_month": float(first["finetune_usd"]) - s.one_time_usd,
            "retrain_every_months": s.retrain_every_months,
            "payback_months": (math.inf if result.payback_months is None
                               else result.payback_months),
            "savings_at_horizon_usd": float(result.table["cumulative_savings_usd"].iloc[-1]),
        })
    return pd.DataFrame(rows)


def _scenario(name: str, scenario: Any) -> Scenario:
    """``scenario``, or ``Scenario()`` for None; anything else is refused by ``name``."""
    if scenario is None:
        return Scenario()
    if not isinstance(scenario, Scenario):
        raise TypeError(f"{name} must be a Scenario (or None for the default), got "
                        f"{short_repr(scenario)} ({type(scenario).__name__})")
    return scenario


def _too_large(v: dict[str, np.ndarray], prompting: np.ndarray, finetune: np.ndarray,
               horizon: int) -> None:
    """Refuse a simulation whose running costs overflow, naming the largest fields."""
    bad = ~(np.isfinite(prompting) & np.isfinite(finetune))
    col = int(np.argmax(bad))
    at = {name: float(x[col] if x.size > 1 else x[0]) for name, x in v.items()}
    largest = sorted(at, key=lambda name: -abs(at[name]))[:3]
    shown = ", ".join(f"{name}={short_repr(at[name])}" for name in largest)
    raise TooLargeError(
        f"the cumulative cost over horizon_months={horizon} is too large to compute (above "
        f"1.8e+308) for {shown}" + (f" (scenario {col})" if bad.size > 1 else ""))


def _ndim(value: Any) -> int:
    """``np.ndim``, but a ragged list counts as an array (numpy refuses to measure it)."""
    try:
        return np.ndim(value)
    except ValueError:
        return 1
