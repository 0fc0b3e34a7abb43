"""The kernel manager: starting each submission's kernel inside its sandbox, and stopping it.

:class:`SandboxedKernelManager` prefixes the kernel's command with bwrap's and the launcher's,
and interrupts by message. :class:`SandboxedKernels`, a mixin of
:class:`~ftroi_course.sandbox.SandboxedExecute`, builds each kernel's sandbox (what it may read,
what is hidden, its limits and environment), starts it over ZMQ's ``ipc`` transport, kills its
whole process group when it ends, and starts a fresh one after a kill. Configured as
``c.SandboxedExecute.<name>``.
"""

from __future__ import annotations

import asyncio
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
from nbclient import NotebookClient
from nbclient.util import ensure_async, run_hook
from traitlets import Dict, Integer, List, Unicode

from . import launcher
from .bwrap import (
    _CONNECTION_MOUNT,
    _IPC_MOUNT,
    _MPL_CACHE_MOUNT,
    _SANDBOX_HOME,
    _SUBMISSION_MOUNT,
    _UID_BASE,
    _real,
    bwrap_argv,
    find_bwrap,
    jupyter_config_dirs,
    matplotlib_cache_dir,
    readable_paths,
)

#: The variable that tells a quiz notebook whose variant it shows (fixed by issue 10).
STUDENT_ID_VARIABLE = "FTROI_STUDENT_ID"
#: The launcher's source, run with ``python -I -S -c`` inside the sandbox.
_LAUNCHER = Path(launcher.__file__).read_text(encoding="utf-8")
#: The folder of this package (the key and the grading code): hidden from every kernel.
_PACKAGE = Path(__file__).resolve().parents[1]


def clean_start(cmd: list[str]) -> list[str]:
    """The kernel command with Python told to import nothing from the submission's folder.

    ``-P`` keeps the working folder (the copy of the submission) off ``sys.path``, so an
    ``ipykernel_launcher.py``, ``sitecustomize.py`` or ``numpy.py`` handed in never runs (and
    IPython then does not add it either); ``-s`` ignores the user's site folder in HOME.

    >>> clean_start(["/venv/bin/python3.11", "-m", "ipykernel_launcher", "-f", "c.json"])
    ['/venv/bin/python3.11', '-P', '-s', '-m', 'ipykernel_launcher', '-f', 'c.json']
    >>> clean_start(["/opt/kernel-wrapper", "-f", "c.json"])
    ['/opt/kernel-wrapper', '-f', 'c.json']
    """
    if cmd and os.path.basename(cmd[0]).startswith("python"):
        return [cmd[0], "-P", "-s", *cmd[1:]]
    return list(cmd)


async def sandbox_root_pid(process: subprocess.Popen, timeout_s: float = 30.0) -> int:
    """The pid of bwrap's first child: the process whose root folder is the sandbox's.

    Raises
    ------
    RuntimeError
        When bwrap exits, or starts no child within ``timeout_s``.
    """
    import psutil

    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        try:
            children = psutil.Process(process.pid).children()
        except psutil.Error:
            children = []
        if children:
            return children[0].pid
        if process.poll() is not None:
            raise RuntimeError(f"bwrap exited with status {process.returncode} before the "
                               "sandbox was made")
        if asyncio.get_running_loop().time() > deadline:
            raise RuntimeError(f"bwrap made no sandbox within {timeout_s:g} s")
        await asyncio.sleep(0.005)


def why_not_importable(packages: t.Iterable[str]) -> str:
    """Where the grader finds ``packages``, and why a sandboxed kernel may not.

    >>> why_not_importable(["no_such_package_here"])
    'the grader cannot import no_such_package_here either: install it'
    """
    import importlib.util

    reasons = []
    extra = [_real(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    for name in packages:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is None:
            reasons.append(f"the grader cannot import {name} either: install it")
            continue
        where = _real(spec.origin or next(iter(spec.submodule_search_locations or [""]), ""))
        if any(where == p or where.startswith(p.rstrip("/") + "/") for p in extra):
            reasons.append(
                f"the grader finds {name} at {where} only through PYTHONPATH, which the sandbox "
                f"does not pass to kernels: install it into {sys.prefix} (pip install -e .)")
        else:
            reasons.append(f"the grader finds {name} at {where}; is it readable by the "
                           "kernel (c.SandboxedExecute.readable_paths)?")
    return "; ".join(reasons)


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel command is prefixed with the sandbox's.

    ``sandbox_prefix`` is set by :class:`SandboxedExecute` before each start. Interrupts go as a
    message on the control channel, since a signal sent to bwrap does not reach the kernel.
    The kernel binds its sockets in the sandbox's own ``/run/ftroi/ipc``; once bwrap has
    started, the grader connects to them through ``/proc/<pid>/root`` of the sandbox.
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
        cmd = super().format_kernel_cmd(extra_arguments)
        cmd = [a.replace(self.connection_file, _CONNECTION_MOUNT) for a in cmd]
        return [*self.sandbox_prefix, *clean_start(cmd)]

    async def _async_post_start_kernel(self, **kw: t.Any) -> None:
        process = getattr(self.provisioner, "process", None)
        if process is not None and self.ip.startswith(_IPC_MOUNT):
            self.ip = f"/proc/{await sandbox_root_pid(process)}/root{self.ip}"
        await super()._async_post_start_kernel(**kw)

    def write_connection_file(self, **kwargs: t.Any) -> None:
        super().write_connection_file(**kwargs)
        if self.connection_file_group is not None:  # the kernel runs as another user
            os.chown(self.connection_file, -1, self.connection_file_group)
            os.chmod(self.connection_file, 0o640)



class SandboxedKernels(NotebookClient):
    """Starts each kernel in a fresh sandbox and kills the sandbox with it."""

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


    _sandboxed: bool = False
    _student_id: str = ""
    _restarts: int = 0
    _gave_up: str = ""
    _gave_up_ename: str = "KernelRestartLimit"
    # per kernel
    _conn_dir: str | None = None
    _stderr_tail: bytearray
    _process_group: int | None = None
    _bwrap_pid: int | None = None
    _bound_receive_buffers: t.Callable[[t.Any], None]  # from OutputBudget
    environment_fault: t.Callable[[str], BaseException]  # from SandboxedExecute

    def _uid(self) -> int | None:
        """The uid the sandbox runs as, if it differs from ours (only when we are root)."""
        if os.geteuid() != 0:
            return None
        return self.run_as_uid if self.run_as_uid >= 0 else _UID_BASE + os.getpid()

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
        return [_real(self._coursedir().root or os.getcwd()), _real(_PACKAGE),
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
        try:
            await self._start_kernel(**kwargs)
        except Exception as exc:
            raise self._start_failure(exc) from exc

    def _start_failure(self, exc: Exception) -> BaseException:
        """The environment fault for a kernel that did not start, with its stderr."""
        tail = bytes(getattr(self, "_stderr_tail", b"")).decode("utf-8", "replace").strip()
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        if not tail and process is not None and process.stderr is not None:
            try:
                if process.poll() is not None:
                    tail = process.stderr.read(65536).decode("utf-8", "replace").strip()
            except (OSError, ValueError):
                pass
        where = " in its sandbox" if self._sandboxed else ""
        return self.environment_fault(
            f"the student's kernel did not start{where} ({type(exc).__name__}: {exc})"
            + (f"; its stderr:\n{tail[-3000:]}" if tail else ""))

    async def _start_kernel(self, **kwargs: t.Any) -> None:
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
                "limits": self._limits(), "uid": uid,
                "owned": [submission, _SANDBOX_HOME, _IPC_MOUNT]}
        # The grader's own folder (0700) for the connection file, bound read-only: the kernel
        # can write nothing on the host.
        self._conn_dir = tempfile.mkdtemp(prefix=f"ftroi-sbx-{os.getpid()}-")
        try:
            self.km.connection_file = os.path.join(self._conn_dir, "kernel.json")
            argv = bwrap_argv(
                find_bwrap(self.bwrap_path) or "bwrap", readable=readable, hidden=hidden,
                connection_file=self.km.connection_file, workdir=submission,
                submission=submission, mpl_cache=mpl,
                scratch_size_bytes=self.scratch_size_bytes, tmp_size_bytes=self.tmp_size_bytes,
                as_root=uid is not None)
            self.km.sandbox_prefix = [*argv, "--", _real(sys.executable), "-I", "-S", "-c",
                                      _LAUNCHER, json.dumps(spec)]
            self.km.transport = "ipc"
            self.km.ip = f"{_IPC_MOUNT}/kernel"
            self.km.connection_file_group = uid
            kwargs.update(cwd=self._conn_dir, env=self._kernel_env(), independent=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            self._stderr_tail = bytearray()
            await super().async_start_new_kernel(**kwargs)
        except BaseException:
            self._kill_sandbox(getattr(self.km.provisioner, "pgid", None))
            shutil.rmtree(self._conn_dir, ignore_errors=True)
            self._conn_dir = None
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
            try:
                kc = await super().async_start_new_kernel_client()
            except Exception as exc:
                raise self._start_failure(exc) from exc
            await self._check_imports_or_stop()
            return kc
        assert self.km is not None
        try:
            self.kc = self.km.client()
            self._bound_receive_buffers(self.kc.context)
            # no stdin (nbclient never allows input) and no heartbeat (the kernel manager
            # tells whether the kernel lives): fewer sockets for a kernel to fill
            await ensure_async(self.kc.start_channels(stdin=False, hb=False))
            await ensure_async(self.kc.wait_for_ready(timeout=self.startup_timeout))
        except Exception as exc:
            await self._async_cleanup_kernel()
            raise self._start_failure(exc) from exc
        self.kc.allow_stdin = False
        await self._check_imports_or_stop()
        await run_hook(self.on_notebook_start, notebook=self.nb)
        return self.kc

    async def _check_imports_or_stop(self) -> None:
        """:meth:`_check_kernel_imports`; on a fault, the kernel and its sandbox are stopped."""
        try:
            await self._check_kernel_imports()
        except BaseException:
            await self._stop_kernel()
            raise

    async def _check_kernel_imports(self) -> None:
        """Stop grading if the fresh kernel cannot import ``kernel_packages``.

        Run before any of the student's cells (with ``-P`` nothing of theirs has run yet), so
        a failure here is the grading environment's, not the submission's.
        """
        if not self.kernel_packages:
            return
        assert self.kc is not None
        code = (f"import importlib as _i\nfor _m in {list(self.kernel_packages)!r}:\n"
                "    _i.import_module(_m)\ndel _i, _m")
        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
        deadline = monotonic() + self.startup_timeout
        while (left := deadline - monotonic()) > 0:
            try:
                reply = await ensure_async(self.kc.shell_channel.get_msg(timeout=left))
            except Empty:
                break
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            content = reply.get("content", {})
            if content.get("status") == "ok":
                return
            missing = str(content.get("evalue", ""))
            raise self.environment_fault(
                f"the student's kernel cannot import {', '.join(self.kernel_packages)} "
                f"({content.get('ename')}: {missing}); {why_not_importable(self.kernel_packages)}")
        raise self.environment_fault(
            f"the student's kernel did not answer within {self.startup_timeout} s when it "
            f"imported {', '.join(self.kernel_packages)}")

    start_new_kernel = run_sync(async_start_new_kernel)
    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    async def _async_cleanup_kernel(self) -> None:
        try:
            if self.km is not None:  # None once a lost kernel was not replaced
                await super()._async_cleanup_kernel()
        finally:
            self._kill_sandbox()
            if self._conn_dir:
                shutil.rmtree(self._conn_dir, ignore_errors=True)
                self._conn_dir = None

    _cleanup_kernel = run_sync(_async_cleanup_kernel)

    def _kill_sandbox(self, group: int | None = None) -> None:
        """Kill bwrap's process group; its PID namespace takes every sandboxed process along."""
        group = group or self._process_group
        if group:
            try:
                os.killpg(group, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self._process_group = None

    async def _stop_kernel(self) -> None:
        """Stop what is left of a kernel that was killed or died, and its sandbox."""
        if self.km is not None:
            try:
                await self.km.shutdown_kernel(now=True)
            except Exception:  # already gone
                pass
        await self._async_cleanup_kernel()
        self.kc, self.km = None, None

    async def _restart_kernel(self) -> None:
        """A fresh sandboxed kernel after the previous one was killed or died."""
        self._restarts += 1
        await self._stop_kernel()
        if self._restarts > self.max_kernel_restarts:
            self._gave_up = (f"not run: the kernel was restarted {self.max_kernel_restarts} "
                             "times in this notebook (c.SandboxedExecute.max_kernel_restarts)")
            return
        self.km = self.create_kernel_manager()
        await self.async_start_new_kernel()
        await self.async_start_new_kernel_client()

