"""Instant feedback and grading for the nbgrader quizzes in ``quizzes/``.

Every auto-graded quiz item has an id such as ``"q1_3"``: the quiz number, then the item number.
After answering, a learner runs ``check("q1_3", q1_3)`` and at once reads right or wrong plus a
hint, without nbgrader. The quizzes' hidden tests call :func:`grade`, the same rule, so the
self-check and the instructor's grade always agree.

The answer key is not in plain text anywhere a learner can read it:

* a multiple-choice key is stored only as a salted SHA-256 hash of the right letter, in a
  namespace of its own (``quiz/<item id>``, so a lesson question's hash never matches);
* a numeric answer is recomputed from the question's own numbers with the workbook's helpers
  (:func:`~ftroi_helpers.breakeven.breakeven_requests`, :func:`~ftroi_helpers.cost_model.tco`, ...).
  That is the method the quiz teaches, not a leak.

Answers are forgiving where it does not matter: letters ignore case, spaces and quotes; a
numeric answer may be an int, a float or a numpy number, and counts as right within the
tolerance the question states.

Examples
--------
Source 003's calculator with the quiz's own numbers ($14 and $3 per 1,000 requests, $650
one-time):

>>> from ftroi_helpers import breakeven_requests
>>> grade("q1_1", breakeven_requests(14, 3, 650))
True
>>> print(check("q1_1", 30_769))  # doctest: +ELLIPSIS
Not quite: 30,769 is not within 1 % of the answer to q1_1. Hint: ...

(30,769 requests is source 003's answer for its own numbers: $15, $2 and $400.)
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .selfcheck import answer_hash, normalise_choice

__all__ = [
    "ChoiceItem",
    "Feedback",
    "NumberItem",
    "QUIZZES",
    "autograding",
    "calculator",
    "check",
    "cost_curve",
    "grade",
    "item",
    "items",
    "key_hash",
]

#: Hash namespace of the quizzes (the lessons' self-check questions use bare ids).
NAMESPACE = "quiz"


def key_hash(item_id: str, letter: str) -> str:
    """Salted SHA-256 of a quiz item's letter answer: what the registry stores.

    >>> key_hash("q0_1", " a ") == key_hash("q0_1", "A")
    True
    >>> key_hash("q0_1", "A") == answer_hash("q0_1", "A")  # not a lesson question's hash
    False
    """
    return answer_hash(f"{NAMESPACE}/{item_id}", letter)


@dataclass(frozen=True)
class ChoiceItem:
    """A multiple-choice item: the learner assigns one letter, e.g. ``q0_3 = "C"``."""

    item_id: str
    #: The letters offered, in order, e.g. ``"ABCD"``.
    options: str
    #: :func:`key_hash` of the right letter.
    answer_sha256: str
    #: Shown with a wrong answer; it points to the idea, never to the letter.
    hint: str
    points: int = 1

    def offers(self, letter: str | None) -> bool:
        """True if ``letter`` (normalised) is one of this item's options."""
        return letter is not None and len(letter) == 1 and letter in self.options

    def is_right(self, answer: Any) -> bool:
        letter = _letter(answer)
        return self.offers(letter) and key_hash(self.item_id, letter) == self.answer_sha256


@dataclass(frozen=True)
class NumberItem:
    """A numeric item, checked against a value recomputed from the question's own numbers."""

    item_id: str
    #: What the number counts, e.g. ``"requests"`` or ``"USD per month"``.
    unit: str
    #: The numbers given in the question (the notebook shows the same ones).
    params: Mapping[str, float]
    #: ``compute(**params)`` returns the right answer, using the workbook's helpers.
    compute: Callable[..., float]
    hint: str
    #: Relative tolerance (0.01 = within 1 %).
    rel_tol: float = 0.0
    #: Absolute tolerance, in ``unit``.
    abs_tol: float = 0.0
    points: int = 2
    #: How the tolerance reads in a message, e.g. "within 1 %".
    tolerance_text: str = field(default="", compare=False)

    def expected(self) -> float:
        """The right answer, recomputed from :attr:`params`."""
        return float(self.compute(**self.params))

    def tolerance(self) -> str:
        if self.tolerance_text:
            return self.tolerance_text
        if self.rel_tol:
            return f"within {self.rel_tol * 100:g} %"
        if self.abs_tol:
            return f"within {self.abs_tol:g} {self.unit}"
        return "exactly"

    def is_right(self, answer: Any) -> bool:
        value = _number(answer)
        if value is None:
            return False
        expected = self.expected()
        return abs(value - expected) <= max(self.rel_tol * abs(expected), self.abs_tol) + 1e-9


Item = ChoiceItem | NumberItem


@dataclass(frozen=True)
class Feedback:
    """The result of checking one answer; it prints (and displays) as its message."""

    item_id: str
    correct: bool
    message: str

    def __str__(self) -> str:
        return self.message

    def __bool__(self) -> bool:
        return self.correct

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython display
        printer.text(self.message)


# --------------------------------------------------------------------------------------------
# answer parsing


def _blank(answer: Any) -> bool:
    """True for an answer left as handed out: None, ``...`` or an empty string."""
    return answer is None or answer is Ellipsis or (isinstance(answer, str) and not answer.strip())


def _letter(answer: Any) -> str | None:
    """The normalised letter, or None if the answer is not a string."""
    if not isinstance(answer, str):
        return None
    return normalise_choice(answer)


def _number(answer: Any) -> float | None:
    """The answer as a finite float, or None if it is not a usable number."""
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        try:  # a 0-d numpy array, e.g. from np.round
            import numpy as np

            if isinstance(answer, np.ndarray) and answer.ndim == 0 and answer.dtype.kind in "iuf":
                answer = answer.item()
            else:
                return None
        except ImportError:  # pragma: no cover - numpy is a dependency
            return None
    value = float(answer)
    return value if math.isfinite(value) else None


# --------------------------------------------------------------------------------------------
# the registry


def _choice(item_id: str, options: str, answer_sha256: str, hint: str, points: int = 1) -> ChoiceItem:
    return ChoiceItem(item_id, options, answer_sha256, hint, points)


def _breakeven_requests(**p: float) -> float:
    from .breakeven import breakeven_requests

    return breakeven_requests(**p)


def _breakeven_days(**p: float) -> float:
    from .breakeven import breakeven_days

    return breakeven_days(**p)


def _true_monthly_savings(**p: float) -> float:
    from .tokens import monthly_inference_savings

    return monthly_inference_savings(**p)


def _months_to_repay_training(training_usd: float, **savings: float) -> float:
    return training_usd / _true_monthly_savings(**savings)


def _training_examples(labelled_examples: float, holdout_fraction: float) -> float:
    return labelled_examples - round(labelled_examples * holdout_fraction)


def _usd_per_1k_correct(input_tokens: float, output_tokens: float, usd_per_1m_input: float,
                        usd_per_1m_output: float, quality: float) -> float:
    from .tokens import request_cost

    return request_cost(input_tokens, output_tokens, usd_per_1m_input, usd_per_1m_output) \
        * 1000 / quality


def _percent(part: float, whole: float) -> float:
    return 100 * part / whole


def _scenario(**p: float):
    from .cost_model import Scenario

    return Scenario(**p)


def _payback_month(**p: float) -> float:
    from .cost_model import tco

    month = tco(_scenario(**p)).payback_month
    return math.inf if month is None else float(month)


def _finetune_total_usd(**p: float) -> float:
    from .cost_model import tco

    return float(tco(_scenario(**p)).table["finetune_cumulative_usd"].iloc[-1])


def _savings_at_horizon_usd(**p: float) -> float:
    from .cost_model import tco

    return float(tco(_scenario(**p)).table["cumulative_savings_usd"].iloc[-1])


#: q1_4's workload (also used by q1_6): 5,000 requests/day, 1,500 -> 300 input tokens,
#: 100 output tokens, gpt-4o-mini base prices and its fine-tuned prices (2x) per 1M tokens.
_Q1_WORKLOAD = dict(requests_per_day=5_000, prompted_input_tokens=1_500, finetuned_input_tokens=300,
                    output_tokens=100, base_usd_per_1m_input=0.15, base_usd_per_1m_output=0.60,
                    ft_usd_per_1m_input=0.30, ft_usd_per_1m_output=1.20)

#: q3's scenario: a small workload with a real project cost, retrained every 2 months.
_Q3_SCENARIO = dict(requests_per_month=60_000, hosted_cost_per_1k_req=9.0,
                    self_hosted_cost_per_1k_req=2.5, data_prep_usd=900, training_usd=300,
                    eval_harness_usd=200, retrain_every_months=2, horizon_months=12)

_ITEMS: tuple[Item, ...] = (
    # q0: source 000's end-of-lesson check (q0_8 is its written question, graded by hand)
    _choice("q0_1", "ABCD", "7609b06730d5125aa7183b0ab1cf241ec7517d2b2f849ff3334745a7370844b4",
            "The lesson's one-line description, under its title, names its main idea."),
    _choice("q0_2", "ABCD", "c00c13a3567ffce043b95dfe89636baff2cf8eb69bfa3cc8627410579dde21eb",
            "Prompt cost and training cost are inputs. Which concept combines them into an "
            "answer to 'when does fine-tuning pay off'?"),
    _choice("q0_3", "ABCD", "45fd839e3ac6f4ccebb31f79de3b13b6b99df2170bea19505819022941c9b6f5",
            "One option is on the lesson's list of what AI cannot do. Pick one from its list "
            "of what AI does well."),
    _choice("q0_4", "ABCD", "fbbf014406995f3ab493527b5ca96658b48fdf380acc28f2c45976ae123e6217",
            "A limitation is something AI cannot do: look at the lesson's 'What AI cannot do' "
            "list."),
    _choice("q0_5", "ABCD", "54b4003722df570595558276fb6e3f4f80a13e12cbdf8b158ebcad9de9367068",
            "The answer is a question template whose placeholders you fill with your own "
            "numbers."),
    _choice("q0_6", "ABCD", "aefd560844fb8d623398904e86e0596ee3780cae554af7321e8f8a162d33b590",
            "Safe use keeps a human check before anything is published or relied on."),
    _choice("q0_7", "ABCD", "dca0e0caaeb3c0b51bde7a99e93efb60aa3732ee92cb798572e5c7e9e0f4665f",
            "Polish and confidence are not evidence. Which option keeps human judgment in the "
            "loop?"),
    _choice("q0_9", "ABCD", "8b9624c79190e2179bd08d2894d02b2b89346f4172e73e613726090eca1c8f82",
            "Responsible use measures the benefit instead of assuming it."),
    _choice("q0_10", "ABC", "2890bd6827c61aa2c92443ba48656a78008898a976b9576a83a7188f03f00955",
            "A bad use asks AI for something the lesson lists under 'What AI cannot do'."),
    # q1: break-even
    NumberItem(
        "q1_1", "requests",
        dict(hosted_cost_per_1k_req=14.0, self_hosted_cost_per_1k_req=3.0,
             one_time_finetune_cost=650.0),
        _breakeven_requests, rel_tol=0.01,
        hint="Savings per 1,000 requests = hosted minus self-hosted cost. Divide the one-time "
             "cost by it and multiply by 1,000, or call breakeven_requests."),
    NumberItem(
        "q1_2", "days",
        dict(prompt_cost_per_call=0.0035, calls_per_day=4_000, training_cost=600.0,
             savings_fraction=0.55),
        _breakeven_days, rel_tol=0.01,
        hint="Money saved per day = P x V x S. Days = T / (money saved per day), or call "
             "breakeven_days."),
    _choice("q1_3", "ABCD", "7b149f1fabb171ab2ff56d3e64010ae8f7bd7bf015fe25055cbce43c61fdd7c4",
            "Compare the two per-1,000-request costs first: does self-hosting save anything on "
            "each request?"),
    NumberItem(
        "q1_4", "USD per month", dict(_Q1_WORKLOAD), _true_monthly_savings, abs_tol=0.10,
        tolerance_text="within $0.10",
        hint="Price each request at its own model's prices: the prompted request at the base "
             "prices with 1,500 input tokens, the fine-tuned one at the fine-tuned prices with "
             "300. Both have 100 output tokens. monthly_inference_savings does this."),
    _choice("q1_5", "ABCD", "c0ab5fc01d61e08071b9b2d9b6b85d05b908bded7577cb12c49f1a78e966c963",
            "Look at what the fine-tuned model charges for every token it still reads and "
            "writes, not only for the tokens you save."),
    NumberItem(
        "q1_6", "months", dict(training_usd=75.0, **_Q1_WORKLOAD), _months_to_repay_training,
        rel_tol=0.01,
        hint="Months = training cost / monthly savings. Use the true savings from q1_4, not "
             "the shortcut."),
    _choice("q1_7", "ABCD", "9037600ac2a25f607e1f41ca482f4d5b564be9b86a25bb613d22229a80d0e162",
            "Savings scale with volume: 100 requests/day saves 1/100 of what 10,000 do. Divide "
            "each end of the training-cost range by that monthly saving."),
    # q2: eval baselines and data quality
    _choice("q2_1", "ABCD", "b3141ce16b32966651da8fb4c58b7fea82d83b89fcb36d35da46be91d6a4580a",
            "Source 001: a fine-tune you cannot evaluate is a liability. When must the "
            "evaluation setup exist for you to judge the fine-tune at all?"),
    _choice("q2_2", "ABCD", "d5d3f617496f3a9f6ed7f6f9fa20a41d190f6d5512a5594f0a7c9b01b0a3e6a7",
            "Source 002's 'Common fine-tuning mistakes' table, the row 'Insufficient eval set'."),
    NumberItem(
        "q2_3", "examples", dict(labelled_examples=1_340, holdout_fraction=0.20),
        _training_examples, abs_tol=0.5, tolerance_text="exactly (whole examples)",
        hint="Held-out examples = 20 % of the labelled set; the rest is for training."),
    _choice("q2_4", "ABCD", "9582c7ed0973639bf1c7c67464e796bb3f251e9cf067704717ad7b63680a2fdd",
            "Source 002's quality table: find the row whose delta is negative."),
    NumberItem(
        "q2_5", "USD per 1,000 correct answers",
        dict(input_tokens=300, output_tokens=100, usd_per_1m_input=0.30, usd_per_1m_output=1.20,
             quality=0.93),
        _usd_per_1k_correct, rel_tol=0.01,
        hint="Cost of 1,000 requests (request_cost x 1,000) divided by the share of answers "
             "that are right."),
    NumberItem(
        "q2_6", "USD per 1,000 correct answers",
        dict(input_tokens=1_500, output_tokens=100, usd_per_1m_input=0.15,
             usd_per_1m_output=0.60, quality=0.85),
        _usd_per_1k_correct, rel_tol=0.01,
        hint="The same method as q2_5, with the prompted request's tokens, base prices and "
             "quality."),
    NumberItem(
        "q2_7", "percent", dict(part=150, whole=2_400), _percent, abs_tol=0.05,
        tolerance_text="within 0.05 percentage points",
        hint="Near-duplicates / all examples x 100."),
    _choice("q2_8", "ABCD", "df7de5088ce218d934aaa963fa4b211439b5b5f245dd77def166341069694071",
            "Compare your answer to q2_7 with the limit in source 002's data quality "
            "checklist."),
    _choice("q2_9", "ABCD", "5deff17b041b10ffea6ef0964425ed39ea4747585befd86face43f1c5e5e6fc6",
            "Source 002's checklist row 'No data leakage': what happens to metrics measured on "
            "examples the model was trained on?"),
    # q3: retraining, base-model updates, distribution shift, price decline
    _choice("q3_1", "ABCD", "ae6d1da34a641d1dc1b6cf60640b6587f4ebc509f485bbc3cf9eb6ac2cf26211",
            "Source 002, 'How to apply this': 'Budget for retraining'."),
    NumberItem(
        "q3_2", "month", dict(_Q3_SCENARIO), _payback_month, abs_tol=0.0,
        tolerance_text="exactly (a whole month)",
        hint="tco(Scenario(...)).payback_month; each retraining adds training plus evaluation "
             "again."),
    NumberItem(
        "q3_3", "USD", dict(_Q3_SCENARIO), _finetune_total_usd, rel_tol=0.01,
        hint="The last row of tco(...).table['finetune_cumulative_usd']: one-time cost, "
             "retrainings and inference."),
    NumberItem(
        "q3_4", "USD", dict(_Q3_SCENARIO, hosted_price_decline_per_year=0.6),
        _savings_at_horizon_usd, rel_tol=0.01,
        hint="Add hosted_price_decline_per_year to the scenario and read the last row of "
             "cumulative_savings_usd. It is negative when fine-tuning is behind."),
    _choice("q3_5", "ABCD", "a9072808c3f45ec9615e77dffdbb2ab3e5265010fa366e13a63e20dbea418246",
            "Source 002, mistake 'Ignoring base model updates': what should you measure before "
            "you spend on retraining?"),
    _choice("q3_6", "ABCD", "252d7e6814d49776d500ed0a82a809f7ad8f7b52d0471cb3477f99add9674b80",
            "Source 001, 'Fine-tuning on a stale data snapshot'."),
    _choice("q3_7", "ABCD", "3a064ab6d5aa019ce9a8996bc400bd40f1c2141980a644e653e023b9d985af8b",
            "Fine-tuning's saving is the prompting bill you no longer pay. What happens to that "
            "bill when hosted prices fall?"),
)

_REGISTRY: dict[str, Item] = {i.item_id: i for i in _ITEMS}

#: quiz name -> its auto-graded item ids, in order.
QUIZZES: dict[str, tuple[str, ...]] = {
    name: tuple(i.item_id for i in _ITEMS if i.item_id.startswith(prefix + "_"))
    for prefix, name in (("q0", "q0_end_of_lesson"), ("q1", "q1_break_even"),
                         ("q2", "q2_eval_baselines"), ("q3", "q3_retraining"))
}


def item(item_id: str) -> Item:
    """The registry entry of one auto-graded item.

    >>> item("q1_1").unit
    'requests'
    >>> item("q9_9")
    Traceback (most recent call last):
    ...
    ValueError: item_id must be a quiz item such as 'q1_3', got 'q9_9'
    """
    if not isinstance(item_id, str) or item_id not in _REGISTRY:
        raise ValueError(f"item_id must be a quiz item such as 'q1_3', got {item_id!r}")
    return _REGISTRY[item_id]


def items(quiz: str | None = None) -> tuple[Item, ...]:
    """Every auto-graded item, or those of one quiz (``"q1_break_even"``).

    >>> [i.item_id for i in items("q1_break_even")][:3]
    ['q1_1', 'q1_2', 'q1_3']
    """
    if quiz is None:
        return _ITEMS
    if quiz not in QUIZZES:
        listed = ", ".join(repr(q) for q in QUIZZES)
        raise ValueError(f"quiz must be one of {listed}, got {quiz!r}")
    return tuple(_REGISTRY[i] for i in QUIZZES[quiz])


# --------------------------------------------------------------------------------------------
# checking


def grade(item_id: str, answer: Any) -> bool:
    """True if ``answer`` is right for ``item_id``: what the quizzes' hidden tests assert.

    The same rule as :func:`check`, so the self-check and the instructor's grade agree.

    Parameters
    ----------
    item_id : str
        The quiz item, e.g. ``"q1_3"``.
    answer : str or number
        The learner's answer. A bad answer (a wrong type, a letter that is not an option, a
        blank) is simply not right: this never raises for it.

    Returns
    -------
    bool

    Raises
    ------
    ValueError
        If ``item_id`` is not a quiz item.

    Examples
    --------
    >>> grade("q1_2", 77.9)      # $0.0035/call, 4,000 calls/day, $600, 55 % saved
    True
    >>> grade("q1_2", "77.9"), grade("q1_2", None), grade("q0_10", "E")
    (False, False, False)
    """
    return item(item_id).is_right(answer)


def check(item_id: str, answer: Any) -> Feedback:
    """Right or wrong, with a hint: instant feedback on one quiz answer.

    The message never contains the right answer. For a numeric item it states the tolerance;
    an answer that is not one of the options, or not a number, gets a message saying so.

    Parameters
    ----------
    item_id : str
        The quiz item, e.g. ``"q1_3"``.
    answer : str or number
        A letter such as ``"B"`` (any case, spaces ignored) or a number.

    Returns
    -------
    Feedback
        ``correct`` and ``message``; it displays as the message in a notebook and is truthy
        when the answer is right.

    Raises
    ------
    ValueError
        If ``item_id`` is not a quiz item.

    Examples
    --------
    >>> print(check("q1_2", 78))
    Right: 78 is within 1 % of the answer to q1_2 (days).
    >>> print(check("q0_10", "e"))
    'E' is not one of the options for q0_10 (A, B, C): answer with one of those letters.
    """
    entry = item(item_id)
    right = entry.is_right(answer)
    if isinstance(entry, ChoiceItem):
        message = _choice_message(entry, answer, right)
    else:
        message = _number_message(entry, answer, right)
    return Feedback(item_id, right, message)


def _choice_message(entry: ChoiceItem, answer: Any, right: bool) -> str:
    options = ", ".join(entry.options)
    if _blank(answer):
        return (f"You have not answered {entry.item_id} yet: put one letter ({options}) "
                f"between the quotes.")
    letter = _letter(answer)
    if letter is None:
        return (f"{entry.item_id} takes one letter in quotes, such as \"{entry.options[0]}\"; "
                f"got {answer!r}.")
    if not entry.offers(letter):
        return (f"'{letter}' is not one of the options for {entry.item_id} ({options}): "
                f"answer with one of those letters.")
    if right:
        return f"Right: {letter} is the answer to {entry.item_id}."
    return f"Not quite: {letter} is not the answer to {entry.item_id}. Hint: {entry.hint}"


def _number_message(entry: NumberItem, answer: Any, right: bool) -> str:
    if _blank(answer):
        return f"You have not answered {entry.item_id} yet: replace None with a number."
    value = _number(answer)
    if value is None:
        if isinstance(answer, str):
            return (f"{entry.item_id} needs a number, not text: write {answer.strip()} "
                    f"without quotes.")
        return f"{entry.item_id} needs a finite number ({entry.unit}), got {answer!r}."
    shown = f"{value:,.10g}"
    if right:
        return (f"Right: {shown} is {entry.tolerance()} of the answer to {entry.item_id} "
                f"({entry.unit}).")
    return (f"Not quite: {shown} is not {entry.tolerance()} of the answer to {entry.item_id}. "
            f"Hint: {entry.hint}")


# --------------------------------------------------------------------------------------------
# widgets and plots inside a quiz


def autograding() -> bool:
    """True while nbgrader executes the notebook (``nbgrader autograde`` or ``validate``).

    nbgrader sets the environment variable ``NBGRADER_EXECUTION`` then; a quiz uses this to
    skip widgets and plots that a grader does not need.

    >>> autograding()  # a test run, not nbgrader
    False
    """
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def calculator(name: str, **values: float):
    """A lesson calculator (e.g. ``"break_even"``) to explore with inside a quiz.

    Returns the widget, or ``None`` with a one-line note while nbgrader grades the notebook:
    grading never waits for a widget.
    """
    if autograding():
        print(f"(the {name} calculator is not shown while nbgrader grades this notebook)")
        return None
    from . import calculators

    return getattr(calculators, name)(**values)


def cost_curve(scenario):
    """The cumulative cost figure of a :class:`~ftroi_helpers.cost_model.Scenario`, for a quiz.

    Returns the figure as a PNG image for the notebook to display (a matplotlib Figure made
    without pyplot has no inline display of its own), or ``None`` with a note while nbgrader
    grades the notebook.
    """
    if autograding():
        print("(the cost curve is not drawn while nbgrader grades this notebook)")
        return None
    from IPython.display import Image

    from .cost_model import tco
    from .plots import cost_curve_figure, figure_to_png

    return Image(data=figure_to_png(cost_curve_figure(tco(scenario))), format="png")
