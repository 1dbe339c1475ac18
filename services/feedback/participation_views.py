"""Reads for participation: a consultation or a dialogue as anyone may see it, for the
API and the citizens' pages alike. Queries from participation_store.py, what may be
shown by the rules (consultation_rules.public_comment, dialogue_rules.public_answer).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from services.feedback import participation_store
from services.feedback.consultation_rules import PHASE_VI, CommentStatus, phase, public_comment
from services.feedback.dialogue_rules import STATE_VI, State, allowed, current_state, public_answer


async def public_consultation(session: AsyncSession, row: Row, now: datetime) -> dict[str, Any]:
    """A consultation as anyone may see it: the draft, the published comments, the
    number received per article and, after closing, the summary and responses."""
    current = phase(row.opens_at, row.closes_at, now)
    published = [
        public_comment(c, row.articles)
        for c in await participation_store.comments_of(session, row.id, [CommentStatus.PUBLISHED])
    ]
    received = await participation_store.comments_received(session, row.id)
    view: dict[str, Any] = {
        "id": row.id,
        "tenant": row.tenant,
        "title": row.title,
        "summary": row.summary,
        "attachment_url": row.attachment_url,
        "opens_at": row.opens_at,
        "closes_at": row.closes_at,
        "phase": current.value,
        "phase_label": PHASE_VI[current],
        "articles": [
            {
                "position": i,
                **a,
                "received": received.get(i, 0),
                "comments": [c for c in published if c["article"] == i],
            }
            for i, a in enumerate(row.articles, 1)
        ],
        "general": {
            "received": received.get(None, 0),
            "comments": [c for c in published if c["article"] is None],
        },
        "received": sum(received.values()),
        "report": None,
    }
    if row.report_published_at is not None:
        by_response: dict[int, list[dict[str, Any]]] = {}
        for c in await participation_store.comments_of(session, row.id, [CommentStatus.PUBLISHED]):
            if c.response_id is not None:
                by_response.setdefault(c.response_id, []).append(public_comment(c, row.articles))
        view["report"] = {
            "html": row.report_html,
            "published_at": row.report_published_at,
            "responses": [
                {"text": r.text, "comments": by_response.get(r.id, [])}
                for r in await participation_store.responses_of(session, row.id)
            ],
        }
    return view


async def public_dialogue(session: AsyncSession, row: Row, now: datetime) -> dict[str, Any]:
    """A session as anyone may see it: answered questions are shown while it runs and
    after it; the transcript is final once published."""
    current = current_state(row, now)
    answered = []
    if current is not State.SCHEDULED:
        answered = [
            public_answer(q)
            for q in await participation_store.questions_of(session, row.id, answered_only=True)
        ]
    return {
        "id": row.id,
        "tenant": row.tenant,
        "topic": row.topic,
        "description": row.description,
        "leader_name": row.leader_name,
        "leader_title": row.leader_title,
        "starts_at": row.starts_at,
        "ends_at": row.ends_at,
        "state": current.value,
        "state_label": STATE_VI[current],
        "taking_questions": allowed("ask", current),
        "questions_received": await participation_store.questions_received(session, row.id),
        "answered": answered,
        "transcript_published_at": row.transcript_published_at,
        "transcript_note": row.transcript_note,
    }
