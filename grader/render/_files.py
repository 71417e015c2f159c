"""Writing derived files (reports, exports): atomic, but without fsync.

Reports and exports are rebuilt from ``OUT/results`` at any time, so they need no durability; the
fsync in :func:`grader.store.files.write_atomic` (right for results) costs about 4 ms per file here,
2.4 s for the 600 files of a 300-student class. Readers still see the old file or the new one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_derived"]


def write_derived(path: Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file in the same folder; returns ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
