"""The partners' read API: `GET /api/v1/partner/articles`, every article of the
partner's sites as it stands now (withdrawn ones as tombstones), in the order they last
changed, page by page, with the partner's own key (`Authorization: Bearer hnp_...`).

Outside the editors' JWT (the path is open to it in __main__.py): the key is checked
here, against its SHA-256, and only an active partner's key opens anything. Each item
has the shape of a webhook body, {"type", "changed_at", "data"}, with public fields
only (partners.public_article), so a partner reads and receives the same thing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from litestar import Controller, MediaType, Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import ClientException, NotAuthorizedException, PermissionDeniedException
from litestar.params import FromQuery, QueryParameter
from sqlalchemy import and_, or_, select
from sqlalchemy.engine import Row

from contracts import ArticlePublished, ArticleWithdrawn
from contracts.partner import WEBHOOK_TYPES, PartnerArticlePublished, PartnerArticleWithdrawn
from runtime.service import Service
from services.syndication import partners, store
from services.syndication.domain import Site

#: Rows that changed less than this ago are not served yet. `changed_at` is taken when
#: a handler's transaction starts, not when it commits, so a transaction that began
#: earlier can commit after a later one: a reader whose cursor had already passed the
#: later row would never see the earlier one. Holding back the last seconds leaves
#: every transaction that long to commit (the handlers' take milliseconds) before any
#: cursor can move past its timestamp.
HOLD_BACK = timedelta(seconds=2)
MAX_LIMIT = 100
MAX_KEY = 200
MAX_CURSOR = 300
PUBLISHED, WITHDRAWN = (
    WEBHOOK_TYPES[PartnerArticlePublished],
    WEBHOOK_TYPES[PartnerArticleWithdrawn],
)
UNAUTHORIZED = "Cần khoá truy cập của đối tác hợp lệ (Authorization: Bearer <khoá>)."
BAD_CURSOR = "Con trỏ trang (cursor) không hợp lệ; hãy dùng đúng giá trị next_cursor đã nhận."


def _encode_cursor(changed_at: datetime, article_id: str) -> str:
    raw = json.dumps([changed_at.isoformat(), article_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, str]:
    if len(cursor) > MAX_CURSOR:
        raise ClientException(BAD_CURSOR)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        at, article_id = json.loads(raw)
        when = datetime.fromisoformat(at)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise ClientException(BAD_CURSOR) from exc
    if when.tzinfo is None or not isinstance(article_id, str) or len(article_id) > 36:
        raise ClientException(BAD_CURSOR)
    return when.astimezone(UTC), article_id


async def partner_of(service: Service, authorization: str | None) -> Row:
    """The active partner whose key the request carries, else 401."""
    scheme, _, key = (authorization or "").partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key or len(key) > MAX_KEY:
        raise NotAuthorizedException(UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
    digest = hashlib.sha256(key.encode()).hexdigest()
    assert service.db
    p = store.partners
    async with service.db.read() as session:
        row = (
            await session.execute(select(p).where(p.c.key_hash == digest, p.c.active.is_(True)))
        ).first()
    if row is None:
        raise NotAuthorizedException(UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
    return row


def _item(service: Service, row: Row, site: Site | None) -> dict[str, Any]:
    base = partners.base_url(service.settings, site, row.tenant)
    if row.status == "withdrawn" and row.withdrawal:
        gone = ArticleWithdrawn.model_validate(row.withdrawal)
        data: Any = PartnerArticleWithdrawn(
            tenant=gone.tenant, article_id=gone.article_id, version=gone.sequence,
            url=base + gone.path, withdrawn_at=gone.withdrawn_at,
            notice=gone.notice if gone.kind == "notice" else "",
        )  # fmt: skip
        kind = WITHDRAWN
    else:
        article = ArticlePublished.model_validate(row.state)
        data = partners.public_article(
            article, base=base, site_name=site.name if site else row.tenant
        )
        kind = PUBLISHED
    return {
        "type": kind,
        "changed_at": row.changed_at.isoformat(),
        "data": data.model_dump(mode="json"),
    }


class PartnerArticleController(Controller):
    path = "/api/v1/partner/articles"

    @get("/", operation_id="PartnerArticles")
    async def index(
        self,
        request: Request[Any, Any, Any],
        service: NamedDependency[Service],
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
        updated_since: FromQuery[datetime | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
        site: Annotated[str | None, QueryParameter(pattern=r"^[a-z0-9-]{1,50}$")] = None,
    ) -> Response[bytes]:
        """The partner's sites' articles changed after `cursor` (or since
        `updated_since`), oldest change first; `next_cursor` continues where this page
        ends (keep it and ask again later for what changed since). ETag: 304 when
        nothing changed."""
        partner = await partner_of(service, request.headers.get("authorization"))
        sites: list[str] = list(partner.sites)
        if site is not None and "*" not in sites and site not in sites:
            raise PermissionDeniedException(f"Đối tác không được nhận tin của trang {site}.")
        if updated_since is not None and updated_since.tzinfo is None:
            raise ClientException("`updated_since` phải ghi múi giờ, ví dụ 2026-01-01T00:00:00Z.")
        a = store.articles
        query = select(
            a.c.article_id, a.c.tenant, a.c.status, a.c.state, a.c.withdrawal, a.c.changed_at
        ).where(a.c.changed_at <= datetime.now(UTC) - HOLD_BACK)
        if site is not None:
            query = query.where(a.c.tenant == site)
        elif "*" not in sites:
            query = query.where(a.c.tenant.in_(sites))
        if updated_since is not None:
            query = query.where(a.c.changed_at >= updated_since)
        if cursor:
            at, after = _decode_cursor(cursor)
            query = query.where(
                or_(a.c.changed_at > at, and_(a.c.changed_at == at, a.c.article_id > after))
            )
        query = query.order_by(a.c.changed_at, a.c.article_id).limit(limit + 1)
        assert service.db
        async with service.db.read() as session:
            rows = (await session.execute(query)).all()
            tenants = sorted({r.tenant for r in rows})
            s = store.sites
            known = {
                r.slug: Site(r.slug, r.kind, r.name, r.domain, r.parent, r.active)
                for r in (await session.execute(select(s).where(s.c.slug.in_(tenants)))).all()
            }
        page = rows[:limit]
        body = {
            "items": [_item(service, r, known.get(r.tenant)) for r in page],
            "next_cursor": (
                _encode_cursor(page[-1].changed_at, page[-1].article_id) if page else cursor
            ),
            "has_more": len(rows) > limit,
        }
        content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
        headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Authorization"}
        if _matches(request.headers.get("if-none-match"), etag):
            return Response(b"", status_code=304, headers=headers)
        return Response(content, media_type=MediaType.JSON, headers=headers)


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags
