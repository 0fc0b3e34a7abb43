"""What the workbook's output reads like: formatted tables, figures with text alternatives,
typed boxes beside sliders, honest figures (issue 14)."""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pandas as pd
import pytest

from ftroi_helpers import Scenario, calculators, replace, show_table, tco
from ftroi_helpers.plots import alt_text, breakeven_figure, cost_curve_figure, with_alt

# -- tables ------------------------------------------------------------------------------------


def test_a_table_formats_money_months_counts_and_never():
    frame = pd.DataFrame({"requests_per_day": [100, 10_000],
                          "true_savings_usd_per_month": [0.9, 2125.0],
                          "true_breakeven_months": [83.33333, math.inf]})
    t = show_table(frame, "Savings by volume")
    assert list(t.text.columns) == ["requests per day", "true savings (USD/month)",
                                    "true breakeven (months)"]
    assert t.text.iloc[:, 0].tolist() == ["100", "10,000"]
    assert t.text.iloc[:, 1].tolist() == ["$0.90", "$2,125.00"]       # cents: one is under $10
    assert t.text.iloc[:, 2].tolist() == ["83.3", "never"]
    assert "0.105042" not in repr(show_table(pd.DataFrame({"payback_months": [0.105042]})))


def test_small_money_keeps_enough_decimals_to_read():
    t = show_table(pd.DataFrame({"cost_per_request_usd": [0.000150, 0.000120]}))
    assert t.text.iloc[:, 0].tolist() == ["$0.000150", "$0.000120"]


def test_a_wide_table_is_a_focusable_labelled_scrolling_region():
    t = show_table(pd.DataFrame({f"col_{i}_usd": [1000.0 * i] for i in range(30)}),
                   "Thirty columns")
    out = t._repr_html_()
    assert re.search(r"<div class='ftroi-table' role='region' tabindex='0' "
                     r"aria-label='Thirty columns' style='overflow-x:auto", out)
    assert "<caption" in out and "<th scope='col'>" in out


def test_links_in_a_table_are_underlined_not_told_apart_by_colour_alone():
    t = show_table(pd.DataFrame({"source": ["https://openai.com/api/pricing/"]}))
    out = t._repr_html_()
    assert "text-decoration:underline" in out and ">openai.com/api/pricing</a>" in out


def test_table_cells_are_escaped():
    out = show_table(pd.DataFrame({"task": ["<script>x</script>"]}))._repr_html_()
    assert "<script>" not in out and html.escape("<script>") in out


@pytest.mark.parametrize("kwargs,message", [
    ({"formats": {"nope": "money"}}, "formats names columns the table does not have"),
    ({"formats": {"a_usd": "pounds"}}, "formats must be among"),
    ({"columns": ["nope"]}, "columns names columns the table does not have"),
])
def test_a_bad_table_option_names_the_parameter(kwargs, message):
    with pytest.raises(ValueError, match=message):
        show_table(pd.DataFrame({"a_usd": [1.0]}), **kwargs)


# -- figures -------------------------------------------------------------------------------------


def _bundle(fig):
    data, meta = fig._repr_mimebundle_()
    return data, meta


def test_a_lesson_figure_is_shown_as_an_img_with_alt_text_stating_the_break_even():
    data, meta = _bundle(breakeven_figure(15, 2, 400))
    alt = "crosses fine-tuning at 30,769 requests"
    assert alt in data["text/plain"] and alt in meta["image/png"]["alt"]
    img = re.search(r'<img [^>]*alt="([^"]+)"[^>]*src="data:image/png;base64,', data["text/html"])
    assert img and alt in html.unescape(img.group(1))


def test_a_figure_without_a_given_alt_falls_back_to_its_title():
    fig = breakeven_figure(15, 16, 400)
    assert "never cross" in alt_text(fig)
    with pytest.raises(ValueError, match="^alt must be"):
        with_alt(fig, " ")


def test_retraining_is_drawn_as_a_vertical_step_at_the_start_of_its_month():
    scenario = replace(Scenario(), hosted_cost_per_1k_req=3.0, retrain_every_months=3)
    result = tco(scenario)
    fig = cost_curve_figure(result)
    finetune = fig.axes[0].get_lines()[1]
    x, y = np.asarray(finetune.get_xdata()), np.asarray(finetune.get_ydata())
    table = result.table.set_index("month")
    for month in (4, 7, 10):                      # retraining months: paid at x = month - 1
        at = np.flatnonzero(x == month - 1)
        assert at.size == 2, f"month {month}: a step has two points at one x"
        jump = y[at[1]] - y[at[0]]
        # the month's bill minus an ordinary month's bill (no price decline here) is the lump
        assert jump > 0 and jump == pytest.approx(table.loc[month, "finetune_usd"]
                                                  - table.loc[month + 1, "finetune_usd"])
        assert y[at[0]] == pytest.approx(table.loc[month - 1, "finetune_cumulative_usd"])
    assert "months 4, 7, 10" in alt_text(fig)


def test_every_calculator_figure_has_alt_text_that_states_its_answer():
    for name in ("break_even", "token_savings", "eval_noise", "quality_cost", "utilization",
                 "cost_curves", "retraining"):
        calc = getattr(calculators, name)()
        if calc.outcome is None or "<img" not in calc.image.value:
            continue
        alt = re.search(r'alt="([^"]+)"', calc.image.value)
        assert alt, name
        text = html.unescape(alt.group(1))
        assert text == calc.alt_text and len(text) > 30, (name, text)
        assert calc.outcome.sentence in text or (calc.outcome.alt and text == calc.outcome.alt)


# -- controls ------------------------------------------------------------------------------------


def test_the_break_even_calculator_figure_says_where_the_lines_cross():
    calc = calculators.break_even()
    assert "Prompting crosses fine-tuning at 30,769 requests" in calc.alt_text
    calc.set(self_hosted_cost_per_1k_req=20)
    assert "never cross" in calc.alt_text


def test_every_slider_has_a_labelled_box_to_type_its_value_into():
    import ipywidgets as widgets

    calc = calculators.break_even()
    sliders = {n: w for n, w in calc.controls.items()
               if isinstance(w, (widgets.FloatSlider, widgets.IntSlider))}
    assert sliders and set(calc.typed) == set(sliders)
    for name, slider in sliders.items():
        box = calc.typed[name]
        assert box.description == f"{slider.description}, typed value"
        assert box.value == slider.value


def test_typing_into_the_box_moves_the_slider_and_the_answer():
    calc = calculators.break_even()
    calc.typed["one_time_finetune_cost"].value = 800
    assert calc.controls["one_time_finetune_cost"].value == 800
    assert calc.result_text == "Break even after ~61,538 requests"
    calc.set(one_time_finetune_cost=400)                 # and the other way round
    assert calc.typed["one_time_finetune_cost"].value == 400


def test_a_typed_value_outside_the_range_widens_it_and_is_never_clamped():
    # issue 11: the answer is for the value typed. $500 vs $2 per 1k, $400 one-time:
    # 400 / (500 - 2) * 1,000 = 803.2 requests.
    calc = calculators.break_even()
    slider = calc.controls["hosted_cost_per_1k_req"]
    calc.typed["hosted_cost_per_1k_req"].value = 500
    assert slider.value == 500 and slider.max >= 500
    assert calc.typed["hosted_cost_per_1k_req"].value == 500
    assert calc.result_text == "Break even after ~803 requests"


def test_sensitivity_figures_say_what_they_show():
    from ftroi_helpers.sensitivity import GPU_BILLED_RANGES, monte_carlo, tornado
    from ftroi_helpers.sensitivity_plots import (
        cost_curves_figure,
        monte_carlo_figure,
        tornado_figure,
    )

    scenario = replace(Scenario(), retrain_every_months=3, self_hosted_cost_per_1k_req=0)
    table = tornado(scenario, GPU_BILLED_RANGES)
    alt = alt_text(tornado_figure(table))
    assert alt.startswith("Tornado chart of the payback (months)")
    assert f"for {len(table)} assumptions" in alt
    mc = monte_carlo(scenario, GPU_BILLED_RANGES, n_draws=500, seed=1)
    alt = alt_text(monte_carlo_figure(mc))
    assert f"{100 * mc.p_payback_within:.0f}% by month {mc.within_months}" in alt
    alt = alt_text(cost_curves_figure(scenario))
    assert "months 4, 7, 10" in alt and "pays back after" in alt
    for fig in (tornado_figure(table), monte_carlo_figure(mc), cost_curves_figure(scenario)):
        data, meta = fig._repr_mimebundle_()
        assert 'alt="' in data["text/html"] and meta["image/png"]["alt"] == data["text/plain"]
