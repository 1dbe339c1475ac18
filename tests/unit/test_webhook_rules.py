"""The webhook rules (services/syndication/webhook_rules.py): the retry schedule and
dead letters, what an answer means, secrets, the signed headers (checked with the
`standardwebhooks` package a receiver would use), and the URL's bounds."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from services.syndication.webhook_rules import (
    MAX_URL,
    ROTATION_OVERLAP,
    Outcome,
    delivery_headers,
    error_text,
    is_dead,
    new_secret,
    next_attempt_at,
    outcome,
    signing_secrets,
    url_problem,
)

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
SCHEDULE = (0.0, 5.0, 300.0)
BODY = json.dumps(
    {"type": "article.published", "timestamp": NOW.isoformat(), "data": {"title": "Tin mới"}},
    ensure_ascii=False,
)


def test_each_failed_attempt_waits_its_schedule_then_the_message_is_dead() -> None:
    assert next_attempt_at(1, SCHEDULE, NOW) == NOW + timedelta(seconds=5)
    assert next_attempt_at(2, SCHEDULE, NOW) == NOW + timedelta(seconds=300)
    assert next_attempt_at(3, SCHEDULE, NOW) is None
    assert not is_dead(2, SCHEDULE)
    assert is_dead(3, SCHEDULE)


def test_jitter_only_lengthens_a_wait_and_by_a_tenth_at_most() -> None:
    base = next_attempt_at(2, SCHEDULE, NOW, jitter=0.0)
    most = next_attempt_at(2, SCHEDULE, NOW, jitter=0.999)
    assert base is not None and most is not None
    assert base <= most <= NOW + timedelta(seconds=330)


def test_an_empty_schedule_still_makes_one_attempt() -> None:
    assert not is_dead(0, ())
    assert next_attempt_at(1, (), NOW) is None


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, Outcome.delivered),
        (204, Outcome.delivered),
        (299, Outcome.delivered),
        (410, Outcome.gone),
        (301, Outcome.retry),
        (400, Outcome.retry),
        (404, Outcome.retry),
        (429, Outcome.retry),
        (500, Outcome.retry),
        (503, Outcome.retry),
        (None, Outcome.retry),
    ],
)
def test_what_an_answer_means(status: int | None, expected: Outcome) -> None:
    assert outcome(status) is expected


def test_secrets_are_whsec_and_32_random_bytes() -> None:
    one, two = new_secret(), new_secret()
    assert one.startswith("whsec_") and one != two
    assert len(base64.b64decode(one.removeprefix("whsec_"))) == 32
    Webhook(one)  # the package takes it as it is


def test_a_delivery_verifies_with_the_standard_package() -> None:
    secret = new_secret()
    headers = delivery_headers("msg_1", BODY, [Webhook(secret)], datetime.now(UTC))
    assert headers["webhook-id"] == "msg_1"
    assert Webhook(secret).verify(BODY.encode(), headers)["data"]["title"] == "Tin mới"
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(BODY.encode(), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY.replace("Tin", "Tín").encode(), headers)


def test_during_a_rotation_both_secrets_sign_and_either_verifies() -> None:
    old, new = new_secret(), new_secret()
    until = NOW + ROTATION_OVERLAP
    assert signing_secrets(new, old, until, NOW) == (new, old)
    assert signing_secrets(new, old, until, until) == (new,)
    assert signing_secrets(new, None, None, NOW) == (new,)
    now = datetime.now(UTC)
    signers = [Webhook(s) for s in signing_secrets(new, old, now + ROTATION_OVERLAP, now)]
    headers = delivery_headers("msg_2", BODY, signers, now)
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert all(s.startswith("v1,") for s in headers["webhook-signature"].split(" "))
    Webhook(old).verify(BODY, headers)
    Webhook(new).verify(BODY, headers)


def test_the_timestamp_is_the_attempts_so_a_late_retry_still_verifies() -> None:
    secret = new_secret()
    now = datetime.now(UTC)
    headers = delivery_headers("msg_3", BODY, [Webhook(secret)], now)
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    stale = delivery_headers("msg_3", BODY, [Webhook(secret)], now - timedelta(minutes=10))
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(BODY, stale)


def test_error_text_is_one_bounded_line() -> None:
    assert error_text(503, "Service\nUnavailable") == "HTTP 503: Service Unavailable"
    assert error_text(None, "") == "no answer"
    assert len(error_text(500, "x" * 10_000)) == 500


@pytest.mark.parametrize(
    "url",
    [
        "",
        "http://doitac.example.vn/hook",
        "ftp://doitac.example.vn/hook",
        "https://user:pass@doitac.example.vn/hook",
        "https://user@doitac.example.vn/hook",
        "https:///hook",
        "https://doitac.example.vn:0/hook",
        "https://doitac.example.vn:99999/hook",
        "https://doitac.example.vn/hook#x",
        "https://doitac.example.vn/ho ok",
        "https://doitac.example.vn/\x00",
        "https://doitac.example.vn/" + "a" * MAX_URL,
        "javascript:alert(1)",
    ],
)
def test_urls_refused_by_their_text(url: str) -> None:
    assert url_problem(url, allow_private=False)


def test_urls_accepted() -> None:
    assert url_problem("https://doitac.example.vn/hook?x=1", allow_private=False) is None
    assert url_problem("https://doitac.example.vn:443/hook", allow_private=False) is None
    # Production egress opens 443 only.
    assert url_problem("https://doitac.example.vn:8443/hook", allow_private=False)
    # http only where private targets are allowed (a laptop, the tests).
    assert url_problem("http://127.0.0.1:9000/hook", allow_private=True) is None
