"""revocation reasons, partner organisations, INSZ index

Revision ID: 0013
Revises: 0014
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0015"
branch_labels = None
depends_on = None

REASONS = ("fraud", "error", "withdrawn")


def upgrade() -> None:
    with op.batch_alter_table("attestation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "revocation_reason_code",
                sa.Enum(*REASONS, name="revocationreason", native_enum=False, length=20),
                nullable=True,
            )
        )
    op.create_index(op.f("ix_candidate_insz"), "candidate", ["insz"])
    op.create_table(
        "partner_organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("key_prefix", sa.String(length=16), nullable=False),
        sa.Column("profiles", sa.JSON(), nullable=False),
        sa.Column("is_enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_partner_organisation_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_organisation")),
        sa.UniqueConstraint("name", name=op.f("uq_partner_organisation_name")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_partner_organisation_key_hash")),
    )


def downgrade() -> None:
    op.drop_table("partner_organisation")
    op.drop_index(op.f("ix_candidate_insz"), table_name="candidate")
    with op.batch_alter_table("attestation", schema=None) as batch_op:
        batch_op.drop_column("revocation_reason_code")
