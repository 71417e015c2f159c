"""Match the student's first-layer kernels to JASPAR motifs (for the extra-credit question)."""

from __future__ import annotations

from grader.collect.record import Item
from grader.evaluate.record import MotifHit

__all__ = ["match_motifs"]

Kernels = tuple[tuple[tuple[float, ...], ...], ...]


def match_motifs(kernels: Item[Kernels]) -> Item[tuple[MotifHit, ...]]:
    """Each kernel's best JASPAR match (placeholder until reference.motifs lands)."""
    if not kernels.is_ok:
        return Item(status=kernels.status, reason=kernels.reason)
    return Item.missing("motif matching is not available yet")
