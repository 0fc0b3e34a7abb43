"""Evaluation quality: is the fine-tune really better, and is the difference worth paying for?

The Cost Curves page: AI cannot "guarantee quality improvement without an eval baseline". The economics article: "The
evaluation setup (test sets, metrics, baseline comparisons, regression detection) must be built
before the fine-tune". The crossover guide: "Hold out 20% of data for evaluation minimum". This module holds
the arithmetic behind those three sentences.

* **Quality by task** -- :func:`quality_by_task` is the crossover guide's "Quality Comparison by Task Type"
  table (``data/task_quality.csv``); :func:`task_quality_delta_check` tests each row's stated delta
  against its own two quality ranges.
* **Held-out sets** -- :func:`held_out_split`, the Wilson interval :func:`accuracy_interval`,
  the Newcombe interval for a difference :func:`difference_interval`, :func:`compare_evals`,
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
from statistics import NormalDist
from typing import TYPE_CHECKING, Any

import numpy as np

from .validation import (
    MAX_EVAL_CELLS,
    MAX_TABLE_ROWS,
    Number,
    TooLargeError,
    as_number,
    as_output,
    common_shape,
    finite_result,
    require_fraction,
    require_int,
    require_nonnegative,
    short_repr,
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

#: The largest count a float holds exactly (2**53): counts beyond it cannot be split exactly.
MAX_EXACT_COUNT = 2**53

#: The crossover guide, "Common Fine-Tuning Mistakes": "Hold out 20% of data for evaluation minimum".
HELD_OUT_MINIMUM_FRACTION = 0.2

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
# Small shared checks
# --------------------------------------------------------------------------------------------


def _scalar(name: str, value: Any, check=as_number) -> float:
    x = check(name, value)
    if not isinstance(x, float):
        raise TypeError(f"{name} must be a single number, got {short_repr(value)}")
    return x


def _open_fraction(name: str, value: Any) -> Number:
    """A fraction strictly between 0 and 1 (a confidence level, a power, a split)."""
    x = require_fraction(name, value, allow_zero=False)
    if np.any(np.asarray(x) >= 1):
        raise ValueError(f"{name} must be between 0 and 1 (exclusive), got {short_repr(value)}")
    return x


def _z(confidence: float) -> float:
    """Two-sided standard-normal quantile for a confidence level (1.96 for 95%)."""
    return NormalDist().inv_cdf(1 - (1 - confidence) / 2)


def _counts(correct: Any, n: Any, correct_name: str = "correct",
            n_name: str = "n") -> tuple[Number, Number]:
    """Whole-number counts with 0 <= correct <= n and n >= 1 (scalars or arrays)."""
    c = require_nonnegative(correct_name, correct)
    total = require_nonnegative(n_name, n)
    for name, x in ((correct_name, c), (n_name, total)):
        arr = np.asarray(x)
        if not np.all(arr == np.floor(arr)):
            bad = arr[arr != np.floor(arr)].flat[0] if arr.ndim else arr
            raise TypeError(f"{name} must be a whole number, got {float(bad)}")
    if np.any(np.asarray(total) < 1):
        raise ValueError(f"{n_name} must be >= 1, got {_first(total, np.asarray(total) < 1)}")
    over = np.asarray(c) > np.asarray(total)
    if np.any(over):
        raise ValueError(
            f"{correct_name} must be <= {n_name}, got {_first(c, over)} correct of "
            f"{_first(np.broadcast_to(total, over.shape), over)}"
        )
    return c, total


def _first(x: Any, mask: Any) -> str:
    arr = np.broadcast_to(np.asarray(x), np.shape(mask))
    value = float(arr[mask].flat[0]) if np.ndim(mask) else float(arr)
    return str(int(value)) if value.is_integer() else str(value)


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
# Held-out sets and sampling noise
# --------------------------------------------------------------------------------------------


def held_out_split(n_examples: int, held_out_fraction: float = 0.2) -> tuple[int, int]:
    """Split labelled examples into (training, held-out) counts.

    The held-out count is rounded **up**, so at least ``held_out_fraction`` of the data is held
    out, and both parts keep at least one example. Fractions below the crossover guide's 20% minimum
    (:data:`HELD_OUT_MINIMUM_FRACTION`) are allowed -- so a lesson can show what they cost in
    measurement noise -- but they are below the source's advice.

    Parameters
    ----------
    n_examples : int
        Labelled examples available (whole number >= 2).
    held_out_fraction : float
        Share held out for evaluation, strictly between 0 and 1 (default 0.2, the crossover guide).

    Returns
    -------
    tuple of int
        ``(training_examples, held_out_examples)``, summing to ``n_examples``.

    Raises
    ------
    ValueError, TypeError
        For fewer than 2 examples, a fractional count, or a fraction outside (0, 1).

    Examples
    --------
    The crossover guide's fine-tuned models used 500-2,000 examples; 20% of 2,000 is 400:

    >>> held_out_split(2_000)
    (1600, 400)
    >>> held_out_split(501)
    (400, 101)
    >>> held_out_split(2_000, 1.0)
    Traceback (most recent call last):
    ...
    ValueError: held_out_fraction must be between 0 and 1 (exclusive), got 1
    """
    n = require_int("n_examples", n_examples, minimum=2, maximum=MAX_EXACT_COUNT,
                    limit_name="the largest count a float holds exactly")
    f = _scalar("held_out_fraction", held_out_fraction, _open_fraction)
    held_out = math.ceil(round(n * f, 9))
    held_out = min(max(held_out, 1), n - 1)
    return n - held_out, held_out


def accuracy_interval(correct: Number, n: Number, confidence: float = 0.95) -> tuple[Number, Number]:
    """Wilson score interval for an accuracy measured as ``correct`` out of ``n`` examples.

    With ``p = correct / n`` and ``z`` the two-sided normal quantile (1.96 for 95%)::

        centre = (p + z**2 / (2n)) / (1 + z**2 / n)
        half   = z / (1 + z**2 / n) * sqrt(p (1 - p) / n + z**2 / (4 n**2))

    Unlike the textbook ``p +/- z sqrt(p(1-p)/n)``, it stays inside [0, 1] and behaves at
    100% or 0% correct. It treats the held-out examples as a random sample of production traffic.

    Parameters
    ----------
    correct : int or array
        Examples scored correct (whole number, 0 <= correct <= n).
    n : int or array
        Held-out examples scored (whole number >= 1).
    confidence : float
        Confidence level, strictly between 0 and 1 (default 0.95).

    Returns
    -------
    tuple
        ``(low, high)`` as fractions (floats, or arrays for array input).

    Raises
    ------
    ValueError, TypeError
        For counts that are negative, fractional, or with ``correct > n``, or a bad confidence.

    Examples
    --------
    The crossover guide's sentiment row: prompting 88-92%, fine-tuned 93-96%. On 100 held-out examples,
    90 vs 93 correct give overlapping intervals:

    >>> [round(x, 3) for x in accuracy_interval(90, 100)]
    [0.826, 0.945]
    >>> [round(x, 3) for x in accuracy_interval(93, 100)]
    [0.863, 0.966]
    >>> accuracy_interval(101, 100)
    Traceback (most recent call last):
    ...
    ValueError: correct must be <= n, got 101 correct of 100
    """
    c, total = _counts(correct, n)
    conf = _scalar("confidence", confidence, _open_fraction)
    z = _z(conf)
    p = np.divide(c, total)
    with np.errstate(over="ignore", under="ignore"):  # 2n beyond 1.8e308: z**2 / 2n is 0
        denom = 1 + z**2 / total
        centre = (p + z**2 / (2 * total)) / denom
        # (z / 2n)**2 rather than z**2 / (4 n**2): n**2 overflows from n = 1e154 on
        half = z / denom * np.sqrt(p * (1 - p) / total + np.square(z / (2 * total)))
    # The exact interval always contains p and reaches 0 (or 1) at 0 (or n) correct; pin those
    # so float rounding cannot leave p outside by 1e-17.
    low = np.where(c == 0, 0.0, np.clip(np.minimum(centre - half, p), 0.0, 1.0))
    high = np.where(c == total, 1.0, np.clip(np.maximum(centre + half, p), 0.0, 1.0))
    return as_output(low), as_output(high)


def difference_interval(
    correct_a: Number, n_a: Number, correct_b: Number, n_b: Number, confidence: float = 0.95
) -> tuple[Number, Number]:
    """Interval for the accuracy difference ``B - A`` (Newcombe's hybrid score method).

    Built from the two Wilson intervals (Newcombe 1998, method 10)::

        d = p_b - p_a
        low  = d - sqrt((p_b - l_b)**2 + (u_a - p_a)**2)
        high = d + sqrt((u_b - p_b)**2 + (p_a - l_a)**2)

    It assumes the two scores are independent samples. When A and B are scored on the *same*
    held-out set -- as they should be -- their errors are usually positively correlated and this
    interval is conservative (a little wider than a paired analysis would give), which is the safe
    side for a claim that the fine-tune is better.

    Parameters
    ----------
    correct_a, n_a : int or array
        Baseline: examples correct, of examples scored.
    correct_b, n_b : int or array
        Candidate (e.g. fine-tuned): examples correct, of examples scored.
    confidence : float
        Confidence level, strictly between 0 and 1.

    Returns
    -------
    tuple
        ``(low, high)`` of ``p_b - p_a``, as fractions.

    Raises
    ------
    ValueError, TypeError
        As :func:`accuracy_interval`, naming the offending argument.

    Examples
    --------
    The crossover guide's sentiment gain (+3 points at the low end) on 100 held-out examples cannot be
    told from zero:

    >>> low, high = difference_interval(90, 100, 93, 100)
    >>> round(low, 3), round(high, 3)
    (-0.051, 0.112)
    """
    ca, na = _counts(correct_a, n_a, "correct_a", "n_a")
    cb, nb = _counts(correct_b, n_b, "correct_b", "n_b")
    la, ua = accuracy_interval(ca, na, confidence)
    lb, ub = accuracy_interval(cb, nb, confidence)
    pa, pb = np.divide(ca, na), np.divide(cb, nb)
    d = pb - pa
    low = d - np.sqrt((pb - lb) ** 2 + (ua - pa) ** 2)
    high = d + np.sqrt((ub - pb) ** 2 + (pa - la) ** 2)
    return as_output(low), as_output(high)


@dataclass(frozen=True)
class EvalComparison:
    """A baseline and a candidate scored on the same held-out set (see :func:`compare_evals`)."""

    n_examples: int
    baseline_correct: int
    finetuned_correct: int
    confidence: float
    baseline_interval: tuple[float, float]
    finetuned_interval: tuple[float, float]
    difference_interval: tuple[float, float]

    @property
    def baseline_accuracy(self) -> float:
        return self.baseline_correct / self.n_examples

    @property
    def finetuned_accuracy(self) -> float:
        return self.finetuned_correct / self.n_examples

    @property
    def difference(self) -> float:
        """Measured ``fine-tuned - baseline`` accuracy, as a fraction."""
        return self.finetuned_accuracy - self.baseline_accuracy

    @property
    def distinguishable(self) -> bool:
        """True when the difference's interval excludes zero."""
        low, high = self.difference_interval
        return low > 0 or high < 0

    def summary(self) -> str:
        """One sentence: the two scores, the difference and whether it is beyond the noise."""
        lo, hi = self.difference_interval
        pct = round(100 * self.confidence)
        head = (f"On {self.n_examples:,} held-out examples: baseline "
                f"{100 * self.baseline_accuracy:.1f}%, fine-tuned "
                f"{100 * self.finetuned_accuracy:.1f}% ({100 * self.difference:+.1f} points; "
                f"{pct}% interval {100 * lo:+.1f} to {100 * hi:+.1f}).")
        if self.distinguishable:
            better = "better" if self.difference > 0 else "worse"
            return f"{head} The fine-tuned model is {better}, beyond the sampling noise."
        return f"{head} The difference is within the sampling noise: no claim either way."


def compare_evals(
    n_examples: int, baseline_correct: int, finetuned_correct: int, confidence: float = 0.95
) -> EvalComparison:
    """Score a prompted baseline and a fine-tuned model on the same held-out set.

    Parameters
    ----------
    n_examples : int
        Held-out examples, the same set for both models (whole number >= 1).
    baseline_correct, finetuned_correct : int
        Examples each model got right (0 to ``n_examples``).
    confidence : float
        Confidence level for the intervals, strictly between 0 and 1.

    Returns
    -------
    EvalComparison
        The two Wilson intervals, the Newcombe interval of the difference, ``distinguishable``
        and ``summary()``.

    Raises
    ------
    ValueError, TypeError
        For counts that are negative, fractional or above ``n_examples``.

    Examples
    --------
    The crossover guide's sentiment gain (+3 points at the low end) on 400 held-out examples, 20% of the
    2,000 examples its fine-tuned models used:

    >>> c = compare_evals(400, 360, 372)
    >>> c.distinguishable
    False
    >>> c.summary()
    'On 400 held-out examples: baseline 90.0%, fine-tuned 93.0% (+3.0 points; 95% interval -0.9 to +6.9). The difference is within the sampling noise: no claim either way.'
    """
    n = require_int("n_examples", n_examples, minimum=1)
    b = require_int("baseline_correct", baseline_correct, minimum=0)
    f = require_int("finetuned_correct", finetuned_correct, minimum=0)
    conf = _scalar("confidence", confidence, _open_fraction)
    _counts(b, n, "baseline_correct", "n_examples")
    _counts(f, n, "finetuned_correct", "n_examples")
    return EvalComparison(
        n_examples=n,
        baseline_correct=b,
        finetuned_correct=f,
        confidence=conf,
        baseline_interval=accuracy_interval(b, n, conf),
        finetuned_interval=accuracy_interval(f, n, conf),
        difference_interval=difference_interval(b, n, f, n, conf),
    )


def min_examples_to_detect(
    baseline_accuracy: float, delta: float, confidence: float = 0.95, power: float = 0.8
) -> int:
    """Held-out examples per model needed to detect an accuracy gain of ``delta``.

    The standard two-proportion sample size (two-sided test at level ``1 - confidence``, with
    probability ``power`` of detecting a true gain of ``delta``). With ``p1`` the baseline,
    ``p2 = p1 + delta`` and ``p = (p1 + p2) / 2``::

        n = (z_a * sqrt(2 p (1 - p)) + z_b * sqrt(p1 (1 - p1) + p2 (1 - p2)))**2 / delta**2

    where ``z_a`` is the two-sided normal quantile for ``confidence`` (1.96 at 95%) and ``z_b``
    the one-sided quantile for ``power`` (0.84 at 80%); rounded up. It treats the two scores as
    independent samples: scoring both models on the same set (a paired design) usually needs
    fewer, by an amount that depends on how often the models disagree -- which you only learn
    by running the eval.

    Parameters
    ----------
    baseline_accuracy : float
        The prompted baseline's accuracy, a fraction strictly between 0 and 1.
    delta : float
        The gain to detect, as a fraction (0.03 = 3 percentage points); > 0 and
        ``baseline_accuracy + delta <= 1``.
    confidence : float
        1 minus the false-alarm rate, strictly between 0 and 1 (default 0.95).
    power : float
        Chance of detecting a real gain of ``delta``, strictly between 0 and 1 (default 0.8).

    Returns
    -------
    int
        Held-out examples per model (both models on the same set of this size).

    Raises
    ------
    ValueError, TypeError
        For values outside those ranges.

    Examples
    --------
    The crossover guide's sentiment row: prompting about 90%, gain +3 to +6 points:

    >>> min_examples_to_detect(0.90, 0.03)
    1356
    >>> min_examples_to_detect(0.90, 0.06)
    283
    >>> min_examples_to_detect(0.90, 0.15)
    Traceback (most recent call last):
    ...
    ValueError: delta must be <= 1 - baseline_accuracy (0.1), got 0.15
    """
    p1 = _scalar("baseline_accuracy", baseline_accuracy, _open_fraction)
    d = _scalar("delta", delta, lambda n, v: require_fraction(n, v, allow_zero=False))
    if p1 + d > 1 + 1e-12:
        raise ValueError(f"delta must be <= 1 - baseline_accuracy ({1 - p1:g}), got {short_repr(delta)}")
    conf = _scalar("confidence", confidence, _open_fraction)
    pw = _scalar("power", power, _open_fraction)
    p2 = min(p1 + d, 1.0)
    p_bar = (p1 + p2) / 2
    z_a = _z(conf)
    z_b = NormalDist().inv_cdf(pw)
    spread = (z_a * math.sqrt(2 * p_bar * (1 - p_bar))
              + z_b * math.sqrt(p1 * (1 - p1) + p2 * (1 - p2)))
    n = (spread / d) ** 2 if spread / d < 1e154 else math.inf
    if n > 2**53:
        raise TooLargeError(
            f"the held-out examples needed are too many to count (over 9e15) for delta="
            f"{short_repr(d)} at baseline_accuracy={short_repr(p1)}: detect a larger delta")
    return math.ceil(round(n, 9))


def simulate_eval(
    n_examples: int,
    true_accuracy: Number,
    seed: int = 0,
    *,
    n_sets: int | None = None,
    error_correlation: float = 0.0,
) -> int | np.ndarray:
    """Score one or more models on a simulated held-out set; return how many each gets right.

    Each example gets a difficulty shared by every model scored on that set, plus noise of
    its own per model (a Gaussian copula): a model with true accuracy ``p`` gets example ``i``
    right when ``sqrt(rho) * z_i + sqrt(1 - rho) * e_im < Phi^-1(p)``, with ``rho`` the
    ``error_correlation``. So each model's count is ``Binomial(n, p)`` on its own, and models
    scored together tend to fail on the same hard examples -- as on a real shared eval set.
    ``error_correlation=0`` (the default) makes the models' errors independent -- the cautious
    assumption that :func:`difference_interval` and :func:`min_examples_to_detect` also make;
    larger values make them fail together on the hard examples, so the measured *difference*
    varies less from set to set. How large it is for your models only the eval itself tells.

    The same ``seed`` means the same held-out set: model *k*'s score does not depend on which
    other models are scored with it.

    Parameters
    ----------
    n_examples : int
        Held-out examples (whole number >= 1).
    true_accuracy : float or sequence of float
        Each model's accuracy on the whole population of inputs, fractions in [0, 1].
    seed : int
        Seed for ``numpy.random.default_rng`` (whole number >= 0).
    n_sets : int, optional
        Simulate this many independent held-out sets at once (whole number >= 1).
    error_correlation : float
        How strongly the models' errors fall on the same examples, in [0, 1].

    Returns
    -------
    int or ndarray of int
        Examples correct: an int for one model and one set; shape ``(models,)`` for several
        models; ``(n_sets,)`` or ``(n_sets, models)`` with ``n_sets``.

    Raises
    ------
    ValueError, TypeError
        For a bad count, accuracy, seed or correlation.

    Examples
    --------
    The crossover guide's sentiment midpoints, 90% prompted and 94.5% fine-tuned, on 100 held-out
    examples:

    >>> simulate_eval(100, [0.90, 0.945], seed=0).tolist()
    [93, 94]
    >>> simulate_eval(100, 0.90, seed=0)
    93
    """
    n = require_int("n_examples", n_examples, minimum=1, maximum=MAX_EVAL_CELLS,
                    limit_name="MAX_EVAL_CELLS")
    s = require_int("seed", seed, minimum=0)
    sets = None if n_sets is None else require_int("n_sets", n_sets, minimum=1,
                                                     maximum=MAX_EVAL_CELLS,
                                                     limit_name="MAX_EVAL_CELLS")
    rho = _scalar("error_correlation", error_correlation, require_fraction)
    acc = require_fraction("true_accuracy", true_accuracy)
    single_model = isinstance(acc, float)
    acc_arr = np.atleast_1d(np.asarray(acc, dtype=float))
    if acc_arr.ndim != 1 or acc_arr.size == 0:
        raise ValueError(f"true_accuracy must be a number or a 1-D list of numbers, got {short_repr(acc)}")
    thresholds = np.array([_threshold(p) for p in acc_arr])
    cells = n * (sets or 1) * (acc_arr.size + 1)
    if cells > MAX_EVAL_CELLS:
        raise ValueError(
            f"n_examples x n_sets x (models + 1) must be at most {MAX_EVAL_CELLS:,} "
            f"(MAX_EVAL_CELLS), got "
            f"{n:,} x {sets or 1:,} x {acc_arr.size + 1} = {cells:,}: use fewer n_examples "
            "or n_sets")

    rng = np.random.default_rng(s)
    shape = (n,) if sets is None else (sets, n)
    shared = rng.standard_normal(shape)
    own = rng.standard_normal((acc_arr.size, *shape))
    latent = math.sqrt(rho) * shared + math.sqrt(1 - rho) * own
    correct = (latent < thresholds.reshape((-1,) + (1,) * len(shape))).sum(axis=-1)
    correct = np.moveaxis(correct, 0, -1)  # models last
    if single_model:
        correct = correct[..., 0]
    return int(correct) if correct.ndim == 0 else correct.astype(int)


def _threshold(p: float) -> float:
    if p <= 0:
        return -math.inf
    if p >= 1:
        return math.inf
    return NormalDist().inv_cdf(p)


def measured_delta_spread(
    held_out_examples: Any,
    baseline_accuracy: float,
    finetuned_accuracy: float,
    n_sets: int = 1_000,
    seed: int = 0,
    error_correlation: float = 0.0,
) -> pd.DataFrame:
    """How much the *measured* gain varies from one held-out set to the next.

    For each held-out size, simulates ``n_sets`` held-out sets (:func:`simulate_eval`), scores
    both models on each, and summarises the measured ``fine-tuned - baseline`` difference.

    Parameters
    ----------
    held_out_examples : int or sequence of int
        Held-out set sizes to try (whole numbers >= 1).
    baseline_accuracy, finetuned_accuracy : float
        The models' true accuracies, fractions in [0, 1].
    n_sets : int
        Simulated held-out sets per size (whole number >= 1).
    seed : int
        Seed (whole number >= 0); the same seed gives the same table.
    error_correlation : float
        See :func:`simulate_eval`.

    Returns
    -------
    pandas.DataFrame
        One row per size: ``held_out_examples``, ``true_delta_pts``, the 5th, 50th and 95th
        percentiles of the measured delta (``measured_delta_pts_p5`` / ``_p50`` / ``_p95``,
        percentage points) and ``share_not_better`` (fraction of sets where the fine-tuned
        model scored no higher than the baseline).

    Examples
    --------
    The crossover guide's sentiment midpoints (90% vs 94.5%): on 100 held-out examples the truly better
    model fails to score higher on a noticeable share of sets; on 1,000 it almost never does.

    >>> t = measured_delta_spread([100, 1_000], 0.90, 0.945, n_sets=500)
    >>> bool(t.loc[0, "share_not_better"] > 0.05), bool(t.loc[1, "share_not_better"] < 0.01)
    (True, True)
    """
    import pandas as pd

    sizes = np.atleast_1d(as_number("held_out_examples", held_out_examples))
    if sizes.ndim != 1 or sizes.size == 0:
        raise ValueError("held_out_examples must be one or more sizes, got "
                         f"{short_repr(held_out_examples)}")
    if sizes.size > MAX_TABLE_ROWS:
        raise ValueError(f"held_out_examples must list at most {MAX_TABLE_ROWS:,} sizes "
                         f"(MAX_TABLE_ROWS), got {sizes.size:,}")
    whole = [require_int("held_out_examples", size, minimum=1, maximum=MAX_EVAL_CELLS,
                         limit_name="MAX_EVAL_CELLS") for size in sizes.tolist()]
    p_a = _scalar("baseline_accuracy", baseline_accuracy, require_fraction)
    p_b = _scalar("finetuned_accuracy", finetuned_accuracy, require_fraction)
    sets = require_int("n_sets", n_sets, minimum=1, maximum=MAX_EVAL_CELLS,
                       limit_name="MAX_EVAL_CELLS")
    if max(whole) * sets * 3 > MAX_EVAL_CELLS:
        raise ValueError(
            f"held_out_examples x n_sets x 3 must be at most {MAX_EVAL_CELLS:,} "
            f"(MAX_EVAL_CELLS), got {max(whole):,} x {sets:,} x 3: use smaller held-out sets "
            "or fewer n_sets")
    rows = []
    for n in whole:
        counts = simulate_eval(n, [p_a, p_b], seed, n_sets=n_sets,
                               error_correlation=error_correlation)
        delta_pts = 100 * (counts[:, 1] - counts[:, 0]) / n
        p5, p50, p95 = np.percentile(delta_pts, [5, 50, 95])
        rows.append({
            "held_out_examples": n,
            "true_delta_pts": 100 * (p_b - p_a),
            "measured_delta_pts_p5": float(p5),
            "measured_delta_pts_p50": float(p50),
            "measured_delta_pts_p95": float(p95),
            "share_not_better": float(np.mean(delta_pts <= 0)),
        })
    return pd.DataFrame(rows)


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
