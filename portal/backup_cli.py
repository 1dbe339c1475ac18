"""`portal backup` and `portal restore`: the operators' side of portal/backup.py.

    portal backup [--to DIR] [--keep N]     a new set under DIR, then keep the newest N
    portal backup verify SET                every file of SET against its manifest
    portal backup list [--to DIR]           the sets under DIR, newest last
    portal backup prune [--to DIR] --keep N
    portal restore SET [--replace]          into this environment's databases and media

They read the services' own settings (DATABASE_URL and PORTAL_SCHEMA_PREFIX, or
PORTAL_DATA_DIR; MEDIA_S3_* or the media directory). DIR defaults to
PORTAL_BACKUP_DIR, else <data dir>/backups; N to PORTAL_BACKUP_KEEP, else 8 (two
months of weekly sets).

Exit status: 0 done, 1 the set is damaged or differs, 2 could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from portal import backup
from runtime.db import Database
from runtime.settings import Settings

#: Every service with a database, in the order they are dumped and restored.
SERVICES = ("admin", "content", "editorial", "feedback", "renderer", "search", "syndication")
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_KEEP = 8


def parts() -> list[backup.Part]:
    result = []
    for name in SERVICES:
        # A service's entry module imports every module that puts a table on its metadata.
        importlib.import_module(f"services.{name}.__main__")
        store = importlib.import_module(f"services.{name}.store")
        migrations = REPO_ROOT / "services" / name / "migrations"
        keys = getattr(store, "media_keys", None)
        result.append(backup.Part(name, store.metadata, migrations, keys))
    return result


def backup_dir(settings: Settings, given: Path | None) -> Path:
    if given:
        return given
    env = os.environ.get("PORTAL_BACKUP_DIR")
    return Path(env) if env else settings.data_dir / "backups"


def add_parsers(commands: Any) -> None:
    make = commands.add_parser(
        "backup",
        help="sao lưu toàn bộ nền tảng",
        description="Sao lưu cơ sở dữ liệu của mọi dịch vụ, tệp đa phương tiện và nhật ký.",
    )
    make.add_argument("--to", type=Path, help="thư mục chứa các bản sao lưu")
    make.add_argument("--keep", type=int, help=f"giữ lại N bản mới nhất (mặc định {DEFAULT_KEEP})")
    more = make.add_subparsers(dest="backup_command")
    check = more.add_parser("verify", help="kiểm tra một bản sao lưu với bản kê của nó")
    check.add_argument("set", type=Path)
    listing = more.add_parser("list", help="liệt kê các bản sao lưu")
    listing.add_argument("--to", type=Path, dest="list_to")
    trim = more.add_parser("prune", help="xoá các bản sao lưu cũ")
    trim.add_argument("--to", type=Path, dest="prune_to")
    trim.add_argument("--keep", type=int, dest="prune_keep", required=True)

    back = commands.add_parser(
        "restore",
        help="khôi phục từ một bản sao lưu",
        description="Khôi phục mọi dịch vụ từ một bản sao lưu vào môi trường hiện tại.",
    )
    back.add_argument("set", type=Path, help="thư mục portal-<thời điểm>")
    back.add_argument(
        "--replace", action="store_true", help="xoá dữ liệu đang có rồi khôi phục (không hoàn tác)"
    )


@asynccontextmanager
async def platform(settings: Settings) -> AsyncIterator[tuple[dict[str, Database], Any]]:
    """Every service's database and the media store of these settings, closed after."""
    from services.content.objectstore import storage_for

    dbs = {name: Database(name, settings) for name in SERVICES}
    media = storage_for(settings)
    try:
        yield dbs, media
    finally:
        for db in dbs.values():
            await db.dispose()
        close = getattr(media, "close", None)
        if close is not None:
            await close()


async def _create(settings: Settings, dest: Path, keep: int) -> int:
    async with platform(settings) as (dbs, media):
        engine = "postgresql" if settings.uses_postgres else "sqlite"
        summary = await backup.backup(parts(), dbs, media, dest, engine=engine)
    rows = sum(d.rows for tables in summary.tables.values() for d in tables.values())
    print(
        f"Đã sao lưu vào {summary.path}: {rows} dòng dữ liệu, {summary.media} tệp "
        f"({summary.media_bytes / 1_048_576:.1f} MB)."
    )
    if summary.missing_media:
        print(
            f"Cảnh báo: {len(summary.missing_media)} tệp có trong dữ liệu nhưng không còn trong "
            "kho lưu trữ: " + ", ".join(summary.missing_media[:10]),
            file=sys.stderr,
        )
    for old in backup.prune(dest, keep):
        print(f"Đã xoá bản cũ {old.name}")
    return 0


async def _restore(settings: Settings, path: Path, replace: bool) -> int:
    async with platform(settings) as (dbs, media):
        summary = await backup.restore(path, parts(), dbs, media, replace=replace)
    rows = sum(d.rows for tables in summary.tables.values() for d in tables.values())
    print(
        f"Đã khôi phục từ {path}: {rows} dòng dữ liệu, {summary.media} tệp. Khởi động lại "
        "các dịch vụ; chỉ mục tìm kiếm tự dựng lại khi trống (hoặc chạy "
        "`python -m services.search reindex`), và xoá bộ nhớ đệm trang ở Redis nếu có."
    )
    return 0


def run(args: argparse.Namespace) -> int:
    settings = Settings()
    try:
        if args.command == "restore":
            return asyncio.run(_restore(settings, args.set, args.replace))
        sub = args.backup_command
        if sub == "verify":
            problems = backup.verify(args.set)
            for problem in problems:
                print(problem, file=sys.stderr)
            print("Bản sao lưu nguyên vẹn." if not problems else f"{len(problems)} lỗi.")
            return 1 if problems else 0
        if sub == "list":
            for found in backup.sets_in(backup_dir(settings, args.list_to)):
                print(found)
            return 0
        if sub == "prune":
            for old in backup.prune(backup_dir(settings, args.prune_to), args.prune_keep):
                print(f"Đã xoá {old.name}")
            return 0
        keep = args.keep or int(os.environ.get("PORTAL_BACKUP_KEEP", DEFAULT_KEEP))
        return asyncio.run(_create(settings, backup_dir(settings, args.to), keep))
    except backup.BackupError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
