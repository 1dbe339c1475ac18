"""What partner systems are told: each change of a public article (an origin or its
copies) and each public answer goes to the curated `partner.*` topics and, as a
signed webhook message, into the delivery queue of every partner subscribed to that
site and type. The receipt's 'partners' step of a publication is done when every
subscribed partner has taken it (at once, when none is).

Only public fields leave here, with absolute URLs: contracts/partner.py.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select, update

from contracts import (
    AnswerPublished,
    ArticlePublished,
    ArticleWithdrawn,
    DeliveryConfirmed,
    SyndicatedCopy,
)
from contracts.events import Event
from contracts.partner import (
    WEBHOOK_TYPES,
    PartnerAnswerPublished,
    PartnerArticlePublished,
    PartnerArticleWithdrawn,
    PublicAttachment,
    PublicImage,
)
from runtime.messaging import UnitOfWork
from runtime.settings import Settings
from runtime.upsert import insert_once
from services.syndication import store
from services.syndication.domain import Site

CONSUMER = "syndication"
#: Relative links in a body: made absolute, since a partner shows it elsewhere.
_RELATIVE = re.compile(r'(\s(?:href|src)=")(/(?!/)[^"]*)"')


def base_url(settings: Settings, site: Site | None, tenant: str) -> str:
    if site is None:
        return settings.site_url(tenant, tenant).rstrip("/")
    return settings.site_url(site.slug, site.domain).rstrip("/")


def absolute_body(body_html: str, base: str) -> str:
    return _RELATIVE.sub(lambda m: f'{m.group(1)}{base}{m.group(2)}"', body_html)


def _absolute(base: str, url: str) -> str:
    return base + url if url.startswith("/") and not url.startswith("//") else url


def public_article(
    article: ArticlePublished,
    *,
    base: str,
    site_name: str,
    canonical_url: str | None = None,
    tenant: str | None = None,
    article_id: str | None = None,
    version: int | None = None,
    path: str | None = None,
    category: tuple[str, str] | None = None,
) -> PartnerArticlePublished:
    """An article as partners see it: on its own site, or (the keyword arguments) as a
    copy on another site, whose canonical URL is the origin's."""
    url = base + (path or article.path)
    slug, name = category or (article.category, article.category_name)
    return PartnerArticlePublished(
        tenant=tenant or article.tenant,
        article_id=article_id or article.article_id,
        version=version or article.sequence,
        site_name=site_name,
        url=url,
        canonical_url=canonical_url or url,
        kind=article.kind,
        language=article.language,
        category=slug,
        category_name=name,
        title=article.title,
        summary=article.summary,
        body_html=absolute_body(article.body_html, base),
        author=article.author,
        published_at=article.published_at,
        updated_at=article.updated_at,
        images=[
            PublicImage(
                url=_absolute(base, i.url),
                alt=i.alt,
                caption=i.caption,
                width=i.width,
                height=i.height,
            )
            for i in article.images
        ],
        attachments=[
            PublicAttachment(
                url=_absolute(base, a.url),
                filename=a.filename,
                title=a.title,
                media_type=a.media_type,
                size=a.size,
            )
            for a in article.attachments
        ],
    )


async def _site(uow: UnitOfWork, slug: str) -> Site | None:
    row = (await uow.session.execute(select(store.sites).where(store.sites.c.slug == slug))).first()
    return Site(row.slug, row.kind, row.name, row.domain, row.parent, row.active) if row else None


async def article_published(
    uow: UnitOfWork, settings: Settings, event: ArticlePublished, *, now: datetime
) -> None:
    site = await _site(uow, event.tenant)
    base = base_url(settings, site, event.tenant)
    public = public_article(event, base=base, site_name=site.name if site else event.tenant)
    count = await tell(uow, public, subject=event.article_id, sequence=event.sequence, now=now)
    await open_receipt(uow, event.tenant, event.article_id, event.sequence, count=count,
                       action="published", now=now)  # fmt: skip


async def article_withdrawn(
    uow: UnitOfWork, settings: Settings, event: ArticleWithdrawn, *, now: datetime
) -> None:
    site = await _site(uow, event.tenant)
    public = PartnerArticleWithdrawn(
        tenant=event.tenant,
        article_id=event.article_id,
        version=event.sequence,
        url=base_url(settings, site, event.tenant) + event.path,
        withdrawn_at=event.withdrawn_at,
        notice=event.notice if event.kind == "notice" else "",
    )
    count = await tell(uow, public, subject=event.article_id, sequence=event.sequence, now=now)
    await open_receipt(uow, event.tenant, event.article_id, event.sequence, count=count,
                       action="withdrawn", now=now)  # fmt: skip


async def copies_changed(
    uow: UnitOfWork,
    settings: Settings,
    article: ArticlePublished,
    copies: Sequence[SyndicatedCopy],
    *,
    sites: Mapping[str, Site],
    now: datetime,
) -> None:
    """A copy is an article of its site, for partners: live or withdrawn there."""
    origin = sites.get(article.tenant)
    canonical = base_url(settings, origin, article.tenant) + article.path
    for copy in copies:
        site = sites.get(copy.tenant)
        base = base_url(settings, site, copy.tenant)
        public: Event
        if copy.status == "live":
            public = public_article(
                article, base=base, site_name=site.name if site else copy.tenant,
                canonical_url=canonical, tenant=copy.tenant, article_id=copy.copy_id,
                version=copy.sequence, path=copy.path,
                category=(copy.category, copy.category_name),
            )  # fmt: skip
        else:
            public = PartnerArticleWithdrawn(
                tenant=copy.tenant, article_id=copy.copy_id, version=copy.sequence,
                url=base + copy.path, withdrawn_at=now,
            )  # fmt: skip
        await tell(uow, public, subject=copy.copy_id, sequence=copy.sequence, now=now)


async def answer_published(
    uow: UnitOfWork, settings: Settings, event: AnswerPublished, *, now: datetime
) -> None:
    site = await _site(uow, event.tenant)
    public = PartnerAnswerPublished(
        tenant=event.tenant,
        question_id=event.question_id,
        code=event.code,
        kind=event.kind,
        field=event.field,
        title=event.title,
        question_text=event.question_text,
        answer_html=event.answer_html,
        url=base_url(settings, site, event.tenant) + event.path,
        received_at=event.received_at,
        published_at=event.published_at,
        on_time=event.on_time,
    )
    await tell(uow, public, subject=event.question_id, sequence=None, now=now)


# --- the queue ---------------------------------------------------------------------------


async def tell(
    uow: UnitOfWork, public: Event, *, subject: str, sequence: int | None, now: datetime
) -> int:
    """Put `public` on its partner topic and in the queue of every subscribed webhook;
    how many webhooks will receive it."""
    uow.emit(public)
    return await enqueue(
        uow,
        tenant=public.tenant,
        type=WEBHOOK_TYPES[type(public)],
        subject=subject,
        source_sequence=sequence,
        data=public.model_dump(mode="json"),
        occurred_at=now,
    )


def webhook_body(type_: str, data: Mapping[str, Any], at: datetime) -> str:
    """The Standard Webhooks payload: {"type", "timestamp", "data"}."""
    return json.dumps(
        {"type": type_, "timestamp": at.isoformat(), "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
    )


async def enqueue(
    uow: UnitOfWork,
    *,
    tenant: str,
    type: str,
    subject: str,
    source_sequence: int | None,
    data: Mapping[str, Any],
    occurred_at: datetime,
) -> int:
    """One delivery per active webhook of each active partner that takes `type` from
    `tenant`. The body is fixed here: retries and replays send these exact bytes."""
    rows = (
        await uow.session.execute(
            select(
                store.webhooks.c.id,
                store.partners.c.id.label("partner_id"),
                store.partners.c.sites,
                store.partners.c.topics,
            )
            .join(store.partners, store.partners.c.id == store.webhooks.c.partner_id)
            .where(store.webhooks.c.active.is_(True), store.partners.c.active.is_(True))
        )
    ).all()
    body = webhook_body(type, data, occurred_at)
    queued = [
        {
            "id": f"msg_{uuid.uuid4().hex}",
            "webhook_id": row.id,
            "partner_id": row.partner_id,
            "type": type,
            "tenant": tenant,
            "subject": subject,
            "source_sequence": source_sequence,
            "body": body,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": occurred_at,
            "occurred_at": occurred_at,
        }
        for row in rows
        if type in row.topics and ("*" in row.sites or tenant in row.sites)
    ]
    if queued:  # one statement for every webhook (a cross-post queues many)
        await uow.session.execute(store.deliveries.insert(), queued)
    return len(queued)


# --- the receipt's 'partners' step ---------------------------------------------------


async def open_receipt(
    uow: UnitOfWork, tenant: str, article_id: str, sequence: int, *, count: int, action: str,
    now: datetime,
) -> None:  # fmt: skip
    if count == 0:
        uow.emit(
            DeliveryConfirmed(
                tenant=tenant,
                article_id=article_id,
                sequence=sequence,
                step="partners",
                consumer=CONSUMER,
                action=action,
                confirmed_at=now,  # type: ignore[arg-type]
                detail="Không có hệ thống đối tác nào nhận tin của trang này.",
            )
        )
        return
    await insert_once(
        uow.session,
        store.confirmations,
        {"article_id": article_id, "sequence": sequence, "step": "partners", "tenant": tenant,
         "published_at": now, "confirmed_at": None},
    )  # fmt: skip


async def confirm_if_delivered(uow: UnitOfWork, subject: str, sequence: int | None) -> None:
    """Called by the dispatcher after deliveries of (subject, sequence) succeeded: the
    'partners' step is done once none of them is still pending (dead ones count as
    taken: the delivery log shows them to the operators)."""
    if sequence is None:
        return
    step = (
        await uow.session.execute(
            select(store.confirmations).where(
                store.confirmations.c.article_id == subject,
                store.confirmations.c.sequence == sequence,
                store.confirmations.c.step == "partners",
                store.confirmations.c.confirmed_at.is_(None),
            )
        )
    ).first()
    if step is None:
        return
    same = and_(
        store.deliveries.c.subject == subject, store.deliveries.c.source_sequence == sequence
    )
    counts = dict(
        (
            await uow.session.execute(
                select(store.deliveries.c.status, func.count())
                .where(same)
                .group_by(store.deliveries.c.status)
            )
        ).all()
    )
    if counts.get("pending"):
        return
    last = await uow.session.scalar(select(func.max(store.deliveries.c.delivered_at)).where(same))
    done = await uow.session.execute(
        update(store.confirmations)
        .where(
            store.confirmations.c.article_id == subject,
            store.confirmations.c.sequence == sequence,
            store.confirmations.c.step == "partners",
            store.confirmations.c.confirmed_at.is_(None),
        )
        .values(confirmed_at=last or step.published_at)
    )
    if not done.rowcount:  # type: ignore[attr-defined]
        return
    delivered, dead = counts.get("delivered", 0), counts.get("dead", 0)
    uow.emit(
        DeliveryConfirmed(
            tenant=step.tenant, article_id=subject, sequence=sequence, step="partners",
            consumer=CONSUMER, action="published", confirmed_at=last or step.published_at,
            detail=f"{delivered} đối tác đã nhận" + (f", {dead} không nhận được" if dead else "")
            + ".",
        )
    )  # fmt: skip
