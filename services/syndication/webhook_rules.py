"""Rules of the partners' webhooks with no I/O: when a message is tried again and when
it is dead, what a receiver's answer means, the secrets, the signed headers of one
delivery (Standard Webhooks, https://www.standardwebhooks.com/), and the bounds of a
webhook's URL. Signing is `standardwebhooks.Webhook.sign`: the receivers verify with the
same package, so we never hand-write the HMAC.
"""

from __future__ import annotations

import base64
import enum
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from standardwebhooks import Webhook

#: Standard Webhooks' secret prefix; the rest is base64 of the key bytes.
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
SECRET_BYTES = 32
#: A rotated-out secret keeps signing beside the new one this long, so a receiver can
#: switch over without dropping a message.
ROTATION_OVERLAP = timedelta(hours=24)
MAX_URL = 2000
#: A retry waits up to this fraction more than its schedule says, so the messages of a
#: receiver that came back are not all retried in the same instant.
JITTER = 0.1
#: What of a receiver's error answer is kept in the delivery log.
MAX_ERROR = 500


class UrlRefused(ValueError):
    """A webhook URL we will not post to; the message is for the operator (Vietnamese)."""


class Outcome(enum.StrEnum):
    delivered = "delivered"
    #: 410 Gone: the receiver says the endpoint is no more; the webhook is disabled.
    gone = "gone"
    retry = "retry"


def outcome(status: int | None) -> Outcome:
    """What a receiver's answer means: 2xx delivered; 410 gone; anything else (another
    4xx or 5xx, a redirect, which is never followed, or no answer: None) is tried again."""
    if status is not None and 200 <= status < 300:
        return Outcome.delivered
    if status == 410:
        return Outcome.gone
    return Outcome.retry


def attempts_allowed(schedule: Sequence[float]) -> int:
    """One attempt per entry of the schedule (at least one)."""
    return max(1, len(schedule))


def is_dead(attempts: int, schedule: Sequence[float]) -> bool:
    """After `attempts` failed attempts, nothing more is tried."""
    return attempts >= attempts_allowed(schedule)


def next_attempt_at(
    attempts: int, schedule: Sequence[float], now: datetime, *, jitter: float = 0.0
) -> datetime | None:
    """When to try again after the `attempts`-th attempt failed at `now`; None when the
    message is dead. `schedule[i]` is the wait before attempt i+1 (the first, normally 0,
    is the enqueue's); `jitter` in [0, 1) adds up to JITTER of the wait."""
    if is_dead(attempts, schedule):
        return None
    wait = max(0.0, float(schedule[attempts]))
    return now + timedelta(seconds=wait * (1 + JITTER * min(max(jitter, 0.0), 1.0)))


def new_secret() -> str:
    """A fresh signing secret: whsec_ and base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signing_secrets(
    secret: str, previous: str | None, previous_until: datetime | None, now: datetime
) -> tuple[str, ...]:
    """The secrets that sign a delivery at `now`: the current one and, during a rotation's
    overlap, the previous one."""
    if previous and previous_until is not None and now < previous_until:
        return (secret, previous)
    return (secret,)


def delivery_headers(
    msg_id: str, body: str, signers: Sequence[Webhook], now: datetime
) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt: the id (the same on every retry and
    replay: receivers dedup on it), the attempt's time (receivers refuse one more than
    five minutes off), and one `v1,` signature per signer, space-separated."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(s.sign(msg_id, now, body) for s in signers),
        "content-type": "application/json",
    }


def error_text(status: int | None, detail: str) -> str:
    """What the delivery log keeps of a failed attempt."""
    head = f"HTTP {status}" if status is not None else "no answer"
    detail = " ".join(detail.split())
    return (f"{head}: {detail}" if detail else head)[:MAX_ERROR]


def url_problem(url: str, *, allow_private: bool) -> str | None:
    """What is wrong with a webhook URL by its text alone (ssrf.py then resolves its
    host); None if nothing. https on port 443 only, unless private targets are allowed (a
    laptop, the tests), where http and any port are too."""
    if not url or len(url) > MAX_URL:
        return f"Địa chỉ webhook phải có từ 1 đến {MAX_URL} ký tự."
    if any(ord(c) <= 32 or ord(c) == 127 for c in url):
        return "Địa chỉ webhook không được chứa khoảng trắng hay ký tự điều khiển."
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "Địa chỉ webhook không hợp lệ."
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        return "Địa chỉ webhook phải dùng https://."
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return "Địa chỉ webhook không được chứa tên đăng nhập hay mật khẩu."
    if not parts.hostname:
        return "Địa chỉ webhook thiếu tên máy chủ."
    if port == 0:
        return "Cổng (port) của địa chỉ webhook không hợp lệ."
    if not allow_private and port not in (None, 443):
        # Production egress opens 443 only: another port could never be reached (every
        # message would end dead) and would let a partner's URL probe other services.
        return "Địa chỉ webhook phải dùng cổng 443 của https (không ghi cổng khác)."
    if parts.fragment:
        return "Địa chỉ webhook không được có phần #."
    return None
