"""A calibration adopted, not only recorded (issue 17 item 2): the admin page shows the proposal
with drift, fit, point-biserial and DIF, and adopts selected items as a new bank version; a
pilot becomes live only there; a used version keeps the difficulty it was scored with."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from attest.assessment.bank_queries import current_versions
from attest.assessment.calibration_adoption import AdoptionRefused, adopt, proposal
from attest.models import AuditEvent, BankAdoption, Item, ItemReviewStep, ItemVersion, Role
from tests.conftest import csrf_from
from tests.factories import make_user
from tests.integration.conftest import LIVE, N_SESSIONS, PILOT_TRUE  # noqa: F401
from tests.web.helpers import login


def _pilot_history(db, now) -> None:
    """R-PILOT-2 went through the workflow to the pilot."""
    steps = [("written", "ann"), ("reviewed", "bert"), ("checked", "carla"), ("pilot", "beheer")]
    for seq, (step, by) in enumerate(steps, 1):
        db.add(
            ItemReviewStep(
                item_id="R-PILOT-2",
                seq=seq,
                step=step,
                actor=by,
                at=now - timedelta(days=10 - seq),
                note="",
                changes="",
            )
        )
    db.get(Item, "R-PILOT-2").review_state = "pilot"
    db.get(ItemVersion, _version_id(db, "R-PILOT-2", 1)).first_used_at = now - timedelta(days=5)


def _version_id(db, item_id: str, version: int) -> int:
    return db.scalar(
        sa.select(ItemVersion.id).where(
            ItemVersion.item_id == item_id, ItemVersion.version == version
        )
    )


def test_the_proposal_shows_drift_and_says_what_cannot_be_adopted(db, bank_data, now):
    rows = {r.key: r for r in proposal(db, now).rows}
    pilot = rows["R-PILOT-2/v1"]
    assert pilot.refusal is None and pilot.status == "pilot"
    assert pilot.drift == pytest.approx(pilot.new - 0.0) and pilot.point_biserial is not None
    assert pilot.dif_category is not None  # the Arabic speakers' DIF is shown beside it
    assert rows["R-PILOT-1/v1"].refusal == "outside_band"  # 0.8 is B1's band, not A2's
    assert rows["R-LIVE-05/v1"].refusal == "anchor"
    assert rows["R-LIVE-00/v1"].refusal == "old_version"


def test_adopting_makes_a_new_bank_version_and_the_pilot_live(app, db, bank_data, now):
    _pilot_history(db, now)
    admin = make_user(db, role=Role.ADMIN, username="beheer")
    db.commit()
    client = app.test_client()
    login(client, admin.username)
    page = client.get("/admin/items/calibration").get_data(as_text=True)
    assert 'data-key="R-PILOT-2/v1"' in page and 'value="R-PILOT-2/v1"' in page
    assert 'value="R-PILOT-1/v1"' not in page  # no box for what cannot be adopted
    proposed = {r.key: r for r in proposal(db, now).rows}["R-PILOT-2/v1"].new

    answer = client.post(
        "/admin/items/calibration",
        data={"csrf_token": csrf_from(page), "item": "R-PILOT-2/v1", "note": "Ronde 1."},
    )

    assert answer.status_code == 303
    db.expire_all()
    item = db.get(Item, "R-PILOT-2")
    assert item.status == "live" and item.review_state == "live" and item.current_version == 2
    versions = {v.version: v for v in item.versions}
    assert versions[1].difficulty == 0.0  # the used version keeps what it was scored with
    assert versions[2].difficulty == pytest.approx(proposed)
    assert versions[2].content == versions[1].content
    assert versions[2].content_hash != versions[1].content_hash
    (adoption,) = db.scalars(sa.select(BankAdoption)).all()
    assert adoption.actor == "beheer" and adoption.note == "Ronde 1."
    assert adoption.items == [
        {
            "item": "R-PILOT-2",
            "version_from": 1,
            "version_to": 2,
            "difficulty_from": 0.0,
            "difficulty_to": proposed,
            "status_from": "pilot",
            "status_to": "live",
        }
    ]
    last = db.scalars(
        sa.select(ItemReviewStep)
        .where(ItemReviewStep.item_id == "R-PILOT-2")
        .order_by(ItemReviewStep.seq.desc())
    ).first()
    assert (last.step, last.actor) == ("live", "beheer")
    assert f"bank version {adoption.id}" in last.note
    assert (
        db.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "bank.adopt_calibration"))
        == 1
    )
    # only live items are scored: it is now drawn as a live item, no longer as a pilot
    assert "R-PILOT-2" in {v.item_id for v in current_versions(db, "reading", ["A2"], "live")}
    assert "R-PILOT-2" not in {v.item_id for v in current_versions(db, "reading", ["A2"], "pilot")}
    shown = client.get("/admin/items/calibration").get_data(as_text=True)
    # (the id, not 1: PostgreSQL's sequences run on across tests)
    assert f'data-adoption="{adoption.id}"' in shown and "pilot→live" in shown


def test_a_refused_adoption_changes_nothing(app, db, bank_data, now):
    admin = make_user(db, role=Role.ADMIN)
    db.commit()
    before = db.execute(sa.select(ItemVersion.id, ItemVersion.difficulty)).all()
    with pytest.raises(AdoptionRefused) as caught:
        adopt(db, now, admin, ["R-PILOT-2/v1", "R-PILOT-1/v1"], app.config["BANK_DIR"])
    assert (caught.value.code, caught.value.item) == ("outside_band", "R-PILOT-1/v1")
    db.rollback()
    assert db.execute(sa.select(ItemVersion.id, ItemVersion.difficulty)).all() == before
    assert db.get(Item, "R-PILOT-2").status == "pilot"
    assert db.scalar(sa.select(sa.func.count()).select_from(BankAdoption)) == 0


def test_authors_cannot_adopt(app, db, bank_data):
    author = make_user(db, role=Role.AUTHOR)
    db.commit()
    client = app.test_client()
    login(client, author.username)
    assert client.get("/admin/items/calibration").status_code == 403
    assert client.post("/admin/items/calibration", data={"item": "R-PILOT-2/v1"}).status_code in (
        400,
        403,
    )
