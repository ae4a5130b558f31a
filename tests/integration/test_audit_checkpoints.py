"""Signed checkpoints anchor the audit chain outside the database: a rewritten or cut tail,
with the head moved to match, verifies without them and fails with them; a forged checkpoint
fails; a running app writes one checkpoint per hour."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import sqlalchemy as sa

from attest.audit_chain import entry_hash
from attest.audit_checkpoints import checkpoint_dir, write_checkpoint
from attest.models import AuditChainHead, AuditEvent
from attest.models._types import utcnow
from tests.integration.test_audit_trail import _events, _tamper


def _verify(app, *args: str):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def _checkpoint(app) -> Path:
    result = app.test_cli_runner().invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0, result.output
    return Path(result.output.split("checkpoint written: ")[1].strip())


def _set_head(db, seq: int, digest: str) -> None:
    _tamper(db, "UPDATE audit_chain_head SET seq = :s, hash = :h WHERE id = 1", s=seq, h=digest)


def _rewrite_from(db, seq: int) -> None:
    """Forge every entry from `seq` on, recompute their hashes and move the head to match."""
    rows = db.execute(sa.select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
    prev = next(r.hash for r in rows if r.seq == seq - 1)
    for row in (r for r in rows if r.seq >= seq):
        fields = {
            "seq": row.seq, "at": row.at, "actor_id": row.actor_id, "action": row.action,
            "object_type": row.object_type, "object_id": "forged", "detail": row.detail,
            "prev_hash": prev,
        }  # fmt: skip
        digest = entry_hash(fields)
        _tamper(
            db,
            "UPDATE audit_event SET object_id = 'forged', prev_hash = :p, hash = :h WHERE id = :id",
            p=prev, h=digest, id=row.id,
        )  # fmt: skip
        prev = digest
    _set_head(db, rows[-1].seq, prev)


def test_an_untouched_trail_holds_against_its_checkpoints(app, db):
    _events(db, 3)
    _checkpoint(app)
    _events(db, 2)  # entries after the checkpoint are fine
    result = _verify(app)
    assert result.exit_code == 0, result.output
    assert "intact: 5 entries, 1 signed checkpoint(s) hold" in result.output


def test_a_rewritten_tail_with_its_head_fails_against_the_checkpoint(app, db, tmp_path):
    _events(db, 5)
    _checkpoint(app)
    _rewrite_from(db, 4)
    empty = tmp_path / "none"
    empty.mkdir()
    unanchored = _verify(app, "--checkpoints", str(empty))
    assert unanchored.exit_code == 0, "the rewrite is invisible to the chain alone"
    result = _verify(app)
    assert result.exit_code == 1
    assert "seq=5: checkpoint" in result.output
    assert "the chain was rewritten" in result.output


def test_a_cut_tail_with_the_head_moved_back_fails(app, db, tmp_path):
    events = _events(db, 5)
    _checkpoint(app)
    _tamper(db, "DELETE FROM audit_event WHERE seq > 3")
    _set_head(db, 3, events[2].hash)
    empty = tmp_path / "none"
    empty.mkdir()
    assert _verify(app, "--checkpoints", str(empty)).exit_code == 0
    result = _verify(app)
    assert result.exit_code == 1
    assert "anchors seq 5, but the chain ends at seq 3: entries were cut off" in result.output


def test_a_checkpoint_with_a_forged_signature_fails(app, db, tmp_path):
    _events(db, 3)
    path = _checkpoint(app)
    doc = json.loads(path.read_text())
    doc["seq"] = 2  # moved back to hide a cut, signature kept
    forged = tmp_path / "forged"
    forged.mkdir()
    (forged / path.name).write_text(json.dumps(doc))
    result = _verify(app, "--checkpoints", str(forged))
    assert result.exit_code == 1
    assert "signature does not match its contents" in result.output
    (forged / path.name).write_text("{not json")
    result = _verify(app, "--checkpoints", str(forged))
    assert result.exit_code == 1
    assert "is not readable" in result.output


def test_without_checkpoints_verify_warns(app, db):
    _events(db, 1)
    result = _verify(app)
    assert result.exit_code == 0
    assert "the end of the chain is not anchored" in result.output


def test_a_checkpoint_goes_to_the_log_and_one_per_hour(app, db, caplog):
    events = _events(db, 2)
    dirs, now = (app.config["STORAGE_DIR"], app.config["KEYS_DIR"]), utcnow()
    with caplog.at_level(logging.INFO, logger="attest.audit"):
        first = write_checkpoint(db, *dirs, now, hourly=True)
    assert first is not None
    assert f"audit checkpoint seq=2 hash={events[1].hash}" in caplog.text
    assert write_checkpoint(db, *dirs, now, hourly=True) is None  # the hour has its file
    assert db.get(AuditChainHead, 1).seq == 2


def test_the_running_app_writes_the_hours_checkpoint_once(app, db, client):
    directory = checkpoint_dir(app.config["STORAGE_DIR"])
    assert not directory.exists()
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    files = list(directory.glob("checkpoint-*.json"))
    assert len(files) == 1
    assert _verify(app).exit_code == 0
