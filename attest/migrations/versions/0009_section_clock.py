"""section clocks kept by the server, pauses, heartbeats, sound check and play counts

Revision ID: 0009
Revises: 0014
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "section_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("skill", sa.String(length=16), nullable=False),
        sa.Column("limit_seconds", sa.Double(), nullable=True),
        sa.Column("extra_seconds", sa.Double(), nullable=False),
        sa.Column("elapsed_seconds", sa.Double(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("entered_at", sa.DateTime(), nullable=True),
        sa.Column("running_since", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("close_reason", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"], ["test_session.id"], name=op.f("fk_section_clock_session_id_test_session")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_section_clock")),
        sa.UniqueConstraint("session_id", "skill", name="uq_section_clock"),
    )
    op.create_index(op.f("ix_section_clock_session_id"), "section_clock", ["session_id"])
    with op.batch_alter_table("test_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_heartbeat_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("sound_checked_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("session_item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("play_count", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("session_item", schema=None) as batch_op:
        batch_op.drop_column("play_count")
    with op.batch_alter_table("test_session", schema=None) as batch_op:
        batch_op.drop_column("sound_checked_at")
        batch_op.drop_column("last_heartbeat_at")
        batch_op.drop_column("paused_at")
    op.drop_index(op.f("ix_section_clock_session_id"), table_name="section_clock")
    op.drop_table("section_clock")
