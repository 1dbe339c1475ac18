"""The shared limiter (runtime/ratelimit.py) in memory and, with REDIS_URL, in Redis;
the client address behind the gateway (runtime/clientip.py)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator

import pytest

from runtime.clientip import bucket, client_address, client_key, parse, trusted
from runtime.ratelimit import BoundedMemoryStorage, Limiter, rules
from runtime.settings import Settings

REDIS_URL = os.environ.get("REDIS_URL")


def settings(redis_url: str | None) -> Settings:
    return Settings().with_overrides(
        redis_url=redis_url, schema_prefix=f"t{uuid.uuid4().hex[:8]}_", auth_secret="s" * 32
    )


@pytest.fixture(params=["memory", "redis"])
async def limiter(request: pytest.FixtureRequest) -> AsyncIterator[Limiter]:
    if request.param == "redis" and not REDIS_URL:
        pytest.skip("REDIS_URL is not set")
    made = Limiter(settings(REDIS_URL if request.param == "redis" else None), "test")
    yield made
    await made.close()


async def test_events_are_let_through_up_to_each_limit(limiter: Limiter) -> None:
    limits = rules("3 per 10 seconds; 4 per day")
    answers = [await limiter.hit(limits, "ip", "192.0.2.1") for _ in range(3)]
    assert answers == [None, None, None]
    wait = await limiter.hit(limits, "ip", "192.0.2.1")
    assert wait is not None and 1 <= wait <= 10
    # Another key is counted on its own.
    assert await limiter.hit(limits, "ip", "192.0.2.2") is None


async def test_a_refused_event_counts_nothing(limiter: Limiter) -> None:
    """The day's fourth place stays free while the ten-second window is full."""
    limits = rules("2 per 2 seconds; 3 per day")
    assert await limiter.hit(limits, "ip", "192.0.2.3") is None
    assert await limiter.hit(limits, "ip", "192.0.2.3") is None
    for _ in range(5):
        assert await limiter.hit(limits, "ip", "192.0.2.3") in (1, 2)
    await asyncio.sleep(2.1)
    assert await limiter.hit(limits, "ip", "192.0.2.3") is None  # the third of the day
    wait = await limiter.hit(limits, "ip", "192.0.2.3")
    assert wait is not None and wait > 80_000  # the day is what is full now


async def test_full_looks_without_counting(limiter: Limiter) -> None:
    limits = rules("2 per minute")
    for _ in range(5):
        assert await limiter.full(limits, "token", "192.0.2.4") is None
    await limiter.hit(limits, "token", "192.0.2.4")
    await limiter.hit(limits, "token", "192.0.2.4")
    wait = await limiter.full(limits, "token", "192.0.2.4")
    assert wait is not None and 55 <= wait <= 60


@pytest.mark.skipif(not REDIS_URL, reason="REDIS_URL is not set")
async def test_redis_keys_expire_and_hide_what_they_count() -> None:
    from redis.asyncio import Redis

    made = Limiter(settings(REDIS_URL), "test")
    redis = Redis.from_url(REDIS_URL)
    try:
        await made.hit(rules("5 per minute; 9 per hour"), "email", "an@example.vn")
        keys = [k.decode() async for k in redis.scan_iter(match=made.key_prefix + ":*")]
        assert len(keys) == 2
        ttls = sorted([await redis.ttl(k) for k in keys])
        assert 0 < ttls[0] <= 60 and 60 < ttls[1] <= 3600
        assert not any("an@example.vn" in k for k in keys)
        await redis.delete(*keys)
    finally:
        await redis.aclose()
        await made.close()


async def test_a_dead_redis_lets_requests_through() -> None:
    made = Limiter(settings("redis://127.0.0.1:1/0"), "test")
    try:
        limits = rules("1 per minute")
        assert [await made.hit(limits, "ip", "192.0.2.9") for _ in range(3)] == [None] * 3
        assert await made.full(limits, "ip", "192.0.2.9") is None
    finally:
        await made.close()


async def test_memory_keeps_a_bounded_number_of_keys() -> None:
    storage = BoundedMemoryStorage(max_keys=100)
    for i in range(1000):
        assert await storage.acquire_entry(f"k{i}", limit=2, expiry=60)
    assert len(storage.windows) == 100
    assert "k999" in storage.windows and "k0" not in storage.windows
    # A key keeps only its events inside the window, at most the limit's count.
    assert await storage.acquire_entry("k999", limit=2, expiry=60)
    assert not await storage.acquire_entry("k999", limit=2, expiry=60)
    assert len(storage.windows["k999"]) == 2


def test_limits_are_written_as_people_say_them() -> None:
    [ten, day] = rules("10 per 10 minutes; 50 per day")
    assert (ten.amount, ten.get_expiry()) == (10, 600)
    assert (day.amount, day.get_expiry()) == (50, 86_400)
    with pytest.raises(ValueError, match="couldn't parse"):
        rules("mười lần mỗi phút")


# --- the client's address ----------------------------------------------------------


def scope(peer: str, *forwarded: str) -> dict:
    return {
        "client": (peer, 50000),
        "headers": [(b"host", b"x"), *[(b"x-forwarded-for", f.encode()) for f in forwarded]],
    }


LOOPBACK = "127.0.0.1,::1"


def test_the_gateway_hop_is_believed_from_the_gateway() -> None:
    assert str(client_address(scope("127.0.0.1", "203.0.113.5"), LOOPBACK)) == "203.0.113.5"


def test_what_the_client_wrote_before_the_gateway_hop_is_ignored() -> None:
    forged = scope("127.0.0.1", "198.51.100.1, 198.51.100.2", "203.0.113.5")
    assert str(client_address(forged, LOOPBACK)) == "203.0.113.5"
    one_line = scope("127.0.0.1", "198.51.100.1, 203.0.113.5")
    assert str(client_address(one_line, LOOPBACK)) == "203.0.113.5"


def test_the_header_is_ignored_from_anyone_but_a_trusted_proxy() -> None:
    direct = scope("203.0.113.9", "198.51.100.1")
    assert str(client_address(direct, LOOPBACK)) == "203.0.113.9"


def test_a_client_whose_address_looks_like_a_proxy_cannot_choose_another() -> None:
    """A citizen on the intranet (10.x, inside the trusted ranges) writes a hop before
    the one the ingress controller appended: theirs is the one that counts."""
    forged = scope("10.0.0.5", "203.0.113.5, 10.0.0.7")
    assert str(client_address(forged, "10.0.0.0/8")) == "10.0.0.7"
    assert str(client_address(forged, "*")) == "10.0.0.7"


def test_an_unreadable_last_hop_counts_the_proxy() -> None:
    assert str(client_address(scope("127.0.0.1", "unknown"), LOOPBACK)) == "127.0.0.1"
    assert str(client_address(scope("127.0.0.1", "<script>"), LOOPBACK)) == "127.0.0.1"


@pytest.mark.parametrize(
    ("text", "address"),
    [("203.0.113.5", "203.0.113.5"), ("203.0.113.5:4711", "203.0.113.5"),
     ("[2001:db8::1]:443", "2001:db8::1"), ("2001:db8::1", "2001:db8::1"),
     ("::ffff:203.0.113.5", "203.0.113.5"), (" 203.0.113.5 ", "203.0.113.5"),
     ("tên-máy", None), ("", None), ("999.1.1.1", None)],
)  # fmt: skip
def test_hops_are_parsed(text: str, address: str | None) -> None:
    parsed = parse(text)
    assert (str(parsed) if parsed else None) == address


def test_ipv6_clients_count_by_their_64() -> None:
    a = client_key(scope("127.0.0.1", "2001:db8:1:2::aaaa"), LOOPBACK)
    b = client_key(scope("127.0.0.1", "2001:db8:1:2:ffff::1"), LOOPBACK)
    assert a == b == "2001:db8:1:2::/64"
    assert bucket(parse("203.0.113.5")) == "203.0.113.5"
    assert bucket(None) == "unknown"


def test_trusted_lists_ignore_names() -> None:
    parsed = trusted("127.0.0.1, localhost, 10.0.0.0/8")
    assert parse("10.1.2.3") in parsed
    assert parse("203.0.113.5") not in parsed
