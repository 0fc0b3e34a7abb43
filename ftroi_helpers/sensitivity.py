"""Which assumptions move the answer? Tornado tables and Monte Carlo over the TCO model.

Every number in a fine-tuning business case is a guess with a range. This module asks two
questions of :func:`ftroi_helpers.cost_model.simulate`:

* :func:`tornado` -- move one assumption at a time to the low and the high end of its range
  (everything else at the scenario's value) and sort the assumptions by how far they move the
  payback. The top rows are the assumptions worth checking before you commit.
* :func:`monte_carlo` -- draw every assumption at once from its range, thousands of times, and
  report how often fine-tuning pays back within a deadline (the calculator demo asks "within a
  quarter").

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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .cost_model import REALISTIC, Scenario, simulate
from .never import never_or_float, never_to_na
from .scenario import SCENARIO_FIELDS, _validate_fields
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
    "EVENT_FIELDS",
    "REALISTIC_CHANCES",
    "DEFAULT_RANGES",
    "GPU_BILLED_RANGES",
    "REALISTIC_RANGES",
    "REALISTIC_RANGE_NOTES",
    "MonteCarloResult",
    "attribution",
    "monte_carlo",
    "ranges_around",
    "ranges_containing",
    "share_text",
    "sweep",
    "tornado",
    "two_way",
]

#: Low and high end of each assumption that matters, in the units of the :class:`Scenario` field,
#: for the calculator demo's framing, where the GPU's cost is inside the per-request price
#: (``self_hosted_cost_per_1k_req``) and there is no fixed hosting fee. For a GPU billed by the
#: hour use :data:`GPU_BILLED_RANGES` instead.
#:
#: ``requests_per_month`` (100,000 - 300,000)
#:     The calculator demo's 200,000 a month, +/- 50 %; both ends stay inside the crossover guide's
#:     "1,000-10,000 requests/day: evaluate both" band (30,000-300,000 a month).
#: ``hosted_cost_per_1k_req`` (USD 7.50 - 22.50)
#:     The calculator demo's $15 per 1,000 requests, +/- 50 %. A hosted request's price scales with
#:     its tokens, so this covers prompts half as long or half as long again. (The price *trend* is
#:     a separate assumption, ``hosted_price_decline_per_year``.) The workbook's range: no source
#:     gives one.
#: ``self_hosted_cost_per_1k_req`` (USD 1 - 4)
#:     The calculator demo's $2 spreads a GPU's bill over the requests it serves, at a utilization
#:     the source never states. High end, the idle-GPU case: a dedicated A10G at $1.006/hour
#:     (prices.csv, g5.xlarge) is billed all 730 hours of a month, busy or idle; spread over only
#:     200,000 requests that is $3.67 per 1,000, rounded up to $4. Low end: twice the utilization
#:     that $2 implies, $1.
#: ``data_prep_usd`` (USD 250 - 10,000)
#:     Low: the data share of the calculator demo's $400 project (the split is the workbook's).
#:     High: the crossover guide's "$50-10,000+ (data + training)" upfront cost; the calculator demo
#:     calls the dataset "usually the biggest cost".
#: ``training_usd`` (USD 4 - 40)
#:     The crossover guide's Llama 3.1 8B row (printed "full"; on an A10G it can only be LoRA or
#:     QLoRA): 4-20 GPU hours at $1-2 an hour. The source prints "$8-40"; its own low end is 4 h x
#:     $1 = $4.
#: ``eval_harness_usd`` (USD 40 - 2,000)
#:     The economics article: an evaluation pipeline "can cost as much as the training itself", so
#:     at least the top training cost, $40. High: a few engineer-days of test sets, baselines and
#:     regression checks (the workbook's assumption; the economics article calls evaluation "the
#:     hidden line item" without a figure).
#: ``monitoring_usd_per_month`` (USD 0 - 500)
#:     The economics article lists monitoring output quality as a recurring cost "easy to ignore"
#:     but gives no figure; 0 to a few engineer-hours a month is the workbook's assumption.
#: ``retrain_every_months`` (3 - 6)
#:     The crossover guide: "Plan for 2-4 retraining cycles per year", i.e. every 3 to 6 months.
#: ``hosted_price_decline_per_year`` (0.5 - 0.8)
#:     The crossover guide: hosted prices "have dropped 50-80% annually".
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
#: (730 hours a month) at the crossover guide's $1-2 per hour. Every other range is as in
#: :data:`DEFAULT_RANGES`.
GPU_BILLED_RANGES: dict[str, tuple[float, float]] = {
    **{k: v for k, v in DEFAULT_RANGES.items() if k != "self_hosted_cost_per_1k_req"},
    "hosting_usd_per_month": (730.0, 1_460.0),
}

#: Ranges for :data:`~ftroi_helpers.cost_model.REALISTIC` (lessons 03, 05 and 06). Every range
#: contains the scenario's own value (a test checks it), so the base case is one of the draws.
#:
#: ``requests_per_month`` (100,000 - 300,000), ``hosted_cost_per_1k_req`` (USD 7.50 - 22.50),
#: ``data_prep_usd`` (USD 250 - 10,000), ``training_usd`` (USD 4 - 40), ``eval_harness_usd``
#: (USD 40 - 2,000), ``monitoring_usd_per_month`` (USD 0 - 500) and ``retrain_every_months``
#: (3 - 6)
#:     As in :data:`DEFAULT_RANGES`.
#: ``hosting_usd_per_month`` (USD 730 - 1,460 per replica)
#:     One A10G at the crossover guide's USD 1-2 an hour (unverified), 730 hours a month. The
#:     point value is the g5.xlarge's dated USD 1.006 an hour (prices.csv), inside the range near
#:     its low end.
#: ``replicas`` (1 - 3)
#:     One (no redundancy) to three (survives two failures).
#: ``engineering_usd_per_month`` (USD 0 - 2,000)
#:     No extra time (the team already runs GPUs) to 20 engineer-hours a month; the workbook's.
#: ``launch_delay_months`` (0 - 2)
#:     The crossover guide: "days to weeks" to a first result; up to two months to production.
#: ``model_switch_month`` (6 - 12) and ``model_switch_price_cut`` (0.5 - 0.8)
#:     The crossover guide: hosted prices "have dropped 50-80% annually". In the model that fall
#:     comes as one switch to a cheaper model some time in the second half of the year, and
#:     only in some years: :data:`REALISTIC_CHANCES` draws it with a probability.
#:
#: Not varied: ``hosting_price_decline_per_year`` (0 in :data:`~ftroi_helpers.cost_model.REALISTIC`:
#: prices.csv holds one dated row per GPU, so no trend can be read from it).
#:
#: Several ranges lean above their point value (data preparation: USD 250 - 2,500 - 10,000). The
#: capstone draws them with ``distribution="split"``, which keeps each point value at the median
#: of its draws; the mean of the draws then sits above the point value, and lesson 06 shows both.
REALISTIC_RANGES: dict[str, tuple[float, float]] = {
    "requests_per_month": (100_000.0, 300_000.0),
    "hosted_cost_per_1k_req": (7.5, 22.5),
    "data_prep_usd": (250.0, 10_000.0),
    "training_usd": (4.0, 40.0),
    "eval_harness_usd": (40.0, 2_000.0),
    "hosting_usd_per_month": (730.0, 1_460.0),
    "replicas": (1, 3),
    "monitoring_usd_per_month": (0.0, 500.0),
    "engineering_usd_per_month": (0.0, 2_000.0),
    "launch_delay_months": (0, 2),
    "retrain_every_months": (3, 6),
    "model_switch_month": (6, 12),
    "model_switch_price_cut": (0.5, 0.8),
}

#: Events of :data:`REALISTIC_RANGES` that may not happen, and their probability within the
#: horizon. The model switch: the workbook's even odds that a cheaper model the team can move to
#: arrives within the year (the crossover guide's "50-80% annually" is an average over years, not
#: a promise for this one); when it does, its month and cut are drawn from their ranges.
REALISTIC_CHANCES: dict[str, float] = {"model_switch_month": 0.5}

#: Where each range of :data:`REALISTIC_RANGES` comes from, for the lessons' tables (sources by
#: their short names on ``lessons/sources.md``; "the workbook's" where no source gives a figure).
REALISTIC_RANGE_NOTES: dict[str, str] = {
    "requests_per_month": "the calculator demo's 200k ± 50 %, inside the crossover guide's "
                          "'evaluate both' band",
    "hosted_cost_per_1k_req": "the calculator demo's USD 15 ± 50 % (the workbook's: the price "
                              "scales with the prompt's length)",
    "data_prep_usd": "the calculator demo's data share to the crossover guide's "
                     "'USD 50-10,000+' upfront",
    "training_usd": "the crossover guide's Llama 3.1 8B row: 4-20 GPU-hours at USD 1-2 "
                    "(unverified)",
    "eval_harness_usd": "the economics article: 'as much as the training itself', up to a few "
                        "engineer-days (the workbook's)",
    "hosting_usd_per_month": "one A10G at the crossover guide's USD 1-2 an hour, 730 hours; "
                             "the point value is the g5.xlarge's dated USD 1.006 (prices.csv)",
    "replicas": "one (no redundancy) to three (survives two failures)",
    "monitoring_usd_per_month": "the workbook's; the economics article names the cost only",
    "engineering_usd_per_month": "none to 20 engineer-hours a month (the workbook's)",
    "launch_delay_months": "the crossover guide: 'days to weeks' to a first result",
    "retrain_every_months": "the crossover guide: 'plan for 2-4 retraining cycles per year'",
    "model_switch_month": "the workbook's: a cheaper model arrives in the second half-year, "
                          "in half the draws (REALISTIC_CHANCES)",
    "model_switch_price_cut": "the crossover guide: prices 'have dropped 50-80% annually'",
}

#: Plain-language label, with units, for each scenario field (tables and charts), from
#: :data:`~ftroi_helpers.scenario.SCENARIO_FIELDS`.
ASSUMPTION_LABELS: dict[str, str] = {name: spec.label for name, spec in SCENARIO_FIELDS.items()}

_METRICS = ("payback_months", "net_savings_usd")
_DISTRIBUTIONS = ("uniform", "triangular", "split")

#: Fields that stand for an event that may not happen, and the value that means "it does not".
EVENT_FIELDS: dict[str, float] = {"model_switch_month": 0.0}
#: The fields a range may vary: every number but the horizon.
_VARIABLE = tuple(name for name, spec in SCENARIO_FIELDS.items()
                  if name != "horizon_months" and spec.kind != "flag")
_INT_FIELDS = {name for name in _VARIABLE if SCENARIO_FIELDS[name].whole}


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


def _check_chances(chances: Mapping[str, Any] | None) -> dict[str, float]:
    """Validate ``chances`` (event field -> probability); return a clean copy."""
    if chances is None:
        return {}
    if not isinstance(chances, Mapping):
        raise TypeError(f"chances must be a dict of field name -> probability, got "
                        f"{short_repr(chances)}")
    out = {}
    for name, p in chances.items():
        if name not in EVENT_FIELDS:
            raise ValueError(f"chances has {short_repr(name)}, which is not an event that may "
                             f"not happen; choose from: {', '.join(EVENT_FIELDS)}")
        out[name] = float(require_scalar(f"chances[{name!r}]", p, require_fraction))
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
        The assumptions held fixed (default: ``Scenario()``, the calculator demo's example).
    ranges : dict of field name -> (low, high), optional
        The ends to try, in the units of each :class:`~ftroi_helpers.cost_model.Scenario` field
        (default :data:`DEFAULT_RANGES`).
    metric : {"payback_months", "net_savings_usd"}
        ``"payback_months"``: months until fine-tuning has paid back (fractional); "never"
        (``<NA>``) when it does not pay back within ``scenario.horizon_months``. ``"net_savings_usd"``:
        cumulative USD saved by fine-tuning at the end of the horizon (negative when it loses
        money; always finite).

    Returns
    -------
    pandas.DataFrame
        Columns ``assumption`` (the field name), ``low``, ``high``, ``<metric>_at_low``,
        ``<metric>_at_high`` and the swing: ``swing_months`` (payback) or ``swing_usd`` (net
        savings), the absolute difference between the two ends. For payback the two ends are
        nullable ``Float64`` columns: an end with no payback within the horizon is ``<NA>``
        ("never", see :mod:`ftroi_helpers.never`). "Never" is not the horizon: when one end
        pays back and the other never does, the swing is ``<NA>`` too, and such rows come first
        (the assumption decides whether fine-tuning pays back at all); when both ends never pay
        back the swing is 0. ``table.attrs`` holds ``metric``,
        ``base_value`` (the metric for the scenario itself; None for never) and
        ``horizon_months``.

    Raises
    ------
    ValueError, TypeError
        For an unknown metric or assumption name, a pair with low > high, or an end outside
        the field's domain (e.g. a negative cost, a decline of 1).

    Examples
    --------
    The calculator demo's example (hosted $15 vs self-hosted $2 per 1k requests, $400 one-time) pays
    back in 0.15 months; the cost of the data moves it most (the crossover guide's $10,000 end: 3.9
    months), then the evaluation harness:

    >>> t = tornado()
    >>> round(t.attrs["base_value"], 2)
    0.15
    >>> t["assumption"].tolist()[:2]
    ['data_prep_usd', 'eval_harness_usd']
    >>> float(t.loc[t.assumption == "data_prep_usd", "payback_months_at_high"].round(2).item())
    3.9
    >>> tornado(ranges={"hosted_cost_per_1k_req": (1.0, 15.0)})["payback_months_at_low"].isna().item()
    True
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
        values = curves.payback_months.filled(np.inf)  # inf: never (shown as <NA> below)
        low, high = values[:k], values[k:2 * k]
        # "never" is not the horizon: an end that never pays back while the other does makes
        # the swing never too (sorted first: it decides whether fine-tuning pays back at all);
        # two ends that both never pay back do not move the answer
        both_never = np.isinf(low) & np.isinf(high)
        swing = np.abs(np.subtract(high, low, out=np.zeros_like(high), where=~both_never))
        swing_name = "swing_months"
        shown = never_to_na
    else:
        values = curves.prompting_cumulative_usd[:, -1] - curves.finetune_cumulative_usd[:, -1]
        swing = np.abs(values[k:2 * k] - values[:k])
        swing_name = "swing_usd"
        shown = np.asarray
    base_value = never_or_float(values[-1])
    order = np.argsort(-swing, kind="stable")  # largest first, never (inf) before any number
    table = pd.DataFrame({
        "assumption": [names[i] for i in order],
        "low": ends[order, 0],
        "high": ends[order, 1],
        f"{metric}_at_low": shown(values[:k][order]),
        f"{metric}_at_high": shown(values[k:2 * k][order]),
        swing_name: shown(swing[order]),
    })
    table.attrs.update(metric=metric, base_value=base_value, horizon_months=s.horizon_months)
    return table


@dataclass(frozen=True, eq=False)
class MonteCarloResult:
    """Payback across many random draws of the assumptions (see :func:`monte_carlo`)."""

    #: Fractional months to payback for each draw: a MaskedArray, masked where a draw never
    #: pays back within the horizon (see :mod:`ftroi_helpers.never`).
    payback_months: np.ma.MaskedArray
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
    #: Cumulative USD fine-tuning is ahead at the horizon, per draw (negative: behind).
    net_savings_usd: np.ndarray = field(default_factory=lambda: np.empty(0), repr=False)

    @property
    def p_payback_within_horizon(self) -> float:
        """Share of draws that pay back at all within the horizon."""
        return float(np.mean(~np.ma.getmaskarray(self.payback_months)))

    @property
    def p_ahead_at_horizon(self) -> float:
        """Share of draws in which fine-tuning is ahead (or level) at the end of the horizon.

        Lower than :attr:`p_payback_within_horizon` when some draws pay back and then fall
        behind again (a price cut on the prompting side can do that).
        """
        return float(np.mean(self.net_savings_usd >= 0))

    def p_payback_by(self, months: float) -> float:
        """Share of draws that have paid back within ``months`` (e.g. 3 or 12).

        >>> r = monte_carlo(n_draws=1_000, seed=0)
        >>> r.p_payback_by(3) <= r.p_payback_by(12)
        True
        """
        return float(np.mean(self.payback_months.filled(np.inf) <= months))

    @property
    def median_payback_months(self) -> float | None:
        """Median months to payback (None, "never", when most draws never pay back)."""
        return never_or_float(np.median(self.payback_months.filled(np.inf)))

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


def _split(rng: np.random.Generator, low: float, point: float, high: float,
           n: int) -> np.ndarray:
    """``n`` draws whose median and mode are ``point``: half a triangle on each side of it.

    Half the draws fall in ``[low, point]`` (density rising to the point), half in
    ``[point, high]`` (falling from it); a point at an end of the range puts every draw on the
    other side. So the point value is the median whatever the range's lean, and the mean leans
    the way the range does.
    """
    point = min(max(point, low), high)
    share_below = 0.5 if low < point < high else (1.0 if point >= high else 0.0)
    below = rng.random(n) < share_below
    root = np.sqrt(rng.random(n))
    return np.where(below, low + (point - low) * root, high - (high - point) * root)


def _draw(rng: np.random.Generator, name: str, low: float, high: float, mode: float,
          n: int, distribution: str) -> np.ndarray:
    """``n`` draws of one assumption; whole numbers for integer fields."""
    if low == high:
        return np.full(n, low)
    if distribution == "split":
        if name in _INT_FIELDS:
            # whole numbers: the split on [low - 0.5, high + 0.5], rounded
            x = np.clip(np.rint(_split(rng, low - 0.5, mode, high + 0.5, n)), low, high)
            if name == "model_switch_month":
                x = np.where(x == 1, 0.0 if low == 0 else 2.0, x)
            return x
        return _split(rng, low, mode, high, n)
    if name == "model_switch_month" and low <= 1 <= high:
        # month 1 is the start, not a switch: draw from 0 ("never") and the months >= 2 only
        valid = np.array([m for m in range(int(low), int(high) + 1) if m != 1], dtype=float)
        if distribution == "uniform":
            return rng.choice(valid, size=n)
        x = np.clip(np.rint(rng.triangular(low - 0.5, min(max(mode, low), high), high + 0.5,
                                           size=n)), low, high)
        return np.where(x == 1, 0.0 if low == 0 else 2.0, x)
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
    chances: Mapping[str, float] | None = None,
) -> MonteCarloResult:
    """Probability that fine-tuning pays back within a deadline, over random assumptions.

    Every assumption in ``ranges`` is drawn independently ``n_draws`` times (the others stay
    at the scenario's value) and all draws run through one
    :func:`~ftroi_helpers.cost_model.simulate` call.

    Parameters
    ----------
    scenario : Scenario, optional
        Fixed assumptions and the horizon (default ``Scenario()``, the calculator demo's example).
    ranges : dict of field name -> (low, high), optional
        What to vary, in each field's units (default :data:`DEFAULT_RANGES`). Integer fields
        (``retrain_every_months``) are drawn as whole numbers.
    n_draws : int
        Number of draws (> 0).
    seed : int
        Seed for :func:`numpy.random.default_rng` (>= 0); the same seed gives the same draws.
    distribution : {"uniform", "triangular", "split"}
        ``"uniform"``: every value in the range equally likely. ``"triangular"``: most likely
        at the scenario's value (clipped into the range), tapering to the ends. ``"split"``:
        the scenario's value is both the most likely value and the median (half the draws
        below it, half above; each half a triangle peaked at it), whatever the range's lean.
    within_months : int, optional
        The deadline in months (default 3: the calculator demo asks about "a quarter"); at most the
        scenario's ``horizon_months``.
    chances : dict of field name -> probability, optional
        Events that may not happen (:data:`EVENT_FIELDS`, e.g. the model switch): in each draw
        the event happens with this probability (its value drawn as usual), else it takes the
        field's "does not happen" value (0 for ``model_switch_month``). Default: every event
        happens.

    Returns
    -------
    MonteCarloResult
        ``payback_months`` per draw (masked where a draw never pays back within the horizon),
        ``p_payback_within``,
        and ``.summary()``.

    Raises
    ------
    ValueError, TypeError
        For a bad ``n_draws``, ``seed``, ``distribution`` or ``within_months``, or bad ranges
        (see :func:`tornado`).

    Examples
    --------
    The calculator demo's example pays back within a quarter in about half the draws of the default
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
    odds = _check_chances(chances)
    rng = np.random.default_rng(seed)
    draws = {
        name: _draw(rng, name, low, high, float(getattr(s, name)), n, distribution)
        for name, (low, high) in checked.items()
    }
    for name, p in odds.items():
        value = draws.get(name, np.full(n, float(getattr(s, name))))
        draws[name] = np.where(rng.random(n) < p, value, EVENT_FIELDS[name])
    curves = simulate(s, **draws)
    payback = np.broadcast_to(curves.payback_months.filled(np.inf), (n,)).copy()
    net = np.broadcast_to(curves.net_savings_usd, (n,)).copy()
    return MonteCarloResult(
        payback_months=np.ma.MaskedArray(payback, mask=np.isinf(payback), fill_value=np.inf),
        p_payback_within=float(np.mean(payback <= within)),
        within_months=within,
        n_draws=n,
        seed=seed,
        distribution=distribution,
        horizon_months=s.horizon_months,
        draws=draws,
        net_savings_usd=net,
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
        Every other assumption (None: ``Scenario()``, the calculator demo's example).
    name : str
        The :class:`~ftroi_helpers.cost_model.Scenario` field to vary (not ``horizon_months``).
    values : iterable of numbers
        Its values, in the field's units.

    Returns
    -------
    pandas.DataFrame
        One row per value: ``name``, ``payback_month`` (1-based; ``<NA>`` when there is no
        payback within the horizon), ``payback_months`` (fractional; nullable ``Float64``,
        ``<NA>`` when it never pays back within the horizon) and
        ``net_savings_usd`` (cumulative savings at the end of the horizon).

    Raises
    ------
    ValueError, TypeError
        For an unknown field or a value outside its domain.

    Examples
    --------
    The calculator demo's example pays back later as the hosted price falls towards its $2
    self-hosted price, and never at $2:

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
        "payback_months": never_to_na(curves.payback_months),
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
                least = 2 if name == "model_switch_month" else 1
                out[name] = (max(least, round(low)), max(least, round(high)))
            continue
        if name.endswith("_decline_per_year"):
            low, high = min(low, 0.95), min(high, 0.95)
        out[name] = (low, high)
    return out


def _iterable_values(name: str, values: Any) -> Any:
    """A generator or range as a list; numbers, lists and arrays pass through to as_number."""
    if isinstance(values, (set, frozenset)) or (
            isinstance(values, Iterable) and not isinstance(
                values, (str, bytes, np.ndarray, list, tuple, Mapping))
            and not hasattr(values, "__array__")):
        return _listed(name, values)
    return values


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


def ranges_containing(
    scenario: Scenario | None = None,
    ranges: Mapping[str, tuple[float, float]] | None = None,
) -> dict[str, tuple[float, float]]:
    """``ranges``, each widened just enough to contain the scenario's own value.

    A calculator whose controls move away from the sourced ranges keeps those ranges and adds
    the control's value to them, so its base case is always one of the possible draws.

    Parameters
    ----------
    scenario : Scenario, optional
        The values that must lie inside (default :data:`~ftroi_helpers.cost_model.REALISTIC`).
    ranges : dict of field name -> (low, high), optional
        The ranges (default :data:`REALISTIC_RANGES`).

    Returns
    -------
    dict of field name -> (low, high)

    Raises
    ------
    ValueError, TypeError
        For bad ranges (see :func:`tornado`) or a scenario that is not a Scenario.

    Examples
    --------
    >>> from ftroi_helpers.cost_model import replace
    >>> ranges_containing(replace(REALISTIC, data_prep_usd=20_000))["data_prep_usd"]
    (250.0, 20000.0)
    """
    s = REALISTIC if scenario is None else _base(scenario)
    checked = _check_ranges(REALISTIC_RANGES if ranges is None else ranges)
    out: dict[str, tuple[float, float]] = {}
    for name, (low, high) in checked.items():
        value = float(getattr(s, name))
        out[name] = (min(low, value), max(high, value))
    return out


def _metric_values(curves: Any, metric: str, horizon: int) -> np.ndarray:
    if metric == "payback_months":
        return curves.payback_months.filled(np.inf)  # inf: never (the table shows <NA>)
    return curves.net_savings_usd


def two_way(
    scenario: Scenario | None,
    x_name: str,
    x_values: Iterable[float],
    y_name: str,
    y_values: Iterable[float],
    metric: str = "payback_months",
) -> pd.DataFrame:
    """Two assumptions varied together: the answer for every pair of values (one simulate call).

    A tornado moves one assumption at a time, so it cannot see two assumptions that matter only
    together. A two-way table can: read along a row and down a column.

    Parameters
    ----------
    scenario : Scenario or None
        Every other assumption (None: ``Scenario()``).
    x_name, y_name : str
        Two different :class:`~ftroi_helpers.cost_model.Scenario` fields (not
        ``horizon_months``): the columns and the rows of the table.
    x_values, y_values : iterable of numbers
        Their values, in each field's units.
    metric : {"payback_months", "net_savings_usd"}
        As in :func:`tornado`.

    Returns
    -------
    pandas.DataFrame
        Index: ``y_values`` (named ``y_name``); columns: ``x_values`` (named ``x_name``);
        cells: the metric; for payback nullable ``Float64`` cells, ``<NA>`` where it never
        pays back within the horizon (see :mod:`ftroi_helpers.never`).

    Raises
    ------
    ValueError, TypeError
        For an unknown field or metric, the same field twice, or a value outside a field's
        domain.

    Examples
    --------
    How much the switch's price cut costs depends on when the switch comes: USD 6,300 at month
    6, USD 900 at month 12 (the realistic scenario's savings after 12 months):

    >>> from ftroi_helpers.cost_model import REALISTIC
    >>> t = two_way(REALISTIC, "model_switch_price_cut", [0.5, 0.8], "model_switch_month",
    ...             [6, 12], metric="net_savings_usd")
    >>> t.round(-1).values.tolist()
    [[-6400.0, -12700.0], [2600.0, 1700.0]]
    """
    import pandas as pd

    s = _base(scenario)
    metric = require_choice("metric", metric, _METRICS)
    for label, name in (("x_name", x_name), ("y_name", y_name)):
        if not isinstance(name, str) or name not in _VARIABLE:
            raise (TypeError if not isinstance(name, str) else ValueError)(
                f"{label} must be a Scenario field other than horizon_months, got "
                f"{short_repr(name)}")
    if x_name == y_name:
        raise ValueError(f"x_name and y_name must differ, got {x_name!r} twice")
    xs = np.atleast_1d(as_number("x_values", _iterable_values("x_values", x_values)))
    ys = np.atleast_1d(as_number("y_values", _iterable_values("y_values", y_values)))
    for label, name, arr in (("x_values", x_name, xs), ("y_values", y_name, ys)):
        if arr.ndim != 1 or arr.size == 0:
            raise ValueError(f"{label} (the values of {name}) must be a non-empty list of "
                             "numbers")
    grid_y, grid_x = np.meshgrid(ys, xs, indexing="ij")
    try:
        curves = simulate(s, **{x_name: grid_x.ravel(), y_name: grid_y.ravel()})
    except (TypeError, ValueError) as exc:  # a value outside its field's domain
        raise type(exc)(f"x_values or y_values: {exc}") from None
    values = _metric_values(curves, metric, s.horizon_months).reshape(grid_x.shape)
    index = pd.Index(ys.astype(int) if y_name in _INT_FIELDS else ys, name=y_name)
    columns = pd.Index(xs.astype(int) if x_name in _INT_FIELDS else xs, name=x_name)
    if metric == "payback_months":
        table = pd.DataFrame(np.where(np.isinf(values), np.nan, values), index=index,
                             columns=columns).astype("Float64")  # NaN becomes <NA>: never
    else:
        table = pd.DataFrame(values, index=index, columns=columns)
    table.attrs.update(metric=metric, horizon_months=s.horizon_months)
    return table


def attribution(
    result: MonteCarloResult,
    metric: str = "net_savings_usd",
    bins: int = 10,
) -> pd.DataFrame:
    """Which drawn assumptions drive the Monte Carlo's spread, interactions included.

    For each varied assumption the draws are split into ``bins`` equal-count bins of its value
    (one bin per value for whole-number fields with few values). The share of the metric's
    variance that the bin means explain is the assumption's **first-order share** (a
    correlation ratio, eta squared). What the first-order shares leave unexplained is spread
    that no single assumption accounts for on its own: the **interactions** (and the limits of
    binning), reported as ``table.attrs["interaction_share"]``.

    Parameters
    ----------
    result : MonteCarloResult
        From :func:`monte_carlo`.
    metric : {"net_savings_usd", "payback_within"}
        ``"net_savings_usd"``: USD ahead at the horizon. ``"payback_within"``: 1 for a draw
        that pays back within ``result.within_months``, else 0.
    bins : int
        Bins per assumption (>= 2).

    Returns
    -------
    pandas.DataFrame
        One row per assumption, largest first-order share first: ``assumption``,
        ``first_order_share`` (0 to 1), ``metric_when_low`` and ``metric_when_high`` (the
        metric's mean over the draws in the lower and the upper half of the assumption's
        range; for ``payback_within`` a probability). ``attrs``: ``metric``,
        ``interaction_share`` (0 to 1) and ``total_variance``.

    Raises
    ------
    ValueError, TypeError
        For an unknown metric, a bad ``bins``, or a result with no drawn assumptions.

    Examples
    --------
    >>> t = attribution(monte_carlo(n_draws=4_000, seed=0))
    >>> t["assumption"].iloc[0]
    'hosted_cost_per_1k_req'
    >>> 0 <= t.attrs["interaction_share"] <= 1
    True
    """
    import pandas as pd

    metric = require_choice("metric", metric, ("net_savings_usd", "payback_within"))
    k = require_int("bins", bins, minimum=2)
    if not isinstance(result, MonteCarloResult):
        raise TypeError(f"result must be a MonteCarloResult, got {type(result).__name__}")
    draws = {name: np.asarray(x) for name, x in result.draws.items()
             if np.ptp(np.asarray(x)) > 0}
    if not draws:
        raise ValueError("result has no assumption that varies: nothing to attribute")
    if metric == "payback_within":
        y = (result.payback_months.filled(np.inf) <= result.within_months).astype(float)
    else:
        y = np.asarray(result.net_savings_usd, dtype=float)
    total = float(np.var(y))
    rows = []
    for name, x in draws.items():
        values = np.unique(x)
        if values.size <= k:
            labels = np.searchsorted(values, x)
        else:
            edges = np.quantile(x, np.linspace(0, 1, k + 1)[1:-1])
            labels = np.searchsorted(edges, x, side="right")
        counts = np.bincount(labels)
        sums = np.bincount(labels, weights=y)
        used = counts > 0
        means = sums[used] / counts[used]
        explained = float(np.sum(counts[used] * (means - y.mean()) ** 2) / y.size)
        middle = (x.min() + x.max()) / 2
        low = x < middle
        if not low.any():  # min and max adjacent floats: the midpoint rounds down to min
            low = x == x.min()
        high = ~low  # both halves hold draws: x varies, so min < max
        rows.append({
            "assumption": name,
            "first_order_share": explained / total if total > 0 else 0.0,
            "metric_when_low": float(y[low].mean()),
            "metric_when_high": float(y[high].mean()),
        })
    table = (pd.DataFrame(rows).sort_values("first_order_share", ascending=False, kind="stable")
             .reset_index(drop=True))
    first_order = float(table["first_order_share"].sum())
    table.attrs.update(metric=metric, total_variance=total,
                       interaction_share=min(1.0, max(0.0, 1.0 - first_order)))
    return table


def __getattr__(name: str) -> Any:
    """The capstone's answer moved to :mod:`ftroi_helpers.capstone`; old imports still work."""
    if name in ("CapstoneAnswer", "capstone_answer"):
        from . import capstone

        return getattr(capstone, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
