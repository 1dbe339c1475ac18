"""editorial's event consumers: submitted revisions join the review queue."""

from __future__ import annotations

from sqlalchemy import update

from contracts import Envelope, RevisionSubmitted
from runtime.messaging import UnitOfWork
from runtime.upsert import insert_once
from services.editorial import store
from services.editorial.domain import Status


async def on_revision_submitted(uow: UnitOfWork, event: RevisionSubmitted, _env: Envelope) -> None:
    # An older revision still waiting is now moot: the board decides on the newest.
    await uow.session.execute(
        update(store.reviews)
        .where(
            store.reviews.c.article_id == event.article_id,
            store.reviews.c.status == Status.pending,
            store.reviews.c.revision_number < event.revision_number,
        )
        .values(status=Status.superseded)
    )
    await insert_once(
        uow.session,
        store.reviews,
        {
            "revision_id": event.revision_id,
            "article_id": event.article_id,
            "tenant": event.tenant,
            "revision_number": event.revision_number,
            "category": event.category,
            "title": event.title,
            "summary": event.summary,
            "body_html": event.body_html,
            "author": event.author,
            "submitted_by": event.submitted_by,
            "submitted_at": event.submitted_at,
            "status": Status.pending,
        },
    )
