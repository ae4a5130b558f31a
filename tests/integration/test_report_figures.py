"""The psychometric report explains every figure it shows (issue [12] item 5)."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from attest.admin import report_figures
from attest.assessment import calibration
from attest.assessment.decision_accuracy import BAR
from attest.models import Role
from tests.factories import make_user
from tests.web.helpers import login


class _Figures(HTMLParser):
    """Collect the figures a page shows, the explanations it gives, and every table header."""

    def __init__(self):
        super().__init__()
        self.shown: list[str] = []
        self.explained: dict[str, list[str]] = {}
        self.headers: list[dict] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-figure" in attrs:
            self.shown.append(attrs["data-figure"])
        if tag == "th":
            self.headers.append(attrs)
        if "data-explains" in attrs:
            self._in = attrs["data-explains"]
            self.explained[self._in] = []
        elif tag == "dt":
            self._in = None

    def handle_data(self, data):
        if self._in and data.strip():
            self.explained[self._in].append(data.strip())


def _report(client, lang: str = "nl") -> _Figures:
    page = client.get(f"/admin/items/report?skill=reading&lang={lang}")
    assert page.status_code == 200
    parser = _Figures()
    parser.feed(page.get_data(as_text=True))
    return parser


def test_every_figure_on_the_report_has_its_explanation(db, client, bank_data):
    admin = make_user(db, role=Role.ADMIN)
    db.commit()
    login(client, admin.username)
    page = _report(client)
    # all sections are on the page: information, cuts, decisions, exposure and calibration
    for key in ("information", "accuracy_rudner", "reliability", "exposure", "infit", "drift"):
        assert key in page.shown
    # every column of every table is either a figure or names the row
    for header in page.headers:
        assert "data-figure" in header or header.get("data-label") in report_figures.LABELS
    missing = set(page.shown) - set(page.explained)
    assert not missing, f"figures without an explanation: {sorted(missing)}"
    for key in page.shown:
        # the name, what it is, "Goed:" + a good value, "Wat te doen:" + the action
        parts = page.explained[key]
        assert "Goed:" in parts and "Wat te doen:" in parts and len(parts) >= 6, key
    english = _report(client, "en")
    assert set(english.shown) <= set(english.explained)
    assert "Good:" in english.explained["infit"]


def test_a_figure_without_an_explanation_cannot_be_rendered():
    with pytest.raises(KeyError):
        report_figures.figure("new_unexplained_figure")


def test_every_explanation_is_complete_and_thresholds_match_the_code(app):
    keys = [f.key for f in report_figures.FIGURES]
    assert len(keys) == len(set(keys))
    with app.test_request_context("/?lang=en"):
        for fig in report_figures.FIGURES:
            for text in (fig.name, fig.what, fig.good, fig.action):
                assert str(text).strip(), fig.key
            for source in fig.sources:
                assert source.citation and (source.url is None or source.url.startswith("https"))
    fig = report_figures.figure
    low, high = calibration.FIT_RANGE
    for key in ("infit", "outfit"):
        assert f"{low:.1f} en {high:.1f}".replace(".", ",") in str(fig(key).good)
        assert fig(key).sources  # the fit range comes from the literature
    assert f"{calibration.MIN_RESPONSES}" in str(fig("n_responses").good)
    assert f"{calibration.MIN_POINT_BISERIAL:.2f}".replace(".", ",") in str(
        fig("point_biserial").good
    )
    assert f"{BAR:.2f}".replace(".", ",") in str(fig("accuracy_rudner").good)
    assert "0,25" in str(fig("exposure").good)
