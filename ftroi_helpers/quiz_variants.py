"""Quiz question data and each student's variant of it: practice variants and exam variants.

Two kinds of variant, drawn from two different sets of values:

* **Practice** (self-paced, Binder): a public function of course id, quiz, question and student
  (SHA-256) over each number's ``values`` in ``data/quiz_items.json``. Index 0 is the workbook's
  own numbers. Anyone can compute it, and the practice key (``practice_key.json``) answers every
  practice variant: practice is not graded.
* **Exam**: drawn over each number's ``exam_values`` (no exam answer is a practice answer) with
  HMAC-SHA-256 keyed by the exam's *seed*. The seed is an HMAC of the quiz under the course
  secret that only the instructor holds (``quizzes/ftroi_course/key.py``); the exam release
  writes it into the quiz's locked setup cell, so a student's kernel can show that student their
  own numbers and their own order of the multiple-choice options. Before the exam is released
  nobody can compute them, and the seed of one quiz says nothing about the secret or another
  quiz. Numbers and option orders are the question, never the answer.

Examples
--------
>>> variant_params("ftroi", "q2_eval_baselines", "q2_3", None)   # the workbook's numbers
{'labelled_examples': 1340, 'holdout_fraction': 0.2}
>>> seed = "ab" * 32
>>> exam_variant_key(seed, "q2_eval_baselines", "q2_3", "alice") == \\
...     exam_variant_key(seed, "q2_eval_baselines", "q2_3", "alice")
True
>>> sorted(exam_order(seed, "q1_break_even", "q1_3", "alice"))
['A', 'B', 'C', 'D']
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from functools import lru_cache
from importlib import resources
from itertools import product
from typing import Any

__all__ = [
    "exam_item_combinations", "exam_item_params", "exam_item_variant", "exam_letter",
    "exam_order", "exam_variant_key", "exam_variant_params", "given_combinations",
    "item_combinations", "item_info", "item_params", "item_variant", "quiz_items",
    "variant_key", "variant_params",
]

#: Longest answer text kept or echoed in a message.
MAX_TEXT = 40
#: An exam seed: 64 hexadecimal digits (an HMAC-SHA-256 written by the exam release).
SEED = re.compile(r"[0-9a-f]{64}")


def short(value: Any) -> str:
    """``repr(value)``, cut to :data:`MAX_TEXT` characters for a message."""
    text = repr(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


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
        raise ValueError(f"quiz must be one of {listed}, got {short(quiz)}")
    return quizzes[quiz]


def item_info(quiz: str, item_id: str) -> dict[str, Any]:
    """What one item asks for: its kind (``number`` or ``choice``), options or unit, tolerance.

    >>> item_info("q1_break_even", "q1_3")["options"]
    'ABCD'
    """
    entry = _quiz(quiz)["items"].get(item_id) if isinstance(item_id, str) else None
    if entry is None:
        listed = ", ".join(_quiz(quiz)["items"])
        raise ValueError(f"item_id must be an item of {quiz} ({listed}), got {short(item_id)}")
    return entry


def _spec(quiz: str, given_id: str) -> dict[str, dict[str, Any]]:
    spec = _quiz(quiz)["given"].get(given_id) if isinstance(given_id, str) else None
    if spec is None:
        listed = ", ".join(_quiz(quiz)["given"])
        raise ValueError(f"given_id must be one of {quiz}'s questions ({listed}), "
                         f"got {short(given_id)}")
    return spec


def _numeric_givens(quiz: str, item_id: str) -> list[str]:
    entry = item_info(quiz, item_id)
    if entry["kind"] != "number":
        raise ValueError(f"item_id must be a numeric item, got {short(item_id)}")
    return list(entry["given"])


def _exam_values(param: dict[str, Any]) -> list[Any]:
    """An exam's values of one number: ``exam_values``, or the one fixed value (a price)."""
    return param.get("exam_values", param["values"])


# --------------------------------------------------------------------------------------------
# practice variants: a public function of course, quiz, question and student


def _pick(course: str, quiz: str, given_id: str, student: str, param: str, n: int) -> int:
    """The index of one parameter's value for a student (1..n-1: never the workbook value)."""
    if n == 1:
        return 0
    text = "\x1f".join((course, quiz, given_id, student, param))
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return 1 + int.from_bytes(digest[:8], "big") % (n - 1)


def variant_key(course: str, quiz: str, given_id: str, student: str | None) -> str:
    """A practice variant as dot-separated value indices, in the spec's parameter order.

    ``"0.0.0"`` holds the workbook's numbers; every student's indices are >= 1 where there is a
    choice.

    >>> variant_key("ftroi", "q1_break_even", "q1_1", None)
    '0.0.0'
    """
    spec = _spec(quiz, given_id)
    if student is None:
        return ".".join("0" for _ in spec)
    return ".".join(str(_pick(course, quiz, given_id, student, name, len(p["values"])))
                    for name, p in spec.items())


def variant_params(course: str, quiz: str, given_id: str, student: str | None) -> dict[str, Any]:
    """The practice numbers of one question for one student (None: the workbook's)."""
    spec = _spec(quiz, given_id)
    indices = [int(i) for i in variant_key(course, quiz, given_id, student).split(".")]
    return {name: p["values"][i] for (name, p), i in zip(spec.items(), indices, strict=True)}


def item_variant(course: str, quiz: str, item_id: str, student: str | None) -> str:
    """One numeric item's practice variant: its questions' variant keys joined by ``|``.

    >>> item_variant("ftroi", "q1_break_even", "q1_6", None)
    '0.0.0.0.0.0.0.0|0'
    """
    return "|".join(variant_key(course, quiz, g, student) for g in _numeric_givens(quiz, item_id))


def item_params(course: str, quiz: str, item_id: str, student: str | None) -> dict[str, Any]:
    """All the practice numbers one numeric item uses, for one student (None: the workbook's).

    >>> item_params("ftroi", "q1_break_even", "q1_6", None)["training_usd"]
    75
    """
    out: dict[str, Any] = {}
    for g in _numeric_givens(quiz, item_id):
        out.update(variant_params(course, quiz, g, student))
    return out


def given_combinations(quiz: str, given_id: str,
                       exam: bool = False) -> list[tuple[str, dict[str, Any]]]:
    """Every variant of one question, as (variant key, numbers): practice, or with ``exam``
    the exam's values."""
    spec = _spec(quiz, given_id)
    names = list(spec)
    values = {n: _exam_values(spec[n]) if exam else spec[n]["values"] for n in names}
    return [(".".join(map(str, idx)), {n: values[n][i] for n, i in zip(names, idx, strict=True)})
            for idx in product(*(range(len(values[n])) for n in names))]


def item_combinations(quiz: str, item_id: str,
                      exam: bool = False) -> list[tuple[str, dict[str, Any]]]:
    """Every variant of one numeric item, as (item variant, numbers): a practice key's rows,
    or with ``exam`` every exam variant."""
    rows: list[tuple[str, dict[str, Any]]] = [("", {})]
    for g in _numeric_givens(quiz, item_id):
        rows = [(f"{k}|{gk}" if k else gk, {**p, **gp})
                for k, p in rows for gk, gp in given_combinations(quiz, g, exam)]
    return rows


# --------------------------------------------------------------------------------------------
# exam variants: keyed by the exam's seed (from the course secret)


def _seed_key(seed: str) -> bytes:
    if not isinstance(seed, str) or not SEED.fullmatch(seed):
        raise ValueError(f"seed must be the exam release's 64 hexadecimal digits, got "
                         f"{short(seed)}")
    return bytes.fromhex(seed)


def _student(student: str) -> str:
    if not isinstance(student, str) or not student.strip():
        raise ValueError(f"student must be a non-empty student id, got {short(student)}")
    return student.strip()


def _draw(seed: str, *parts: str) -> int:
    message = "\x1f".join(("ftroi-exam", *parts)).encode("utf-8")
    return int.from_bytes(hmac.new(_seed_key(seed), message, hashlib.sha256).digest()[:8], "big")


def exam_variant_key(seed: str, quiz: str, given_id: str, student: str) -> str:
    """An exam variant as dot-separated indices into each number's exam values."""
    spec, who = _spec(quiz, given_id), _student(student)
    return ".".join(str(_draw(seed, quiz, given_id, who, name) % len(_exam_values(p)))
                    for name, p in spec.items())


def exam_variant_params(seed: str, quiz: str, given_id: str, student: str) -> dict[str, Any]:
    """The exam numbers of one question for one student."""
    spec = _spec(quiz, given_id)
    indices = [int(i) for i in exam_variant_key(seed, quiz, given_id, student).split(".")]
    return {name: _exam_values(p)[i]
            for (name, p), i in zip(spec.items(), indices, strict=True)}


def exam_item_variant(seed: str, quiz: str, item_id: str, student: str) -> str:
    """One numeric item's exam variant: its questions' exam variant keys joined by ``|``."""
    return "|".join(exam_variant_key(seed, quiz, g, student)
                    for g in _numeric_givens(quiz, item_id))


def exam_item_params(seed: str, quiz: str, item_id: str, student: str) -> dict[str, Any]:
    """All the exam numbers one numeric item uses, for one student."""
    out: dict[str, Any] = {}
    for g in _numeric_givens(quiz, item_id):
        out.update(exam_variant_params(seed, quiz, g, student))
    return out


def exam_item_combinations(quiz: str, item_id: str) -> list[tuple[str, dict[str, Any]]]:
    """Every exam variant of one numeric item (the exam's values; never in a practice key)."""
    return item_combinations(quiz, item_id, exam=True)


def exam_order(seed: str, quiz: str, item_id: str, student: str) -> str:
    """The order in which one student sees a multiple-choice item's options in an exam.

    Character k is the letter the *workbook* lists at the student's position k: with
    ``"CADB"`` the student's option A is the workbook's C.
    """
    entry = item_info(quiz, item_id)
    if entry["kind"] != "choice":
        raise ValueError(f"item_id must be a multiple-choice item, got {short(item_id)}")
    who = _student(student)
    return "".join(sorted(entry["options"],
                          key=lambda listed: _draw(seed, quiz, item_id, who, "order", listed)))


def exam_letter(seed: str, quiz: str, item_id: str, student: str, listed: str) -> str:
    """The letter under which ``student`` sees the option the workbook lists as ``listed``."""
    options = item_info(quiz, item_id)["options"]
    if not isinstance(listed, str) or listed.strip().upper() not in options:
        raise ValueError(f"listed must be one of {item_id}'s letters ({', '.join(options)}), "
                         f"got {short(listed)}")
    order = exam_order(seed, quiz, item_id, student)
    return options[order.index(listed.strip().upper())]
