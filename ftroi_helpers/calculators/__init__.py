"""Widget calculators: each lesson cell is a single call, e.g. ``calculators.break_even()``.

Every calculator is a :class:`~ftroi_helpers.calculators._base.Calculator` (an ipywidgets
``VBox``): labelled controls with units, a one-sentence result that an invalid setting replaces
with its message, and a figure redrawn in place. Its ``set(**values)`` and ``result_text`` make it
testable without a browser.

Each module here holds the calculators of one idea and lists them in its ``__all__``; this
package exposes them all by name, importing a module only when one of its calculators is used.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from typing import Any

from ._base import Calculator, Outcome


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    """calculator name -> module name, from every module's ``__all__``."""
    out: dict[str, str] = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for name in getattr(module, "__all__", ()):
            out[name] = info.name
    return out


def __getattr__(name: str) -> Any:
    if name.startswith("__"):
        # ``hasattr(calculators, "__wrapped__")`` (doctest's finder, inspect.unwrap) must not
        # import every calculator: that would add submodules to ftroi_helpers mid-iteration.
        raise AttributeError(f"ftroi_helpers.calculators has no attribute {name!r}")
    index = _index()
    if name in index:
        return getattr(importlib.import_module(f"{__name__}.{index[name]}"), name)
    raise AttributeError(f"ftroi_helpers.calculators has no calculator {name!r}")


def __dir__() -> list[str]:
    return sorted({"Calculator", "Outcome", *_index()})


__all__ = ["Calculator", "Outcome"]
