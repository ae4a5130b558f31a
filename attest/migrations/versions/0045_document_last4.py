"""candidate: keep only the last 4 letters or digits of the ID document number
(id_document_number -> id_document_last4; data minimisation, GDPR art. 5(1)(c))

The product shows the number to the proctor (to compare with the document) and exports it on
a subject-access request; it never matches or looks anyone up by it. The last 4 characters
serve both, as they already do at admission (attest.id_documents). The downgrade restores the
column with those 4 characters: the rest of each number is deliberately gone.

Revision ID: 0045
Revises: 0034
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0045"
down_revision = "0034"
branch_labels = None
depends_on = None

candidate = sa.table(
    "candidate",
    sa.column("id", sa.Integer),
    sa.column("id_document_number", sa.String),
    sa.column("id_document_last4", sa.String),
)


def last_chars(number: str | None) -> str:
    """The last 4 letters or digits, upper case, separators dropped (as
    attest.id_documents.last_chars, copied so that this migration never changes)."""
    kept = [ch for ch in (number or "").upper() if ch.isascii() and ch.isalnum()]
    return "".join(kept[-4:])


def upgrade() -> None:
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("id_document_last4", sa.String(length=4), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(candidate.c.id, candidate.c.id_document_number)).all()
    for candidate_id, number in rows:
        bind.execute(
            candidate.update()
            .where(candidate.c.id == candidate_id)
            .values(id_document_last4=last_chars(number))
        )
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.alter_column("id_document_last4", existing_type=sa.String(4), nullable=False)
        batch_op.drop_column("id_document_number")


def downgrade() -> None:
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.add_column(sa.Column("id_document_number", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    bind.execute(candidate.update().values(id_document_number=candidate.c.id_document_last4))
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.alter_column("id_document_number", existing_type=sa.String(64), nullable=False)
        batch_op.drop_column("id_document_last4")
