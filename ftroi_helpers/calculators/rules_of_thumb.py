"""Calculator for lessons 04 and 06: the crossover guide's five-question decision tree."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from ..rules_of_thumb import decision_tree as _decision_tree
from ..validation import require_choice
from ._base import Calculator, Outcome, checkbox, dropdown, float_slider, number_box

__all__ = ["decision_tree", "decision_tree_outcome"]

#: Dropdown answers for question 5 and the value each passes to :func:`decision.decision_tree`.
EVAL_ANSWERS = {"unknown (no eval yet)": None, "yes": True, "no": False}


def decision_tree_outcome(requests_per_day: float, labeled_examples: float,
                          quality_gap_pct: float, format_or_style_task: bool,
                          finetune_improves_eval: str = "unknown (no eval yet)") -> Outcome:
    """The decision-tree calculator's result for given control values.

    ``finetune_improves_eval`` is the dropdown's text: "yes", "no" or "unknown (no eval yet)".
    The outcome's ``data["path"]`` lists the questions asked with their answers.

    >>> decision_tree_outcome(10_000, 500, 8, True, "unknown (no eval yet)").sentence
    'Recommendation: fine-tune. Fine-tune -- format tasks benefit most.'
    >>> decision_tree_outcome(10_000, 500, 8, False, "no").data["path"][-1]
    '5. Fine-tuning improves quality on the eval set? no'
    """
    answer = require_choice("finetune_improves_eval", finetune_improves_eval, EVAL_ANSWERS)
    d = _decision_tree(requests_per_day, labeled_examples, quality_gap_pct,
                       format_or_style_task, EVAL_ANSWERS[answer])
    return Outcome(d.summary(), {"decision": d, "path": list(d.path)})


class _DecisionCalculator(Calculator):
    """A :class:`Calculator` that also lists the path through the tree under the result."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.path_box = widgets.HTML()
        self.path_box.add_class("ftroi-path")
        super().__init__(*args, **kwargs)
        self.children = (*self.children, self.path_box)

    def update(self) -> None:
        super().update()
        if self.outcome is None:
            self.path_box.value = ""
            return
        items = "".join(f"<li>{html.escape(step)}</li>" for step in self.outcome.data["path"])
        self.path_box.value = (
            "<div style='margin-top:0.3em'><b>Questions asked, in order:</b>"
            f"<ul style='list-style:none;padding-left:0.5em;margin:0.2em 0'>{items}</ul></div>"
        )

    @property
    def path(self) -> list[str]:
        """The path shown (empty while an error is shown)."""
        return list(self.outcome.data["path"]) if self.outcome else []


def decision_tree(requests_per_day: float = 10_000, labeled_examples: int = 500,
                  quality_gap_pct: float = 8.0, format_or_style_task: bool = False,
                  finetune_improves_eval: str | bool | None = "unknown (no eval yet)",
                  ) -> Calculator:
    """The crossover guide's decision tree as a widget: answer the five questions, read the exit.

    ``finetune_improves_eval`` may be the dropdown's text or True/False/None.

    The defaults are the crossover guide's inference-table volume (10K requests/day), 500 examples (the
    low end of its fine-tuning sets), prompting 8 points short of target, on a task that is not
    format/style and with no eval yet -- so the tree stops at question 5.

    >>> calc = decision_tree()
    >>> calc.result_text
    'Recommendation: run the eval first. Question 5 needs an eval result: score the prompted baseline and a fine-tuned candidate on the same held-out set, then answer it.'
    >>> calc.set(requests_per_day=1_000)
    >>> calc.path
    ['1. Daily volume > 1,000 requests? no']
    """
    if finetune_improves_eval is None or isinstance(finetune_improves_eval, bool):
        finetune_improves_eval = {None: "unknown (no eval yet)", True: "yes",
                                  False: "no"}[finetune_improves_eval]
    require_choice("finetune_improves_eval", finetune_improves_eval, EVAL_ANSWERS)
    controls = {
        "requests_per_day": number_box("1. Daily volume (requests per day)", requests_per_day),
        "labeled_examples": number_box("2. High-quality labeled examples (count)",
                                       labeled_examples),
        "quality_gap_pct": float_slider(
            "3. Gap between prompting and your target (percentage points)", quality_gap_pct,
            0, 50, 0.5, ".1f"),
        "format_or_style_task": checkbox("4. Task is primarily format/style (not reasoning)",
                                         format_or_style_task),
        "finetune_improves_eval": dropdown("5. Fine-tuning improves quality on your eval set?",
                                           list(EVAL_ANSWERS), finetune_improves_eval),
    }
    return _DecisionCalculator("Prompt or fine-tune? The crossover guide's decision tree", controls,
                               decision_tree_outcome)
