"""The services syndication needs, in this process: admin, content, editorial,
renderer and syndication itself, with helpers to publish and to read what it sent."""

from __future__ import annotations

import json
from typing import Any

from conftest import InProcessPlatform, bearer, eventually, running, token_for
from sqlalchemy import select

from runtime.messaging import OUTBOX
from services.admin.domain import SEED_TENANTS
from services.syndication import store
from services.syndication.__main__ import build as build_syndication
from services.syndication.copies import article_row

CITY_EDITOR = token_for("bientap.hanoi", {"hanoi": "editor"})
CITY_BOARD = token_for("bbt.hanoi", {"hanoi": "board_member"})
CITY_BOARD_2 = token_for("bbt2.hanoi", {"hanoi": "board_member"})
WARD_EDITOR = token_for("bientap.hoankiem", {"hoankiem": "editor"})
WARD_BOARD = token_for("bbt.hoankiem", {"hoankiem": "board_member"})
OTHER_WARD_BOARD = token_for("bbt.badinh", {"badinh": "board_member"})
WARDS = sorted(
    line.split(",", 1)[0]
    for line in SEED_TENANTS.read_text().splitlines()[1:]
    if line.split(",")[1] == "ward"
)


class SyndicationPlatform(InProcessPlatform):
    async def __aenter__(self) -> SyndicationPlatform:
        await super().__aenter__()
        self.syndication, self.syndication_http = await self.stack.enter_async_context(
            running(build_syndication, self.settings)
        )
        await eventually(self._sites_known, timeout=60)
        return self

    async def _sites_known(self) -> bool:
        async with self.syndication.db.read() as session:
            rows = (await session.execute(select(store.sites.c.slug))).all()
            trees = (await session.execute(select(store.trees.c.tenant))).all()
        return len(rows) >= 151 and len(trees) >= 151

    async def publish(self, tenant: str, title: str, editor: str, board: str) -> dict[str, Any]:
        created = await self.content_http.post(
            "/api/v1/articles",
            json={"tenant": tenant, "category": "tin-tuc", "title": title, "summary": "Tóm tắt",
                  "body_html": '<p>Nội dung <a href="/lien-he">liên hệ</a></p>'},
            headers=bearer(editor),
        )  # fmt: skip
        assert created.status_code == 201, created.text
        return await self.revise(created.json(), editor, board)

    async def revise(
        self, article: dict[str, Any], editor: str, board: str, title: str | None = None
    ) -> dict[str, Any]:
        if title is not None:
            edited = await self.content_http.patch(
                f"/api/v1/articles/{article['id']}",
                json={
                    "version": article["version"],
                    "title": title,
                    "category": "tin-tuc",
                    "summary": "Tóm tắt",
                    "body_html": "<p>Nội dung mới</p>",
                },
                headers=bearer(editor),
            )
            assert edited.status_code == 200, edited.text
            article = edited.json()
        submitted = await self.content_http.post(
            f"/api/v1/articles/{article['id']}/submit",
            json={"version": article["version"]},
            headers=bearer(editor),
        )
        assert submitted.status_code == 200, submitted.text
        revision = submitted.json()["current_revision_id"]

        async def approved() -> bool:
            r = await self.editorial_http.post(
                f"/api/v1/reviews/{revision}/approve", json={}, headers=bearer(board)
            )
            return r.status_code == 200

        await eventually(approved)
        return await self.known(article["id"], revision, board)

    async def known(
        self, article_id: str, revision: str | None = None, token: str = CITY_BOARD
    ) -> dict[str, Any]:
        """The article as syndication last saw it published."""

        async def seen() -> Any:
            async with self.syndication.db.read() as session:
                row = await article_row(session, article_id)
            if row and row.status == "live" and revision in (None, row.state["revision_id"]):
                return row
            return None

        await eventually(seen)
        response = await self.content_http.get(
            f"/api/v1/articles/{article_id}", headers=bearer(token)
        )
        return response.json()

    async def syndicated(self) -> list[dict[str, Any]]:
        """Every ArticleSyndicated syndication sent, oldest first."""
        async with self.syndication.db.read() as session:
            rows = (
                await session.execute(
                    select(OUTBOX.c.payload)
                    .where(OUTBOX.c.event_type.like("%ArticleSyndicated%"))
                    .order_by(OUTBOX.c.id)
                )
            ).all()
        return [json.loads(r.payload) for r in rows]
