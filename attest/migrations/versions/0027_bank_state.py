"""bank_state: one row whose random stamp changes with every write to the live bank's engine
columns (triggers), the cache key of the adaptive engine

Revision ID: 0027
Revises: 0028
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0028"
branch_labels = None
depends_on = None

# What the adaptive engine reads of the bank (attest/assessment/adaptive.py: _live_units).
ITEM_COLUMNS = "skill, level, status, current_version, domain, format, testlet_id, enemy_groups"
VERSION_COLUMNS = "item_id, version, difficulty, format"
TRIGGERS = (
    ("item", "insert", "INSERT", None),
    ("item", "delete", "DELETE", None),
    ("item", "update", "UPDATE", ITEM_COLUMNS),
    ("item_version", "insert", "INSERT", None),
    ("item_version", "delete", "DELETE", None),
    ("item_version", "update", "UPDATE", VERSION_COLUMNS),
)


def upgrade() -> None:
    op.create_table(
        "bank_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("stamp", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_state")),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    random_stamp = "md5(random()::text)" if postgresql else "lower(hex(randomblob(16)))"
    op.execute(f"INSERT INTO bank_state (id, version, stamp) VALUES (1, 0, {random_stamp})")
    if postgresql:
        op.execute(
            """
            CREATE FUNCTION bank_state_bump() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                UPDATE bank_state
                SET version = version + 1,
                    stamp = md5(random()::text || clock_timestamp()::text || txid_current()::text)
                WHERE id = 1;
                RETURN NULL;
            END $$
            """
        )
        for table, name, event, columns in TRIGGERS:
            of = f" OF {columns}" if columns else ""
            op.execute(
                f"CREATE TRIGGER bank_state_{table}_{name} AFTER {event}{of} ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION bank_state_bump()"
            )
    else:  # SQLite: row triggers only
        for table, name, event, columns in TRIGGERS:
            of = f" OF {columns}" if columns else ""
            op.execute(
                f"CREATE TRIGGER bank_state_{table}_{name} AFTER {event}{of} ON {table} "
                "BEGIN UPDATE bank_state SET version = version + 1, "
                "stamp = lower(hex(randomblob(16))) WHERE id = 1; END"
            )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, name, _event, _columns in TRIGGERS:
        op.execute(
            f"DROP TRIGGER bank_state_{table}_{name}" + (f" ON {table}" if postgresql else "")
        )
    if postgresql:
        op.execute("DROP FUNCTION bank_state_bump()")
    op.drop_table("bank_state")
