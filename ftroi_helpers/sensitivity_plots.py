"""Figures for sensitivity analysis: the tornado chart, the Monte Carlo payback curve, and cost
curves that a calculator can redraw in place.

All figures use :func:`ftroi_helpers.plots.new_figure` and :func:`~ftroi_helpers.plots.style_axes`
(Okabe-Ito colours, units on both axes, a title that states the answer). matplotlib is imported
only when a figure is made.
"""

from __future__ import annotations

import math
from functools import partial
from typing import TYPE_CHECKING, Any

import numpy as np

from .formatting import plain_number
from .never import is_never, never_or_float, never_to_inf
from .plots import (
    FINETUNE_STYLE,
    MARK_STYLE,
    OKABE_ITO,
    PROMPTING_STYLE,
    cost_curve_alt,
    cumulative_steps,
    figure_to_png,
    new_figure,
    retraining_lumps,
    style_axes,
    usd,
    with_alt,
)

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .capstone import CapstoneAnswer
    from .cost_model import Curves, Scenario
    from .sensitivity import MonteCarloResult

__all__ = [
    "capstone_figure",
    "cost_curve_series",
    "cost_curves_figure",
    "draw_cost_curves",
    "monte_carlo_figure",
    "payback_sentence",
    "tornado_figure",
    "update_cost_curves",
]

_LOW_STYLE = {"color": OKABE_ITO["sky_blue"], "hatch": "///", "edgecolor": OKABE_ITO["blue"],
              "label": "assumption at its low end"}
_HIGH_STYLE = {"color": OKABE_ITO["orange"], "edgecolor": OKABE_ITO["vermillion"],
               "label": "assumption at its high end"}


def _shown(fig: Figure, alt: str | None = None) -> Figure:
    """Let Jupyter show ``fig`` as a PNG with a text alternative when it is a cell's value.

    The figures are made without pyplot, so IPython has no formatter for them; an instance
    ``_repr_png_`` gives it one, and :func:`~ftroi_helpers.plots.with_alt` an ``<img alt>``.
    """
    fig._repr_png_ = partial(figure_to_png, fig)  # type: ignore[attr-defined]
    return with_alt(fig, alt) if alt else fig


def tornado_figure(table: pd.DataFrame, labels: dict[str, str] | None = None,
                   deadline_months: float | None = None) -> Figure:
    """Horizontal bars: how far each assumption's low and high end move the answer.

    Parameters
    ----------
    table : DataFrame from :func:`ftroi_helpers.sensitivity.tornado` (either metric)
    labels : field name -> label with units (default
        :data:`ftroi_helpers.sensitivity.ASSUMPTION_LABELS`)
    deadline_months : optional deadline to mark on a payback chart (e.g. 3, "a quarter")

    Returns
    -------
    matplotlib.figure.Figure
        Largest swing at the top, a line at the scenario's own value, and ends with no payback
        within the horizon drawn to the horizon and marked "never".

    Examples
    --------
    >>> from ftroi_helpers.sensitivity import tornado
    >>> fig = tornado_figure(tornado())
    >>> fig.get_suptitle()
    'Data preparation (USD, one-time) moves the payback most'
    """
    from matplotlib.ticker import MaxNLocator

    from .sensitivity import ASSUMPTION_LABELS

    labels = ASSUMPTION_LABELS if labels is None else labels
    metric = table.attrs.get("metric", "payback_months")
    base = never_to_inf(table.attrs.get("base_value", 0.0))  # inf: never, drawn at the cap
    horizon = int(table.attrs.get("horizon_months", 12))
    payback = metric == "payback_months"
    fig, ax = new_figure(8.0, 0.45 * len(table) + 1.6)
    fig.subplots_adjust(left=0.36, right=0.93, top=1 - 0.55 / fig.get_figheight(),
                        bottom=0.6 / fig.get_figheight())
    y = np.arange(len(table))[::-1]                    # largest swing on top
    cap = float(horizon) if payback else math.inf
    base_drawn = min(base, cap)
    for end, style in (("low", _LOW_STYLE), ("high", _HIGH_STYLE)):
        # <NA> (never) drawn to the cap and labelled "never"
        values = table[f"{metric}_at_{end}"].to_numpy(dtype=float, na_value=math.inf)
        drawn = np.minimum(values, cap)
        offset = 0.2 if end == "low" else -0.2
        ax.barh(y + offset, drawn - base_drawn, left=base_drawn, height=0.38, **style)
        for yi, v, d in zip(y, values, drawn, strict=True):
            if math.isinf(v):
                ax.annotate("never", (d, yi + offset), xytext=(3, 0), textcoords="offset points",
                            va="center", fontsize=8)
    top = labels.get(table["assumption"].iloc[0], table["assumption"].iloc[0])
    if payback:
        base_text = "never" if math.isinf(base) else f"{base:.1f} months"
        if "swing_months" in table and is_never(table["swing_months"].iloc[0]):  # never at an end
            title = f"{top} decides whether it pays back within {horizon} months"
        else:
            title = f"{top} moves the payback most"
        xlabel = f"payback (months; 'never' = not within {horizon} months)"
        money = None
    else:
        base_text = f"${base:,.0f}"
        title = f"{top} moves the savings most"
        xlabel = f"net savings after {horizon} months (USD)"
        money = "x"
    ax.axvline(base_drawn, color=OKABE_ITO["black"], linewidth=1.2,
               label=f"scenario as set: {base_text}")
    if payback and deadline_months is not None:
        ax.axvline(deadline_months, color=OKABE_ITO["vermillion"], linestyle=":", linewidth=1.5,
                   label=f"deadline: {deadline_months:g} months")
    ax.set_yticks(y)
    ax.set_yticklabels([f"{labels.get(a, a)}\n{plain_number(lo)} to {plain_number(hi)}"
                        for a, lo, hi in zip(table["assumption"], table["low"], table["high"],
                                             strict=True)], fontsize=8)
    style_axes(ax, title="", xlabel=xlabel, ylabel="", money_axis=money)
    ax.xaxis.set_major_locator(MaxNLocator(6))
    # the title spans the figure (the bar labels take the left of it); it states the answer
    fig.suptitle(title[:1].upper() + title[1:], x=0.02, ha="left", fontsize=12, fontweight="bold")
    ax.legend(frameon=False, loc="lower right", fontsize=8)
    return _shown(fig, tornado_alt(table, labels))


def tornado_alt(table: pd.DataFrame, labels: dict[str, str] | None = None, top: int = 3) -> str:
    """A text alternative for :func:`tornado_figure`: the answer and the largest swings.

    >>> from ftroi_helpers.sensitivity import tornado
    >>> tornado_alt(tornado()).startswith("Tornado chart of the payback (months)")
    True
    """
    from .sensitivity import ASSUMPTION_LABELS

    labels = ASSUMPTION_LABELS if labels is None else labels
    metric = table.attrs.get("metric", "payback_months")
    base = table.attrs.get("base_value", 0.0)
    payback = metric == "payback_months"

    def value(v: float | None) -> str:
        if payback:
            return "never" if is_never(v) else f"{v:.1f} months"
        return usd(v)

    what = "the payback (months)" if payback else "the net savings (USD)"
    parts = []
    for _, row in table.head(top).iterrows():
        name = labels.get(row["assumption"], row["assumption"])
        parts.append(f"{name} from {plain_number(row['low'])} to {plain_number(row['high'])} gives "
                     f"{value(row[f'{metric}_at_low'])} to {value(row[f'{metric}_at_high'])}")
    return (f"Tornado chart of {what} for {len(table)} assumptions, each moved alone to the "
            f"low and the high end of its range, the largest swing at the top. The scenario as "
            f"set gives {value(base)}. Largest swings: " + "; ".join(parts) + ".")


def monte_carlo_figure(result: MonteCarloResult) -> Figure:
    """Share of draws that have paid back by each month, with the deadline marked.

    Examples
    --------
    >>> from ftroi_helpers.sensitivity import monte_carlo
    >>> fig = monte_carlo_figure(monte_carlo(n_draws=2_000, seed=1))
    >>> fig.axes[0].get_title(loc="left")
    'Payback within 3 months in 46% of 2,000 draws'
    """
    from matplotlib.ticker import PercentFormatter

    fig, ax = new_figure()
    horizon = result.horizon_months
    x = np.linspace(0.0, horizon, 241)
    finite = np.sort(np.ma.compressed(result.payback_months))  # the draws that pay back
    share = np.searchsorted(finite, x, side="right") / result.n_draws
    ax.plot(x, share * 100, color=OKABE_ITO["blue"], linewidth=2.2,
            label="draws paid back by then")
    ax.axvline(result.within_months, color=OKABE_ITO["vermillion"], linestyle=":",
               linewidth=1.5, label=f"deadline: {result.within_months} months")
    p = result.p_payback_within * 100
    ax.plot([result.within_months], [p], linestyle="none", **MARK_STYLE)
    ax.annotate(f"{p:.0f}% by month {result.within_months}", (result.within_months, p),
                xytext=(8, -14), textcoords="offset points", fontsize=10)
    ax.set_xlim(0, horizon)
    ax.set_ylim(0, 100)
    style_axes(ax, title=result.summary(), xlabel="months after the start",
               ylabel="draws paid back (%)", money_axis=None)
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.legend(frameon=False, loc="lower right")
    final = 100 * share[-1]
    alt = (f"Line chart of the share of {result.n_draws:,} draws that have paid back by each "
           f"month, from month 0 to {horizon}: {p:.0f}% by month {result.within_months} (the "
           f"deadline, dotted line) and {final:.0f}% by month {horizon}.")
    return _shown(fig, alt)


def capstone_figure(answer: CapstoneAnswer) -> Figure:
    """The capstone's answer as one figure: the same numbers as its text and calculator.

    The share of Monte Carlo draws that have paid back by each month, marked at the deadline
    and at 12 months; a dashed line at the share that is still ahead at the horizon (lower
    when draws pay back and then fall behind); and the point values' payback month. The title
    is :meth:`~ftroi_helpers.capstone.CapstoneAnswer.title`.

    Examples
    --------
    >>> from ftroi_helpers.capstone import capstone_answer
    >>> a = capstone_answer(n_draws=2_000)
    >>> capstone_figure(a).axes[0].get_title(loc="left") == a.title()
    True
    """
    from matplotlib.ticker import PercentFormatter

    from .sensitivity import share_text

    mc = answer.monte_carlo
    fig, ax = new_figure(8.0, 4.2)
    horizon = mc.horizon_months
    x = np.linspace(0.0, horizon, 241)
    finite = np.sort(np.ma.compressed(mc.payback_months))  # the draws that pay back
    share = np.searchsorted(finite, x, side="right") / mc.n_draws
    ax.plot(x, share * 100, color=OKABE_ITO["blue"], linewidth=2.2,
            label="draws paid back by then")
    for months, p in ((answer.deadline_months, answer.p_within_deadline),
                      (answer.year_months, answer.p_within_year)):
        ax.plot([months], [p * 100], linestyle="none", **MARK_STYLE)
        ax.annotate(f"{share_text(p)} by month {months}", (months, p * 100),
                    xytext=(-8 if months > 0.7 * horizon else 8, 8),
                    textcoords="offset points", fontsize=10,
                    horizontalalignment="right" if months > 0.7 * horizon else "left")
    ax.axhline(answer.p_ahead_at_horizon * 100, color=OKABE_ITO["vermillion"], linestyle="--",
               linewidth=1.5, label=f"still ahead at month {horizon}: "
               f"{share_text(answer.p_ahead_at_horizon)}")
    if answer.payback_month is not None:
        ax.axvline(answer.payback_months, color=OKABE_ITO["bluish_green"], linestyle=":",
                   linewidth=1.5, label=f"point values: payback month {answer.payback_month}")
    ax.set_xlim(0, horizon)
    ax.set_ylim(0, 100)
    style_axes(ax, title=answer.title(), xlabel="months after the start",
               ylabel="draws paid back (%)", money_axis=None)
    ax.yaxis.set_major_formatter(PercentFormatter(100))
    ax.legend(frameon=False, loc="upper left", fontsize=9)
    return _shown(fig)


def cost_curve_series(scenario: Scenario, curves: Curves, row: int = 0) -> dict[str, Any]:
    """Cumulative-cost lines from month 0 for one row of :func:`ftroi_helpers.cost_model.simulate`.

    At month 0 prompting has cost nothing and fine-tuning its one-time cost (paid at the
    start), so the lines are exact within month 1. A retraining is paid at the start of its
    month, so it is a vertical step: that month boundary appears twice in ``month``, before
    and after the payment. Returns ``month``, ``prompting``, ``finetune`` (arrays),
    ``payback_months`` (float, or None when it never pays back within the horizon) and
    ``alt`` (a text alternative).

    >>> from ftroi_helpers.cost_model import Scenario, simulate
    >>> s = Scenario(hosted_cost_per_1k_req=3.0)
    >>> series = cost_curve_series(s, simulate(s))
    >>> series["finetune"][:2].tolist(), series["payback_months"]
    ([400.0, 800.0], 2.0)
    """
    months = np.arange(0, scenario.horizon_months + 1, dtype=float)
    prompting = np.concatenate([[0.0], curves.prompting_cumulative_usd[row]])
    finetune = np.concatenate([[scenario.one_time_usd], curves.finetune_cumulative_usd[row]])
    lumps = retraining_lumps(scenario, curves.finetune_usd[row])
    payback = never_or_float(curves.payback_months.filled(np.inf)[row])  # None: never
    x, p, f = cumulative_steps(months, prompting, finetune, lumps)
    return {"month": x, "prompting": p, "finetune": f, "payback_months": payback,
            "alt": cost_curve_alt(months, prompting, finetune, lumps, payback)}


def payback_sentence(scenario: Scenario, curves: Curves, row: int = 0) -> tuple[str, str]:
    """The result sentence and a short figure title for one row of a simulation.

    Says when fine-tuning pays back, and warns when it pays back and then falls behind again
    (as it can when hosted prices keep falling).

    >>> from ftroi_helpers.cost_model import Scenario, simulate
    >>> s = Scenario(hosted_cost_per_1k_req=3.0)
    >>> payback_sentence(s, simulate(s))[0]
    'Fine-tuning pays back in month 2 (after 2.0 months) and is $2,000 ahead after 12 months'
    """
    month = int(curves.payback_month[row])
    frac = float(curves.payback_months.filled(np.inf)[row])  # (used only where it pays back)
    net = float(curves.prompting_cumulative_usd[row, -1] - curves.finetune_cumulative_usd[row, -1])
    horizon = scenario.horizon_months
    if month == 0:
        return (f"Fine-tuning does not pay back within {horizon} months "
                f"(it is {usd(-net)} behind at the end)",
                f"No payback within {horizon} months")
    if net < 0:
        return (f"Fine-tuning pays back in month {month} but falls behind again: "
                f"{usd(-net)} behind after {horizon} months",
                f"Pays back in month {month}, then falls behind")
    return (f"Fine-tuning pays back in month {month} (after {frac:.1f} months) and is "
            f"{usd(net)} ahead after {horizon} months",
            f"Fine-tuning pays back in month {month}")


def cost_curves_figure(scenario: Scenario) -> Figure:
    """Cumulative cost of prompting and of fine-tuning from month 0, payback marked.

    The same lines the lesson 05 and 06 calculators draw; the title states the answer.

    >>> from ftroi_helpers.cost_model import Scenario
    >>> fig = cost_curves_figure(Scenario(hosted_cost_per_1k_req=3.0))
    >>> fig.axes[0].get_title(loc="left")
    'Fine-tuning pays back in month 2'
    """
    from .cost_model import Scenario, simulate
    from .validation import short_repr

    if not isinstance(scenario, Scenario):
        raise TypeError(f"scenario must be a Scenario, got {short_repr(scenario)} "
                        f"({type(scenario).__name__})")
    curves = simulate(scenario)
    fig, ax = new_figure()
    series = cost_curve_series(scenario, curves)
    draw_cost_curves(ax, series)
    ax.set_title(payback_sentence(scenario, curves)[1], loc="left", fontsize=12,
                 fontweight="bold")
    return _shown(fig, series["alt"])


def draw_cost_curves(ax: Axes, series: dict[str, Any]) -> dict[str, Any]:
    """Draw both cumulative-cost lines and the payback marker; return the artists."""
    (p_line,) = ax.plot(series["month"], series["prompting"], **PROMPTING_STYLE)
    (f_line,) = ax.plot(series["month"], series["finetune"], **FINETUNE_STYLE)
    (mark,) = ax.plot([], [], linestyle="none", **MARK_STYLE)
    label = ax.annotate("", (0, 0), xytext=(8, -16), textcoords="offset points", fontsize=10)
    style_axes(ax, title="", xlabel="month", ylabel="cumulative cost (USD)")
    artists = {"prompting": p_line, "finetune": f_line, "mark": mark, "label": label}
    update_cost_curves(ax, artists, series)
    return artists


def update_cost_curves(ax: Axes, artists: dict[str, Any], series: dict[str, Any]) -> None:
    """Move the lines and the marker of :func:`draw_cost_curves` to new data (no new artists)."""
    artists["prompting"].set_data(series["month"], series["prompting"])
    artists["finetune"].set_data(series["month"], series["finetune"])
    x = series["payback_months"]
    if x is not None and math.isfinite(x):
        y = float(np.interp(x, series["month"], series["prompting"]))
        artists["mark"].set_data([x], [y])
        artists["label"].xy = (x, y)
        artists["label"].set_text(f"payback after {x:.1f} months")
        # keep the label inside the axes: above the marker near the bottom of the chart, to its
        # left near the right-hand end
        top = max(float(np.max(series["prompting"])), float(np.max(series["finetune"])))
        right = x > 0.7 * float(series["month"][-1])
        artists["label"].xyann = (-8 if right else 8, 8 if y < 0.15 * top else -16)
        artists["label"].set_horizontalalignment("right" if right else "left")
    else:
        artists["mark"].set_data([], [])
        artists["label"].set_text("")
    ax.relim()
    ax.autoscale_view()
