"""The import graph of grader's packages, from the code, for docs/architecture.md.

    python scripts/import_graph.py            print the graph
    python scripts/import_graph.py --write    replace the block between the markers in docs/architecture.md
    python scripts/import_graph.py --check    exit 1 when docs/architecture.md is out of date (a test runs it)

One line per package (a top-level module or sub-package of ``grader``, an assignment pack, and
``reference``), in the order of the import-linter layers in pyproject.toml, with the packages it imports
directly. Built with grimp, the graph library import-linter itself uses.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # scripts/ and the namespace package assignments/ are found in the checkout
    sys.path.insert(0, str(ROOT))

from scripts.doc_blocks import mode, replace_block  # noqa: E402

DOC = ROOT / "docs" / "architecture.md"
BEGIN = "<!-- import-graph: begin (python scripts/import_graph.py --write) -->"
END = "<!-- import-graph: end -->"


def _package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] in ("grader", "assignments") and len(parts) > 1 else parts[0]


def _layer_order() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    layers = config["tool"]["importlinter"]["contracts"][0]["layers"]
    return [name.strip() for layer in layers for name in layer.replace(":", "|").split("|")]


def edges() -> dict[str, set[str]]:
    """Package -> the packages it imports directly (itself excluded)."""
    if str(ROOT) not in sys.path:  # the namespace package assignments/ is found in the checkout, not the install
        sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph("grader", "reference", "assignments")
    out: dict[str, set[str]] = {}
    for module in graph.modules:
        source = _package(module)
        targets = {_package(m) for m in graph.find_modules_directly_imported_by(module)}
        out.setdefault(source, set()).update(targets - {source, "grader"})
    return out


def render() -> str:
    """The graph as a fenced text block, packages in layer order (then the rest by name)."""
    graph = edges()
    order = _layer_order()
    rank = {name: i for i, name in enumerate(order)}
    names = sorted(graph, key=lambda n: (rank.get(n, len(order)), n))
    width = max(len(n) for n in names)
    lines = [f"{n:<{width}}  -> {', '.join(sorted(graph[n], key=lambda t: (rank.get(t, len(order)), t))) or '-'}"
             for n in names if n not in ("grader", "assignments")]
    return "\n".join([BEGIN, "```", *lines, "```", END])


def _replaced(doc: str, block: str) -> str:
    return replace_block(doc, BEGIN, END, block)


def main(argv: list[str] | None = None) -> int:
    args = mode(__doc__ or "", argv)
    block = render()
    if not (args.write or args.check):
        print(block)
        return 0
    doc = DOC.read_text(encoding="utf-8")
    if args.check:
        if BEGIN not in doc or _replaced(doc, block) != doc:
            print(f"{DOC}: the import graph is out of date; run python scripts/import_graph.py --write",
                  file=sys.stderr)
            return 1
        return 0
    DOC.write_text(_replaced(doc, block), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
