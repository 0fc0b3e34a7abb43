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

:class:`SafeCsvExportPlugin` is nbgrader's own CSV (``grades.csv``, same columns and numbers),
written with proper quoting; the course config makes it ``nbgrader export``'s default.

In both files, no cell is a formula: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a
tab or a carriage return gets a leading ``'`` (OWASP's CSV-injection rule), so a student id such
as ``=HYPERLINK(...)`` stays text in a spreadsheet (:func:`csv_cell`). Score columns are written
from numbers and stay numbers, negative ones included; a text student id such as ``-1`` is
neutralised like any other text. A row that cannot be computed is logged with the student's id
and left out; the others are written.
"""

from __future__ import annotations

import csv
import math

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin
from traitlets import Enum, Unicode

__all__ = ["CSV_COLUMNS", "CanvasExportPlugin", "IDENTITY_COLUMNS", "SafeCsvExportPlugin",
           "csv_cell", "format_points"]

IDENTITY_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
#: nbgrader's CSV columns; the last four hold numbers.
CSV_COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name",
               "email", "raw_score", "late_submission_penalty", "score", "max_score"]
_NUMERIC_CSV_COLUMNS = {"raw_score", "late_submission_penalty", "score", "max_score"}
#: What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return math.isfinite(value)
    try:
        return math.isfinite(float(str(value)))
    except ValueError:
        return False


def csv_cell(value: object, numeric: bool = False) -> object:
    """``value`` as a CSV cell no spreadsheet evaluates.

    Parameters
    ----------
    value : object
        The cell's value (None is an empty cell).
    numeric : bool
        Whether the column holds numbers: a finite number there is written as it is, negative
        or not. Anything else (text, or text in a numeric column) that starts with ``=``, ``+``,
        ``-``, ``@``, a tab or a carriage return gets a leading ``'``.

    >>> csv_cell("=HYPERLINK(A1)"), csv_cell("-1"), csv_cell("@x"), csv_cell("alice")
    ("'=HYPERLINK(A1)", "'-1", "'@x", 'alice')
    >>> csv_cell(-2.5, numeric=True), csv_cell("-2.5", numeric=True), csv_cell("-2.5")
    (-2.5, '-2.5', "'-2.5")
    >>> csv_cell("=1+1", numeric=True), csv_cell(None)
    ("'=1+1", '')
    """
    if value is None:
        return ""
    if numeric and _is_number(value):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


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
            writer.writerow([csv_cell(c) for c in IDENTITY_COLUMNS + [q.name for q in quizzes]])
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
                writer.writerow([csv_cell(identity[c]) for c in IDENTITY_COLUMNS]
                                + [csv_cell(x, numeric=True) for x in scores])


class SafeCsvExportPlugin(ExportPlugin):
    """nbgrader's CSV export (same file, columns and numbers), quoted and formula-free."""

    def export(self, gradebook: Gradebook) -> None:
        dest = self.to or "grades.csv"
        wanted_quizzes = [str(a) for a in self.assignment]
        wanted_students = [str(s) for s in self.student]
        self.log.info("Exporting grades to %s", dest)
        failed = []
        with open(dest, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(CSV_COLUMNS)
            for quiz in gradebook.assignments:
                if wanted_quizzes and quiz.name not in wanted_quizzes:
                    continue
                for student in gradebook.students:
                    if wanted_students and student.id not in wanted_students:
                        continue
                    try:
                        row = self._row(gradebook, quiz, student)
                    except Exception as exc:  # noqa: BLE001 - one bad row must not stop export
                        failed.append(student.id)
                        self.log.error("student %s, %s: not exported: %s", student.id,
                                       quiz.name, exc)
                        continue
                    writer.writerow([csv_cell(row[c], numeric=c in _NUMERIC_CSV_COLUMNS)
                                     for c in CSV_COLUMNS])
        if failed:
            self.log.error("Rows left out of %s (see above): %s", dest, ", ".join(failed))

    @staticmethod
    def _row(gradebook: Gradebook, quiz, student) -> dict:
        """One student's row for one quiz, as nbgrader's CsvExportPlugin computes it."""
        row = {"assignment": quiz.name, "duedate": quiz.duedate, "student_id": student.id,
               "last_name": student.last_name, "first_name": student.first_name,
               "email": student.email, "max_score": float(quiz.max_score)}
        try:
            submission = gradebook.find_submission(quiz.name, student.id)
        except MissingEntry:
            row.update(timestamp="", raw_score=0.0, late_submission_penalty=0.0, score=0.0)
        else:
            penalty = float(submission.late_submission_penalty or 0.0)
            row.update(timestamp=submission.timestamp, raw_score=float(submission.score),
                       late_submission_penalty=penalty,
                       score=max(0.0, float(submission.score) - penalty))
        return row
