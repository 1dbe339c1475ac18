"""What every service is made of: database, broker, relay, consumers, HTTP app.

A service's `__main__.py` is its composition root: it builds a `Service` with
its name, migrations and subscriptions, adds its routes with `http_app`, and
hands the app to `serve`. Nothing connects at import time.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import uvicorn
import uvloop
from litestar import Litestar, MediaType, Response, get
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.security.jwt import JWTAuth, Token
from litestar.types import ASGIApp, ControllerRouterHandler, Receive, Scope, Send

from contracts import TokensRevoked, topics
from runtime import migrations
from runtime.auth import Principal, Revocations, jwt_auth
from runtime.consumer import Consumer, Subscription
from runtime.db import Database
from runtime.inbox import InboxPruner
from runtime.kafka import (
    client_security,
    cluster_id,
    consumer_group_settings,
    ensure_topics,
    make_broker,
    send_raw_with,
    send_with,
)
from runtime.messaging import EventTooLarge, UnitOfWork
from runtime.relay import OutboxRelay
from runtime.settings import HttpSettings, Settings, TelemetrySettings
from runtime.slots import Busy, Slots
from runtime.telemetry import setup_logging, setup_tracing

log = logging.getLogger("portal.service")


class Service:
    def __init__(
        self,
        name: str,
        settings: Settings,
        *,
        migrations_dir: Path | None = None,
        subscriptions: Sequence[Subscription] = (),
        consumer_group: str | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self.source = f"/services/{name}"
        self.migrations_dir = migrations_dir
        self.db = Database(name, settings) if migrations_dir else None
        self.broker = make_broker(settings, client_id=name)
        self.send = send_with(self.broker)
        self.relay = (
            OutboxRelay(
                self.db,
                self.send,
                service=name,
                poll_seconds=settings.outbox_poll_seconds,
                before_retry=self.ensure_topics,
                before_publish=self.topics_ready if settings.kafka_embedded else None,
            )
            if self.db
            else None
        )
        self._consumer_group = consumer_group
        self.consumers: list[Consumer] = []
        for sub in subscriptions:
            self.subscribe(sub)
        #: Revoked token versions, fed by the account topic once `token_auth` is used.
        self.revocations = Revocations()
        self.inbox_pruner = (
            InboxPruner(
                self.db,
                service=name,
                retention=timedelta(days=settings.inbox_retention_days),
            )
            if self.db and self.consumers
            else None
        )
        self._tasks: list[asyncio.Task[None]] = []
        #: The embedded broker's cluster id when we last made sure of the topics.
        self._topics_made_on: str | None = None
        self.started = False
        #: More readiness checks, each returning {name: "ok" | what is wrong}.
        self.extra_checks: list[Callable[[], Awaitable[dict[str, str]]]] = []
        #: Loops that run while the service does (schedulers, watchers), by name.
        self.background: dict[str, Callable[[], Awaitable[None]]] = {}
        #: Run when the embedded broker came back empty: re-announce compacted state.
        self.on_new_log: list[Callable[[], Awaitable[None]]] = []

    def subscribe(self, sub: Subscription) -> None:
        """Consume `sub` while the service runs (before it starts)."""
        group = self._consumer_group
        consumer = Consumer(
            service=self.name,
            subscription=sub,
            unit_of_work=self.unit_of_work if self.db else None,
            send_raw=send_raw_with(self.broker),
            max_attempts=self.settings.consumer_max_attempts,
            group_settings=consumer_group_settings(self.settings),
            group_id=f"{group}.{sub.topic.aggregate}" if group else None,
        )
        consumer.register(self.broker)
        self.consumers.append(consumer)

    def token_auth(self, *, open_paths: list[str] | None = None) -> JWTAuth[Principal, Token]:
        """The editors' token check for this service's API, refusing revoked tokens as
        soon as this process reads their revocation."""
        self.subscribe(
            Subscription(
                topics.ACCOUNT,
                {TokensRevoked: self.revocations.on_tokens_revoked},
                replay=True,
            )
        )
        return jwt_auth(self.settings, self.revocations, open_paths=open_paths)

    def unit_of_work(self) -> UnitOfWork:
        if self.db is None or self.relay is None:
            raise RuntimeError(f"{self.name} has no database")
        return UnitOfWork(self.db, self.source, on_commit=self.relay.wake)

    async def migrate(self) -> None:
        if self.db and self.migrations_dir:
            await migrations.upgrade(self.db, self.migrations_dir)

    async def ensure_topics(self) -> None:
        assert self.settings.kafka_bootstrap_servers
        # asyncio.timeout, never wait_for: on Python 3.11 wait_for can swallow a
        # cancellation that arrives as the awaited call finishes, and a loop that
        # lost its cancel never stops (a shutdown then hangs for good).
        async with asyncio.timeout(10):
            await ensure_topics(
                self.settings.kafka_bootstrap_servers, security=client_security(self.settings)
            )

    async def topics_ready(self) -> None:
        """Embedded broker only, before the relay sends: if the broker restarted (a new
        cluster id), create the topics first. tansu acknowledges a send to a topic it no
        longer has, then loses the message when the topic is created."""
        async with asyncio.timeout(5):
            current = await cluster_id(self.settings.kafka_bootstrap_servers or "")
        if current != self._topics_made_on:
            await self.ensure_topics()
            self._topics_made_on = current

    async def start(self) -> None:
        await self.migrate()
        await self.ensure_topics()
        if self.settings.kafka_embedded:
            self._topics_made_on = await cluster_id(self.settings.kafka_bootstrap_servers or "")
        await self._start_broker()
        if self.relay:
            self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{self.name}-relay"))
        if self.inbox_pruner:
            self._tasks.append(
                asyncio.create_task(self.inbox_pruner.run(), name=f"{self.name}-inbox-pruner")
            )
        for name, loop in self.background.items():
            self._tasks.append(asyncio.create_task(loop(), name=f"{self.name}-{name}"))
        if self.settings.kafka_embedded and (self.consumers or self.on_new_log):
            known = self._topics_made_on or ""
            self._tasks.append(
                asyncio.create_task(
                    self._watch_embedded_broker(known), name=f"{self.name}-broker-watch"
                )
            )
        self.started = True
        log.info("service started", extra={"port": self.settings.port})

    async def _start_broker(self) -> None:
        """KafkaBroker.start() joins each consumer group in turn, and every join waits for
        the coordinator's rebalance delay; joining them together costs one delay."""
        await self.broker.connect()
        await asyncio.gather(*(sub.start() for sub in self.broker.subscribers))
        for publisher in self.broker.publishers:
            await publisher.start()
        self.broker.running = True

    async def _watch_embedded_broker(self, known: str) -> None:
        """The embedded broker comes back from a restart empty, under a new cluster id
        (runtime.embedded gives each start its own): then our consumers read it anew."""
        while True:
            await asyncio.sleep(1)
            try:
                async with asyncio.timeout(5):
                    current = await cluster_id(self.settings.kafka_bootstrap_servers or "")
            except Exception as exc:  # broker away: try again next round
                log.debug("could not read the cluster id", extra={"error": repr(exc)})
                continue
            if current == known:
                continue
            try:
                # Topics first: a consumer starting on a missing topic would create it
                # with one partition.
                await self.ensure_topics()
                self._topics_made_on = current
                for consumer in self.consumers:
                    await consumer.read_new_log(current)
                for hook in self.on_new_log:
                    await hook()
            except Exception:  # the broker went away again: start over next round
                log.exception("could not move the consumers to the new log")
                continue
            known = current

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            # Bounded: a task that ignores its cancel must not hold the shutdown forever.
            _, stuck = await asyncio.wait(self._tasks, timeout=10)
            for task in stuck:
                log.error("background task did not stop", extra={"task": task.get_name()})
        await self.broker.stop()
        if self.db:
            await self.db.dispose()

    async def readiness(self) -> dict[str, str]:
        """Each dependency's state; the service is ready when all say "ok"."""
        checks: dict[str, str] = {"started": "ok" if self.started else "starting"}
        if self.db:
            try:
                async with asyncio.timeout(2):
                    await self.db.ping()
                checks["database"] = "ok"
            except Exception as exc:
                checks["database"] = f"error: {type(exc).__name__}"
        try:
            checks["kafka"] = "ok" if await self.broker.ping(timeout=2) else "unreachable"
        except Exception as exc:
            checks["kafka"] = f"error: {type(exc).__name__}"
        for check in self.extra_checks:
            checks.update(await check())
        return checks

    def http_app(
        self,
        route_handlers: Sequence[ControllerRouterHandler],
        *,
        dependencies: dict[str, Any] | None = None,
        middleware: Sequence[DefineMiddleware | Callable[..., Any]] = (),
        on_app_init: Sequence[Callable[..., Any]] = (),
        on_startup: Sequence[Callable[..., Any]] = (),
        on_shutdown: Sequence[Callable[..., Any]] = (),
        **litestar_options: Any,
    ) -> Litestar:
        service = self

        @get("/healthz", include_in_schema=False, sync_to_thread=False)
        def healthz() -> dict[str, str]:
            return {"status": "ok", "service": service.name}

        @get("/readyz", include_in_schema=False)
        async def readyz() -> Response[dict[str, Any]]:
            checks = await service.readiness()
            # "degraded: …" serves on with less (a cache away): still ready, but shown.
            ready = all(v == "ok" or v.startswith("degraded") for v in checks.values())
            return Response(
                {"ready": ready, "service": service.name, "checks": checks},
                status_code=200 if ready else 503,
                media_type=MediaType.JSON,
            )

        prometheus = PrometheusConfig(app_name=self.name, prefix="portal_http", group_path=True)
        otel = OpenTelemetryConfig(exclude=["/healthz", "/readyz", "/metrics"])
        deps = {"service": Provide(lambda: service, sync_to_thread=False)}
        deps.update(dependencies or {})
        return Litestar(
            route_handlers=[healthz, readyz, PrometheusController, *route_handlers],
            dependencies=deps,
            # The service's own middleware runs first: the gateway rejects bad Host headers
            # before anything parses the URL.
            middleware=[
                _reject_control_paths,
                _bounded_forms,
                *middleware,
                prometheus.middleware,
            ],
            plugins=[OpenTelemetryPlugin(otel)],
            on_startup=[self.start, *on_startup],
            on_shutdown=[*on_shutdown, self.stop],
            on_app_init=list(on_app_init),
            logging_config=None,
            after_exception=[_log_server_error],
            exception_handlers={
                RecursionError: _too_deep,
                EventTooLarge: _too_large,
                Busy: _busy,
            },
            **litestar_options,
        )


#: Requests with a multipart body (uploads, citizens' forms with files) read at once per
#: process: their files are spooled to /tmp as they stream in, so this bounds the disk
#: (and the parsing behind it) whatever the number of senders.
FORMS = Slots("multipart-forms", 8, wait=10.0)


def _bounded_forms(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await app(scope, receive, send)
            return
        content_type = next((v for k, v in scope["headers"] if k == b"content-type"), b"")
        if not content_type.lower().startswith(b"multipart/"):
            await app(scope, receive, send)
            return
        try:
            async with FORMS.take():
                await app(scope, receive, send)
        except Busy as exc:
            await send_plain(send, 503, exc.message, headers={"Retry-After": "10"})

    return middleware


def _reject_control_paths(app: ASGIApp) -> ASGIApp:
    """400 for a path with control characters (%00 and friends) before any route sees it."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and any(ord(c) < 32 or ord(c) == 127 for c in scope["path"]):
            await send_plain(send, 400, "Đường dẫn chứa ký tự không hợp lệ.")
            return
        await app(scope, receive, send)

    return middleware


async def send_plain(
    send: Send,
    status: int,
    body: str,
    content_type: str = "text/plain; charset=utf-8",
    headers: Mapping[str, str] | None = None,
) -> None:
    """Answer from raw ASGI middleware, before any route (or URL parsing) runs."""
    data = body.encode()
    raw = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(data)).encode()),
        *[(k.encode(), v.encode()) for k, v in (headers or {}).items()],
    ]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data})


async def _log_server_error(exc: Exception, scope: Any) -> None:
    if not isinstance(exc, HTTPException) or exc.status_code >= 500:
        log.error(
            "request failed",
            exc_info=exc,
            extra={"path": scope.get("path"), "method": scope.get("method")},
        )


def configure_process(name: str, settings: TelemetrySettings) -> None:
    setup_logging(name, settings.log_level)
    setup_tracing(name, settings)


KEEP_ALIVE_SECONDS = 65


def serve(app: Litestar, settings: HttpSettings) -> None:
    """Run the app on HOST:PORT, and on [::]:PORT too when IPv6 is asked for."""
    sockets = [_listen(socket.AF_INET, settings.host, settings.port)]
    if settings.listen_ipv6:
        sockets.append(_listen(socket.AF_INET6, "::", settings.port))
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=10,
        server_header=False,
        # X-Forwarded-For is read by runtime/clientip.py (the last hop only, from
        # FORWARDED_ALLOW_IPS); uvicorn's reading would let a trusted-looking hop
        # written by the client stand for the client.
        proxy_headers=False,
        # Longer than the clients' keep-alive (httpx: 5 s), so a client never sends on
        # a connection the server is closing at that moment (ReadError).
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    server = uvicorn.Server(config)
    # uvloop, as uvicorn.run would choose: asyncio.run would fall back to the slower
    # pure-Python loop, since we hand uvicorn our own sockets.
    uvloop.run(server.serve(sockets=sockets))
    if not server.started:
        sys.exit(3)


def _too_deep(_request: Any, _exc: RecursionError) -> Response[dict[str, Any]]:
    """JSON nested deeper than the parser follows is bad input, not a server error."""
    return Response(
        {"status_code": 400, "detail": "Dữ liệu JSON lồng nhau quá sâu."},
        status_code=400,
        media_type=MediaType.JSON,
    )


def _busy(_request: Any, exc: Busy) -> Response[dict[str, Any]]:
    """Costly work is at its bound in this process (runtime/slots.py): come back."""
    return Response(
        {"status_code": 503, "detail": exc.message},
        status_code=503,
        media_type=MediaType.JSON,
        headers={"Retry-After": str(exc.retry_after)},
    )


def _too_large(_request: Any, exc: EventTooLarge) -> Response[dict[str, Any]]:
    """What the change would announce is more than the bus carries: nothing was stored."""
    return Response(
        {
            "status_code": 413,
            "detail": (
                "Nội dung quá lớn để đăng tải (sau khi nén vẫn vượt giới hạn của hệ thống). "
                "Chưa có gì được lưu. Hãy chia thành nhiều bài hoặc đưa phần lớn thành "
                "tệp đính kèm."
            ),
            "extra": {"event_type": exc.event_type, "bytes": exc.size},
        },
        status_code=413,
        media_type=MediaType.JSON,
    )


def _listen(family: socket.AddressFamily, host: str, port: int) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Inherited by accepted connections: without it a small response on a kept-alive
    # connection waits ~40 ms for the peer's delayed ACK (Nagle).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def run_service(name: str, build: Callable[[Settings], tuple[Service, Litestar]]) -> None:
    """Entry point of `python -m services.<name> [migrate]`."""
    settings = Settings()
    configure_process(name, settings)
    service, app = build(settings)
    if sys.argv[1:] == ["migrate"]:
        asyncio.run(service.migrate())
        return
    if sys.argv[1:]:
        sys.exit(f"usage: python -m services.{name} [migrate]")
    serve(app, settings)
