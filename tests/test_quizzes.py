"""The quizzes course: its structure, the learner self-check, and a real nbgrader round trip.

The round trip works on a temporary copy of ``quizzes/`` (the repository's copy is never
touched): ``generate_assignment`` for every quiz, a simulated class whose submissions are built
from the released notebooks with nbformat, ``zip_collect``, one ``autograde`` per quiz,
``generate_feedback`` and ``export``. Expected scores come from the source notebooks' own points
and solutions, never from the checker under test.

Simulated class (q1_break_even gets all of them; the other quizzes get the first three):

=========  =====================================================  ===============================
student    submission                                             expected auto-graded score
=========  =====================================================  ===============================
correct    every answer from the source's solution                full
wrong      every answer wrong (another letter, a number 50 % off)  0
blank      the release as handed out                              0, no crash
tamper     right answers except q1_1, whose test is edited to     full minus q1_1's points
           pass anyway
looping    q1_2's answer cell loops forever                       full minus q1_2's points
badjson    a notebook that is not JSON                            reported; 0
missing    a notebook with the wrong name, not the quiz's         reported; 0
deleted    right answers, two test cells deleted                  full (the cells are put back)
=========  =====================================================  ===============================
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import nbformat
import pytest

from ftroi_helpers import quizcheck
from ftroi_helpers.breakeven import breakeven_days, breakeven_requests
from ftroi_helpers.quizcheck import check, grade
from ftroi_helpers.selfcheck import answer_hash

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "quizzes"
QUIZZES = ["q0_end_of_lesson", "q1_break_even", "q2_eval_baselines", "q3_retraining"]
FULL_MATRIX = "q1_break_even"
BASIC = ["correct", "wrong", "blank"]
EXTRA = ["tamper", "looping", "badjson", "missing", "deleted"]
STUDENTS = BASIC + EXTRA
#: Cell timeout in the temporary course: short, so the endless loop costs little time.
TEST_TIMEOUT_S = 10

roundtrip = pytest.mark.nbgrader


# ---------------------------------------------------------------------------------------------
# reading the source notebooks (the instructor's master copies)


def gid(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def nbmeta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def read_nb(path: Path):
    return nbformat.read(path, as_version=4)


def source_nb(quiz: str):
    return read_nb(COURSE / "source" / quiz / f"{quiz}.ipynb")


def graded_cells(nb) -> list:
    """Auto-graded test cells: grade cells that are not answers."""
    return [c for c in nb.cells if nbmeta(c).get("grade") and not nbmeta(c).get("solution")]


def written_cells(nb) -> list:
    """Manually graded answers: grade cells that are also solution cells."""
    return [c for c in nb.cells if nbmeta(c).get("grade") and nbmeta(c).get("solution")]


def solution_body(source: str) -> str:
    """The lines between ### BEGIN SOLUTION and ### END SOLUTION."""
    m = re.search(r"### BEGIN SOLUTION\n(.*?)\n### END SOLUTION", source, re.S)
    assert m, f"no solution region in {source!r}"
    return m.group(1)


def options(nb, item_id: str) -> str:
    """The letters offered by a multiple-choice question ("" for a numeric one)."""
    question = next(c for c in nb.cells if gid(c) == f"{item_id}_question")
    return "".join(re.findall(r"^- \*\*([A-Z])\.\*\*", question.source, re.M))


def auto_points(nb) -> float:
    return float(sum(nbmeta(c)["points"] for c in graded_cells(nb)))


def item_points(nb) -> dict[str, float]:
    return {gid(c): float(nbmeta(c)["points"]) for c in graded_cells(nb)}


def correct_answers(nb) -> dict[str, object]:
    """Every item's answer, by running the source's own code cells (solutions included)."""
    namespace: dict[str, object] = {}
    with mock.patch.dict(os.environ, {"NBGRADER_EXECUTION": "autograde"}):  # no widget, no plot
        for cell in nb.cells:
            if cell.cell_type == "code" and not nbmeta(cell).get("grade"):
                exec(compile(cell.source, gid(cell) or "cell", "exec"), namespace)  # noqa: S102
    return {gid(c): namespace[gid(c)] for c in graded_cells(nb)}


def wrong_answers(nb, right: dict[str, object]) -> dict[str, object]:
    """Another option's letter, or the right number 50 % too high (plus one)."""
    out: dict[str, object] = {}
    for item_id, value in right.items():
        letters = options(nb, item_id)
        if letters:
            out[item_id] = letters[(letters.index(value) + 1) % len(letters)]
        else:
            out[item_id] = float(value) * 1.5 + 1.0
    return out


# ---------------------------------------------------------------------------------------------
# the quizzes' structure (no nbgrader needed)


@pytest.mark.parametrize("quiz", QUIZZES)
def test_quiz_has_six_or_more_auto_graded_items_each_with_points_and_a_hidden_test(quiz):
    nb = source_nb(quiz)
    tests = graded_cells(nb)
    assert len(tests) >= 6
    for cell in tests:
        assert nbmeta(cell)["points"] > 0, gid(cell)
        assert nbmeta(cell)["locked"], gid(cell)
        hidden = cell.source.split("### BEGIN HIDDEN TESTS", 1)[1]
        assert f'grade("{gid(cell)}", {gid(cell)})' in hidden
        assert f"{gid(cell)}_answer" in {gid(c) for c in nb.cells}


@pytest.mark.parametrize("quiz", QUIZZES)
def test_quiz_has_a_manually_graded_written_answer_with_points(quiz):
    written = written_cells(source_nb(quiz))
    assert written
    assert all(c.cell_type == "markdown" and nbmeta(c)["points"] > 0 for c in written)


@pytest.mark.parametrize("quiz", QUIZZES)
def test_quiz_items_and_points_are_the_checkers_items(quiz):
    nb = source_nb(quiz)
    registry = {i.item_id: float(i.points) for i in quizcheck.items(quiz)}
    assert item_points(nb) == registry


@pytest.mark.parametrize("quiz", QUIZZES)
def test_source_solutions_are_right_for_the_checker(quiz):
    """The registry's hashes and formulas match the instructor's solutions."""
    right = correct_answers(source_nb(quiz))
    assert {item: grade(item, value) for item, value in right.items()} == dict.fromkeys(right, True)


@pytest.mark.parametrize("quiz", QUIZZES)
def test_committed_source_notebook_has_no_outputs_or_execution_counts(quiz):
    nb = source_nb(quiz)
    assert all(not c.get("outputs") and c.get("execution_count") is None
               for c in nb.cells if c.cell_type == "code")
    assert nb.metadata["kernelspec"]["name"] == "python3"


def _shown(value: float) -> set[str]:
    """Ways a question may print one of its numbers: 4,000 / 0.0035 / $650 / 55 %."""
    out = {f"{value:,g}", f"{value:g}", f"{value:,.2f}"}
    if 0 < value < 1:
        out.add(f"{value * 100:g} %")
    return out


@pytest.mark.parametrize("item", [i for i in quizcheck.items()
                                  if isinstance(i, quizcheck.NumberItem)],
                         ids=lambda i: i.item_id)
def test_numeric_question_states_every_number_the_checker_recomputes_from(item):
    quiz = next(q for q, ids in quizcheck.QUIZZES.items() if item.item_id in ids)
    nb = source_nb(quiz)
    text = "\n".join(c.source for c in nb.cells
                     if gid(c) in {f"{item.item_id}_question", "scenario_code"}
                     or (item.item_id == "q1_6" and gid(c) == "q1_4_question"))
    text = text.replace("\\$", "").replace("_", "")
    for name, value in item.params.items():
        if name in {"horizon_months", "days_per_month"}:
            continue
        assert any(s in text for s in _shown(float(value))), f"{item.item_id}: {name}={value}"


def test_q3_scenario_cell_builds_the_checkers_scenario():
    nb = source_nb("q3_retraining")
    namespace: dict[str, object] = {}
    for name in ("setup", "scenario_code"):
        exec(next(c.source for c in nb.cells if gid(c) == name), namespace)  # noqa: S102
    scenario = namespace["q3_scenario"]
    for name, value in quizcheck.item("q3_2").params.items():
        assert getattr(scenario, name) == value, name


# ---------------------------------------------------------------------------------------------
# the self-check (no nbgrader needed)


def test_check_says_right_for_the_right_number_within_its_stated_tolerance():
    # q1_1: $14 and $3 per 1,000 requests, $650 one-time (the question's numbers)
    right = breakeven_requests(14, 3, 650)
    feedback = check("q1_1", right * 1.009)
    assert feedback.correct and bool(feedback)
    assert feedback.message.startswith("Right") and "within 1 %" in feedback.message


def test_check_says_wrong_just_outside_the_tolerance_and_gives_a_hint_without_the_answer():
    right = breakeven_requests(14, 3, 650)
    feedback = check("q1_1", right * 1.011)
    assert not feedback.correct
    assert "Not quite" in feedback.message and "Hint:" in feedback.message
    assert "within 1 %" in feedback.message
    for shown in (f"{right:,.0f}", f"{right:.0f}", f"{right:.1f}"):
        assert shown not in feedback.message


def test_check_accepts_a_numpy_number():
    import numpy as np

    assert check("q1_2", np.float64(breakeven_days(0.0035, 4_000, 600, 0.55))).correct


def test_check_says_which_letters_are_options_when_the_answer_is_not_one():
    feedback = check("q0_10", " e ")
    assert not feedback.correct
    assert feedback.message == ("'E' is not one of the options for q0_10 (A, B, C): "
                                "answer with one of those letters.")


def test_check_ignores_case_spaces_and_quotes_in_a_letter():
    letters = "ABCD"
    verdicts = {letter: check("q0_1", f"  {letter.lower()} ").correct for letter in letters}
    assert sum(verdicts.values()) == 1
    right = next(k for k, v in verdicts.items() if v)
    assert check("q0_1", f"'{right}'").correct
    assert check("q0_1", right).message.startswith("Right")


def test_check_gives_a_hint_for_a_wrong_letter_without_naming_the_right_one():
    verdicts = {letter: check("q1_3", letter) for letter in "ABCD"}
    right = next(k for k, v in verdicts.items() if v.correct)
    for letter, feedback in verdicts.items():
        if letter != right:
            assert feedback.message.startswith(f"Not quite: {letter} is not the answer")
            assert f" {right} " not in feedback.message.split("Hint:")[1]


def test_check_explains_a_blank_answer_and_a_number_typed_as_text():
    assert "not answered" in check("q0_1", "").message
    assert "not answered" in check("q1_1", None).message
    assert "without quotes" in check("q1_1", "59000").message
    assert "one letter" in check("q0_1", 3).message
    assert "not one of the options" in check("q0_1", "AB").message


def test_grade_is_false_and_never_raises_for_junk_answers():
    junk = [None, "", "Z", 3, "12", float("nan"), float("inf"), True, [1], object()]
    assert [grade("q1_1", x) for x in junk] == [False] * len(junk)
    assert [grade("q0_1", x) for x in junk] == [False] * len(junk)


def test_an_unknown_item_is_a_value_error_naming_it():
    with pytest.raises(ValueError, match="'q1_99'"):
        check("q1_99", "A")


def test_quiz_keys_are_hashed_in_their_own_namespace():
    assert quizcheck.key_hash("q0_1", "A") != answer_hash("q0_1", "A")
    assert quizcheck.key_hash("q0_1", " a") == quizcheck.key_hash("q0_1", "A")


def test_the_checker_module_holds_no_plain_letter_key():
    text = Path(quizcheck.__file__).read_text(encoding="utf-8")
    assert not re.search(r"""(answer|key|correct)\w*\s*[=:]\s*["'][A-D]["']""", text)


def test_feedback_displays_as_its_message_in_a_notebook():
    feedback = check("q1_3", "z")
    printed: list[str] = []

    class Printer:
        def text(self, s: str) -> None:
            printed.append(s)

    feedback._repr_pretty_(Printer(), False)
    assert printed == [feedback.message] == [str(feedback)]


def test_widgets_and_plots_are_skipped_while_nbgrader_executes(capsys):
    with mock.patch.dict(os.environ, {"NBGRADER_EXECUTION": "autograde"}):
        assert quizcheck.autograding()
        assert quizcheck.calculator("break_even") is None
        assert quizcheck.cost_curve(None) is None
    assert "not shown while nbgrader grades" in capsys.readouterr().out
    with mock.patch.dict(os.environ, {}, clear=False):
        os.environ.pop("NBGRADER_EXECUTION", None)
        assert not quizcheck.autograding()


def test_source_002_hundred_requests_a_day_take_years_not_6_to_18_months():
    """q1_7's key: source 002's own figures at 100 requests/day."""
    # source 002: $54/mo saving at 10K req/day (classification); training run $15-75
    saving_per_month = 54 * 100 / 10_000
    months = (15 / saving_per_month, 75 / saving_per_month)
    assert round(months[0]) == 28 and round(months[1]) == 139  # q1_7 option C's numbers
    assert months[0] > 18


# ---------------------------------------------------------------------------------------------
# configuration


def _load_config(path: Path):
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader(path.name, path=str(path.parent)).load_config()


def test_course_config_puts_every_folder_and_the_gradebook_inside_quizzes():
    cfg = _load_config(COURSE / "nbgrader_config.py")
    assert cfg.CourseDirectory.root == str(COURSE)
    assert cfg.CourseDirectory.db_url == f"sqlite:///{COURSE / 'gradebook.db'}"
    assert {cfg.CourseDirectory[k] for k in ("source_directory", "release_directory",
                                             "submitted_directory", "autograded_directory",
                                             "feedback_directory")} == {
        "source", "release", "submitted", "autograded", "feedback"}
    assert 0 < cfg.ExecutePreprocessor.timeout <= 60
    assert "db_students" not in cfg.CourseDirectory and "db_assignments" not in cfg.CourseDirectory


def test_root_config_loads_the_course_config_for_formgrader():
    cfg = _load_config(ROOT / "nbgrader_config.py")
    assert cfg.CourseDirectory.root == str(COURSE)
    assert cfg.CourseDirectory.db_url.endswith("quizzes/gradebook.db")


# ---------------------------------------------------------------------------------------------
# the nbgrader round trip


def _env() -> dict[str, str]:
    """nbgrader shells out to alembic and starts `python` kernels: use this venv's bin first."""
    bin_dir = str(Path(sys.executable).parent)
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))
    env.pop("NBGRADER_EXECUTION", None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@dataclass
class Graded:
    course: Path
    source: dict = field(default_factory=dict)
    release: dict = field(default_factory=dict)
    right: dict = field(default_factory=dict)
    wrong: dict = field(default_factory=dict)
    expected: dict = field(default_factory=dict)  # (quiz, student) -> auto-graded score
    logs: dict = field(default_factory=dict)  # command -> CompletedProcess
    csv_scores: dict = field(default_factory=dict)  # (quiz, student) -> score
    item_scores: dict = field(default_factory=dict)  # (quiz, student, item) -> score
    needs_manual: dict = field(default_factory=dict)  # (quiz, student, grade_id) -> bool
    seconds: dict = field(default_factory=dict)
    cpu_seconds: float = 0.0  # CPU time of nbgrader and its kernels (load-independent)


def _children_cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _nbgrader(g: Graded, *args: str) -> subprocess.CompletedProcess:
    start = time.perf_counter()
    proc = subprocess.run(["nbgrader", *args], cwd=g.course, env=_env(), capture_output=True,
                          text=True, timeout=600)
    g.seconds[" ".join(args)] = time.perf_counter() - start
    g.logs[" ".join(args)] = proc
    return proc


def _fill(release, answers: dict[str, str]):
    """A copy of the released notebook with answer cells (by grade_id) replaced."""
    nb = nbformat.from_dict(json.loads(json.dumps(release)))
    for cell in nb.cells:
        if gid(cell) in answers:
            cell.source = answers[gid(cell)]
    return nb


def _literal_answers(values: dict[str, object]) -> dict[str, str]:
    return {f"{item}_answer": f"{item} = {value!r}" for item, value in values.items()}


def _submissions(g: Graded, quiz: str) -> dict[str, str | object]:
    """student -> notebook (or raw text for the malformed one)."""
    src, rel = g.source[quiz], g.release[quiz]
    right_cells = {gid(c): solution_body(c.source) for c in src.cells
                   if nbmeta(c).get("solution") and c.cell_type == "code"}
    written = {gid(c): "I would recompute the break-even myself with the helpers and check "
                       "each price against the provider's price page."
               for c in written_cells(src)}
    subs: dict[str, object] = {
        "correct": _fill(rel, {**right_cells, **written}),
        "wrong": _fill(rel, _literal_answers(g.wrong[quiz])),
        "blank": _fill(rel, {}),
    }
    if quiz != FULL_MATRIX:
        return subs
    tamper = _fill(rel, {**right_cells, "q1_1_answer": "q1_1 = 5"})
    for cell in tamper.cells:
        if gid(cell) == "q1_1":
            cell.source = "assert True  # always passes"
    subs["tamper"] = tamper
    subs["looping"] = _fill(rel, {**right_cells, "q1_2_answer": "while True:\n    pass"})
    subs["badjson"] = '{"cells": [ this is not JSON'
    subs["missing"] = _fill(rel, right_cells)  # submitted under another file name
    deleted = _fill(rel, right_cells)
    deleted.cells = [c for c in deleted.cells if gid(c) not in {"q1_1", "q1_3"}]
    subs["deleted"] = deleted
    return subs


def _expected(g: Graded, quiz: str) -> dict[str, float]:
    full = auto_points(g.source[quiz])
    points = item_points(g.source[quiz])
    out = dict.fromkeys(STUDENTS, 0.0)
    out["correct"] = full
    if quiz == FULL_MATRIX:
        out.update(tamper=full - points["q1_1"], looping=full - points["q1_2"], deleted=full)
    return out


def _text(data) -> str:
    return data if isinstance(data, str) else nbformat.writes(data)


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Graded:
    start = time.perf_counter()
    cpu_start = _children_cpu_seconds()
    course = tmp_path_factory.mktemp("course") / "quizzes"
    course.mkdir()
    shutil.copy(COURSE / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(COURSE / "source", course / "source",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as fh:
        fh.write(f"\nc.ExecutePreprocessor.timeout = {TEST_TIMEOUT_S}  # test copy only\n")
    g = Graded(course)

    for quiz in QUIZZES:
        proc = _nbgrader(g, "generate_assignment", quiz, "--force")
        assert proc.returncode == 0, proc.stderr[-3000:]
        g.source[quiz] = read_nb(course / "source" / quiz / f"{quiz}.ipynb")
        g.release[quiz] = read_nb(course / "release" / quiz / f"{quiz}.ipynb")
        g.right[quiz] = correct_answers(g.source[quiz])
        g.wrong[quiz] = wrong_answers(g.source[quiz], g.right[quiz])
        g.expected.update({(quiz, s): v for s, v in _expected(g, quiz).items()})

    # No roster import: autograde adds each student it meets (even one whose notebook fails),
    # and export lists every student in the gradebook, with 0 for what they did not hand in.

    # q1 arrives as an LMS download (zip_collect); the others are copied into submitted/.
    for quiz in QUIZZES:
        subs = _submissions(g, quiz)
        if quiz == FULL_MATRIX:
            archive = course / "downloaded" / quiz / "archive"
            archive.mkdir(parents=True)
            for student, nb in subs.items():
                name = "Untitled.ipynb" if student == "missing" else f"{quiz}.ipynb"
                if student == "deleted":  # a zip holding the notebook, named after the student
                    with zipfile.ZipFile(archive / f"{student}.zip", "w") as zf:
                        zf.writestr(name, _text(nb))
                else:
                    (archive / f"{student}_{name}").write_text(_text(nb), encoding="utf-8")
            assert _nbgrader(g, "zip_collect", quiz).returncode == 0
        else:
            for student, nb in subs.items():
                folder = course / "submitted" / student / quiz
                folder.mkdir(parents=True)
                (folder / f"{quiz}.ipynb").write_text(_text(nb), encoding="utf-8")

    for quiz in QUIZZES:
        _nbgrader(g, "autograde", quiz)  # one command grades the whole class
        _nbgrader(g, "generate_feedback", quiz)
    assert _nbgrader(g, "export").returncode == 0
    with (course / "grades.csv").open(newline="") as fh:
        g.csv_scores = {(r["assignment"], r["student_id"]): float(r["score"])
                        for r in csv.DictReader(fh)}

    from nbgrader.api import Gradebook, MissingEntry

    cfg = _load_config(course / "nbgrader_config.py")
    with Gradebook(cfg.CourseDirectory.db_url, cfg.CourseDirectory.course_id) as gb:
        for quiz in QUIZZES:
            for student in STUDENTS:
                for cell in graded_cells(g.source[quiz]) + written_cells(g.source[quiz]):
                    try:
                        grade_ = gb.find_grade(gid(cell), quiz, quiz, student)
                    except MissingEntry:
                        continue
                    g.item_scores[(quiz, student, gid(cell))] = grade_.score
                    g.needs_manual[(quiz, student, gid(cell))] = grade_.needs_manual_grade
    g.seconds["total"] = time.perf_counter() - start
    g.cpu_seconds = _children_cpu_seconds() - cpu_start
    print("\nnbgrader round trip, wall-clock seconds:",
          {k: round(v, 1) for k, v in g.seconds.items()}, f"CPU seconds: {g.cpu_seconds:.0f}")
    return g


def _autograde_log(g: Graded, quiz: str) -> str:
    return g.logs[f"autograde {quiz}"].stderr


def _autograded(g: Graded, quiz: str, student: str):
    return read_nb(g.course / "autograded" / student / quiz / f"{quiz}.ipynb")


@roundtrip
def test_export_csv_has_the_expected_score_for_every_student_and_quiz(graded):
    expected = {k: v for k, v in graded.expected.items()}
    assert graded.csv_scores == expected


@roundtrip
@pytest.mark.parametrize("quiz", QUIZZES)
def test_a_correct_submission_gets_every_auto_graded_point(graded, quiz):
    assert graded.csv_scores[(quiz, "correct")] == auto_points(graded.source[quiz]) > 0


@roundtrip
@pytest.mark.parametrize("quiz", QUIZZES)
def test_a_blank_release_is_graded_zero_without_crashing(graded, quiz):
    assert graded.csv_scores[(quiz, "blank")] == 0
    nb = _autograded(graded, quiz, "blank")
    assert any(o.get("ename") == "AssertionError" for c in nb.cells for o in c.get("outputs", []))


@roundtrip
def test_an_edited_test_cell_is_restored_and_the_student_gets_the_honest_score(graded):
    nb = _autograded(graded, FULL_MATRIX, "tamper")
    restored = next(c for c in nb.cells if gid(c) == "q1_1")
    assert 'grade("q1_1", q1_1)' in restored.source and "always passes" not in restored.source
    assert graded.item_scores[(FULL_MATRIX, "tamper", "q1_1")] == 0
    assert graded.item_scores[(FULL_MATRIX, "tamper", "q1_2")] > 0


@roundtrip
def test_an_endless_loop_times_out_scores_zero_for_its_item_only(graded):
    nb = _autograded(graded, FULL_MATRIX, "looping")
    answer = next(c for c in nb.cells if gid(c) == "q1_2_answer")
    assert "CellTimeoutError" in {o.get("ename") for o in answer.outputs}
    scores = {k[2]: v for k, v in graded.item_scores.items() if k[:2] == (FULL_MATRIX, "looping")}
    points = item_points(graded.source[FULL_MATRIX])
    assert scores["q1_2"] == 0
    assert all(scores[i] == points[i] for i in points if i != "q1_2")


@roundtrip
def test_a_malformed_notebook_is_reported_and_the_others_are_still_graded(graded):
    log = _autograde_log(graded, FULL_MATRIX)
    assert graded.logs[f"autograde {FULL_MATRIX}"].returncode != 0
    assert "error processing assignment 'q1_break_even' for student 'badjson'" in log
    assert graded.csv_scores[(FULL_MATRIX, "correct")] == auto_points(graded.source[FULL_MATRIX])


@roundtrip
def test_a_submission_without_its_notebook_is_reported_and_the_others_are_still_graded(graded):
    log = _autograde_log(graded, FULL_MATRIX)
    assert (graded.course / "submitted" / "missing" / FULL_MATRIX / "Untitled.ipynb").exists()
    assert "for student 'missing'" in log and "No notebooks found" in log
    assert graded.csv_scores[(FULL_MATRIX, "missing")] == 0
    assert graded.csv_scores[(FULL_MATRIX, "deleted")] == auto_points(graded.source[FULL_MATRIX])


@roundtrip
def test_deleted_test_cells_are_put_back_and_graded(graded):
    nb = _autograded(graded, FULL_MATRIX, "deleted")
    back = [c for c in nb.cells if gid(c) in {"q1_1", "q1_3"}]
    assert len(back) == 2 and all("added back by nbgrader" in c.source for c in back)
    assert graded.item_scores[(FULL_MATRIX, "deleted", "q1_3")] > 0


@roundtrip
def test_zip_collect_files_each_submission_under_its_student(graded):
    submitted = graded.course / "submitted"
    for student in ["correct", "wrong", "blank", "tamper", "looping", "badjson", "deleted"]:
        assert (submitted / student / FULL_MATRIX / f"{FULL_MATRIX}.ipynb").is_file(), student


@roundtrip
@pytest.mark.parametrize("quiz", QUIZZES)
def test_selfcheck_and_nbgrader_agree_on_every_item(graded, quiz):
    points = item_points(graded.source[quiz])
    for student, answers in (("correct", graded.right[quiz]), ("wrong", graded.wrong[quiz])):
        for item, value in answers.items():
            verdict = grade(item, value)
            assert check(item, value).correct == verdict
            assert verdict == (student == "correct"), (student, item, value)
            assert graded.item_scores[(quiz, student, item)] == (points[item] if verdict else 0)


@roundtrip
def test_a_written_answer_waits_for_manual_grading(graded):
    for quiz in QUIZZES:
        for cell in written_cells(graded.source[quiz]):
            assert graded.needs_manual[(quiz, "correct", gid(cell))] is True
            assert graded.needs_manual[(quiz, "blank", gid(cell))] is False  # unchanged: 0


# --- nothing gives the key away ---------------------------------------------------------------


def _key_patterns(quiz: str, g: Graded) -> list[re.Pattern]:
    """Regexes for the answer key in plain text: `q1_3 = "C"`, or a right number as printed."""
    pats = []
    for item, value in g.right[quiz].items():
        if isinstance(value, str):
            pats.append(re.compile(rf"""\b{item}\s*=\s*["']{value}["']"""))
            continue
        v = float(value)
        pats.append(re.compile(rf"\b{item}\s*=\s*{re.escape(f'{v:g}')}(?![\d.])"))
        shown = {f"{v:.2f}", f"{v:,.2f}", f"{v:.3f}"}
        if abs(v) >= 1000:
            shown |= {f"{v:.0f}", f"{v:,.0f}"}
        for s in shown:
            if len(re.sub(r"\D", "", s)) >= 3 and not re.fullmatch(r"-?[\d,]+\.0+", s):
                pats.append(re.compile(rf"(?<![\d.,]){re.escape(s)}(?![\d])"))
    return pats


def _solution_lines(nb) -> set[str]:
    lines = set()
    for cell in nb.cells:
        if not nbmeta(cell).get("solution"):
            continue
        body = solution_body(cell.source) if cell.cell_type == "code" else cell.source
        lines |= {ln.strip() for ln in body.splitlines() if len(ln.strip()) > 12}
    return lines


def _visible_text(html_text: str) -> str:
    html_text = re.sub(r"<(style|script)\b.*?</\1>", "", html_text, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


@roundtrip
@pytest.mark.parametrize("quiz", QUIZZES)
def test_the_release_contains_no_solution_hidden_test_or_answer_key(graded, quiz):
    released = (graded.course / "release" / quiz / f"{quiz}.ipynb").read_text(encoding="utf-8")
    text = "\n".join(c.source for c in graded.release[quiz].cells)
    assert "BEGIN HIDDEN TESTS" not in released and "grade(" not in text
    assert "BEGIN SOLUTION" not in released
    lines = _solution_lines(graded.source[quiz])
    assert lines  # the check below has something to look for
    assert [ln for ln in lines if ln in text] == []
    assert [p.pattern for p in _key_patterns(quiz, graded) if p.search(text)] == []


@roundtrip
@pytest.mark.parametrize("quiz", QUIZZES)
def test_feedback_html_is_generated_for_every_graded_student(graded, quiz):
    students = BASIC + (["tamper", "looping", "deleted"] if quiz == FULL_MATRIX else [])
    for student in students:
        path = graded.course / "feedback" / student / quiz / f"{quiz}.html"
        assert path.is_file(), (quiz, student)
        assert "Score:" in _visible_text(path.read_text(encoding="utf-8"))


@roundtrip
@pytest.mark.parametrize("quiz", QUIZZES)
def test_feedback_html_shows_hidden_tests_and_hints_but_no_answer_key(graded, quiz):
    """Students who got items wrong see the hidden test and the hint, never the answer."""
    for student in ("wrong", "blank"):
        path = graded.course / "feedback" / student / quiz / f"{quiz}.html"
        text = _visible_text(path.read_text(encoding="utf-8"))
        assert "AssertionError" in text and "Hint:" in text or student == "blank"
        assert [p.pattern for p in _key_patterns(quiz, graded) if p.search(text)] == []
        assert [ln for ln in _solution_lines(graded.source[quiz]) if ln in text] == []


@roundtrip
def test_round_trip_of_the_whole_class_costs_under_two_minutes_of_cpu(graded):
    """CPU time, not wall-clock: on a quiet 2-core machine the round trip takes about as long
    in wall-clock time, and other jobs on the machine cannot make this test flaky."""
    assert graded.cpu_seconds < 120, (graded.cpu_seconds, graded.seconds)
