"""Which assumptions move the answer? Tornado tables and Monte Carlo over the TCO model.

Every number in a fine-tuning business case is a guess with a range. This module asks two
questions of :func:`ftroi_helpers.cost_model.simulate`:

* :func:`tornado` -- move one assumption at a time to the low and the high end of its range
  (everything else at the scenario's value) and sort the assumptions by how far they move the
  payback. The top rows are the assumptions worth checking before you commit.
* :func:`monte_carlo` -- draw every assumption at once from its range, thousands of times, and
  report how often fine-tuning pays back within a deadline (source 003 asks "within a quarter").

Both run the whole batch through one vectorised :func:`~ftroi_helpers.cost_model.simulate` call (no
Python loop per draw), so 100,000 draws take about 0.05 s on a 2-core machine. Draws are seeded
(:func:`numpy.random.default_rng`) and so are reproducible.

The ranges in :data:`DEFAULT_RANGES` come from the four source documents where they give a
number, and are marked as the workbook's own assumption where they do not. The draws are
independent of each other: the model does not know that, say, a hosted price that falls fast
also tends to make a cheaper GPU available.

Only numpy is imported here; pandas loads when a table is asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from .cost_model import Scenario, _validate_fields, simulate
from .validation import (
    MAX_DRAWS,
    MAX_SCENARIO_MONTHS,
    MAX_TABLE_ROWS,
    as_number,
    require_choice,
    require_fraction,
    require_int,
    require_scalar,
    short_repr,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "ASSUMPTION_LABELS",
    "DEFAULT_RANGES",
    "GPU_BILLED_RANGES",
    "MonteCarloResult",
    "monte_carlo",
    "ranges_around",
    "share_text",
    "sweep",
    "tornado",
]

#: Low and high end of each assumption that matters, in the units of the :class:`Scenario` field,
#: for source 003's framing, where the GPU's cost is inside the per-request price
#: (``self_hosted_cost_per_1k_req``) and there is no fixed hosting fee. For a GPU billed by the
#: hour use :data:`GPU_BILLED_RANGES` instead.
#:
#: ``requests_per_month`` (100,000 - 300,000)
#:     Source 003's 200,000 a month, +/- 50 %; both ends stay inside source 002's
#:     "1,000-10,000 requests/day: evaluate both" band (30,000-300,000 a month).
#: ``hosted_cost_per_1k_req`` (USD 7.50 - 22.50)
#:     Source 003's $15 per 1,000 requests, +/- 50 %. A hosted request's price scales with its
#:     tokens, so this covers prompts half as long or half as long again. (The price *trend* is a
#:     separate assumption, ``hosted_price_decline_per_year``.) The workbook's range: no source
#:     gives one.
#: ``self_hosted_cost_per_1k_req`` (USD 1 - 4)
#:     Source 003's $2 spreads a GPU's bill over the requests it serves, at a utilization the
#:     source never states. High end, the idle-GPU case: a dedicated A10G at $1.006/hour
#:     (prices.csv, g5.xlarge) is billed all 730 hours of a month, busy or idle; spread over only
#:     200,000 requests that is $3.67 per 1,000, rounded up to $4. Low end: twice the utilization
#:     that $2 implies, $1.
#: ``data_prep_usd`` (USD 250 - 10,000)
#:     Low: the data share of source 003's $400 project (the split is the workbook's). High:
#:     source 002's "$50-10,000+ (data + training)" upfront cost; source 003 calls the dataset
#:     "usually the biggest cost".
#: ``training_usd`` (USD 4 - 40)
#:     Source 002's Llama 3.1 8B (full) row: 4-20 GPU hours at $1-2 an hour. The source prints
#:     "$8-40"; its own low end is 4 h x $1 = $4.
#: ``eval_harness_usd`` (USD 40 - 2,000)
#:     Source 001: an evaluation pipeline "can cost as much as the training itself", so at least
#:     the top training cost, $40. High: a few engineer-days of test sets, baselines and
#:     regression checks (the workbook's assumption; source 001 calls evaluation "the hidden line
#:     item" without a figure).
#: ``monitoring_usd_per_month`` (USD 0 - 500)
#:     Source 001 lists monitoring output quality as a recurring cost "easy to ignore" but gives no
#:     figure; 0 to a few engineer-hours a month is the workbook's assumption.
#: ``retrain_every_months`` (3 - 6)
#:     Source 002: "Plan for 2-4 retraining cycles per year", i.e. every 3 to 6 months.
#: ``hosted_price_decline_per_year`` (0.5 - 0.8)
#:     Source 002: hosted prices "have dropped 50-80% annually".
#:
#: Left out: ``hosting_usd_per_month`` (in this framing the GPU is already in the per-request
#: price; varying both would count it twice -- see :data:`GPU_BILLED_RANGES`),
#: ``finetune_price_decline_per_year`` (no source gives a figure, and it only helps
#: fine-tuning) and ``horizon_months`` (a choice, not an uncertainty).
DEFAULT_RANGES: dict[str, tuple[float, float]] = {
    "requests_per_month": (100_000.0, 300_000.0),
    "hosted_cost_per_1k_req": (7.5, 22.5),
    "self_hosted_cost_per_1k_req": (1.0, 4.0),
    "data_prep_usd": (250.0, 10_000.0),
    "training_usd": (4.0, 40.0),
    "eval_harness_usd": (40.0, 2_000.0),
    "monitoring_usd_per_month": (0.0, 500.0),
    "retrain_every_months": (3, 6),
    "hosted_price_decline_per_year": (0.5, 0.8),
}

#: Ranges for a GPU billed by the hour (lesson 06's realistic scenario): the serving cost is the
#: fixed ``hosting_usd_per_month`` and a request adds nothing, so ``self_hosted_cost_per_1k_req``
#: is not varied. ``hosting_usd_per_month`` (USD 730 - 1,460): one A10G kept up around the clock
#: (730 hours a month) at source 002's $1-2 per hour. Every other range is as in
#: :data:`DEFAULT_RANGES`.
GPU_BILLED_RANGES: dict[str, tuple[float, float]] = {
    **{k: v for k, v in DEFAULT_RANGES.items() if k != "self_hosted_cost_per_1k_req"},
    "hosting_usd_per_month": (730.0, 1_460.0),
}

#: Plain-language label, with units, for each scenario field (tables and charts).
ASSUMPTION_LABELS: dict[str, str] = {
    "requests_per_month": "requests per month",
    "hosted_cost_per_1k_req": "hosted price (USD per 1k requests)",
    "self_hosted_cost_per_1k_req": "fine-tuned serving (USD per 1k requests)",
    "data_prep_usd": "data preparation (USD, one-time)",
    "training_usd": "training run (USD)",
    "eval_harness_usd": "evaluation harness (USD)",
    "hosting_usd_per_month": "GPU / hosting fee (USD per month)",
    "monitoring_usd_per_month": "monitoring (USD per month)",
    "retrain_every_months": "retrain every (months)",
    "hosted_price_decline_per_year": "hosted price decline (share per year)",
    "finetune_price_decline_per_year": "fine-tuning price decline (share per year)",
}

_METRICS = ("payback_months", "net_savings_usd")
_DISTRIBUTIONS = ("uniform", "triangular")
_VARIABLE = tuple(f.name for f in fields(Scenario) if f.name != "horizon_months")
_INT_FIELDS = {"retrain_every_months"}


def _check_ranges(ranges: Mapping[str, Any] | None) -> dict[str, tuple[float, float]]:
    """Validate ``ranges`` (name -> (low, high)); return a clean copy in the given order."""
    if ranges is None:
        ranges = DEFAULT_RANGES
    if not isinstance(ranges, Mapping):
        raise TypeError(
            f"ranges must be a dict of field name -> (low, high), got {type(ranges).__name__}"
        )
    if not ranges:
        raise ValueError("ranges must name at least one assumption, got an empty dict")
    out: dict[str, tuple[float, float]] = {}
    for name, pair in ranges.items():
        if name == "horizon_months":
            raise ValueError(
                "ranges cannot vary horizon_months: set it on the scenario instead"
            )
        if name not in _VARIABLE:
            raise ValueError(
                f"ranges has an unknown assumption {name!r}; choose from: {', '.join(_VARIABLE)}"
            )
        if isinstance(pair, (str, bytes)) or not isinstance(pair, Iterable):
            raise TypeError(f"ranges[{name!r}] must be a (low, high) pair, got {short_repr(pair)}")
        pair = tuple(pair)
        if len(pair) != 2:
            raise TypeError(f"ranges[{name!r}] must be a (low, high) pair, got {short_repr(pair)}")
        low = as_number(f"ranges[{name!r}] low", pair[0])
        high = as_number(f"ranges[{name!r}] high", pair[1])
        if not (isinstance(low, float) and isinstance(high, float)):
            raise TypeError(f"ranges[{name!r}] must hold two numbers, got {short_repr(pair)}")
        if low > high:
            raise ValueError(f"ranges[{name!r}] low must be <= high, got ({low:g}, {high:g})")
        try:
            _validate_fields({name: np.array([low, high])}, scalar=False)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"ranges[{name!r}] is outside the field's domain: {exc}") from None
        out[name] = (low, high)
    return out


def _base(scenario: Scenario | None) -> Scenario:
    if scenario is None:
        return Scenario()
    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a Scenario, got {type(scenario).__name__}")
    return scenario


def tornado(
    scenario: Scenario | None = None,
    ranges: Mapping[str, tuple[float, float]] | None = None,
    metric: str = "payback_months",
) -> pd.DataFrame:
    """One-at-a-time sensitivity: each assumption at its low and high end, sorted by swing.

    For every assumption in ``ranges`` the model is run twice -- with that assumption at its
    low end and at its high end, every other field at the scenario's value -- all in one
    :func:`~ftroi_helpers.cost_model.simulate` call. The rows are sorted by swing, largest first (ties
    keep the order of ``ranges``).

    Parameters
    ----------
    scenario : Scenario, optional
        The assumptions held fixed (default: ``Scenario()``, source 003's example).
    ranges : dict of field name -> (low, high), optional
        The ends to try, in the units of each :class:`~ftroi_helpers.cost_model.Scenario` field
        (default :data:`DEFAULT_RANGES`).
    metric : {"payback_months", "net_savings_usd"}
        ``"payback_months"``: months until fine-tuning has paid back (fractional); ``inf`` when
        it does not pay back within ``scenario.horizon_months``. ``"net_savings_usd"``:
        cumulative USD saved by fine-tuning at the end of the horizon (negative when it loses
        money; always finite).

    Returns
    -------
    pandas.DataFrame
        Columns ``assumption`` (the field name), ``low``, ``high``, ``<metric>_at_low``,
        ``<metric>_at_high`` and the swing: ``swing_months`` (payback) or ``swing_usd`` (net
        savings), the absolute difference between the two ends. For payback an end with no
        payback within the horizon is reported as ``inf`` but counts as ``horizon_months`` for
        the swing, so such a swing is a lower bound. ``table.attrs`` holds ``metric``,
        ``base_value`` (the metric for the scenario itself) and ``horizon_months``.

    Raises
    ------
    ValueError, TypeError
        For an unknown metric or assumption name, a pair with low > high, or an end outside
        the field's domain (e.g. a negative cost, a decline of 1).

    Examples
    --------
    Source 003's example (hosted $15 vs self-hosted $2 per 1k requests, $400 one-time) pays
    back in 0.15 months; the cost of the data moves it most (source 002's $10,000 end: 3.9
    months), then the evaluation harness:

    >>> t = tornado()
    >>> round(t.attrs["base_value"], 2)
    0.15
    >>> t["assumption"].tolist()[:2]
    ['data_prep_usd', 'eval_harness_usd']
    >>> t.loc[t.assumption == "data_prep_usd", "payback_months_at_high"].round(2).item()
    3.9
    >>> tornado(ranges={"hosted_cost_per_1k_req": (1.0, 15.0)})["payback_months_at_low"].item()
    inf
    """
    import pandas as pd

    s = _base(scenario)
    metric = require_choice("metric", metric, _METRICS)
    checked = _check_ranges(ranges)
    names = list(checked)
    k = len(names)
    ends = np.array([checked[n] for n in names], dtype=float)   # (k, 2)
    # rows 0..k-1 put assumption i at its low end, rows k..2k-1 at its high end, and the last
    # row is the scenario itself: one simulate call for everything
    arrays: dict[str, np.ndarray] = {}
    for i, name in enumerate(names):
        col = np.full(2 * k + 1, float(getattr(s, name)))
        col[i], col[k + i] = ends[i]
        arrays[name] = col
    curves = simulate(s, **arrays)
    if metric == "payback_months":
        values = curves.payback_months
        capped = np.minimum(values, s.horizon_months)
        swing_name = "swing_months"
    else:
        values = curves.prompting_cumulative_usd[:, -1] - curves.finetune_cumulative_usd[:, -1]
        capped = values
        swing_name = "swing_usd"
    base_value = float(values[-1])
    table = pd.DataFrame({
        "assumption": names,
        "low": ends[:, 0],
        "high": ends[:, 1],
        f"{metric}_at_low": values[:k],
        f"{metric}_at_high": values[k:2 * k],
        swing_name: np.abs(capped[k:2 * k] - capped[:k]),
    })
    table = table.sort_values(swing_name, ascending=False, kind="stable").reset_index(drop=True)
    table.attrs.update(metric=metric, base_value=base_value, horizon_months=s.horizon_months)
    return table


@dataclass(frozen=True, eq=False)
class MonteCarloResult:
    """Payback across many random draws of the assumptions (see :func:`monte_carlo`)."""

    #: Fractional months to payback for each draw (``inf``: no payback within the horizon).
    payback_months: np.ndarray
    #: Share of draws that pay back within ``within_months`` (0 to 1).
    p_payback_within: float
    #: The deadline, in months.
    within_months: int
    #: Number of draws.
    n_draws: int
    #: Seed of :func:`numpy.random.default_rng`.
    seed: int
    #: "uniform" or "triangular".
    distribution: str = "uniform"
    #: Months compared over (the scenario's horizon).
    horizon_months: int = 12
    #: The drawn value of each varied assumption, by field name.
    draws: Mapping[str, np.ndarray] = field(default_factory=dict, repr=False)

    @property
    def p_payback_within_horizon(self) -> float:
        """Share of draws that pay back at all within the horizon."""
        return float(np.mean(np.isfinite(self.payback_months)))

    @property
    def median_payback_months(self) -> float:
        """Median months to payback (``inf`` when most draws never pay back)."""
        return float(np.median(self.payback_months))

    def summary(self) -> str:
        """One sentence, e.g. "Payback within 3 months in 87% of 10,000 draws"."""
        return (
            f"Payback within {self.within_months} months in "
            f"{share_text(self.p_payback_within)} of {self.n_draws:,} draws"
        )


def share_text(p: float) -> str:
    """A share (0 to 1) as a percentage that never rounds a near-certainty to 0 % or 100 %.

    >>> share_text(0.87), share_text(0.999), share_text(0.001), share_text(1.0)
    ('87%', '>99%', '<1%', '100%')
    >>> share_text(float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: p must be a finite number, got nan
    """
    p = require_scalar("p", p, require_fraction)
    if 0 < p < 0.005:
        return "<1%"
    if 0.995 <= p < 1:
        return ">99%"
    return f"{p:.0%}"


def _draw(rng: np.random.Generator, name: str, low: float, high: float, mode: float,
          n: int, distribution: str) -> np.ndarray:
    """``n`` draws of one assumption; whole numbers for integer fields."""
    if low == high:
        return np.full(n, low)
    if name in _INT_FIELDS:
        if distribution == "uniform":
            return rng.integers(int(low), int(high), size=n, endpoint=True).astype(float)
        # a triangle over [low - 0.5, high + 0.5], rounded: each whole number gets its share
        x = rng.triangular(low - 0.5, min(max(mode, low), high), high + 0.5, size=n)
        return np.clip(np.rint(x), low, high)
    if distribution == "uniform":
        return rng.uniform(low, high, size=n)
    return rng.triangular(low, min(max(mode, low), high), high, size=n)


def monte_carlo(
    scenario: Scenario | None = None,
    ranges: Mapping[str, tuple[float, float]] | None = None,
    n_draws: int = 10_000,
    seed: int = 0,
    distribution: str = "uniform",
    within_months: int | None = None,
) -> MonteCarloResult:
    """Probability that fine-tuning pays back within a deadline, over random assumptions.

    Every assumption in ``ranges`` is drawn independently ``n_draws`` times (the others stay
    at the scenario's value) and all draws run through one
    :func:`~ftroi_helpers.cost_model.simulate` call.

    Parameters
    ----------
    scenario : Scenario, optional
        Fixed assumptions and the horizon (default ``Scenario()``, source 003's example).
    ranges : dict of field name -> (low, high), optional
        What to vary, in each field's units (default :data:`DEFAULT_RANGES`). Integer fields
        (``retrain_every_months``) are drawn as whole numbers.
    n_draws : int
        Number of draws (> 0).
    seed : int
        Seed for :func:`numpy.random.default_rng` (>= 0); the same seed gives the same draws.
    distribution : {"uniform", "triangular"}
        ``"uniform"``: every value in the range equally likely. ``"triangular"``: most likely
        at the scenario's value (clipped into the range), tapering to the ends.
    within_months : int, optional
        The deadline in months (default 3: source 003 asks about "a quarter"); at most the
        scenario's ``horizon_months``.

    Returns
    -------
    MonteCarloResult
        ``payback_months`` per draw (``inf`` = none within the horizon), ``p_payback_within``,
        and ``.summary()``.

    Raises
    ------
    ValueError, TypeError
        For a bad ``n_draws``, ``seed``, ``distribution`` or ``within_months``, or bad ranges
        (see :func:`tornado`).

    Examples
    --------
    Source 003's example pays back within a quarter in about half the draws of the default
    ranges (against month 1 at its own point values):

    >>> r = monte_carlo(n_draws=10_000, seed=0)
    >>> r.summary()
    'Payback within 3 months in 48% of 10,000 draws'
    >>> monte_carlo(n_draws=0)
    Traceback (most recent call last):
    ...
    ValueError: n_draws must be >= 1, got 0
    """
    s = _base(scenario)
    n = require_int("n_draws", n_draws, minimum=1, maximum=MAX_DRAWS, limit_name="MAX_DRAWS")
    if n * s.horizon_months > MAX_SCENARIO_MONTHS:
        raise ValueError(
            f"n_draws x the scenario's horizon_months must be at most {MAX_SCENARIO_MONTHS:,} "
            f"(MAX_SCENARIO_MONTHS), got {n:,} x {s.horizon_months} = "
            f"{n * s.horizon_months:,}: use fewer n_draws or a shorter horizon")
    seed = require_int("seed", seed, minimum=0)
    distribution = require_choice("distribution", distribution, _DISTRIBUTIONS)
    if within_months is None:
        within = min(3, s.horizon_months)
    else:
        within = require_int("within_months", within_months, minimum=1)
        if within > s.horizon_months:
            raise ValueError(
                f"within_months must be <= the scenario's horizon_months ({s.horizon_months}), "
                f"got {within}"
            )
    checked = _check_ranges(ranges)
    rng = np.random.default_rng(seed)
    draws = {
        name: _draw(rng, name, low, high, float(getattr(s, name)), n, distribution)
        for name, (low, high) in checked.items()
    }
    curves = simulate(s, **draws)
    payback = np.broadcast_to(curves.payback_months, (n,)).copy()
    return MonteCarloResult(
        payback_months=payback,
        p_payback_within=float(np.mean(payback <= within)),
        within_months=within,
        n_draws=n,
        seed=seed,
        distribution=distribution,
        horizon_months=s.horizon_months,
        draws=draws,
    )


def sweep(
    scenario: Scenario | None,
    name: str,
    values: Iterable[float],
) -> pd.DataFrame:
    """Payback and savings as one assumption takes each of several values (one simulate call).

    Parameters
    ----------
    scenario : Scenario or None
        Every other assumption (None: ``Scenario()``, source 003's example).
    name : str
        The :class:`~ftroi_helpers.cost_model.Scenario` field to vary (not ``horizon_months``).
    values : iterable of numbers
        Its values, in the field's units.

    Returns
    -------
    pandas.DataFrame
        One row per value: ``name``, ``payback_month`` (1-based; ``<NA>`` when there is no
        payback within the horizon), ``payback_months`` (fractional; ``inf`` for none) and
        ``net_savings_usd`` (cumulative savings at the end of the horizon).

    Raises
    ------
    ValueError, TypeError
        For an unknown field or a value outside its domain.

    Examples
    --------
    Source 003's example pays back later as the hosted price falls towards its $2 self-hosted
    price, and never at $2:

    >>> sweep(None, "hosted_cost_per_1k_req", [15, 3, 2])["payback_month"].tolist()
    [1, 2, <NA>]
    """
    import pandas as pd

    s = _base(scenario)
    if not isinstance(name, str) or name not in _VARIABLE:
        raise (TypeError if not isinstance(name, str) else ValueError)(
            "name must be a Scenario field other than horizon_months, got "
            f"{short_repr(name)}")
    if isinstance(values, (set, frozenset)) or (isinstance(values, Iterable) and not isinstance(
            values, (str, bytes, np.ndarray, list, tuple, range)) and not hasattr(
            values, "__array__")):
        values = _listed("values", values)
    arr = np.atleast_1d(as_number("values", values))
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"values must be a non-empty list of numbers, got {short_repr(values)}")
    try:
        curves = simulate(s, **{name: arr})
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"values: {exc}") from None
    month = pd.array(curves.payback_month, dtype="Int64")
    month[curves.payback_month == 0] = pd.NA
    return pd.DataFrame({
        name: arr.astype(int) if name in _INT_FIELDS else arr,
        "payback_month": month,
        "payback_months": curves.payback_months,
        "net_savings_usd": curves.prompting_cumulative_usd[:, -1]
        - curves.finetune_cumulative_usd[:, -1],
    })


def ranges_around(
    scenario: Scenario | None = None,
    relative_spread: float = 0.5,
    names: Iterable[str] | None = None,
) -> dict[str, tuple[float, float]]:
    """Ranges of +/- ``relative_spread`` around a scenario's own values.

    For "what if each of my numbers could be off by 50 %?" when there is no better range.
    Price declines are capped at 0.95 a year; ``retrain_every_months`` is rounded to whole
    months and stays >= 1 when it is set (0, "never retrain", stays 0). A field at 0 gets the
    range (0, 0).

    Parameters
    ----------
    scenario : Scenario, optional
        The central values (default ``Scenario()``).
    relative_spread : float
        Fraction above and below each value, 0 to 1 (0.5 = +/- 50 %).
    names : iterable of str, optional
        Fields to include (default: those of :data:`DEFAULT_RANGES`).

    Returns
    -------
    dict of field name -> (low, high)

    Raises
    ------
    ValueError, TypeError
        For a spread outside [0, 1] or an unknown field name.

    Examples
    --------
    >>> r = ranges_around(Scenario(), 0.5)
    >>> r["hosted_cost_per_1k_req"], r["requests_per_month"]
    ((7.5, 22.5), (100000.0, 300000.0))
    >>> ranges_around(Scenario(retrain_every_months=3), 0.5)["retrain_every_months"]
    (2, 4)
    """
    s = _base(scenario)
    spread = require_scalar("relative_spread", relative_spread, require_fraction)
    if isinstance(names, str):
        raise TypeError(f"names must be a list of Scenario field names, got the string "
                        f"{short_repr(names)}")
    chosen = list(DEFAULT_RANGES) if names is None else _listed("names", names)
    out: dict[str, tuple[float, float]] = {}
    for name in chosen:
        if not isinstance(name, str) or name not in _VARIABLE:
            raise ValueError(
                f"names has an unknown assumption {short_repr(name)}; choose from: "
                f"{', '.join(_VARIABLE)}"
            )
        value = float(getattr(s, name))
        low, high = value * (1 - spread), value * (1 + spread)
        if name in _INT_FIELDS:
            if value == 0:
                out[name] = (0, 0)
            else:
                out[name] = (max(1, round(low)), max(1, round(high)))
            continue
        if name.endswith("_decline_per_year"):
            low, high = min(low, 0.95), min(high, 0.95)
        out[name] = (low, high)
    return out


def _listed(name: str, values: Any) -> list[Any]:
    """An iterable as a list, refusing one that is not iterable or is too long, by name."""
    if not isinstance(values, Iterable):
        raise TypeError(f"{name} must be a list, got {short_repr(values)} "
                        f"({type(values).__name__})")
    out = []
    for item in values:
        out.append(item)
        if len(out) > MAX_TABLE_ROWS:
            raise ValueError(f"{name} must hold at most {MAX_TABLE_ROWS:,} items (MAX_TABLE_ROWS)")
    return out
