"""Abuse limits on what anyone may call without an account (no CAPTCHA here).

- Submissions, per client address and per contact (the email and the phone number
  each): a flood from one address, or many addresses writing as one person, is
  refused with 429 before anything is parsed or stored, while everyone else goes on.
- Wrong confirmation or clarification links, and wrong tracking codes, per client
  address: only failures count, so a citizen who opens a right link or looks up a
  right code is never slowed down, while guessing is.

The numbers are here and nowhere else; each can be changed without a release through
an environment variable (PORTAL_FEEDBACK_LIMIT_PER_IP and so on) in the `limits`
notation, `"10 per 10 minutes; 50 per day"`. Per-address limits count an IPv6 client
by its /64 (see runtime.clientip), and stay generous enough for a family or an office
behind one address; the contact limits are the tight ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from runtime.ratelimit import Limiter, Rule, rules


class Limits(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="PORTAL_FEEDBACK_LIMIT_", extra="ignore", frozen=True
    )

    #: Submissions from one client address.
    per_ip: str = "10 per 10 minutes; 50 per day"
    #: Submissions naming one email address, or one phone number.
    per_contact: str = "3 per hour; 10 per day"
    #: Wrong confirmation or clarification links tried from one client address.
    link_failures: str = "20 per 10 minutes; 100 per day"
    #: Wrong or unknown tracking codes looked up from one client address.
    lookup_failures: str = "30 per 10 minutes; 300 per day"

    @field_validator("*")
    @classmethod
    def _parses(cls, value: str) -> str:
        rules(value)  # a typo fails at start-up, not at the first citizen
        return value


class TooMany(Exception):
    """Over a limit: `message` (Vietnamese) and the seconds to wait."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def wait_vi(seconds: int) -> str:
    """How long to wait, as a person says it: “45 giây”, “8 phút”, “3 giờ”."""
    if seconds < 60:
        return f"{max(1, seconds)} giây"
    if seconds < 90 * 60:
        return f"{math.ceil(seconds / 60)} phút"
    return f"{math.ceil(seconds / 3600)} giờ"


def contact_key(email: str | None) -> str | None:
    """One mailbox however it is written: case-folded, without a `+tag` in the local
    part (the same inbox for nearly every provider)."""
    if not email or "@" not in email:
        return None
    local, _, domain = email.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def too_many(what: str, seconds: int) -> TooMany:
    messages = {
        "ip": "Có quá nhiều câu hỏi, phản ánh được gửi từ cùng một địa chỉ mạng trong thời "
        "gian ngắn.",
        "contact": "Địa chỉ email hoặc số điện thoại này đã gửi nhiều câu hỏi, phản ánh trong "
        "thời gian ngắn.",
        "token": "Có quá nhiều lần mở đường dẫn xác nhận hoặc bổ sung không đúng.",
        "lookup": "Có quá nhiều lần tra cứu mã không đúng.",
    }
    return TooMany(f"{messages[what]} Xin thử lại sau {wait_vi(seconds)}.", seconds)


class Guard:
    """The limits of `Limits`, counted by `limiter` (Redis or this process)."""

    def __init__(self, limiter: Limiter, limits: Limits | None = None) -> None:
        self.limiter = limiter
        chosen = limits or Limits()
        self.per_ip = rules(chosen.per_ip)
        self.per_contact = rules(chosen.per_contact)
        self.link_failures = rules(chosen.link_failures)
        self.lookup_failures = rules(chosen.lookup_failures)

    async def before_reading(self, client_ip: str) -> None:
        """TooMany if `client_ip` is already over its submission limit: checked before
        the request's body is read, so a flood of 20 MB forms costs no parsing. Counts
        nothing (admit does, once the fields are read)."""
        wait = await self.limiter.full(self.per_ip, "submit-ip", client_ip)
        if wait is not None:
            raise too_many("ip", wait)

    async def admit(self, client_ip: str, email: str | None, phone: str | None) -> None:
        """Count one submission, or raise TooMany (then nothing is counted for the
        contact: a flood from one address does not lock a citizen out)."""
        wait = await self.limiter.hit(self.per_ip, "submit-ip", client_ip)
        if wait is not None:
            raise too_many("ip", wait)
        named = [("submit-email", contact_key(email)), ("submit-phone", phone)]
        contacts = [(name, value) for name, value in named if value]
        for name, value in contacts:  # look at both before counting either
            wait = await self.limiter.full(self.per_contact, name, value)
            if wait is not None:
                raise too_many("contact", wait)
        for name, value in contacts:
            wait = await self.limiter.hit(self.per_contact, name, value)
            if wait is not None:
                raise too_many("contact", wait)

    async def check(self, what: str, client_ip: str) -> None:
        """Before a link or a code is tried: TooMany if `client_ip` failed too often."""
        wait = await self.limiter.full(self._failures(what), what, client_ip)
        if wait is not None:
            raise too_many(what, wait)

    async def failed(self, what: str, client_ip: str) -> None:
        """A wrong link (`what="token"`) or code (`what="lookup"`) from `client_ip`."""
        await self.limiter.hit(self._failures(what), what, client_ip)

    def _failures(self, what: str) -> Sequence[Rule]:
        return {"token": self.link_failures, "lookup": self.lookup_failures}[what]
