"""studio_clip: human recordings of the admin audio studio, with their approval

Revision ID: 0037
Revises: 0027
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0037"
down_revision = "0038"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "studio_clip",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("media_path", sa.String(length=300), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("speaker", sa.String(length=16), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("duration_s", sa.Double(), nullable=False),
        sa.Column("loudness_lufs", sa.Double(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "approved_by_id IS NULL OR approved_by_id <> uploaded_by_id",
            name=op.f("ck_studio_clip_four_eyes"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_studio_clip_uploaded_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["user_account.id"],
            name=op.f("fk_studio_clip_approved_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_studio_clip")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_studio_clip_storage_key")),
    )
    op.create_index(op.f("ix_studio_clip_media_path"), "studio_clip", ["media_path"])


def downgrade() -> None:
    op.drop_index(op.f("ix_studio_clip_media_path"), table_name="studio_clip")
    op.drop_table("studio_clip")
