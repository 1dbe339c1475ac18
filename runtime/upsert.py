"""Versioned upsert for read models: a row changes only for a higher sequence.

Events of one aggregate arrive in order, but a replay or a re-announcement can
bring an older state again; comparing sequences makes applying it a no-op.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def upsert_newer(
    session: AsyncSession,
    table: Table,
    *,
    key: Mapping[str, Any],
    values: Mapping[str, Any],
    sequence: int,
    sequence_column: str = "sequence",
) -> bool:
    """Insert, or update when `sequence` is higher than the stored one. True if written."""
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    row = {**key, **values, sequence_column: sequence}
    stmt = dialect.insert(table).values(**row)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(key),
        set_={name: stmt.excluded[name] for name in (*values, sequence_column)},
        where=table.c[sequence_column] < stmt.excluded[sequence_column],
    )
    result = await session.execute(stmt)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def insert_once(session: AsyncSession, table: Table, row: Mapping[str, Any]) -> bool:
    """Insert unless a row with the same primary key exists. True if inserted."""
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    result = await session.execute(dialect.insert(table).values(**row).on_conflict_do_nothing())
    return bool(result.rowcount)  # type: ignore[attr-defined]
