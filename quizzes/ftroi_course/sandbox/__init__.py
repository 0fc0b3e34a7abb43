"""Run each submission's kernel inside a bubblewrap sandbox during ``nbgrader autograde``.

``SandboxedExecute`` replaces nbgrader's ``Execute`` preprocessor in
``c.Autograde.autograde_preprocessors`` (see ``quizzes/nbgrader_config.py``). It executes the
notebook exactly as ``Execute`` does, but the kernel runs inside Debian's ``bwrap``:

- **no network**: a network namespace of its own (only its own loopback), so nothing on the
  machine or beyond it can be reached. The kernel talks to the grader over ZMQ's ``ipc``
  transport: unix sockets in a tiny tmpfs of the sandbox's own, which the grader reaches
  through ``/proc/<pid>/root``; no host folder is writable from inside;
- **a clean start**: the kernel's Python runs with ``-P -s``, so no file handed in
  (``ipykernel_launcher.py``, ``sitecustomize.py``, ``numpy.py``...) is importable before the
  student's own cells, and the user site folder is ignored;
- **nothing of the course**: the sandbox's file system holds only the operating system
  (``/usr``, ``/etc`` minus Jupyter's configuration), the Python installation and the learner's
  package, all read-only. The course directory (``source/``, the gradebook, ``submitted/``,
  ``autograded/``, other students), this package (the key and the grading code), the real home
  folder, ``/run``, ``/var`` and every other path are absent;
- **a scratch copy** of this student's own folder is the kernel's working directory, at the
  same path as in the course; it lives in a size-limited tmpfs that disappears with the kernel,
  as do ``/tmp`` (which holds HOME) and ``/dev/shm``.
  nbgrader still writes the graded notebook to ``autograded/`` from the grading process;
- **its own PID namespace and session**: the kernel cannot see or signal other processes; when
  the kernel ends (or is killed) every process it started ends with it;
- **limits**: CPU seconds, address space and open files per process, the number of processes
  (and threads) in the sandbox, the memory of all of them together (checked every second while
  a cell runs), the size of every file and of each writable tmpfs;
- **bounded output**: outputs are counted as they arrive in the grading process; past a cell's or
  the notebook's byte budget they are dropped (never accumulated) and the cell gets a note on
  stderr. Error outputs are always kept (shortened), so a flood cannot hide a failing test;
- **a time budget per submission** (``submission_time_budget_seconds``): past it the running
  cell is stopped and the cells after it are not run, each with a ``TimeBudgetExceeded`` error;
- **interrupts that work**: a cell that runs past the timeout is interrupted with a message on
  the control channel (``interrupt_mode = "message"``; a signal would stop at bwrap). If the
  kernel has not answered after ``interrupt_grace_seconds`` it is killed with everything in its
  sandbox, the cell gets a ``CellTimeoutError``, and a fresh sandboxed kernel runs the
  remaining cells (state from before is lost, so answers that depended on it score 0).

The kernel's environment is rebuilt from scratch: ``FTROI_STUDENT_ID`` is the nbgrader student
id, ``NBGRADER_EXECUTION`` is kept as nbgrader sets it, and only the variables named in
``env_keep`` are passed on (no tokens or passwords from the grader's environment).

A fault of the grading environment stops autograding with one error that names it
(:class:`GradingEnvironmentError`, exit status 3) and records no score (not 0) for the student
it stopped at: a kernel that does not start, or cannot import ``kernel_packages``.
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

The package is split by idea: :mod:`.bwrap` (the bwrap command and what the kernel may read),
:mod:`.launcher` (what runs inside the sandbox before the kernel, including the copy of the
student's folder), :mod:`.kernel` (the kernel manager), :mod:`.watchdog` (memory and
timeouts), :mod:`.output_budget` and :mod:`.execute` (the preprocessor that joins them).
"""

from .bwrap import (
    ENVIRONMENT_FAULT_STATUS,
    GradingEnvironmentError,
    SandboxUnavailableError,
    bwrap_argv,
    find_bwrap,
    kernel_sys_path,
    probe_sandbox,
    readable_paths,
)
from .execute import SandboxedExecute
from .kernel import STUDENT_ID_VARIABLE, SandboxedKernelManager
from .output_budget import output_bytes

__all__ = ["ENVIRONMENT_FAULT_STATUS", "STUDENT_ID_VARIABLE", "GradingEnvironmentError",
           "SandboxUnavailableError", "SandboxedExecute",
           "SandboxedKernelManager", "bwrap_argv", "find_bwrap", "kernel_sys_path",
           "output_bytes", "probe_sandbox", "readable_paths"]
