"""The notebook contract's fixed names: the grader's cell tags, the files it and the epilogue exchange.

One home for each name; the prepare, execute, discover and collect stages import them from here. (The
epilogue's own source, ``grader/collect/kernel_epilogue.py`` and the pack's
``assignments/week11/kernel_epilogue.py``, runs inside the student's kernel where the grader cannot be
imported: it repeats ``RECORD_FILE``, and the pack's its own file names, such as week11's
``HIDDEN_FASTA`` (``assignments/week11/data.py``); tests keep them equal.)
"""

from __future__ import annotations

__all__ = [
    "EPILOGUE_TAG",
    "GRADER_TAGS",
    "MAX_NOTEBOOK_BYTES",
    "PARAMETERS_TAG",
    "RECORD_FILE",
    "SEED_TAG",
]

SEED_TAG = "grader-seed"
"""The injected first cell that seeds random, numpy and torch."""
PARAMETERS_TAG = "injected-parameters"
"""The injected cell that sets the profile's parameters (after the notebook's own ``parameters`` cell)."""
EPILOGUE_TAG = "grader-epilogue"
"""The injected last cells that collect the notebook's results into ``RECORD_FILE``."""
GRADER_TAGS = frozenset({SEED_TAG, PARAMETERS_TAG, EPILOGUE_TAG})
MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
"""The largest notebook file the grader reads."""
RECORD_FILE = "grader_record.json"
"""What the epilogue writes in the work dir: plain JSON, validated by ``grader.collect.parse``."""
