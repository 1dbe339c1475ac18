"""Raw messages on a portal topic, sent as a buggy partner (or anyone who got write
access to the bus) would: headers and keys in Windows-1258 instead of UTF-8, a header
*name* that is not UTF-8 (written by another client library), a type from a newer
producer, a body no handler can take. Each must land on the topic's dead-letter topic,
byte for byte and with why, while the platform goes on publishing; and the operator's
replay must send a parked message back once it can be applied.

Before: a header that is not UTF-8 (or a body that is not JSON) made FastStream drop
the message before our consumer saw it; a header name that is not UTF-8 ended the
service's consume loop for the whole topic; an unknown type was acknowledged and
lost; a body that does not validate was tried `max_attempts` times as if it might
pass."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from conftest import bearer, eventually, token_for
from gatedplatform import Gated, gated  # noqa: F401
from sqlalchemy import func, select

from contracts import ArticlePublished, envelope_for, topics
from runtime.consumer import CONSUMED
from runtime.messaging import INBOX

TENANT = "hoankiem"
HOST = "hoankiem.localhost"
ARTICLE = topics.ARTICLE
REPO = Path(__file__).resolve().parents[2]
#: The consumers of the article topic in the gated platform.
ARTICLE_CONSUMERS = {"editorial", "renderer", "search"}
FEATURED = "vn.gov.hanoi.portal.content.ArticleFeatured.v1"  # not in any contract yet
NOW = datetime.now(UTC)


def article(article_id: str, **changes: Any) -> ArticlePublished:
    return ArticlePublished(
        tenant=TENANT, article_id=article_id, revision_id=uuid.uuid4().hex, sequence=1,
        category="tin-tuc", category_name="Tin tức", slug=article_id,
        path=f"/tin-tuc/{article_id}", title=f"Bài {article_id}", summary="",
        body_html="<p>x</p>", author="doi.tac", approved_by="doi.tac",
        published_at=NOW, updated_at=NOW, **changes,
    )  # fmt: skip


def headers_of(event: ArticlePublished, **changes: bytes) -> list[tuple[str, bytes]]:
    headers = {k: v.encode() for k, v in envelope_for(event, source="/doi-tac").headers().items()}
    headers.update(changes)
    return list(headers.items())


async def send_raw(gated: Gated, messages: list[tuple[bytes, bytes, list[Any], int]]) -> None:  # noqa: F811
    producer = AIOKafkaProducer(bootstrap_servers=gated.settings.kafka_bootstrap_servers)
    await producer.start()
    try:
        for key, value, headers, partition in messages:
            await producer.send_and_wait(
                ARTICLE.name, value, key=key, headers=headers, partition=partition
            )
    finally:
        await producer.stop()


#: Another client (aiokafka's own builders refuse to write a header name that is not
#: UTF-8; its Python one encodes names with `.encode`). argv: bootstrap, topic, then
#: records as JSON [key hex, value hex, [[name, value hex]], partition], each sent
#: with one more header, named with the bytes ff fe 68.
OTHER_CLIENT = """
import asyncio, json, sys
from aiokafka import AIOKafkaProducer

class RawName(str):
    def encode(self, *args, **kwargs):
        return bytes.fromhex("fffe68")

async def main():
    producer = AIOKafkaProducer(bootstrap_servers=sys.argv[1])
    await producer.start()
    for key, value, headers, partition in json.loads(sys.argv[3]):
        headers = [(k, bytes.fromhex(v)) for k, v in headers] + [(RawName("x"), b"v")]
        await producer.send_and_wait(sys.argv[2], bytes.fromhex(value),
            key=bytes.fromhex(key), headers=headers, partition=partition)
    await producer.stop()

asyncio.run(main())
"""
RAW_NAME = ("dlt_header_name_hex:fffe68", b"v")


async def send_with_a_raw_header_name(
    gated: Gated,  # noqa: F811
    messages: list[tuple[bytes, bytes, list[Any], int]],
) -> None:
    records = [
        (key.hex(), value.hex(), [(k, v.hex()) for k, v in headers], partition)
        for key, value, headers, partition in messages
    ]
    bootstrap = gated.settings.kafka_bootstrap_servers or ""
    command = [sys.executable, "-c", OTHER_CLIENT, bootstrap, ARTICLE.name, json.dumps(records)]
    env = {**os.environ, "AIOKAFKA_NO_EXTENSIONS": "1"}
    await asyncio.to_thread(
        subprocess.run, command, env=env, capture_output=True, timeout=60, check=True
    )


async def dead_letters(gated: Gated) -> list[Any]:  # noqa: F811
    reader = AIOKafkaConsumer(
        ARTICLE.dead_letter, bootstrap_servers=gated.settings.kafka_bootstrap_servers,
        auto_offset_reset="earliest", group_id=None, enable_auto_commit=False,
    )  # fmt: skip
    await reader.start()
    found: list[Any] = []
    try:
        while batch := await reader.getmany(timeout_ms=1000):
            found += [r for records in batch.values() for r in records]
    finally:
        await reader.stop()
    return found


def header(record: Any, name: str) -> str:
    values = [v for k, v in record.headers if k == name]
    return values[-1].decode("utf-8", "replace") if values else ""


def parked_by(records: list[Any], ce_id: str) -> dict[str, Any]:
    """The dead letters of one message, by the consumer that parked it."""
    return {header(r, "dlt_consumer"): r for r in records if header(r, "ce_id") == ce_id}


async def publish_through_the_gateway(gated: Gated, title: str) -> dict[str, Any]:  # noqa: F811
    head = token_for("tbbt.kiem.tra.bus", {TENANT: "board_head"})
    r = await gated.post(
        "/api/v1/articles",
        json={"tenant": TENANT, "category": "tin-tuc", "title": title, "summary": "Tóm tắt",
              "body_html": "<p>Nội dung của bài.</p>"},
        headers=bearer(head),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    created = r.json()
    r = await gated.post(
        f"/api/v1/articles/{created['id']}/force-publish",
        json={"version": created["version"], "reason": "Thông báo khẩn, cần đăng ngay."},
        headers=bearer(head),
    )
    assert r.status_code == 200, r.text

    async def path() -> str | None:
        got = await gated.get(f"/api/v1/articles/{created['id']}", headers=bearer(head))
        return got.json().get("path") if got.status_code == 200 else None

    return {**created, "path": await eventually(path, timeout=30)}


async def page_is_live(gated: Gated, path: str, title: str) -> bool:  # noqa: F811
    r = await gated.get(path)
    return r.status_code == 200 and title in r.text


async def test_poison_on_the_article_topic_is_parked_as_it_came_and_the_site_goes_on(
    gated: Gated,  # noqa: F811
) -> None:
    run = uuid.uuid4().hex[:8]
    attacks: dict[str, tuple[str, set[str], str]] = {}  # ce_id: (attack, parked by, reason)
    sent: dict[str, tuple[bytes, bytes, list[Any]]] = {}
    messages, raw_names = [], []
    for partition in range(ARTICLE.partitions):  # every partition: no consumer escapes
        named = article(f"tc-{run}-n{partition}")
        raw_names.append(
            (named.key().encode(), named.model_dump_json().encode(), headers_of(named), partition)
        )
        ce_id = dict(raw_names[-1][2])["ce_id"].decode()
        attacks[ce_id] = (
            "a header name that is not UTF-8", ARTICLE_CONSUMERS,
            "header name b'\\xff\\xfeh' is not valid UTF-8",
        )  # fmt: skip
        sent[ce_id] = (*raw_names[-1][:2], [*raw_names[-1][2], RAW_NAME])
        latin = article(f"tc-{run}-a{partition}")
        key_1258 = article(f"tc-{run}-b{partition}")
        featured = article(f"tc-{run}-c{partition}")
        invalid = article(f"tc-{run}-d{partition}")
        cases = [
            ("header in Windows-1258", latin.key().encode(), latin.model_dump_json().encode(),
             headers_of(latin, tenant="hoànkiếm".encode("cp1258", "replace")),
             ARTICLE_CONSUMERS, "header 'tenant' is not valid UTF-8"),
            ("key in Windows-1258", f"bài-{run}-{partition}".encode("cp1258"),
             key_1258.model_dump_json().encode(), headers_of(key_1258),
             ARTICLE_CONSUMERS, "key is not valid UTF-8"),
            ("a newer producer's type", featured.key().encode(),
             json.dumps({"tenant": TENANT, "article_id": featured.article_id}).encode(),
             headers_of(featured, ce_type=FEATURED.encode()),
             ARTICLE_CONSUMERS, f"unknown event type '{FEATURED}'"),
            # sequence must be at least 1: fails the same way on every try.
            ("a body no handler can take", invalid.key().encode(),
             invalid.model_dump_json().replace('"sequence":1', '"sequence":0').encode(),
             headers_of(invalid), ARTICLE_CONSUMERS,
             "body is not a valid ArticlePublished: sequence"),
        ]  # fmt: skip
        for name, key, value, headers, consumers, reason in cases:
            ce_id = dict(headers)["ce_id"].decode()
            attacks[ce_id] = (name, consumers, reason)
            sent[ce_id] = (key, value, headers)
            messages.append((key, value, headers, partition))
    # The name first: with it, aiokafka's reader stopped the whole consumer of the topic.
    await send_with_a_raw_header_name(gated, raw_names)
    await send_raw(gated, messages)

    # The site goes on: an article published after the poison, on whichever partition,
    # is on the site through the gateway.
    title = f"Thông báo sau tin độc hại {run}"
    published = await publish_through_the_gateway(gated, title)
    await eventually(lambda: page_is_live(gated, published["path"], title), timeout=60)

    async def all_parked() -> list[Any] | None:
        found = await dead_letters(gated)
        complete = all(set(parked_by(found, i)) >= attacks[i][1] for i in attacks)
        return found if complete else None

    found = await eventually(all_parked, timeout=60, interval=0.5)
    for ce_id, (name, consumers, reason) in attacks.items():
        copies = parked_by(found, ce_id)
        assert set(copies) == consumers, (name, set(copies))
        key, value, headers = sent[ce_id]
        for consumer, record in copies.items():
            assert reason in header(record, "dlt_reason"), (name, consumer, record.headers)
            # As it came: key, value and the headers, byte for byte, in their order.
            assert record.key == key and record.value == value, name
            assert list(record.headers[: len(headers)]) == headers, name
            assert header(record, "dlt_original_topic") == ARTICLE.name
            # Parked at once: none of these is worth a second try.
            assert header(record, "dlt_attempts") == "0", (name, consumer)


async def test_a_type_parked_during_an_upgrade_is_replayed_by_the_operator_and_applied_once(
    gated: Gated,  # noqa: F811
) -> None:
    run = uuid.uuid4().hex[:8]
    # A partner already on the next contract version sends a type nobody knows yet.
    featured = article(f"tc-{run}-new")
    featured_headers = headers_of(featured, ce_type=FEATURED.encode())
    featured_id = dict(featured_headers)["ce_id"].decode()
    await send_raw(gated, [(featured.key().encode(), b"{}", featured_headers, 0)])
    # And the rolling upgrade that brings ArticlePublished to the renderer is half
    # done: renderer still runs the build from before the type existed.
    renderer = gated.services["renderer"]
    consumer = next(c for c in renderer.consumers if c.topic == ARTICLE)
    handled, known = consumer._by_type, frozenset(e.ce_type for e in ARTICLE.events)
    consumer._by_type = {t: e for t, e in handled.items() if e is not ArticlePublished}
    consumer.known_types = known - {ArticlePublished.ce_type}
    try:
        title = f"Bài đăng giữa lúc nâng cấp {run}"
        published = await publish_through_the_gateway(gated, title)

        async def renderer_parked_it() -> Any:
            for record in await dead_letters(gated):
                if (
                    header(record, "dlt_consumer") == "renderer"
                    and header(record, "dlt_kind") == "unknown_type"
                    and header(record, "ce_subject") == published["id"]
                ):
                    return record
            return None

        parked = await eventually(renderer_parked_it, timeout=60, interval=0.5)
        # Not on the site (asked of the renderer itself: the gateway would cache the 404).
        page = await gated.direct["renderer"].get(published["path"], headers={"Host": HOST})
        assert page.status_code == 404
    finally:
        consumer._by_type, consumer.known_types = handled, known  # the upgrade completes
    event_id = header(parked, "ce_id")
    search = gated.services["search"]
    # search applied it on first delivery (in its own time: renderer may park it first).
    await eventually(lambda: _one(inbox_rows(search, event_id)), timeout=30)
    duplicates = CONSUMED.labels("search", ARTICLE.name, "duplicate")._value.get()

    # The operator's command, as it is run in production.
    command = [
        "dlt", "replay", "--topic", ARTICLE.name, "--reason-contains", "unknown event type",
    ]  # fmt: skip
    first = await portal(gated, command)
    assert first.returncode == 0, first.stderr
    assert f"ce_id={event_id}" in first.stdout and f"ce_id={featured_id}" in first.stdout

    await eventually(lambda: page_is_live(gated, published["path"], title), timeout=60)
    # search had it already: dropped by its inbox, not applied twice.
    await eventually(
        lambda: CONSUMED.labels("search", ARTICLE.name, "duplicate")._value.get() > duplicates
    )
    assert await inbox_rows(search, event_id) == 1
    assert await inbox_rows(renderer, event_id) == 1

    # The partner's type is still unknown after the replay: sent back, parked again,
    # and the copy says it was a replay.
    async def parked_again() -> bool:
        records = [r for r in await dead_letters(gated) if header(r, "ce_id") == featured_id]
        return any(header(r, "dlt_replayed_from") for r in records)

    await eventually(parked_again, timeout=60, interval=0.5)
    # A second replay sends nothing twice: only what was parked since the first.
    again = await portal(gated, command)
    assert again.returncode == 0, again.stderr
    assert f"ce_id={event_id}" not in again.stdout

    listing = await portal(gated, ["dlt", "list", "--topic", ARTICLE.name])
    assert listing.returncode == 0, listing.stderr
    assert f"{ARTICLE.dead_letter}:" in listing.stdout


async def inbox_rows(service: Any, event_id: str) -> int:
    async with service.db.read() as session:
        count = await session.scalar(
            select(func.count()).select_from(INBOX).where(INBOX.c.event_id == event_id)
        )
    return int(count or 0)


async def portal(gated: Gated, args: list[str]) -> subprocess.CompletedProcess[str]:  # noqa: F811
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": gated.settings.kafka_bootstrap_servers or "",
        "PYTHONPATH": str(REPO),
    }
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "portal.cli", *args],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


async def _one(rows: Any) -> bool:
    return await rows == 1
