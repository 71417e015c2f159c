"""nbclient's engine with stored outputs capped and each cell's execute reply kept.

The kernel may print 100 MB; the grader stores at most ``max_cell_output_kib`` per cell and
``max_notebook_output_kib`` per notebook. What is over is dropped (a stream is cut at the limit) and one
visible marker per cell says so. Sizes count every output a cell produced, cleared or not, in UTF-8
bytes (stream text) or the length of each MIME bundle entry. Error outputs are always kept, with the
traceback cut to its last lines. Everything still crosses the socket: a single message is bounded only
by the kernel's own memory limit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbformat import NotebookNode

__all__ = ["TRUNCATION_MARKER", "CappedNotebookClient", "OutputBudget", "coalesce_streams", "output_size"]

TRUNCATION_MARKER = "[grader] output truncated"
MAX_TRACEBACK_LINES = 60
MAX_TRACEBACK_LINE = 4000
_node = cast(Callable[..., NotebookNode], NotebookNode)


@dataclass
class OutputBudget:
    """Bytes of stored output left per cell and per notebook; ``truncated`` once anything was dropped."""

    cell_bytes: int
    notebook_bytes: int
    truncated: bool = False
    used: dict[int, int] = field(default_factory=dict)
    total: int = 0
    marked: set[int] = field(default_factory=set)

    def admit(self, out: NotebookNode, cell_index: int, *, keep_slot: bool = False) -> list[NotebookNode]:
        """What to store instead of ``out``: itself, a cut stream, a marker, or nothing.

        ``keep_slot`` (the output has a display id) stores an empty placeholder instead of nothing, so
        nbclient's display-id index into the cell's outputs stays valid.
        """
        if out.output_type == "error":
            return [_short_traceback(out)]
        size = output_size(out)
        room = self.room(cell_index)
        if size <= room:
            self._spend(cell_index, size)
            return [out]
        self.truncated = True
        kept = self._cut(out, cell_index, room) if room > 0 else []
        if keep_slot and not kept:
            kept = [_node(output_type="display_data", data={}, metadata={})]
        return kept + self._marker(cell_index)

    def room(self, cell_index: int) -> int:
        return min(self.cell_bytes - self.used.get(cell_index, 0), self.notebook_bytes - self.total)

    def _spend(self, cell_index: int, size: int) -> None:
        self.used[cell_index] = self.used.get(cell_index, 0) + size
        self.total += size

    def _cut(self, out: NotebookNode, cell_index: int, room: int) -> list[NotebookNode]:
        """A stream cut to ``room`` bytes (on a character boundary); other outputs are not cut."""
        if out.output_type != "stream":
            return []
        out.text = out.text.encode("utf-8")[:room].decode("utf-8", errors="ignore")
        self._spend(cell_index, room)
        return [out]

    def _marker(self, cell_index: int) -> list[NotebookNode]:
        if cell_index in self.marked:
            return []
        self.marked.add(cell_index)
        which = (
            f"this cell's output exceeded {self.cell_bytes // 1024} KiB"
            if self.total < self.notebook_bytes
            else f"the notebook's output exceeded {self.notebook_bytes // 1024} KiB"
        )
        text = f"\n{TRUNCATION_MARKER}: {which}; the rest was dropped.\n"
        return [_node(output_type="stream", name="stderr", text=text)]


def output_size(out: NotebookNode) -> int:
    """Stored size of one output: UTF-8 bytes of stream text, or the length of each MIME entry."""
    if out.output_type == "stream":
        return len(str(out.get("text", "")).encode("utf-8"))
    data = out.get("data", {})
    return sum(len(v) if isinstance(v, str) else len(json.dumps(v)) for v in data.values())


def coalesce_streams(outputs: list[NotebookNode]) -> list[NotebookNode]:
    """Merge consecutive stream outputs of the same name and apply carriage returns, in linear time.

    (nbclient's own ``coalesce_streams`` uses regular expressions that take quadratic time on a long
    line: a notebook printing one 1 MiB line would cost the grader many minutes.)
    """
    merged: list[NotebookNode] = []
    pieces: list[list[str]] = []
    for out in outputs:
        last = merged[-1] if merged else None
        if (
            out.output_type == "stream"
            and last is not None
            and last.output_type == "stream"
            and last.name == out.name
        ):
            pieces[-1].append(out.text)
            continue
        merged.append(out)
        pieces.append([out.text] if out.output_type == "stream" else [])
    for out, texts in zip(merged, pieces, strict=True):
        if out.output_type == "stream":
            out.text = "\n".join(_after_carriage_return(line) for line in "".join(texts).split("\n"))
    return merged


def _after_carriage_return(line: str) -> str:
    """What a terminal shows of one line: the text after its last carriage return (a trailing one stays)."""
    body = line[:-1] if line.endswith("\r") else line
    return line[body.rfind("\r") + 1 :] if "\r" in body else line


def _short_traceback(out: NotebookNode) -> NotebookNode:
    lines = [str(line)[:MAX_TRACEBACK_LINE] for line in out.get("traceback", [])]
    out.traceback = lines[-MAX_TRACEBACK_LINES:]
    return out


class CappedNotebookClient(NotebookClient):
    """``NotebookClient`` that continues after errors, caps stored outputs and keeps execute replies.

    Cell timeouts are not nbclient's business here (``timeout=None``): the runner interrupts and kills.
    """

    def __init__(self, nb: NotebookNode, km: AsyncKernelManager, *, budget: OutputBudget) -> None:
        super().__init__(
            nb,
            km=km,
            allow_errors=True,
            timeout=None,
            iopub_timeout=10,
            coalesce_streams=False,
            record_timing=False,
        )
        self.budget = budget
        self.replies: dict[int, dict[str, Any]] = {}
        self.on_cell_executed = self._keep_reply

    def _keep_reply(self, cell: NotebookNode, cell_index: int, execute_reply: dict[str, Any]) -> None:
        self.replies[cell_index] = execute_reply

    def output(
        self, outs: list[NotebookNode], msg: dict[str, Any], display_id: str | None, cell_index: int
    ) -> NotebookNode | None:
        """Store an output as nbclient does, then hold it to the budget."""
        out = super().output(outs, msg, display_id, cell_index)
        if out is not None and outs and outs[-1] is out:
            outs[-1:] = self.budget.admit(out, cell_index, keep_slot=display_id is not None)
        return out
