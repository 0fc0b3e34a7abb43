"""The answer key of the ftroi quizzes and the course secret: the instructor's side only.

Every auto-graded item is here: a multiple-choice item's right letter (as the question's source
lists it), or a numeric item's method, which the grader applies to the submitting student's own
variant of the question. What a question *asks* (its numbers, options and tolerance) is public
question data in the learner's package (``ftroi_helpers/data/quiz_items.json``, read through
:mod:`ftroi_helpers.quiz_variants`); what it *answers* is only here.

**Exams are keyed by the course secret** (:func:`load_secret`: 32 random bytes in a file of
mode 0600 in the course folder, created by the first exam release, never committed or
released). Each exam quiz gets a seed, an HMAC of course and quiz under the secret
(:func:`exam_seed`); the release writes the seed into the setup cell, and both the student's
kernel and the grader derive from it that student's exam numbers (from the exam's own values)
and option order. Without the secret nobody can compute a seed before its exam is released, and
a seed tells nothing about the secret or another quiz's seed.

Binder's image deletes this folder with ``quizzes/source``; the grading sandbox hides it (and the
course folder with the secret) from the kernel that runs a submission.

A marker reproduces any student's numbers, options and answers from the course folder::

    python -m ftroi_course.key show q1_break_even alice          # as the exam was released
    python -m ftroi_course.key show q1_break_even alice --practice

Examples
--------
>>> round(expected("ftroi", "q1_break_even", "q1_1", None), 2)   # the workbook's 14, 3 and 650
59090.91
>>> is_right("ftroi", "q1_break_even", "q1_1", None, 59_000.0)
True
>>> is_right("ftroi", "q1_break_even", "q1_3", "alice", "d")
True
>>> seed = exam_seed(bytes(32), "ftroi", "q1_break_even")
>>> mine = right_letter("q1_break_even", "q1_3", "alice", seed)
>>> mine == q.exam_letter(seed, "q1_break_even", "q1_3", "alice", "D")
True
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import math
import os
import secrets
import stat
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ftroi_helpers import quiz_variants as q
from ftroi_helpers.quiz import Given, normalise_answer, practice_key_hash

__all__ = ["CHOICES", "HINTS", "NUMBERS", "SECRET_FILE", "exam_seed", "expected", "is_right",
           "items", "load_secret", "practice_key", "right_letter", "student_sheet"]

#: The course secret's file name in the course folder (``c.FtroiQuiz.secret_file`` changes it).
SECRET_FILE = "course_secret.key"
_SECRET_BYTES = 32


# --------------------------------------------------------------------------------------------
# methods for the numeric items: each takes the variant's numbers and returns the answer


def _breakeven_requests(p: dict[str, Any]) -> float:
    from ftroi_helpers import breakeven_requests

    return breakeven_requests(p["hosted_cost_per_1k_req"], p["self_hosted_cost_per_1k_req"],
                              p["one_time_finetune_cost"])


def _breakeven_days(p: dict[str, Any]) -> float:
    from ftroi_helpers import breakeven_days

    return breakeven_days(p["prompt_cost_per_call"], p["calls_per_day"], p["training_cost"],
                          p["savings_fraction"])


_WORKLOAD = ("requests_per_day", "prompted_input_tokens", "finetuned_input_tokens",
             "output_tokens", "base_usd_per_1m_input", "base_usd_per_1m_output",
             "ft_usd_per_1m_input", "ft_usd_per_1m_output")


def _monthly_savings(p: dict[str, Any]) -> float:
    from ftroi_helpers import monthly_inference_savings

    return monthly_inference_savings(**{k: p[k] for k in _WORKLOAD})


def _months_to_repay(p: dict[str, Any]) -> float:
    return p["training_usd"] / _monthly_savings(p)


def _training_examples(p: dict[str, Any]) -> float:
    held_out = round(p["labelled_examples"] * p["holdout_fraction"])
    return p["labelled_examples"] - held_out


def _usd_per_1k_correct(p: dict[str, Any]) -> float:
    from ftroi_helpers import request_cost

    per_request = request_cost(p["input_tokens"], p["output_tokens"], p["usd_per_1m_input"],
                               p["usd_per_1m_output"])
    return per_request * 1000 / p["quality"]


def _duplicate_percent(p: dict[str, Any]) -> float:
    return 100 * p["near_duplicates"] / p["examples"]


def _examples_to_detect(p: dict[str, Any]) -> float:
    from ftroi_helpers import min_examples_to_detect

    return float(min_examples_to_detect(p["baseline_accuracy"], p["delta"]))


def _scenario(p: dict[str, Any], **changes: Any):
    from ftroi_helpers import Scenario

    return Scenario(**{**p, **changes})


def _payback_month(p: dict[str, Any]) -> float:
    from ftroi_helpers import tco

    month = tco(_scenario(p)).payback_month
    return math.inf if month is None else float(month)


def _finetune_total_usd(p: dict[str, Any]) -> float:
    from ftroi_helpers import tco

    return float(tco(_scenario(p)).table["finetune_cumulative_usd"].iloc[-1])


def _savings_with_price_decline_usd(p: dict[str, Any]) -> float:
    from ftroi_helpers import tco

    result = tco(_scenario(p, hosted_price_decline_per_year=0.6))
    return float(result.table["cumulative_savings_usd"].iloc[-1])


#: numeric item -> its method
NUMBERS: dict[str, Callable[[dict[str, Any]], float]] = {
    "q1_1": _breakeven_requests,
    "q1_2": _breakeven_days,
    "q1_4": _monthly_savings,
    "q1_6": _months_to_repay,
    "q2_3": _training_examples,
    "q2_5": _usd_per_1k_correct,
    "q2_6": _usd_per_1k_correct,
    "q2_7": _duplicate_percent,
    "q2_11": _examples_to_detect,
    "q3_2": _payback_month,
    "q3_3": _finetune_total_usd,
    "q3_4": _savings_with_price_decline_usd,
}

#: multiple-choice item -> its right letter
CHOICES: dict[str, str] = {
    "q0_1": "A", "q0_2": "D", "q0_3": "B", "q0_4": "C", "q0_5": "A", "q0_6": "D", "q0_7": "B", "q0_9": "C", "q0_10": "A",
    "q1_3": "D", "q1_5": "A", "q1_7": "C",
    "q2_1": "D", "q2_2": "B", "q2_4": "C", "q2_8": "D", "q2_9": "B", "q2_12": "C",
    "q3_1": "A", "q3_5": "D", "q3_6": "B", "q3_7": "C",
}

#: item -> the hint a practice self-check gives with a wrong answer (never the answer)
HINTS: dict[str, str] = {
    "q0_1": "Lesson 00's first section: a fine-tuning decision is arithmetic. Which option lists "
            "the inputs of that arithmetic?",
    "q0_2": "Savings per 1,000 requests = hosted minus self-hosted cost. Divide the one-time cost "
            "by it and multiply by 1,000.",
    "q0_3": "If every request costs more self-hosted, is there any saving that could repay the one- "
            "time cost?",
    "q0_4": "Prices in this field fall quickly: what does a price read a year ago tell you about "
            "today's?",
    "q0_5": "Lesson 00 says what the workbook does where a source is wrong.",
    "q0_6": "Lesson 00: the notebooks narrate, call and plot. Where is the tested code?",
    "q0_7": "Money saved per day = P x V x S. How many such days repay T?",
    "q0_9": "A retrained model is a new model: what must you know about it before you switch "
            "traffic to it?",
    "q0_10": "An answer that sounds confident is not evidence. What would you do with any number "
            "before you relied on it?",
    "q1_1": "Savings per 1,000 requests = hosted minus self-hosted cost. Divide the one-time cost "
            "by it and multiply by 1,000, or call breakeven_requests.",
    "q1_2": "Money saved per day = P x V x S. Days = T / (money saved per day), or call "
            "breakeven_days.",
    "q1_3": "Compare the two per-1,000-request costs first: does self-hosting save anything on each "
            "request?",
    "q1_4": "Price each request at its own model's prices: the prompted request at the base prices "
            "with its input tokens, the fine-tuned one at the fine-tuned prices with its own. "
            "monthly_inference_savings does this.",
    "q1_5": "Look at what the fine-tuned model charges for every token it still reads and writes, "
            "not only for the tokens you save.",
    "q1_6": "Months = training cost / monthly savings. Use the true savings from q1_4, not the "
            "shortcut.",
    "q1_7": "Savings scale with volume: 100 requests a day saves 1/100 of what 10,000 do. Divide "
            "each end of the training-cost range by that monthly saving.",
    "q2_1": "A fine-tune you cannot evaluate is a liability. When must the evaluation setup exist "
            "for you to judge the fine-tune at all?",
    "q2_2": "The fine-tuning guide's table of common mistakes, the row 'Insufficient eval set'.",
    "q2_3": "Held-out examples = the held-out share of the labelled set, rounded to whole examples; "
            "the rest is for training.",
    "q2_4": "The fine-tuning guide's quality table: find the row whose difference can be negative.",
    "q2_5": "Cost of 1,000 requests (request_cost x 1,000) divided by the share of answers that are "
            "right.",
    "q2_6": "The same method as q2_5, with the prompted request's tokens, prices and quality.",
    "q2_7": "Near-duplicates / all examples x 100.",
    "q2_8": "Compare your answer to q2_7 with the limit in the guide's data quality checklist.",
    "q2_9": "What happens to metrics measured on examples the model was trained on?",
    "q2_11": "min_examples_to_detect(baseline_accuracy, delta), with the defaults: 95 % confidence "
            "and 80 % power.",
    "q2_12": "Does the interval of the difference contain zero? Two separate intervals that overlap "
            "say little; the interval of the difference decides.",
    "q3_1": "The fine-tuning guide's advice: 'Budget for retraining'.",
    "q3_2": "tco(Scenario(...)).payback_month; each retraining adds training plus evaluation again. "
            "tco(Scenario(...)).payback_month; each retraining adds training plus evaluation again.",
    "q3_3": "The last row of tco(...).table['finetune_cumulative_usd']: one-time cost, retrainings "
            "and inference.",
    "q3_4": "Add hosted_price_decline_per_year=0.6 to the scenario and read the last row of "
            "cumulative_savings_usd. It is negative when fine-tuning is behind.",
    "q3_5": "Before you spend on retraining after a base-model update, what should you measure?",
    "q3_6": "A fine-tune trained on last quarter's data learns last quarter's patterns.",
    "q3_7": "Fine-tuning's saving is the prompting bill you no longer pay. What happens to that "
            "bill when hosted prices fall?",
}


@dataclass(frozen=True)
class KeyItem:
    """One auto-graded item as the grader sees it."""

    quiz: str
    item_id: str
    kind: str  # "number" or "choice"


def items(quiz: str | None = None) -> list[KeyItem]:
    """Every auto-graded item of one quiz (or of all), in the question data's order."""
    quizzes = q.quiz_items()["quizzes"]
    names = list(quizzes) if quiz is None else [quiz]
    out = []
    for name in names:
        if name not in quizzes:
            raise ValueError(f"quiz must be one of {', '.join(quizzes)}, got {name!r}")
        for item_id, info in quizzes[name]["items"].items():
            out.append(KeyItem(name, item_id, info["kind"]))
    return out


# --------------------------------------------------------------------------------------------
# the course secret


def load_secret(path: str | os.PathLike[str], create: bool = False) -> bytes:
    """The course secret in ``path`` (64 hexadecimal digits), made on first use if ``create``.

    A new secret is ``secrets.token_hex(32)`` in a file of mode 0600. A secret that others may
    read is refused: chmod 600 it (and ask whether it leaked).
    """
    path = Path(path)
    if not path.exists():
        if not create:
            raise FileNotFoundError(
                f"the course secret {path} is missing: exams released with it cannot be graded "
                "or reproduced without it; restore it from your backup (see quizzes/README.md)")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            os.fchmod(fh.fileno(), 0o600)
            fh.write(secrets.token_hex(_SECRET_BYTES) + "\n")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise PermissionError(f"the course secret {path} can be read by others (mode "
                              f"{mode:04o}): run chmod 600 {path}")
    text = path.read_text(encoding="ascii").strip()
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) != _SECRET_BYTES:
        raise ValueError(f"the course secret {path} must hold {2 * _SECRET_BYTES} hexadecimal "
                         "digits")
    return secret


def exam_seed(secret: bytes, course: str, quiz: str) -> str:
    """One exam quiz's seed: HMAC-SHA-256 of course and quiz under the course secret."""
    message = f"ftroi-exam-seed\x1f{course}\x1f{quiz}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


# --------------------------------------------------------------------------------------------
# what is right for one student


def _params(course: str, quiz: str, item_id: str, student: str | None,
            seed: str | None) -> dict[str, Any]:
    if seed is None:
        return q.item_params(course, quiz, item_id, student)
    if student is None:
        raise ValueError("student must be a student id in an exam (every student has their "
                         "own numbers)")
    return q.exam_item_params(seed, quiz, item_id, student)


def expected(course: str, quiz: str, item_id: str, student: str | None,
             seed: str | None = None) -> float:
    """The right answer to a numeric item for one student's variant: practice (the course id;
    student None: the workbook's numbers), or with ``seed`` the exam's."""
    if item_id not in NUMBERS:
        raise ValueError(f"item_id must be a numeric quiz item, got {item_id!r}")
    return float(NUMBERS[item_id](_params(course, quiz, item_id, student, seed)))


def right_letter(quiz: str, item_id: str, student: str | None, seed: str | None = None) -> str:
    """The letter that is right for this student: the listed one, or in an exam (``seed``) the
    letter under which the student sees it."""
    if item_id not in CHOICES:
        raise ValueError(f"item_id must be a multiple-choice quiz item, got {item_id!r}")
    if seed is None:
        return CHOICES[item_id]
    if student is None:
        raise ValueError("student must be a student id in an exam (options are shuffled)")
    return q.exam_letter(seed, quiz, item_id, student, CHOICES[item_id])


def is_right(course: str, quiz: str, item_id: str, student: str | None, answer: Any,
             seed: str | None = None) -> bool:
    """True if ``answer`` (plain data: a number or a letter) is right for this student.

    This runs in the grading process, never in a student's kernel. ``answer`` is first reduced
    to plain data, so an object that claims to equal everything is simply not an answer.
    ``seed`` is the exam's (None: practice).
    """
    info = q.item_info(quiz, item_id)
    value = normalise_answer(answer)
    if info["kind"] == "choice":
        return isinstance(value, str) and value == right_letter(quiz, item_id, student, seed)
    if not isinstance(value, float):
        return False
    right = expected(course, quiz, item_id, student, seed)
    if not math.isfinite(right):
        return False
    slack = max(info.get("rel_tol", 0.0) * abs(right), info.get("abs_tol", 0.0))
    return abs(value - right) <= slack + 1e-9


def practice_key(course: str, quiz: str) -> dict[str, Any]:
    """The key a *practice* release carries (``practice_key.json``): hashed letters, and each
    numeric item's answer for every practice variant, so a practice self-check can say right or
    wrong. It holds no exam variant (exams draw from other values) and no exam letter (exams
    shuffle the options per student).

    Never written into an exam release.
    """
    out: dict[str, Any] = {"course": course, "quiz": quiz, "items": {}}
    for entry in items(quiz):
        row: dict[str, Any] = {"hint": HINTS[entry.item_id]}
        if entry.kind == "choice":
            row["answer_sha256"] = practice_key_hash(course, quiz, entry.item_id,
                                                     CHOICES[entry.item_id])
        else:
            row["expected"] = {variant: float(NUMBERS[entry.item_id](params))
                               for variant, params in q.item_combinations(quiz, entry.item_id)}
        out["items"][entry.item_id] = row
    return out


# --------------------------------------------------------------------------------------------
# the marker's view: python -m ftroi_course.key show QUIZ STUDENT


def student_sheet(course: str, quiz: str, student: str, seed: str | None = None) -> dict:
    """Everything one student was asked and what is right, as plain data.

    ``given``: each question's numbers; ``order``: each multiple-choice item's letters as the
    question lists them, in the order the student sees them; ``answers``: each item's right
    answer (a number or the student's letter).
    """
    quizzes = q.quiz_items()["quizzes"]
    if quiz not in quizzes:
        raise ValueError(f"quiz must be one of {', '.join(quizzes)}, got {quiz!r}")
    given = {}
    for g in quizzes[quiz]["given"]:
        given[g] = (q.exam_variant_params(seed, quiz, g, student) if seed
                    else q.variant_params(course, quiz, g, student))
    order, answers = {}, {}
    for entry in items(quiz):
        if entry.kind == "choice":
            order[entry.item_id] = (q.exam_order(seed, quiz, entry.item_id, student) if seed
                                    else q.item_info(quiz, entry.item_id)["options"])
            answers[entry.item_id] = right_letter(quiz, entry.item_id, student, seed)
        else:
            answers[entry.item_id] = expected(course, quiz, entry.item_id, student, seed)
    return {"course": course, "quiz": quiz, "student": student,
            "mode": "exam" if seed else "practice", "given": given, "order": order,
            "answers": answers}


def format_sheet(sheet: dict) -> str:
    """The sheet as a marker reads it; each question's numbers exactly as the student's
    notebook showed them."""
    quiz = sheet["quiz"]
    lines = [f"{quiz}, student {sheet['student']} ({sheet['mode']}, course {sheet['course']})"]
    for g, values in sheet["given"].items():
        labels = {n: p.get("label", "") for n, p in q.quiz_items()["quizzes"][quiz]["given"][g]
                  .items()}
        lines += ["", repr(Given(g, values, labels, sheet["student"]))]
    lines.append("")
    for item_id, answer in sheet["answers"].items():
        if item_id in sheet["order"]:
            seen = ", ".join(f"{mine} = listed {listed}" for mine, listed in
                             zip(q.item_info(quiz, item_id)["options"], sheet["order"][item_id],
                                 strict=True))
            lines.append(f"{item_id}: right answer {answer} (options seen as {seen})")
        else:
            info = q.item_info(quiz, item_id)
            lines.append(f"{item_id}: right answer {answer:,.10g} {info['unit']} "
                         f"({info['tolerance']})")
    return "\n".join(lines)


def _course_settings(course_dir: Path) -> tuple[str, Path]:
    """The course id and the secret's path, from the course folder's nbgrader_config.py."""
    from traitlets.config.loader import PyFileConfigLoader

    from .grading import course_id, secret_path

    if not (course_dir / "nbgrader_config.py").is_file():
        raise FileNotFoundError(f"--course-dir must be the course folder (with nbgrader_config.py), "
                                f"got {course_dir}")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_dir)).load_config()
    return course_id(config), secret_path(config)


def main(argv: list[str] | None = None) -> int:
    """``python -m ftroi_course.key show QUIZ STUDENT [--practice] [--json] [--course-dir D]``"""
    parser = argparse.ArgumentParser(prog="python -m ftroi_course.key",
                                     description="Reproduce one student's quiz: numbers, "
                                                 "option order and right answers.")
    sub = parser.add_subparsers(dest="command", required=True)
    show = sub.add_parser("show", help="one student's numbers, options and answers")
    show.add_argument("quiz")
    show.add_argument("student")
    show.add_argument("--practice", action="store_true",
                      help="the practice variant (default: the exam's, from the course secret)")
    show.add_argument("--json", action="store_true", help="print plain JSON")
    show.add_argument("--course-dir", type=Path, default=Path.cwd(),
                      help="the course folder (default: the current folder)")
    args = parser.parse_args(argv)
    try:
        course, secret_file = _course_settings(args.course_dir.resolve())
        seed = None if args.practice else exam_seed(load_secret(secret_file), course, args.quiz)
        sheet = student_sheet(course, args.quiz, args.student, seed)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(sheet, indent=1) if args.json else format_sheet(sheet))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
