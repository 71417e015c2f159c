"""Assignment packs (grader.packs): found by name, checked when loaded, named by the rubric."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from grader.errors import PackError, RubricError
from grader.packs import (
    PACKS_ENV,
    AssignmentPack,
    ItemSpec,
    ParseContext,
    available_packs,
    load_pack,
    register_pack,
)
from grader.rubric import parse_rubric, publish_rubric

ROOT = Path(__file__).parents[1]
RUBRIC = ROOT / "rubrics" / "week11.yaml"


def _number(value: Any, context: ParseContext) -> float:
    return float(value)


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty registry for one test (the real one keeps week11 for the whole session)."""
    monkeypatch.setattr("grader.packs._PACKS", {})


def test_week11_is_found_and_loaded_by_its_name() -> None:
    assert "week11" in available_packs()
    pack = load_pack("week11")
    assert pack.name == "week11" and load_pack("week11") is pack
    assert [i.name for i in pack.items] == [
        "gradients", "cv", "kernel_sweep", "hidden_predictions", "first_layer_kernels"
    ]
    assert pack.item("first_layer_kernels").shown == "first-layer kernels"


@pytest.mark.parametrize(("name", "expected"), [
    ("week12", "there is no pack assignments.week12; packs found: {found} (did you mean 'week11'?)"),
    ("genomics", "there is no pack assignments.genomics; packs found: {found}"),
    ("week-11", "a pack name is a Python identifier; packs found: {found} (did you mean 'week11'?)"),
])
def test_an_unknown_pack_names_the_rubric_the_key_and_the_packs_found(name: str, expected: str) -> None:
    with pytest.raises(PackError) as info:
        load_pack(name, rubric="rubrics/x.yaml")
    found = ", ".join(available_packs())
    assert "week11" in found
    assert str(info.value) == f"rubrics/x.yaml: assignment: {name!r}: {expected.format(found=found)}"


@pytest.mark.usefixtures("registry")
def test_a_second_pack_under_a_taken_name_is_refused() -> None:
    first = AssignmentPack(name="tiny", items=(ItemSpec("score", "SCORE", _number, float),))
    assert register_pack(first) is first and register_pack(first) is first
    with pytest.raises(PackError, match="'tiny' is registered twice"):
        register_pack(AssignmentPack(name="tiny", items=()))
    assert load_pack("tiny") is first


def test_a_pack_checks_its_items() -> None:
    with pytest.raises(PackError, match="item 'score' is declared twice"):
        AssignmentPack(
            name="tiny", items=(ItemSpec("score", "A", _number, float), ItemSpec("score", "B", _number, float))
        )
    with pytest.raises(PackError, match="item 'answers' is not a usable record key"):
        AssignmentPack(name="tiny", items=(ItemSpec("answers", "ANSWERS", _number, float),))


@pytest.mark.usefixtures("registry")
def test_a_pack_module_without_pack_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "assignments" / "nopack"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("ITEMS = ()\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv(PACKS_ENV, str(tmp_path / "assignments"))
    try:
        with pytest.raises(PackError) as info:
            load_pack("nopack", rubric="r.yaml")
    finally:
        sys.modules.pop("assignments.nopack", None)
    assert str(info.value) == (
        "r.yaml: assignment: 'nopack': assignments.nopack defines no PACK (an AssignmentPack); got None"
    )


def _with_assignment(name: str | None) -> str:
    """rubrics/week11.yaml with ``assignment: name`` (without the key for ``None``)."""
    text = RUBRIC.read_text(encoding="utf-8")
    line = re.search(r"^assignment: week11\b.*\n", text, flags=re.M)
    assert line is not None
    return text.replace(line.group(0), "" if name is None else f"assignment: {name}\n", 1)


def test_the_rubric_names_its_pack() -> None:
    named = parse_rubric(RUBRIC.read_text(encoding="utf-8"), base_dir=RUBRIC.parent)
    assert named.assignment == "week11" and named.pack() is load_pack("week11")
    student = publish_rubric(named)  # the template's embedded rubric keeps the key, so `grader check` finds the pack
    assert "\nassignment: week11\n" in student and parse_rubric(student).assignment == "week11"
    with pytest.raises(RubricError, match=r"^rubrics/x.yaml: assignment: required key is missing"):
        parse_rubric(_with_assignment(None), source="rubrics/x.yaml", base_dir=RUBRIC.parent)


def test_a_rubric_naming_an_unknown_pack_says_which_exist() -> None:
    with pytest.raises(RubricError) as info:
        parse_rubric(_with_assignment("week12"), source="rubrics/week12.yaml", base_dir=RUBRIC.parent)
    message = str(info.value)
    assert message.startswith("rubrics/week12.yaml") and "assignment" in message
    assert "there is no pack assignments.week12; packs found: " in message and "(did you mean 'week11'?)" in message


OTHER = AssignmentPack(name="other", items=())
"""A second pack (no kinds of its own) for the owner checks."""


def _rubric_for(pack: str, kind_line: str, replacement: str) -> str:
    text = _with_assignment(pack)
    assert kind_line in text
    return text.replace(kind_line, replacement, 1)


def test_week11_registers_its_kinds_rules_and_metrics_with_itself_as_owner() -> None:
    from grader.rubric import CRITERIA, EVIDENCE_RULES
    from grader.rubric._metrics import metric_owner

    load_pack("week11")
    assert CRITERIA.owner("motif_match") == "week11" and CRITERIA.owner("choice") == ""
    assert EVIDENCE_RULES.owner("gradient_uniformity") == EVIDENCE_RULES.owner("kernel_sweep_run") == "week11"
    assert {metric_owner(m) for m in ("cv_roc_auc", "cv_pr_auc", "sweep_best_roc_auc")} == {"week11"}
    assert metric_owner("hidden_roc_auc") == ""


@pytest.mark.parametrize(
    ("kind_line", "message"),
    [
        ("kind: motif_match", "kind 'motif_match' belongs to assignment 'week11'; this rubric is for 'other'"),
        ("rule: gradient_uniformity", "rule 'gradient_uniformity' belongs to assignment 'week11'; this rubric is for 'other'"),
        ("metric: cv_roc_auc", "metric 'cv_roc_auc' belongs to assignment 'week11'; this rubric is for 'other'"),
        ("artifact: gradients", "unknown 'gradients'; expected one of ['figure']"),  # artifacts: the pack's items
    ],
)
def test_another_packs_rubric_cannot_use_week11s_kinds(
    kind_line: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_pack("week11")
    monkeypatch.setattr("grader.packs._PACKS", {"week11": load_pack("week11")})  # "other" for this test only
    register_pack(OTHER)
    with pytest.raises(RubricError, match=re.escape(message)):
        parse_rubric(_rubric_for("other", kind_line, kind_line), source="other.yaml", base_dir=RUBRIC.parent)


def test_the_self_check_items_and_deferrals_come_from_the_pack() -> None:
    from grader.rubric import DeferredCriterion, load_rubric, public_view
    from grader.selfcheck._data import without_reference_rules

    rubric = load_rubric(RUBRIC)
    reads = {c.id: c.reads_items() for q in rubric.questions for c in q.criteria if c.reads_items()}
    assert set().union(*reads.values()) == {"gradients", "cv", "kernel_sweep", "hidden_predictions", "first_layer_kernels"}
    deferred = [c for q in without_reference_rules(public_view(rubric)).questions for c in q.criteria
                if isinstance(c, DeferredCriterion) and c.original == "evidence"]
    assert deferred and load_pack("week11").needs_reference == frozenset({"gradient_uniformity"})


DYNAMIC_IMPORT = re.compile(r"""(?:import_module|resources\.files|__import__)\(\s*f?["'](reference|assignments)\b[\w.]*""")
STILL_DYNAMIC: set[tuple[str, str]] = set()  # grader -> reference edges import-linter cannot see (none since step 5)


def test_no_stage_imports_reference_or_a_pack_by_name() -> None:
    """The forbidden contract in pyproject.toml sees static imports only; this sees the dynamic ones."""
    found = {
        (str(path.relative_to(ROOT)), match.group(0))
        for path in sorted((ROOT / "grader").rglob("*.py"))
        for match in DYNAMIC_IMPORT.finditer(path.read_text(encoding="utf-8"))
    }
    normalised = {(path, text.replace("importlib.", "")) for path, text in found}
    assert normalised == STILL_DYNAMIC


def test_the_self_check_skips_a_grading_only_evaluator_and_a_measurement_has_one_evaluator() -> None:
    from grader.packs import Evaluator
    from grader.records.collected import CollectedRecord, Item, ItemStatus

    calls: list[str] = []

    def measure(collected: CollectedRecord, labels: Any) -> Item[Any]:
        calls.append("measured")
        return Item.ok(len(labels))

    slow = Evaluator("slow", measure, grading_only=True, deferred_reason="matched at grading time")
    assert slow(CollectedRecord(), {"h0": 1}).value == 1 and calls == ["measured"]
    skipped = slow(CollectedRecord(), {"h0": 1}, self_check=True)
    assert (skipped.status, skipped.reason, calls) == (ItemStatus.MISSING, "matched at grading time", ["measured"])
    with pytest.raises(PackError, match="measurement 'slow' has two evaluators"):
        AssignmentPack(name="twice", items=(), evaluators=(slow, slow))
    assert [e.name for e in load_pack("week11").evaluators] == ["hidden", "motifs"]
    assert [e.grading_only for e in load_pack("week11").evaluators] == [False, True]


def test_an_evaluator_that_raises_costs_its_measurement_only() -> None:
    from grader.packs import Evaluator
    from grader.records.collected import CollectedRecord

    def broken(collected: object, labels: object) -> object:
        raise ZeroDivisionError("division by zero")

    item = Evaluator("kernels", broken)(CollectedRecord(), {})  # type: ignore[arg-type]
    assert item.status.value == "invalid"
    assert item.reason == "kernels could not be measured (grader error: ZeroDivisionError: division by zero)"


def test_a_pack_whose_code_raises_is_named_in_the_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "assignments" / "crashing").mkdir(parents=True)
    (tmp_path / "assignments" / "crashing" / "__init__.py").write_text("PACK = 1 / 0\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv(PACKS_ENV, str(tmp_path / "assignments"))
    with pytest.raises(PackError, match=(
        r"^rubrics/x.yaml: assignment: 'crashing': the pack assignments.crashing fails to import: "
        r"ZeroDivisionError: division by zero$"
    )):
        load_pack("crashing", rubric="rubrics/x.yaml")


def test_no_pack_imports_another_pack() -> None:
    """Packs are independent: each imports the grader (and reference), never another pack."""
    crossing = []
    for pack_dir in sorted(p for p in (ROOT / "assignments").iterdir() if (p / "__init__.py").is_file()):
        others = re.compile(rf"\bassignments\.(?!{pack_dir.name}\b)\w+")
        crossing += [f"{path.relative_to(ROOT)}: {match.group(0)}" for path in sorted(pack_dir.rglob("*.py"))
                     for match in others.finditer(path.read_text(encoding="utf-8"))]
    assert crossing == []


def test_a_pack_on_sys_path_outside_the_trusted_folders_never_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``python -m grader`` puts the current directory first on sys.path; an ``assignments/<name>/`` there
    (say, unpacked from a submission) must not be imported."""
    marker = tmp_path / "ran"
    package = tmp_path / "cwd" / "assignments" / "planted"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "cwd"))
    monkeypatch.delenv(PACKS_ENV, raising=False)
    with pytest.raises(PackError, match=r"would be imported from .*cwd/assignments/planted/__init__.py, outside"):
        load_pack("planted", rubric="r.yaml")
    assert "planted" not in available_packs() and not marker.exists()


def _load_in(folder: Path, call: str) -> str:
    """What a fresh ``python -c`` in ``folder`` (first on its sys.path, as under ``python -m grader``) prints
    for ``call`` (an expression of grader.packs), or the error it raises."""
    code = f"from grader import packs\ntry:\n    print({call})\nexcept Exception as e:\n    print(e)"
    env = {k: v for k, v in os.environ.items() if k not in (PACKS_ENV, "PYTHONPATH")}
    return subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True, text=True, env=env,
                          check=True, timeout=120).stdout


@pytest.mark.parametrize("planted", ["assignments/week11/__init__.py", "assignments/__init__.py"])
def test_code_planted_in_the_current_directory_never_runs(planted: str, tmp_path: Path) -> None:
    """A copy of a real pack, or a regular package ``assignments`` that would shadow the packs' namespace:
    refused before it runs, and not listed."""
    marker = tmp_path / "ran"
    (tmp_path / planted).parent.mkdir(parents=True)
    (tmp_path / planted).write_text(f"open({str(marker)!r}, 'w').close()\n", encoding="utf-8")
    (tmp_path / "assignments" / "week11").mkdir(parents=True, exist_ok=True)
    (tmp_path / "assignments" / "week11" / "__init__.py").touch()
    out = _load_in(tmp_path, "packs.load_pack('week11')")
    assert "would be imported from" in out and str(tmp_path) in out, out
    assert "week11" in _load_in(tmp_path, "packs.available_packs()")
    assert not marker.exists()


def test_a_trusted_pack_the_installation_cannot_import_says_to_rerun_setup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pack added after an editable install (which maps the packs present then) is not importable yet."""
    (tmp_path / "assignments" / "ghost").mkdir(parents=True)
    (tmp_path / "assignments" / "ghost" / "__init__.py").write_text("PACK = None\n", encoding="utf-8")
    monkeypatch.setenv(PACKS_ENV, str(tmp_path / "assignments"))  # trusted, but not on sys.path
    with pytest.raises(PackError, match=r"ghost is a pack, but this installation cannot import it .*rerun `make setup`"):
        load_pack("ghost", rubric="r.yaml")


def test_every_pack_found_is_complete_and_the_list_is_exact() -> None:
    """Each pack loads, and each criterion kind or evidence rule it registers has a check (a kind without one
    would fail every submission at scoring time)."""
    from grader.rubric import leaf_criterion_types
    from grader.score._checks import verify_complete

    folders = tuple(sorted(init.parent.name for init in (ROOT / "assignments").glob("*/__init__.py")))
    assert available_packs() == folders and {"week11", "expression"} <= set(folders)
    for name in available_packs():
        assert load_pack(name).name == name
        verify_complete(leaf_criterion_types(owner=name))
