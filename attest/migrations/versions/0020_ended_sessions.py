"""staff sessions ended by logging out: their cookies are refused on the server

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ended_session",
        sa.Column("sid_hash", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sid_hash", name=op.f("pk_ended_session")),
    )
    with op.batch_alter_table("ended_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ended_session_expires_at"), ["expires_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("ended_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ended_session_expires_at"))
    op.drop_table("ended_session")
