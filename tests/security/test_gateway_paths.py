"""The gateway's request line attacked: dot segments (plain or percent-encoded),
encoded slashes and backslashes that would climb out of a proxied prefix to a
service's internal endpoints (metrics, readiness, OpenAPI); those endpoints asked for
directly; and query strings made up to fill the page cache with copies of one page."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import pytest
from conftest import eventually
from gatedplatform import Gated, gated  # noqa: F401

#: What an internal endpoint would give away: Prometheus text, OpenAPI, probe JSON.
LEAKS = ("portal_http", "# HELP", "# TYPE", '"openapi"', '"ready"', '"checks"', "python_gc")

CLIMBS = [
    "/media/%2e%2e/metrics",
    "/media/%2E%2E/schema/openapi.json",
    "/media/%2e%2e/readyz",
    "/media/.%2e/metrics",
    "/media/%2e%2e%2fmetrics",
    "/media/..%2fmetrics",
    "/media/..%5cmetrics",
    "/api/v1/articles/%2e%2e/%2e%2e/%2e%2e/metrics",
    "/api/v1/feedback/%2e%2e/%2e%2e/%2e%2e/schema/openapi.json",
    "/hoi-dap/%2e%2e/metrics",
    "/admin/%2e%2e/readyz",
    "/media/./%2e%2e/metrics",
    "/media/x%00/../metrics",
]
INTERNAL = ["/schema/openapi.json", "/schema", "/schema/swagger"]


async def raw_get(gated: Gated, target: str, host: str = "hoankiem.localhost") -> tuple[int, str]:  # noqa: F811
    """GET with the request target exactly as written (HTTP clients remove dot segments)."""
    url = urlsplit(str(gated.gateway.base_url))
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    writer.write(
        f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode("latin-1")
    )
    await writer.drain()
    data = await asyncio.wait_for(reader.read(), timeout=30)
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, body.decode("utf-8", "replace")


@pytest.mark.parametrize("target", CLIMBS)
async def test_a_path_cannot_climb_out_of_its_prefix(gated: Gated, target: str) -> None:  # noqa: F811
    status, body = await raw_get(gated, target)
    assert status == 400, (target, status, body[:200])
    assert not any(leak in body for leak in LEAKS), (target, body[:300])
    assert "không hợp lệ" in body


@pytest.mark.parametrize("target", ["/media/../metrics", "/api/v1/articles/x/../../../readyz"])
async def test_literal_dot_segments_are_refused(gated: Gated, target: str) -> None:  # noqa: F811
    status, body = await raw_get(gated, target)
    assert status == 400, (target, status, body[:200])
    assert not any(leak in body for leak in LEAKS)


@pytest.mark.parametrize("target", INTERNAL)
async def test_services_internal_endpoints_are_not_public(gated: Gated, target: str) -> None:  # noqa: F811
    for host in ("hoankiem.localhost", "localhost"):
        status, body = await raw_get(gated, target, host)
        assert status == 404, (target, host, status)
        assert not any(leak in body for leak in LEAKS), (target, body[:300])


async def test_the_gateways_own_metrics_answer_only_by_address(gated: Gated) -> None:  # noqa: F811
    status, body = await raw_get(gated, "/metrics", "hoankiem.localhost")
    assert status == 404 and "portal_http" not in body
    status, body = await raw_get(gated, "/readyz", "hoankiem.localhost")
    assert status == 404 and '"checks"' not in body
    # Prometheus and the probes reach a pod by its address.
    status, body = await raw_get(gated, "/metrics", "127.0.0.1")
    assert status == 200 and "portal_http" in body
    status, _ = await raw_get(gated, "/healthz", "hoankiem.localhost")
    assert status == 200


async def test_a_name_with_an_encoded_dot_is_still_a_name(gated: Gated) -> None:  # noqa: F811
    status, _ = await raw_get(gated, "/tin-tuc/bai%2evi%e1%bb%87t")
    assert status in (200, 404)  # a page or its absence, never refused as a climb


async def quiet(gated: Gated, path: str) -> bool:  # noqa: F811
    """Whether `path` stayed cached for a few seconds: the demo's articles, still being
    published when the platform comes up, purge the pages they appear on."""
    await gated.get(path)
    await asyncio.sleep(3)
    return (await gated.get(path)).headers.get("x-cache") == "HIT"


async def test_made_up_query_fields_do_not_make_new_cache_entries(gated: Gated) -> None:  # noqa: F811
    await eventually(lambda: quiet(gated, "/"), timeout=90)
    first = await gated.get("/?utm_source=a")
    assert first.status_code == 200
    for n in range(5):
        again = await gated.get(f"/?utm_source=zalo{n}&fbclid=x{n}&_={n}")
        assert again.status_code == 200
        assert again.headers["x-cache"] == "HIT", n
    # Fields a page reads still make their own page.
    paged = await gated.get("/tin-tuc?trang=2&utm_medium=x")
    assert paged.status_code in (200, 404)
    same = await gated.get("/tin-tuc?utm_medium=y&trang=2")
    assert same.headers["x-cache"] == "HIT", (paged.status_code, paged.headers, same.headers)
    other = await gated.get("/tin-tuc?trang=3")
    assert other.headers["x-cache"] == "MISS"


async def test_a_malformed_query_is_refused_by_the_page_and_not_cached(gated: Gated) -> None:  # noqa: F811
    for _ in range(2):
        r = await gated.get("/tin-tuc", params={"trang": "1", "x": "a" * 3000})
        assert r.status_code == 400
        assert "x-cache" not in r.headers
