"""The watchdog: what stops a submission that runs too long or takes too much memory.

While a cell runs, nbclient calls :meth:`Watchdog._async_check_alive` every second: the memory
of every process in the sandbox together is measured there, and past its limit the sandbox is
killed. A cell past its timeout is interrupted with a message on the control channel (a signal
would stop at bwrap); if the kernel has not answered after ``interrupt_grace_seconds`` its
sandbox is killed. :class:`Watchdog` is a mixin of
:class:`~ftroi_course.sandbox.SandboxedExecute`, configured as ``c.SandboxedExecute.<name>``.
"""

from __future__ import annotations

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
    """Kills the sandbox past its memory limit, and a kernel that ignores an interrupt."""

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
        raise KernelStopped(
            f"Cell timed out after {timeout} s and ignored the interrupt for "
            f"{self.interrupt_grace_seconds} s; the kernel was killed and a fresh one ran the "
            "remaining cells (anything defined before this cell was lost).")
