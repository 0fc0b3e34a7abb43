"""Run each submission's kernel inside a bubblewrap sandbox during ``nbgrader autograde``.

``SandboxedExecute`` replaces nbgrader's ``Execute`` preprocessor in
``c.Autograde.autograde_preprocessors`` (see ``quizzes/nbgrader_config.py``). It executes the
notebook exactly as ``Execute`` does, but the kernel runs inside Debian's ``bwrap``:

- **no network**: a network namespace of its own (only its own loopback), so nothing on the
  machine or beyond it can be reached. The kernel talks to the grader over ZMQ's ``ipc``
  transport: unix sockets in a private folder that is the only host folder it can write to,
  and only until the kernel is ready (when grading as root);
- **nothing of the course**: the sandbox's file system holds only the operating system
  (``/usr``, ``/etc`` minus Jupyter's configuration), the Python installation and the learner's
  package, all read-only. The course directory (``source/``, the gradebook, ``submitted/``,
  ``autograded/``, other students), this package (the key and the grading code), the real home
  folder, ``/run``, ``/var`` and every other path are absent;
- **a scratch copy** of this student's own folder is the kernel's working directory, at the
  same path as in the course; it lives in a size-limited tmpfs that disappears with the kernel.
  nbgrader still writes the graded notebook to ``autograded/`` from the grading process;
- **its own PID namespace and session**: the kernel cannot see or signal other processes; when
  the kernel ends (or is killed) every process it started ends with it;
- **limits**: CPU seconds, address space and open files per process, the number of processes
  (and threads) in the sandbox, the memory of all of them together (checked every second while
  a cell runs), the size of every file and of each writable tmpfs;
- **bounded output**: outputs are counted as they arrive in the grading process; past a cell's or
  the notebook's byte budget they are dropped (never accumulated) and the cell gets a note on
  stderr. Error outputs are always kept (shortened), so a flood cannot hide a failing test;
- **interrupts that work**: a cell that runs past the timeout is interrupted with a message on
  the control channel (``interrupt_mode = "message"``; a signal would stop at bwrap). If the
  kernel has not answered after ``interrupt_grace_seconds`` it is killed with everything in its
  sandbox, the cell gets a ``CellTimeoutError``, and a fresh sandboxed kernel runs the
  remaining cells (state from before is lost, so answers that depended on it score 0).

The kernel's environment is rebuilt from scratch: ``FTROI_STUDENT_ID`` is the nbgrader student
id, ``NBGRADER_EXECUTION`` is kept as nbgrader sets it, and only the variables named in
``env_keep`` are passed on (no tokens or passwords from the grader's environment).

If ``bwrap`` is missing or cannot create namespaces, autograding stops before the first
submission runs, with one error (:class:`SandboxUnavailableError`), unless the instructor sets
``c.SandboxedExecute.allow_unsandboxed = True``: then it logs a loud warning and runs kernels
as stock nbgrader does (with the instructor's permissions: a submission can then read the key
and rewrite the gradebook), keeping ``FTROI_STUDENT_ID`` and the output caps.

Examples
--------
The limits are traitlets; an instructor changes them in ``nbgrader_config.py``::

    c.SandboxedExecute.memory_limit_bytes = 2 * 1024**3
    c.SandboxedExecute.max_processes = 64

>>> SandboxedExecute().max_cell_output_bytes
1000000
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import typing as t
from pathlib import Path
from queue import Empty
from time import monotonic

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async, run_hook
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Dict, Integer, List, Unicode

#: The variable that tells a quiz notebook whose variant it shows (fixed by issue 10).
STUDENT_ID_VARIABLE = "FTROI_STUDENT_ID"

#: Where the sandbox finds, read-only, what it copies into its writable folders.
_SUBMISSION_MOUNT = "/run/ftroi/submission"
_MPL_CACHE_MOUNT = "/run/ftroi/matplotlib"
#: The kernel's HOME inside the sandbox (in the sandbox's own /tmp).
_SANDBOX_HOME = "/tmp/home"
#: The uid the kernel has inside the sandbox's user namespace when the grader is not root (the
#: namespace maps it to the grader's own uid).
_INNER_UID = 1000
#: When the grader is root and run_as_uid is -1, the kernel runs as this plus the grader's pid:
#: a uid of its own, so that the process limit of one sandbox never counts another's processes.
_UID_BASE = 1_000_000_000

#: Operating-system folders the kernel may read (those that exist; symlinks are recreated).
_SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")

#: Runs inside the sandbox before the kernel: copies the student's folder into the scratch
#: working directory and matplotlib's font cache into HOME, sets the limits, drops to the
#: sandbox's uid (when the grader is root), then becomes the kernel (``exec``). It runs with
#: ``python -I -S``: nothing from the environment or the site folders is imported.
_LAUNCHER = r"""
import json, os, resource, shutil, sys
spec = json.loads(sys.argv[1])
argv = sys.argv[2:]
os.makedirs(spec["home"], exist_ok=True)
for src, dst in spec["copies"]:
    try:
        shutil.copytree(src, dst, symlinks=True, dirs_exist_ok=True)
    except Exception as exc:
        print("ftroi sandbox: could not copy %s: %s" % (src, exc), file=sys.stderr)
uid = spec["uid"]
if uid is not None:
    for top in spec["owned"]:
        os.lchown(top, uid, uid)
        for folder, dirs, files in os.walk(top):
            for name in dirs + files:
                os.lchown(os.path.join(folder, name), uid, uid)
for name, soft, hard in spec["limits"]:
    resource.setrlimit(getattr(resource, name), (soft, hard))
if uid is not None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
os.execv(argv[0], argv)
"""


class SandboxUnavailableError(SystemExit):
    """Autograding refused: bubblewrap is missing or cannot create its namespaces.

    It derives from ``SystemExit`` so that ``nbgrader autograde`` stops at the first submission
    with this one message (logged once, exit status 1), instead of reporting the same failure
    once per student (nbgrader catches every ``Exception`` per submission and goes on with the
    next one).

    >>> str(SandboxUnavailableError("no bwrap")), SandboxUnavailableError("no bwrap").code
    ('no bwrap', 1)
    """

    def __init__(self, message: str) -> None:
        super().__init__(1)  # the exit status; the message is already in the log
        self.message = message

    def __str__(self) -> str:
        return self.message


# -- finding out what the sandbox needs ------------------------------------------------------------

def find_bwrap(configured: str = "") -> str | None:
    """The bwrap executable to use: ``configured`` if given, else ``bwrap`` on PATH.

    >>> find_bwrap("/nonexistent/bwrap") is None
    True
    """
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which("bwrap")


def _is_within(path: str, folder: str) -> bool:
    """Whether ``path`` is ``folder`` or lies inside it (both absolute and normalised)."""
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def _real(path: str | os.PathLike[str]) -> str:
    return os.path.realpath(os.fspath(path))


_KERNEL_PATHS: dict[str, list[str]] = {}


def kernel_sys_path(python: str = sys.executable) -> list[str]:
    """``sys.path`` of a fresh ``python`` as the kernel will have it (cached per interpreter).

    The grader's own ``sys.path`` holds more (the course folder, a test folder), which the
    kernel must not see.
    """
    if python not in _KERNEL_PATHS:
        done = subprocess.run([python, "-c", "import json, sys; print(json.dumps(sys.path))"],
                              capture_output=True, text=True, cwd="/", timeout=60,
                              env={k: v for k, v in os.environ.items()
                                   if k not in ("PYTHONPATH", "PYTHONSTARTUP")})
        paths = json.loads(done.stdout) if done.returncode == 0 else []
        _KERNEL_PATHS[python] = [p for p in paths if p and p != "/"]
    return _KERNEL_PATHS[python]


def readable_paths(packages: t.Iterable[str], extra: t.Iterable[str] = (),
                   hidden: t.Iterable[str] = ()) -> list[str]:
    """Host folders the kernel may read: the Python installation and the kernel's packages.

    Parameters
    ----------
    packages : iterable of str
        Top-level packages the kernel imports that may live outside ``sys.prefix`` (an
        editable install of the learner's package); each one's folder is included.
    extra : iterable of str
        More folders to include (``SandboxedExecute.readable_paths``).
    hidden : iterable of str
        Folders never to include, nor any folder that contains one of them (the course
        root and this package: a repository root on ``sys.path`` would reveal them, and its
        ``.git`` history).

    Returns
    -------
    list of str
        Absolute real paths of existing folders outside the system folders, none inside
        another, sorted.

    Examples
    --------
    >>> os.path.realpath(sys.prefix) in readable_paths([])
    True
    """
    import importlib.util

    # /tmp holds the other sandboxes' socket folders: never bound as a whole
    hidden = [*(_real(h) for h in hidden), _real(tempfile.gettempdir())]
    found = {_real(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix,
                                 os.path.dirname(_real(sys.executable)))}
    found.update(_real(p) for p in kernel_sys_path() if os.path.isdir(p))
    for name in packages:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        if spec is None:
            continue
        for location in spec.submodule_search_locations or [os.path.dirname(spec.origin or "")]:
            if location:
                found.add(_real(location))
    found.update(_real(p) for p in extra)
    keep: list[str] = []
    for path in sorted(found):  # a folder sorts before the folders inside it
        if not os.path.isdir(path) or any(_is_within(h, path) for h in hidden):
            continue  # absent, or it would reveal something hidden
        if any(_is_within(path, s) for s in (*_SYSTEM_PATHS, *keep) if os.path.isdir(s)):
            continue  # bound anyway
        keep.append(path)
    return keep


def jupyter_config_dirs() -> list[str]:
    """Jupyter's configuration folders (they may hold the course config or a database URL)."""
    try:
        from jupyter_core.paths import jupyter_config_path
    except ImportError:  # pragma: no cover - jupyter_core comes with nbgrader
        return []
    return [_real(p) for p in jupyter_config_path() if os.path.isdir(p)]


def matplotlib_cache_dir() -> str | None:
    """The grader's matplotlib cache folder if it holds a font list (copied into the sandbox).

    Without it, matplotlib would rebuild its font cache in every sandboxed kernel (seconds).
    Found the way matplotlib finds it, without importing matplotlib.
    """
    candidates = []
    if os.environ.get("MPLCONFIGDIR"):
        candidates.append(os.environ["MPLCONFIGDIR"])
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    candidates.append(os.path.join(xdg, "matplotlib"))
    for folder in candidates:
        try:
            if any(n.startswith("fontlist") for n in os.listdir(folder)):
                return _real(folder)
        except OSError:
            continue
    return None


def bwrap_argv(bwrap: str, *, readable: t.Sequence[str], hidden: t.Sequence[str],
               ipc_dir: str, workdir: str, submission: str | None, mpl_cache: str | None,
               scratch_size_bytes: int, tmp_size_bytes: int, as_root: bool) -> list[str]:
    """The bwrap command line (without the command it runs) for one kernel.

    Parameters
    ----------
    bwrap : str
        The bwrap executable.
    readable : sequence of str
        Host folders bound read-only at the same path (besides the system folders).
    hidden : sequence of str
        Paths covered up if they lie inside a readable folder (a tmpfs over a folder,
        ``/dev/null`` over a file).
    ipc_dir : str
        Host folder bound read-write at the same path: the kernel's unix sockets and its
        connection file.
    workdir : str
        The kernel's working directory inside the sandbox: an empty tmpfs of
        ``scratch_size_bytes`` into which the launcher copies ``submission``.
    submission : str or None
        Host folder bound read-only at ``/run/ftroi/submission``.
    mpl_cache : str or None
        Host folder with matplotlib's font list, bound read-only at ``/run/ftroi/matplotlib``.
    scratch_size_bytes, tmp_size_bytes : int
        Sizes of the writable tmpfs at ``workdir`` and at ``/tmp`` (which holds HOME).
    as_root : bool
        Whether bwrap runs as root. Then it creates no user namespace (the kernel would still
        be uid 0 outside it, and the kernel does not count root's processes), and keeps the
        capabilities the launcher needs to hand the scratch folders to the sandbox's uid and
        switch to it. Otherwise a user namespace maps uid 1000 inside to the grader's uid.

    Returns
    -------
    list of str

    Examples
    --------
    >>> argv = bwrap_argv("bwrap", readable=[], hidden=[], ipc_dir="/tmp/s", workdir="/w",
    ...                   submission=None, mpl_cache=None, scratch_size_bytes=1000,
    ...                   tmp_size_bytes=1000, as_root=False)
    >>> "--unshare-net" in argv and "--die-with-parent" in argv and argv[-2:] == ["--chdir", "/w"]
    True
    """
    argv = [bwrap, "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session",
            "--hostname", "ftroi-sandbox"]
    if as_root:
        argv += ["--cap-add", "CAP_CHOWN", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        argv += ["--unshare-user", "--uid", str(_INNER_UID), "--gid", str(_INNER_UID),
                 "--disable-userns"]
    bound: list[str] = []  # folders whose contents come from the host
    made: set[str] = {"/tmp", "/dev", "/proc"}  # folders the sandbox has already

    def parents(path: str) -> list[str]:
        """Make the folders above ``path`` that no mount provides, traversable (0755)."""
        out: list[str] = []
        parts = Path(path).parts[1:-1]
        for i in range(len(parts)):
            folder = "/" + "/".join(parts[:i + 1])
            if folder not in made and not any(_is_within(folder, b) for b in bound):
                made.add(folder)
                out += ["--perms", "0755", "--dir", folder]
        return out

    for path in _SYSTEM_PATHS:
        if os.path.islink(path):
            argv += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            argv += ["--ro-bind", path, path]
            bound.append(path)
    argv += ["--proc", "/proc", "--dev", "/dev",
             "--size", str(max(tmp_size_bytes // 8, 1 << 20)), "--perms", "1777",
             "--tmpfs", "/dev/shm",
             "--size", str(tmp_size_bytes), "--perms", "1777", "--tmpfs", "/tmp"]
    for path in readable:
        argv += [*parents(path), "--ro-bind", path, path]
        bound.append(path)
    for path in hidden:
        if not os.path.lexists(path) or not any(_is_within(path, b) for b in bound):
            continue
        if os.path.isdir(path):
            argv += ["--size", "4096", "--perms", "0555", "--tmpfs", path]
        else:
            argv += ["--ro-bind", "/dev/null", path]
    argv += [*parents(ipc_dir), "--bind", ipc_dir, ipc_dir,
             *parents(workdir), "--size", str(scratch_size_bytes), "--perms", "0755",
             "--tmpfs", workdir]
    if submission:
        argv += [*parents(_SUBMISSION_MOUNT), "--ro-bind", submission, _SUBMISSION_MOUNT]
    if mpl_cache:
        argv += [*parents(_MPL_CACHE_MOUNT), "--ro-bind", mpl_cache, _MPL_CACHE_MOUNT]
    argv += ["--chdir", workdir]
    return argv


_PROBES: dict[tuple[str, int | None], str | None] = {}


def probe_sandbox(bwrap: str | None) -> str | None:
    """Why a sandbox cannot be created here, or ``None`` if it can (cached per process).

    It runs ``true`` inside a sandbox with the same namespaces as a kernel's.

    >>> "not found" in probe_sandbox(None)
    True
    """
    if bwrap is None:
        return ("bubblewrap (`bwrap`) was not found on PATH; install it with "
                "`apt-get install bubblewrap` (make test does this when run as root)")
    key = (bwrap, os.geteuid())
    if key not in _PROBES:
        with tempfile.TemporaryDirectory(prefix="ftroi-probe-") as tmp:
            argv = bwrap_argv(bwrap, readable=[], hidden=[], ipc_dir=tmp, workdir="/work",
                              submission=None, mpl_cache=None, scratch_size_bytes=1 << 20,
                              tmp_size_bytes=1 << 20, as_root=os.geteuid() == 0)
            try:
                done = subprocess.run([*argv, "--", "true"], capture_output=True, text=True,
                                      timeout=30)
            except (OSError, subprocess.SubprocessError) as exc:
                _PROBES[key] = f"{bwrap} could not be run: {exc}"
            else:
                _PROBES[key] = None if done.returncode == 0 else (
                    f"{bwrap} cannot create a sandbox here (exit {done.returncode}: "
                    f"{done.stderr.strip()[:500] or 'no message'}); user namespaces may be "
                    "disabled (sysctl kernel.unprivileged_userns_clone or "
                    "kernel.apparmor_restrict_unprivileged_userns)")
    return _PROBES[key]


def _text_bytes(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def _shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes (on a character boundary)."""
    if _text_bytes(text) <= limit:
        return text
    if text.isascii():
        return text[:limit]
    return text.encode("utf-8", "surrogatepass")[:limit].decode("utf-8", "ignore")


def output_bytes(content: dict[str, t.Any]) -> int:
    """Bytes an output message adds to the notebook: its text, data and traceback.

    >>> output_bytes({"name": "stdout", "text": "hello"})
    5
    >>> output_bytes({"data": {"text/plain": "12", "application/json": {"a": 1}}})
    10
    """
    size = 0
    if isinstance(content.get("text"), str):
        size += _text_bytes(content["text"])
    for value in (content.get("data") or {}).values():
        size += _text_bytes(value) if isinstance(value, str) else len(json.dumps(value))
    size += _text_bytes(str(content.get("evalue", "")))
    size += sum(_text_bytes(str(line)) for line in content.get("traceback") or [])
    return size


def _b(n: int) -> str:
    return f"{n:,} bytes"


# -- the kernel manager -----------------------------------------------------------------------------

class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel command is prefixed with the sandbox's.

    ``sandbox_prefix`` is set by :class:`SandboxedExecute` before each start. Interrupts go as a
    message on the control channel, since a signal sent to bwrap does not reach the kernel.
    """

    sandbox_prefix: list[str] = []
    connection_file_group: int | None = None

    @property
    def kernel_spec(self):  # type: ignore[override]
        spec = super().kernel_spec
        if spec is not None and spec.interrupt_mode != "message":
            spec.interrupt_mode = "message"
        return spec

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        return [*self.sandbox_prefix, *super().format_kernel_cmd(extra_arguments)]

    def write_connection_file(self, **kwargs: t.Any) -> None:
        super().write_connection_file(**kwargs)
        if self.connection_file_group is not None:  # the kernel runs as another user
            os.chown(self.connection_file, -1, self.connection_file_group)
            os.chmod(self.connection_file, 0o640)


class _KernelStopped(Exception):
    """The kernel ignored an interrupt and was killed; the cell gets a timeout error."""


# -- the preprocessor -------------------------------------------------------------------------------

class SandboxedExecute(Execute):
    """nbgrader's ``Execute``, with the submission's kernel inside a bubblewrap sandbox.

    Every limit below is configurable as ``c.SandboxedExecute.<name>`` in
    ``nbgrader_config.py``. The cell timeout is nbgrader's ``c.Execute.timeout`` (or
    ``c.ExecutePreprocessor.timeout``).
    """

    allow_unsandboxed = Bool(
        False,
        help="Run kernels WITHOUT the sandbox when bwrap is missing or cannot create "
             "namespaces, instead of refusing to autograde. Student code then runs with the "
             "grader's permissions: it can read the answer key and the other submissions, "
             "rewrite the gradebook and use the network. Only for trusted submissions.",
    ).tag(config=True)
    bwrap_path = Unicode(
        "", help="Path to the bwrap executable (default: `bwrap` on PATH).").tag(config=True)
    run_as_uid = Integer(
        -1,
        help="When grading as root, the kernel runs as this unprivileged uid (and gid), so that "
             "the process limit applies (Linux does not count root's processes) and only "
             "world-readable files can be read. -1: 1,000,000,000 + the grader's pid, a uid no "
             "one else uses, so parallel graders never share a process count. Ignored when "
             "not root (the kernel then runs as the grader's own uid, in a user namespace).",
    ).tag(config=True)
    memory_limit_bytes = Integer(
        4 * 1024**3,
        help="Address space of each process in the sandbox (RLIMIT_AS). An allocation beyond "
             "it raises MemoryError in the kernel. The kernel with numpy, pandas and matplotlib "
             "loaded uses about 1.5 GB of address space.",
    ).tag(config=True)
    total_memory_limit_bytes = Integer(
        -1,
        help="Memory of all processes in the sandbox together (their proportional set size), "
             "checked every second while a cell runs: past it the sandbox is killed, the cell "
             "gets a MemoryError and a fresh kernel runs the remaining cells. -1: the same as "
             "memory_limit_bytes; 0: not checked.",
    ).tag(config=True)
    cpu_time_limit_seconds = Integer(
        300,
        help="CPU seconds of each process in the sandbox (RLIMIT_CPU); a process that uses them "
             "up is killed. The cell timeout usually stops a loop much earlier.",
    ).tag(config=True)
    max_processes = Integer(
        256,
        help="Processes and threads in the sandbox (RLIMIT_NPROC, counted in the sandbox's own "
             "user namespace). The kernel itself uses about 10.",
    ).tag(config=True)
    max_open_files = Integer(1024, help="Open files per process (RLIMIT_NOFILE).").tag(
        config=True)
    max_file_bytes = Integer(
        256 * 1024**2, help="Largest file a process may write (RLIMIT_FSIZE).").tag(config=True)
    scratch_size_bytes = Integer(
        256 * 1024**2,
        help="Size of the writable working directory (a tmpfs holding the copy of the "
             "student's folder). Writes beyond it fail with 'No space left on device'.",
    ).tag(config=True)
    tmp_size_bytes = Integer(
        64 * 1024**2, help="Size of the sandbox's /tmp (which holds its HOME).").tag(config=True)
    max_cell_output_bytes = Integer(
        1_000_000,
        help="Bytes of output kept per cell; the rest is dropped as it arrives and the cell "
             "gets a note on stderr (nbgrader's own scoring counts stderr as a failed test). Error "
             "outputs are always kept, shortened.",
    ).tag(config=True)
    max_output_bytes = Integer(
        10_000_000,
        help="Bytes of output kept in the whole notebook, apart from autograder tests cells "
             "(each of those has only max_cell_output_bytes, so an earlier flood cannot "
             "silence the answers they record).",
    ).tag(config=True)
    max_message_bytes = Integer(
        8 * 1024**2,
        help="Largest single message accepted from the kernel (ZMQ_MAXMSGSIZE). A larger one "
             "drops the connection, and the cell is reported as having no complete output.",
    ).tag(config=True)
    interrupt_grace_seconds = Integer(
        5,
        help="After a cell's timeout and interrupt, seconds to wait for the kernel before "
             "killing its sandbox and starting a fresh kernel for the remaining cells.",
    ).tag(config=True)
    max_kernel_restarts = Integer(
        3,
        help="Fresh kernels started after kills or crashes in one notebook; after that the "
             "remaining code cells are marked as not run (an error).",
    ).tag(config=True)
    readable_paths = List(
        Unicode(), [],
        help="More host folders the kernel may read (read-only), e.g. a data folder.",
    ).tag(config=True)
    kernel_packages = List(
        Unicode(), ["ftroi_helpers"],
        help="Packages the kernel imports whose folders may lie outside the Python "
             "installation (editable installs); their folders are readable.",
    ).tag(config=True)
    hidden_paths = List(
        Unicode(), [],
        help="More host paths to hide even if they lie inside a readable folder. The course "
             "root, this package (ftroi_course), the gradebook file and Jupyter's config "
             "folders are always hidden.",
    ).tag(config=True)
    env_keep = List(
        Unicode(),
        ["PATH", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ", "NBGRADER_EXECUTION",
         "FTROI_QUIZ_MODE", "PYTHONHASHSEED", "PYTHONDONTWRITEBYTECODE", "VIRTUAL_ENV"],
        help="Environment variables passed from the grader to the kernel (all others are "
             "dropped, so tokens and passwords stay out).",
    ).tag(config=True)
    env = Dict(
        value_trait=Unicode(),
        default_value={"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                       "MKL_NUM_THREADS": "1"},
        help="Environment variables set in the kernel (one BLAS thread: threads count as "
             "processes, and grading runs many kernels side by side).",
    ).tag(config=True)

    # per notebook
    _sandboxed: bool = False
    _student_id: str = ""
    _cell_bytes: dict[int, int]
    _cell_dropped: dict[int, int]
    _refused: set[int]
    _total_bytes: int = 0
    _restarts: int = 0
    _gave_up: str = ""
    # per kernel
    _ipc_dir: str | None = None
    _stderr_tail: bytearray
    _process_group: int | None = None
    _bwrap_pid: int | None = None
    _memory_kill: int = 0

    # -- the notebook ---------------------------------------------------------------------------

    def preprocess(self, nb: NotebookNode, resources: t.Any = None,
                   km: t.Any = None) -> tuple[NotebookNode, t.Any]:
        resources = resources if resources is not None else {}
        self._student_id = str(resources.get("nbgrader", {}).get("student") or "")
        self._cell_bytes, self._cell_dropped = {}, {}
        self._total_bytes, self._restarts, self._gave_up = 0, 0, ""
        self._refused = set()
        self._memory_kill = 0
        self._sandboxed = self._check_sandbox(resources)
        return super().preprocess(nb, resources, km)

    def _check_sandbox(self, resources: dict[str, t.Any]) -> bool:
        problem = probe_sandbox(find_bwrap(self.bwrap_path))
        if problem is None:
            return True
        if self.allow_unsandboxed:
            self.log.warning(
                "!!! NO SANDBOX: %s. c.SandboxedExecute.allow_unsandboxed is True, so student "
                "code runs with YOUR permissions: it can read the answer key and the other "
                "submissions, rewrite the gradebook and use the network. !!!", problem)
            return False
        message = (
            f"Refusing to autograde: the sandbox for student code is not available: {problem}. "
            "To grade anyway (student code can then read the answer key and rewrite the "
            "gradebook), set c.SandboxedExecute.allow_unsandboxed = True in nbgrader_config.py.")
        self.log.error(message)
        self._remove_unfinished_output(resources)
        raise SandboxUnavailableError(message)

    def _remove_unfinished_output(self, resources: dict[str, t.Any]) -> None:
        """Remove the half-made autograded folder, as nbgrader does when a submission fails.

        Otherwise the next ``nbgrader autograde`` would skip this student as already graded.
        """
        folder = resources.get("metadata", {}).get("path")
        info = resources.get("nbgrader", {})
        if not folder or not info.get("assignment") or not info.get("student"):
            return
        path = Path(folder)
        if path.name == info["assignment"] and path.parent.name == info["student"]:
            shutil.rmtree(path, ignore_errors=True)

    def _uid(self) -> int | None:
        """The uid the sandbox runs as, if it differs from ours (only when we are root)."""
        if os.geteuid() != 0:
            return None
        return self.run_as_uid if self.run_as_uid >= 0 else _UID_BASE + os.getpid()

    # -- starting and stopping kernels ------------------------------------------------------------

    def create_kernel_manager(self):  # type: ignore[override]
        if not self._sandboxed:
            return super().create_kernel_manager()
        if self.kernel_manager_class is AsyncKernelManager:
            self.kernel_manager_class = SandboxedKernelManager
        km = super().create_kernel_manager()
        if not isinstance(km, SandboxedKernelManager):
            raise TypeError("SandboxedExecute needs kernel_manager_class to be "
                            f"SandboxedKernelManager or a subclass, got {type(km).__name__}")
        self._bound_receive_buffers(km.context)  # its control socket (interrupt, shutdown)
        return km

    def _bound_receive_buffers(self, context: t.Any) -> None:
        """What a kernel can make the grader buffer: messages of at most max_message_bytes
        (a larger one is refused unread), at most 32 waiting per socket."""
        import zmq

        context.setsockopt(zmq.MAXMSGSIZE, self.max_message_bytes)
        context.setsockopt(zmq.RCVHWM, 32)

    def _kernel_env(self) -> dict[str, str]:
        env = {k: os.environ[k] for k in self.env_keep if k in os.environ}
        env.update(self.env)
        env.update({"HOME": _SANDBOX_HOME, "TMPDIR": "/tmp", "USER": "student",
                    "LOGNAME": "student",
                    "MPLCONFIGDIR": f"{_SANDBOX_HOME}/.config/matplotlib"})
        env.pop("JPY_PARENT_PID", None)  # the kernel's parent is the sandbox's init
        env[STUDENT_ID_VARIABLE] = self._student_id
        return env

    def _secret_roots(self) -> list[str]:
        """The course root, this package and hidden_paths: no readable folder may contain
        them."""
        return [_real(self._coursedir().root or os.getcwd()), _real(Path(__file__).parent),
                *(_real(p) for p in self.hidden_paths)]

    def _hidden(self) -> list[str]:
        """Everything covered up if it lies inside a readable folder."""
        hidden = [*self._secret_roots(), *jupyter_config_dirs()]
        db_url = str(getattr(self._coursedir(), "db_url", "") or "")
        if db_url.startswith("sqlite:///"):
            hidden.append(_real(db_url[len("sqlite:///"):]))
        return hidden

    def _coursedir(self):
        node = self
        while node is not None:
            coursedir = getattr(node, "coursedir", None)
            if coursedir is not None:
                return coursedir
            node = getattr(node, "parent", None)
        from nbgrader.coursedir import CourseDirectory

        return CourseDirectory(config=self.config)

    async def async_start_new_kernel(self, **kwargs: t.Any) -> None:
        if not self._sandboxed:
            env = dict(os.environ)
            env[STUDENT_ID_VARIABLE] = self._student_id
            kwargs.setdefault("env", env)
            await super().async_start_new_kernel(**kwargs)
            return
        assert isinstance(self.km, SandboxedKernelManager)
        submission = kwargs.pop("cwd", None) or self.resources.get("metadata", {}).get("path")
        submission = _real(submission or os.getcwd())
        uid = self._uid()
        hidden = self._hidden()
        readable = readable_paths(self.kernel_packages, self.readable_paths,
                                  self._secret_roots())
        mpl = matplotlib_cache_dir()
        mpl_dst = f"{_SANDBOX_HOME}/.config/matplotlib"
        spec = {"home": _SANDBOX_HOME,
                "copies": [[_SUBMISSION_MOUNT, submission]] + ([[_MPL_CACHE_MOUNT, mpl_dst]]
                                                              if mpl else []),
                "limits": self._limits(), "uid": uid, "owned": [submission, _SANDBOX_HOME]}
        self._ipc_dir = tempfile.mkdtemp(prefix=f"ftroi-sbx-{os.getpid()}-")
        try:
            if uid is not None:
                os.chown(self._ipc_dir, 0, uid)
                os.chmod(self._ipc_dir, 0o770)
            argv = bwrap_argv(
                find_bwrap(self.bwrap_path) or "bwrap", readable=readable, hidden=hidden,
                ipc_dir=self._ipc_dir, workdir=submission, submission=submission,
                mpl_cache=mpl, scratch_size_bytes=self.scratch_size_bytes,
                tmp_size_bytes=self.tmp_size_bytes, as_root=uid is not None)
            self.km.sandbox_prefix = [*argv, "--", _real(sys.executable), "-I", "-S", "-c",
                                      _LAUNCHER, json.dumps(spec)]
            self.km.transport = "ipc"
            self.km.ip = os.path.join(self._ipc_dir, "kernel")
            self.km.connection_file = os.path.join(self._ipc_dir, "kernel.json")
            self.km.connection_file_group = uid
            kwargs.update(cwd=self._ipc_dir, env=self._kernel_env(), independent=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            self._stderr_tail = bytearray()
            await super().async_start_new_kernel(**kwargs)
        except BaseException:
            shutil.rmtree(self._ipc_dir, ignore_errors=True)
            self._ipc_dir = None
            raise
        process = getattr(self.km.provisioner, "process", None)
        self._process_group = getattr(self.km.provisioner, "pgid", None)
        self._bwrap_pid = getattr(process, "pid", None)
        if process is not None and process.stderr is not None:
            threading.Thread(target=self._drain, args=(process.stderr,), daemon=True).start()

    def _limits(self) -> list[list[t.Any]]:
        cpu = self.cpu_time_limit_seconds
        return [["RLIMIT_AS", self.memory_limit_bytes, self.memory_limit_bytes],
                ["RLIMIT_CPU", cpu, cpu + 5],
                ["RLIMIT_NPROC", self.max_processes, self.max_processes],
                ["RLIMIT_NOFILE", self.max_open_files, self.max_open_files],
                ["RLIMIT_FSIZE", self.max_file_bytes, self.max_file_bytes],
                ["RLIMIT_CORE", 0, 0]]

    def _drain(self, stream: t.BinaryIO) -> None:
        """Read the sandbox's stderr, keeping its first 64 KB for the log (a flood is dropped)."""
        try:
            for chunk in iter(lambda: stream.read1(65536), b""):
                room = 65536 - len(self._stderr_tail)
                if room > 0:
                    self._stderr_tail += chunk[:room]
        except (OSError, ValueError):
            pass

    async def async_start_new_kernel_client(self):  # type: ignore[override]
        if not self._sandboxed:
            return await super().async_start_new_kernel_client()
        assert self.km is not None
        try:
            self.kc = self.km.client()
            self._bound_receive_buffers(self.kc.context)
            # no stdin (nbclient never allows input) and no heartbeat (the kernel manager
            # tells whether the kernel lives): fewer sockets for a kernel to fill
            await ensure_async(self.kc.start_channels(stdin=False, hb=False))
            await ensure_async(self.kc.wait_for_ready(timeout=self.startup_timeout))
        except Exception as exc:
            tail = bytes(self._stderr_tail).decode("utf-8", "replace").strip()
            self.log.error("The sandboxed kernel did not start: %s%s", exc,
                           f"\nIts stderr:\n{tail[-3000:]}" if tail else "")
            await self._async_cleanup_kernel()
            raise
        if self._uid() is not None and self._ipc_dir:
            # The sockets exist now: the kernel (another uid) may no longer create files here.
            os.chmod(self._ipc_dir, 0o750)
        self.kc.allow_stdin = False
        await run_hook(self.on_notebook_start, notebook=self.nb)
        return self.kc

    start_new_kernel = run_sync(async_start_new_kernel)
    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    async def _async_cleanup_kernel(self) -> None:
        try:
            await super()._async_cleanup_kernel()
        finally:
            self._kill_sandbox()
            if self._ipc_dir:
                shutil.rmtree(self._ipc_dir, ignore_errors=True)
                self._ipc_dir = None

    _cleanup_kernel = run_sync(_async_cleanup_kernel)

    def _kill_sandbox(self) -> None:
        """Kill bwrap's process group; its PID namespace takes every sandboxed process along."""
        if self._process_group:
            try:
                os.killpg(self._process_group, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self._process_group = None

    async def _restart_kernel(self) -> None:
        """A fresh sandboxed kernel after the previous one was killed or died."""
        self._restarts += 1
        if self.km is not None:
            try:
                await self.km.shutdown_kernel(now=True)
            except Exception:  # already gone
                pass
        await self._async_cleanup_kernel()
        self.kc, self.km = None, None
        if self._restarts > self.max_kernel_restarts:
            self._gave_up = (f"not run: the kernel was restarted {self.max_kernel_restarts} "
                             "times in this notebook (c.SandboxedExecute.max_kernel_restarts)")
            return
        self.km = self.create_kernel_manager()
        await self.async_start_new_kernel()
        await self.async_start_new_kernel_client()

    # -- memory of the whole sandbox -------------------------------------------------------------

    def _memory_cap(self) -> int:
        cap = self.total_memory_limit_bytes
        return self.memory_limit_bytes if cap < 0 else cap

    def sandbox_memory_bytes(self) -> int:
        """Proportional set size of every process in the sandbox (shared pages split up)."""
        import psutil

        if not self._bwrap_pid:
            return 0
        try:
            procs = psutil.Process(self._bwrap_pid).children(recursive=True)
        except psutil.Error:
            return 0
        total = 0
        for proc in procs:
            try:
                with open(f"/proc/{proc.pid}/smaps_rollup", "rb") as fh:
                    for line in fh:
                        if line.startswith(b"Pss:"):
                            total += int(line.split()[1]) * 1024
                            break
            except (OSError, ValueError):
                continue
        return total

    async def _async_check_alive(self) -> None:
        # nbclient calls this every second while a cell runs.
        cap = self._memory_cap()
        if self._sandboxed and cap > 0 and not self._memory_kill:
            used = self.sandbox_memory_bytes()
            if used > cap:
                self._memory_kill = used
                self.log.error("The sandbox uses %s of memory (limit %s): killing it",
                               _b(used), _b(cap))
                self._kill_sandbox()
        await super()._async_check_alive()

    # -- timeouts ------------------------------------------------------------------------------

    async def _async_handle_timeout(self, timeout: int,
                                    cell: NotebookNode | None = None) -> None | dict[str, t.Any]:
        if not self.interrupt_on_timeout:
            return await super()._async_handle_timeout(timeout, cell)
        self.log.error("Cell timed out after %is; interrupting the kernel", timeout)
        assert self.km is not None and self.kc is not None
        await self.km.interrupt_kernel()
        deadline = monotonic() + self.interrupt_grace_seconds
        while (left := deadline - monotonic()) > 0:
            try:
                msg = await self.kc.shell_channel.get_msg(timeout=left)
            except Empty:
                break
            if msg.get("msg_type") == "execute_reply":
                return {"content": {**self.error_on_timeout, "status": "error"}}
        self.log.error("The kernel ignored the interrupt for %is: killing its sandbox",
                       self.interrupt_grace_seconds)
        await self.km.shutdown_kernel(now=True)
        self._kill_sandbox()
        raise _KernelStopped(
            f"Cell timed out after {timeout} s and ignored the interrupt for "
            f"{self.interrupt_grace_seconds} s; the kernel was killed and a fresh one ran the "
            "remaining cells (anything defined before this cell was lost).")

    # -- cells ---------------------------------------------------------------------------------

    async def async_execute_cell(self, cell: NotebookNode, cell_index: int,
                                 execution_count: int | None = None,
                                 store_history: bool = True) -> NotebookNode:
        if self._gave_up:
            if cell.cell_type == "code" and cell.source.strip():
                cell.outputs = [self._error("KernelRestartLimit", self._gave_up)]
            return cell
        try:
            return await super().async_execute_cell(cell, cell_index, execution_count,
                                                    store_history)
        except CellTimeoutError as exc:
            if "IOPub" not in str(exc) or not await ensure_async(self.km.is_alive()):
                return await self._replace_kernel(cell, cell_index, execution_count, exc)
            # The kernel replied but its output stopped short: a message larger than
            # max_message_bytes made ZMQ drop the output connection. The kernel is idle and
            # keeps its state; this cell keeps what arrived, and the output channel is opened
            # again for the next cells.
            self.log.warning("Cell %i: incomplete output (a message over %s?)", cell_index,
                             _b(self.max_message_bytes))
            self._refused.add(cell_index)
            await self._reconnect_iopub()
            if execution_count:
                cell["execution_count"] = execution_count
            self.nb["cells"][cell_index] = cell
            return cell
        except (_KernelStopped, DeadKernelError) as exc:
            return await self._replace_kernel(cell, cell_index, execution_count, exc)
        finally:
            self._add_truncation_note(cell, cell_index)

    execute_cell = run_sync(async_execute_cell)

    async def _reconnect_iopub(self) -> None:
        """A new output (IOPub) connection, in use before the next cell runs."""
        assert self.kc is not None
        self.kc.iopub_channel.close()
        self.kc._iopub_channel = None
        self.kc.start_channels(shell=False, iopub=True, stdin=False, hb=False, control=False)
        msg_id = self.kc.kernel_info()
        deadline = monotonic() + 10
        while (left := deadline - monotonic()) > 0:  # until the subscription delivers
            try:
                msg = await self.kc.iopub_channel.get_msg(timeout=left)
            except Empty:
                break
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                break
        while True:  # and the reply to kernel_info is not left for the next cell
            try:
                msg = await self.kc.shell_channel.get_msg(timeout=max(0.1, left))
            except Empty:
                break
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                break

    async def _replace_kernel(self, cell: NotebookNode, cell_index: int,
                              execution_count: int | None, exc: Exception) -> NotebookNode:
        """Record why the kernel was lost in the cell, and start a fresh one."""
        if isinstance(exc, _KernelStopped):
            error = self._error(self.error_on_timeout.get("ename", "CellTimeoutError"), str(exc))
        elif isinstance(exc, DeadKernelError) and self._memory_kill:
            error = self._error("MemoryError", (
                f"The processes of this cell used {_b(self._memory_kill)} of memory together "
                f"(limit {_b(self._memory_cap())}); the sandbox was killed and a fresh kernel "
                "ran the remaining cells (anything defined before this cell was lost)."))
        elif isinstance(exc, DeadKernelError):
            error = self._error("DeadKernelError", "The kernel died while running this cell; a "
                                "fresh one ran the remaining cells (anything defined before "
                                "this cell was lost).")
        else:
            error = self._error("CellTimeoutError", f"{exc}; a fresh kernel ran the remaining "
                                "cells (anything defined before this cell was lost).")
        self.log.error("Cell %i: %s", cell_index, error.evalue)
        cell.setdefault("outputs", []).append(error)
        if execution_count:
            cell["execution_count"] = execution_count
        self.nb["cells"][cell_index] = cell
        self._memory_kill = 0
        await self._restart_kernel()
        return cell

    @staticmethod
    def _error(ename: str, evalue: str) -> NotebookNode:
        return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                            traceback=[f"\x1b[0;31m{ename}\x1b[0m: {evalue}"])

    # -- output caps -----------------------------------------------------------------------------

    def _is_test_cell(self, cell_index: int) -> bool:
        """An autograder tests cell (the instructor's code, restored by nbgrader)."""
        try:
            meta = self.nb.cells[cell_index].get("metadata", {}).get("nbgrader", {})
        except (AttributeError, IndexError):
            return False
        return bool(meta.get("grade")) and not meta.get("solution")

    def _room(self, cell_index: int) -> int:
        room = self.max_cell_output_bytes - self._cell_bytes.get(cell_index, 0)
        if not self._is_test_cell(cell_index):
            # A tests cell has only its own budget, so that a flood earlier in the notebook
            # cannot silence the answers the later tests record.
            room = min(room, self.max_output_bytes - self._total_bytes)
        return max(0, room)

    def _spend(self, cell_index: int, size: int) -> None:
        self._cell_bytes[cell_index] = self._cell_bytes.get(cell_index, 0) + size
        if not self._is_test_cell(cell_index):
            self._total_bytes += size

    def _drop(self, cell_index: int, size: int) -> None:
        self._cell_dropped[cell_index] = self._cell_dropped.get(cell_index, 0) + size

    def output(self, outs: list[NotebookNode], msg: dict[str, t.Any], display_id: str | None,
               cell_index: int) -> NotebookNode | None:
        content = msg.get("content") or {}
        size = output_bytes(content)
        room = self._room(cell_index)
        if size <= room:
            self._spend(cell_index, size)
            return super().output(outs, msg, display_id, cell_index)
        if msg.get("msg_type") == "error":
            # Always kept, shortened: dropping it would make a failing test look passed.
            errors = sum(1 for o in outs if o.get("output_type") == "error")
            if errors >= 10:
                self._drop(cell_index, size)
                return None
            short = dict(content, evalue=_shorten(str(content.get("evalue", "")), 1000),
                         traceback=[_shorten(str(line), 1000)
                                    for line in (content.get("traceback") or [])[-5:]])
            self._drop(cell_index, max(0, size - output_bytes(short)))
            return super().output(outs, dict(msg, content=short), display_id, cell_index)
        if msg.get("msg_type") == "stream" and room > 0:
            kept = _shorten(content.get("text", ""), room)
            self._spend(cell_index, _text_bytes(kept))
            self._drop(cell_index, size - _text_bytes(kept))
            return super().output(outs, dict(msg, content=dict(content, text=kept)),
                                  display_id, cell_index)
        self._drop(cell_index, size)
        return None

    def _update_display_id(self, display_id: str, msg: dict[str, t.Any]) -> None:
        size = output_bytes(msg.get("content") or {})
        copies = sum(len(v) for v in self._display_id_map.get(display_id, {}).values())
        if size * max(copies, 1) > self.max_output_bytes - self._total_bytes:
            for cell_index in self._display_id_map.get(display_id, {}):
                self._drop(cell_index, size)
            return
        self._total_bytes += size * copies
        super()._update_display_id(display_id, msg)

    def handle_comm_msg(self, outs: list[NotebookNode], msg: dict[str, t.Any],
                        cell_index: int) -> None:
        size = len(json.dumps((msg.get("content") or {}).get("data") or {}, default=str))
        if size > self.max_output_bytes - self._total_bytes:
            self._drop(cell_index, size)
            return
        self._total_bytes += size
        super().handle_comm_msg(outs, msg, cell_index)

    def _add_truncation_note(self, cell: NotebookNode, cell_index: int) -> None:
        dropped = self._cell_dropped.pop(cell_index, 0)
        refused = cell_index in self._refused
        if not (dropped or refused) or cell.get("cell_type") != "code":
            return
        self._refused.discard(cell_index)
        kept = self._cell_bytes.get(cell_index, 0)
        what = f"{_b(dropped)} dropped" if dropped else ""
        if refused:
            what += (" and " if what else "") + (
                f"a message over {_b(self.max_message_bytes)} refused")
        cell.setdefault("outputs", []).append(NotebookNode(
            output_type="stream", name="stderr",
            text=(f"\n[output truncated by the grading sandbox: {what}, {_b(kept)} kept; "
                  f"limits: {_b(self.max_cell_output_bytes)} per cell, "
                  f"{_b(self.max_output_bytes)} per notebook]\n")))


__all__ = ["STUDENT_ID_VARIABLE", "SandboxUnavailableError", "SandboxedExecute",
           "SandboxedKernelManager", "bwrap_argv", "find_bwrap", "output_bytes",
           "probe_sandbox", "readable_paths"]
