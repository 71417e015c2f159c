"""Summary statistics of gradient profiles and the evidence rule for Assignment 1.2.

Pure numpy: this module imports neither torch, matplotlib nor lightning, because the grader
imports it when it scores thousands of results. Its input is plain data:

- ``profiles``: a mapping ``method name -> per-layer magnitudes`` (floats, first hidden layer
  first), by default mean |dL/dW| of each hidden weight matrix with the output layer excluded;
- ``zero_fractions`` (optional): a mapping ``method name -> per-layer share of exactly-zero
  gradient entries`` (floats in [0, 1]).

The rule (``shared/design/vanishing-gradients.md``), with every threshold in :class:`EvidenceParams`:

1. Uniformity ``U = log10(max g / min g)`` over layers (decades spanned); ``sdlog`` is the
   population standard deviation of ``log10 g``.
2. A method *drops to zero* if a layer has ``g == 0`` or ``g < relative_floor * max g``, or a
   layer has more than ``max_zero_fraction`` exactly-zero entries.
3. Whether a method of :data:`ZERO_PRONE` (ReLU: dead units give exactly-zero entries that mean
   magnitudes hide) drops to zero *cannot be told* without its zero fractions, unless its
   magnitudes already show it.
4. The chosen method is *supported* if it does not drop to zero (and this can be told) and
   ``U_chosen <= min U + slack_decades``, the minimum taken over the answer options
   (:data:`COUNTERMEASURES`; the baseline is not an option) that do not drop to zero or of which
   this cannot be told.

An answer is judged against every option the sheet names: :func:`evidence_problem` says why a set of
profiles cannot judge one (a method of :data:`METHODS` missing, unequal layer counts, invalid data).
Data problems in a profile (empty, negative, NaN) make that method ``"invalid"`` in its summary;
unknown method names and bad parameters raise :class:`EvidenceError`.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "COUNTERMEASURES",
    "METHODS",
    "ZERO_PRONE",
    "EvidenceError",
    "EvidenceParams",
    "MethodSummary",
    "Verdict",
    "canonical_method",
    "evidence_problem",
    "sdlog",
    "summarize",
    "summarize_all",
    "supported",
    "uniformity",
]

METHODS: Final[tuple[str, ...]] = ("baseline", "skip", "batch_norm", "relu", "elu")
"""Canonical method names, baseline first."""

COUNTERMEASURES: Final[tuple[str, ...]] = ("skip", "batch_norm", "relu", "elu")
"""The answer options of question 1.2."""

ZERO_PRONE: Final[tuple[str, ...]] = ("relu",)
"""Methods whose exactly-zero gradient entries (dead units) mean magnitudes do not show: whether they
drop to zero cannot be told without their zero fractions."""

_ALIASES: Final[dict[str, str]] = {
    "baseline": "baseline",
    "sigmoid": "baseline",
    "sigmoid baseline": "baseline",
    "plain": "baseline",
    "vanilla": "baseline",
    "skip": "skip",
    "skip connection": "skip",
    "skip connections": "skip",
    "residual": "skip",
    "residual connection": "skip",
    "residual connections": "skip",
    "resnet": "skip",
    "batch norm": "batch_norm",
    "batchnorm": "batch_norm",
    "batchnorm1d": "batch_norm",
    "batch norm 1d": "batch_norm",
    "batch normalization": "batch_norm",
    "batch normalisation": "batch_norm",
    "bn": "batch_norm",
    "relu": "relu",
    "relu activation": "relu",
    "rectified linear unit": "relu",
    "elu": "elu",
    "elu activation": "elu",
    "exponential linear unit": "elu",
}

Status = Literal["ok", "drops_to_zero", "cannot_tell", "invalid"]
FloatArray = npt.NDArray[np.float64]


class EvidenceError(ValueError):
    """A method name or a rule parameter is not usable (a harness problem, not a student's)."""


@dataclass(frozen=True)
class EvidenceParams:
    """Thresholds of the evidence rule.

    Attributes:
        relative_floor: a layer with ``g < relative_floor * max g`` counts as zero. Default 1e-6.
        max_zero_fraction: a layer with a larger share of exactly-zero entries counts as
            dropping to zero. Default 0.01 (1%).
        slack_decades: how far (in decades of U) the chosen method may lie above the flattest
            option. Default 0.3.
    """

    relative_floor: float = 1e-6
    max_zero_fraction: float = 0.01
    slack_decades: float = 0.3

    def __post_init__(self) -> None:
        _check_param("relative_floor", self.relative_floor, 0.0, 1.0)
        _check_param("max_zero_fraction", self.max_zero_fraction, 0.0, 1.0)
        _check_param("slack_decades", self.slack_decades, 0.0, math.inf)


def _check_param(name: str, value: float, low: float, high: float) -> None:
    if not (isinstance(value, int | float) and low <= value <= high):
        raise EvidenceError(f"EvidenceParams.{name}: expected a number in [{low}, {high}], got {value!r}")


@dataclass(frozen=True)
class MethodSummary:
    """Statistics of one method's per-layer profile.

    Attributes:
        method: canonical method name.
        n_layers: number of layers in the profile.
        uniformity: U = log10(max g / min g); ``inf`` when a layer is exactly 0, ``nan`` if invalid.
        sdlog: population std of log10 g over layers; ``inf``/``nan`` likewise.
        min_relative: min g / max g (0 when a layer is 0).
        max_zero_fraction: the worst layer's share of exactly-zero entries, ``None`` if not given.
        status: ``"ok"``, ``"drops_to_zero"``, ``"cannot_tell"`` (a :data:`ZERO_PRONE` method
            without zero fractions whose magnitudes do not drop) or ``"invalid"``.
        reason: why the status is not ``"ok"`` (empty when it is).
    """

    method: str
    n_layers: int
    uniformity: float
    sdlog: float
    min_relative: float
    max_zero_fraction: float | None
    status: Status
    reason: str = ""


@dataclass(frozen=True)
class Verdict:
    """Whether a student's choice is supported by their own gradient profiles.

    Attributes:
        choice: canonical name of the chosen method.
        supported: the rule's decision.
        reason: one sentence explaining the decision, with the numbers.
        best_uniformity: min U over options that do not drop to zero or of which this cannot be
            told (``None`` if there is none).
        supported_methods: every option the rule would support on these profiles, flattest first.
        summaries: one :class:`MethodSummary` per method given, in :data:`METHODS` order.
        params: the thresholds used.
    """

    choice: str
    supported: bool
    reason: str
    best_uniformity: float | None
    supported_methods: tuple[str, ...]
    summaries: tuple[MethodSummary, ...]
    params: EvidenceParams = field(default_factory=EvidenceParams)

    def summary(self, method: str) -> MethodSummary | None:
        """The summary of ``method`` (any alias), or ``None`` if it was not given."""
        name = canonical_method(method)
        return next((s for s in self.summaries if s.method == name), None)


def canonical_method(name: str) -> str:
    """Map a method name or alias ("BN", "Batch Norm", "skip connections", ...) to its canonical name.

    Raises:
        EvidenceError: the name is unknown; the message lists the canonical names.
    """
    key = re.sub(r"[\s_\-]+", " ", str(name)).strip().lower()
    if key in _ALIASES:
        return _ALIASES[key]
    close = difflib.get_close_matches(key, list(_ALIASES), n=1)
    hint = f" (did you mean {_ALIASES[close[0]]!r}?)" if close else ""
    raise EvidenceError(f"canonical_method: unknown method {name!r}; expected one of {list(METHODS)}{hint}")


def _as_magnitudes(values: Sequence[float]) -> FloatArray | str:
    """Return a float64 vector, or the reason it is not usable."""
    try:
        array = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        return f"not a sequence of numbers ({exc})"
    if array.ndim != 1 or array.size == 0:
        return f"expected a non-empty 1-D sequence of per-layer values, got shape {array.shape}"
    bad = np.flatnonzero(~np.isfinite(array) | (array < 0))
    if bad.size:
        return f"layer {int(bad[0]) + 1} has {float(array[bad[0]])!r}; expected a finite value >= 0"
    return array


def uniformity(magnitudes: Sequence[float]) -> float:
    """U = log10(max / min) over layers, in decades; ``inf`` if a layer is 0, ``nan`` if all are 0.

    Args:
        magnitudes: per-layer magnitudes, shape (n_layers,), finite and >= 0.
    """
    g = np.asarray(magnitudes, dtype=np.float64)
    top, low = float(g.max()), float(g.min())
    if top == 0.0:
        return math.nan
    return math.inf if low == 0.0 else math.log10(top / low)


def sdlog(magnitudes: Sequence[float]) -> float:
    """Population standard deviation of log10 g over layers; ``inf`` if a layer is 0.

    Args:
        magnitudes: per-layer magnitudes, shape (n_layers,), finite and >= 0.
    """
    g = np.asarray(magnitudes, dtype=np.float64)
    if float(g.min()) == 0.0:
        return math.nan if float(g.max()) == 0.0 else math.inf
    return float(np.std(np.log10(g)))


def _zero_status(
    method: str, g: FloatArray, zeros: FloatArray | None, params: EvidenceParams
) -> tuple[Status, str]:
    top = float(g.max())
    low_layers = np.flatnonzero(g < params.relative_floor * top) if top > 0 else np.arange(g.size)
    if low_layers.size:
        i = int(low_layers[0])
        return (
            "drops_to_zero",
            f"layer {i + 1} has g={g[i]:.3g} < {params.relative_floor:g} x max g ({top:.3g})",
        )
    if zeros is not None and float(zeros.max()) > params.max_zero_fraction:
        i = int(np.argmax(zeros))
        return "drops_to_zero", (
            f"layer {i + 1} has {zeros[i]:.1%} exactly-zero entries > {params.max_zero_fraction:.1%}"
        )
    if zeros is None and method in ZERO_PRONE:
        return "cannot_tell", (
            f"cannot tell whether {method!r} drops to zero: its zero fractions were not given, and mean "
            "magnitudes do not show exactly-zero entries (dead units)"
        )
    return "ok", ""


def _check_zero_fractions(values: Sequence[float], n_layers: int) -> FloatArray | str:
    zeros = _as_magnitudes(values)
    if isinstance(zeros, str):
        return f"zero fractions: {zeros}"
    if zeros.size != n_layers:
        return f"zero fractions have {zeros.size} layers, magnitudes {n_layers}"
    if float(zeros.max()) > 1.0:
        return f"zero fractions must lie in [0, 1], got max {float(zeros.max())!r}"
    return zeros


def summarize(
    method: str,
    magnitudes: Sequence[float],
    zero_fractions: Sequence[float] | None = None,
    params: EvidenceParams | None = None,
) -> MethodSummary:
    """Summarise one method's profile.

    Args:
        method: method name or alias (see :func:`canonical_method`).
        magnitudes: per-layer magnitudes, shape (n_layers,).
        zero_fractions: optional per-layer exact-zero shares, shape (n_layers,), in [0, 1].
        params: thresholds; default :class:`EvidenceParams()`.

    Returns:
        A :class:`MethodSummary`; bad data yields ``status="invalid"`` with the reason.
    """
    name, params = canonical_method(method), params or EvidenceParams()
    g = _as_magnitudes(magnitudes)
    if isinstance(g, str):
        return MethodSummary(name, 0, math.nan, math.nan, math.nan, None, "invalid", g)
    zeros = None if zero_fractions is None else _check_zero_fractions(zero_fractions, g.size)
    if isinstance(zeros, str):
        return MethodSummary(name, int(g.size), math.nan, math.nan, math.nan, None, "invalid", zeros)
    top = float(g.max())
    status, reason = _zero_status(name, g, zeros, params)
    return MethodSummary(
        method=name,
        n_layers=int(g.size),
        uniformity=uniformity(g.tolist()),
        sdlog=sdlog(g.tolist()),
        min_relative=float(g.min()) / top if top > 0 else 0.0,
        max_zero_fraction=None if zeros is None else float(zeros.max()),
        status=status,
        reason=reason,
    )


def _canonical_keys(mapping: Mapping[str, Sequence[float]], what: str) -> dict[str, Sequence[float]]:
    out: dict[str, Sequence[float]] = {}
    for key, values in mapping.items():
        name = canonical_method(key)
        if name in out:
            raise EvidenceError(f"supported: {what} has two entries for {name!r} (second: {key!r})")
        out[name] = values
    return out


def summarize_all(
    profiles: Mapping[str, Sequence[float]],
    params: EvidenceParams | None = None,
    *,
    zero_fractions: Mapping[str, Sequence[float]] | None = None,
) -> tuple[MethodSummary, ...]:
    """Summaries of every method in ``profiles``, in :data:`METHODS` order.

    Args:
        profiles: method name -> per-layer magnitudes.
        params: thresholds; default :class:`EvidenceParams()`.
        zero_fractions: optional method name -> per-layer exact-zero shares.

    Raises:
        EvidenceError: a key is not a known method name, or two keys name the same method.
    """
    given = _canonical_keys(profiles, "profiles")
    zeros = _canonical_keys(zero_fractions or {}, "zero_fractions")
    return tuple(summarize(name, given[name], zeros.get(name), params) for name in METHODS if name in given)


_COMPETING: Final[frozenset[str]] = frozenset({"ok", "cannot_tell"})


def _competitors(summaries: tuple[MethodSummary, ...]) -> list[MethodSummary]:
    """The options the choice is compared with: those that do not drop to zero or may not."""
    return [s for s in summaries if s.method in COUNTERMEASURES and s.status in _COMPETING]


def _not_ok(choice: str, mine: MethodSummary) -> str:
    if mine.status == "cannot_tell":
        return mine.reason
    return f"{choice!r} {'is invalid' if mine.status == 'invalid' else 'drops to zero'}: {mine.reason}"


def _decide(choice: str, summaries: tuple[MethodSummary, ...], params: EvidenceParams) -> tuple[bool, str]:
    mine = next((s for s in summaries if s.method == choice), None)
    if mine is None:
        return False, f"no profile for the chosen method {choice!r}"
    if mine.status != "ok":
        return False, _not_ok(choice, mine)
    best = min(_competitors(summaries), key=lambda s: s.uniformity)
    limit = best.uniformity + params.slack_decades
    verb = "<=" if mine.uniformity <= limit + 1e-12 else ">"
    unsure = (
        f"; {best.method!r} may drop to zero, but without its zero fractions this cannot be told"
        if best.status == "cannot_tell" and verb == ">"
        else ""
    )
    return verb == "<=", (
        f"U({choice})={mine.uniformity:.2f} {verb} min U={best.uniformity:.2f} ({best.method}) "
        f"+ {params.slack_decades:g} decades{unsure}"
    )


def evidence_problem(
    profiles: Mapping[str, Sequence[float]],
    zero_fractions: Mapping[str, Sequence[float]] | None = None,
) -> str | None:
    """Why ``profiles`` cannot judge an answer to 1.2, or ``None`` when they can.

    They can when every method of :data:`METHODS` (the sigmoid baseline and the four options the sheet
    names) has a valid profile (and valid zero fractions, where given) and all have the same number
    of layers.

    Raises:
        EvidenceError: a key is not a known method name, or two keys name the same method.

    Example:
        >>> evidence_problem({"batch_norm": [1.0, 0.7]})
        "no profile for ['baseline', 'skip', 'relu', 'elu']: an answer is judged against the sigmoid baseline and all four options the sheet names"
    """
    summaries = summarize_all(profiles, zero_fractions=zero_fractions)
    missing = [m for m in METHODS if m not in {s.method for s in summaries}]
    if missing:
        return (
            f"no profile for {missing}: an answer is judged against the sigmoid baseline and all four "
            "options the sheet names"
        )
    bad = [f"{s.method!r}: {s.reason}" for s in summaries if s.status == "invalid"]
    if bad:
        return "; ".join(bad)
    layers = {s.method: s.n_layers for s in summaries}
    if len(set(layers.values())) > 1:
        return (
            f"the profiles have different numbers of layers {layers}; record every method on the same depth"
        )
    return None


def supported(
    choice: str,
    profiles: Mapping[str, Sequence[float]],
    params: EvidenceParams | None = None,
    *,
    zero_fractions: Mapping[str, Sequence[float]] | None = None,
) -> Verdict:
    """Decide whether ``choice`` is supported by ``profiles`` under the evidence rule.

    The rule compares the options given; whether the profiles are complete enough to judge an answer
    (all five methods, equal depths, valid data) is :func:`evidence_problem`'s question.

    Args:
        choice: the chosen countermeasure (any alias of "skip", "batch_norm", "relu", "elu").
        profiles: method name -> per-layer magnitudes, each of shape (n_layers,).
        params: thresholds; default ``EvidenceParams(1e-6, 0.01, 0.3)``.
        zero_fractions: optional method name -> per-layer exact-zero shares in [0, 1].

    Returns:
        A :class:`Verdict`.

    Raises:
        EvidenceError: unknown or duplicate method names, or ``choice`` is not an answer option.

    Example:
        >>> supported("BN", {"skip": [1.0, 0.1], "batch_norm": [1.0, 0.7]}).supported
        True
    """
    params = params or EvidenceParams()
    name = canonical_method(choice)
    if name not in COUNTERMEASURES:
        raise EvidenceError(
            f"supported: choice {choice!r} is not an answer option; expected one of {list(COUNTERMEASURES)}"
        )
    summaries = summarize_all(profiles, params, zero_fractions=zero_fractions)
    is_supported, reason = _decide(name, summaries, params)
    best = min((s.uniformity for s in _competitors(summaries)), default=None)
    backed = tuple(
        s.method
        for s in sorted(_competitors(summaries), key=lambda s: s.uniformity)
        if s.status == "ok" and best is not None and s.uniformity <= best + params.slack_decades + 1e-12
    )
    return Verdict(name, is_supported, reason, best, backed, summaries, params)
