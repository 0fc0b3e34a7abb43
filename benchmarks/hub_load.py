#!/usr/bin/env python
"""Load run: 30 students submit at once on a real JupyterHub; nothing may be lost.

Needs root, like ``make test-hub``: it runs ``deploy/jupyterhub_config.py`` with real local
accounts (tests/hub_support.py), a throwaway PostgreSQL gradebook and a temporary exchange.

1. An instructor and 30 students; the instructor releases q1_break_even (exam mode).
2. Every student's server starts through the hub's REST API; each student fetches the quiz
   and writes their answers (tests/class_support.py profiles, their own numbers).
3. All 30 press *Submit* at the same instant (a barrier, then 30 concurrent calls of the
   Assignment List's submit endpoint through the proxy).
4. The instructor collects and grades in parallel (``ftroi_course.grade_class``).

Reports: submissions the exchange received, collected and graded; lost submissions (handed in
but missing from ``submitted/`` or the gradebook, or graded with another score than the answers
earn: must be none); the time to submit, to collect and to grade; each server's memory (its
cgroup's usage, deploy/resource_limits.py) once it has the quiz open; and whether a runaway
student (a kernel asking for 1.5 GB under ``--mem-limit``) was capped while the others' servers
kept answering. Writes
benchmarks/class_results.json ("hub_load").

    sudo .venv/bin/python benchmarks/hub_load.py              # 30 students, a few minutes
    sudo .venv/bin/python benchmarks/hub_load.py --students 5
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "quizzes"))

import class_support as cs  # noqa: E402
import hub_support as hs  # noqa: E402
from pg_support import ThrowawayPostgres  # noqa: E402

sys.path.insert(0, str(ROOT / "deploy"))
import resource_limits as rl  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=None,
                        help="jobs for grade_class (default: its own, cores + 1)")
    parser.add_argument("--mem-limit", default="1G",
                        help="FTROI_MEM_LIMIT of every user's server (default 1G)")
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args()
    if args.jobs is None:
        from ftroi_course.grade_class import default_jobs

        args.jobs = default_jobs()
    reason = hs.missing_reason()
    if reason:
        print(f"cannot run: {reason}", file=sys.stderr)
        return 2

    import ftroi_hub
    import nbformat

    load_start = os.getloadavg()
    seconds: dict[str, float] = {}
    accounts = hs.LocalAccounts()
    pg = ThrowawayPostgres()
    hub = None
    try:
        teachers, learners = accounts.group("instructors"), accounts.group("students")
        instructor = accounts.user("i", [teachers])
        students = [accounts.user(f"s{n:02d}", [learners]) for n in range(1, args.students + 1)]
        profiles = dict(zip(students, cs.class_profiles(args.students).values(), strict=True))
        pg.start()
        db_url = pg.create_database("gradebook")
        home = Path(ftroi_hub.home_of(instructor))
        course = cs.make_course(home / "ftroi")
        os.system(f"chown -R {instructor}:{instructor} {home / 'ftroi'}")
        hub = hs.Hub({"FTROI_INSTRUCTOR_GROUP": teachers, "FTROI_STUDENT_GROUP": learners,
                      "FTROI_DB_URL": db_url, "FTROI_MEM_LIMIT": args.mem_limit,
                      "FTROI_CULL_IDLE_SECONDS": "0"})
        hub.env["FTROI_EXCHANGE_ROOT"] = str(hub.work / "exchange")
        hub.start()

        def instructor_cmd(*argv: str):
            t = time.perf_counter()
            proc = hs.instructor_command(hub, instructor, course, *argv, FTROI_QUIZ_MODE="exam")
            if proc.returncode != 0:
                raise SystemExit(f"{argv} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
            return proc, time.perf_counter() - t

        instructor_cmd("nbgrader", "generate_assignment", cs.QUIZ, "--force")
        instructor_cmd("nbgrader", "release_assignment", cs.QUIZ)
        quiz = cs.load_quiz(course)

        t = time.perf_counter()
        hub.add_users(students)
        hub.spawn(students, timeout_s=900)
        seconds["start_servers"] = time.perf_counter() - t
        print(f"{len(students)} servers ready in {seconds['start_servers']:.0f} s", flush=True)

        t = time.perf_counter()
        for student in students:
            hub.nbgrader_action(student, "fetch", course_id="ftroi", assignment_id=cs.QUIZ)
            path = f"{cs.QUIZ}/{cs.QUIZ}.ipynb"
            mine = cs.Quiz(cs.QUIZ, quiz.source, nbformat.from_dict(
                hub.read_notebook(student, path)), quiz.points)
            hub.write_notebook(student, path, mine.submission(profiles[student], student))
        seconds["fetch_and_answer"] = time.perf_counter() - t
        server_mib = sorted(round((rl.memory_used_bytes(s) or 0) / 2 ** 20) for s in students)
        print(f"memory per server: median {server_mib[len(server_mib) // 2]} MiB, "
              f"max {server_mib[-1]} MiB", flush=True)

        barrier = threading.Barrier(len(students))
        replies: dict[str, dict] = {}

        def submit(student: str) -> None:
            barrier.wait()
            try:
                replies[student] = hub.nbgrader_action(student, "submit", course_id="ftroi",
                                                       assignment_id=cs.QUIZ)
            except Exception as exc:  # noqa: BLE001 - a failed submission is what we count
                replies[student] = {"success": False, "value": repr(exc)}

        t = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(students)) as pool:
            list(pool.map(submit, students))
        seconds["submit_all_at_once"] = time.perf_counter() - t
        accepted = sorted(s for s, r in replies.items() if r.get("success"))
        inbound = hub.work / "exchange" / "ftroi" / "inbound"
        received = sorted({p.name.split("+", 1)[0] for p in inbound.iterdir()})
        print(f"{len(accepted)} submissions accepted in {seconds['submit_all_at_once']:.1f} s; "
              f"{len(received)} students' folders in the exchange", flush=True)

        _, seconds["collect"] = instructor_cmd("nbgrader", "collect", cs.QUIZ)
        out, seconds["grade"] = instructor_cmd("python", "-m", "ftroi_course.grade_class",
                                               cs.QUIZ, "--jobs", str(args.jobs))
        collected = sorted(p.name for p in (course / "submitted").iterdir())
        scores = cs.gradebook_scores(db_url, cs.QUIZ, students)
        totals = {s: sum(v for k, v in cells.items() if k in quiz.points)
                  for s, cells in scores.items()}
        expected = {s: quiz.expected(p) for s, p in profiles.items()}
        lost = sorted(s for s in students if s not in collected or s not in totals)
        wrong = sorted(s for s in totals if totals[s] != expected[s])

        runaway = hs.execute_in_new_kernel(hub, students[0], hs.RUNAWAY)
        others_answer = [hub.user_request(s, "GET", "api/status").status_code
                         for s in students[1:]] or [200]
        capped = ("ALLOCATED" not in runaway["stdout"] and hs.oom_kills(students[0]) >= 1
                  and set(others_answer) == {200})
        print(f"runaway student capped at {args.mem_limit}: {capped}", flush=True)
    finally:
        if hub is not None:
            hub.stop()
        accounts.remove()
        pg.stop()

    load_end = os.getloadavg()
    result = {
        "students": args.students, "jobs": args.jobs, "quiz": cs.QUIZ,
        "submissions_accepted": len(accepted), "in_exchange": len(received),
        "collected": len(collected), "graded": len(totals),
        "lost": lost, "graded_with_another_score": wrong,
        "seconds": {k: round(v, 1) for k, v in seconds.items()},
        "collect_and_grade_s": round(seconds["collect"] + seconds["grade"], 1),
        "mem_limit": args.mem_limit,
        "server_memory_mib": {"median": server_mib[len(server_mib) // 2], "max": server_mib[-1]},
        "runaway_capped": capped,
        "cpus": len(os.sched_getaffinity(0)),
        "load_average_start": [round(x, 2) for x in load_start],
        "load_average_end": [round(x, 2) for x in load_end],
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    print(json.dumps(result, indent=1))
    print(f"lost submissions: {len(lost)}; collect {seconds['collect']:.1f} s, grade "
          f"{seconds['grade']:.1f} s for {args.students} students")
    if not args.no_save:
        cs.save_class_result("hub_load", result)
    return 0 if not lost and not wrong and len(accepted) == args.students and capped else 1


if __name__ == "__main__":
    sys.exit(main())
