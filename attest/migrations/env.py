"""Alembic environment: runs against the engine handed over by attest.migrate."""

from alembic import context

import attest.models  # noqa: F401  (register all tables on the metadata)
from attest.engine import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.dbapi_connection if sqlite else None
        if raw is not None:
            # SQLite changes most columns by copying the table (Alembic's batch mode), which drops
            # the old table: with foreign keys enforced that fails as soon as another table's
            # rows refer to it. SQLite's documented procedure: keys off for the change (a pragma
            # that only works outside a transaction), every reference checked before the commit,
            # keys on again.
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                context.configure(
                    connection=connection,
                    target_metadata=target_metadata,
                    render_as_batch=sqlite,
                    compare_type=True,
                )
                with context.begin_transaction():
                    context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(
                            f"migration left {len(broken)} broken reference(s), e.g. table "
                            f"{broken[0][0]} row {broken[0][1]} -> {broken[0][2]}; nothing changed"
                        )
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")


run_migrations_online()
