"""Regenerate the Week 11 sample submissions and their manifest, deterministically.

    PYTHONPATH=. .venv/bin/python submissions/make_samples.py            # rewrite submissions/
    PYTHONPATH=. .venv/bin/python submissions/make_samples.py --out DIR  # write elsewhere

Every sample is derived from ``assignments/week11/solution.ipynb`` (what a student who solved everything
would hand in) or ``template.ipynb`` (what they downloaded), changed the way a real student would, and
named the way TAs download it from an LMS:

- Moodle: ``Full Name_12345_assignsubmission_file_/week11.ipynb`` (student id: the number after the name)
- Canvas: ``lastfirst_12345_67890_week11.ipynb``, ``lastfirst_LATE_12345_67890_week11.ipynb`` when late
  (student id: the first number)

``manifest.yaml`` lists, per sample, the expected submission status and the expected points per question
under ``rubrics/week11.yaml`` (``null`` = not asserted). Edits are exact-text replacements that must match
once, so a change to the source notebook that breaks a scenario fails here, loudly.
"""

from __future__ import annotations

import argparse
import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import yaml
from nbformat import NotebookNode

HERE = Path(__file__).resolve().parent
WEEK11 = HERE.parent / "assignments" / "week11"
MAX_POINTS: dict[str, int] = {"1.2": 2, "2.5": 5, "2.6": 5, "3.1": 2, "3.2": 2, "3.3": 2, "3.4": 2}
FULL: dict[str, int | None] = {**MAX_POINTS, "2.6": None}
ZERO: dict[str, int | None] = dict.fromkeys(MAX_POINTS, 0)


@dataclass(frozen=True)
class Sample:
    """One sample submission: who, how it is named, how it was made and what grading should give."""

    name: str
    student_id: str
    naming: str  # "moodle" or "canvas"
    scenario: str
    build: Callable[[NotebookNode, NotebookNode, str], NotebookNode]
    expected_status: str
    expected_points: dict[str, int | None]
    note: str
    late: bool = False
    canvas_submission: str = ""

    @property
    def path(self) -> str:
        """The file's path under ``submissions/``, in this sample's LMS naming scheme."""
        if self.naming == "moodle":
            return f"{self.name}_{self.student_id}_assignsubmission_file_/week11.ipynb"
        lastfirst = re.sub(r"[^a-z]", "", "".join(reversed(self.name.lower().split())))
        late = "_LATE" if self.late else ""
        return f"{lastfirst}{late}_{self.student_id}_{self.canvas_submission}_week11.ipynb"


# ---------------------------------------------------------------------------------------------- edits
def _cell(nb: NotebookNode, cell_id: str) -> NotebookNode:
    for cell in nb.cells:
        if cell.get("id") == cell_id:
            return cell
    raise KeyError(f"make_samples: no cell {cell_id!r} in the notebook; did the source notebook change?")


def _index(nb: NotebookNode, cell_id: str) -> int:
    return [c.get("id") for c in nb.cells].index(_cell(nb, cell_id).get("id"))


def replace(nb: NotebookNode, cell_id: str, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in cell ``cell_id`` by ``new``."""
    cell = _cell(nb, cell_id)
    count = cell.source.count(old)
    if count != 1:
        raise ValueError(f"make_samples: {old!r} occurs {count} times in cell {cell_id!r}; expected once")
    cell.source = cell.source.replace(old, new)


def insert_after(nb: NotebookNode, cell_id: str, cell: NotebookNode, new_id: str) -> None:
    """Insert ``cell`` (given the id ``new_id``) right after cell ``cell_id``."""
    cell.id = new_id
    nb.cells.insert(_index(nb, cell_id) + 1, cell)


def student_copy(template: NotebookNode, solution: NotebookNode, student: str) -> NotebookNode:
    """The template as a student who solved everything hands it in: solution cells, template metadata."""
    nb = copy.deepcopy(solution)
    nb.metadata = copy.deepcopy(template.metadata)
    return nb


def set_answer(nb: NotebookNode, question: str, old: str, new: str) -> None:
    """Change the value a solution cell assigns to ``ANSWERS[question]`` (``old`` and ``new`` as code)."""
    cell_id = {"1.2": "a1-answer"}.get(question, f"a3-{question[-1]}-answer")
    replace(nb, cell_id, f'ANSWERS["{question}"] = {old}', f'ANSWERS["{question}"] = {new}')


IGNORES_SEQUENCE = (
    "        return self.linear(self.dropout(torch.maximum(forward_strand, reverse_strand))).squeeze(-1)",
    "        h = torch.maximum(forward_strand, reverse_strand)\n"
    "        h = torch.ones_like(h)  # FIXME shapes did not match, fix later\n"
    "        return self.linear(self.dropout(h)).squeeze(-1)",
)


# ------------------------------------------------------------------------------------------ scenarios
def full_marks(template: NotebookNode, solution: NotebookNode, student: str) -> NotebookNode:
    return student_copy(template, solution, student)


def wrong_pen_and_paper(template: NotebookNode, solution: NotebookNode, student: str) -> NotebookNode:
    nb = student_copy(template, solution, student)
    set_answer(nb, "3.1", '"Incorrect"', '"Correct"')
    set_answer(nb, "3.3", "0", "0.5")
    set_answer(nb, "3.4", "42", "84")
    return nb


def messy_formats(template: NotebookNode, solution: NotebookNode, student: str) -> NotebookNode:
    nb = student_copy(template, solution, student)
    set_answer(nb, "1.2", '"Batch Norm"', '"BN"')
    set_answer(nb, "3.1", '"Incorrect"', '"incorrect "')
    replace(nb, "a3-2-answer", 'ANSWERS["3.2"] = "Incorrect"', "# 3.2: ticked in the box below")
    box = nbformat.v4.new_markdown_cell("**3.2** (tick one)\n\n- [ ] Correct\n- [x] Incorrect")
    box.metadata["tags"] = ["answer:3.2"]
    insert_after(nb, "a3-2-answer", box, "student-3-2-box")
    set_answer(nb, "3.3", "0", '"x_1 = 0"')
    set_answer(nb, "3.4", "42", '"42."')
    return nb


def typed_formats(template: NotebookNode, solution: NotebookNode, student: str) -> NotebookNode:
    nb = student_copy(template, solution, student)
    set_answer(nb, "1.2", '"Batch Norm"', '"batchnorm"')
    set_answer(nb, "3.1", '"Incorrect"', "False  # the statement is false")
    set_answer(nb, "3.2", '"Incorrect"', '"[x] Incorrect"')
    set_answer(nb, "3.3", "0", "0.0")
    set_answer(nb, "3.4", "42", '"42"')
    return nb


def cnn_ignores_sequence(template: NotebookNode, solution: NotebookNode, student: str) -> NotebookNode:
    nb = student_copy(template, solution, student)
    replace(nb, "a2-cnn", *IGNORES_SEQUENCE)
    return nb


def untrained_tiny_kernel(template: NotebookNode, solution: NotebookNode, student: str) -> NotebookNode:
    nb = student_copy(template, solution, student)
    replace(nb, "a2-sweep", "KERNEL_SIZES = (5, 9, 15)", "KERNEL_SIZES = (1,)")
    replace(
        nb,
        "a2-sweep",
        "sweep = {k: cross_validate(lambda k=k: EnhancerCNN(kernel_size=k), X_SEQ, Y_SEQ) for k in KERNEL_SIZES}",
        "sweep = {}\n"
        "for k in KERNEL_SIZES:  # my own loop: cross_validate was too slow on my laptop\n"
        "    result = CVResult()\n"
        "    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)\n"
        "    for train_idx, val_idx in folds.split(np.zeros(len(Y_SEQ)), Y_SEQ.numpy()):\n"
        "        net = EnhancerCNN(kernel_size=k)\n"
        "        scores, labels = predict(net, X_SEQ[val_idx]), Y_SEQ[val_idx].numpy()\n"
        "        result.roc_auc.append(float(roc_auc_score(labels, scores)))\n"
        "        result.pr_auc.append(float(average_precision_score(labels, scores)))\n"
        "        result.models.append(net.cpu())\n"
        "    sweep[k] = result",
    )
    return nb


def answer_contradicts_gradients(template: NotebookNode, solution: NotebookNode, student: str) -> NotebookNode:
    nb = student_copy(template, solution, student)
    set_answer(nb, "1.2", '"Batch Norm"', '"ReLU"')
    return nb


def gradients_missing(template: NotebookNode, solution: NotebookNode, student: str) -> NotebookNode:
    nb = student_copy(template, solution, student)
    replace(
        nb,
        "a1-gradients",
        "GRADIENTS, GRADIENT_ZERO_FRACTIONS = gradients, zero_fractions",
        "grads, zeros = gradients, zero_fractions",
    )
    replace(nb, "a1-plot", "for method, magnitudes in GRADIENTS.items():\n    ax.", "for method, magnitudes in grads.items():\n    ax.")
    replace(
        nb,
        "a1-plot",
        "for method, magnitudes in GRADIENTS.items():\n    g = ",
        "for method, magnitudes in grads.items():\n    g = ",
    )
    replace(nb, "a1-plot", "max(GRADIENT_ZERO_FRACTIONS[method])", "max(zeros[method])")
    return nb


def exception_in_assignment2(template: NotebookNode, solution: NotebookNode, student: str) -> NotebookNode:
    nb = student_copy(template, solution, student)
    replace(nb, "a2-sweep", "X_SEQ, Y_SEQ) for k in", "X_SEQ, Y_SEQ, seeds=SEED) for k in")
    return nb


def endless_loop(template: NotebookNode, solution: NotebookNode, student: str) -> NotebookNode:
    nb = student_copy(template, solution, student)
    loop = nbformat.v4.new_code_cell("# wait until the plot above has rendered\nwhile True:\n    pass")
    insert_after(nb, "a1-plot", loop, "student-wait")
    return nb


def forged_outputs(template: NotebookNode, solution: NotebookNode, student: str) -> NotebookNode:
    nb = cnn_ignores_sequence(template, solution, student)
    claims = {
        "setup": "torch 2.13.0+cpu, lightning 2.6.6; device cpu, 8 CPU threads; profile quick\n",
        "a2-sweep": "kernel size  5: mean ROC-AUC 0.951\nkernel size  9: mean ROC-AUC 0.990\n"
        "kernel size 15: mean ROC-AUC 0.972\n",
        "a2-results": "ROC-AUC: 0.990 ± 0.004 over 5 folds\nPR-AUC: 0.987 ± 0.005\n",
    }
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        count += 1
        cell.execution_count = count
        if cell.get("id") in claims:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=claims[cell.id])]
    return nb


def tampered_locked_cell(template: NotebookNode, solution: NotebookNode, student: str) -> NotebookNode:
    nb = student_copy(template, solution, student)
    replace(
        nb,
        "a2-cv",
        "result.roc_auc.append(float(roc_auc_score(labels, scores)))",
        "result.roc_auc.append(max(0.99, float(roc_auc_score(labels, scores))))",
    )
    return nb


def empty_template(template: NotebookNode, solution: NotebookNode, student: str) -> NotebookNode:
    return copy.deepcopy(template)


def optional_part_skipped(template: NotebookNode, solution: NotebookNode, student: str) -> NotebookNode:
    nb = student_copy(template, solution, student)
    for cell_id in ("a2-motifs", "a2-motifs-answer"):  # the optional 2.6 cells left as handed out
        _cell(nb, cell_id).source = _cell(template, cell_id).source
    return nb


def only_chosen_gradient(template: NotebookNode, solution: NotebookNode, student: str) -> NotebookNode:
    nb = student_copy(template, solution, student)
    replace(
        nb,
        "a1-gradients",
        "GRADIENTS, GRADIENT_ZERO_FRACTIONS = gradients, zero_fractions",
        'GRADIENTS = {"batch_norm": gradients["batch_norm"]}  # only the method I chose\n'
        'GRADIENT_ZERO_FRACTIONS = {"batch_norm": zero_fractions["batch_norm"]}',
    )
    return nb


def inline_ticked_box(template: NotebookNode, solution: NotebookNode, student: str) -> NotebookNode:
    nb = student_copy(template, solution, student)
    for question, boxes in (("3.1", "Correct: [ ]\nIncorrect: [X]"), ("3.2", "Correct: [ ]      Incorrect: [x]")):
        replace(nb, f"a3-{question[-1]}-answer", f'ANSWERS["{question}"] = "Incorrect"', f"# {question}: ticked below")
        cell = nbformat.v4.new_markdown_cell(f"**{question}** (as on the exercise sheet)\n\n{boxes}")
        cell.metadata["tags"] = [f"answer:{question}"]
        insert_after(nb, f"a3-{question[-1]}-answer", cell, f"student-{question[-1]}-boxes")
    return nb


def huge_logits(template: NotebookNode, solution: NotebookNode, student: str) -> NotebookNode:
    nb = student_copy(template, solution, student)
    replace(
        nb,
        "a2-results",
        "FOLD_MODELS = best.models\n",
        "FOLD_MODELS = best.models\n"
        "with torch.no_grad():  # sharper outputs: logits x 100\n"
        "    for m in FOLD_MODELS:\n"
        "        m.linear.weight.mul_(100)\n"
        "        m.linear.bias.mul_(100)\n",
    )
    return nb


SAMPLES: tuple[Sample, ...] = (
    Sample("Ada Lovelace", "10001", "moodle", "full_marks", full_marks, "graded", FULL,
           "the instructor's solution as handed in; 2.6 depends on motif matching"),
    Sample("Grace Hopper", "20002", "canvas", "wrong_pen_and_paper", wrong_pen_and_paper, "graded",
           {**FULL, "3.1": 0, "3.3": 0, "3.4": 0},
           "3.1 = 'Correct', 3.3 = 0.5, 3.4 = 84 (took w21); 3.2 right",
           canvas_submission="900021"),
    Sample("José Núñez", "10003", "moodle", "messy_formats", messy_formats, "graded", FULL,
           "'BN', 'incorrect ', 3.2 only as a ticked box '- [x] Incorrect' in a cell tagged answer:3.2, "
           "'x_1 = 0', '42.': all valid spellings"),
    Sample("Alan Turing", "20004", "canvas", "typed_formats", typed_formats, "graded", FULL,
           "'batchnorm', False, '[x] Incorrect', 0.0, '42': all valid spellings",
           canvas_submission="900043"),
    Sample("Rosalind Franklin", "10005", "moodle", "cnn_ignores_sequence", cnn_ignores_sequence, "graded",
           {**FULL, "2.5": 0, "2.6": None},
           "forward() replaces the conv features by ones: constant scores, ROC-AUC 0.5 in CV and on hidden data"),
    Sample("Barbara McClintock", "20006", "canvas", "untrained_tiny_kernel", untrained_tiny_kernel, "graded",
           {**FULL, "2.5": 0, "2.6": 0},
           "kernel size 1 and the student's own CV loop never trains: ROC-AUC about 0.5; 1-column kernels "
           "cannot show a motif, so 2.6 earns nothing (they 'matched' JASPAR at 0.99 before that check)",
           canvas_submission="900065"),
    Sample("Carl Woese", "10007", "moodle", "answer_contradicts_gradients", answer_contradicts_gradients,
           "graded", {**FULL, "1.2": 0},
           "1.2 = 'ReLU' although their own GRADIENTS show ReLU with exact zeros and 7 decades spanned"),
    Sample("Lynn Margulis", "20008", "canvas", "gradients_missing", gradients_missing, "graded",
           {**FULL, "1.2": 0},
           "gradients kept in a local 'grads', GRADIENTS never set: 'Batch Norm' matches the key but is "
           "unsupported by notebook results, so no points (sheet footnote 1)",
           canvas_submission="900087"),
    Sample("Frederick Sanger", "10009", "moodle", "exception_in_assignment2", exception_in_assignment2,
           "cell_error", {**FULL, "2.5": 0, "2.6": 0},
           "TypeError in the kernel-size sweep (unexpected keyword 'seeds'); KERNEL_SWEEP, CV_RESULTS and "
           "FOLD_MODELS are never set; 1.2 and Assignment 3 still count"),
    Sample("Dorothy Hodgkin", "20010", "canvas", "endless_loop", endless_loop, "timeout", {**FULL, "2.6": None},
           "a 'while True: pass' cell after the gradient plot; the grader interrupts it at the cell timeout "
           "(status timeout, reason names the cell) and the remaining cells still run, as after a cell error",
           canvas_submission="900109"),
    Sample("Kary Mullis", "10011", "moodle", "forged_outputs", forged_outputs, "graded",
           {**FULL, "2.5": 0, "2.6": None},
           "saved outputs edited to claim 'ROC-AUC: 0.990'; the code ignores the sequence (re-run gives 0.5); "
           "integrity report should flag cells a2-sweep and a2-results"),
    Sample("Rita Levi-Montalcini", "20012", "canvas", "tampered_locked_cell", tampered_locked_cell, "graded",
           {**FULL, "2.6": None},
           "edited the locked cell a2-cv to report max(0.99, ROC-AUC); verify_locked flags it, and grading "
           "with --template runs the template's cell instead (as nbgrader restores locked cells), so 2.5 "
           "earns its 5 points on the real CV",
           canvas_submission="900121"),
    Sample("Gregor Mendel", "10013", "moodle", "empty_template", empty_template, "cell_error", ZERO,
           "the untouched template: NotImplementedError stubs, every ANSWERS entry None (not answered)"),
    Sample("Emmanuelle Charpentier", "20014", "canvas", "late_full_marks", full_marks, "graded", FULL,
           "the solution, downloaded with Canvas's _LATE_ marker; the id is still the first number. "
           "Any late penalty comes from the rubric, not from the file name",
           late=True, canvas_submission="900143"),
    Sample("Tu Youyou", "20018", "canvas", "optional_part_skipped", optional_part_skipped, "cell_error",
           {**FULL, "2.6": 0},
           "the optional 2.6 cell left as handed out (raise NotImplementedError): a well-trained CNN earns no "
           "extra points without the student's own logos below ### 2.6; everything else counts",
           canvas_submission="900187"),
    Sample("Santiago Ramón y Cajal", "10015", "moodle", "only_chosen_gradient", only_chosen_gradient, "graded",
           {**FULL, "1.2": 0},
           "GRADIENTS holds only batch_norm, the chosen method: 'Batch Norm' matches the key, but an answer is "
           "judged against the baseline and all four options, so the evidence is invalid and 1.2 earns nothing"),
    Sample("Ruth Sager", "20016", "canvas", "inline_ticked_box", inline_ticked_box, "graded", FULL,
           "3.1 and 3.2 answered only in the sheet's own layout, in Markdown cells tagged answer:3.1 and "
           "answer:3.2: 'Correct: [ ]' / 'Incorrect: [X]' on two lines and 'Correct: [ ]  Incorrect: [x]' on one",
           canvas_submission="900165"),
    Sample("Har Gobind Khorana", "10017", "moodle", "huge_logits", huge_logits, "graded", FULL,
           "the trained fold models' logits multiplied by 100 after training: any monotone output ranks the "
           "hidden sequences the same, so the measured ROC-AUC equals the full-marks sample's"),
)


# ------------------------------------------------------------------------------------------- output
def build(sample: Sample, template: NotebookNode, solution: NotebookNode) -> NotebookNode:
    """The sample's notebook, signed with the student's name unless it is the untouched template."""
    nb = sample.build(template, solution, sample.name)
    if sample.scenario != "empty_template":  # students fill in the names table
        matriculation = f"5{int(sample.student_id) * 7919 % 100000:05d}"
        replace(nb, "title", "| student 1 | | |", f"| student 1 | {sample.name} | {matriculation} |")
    nbformat.validate(nb)
    return nb


def manifest() -> dict[str, Any]:
    """The manifest as plain data (what ``manifest.yaml`` holds)."""
    return {
        "schema_version": 1,
        "assignment": "week11",
        "rubric": "rubrics/week11.yaml",
        "template": "assignments/week11/template.ipynb",
        "profile": "demo",  # what make demo and tests/test_samples.py run; the outcomes hold in quick too
        "max_points": MAX_POINTS,
        "extra_credit": ["2.6"],
        "regenerate": "PYTHONPATH=. .venv/bin/python submissions/make_samples.py",
        "assumes": (
            "training data on which the solution's CNN clears the 0.75 hidden ROC-AUC bar in the demo and quick "
            "profiles (demo, on the rubric's synthetic data: 0.80-0.85 over three hidden draws; quick: 0.89-0.90 "
            "on the real data, the planted-motif test fixture and synthetic data with "
            "own_rate 2.5 / cross_rate 0.2); with SyntheticConfig's defaults (own_rate 1.2, cross_rate 0.4) "
            "even an oracle that knows the planted sites reaches only 0.78 on hidden, so 2.5 fails everywhere"
        ),
        "submissions": [
            {
                "path": s.path,
                "naming": s.naming,
                "student_id": s.student_id,
                "student_name": s.name,
                "scenario": s.scenario,
                "expected_status": s.expected_status,
                "expected_points": dict(s.expected_points),
                "note": s.note,
            }
            for s in SAMPLES
        ],
    }


def render_manifest() -> str:
    header = "# Sample submissions for Week 11 and what grading them should give. Generated by make_samples.py.\n"
    return header + yaml.safe_dump(manifest(), sort_keys=False, allow_unicode=True, width=110)


def write(out_dir: Path) -> list[Path]:
    """Write every sample and ``manifest.yaml`` under ``out_dir``; return the notebook paths."""
    template = nbformat.read(WEEK11 / "template.ipynb", as_version=4)
    solution = nbformat.read(WEEK11 / "solution.ipynb", as_version=4)
    paths: list[Path] = []
    for sample in SAMPLES:
        path = out_dir / sample.path
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(build(sample, template, solution), path)
        paths.append(path)
    (out_dir / "manifest.yaml").write_text(render_manifest(), encoding="utf-8")
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into (default: submissions/)")
    args = parser.parse_args()
    for path in write(args.out):
        print(path.relative_to(args.out))


if __name__ == "__main__":
    main()
