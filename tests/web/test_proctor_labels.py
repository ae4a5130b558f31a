"""The proctor's session page speaks plainly: no internal code is shown, each has a Dutch label
and a tooltip, skills waiting for examiners say so, points are explained (issue 20)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from attest.assessment.session_events import log_session_event
from attest.models import Role
from tests.factories import (
    make_candidate,
    make_centre,
    make_completed_session,
    make_speaking_performance,
    make_user,
)
from tests.web.helpers import login

RAW_CODES = (
    "a2-volledig",
    "completed",
    "microphone_ok",
    "section_closed",
    "focus_lost",
    "hidden",
    "done",
    "time_up",
    "level_decided",
    "niet getest",
)


def _visible_text(html: str) -> str:
    """The text a person reads: tags, attributes and scripts left out."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_session_page_shows_labels_not_codes(app, db, client):
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    cand = make_candidate(db, centre=centre)
    ts = make_completed_session(
        db, candidate=cand, levels={"listening": "A2", "reading": "A2", "writing": "A1"}
    )
    make_speaking_performance(db, ts)
    now = datetime.now(UTC)
    log_session_event(db, ts, "microphone_ok", at=now - timedelta(minutes=9))
    log_session_event(db, ts, "focus_lost", at=now - timedelta(minutes=8), how="hidden")
    log_session_event(
        db, ts, "section_closed", at=now - timedelta(minutes=7), skill="listening", reason="done"
    )
    db.commit()
    login(client, proctor.username)
    html = client.get(f"/proctor/sessions/{ts.id}").get_data(as_text=True)
    text = _visible_text(html)

    for code in RAW_CODES:
        assert code not in text, code
    for label in (
        "A2 volledig (vier vaardigheden)",
        "afgerond",
        "microfoontest in orde",
        "focus verloren · ander venster of tabblad",
        "deel afgesloten · luisteren · klaar",
        "wacht op examinatoren",
        "1 van 1",
    ):
        assert label in text, label
    # every event and the status carry a tooltip that says what it means
    items = re.findall(r'<li data-kind="([^"]+)" title="([^"]*)"', html)
    assert len(items) == 3 and all(title for _kind, title in items)
    assert re.search(r'data-status="completed" title="De kandidaat is klaar', html)
    assert re.search(r'<th title="Behaalde punten van het maximum', html)
