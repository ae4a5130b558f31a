"""performances record the cut-score version whose band thresholds gave their level

Revision ID: 0049
Revises: 0041
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0049"
down_revision = "0041"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("performance", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cut_scores_version", sa.String(40), nullable=True))
    # Every speaking and writing level so far was read with the rubric's own band thresholds
    # (A1 1 .. B2 4), which is what version "provisional-1" (the seed file) holds for them.
    op.execute(
        "UPDATE performance SET cut_scores_version = 'provisional-1' WHERE final_level IS NOT NULL"
    )
    op.execute(
        "UPDATE skill_result SET cut_scores_version = 'provisional-1' "
        "WHERE skill IN ('speaking', 'writing') AND cut_scores_version IS NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("performance", schema=None) as batch_op:
        batch_op.drop_column("cut_scores_version")
