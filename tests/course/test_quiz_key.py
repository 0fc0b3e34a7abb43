"""The instructor's answer key (quizzes/ftroi_course/key.py) against the quiz notebooks.

Expected values are recomputed here by running the source notebooks' own solution cells for a
given student, never read from the key under test.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import sys
from pathlib import Path
from unittest import mock

import nbformat
import pytest

from ftroi_helpers import quiz as q

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "quizzes"
sys.path.insert(0, str(COURSE))
from ftroi_course import key  # noqa: E402

QUIZZES = list(q.quiz_items()["quizzes"])
STUDENTS = [None, "alice", "bob", "s017"]


def gid(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def source_nb(quiz: str):
    return nbformat.read(COURSE / "source" / quiz / f"{quiz}.ipynb", as_version=4)


def solutions(quiz: str, student: str | None, setup: str | None = None) -> dict[str, object]:
    """Each item's answer from the source's solution cells, run as ``student`` (with ``setup``
    in place of the setup cell's ``use_quiz``, e.g. an exam's)."""
    env = {"NBGRADER_EXECUTION": "autograde", "FTROI_STUDENT_ID": student or ""}
    namespace: dict[str, object] = {}
    with mock.patch.dict(os.environ, env):
        for cell in source_nb(quiz).cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and not meta.get("grade"):
                source = cell.source
                if setup and gid(cell) == "setup":
                    source += "\n" + setup
                exec(compile(source, gid(cell) or "cell", "exec"), namespace)  # noqa: S102
    items = q.quiz_items()["quizzes"][quiz]["items"]
    return {item: namespace[item] for item in items}


@pytest.mark.parametrize("student", STUDENTS)
@pytest.mark.parametrize("quiz", QUIZZES)
def test_the_source_solutions_are_right_for_every_students_variant(quiz, student):
    answers = solutions(quiz, student)
    assert {i: key.is_right("ftroi", quiz, i, student, a) for i, a in answers.items()} == \
        dict.fromkeys(answers, True)


@pytest.mark.parametrize("quiz", QUIZZES)
def test_the_notebooks_graded_items_are_exactly_the_keys_items(quiz):
    cells = [c for c in source_nb(quiz).cells
             if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    assert [gid(c) for c in cells] == [i.item_id for i in key.items(quiz)]
    for cell in cells:
        hidden = cell.source.split("### BEGIN HIDDEN TESTS", 1)[1]
        assert hidden.strip().splitlines()[0] == f'record("{gid(cell)}", {gid(cell)})'
        assert cell.metadata["nbgrader"]["locked"] and cell.metadata["nbgrader"]["points"] > 0


@pytest.mark.parametrize("quiz", QUIZZES)
def test_every_numeric_question_shows_its_numbers_with_a_locked_given_cell(quiz):
    nb = source_nb(quiz)
    shown = {m for c in nb.cells if c.metadata.get("nbgrader", {}).get("locked")
             for m in re.findall(r'given\("(\w+)"\)', c.source)}
    needed = {g for i in key.items(quiz) if i.kind == "number"
              for g in q.item_info(quiz, i.item_id)["given"]}
    assert needed <= shown


@pytest.mark.parametrize("quiz,item", [(i.quiz, i.item_id) for i in key.items()
                                       if i.kind == "number"])
def test_every_variant_has_a_finite_answer(quiz, item):
    values = [key.NUMBERS[item](params) for _, params in q.item_combinations(quiz, item)]
    assert all(math.isfinite(v) for v in values)


def test_q2_7_variants_all_fail_the_five_percent_duplicate_limit_so_q2_8_has_one_key():
    values = [key.NUMBERS["q2_7"](p) for _, p in q.item_combinations("q2_eval_baselines", "q2_7")]
    assert min(values) > 5


def test_q1_workload_variants_all_save_money_so_q1_6_is_a_payback_time():
    values = [key.NUMBERS["q1_4"](p) for _, p in q.item_combinations("q1_break_even", "q1_4")]
    assert min(values) > 0


def test_choice_items_offer_their_key_letter():
    for item in key.items():
        if item.kind == "choice":
            assert key.CHOICES[item.item_id] in q.item_info(item.quiz, item.item_id)["options"]


def test_practice_key_hides_letters_and_covers_every_variant():
    practice = key.practice_key("ftroi", "q1_break_even")
    text = str(practice)
    assert "'C'" not in text and practice["course"] == "ftroi"
    assert len(practice["items"]["q1_6"]["expected"]) == len(
        q.item_combinations("q1_break_even", "q1_6"))
    assert all(row["hint"] for row in practice["items"].values())


def _options(quiz: str, item: str) -> list[str]:
    cell = next(c for c in source_nb(quiz).cells if gid(c) == f"{item}_question")
    return re.findall(r"^- \*\*[A-Z]\.\*\* (.*)$", cell.source, re.M)


def test_option_length_and_position_give_no_cue_across_the_quizzes():
    """The right option is the (joint) longest in at most a third of the items, and each letter
    is right in 15-35 % of them."""
    choice = [i for i in key.items() if i.kind == "choice"]
    longest = 0
    for item in choice:
        opts = _options(item.quiz, item.item_id)
        assert len(opts) == len(q.item_info(item.quiz, item.item_id)["options"]) == 4
        right = opts["ABCD".index(key.CHOICES[item.item_id])]
        longest += len(right) >= max(len(o) for o in opts)
    assert longest <= len(choice) / 3
    for letter in "ABCD":
        share = sum(key.CHOICES[i.item_id] == letter for i in choice) / len(choice)
        assert 0.15 <= share <= 0.35, (letter, share)


@pytest.mark.parametrize("quiz", QUIZZES)
def test_quiz_markdown_has_no_dollar_escapes_or_source_numbers(quiz):
    text = "\n".join(c.source for c in source_nb(quiz).cells if c.cell_type == "markdown")
    assert "$" not in text
    assert not re.search(r"[Ss]ource 00\d", text)


def _load_config(folder: Path):
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(folder)).load_config()


def test_the_course_config_grades_with_the_key_and_the_sandbox():
    cfg = _load_config(COURSE)
    names = [p.__name__ for p in cfg.Autograde.autograde_preprocessors]
    assert "KeyedGrades" in names and "SandboxedExecute" in names
    assert "SaveAutoGrades" not in names and "Execute" not in names
    assert [p.__name__ for p in cfg.GenerateAssignment.preprocessors][0] == "ReleaseQuiz"


def test_the_course_config_loads_in_a_learners_copy_without_the_key(tmp_path):
    """Binder's image deletes quizzes/ftroi_course: its config must still load (formgrader,
    validate), with nothing of the grading pipeline."""
    import shutil

    shutil.copy(COURSE / "nbgrader_config.py", tmp_path / "nbgrader_config.py")
    cfg = _load_config(tmp_path)
    assert cfg.CourseDirectory.course_id == "ftroi"
    assert "autograde_preprocessors" not in cfg.Autograde


# --- exams: keyed by the course secret -------------------------------------------------------

SECRET = bytes(range(32))  # a fixed secret: these tests are reproducible
NUMERIC = [(i.quiz, i.item_id) for i in key.items() if i.kind == "number"]
#: Items whose exam variants may share an answer, and why (quizzes/README.md says so too):
#: q3_2's answer is a whole month; q3's three items share one scenario, whose total cost is
#: linear in its numbers. The value is the least number of distinct answers they must keep.
SHARED_ANSWERS = {"q3_2": 8, "q3_3": 15, "q3_4": 15}


def _slack(info: dict, a: float, b: float) -> float:
    return max(info.get("rel_tol", 0.0) * max(abs(a), abs(b)), info.get("abs_tol", 0.0))


def _distinct(values: list[float], info: dict) -> int:
    """How many answers are told apart: sorted neighbours further apart than the tolerance."""
    ordered = sorted(values)
    return 1 + sum(b - a > _slack(info, a, b) + 1e-9 for a, b in itertools.pairwise(ordered))


def _exam_answers(quiz: str, item: str) -> list[float]:
    return [key.NUMBERS[item](p) for _, p in q.exam_item_combinations(quiz, item)]


@pytest.mark.parametrize("quiz,item", NUMERIC)
def test_every_numeric_item_has_at_least_30_exam_variants_all_with_a_finite_answer(quiz, item):
    answers = _exam_answers(quiz, item)
    assert len(answers) >= 30 and all(math.isfinite(a) for a in answers)


@pytest.mark.parametrize("quiz,item", NUMERIC)
def test_no_exam_answer_is_within_the_tolerance_of_any_practice_answer(quiz, item):
    info = q.item_info(quiz, item)
    practice = sorted(key.NUMBERS[item](p) for _, p in q.item_combinations(quiz, item))
    for value in _exam_answers(quiz, item):
        near = min(practice, key=lambda p, v=value: abs(p - v))
        assert abs(near - value) > _slack(info, near, value), (item, value, near)


@pytest.mark.parametrize("quiz,item", NUMERIC)
def test_different_exam_variants_have_answers_further_apart_than_the_tolerance(quiz, item):
    answers = _exam_answers(quiz, item)
    least = SHARED_ANSWERS.get(item, len(answers))
    assert _distinct(answers, q.item_info(quiz, item)) >= least


def test_the_distinct_answer_count_tells_a_shared_answer_from_a_separate_one():
    info = {"rel_tol": 0.01}
    assert _distinct([100.0, 100.5, 103.0], info) == 2
    assert _distinct([100.0, 102.0, 104.1], info) == 3


def test_exam_variants_keep_the_keys_facts():
    """q2_8's key says the duplicates exceed the 5 % limit; q1_6 is a payback time."""
    assert min(_exam_answers("q2_eval_baselines", "q2_7")) > 5
    assert min(_exam_answers("q1_break_even", "q1_4")) > 0
    months = _exam_answers("q3_retraining", "q3_2")
    horizon = q.quiz_items()["quizzes"]["q3_retraining"]["given"]["q3_scenario"][
        "horizon_months"]["exam_values"]
    assert max(months) <= min(horizon)


@pytest.mark.parametrize("student", ["alice", "bob", "s017"])
@pytest.mark.parametrize("quiz", QUIZZES)
def test_the_source_solutions_are_right_for_every_students_exam(quiz, student):
    seed = key.exam_seed(SECRET, "ftroi", quiz)
    setup = f"from ftroi_helpers.quiz import *\nuse_quiz({quiz!r}, mode='exam', seed={seed!r})"
    answers = solutions(quiz, student, setup)
    assert {i: key.is_right("ftroi", quiz, i, student, a, seed) for i, a in answers.items()} \
        == dict.fromkeys(answers, True)
    practice = solutions(quiz, student)
    wrong_in_exam = [i for i, a in practice.items()
                     if q.item_info(quiz, i)["kind"] == "number"
                     and key.is_right("ftroi", quiz, i, student, a, seed)]
    assert wrong_in_exam == []  # a practice answer is never an exam answer


def test_the_secret_not_the_course_id_keys_an_exam():
    one = key.exam_seed(SECRET, "ftroi", "q1_break_even")
    other = key.exam_seed(bytes(32), "ftroi", "q1_break_even")
    assert one != other and one != key.exam_seed(SECRET, "ftroi", "q2_eval_baselines")
    students = [f"s{n:02d}" for n in range(40)]
    numbers = [[q.exam_item_params(seed, "q1_break_even", "q1_1", s) for s in students]
               for seed in (one, other)]
    assert numbers[0] != numbers[1]
    assert len({json_key(p) for p in numbers[0]}) >= 20  # 36 variants among 40 students


def json_key(value) -> str:
    import json

    return json.dumps(value, sort_keys=True)


def test_a_secret_is_made_once_with_mode_0600_and_refused_when_others_can_read_it(tmp_path):
    path = tmp_path / "course" / key.SECRET_FILE
    with pytest.raises(FileNotFoundError, match="restore it from your backup"):
        key.load_secret(path)
    made = key.load_secret(path, create=True)
    assert len(made) == 32 and path.stat().st_mode & 0o777 == 0o600
    assert key.load_secret(path, create=True) == made  # never replaced
    path.chmod(0o644)
    with pytest.raises(PermissionError, match="chmod 600"):
        key.load_secret(path)
    path.chmod(0o600)
    path.write_text("not hex\n")
    with pytest.raises(ValueError, match="64 hexadecimal digits"):
        key.load_secret(path)


def test_the_course_secret_is_git_ignored():
    import subprocess

    proc = subprocess.run(["git", "check-ignore", "-q", f"quizzes/{key.SECRET_FILE}"], cwd=ROOT)
    assert proc.returncode == 0


def test_exam_letters_are_a_shuffle_and_the_practice_key_has_no_exam_entry():
    seed = key.exam_seed(SECRET, "ftroi", "q1_break_even")
    orders = {q.exam_order(seed, "q1_break_even", "q1_3", f"s{n:02d}") for n in range(40)}
    assert all(sorted(o) == list("ABCD") for o in orders) and len(orders) >= 10
    practice = key.practice_key("ftroi", "q1_break_even")
    exam_variants = {v for v, _ in q.exam_item_combinations("q1_break_even", "q1_1")}
    practice_values = set(practice["items"]["q1_1"]["expected"].values())
    exam_values = {key.NUMBERS["q1_1"](p) for _, p in q.exam_item_combinations(
        "q1_break_even", "q1_1")}
    assert exam_variants and not practice_values & exam_values
