"""Geometry of the small charts in the reports, drawn as inline SVG by ``templates/_charts.html.j2``.

The functions here compute pixel coordinates, ticks and labels; they emit no markup (the templates do,
with autoescaping, so student-written series names are safe). Line charts and histograms with a few
hundred points take well under a millisecond, which keeps 300 reports inside the render budget.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "PALETTE",
    "Bar",
    "BarChart",
    "Guide",
    "Line",
    "LineChart",
    "Series",
    "Tick",
    "histogram",
    "line_chart",
]

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf")
"""Colours for series without a fixed colour, in order."""

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_MARGIN = (46.0, 10.0, 12.0, 34.0)  # left, top, right, bottom


@dataclass(frozen=True, slots=True)
class Series:
    """Data for one line: ``xs`` and ``ys`` of equal length, drawn in ``color``."""

    name: str
    xs: Sequence[float]
    ys: Sequence[float]
    color: str
    dashed: bool = False
    markers: bool = True


@dataclass(frozen=True, slots=True)
class Guide:
    """A straight grey reference line, e.g. the ROC chance diagonal (data units in, pixels out)."""

    x1: float
    y1: float
    x2: float
    y2: float
    label: str = ""


@dataclass(frozen=True, slots=True)
class Tick:
    """One axis tick at pixel position ``at``."""

    at: float
    label: str


@dataclass(frozen=True, slots=True)
class Line:
    """One series in pixels: an SVG ``points`` string, marker positions and floor markers."""

    name: str
    color: str
    points: str
    dashed: bool
    markers: tuple[tuple[float, float], ...]
    floor_markers: tuple[tuple[float, float], ...]


@dataclass(frozen=True, slots=True)
class LineChart:
    """A complete line chart in pixels (``width x height``), ready for the template."""

    title: str
    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    x_label: str
    y_label: str
    lines: tuple[Line, ...]
    guides: tuple[Guide, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Bar:
    """One histogram bar in pixels, with a tooltip."""

    x: float
    y: float
    width: float
    height: float
    tooltip: str
    highlight: bool = False


@dataclass(frozen=True, slots=True)
class BarChart:
    """A histogram in pixels; ``markers`` are vertical lines ``(x, label)``."""

    title: str
    width: int
    height: int
    left: float
    top: float
    right: float
    bottom: float
    bars: tuple[Bar, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    x_label: str
    y_label: str
    markers: tuple[tuple[float, str], ...] = ()


@dataclass(frozen=True, slots=True)
class _Scale:
    """Maps a data interval onto a pixel interval, linearly or in log10."""

    lo: float
    hi: float
    px_lo: float
    px_hi: float
    log: bool = False

    def __call__(self, value: float) -> float:
        v, lo, hi = (math.log10(value), math.log10(self.lo), math.log10(self.hi)) if self.log else (value, self.lo, self.hi)
        span = (hi - lo) or 1.0
        return round(self.px_lo + (v - lo) / span * (self.px_hi - self.px_lo), 1)


def _nice_step(span: float, target: int, *, integer: bool = False) -> float:
    """A 1-2-5 step (also 2.5 unless ``integer``) that cuts ``span`` into about ``target`` intervals."""
    raw = span / max(target, 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    multiples = (1.0, 2.0, 5.0, 10.0) if integer else (1.0, 2.0, 2.5, 5.0, 10.0)
    return max(next(m * magnitude for m in multiples if m * magnitude >= raw), 1.0 if integer else 0.0)


def _format_tick(value: float, step: float) -> str:
    """A tick label with just enough decimals for ``step``."""
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else 0
    return f"{value:.{decimals}f}"


def _linear_ticks(scale: _Scale, target: int = 5) -> tuple[Tick, ...]:
    """Ticks at multiples of a 1-2-5 step inside the scale's domain."""
    step = _nice_step(scale.hi - scale.lo, target)
    first = math.ceil(scale.lo / step - 1e-9)
    values = [k * step for k in range(first, math.floor(scale.hi / step + 1e-9) + 1)]
    return tuple(Tick(scale(v), _format_tick(v, step)) for v in values)


def _log_ticks(scale: _Scale) -> tuple[Tick, ...]:
    """Ticks at powers of ten (every second or third one when there are many)."""
    lo, hi = math.ceil(math.log10(scale.lo) - 1e-9), math.floor(math.log10(scale.hi) + 1e-9)
    stride = max(1, math.ceil((hi - lo + 1) / 6))
    return tuple(Tick(scale(10.0**e), "10" + str(e).translate(_SUPERSCRIPT)) for e in range(lo, hi + 1, stride))


def _log_domain(values: Sequence[float]) -> tuple[float, float]:
    """Whole decades around the positive finite ``values`` (``(1e-3, 1)`` when there are none)."""
    positive = [v for v in values if v > 0 and math.isfinite(v)]
    if not positive:
        return 1e-3, 1.0
    lo, hi = math.floor(math.log10(min(positive))), math.ceil(math.log10(max(positive)))
    return 10.0**lo, 10.0 ** max(hi, lo + 1)


def _linear_domain(values: Sequence[float]) -> tuple[float, float]:
    """The finite range of ``values``, widened when flat (``(0, 1)`` when empty)."""
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return 0.0, 1.0
    lo, hi = min(finite), max(finite)
    return (lo - 0.5, hi + 0.5) if hi == lo else (lo, hi)


def _line(series: Series, sx: _Scale, sy: _Scale) -> Line:
    """``series`` in pixels; on a log axis, values <= 0 become floor markers."""
    pts: list[tuple[float, float]] = []
    floor: list[tuple[float, float]] = []
    for x, y in zip(series.xs, series.ys, strict=False):
        if not (math.isfinite(x) and math.isfinite(y)):
            continue
        if sy.log and y <= 0:
            floor.append((sx(x), sy.px_lo))
            pts.append((sx(x), sy.px_lo))
            continue
        pts.append((sx(x), sy(min(max(y, sy.lo), sy.hi))))
    text = " ".join(f"{x},{y}" for x, y in pts)
    markers = tuple(p for p in pts if p not in floor) if series.markers else ()
    return Line(series.name, series.color, text, series.dashed, markers, tuple(floor))


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    x_label: str,
    y_label: str,
    log_y: bool = False,
    x_domain: tuple[float, float] | None = None,
    y_domain: tuple[float, float] | None = None,
    guides: Sequence[Guide] = (),
    width: int = 340,
    height: int = 230,
    note: str = "",
) -> LineChart:
    """Lay out ``series`` in a ``width x height`` chart; domains default to the data's range.

    With ``log_y`` the y axis spans whole decades and values <= 0 are drawn at the axis floor.
    """
    left, top, right, bottom = _MARGIN[0], _MARGIN[1], width - _MARGIN[2], height - _MARGIN[3]
    all_x = [x for s in series for x in s.xs]
    all_y = [y for s in series for y in s.ys]
    xd = x_domain or _linear_domain(all_x)
    yd = y_domain or (_log_domain(all_y) if log_y else _linear_domain(all_y))
    sx, sy = _Scale(xd[0], xd[1], left, right), _Scale(yd[0], yd[1], bottom, top, log=log_y)
    return LineChart(
        title=title, width=width, height=height, left=left, top=top, right=right, bottom=bottom,
        x_ticks=_linear_ticks(sx), y_ticks=_log_ticks(sy) if log_y else _linear_ticks(sy),
        x_label=x_label, y_label=y_label, lines=tuple(_line(s, sx, sy) for s in series),
        guides=tuple(Guide(sx(g.x1), sy(g.y1), sx(g.x2), sy(g.y2), g.label) for g in guides), note=note,
    )


def _counts(values: Sequence[float], edges: Sequence[float]) -> list[int]:
    """How many ``values`` fall in each ``[edges[i], edges[i+1])``; the last bin is closed."""
    counts = [0] * (len(edges) - 1)
    for v in values:
        for i in range(len(counts)):
            if edges[i] <= v < edges[i + 1] or (i == len(counts) - 1 and v == edges[-1]):
                counts[i] += 1
                break
    return counts


def histogram(
    values: Sequence[float],
    edges: Sequence[float],
    *,
    title: str,
    x_label: str,
    y_label: str = "submissions",
    markers: Sequence[tuple[float, str]] = (),
    width: int = 420,
    height: int = 220,
    tick_every: int = 1,
    label_bins: bool = False,
) -> BarChart:
    """A histogram of ``values`` over bins ``edges`` (ascending, at least two), with vertical ``markers``.

    Ticks mark every ``tick_every``-th edge, or with ``label_bins`` sit under each bin's centre labelled
    with its lower edge (for one-point bins of integer scores).
    """
    if len(edges) < 2:
        raise ValueError(f"histogram: need at least two bin edges, got {list(edges)}")
    counts = _counts(values, edges)
    left, top, right, bottom = _MARGIN[0], _MARGIN[1] + 6, width - _MARGIN[2], height - _MARGIN[3]
    sx = _Scale(edges[0], edges[-1], left, right)
    sy = _Scale(0.0, float(max(max(counts), 1)), bottom, top)
    bars = tuple(
        Bar(sx(edges[i]) + 1, sy(c), max(sx(edges[i + 1]) - sx(edges[i]) - 2, 1.0), round(bottom - sy(c), 1),
            f"{_format_edge(edges[i])}–{_format_edge(edges[i + 1])}: {c}")
        for i, c in enumerate(counts)
    )
    if label_bins:
        x_ticks = tuple(Tick(round((sx(a) + sx(b)) / 2, 1), _format_edge(a)) for a, b in itertools.pairwise(edges))
        x_ticks = x_ticks[::tick_every]
    else:
        x_ticks = tuple(Tick(sx(e), _format_edge(e)) for e in edges[::tick_every])
    y_step = _nice_step(float(max(max(counts), 1)), 4, integer=True)
    y_ticks = tuple(Tick(sy(v), str(int(v))) for v in _arange(0.0, float(max(max(counts), 1)), y_step))
    return BarChart(title, width, height, left, top, right, bottom, bars, x_ticks, y_ticks, x_label, y_label,
                    tuple((sx(x), label) for x, label in markers))


def _format_edge(value: float) -> str:
    """A bin edge as short text: ``3.0 -> "3"``, ``0.75 -> "0.75"``."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _arange(start: float, stop: float, step: float) -> list[float]:
    """``start, start + step, ...`` up to and including ``stop``."""
    return [start + k * step for k in range(int((stop - start) / step + 1e-9) + 1)]
