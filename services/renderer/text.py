"""Text as pages show it (pure): Unicode normalisation and dates.

Vietnamese text can arrive composed (NFC) or decomposed (NFD, as some macOS and
legacy editors write it); everything is stored NFC (TCVN 6909:2001) so that the
same words compare, sort and search the same.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime
from email.utils import format_datetime
from typing import Any
from zoneinfo import ZoneInfo

VN_TIME = ZoneInfo("Asia/Ho_Chi_Minh")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def nfc_deep(value: Any) -> Any:
    """Every string inside dicts and lists, NFC; other values as they are."""
    if isinstance(value, str):
        return nfc(value)
    if isinstance(value, dict):
        return {nfc(k) if isinstance(k, str) else k: nfc_deep(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [nfc_deep(v) for v in value]
    return value


# --- dates ---------------------------------------------------------------------------------


def _hanoi(value: datetime) -> datetime:
    if value.tzinfo is None:  # stored UTC without zone (SQLite): say so
        value = value.replace(tzinfo=UTC)
    return value.astimezone(VN_TIME)


def vn_datetime(value: datetime | None) -> str:
    """ "24/11/2026 09:15" in Hanoi time."""
    return _hanoi(value).strftime("%d/%m/%Y %H:%M") if value else ""


def vn_date(value: date | str | None) -> str:
    """ "02/03/2026"; details arrive as ISO text from JSON."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = _hanoi(value).date()
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return day.strftime("%d/%m/%Y")


MONTHS_EN = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


def en_datetime(value: datetime | None) -> str:
    """ "24 November 2026, 09:15" in Hanoi time, for the English edition."""
    if not value:
        return ""
    local = _hanoi(value)
    return f"{local.day} {MONTHS_EN[local.month - 1]} {local:%Y, %H:%M}"


def iso_datetime(value: datetime | None) -> str:
    """ "2026-11-24T09:15:00+07:00": a valid HTML <time datetime>, W3C datetime and
    schema.org date (whole seconds: HTML allows at most three decimals)."""
    if not value:
        return ""
    return _hanoi(value).replace(microsecond=0).isoformat()


def rfc822(value: datetime) -> str:
    """ "Tue, 24 Nov 2026 09:15:00 +0700": RSS 2.0 dates (RFC 822 with a 4-digit year)."""
    return format_datetime(_hanoi(value).replace(microsecond=0))


def iso_duration(seconds: int | None) -> str:
    """ "PT3M5S": an HTML <time datetime> duration and a schema.org Duration."""
    if not seconds or seconds < 0:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    out = "PT"
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    if secs or out == "PT":
        out += f"{secs}S"
    return out


def vn_duration(seconds: int | None) -> str:
    """ "1 giờ 3 phút 5 giây"."""
    if not seconds or seconds < 0:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n} {unit}" for n, unit in ((hours, "giờ"), (minutes, "phút"), (secs, "giây")) if n]
    return " ".join(parts)


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if text[limit - 1] != " ":  # the cut falls inside a word: drop that word
        cut = cut.rsplit(" ", 1)[0] or cut
    return cut.rstrip(" ,.;:") + "…"
