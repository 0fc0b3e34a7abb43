"""The learner's side of the quizzes (ftroi_helpers.quiz): variants, self-check, recorded answers.

None of this needs nbgrader. The instructor's key is never imported here, except where a test
compares the learner's practice self-check with it.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
import sys
from collections import Counter
from pathlib import Path

import pytest

import ftroi_helpers
from ftroi_helpers import quiz as q

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "quizzes"))
from ftroi_course import key  # noqa: E402  (the instructor's key, for comparisons only)

NUMERIC = [(i.quiz, i.item_id) for i in key.items() if i.kind == "number"]
CHOICE = [(i.quiz, i.item_id) for i in key.items() if i.kind == "choice"]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    """No student id or mode from the machine; cwd without a practice key."""
    for name in ("FTROI_STUDENT_ID", "JUPYTERHUB_USER", "FTROI_QUIZ_MODE", "NBGRADER_EXECUTION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    yield
    q._STATE.quiz, q._STATE.course, q._STATE.mode, q._STATE.seed = None, "ftroi", None, None
    q._STATE.options = {}


def write_practice_key(folder: Path, course: str, quiz: str) -> None:
    (folder / q.PRACTICE_KEY_FILE).write_text(json.dumps(key.practice_key(course, quiz)))


# --- whose variant --------------------------------------------------------------------------


def test_student_id_prefers_ftroi_student_id_then_jupyterhub_user(monkeypatch):
    assert q.student_id() is None
    monkeypatch.setenv("JUPYTERHUB_USER", "hubuser")
    assert q.student_id() == "hubuser"
    monkeypatch.setenv("FTROI_STUDENT_ID", "alice")
    assert q.student_id() == "alice"
    monkeypatch.setenv("FTROI_STUDENT_ID", "  ")
    assert q.student_id() == "hubuser"


def test_without_an_id_the_notebook_shows_the_practice_variant():
    q.use_quiz("q1_break_even")
    assert q.given("q1_1") == {"hosted_cost_per_1k_req": 14, "self_hosted_cost_per_1k_req": 3,
                               "one_time_finetune_cost": 650}


@pytest.mark.parametrize("quiz,item", NUMERIC)
def test_a_variant_is_a_pure_function_of_course_quiz_item_and_student(quiz, item):
    a = q.item_params("ftroi", quiz, item, "alice")
    assert a == q.item_params("ftroi", quiz, item, "alice")
    students = [f"s{n:03d}" for n in range(40)]
    variants = {q.item_variant("ftroi", quiz, item, s) for s in students}
    practice = q.item_variant("ftroi", quiz, item, None)
    assert practice not in variants  # no student gets the practice numbers
    assert len(variants) >= 3  # students get different numbers
    other_course = {q.item_variant("ftroi-2027", quiz, item, s) for s in students}
    assert [q.item_variant("ftroi", quiz, item, s) for s in students] != \
        [q.item_variant("ftroi-2027", quiz, item, s) for s in students] or len(other_course) == 1


def test_given_reads_the_student_from_the_environment(monkeypatch):
    q.use_quiz("q1_break_even", course="ftroi")
    monkeypatch.setenv("FTROI_STUDENT_ID", "alice")
    assert dict(q.given("q1_1")) == q.variant_params("ftroi", "q1_break_even", "q1_1", "alice")
    shown = q.given("q1_1")._repr_markdown_()
    assert "student `alice`" in shown and "hosted_cost_per_1k_req" in shown


def test_given_needs_the_setup_cell_and_a_known_question():
    with pytest.raises(ValueError, match="use_quiz"):
        q.given("q1_1")
    q.use_quiz("q1_break_even")
    with pytest.raises(ValueError, match="given_id .* got 'q9_9'"):
        q.given("q9_9")
    with pytest.raises(ValueError, match="quiz must be one of"):
        q.use_quiz("q7_nothing")
    with pytest.raises(ValueError, match="mode must be"):
        q.use_quiz("q1_break_even", mode="test")


# --- the mode -------------------------------------------------------------------------------


def test_mode_comes_from_the_release_and_ftroi_quiz_mode_overrides_it(monkeypatch):
    q.use_quiz("q1_break_even", mode="practice")
    assert q.quiz_mode() == "practice"
    monkeypatch.setenv("FTROI_QUIZ_MODE", "exam")
    assert q.quiz_mode() == "exam"
    monkeypatch.setenv("FTROI_QUIZ_MODE", "oops")
    with pytest.raises(ValueError, match="FTROI_QUIZ_MODE"):
        q.quiz_mode()


def test_a_notebook_that_does_not_say_its_mode_is_treated_as_an_exam():
    q.use_quiz("q1_break_even")
    assert q.quiz_mode() == "exam"


# --- exam mode: the form only ------------------------------------------------------------------


@pytest.mark.parametrize("quiz,item", NUMERIC + CHOICE)
def test_in_an_exam_right_and_wrong_answers_get_the_same_message(quiz, item, tmp_path):
    write_practice_key(tmp_path, "ftroi", quiz)  # even a practice key lying around is ignored
    q.use_quiz(quiz, mode="exam")
    info = q.item_info(quiz, item)
    if info["kind"] == "choice":
        messages = {q.check(item, letter).message.replace(letter, "?")
                    for letter in info["options"]}
        verdicts = {bool(q.check(item, letter)) for letter in info["options"]}
    else:
        right = key.expected("ftroi", quiz, item, None)
        messages = {re.sub(r"recorded .* \(", "recorded ? (", q.check(item, v).message)
                    for v in (right, right * 1.5 + 1)}
        verdicts = {bool(q.check(item, v)) for v in (right, right * 1.5 + 1)}
    assert len(messages) == 1 and verdicts == {False}
    assert "checks only the form" in messages.pop()


def test_in_an_exam_the_form_is_still_checked():
    q.use_quiz("q1_break_even", mode="exam")
    assert "not answered" in q.check("q1_1", None).message
    assert "without quotes" in q.check("q1_1", "59000").message
    assert "one letter" in q.check("q1_3", 3).message
    assert "not one of the options" in q.check("q1_3", "E").message
    assert "finite number" in q.check("q1_1", float("nan")).message


def test_messages_never_echo_a_huge_answer():
    q.use_quiz("q1_break_even", mode="exam")
    message = q.check("q1_3", "X" * 10_000).message
    assert len(message) < 200


# --- practice mode: right or wrong, with the practice key -------------------------------------


@pytest.mark.parametrize("student", [None, "alice", "bob"])
@pytest.mark.parametrize("quiz,item", NUMERIC)
def test_practice_check_agrees_with_the_grader_for_any_students_variant(quiz, item, student,
                                                                        tmp_path, monkeypatch):
    if student:
        monkeypatch.setenv("FTROI_STUDENT_ID", student)
    write_practice_key(tmp_path, "ftroi", quiz)
    q.use_quiz(quiz, mode="practice")
    right = key.expected("ftroi", quiz, item, student)
    for value, verdict in ((right, True), (right * 1.5 + 1, False)):
        assert bool(q.check(item, value)) == verdict
        assert key.is_right("ftroi", quiz, item, student, value) == verdict
    assert "Hint:" in q.check(item, right * 1.5 + 1).message


@pytest.mark.parametrize("quiz,item", CHOICE)
def test_practice_check_says_right_for_exactly_the_keys_letter(quiz, item, tmp_path):
    write_practice_key(tmp_path, "ftroi", quiz)
    q.use_quiz(quiz, mode="practice")
    options = q.item_info(quiz, item)["options"]
    verdicts = {letter: bool(q.check(item, f" {letter.lower()} ")) for letter in options}
    assert [k for k, v in verdicts.items() if v] == [key.CHOICES[item]]


def test_practice_without_a_practice_key_checks_only_the_form():
    q.use_quiz("q1_break_even", mode="practice")
    feedback = q.check("q1_3", "C")
    assert not feedback and "No practice key" in feedback.message


def test_a_wrong_practice_answer_gets_a_hint_that_never_shows_the_number(tmp_path):
    write_practice_key(tmp_path, "ftroi", "q1_break_even")
    q.use_quiz("q1_break_even", mode="practice")
    right = key.expected("ftroi", "q1_break_even", "q1_1", None)
    message = q.check("q1_1", right * 1.02).message
    assert message.startswith("Not quite") and "within 1 %" in message
    assert f"{right:,.0f}" not in message and f"{right:.0f}" not in message


# --- recorded answers are plain data ----------------------------------------------------------


class AlwaysEqual(float):
    def __eq__(self, other):  # noqa: D105
        return True

    __hash__ = float.__hash__


@pytest.mark.parametrize("answer,plain", [
    (" b ", "B"), ("'c'", "C"), (3, 3.0), (2.5, 2.5), (True, None), (None, None),
    (float("nan"), None), (float("inf"), None), (10 ** 400, None), ([1], None), (object(), None),
    (AlwaysEqual(7.0), 7.0),
])
def test_answers_are_reduced_to_plain_data(answer, plain):
    assert q.normalise_answer(answer) == plain


def test_record_prints_one_line_the_grader_parses(capsys):
    import numpy as np

    q.record("q1_1", np.float64(12.5))
    q.record("q1_3", "  c")
    out = capsys.readouterr().out
    assert q.parse_records(out, "q1_1") == [12.5]
    assert q.parse_records(out, "q1_3") == ["C"]
    assert q.parse_records(out, "q1_2") == []


def test_parse_records_ignores_junk_and_keeps_only_plain_values():
    text = "\n".join([
        "FTROI-ANSWER not json", 'FTROI-ANSWER {"item": "q1_1", "answer": {"x": 1}}',
        'FTROI-ANSWER {"item": "q1_1", "answer": true}', 'FTROI-ANSWER ["q1_1", 3]',
        '  FTROI-ANSWER {"item": "q1_1", "answer": 4}', 'FTROI-ANSWER {"item": "q1_1", "answer": 5}',
    ])
    assert q.parse_records(text, "q1_1") == [None, None, 5.0]


def test_record_refuses_to_run_under_a_stock_autograde_without_the_course_config(monkeypatch):
    """Without the course config, nbgrader would give every recorded answer full marks: the
    hidden test fails instead, so such a run gives 0, never free points."""
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(RuntimeError, match="course config"):
        q.record("q1_1", 3)
    monkeypatch.setenv("FTROI_STUDENT_ID", "alice")
    q.record("q1_1", 3)  # the course's own executor sets the id


# --- the learner's package holds no exam key --------------------------------------------------


def _package_modules():
    for info in pkgutil.walk_packages(ftroi_helpers.__path__, "ftroi_helpers."):
        if info.name.endswith("__main__"):
            continue
        yield importlib.import_module(info.name)


def test_the_learners_package_holds_no_quiz_key_in_any_file():
    """Neither plain letters, their hashes in any namespace we use, nor answer numbers."""
    package = Path(ftroi_helpers.__file__).parent
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace")
                     for p in package.rglob("*") if p.is_file() and p.suffix in
                     {".py", ".json", ".csv", ".toml", ".txt"})
    assert "ftroi_course" not in {m.__name__ for m in _package_modules()}
    for quiz, item in CHOICE:
        letter = key.CHOICES[item]
        assert q.practice_key_hash("ftroi", quiz, item, letter) not in text
        assert not re.search(rf"""\b{item}\b["']?\s*[:=]\s*["']{letter}["']""", text)
    for quiz, item in NUMERIC:  # students' variants (the practice one may appear in a doctest)
        for student in ("alice", "bob", "s017"):
            right = key.expected("ftroi", quiz, item, student)
            for shown in {f"{right:.6g}", f"{right:,.2f}"}:
                if len(re.sub(r"\D", "", shown)) >= 4:
                    assert shown not in text, (item, shown)


def test_a_key_seeker_calling_every_checker_in_the_package_learns_nothing_in_an_exam():
    """Import every module, call every callable whose name looks like a checker with each
    letter, and watch for one letter that gets a different result from all the others."""
    q.use_quiz("q1_break_even", mode="exam")
    suspicious = re.compile(r"check|grade|verify|answer|key|correct|score|expected", re.I)
    tried = 0
    for module in _package_modules():
        for name, fn in vars(module).items():
            if not callable(fn) or not suspicious.search(name) or inspect.isclass(fn):
                continue
            for quiz, item in CHOICE[:6]:
                q.use_quiz(quiz, mode="exam")
                results = []
                for letter in q.item_info(quiz, item)["options"]:
                    try:
                        out = fn(item, letter)
                    except Exception as exc:  # noqa: BLE001 - a refusal is an answer too
                        out = type(exc).__name__
                    results.append(re.sub(r"\b[A-D]\b", "?", str(out)) + str(bool(out)))
                    tried += 1
                counts = sorted(Counter(results).values())
                singles_one_out = len(results) >= 3 and counts == [1, len(results) - 1]
                assert not singles_one_out, (module.__name__, name, item, results)
    assert tried > 20


# --- exams: the release's seed gives each student their own numbers and option order ----------

SEED = "5e" * 32
TEXTS = ["one option", "another option", "a third option", "the last option"]


def test_an_exam_shows_the_exam_numbers_of_the_student_whose_id_is_set(monkeypatch):
    q.use_quiz("q1_break_even", mode="exam", seed=SEED)
    with pytest.raises(ValueError, match="no student id is set.*FTROI_STUDENT_ID"):
        q.given("q1_1")
    monkeypatch.setenv("JUPYTERHUB_USER", "alice")
    shown = q.given("q1_1")
    assert dict(shown) == q.exam_variant_params(SEED, "q1_break_even", "q1_1", "alice")
    spec = q.quiz_items()["quizzes"]["q1_break_even"]["given"]["q1_1"]
    assert all(value in spec[name]["exam_values"] for name, value in shown.items())
    assert "student alice" in repr(shown)


def test_an_exam_without_its_seed_says_so_instead_of_showing_practice_numbers(monkeypatch):
    monkeypatch.setenv("FTROI_STUDENT_ID", "alice")
    q.use_quiz("q1_break_even", mode="exam")
    with pytest.raises(ValueError, match="no exam seed"):
        q.given("q1_1")
    with pytest.raises(ValueError, match="seed must be"):
        q.use_quiz("q1_break_even", mode="exam", seed="abc")


def test_exam_options_are_shuffled_per_student_and_the_self_check_names_the_text(monkeypatch):
    q.use_quiz("q1_break_even", mode="exam", seed=SEED)
    monkeypatch.setenv("FTROI_STUDENT_ID", "alice")
    alice = q.choices("q1_3", TEXTS)
    assert sorted(alice.values()) == sorted(TEXTS) and "student alice" in repr(alice)
    mine = q.your_letter("q1_3", "D")
    assert alice[mine] == TEXTS[3]
    message = q.check("q1_3", mine).message
    assert f'recorded {mine} ("the last option")' in message and "only the form" in message
    orders = set()
    for n in range(20):
        monkeypatch.setenv("FTROI_STUDENT_ID", f"s{n:02d}")
        orders.add(tuple(q.choices("q1_3").values()))
    assert len(orders) >= 8


def test_outside_an_exam_options_keep_the_questions_order():
    q.use_quiz("q1_break_even", mode="practice")
    assert list(q.choices("q1_3", TEXTS).values()) == TEXTS
    assert q.your_letter("q1_3", " d ") == "D"
    with pytest.raises(ValueError, match="listed must be one of"):
        q.your_letter("q1_3", "E")
    with pytest.raises(ValueError, match="options must be 4 texts"):
        q.choices("q1_3", ["just one"])
    with pytest.raises(ValueError, match="multiple-choice item"):
        q.choices("q1_1", TEXTS)
