"""section_log: the adaptive engine's log, one row per answer, apart from the state written
per answer; the logs kept in section_attempt.state move to it

Revision ID: 0034
Revises: 0030
Create Date: 2026-12-07
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0037"
branch_labels = None
depends_on = None

attempt = sa.table("section_attempt", sa.column("id", sa.Integer), sa.column("state", sa.JSON))
log = sa.table(
    "section_log",
    sa.column("attempt_id", sa.Integer),
    sa.column("step", sa.Integer),
    sa.column("entry", sa.JSON),
)


def upgrade() -> None:
    op.create_table(
        "section_log",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("entry", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["section_attempt.id"],
            name=op.f("fk_section_log_attempt_id_section_attempt"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("attempt_id", "step", name=op.f("pk_section_log")),
    )
    bind = op.get_bind()
    for attempt_id, state in bind.execute(sa.select(attempt.c.id, attempt.c.state)).all():
        state = json.loads(state) if isinstance(state, str) else state
        entries = (state or {}).get("log") or []
        if not entries:
            continue
        # the position in the log orders the rows (a step is the answer's number in it)
        rows = [{"attempt_id": attempt_id, "step": k, "entry": e} for k, e in enumerate(entries, 1)]
        bind.execute(log.insert(), rows)
        bind.execute(
            attempt.update().where(attempt.c.id == attempt_id).values(state={**state, "log": []})
        )


def downgrade() -> None:
    bind = op.get_bind()
    entries: dict[int, list] = {}
    for attempt_id, entry in bind.execute(
        sa.select(log.c.attempt_id, log.c.entry).order_by(log.c.attempt_id, log.c.step)
    ):
        entries.setdefault(attempt_id, []).append(
            json.loads(entry) if isinstance(entry, str) else entry
        )
    for attempt_id, more in entries.items():
        state = bind.execute(sa.select(attempt.c.state).where(attempt.c.id == attempt_id)).scalar()
        state = json.loads(state) if isinstance(state, str) else state
        bind.execute(
            attempt.update()
            .where(attempt.c.id == attempt_id)
            .values(state={**state, "log": list(state.get("log") or []) + more})
        )
    op.drop_table("section_log")
