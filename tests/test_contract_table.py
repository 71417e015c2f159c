"""Each pack's notebook-contract table in the docs is written from the pack (scripts/contract_table.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from grader.errors import PackError
from grader.packs import AssignmentPack, ItemSpec, NotebookVariable, load_pack
from scripts import contract_table


def _script() -> Any:
    return contract_table


def test_every_packs_documented_table_is_its_variables() -> None:
    assert _script().main(["--check"]) == 0, "run: python scripts/contract_table.py --write"


def test_week11s_table_lists_each_item_variable_with_its_questions() -> None:
    block = _script().table(load_pack("week11"))
    assert "| `FOLD_MODELS` | 2.5, 2.6 | list of trained `torch.nn.Module`s" in block
    assert all(f"| `{item.variable}` |" in block for item in load_pack("week11").items)


def test_an_edited_table_is_out_of_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = _script()
    doc = tmp_path / "notebook-contract.md"
    doc.write_text(script.table(load_pack("week11")).replace("2.5, 2.6", "2.5"), encoding="utf-8")
    monkeypatch.setattr(script, "documents", lambda: [doc])
    monkeypatch.setattr(script, "available_packs", lambda: ("week11",))
    monkeypatch.setattr(script, "ROOT", tmp_path)
    assert script.main(["--check"]) == 1
    assert script.main(["--write"]) == 0 and script.main(["--check"]) == 0
    assert "| `FOLD_MODELS` | 2.5, 2.6 |" in doc.read_text(encoding="utf-8")


def test_a_pack_whose_item_reads_an_undocumented_variable_is_refused() -> None:
    item = ItemSpec[float]("score", "SCORE", lambda value, context: float(value), float)
    with pytest.raises(PackError, match=r"'tiny': SCORE read by an item but not in its variables"):
        AssignmentPack(name="tiny", items=(item,), variables=(NotebookVariable("ANSWERS", "1.1", "a dict"),))
    assert AssignmentPack(name="tiny", items=(item,)).variables == ()  # the docs check asks for them
