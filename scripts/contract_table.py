"""Each assignment pack's notebook-contract table ("what the notebook must leave behind"), from the pack.

    python scripts/contract_table.py            print every pack's table
    python scripts/contract_table.py --write    replace each pack's block in the docs
    python scripts/contract_table.py --check    exit 1 when a block is out of date or missing (a test runs it)

A pack's variables (``AssignmentPack.variables``, ``grader.packs.NotebookVariable``) are the one home of its
contract; the block for pack NAME sits between ``<!-- contract-table:NAME ... -->`` and
``<!-- contract-table:NAME end -->`` in docs/notebook-contract.md (Week 11) or the pack's README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the namespace package assignments/ is found in the checkout
    sys.path.insert(0, str(ROOT))

from grader.packs import AssignmentPack, available_packs, load_pack  # noqa: E402
from scripts.doc_blocks import mode, replace_block  # noqa: E402


def begin(name: str) -> str:
    return f"<!-- contract-table:{name} (python scripts/contract_table.py --write) -->"


def end(name: str) -> str:
    return f"<!-- contract-table:{name} end -->"


def table(pack: AssignmentPack) -> str:
    """The pack's block: the markers around a Markdown table of its variables."""
    rows = [f"| `{v.name}` | {v.used_for} | {v.form} |" for v in pack.variables]
    return "\n".join([begin(pack.name), "| variable | for | form |", "|---|---|---|", *rows, end(pack.name)])


def documents() -> list[Path]:
    return [ROOT / "docs" / "notebook-contract.md", *sorted(ROOT.glob("assignments/*/README.md"))]


def main(argv: list[str] | None = None) -> int:
    args = mode(__doc__ or "", argv)
    packs = [load_pack(name) for name in available_packs()]
    if not (args.write or args.check):
        print("\n\n".join(table(pack) for pack in packs))
        return 0
    problems = []
    for pack in packs:
        homes = [path for path in documents() if begin(pack.name) in path.read_text(encoding="utf-8")]
        if not pack.variables or not homes:
            problems.append(f"pack {pack.name!r}: no variables, or no {begin(pack.name)} block in "
                            f"{', '.join(str(p.relative_to(ROOT)) for p in documents())}")
            continue
        for path in homes:
            doc = path.read_text(encoding="utf-8")
            new = replace_block(doc, begin(pack.name), end(pack.name), table(pack))
            if new != doc and args.check:
                problems.append(f"{path.relative_to(ROOT)}: pack {pack.name!r}'s contract table is out of date; "
                                "run python scripts/contract_table.py --write")
            elif new != doc:
                path.write_text(new, encoding="utf-8")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
