"""Answer cells in every layout docs/rubric-format.md accepts, read end to end: collected from the
Markdown cell, read by the rubric's choice parser, scored by rubrics/week11.yaml. A tagged cell that gives
no readable answer says so instead of "no answer was given"."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat import NotebookNode

from grader.collect.notebook import markdown_answers, merge_answers
from grader.records.collected import Item, ItemStatus
from grader.records.result import QuestionStatus
from grader.rubric import ChoiceCriterion, Rubric, Unreadable, load_rubric, read_choice
from grader.score import score_submission
from tests.score._records import CORRECT_ANSWERS, ran, week11_correct

WEEK11 = Path(__file__).resolve().parents[2] / "rubrics" / "week11.yaml"


@pytest.fixture(scope="module")
def week11() -> Rubric:
    return load_rubric(WEEK11)


def _notebook(*cells: tuple[str, str]) -> NotebookNode:
    nb = nbformat.v4.new_notebook()
    for text, tag in cells:
        cell = nbformat.v4.new_markdown_cell(text)
        cell.metadata["tags"] = [tag]
        nb.cells.append(cell)
    return nb


def _option(week11: Rubric, value: object) -> str | Unreadable:
    criterion = week11.question("3.2").criterion("key")
    assert isinstance(criterion, ChoiceCriterion)
    assert isinstance(value, str)
    return read_choice(value, criterion.table)


LAYOUTS = [
    ("Correct: [ ]  Incorrect: [x]", "incorrect"),  # the sheet's own layout, on one line
    ("Correct: [x]      Incorrect: [ ]", "correct"),
    ("Correct: [ ]\nIncorrect: [X]", "incorrect"),  # labels before boxes, one per line
    ("- [ ] Correct\n- [x] Incorrect", "incorrect"),  # a box first on its line
    ("* [ ] Correct\n* [ x ] Incorrect", "incorrect"),
    ("+ [✓] Correct\n+ [ ] Incorrect", "correct"),
    ("1. [ ] Correct\n2. [✔] Incorrect", "incorrect"),
    ("[×] Incorrect", "incorrect"),
    ("Tick one:\n\n[ ] Correct  [x] Incorrect", "incorrect"),
]


@pytest.mark.parametrize(("text", "option"), LAYOUTS, ids=[t for t, _ in LAYOUTS])
def test_every_accepted_layout_is_collected_and_read(week11: Rubric, text: str, option: str) -> None:
    found = markdown_answers(_notebook((text, "answer:3.2")))
    assert found["3.2"].status is ItemStatus.OK, found["3.2"].reason
    assert _option(week11, found["3.2"].value) == option


def test_inline_ticked_box_scores_like_the_answers_dict(week11: Rubric) -> None:
    """The sheet's layout in a tagged cell, and no ANSWERS["3.2"]: full marks, not "no answer"."""
    ticked = markdown_answers(_notebook(("**3.2** Correct: [ ]  Incorrect: [x]", "answer:3.2")))
    answers = {qid: v for qid, v in CORRECT_ANSWERS.items() if qid != "3.2"}
    evidence = week11_correct(answer_values=answers)
    collected = evidence.collected.model_copy(
        update={"answers": merge_answers(evidence.collected.answers, ticked)}
    )
    result = score_submission(
        week11, evidence.model_copy(update={"collected": collected}), ran(), student_id="s", source="s"
    )
    q = result.question("3.2")
    assert (q.points, q.status) == (2, QuestionStatus.PASSED), q.reason


UNREADABLE = [
    (
        "Correct: [v]  Incorrect: [ ]",
        ItemStatus.INVALID,
        "answer cell for 3.2 could not be read: '[v]' is not a ticked box",
    ),
    (
        "Incorrect, because rotating the input rotates nothing",
        ItemStatus.INVALID,
        "could not be read: it has no box to tick",
    ),
    ("Correct: [x]  Incorrect: [x]", ItemStatus.INVALID, "could not be read: 2 boxes are ticked"),
    ("- [ ] Correct\n- [ ] Incorrect", ItemStatus.MISSING, "the answer cell for 3.2 has no ticked box"),
]


@pytest.mark.parametrize(("text", "status", "reason"), UNREADABLE, ids=[t for t, *_ in UNREADABLE])
def test_an_unreadable_answer_cell_says_why(
    week11: Rubric, text: str, status: ItemStatus, reason: str
) -> None:
    found = markdown_answers(_notebook((text, "answer:3.2")))
    assert found["3.2"].status is status and reason in found["3.2"].reason
    evidence = week11_correct(answer_values={qid: v for qid, v in CORRECT_ANSWERS.items() if qid != "3.2"})
    collected = evidence.collected.model_copy(
        update={"answers": merge_answers(evidence.collected.answers, found)}
    )
    q = score_submission(
        week11, evidence.model_copy(update={"collected": collected}), ran(), student_id="s", source="s"
    ).question("3.2")
    assert q.points == 0 and reason in q.reason and "no answer to 3.2 was given" not in q.reason


def test_two_cells_tagged_for_one_question_are_read_together() -> None:
    found = markdown_answers(_notebook(("Correct: [x]", "answer:3.1"), ("Incorrect: [x]", "answer:3.1")))
    assert found["3.1"].status is ItemStatus.INVALID and "2 boxes are ticked" in found["3.1"].reason


def test_answers_dict_still_wins_over_an_unreadable_cell() -> None:
    ticked = markdown_answers(_notebook(("Correct: [?]", "answer:3.2")))
    assert merge_answers({"3.2": Item.ok("Incorrect")}, ticked)["3.2"].value == "Incorrect"
