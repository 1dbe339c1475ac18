"""Each service's migrations build exactly the tables its store.py declares."""

from __future__ import annotations

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from runtime.db import Database
from runtime.migrations import upgrade
from runtime.settings import REPO_ROOT

SERVICES = ["admin", "content", "editorial", "feedback", "renderer", "syndication"]


@pytest.mark.parametrize("name", SERVICES)
async def test_migrations_match_tables(name: str, settings) -> None:
    store = importlib.import_module(f"services.{name}.store")
    db = Database(name, settings)
    await upgrade(db, REPO_ROOT / "services" / name / "migrations")
    await upgrade(db, REPO_ROOT / "services" / name / "migrations")  # idempotent

    def diff(conn):
        return compare_metadata(MigrationContext.configure(conn), store.metadata)

    async with db.write_engine.connect() as conn:
        differences = await conn.run_sync(diff)
    await db.dispose()
    assert differences == []
