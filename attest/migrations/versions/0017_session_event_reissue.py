"""session events for the proctor; attestations can be superseded by a reissue

Revision ID: 0017
Revises: 0008
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op


revision = "0017"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "session_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("needs_proctor", sa.Boolean(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"], ["test_session.id"], name=op.f("fk_session_event_session_id_test_session")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user_account.id"], name=op.f("fk_session_event_actor_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_event")),
    )
    op.create_index(op.f("ix_session_event_session_id"), "session_event", ["session_id"])
    with op.batch_alter_table("attestation", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_attestation_session_id"), type_="unique")
        batch_op.create_index(batch_op.f("ix_attestation_session_id"), ["session_id"])
        batch_op.add_column(sa.Column("supersedes_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("superseded_at", sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_attestation_supersedes_id_attestation"),
            "attestation",
            ["supersedes_id"],
            ["id"],
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_attestation_supersedes_id"), ["supersedes_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("attestation", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_attestation_supersedes_id"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_attestation_supersedes_id_attestation"), type_="foreignkey"
        )
        batch_op.drop_column("superseded_at")
        batch_op.drop_column("supersedes_id")
        batch_op.drop_index(batch_op.f("ix_attestation_session_id"))
        batch_op.create_unique_constraint(batch_op.f("uq_attestation_session_id"), ["session_id"])
    op.drop_index(op.f("ix_session_event_session_id"), table_name="session_event")
    op.drop_table("session_event")
