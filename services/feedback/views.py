"""Reads for Open311 and the reports: queries only, no rules beyond what SQL must
restate (each restated rule names the pure function it mirrors)."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from services.feedback import open311, reports
from services.feedback.domain import OTHER_FIELD, Status, is_overdue
from services.feedback.open311 import Query, RequestFacts, Update
from services.feedback.store import question_log, questions, sites

q = questions.c

# --- sites ---------------------------------------------------------------------------


async def sites_named(session: AsyncSession, slugs: Sequence[str]) -> dict[str, str]:
    if not slugs:
        return {}
    rows = await session.execute(select(sites.c.slug, sites.c.name).where(sites.c.slug.in_(slugs)))
    return {slug: name for slug, name in rows.all()}


async def city(session: AsyncSession) -> str | None:
    """The city portal's slug (its board sees the city-wide reports)."""
    query = select(sites.c.slug).where(sites.c.kind == "city").order_by(sites.c.slug).limit(1)
    return (await session.execute(query)).scalar()


async def all_sites(session: AsyncSession) -> list[reports.Site]:
    rows = await session.execute(select(sites.c.slug, sites.c.name, sites.c.kind, sites.c.active))
    return [reports.Site(r.slug, r.name, r.kind, r.active) for r in rows.all()]


# --- Open311 -------------------------------------------------------------------------

_FACTS = (
    q.id, q.code, q.kind, q.field, q.status, q.received_at, q.out_of_scope_notice_due,
    q.answer_due, q.published_question, q.answer_html, q.competent_body, q.unit,
    q.classification_overdue, q.answer_overdue,
)  # fmt: skip


def _service_clause(service: open311.Service) -> ColumnElement[bool]:
    if service.field == OTHER_FIELD:  # open311.service_of: a field not on the list
        return and_(q.kind == service.kind, q.field.notin_(open311.LISTED_FIELDS))
    return and_(q.kind == service.kind, q.field == service.field)


async def requests(session: AsyncSession, query: Query) -> list[RequestFacts]:
    """Received questions of one site matching a GeoReport query, newest first."""
    stmt = select(*_FACTS).where(
        q.tenant == query.tenant, q.status != Status.UNCONFIRMED, q.received_at.is_not(None)
    )
    if query.codes is not None:
        stmt = stmt.where(q.code.in_(query.codes))
    else:
        stmt = stmt.where(q.received_at >= query.start, q.received_at <= query.end)
        if query.services is not None:
            stmt = stmt.where(or_(*(_service_clause(s) for s in query.services)))
        if query.statuses is not None and len(query.statuses) == 1:
            closed = q.status.in_(sorted(open311.CLOSED))
            stmt = stmt.where(closed if "closed" in query.statuses else ~closed)
    stmt = stmt.order_by(q.received_at.desc(), q.id).limit(open311.MAX_RESULTS)
    return await _facts(session, list((await session.execute(stmt)).all()))


async def request(session: AsyncSession, code: str) -> tuple[str, RequestFacts] | None:
    """(site, facts) of the received question with this tracking code."""
    stmt = select(q.tenant, *_FACTS).where(q.code == code, q.status != Status.UNCONFIRMED)
    row = (await session.execute(stmt)).first()
    if row is None or row.received_at is None:
        return None
    return row.tenant, (await _facts(session, [row]))[0]


async def _facts(session: AsyncSession, rows: list[Row]) -> list[RequestFacts]:
    ids = [r.id for r in rows]
    updates: dict[str, list[Update]] = defaultdict(list)
    if ids:
        history = await session.execute(
            select(question_log.c.question_id, question_log.c.at, question_log.c.status,
                   question_log.c.note)
            .where(question_log.c.question_id.in_(ids), question_log.c.public.is_(True))
            .order_by(question_log.c.id)
        )  # fmt: skip
        for h in history.all():
            updates[h.question_id].append(Update(h.at, h.status, h.note))
    agencies = await sites_named(session, sorted({r.unit for r in rows if r.unit}))
    return [
        RequestFacts(
            code=r.code, kind=r.kind, field=r.field, status=r.status, received_at=r.received_at,
            out_of_scope_notice_due=r.out_of_scope_notice_due, answer_due=r.answer_due,
            published_question=r.published_question if r.status == Status.PUBLISHED else None,
            answer_text=_text(r.answer_html) if r.status in open311.CLOSED else None,
            competent_body=r.competent_body, agency=agencies.get(r.unit) if r.unit else None,
            overdue=is_overdue(r.classification_overdue, r.answer_overdue),
            updates=tuple(updates[r.id]),
        )
        for r in rows
    ]  # fmt: skip


def _text(html: str | None) -> str | None:
    if not html:
        return None
    plain = re.sub(r"<[^>]+>", " ", html)
    plain = plain.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
    return " ".join(plain.replace("&nbsp;", " ").replace("&amp;", "&").split()) or None


# --- reports -------------------------------------------------------------------------


def _bucket(moment: Any, months: Sequence[reports.Month]) -> ColumnElement[int]:
    """The index of the month a moment falls in (the moment lies within the period)."""
    if len(months) == 1:
        return literal(0)
    return case(
        *((moment < month.end, literal(index)) for index, month in enumerate(months[:-1])),
        else_=literal(len(months) - 1),
    )


def _on_time(done: Any, due: Any) -> ColumnElement[int]:
    """reports.on_time: done by the end of its due day (no due recorded: on time)."""
    return case((or_(due.is_(None), done <= due), 1), else_=0)


async def period_cells(
    session: AsyncSession, period: reports.Period, tenant: str | None
) -> list[reports.Cell]:
    """Per site and month: questions received, classified and answered in the period."""
    months = reports.months(period)
    start, end = period.bounds()
    out_of_scope = q.status == Status.OUT_OF_SCOPE
    # reports.classification_due: an out-of-scope notice is due the same working day.
    classification_due = case((out_of_scope, q.out_of_scope_notice_due), else_=q.classification_due)
    measures: list[tuple[str, Any, ColumnElement[int], ColumnElement[int]]] = [
        ("received", q.received_at, literal(0), literal(0)),
        ("classified", q.classified_at, _on_time(q.classified_at, classification_due),
         case((out_of_scope, 1), else_=0)),
        ("answered", q.published_at, _on_time(q.published_at, q.answer_due), literal(0)),
    ]  # fmt: skip
    cells: list[reports.Cell] = []
    for measure, moment, on_time, flagged in measures:
        inner = select(
            q.tenant.label("tenant"),
            _bucket(moment, months).label("month"),
            on_time.label("on_time"),
            flagged.label("flagged"),
        ).where(moment >= start, moment < end)
        if measure == "answered":
            inner = inner.where(q.status == Status.PUBLISHED)
        if tenant is not None:
            inner = inner.where(q.tenant == tenant)
        sub = inner.subquery()
        stmt = select(
            sub.c.tenant, sub.c.month, func.count(), func.sum(sub.c.on_time),
            func.sum(sub.c.flagged),
        ).group_by(sub.c.tenant, sub.c.month)  # fmt: skip
        cells.extend(
            reports.Cell(row[0], int(row[1]), measure, row[2], int(row[3]), int(row[4]))
            for row in (await session.execute(stmt)).all()
        )
    return cells


async def snapshot(
    session: AsyncSession, now: datetime, tenant: str | None
) -> dict[str, tuple[int, int]]:
    """Per site: (open now, overdue now), as reports.overdue_now says."""
    received = q.status == Status.RECEIVED
    answering = q.status.in_([Status.CLASSIFIED, Status.DRAFTED])
    overdue = or_(
        and_(received, q.classification_due < now),
        and_(answering, q.answer_due.is_not(None), q.answer_due < now),
    )
    stmt = (
        select(q.tenant, func.count(), func.sum(case((overdue, 1), else_=0)))
        .where(q.status.in_(sorted(reports.OPEN)))
        .group_by(q.tenant)
    )
    if tenant is not None:
        stmt = stmt.where(q.tenant == tenant)
    rows = (await session.execute(stmt)).all()
    return {row[0]: (row[1], int(row[2] or 0)) for row in rows}
