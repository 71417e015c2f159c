"""The generic half of hidden data: an order and opaque ids that only a seed decides.

A pack's data (``grader.packs.AssignmentData``) writes its hidden examples into the work dir only after
the student's cells finished, without labels, under opaque ids, in an order that only the class secret
and the submission's bytes decide; :func:`opaque_order` is that shuffle, so every pack hides the same way.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

__all__ = ["opaque_order"]

T = TypeVar("T")


def opaque_order(labelled: Sequence[tuple[T, int]], *, seed: int) -> tuple[tuple[tuple[str, T], ...], dict[str, int]]:
    """``labelled`` (example, label) pairs shuffled by ``seed`` under opaque ids ``h000000``, ...

    Returns the (id, example) pairs in their new order and the labels by id (which stay in the grader).
    """
    pool = list(labelled)
    random.Random(seed).shuffle(pool)
    ids = [f"h{i:06d}" for i in range(len(pool))]
    examples = tuple((i, example) for i, (example, _) in zip(ids, pool, strict=True))
    return examples, {i: label for i, (_, label) in zip(ids, pool, strict=True)}
