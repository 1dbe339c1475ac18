"""syndication's use cases between sites: the city board cross-posts an article to
component sites (and stops it); a target's board declines a copy or files it under
another category; a component's board proposes an article to the city portal, whose
board decides it in its review queue. Every change to copies goes out as one
ArticleSyndicated event per origin article, in the transaction that made it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from contracts import (
    ArticlePublished,
    ArticleSyndicated,
    DeliveryConfirmed,
    SyndicatedCopy,
    SyndicationProposed,
)
from runtime.auth import Principal
from runtime.messaging import UnitOfWork
from runtime.settings import Settings
from runtime.upsert import insert_once
from services.syndication import partners, store, websub
from services.syndication.domain import (
    MAX_REASON,
    Site,
    SyndicationError,
    all_confirmed,
    check_may_crosspost,
    check_may_decide_copy,
    check_may_propose,
    copy_id,
    copy_path,
    decline,
    pick_category,
    resolve_targets,
)

CONSUMER = "syndication"


class NotFound(LookupError):
    pass


class Conflict(SyndicationError):
    pass


# --- reading -------------------------------------------------------------------------


def site_of(row: Row) -> Site:
    return Site(row.slug, row.kind, row.name, row.domain, row.parent, row.active)


async def get_site(session: AsyncSession, slug: str) -> Site | None:
    row = (await session.execute(select(store.sites).where(store.sites.c.slug == slug))).first()
    return site_of(row) if row else None


async def all_sites(session: AsyncSession) -> list[Site]:
    return [site_of(r) for r in (await session.execute(select(store.sites))).all()]


async def tree_of(session: AsyncSession, tenant: str) -> list[dict[str, Any]]:
    row = (
        await session.execute(
            select(store.trees.c.categories).where(store.trees.c.tenant == tenant)
        )
    ).first()
    return list(row.categories) if row else []


async def of_article(
    session: AsyncSession, article_id: str, *, for_update: bool = False
) -> list[Row]:
    query = (
        select(store.copies)
        .where(store.copies.c.article_id == article_id)
        .order_by(store.copies.c.tenant)
    )
    if for_update:
        query = query.with_for_update()
    return list((await session.execute(query)).all())


async def article_row(
    session: AsyncSession, article_id: str, *, for_update: bool = False
) -> Row | None:
    query = select(store.articles).where(store.articles.c.article_id == article_id)
    if for_update:
        query = query.with_for_update()
    return (await session.execute(query)).first()


async def live_article(
    session: AsyncSession, article_id: str, *, for_update: bool = False
) -> tuple[Row, ArticlePublished]:
    row = await article_row(session, article_id, for_update=for_update)
    if row is None:
        raise NotFound("Không tìm thấy bài đã xuất bản này.")
    if row.status != "live":
        raise SyndicationError("Bài đã bị gỡ khỏi trang gốc nên không đăng lại được.")
    return row, ArticlePublished.model_validate(row.state)


def origin_url(settings: Settings, origin: Site | None, article: ArticlePublished) -> str:
    if origin is None:
        return article.path
    return settings.site_url(origin.slug, origin.domain).rstrip("/") + article.path


# --- sending ---------------------------------------------------------------------------


async def send(
    uow: UnitOfWork,
    settings: Settings,
    article: ArticlePublished,
    rows: Sequence[Row],
    *,
    status: str,
    reason: str,
    now: datetime,
    receipt_sequence: int | None = None,
) -> None:
    """Bring `rows` (copies of `article`) to `status` on their sites: each copy's
    version goes up, and one ArticleSyndicated carries them all. With
    `receipt_sequence` (a publication or withdrawal of the origin), that receipt's
    'syndication' step waits for the sites' confirmations, or is done at once when
    the article has no copies."""
    origin_sequence = receipt_sequence or article.sequence
    if receipt_sequence is not None:
        action = "withdrawn" if status == "withdrawn" else "published"
        await _open_receipt(uow, article, origin_sequence, now, count=len(rows), action=action)
    if not rows:
        return
    out: list[SyndicatedCopy] = []
    for row in rows:
        sequence = row.sequence + 1
        values: dict[str, Any] = {
            "status": status,
            "reason": reason,
            "sequence": sequence,
            "origin_sequence": origin_sequence,
            "changed_at": now,
        }
        await uow.session.execute(
            update(store.copies).where(store.copies.c.copy_id == row.copy_id).values(**values)
        )
        out.append(
            SyndicatedCopy(
                copy_id=row.copy_id,
                tenant=row.tenant,
                path=row.path,
                category=row.category,
                category_name=row.category_name,
                status="live" if status == "live" else "withdrawn",
                sequence=sequence,
                proposal_id=row.proposal_id,
                reason=reason,
            )
        )
    origin = await get_site(uow.session, article.tenant)
    uow.emit(
        ArticleSyndicated(
            tenant=article.tenant,
            article_id=article.article_id,
            origin_url=origin_url(settings, origin, article),
            origin_name=origin.name if origin else article.tenant,
            article=article,
            copies=out,
        )
    )
    sites = {s.slug: s for s in await all_sites(uow.session)}
    await partners.copies_changed(uow, settings, article, out, sites=sites, now=now)
    for copy in out:
        await websub.feeds_changed(
            uow.session, settings, sites.get(copy.tenant), [copy.category], now=now
        )


async def _open_receipt(
    uow: UnitOfWork, article: ArticlePublished, sequence: int, now: datetime, *, count: int,
    action: str,
) -> None:  # fmt: skip
    if count == 0:
        uow.emit(
            DeliveryConfirmed(
                tenant=article.tenant,
                article_id=article.article_id,
                sequence=sequence,
                step="syndication",
                consumer=CONSUMER,
                action=action,  # type: ignore[arg-type]
                confirmed_at=now,
                detail="Bài không đăng lại trên trang nào.",
            )
        )
        return
    await insert_once(
        uow.session,
        store.confirmations,
        {"article_id": article.article_id, "sequence": sequence, "step": "syndication",
         "tenant": article.tenant, "published_at": now, "confirmed_at": None},
    )  # fmt: skip


async def confirm_receipt_if_complete(uow: UnitOfWork, article_id: str) -> None:
    """Done for each open 'syndication' step of this article whose copies all confirmed."""
    open_steps = (
        await uow.session.execute(
            select(store.confirmations).where(
                store.confirmations.c.article_id == article_id,
                store.confirmations.c.step == "syndication",
                store.confirmations.c.confirmed_at.is_(None),
            )
        )
    ).all()
    if not open_steps:
        return
    rows = [dict(r._mapping) for r in await of_article(uow.session, article_id)]
    for step in open_steps:
        relevant = [c for c in rows if c["origin_sequence"] == step.sequence and c["sequence"]]
        if not relevant or not all_confirmed(relevant, step.sequence):
            continue
        last = max(c["confirmed_at"] for c in relevant)
        done = await uow.session.execute(
            update(store.confirmations)
            .where(
                store.confirmations.c.article_id == article_id,
                store.confirmations.c.sequence == step.sequence,
                store.confirmations.c.step == "syndication",
                store.confirmations.c.confirmed_at.is_(None),
            )
            .values(confirmed_at=last)
        )
        if not done.rowcount:  # type: ignore[attr-defined]
            continue
        shown = sum(1 for c in relevant if c["status"] == "live")
        withdrawn = all(c["status"] != "live" for c in relevant)
        uow.emit(
            DeliveryConfirmed(
                tenant=step.tenant,
                article_id=article_id,
                sequence=step.sequence,
                step="syndication",
                consumer=CONSUMER,
                action="withdrawn" if withdrawn else "published",
                confirmed_at=last,
                detail=f"{shown}/{len(relevant)} trang nhận đang hiển thị bài."
                if not withdrawn
                else f"Đã gỡ khỏi {len(relevant)} trang nhận.",
            )
        )


# --- the city board cross-posts ------------------------------------------------------------


async def crosspost(
    uow: UnitOfWork,
    settings: Settings,
    by: Principal,
    *,
    article_id: str,
    targets: dict[str, Any],
    category: str | None,
    now: datetime,
) -> Row:
    session = uow.session
    # The article's row, locked, serialises cross-posts and proposals of one article
    # (its first copy has no row to lock yet: two at once would insert it twice) and
    # keeps a withdrawal from passing between this check and the copies going live.
    row, article = await live_article(session, article_id, for_update=True)
    origin = check_may_crosspost(by, await get_site(session, row.tenant))
    chosen = resolve_targets(targets, await all_sites(session), origin)
    existing = {c.tenant: c for c in await of_article(session, article_id, for_update=True)}
    post_id = str(uuid.uuid4())
    await session.execute(
        store.crossposts.insert().values(
            id=post_id, article_id=article_id, origin=origin.slug, targets=targets,
            category=category, status="active", created_by=by.username, created_at=now,
        )
    )  # fmt: skip
    to_send: list[Row] = []
    for site in chosen:
        before = existing.get(site.slug)
        if before is not None and before.status in ("live", "declined", "pending"):
            continue  # already there, or its board said no: not ours to overrule
        slug, name = pick_category(await tree_of(session, site.slug), category, article.category)
        cid = copy_id(article_id, site.slug)
        if before is None:
            await session.execute(
                store.copies.insert().values(
                    copy_id=cid, article_id=article_id, origin=origin.slug, tenant=site.slug,
                    crosspost_id=post_id, proposal_id=None,
                    path=copy_path(slug, article.slug, cid), category=slug, category_name=name,
                    status="new", reason="", sequence=0, origin_sequence=article.sequence,
                    created_at=now, changed_at=now,
                )
            )  # fmt: skip
        else:
            await session.execute(
                update(store.copies)
                .where(store.copies.c.copy_id == cid)
                .values(crosspost_id=post_id, category=slug, category_name=name)
            )
        to_send.append(await _copy(session, cid))
    await send(uow, settings, article, to_send, status="live", reason="", now=now)
    if to_send:
        await _open_receipt(uow, article, article.sequence, now, count=len(to_send),
                            action="published")  # fmt: skip
    post = await get_crosspost(session, post_id)
    uow.audit(
        actor=by.username,
        action="syndication.crosspost",
        subject=f"article:{article_id}",
        tenant=origin.slug,
        after={"crosspost": post_id, "targets": targets, "category": category,
               "sites": [c.tenant for c in to_send]},
    )  # fmt: skip
    return post


async def stop_crosspost(
    uow: UnitOfWork, settings: Settings, by: Principal, post_id: str, *, now: datetime
) -> Row:
    session = uow.session
    post = await get_crosspost(session, post_id, for_update=True)
    check_may_crosspost(by, await get_site(session, post.origin))
    if post.status != "active":
        raise Conflict("Lần đăng lại này đã dừng rồi.")
    await session.execute(
        update(store.crossposts)
        .where(store.crossposts.c.id == post_id)
        .values(status="stopped", stopped_by=by.username, stopped_at=now)
    )
    live = [
        c
        for c in await of_article(session, post.article_id, for_update=True)
        if c.crosspost_id == post_id and c.status == "live"
    ]
    row = await article_row(session, post.article_id)
    assert row is not None
    article = ArticlePublished.model_validate(row.state)
    await send(uow, settings, article, live, status="withdrawn", reason="stopped", now=now)
    uow.audit(
        actor=by.username,
        action="syndication.stop",
        subject=f"article:{post.article_id}",
        tenant=post.origin,
        after={"crosspost": post_id, "sites": [c.tenant for c in live]},
    )
    return await get_crosspost(session, post_id)


async def get_crosspost(session: AsyncSession, post_id: str, *, for_update: bool = False) -> Row:
    query = select(store.crossposts).where(store.crossposts.c.id == post_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound("Không tìm thấy lần đăng lại này.")
    return row


async def _copy(session: AsyncSession, cid: str, *, for_update: bool = False) -> Row:
    query = select(store.copies).where(store.copies.c.copy_id == cid)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound("Không tìm thấy bài đăng lại này.")
    return row


# --- a target's board ---------------------------------------------------------------------


async def decline_copy(
    uow: UnitOfWork, settings: Settings, by: Principal, cid: str, reason: str, *, now: datetime
) -> Row:
    copy = await _copy(uow.session, cid, for_update=True)
    check_may_decide_copy(by, copy.tenant)
    decline(copy.status)
    note = " ".join(reason.split())[:MAX_REASON]
    article = await _article_state(uow.session, copy.article_id)
    await send(uow, settings, article, [copy], status="declined", reason="declined", now=now)
    await uow.session.execute(
        update(store.copies)
        .where(store.copies.c.copy_id == cid)
        .values(decided_by=by.username, decided_at=now, reason="declined")
    )
    uow.audit(
        actor=by.username,
        action="syndication.decline",
        subject=f"copy:{cid}",
        tenant=copy.tenant,
        before={"status": copy.status},
        after={"status": "declined", "note": note, "article": copy.article_id},
    )
    return await _copy(uow.session, cid)


async def recategorise(
    uow: UnitOfWork, settings: Settings, by: Principal, cid: str, category: str, *, now: datetime
) -> Row:
    copy = await _copy(uow.session, cid, for_update=True)
    check_may_decide_copy(by, copy.tenant)
    tree = {c["slug"]: c for c in await tree_of(uow.session, copy.tenant)}
    if category not in tree:
        raise SyndicationError(f"Trang {copy.tenant} không có chuyên mục «{category}».")
    if copy.status not in ("live", "pending"):
        raise SyndicationError("Chỉ đổi chuyên mục của bài đăng lại đang hiển thị.")
    await uow.session.execute(
        update(store.copies)
        .where(store.copies.c.copy_id == cid)
        .values(category=category, category_name=str(tree[category]["name"]))
    )
    if copy.status == "live":
        article = await _article_state(uow.session, copy.article_id)
        await send(uow, settings, article, [await _copy(uow.session, cid)], status="live",
                   reason="", now=now)  # fmt: skip
    uow.audit(
        actor=by.username,
        action="syndication.recategorise",
        subject=f"copy:{cid}",
        tenant=copy.tenant,
        before={"category": copy.category},
        after={"category": category},
    )
    return await _copy(uow.session, cid)


async def _article_state(session: AsyncSession, article_id: str) -> ArticlePublished:
    row = await article_row(session, article_id)
    if row is None:
        raise NotFound("Không tìm thấy bài gốc.")
    return ArticlePublished.model_validate(row.state)


# --- a component's board proposes to the city ---------------------------------------------


async def propose(
    uow: UnitOfWork,
    settings: Settings,
    by: Principal,
    *,
    article_id: str,
    note: str,
    category: str | None,
    now: datetime,
) -> Row:
    session = uow.session
    row, article = await live_article(session, article_id, for_update=True)  # as crosspost
    origin = await get_site(session, row.tenant)
    city = check_may_propose(
        by, origin, await get_site(session, origin.parent) if origin and origin.parent else None
    )
    assert origin is not None
    cid = copy_id(article_id, city.slug)
    before = (
        await session.execute(
            select(store.copies).where(store.copies.c.copy_id == cid).with_for_update()
        )
    ).first()
    if before is not None and before.status == "pending":
        raise Conflict("Bài này đang chờ Ban Biên tập Cổng duyệt.")
    if before is not None and before.status == "live":
        raise Conflict("Bài này đã đăng trên Cổng.")
    slug, name = pick_category(await tree_of(session, city.slug), category, article.category)
    proposal_id = str(uuid.uuid4())
    clean_note = " ".join(note.split())[:MAX_REASON]
    await session.execute(
        store.proposals.insert().values(
            id=proposal_id, article_id=article_id, origin=origin.slug, target=city.slug,
            copy_id=cid, category=slug, note=clean_note, status="pending",
            proposed_by=by.username, proposed_at=now,
        )
    )  # fmt: skip
    values = {
        "proposal_id": proposal_id, "crosspost_id": None, "category": slug, "category_name": name,
        "status": "pending", "reason": "", "origin_sequence": article.sequence, "changed_at": now,
        "decided_by": None, "decided_at": None,
    }  # fmt: skip
    if before is None:
        await session.execute(
            store.copies.insert().values(
                copy_id=cid, article_id=article_id, origin=origin.slug, tenant=city.slug,
                path=copy_path(slug, article.slug, cid), sequence=0, created_at=now, **values,
            )
        )  # fmt: skip
    else:
        await session.execute(
            update(store.copies).where(store.copies.c.copy_id == cid).values(**values)
        )
    uow.emit(
        SyndicationProposed(
            tenant=city.slug,
            proposal_id=proposal_id,
            copy_id=cid,
            article_id=article_id,
            origin_tenant=origin.slug,
            origin_name=origin.name,
            origin_url=origin_url(settings, origin, article),
            category=slug,
            title=article.title,
            summary=article.summary,
            body_html=article.body_html,
            author=article.author,
            kind=article.kind,
            language=article.language,
            proposed_by=by.username,
            proposed_at=now,
            note=clean_note,
        )
    )
    uow.audit(
        actor=by.username,
        action="syndication.propose",
        subject=f"article:{article_id}",
        tenant=origin.slug,
        after={"proposal": proposal_id, "target": city.slug, "category": slug},
    )
    return await get_proposal(session, proposal_id)


async def get_proposal(session: AsyncSession, proposal_id: str) -> Row:
    row = (
        await session.execute(select(store.proposals).where(store.proposals.c.id == proposal_id))
    ).first()
    if row is None:
        raise NotFound("Không tìm thấy đề xuất này.")
    return row


async def proposal_decided(
    uow: UnitOfWork,
    settings: Settings,
    proposal_id: str,
    *,
    approved: bool,
    by: str,
    at: datetime,
    ground: str | None = None,
    reason: str = "",
) -> None:
    """The city board's decision in editorial: approved, the copy goes live on the city
    portal; rejected, it never appears. Decisions on anything else are not ours."""
    session = uow.session
    proposal = (
        await session.execute(
            select(store.proposals).where(store.proposals.c.id == proposal_id).with_for_update()
        )
    ).first()
    if proposal is None or proposal.status != "pending":
        return
    status = "approved" if approved else "rejected"
    await session.execute(
        update(store.proposals)
        .where(store.proposals.c.id == proposal_id)
        .values(status=status, decided_by=by, decided_at=at, ground=ground,
                reason=reason or None)
    )  # fmt: skip
    copy = await _copy(session, proposal.copy_id, for_update=True)
    if copy.proposal_id != proposal_id:
        return
    if not approved:
        await session.execute(
            update(store.copies)
            .where(store.copies.c.copy_id == copy.copy_id)
            .values(status="rejected", decided_by=by, decided_at=at)
        )
        return
    row = await article_row(session, proposal.article_id)
    if row is None or row.status != "live":
        await session.execute(
            update(store.proposals)
            .where(store.proposals.c.id == proposal_id)
            .values(status="withdrawn")
        )
        return
    await session.execute(
        update(store.copies)
        .where(store.copies.c.copy_id == copy.copy_id)
        .values(decided_by=by, decided_at=at)
    )
    article = ArticlePublished.model_validate(row.state)
    await send(uow, settings, article, [copy], status="live", reason="", now=at)


async def withdraw_proposals(uow: UnitOfWork, proposal_ids: Sequence[str]) -> None:
    """The origin was withdrawn while the city board was still to decide."""
    await uow.session.execute(
        update(store.proposals)
        .where(store.proposals.c.id.in_(list(proposal_ids)), store.proposals.c.status == "pending")
        .values(status="withdrawn")
    )
    await uow.session.execute(
        update(store.copies)
        .where(
            store.copies.c.proposal_id.in_(list(proposal_ids)), store.copies.c.status == "pending"
        )
        .values(status="withdrawn", reason="origin_withdrawn")
    )
