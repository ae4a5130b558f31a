"""Fixtures shared by the integration tests: a bank with many stored, scored answers."""

from __future__ import annotations

import numpy as np
import pytest
import sqlalchemy as sa

from attest.models import (
    Item,
    ItemVersion,
    Response,
    SessionItem,
    SessionStatus,
    TestSession,
)
from tests.factories import make_candidate, make_centre

LIVE = np.linspace(-2.0, 2.0, 16)  # difficulties on the bank scale
PILOT_TRUE = {"R-PILOT-1": 0.8, "R-PILOT-2": -1.2}
N_SESSIONS = 500


def _item(db, item_id: str, difficulty: float, status: str, version: int = 1) -> ItemVersion:
    item = db.get(Item, item_id)
    if item is None:
        item = Item(
            id=item_id, skill="reading", level="A2", domain="work", format="mc", status=status
        )
        db.add(item)
    item.current_version = version
    iv = ItemVersion(
        item_id=item_id,
        version=version,
        content_hash=f"{item_id}-{version}",
        level="A2",
        format="mc",
        difficulty=difficulty,
        content={"stem": item_id},
        source="test",
    )
    db.add(iv)
    return iv


def _insert(db, model, rows: list[dict]) -> list[int]:
    """Insert rows in bulk (thousands of answers) and return their ids in order."""
    stmt = sa.insert(model).returning(model.id, sort_by_parameter_order=True)
    return list(db.scalars(stmt, rows))


def _add_sessions(db, centre, candidate, plans) -> None:
    """Store one session per plan (language, status, [(item version, score), ...])."""
    session_ids = _insert(
        db,
        TestSession,
        [
            {
                "candidate_id": candidate.id,
                "centre_id": centre.id,
                "purpose_code": "a2-lezen",
                "status": status,
                "language": language,
            }
            for language, status, _ in plans
        ],
    )
    answers = [
        (sid, pos, iv, score)
        for sid, (_, _, shown) in zip(session_ids, plans, strict=True)
        for pos, (iv, score) in enumerate(shown)
    ]
    item_ids = _insert(
        db,
        SessionItem,
        [
            {"session_id": sid, "position": pos, "skill": "reading", "item_version_id": iv.id}
            for sid, pos, iv, _ in answers
        ],
    )
    _insert(
        db,
        Response,
        [
            {"session_item_id": si, "value": {"choice": "a"}, "score": score}
            for si, (_, _, _, score) in zip(item_ids, answers, strict=True)
        ],
    )


@pytest.fixture
def bank_data(db):
    """500 completed sessions: 10 of 16 live items each, both pilot items, the old version of
    R-LIVE-00 in the first 100 sessions; Arabic speakers find R-PILOT-2 1.5 logits harder."""
    rng = np.random.default_rng(11)
    centre = make_centre(db)
    candidate = make_candidate(db, centre=centre)
    old = _item(db, "R-LIVE-00", 0.0, "live", version=1)
    live = [_item(db, f"R-LIVE-{k:02d}", b, "live", 2 if k == 0 else 1) for k, b in enumerate(LIVE)]
    pilots = {i: _item(db, i, 0.0, "pilot") for i in PILOT_TRUE}
    db.flush()
    plans = []
    for s in range(N_SESSIONS):
        language = ["nl", "en", "ar"][s % 3]
        theta = rng.normal(0.3, 1.0)
        shown = [(live[k], LIVE[k]) for k in rng.choice(16, 10, replace=False)]
        shown += [
            (pilots[i], b + (1.5 if i == "R-PILOT-2" and language == "ar" else 0.0))
            for i, b in PILOT_TRUE.items()
        ]
        if s < 100:
            shown.append((old, 0.5))
        scored = [(iv, float(rng.random() < 1 / (1 + np.exp(b - theta)))) for iv, b in shown]
        plans.append((language, SessionStatus.COMPLETED, scored))
    # left out: a cancelled session, and an answer without a machine score
    plans.append(("nl", SessionStatus.CANCELLED, [(live[1], 1.0)]))
    plans.append(("nl", SessionStatus.COMPLETED, [(live[2], None)]))
    _add_sessions(db, centre, candidate, plans)
    return live
