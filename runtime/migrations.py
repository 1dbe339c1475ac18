"""Alembic per service: `services/<name>/migrations`, run at start or by `migrate`.

Each service's `migrations/env.py` is two lines that call `run_env(metadata)`.
The connection is handed in through the Alembic config, so migrations run on
the same engine (SQLite file or PostgreSQL schema) as the service.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, text
from sqlalchemy.engine import Connection

from runtime.db import Database


def alembic_config(migrations_dir: Path, db: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.attributes["schema"] = db.schema
    return cfg


async def upgrade(db: Database, migrations_dir: Path) -> None:
    await db.prepare()
    cfg = alembic_config(migrations_dir, db)

    def _upgrade(conn: Connection) -> None:
        if db.is_postgres:
            # Replicas starting together: one migrates, the others wait for it.
            conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:s))"), {"s": db.schema})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")

    async with db.write_engine.begin() as conn:
        await conn.run_sync(_upgrade)


def run_env(metadata: MetaData) -> None:
    """Body of every service's `env.py` (online mode only: we always have a connection)."""
    conn: Connection = context.config.attributes["connection"]
    schema = context.config.attributes.get("schema")
    context.configure(
        connection=conn,
        target_metadata=metadata,
        version_table_schema=schema,
        render_as_batch=conn.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
