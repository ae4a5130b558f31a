"""adaptive section state

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "section_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("skill", sa.String(length=16), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("stopped_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], ["test_session.id"],
            name=op.f("fk_section_attempt_session_id_test_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_section_attempt")),
        sa.UniqueConstraint("session_id", "skill", name="uq_section_attempt"),
    )


def downgrade() -> None:
    op.drop_table("section_attempt")
