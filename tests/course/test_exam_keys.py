"""A practice release tells nothing about an exam (issue 19, item 3), through the real commands.

Three temporary copies of ``quizzes/`` with the same course id ``ftroi``: a practice course and
two exam courses, each with its own course secret, made by its first exam release. On
q1_break_even:

=============  =================================================================  ==============
student        hands in                                                           auto score
=============  =================================================================  ==============
honest1..3     their own right answers (exam course A; practice course)            full
lookup         only literals from a practice release's key: each number looked    what a blank
               up through the public practice variant of their own id             gets: 0
bruteforce     the multiple-choice letters brute-forced from the practice hashes  the items whose
               (four tries each), numbers left blank                              exam letter is
                                                                                  that letter
blank          the release as handed out                                          0
=============  =================================================================  ==============

Expected scores come from the source notebook's points and solutions, run with the released
setup cell (the student's numbers and option order, as their kernel shows them), never from the
key under test. The marker's ``python -m ftroi_course.key show`` must reproduce what each
student's kernel showed, and grading without the course secret stops with a message, never zeros.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from ftroi_helpers import quiz as q

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS))
import class_support as cs  # noqa: E402

sys.path.insert(0, str(cs.COURSE))
from ftroi_course.sandbox import find_bwrap, probe_sandbox  # noqa: E402

QUIZ = cs.QUIZ
HONEST = ["honest1", "honest2", "honest3"]
EXAM_CLASS = [*HONEST, "lookup", "bruteforce", "blank"]
NO_SANDBOX = probe_sandbox(find_bwrap())


def _require_sandbox() -> None:
    if NO_SANDBOX is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but the autograding sandbox cannot run here: {NO_SANDBOX}")
    pytest.skip(f"no autograding sandbox on this machine: {NO_SANDBOX}")


def _ok(proc) -> None:
    assert proc.returncode == 0, (proc.stdout[-2000:], proc.stderr[-3000:])


def _generate(course: Path, mode: str) -> cs.Quiz:
    _ok(cs.run(course, "nbgrader", "generate_assignment", QUIZ, "--force",
               env=cs.tool_env(FTROI_QUIZ_MODE=mode)))
    return cs.load_quiz(course)


def _brute_force_letters(practice_key: dict) -> dict[str, str]:
    """Each multiple-choice item's letter, found from the practice key's hash in four tries."""
    out = {}
    for item, row in practice_key["items"].items():
        if "answer_sha256" not in row:
            continue
        (letter,) = [x for x in q.item_info(QUIZ, item)["options"] if q.practice_key_hash(
            practice_key["course"], QUIZ, item, x) == row["answer_sha256"]]
        out[item] = letter
    return out


def _looked_up_numbers(practice_key: dict, student: str) -> dict[str, float]:
    """Each numeric item's answer in the practice key, for the student's own id through the
    public practice variant function and the course id printed in the release."""
    return {item: row["expected"][q.item_variant(practice_key["course"], QUIZ, item, student)]
            for item, row in practice_key["items"].items() if "expected" in row}


def _fill(quiz: cs.Quiz, answers: dict[str, object]):
    return quiz._fill(answers)


def _hand_in(course: Path, notebooks: dict[str, object]) -> None:
    for student, nb in notebooks.items():
        folder = course / "submitted" / student / QUIZ
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, folder / f"{QUIZ}.ipynb")


def _scores(course: Path, students) -> dict[str, float]:
    cells = cs.gradebook_scores(f"sqlite:///{course / 'gradebook.db'}", QUIZ, students)
    points = cs.item_points(cs.source_nb(QUIZ, course))
    return {s: sum(v for k, v in got.items() if k in points) for s, got in cells.items()}


def _item_scores(course: Path, student: str) -> dict[str, float]:
    return cs.gradebook_scores(f"sqlite:///{course / 'gradebook.db'}", QUIZ, [student])[student]


@pytest.fixture(scope="module")
def courses(tmp_path_factory):
    """The practice course graded with honest students; exam course A graded with the class
    above; exam course B only generated (the same course id, its own secret)."""
    _require_sandbox()
    tmp = tmp_path_factory.mktemp("exam-keys")
    paths = {name: cs.make_course(tmp / name) for name in ("practice", "exam", "other")}
    quizzes = {"practice": _generate(paths["practice"], "practice"),
               "exam": _generate(paths["exam"], "exam"),
               "other": _generate(paths["other"], "exam")}
    practice_key = json.loads((paths["practice"] / "release" / QUIZ /
                               q.PRACTICE_KEY_FILE).read_text())
    exam = quizzes["exam"]
    letters = _brute_force_letters(practice_key)
    submissions = {s: exam.submission("right", s) for s in HONEST}
    submissions["lookup"] = _fill(exam, _looked_up_numbers(practice_key, "lookup"))
    submissions["bruteforce"] = _fill(exam, letters)
    submissions["blank"] = exam.submission("blank", "blank")
    _hand_in(paths["exam"], submissions)
    _hand_in(paths["practice"], {s: quizzes["practice"].submission("right", s) for s in HONEST})
    logs = {name: cs.run(paths[name], "nbgrader", "autograde", QUIZ)
            for name in ("exam", "practice")}
    return {"paths": paths, "quizzes": quizzes, "practice_key": practice_key,
            "letters": letters, "logs": logs}


def _released_seed(path: Path) -> str:
    text = (path / "release" / QUIZ / f"{QUIZ}.ipynb").read_text(encoding="utf-8")
    return re.search(r"seed='([0-9a-f]{64})'", text).group(1)


# ---------------------------------------------------------------------------------------------
# (f) honest students, both modes


@pytest.mark.nbgrader
@pytest.mark.parametrize("mode", ["exam", "practice"])
def test_every_honest_student_gets_full_marks_in_both_modes(courses, mode):
    _ok(courses["logs"][mode])
    full = courses["quizzes"][mode].full
    assert _scores(courses["paths"][mode], HONEST) == dict.fromkeys(HONEST, full)


@pytest.mark.nbgrader
def test_honest_exam_students_really_had_different_numbers_and_orders(courses):
    exam = courses["quizzes"]["exam"]
    answers = {s: exam.right(s) for s in HONEST}
    assert len({json.dumps(a, sort_keys=True) for a in answers.values()}) == len(HONEST)


# ---------------------------------------------------------------------------------------------
# (a) and (b): the practice release's key against the exam


@pytest.mark.nbgrader
def test_literals_looked_up_in_the_practice_key_score_what_a_blank_scores(courses):
    scores = _scores(courses["paths"]["exam"], ["lookup", "blank"])
    assert scores == {"lookup": 0.0, "blank": 0.0}
    looked_up = _looked_up_numbers(courses["practice_key"], "lookup")
    assert len(looked_up) == 4 and all(v > 0 for v in looked_up.values())


@pytest.mark.nbgrader
def test_brute_forced_practice_letters_score_only_where_the_shuffle_happens_to_agree(courses):
    exam = courses["quizzes"]["exam"]
    letters = courses["letters"]
    mine = exam.right("bruteforce")  # the letters bruteforce's kernel shows as right
    expected = {item: (exam.points[item] if mine[item] == letter else 0.0)
                for item, letter in letters.items()}
    got = _item_scores(courses["paths"]["exam"], "bruteforce")
    assert {item: got[item] for item in letters} == expected
    assert set(letters) == {i for i in exam.points if q.item_info(QUIZ, i)["kind"] == "choice"}


def test_the_practice_letter_is_the_exam_letter_for_about_a_quarter_of_a_class():
    """Over 400 students and every multiple-choice item, with a fixed secret: the shuffle puts
    the right option under the practice letter about one time in four (binomial: 0.25 +- 0.03)."""
    sys.path.insert(0, str(cs.COURSE))
    from ftroi_course import key

    seeds = [key.exam_seed(bytes([n]) * 32, "ftroi", quiz) for n, quiz in
             enumerate(q.quiz_items()["quizzes"])]
    same = total = 0
    for seed, quiz in zip(seeds, q.quiz_items()["quizzes"], strict=True):
        for item in [i.item_id for i in key.items(quiz) if i.kind == "choice"]:
            for n in range(400):
                same += key.right_letter(quiz, item, f"s{n:03d}", seed) == key.CHOICES[item]
                total += 1
    assert 0.22 <= same / total <= 0.28, same / total


# ---------------------------------------------------------------------------------------------
# (c) the secret, not the course id, keys the exam


@pytest.mark.nbgrader
def test_two_courses_with_one_course_id_but_two_secrets_give_different_exams(courses):
    paths = courses["paths"]
    secrets_ = {n: (paths[n] / "course_secret.key").read_text() for n in ("exam", "other")}
    assert secrets_["exam"] != secrets_["other"]
    assert _released_seed(paths["exam"]) != _released_seed(paths["other"])
    a, b = courses["quizzes"]["exam"], courses["quizzes"]["other"]
    differ = [s for s in HONEST if a.right(s) != b.right(s)]
    assert differ == HONEST


@pytest.mark.nbgrader
def test_the_course_secret_is_private_and_not_in_any_release(courses):
    for name in ("exam", "other"):
        path = courses["paths"][name]
        secret = path / "course_secret.key"
        assert secret.stat().st_mode & 0o777 == 0o600
        text = secret.read_text().strip()
        assert re.fullmatch(r"[0-9a-f]{64}", text)
        released = "".join(p.read_text(errors="replace")
                           for p in (path / "release").rglob("*") if p.is_file())
        assert text not in released and "course_secret" not in released


# ---------------------------------------------------------------------------------------------
# (e) the marker reproduces what the student's kernel showed


def _outputs(cell) -> str:
    return "".join(o.get("data", {}).get("text/plain", "") + o.get("text", "")
                   for o in cell.get("outputs", []))


@pytest.mark.nbgrader
@pytest.mark.parametrize("student", ["honest1", "lookup"])
def test_the_markers_reproduction_matches_what_the_students_kernel_showed(courses, student):
    path = courses["paths"]["exam"]
    graded = nbformat.read(path / "autograded" / student / QUIZ / f"{QUIZ}.ipynb", as_version=4)
    shown = cs.run(path, sys.executable, "-m", "ftroi_course.key", "show", QUIZ, student)
    _ok(shown)
    as_json = cs.run(path, sys.executable, "-m", "ftroi_course.key", "show", QUIZ, student,
                     "--json")
    sheet = json.loads(as_json.stdout)
    given_cells = [c for c in graded.cells if (cs.gid(c) or "").endswith(
        tuple(f"given{suffix}" for suffix in ("", "_q1_workload")))]
    assert len(given_cells) == 4
    for cell in given_cells:
        table = _outputs(cell).strip()
        assert f"student {student}" in table and table in shown.stdout
    choice_cells = [c for c in graded.cells if (cs.gid(c) or "").endswith("_choices")]
    assert [cs.gid(c) for c in choice_cells] == ["q1_3_choices", "q1_5_choices", "q1_7_choices"]
    for cell in choice_cells:
        item = cs.gid(cell).removesuffix("_choices")
        texts = re.findall(r"^\s+'(.*)',$", cell.source, re.M)
        seen = re.findall(r"^\s+([A-D])\. (.*)$", _outputs(cell), re.M)
        assert [t for _, t in seen] == [texts["ABCD".index(x)] for x in sheet["order"][item]]
    right = courses["quizzes"]["exam"].right(student)
    for item, value in right.items():
        if isinstance(value, str):
            assert sheet["answers"][item] == value
        else:
            assert sheet["answers"][item] == pytest.approx(float(value), rel=1e-9)


# ---------------------------------------------------------------------------------------------
# without the secret: an environment fault, never zeros


@pytest.mark.nbgrader
def test_grading_an_exam_without_its_secret_stops_with_a_message_and_writes_no_grade(courses,
                                                                                      tmp_path):
    path = courses["paths"]["exam"]
    exam = courses["quizzes"]["exam"]
    _hand_in(path, {"late": exam.submission("right", "late")})
    secret = path / "course_secret.key"
    kept = tmp_path / "backup.key"
    shutil.move(secret, kept)
    try:
        proc = cs.run(path, "nbgrader", "autograde", QUIZ, "--student=late")
    finally:
        shutil.move(kept, secret)
    assert proc.returncode == 3, proc.stderr[-2000:]  # a fault of the grading environment
    assert "course_secret.key is missing" in proc.stderr
    assert "No score was recorded for late" in proc.stderr
    assert _scores(path, ["late"]) == {}
    assert not (path / "autograded" / "late" / QUIZ).exists()
