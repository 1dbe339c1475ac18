"""The publish path with the services in this process, on a real broker and real databases:
tracing across it, idempotent consumers, dead letters, and the outbox riding out a
broker outage."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from conftest import InProcessPlatform as Platform
from conftest import bearer, eventually, token_for
from opentelemetry.trace import SpanKind
from sqlalchemy import func, select

from contracts import RevisionApproved, envelope_for, topics
from runtime.consumer import CONSUMED
from runtime.embedded import EmbeddedKafka
from runtime.messaging import INBOX, OUTBOX

EDITOR = token_for("bientap.hoankiem", {"hoankiem": "editor"})
BOARD = token_for("bbt.hoankiem", {"hoankiem": "board_member"})


async def test_approval_publishes_one_trace_from_http_to_read_model(settings, spans) -> None:
    async with Platform(settings) as p:
        article = await p.draft_and_submit("Phường Hoàn Kiếm ra quân chỉnh trang vỉa hè")
        spans.clear()
        approved = await p.editorial_http.post(
            f"/api/v1/reviews/{article['current_revision_id']}/approve",
            json={"note": "Đồng ý"},
            headers=bearer(BOARD),
        )
        assert approved.status_code == 200, approved.text

        async def published() -> Any:
            r = await p.content_http.get(
                f"/api/v1/articles/{article['id']}", headers=bearer(EDITOR)
            )
            return r.json()["path"]

        path = await eventually(published)
        page = await eventually(lambda: _live(p, path))
        assert "Phường Hoàn Kiếm ra quân chỉnh trang vỉa hè" in page.text
        assert "<script>" not in page.text

        async def renderer_applied() -> list[Any]:
            return [
                s for s in spans.get_finished_spans()
                if s.name == f"{topics.ARTICLE.name} process"
                and s.attributes.get("portal.service") == "renderer"
                and s.attributes.get("portal.event_type", "").endswith("ArticlePublished.v1")
            ]  # fmt: skip

        (render_span,) = await eventually(renderer_applied)

    finished = {s.context.span_id: s for s in spans.get_finished_spans()}

    def ancestors(span: Any) -> list[Any]:
        chain = [span]
        while chain[-1].parent is not None and chain[-1].parent.span_id in finished:
            chain.append(finished[chain[-1].parent.span_id])
        return chain

    chain = ancestors(render_span)
    kinds = [(s.kind, s.attributes.get("portal.service"), s.name) for s in chain]
    # renderer consumes ← content's relay publishes ← content consumes the approval
    # ← editorial's relay publishes ← the HTTP request that approved it.
    assert [k[0] for k in kinds] == [
        SpanKind.CONSUMER,
        SpanKind.PRODUCER,
        SpanKind.CONSUMER,
        SpanKind.PRODUCER,
        SpanKind.SERVER,
    ], kinds
    assert kinds[1][1] == "content"
    assert kinds[2][1] == "content"
    assert kinds[3][1] == "editorial"
    assert "approve" in chain[-1].name
    assert len({s.context.trace_id for s in chain}) == 1


async def _live(p: Platform, path: str) -> Any:
    response = await p.page(path)
    return response if response.status_code == 200 else None


async def test_same_event_twice_has_one_effect(settings) -> None:
    async with Platform(settings) as p:
        article = await p.draft_and_submit("Thông báo lịch tiếp công dân")
        event = RevisionApproved(
            tenant="hoankiem",
            article_id=article["id"],
            revision_id=article["current_revision_id"],
            decided_by="bbt.hoankiem",
            decided_at=datetime.now(UTC),
        )
        envelope = envelope_for(event, source="/tests")
        headers = [(k, v.encode()) for k, v in envelope.headers().items()]
        # The counters are per process: measure this test's deliveries from here.
        before = _review_outcomes()
        producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
        await producer.start()
        try:
            for _ in range(2):
                await producer.send_and_wait(
                    topics.REVIEW.name,
                    event.model_dump_json().encode(),
                    key=event.key().encode(),
                    headers=headers,
                )
        finally:
            await producer.stop()

        async def published_events() -> int:
            async with p.content.db.read() as session:
                return await session.scalar(
                    select(func.count())
                    .select_from(OUTBOX)
                    .where(OUTBOX.c.event_type.like("%ArticlePublished%"))
                )

        assert await eventually(published_events) == 1

        async def both_seen() -> bool:
            async with p.content.db.read() as session:
                claimed = await session.scalar(
                    select(func.count()).select_from(INBOX).where(INBOX.c.event_id == envelope.id)
                )
            after = _review_outcomes()
            handled = {k: after[k] - before[k] for k in after}
            return claimed == 1 and handled == {"applied": 1, "duplicate": 1}

        await eventually(both_seen)
        assert await published_events() == 1  # still one, after both deliveries were handled


def _review_outcomes() -> dict[str, float]:
    """How many RevisionApproved/Rejected deliveries content applied or dropped as duplicates."""
    return {
        outcome: CONSUMED.labels("content", topics.REVIEW.name, outcome)._value.get()
        for outcome in ("applied", "duplicate")
    }


async def test_poison_message_goes_to_dead_letter_and_consumer_carries_on(settings) -> None:
    async with Platform(settings) as p:
        first = await p.draft_and_submit("Bài thứ nhất")
        second = await p.draft_and_submit("Bài thứ hai")
        producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
        await producer.start()
        poison = RevisionApproved(
            tenant="hoankiem",
            article_id=first["id"],
            revision_id=first["current_revision_id"],
            decided_by="x",
            decided_at=datetime.now(UTC),
        )
        envelope = envelope_for(poison, source="/tests")
        try:
            # Right headers, body that no handler can apply.
            await producer.send_and_wait(
                topics.REVIEW.name,
                json.dumps({"tenant": "hoankiem", "article_id": 42}).encode(),
                key=first["id"].encode(),
                headers=[(k, v.encode()) for k, v in envelope.headers().items()],
            )
        finally:
            await producer.stop()
        # The next decision on the same partition must still be applied.
        approved = await p.editorial_http.post(
            f"/api/v1/reviews/{second['current_revision_id']}/approve",
            json={},
            headers=bearer(BOARD),
        )
        assert approved.status_code == 200

        async def second_published() -> Any:
            r = await p.content_http.get(f"/api/v1/articles/{second['id']}", headers=bearer(EDITOR))
            return r.json()["state"] == "published"

        await eventually(second_published)

    consumer = AIOKafkaConsumer(
        topics.REVIEW.dead_letter,
        bootstrap_servers=settings.kafka_bootstrap_servers,
        auto_offset_reset="earliest",
        group_id=None,  # no group to join: reads every partition at once
    )
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=10_000)
        records = [r for rs in batch.values() for r in rs]
    finally:
        await consumer.stop()
    assert len(records) == 1
    headers = {k: v.decode() for k, v in records[0].headers}
    assert headers["ce_id"] == envelope.id
    # A body that does not validate fails the same way every time: parked at once,
    # before any handler ran, not after consumer_max_attempts tries.
    assert headers["dlt_attempts"] == "0"
    assert headers["dlt_kind"] == "invalid"
    assert headers["dlt_consumer"] == "content"
    assert "not a valid RevisionApproved" in headers["dlt_reason"]
    assert "ValidationError" in headers["dlt_error"]
    assert json.loads(records[0].value) == {"tenant": "hoankiem", "article_id": 42}


@pytest.mark.timeout(180)
async def test_outbox_keeps_the_approval_while_the_broker_is_down(settings, kafka) -> None:
    restarted: EmbeddedKafka | None = None
    try:
        async with Platform(settings) as p:
            article = await p.draft_and_submit("Thông báo khi Kafka tạm dừng")
            kafka.stop()
            approved = await p.editorial_http.post(
                f"/api/v1/reviews/{article['current_revision_id']}/approve",
                json={},
                headers=bearer(BOARD),
            )
            # Committed with its event in the outbox: the broker is not on the request path.
            assert approved.status_code == 200, approved.text
            assert approved.json()["status"] == "approved"

            async def relay_failed() -> bool:
                return p.editorial.relay.last_error is not None

            await eventually(relay_failed, timeout=30)
            # Kept, not dropped: the approval and its audit record.
            assert await p.editorial.relay.pending() == 2

            # The embedded broker keeps nothing: it comes back empty, on the same port.
            restarted = EmbeddedKafka(port=kafka.port).start()

            async def delivered() -> bool:
                r = await p.content_http.get(
                    f"/api/v1/articles/{article['id']}", headers=bearer(EDITOR)
                )
                return r.json()["state"] == "published"

            await eventually(delivered, timeout=120, interval=0.5)
            assert await p.editorial.relay.pending() == 0
            page = await eventually(lambda: _live(p, f"/tin-tuc/{_slug(article)}"), timeout=60)
            assert "Thông báo khi Kafka tạm dừng" in page.text
    finally:
        if restarted:
            restarted.stop()


def _slug(article: dict[str, Any]) -> str:
    from services.content.domain import slugify

    return slugify(article["title"])
