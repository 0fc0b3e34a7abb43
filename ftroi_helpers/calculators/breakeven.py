"""Calculators for lesson 01: break-even in requests and in days."""

from __future__ import annotations

from ..breakeven import breakeven_days, explain_breakeven, explain_breakeven_days
from ..plots import breakeven_alt, breakeven_series, draw_breakeven, update_breakeven
from ._base import Calculator, Outcome, field_label, float_slider, int_slider

__all__ = ["break_even", "break_even_days", "break_even_outcome", "break_even_days_outcome"]


def break_even_outcome(hosted_cost_per_1k_req: float, self_hosted_cost_per_1k_req: float,
                       one_time_finetune_cost: float) -> Outcome:
    """The break-even calculator's result for given control values.

    >>> break_even_outcome(15, 2, 400).sentence
    'Break even after ~30,769 requests'
    """
    sentence = explain_breakeven(hosted_cost_per_1k_req, self_hosted_cost_per_1k_req,
                                 one_time_finetune_cost)
    x, prompting, finetune, be = breakeven_series(
        hosted_cost_per_1k_req, self_hosted_cost_per_1k_req, one_time_finetune_cost)
    return Outcome(sentence, {"args": (hosted_cost_per_1k_req, self_hosted_cost_per_1k_req,
                                       one_time_finetune_cost),
                              "series": (x, prompting, finetune, be)},
                   alt=breakeven_alt(hosted_cost_per_1k_req, self_hosted_cost_per_1k_req,
                                     one_time_finetune_cost))


def break_even(hosted_cost_per_1k_req: float = 15.0, self_hosted_cost_per_1k_req: float = 2.0,
               one_time_finetune_cost: float = 400.0) -> Calculator:
    """The calculator demo's function as a widget: two per-1k costs and a one-time cost.

    >>> calc = break_even()
    >>> calc.result_text
    'Break even after ~30,769 requests'
    >>> calc.set(self_hosted_cost_per_1k_req=20)
    >>> calc.result_text.startswith("Self-hosting is not cheaper")
    True
    """
    controls = {
        "hosted_cost_per_1k_req": float_slider(
            field_label("hosted_cost_per_1k_req"), hosted_cost_per_1k_req, 0, 50, 0.5),
        "self_hosted_cost_per_1k_req": float_slider(
            field_label("self_hosted_cost_per_1k_req"), self_hosted_cost_per_1k_req, 0, 50, 0.5),
        "one_time_finetune_cost": float_slider(
            "One-time project cost (USD: data + training + eval)", one_time_finetune_cost,
            0, 10_000, 50, ",.0f"),
    }

    def draw(ax, outcome: Outcome):
        return draw_breakeven(ax, *outcome.data["args"])

    def redraw(ax, artists, outcome: Outcome) -> None:
        x, prompting, finetune, be = outcome.data["series"]
        _, self_hosted, one_time = outcome.data["args"]
        update_breakeven(ax, artists, x, prompting, finetune, be, one_time, self_hosted)

    return Calculator("Break-even: one-time cost against per-request savings", controls,
                      break_even_outcome, draw, redraw)


def break_even_days_outcome(prompt_cost_per_call: float, calls_per_day: int,
                            training_cost: float, savings_fraction: float) -> Outcome:
    """The P/V/T/S calculator's result.

    >>> break_even_days_outcome(0.002, 10_000, 300, 0.6).sentence
    'Training pays back after 25.0 days (saving $12.00 a day)'
    """
    days = breakeven_days(prompt_cost_per_call, calls_per_day, training_cost, savings_fraction)
    sentence = explain_breakeven_days(prompt_cost_per_call, calls_per_day, training_cost,
                                      savings_fraction)
    return Outcome(sentence, {"days": days})


def break_even_days(prompt_cost_per_call: float = 0.002, calls_per_day: int = 10_000,
                    training_cost: float = 300.0, savings_fraction: float = 0.6) -> Calculator:
    """The Cost Curves page's question as a widget: prompt cost P per call, V calls/day, training T,
    savings S.

    >>> break_even_days().result_text
    'Training pays back after 25.0 days (saving $12.00 a day)'
    """
    controls = {
        "prompt_cost_per_call": float_slider("P: prompt cost (USD per call)",
                                             prompt_cost_per_call, 0, 0.05, 0.0005, ",.4f"),
        "calls_per_day": int_slider("V: calls per day", calls_per_day, 0, 200_000, 500),
        "training_cost": float_slider("T: training cost (USD, one-time)", training_cost,
                                      0, 10_000, 50, ",.0f"),
        "savings_fraction": float_slider("S: share of per-call cost saved (0-1)",
                                         savings_fraction, 0, 1, 0.05),
    }
    return Calculator("Break-even in days: P, V, T and S", controls, break_even_days_outcome)


