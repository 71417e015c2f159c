"""The class secret: made once 0600, read strictly, and the only thing that decides hidden data and order."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from assignments.week11.data import HiddenPool, prepare_data
from grader.errors import AssignmentError
from grader.prepare.secret import SECRET_FILE, ClassSecret, class_secret
from grader.rubric import load_rubric

MINIMAL = Path(__file__).parents[1] / "fixtures" / "batch" / "minimal.yaml"


def test_first_use_makes_a_private_secret_and_later_uses_read_it(tmp_path: Path) -> None:
    made = class_secret(tmp_path / "out")
    path = tmp_path / "out" / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert class_secret(tmp_path / "out") == made
    assert made.key.hex() not in repr(made)


def test_an_instructors_secret_file_wins(tmp_path: Path) -> None:
    given = tmp_path / "course.secret"
    ClassSecret(bytes(range(32))).write(given)
    assert class_secret(tmp_path / "out", given).key == bytes(range(32))
    assert not (tmp_path / "out" / SECRET_FILE).exists()


@pytest.mark.parametrize(
    ("text", "mode", "message"),
    [
        ("ab" * 32, 0o644, "readable by others (mode -rw-r--r--); run: chmod 600"),
        ("ab" * 8, 0o600, "at least 64 hex digits"),
        ("not hex at all", 0o600, "at least 64 hex digits"),
    ],
)
def test_a_bad_secret_file_is_refused_naming_the_file(tmp_path: Path, text: str, mode: int, message: str) -> None:
    path = tmp_path / "bad.secret"
    path.write_text(text)
    path.chmod(mode)
    with pytest.raises(AssignmentError, match=r"bad\.secret") as info:
        ClassSecret.read(path)
    assert message in str(info.value)


def test_same_bytes_same_order_other_bytes_other_order() -> None:
    pool = HiddenPool(tuple(f"A{i}" for i in range(50)), tuple(f"C{i}" for i in range(50)))
    secret = ClassSecret.generate()
    data_order = [s for _, s in pool.ordered(secret.seed("hidden-order", "sha-1")).sequences]
    again = [s for _, s in pool.ordered(secret.seed("hidden-order", "sha-1")).sequences]
    other = [s for _, s in pool.ordered(secret.seed("hidden-order", "sha-2")).sequences]
    other_class = [s for _, s in pool.ordered(ClassSecret.generate().seed("hidden-order", "sha-1")).sequences]
    assert data_order == again
    assert data_order != other and data_order != other_class


def test_the_old_count_seed_no_longer_predicts_the_labels(tmp_path: Path) -> None:
    """The hole: the order was shuffled with len(pos) * 7919 + len(neg), which any notebook can compute."""
    rubric = load_rubric(MINIMAL)
    data = prepare_data(rubric, cache_dir=tmp_path, secret=ClassSecret.generate())
    pos, neg = list(data.hidden.positives), list(data.hidden.negatives)
    guessed = data.hidden.ordered(len(pos) * 7919 + len(neg))
    actual = data.hidden_for("0" * 64)
    agree = sum(guessed.labels[i] == actual.labels[i] for i in actual.labels)
    assert agree < len(actual.labels)  # a cheat's table is no longer the grader's order


def test_synthetic_hidden_data_cannot_be_regenerated_from_the_rubric(tmp_path: Path) -> None:
    from reference.enhancers.synthetic import make_synthetic

    rubric = load_rubric(MINIMAL)
    assert rubric.data.hidden is not None and rubric.data.hidden.kind == "synthetic"
    public = set(make_synthetic(10, seed=1).data.sequences)  # the rubric's hidden: {seed: 1, n_per_class: 10}
    first = prepare_data(rubric, cache_dir=tmp_path / "a", secret=ClassSecret.generate())
    second = prepare_data(rubric, cache_dir=tmp_path / "b", secret=ClassSecret.generate())
    hidden_first = set(first.hidden.positives + first.hidden.negatives)
    assert len(hidden_first) == 20 and not hidden_first & public
    assert hidden_first != set(second.hidden.positives + second.hidden.negatives)
    assert first.train_positive.read_bytes() == second.train_positive.read_bytes()  # training data is public
