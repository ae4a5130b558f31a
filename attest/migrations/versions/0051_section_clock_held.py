"""section_clock.held_since: the section's clock stands still while the kiosk waits for an
examiner-led interview (the interview has its own timing, from the interlocutor frame)

Revision ID: 0051
Revises: 0050
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0051"
down_revision = "0050"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("section_clock") as batch_op:
        batch_op.add_column(sa.Column("held_since", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("section_clock") as batch_op:
        batch_op.drop_column("held_since")
