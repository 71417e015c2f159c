"""The JASPAR release the grader loads is one the required pyjaspar bundles, and a missing one says which
pyjaspar to install instead of failing later on a database without a connection."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

import pytest

from reference.motifs.jaspar import DEFAULT_RELEASE, FIRST_PYJASPAR, fetch_matrix, load_jaspar

PYPROJECT = Path(__file__).resolve().parents[3] / "pyproject.toml"


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def test_pyproject_floor_is_the_first_pyjaspar_with_the_default_release() -> None:
    dependencies = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["optional-dependencies"]["ta"]
    (spec,) = [d for d in dependencies if re.match(r"pyjaspar\b", d)]
    floor = re.fullmatch(r"pyjaspar>=([\d.]+)", spec.replace(" ", ""))
    assert floor is not None, spec
    assert _version(floor[1]) == _version(FIRST_PYJASPAR[DEFAULT_RELEASE])


def test_the_installed_pyjaspar_meets_the_floor_and_bundles_the_release() -> None:
    installed = importlib.metadata.version("pyjaspar")
    assert _version(installed) >= _version(FIRST_PYJASPAR[DEFAULT_RELEASE])
    assert fetch_matrix("MA0114.5").name == "HNF4A"


def test_a_release_pyjaspar_lacks_names_what_to_install() -> None:
    installed = importlib.metadata.version("pyjaspar")
    with pytest.raises(RuntimeError) as caught:
        load_jaspar(release="JASPAR2099")
    message = str(caught.value)
    assert f"pyjaspar {installed} does not bundle JASPAR2099" in message
    assert "'JASPAR2026'" in message and "install a pyjaspar release that bundles it" in message
