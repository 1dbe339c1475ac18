"""Shared fixtures: a real broker, real databases, services run in-process.

Every test that needs Kafka gets its own embedded broker (tansu starts in tens
of milliseconds), so topics and consumer offsets never leak between tests.
With DATABASE_URL set, services use PostgreSQL schemas under a random prefix,
dropped afterwards; otherwise SQLite files in the test's tmp_path.
"""

from __future__ import annotations

import asyncio
import secrets
import socket
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from litestar import Litestar
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from runtime.auth import generate_key_pair
from runtime.embedded import EmbeddedKafka
from runtime.service import KEEP_ALIVE_SECONDS, Service
from runtime.settings import Settings
from runtime.telemetry import setup_tracing
from services.admin.__main__ import build as build_admin
from services.content.__main__ import build as build_content
from services.editorial.__main__ import build as build_editorial
from services.renderer.__main__ import build as build_renderer

AUTH_SECRET = secrets.token_urlsafe(48)
#: The test key pair: admin signs with the private key, every service checks with the public.
AUTH_PRIVATE_KEY, AUTH_PUBLIC_KEY = generate_key_pair()
SPANS = InMemorySpanExporter()


def pytest_configure(config: pytest.Config) -> None:
    # One tracer provider per process; tests read finished spans from memory.
    setup_tracing("tests", Settings(), extra_processor=SimpleSpanProcessor(SPANS))


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    SPANS.clear()
    return SPANS


@pytest.fixture
def kafka() -> Iterator[EmbeddedKafka]:
    with EmbeddedKafka() as broker:
        yield broker


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3-protocol server (moto's, in a thread of this process) for the whole run;
    tests make their own buckets with `s3_bucket`."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


#: Any credentials do for moto; the same ones the tests give S3Storage.
S3_KEYS = {"media_s3_access_key": "test-access-key", "media_s3_secret_key": "test-secret-key"}


async def make_bucket(endpoint: str) -> str:
    """A new, empty bucket on the test S3 server."""
    from aiobotocore.session import get_session

    name = f"media-{uuid.uuid4().hex[:12]}"
    async with get_session().create_client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id=S3_KEYS["media_s3_access_key"],
        aws_secret_access_key=S3_KEYS["media_s3_secret_key"],
    ) as s3:
        await s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
async def s3_bucket(s3_endpoint: str) -> str:
    return await make_bucket(s3_endpoint)


@pytest.fixture
async def settings(tmp_path: Path, kafka: EmbeddedKafka) -> AsyncIterator[Settings]:
    async with settings_for(tmp_path, kafka) as value:
        yield value


@asynccontextmanager
async def settings_for(tmp_path: Path, kafka: EmbeddedKafka) -> AsyncIterator[Settings]:
    """Settings on this broker, in tmp_path or fresh PostgreSQL schemas (dropped after)."""
    prefix = f"t{uuid.uuid4().hex[:8]}_"
    base = Settings().with_overrides(
        kafka_bootstrap_servers=kafka.bootstrap,
        kafka_embedded=True,
        data_dir=tmp_path,
        schema_prefix=prefix,
        auth_secret=AUTH_SECRET,
        auth_private_key=AUTH_PRIVATE_KEY,
        auth_public_key=AUTH_PUBLIC_KEY,
        secure_cookies=False,
        consumer_max_attempts=3,
        kafka_session_timeout_ms=2000,
        outbox_poll_seconds=0.2,
    )
    yield base
    if base.uses_postgres:
        await drop_schemas(base.database_url or "", prefix)


async def drop_schemas(url: str, prefix: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        names = await conn.execute(
            text("SELECT nspname FROM pg_namespace WHERE nspname LIKE :p"), {"p": prefix + "%"}
        )
        for (name,) in names.all():
            await conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
    await engine.dispose()


@asynccontextmanager
async def running(
    build: Callable[[Settings], tuple[Service, Litestar]],
    settings: Settings,
    *,
    sock: socket.socket | None = None,
) -> AsyncIterator[tuple[Service, httpx.AsyncClient]]:
    """A service served by uvicorn on a free port (or on `sock`, bound in advance by
    `bound_socket()`, for services that must know each other's address) in this event
    loop (its lifespan runs: migrations, broker, relay), and an HTTP client at it."""
    service, app = build(settings)
    service.app = app  # type: ignore[attr-defined]  # for tests that walk the route table
    sock = sock or bound_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="on",
        timeout_keep_alive=KEEP_ALIVE_SECONDS, proxy_headers=False,
    )  # fmt: skip
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        await eventually(lambda: server.started or task.done(), timeout=60)
        if task.done():
            task.result()
            raise RuntimeError(f"{service.name} did not start")
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", headers={"Host": "hanoi.localhost"}, timeout=30
        ) as client:
            yield service, client
    finally:
        server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(task), SHUTDOWN_SECONDS)
        except TimeoutError:
            _print_tasks(f"{service.name} did not stop within {SHUTDOWN_SECONDS} s")
            raise
        finally:
            sock.close()


SHUTDOWN_SECONDS = 45


def bound_socket() -> socket.socket:
    """A socket bound to a free port and held until a server takes it over: a port
    only looked up in advance can be taken meanwhile as the local port of one of the
    many outgoing connections a starting platform makes (seen in CI: EADDRINUSE)."""
    sock = socket.socket()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def _print_tasks(why: str) -> None:
    """Where every task waits: a hung shutdown names its culprit instead of timing out."""
    print(f"=== {why}; tasks:", file=sys.stderr)
    for each in asyncio.all_tasks():
        each.print_stack(limit=12, file=sys.stderr)


async def eventually(
    check: Callable[[], Any], *, timeout: float = 20.0, interval: float = 0.05
) -> Any:
    """Poll an (async) check until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            _print_tasks(f"condition not met within {timeout}s")
            raise AssertionError(f"condition not met within {timeout}s: {check}")
        await asyncio.sleep(interval)


def make_pdf(*pages: str) -> bytes:
    """A minimal PDF written by hand: one Helvetica text line per page."""
    count = len(pages)
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(count))
    font = 3 + 2 * count
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
    ]
    for i, line in enumerate(pages):
        content = f"BT /F1 18 Tf 72 720 Td ({line}) Tj ET".encode()
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_for(username: str, roles: dict[str, str], *, operator: bool = False) -> str:
    """A token signed with the test private key, as admin would issue it (for the
    test session's length: these are made once, at import)."""
    from runtime.auth import Principal, Role, TokenIssuer

    principal = Principal(
        username=username,
        display_name=username,
        roles={t: Role[r] for t, r in roles.items()},
        operator=operator,
    )
    issuer = TokenIssuer(Settings(PORTAL_AUTH_PRIVATE_KEY=AUTH_PRIVATE_KEY), ttl=timedelta(hours=8))
    return issuer.issue(principal)


EDITOR = token_for("bientap.hoankiem", {"hoankiem": "editor"})
BOARD = token_for("bbt.hoankiem", {"hoankiem": "board_member"})


class InProcessPlatform:
    """admin, content, editorial and renderer started in-process."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stack = AsyncExitStack()

    async def __aenter__(self) -> InProcessPlatform:
        for name, build in [
            ("admin", build_admin),
            ("content", build_content),
            ("editorial", build_editorial),
            ("renderer", build_renderer),
        ]:
            service, client = await self.stack.enter_async_context(running(build, self.settings))
            setattr(self, name, service)
            setattr(self, f"{name}_http", client)
        # content learns the tenants from admin's events before it accepts articles.
        await eventually(self._tenant_known)
        return self

    async def _tenant_known(self) -> bool:
        response = await self.content_http.post(
            "/api/v1/articles",
            json={"tenant": "hoankiem", "category": "tin-tuc", "title": "thử"},
            headers=bearer(EDITOR),
        )
        return response.status_code == 201

    async def __aexit__(self, *exc: object) -> None:
        await self.stack.aclose()

    async def draft_and_submit(self, title: str) -> dict[str, Any]:
        created = await self.content_http.post(
            "/api/v1/articles",
            json={
                "tenant": "hoankiem",
                "category": "tin-tuc",
                "title": title,
                "summary": "Tóm tắt",
                "body_html": "<p>Nội dung <script>alert(1)</script></p>",
            },
            headers=bearer(EDITOR),
        )
        assert created.status_code == 201, created.text
        article = created.json()
        submitted = await self.content_http.post(
            f"/api/v1/articles/{article['id']}/submit",
            json={"version": article["version"]},
            headers=bearer(EDITOR),
        )
        assert submitted.status_code == 200, submitted.text
        article = submitted.json()
        revision = article["current_revision_id"]

        async def queued() -> bool:
            r = await self.editorial_http.get(f"/api/v1/reviews/{revision}", headers=bearer(BOARD))
            return r.status_code == 200

        await eventually(queued)
        return article

    async def page(self, path: str, host: str = "hoankiem.localhost") -> Any:
        return await self.renderer_http.get(path, headers={"Host": host})


__all__ = [
    "S3_KEYS",
    "InProcessPlatform",
    "bearer",
    "eventually",
    "make_bucket",
    "make_pdf",
    "running",
    "token_for",
]
