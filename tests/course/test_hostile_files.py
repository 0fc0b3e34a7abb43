"""Hostile student *files* through the real nbgrader commands (issue 19, items 1, 4 and 5).

One class on a temporary copy of the course, handed in three ways: through the exchange's
``inbound/`` (each folder owned by a real local account, as on a hub), as LMS downloads for
``zip_collect``, and straight into ``submitted/`` (as an instructor's own copy would). Then
``collect``, one ``autograde``, ``generate_feedback``, ``release_feedback`` and ``export``.
Expected scores come from the source notebook's points (``class_support``), never the key.

==========  ==================================================================  ==============
student     hands in                                                            auto score
==========  ==================================================================  ==============
root        right answers (the honest classmate)                                full
daemon      the notebook as a link to the source (solutions), links to key.py,  not graded
            /proc/self/environ and a planted secret
bin         right answers; links to the inbound folder and to the course        full
sys         right answers; a hard link to a root-owned secret                   full
games       right answers; a FIFO, a device file (/dev/zero's) and a socket     full
man         right answers; a 150 MB sparse file                                 full
lp          right answers; a real 150 MB file; its autograded notebook is       full
            then broken before generate_feedback
mail        right answers; timestamp.txt and folder name backdated to 2020      full, late
news        right answers with ``schema_version: 1`` nbgrader metadata          full
uucp        right answers; no submission_secret.txt                             full
backup      (in submitted/) right answers; links to key.py and a FIFO           full
alice       alice.zip holding ``extracted/bob/q1_break_even.ipynb`` (right)     full
bob         bob_q1_break_even.ipynb, the first three items right                mixed3
carol       carol.zip holding two different q1_break_even.ipynb                 not collected
dave        dave.zip whose q1_break_even.ipynb is a symbolic link               not collected
=HYPERLINK  a student id (added with ``nbgrader db student add``)               0 in the CSVs
==========  ==================================================================  ==============

The stock nbgrader 0.9.6 pipeline fails this class: collect follows the links (daemon scores 11
of 11 from the source notebook) and stops on the sparse file; zip_collect files alice's zip as
bob's and stops on the duplicate; autograde stops at news; release_feedback stops at uucp; the
CSVs carry a formula.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import hashlib
import io
import os
import pwd
import secrets
import socket
import stat
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import class_support as cs
import nbformat
import pytest

sys.path.insert(0, str(cs.COURSE))
from ftroi_course.sandbox import find_bwrap, probe_sandbox  # noqa: E402

QUIZ = cs.QUIZ
NB = f"{QUIZ}.ipynb"
MB = 1_000_000
DUE = "2025-06-01 00:00:00 UTC"
EXCHANGE_STUDENTS = ["root", "daemon", "bin", "sys", "games", "man", "lp", "mail", "news",
                     "uucp"]
FULL_MARKS = ["root", "bin", "sys", "games", "man", "lp", "mail", "news", "uucp", "backup",
              "alice"]
FORMULA_ID = '=HYPERLINK("evil.example","x")'
NO_SANDBOX = probe_sandbox(find_bwrap())

pytestmark = [
    pytest.mark.nbgrader,
    pytest.mark.skipif(os.geteuid() != 0, reason="real local accounts own the exchange folders: "
                                                 "making them needs root"),
]


@dataclass
class HostileClass:
    course: Path
    exchange: Path
    quiz: cs.Quiz
    started: datetime.datetime
    secret_marker: str
    env_marker: str
    logs: dict[str, str] = field(default_factory=dict)
    codes: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    #: student -> the bytes of every file they handed in (relative path -> sha256)
    own_files: dict[str, dict[str, str]] = field(default_factory=dict)

    def files(self, *parts: str) -> set[str]:
        root = self.course.joinpath(*parts)
        return {str(p.relative_to(root)) for p in root.rglob("*") if not p.is_dir()}

    def auto_scores(self) -> dict[str, float]:
        students = FULL_MARKS + ["bob", "daemon", "carol", "dave"]
        graded = cs.gradebook_scores(f"sqlite:///{self.course / 'gradebook.db'}", QUIZ, students)
        return {s: sum(g[i] for i in self.quiz.points) for s, g in graded.items()}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _uid(name: str) -> int:
    return pwd.getpwnam(name).pw_uid


def _right(quiz: cs.Quiz, student: str) -> str:
    return nbformat.writes(quiz.submission("right", student))


def _old_schema(text: str) -> str:
    nb = nbformat.reads(text, as_version=4)
    for cell in nb.cells:
        if "nbgrader" in cell.metadata:
            cell.metadata.nbgrader["schema_version"] = 1
    return nbformat.writes(nb)


def _inbound_folder(hc: HostileClass, student: str, stamp: str, notebook: str | None,
                    secret: bool = True) -> Path:
    folder = hc.exchange / "ftroi" / "inbound" / f"{student}+{QUIZ}+{stamp}+{secrets.token_hex(4)}"
    folder.mkdir()
    (folder / "timestamp.txt").write_text(stamp)
    if notebook is not None:
        (folder / NB).write_text(notebook)
    if secret:
        (folder / "submission_secret.txt").write_text(secrets.token_hex(16))
    hc.own_files[student] = {str(p.relative_to(folder)): _sha(p.read_bytes())
                             for p in folder.iterdir() if p.is_file()}
    return folder


def _give_to(folder: Path, student: str, keep: tuple[str, ...] = ()) -> None:
    """Make ``student`` own the folder and everything in it (links themselves, not targets)."""
    uid = _uid(student)
    for path in [folder, *folder.rglob("*")]:
        if path.name not in keep:
            os.lchown(path, uid, -1)


def _hand_in_through_exchange(hc: HostileClass, planted: Path) -> None:
    course, quiz = hc.course, hc.quiz
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    (hc.exchange / "ftroi" / "inbound").mkdir(parents=True)
    (hc.exchange / "ftroi" / "feedback").mkdir()
    folders = {}
    for student in EXCHANGE_STUDENTS:
        notebook = None if student == "daemon" else _right(quiz, student)
        if student == "news":
            notebook = _old_schema(notebook)
        stamp = "2020-01-01 00:00:00.000000 UTC" if student == "mail" else now
        folders[student] = _inbound_folder(hc, student, stamp, notebook,
                                           secret=student != "uucp")
    links = folders["daemon"]
    (links / NB).symlink_to(course / "source" / QUIZ / NB)
    (links / "key.py").symlink_to(course / "ftroi_course" / "key.py")
    (links / "environ").symlink_to("/proc/self/environ")
    (links / "secret.txt").symlink_to(planted)
    (folders["bin"] / "classmates").symlink_to(hc.exchange / "ftroi" / "inbound")
    (folders["bin"] / "course").symlink_to(course)
    os.link(planted, folders["sys"] / "stolen.txt")
    os.mkfifo(folders["games"] / "pipe")
    os.mknod(folders["games"] / "zero", 0o666 | stat.S_IFCHR, os.makedev(1, 5))
    with socket.socket(socket.AF_UNIX) as sock, contextlib.chdir(folders["games"]):
        sock.bind("sock")  # relative: the full path is longer than AF_UNIX allows
    with (folders["man"] / "sparse.bin").open("wb") as fh:
        fh.truncate(150 * MB)
    with (folders["lp"] / "real.bin").open("wb") as fh:
        for _ in range(150):
            fh.write(os.urandom(1024) * 1024)
    for student, folder in folders.items():
        _give_to(folder, student, keep=("stolen.txt",))


def _hand_in_as_downloads(hc: HostileClass) -> None:
    quiz = hc.quiz
    archive = hc.course / "downloaded" / QUIZ / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "alice.zip", "w") as zf:
        zf.writestr(f"extracted/bob/{NB}", _right(quiz, "alice"))
    bob = nbformat.writes(quiz.submission("mixed3", "bob"))
    (archive / f"bob_{NB}").write_text(bob)
    with zipfile.ZipFile(archive / "carol.zip", "w") as zf:
        zf.writestr(NB, _right(quiz, "carol"))
        zf.writestr(f"old/{NB}", nbformat.writes(quiz.submission("wrong", "carol")))
    with zipfile.ZipFile(archive / "dave.zip", "w") as zf:
        link = zipfile.ZipInfo(NB)
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, str(hc.course / "source" / QUIZ / NB))
    hc.own_files["alice"] = {NB: _sha(_right(quiz, "alice").encode())}
    hc.own_files["bob"] = {NB: _sha(bob.encode())}


def _hand_in_directly(hc: HostileClass) -> None:
    folder = hc.course / "submitted" / "backup" / QUIZ
    folder.mkdir(parents=True)
    (folder / NB).write_text(_right(hc.quiz, "backup"))
    hc.own_files["backup"] = {NB: _sha((folder / NB).read_bytes())}
    (folder / "key.py").symlink_to(hc.course / "ftroi_course" / "key.py")
    os.mkfifo(folder / "pipe")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> HostileClass:
    if NO_SANDBOX is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the autograding sandbox cannot run here: {NO_SANDBOX}")
        pytest.skip(f"no autograding sandbox on this machine: {NO_SANDBOX}")
    tmp = tmp_path_factory.mktemp("hostile")
    course = cs.make_course(tmp)
    planted = tmp / "instructor_secret.txt"
    hc = HostileClass(course, tmp / "exchange", None,  # type: ignore[arg-type]
                      datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None),
                      f"PLANTED-SECRET-{secrets.token_hex(8)}",
                      f"PLANTED-ENV-{secrets.token_hex(8)}")
    planted.write_text(hc.secret_marker)
    planted.chmod(0o600)
    env = cs.tool_env(FTROI_EXCHANGE_ROOT=str(hc.exchange), FTROI_TEST_PLANTED=hc.env_marker)

    def nbgrader(step: str, *args: str) -> None:
        started = time.monotonic()
        proc = cs.run(course, "nbgrader", *args, env=env)
        hc.seconds[step] = round(time.monotonic() - started, 1)
        hc.logs[step], hc.codes[step] = proc.stdout + proc.stderr, proc.returncode

    nbgrader("generate", "generate_assignment", QUIZ, "--force")
    assert hc.codes["generate"] == 0, hc.logs["generate"][-3000:]
    nbgrader("duedate", "db", "assignment", "add", QUIZ, f"--duedate={DUE}")
    nbgrader("student", "db", "student", "add", FORMULA_ID, "--last-name=@SUM(1+1)",
             "--first-name=-2+3", "--email=+cmd@example.org")
    hc.quiz = cs.load_quiz(course)
    _hand_in_through_exchange(hc, planted)
    _hand_in_as_downloads(hc)
    _hand_in_directly(hc)
    nbgrader("zip_collect", "zip_collect", QUIZ)
    nbgrader("collect", "collect", QUIZ)
    nbgrader("autograde", "autograde", QUIZ)
    broken = course / "autograded" / "lp" / QUIZ / NB
    if broken.parent.is_dir():  # (stock nbgrader never gets this far)
        broken.write_text("{ not a notebook")
    if (course / "autograded" / "backup" / QUIZ).is_dir():  # a link planted after autograde
        (course / "autograded" / "backup" / QUIZ / "key.py").symlink_to(
            course / "ftroi_course" / "key.py")
    nbgrader("feedback", "generate_feedback", QUIZ)
    nbgrader("release", "release_feedback", QUIZ)
    nbgrader("export", "export")
    nbgrader("canvas", "export", "--exporter=ftroi_course.export.CanvasExportPlugin",
             "--to=canvas.csv")
    print("seconds per command:", hc.seconds, "exit codes:", hc.codes)
    return hc


# -- collect, zip_collect: what reaches submitted/ -------------------------------------------


def test_collect_copies_only_each_students_own_regular_files(hostile):
    assert hostile.codes["collect"] == 0, hostile.logs["collect"][-3000:]
    expected = {NB, "timestamp.txt", "submission_secret.txt"}
    for student in ["root", "bin", "sys", "games", "mail", "news"]:
        assert hostile.files("submitted", student, QUIZ) == expected, student
    assert hostile.files("submitted", "daemon", QUIZ) == {"timestamp.txt",
                                                          "submission_secret.txt"}
    assert hostile.files("submitted", "uucp", QUIZ) == {NB, "timestamp.txt"}
    assert hostile.files("submitted", "lp", QUIZ) == expected  # real.bin refused
    for student, own in hostile.own_files.items():
        folder = hostile.course / "submitted" / student / QUIZ
        for rel, digest in own.items():
            if rel != "timestamp.txt" and (folder / rel).exists():
                assert _sha((folder / rel).read_bytes()) == digest, (student, rel)


@pytest.mark.parametrize("student, what, reason", [
    ("daemon", NB, "a symbolic link"), ("daemon", "key.py", "a symbolic link"),
    ("daemon", "environ", "a symbolic link"), ("bin", "classmates", "a symbolic link"),
    ("bin", "course", "a symbolic link"), ("sys", "stolen.txt", "a hard link"),
    ("games", "pipe", "a FIFO"), ("games", "zero", "a device file"),
    ("games", "sock", "a socket"), ("lp", "real.bin", "over the cap of 100.0 MB per file"),
])
def test_collect_logs_each_skipped_file_with_the_student_and_the_reason(hostile, student, what,
                                                                        reason):
    lines = [ln for ln in hostile.logs["collect"].splitlines()
             if f"{student}'s submission: skipped {what}:" in ln]
    assert len(lines) == 1 and reason in lines[0], hostile.logs["collect"][-3000:]


def test_a_sparse_file_is_collected_sparse_and_does_not_stop_the_class(hostile):
    # collect copied it, sparse; autograde then moved it aside (nbgrader's copy would fill it)
    sparse = hostile.course / "quarantine" / "submitted" / "man" / QUIZ / "sparse.bin"
    st = sparse.stat()
    assert st.st_size == 150 * MB and st.st_blocks * 512 < MB
    assert "Directory size is too big" not in hostile.logs["collect"]


def test_zip_collect_files_each_download_under_its_own_name(hostile):
    assert hostile.codes["zip_collect"] == 0, hostile.logs["zip_collect"][-3000:]
    assert hostile.files("submitted", "alice", QUIZ) == {NB}
    assert hostile.files("submitted", "bob", QUIZ) == {NB}
    for student in ("alice", "bob"):
        got = (hostile.course / "submitted" / student / QUIZ / NB).read_bytes()
        assert _sha(got) == hostile.own_files[student][NB], student
    assert not (hostile.course / "submitted" / "carol").exists()
    assert not (hostile.course / "submitted" / "dave").exists()
    log = hostile.logs["zip_collect"]
    assert "carol: carol.zip not extracted: the archive holds 2 files named" in log
    assert f"dave: skipped {NB} in dave.zip: not a regular file" in log


# -- autograde and feedback ------------------------------------------------------------------


def test_the_hostile_class_gets_exact_scores(hostile):
    assert hostile.codes["autograde"] == 0, hostile.logs["autograde"][-3000:]
    scores = hostile.auto_scores()
    full = hostile.quiz.full
    assert scores == {**dict.fromkeys(FULL_MARKS, full),
                      "bob": hostile.quiz.expected("mixed3")}, hostile.logs["autograde"][-4000:]


def test_autograde_upgrades_old_nbgrader_metadata_and_grades_everyone(hostile):
    log = hostile.logs["autograde"]
    cells = sum("nbgrader" in c.metadata for c in hostile.quiz.release.cells)
    assert f"student news: {cells} cells carried nbgrader metadata of an old schema" in log
    assert "nbgrader update ." not in log  # nbgrader's stop-everything message


def test_autograde_moves_links_and_fifos_out_of_submitted_before_copying(hostile):
    assert hostile.files("autograded", "backup", QUIZ) == {NB}
    assert hostile.files("quarantine", "submitted", "backup", QUIZ) == {"key.py", "pipe"}
    assert (hostile.course / "quarantine" / "submitted" / "backup" / QUIZ / "key.py").is_symlink()
    log = hostile.logs["autograde"]
    assert "backup's submitted/q1_break_even: moved key.py" in log
    assert "backup's submitted/q1_break_even: moved pipe" in log and "a FIFO" in log
    assert "sparse.bin" not in hostile.files("autograded", "man", QUIZ)
    assert "man's submitted/q1_break_even: moved sparse.bin" in log


def test_generate_feedback_skips_only_the_broken_notebook(hostile):
    feedback = {s for s in FULL_MARKS + ["bob"]
                if (hostile.course / "feedback" / s / QUIZ / f"{QUIZ}.html").is_file()}
    assert feedback == set(FULL_MARKS + ["bob"]) - {"lp"}, hostile.logs["feedback"][-3000:]
    assert f"There was an error processing assignment '{QUIZ}' for student 'lp'" in (
        hostile.logs["feedback"])
    assert hostile.codes["feedback"] == 1  # nbgrader's status when any submission failed


def test_generate_feedback_moves_a_link_out_of_autograded_before_copying(hostile):
    assert hostile.files("feedback", "backup", QUIZ) == {f"{QUIZ}.html"}
    moved = hostile.course / "quarantine" / "autograded" / "backup" / QUIZ / "key.py"
    assert moved.is_symlink()
    assert "backup's autograded/q1_break_even: moved key.py" in hostile.logs["feedback"]


def test_release_feedback_skips_a_folder_without_submission_secret(hostile):
    assert hostile.codes["release"] == 0, hostile.logs["release"][-3000:]
    released = list((hostile.exchange / "ftroi" / "feedback").glob("*.html"))
    # through the exchange, with a secret and feedback (lp's feedback failed; uucp has no secret)
    assert len(released) == len(["root", "bin", "sys", "games", "man", "mail", "news"])
    assert "student uucp: feedback q1_break_even.html not released: its folder has no " \
           "submission_secret.txt" in hostile.logs["release"]


def test_nothing_from_outside_a_students_folder_reaches_the_course_or_the_exchange(hostile):
    key_py = (cs.COURSE / "ftroi_course" / "key.py").read_bytes()
    needles = {
        "planted secret": hostile.secret_marker.encode(),
        "instructor environment": hostile.env_marker.encode(),
        "key.py": key_py[len(key_py) // 2:len(key_py) // 2 + 200],
        "source solutions": b"### BEGIN SOLUTION",
        "a classmate's folder": f"root+{QUIZ}".encode(),
    }
    roots = [hostile.course / d for d in ("submitted", "autograded", "feedback")]
    roots.append(hostile.exchange / "ftroi" / "feedback")
    checked = 0
    for root in roots:
        for path in root.rglob("*"):
            if path.is_symlink():
                pytest.fail(f"a link was copied: {path}")
            if not path.is_file() or path.name == "sparse.bin":
                continue
            data = path.read_bytes()
            checked += 1
            for what, needle in needles.items():
                assert needle not in data and needle not in str(path).encode(), (what, path)
    assert checked > 30


# -- identity: time and the CSVs -------------------------------------------------------------


def test_a_backdated_timestamp_is_recorded_as_the_exchanges_time_and_late(hostile):
    from nbgrader.api import Gradebook

    stamp = (hostile.course / "submitted" / "mail" / QUIZ / "timestamp.txt").read_text()
    assert stamp.startswith(str(hostile.started.year)) and not stamp.startswith("2020")
    with Gradebook(f"sqlite:///{hostile.course / 'gradebook.db'}", "ftroi") as gb:
        submission = gb.find_submission(QUIZ, "mail")
        assert submission.timestamp >= hostile.started - datetime.timedelta(seconds=5)
        assert submission.total_seconds_late > 0
    assert "mail: timestamp.txt says 2020-01-01 00:00:00 but the exchange received" in (
        hostile.logs["collect"])


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_nbgraders_csv_neutralises_formulas_and_keeps_numbers(hostile):
    assert hostile.codes["export"] == 0, hostile.logs["export"][-3000:]
    rows = _csv_rows(hostile.course / "grades.csv")
    header, body = rows[0], rows[1:]
    assert header[3] == "student_id" and header[-1] == "max_score"
    evil = [r for r in body if "HYPERLINK" in r[3]]
    assert len(evil) == 1 and all(len(r) == len(header) for r in body)
    assert evil[0][3:7] == ["'" + FORMULA_ID, "'@SUM(1+1)", "'-2+3", "'+cmd@example.org"]
    for row in body:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), row
        assert all(float(x) >= 0 for x in row[7:]), row  # the score columns are numbers
    by_id = {r[3]: float(r[9]) for r in body}
    assert by_id["root"] == hostile.auto_scores()["root"] and by_id["'" + FORMULA_ID] == 0.0


def test_canvas_csv_neutralises_formulas(hostile):
    assert hostile.codes["canvas"] == 0, hostile.logs["canvas"][-3000:]
    rows = _csv_rows(hostile.course / "canvas.csv")
    evil = [r for r in rows[2:] if "HYPERLINK" in r[3]]
    assert evil and evil[0][0] == "'@SUM(1+1), -2+3" and evil[0][3] == "'" + FORMULA_ID
    assert float(evil[0][5]) == 0.0
    assert {r[3] for r in rows[2:] if r[3] == "root"} == {"root"}


# -- safe_copytree on its own (no nbgrader) --------------------------------------------------


def test_safe_copytree_refuses_a_link_as_the_folder_itself(tmp_path):
    import logging

    from ftroi_course.safe_copy import UnsafeFolder, safe_copytree

    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    with pytest.raises(UnsafeFolder, match="eve's submission folder .* is a symbolic link"):
        safe_copytree(tmp_path / "link", tmp_path / "out", student="eve",
                      log=logging.getLogger("test"))
    assert not (tmp_path / "out").exists()


def test_safe_copytree_caps_the_whole_submission_on_disk(tmp_path, caplog):
    import logging

    from ftroi_course.safe_copy import safe_copytree

    src = tmp_path / "src"
    src.mkdir()
    for name in ("a.bin", "b.bin", "c.bin"):
        (src / name).write_bytes(b"x" * 40_000)
    (src / "sub").mkdir()
    with (src / "sub" / "sparse.bin").open("wb") as fh:
        fh.truncate(10 * MB)
    with caplog.at_level(logging.WARNING):
        report = safe_copytree(src, tmp_path / "out", student="eve",
                               log=logging.getLogger("test"), max_total_bytes=100_000)
    assert report.copied == ["a.bin", "b.bin", "sub/sparse.bin"]
    assert [r for r, _ in report.skipped] == ["c.bin"]
    assert "eve's submission: skipped c.bin: the submission would take" in caplog.text
    out = tmp_path / "out" / "sub" / "sparse.bin"
    assert out.stat().st_size == 10 * MB and out.stat().st_blocks * 512 < MB


def test_csv_cell_keeps_negative_numbers_only_in_numeric_columns():
    from ftroi_course.export import csv_cell

    assert csv_cell(-1.5, numeric=True) == -1.5
    assert csv_cell("-1.5", numeric=True) == "-1.5"
    assert csv_cell("-1.5") == "'-1.5"
    assert csv_cell("-inf", numeric=True) == "'-inf"
    assert csv_cell(True, numeric=True) == "True"
    assert csv_cell("\tx") == "'\tx" and csv_cell("\rx") == "'\rx"
    out = io.StringIO()
    csv.writer(out).writerow([csv_cell('=HYPERLINK("a","b")'), csv_cell(-3, numeric=True)])
    assert out.getvalue() == "\"'=HYPERLINK(\"\"a\"\",\"\"b\"\")\",-3\r\n"


@pytest.mark.parametrize("module", ["safe_copy", "zipcollect", "export", "exchange"])
def test_student_file_modules_doctests_pass(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"ftroi_course.{module}"))
    assert result.attempted > 0 and result.failed == 0


def _cell_with_schema(version):
    cell = nbformat.v4.new_code_cell("x = 1")
    cell.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False,
                                 "grade_id": "x", "schema_version": version}
    return cell


def test_old_nbgrader_metadata_is_upgraded_and_newer_refused_naming_the_student():
    from ftroi_course.submission_guard import UpgradeStudentMetadata
    from nbgrader.nbgraderformat import SCHEMA_VERSION, MetadataValidator

    resources = {"nbgrader": {"student": "news"}}
    nb = nbformat.v4.new_notebook(cells=[_cell_with_schema(1)])
    nb, _ = UpgradeStudentMetadata().preprocess(nb, resources)
    assert nb.cells[0].metadata.nbgrader["schema_version"] == SCHEMA_VERSION
    MetadataValidator().validate_nb(nb)  # what nbgrader's CheckCellMetadata then checks
    newer = nbformat.v4.new_notebook(cells=[_cell_with_schema(SCHEMA_VERSION + 1)])
    with pytest.raises(ValueError, match="student news: cell 0 claims nbgrader metadata schema"):
        UpgradeStudentMetadata().preprocess(newer, resources)
    broken = nbformat.v4.new_notebook(cells=[_cell_with_schema("one")])
    with pytest.raises(ValueError, match="student news: cell 0 has nbgrader metadata that"):
        UpgradeStudentMetadata().preprocess(broken, resources)


# --- found by an outside-style attack after the class above was written ----------------------


@pytest.mark.parametrize("name", ["ann\nbob.zip", "ann bob.zip", "ann\rbob_q1_break_even.ipynb",
                                  "tab\there.zip", "bell\x07.zip"])
def test_zip_collect_refuses_a_download_whose_student_id_has_white_space_or_control_characters(
        name):
    # A newline in an id made submitted/ann\nbob/, and stock autograde then stopped for the class.
    from ftroi_course.zipcollect import ArchiveNameExtractor

    assert ArchiveNameExtractor().identify(name) is None


def test_zip_collect_still_names_ordinary_downloads():
    from ftroi_course.zipcollect import ArchiveNameExtractor

    extractor = ArchiveNameExtractor()
    assert extractor.identify("alice.zip") == ("alice", None)
    assert extractor.identify("bob_q1_break_even.ipynb") == ("bob", "q1_break_even.ipynb")


def _student_quiz_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "course" / "autograded" / "s4" / "q1_break_even"
    folder.mkdir(parents=True)
    (folder / "q1_break_even.ipynb").write_text("{}")
    (folder / "README.html").write_text("<script>fetch('/api/contents')</script>")
    (folder / "picture.svg").write_text("<svg onload='alert(1)'/>")
    (folder / "data.csv").write_text("1,2\n")
    (folder / "evil\n[ERROR] name.txt").write_text("forged")
    return folder


def test_feedback_leaves_the_students_own_web_pages_and_control_character_names_behind(
        tmp_path):
    import logging

    from ftroi_course.submission_guard import quarantine_unsafe

    folder = _student_quiz_folder(tmp_path)
    moved = dict(quarantine_unsafe(str(folder), log=logging.getLogger("t"), web_pages=True))
    assert set(moved) == {"README.html", "picture.svg", "evil\n[ERROR] name.txt"}
    assert sorted(p.name for p in folder.iterdir()) == ["data.csv", "q1_break_even.ipynb"]
    quarantined = tmp_path / "course" / "quarantine" / "autograded" / "s4" / "q1_break_even"
    assert (quarantined / "README.html").read_text().startswith("<script>")


def test_autograde_keeps_web_pages_but_never_a_control_character_name(tmp_path):
    import logging

    from ftroi_course.submission_guard import quarantine_unsafe

    folder = _student_quiz_folder(tmp_path)
    moved = dict(quarantine_unsafe(str(folder), log=logging.getLogger("t")))
    assert set(moved) == {"evil\n[ERROR] name.txt"}
    assert "control character" in moved["evil\n[ERROR] name.txt"]


def test_release_feedback_releases_only_the_graded_notebooks_pages(tmp_path):
    # A student's own README.html in feedback/ is not a notebook of the quiz: never released.
    from ftroi_course.exchange import released_notebook_ids

    source = tmp_path / "source" / cs.QUIZ
    source.mkdir(parents=True)
    (source / f"{cs.QUIZ}.ipynb").write_text("{}")
    (source / "README.html").write_text("<script></script>")
    assert released_notebook_ids(str(source)) == {cs.QUIZ}
    assert released_notebook_ids(str(cs.COURSE / "source" / cs.QUIZ)) == {cs.QUIZ}


def test_feedback_keeps_only_the_pages_nbgrader_wrote(tmp_path):
    # nbgrader copies every non-notebook file of autograded/ into feedback/: a student's
    # README.html or q1_break_even_feedback.html would travel with the real feedback page.
    from ftroi_course.submission_guard import feedback_pages_hook

    notebook = tmp_path / "autograded" / "s4" / QUIZ / f"{QUIZ}.ipynb"
    notebook.parent.mkdir(parents=True)
    notebook.write_text("{}")
    out = tmp_path / "feedback" / "s4" / QUIZ
    out.mkdir(parents=True)
    for name in (f"{QUIZ}.html", "README.html", f"{QUIZ}_feedback.html", "x.svg", "data.csv"):
        (out / name).write_text("<script></script>" if name != "data.csv" else "1,2\n")
    feedback_pages_hook("feedback")(assignment=QUIZ, student="*", notebooks=[str(notebook)])
    assert sorted(p.name for p in out.iterdir()) == ["data.csv", f"{QUIZ}.html"]
    assert (tmp_path / "quarantine" / "feedback" / "s4" / QUIZ / "README.html").is_file()
