"""The learner's side of the nbgrader quizzes: your numbers, a self-check, and your recorded answer.

A quiz notebook calls these from here:

* :func:`given` shows the numbers of one question *for you*, and :func:`choices` (in an exam)
  your own order of a multiple-choice question's options. Whose they are comes from your id
  (``FTROI_STUDENT_ID``, else ``JUPYTERHUB_USER``).

  - In a **practice** quiz (and the instructor's source) the numbers are a public function of
    course id, quiz and id; with no id, the practice variant: the numbers printed in the
    workbook. The options are in the order the question lists them.
  - In an **exam** the numbers come from the exam's own values and the options are shuffled
    for each student, both keyed by the exam's seed, which the exam release writes into the
    setup cell (see :mod:`ftroi_helpers.quiz_variants`). An exam needs your id.

* :func:`check` is the instant self-check under each answer. What it may say depends on the quiz
  mode (``FTROI_QUIZ_MODE``, else the mode the instructor released the quiz in):

  - **practice**: right or wrong, with a hint. The practice key comes with the practice release
    (``practice_key.json`` beside the notebook), never with this package.
  - **exam**: only whether the answer has the right *form* (a number, or one of the offered
    letters, named with its option's text). Nothing a learner has in an exam can tell a right
    answer from a wrong one.

* :func:`record` is what the hidden tests call while nbgrader grades the notebook. It prints the
  answer as plain data (a number or a letter) and nothing else; the comparison with the key runs
  later, in the instructor's grading process, outside the student's kernel.

What a question *asks* (its numbers, the options offered, the tolerance) is in this package's
``data/quiz_items.json``; what it *answers* is only with the instructor (``quizzes/ftroi_course``).

Examples
--------
With no student id, the practice variant: the calculator demo's calculator with new numbers.

>>> import os
>>> os.environ.pop("FTROI_STUDENT_ID", None); os.environ.pop("JUPYTERHUB_USER", None)
>>> use_quiz("q1_break_even", course="ftroi", mode="practice")
>>> p = given("q1_1")
>>> p["hosted_cost_per_1k_req"], p["one_time_finetune_cost"]
(14, 650)
>>> use_quiz("q1_break_even", course="ftroi", mode="exam", seed="ab" * 32)
>>> print(check("q1_1", 30_000))
q1_1: recorded 30,000 (requests). This is an exam: the self-check checks only the form of your answer, never whether it is right.
>>> record("q1_1", 30_000.0)
FTROI-ANSWER {"item": "q1_1", "answer": 30000.0}
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .quiz_variants import (
    MAX_TEXT,
    _quiz,
    _spec,
    exam_item_combinations,
    exam_item_params,
    exam_letter,
    exam_order,
    exam_variant_params,
    given_combinations,
    item_combinations,
    item_info,
    item_params,
    item_variant,
    quiz_items,
    variant_key,
    variant_params,
)
from .quiz_variants import short as _short

__all__ = [
    "Choices",
    "Feedback",
    "Given",
    "MODES",
    "RECORD_MARKER",
    "autograding",
    "calculator",
    "check",
    "choices",
    "cost_curve",
    "exam_item_combinations",
    "exam_item_params",
    "exam_letter",
    "exam_order",
    "exam_variant_params",
    "given",
    "given_combinations",
    "item_combinations",
    "item_params",
    "item_variant",
    "item_info",
    "normalise_answer",
    "parse_records",
    "practice_key_hash",
    "quiz_items",
    "quiz_mode",
    "record",
    "student_id",
    "use_quiz",
    "variant_key",
    "variant_params",
    "your_letter",
]

#: The two quiz modes: ``practice`` tells right from wrong, ``exam`` checks only the form.
MODES = ("practice", "exam")
#: The prefix of the one line :func:`record` prints; the grader reads only such lines.
RECORD_MARKER = "FTROI-ANSWER "
#: The practice key's file name, written beside a practice release's notebook.
PRACTICE_KEY_FILE = "practice_key.json"
#: Longest answer text kept or echoed in a message.
_MAX_TEXT = MAX_TEXT


# --------------------------------------------------------------------------------------------
# whose quiz, which mode


@dataclass
class _State:
    quiz: str | None = None
    course: str = "ftroi"
    mode: str | None = None
    seed: str | None = None
    options: dict[str, list[str]] = field(default_factory=dict)


_STATE = _State()


def use_quiz(quiz: str, course: str = "ftroi", mode: str | None = None,
             seed: str | None = None) -> None:
    """Set the quiz this notebook is (its locked setup cell calls this).

    Parameters
    ----------
    quiz : str
        The quiz's name, e.g. ``"q1_break_even"``.
    course : str
        The course id; it is part of every practice variant.
    mode : {"practice", "exam"} or None
        The mode the quiz was released in. ``FTROI_QUIZ_MODE`` overrides it for the self-check.
    seed : str or None
        An exam's seed (64 hexadecimal digits), written by the exam release: it picks each
        student's exam numbers and option order.
    """
    _quiz(quiz)
    if not isinstance(course, str) or not course.strip():
        raise ValueError(f"course must be a non-empty course id, got {_short(course)}")
    if mode is not None and mode not in MODES:
        raise ValueError(f"mode must be 'practice' or 'exam', got {_short(mode)}")
    if seed is not None and not (isinstance(seed, str) and re.fullmatch(r"[0-9a-f]{64}", seed)):
        raise ValueError(f"seed must be the exam release's 64 hexadecimal digits, got "
                         f"{_short(seed)}")
    _STATE.quiz, _STATE.course, _STATE.mode, _STATE.seed = quiz, course.strip(), mode, seed
    _STATE.options = {}


def _current_quiz() -> str:
    if _STATE.quiz is None:
        raise ValueError("no quiz is set: run the quiz's setup cell (use_quiz(...)) first")
    return _STATE.quiz


def student_id() -> str | None:
    """Whose variant this is: ``FTROI_STUDENT_ID``, else ``JUPYTERHUB_USER``, else None.

    >>> os.environ["FTROI_STUDENT_ID"] = " alice "; student_id()
    'alice'
    >>> del os.environ["FTROI_STUDENT_ID"]
    """
    for name in ("FTROI_STUDENT_ID", "JUPYTERHUB_USER"):
        value = os.environ.get(name, "").strip()
        if value:
            return value
    return None


def quiz_mode() -> str:
    """``practice`` or ``exam``: ``FTROI_QUIZ_MODE`` when set, else the released mode.

    A notebook whose release did not say (an instructor's source copy) is treated as an exam:
    the safe side.

    >>> os.environ["FTROI_QUIZ_MODE"] = "Practice"; quiz_mode()
    'practice'
    >>> del os.environ["FTROI_QUIZ_MODE"]
    """
    raw = os.environ.get("FTROI_QUIZ_MODE", "").strip().lower()
    if raw:
        if raw not in MODES:
            raise ValueError(f"FTROI_QUIZ_MODE must be 'practice' or 'exam', got {_short(raw)}")
        return raw
    return _STATE.mode or "exam"


# --------------------------------------------------------------------------------------------
# your numbers and your options


class Given(dict):
    """A question's numbers for you: a dict (``breakeven_requests(**given("q1_1"))``) that
    displays as a table of name, value and meaning."""

    def __init__(self, given_id: str, values: dict[str, Any], labels: dict[str, str],
                 who: str | None) -> None:
        super().__init__(values)
        self.given_id, self.labels, self.who = given_id, labels, who

    def _lines(self) -> list[tuple[str, str, str]]:
        return [(name, f"{value:,}" if isinstance(value, int) else f"{value:,.10g}",
                 self.labels.get(name, "")) for name, value in self.items()]

    def __repr__(self) -> str:
        whose = f"student {self.who}" if self.who else "the practice variant"
        rows = "\n".join(f"  {n} = {v}   # {label}" for n, v, label in self._lines())
        return f"Your numbers for {self.given_id} ({whose}):\n{rows}"

    def _repr_markdown_(self) -> str:
        whose = f"student `{self.who}`" if self.who else "the practice variant"
        rows = "\n".join(f"| `{n}` | {v} | {label} |" for n, v, label in self._lines())
        return (f"**Your numbers for {self.given_id}** ({whose}):\n\n"
                f"| name | value | meaning |\n|---|---:|---|\n{rows}\n")


def _exam_student(what: str) -> tuple[str, str]:
    """The exam's seed and whose exam this is, or a clear error saying what is missing."""
    if _STATE.seed is None:
        raise ValueError(f"{what}: this exam notebook has no exam seed in its setup cell; use "
                         "the notebook your instructor released, and run its setup cell first")
    who = student_id()
    if who is None:
        raise ValueError(
            f"{what}: in an exam every student has their own numbers and option order, and "
            "no student id is set. On JupyterHub it is your user name; elsewhere run "
            "import os; os.environ['FTROI_STUDENT_ID'] = 'your id' (the id your instructor "
            "grades you under), then run the cells again")
    return _STATE.seed, who


def given(given_id: str) -> Given:
    """The numbers of one question for whoever runs this notebook (see :func:`student_id`).

    Returns a :class:`Given`: a dict of the question's numbers by name, shown as a table. In an
    exam they are the exam's numbers for you; otherwise the practice numbers.
    """
    quiz = _current_quiz()
    spec = _spec(quiz, given_id)
    labels = {n: p.get("label", "") for n, p in spec.items()}
    if _STATE.mode == "exam":
        seed, who = _exam_student(f"given({given_id!r})")
        return Given(given_id, exam_variant_params(seed, quiz, given_id, who), labels, who)
    who = student_id()
    return Given(given_id, variant_params(_STATE.course, quiz, given_id, who), labels, who)


class Choices(dict):
    """A multiple-choice question's options as you see them: letter -> text, shown as a list."""

    def __init__(self, item_id: str, options: dict[str, str], who: str | None) -> None:
        super().__init__(options)
        self.item_id, self.who = item_id, who

    def _head(self) -> str:
        if self.who is None:
            return f"The options of {self.item_id}"
        return (f"Your options for {self.item_id} (student {self.who}; every student sees "
                f"them in their own order)")

    def __repr__(self) -> str:
        rows = "\n".join(f"  {letter}. {text}" for letter, text in self.items())
        return f"{self._head()}:\n{rows}"

    def _repr_markdown_(self) -> str:
        rows = "\n".join(f"- **{letter}.** {text}" for letter, text in self.items())
        return f"**{self._head()}**:\n\n{rows}\n"


def choices(item_id: str, options: list[str] | None = None) -> Choices:
    """The options of a multiple-choice item as you see them (an exam's locked cell calls this).

    Parameters
    ----------
    item_id : str
        The item, e.g. ``"q1_3"``.
    options : list of str, optional
        The options' texts in the order the question lists them (A, B, ...). The exam release
        writes them here; without them, the texts already given are used.

    In an exam the options are shuffled for each student (by the exam's seed): answer with the
    letter shown here. Elsewhere they keep the question's order.
    """
    quiz = _current_quiz()
    letters = item_info(quiz, item_id).get("options", "")
    if not letters:
        raise ValueError(f"item_id must be a multiple-choice item of {quiz}, got "
                         f"{_short(item_id)}")
    if options is not None:
        if not isinstance(options, (list, tuple)) or len(options) != len(letters) \
                or not all(isinstance(t, str) and t.strip() for t in options):
            raise ValueError(f"options must be {len(letters)} texts, one per letter "
                             f"({', '.join(letters)}), got {_short(options)}")
        _STATE.options[item_id] = [t.strip() for t in options]
    texts = _STATE.options.get(item_id)
    if texts is None:
        raise ValueError(f"choices({item_id!r}) needs the options' texts: the question above "
                         "lists them")
    listed = dict(zip(letters, texts, strict=True))
    if _STATE.mode != "exam":
        return Choices(item_id, listed, None)
    seed, who = _exam_student(f"choices({item_id!r})")
    order = exam_order(seed, quiz, item_id, who)
    return Choices(item_id, {mine: listed[order[k]] for k, mine in enumerate(letters)}, who)


def your_letter(item_id: str, listed: str) -> str:
    """The letter under which you see the option the question's source lists as ``listed``
    (the same letter outside an exam). The source notebooks' solutions use it.
    """
    quiz = _current_quiz()
    if _STATE.mode == "exam":
        seed, who = _exam_student(f"your_letter({item_id!r})")
        return exam_letter(seed, quiz, item_id, who, listed)
    options = item_info(quiz, item_id)["options"]
    if not isinstance(listed, str) or listed.strip().upper() not in options:
        raise ValueError(f"listed must be one of {item_id}'s letters ({', '.join(options)}), "
                         f"got {_short(listed)}")
    return listed.strip().upper()


# --------------------------------------------------------------------------------------------
# answers as plain data


def normalise_answer(answer: Any) -> float | str | None:
    """An answer as plain data: a finite float, an upper-case stripped string, or None.

    Anything else (an object, NaN, a bool, a huge integer) is None: not an answer.

    >>> normalise_answer(" b "), normalise_answer(3), normalise_answer(float("nan"))
    ('B', 3.0, None)
    """
    if isinstance(answer, str):
        return answer.strip().strip("'\"").strip().upper()[:_MAX_TEXT]
    if isinstance(answer, bool):
        return None
    if not isinstance(answer, numbers.Real):
        try:  # a 0-d numpy array, e.g. from np.round
            import numpy as np

            if not (isinstance(answer, np.ndarray) and answer.ndim == 0
                    and answer.dtype.kind in "iuf"):
                return None
            answer = answer.item()
        except Exception:  # noqa: BLE001 - anything odd is simply not an answer
            return None
    try:
        value = float(answer)
    except (OverflowError, TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def record(item_id: str, answer: Any) -> None:
    """Print the answer to ``item_id`` as one line of plain data, for the grader.

    The hidden tests call this while nbgrader grades the notebook; the grade is computed later,
    outside this kernel. Replacing this function only loses your own answer.
    """
    if os.environ.get("NBGRADER_EXECUTION") == "autograde" and not student_id():
        # Graded without the course's config: the stock grader would give every recorded
        # answer full marks, so fail loudly instead (every item then scores 0).
        raise RuntimeError("this quiz must be autograded with the ftroi course config "
                           "(quizzes/nbgrader_config.py), which grades outside the kernel")
    value = normalise_answer(answer)
    print(RECORD_MARKER + json.dumps({"item": str(item_id)[:_MAX_TEXT], "answer": value}))


def parse_records(text: str, item_id: str) -> list[float | str | None]:
    """The answers recorded for ``item_id`` in a cell's printed text (the grader's reader).

    Lines that are not records, or are records of another item, are ignored.

    >>> parse_records('noise\\nFTROI-ANSWER {"item": "q1_1", "answer": 2.0}\\n', "q1_1")
    [2.0]
    """
    found: list[float | str | None] = []
    for line in text.splitlines():
        if not line.startswith(RECORD_MARKER):
            continue
        try:
            data = json.loads(line[len(RECORD_MARKER):])
        except ValueError:
            continue
        if not isinstance(data, dict) or data.get("item") != item_id:
            continue
        value = data.get("answer")
        if isinstance(value, bool) or not isinstance(value, (int, float, str, type(None))):
            value = None
        if isinstance(value, (int, float)) and not math.isfinite(value):
            value = None
        found.append(float(value) if isinstance(value, (int, float)) else value)
    return found


# --------------------------------------------------------------------------------------------
# the self-check


@dataclass(frozen=True)
class Feedback:
    """The result of a self-check; it displays as its message and is truthy when right."""

    item_id: str
    correct: bool
    message: str

    def __str__(self) -> str:
        return self.message

    def __bool__(self) -> bool:
        return self.correct

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # IPython display
        printer.text(self.message)


def practice_key_hash(course: str, quiz: str, item_id: str, letter: str) -> str:
    """Salted SHA-256 of a practice answer letter (as stored in ``practice_key.json``)."""
    text = f"ftroi-practice\x1f{course}\x1f{quiz}\x1f{item_id}\x1f{letter}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _practice_key(quiz: str) -> dict[str, Any] | None:
    path = Path.cwd() / PRACTICE_KEY_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("quiz") != quiz:
        return None
    return data


def _form(entry: dict[str, Any], item_id: str, answer: Any) -> tuple[Any, str | None]:
    """The normalised answer and, if its form is wrong, what to fix."""
    if answer is None or answer is Ellipsis or (isinstance(answer, str) and not answer.strip()):
        if entry["kind"] == "choice":
            return None, (f"You have not answered {item_id} yet: put one letter "
                          f"({', '.join(entry['options'])}) between the quotes.")
        return None, f"You have not answered {item_id} yet: replace None with a number."
    value = normalise_answer(answer)
    if entry["kind"] == "choice":
        if not isinstance(value, str):
            return None, (f"{item_id} takes one letter in quotes, such as "
                          f"\"{entry['options'][0]}\"; got {_short(answer)}.")
        if len(value) != 1 or value not in entry["options"]:
            return None, (f"{_short(value)} is not one of the options for {item_id} "
                          f"({', '.join(entry['options'])}): answer with one of those letters.")
        return value, None
    if isinstance(answer, str):
        return None, (f"{item_id} needs a number, not text: write {_short(answer.strip())} "
                      f"without quotes.")
    if not isinstance(value, float):
        return None, f"{item_id} needs a finite number ({entry['unit']}), got {_short(answer)}."
    return value, None


def _shown(entry: dict[str, Any], value: Any, item_id: str = "") -> str:
    if entry["kind"] == "choice":
        texts = _STATE.options.get(item_id)
        if texts is None or _STATE.quiz is None:
            return str(value)
        try:
            text = choices(item_id)[value]
        except (KeyError, ValueError):
            return str(value)
        return f'{value} ("{text}")'
    return f"{value:,.10g} ({entry['unit']})"


def _within(value: float, expected: float, entry: dict[str, Any]) -> bool:
    slack = max(entry.get("rel_tol", 0.0) * abs(expected), entry.get("abs_tol", 0.0))
    return abs(value - expected) <= slack + 1e-9


def check(item_id: str, answer: Any) -> Feedback:
    """Instant feedback on one quiz answer; it never reveals the answer.

    In practice mode: right or wrong, with a hint. In exam mode: whether the answer has the
    right form, and nothing about whether it is right.
    """
    quiz = _current_quiz()
    entry = item_info(quiz, item_id)
    value, problem = _form(entry, item_id, answer)
    if problem:
        return Feedback(item_id, False, problem)
    shown = _shown(entry, value, item_id)
    if quiz_mode() == "exam":
        return Feedback(item_id, False,
                        f"{item_id}: recorded {shown}. This is an exam: the self-check checks "
                        f"only the form of your answer, never whether it is right.")
    key = _practice_key(quiz)
    known = key.get("items", {}).get(item_id) if key else None
    if known is None:
        return Feedback(item_id, False,
                        f"{item_id}: recorded {shown}. No practice key for {quiz} is beside "
                        f"this notebook ({PRACTICE_KEY_FILE}), so only the form was checked.")
    if entry["kind"] == "choice":
        right = practice_key_hash(key["course"], quiz, item_id, value) == known["answer_sha256"]
    else:
        variant = item_variant(key["course"], quiz, item_id, student_id())
        expected = known["expected"].get(variant)
        right = expected is not None and _within(value, float(expected), entry)
    tolerance = f" {entry['tolerance']}" if entry["kind"] == "number" else ""
    if right:
        return Feedback(item_id, True, f"Right: {shown} is{tolerance} the answer to {item_id}.")
    return Feedback(item_id, False, f"Not quite: {shown} is not{tolerance} the answer to "
                                    f"{item_id}. Hint: {known['hint']}")


# --------------------------------------------------------------------------------------------
# widgets and plots inside a quiz


def autograding() -> bool:
    """True while nbgrader executes the notebook (it sets ``NBGRADER_EXECUTION``).

    >>> autograding()
    False
    """
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def calculator(name: str, **values: float):
    """A lesson calculator (e.g. ``"break_even"``) to explore with inside a quiz.

    Returns the widget, or None with a one-line note while nbgrader grades the notebook.
    """
    if autograding():
        print(f"(the {name} calculator is not shown while nbgrader grades this notebook)")
        return None
    from . import calculators

    if not isinstance(name, str) or not re.fullmatch(r"[a-z_]+", name) \
            or not callable(getattr(calculators, name, None)):
        raise ValueError(f"name must be one of the lesson calculators, got {_short(name)}")
    return getattr(calculators, name)(**values)


def cost_curve(scenario):
    """The cumulative cost figure of a Scenario as a PNG image (None while grading)."""
    if autograding():
        print("(the cost curve is not drawn while nbgrader grades this notebook)")
        return None
    from IPython.display import Image

    from . import tco
    from .plots import cost_curve_figure, figure_to_png

    return Image(data=figure_to_png(cost_curve_figure(tco(scenario))), format="png")
