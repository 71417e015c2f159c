"""The TA's loop in real Chromium: grade through the CLI, review, override, report, rescore.

A module-scoped class of three notebooks is graded by ``grader grade`` (the minimal batch rubric, no
training), and ``grader review`` runs as a real subprocess on a free port. Playwright drives the Debian
chromium (``executable_path``; no browser is ever downloaded). Under ``CI=true`` a missing chromium or
playwright fails the test instead of skipping it.

``hostile``'s notebook displays HTML whose form submits itself and whose script ``fetch``es the override
URL relative to its frame (which would reach the app with the token): opening its page must change no grade.
"""

from __future__ import annotations

import csv
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml

from assignments.week11.reference_data import CACHE_NAME
from grader.store.gradebook import list_changes
from tests.render import samples

ROOT = Path(__file__).resolve().parents[2]
RUBRIC = ROOT / "tests" / "fixtures" / "batch" / "minimal.yaml"
CHROMIUM = Path(os.environ.get("GRADER_CHROMIUM", "/usr/bin/chromium"))  # Debian's; override to point elsewhere
COMMENT = "accepted: rounding in the hand calculation"
HOSTILE_OUTPUT = """
<form id="f" method="post" action="override"><input name="question" value="3.3"><input name="points" value="2">
<input name="comment" value="pwned"></form>
<script>document.getElementById('f').submit();
fetch('override', {method: 'POST', body: new URLSearchParams({question: '3.3', points: '2', comment: 'pwned'})});
</script><p id="hostile-marker">HOSTILE-OUTPUT</p>
"""

pytestmark = [pytest.mark.browser, pytest.mark.kernel, pytest.mark.slow]


def _require_browser() -> Any:
    """Playwright's ``sync_playwright``; skip (fail under CI=true) when it or chromium is missing."""
    problem = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        problem = f"playwright is not installed ({exc}); pip install -e '.[dev]'"
    if problem is None and not CHROMIUM.is_file():
        problem = f"{CHROMIUM} is missing (apt-get install chromium)"
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: the browser test must run: {problem}")
        pytest.skip(problem)
    return sync_playwright


def _grader(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    run = subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, timeout=timeout,
                         env=env, check=False, cwd=ROOT)
    assert run.returncode == 0, f"grader {' '.join(args)}:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    return run


def _notebook(answer: int, *outputs: str) -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_code_cell(f"ANSWERS = {{'3.3': {answer!r}, '3.1': 'no'}}")]
    cells += [nbformat.v4.new_code_cell(f"from IPython.display import HTML, display\ndisplay(HTML({o!r}))") for o in outputs]
    return nbformat.v4.new_notebook(cells=cells)


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``right`` (3.3 right: 3/3), ``wrong`` and ``hostile`` (3.3 wrong: 1/3), graded by the CLI."""
    _require_browser()
    root = tmp_path_factory.mktemp("review")
    subs, out = root / "subs", root / "out"
    subs.mkdir()
    nbformat.write(_notebook(0), subs / "right.ipynb")
    nbformat.write(_notebook(2), subs / "wrong.ipynb")
    nbformat.write(_notebook(2, HOSTILE_OUTPUT), subs / "hostile.ipynb")
    reference = samples.reference_data().gradients  # skip computing the reference study (tens of seconds)
    assert reference is not None
    cache = out / "reports" / ".cache" / CACHE_NAME
    cache.parent.mkdir(parents=True)
    cache.write_text(reference.to_json(), encoding="utf-8")
    _grader("grade", str(subs), "--rubric", str(RUBRIC), "--out", str(out), "--jobs", "2")
    executed = (out / "executed" / "hostile.ipynb").read_text(encoding="utf-8")
    assert "document.getElementById('f').submit()" in executed  # the attack reached the stored notebook
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def app_url(out_dir: Path) -> Iterator[str]:
    """``grader review OUT --port P --ta "Tess TA"`` running; the URL it printed (with the token)."""
    port = _free_port()
    argv = [sys.executable, "-m", "grader", "review", str(out_dir), "--port", str(port), "--ta", "Tess TA"]
    server = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    try:
        assert server.stdout is not None
        printed: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("/t/" in line for line in printed):
            line = server.stdout.readline()
            if not line and server.poll() is not None:
                break
            printed.append(line)
        found = re.search(rf"http://127\.0\.0\.1:{port}/t/[A-Za-z0-9_-]{{40,}}/", "".join(printed))
        assert found, f"no URL with a token in the output of grader review:\n{''.join(printed)}"
        _wait_listening(port)
        yield found.group(0)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_listening(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"grader review is not listening on 127.0.0.1:{port}")


@pytest.fixture(scope="module")
def console() -> list[str]:
    """Every console message of the browser's pages and frames (errors, CSP violations)."""
    return []


@pytest.fixture(scope="module")
def page(app_url: str, console: list[str]) -> Iterator[Any]:
    sync_playwright = _require_browser()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on("console", lambda message: console.append(message.text))
            yield page
        finally:
            browser.close()


def _rows(page: Any) -> list[str]:
    return [str(r.get_attribute("data-student")) for r in page.locator("#grades tbody tr[data-student]").all()]


def _csv_row(path: Path, key: str, student: str) -> dict[str, str]:
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    return next(r for r in rows if r.get(key) == student)


def _changed_rubric(tmp: Path) -> Path:
    """3.3 now expects 2 and is worth 3: ``wrong``'s automatic points move from 0 to 3."""
    data = yaml.safe_load(RUBRIC.read_text(encoding="utf-8"))
    data["id"], data["max_points"] = "batch_minimal_v2", 4
    question = next(q for q in data["questions"] if q["id"] == "3.3")
    question["points"], question["criteria"][0]["expected"] = 3, 2
    path = tmp / "changed.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_review_override_report_and_rescore(
    page: Any, console: list[str], app_url: str, out_dir: Path, tmp_path: Path
) -> None:
    db = out_dir / "gradebook.db"
    page.goto(app_url)
    assert "reviewed 0 of 3" in page.inner_text("#progress")
    page.click('a[data-sort="total"]')
    assert "sort=total" in page.url and _rows(page) == ["right", "hostile", "wrong"]

    page.click('a:text-is("wrong")')
    page.get_by_label("points for 3.3").fill("2")
    page.get_by_label("comment for 3.3").fill(COMMENT)
    page.locator("#q-3\\.3 .override-form button").click()
    assert page.inner_text("#done") == "Points set."
    assert "Set by Tess TA" in page.inner_text("#q-3\\.3")
    page.click("text=Mark reviewed")
    assert page.inner_text("#reviewed").startswith("yes, by Tess TA")

    framed = page.request.get(f"{app_url}s/wrong/report")
    assert framed.status == 200 and COMMENT in framed.text()  # the report frame shows the TA's comment
    page.click("header >> text=Class")
    assert page.inner_text('tr[data-student="wrong"] td[data-q="3.3"]') == "2*"
    assert page.inner_text('tr[data-student="wrong"] td.total') == "3"
    assert "reviewed 1 of 3" in page.inner_text("#progress")

    page.click('a:text-is("hostile")')  # its outputs try to post an override from the notebook frame
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1000)
    assert list_changes(db, "hostile") == []
    page.goto(app_url)
    assert page.inner_text('tr[data-student="hostile"] td.total') == "1"

    _grader("report", str(out_dir))
    grades = _csv_row(out_dir / "grades.csv", "student_id", "wrong")
    assert (grades["3.3"], grades["total"]) == ("2", "3")
    assert _csv_row(out_dir / "exports" / "moodle.csv", "Identifier", "wrong")["Grade"] in ("3", "3.00")
    canvas = [row for row in csv.reader((out_dir / "exports" / "canvas.csv").open(encoding="utf-8-sig"))]
    assert next(r for r in canvas if "wrong" in r[1:3])[-1] == "3"
    assert json.loads((out_dir / "exports" / "gradescope" / "wrong" / "results.json").read_text())["score"] == 3.0
    report = (out_dir / "reports" / "students" / "wrong.html").read_text(encoding="utf-8")
    assert COMMENT in report

    _grader("rescore", str(out_dir), "--rubric", str(_changed_rubric(tmp_path)))
    grades = _csv_row(out_dir / "grades.csv", "student_id", "wrong")
    assert (grades["3.3"], grades["total"]) == ("2", "3")  # the override holds
    assert _csv_row(out_dir / "grades.csv", "student_id", "right")["3.3"] == "0"  # the rubric did change
    page.goto(app_url)
    page.click('a:text-is("wrong")')
    assert "The automatic score gives 3; it gave 0 when the override was set" in page.inner_text("#q-3\\.3")
    assert console == []  # no CSP violation, no failed load, no script error on any page
