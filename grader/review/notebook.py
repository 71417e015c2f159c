"""The executed notebook as a page for a sandboxed frame: outputs capped, HTML sanitised, no script.

Student content is hostile by assumption: an HTML output can hold a ``<form>`` that posts an override,
a ``<script>`` that fetches one, or enough text to stall the browser. Three walls, each sufficient for
script on its own:

1. :func:`cap_outputs` cuts every output to :data:`MAX_OUTPUT_CHARS` text characters (images to
   :data:`MAX_IMAGE_CHARS` of base64, SVG and JavaScript outputs dropped), with a note saying what was cut;
2. nbconvert's ``HTMLExporter`` (template ``basic``: the cells only) renders it, and :func:`sanitise`
   runs the result through nh3 (ammonia): no ``script``, ``style``, ``form``, ``iframe``, event handler or
   link survives; images only as ``data:`` URLs;
3. the page is served with :data:`grader.review.security.FRAME_CSP` into ``<iframe sandbox>``.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import nh3

from grader._json import loads_capped

__all__ = [
    "MAX_IMAGE_CHARS",
    "MAX_NOTEBOOK_BYTES",
    "MAX_OUTPUT_CHARS",
    "cap_outputs",
    "notebook_page",
    "sanitise",
]

MAX_NOTEBOOK_BYTES = 32 * 1024 * 1024
MAX_OUTPUT_CHARS = 20_000
MAX_IMAGE_CHARS = 2_000_000
MAX_OUTPUTS_PER_CELL = 30
_IMAGES = ("image/png", "image/jpeg", "image/gif")
_DROPPED = ("image/svg+xml", "application/javascript", "text/javascript", "application/vnd.jupyter.widget-view+json")
_ATTRIBUTES: dict[str, set[str]] = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"class"},
    "a": set(),
}

_FRAME_STYLE = """
body { font: 13px/1.45 system-ui, sans-serif; margin: 8px; color: #1b1b1b; }
pre { white-space: pre-wrap; word-break: break-word; margin: 0; font: 12px/1.4 ui-monospace, monospace; }
.cell { border-top: 1px solid #ddd; padding: 6px 0; }
.input_area { background: #f6f6f6; padding: 4px 6px; }
.prompt { color: #888; font: 11px ui-monospace, monospace; }
.output_area { padding: 2px 6px; }
.output_stderr, .output_error { background: #fdecec; }
.grader-cut { color: #9a3b00; font-style: italic; }
img { max-width: 100%; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 2px 4px; }
"""


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _cut_note(what: str) -> dict[str, Any]:
    return {"output_type": "stream", "name": "stdout", "text": f"[review app: {what}]"}


def _cap_data(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    kept: dict[str, Any] = {}
    notes = []
    for mime, value in data.items():
        text = _text(value)
        if mime in _DROPPED:
            notes.append(f"{mime} output not shown")
        elif mime in _IMAGES:
            if len(text) <= MAX_IMAGE_CHARS:
                kept[mime] = text
            else:
                notes.append(f"{mime} image of {len(text)} base64 characters not shown")
        elif len(text) > MAX_OUTPUT_CHARS:
            kept[mime] = text[:MAX_OUTPUT_CHARS]
            notes.append(f"{mime} output cut at {MAX_OUTPUT_CHARS} of {len(text)} characters")
        else:
            kept[mime] = text
    return kept, notes


def _cap_output(output: dict[str, Any]) -> list[dict[str, Any]]:
    kind = output.get("output_type")
    if kind == "stream":
        text = _text(output.get("text", ""))
        if len(text) <= MAX_OUTPUT_CHARS:
            return [output]
        return [{**output, "text": text[:MAX_OUTPUT_CHARS]},
                _cut_note(f"stream cut at {MAX_OUTPUT_CHARS} of {len(text)} characters")]
    if kind == "error":
        trace = [_text(line)[:MAX_OUTPUT_CHARS] for line in output.get("traceback", [])[-40:]]
        return [{**output, "traceback": trace, "evalue": _text(output.get("evalue", ""))[:MAX_OUTPUT_CHARS]}]
    if kind in ("display_data", "execute_result"):
        data, notes = _cap_data(dict(output.get("data", {})))
        capped = {**output, "data": data or {"text/plain": ""}}
        return [capped, *(_cut_note(n) for n in notes)]
    return [_cut_note(f"output of type {kind!r} not shown")]


def cap_outputs(notebook: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``notebook`` (nbformat 4 as plain JSON) with every code cell's outputs capped."""
    cells = []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            cells.append(cell)
            continue
        outputs = cell.get("outputs", [])
        capped = [part for output in outputs[:MAX_OUTPUTS_PER_CELL] for part in _cap_output(output)]
        if len(outputs) > MAX_OUTPUTS_PER_CELL:
            capped.append(_cut_note(f"{len(outputs) - MAX_OUTPUTS_PER_CELL} more outputs not shown"))
        cells.append({**cell, "outputs": capped, "source": _text(cell.get("source", ""))[:MAX_OUTPUT_CHARS]})
    return {**notebook, "cells": cells}


def sanitise(html: str) -> str:
    """``html`` through nh3 with ammonia's allow-list, ``class`` kept, links dropped, images as data: only."""
    return nh3.clean(html, attributes=_ATTRIBUTES, url_schemes={"data"}, link_rel=None)


@functools.cache
def _exporter() -> Any:
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="basic")  # type: ignore[no-untyped-call]


def _export(notebook: dict[str, Any]) -> str:
    import nbformat

    node = nbformat.from_dict(notebook)  # type: ignore[no-untyped-call]
    body, _resources = _exporter().from_notebook_node(node)
    return str(body)


def _page(title: str, body: str) -> str:
    from html import escape

    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{escape(title)}</title><style>{_FRAME_STYLE}</style></head><body>{body}</body></html>"
    )


def notebook_page(path: Path | None, title: str) -> str:
    """The executed notebook at ``path`` as one sanitised HTML page (a note when it cannot be shown)."""
    if path is None or not path.is_file():
        return _page(title, "<p>No executed notebook was stored for this submission.</p>")
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        return _page(title, f"<p>{path.name}: {size} bytes, over the review app's {MAX_NOTEBOOK_BYTES} byte cap.</p>")
    try:
        notebook = loads_capped(path.read_bytes())
        html = _export(cap_outputs(notebook))
    except Exception as exc:  # a hostile notebook is data: it must not break the TA's page
        from html import escape

        return _page(title, f"<p>{escape(path.name)} cannot be shown: {escape(type(exc).__name__)}: "
                            f"{escape(str(exc)[:500])}</p>")
    return _page(title, sanitise(html))
