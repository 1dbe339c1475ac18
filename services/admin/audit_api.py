"""admin's HTTP API for the audit log: search it, and verify its hash chain.

Operators see every entry; a tenant admin sees the entries of the tenants they
administer (not platform-wide ones such as logins); everyone else gets 403.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.exceptions import PermissionDeniedException, ValidationException
from litestar.params import QueryParameter
from litestar.security.jwt import Token
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from runtime.api import NUL_MESSAGE
from runtime.auth import Principal
from runtime.service import Service
from services.admin import account_commands, store
from services.admin.audit import GENESIS, AuditEntry, AuditQuery, Verification, diff_fields, verify

Caller = Request[Principal, Token, Any]
SLUG = re.compile(r"[a-z0-9-]{1,50}")
#: Entries checked per query while verifying, so memory stays flat however long the log.
VERIFY_BATCH = 2000


class FieldChange(BaseModel):
    field: str
    before: Any
    after: Any


class AuditEntryOut(BaseModel):
    seq: int
    event_id: str
    at: datetime
    actor: str
    tenant: str | None
    action: str
    subject: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    prev_hash: str
    hash: str
    #: The top-level fields that differ between before and after, for the UI.
    changes: list[FieldChange]

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEntryOut:
        return cls(
            seq=entry.seq,
            event_id=entry.event_id,
            at=entry.at,
            actor=entry.actor,
            tenant=entry.tenant,
            action=entry.action,
            subject=entry.subject,
            before=entry.before,
            after=entry.after,
            prev_hash=entry.prev_hash,
            hash=entry.hash,
            changes=[
                FieldChange(field=key, before=old, after=new)
                for key, old, new in diff_fields(entry.before, entry.after)
            ],
        )


class VerifyOut(BaseModel):
    ok: bool
    #: Entries found intact, from the first (on failure: those before the first bad one).
    checked: int
    first_bad_seq: int | None
    problem: str
    #: The head anchored apart from the log, which the last entry must match.
    head_seq: int
    head_hash: str


def _time(value: str | None, name: str) -> datetime | None:
    if value is None or not value.strip():
        return None
    # A "+07:00" offset typed into a URL unencoded arrives as " 07:00".
    text = value.strip().replace(" ", "+")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValidationException(
            f"Thời điểm {name} không hợp lệ: dùng dạng ISO 8601, ví dụ 2026-11-24T08:00:00+07:00."
        ) from None


def _query(**values: str | None) -> AuditQuery:
    if any(v is not None and "\x00" in v for v in values.values()):
        raise ValidationException(NUL_MESSAGE)
    try:
        return AuditQuery(
            actor=values["actor"],
            tenant=values["tenant"],
            action_prefix=values["action"],
            subject=values["subject"],
            since=_time(values["since"], "bắt đầu"),
            until=_time(values["until"], "kết thúc"),
            text=values["q"],
        ).validate()
    except ValueError as exc:
        raise ValidationException(str(exc)) from None


async def _verify_chain(session: AsyncSession) -> tuple[Verification, AuditEntry | None]:
    """Walk the whole log in seq order, batch by batch; the result and the last entry."""
    checked = 0
    last: AuditEntry | None = None
    while True:
        batch = await store.audit_batch(session, last.seq if last else 0, VERIFY_BATCH)
        if not batch:
            return Verification(True, checked, None, ""), last
        result = verify(
            batch,
            start_prev_hash=last.hash if last else GENESIS,
            start_seq=last.seq + 1 if last else 1,
        )
        if not result.ok:
            failed = Verification(
                False, checked + result.checked, result.first_bad_seq, result.problem
            )
            return failed, last
        checked += result.checked
        last = batch[-1]


def _against_head(
    chain: Verification, last: AuditEntry | None, head_seq: int, head_hash: str
) -> Verification:
    """A chain intact in itself must also end where the anchored head says it does."""
    if not chain.ok:
        return chain
    last_seq = last.seq if last else 0
    last_hash = last.hash if last else GENESIS
    if head_seq > last_seq:
        return Verification(
            False,
            chain.checked,
            last_seq + 1,
            f"Nhật ký bị cắt: đầu chuỗi đã neo là bản ghi số {head_seq} nhưng bản ghi cuối "
            f"cùng là số {last_seq}.",
        )
    if head_seq < last_seq:
        return Verification(
            False,
            head_seq,
            head_seq + 1,
            f"Có bản ghi sau đầu chuỗi đã neo (số {head_seq}): bản ghi số {head_seq + 1} "
            "trở đi không được ghi theo đường chính thức.",
        )
    if head_hash != last_hash:
        return Verification(
            False,
            max(chain.checked - 1, 0),
            last_seq,
            f"Bản ghi cuối (số {last_seq}) không khớp mã băm của đầu chuỗi đã neo.",
        )
    return chain


class AuditController(Controller):
    path = "/api/v1/audit"

    @get("/", operation_id="SearchAudit")
    async def search(
        self,
        service: NamedDependency[Service],
        request: Caller,
        actor: Annotated[str | None, QueryParameter(max_length=100)] = None,
        tenant: Annotated[str | None, QueryParameter(max_length=50)] = None,
        action: Annotated[str | None, QueryParameter(max_length=100)] = None,
        subject: Annotated[str | None, QueryParameter(max_length=300)] = None,
        since: Annotated[str | None, QueryParameter(max_length=40)] = None,
        until: Annotated[str | None, QueryParameter(max_length=40)] = None,
        q: Annotated[str | None, QueryParameter(max_length=1000)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=1_000_000)] = 0,
    ) -> list[AuditEntryOut]:
        """Entries matching every filter given (blank ones are ignored), newest first.

        `action` matches a prefix ("article." finds every article action); `q` searches
        action, subject and actor; `since` and `until` are inclusive and need a time zone.
        """
        try:
            tenants = account_commands.administered_tenants(request.user)
        except account_commands.Refused as refused:
            raise PermissionDeniedException(refused.message) from None
        query = _query(
            actor=actor, tenant=tenant, action=action, subject=subject, since=since,
            until=until, q=q,
        )  # fmt: skip
        if query.tenant is not None and not SLUG.fullmatch(query.tenant):
            raise ValidationException(
                "Mã trang chỉ gồm chữ thường không dấu, số và dấu gạch ngang."
            )
        if query.tenant is not None and tenants is not None and query.tenant not in tenants:
            raise PermissionDeniedException(
                f"Tài khoản {request.user.username} không quản trị trang {query.tenant}."
            )
        assert service.db
        async with service.db.read() as session:
            entries = await store.search_audit(
                session, query, tenants=tenants, limit=limit, offset=offset
            )
        return [AuditEntryOut.of(e) for e in entries]

    @get("/verify", operation_id="VerifyAudit")
    async def verify_log(self, service: NamedDependency[Service], request: Caller) -> VerifyOut:
        """Check every entry's hash and link, and that the log ends at the anchored head
        (which catches entries cut off its end). Operators only."""
        if not request.user.operator:
            raise PermissionDeniedException("Chỉ cán bộ vận hành được kiểm tra toàn vẹn nhật ký.")
        assert service.db
        async with service.db.read() as session:
            if service.db.is_postgres:
                # One snapshot for the head and every batch, or an append made meanwhile
                # would look like a cut or an intruder. (SQLite's read transaction is one.)
                await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            head = await store.read_audit_head(session)
            head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
            chain, last = await _verify_chain(session)
        result = _against_head(chain, last, head_seq, head_hash)
        return VerifyOut(
            ok=result.ok,
            checked=result.checked,
            first_bad_seq=result.first_bad_seq,
            problem=result.problem,
            head_seq=head_seq,
            head_hash=head_hash,
        )
