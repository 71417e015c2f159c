"""Assignment 1: deep MLPs, their gradient profiles and the evidence rule.

Importing this package loads only the pure-numpy :mod:`.evidence` module; the torch and matplotlib
parts (:mod:`.models`, :mod:`.profile`, :mod:`.study`, :mod:`.plot`) load on first use of one of
their names, so the grader can ``from reference.gradients import supported`` without torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reference._lazy import lazy_getattr

from .evidence import (
    COUNTERMEASURES,
    METHODS,
    EvidenceError,
    EvidenceParams,
    MethodSummary,
    Verdict,
    canonical_method,
    sdlog,
    summarize,
    summarize_all,
    supported,
    uniformity,
)

if TYPE_CHECKING:
    from .models import INITS, DeepMLP, build_mlp
    from .plot import plot_profiles
    from .profile import GradientProfile, gradient_profile, hidden_linears, preserved_state
    from .study import StudyConfig, StudyResult, reference_profiles

__all__ = [
    "COUNTERMEASURES",
    "INITS",
    "METHODS",
    "DeepMLP",
    "EvidenceError",
    "EvidenceParams",
    "GradientProfile",
    "MethodSummary",
    "StudyConfig",
    "StudyResult",
    "Verdict",
    "build_mlp",
    "canonical_method",
    "gradient_profile",
    "hidden_linears",
    "plot_profiles",
    "preserved_state",
    "reference_profiles",
    "sdlog",
    "summarize",
    "summarize_all",
    "supported",
    "uniformity",
]

_LAZY = {
    "INITS": "models",
    "DeepMLP": "models",
    "build_mlp": "models",
    "plot_profiles": "plot",
    "GradientProfile": "profile",
    "gradient_profile": "profile",
    "hidden_linears": "profile",
    "preserved_state": "profile",
    "StudyConfig": "study",
    "StudyResult": "study",
    "reference_profiles": "study",
}


__getattr__ = lazy_getattr(__name__, _LAZY)
