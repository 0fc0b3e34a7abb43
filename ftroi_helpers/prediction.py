"""Predict first, then see: a widget that shows a computed answer only after a guess.

A lesson asks a question whose answer a helper computes, for example::

    predict("How many requests repay a USD 800 project at USD 15 vs USD 2 per 1,000?",
            breakeven_requests(15, 2, 800), unit="requests")

An answer of None is "never" (as :func:`~ftroi_helpers.breakeven.breakeven_requests` returns it:
see :mod:`ftroi_helpers.never`); the learner can guess "never" too.

The learner types a guess into a labelled box; the **Reveal** button stays disabled until the box
holds a number. Pressing it shows the computed answer and how close the guess was
(:func:`closeness`), and locks the guess. Nothing in the cell's output holds the answer before
then: it stays in the kernel.

The maths here is :func:`parse_guess` and :func:`closeness`, plain functions a test can call;
:func:`predict` only wires them to widgets (ipywidgets is imported when a widget is made).
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from typing import Any

from .formatting import NEVER, _number_or_never, format_number
from .validation import short_repr

__all__ = ["Closeness", "closeness", "format_number", "parse_guess", "predict"]

_NEVER_WORDS = {"never", "inf", "infinite", "infinity", "no", "none"}

#: What :func:`parse_guess` returns for a guess of "never".


def parse_guess(text: Any) -> float | str | None:
    """A typed guess as a number, ``"never"``, or None when it is not a guess yet.

    Accepts thousands separators, a leading ``$`` or ``USD``, a trailing ``%`` (kept as the
    number typed: "12 %" is 12) and the words "never" / "inf" for "no break-even".

    Parameters
    ----------
    text : str
        What the learner typed.

    Returns
    -------
    float, str or None
        The number, the string ``"never"`` for "never" (never ``inf``: see
        :mod:`ftroi_helpers.never`), or None for an empty or unreadable entry.

    Examples
    --------
    >>> parse_guess("30,000")
    30000.0
    >>> parse_guess(" USD 1,234.5 ")
    1234.5
    >>> parse_guess("never")
    'never'
    >>> parse_guess("about thirty") is None
    True
    """
    if not isinstance(text, str):
        return None
    cleaned = text.strip().lower()
    if cleaned in _NEVER_WORDS:
        return NEVER
    cleaned = re.sub(r"^(usd|\$)\s*", "", cleaned)
    cleaned = re.sub(r"\s*(%|usd|requests?|months?|days?|points?)$", "", cleaned)
    cleaned = cleaned.replace(",", "").replace("_", "").replace(" ", "")
    if not cleaned:
        return None
    try:
        value = float(cleaned)
    except ValueError:
        return None
    # "1e400" is beyond a float: not a guess anyone meant (never is typed as a word)
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class Closeness:
    """How a guess compares with the answer."""

    #: "exact", "close" (within 10 %), "near" (within 25 %), "same order" (within a factor
    #: of 2), "off" or "wrong way" (never vs a number).
    verdict: str
    #: guess / answer (1.0 = exact); None where it has no value: one of them is "never", or
    #: the answer is 0 and the guess is not (for a guess of 0 it is 1.0), or the ratio is
    #: too large for a float (a guess 1e308 times the answer: the verdict is "off").
    ratio: float | None
    message: str


def closeness(guess: float, answer: float, unit: str = "", decimals: int | None = None
              ) -> Closeness:
    """Say how close ``guess`` came to ``answer``, in one sentence.

    Within 10 % counts as close, within 25 % as near, within a factor of two as the right
    order of magnitude. "never" matches only "never".

    Parameters
    ----------
    guess, answer : float, None or "never"
        The learner's guess (as :func:`parse_guess` reads it) and the computed answer, in the
        same unit; None or ``"never"`` is "never" (see :mod:`ftroi_helpers.never`; ``inf`` is
        read as never too).
    unit : str
        The unit for the sentence ("requests", "USD", "months").
    decimals : int, optional
        Decimals to print (see :func:`format_number`).

    Returns
    -------
    Closeness

    Examples
    --------
    >>> closeness(30_000, 30_769.23, "requests").message
    'The answer is 30,769 requests. Your guess, 30,000 requests, is 2.5 % below it: close.'
    >>> closeness(60_000, 30_769.23, "requests").verdict
    'same order'
    >>> closeness(3, None, "months").message
    'The answer is never: it does not pay back. Your guess was 3 months.'
    """
    answer = _number_or_never("answer", answer)
    guess = _number_or_never("guess", guess)
    a_text = format_number(answer, unit, decimals)
    g_text = format_number(guess, unit, decimals)
    if answer is None or guess is None:
        if answer is None and guess is None:
            return Closeness("exact", 1.0, "The answer is never, as you said.")
        if answer is None:
            return Closeness("wrong way", None,
                             f"The answer is never: it does not pay back. Your guess was "
                             f"{g_text}.")
        return Closeness("wrong way", None,
                         f"The answer is {a_text}. You guessed never: it does pay back.")
    if answer == 0:
        verdict = "exact" if guess == 0 else "off"
        tail = "exactly right." if guess == 0 else f"your guess was {g_text}."
        # guess / 0: exact for a guess of 0, no ratio for any other
        return Closeness(verdict, 1.0 if guess == 0 else None,
                         f"The answer is {a_text}: {tail}")
    ratio = guess / answer
    head = f"The answer is {a_text}."
    if ratio <= 0:
        return Closeness("off", None if math.isinf(ratio) else ratio,
                         f"{head} Your guess, {g_text}, has the wrong sign.")
    if math.isinf(ratio):  # beyond a float: far off, whatever the exact factor
        return Closeness("off", None, f"{head} Your guess, {g_text}, is above it by a factor "
                                      "too large to show: look again at how it is computed.")
    error = abs(ratio - 1)
    if error < 0.005:
        return Closeness("exact", ratio, f"{head} Your guess, {g_text}, is spot on.")
    side = "above" if ratio > 1 else "below"
    if error <= 0.10:
        verdict, word = "close", "close"
    elif error <= 0.25:
        verdict, word = "near", "near"
    elif 0.5 <= ratio <= 2:
        verdict, word = "same order", "the right order of magnitude, but not close"
    else:
        verdict = "off"
        factor = ratio if ratio > 1 else 1 / ratio
        return Closeness(verdict, ratio, f"{head} Your guess, {g_text}, is {side} it by a factor "
                                         f"of {factor:,.1f}: look again at how it is computed.")
    pct = 100 * error
    return Closeness(verdict, ratio,
                     f"{head} Your guess, {g_text}, is {pct:,.1f} % {side} it: {word}.")


def predict(question: str, answer: float, *, unit: str = "", decimals: int | None = None,
            explanation: str = "") -> Any:
    """A prediction box: type a guess, then reveal the computed answer and how close it was.

    Parameters
    ----------
    question : str
        The question, shown above the box (plain text).
    answer : float or None
        The computed answer (None for "never", as the package's functions return it); shown
        only after a guess.
    unit : str
        The answer's unit, shown in the box's label and in the feedback ("USD" prints ``$``).
    decimals : int, optional
        Decimals for the answer (see :func:`format_number`).
    explanation : str
        One sentence shown with the answer: why it is what it is.

    Returns
    -------
    ipywidgets.VBox
        With ``.guess_box`` (Text), ``.reveal_button`` and ``.feedback`` (HTML), ``.reveal()``
        (what the button does) and ``.closeness`` (None until revealed).

    Examples
    --------
    >>> box = predict("How many requests repay USD 800?", 61_538.46, unit="requests")
    >>> box.reveal_button.disabled
    True
    >>> box.guess_box.value = "60,000"
    >>> box.reveal_button.disabled
    False
    >>> box.reveal()
    >>> box.closeness.verdict
    'close'
    """
    import ipywidgets as widgets

    if not isinstance(question, str) or not question.strip():
        raise ValueError(f"question must be a non-empty string, got {short_repr(question)}")
    answer_value = _number_or_never("answer", answer)

    label = f"Your guess ({unit})" if unit else "Your guess"
    title = widgets.HTML(f"<b>Predict:</b> {html.escape(question)}")
    guess_box = widgets.Text(value="", placeholder="a number, or never",
                             description=label, style={"description_width": "initial"},
                             layout=widgets.Layout(width="420px"), continuous_update=True)
    button = widgets.Button(description="Reveal the answer", disabled=True, icon="eye",
                            tooltip="Type a guess first; then the answer is shown",
                            # ipywidgets' fixed 148 px cut the label to "Reveal the ans..."
                            layout=widgets.Layout(width="max-content", min_width="11em"))
    feedback = widgets.HTML(layout=widgets.Layout(min_height="1.6em"))
    box = widgets.VBox([title, widgets.HBox([guess_box, button]), feedback])
    box.add_class("ftroi-predict")
    box.closeness = None  # type: ignore[attr-defined]

    def on_typed(_change: Any = None) -> None:
        if box.closeness is not None:
            return
        button.disabled = parse_guess(guess_box.value) is None

    def reveal(_b: Any = None) -> None:
        guess = parse_guess(guess_box.value)
        if guess is None:
            feedback.value = "<i>Type a number first (or never).</i>"
            return
        result = closeness(guess, answer_value, unit, decimals)
        box.closeness = result
        text = result.message + (f" {explanation}" if explanation else "")
        feedback.value = (f"<div class='ftroi-predict-answer' role='status'>"
                          f"{html.escape(text)}</div>")
        guess_box.disabled = True
        button.disabled = True

    guess_box.observe(on_typed, names="value")
    button.on_click(reveal)
    box.guess_box = guess_box  # type: ignore[attr-defined]
    box.reveal_button = button  # type: ignore[attr-defined]
    box.feedback = feedback  # type: ignore[attr-defined]
    box.reveal = reveal  # type: ignore[attr-defined]
    return box
