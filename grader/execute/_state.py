"""What happened during a run, and how it becomes the record's status, reason and failure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nbformat import NotebookNode

from grader.execute._reasons import limit_reason
from grader.execute.config import ExecutionConfig
from grader.records.contract import GRADER_TAGS
from grader.records.execution import MAX_FAILURES, CellFailure, ExecStatus

__all__ = ["RunState", "cell_name", "clip", "failure", "student_numbers"]

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_IN_COUNT = re.compile(r"(?:\bCell )?\bIn\s?\[(\d+)\]")


def student_numbers(nb: NotebookNode) -> dict[int, int]:
    """Prepared-notebook index -> the student's cell number (index among the cells that are not the
    grader's injected ones); injected cells map to their prepared index."""
    numbers: dict[int, int] = {}
    student = 0
    for index, cell in enumerate(nb.cells):
        tags = cell.get("metadata", {}).get("tags", [])
        if isinstance(tags, list) and GRADER_TAGS.intersection(str(t) for t in tags):
            numbers[index] = index
            continue
        numbers[index] = student
        student += 1
    return numbers


@dataclass
class RunState:
    """What happened so far; ``verdict`` turns it into the record's status and reason."""

    config: ExecutionConfig
    fatal: tuple[ExecStatus, str] | None = None
    timeout: str = ""
    limit: str = ""
    error: str = ""
    failure: CellFailure | None = None
    epilogue_failure: CellFailure | None = None
    cell_errors: list[int] = field(default_factory=list)
    exit_code: int | None = None
    epilogue_ran: bool = False
    epilogue_broken: bool = False
    cells_executed: int = 0
    truncated: bool = False
    files_not_copied: int = 0
    failures: list[CellFailure] = field(default_factory=list)
    numbers: dict[int, int] = field(default_factory=dict)
    """Prepared index -> the student's cell number (``student_numbers``); unknown indices map to themselves."""
    counts: dict[int, int] = field(default_factory=dict)
    """Execution count -> prepared index, so tracebacks can say ``cell N`` instead of ``In[count]``."""

    def number(self, index: int) -> int:
        """The student's number of prepared cell ``index``."""
        return self.numbers.get(index, index)

    def name(self, index: int, epilogue: bool) -> str:
        """``cell N`` in the student's numbering, or the grader's collection cell."""
        return cell_name(index if epilogue else self.number(index), epilogue)

    def _failure(
        self, index: int, cell: NotebookNode, ename: str, evalue: str, traceback: list[str]
    ) -> CellFailure:
        shown = failure(self.number(index), cell, ename, evalue, traceback)
        return shown.model_copy(update={"traceback_tail": self._relabel(shown.traceback_tail)})

    def _relabel(self, text: str) -> str:
        """``In[16]`` (an execution count) -> ``cell 14`` (the student's number of the cell that ran as 16)."""

        def label(match: re.Match[str]) -> str:
            index = self.counts.get(int(match.group(1)))
            return match.group(0) if index is None else f"cell {self.number(index)}"

        return _IN_COUNT.sub(label, text)

    def errored(self, index: int, cell: NotebookNode, content: Mapping[str, Any], *, epilogue: bool) -> None:
        ename, evalue = str(content.get("ename", "")), str(content.get("evalue", ""))
        shown = self._failure(index, cell, ename, evalue, content.get("traceback", []))
        if epilogue:
            self.epilogue_failure = self.epilogue_failure or shown.model_copy(update={"cell_index": index})
            return
        self._note(shown)
        hit = limit_reason(ename, evalue, self.config)
        if hit and not self.limit:
            self.limit = f"{self.name(index, False)} hit the {hit}"
        self.error = self.error or f"{self.name(index, False)} raised {ename}: {clip(evalue, 200)}"

    def timed_out(self, index: int, cell: NotebookNode, *, epilogue: bool) -> None:
        what = f"{self.name(index, epilogue)} exceeded {self.config.cell_timeout_s} s"
        self.epilogue_broken = self.epilogue_broken or epilogue
        self._note(self._failure(index, cell, "TimeoutError", f"{what} and was interrupted", []))
        self.timeout = self.timeout or f"{what} (interrupted; later cells still ran)"

    def stop(self, status: ExecStatus, reason: str, at: tuple[int, NotebookNode, str] | None = None) -> None:
        """End the run with ``status``; ``at`` = (index, cell, ename) of the cell it ended in."""
        self.fatal = self.fatal or (status, reason)
        if at is not None:
            index, cell, ename = at
            self._note(self._failure(index, cell, ename, reason, []))

    def _note(self, shown: CellFailure) -> None:
        self.cell_errors.append(shown.cell_index)
        self.failure = self.failure or shown
        if len(self.failures) < MAX_FAILURES:
            self.failures.append(shown)

    def verdict(self) -> tuple[ExecStatus, str]:
        if self.fatal:
            status, reason = self.fatal
        elif self.timeout:
            status, reason = ExecStatus.TIMEOUT, self.timeout
        elif self.limit:
            status, reason = ExecStatus.LIMIT, self.limit
        elif self.error:
            status, reason = ExecStatus.CELL_ERROR, self.error
        else:
            return ExecStatus.OK, ""
        others = len(self.cell_errors) - 1
        return status, reason + (f" ({others} more cells failed)" if others > 0 else "")


def cell_name(index: int, epilogue: bool) -> str:
    return f"the grader's collection cell {index}" if epilogue else f"cell {index}"


def failure(index: int, cell: NotebookNode, ename: str, evalue: str, traceback: list[str]) -> CellFailure:
    """The failing cell as the student will see it: code, output and traceback, each cut to size."""
    streams = "".join(
        str(o.get("text", "")) for o in cell.get("outputs", []) if o.get("output_type") == "stream"
    )
    return CellFailure(
        cell_index=index,
        source_preview=_preview(str(cell.get("source", ""))),
        ename=ename,
        evalue=clip(evalue, 500),
        traceback_tail=_tail(_ANSI.sub("", "\n".join(traceback)), 2000),
        output_tail=_tail(streams, 1000),
    )


def _preview(source: str, lines: int = 12, chars: int = 800) -> str:
    head = "\n".join(source.splitlines()[:lines])
    return clip(head, chars) + ("\n…" if len(source.splitlines()) > lines else "")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _tail(text: str, limit: int) -> str:
    return text if len(text) <= limit else "…" + text[-(limit - 1) :]
