"""bank_state.cut_stamp: a random stamp that triggers change with every write to
cut_score_version, the cache key of the cut-score version in force (as bank_state.stamp is the
adaptive engine's)

Revision ID: 0048
Revises: 0045
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0048"
down_revision = "0045"
branch_labels = None
depends_on = None

EVENTS = ("insert", "update", "delete")


def upgrade() -> None:
    # Nullable: SQLite cannot add a column with a computed default; the row gets one below, and
    # a missing stamp only means the version in force is read each time (no cache).
    op.add_column("bank_state", sa.Column("cut_stamp", sa.String(length=40), nullable=True))
    postgresql = op.get_bind().dialect.name == "postgresql"
    random_stamp = "md5(random()::text)" if postgresql else "lower(hex(randomblob(16)))"
    op.execute(f"UPDATE bank_state SET cut_stamp = {random_stamp}")
    if postgresql:
        op.execute(
            """
            CREATE FUNCTION bank_state_cut_bump() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE bank_state
                SET cut_stamp = md5(
                    random()::text || clock_timestamp()::text || txid_current()::text
                )
                WHERE id = 1;
                RETURN NULL;
            END $$
            """
        )
        for event in EVENTS:
            op.execute(
                f"CREATE TRIGGER bank_state_cut_score_version_{event} AFTER {event.upper()} "
                "ON cut_score_version FOR EACH STATEMENT EXECUTE FUNCTION bank_state_cut_bump()"
            )
    else:  # SQLite: row triggers only
        for event in EVENTS:
            op.execute(
                f"CREATE TRIGGER bank_state_cut_score_version_{event} AFTER {event.upper()} "
                "ON cut_score_version BEGIN UPDATE bank_state "
                "SET cut_stamp = lower(hex(randomblob(16))) WHERE id = 1; END"
            )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for event in EVENTS:
        op.execute(
            f"DROP TRIGGER bank_state_cut_score_version_{event}"
            + (" ON cut_score_version" if postgresql else "")
        )
    if postgresql:
        op.execute("DROP FUNCTION bank_state_cut_bump()")
    # Not a batch copy of the table on SQLite: the bank triggers of migration 0027 name it, and
    # SQLite refuses a schema whose triggers name a table that is gone for a moment.
    op.execute("ALTER TABLE bank_state DROP COLUMN cut_stamp")
