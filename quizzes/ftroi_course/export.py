"""A Canvas-style gradebook CSV from the stock ``nbgrader export``.

Run from ``quizzes/``::

    nbgrader export --exporter=ftroi_course.export.CanvasExportPlugin --to=canvas.csv
    nbgrader export --exporter=ftroi_course.export.CanvasExportPlugin --assignment=q1_break_even

The file has Canvas's gradebook layout: the identity columns ``Student``, ``ID``,
``SIS User ID``, ``SIS Login ID`` and ``Section``, then one column per quiz, named after the
quiz. The second row is ``Points Possible`` with each quiz's maximum score; then one row per
student in the gradebook, sorted by student id. Canvas's gradebook import matches a row to a
student by ``ID``, ``SIS User ID`` or ``SIS Login ID``; the nbgrader student id goes in the
column named by ``CanvasExportPlugin.id_column`` (default ``SIS Login ID``: on a hub, the login
name). A column named after a quiz Canvas does not have yet becomes a new assignment on import.

A score is nbgrader's ``score`` (auto-graded plus manual points, minus any late penalty, at
least 0), with at most two decimals; a student who handed in nothing gets 0, as in nbgrader's
own CSV.
"""

from __future__ import annotations

import csv

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin
from traitlets import Enum, Unicode

__all__ = ["CanvasExportPlugin", "IDENTITY_COLUMNS", "format_points"]

IDENTITY_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def format_points(points: float) -> str:
    """A score as Canvas takes it: at most two decimals, no trailing zeros.

    >>> [format_points(x) for x in (3.0, 2.5, 1 / 3, 0.0)]
    ['3', '2.5', '0.33', '0']
    """
    text = f"{round(float(points), 2):.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


class CanvasExportPlugin(ExportPlugin):
    """Export the gradebook as a Canvas gradebook CSV (one column per quiz)."""

    id_column = Enum(
        ["SIS Login ID", "SIS User ID", "ID"], default_value="SIS Login ID",
        help="The Canvas column that receives the nbgrader student id.",
    ).tag(config=True)

    section = Unicode("", help="The value of the Section column for every student.").tag(
        config=True)

    def export(self, gradebook: Gradebook) -> None:
        dest = self.to or "canvas_grades.csv"
        wanted_quizzes = [str(a) for a in self.assignment]
        wanted_students = [str(s) for s in self.student]
        quizzes = sorted((a for a in gradebook.assignments
                          if not wanted_quizzes or a.name in wanted_quizzes),
                         key=lambda a: a.name)
        students = sorted((s for s in gradebook.students
                           if not wanted_students or s.id in wanted_students),
                          key=lambda s: s.id)
        self.log.info("Exporting a Canvas gradebook of %d students and %d quizzes to %s",
                      len(students), len(quizzes), dest)

        with open(dest, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(IDENTITY_COLUMNS + [q.name for q in quizzes])
            writer.writerow(["Points Possible", "", "", "", ""]
                            + [format_points(q.max_score) for q in quizzes])
            for student in students:
                identity = dict.fromkeys(IDENTITY_COLUMNS, "")
                if student.last_name or student.first_name:
                    identity["Student"] = ", ".join(
                        p for p in (student.last_name, student.first_name) if p)
                else:
                    identity["Student"] = student.id
                identity[self.id_column] = student.id
                identity["Section"] = self.section
                scores = []
                for quiz in quizzes:
                    try:
                        submission = gradebook.find_submission(quiz.name, student.id)
                    except MissingEntry:
                        scores.append(format_points(0))
                        continue
                    penalty = submission.late_submission_penalty or 0.0
                    scores.append(format_points(max(0.0, submission.score - penalty)))
                writer.writerow([identity[c] for c in IDENTITY_COLUMNS] + scores)
