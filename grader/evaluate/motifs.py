"""Match the student's first-layer kernels to JASPAR motifs (for the extra-credit question).

The grader only receives kernel weights as numbers, so kernels are turned into PFMs without data
(``reference.motifs.kernels_to_pfms``, a column-wise softmax) and compared with the JASPAR vertebrate
CORE collection over both strands and all offsets (``reference.motifs.match_jaspar``). The top
``TOP_MATCHES`` matches of each of the ``MATCHED_KERNELS`` most informative kernels (total information
content of their PFM) are kept, so the rubric's family check and the report can use them. Matching costs
about 0.15 s per kernel on 2 cores, hence the cap; loading JASPAR (once per process) about 9 s.
"""

from __future__ import annotations

from grader.collect.record import Item
from grader.evaluate.record import MotifHit

__all__ = ["MATCHED_KERNELS", "MAX_KERNELS", "TOP_MATCHES", "match_motifs"]

Kernels = tuple[tuple[tuple[float, ...], ...], ...]
TOP_MATCHES = 3
MAX_KERNELS = 1024
MATCHED_KERNELS = 16


def match_motifs(kernels: Item[Kernels]) -> Item[tuple[MotifHit, ...]]:
    """The best JASPAR matches of each first-layer kernel; reasons pass through when there are none."""
    if not kernels.is_ok or kernels.value is None:
        return Item(status=kernels.status, reason=kernels.reason)
    from reference.motifs import information_content, kernels_to_pfms, load_jaspar, match_jaspar

    if len(kernels.value) > MAX_KERNELS:
        return Item.invalid(f"{len(kernels.value)} first-layer kernels; at most {MAX_KERNELS} are accepted")
    pfms = kernels_to_pfms(kernels.value)
    ranked = sorted(range(len(pfms)), key=lambda i: (-float(information_content(pfms[i]).sum()), i))
    matrices = list(load_jaspar())
    hits: list[MotifHit] = []
    for index in sorted(ranked[:MATCHED_KERNELS]):
        for match in match_jaspar(pfms[index], top=TOP_MATCHES, matrices=matrices):
            hits.append(
                MotifHit(
                    kernel_index=index,
                    matrix_id=match.matrix_id,
                    name=match.name,
                    score=round(float(match.score), 6),
                    strand=match.strand,
                    offset=match.offset,
                )
            )
    return Item.ok(tuple(hits))
