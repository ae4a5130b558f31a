"""Charts as plain SVG data for the templates (no JavaScript, no inline styles): curves over
theta (item and test information), bars, and one value per period. Pure: shared by the admin
and examiner pages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from attest.assessment.irt import ItemParams, p_2pl, test_information

WIDTH, HEIGHT, PAD = 560, 220, 36
THETA = np.linspace(-4.0, 4.0, 81)


@dataclass(frozen=True)
class Chart:
    """One line over theta, scaled into an SVG viewport, with ticks and marked cut scores."""

    points: str
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    marks: list[tuple[float, str]]
    width: int = WIDTH
    height: int = HEIGHT
    pad: int = PAD


def line_chart(
    ys: Sequence[float], y_max: float, marks: Mapping[str, float] | None = None
) -> Chart:
    """Scale a curve over THETA into SVG coordinates (y upwards from the bottom axis)."""
    y_max = max(float(y_max), 1e-9)

    def x_of(theta: float) -> float:
        return PAD + (theta - THETA[0]) / (THETA[-1] - THETA[0]) * (WIDTH - 2 * PAD)

    def y_of(value: float) -> float:
        return HEIGHT - PAD - value / y_max * (HEIGHT - 2 * PAD)

    ys = np.ravel(np.asarray(ys, dtype=float))
    points = " ".join(f"{x_of(t):.1f},{y_of(y):.1f}" for t, y in zip(THETA, ys, strict=True))
    return Chart(
        points=points,
        x_ticks=[(x_of(t), f"{t:g}") for t in range(-4, 5, 2)],
        y_ticks=[(y_of(v), f"{v:.2g}") for v in np.linspace(0, y_max, 3)],
        marks=[(x_of(v), name) for name, v in (marks or {}).items() if THETA[0] <= v <= THETA[-1]],
    )


def characteristic_curve(difficulty: float, marks: Mapping[str, float] | None = None) -> Chart:
    """Return the Rasch item characteristic curve P(correct | theta) (Rasch 1960)."""
    return line_chart(np.ravel(p_2pl(THETA, 1.0, difficulty)), 1.0, marks)


def information_function(
    difficulties: Sequence[float], marks: Mapping[str, float] | None = None
) -> Chart:
    """Return the test information function of a set of Rasch items (Lord 1980)."""
    info = test_information(THETA, [ItemParams(b=float(b)) for b in difficulties])
    return line_chart(info, float(np.max(info)) if len(difficulties) else 1.0, marks)


def series_chart(
    values: Sequence[float | None], labels: Sequence[str], y_min: float, y_max: float
) -> Chart:
    """Scale one value per period into SVG coordinates; periods without data are skipped."""
    n = max(len(values), 1)

    def x_of(i: int) -> float:
        return PAD + (i + 0.5) / n * (WIDTH - 2 * PAD)

    def y_of(v: float) -> float:
        v = min(max(v, y_min), y_max)
        return HEIGHT - PAD - (v - y_min) / (y_max - y_min) * (HEIGHT - 2 * PAD)

    points = " ".join(f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in enumerate(values) if v is not None)
    step = max(1, n // 6)
    return Chart(
        points=points,
        x_ticks=[(x_of(i), label) for i, label in enumerate(labels) if i % step == 0],
        y_ticks=[(y_of(v), f"{v:g}") for v in (y_min, (y_min + y_max) / 2, y_max)],
        marks=[],
    )


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: str


@dataclass(frozen=True)
class BarChart:
    """Vertical bars with their labels; a suppressed value draws no bar and says so."""

    bars: list[Bar]
    baseline: float
    width: int = WIDTH
    height: int = HEIGHT
    pad: int = PAD


def bar_chart(
    items: Sequence[tuple[str, float | None]], y_max: float | None = None, unit: str = ""
) -> BarChart:
    """Scale (label, value) pairs into SVG bars; None (suppressed) is labelled '<5'."""
    values = [v for _label, v in items if v is not None]
    top = max(float(y_max or 0.0), *(float(v) for v in values), 1e-9) if values else 1.0
    slot = (WIDTH - 2 * PAD) / max(len(items), 1)
    baseline = HEIGHT - PAD
    bars = []
    for k, (label, value) in enumerate(items):
        h = 0.0 if value is None else float(value) / top * (HEIGHT - 2 * PAD)
        text = "<5" if value is None else f"{value:g}{unit}"
        bars.append(Bar(PAD + k * slot + slot * 0.15, baseline - h, slot * 0.7, h, label, text))
    return BarChart(bars=bars, baseline=baseline)
