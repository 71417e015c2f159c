"""The one jinja2 environment of the reports: package templates, ``StrictUndefined``, autoescaping.

A misspelt name in a template raises instead of rendering as an empty string, and every value is
HTML-escaped unless a template marks it safe (none does), so student-written strings cannot inject
markup. Template problems surface as :class:`grader.errors.RenderError` naming the template.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
)

from grader.errors import RenderError
from grader.render._format import format_points

__all__ = ["environment", "render_template"]


def _fixed(value: float, digits: int = 3) -> str:
    """``value`` with ``digits`` decimals."""
    return f"{value:.{digits}f}"


def _short_sha(value: str, length: int = 12) -> str:
    """The first ``length`` characters of a hex digest, or an en dash when empty."""
    return value[:length] if value else "–"


@functools.cache
def environment(template_dirs: tuple[Path, ...] = ()) -> Environment:
    """The shared environment (built once per process and set of pack template folders).

    ``template_dirs``: assignment packs' template folders, searched after ``grader/render/templates``.
    """
    env = Environment(
        loader=ChoiceLoader([PackageLoader("grader.render", "templates"), *(FileSystemLoader(d) for d in template_dirs)]),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pts"] = format_points
    env.filters["fixed"] = _fixed
    env.filters["short_sha"] = _short_sha
    return env


def render_template(name: str, template_dirs: Sequence[Path] = (), **context: object) -> str:
    """Render the package template ``name`` with ``context``; problems raise ``RenderError``.

    ``template_dirs``: the packs' template folders the page includes templates from.
    """
    try:
        return environment(tuple(template_dirs)).get_template(name).render(**context)
    except TemplateNotFound as exc:
        where = ", ".join(["grader/render/templates", *map(str, template_dirs)])
        raise RenderError(f"template {exc.name!r} not found in {where} (rendering {name!r})") from exc
    except TemplateError as exc:
        where = f"{getattr(exc, 'filename', None) or name}:{getattr(exc, 'lineno', '?')}"
        raise RenderError(f"{where}: {type(exc).__name__}: {exc.message}") from exc
