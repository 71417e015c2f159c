"""Match the first-layer kernels of the student's scored model to JASPAR motifs (extra-credit question 2.6).

The kernels arrive as numbers: the epilogue reads them from ``FOLD_MODELS[0]``, the first of the models
whose hidden-set predictions are scored (every ``Conv1d`` with 4 input channels, narrower ones zero-padded
to the widest), never from an array the notebook hands over. They are turned into PFMs without data
(``reference.motifs.kernels_to_pfms``, a column-wise softmax) and **every** kernel is compared with the
JASPAR vertebrate CORE collection over both strands and all offsets (``reference.motifs.match_jaspar_many``,
one vectorised pass). The ``TOP_MATCHES`` best matches of each kernel are kept for the rubric's family
check and the report. Cost on the 2-core development machine: loading JASPAR once per process about
6.3 s, then 0.3 s for 64 kernels, 0.6 s for 192 and 2.8 s for the 1,024 accepted at most (docs/benchmarks.md,
"Motif matching and the 2.6 calibration").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from assignments.week11.items import FIRST_LAYER_KERNELS
from assignments.week11.records import MotifHit
from grader.records.collected import CollectedRecord, Item

if TYPE_CHECKING:
    from reference.motifs import MotifMatch

__all__ = ["MAX_KERNELS", "MIN_KERNEL_WIDTH", "TOP_MATCHES", "match_motifs", "measure_motifs", "motif_summary"]

Kernels = tuple[tuple[tuple[float, ...], ...], ...]
TOP_MATCHES = 3
MAX_KERNELS = 1024
MIN_KERNEL_WIDTH = 5
"""Narrower kernels cannot show a motif: a 1-column kernel matches some column of almost every JASPAR
matrix at 0.99+ (the demo's width-1 CNN earned 2.6 that way); 5 is the smallest width calibrated."""


def _hits(index: int, matches: tuple[MotifMatch, ...]) -> list[MotifHit]:
    return [
        MotifHit(
            kernel_index=index,
            matrix_id=m.matrix_id,
            name=m.name,
            score=round(float(m.score), 6),
            strand=m.strand,
            offset=m.offset,
        )
        for m in matches
    ]


def match_motifs(kernels: Item[Kernels]) -> Item[tuple[MotifHit, ...]]:
    """The ``TOP_MATCHES`` best JASPAR matches of every first-layer kernel; reasons pass through when
    there are no kernels."""
    if not kernels.is_ok or kernels.value is None:
        return Item(status=kernels.status, reason=kernels.reason)
    if len(kernels.value) > MAX_KERNELS:
        return Item.invalid(f"{len(kernels.value)} first-layer kernels; at most {MAX_KERNELS} are accepted")
    width = max((len(kernel[0]) for kernel in kernels.value if kernel), default=0)
    if width < MIN_KERNEL_WIDTH:
        return Item.invalid(
            f"the first-layer kernels are {width} column(s) wide; a DNA motif needs at least {MIN_KERNEL_WIDTH}"
        )
    from reference.motifs import kernels_to_pfms, load_jaspar, match_jaspar_many

    pfms = kernels_to_pfms(kernels.value)
    found = match_jaspar_many(list(pfms), top=TOP_MATCHES, matrices=load_jaspar())
    return Item.ok(tuple(hit for index, matches in enumerate(found) for hit in _hits(index, matches)))


def measure_motifs(collected: CollectedRecord, labels: Mapping[str, int]) -> Item[tuple[MotifHit, ...]]:
    """The pack's ``motifs`` evaluator: :func:`match_motifs` of the collected first-layer kernels."""
    return match_motifs(FIRST_LAYER_KERNELS.read(collected))


def motif_summary(value: Any) -> str:
    """The review app's line for the ``motifs`` measurement (its plain JSON: a list of hits)."""
    hits = (MotifHit.model_validate(h) for h in value)
    return "; ".join(f"kernel {h.kernel_index}: {h.matrix_id} {h.name} ({h.score:.2f})" for h in hits)
