"""Evaluation quality: is the fine-tune really better, and is the difference worth paying for?

The Cost Curves page: AI cannot "guarantee quality improvement without an eval baseline". The economics article: "The
evaluation setup (test sets, metrics, baseline comparisons, regression detection) must be built
before the fine-tune". The crossover guide: "Hold out 20% of data for evaluation minimum". This module holds
the arithmetic behind those three sentences.

* **Quality by task** -- :func:`quality_by_task` is the crossover guide's "Quality Comparison by Task Type"
  table (``data/task_quality.csv``); :func:`task_quality_delta_check` tests each row's stated delta
  against its own two quality ranges.
* **Held-out sets** -- in :mod:`ftroi_helpers.eval_stats` (re-exported here):
  :func:`held_out_split`, the Wilson interval :func:`accuracy_interval`, the Newcombe interval
  for a difference :func:`difference_interval`, :func:`compare_evals`,
  :func:`min_examples_to_detect`, and a seeded simulation of scoring models on the same held-out
  set (:func:`simulate_eval`, :func:`measured_delta_spread`).
* **Quality-adjusted cost** -- :func:`cost_per_correct_answer`,
  :func:`expected_cost_per_request` (the call plus the expected cost of its errors) and
  :func:`quality_adjusted_comparison`.
* **Smaller model** -- :func:`smaller_model_matches`: the economics article's "Can a smaller model match a
  larger prompted model? Benchmark this before fine-tuning."
* **Data requirements** -- :func:`training_set_size` and :func:`training_set_sizes_table`: source
  002's "Training set size" table.

Units: accuracies are **fractions** (0.93 = 93%); differences between accuracies are fractions
too (0.03 = 3 percentage points). The task-quality table keeps the crossover guide's percentages and says
so in its column names (``*_pct_*``). Money is USD.

Reading the crossover guide's task table: its deltas are percentage points, not percent. Its reasoning row
writes the delta as "-2-5%"; the workbook reads it as -5 to -2 points (fine-tuning worse), which
matches the row's verdict and the difference of the two ranges' midpoints (-3). Typography in the
verdict text is normalised to ASCII ("--" for a dash).

pandas is imported only inside the functions that return a table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

from .eval_stats import (  # re-exported: this module's names before the split
    HELD_OUT_MINIMUM_FRACTION,
    EvalComparison,
    _counts,
    _open_fraction,
    _scalar,
    accuracy_interval,
    compare_evals,
    difference_interval,
    held_out_split,
    measured_delta_spread,
    min_examples_to_detect,
    simulate_eval,
)
from .validation import (
    Number,
    common_shape,
    finite_result,
    require_fraction,
    require_int,
    require_nonnegative,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "HELD_OUT_MINIMUM_FRACTION",
    "TASK_QUALITY_COLUMNS",
    "TRAINING_SET_SIZES",
    "EvalComparison",
    "MatchVerdict",
    "QualityComparison",
    "TrainingSetSize",
    "accuracy_interval",
    "compare_evals",
    "cost_per_correct_answer",
    "difference_interval",
    "expected_cost_per_request",
    "held_out_split",
    "measured_delta_spread",
    "min_examples_to_detect",
    "quality_adjusted_comparison",
    "quality_by_task",
    "simulate_eval",
    "smaller_model_matches",
    "task_quality_delta_check",
    "training_set_size",
    "training_set_sizes_table",
]

TASK_QUALITY_COLUMNS = (
    "task",
    "prompting_quality_pct_low",
    "prompting_quality_pct_high",
    "finetuned_quality_pct_low",
    "finetuned_quality_pct_high",
    "delta_pct_low",
    "delta_pct_high",
    "justified",
    "source",
)

# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# The crossover guide's quality-by-task table
# --------------------------------------------------------------------------------------------


def quality_by_task() -> pd.DataFrame:
    """The crossover guide's "Quality Comparison by Task Type" table, one row per task.

    Quality is "% agreement with human judgment"; "prompting" is an optimised 5-10 example
    few-shot prompt and "fine-tuned" a model tuned on 500-2,000 task examples (the source's
    definitions). Each range has a ``_low`` and ``_high`` column; ``delta_pct_*`` are the source's
    stated gains in percentage points; ``justified`` is the source's verdict.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TASK_QUALITY_COLUMNS`.

    Examples
    --------
    >>> t = quality_by_task().set_index("task")
    >>> t.loc["Style transfer (brand voice)", ["delta_pct_low", "delta_pct_high"]].tolist()
    [12, 18]
    >>> t.loc["Text classification (sentiment)", "justified"]
    'Only if error cost is high'
    """
    import pandas as pd

    path = resources.files("ftroi_helpers").joinpath("data/task_quality.csv")
    with path.open("r", encoding="utf-8") as fh:
        table = pd.read_csv(fh)
    missing = set(TASK_QUALITY_COLUMNS) - set(table.columns)
    if missing:  # pragma: no cover - guards the shipped file
        raise RuntimeError(f"task_quality.csv is missing columns: {sorted(missing)}")
    return table[list(TASK_QUALITY_COLUMNS)]


def task_quality_delta_check() -> pd.DataFrame:
    """Test each row of the crossover guide's task table against its own quality ranges.

    If prompting scores anywhere in ``[p_low, p_high]`` and fine-tuning anywhere in
    ``[f_low, f_high]``, the gain can be anything from ``f_low - p_high`` to ``f_high - p_low``
    (``possible_delta_pct_min``/``_max``). The source states a narrower delta; that is only
    possible if the two columns were measured on the *same* workloads (a paired comparison), which
    the source does not say. The columns report:

    * ``midpoint_delta_pct``: difference of the two ranges' midpoints;
    * ``midpoint_in_stated``: whether that midpoint difference lies in the stated delta;
    * ``ends_in_stated``: whether both ``f_low - p_low`` and ``f_high - p_high`` lie in it;
    * ``can_be_negative``: whether the ranges allow fine-tuning to score *below* prompting.

    Returns
    -------
    pandas.DataFrame
        One row per task.

    Examples
    --------
    The crossover guide's reasoning row ("85-92%" vs "83-88%"): the ranges allow anything from -9 to +3
    points, although the row says fine-tuning degrades reasoning.

    >>> t = task_quality_delta_check().set_index("task")
    >>> t.loc["Reasoning/analysis", ["possible_delta_pct_min", "possible_delta_pct_max"]].tolist()
    [-9, 3]
    >>> int(t["can_be_negative"].sum())
    4
    """
    import pandas as pd

    t = quality_by_task()
    p_lo, p_hi = t["prompting_quality_pct_low"], t["prompting_quality_pct_high"]
    f_lo, f_hi = t["finetuned_quality_pct_low"], t["finetuned_quality_pct_high"]
    d_lo, d_hi = t["delta_pct_low"], t["delta_pct_high"]
    mid = (f_lo + f_hi) / 2 - (p_lo + p_hi) / 2
    lows, highs = f_lo - p_lo, f_hi - p_hi
    return pd.DataFrame(
        {
            "task": t["task"],
            "stated_delta_pct_low": d_lo,
            "stated_delta_pct_high": d_hi,
            "midpoint_delta_pct": mid,
            "possible_delta_pct_min": f_lo - p_hi,
            "possible_delta_pct_max": f_hi - p_lo,
            "midpoint_in_stated": (mid >= d_lo) & (mid <= d_hi),
            "ends_in_stated": (lows >= d_lo) & (lows <= d_hi) & (highs >= d_lo) & (highs <= d_hi),
            "can_be_negative": (f_lo - p_hi) < 0,
        }
    )


# --------------------------------------------------------------------------------------------
# Data requirements (the crossover guide, "The Data Requirement Problem")
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingSetSize:
    """One row of the crossover guide's training-set-size table (``upper_examples`` is exclusive,
    except for the 2,000-10,000 band, whose 10,000 is included because the next band is
    ">10,000")."""

    label: str
    expected_quality: str
    use_case: str
    lower_examples: float
    upper_examples: float


#: The crossover guide's "Training set size" table, plus a first row for sets below its smallest band.
TRAINING_SET_SIZES: tuple[TrainingSetSize, ...] = (
    TrainingSetSize("<50 examples", "Below the crossover guide's smallest band (50-100)",
                    "Prompting (3-10 examples in the prompt) -- collect data first", 0, 50),
    TrainingSetSize("50-100 examples", "Behavioral nudge -- format adherence, style shift",
                    "JSON schema enforcement, tone adjustment", 50, 100),
    TrainingSetSize("100-500 examples", "Solid task performance -- covers main patterns",
                    "Standard classification, simple extraction", 100, 500),
    TrainingSetSize("500-2,000 examples", "Production quality -- handles edge cases",
                    "Multi-label, custom NER, complex schemas", 500, 2_000),
    TrainingSetSize("2,000-10,000 examples",
                    "High quality -- generalizes well to new inputs",
                    "Domain-specific tasks with high variance", 2_000, 10_000),
    TrainingSetSize(">10,000 examples", "Diminishing returns on most tasks",
                    "Only for extremely diverse tasks or safety-critical systems", 10_000,
                    math.inf),
)


def training_set_size(n_examples: int) -> TrainingSetSize:
    """The crossover guide's expected quality for a training set of ``n_examples``.

    A shared boundary belongs to the **upper** band (100 examples is "100-500", matching the
    decision tree's "100+ high-quality labeled examples"), except 10,000, which stays in
    "2,000-10,000" because the source's last band is ">10,000". Below 50 examples the source has
    no band; the workbook's first row says so.

    Parameters
    ----------
    n_examples : int
        Training examples (whole number >= 0), *after* holding out the eval set.

    Returns
    -------
    TrainingSetSize

    Raises
    ------
    ValueError, TypeError
        For a negative or fractional count.

    Examples
    --------
    The crossover guide's fine-tuned column used 500-2,000 examples:

    >>> training_set_size(500).expected_quality
    'Production quality -- handles edge cases'
    >>> training_set_size(10_000).label
    '2,000-10,000 examples'
    >>> training_set_size(10_001).label
    '>10,000 examples'
    """
    n = require_int("n_examples", n_examples, minimum=0)
    for band in TRAINING_SET_SIZES:
        if band.lower_examples <= n < band.upper_examples or (
            band.upper_examples == 10_000 and n == 10_000
        ):
            return band
    return TRAINING_SET_SIZES[-1]  # pragma: no cover - the last band is open-ended


def training_set_sizes_table() -> pd.DataFrame:
    """The crossover guide's training-set-size table as a DataFrame (without the workbook's <50 row).

    >>> training_set_sizes_table()["training_set_size"].tolist()[0]
    '50-100 examples'
    """
    import pandas as pd

    rows = TRAINING_SET_SIZES[1:]
    return pd.DataFrame(
        {
            "training_set_size": [r.label for r in rows],
            "expected_quality": [r.expected_quality for r in rows],
            "use_case": [r.use_case for r in rows],
        }
    )


# --------------------------------------------------------------------------------------------
# Quality-adjusted cost
# --------------------------------------------------------------------------------------------


def cost_per_correct_answer(cost_per_request_usd: Number, accuracy: Number) -> Number:
    """USD spent per *correct* answer: ``cost_per_request_usd / accuracy``.

    Parameters
    ----------
    cost_per_request_usd : float or array
        USD per request (>= 0).
    accuracy : float or array
        Fraction of answers that are correct, in (0, 1].

    Returns
    -------
    float or ndarray

    Raises
    ------
    ValueError, TypeError
        For a negative cost or an accuracy of 0 or outside [0, 1].

    Examples
    --------
    gpt-4o-mini with the crossover guide's 800-token classification prompt costs $0.00015 a request; at
    the crossover guide's 90% (prompting sentiment midpoint) that is $0.000167 per correct answer:

    >>> round(cost_per_correct_answer(0.00015, 0.90), 9)
    0.000166667
    """
    cost = require_nonnegative("cost_per_request_usd", cost_per_request_usd)
    acc = require_fraction("accuracy", accuracy, allow_zero=False)
    inputs = {"cost_per_request_usd": cost, "accuracy": acc}
    common_shape(**inputs)
    with np.errstate(over="ignore"):
        per_correct = np.divide(cost, acc)
    return finite_result(per_correct, "USD per correct answer", inputs)


def expected_cost_per_request(
    cost_per_request_usd: Number, accuracy: Number, usd_per_error: Number
) -> Number:
    """The call plus the expected cost of its errors: ``cost + (1 - accuracy) * usd_per_error``.

    ``usd_per_error`` is what one wrong answer costs you downstream (a human correction, a
    refund, a lost sale). The crossover guide's verdict for sentiment classification, "Only if error cost
    is high", is this sum in words.

    Parameters
    ----------
    cost_per_request_usd : float or array
        USD per request (>= 0).
    accuracy : float or array
        Fraction correct, in [0, 1].
    usd_per_error : float or array
        USD lost per wrong answer (>= 0).

    Returns
    -------
    float or ndarray
        USD per request, errors included.

    Examples
    --------
    $0.00015 a call at 90% accuracy, with a $0.05 error, costs $0.00515 a request -- the
    errors are 97% of it:

    >>> round(expected_cost_per_request(0.00015, 0.90, 0.05), 6)
    0.00515
    """
    cost = require_nonnegative("cost_per_request_usd", cost_per_request_usd)
    acc = require_fraction("accuracy", accuracy)
    per_error = require_nonnegative("usd_per_error", usd_per_error)
    inputs = {"cost_per_request_usd": cost, "accuracy": acc, "usd_per_error": per_error}
    common_shape(**inputs)
    with np.errstate(over="ignore"):
        expected = cost + np.multiply(np.subtract(1.0, acc), per_error)
    return finite_result(expected, "USD per request, errors included", inputs)


@dataclass(frozen=True)
class QualityComparison:
    """Prompting against fine-tuning once errors cost money (see
    :func:`quality_adjusted_comparison`). Money in USD; accuracies as fractions."""

    prompt_cost_per_request_usd: float
    prompt_accuracy: float
    finetuned_cost_per_request_usd: float
    finetuned_accuracy: float
    usd_per_error: float
    requests_per_month: float

    @property
    def prompt_cost_per_correct_usd(self) -> float:
        return cost_per_correct_answer(self.prompt_cost_per_request_usd, self.prompt_accuracy)

    @property
    def finetuned_cost_per_correct_usd(self) -> float:
        return cost_per_correct_answer(self.finetuned_cost_per_request_usd,
                                       self.finetuned_accuracy)

    @property
    def prompt_expected_cost_per_request_usd(self) -> float:
        return expected_cost_per_request(self.prompt_cost_per_request_usd, self.prompt_accuracy,
                                         self.usd_per_error)

    @property
    def finetuned_expected_cost_per_request_usd(self) -> float:
        return expected_cost_per_request(self.finetuned_cost_per_request_usd,
                                         self.finetuned_accuracy, self.usd_per_error)

    @property
    def prompt_usd_per_month(self) -> float:
        """Calls plus errors per month, prompting."""
        return self.requests_per_month * self.prompt_expected_cost_per_request_usd

    @property
    def finetuned_usd_per_month(self) -> float:
        """Calls plus errors per month, fine-tuned (running cost only: no training)."""
        return self.requests_per_month * self.finetuned_expected_cost_per_request_usd

    @property
    def monthly_saving_usd(self) -> float:
        """Prompting's monthly cost minus fine-tuning's (positive: fine-tuning is cheaper)."""
        return self.prompt_usd_per_month - self.finetuned_usd_per_month

    @property
    def cheaper(self) -> str:
        """"fine-tuned", "prompting" or "neither" (equal), errors included."""
        if math.isclose(self.prompt_usd_per_month, self.finetuned_usd_per_month,
                        rel_tol=1e-12, abs_tol=1e-9):
            return "neither"
        return "fine-tuned" if self.monthly_saving_usd > 0 else "prompting"

    @property
    def cheaper_per_correct_answer(self) -> str:
        """"fine-tuned", "prompting" or "neither" by cost per correct answer (errors free)."""
        a, b = self.prompt_cost_per_correct_usd, self.finetuned_cost_per_correct_usd
        if math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15):
            return "neither"
        return "fine-tuned" if b < a else "prompting"

    @property
    def crossover_usd_per_error(self) -> float | None:
        """The error cost at which the two options cost the same, or None if one of them is
        cheaper (or as cheap) at every error cost.

        Above it, the **more accurate** option is cheaper; below it, the one with the cheaper
        call.
        """
        d_acc = self.finetuned_accuracy - self.prompt_accuracy
        d_cost = self.finetuned_cost_per_request_usd - self.prompt_cost_per_request_usd
        if d_acc == 0 or d_cost == 0 or (d_acc > 0) == (d_cost < 0):
            return None
        return d_cost / d_acc

    def table(self) -> pd.DataFrame:
        """Both options side by side, per request and per month.

        ``cost_per_correct_answer_usd`` is nullable ``Float64``: ``<NA>`` ("never", see
        :mod:`ftroi_helpers.never`) for an option with an accuracy of 0, which never answers
        correctly.
        """
        import pandas as pd

        rows = []
        for option, cost, acc in (
            ("prompting", self.prompt_cost_per_request_usd, self.prompt_accuracy),
            ("fine-tuned", self.finetuned_cost_per_request_usd, self.finetuned_accuracy),
        ):
            rows.append({
                "option": option,
                "accuracy_pct": 100 * acc,
                "cost_per_request_usd": cost,
                "cost_per_correct_answer_usd": (cost / acc) if acc > 0 else None,
                "error_cost_per_request_usd": (1 - acc) * self.usd_per_error,
                "expected_cost_per_request_usd": cost + (1 - acc) * self.usd_per_error,
                "errors_per_month": (1 - acc) * self.requests_per_month,
                "usd_per_month": self.requests_per_month * (cost + (1 - acc) * self.usd_per_error),
            })
        return pd.DataFrame(rows).astype({"cost_per_correct_answer_usd": "Float64"})

    def summary(self) -> str:
        """One sentence: which option is cheaper per month once errors are priced in."""
        from .formatting import usd

        saving = abs(self.monthly_saving_usd)
        head = (f"Errors included ({usd(self.usd_per_error, 2)} each), prompting costs "
                f"{usd(self.prompt_usd_per_month)} and fine-tuned "
                f"{usd(self.finetuned_usd_per_month)} a month")
        if self.cheaper == "neither":
            return f"{head}: the same."
        return f"{head}: {self.cheaper} is cheaper by {usd(saving)} a month."


def quality_adjusted_comparison(
    prompt_cost_per_request_usd: float,
    prompt_accuracy: float,
    finetuned_cost_per_request_usd: float,
    finetuned_accuracy: float,
    usd_per_error: float,
    requests_per_month: float,
) -> QualityComparison:
    """Compare prompting and fine-tuning per correct answer and per month, errors included.

    The monthly figures are running costs (calls plus errors); a one-time training cost is not
    in them -- set their difference against it with :mod:`ftroi_helpers.breakeven`.

    Parameters
    ----------
    prompt_cost_per_request_usd, finetuned_cost_per_request_usd : float
        USD per request for each option (>= 0).
    prompt_accuracy, finetuned_accuracy : float
        Each option's accuracy on the same held-out set, fractions in (0, 1].
    usd_per_error : float
        USD lost per wrong answer (>= 0).
    requests_per_month : float
        Requests per month (>= 0).

    Returns
    -------
    QualityComparison
        With ``cheaper``, ``cheaper_per_correct_answer``, ``monthly_saving_usd``,
        ``crossover_usd_per_error``, ``table()`` and ``summary()``.

    Raises
    ------
    ValueError, TypeError
        For a negative cost or volume, or an accuracy outside (0, 1].

    Examples
    --------
    The crossover guide's sentiment row at its midpoints (90% prompted, 94.5% fine-tuned) and its
    10K requests/day (300,000 a month), with gpt-4o-mini per-request costs for the crossover guide's
    800-token and 200-token prompts ($0.00015 and $0.00012). With a $0.05 error the avoided
    errors are worth far more than the saved tokens:

    >>> c = quality_adjusted_comparison(0.00015, 0.90, 0.00012, 0.945, 0.05, 300_000)
    >>> c.cheaper, round(c.monthly_saving_usd, 2)
    ('fine-tuned', 684.0)
    >>> c.summary()
    'Errors included ($0.05 each), prompting costs $1,545 and fine-tuned $861 a month: fine-tuned is cheaper by $684 a month.'
    """
    values = {}
    for name, value in (("prompt_cost_per_request_usd", prompt_cost_per_request_usd),
                        ("finetuned_cost_per_request_usd", finetuned_cost_per_request_usd),
                        ("usd_per_error", usd_per_error),
                        ("requests_per_month", requests_per_month)):
        values[name] = _scalar(name, value, require_nonnegative)
    for name, value in (("prompt_accuracy", prompt_accuracy),
                        ("finetuned_accuracy", finetuned_accuracy)):
        values[name] = _scalar(name, value,
                               lambda n, v: require_fraction(n, v, allow_zero=False))
    comparison = QualityComparison(**values)
    with np.errstate(over="ignore", invalid="ignore"):
        totals = [comparison.prompt_cost_per_correct_usd,
                  comparison.finetuned_cost_per_correct_usd,
                  comparison.prompt_usd_per_month, comparison.finetuned_usd_per_month,
                  comparison.monthly_saving_usd]
    finite_result(np.array(totals), "the monthly cost", values)
    return comparison


# --------------------------------------------------------------------------------------------
# Can a smaller model match a larger prompted one? (the economics article)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatchVerdict:
    """The answer of :func:`smaller_model_matches`."""

    verdict: str  # "matches", "does not match" or "can't tell yet"
    difference: float
    difference_interval: tuple[float, float]
    tolerance: float
    n_examples: int

    @property
    def matches(self) -> bool:
        return self.verdict == "matches"

    def summary(self) -> str:
        lo, hi = self.difference_interval
        head = (f"Smaller minus larger: {100 * self.difference:+.1f} points "
                f"(interval {100 * lo:+.1f} to {100 * hi:+.1f}) on {self.n_examples:,} "
                f"examples, tolerance {100 * self.tolerance:.1f} points")
        tail = {
            "matches": "the smaller model matches",
            "does not match": "the smaller model does not match",
            "can't tell yet": "can't tell yet: score more held-out examples",
        }[self.verdict]
        return f"{head}: {tail}."


def smaller_model_matches(
    large_correct: int,
    small_correct: int,
    n_examples: int,
    tolerance: float = 0.02,
    confidence: float = 0.95,
) -> MatchVerdict:
    """Does a smaller (fine-tuned) model match a larger prompted one, within a tolerance?

    The economics article: "Can a smaller model match a larger prompted model? Benchmark this before
    fine-tuning." Both models are scored on the same ``n_examples`` held-out examples. With
    ``(low, high)`` the :func:`difference_interval` of ``small - large``:

    * "matches" when ``low >= -tolerance``: even at the pessimistic end, the small model is at
      most ``tolerance`` worse (a non-inferiority test);
    * "does not match" when ``high < -tolerance``: even at the optimistic end it is worse by
      more than the tolerance;
    * "can't tell yet" otherwise: the held-out set is too small to decide.

    Parameters
    ----------
    large_correct, small_correct : int
        Examples each model got right (0 to ``n_examples``).
    n_examples : int
        Held-out examples scored by both (whole number >= 1).
    tolerance : float
        How much worse the smaller model may be and still "match", a fraction in [0, 1]
        (0.02 = 2 percentage points). The workbook's default; choose it from the cost of an
        error (see :func:`quality_adjusted_comparison`).
    confidence : float
        Confidence level, strictly between 0 and 1.

    Returns
    -------
    MatchVerdict
        ``verdict``, ``matches``, the measured ``difference`` and its interval, ``summary()``.

    Raises
    ------
    ValueError, TypeError
        For bad counts, tolerance or confidence.

    Examples
    --------
    The crossover guide's summarization row, "prompting nearly matches": midpoints 87.5% prompted vs
    89.5% fine-tuned. Read the other way round -- a large prompted model at 89.5% and a small
    one at 87.5%, 2 points apart with a 2-point tolerance -- 400 examples cannot settle it:

    >>> smaller_model_matches(358, 350, 400).verdict
    "can't tell yet"
    >>> smaller_model_matches(3_580, 3_500, 4_000, tolerance=0.04).verdict
    'matches'
    """
    n = require_int("n_examples", n_examples, minimum=1)
    big = require_int("large_correct", large_correct, minimum=0)
    small = require_int("small_correct", small_correct, minimum=0)
    _counts(big, n, "large_correct", "n_examples")
    _counts(small, n, "small_correct", "n_examples")
    tol = _scalar("tolerance", tolerance, require_fraction)
    conf = _scalar("confidence", confidence, _open_fraction)
    low, high = difference_interval(big, n, small, n, conf)
    if low >= -tol:
        verdict = "matches"
    elif high < -tol:
        verdict = "does not match"
    else:
        verdict = "can't tell yet"
    return MatchVerdict(verdict, (small - big) / n, (low, high), tol, n)
