"""``grader review OUT``: the review app, served on 127.0.0.1 with this run's token in every URL.

:func:`create_app` builds the Starlette application (routes under ``/t/<token>/``, wrapped in
:class:`grader.review.security.Guard`); :func:`run_review` checks the folder, prints the address with
the token and serves it with uvicorn until Ctrl+C.

Routes (below ``/t/<token>``)::

    GET  /                       the class table (?sort=&desc=1&status=&flag=)
    GET  /review.css             the one stylesheet
    GET  /s/<id>                 one student: questions, forms, answers, evidence, flags, pairs, history
    GET  /s/<id>/report          the student's report (for a sandboxed frame)
    GET  /s/<id>/notebook        the executed notebook, sanitised (for a sandboxed frame)
    POST /s/<id>/<action>        override | clear | late | waive | late-clear | reviewed | unreviewed
"""

from __future__ import annotations

import functools
import getpass
import os
from collections.abc import Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from grader.errors import GraderError, StoreError
from grader.review.security import Guard, Secrets
from grader.review.views import ACTIONS, ClassCache, Review
from grader.store.gradebook import GRADEBOOK_FILE

__all__ = ["DEFAULT_PORT", "HOST", "create_app", "default_ta", "run_review"]

HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def default_ta() -> str:
    """The OS user's name (``uid N`` when the system has none)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return f"uid {os.getuid()}"


def create_app(out_dir: Path, *, secrets: Secrets, ta: str) -> Guard:
    """The review app over ``out_dir`` for TA ``ta`` (an ASGI application, guarded)."""
    review = Review(out_dir=out_dir, ta=ta, secrets=secrets, cache=ClassCache(out_dir))
    routes = [
        Route("/", review.class_table, methods=["GET"]),
        Route("/review.css", review.stylesheet, methods=["GET"]),
        Route("/s/{student_id}", review.student, methods=["GET"]),
        Route("/s/{student_id}/report", review.report, methods=["GET"]),
        Route("/s/{student_id}/notebook", review.notebook, methods=["GET"]),
    ]
    routes += [Route(f"/s/{{student_id}}/{action}", functools.partial(review.write, action=action), methods=["POST"])
               for action in ACTIONS]
    return Guard(Starlette(routes=routes, exception_handlers={GraderError: _grader_error}), secrets)


async def _grader_error(request: Request, exc: Exception) -> Response:
    """A gradebook or results file that cannot be read: its message, not a bare server error."""
    return PlainTextResponse(f"The review app cannot read the class: {exc}", status_code=500)


def _check_out_dir(out_dir: Path) -> None:
    if not (out_dir / GRADEBOOK_FILE).is_file():
        raise StoreError(f"{out_dir / GRADEBOOK_FILE}: no gradebook; grade first (grader grade ... --out {out_dir})")


def run_review(out_dir: Path, *, port: int = DEFAULT_PORT, ta: str | None = None,
               echo: Callable[[str], None] = print) -> None:
    """Serve the review app for ``out_dir`` on ``127.0.0.1:port`` until interrupted.

    ``ta``: the name written with every change (default: the OS user). Prints the address with the
    run's token; anyone with it can change grades, so do not share it. ``StoreError`` when ``out_dir``
    has no gradebook.
    """
    import uvicorn

    _check_out_dir(out_dir)
    secrets = Secrets(port=port)
    who = ta.strip() if ta and ta.strip() else default_ta()
    app = create_app(out_dir, secrets=secrets, ta=who)
    echo(f"Review app for {out_dir} (changes are recorded as {who!r}); open:")
    echo(f"  {secrets.url()}")
    echo("The address holds this run's secret token: do not share it. Stop with Ctrl+C.")
    config = uvicorn.Config(app, host=HOST, port=port, log_level="warning", access_log=False, lifespan="off",
                            proxy_headers=False, server_header=False)
    uvicorn.Server(config).run()
