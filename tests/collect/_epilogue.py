"""Run a pack's epilogue cell in this process, in ``workdir``, as the kernel would; return the record it wrote."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from grader.collect.epilogue import epilogue_source
from grader.collect.parse import read_record_file
from grader.packs import AssignmentPack


def run_epilogue(pack: AssignmentPack, ns: dict[str, Any], workdir: Path) -> dict[str, Any]:
    cwd = os.getcwd()
    os.chdir(workdir)
    try:
        exec(compile(epilogue_source(pack), "<epilogue>", "exec"), ns)
    finally:
        os.chdir(cwd)
    data, why = read_record_file(workdir / "grader_record.json")
    assert data is not None, why
    return dict(data)
