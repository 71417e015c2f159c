"""Optional PDF output of a report through weasyprint (not a dependency; imported on use)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from grader.errors import RenderError

__all__ = ["pdf_available", "require_pdf", "write_pdf"]


def pdf_available() -> bool:
    """Whether weasyprint can be imported here."""
    try:
        importlib.import_module("weasyprint")
    except ImportError:
        return False
    return True


def require_pdf() -> Any:
    """The weasyprint module; ``RenderError`` saying how to install it when it is missing."""
    try:
        return importlib.import_module("weasyprint")
    except ImportError as exc:
        raise RenderError(
            f"PDF output needs weasyprint, which is not installed ({exc}); "
            "install it with `pip install weasyprint` or render HTML only"
        ) from exc


def write_pdf(html: str, path: Path) -> Path:
    """Write ``html`` (a self-contained report) as a PDF to ``path``; ``RenderError`` without weasyprint."""
    weasyprint = require_pdf()
    path.parent.mkdir(parents=True, exist_ok=True)
    weasyprint.HTML(string=html).write_pdf(str(path))
    return path
