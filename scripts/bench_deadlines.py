"""The deadline sweep over a million open questions.

Fills feedback's own database (SQLite under a temporary directory, or PostgreSQL when
DATABASE_URL is set) with N open questions and their watcher alarms, of which K cross
their classification deadline at the moment of the sweep; then runs the real watcher
once, counts the QuestionOverdue events it wrote to the outbox (they must be exactly
K), and sweeps again (it must write none).

    .venv/bin/python scripts/bench_deadlines.py [--questions 1000000] [--crossing 10000]

Last line: RESULT sweep_1m_s=<n>
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from runtime.db import Database
from runtime.messaging import OUTBOX, UnitOfWork
from runtime.migrations import upgrade
from runtime.settings import Settings
from services.feedback import store
from services.feedback.__main__ import MIGRATIONS
from services.feedback.calendar import TZ
from services.feedback.watcher import Watcher

CHUNK = 20_000
SWEEP_AT = datetime(2026, 12, 1, 10, 0, tzinfo=TZ)


async def fill(db: Database, n: int, crossing: int) -> None:
    received = SWEEP_AT - timedelta(days=5)
    later = SWEEP_AT + timedelta(days=3)
    for start in range(0, n, CHUNK):
        questions, alarms = [], []
        for i in range(start, min(n, start + CHUNK)):
            qid = str(uuid.UUID(int=i + 1))
            # The first `crossing` questions' classification deadline ended a second
            # before the sweep; the others' deadlines lie ahead.
            due = SWEEP_AT - timedelta(seconds=2) if i < crossing else later
            questions.append({
                "id": qid, "code": f"B{i:011d}", "tenant": f"site-{i % 151}",
                "kind": "question", "field": "Đất đai", "title": "Câu hỏi đo tải",
                "text": "Nội dung câu hỏi.", "sender_name": "Người gửi",
                "sender_email": "nguoigui@example.vn", "status": "received",
                "submitted_at": received, "received_at": received, "classification_due": due,
                "answer_due": due + timedelta(days=20), "out_of_scope_notice_due": received,
                "attachments": [],
            })  # fmt: skip
            alarms.append({"question_id": qid, "clock": "classification", "kind": "overdue",
                           "fire_at": due + timedelta(seconds=1), "due_at": due})  # fmt: skip
            if i >= crossing:
                alarms.append({"question_id": qid, "clock": "classification", "kind": "warn",
                               "fire_at": due - timedelta(days=1), "due_at": due})  # fmt: skip
        async with db.session() as session:
            await session.execute(insert(store.questions), questions)
            await session.execute(insert(store.alarms), alarms)
            await session.commit()
        print(f"\rfilled {min(n, start + CHUNK):,}/{n:,}", end="", flush=True)
    print()


async def overdue_events(db: Database) -> int:
    async with db.session() as session:
        query = (
            select(func.count())
            .select_from(OUTBOX)
            .where(OUTBOX.c.event_type.like("%.QuestionOverdue.v1"))
        )
        return int((await session.execute(query)).scalar() or 0)


async def main(n: int, crossing: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        settings = Settings().with_overrides(
            data_dir=Path(scratch), schema_prefix=f"bench{uuid.uuid4().hex[:6]}_"
        )
        db = Database("feedback", settings)
        await upgrade(db, MIGRATIONS)
        try:
            started = time.perf_counter()
            await fill(db, n, crossing)
            print(f"fill: {time.perf_counter() - started:.1f} s")
            if not db.is_postgres:
                async with db.write_engine.connect() as conn:
                    await conn.execute(text("ANALYZE"))

            def uow() -> UnitOfWork:
                return UnitOfWork(db, "bench", on_commit=lambda: None)

            watcher = Watcher(uow, lambda: SWEEP_AT, postgres=db.is_postgres)
            started = time.perf_counter()
            first = await watcher.sweep(SWEEP_AT)
            seconds = time.perf_counter() - started
            emitted = await overdue_events(db)
            again = await watcher.sweep(SWEEP_AT)
            print(f"first sweep: {first.overdue:,} overdue, {first.warned:,} warnings in "
                  f"{seconds:.2f} s; outbox holds {emitted:,} QuestionOverdue")  # fmt: skip
            print(f"second sweep: {again.overdue} overdue, {again.warned} warnings")
            if first.overdue != crossing or emitted != crossing or again.overdue or again.warned:
                raise SystemExit("the sweep did not emit exactly one event per missed deadline")
            print(f"RESULT sweep_1m_s={seconds:.2f}")
        finally:
            if db.is_postgres:
                async with db.write_engine.begin() as conn:
                    await conn.execute(text(f'DROP SCHEMA "{db.schema}" CASCADE'))
            await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=1_000_000)
    parser.add_argument("--crossing", type=int, default=10_000)
    args = parser.parse_args()
    asyncio.run(main(args.questions, args.crossing))
