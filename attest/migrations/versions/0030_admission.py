"""admission: identity document facts and the sealed test-day photo per test session;
attestation.photo_sha256; partner_organisation.may_see_photo (attest.admissions)

Revision ID: 0030
Revises: 0027
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admission",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("session_id", sa.Integer(), sa.ForeignKey("test_session.id"), nullable=False),
        sa.Column("candidate_id", sa.Integer(), sa.ForeignKey("candidate.id"), nullable=False),
        sa.Column("booking_id", sa.Integer(), sa.ForeignKey("booking.id")),
        sa.Column("document_type", sa.String(32), nullable=False),
        sa.Column("other_type", sa.String(100), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("number_last4", sa.String(4), nullable=False),
        sa.Column("expires_on", sa.Date()),
        sa.Column("expired_reason", sa.String(300)),
        sa.Column("photo_sealed", sa.Text()),
        sa.Column("photo_sha256", sa.String(64)),
        sa.Column("photo_source", sa.String(8), nullable=False),
        sa.Column("admitted_by_id", sa.Integer(), sa.ForeignKey("user_account.id")),
        sa.Column("admitted_at", sa.DateTime(), nullable=False),
        sa.Column("erased_at", sa.DateTime()),
        sa.UniqueConstraint("session_id", name="uq_admission_session"),
        sa.CheckConstraint(
            "photo_sealed IS NULL OR photo_sealed LIKE 'f1:%'", name="ck_admission_photo_sealed"
        ),
    )
    op.create_index("ix_admission_candidate_id", "admission", ["candidate_id"])
    with op.batch_alter_table("attestation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("photo_sha256", sa.String(64), nullable=True))
    with op.batch_alter_table("partner_organisation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("may_see_photo", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("partner_organisation", schema=None) as batch_op:
        batch_op.drop_column("may_see_photo")
    with op.batch_alter_table("attestation", schema=None) as batch_op:
        batch_op.drop_column("photo_sha256")
    op.drop_index("ix_admission_candidate_id", table_name="admission")
    op.drop_table("admission")
