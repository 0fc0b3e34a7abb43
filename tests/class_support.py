"""A simulated class for the gradebook, parallel-grading and JupyterHub tests and benchmarks.

Everything here reads the quiz's *source* notebook (the instructor's master copy): a student's
right answers come from running its own solution cells with ``FTROI_STUDENT_ID`` set to the
student and the *released* setup cell (every student has their own numbers and, in an exam,
their own order of options, keyed by the exam's seed that the release wrote), the points from
its grade cells. Nothing is taken from the key or the grading code under test.

Profiles (what a student hands in):

=========  ===========================================================  =========================
profile    answers                                                      expected auto-graded score
=========  ===========================================================  =========================
right      every item right                                             full
wrong      every item wrong (another letter; a number 50 % too high)    0
blank      the release as handed out                                    0
mixed<k>   the first k items right, the rest wrong                      those k items' points
hostile    right answers, but the first item's test cell is replaced    full minus the first
           by ``assert True`` and its answer is wrong; the second       item's points
           item's test cell is deleted (both restored by autograde)
=========  ===========================================================  =========================
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import nbformat

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "quizzes"
QUIZ = "q1_break_even"


def gid(cell) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def nbmeta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def graded_cells(nb) -> list:
    """Auto-graded test cells: grade cells that are not answers."""
    return [c for c in nb.cells if nbmeta(c).get("grade") and not nbmeta(c).get("solution")]


def source_nb(quiz: str, course: Path = COURSE):
    return nbformat.read(course / "source" / quiz / f"{quiz}.ipynb", as_version=4)


def item_points(nb) -> dict[str, float]:
    """Auto-graded item -> its points, in notebook order."""
    return {gid(c): float(nbmeta(c)["points"]) for c in graded_cells(nb)}


def _options(nb, item_id: str) -> str:
    question = next((c for c in nb.cells if gid(c) == f"{item_id}_question"), None)
    if question is None:
        return ""
    return "".join(re.findall(r"^- \*\*([A-Z])\.\*\*", question.source, re.M))


def released_setup(release) -> str | None:
    """The released notebook's setup cell (``use_quiz(...)`` with course, mode and, in an exam,
    the exam's seed), or None."""
    return next((c.source for c in release.cells if gid(c) == "setup"), None)


def right_answers(nb, student: str, setup: str | None = None) -> dict[str, object]:
    """Every item's right answer for ``student``'s variant of the quiz.

    From running the source's own code cells (solutions included) with ``FTROI_STUDENT_ID`` set,
    as the quiz itself picks a student's numbers and, in an exam, option order; never from the
    key. ``setup`` (the released setup cell) replaces the source's, so an exam's seed is used.
    """
    namespace: dict[str, object] = {}
    env = {"NBGRADER_EXECUTION": "autograde", "FTROI_STUDENT_ID": student}  # no widget, no plot
    with mock.patch.dict(os.environ, env), contextlib.redirect_stdout(io.StringIO()):
        for cell in nb.cells:
            if cell.cell_type == "code" and not nbmeta(cell).get("grade"):
                source = setup if setup and gid(cell) == "setup" else cell.source
                exec(compile(source, gid(cell) or "cell", "exec"), namespace)  # noqa: S102
    return {gid(c): namespace[gid(c)] for c in graded_cells(nb)}


def wrong_answers(nb, right: dict[str, object]) -> dict[str, object]:
    """Another option's letter, or the right number 50 % too high (plus one)."""
    out: dict[str, object] = {}
    for item_id, value in right.items():
        letters = _options(nb, item_id)
        if letters and isinstance(value, str):
            out[item_id] = letters[(letters.index(value.strip().upper()) + 1) % len(letters)]
        else:
            out[item_id] = float(value) * 1.5 + 1.0
    return out


@dataclass
class Quiz:
    """One quiz's source, release and points; each student's right and wrong answers."""

    name: str
    source: object
    release: object
    points: dict[str, float]

    @property
    def full(self) -> float:
        return sum(self.points.values())

    def right(self, student: str) -> dict[str, object]:
        return right_answers(self.source, student, released_setup(self.release))

    def wrong(self, student: str) -> dict[str, object]:
        return wrong_answers(self.source, self.right(student))

    def submission(self, profile: str, student: str, prelude: str = ""):
        """The notebook ``student`` hands in when answering as ``profile``.

        ``prelude`` (hostile only) is code run at the top of the first answer cell.
        """
        items = list(self.points)
        if profile == "blank":
            return self._fill({})
        right, wrong = self.right(student), self.wrong(student)
        if profile == "right":
            return self._fill(right)
        if profile == "wrong":
            return self._fill(wrong)
        if profile.startswith("mixed"):
            k = int(profile[5:])
            return self._fill({i: (right if n < k else wrong)[i] for n, i in enumerate(items)})
        if profile == "hostile":
            first, second = items[0], items[1]
            nb = self._fill({**right, first: wrong[first]})
            for cell in nb.cells:
                if gid(cell) == first:
                    cell.source = "assert True  # the test always passes now"
                if gid(cell) == f"{first}_answer" and prelude:
                    cell.source = prelude + "\n" + cell.source
            nb.cells = [c for c in nb.cells if gid(c) != second]
            return nb
        raise ValueError(f"unknown profile {profile!r}")

    def expected(self, profile: str) -> float:
        """The auto-graded score ``profile`` earns, from the source's points."""
        items = list(self.points)
        if profile in ("blank", "wrong"):
            return 0.0
        if profile == "right":
            return self.full
        if profile.startswith("mixed"):
            return sum(self.points[i] for i in items[:int(profile[5:])])
        if profile == "hostile":
            return self.full - self.points[items[0]]
        raise ValueError(f"unknown profile {profile!r}")

    def _fill(self, answers: dict[str, object]):
        nb = nbformat.from_dict(json.loads(json.dumps(self.release)))
        for cell in nb.cells:
            item = (gid(cell) or "").removesuffix("_answer")
            if gid(cell) == f"{item}_answer" and item in answers:
                cell.source = f"{item} = {answers[item]!r}"
        return nb


def load_quiz(course: Path, quiz: str = QUIZ) -> Quiz:
    """A generated quiz of the course at ``course`` (run generate_assignment first)."""
    source = source_nb(quiz, course)
    release = nbformat.read(course / "release" / quiz / f"{quiz}.ipynb", as_version=4)
    return Quiz(quiz, source, release, item_points(source))


def class_profiles(n: int) -> dict[str, str]:
    """``n`` students (ids s01, s02, ...) cycling through every profile; one hostile."""
    cycle = ["right", "wrong", "mixed3", "blank", "mixed5", "right", "mixed1", "wrong"]
    out = {f"s{i + 1:02d}": cycle[i % len(cycle)] for i in range(n)}
    if n >= 4:
        out[f"s{n:02d}"] = "hostile"
    return out


# -- a temporary copy of the course ----------------------------------------------------------


def make_course(dest: Path, timeout_s: int = 10, db_url: str | None = None) -> Path:
    """A copy of quizzes/ (config, instructor package, sources) in ``dest``/quizzes.

    The copy's config gets a short cell timeout and, when given, the gradebook URL.
    """
    course = dest / "quizzes"
    course.mkdir(parents=True)
    shutil.copy(COURSE / "nbgrader_config.py", course / "nbgrader_config.py")
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    shutil.copytree(COURSE / "source", course / "source", ignore=ignore)
    shutil.copytree(COURSE / "ftroi_course", course / "ftroi_course", ignore=ignore)
    for extra in COURSE.glob("*.yml"):  # e.g. autotests.yml, when the course has one
        shutil.copy(extra, course / extra.name)
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as fh:
        fh.write(f"\nc.ExecutePreprocessor.timeout = {timeout_s}  # test copy only\n")
        if db_url:
            fh.write(f"c.CourseDirectory.db_url = {db_url!r}  # test copy only\n")
    return course


def tool_env(**extra: str) -> dict[str, str]:
    """nbgrader shells out to alembic and starts `python` kernels: this venv's bin first."""
    bin_dir = str(Path(sys.executable).parent)
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))
    for name in ("NBGRADER_EXECUTION", "FTROI_DB_URL", "FTROI_EXCHANGE_ROOT", "FTROI_STUDENT_ID",
                 "JUPYTERHUB_USER", "FTROI_QUIZ_MODE"):
        env.pop(name, None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def run(course: Path, *args: str, env: dict[str, str] | None = None,
        timeout: float = 900) -> subprocess.CompletedProcess:
    """Run a command in the course folder; nbgrader and python come from this venv."""
    return subprocess.run(list(args), cwd=course, env=env or tool_env(), capture_output=True,
                          text=True, timeout=timeout)


def submit_locally(course: Path, quiz: Quiz, profiles: dict[str, str]) -> None:
    """Put every student's notebook in submitted/<student>/<quiz>/ (as zip_collect would)."""
    for student, profile in profiles.items():
        folder = course / "submitted" / student / quiz.name
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(quiz.submission(profile, student), folder / f"{quiz.name}.ipynb")


def gradebook_scores(db_url: str, quiz: str, students) -> dict[str, dict[str, float]]:
    """student -> {grade cell id -> score} from the gradebook (auto and manual grades)."""
    from nbgrader.api import Gradebook, MissingEntry

    out: dict[str, dict[str, float]] = {}
    with Gradebook(db_url, "ftroi") as gb:
        for student in students:
            try:
                submission = gb.find_submission_notebook(quiz, quiz, student)
            except MissingEntry:
                continue
            out[student] = {g.name: float(g.score) for g in submission.grades}
    return out


# -- the class benchmarks' results file --------------------------------------------------------

CLASS_RESULTS = ROOT / "benchmarks" / "class_results.json"


def save_class_result(section: str, result: dict, path: Path = CLASS_RESULTS) -> None:
    """Write one benchmark's ``result`` under ``section`` of ``path``, keeping the others.

    benchmarks/grade_class.py writes "grade_class", benchmarks/hub_load.py "hub_load".

    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "r.json"
    >>> save_class_result("a", {"x": 1}, out); save_class_result("b", {"y": 2}, out)
    >>> sorted(json.loads(out.read_text()))
    ['a', 'b']
    """
    data = json.loads(path.read_text()) if path.exists() else {}
    data[section] = result
    path.write_text(json.dumps(data, indent=1) + "\n")


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection it accepts: a submission that
    reaches it got past the sandbox's network namespace (tests/course/test_quizzes.py and
    test_sandbox.py)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits: list[str] = []
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, addr = self.sock.accept()
            except OSError:
                continue
            self.hits.append(str(addr))
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self.thread.join(2)
        self.sock.close()
