"""itemflow: the review workflow's steps per item, the item's workflow state, and the bank
versions adopted from a calibration (issues 16 and 17)

Revision ID: 0031
Revises: 0027
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("item") as batch:
        batch.add_column(sa.Column("review_state", sa.String(length=16), nullable=True))
        batch.create_index("ix_item_review_state", ["review_state"])
    op.create_table(
        "item_review_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_item_review_step_item_id_item")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_review_step")),
        sa.UniqueConstraint("item_id", "seq", name="uq_item_review_step_seq"),
    )
    op.create_index("ix_item_review_step_item_id", "item_review_step", ["item_id"])
    op.create_table(
        "bank_adoption",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_adoption")),
    )


def downgrade() -> None:
    op.drop_table("bank_adoption")
    op.drop_index("ix_item_review_step_item_id", table_name="item_review_step")
    op.drop_table("item_review_step")
    with op.batch_alter_table("item") as batch:
        batch.drop_index("ix_item_review_state")
        batch.drop_column("review_state")
