"""ftroi_helpers: the maths, data and widgets behind the ftroi workbook.

Everything a lesson or quiz needs is importable from here::

    >>> from ftroi_helpers import breakeven_requests
    >>> round(breakeven_requests(15, 2, 400))
    30769

Submodules load on first use (PEP 562), so ``import ftroi_helpers`` is fast and never imports
pandas, matplotlib or ipywidgets; those load only when a table, plot or widget is asked for.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> submodule that defines it
_EXPORTS: dict[str, str] = {
    # break-even
    "breakeven_requests": "breakeven",
    "months_to_break_even": "breakeven",
    "breakeven_timeline": "breakeven",
    "breakeven_days": "breakeven",
    "explain_breakeven": "breakeven",
    "explain_breakeven_days": "breakeven",
    # tokens
    "request_cost": "token_costs",
    "monthly_tokens": "token_costs",
    "monthly_inference_savings": "token_costs",
    # counting the tokens of a text (exact for OpenAI's encodings, offline)
    "count_tokens": "tokenizer",
    "estimate_tokens": "tokenizer",
    # training and hosting
    "training_cost_tokens": "training",
    "training_cost_gpu": "training",
    "self_hosted_cost_per_1k_req": "hosting",
    "hosting_cost_per_month": "hosting",
    "HOURS_PER_MONTH": "hosting",
    "gpu_utilization": "hosting",
    "gpu_breakeven_requests_per_month": "hosting",
    # serving capacity from the measured throughput table
    "capacity_rps": "serving",
    "time_per_answer_s": "serving",
    "replicas_needed": "serving",
    # total cost of ownership
    "Scenario": "cost_model",
    "TCOResult": "cost_model",
    "tco": "cost_model",
    "simulate": "cost_model",
    "replace": "cost_model",
    "compare_scenarios": "cost_model",
    # price data
    "load_prices": "prices",
    "price_row": "prices",
    # decision
    "volume_band": "rules_of_thumb",
    "volume_bands_table": "rules_of_thumb",
    "VOLUME_BANDS": "rules_of_thumb",
    "tokens_per_month_rule": "rules_of_thumb",
    "token_rules_table": "rules_of_thumb",
    "decision_tree": "rules_of_thumb",
    "decision_tree_table": "rules_of_thumb",
    "DECISION_TREE": "rules_of_thumb",
    "DATA_QUALITY_CHECKLIST": "rules_of_thumb",
    "check_data_quality": "rules_of_thumb",
    # quality
    "quality_by_task": "quality",
    "task_quality_delta_check": "quality",
    "held_out_split": "quality",
    "accuracy_interval": "quality",
    "difference_interval": "quality",
    "compare_evals": "quality",
    "min_examples_to_detect": "quality",
    "min_examples_to_detect_paired": "paired_eval",
    "simulate_eval": "quality",
    "measured_delta_spread": "quality",
    "cost_per_correct_answer": "quality",
    "expected_cost_per_request": "quality",
    "quality_adjusted_comparison": "quality",
    "smaller_model_matches": "quality",
    "training_set_size": "quality",
    "training_set_sizes_table": "quality",
    # the sources' claims, recomputed
    "inference_savings_table": "sources",
    # sensitivity
    "tornado": "sensitivity",
    "monte_carlo": "sensitivity",
    "MonteCarloResult": "sensitivity",
    "DEFAULT_RANGES": "sensitivity",
    "GPU_BILLED_RANGES": "sensitivity",
    "ASSUMPTION_LABELS": "sensitivity",
    "sweep": "sensitivity",
    "ranges_around": "sensitivity",
    "share_text": "sensitivity",
    "capstone_answer": "capstone",
    "CapstoneAnswer": "capstone",
    # sensitivity_plots
    "tornado_figure": "sensitivity_plots",
    "monte_carlo_figure": "sensitivity_plots",
    "cost_curves_figure": "sensitivity_plots",
    # self-check, predictions, exercises, readable tables
    "ask": "selfcheck",
    "predict": "prediction",
    "check_exercise": "exercises",
    "check_function": "build_it",
    "show_table": "tables",
    "check": "quiz",
}

_SUBMODULES = {
    "breakeven", "token_costs", "training", "hosting", "cost_model", "prices", "validation",
    "selfcheck", "plots", "calculators", "sensitivity", "rules_of_thumb", "quality", "cli",
    "sources", "capstone", "scenario", "quiz", "sensitivity_plots", "tokenizer", "prediction",
    "exercises", "tables", "paired_eval", "eval_stats", "build_it", "misuse",
}

__all__ = sorted(_EXPORTS) + sorted(_SUBMODULES)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    raise AttributeError(f"module 'ftroi_helpers' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
