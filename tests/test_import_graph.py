"""docs/architecture.md shows the import graph generated from the code (scripts/import_graph.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).parents[1] / "scripts" / "import_graph.py"


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("import_graph", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_documented_graph_is_the_code() -> None:
    assert _script().main(["--check"]) == 0, "run: python scripts/import_graph.py --write"


def test_the_graph_sees_the_edges_it_reports() -> None:
    graph = _script().edges()
    assert "grader.records" in graph["grader.publish"] and "grader.publish" not in graph["grader.records"]
    assert graph["reference"] == set()
