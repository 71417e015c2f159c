"""Solution regions inside one cell: stubs in the template, markers gone from the solution, clear errors."""

from __future__ import annotations

import pytest

from grader.assign import SolutionMarkerError
from grader.assign._markers import MARKDOWN_PLACEHOLDER, split_cell

WHERE = "src.ipynb: cell 3 (id 'x')"


def test_code_region_becomes_a_raising_stub_at_the_marker_indent() -> None:
    source = (
        "def f(x):\n"
        '    """Doc."""\n'
        "    ### BEGIN SOLUTION square x\n"
        "    y = x * x\n"
        "    return y\n"
        "    ### END SOLUTION\n"
    )
    template, solution = split_cell(source, "code", WHERE)
    assert template == 'def f(x):\n    """Doc."""\n    # TODO: square x\n    raise NotImplementedError\n'
    assert solution == 'def f(x):\n    """Doc."""\n    y = x * x\n    return y\n'


def test_code_region_without_hint_gets_a_generic_todo() -> None:
    template, _ = split_cell("### BEGIN SOLUTION\nz = 1\n### END SOLUTION", "code", WHERE)
    assert template == "# TODO: your code here\nraise NotImplementedError"


def test_answer_region_becomes_none_entries_with_the_original_key_spelling() -> None:
    source = '### BEGIN SOLUTION "Correct" or "Incorrect"\nANSWERS["3.1"] = "Incorrect"\nANSWERS[\'3.2\'] = 0\n### END SOLUTION'
    template, solution = split_cell(source, "code", WHERE)
    assert template.splitlines() == [
        'ANSWERS["3.1"] = None  # TODO: "Correct" or "Incorrect"',
        'ANSWERS[\'3.2\'] = None  # TODO: "Correct" or "Incorrect"',
    ]
    assert solution == 'ANSWERS["3.1"] = "Incorrect"\nANSWERS[\'3.2\'] = 0'


def test_a_region_mixing_answers_and_code_raises_instead() -> None:
    source = "### BEGIN SOLUTION\nx = 2\nANSWERS['3.3'] = x\n### END SOLUTION"
    template, _ = split_cell(source, "code", WHERE)
    assert template.endswith("raise NotImplementedError")


def test_several_regions_in_one_cell() -> None:
    source = "a = 1\n### BEGIN SOLUTION\nb = 2\n### END SOLUTION\nc = 3\n### BEGIN SOLUTION\nd = 4\n### END SOLUTION"
    template, solution = split_cell(source, "code", WHERE)
    assert template.count("raise NotImplementedError") == 2
    assert solution == "a = 1\nb = 2\nc = 3\nd = 4"


def test_markdown_region_becomes_a_placeholder() -> None:
    source = "**Why:**\n<!-- BEGIN SOLUTION -->\nBecause.\nReally.\n<!-- END SOLUTION -->\nEnd."
    template, solution = split_cell(source, "markdown", WHERE)
    assert template == f"**Why:**\n{MARKDOWN_PLACEHOLDER}\nEnd."
    assert solution == "**Why:**\nBecause.\nReally.\nEnd."


def test_cell_without_regions_is_returned_unchanged() -> None:
    assert split_cell("x = 1\n", "code", WHERE) == ("x = 1\n", "x = 1\n")
    assert split_cell("# Title", "markdown", WHERE) == ("# Title", "# Title")


@pytest.mark.parametrize(
    ("source", "cell_type", "message"),
    [
        ("x = 1\n### END SOLUTION", "code", "line 2: END SOLUTION without a BEGIN SOLUTION"),
        ("### BEGIN SOLUTION\nx = 1", "code", "line 1: BEGIN SOLUTION is never closed"),
        (
            "### BEGIN SOLUTION\n### BEGIN SOLUTION\nx\n### END SOLUTION\n### END SOLUTION",
            "code",
            "line 2: BEGIN SOLUTION inside the region opened at line 1",
        ),
        (
            "# BEGIN SOLUTION\nx = 1\n# END SOLUTION",
            "code",
            "line 1: '# BEGIN SOLUTION' looks like a solution marker",
        ),
        ("### BEGIN SOLUTIONS\nx = 1\n### END SOLUTION", "code", "line 1: '### BEGIN SOLUTIONS' looks like"),
        (
            "### BEGIN SOLUTION\nx = 1\n### END SOLUTION here",
            "code",
            "line 3: '### END SOLUTION here' looks like",
        ),
        ("### BEGIN SOLUTION\ntext\n### END SOLUTION", "markdown", "<!-- BEGIN SOLUTION -->"),
        ("<!-- BEGIN SOLUTION -->\nx = 1\n<!-- END SOLUTION -->", "code", "'### BEGIN SOLUTION'"),
        ("<!-- BEGIN SOLUTION -->\ntext", "markdown", "line 1: BEGIN SOLUTION is never closed"),
        ("BEGIN SOLUTION", "raw", "line 1"),
    ],
)
def test_malformed_markers_name_the_cell_and_line(source: str, cell_type: str, message: str) -> None:
    with pytest.raises(SolutionMarkerError) as info:
        split_cell(source, cell_type, WHERE)
    assert str(info.value).startswith(WHERE)
    assert message in str(info.value)
