"""How many held-out examples a gain needs when both models are scored on the same examples.

:func:`~ftroi_helpers.quality.min_examples_to_detect` sizes an eval as if the two models' scores
were independent samples. Scored on the **same** examples, only the examples on which the two
models disagree (the *discordant* pairs) carry information about the difference, and McNemar's
test on those pairs needs fewer examples, by how much depending on how often the models disagree.
The sample size for McNemar's test (Connor, 1987, "Sample size for testing differences in
proportions for the paired-sample design", Biometrics 43: 207-211), with ``psi`` the share of
discordant examples and ``delta`` the gain::

    n = (z_a * sqrt(psi) + z_b * sqrt(psi - delta**2))**2 / delta**2

The fewest possible disagreements are ``psi = delta`` (the fine-tune fixes ``delta`` of the
examples and breaks none); independent errors give ``psi = p1 (1 - p2) + p2 (1 - p1)``, and then
pairing saves almost nothing. How often your models disagree only the eval itself tells.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

from .validation import TooLargeError, as_number, require_fraction, short_repr

__all__ = ["discordant_share_if_independent", "min_examples_to_detect_paired"]


def _fraction(name: str, value: Any, *, open_low: bool = True, open_high: bool = True) -> float:
    x = require_fraction(name, value, allow_zero=not open_low)
    if not isinstance(x, float):
        raise TypeError(f"{name} must be a single number, got {short_repr(value)}")
    if open_high and x >= 1:
        raise ValueError(f"{name} must be between 0 and 1 (exclusive), got {short_repr(value)}")
    return x


def discordant_share_if_independent(baseline_accuracy: float, delta: float) -> float:
    """Share of examples on which two models with independent errors disagree.

    ``p1 (1 - p2) + p2 (1 - p1)`` with ``p1`` the baseline's accuracy and ``p2 = p1 + delta``.

    >>> round(discordant_share_if_independent(0.90, 0.03), 3)
    0.156
    """
    p1 = _fraction("baseline_accuracy", baseline_accuracy)
    d = _fraction("delta", delta)
    if p1 + d > 1 + 1e-12:
        raise ValueError(f"delta must be <= 1 - baseline_accuracy ({1 - p1:g}), got "
                         f"{short_repr(delta)}")
    p2 = min(p1 + d, 1.0)
    return p1 * (1 - p2) + p2 * (1 - p1)


def min_examples_to_detect_paired(
    baseline_accuracy: float,
    delta: float,
    discordant_share: float | None = None,
    confidence: float = 0.95,
    power: float = 0.8,
) -> int:
    """Held-out examples (one set, both models scored on it) to detect a gain of ``delta``.

    McNemar's test on paired scores (Connor's sample size, see the module's docstring).

    Parameters
    ----------
    baseline_accuracy : float
        The prompted baseline's accuracy, strictly between 0 and 1.
    delta : float
        The gain to detect, as a fraction (0.03 = 3 points); > 0 and at most
        ``1 - baseline_accuracy``.
    discordant_share : float, optional
        Share of examples on which the two models disagree: at least ``delta`` (the fine-tune
        fixes ``delta`` of the examples and breaks none), at most what the counts allow (the
        fine-tune fixes ``(psi + delta) / 2``, no more than the baseline gets wrong). None (the
        default): the share if the two models' errors were independent,
        :func:`discordant_share_if_independent`.
    confidence : float
        1 minus the false-alarm rate, strictly between 0 and 1 (default 0.95; two-sided).
    power : float
        Chance of detecting a real gain of ``delta``, strictly between 0 and 1 (default 0.8).

    Returns
    -------
    int
        Held-out examples, rounded up: one set, scored by both models.

    Raises
    ------
    ValueError, TypeError
        For a value outside those ranges, naming it.

    Examples
    --------
    A 3-point gain over a 90 % baseline. With independent errors pairing saves nothing (the
    unpaired size is 1,356); if the models disagree on 6 % of examples, 521; if the fine-tune
    only fixes the baseline's errors (3 % disagree), 260:

    >>> min_examples_to_detect_paired(0.90, 0.03)
    1359
    >>> min_examples_to_detect_paired(0.90, 0.03, discordant_share=0.06)
    521
    >>> min_examples_to_detect_paired(0.90, 0.03, discordant_share=0.03)
    260
    >>> min_examples_to_detect_paired(0.90, 0.03, discordant_share=0.02)
    Traceback (most recent call last):
    ...
    ValueError: discordant_share must be >= delta (0.03): the models disagree at least on the examples the gain comes from, got 0.02
    """
    p1 = _fraction("baseline_accuracy", baseline_accuracy)
    d = _fraction("delta", delta)
    if p1 + d > 1 + 1e-12:
        raise ValueError(f"delta must be <= 1 - baseline_accuracy ({1 - p1:g}), got "
                         f"{short_repr(delta)}")
    conf = _fraction("confidence", confidence)
    pw = _fraction("power", power)
    if discordant_share is None:
        psi = discordant_share_if_independent(p1, d)
    else:
        psi = _fraction("discordant_share", discordant_share, open_high=False)
        if psi < d - 1e-12:
            raise ValueError(f"discordant_share must be >= delta ({d:g}): the models disagree at "
                             "least on the examples the gain comes from, got "
                             f"{short_repr(discordant_share)}")
        # the fine-tune fixes (psi + delta) / 2 of the examples (at most the baseline's errors)
        # and breaks (psi - delta) / 2 (at most the baseline's correct answers)
        most = min(2 * (1 - p1) - d, 2 * p1 + d)
        if psi > most + 1e-12:
            raise ValueError(f"discordant_share must be <= {most:g} (the fine-tune cannot fix more "
                             "than the baseline gets wrong), got "
                             f"{short_repr(discordant_share)}")
    z_a = NormalDist().inv_cdf(1 - (1 - conf) / 2)
    z_b = NormalDist().inv_cdf(pw)
    root = z_a * math.sqrt(psi) + z_b * math.sqrt(max(psi - d * d, 0.0))
    n = (root / d) ** 2 if root / d < 1e154 else math.inf
    if n > 2**53:
        raise TooLargeError(
            f"the held-out examples needed are too many to count (over 9e15) for delta="
            f"{short_repr(as_number('delta', d))}: detect a larger delta")
    return math.ceil(round(n, 9))
