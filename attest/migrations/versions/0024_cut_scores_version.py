"""skill results record the version of the cut-score store that scored them

Revision ID: 0024
Revises: 0021
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("skill_result", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cut_scores_version", sa.String(40), nullable=True))
    # Every receptive result so far was scored on the provisional cuts, which are version
    # "provisional-1" of the store (attest/assessment/data/cut_scores.yaml).
    op.execute(
        "UPDATE skill_result SET cut_scores_version = 'provisional-1' "
        "WHERE skill IN ('listening', 'reading')"
    )


def downgrade() -> None:
    with op.batch_alter_table("skill_result", schema=None) as batch_op:
        batch_op.drop_column("cut_scores_version")
