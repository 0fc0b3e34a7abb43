"""The watchdog: what stops a submission that runs too long or takes too much memory.

Each submission has a time budget (``submission_time_budget_seconds``), beside the per-cell
timeout: no cell may run past what is left of it, and once it is used up the running cell is
interrupted and the remaining cells are not run (each gets an error, so their tests score 0).

While a cell runs, nbclient calls :meth:`Watchdog._async_check_alive` every second: the memory
of every process in the sandbox together is measured there, and past its limit the sandbox is
killed. A cell past its timeout is interrupted with a message on the control channel (a signal
would stop at bwrap); if the kernel has not answered after ``interrupt_grace_seconds`` its
sandbox is killed. :class:`Watchdog` is a mixin of
:class:`~ftroi_course.sandbox.SandboxedExecute`, configured as ``c.SandboxedExecute.<name>``.
"""

from __future__ import annotations

import math
import typing as t
from queue import Empty
from time import monotonic

from nbclient import NotebookClient
from nbformat import NotebookNode
from traitlets import Integer

from .output_budget import _b


class KernelStopped(Exception):
    """The kernel ignored an interrupt and was killed; the cell gets a timeout error."""


class Watchdog(NotebookClient):
    """Stops a submission past its time budget, and kills the sandbox past its memory limit or
    when the kernel ignores an interrupt.

    >>> Watchdog.class_traits()["submission_time_budget_seconds"].default()
    120
    """

    submission_time_budget_seconds = Integer(
        120,
        help="Wall-clock seconds one submission may run, from its kernel's start to its last "
             "cell (kernel restarts included), beside the per-cell timeout. Past it the running "
             "cell is interrupted as at a timeout, the cells after it are not run (each gets an "
             "error, so their tests score 0), and the reason goes to the grading log and the "
             "feedback. A quiz runs in a few seconds, so the default leaves a wide margin for a "
             "loaded machine. 0: no budget.",
    ).tag(config=True)

    total_memory_limit_bytes = Integer(
        -1,
        help="Memory of all processes in the sandbox together (their proportional set size), "
             "checked every second while a cell runs: past it the sandbox is killed, the cell "
             "gets a MemoryError and a fresh kernel runs the remaining cells. -1: the same as "
             "memory_limit_bytes; 0: not checked.",
    ).tag(config=True)
    interrupt_grace_seconds = Integer(
        5,
        help="After a cell's timeout and interrupt, seconds to wait for the kernel before "
             "killing its sandbox and starting a fresh kernel for the remaining cells.",
    ).tag(config=True)

    _memory_kill: int = 0
    _budget_deadline: float = math.inf
    _sandboxed: bool
    _bwrap_pid: int | None
    memory_limit_bytes: int
    _kill_sandbox: t.Callable[[], None]  # from SandboxedKernels

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

    # -- the time budget and timeouts -----------------------------------------------------------

    def start_time_budget(self) -> None:
        """Start the clock of this submission's time budget."""
        budget = self.submission_time_budget_seconds
        self._budget_deadline = monotonic() + budget if budget > 0 else math.inf

    def budget_used_up(self) -> bool:
        """Whether this submission's time budget has run out."""
        return monotonic() >= self._budget_deadline

    def budget_message(self) -> str:
        return (f"the submission's time budget of {self.submission_time_budget_seconds} s "
                "(c.SandboxedExecute.submission_time_budget_seconds) was used up")

    def _get_timeout(self, cell: NotebookNode | None) -> int | None:
        """The cell's timeout, cut to what is left of the time budget (at least 1 s)."""
        timeout = super()._get_timeout(cell)
        if self._budget_deadline == math.inf:
            return timeout
        left = max(1, math.ceil(self._budget_deadline - monotonic()))
        return left if timeout is None else min(timeout, left)

    def _timeout_error(self, timeout: int) -> dict[str, t.Any]:
        """The error a cell stopped at its timeout or at the end of the time budget gets."""
        if not self.budget_used_up():
            return {**self.error_on_timeout, "status": "error"}
        evalue = (f"{self.budget_message()} while this cell ran: it was interrupted, and the "
                  "cells after it were not run")
        return {"ename": "TimeBudgetExceeded", "evalue": evalue, "status": "error",
                "traceback": [f"\x1b[0;31mTimeBudgetExceeded\x1b[0m: {evalue}"]}

    async def _async_handle_timeout(self, timeout: int,
                                    cell: NotebookNode | None = None) -> None | dict[str, t.Any]:
        if not self.interrupt_on_timeout:
            return await super()._async_handle_timeout(timeout, cell)
        if self.budget_used_up():
            self.log.error("Stopping the submission: %s; interrupting the kernel",
                           self.budget_message())
        else:
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
                return {"content": self._timeout_error(timeout)}
        self.log.error("The kernel ignored the interrupt for %is: killing its sandbox",
                       self.interrupt_grace_seconds)
        await self.km.shutdown_kernel(now=True)
        self._kill_sandbox()
        raise KernelStopped(
            f"Cell timed out after {timeout} s and ignored the interrupt for "
            f"{self.interrupt_grace_seconds} s; the kernel was killed and a fresh one ran the "
            "remaining cells (anything defined before this cell was lost).")
