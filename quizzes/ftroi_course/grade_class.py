"""Autograde a whole class on every core: ``python -m ftroi_course.grade_class QUIZ``.

Run it from ``quizzes/`` (the course folder), where ``nbgrader autograde QUIZ`` runs::

    export FTROI_DB_URL=postgresql://ftroi:PASSWORD@127.0.0.1:5432/ftroi_gradebook
    python -m ftroi_course.grade_class q1_break_even             # cores + 1 jobs
    python -m ftroi_course.grade_class q1_break_even --jobs 4 --force
    python -m ftroi_course.grade_class q1_break_even --student 'a*'

It grades exactly what ``nbgrader autograde QUIZ`` grades, with the same configuration (the
course's ``nbgrader_config.py``, so the same sandboxed grading pipeline), and leaves the same
files and gradebook entries; only several submissions are graded at once. The driver imports
nbgrader and everything grading needs once (about 3 s) and then forks one short-lived process
per submission, at most ``--jobs`` at a time (default: one more than the cores). Each one runs nbgrader's ``AutogradeApp`` for that student, so each
submission runs in its own kernel, and one submission that crashes its grader cannot take
another student's grade with it. Each submission's log is printed in one block when it is
done, followed by a summary; the exit status is 1 if any submission failed, as with nbgrader.
A fault of the grading environment (exit status 3 from a submission's grader: see
``ftroi_course.sandbox.GradingEnvironmentError``) would fail every submission alike: no more are
started, and the exit status is 3.

The gradebook must take several writers at once: a PostgreSQL gradebook (``FTROI_DB_URL``)
does. SQLite takes one writer at a time, so with the default SQLite gradebook the driver grades
one submission at a time, and refuses ``--jobs`` above 1 rather than risk losing grades.

After grading, every submission graded without error must have its entry in the gradebook;
one that has not is reported as lost (exit status 1).
"""

from __future__ import annotations

import argparse
import fnmatch
import glob
import multiprocessing
import multiprocessing.connection
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["ClassResult", "choose_jobs", "cores", "default_jobs", "grade_class", "main", "parallel_safe",
           "warm_up"]

#: A submission's grader exits with this when the grading environment is at fault (the same as
#: ``ftroi_course.sandbox.ENVIRONMENT_FAULT_STATUS``, without importing the sandbox here).
ENVIRONMENT_FAULT_STATUS = 3

SQLITE_REFUSAL = (
    "parallel grading needs a gradebook that takes several writers at once, and this course "
    "uses SQLite ({url}), which takes one at a time. Set FTROI_DB_URL to a PostgreSQL "
    "gradebook (postgresql://user:password@host:port/database; see quizzes/README.md), or run "
    "with --jobs 1."
)


def parallel_safe(db_url: str) -> bool:
    """Whether several processes may write to the gradebook at ``db_url`` at once.

    >>> parallel_safe("sqlite:///quizzes/gradebook.db"), parallel_safe("postgresql://h/db")
    (False, True)
    """
    return not db_url.startswith("sqlite")


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def default_jobs(n_cores: int | None = None) -> int:
    """Submissions graded at once by default: one more than the cores.

    Grading one submission keeps about three quarters of a core busy (the grader waits for its
    kernel to start, run and stop, and the kernel waits for the grader): measured 0.75 cores
    for nbgrader's serial autograde on the 2-core development machine. One job per core would
    leave a quarter of every core idle; one more job fills it (benchmarks/README.md, a class of
    40 on 2 cores: 2 jobs 1.80x serial, 3 jobs 1.91x).

    >>> default_jobs(2), default_jobs(1), default_jobs(16)
    (3, 2, 17)
    """
    return (cores() if n_cores is None else n_cores) + 1


def choose_jobs(requested: int | None, db_url: str) -> int:
    """How many submissions to grade at once.

    ``None`` means :func:`default_jobs` (one more than the cores), or 1 with a SQLite
    gradebook.

    Raises
    ------
    ValueError
        When ``requested`` is below 1, or above 1 with a SQLite gradebook.

    Examples
    --------
    >>> choose_jobs(None, "sqlite:///gradebook.db"), choose_jobs(3, "postgresql://h/db")
    (1, 3)
    """
    if requested is None:
        return default_jobs() if parallel_safe(db_url) else 1
    if requested < 1:
        raise ValueError(f"jobs must be >= 1, got {requested}")
    if requested > 1 and not parallel_safe(db_url):
        raise ValueError(SQLITE_REFUSAL.format(url=db_url))
    return requested


@dataclass
class ClassResult:
    """What one run graded: students graded, failed and lost, and how long it took."""

    quiz: str
    jobs: int
    graded: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    seconds: float = 0.0
    #: The student whose grading hit a fault of the grading environment (then no more started).
    stopped_at: str | None = None
    not_started: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed and not self.lost


def _autograde_app(quiz: str, student: str | None, extra: list[str]):
    from nbgrader.apps.autogradeapp import AutogradeApp

    app = AutogradeApp()
    argv = [quiz, *extra]
    if student is not None:
        argv += ["--student", glob.escape(student)]
    app.initialize(argv)
    return app


#: Modules nbgrader's autograde imports only once it grades a first submission: the kernel's
#: spec, the key's maths (ftroi_helpers), the exchange plugin. Imported once in the driver,
#: each forked grader starts with them, and with nbformat's compiled schema (together about
#: 0.7 s of each submission's 2.3 s otherwise: benchmarks/README.md).
WARM_MODULES = (
    "IPython.core.completer", "ipykernel.kernelspec", "ipykernel.connect", "codeop",
    "nbclient.client", "jupyter_client.manager", "zmq.asyncio", "jsonschema",
    "nbconvert.exporters.notebook", "nbgrader.preprocessors", "nbgrader.converters.autograde",
    "ftroi_helpers.breakeven", "ftroi_helpers.token_costs", "ftroi_helpers.prices",
    "ftroi_course.grading", "ftroi_course.sandbox", "ftroi_course.exchange", "ftroi_course.key",
)


def warm_up(modules: tuple[str, ...] = WARM_MODULES) -> list[str]:
    """Import ``modules`` now, in the driver, so that no forked grader imports them again.

    Returns the modules that could not be imported (a course without one of its parts still
    grades; that child just imports less). Grading is unchanged: only import time moves.

    >>> warm_up(("json", "no_such_module_here"))
    ['no_such_module_here']
    """
    import importlib

    missing = []
    for name in modules:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    try:  # nbformat compiles its JSON schema once per process: once here, not once per child
        from nbformat import current_nbformat, current_nbformat_minor
        from nbformat.validator import get_validator

        for minor in range(current_nbformat_minor + 1):
            for relax in (False, True):
                get_validator(current_nbformat, minor, relax_add_props=relax)
    except Exception:  # noqa: BLE001 - warming is an optimisation, never a reason to fail
        pass
    return missing


def _grade_one(quiz: str, student: str, extra: list[str], log_path: str) -> None:
    """Child process: autograde one student's submission, logging to ``log_path``."""
    fd = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    app = _autograde_app(quiz, student, extra)
    # The gradebook URL (with its password) is in the loaded config now: keep it out of the
    # environment that the submission's kernel inherits.
    os.environ.pop("FTROI_DB_URL", None)
    app.start()  # raises SystemExit(1) when the submission could not be graded


def _students(coursedir, quiz: str, pattern: str) -> list[str]:
    """Students with a submitted folder for ``quiz`` (honouring CourseDirectory filters)."""
    found = glob.glob(coursedir.format_path(coursedir.submitted_directory, "*", quiz))
    base = Path(coursedir.format_path(coursedir.submitted_directory, "X", quiz))
    depth = len(base.parts)
    index = base.parts.index("X")
    excluded = {s.strip() for s in coursedir.student_id_exclude.split(",") if s.strip()}
    students = []
    for path in found:
        parts = Path(path).parts
        if len(parts) != depth or not os.path.isdir(path):
            continue
        student = parts[index]
        if fnmatch.fnmatchcase(student, pattern) and student not in excluded:
            students.append(student)
    return sorted(students)


def _print_block(student: str, status: str, seconds: float, log_path: str) -> None:
    text = Path(log_path).read_text(encoding="utf-8", errors="replace")
    print(f"--- {student}: {status} in {seconds:.1f} s", flush=True)
    if text.strip():
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()


def grade_class(quiz: str, jobs: int | None = None, student_glob: str = "*",
                extra: list[str] | None = None, quiet: bool = False) -> ClassResult:
    """Autograde every submission of ``quiz`` from the current course folder.

    Parameters
    ----------
    quiz : str
        The assignment id, as for ``nbgrader autograde``.
    jobs : int or None
        Submissions graded at once; None picks one more than the cores (one with a SQLite
        gradebook).
    student_glob : str
        Only students whose id matches this glob.
    extra : list of str
        More ``nbgrader autograde`` options for every submission (e.g. ``["--force"]``).
    quiet : bool
        Do not print each submission's log.

    Returns
    -------
    ClassResult

    Raises
    ------
    ValueError
        When ``jobs`` is below 1, or above 1 with a SQLite gradebook; when the quiz is not in
        the gradebook (run ``nbgrader generate_assignment`` first).
    """
    extra = list(extra or [])
    probe = _autograde_app(quiz, None, extra)
    coursedir = probe.coursedir
    db_url = coursedir.db_url
    jobs = choose_jobs(jobs, db_url)

    from nbgrader.api import Gradebook, MissingEntry

    students = _students(coursedir, quiz, student_glob)
    # The gradebook's tables, course and students exist before any child opens it, so that no
    # two children race to create them.
    with Gradebook(db_url, coursedir.course_id) as gb:
        try:
            gb.find_assignment(quiz)
        except MissingEntry:
            raise ValueError(f"quiz {quiz!r} is not in the gradebook ({db_url}): run "
                             f"`nbgrader generate_assignment {quiz}` first") from None
        for student in students:
            gb.update_or_create_student(student)

    warm_up()
    result = ClassResult(quiz=quiz, jobs=jobs)
    start = time.perf_counter()
    ctx = multiprocessing.get_context("fork")
    pending = list(reversed(students))
    running: dict[int, tuple[multiprocessing.Process, str, float, str]] = {}
    with tempfile.TemporaryDirectory(prefix="ftroi-grade-") as logs:
        while pending or running:
            while pending and len(running) < jobs:
                student = pending.pop()
                log_path = os.path.join(logs, f"{len(pending)}.log")
                proc = ctx.Process(target=_grade_one, args=(quiz, student, extra, log_path),
                                   name=f"grade-{student}")
                proc.start()
                running[proc.sentinel] = (proc, student, time.perf_counter(), log_path)
            for sentinel in multiprocessing.connection.wait(list(running)):
                proc, student, began, log_path = running.pop(sentinel)
                proc.join()
                ok = proc.exitcode == 0
                (result.graded if ok else result.failed).append(student)
                if proc.exitcode == ENVIRONMENT_FAULT_STATUS and result.stopped_at is None:
                    result.stopped_at = student
                    result.not_started = sorted(pending)
                    pending.clear()
                if not quiet:
                    status = "graded" if ok else f"FAILED (exit code {proc.exitcode})"
                    _print_block(student, status, time.perf_counter() - began, log_path)
    result.seconds = time.perf_counter() - start

    with Gradebook(db_url, coursedir.course_id) as gb:
        for student in result.graded:
            try:
                gb.find_submission(quiz, student)
            except MissingEntry:
                result.lost.append(student)
    result.graded.sort()
    result.failed.sort()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ftroi_course.grade_class",
        description="Autograde every submission of a quiz, several at once (run from quizzes/).",
        epilog="Other options (e.g. --force, --no-execute) are passed to nbgrader autograde.",
    )
    parser.add_argument("quiz", help="the assignment id, e.g. q1_break_even")
    parser.add_argument("--jobs", "-j", default="auto",
                        help="submissions graded at once: a number, or 'auto' (one more than "
                             "the cores; 1 with a SQLite gradebook). Default: auto")
    parser.add_argument("--student", default="*", help="only students matching this glob")
    args, extra = parser.parse_known_args(argv)
    if args.jobs == "auto":
        jobs = None
    else:
        try:
            jobs = int(args.jobs)
        except ValueError:
            parser.error(f"--jobs must be a whole number or 'auto', got {args.jobs!r}")
    try:
        result = grade_class(args.quiz, jobs=jobs, student_glob=args.student, extra=extra)
    except ValueError as exc:
        print(f"grade_class: error: {exc}", file=sys.stderr)
        return 2
    total = len(result.graded) + len(result.failed)
    print(f"Autograded {len(result.graded)} of {total} submissions of {result.quiz} in "
          f"{result.seconds:.1f} s with {result.jobs} job(s).")
    if result.failed:
        print(f"Could not grade: {', '.join(result.failed)} (see their logs above).")
    if result.lost:
        print(f"LOST: graded but missing from the gradebook: {', '.join(result.lost)}.")
    if result.stopped_at is not None:
        print(f"Grading stopped at {result.stopped_at} on a fault of the grading environment "
              f"(see its log above); not started: {', '.join(result.not_started) or 'none'}.")
        return ENVIRONMENT_FAULT_STATUS
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
