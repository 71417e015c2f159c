"""Assignment 2.6: first-layer kernels -> PFMs, sequence logos and JASPAR matches.

Importing this package loads numpy only; logos (matplotlib, logomaker) load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .compare import MotifMatch, match_jaspar, pfm_similarity
from .families import LIVER_FAMILIES, FamilyHit, FamilyReport, family_of, liver_families
from .jaspar import DEFAULT_RELEASE, JasparMatrix, fetch_matrix, load_jaspar
from .pfm import ActivationPFMs, activation_pfms, as_kernels, information_content, kernels_to_pfms, trim_pfm

if TYPE_CHECKING:
    from .logos import plot_logo, plot_logos

__all__ = [
    "DEFAULT_RELEASE",
    "LIVER_FAMILIES",
    "ActivationPFMs",
    "FamilyHit",
    "FamilyReport",
    "JasparMatrix",
    "MotifMatch",
    "activation_pfms",
    "as_kernels",
    "family_of",
    "fetch_matrix",
    "information_content",
    "kernels_to_pfms",
    "liver_families",
    "load_jaspar",
    "match_jaspar",
    "pfm_similarity",
    "plot_logo",
    "plot_logos",
    "trim_pfm",
]


def __getattr__(name: str) -> Any:
    """Load :mod:`.logos` (matplotlib, logomaker) on first use of one of its names."""
    if name not in ("plot_logo", "plot_logos"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(".logos", __name__), name)
    globals()[name] = value
    return value
