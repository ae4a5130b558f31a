"""testlet membership of items

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("testlet_id", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_item_testlet_id"), ["testlet_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_testlet_id"))
        batch_op.drop_column("testlet_id")
