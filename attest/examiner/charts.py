"""Examiner statistics over time as SVG line charts (the shapes of attest.admin.charts)."""

from __future__ import annotations

from collections.abc import Sequence

from attest.admin.charts import HEIGHT, PAD, WIDTH, Chart
from attest.examiner.quality import ExaminerQuality


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


def quality_charts(q: ExaminerQuality) -> dict[str, Chart]:
    """Return the weekly charts of exact agreement, kappa and severity."""
    labels = [week for week, _s in q.weekly]
    return {
        "exact": series_chart([s.exact for _w, s in q.weekly], labels, 0.0, 1.0),
        "kappa": series_chart([s.kappa for _w, s in q.weekly], labels, -1.0, 1.0),
        "severity": series_chart([s.severity for _w, s in q.weekly], labels, -2.0, 2.0),
    }
