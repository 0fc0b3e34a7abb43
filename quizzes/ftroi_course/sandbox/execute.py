"""``SandboxedExecute``: nbgrader's ``Execute`` with each submission's kernel in a sandbox.

It puts together the kernel manager (:mod:`.kernel`), the watchdog (:mod:`.watchdog`) and the
output budget (:mod:`.output_budget`), and decides what a lost kernel means for the cells: the
cell gets the reason as an error and a fresh kernel runs the remaining cells; past the time
budget, the cells left are not run.

A fault of the grading environment (no sandbox, a kernel that cannot start or cannot import
the learner's package) is not a submission's: grading stops with
:class:`~.bwrap.GradingEnvironmentError` (exit status 3), and the student's half-made
results are removed, in ``autograded/`` and in the gradebook, so no score of 0 is recorded.
"""

from __future__ import annotations

import shutil
import typing as t
from pathlib import Path
from queue import Empty
from time import monotonic

from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool

from .bwrap import (
    GradingEnvironmentError,
    SandboxUnavailableError,
    find_bwrap,
    probe_sandbox,
)
from .kernel import SandboxedKernels
from .output_budget import OutputBudget, _b
from .watchdog import KernelStopped, Watchdog


class SandboxedExecute(OutputBudget, Watchdog, SandboxedKernels, Execute):
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

    def preprocess(self, nb: NotebookNode, resources: t.Any = None,
                   km: t.Any = None) -> tuple[NotebookNode, t.Any]:
        resources = resources if resources is not None else {}
        self._student_id = str(resources.get("nbgrader", {}).get("student") or "")
        self.reset_output_budget()
        self._restarts, self._gave_up, self._gave_up_ename = 0, "", "KernelRestartLimit"
        self._memory_kill = 0
        self._sandboxed = self._check_sandbox(resources)
        self.start_time_budget()
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
        self._forget_submission(resources)
        raise SandboxUnavailableError(message)

    def environment_fault(self, what: str) -> GradingEnvironmentError:
        """Log ``what`` went wrong with the grading environment, undo this student's half-made
        results, and return the error that stops grading."""
        student = self._student_id or "this student"
        message = (f"Grading stopped at {student}, on a fault of the grading environment, not "
                   f"of the submission: {what}. No score was recorded for {student}; fix the "
                   "environment and grade again.")
        self.log.error(message)
        self._forget_submission(self.resources if isinstance(self.resources, dict) else {})
        return GradingEnvironmentError(message)

    def _forget_submission(self, resources: dict[str, t.Any]) -> None:
        """Remove what nbgrader made of this submission before it ran: the autograded folder
        and, if none of its grades has a score yet, its gradebook entry (which reads as 0)."""
        self._remove_unfinished_output(resources)
        info = resources.get("nbgrader", {})
        coursedir = self._coursedir()
        if not info.get("assignment") or not info.get("student") or not coursedir.db_url:
            return
        from nbgrader.api import Gradebook, MissingEntry

        try:
            with Gradebook(coursedir.db_url, coursedir.course_id) as gb:
                submission = gb.find_submission(info["assignment"], info["student"])
                grades = [g for nb in submission.notebooks for g in nb.grades]
                if all(g.auto_score is None and g.manual_score is None for g in grades):
                    gb.remove_submission(info["assignment"], info["student"])
        except MissingEntry:
            pass
        except Exception as exc:  # noqa: BLE001 - the fault being reported matters more
            self.log.error("Could not remove %s's unscored gradebook entry: %s",
                           info["student"], exc)

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

    async def async_execute_cell(self, cell: NotebookNode, cell_index: int,
                                 execution_count: int | None = None,
                                 store_history: bool = True) -> NotebookNode:
        if not self._gave_up and self.budget_used_up():
            self._give_up("TimeBudgetExceeded", f"not run: {self.budget_message()}", cell_index)
        if self._gave_up:
            if cell.cell_type == "code" and cell.source.strip():
                cell.outputs = [self._error(self._gave_up_ename, self._gave_up)]
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
        except (KernelStopped, DeadKernelError) as exc:
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

    def _give_up(self, ename: str, why: str, cell_index: int) -> None:
        """Run no more cells: each code cell from ``cell_index`` on gets ``why`` as an error."""
        self._gave_up, self._gave_up_ename = why, ename
        left = sum(1 for c in self.nb.cells[cell_index:] if c.cell_type == "code")
        self.log.error("Student %s: the %i code cells from cell %i on are %s", self._student_id,
                       left, cell_index, why)

    async def _replace_kernel(self, cell: NotebookNode, cell_index: int,
                              execution_count: int | None, exc: Exception) -> NotebookNode:
        """Record why the kernel was lost in the cell, and start a fresh one."""
        if self.budget_used_up():
            error = self._error("TimeBudgetExceeded", (
                f"{self.budget_message()} while this cell ran: its kernel was stopped, and the "
                "cells after it were not run"))
        elif isinstance(exc, KernelStopped):
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
        if self.budget_used_up():
            self._give_up("TimeBudgetExceeded", f"not run: {self.budget_message()}",
                          cell_index + 1)
            await self._stop_kernel()
            return cell
        await self._restart_kernel()
        return cell

    @staticmethod
    def _error(ename: str, evalue: str) -> NotebookNode:
        return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                            traceback=[f"\x1b[0;31m{ename}\x1b[0m: {evalue}"])

