"""Bar charts drawn on the server as inline SVG (the pages run no chart script): pure
layout, the template draws the shapes."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    series: int
    label: str


@dataclass(frozen=True)
class Chart:
    """A grouped bar chart laid out for an inline SVG (drawn by the template)."""

    width: int
    height: int
    top: int
    bottom: float
    left: int
    bars: list[Bar]
    groups: list[tuple[float, str]]
    ticks: list[tuple[float, int]]
    series: list[str]


def _nice_step(peak: int, most: int = 5) -> int:
    """A round step (1, 2 or 5 × 10ⁿ) giving at most `most` ticks up to `peak`."""
    if peak <= 0:
        return 1
    raw = peak / most
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return max(1, int(factor * power))
    return int(10 * power)


def bar_chart(
    groups: list[str], series: list[tuple[str, list[int]]], *, width: int = 720, height: int = 260
) -> Chart:
    """Grouped vertical bars: one group per label, one bar per series in each group."""
    left, top, bottom_margin, right = 48, 12, 40, 8
    plot_w, plot_h = width - left - right, height - top - bottom_margin
    bottom = float(top + plot_h)
    peak = max((v for _, values in series for v in values), default=0)
    step = _nice_step(peak)
    scale_max = max(step, math.ceil(peak / step) * step)
    slot = plot_w / max(1, len(groups))
    bar_w = slot * 0.8 / max(1, len(series))
    bars, centres = [], []
    for g, label in enumerate(groups):
        start = left + g * slot + slot * 0.1
        centres.append((round(left + (g + 0.5) * slot, 1), label))
        for s, (name, values) in enumerate(series):
            value = max(0, int(values[g]))
            h = plot_h * value / scale_max
            bars.append(
                Bar(x=round(start + s * bar_w, 1), y=round(bottom - h, 1), width=round(bar_w, 1),
                    height=round(h, 1), value=value, series=s, label=f"{label} · {name}")
            )  # fmt: skip
    ticks = [(round(bottom - plot_h * v / scale_max, 1), v) for v in range(0, scale_max + 1, step)]
    return Chart(width, height, top, bottom, left, bars, centres, ticks, [n for n, _ in series])
