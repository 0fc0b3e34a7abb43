"""The workbook's figures: labelled axes with units, a title that states the answer, the
break-even marked, Okabe-Ito colours."""

from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.colors import to_hex

from ftroi_helpers.cost_model import Scenario, tco
from ftroi_helpers.plots import (
    FINETUNE_STYLE,
    OKABE_ITO,
    PROMPTING_STYLE,
    breakeven_figure,
    cost_curve_figure,
    figure_to_png,
    new_figure,
    style_axes,
    usd,
)

PALETTE = {c.lower() for c in OKABE_ITO.values()}


def _lines_with_data(ax):
    return [line for line in ax.get_lines() if len(line.get_xdata()) > 1]


def _markers(ax):
    return [line for line in ax.get_lines()
            if line.get_marker() not in (None, "None", "", " ") and len(line.get_xdata()) == 1]


# -- usd ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [(1234.5, 0, "$1,234"), (30_769.23, 0, "$30,769"), (-80, 2, "-$80.00"), (0, 0, "$0"),
     (0.004, 2, "$0.00"), (-0.4, 0, "$0"), (-0.6, 0, "-$1"), (1e6, 0, "$1,000,000"),
     (math.inf, 0, "never"), (12.345, 2, "$12.35")],
)
def test_usd_formats_money_with_separators_and_a_leading_sign(value, decimals, text):
    assert usd(value, decimals) == text


# -- the style ---------------------------------------------------------------------------------

def test_okabe_ito_palette_is_the_published_eight_colours():
    # Okabe & Ito (2008), "Color Universal Design".
    assert sorted(PALETTE) == sorted(["#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2",
                                      "#d55e00", "#cc79a7", "#000000"])


def test_prompting_and_fine_tuning_differ_by_colour_and_by_line_style():
    assert PROMPTING_STYLE["color"].lower() in PALETTE
    assert FINETUNE_STYLE["color"].lower() in PALETTE
    assert PROMPTING_STYLE["color"] != FINETUNE_STYLE["color"]
    assert PROMPTING_STYLE["linestyle"] != FINETUNE_STYLE["linestyle"]


def test_style_axes_labels_both_axes_and_formats_money_on_y():
    fig, ax = new_figure()
    ax.plot([0, 1], [0, 1500], label="x")
    style_axes(ax, title="Answer", xlabel="month", ylabel="USD")
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("month", "USD")
    assert ax.get_title(loc="left") == "Answer"
    assert ax.yaxis.get_major_formatter()(1500, 0) == "$1,500"
    assert ax.get_legend() is not None


def test_style_axes_can_put_money_on_x():
    fig, ax = new_figure()
    style_axes(ax, title="t", xlabel="USD", ylabel="requests", money_axis="x")
    assert ax.xaxis.get_major_formatter()(2000, 0) == "$2,000"


def test_style_axes_can_leave_both_axes_unformatted():
    fig, ax = new_figure()
    style_axes(ax, title="t", xlabel="month", ylabel="share", money_axis=None)
    assert "$" not in ax.yaxis.get_major_formatter()(0.5, 0)
    assert "$" not in ax.xaxis.get_major_formatter()(0.5, 0)


def test_new_figure_has_no_pyplot_state_and_renders_to_png():
    fig, ax = new_figure()
    assert fig.axes == [ax]
    png = figure_to_png(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


# -- cost_curve_figure -------------------------------------------------------------------------

def test_cost_curve_title_states_the_payback_month():
    fig = cost_curve_figure(tco(Scenario(hosted_cost_per_1k_req=3.0)))
    assert fig.axes[0].get_title(loc="left") == "Fine-tuning pays back in month 2"


def test_cost_curve_axes_are_labelled_with_units():
    ax = cost_curve_figure(tco(Scenario())).axes[0]
    assert ax.get_xlabel() == "month"
    assert "USD" in ax.get_ylabel()


def test_cost_curve_uses_okabe_ito_colours_only():
    ax = cost_curve_figure(tco(Scenario(hosted_cost_per_1k_req=3.0))).axes[0]
    for line in ax.get_lines():
        assert to_hex(line.get_color()) in PALETTE


def test_cost_curve_lines_start_at_month_0_with_the_one_time_cost():
    ax = cost_curve_figure(tco(Scenario())).axes[0]
    prompting, finetune = _lines_with_data(ax)
    assert prompting.get_xdata()[0] == 0 and prompting.get_ydata()[0] == 0
    assert finetune.get_ydata()[0] == 400          # source 003's one-time cost
    assert prompting.get_ydata()[-1] == 12 * 3_000


def test_cost_curve_marks_payback_where_the_two_lines_cross():
    result = tco(Scenario(hosted_cost_per_1k_req=2.8))     # payback at 2.5 months
    ax = cost_curve_figure(result).axes[0]
    (mark,) = _markers(ax)
    x, y = mark.get_xdata()[0], mark.get_ydata()[0]
    assert x == pytest.approx(2.5)
    prompting, finetune = _lines_with_data(ax)
    on_prompting = np.interp(x, prompting.get_xdata(), prompting.get_ydata())
    on_finetune = np.interp(x, finetune.get_xdata(), finetune.get_ydata())
    assert y == pytest.approx(on_prompting) == pytest.approx(on_finetune)
    assert any("payback" in t.get_text() for t in ax.texts)


def test_cost_curve_marker_is_on_the_lines_when_payback_is_inside_month_1():
    ax = cost_curve_figure(tco(Scenario())).axes[0]       # payback at 400 / 2,600 months
    (mark,) = _markers(ax)
    x, y = mark.get_xdata()[0], mark.get_ydata()[0]
    prompting, finetune = _lines_with_data(ax)
    assert x == pytest.approx(400 / 2_600)
    assert y == pytest.approx(np.interp(x, finetune.get_xdata(), finetune.get_ydata()))


def test_cost_curve_without_payback_has_no_marker_and_says_so():
    ax = cost_curve_figure(tco(Scenario(hosted_cost_per_1k_req=2.0))).axes[0]
    assert _markers(ax) == []
    assert ax.get_title(loc="left").startswith("Fine-tuning does not pay back within 12 months")


# -- breakeven_figure --------------------------------------------------------------------------

def test_breakeven_title_is_source_003s_answer():
    # 003_512d162286761903.txt: "Break even after ~30,769 requests".
    ax = breakeven_figure(15, 2, 400).axes[0]
    assert ax.get_title(loc="left") == "Break even after ~30,769 requests"


def test_breakeven_axes_are_labelled_with_units():
    ax = breakeven_figure(15, 2, 400).axes[0]
    assert ax.get_xlabel() == "requests served"
    assert "USD" in ax.get_ylabel()
    assert ax.yaxis.get_major_formatter()(400, 0) == "$400"


def test_breakeven_marker_sits_where_the_lines_cross():
    ax = breakeven_figure(15, 2, 400).axes[0]
    (mark,) = _markers(ax)
    x, y = mark.get_xdata()[0], mark.get_ydata()[0]
    assert x == pytest.approx(400 / 13 * 1000)
    assert y == pytest.approx(x / 1000 * 15)                 # on the prompting line
    assert any(t.get_text() == "break-even: 30,769 requests" for t in ax.texts)


def test_breakeven_x_range_is_twice_the_break_even_unless_given():
    prompting = _lines_with_data(breakeven_figure(15, 2, 400).axes[0])[0]
    assert prompting.get_xdata()[-1] == pytest.approx(2 * 400 / 13 * 1000)
    prompting = _lines_with_data(breakeven_figure(15, 2, 400, max_requests=5_000).axes[0])[0]
    assert prompting.get_xdata()[-1] == 5_000


def test_breakeven_uses_okabe_ito_colours_only():
    ax = breakeven_figure(15, 2, 400).axes[0]
    for line in ax.get_lines():
        assert to_hex(line.get_color()) in PALETTE


def test_breakeven_figure_without_a_crossing_has_no_marker_and_says_why():
    ax = breakeven_figure(2, 15, 400).axes[0]
    assert _markers(ax) == []
    assert ax.get_title(loc="left").startswith("Self-hosting is not cheaper per request")


def test_breakeven_figure_rejects_bad_input_naming_the_parameter():
    with pytest.raises(ValueError, match=r"^hosted_cost_per_1k_req must be >= 0, got -1$"):
        breakeven_figure(-1, 2, 400)
