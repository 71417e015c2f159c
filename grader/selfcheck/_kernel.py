"""``grader.check()`` and ``%grader_check`` inside a running Jupyter, VS Code or Colab kernel.

The check never runs in the student's kernel and saves nothing: it finds the notebook's saved file
(JupyterLab and Notebook: ``JPY_SESSION_NAME``; VS Code: ``__vsc_ipynb_file__``; otherwise it asks for
the path), says when that file is older than the kernel's last run, and runs ``grader check`` on it in a
separate process, which runs the notebook in a fresh kernel (sandboxed where bubblewrap works). The
result shows as HTML in the cell's output.
"""

from __future__ import annotations

import html
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["CheckResult", "check", "find_notebook", "load_ipython_extension"]

DEFAULT_TIMEOUT_S = 3600
_LAST_RUN: list[float] = []


@dataclass(frozen=True)
class CheckResult:
    """What ``grader.check()`` returns: shown as HTML in a notebook, ``passed`` for code."""

    passed: bool
    exit_code: int
    html: str
    text: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text


def _ipython() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _from_session(name: str) -> Path | None:
    """``JPY_SESSION_NAME``: an absolute path, or one relative to the server's root (the kernel's working
    directory is the notebook's folder, somewhere below that root)."""
    path = Path(name)
    if path.is_absolute():
        return path if path.is_file() else None
    for base in (Path.cwd(), *Path.cwd().parents):
        if (base / path).is_file():
            return base / path
    return Path.cwd() / path.name if (Path.cwd() / path.name).is_file() else None


def find_notebook(explicit: str | os.PathLike[str] | None = None, *, ask: bool = True) -> Path | None:
    """The notebook file this kernel belongs to, or None when it cannot be found (and asking failed)."""
    if explicit is not None:
        return Path(explicit)
    session = os.environ.get("JPY_SESSION_NAME", "")
    if session and (found := _from_session(session)) is not None:
        return found
    ip = _ipython()
    vsc = ip.user_ns.get("__vsc_ipynb_file__") if ip is not None else None
    if isinstance(vsc, str) and Path(vsc).is_file():
        return Path(vsc)
    if not ask:
        return None
    try:
        answer = input("Path of this notebook file (e.g. /content/drive/MyDrive/week11.ipynb): ").strip()
    except Exception:  # no stdin in this front end (nbclient, some VS Code set-ups)
        return None
    return Path(answer) if answer else None


def _kernel_started() -> float | None:
    """When this kernel started (its IPython history session, else its process), as a Unix time."""
    ip = _ipython()
    try:
        row = ip.history_manager.db.execute(
            "SELECT start FROM sessions WHERE session = ?", (ip.history_manager.session_number,)
        ).fetchone()
        return float(row[0].timestamp())
    except Exception:
        pass
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return time.time() - uptime + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _remember_runs() -> None:
    """Record when each cell finishes from now on (the cell running the check is not counted)."""
    ip = _ipython()
    if ip is None or getattr(_remember_runs, "done", False):
        return
    ip.events.register("post_run_cell", lambda *_: _LAST_RUN.append(time.time()))
    load_ipython_extension(ip)  # %grader_check from now on
    _remember_runs.done = True  # type: ignore[attr-defined]


def freshness_notes(path: Path) -> tuple[str, ...]:
    """What the student must know about the file being checked: always that it is the saved file; and
    when cells ran after it was saved."""
    notes = [f"Checking the saved file {path} (unsaved changes are not seen; nothing is saved for you)."]
    ip = _ipython()
    inputs = ip.user_ns.get("In", []) if ip is not None else []
    ran_cells = any(str(s).strip() for s in inputs[:-1])  # cells before the one running the check
    last = max([t for t in (_kernel_started(), *_LAST_RUN[-1:]) if t is not None], default=None)
    if ran_cells and last is not None and path.stat().st_mtime < last:
        notes.append(
            "The saved file is older than this kernel's last run: cells ran after you last saved. "
            "Save the notebook (Ctrl+S / Cmd+S) and check again if you changed anything."
        )
    return tuple(notes)


def _notes_html(notes: tuple[str, ...]) -> str:
    return "".join(f'<p style="color:#9a6700">{html.escape(n)}</p>' for n in notes)


def _failed(message: str, output: str = "") -> CheckResult:
    tail = f"<pre>{html.escape(output[-4000:])}</pre>" if output else ""
    body = f'<div style="border-left:4px solid #cf222e;padding:4px 10px"><p>{html.escape(message)}</p>{tail}</div>'
    return CheckResult(False, 2, body, f"{message}\n{output[-4000:]}".rstrip())


def check(
    path: str | os.PathLike[str] | None = None,
    *,
    rubric: str | os.PathLike[str] | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> CheckResult:
    """Self-check this notebook's saved file in a fresh kernel; returns the verdict (HTML in a notebook).

    ``path``: the notebook file (default: found from the session, see the module docstring).
    ``rubric``: a student rubric; by default the one the course's template carries in its metadata.
    """
    from grader.execute._sandbox import SANDBOX_USER

    if os.environ.get("USER") == SANDBOX_USER and "JPY_SESSION_NAME" not in os.environ:
        return CheckResult(True, 0, "<p>grader.check() does nothing while the grader runs this notebook.</p>",
                           "grader.check() does nothing while the grader runs this notebook.")
    _remember_runs()
    notebook = find_notebook(path)
    if notebook is None:
        return _failed("Cannot tell which notebook file this is: call grader.check(\"path/to/notebook.ipynb\").")
    if not notebook.is_file():
        return _failed(f"No notebook file at {notebook}: save the notebook first, or pass its path.")
    notes = freshness_notes(notebook)
    with tempfile.TemporaryDirectory(prefix="grader-check-html-") as tmp:
        out = Path(tmp) / "check.html"
        argv = [sys.executable, "-m", "grader", "check", str(notebook), "--html", str(out)]
        argv += ["--rubric", str(rubric)] if rubric is not None else []
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired:
            return _failed(f"The check did not finish within {timeout_s:.0f} s.")
        output = done.stdout + done.stderr
        if done.returncode not in (0, 1) or not out.is_file():
            return _failed(f"The check could not run (exit code {done.returncode}):", output)
        body = _notes_html(notes) + out.read_text(encoding="utf-8")
    return CheckResult(done.returncode == 0, done.returncode, body, "\n".join(notes) + "\n" + output)


def load_ipython_extension(ip: Any) -> None:
    """``%load_ext grader``: registers ``%grader_check [PATH]``."""

    def grader_check(line: str) -> CheckResult:
        return check(line.strip() or None)

    ip.register_magic_function(grader_check, magic_kind="line", magic_name="grader_check")
