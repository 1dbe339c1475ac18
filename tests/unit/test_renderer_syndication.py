"""renderer's pure parts of copies and feeds: the canonical link a copy gets, its body's
links, Atom and RSS with and without WebSub hubs, structured data of a copy."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import feedparser
import pytest

from services.renderer import feeds, metadata
from services.renderer.handlers import canonical_of, links_to_origin

CITY = SimpleNamespace(slug="hanoi", domain="hanoi.gov.vn")


@pytest.mark.parametrize(
    ("origin_url", "site", "expected"),
    [
        ("https://hanoi.gov.vn/tin-tuc/a", None, "https://hanoi.gov.vn/tin-tuc/a"),
        ("http://hanoi.localhost:8000/tin-tuc/a", None, "http://hanoi.localhost:8000/tin-tuc/a"),
        # Not an absolute http(s) URL: made as renderer makes the origin site's URLs.
        ("javascript:alert(1)", CITY, "https://hanoi.gov.vn/tin-tuc/a"),
        ("/tin-tuc/a", CITY, "https://hanoi.gov.vn/tin-tuc/a"),
        ("https://hanoi.gov.vn/a b", CITY, "https://hanoi.gov.vn/tin-tuc/a"),
        ("https://" + "a" * 1000, CITY, "https://hanoi.gov.vn/tin-tuc/a"),
        # And nothing to make it from: credited, not linked.
        ("javascript:alert(1)", None, None),
    ],
)
def test_a_copy_s_canonical_link_is_an_absolute_web_address(origin_url, site, expected) -> None:
    assert canonical_of(origin_url, site, "/tin-tuc/a") == expected


def test_links_to_the_origin_s_pages_lead_there() -> None:
    body = (
        '<p><a href="/tin-tuc/b" rel="noopener noreferrer">b</a> '
        '<a href="/media/hanoi/x/k.pdf">k</a> <a href="//evil.example/x">e</a> '
        '<a href="https://other.example/y">o</a> <img src="/media/hanoi/x/w.webp" alt="a"></p>'
    )
    out = links_to_origin(body, "https://hanoi.gov.vn/tin-tuc/a")
    assert '<a href="https://hanoi.gov.vn/tin-tuc/b" rel="noopener noreferrer">' in out
    assert '<a href="/media/hanoi/x/k.pdf">' in out  # served on every site's host
    assert '<a href="//evil.example/x">' in out and '<a href="https://other.example/y">' in out
    assert '<img src="/media/hanoi/x/w.webp"' in out
    assert links_to_origin(body, None) == body


def _items() -> list[feeds.FeedItem]:
    at = datetime(2026, 11, 24, 2, 15, tzinfo=UTC)
    return [
        feeds.FeedItem(
            title="Tin <1> & \x0bbáo",
            link="https://hoankiem.hanoi.gov.vn/tin-tuc/a",
            description="Tóm tắt",
            published_at=at,
            category="Tin tức",
            item_id=str(uuid.UUID(int=1)),
            updated_at=at.replace(hour=3),
            category_slug="tin-tuc",
        ),
        feeds.FeedItem(
            title="Không có id",
            link="https://hoankiem.hanoi.gov.vn/tin-tuc/b",
            description="",
            published_at=at,
        ),
    ]


def _atom(hubs: tuple[str, ...] = (), items: list[feeds.FeedItem] | None = None) -> str:
    return feeds.atom(
        title="Phường Hoàn Kiếm",
        link="https://hoankiem.hanoi.gov.vn/",
        self_url="https://hoankiem.hanoi.gov.vn/atom.xml",
        subtitle="Tin mới",
        author="Phường Hoàn Kiếm",
        items=_items() if items is None else items,
        updated_at=datetime(2026, 1, 1, tzinfo=UTC),
        hubs=hubs,
    )


def test_atom_entries_keep_their_id_when_the_address_changes() -> None:
    feed = feedparser.parse(_atom())
    assert not feed.bozo and feed.version == "atom10"
    first, second = feed.entries
    assert first.id == f"urn:uuid:{uuid.UUID(int=1)}" and first.title == "Tin <1> & báo"
    assert first.tags[0].term == "tin-tuc" and first.tags[0].label == "Tin tức"
    assert second.id == second.link  # no UUID to go by: the permalink
    assert feed.feed.updated == "2026-11-24T10:15:00+07:00"  # the newest entry's


def test_an_empty_atom_feed_is_still_valid() -> None:
    feed = feedparser.parse(_atom(items=[]))
    assert not feed.bozo and feed.entries == []
    assert feed.feed.updated == "2026-01-01T07:00:00+07:00"


def test_hub_links_only_when_hubs_are_set() -> None:
    rss = feeds.rss(
        title="t", link="https://x.gov.vn/", self_url="https://x.gov.vn/rss.xml",
        description="d", items=_items(), hubs=("https://hub.example/",),
    )  # fmt: skip
    assert '<atom:link href="https://hub.example/" rel="hub"/>' in rss
    assert not feedparser.parse(rss).bozo
    assert '<link href="https://hub.example/" rel="hub"/>' in _atom(("https://hub.example/",))
    plain = feeds.rss(title="t", link="https://x.gov.vn/", self_url="https://x.gov.vn/rss.xml",
                      description="d", items=_items())  # fmt: skip
    assert 'rel="hub"' not in plain and 'rel="hub"' not in _atom()


def test_structured_data_of_a_copy_describe_the_original() -> None:
    page = SimpleNamespace(
        kind="news", details=None, title="Tin", language="vi", author="", summary="",
        published_at=None, updated_at=None, images=[],
    )  # fmt: skip
    origin = metadata.Origin("Cổng Thông tin điện tử thành phố Hà Nội", "https://hanoi.gov.vn/a")
    data = metadata.article_data(
        page, url=origin.url, base="https://hoankiem.hanoi.gov.vn", site_name="Phường Hoàn Kiếm",
        origin=origin,
    )  # fmt: skip
    assert data["url"] == data["mainEntityOfPage"] == "https://hanoi.gov.vn/a"
    assert data["publisher"]["name"] == origin.name
    assert data["publisher"]["url"] == "https://hanoi.gov.vn/"
