"""A scheduled publication survives a restart of content: it happens as soon as
content is back, never before its time."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

from conftest import BOARD, EDITOR, bearer, eventually, running, settings_for

from services.admin.__main__ import build as build_admin
from services.content.__main__ import build as build_content
from services.editorial.__main__ import build as build_editorial


async def test_scheduled_publication_survives_a_restart(tmp_path, kafka) -> None:
    async with settings_for(tmp_path, kafka) as settings, AsyncExitStack() as stack:
        await stack.enter_async_context(running(build_admin, settings))
        _, editorial = await stack.enter_async_context(running(build_editorial, settings))
        async with running(build_content, settings) as (_, content):

            async def created():
                r = await content.post(
                    "/api/v1/articles",
                    json={"tenant": "hoankiem", "category": "tin-tuc", "title": "Hẹn giờ"},
                    headers=bearer(EDITOR),
                )
                return r.json() if r.status_code == 201 else None

            article = await eventually(created, timeout=60)
            r = await content.post(
                f"/api/v1/articles/{article['id']}/submit",
                json={"version": article["version"]},
                headers=bearer(EDITOR),
            )
            revision = r.json()["current_revision_id"]

            async def queued():
                r = await editorial.get(f"/api/v1/reviews/{revision}", headers=bearer(BOARD))
                return r.status_code == 200

            await eventually(queued)
            publish_at = datetime.now(UTC) + timedelta(seconds=4)
            r = await editorial.post(
                f"/api/v1/reviews/{revision}/approve",
                json={"publish_at": publish_at.isoformat()},
                headers=bearer(BOARD),
            )
            assert r.status_code == 200

            async def scheduled():
                r = await content.get(f"/api/v1/articles/{article['id']}", headers=bearer(EDITOR))
                return r.json()["state"] == "scheduled"

            await eventually(scheduled)
        # content is down when the time comes.
        await asyncio.sleep(max(0.0, (publish_at - datetime.now(UTC)).total_seconds()) + 1)
        async with running(build_content, settings) as (_, content):

            async def published():
                r = await content.get(f"/api/v1/articles/{article['id']}", headers=bearer(EDITOR))
                return r.json() if r.json()["state"] == "published" else None

            live = await eventually(published, timeout=30)
            assert datetime.fromisoformat(live["first_published_at"]) >= publish_at
