"""Search at scale: index 100,000 documents, query them, and time publish → searchable.

Starts the search service as its own process on the embedded broker (and on
PostgreSQL / OpenSearch when DATABASE_URL / OPENSEARCH_URL are set), then:

1. writes N documents into search's record, as its event handlers do (pending), and
   times the indexer until every one is in the index: index_docs_per_s;
2. sends Q queries (the judged set's and variations) to GET /api/v1/search one after
   another: query_p95_ms (HTTP included);
3. publishes P ArticlePublished events on the broker, one at a time, and polls the API
   until each is found: publish_to_searchable_p95_ms.

    .venv/bin/python scripts/bench_search.py [--docs 100000] [--queries 500] [--publish 50]

Last line: RESULT index_docs_per_s=<n> query_p95_ms=<n> publish_to_searchable_p95_ms=<n>
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from aiokafka import AIOKafkaProducer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contracts import ArticlePublished, envelope_for, topics
from runtime.auth import generate_key_pair
from runtime.db import Database
from runtime.embedded import EmbeddedKafka, free_port
from runtime.settings import REPO_ROOT, Settings
from services.search import store
from services.search.documents import SearchDoc

DATA = REPO_ROOT / "tests" / "data" / "search"
WORDS = (  # noqa: SIM905 - a sentence is easier to read than a list of words
    "phường quận thành phố ủy ban nhân dân thủ tục hồ sơ cấp giấy phép xây dựng đăng ký "
    "kết hôn khai sinh thường trú căn cước công dân bảo hiểm xã hội y tế giáo dục trường học "
    "giao thông môi trường phố cổ hồ gươm du lịch lễ hội kế hoạch quyết định chỉ thị thông báo "
    "hướng dẫn người dân doanh nghiệp đầu tư dự án hạ tầng cây xanh chiếu sáng vệ sinh an toàn "
    "thực phẩm phòng cháy chữa cháy đất đai nhà ở tiếp công dân hội nghị triển khai năm"
).split()


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def corpus() -> list[SearchDoc]:
    lines = (DATA / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    return [SearchDoc.from_json(json.loads(line)) for line in lines if line.strip()]


def synthetic(n: int, seed: int = 7) -> list[dict]:
    """n documents: the judged corpus, then variations of it with words mixed in."""
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    base = corpus()
    start = datetime(2020, 1, 1, tzinfo=UTC)
    rows = []
    now = datetime.now(UTC)
    for i in range(n):
        src = base[i % len(base)]
        extra = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 160)))
        doc = SearchDoc(
            id=f"article:bench-{i}",
            site=src.site,
            type=src.type,
            title=src.title if i < len(base) else f"{src.title} ({rng.choice(WORDS)} {i})",
            summary=src.summary,
            body=f"{src.body} {extra}",
            path=f"{src.path}-{i}",
            category=src.category,
            category_name=src.category_name,
            published_at=start + timedelta(minutes=rng.randint(0, 60 * 24 * 365 * 6)),
            keywords=src.keywords,
        )
        rows.append({
            "id": doc.id, "site": doc.site, "sequence": 1, "withdrawn": False,
            "data": doc.as_json(), "pending": True, "changed_at": now, "receipt": None,
        })  # fmt: skip
    return rows


def queries(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)  # noqa: S311 - reproducible data, not secrets
    judged = [
        json.loads(line)["q"]
        for line in (DATA / "judged.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    out = list(judged)
    while len(out) < n:
        out.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))))
    rng.shuffle(out)
    return out[:n]


def start_service(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "services.search"],
        env={**env, "PORT": str(port)},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        cwd=REPO_ROOT,
    )


async def wait_ready(http: httpx.AsyncClient, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if (await http.get("/readyz")).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.2)
    raise TimeoutError("search did not become ready")


async def bench(args: argparse.Namespace, data_dir: Path, kafka: EmbeddedKafka) -> None:
    port = free_port()
    prefix = f"b{uuid.uuid4().hex[:6]}_"
    env = {
        **os.environ, "PORTAL_DATA_DIR": str(data_dir), "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap,
        "PORTAL_KAFKA_EMBEDDED": "1", "PORTAL_SCHEMA_PREFIX": prefix, "LOG_LEVEL": "WARNING",
        "PORTAL_AUTH_SECRET": "bench-secret-" + "x" * 40,
        # search only checks tokens: the public key of a pair made for this run.
        "PORTAL_AUTH_PUBLIC_KEY": generate_key_pair()[1],
    }  # fmt: skip
    process = start_service(env, port, data_dir / "search.log")
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            await wait_ready(http)
            rate = await fill(args.docs, env, http)
            p95_query, p50_query = await query_latency(http, args.queries)
            p95_publish, p50_publish = await publish_latency(http, kafka, args.publish)
    finally:
        process.terminate()
        process.wait(30)
    print(f"documents={args.docs} indexing={rate:.0f} docs/s; query p50={p50_query:.1f} ms "
          f"p95={p95_query:.1f} ms over {args.queries}; publish->searchable "
          f"p50={p50_publish:.0f} ms p95={p95_publish:.0f} ms over {args.publish}")  # fmt: skip
    print(
        f"RESULT index_docs_per_s={rate:.0f} query_p95_ms={p95_query:.1f} "
        f"publish_to_searchable_p95_ms={p95_publish:.0f}"
    )


async def fill(n: int, env: dict[str, str], http: httpx.AsyncClient) -> float:
    settings = Settings(_env_file=None, **{})  # type: ignore[call-arg]
    settings = settings.with_overrides(
        data_dir=Path(env["PORTAL_DATA_DIR"]), schema_prefix=env["PORTAL_SCHEMA_PREFIX"]
    )
    rows = synthetic(n)
    db = Database("search", settings)
    try:
        started = time.perf_counter()
        for i in range(0, len(rows), 5000):
            async with db.session() as session:
                await session.execute(store.documents.insert(), rows[i : i + 5000])
                await session.commit()
        while True:
            status = (await http.get("/api/v1/search/status")).json()
            if status["pending"] == 0 and (status["indexed"] or 0) >= n:
                break
            await asyncio.sleep(0.2)
        seconds = time.perf_counter() - started
    finally:
        await db.dispose()
    print(f"indexed {n} documents in {seconds:.1f} s", file=sys.stderr)
    return n / seconds


async def query_latency(http: httpx.AsyncClient, n: int) -> tuple[float, float]:
    for q in queries(20, seed=3):  # warm the caches as a running service would be
        await http.get("/api/v1/search", params={"q": q})
    times = []
    for q in queries(n):
        started = time.perf_counter()
        r = await http.get("/api/v1/search", params={"q": q})
        times.append((time.perf_counter() - started) * 1000)
        assert r.status_code == 200, (q, r.status_code, r.text[:200])
    return percentile(times, 95), percentile(times, 50)


async def publish_latency(
    http: httpx.AsyncClient, kafka: EmbeddedKafka, n: int
) -> tuple[float, float]:
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap)
    await producer.start()
    times = []
    try:
        for i in range(n):
            key = uuid.uuid4().hex
            word = f"bdo{key[:10]}"
            now = datetime.now(UTC)
            event = ArticlePublished(
                tenant="hoankiem", article_id=key, revision_id=key, sequence=1,
                category="tin-tuc", category_name="Tin tức", slug=key, path=f"/tin-tuc/{key}",
                title=f"Bài đo thời gian tìm thấy số {i} {word}", summary="Đo thời gian.",
                body_html="<p>" + "Nội dung bài viết để đo. " * 40 + "</p>", author="bench",
                approved_by="bench", published_at=now, updated_at=now,
            )  # fmt: skip
            headers = [
                (k, v.encode()) for k, v in envelope_for(event, source="/bench").headers().items()
            ]
            started = time.perf_counter()
            await producer.send_and_wait(
                topics.ARTICLE.name, event.model_dump_json().encode(), key=key.encode(),
                headers=headers,
            )  # fmt: skip
            while True:
                body = (await http.get("/api/v1/search", params={"q": word})).json()
                if body["total"] == 1:
                    break
                if time.perf_counter() - started > 30:
                    raise TimeoutError(f"article {i} not searchable after 30 s")
                await asyncio.sleep(0.01)
            times.append((time.perf_counter() - started) * 1000)
    finally:
        await producer.stop()
    return percentile(times, 95), percentile(times, 50)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--publish", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, EmbeddedKafka() as kafka:
        asyncio.run(bench(args, Path(tmp), kafka))


if __name__ == "__main__":
    main()
