"""The whole platform as `make run` starts it: separate processes, driven only by
HTTP through the gateway (and Kafka underneath)."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import drop_schemas

from portal.launch import Platform
from runtime.embedded import free_port
from scripts.seed_demo import login, wait_for
from services.admin.domain import SEED_TENANTS


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    prefix = f"e{uuid.uuid4().hex[:8]}_"
    # IPv6 on: every process also listens on [::] (the gateway is what citizens reach).
    env = {"PORTAL_DEMO": "1", "PORTAL_SCHEMA_PREFIX": prefix, "PORTAL_LISTEN_IPV6": "1"}
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    data_dir: Path = tmp_path_factory.mktemp("platform")
    running = Platform(
        data_dir=data_dir, gateway_port=free_port(), free_ports=True, extra_env=env
    ).start(timeout=120)
    _wait_until_every_site_is_known(running)
    children = dict(running.children)
    broker = running.kafka
    try:
        yield running
    finally:
        running.stop()
        # Stopping leaves nothing behind.
        assert all(child.poll() is not None for child in children.values())
        assert broker is None or broker.process is None or broker.process.poll() is not None
        if os.environ.get("DATABASE_URL"):
            asyncio.run(drop_schemas(os.environ["DATABASE_URL"], prefix))


def _wait_until_every_site_is_known(platform: Platform, timeout: float = 90) -> None:
    """Services report ready before they have read the 151 sites from the tenant topic;
    content (categories) and renderer (home pages) know every site soon after."""
    slugs = [line.split(",", 1)[0] for line in SEED_TENANTS.read_text().splitlines()[1:]]
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=platform.gateway_url, timeout=10) as http:
        for slug in slugs:
            while not (
                http.get("/api/v1/categories", params={"tenant": slug}).status_code == 200
                and http.get("/", headers={"Host": f"{slug}.localhost"}).status_code == 200
            ):
                assert time.monotonic() < deadline, f"site {slug} still unknown"
                time.sleep(0.5)


def client(platform: Platform, host: str) -> httpx.Client:
    return httpx.Client(base_url=platform.gateway_url, headers={"Host": host}, timeout=10)


def test_draft_submit_approve_publishes_on_its_own_site_only(platform: Platform) -> None:
    with client(platform, "hoankiem.localhost:8000") as http:
        editor = login(http, "bientap.hoankiem")
        board = login(http, "bbt.hoankiem")
        title = f"Phường Hoàn Kiếm họp dân về chỉnh trang phố cổ {uuid.uuid4().hex[:6]}"
        created = http.post(
            "/api/v1/articles",
            json={"tenant": "hoankiem", "category": "tin-tuc", "title": title,
                  "summary": "Tóm tắt", "body_html": "<p>Nội dung đầy đủ.</p>"},
            headers=editor,
        )  # fmt: skip
        assert created.status_code == 201, created.text
        article = created.json()
        assert article["state"] == "draft"
        submitted = http.post(
            f"/api/v1/articles/{article['id']}/submit",
            json={"version": article["version"]},
            headers=editor,
        )
        assert submitted.status_code == 200, submitted.text
        revision = submitted.json()["current_revision_id"]
        wait_for(lambda: http.get(f"/api/v1/reviews/{revision}", headers=board).is_success)
        # An editor may not approve; the board may.
        assert http.post(f"/api/v1/reviews/{revision}/approve", headers=editor,
                         json={}).status_code == 403  # fmt: skip
        approved = http.post(f"/api/v1/reviews/{revision}/approve", json={}, headers=board)
        assert approved.status_code == 200, approved.text

        path = wait_for(
            lambda: http.get(f"/api/v1/articles/{article['id']}", headers=editor).json()["path"]
        )
        page = wait_for(lambda: (r := http.get(path)).status_code == 200 and r)
        assert title in page.text
        assert 'lang="vi"' in page.text
        # The article's own page was never cached; the home page was, and it changes
        # when the gateway has taken the renderer's PagesChanged (a moment later).
        wait_for(lambda: title in http.get("/").text, "the home page to list the article", 10)

    for other in ("badinh.localhost", "localhost", "hanoi.localhost"):
        with client(platform, other) as http:
            assert http.get(path).status_code == 404
            assert title not in http.get("/").text


def test_every_tenant_answers_on_its_hosts(platform: Platform) -> None:
    with client(platform, "localhost") as http:
        tenants = http.get("/api/v1/tenants").json()
    expected = len(SEED_TENANTS.read_text(encoding="utf-8").strip().splitlines()) - 1
    assert len(tenants) == expected == 151
    with httpx.Client(base_url=platform.gateway_url, timeout=10) as http:
        for tenant in tenants:
            for host in (f"{tenant['slug']}.localhost:8000", tenant["domain"]):
                r = http.get("/", headers={"Host": host})
                assert r.status_code == 200, (host, r.status_code)
                assert tenant["name"] in r.text


def test_the_gateway_answers_on_ipv6_too(platform: Platform) -> None:
    url = f"http://[::1]:{platform.gateway_port}/"
    with httpx.Client(timeout=10) as http:
        page = http.get(url, headers={"Host": "hoankiem.localhost"})
        assert page.status_code == 200
        assert "Hoàn Kiếm" in page.text
        assert page.headers["strict-transport-security"].startswith("max-age=")


def test_unknown_and_malformed_hosts(platform: Platform) -> None:
    with httpx.Client(base_url=platform.gateway_url, timeout=10) as http:
        unknown = http.get("/", headers={"Host": "khongco.localhost"})
        assert unknown.status_code == 404
        assert "Không tìm thấy trang thông tin điện tử" in unknown.text
        assert http.get("/", headers={"Host": "evil.example.com"}).status_code == 404
        for bad in ("bad..host", "a b", "-x.localhost", "x" * 300, "host:99999999"):
            r = http.get("/", headers={"Host": bad})
            assert r.status_code == 400, bad
        assert http.get("/healthz", headers={"Host": "anything"}).status_code == 200


def test_every_process_reports_health_readiness_and_metrics(platform: Platform) -> None:
    with httpx.Client(timeout=10) as http:
        # The dev mailbox is not part of the platform: it only says it is up.
        mailbox = http.get(f"{platform.url('mailbox')}/readyz").json()
        assert mailbox == {"ready": True, "service": "mailbox", "checks": {"smtp": "ok"}}
        for name in [n for n in platform.ports if n != "mailbox"]:
            base = platform.url(name)
            assert http.get(f"{base}/healthz").json()["status"] == "ok"
            ready = http.get(f"{base}/readyz").json()
            assert ready["ready"] is True
            assert ready["checks"]["kafka"] == "ok"
            metrics = http.get(f"{base}/metrics").text
            assert "portal_http_requests_total" in metrics
            if name == "admin":  # it published the 151 tenants through its outbox
                assert 'portal_outbox_published_total{service="admin"}' in metrics
