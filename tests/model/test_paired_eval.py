"""Paired eval size (McNemar): erratum 7's 1,356 assumes independent scores (issue 20, item 3)."""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import pytest

from ftroi_helpers.paired_eval import discordant_share_if_independent, min_examples_to_detect_paired
from ftroi_helpers.quality import min_examples_to_detect


def _connor(psi: float, delta: float) -> float:
    # Connor (1987), Biometrics 43: 207-211, at 95 % (two-sided) and 80 % power
    z_a, z_b = NormalDist().inv_cdf(0.975), NormalDist().inv_cdf(0.8)
    return (z_a * math.sqrt(psi) + z_b * math.sqrt(psi - delta**2)) ** 2 / delta**2


@pytest.mark.parametrize("psi", [0.03, 0.045, 0.06, 0.09, 0.12])
def test_the_paired_size_is_connors_formula_rounded_up(psi):
    assert min_examples_to_detect_paired(0.90, 0.03, psi) == math.ceil(_connor(psi, 0.03))


def test_with_independent_errors_pairing_saves_almost_nothing():
    # erratum 7: 1,356 per model for +3 points over 90 % (the two-proportion size)
    independent = min_examples_to_detect_paired(0.90, 0.03)
    assert discordant_share_if_independent(0.90, 0.03) == pytest.approx(0.9 * 0.07 + 0.93 * 0.1)
    assert abs(independent - min_examples_to_detect(0.90, 0.03)) <= 5


def test_models_that_disagree_rarely_need_far_fewer_paired_examples():
    fewest = min_examples_to_detect_paired(0.90, 0.03, discordant_share=0.03)
    assert fewest < min_examples_to_detect(0.90, 0.03) / 5
    sizes = [min_examples_to_detect_paired(0.90, 0.03, x) for x in (0.03, 0.06, 0.09, 0.12)]
    assert sizes == sorted(sizes)  # more disagreement, more examples


def test_a_paired_sample_of_the_computed_size_detects_the_gain_about_80_percent_of_the_time():
    # simulate McNemar's test on n paired examples: 4.5 % fixed, 1.5 % broken (psi 6 %, +3 points)
    n = min_examples_to_detect_paired(0.90, 0.03, 0.06)
    rng = np.random.default_rng(0)
    fixed = rng.binomial(n, 0.045, size=20_000)
    broken = rng.binomial(n, 0.015, size=20_000)
    z = (fixed - broken) / np.sqrt(np.maximum(fixed + broken, 1))
    assert 0.77 <= np.mean(z > 1.96) <= 0.85


@pytest.mark.parametrize("kwargs, name", [
    ({"discordant_share": 0.02}, "discordant_share must be >= delta"),
    ({"discordant_share": 0.5}, "discordant_share must be <="),
    ({"confidence": 1.0}, "confidence"),
    ({"power": 0}, "power"),
])
def test_a_bad_argument_is_refused_by_name(kwargs, name):
    with pytest.raises(ValueError, match=name):
        min_examples_to_detect_paired(0.90, 0.03, **kwargs)


def test_a_gain_beyond_the_baselines_errors_is_refused():
    with pytest.raises(ValueError, match="delta must be <= 1 - baseline_accuracy"):
        min_examples_to_detect_paired(0.90, 0.15)
