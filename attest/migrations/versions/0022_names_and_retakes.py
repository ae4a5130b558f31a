"""candidate.search_name: both names folded for search in any script (attest.names.search_key);
test_session: the fee of an attempt, whether it was paid, an admin's retake exception

Revision ID: 0022
Revises: 0018
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from attest.names import search_key

revision = "0022"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_name", sa.String(800), nullable=False, server_default="")
        )
    # Fold the names already stored, so that earlier candidates are found too.
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, family_name, given_names FROM candidate")).all()
    for cid, family, given in rows:
        bind.execute(
            sa.text("UPDATE candidate SET search_name = :key WHERE id = :id"),
            {"key": search_key(f"{family} {given}"), "id": cid},
        )
    with op.batch_alter_table("test_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fee_cents", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("is_fee_paid", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("retake_exception_reason", sa.String(300), nullable=True))
        batch_op.add_column(sa.Column("retake_exception_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_test_session_retake_exception_by",
            "user_account",
            ["retake_exception_by_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("test_session", schema=None) as batch_op:
        batch_op.drop_constraint("fk_test_session_retake_exception_by", type_="foreignkey")
        batch_op.drop_column("retake_exception_by_id")
        batch_op.drop_column("retake_exception_reason")
        batch_op.drop_column("is_fee_paid")
        batch_op.drop_column("fee_cents")
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.drop_column("search_name")
