"""A tiny assignment pack for the generic tests (one item, one evaluator, one panel with its own template),
and a way to make it loadable by name for a test without leaking it into the pack registry."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from grader import packs
from grader.packs import AssignmentPack, Evaluator, ItemSpec, ReportPanel
from grader.records.collected import CollectedRecord, Item
from grader.records.graded import GradedSubmission

__all__ = ["registered", "toy_pack"]


def toy_pack(templates: Path, prepared_for: list[int]) -> AssignmentPack:
    """The pack ``toy``; its panel's template is written to ``templates``; each class-wide preparation
    appends the class size to ``prepared_for``."""
    templates.mkdir(parents=True, exist_ok=True)
    (templates / "toy_panel.html.j2").write_text(
        '<section class="card" id="{{ panel.id }}"><h2>{{ panel.title }}</h2><p>{{ panel.view }}</p></section>\n',
        encoding="utf-8",
    )

    def prepare(graded: Sequence[Any], cache_dir: Path | None, compute: bool) -> tuple[Any, str]:
        prepared_for.append(len(graded))
        return f"class of {len(graded)}", "toy data: made"

    def build(graded: GradedSubmission, prepared: Any) -> str:
        return f"{graded.result.student_id} in a {prepared}"

    item = ItemSpec[Any]("toy_item", "TOY", lambda value, context: value, Any, title="toy item", bulky=True)

    def measure(collected: CollectedRecord, labels: Any) -> Item[Any]:
        return Item.ok({"n": 3})

    return AssignmentPack(
        name="toy", items=(item,), panels=(ReportPanel("toy", "Toy panel", "toy_panel.html.j2", build, prepare),),
        evaluators=(Evaluator("toy_measure", measure, title="toy measure", summary=lambda v: f"{v['n']} things"),),
        templates=templates,
    )


@contextmanager
def registered(pack: AssignmentPack) -> Iterator[AssignmentPack]:
    """``pack`` loadable by its name (``grader.packs.load_pack``) inside the block only."""
    packs.register_pack(pack)
    try:
        yield pack
    finally:
        packs._PACKS.pop(pack.name, None)
