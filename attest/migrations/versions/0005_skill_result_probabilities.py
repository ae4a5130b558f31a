"""level probabilities and uncertainty flag on skill results

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("skill_result", schema=None) as batch_op:
        batch_op.alter_column(
            "method", existing_type=sa.String(length=64), type_=sa.String(length=120),
            existing_nullable=False,
        )
        batch_op.add_column(
            sa.Column("probabilities", sa.JSON(), nullable=False, server_default="{}")
        )
        batch_op.add_column(
            sa.Column("is_uncertain", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("skill_result", schema=None) as batch_op:
        batch_op.drop_column("is_uncertain")
        batch_op.drop_column("probabilities")
        batch_op.alter_column(
            "method", existing_type=sa.String(length=120), type_=sa.String(length=64),
            existing_nullable=False,
        )
