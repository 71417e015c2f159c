"""docs/architecture.md shows the import graph generated from the code (scripts/import_graph.py)."""

from __future__ import annotations

from typing import Any

from scripts import import_graph


def _script() -> Any:
    return import_graph


def test_the_documented_graph_is_the_code() -> None:
    assert _script().main(["--check"]) == 0, "run: python scripts/import_graph.py --write"


def test_the_graph_sees_the_edges_it_reports() -> None:
    graph = _script().edges()
    assert "grader.records" in graph["grader.publish"] and "grader.publish" not in graph["grader.records"]
    assert graph["reference"] == set()
