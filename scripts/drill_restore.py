"""Restore drill: back a live platform up, restore it into an empty one, prove it.

    .venv/bin/python scripts/drill_restore.py                    # SQLite (embedded)
    DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python scripts/drill_restore.py                # PostgreSQL schemas

1. Starts the whole platform on a fresh data directory (or fresh PostgreSQL schemas,
   under a prefix of their own) and fills it with the demo data through the public
   API: articles with images on several sites, citizens' questions and an answer,
   the demo accounts, and the audit entries all of that writes.
2. Runs `portal backup` while it serves, then stops it.
3. Runs `portal restore` into a second, empty data directory (or schema prefix), and
   checks that a second restore without --replace is refused.
4. Compares every table of every service, restored against the backup's manifest,
   and articles, revisions, questions, accounts, roles and the audit log restored
   against the stopped source (row by row, via the same dump), and every media file.
5. Starts the platform on the restored data and reads it back through the gateway:
   every live page answers 200 with its title, every media file is byte-identical,
   the demo operator signs in, and the audit chain verifies end to end.

Last line: RESULT restored_ok=<0|1> mismatches=<n> articles=<n> questions=<n>
accounts=<n> audit_entries=<n> media=<n> backup_s=<s> restore_s=<s>
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal import backup
from portal.backup_cli import SERVICES, parts
from portal.launch import Platform
from runtime.db import Database
from runtime.embedded import free_port
from runtime.settings import Settings
from scripts.seed_demo import login, seed

#: Compared against the stopped source as well as against the manifest.
KEY_TABLES = {
    "admin": ("accounts", "account_roles", "audit_log", "audit_head", "tenants"),
    "content": ("articles", "revisions", "media"),
    "feedback": ("questions", "question_log", "attachments"),
}
REPO = Path(__file__).resolve().parent.parent
Digests = dict[str, dict[str, backup.TableDigest]]


def environment(data_dir: Path, prefix: str) -> dict[str, str]:
    env = {"PORTAL_DATA_DIR": str(data_dir), "LOG_LEVEL": "WARNING"}
    if os.environ.get("DATABASE_URL"):
        env["PORTAL_SCHEMA_PREFIX"] = prefix
    return env


def settings_for(env: dict[str, str]) -> Settings:
    return Settings().with_overrides(
        data_dir=Path(env["PORTAL_DATA_DIR"]), schema_prefix=env.get("PORTAL_SCHEMA_PREFIX", "")
    )


def portal(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "portal.cli", *args],
        cwd=REPO, env={**os.environ, **env}, capture_output=True, text=True, timeout=1200,
    )  # fmt: skip


async def digests(env: dict[str, str]) -> Digests:
    settings = settings_for(env)
    result = {}
    for part in parts():
        db = Database(part.service, settings)
        try:
            result[part.service] = await backup.digest_database(db, part.metadata)
        finally:
            await db.dispose()
    return result


async def live_pages(env: dict[str, str]) -> list[tuple[str, str, str]]:
    """(site, path, title) of every live page, from the renderer's record."""
    from services.renderer.store import pages

    db = Database("renderer", settings_for(env))
    try:
        async with db.read() as session:
            rows = await session.execute(
                select(pages.c.tenant, pages.c.path, pages.c.title).where(pages.c.status == "live")
            )
            return [(r.tenant, r.path, r.title) for r in rows]
    finally:
        await db.dispose()


async def media_urls(env: dict[str, str]) -> list[tuple[str, str]]:
    """(url, stored key) of every stored copy of every upload."""
    from services.content.store import media, storage_key

    db = Database("content", settings_for(env))
    try:
        async with db.read() as session:
            rows = (await session.execute(select(media))).all()
    finally:
        await db.dispose()
    return [
        (f"/media/{r.tenant}/{r.id}/{v['name']}", storage_key(r.tenant, r.id, v["name"]))
        for r in rows
        for v in r.variants
    ]


def settle(env: dict[str, str], seconds: float = 3.0, timeout: float = 60.0) -> None:
    """Wait until the audit log stops growing: its entries arrive by events."""
    last, stable_since, deadline = -1, time.monotonic(), time.monotonic() + timeout
    while time.monotonic() < deadline:
        count = asyncio.run(digests(env))["admin"]["audit_log"].rows
        if count != last:
            last, stable_since = count, time.monotonic()
        elif time.monotonic() - stable_since >= seconds:
            return
        time.sleep(0.5)


def compare(expected: Digests, actual: Digests, what: str) -> list[str]:
    problems = []
    for service, tables in expected.items():
        for table, digest in tables.items():
            got = actual.get(service, {}).get(table)
            if got is None or got.sha256 != digest.sha256:
                problems.append(
                    f"{what}: {service}.{table} {digest.rows} rows → "
                    f"{got.rows if got else 'missing'}"
                )
    return problems


def read_back(platform: Platform, env: dict[str, str], manifest: dict[str, Any]) -> list[str]:
    """Through the gateway of the platform started on the restored data."""
    problems: list[str] = []
    pages = asyncio.run(live_pages(env))
    with httpx.Client(base_url=platform.gateway_url, timeout=20) as http:
        for site, path, title in pages:
            r = http.get(path, headers={"Host": f"{site}.localhost"})
            if r.status_code != 200 or title.split("&")[0][:40] not in r.text:
                problems.append(f"page {site}{path}: {r.status_code}")
        for url, key in asyncio.run(media_urls(env)):
            r = http.get(url, headers={"Host": "localhost"})
            want = manifest["media"].get(key, {}).get("sha256")
            if r.status_code != 200 or hashlib.sha256(r.content).hexdigest() != want:
                problems.append(f"media {url}: {r.status_code}")
        http.headers["Host"] = "localhost"
        operator = login(http, "vanhanh")
        check = http.get("/api/v1/audit/verify", headers=operator).json()
        entries = manifest["services"]["admin"]["tables"]["audit_log"]["rows"]
        if not check.get("ok") or check.get("checked") < entries:
            problems.append(f"audit chain: {check}")
    print(f"read back: {len(pages)} live pages, audit chain {check.get('checked')} entries ok")
    return problems


def main() -> None:
    tag = secrets.token_hex(3)
    engine = "postgresql" if os.environ.get("DATABASE_URL") else "sqlite"
    with tempfile.TemporaryDirectory(prefix="drill-") as tmp:
        root = Path(tmp)
        source = environment(root / "source", f"drill{tag}_src_")
        target = environment(root / "target", f"drill{tag}_dst_")
        sets = root / "backups"
        platform = Platform(
            data_dir=root / "source", gateway_port=free_port(), free_ports=True,
            extra_env={**source, "PORTAL_DEMO": "1"},
        ).start(timeout=180)  # fmt: skip
        try:
            counts = seed(platform.gateway_url, platform.url("mailbox"))
            print(f"seeded {sum(counts.values())} articles on {len(counts)} sites ({engine})")
            settle(source)
            started = time.perf_counter()
            made = portal("backup", "--to", str(sets), env=source)
            backup_s = time.perf_counter() - started
            print(made.stdout.strip(), made.stderr.strip())
            if made.returncode != 0:
                raise SystemExit(f"backup failed: {made.returncode}")
        finally:
            platform.stop()
        (made_set,) = backup.sets_in(sets)
        manifest = backup.read_manifest(made_set)
        problems = [f"verify: {p}" for p in backup.verify(made_set)]
        started = time.perf_counter()
        restored = portal("restore", str(made_set), env=target)
        restore_s = time.perf_counter() - started
        print(restored.stdout.strip(), restored.stderr.strip())
        if restored.returncode != 0:
            problems.append(f"restore exit {restored.returncode}")
        again = portal("restore", str(made_set), env=target)
        if again.returncode != 2 or "--replace" not in again.stderr:
            problems.append(f"a second restore was not refused: {again.returncode}")
        after = asyncio.run(digests(target))
        recorded = {
            s: {t: backup.TableDigest(**d) for t, d in i["tables"].items()}
            for s, i in manifest["services"].items()
        }
        problems += compare(recorded, after, "manifest")
        before = asyncio.run(digests(source))
        key = {s: {t: before[s][t] for t in ts} for s, ts in KEY_TABLES.items()}
        problems += compare(key, after, "source")
        platform = Platform(
            data_dir=root / "target", gateway_port=free_port(), free_ports=True,
            extra_env=target,
        ).start(timeout=180)  # fmt: skip
        try:
            problems += read_back(platform, target, manifest)
        finally:
            platform.stop()
        if engine == "postgresql":
            drop_schemas(source, target)
    for problem in problems:
        print(problem)

    def rows(service: str, table: str) -> int:
        return int(manifest["services"][service]["tables"][table]["rows"])

    print(
        f"RESULT restored_ok={int(not problems)} mismatches={len(problems)} "
        f"articles={rows('content', 'articles')} questions={rows('feedback', 'questions')} "
        f"accounts={rows('admin', 'accounts')} audit_entries={rows('admin', 'audit_log')} "
        f"media={len(manifest['media'])} backup_s={backup_s:.1f} restore_s={restore_s:.1f}"
    )
    if problems:
        sys.exit(1)


def drop_schemas(*envs: dict[str, str]) -> None:
    async def drop() -> None:
        for env in envs:
            for service in SERVICES:
                await Database(service, settings_for(env)).drop()

    asyncio.run(drop())


if __name__ == "__main__":
    main()
