"""Show a :class:`~._verdict.Verdict`: in the terminal (rich) or as HTML (the notebook's cell output).

Everything the notebook or its kernel produced (code, messages, tracebacks) is escaped: ``[/]`` in a cell
prints as written and ``X_SEQ[sample]`` keeps its brackets.
"""

from __future__ import annotations

import html

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from grader.records.execution import CellFailure
from grader.selfcheck._verdict import Verdict

__all__ = ["print_verdict", "verdict_html"]

_STYLE = {"passed": "green", "partial": "yellow", "not_run": "dim"}
_MAX_SHOWN_LINES = 6


def _failure_lines(f: CellFailure) -> list[str]:
    head = f"cell {f.cell_index}: {f.ename}: {f.evalue}".rstrip(": ")
    return [head, *f.source_preview.splitlines()[:_MAX_SHOWN_LINES]]


def print_verdict(v: Verdict, console: Console) -> None:
    """Print ``v``; every piece of notebook text goes through :func:`rich.markup.escape`."""
    if v.ran:
        console.print(escape(v.ran.capitalize()))
    if v.sandbox_note:
        console.print(f"[yellow]{escape(v.sandbox_note)}[/]")
    for problem in v.problems:
        console.print(f"[red]✗ {escape(problem)}[/]")
    for line in v.unset:
        console.print(f"[red]  - {escape(line)}[/]")
    if v.failures:
        console.print(f"[bold]Cells that failed ({len(v.failures)}), numbered as in your notebook:[/]")
    for f in v.failures:
        head, *code = _failure_lines(f)
        console.print(f"[red]  {escape(head)}[/]")
        for line in code:
            console.print(f"[dim]      {escape(line)}[/]", soft_wrap=True)
    if v.rows:
        console.print(_table(v))
    for note in v.notes:
        console.print(f"[yellow]note: {escape(note)}[/]")
    console.print(f"[{'green' if v.passed else 'red'}]{escape(v.headline)}[/]")


def _table(v: Verdict) -> Table:
    table = Table("question", "points", "status", "what to do", title="Self-check (public criteria only)")
    for r in v.rows:
        style = "red" if r.bad else _STYLE.get(r.status, "")
        table.add_row(escape(f"{r.question} {r.title}"), escape(r.points), Text(r.status, style=style),
                      escape(r.todo))
    return table


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def verdict_html(v: Verdict, *, notes: tuple[str, ...] = ()) -> str:
    """``v`` as one self-contained HTML fragment (inline styles only: notebook front ends strip <style>)."""
    colour = "#1a7f37" if v.passed else "#cf222e"
    parts = [f'<div class="grader-check" style="font-family:sans-serif;border-left:4px solid {colour};'
             'padding:4px 10px">', f'<p style="color:{colour};font-weight:bold">{_e(v.headline)}</p>']
    parts += [f'<p style="color:#9a6700">{_e(n)}</p>' for n in notes]
    if v.ran:
        parts.append(f"<p>{_e(v.ran.capitalize())}</p>")
    if v.sandbox_note:
        parts.append(f'<p style="color:#9a6700">{_e(v.sandbox_note)}</p>')
    if v.problems or v.unset:
        items = [f"<li>{_e(p)}</li>" for p in v.problems] + [f"<li><code>{_e(u)}</code></li>" for u in v.unset]
        parts.append(f'<ul style="color:{colour}">{"".join(items)}</ul>')
    if v.failures:
        parts.append(f"<p><b>Cells that failed ({len(v.failures)}), numbered as in your notebook:</b></p><ul>")
        for f in v.failures:
            head, *code = _failure_lines(f)
            block = f"<pre>{_e(chr(10).join(code))}</pre>" if code else ""
            parts.append(f"<li><code>{_e(head)}</code>{block}</li>")
        parts.append("</ul>")
    if v.rows:
        parts.append(_rows_html(v))
    parts += [f'<p style="color:#9a6700">note: {_e(n)}</p>' for n in v.notes]
    parts.append("</div>")
    return "".join(parts)


def _rows_html(v: Verdict) -> str:
    cell = 'style="padding:2px 8px;vertical-align:top;text-align:left"'
    head = f"<tr><th {cell}>question</th><th {cell}>points</th><th {cell}>status</th><th {cell}>what to do</th></tr>"
    body = "".join(
        f'<tr><td {cell}>{_e(r.question)} {_e(r.title)}</td><td {cell}>{_e(r.points)}</td>'
        f'<td {cell}><span style="color:{"#cf222e" if r.bad else "inherit"}">{_e(r.status)}</span></td>'
        f"<td {cell}>{_e(r.todo)}</td></tr>"
        for r in v.rows
    )
    return f'<table style="border-collapse:collapse;text-align:left">{head}{body}</table>'
