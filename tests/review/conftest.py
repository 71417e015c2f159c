"""A graded OUT folder for the review app (built in Python: no kernel) and a client that speaks to it.

``ada`` has full marks, ``bob`` lost question 2.5, ``eve`` submitted a notebook whose HTML and JavaScript
outputs try to post an override to the review app (a form that submits itself, a script ``fetch``, a
relative URL that would hit the right address from the notebook's frame). ``ada`` and ``bob`` form a
similar-code pair.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from starlette.testclient import TestClient

from grader.integrity import SimilarityReport, SimilarPair
from grader.review import Secrets, create_app
from grader.store.files import executed_path
from grader.store.gradebook import RunCounts, RunInfo, finish_run, open_gradebook, start_run, upsert_result
from tests.store.builders import graded

PORT = 8765
TOKEN = "test-token-0123456789abcdefghijklmnopqrstu"
CSRF = "test-csrf-0123456789abcdefghijklmnopqrstuv"
BASE = f"/t/{TOKEN}"
ORIGIN = f"http://127.0.0.1:{PORT}"

HOSTILE_HTML = """
<form id="f" method="post" action="override"><input name="question" value="2.5"><input name="points" value="5">
<input name="comment" value="pwned"></form>
<script>document.getElementById('f').submit();</script>
<img src="x" onerror="fetch('override', {method: 'POST', body: new URLSearchParams({question: '2.5', points: '5',
 comment: 'pwned'})})">
<iframe src="override"></iframe><a href="http://evil.example/">click</a>
<p id="eve-visible">EVE-MARKER</p>
"""


def hostile_notebook() -> nbformat.NotebookNode:
    """An executed notebook whose outputs try to post an override from the review app's own origin."""
    cell = nbformat.v4.new_code_cell("from IPython.display import HTML, Javascript, display")
    cell.outputs = [
        nbformat.v4.new_output("display_data", data={"text/html": HOSTILE_HTML, "text/plain": "<HTML>"}),
        nbformat.v4.new_output("display_data", data={"application/javascript": "fetch('override', {method: 'POST'})"}),
        nbformat.v4.new_output("stream", name="stdout", text="x" * 50_000),
    ]
    return nbformat.v4.new_notebook(cells=[cell])


def build_out(out: Path) -> Path:
    """Write the class of the module docstring to ``out`` (gradebook, executed notebooks, similarity)."""
    students = [graded("ada", sha="sha-ada"), graded("bob", {"1.2": 2.0, "2.5": 1.0}, sha="sha-bob"),
                graded("eve", {"1.2": 2.0, "2.5": 0.0}, sha="sha-eve")]
    students[0] = students[0].model_copy(update={"student_name": "Ada Lovelace", "notes": ("2 files; kept the later",)})
    with open_gradebook(out / "gradebook.db") as conn:
        run = start_run(conn, RunInfo(rubric_id="test", rubric_sha256="r1", grader_version="test"))
        for g in students:
            upsert_result(conn, run, g)
        finish_run(conn, run, RunCounts(graded=3))
    for sid in ("ada", "bob"):
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"print('{sid}')")])
        executed_path(out, sid).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, executed_path(out, sid))
    nbformat.write(hostile_notebook(), executed_path(out, "eve"))
    pair = SimilarPair("ada", "bob", 0.9, 0.8, 400, "def ada_code():\n    return 1", "def bob_code():\n    return 1")
    report = SimilarityReport(pairs=(pair,), compared=("ada", "bob", "eve"), unavailable=(), template_used=False,
                              threshold=0.5)
    (out / "reports").mkdir(parents=True, exist_ok=True)
    (out / "reports" / "similarity.json").write_text(json.dumps(dataclasses.asdict(report)), encoding="utf-8")
    return out


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    return build_out(tmp_path / "out")


@pytest.fixture
def client(out_dir: Path) -> Iterator[TestClient]:
    app = create_app(out_dir, secrets=Secrets(port=PORT, token=TOKEN, csrf=CSRF), ta="ann")
    with TestClient(app, base_url=f"http://127.0.0.1:{PORT}", follow_redirects=False) as c:
        yield c
