"""Calculators for lesson 04 (quality-adjusted cost, eval noise) and the decision tree (lessons
04 and 06): each shows the helper's own result, and an invalid setting shows the message."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from ftroi_helpers import calculators
from ftroi_helpers.calculators.quality import eval_noise_outcome, quality_cost_outcome
from ftroi_helpers.calculators.rules_of_thumb import EVAL_ANSWERS, decision_tree_outcome
from ftroi_helpers.quality import (
    compare_evals,
    difference_interval,
    expected_cost_per_request,
    held_out_split,
    measured_delta_spread,
    min_examples_to_detect,
    quality_adjusted_comparison,
    smaller_model_matches,
    training_set_size,
)
from ftroi_helpers.rules_of_thumb import check_data_quality, decision_tree
from ftroi_helpers.selfcheck import grade_choice, questions

# -- quality_cost ---------------------------------------------------------------------------


def test_quality_cost_is_listed_with_the_other_calculators():
    assert {"quality_cost", "eval_noise", "decision_tree"} <= set(dir(calculators))


def test_quality_cost_default_shows_source_002_sentiment_comparison():
    # 002 sentiment midpoints (90% / 94.5%), 300,000 requests a month, gpt-4o-mini costs
    calc = calculators.quality_cost()
    expected = quality_adjusted_comparison(0.00015, 0.90, 0.00012, 0.945, 0.05, 300_000)
    assert calc.outcome.data["comparison"] == expected
    assert expected.summary() in calc.result_text
    assert calc.error is None


def test_quality_cost_result_follows_the_controls():
    calc = calculators.quality_cost()
    calc.set(prompt_cost_per_request_usd=0.0025, prompt_accuracy_pct=92,
             finetuned_cost_per_request_usd=0.000125, finetuned_accuracy_pct=90,
             usd_per_error=0.5, requests_per_month=100_000)
    expected = quality_adjusted_comparison(0.0025, 0.92, 0.000125, 0.90, 0.5, 100_000)
    assert calc.outcome.data["comparison"] == expected
    assert expected.cheaper == "prompting"
    assert calc.result_text.endswith(expected.summary())
    assert calc.result_text.startswith("Per correct answer: prompting $0.002717, fine-tuned "
                                       "$0.000139.")


def test_quality_cost_bars_are_moved_in_place_not_redrawn():
    calc = calculators.quality_cost()
    patches_before = list(calc.ax.patches)
    png_before = calc.image.value
    calc.set(usd_per_error=1.0)
    assert list(calc.ax.patches) == patches_before  # same artists
    comparison = calc.outcome.data["comparison"]
    table = comparison.table()
    calls = [bar.get_height() for bar in patches_before[:2]]
    errors = [bar.get_height() for bar in patches_before[2:]]
    assert calls == pytest.approx((table["cost_per_request_usd"] * 300_000).tolist())
    assert errors == pytest.approx((table["error_cost_per_request_usd"] * 300_000).tolist())
    assert [bar.get_y() for bar in patches_before[2:]] == pytest.approx(calls)
    assert calc.image.value != png_before
    assert calc.ax.get_title(loc="left").startswith("Fine-tuned is cheaper by")


def test_quality_cost_shows_the_message_for_an_invalid_cost():
    calc = calculators.quality_cost()
    calc.set(prompt_cost_per_request_usd=-0.001)
    assert calc.outcome is None
    assert calc.result_text == "prompt_cost_per_request_usd must be >= 0, got -0.001"
    assert "ftroi-error" in calc.message.value


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prompt_accuracy_pct": 0}, "prompt_accuracy_pct must be > 0, got 0"),
        ({"finetuned_accuracy_pct": 101}, "finetuned_accuracy_pct must be <= 100, got 101"),
        ({"prompt_accuracy_pct": -5}, "prompt_accuracy_pct must be >= 0, got -5"),
        ({"usd_per_error": -1}, "usd_per_error must be >= 0, got -1"),
    ],
)
def test_quality_cost_outcome_names_the_bad_control(kwargs, message):
    args = {"prompt_cost_per_request_usd": 0.00015, "prompt_accuracy_pct": 90,
            "finetuned_cost_per_request_usd": 0.00012, "finetuned_accuracy_pct": 94.5,
            "usd_per_error": 0.05, "requests_per_month": 300_000} | kwargs
    with pytest.raises(ValueError, match=message):
        quality_cost_outcome(**args)


def test_quality_cost_title_says_when_both_cost_the_same():
    out = quality_cost_outcome(0.001, 90, 0.001, 90, 0.05, 1_000)
    assert out.title == "Both cost the same once errors are priced in"


def test_quality_cost_with_no_requests_draws_an_empty_chart():
    calc = calculators.quality_cost()
    calc.set(requests_per_month=0)
    assert calc.ax.get_ylim() == (0.0, 1.0)
    assert all(bar.get_height() == 0 for bar in calc.ax.patches)


# -- eval_noise -----------------------------------------------------------------------------


def test_eval_noise_default_is_source_002_sentiment_gain_within_the_noise():
    # 002 sentiment: ~90% prompted, +3 points at the low end; 400 = 20% of 2,000 examples
    calc = calculators.eval_noise()
    expected = compare_evals(400, 360, 372)
    assert calc.outcome.data["comparison"] == expected
    assert calc.result_text.startswith(expected.summary())
    needed = min_examples_to_detect(0.90, 0.03)
    assert f"score about {needed:,} examples per model" in calc.result_text
    assert calc.ax.get_title(loc="left") == \
        "Within the noise on 400 examples: no claim either way"


def test_eval_noise_on_more_examples_is_distinguishable_and_moves_the_error_bars():
    calc = calculators.eval_noise()
    lines_before = list(calc.ax.lines)
    calc.set(held_out_examples=5_000)
    c = calc.outcome.data["comparison"]
    assert c == compare_evals(5_000, 4_500, 4_650)
    assert c.distinguishable
    assert "score about" not in calc.result_text
    assert list(calc.ax.lines) == lines_before
    # The figure shows the interval of the difference (what the verdict rests on), not two
    # separate intervals that invite the overlap fallacy.
    bar, dot = lines_before[0], lines_before[1]
    assert list(bar.get_xdata()) == pytest.approx([100 * x for x in c.difference_interval])
    assert list(dot.get_xdata()) == pytest.approx([3.0])
    assert calc.ax.get_xlim()[0] < 100 * c.difference_interval[0]
    lo, hi = (100 * x for x in c.difference_interval)
    assert f"interval from {lo:+.1f} to {hi:+.1f} points" in calc.alt_text
    assert "excludes zero" in calc.alt_text
    assert calc.ax.get_title(loc="left").startswith("3.0 points apart: beyond the noise")


def test_eval_noise_rounds_accuracies_to_whole_examples():
    out = eval_noise_outcome(333, 90, 93)
    assert out.data["comparison"] == compare_evals(333, 300, 310)


def test_eval_noise_without_a_gain_suggests_no_sample_size():
    assert "score about" not in eval_noise_outcome(400, 93, 90).sentence


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"held_out_examples": 0}, ValueError, "held_out_examples must be >= 1, got 0"),
        ({"held_out_examples": 10.5}, TypeError, "held_out_examples must be a whole number"),
        ({"baseline_accuracy_pct": 120}, ValueError,
         "baseline_accuracy_pct must be <= 100, got 120"),
        ({"finetuned_accuracy_pct": [90]}, TypeError,
         "finetuned_accuracy_pct must be a single number"),
    ],
)
def test_eval_noise_outcome_names_the_bad_control(kwargs, error, message):
    args = {"held_out_examples": 400, "baseline_accuracy_pct": 90,
            "finetuned_accuracy_pct": 93} | kwargs
    with pytest.raises(error, match=message):
        eval_noise_outcome(**args)


def test_eval_noise_accepts_0_and_100_percent():
    out = eval_noise_outcome(100, 0, 100)
    assert out.data["comparison"].distinguishable


# -- decision_tree --------------------------------------------------------------------------


def test_decision_tree_calculator_default_stops_at_question_5():
    calc = calculators.decision_tree()
    expected = decision_tree(10_000, 500, 8.0, False, None)
    assert calc.result_text == expected.summary()
    assert calc.path == expected.path
    assert len(calc.path) == 5
    assert "ftroi-path" in calc.path_box._dom_classes
    for step in expected.path:
        assert html.escape(step) in calc.path_box.value


@pytest.mark.parametrize(
    ("values", "args"),
    [
        ({"requests_per_day": 1_000}, (1_000, 500, 8.0, False, None)),
        ({"labeled_examples": 99}, (10_000, 99, 8.0, False, None)),
        ({"quality_gap_pct": 5}, (10_000, 500, 5, False, None)),
        ({"format_or_style_task": True}, (10_000, 500, 8.0, True, None)),
        ({"finetune_improves_eval": "yes"}, (10_000, 500, 8.0, False, True)),
        ({"finetune_improves_eval": "no"}, (10_000, 500, 8.0, False, False)),
    ],
)
def test_decision_tree_calculator_shows_the_helpers_answer(values, args):
    calc = calculators.decision_tree()
    calc.set(**values)
    expected = decision_tree(*args)
    assert calc.result_text == expected.summary()
    assert calc.path == expected.path
    assert calc.outcome.data["decision"] == expected


def test_decision_tree_calculator_shows_the_message_for_a_fractional_example_count():
    calc = calculators.decision_tree()
    calc.set(labeled_examples=99.5)
    assert calc.result_text == "labeled_examples must be a whole number, got 99.5"
    assert calc.path == []
    assert calc.path_box.value == ""
    calc.set(labeled_examples=500)
    assert calc.path  # recovers


def test_decision_tree_calculator_shows_the_message_for_negative_volume():
    calc = calculators.decision_tree()
    calc.set(requests_per_day=-10)
    assert calc.result_text == "requests_per_day must be >= 0, got -10"


def test_decision_tree_builder_accepts_true_false_none_for_question_5():
    assert calculators.decision_tree(finetune_improves_eval=True).result_text == \
        decision_tree(10_000, 500, 8.0, False, True).summary()
    assert calculators.decision_tree(finetune_improves_eval=None).controls[
        "finetune_improves_eval"].value == "unknown (no eval yet)"
    with pytest.raises(ValueError, match="finetune_improves_eval must be one of"):
        calculators.decision_tree(finetune_improves_eval="maybe")


def test_decision_tree_outcome_rejects_an_unknown_answer():
    with pytest.raises(ValueError, match="finetune_improves_eval must be one of"):
        decision_tree_outcome(10_000, 500, 8, False, "perhaps")
    assert set(EVAL_ANSWERS.values()) == {None, True, False}


def test_decision_tree_calculator_has_no_figure():
    calc = calculators.decision_tree()
    assert calc.fig is None
    assert calc.image not in calc.children


# -- lesson 04 and its self-check questions: what the text says is what the helpers compute --

LESSON = Path(__file__).resolve().parents[2] / "lessons" / "04_eval_baselines.ipynb"


def test_lesson_04_is_committed_clean():
    nb = json.loads(LESSON.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_lesson_04_calls_the_lesson_calculators_and_asks_every_l4_question():
    text = LESSON.read_text(encoding="utf-8")
    assert "calculators.eval_noise()" in text and "calculators.quality_cost()" in text
    asked = sorted(set(re.findall(r'ask\(\\"(L4\.\d)\\"\)', text)))
    assert asked == sorted(q for q in questions() if q.startswith("L4."))


def test_l4_1_a_3_point_gain_on_100_examples_is_within_the_noise():
    comparison = compare_evals(100, 90, 93)
    assert not comparison.distinguishable
    assert comparison.difference_interval[0] < 0 < 0.03 < comparison.difference_interval[1]
    assert min_examples_to_detect(0.90, 0.03) > 1_000  # "well over a thousand"
    assert grade_choice("L4.1", "A").correct
    assert "within the sampling noise" in questions()["L4.1"]["choices"]["A"]


def test_l4_3_errors_included_the_fine_tuned_model_is_cheaper_per_request():
    prompted = expected_cost_per_request(0.00015, 0.90, 0.05)
    tuned = expected_cost_per_request(0.00012, 0.945, 0.05)
    assert round(prompted, 5) == 0.00515 and round(tuned, 5) == 0.00287
    assert (prompted - 0.00015) - (tuned - 0.00012) == pytest.approx(0.00225)
    assert grade_choice("L4.3", "D").correct
    assert f"USD {(prompted - tuned):.4f}" in questions()["L4.3"]["choices"]["D"]


def test_l4_4_and_lesson_section_6_one_point_behind_on_400_examples_cannot_be_settled():
    assert smaller_model_matches(368, 364, 400, tolerance=0.03).verdict == "can't tell yet"
    assert difference_interval(368, 400, 364, 400)[0] < -0.03
    assert smaller_model_matches(1_840, 1_820, 2_000, tolerance=0.03).matches
    assert grade_choice("L4.4", "B").correct
    assert questions()["L4.4"]["choices"]["B"].startswith("Can't tell yet")


def test_l4_wrong_choices_are_marked_wrong():
    for qid, right in (("L4.1", "A"), ("L4.2", "B"), ("L4.3", "D"), ("L4.4", "B")):
        for letter in questions()[qid]["choices"]:
            assert grade_choice(qid, letter).correct is (letter == right)


def test_lesson_04_section_2_small_gains_need_more_than_the_largest_set_holds_out():
    # 002: sentiment +3-6 points over ~90%; style transfer +12 over ~75%; 2,000-example sets
    held_out = held_out_split(2_000)[1]
    assert min_examples_to_detect(0.90, 0.03) > held_out
    assert min_examples_to_detect(0.75, 0.12) < held_out / 2


def test_lesson_04_section_4_errors_are_most_of_the_monthly_bill():
    table = quality_adjusted_comparison(0.00015, 0.90, 0.00012, 0.945, 0.05, 300_000).table()
    calls = table["cost_per_request_usd"] * 300_000
    assert (calls < 0.1 * table["usd_per_month"]).all()


def test_lesson_04_section_5_holding_out_20_percent_moves_500_examples_down_a_band():
    assert training_set_size(500).label == "500-2,000 examples"
    assert training_set_size(held_out_split(500)[0]).label == "100-500 examples"
    assert training_set_size(held_out_split(2_000)[0]).label == "500-2,000 examples"


def test_lesson_04_try_it_3_exactly_95_percent_labels_fails_and_5_percent_duplicates_pass():
    table = check_data_quality(0.95, True, 0.15, True, 0, 0.05)
    assert table.loc[~table["passed"], "criterion"].tolist() == ["Label accuracy"]


def test_lesson_04_try_it_4_shared_mistakes_make_fewer_sets_misleading():
    alone = measured_delta_spread(100, 0.90, 0.945, n_sets=1_000, seed=0)
    shared = measured_delta_spread(100, 0.90, 0.945, n_sets=1_000, seed=0, error_correlation=0.8)
    assert shared.loc[0, "share_not_better"] < alone.loc[0, "share_not_better"]
