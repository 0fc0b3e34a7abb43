"""The capstone's answer: does fine-tuning pay back within a quarter, how likely, and why?

:func:`capstone_answer` answers the calculator demo's capstone question from one scenario and its
ranges, and :class:`CapstoneAnswer` holds the numbers that lesson 06's text, its figures and the
capstone calculator all report: the payback at the point values, three probabilities from a
seeded Monte Carlo (:func:`~ftroi_helpers.sensitivity.monte_carlo`) and the drivers from
:func:`~ftroi_helpers.sensitivity.attribution`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .cost_model import REALISTIC, Scenario, replace, simulate
from .prices import GPT_4O_MINI, token_price_models, token_prices
from .sensitivity import (
    ASSUMPTION_LABELS,
    REALISTIC_CHANCES,
    MonteCarloResult,
    _base,
    _check_chances,
    attribution,
    monte_carlo,
    ranges_containing,
    share_text,
)
from .token_costs import request_cost
from .validation import (
    MAX_DRAWS,
    require_bool,
    require_choice,
    require_int,
    require_nonnegative,
    require_scalar,
)

__all__ = [
    "SERVING_BUILD_RANGE_USD",
    "SERVING_BUILD_USD",
    "CapstoneAnswer",
    "capstone_answer",
    "hosted_baseline",
]

#: The one-time build of the serving stack (inference server, autoscaling, health checks, a
#: deploy pipeline) for the realistic scenario: three engineer-days at the workbook's USD 100 an
#: hour (its engineering time, USD 500 a month, is about 5 engineer-hours). The workbook's
#: assumption: no source gives a figure.
SERVING_BUILD_USD = 2_400.0
#: Its range: one to ten engineer-days at the same rate (the point value is its median draw).
SERVING_BUILD_RANGE_USD = (800.0, 8_000.0)


@dataclass(frozen=True, eq=False)
class CapstoneAnswer:
    """The calculator demo's capstone question answered from one scenario and its ranges.

    Lesson 06's text, its figures and the capstone calculator all report these same numbers
    (see :func:`capstone_answer`).
    """

    #: The scenario at its point values.
    scenario: Scenario
    #: Month (1-based) of payback at the point values, or None within the horizon.
    payback_month: int | None
    #: Fractional months to payback at the point values (None: never within the horizon).
    payback_months: float | None
    #: USD ahead at the horizon at the point values (negative: behind).
    net_savings_usd: float
    #: The deadline in months (3: "within a quarter").
    deadline_months: int
    #: P(payback <= deadline), P(payback <= 12 months or the horizon), P(ahead at the horizon).
    p_within_deadline: float
    p_within_year: float
    p_ahead_at_horizon: float
    #: The assumptions that drive the spread of the savings at the horizon, most first.
    drivers: tuple[str, ...]
    #: Share of the spread in "pays back within the deadline" (yes or no) that no single
    #: assumption explains: assumptions acting together (see :func:`attribution`); None when
    #: every draw gives the same answer.
    interaction_share: float | None
    #: The Monte Carlo run and its two attribution tables (savings; within the deadline).
    monte_carlo: MonteCarloResult = field(repr=False)
    attribution: Any = field(repr=False)
    attribution_within: Any = field(repr=False, default=None)

    @property
    def mean_net_savings_usd(self) -> float:
        """Mean over the draws of the USD ahead at the horizon, to set beside
        :attr:`net_savings_usd` (the point values'): the gap shows how far the ranges lean."""
        return float(np.mean(self.monte_carlo.net_savings_usd))

    @property
    def pays_back_within_deadline(self) -> bool:
        """Whether the point values pay back within the deadline."""
        return self.payback_months is not None and self.payback_months <= self.deadline_months

    @property
    def year_months(self) -> int:
        """The months of "P(payback within a year)": 12, or the horizon if shorter."""
        return min(12, self.scenario.horizon_months)

    def sentences(self) -> list[str]:
        """The answer in four sentences: point values, probabilities, verdict, drivers.

        The verdict says "likely" only when the probability is at least 50 %, so the words can
        never claim more than the numbers (a test holds lesson 06 to the same rule).

        Returns
        -------
        list of str

        Examples
        --------
        >>> a = capstone_answer(n_draws=2_000)
        >>> a.sentences()[2].startswith("Payback within the quarter is")
        True
        """
        h = self.scenario.horizon_months
        d = self.deadline_months
        if self.payback_month is None:
            point = (f"At the point values fine-tuning does not pay back within {h} months "
                     f"(it is ${-self.net_savings_usd:,.0f} behind at the end).")
        else:
            where = "inside" if self.pays_back_within_deadline else "outside"
            point = (f"At the point values fine-tuning pays back in month {self.payback_month} "
                     f"({self.payback_months:.1f} months, {where} the first {d} months)")
            if self.net_savings_usd < 0:
                point += (f", then falls behind again: ${-self.net_savings_usd:,.0f} behind "
                          f"after {h} months.")
            else:
                point += f" and is ${self.net_savings_usd:,.0f} ahead after {h} months."
        probabilities = (
            f"Over the ranges ({self.monte_carlo.n_draws:,} seeded draws) it pays back within "
            f"{d} months in {share_text(self.p_within_deadline)} of draws, within "
            f"{self.year_months} months in {share_text(self.p_within_year)}, and is ahead at "
            f"month {h} in {share_text(self.p_ahead_at_horizon)}.")
        quarter = "the quarter" if d == 3 else f"{d} months"
        verdict = (f"Payback within {quarter} is "
                   f"{'likely' if self.p_within_deadline >= 0.5 else 'unlikely'}"
                   f" ({share_text(self.p_within_deadline)}), and being ahead after {h} months "
                   f"is {'likely' if self.p_ahead_at_horizon >= 0.5 else 'unlikely'}"
                   f" ({share_text(self.p_ahead_at_horizon)}).")
        names = [ASSUMPTION_LABELS.get(n, n) for n in self.drivers]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        drivers = f"The spread of the savings after {h} months is driven most by {listed}."
        if self.interaction_share is None:
            drivers += f" Every draw gives the same answer about the first {d} months."
        else:
            drivers += (f" Whether it pays back within {quarter} is different: "
                        f"{share_text(self.interaction_share)} of that spread comes from "
                        "assumptions acting together, which no one-at-a-time tornado shows.")
        return [point, probabilities, verdict, drivers]

    def title(self) -> str:
        """The answer in two lines, for a figure's title: the same numbers as :meth:`sentences`.

        Returns
        -------
        str

        Examples
        --------
        >>> capstone_answer(n_draws=2_000).title().splitlines()
        ['Payback month 6', 'P(≤3 mo) 12%, P(≤12 mo) 40%, ahead at 12 mo: 32%']
        """
        point = ("No payback" if self.payback_month is None
                 else f"Payback month {self.payback_month}")
        return (f"{point}\nP(≤{self.deadline_months} mo) "
                f"{share_text(self.p_within_deadline)}, P(≤{self.year_months} mo) "
                f"{share_text(self.p_within_year)}, ahead at {self.scenario.horizon_months} mo: "
                f"{share_text(self.p_ahead_at_horizon)}")

    def text(self) -> str:
        """:meth:`sentences` joined into one paragraph.

        Returns
        -------
        str

        Examples
        --------
        >>> capstone_answer(n_draws=2_000).text().startswith("At the point values")
        True
        """
        return " ".join(self.sentences())


def capstone_answer(
    scenario: Scenario | None = None,
    ranges: Mapping[str, tuple[float, float]] | None = None,
    n_draws: int = 10_000,
    seed: int = 0,
    deadline_months: int = 3,
    n_drivers: int = 3,
    distribution: str = "split",
    chances: Mapping[str, float] | None = None,
) -> CapstoneAnswer:
    """Pays back within the quarter? How likely? What drives it? One answer for lesson 06.

    The scenario at its point values gives the payback; a seeded :func:`monte_carlo` over
    ``ranges`` (each widened to contain the scenario's value, :func:`ranges_containing`) gives
    P(payback within the deadline), P(payback within a year) and P(ahead at the horizon), each
    assumption drawn with the scenario's value as its median by default (``"split"``), and
    events such as the model switch with their chance (:data:`REALISTIC_CHANCES`); and
    :func:`attribution` of the savings at the horizon names the drivers.

    Parameters
    ----------
    scenario : Scenario, optional
        Default :data:`~ftroi_helpers.cost_model.REALISTIC`.
    ranges : dict of field name -> (low, high), optional
        Default :data:`REALISTIC_RANGES`.
    n_draws, seed : int
        Monte Carlo draws (>= 1) and seed (>= 0).
    deadline_months : int
        The deadline (3: "within a quarter"; at most the horizon).
    n_drivers : int
        How many drivers to name (>= 1).
    distribution : {"split", "triangular", "uniform"}
        How each assumption is drawn from its range (see :func:`monte_carlo`). The default,
        ``"split"``, makes each of the scenario's own values the median and the mode of its
        draws: they are the best estimates, and the ranges say how far off they could be. So
        moving a point value moves the probabilities too.
    chances : dict of field name -> probability, optional
        Events that may not happen (see :func:`monte_carlo`); default
        :data:`~ftroi_helpers.sensitivity.REALISTIC_CHANCES` (the model switch in half the
        draws); ``{}`` for none.

    Returns
    -------
    CapstoneAnswer

    Raises
    ------
    ValueError, TypeError
        For bad arguments, naming them (see :func:`monte_carlo`).

    Examples
    --------
    >>> a = capstone_answer(n_draws=2_000)
    >>> a.payback_month, a.deadline_months
    (6, 3)
    >>> 0 <= a.p_within_deadline <= a.p_within_year <= 1
    True
    """
    s = REALISTIC if scenario is None else _base(scenario)
    count = require_int("n_drivers", n_drivers, minimum=1)
    deadline_months = require_int("deadline_months", deadline_months, minimum=1,
                                  maximum=s.horizon_months,
                                  limit_name="the scenario's horizon_months")
    require_int("n_draws", n_draws, minimum=2, maximum=MAX_DRAWS, limit_name="MAX_DRAWS")
    widened = ranges_containing(s, ranges)
    mc = monte_carlo(s, widened, n_draws=n_draws, seed=seed, within_months=deadline_months,
                     distribution=distribution,
                     chances={k: p for k, p in _check_chances(
                         REALISTIC_CHANCES if chances is None else chances).items()
                         if k in widened})
    try:
        table = attribution(mc, "net_savings_usd")
    except ValueError:
        raise ValueError("ranges: no assumption varies across the draws, so nothing moves the "
                         "answer (give at least one range with low < high)") from None
    within = (attribution(mc, "payback_within")
              if 0 < mc.p_payback_within < 1 else None)
    curves = simulate(s)
    month = int(curves.payback_month[0])
    year = min(12, s.horizon_months)
    return CapstoneAnswer(
        scenario=s,
        payback_month=month if month > 0 else None,
        payback_months=None if month == 0 else float(curves.payback_months.filled(np.inf)[0]),
        net_savings_usd=float(curves.net_savings_usd[0]),
        deadline_months=mc.within_months,
        p_within_deadline=mc.p_payback_within,
        p_within_year=mc.p_payback_by(year),
        p_ahead_at_horizon=mc.p_ahead_at_horizon,
        drivers=tuple(table["assumption"].head(count)),
        interaction_share=(None if within is None
                           else float(within.attrs["interaction_share"])),
        monte_carlo=mc,
        attribution=table,
        attribution_within=within,
    )


# -- the cheapest hosted option (issue 20, item 7) ----------------------------------------------
def hosted_baseline(
    scenario: Scenario | None = None,
    model: str = GPT_4O_MINI,
    input_tokens: float = 2_000,
    output_tokens: float = 1_000,
    cached_prefix_tokens: float = 1_500,
    batch: bool = False,
) -> Scenario:
    """``scenario`` with its hosted price set to prompting ``model`` at its own per-token prices.

    The capstone's hosted price, the calculator demo's USD 15 per 1,000 requests, is a large
    model (about gpt-4o at 2,000 input and 1,000 output tokens). The cheapest hosted option a team
    can prompt instead is a small model with the provider's discounts where they apply: a
    repeated prefix (the instructions and few-shot examples) billed at the cached-input price
    under the price row's cache rule (:func:`~ftroi_helpers.token_costs.request_cost`), and the
    batch discount only for answers that can wait (``batch=True``). Everything else in
    ``scenario`` (the fine-tune's costs) is unchanged.

    Parameters
    ----------
    scenario : Scenario, optional
        Default :data:`~ftroi_helpers.cost_model.REALISTIC`.
    model : str
        A row of :func:`~ftroi_helpers.prices.token_price_models` (default gpt-4o-mini).
    input_tokens, output_tokens : float
        Tokens of one prompted request (>= 0).
    cached_prefix_tokens : float
        The repeated prefix of the input (0 to ``input_tokens``); cached only as far as the row's
        rule allows (OpenAI: from 1,024 tokens, in 128-token steps).
    batch : bool
        Whether the provider's batch discount applies (answers that can wait hours).

    Returns
    -------
    Scenario

    Raises
    ------
    ValueError, TypeError
        For a bad argument, naming it.

    Examples
    --------
    >>> s = hosted_baseline()
    >>> round(s.hosted_cost_per_1k_req, 4), round(s.prompting_usd_per_month)
    (0.7944, 159)
    >>> round(hosted_baseline(batch=True).hosted_cost_per_1k_req, 4)
    0.3972
    """
    s = REALISTIC if scenario is None else _base(scenario)
    row = token_prices(require_choice("model", model, token_price_models()))
    total = require_scalar("input_tokens", input_tokens, require_nonnegative)
    prefix = require_scalar("cached_prefix_tokens", cached_prefix_tokens, require_nonnegative)
    if prefix > total:
        raise ValueError(f"cached_prefix_tokens must be <= input_tokens ({total:g}), got "
                         f"{prefix:g}")
    per_request = request_cost(
        total, require_scalar("output_tokens", output_tokens, require_nonnegative),
        row.base_usd_per_1m_input, row.base_usd_per_1m_output,
        cached_input_tokens=prefix if row.base_usd_per_1m_cached_input is not None else 0,
        usd_per_1m_cached_input_tokens=row.base_usd_per_1m_cached_input,
        batch_discount=row.batch_discount if require_bool("batch", batch) else 0.0,
        cache_min_tokens=row.cache_min_tokens, cache_increment_tokens=row.cache_increment_tokens)
    return replace(s, hosted_cost_per_1k_req=float(per_request) * 1000)
