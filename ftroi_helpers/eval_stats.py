"""Held-out evaluation statistics: how many examples to hold out, and how sure a measured
accuracy or a difference between two models is.

:func:`held_out_split`, the Wilson interval :func:`accuracy_interval`, the Newcombe interval for a
difference :func:`difference_interval`, :func:`compare_evals`, :func:`min_examples_to_detect`,
and a seeded simulation of scoring models on the same held-out set (:func:`simulate_eval`,
:func:`measured_delta_spread`). Accuracies are fractions (0.93 = 93%). :mod:`ftroi_helpers.quality`
re-exports every name, so ``from ftroi_helpers.quality import accuracy_interval`` still works.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
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
    require_fraction,
    require_int,
    require_nonnegative,
    short_repr,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "HELD_OUT_MINIMUM_FRACTION",
    "MAX_EXACT_COUNT",
    "EvalComparison",
    "accuracy_interval",
    "compare_evals",
    "difference_interval",
    "held_out_split",
    "measured_delta_spread",
    "min_examples_to_detect",
    "simulate_eval",
]

#: The largest count a float holds exactly (2**53): counts beyond it cannot be split exactly.
MAX_EXACT_COUNT = 2**53

#: The crossover guide, "Common Fine-Tuning Mistakes": "Hold out 20% of data for evaluation minimum".
HELD_OUT_MINIMUM_FRACTION = 0.2


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
