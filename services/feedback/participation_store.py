"""Participation's tables and queries (SQLAlchemy 2): consultations on draft documents,
online dialogues, satisfaction ratings. The tables are on store.metadata beside the
questions' (one schema, one migration history); their rules are in
consultation_rules.py, dialogue_rules.py and rating_rules.py, the state changes that
write them in participation_commands.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Select,
    SmallInteger,
    String,
    Table,
    Text,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from runtime.types import UtcDateTime
from services.feedback.consultation_rules import CommentStatus
from services.feedback.dialogue_rules import QuestionStatus
from services.feedback.rating_rules import month_of
from services.feedback.store import metadata

# --- consultations -----------------------------------------------------------------------------

consultations = Table(
    "consultations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant", String(50), nullable=False),
    Column("title", String(300), nullable=False),
    Column("summary", Text, nullable=False),
    #: [{"number": "Điều 1", "heading": "...", "text": "..."}], in order; a comment
    #: names an article by its 1-based position.
    Column("articles", JSON, nullable=False),
    Column("attachment_url", String(500), nullable=True),
    Column("opens_at", UtcDateTime(), nullable=False),
    Column("closes_at", UtcDateTime(), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    #: The agency's summary of the comments (sanitised HTML), after closing.
    Column("report_html", Text, nullable=True),
    Column("report_published_at", UtcDateTime(), nullable=True),
    Column("report_by", String(100), nullable=True),
    Column("version", Integer, nullable=False, server_default="1"),
    Index("ix_consultations_tenant_opens", "tenant", "opens_at"),
)

consultation_responses = Table(
    "consultation_responses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "consultation_id", String(36), ForeignKey("consultations.id"), nullable=False, index=True
    ),
    Column("position", Integer, nullable=False),
    Column("text", Text, nullable=False),
)

consultation_comments = Table(
    "consultation_comments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("consultation_id", String(36), ForeignKey("consultations.id"), nullable=False),
    #: The article's 1-based position in the draft; None for the draft as a whole.
    Column("article", Integer, nullable=True),
    Column("name", String(200), nullable=False),
    Column("email", String(254), nullable=False),
    #: The sender agreed to have their name shown with the comment.
    Column("show_name", Boolean, nullable=False),
    Column("text", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("submitted_at", UtcDateTime(), nullable=False),
    Column("confirmed_at", UtcDateTime(), nullable=True),
    #: sha256 of the secret in the confirmation link; the link itself is never stored.
    Column("confirm_hash", String(64), nullable=True, unique=True),
    Column("moderated_by", String(100), nullable=True),
    Column("moderated_at", UtcDateTime(), nullable=True),
    Column("response_id", Integer, ForeignKey("consultation_responses.id"), nullable=True),
    Index("ix_consultation_comments_status", "consultation_id", "status"),
)


async def _first(session: AsyncSession, query: Select[Any], *, lock: bool) -> Row | None:
    """The first row `query` finds, locked for update if `lock`."""
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).first()


async def _latest(
    session: AsyncSession, table: Table, tenant: str, since: str, limit: int
) -> list[Row]:
    """A site's rows of `table`, the latest by the column `since` first."""
    query = (
        select(table)
        .where(table.c.tenant == tenant)
        .order_by(table.c[since].desc(), table.c.id)
        .limit(limit)
    )
    return list((await session.execute(query)).all())


async def consultation(
    session: AsyncSession, consultation_id: str, *, lock: bool = False
) -> Row | None:
    query = select(consultations).where(consultations.c.id == consultation_id)
    return await _first(session, query, lock=lock)


async def consultations_of(session: AsyncSession, tenant: str, limit: int = 300) -> list[Row]:
    """A site's consultations, the latest to open first."""
    return await _latest(session, consultations, tenant, "opens_at", limit)


async def comment(
    session: AsyncSession, consultation_id: str, comment_id: str, *, lock: bool = False
) -> Row | None:
    c = consultation_comments.c
    query = select(consultation_comments).where(
        c.id == comment_id, c.consultation_id == consultation_id
    )
    return await _first(session, query, lock=lock)


async def comments_of(
    session: AsyncSession, consultation_id: str, statuses: Sequence[str] | None = None
) -> list[Row]:
    """A consultation's comments (in `statuses`, if given), in the order confirmed."""
    c = consultation_comments.c
    query = select(consultation_comments).where(c.consultation_id == consultation_id)
    if statuses is not None:
        query = query.where(c.status.in_(list(statuses)))
    return list((await session.execute(query.order_by(c.confirmed_at, c.id))).all())


async def published_comment_ids(
    session: AsyncSession, consultation_id: str, comment_ids: Sequence[str]
) -> set[str]:
    """Which of `comment_ids` are published comments of this consultation."""
    c = consultation_comments.c
    query = select(c.id).where(
        c.consultation_id == consultation_id,
        c.status == CommentStatus.PUBLISHED,
        c.id.in_(comment_ids),
    )
    return set((await session.execute(query)).scalars())


async def comments_received(session: AsyncSession, consultation_id: str) -> dict[int | None, int]:
    """Confirmed comments per article (None: on the draft as a whole)."""
    c = consultation_comments.c
    query = (
        select(c.article, func.count())
        .where(c.consultation_id == consultation_id, c.status != CommentStatus.UNCONFIRMED)
        .group_by(c.article)
    )
    return {article: int(n) for article, n in (await session.execute(query)).all()}


async def responses_of(session: AsyncSession, consultation_id: str) -> list[Row]:
    """The responses of a consultation's summary, in order."""
    r = consultation_responses.c
    query = select(consultation_responses).where(r.consultation_id == consultation_id)
    return list((await session.execute(query.order_by(r.position))).all())


# --- dialogues ---------------------------------------------------------------------------------

dialogues = Table(
    "dialogues",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("tenant", String(50), nullable=False),
    Column("topic", String(300), nullable=False),
    Column("description", Text, nullable=False),
    Column("leader_name", String(200), nullable=False),
    Column("leader_title", String(300), nullable=False),
    Column("starts_at", UtcDateTime(), nullable=False),
    Column("ends_at", UtcDateTime(), nullable=False),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("transcript_published_at", UtcDateTime(), nullable=True),
    #: The board's closing words published with the transcript (plain text).
    Column("transcript_note", Text, nullable=True),
    Column("published_by", String(100), nullable=True),
    Column("version", Integer, nullable=False, server_default="1"),
    Index("ix_dialogues_tenant_starts", "tenant", "starts_at"),
)

dialogue_questions = Table(
    "dialogue_questions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("dialogue_id", String(36), ForeignKey("dialogues.id"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("email", String(254), nullable=False),
    Column("show_name", Boolean, nullable=False),
    Column("text", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("submitted_at", UtcDateTime(), nullable=False),
    Column("confirmed_at", UtcDateTime(), nullable=True),
    Column("confirm_hash", String(64), nullable=True, unique=True),
    Column("answer_html", Text, nullable=True),
    Column("answered_by", String(100), nullable=True),
    Column("answered_at", UtcDateTime(), nullable=True),
    #: The place in the transcript: answers are numbered in the order they are given.
    Column("sequence", Integer, nullable=True),
    Index("ix_dialogue_questions_status", "dialogue_id", "status"),
)


async def dialogue(session: AsyncSession, dialogue_id: str, *, lock: bool = False) -> Row | None:
    query = select(dialogues).where(dialogues.c.id == dialogue_id)
    return await _first(session, query, lock=lock)


async def dialogues_of(session: AsyncSession, tenant: str, limit: int = 300) -> list[Row]:
    """A site's sessions, the latest to start first."""
    return await _latest(session, dialogues, tenant, "starts_at", limit)


async def question(
    session: AsyncSession, dialogue_id: str, question_id: str, *, lock: bool = False
) -> Row | None:
    q = dialogue_questions.c
    query = select(dialogue_questions).where(q.id == question_id, q.dialogue_id == dialogue_id)
    return await _first(session, query, lock=lock)


async def questions_of(
    session: AsyncSession, dialogue_id: str, *, answered_only: bool = False
) -> list[Row]:
    """A session's confirmed questions in the order confirmed, or only the answered
    ones in the order answered (the transcript's)."""
    q = dialogue_questions.c
    query = select(dialogue_questions).where(q.dialogue_id == dialogue_id)
    if answered_only:
        query = query.where(q.status == QuestionStatus.ANSWERED).order_by(q.sequence)
    else:
        query = query.where(q.status != QuestionStatus.UNCONFIRMED).order_by(q.confirmed_at, q.id)
    return list((await session.execute(query)).all())


async def questions_received(session: AsyncSession, dialogue_id: str) -> int:
    q = dialogue_questions.c
    query = select(func.count()).where(
        q.dialogue_id == dialogue_id, q.status != QuestionStatus.UNCONFIRMED
    )
    return int((await session.execute(query)).scalar_one())


async def last_sequence(session: AsyncSession, dialogue_id: str) -> int:
    """The place in the transcript of the last answer given so far (0: none yet)."""
    q = dialogue_questions.c
    last = select(func.max(q.sequence)).where(q.dialogue_id == dialogue_id)
    return (await session.execute(last)).scalar() or 0


# --- ratings -----------------------------------------------------------------------------------

# What is stored, and why only that. A rating is never a row of its own: it adds one to
# a counter per (site, criterion, score, month). There is no account, address, browser,
# cookie, email or moment to store because nothing about the rating is kept but the
# counter it incremented; even the order in which ratings came (which row ids or exact
# timestamps would give away, and which could be matched against access logs) is gone.
# The month is the finest time kept, enough for the 6-month and yearly reports. An
# answer's rating counts for its site's answers as a whole: the tracking code is checked
# (a published answer of this site) and not kept, because an answer is one person's
# question and per-answer figures, beside the site's, would give small groups away by
# subtraction.
#
#: One counter per site, criterion, score and month; nothing else.
rating_counts = Table(
    "rating_counts",
    metadata,
    Column("tenant", String(50), primary_key=True),
    #: "interface", "content", "quality", "support" (the site) or "answer".
    Column("criterion", String(20), primary_key=True),
    Column("score", SmallInteger, primary_key=True),
    #: The first day of the month (Hanoi time) the ratings were given in.
    Column("month", Date, primary_key=True),
    Column("count", Integer, nullable=False),
)


async def record_ratings(
    session: AsyncSession, *, tenant: str, scores: Mapping[str, int], now: datetime
) -> None:
    """Add one to the counter of each (criterion, score) given."""
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    month = month_of(now)
    for criterion, score in sorted(scores.items()):
        stmt = dialect.insert(rating_counts).values(
            tenant=tenant, criterion=criterion, score=score, month=month, count=1
        )
        stmt = stmt.on_conflict_do_update(
            index_elements=["tenant", "criterion", "score", "month"],
            set_={"count": rating_counts.c.count + 1},
        )
        await session.execute(stmt)


async def ratings_between(
    session: AsyncSession, tenant: str, first: date, last: date
) -> dict[str, dict[int, int]]:
    """criterion → score → ratings, the months `first`..`last` added up."""
    t = rating_counts.c
    query = (
        select(t.criterion, t.score, func.sum(t.count))
        .where(t.tenant == tenant, t.month >= first, t.month <= last)
        .group_by(t.criterion, t.score)
    )
    out: dict[str, dict[int, int]] = {}
    for criterion, score, total in (await session.execute(query)).all():
        out.setdefault(criterion, {})[int(score)] = int(total)
    return out
