"""The bubblewrap command that isolates a submission's kernel, and what it may read.

:func:`bwrap_argv` builds the command line (namespaces, read-only system and Python folders, a
size-limited tmpfs for the scratch folder, ``/tmp`` and ``/dev/shm``); :func:`readable_paths`
finds the host folders the kernel needs and never one that holds the course;
:func:`probe_sandbox` tells whether bwrap can make a sandbox on this machine at all.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import typing as t
from pathlib import Path

#: Where the sandbox finds, read-only, what it copies into its writable folders.
_SUBMISSION_MOUNT = "/run/ftroi/submission"
_MPL_CACHE_MOUNT = "/run/ftroi/matplotlib"
#: The kernel's connection file (bound read-only from the grader's private folder).
_CONNECTION_MOUNT = "/run/ftroi/kernel.json"
#: The kernel's unix sockets: a tiny tmpfs of the sandbox's own. The grader reaches them through
#: ``/proc/<pid>/root`` of the sandbox's first process, so no host folder is writable from inside.
_IPC_MOUNT = "/run/ftroi/ipc"
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


#: The exit status of a grading stopped by a fault of the grading environment (not a submission).
ENVIRONMENT_FAULT_STATUS = 3


class GradingEnvironmentError(SystemExit):
    """Grading stopped: the grader cannot run students' kernels properly here.

    A fault of the grading environment (bwrap missing or failing, a kernel that cannot start, a
    package the kernel cannot import), never of a submission: every student would get the same
    wrong score. It derives from ``SystemExit`` so that ``nbgrader autograde`` stops at the
    first submission with this one message (logged once, exit status 3), instead of reporting
    the same failure once per student (nbgrader catches every ``Exception`` per submission and
    goes on with the next one).

    >>> str(GradingEnvironmentError("no bwrap")), GradingEnvironmentError("no bwrap").code
    ('no bwrap', 3)
    """

    def __init__(self, message: str) -> None:
        super().__init__(ENVIRONMENT_FAULT_STATUS)  # the message is already in the log
        self.message = message

    def __str__(self) -> str:
        return self.message


class SandboxUnavailableError(GradingEnvironmentError):
    """Autograding refused: bubblewrap is missing or cannot create its namespaces."""


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
               connection_file: str | None, workdir: str, submission: str | None,
               mpl_cache: str | None,
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
    connection_file : str or None
        The kernel's connection file on the host, bound read-only at ``/run/ftroi/kernel.json``.
        The kernel's sockets go in a tmpfs of the sandbox's own at ``/run/ftroi/ipc``: nothing
        on the host is writable from inside.
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
    >>> argv = bwrap_argv("bwrap", readable=[], hidden=[], connection_file=None, workdir="/w",
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
    m = _Mounts()
    for path in _SYSTEM_PATHS:
        if os.path.islink(path):
            m.argv += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            m.bind_host(path)
    m.argv += ["--proc", "/proc", "--dev", "/dev"]
    m.tmpfs("/dev/shm", max(tmp_size_bytes // 8, 1 << 20), "1777")
    m.tmpfs("/tmp", tmp_size_bytes, "1777")
    for path in readable:
        m.bind_host(path)
    for path in hidden:
        if not os.path.lexists(path) or not any(_is_within(path, b) for b in m.bound):
            continue
        if os.path.isdir(path):
            m.tmpfs(path, 4096, "0555")
        else:
            m.argv += ["--ro-bind", "/dev/null", path]
    m.tmpfs(_IPC_MOUNT, 65536, "0700")
    m.tmpfs(workdir, scratch_size_bytes, "0755")
    for source, target in ((connection_file, _CONNECTION_MOUNT),
                           (submission, _SUBMISSION_MOUNT), (mpl_cache, _MPL_CACHE_MOUNT)):
        if source:
            m.argv += [*m.parents(target), "--ro-bind", source, target]
    # bwrap's own root and /dev are tmpfs with no size limit, owned by the sandbox's user in a
    # user namespace: read-only, so that only the size-limited tmpfs above are writable.
    m.argv += ["--remount-ro", "/dev", "--remount-ro", "/"]
    return [*argv, *m.argv, "--chdir", workdir]


class _Mounts:
    """bwrap's mount arguments, with the folders above each mount point made as needed."""

    def __init__(self) -> None:
        self.argv: list[str] = []
        self.bound: list[str] = []  # folders whose contents come from the host
        self.made: set[str] = {"/tmp", "/dev", "/proc"}  # folders the sandbox has already

    def parents(self, path: str) -> list[str]:
        """Make the folders above ``path`` that no mount provides, traversable (0755)."""
        out: list[str] = []
        parts = Path(path).parts[1:-1]
        for i in range(len(parts)):
            folder = "/" + "/".join(parts[:i + 1])
            if folder not in self.made and not any(_is_within(folder, b) for b in self.bound):
                self.made.add(folder)
                out += ["--perms", "0755", "--dir", folder]
        return out

    def bind_host(self, path: str) -> None:
        """The host folder ``path``, read-only at the same path."""
        self.argv += [*self.parents(path), "--ro-bind", path, path]
        self.bound.append(path)

    def tmpfs(self, path: str, size_bytes: int, perms: str) -> None:
        self.argv += [*self.parents(path), "--size", str(size_bytes), "--perms", perms,
                      "--tmpfs", path]


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
        argv = bwrap_argv(bwrap, readable=[], hidden=[], connection_file=None, workdir="/work",
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


