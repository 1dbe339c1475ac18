"""`portal backup` and `portal restore` on a platform that has served real requests.

The source is the in-process platform after an article went through review and an
image and a PDF were uploaded; the target is a second, empty environment (other
SQLite files, or other PostgreSQL schemas, and an S3 bucket for media). A restore
must give back every row (same digest as the manifest) and every media file, and
must refuse damaged sets, other schema revisions and targets that hold data.
"""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import EDITOR, S3_KEYS, InProcessPlatform, bearer, make_pdf, settings_for
from PIL import Image
from sqlalchemy import text

from portal import backup, backup_cli, cli
from runtime import migrations
from runtime.db import Database
from runtime.embedded import EmbeddedKafka
from runtime.settings import Settings

MAIL = text(
    "INSERT INTO mails (to_address, subject, body, created_at, next_attempt_at)"
    " VALUES ('dan@example.vn', 'Đã nhận câu hỏi', 'Cảm ơn', :at, :at)"
)


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 400), (30, 90, 160)).save(out, "PNG")
    return out.getvalue()


@dataclass
class Env:
    settings: Settings
    dbs: dict[str, Database]
    media: Any


@pytest.fixture
async def source(tmp_path: Path, kafka: EmbeddedKafka) -> AsyncIterator[tuple[Env, list[str]]]:
    """A platform that has stored an article under review and two uploads; the
    media keys it wrote."""
    async with settings_for(tmp_path / "src", kafka) as settings:
        async with InProcessPlatform(settings) as p:
            await p.draft_and_submit("Thông báo lịch tiếp công dân tháng 12")
            keys = []
            for name, data, kind in [
                ("qd.pdf", make_pdf("Quyết định số 7", "Trang 2"), "application/pdf"),
                ("ho.png", png(), "image/png"),
            ]:
                r = await p.content_http.post(
                    "/api/v1/media",
                    data={"tenant": "hoankiem", "alt": "Quang cảnh hồ Gươm"},
                    files={"file": (name, data, kind)},
                    headers=bearer(EDITOR),
                )
                assert r.status_code == 201, r.text
                keys.append(r.json()["url"].removeprefix("/media/"))
        async with backup_cli.platform(settings) as (dbs, media):
            # The services not started in-process still get their (empty) tables.
            for part in backup_cli.parts():
                await migrations.upgrade(dbs[part.service], part.migrations_dir)
            async with dbs["feedback"].session() as session:
                for _ in range(3):
                    await session.execute(MAIL, {"at": datetime.now(UTC)})
                await session.commit()
            yield Env(settings, dbs, media), keys


@pytest.fixture
async def target(
    tmp_path: Path, kafka: EmbeddedKafka, s3_endpoint: str, s3_bucket: str
) -> AsyncIterator[Env]:
    async with settings_for(tmp_path / "dst", kafka) as base:
        settings = base.with_overrides(
            media_s3_url=s3_endpoint, media_s3_bucket=s3_bucket, **S3_KEYS
        )
        async with backup_cli.platform(settings) as (dbs, media):
            yield Env(settings, dbs, media)


async def take(env: Env, dest: Path, **kwargs: Any) -> backup.Summary:
    engine = "postgresql" if env.settings.uses_postgres else "sqlite"
    return await backup.backup(
        backup_cli.parts(), env.dbs, env.media, dest, engine=engine, **kwargs
    )


async def test_restore_gives_back_every_row_and_file(
    source: tuple[Env, list[str]], target: Env, tmp_path: Path
) -> None:
    src, keys = source
    summary = await take(src, tmp_path / "sets")
    assert summary.missing_media == []
    assert summary.rows("content", "articles") >= 1
    assert summary.rows("editorial", "reviews") >= 1
    assert summary.rows("admin", "audit_log") >= 1
    assert set(keys) <= set(backup.read_manifest(summary.path)["media"])
    assert backup.verify(summary.path) == []
    # Files are private to the operator.
    assert summary.path.stat().st_mode & 0o077 == 0

    restored = await backup.restore(summary.path, backup_cli.parts(), target.dbs, target.media)

    manifest = backup.read_manifest(summary.path)
    for part in backup_cli.parts():
        live = await backup.digest_database(target.dbs[part.service], part.metadata)
        expected = manifest["services"][part.service]["tables"]
        got = {t: {"rows": d.rows, "sha256": d.sha256} for t, d in live.items()}
        assert got == expected, part.service
        assert restored.tables[part.service].keys() == expected.keys()
    for key in keys:
        original = await src.media.get(key)
        assert original is not None
        assert await target.media.get(key) == original
    assert restored.media == len(manifest["media"])

    # The restored platform serves: the article and its review are there.
    async with target.dbs["content"].read() as session:
        title = await session.scalar(
            text("SELECT title FROM articles WHERE title LIKE 'Thông báo%'")
        )
    assert title == "Thông báo lịch tiếp công dân tháng 12"
    # Serial ids go on after the restored ones.
    async with target.dbs["feedback"].session() as session:
        await session.execute(MAIL, {"at": datetime.now(UTC)})
        await session.commit()
        ids = (await session.scalars(text("SELECT id FROM mails ORDER BY id"))).all()
    assert list(ids) == [1, 2, 3, 4]

    # A second restore onto data is refused with the way out named, and touches nothing.
    with pytest.raises(backup.BackupError, match="--replace"):
        await backup.restore(summary.path, backup_cli.parts(), target.dbs, target.media)
    async with target.dbs["content"].session() as session:
        await session.execute(text("UPDATE articles SET title = 'đổi sau khi khôi phục'"))
        await session.commit()
    await backup.restore(summary.path, backup_cli.parts(), target.dbs, target.media, replace=True)
    async with target.dbs["content"].read() as session:
        title = await session.scalar(
            text("SELECT title FROM articles WHERE title LIKE 'Thông báo%'")
        )
    assert title == "Thông báo lịch tiếp công dân tháng 12"


async def test_damaged_set_is_found_and_not_restored(
    source: tuple[Env, list[str]], target: Env, tmp_path: Path
) -> None:
    src, keys = source
    summary = await take(src, tmp_path / "sets")
    table = summary.path / "db" / "content" / "articles.jsonl.gz"
    lines = gzip.decompress(table.read_bytes()).splitlines(keepends=True)
    lines.append(lines[-1])  # a row that was never there
    table.write_bytes(gzip.compress(b"".join(lines)))
    (summary.path / "media" / keys[1]).write_bytes(b"\x89PNG not the image")

    problems = backup.verify(summary.path)
    assert any("content.articles" in p for p in problems)
    assert any(keys[1] in p for p in problems)
    assert cli.main(["backup", "verify", str(summary.path)]) == 1

    with pytest.raises(backup.BackupError, match="hỏng"):
        await backup.restore(summary.path, backup_cli.parts(), target.dbs, target.media)
    for db in target.dbs.values():
        assert await backup._is_empty(db)

    truncated = summary.path / "db" / "admin" / "audit_log.jsonl.gz"
    truncated.write_bytes(truncated.read_bytes()[:20])
    assert any("admin.audit_log" in p for p in backup.verify(summary.path))


async def test_other_schema_revision_is_refused(
    source: tuple[Env, list[str]], target: Env, tmp_path: Path
) -> None:
    src, _ = source
    summary = await take(src, tmp_path / "sets")
    manifest_path = summary.path / backup.MANIFEST
    manifest = json.loads(manifest_path.read_text())
    manifest["services"]["feedback"]["revisions"] = ["0099_from_a_later_release"]
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(backup.BackupError, match="phiên bản"):
        await backup.restore(summary.path, backup_cli.parts(), target.dbs, target.media)
    for db in target.dbs.values():
        assert await backup._is_empty(db)


async def test_backup_refuses_a_database_behind_the_code(target: Env, tmp_path: Path) -> None:
    """An empty (never migrated) database is not silently backed up as 'nothing'."""
    with pytest.raises(backup.BackupError, match="migrate"):
        await take(target, tmp_path / "sets")
    assert backup.sets_in(tmp_path / "sets") == []


async def test_cli_backup_keeps_the_newest_sets(
    source: tuple[Env, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, _ = source
    dest = tmp_path / "sets"
    start = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    for week in range(3):
        await take(src, dest, now=start + timedelta(weeks=week))
    stale = dest / ".portal-20261020T020000Z.partial"
    stale.mkdir()
    fresh = dest / ".portal-20261120T020000Z.partial"
    fresh.mkdir()
    old = (datetime.now(UTC) - timedelta(days=1)).timestamp()
    os.utime(stale, (old, old))
    removed = backup.prune(dest, keep=2)
    assert sorted(p.name for p in removed) == [".portal-20261020T020000Z.partial",
                                               "portal-20261101T020000Z"]  # fmt: skip
    assert [p.name for p in backup.sets_in(dest)] == ["portal-20261108T020000Z",
                                                      "portal-20261115T020000Z"]  # fmt: skip
    assert fresh.exists()  # a backup may be writing it right now
    with pytest.raises(backup.BackupError):
        backup.prune(dest, keep=0)

    # The command the CronJob runs: reads the services' settings from the environment.
    for name, value in _env_for(src.settings).items():
        monkeypatch.setenv(name, value)
    assert await asyncio.to_thread(cli.main, ["backup", "--to", str(dest), "--keep", "2"]) == 0
    names = [p.name for p in backup.sets_in(dest)]
    assert len(names) == 2 and names[0] == "portal-20261115T020000Z"
    assert cli.main(["backup", "verify", str(backup.sets_in(dest)[-1])]) == 0


def _env_for(settings: Settings) -> dict[str, str]:
    env = {"PORTAL_DATA_DIR": str(settings.data_dir)}
    if settings.uses_postgres:
        env["DATABASE_URL"] = settings.database_url or ""
        env["PORTAL_SCHEMA_PREFIX"] = settings.schema_prefix
    return env
