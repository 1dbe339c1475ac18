"""How often anyone may try to log in, so that passwords cannot be guessed at speed and
an account's lockout cannot be used to keep its owner out.

Three limits on failed attempts (a right password costs nobody anything), counted in
Redis (or this process) by runtime.ratelimit, none of which an administrator's
"unlock" clears:
- failures from one client address (whatever account they name);
- failures against one account from devices that never logged into it: the guesser's
  budget, shared by all their addresses;
- failures from one known device: a browser that logged into the account before
  carries a signed device token, is not stopped by the account's lockout (which only
  strangers can trigger) and is limited on its own.

Hashing is bounded too: argon2 takes 64 MiB per check, so only a few run at once in a
process and the rest wait briefly, then get 503 (see account_commands).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from runtime.ratelimit import Limiter, Rule, rules
from runtime.settings import Settings

#: Failures from one address (an office behind one NAT mistypes a few times a day).
PER_ADDRESS = rules("30 per 10 minutes; 300 per day")
#: Failures on one account from unknown devices, from all addresses together.
PER_ACCOUNT = rules("10 per hour; 30 per day")
#: Failures from one known device.
PER_DEVICE = rules("10 per 15 minutes; 50 per day")
#: How long a device stays known after its last login.
DEVICE_DAYS = 180

DEVICE_HEADER = "Login-Device"


class TooMany(Exception):
    def __init__(self, retry_after: int, message: str) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.message = message


def _minutes(seconds: int) -> str:
    return f"{max(1, -(-seconds // 60))} phút"


@dataclass
class Throttle:
    limiter: Limiter
    secret: bytes

    @classmethod
    def create(cls, settings: Settings) -> Throttle:
        key = hashlib.blake2b(
            (settings.auth_secret or "portal").encode(), person=b"login-device", digest_size=32
        ).digest()
        return cls(Limiter(settings, "login"), key)

    # --- device tokens: "<device id>.<expiry>.<mac over username, id, expiry>"

    def device_token(self, username: str, device: str | None = None) -> str:
        device = device or secrets.token_urlsafe(12)
        expires = int(time.time()) + DEVICE_DAYS * 86400
        return f"{device}.{expires}.{self._mac(username, device, expires)}"

    def known_device(self, token: str | None, username: str) -> str | None:
        """The device id if `token` was issued to this account's login and is current."""
        if not token or len(token) > 200:
            return None
        parts = token.split(".")
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        device, expires, mac = parts[0], int(parts[1]), parts[2]
        if expires < time.time():
            return None
        if not hmac.compare_digest(mac, self._mac(username, device, expires)):
            return None
        return device

    def _mac(self, username: str, device: str, expires: int) -> str:
        message = f"{username.casefold()}\n{device}\n{expires}".encode()
        digest = hmac.new(self.secret, message, hashlib.sha256).digest()[:18]
        return base64.urlsafe_b64encode(digest).decode()

    # --- limits

    async def before_attempt(self, address: str, username: str, device: str | None) -> None:
        """TooMany if this attempt may not even be checked (nothing is counted here)."""
        wait = await self.limiter.full(PER_ADDRESS, "address", address)
        if wait is not None:
            raise TooMany(
                wait,
                "Có quá nhiều lần đăng nhập từ địa chỉ này. "
                f"Vui lòng thử lại sau {_minutes(wait)}.",
            )
        rule, name, value = self._failures(username, device)
        wait = await self.limiter.full(rule, name, value)
        if wait is not None:
            raise TooMany(
                wait,
                "Tài khoản này bị thử đăng nhập sai quá nhiều lần. "
                f"Vui lòng thử lại sau {_minutes(wait)}, hoặc đăng nhập từ thiết bị "
                "bạn vẫn thường dùng.",
            )

    async def failed(self, address: str, username: str, device: str | None) -> None:
        await self.limiter.hit(PER_ADDRESS, "address", address)
        rule, name, value = self._failures(username, device)
        await self.limiter.hit(rule, name, value)

    def _failures(self, username: str, device: str | None) -> tuple[tuple[Rule, ...], str, str]:
        if device is not None:
            return PER_DEVICE, "device", f"{username.casefold()}\n{device}"
        return PER_ACCOUNT, "account", username.casefold()

    async def close(self) -> None:
        await self.limiter.close()
