"""One plotting style for every figure in the workbook.

* Okabe-Ito colours (safe for the common forms of colour blindness), with distinct line styles
  too, so no line is told apart by colour alone.
* Money on the y axis in USD, time on the x axis in months (or requests), every axis labelled.
* A title that states the answer ("Fine-tuning pays back in month 4"), and the break-even point
  marked and labelled.

Figures are :class:`matplotlib.figure.Figure` objects made without pyplot, so nothing is shown
twice and widgets can redraw one figure in place. matplotlib is imported only when a plot is made.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .tco import TCOResult

__all__ = [
    "OKABE_ITO",
    "PROMPTING_STYLE",
    "FINETUNE_STYLE",
    "breakeven_figure",
    "cost_curve_figure",
    "figure_to_png",
    "new_figure",
    "style_axes",
    "usd",
]

#: Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}
PROMPTING_STYLE = {"color": OKABE_ITO["vermillion"], "linestyle": "-", "linewidth": 2.2,
                   "label": "keep prompting (hosted)"}
FINETUNE_STYLE = {"color": OKABE_ITO["blue"], "linestyle": "--", "linewidth": 2.2,
                  "label": "fine-tune"}
MARK_STYLE = {"color": OKABE_ITO["black"], "marker": "o", "markersize": 7, "zorder": 5}


def usd(value: float, decimals: int = 0) -> str:
    """Format money the way the workbook prints it.

    >>> usd(1234.5)
    '$1,234'
    >>> usd(-80, 2)
    '-$80.00'
    >>> usd(float("inf"))
    'never'
    """
    if math.isinf(value):
        return "never"
    sign = "-" if value < 0 else ""
    # round half to even like Python's format; show a thousands separator
    return f"{sign}${abs(value):,.{decimals}f}"


def new_figure(width_in: float = 7.0, height_in: float = 4.0) -> tuple[Figure, Axes]:
    """A figure and its axes, drawn with the Agg renderer (no pyplot, no GUI)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=100)
    fig.subplots_adjust(left=0.13, right=0.94, top=0.9, bottom=0.14)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    return fig, ax


def style_axes(ax: Axes, *, title: str, xlabel: str = "month", ylabel: str = "USD",
               money_axis: str | None = "y") -> Axes:
    """Apply the workbook's style: labels with units, a grid, $ tick labels, a legend."""
    from matplotlib.ticker import FuncFormatter

    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fmt = FuncFormatter(lambda v, _pos: usd(v))
    if money_axis == "y":
        ax.yaxis.set_major_formatter(fmt)
    elif money_axis == "x":
        ax.xaxis.set_major_formatter(fmt)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(frameon=False, loc="best")
    return ax


def figure_to_png(fig: Figure) -> bytes:
    """Render ``fig`` to PNG bytes (what a calculator's image widget shows)."""
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def cost_curve_figure(result: TCOResult) -> Figure:
    """Cumulative cost of prompting and of fine-tuning by month, with payback marked.

    >>> from ftroi_helpers.tco import tco, Scenario
    >>> fig = cost_curve_figure(tco(Scenario(hosted_cost_per_1k_req=3.0)))
    >>> fig.axes[0].get_title(loc="left")
    'Fine-tuning pays back in month 2'
    """
    fig, ax = new_figure()
    t = result.table
    ax.plot(t["month"], t["prompting_cumulative_usd"], **PROMPTING_STYLE)
    ax.plot(t["month"], t["finetune_cumulative_usd"], **FINETUNE_STYLE)
    if result.payback_months is not None:
        _mark_payback(ax, result)
    style_axes(ax, title=result.summary(), xlabel="month", ylabel="cumulative cost (USD)")
    return fig


def _mark_payback(ax: Any, result: TCOResult) -> None:
    import numpy as np

    t = result.table
    x = result.payback_months
    months = np.concatenate([[0.0], t["month"].to_numpy(float)])
    y = float(np.interp(x, months, np.concatenate([[0.0], t["prompting_cumulative_usd"]])))
    ax.plot([x], [y], **MARK_STYLE)
    ax.annotate(f"payback: month {x:.1f}", (x, y), xytext=(8, -16),
                textcoords="offset points", fontsize=10)


def breakeven_figure(hosted_cost_per_1k_req: float, self_hosted_cost_per_1k_req: float,
                     one_time_finetune_cost: float, max_requests: float | None = None) -> Figure:
    """Cumulative cost against requests served: two lines that cross at break-even.

    >>> fig = breakeven_figure(15, 2, 400)
    >>> fig.axes[0].get_title(loc="left")
    'Break even after ~30,769 requests'
    """
    from .breakeven import explain_breakeven

    fig, ax = new_figure()
    draw_breakeven(ax, hosted_cost_per_1k_req, self_hosted_cost_per_1k_req,
                   one_time_finetune_cost, max_requests)
    ax.set_title(explain_breakeven(hosted_cost_per_1k_req, self_hosted_cost_per_1k_req,
                                   one_time_finetune_cost), loc="left", fontsize=12,
                 fontweight="bold")
    return fig


def breakeven_series(hosted_cost_per_1k_req: float, self_hosted_cost_per_1k_req: float,
                     one_time_finetune_cost: float, max_requests: float | None = None):
    """x (requests) and the two cumulative-cost lines for :func:`breakeven_figure`.

    Returns ``(requests, prompting_usd, finetune_usd, breakeven)``; the x range is twice the
    break-even (or 100,000 requests when there is none).
    """
    import numpy as np

    from .breakeven import breakeven_requests

    be = breakeven_requests(hosted_cost_per_1k_req, self_hosted_cost_per_1k_req,
                            one_time_finetune_cost)
    top = max_requests if max_requests else (2 * be if 0 < be < math.inf else 100_000.0)
    x = np.linspace(0.0, top, 200)
    prompting = x / 1000.0 * hosted_cost_per_1k_req
    finetune = one_time_finetune_cost + x / 1000.0 * self_hosted_cost_per_1k_req
    return x, prompting, finetune, be


def draw_breakeven(ax: Axes, hosted_cost_per_1k_req: float, self_hosted_cost_per_1k_req: float,
                   one_time_finetune_cost: float, max_requests: float | None = None) -> dict:
    """Draw the break-even lines on ``ax``; return the artists so a widget can update them."""
    from matplotlib.ticker import FuncFormatter

    x, prompting, finetune, be = breakeven_series(
        hosted_cost_per_1k_req, self_hosted_cost_per_1k_req, one_time_finetune_cost, max_requests)
    (p_line,) = ax.plot(x, prompting, **PROMPTING_STYLE)
    (f_line,) = ax.plot(x, finetune, **FINETUNE_STYLE)
    (mark,) = ax.plot([], [], linestyle="none", **MARK_STYLE)
    label = ax.annotate("", (0, 0), xytext=(8, -16), textcoords="offset points", fontsize=10)
    style_axes(ax, title="", xlabel="requests served", ylabel="cumulative cost (USD)")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    artists = {"prompting": p_line, "finetune": f_line, "mark": mark, "label": label}
    update_breakeven(ax, artists, x, prompting, finetune, be, one_time_finetune_cost,
                     self_hosted_cost_per_1k_req)
    return artists


def update_breakeven(ax: Axes, artists: dict, x, prompting, finetune, be: float,
                     one_time_finetune_cost: float, self_hosted_cost_per_1k_req: float) -> None:
    """Move the existing lines and marker to new data (no new artists)."""
    artists["prompting"].set_data(x, prompting)
    artists["finetune"].set_data(x, finetune)
    if math.isfinite(be):
        y = one_time_finetune_cost + be / 1000.0 * self_hosted_cost_per_1k_req
        artists["mark"].set_data([be], [y])
        artists["label"].xy = (be, y)
        artists["label"].set_text(f"break-even: {be:,.0f} requests")
    else:
        artists["mark"].set_data([], [])
        artists["label"].set_text("")
    ax.relim()
    ax.autoscale_view()
