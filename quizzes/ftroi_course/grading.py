"""nbgrader preprocessors that release and grade the ftroi quizzes with the key kept outside.

* :class:`ReleaseQuiz` runs first in ``nbgrader generate_assignment``. It writes the course id
  and the quiz mode into the quiz's locked setup cell (``use_quiz(...)``) and, in practice mode
  only, writes ``practice_key.json`` beside the released notebook.
* :class:`KeyedGrades` replaces nbgrader's ``SaveAutoGrades`` in ``nbgrader autograde``. In the
  student's kernel the hidden tests only *record* the answer, as one line of plain data; this
  preprocessor runs in the grading process, reads that line from the grade cell's output,
  compares it with the key for the submitting student's variant, and writes the points to the
  gradebook. Whatever the student's code replaced in its own process (a function, a builtin,
  numpy), the comparison is not there.

The mode comes from ``c.FtroiQuiz.mode`` in the course config; the environment variable
``FTROI_QUIZ_MODE`` (``practice`` or ``exam``) overrides it when set.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import DeduplicateIds, Execute, NbGraderPreprocessor, SaveAutoGrades
from nbgrader.utils import setenv
from traitlets import Enum
from traitlets.config import Configurable

from ftroi_helpers import quiz as q

from . import key

__all__ = ["DeduplicateGradeIds", "FtroiQuiz", "KeyedGrades", "ReleaseQuiz", "StudentExecute",
           "autograde_preprocessors", "generate_preprocessors", "quiz_mode", "sanitize_preprocessors"]

#: The setup cell's call that the release completes with the course id and the mode.
_USE_QUIZ = re.compile(r"use_quiz\(\s*([\"'])(?P<quiz>[a-z0-9_]+)\1\s*\)")


class FtroiQuiz(Configurable):
    """Course-wide settings of the ftroi quizzes (``c.FtroiQuiz.mode`` in the course config)."""

    mode = Enum(list(q.MODES), default_value="practice",
                help="practice: the self-check says right or wrong (and the release carries a "
                     "practice key); exam: the self-check checks only the form of an answer. "
                     "FTROI_QUIZ_MODE overrides this when set.").tag(config=True)


def quiz_mode(config: Any) -> str:
    """The mode in force: ``FTROI_QUIZ_MODE`` when set, else the course config's."""
    raw = os.environ.get("FTROI_QUIZ_MODE", "").strip().lower()
    if raw:
        if raw not in q.MODES:
            raise ValueError(f"FTROI_QUIZ_MODE must be 'practice' or 'exam', got {raw[:40]!r}")
        return raw
    return FtroiQuiz(config=config).mode


def _course_id(config: Any) -> str:
    course = config.CourseDirectory.get("course_id", "") if "CourseDirectory" in config else ""
    return str(course or "ftroi")


class ReleaseQuiz(NbGraderPreprocessor):
    """Complete the setup cell with course and mode; in practice mode, add the practice key."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict):
        quiz = resources["nbgrader"]["assignment"]
        course, mode = _course_id(self.config), quiz_mode(self.config)
        found = False
        for cell in nb.cells:
            if cell.cell_type != "code" or not _USE_QUIZ.search(cell.source):
                continue
            named = _USE_QUIZ.search(cell.source).group("quiz")
            if named != quiz:
                raise ValueError(f"the setup cell of {quiz} calls use_quiz({named!r})")
            cell.source = _USE_QUIZ.sub(
                f"use_quiz({quiz!r}, course={course!r}, mode={mode!r})", cell.source, count=1)
            found = True
        if not found:
            self.log.warning("%s has no use_quiz(...) setup cell: released as it is", quiz)
            return nb, resources
        if mode == "practice":
            body = json.dumps(key.practice_key(course, quiz), indent=1).encode("utf-8")
            resources.setdefault("outputs", {})[q.PRACTICE_KEY_FILE] = body
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
        course = _course_id(self.config)
        if key.is_right(course, quiz, item_id, self.student_id, answer):
            return points, "right"
        return 0.0, "wrong"


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
