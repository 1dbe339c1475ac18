"""Login hardening for the editors' admin UI: TOTP two-factor, lockout, password rules.

Everything here is pure: the caller reads the stored values (TOTP secret, last
accepted TOTP step, failure counter, lock time), passes them in together with
the current time, and persists what comes back. Keeping the clock and the
database outside makes every rule testable with fixed datetimes.

Messages that people read are in Vietnamese; names and comments are English.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pyotp
import segno

from runtime.auth import Principal, Role

ISSUER = "Cổng TTĐT Hà Nội"
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")

TOTP_INTERVAL = 30  # seconds per step: what every authenticator app assumes
TOTP_DIGITS = 6
# Steps accepted either side of the current one, for phones whose clock drifts.
TOTP_DRIFT_STEPS = 1

MAX_FAILURES = 5
LOCK_MINUTES = 15

MIN_PASSWORD_LENGTH = 12
MIN_CHARACTER_CLASSES = 3

# Lower-cased. Short on purpose: it catches the passwords people actually try
# first here; length and character-class rules do the rest.
COMMON_PASSWORDS = frozenset(
    {
        "123456789012",
        "1234567890123",
        "12345678901234",
        "111111111111",
        "000000000000",
        "abc123456789",
        "abcd12345678",
        "qwertyuiop12",
        "qwerty123456",
        "1q2w3e4r5t6y",
        "password1234",
        "password@123",
        "passw0rd1234",
        "matkhau12345",
        "matkhau@1234",
        "matkhau123456",
        "hanoi1234567",
        "hanoi@123456",
        "vietnam12345",
        "vietnam@1234",
        "admin1234567",
        "admin@123456",
        "administrator",
        "iloveyou1234",
        "welcome12345",
        "congthongtin",
    }
)

_SIX_DIGITS = re.compile(r"[0-9]{6}")


class TotpError(ValueError):
    """A TOTP code was refused; the message is shown to the user as is."""


class LockedOut(Exception):
    """Too many failed logins; no attempt is checked until `until` (UTC)."""

    def __init__(self, until: datetime) -> None:
        self.until = until
        local = until.astimezone(HANOI).strftime("%H:%M")
        super().__init__(
            f"Tài khoản tạm bị khoá do đăng nhập sai {MAX_FAILURES} lần liên tiếp. "
            f"Vui lòng thử lại sau {local}."
        )


def _aware_utc(value: datetime, name: str) -> datetime:
    # A naive datetime would be read in the server's local zone: refuse rather than guess.
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got a naive datetime")
    return value.astimezone(UTC)


# --- TOTP ------------------------------------------------------------------------------------


def totp_required(principal: Principal) -> bool:
    """Board members and above on any tenant, and operators, must use a second factor."""
    if principal.operator:
        return True
    return any(role >= Role.board_member for role in principal.roles.values())


def new_totp_secret() -> str:
    """A fresh random base32 secret (160 bits) to enrol an account."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_INTERVAL).provisioning_uri(
        name=username, issuer_name=ISSUER
    )


def qr_svg(uri: str) -> str:
    """Inline SVG of the QR code for `uri`, ready to embed in the admin page.

    Rendered locally so the secret never goes to an external QR service. A full
    QR code is forced: segno would pick a Micro QR for short data, which
    authenticator apps cannot read.
    """
    return segno.make_qr(uri, error="m").svg_inline(scale=4, title="Mã QR xác thực hai lớp")


def _step_of(moment: datetime) -> int:
    return int(moment.timestamp()) // TOTP_INTERVAL


def check_totp(secret: str, code: str, now: datetime, last_used_step: int | None) -> int:
    """Check a TOTP code and return the step it belongs to; the caller stores that step.

    The current step and one step either side are accepted. A step at or before
    `last_used_step` is refused, so a code seen over someone's shoulder (or
    replayed from a log) cannot be used again, even within its validity window.
    """
    now = _aware_utc(now, "now")
    cleaned = code.replace(" ", "").strip()
    if not _SIX_DIGITS.fullmatch(cleaned):
        raise TotpError("Mã xác thực gồm 6 chữ số.")

    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_INTERVAL)
    current = _step_of(now)
    # Newest first: if a code somehow matched two steps, keep the one that is not a replay.
    candidates = range(current + TOTP_DRIFT_STEPS, current - TOTP_DRIFT_STEPS - 1, -1)
    matched = [
        step
        for step in candidates
        if step >= 0 and hmac.compare_digest(totp.generate_otp(step), cleaned)
    ]
    if not matched:
        raise TotpError("Mã xác thực không đúng hoặc đã hết hạn.")
    step = matched[0]
    if last_used_step is not None and step <= last_used_step:
        raise TotpError("Mã xác thực này đã được dùng, hãy đợi mã mới.")
    return step


def demo_totp_secret(username: str) -> str:
    """A stable TOTP secret derived from the username, for PORTAL_DEMO accounts only.

    Anyone who knows the username can compute it, so it must never be used for a
    real account: it exists so that the demo seeder, the end-to-end tests and
    people trying the demo can log in without scanning a QR code.
    """
    digest = hashlib.sha256(f"portal-demo-totp:{username}".encode()).digest()
    # 20 bytes = 160 bits, exactly 32 base32 characters, so no "=" padding.
    return base64.b32encode(digest[:20]).decode("ascii")


# --- lockout ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginGuard:
    """Stored per account: consecutive failures and, when locked, until when."""

    failures: int = 0
    locked_until: datetime | None = None

    def __post_init__(self) -> None:
        if self.failures < 0:
            raise ValueError("failures cannot be negative")
        if self.locked_until is not None:
            _aware_utc(self.locked_until, "locked_until")


def _active_lock(guard: LoginGuard, now: datetime) -> datetime | None:
    if guard.locked_until is not None and guard.locked_until > now:
        return guard.locked_until.astimezone(UTC)
    return None


def check_not_locked(guard: LoginGuard, now: datetime) -> None:
    """Raise LockedOut while the lock lasts; call before checking the password."""
    now = _aware_utc(now, "now")
    until = _active_lock(guard, now)
    if until is not None:
        raise LockedOut(until)


def after_failure(guard: LoginGuard, now: datetime) -> LoginGuard:
    """Count a failed login; the MAX_FAILURES-th in a row locks for LOCK_MINUTES.

    The counter restarts at zero when the lock is set, so after the lock expires
    the account gets the full number of attempts again, not a single one.
    """
    now = _aware_utc(now, "now")
    failures = guard.failures + 1
    if failures >= MAX_FAILURES:
        return LoginGuard(failures=0, locked_until=now + timedelta(minutes=LOCK_MINUTES))
    # An expired lock is dropped, so stale values do not linger in storage.
    return LoginGuard(failures=failures, locked_until=_active_lock(guard, now))


def after_success(guard: LoginGuard) -> LoginGuard:
    """A successful login clears the counter and any lock."""
    return LoginGuard()


# --- passwords -------------------------------------------------------------------------------


def _character_classes(password: str) -> int:
    lower = upper = digit = other = False
    for char in password:
        if char.islower():
            lower = True
        elif char.isupper():
            upper = True
        elif char.isdigit():
            digit = True
        else:
            other = True
    return lower + upper + digit + other


def password_problems(password: str, username: str) -> list[str]:
    """What is wrong with a new password, in Vietnamese; an empty list means it is fine."""
    # NFC so that "ệ" typed as one code point or as e + two marks counts the same.
    password = unicodedata.normalize("NFC", password)
    username = unicodedata.normalize("NFC", username).strip()
    problems: list[str] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Mật khẩu cần có ít nhất {MIN_PASSWORD_LENGTH} ký tự.")
    if username and username.casefold() in password.casefold():
        problems.append("Mật khẩu không được chứa tên đăng nhập.")
    if _character_classes(password) < MIN_CHARACTER_CLASSES:
        problems.append(
            "Mật khẩu cần có ít nhất 3 trong 4 loại ký tự: chữ thường, chữ hoa, "
            "chữ số và ký tự đặc biệt."
        )
    if password.casefold() in COMMON_PASSWORDS:
        problems.append("Mật khẩu này quá phổ biến, dễ bị đoán; hãy chọn mật khẩu khác.")
    return problems
