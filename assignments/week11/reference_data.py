"""Week 11's reference material drawn beside a student's own data, loaded from the ``reference`` package.

Both parts are optional; a report without them simply has no reference panel or JASPAR logo:

- gradient profiles (``reference.gradients``): the median per-layer gradient magnitudes of the five
  methods from the reference study. Read from a packaged ``reference/gradients/profiles.json`` when
  the reference package ships one, else from a cache file written by an earlier render, else computed
  once with ``reference.gradients.reference_profiles()`` (torch; seconds) and cached.
- JASPAR matrices (``reference.motifs.jaspar.fetch_matrix``, pyjaspar's offline database): the
  probability matrix ``(4, width)``, rows A, C, G, T, of every matched id; an id the release does not
  have is listed in the notes and drawn without a logo.
"""

from __future__ import annotations

import importlib
import importlib.resources
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

__all__ = [
    "CACHE_NAME",
    "GradientReference",
    "ReferenceData",
    "canonical_method",
    "gradient_reference",
    "load_reference",
    "motif_matrices",
]

PACKAGED_PROFILES = "profiles.json"
CACHE_NAME = "reference-gradients.json"
Matrix = Sequence[Sequence[float]]


@dataclass(frozen=True, slots=True)
class GradientReference:
    """Per-method reference profiles (method -> magnitudes per hidden layer, input side first)."""

    profiles: Mapping[str, tuple[float, ...]]
    source: str

    def to_json(self) -> str:
        """The cache-file form: ``{"source": ..., "profiles": {method: [floats]}}``."""
        return json.dumps({"source": self.source, "profiles": {k: list(v) for k, v in self.profiles.items()}})

    @classmethod
    def from_json(cls, text: str) -> GradientReference:
        """Parse the cache-file form written by :meth:`to_json`."""
        data = json.loads(text)
        profiles = {str(k): tuple(float(x) for x in v) for k, v in data["profiles"].items()}
        return cls(MappingProxyType(profiles), str(data.get("source", "")))


@dataclass(frozen=True, slots=True)
class ReferenceData:
    """What the reports draw beside the student's data; empty parts are simply not drawn."""

    gradients: GradientReference | None = None
    motifs: Mapping[str, Matrix] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def canonical_method(name: str) -> str | None:
    """The canonical method name for ``name`` ("BN" -> "batch_norm"), or ``None`` when unknown."""
    from reference.gradients import EvidenceError
    from reference.gradients import canonical_method as canonical

    try:
        return canonical(name)
    except EvidenceError:
        return None


def _packaged_profiles() -> GradientReference | None:
    """Profiles shipped as ``reference/gradients/profiles.json``, if the package has the file."""
    resource = importlib.resources.files("reference.gradients").joinpath(PACKAGED_PROFILES)
    return GradientReference.from_json(resource.read_text(encoding="utf-8")) if resource.is_file() else None


def _computed_profiles() -> GradientReference | None:
    """Run the reference study (needs torch); ``None`` when its module cannot be imported."""
    try:
        study = importlib.import_module("reference.gradients.study")
    except ImportError:
        return None
    result = study.reference_profiles()
    cfg = result.config
    source = (
        f"reference study: depth {cfg.depth}, width {cfg.width}, {cfg.init} init, "
        f"median of {len(cfg.seeds)} seeds, step {cfg.steps}"
    )
    return GradientReference(MappingProxyType({k: tuple(v) for k, v in result.profiles.items()}), source)


def gradient_reference(cache_dir: Path | None, compute: bool = True) -> tuple[GradientReference | None, str]:
    """The reference profiles and a note on where they came from (or why there are none).

    ``compute=False`` never runs the study: only packaged or cached profiles.
    """
    packaged = _packaged_profiles()
    if packaged is not None:
        return packaged, "gradient reference: packaged profiles.json"
    cache = cache_dir / CACHE_NAME if cache_dir is not None else None
    if cache is not None and cache.is_file():
        return GradientReference.from_json(cache.read_text(encoding="utf-8")), f"gradient reference: cached {cache}"
    if not compute:
        return None, "gradient reference: not cached yet (run grader report); no reference panel"
    computed = _computed_profiles()
    if computed is None:
        return None, "gradient reference: reference.gradients.study unavailable (torch missing?); no reference panel"
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(computed.to_json(), encoding="utf-8")
    return computed, "gradient reference: computed with reference.gradients.reference_profiles()"


def motif_matrices(matrix_ids: Iterable[str]) -> tuple[dict[str, Matrix], str]:
    """JASPAR probability matrices for ``matrix_ids`` via ``reference.motifs.jaspar.fetch_matrix``."""
    wanted = sorted(set(matrix_ids))
    if not wanted:
        return {}, "JASPAR logos: no kernel matched a JASPAR matrix"
    try:
        fetch = importlib.import_module("reference.motifs.jaspar").fetch_matrix
    except (ImportError, AttributeError):
        return {}, "JASPAR logos: reference.motifs.jaspar.fetch_matrix unavailable; matches listed without logos"
    found: dict[str, Matrix] = {}
    unknown = []
    for mid in wanted:
        try:
            found[mid] = fetch(mid).probabilities.tolist()
        except (KeyError, ValueError):
            unknown.append(mid)
    missing = f"; not in the JASPAR release: {', '.join(unknown)}" if unknown else ""
    return found, f"JASPAR logos: {len(found)} matrices from reference.motifs.jaspar{missing}"


def load_reference(matrix_ids: Iterable[str] = (), *, cache_dir: Path | None = None) -> ReferenceData:
    """Load the gradient reference and the JASPAR matrices ``matrix_ids`` (see the module docstring).

    ``cache_dir`` keeps computed gradient profiles between renders; ``None`` computes without caching.
    """
    gradients, grad_note = gradient_reference(cache_dir)
    motifs, motif_note = motif_matrices(matrix_ids)
    return ReferenceData(gradients=gradients, motifs=motifs, notes=(grad_note, motif_note))
