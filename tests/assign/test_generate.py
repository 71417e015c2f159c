"""One source notebook -> template and solution: regions, locked checksums, layout rules, no drift."""

from __future__ import annotations

import ast
import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat import NotebookNode

from grader.assign import (
    LOCKED_TAG,
    SolutionMarkerError,
    generate,
    source_sha256,
    write_assignment,
)
from grader.errors import AssignmentError
from grader.rubric import load_rubric, publish_rubric

from ._notebooks import SOLUTION, SOURCE, TEMPLATE

WEEK11_RUBRIC = Path(__file__).parents[2] / "rubrics" / "week11.yaml"

PARAMETER_NAMES = {
    "POSITIVE_FASTA",
    "NEGATIVE_FASTA",
    "SEED",
    "DEVICE",
    "PROFILE",
    "MAX_EPOCHS",
    "N_PER_CLASS",
    "FOLDS",
    "SEQ_LEN",
}
QUESTIONS = ("1.2", "3.1", "3.2", "3.3", "3.4")


@pytest.fixture(scope="module")
def generated() -> tuple[NotebookNode, NotebookNode]:
    return generate(SOURCE)


def _cell(cell_type: str, source: str, cell_id: str, *tags: str) -> NotebookNode:
    factory = nbformat.v4.new_code_cell if cell_type == "code" else nbformat.v4.new_markdown_cell
    cell = factory(source)
    cell.id = cell_id
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def _write_source(tmp_path: Path, *cells: NotebookNode, contract: bool = True) -> Path:
    head = [_cell("markdown", "# Contract", "contract", "contract", LOCKED_TAG)] if contract else []
    nb = nbformat.v4.new_notebook()
    nb.cells = [*head, *cells]  # assigned afterwards: new_notebook(cells=...) would repair duplicate ids
    path = tmp_path / "source.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")  # raw: nbformat.write would repair bad ids
    return path


def _code(nb: NotebookNode) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


# ------------------------------------------------------------------------------ the Week 11 notebook
def test_template_has_stubs_where_the_solution_has_code(generated: tuple[NotebookNode, NotebookNode]) -> None:
    template, solution = generated
    for snippet in (
        "nn.BatchNorm1d(width)",
        "return h + torch.sigmoid(self.linear(h))",
        "self.conv = nn.Conv1d(4, n_filters, kernel_size)",
        "KERNEL_SWEEP = {",
        'CV_RESULTS = {"roc_auc": best.roc_auc',
        "FOLD_MODELS = best.models",
        "FIRST_LAYER_KERNELS =",
        "GRADIENTS, GRADIENT_ZERO_FRACTIONS = gradients, zero_fractions",
    ):
        assert snippet in _code(solution), snippet
        assert snippet not in _code(template), snippet
    assert _code(template).count("raise NotImplementedError") == 11
    assert "NotImplementedError" not in _code(solution)


def test_no_marker_survives_in_either_notebook(generated: tuple[NotebookNode, NotebookNode]) -> None:
    for nb in generated:
        for cell in nb.cells:
            assert not re.search(r"(BEGIN|END) SOLUTION", cell.source), cell.id


def test_answers_are_keyed_in_the_solution_and_none_in_the_template(
    generated: tuple[NotebookNode, NotebookNode],
) -> None:
    template, solution = generated
    key = {"1.2": '"Batch Norm"', "3.1": '"Incorrect"', "3.2": '"Incorrect"', "3.3": "0", "3.4": "42"}
    for question in QUESTIONS:
        assert f'ANSWERS["{question}"] = None  # TODO:' in _code(template)
        assert f'ANSWERS["{question}"] = {key[question]}\n' in _code(solution) + "\n"


def test_markdown_reasoning_is_removed_from_the_template(
    generated: tuple[NotebookNode, NotebookNode],
) -> None:
    template, solution = generated
    text = {nb.metadata["grader"]["kind"]: "\n".join(c.source for c in nb.cells) for nb in generated}
    assert "this is XNOR" in text["solution"]
    assert "this is XNOR" not in text["template"]
    assert sum("_TODO: write your answer here._" in c.source for c in template.cells) == 6
    assert len(solution.cells) == len(template.cells)


def test_cells_keep_ids_and_order_and_lose_outputs(generated: tuple[NotebookNode, NotebookNode]) -> None:
    source = nbformat.read(SOURCE, as_version=4)
    for nb in generated:
        assert [c.id for c in nb.cells] == [c.id for c in source.cells]
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None
        nbformat.validate(nb)


def test_first_cell_is_the_locked_contract(generated: tuple[NotebookNode, NotebookNode]) -> None:
    template, _ = generated
    first = template.cells[0]
    assert first.cell_type == "markdown"
    assert {"contract", LOCKED_TAG} <= set(first.metadata["tags"])
    for variable in ("ANSWERS", "GRADIENTS", "KERNEL_SWEEP", "CV_RESULTS", "FOLD_MODELS", "answer:<id>"):
        assert variable in first.source


def test_parameters_cell_defines_every_contract_parameter(
    generated: tuple[NotebookNode, NotebookNode],
) -> None:
    template, _ = generated
    (cell,) = [c for c in template.cells if "parameters" in c.metadata.get("tags", [])]
    assert LOCKED_TAG in cell.metadata["tags"]
    assigned = {t.id for node in ast.parse(cell.source).body for t in node.targets if isinstance(t, ast.Name)}
    assert assigned == PARAMETER_NAMES


def test_locked_checksums_cover_exactly_the_locked_cells(
    generated: tuple[NotebookNode, NotebookNode],
) -> None:
    for nb in generated:
        locked = {c.id: c for c in nb.cells if LOCKED_TAG in c.metadata.get("tags", [])}
        assert set(nb.metadata["grader"]["locked"]) == set(locked)
        assert {"contract", "parameters", "setup", "a2-data", "a2-lightning", "a2-cv"} <= set(locked)
        for cell_id, sha in nb.metadata["grader"]["locked"].items():
            assert sha == source_sha256(locked[cell_id].source)
            assert locked[cell_id].metadata["editable"] is False
            assert locked[cell_id].metadata["deletable"] is False
    template, solution = generated
    assert template.metadata["grader"]["locked"] == solution.metadata["grader"]["locked"]
    assert (template.metadata["grader"]["kind"], solution.metadata["grader"]["kind"]) == (
        "template",
        "solution",
    )


def test_notebooks_are_self_contained(generated: tuple[NotebookNode, NotebookNode]) -> None:
    """The sandbox hides the harness from the kernel: no cell may import reference or grader."""
    for nb in generated:
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert not re.search(r"^\s*(from|import)\s+(reference|grader)\b", cell.source, re.M), cell.id


def test_generation_is_deterministic() -> None:
    first, second = generate(SOURCE), generate(SOURCE)
    assert nbformat.writes(first[0]) == nbformat.writes(second[0])
    assert nbformat.writes(first[1]) == nbformat.writes(second[1])


def test_committed_template_and_solution_equal_a_fresh_generation(tmp_path: Path) -> None:
    """No drift: regenerate with `grader assign assignments/week11/source.ipynb --rubric rubrics/week11.yaml`."""
    shutil.copyfile(SOURCE, tmp_path / "source.ipynb")
    check_rubric = publish_rubric(load_rubric(WEEK11_RUBRIC))
    template, solution = write_assignment(tmp_path / "source.ipynb", check_rubric=check_rubric)
    assert template.read_bytes() == TEMPLATE.read_bytes(), "template.ipynb is stale: rerun write_assignment"
    assert solution.read_bytes() == SOLUTION.read_bytes(), "solution.ipynb is stale: rerun write_assignment"


# ------------------------------------------------------------------------------------ small sources
def test_write_assignment_writes_next_to_the_source_or_into_out_dir(tmp_path: Path) -> None:
    source = _write_source(tmp_path, _cell("code", "### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "c1"))
    assert write_assignment(source) == (tmp_path / "template.ipynb", tmp_path / "solution.ipynb")
    out = tmp_path / "out"
    template, solution = write_assignment(source, out)
    assert (template.parent, solution.parent) == (out, out)
    assert "raise NotImplementedError" in nbformat.read(template, as_version=4).cells[1].source


def test_unbalanced_marker_error_names_file_cell_index_and_id(tmp_path: Path) -> None:
    source = _write_source(
        tmp_path, _cell("code", "x = 1", "ok"), _cell("code", "### BEGIN SOLUTION\ny = 2", "bad")
    )
    with pytest.raises(SolutionMarkerError) as info:
        generate(source)
    assert str(info.value) == (
        f"{source}: cell 2 (id 'bad'), line 1: BEGIN SOLUTION is never closed by END SOLUTION in this cell"
    )


def test_nothing_is_written_when_generation_fails(tmp_path: Path) -> None:
    source = _write_source(tmp_path, _cell("code", "### END SOLUTION", "bad"))
    with pytest.raises(SolutionMarkerError, match=r"cell 1 \(id 'bad'\), line 1: END SOLUTION without"):
        write_assignment(source)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source.ipynb"]


def test_a_locked_cell_cannot_hold_a_solution(tmp_path: Path) -> None:
    cell = _cell("code", "### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "provided", LOCKED_TAG)
    with pytest.raises(SolutionMarkerError, match=r"cell 1 \(id 'provided'\): a cell tagged 'locked' cannot"):
        generate(_write_source(tmp_path, cell))


def test_a_stub_that_breaks_the_syntax_is_reported(tmp_path: Path) -> None:
    cell = _cell("code", "def f():\n### BEGIN SOLUTION\n    return 1\n### END SOLUTION", "branch")
    with pytest.raises(
        SolutionMarkerError, match=r"cell 1 \(id 'branch'\): the template's code does not compile"
    ):
        generate(_write_source(tmp_path, cell))


def test_a_source_that_does_not_compile_is_reported(tmp_path: Path) -> None:
    cell = _cell("code", "def f(:\n    pass", "typo")
    with pytest.raises(AssignmentError, match=r"cell 1 \(id 'typo'\): the code does not compile: ") as info:
        generate(_write_source(tmp_path, cell))
    assert not isinstance(info.value, SolutionMarkerError)


def test_ipython_magics_are_allowed(tmp_path: Path) -> None:
    cell = _cell("code", "%matplotlib inline\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "magic")
    template, _ = generate(_write_source(tmp_path, cell))
    assert template.cells[1].source.startswith("%matplotlib inline\n# TODO")


@pytest.mark.parametrize(
    ("cells", "contract", "message"),
    [
        ((), False, "cell 0 must be the student-facing contract"),
        (
            (
                _cell("code", "A = 1", "p1", "parameters", LOCKED_TAG),
                _cell("code", "B = 1", "p2", "parameters"),
            ),
            True,
            "cells [1, 2] are all tagged 'parameters'",
        ),
        (
            (_cell("code", "A = 1", "p", "parameters"),),
            True,
            "cell 1 (the parameters cell) must also be tagged",
        ),
        ((_cell("code", "A = 1", "contract"),), True, "cells 0 and 1 share the id 'contract'"),
    ],
)
def test_layout_errors(tmp_path: Path, cells: tuple[NotebookNode, ...], contract: bool, message: str) -> None:
    with pytest.raises(AssignmentError) as info:
        generate(_write_source(tmp_path, *cells, contract=contract))
    assert message in str(info.value)
    assert str(tmp_path / "source.ipynb") in str(info.value)


def test_missing_and_unreadable_sources(tmp_path: Path) -> None:
    with pytest.raises(AssignmentError, match="no such source notebook"):
        generate(tmp_path / "nope.ipynb")
    bad = tmp_path / "bad.ipynb"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(AssignmentError, match=r"bad\.ipynb: not a valid Jupyter notebook"):
        generate(bad)


def test_cells_without_ids_are_rejected(tmp_path: Path) -> None:
    path = _write_source(tmp_path, _cell("code", "x = 1", "c1"))
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["nbformat_minor"] = 4
    for cell in raw["cells"]:
        del cell["id"]
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(AssignmentError, match=r"cell 0 has no id; save the notebook with nbformat 4\.5"):
        generate(path)


def test_the_source_cannot_overwrite_itself(tmp_path: Path) -> None:
    source = _write_source(tmp_path)
    target = tmp_path / "template.ipynb"
    shutil.copyfile(source, target)
    with pytest.raises(AssignmentError, match=r"cannot be named template\.ipynb"):
        write_assignment(target)


def test_the_template_carries_the_student_rubric_only_when_given(tmp_path: Path) -> None:
    source = _write_source(tmp_path, _cell("code", "x = 1", "c1"))
    template, _ = generate(source)
    assert "check_rubric" not in template.metadata.grader
    template, solution = generate(source, check_rubric="schema_version: 1\n")
    assert template.metadata.grader.check_rubric == solution.metadata.grader.check_rubric == "schema_version: 1\n"


def test_the_week11_template_says_how_to_run_the_check_in_its_first_cell() -> None:
    first = nbformat.read(TEMPLATE, as_version=4).cells[0].source
    assert "grader.check()" in first and "%grader_check" in first and "grader check" in first
