"""Solution regions in one cell: find them, strip the markers (solution) or replace them by stubs (template).

Code cells mark a region with lines ``### BEGIN SOLUTION [hint]`` and ``### END SOLUTION`` (nbgrader's
markers; the optional hint after the marker becomes the template's ``# TODO:`` text). Markdown cells use
lines ``<!-- BEGIN SOLUTION -->`` and ``<!-- END SOLUTION -->`` (otter-assign's). In the template a code
region becomes ``# TODO: hint`` plus ``raise NotImplementedError`` at the marker's indentation, except a
region made only of ``ANSWERS[key] = value`` lines, which becomes ``ANSWERS[key] = None  # TODO: hint``
so that an untouched template answers nothing. A Markdown region becomes one placeholder line.

Any other line that mentions ``BEGIN SOLUTION`` or ``END SOLUTION`` is an error: a misspelt marker must
never leak a solution into the student's copy.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass

from grader._ast import parse_python
from grader.errors import AssignmentError

__all__ = ["MARKDOWN_PLACEHOLDER", "SolutionMarkerError", "split_cell"]

_CODE_BEGIN = "### BEGIN SOLUTION"
_CODE_END = "### END SOLUTION"
_MD_BEGIN = "<!-- BEGIN SOLUTION -->"
_MD_END = "<!-- END SOLUTION -->"
_MENTION = re.compile(r"(BEGIN|END)\s+SOLUTION", re.IGNORECASE)
MARKDOWN_PLACEHOLDER = "_TODO: write your answer here._"


class SolutionMarkerError(AssignmentError):
    """A solution region in the source notebook is malformed; the message names the file, cell and line."""


@dataclass(frozen=True)
class _Region:
    """Lines ``begin`` and ``end`` (0-based, the marker lines) of one region, with its indent and hint."""

    begin: int
    end: int
    indent: str
    hint: str


def _marker(line: str, cell_type: str) -> tuple[str, str] | None:
    """``("begin", hint)``, ``("end", "")`` or None for one line of a cell of ``cell_type``."""
    text = line.strip()
    if cell_type == "code":
        rest = text[len(_CODE_BEGIN) :]
        if text.startswith(_CODE_BEGIN) and (not rest or rest[0] in " :"):
            return "begin", rest.strip(" :")
        if text.startswith(_CODE_END) and not text[len(_CODE_END) :].strip():
            return "end", ""
    elif cell_type == "markdown":
        if text == _MD_BEGIN:
            return "begin", ""
        if text == _MD_END:
            return "end", ""
    return None


def _expected_form(cell_type: str) -> str:
    begin, end = (_CODE_BEGIN, _CODE_END) if cell_type == "code" else (_MD_BEGIN, _MD_END)
    return f"a {cell_type} cell marks a solution with lines {begin!r} and {end!r}"


def _regions(lines: list[str], cell_type: str, where: str) -> list[_Region]:
    """The balanced regions of ``lines``; :class:`SolutionMarkerError` names ``where`` and the line."""
    regions: list[_Region] = []
    open_at: tuple[int, str, str] | None = None
    for index, line in enumerate(lines):
        found = _marker(line, cell_type)
        if found is None:
            if _MENTION.search(line):
                raise SolutionMarkerError(
                    f"{where}, line {index + 1}: {line.strip()!r} looks like a solution marker but is not one; "
                    f"{_expected_form(cell_type)}"
                )
            continue
        kind, hint = found
        if kind == "begin" and open_at is not None:
            raise SolutionMarkerError(
                f"{where}, line {index + 1}: BEGIN SOLUTION inside the region opened at line {open_at[0] + 1}; "
                "regions cannot nest"
            )
        if kind == "end" and open_at is None:
            raise SolutionMarkerError(
                f"{where}, line {index + 1}: END SOLUTION without a BEGIN SOLUTION before it"
            )
        if kind == "begin":
            open_at = (index, line[: len(line) - len(line.lstrip())], hint)
        else:
            assert open_at is not None
            regions.append(_Region(open_at[0], index, open_at[1], open_at[2]))
            open_at = None
    if open_at is not None:
        raise SolutionMarkerError(
            f"{where}, line {open_at[0] + 1}: BEGIN SOLUTION is never closed by END SOLUTION in this cell"
        )
    return regions


def _answer_keys(body: list[str]) -> list[str] | None:
    """The ``ANSWERS[...]`` targets (as written) if every statement of ``body`` assigns one, else None."""
    code = textwrap.dedent("\n".join(body))
    try:
        tree = parse_python(code)
    except SyntaxError:
        return None
    keys: list[str] = []
    for stmt in tree.body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else []
        if len(targets) != 1 or not isinstance(targets[0], ast.Subscript):
            return None
        target = targets[0]
        if not (isinstance(target.value, ast.Name) and target.value.id == "ANSWERS"):
            return None
        keys.append(ast.get_source_segment(code, target) or ast.unparse(target))
    return keys or None


def _code_stub(region: _Region, body: list[str]) -> list[str]:
    keys = _answer_keys(body)
    if keys is not None:
        hint = region.hint or "your answer"
        return [f"{region.indent}{key} = None  # TODO: {hint}" for key in keys]
    hint = region.hint or "your code here"
    return [f"{region.indent}# TODO: {hint}", f"{region.indent}raise NotImplementedError"]


def split_cell(source: str, cell_type: str, where: str) -> tuple[str, str]:
    """``(template_source, solution_source)`` of one cell of ``cell_type`` ("code", "markdown" or "raw").

    ``where`` (e.g. ``"source.ipynb: cell 7 (id 'a1-layers')"``) starts every error message.
    A cell without regions comes back unchanged twice.
    """
    lines = source.split("\n")
    regions = _regions(lines, cell_type, where)
    template: list[str] = []
    solution: list[str] = []
    cursor = 0
    for region in regions:
        template.extend(lines[cursor : region.begin])
        solution.extend(lines[cursor : region.begin])
        body = lines[region.begin + 1 : region.end]
        solution.extend(body)
        if cell_type == "code":
            template.extend(_code_stub(region, body))
        else:
            template.append(MARKDOWN_PLACEHOLDER)
        cursor = region.end + 1
    template.extend(lines[cursor:])
    solution.extend(lines[cursor:])
    return "\n".join(template), "\n".join(solution)
