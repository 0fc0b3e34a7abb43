"""The learner's side of the nbgrader quizzes: your numbers, a self-check, and your recorded answer.

A quiz notebook calls three things from here:

* :func:`given` shows the numbers of one question *for you*. Each student gets a variant of
  every numeric question, chosen from their id (``FTROI_STUDENT_ID``, else ``JUPYTERHUB_USER``);
  with neither set, the notebook shows the practice variant, the numbers printed in the workbook.
* :func:`check` is the instant self-check under each answer. What it may say depends on the quiz
  mode (``FTROI_QUIZ_MODE``, else the mode the instructor released the quiz in):

  - **practice**: right or wrong, with a hint. The practice key comes with the practice release
    (``practice_key.json`` beside the notebook), never with this package.
  - **exam**: only whether the answer has the right *form* (a number, or one of the offered
    letters). Nothing a learner has in an exam can tell a right answer from a wrong one.

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
>>> use_quiz("q1_break_even", course="ftroi", mode="exam")
>>> p = given("q1_1")
>>> p["hosted_cost_per_1k_req"], p["one_time_finetune_cost"]
(14, 650)
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
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import product
from pathlib import Path
from typing import Any

__all__ = [
    "Feedback",
    "Given",
    "MODES",
    "RECORD_MARKER",
    "autograding",
    "calculator",
    "check",
    "cost_curve",
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
]

#: The two quiz modes: ``practice`` tells right from wrong, ``exam`` checks only the form.
MODES = ("practice", "exam")
#: The prefix of the one line :func:`record` prints; the grader reads only such lines.
RECORD_MARKER = "FTROI-ANSWER "
#: The practice key's file name, written beside a practice release's notebook.
PRACTICE_KEY_FILE = "practice_key.json"
#: Longest answer text kept or echoed in a message.
_MAX_TEXT = 40


# --------------------------------------------------------------------------------------------
# question data


@lru_cache(maxsize=1)
def quiz_items() -> dict[str, Any]:
    """Every quiz's items and numeric variants, from ``data/quiz_items.json`` (no answers)."""
    text = resources.files("ftroi_helpers").joinpath("data/quiz_items.json").read_text("utf-8")
    return json.loads(text)


def _quiz(quiz: str) -> dict[str, Any]:
    quizzes = quiz_items()["quizzes"]
    if not isinstance(quiz, str) or quiz not in quizzes:
        listed = ", ".join(repr(q) for q in quizzes)
        raise ValueError(f"quiz must be one of {listed}, got {_short(quiz)}")
    return quizzes[quiz]


def item_info(quiz: str, item_id: str) -> dict[str, Any]:
    """What one item asks for: its kind (``number`` or ``choice``), options or unit, tolerance.

    >>> item_info("q1_break_even", "q1_3")["options"]
    'ABCD'
    """
    entry = _quiz(quiz)["items"].get(item_id) if isinstance(item_id, str) else None
    if entry is None:
        listed = ", ".join(_quiz(quiz)["items"])
        raise ValueError(f"item_id must be an item of {quiz} ({listed}), got {_short(item_id)}")
    return entry


# --------------------------------------------------------------------------------------------
# whose quiz, which mode


@dataclass
class _State:
    quiz: str | None = None
    course: str = "ftroi"
    mode: str | None = None


_STATE = _State()


def use_quiz(quiz: str, course: str = "ftroi", mode: str | None = None) -> None:
    """Set the quiz this notebook is (its locked setup cell calls this).

    Parameters
    ----------
    quiz : str
        The quiz's name, e.g. ``"q1_break_even"``.
    course : str
        The course id; it is part of every variant, so a new course id gives new numbers.
    mode : {"practice", "exam"} or None
        The mode the quiz was released in. ``FTROI_QUIZ_MODE`` overrides it when set.
    """
    _quiz(quiz)
    if not isinstance(course, str) or not course.strip():
        raise ValueError(f"course must be a non-empty course id, got {_short(course)}")
    if mode is not None and mode not in MODES:
        raise ValueError(f"mode must be 'practice' or 'exam', got {_short(mode)}")
    _STATE.quiz, _STATE.course, _STATE.mode = quiz, course.strip(), mode


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
# variants: a pure function of course, quiz, question and student


def _pick(course: str, quiz: str, given_id: str, student: str, param: str, n: int) -> int:
    """The index of one parameter's value for a student (1..n-1: never the practice value)."""
    if n == 1:
        return 0
    text = "\x1f".join((course, quiz, given_id, student, param))
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return 1 + int.from_bytes(digest[:8], "big") % (n - 1)


def _spec(quiz: str, given_id: str) -> dict[str, dict[str, Any]]:
    spec = _quiz(quiz)["given"].get(given_id) if isinstance(given_id, str) else None
    if spec is None:
        listed = ", ".join(_quiz(quiz)["given"])
        raise ValueError(f"given_id must be one of {quiz}'s questions ({listed}), "
                         f"got {_short(given_id)}")
    return spec


def variant_key(course: str, quiz: str, given_id: str, student: str | None) -> str:
    """The variant as dot-separated value indices, in the spec's parameter order.

    ``"0.0.0"`` is the practice variant; every student's indices are >= 1 where there is a
    choice, so no student gets the practice numbers.

    >>> variant_key("ftroi", "q1_break_even", "q1_1", None)
    '0.0.0'
    >>> variant_key("ftroi", "q1_break_even", "q1_1", "alice") == \\
    ...     variant_key("ftroi", "q1_break_even", "q1_1", "alice")
    True
    """
    spec = _spec(quiz, given_id)
    if student is None:
        return ".".join("0" for _ in spec)
    return ".".join(str(_pick(course, quiz, given_id, student, name, len(p["values"])))
                    for name, p in spec.items())


def variant_params(course: str, quiz: str, given_id: str, student: str | None) -> dict[str, Any]:
    """The numbers of one question for one student (None: the practice variant).

    >>> variant_params("ftroi", "q2_eval_baselines", "q2_3", None)
    {'labelled_examples': 1340, 'holdout_fraction': 0.2}
    """
    spec = _spec(quiz, given_id)
    indices = [int(i) for i in variant_key(course, quiz, given_id, student).split(".")]
    return {name: p["values"][i] for (name, p), i in zip(spec.items(), indices, strict=True)}


def item_variant(course: str, quiz: str, item_id: str, student: str | None) -> str:
    """One numeric item's variant: the variant keys of the questions it uses, joined by ``|``.

    >>> item_variant("ftroi", "q1_break_even", "q1_6", None)
    '0.0.0.0.0.0.0.0|0'
    """
    entry = item_info(quiz, item_id)
    if entry["kind"] != "number":
        raise ValueError(f"item_id must be a numeric item, got {_short(item_id)}")
    return "|".join(variant_key(course, quiz, g, student) for g in entry["given"])


def item_params(course: str, quiz: str, item_id: str, student: str | None) -> dict[str, Any]:
    """All the numbers one numeric item uses, for one student (None: practice).

    >>> item_params("ftroi", "q1_break_even", "q1_6", None)["training_usd"]
    75
    """
    out: dict[str, Any] = {}
    for g in item_info(quiz, item_id)["given"]:
        out.update(variant_params(course, quiz, g, student))
    return out


def item_combinations(quiz: str, item_id: str) -> list[tuple[str, dict[str, Any]]]:
    """Every variant of one numeric item, as (item variant, numbers): a practice key's rows."""
    rows: list[tuple[str, dict[str, Any]]] = [("", {})]
    for g in item_info(quiz, item_id)["given"]:
        rows = [(f"{k}|{gk}" if k else gk, {**p, **gp})
                for k, p in rows for gk, gp in given_combinations(quiz, g)]
    return rows


def given_combinations(quiz: str, given_id: str) -> list[tuple[str, dict[str, Any]]]:
    """Every variant of one question, as (variant key, numbers): what a practice key covers."""
    spec = _spec(quiz, given_id)
    names = list(spec)
    out = []
    for idx in product(*(range(len(spec[n]["values"])) for n in names)):
        out.append((".".join(map(str, idx)),
                    {n: spec[n]["values"][i] for n, i in zip(names, idx, strict=True)}))
    return out


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


def given(given_id: str) -> Given:
    """The numbers of one question for whoever runs this notebook (see :func:`student_id`).

    Returns a :class:`Given`: a dict of the question's numbers by name, shown as a table.
    """
    quiz = _current_quiz()
    who = student_id()
    spec = _spec(quiz, given_id)
    values = variant_params(_STATE.course, quiz, given_id, who)
    return Given(given_id, values, {n: p.get("label", "") for n, p in spec.items()}, who)


# --------------------------------------------------------------------------------------------
# answers as plain data


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 3] + "..."


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


def _shown(entry: dict[str, Any], value: Any) -> str:
    if entry["kind"] == "choice":
        return str(value)
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
    shown = _shown(entry, value)
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
