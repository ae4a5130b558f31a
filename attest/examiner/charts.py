"""Examiner statistics over time as SVG line charts (`attest.charts.series_chart`)."""

from __future__ import annotations

from attest.charts import Chart, series_chart
from attest.examiner.quality import ExaminerQuality


def quality_charts(q: ExaminerQuality) -> dict[str, Chart]:
    """Return the weekly charts of exact agreement, kappa and severity."""
    labels = [week for week, _s in q.weekly]
    return {
        "exact": series_chart([s.exact for _w, s in q.weekly], labels, 0.0, 1.0),
        "kappa": series_chart([s.kappa for _w, s in q.weekly], labels, -1.0, 1.0),
        "severity": series_chart([s.severity for _w, s in q.weekly], labels, -2.0, 2.0),
    }
