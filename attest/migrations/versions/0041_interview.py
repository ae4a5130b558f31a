"""interview (examiner-led speaking), test_session.is_examiner_led, and one live rating per
examiner per performance and round

Revision ID: 0041
Revises: 0048
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op


revision = "0041"
down_revision = "0048"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("test_session") as batch:
        batch.add_column(
            sa.Column("is_examiner_led", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "interview",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_item_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("examiner_id", sa.Integer(), nullable=False),
        sa.Column("frame_id", sa.String(length=64), nullable=False),
        sa.Column("frame_version", sa.Integer(), nullable=False),
        sa.Column("recording_id", sa.String(length=32), nullable=True),
        sa.Column("provisional_bands", sa.JSON(), nullable=True),
        sa.Column("provisional_level", sa.String(length=8), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "provisional_bands IS NULL OR recording_id IS NOT NULL",
            name=op.f("ck_interview_interview_rated_after_recording"),
        ),
        sa.ForeignKeyConstraint(
            ["session_item_id"],
            ["session_item.id"],
            name=op.f("fk_interview_session_item_id_session_item"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["test_session.id"], name=op.f("fk_interview_session_id_test_session")
        ),
        sa.ForeignKeyConstraint(
            ["examiner_id"],
            ["user_account.id"],
            name=op.f("fk_interview_examiner_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["recording_id"], ["recording.id"], name=op.f("fk_interview_recording_id_recording")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interview")),
        sa.UniqueConstraint("session_item_id", name=op.f("uq_interview_session_item_id")),
    )
    op.create_index(op.f("ix_interview_session_id"), "interview", ["session_id"])
    op.create_index(op.f("ix_interview_examiner_id"), "interview", ["examiner_id"])
    op.create_index(
        "uq_rating_assignment_live_rater",
        "rating_assignment",
        ["performance_id", "round", "examiner_id"],
        unique=True,
        sqlite_where=sa.text("kind = 'live'"),
        postgresql_where=sa.text("kind = 'live'"),
    )


def downgrade() -> None:
    op.drop_index("uq_rating_assignment_live_rater", table_name="rating_assignment")
    op.drop_index(op.f("ix_interview_examiner_id"), table_name="interview")
    op.drop_index(op.f("ix_interview_session_id"), table_name="interview")
    op.drop_table("interview")
    with op.batch_alter_table("test_session") as batch:
        batch.drop_column("is_examiner_led")
