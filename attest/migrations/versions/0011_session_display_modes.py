"""large-text and high-contrast display modes of a test session (accessibility accommodations)

Revision ID: 0011
Revises: 0014
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("test_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_large_text", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("is_high_contrast", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("test_session", schema=None) as batch_op:
        batch_op.drop_column("is_high_contrast")
        batch_op.drop_column("is_large_text")
