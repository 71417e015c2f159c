"""The one jinja2 environment of the reports: package templates, ``StrictUndefined``, autoescaping.

A misspelt name in a template raises instead of rendering as an empty string, and every value is
HTML-escaped unless a template marks it safe (none does), so student-written strings cannot inject
markup. Template problems surface as :class:`grader.errors.RenderError` naming the template.
"""

from __future__ import annotations

import functools

from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateError, TemplateNotFound

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
def environment() -> Environment:
    """The shared environment (built once per process)."""
    env = Environment(
        loader=PackageLoader("grader.render", "templates"),
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


def render_template(name: str, **context: object) -> str:
    """Render the package template ``name`` with ``context``; problems raise ``RenderError``."""
    try:
        return environment().get_template(name).render(**context)
    except TemplateNotFound as exc:
        raise RenderError(f"template {exc.name!r} not found in grader/render/templates (rendering {name!r})") from exc
    except TemplateError as exc:
        where = f"{getattr(exc, 'filename', None) or name}:{getattr(exc, 'lineno', '?')}"
        raise RenderError(f"{where}: {type(exc).__name__}: {exc.message}") from exc
