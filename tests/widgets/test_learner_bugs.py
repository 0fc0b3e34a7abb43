"""What a learner trips on in the calculators (issue 21, item 3), each fixed with its test."""

from __future__ import annotations

import re

import pytest

from ftroi_helpers import calculators


def test_the_cached_token_slider_ends_at_the_prompt_length():
    """Issue 21: the cached-token slider went to 7,200 on an 800-token prompt."""
    calc = calculators.token_savings(prompted_input_tokens=800)
    cached = calc.controls["cached_input_tokens"]
    assert cached.max == 800
    calc.set(prompted_input_tokens=1_500)
    assert cached.max == 1_500
    calc.set(cached_input_tokens=1_200)
    calc.set(prompted_input_tokens=1_000)                # a shorter prompt: the cached part too
    assert cached.max == 1_000 and cached.value <= 1_000
    assert calc.error is None


def test_too_many_cached_tokens_is_told_in_the_controls_words_not_the_codes():
    """Issue 21: the message named internals (cached_input_tokens must be <= input_tokens)."""
    calc = calculators.token_savings(prompted_input_tokens=800)
    calc.set(cached_input_tokens=900)
    assert calc.error is not None
    assert "Cached prompt tokens (900)" in calc.error and "800" in calc.error
    assert not re.search(r"\b\w+_\w+\b", calc.error), calc.error   # no snake_case names


def test_a_scenario_file_shows_as_one_readable_line_not_its_fields(tmp_path):
    """Issue 21: lesson 07's update(...) cells printed ~25 lines of ScenarioFile(...) repr."""
    from ftroi_helpers.scenario_file import example_scenario_file, save, update

    path = save(example_scenario_file(), tmp_path / "mine.toml")
    changed = update(path, training_usd=0.0246 * 1000, title="Support-ticket labels")
    for sf in (example_scenario_file(), changed):
        shown = repr(sf)
        assert "\n" not in shown and len(shown) < 400, shown
        assert "frozenset" not in shown and "Scenario(" not in shown
        assert not re.search(r"\d\.\d{6,}", shown), shown          # no 0.024599999999999997
    assert repr(changed).startswith("ScenarioFile 'Support-ticket labels' (as of ")
    assert "200,000 requests a month" in repr(changed) and "1 caveat" in repr(changed) and "caveats" not in repr(changed)


def test_the_prediction_button_is_as_wide_as_its_label():
    """Issue 21: the button read "Reveal the ans..." (ipywidgets' fixed 148 px button)."""
    from ftroi_helpers import predict

    button = predict("Months to pay back?", 1.5, unit="months").reveal_button
    assert button.description == "Reveal the answer"
    assert button.layout.width == "max-content"     # sized to its text, not a fixed width
    assert button.layout.min_width == "11em"        # 17 characters and the eye icon fit


def test_a_filtered_table_shows_no_row_numbers_and_deltas_in_percentage_points():
    """Issue 21: lesson 04 printed "delta pct low" headers, an unlabelled index and "3.0 %"
    for differences the lesson calls percentage points."""
    from ftroi_helpers import show_table
    from ftroi_helpers.quality import task_quality_delta_check

    check = task_quality_delta_check()
    table = show_table(check[check["can_be_negative"]], "Tasks that can lose")
    assert not table.show_index and "<th scope='col'></th>" not in table._repr_html_()
    headers = list(table.text.columns)
    assert "stated delta low (pp)" in headers and "midpoint delta (pp)" in headers
    assert not any("_" in h or " pct" in h for h in headers), headers
    assert table.text["stated delta low (pp)"].str.endswith(" pp").all()
    shares = show_table({"share_not_better_pct": [12.5]})     # a share stays a percentage
    assert list(shares.text.columns) == ["share not better (%)"]
    assert shares.text.iloc[0, 0] == "12.5 %"


def test_the_row_picker_offers_todays_rows_and_names_those_without_prices_in_one_line():
    """Issue 21, item 5: a Claude user in lesson 07 had to type every price; where the price
    table has no price, the learner is told so in one line."""
    from ftroi_helpers.prices import load_prices

    calc = calculators.prompt_cost()
    offered = [value for _, value in calc.controls["price_row"].options]
    assert {"claude-sonnet-5-5", "claude-haiku-4-5"} <= set(offered)
    table = load_prices()
    unread = table[(table["kind"] == "api") & table["base_usd_per_1m_input_tokens"].isna()
                   & table["source"].str.startswith("http")]["model"].tolist()
    assert unread                                       # gpt-4.1, Gemini, Together rows
    notes = re.findall(r"<p class='ftroi-unpriced'>(.*?)</p>", calc.table_box.value, re.S)
    assert len(notes) == 1 and "\n" not in notes[0]
    for model in unread:
        assert model in notes[0].replace("&#x27;", "'")
        assert model not in offered


def test_exploring_a_calculator_never_changes_its_file_until_the_learner_saves(tmp_path):
    """Issue 21: one exploratory drag saved hosting_usd_per_month = 2182.7 into a file that
    describes a provider-served fine-tune."""
    from ftroi_helpers.scenario_file import load

    path = tmp_path / "my_decision.toml"
    calc = calculators.capstone().use_file(path)
    before = path.read_bytes()
    calc.set(usd_per_gpu_hour=2.99)                     # a drag: 2.99 x 730 = USD 2,182.70
    assert calc.error is None and path.read_bytes() == before
    assert calc.save_button.description == "Save to my_decision.toml"
    calc.save_button.click()
    assert load(path).scenario.hosting_usd_per_month == pytest.approx(2_182.7)
    calc.set(usd_per_gpu_hour=1.5)
    assert calc.save() == path
    assert load(path).scenario.hosting_usd_per_month == pytest.approx(1_095.0)


def test_a_calculator_on_a_file_draws_over_the_files_ranges_with_lesson_06s_distribution(
        tmp_path):
    """Issue 21: lesson 07's calculator said it varied the +/- the learner set but drew over
    lesson 06's ranges; the report drew uniformly where lesson 06 does not, without saying."""
    from ftroi_helpers.capstone import capstone_answer
    from ftroi_helpers.report import build_report
    from ftroi_helpers.scenario_file import example_scenario_file, load, save

    path = save(example_scenario_file(), tmp_path / "mine.toml")
    sf = load(path)
    assert sf.settings()["distribution"] == "split"       # lesson 06's capstone_answer default
    calc = calculators.capstone(n_draws=2_000).load(path)
    got = calc.outcome.data["answer"]
    settings = sf.settings()
    # the calculator's GPUs serve alone (its scenario drops the flat per-request price)
    mine = capstone_answer(got.scenario, dict(sf.ranges), n_draws=int(settings["n_draws"]),
                           seed=int(settings["seed"]), deadline_months=settings["within_months"])
    lesson_06 = capstone_answer(got.scenario, n_draws=int(settings["n_draws"]),
                                seed=int(settings["seed"]),
                                deadline_months=settings["within_months"])
    assert got.p_within_deadline == mine.p_within_deadline
    assert got.p_within_deadline != lesson_06.p_within_deadline       # not lesson 06's ranges
    assert got.monte_carlo.distribution == "split" and got.monte_carlo.n_draws == 10_000
    report = build_report(sf)
    assert "split" in str(report)


def test_a_negative_prompt_length_shows_its_message_and_the_cached_slider_survives():
    # Found by the contract fuzzing: the cached slider's end followed the prompt to -1, below its
    # start, and the widget raised "setting max < min" instead of showing the message.
    from ftroi_helpers import calculators

    calc = calculators.token_savings()
    calc.set(prompted_input_tokens=-1)
    assert calc.error == "prompted_input_tokens must be >= 0, got -1"
    assert calc.controls["cached_input_tokens"].max == 0
    calc.set(prompted_input_tokens=900)
    assert calc.error is None and calc.controls["cached_input_tokens"].max == 900
