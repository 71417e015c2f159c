"""Which liver transcription-factor families (HNF4, FOXA, CEBP, HNF1, ONECUT) a set of PFMs recovers.

A JASPAR matrix belongs to a family when one of its ``::``-separated components starts with the
family prefix (case-insensitive): "HNF4A", "Hnf4g" -> HNF4; "Ddit3::Cebpa" -> CEBP. A family is
*recovered* when some PFM has a member among its ``top`` JASPAR matches with score >= ``min_score``.

Calibration of the defaults (``top=1``, ``min_score=0.9``): the 192 first-layer kernels of the
reference CNN trained on 2,000 + 2,000 real sequences recover FOXA, HNF4 and CEBP (data-free
PFMs); the kernels of two untrained (random) initialisations recover none. Looser settings
(``top=5``, ``min_score=0.75``) also find HNF1 and ONECUT in the trained model, but then random
kernels "recover" up to four families: with ~200 kernels x ~1,000 matrices x all offsets, high
column correlations over 6-7 columns occur by chance. Treat the result as supporting evidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

import numpy as np
import numpy.typing as npt

from .compare import MotifMatch, match_jaspar_many
from .jaspar import JasparMatrix, load_jaspar

__all__ = ["LIVER_FAMILIES", "FamilyHit", "FamilyReport", "family_of", "liver_families"]

LIVER_FAMILIES: Final = MappingProxyType(
    {"HNF4": "HNF4", "FOXA": "FOXA", "CEBP": "CEBP", "HNF1": "HNF1", "ONECUT": "ONECUT"}
)
"""Family -> name prefix of its JASPAR members."""


@dataclass(frozen=True)
class FamilyHit:
    """The best evidence for one family: which PFM (index) and which JASPAR match."""

    family: str
    pfm_index: int
    match: MotifMatch


@dataclass(frozen=True)
class FamilyReport:
    """Per-family best hit (``None`` when not recovered), and the thresholds used."""

    hits: Mapping[str, FamilyHit | None]
    top: int
    min_score: float

    @property
    def recovered(self) -> tuple[str, ...]:
        """Recovered families in :data:`LIVER_FAMILIES` order."""
        return tuple(f for f in LIVER_FAMILIES if self.hits.get(f) is not None)


def family_of(name: str, families: Mapping[str, str] = LIVER_FAMILIES) -> str | None:
    """The family of a JASPAR factor name, or ``None``."""
    parts = [p.upper() for p in name.split("::")]
    return next(
        (f for f, prefix in families.items() if any(p.startswith(prefix.upper()) for p in parts)), None
    )


def liver_families(
    pfms: Sequence[npt.ArrayLike] | npt.NDArray[np.float64],
    *,
    top: int = 1,
    min_score: float = 0.9,
    matrices: Sequence[JasparMatrix] | None = None,
) -> FamilyReport:
    """Which liver families the PFMs recover.

    Args:
        pfms: PFMs of shape (4, K) each (e.g. from :func:`~.pfm.activation_pfms` or
            :func:`~.pfm.kernels_to_pfms`).
        top: JASPAR matches considered per PFM. Default 1.
        min_score: minimum average column PCC. Default 0.9.
        matrices: candidates; default the cached vertebrate CORE collection.
    """
    candidates = tuple(matrices) if matrices is not None else load_jaspar()
    best: dict[str, FamilyHit | None] = dict.fromkeys(LIVER_FAMILIES)
    for index, matches in enumerate(match_jaspar_many(list(pfms), top=top, matrices=candidates)):
        for match in matches:
            family = family_of(match.name)
            current = best.get(family) if family else None
            if family and match.score >= min_score and (current is None or match.score > current.match.score):
                best[family] = FamilyHit(family, index, match)
    return FamilyReport(MappingProxyType(best), top, min_score)
