"""Week 11's report panels: gradient profiles (assignment 1), the classifier on the hidden set (2.5) and
first-layer kernels as motifs (2.6), with their templates in ``templates/``.

Each panel's ``build`` turns one graded submission into the view model its template shows; the gradient
and kernel panels ``prepare`` the class-wide reference data once (``reference_data``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assignments.week11.items import CV, FIRST_LAYER_KERNELS, GRADIENTS, KERNEL_SWEEP, MOTIFS
from assignments.week11.records import CVReport, GradientData, MotifHit
from assignments.week11.reference_data import (
    GradientReference,
    Matrix,
    canonical_method,
    gradient_reference,
    motif_matrices,
)
from grader.packs import ReportPanel
from grader.records.collected import Item
from grader.records.evidence import HiddenEvaluation
from grader.records.graded import GradedSubmission
from grader.render._charts import PALETTE, Guide, LineChart, Series, line_chart
from grader.render._logos import Logo, information_logo, reverse_complement, weight_logo
from grader.render._student import Fact

__all__ = [
    "CLASSIFIER",
    "GRADIENT_PANEL",
    "KERNELS",
    "PANELS",
    "ClassifierSection",
    "GradientSection",
    "KernelRow",
    "KernelSection",
    "MethodRow",
]

MAX_KERNELS = 8
METHOD_COLORS = {"baseline": "#555555", "skip": "#1f77b4", "batch_norm": "#2ca02c", "relu": "#d62728", "elu": "#9467bd"}
Kernel = Sequence[Sequence[float]]


@dataclass(frozen=True, slots=True)
class MethodRow:
    """One gradient method in the summary table beside the chart."""

    name: str
    color: str
    layers: int
    decades: str
    zero_layers: int
    zero_share: str


@dataclass(frozen=True, slots=True)
class GradientSection:
    """Assignment 1: the student's gradient profiles and the reference study's, on log axes."""

    student: LineChart | None
    reference: LineChart | None
    methods: tuple[MethodRow, ...]
    message: str
    reference_note: str


@dataclass(frozen=True, slots=True)
class ClassifierSection:
    """Assignment 2.5: hidden-set ROC and PR curves beside the reported cross-validation values."""

    roc: LineChart | None
    pr: LineChart | None
    facts: tuple[Fact, ...]
    folds: tuple[tuple[str, str, str], ...]
    messages: tuple[str, ...]
    sweep: tuple[tuple[str, str], ...]
    sweep_message: str


@dataclass(frozen=True, slots=True)
class KernelRow:
    """One first-layer kernel's logo beside its best JASPAR match (if any)."""

    index: int
    logo: Logo
    match: str
    score: str
    jaspar_logo: Logo | None


@dataclass(frozen=True, slots=True)
class KernelSection:
    """Assignment 2.6: first-layer kernels as logos."""

    rows: tuple[KernelRow, ...]
    message: str
    note: str


def _method_color(name: str, used: set[str]) -> str:
    """A fixed colour for a known method (any spelling), else the next free palette colour."""
    canonical = canonical_method(name)
    if canonical in METHOD_COLORS and METHOD_COLORS[canonical] not in used:
        return METHOD_COLORS[canonical]
    return next((c for c in PALETTE if c not in used and c not in METHOD_COLORS.values()), PALETTE[0])


def _decades(values: Sequence[float]) -> str:
    """log10(max/min) over layers as text: ``"1.23"``, ``"∞"`` when a layer is 0."""
    positive = [v for v in values if v > 0]
    if not positive:
        return "–"
    if len(positive) < len(values):
        return "∞"
    return f"{math.log10(max(positive) / min(positive)):.2f}"


def _profile_series(profiles: dict[str, tuple[float, ...]]) -> list[Series]:
    """One series per method, layers numbered from 1 (input side)."""
    used: set[str] = set()
    out = []
    for name, values in profiles.items():
        color = _method_color(name, used)
        used.add(color)
        out.append(Series(name, [float(i + 1) for i in range(len(values))], list(values), color))
    return out


def _zero_share(fractions: Sequence[float] | None) -> str:
    """The largest per-layer share of exactly-zero gradient entries, as a percentage (``–`` if unknown)."""
    return f"{100 * max(fractions):.0f}%" if fractions else "–"


def _gradient_chart(profiles: dict[str, tuple[float, ...]], title: str, note: str = "") -> LineChart:
    """A log-scale chart of per-layer magnitudes."""
    series = _profile_series(profiles)
    depth = max((len(v) for v in profiles.values()), default=1)
    return line_chart(series, title=title, x_label="hidden layer (input side first)", y_label="mean |dL/dW|",
                      log_y=True, x_domain=(1.0, float(max(depth, 2))), note=note)


def _gradient_section(data: Item[GradientData], reference: GradientReference | None) -> GradientSection:
    """Assignment 1's panels: the student's own curves and, beside them, the reference study's."""
    ref_chart = _gradient_chart(dict(reference.profiles), "Reference study (median)") if reference else None
    ref_note = reference.source if reference else "No reference profiles are available for this report."
    if not data.is_ok or data.value is None:
        return GradientSection(None, ref_chart, (), f"No gradient data: {data.reason or data.status.value}", ref_note)
    profiles = dict(data.value.magnitudes)
    has_zero = any(v <= 0 for vals in profiles.values() for v in vals)
    chart = _gradient_chart(profiles, "Your GRADIENTS", "▼ marks a layer whose magnitude is exactly 0." if has_zero else "")
    zeros = data.value.zero_fractions
    rows = tuple(
        MethodRow(line.name, line.color, len(profiles[line.name]), _decades(profiles[line.name]),
                  sum(1 for v in profiles[line.name] if v <= 0), _zero_share(zeros.get(line.name)))
        for line in chart.lines
    )
    return GradientSection(chart, ref_chart, rows, "", ref_note)


# --------------------------------------------------------------------------- classifier


def _mean_sd(values: Sequence[float]) -> str:
    """``"0.812 ± 0.011"`` (sample standard deviation; just the mean for one value)."""
    mean = sum(values) / len(values)
    if len(values) < 2:
        return f"{mean:.3f}"
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
    return f"{mean:.3f} ± {sd:.3f}"


def _curves(hidden: HiddenEvaluation) -> tuple[LineChart, LineChart]:
    """The ROC and precision-recall charts of the hidden-set evaluation."""
    prevalence = hidden.n_positive / hidden.n if hidden.n else 0.0
    roc = line_chart(
        [Series(f"your models (AUC {hidden.roc_auc:.3f})", [p[0] for p in hidden.roc_curve],
                [p[1] for p in hidden.roc_curve], PALETTE[0], markers=False)],
        title="ROC on the hidden set", x_label="false positive rate", y_label="true positive rate",
        x_domain=(0.0, 1.0), y_domain=(0.0, 1.0), guides=[Guide(0, 0, 1, 1, "chance")],
    )
    pr = line_chart(
        [Series(f"your models (AUC {hidden.pr_auc:.3f})", [p[0] for p in hidden.pr_curve],
                [p[1] for p in hidden.pr_curve], PALETTE[1], markers=False)],
        title="Precision-recall on the hidden set", x_label="recall", y_label="precision",
        x_domain=(0.0, 1.0), y_domain=(0.0, 1.0), guides=[Guide(0, prevalence, 1, prevalence, "chance")],
    )
    return roc, pr


def _metric_facts(cv: CVReport | None, hidden: HiddenEvaluation | None) -> tuple[Fact, ...]:
    """Reported (CV) beside measured (hidden set) ROC-AUC and PR-AUC."""
    facts = []
    if cv is not None:
        folds = f"{len(cv.roc_auc)}-fold CV"
        facts.append(Fact(f"ROC-AUC you reported ({folds})", _mean_sd(cv.roc_auc)))
        if cv.pr_auc:
            facts.append(Fact(f"PR-AUC you reported ({folds})", _mean_sd(cv.pr_auc)))
    if hidden is not None:
        facts.append(Fact("ROC-AUC measured on the hidden set", f"{hidden.roc_auc:.3f}"))
        facts.append(Fact("PR-AUC measured on the hidden set", f"{hidden.pr_auc:.3f}"))
        if hidden.per_model_roc_auc:
            facts.append(Fact("ROC-AUC per fold model", ", ".join(f"{v:.3f}" for v in hidden.per_model_roc_auc)))
        facts.append(Fact("Hidden sequences scored", str(hidden.n)))
    return tuple(facts)


def _folds(cv: CVReport | None) -> tuple[tuple[str, str, str], ...]:
    """Per-fold ``(fold, ROC-AUC, PR-AUC)`` text rows."""
    if cv is None:
        return ()
    pr = list(cv.pr_auc) + [math.nan] * (len(cv.roc_auc) - len(cv.pr_auc))
    return tuple((str(i + 1), f"{r:.3f}", "–" if math.isnan(p) else f"{p:.3f}") for i, (r, p) in
                 enumerate(zip(cv.roc_auc, pr, strict=False)))


def _sweep(item: Item[dict[str, float]]) -> tuple[tuple[tuple[str, str], ...], str]:
    """Kernel-size sweep rows, sorted numerically where possible, or the reason there are none."""
    if not item.is_ok or item.value is None:
        return (), item.reason or item.status.value

    def key(size: str) -> tuple[float, str]:
        try:
            return float(size), size
        except ValueError:
            return math.inf, size

    return tuple((k, f"{item.value[k]:.3f}") for k in sorted(item.value, key=key)), ""


def _classifier_section(graded: GradedSubmission) -> ClassifierSection:
    """Assignment 2.5's panel."""
    collected, hidden_item = graded.evidence.collected, graded.evidence.hidden
    cv_item = CV.read(collected)
    cv = cv_item.value if cv_item.is_ok else None
    hidden = hidden_item.value if hidden_item.is_ok else None
    roc, pr = _curves(hidden) if hidden is not None else (None, None)
    messages = []
    if hidden is None:
        messages.append(f"Not evaluated on the hidden set: {hidden_item.reason or hidden_item.status.value}.")
    if cv is None:
        messages.append(f"No cross-validation results (CV_RESULTS): {cv_item.reason or cv_item.status.value}.")
    sweep, sweep_message = _sweep(KERNEL_SWEEP.read(collected))
    return ClassifierSection(roc, pr, _metric_facts(cv, hidden), _folds(cv), tuple(messages), sweep, sweep_message)


# --------------------------------------------------------------------------- kernels


def _norm(kernel: Kernel) -> float:
    """The kernel's L2 norm."""
    return math.sqrt(sum(v * v for row in kernel for v in row))


def _best_hits(hits: Sequence[MotifHit]) -> dict[int, MotifHit]:
    """The highest-scoring hit per kernel index."""
    best: dict[int, MotifHit] = {}
    for hit in hits:
        if hit.kernel_index not in best or hit.score > best[hit.kernel_index].score:
            best[hit.kernel_index] = hit
    return best


def _kernel_row(index: int, kernel: Kernel, hit: MotifHit | None, motifs: Mapping[str, Matrix]) -> KernelRow:
    """One kernel's logo and, when matched, the JASPAR logo (reverse complement for the minus strand)."""
    logo = weight_logo(kernel, caption=f"kernel {index}")
    if hit is None:
        return KernelRow(index, logo, "no JASPAR match", "", None)
    matrix = motifs.get(hit.matrix_id)
    if matrix is not None and hit.strand == "-":
        matrix = reverse_complement(matrix)
    strand = " (reverse complement)" if hit.strand == "-" else ""
    jaspar = information_logo(matrix, caption=f"{hit.matrix_id}{strand}") if matrix is not None else None
    match = f"{hit.name} · {hit.matrix_id}{strand} · offset {hit.offset}"
    return KernelRow(index, logo, match, f"{hit.score:.2f}", jaspar)


def _kernel_section(graded: GradedSubmission, motifs: Mapping[str, Matrix] | None) -> KernelSection:
    """Assignment 2.6's panel: up to :data:`MAX_KERNELS` kernels, matched ones first."""
    item = FIRST_LAYER_KERNELS.read(graded.evidence.collected)
    if not item.is_ok or item.value is None:
        return KernelSection((), f"No first-layer kernels: {item.reason or item.status.value}", "")
    kernels = item.value
    matched = MOTIFS.read(graded.evidence)
    best = _best_hits(matched.value or ()) if matched.is_ok else {}
    order = sorted(best, key=lambda i: -best[i].score) + sorted(
        (i for i in range(len(kernels)) if i not in best), key=lambda i: -_norm(kernels[i])
    )
    chosen = [i for i in order if 0 <= i < len(kernels)][:MAX_KERNELS]
    note = f"Showing {len(chosen)} of {len(kernels)} kernels: JASPAR matches first (best score first), then the largest by weight norm."
    if not matched.is_ok:
        note += f" JASPAR matching: {matched.reason or matched.status.value}."
    rows = tuple(_kernel_row(i, kernels[i], best.get(i), motifs or {}) for i in chosen)
    return KernelSection(rows, "", note)


def _build_gradients(graded: GradedSubmission, reference: GradientReference | None) -> GradientSection:
    return _gradient_section(GRADIENTS.read(graded.evidence.collected), reference)


def _prepare_gradients(graded: Sequence[GradedSubmission], cache_dir: Path | None, compute: bool) -> tuple[Any, str]:
    return gradient_reference(cache_dir, compute)


def _prepare_motifs(graded: Sequence[GradedSubmission], cache_dir: Path | None, compute: bool) -> tuple[Any, str]:
    items = (MOTIFS.read(g.evidence) for g in graded)
    return motif_matrices(h.matrix_id for item in items if item.is_ok for h in (item.value or ()))


def _build_classifier(graded: GradedSubmission, prepared: None) -> ClassifierSection:
    return _classifier_section(graded)


GRADIENT_PANEL = ReportPanel("gradients", "Assignment 1 · Gradient magnitude per layer", "week11_gradients.html.j2",
                             _build_gradients, _prepare_gradients)
CLASSIFIER = ReportPanel("classifier", "Assignment 2.5 · Your classifier on the hidden test set",
                         "week11_classifier.html.j2", _build_classifier)
KERNELS = ReportPanel("kernels", "Assignment 2.6 · First-layer kernels as motifs", "week11_kernels.html.j2",
                      _kernel_section, _prepare_motifs)
PANELS = (GRADIENT_PANEL, CLASSIFIER, KERNELS)
