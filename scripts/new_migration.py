"""Write a service's next Alembic migration from the difference between its
tables in `store.py` and its migrations so far (autogenerate on a scratch SQLite).

    .venv/bin/python scripts/new_migration.py content "add categories"

Read and edit the file it writes before committing it.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from alembic import command
from sqlalchemy.engine import Connection

from runtime.db import Database
from runtime.migrations import alembic_config, upgrade
from runtime.settings import REPO_ROOT, Settings


async def main(service: str, message: str) -> None:
    migrations_dir = REPO_ROOT / "services" / service / "migrations"
    with tempfile.TemporaryDirectory() as scratch:
        db = Database(service, Settings().with_overrides(database_url=None, data_dir=Path(scratch)))
        await upgrade(db, migrations_dir)
        cfg = alembic_config(migrations_dir, db)

        def _revision(conn: Connection) -> None:
            cfg.attributes["connection"] = conn
            command.revision(cfg, message=message, autogenerate=True)

        async with db.write_engine.begin() as conn:
            await conn.run_sync(_revision)
        await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("service")
    parser.add_argument("message")
    args = parser.parse_args()
    asyncio.run(main(args.service, args.message))
