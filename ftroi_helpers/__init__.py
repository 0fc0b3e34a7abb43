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
    "breakeven_days": "breakeven",
    "explain_breakeven": "breakeven",
    # tokens
    "request_cost": "tokens",
    "monthly_tokens": "tokens",
    "monthly_inference_savings": "tokens",
    # training and hosting
    "training_cost_tokens": "training",
    "training_cost_gpu": "training",
    "self_hosted_cost_per_1k_req": "hosting",
    "hosting_cost_per_month": "hosting",
    "HOURS_PER_MONTH": "hosting",
    # total cost of ownership
    "Scenario": "tco",
    "TCOResult": "tco",
    "tco": "tco",
    "simulate": "tco",
    "replace": "tco",
    # price data
    "load_prices": "prices",
    "price_row": "prices",
    # self-check
    "ask": "selfcheck",
    "check": "selfcheck",
}

_SUBMODULES = {
    "breakeven", "tokens", "training", "hosting", "tco", "prices", "validation", "selfcheck",
    "plots", "calculators", "sensitivity", "decision", "quality", "cli",
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
