"""Allocation never leaves work without an eligible examiner silently: the admin sees a banner
on every staff page and the Wachttijden page names the blocked work and why (issue 20)."""

from __future__ import annotations

from datetime import UTC, datetime

from attest.examiner.quality import exempt_from_calibration
from attest.examiner.scoring import allocate_waiting
from attest.models import Role
from tests.factories import (
    make_candidate,
    make_centre,
    make_completed_session,
    make_speaking_performance,
    make_user,
)
from tests.web.helpers import login


def _centre_with_examiners(db, regular: int, seniors: int):
    centre = make_centre(db)
    admin = make_user(db, role=Role.ADMIN)
    now = datetime.now(UTC)
    for i in range(regular + seniors):
        examiner = make_user(db, role=Role.EXAMINER, centre=centre)
        examiner.is_senior_examiner = i >= regular
        exempt_from_calibration(db, examiner, admin, now)
    return centre, admin


def test_blocked_work_is_named_with_the_reason(app, db, client):
    # The old demo: two examiners and one senior give three pairs; five tasks need five.
    centre, admin = _centre_with_examiners(db, regular=2, seniors=1)
    ts = make_completed_session(db, candidate=make_candidate(db, centre=centre))
    for position in range(1, 6):
        make_speaking_performance(db, ts, position=position)
    unassigned = allocate_waiting(db, centre.id, datetime.now(UTC))
    db.commit()
    assert len(unassigned) == 2

    login(client, admin.username)
    home = client.get("/admin/").get_data(as_text=True)
    assert 'data-testid="blocked-banner"' in home
    assert "zonder examinator die het mag beoordelen: 2." in home
    page = client.get("/admin/examiners/turnaround").get_data(as_text=True)
    assert page.count('data-testid="blocked-row"') == 2
    assert 'data-reason="pairs_used"' in page and "voeg examinatoren toe" in page


def test_no_banner_when_every_task_has_an_eligible_examiner(app, db, client):
    centre, admin = _centre_with_examiners(db, regular=4, seniors=2)  # the demo's six
    ts = make_completed_session(db, candidate=make_candidate(db, centre=centre))
    for position in range(1, 6):
        make_speaking_performance(db, ts, position=position)
    assert allocate_waiting(db, centre.id, datetime.now(UTC)) == []
    db.commit()
    login(client, admin.username)
    assert 'data-testid="blocked-banner"' not in client.get("/admin/").get_data(as_text=True)
    assert 'data-testid="blocked"' not in client.get("/admin/examiners/turnaround").get_data(
        as_text=True
    )
