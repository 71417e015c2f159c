"""Assignment 2.6: first-layer kernels -> PFMs, sequence logos and JASPAR matches.

Importing this package loads numpy only; logos (matplotlib, logomaker) load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reference._lazy import lazy_getattr

from .compare import MotifMatch, match_jaspar, match_jaspar_many, pfm_similarity
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
    "match_jaspar_many",
    "pfm_similarity",
    "plot_logo",
    "plot_logos",
    "trim_pfm",
]


# matplotlib and logomaker load on first use of a logo function
__getattr__ = lazy_getattr(__name__, {"plot_logo": "logos", "plot_logos": "logos"})
