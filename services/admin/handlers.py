"""admin's event consumers: every service's AuditRecorded joins the hash-chained log."""

from __future__ import annotations

from datetime import UTC, datetime

from contracts import AuditRecorded, Envelope
from runtime.messaging import UnitOfWork
from services.admin import store
from services.admin.audit import AuditEntry, next_entry

# Column widths of audit_log. Events are not length-checked by their contract, and an
# entry that cannot be stored would stop the log behind it, so text is clipped first
# (the hash covers the clipped text, which is what the log holds).
ACTOR_MAX = store.audit_log.c.actor.type.length or 100
ACTION_MAX = store.audit_log.c.action.type.length or 100
SUBJECT_MAX = store.audit_log.c.subject.type.length or 300
TENANT_MAX = store.audit_log.c.tenant.type.length or 50


def _head(seq: int, hash_: str) -> AuditEntry | None:
    """The chain's head as next_entry needs it (it reads only seq and hash)."""
    if seq == 0:
        return None
    return AuditEntry(
        seq=seq,
        event_id="",
        at=datetime.fromtimestamp(0, UTC),
        actor="",
        tenant=None,
        action="",
        subject="",
        before=None,
        after=None,
        prev_hash="",
        hash=hash_,
    )


def _text(value: str, limit: int) -> str:
    # PostgreSQL text cannot hold NUL; no service should send one, but the log must not stall.
    return value.replace("\x00", "\ufffd")[:limit]


async def on_audit_recorded(uow: UnitOfWork, event: AuditRecorded, envelope: Envelope) -> None:
    """Append the entry after the stored head (not after the log's last row: were the log
    cut short, building on the anchored head keeps the gap visible to verify)."""
    head = await store.lock_audit_head(uow.session)
    # The inbox already drops redeliveries; this also covers an entry written under
    # another consumer name, and keeps the unique index from failing the transaction.
    if await store.audit_event_seen(uow.session, envelope.id):
        return
    entry = next_entry(
        _head(head.seq, head.hash),
        event_id=envelope.id,
        at=event.at,
        actor=_text(event.actor or "system", ACTOR_MAX),
        tenant=_text(event.tenant, TENANT_MAX) or None,
        action=_text(event.action or "unknown", ACTION_MAX),
        subject=_text(event.subject, SUBJECT_MAX),
        before=event.before,
        after=event.after,
    )
    await store.append_audit(uow.session, entry, datetime.now(UTC))
