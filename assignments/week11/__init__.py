"""Week 11 (enhancer classifier, gradients, first-layer motifs) as an assignment pack: ``PACK``.

The grader finds it by the rubric's ``assignment: week11`` (``grader.packs.load_pack``). What is still
Week 11 specific inside ``grader/`` moves here step by step (docs/architecture.md, "Assignment packs").
"""

from __future__ import annotations

from importlib import resources

from assignments.week11.items import ITEMS
from grader.packs import AssignmentPack

__all__ = ["PACK"]

PACK = AssignmentPack(
    name="week11",
    items=ITEMS,
    epilogue=resources.files(__name__).joinpath("kernel_epilogue.py").read_text(encoding="utf-8"),
)
