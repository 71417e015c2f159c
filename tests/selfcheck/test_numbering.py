"""One cell numbering everywhere: the student's (injected cells not counted), in failures and tracebacks."""

from __future__ import annotations

import nbformat

from grader.execute._state import RunState, student_numbers
from grader.execute.config import ExecutionConfig
from grader.prepare.notebook import inject_cells


def _prepared() -> nbformat.NotebookNode:
    cells = [
        nbformat.v4.new_markdown_cell("# contract"),
        nbformat.v4.new_code_cell("SEED = 0", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("def f():\n    return ANSWER['3.3']"),
        nbformat.v4.new_code_cell("f()"),
    ]
    nb = nbformat.v4.new_notebook(cells=cells)
    return inject_cells(nb, seed_source="# seed", parameters="SEED = 1", epilogue="# epilogue")


def test_injected_cells_are_not_counted() -> None:
    nb = _prepared()
    numbers = student_numbers(nb)
    student = [numbers[i] for i, c in enumerate(nb.cells) if "grader-" not in str(c.metadata.get("tags"))
               and "injected-parameters" not in str(c.metadata.get("tags"))]
    assert student == [0, 1, 2, 3]
    assert [c.source for c in nb.cells][5] == "f()" and numbers[5] == 3  # seed and parameters injected before it


def test_a_failure_and_its_traceback_use_the_students_numbers() -> None:
    nb = _prepared()
    state = RunState(ExecutionConfig(), numbers=student_numbers(nb))
    state.counts.update({3: 4, 4: 5})  # In[3] ran prepared cell 4 (the student's 2), In[4] cell 5 (their 3)
    traceback = ["Cell In[4], line 1", "----> 1 f()", "Cell In[3], line 2, in f()", "NameError: name 'ANSWER'"]
    state.errored(5, nb.cells[5], {"ename": "NameError", "evalue": "name 'ANSWER' is not defined",
                                   "traceback": traceback}, epilogue=False)
    failure = state.failure
    assert failure is not None and failure.cell_index == 3
    assert "cell 3, line 1" in failure.traceback_tail and "cell 2, line 2, in f()" in failure.traceback_tail
    assert "In[" not in failure.traceback_tail
    assert state.cell_errors == [3] and state.failures == [failure]
    assert state.verdict()[1] == "cell 3 raised NameError: name 'ANSWER' is not defined"
