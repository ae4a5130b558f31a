"""shown option order per session item; enemy groups per item

Revision ID: 0023
Revises: 0018
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL: the bank order, which is what every session planned before this revision showed.
    with op.batch_alter_table("session_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("display_order", sa.JSON(), nullable=True))
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("enemy_groups", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_column("enemy_groups")
    with op.batch_alter_table("session_item", schema=None) as batch_op:
        batch_op.drop_column("display_order")
