"""The operators' API for partner systems, under /api/v1/syndication/partners: the
partners (sites and topics they take), their read-API keys, their webhooks and signing
secrets, and each webhook's delivery log with its dead letters, retries and replays.

The city's operators only. Every change is audited in its own transaction, with what
changed and never a key or a secret: those are shown once, in the answer that made
them, and the key is kept as its SHA-256 only.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal, TypeVar
from uuid import UUID

from litestar import Controller, Request, delete, get, patch, post
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency
from litestar.exceptions import ClientException, NotFoundException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.security.jwt import Token
from pydantic import AwareDatetime, BaseModel, Field, field_validator
from sqlalchemy import func, select, update
from sqlalchemy.engine import Row
from sqlalchemy.exc import IntegrityError

from contracts.partner import WEBHOOK_TYPES
from runtime.api import Input
from runtime.auth import Principal
from runtime.messaging import UnitOfWork
from runtime.service import Service
from services.syndication import store, webhooks
from services.syndication.ssrf import check_url
from services.syndication.webhook_rules import (
    MAX_URL,
    ROTATION_OVERLAP,
    UrlRefused,
    new_secret,
)

Caller = Request[Principal, Token, Any]
Topic = Literal["article.published", "article.withdrawn", "answer.published"]
assert set(Topic.__args__) == set(WEBHOOK_TYPES.values())  # type: ignore[attr-defined]
SiteRef = Annotated[str, Field(pattern=r"^([a-z0-9-]{1,50}|\*)$")]
DeliveryStatus = Literal["pending", "delivered", "dead"]
T = TypeVar("T")

#: What an operator's request may weigh: a partner's description and 200 sites fit.
MAX_BODY = 64 * 1024
MAX_SITES = 200
MAX_WEBHOOKS = 10
KEY_PREFIX = "hnp_"
SHOWN_PREFIX = 12

STATUS_VI = {"pending": "Đang chờ gửi", "delivered": "Đã nhận", "dead": "Không gửi được"}
DEACTIVATED_VI = "Đối tác đã bị ngừng nhận tin."
REMOVED_VI = "Webhook đã bị gỡ."


def operators_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    user = connection.user
    if not isinstance(user, Principal) or not user.operator:
        raise PermissionDeniedException("Chỉ cán bộ vận hành của Thành phố được quản lý đối tác.")


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class PartnerIn(Input):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    sites: list[SiteRef] = Field(min_length=1, max_length=MAX_SITES)
    topics: list[Topic] = Field(min_length=1, max_length=len(WEBHOOK_TYPES))

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value:
            raise ValueError("Tên đối tác không được để trống.")
        return value


class PartnerPatch(Input):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    sites: list[SiteRef] | None = Field(default=None, min_length=1, max_length=MAX_SITES)
    topics: list[Topic] | None = Field(default=None, min_length=1, max_length=len(WEBHOOK_TYPES))
    active: bool | None = None

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else PartnerIn._name(value)


class WebhookIn(Input):
    url: str = Field(min_length=1, max_length=MAX_URL)


class WebhookPatch(Input):
    url: str | None = Field(default=None, min_length=1, max_length=MAX_URL)
    #: True turns back on a webhook that a 410 Gone turned off.
    active: bool | None = None


class ReplayIn(Input):
    since: AwareDatetime


class WebhookOut(BaseModel):
    id: str
    partner_id: str
    url: str
    active: bool
    #: During a rotation: until when the previous secret still signs.
    previous_secret_until: datetime | None
    pending: int
    dead: int
    created_at: datetime
    changed_at: datetime


class WebhookWithSecret(WebhookOut):
    #: Shown once: the partner verifies our signatures with it.
    secret: str


class PartnerOut(BaseModel):
    id: str
    name: str
    description: str
    sites: list[str]
    topics: list[str]
    active: bool
    #: The read-API key's first characters, to tell keys apart (the key is shown once).
    key_prefix: str | None
    created_by: str
    created_at: datetime
    changed_at: datetime
    webhooks: list[WebhookOut]


class KeyOut(BaseModel):
    #: Shown once: only its SHA-256 is kept.
    key: str
    key_prefix: str


class DeliveryOut(BaseModel):
    id: str
    type: str
    tenant: str
    subject: str
    status: str
    status_label: str
    attempts: int
    last_status: int | None
    last_error: str | None
    occurred_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None


class RequeuedOut(BaseModel):
    requeued: int


def _partner_facts(row: Row | dict[str, Any]) -> dict[str, Any]:
    """What the audit keeps of a partner: never its key."""
    get = row._mapping if isinstance(row, Row) else row
    return {k: get[k] for k in ("name", "description", "sites", "topics", "active")}


async def _webhooks_out(session: Any, partner_ids: list[str], now: datetime) -> dict[str, list]:
    w, d = store.webhooks, store.deliveries
    rows = (
        await session.execute(
            select(w).where(w.c.partner_id.in_(partner_ids)).order_by(w.c.created_at, w.c.id)
        )
    ).all()
    counts: dict[tuple[str, str], int] = {}
    if rows:
        for webhook_id, status, n in (
            await session.execute(
                select(d.c.webhook_id, d.c.status, func.count())
                .where(d.c.webhook_id.in_([r.id for r in rows]), d.c.status != "delivered")
                .group_by(d.c.webhook_id, d.c.status)
            )
        ).all():
            counts[(webhook_id, status)] = n
    found: dict[str, list] = {p: [] for p in partner_ids}
    for r in rows:
        found[r.partner_id].append(_webhook_out(r, now, counts))
    return found


def _webhook_out(r: Row, now: datetime, counts: dict[tuple[str, str], int]) -> WebhookOut:
    rotating = r.previous_secret and r.previous_until and r.previous_until > now
    return WebhookOut(
        id=r.id, partner_id=r.partner_id, url=r.url, active=r.active,
        previous_secret_until=r.previous_until if rotating else None,
        pending=counts.get((r.id, "pending"), 0), dead=counts.get((r.id, "dead"), 0),
        created_at=r.created_at, changed_at=r.changed_at,
    )  # fmt: skip


def _partner_out(r: Row, hooks: list[WebhookOut]) -> PartnerOut:
    return PartnerOut(
        id=r.id, name=r.name, description=r.description, sites=r.sites, topics=r.topics,
        active=r.active, key_prefix=r.key_prefix, created_by=r.created_by,
        created_at=r.created_at, changed_at=r.changed_at, webhooks=hooks,
    )  # fmt: skip


class _Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


async def _run(service: Service, command: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    try:
        async with service.unit_of_work() as uow:
            result = await command(uow)
            await uow.commit()
            return result
    except _Refused as exc:
        if exc.status == 404:
            raise NotFoundException(str(exc)) from exc
        raise ClientException(str(exc), status_code=exc.status) from exc
    except IntegrityError as exc:
        raise ClientException(
            "Đã có đối tác mang tên này; hãy chọn tên khác.", status_code=409
        ) from exc


async def _partner_row(uow: UnitOfWork, partner_id: str) -> Row:
    p = store.partners
    row = (
        await uow.session.execute(select(p).where(p.c.id == partner_id).with_for_update())
    ).first()
    if row is None:
        raise _Refused(404, "Không tìm thấy đối tác này.")
    return row


async def _webhook_row(uow: UnitOfWork, partner_id: str, webhook_id: str) -> Row:
    w = store.webhooks
    row = (
        await uow.session.execute(
            select(w).where(w.c.id == webhook_id, w.c.partner_id == partner_id).with_for_update()
        )
    ).first()
    if row is None:
        raise _Refused(404, "Không tìm thấy webhook này của đối tác.")
    return row


async def _known_sites(uow: UnitOfWork, sites: list[str]) -> list[str]:
    """The sites as given, each once, if every one is known (or ["*"] alone)."""
    unique = list(dict.fromkeys(sites))
    if "*" in unique:
        if unique != ["*"]:
            raise _Refused(422, 'Dùng ["*"] một mình để nhận tin của mọi trang.')
        return unique
    s = store.sites
    known = set((await uow.session.execute(select(s.c.slug).where(s.c.slug.in_(unique)))).scalars())
    unknown = [slug for slug in unique if slug not in known]
    if unknown:
        raise _Refused(422, "Không có trang: " + ", ".join(unknown[:10]) + ".")
    return unique


async def _checked_url(service: Service, url: str) -> str:
    try:
        await check_url(url, allow_private=service.settings.webhooks_allow_private)
    except UrlRefused as exc:
        raise ClientException(str(exc), status_code=422) from exc
    return url


class PartnerController(Controller):
    path = "/api/v1/syndication/partners"
    guards = [operators_only]  # noqa: RUF012 - Litestar's layered attribute
    request_max_body_size = MAX_BODY

    @get("/", operation_id="Partners")
    async def index(self, service: NamedDependency[Service]) -> list[PartnerOut]:
        assert service.db
        now = datetime.now(UTC)
        async with service.db.read() as session:
            rows = (
                await session.execute(select(store.partners).order_by(store.partners.c.name))
            ).all()
            hooks = await _webhooks_out(session, [r.id for r in rows], now)
        return [_partner_out(r, hooks[r.id]) for r in rows]

    @get("/{partner_id:uuid}", operation_id="GetPartner")
    async def get_one(
        self, partner_id: FromPath[UUID], service: NamedDependency[Service]
    ) -> PartnerOut:
        return await self._out(service, str(partner_id))

    async def _out(self, service: Service, partner_id: str) -> PartnerOut:
        assert service.db
        async with service.db.read() as session:
            row = (
                await session.execute(
                    select(store.partners).where(store.partners.c.id == partner_id)
                )
            ).first()
            if row is None:
                raise NotFoundException("Không tìm thấy đối tác này.")
            hooks = await _webhooks_out(session, [partner_id], datetime.now(UTC))
        return _partner_out(row, hooks[partner_id])

    @post("/", operation_id="CreatePartner", status_code=201)
    async def create(
        self, data: JSONBody[PartnerIn], service: NamedDependency[Service], request: Caller
    ) -> PartnerOut:
        now = datetime.now(UTC)
        partner_id = str(uuid.uuid4())

        async def command(uow: UnitOfWork) -> None:
            p = store.partners
            if await uow.session.scalar(select(p.c.id).where(p.c.name == data.name)):
                raise _Refused(409, "Đã có đối tác mang tên này; hãy chọn tên khác.")
            values = {
                "name": data.name, "description": data.description.strip(),
                "sites": await _known_sites(uow, data.sites),
                "topics": list(dict.fromkeys(data.topics)), "active": True,
            }  # fmt: skip
            await uow.session.execute(
                p.insert().values(id=partner_id, created_by=request.user.username,
                                  created_at=now, changed_at=now, **values)
            )  # fmt: skip
            uow.audit(actor=request.user.username, action="partner.created",
                      subject=f"partner:{partner_id}", tenant=None, after=values)  # fmt: skip

        await _run(service, command)
        return await self._out(service, partner_id)

    @patch("/{partner_id:uuid}", operation_id="UpdatePartner")
    async def update_one(
        self,
        partner_id: FromPath[UUID],
        data: JSONBody[PartnerPatch],
        service: NamedDependency[Service],
        request: Caller,
    ) -> PartnerOut:
        now = datetime.now(UTC)

        async def command(uow: UnitOfWork) -> None:
            row = await _partner_row(uow, str(partner_id))
            changes: dict[str, Any] = {}
            if data.name is not None and data.name != row.name:
                p = store.partners
                if await uow.session.scalar(select(p.c.id).where(p.c.name == data.name)):
                    raise _Refused(409, "Đã có đối tác mang tên này; hãy chọn tên khác.")
                changes["name"] = data.name
            if data.description is not None:
                changes["description"] = data.description.strip()
            if data.sites is not None:
                changes["sites"] = await _known_sites(uow, data.sites)
            if data.topics is not None:
                changes["topics"] = list(dict.fromkeys(data.topics))
            if data.active is not None:
                changes["active"] = data.active
            before = _partner_facts(row)
            changes = {k: v for k, v in changes.items() if before[k] != v}
            if not changes:
                return
            await _save_partner(uow, row, changes, request.user.username, now)

        await _run(service, command)
        return await self._out(service, str(partner_id))

    @post("/{partner_id:uuid}/deactivate", operation_id="DeactivatePartner", status_code=200)
    async def deactivate(
        self, partner_id: FromPath[UUID], service: NamedDependency[Service], request: Caller
    ) -> PartnerOut:
        """The partner receives nothing more (its queue is dead-lettered) and its key stops
        working; it can be turned on again with PATCH {"active": true}."""
        now = datetime.now(UTC)

        async def command(uow: UnitOfWork) -> None:
            row = await _partner_row(uow, str(partner_id))
            if row.active:
                await _save_partner(uow, row, {"active": False}, request.user.username, now)

        await _run(service, command)
        return await self._out(service, str(partner_id))

    @post("/{partner_id:uuid}/key", operation_id="IssuePartnerKey", status_code=201)
    async def issue_key(
        self, partner_id: FromPath[UUID], service: NamedDependency[Service], request: Caller
    ) -> KeyOut:
        """A new read-API key, shown this once; the one before stops working at once."""
        now = datetime.now(UTC)
        key = KEY_PREFIX + secrets.token_urlsafe(32)

        async def command(uow: UnitOfWork) -> None:
            row = await _partner_row(uow, str(partner_id))
            await uow.session.execute(
                update(store.partners)
                .where(store.partners.c.id == row.id)
                .values(key_hash=key_hash(key), key_prefix=key[:SHOWN_PREFIX], changed_at=now)
            )
            uow.audit(
                actor=request.user.username, action="partner.key_issued",
                subject=f"partner:{row.id}", tenant=None,
                before={"had_key": row.key_hash is not None}, after={"had_key": True},
            )  # fmt: skip

        await _run(service, command)
        return KeyOut(key=key, key_prefix=key[:SHOWN_PREFIX])

    # --- webhooks -------------------------------------------------------------------------

    @post("/{partner_id:uuid}/webhooks", operation_id="AddWebhook", status_code=201)
    async def add_webhook(
        self,
        partner_id: FromPath[UUID],
        data: JSONBody[WebhookIn],
        service: NamedDependency[Service],
        request: Caller,
    ) -> WebhookWithSecret:
        """A URL the partner's events are posted to, with a new signing secret (shown
        this once). The URL must be https and reach a public address."""
        url = await _checked_url(service, data.url)
        now = datetime.now(UTC)
        webhook_id = str(uuid.uuid4())
        secret = new_secret()

        async def command(uow: UnitOfWork) -> Row:
            row = await _partner_row(uow, str(partner_id))
            w = store.webhooks
            count = await uow.session.scalar(
                select(func.count()).where(w.c.partner_id == row.id, w.c.active.is_(True))
            )
            if (count or 0) >= MAX_WEBHOOKS:
                raise _Refused(409, f"Mỗi đối tác có tối đa {MAX_WEBHOOKS} webhook đang bật.")
            await uow.session.execute(
                w.insert().values(id=webhook_id, partner_id=row.id, url=url, secret=secret,
                                  previous_secret=None, previous_until=None, active=True,
                                  created_at=now, changed_at=now)
            )  # fmt: skip
            uow.audit(actor=request.user.username, action="partner.webhook_added",
                      subject=f"webhook:{webhook_id}", tenant=None,
                      after={"partner_id": row.id, "url": url, "active": True})  # fmt: skip
            return await _webhook_row(uow, row.id, webhook_id)

        created = await _run(service, command)
        return WebhookWithSecret(**_webhook_out(created, now, {}).model_dump(), secret=secret)

    @patch("/{partner_id:uuid}/webhooks/{webhook_id:uuid}", operation_id="UpdateWebhook")
    async def update_webhook(
        self,
        partner_id: FromPath[UUID],
        webhook_id: FromPath[UUID],
        data: JSONBody[WebhookPatch],
        service: NamedDependency[Service],
        request: Caller,
    ) -> WebhookOut:
        url = await _checked_url(service, data.url) if data.url is not None else None
        now = datetime.now(UTC)

        async def command(uow: UnitOfWork) -> None:
            row = await _webhook_row(uow, str(partner_id), str(webhook_id))
            changes: dict[str, Any] = {}
            if url is not None and url != row.url:
                changes["url"] = url
            if data.active is not None and data.active != row.active:
                changes["active"] = data.active
            if not changes:
                return
            await uow.session.execute(
                update(store.webhooks)
                .where(store.webhooks.c.id == row.id)
                .values(changed_at=now, **changes)
            )
            if changes.get("active") is False:
                await webhooks.stop_deliveries(uow, [row.id], reason=REMOVED_VI)
            uow.audit(actor=request.user.username, action="partner.webhook_updated",
                      subject=f"webhook:{row.id}", tenant=None,
                      before={k: getattr(row, k) for k in changes}, after=changes)  # fmt: skip

        await _run(service, command)
        return await self._webhook(service, str(partner_id), str(webhook_id))

    @delete(
        "/{partner_id:uuid}/webhooks/{webhook_id:uuid}", operation_id="RemoveWebhook",
        status_code=200,
    )  # fmt: skip
    async def remove_webhook(
        self,
        partner_id: FromPath[UUID],
        webhook_id: FromPath[UUID],
        service: NamedDependency[Service],
        request: Caller,
    ) -> WebhookOut:
        """Nothing more is posted to it; what was waiting is dead-lettered. Its delivery
        log stays."""
        now = datetime.now(UTC)

        async def command(uow: UnitOfWork) -> None:
            row = await _webhook_row(uow, str(partner_id), str(webhook_id))
            if not row.active:
                return
            await uow.session.execute(
                update(store.webhooks)
                .where(store.webhooks.c.id == row.id)
                .values(active=False, changed_at=now)
            )
            await webhooks.stop_deliveries(uow, [row.id], reason=REMOVED_VI)
            uow.audit(actor=request.user.username, action="partner.webhook_removed",
                      subject=f"webhook:{row.id}", tenant=None, before={"active": True},
                      after={"active": False})  # fmt: skip

        await _run(service, command)
        return await self._webhook(service, str(partner_id), str(webhook_id))

    @post(
        "/{partner_id:uuid}/webhooks/{webhook_id:uuid}/rotate", operation_id="RotateWebhookSecret",
        status_code=201,
    )  # fmt: skip
    async def rotate(
        self,
        partner_id: FromPath[UUID],
        webhook_id: FromPath[UUID],
        service: NamedDependency[Service],
        request: Caller,
    ) -> WebhookWithSecret:
        """A new signing secret (shown this once). For 24 hours every message carries two
        signatures, by the new secret and the old one, so the partner can switch over
        without losing one."""
        now = datetime.now(UTC)
        secret = new_secret()
        until = now + ROTATION_OVERLAP

        async def command(uow: UnitOfWork) -> None:
            row = await _webhook_row(uow, str(partner_id), str(webhook_id))
            await uow.session.execute(
                update(store.webhooks)
                .where(store.webhooks.c.id == row.id)
                .values(secret=secret, previous_secret=row.secret, previous_until=until,
                        changed_at=now)
            )  # fmt: skip
            uow.audit(actor=request.user.username, action="partner.webhook_secret_rotated",
                      subject=f"webhook:{row.id}", tenant=None,
                      after={"previous_secret_until": until})  # fmt: skip

        await _run(service, command)
        out = await self._webhook(service, str(partner_id), str(webhook_id))
        return WebhookWithSecret(**out.model_dump(), secret=secret)

    async def _webhook(self, service: Service, partner_id: str, webhook_id: str) -> WebhookOut:
        assert service.db
        async with service.db.read() as session:
            hooks = await _webhooks_out(session, [partner_id], datetime.now(UTC))
        for hook in hooks[partner_id]:
            if hook.id == webhook_id:
                return hook
        raise NotFoundException("Không tìm thấy webhook này của đối tác.")

    # --- the delivery log -----------------------------------------------------------------

    @get("/{partner_id:uuid}/webhooks/{webhook_id:uuid}/deliveries", operation_id="Deliveries")
    async def deliveries(
        self,
        partner_id: FromPath[UUID],
        webhook_id: FromPath[UUID],
        service: NamedDependency[Service],
        status: FromQuery[DeliveryStatus | None] = None,
        before: Annotated[datetime | None, QueryParameter()] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> list[DeliveryOut]:
        """The webhook's messages, newest first; `status=dead` is its dead-letter list.
        `before`: the `occurred_at` of the last one seen, for the next page."""
        assert service.db
        d = store.deliveries
        query = select(d).where(d.c.webhook_id == str(webhook_id),
                                d.c.partner_id == str(partner_id))  # fmt: skip
        if status:
            query = query.where(d.c.status == status)
        if before is not None:
            if before.tzinfo is None:
                raise ClientException("Thời điểm `before` phải ghi múi giờ.")
            query = query.where(d.c.occurred_at < before)
        query = query.order_by(d.c.occurred_at.desc(), d.c.id.desc()).limit(limit)
        async with service.db.read() as session:
            exists = await session.scalar(
                select(store.webhooks.c.id).where(
                    store.webhooks.c.id == str(webhook_id),
                    store.webhooks.c.partner_id == str(partner_id),
                )
            )
            if not exists:
                raise NotFoundException("Không tìm thấy webhook này của đối tác.")
            rows = (await session.execute(query)).all()
        return [
            DeliveryOut(
                id=r.id,
                type=r.type,
                tenant=r.tenant,
                subject=r.subject,
                status=r.status,
                status_label=STATUS_VI.get(r.status, r.status),
                attempts=r.attempts,
                last_status=r.last_status,
                last_error=r.last_error,
                occurred_at=r.occurred_at,
                next_attempt_at=r.next_attempt_at if r.status == "pending" else None,
                delivered_at=r.delivered_at,
            )
            for r in rows
        ]

    @post(
        "/{partner_id:uuid}/webhooks/{webhook_id:uuid}/deliveries/{message_id:str}/retry",
        operation_id="RetryDelivery", status_code=200,
    )  # fmt: skip
    async def retry(
        self,
        partner_id: FromPath[UUID],
        webhook_id: FromPath[UUID],
        message_id: FromPath[Annotated[str, Field(pattern=r"^msg_[0-9a-f]{32}$")]],
        service: NamedDependency[Service],
        request: Caller,
    ) -> RequeuedOut:
        """Send one dead message again, with its id, from its first attempt."""
        now = datetime.now(UTC)

        async def command(uow: UnitOfWork) -> int:
            row = await _webhook_row(uow, str(partner_id), str(webhook_id))
            if not row.active:
                raise _Refused(409, "Webhook đang tắt; hãy bật lại trước khi gửi lại.")
            n = await webhooks.requeue(uow, row.id, now=now, message_id=message_id)
            if not n:
                raise _Refused(409, "Chỉ gửi lại được tin không gửi được (trạng thái «dead»).")
            uow.audit(actor=request.user.username, action="partner.delivery_retried",
                      subject=f"webhook:{row.id}", tenant=None,
                      after={"message_id": message_id})  # fmt: skip
            return n

        return RequeuedOut(requeued=await _run(service, command))

    @post(
        "/{partner_id:uuid}/webhooks/{webhook_id:uuid}/replay", operation_id="ReplayWebhook",
        status_code=200,
    )  # fmt: skip
    async def replay(
        self,
        partner_id: FromPath[UUID],
        webhook_id: FromPath[UUID],
        data: JSONBody[ReplayIn],
        service: NamedDependency[Service],
        request: Caller,
    ) -> RequeuedOut:
        """Send again every message of the webhook since `since`, delivered or not, with
        their ids (a receiver that has them already ignores them)."""
        now = datetime.now(UTC)
        if data.since > now + timedelta(minutes=1):
            raise ClientException("Thời điểm bắt đầu gửi lại không được ở tương lai.")

        async def command(uow: UnitOfWork) -> int:
            row = await _webhook_row(uow, str(partner_id), str(webhook_id))
            if not row.active:
                raise _Refused(409, "Webhook đang tắt; hãy bật lại trước khi gửi lại.")
            n = await webhooks.requeue(uow, row.id, now=now, since=data.since)
            uow.audit(actor=request.user.username, action="partner.webhook_replayed",
                      subject=f"webhook:{row.id}", tenant=None,
                      after={"since": data.since, "messages": n})  # fmt: skip
            return n

        return RequeuedOut(requeued=await _run(service, command))


async def _save_partner(
    uow: UnitOfWork, row: Row, changes: dict[str, Any], actor: str, now: datetime
) -> None:
    await uow.session.execute(
        update(store.partners)
        .where(store.partners.c.id == row.id)
        .values(changed_at=now, **changes)
    )
    if changes.get("active") is False:
        hooks = (
            await uow.session.execute(
                select(store.webhooks.c.id).where(store.webhooks.c.partner_id == row.id)
            )
        ).scalars()
        await webhooks.stop_deliveries(uow, sorted(hooks), reason=DEACTIVATED_VI)
    before = _partner_facts(row)
    uow.audit(
        actor=actor,
        action="partner.deactivated" if changes.get("active") is False else "partner.updated",
        subject=f"partner:{row.id}",
        tenant=None,
        before={k: before[k] for k in changes},
        after=changes,
    )
