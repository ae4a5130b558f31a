"""the bank's stamp also changes when a version's content is written: the adaptive engine now
keeps each live version's content (the next item is planned without reading its version)

Revision ID: 0050
Revises: 0049
Create Date: 2026-12-07
"""

from alembic import op

revision = "0050"
down_revision = "0049"
branch_labels = None
depends_on = None

BEFORE = "item_id, version, difficulty, format"
AFTER = "item_id, version, difficulty, format, content"


def _trigger(columns: str) -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    name = "bank_state_item_version_update"
    if postgresql:
        op.execute(f"DROP TRIGGER {name} ON item_version")
        op.execute(
            f"CREATE TRIGGER {name} AFTER UPDATE OF {columns} ON item_version "
            "FOR EACH STATEMENT EXECUTE FUNCTION bank_state_bump()"
        )
    else:
        op.execute(f"DROP TRIGGER {name}")
        op.execute(
            f"CREATE TRIGGER {name} AFTER UPDATE OF {columns} ON item_version "
            "BEGIN UPDATE bank_state SET version = version + 1, "
            "stamp = lower(hex(randomblob(16))) WHERE id = 1; END"
        )


def upgrade() -> None:
    _trigger(AFTER)


def downgrade() -> None:
    _trigger(BEFORE)
