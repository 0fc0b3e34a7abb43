"""Exercises with blanks: the learner replaces ``...`` with an answer; a check cell verifies it.

A lesson cell holds the blank::

    requests_at_800 = ...   # how many requests repay a USD 800 project?

and the next cell checks it::

    check_exercise("E1.1", requests_at_800)

The expected answers are computed here by the package's own functions (never typed into a
notebook). An answer still left as ``...`` is reported as "not yet answered", not as an error,
so a notebook runs from top to bottom (and under nbval) before anything is filled in. Each
exercise's worked solution sits in the lesson in a folded ``<details>`` block.
"""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .prediction import format_number

__all__ = ["EXERCISES", "Exercise", "ExerciseResult", "check_exercise", "expected_answer"]


@dataclass(frozen=True)
class Exercise:
    """One exercise: how to compute its answer, its unit and how close counts as right."""

    #: computes the expected answer (a number, None for never -- see
    #: :mod:`ftroi_helpers.never` -- or a bool)
    answer: Callable[[], Any]
    unit: str = ""
    #: relative tolerance for a numeric answer (0.01 = within 1 %)
    rel_tol: float = 0.01
    #: absolute tolerance, for answers near zero
    abs_tol: float = 0.0
    #: one line shown with a wrong answer
    hint: str = ""


def _breakeven_requests(one_time_usd: float) -> float:
    from . import breakeven_requests

    return breakeven_requests(15, 2, one_time_usd)


def _self_hosted_for_breakeven_at(requests: float) -> float:
    """Lesson 01, reversed: the self-hosted price per 1,000 at which USD 400 (against USD 15
    hosted) breaks even after ``requests``; checked forwards by breakeven_requests."""
    from . import breakeven_requests

    price = 15 - 400 / requests * 1000
    assert math.isclose(breakeven_requests(15, price, 400), requests)
    return price


def _requests_per_day_saving(usd_per_month: float) -> float:
    """Lesson 02, reversed: the daily volume at which the fine-tuned gpt-4o-mini saves this much."""
    saving_per_request = (_gpt4o_mini_classification_usd_per_month(False)
                          - _gpt4o_mini_classification_usd_per_month(True)) / 300_000
    return usd_per_month / (saving_per_request * 30)


def _labelled_for_held_out(held_out: int) -> int:
    """Lesson 04, reversed: labelled examples whose 20 % hold-out is ``held_out`` examples."""
    labelled = round(held_out / 0.2)
    assert _held_out(labelled) == held_out
    return labelled


def _months_at(requests_per_month: float) -> float:
    return _breakeven_requests(400) / requests_per_month


def _gpt4o_mini_classification_usd_per_month(fine_tuned: bool, prompt_tokens: int = 800) -> float:
    """Source: the guide's classification example at 10,000 requests a day (30 days)."""
    from . import price_row, request_cost

    row = price_row("gpt-4o-mini-2024-07-18")
    if fine_tuned:
        per_request = request_cost(200, 50, row["ft_usd_per_1m_input_tokens"],
                                   row["ft_usd_per_1m_output_tokens"])
    else:
        per_request = request_cost(prompt_tokens, 50, row["base_usd_per_1m_input_tokens"],
                                   row["base_usd_per_1m_output_tokens"])
    return per_request * 10_000 * 30


def _held_out(labelled: int) -> int:
    from . import held_out_split

    return held_out_split(labelled, 0.2)[1]


def _examples_to_detect(baseline: float, gain: float) -> int:
    from . import min_examples_to_detect

    return min_examples_to_detect(baseline, gain)


def _gpu_requests_per_month_at(usd_per_1k_req: float) -> float:
    """Lesson 03: the volume at which one always-on g5.xlarge costs this much per 1,000 requests."""
    from . import price_row
    from .hosting import gpu_breakeven_requests_per_month

    return gpu_breakeven_requests_per_month(price_row("g5.xlarge")["hosting_usd_per_hour"],
                                            hosted_cost_per_1k_req=usd_per_1k_req)


def _demo_payback_month(**changes: Any) -> int | None:
    """Lesson 03: the payback month of the calculator demo's example with some fields changed."""
    from .cost_model import Scenario, tco

    return tco(Scenario(**changes)).payback_month


def _prices_held_still() -> Any:
    """Lesson 05's ``still``: the realistic scenario with no model switch and no GPU decline."""
    from .cost_model import REALISTIC, replace

    return replace(REALISTIC, model_switch_month=0, hosting_price_decline_per_year=0.0)


def _ahead_after_horizon_usd(scenario: Any) -> float:
    from .cost_model import tco

    return float(tco(scenario).table["cumulative_savings_usd"].iloc[-1])


def _lead_lost_to_quarterly_retraining_usd() -> float:
    from .cost_model import replace

    still = _prices_held_still()
    return (_ahead_after_horizon_usd(replace(still, retrain_every_months=0))
            - _ahead_after_horizon_usd(replace(still, retrain_every_months=3)))


def _ahead_with_switch_usd(month: int, price_cut: float) -> float:
    from .cost_model import replace

    return _ahead_after_horizon_usd(replace(_prices_held_still(), model_switch_month=month,
                                            model_switch_price_cut=price_cut))


def _realistic_payback_month(**changes: Any) -> int | None:
    """Lesson 06: the payback month of the realistic scenario with some fields changed."""
    from .cost_model import REALISTIC, replace, tco

    return tco(replace(REALISTIC, **changes)).payback_month


def _realistic_p_within_quarter_percent(**changes: Any) -> float:
    """Lesson 06: P(payback within 3 months) in %, from 10,000 draws with seed 0."""
    from .capstone import capstone_answer
    from .cost_model import REALISTIC, replace
    from .sensitivity import REALISTIC_RANGES

    answer = capstone_answer(replace(REALISTIC, **changes), REALISTIC_RANGES, n_draws=10_000,
                             seed=0)
    return 100 * answer.p_within_deadline


#: Every exercise in the workbook, by id ("E<lesson>.<n>").
EXERCISES: dict[str, Exercise] = {
    "E0.1": Exercise(lambda: _breakeven_requests(400), "requests", rel_tol=0.001,
                     hint="Copy the number from the sentence the cell above printed."),
    "E1.1": Exercise(lambda: _breakeven_requests(800), "requests", rel_tol=0.01,
                     hint="Break-even = one-time cost / saving per request; the saving is "
                          "USD 13 per 1,000 requests."),
    "E1.2": Exercise(lambda: _months_at(20_000), "months", rel_tol=0.02,
                     hint="Divide the break-even requests by 20,000 requests a month."),
    "E1.3": Exercise(lambda: _self_hosted_for_breakeven_at(50_000), "USD per 1,000 requests",
                     rel_tol=0.0, abs_tol=0.01,
                     hint="Repaying USD 400 over 50,000 requests needs a saving of USD 8 per "
                          "1,000: subtract it from the hosted price."),
    "E2.1": Exercise(lambda: _gpt4o_mini_classification_usd_per_month(False, 1_500), "USD",
                     rel_tol=0.01,
                     hint="Cost per request (1,500 input and 50 output tokens) x 10,000 a day x "
                          "30 days, at the base model's prices."),
    "E2.2": Exercise(lambda: _requests_per_day_saving(30.0), "requests a day", rel_tol=0.02,
                     hint="The fine-tune saves the difference of the two costs per request on "
                          "each request; divide USD 30 by that saving and by 30 days."),
    "E3.1": Exercise(lambda: _gpu_requests_per_month_at(1.0), "requests a month", rel_tol=0.01,
                     hint="The GPU's monthly bill is fixed: call gpu_breakeven_requests_per_month "
                          "with hosted_cost_per_1k_req=1."),
    "E3.2": Exercise(lambda: _demo_payback_month(engineering_usd_per_month=2_500), "months",
                     rel_tol=0.0, abs_tol=0.5,
                     hint="Each month now saves USD 2,600 minus USD 2,500; how many such months "
                          "repay USD 400?"),
    "E4.1": Exercise(lambda: _labelled_for_held_out(500), "examples", rel_tol=0.0,
                     abs_tol=0.5,
                     hint="The held-out set is 20 % of the labelled examples: 500 is a fifth "
                          "of how many?"),
    "E4.2": Exercise(lambda: _examples_to_detect(0.85, 0.04), "examples per model",
                     rel_tol=0.05,
                     hint="Call min_examples_to_detect with the baseline and the gain as "
                          "fractions."),
    "E5.1": Exercise(_lead_lost_to_quarterly_retraining_usd, "USD", rel_tol=0.01,
                     hint="Ahead after 12 months never retraining, minus ahead after 12 months "
                          "retraining every 3 months (prices held still)."),
    "E5.2": Exercise(lambda: _ahead_with_switch_usd(9, 0.65), "USD", rel_tol=0.01,
                     hint="Set model_switch_month=9 and model_switch_price_cut=0.65 on the "
                          "prices-held-still scenario; a loss is negative."),
    "E6.1": Exercise(lambda: _realistic_payback_month(launch_delay_months=0), "months",
                     rel_tol=0.0, abs_tol=0.5,
                     hint="replace(REALISTIC, launch_delay_months=0), then tco(...).payback_month."),
    "E6.2": Exercise(lambda: _realistic_p_within_quarter_percent(launch_delay_months=0), "%",
                     rel_tol=0.0, abs_tol=0.5,
                     hint="capstone_answer with the same ranges, 10,000 draws and seed 0; "
                          "p_within_deadline is a fraction: give it in %."),
}


def expected_answer(exercise_id: str) -> Any:
    """The computed answer to an exercise (for tests and solutions).

    >>> round(expected_answer("E1.1"))
    61538
    """
    return _exercise(exercise_id).answer()


def _exercise(exercise_id: str) -> Exercise:
    if exercise_id not in EXERCISES:
        raise ValueError(f"exercise_id must be one of {', '.join(EXERCISES)}, "
                         f"got {exercise_id!r}")
    return EXERCISES[exercise_id]


@dataclass(frozen=True)
class ExerciseResult:
    """The check's verdict: "not answered", "right" or "not yet", and a sentence."""

    exercise_id: str
    status: str
    message: str

    @property
    def correct(self) -> bool:
        return self.status == "right"

    def __repr__(self) -> str:
        return f"{self.exercise_id}: {self.message}"

    def _repr_html_(self) -> str:
        colour = {"right": "#00703c", "not yet": "#a00000"}.get(self.status, "#444444")
        mark = {"right": "&#10004;", "not yet": "&#10008;"}.get(self.status, "&#9998;")
        return (f"<div class='ftroi-exercise-check' role='status' style='color:{colour}'>"
                f"{mark} <b>{html.escape(self.exercise_id)}</b>: "
                f"{html.escape(self.message)}</div>")


def _rounded_from(value: float, expected: float) -> bool:
    """True if ``value`` is ``expected`` rounded to the decimals typed, with >= 2 significant
    digits: "about 1.5 months" for 1.538 is right, "2" is not (one digit says too little)."""
    text = repr(abs(value))
    if "e" in text or not math.isfinite(expected):
        return False
    whole, _, decimals = text.partition(".")
    decimals = decimals.rstrip("0")
    if len((whole + decimals).lstrip("0")) < 2:
        return False
    return abs(value - expected) <= 0.5 * 10.0 ** -len(decimals) * (1 + 1e-9)


def check_exercise(exercise_id: str, answer: Any) -> ExerciseResult:
    """Check an exercise's answer; ``...`` (not yet filled in) is reported, not raised.

    Parameters
    ----------
    exercise_id : str
        The exercise, e.g. "E1.1".
    answer : number, bool, None or ``...``
        The learner's answer; None (or ``math.inf``) for "never".

    Returns
    -------
    ExerciseResult
        Shown as one coloured line in the notebook.

    Raises
    ------
    ValueError
        For an unknown exercise id.

    Examples
    --------
    >>> check_exercise("E1.1", ...).status
    'not answered'
    >>> check_exercise("E1.1", 61_538).message
    'Right: 61,538 requests.'
    >>> check_exercise("E1.1", 30_769).status
    'not yet'

    An answer rounded as the solution states it ("about 1.5 months" for 1.538) is right:

    >>> check_exercise("E1.2", 1.5).status
    'right'
    """
    ex = _exercise(exercise_id)
    if answer is Ellipsis:
        return ExerciseResult(exercise_id, "not answered",
                              "not yet answered: replace the ... with your answer, run that "
                              "cell, then run this one.")
    expected = ex.answer()
    if isinstance(expected, bool):
        if not isinstance(answer, bool):
            return ExerciseResult(exercise_id, "not yet",
                                  f"answer True or False, got {answer!r}.")
        ok = answer == expected
        return ExerciseResult(exercise_id, "right" if ok else "not yet",
                              "Right." if ok else f"Not yet. {ex.hint}".strip())
    if answer is None or expected is None:  # "never" (ftroi_helpers.never) on either side
        expected_never = expected is None
        ok = expected_never and (answer is None or answer == math.inf)
        shown = "never" if expected_never else format_number(float(expected), ex.unit)
        if ok:
            return ExerciseResult(exercise_id, "right", f"Right: {shown}.")
        if answer is None:
            return ExerciseResult(exercise_id, "not yet", f"Not yet: it does happen. {ex.hint}"
                                  .strip())
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        return ExerciseResult(exercise_id, "not yet",
                              f"answer with a number (in {ex.unit}), got {answer!r}.")
    value = float(answer)
    if math.isnan(value):
        return ExerciseResult(exercise_id, "not yet", "answer with a number, got nan.")
    if expected is None or math.isinf(value):
        ok = expected is None and math.isinf(value)
    else:
        ok = (math.isclose(value, expected, rel_tol=ex.rel_tol, abs_tol=ex.abs_tol)
              or _rounded_from(value, float(expected)))
    shown = format_number(None if expected is None else float(expected), ex.unit)
    if ok:
        return ExerciseResult(exercise_id, "right", f"Right: {shown}.")
    return ExerciseResult(exercise_id, "not yet",
                          f"Not yet: {format_number(value, ex.unit)} is not it. {ex.hint}".strip())
