"""Self-check questions with instant feedback, for lessons.

``ask("L1.2")`` shows a multiple-choice question with a Check button; the learner gets right or
wrong plus a one-line reason. The questions live in ``data/questions/*.json`` inside the package,
not in the notebook, and the key is stored only as a salted SHA-256 hash of the right letter, so
reading the notebook (or the JSON) does not reveal it.

A question file maps ids to entries::

    {"L1.2": {"question": "...",
              "choices": {"A": "...", "B": "..."},
              "answer_sha256": answer_hash("L1.2", "B"),
              "why": {"A": "one-line reason", "B": "one-line reason"}}}
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["Feedback", "answer_hash", "ask", "grade_choice", "normalise_choice", "questions"]

_SALT = "ftroi-selfcheck-v1"


def normalise_choice(answer: Any) -> str:
    """Upper-case a letter answer and strip spaces and quotes.

    >>> normalise_choice(" b ")
    'B'
    """
    if not isinstance(answer, str):
        from .validation import short_repr

        raise TypeError(f"answer must be a letter such as 'B', got {short_repr(answer)} "
                        f"({type(answer).__name__})")
    return answer.strip().strip("'\"").strip().upper()


def answer_hash(question_id: str, letter: str) -> str:
    """Salted SHA-256 of a question's letter answer (what the key stores).

    >>> answer_hash("L1.1", "a") == answer_hash("L1.1", " A ")
    True
    """
    text = f"{_SALT}:{question_id}:{normalise_choice(letter)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def questions() -> dict[str, dict[str, Any]]:
    """Every lesson question, by id, from the package's ``data/questions`` folder."""
    out: dict[str, dict[str, Any]] = {}
    folder = resources.files("ftroi_helpers").joinpath("data/questions")
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".json"):
            out.update(json.loads(entry.read_text(encoding="utf-8")))
    return out


@dataclass(frozen=True)
class Feedback:
    """The result of checking one answer."""

    correct: bool
    message: str


def _question(question_id: str) -> dict[str, Any]:
    from .validation import short_repr

    if not isinstance(question_id, str):
        raise TypeError(f"question_id must be a question's id such as 'L1.2', got "
                        f"{short_repr(question_id)} ({type(question_id).__name__})")
    bank = questions()
    if question_id not in bank:
        raise ValueError(f"question_id must be one of the workbook's questions (such as "
                         f"'L1.2'), got {short_repr(question_id)}")
    return bank[question_id]


def grade_choice(question_id: str, answer: Any) -> Feedback:
    """Check a letter answer; the message says right or wrong and why.

    An answer that is not one of the choices gets a message listing them (no exception), so a
    typo reads as feedback, not as a traceback.
    """
    q = _question(question_id)
    letter = normalise_choice(answer)
    if letter not in q["choices"]:
        listed = ", ".join(q["choices"])
        from .validation import short_repr

        return Feedback(False, f"{short_repr(answer.strip(), 40)} is not one of the choices "
                               f"({listed}).")
    correct = answer_hash(question_id, letter) == q["answer_sha256"]
    why = q.get("why", {}).get(letter, "")
    head = "Right." if correct else "Not quite."
    return Feedback(correct, f"{head} {why}".strip())


def ask(question_id: str):
    """Show a question with its choices, a Check button and the feedback beside it."""
    import ipywidgets as widgets

    q = _question(question_id)
    options = [(f"{k}. {v}", k) for k, v in q["choices"].items()]
    picker = widgets.RadioButtons(options=options, value=None,
                                  layout=widgets.Layout(width="auto"))
    button = widgets.Button(description="Check", button_style="primary", icon="check")
    feedback = widgets.HTML()

    def on_click(_b: Any = None) -> None:
        if picker.value is None:
            feedback.value = "<i>Pick an answer first.</i>"
            return
        result = grade_choice(question_id, picker.value)
        colour = "#00703c" if result.correct else "#a00000"
        feedback.value = (f"<div class='ftroi-feedback' style='color:{colour}'>"
                          f"{html.escape(result.message)}</div>")

    button.on_click(on_click)
    title = widgets.HTML(f"<b>{html.escape(question_id)}.</b> {html.escape(q['question'])}")
    box = widgets.VBox([title, picker, widgets.HBox([button, feedback])])
    box.add_class("ftroi-question")
    box.check = on_click  # type: ignore[attr-defined]  # lets tests press the button
    box.picker = picker  # type: ignore[attr-defined]
    box.feedback = feedback  # type: ignore[attr-defined]
    return box
