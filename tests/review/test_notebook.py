"""The executed notebook as the review app shows it: capped outputs, sanitised HTML, clear notes."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

from grader.review.notebook import MAX_IMAGE_CHARS, MAX_OUTPUT_CHARS, cap_outputs, notebook_page, sanitise

from .conftest import hostile_notebook


def _outputs(*outputs: dict[str, object]) -> dict[str, object]:
    cell = {"cell_type": "code", "source": "x", "metadata": {}, "outputs": list(outputs), "execution_count": 1}
    return {"cells": [cell, {"cell_type": "markdown", "source": "# kept", "metadata": {}}], "metadata": {},
            "nbformat": 4, "nbformat_minor": 5}


def test_outputs_are_capped_with_a_note() -> None:
    big = {"output_type": "stream", "name": "stdout", "text": "y" * (MAX_OUTPUT_CHARS + 5)}
    image = {"output_type": "display_data", "metadata": {}, "data": {"image/png": "A" * (MAX_IMAGE_CHARS + 1)}}
    script = {"output_type": "display_data", "metadata": {}, "data": {"application/javascript": "alert(1)"}}
    capped = cap_outputs(_outputs(big, image, script))
    texts = json.dumps(capped)
    assert len(capped["cells"][0]["outputs"][0]["text"]) == MAX_OUTPUT_CHARS
    assert "stream cut at 20000" in texts and "image/png image of" in texts and "application/javascript output not shown" in texts
    assert "alert(1)" not in texts and "A" * 1000 not in texts
    assert capped["cells"][1]["source"] == "# kept"


def test_sanitise_keeps_markup_and_drops_everything_active() -> None:
    html = sanitise('<div class="x" onclick="f()"><b>b</b><script>s()</script><style>p{}</style>'
                    '<img src="data:image/png;base64,AA" onerror="g()"><img src="http://evil/x.png">'
                    '<a href="javascript:h()">l</a><form action="/x"><input name="a"><button>go</button></form>'
                    '<iframe src="/x"></iframe><svg onload="i()"></svg></div>')
    assert '<div class="x"><b>b</b>' in html and 'src="data:image/png;base64,AA"' in html
    for active in ("onclick", "<script", "s()", "<style", "onerror", "http://evil", "javascript:", "<form", "<input",
                   "<button", "<iframe", "<svg", "onload"):
        assert active not in html, active


def test_the_hostile_notebook_renders_as_inert_text(tmp_path: Path) -> None:
    path = tmp_path / "eve.ipynb"
    nbformat.write(hostile_notebook(), path)
    page = notebook_page(path, "eve")
    assert "EVE-MARKER" in page and "<form" not in page and "<script" not in page and "fetch(" not in page


def test_missing_oversized_or_broken_notebooks_get_a_note(tmp_path: Path) -> None:
    assert "No executed notebook" in notebook_page(None, "t")
    assert "No executed notebook" in notebook_page(tmp_path / "absent.ipynb", "t")
    deep = tmp_path / "deep.ipynb"
    deep.write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
    assert "cannot be shown" in notebook_page(deep, "t")
    garbage = tmp_path / "garbage.ipynb"
    garbage.write_text("{not json", encoding="utf-8")
    assert "cannot be shown" in notebook_page(garbage, "t")
