"""nbgrader preprocessors that release and grade the ftroi quizzes with the key kept outside.

* :class:`ReleaseQuiz` runs first in ``nbgrader generate_assignment``. It writes the course id
  and the quiz mode into the quiz's locked setup cell (``use_quiz(...)``). In practice mode it
  writes ``practice_key.json`` beside the released notebook. In exam mode it writes the exam's
  seed (from the course secret, made on first use) into the setup cell, and puts each
  multiple-choice item's options into a locked ``choices(...)`` cell that shows every student
  their own order.
* :class:`KeyedGrades` replaces nbgrader's ``SaveAutoGrades`` in ``nbgrader autograde``. In the
  student's kernel the hidden tests only *record* the answer, as one line of plain data; this
  preprocessor runs in the grading process, reads that line from the grade cell's output,
  compares it with the key for the submitting student's variant, and writes the points to the
  gradebook. Whatever the student's code replaced in its own process (a function, a builtin,
  numpy), the comparison is not there. The mode and seed it grades with are the ones the quiz
  was released with (the gradebook's copy of the setup cell), checked against the course secret.

The mode comes from ``c.FtroiQuiz.mode`` in the course config; the environment variable
``FTROI_QUIZ_MODE`` (``practice`` or ``exam``) overrides it when set.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import nbformat
from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import DeduplicateIds, Execute, NbGraderPreprocessor, SaveAutoGrades
from nbgrader.utils import setenv
from traitlets import Enum, Unicode
from traitlets.config import Configurable

from ftroi_helpers import quiz as q

from . import key

__all__ = ["DeduplicateGradeIds", "FtroiQuiz", "KeyedGrades", "ReleaseQuiz", "StudentExecute",
           "autograde_preprocessors", "course_id", "generate_preprocessors", "quiz_mode",
           "released_setup", "sanitize_preprocessors", "secret_path"]

#: The setup cell's call that the release completes with the course id and the mode.
_USE_QUIZ = re.compile(r"use_quiz\(\s*([\"'])(?P<quiz>[a-z0-9_]+)\1\s*\)")
#: The released setup cell's call: its mode and, in an exam, its seed.
_RELEASED = re.compile(r"use_quiz\((?P<args>[^)]*)\)")
#: A multiple-choice option in a question's markdown: ``- **A.** text``.
_OPTION = re.compile(r"^\s*[-*]\s+\*\*([A-Z])\.\*\*\s+(.+?)\s*$", re.M)


class FtroiQuiz(Configurable):
    """Course-wide settings of the ftroi quizzes (``c.FtroiQuiz.mode`` in the course config)."""

    mode = Enum(list(q.MODES), default_value="practice",
                help="practice: the self-check says right or wrong (and the release carries a "
                     "practice key); exam: the self-check checks only the form of an answer. "
                     "FTROI_QUIZ_MODE overrides this when set.").tag(config=True)
    secret_file = Unicode(
        key.SECRET_FILE,
        help="The course secret that keys exam variants and option orders (relative to the "
             "course root). Made on the first exam release (mode 0600); git-ignored; back it "
             "up: exams released with it cannot be graded without it.").tag(config=True)


def quiz_mode(config: Any) -> str:
    """The mode in force: ``FTROI_QUIZ_MODE`` when set, else the course config's."""
    raw = os.environ.get("FTROI_QUIZ_MODE", "").strip().lower()
    if raw:
        if raw not in q.MODES:
            raise ValueError(f"FTROI_QUIZ_MODE must be 'practice' or 'exam', got {raw[:40]!r}")
        return raw
    return FtroiQuiz(config=config).mode


def course_id(config: Any) -> str:
    """The course id from the config (``ftroi`` if unset)."""
    course = config.CourseDirectory.get("course_id", "") if "CourseDirectory" in config else ""
    return str(course or "ftroi")


_course_id = course_id


def secret_path(config: Any) -> Path:
    """Where the course secret lives: ``c.FtroiQuiz.secret_file``, relative to the course root."""
    root = config.CourseDirectory.get("root", "") if "CourseDirectory" in config else ""
    return Path(root or os.getcwd()) / FtroiQuiz(config=config).secret_file


def released_setup(source: str) -> tuple[str | None, str | None]:
    """(mode, seed) from a released setup cell's ``use_quiz(...)`` call (None where unsaid)."""
    found = _RELEASED.search(source or "")
    args = found.group("args") if found else ""
    mode = re.search(r"mode\s*=\s*['\"](\w+)['\"]", args)
    seed = re.search(r"seed\s*=\s*['\"]([0-9a-f]{64})['\"]", args)
    return (mode.group(1) if mode else None), (seed.group(1) if seed else None)


def _exam_choices(nb: NotebookNode, quiz: str) -> int:
    """Exam release: each multiple-choice question's options move from its markdown into a
    locked ``choices(...)`` cell below it, which shows every student their own order."""
    moved = 0
    for index in range(len(nb.cells) - 1, -1, -1):
        cell = nb.cells[index]
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
        item = grade_id.removesuffix("_question")
        if cell.cell_type != "markdown" or item == grade_id:
            continue
        try:
            info = q.item_info(quiz, item)
        except ValueError:
            continue
        options = dict(_OPTION.findall(cell.source))
        if info["kind"] != "choice" or sorted(options) != sorted(info["options"]):
            continue
        texts = [options[letter] for letter in info["options"]]
        cell.source = (_OPTION.sub("", cell.source).rstrip() + "\n\nThe options are in the "
                       "cell below, in your own order (every student's order differs): answer "
                       "with the letter you see there.")
        listed = "".join(f"    {text!r},\n" for text in texts)
        shown = nbformat.v4.new_code_cell(f"choices({item!r}, [\n{listed}])")
        shown.id = f"{item}-choices"[:64]
        shown.metadata["nbgrader"] = {"grade": False, "grade_id": f"{item}_choices",
                                      "locked": True, "schema_version": 3, "solution": False,
                                      "task": False}
        nb.cells.insert(index + 1, shown)
        moved += 1
    return moved


class ReleaseQuiz(NbGraderPreprocessor):
    """Complete the setup cell with course and mode; in practice mode, add the practice key;
    in an exam, add the exam's seed and each student's own option order."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict):
        quiz = resources["nbgrader"]["assignment"]
        course, mode = course_id(self.config), quiz_mode(self.config)
        setup = [c for c in nb.cells if c.cell_type == "code" and _USE_QUIZ.search(c.source)]
        if not setup:
            self.log.warning("%s has no use_quiz(...) setup cell: released as it is", quiz)
            return nb, resources
        extra = ""
        if mode == "exam":
            path = secret_path(self.config)
            made = not path.exists()
            seed = key.exam_seed(key.load_secret(path, create=True), course, quiz)
            if made:
                self.log.warning("Made the course secret %s (mode 0600). Back it up: exams "
                                 "released with it cannot be graded without it.", path)
            extra = f", seed={seed!r}"
        for cell in setup:
            named = _USE_QUIZ.search(cell.source).group("quiz")
            if named != quiz:
                raise ValueError(f"the setup cell of {quiz} calls use_quiz({named!r})")
            cell.source = _USE_QUIZ.sub(
                f"use_quiz({quiz!r}, course={course!r}, mode={mode!r}{extra})", cell.source,
                count=1)
        if mode == "practice":
            body = json.dumps(key.practice_key(course, quiz), indent=1).encode("utf-8")
            resources.setdefault("outputs", {})[q.PRACTICE_KEY_FILE] = body
        else:
            _exam_choices(nb, quiz)
        self.log.info("Released %s for course %s in %s mode", quiz, course, mode)
        return nb, resources


class DeduplicateGradeIds(DeduplicateIds):
    """nbgrader's DeduplicateIds, made safe for the rest of the pipeline.

    nbgrader keeps the last cell with a given grade id and empties the others' ``nbgrader``
    metadata; its OverwriteCells then fails on the emptied metadata (KeyError: 'grade_id') and
    the whole submission scores 0. Removing the metadata instead keeps the honest outcome: the
    duplicate is an ordinary cell, and the kept cell is graded.
    """

    def preprocess_cell(self, cell: NotebookNode, resources: ResourcesDict, cell_index: int):
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if cell.metadata.get("nbgrader") == {}:
            del cell.metadata["nbgrader"]
        return cell, resources


class StudentExecute(Execute):
    """nbgrader's Execute with ``FTROI_STUDENT_ID`` set to the submitting student's id, so the
    kernel re-creates that student's variant. (Not sandboxed: see ``sandbox.SandboxedExecute``.)
    """

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict, km: Any = None):
        with setenv(FTROI_STUDENT_ID=resources["nbgrader"]["student"]):
            return super().preprocess(nb, resources, km=km)


class KeyedGrades(SaveAutoGrades):
    """Grade each keyed item from the answer its hidden test recorded, outside the kernel."""

    _seed: str | None = None

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict):
        try:
            self._seed = self._released_seed(resources)
        except (OSError, ValueError) as exc:
            raise self._environment_fault(resources, str(exc)) from exc
        return super().preprocess(nb, resources)

    def _environment_fault(self, resources: ResourcesDict, what: str):
        """Stop grading on a fault of the course (its secret), not of the submission: remove this
        student's half-made results (autograded folder, unscored gradebook entry), never a 0."""
        from nbgrader.api import Gradebook, MissingEntry

        from .sandbox import GradingEnvironmentError

        info = resources["nbgrader"]
        message = (f"Grading stopped at {info['student']}, on a fault of the course, not of the "
                   f"submission: {what}. No score was recorded for {info['student']}.")
        self.log.error(message)
        folder = Path(resources.get("metadata", {}).get("path") or "")
        if folder.name == info["assignment"] and folder.parent.name == info["student"]:
            shutil.rmtree(folder, ignore_errors=True)
        try:
            with Gradebook(info["db_url"]) as gb:
                submission = gb.find_submission(info["assignment"], info["student"])
                grades = [g for n in submission.notebooks for g in n.grades]
                if all(g.auto_score is None and g.manual_score is None for g in grades):
                    gb.remove_submission(info["assignment"], info["student"])
        except MissingEntry:
            pass
        return GradingEnvironmentError(message)

    def _released_seed(self, resources: ResourcesDict) -> str | None:
        """The seed of the exam as it was released (None: practice), checked against the
        course secret: a missing or changed secret stops grading, never gives zeros."""
        from nbgrader.api import Gradebook

        quiz = resources["nbgrader"]["assignment"]
        notebook = resources["nbgrader"]["notebook"]
        with Gradebook(resources["nbgrader"]["db_url"]) as gb:
            cells = gb.find_notebook(notebook, quiz).source_cells
            sources = [c.source for c in cells if _USE_QUIZ.search(c.source or "")
                       or _RELEASED.search(c.source or "")]
        modes = {released_setup(text) for text in sources}
        mode, seed = next(iter(modes)) if len(modes) == 1 else (None, None)
        if mode != "exam":
            return None
        path = secret_path(self.config)
        secret = key.load_secret(path)  # FileNotFoundError names the file and the backup
        if seed is None or key.exam_seed(secret, course_id(self.config), quiz) != seed:
            raise ValueError(
                f"{quiz} was released as an exam with another course secret than {path}: "
                "restore the secret it was released with (your backup), then grade again")
        return seed

    def _add_score(self, cell: NotebookNode, resources: ResourcesDict) -> None:
        quiz = resources["nbgrader"]["assignment"]
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        keyed = q.quiz_items()["quizzes"].get(quiz, {}).get("items", {})
        if grade_id not in keyed:
            super()._add_score(cell, resources)
            return
        grade = self.gradebook.find_grade(grade_id, self.notebook_id, self.assignment_id,
                                          self.student_id)
        score, reason = self._score(quiz, grade_id, cell, float(grade.max_score))
        grade.auto_score = score
        grade.needs_manual_grade = grade.manual_score is not None
        self.gradebook.db.commit()
        self.log.info("%s %s %s: %s -> %g of %g points", self.student_id, quiz, grade_id, reason,
                      score, grade.max_score)

    def _score(self, quiz: str, item_id: str, cell: NotebookNode,
               points: float) -> tuple[float, str]:
        text = "".join(out.get("text", "") for out in cell.get("outputs", [])
                       if out.get("output_type") == "stream" and out.get("name") == "stdout")
        records = q.parse_records(text, item_id)
        if not records:
            return 0.0, "no answer recorded (answer cell missing, moved, changed or failing)"
        if len({json.dumps(r) for r in records}) > 1:
            return 0.0, f"{len(records)} different answers recorded: only one counts"
        answer = records[0]
        if answer is None:
            return 0.0, "the answer is not a finite number or a letter"
        course = course_id(self.config)
        if key.is_right(course, quiz, item_id, self.student_id, answer, self._seed):
            return points, "right"
        return 0.0, f"wrong (answered {answer!r})"


def generate_preprocessors() -> list[type]:
    """``nbgrader generate_assignment``'s pipeline with :class:`ReleaseQuiz` first."""
    from nbgrader.converters import GenerateAssignment

    return [ReleaseQuiz, *GenerateAssignment.class_traits()["preprocessors"].default()]


def sanitize_preprocessors() -> list[type]:
    """``nbgrader autograde``'s sanitizing pipeline with :class:`DeduplicateGradeIds`."""
    from nbgrader.converters import Autograde

    default = Autograde.class_traits()["sanitize_preprocessors"].default()
    return [DeduplicateGradeIds if p is DeduplicateIds else p for p in default]


def autograde_preprocessors(execute: type | None = None) -> list[type]:
    """``nbgrader autograde``'s pipeline with :class:`KeyedGrades` instead of SaveAutoGrades,
    and, when given, ``execute`` (the sandbox) instead of nbgrader's Execute."""
    from nbgrader.converters import Autograde

    swap: dict[type, type] = {SaveAutoGrades: KeyedGrades, Execute: execute or StudentExecute}
    default = Autograde.class_traits()["autograde_preprocessors"].default()
    return [swap.get(p, p) for p in default]
