"""Chart and logo geometry: ticks, log axes with zeros, histogram counts, logo heights."""

from __future__ import annotations

import math

import pytest

from grader.render._charts import Series, histogram, line_chart
from grader.render._logos import information_logo, reverse_complement, weight_logo


def test_log_axis_spans_whole_decades_and_puts_zeros_on_the_floor() -> None:
    chart = line_chart([Series("relu", [1, 2, 3], [0.0, 1e-4, 3e-2], "#d62728")], title="t", x_label="x",
                       y_label="y", log_y=True)
    assert [t.label for t in chart.y_ticks] == ["10⁻⁴", "10⁻³", "10⁻²", "10⁻¹"]
    (line,) = chart.lines
    assert line.floor_markers == ((chart.left, chart.bottom),)
    assert len(line.markers) == 2 and line.points.count(",") == 3


def test_linear_axis_maps_domain_ends_to_the_plot_edges() -> None:
    chart = line_chart([Series("roc", [0.0, 1.0], [0.0, 1.0], "#000", markers=False)], title="t", x_label="x",
                       y_label="y", x_domain=(0, 1), y_domain=(0, 1))
    assert chart.lines[0].points == f"{chart.left},{chart.bottom} {chart.right},{chart.top}"
    assert [t.label for t in chart.x_ticks] == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]


def test_non_finite_values_are_skipped() -> None:
    chart = line_chart([Series("s", [1, 2, 3], [1.0, math.nan, math.inf], "#000")], title="t", x_label="x",
                       y_label="y", log_y=True)
    assert chart.lines[0].points.count(",") == 1


def test_histogram_counts_values_per_bin_and_closes_the_last_bin() -> None:
    chart = histogram([0, 1, 1, 2, 2, 2, 3], [0, 1, 2, 3], title="t", x_label="x")
    assert [b.tooltip for b in chart.bars] == ["0–1: 1", "1–2: 2", "2–3: 4"]
    assert chart.bars[2].height > chart.bars[1].height > chart.bars[0].height
    with pytest.raises(ValueError, match="at least two bin edges"):
        histogram([1], [0], title="t", x_label="x")


def test_information_logo_of_a_certain_base_is_two_bits_tall() -> None:
    logo = information_logo([[1, 0], [0, 0], [0, 0], [0, 1]])
    letters = [letter for letter in logo.letters if letter.height > 1]
    assert [letter.base for letter in letters] == ["A", "T"]
    assert letters[0].height == pytest.approx(logo.baseline - 3.0, abs=0.05)


def test_uniform_column_has_no_letters() -> None:
    assert information_logo([[1], [1], [1], [1]]).letters == ()


def test_weight_logo_is_centred_per_position() -> None:
    logo = weight_logo([[1.0], [0.0], [0.0], [-1.0]])
    above = [g for g in logo.letters if g.y < logo.baseline]
    below = [g for g in logo.letters if g.y >= logo.baseline]
    assert [g.base for g in above] == ["A"] and [g.base for g in below] == ["T"]


def test_reverse_complement_is_an_involution() -> None:
    m = ((1.0, 2.0), (3.0, 4.0), (5.0, 6.0), (7.0, 8.0))
    assert reverse_complement(m) == ((8.0, 7.0), (6.0, 5.0), (4.0, 3.0), (2.0, 1.0))
    assert reverse_complement(reverse_complement(m)) == m


def test_logo_rejects_a_wrong_shape() -> None:
    with pytest.raises(ValueError, match=r"\(4, width\)"):
        weight_logo([[1.0, 2.0], [1.0]])
