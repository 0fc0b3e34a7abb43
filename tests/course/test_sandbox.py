"""The autograding sandbox (quizzes/ftroi_course/sandbox/) against hostile notebooks.

Each test drives ``SandboxedExecute`` (the preprocessor ``nbgrader autograde`` runs) on a small
notebook, in a temporary course laid out like ``quizzes/``: ``source/`` with the instructor's
notebook, ``gradebook.db``, another student's submission and this student's folder in
``autograded/``. Cell timeouts are short so that the loops cost seconds.

Without bubblewrap, or where it cannot create namespaces, the tests that need a sandbox are
skipped with the reason; under ``CI=true`` they fail instead. The refusal, the opt-out and the
pipeline's wiring are tested everywhere.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from class_support import Listener
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "quizzes"
if str(COURSE) not in sys.path:
    sys.path.insert(0, str(COURSE))

from ftroi_course import sandbox  # noqa: E402
from ftroi_course.sandbox import (  # noqa: E402
    SandboxedExecute,
    SandboxUnavailableError,
    find_bwrap,
    output_bytes,
    probe_sandbox,
)

STUDENT = "s1"
QUIZ = "q1"
SPAWN_MARKER = "ftroi-sandbox-test-child"
PROBLEM = probe_sandbox(find_bwrap())
needs_sandbox = pytest.mark.skipif(
    PROBLEM is not None and os.environ.get("CI") != "true",
    reason=f"no sandbox on this machine: {PROBLEM}")


@pytest.fixture(autouse=True, scope="module")
def _sandbox_required_in_ci():
    if PROBLEM is not None and os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but the autograding sandbox cannot run here: {PROBLEM}")


# -- a temporary course ---------------------------------------------------------------------------

class Course:
    """A tmp folder laid out like quizzes/, with this student's folder in autograded/."""

    def __init__(self, root: Path) -> None:
        self.root = root / "quizzes"
        self.source = self.root / "source" / QUIZ / f"{QUIZ}.ipynb"
        self.gradebook = self.root / "gradebook.db"
        self.other = self.root / "submitted" / "s2" / QUIZ / f"{QUIZ}.ipynb"
        self.folder = self.root / "autograded" / STUDENT / QUIZ
        self.outside = root / "outside"
        for path, text in ((self.source, "THE ANSWER KEY"), (self.gradebook, "GRADEBOOK"),
                           (self.other, "ANOTHER STUDENT"),
                           (self.folder / "data.txt", "my own data"),
                           (self.outside / "secret.txt", "OUTSIDE THE COURSE")):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)

    def hashes(self) -> dict[str, str]:
        return {p.relative_to(self.root.parent).as_posix(): hashlib.sha256(p.read_bytes())
                .hexdigest() for p in sorted(self.root.parent.rglob("*")) if p.is_file()}

    def config(self, timeout: int = 20, **sandbox: object) -> Config:
        c = Config()
        c.CourseDirectory.root = str(self.root)
        c.CourseDirectory.db_url = f"sqlite:///{self.gradebook}"
        c.Execute.timeout = timeout
        c.SandboxedExecute.interrupt_grace_seconds = 2
        for name, value in sandbox.items():
            setattr(c.SandboxedExecute, name, value)
        return c


def run(course: Course, cells: list[str], timeout: int = 20, **sandbox: object):
    """Execute ``cells`` as nbgrader autograde would, in the sandbox; the executed notebook."""
    nb = new_notebook(cells=[new_code_cell(textwrap.dedent(c)) for c in cells],
                      metadata={"kernelspec": {"name": "python3", "language": "python",
                                               "display_name": "Python 3"}})
    ep = SandboxedExecute(config=course.config(timeout, **sandbox))
    resources = {"metadata": {"path": str(course.folder)},
                 "nbgrader": {"student": STUDENT, "assignment": QUIZ, "notebook": QUIZ}}
    nb, _ = ep.preprocess(nb, resources)
    return nb


def stdout(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs
                   if o.output_type == "stream" and o.name == "stdout")


def errors(cell) -> list[str]:
    return [o.ename for o in cell.outputs if o.output_type == "error"]


# -- the saboteur: one notebook, many attempts --------------------------------------------------

SABOTEUR = """
import json, os, socket, sys
tries = {}
def attempt(name, fn):
    try:
        fn()
        tries[name] = "ok"
    except BaseException as exc:
        tries[name] = type(exc).__name__
def write(path):
    with open(path, "w") as fh:
        fh.write("sabotage")
attempt("read source", lambda: open(%(source)r).read())
attempt("read gradebook", lambda: open(%(gradebook)r).read())
attempt("read other student", lambda: open(%(other)r).read())
attempt("list course", lambda: os.listdir(%(course)r))
attempt("read key module", lambda: open(%(key_module)r).read())
attempt("read outside", lambda: open(%(outside)r).read())
attempt("read grader home", lambda: os.listdir(%(home)r))
attempt("write other student", lambda: write(%(other)r))
attempt("write gradebook", lambda: write(%(gradebook)r))
attempt("write source", lambda: write(%(source)r))
attempt("write outside", lambda: write(%(outside_new)r))
attempt("write repository", lambda: write(%(repo_file)r))
attempt("write python", lambda: write(os.path.join(sys.prefix, "sabotage.txt")))
attempt("write cwd", lambda: write("scratch.txt"))
attempt("connect 127.0.0.1", lambda: socket.create_connection(("127.0.0.1", %(port)d), 3))
attempt("connect 1.1.1.1", lambda: socket.create_connection(("1.1.1.1", 53), 3))
attempt("signal grader", lambda: os.kill(%(grader_pid)d, 0))
tries["processes"] = sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
tries["jupyter config"] = sorted(os.listdir(%(jupyter_config)r))
tries["cwd"] = os.getcwd()
tries["files"] = sorted(os.listdir("."))
tries["data"] = open("data.txt").read()
tries["env"] = dict(os.environ)
import ftroi_helpers
tries["learner package"] = ftroi_helpers.__name__
print(json.dumps(tries))
"""


@pytest.fixture(scope="module")
def saboteur(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("saboteur")
    course = Course(tmp)
    home = tmp / "grader-home"
    (home / ".ssh").mkdir(parents=True)
    (home / ".ssh" / "id_ed25519").write_text("PRIVATE KEY")
    before = course.hashes()
    listener = Listener()
    saved = {k: os.environ.get(k) for k in ("HOME", "NBGRADER_EXECUTION", "FTROI_TEST_TOKEN")}
    os.environ.update(HOME=str(home), NBGRADER_EXECUTION="autograde",
                      FTROI_TEST_TOKEN="secret-token")
    try:
        nb = run(course, [SABOTEUR % {
            "source": str(course.source), "gradebook": str(course.gradebook),
            "other": str(course.other), "course": str(course.root / "submitted"),
            "key_module": str(COURSE / "ftroi_course" / "key.py"),
            "outside": str(course.outside / "secret.txt"),
            "outside_new": str(course.outside / "new.txt"), "home": str(home),
            "repo_file": str(ROOT / "sabotage.txt"), "port": listener.port,
            "grader_pid": os.getpid(),
            "jupyter_config": os.path.join(sys.prefix, "etc", "jupyter")}])
    finally:
        listener.close()
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    out = stdout(nb.cells[0])
    assert out, nb.cells[0].outputs
    return {"tries": json.loads(out), "before": before, "after": course.hashes(),
            "hits": listener.hits, "course": course}


@needs_sandbox
def test_the_course_files_cannot_be_read(saboteur):
    tries = saboteur["tries"]
    for what in ("read source", "read gradebook", "read other student", "list course"):
        assert tries[what] == "FileNotFoundError", what


@needs_sandbox
def test_the_instructor_package_the_grader_home_and_other_folders_cannot_be_read(saboteur):
    tries = saboteur["tries"]
    for what in ("read key module", "read outside", "read grader home"):
        assert tries[what] == "FileNotFoundError", what


@needs_sandbox
def test_writes_outside_the_scratch_folder_fail(saboteur):
    tries = saboteur["tries"]
    for what in ("write other student", "write gradebook", "write source", "write outside",
                 "write repository", "write python"):
        assert tries[what] in {"FileNotFoundError", "PermissionError", "OSError"}, what
    assert tries["write cwd"] == "ok"


@needs_sandbox
def test_every_file_of_the_course_is_byte_identical_afterwards(saboteur):
    assert saboteur["after"] == saboteur["before"]
    assert not (ROOT / "sabotage.txt").exists()
    assert not Path(sys.prefix, "sabotage.txt").exists()


@needs_sandbox
def test_the_kernel_works_in_a_scratch_copy_of_the_students_folder(saboteur):
    tries, course = saboteur["tries"], saboteur["course"]
    assert tries["cwd"] == str(course.folder.resolve())
    assert tries["files"] == ["data.txt", "scratch.txt"] and tries["data"] == "my own data"
    assert not (course.folder / "scratch.txt").exists()  # written to the copy only


@needs_sandbox
def test_the_listener_on_127_0_0_1_never_receives_a_connection(saboteur):
    assert saboteur["tries"]["connect 127.0.0.1"] in {"ConnectionRefusedError", "OSError"}
    assert saboteur["tries"]["connect 1.1.1.1"] in {"OSError", "TimeoutError"}
    assert saboteur["hits"] == []


@needs_sandbox
def test_the_kernel_sees_only_its_own_processes(saboteur):
    tries = saboteur["tries"]
    assert tries["signal grader"] == "ProcessLookupError"
    assert len(tries["processes"]) <= 3 and max(tries["processes"]) <= 3


@needs_sandbox
def test_jupyters_config_folders_are_hidden(saboteur):
    host = Path(sys.prefix, "etc", "jupyter")
    assert host.is_dir() and any(host.iterdir())
    assert saboteur["tries"]["jupyter config"] == []


@needs_sandbox
def test_the_kernel_env_has_the_student_id_and_nbgrader_execution_and_no_grader_secrets(
        saboteur):
    env = saboteur["tries"]["env"]
    assert env["FTROI_STUDENT_ID"] == STUDENT
    assert env["NBGRADER_EXECUTION"] == "autograde"
    assert "FTROI_TEST_TOKEN" not in env and "JPY_PARENT_PID" not in env
    assert env["HOME"] != os.environ.get("HOME")


@needs_sandbox
def test_the_learners_package_imports_in_the_sandbox(saboteur):
    assert saboteur["tries"]["learner package"] == "ftroi_helpers"


# -- a clean start ----------------------------------------------------------------------------------

#: Files a submission might hand in to run code before its own cells (issue 19, item 6). Each
#: leaves a mark in the sandbox's /tmp; the fake launcher then starts the real kernel, so the
#: notebook still runs and can report what ran.
PLANTED = {
    "ipykernel_launcher.py": "import os, sys\nopen('/tmp/ran-ipykernel_launcher', 'w')\n"
                             "os.execv(sys.executable, [sys.executable, '-P', '-m', "
                             "'ipykernel_launcher', *sys.argv[1:]])\n",
    "sitecustomize.py": "open('/tmp/ran-sitecustomize', 'w')\n",
    "usercustomize.py": "open('/tmp/ran-usercustomize', 'w')\n",
    "numpy.py": "open('/tmp/ran-numpy', 'w')\n",
    "zmq.py": "open('/tmp/ran-zmq', 'w')\n",
    "ftroi_helpers.py": "open('/tmp/ran-ftroi_helpers', 'w')\n",
    "evil.pth": "import os; open('/tmp/ran-pth', 'w')\n",
}

CLEAN_START_CHECK = """
import json, os, sys
import numpy, ftroi_helpers
print(json.dumps({"ran": sorted(f for f in os.listdir("/tmp") if f.startswith("ran-")),
                  "numpy": numpy.__file__, "ftroi_helpers": ftroi_helpers.__file__,
                  "cwd_on_path": "" in sys.path or os.getcwd() in sys.path,
                  "files": sorted(os.listdir("."))}))
"""


@needs_sandbox
def test_files_named_like_modules_in_the_submission_never_run_at_kernel_start(tmp_path):
    course = Course(tmp_path)
    for name, code in PLANTED.items():
        (course.folder / name).write_text(code)
    nb = run(course, [CLEAN_START_CHECK])
    seen = json.loads(stdout(nb.cells[0]))
    assert seen["ran"] == []
    assert not seen["cwd_on_path"]
    for module in ("numpy", "ftroi_helpers"):  # the real ones, not the planted files
        assert not seen[module].startswith(str(course.folder.resolve())), seen[module]
    assert set(PLANTED) <= set(seen["files"])  # the files were there, in the working folder


@needs_sandbox
def test_a_submission_folder_of_many_files_cannot_hold_up_the_kernels_start(tmp_path):
    course = Course(tmp_path)
    many = course.folder / "many"
    many.mkdir()
    for i in range(12_000):
        (many / f"f{i}").touch()
    nb = run(course, ["import os\nprint(sum(len(d) + len(f) for _, d, f in os.walk('.')))"])
    assert int(stdout(nb.cells[0])) == sandbox.launcher.MAX_COPIED_ENTRIES == 10_000


#: Tries to leave something on the host: a file named MARK in every folder it may write to; the
#: folders written go to OUT. Run by a cell, and by a planted ipykernel_launcher.py at kernel start.
ESCAPE = """
import json, os, sys
mark, wrote = %(mark)r, []
for folder, dirs, files in os.walk("/"):
    if folder.startswith(("/proc", "/sys", "/dev/pts")):
        dirs[:] = []
        continue
    if os.access(folder, os.W_OK):
        try:
            with open(os.path.join(folder, mark), "w") as fh:
                fh.write("left behind")
            os.chmod(os.path.join(folder, mark), 0o777)
            wrote.append([folder, os.stat(folder).st_dev])
        except OSError:
            pass
private = [os.stat(p).st_dev for p in (os.getcwd(), "/tmp", "/dev/shm", "/run/ftroi/ipc")
           if os.path.isdir(p)]
with open(%(out)r, "w") as fh:
    json.dump({"wrote": wrote, "private": private}, fh)
"""
START_KERNEL = ("os.execv(sys.executable, [sys.executable, '-P', '-m', 'ipykernel_launcher', "
                "*sys.argv[1:]])\n")


def _tmp_entries() -> dict[str, float]:
    import tempfile

    found = {}
    for entry in os.scandir(tempfile.gettempdir()):
        try:
            found[entry.path] = entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
    return found


@needs_sandbox
def test_the_kernel_can_write_only_to_its_own_tmpfs_and_nothing_is_left_on_the_host(tmp_path):
    import tempfile

    course = Course(tmp_path)
    mark = f"ftroi-escape-{os.getpid()}-{tmp_path.name}"
    (course.folder / "ipykernel_launcher.py").write_text(
        ESCAPE % {"mark": mark, "out": "/tmp/at-start.json"} + START_KERNEL)
    before = _tmp_entries()
    nb = run(course, [ESCAPE % {"mark": mark, "out": "/tmp/in-a-cell.json"},
                      "import glob, json\n"
                      "print(json.dumps([json.load(open(f)) for f in glob.glob('/tmp/*.json')]))"])
    found = json.loads(stdout(nb.cells[1]))
    wrote = {folder: dev for run in found for folder, dev in run["wrote"]}
    assert "/tmp" in wrote and str(course.folder.resolve()) in wrote
    # every folder written lies on one of the sandbox's own tmpfs (a bound host folder would
    # have the host file system's device)
    private = {dev for run in found for dev in run["private"]}
    assert {f: d for f, d in wrote.items() if d not in private} == {}
    # on the host: no mark anywhere under the folders made or changed while it ran
    after = _tmp_entries()
    changed = [p for p, mtime in after.items() if before.get(p) != mtime]
    for top in [*changed, "/dev/shm", str(course.root.parent)]:
        for folder, _, files in os.walk(top):
            assert mark not in files, folder
    assert not list(Path(tempfile.gettempdir()).glob(f"ftroi-sbx-{os.getpid()}-*"))


# -- loops ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def looper(tmp_path_factory):
    course = Course(tmp_path_factory.mktemp("looper"))
    return run(course, [
        "x = 41",
        "while True:\n    pass",
        "print(x + 1)",
        # ignores the interrupt: killed after the grace period, a fresh kernel goes on
        "import time\nwhile True:\n    try:\n        time.sleep(60)\n"
        "    except KeyboardInterrupt:\n        pass",
        "print('after', 'x' in globals())",
    ], timeout=3, interrupt_grace_seconds=5)  # a loaded machine may answer late


@needs_sandbox
def test_an_endless_loop_gets_a_timeout_error_and_the_next_cells_still_run(looper):
    assert "CellTimeoutError" in errors(looper.cells[1])
    assert stdout(looper.cells[2]) == "42\n"  # the interrupt worked: the kernel kept its state


@needs_sandbox
def test_a_loop_that_ignores_the_interrupt_is_killed_and_a_fresh_kernel_runs_the_rest(looper):
    assert errors(looper.cells[3]) == ["CellTimeoutError"]
    assert "killed" in looper.cells[3].outputs[-1].evalue
    assert stdout(looper.cells[4]) == "after False\n"


@pytest.fixture(scope="module")
def cpu_and_disk(tmp_path_factory):
    course = Course(tmp_path_factory.mktemp("cpu"))
    return run(course, [
        "import errno\ntry:\n    open('big', 'wb').write(b'x' * 16 * 2**20)\n"
        "except OSError as exc:\n    print(errno.errorcode[exc.errno])",
        "try:\n    open('/tmp/big', 'wb').write(b'x' * 16 * 2**20)\n"
        "except OSError as exc:\n    print(errno.errorcode[exc.errno])",
        "while True:\n    pass",
        "print('after')",
    ], timeout=120, cpu_time_limit_seconds=3, scratch_size_bytes=8 * 2**20,
        tmp_size_bytes=8 * 2**20)


@needs_sandbox
def test_the_scratch_folder_and_tmp_are_size_limited(cpu_and_disk):
    assert stdout(cpu_and_disk.cells[0]) == "ENOSPC\n"
    assert stdout(cpu_and_disk.cells[1]) == "ENOSPC\n"


@needs_sandbox
def test_a_kernel_past_its_cpu_time_is_killed_and_a_fresh_one_runs_the_rest(cpu_and_disk):
    assert errors(cpu_and_disk.cells[2]) == ["DeadKernelError"]
    assert stdout(cpu_and_disk.cells[3]) == "after\n"


# -- resources --------------------------------------------------------------------------------------

SPAWNER = f"""
import os, time
os.environ["MARK"] = {SPAWN_MARKER!r}
started, refused = 0, None
for _ in range(300):
    try:
        pid = os.fork()
    except OSError as exc:
        refused = exc.errno
        break
    if pid == 0:
        os.setsid()
        os.execv("/bin/sleep", ["sleep", "600"])
    started += 1
print(started, refused)
"""


#: Six processes of 100 MB each: each is under the per-process limit, together over the total.
MANY_HOGS = """
import os, time
for _ in range(6):
    if os.fork() == 0:
        block = bytearray(100 * 2**20)
        for i in range(0, len(block), 4096):
            block[i] = 1
        time.sleep(60)
        os._exit(0)
time.sleep(15)
print('not stopped')
"""


def _marked_processes() -> list[int]:
    out = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if SPAWN_MARKER.encode() in (proc / "environ").read_bytes():
                    out.append(int(proc.name))
            except OSError:
                continue
    return out


@pytest.fixture(scope="module")
def hog(tmp_path_factory):
    course = Course(tmp_path_factory.mktemp("hog"))
    nb = run(course, [
        "b = bytearray(20 * 10**9)",
        "print('alive')",
        MANY_HOGS,
        "print('after', 'os' in globals())",
        SPAWNER,
        "import os\nprint(len([p for p in os.listdir('/proc') if p.isdigit()]))",
    ], max_processes=64, total_memory_limit_bytes=400 * 2**20)
    return nb, _marked_processes()


@needs_sandbox
def test_a_20_gb_allocation_raises_memory_error_and_the_kernel_goes_on(hog):
    nb, _ = hog
    assert errors(nb.cells[0]) == ["MemoryError"]
    assert stdout(nb.cells[1]) == "alive\n"


@needs_sandbox
def test_hundreds_of_children_are_capped_by_the_process_limit(hog):
    nb, _ = hog
    started, refused = stdout(nb.cells[4]).split()
    assert int(started) < 64 and refused == "11"  # EAGAIN: RLIMIT_NPROC in the sandbox
    assert int(stdout(nb.cells[5])) >= int(started)  # they were running while graded


@needs_sandbox
def test_processes_that_together_pass_the_memory_limit_are_killed(hog):
    nb, _ = hog
    assert errors(nb.cells[2]) == ["MemoryError"]
    assert "killed" in nb.cells[2].outputs[-1].evalue
    assert stdout(nb.cells[3]) == "after False\n"  # a fresh kernel ran the rest


@needs_sandbox
def test_no_child_process_outlives_grading(hog):
    _, survivors = hog
    assert survivors == []


@needs_sandbox
def test_no_socket_folder_is_left_behind(saboteur, looper, hog):
    import tempfile

    assert list(Path(tempfile.gettempdir()).glob(f"ftroi-sbx-{os.getpid()}-*")) == []


FLOOD_DRIVER = """
import json, resource, sys
sys.path.insert(0, {course!r})
from nbformat.v4 import new_code_cell, new_notebook
from traitlets.config import Config
from ftroi_course.sandbox import SandboxedExecute

def grade(cells):
    c = Config()
    c.CourseDirectory.root = {root!r}
    c.Execute.timeout = 60
    nb = new_notebook(cells=[new_code_cell(s) for s in cells],
                      metadata={{"kernelspec": {{"name": "python3", "language": "python",
                                                "display_name": "Python 3"}}}})
    nb, _ = SandboxedExecute(config=c).preprocess(
        nb, {{"metadata": {{"path": {folder!r}}}, "nbgrader": {{"student": "s1"}}}})
    return nb

grade(["print('warm up')"])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
nb = grade(["x = 1",
            "print('x' * 200_000_000)",
            "import sys\\nfor i in range(2000):\\n    print('y' * 100_000)\\n    sys.stdout.flush()",
            "print('after', x)"])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({{"base": base, "peak": peak, "nb": nb}}))
"""


@pytest.fixture(scope="module")
def flood(tmp_path_factory):
    course = Course(tmp_path_factory.mktemp("flood"))
    code = FLOOD_DRIVER.format(course=str(COURSE), root=str(course.root),
                               folder=str(course.folder))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.splitlines()[-1])
    return result["base"], result["peak"], nbformat.from_dict(result["nb"])


@needs_sandbox
def test_a_200_mb_print_is_capped_in_the_saved_notebook(flood):
    _, _, nb = flood
    assert len(nbformat.writes(nb)) < 3_000_000
    for cell in nb.cells[1:3]:
        assert sum(output_bytes(o) for o in cell.outputs) <= 1_000_000 + 1_000
        assert "output truncated by the grading sandbox" in cell.outputs[-1].text
    assert stdout(nb.cells[3]) == "after 1\n"  # same kernel, state kept


@needs_sandbox
def test_a_200_mb_print_never_accumulates_in_the_graders_memory(flood):
    base, peak, _ = flood
    assert peak - base < 100 * 2**20, (base, peak)


@needs_sandbox
def test_only_error_outputs_survive_past_the_budget(tmp_path):
    course = Course(tmp_path)
    nb = run(course, ["print('z' * 5000)", "print('w' * 5000)", "1/0"],
             max_cell_output_bytes=1000, max_output_bytes=3000)
    assert len(stdout(nb.cells[0])) == 1000 and stdout(nb.cells[1]) == "w" * 1000
    assert errors(nb.cells[2]) == ["ZeroDivisionError"]  # never dropped: it fails a test


# -- the time budget --------------------------------------------------------------------------------

@needs_sandbox
def test_a_submission_past_its_time_budget_is_stopped_and_its_remaining_cells_are_not_run(
        tmp_path, caplog):
    course = Course(tmp_path)
    with caplog.at_level(logging.ERROR):
        nb = run(course, [
            "x = 1",
            # ignores the interrupt: killed after the grace period, and no fresh kernel follows
            "import time\nwhile True:\n    try:\n        time.sleep(60)\n"
            "    except KeyboardInterrupt:\n        pass",
            "print('after')",
            "print('and after')",
        ], timeout=60, submission_time_budget_seconds=8)
    assert errors(nb.cells[1]) == ["TimeBudgetExceeded"]
    assert "time budget of 8 s" in nb.cells[1].outputs[-1].evalue
    for cell in nb.cells[2:]:
        assert stdout(cell) == "" and errors(cell) == ["TimeBudgetExceeded"]
        assert cell.outputs[0].evalue.startswith("not run: the submission's time budget of 8 s")
    assert "the 2 code cells from cell 2 on are not run" in caplog.text


def test_the_time_budget_is_a_course_setting_with_a_default_and_cuts_the_cell_timeout():
    ep = SandboxedExecute(config=Config({"Execute": {"timeout": 30}}))
    assert ep.submission_time_budget_seconds == 120
    assert "time budget" not in ep.class_traits()["timeout"].help
    ep.submission_time_budget_seconds = 10
    ep.start_time_budget()
    assert 9 <= ep._get_timeout(None) <= 10  # what is left of the budget, not 30 s
    ep.submission_time_budget_seconds = 0
    ep.start_time_budget()
    assert ep._get_timeout(None) == 30 and not ep.budget_used_up()


# -- environment faults ---------------------------------------------------------------------------

@pytest.fixture
def pythonpath_only_package(tmp_path, monkeypatch):
    """A package the grader imports only through PYTHONPATH (the sandbox drops PYTHONPATH)."""
    folder = tmp_path / "pythonpath"
    (folder / "ftroi_pythonpath_only").mkdir(parents=True)
    (folder / "ftroi_pythonpath_only" / "__init__.py").write_text("VALUE = 1\n")
    monkeypatch.setenv("PYTHONPATH", str(folder))
    monkeypatch.syspath_prepend(str(folder))
    return "ftroi_pythonpath_only"


@needs_sandbox
def test_a_kernel_that_cannot_import_the_learners_package_stops_grading_naming_the_fault(
        tmp_path, pythonpath_only_package):
    course = Course(tmp_path)
    with pytest.raises(sandbox.GradingEnvironmentError) as stopped:
        run(course, ["print('never graded')"],
            kernel_packages=["ftroi_helpers", pythonpath_only_package])
    message = str(stopped.value)
    assert message.startswith(f"Grading stopped at {STUDENT}, on a fault of the grading "
                              "environment, not of the submission")
    assert "cannot import ftroi_helpers, ftroi_pythonpath_only" in message
    assert "only through PYTHONPATH" in message and "No score was recorded" in message
    assert stopped.value.code == 3 and isinstance(stopped.value, SystemExit)
    assert not course.folder.exists()  # nbgrader would otherwise skip this student next time
    import tempfile  # the stopped kernel's sandbox is gone too

    assert not list(Path(tempfile.gettempdir()).glob(f"ftroi-sbx-{os.getpid()}-*"))


@needs_sandbox
def test_bwrap_failing_at_kernel_start_stops_grading_naming_the_fault(tmp_path):
    course = Course(tmp_path)
    fake = tmp_path / "bwrap"  # passes the probe (`true`), fails for a kernel
    fake.write_text(f"#!/bin/sh\ncase \"$*\" in *ipykernel*) echo 'bwrap: cannot mount' >&2; "
                    f"exit 1;; esac\nexec {find_bwrap()} \"$@\"\n")
    fake.chmod(0o755)
    sandbox.bwrap._PROBES.clear()
    with pytest.raises(sandbox.GradingEnvironmentError) as stopped:
        run(course, ["print('never graded')"], bwrap_path=str(fake))
    message = str(stopped.value)
    assert "the student's kernel did not start in its sandbox" in message
    assert "bwrap exited with status 1" in message and "bwrap: cannot mount" in message
    assert not course.folder.exists()


# -- the time budget and environment faults through the real commands ----------------------------

BUDGET_S = 20


def _sleeper(quiz, student: str, after_items: int):
    """Right answers, with 20 cells of sleep(9) after the first ``after_items`` items' tests."""
    import class_support as cs

    nb = quiz.submission("right", student)
    last = list(quiz.points)[after_items - 1]
    at = next(i for i, c in enumerate(nb.cells) if cs.gid(c) == last) + 1
    nb.cells[at:at] = [new_code_cell("import time\ntime.sleep(9)") for _ in range(20)]
    return nb


def _crasher(quiz, student: str):
    """Right answers, but the last item's answer cell ends its own kernel."""
    import class_support as cs

    nb = quiz.submission("right", student)
    last = list(quiz.points)[-1]
    cell = next(c for c in nb.cells if cs.gid(c) == f"{last}_answer")
    cell.source = "import os\nos._exit(1)\n" + cell.source
    return nb


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """q1 generated in a copy of the course; a copy of that for the environment-fault runs;
    then the first copy autograded with a 20 s time budget and the sleeper's feedback made."""
    import class_support as cs

    tmp = tmp_path_factory.mktemp("budget")
    course = cs.make_course(tmp, timeout_s=10)
    nbgrader = [sys.executable, "-m", "nbgrader"]
    done = cs.run(course, *nbgrader, "generate_assignment", cs.QUIZ, "--force")
    assert done.returncode == 0, done.stderr[-3000:]
    quiz = cs.load_quiz(course)
    faulty = shutil.copytree(course, tmp / "faulty" / "quizzes")
    notebooks = {"right": quiz.submission("right", "right"), "sleeper": _sleeper(quiz, "sleeper", 2),
                 "crasher": _crasher(quiz, "crasher")}
    for where, students in ((course, notebooks), (faulty, {"alice": notebooks["right"],
                                                           "bob": notebooks["right"]})):
        for student, nb in students.items():
            folder = where / "submitted" / student / cs.QUIZ
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / f"{cs.QUIZ}.ipynb")
    autograde = cs.run(course, *nbgrader, "autograde", cs.QUIZ,
                       f"--SandboxedExecute.submission_time_budget_seconds={BUDGET_S}")
    feedback = cs.run(course, *nbgrader, "generate_feedback", cs.QUIZ, "--student=sleeper")
    scores = cs.gradebook_scores(f"sqlite:///{course / 'gradebook.db'}", cs.QUIZ, notebooks)
    return {"quiz": quiz, "course": course, "faulty": faulty, "autograde": autograde,
            "feedback": feedback, "scores": {s: sum(v.values()) for s, v in scores.items()}}


@pytest.mark.nbgrader
@needs_sandbox
def test_past_its_time_budget_a_submission_is_scored_on_what_ran(graded_class):
    quiz, done = graded_class["quiz"], graded_class["autograde"]
    assert done.returncode == 0, done.stderr[-3000:]
    first_two = list(quiz.points)[:2]
    assert graded_class["scores"]["sleeper"] == sum(quiz.points[i] for i in first_two)
    assert graded_class["scores"]["right"] == quiz.full  # the budget is per submission
    assert f"the submission's time budget of {BUDGET_S} s" in done.stderr
    assert "Student sleeper: the " in done.stderr and "are not run" in done.stderr


@pytest.mark.nbgrader
@needs_sandbox
def test_the_feedback_says_why_the_cells_after_the_budget_did_not_run(graded_class):
    assert graded_class["feedback"].returncode == 0, graded_class["feedback"].stderr[-3000:]
    page = (graded_class["course"] / "feedback" / "sleeper" / "q1_break_even" /
            "q1_break_even.html").read_text()
    assert "TimeBudgetExceeded" in page and f"time budget of {BUDGET_S} s" in page


@pytest.mark.nbgrader
@needs_sandbox
def test_a_submission_that_crashes_its_own_kernel_keeps_the_score_of_what_ran(graded_class):
    quiz = graded_class["quiz"]
    last = list(quiz.points)[-1]
    assert graded_class["scores"]["crasher"] == quiz.full - quiz.points[last]
    log = graded_class["autograde"].stderr
    assert "The kernel died while running this cell" in log  # the student's fault: a cell error
    assert "Grading stopped" not in log


def _faulty_run(graded_class, tmp_path, *command: str):
    import class_support as cs

    pp = tmp_path / "pythonpath" / "ftroi_pythonpath_only"
    pp.mkdir(parents=True)
    (pp / "__init__.py").write_text("VALUE = 1\n")
    course = graded_class["faulty"]
    config = course / "nbgrader_config.py"
    if "ftroi_pythonpath_only" not in config.read_text():
        with config.open("a") as fh:  # the kernel needs a package found only through PYTHONPATH
            fh.write('\nc.SandboxedExecute.kernel_packages = ["ftroi_helpers", '
                     '"ftroi_pythonpath_only"]  # test copy only\n')
    done = cs.run(course, *command, env=cs.tool_env(PYTHONPATH=str(pp.parent)))
    return done, _gradebook_submissions(course, cs.QUIZ)


@pytest.mark.nbgrader
@needs_sandbox
def test_nbgrader_autograde_stops_on_an_environment_fault_and_records_no_score(
        graded_class, tmp_path):
    done, rows = _faulty_run(graded_class, tmp_path, sys.executable, "-m", "nbgrader",
                             "autograde", "q1_break_even")
    assert done.returncode == 3, done.stderr[-3000:]
    assert done.stderr.count("Grading stopped at alice, on a fault of the grading "
                             "environment") == 1
    assert "cannot import ftroi_helpers, ftroi_pythonpath_only" in done.stderr
    assert "only through PYTHONPATH" in done.stderr
    assert rows == []  # neither alice (stopped) nor bob (never started) has a score, not even 0


@pytest.mark.nbgrader
@needs_sandbox
def test_grade_class_stops_on_an_environment_fault_and_records_no_score(graded_class, tmp_path):
    done, rows = _faulty_run(graded_class, tmp_path, sys.executable, "-m",
                             "ftroi_course.grade_class", "q1_break_even")
    assert done.returncode == 3, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Grading stopped at alice on a fault of the grading environment" in done.stdout
    assert "not started: bob" in done.stdout
    assert rows == []


# -- refusal and opt-out (no sandbox needed) ----------------------------------------------------

def test_without_bwrap_autograding_refuses_with_one_clear_error(tmp_path, caplog):
    course = Course(tmp_path)
    nb = new_notebook(cells=[new_code_cell("print(1)")])
    ep = SandboxedExecute(config=course.config(bwrap_path=str(tmp_path / "no-bwrap")))
    with pytest.raises(SandboxUnavailableError) as refused:
        ep.preprocess(nb, {"metadata": {"path": str(course.folder)},
                           "nbgrader": {"student": STUDENT, "assignment": QUIZ}})
    message = str(refused.value)
    assert message.startswith("Refusing to autograde")
    assert "c.SandboxedExecute.allow_unsandboxed = True" in message
    assert isinstance(refused.value, SystemExit)  # nbgrader stops instead of trying everyone
    # the half-made autograded folder is gone, so the next run grades this student again
    assert not course.folder.exists()


@pytest.mark.nbgrader
def test_nbgrader_autograde_without_bwrap_stops_with_one_error_and_grades_nobody(tmp_path):
    course = tmp_path / "quizzes"
    course.mkdir()
    shutil.copy(COURSE / "nbgrader_config.py", course)
    for folder in ("source", "ftroi_course"):
        shutil.copytree(COURSE / folder, course / folder,
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    with (course / "nbgrader_config.py").open("a") as fh:
        fh.write(f"\nc.SandboxedExecute.bwrap_path = {str(tmp_path / 'no-bwrap')!r}\n")
    quiz = "q0_end_of_lesson"
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")

    def nbgrader(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                              capture_output=True, text=True, timeout=300)

    assert nbgrader("generate_assignment", quiz, "--force").returncode == 0
    for student in ("alice", "bob"):
        folder = course / "submitted" / student / quiz
        folder.mkdir(parents=True)
        shutil.copy(course / "release" / quiz / f"{quiz}.ipynb", folder)
    done = nbgrader("autograde", quiz)
    assert done.returncode == 3
    assert done.stderr.count("Refusing to autograde") == 1, done.stderr[-3000:]
    assert "There was an error processing" not in done.stderr
    assert not list((course / "autograded").glob(f"*/{quiz}/{quiz}.ipynb"))
    assert _gradebook_submissions(course, quiz) == []  # no row, so no score of 0 either


def _gradebook_submissions(course: Path, quiz: str) -> list[str]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "ftroi") as gb:
        return sorted(s.student.id for s in gb.find_assignment(quiz).submissions)


def test_the_instructor_may_opt_out_and_gets_a_loud_warning(tmp_path, caplog):
    course = Course(tmp_path)
    with caplog.at_level(logging.WARNING):
        nb = run(course, ["import os; print(os.environ['FTROI_STUDENT_ID'])",
                          "print('v' * 5000)"],
                 bwrap_path=str(tmp_path / "no-bwrap"), allow_unsandboxed=True,
                 max_cell_output_bytes=1000)
    assert "NO SANDBOX" in caplog.text
    assert stdout(nb.cells[0]) == f"{STUDENT}\n"
    assert stdout(nb.cells[1]) == "v" * 1000  # the output caps still hold


def test_a_missing_bwrap_is_reported_with_how_to_install_it():
    assert "apt-get install bubblewrap" in probe_sandbox(None)


def test_bwrap_is_given_no_network_a_pid_namespace_and_no_course_folder(tmp_path):
    course = Course(tmp_path)
    hidden = [str(course.root)]
    readable = sandbox.readable_paths(["ftroi_helpers"], [str(tmp_path)], hidden)
    assert str(tmp_path) not in readable  # it holds the course: never bound
    argv = sandbox.bwrap_argv("bwrap", readable=readable, hidden=hidden, connection_file=None,
                              workdir=str(course.folder), submission=str(course.folder),
                              mpl_cache=None, scratch_size_bytes=2**20, tmp_size_bytes=2**20,
                              as_root=False)
    for flag in ("--unshare-net", "--unshare-pid", "--die-with-parent", "--new-session",
                 "--disable-userns"):
        assert flag in argv
    bound = [argv[i + 2] for i, a in enumerate(argv) if a in ("--bind", "--ro-bind")]
    assert not any(b == str(course.root) or str(course.root).startswith(b + "/")
                   for b in bound)


WRITABLE = """
import json, os
found = []
for folder, dirs, _ in os.walk("/"):
    if folder.startswith(("/proc", "/sys", "/dev/pts")):
        dirs[:] = []
    elif os.access(folder, os.W_OK):
        found.append([folder, os.stat(folder).st_dev])
private = [os.stat(p).st_dev for p in (os.getcwd(), "/tmp", "/dev/shm", "/run/ftroi/ipc")]
print(json.dumps({"found": found, "private": private}))
"""


@needs_sandbox
def test_in_a_user_namespace_only_the_size_limited_tmpfs_are_writable(tmp_path):
    # As a grader who is not root: bwrap's own root and /dev belong to the sandbox's user.
    course = Course(tmp_path)
    hidden = [str(course.root)]
    argv = sandbox.bwrap_argv(
        find_bwrap(), readable=sandbox.readable_paths(["ftroi_helpers"], [], hidden),
        hidden=hidden, connection_file=None, workdir=str(course.folder), submission=None,
        mpl_cache=None, scratch_size_bytes=2**20, tmp_size_bytes=2**20, as_root=False)
    done = subprocess.run([*argv, "--", sys.executable, "-I", "-S", "-c", WRITABLE],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert str(course.folder) in dict(seen["found"])  # the walk did find the scratch folder
    assert [f for f, dev in seen["found"] if dev not in seen["private"]] == []


def test_autograde_runs_the_sandbox_in_place_of_nbgraders_execute():
    from nbgrader.preprocessors import Execute
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(COURSE)).load_config()
    names = [p if isinstance(p, str) else p.__name__
             for p in config.Autograde.autograde_preprocessors]
    assert names[0] == "SandboxedExecute" and Execute not in \
        config.Autograde.autograde_preprocessors
    for kept in ("IgnorePattern", "ClearMetadataPreprocessor", "LimitOutput",
                 "AssignLatePenalties", "CheckCellMetadata"):
        assert kept in names


def test_the_sandbox_modules_doctests_pass():
    import doctest
    import importlib
    import pkgutil

    attempted = 0
    for info in pkgutil.iter_modules(sandbox.__path__, prefix="ftroi_course.sandbox."):
        module = importlib.import_module(info.name)
        result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
        assert result.failed == 0, info.name
        attempted += result.attempted
    result = doctest.testmod(sandbox, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
    assert attempted + result.attempted >= 9


@pytest.mark.nbgrader
@needs_sandbox
def test_the_benchmark_script_compares_sandboxed_and_unsandboxed_autograding():
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "sandbox.py"), "--quick",
                           "--json"], capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["students"] == 1 and result["sandboxed_s_per_submission"] > 0
    assert result["ratio"] == pytest.approx(
        result["sandboxed_s_per_submission"] / result["unsandboxed_s_per_submission"])
