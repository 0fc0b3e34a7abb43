"""A whole class on a real JupyterHub, end to end (``make test-hub``; needs root).

One run, with the configuration the project ships (``deploy/jupyterhub_config.py``):

1. JupyterHub (pip) and configurable-http-proxy (npm) start on 127.0.0.1, with a throwaway
   PostgreSQL gradebook (tests/pg_support.py) and an exchange in a temporary folder.
2. Real local accounts: an instructor and ten students, in the course's two Unix groups. One
   student logs in through the hub's login form with a Unix password.
3. The instructor generates the quiz (exam mode) and releases it to the exchange, as their own
   account, with the environment the hub gives their server.
4. Each student's server is started through the hub's REST API. Through it (the proxy, then the
   nbgrader Assignment List's own endpoints) each student fetches the quiz, answers it with
   their own numbers (right, wrong, partly right or blank) and submits it. One hostile student,
   as their own account, attacks the exchange (overwrite the release, list the inbound, read
   the instructor's course, hand in a wrong notebook as a classmate) and then submits a
   notebook with a tampered test cell, a deleted one, and code that, while it is graded, looks
   for the course, the gradebook's password and the PostgreSQL server.
5. The instructor collects, autogrades in parallel into PostgreSQL
   (``python -m ftroi_course.grade_class``), generates and releases feedback, and exports with
   the Canvas plugin. Each student fetches their feedback through the hub.
6. Every student's score is checked against what their answers earn (class_support: right
   answers from the source's own solutions for the student's variant, points from the source).

Accounts, homes, servers, the hub, the proxy and PostgreSQL are removed afterwards.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import os
import re
import shutil
import stat
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import class_support as cs
import hub_support as hs
import nbformat
import pytest
from pg_support import ThrowawayPostgres
from pg_support import missing_reason as pg_missing

pytestmark = pytest.mark.hub

N_STUDENTS = 10
JOBS = 2
PASSWORD = "correct horse battery staple 42"

#: Code the hostile student's notebook runs in the grader's kernel (first answer cell): it looks
#: for the instructor's course, the gradebook's password and the PostgreSQL server.
KERNEL_ATTACK = r'''
import json as _j, os as _o, socket as _s
_r = {}
for _name, _path in (("course", "@COURSE@"), ("source", "@COURSE@/source")):
    try:
        _r[_name] = sorted(_o.listdir(_path))
    except Exception as _e:
        _r[_name] = type(_e).__name__
_r["gradebook_url_in_env"] = any("postgresql" in _v for _v in _o.environ.values())
try:
    _s.create_connection(("127.0.0.1", @PORT@), timeout=3).close()
    _r["postgres"] = "connected"
except Exception as _e:
    _r["postgres"] = type(_e).__name__
print("HOSTILE-KERNEL " + _j.dumps(_r))
'''

HOSTILE_SCRIPT = r'''
import json, os, shutil, sys
course, quiz, victim, instructor_course = sys.argv[1:5]
forged_nb = sys.stdin.read()
out = {}
def attempt(name, fn):
    try:
        fn()
        out[name] = "allowed"
    except OSError as exc:
        out[name] = type(exc).__name__
def overwrite_release():
    with open(f"{course}/outbound/{quiz}/{quiz}.ipynb", "w") as fh:
        fh.write("{}")
def forge():
    stamp = "2099-01-01 00:00:00.000000 UTC"
    folder = f"{course}/inbound/{victim}+{quiz}+{stamp}+forged"
    os.makedirs(folder)
    with open(f"{folder}/timestamp.txt", "w") as fh:
        fh.write(stamp)
    with open(f"{folder}/{quiz}.ipynb", "w") as fh:
        fh.write(forged_nb)
attempt("list_inbound", lambda: os.listdir(f"{course}/inbound"))
attempt("list_feedback", lambda: os.listdir(f"{course}/feedback"))
attempt("overwrite_release", overwrite_release)
attempt("delete_release", lambda: shutil.rmtree(f"{course}/outbound/{quiz}"))
attempt("move_course_folder", lambda: os.rename(course, course + ".mine"))
attempt("read_instructor_source", lambda: open(f"{instructor_course}/source/{quiz}/{quiz}.ipynb").read())
attempt("forge_classmate_submission", forge)
print(json.dumps(out))
'''


@dataclass
class HubClass:
    hub: hs.Hub
    instructor: str
    students: list[str]
    profiles: dict[str, str]
    course: Path
    exchange: Path
    quiz: cs.Quiz | None = None
    victim: str = ""
    hostile: str = ""
    logs: dict[str, subprocess.CompletedProcess] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    logins: dict[str, int] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)
    listed: dict[str, list] = field(default_factory=dict)
    fetched: dict[str, dict] = field(default_factory=dict)
    submitted: dict[str, dict] = field(default_factory=dict)
    feedback: dict[str, str] = field(default_factory=dict)
    attacks: dict[str, str] = field(default_factory=dict)
    kernel_attack: dict = field(default_factory=dict)
    formgrader: object = None
    canvas: list[list[str]] = field(default_factory=list)
    gradebook: dict[str, dict[str, float]] = field(default_factory=dict)
    modes: dict[str, tuple] = field(default_factory=dict)
    home_modes: dict[str, int] = field(default_factory=dict)
    pulled: dict = field(default_factory=dict)
    login_shell: dict[str, str] = field(default_factory=dict)
    absent: str = ""
    restore: dict = field(default_factory=dict)
    csp: dict[str, str | None] = field(default_factory=dict)
    formgrader_tab: str = ""
    browser: object = None


def _require() -> None:
    reason = hs.missing_reason() or pg_missing()
    if reason and os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must run the JupyterHub test")
    if reason:
        pytest.skip(reason)


def _instructor(c: HubClass, *argv: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """A command as the instructor, in the course folder, with their server's environment."""
    start = time.monotonic()
    proc = hs.instructor_command(c.hub, c.instructor, c.course, *argv, timeout=timeout,
                                 FTROI_QUIZ_MODE="exam")
    c.logs[" ".join(argv)] = proc
    c.seconds[" ".join(argv[:3])] = time.monotonic() - start
    assert proc.returncode == 0, f"{argv}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


def _lesson_repo(work: Path) -> Path:
    """The lessons repository ``make publish-lessons`` builds, as a bare clone a plain web
    server can serve (a git host's copy)."""
    import publish_lessons

    published = work / "ftroi-lessons"
    publish_lessons.publish(cs.ROOT, published)
    repo = work / "web" / "ftroi-lessons.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(published), str(repo)], check=True,
                   capture_output=True)
    subprocess.run(["git", "update-server-info"], cwd=repo, check=True, capture_output=True)
    return repo


def _backup_damage_restore(c: HubClass, db_url: str) -> dict:
    """deploy/backup.sh as root: back up, lose the course, the exchange and the gradebook's
    tables, restore, and export again as the instructor."""
    env = {**os.environ, "FTROI_DB_URL": db_url, "FTROI_EXCHANGE_ROOT": str(c.exchange)}
    script = str(hs.DEPLOY / "backup.sh")
    course_dir = c.course.parent  # ~/ftroi: the instructor's whole clone
    made = subprocess.run([script, "backup", str(c.hub.work / "backups"), str(course_dir)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    archive = made.stdout.strip().splitlines()[-1]
    shutil.rmtree(course_dir)
    shutil.rmtree(c.exchange / "ftroi")
    lost = subprocess.run(["psql", db_url.replace("postgresql+psycopg:", "postgresql:"), "-qc",
                           "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"],
                          capture_output=True, text=True, timeout=120)
    assert lost.returncode == 0, lost.stderr
    back = subprocess.run([script, "restore", archive], env=env, capture_output=True,
                          text=True, timeout=300)
    assert back.returncode == 0, back.stderr
    (c.course / "canvas.csv").unlink()
    _instructor(c, "nbgrader", "export", "--exporter=ftroi_course.export.CanvasExportPlugin",
                "--to=canvas.csv")
    return {"archive_mode": stat.S_IMODE(os.stat(archive).st_mode),
            "canvas": list(csv.reader(io.StringIO((c.course / "canvas.csv").read_text()))),
            "modes": {p.name: (p.stat().st_uid, stat.S_IMODE(p.stat().st_mode))
                      for p in [c.exchange, *(c.exchange / "ftroi").glob("*"),
                                c.exchange / "ftroi"]},
            "course_owner": (c.course / "source").stat().st_uid}


def _formgrader_tab_in_lab(hub: hs.Hub, instructor: str) -> str:
    """Log in as the instructor in headless Chromium, open JupyterLab, choose Nbgrader ->
    Formgrader, and return what the Formgrader tab's frame shows ("" when it stays blank)."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"])
        try:
            page = browser.new_page()
            page.goto(f"{hub.url}/hub/login")
            page.fill("input[name=username]", instructor)
            page.fill("input[name=password]", PASSWORD)
            page.click("[type=submit]")
            page.wait_for_url(f"**/user/{instructor}/**", timeout=120_000)
            page.goto(f"{hub.url}/user/{instructor}/lab?reset")
            page.locator(".lm-MenuBar-itemLabel:text-is('Nbgrader')").click(timeout=120_000)
            page.locator(".lm-Menu-itemLabel:text-is('Formgrader')").click()
            frame = page.frame_locator(".jp-MainAreaWidget iframe").first
            try:
                frame.locator(f"text={cs.QUIZ}").first.wait_for(timeout=60_000)
            except PlaywrightError:
                return ""
            return frame.locator("body").inner_text()
        finally:
            browser.close()


@contextlib.contextmanager
def _web_server(folder: Path):
    """Serve ``folder`` on 127.0.0.1 (git's "dumb" HTTP protocol needs nothing more)."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def hub_class(tmp_path_factory):
    _require()
    import ftroi_hub

    t0 = time.monotonic()
    accounts = hs.LocalAccounts()
    pg = ThrowawayPostgres()
    hub: hs.Hub | None = None
    c: HubClass | None = None
    try:
        teachers, learners = accounts.group("instructors"), accounts.group("students")
        instructor = accounts.user("i", [teachers], password=PASSWORD)
        students = [accounts.user(f"s{n:02d}", [learners],
                                  password=PASSWORD if n == 1 else None)
                    for n in range(1, N_STUDENTS + 1)]
        outsider = accounts.user("x", password=PASSWORD)  # a local account in neither group
        absent = accounts.user("a", [learners])  # on the roster; never logs in or submits
        profiles = dict(zip(students, cs.class_profiles(N_STUDENTS).values(), strict=True))
        pg.start()
        db_url = pg.create_database("gradebook")

        home = Path(ftroi_hub.home_of(instructor))
        course = cs.make_course(home / "ftroi")
        subprocess.run(["chown", "-R", f"{instructor}:{instructor}", str(home / "ftroi")],
                       check=True)
        hub = hs.Hub({"FTROI_INSTRUCTOR_GROUP": teachers, "FTROI_STUDENT_GROUP": learners,
                      "FTROI_DB_URL": db_url, "FTROI_COURSE_DIR": "{home}/ftroi/quizzes"})
        lessons = _lesson_repo(hub.work)  # the hub checks its history before it starts
        hub.env["FTROI_LESSONS_REPO"] = str(lessons)
        exchange = hub.work / "exchange"
        hub.env["FTROI_EXCHANGE_ROOT"] = str(exchange)
        c = HubClass(hub, instructor, students, profiles, course, exchange)
        c.victim = next(s for s in students if profiles[s] == "right" and s != students[0])
        c.hostile = next(s for s in students if profiles[s] == "hostile")
        c.seconds["accounts and PostgreSQL"] = time.monotonic() - t0

        # 1. the hub
        t = time.monotonic()
        hub.start()
        c.seconds["hub start"] = time.monotonic() - t
        c.modes = {p.name: (p.stat().st_uid, stat.S_IMODE(p.stat().st_mode))
                   for p in [exchange, *(exchange / "ftroi").glob("*"), exchange / "ftroi"]}
        server_env = ftroi_hub.user_environment(instructor, ftroi_hub.settings(hub.env))
        bare = hub.work / "profile.d-without-ours"
        shutil.copytree(hub.profile_d, bare, ignore=shutil.ignore_patterns("ftroi-hub.sh"))
        for name, folder in (("with", hub.profile_d), ("without", bare)):
            proc = hs.login_shell(instructor, "command -v nbgrader python; echo PATH=$PATH",
                                  server_env, folder)
            c.login_shell[name] = proc.stdout
        login = hub.login(students[0], PASSWORD)
        c.browser = login.browser
        c.logins = {"right password": login.status_code,
                    "wrong password": hub.login(students[0], "not it").status_code,
                    "not in the course": hub.login(outsider, PASSWORD).status_code}

        # 2. everyone's server starts through the hub's API while the instructor generates the
        #    quiz (exam mode) and releases it to the exchange
        hub.add_users([instructor, *students])
        spawned: dict[str, object] = {}

        def spawn_all() -> None:
            t = time.monotonic()
            try:
                hub.spawn([instructor, *students])
            except Exception as exc:  # noqa: BLE001 - re-raised below, in the test's thread
                spawned["error"] = exc
            c.seconds["start 11 servers"] = time.monotonic() - t

        spawner = threading.Thread(target=spawn_all)
        spawner.start()
        t = time.monotonic()
        try:
            _instructor(c, "nbgrader", "generate_assignment", cs.QUIZ, "--force")
            _instructor(c, "nbgrader", "release_assignment", cs.QUIZ)
        finally:
            spawner.join()
        if "error" in spawned:
            raise spawned["error"]  # type: ignore[misc]
        c.quiz = cs.load_quiz(course)
        c.seconds["generate and release, servers starting"] = time.monotonic() - t
        c.home_modes = {u: stat.S_IMODE(os.stat(ftroi_hub.home_of(u)).st_mode)
                        for u in [instructor, *students]}
        c.pages = {"instructor formgrader": hub.user_request(
            instructor, "GET", "formgrader", allow_redirects=False).status_code,
            "student formgrader": hub.user_request(students[0], "GET",
                                                   "formgrader").status_code}

        # 3. students fetch, answer and submit through their servers
        t = time.monotonic()
        forged = nbformat.writes(c.quiz.submission("wrong", c.victim))
        for student in students:
            listing = hub.user_request(student, "GET", "assignments?course_id=ftroi").json()
            c.listed[student] = listing.get("value", [])
            c.fetched[student] = hub.nbgrader_action(student, "fetch", course_id="ftroi",
                                                     assignment_id=cs.QUIZ)
            path = f"{cs.QUIZ}/{cs.QUIZ}.ipynb"
            handed_out = nbformat.from_dict(hub.read_notebook(student, path))
            mine = cs.Quiz(cs.QUIZ, c.quiz.source, handed_out, c.quiz.points)
            prelude = KERNEL_ATTACK.replace("@COURSE@", str(course)).replace(
                "@PORT@", str(pg.port))
            hub.write_notebook(student, path, mine.submission(profiles[student], student,
                                                             prelude=prelude))
            if student == c.hostile:
                proc = hs.run_as(student, [str(hs.USER_BIN / "python"), "-c", HOSTILE_SCRIPT,
                                           str(exchange / "ftroi"), cs.QUIZ, c.victim,
                                           str(course)], input=forged)
                assert proc.returncode == 0, proc.stderr
                c.attacks = json.loads(proc.stdout.strip().splitlines()[-1])
            c.submitted[student] = hub.nbgrader_action(student, "submit", course_id="ftroi",
                                                       assignment_id=cs.QUIZ)
        c.seconds["fetch, answer, submit (10 students)"] = time.monotonic() - t

        # 4. the instructor collects, grades in parallel, gives feedback, exports
        t = time.monotonic()
        # the roster, as the README says: every enrolled student, including one who never came
        roster = "id,first_name,last_name,email\n" + "".join(
            f"{s},First,Last,{s}@example.org\n" for s in [*students, absent])
        (course / "roster.csv").write_text(roster)
        shutil.chown(course / "roster.csv", instructor, instructor)
        _instructor(c, "nbgrader", "db", "student", "import", "roster.csv")
        c.absent = absent
        _instructor(c, "nbgrader", "collect", cs.QUIZ)
        _instructor(c, "python", "-m", "ftroi_course.grade_class", cs.QUIZ, "--jobs", str(JOBS))
        c.seconds["collect and grade"] = time.monotonic() - t
        _instructor(c, "nbgrader", "generate_feedback", cs.QUIZ)
        _instructor(c, "nbgrader", "release_feedback", cs.QUIZ)
        _instructor(c, "nbgrader", "export", "--exporter=ftroi_course.export.CanvasExportPlugin",
                    "--to=canvas.csv")
        c.canvas = list(csv.reader(io.StringIO((course / "canvas.csv").read_text())))
        c.gradebook = cs.gradebook_scores(db_url, cs.QUIZ, students)
        r = hub.user_request(instructor, "GET", "formgrader/api/assignments")
        c.formgrader = r.json() if r.ok else {"status": r.status_code}
        c.csp = {who: hub.user_request(user, "GET", "lab").headers.get("Content-Security-Policy")
                 for who, user in (("instructor", instructor), ("student", students[0]))}
        t_browser = time.monotonic()
        c.formgrader_tab = _formgrader_tab_in_lab(hub, instructor)
        c.seconds["formgrader in Chromium"] = time.monotonic() - t_browser
        graded_nb = nbformat.read(course / "autograded" / c.hostile / cs.QUIZ /
                                  f"{cs.QUIZ}.ipynb", as_version=4)
        printed = "".join(o.get("text", "") for cell in graded_nb.cells
                          for o in cell.get("outputs", []))
        found = re.search(r"HOSTILE-KERNEL (\{.*\})", printed)
        c.kernel_attack = json.loads(found.group(1)) if found else {}

        # 5. students fetch their feedback through the hub
        for student in students:
            hub.nbgrader_action(student, "fetch_feedback", course_id="ftroi",
                                assignment_id=cs.QUIZ)
            found = list((Path(ftroi_hub.home_of(student)) / cs.QUIZ / "feedback").glob(
                f"*/{cs.QUIZ}.html"))
            c.feedback[student] = found[0].read_text() if found else ""
        c.seconds["feedback and export"] = time.monotonic() - t - c.seconds["collect and grade"]

        # 6. a lesson link: the student who logged in opens an nbgitpuller link, which clones
        #    the published workbook (served over HTTP like any git host) into their home
        with _web_server(lessons.parent) as web:
            link = ftroi_hub.nbgitpuller_link(hub.url, f"{web}/{lessons.name}")
            browser = c.browser
            page = browser.get(link, timeout=120)
            c.pulled["page"] = (page.status_code, page.url, "nbgitpuller" in page.text.lower())
            # What the page's script calls next. depth=0: a full clone, because this plain web
            # server speaks git's "dumb" HTTP, which cannot serve nbgitpuller's shallow clone.
            api = page.url.replace("/git-pull?", "/git-pull/api?", 1) + "&depth=0"
            r = browser.get(api, stream=True, timeout=300)
            c.pulled["events"] = [json.loads(line[len("data:"):]) for line in
                                  r.iter_lines(decode_unicode=True) if line.startswith("data:")]
        c.pulled["link"] = link
        pulled = Path(ftroi_hub.home_of(students[0])) / "ftroi-lessons"
        c.pulled["lesson"] = (pulled / "lessons" / "00_start_here.ipynb").is_file()
        c.pulled["course"] = sorted(str(p.relative_to(pulled)) for p in pulled.rglob("*")
                                    if "quizzes" in p.parts or "ftroi_course" in p.parts)
        # 7. backup, a lost term (course folder, exchange and gradebook gone), restore, export
        t = time.monotonic()
        c.restore = _backup_damage_restore(c, db_url)
        c.seconds["backup, damage, restore, export"] = time.monotonic() - t
        c.seconds["total"] = time.monotonic() - t0
        print("\nJupyterHub class, seconds:", {k: round(v, 1) for k, v in c.seconds.items()})
        yield c
    except Exception:
        if hub is not None:
            print(hub.log())
        raise
    finally:
        if hub is not None:
            hub.stop()  # the hub stops every user's server, then the proxy
        accounts.remove()
        pg.stop()


def _expected(c: HubClass) -> dict[str, float]:
    return {s: c.quiz.expected(p) for s, p in c.profiles.items()}


def test_students_log_in_with_their_unix_password_and_nobody_else_does(hub_class):
    assert hub_class.logins["right password"] == 302  # to their server
    assert hub_class.logins["wrong password"] == 403
    assert hub_class.logins["not in the course"] == 403  # a real account, not in either group


def test_the_instructors_login_shell_finds_nbgrader_thanks_to_the_hubs_profile_script(
        hub_class):
    bin_dir = hs.USER_BIN
    assert hub_class.login_shell["with"].splitlines()[:2] == [f"{bin_dir}/nbgrader",
                                                               f"{bin_dir}/python"]
    # Without it, /etc/profile's PATH reset drops the environment: "nbgrader: not found"
    assert f"{bin_dir}/nbgrader" not in hub_class.login_shell["without"]
    assert str(bin_dir) not in hub_class.login_shell["without"].split("PATH=")[1]


def test_the_instructors_commands_print_no_python_warnings(hub_class):
    """No SAWarning, DeprecationWarning, ... (Python's warnings) on a normal run; nbgrader's own
    WARNING lines about the class, such as the forged submission, are information."""
    noisy = {cmd: [line for line in (proc.stdout + proc.stderr).splitlines()
                   if re.search(r"\b\w*Warning: ", line)]
             for cmd, proc in hub_class.logs.items()}
    assert {cmd: lines[:3] for cmd, lines in noisy.items() if lines} == {}


def test_the_exchange_is_created_with_nbgraders_permissions_for_the_instructor(hub_class):
    import pwd

    uid = pwd.getpwnam(hub_class.instructor).pw_uid
    modes = hub_class.modes
    assert modes["exchange"] == (0, 0o1777)
    assert modes["ftroi"] == (uid, 0o755)
    assert modes["outbound"] == (uid, 0o755)
    assert modes["inbound"] == (uid, 0o2733)
    assert modes["feedback"] == (uid, 0o711)


def test_every_home_is_private_once_its_server_started(hub_class):
    assert set(hub_class.home_modes.values()) == {0o700}


def test_the_instructor_has_the_formgrader_and_students_do_not(hub_class):
    assert hub_class.pages["instructor formgrader"] == 302  # to manage_assignments
    assert hub_class.pages["student formgrader"] == 404


def test_formgrader_opens_inside_jupyterlab_for_the_instructor_in_chromium(hub_class):
    assert cs.QUIZ in hub_class.formgrader_tab
    assert "Manage Assignments" in hub_class.formgrader_tab


def test_only_instructors_servers_may_be_framed_and_only_by_their_own_origin(hub_class):
    assert hub_class.csp["instructor"] == "frame-ancestors 'self'"
    assert hub_class.csp["student"] == "frame-ancestors 'none'"  # JupyterHub's default


def test_the_instructors_formgrader_reads_the_course_and_its_postgresql_gradebook(hub_class):
    quizzes = {a["name"]: a for a in hub_class.formgrader}
    assert quizzes[cs.QUIZ]["num_submissions"] == N_STUDENTS
    assert quizzes[cs.QUIZ]["status"] == "released"


def test_every_student_saw_fetched_and_submitted_the_quiz_through_the_hub(hub_class):
    for student in hub_class.students:
        assert [a["assignment_id"] for a in hub_class.listed[student]] == [cs.QUIZ]
        assert hub_class.fetched[student]["success"], hub_class.fetched[student]
        assert hub_class.submitted[student]["success"], hub_class.submitted[student]


def test_collect_found_every_students_submission(hub_class):
    collected = {p.name for p in (hub_class.course / "submitted").iterdir()}
    assert collected == set(hub_class.students)


def test_every_students_exported_score_is_what_their_answers_earn(hub_class):
    expected = _expected(hub_class)
    header, possible, rows = hub_class.canvas[0], hub_class.canvas[1], hub_class.canvas[2:]
    assert header[5:] == [cs.QUIZ] and possible[0] == "Points Possible"
    # the roster's student who never submitted has a row too, with 0
    assert {r[3]: float(r[5]) for r in rows} == {**expected, hub_class.absent: 0.0}
    assert len(set(expected.values())) >= 4


def test_grades_went_to_postgresql_through_the_parallel_driver(hub_class):
    out = hub_class.logs[f"python -m ftroi_course.grade_class {cs.QUIZ} --jobs {JOBS}"].stdout
    assert f"Autograded {N_STUDENTS} of {N_STUDENTS} submissions" in out
    assert f"with {JOBS} job(s)" in out
    totals = {s: sum(v for k, v in cells.items() if k in hub_class.quiz.points)
              for s, cells in hub_class.gradebook.items()}
    assert totals == _expected(hub_class)
    assert not (hub_class.course / "gradebook.db").exists()  # not the SQLite default


def test_the_hostile_student_cannot_touch_the_release_the_inbound_or_the_course(hub_class):
    attacks = hub_class.attacks
    for name in ("list_inbound", "list_feedback", "overwrite_release", "delete_release",
                 "move_course_folder", "read_instructor_source"):
        assert attacks[name] == "PermissionError", (name, attacks)


def test_a_submission_forged_for_a_classmate_is_not_collected(hub_class):
    assert hub_class.attacks["forge_classmate_submission"] == "allowed"  # inbound is writable
    log = hub_class.logs[f"nbgrader collect {cs.QUIZ}"].stderr
    assert (f"claims to be submitted by {hub_class.victim} but is owned by "
            f"{hub_class.hostile}") in log
    canvas = {r[3]: float(r[5]) for r in hub_class.canvas[2:]}
    assert canvas[hub_class.victim] == hub_class.quiz.full  # their own, right, submission


def test_a_backup_restores_the_gradebook_course_and_exchange_with_their_permissions(hub_class):
    import pwd

    restored = hub_class.restore
    assert restored["archive_mode"] == 0o600
    assert restored["canvas"] == hub_class.canvas  # every score, from the restored gradebook
    assert restored["modes"] == hub_class.modes  # the exchange's owners and modes
    assert restored["course_owner"] == pwd.getpwnam(hub_class.instructor).pw_uid


def test_every_student_fetched_their_own_feedback_through_the_hub(hub_class):
    for student in hub_class.students:
        page = hub_class.feedback[student]
        m = re.search(rf"<h4>{cs.QUIZ} \(Score: ([\d.]+) / ([\d.]+)\)</h4>", page)
        assert m, f"{student}: no feedback page with the notebook's score"
        assert float(m.group(1)) == hub_class.quiz.expected(hub_class.profiles[student])


def test_an_nbgitpuller_link_puts_the_workbook_in_a_students_home(hub_class):
    status, url, is_puller = hub_class.pulled["page"]
    assert status == 200 and is_puller, (status, url)
    assert f"/user/{hub_class.students[0]}/git-pull?" in url  # the hub sent them to their server
    phases = [e.get("phase") for e in hub_class.pulled["events"]]
    assert phases and phases[-1] == "finished", hub_class.pulled["events"][-3:]
    assert hub_class.pulled["lesson"]
    assert hub_class.pulled["course"] == []  # the lessons repository, not the course's


def test_the_hostile_notebook_graded_in_the_sandbox_finds_no_course_password_or_database(
        hub_class):
    attack = hub_class.kernel_attack
    assert attack, "the hostile cell's output is missing from the autograded notebook"
    # The course folder holds, at most, the path down to the student's own scratch copy.
    assert attack["course"] in ("FileNotFoundError", "PermissionError", ["autograded"]), attack
    assert attack["source"] in ("FileNotFoundError", "PermissionError"), attack
    assert attack["gradebook_url_in_env"] is False
    assert attack["postgres"] != "connected"
