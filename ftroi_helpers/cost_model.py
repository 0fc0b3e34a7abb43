"""Total cost of ownership over months: keep prompting a hosted model, or fine-tune?

A :class:`Scenario` is a small frozen record of assumptions with defaults from the sources; a
lesson changes one field at a time with :func:`dataclasses.replace`. :func:`tco` turns a scenario
into a month-by-month table and a payback month. :func:`simulate` runs the same model on arrays of
assumptions at once (thousands of scenarios, no Python loop), for sensitivity analysis.
:data:`REALISTIC` is the one realistic scenario that lessons 03, 05 and 06 share.

Timing conventions (the same everywhere in the workbook). Month ``m`` runs from 1 to the horizon.

* One-time costs (data preparation, training, the evaluation harness, the serving stack) are paid
  at the start of month 1.
* **Launch.** The fine-tuned model serves traffic from month ``launch_delay_months + 1``. Until
  then the fine-tuning path still pays the hosted API for all traffic, on top of its one-time
  costs; its per-request inference, hosting fee and monitoring start at launch.
* **Running costs** accrue evenly through each month: the fine-tuned model's per-request
  inference, the fixed hosting fee times ``replicas``, monitoring, and engineering time
  (``engineering_usd_per_month``, paid from month 1: the team works on the system before launch
  too).
* **Retraining** (training plus re-evaluation) is paid at the start of months
  ``L + 1 + N, L + 1 + 2N, ...`` where ``N = retrain_every_months > 0`` and ``L`` is the launch
  delay: every N months after launch.
* **Smooth price decline.** A yearly decline ``d`` multiplies a price in month ``m`` by
  ``(1 - d) ** ((m - 1) / 12)``. ``hosted_price_decline_per_year`` applies to the hosted
  per-request price; ``finetune_price_decline_per_year`` to the fine-tuned per-request price and
  to the training part of each retraining; ``hosting_price_decline_per_year`` to the fixed
  hosting fee (GPU-hour prices fall too).
* **A model switch** (an event, not a decay). In practice a list price stays put, and a cheaper
  price comes from moving to a newer model. At the start of month ``model_switch_month`` (0 = no
  switch) both per-request prices fall by ``model_switch_price_cut``, for good. The prompting
  side pays one re-evaluation (``eval_harness_usd``); the fine-tuning side pays a retraining on
  the new model (training plus re-evaluation), once even if a scheduled retraining falls in the
  same month.

* **Stopping the GPUs** (``stop_finetune_when_hosted_cheaper``, off by default). From the first
  month after launch in which the hosted bill (that month's prompting cost) is below fine-tuning's
  running cost (per-request inference + hosting x replicas + monitoring + engineering), the
  fine-tuning path stops its GPUs and pays what prompting pays, for good: no more retraining and
  no restart, and its one-time costs stay sunk.

The payback month is the first month at whose end the cumulative cost of fine-tuning is no higher
than that of prompting (``None`` when that never happens within the horizon). Within that month
savings move linearly from their value just after the month's lump sums to their value at its end.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .hosting import G5_XLARGE_USD_PER_HOUR, hosting_cost_per_month
from .never import never_to_inf, never_to_na
from .scenario import Scenario, _validate_fields
from .training import training_cost_gpu
from .validation import MAX_SCENARIO_MONTHS, Number, TooLargeError, short_repr

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "REALISTIC",
    "REALISTIC_ASSUMPTIONS",
    "Curves",
    "Scenario",
    "TCOResult",
    "compare_scenarios",
    "hosting_scenarios",
    "replace",
    "simulate",
    "tco",
]


class Curves(NamedTuple):
    """Month-by-month results of :func:`simulate`; arrays shaped ``(scenarios, months)``."""

    prompting_usd: np.ndarray
    finetune_usd: np.ndarray
    prompting_cumulative_usd: np.ndarray
    finetune_cumulative_usd: np.ndarray
    #: Fractional months until fine-tuning has paid back: a MaskedArray, masked where it never
    #: pays back within the horizon (see :mod:`ftroi_helpers.never`).
    payback_months: np.ma.MaskedArray
    #: Month (1-based) in which payback happens (``0`` if not within the horizon).
    payback_month: np.ndarray

    @property
    def net_savings_usd(self) -> np.ndarray:
        """Cumulative USD fine-tuning is ahead at the horizon (negative: behind), per scenario."""
        return self.prompting_cumulative_usd[:, -1] - self.finetune_cumulative_usd[:, -1]


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


def _decay(decline: np.ndarray, years: np.ndarray) -> np.ndarray:
    """``(1 - decline) ** years``: shape (months, 1) when nothing declines, else (months, k)."""
    if not np.any(decline):
        return np.ones((years.shape[0], 1))
    return (1.0 - decline) ** years


def _stopped(policy: np.ndarray, prompting: np.ndarray, running: np.ndarray, month0: np.ndarray,
             delay: np.ndarray) -> np.ndarray | None:
    """Months in which the fine-tuning path has stopped its GPUs, ``(months, scenarios)``.

    Under ``stop_finetune_when_hosted_cheaper``, from the first month after launch in which the
    hosted bill is below fine-tuning's running cost, for good; None when no scenario has it on.
    """
    if not np.any(policy):
        return None
    cheaper = (policy != 0) & (month0 >= delay) & (prompting < running)
    return np.logical_or.accumulate(cheaper, axis=0)


def _simulation_inputs(scenario: Scenario | None,
                       arrays: dict[str, Number]) -> tuple[dict[str, Number], int]:
    """:func:`simulate`'s arguments checked once: every field by its kind, the arrays' shapes
    and lengths, and the size limit; returns the checked values and the horizon."""
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
    empty = sorted(name for name, n in lengths.items() if n == 0)
    if empty:
        raise ValueError(f"{empty[0]} must hold at least one value, got an empty array")
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
    return p, horizon


@np.errstate(over="ignore", invalid="ignore")
def _payback(lead: np.ndarray, one_time: np.ndarray, training: np.ndarray,
             evaluation: np.ndarray, ft_decay: np.ndarray, every: np.ndarray,
             delay_i: np.ndarray, switch_i: np.ndarray) -> tuple[np.ma.MaskedArray, np.ndarray]:
    """Fractional payback months (masked where never) and the payback month (0: none).

    ``lead`` is prompting's cumulative cost minus fine-tuning's, ``(months, scenarios)``.
    """
    # Payback: the first month at whose end fine-tuning's cumulative cost is no higher. Within
    # it, savings grow linearly from their value just after that month's lump sums.
    paid = lead >= 0
    first = np.argmax(paid, axis=0)
    cols = np.arange(lead.shape[1])
    any_paid = paid[first, cols]
    lead_before = np.where(first > 0, lead[first - 1, cols], 0.0)
    since = first - delay_i
    at_switch = (switch_i >= 2) & (first == switch_i - 1)
    retrains = ((every > 0) & (since > 0) & (np.mod(since, np.maximum(every, 1)) == 0)
                | ((first > 0) & at_switch))
    ft_at = ft_decay[first, cols if ft_decay.shape[1] > 1 else 0]
    start = lead_before - np.where(first == 0, one_time,
                                   np.where(retrains, training * ft_at + evaluation, 0.0))
    start = start + np.where(at_switch, evaluation, 0.0)
    end = lead[first, cols]
    within = np.divide(-start, end - start, out=np.zeros_like(start),
                       where=(start < 0) & (end >= 0))
    payback = np.ma.MaskedArray(np.where(any_paid, first + within, np.inf), mask=~any_paid,
                                fill_value=np.inf)
    month_idx = np.where(any_paid, first + 1, 0)
    return payback, month_idx


# An overflow in the running costs is refused at the end (see _too_large), not warned about.
@np.errstate(over="ignore", invalid="ignore")
def simulate(scenario: Scenario | None = None, **arrays: Number) -> Curves:
    """Run the TCO model for many scenarios at once.

    Any :class:`Scenario` field except ``horizon_months`` may be given as a 1-D array; the
    arrays must share one length (or have length 1) and the result has one row per scenario.

    Parameters
    ----------
    scenario : Scenario, optional
        The fixed assumptions and the horizon (default ``Scenario()``, the calculator demo's
        example).
    **arrays : float or 1-D array
        Scenario fields to vary, in the field's units (USD, requests per month, months...).

    Returns
    -------
    Curves
        Monthly and cumulative costs shaped ``(scenarios, months)``, ``payback_months``
        (a MaskedArray, masked where it never pays back within the horizon) and
        ``payback_month`` (``0`` where none).

    Raises
    ------
    TypeError
        For an unknown field, ``horizon_months`` given as an array, or fractional months.
    ValueError
        For a value outside its field's domain, a 2-D array, or arrays of different lengths.

    Examples
    --------
    The calculator demo's example pays back within the first month; at $3 per 1k hosted, later:

    >>> c = simulate(Scenario(), hosted_cost_per_1k_req=np.array([15.0, 3.0, 1.0]))
    >>> c.payback_month
    array([1, 2, 0])
    >>> c.payback_months.round(2)  # masked where it never pays back
    masked_array(data=[0.15, 2.0, --],
                 mask=[False, False,  True],
           fill_value=inf)

    Two months before launch push payback to month 3:

    >>> simulate(Scenario(), launch_delay_months=np.array([0, 2])).payback_month
    array([1, 3])
    """
    p, horizon = _simulation_inputs(scenario, arrays)
    # Months run down the rows and scenarios along the columns here, so each month is one
    # contiguous vector (running sums are one vector add per month); the curves are returned
    # transposed, shaped (scenarios, months). Each per-scenario value is a (1,) or (n,) vector
    # and broadcasts against the (months, 1) month index.
    v = {k: np.atleast_1d(np.asarray(x, dtype=float)) for k, x in p.items()
         if k != "horizon_months"}
    n = max(x.size for x in v.values())
    shape = (horizon, n)
    month0 = np.arange(horizon, dtype=float)[:, None]          # 0-based month index, (months, 1)
    years = month0 / 12.0
    requests_k = v["requests_per_month"] / 1000.0
    training = v["training_usd"]
    evaluation = v["eval_harness_usd"]

    # Prices month by month: smooth declines, and the model switch's cut from its month on.
    switch = v["model_switch_month"]
    switched = (switch > 0) & (month0 + 1 >= switch)            # (months, k)
    cut = np.where(switched, 1.0 - v["model_switch_price_cut"], 1.0)
    ft_decay = _decay(v["finetune_price_decline_per_year"], years)
    prompting = np.multiply(_decay(v["hosted_price_decline_per_year"], years) * cut,
                            requests_k * v["hosted_cost_per_1k_req"], out=np.empty(shape))

    # Fine-tuning's running costs: after launch its own inference, hosting and monitoring;
    # before launch the hosted bill for all traffic. Engineering time every month.
    running = np.multiply(ft_decay * cut, requests_k * v["self_hosted_cost_per_1k_req"],
                          out=np.empty(shape))
    hosting = v["hosting_usd_per_month"] * v["replicas"]
    if np.any(hosting):
        running += _decay(v["hosting_price_decline_per_year"], years) * hosting
    running += v["monitoring_usd_per_month"]
    delay = v["launch_delay_months"]
    if np.any(delay):
        before_launch = month0 < delay                          # (months, k)
        np.copyto(running, prompting, where=np.broadcast_to(before_launch, shape))
    running += v["engineering_usd_per_month"]
    stopped = _stopped(v["stop_finetune_when_hosted_cheaper"], prompting, running, month0, delay)

    # Lump sums at the start of a month: the one-time costs in month 1, each retraining
    # (training at that month's price plus re-evaluation) and the model switch's retraining on
    # the fine-tuning side; the switch's re-evaluation on the prompting side. Scenarios are
    # grouped by (cadence, launch delay) and by switch month, so each group is one block add.
    finetune = running
    one_time = v["data_prep_usd"] + training + evaluation + v["serving_build_usd"]
    finetune[0] += one_time
    every = np.minimum(v["retrain_every_months"], horizon).astype(np.intp)
    delay_i = np.minimum(delay, horizon).astype(np.intp)
    switch_i = np.where(switch >= 2, np.minimum(switch, horizon + 1), 0).astype(np.intp)

    def retrain_cost(rows: np.ndarray | None) -> np.ndarray:
        """Training at each month's price plus re-evaluation: (months, 1 or scenarios)."""
        if rows is None:
            return training * ft_decay + evaluation
        decay = ft_decay if ft_decay.shape[1] == 1 else ft_decay[:, rows]
        return _part(training, rows) * decay + _part(evaluation, rows)

    size = max(every.size, delay_i.size, switch_i.size)
    base_key = horizon + 2
    keys = (np.broadcast_to(every, (size,)) * base_key + np.broadcast_to(delay_i, (size,))
            ) * base_key + np.broadcast_to(switch_i, (size,))
    groups = np.unique(keys)
    for key in groups:
        rows = None if groups.size == 1 else np.flatnonzero(keys == key)
        period, rest = divmod(int(key), base_key ** 2)
        lag, month = divmod(rest, base_key)
        retrain_months = (np.arange(lag + period, horizon, period) if period > 0
                          else np.empty(0, np.intp))
        switch_months = (np.array([month - 1]) if 2 <= month <= horizon
                         else np.empty(0, np.intp))
        # a scheduled retraining that falls in the switch month is the switch's retraining
        months = np.union1d(retrain_months, switch_months).astype(np.intp)
        if months.size:
            cost = retrain_cost(rows)[months]
            if rows is None:
                finetune[months] += cost
            else:
                finetune[np.ix_(months, rows)] += cost
        if switch_months.size:
            if rows is None:
                prompting[switch_months] += evaluation
            else:
                prompting[np.ix_(switch_months, rows)] += _part(evaluation, rows)
    if stopped is not None:
        # once stopped, the fine-tuning path pays what prompting pays (its sunk one-time costs
        # stay in month 1)
        np.copyto(finetune, prompting, where=stopped)
        finetune[0] += np.where(stopped[0], one_time, 0.0)
    cum_prompt = _cumsum_months(prompting)
    cum_ft = _cumsum_months(finetune)
    # Every monthly cost is >= 0, so the last month holds the largest running sums: an
    # overflow anywhere shows there.
    if not (np.isfinite(cum_prompt[-1]).all() and np.isfinite(cum_ft[-1]).all()):
        _too_large(v, cum_prompt[-1], cum_ft[-1], horizon)

    payback, month_idx = _payback(cum_prompt - cum_ft, one_time, training, evaluation, ft_decay,
                                  every, delay_i, switch_i)
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
            ``"Fine-tuning pays back in month N"`` (and, if it ends behind, by how much), or
            how far behind it is at the horizon.

        Examples
        --------
        >>> tco(Scenario(hosted_cost_per_1k_req=2.0)).summary()
        'Fine-tuning does not pay back within 12 months (it is $400 behind at the end)'
        """
        savings = float(self.table["cumulative_savings_usd"].iloc[-1])
        if self.payback_month is None:
            return (
                f"Fine-tuning does not pay back within {self.scenario.horizon_months} months "
                f"(it is ${-savings:,.0f} behind at the end)"
            )
        if savings < 0:
            return (f"Fine-tuning pays back in month {self.payback_month} but falls behind "
                    f"again (${-savings:,.0f} behind after {self.scenario.horizon_months} "
                    "months)")
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
        The assumptions (default ``Scenario()``, the calculator demo's example).

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
    month = int(c.payback_month[0])
    return TCOResult(
        scenario=s,
        table=table,
        payback_month=month if month > 0 else None,
        payback_months=None if month == 0 else float(c.payback_months.filled(np.inf)[0]),
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
        ``finetune_running_usd_per_month`` (once launched, before any price change: see
        :attr:`Scenario.finetune_usd_per_month`), ``retrain_every_months``, ``payback_month``
        (1-based; ``<NA>`` = not within the horizon), ``payback_months`` (fractional; nullable
        ``Float64``, ``<NA>`` = not within the horizon) and ``savings_at_horizon_usd`` (cumulative, prompting minus
        fine-tuning).

    Raises
    ------
    TypeError
        If a value of ``scenarios`` is not a :class:`Scenario`.

    Examples
    --------
    >>> t = compare_scenarios({"the calculator demo": Scenario(),
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
        rows.append({
            "scenario": label,
            "one_time_usd": s.one_time_usd,
            "prompting_usd_per_month": s.prompting_usd_per_month,
            "finetune_running_usd_per_month": s.finetune_usd_per_month,
            "retrain_every_months": s.retrain_every_months,
            "payback_month": result.payback_month,
            # inf only while the rows are built: the table shows never as <NA>
            "payback_months": never_to_inf(result.payback_months),
            "savings_at_horizon_usd": float(result.table["cumulative_savings_usd"].iloc[-1]),
        })
    table = pd.DataFrame(rows)
    table["payback_month"] = table["payback_month"].astype("Int64")
    table["payback_months"] = never_to_na(table["payback_months"].to_numpy(dtype=object))
    return table


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


def hosting_scenarios(scenario: Scenario, options: pd.DataFrame) -> dict[str, Scenario]:
    """One scenario per hosting option: ``scenario`` with that option's serving costs.

    Parameters
    ----------
    scenario : Scenario
        Everything else (volume, hosted price, one-time and running costs).
    options : pandas.DataFrame
        From :func:`~ftroi_helpers.hosting.hosting_options`: its ``option`` labels and the
        ``self_hosted_cost_per_1k_req``, ``hosting_usd_per_month`` and ``replicas`` columns.

    Returns
    -------
    dict
        Option label -> :class:`Scenario`, ready for :func:`compare_scenarios`.

    Raises
    ------
    TypeError
        If ``scenario`` is not a Scenario; ValueError if ``options`` lacks a column.

    Examples
    --------
    >>> from ftroi_helpers.hosting import hosting_options
    >>> options = hosting_options(200_000, 1.35, 1.006, replicas=2)
    >>> t = compare_scenarios(hosting_scenarios(Scenario(), options))
    >>> t["finetune_running_usd_per_month"].round().tolist()
    [270.0, 1469.0, 400.0]
    """
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a Scenario, got {type(scenario).__name__}")
    needed = ["option", "self_hosted_cost_per_1k_req", "hosting_usd_per_month", "replicas"]
    missing = [c for c in needed if c not in getattr(options, "columns", [])]
    if missing:
        raise ValueError(f"options must have the columns of hosting_options(); missing "
                         f"{', '.join(missing)}")
    return {
        str(row["option"]): replace(
            scenario, self_hosted_cost_per_1k_req=float(row["self_hosted_cost_per_1k_req"]),
            hosting_usd_per_month=float(row["hosting_usd_per_month"]),
            replicas=int(row["replicas"]))
        for _, row in options.iterrows()
    }

# -- the realistic scenario that lessons 03, 05 and 06 share -----------------------------------
#: GPU-hours for one LoRA training run of a small open model on one A10G (within the crossover
#: guide's 4-20 hours; the workbook's assumption).
REALISTIC_TRAINING_GPU_HOURS = 8.0

#: The calculator demo's example made realistic: the fine-tuned small open model is self-hosted on AWS
#: g5.xlarge GPUs (one A10G each) billed by the hour, with a second replica, people's time,
#: a month to launch, retraining, monitoring, and a cheaper hosted model arriving mid-year.
#: Defined once here; lessons 03, 05 and 06 use it, and :data:`REALISTIC_ASSUMPTIONS` says where
#: each number comes from.
REALISTIC = Scenario(
    requests_per_month=200_000.0,
    hosted_cost_per_1k_req=15.0,
    self_hosted_cost_per_1k_req=0.0,
    data_prep_usd=2_500.0,
    training_usd=float(training_cost_gpu(REALISTIC_TRAINING_GPU_HOURS, G5_XLARGE_USD_PER_HOUR)),
    eval_harness_usd=500.0,
    hosting_usd_per_month=float(hosting_cost_per_month(G5_XLARGE_USD_PER_HOUR)),
    replicas=2,
    monitoring_usd_per_month=200.0,
    engineering_usd_per_month=500.0,
    launch_delay_months=1,
    retrain_every_months=3,
    hosting_price_decline_per_year=0.0,
    model_switch_month=9,
    model_switch_price_cut=0.65,
)

#: Where each number of :data:`REALISTIC` comes from (field -> explanation), for the lessons'
#: tables. "The workbook's" marks an assumption no source gives a figure for.
REALISTIC_ASSUMPTIONS: dict[str, str] = {
    "requests_per_month": "the calculator demo: 200k requests a month",
    "hosted_cost_per_1k_req": "the calculator demo: USD 15 per 1,000 requests (e.g. gpt-4o at 2,000 "
                              "input and 1,000 output tokens per request)",
    "self_hosted_cost_per_1k_req": "0: the GPUs' hourly bill covers serving",
    "data_prep_usd": "the workbook's; the calculator demo: the dataset is 'usually the biggest cost'",
    "training_usd": f"{REALISTIC_TRAINING_GPU_HOURS:g} GPU-hours x the g5.xlarge rate (LoRA "
                    "on one A10G; the crossover guide quotes 4-20 hours, unverified)",
    "eval_harness_usd": "the workbook's; the economics article: evaluation 'can cost as much as the "
                        "training itself' -- at least",
    "hosting_usd_per_month": "one AWS g5.xlarge (one A10G) for 730 hours, prices.csv",
    "replicas": "2: a second replica so one failure does not take the service down",
    "monitoring_usd_per_month": "the workbook's; the economics article names the cost, not a figure",
    "engineering_usd_per_month": "the workbook's: about 5 engineer-hours a month of on-call, "
                                 "upgrades and fixes",
    "launch_delay_months": "the crossover guide: 'days to weeks' to a first result, rounded up to a month",
    "retrain_every_months": "the crossover guide: 'plan for 2-4 retraining cycles per year', the busiest "
                            "end",
    "hosting_price_decline_per_year": "0: prices.csv holds one dated row per GPU (the "
                                      "g5.xlarge's USD 1.006 an hour), so no fall can be read "
                                      "from it; the workbook assumes none",
    "model_switch_month": "the workbook's: a cheaper hosted model arrives in month 9",
    "model_switch_price_cut": "the crossover guide: prices 'have dropped 50-80% annually', the "
                              "middle of that range (the median of its draws)",
}
