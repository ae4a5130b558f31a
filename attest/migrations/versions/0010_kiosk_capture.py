"""kiosk capture: chunked recording uploads, recording analysis, writing drafts, answer receipts

Revision ID: 0010
Revises: 0011
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recording", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duration_ms", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("level_dbfs", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("speech_ms", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("flag", sa.String(length=32), nullable=True))
    op.create_table(
        "recording_upload",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("session_item_id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("chunk_size", sa.Integer(), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("recording_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_item_id"],
            ["session_item.id"],
            name=op.f("fk_recording_upload_session_item_id_session_item"),
        ),
        sa.ForeignKeyConstraint(
            ["recording_id"], ["recording.id"], name=op.f("fk_recording_upload_recording_id_recording")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording_upload")),
    )
    op.create_index(
        op.f("ix_recording_upload_session_item_id"), "recording_upload", ["session_item_id"]
    )
    op.create_table(
        "recording_chunk",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("upload_id", sa.String(length=40), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["recording_upload.id"],
            name=op.f("fk_recording_chunk_upload_id_recording_upload"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recording_chunk")),
        sa.UniqueConstraint("upload_id", "index", name="uq_recording_chunk_index"),
    )
    op.create_table(
        "response_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_item_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_item_id"],
            ["session_item.id"],
            name=op.f("fk_response_draft_session_item_id_session_item"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_draft")),
        sa.UniqueConstraint("session_item_id", name=op.f("uq_response_draft_session_item_id")),
    )
    op.create_table(
        "answer_receipt",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("session_item_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_item_id"],
            ["session_item.id"],
            name=op.f("fk_answer_receipt_session_item_id_session_item"),
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_answer_receipt")),
    )
    op.create_index(op.f("ix_answer_receipt_session_item_id"), "answer_receipt", ["session_item_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_answer_receipt_session_item_id"), table_name="answer_receipt")
    op.drop_table("answer_receipt")
    op.drop_table("response_draft")
    op.drop_table("recording_chunk")
    op.drop_index(op.f("ix_recording_upload_session_item_id"), table_name="recording_upload")
    op.drop_table("recording_upload")
    with op.batch_alter_table("recording", schema=None) as batch_op:
        batch_op.drop_column("flag")
        batch_op.drop_column("speech_ms")
        batch_op.drop_column("level_dbfs")
        batch_op.drop_column("duration_ms")
