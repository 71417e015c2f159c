"""One profile type end to end: the rubric's ``profiles:`` names them, ``--profile NAME`` is checked against them.

Before, the CLI had its own quick/full enum; the pipeline looked the name up with ``getattr`` on the rubric, so a
name the rubric lacked failed inside every student's run (SANDBOX_ERROR for the whole class) and a profile the
rubric added (``demo``) could not be chosen at all.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assignments.week11.data import EnhancerData, HiddenPool
from grader.cli import app
from grader.errors import RubricError
from grader.pipeline import GradeOptions, _execution_config, _parameters
from grader.prepare.secret import ClassSecret
from grader.rubric import Rubric, load_rubric, parse_rubric

from ._build import TRUTH, dump, question, rubric_data

ROOT = Path(__file__).resolve().parents[2]
WEEK11 = ROOT / "rubrics/week11.yaml"
PROFILES: dict[str, object] = {
    "quick": {"max_epochs": 1, "cell_timeout_s": 150},
    "full": {"max_epochs": 6},
    "demo": {"max_epochs": 2, "n_per_class": 200, "cell_timeout_s": 30},
}


def _rubric(profiles: dict[str, object], source: str = "rubrics/x.yaml") -> Rubric:
    answer = question("3.1", {"id": "key", "kind": "choice", "options": TRUTH, "expected": "incorrect"})
    return parse_rubric(dump(rubric_data(answer, profiles=profiles)), source=source)


def test_a_rubric_may_add_profiles_beside_quick_and_full() -> None:
    r = _rubric(PROFILES)
    assert r.profiles.names == ("quick", "full", "demo")
    assert r.profile("demo").n_per_class == 200 and r.profiles.quick.max_epochs == 1
    assert r.profile("full") is r.profiles.full


def test_quick_and_full_stay_required() -> None:
    with pytest.raises(RubricError, match=r"rubrics/x.yaml: profiles\.quick: required key is missing"):
        _rubric({"full": {"max_epochs": 6}, "demo": {"max_epochs": 2}})


@pytest.mark.parametrize("name", ["Demo", "2fast", "de mo", ""])
def test_profile_names_are_lower_case_identifiers(name: str) -> None:
    with pytest.raises(RubricError, match=r"rubrics/x.yaml: profiles"):
        _rubric({**PROFILES, name: {"max_epochs": 1}})


def test_an_unknown_profile_names_the_file_the_value_and_the_profiles() -> None:
    r = load_rubric(WEEK11)
    with pytest.raises(RubricError) as caught:
        r.profile("quik")
    assert str(caught.value) == (
        f"{WEEK11}: profiles: no profile 'quik'; this rubric has ['quick', 'full', 'demo'] (did you mean 'quick'?)"
    )


def test_week11_has_the_demo_profile_with_a_short_cell_timeout() -> None:
    r = load_rubric(WEEK11)
    demo, quick = r.profile("demo"), r.profile("quick")
    assert demo.cell_timeout_s is not None and quick.cell_timeout_s is not None
    assert demo.cell_timeout_s < quick.cell_timeout_s
    assert demo.folds == 5  # 2.5's reported_roc_auc needs min_count 5 fold values


def test_the_pipeline_hands_the_chosen_profile_to_the_notebook_and_the_limits(tmp_path: Path) -> None:
    r = _rubric(PROFILES)
    data = EnhancerData(tmp_path / "p.fa", tmp_path / "n.fa", HiddenPool((), ()), 200, ClassSecret.generate())
    params = _parameters(r, data, {}, GradeOptions(profile="demo"), "cpu").splitlines()
    assert {"PROFILE = 'demo'", "MAX_EPOCHS = 2", "N_PER_CLASS = 200", "FOLDS = 5"} <= set(params)
    assert _execution_config(r, GradeOptions(profile="demo")).cell_timeout_s == 30
    with pytest.raises(RubricError, match="no profile 'nope'"):
        _execution_config(r, GradeOptions(profile="nope"))


def test_grade_refuses_an_unknown_profile_before_anything_runs(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["grade", str(tmp_path), "--rubric", str(WEEK11), "--out", str(out), "--profile", "quik"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 2, result.output
    assert f"{WEEK11}: profiles: no profile 'quik'; this rubric has ['quick', 'full', 'demo']" in result.output
    assert not out.exists()  # no results, no class secret, no gradebook
