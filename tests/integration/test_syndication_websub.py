"""WebSub pings, with the services in this process and a hub on a local port: a
publication pings the hubs with the site's and its category's feeds, RSS and Atom; a
cross-post pings the target sites' feeds; a hub that fails is pinged again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from conftest import bearer, eventually
from syndication_platform import CITY_BOARD, CITY_EDITOR
from syndication_platform import SyndicationPlatform as Platform

from services.syndication.websub import backoff, feed_urls


def test_feed_urls_cover_rss_and_atom_of_the_site_and_each_category() -> None:
    assert feed_urls("https://x.gov.vn", ["tin-tuc", "", "tin-tuc", "su-kien"]) == [
        "https://x.gov.vn/rss.xml",
        "https://x.gov.vn/atom.xml",
        "https://x.gov.vn/rss/tin-tuc.xml",
        "https://x.gov.vn/atom/tin-tuc.xml",
        "https://x.gov.vn/rss/su-kien.xml",
        "https://x.gov.vn/atom/su-kien.xml",
    ]


def test_backoff_doubles_up_to_an_hour() -> None:
    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(seconds=s) for s in (5, 10, 20)]
    assert backoff(30) == timedelta(hours=1)


class Hub:
    """A WebSub hub that records `hub.mode=publish` pings; it can fail the first ones."""

    def __init__(self, failures: int = 0) -> None:
        self.pings: list[dict[str, str]] = []
        self.failures = failures

    async def handle(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        if self.failures:
            self.failures -= 1
            return web.Response(status=503)
        self.pings.append({k: str(v) for k, v in form.items()})
        return web.Response(status=204)

    def urls(self) -> set[str]:
        return {p["hub.url"] for p in self.pings if p.get("hub.mode") == "publish"}


@pytest.fixture
async def hub() -> AsyncIterator[tuple[Hub, str]]:
    recorder = Hub(failures=1)
    app = web.Application()
    app.router.add_post("/hub", recorder.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield recorder, f"http://127.0.0.1:{port}/hub"
    finally:
        await runner.cleanup()


async def test_publications_and_crossposts_ping_the_hub(settings, hub: tuple[Hub, str]) -> None:
    recorder, url = hub
    async with Platform(settings.with_overrides(websub_hubs_csv=url)) as p:
        article: dict[str, Any] = await p.publish("hanoi", "Tin có ping", CITY_EDITOR, CITY_BOARD)
        city = {
            "https://hanoi.gov.vn/rss.xml",
            "https://hanoi.gov.vn/atom.xml",
            "https://hanoi.gov.vn/rss/tin-tuc.xml",
            "https://hanoi.gov.vn/atom/tin-tuc.xml",
        }
        # The hub failed the first ping: it comes again after the backoff.
        await eventually(lambda: city <= recorder.urls(), timeout=30)
        posted = await p.syndication_http.post(
            "/api/v1/syndication/crossposts",
            json={"article_id": article["id"], "targets": {"sites": ["hoankiem"]}},
            headers=bearer(CITY_BOARD),
        )
        assert posted.status_code == 201, posted.text
        category = posted.json()["copies"][0]["category"]
        ward = {
            "https://hoankiem.hanoi.gov.vn/rss.xml",
            f"https://hoankiem.hanoi.gov.vn/atom/{category}.xml",
        }
        await eventually(lambda: ward <= recorder.urls())
        assert not any("badinh" in u for u in recorder.urls())
