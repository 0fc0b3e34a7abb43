"""Calculators for lesson 04: quality-adjusted cost, and the noise in a held-out eval."""

from __future__ import annotations

from ..formatting import usd
from ..plots import FINETUNE_STYLE, OKABE_ITO, PROMPTING_STYLE, style_axes
from ..quality import compare_evals, min_examples_to_detect, quality_adjusted_comparison
from ..validation import require_int, require_nonnegative
from ._base import Calculator, Outcome, field_label, float_slider, int_slider, number_box

__all__ = ["eval_noise", "eval_noise_outcome", "quality_cost", "quality_cost_outcome"]

_OPTIONS = ("prompting", "fine-tuned")


def _pct_to_fraction(name: str, value: float, *, allow_zero: bool = False) -> float:
    """A percentage control (0-100) as a fraction, with messages in the control's own units."""
    x = require_nonnegative(name, value)
    if not isinstance(x, float):
        raise TypeError(f"{name} must be a single number, got {value!r}")
    if x > 100:
        raise ValueError(f"{name} must be <= 100, got {value!r}")
    if x == 0 and not allow_zero:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    if x > 0 and x / 100 == 0:
        raise ValueError(f"{name} is too small to compute with (at least 1e-300), got {value!r}")
    return x / 100


def _per_request(x: float) -> str:
    """A small USD amount with enough decimals to read ($0.000150)."""
    return usd(x, 6) if x < 0.01 else usd(x, 4)


# --------------------------------------------------------------------------------------------
# Quality-adjusted cost
# --------------------------------------------------------------------------------------------


def quality_cost_outcome(prompt_cost_per_request_usd: float, prompt_accuracy_pct: float,
                         finetuned_cost_per_request_usd: float, finetuned_accuracy_pct: float,
                         usd_per_error: float, requests_per_month: float) -> Outcome:
    """The quality-cost calculator's result: cost per correct answer and per month with errors.

    >>> quality_cost_outcome(0.00015, 90, 0.00012, 94.5, 0.05, 300_000).sentence
    'Per correct answer: prompting $0.000167, fine-tuned $0.000127. Errors included ($0.05 each), prompting costs $1,545 and fine-tuned $861 a month: fine-tuned is cheaper by $684 a month.'
    """
    comparison = quality_adjusted_comparison(
        prompt_cost_per_request_usd,
        _pct_to_fraction("prompt_accuracy_pct", prompt_accuracy_pct),
        finetuned_cost_per_request_usd,
        _pct_to_fraction("finetuned_accuracy_pct", finetuned_accuracy_pct),
        usd_per_error, requests_per_month)
    t = comparison.table()
    sentence = (f"Per correct answer: prompting "
                f"{_per_request(comparison.prompt_cost_per_correct_usd)}, fine-tuned "
                f"{_per_request(comparison.finetuned_cost_per_correct_usd)}. "
                f"{comparison.summary()}")
    if comparison.cheaper == "neither":
        title = "Both cost the same once errors are priced in"
    else:
        title = (f"{comparison.cheaper.capitalize()} is cheaper by "
                 f"{usd(abs(comparison.monthly_saving_usd))} a month, errors included")
    calls = (t["cost_per_request_usd"] * comparison.requests_per_month).tolist()
    errors = (t["error_cost_per_request_usd"] * comparison.requests_per_month).tolist()
    return Outcome(sentence, {"comparison": comparison, "calls_usd": calls, "errors_usd": errors},
                   title=title)


def _draw_quality(ax, outcome: Outcome) -> dict:
    calls, errors = outcome.data["calls_usd"], outcome.data["errors_usd"]
    x = [0, 1]
    call_bars = ax.bar(x, calls, width=0.55, color=OKABE_ITO["sky_blue"],
                       edgecolor=OKABE_ITO["black"], label="calls (tokens)")
    error_bars = ax.bar(x, errors, width=0.55, bottom=calls, color=OKABE_ITO["orange"],
                        edgecolor=OKABE_ITO["black"], hatch="//", label="errors")
    style_axes(ax, title="", xlabel="", ylabel="USD per month")
    ax.set_xticks(x, list(_OPTIONS))
    for tick, style in zip(ax.get_xticklabels(), (PROMPTING_STYLE, FINETUNE_STYLE), strict=True):
        tick.set_color(style["color"])
    artists = {"calls": list(call_bars), "errors": list(error_bars)}
    _redraw_quality(ax, artists, outcome)
    return artists


def _redraw_quality(ax, artists: dict, outcome: Outcome) -> None:
    calls, errors = outcome.data["calls_usd"], outcome.data["errors_usd"]
    for bar, c in zip(artists["calls"], calls, strict=True):
        bar.set_height(c)
    for bar, c, e in zip(artists["errors"], calls, errors, strict=True):
        bar.set_y(c)
        bar.set_height(e)
    top = max(c + e for c, e in zip(calls, errors, strict=True))
    ax.set_ylim(0, top * 1.15 if top > 0 else 1.0)


def quality_cost(prompt_cost_per_request_usd: float = 0.00015, prompt_accuracy_pct: float = 90.0,
                 finetuned_cost_per_request_usd: float = 0.00012,
                 finetuned_accuracy_pct: float = 94.5, usd_per_error: float = 0.05,
                 requests_per_month: int = 300_000) -> Calculator:
    """Cost per correct answer and per month once an error costs money.

    Defaults: the crossover guide's sentiment row at its midpoints (90% prompted, 94.5% fine-tuned), its
    10K requests/day (300,000 a month), and gpt-4o-mini per-request costs for its 800-token
    few-shot and 200-token fine-tuned prompts. The $0.05 error cost is an assumption.

    >>> calc = quality_cost()
    >>> calc.outcome.data["comparison"].cheaper
    'fine-tuned'
    >>> calc.set(finetuned_cost_per_request_usd=-1)
    >>> calc.result_text
    'finetuned_cost_per_request_usd must be >= 0, got -1'
    """
    controls = {
        "prompt_cost_per_request_usd": number_box("Prompting: cost per request (USD)",
                                                  prompt_cost_per_request_usd),
        "prompt_accuracy_pct": float_slider("Prompting: accuracy (%)", prompt_accuracy_pct,
                                            50, 100, 0.5, ".1f"),
        "finetuned_cost_per_request_usd": number_box("Fine-tuned: cost per request (USD)",
                                                     finetuned_cost_per_request_usd),
        "finetuned_accuracy_pct": float_slider("Fine-tuned: accuracy (%)",
                                               finetuned_accuracy_pct, 50, 100, 0.5, ".1f"),
        "usd_per_error": float_slider("Cost of one wrong answer (USD)", usd_per_error,
                                      0, 5, 0.01, ",.2f"),
        "requests_per_month": int_slider(field_label("requests_per_month"), requests_per_month,
                                         0, 3_000_000, 10_000),
    }
    return Calculator("Quality-adjusted cost: what a wrong answer adds", controls,
                      quality_cost_outcome, _draw_quality, _redraw_quality)


# --------------------------------------------------------------------------------------------
# Noise in a held-out eval
# --------------------------------------------------------------------------------------------


def eval_noise_outcome(held_out_examples: int, baseline_accuracy_pct: float,
                       finetuned_accuracy_pct: float) -> Outcome:
    """The eval-noise calculator's result: both scores with 95% intervals, and the verdict.

    Accuracies are rounded to whole examples of the held-out set.

    >>> eval_noise_outcome(400, 90, 93).sentence
    'On 400 held-out examples: baseline 90.0%, fine-tuned 93.0% (+3.0 points; 95% interval -0.9 to +6.9). The difference is within the sampling noise: no claim either way. To detect a 3.0-point gain reliably, score about 1,356 examples per model.'
    """
    n = require_int("held_out_examples", held_out_examples, minimum=1)
    base = _pct_to_fraction("baseline_accuracy_pct", baseline_accuracy_pct, allow_zero=True)
    ft = _pct_to_fraction("finetuned_accuracy_pct", finetuned_accuracy_pct, allow_zero=True)
    c = compare_evals(n, round(base * n), round(ft * n))
    sentence = c.summary()
    gain = c.difference
    if not c.distinguishable and 0 < gain and 0 < c.baseline_accuracy:
        needed = min_examples_to_detect(c.baseline_accuracy, gain)
        sentence += (f" To detect a {100 * gain:.1f}-point gain reliably, score about "
                     f"{needed:,} examples per model.")
    if c.distinguishable:
        title = f"{100 * abs(gain):.1f} points apart: beyond the noise on {n:,} examples"
    else:
        title = f"Within the noise on {n:,} examples: no claim either way"
    return Outcome(sentence, {"comparison": c}, title=title, alt=_noise_alt(c))


def _draw_noise(ax, outcome: Outcome) -> dict:
    """The difference (fine-tuned minus baseline) with its 95% interval, against zero.

    The verdict rests on the interval of the *difference*, so that is what is drawn: two
    separate intervals invite the overlap fallacy (they can overlap while the difference's
    interval excludes zero).
    """
    (bar,) = ax.plot([0, 0], [0, 0], color=FINETUNE_STYLE["color"], linewidth=3, marker="|",
                     markersize=22, markeredgewidth=3, label="95% interval of the difference")
    (dot,) = ax.plot([0], [0], color=FINETUNE_STYLE["color"], marker="o", markersize=10,
                     linestyle="none", label="measured difference")
    ax.axvline(0, color=OKABE_ITO["black"], linewidth=1.2, linestyle=":")
    zero = ax.annotate("no difference", (0, 0.62), xytext=(4, 0), textcoords="offset points",
                       fontsize=9, va="center")
    style_axes(ax, title="", xlabel="fine-tuned minus baseline (accuracy points)", ylabel="",
               money_axis=None)
    ax.set_yticks([])
    ax.set_ylim(-1, 1)
    ax.legend(frameon=False, loc="lower right", fontsize=9)
    artists = {"bar": bar, "dot": dot, "zero": zero}
    _redraw_noise(ax, artists, outcome)
    return artists


def _redraw_noise(ax, artists: dict, outcome: Outcome) -> None:
    c = outcome.data["comparison"]
    lo, hi = (100 * v for v in c.difference_interval)
    d = 100 * c.difference
    artists["bar"].set_data([lo, hi], [0, 0])
    artists["dot"].set_data([d], [0])
    span = max(hi - lo, 2.0)
    left, right = min(lo, 0.0) - 0.25 * span, max(hi, 0.0) + 0.25 * span
    ax.set_xlim(left, right)


def _noise_alt(c) -> str:
    lo, hi = (100 * v for v in c.difference_interval)
    where = ("excludes zero: the difference is beyond the sampling noise" if c.distinguishable
             else "includes zero: the difference is within the sampling noise")
    return (f"Chart of the measured difference, fine-tuned minus baseline, on "
            f"{c.n_examples:,} held-out examples: {100 * c.difference:+.1f} points, with a 95% "
            f"interval from {lo:+.1f} to {hi:+.1f} points, drawn against a dotted line at zero. "
            f"The interval {where}.")


def eval_noise(held_out_examples: int = 400, baseline_accuracy_pct: float = 90.0,
               finetuned_accuracy_pct: float = 93.0) -> Calculator:
    """Two accuracies on one held-out set: are they really different?

    Defaults: the crossover guide's sentiment row -- prompting about 90%, a +3-point gain (the low end of
    its +3-6%) -- on 400 held-out examples, 20% of the 2,000 examples its fine-tunes used.

    >>> calc = eval_noise()
    >>> calc.outcome.data["comparison"].distinguishable
    False
    >>> calc.set(held_out_examples=4_000)
    >>> calc.outcome.data["comparison"].distinguishable
    True
    """
    controls = {
        "held_out_examples": int_slider("Held-out examples (scored by both models)",
                                        held_out_examples, 20, 5_000, 20),
        "baseline_accuracy_pct": float_slider("Prompted baseline: accuracy (%)",
                                              baseline_accuracy_pct, 50, 100, 0.5, ".1f"),
        "finetuned_accuracy_pct": float_slider("Fine-tuned: accuracy (%)",
                                               finetuned_accuracy_pct, 50, 100, 0.5, ".1f"),
    }
    return Calculator("Eval noise: is the fine-tune really better?", controls,
                      eval_noise_outcome, _draw_noise, _redraw_noise)
