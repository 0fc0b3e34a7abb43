"""The output budget: bytes of output a submission may leave in its graded notebook.

Outputs are counted as they arrive in the grading process; past a cell's or the notebook's byte
budget they are dropped (never accumulated) and the cell gets a note on stderr. Error outputs
are always kept (shortened), so a flood cannot hide a failing test. :class:`OutputBudget` is a
mixin of :class:`~ftroi_course.sandbox.SandboxedExecute`; its limits are configured as
``c.SandboxedExecute.<name>``.
"""

from __future__ import annotations

import json
import typing as t

from nbclient import NotebookClient
from nbformat import NotebookNode
from traitlets import Integer


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



class OutputBudget(NotebookClient):
    """Counts each output as it arrives and drops what is past the cell's or notebook's budget.

    >>> OutputBudget.class_traits()["max_cell_output_bytes"].default()
    1000000
    """

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

    _cell_bytes: dict[int, int]
    _cell_dropped: dict[int, int]
    _refused: set[int]
    _total_bytes: int = 0

    def reset_output_budget(self) -> None:
        """A full budget, for a new notebook."""
        self._cell_bytes, self._cell_dropped, self._refused = {}, {}, set()
        self._total_bytes = 0

    def _bound_receive_buffers(self, context: t.Any) -> None:
        """What a kernel can make the grader buffer: messages of at most max_message_bytes
        (a larger one is refused unread), at most 32 waiting per socket."""
        import zmq

        context.setsockopt(zmq.MAXMSGSIZE, self.max_message_bytes)
        context.setsockopt(zmq.RCVHWM, 32)

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

