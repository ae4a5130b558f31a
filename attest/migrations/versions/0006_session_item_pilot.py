"""pilot items seeded unscored into sessions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("session_item", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_pilot", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("session_item", schema=None) as batch_op:
        batch_op.drop_column("is_pilot")
