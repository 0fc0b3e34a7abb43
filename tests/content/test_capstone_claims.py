"""Lesson 06 says only what its own numbers support (issue 12).

The capstone's text, figure and calculator report the same things: the payback at the point
values; P(payback within 3 months), P(payback within 12 months) and P(ahead at month 12); and the
assumptions that drive the spread. Its statements are checked here against the probabilities the
package computes: a text that says fine-tuning "pays back within a quarter" while fewer than half
of the draws do fails. Lessons 03, 05 and 06 share one realistic scenario, defined in the package.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ftroi_helpers.capstone import CapstoneAnswer, capstone_answer
from ftroi_helpers.cost_model import REALISTIC, replace
from ftroi_helpers.sensitivity import REALISTIC_RANGES

ROOT = Path(__file__).resolve().parents[2]
LESSON_06 = ROOT / "lessons" / "06_decide.ipynb"
SHARED = ["03_cost_curves", "05_retraining_and_drift", "06_decide"]

#: A claim that fine-tuning pays back within the quarter, and one that it is likely or unlikely.
PAYS_BACK = re.compile(r"\bpays? back (?:with)?in (?:a|the) (?:first )?(?:quarter|3 months)\b", re.I)
LIKELY = re.compile(r"\bpayback within (?:a|the) quarter is (likely|unlikely)\b", re.I)
#: Words just before a claim that make it a question or a negation, not a claim.
NOT_A_CLAIM = re.compile(r"(?:\bnot|n't|\bwhether|\bif|\bwould|\bdoes|\bcan|\bto)\s+(?:\w+\s+){0,2}$",
                         re.I)


def unsupported_claims(text: str, answer: CapstoneAnswer) -> list[str]:
    """The claims in ``text`` that ``answer``'s probabilities do not support."""
    found = []
    for m in PAYS_BACK.finditer(text):
        before = text[max(0, m.start() - 40):m.start()]
        end = re.search(r"[.?!]", text[m.end():])
        question = end is not None and end.group(0) == "?"
        if NOT_A_CLAIM.search(before) or question:
            continue
        if answer.p_within_deadline < 0.5:
            found.append(f"{m.group(0)!r} while P(<= 3 months) is "
                         f"{answer.p_within_deadline:.0%}")
    for m in LIKELY.finditer(text):
        likely = m.group(1).lower() == "likely"
        if likely != (answer.p_within_deadline >= 0.5):
            found.append(f"{m.group(0)!r} while P(<= 3 months) is "
                         f"{answer.p_within_deadline:.0%}")
    return found


@pytest.fixture(scope="module")
def lesson_answer() -> CapstoneAnswer:
    # Exactly what lesson 06's Step 3 computes (and the capstone calculator shows).
    return capstone_answer(REALISTIC, REALISTIC_RANGES, n_draws=10_000, seed=0)


def _with(answer: CapstoneAnswer, p: float) -> CapstoneAnswer:
    return dataclasses.replace(answer, p_within_deadline=p)


def cells(name: str) -> list[dict]:
    return json.loads((ROOT / "lessons" / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]


# -- the checker itself can fail --------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "Made realistic, it still pays back within a quarter at its point values.",
    "Fine-tuning pays back within the quarter.",
    "Payback within the quarter is likely.",
])
def test_a_quarter_claim_fails_when_fewer_than_half_of_the_draws_pay_back(text, lesson_answer):
    assert unsupported_claims(text, _with(lesson_answer, 0.34))
    assert not unsupported_claims(text, _with(lesson_answer, 0.6))


@pytest.mark.parametrize("text", [
    "Does fine-tuning pay back within a quarter?",
    "whether it pays back within a quarter, and which assumptions dominate",
    "It does not pay back within the quarter.",
])
def test_questions_and_negations_are_not_claims(text, lesson_answer):
    assert not unsupported_claims(text, _with(lesson_answer, 0.0))


def test_calling_a_likely_payback_unlikely_fails_too(lesson_answer):
    assert unsupported_claims("Payback within the quarter is unlikely.", _with(lesson_answer, 0.8))


# -- lesson 06 against its own numbers --------------------------------------------------------

def test_lesson_06_prose_claims_nothing_its_probabilities_do_not_support(lesson_answer):
    prose = "\n".join("".join(c["source"]) for c in cells("06_decide")
                      if c["cell_type"] == "markdown")
    assert not unsupported_claims(prose, lesson_answer)


@pytest.mark.parametrize("changes", [{}, {"replicas": 1, "data_prep_usd": 250.0,
                                           "engineering_usd_per_month": 0.0,
                                           "launch_delay_months": 0}])
def test_the_generated_answer_agrees_with_its_own_probabilities(changes):
    a = capstone_answer(replace(REALISTIC, **changes), REALISTIC_RANGES, n_draws=3_000)
    assert not unsupported_claims(a.text(), a)
    word = "likely" if a.p_within_deadline >= 0.5 else "unlikely"
    assert f"Payback within the quarter is {word}" in a.text()


def test_the_text_and_the_figure_title_report_the_same_numbers(lesson_answer):
    from ftroi_helpers.sensitivity import share_text

    text, title = lesson_answer.text(), lesson_answer.title()
    for p in (lesson_answer.p_within_deadline, lesson_answer.p_within_year,
              lesson_answer.p_ahead_at_horizon):
        assert share_text(p) in text and share_text(p) in title
    assert f"month {lesson_answer.payback_month}" in text
    assert f"month {lesson_answer.payback_month}" in title


def test_lesson_06_reports_text_figure_and_calculator_from_one_answer():
    code = "\n".join("".join(c["source"]) for c in cells("06_decide") if c["cell_type"] == "code")
    assert "answer = capstone_answer(REALISTIC, REALISTIC_RANGES, n_draws=10_000, seed=0)" in code
    assert "print(answer.text())" in code and "capstone_figure(answer)" in code
    assert "calculators.capstone()" in code     # starts at REALISTIC: the same numbers


@pytest.mark.parametrize("name", SHARED)
def test_lessons_03_05_06_use_the_packages_realistic_scenario(name):
    code = "\n".join("".join(c["source"]) for c in cells(name) if c["cell_type"] == "code")
    assert re.search(r"\bimport\b[^\n]*\bREALISTIC\b|\(\s*REALISTIC\b|REALISTIC,", code), name
    # no lesson builds a "realistic" scenario of its own (lesson 05 had USD 2,500 of data
    # preparation where lesson 06 had USD 250)
    assert not re.search(r"(?i)^\s*realistic\s*=", code, re.M), name


def test_a_training_cost_is_computed_in_the_lessons_not_taken_from_a_quote():
    code = "\n".join("".join(c["source"]) for name in SHARED for c in cells(name)
                     if c["cell_type"] == "code")
    assert "training_cost_tokens(" in code and "training_cost_gpu(" in code


# -- honest ranges: what lesson 06 and erratum 10 say about the tornado (issue 20, item 6) -----
def test_lesson_06_and_erratum_10_rank_data_preparation_below_the_five_they_name():
    from ftroi_helpers.sensitivity import tornado

    savings = tornado(REALISTIC, REALISTIC_RANGES, metric="net_savings_usd")
    order = list(savings["assumption"])
    five = ["requests_per_month", "hosted_cost_per_1k_req", "engineering_usd_per_month",
            "replicas", "hosting_usd_per_month"]
    assert set(order[:5]) == set(five)
    assert order.index("data_prep_usd") > 4
    payback = tornado(REALISTIC, REALISTIC_RANGES).set_index("assumption")
    assert payback.loc["data_prep_usd", "payback_months_at_high"] is pd.NA  # never, not 12
    prose = " ".join("\n".join("".join(c["source"]) for c in cells("06_decide")
                               if c["cell_type"] == "markdown").split())
    assert ("Volume and the hosted price move the savings most, then engineering time, replicas "
            "and the GPU fee; data preparation is further down the list") in prose
    errata = (ROOT / "lessons" / "sources.md").read_text(encoding="utf-8")
    row = next(line for line in errata.splitlines() if line.startswith("| 10 |"))
    assert "volume, the hosted price, engineering time, replicas and the GPU fee each move" in row
    assert "never pays back within the year" in row


def test_lesson_06_says_the_point_values_are_medians_and_the_switch_happens_in_half_the_draws():
    from ftroi_helpers.sensitivity import REALISTIC_CHANCES

    a = capstone_answer(REALISTIC, REALISTIC_RANGES, n_draws=10_000, seed=0)
    prose = " ".join("\n".join("".join(c["source"]) for c in cells("06_decide")
                               if c["cell_type"] == "markdown").split())
    assert "**median** of its draws" in prose
    assert REALISTIC_CHANCES["model_switch_month"] == 0.5 and "in half the draws" in prose
    switched = a.monte_carlo.draws["model_switch_month"] > 0
    assert 0.48 <= switched.mean() <= 0.52
    # "the mean saving over the draws is well below the saving at the point values"
    assert "the mean saving over the draws is well below the saving at the point values" in prose
    assert a.mean_net_savings_usd < a.net_savings_usd - 1_000


# -- the option to stop, the serving stack and the cheapest hosted option (items 5 and 7) --------
def _prose_06() -> str:
    return " ".join("\n".join("".join(c["source"]) for c in cells("06_decide")
                              if c["cell_type"] == "markdown").split())


def test_lesson_06_shows_both_policies_and_what_it_says_of_them_holds():
    from ftroi_helpers.capstone import SERVING_BUILD_RANGE_USD, SERVING_BUILD_USD

    build_ranges = {**REALISTIC_RANGES, "serving_build_usd": SERVING_BUILD_RANGE_USD}
    with_build = replace(REALISTIC, serving_build_usd=SERVING_BUILD_USD)
    for s, ranges in ((REALISTIC, REALISTIC_RANGES), (with_build, build_ranges)):
        keep = capstone_answer(s, ranges, n_draws=10_000, seed=0)
        stop = capstone_answer(replace(s, stop_finetune_when_hosted_cheaper=True), ranges,
                               n_draws=10_000, seed=0)
        # "Stopping never leaves the fine-tune further behind ... raises the chance of being ahead
        # at month 12; it cannot rescue the quarter"
        assert stop.net_savings_usd >= keep.net_savings_usd
        assert np.all(stop.monte_carlo.net_savings_usd >= keep.monte_carlo.net_savings_usd - 1e-6)
        assert stop.p_ahead_at_horizon > keep.p_ahead_at_horizon
        assert stop.p_within_deadline == keep.p_within_deadline
    # "The serving stack's build alone moves the payback at the point values out of the year"
    assert capstone_answer(REALISTIC, REALISTIC_RANGES, n_draws=200).payback_month is not None
    assert capstone_answer(with_build, build_ranges, n_draws=200).payback_month is None
    prose = _prose_06()
    assert "Stopping never leaves the fine-tune further behind than keeping the GPUs" in prose
    assert f"three engineer-days (USD {SERVING_BUILD_USD:,.0f})" in prose
    # three days at USD 100 an hour (engineering_usd_per_month's 500 for about 5 hours)
    assert SERVING_BUILD_USD == 3 * 8 * 100
    assert SERVING_BUILD_RANGE_USD == (1 * 8 * 100, 10 * 8 * 100)


def test_lesson_06_says_when_the_cheapest_hosted_option_is_the_answer_and_it_is():
    from ftroi_helpers.capstone import hosted_baseline
    from ftroi_helpers.cost_model import tco

    gpus = REALISTIC.hosting_usd_per_month * REALISTIC.replicas
    for batch in (False, True):
        cheap = hosted_baseline(REALISTIC, batch=batch)
        assert cheap.prompting_usd_per_month < gpus   # "below what the GPUs alone cost"
        assert tco(cheap).payback_month is None         # "no fine-tune ... can pay back"
    assert ("If a prompted small model meets your quality bar, it is the answer, not fine-tuning"
            in _prose_06())
    assert "8B model with a LoRA adapter" in _prose_06()


def test_the_cheapest_hosted_request_follows_the_price_rows_cache_rule():
    from ftroi_helpers.capstone import hosted_baseline
    from ftroi_helpers.prices import token_prices

    mini = token_prices("gpt-4o-mini-2024-07-18")
    # 1,500-token prefix: 1,024 + 3 x 128 = 1,408 tokens cached at USD 0.075, 592 at 0.15,
    # 1,000 output at 0.60 (prices.csv, 2024-10-01)
    per_1k = (1_408 * 0.075 + 592 * 0.15 + 1_000 * 0.60) / 1_000
    assert (mini.cache_min_tokens, mini.cache_increment_tokens) == (1_024, 128)
    assert hosted_baseline(REALISTIC).hosted_cost_per_1k_req == pytest.approx(per_1k)
    assert hosted_baseline(REALISTIC, batch=True).hosted_cost_per_1k_req == pytest.approx(
        per_1k / 2)
    # a prefix below the minimum is not cached at all
    assert hosted_baseline(REALISTIC, cached_prefix_tokens=800).hosted_cost_per_1k_req == \
        pytest.approx((2_000 * 0.15 + 1_000 * 0.60) / 1_000)


def test_exercise_e6_2s_solution_says_what_launching_at_once_does_to_the_quarter():
    at_once = capstone_answer(replace(REALISTIC, launch_delay_months=0), REALISTIC_RANGES,
                              n_draws=10_000, seed=0)
    step_3 = capstone_answer(REALISTIC, REALISTIC_RANGES, n_draws=10_000, seed=0)
    # "More than Step 3's answer, but still a small share of the draws"
    assert step_3.p_within_deadline < at_once.p_within_deadline < 0.25
    assert "More than Step 3's answer, but still a small share of the draws" in _prose_06()
