"""attestations record the requirement the candidate came for (and the lease start for social
housing), and who confirmed an uncertain result before issuing, with the reason

Revision ID: 0021
Revises: 0018
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attestation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("requirement_code", sa.String(32), nullable=True))
        batch_op.add_column(sa.Column("lease_start", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("uncertain_confirmed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("uncertain_reason", sa.String(300), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_attestation_uncertain_confirmed_by_id_user_account"),
            "user_account",
            ["uncertain_confirmed_by_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("attestation", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_attestation_uncertain_confirmed_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("uncertain_reason")
        batch_op.drop_column("uncertain_confirmed_by_id")
        batch_op.drop_column("lease_start")
        batch_op.drop_column("requirement_code")
