"""slot and booking: appointments per centre (attest.appointments)

Revision ID: 0028
Revises: 0024
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0028"
down_revision = "0024"
branch_labels = None
depends_on = None

STATUSES = ("pending", "confirmed", "cancelled", "no_show", "attended")


def upgrade() -> None:
    op.create_table(
        "slot",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("centre_id", sa.Integer(), sa.ForeignKey("centre.id"), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("purpose_code", sa.String(64), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), sa.ForeignKey("user_account.id")),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("capacity >= 1", name="ck_slot_capacity"),
    )
    op.create_index("ix_slot_centre_id", "slot", ["centre_id"])
    op.create_index("ix_slot_starts_at", "slot", ["starts_at"])
    op.create_table(
        "booking",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slot_id", sa.Integer(), sa.ForeignKey("slot.id"), nullable=False),
        sa.Column("candidate_id", sa.Integer(), sa.ForeignKey("candidate.id")),
        sa.Column("family_name", sa.String(200), nullable=False),
        sa.Column("given_names", sa.String(200), nullable=False),
        sa.Column("search_name", sa.String(800), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("email", sa.String(254)),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("accommodation", sa.String(1000), nullable=False),
        sa.Column(
            "status",
            sa.Enum(*STATUSES, name="bookingstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("pending_until", sa.DateTime()),
        sa.Column("token_hash", sa.String(64), unique=True),
        sa.Column("booked_by_id", sa.Integer(), sa.ForeignKey("user_account.id")),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime()),
        sa.Column("cancelled_at", sa.DateTime()),
        sa.Column("marked_at", sa.DateTime()),
        sa.Column("reminder_sent_at", sa.DateTime()),
        sa.Column("anonymised_at", sa.DateTime()),
    )
    op.create_index("ix_booking_slot_id", "booking", ["slot_id"])
    op.create_index("ix_booking_candidate_id", "booking", ["candidate_id"])
    op.create_index("ix_booking_status", "booking", ["status"])


def downgrade() -> None:
    op.drop_table("booking")
    op.drop_table("slot")
