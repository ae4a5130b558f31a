"""attestation status index for the signed status list

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attestation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status_index", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_attestation_status_index"), ["status_index"]
        )


def downgrade() -> None:
    with op.batch_alter_table("attestation", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_attestation_status_index"), type_="unique")
        batch_op.drop_column("status_index")
