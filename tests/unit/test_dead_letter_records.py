"""What a dead letter carries and what a replay does with each (runtime/deadletter.py,
the parts without Kafka)."""

from __future__ import annotations

from datetime import UTC, datetime

from runtime.deadletter import (
    Decision,
    Kind,
    Parked,
    parked_headers,
    plan_replay,
    replay_headers,
    undecodable,
)

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
TOPIC = "portal.content.article.v1"
DLT = TOPIC + ".dlt"
CE = [("ce_id", b"e-1"), ("ce_type", b"vn.gov.hanoi.portal.content.ArticleFeatured.v1")]


def test_undecodable_names_the_key_or_the_header_that_is_not_utf8() -> None:
    assert undecodable(b"article-1", [("ce_id", "mã-1".encode())]) is None
    assert undecodable(None, [("traceparent", None)]) is None
    assert undecodable(b"\xff\xfe", CE) == "key is not valid UTF-8"
    assert (
        undecodable(b"k", [*CE, ("tenant", b"ho\xe0nkiem")]) == "header 'tenant' is not valid UTF-8"
    )


def dead_letter(
    *,
    offset: int = 0,
    consumer: str = "renderer",
    kind: Kind = Kind.UNKNOWN_TYPE,
    reason: str = "unknown event type 'ArticleFeatured'",
    original_offset: int = 17,
    original_topic: str = TOPIC,
    headers: list[tuple[str, bytes]] | None = None,
    key: bytes | None = b"a-1",
) -> Parked:
    return Parked(
        topic=DLT,
        partition=0,
        offset=offset,
        timestamp=1_796_000_000_000,
        key=key,
        value=b'{"tenant":"hoankiem"}',
        headers=parked_headers(
            CE if headers is None else headers,
            kind=kind,
            reason=reason,
            error=None,
            attempts=0,
            consumer=consumer,
            topic=original_topic,
            partition=2,
            offset=original_offset,
            timestamp=1_795_999_999_000,
            now=NOW,
        ),
    )


def test_a_dead_letter_keeps_the_headers_as_they_came_and_says_why() -> None:
    raw = [("ce_id", b"e-1"), ("tenant", b"\xff\xfe"), ("tenant", b"again"), ("nil", None)]
    headers = parked_headers(
        raw,
        kind=Kind.UNDECODABLE,
        reason="header 'tenant' is not valid UTF-8",
        error=None,
        attempts=0,
        consumer="search",
        topic=TOPIC,
        partition=1,
        offset=41,
        timestamp=123,
        now=NOW,
    )
    # The message's own headers first, byte for byte, repeated names and all.
    assert headers[:4] == [
        ("ce_id", b"e-1"),
        ("tenant", b"\xff\xfe"),
        ("tenant", b"again"),
        ("nil", b""),
    ]
    ours = dict(headers[4:])
    assert ours["dlt_kind"] == b"undecodable"
    assert ours["dlt_reason"] == ours["dlt_error"] == b"header 'tenant' is not valid UTF-8"
    assert ours["dlt_consumer"] == b"search"
    assert (ours["dlt_original_topic"], ours["dlt_original_partition"]) == (TOPIC.encode(), b"1")
    assert ours["dlt_original_offset"] == b"41"
    assert ours["dlt_parked_at"] == NOW.isoformat().encode()


def test_parking_a_replayed_message_again_does_not_repeat_our_headers() -> None:
    first = dead_letter()
    replayed = replay_headers(first, NOW)
    again = parked_headers(
        replayed, kind=Kind.UNKNOWN_TYPE, reason="still unknown", error=None, attempts=0,
        consumer="renderer", topic=TOPIC, partition=2, offset=90, timestamp=1, now=NOW,
    )  # fmt: skip
    names = [k for k, _ in again]
    assert len(names) == len(set(names))
    assert dict(again)["dlt_replayed_from"] == f"{DLT}/0/0".encode()
    assert dict(again)["dlt_original_offset"] == b"90"


def test_a_replayed_message_has_its_own_headers_and_where_it_was_replayed_from() -> None:
    parked = dead_letter(offset=5)
    headers = replay_headers(parked, NOW)
    assert [k for k, _ in headers] == ["ce_id", "ce_type", "dlt_replayed_from", "dlt_replayed_at"]
    assert headers[: len(CE)] == CE
    assert dict(headers)["dlt_replayed_from"] == f"{DLT}/0/5".encode()
    assert dict(headers)["dlt_replayed_at"] == NOW.isoformat().encode()


def test_what_a_dead_letter_says_about_itself() -> None:
    parked = dead_letter(offset=3)
    assert parked.kind == Kind.UNKNOWN_TYPE
    assert parked.consumer == "renderer"
    assert parked.home == parked.original_topic == TOPIC
    assert (parked.original_partition, parked.original_offset) == (2, 17)
    assert parked.identity == f"{TOPIC}/2/17"
    assert parked.parked_at == NOW
    assert parked.summary()["ce_type"].endswith("ArticleFeatured.v1")
    # One from before dlt_reason: its reason is dlt_error.
    old = Parked(DLT, 0, 9, 1_796_000_000_000, b"k", b"{}", [("dlt_error", b"ValueError: x")])
    assert old.reason == "ValueError: x"
    assert old.parked_at == datetime.fromtimestamp(1_796_000_000, UTC)


def test_replay_sends_each_message_once_however_many_consumers_parked_it() -> None:
    renderer = dead_letter(offset=0, consumer="renderer")
    search = dead_letter(offset=1, consumer="search")
    other = dead_letter(offset=2, original_offset=18)
    plan = plan_replay([renderer, search, other])
    assert [s.decision for s in plan.steps] == [Decision.SEND, Decision.SETTLE, Decision.SEND]
    # And across chunks of one run.
    sent = {renderer.identity}
    assert plan_replay([search], sent=sent).steps[0].decision is Decision.SETTLE


def test_replay_leaves_parked_what_the_filters_do_not_choose() -> None:
    unknown = dead_letter(offset=0)
    invalid = dead_letter(
        offset=1, kind=Kind.INVALID, reason="body is not a valid ArticlePublished"
    )
    plan = plan_replay([unknown, invalid], reason_contains="UNKNOWN EVENT TYPE")
    assert [s.decision for s in plan.steps] == [Decision.SEND, Decision.REQUEUE]
    plan = plan_replay([unknown, invalid], consumer="search")
    assert [s.decision for s in plan.steps] == [Decision.REQUEUE, Decision.REQUEUE]


def test_replay_sends_only_to_the_dead_letter_topics_own_topic() -> None:
    forged = dead_letter(original_topic="portal.admin.tenant.v1")
    (step,) = plan_replay([forged]).steps
    assert step.decision is Decision.REQUEUE
    assert "another topic" in step.note


def test_replay_settles_the_relays_notices_of_parked_outbox_rows() -> None:
    headers = [("ce_id", b"e-9"), ("dlt_reason", b"parked: too large")]
    notice = Parked(DLT, 0, 4, 1, b"a-1", b"", [*headers, ("dlt_source", b"outbox:content")])
    assert notice.kind == Kind.OUTBOX
    (step,) = plan_replay([notice]).steps
    assert step.decision is Decision.SETTLE
