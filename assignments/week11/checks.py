"""The checks of Week 11's criterion kinds (``assignments.week11.criteria``), registered with ``@check``.

``motif_match`` reads the grader's JASPAR matches (``assignments.week11.motifs``), ``gradient_uniformity``
the student's GRADIENTS through the reference's rule (``assignments.week11.gradient_rule``),
``kernel_sweep_run`` KERNEL_SWEEP.
"""

from __future__ import annotations

from assignments.week11.criteria import GradientUniformity, KernelSweepRun, MotifMatchCriterion
from assignments.week11.gradient_rule import judge
from assignments.week11.items import GRADIENTS, KERNEL_SWEEP, MOTIFS
from assignments.week11.records import MotifHit
from grader.rubric import ChoiceCriterion, DeferredCriterion, Unreadable, read_choice
from grader.score._checks import check
from grader.score._outcome import Context, Outcome, fmt

__all__: list[str] = []


def _hit_text(hit: MotifHit) -> str:
    return f"kernel {hit.kernel_index} ~ {hit.name} ({hit.matrix_id}, score {fmt(hit.score)})"


@check(MotifMatchCriterion)
def _check_motif(criterion: MotifMatchCriterion, ctx: Context) -> Outcome:
    item = MOTIFS.read(ctx.evidence)
    if item.value is None or not item.is_ok:
        return Outcome.from_item(item, "motif matches of the first-layer kernels")
    hits = sorted(item.value, key=lambda h: (-h.score, h.kernel_index, h.name))
    good = [h for h in hits if h.score >= criterion.min_score and criterion.family_of(h.name)]
    kernels = sorted({h.kernel_index for h in good})
    families = "/".join(criterion.families)
    if len(kernels) >= criterion.min_kernels:
        return Outcome.ok(
            f"{len(kernels)} kernel(s) match {families}: " + "; ".join(map(_hit_text, good[:3]))
        )
    best = "; ".join(map(_hit_text, hits[:3])) or "no matches"
    return Outcome.fail(
        f"{len(kernels)} kernel(s) match {families} with score >= {fmt(criterion.min_score)}, "
        f"{criterion.min_kernels} needed (best: {best})"
    )


def _chosen_option(criterion: GradientUniformity, ctx: Context) -> str | Outcome:
    source = ctx.question.criterion(criterion.choice)
    if not isinstance(source, ChoiceCriterion | DeferredCriterion):
        raise TypeError(f"{criterion.id}.choice names {source.kind!r}; the rubric loader only allows choices")
    item = ctx.answer(source.answer)
    if item.value is None or not item.is_ok:
        return Outcome.unavailable(item.status, f"no choice to check: {item.reason or 'no answer'}")
    option = read_choice(item.value, source.table)
    if isinstance(option, Unreadable):
        return Outcome.invalid(f"no choice to check: {option.reason}")
    return option


@check(GradientUniformity)
def _check_gradient_uniformity(criterion: GradientUniformity, ctx: Context) -> Outcome:
    option = _chosen_option(criterion, ctx)
    if isinstance(option, Outcome):
        return option
    item = GRADIENTS.read(ctx.evidence.collected)
    if item.value is None or not item.is_ok:
        return Outcome.from_item(item, "GRADIENTS")
    judgement = judge(option, item.value, criterion, ctx.question)
    if judgement.status == "invalid":
        return Outcome.invalid(f"GRADIENTS: {judgement.reason}")
    verb = "is supported" if judgement.status == "supported" else "is not supported"
    return (Outcome.ok if judgement.status == "supported" else Outcome.fail)(
        f"{option!r} {verb} by your GRADIENTS: {judgement.reason}"
    )


@check(KernelSweepRun)
def _check_kernel_sweep(criterion: KernelSweepRun, ctx: Context) -> Outcome:
    item = KERNEL_SWEEP.read(ctx.evidence.collected)
    if item.value is None or not item.is_ok:
        return Outcome.from_item(item, "KERNEL_SWEEP")
    sizes = sorted(item.value, key=lambda k: (len(k), k))
    stated = f"{len(sizes)} kernel size(s) tried ({', '.join(sizes)})"
    if len(sizes) >= criterion.min_sizes:
        return Outcome.ok(stated)
    return Outcome.fail(f"{stated}; at least {criterion.min_sizes} needed")
