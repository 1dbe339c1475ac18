"""The audit log as a hash chain: who did what, when, and the state before and after.

Every action is appended as an `AuditEntry` whose hash covers its own content and
the hash of the entry before it, so editing, deleting or reordering any stored
entry breaks the chain at that point and `verify` reports where.

This module is pure: the caller reads the current head (the entry with the
highest seq) from storage, calls `next_entry`, and inserts the result. Appends
must be serialised (one writer, or a lock on the head row): two entries built
on the same head would both claim the same seq.

What a chain cannot prove on its own is that nothing was cut off its end:
dropping the last N entries leaves a shorter chain that is perfectly valid.
The caller therefore keeps the head (seq and hash) in a separate table, updated
in the same transaction as each append, and can export it (e.g. print it in a
daily report or send it to another system); comparing that anchored head with
the last verified entry is what detects truncation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
MAX_QUERY_TEXT = 200


@dataclass(frozen=True)
class AuditEntry:
    seq: int  # 1, 2, 3 … with no gaps
    event_id: str  # id of the action (CloudEvents id); unique via the caller's index
    at: datetime  # tz-aware UTC, when the action happened
    actor: str  # account name, or "system"
    tenant: str | None  # site slug, None for platform-wide actions
    action: str  # e.g. "article.submit", "review.reject", "auth.login_failed"
    subject: str  # what it acted on, e.g. "article:3f2…"
    before: dict[str, Any] | None  # JSON-able state before, None when created
    after: dict[str, Any] | None  # JSON-able state after, None when deleted
    prev_hash: str
    hash: str


def _iso_utc(at: datetime) -> str:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("audit times must be timezone-aware (UTC), got a naive datetime")
    # Fixed shape (always microseconds, always "Z") so equal instants hash equally.
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _dumps(value: object) -> str:
    # No `default=`: anything that is not plain JSON is refused rather than converted,
    # because what is hashed must be exactly what storage gives back.
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def canonical(
    seq: int,
    event_id: str,
    at: datetime,
    actor: str,
    tenant: str | None,
    action: str,
    subject: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> bytes:
    """The bytes an entry's hash covers: deterministic JSON, UTF-8.

    Sorted keys and no spaces make it independent of dict order; Vietnamese text is
    kept as UTF-8 rather than \\u escapes. Raises TypeError for values that are not
    plain JSON and ValueError for naive datetimes or NaN.
    """
    document = {
        "seq": seq,
        "event_id": event_id,
        "at": _iso_utc(at),
        "actor": actor,
        "tenant": tenant,
        "action": action,
        "subject": subject,
        "before": before,
        "after": after,
    }
    return _dumps(document).encode("utf-8")


def chain_hash(
    prev_hash: str,
    seq: int,
    event_id: str,
    at: datetime,
    actor: str,
    tenant: str | None,
    action: str,
    subject: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> str:
    """sha256 hex of the previous hash, a newline, and this entry's canonical bytes."""
    content = canonical(seq, event_id, at, actor, tenant, action, subject, before, after)
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + content).hexdigest()


def _plain_json(value: dict[str, Any] | None, name: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise TypeError(f"{name} must be a dict or None, got {type(value).__name__}")
    # A round trip gives a private copy in the shape storage returns (tuples become
    # lists), so later mutation by the caller cannot desynchronise entry and hash.
    return json.loads(_dumps(value))


def next_entry(
    head: AuditEntry | None,
    *,
    event_id: str,
    at: datetime,
    actor: str,
    tenant: str | None,
    action: str,
    subject: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AuditEntry:
    """The entry to append after `head` (None for the very first entry)."""
    for name, value in (("event_id", event_id), ("actor", actor), ("action", action)):
        if not value:
            raise ValueError(f"{name} must not be empty")
    seq = 1 if head is None else head.seq + 1
    prev_hash = GENESIS if head is None else head.hash
    at = datetime.fromisoformat(_iso_utc(at))  # UTC, and refuses naive datetimes
    before = _plain_json(before, "before")
    after = _plain_json(after, "after")
    return AuditEntry(
        seq=seq,
        event_id=event_id,
        at=at,
        actor=actor,
        tenant=tenant,
        action=action,
        subject=subject,
        before=before,
        after=after,
        prev_hash=prev_hash,
        hash=chain_hash(
            prev_hash, seq, event_id, at, actor, tenant, action, subject, before, after
        ),
    )


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int  # entries found intact (on failure: those before the first bad one)
    first_bad_seq: int | None
    problem: str  # Vietnamese, "" when ok


def _recomputed(entry: AuditEntry) -> str | None:
    try:
        return chain_hash(
            entry.prev_hash,
            entry.seq,
            entry.event_id,
            entry.at,
            entry.actor,
            entry.tenant,
            entry.action,
            entry.subject,
            entry.before,
            entry.after,
        )
    except (TypeError, ValueError, UnicodeEncodeError):
        # Content that cannot even be hashed (naive time, non-JSON value) was not written
        # by next_entry: treat it as tampered rather than crash the check.
        return None


def verify(
    entries: Iterable[AuditEntry], *, start_prev_hash: str = GENESIS, start_seq: int = 1
) -> Verification:
    """Check a run of entries, given in seq order (ORDER BY seq), and stop at the first break.

    Streams, so a whole log can be checked from a server-side cursor. For each entry:
    its seq must be the next one, its prev_hash must be the previous entry's hash,
    and its hash must match its content. `start_prev_hash`/`start_seq` let a check
    resume from an earlier verified entry instead of the beginning.

    Not detected here: entries cut off the end. A truncated chain is still a valid
    chain; compare the last entry with the head anchored outside the log (see the
    module docstring) to catch that.
    """
    expected_seq = start_seq
    prev_hash = start_prev_hash
    checked = 0
    for entry in entries:
        if entry.seq != expected_seq:
            if entry.seq > expected_seq:
                problem = f"Thiếu bản ghi số {expected_seq} (chuỗi bị cắt)."
            else:
                problem = (
                    f"Bản ghi số {entry.seq} bị lặp hoặc sai thứ tự "
                    f"(cần bản ghi số {expected_seq})."
                )
            return Verification(False, checked, expected_seq, problem)
        if entry.prev_hash != prev_hash:
            problem = f"Bản ghi số {entry.seq} không nối với bản ghi trước."
            return Verification(False, checked, entry.seq, problem)
        if _recomputed(entry) != entry.hash:
            problem = f"Bản ghi số {entry.seq} đã bị sửa: mã băm không khớp nội dung."
            return Verification(False, checked, entry.seq, problem)
        checked += 1
        expected_seq += 1
        prev_hash = entry.hash
    return Verification(True, checked, None, "")


_ABSENT = object()


def _same(left: object, right: object) -> bool:
    if left is _ABSENT or right is _ABSENT:
        return left is right
    try:
        # Via JSON, so 1, 1.0 and True count as different, as they do once stored.
        return _dumps(left) == _dumps(right)
    except (TypeError, ValueError):
        return left == right


def diff_fields(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> list[tuple[str, object, object]]:
    """Changed top-level keys as (key, before, after), sorted by key, for the UI.

    A key missing on one side shows as None there, so a created entity lists every
    field as None → value and a deleted one value → None.
    """
    old = before or {}
    new = after or {}
    changes: list[tuple[str, object, object]] = []
    for key in sorted(old.keys() | new.keys()):
        left = old.get(key, _ABSENT)
        right = new.get(key, _ABSENT)
        if not _same(left, right):
            changes.append(
                (
                    key,
                    None if left is _ABSENT else left,
                    None if right is _ABSENT else right,
                )
            )
    return changes


@dataclass(frozen=True)
class AuditQuery:
    """Filters for searching the audit log; every field optional, all given ones must match.

    Pure on purpose: the search API turns a validated query into SQL elsewhere.
    """

    actor: str | None = None
    tenant: str | None = None
    action_prefix: str | None = None  # "article." matches every article action
    subject: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # inclusive
    text: str | None = None  # free text; which columns it searches is up to the SQL side

    def validate(self) -> AuditQuery:
        """A cleaned copy (trimmed strings, blanks as None, times in UTC), or ValueError."""
        cleaned: dict[str, Any] = {}
        for name in ("actor", "tenant", "action_prefix", "subject", "text"):
            value = getattr(self, name)
            if value is not None:
                value = value.strip() or None
            cleaned[name] = value
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None:
                if value.tzinfo is None or value.utcoffset() is None:
                    raise ValueError("Thời điểm tìm kiếm phải kèm múi giờ.")
                value = value.astimezone(UTC)
            cleaned[name] = value
        if cleaned["since"] and cleaned["until"] and cleaned["since"] > cleaned["until"]:
            raise ValueError("Thời điểm bắt đầu phải trước hoặc bằng thời điểm kết thúc.")
        if cleaned["text"] is not None and len(cleaned["text"]) > MAX_QUERY_TEXT:
            raise ValueError(f"Nội dung tìm kiếm chỉ được dài tối đa {MAX_QUERY_TEXT} ký tự.")
        return replace(self, **cleaned)
