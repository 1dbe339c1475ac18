"""Syndication's figures.

crosspost_140_p95_ms, crosspost_140_all_live_ms: the city board cross-posts one
published article to 140 component sites, on the whole platform as `make run` starts it
(portal.launch.Platform: every service in its own process, the embedded broker unless
KAFKA_BOOTSTRAP_SERVERS is set, SQLite under a temporary directory or PostgreSQL when
DATABASE_URL is set, the gateway's page cache in Redis when REDIS_URL is set). The
article is written, submitted and approved on the city portal through the API, then
POST /api/v1/syndication/crossposts sends it to the first 140 of the seeded component
sites (services/admin/seed/tenants.csv order; the city itself is the origin). The clock
runs from that request until each copy answers, through the gateway, on its own site's
host (`<slug>.localhost`), HTTP 200 with the article's title: what a citizen sees, page
cache included (the 404 of the copy's address before it exists is cached, and dropped
by renderer's PagesChanged). Each site is polled every --poll-ms (default 50) from the
moment the cross-post answers. p95 is over the 140 sites' times to live, all-live the
time until the last one is live. There are --rounds rounds (default 5, a new article
each); each figure is the MEDIAN over the rounds (every round, and the worst, is
printed too).

webhook_deliveries_per_s: signed webhook deliveries a second from one dispatcher to a
local receiver. syndication's own database (SQLite under a temporary directory, or
PostgreSQL when DATABASE_URL is set) gets a partner with WEBHOOKS webhooks; MESSAGES
messages are queued for each (partners.enqueue, the same call the event handlers
make); the clock runs from the enqueue until every delivery is marked delivered in the
database. The receiver runs in its own process, verifies every delivery with the
`standardwebhooks` package and answers 204; the run fails if one does not verify.

    .venv/bin/python scripts/bench_syndication.py [--rounds 5] [--poll-ms 50]
        [--messages 500] [--webhooks 4] [--only FIGURE[,FIGURE]]

Last line: RESULT crosspost_140_p95_ms=<n> crosspost_140_all_live_ms=<n>
webhook_deliveries_per_s=<n>
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvloop
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.backup_cli import SERVICES
from portal.launch import Platform
from runtime.db import Database
from runtime.embedded import free_port
from runtime.messaging import UnitOfWork
from runtime.migrations import upgrade
from runtime.settings import Settings
from scripts.seed_demo import BOARD, logged_in, publish
from services.admin.domain import SEED_TENANTS
from services.syndication import partners, store
from services.syndication.__main__ import MIGRATIONS
from services.syndication.webhook_rules import new_secret
from services.syndication.webhooks import Dispatcher

#: Messages queued per transaction.
PER_TRANSACTION = 10
#: One figure per function; main() prints them all on the RESULT line.
FIGURES: dict[str, Callable[[argparse.Namespace], float]] = {}


def figure(name: str) -> Callable[[Callable[[argparse.Namespace], float]], Any]:
    def register(fn: Callable[[argparse.Namespace], float]) -> Callable[..., float]:
        FIGURES[name] = fn
        return fn

    return register


# --- cross-posts, on the whole platform ------------------------------------------------

CITY = "hanoi"
#: Component sites each cross-post goes to.
CROSSPOST_SITES = 140
#: Longest wait for a copy to go live before the round fails.
LIVE_TIMEOUT = 60.0
#: Both cross-post figures come from one run of the platform.
_crossposts: dict[str, float] = {}


def component_sites(n: int = CROSSPOST_SITES) -> list[str]:
    """The first `n` of the city's component sites, in the seed's order."""
    rows = csv.DictReader(SEED_TENANTS.read_text(encoding="utf-8").splitlines())
    sites = [r["slug"] for r in rows if r["kind"] != "city" and r["parent"] == CITY]
    if len(sites) < n:
        raise SystemExit(f"only {len(sites)} component sites in {SEED_TENANTS}")
    return sites[:n]


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def _wait_until_sites_known(platform: Platform, slugs: list[str], timeout: float = 120) -> None:
    """Services report ready before they have read the sites from the tenant topic;
    content (categories) and renderer (home pages) know each site soon after."""
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=platform.gateway_url, timeout=10) as http:
        for slug in slugs:
            while not (
                http.get("/api/v1/categories", params={"tenant": slug}).status_code == 200
                and http.get("/", headers={"Host": f"{slug}.localhost"}).status_code == 200
            ):
                if time.monotonic() > deadline:
                    raise SystemExit(f"site {slug} still unknown after {timeout:.0f} s")
                time.sleep(0.2)


async def _crosspost_and_watch(
    base_url: str, board: dict[str, str], article_id: str, title: str, sites: list[str],
    poll: float,
) -> tuple[list[float], list[float], float, int]:  # fmt: skip
    """Cross-post the article to `sites`: each copy's time to live (ms, from the
    request), how long its first 200 took to come back (ms), how long the request took
    (ms), and how many pages were fetched."""
    limits = httpx.Limits(max_connections=len(sites) + 2, max_keepalive_connections=len(sites) + 2)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as http:
        # A connection per site, open before the clock starts (a citizen's own browser);
        # /healthz, which the gateway answers itself, renders nothing.
        await asyncio.gather(*(http.get("/healthz", headers={"Host": f"{s}.localhost"})
                               for s in sites))  # fmt: skip
        body = {"article_id": article_id, "targets": {"sites": sites}}
        headers = {**board, "Host": "localhost"}
        deadline = time.monotonic() + 60
        while True:
            started = time.perf_counter()
            posted = await http.post("/api/v1/syndication/crossposts", json=body, headers=headers)
            if posted.status_code == 201:
                break
            # 404/422: syndication has not read the publication (or a site) yet. Nothing
            # was written; the clock starts again with the next request.
            if posted.status_code not in (404, 422) or time.monotonic() > deadline:
                raise SystemExit(f"cross-post refused: {posted.status_code} {posted.text[:500]}")
            await asyncio.sleep(0.2)
        answered = (time.perf_counter() - started) * 1000
        copies = posted.json()["copies"]
        if sorted(c["tenant"] for c in copies) != sorted(sites):
            raise SystemExit(f"{len(copies)} copies for {len(sites)} sites")
        fetched = 0

        async def watch(copy: dict[str, Any]) -> tuple[float, float]:
            nonlocal fetched
            site = {"Host": f"{copy['tenant']}.localhost"}
            while True:
                sent = time.perf_counter()
                page = await http.get(copy["path"], headers=site)
                fetched += 1
                now = time.perf_counter()
                if page.status_code == 200 and title in page.text:
                    return (now - started) * 1000, (now - sent) * 1000
                if now - started > LIVE_TIMEOUT:
                    raise SystemExit(
                        f"{copy['tenant']}{copy['path']} not live after {LIVE_TIMEOUT:.0f} s "
                        f"(last answer {page.status_code})"
                    )
                await asyncio.sleep(max(0.0, poll - (now - sent)))

        watched = await asyncio.gather(*(watch(c) for c in copies))
    return [t for t, _ in watched], [w for _, w in watched], answered, fetched


def _round(
    http: httpx.Client, base_url: str, board: dict[str, str], n: int, sites: list[str],
    poll: float,
) -> list[float]:  # fmt: skip
    """Publish a new article on the city portal (untimed), cross-post it: the copies'
    times to live, ms."""
    title = f"Thành phố gửi các trang thành phần bài đo số {n} {uuid.uuid4().hex[:6]}"
    article = publish(http, CITY, {
        "category": "tin-tuc", "title": title,
        "summary": "Đo thời gian từ lúc đăng lại đến lúc bài lên các trang.",
        "body_html": "<p>" + "Nội dung bài viết của Thành phố. " * 60 + "</p>",
    })  # fmt: skip
    times, waits, answered, fetched = uvloop.run(
        _crosspost_and_watch(base_url, board, article["id"], title, sites, poll)
    )
    print(f"  round {n}: request answered {answered:.0f} ms; live first {min(times):.0f}, "
          f"p50 {statistics.median(times):.0f}, p95 {percentile(times, 95):.0f}, "
          f"last {max(times):.0f} ms; {fetched} pages fetched, the 200s took p50 "
          f"{statistics.median(waits):.0f}, max {max(waits):.0f} ms")  # fmt: skip
    return times


def _bench_crossposts(rounds: int, poll: float) -> dict[str, float]:
    prefix = f"bench{uuid.uuid4().hex[:8]}_"
    env = {"PORTAL_DEMO": "1", "LOG_LEVEL": "WARNING", "PORTAL_SCHEMA_PREFIX": prefix}
    sites = component_sites()
    db = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    cache = "Redis" if os.environ.get("REDIS_URL") else "in-process"
    p95s: list[float] = []
    lasts: list[float] = []
    with tempfile.TemporaryDirectory() as data_dir:
        platform = Platform(
            data_dir=Path(data_dir), gateway_port=free_port(), free_ports=True, extra_env=env
        )
        try:
            started = time.monotonic()
            platform.start(timeout=120)
            _wait_until_sites_known(platform, [CITY, *sites])
            print(f"crossposts: platform up in {time.monotonic() - started:.0f} s "
                  f"({db}, page cache {cache}); {len(sites)} sites, {rounds} rounds, "
                  f"a poll every {poll * 1000:.0f} ms per site")  # fmt: skip
            with httpx.Client(base_url=platform.gateway_url, timeout=30,
                              headers={"Host": "localhost"}) as http:  # fmt: skip
                board = logged_in(http, BOARD[CITY])
                for n in range(1, rounds + 1):
                    times = _round(http, platform.gateway_url, board, n, sites, poll)
                    p95s.append(percentile(times, 95))
                    lasts.append(max(times))
        except BaseException:
            for name in ("syndication", "renderer", "gateway"):
                if name in platform.children:
                    print(f"--- {name}.log\n{platform.tail(name)}", file=sys.stderr)
            raise
        finally:
            platform.stop()
            if os.environ.get("DATABASE_URL"):
                asyncio.run(_drop_schemas(os.environ["DATABASE_URL"], prefix))
            if os.environ.get("REDIS_URL"):
                asyncio.run(_drop_redis_keys(os.environ["REDIS_URL"], prefix))
    print(f"crossposts: median over rounds p95 {statistics.median(p95s):.0f} ms, "
          f"all live {statistics.median(lasts):.0f} ms; worst round p95 {max(p95s):.0f} ms, "
          f"all live {max(lasts):.0f} ms")  # fmt: skip
    return {"p95": statistics.median(p95s), "all_live": statistics.median(lasts)}


async def _drop_schemas(url: str, prefix: str) -> None:
    """Every service's schema of this run (their names carry the prefix)."""
    settings = Settings(DATABASE_URL=url, PORTAL_SCHEMA_PREFIX=prefix)
    for service in SERVICES:
        await Database(service, settings).drop()


async def _drop_redis_keys(url: str, prefix: str) -> None:
    """The page cache's and the rate limits' keys of this run (both carry the prefix)."""
    from redis.asyncio import Redis

    redis = Redis.from_url(url)
    try:
        for pattern in (f"portal:{prefix}*", f"{prefix}portal:*"):
            keys = [k async for k in redis.scan_iter(match=pattern, count=1000)]
            for start in range(0, len(keys), 500):
                await redis.delete(*keys[start : start + 500])
    finally:
        await redis.aclose()


def _crosspost_figures(args: argparse.Namespace | None) -> dict[str, float]:
    if not _crossposts:
        rounds = args.rounds if args else 5
        poll = (args.poll_ms if args else 50) / 1000
        _crossposts.update(_bench_crossposts(rounds, poll))
    return _crossposts


@figure("crosspost_140_p95_ms")
def bench_crosspost_p95(args: argparse.Namespace | None = None) -> float:
    """p95 over the 140 sites of cross-post request to copy live; median of rounds."""
    return _crosspost_figures(args)["p95"]


@figure("crosspost_140_all_live_ms")
def bench_crosspost_all_live(args: argparse.Namespace | None = None) -> float:
    """Cross-post request to the last of the 140 copies live; median of rounds."""
    return _crosspost_figures(args)["all_live"]


# --- the receiver, in its own process ---------------------------------------------------


def _receiver(secrets: list[str], ports: Any, counts: Any) -> None:
    """A partner's endpoint: verifies each delivery; counts[0] verified, counts[1] not."""
    import socket

    import uvicorn
    from standardwebhooks import Webhook, WebhookVerificationError

    signers = {s: Webhook(s) for s in secrets}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        ok = False
        for signer in signers.values():
            try:
                signer.verify(body, headers, json_parse=False)
                ok = True
                break
            except WebhookVerificationError:
                continue
        counts[0 if ok else 1] += 1
        await send({"type": "http.response.start", "status": 204 if ok else 401, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    socks = []
    for _ in secrets:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        socks.append(sock)
    ports.put([s.getsockname()[1] for s in socks])
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="off", timeout_keep_alive=60,
        loop="uvloop", http="httptools",
    )  # fmt: skip
    uvicorn.Server(config).run(sockets=socks)


# --- webhooks ---------------------------------------------------------------------------


async def _bench_webhooks(messages: int, hooks: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings().with_overrides(
            data_dir=Path(tmp),
            schema_prefix=f"bench{uuid.uuid4().hex[:6]}_",
            webhooks_allow_private=True,
            webhook_timeout_seconds=10.0,
        )
        db = Database("syndication", settings)
        await db.prepare()
        await upgrade(db, MIGRATIONS)
        context = multiprocessing.get_context("spawn")
        secrets = [new_secret() for _ in range(hooks)]
        ports, counts = context.Queue(), context.Array("l", 2)
        receiver = context.Process(target=_receiver, args=(secrets, ports, counts), daemon=True)
        receiver.start()
        try:
            return await _run(db, settings, secrets, ports.get(timeout=30), counts,
                              messages)  # fmt: skip
        finally:
            receiver.terminate()
            receiver.join(5)
            await db.drop()


async def _run(
    db: Database, settings: Settings, secrets: list[str], ports: list[int], counts: Any,
    messages: int,
) -> float:  # fmt: skip
    def unit_of_work() -> UnitOfWork:
        return UnitOfWork(db, "/services/syndication", on_commit=lambda: None)

    now = datetime.now(UTC)
    partner_id = str(uuid.uuid4())
    async with unit_of_work() as uow:
        await uow.session.execute(
            store.partners.insert().values(
                id=partner_id, name="Đo tải", description="", sites=["*"],
                topics=["article.published"], active=True, created_by="bench",
                created_at=now, changed_at=now,
            )
        )  # fmt: skip
        for secret, port in zip(secrets, ports, strict=True):
            await uow.session.execute(
                store.webhooks.insert().values(
                    id=str(uuid.uuid4()), partner_id=partner_id,
                    url=f"http://127.0.0.1:{port}/hook", secret=secret, active=True,
                    created_at=now, changed_at=now,
                )
            )  # fmt: skip
        await uow.commit()
    dispatcher = Dispatcher(db, unit_of_work, settings)
    task = asyncio.create_task(dispatcher.run())
    try:
        while len(dispatcher.endpoints) < len(secrets):  # noqa: ASYNC110 - polls the dispatcher
            await asyncio.sleep(0.05)
        total = messages * len(secrets)
        started = time.perf_counter()
        # A few messages a transaction, as the event handlers queue them (one event
        # each, or a cross-post's copies): the dispatcher starts on the first at once.
        for start in range(0, messages, PER_TRANSACTION):
            async with unit_of_work() as uow:
                for i in range(start, min(messages, start + PER_TRANSACTION)):
                    await partners.enqueue(
                        uow, tenant="hoankiem", type="article.published",
                        subject=str(uuid.uuid4()), source_sequence=None,
                        occurred_at=datetime.now(UTC),
                        data={"title": f"Tin đo tải {i}",
                              "body_html": "<p>" + "Nội dung. " * 200},
                    )  # fmt: skip
                await uow.commit()
            dispatcher.wake()
        enqueued = time.perf_counter() - started
        d = store.deliveries
        hooks = list(dispatcher.endpoints)
        while True:
            # On the queue's index: what is still pending (a count of the delivered
            # would read every body each time, and slow what it measures).
            async with db.read() as session:
                pending = await session.scalar(
                    select(func.count()).where(d.c.webhook_id.in_(hooks), d.c.status == "pending")
                )
            if not pending:
                break
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - started
        async with db.read() as session:
            done = await session.scalar(select(func.count()).where(d.c.status == "delivered"))
        if done != total:
            raise SystemExit(f"{done} of {total} delivered")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    verified, refused = counts[0], counts[1]
    print(f"webhooks: {total} deliveries over {len(secrets)} webhooks in {elapsed:.2f} s "
          f"(queued in {enqueued:.2f} s); "
          f"receiver verified {verified}, refused {refused}")  # fmt: skip
    if refused or verified < total:
        raise SystemExit("a delivery did not verify at the receiver")
    return total / elapsed


@figure("webhook_deliveries_per_s")
def bench_webhooks(args: argparse.Namespace | None = None) -> float:
    """Signed deliveries a second to a local receiver, enqueue to all delivered."""
    messages = args.messages if args else 500
    hooks = args.webhooks if args else 4
    # uvloop, as the service runs (runtime.service.serve).
    return uvloop.run(_bench_webhooks(messages, hooks))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="cross-posts (one article each)")
    parser.add_argument("--poll-ms", type=float, default=50, help="poll interval per copy page")
    parser.add_argument("--messages", type=int, default=500, help="messages per webhook")
    parser.add_argument("--webhooks", type=int, default=4)
    parser.add_argument("--only", default="", help=f"comma-separated, of: {', '.join(FIGURES)}")
    args = parser.parse_args()
    only = [name for name in args.only.split(",") if name]
    unknown = sorted(set(only) - set(FIGURES))
    if unknown:
        parser.error(f"unknown figure {', '.join(unknown)}; figures: {', '.join(FIGURES)}")
    results = {}
    for name, run in FIGURES.items():
        if only and name not in only:
            continue
        results[name] = run(args)
        print(f"{name}: {results[name]:.0f}")
    print("RESULT " + " ".join(f"{name}={value:.0f}" for name, value in results.items()))


if __name__ == "__main__":
    main()
