"""Widget calculators: each lesson cell is a single call, e.g. ``calculators.break_even()``.

Every calculator is a :class:`~ftroi_helpers.calculators._base.Calculator` (an ipywidgets
``VBox``): labelled controls with units, a one-sentence result that an invalid setting replaces
with its message, and a figure redrawn in place. Its ``set(**values)`` and ``result_text`` make it
testable without a browser.
"""

from __future__ import annotations

from ._base import Calculator, Outcome
from .breakeven import break_even, break_even_days

__all__ = ["Calculator", "Outcome", "break_even", "break_even_days"]
