"""The review app's pages and form handlers (Starlette endpoints).

Reads go through :func:`grader.publish.load_class` (effective grades from the gradebook), writes through
:mod:`grader.store.gradebook` with the TA's name; the gradebook logs who, when, old and new value and
why. A write the gradebook refuses (``StoreError``) or a malformed form field is shown on the page
(status 400), never a server error. Every form carries the run's CSRF token; after a write the browser is
redirected (303) back to the student page.
"""

from __future__ import annotations

import functools
import math
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from grader.errors import StoreError
from grader.packs import AssignmentPack
from grader.publish import class_pack, executed_notebook, load_class, load_similarity
from grader.records.graded import GradedSubmission
from grader.render import format_points, prepare_panels, render_student_report
from grader.review.notebook import notebook_page
from grader.review.pages import build_student_page
from grader.review.security import CsrfError, Secrets, check_csrf, frame_headers
from grader.review.table import FLAGS, build_table
from grader.store.gradebook import (
    GRADEBOOK_FILE,
    clear_override,
    list_changes,
    open_gradebook,
    set_late_days,
    set_override,
    set_reviewed,
)

__all__ = ["ACTIONS", "ClassCache", "Review", "environment"]

MAX_FIELD_BYTES = 8 * 1024


class FormProblem(Exception):
    """A form field is missing or malformed; the message names the field."""


@functools.cache
def environment() -> Environment:
    """The app's jinja2 environment: package templates, ``StrictUndefined``, autoescaping."""
    env = Environment(loader=PackageLoader("grader.review", "templates"), undefined=StrictUndefined,
                      autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["pts"] = format_points
    env.filters["q"] = lambda value: quote(str(value), safe="")
    return env


def _html(name: str, context: dict[str, object], status: int = 200) -> HTMLResponse:
    return HTMLResponse(environment().get_template(name).render(**context), status_code=status)


def _field(form: FormData, name: str, *, required: bool = True) -> str:
    value = form.get(name)
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise FormProblem(f"{name}: required")
    return text


def _number(form: FormData, name: str) -> float:
    text = _field(form, name)
    try:
        value = float(text)
    except ValueError:
        raise FormProblem(f"{name}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise FormProblem(f"{name}: {text!r} is not a finite number")
    return value


class ClassCache:
    """The class's effective results, reloaded only when the gradebook's files changed.

    Loading a class of 300 takes about a second; a student page needs it three times (page and two frames).
    The key is the size and modification time of ``gradebook.db`` and its WAL file, which every write
    (this app's, a ``grader grade`` or ``rescore`` running beside it) changes.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self._lock = threading.Lock()
        self._key: tuple[tuple[int, int], ...] | None = None
        self._class: list[GradedSubmission] = []
        self._prepared: dict[str, Any] = {}
        self._prepared_for: list[GradedSubmission] | None = None
        self._pack: AssignmentPack | None = None

    def _state(self) -> tuple[tuple[int, int], ...]:
        db = self.out_dir / GRADEBOOK_FILE
        stats = []
        for path in (db, db.with_name(db.name + "-wal")):
            try:
                st = path.stat()
                stats.append((st.st_mtime_ns, st.st_size))
            except FileNotFoundError:
                stats.append((0, -1))
        return tuple(stats)

    def current(self) -> tuple[list[GradedSubmission], AssignmentPack]:
        """The effective results, by student id, and the class's assignment pack (the latest run's, which
        says what the pages show), from one reload: both or neither change (a failed reload raises, and the
        next request tries again)."""
        with self._lock:
            state = self._state()
            if state != self._key or self._pack is None:
                pack, graded = class_pack(self.out_dir), load_class(self.out_dir)
                self._class, self._pack, self._key = graded, pack, state
            return self._class, self._pack

    def load(self) -> list[GradedSubmission]:
        """The effective results, by student id."""
        return self.current()[0]

    def pack(self) -> AssignmentPack:
        """The class's assignment pack."""
        return self.current()[1]

    def prepared(self) -> tuple[AssignmentPack, dict[str, Any]]:
        """The class's pack and its report panels' class-wide data (as ``grader report`` draws them), prepared
        once per class load.

        Only what is packaged or cached by ``grader report`` is used (``compute=False``): the app never
        runs an expensive preparation such as a reference study.
        """
        graded, pack = self.current()
        with self._lock:
            if self._prepared_for is not graded:
                self._prepared = prepare_panels(pack, graded,
                                                cache_dir=self.out_dir / "reports" / ".cache", compute=False)[0]
                self._prepared_for = graded
            return pack, self._prepared


Apply = Callable[[sqlite3.Connection, str, FormData, str], None]
"""One write: ``(gradebook, student id, form, TA) -> None``; raises ``FormProblem`` or ``StoreError``."""


def _override(conn: sqlite3.Connection, student_id: str, form: FormData, ta: str) -> None:
    set_override(conn, student_id, _field(form, "question"), _number(form, "points"), grader=ta,
                 reason=_field(form, "comment"))


def _clear(conn: sqlite3.Connection, student_id: str, form: FormData, ta: str) -> None:
    question = _field(form, "question")
    if not clear_override(conn, student_id, question, grader=ta, reason=_field(form, "comment")):
        raise StoreError(f"question {question!r} of {student_id!r} has no override")


def _late(conn: sqlite3.Connection, student_id: str, form: FormData, ta: str) -> None:
    set_late_days(conn, student_id, _number(form, "late_days"), grader=ta, reason=_field(form, "comment"))


def _waive(conn: sqlite3.Connection, student_id: str, form: FormData, ta: str) -> None:
    set_late_days(conn, student_id, 0.0, grader=ta, reason=_field(form, "comment"))


def _late_clear(conn: sqlite3.Connection, student_id: str, form: FormData, ta: str) -> None:
    set_late_days(conn, student_id, None, grader=ta, reason=_field(form, "comment"))


def _reviewed(conn: sqlite3.Connection, student_id: str, form: FormData, ta: str) -> None:
    set_reviewed(conn, student_id, True, grader=ta)


def _unreviewed(conn: sqlite3.Connection, student_id: str, form: FormData, ta: str) -> None:
    set_reviewed(conn, student_id, False, grader=ta)


ACTIONS: dict[str, tuple[Apply, str]] = {
    "override": (_override, "Points set."),
    "clear": (_clear, "Override cleared."),
    "late": (_late, "Late days set."),
    "waive": (_waive, "Late penalty waived."),
    "late-clear": (_late_clear, "Late days back to the scored ones."),
    "reviewed": (_reviewed, "Marked reviewed."),
    "unreviewed": (_unreviewed, "Review mark removed."),
}
"""Each form's action (its URL ``POST /s/<id>/<action>``), what it does and the message shown after it
(the redirect names the action, never free text)."""


@dataclass(frozen=True, slots=True)
class Review:
    """The endpoints over one graded output folder, for one TA, with this run's secrets."""

    out_dir: Path
    ta: str
    secrets: Secrets
    cache: ClassCache

    @property
    def db(self) -> Path:
        return self.out_dir / GRADEBOOK_FILE

    def _context(self) -> dict[str, object]:
        return {"base": self.secrets.prefix, "csrf": self.secrets.csrf, "ta": self.ta, "out_dir": str(self.out_dir)}

    def _student(self, student_id: str) -> GradedSubmission | None:
        return next((g for g in self.cache.load() if g.result.student_id == student_id), None)

    async def stylesheet(self, request: Request) -> Response:
        css = resources.files("grader.review").joinpath("templates/review.css").read_text(encoding="utf-8")
        return Response(css, media_type="text/css")

    async def class_table(self, request: Request) -> Response:
        q = request.query_params
        table = build_table(self.cache.load(), load_similarity(self.out_dir), sort=q.get("sort", "id"),
                            desc=q.get("desc") == "1", status=q.get("status", ""), flag=q.get("flag", ""))
        return _html("class.html.j2", {"t": table, "flags": FLAGS, **self._context()})

    def _student_page(self, student_id: str, *, error: str = "", done: str = "") -> Response:
        graded = self._student(student_id)
        if graded is None:
            return _html("missing.html.j2", {"student_id": student_id, **self._context()}, 404)
        page = build_student_page(graded, load_similarity(self.out_dir), list_changes(self.db, student_id),
                                  self.cache.pack())
        context = {"p": page, "error": error, "done": done, **self._context()}
        return _html("student.html.j2", context, 400 if error else 200)

    async def student(self, request: Request) -> Response:
        done = ACTIONS.get(request.query_params.get("done", ""), (None, ""))[1]
        return self._student_page(request.path_params["student_id"], done=done)

    async def notebook(self, request: Request) -> Response:
        graded = self._student(request.path_params["student_id"])
        if graded is None:
            return Response("no such student", 404, media_type="text/plain")
        path = executed_notebook(self.out_dir, graded)
        html = await run_in_threadpool(notebook_page, path, f"{graded.result.student_id}: executed notebook")
        return HTMLResponse(html, headers=frame_headers())

    async def report(self, request: Request) -> Response:
        graded = self._student(request.path_params["student_id"])
        if graded is None:
            return Response("no such student", 404, media_type="text/plain")
        pack, prepared = await run_in_threadpool(self.cache.prepared)
        html = await run_in_threadpool(functools.partial(render_student_report, graded, pack=pack, prepared=prepared))
        return HTMLResponse(html, headers=frame_headers())

    async def write(self, request: Request, *, action: str) -> Response:
        """POST ``/s/<id>/<action>``: check the CSRF token, apply the action, redirect or show the problem."""
        student_id = request.path_params["student_id"]
        async with request.form(max_files=0, max_fields=16, max_part_size=MAX_FIELD_BYTES) as form:
            try:
                check_csrf(self.secrets, form.get("csrf"))
            except CsrfError as exc:
                return Response(f"refused: {exc}", 403, media_type="text/plain")
            try:
                self._apply(student_id, action, form)
            except (FormProblem, StoreError) as exc:
                return self._student_page(student_id, error=str(exc))
        return RedirectResponse(f"{self.secrets.prefix}/s/{quote(student_id, safe='')}?done={action}", 303)

    def _apply(self, student_id: str, action: str, form: FormData) -> None:
        if self._student(student_id) is None:
            raise StoreError(f"no student {student_id!r} in {self.db}")
        apply, _message = ACTIONS[action]
        with open_gradebook(self.db) as conn:
            apply(conn, student_id, form, self.ta)
