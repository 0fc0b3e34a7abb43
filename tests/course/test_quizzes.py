"""A class of simulated students graded with the real nbgrader commands, in both quiz modes.

Everything runs on a temporary copy of ``quizzes/`` (the repository's copy is never touched):
``generate_assignment``, submissions built from the released notebooks with nbformat (q1 arrives
as an LMS download through ``zip_collect``), one ``autograde`` per quiz, ``generate_feedback``
and ``export``. Expected scores come from the source notebooks' points, never from the key.

The exam class, on q1_break_even (the other quizzes get perfect and wrong):

============  ===========================================================  ====================
student       submission                                                   expected auto score
============  ===========================================================  ====================
perfect       the source's solutions, computed from the student's numbers  full
blank         the release as handed out                                    0
wrong         another letter, a number 50 % off                            0
patcher       replaces record/check/grading helpers, builtins, numpy and   0
              math comparisons; answers with always-equal objects
keyseeker     imports the whole package and answers with whatever any      0
              checker-like callable gives away
saboteur      reads the source and gradebook, writes to another student,   0
              the gradebook and outside its folder
netcaller     connects to a listener the test runs on 127.0.0.1            0
copycat       perfect's literal numbers (another student's variant)        letters + any item
                                                                           whose variant matches
looper        q1_2's answer loops forever, the rest right                  full - q1_2
memhog        allocates 20 GB in q1_1's answer, the rest right             full - q1_1
spawner       starts 300 sleeping children, the rest right                 full
flood         prints 200 MB, the rest right                                full
markdown      q1_1's answer cell turned into markdown, the rest right      full (nbgrader turns
                                                                           it back into code)
reordered     q1_4's test cell moved above its answer, the rest right      full - q1_4
duplicated    q1_2's answer and test cells duplicated, the rest right      full
renamed       the right notebook under another file name                   0
badjson       a file that is not JSON                                      0
empty         an empty file                                                0
============  ===========================================================  ====================

The practice class (practice mode) is perfect, blank, wrong, patcher and copycat on q1 and perfect
on the others: the mode changes what the learner's self-check may say, never how the grader
grades.
"""

from __future__ import annotations

import csv
import hashlib
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

import nbformat
import pytest
from class_support import Listener

from ftroi_helpers import quiz as q

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "quizzes"
QUIZZES = list(q.quiz_items()["quizzes"])
FULL = "q1_break_even"
BASIC = ["perfect", "blank", "wrong"]
HOSTILE = ["patcher", "keyseeker", "saboteur", "netcaller", "copycat", "looper", "memhog",
           "spawner", "flood", "markdown", "reordered", "duplicated", "renamed", "badjson",
           "empty"]
PRACTICE_CLASS = ["perfect", "blank", "wrong", "patcher", "copycat"]
#: Cell timeout in the temporary course: short, so the endless loop costs little time.
TEST_TIMEOUT_S = 10
SPAWN_MARKER = "ftroi-spawner-child"

sys.path.insert(0, str(COURSE))
from ftroi_course.sandbox import find_bwrap, probe_sandbox  # noqa: E402

#: Grading needs the sandbox (the course refuses to autograde without it): without one, these
#: tests skip with the reason, except under CI=true, where they fail.
NO_SANDBOX = probe_sandbox(find_bwrap())
roundtrip = pytest.mark.nbgrader


def _require_sandbox() -> None:
    if NO_SANDBOX is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but the autograding sandbox cannot run here: {NO_SANDBOX}")
    pytest.skip(f"no autograding sandbox on this machine: {NO_SANDBOX}")


# ---------------------------------------------------------------------------------------------
# notebooks


def gid(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def nbmeta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def read_nb(path: Path):
    return nbformat.read(path, as_version=4)


def graded_cells(nb) -> list:
    return [c for c in nb.cells if nbmeta(c).get("grade") and not nbmeta(c).get("solution")]


def written_cells(nb) -> list:
    return [c for c in nb.cells if nbmeta(c).get("grade") and nbmeta(c).get("solution")]


def item_points(nb) -> dict[str, float]:
    return {gid(c): float(nbmeta(c)["points"]) for c in graded_cells(nb)}


def solution_body(source: str) -> str:
    m = re.search(r"### BEGIN SOLUTION\n(.*?)\n### END SOLUTION", source, re.S)
    assert m, f"no solution region in {source!r}"
    return m.group(1)


def options(nb, item_id: str) -> str:
    question = next(c for c in nb.cells if gid(c) == f"{item_id}_question")
    return "".join(re.findall(r"^- \*\*([A-Z])\.\*\*", question.source, re.M))


def _fill(release, answers: dict[str, str]):
    """A copy of the released notebook with answer cells (by grade_id) replaced."""
    nb = nbformat.from_dict(json.loads(json.dumps(release)))
    for cell in nb.cells:
        if gid(cell) in answers:
            cell.source = answers[gid(cell)]
    return nb


def _text(data) -> str:
    return data if isinstance(data, str) else nbformat.writes(data)


# ---------------------------------------------------------------------------------------------
# hostile answer cells (code that runs in the student's kernel)

PATCHER = r'''
import builtins, math, operator, sys
import numpy as np
import ftroi_helpers, ftroi_helpers.quiz as fq
class Eq(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return False
    def __gt__(self, other): return False
    def __le__(self, other): return True
    def __ge__(self, other): return True
    def __abs__(self): return Eq(0.0)
    def __sub__(self, other): return Eq(0.0)
    __rsub__ = __sub__
    __hash__ = float.__hash__
    def strip(self, *a): return self
    def upper(self): return self
def yes(*args, **kwargs): return True
for name in ("check", "record", "normalise_answer", "parse_records", "item_info"):
    setattr(fq, name, yes)
math.isclose = yes; np.isclose = yes; np.allclose = yes; operator.eq = yes
builtins.abs = lambda x: 0
def fake_record(item, answer):
    for guess in ("A", "B", "C", "D", 1.0):
        print('FTROI-ANSWER {"item": "%s", "answer": %s}' % (item, json_dumps(guess)))
import json; json_dumps = json.dumps
record = fake_record; check = yes
sys.modules["ftroi_helpers.quiz"].record = fake_record
'''

KEYSEEKER = r'''
import importlib, inspect, pkgutil, re, json, os
import ftroi_helpers
found = {}
modules = []
for info in pkgutil.walk_packages(ftroi_helpers.__path__, "ftroi_helpers."):
    try:
        modules.append(importlib.import_module(info.name))
    except Exception:
        pass
suspicious = re.compile(r"check|grade|verify|answer|key|correct|score|expected", re.I)
items = ftroi_helpers.quiz.quiz_items()["quizzes"]["q1_break_even"]["items"]
for item, info in items.items():
    if info["kind"] != "choice":
        continue
    for module in modules:
        for name, fn in list(vars(module).items()):
            if not callable(fn) or not suspicious.search(name) or inspect.isclass(fn):
                continue
            results = {}
            for letter in info["options"]:
                try:
                    out = fn(item, letter)
                except Exception as exc:
                    out = type(exc).__name__
                results[letter] = re.sub(r"\b[A-D]\b", "?", str(out)) + str(bool(out))
            values = list(results.values())
            lonely = [k for k, v in results.items() if values.count(v) == 1]
            if len(lonely) == 1 and len(set(values)) == 2:
                found[item] = lonely[0]
for path in ["practice_key.json", "../practice_key.json"]:
    if os.path.exists(path):
        found["file"] = path
'''

SABOTEUR = r'''
import glob, os, pathlib
COURSE = pathlib.Path({course!r})
stolen = []
for pattern in [str(COURSE / "source" / "*" / "*.ipynb"), str(COURSE / "gradebook.db"),
                str(COURSE / "ftroi_course" / "key.py")]:
    for path in glob.glob(pattern):
        try:
            stolen.append(open(path, "rb").read()[:100])
        except OSError:
            pass
here = pathlib.Path.cwd()
for up in [here, *here.parents]:
    for path in glob.glob(str(up / "source" / "*" / "*.ipynb")):
        try:
            stolen.append(open(path, "rb").read()[:100])
        except OSError:
            pass
def vandalise(path, data=b"pwned"):
    try:
        with open(path, "wb") as fh:
            fh.write(data)
    except OSError:
        pass
for victim in glob.glob(str(COURSE / "submitted" / "*" / "*" / "*.ipynb")):
    if "saboteur" not in victim:
        vandalise(victim)
vandalise(str(COURSE / "gradebook.db"))
vandalise(str(COURSE / "sabotage.txt"))
vandalise({tmp_target!r})
vandalise(str(COURSE.parent / "sabotage.txt"))
try:
    import sqlite3
    db = sqlite3.connect(str(COURSE / "gradebook.db"))
    db.execute("UPDATE grade SET auto_score = 999")
    db.commit()
except Exception:
    pass
'''

NETCALLER = r'''
import socket
for host in ("127.0.0.1", "localhost"):
    try:
        socket.create_connection((host, {port}), timeout=2).sendall(b"leak")
    except OSError:
        pass
'''

SPAWNER = r'''
import subprocess
children = []
for _ in range(300):
    try:
        children.append(subprocess.Popen(["sleep", "600"], start_new_session=True,
                                         env={{"FTROI_MARK": "{marker}", "PATH": "/usr/bin:/bin"}}))
    except OSError:
        break
'''


# ---------------------------------------------------------------------------------------------
# the class


def _env(**extra: str) -> dict[str, str]:
    """nbgrader shells out to alembic and starts `python` kernels: use this venv's bin first."""
    bin_dir = str(Path(sys.executable).parent)
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))
    for name in ("NBGRADER_EXECUTION", "FTROI_STUDENT_ID", "JUPYTERHUB_USER", "FTROI_QUIZ_MODE"):
        env.pop(name, None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


@dataclass
class Course:
    path: Path
    mode: str
    source: dict = field(default_factory=dict)
    release: dict = field(default_factory=dict)
    logs: dict = field(default_factory=dict)
    csv_scores: dict = field(default_factory=dict)  # (quiz, student) -> score
    item_scores: dict = field(default_factory=dict)  # (quiz, student, item) -> score
    needs_manual: dict = field(default_factory=dict)
    expected: dict = field(default_factory=dict)  # (quiz, student) -> score
    hashes_before: dict = field(default_factory=dict)
    hashes_after: dict = field(default_factory=dict)
    listener_hits: list = field(default_factory=list)
    seconds: dict = field(default_factory=dict)


def _nbgrader(c: Course, *args: str) -> subprocess.CompletedProcess:
    start = time.perf_counter()
    proc = subprocess.run(["nbgrader", *args], cwd=c.path, env=_env(), capture_output=True,
                          text=True, timeout=900)
    c.seconds[" ".join(args)] = round(time.perf_counter() - start, 1)
    c.logs[" ".join(args)] = proc
    return proc


def _right_cells(src) -> dict[str, str]:
    return {gid(c): solution_body(c.source) for c in src.cells
            if nbmeta(c).get("solution") and c.cell_type == "code"}


def _student_answers(quiz: str, student: str, release=None) -> dict[str, object]:
    """Each item's right answer for one student, by running the source's solution cells (with
    the released setup cell, which holds an exam's seed: the student's numbers and options)."""
    from unittest import mock

    namespace: dict[str, object] = {}
    src = read_nb(COURSE / "source" / quiz / f"{quiz}.ipynb")
    setup = next((x.source for x in release.cells if gid(x) == "setup"), None) if release \
        else None
    with mock.patch.dict(os.environ, {"NBGRADER_EXECUTION": "autograde",
                                      "FTROI_STUDENT_ID": student}):
        for cell in src.cells:
            if cell.cell_type == "code" and not nbmeta(cell).get("grade"):
                source = setup if setup and gid(cell) == "setup" else cell.source
                exec(compile(source, gid(cell) or "cell", "exec"), namespace)  # noqa: S102
    return {gid(c): namespace[gid(c)] for c in graded_cells(src)}


def _wrong_cells(quiz: str, src, student: str, release=None) -> dict[str, str]:
    """Another option's letter, or the student's right number 50 % too high (plus one)."""
    out = {}
    for item, value in _student_answers(quiz, student, release).items():
        letters = options(src, item)
        wrong = letters[(letters.index(value) + 1) % len(letters)] if letters \
            else float(value) * 1.5 + 1.0
        out[f"{item}_answer"] = f"{item} = {wrong!r}"
    return out


def _submissions(c: Course, quiz: str, students: list[str], port: int) -> dict[str, object]:
    src, rel = c.source[quiz], c.release[quiz]
    right = _right_cells(src)
    written = {gid(x): "I would recompute the break-even myself and check each price against "
                       "the provider's price page." for x in written_cells(src)}
    first = next(iter(right))  # the first answer cell
    subs: dict[str, object] = {}
    for student in students:
        if student == "perfect":
            subs[student] = _fill(rel, {**right, **written})
        elif student == "blank":
            subs[student] = _fill(rel, {})
        elif student == "wrong":
            subs[student] = _fill(rel, _wrong_cells(quiz, src, student, rel))
        elif student == "patcher":
            answers = {k: f"{k[:-7]} = Eq(1.0)" for k in right}
            answers[first] = PATCHER + "\n" + answers[first]
            subs[student] = _fill(rel, answers)
        elif student == "keyseeker":
            answers = {k: f"{k[:-7]} = found.get({k[:-7]!r}, '')" for k in right}
            answers[first] = KEYSEEKER + "\n" + answers[first]
            subs[student] = _fill(rel, answers)
        elif student == "saboteur":
            subs[student] = _fill(rel, {first: SABOTEUR.format(course=str(c.path),
                                                               tmp_target=_tmp_target(c)) +
                                        f"\n{first[:-7]} = None"})
        elif student == "netcaller":
            subs[student] = _fill(rel, {first: NETCALLER.format(port=port) +
                                        f"\n{first[:-7]} = None"})
        elif student == "copycat":
            theirs = _student_answers(quiz, "perfect", rel)
            subs[student] = _fill(rel, {f"{k}_answer": f"{k} = {v!r}" for k, v in theirs.items()})
        elif student == "looper":
            subs[student] = _fill(rel, {**right, "q1_2_answer": "while True:\n    pass"})
        elif student == "memhog":
            subs[student] = _fill(rel, {**right, "q1_1_answer": "hog = bytearray(20 * 2**30)\n"
                                        + right["q1_1_answer"]})
        elif student == "spawner":
            subs[student] = _fill(rel, {**right, "q1_1_answer": SPAWNER.format(
                marker=SPAWN_MARKER) + right["q1_1_answer"]})
        elif student == "flood":
            subs[student] = _fill(rel, {**right, "q1_1_answer": "for _ in range(200):\n"
                                        "    print('x' * 2**20)\n" + right["q1_1_answer"]})
        elif student == "markdown":
            nb = _fill(rel, right)
            cell = next(x for x in nb.cells if gid(x) == "q1_1_answer")
            cell.cell_type = "markdown"
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
            subs[student] = nb
        elif student == "reordered":
            nb = _fill(rel, right)
            cells = nb.cells
            test = next(i for i, x in enumerate(cells) if gid(x) == "q1_4")
            answer = next(i for i, x in enumerate(cells) if gid(x) == "q1_4_answer")
            cells.insert(answer, cells.pop(test))
            subs[student] = nb
        elif student == "duplicated":
            nb = _fill(rel, right)
            i = next(i for i, x in enumerate(nb.cells) if gid(x) == "q1_2")
            copies = [nbformat.from_dict(json.loads(json.dumps(x))) for x in nb.cells[i - 1:i + 1]]
            for x in copies:
                x["id"] = x["id"] + "-copy"
            nb.cells[i + 1:i + 1] = copies
            subs[student] = nb
        elif student == "renamed":
            subs[student] = _fill(rel, right)
        elif student == "badjson":
            subs[student] = '{"cells": [ this is not JSON'
        elif student == "empty":
            subs[student] = ""
    return subs


def _tmp_target(c: Course) -> str:
    """A file in the machine's /tmp that the saboteur tries to create (unique to this run)."""
    return f"/tmp/ftroi-sabotage-{hashlib.sha256(str(c.path).encode()).hexdigest()[:12]}.txt"


def _expected(c: Course, quiz: str, students: list[str]) -> dict[str, float]:
    points = item_points(c.source[quiz])
    full = sum(points.values())
    out = dict.fromkeys(students, 0.0)
    for student in students:
        if student in {"perfect", "spawner", "flood", "duplicated", "markdown"}:
            out[student] = full
        elif student == "looper":
            out[student] = full - points["q1_2"]
        elif student == "memhog":
            out[student] = full - points["q1_1"]
        elif student == "reordered":
            out[student] = full - points["q1_4"]
        elif student == "copycat":  # the items where perfect's answer is also copycat's
            mine, theirs = (_student_answers(quiz, s, c.release[quiz])
                            for s in ("copycat", "perfect"))
            out[student] = sum(p for item, p in points.items() if mine[item] == theirs[item])
    return out


def _tree_hashes(root: Path, skip: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith(skip):
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _spawned_children() -> list[str]:
    out = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if SPAWN_MARKER.encode() in (proc / "environ").read_bytes():
                    out.append(proc.name)
            except OSError:
                continue
    return out


def _new_course(tmp: Path, mode: str) -> Course:
    path = tmp / "quizzes"
    path.mkdir()
    shutil.copy(COURSE / "nbgrader_config.py", path / "nbgrader_config.py")
    for folder in ("source", "ftroi_course"):
        shutil.copytree(COURSE / folder, path / folder,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    with (path / "nbgrader_config.py").open("a", encoding="utf-8") as fh:
        fh.write(f"\nc.ExecutePreprocessor.timeout = {TEST_TIMEOUT_S}  # test copy only\n"
                 f"c.FtroiQuiz.mode = {mode!r}  # test copy only\n")
    return Course(path, mode)


def _generate(c: Course, classes: dict[str, list[str]]) -> None:
    """nbgrader generate_assignment for every quiz (subprocesses only: safe in a thread)."""
    for quiz in classes:
        proc = _nbgrader(c, "generate_assignment", quiz, "--force")
        assert proc.returncode == 0, proc.stderr[-3000:]


def _hand_in(c: Course, classes: dict[str, list[str]], listener: Listener) -> None:
    """Every student's notebook, as the LMS or the exchange would deliver it.

    In the test process (it runs solution cells with a patched environment): not in a thread.
    """
    path = c.path
    for quiz in classes:
        c.source[quiz] = read_nb(path / "source" / quiz / f"{quiz}.ipynb")
        c.release[quiz] = read_nb(path / "release" / quiz / f"{quiz}.ipynb")
        c.expected.update({(quiz, s): v for s, v in _expected(c, quiz, classes[quiz]).items()})
    for quiz, students in classes.items():
        subs = _submissions(c, quiz, students, listener.port)
        if quiz == FULL:  # an LMS download: files named <student>_<file>, and one zip
            archive = path / "downloaded" / quiz / "archive"
            archive.mkdir(parents=True)
            for student, nb in subs.items():
                name = "Untitled.ipynb" if student == "renamed" else f"{quiz}.ipynb"
                if student == "duplicated":
                    with zipfile.ZipFile(archive / f"{student}.zip", "w") as zf:
                        zf.writestr(name, _text(nb))
                else:
                    (archive / f"{student}_{name}").write_text(_text(nb), encoding="utf-8")
            assert _nbgrader(c, "zip_collect", quiz).returncode == 0
        else:
            for student, nb in subs.items():
                folder = path / "submitted" / student / quiz
                folder.mkdir(parents=True)
                (folder / f"{quiz}.ipynb").write_text(_text(nb), encoding="utf-8")


GRADING_OUTPUT = ("autograded/", "feedback/", "gradebook.db", "ftroi_course/__pycache__",
                  ".nbgrader.log")


def _grade(c: Course, classes: dict[str, list[str]], listener: Listener, feedback: bool) -> None:
    """Autograde (and give feedback) with the real commands (subprocesses: safe in a thread)."""
    c.hashes_before = _tree_hashes(c.path, GRADING_OUTPUT)
    try:
        for quiz in classes:
            _nbgrader(c, "autograde", quiz)  # one command grades the whole class
            if feedback:
                _nbgrader(c, "generate_feedback", quiz)
        c.hashes_after = _tree_hashes(c.path, GRADING_OUTPUT)
    finally:
        time.sleep(0.5)
        listener.close()
        c.listener_hits = listener.hits
    assert _nbgrader(c, "export").returncode == 0


def _read_grades(c: Course, classes: dict[str, list[str]]) -> None:
    with (c.path / "grades.csv").open(newline="") as fh:
        c.csv_scores = {(r["assignment"], r["student_id"]): float(r["score"])
                        for r in csv.DictReader(fh)}

    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{c.path / 'gradebook.db'}", "ftroi") as gb:
        for quiz, students in classes.items():
            for student in students:
                for cell in graded_cells(c.source[quiz]) + written_cells(c.source[quiz]):
                    try:
                        grade_ = gb.find_grade(gid(cell), quiz, quiz, student)
                    except MissingEntry:
                        continue
                    c.item_scores[(quiz, student, gid(cell))] = grade_.score
                    c.needs_manual[(quiz, student, gid(cell))] = grade_.needs_manual_grade


def _in_parallel(*calls) -> None:
    """Run independent nbgrader pipelines (each its own course folder and gradebook) at once,
    re-raising the first failure. Each keeps about 0.75 of a core busy (benchmarks/README.md),
    so two of them share the 2 cores of CI without slowing each other much."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        for future in [pool.submit(fn, *args) for fn, *args in calls]:
            future.result()


@pytest.fixture(scope="module")
def classes_graded(tmp_path_factory) -> dict[str, Course]:
    """Both classes, exam and practice, each through the real nbgrader commands.

    The exam class: every quiz's key both ways, and q1 with the basic and hostile students.
    The practice class: every quiz's perfect student, q1 with a few basic and hostile ones.
    The two courses are independent (own folder, gradebook and listener), so their nbgrader
    commands run side by side; whatever runs in the test process itself runs one at a time.
    """
    _require_sandbox()
    exam_classes = {quiz: ["perfect", "wrong"] for quiz in QUIZZES}
    exam_classes[FULL] = BASIC + HOSTILE
    practice_classes = {quiz: ["perfect"] for quiz in QUIZZES}
    practice_classes[FULL] = PRACTICE_CLASS
    plan = {"exam": exam_classes, "practice": practice_classes}
    courses = {mode: _new_course(tmp_path_factory.mktemp(mode), mode) for mode in plan}
    _in_parallel(*[(_generate, courses[m], plan[m]) for m in plan])
    listeners = {mode: Listener() for mode in plan}
    try:
        for mode in plan:
            _hand_in(courses[mode], plan[mode], listeners[mode])
        # Feedback only for the exam class: the practice class's tests read scores only.
        _in_parallel(*[(_grade, courses[m], plan[m], listeners[m], m == "exam") for m in plan])
    finally:
        for listener in listeners.values():
            listener.close()
    for mode in plan:
        _read_grades(courses[mode], plan[mode])
        print(f"\n{mode} class, seconds:", courses[mode].seconds)
    return courses


@pytest.fixture(scope="module")
def exam(classes_graded) -> Course:
    return classes_graded["exam"]


@pytest.fixture(scope="module")
def practice(classes_graded) -> Course:
    return classes_graded["practice"]


def _autograded(c: Course, quiz: str, student: str):
    return read_nb(c.path / "autograded" / student / quiz / f"{quiz}.ipynb")


def _log(c: Course, quiz: str) -> str:
    return c.logs[f"autograde {quiz}"].stderr


# ---------------------------------------------------------------------------------------------
# scores


@roundtrip
def test_every_exam_student_gets_exactly_the_marks_it_earned(exam):
    got = {k: exam.csv_scores.get(k) for k in exam.expected}
    assert got == exam.expected


@roundtrip
def test_every_practice_student_gets_exactly_the_marks_it_earned(practice):
    got = {k: practice.csv_scores.get(k) for k in practice.expected}
    assert got == practice.expected


@roundtrip
@pytest.mark.parametrize("quiz", QUIZZES)
def test_a_perfect_student_gets_full_auto_graded_marks(exam, quiz):
    full = sum(item_points(exam.source[quiz]).values())
    assert full > 0 and exam.csv_scores[(quiz, "perfect")] == full


@roundtrip
def test_a_copycat_with_another_students_numbers_scores_zero_on_those_items(exam):
    points = item_points(exam.source[FULL])
    info = q.quiz_items()["quizzes"][FULL]["items"]
    mine, theirs = (_student_answers(FULL, s, exam.release[FULL]) for s in ("copycat", "perfect"))
    differing = [i for i in points if info[i]["kind"] == "number" and mine[i] != theirs[i]]
    assert len(differing) >= 3  # the two students really have different numbers
    for item in differing:
        assert exam.item_scores[(FULL, "copycat", item)] == 0


@roundtrip
def test_each_hostile_students_reason_is_in_the_autograde_log(exam):
    log = _log(exam, FULL)
    assert re.search(r"patcher q1_break_even q1_3: \d+ different answers recorded", log)
    assert "Attribute 'cell_type' for cell q1_1_answer has changed!" in log
    assert "reordered q1_break_even q1_4: no answer recorded" in log
    assert "looper q1_break_even q1_2: no answer recorded" in log
    assert "student 'badjson'" in log and "student 'empty'" in log
    assert "for student 'renamed'" in log and "No notebooks found" in log


# ---------------------------------------------------------------------------------------------
# nobody else is touched


@roundtrip
def test_no_file_outside_autograde_output_changed_and_none_was_created(exam):
    assert exam.hashes_after == exam.hashes_before
    assert not (exam.path / "sabotage.txt").exists()
    assert not (exam.path.parent / "sabotage.txt").exists()
    assert not Path(_tmp_target(exam)).exists()


@roundtrip
def test_the_gradebook_holds_only_what_autograde_wrote(exam):
    assert max(exam.item_scores.values()) <= max(
        max(item_points(nb).values()) for nb in exam.source.values())
    assert exam.csv_scores[(FULL, "saboteur")] == 0


@roundtrip
def test_the_listener_saw_no_connection(exam):
    assert exam.listener_hits == []


@roundtrip
def test_no_child_process_outlives_grading(exam):
    assert _spawned_children() == []


@roundtrip
def test_a_200_mb_flood_is_capped_in_the_graded_notebook(exam):
    size = (exam.path / "autograded" / "flood" / FULL / f"{FULL}.ipynb").stat().st_size
    assert size < 20 * 2**20


@roundtrip
def test_the_looper_is_stopped_and_the_rest_of_its_notebook_is_graded(exam):
    nb = _autograded(exam, FULL, "looper")
    answer = next(x for x in nb.cells if gid(x) == "q1_2_answer")
    assert "CellTimeoutError" in {o.get("ename") for o in answer.outputs}
    assert exam.item_scores[(FULL, "looper", "q1_4")] == item_points(exam.source[FULL])["q1_4"]


@roundtrip
def test_the_kernel_ran_as_the_submitting_student(exam):
    """The autograded notebook shows the student's own numbers (FTROI_STUDENT_ID was set)."""
    nb = _autograded(exam, FULL, "perfect")
    shown = "".join(o.get("data", {}).get("text/plain", "") for x in nb.cells
                    if gid(x) == "q1_1_given" for o in x.outputs)
    assert "student perfect" in shown


# ---------------------------------------------------------------------------------------------
# the key never reaches the student


@roundtrip
@pytest.mark.parametrize("quiz", QUIZZES)
def test_an_exam_release_holds_nothing_that_tells_right_from_wrong(exam, quiz):
    folder = exam.path / "release" / quiz
    assert sorted(p.name for p in folder.iterdir()) == [f"{quiz}.ipynb"]
    text = (folder / f"{quiz}.ipynb").read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    assert "mode='exam'" in text and "record(" not in text
    for line in {ln.strip() for c in exam.source[quiz].cells if nbmeta(c).get("solution")
                 and c.cell_type == "code" for ln in solution_body(c.source).splitlines()
                 if len(ln.strip()) > 12}:
        assert line not in text


@roundtrip
@pytest.mark.parametrize("quiz", QUIZZES)
def test_a_practice_release_carries_the_practice_key_and_says_practice(practice, quiz):
    folder = practice.path / "release" / quiz
    assert (folder / q.PRACTICE_KEY_FILE).is_file()
    assert "mode='practice'" in (folder / f"{quiz}.ipynb").read_text(encoding="utf-8")


def _visible_text(html_text: str) -> str:
    html_text = re.sub(r"<(style|script)\b.*?</\1>", "", html_text, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


@roundtrip
@pytest.mark.parametrize("quiz", QUIZZES)
def test_feedback_shows_scores_but_never_the_key(exam, quiz):
    for student in ("perfect", "wrong"):
        path = exam.path / "feedback" / student / quiz / f"{quiz}.html"
        text = _visible_text(path.read_text(encoding="utf-8"))
        assert "Score:" in text
        if student == "perfect":
            continue
        right = _student_answers(quiz, student, exam.release[quiz])
        for item, value in right.items():
            if isinstance(value, str):
                assert not re.search(rf"\b{item}\s*=\s*[\"']{value}[\"']", text)
            elif abs(float(value)) >= 10:
                assert f"{float(value):,.2f}" not in text and f"{float(value):.2f}" not in text


@roundtrip
def test_a_written_answer_waits_for_manual_grading(exam):
    for quiz in QUIZZES:
        for cell in written_cells(exam.source[quiz]):
            assert exam.needs_manual[(quiz, "perfect", gid(cell))] is True
