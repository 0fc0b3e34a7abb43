"""Rules of thumb for prompting vs fine-tuning: source 002's volume bands, decision tree and
data-quality checklist, and source 001's tokens-per-month rule."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ftroi_helpers import rules_of_thumb
from ftroi_helpers.rules_of_thumb import (
    DATA_QUALITY_CHECKLIST,
    DECISION_TREE,
    RUN_THE_EVAL_REASON,
    TOKEN_RULES,
    VOLUME_BANDS,
    check_data_quality,
    decision_tree,
    decision_tree_table,
    token_rules_table,
    tokens_per_month_rule,
    volume_band,
    volume_bands_table,
)

SETTINGS = settings(derandomize=True, database=None, deadline=None, max_examples=150)

# -- volume bands (002_44dbb0b6dad16d21.txt, "The Volume Decision") ---------------------------


@pytest.mark.parametrize(
    ("requests_per_day", "label", "recommendation"),
    [
        # 002: "<100 | Prompt engineering | Training cost never recovers at this volume"
        (50, "<100 requests/day", "Prompt engineering"),
        # 002: "100-1,000 | Prompt engineering (usually)"
        (500, "100-1,000 requests/day", "Prompt engineering (usually)"),
        # 002: "1,000-10,000 | Evaluate both"
        (5_000, "1,000-10,000 requests/day", "Evaluate both"),
        # 002: "10,000-100,000 | Fine-tune (usually)"
        (50_000, "10,000-100,000 requests/day", "Fine-tune (usually)"),
        # 002: ">100,000 | Fine-tune + prompt optimization"
        (250_000, ">100,000 requests/day", "Fine-tune + prompt optimization"),
    ],
)
def test_source_002_volume_band_inside_each_band(requests_per_day, label, recommendation):
    band = volume_band(requests_per_day)
    assert (band.label, band.recommendation) == (label, recommendation)


def test_source_002_volume_band_reasons_are_the_sources_words():
    # 002: "Fine-tune only if quality delta >5% AND error cost is high"
    assert volume_band(500).why == "Fine-tune only if quality delta >5% AND error cost is high"
    # 002: "Run quality comparison; fine-tune if delta >3%"
    assert volume_band(5_000).why == "Run quality comparison; fine-tune if delta >3%"
    # 002: "Token savings alone justify training cost within weeks"
    assert volume_band(20_000).why == "Token savings alone justify training cost within weeks"


@pytest.mark.parametrize(
    ("requests_per_day", "label"),
    [
        (0, "<100 requests/day"),
        (99.999, "<100 requests/day"),
        (100, "100-1,000 requests/day"),  # "<100" is strict, so 100 is in the next band
        (1_000, "100-1,000 requests/day"),  # agrees with the tree's ">1,000" at exactly 1,000
        (1_000.001, "1,000-10,000 requests/day"),
        (10_000, "1,000-10,000 requests/day"),
        (10_001, "10,000-100,000 requests/day"),
        (100_000, "10,000-100,000 requests/day"),  # ">100,000" is strict
        (100_001, ">100,000 requests/day"),
        (1e12, ">100,000 requests/day"),
    ],
)
def test_a_shared_volume_boundary_belongs_to_the_lower_band(requests_per_day, label):
    assert volume_band(requests_per_day).label == label


def test_exactly_1000_requests_is_prompting_in_both_the_bands_and_the_tree():
    assert volume_band(1_000).recommendation.startswith("Prompt engineering")
    assert decision_tree(1_000, 5_000, 20, True).recommendation == "prompt"


@SETTINGS
@given(st.floats(min_value=0, max_value=1e9, allow_nan=False))
def test_every_volume_falls_in_exactly_one_band(requests_per_day):
    assert sum(b.contains(requests_per_day) for b in VOLUME_BANDS) == 1
    assert volume_band(requests_per_day).contains(requests_per_day)


@SETTINGS
@given(st.floats(min_value=0, max_value=1e9), st.floats(min_value=0, max_value=1e9))
def test_more_volume_never_moves_to_a_lower_band(a, b):
    low, high = sorted((a, b))
    assert VOLUME_BANDS.index(volume_band(low)) <= VOLUME_BANDS.index(volume_band(high))


def test_volume_band_accepts_numpy_scalars():
    assert volume_band(np.int64(5_000)).recommendation == "Evaluate both"


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (-1, ValueError, "requests_per_day must be >= 0, got -1"),
        (math.inf, ValueError, "requests_per_day must be a finite number, got inf"),
        ("1000", TypeError, "requests_per_day must be a number"),
        (None, TypeError, "requests_per_day must be a number"),
        ([100, 200], TypeError, "requests_per_day must be a single number"),
    ],
)
def test_volume_band_rejects_bad_input_naming_the_parameter(value, error, message):
    with pytest.raises(error, match=message.replace("(", r"\(")):
        volume_band(value)


def test_volume_bands_table_has_the_five_source_rows_in_order():
    table = volume_bands_table()
    assert table["band"].tolist() == [b.label for b in VOLUME_BANDS]
    assert len(table) == 5
    assert table["from_requests_per_day"].is_monotonic_increasing
    assert table.loc[4, "to_requests_per_day"] == math.inf
    assert table.loc[2, "recommendation"] == "Evaluate both"


# -- tokens per month (001_cc89cacdfb6b29fd.txt, "Practical decision check") ----------------


@pytest.mark.parametrize(
    ("tokens_per_month", "verdict"),
    [
        # 001: "Below 10M tokens/month: prompting is cheaper."
        (5e6, "prompting is cheaper"),
        # 001: "10-100M tokens/month: fine-tuning may break even."
        (50e6, "fine-tuning may break even"),
        # 001: "Above 100M tokens/month: fine-tuning usually wins."
        (500e6, "fine-tuning usually wins"),
    ],
)
def test_source_001_token_rule(tokens_per_month, verdict):
    assert tokens_per_month_rule(tokens_per_month).verdict == verdict


@pytest.mark.parametrize(
    ("tokens_per_month", "label"),
    [
        (0, "below 10M tokens/month"),
        (9_999_999, "below 10M tokens/month"),
        (10_000_000, "10-100M tokens/month"),  # "Below 10M" is strict
        (100_000_000, "10-100M tokens/month"),  # "Above 100M" is strict
        (100_000_001, "above 100M tokens/month"),
    ],
)
def test_token_rule_boundaries_belong_to_the_middle_band(tokens_per_month, label):
    assert tokens_per_month_rule(tokens_per_month).label == label


def test_token_rule_for_source_002_classification_volume_says_fine_tuning_wins():
    # 002: 10K requests/day of 800 + 50 tokens = 255M tokens/month at 30 days
    from ftroi_helpers.token_costs import monthly_tokens

    assert tokens_per_month_rule(monthly_tokens(10_000, 850)).verdict == \
        "fine-tuning usually wins"


def test_token_rule_rejects_bad_input_naming_the_parameter():
    with pytest.raises(ValueError, match="tokens_per_month must be >= 0, got -5"):
        tokens_per_month_rule(-5)
    with pytest.raises(TypeError, match="tokens_per_month must be a single number"):
        tokens_per_month_rule(np.array([1.0, 2.0]))


def test_token_rules_table_lists_the_three_bands():
    table = token_rules_table()
    assert table["band"].tolist() == [r.label for r in TOKEN_RULES]
    assert table["to_tokens_per_month"].tolist()[:2] == [10e6, 100e6]


# -- decision tree (002_44dbb0b6dad16d21.txt, "Decision Tree") -------------------------------


def test_source_002_tree_question_1_no_means_prompting():
    # 002: "Use prompting -- volume too low to justify training"
    d = decision_tree(800, 5_000, 20, True, True)
    assert d.recommendation == "prompt"
    assert d.reason == "Use prompting -- volume too low to justify training"
    assert d.path == ["1. Daily volume > 1,000 requests? no"]


def test_source_002_tree_question_2_no_means_collect_data_first():
    # 002: "Use prompting -- collect data first, fine-tune later"
    d = decision_tree(5_000, 99, 20, True)
    assert (d.recommendation, d.reason) == (
        "prompt", "Use prompting -- collect data first, fine-tune later")
    assert d.path == ["1. Daily volume > 1,000 requests? yes",
                      "2. 100+ high-quality labeled examples? no"]


def test_exactly_100_examples_answers_question_2_yes():
    # 002: "Do you have 100+ high-quality labeled examples?"
    assert decision_tree(5_000, 100, 20, True).path[1].endswith("yes")


def test_source_002_tree_question_3_no_means_prompting_is_good_enough():
    # 002: "Use prompting -- it's already good enough"; a gap of exactly 5 points is not >5%
    d = decision_tree(5_000, 500, 5, True)
    assert (d.recommendation, d.reason) == ("prompt", "Use prompting -- it's already good enough")
    assert d.path[-1] == "3. Quality gap between prompting and target > 5%? no"


def test_source_002_tree_question_4_yes_fine_tunes_format_tasks_without_an_eval():
    # 002: "Fine-tune -- format tasks benefit most" (question 5 is never asked)
    d = decision_tree(5_000, 500, 5.5, True, None)
    assert (d.recommendation, d.reason) == ("fine-tune", "Fine-tune -- format tasks benefit most")
    assert len(d.path) == 4
    assert d.path[3] == "4. Task primarily format/style (not reasoning)? yes"


def test_source_002_tree_question_5_yes_fine_tunes():
    # 002: "Fine-tune -- data confirms the benefit"
    d = decision_tree(5_000, 500, 10, False, True)
    assert (d.recommendation, d.reason) == ("fine-tune", "Fine-tune -- data confirms the benefit")
    assert [step[:2] for step in d.path] == ["1.", "2.", "3.", "4.", "5."]
    assert d.path[-1] == "5. Fine-tuning improves quality on the eval set? yes"


def test_source_002_tree_question_5_no_means_prompting():
    # 002: "Use prompting -- fine-tuning doesn't help this task"
    d = decision_tree(5_000, 500, 10, False, False)
    assert (d.recommendation, d.reason) == (
        "prompt", "Use prompting -- fine-tuning doesn't help this task")


def test_question_5_without_an_eval_says_run_the_eval_first():
    d = decision_tree(5_000, 500, 10, False)
    assert d.recommendation == "run the eval first"
    assert d.reason == RUN_THE_EVAL_REASON
    assert d.path[-1] == "5. Fine-tuning improves quality on the eval set? not known yet (no eval)"


def test_decision_summary_joins_recommendation_and_reason():
    d = decision_tree(5_000, 500, 10, False, False)
    assert d.summary() == f"Recommendation: prompt. {d.reason}."


def test_every_reason_is_one_of_the_sources_exits_or_the_eval_reason():
    exits = {q.if_yes for q in DECISION_TREE} | {q.if_no for q in DECISION_TREE}
    for volume in (500, 5_000):
        for examples in (50, 500):
            for gap in (2, 10):
                for style in (True, False):
                    for improves in (True, False, None):
                        d = decision_tree(volume, examples, gap, style, improves)
                        assert d.reason in exits | {RUN_THE_EVAL_REASON}
                        assert not d.reason.startswith("Continue")


@SETTINGS
@given(
    st.floats(min_value=0, max_value=1e7),
    st.integers(min_value=0, max_value=100_000),
    st.floats(min_value=0, max_value=100),
    st.booleans(),
    st.sampled_from([True, False, None]),
)
def test_tree_path_asks_questions_in_order_and_stops_at_the_first_exit(
        volume, examples, gap, style, improves):
    d = decision_tree(volume, examples, gap, style, improves)
    numbers = [int(step.split(".")[0]) for step in d.path]
    assert numbers == list(range(1, len(numbers) + 1))
    # Fine-tuning is only ever recommended after passing the volume, data and gap questions.
    if d.recommendation == "fine-tune":
        assert volume > 1_000 and examples >= 100 and gap > 5
    # Question 5 is reached only for tasks that are not format/style.
    if len(d.path) == 5:
        assert style is False


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"requests_per_day": -1}, ValueError, "requests_per_day must be >= 0, got -1"),
        ({"requests_per_day": "lots"}, TypeError, "requests_per_day must be a number"),
        ({"requests_per_day": [1, 2]}, TypeError, "requests_per_day must be a single number"),
        ({"labeled_examples": 99.5}, TypeError, "labeled_examples must be a whole number"),
        ({"labeled_examples": -3}, ValueError, "labeled_examples must be >= 0, got -3"),
        ({"quality_gap_pct": -2}, ValueError, "quality_gap_pct must be >= 0, got -2"),
        ({"quality_gap_pct": 150}, ValueError, "quality_gap_pct must be <= 100, got 150"),
        ({"quality_gap_pct": [1, 2]}, TypeError, "quality_gap_pct must be a single number"),
        ({"format_or_style_task": 1}, TypeError, "format_or_style_task must be True or False"),
        ({"format_or_style_task": None}, TypeError, "format_or_style_task must be True or False"),
        ({"finetune_improves_eval": "yes"}, TypeError,
         "finetune_improves_eval must be True or False, or None"),
    ],
)
def test_decision_tree_rejects_bad_input_naming_the_parameter(kwargs, error, message):
    args = {"requests_per_day": 5_000, "labeled_examples": 500, "quality_gap_pct": 10,
            "format_or_style_task": False, "finetune_improves_eval": None} | kwargs
    with pytest.raises(error, match=message):
        decision_tree(**args)


def test_decision_tree_checks_arguments_its_path_never_reaches():
    # Question 1 exits at once, but a bad answer to question 4 is still an error.
    with pytest.raises(TypeError, match="format_or_style_task"):
        decision_tree(10, 500, 10, "no")


def test_decision_tree_table_is_the_five_questions_in_order():
    table = decision_tree_table()
    assert table["number"].tolist() == [1, 2, 3, 4, 5]
    # 002: "Is the task primarily format/style (not reasoning)?"
    assert table.loc[3, "question"] == "Is the task primarily format/style (not reasoning)?"
    assert table.loc[0, "if_no"] == "Use prompting -- volume too low to justify training"


# -- data-quality checklist (002_44dbb0b6dad16d21.txt, "Data Quality Checklist") -------------

GOOD = {"label_accuracy": 0.97, "distribution_matches_production": True,
        "edge_case_fraction": 0.15, "consistent_format": True, "test_examples_in_training": 0,
        "duplicate_fraction": 0.02}


def _failed(**changes) -> list[str]:
    table = check_data_quality(**(GOOD | changes))
    return table.loc[~table["passed"], "criterion"].tolist()


def test_checklist_has_the_sources_six_criteria_in_order():
    assert [c.criterion for c in DATA_QUALITY_CHECKLIST] == [
        "Label accuracy", "Distribution match", "Edge case coverage", "Consistent format",
        "No data leakage", "Diverse examples"]
    # 002: "Duplicates cause overfitting to specific patterns"
    assert DATA_QUALITY_CHECKLIST[5].why == "Duplicates cause overfitting to specific patterns"


def test_a_clean_training_set_passes_every_criterion():
    table = check_data_quality(**GOOD)
    assert table.columns.tolist() == ["criterion", "value", "threshold", "passed", "why"]
    assert table["passed"].all()
    assert table["passed"].dtype == bool


@pytest.mark.parametrize(
    ("changes", "failed"),
    [
        # 002: ">95% of examples have correct labels" -- strict, so exactly 95% fails
        ({"label_accuracy": 0.95}, ["Label accuracy"]),
        ({"label_accuracy": 0.951}, []),
        ({"distribution_matches_production": False}, ["Distribution match"]),
        # 002: "10-20% of examples are edge cases" -- both ends pass
        ({"edge_case_fraction": 0.10}, []),
        ({"edge_case_fraction": 0.20}, []),
        ({"edge_case_fraction": 0.09}, ["Edge case coverage"]),
        ({"edge_case_fraction": 0.21}, ["Edge case coverage"]),
        ({"consistent_format": False}, ["Consistent format"]),
        # 002: "Test examples not in training set" -- a single leaked example fails
        ({"test_examples_in_training": 1}, ["No data leakage"]),
        # 002: "No more than 5% duplicate or near-duplicate examples" -- exactly 5% passes
        ({"duplicate_fraction": 0.05}, []),
        ({"duplicate_fraction": 0.051}, ["Diverse examples"]),
    ],
)
def test_source_002_checklist_thresholds(changes, failed):
    assert _failed(**changes) == failed


def test_checklist_shows_values_as_readable_text():
    table = check_data_quality(**(GOOD | {"test_examples_in_training": 1_200}))
    assert table["value"].tolist() == ["97.0%", "yes", "15.0%", "yes", "1,200 examples", "2.0%"]


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"label_accuracy": 97}, ValueError, "label_accuracy must be between 0 and 1, got 97"),
        ({"edge_case_fraction": -0.1}, ValueError, "edge_case_fraction must be between 0 and 1"),
        ({"duplicate_fraction": "2%"}, TypeError, "duplicate_fraction must be a number"),
        ({"duplicate_fraction": [0.1]}, TypeError, "duplicate_fraction must be a single number"),
        ({"distribution_matches_production": "yes"}, TypeError,
         "distribution_matches_production must be True or False"),
        ({"consistent_format": 1}, TypeError, "consistent_format must be True or False"),
        ({"test_examples_in_training": True}, TypeError,
         "test_examples_in_training must be a whole number"),
        ({"test_examples_in_training": -1}, ValueError,
         "test_examples_in_training must be >= 0, got -1"),
    ],
)
def test_check_data_quality_rejects_bad_input_naming_the_parameter(changes, error, message):
    with pytest.raises(error, match=message):
        check_data_quality(**(GOOD | changes))


def test_decision_module_does_not_import_pandas_until_a_table_is_asked_for():
    import subprocess
    import sys

    code = ("import sys, ftroi_helpers.rules_of_thumb as d; d.decision_tree(5000, 500, 10, True); "
            "d.volume_band(10); print('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
    assert rules_of_thumb.__all__  # the module lists its public names
