"""Build it: the learner writes the core of the model; :func:`check_function` tests it.

Each lesson 01-06 has a "Build it" cell where the learner writes a function of a few lines with
``...`` blanks::

    def my_breakeven_requests(hosted_usd_per_1k, self_hosted_usd_per_1k, one_time_usd):
        saving_usd_per_request = ...
        ...

and the next cell checks it::

    check_function("B1", my_breakeven_requests)

The check calls the learner's function on held-out inputs (never shown in a lesson), including
edge cases such as "never" (None, see :mod:`ftroi_helpers.never`), and compares each result with
the package's own, tested version. A function whose blanks are still ``...`` is reported as "not
yet answered"; a function that raises is reported with the input it raised on, never re-raised.
"""

from __future__ import annotations

import math
import numbers
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .exercises import ExerciseResult
from .prediction import format_number

__all__ = ["BUILD_IT", "BuildIt", "check_function", "reference_result"]


@dataclass(frozen=True)
class BuildIt:
    """One "Build it" exercise: the package's reference, its held-out inputs and tolerances."""

    #: the parameter names the lesson's function takes, in order
    params: tuple[str, ...]
    #: the package's version, called with the same arguments
    reference: Callable[..., Any]
    #: held-out argument tuples (none of them appears in a lesson)
    cases: tuple[tuple[Any, ...], ...]
    unit: str = ""
    rel_tol: float = 1e-6
    abs_tol: float = 1e-9
    hint: str = ""


def _breakeven(hosted_usd_per_1k: float, self_hosted_usd_per_1k: float,
               one_time_usd: float) -> float | None:
    from .breakeven import breakeven_requests

    return breakeven_requests(hosted_usd_per_1k, self_hosted_usd_per_1k, one_time_usd)


def _monthly_cost(input_tokens: float, output_tokens: float, usd_per_1m_input_tokens: float,
                  usd_per_1m_output_tokens: float, requests_per_month: float) -> float:
    from .token_costs import request_cost

    return float(request_cost(input_tokens, output_tokens, usd_per_1m_input_tokens,
                              usd_per_1m_output_tokens)) * requests_per_month


def _plain_scenario(horizon_months: int, **fields: float) -> Any:
    """A Scenario with every cost zero except ``fields`` (the package's TCO loop, reduced)."""
    from .cost_model import Scenario

    zero = dict(requests_per_month=1_000.0, hosted_cost_per_1k_req=0.0,
                self_hosted_cost_per_1k_req=0.0, data_prep_usd=0.0, training_usd=0.0,
                eval_harness_usd=0.0, hosting_usd_per_month=0.0, monitoring_usd_per_month=0.0,
                engineering_usd_per_month=0.0, launch_delay_months=0, retrain_every_months=0,
                hosted_price_decline_per_year=0.0, finetune_price_decline_per_year=0.0,
                hosting_price_decline_per_year=0.0, model_switch_month=0,
                horizon_months=horizon_months)
    zero.update(fields)
    return Scenario(**zero)


def _payback_month(one_time_usd: float, prompting_usd_per_month: float,
                   finetuned_usd_per_month: float, horizon_months: int) -> int | None:
    """The package's month-by-month TCO (``simulate``) with only these costs."""
    from .cost_model import simulate

    curves = simulate(_plain_scenario(horizon_months, data_prep_usd=one_time_usd,
                                      hosted_cost_per_1k_req=prompting_usd_per_month,
                                      self_hosted_cost_per_1k_req=finetuned_usd_per_month))
    month = int(curves.payback_month[0])
    return month if month > 0 else None


def _wilson(correct: int, n: int) -> tuple[float, float]:
    from .quality import accuracy_interval

    low, high = accuracy_interval(correct, n, confidence=0.95)
    return float(low), float(high)


def _retraining_cost(retrain_every_months: int, launch_delay_months: int, horizon_months: int,
                     usd_per_retraining: float) -> float:
    """What ``simulate`` charges for retraining alone (the first training is the one-time cost)."""
    from .cost_model import simulate

    curves = simulate(_plain_scenario(horizon_months, eval_harness_usd=usd_per_retraining,
                                      retrain_every_months=retrain_every_months,
                                      launch_delay_months=launch_delay_months))
    return float(curves.finetune_cumulative_usd[0, -1]) - usd_per_retraining


def _p_within(scenario: Any, ranges: dict, n_draws: int, seed: int,
              deadline_months: int) -> float:
    from .capstone import capstone_answer

    # the capstone's own draws (each point value the median, half a triangle on each side),
    # with no event left to chance: every draw keeps the scenario's model switch
    return capstone_answer(scenario, ranges, n_draws=n_draws, seed=seed,
                           deadline_months=deadline_months, chances={}).p_within_deadline


def _capstone_cases() -> tuple[tuple[Any, ...], ...]:
    from .cost_model import REALISTIC, replace

    costs = {"data_prep_usd": (1_000.0, 8_000.0), "eval_harness_usd": (100.0, 1_500.0)}
    demand = {"requests_per_month": (120_000.0, 260_000.0),
              "hosted_cost_per_1k_req": (9.0, 20.0),
              "engineering_usd_per_month": (200.0, 1_500.0)}
    return ((REALISTIC, costs, 4_000, 7, 6),
            (replace(REALISTIC, launch_delay_months=0), {**costs, **demand}, 4_000, 11, 4),
            # prompting at USD 2 per 1,000 never pays back: 0 draws within the deadline
            (replace(REALISTIC, hosted_cost_per_1k_req=2.0),
             {k: v for k, v in demand.items() if k != "hosted_cost_per_1k_req"}, 2_000, 3, 3))


#: Every "Build it" exercise, by id ("B<lesson>").
BUILD_IT: dict[str, BuildIt] = {
    "B1": BuildIt(("hosted_usd_per_1k", "self_hosted_usd_per_1k", "one_time_usd"), _breakeven,
                  ((12.0, 3.0, 900.0), (0.9, 0.25, 35.0), (40.0, 39.5, 2_000.0),
                   (7.0, 1.0, 0.0), (10.0, 10.0, 500.0), (5.0, 8.0, 100.0)),
                  "requests", hint="No saving per request (self-hosted at or above hosted) is "
                                   "never: return None."),
    "B2": BuildIt(("input_tokens", "output_tokens", "usd_per_1m_input_tokens",
                   "usd_per_1m_output_tokens", "requests_per_month"), _monthly_cost,
                  ((1_200, 300, 2.5, 10.0, 50_000), (200, 50, 0.3, 1.2, 300_000),
                   (3_000, 0, 1.1, 4.4, 12_000), (800, 50, 0.15, 0.6, 0)),
                  "USD", hint="Prices are per million tokens: divide each token count by "
                              "1,000,000 before multiplying by its price."),
    "B3": BuildIt(("one_time_usd", "prompting_usd_per_month", "finetuned_usd_per_month",
                   "horizon_months"), _payback_month,
                  ((5_000.0, 1_800.0, 600.0, 12), (2_400.0, 1_000.0, 400.0, 12),
                   (900.0, 300.0, 0.0, 6), (0.0, 50.0, 50.0, 12), (3_000.0, 700.0, 650.0, 24),
                   (1_000.0, 200.0, 250.0, 12)),
                  "months", rel_tol=0.0, abs_tol=0.0,
                  hint="Pay the one-time cost in month 1; a month pays back when the running "
                       "total saved is >= 0 at its end (a tie counts); None if no month does."),
    "B4": BuildIt(("correct", "n"), _wilson,
                  ((171, 200), (45, 60), (0, 25), (40, 40), (731, 1_000)),
                  "", rel_tol=0.0, abs_tol=5e-4,
                  hint="Wilson's interval with z = 1.96: centre and half-width as in the "
                       "formula above; return (centre - half, centre + half)."),
    "B5": BuildIt(("retrain_every_months", "launch_delay_months", "horizon_months",
                   "usd_per_retraining"), _retraining_cost,
                  ((4, 0, 12, 300.0), (2, 3, 12, 150.0), (5, 1, 24, 1_000.0),
                   (0, 1, 12, 500.0), (12, 0, 12, 800.0), (3, 11, 12, 400.0)),
                  "USD", rel_tol=1e-9, abs_tol=1e-6,
                  hint="Retrainings fall every N months after launch, within the horizon; the "
                       "launch's own training is the one-time cost, not a retraining; "
                       "N = 0 means never."),
    "B6": BuildIt(("scenario", "ranges", "n_draws", "seed", "deadline_months"), _p_within,
                  (), "", rel_tol=0.0, abs_tol=0.03,
                  hint="Draw half of each range's values below the scenario's own value and "
                       "half above, each half a triangle peaked at it; run simulate on the "
                       "draws, and take the share whose payback_months (filled with inf) is "
                       "<= the deadline."),
}


def _cases(exercise_id: str) -> tuple[tuple[Any, ...], ...]:
    return _capstone_cases() if exercise_id == "B6" else BUILD_IT[exercise_id].cases


def reference_result(exercise_id: str, *args: Any) -> Any:
    """The package's answer for one input of a "Build it" exercise (for tests and solutions).

    >>> round(reference_result("B1", 15, 2, 400))
    30769
    """
    return _build_it(exercise_id).reference(*args)


def _build_it(exercise_id: str) -> BuildIt:
    if exercise_id not in BUILD_IT:
        raise ValueError(f"exercise_id must be one of {', '.join(BUILD_IT)}, "
                         f"got {exercise_id!r}")
    return BUILD_IT[exercise_id]


def _has_blanks(code: types.CodeType) -> bool:
    """True if the function's body still holds a ``...`` (in it or in a nested function)."""
    return any(const is Ellipsis or (isinstance(const, types.CodeType) and _has_blanks(const))
               for const in code.co_consts)


def _shown(value: Any, unit: str) -> str:
    if value is None:
        return "never (None)"
    if isinstance(value, tuple):
        return "(" + ", ".join(_shown(v, unit) for v in value) + ")"
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return format_number(float(value), unit) if math.isfinite(value) else repr(value)
    return repr(value)[:80]


def _matches(got: Any, expected: Any, spec: BuildIt) -> bool:
    if expected is None:
        return got is None
    if isinstance(expected, tuple):
        return (isinstance(got, (tuple, list)) and len(got) == len(expected)
                and all(_matches(g, e, spec) for g, e in zip(got, expected, strict=True)))
    try:
        value = float(got)
    except (TypeError, ValueError):
        return False
    return (not isinstance(got, bool) and math.isfinite(value)
            and math.isclose(value, float(expected), rel_tol=spec.rel_tol, abs_tol=spec.abs_tol))


def _call(spec: BuildIt, args: tuple[Any, ...]) -> str:
    shown = ", ".join(f"{name}={_arg(a)}" for name, a in zip(spec.params, args, strict=True))
    return f"({shown})"


def _arg(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(value) + "}"
    if type(value).__name__ == "Scenario":
        return "a Scenario"
    return f"{value:,}" if isinstance(value, numbers.Real) else repr(value)


def check_function(exercise_id: str, fn: Any) -> ExerciseResult:
    """Check a learner's function against the package's on held-out inputs.

    Parameters
    ----------
    exercise_id : str
        The "Build it" exercise, "B1" (lesson 01) to "B6" (lesson 06).
    fn : callable
        The learner's function, taking the parameters the lesson names, in that order.

    Returns
    -------
    ExerciseResult
        "not answered" while the function still holds a ``...`` blank; "not yet" with the first
        input that gave a wrong result (or raised), what was expected and what came back;
        "right" when every held-out input matches.

    Raises
    ------
    ValueError
        For an unknown exercise id.

    Examples
    --------
    >>> def wrong(h, s, c):
    ...     return c / (h - s)
    >>> check_function("B1", wrong).status
    'not yet'
    >>> check_function("B1", ...).status
    'not answered'
    """
    spec = _build_it(exercise_id)
    code = getattr(fn, "__code__", None)
    if fn is Ellipsis or (code is not None and _has_blanks(code)):
        return ExerciseResult(exercise_id, "not answered",
                              "not yet answered: replace every ... in your function, run that "
                              "cell, then run this one.")
    if not callable(fn):
        return ExerciseResult(exercise_id, "not yet",
                              f"fn must be your function (its name, without brackets), got "
                              f"{type(fn).__name__}.")
    cases = _cases(exercise_id)
    for args in cases:
        expected = spec.reference(*args)
        try:
            got = fn(*args)
        except Exception as exc:  # noqa: BLE001 - a learner's error is feedback, not a crash
            return ExerciseResult(exercise_id, "not yet",
                                  f"Not yet: your function raised {type(exc).__name__}: "
                                  f"{str(exc)[:120]} for {_call(spec, args)}. {spec.hint}"
                                  .strip())
        if not _matches(got, expected, spec):
            return ExerciseResult(exercise_id, "not yet",
                                  f"Not yet: for {_call(spec, args)} the package gives "
                                  f"{_shown(expected, spec.unit)}, your function gave "
                                  f"{_shown(got, spec.unit)}. {spec.hint}".strip())
    return ExerciseResult(exercise_id, "right",
                          f"Right on all {len(cases)} held-out inputs, edge cases included. "
                          f"From here on, the lesson uses the package's tested version.")
