"""The shared consumer (runtime/consumer.py) on the embedded broker and a real database:
what it parks on the dead-letter topic, as it came and with why, and the replay that
sends parked messages back (runtime/deadletter.py, `portal dlt`).

Each test runs a small service ("probe") made of the same Service and Consumer every
portal service is made of, with a handler that misbehaves on cue."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sqlite3
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from conftest import eventually
from prometheus_client import REGISTRY
from sqlalchemy import func, insert, make_url, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import create_async_engine

from contracts import (
    ArticlePublished,
    ArticleWithdrawn,
    Envelope,
    Event,
    RevisionSubmitted,
    TenantUpserted,
    envelope_for,
    topics,
)
from portal import cli
from runtime import migrations
from runtime.consumer import Subscription
from runtime.db import Database
from runtime.deadletter import DeadLetters, Decision
from runtime.failures import Failure, classify
from runtime.messaging import INBOX, UnitOfWork
from runtime.service import Service
from runtime.settings import REPO_ROOT, Settings

ARTICLE = topics.ARTICLE
DLT = ARTICLE.dead_letter
#: Any service's migrations give a probe its inbox table; editorial's will do.
MIGRATIONS = REPO_ROOT / "services" / "editorial" / "migrations"
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
T, D = Failure.TRANSIENT, Failure.DETERMINISTIC


def published(article_id: str, title: str = "Bài thường", sequence: int = 1) -> ArticlePublished:
    return ArticlePublished(
        tenant="hoankiem", article_id=article_id, revision_id=uuid.uuid4().hex, sequence=sequence,
        category="tin-tuc", category_name="Tin tức", slug=article_id, path=f"/tin-tuc/{article_id}",
        title=title, summary="", body_html="<p>x</p>", author="bientap", approved_by="bbt",
        published_at=NOW, updated_at=NOW,
    )  # fmt: skip


class Probe:
    """A handler that records what it applied and fails as the article's title says."""

    def __init__(self) -> None:
        self.applied: list[str] = []
        self.tries: Counter[str] = Counter()

    async def __call__(self, uow: UnitOfWork, event: Any, envelope: Envelope) -> None:
        title = getattr(event, "title", "")
        self.tries[title] += 1
        if title == "schema":  # SQL the schema rejects (SQLite calls it OperationalError)
            await uow.session.execute(text("SELECT * FROM no_such_table"))
        if title == "integrity":  # a constraint this message breaks every time
            row = {"consumer": "x", "event_id": "same", "event_type": "t", "received_at": NOW}
            await uow.session.execute(insert(INBOX).values(**row))
            await uow.session.execute(insert(INBOX).values(**row))
        if title == "outage" and self.tries[title] <= 4:  # more tries than max_attempts
            raise OperationalError("SELECT 1", {}, sqlite3.OperationalError("database is locked"))
        if title == "bug":
            raise RuntimeError("handler bug")
        self.applied.append(envelope.id)


@asynccontextmanager
async def probe(
    settings: Settings, name: str, subscription: Subscription
) -> AsyncIterator[Service]:
    service = Service(name, settings, migrations_dir=MIGRATIONS, subscriptions=[subscription])
    await service.start()
    try:
        yield service
    finally:
        await service.stop()


async def produce(
    settings: Settings, messages: Sequence[tuple[str, bytes | None, bytes, list[tuple[str, bytes]]]]
) -> None:
    """Raw records (topic, key, value, headers), all on partition 0, in this order."""
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers)
    await producer.start()
    try:
        for topic, key, value, headers in messages:
            await producer.send_and_wait(topic, value, key=key, headers=headers, partition=0)
    finally:
        await producer.stop()


def as_record(event: Event, **header_changes: bytes) -> tuple[str, bytes, bytes, list[Any]]:
    envelope = envelope_for(event, source="/tests")
    headers = {k: v.encode() for k, v in envelope.headers().items()}
    headers.update(header_changes)
    topic = topics.topic_of(event).name
    return topic, event.key().encode(), event.model_dump_json().encode(), list(headers.items())


async def read_all(settings: Settings, topic: str, at_least: int) -> list[Any]:
    """Every record of a topic, once at least `at_least` are there."""
    reader = AIOKafkaConsumer(
        topic, bootstrap_servers=settings.kafka_bootstrap_servers,
        auto_offset_reset="earliest", group_id=None, enable_auto_commit=False,
    )  # fmt: skip
    await reader.start()
    records: list[Any] = []
    try:
        deadline = asyncio.get_running_loop().time() + 30
        while asyncio.get_running_loop().time() < deadline:
            batch = await reader.getmany(timeout_ms=500)
            records += [r for rs in batch.values() for r in rs]
            if len(records) >= at_least:
                await asyncio.sleep(0.5)  # and any that would follow them
                batch = await reader.getmany(timeout_ms=500)
                records += [r for rs in batch.values() for r in rs]
                break
    finally:
        await reader.stop()
    return sorted(records, key=lambda r: (r.partition, r.offset))


def ours(record: Any) -> dict[str, str]:
    return {k: v.decode() for k, v in record.headers if k.startswith("dlt_")}


def metric(name: str, labels: Mapping[str, str]) -> float:
    return REGISTRY.get_sample_value(name, dict(labels)) or 0.0


async def test_undecodable_messages_are_parked_as_they_came_and_the_consumer_goes_on(
    settings: Settings,
) -> None:
    handler = Probe()
    sub = Subscription(ARTICLE, {ArticlePublished: handler})
    bad_header = as_record(published("a-1"), ce_type=b"vn.gov.hanoi.portal.\xff\xfe")
    bad_key = (ARTICLE.name, b"\xff\xfe\x00", *as_record(published("a-2"))[2:])
    topic, key, _body, headers = as_record(published("a-3"))
    not_json = (topic, key, b"{not json", headers)  # FastStream would parse it first
    not_utf8 = (topic, key, b'{"tenant": "ho\xe0nkiem"}', headers)
    good = as_record(published("a-4"))
    async with probe(settings, "probe", sub):
        await produce(settings, [bad_header, bad_key, not_json, not_utf8, good])
        good_id = dict(good[3])["ce_id"].decode()
        await eventually(lambda: handler.applied == [good_id], timeout=30)

    parked = await read_all(settings, DLT, 4)
    assert len(parked) == 4
    for record, sent in zip(parked, [bad_header, bad_key, not_json, not_utf8], strict=True):
        # Byte for byte: the key, the value, and the headers first and in their order.
        assert record.key == sent[1]
        assert record.value == sent[2]
        assert list(record.headers[: len(sent[3])]) == sent[3]
        why = ours(record)
        assert why["dlt_consumer"] == "probe" and why["dlt_original_topic"] == ARTICLE.name
        assert why["dlt_original_partition"] == "0"
    reasons = [ours(r)["dlt_reason"] for r in parked]
    assert reasons[0] == "header 'ce_type' is not valid UTF-8"
    assert reasons[1] == "key is not valid UTF-8"
    assert reasons[2].startswith("body is not a valid ArticlePublished")
    assert reasons[3].startswith("body is not a valid ArticlePublished")
    assert [ours(r)["dlt_kind"] for r in parked] == [
        "undecodable", "undecodable", "invalid", "invalid",
    ]  # fmt: skip
    assert [int(ours(r)["dlt_original_offset"]) for r in parked] == [0, 1, 2, 3]
    assert handler.tries == Counter({"Bài thường": 1})  # only the good one reached it


#: Another client writing one batch of three records, the middle one with a header
#: name that is not UTF-8 (aiokafka's own builders refuse to; its Python one encodes
#: names with `.encode`). argv: bootstrap, then the three records' ce_id headers as JSON.
RAW_NAME_PRODUCER = """
import asyncio, json, sys
from aiokafka import AIOKafkaProducer

class RawName(str):
    def encode(self, *args, **kwargs):
        return b"\\xff\\xfeh"

async def main():
    producer = AIOKafkaProducer(bootstrap_servers=sys.argv[1], linger_ms=200)
    await producer.start()
    sent = []
    for n, (key, value, headers) in enumerate(json.loads(sys.argv[2])):
        headers = [(k, v.encode()) for k, v in headers]
        if n == 1:
            headers.append((RawName("x"), b"v"))
        sent.append(await producer.send(
            "portal.content.article.v1", value.encode(), key=key.encode(), headers=headers,
            partition=0))
    print([(await f).offset for f in sent])
    await producer.stop()

asyncio.run(main())
"""


async def test_a_header_name_that_is_not_utf8_is_parked_and_the_batch_around_it_applied(
    settings: Settings,
) -> None:
    handler = Probe()
    sub = Subscription(ARTICLE, {ArticlePublished: handler})
    records = [as_record(published(f"n-{n}")) for n in range(3)]
    ids = [dict(r[3])["ce_id"].decode() for r in records]
    batch = [
        (key.decode(), value.decode(), [(k, v.decode()) for k, v in headers])
        for _topic, key, value, headers in records
    ]
    async with probe(settings, "probe", sub):
        env = {**os.environ, "AIOKAFKA_NO_EXTENSIONS": "1"}
        bootstrap = settings.kafka_bootstrap_servers or ""
        producer = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-c", RAW_NAME_PRODUCER, bootstrap, json.dumps(batch)],
            env=env, capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        assert producer.stdout.strip() == "[0, 1, 2]"  # one batch, on partition 0
        await eventually(lambda: handler.applied == [ids[0], ids[2]], timeout=30)

    (parked,) = await read_all(settings, DLT, 1)
    assert ours(parked)["dlt_kind"] == "undecodable"
    assert ours(parked)["dlt_reason"] == "header name b'\\xff\\xfeh' is not valid UTF-8"
    assert parked.key == records[1][1] and parked.value == records[1][2]
    assert list(parked.headers[: len(records[1][3]) + 1]) == [
        *records[1][3],
        ("dlt_header_name_hex:fffe68", b"v"),
    ]


async def test_failures_the_message_causes_are_parked_and_outages_are_waited_out(
    settings: Settings,
) -> None:
    assert settings.consumer_max_attempts == 3
    handler = Probe()
    sub = Subscription(ARTICLE, {ArticlePublished: handler})
    titles = ["schema", "integrity", "outage", "bug", "last"]
    records = [as_record(published(f"b-{n}", title)) for n, title in enumerate(titles)]
    async with probe(settings, "probe", sub):
        await produce(settings, records)
        last_id = dict(records[-1][3])["ce_id"].decode()
        await eventually(lambda: last_id in handler.applied, timeout=60)

    parked = await read_all(settings, DLT, 3)
    by_title = {json.loads(r.value)["title"]: ours(r) for r in parked}
    assert sorted(by_title) == ["bug", "integrity", "schema"]
    # The same every time: a second try, at once, then parked; not counted as an
    # outage (SQLite reports "no such table" as OperationalError) and retried forever.
    for title in ("schema", "integrity"):
        assert by_title[title]["dlt_kind"] == "deterministic", by_title[title]
        assert by_title[title]["dlt_attempts"] == "2"
        assert handler.tries[title] == 2
    assert "IntegrityError" in by_title["integrity"]["dlt_error"]
    # Unknown: the configured number of tries.
    assert by_title["bug"]["dlt_kind"] == "exhausted"
    assert by_title["bug"]["dlt_attempts"] == "3" and handler.tries["bug"] == 3
    assert "failed 3 times: RuntimeError: handler bug" in by_title["bug"]["dlt_reason"]
    # An outage outlasting max_attempts is waited out, and the event applied, once.
    assert handler.tries["outage"] == 5
    assert dict(records[2][3])["ce_id"].decode() in handler.applied


async def test_an_unknown_type_is_parked_until_the_upgrade_then_replayed_and_applied_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The old build of "probe" knows the topic without ArticlePublished (say it came
    # with a later contract); "witness" is already upgraded and applies it at once.
    old_contract = replace(ARTICLE, events=(RevisionSubmitted, ArticleWithdrawn))
    old, witness, new = Probe(), Probe(), Probe()
    labels = {"service": "probe", "topic": ARTICLE.name}
    unknown_before = metric("portal_events_unknown_type_total", labels)
    newer = as_record(published("c-1", "Bài của phiên bản mới"))
    newer_id = dict(newer[3])["ce_id"].decode()
    submitted = RevisionSubmitted(
        tenant="hoankiem", article_id="c-2", revision_id="r", revision_number=1,
        category="tin-tuc", title="t", summary="", body_html="", author="a",
        submitted_by="b", submitted_at=NOW,
    )  # fmt: skip
    withdrawn = ArticleWithdrawn(
        tenant="hoankiem", article_id="c-3", sequence=1, path="/tin-tuc/c-3", reason="r",
        withdrawn_by="bbt", withdrawn_at=NOW,
    )  # fmt: skip
    async with (
        probe(settings, "probe", Subscription(old_contract, {ArticleWithdrawn: old})),
        probe(settings, "witness", Subscription(ARTICLE, {ArticlePublished: witness})),
    ):
        await produce(settings, [newer, as_record(submitted), as_record(withdrawn)])
        # Later events go on; a type it knows but does not handle is no reason to park.
        await eventually(lambda: len(old.applied) == 1 and witness.applied == [newer_id])
        parked = await read_all(settings, DLT, 1)
    assert len(parked) == 1
    assert parked[0].value == newer[2] and ours(parked[0])["dlt_kind"] == "unknown_type"
    assert (
        "unknown event type 'vn.gov.hanoi.portal.content.ArticlePublished.v1'"
        in (ours(parked[0])["dlt_reason"])
    )
    assert metric("portal_events_unknown_type_total", labels) - unknown_before == 1

    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", settings.kafka_bootstrap_servers or "")
    assert await asyncio.to_thread(cli.main, ["dlt", "list"]) == 0
    listing = capsys.readouterr().out
    assert f"{DLT}: 1 tin đang bị gác lại" in listing
    assert "unknown event type" in listing and f"{ARTICLE.name}/0/0" in listing

    # The upgrade: probe's new build (same group, same inbox) and witness run; replay.
    async with (
        probe(settings, "probe", Subscription(ARTICLE, {ArticlePublished: new})),
        probe(settings, "witness", Subscription(ARTICLE, {ArticlePublished: witness})),
    ):
        command = ["dlt", "replay", "--topic", ARTICLE.name, "--reason-contains", "unknown event"]
        assert await asyncio.to_thread(cli.main, [*command, "--dry-run"]) == 0
        assert "sẽ gửi lại 1" in capsys.readouterr().out
        assert await asyncio.to_thread(cli.main, command) == 0
        assert "đã gửi lại 1" in capsys.readouterr().out
        await eventually(lambda: new.applied == [newer_id], timeout=30)
        # Once more: nothing left to send, the first replay's position was committed.
        assert await asyncio.to_thread(cli.main, command) == 0
        assert "đã gửi lại 0" in capsys.readouterr().out

        async def witness_dropped_it() -> bool:
            async with service_db(settings, "witness") as db_count:
                return (
                    await db_count(newer_id) == 1
                    and metric(
                        "portal_events_consumed_total",
                        {"service": "witness", "topic": ARTICLE.name, "outcome": "duplicate"},
                    )
                    >= 1
                )

        await eventually(witness_dropped_it, timeout=30)
        await asyncio.sleep(1)
    # Applied once by each: the one that parked it, and the one that had it already.
    assert new.applied == [newer_id] and witness.applied == [newer_id]
    article = await read_all(settings, ARTICLE.name, 4)
    replayed = [r for r in article if dict(r.headers).get("dlt_replayed_from")]
    assert len(replayed) == 1
    assert replayed[0].key == newer[1] and replayed[0].value == newer[2]
    assert list(replayed[0].headers[: len(newer[3])]) == newer[3]
    assert dict(replayed[0].headers)["dlt_replayed_from"] == f"{DLT}/0/0".encode()
    assert await asyncio.to_thread(cli.main, ["dlt", "list", "--topic", DLT]) == 0
    assert f"{DLT}: 0 tin đang bị gác lại" in capsys.readouterr().out


@asynccontextmanager
async def service_db(settings: Settings, name: str) -> AsyncIterator[Any]:
    db = Database(name, settings)

    async def count(event_id: str) -> int:
        async with db.read() as session:
            return int(
                await session.scalar(
                    select(func.count()).select_from(INBOX).where(INBOX.c.event_id == event_id)
                )
                or 0
            )

    try:
        yield count
    finally:
        await db.dispose()


async def test_replay_keeps_what_it_does_not_send_and_never_shadows_a_newer_state(
    settings: Settings,
) -> None:
    handler = Probe()
    sub = Subscription(topics.TENANT, {TenantUpserted: handler})

    def tenant(slug: str, sequence: int, name: str = "Phường Hoàn Kiếm") -> TenantUpserted:
        return TenantUpserted(
            tenant=slug, kind="ward", name=name, domain=f"{slug}.hanoi.gov.vn", languages=["vi"],
            parent="hanoi", owner=slug, sequence=sequence,
        )  # fmt: skip

    def broken(event: TenantUpserted) -> tuple[str, bytes, bytes, list[Any]]:
        _topic, key, body, headers = as_record(event)
        bad = json.loads(body) | {"languages": []}  # min_length=1: invalid
        return topics.TENANT.name, key, json.dumps(bad).encode(), headers

    async with probe(settings, "probe", sub):
        await produce(
            settings,
            [
                broken(tenant("hoankiem", 1)),  # parked, then superseded by the next
                as_record(tenant("hoankiem", 2)),
                broken(tenant("badinh", 1)),  # parked, the newest of its key
            ],
        )
        await eventually(lambda: len(handler.applied) == 1)
        await read_all(settings, topics.TENANT.dead_letter, 2)
        await produce(settings, [broken(tenant("tayho", 1))])
        await read_all(settings, topics.TENANT.dead_letter, 3)

    bootstrap = settings.kafka_bootstrap_servers or ""
    async with DeadLetters(bootstrap) as letters:
        first = await letters.replay(topics.TENANT.name, reason_contains="ZZZ nothing")
        assert [s.decision for s in first.plan.steps] == [Decision.REQUEUE] * 3
        # Kept: still parked after that replay (put back at the end), and listed.
        assert len(await letters.parked(topics.TENANT.dead_letter)) == 3
        second = await letters.replay(topics.TENANT.dead_letter)
        decisions = {
            json.loads(s.parked.value)["tenant"]: (s.decision, s.note) for s in second.plan.steps
        }
        assert decisions["hoankiem"][0] is Decision.SETTLE
        assert "superseded" in decisions["hoankiem"][1]
        assert decisions["badinh"] == (Decision.SEND, "")
        assert decisions["tayho"] == (Decision.SEND, "")
        assert await letters.parked(topics.TENANT.dead_letter) == []
        assert len(await letters.parked(topics.TENANT.dead_letter, everything=True)) == 6
    tenant_log = await read_all(settings, topics.TENANT.name, 6)
    replayed = [json.loads(r.value)["tenant"] for r in tenant_log if r.offset >= 4]
    assert sorted(replayed) == ["badinh", "tayho"]


async def test_the_databases_own_errors_are_classified_as_what_they_are(
    settings: Settings, tmp_path: Path
) -> None:
    db = Database("probe", settings)
    await migrations.upgrade(db, MIGRATIONS)
    row = {"consumer": "c", "event_id": "e", "event_type": "t", "received_at": NOW}

    async def failure(*statements: Any, session: Any = None) -> Failure:
        own = session is None
        session = session or db.session()
        try:
            for statement in statements:
                await session.execute(statement)
        except Exception as exc:
            return classify(exc)
        finally:
            await session.rollback()
            if own:
                await session.close()
        raise AssertionError("no error")

    try:
        assert await failure(insert(INBOX).values(**row), insert(INBOX).values(**row)) is D
        assert await failure(text("SELECT * FROM no_such_table")) is D
        assert await failure(text("SELECT no_such_column FROM inbox")) is D
        if db.is_postgres:
            too_long = insert(INBOX).values(**{**row, "event_id": "x" * 65})
            assert await failure(too_long) is D
            assert await failure(text("SELECT 'mười'::integer")) is D
        # Another writer holds the lock: a moment's wait, not the message's fault.
        async with db.session() as holder:
            await holder.execute(insert(INBOX).values(**row))
            await holder.flush()
            if db.is_postgres:
                async with db.session() as waiter:
                    await waiter.execute(text("SET LOCAL lock_timeout = '100ms'"))
                    blocked = insert(INBOX).values(**row)
                    assert await failure(blocked, session=waiter) is T
            else:
                impatient = create_async_engine(db.url, connect_args={"timeout": 0.1})
                try:
                    async with impatient.connect() as conn:
                        assert await failure(text("BEGIN IMMEDIATE"), session=conn) is T
                finally:
                    await impatient.dispose()
            await holder.rollback()
    finally:
        await db.dispose()
    # The database away altogether.
    if settings.uses_postgres:
        away = settings.with_overrides(database_url=_closed_port_url(settings.database_url or ""))
    else:
        away = settings.with_overrides(data_dir=tmp_path / "gone")
    gone = Database("probe", away)
    if not gone.is_postgres:
        (tmp_path / "gone").rmdir()  # its folder is gone: the file cannot be opened
    try:
        assert await failure_of(gone) is T
    finally:
        await gone.dispose()


async def failure_of(db: Database) -> Failure:
    try:
        async with db.session() as session:
            await session.execute(text("SELECT 1"))
    except Exception as exc:
        return classify(exc)
    raise AssertionError("no error")


def _closed_port_url(url: str) -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return make_url(url).set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
