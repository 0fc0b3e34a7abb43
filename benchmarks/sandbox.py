#!/usr/bin/env python
"""Benchmark for issue 10: what the autograding sandbox costs, in seconds per submission.

    .venv/bin/python benchmarks/sandbox.py            # a class of 20, 3 rounds (about 5 min)
    .venv/bin/python benchmarks/sandbox.py --quick    # 1 student, 1 round: checks the script
    .venv/bin/python benchmarks/sandbox.py --json     # also print the figures as JSON

A temporary copy of ``quizzes/`` grades a class of 20 submissions of ``q1_break_even`` (every
other student answers with the source's solutions, the others hand in the release as it came)
with one ``nbgrader autograde --force`` call, twice per round: once with the course's own
pipeline (``SandboxedExecute``: each kernel inside bubblewrap) and once with the same pipeline
minus the sandbox (``grading.StudentExecute``: nbgrader's ``Execute`` with ``FTROI_STUDENT_ID``
set). The two alternate, and which goes first alternates too, so a change in the machine's load
hits both alike. Each call's wall time, divided by the class size, is seconds per submission
(nbgrader's start-up included, as an instructor waits for it); the medians over the rounds are
compared. Target: sandboxed <= 1.3 x unsandboxed. Timings depend on the machine's load: the
load average is printed with them; measure on a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUIZ = "q1_break_even"
TARGET = 1.3
UNSANDBOXED = """
# benchmark copy only: the same pipeline without the sandbox
c.Autograde.autograde_preprocessors = autograde_preprocessors()
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)  # nbgrader shells out to alembic: the venv's bin/ first on PATH
    env.pop("FTROI_DB_URL", None)  # each copy grades into its own SQLite gradebook
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    return env


def _nbgrader(course: Path, *args: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args, "--log-level=ERROR"],
                          cwd=course, env=_env(), capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed in {course}:\n"
                           f"{done.stderr[-3000:]}")
    return seconds


def _answered(release, source):
    """The release notebook with every answer cell replaced by the source's solution."""
    solutions = {}
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            solutions[meta.get("grade_id")] = "\n".join(
                line for line in cell.source.splitlines()
                if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
    for cell in release.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in solutions:
            cell.source = solutions[gid]
    return release


def make_courses(tmp: Path, students: int) -> dict[str, Path]:
    """Two copies of quizzes/ (sandboxed, unsandboxed) with ``students`` submissions each."""
    import nbformat

    course = tmp / "sandboxed"
    shutil.copytree(ROOT / "quizzes", course, ignore=shutil.ignore_patterns(
        "release", "submitted", "autograded", "feedback", "downloaded", "gradebook.db",
        ".ipynb_checkpoints", "__pycache__"))
    _nbgrader(course, "generate_assignment", QUIZ, "--force")
    release = course / "release" / QUIZ / f"{QUIZ}.ipynb"
    source = nbformat.read(course / "source" / QUIZ / f"{QUIZ}.ipynb", as_version=4)
    for i in range(students):
        nb = nbformat.read(release, as_version=4)
        if i % 2 == 0:
            nb = _answered(nb, source)
        folder = course / "submitted" / f"s{i + 1:02d}" / QUIZ
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{QUIZ}.ipynb")
    plain = shutil.copytree(course, tmp / "unsandboxed")  # its own gradebook (path in config)
    with (plain / "nbgrader_config.py").open("a", encoding="utf-8") as fh:
        fh.write(UNSANDBOXED)
    return {"sandboxed": course, "unsandboxed": plain}


def measure(students: int, rounds: int) -> dict[str, object]:
    """Seconds per submission, sandboxed and not, over ``rounds`` alternating rounds."""
    sys.path.insert(0, str(ROOT / "quizzes"))
    from ftroi_course.sandbox import find_bwrap, probe_sandbox

    problem = probe_sandbox(find_bwrap())
    if problem:
        raise SystemExit(f"no sandbox on this machine, nothing to compare: {problem}")
    per = {"sandboxed": [], "unsandboxed": []}
    with tempfile.TemporaryDirectory(prefix="ftroi-bench-sandbox-") as tmp:
        courses = make_courses(Path(tmp), students)
        for k in range(rounds):
            order = ["sandboxed", "unsandboxed"][::1 if k % 2 == 0 else -1]
            for name in order:
                seconds = _nbgrader(courses[name], "autograde", QUIZ, "--force")
                graded = list((courses[name] / "autograded").glob(f"*/{QUIZ}/{QUIZ}.ipynb"))
                if len(graded) != students:
                    raise RuntimeError(f"{name}: {len(graded)} of {students} graded")
                per[name].append(seconds / students)
    sandboxed = statistics.median(per["sandboxed"])
    unsandboxed = statistics.median(per["unsandboxed"])
    return {"quiz": QUIZ, "students": students, "rounds": rounds,
            "sandboxed_s_per_submission": sandboxed,
            "unsandboxed_s_per_submission": unsandboxed,
            "ratio": sandboxed / unsandboxed, "target": TARGET,
            "met": sandboxed / unsandboxed <= TARGET, "all_rounds": per}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="1 student, 1 round (checks the script, not the speed)")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = parser.parse_args(argv)
    load_start = os.getloadavg()
    result = measure(1 if args.quick else 20, 1 if args.quick else 3)
    load_end = os.getloadavg()
    print(f"nbgrader autograde {QUIZ}, a class of {result['students']}, median of "
          f"{result['rounds']} round(s):")
    print(f"  sandboxed    {result['sandboxed_s_per_submission']:.2f} s per submission")
    print(f"  unsandboxed  {result['unsandboxed_s_per_submission']:.2f} s per submission")
    print(f"  ratio        {result['ratio']:.2f} (target <= {TARGET}: "
          f"{'met' if result['met'] else 'MISSED'})")
    print(f"load average {load_start[0]:.1f} at the start, {load_end[0]:.1f} at the end; "
          f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}")
    if args.json:
        result["load_average_start_end"] = [load_start[0], load_end[0]]
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
