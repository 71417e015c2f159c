"""Open a student report and the class summary in headless Chromium: no console errors, not blank.

Any console message fails the test: the pages carry no script, so a message can only be an error or a
Content-Security-Policy violation (e.g. a resource that would need the network).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from assignments.week11.reference_data import ReferenceData
from grader.records.graded import GradedSubmission
from grader.render import render_class_summary, render_student_report
from tests.render import samples

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (apt-get install chromium)"),
]
_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--enable-logging=stderr", "--v=0", "--hide-scrollbars"]


def _chromium(page: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run headless Chromium on ``page`` with a fresh profile."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:
        return subprocess.run([CHROMIUM, *_FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()],
                              capture_output=True, text=True, timeout=120, check=False)


def console_messages(stderr: str) -> list[str]:
    """Chromium's console lines (``INFO:CONSOLE``), i.e. page errors and CSP violations."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line or "Uncaught" in line]


def _pixel_stddev(png: Path) -> float:
    """Standard deviation of the grey levels of a screenshot (0 for a blank page)."""
    from PIL import Image, ImageStat

    with Image.open(png) as image:
        return float(ImageStat.Stat(image.convert("L")).stddev[0])


def _check_page(tmp_path: Path, name: str, html: str, must_show: list[str]) -> None:
    page = tmp_path / f"{name}.html"
    page.write_text(html, encoding="utf-8")
    shot = tmp_path / f"{name}.png"
    run = _chromium(page, "--window-size=1200,2400", f"--screenshot={shot}")
    assert run.returncode == 0, run.stderr[-2000:]
    assert console_messages(run.stderr) == []
    assert shot.is_file() and _pixel_stddev(shot) > 20
    dom = _chromium(page, "--dump-dom")
    assert console_messages(dom.stderr) == []
    for text in must_show:
        assert text in dom.stdout


def test_detector_catches_console_errors(tmp_path: Path) -> None:
    page = tmp_path / "bad.html"
    page.write_text("<!DOCTYPE html><p>x</p><script>undefinedFunction()</script>", encoding="utf-8")
    assert any("undefinedFunction" in line for line in console_messages(_chromium(page, "--dump-dom").stderr))


def test_student_report_renders_cleanly(
    tmp_path: Path, scenarios: dict[str, GradedSubmission], reference: ReferenceData
) -> None:
    html = render_student_report(scenarios["cell_error"], prepared=samples.prepared(reference))
    _check_page(tmp_path, "report", html, ["Points by question", "Cell 17 failed", "Your GRADIENTS"])


def test_class_summary_renders_cleanly(tmp_path: Path, scenarios: dict[str, GradedSubmission]) -> None:
    html = render_class_summary(list(scenarios.values()))
    _check_page(tmp_path, "summary", html, ["Per question", "Errored or stopped runs", "Worth a human look"])
