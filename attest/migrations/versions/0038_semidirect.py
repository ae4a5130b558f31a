"""recording.turn and recording_upload.turn: the turns of a semi-direct conversation

Revision ID: 0038
Revises: 0027
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0038"
down_revision = "0032"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("recording") as batch:
        batch.add_column(sa.Column("turn", sa.Integer(), nullable=True))
        batch.create_unique_constraint("uq_recording_turn", ["session_item_id", "turn"])
    with op.batch_alter_table("recording_upload") as batch:
        batch.add_column(sa.Column("turn", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recording_upload") as batch:
        batch.drop_column("turn")
    with op.batch_alter_table("recording") as batch:
        batch.drop_constraint("uq_recording_turn", type_="unique")
        batch.drop_column("turn")
