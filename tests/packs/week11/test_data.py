"""Week 11's data through the pack (``PACK.prepare_data`` / ``PACK.self_check_data``, ``grader.packs.AssignmentData``)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import nbformat
import pytest

from assignments.week11.data import EnhancerData, HiddenPool, self_check_data
from grader.batch.keys import assignment_sha256
from grader.errors import AssignmentError, PackError
from grader.packs import AssignmentPack, load_pack
from grader.prepare.secret import ClassSecret
from grader.rubric import Profile, Profiles, load_rubric

MINIMAL = Path(__file__).parents[2] / "fixtures" / "batch" / "minimal.yaml"


def _data(folder: Path) -> EnhancerData:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pos.fa").write_text(">a\nACGT\n")
    (folder / "neg.fa").write_text(">b\nTTTT\n")
    return EnhancerData(folder / "pos.fa", folder / "neg.fa", HiddenPool(("ACGT",), ("TTTT",)), 4, ClassSecret(bytes(32)))


def test_the_resume_key_is_the_one_batch_keys_computed_before_the_move(tmp_path: Path) -> None:
    """The formula grader/batch/keys.py used before #15 step 3, kept so that no cache is re-graded."""
    data = _data(tmp_path)
    digest = hashlib.sha256()
    for part in [
        hashlib.sha256(data.train_positive.read_bytes()).hexdigest(),
        hashlib.sha256(data.train_negative.read_bytes()).hexdigest(),
        json.dumps([data.hidden.positives, data.hidden.negatives]), "4", data.secret.fingerprint(),
    ]:
        digest.update(part.encode("utf-8") + b"\0")
    assert assignment_sha256(data) == data.fingerprint() == digest.hexdigest()


def test_a_remote_worker_reads_the_files_it_was_sent(tmp_path: Path) -> None:
    """What grader.batch.cluster does for a Dask worker on another machine: ship files(), rebuild there."""
    data = _data(tmp_path / "grader")
    sent = {name: path.read_bytes() for name, path in data.files().items()}
    remote = tmp_path / "worker"
    remote.mkdir()
    for name, blob in sent.items():
        (remote / name).write_bytes(blob)
    there = data.with_files({name: remote / name for name in sent})
    assert set(there.files().values()) == {remote / "train_positive", remote / "train_negative"}
    assert there.fingerprint() == data.fingerprint()  # same bytes, same resume key
    assert there.stage(tmp_path / "work") == data.stage(tmp_path / "work2")
    assert (tmp_path / "work" / "data/train/positive.fa").read_text() == ">a\nACGT\n"


def test_seq_len_comes_from_the_profile_else_from_the_data(tmp_path: Path) -> None:
    data = _data(tmp_path)
    assert data.parameters(Profile(max_epochs=1)) == {"SEQ_LEN": 4}
    assert data.parameters(Profile(max_epochs=1, seq_len=150)) == {"SEQ_LEN": 150}
    assert data.stage(tmp_path / "work") == {
        "POSITIVE_FASTA": "data/train/positive.fa", "NEGATIVE_FASTA": "data/train/negative.fa"
    }


def test_the_pack_prepares_the_rubrics_data(tmp_path: Path) -> None:
    rubric = load_rubric(MINIMAL)
    data = rubric.pack().data(rubric, cache_dir=tmp_path, secret=ClassSecret.generate())
    assert isinstance(data, EnhancerData) and len(data.hidden) == 20
    hidden = data.hidden_for("0" * 64)
    hidden.write(tmp_path / "work")
    assert (tmp_path / "work" / "hidden" / "sequences.fa").read_text().count(">") == len(hidden.labels) == 20


def test_a_pack_without_prepare_data_cannot_grade(tmp_path: Path) -> None:
    rubric = load_rubric(MINIMAL)
    with pytest.raises(PackError, match="'bare' has no prepare_data"):
        AssignmentPack(name="bare", items=()).data(rubric, cache_dir=tmp_path, secret=ClassSecret.generate())


def _notebook(source: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["parameters"]})
    return nbformat.v4.new_notebook(cells=[cell])


def test_self_check_data_is_the_notebooks_own_fasta(tmp_path: Path) -> None:
    _data(tmp_path / "d")
    nb = _notebook('POSITIVE_FASTA = "d/pos.fa"\nNEGATIVE_FASTA = "d/neg.fa"\n')
    read = load_pack("week11").self_check_data
    assert read is not None
    data = read(tmp_path / "nb.ipynb", nb)
    assert isinstance(data, EnhancerData) and data.hidden.positives == ("ACGT",)
    with pytest.raises(AssignmentError, match="sets no NEGATIVE_FASTA"):
        self_check_data(tmp_path / "nb.ipynb", _notebook('POSITIVE_FASTA = "d/pos.fa"\n'))
    with pytest.raises(AssignmentError, match=r"NEGATIVE_FASTA = 'd/none\.fa': no file at"):
        self_check_data(tmp_path / "nb.ipynb", _notebook('POSITIVE_FASTA = "d/pos.fa"\nNEGATIVE_FASTA = "d/none.fa"\n'))


def test_a_profile_without_max_epochs_sets_no_max_epochs(tmp_path: Path) -> None:
    from grader.pipeline import GradeOptions, _parameters

    rubric = load_rubric(MINIMAL)
    profiles = Profiles({**rubric.profiles.root, "full": Profile(folds=3)})
    no_epochs = rubric.model_copy(update={"profiles": profiles})
    params = _parameters(no_epochs, _data(tmp_path), {}, GradeOptions(), "cpu")
    assert "MAX_EPOCHS" not in params and "FOLDS = 3" in params and "SEQ_LEN = 4" in params
