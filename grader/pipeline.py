"""Grade one notebook: prepare -> execute (sandbox) -> collect -> evaluate -> score.

Each step is a small function; only ``execute`` runs student code, and it runs it in the sandbox.
Scoring happens here, in the grader process, on validated data.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from nbformat import NotebookNode

from grader._version import __version__
from grader.collect.epilogue import epilogue_source
from grader.collect.notebook import figures, markdown_answers, merge_answers
from grader.collect.parse import nothing_collected, parse_record, read_record_file
from grader.execute import ExecutionConfig, detect_devices, device_for_slot, run_notebook, seed_cell_source
from grader.execute.rundirs import run_dir
from grader.integrity.notebook import integrity_report
from grader.packs import AssignmentData, AssignmentPack, HiddenData
from grader.prepare.notebook import (
    NotebookReadFailure,
    inject_cells,
    parameters_source,
    read_notebook,
    strip_outputs,
    write_notebook,
)
from grader.records.adjust import Lateness
from grader.records.collected import CollectedRecord
from grader.records.contract import RECORD_FILE
from grader.records.evidence import Evidence
from grader.records.execution import ExecStatus, ExecutionRecord
from grader.records.graded import GradedSubmission, IntegrityReport
from grader.rubric import Rubric
from grader.score import score_submission, self_check

__all__ = ["GradeOptions", "grade_notebook"]


@dataclass(frozen=True)
class GradeOptions:
    """How to run one notebook. ``profile`` names one of the rubric's training profiles (``Rubric.profile``)."""

    profile: str = "full"
    seed: int = 0
    slot: int = 0
    sandbox: str | None = None
    work_root: Path | None = None
    template: NotebookNode | None = None
    self_check: bool = False
    """Score only the rubric's public criteria (the student self-check); hidden ones are deferred."""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _device(config: ExecutionConfig, slot: int) -> str:
    if not config.use_gpu:
        return "cpu"
    return "cpu" if device_for_slot(slot, detect_devices()) is None else "cuda"


def _parameters(
    rubric: Rubric, data: AssignmentData, staged: Mapping[str, str], options: GradeOptions, device: str
) -> str:
    profile = rubric.profile(options.profile)
    params: dict[str, Any] = dict(staged)
    params.update(SEED=options.seed, DEVICE=device, PROFILE=options.profile)
    if profile.max_epochs is not None:
        params["MAX_EPOCHS"] = profile.max_epochs
    params.update(N_PER_CLASS=profile.n_per_class, FOLDS=profile.folds)
    params.update(data.parameters(profile))
    return parameters_source(params)


def _prepare(nb: NotebookNode, parameters: str, options: GradeOptions, pack: AssignmentPack) -> NotebookNode:
    return inject_cells(
        strip_outputs(nb),
        seed_source=seed_cell_source(options.seed),
        parameters=parameters,
        epilogue=epilogue_source(pack),
    )


def _execution_config(rubric: Rubric, options: GradeOptions) -> ExecutionConfig:
    """The rubric's limits, with the profile's timeouts and the caller's sandbox mode on top."""
    profile = rubric.profile(options.profile)
    update: dict[str, Any] = {
        key: value
        for key in ("cell_timeout_s", "notebook_timeout_s")
        if (value := getattr(profile, key)) is not None
    }
    if options.sandbox is not None:
        update["sandbox"] = options.sandbox
    return ExecutionConfig.model_validate({**rubric.execution.model_dump(exclude_unset=True), **update})


def _collect(
    workdir: Path, executed: NotebookNode, record: ExecutionRecord, n_hidden: int, pack: AssignmentPack
) -> CollectedRecord:
    if not record.epilogue_ran:
        return nothing_collected(f"nothing was collected: {record.reason or record.status.value}", pack.items)
    data, why = read_record_file(workdir / RECORD_FILE)
    if data is None:
        return nothing_collected(why, pack.items)
    parsed = parse_record(data, pack.items, figures=figures(executed), n_hidden=n_hidden)
    answers = merge_answers(parsed.answers, markdown_answers(executed))
    return parsed.model_copy(update={"answers": answers})


def _evidence(collected: CollectedRecord, hidden: HiddenData, pack: AssignmentPack, *, self_check: bool) -> Evidence:
    """The pack's measurements; the self-check skips the grading-only ones (Week 11: the JASPAR matching)."""
    labels = hidden.labels
    measured = {e.name: e(collected, labels, self_check=self_check) for e in pack.evaluators}
    return Evidence.model_validate({"collected": collected, "measurements": measured})


def _invalid(path: Path, failure: NotebookReadFailure) -> tuple[ExecutionRecord, Evidence, IntegrityReport]:
    record = ExecutionRecord(status=ExecStatus.INVALID, reason=failure.reason)
    return record, Evidence(), IntegrityReport()


def _run(
    nb: NotebookNode,
    rubric: Rubric,
    data: AssignmentData,
    hidden: HiddenData,
    options: GradeOptions,
    executed_path: Path | None,
) -> tuple[ExecutionRecord, Evidence, IntegrityReport]:
    workdir = run_dir("work", options.work_root)
    try:
        workdir.chmod(0o755)
        runnable = nb
        if options.template is not None:
            from grader.assign import restore_locked

            runnable = restore_locked(nb, options.template)  # provided code runs as provided; edits flagged
        staged = data.stage(workdir)
        config = _execution_config(rubric, options)
        parameters = _parameters(rubric, data, staged, options, _device(config, options.slot))
        pack = rubric.pack()
        executed, record = run_notebook(
            _prepare(runnable, parameters, options, pack),
            workdir=workdir,
            config=config,
            slot=options.slot,
            before_epilogue=hidden.write,
        )
        if executed_path is not None:
            executed_path.parent.mkdir(parents=True, exist_ok=True)
            write_notebook(executed, executed_path)
            record = record.model_copy(update={"executed_notebook": executed_path.name})
        collected = _collect(workdir, executed, record, len(hidden.labels), pack)
        evidence = _evidence(collected, hidden, pack, self_check=options.self_check)
        return record, evidence, integrity_report(nb, executed, options.template)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def grade_notebook(
    path: Path,
    rubric: Rubric,
    data: AssignmentData,
    *,
    student_id: str,
    options: GradeOptions = GradeOptions(),
    executed_dir: Path | None = None,
    late_days: float = 0.0,
    lateness: Lateness | None = None,
) -> GradedSubmission:
    """Grade the notebook at ``path`` and return everything the grader keeps about it.

    Never raises for a broken submission: an unreadable file, a dead kernel or a missing answer are
    recorded in the result with a reason. ``executed_dir``: where to keep the executed notebook.
    ``lateness``: how late, from the LMS (wins over ``late_days``; see ``score_submission``).
    """
    nb = read_notebook(path)
    sha256 = _sha256(path) if path.is_file() else ""
    executed_path = None if executed_dir is None else executed_dir / f"{student_id}.ipynb"
    if isinstance(nb, NotebookReadFailure):
        record, evidence, integrity = _invalid(path, nb)
    else:
        record, evidence, integrity = _run(nb, rubric, data, data.hidden_for(sha256), options, executed_path)
    if options.self_check:
        result = self_check(rubric, evidence, record, student_id=student_id, source=str(path))
    else:
        result = score_submission(
            rubric, evidence, record, student_id=student_id, source=str(path), late_days=late_days,
            lateness=lateness,
        )
    return GradedSubmission(
        result=result,
        execution=record,
        evidence=evidence,
        integrity=integrity,
        submission_sha256=sha256,
        grader_version=__version__,
        graded_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
