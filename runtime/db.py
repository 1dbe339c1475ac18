"""One database per service: a SQLite file, or a PostgreSQL schema.

SQLite serialises writers. Write transactions start with BEGIN IMMEDIATE so two
writers queue on `busy_timeout` instead of failing when a deferred read lock
cannot be upgraded; reads use a second engine with plain deferred transactions,
which WAL lets run beside the writer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from runtime.settings import DatabaseSettings


class Database:
    def __init__(self, service: str, settings: DatabaseSettings) -> None:
        self.service = service
        self.settings = settings
        self.is_postgres = settings.uses_postgres
        if self.is_postgres:
            assert settings.database_url
            self.schema: str | None = f"{settings.schema_prefix}{service}"
            self.url = settings.database_url
            self.write_engine = create_async_engine(
                self.url,
                pool_size=settings.db_pool_size,
                max_overflow=settings.db_max_overflow,
                pool_timeout=10,
                pool_pre_ping=True,
                # Connections older than this are replaced: PgBouncer or a failover may
                # have dropped them quietly.
                pool_recycle=1800,
                connect_args={"server_settings": {"search_path": self.schema}},
            )
            self.read_engine = self.write_engine
        else:
            self.schema = None
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            self.path = settings.data_dir / f"{service}.db"
            self.url = f"sqlite+aiosqlite:///{self.path}"
            self.write_engine = _sqlite_engine(self.url, begin="BEGIN IMMEDIATE")
            self.read_engine = _sqlite_engine(self.url, begin="BEGIN")
        self._writes = async_sessionmaker(self.write_engine, expire_on_commit=False)
        self._reads = async_sessionmaker(self.read_engine, expire_on_commit=False)

    async def prepare(self) -> None:
        """Create the service's schema on PostgreSQL; SQLite creates its file on first use."""
        if self.is_postgres:
            async with self.write_engine.connect() as conn:
                await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"'))
                await conn.commit()

    def session(self) -> AsyncSession:
        """A session for a write transaction (commit it yourself)."""
        return self._writes()

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._reads() as session:
            yield session

    async def ping(self) -> None:
        async with self.read_engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()

    async def drop(self) -> None:
        """Delete the service's data for good (its schema, or its SQLite files), and
        close the engines: the object is not usable afterwards."""
        if self.is_postgres:
            async with self.write_engine.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            await self.dispose()
            return
        await self.dispose()
        for suffix in ("", "-wal", "-shm"):
            await asyncio.to_thread(Path(f"{self.path}{suffix}").unlink, missing_ok=True)


def _sqlite_engine(url: str, *, begin: str) -> AsyncEngine:
    engine = create_async_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves (pysqlite's own transaction handling is off).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)

    return engine
