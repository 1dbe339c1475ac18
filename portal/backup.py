"""Backups of the whole platform, and their restore (Quy chế 004 Điều 13.3.b: weekly).

A backup set is a directory `portal-<UTC stamp>/`:

    manifest.json                 what is in the set and a sha256 for every part
    db/<service>/<table>.jsonl.gz one header line, then one JSON row per line, in
                                  primary-key order
    media/<key>                   every stored copy of every uploaded file

Databases are dumped row by row through each service's own tables (its SQLAlchemy
metadata), in one snapshot per service (a REPEATABLE READ transaction on PostgreSQL,
one read transaction on SQLite's WAL), so a backup can run while the platform
serves. The dump is engine-neutral: a set taken on SQLite restores on PostgreSQL and
the other way round. Restore needs the same schema revision as the backup (restore
with the release that took it, then upgrade): the set records each service's Alembic
head, and a mismatch is refused before anything is touched.

Each table's digest is the sha256 of its uncompressed dump; `digest_database` dumps a
live database the same way, which is how a restore (and the drill) proves that every
row came back identical. The search index and the page cache are not in the set: they
are projections, rebuilt from search's record and the renderer's pages.

A set is written under a hidden `.partial` name and renamed once its manifest is on
disk, so a set that exists is complete; `prune` keeps the newest N.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import shutil
import stat
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from alembic.script import ScriptDirectory
from sqlalchemy import (
    Date,
    DateTime,
    LargeBinary,
    MetaData,
    Numeric,
    Table,
    func,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeDecorator, TypeEngine

from runtime import migrations
from runtime.db import Database
from runtime.migrations import alembic_config

FORMAT = 1
MANIFEST = "manifest.json"
PREFIX = "portal-"
STAMP = "%Y%m%dT%H%M%SZ"
#: Rows fetched and inserted at a time.
BATCH = 500
#: A `.partial` set older than this is a backup that died; prune removes it.
STALE_PARTIAL = timedelta(hours=6)


class BackupError(Exception):
    """The backup or restore cannot go on; the message (Vietnamese) says why."""


@dataclass(frozen=True)
class Part:
    """One service's database: its tables and its migrations."""

    service: str
    metadata: MetaData
    migrations_dir: Path
    #: The media keys this service's rows refer to, read in the same snapshot.
    media_keys: Callable[[AsyncSession], Awaitable[set[str]]] | None = None


class MediaSource(Protocol):
    """What backup needs of content's MediaStorage (services/content/media.py)."""

    async def get(self, key: str) -> bytes | None: ...
    async def put(self, key: str, data: bytes) -> None: ...


@dataclass
class TableDigest:
    rows: int
    sha256: str


@dataclass
class Summary:
    path: Path
    tables: dict[str, dict[str, TableDigest]] = field(default_factory=dict)
    media: int = 0
    media_bytes: int = 0
    missing_media: list[str] = field(default_factory=list)

    def rows(self, service: str, table: str) -> int:
        digest = self.tables.get(service, {}).get(table)
        return digest.rows if digest else 0


# --- row codec -----------------------------------------------------------------------


def _same(value: Any) -> Any:
    return value


#: (encode, decode) between a column's Python values and JSON, by column type; other
#: types are JSON already.
_CODECS: list[tuple[type[TypeEngine[Any]], Callable[[Any], Any], Callable[[Any], Any]]] = [
    (LargeBinary, lambda v: base64.b64encode(v).decode("ascii"), base64.b64decode),
    (DateTime, datetime.isoformat, datetime.fromisoformat),
    (Date, date.isoformat, date.fromisoformat),
    (Numeric, str, Decimal),
]


def _codec(column_type: TypeEngine[Any]) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    base = column_type.impl if isinstance(column_type, TypeDecorator) else column_type
    if isinstance(base, Numeric) and not base.asdecimal:
        return _same, _same  # floats
    for kind, encode, decode in _CODECS:
        if isinstance(base, kind):
            return encode, decode
    return _same, _same


def _line(value: Any) -> bytes:
    # Dict order is kept as read (JSON columns are stored as text on both engines).
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


async def _dump_lines(session: AsyncSession, table: Table) -> AsyncIterator[bytes]:
    """The table's dump: a header line, then its rows in primary-key order."""
    columns = list(table.columns)
    encoders = [_codec(c.type)[0] for c in columns]
    yield _line({"table": table.name, "columns": [c.name for c in columns]})
    order = list(table.primary_key.columns) or columns
    result = await session.stream(select(*columns).order_by(*order))
    async for rows in result.partitions(BATCH):
        for row in rows:
            yield _line(
                [v if v is None else encode(v) for encode, v in zip(encoders, row, strict=True)]
            )


async def _snapshot(db: Database, session: AsyncSession) -> None:
    if db.is_postgres:
        # Every table of the service from one instant, while it keeps writing.
        await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


async def digest_database(db: Database, metadata: MetaData) -> dict[str, TableDigest]:
    """Each table's row count and the sha256 of its dump, as a backup would record it."""
    digests: dict[str, TableDigest] = {}
    async with db.read() as session:
        await _snapshot(db, session)
        for table in metadata.sorted_tables:
            sha, rows = hashlib.sha256(), -1
            async for line in _dump_lines(session, table):
                sha.update(line)
                rows += 1
            digests[table.name] = TableDigest(rows, sha.hexdigest())
    return digests


# --- backup --------------------------------------------------------------------------


def head_revisions(part: Part, db: Database) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(part.migrations_dir, db))
    return sorted(script.get_heads())


async def _current_revisions(db: Database) -> list[str]:
    def read(conn: Connection) -> list[str]:
        if "alembic_version" not in inspect(conn).get_table_names(schema=db.schema):
            return []
        return sorted(r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version")))

    async with db.read_engine.connect() as conn:
        return await conn.run_sync(read)


async def _table_names(db: Database) -> list[str]:
    def tables(conn: Connection) -> list[str]:
        return inspect(conn).get_table_names(schema=db.schema)

    async with db.read_engine.connect() as conn:
        return await conn.run_sync(tables)


async def _is_empty(db: Database) -> bool:
    return not await _table_names(db)


def _private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(stat.S_IRWXU)  # citizens' questions and password hashes: owner only


def _fsync_file(path: Path) -> None:
    with path.open("rb") as f:
        os.fsync(f.fileno())


async def backup(
    parts: Sequence[Part],
    dbs: dict[str, Database],
    media: MediaSource,
    dest: Path,
    *,
    engine: str,
    now: datetime | None = None,
) -> Summary:
    """Write a complete backup set under `dest`; return what it holds."""
    now = now or datetime.now(UTC)
    name = PREFIX + now.strftime(STAMP)
    _private_dir(dest)
    final = dest / name
    if final.exists():
        raise BackupError(f"Đã có bản sao lưu {final}; chờ một giây rồi chạy lại.")
    work = dest / f".{name}.partial"
    if work.exists():
        shutil.rmtree(work)
    _private_dir(work)
    summary = Summary(path=final)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": now.isoformat(),
        "engine": engine,
        "services": {},
        "media": {},
    }
    keys: set[str] = set()
    for part in parts:
        db = dbs[part.service]
        current, heads = await _current_revisions(db), head_revisions(part, db)
        if current != heads:
            raise BackupError(
                f"Cơ sở dữ liệu của {part.service} ở phiên bản {current or 'trống'}, "
                f"mã nguồn ở {heads}: hãy chạy migrate trước khi sao lưu."
            )
        unknown = set(await _table_names(db)) - set(part.metadata.tables) - {"alembic_version"}
        if unknown:
            raise BackupError(f"{part.service}: có bảng mã nguồn không biết: {sorted(unknown)}")
        folder = work / "db" / part.service
        _private_dir(folder)
        tables: dict[str, Any] = {}
        async with db.read() as session:
            await _snapshot(db, session)
            for table in part.metadata.sorted_tables:
                path = folder / f"{table.name}.jsonl.gz"
                sha, rows = hashlib.sha256(), -1
                # mtime=0: the same rows give the same file.
                with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
                    async for line in _dump_lines(session, table):
                        sha.update(line)
                        gz.write(line)
                        rows += 1
                _fsync_file(path)
                tables[table.name] = {"rows": rows, "sha256": sha.hexdigest()}
                summary.tables.setdefault(part.service, {})[table.name] = TableDigest(
                    rows, sha.hexdigest()
                )
            if part.media_keys is not None:
                keys |= await part.media_keys(session)
        manifest["services"][part.service] = {"revisions": current, "tables": tables}
    for key in sorted(keys):
        data = await media.get(key)
        if data is None:
            summary.missing_media.append(key)
            continue
        path = work / "media" / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        _fsync_file(path)
        manifest["media"][key] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        summary.media += 1
        summary.media_bytes += len(data)
    manifest["missing_media"] = summary.missing_media
    (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    _fsync_file(work / MANIFEST)
    work.rename(final)
    return summary


# --- verify --------------------------------------------------------------------------


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((path / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(
            f"{path} không phải một bản sao lưu hoàn chỉnh (thiếu {MANIFEST})."
        ) from None
    except (OSError, ValueError) as exc:
        raise BackupError(f"Không đọc được {path / MANIFEST}: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Bản sao lưu định dạng {manifest.get('format')}, cần {FORMAT}.")
    return manifest


def _table_lines(path: Path) -> Iterator[bytes]:
    with gzip.open(path, "rb") as gz:
        yield from gz


def verify(path: Path) -> list[str]:
    """Every file of the set against its manifest; the problems found (none: intact)."""
    manifest = read_manifest(path)
    problems: list[str] = []
    for service, info in manifest["services"].items():
        for table, expected in info["tables"].items():
            file = path / "db" / service / f"{table}.jsonl.gz"
            sha, rows = hashlib.sha256(), -1
            try:
                for line in _table_lines(file):
                    sha.update(line)
                    rows += 1
            except (OSError, EOFError) as exc:
                problems.append(f"{service}.{table}: không đọc được ({exc})")
                continue
            if sha.hexdigest() != expected["sha256"] or rows != expected["rows"]:
                problems.append(f"{service}.{table}: nội dung khác với bản kê")
    for key, expected in manifest["media"].items():
        file = path / "media" / key
        try:
            data = file.read_bytes()
        except OSError:
            problems.append(f"media {key}: thiếu tệp")
            continue
        if hashlib.sha256(data).hexdigest() != expected["sha256"]:
            problems.append(f"media {key}: nội dung khác với bản kê")
    return problems


# --- restore -------------------------------------------------------------------------


async def restore(
    path: Path,
    parts: Sequence[Part],
    dbs: dict[str, Database],
    media: MediaSource,
    *,
    replace: bool = False,
) -> Summary:
    """Restore the set at `path` into the databases and media store given.

    Refused, with nothing touched, when the set is damaged, its schema revisions are
    not this release's, or a target database already holds tables (unless `replace`:
    then that database is dropped first).
    """
    manifest = read_manifest(path)
    problems = verify(path)
    if problems:
        raise BackupError("Bản sao lưu bị hỏng: " + "; ".join(problems[:5]))
    for part in parts:
        info = manifest["services"].get(part.service)
        if info is None:
            raise BackupError(f"Bản sao lưu không có dữ liệu của {part.service}.")
        heads = head_revisions(part, dbs[part.service])
        if info["revisions"] != heads:
            raise BackupError(
                f"{part.service}: bản sao lưu ở phiên bản {info['revisions']}, mã nguồn ở "
                f"{heads}. Hãy khôi phục bằng đúng phiên bản đã sao lưu rồi mới nâng cấp."
            )
        missing = set(info["tables"]) ^ {t.name for t in part.metadata.sorted_tables}
        if missing:
            raise BackupError(f"{part.service}: các bảng không khớp: {sorted(missing)}")
    occupied = [p.service for p in parts if not await _is_empty(dbs[p.service])]
    if occupied and not replace:
        raise BackupError(
            "Nơi khôi phục đã có dữ liệu (" + ", ".join(occupied) + "). Khôi phục vào một "
            "nền tảng trống, hoặc thêm --replace để xoá dữ liệu hiện có rồi khôi phục."
        )
    summary = Summary(path=path)
    for part in parts:
        db = dbs[part.service]
        if part.service in occupied:
            await db.drop()
            db = dbs[part.service] = Database(part.service, db.settings)
        await migrations.upgrade(db, part.migrations_dir)
        tables = manifest["services"][part.service]["tables"]
        summary.tables[part.service] = await _load(path, part, db, tables)
    for key in manifest["media"]:
        data = (path / "media" / key).read_bytes()
        await media.put(key, data)
        summary.media += 1
        summary.media_bytes += len(data)
    return summary


async def _load(
    path: Path, part: Part, db: Database, expected: dict[str, Any]
) -> dict[str, TableDigest]:
    loaded: dict[str, TableDigest] = {}
    async with db.session() as session:
        # Rows the migrations seeded (the audit chain's genesis head) give way to the set's.
        for table in reversed(part.metadata.sorted_tables):
            if await session.scalar(select(func.count()).select_from(table)):
                await session.execute(table.delete())
        for table in part.metadata.sorted_tables:
            lines = _table_lines(path / "db" / part.service / f"{table.name}.jsonl.gz")
            header = json.loads(next(lines))
            names: list[str] = header["columns"]
            if set(names) != set(table.columns.keys()):
                raise BackupError(f"{part.service}.{table.name}: các cột không khớp")
            decoders = [_codec(table.columns[n].type)[1] for n in names]
            rows, batch = 0, []
            for line in lines:
                values = json.loads(line)
                batch.append(
                    {
                        n: v if v is None else decode(v)
                        for n, decode, v in zip(names, decoders, values, strict=True)
                    }
                )
                if len(batch) >= BATCH:
                    await session.execute(table.insert(), batch)
                    rows, batch = rows + len(batch), []
            if batch:
                await session.execute(table.insert(), batch)
                rows += len(batch)
            # The file was checked against the manifest by verify() before loading.
            loaded[table.name] = TableDigest(rows, expected[table.name]["sha256"])
            if db.is_postgres:
                await _advance_sequences(session, db, table)
        await session.commit()
    return loaded


async def _advance_sequences(session: AsyncSession, db: Database, table: Table) -> None:
    """Serial columns continue after the restored ids, not from 1."""
    for column in table.primary_key.columns:
        if column.autoincrement is not True and not (
            column.autoincrement == "auto" and len(table.primary_key.columns) == 1
        ):
            continue
        sequence = await session.scalar(
            text("SELECT pg_get_serial_sequence(:t, :c)"),
            {"t": f'"{db.schema}"."{table.name}"', "c": column.name},
        )
        if sequence:
            # Names from our own metadata, not from input.
            highest = f'SELECT max("{column.name}") FROM "{table.name}"'  # noqa: S608
            await session.execute(
                text(f"SELECT setval(:s, COALESCE(({highest}), 0) + 1, false)"), {"s": sequence}
            )


# --- retention -----------------------------------------------------------------------


def sets_in(dest: Path) -> list[Path]:
    """The complete sets under `dest`, oldest first."""
    if not dest.is_dir():
        return []
    found = (p for p in dest.iterdir() if p.is_dir() and p.name.startswith(PREFIX))
    return sorted(p for p in found if (p / MANIFEST).exists())


def prune(dest: Path, keep: int, *, now: datetime | None = None) -> list[Path]:
    """Delete all but the newest `keep` sets (and partial sets left by a crash)."""
    if keep < 1:
        raise BackupError("Phải giữ lại ít nhất một bản sao lưu.")
    now = now or datetime.now(UTC)
    removed = sets_in(dest)[:-keep]
    if dest.is_dir():
        for p in dest.iterdir():
            if p.name.startswith(f".{PREFIX}") and p.name.endswith(".partial"):
                age = now - datetime.fromtimestamp(p.stat().st_mtime, UTC)
                if age > STALE_PARTIAL:
                    removed.append(p)
    for p in removed:
        shutil.rmtree(p)
    return removed
