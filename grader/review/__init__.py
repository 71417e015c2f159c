"""The review app (``grader review OUT``): TAs read a graded class and decide on top of the scores.

Starlette on uvicorn, bound to 127.0.0.1, with a per-run token in every URL, CSRF tokens on every form and
a strict Content-Security-Policy (:mod:`grader.review.security`). Pages are jinja2 templates with no
script; sorting and filtering are query parameters. Student content is shown sanitised (nh3) in
sandboxed frames (:mod:`grader.review.notebook`). Reads are the class's effective grades
(:func:`grader.publish.load_class`); every change goes to the SQLite gradebook with who and when.
"""

from __future__ import annotations

from grader.review.app import DEFAULT_PORT, create_app, default_ta, run_review
from grader.review.security import Secrets

__all__ = ["DEFAULT_PORT", "Secrets", "create_app", "default_ta", "run_review"]
