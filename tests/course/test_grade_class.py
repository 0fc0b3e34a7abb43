"""A class graded into a PostgreSQL gradebook, serially and in parallel, then exported for Canvas.

One temporary copy of the course and a throwaway PostgreSQL server (tests/pg_support.py). The
quiz is generated once into database ``serial``; ``createdb -T`` copies it to ``parallel``. The
same class (tests/class_support.py: right, wrong, blank, partly right and one hostile notebook)
is graded twice, selected by ``FTROI_DB_URL``:

* ``serial``: the stock ``nbgrader autograde QUIZ`` (one process, one student after another);
* ``parallel``: ``python -m ftroi_course.grade_class QUIZ --jobs 3``.

Both must give every student the score the source's solutions and points say, and the same
score on every cell. Then ``nbgrader export`` with the Canvas plugin, and ``nbgrader collect``
with the owner check.
"""

from __future__ import annotations

import csv
import doctest
import getpass
import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import class_support as cs
import nbformat
import pytest
from pg_support import ThrowawayPostgres

ROOT = Path(__file__).resolve().parents[2]
if str(cs.COURSE) not in sys.path:
    sys.path.insert(0, str(cs.COURSE))

pytestmark = pytest.mark.nbgrader
N_STUDENTS = 6
JOBS = 3


@pytest.fixture(scope="module")
def pg(postgres):
    """The run's one PostgreSQL server (tests/conftest.py); this file's databases are its own."""
    return postgres


class Graded:
    def __init__(self, tmp: Path, pg: ThrowawayPostgres) -> None:
        self.pg = pg
        self.urls = {"serial": pg.create_database("serial")}
        self.courses = {"serial": cs.make_course(tmp / "serial")}
        self.logs: dict[str, subprocess.CompletedProcess] = {}
        self.profiles = cs.class_profiles(N_STUDENTS)

    def nbgrader(self, run: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        proc = cs.run(self.courses[run], *args, env=cs.tool_env(FTROI_DB_URL=self.urls[run]))
        self.logs[f"{run}: {' '.join(args)}"] = proc
        if check:
            assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
        return proc


@pytest.fixture(scope="module")
def graded(tmp_path_factory, pg) -> Graded:
    g = Graded(tmp_path_factory.mktemp("class"), pg)
    g.nbgrader("serial", "nbgrader", "generate_assignment", cs.QUIZ, "--force")
    g.quiz = cs.load_quiz(g.courses["serial"])
    cs.submit_locally(g.courses["serial"], g.quiz, g.profiles)
    # The same course, release and submissions; a copy of the gradebook as generated.
    g.courses["parallel"] = g.courses["serial"].parents[1] / "parallel" / "quizzes"
    shutil.copytree(g.courses["serial"], g.courses["parallel"])
    g.urls["parallel"] = pg.create_database_from("parallel", "serial")

    g.nbgrader("serial", "nbgrader", "autograde", cs.QUIZ)
    g.nbgrader("parallel", "python", "-m", "ftroi_course.grade_class", cs.QUIZ,
               "--jobs", str(JOBS))
    g.scores = {run: cs.gradebook_scores(g.urls[run], cs.QUIZ, g.profiles) for run in g.urls}
    return g


def _auto_total(g: Graded, cells: dict[str, float]) -> float:
    return sum(v for k, v in cells.items() if k in g.quiz.points)


def test_serial_grading_into_postgresql_gives_every_student_the_expected_score(graded):
    got = {s: _auto_total(graded, graded.scores["serial"][s]) for s in graded.profiles}
    assert got == {s: graded.quiz.expected(p) for s, p in graded.profiles.items()}
    assert len(set(got.values())) >= 4  # the class really spreads over several scores


def test_parallel_grading_gives_every_cell_the_same_score_as_serial_grading(graded):
    assert graded.scores["parallel"] == graded.scores["serial"]
    assert set(graded.scores["parallel"]) == set(graded.profiles)


def test_parallel_grading_writes_the_same_autograded_notebooks_as_serial(graded):
    def outcome(run: str, student: str) -> list[tuple]:
        path = graded.courses[run] / "autograded" / student / cs.QUIZ / f"{cs.QUIZ}.ipynb"
        nb = nbformat.read(path, as_version=4)
        # Printed text may arrive in one stream message or several: compare it joined.
        return [(c.source, [o.get("ename") for o in c.get("outputs", []) if o.get("ename")],
                 "".join(o.get("text", "") for o in c.get("outputs", [])))
                for c in nb.cells]

    for student in graded.profiles:
        assert outcome("parallel", student) == outcome("serial", student), student


def test_the_parallel_driver_reports_each_submission_and_a_summary(graded):
    out = graded.logs[f"parallel: python -m ftroi_course.grade_class {cs.QUIZ} --jobs {JOBS}"]
    assert f"Autograded {N_STUDENTS} of {N_STUDENTS} submissions of {cs.QUIZ}" in out.stdout
    assert f"with {JOBS} job(s)" in out.stdout
    for student in graded.profiles:
        assert f"--- {student}: graded in" in out.stdout


def test_the_hostile_notebooks_tampered_test_is_restored_and_scores_zero(graded):
    hostile = next(s for s, p in graded.profiles.items() if p == "hostile")
    first, second = list(graded.quiz.points)[:2]
    for run in ("serial", "parallel"):
        assert graded.scores[run][hostile][first] == 0
        assert graded.scores[run][hostile][second] == graded.quiz.points[second]


def test_stock_export_reads_the_postgresql_gradebook(graded):
    graded.nbgrader("parallel", "nbgrader", "export", "--to=grades.csv")
    with (graded.courses["parallel"] / "grades.csv").open(newline="") as fh:
        rows = {r["student_id"]: float(r["score"]) for r in csv.DictReader(fh)}
    assert rows == {s: graded.quiz.expected(p) for s, p in graded.profiles.items()}


def test_canvas_export_has_identity_columns_points_possible_and_one_column_per_quiz(graded):
    graded.nbgrader("parallel", "nbgrader", "export",
                    "--exporter=ftroi_course.export.CanvasExportPlugin", "--to=canvas.csv")
    with (graded.courses["parallel"] / "canvas.csv").open(newline="") as fh:
        rows = list(csv.reader(fh))
    header, possible, students = rows[0], rows[1], rows[2:]
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", cs.QUIZ]
    written = sum(float(cs.nbmeta(c)["points"]) for c in graded.quiz.source.cells
                  if cs.nbmeta(c).get("grade") and cs.nbmeta(c).get("solution"))
    assert possible[0] == "Points Possible"
    assert float(possible[5]) == graded.quiz.full + written
    by_login = {r[3]: float(r[5]) for r in students}
    assert by_login == {s: graded.quiz.expected(p) for s, p in graded.profiles.items()}
    assert [r[0] for r in students] == sorted(graded.profiles)  # no names: the id
    assert all(r[1] == r[2] == r[4] == "" for r in students)


def test_canvas_export_takes_an_assignment_filter_and_another_id_column(graded):
    graded.nbgrader("parallel", "nbgrader", "export",
                    "--exporter=ftroi_course.export.CanvasExportPlugin", "--to=none.csv",
                    "--assignment=no_such_quiz", "--CanvasExportPlugin.id_column=SIS User ID")
    with (graded.courses["parallel"] / "none.csv").open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert {r[2] for r in rows[2:]} == set(graded.profiles) and {r[3] for r in rows[2:]} == {""}


def test_collect_takes_only_submissions_their_owner_handed_in(graded, tmp_path):
    """A folder claiming to be somebody else's, or with a bad name, is skipped with a warning."""
    me = getpass.getuser()
    exchange = tmp_path / "exchange"
    inbound = exchange / "ftroi" / "inbound"
    inbound.mkdir(parents=True)
    stamps = {me: "2030-01-01 10:00:00.000000 UTC", "mallory": "2030-01-02 10:00:00.000000 UTC"}
    for student, stamp in stamps.items():
        folder = inbound / f"{student}+{cs.QUIZ}+{stamp}+r{len(student)}"
        folder.mkdir()
        (folder / "timestamp.txt").write_text(stamp)
        nbformat.write(graded.quiz.submission("right", student), folder / f"{cs.QUIZ}.ipynb")
    (inbound / f"junk+{cs.QUIZ}+not a time+x").mkdir()
    env = cs.tool_env(FTROI_DB_URL=graded.urls["serial"], FTROI_EXCHANGE_ROOT=str(exchange))
    proc = cs.run(graded.courses["serial"], "nbgrader", "collect", cs.QUIZ, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    submitted = graded.courses["serial"] / "submitted"
    assert (submitted / me / cs.QUIZ / f"{cs.QUIZ}.ipynb").is_file()
    assert not (submitted / "mallory").exists()
    assert f"claims to be submitted by mallory but is owned by {me}" in proc.stderr
    assert "Not collected" in proc.stderr and "junk+" in proc.stderr


def test_choose_jobs_is_serial_on_sqlite_and_refuses_parallel_sqlite():
    from ftroi_course.grade_class import choose_jobs, default_jobs

    sqlite = "sqlite:////course/gradebook.db"
    assert choose_jobs(None, sqlite) == 1
    assert choose_jobs(1, sqlite) == 1
    assert choose_jobs(None, "postgresql://u:p@127.0.0.1/db") == default_jobs() >= 1
    with pytest.raises(ValueError, match="SQLite .*FTROI_DB_URL.*--jobs 1"):
        choose_jobs(2, sqlite)
    with pytest.raises(ValueError, match="jobs must be >= 1, got 0"):
        choose_jobs(0, "postgresql://h/db")


def test_the_driver_refuses_parallel_grading_on_the_default_sqlite_gradebook(tmp_path):
    course = cs.make_course(tmp_path)
    proc = cs.run(course, "python", "-m", "ftroi_course.grade_class", cs.QUIZ, "--jobs", "2")
    assert proc.returncode == 2
    assert "SQLite" in proc.stderr and "FTROI_DB_URL" in proc.stderr
    assert not (course / "autograded").exists()


def test_course_config_takes_the_gradebook_and_exchange_from_the_environment(monkeypatch):
    from traitlets.config.loader import PyFileConfigLoader

    def load():
        return PyFileConfigLoader("nbgrader_config.py", path=str(cs.COURSE)).load_config()

    monkeypatch.delenv("FTROI_DB_URL", raising=False)
    monkeypatch.delenv("FTROI_EXCHANGE_ROOT", raising=False)
    default = load()
    assert default.CourseDirectory.db_url.startswith("sqlite:///")
    assert "root" not in default.Exchange
    monkeypatch.setenv("FTROI_DB_URL", "postgresql://ftroi:pw@db.example:5432/gb")
    monkeypatch.setenv("FTROI_EXCHANGE_ROOT", "/srv/ftroi/exchange")
    cfg = load()
    assert cfg.CourseDirectory.db_url == "postgresql://ftroi:pw@db.example:5432/gb"
    assert cfg.Exchange.root == "/srv/ftroi/exchange"
    assert cfg.ExchangeFactory.collect == "ftroi_course.exchange.OwnerCheckedCollect"


@pytest.mark.parametrize("module", ["grade_class", "export", "exchange"])
def test_instructor_modules_doctests_pass(module):
    mod = importlib.import_module(f"ftroi_course.{module}")
    result = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0
