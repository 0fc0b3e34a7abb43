"""One training cost (issue 20, item 3): the lessons and the errata quote what the package computes.

A training run is computed from tokens x epochs x price (:func:`ftroi_helpers.training.
training_run_usd`), the same way everywhere; the crossover guide's quoted "USD 15-75" is a check,
never an input. The months that lesson 02 and erratum 2 quote are recomputed here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from ftroi_helpers.sources import breakeven_by_task_table, tokens_rule_table

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ["01_break_even", "02_tokens_and_volume", "03_cost_curves", "06_decide"]


def _cells(name: str, kind: str) -> str:
    cells = json.loads((ROOT / "lessons" / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == kind)


def _errata() -> dict[str, str]:
    rows = re.findall(r"^\| (\d+) \|(.*)$", (ROOT / "lessons" / "sources.md").read_text(), re.M)
    return dict(rows)


@pytest.fixture(scope="module")
def by_task():
    return breakeven_by_task_table(100).set_index("task")


def test_lesson_02_and_erratum_2_quote_the_months_the_guides_shortcut_gives_at_usd_15(by_task):
    quoted = by_task["naive_breakeven_months_at_quoted_low"]
    analysis, generation = quoted["Complex analysis"], quoted["Content generation"]
    sentence = (f"{analysis:.1f} months for complex analysis and {generation:.1f} for content "
                "generation")
    assert sentence in " ".join(_cells("02_tokens_and_volume", "markdown").split())
    assert sentence in _errata()["2"]
    # and the claim that those tasks never pay back at true prices holds
    assert by_task.loc[["Complex analysis", "Content generation"],
                       "true_breakeven_months_high"].isna().all()


def test_erratum_2_says_classification_needs_more_than_a_year_at_true_prices(by_task):
    assert by_task.loc["Simple classification", "true_breakeven_months_low"] > 12
    assert "more than a year" in _errata()["2"]


def test_erratum_4_about_a_year_from_10m_tokens_holds_for_the_computed_run_only():
    mini = "gpt-4o-mini-2024-07-18"
    computed = tokens_rule_table([1e7, 1e8], pairs=[(mini, mini)]).iloc[:, 2]
    quoted = tokens_rule_table([1e8], pairs=[(mini, mini)], training_usd=75).iloc[0, 2]
    assert 12 <= computed.iloc[0] < 13 and quoted > 12
    assert "within about a year from 10 million tokens a month" in _errata()["4"]


@pytest.mark.parametrize("name", LESSONS)
def test_no_lesson_feeds_the_guides_quoted_range_into_a_calculation(name):
    code = _cells(name, "code")
    assert not re.search(r"training_usd\"?\s*[:=]\s*75\b|explain_breakeven\([^)]*,\s*75\)", code)
    assert not re.search(r"SOURCE_002_MINI_TRAINING_USD\[", code)


def test_erratum_7_quotes_the_unpaired_and_the_paired_sizes_the_package_computes():
    from ftroi_helpers.paired_eval import min_examples_to_detect_paired
    from ftroi_helpers.quality import min_examples_to_detect

    text = _errata()["7"]
    assert f"about {min_examples_to_detect(0.90, 0.03):,} per model" in text
    paired = [min_examples_to_detect_paired(0.90, 0.03, share) for share in (None, 0.06, 0.03)]
    assert (f"it needs {paired[0]:,} if their errors are independent, {paired[1]:,} if they "
            f"disagree on 6 % of examples and {paired[2]:,} if the fine-tune only fixes") in text
