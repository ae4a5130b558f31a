"""candidate.search_name: both names folded for search in any script (attest.names.search_key)

Revision ID: 0022
Revises: 0018
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from attest.names import search_key

revision = "0022"
down_revision = "0018"
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


def downgrade() -> None:
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.drop_column("search_name")
