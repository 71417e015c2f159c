"""The batch engine with stand-in grading steps: results, resume, determinism, crashes, gradebook."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from grader.errors import SandboxUnavailableError, StoreError
from grader.publish import load_class
from grader.store.files import lock_out_dir
from grader.store.gradebook import list_runs, open_gradebook, set_override

from . import fakes

MALFORMED = Path(__file__).parents[1] / "fixtures" / "submissions_malformed"


@pytest.fixture
def subs(tmp_path: Path) -> Path:
    specs = {f"s{i}": {"points": float(i % 5), "sleep": 0.05} for i in range(6)}
    return fakes.write_notebooks(tmp_path / "subs", specs)


def test_every_student_gets_a_result_file_and_a_gradebook_row(subs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    outcome = fakes.batch(subs, out, jobs=2)
    ids = [f"s{i}" for i in range(6)]
    assert [g.result.student_id for g in outcome.graded] == ids
    assert outcome.fresh == ids and outcome.reused == [] and outcome.failed == []
    assert sorted(p.stem for p in (out / "results").iterdir()) == ids
    assert sorted(p.stem for p in (out / "executed").iterdir()) == ids
    assert [g.result.student_id for g in load_class(out)] == ids
    (run,) = list_runs(out / "gradebook.db")
    assert (run.status, run.counts.graded, run.info.n_submissions) == ("completed", 6, 6)
    stored = json.loads((out / "results" / "s3.json").read_text())
    assert stored["cache_key"] and stored["result"]["total"] == 4.0
    assert stored["result"]["source"] == str(subs / "s3.ipynb")


def test_one_and_two_jobs_give_identical_results(subs: Path, tmp_path: Path) -> None:
    fakes.batch(subs, tmp_path / "one", jobs=1)
    fakes.batch(subs, tmp_path / "two", jobs=2)
    assert fakes.normalized(tmp_path / "one") == fakes.normalized(tmp_path / "two")
    for name in (p.name for p in (tmp_path / "one" / "executed").iterdir()):
        assert (tmp_path / "one" / "executed" / name).read_bytes() == (tmp_path / "two" / "executed" / name).read_bytes()
    def grades(out: Path) -> list[tuple[str, float, str]]:
        return [(g.result.student_id, g.result.total, g.result.status.value) for g in load_class(out)]

    assert grades(tmp_path / "one") == grades(tmp_path / "two")


def test_concurrent_tasks_never_share_a_slot(subs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "slots.log"
    monkeypatch.setenv("FAKE_SLOT_LOG", str(log))
    fakes.batch(subs, tmp_path / "out", jobs=2)
    assert fakes.assert_slots_never_shared(log) == 6


def test_rerun_reuses_everything_and_redoes_what_changed(subs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = fakes.batch(subs, out, jobs=2)
    again = fakes.batch(subs, out, jobs=2)
    assert again.fresh == [] and again.reused == [f"s{i}" for i in range(6)]
    assert [g.model_dump() for g in again.graded] == [g.model_dump() for g in first.graded]
    fakes.write_notebooks(subs, {"s2": {"points": 4.0}})
    changed = fakes.batch(subs, out, jobs=2)
    assert changed.fresh == ["s2"] and len(changed.reused) == 5
    assert changed.graded[2].result.total == 5.0
    assert fakes.batch(subs, out, jobs=2, context_hash="new rubric").fresh == [f"s{i}" for i in range(6)]
    assert fakes.batch(subs, out, jobs=2, context_hash="new rubric", force=True).reused == []
    runs = list_runs(out / "gradebook.db")
    assert [r.counts.reused for r in runs] == [0, 6, 5, 0, 0]
    assert len(load_class(out)) == 6


def test_a_corrupt_result_file_is_regraded(subs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    fakes.batch(subs, out)
    (out / "results" / "s1.json").write_text("{")
    assert fakes.batch(subs, out).fresh == ["s1"]


def test_worker_crash_costs_only_that_notebook(subs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_STATE_DIR", str(tmp_path))
    fakes.write_notebooks(subs, {"crash": {"crash": "always"}, "flaky": {"crash": "once"}, "bug": {"raise": "boom"}})
    out = tmp_path / "out"
    outcome = fakes.batch(subs, out, jobs=2)
    grades = {g.result.student_id: g.result for g in outcome.graded}
    assert len(grades) == 9
    assert outcome.failed == ["bug", "crash"]
    assert grades["crash"].status.value == "sandbox_error"
    assert grades["crash"].reason == "the grading worker process died (signal SIGKILL), twice, on this notebook alone"
    assert grades["bug"].reason == "grader error: RuntimeError: boom"
    assert grades["flaky"].status.value == "graded"
    assert all(grades[f"s{i}"].status.value == "graded" for i in range(6))
    retry = fakes.batch(subs, out, jobs=2)
    assert retry.fresh == [] and retry.failed == ["bug", "crash"] and len(retry.reused) == 7


def test_a_harness_error_aborts_and_keeps_finished_results(tmp_path: Path) -> None:
    subs = fakes.write_notebooks(tmp_path / "subs", {"a": {}, "b": {"harness": True, "sleep": 0.0}})
    out = tmp_path / "out"
    with pytest.raises(SandboxUnavailableError, match="bubblewrap is missing"):
        fakes.batch(subs, out, jobs=1)
    assert [p.stem for p in (out / "results").iterdir()] == ["a"]
    assert [r.status for r in list_runs(out / "gradebook.db")] == ["aborted"]


def test_an_output_folder_in_use_is_refused(subs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    with lock_out_dir(out), pytest.raises(StoreError, match="another grader"):
        fakes.batch(subs, out)


def test_malformed_submissions_are_graded_invalid_without_running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "slots.log"
    monkeypatch.setenv("FAKE_SLOT_LOG", str(log))
    subs = tmp_path / "subs"
    shutil.copytree(MALFORMED / "plain", subs)
    outcome = fakes.batch(subs, tmp_path / "out", jobs=2)
    statuses = {g.result.student_id: g.result.status.value for g in outcome.graded}
    assert statuses == {
        "alice": "graded", "bob": "graded", "carol": "graded", "nbformat3": "graded", "corrupt_json": "invalid",
        "dave": "invalid", "empty": "invalid", "json_list": "invalid", "nbformat5": "invalid", "pdf_renamed": "invalid",
    }
    assert len(log.read_text().splitlines()) == 4  # only the gradable ones ran
    notes = {g.result.student_id: g.notes for g in outcome.graded}
    assert notes["carol"] and "not graded" in notes["carol"][0]
    assert {s.path.name for s in outcome.skipped} == {"notes.txt", "week11_old.ipynb"}


def test_zip_download_is_graded_and_sources_name_the_archive(tmp_path: Path) -> None:
    out = tmp_path / "out"
    outcome = fakes.batch(MALFORMED / "zips" / "moodle_download.zip", out, jobs=2)
    assert [g.result.student_id for g in outcome.graded] == ["12345", "12346", "12347", "12348", "12349"]
    assert outcome.graded[0].result.source.endswith("moodle_download.zip/Ada Lovelace_12345_assignsubmission_file_/week11.ipynb")
    assert fakes.batch(MALFORMED / "zips" / "moodle_download.zip", out).fresh == []


def test_progress_lines_and_summary(subs: Path, tmp_path: Path) -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, force_terminal=False, color_system=None)
    fakes.batch(subs, tmp_path / "out", jobs=2, console=console)
    text = buffer.getvalue()
    assert "Grading 6 submissions with 2 slots (local)." in text
    assert all(f"s{i} " in text for i in range(6))
    assert "Batch summary" in text and "6 students: 6 graded now, 0 reused" in text
    buffer.truncate(0)
    fakes.batch(subs, tmp_path / "out", jobs=2, console=console)
    assert "Reusing 6 results" in buffer.getvalue()


def test_quiet_without_console(subs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fakes.batch(subs, tmp_path / "out")
    assert capsys.readouterr() == ("", "")


def test_overrides_survive_a_forced_regrade(subs: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    fakes.batch(subs, out, jobs=2)
    with open_gradebook(out / "gradebook.db") as db:
        set_override(db, "s0", "q1", 5.0, grader="ta", reason="full marks after review")
    fakes.write_notebooks(subs, {"s0": {"points": 2.0}})
    assert fakes.batch(subs, out, jobs=2, force=True).fresh == [f"s{i}" for i in range(6)]
    grades = {g.result.student_id: g for g in load_class(out)}
    q1 = grades["s0"].result.question("q1")
    assert grades["s0"].result.total == 6.0 and q1.override is not None
    assert q1.override.auto_points == 2.0 and q1.override.stale  # the override was given on the earlier file
    assert grades["s1"].result.total == 2.0 and grades["s1"].result.question("q1").override is None
