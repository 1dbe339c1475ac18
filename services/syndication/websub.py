"""WebSub-style pings: when an article changes on a site (its own, or a copy), the
site's feeds and the feeds of the article's category are announced to the configured
hubs (PORTAL_WEBSUB_HUBS) with `hub.mode=publish` and `hub.url`, so subscribers of
the hub (aggregators, the press, partners) fetch the feed at once instead of polling.

The pings owed are rows of `hub_pings`, written in the transaction of the change: a
hub that is slow or away delays only the pings, which are retried with backoff; a
change that happens again before its ping went merges into the same row.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from runtime.messaging import UnitOfWork
from runtime.settings import Settings
from services.syndication import store
from services.syndication.domain import Site

log = logging.getLogger("portal.syndication.websub")

#: After this many failed attempts a ping is dropped (the feed is still there to poll).
MAX_ATTEMPTS = 8
BATCH = 50


def feed_urls(base: str, categories: Iterable[str]) -> list[str]:
    """The feeds an article of these categories appears in, RSS and Atom (the paths
    services/renderer/feed_pages.py serves)."""
    urls = [f"{base}/rss.xml", f"{base}/atom.xml"]
    for category in dict.fromkeys(c for c in categories if c):
        urls += [f"{base}/rss/{category}.xml", f"{base}/atom/{category}.xml"]
    return urls


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s … at most an hour between attempts."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 3600))


async def feeds_changed(
    session: AsyncSession,
    settings: Settings,
    site: Site | None,
    categories: Sequence[str],
    *,
    now: datetime,
) -> None:
    """Owe the hubs a ping for each feed of `site` these categories are in."""
    if not settings.websub_hubs or site is None or not site.active:
        return
    base = settings.site_url(site.slug, site.domain).rstrip("/")
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    for url in feed_urls(base, categories):
        stmt = dialect.insert(store.hub_pings).values(
            feed_url=url[:500], due_at=now, attempts=0, last_error=None
        )
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["feed_url"],
                set_={"due_at": now, "attempts": 0, "last_error": None},
            )
        )


class HubPinger:
    """The loop that sends the pings owed (service.background["websub"]). Replicas may
    each send a ping that is due: a hub takes a repeated ping as the same news, so no
    lease is needed."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        settings: Settings,
        *,
        poll_seconds: float = 1.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._uow = unit_of_work
        self._hubs = settings.websub_hubs
        self._poll = poll_seconds
        self._client = client

    async def run(self) -> None:
        if not self._hubs:
            return
        async with self._client or httpx.AsyncClient(timeout=5.0) as client:
            while True:
                try:
                    sent = await self.once(client)
                except Exception:  # the database away: try again on the next turn
                    log.exception("websub pings failed")
                    sent = 0
                if not sent:
                    await asyncio.sleep(self._poll)

    async def once(self, client: httpx.AsyncClient) -> int:
        now = datetime.now(UTC)
        async with self._uow() as uow:
            rows = (
                await uow.session.execute(
                    select(store.hub_pings)
                    .where(store.hub_pings.c.due_at <= now)
                    .order_by(store.hub_pings.c.due_at)
                    .limit(BATCH)
                )
            ).all()
        if not rows:
            return 0
        results = await asyncio.gather(*(self._ping(client, r.feed_url) for r in rows))
        async with self._uow() as uow:
            for row, error in zip(rows, results, strict=True):
                # Only the row as read: a change since (due_at moved) keeps its new ping.
                same = (store.hub_pings.c.feed_url == row.feed_url) & (
                    store.hub_pings.c.due_at == row.due_at
                )
                if error is None or row.attempts + 1 >= MAX_ATTEMPTS:
                    if error is not None:
                        log.warning("websub ping dropped", extra={"feed": row.feed_url,
                                                                 "error": error})  # fmt: skip
                    await uow.session.execute(delete(store.hub_pings).where(same))
                else:
                    await uow.session.execute(
                        update(store.hub_pings)
                        .where(same)
                        .values(
                            attempts=row.attempts + 1,
                            due_at=datetime.now(UTC) + backoff(row.attempts + 1),
                            last_error=error[:500],
                        )
                    )
            await uow.commit()
        return len(rows)

    async def _ping(self, client: httpx.AsyncClient, feed_url: str) -> str | None:
        """None when every hub took it, else what went wrong."""
        errors: list[str] = []
        for hub in self._hubs:
            try:
                response = await client.post(hub, data={"hub.mode": "publish", "hub.url": feed_url})
                if response.status_code >= 300:
                    errors.append(f"{hub}: HTTP {response.status_code}")
            except httpx.HTTPError as exc:
                errors.append(f"{hub}: {type(exc).__name__}")
        return "; ".join(errors) or None
