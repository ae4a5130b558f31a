"""at most one current attestation per test session (a partial unique index)

Concurrent issue requests (a double-click) could create two or more valid attestations for one
test. Before the index is created, such duplicates are resolved: per session one stays current
(the newest revoked one if any was revoked, so that a revocation keeps its effect, else the
newest) and the others are marked superseded, which the status list publishes as invalid.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

CURRENT = sa.text("status != 'superseded'")


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT id, session_id, status FROM attestation WHERE status != 'superseded' "
            "ORDER BY session_id, id"
        )
    ).all()
    by_session: dict[int, list] = {}
    for row in rows:
        by_session.setdefault(row.session_id, []).append(row)
    now = datetime.now(UTC).replace(tzinfo=None)  # stored as naive UTC (UTCDateTime)
    for current in by_session.values():
        if len(current) < 2:
            continue
        revoked = [r for r in current if r.status == "revoked"]
        keep = (revoked or current)[-1].id
        for row in current:
            if row.id != keep:
                conn.execute(
                    sa.text(
                        "UPDATE attestation SET status = 'superseded', superseded_at = :now "
                        "WHERE id = :id"
                    ),
                    {"now": now, "id": row.id},
                )
    op.create_index(
        "uq_attestation_current_session",
        "attestation",
        ["session_id"],
        unique=True,
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )


def downgrade() -> None:
    op.drop_index("uq_attestation_current_session", table_name="attestation")
