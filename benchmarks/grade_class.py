#!/usr/bin/env python
"""Parallel autograding of a class: ``ftroi_course.grade_class`` vs nbgrader's serial autograde.

A class of 40 submissions of q1_break_even (tests/class_support.py: right, wrong, partly right,
blank and hostile notebooks, each with the student's own numbers), in a temporary copy of the
course, into a throwaway PostgreSQL server. The quiz is generated once; its gradebook is copied
(``createdb -T``) so both runs start from the same state:

* serial: the stock ``nbgrader autograde q1_break_even`` (one process, one student at a time);
* parallel: ``python -m ftroi_course.grade_class q1_break_even --jobs N`` (default: grade_class's
  own, one more than the cores).

Prints wall time, submissions per minute and the speed-up, checks that both runs gave
every cell the same score, and writes benchmarks/class_results.json ("grade_class"). Target on
the 2-core development machine: throughput >= 1.7x serial. Timings depend on the machine's
load: the load average is recorded at the start and the end.

    .venv/bin/python benchmarks/grade_class.py                # 40 students, about 4 minutes
    .venv/bin/python benchmarks/grade_class.py --students 6   # a quick check of the script
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "quizzes"))

import class_support as cs  # noqa: E402
from pg_support import ThrowawayPostgres  # noqa: E402

TARGET = 1.7


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(course: Path, url: str, *argv: str) -> tuple[float, float, str]:
    cpu, start = children_cpu(), time.perf_counter()
    proc = cs.run(course, *argv, env=cs.tool_env(FTROI_DB_URL=url), timeout=3600)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return wall, children_cpu() - cpu, proc.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=None,
                        help="jobs for grade_class (default: its own, cores + 1)")
    parser.add_argument("--no-save", action="store_true", help="do not write the JSON file")
    args = parser.parse_args()
    if args.jobs is None:
        from ftroi_course.grade_class import default_jobs

        args.jobs = default_jobs()

    load_start = os.getloadavg()
    profiles = cs.class_profiles(args.students)
    tmp = Path(tempfile.mkdtemp(prefix="ftroi-bench-"))
    pg = ThrowawayPostgres().start()
    try:
        urls = {"serial": pg.create_database("serial")}
        courses = {"serial": cs.make_course(tmp / "serial")}
        proc = cs.run(courses["serial"], "nbgrader", "generate_assignment", cs.QUIZ, "--force",
                      env=cs.tool_env(FTROI_DB_URL=urls["serial"], FTROI_QUIZ_MODE="exam"))
        if proc.returncode != 0:
            raise SystemExit(proc.stderr[-3000:])
        quiz = cs.load_quiz(courses["serial"])
        cs.submit_locally(courses["serial"], quiz, profiles)
        courses["parallel"] = tmp / "parallel" / "quizzes"
        shutil.copytree(courses["serial"], courses["parallel"])
        urls["parallel"] = pg.create_database_from("parallel", "serial")

        print(f"Grading {args.students} submissions of {cs.QUIZ} (load average at start: "
              f"{load_start[0]:.2f})", flush=True)
        s_wall, s_cpu, _ = timed(courses["serial"], urls["serial"],
                                 "nbgrader", "autograde", cs.QUIZ)
        print(f"  serial   nbgrader autograde: {s_wall:6.1f} s wall ({args.students / s_wall * 60:.1f} "
              "submissions a minute)", flush=True)
        p_wall, p_cpu, out = timed(courses["parallel"], urls["parallel"], "python", "-m",
                                   "ftroi_course.grade_class", cs.QUIZ, "--jobs", str(args.jobs))
        print(f"  parallel grade_class -j {args.jobs}:  {p_wall:6.1f} s wall "
              f"({args.students / p_wall * 60:.1f} submissions a minute)", flush=True)
        scores = {run: cs.gradebook_scores(urls[run], cs.QUIZ, profiles) for run in urls}
        identical = scores["serial"] == scores["parallel"] and len(scores["serial"]) == len(
            profiles)
        expected = {s: quiz.expected(p) for s, p in profiles.items()}
        got = {s: sum(v for k, v in cells.items() if k in quiz.points)
               for s, cells in scores["parallel"].items()}
    finally:
        pg.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    load_end = os.getloadavg()
    speedup = s_wall / p_wall
    result = {
        "students": args.students, "jobs": args.jobs, "quiz": cs.QUIZ,
        "serial_wall_s": round(s_wall, 1), "parallel_wall_s": round(p_wall, 1),
        # CPU of the grading processes only: a sandboxed kernel is reaped inside its own PID
        # namespace, so its CPU time never reaches this process's RUSAGE_CHILDREN.
        "serial_grader_cpu_s": round(s_cpu, 1), "parallel_grader_cpu_s": round(p_cpu, 1),
        "serial_submissions_per_min": round(60 * args.students / s_wall, 1),
        "parallel_submissions_per_min": round(60 * args.students / p_wall, 1),
        "speedup": round(speedup, 2), "target": TARGET, "met": speedup >= TARGET,
        "identical_scores": identical, "scores_as_expected": got == expected,
        "cpus": len(os.sched_getaffinity(0)), "cpu_model": platform.processor() or "",
        "load_average_start": [round(x, 2) for x in load_start],
        "load_average_end": [round(x, 2) for x in load_end],
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    print(f"  speed-up {speedup:.2f}x (target >= {TARGET}x: {'met' if result['met'] else 'MISSED'}"
          f"); identical scores: {identical}; scores as expected: {got == expected}; "
          f"load average at end: {load_end[0]:.2f}")
    if not args.no_save:
        cs.save_class_result("grade_class", result)
    return 0 if identical and got == expected else 1


if __name__ == "__main__":
    sys.exit(main())
