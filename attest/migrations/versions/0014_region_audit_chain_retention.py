"""hash-chained, append-only audit trail; retention and appeal marks

Revision ID: 0014
Revises: 0017
Create Date: 2026-11-29
"""

import hashlib
import json
from datetime import UTC

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0012"
branch_labels = None
depends_on = None

GENESIS = "0" * 64

# PostgreSQL refuses UPDATE and DELETE on the audit trail. Only a maintenance session that sets
# attest.audit_maintenance = 'on' (the test suite's cleanup) may delete rows.
APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION attest_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('attest.audit_maintenance', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit_event is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql
"""
APPEND_ONLY_TRIGGER = """
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
FOR EACH ROW EXECUTE FUNCTION attest_audit_append_only()
"""


def _hash(row: dict) -> str:
    # Frozen copy of attest.audit_chain.entry_hash as of this revision (migrations never import
    # application code that may change later).
    doc = {
        "seq": row["seq"],
        "at": row["at"].replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor_id": row["actor_id"],
        "action": row["action"],
        "object_type": row["object_type"],
        "object_id": str(row["object_id"]),
        "detail": row["detail"] or {},
        "prev_hash": row["prev_hash"],
    }
    text = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def upgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    head = op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )

    # Chain the events recorded before this revision, in the order they were written.
    conn = op.get_bind()
    table = sa.table(
        "audit_event",
        sa.column("id", sa.Integer),
        sa.column("at", sa.DateTime),
        sa.column("actor_id", sa.Integer),
        sa.column("action", sa.String),
        sa.column("object_type", sa.String),
        sa.column("object_id", sa.String),
        sa.column("detail", sa.JSON),
        sa.column("seq", sa.Integer),
        sa.column("prev_hash", sa.String),
        sa.column("hash", sa.String),
    )
    prev, seq = GENESIS, 0
    for row in conn.execute(sa.select(table).order_by(table.c.id)).mappings().all():
        seq += 1
        entry = dict(row) | {"seq": seq, "prev_hash": prev}
        digest = _hash(entry)
        conn.execute(
            table.update()
            .where(table.c.id == row["id"])
            .values(seq=seq, prev_hash=prev, hash=digest)
        )
        prev = digest
    op.bulk_insert(head, [{"id": 1, "seq": seq, "hash": prev}])

    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_event_seq"), ["seq"])

    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("anonymised_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("test_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("appeal_opened_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("appeal_closed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("responses_purged_at", sa.DateTime(), nullable=True))

    if conn.dialect.name == "postgresql":
        op.execute(APPEND_ONLY_FUNCTION)
        op.execute(APPEND_ONLY_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS attest_audit_append_only()")
    with op.batch_alter_table("test_session", schema=None) as batch_op:
        batch_op.drop_column("responses_purged_at")
        batch_op.drop_column("appeal_closed_at")
        batch_op.drop_column("appeal_opened_at")
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.drop_column("anonymised_at")
    op.drop_table("audit_chain_head")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_event_seq"), type_="unique")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")
