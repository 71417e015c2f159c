"""Stored output caps and stream coalescing, without a kernel."""

from __future__ import annotations

import time

from nbformat import NotebookNode

from grader.execute._client import TRUNCATION_MARKER, OutputBudget, coalesce_streams, output_size


def _stream(text: str, name: str = "stdout") -> NotebookNode:
    return NotebookNode(output_type="stream", name=name, text=text)


def test_output_within_the_budget_is_kept_whole() -> None:
    budget = OutputBudget(cell_bytes=100, notebook_bytes=1000)
    out = _stream("x" * 100)
    assert budget.admit(out, 0) == [out] and not budget.truncated


def test_cell_cap_cuts_the_stream_and_marks_once() -> None:
    budget = OutputBudget(cell_bytes=100, notebook_bytes=1000)
    first = budget.admit(_stream("a" * 150), 0)
    second = budget.admit(_stream("b" * 10), 0)
    assert first[0].text == "a" * 100 and TRUNCATION_MARKER in first[1].text
    assert "this cell's output exceeded" in first[1].text
    assert second == [] and budget.truncated
    assert budget.admit(_stream("c"), 1)[0].text == "c"  # the next cell has its own budget


def test_notebook_cap_applies_across_cells() -> None:
    budget = OutputBudget(cell_bytes=100, notebook_bytes=150)
    budget.admit(_stream("a" * 100), 0)
    kept = budget.admit(_stream("b" * 100), 1)
    assert kept[0].text == "b" * 50 and "the notebook's output exceeded" in kept[1].text


def test_images_over_the_budget_are_dropped_but_display_slots_kept() -> None:
    budget = OutputBudget(cell_bytes=10, notebook_bytes=1000)
    image = NotebookNode(output_type="display_data", data={"image/png": "x" * 50}, metadata={})
    assert output_size(image) == 50
    assert budget.admit(image, 0)[0].output_type == "stream"
    slot = budget.admit(image, 0, keep_slot=True)
    assert slot[0].output_type == "display_data" and slot[0].data == {}


def test_error_outputs_are_kept_with_a_short_traceback() -> None:
    budget = OutputBudget(cell_bytes=1, notebook_bytes=1)
    error = NotebookNode(
        output_type="error", ename="E", evalue="v", traceback=[f"line {i}" for i in range(500)]
    )
    kept = budget.admit(error, 0)
    assert kept == [error] and len(error.traceback) == 60 and error.traceback[-1] == "line 499"


def test_multibyte_text_is_cut_on_a_character_boundary() -> None:
    budget = OutputBudget(cell_bytes=5, notebook_bytes=100)
    assert budget.admit(_stream("ééé"), 0)[0].text == "éé"


def test_coalescing_merges_neighbours_and_applies_carriage_returns() -> None:
    outputs = [_stream("10%\r"), _stream("50%\r100%\ndone\n"), _stream("warn\n", "stderr"), _stream("more\n")]
    merged = coalesce_streams(outputs)
    assert [(o.name, o.text) for o in merged] == [
        ("stdout", "100%\ndone\n"),
        ("stderr", "warn\n"),
        ("stdout", "more\n"),
    ]


def test_coalescing_a_long_line_takes_linear_time() -> None:
    started = time.monotonic()
    merged = coalesce_streams([_stream("x" * 2_000_000), _stream("y\r" * 100_000 + "z")])
    assert time.monotonic() - started < 2
    assert merged[0].text == "z"
