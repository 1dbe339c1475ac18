"""Confirmation by a mailed link, shared by consultation comments and dialogue questions
(questions themselves keep theirs in commands.py): a row waits, unconfirmed, with only
the sha256 of the link's secret stored; the mail carries the link; opening it and
pressing the button claims the row once, while its owner (the draft, the session) still
takes it.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from runtime.messaging import UnitOfWork
from services.feedback import store
from services.feedback.commands import NotFound, token_hash


async def add(
    uow: UnitOfWork, table: Table, *, status: str, now: datetime, **values: Any
) -> tuple[str, str]:
    """Insert a row of `table` waiting for its sender's confirmation; (its id, the secret
    for the link, which is never stored)."""
    row_id, token = str(uuid.uuid4()), secrets.token_urlsafe(32)
    await uow.session.execute(
        table.insert().values(
            id=row_id, **values, status=status, submitted_at=now, confirm_hash=token_hash(token)
        )
    )
    return row_id, token


async def mail(
    session: AsyncSession, *, to: str, name: str, now: datetime, subject: str, noun: str,
    about: str, before: str, link: str,
) -> None:  # fmt: skip
    """The mail with the link: `noun` is what was sent ("góp ý"), `about` where to,
    `before` until when the link works."""
    await store.queue_mail(
        session, to=to, now=now, subject=subject,
        body=(
            f"Kính gửi {name},\n\n"
            f"Cổng thông tin điện tử đã nhận {noun} của Quý vị {about}. Để gửi chính thức, "
            f"xin mở đường dẫn sau {before}:\n\n{link}\n\n"
            f"Nếu Quý vị không gửi {noun} này, xin bỏ qua thư.\n"
        ),
    )  # fmt: skip


async def confirm(
    uow: UnitOfWork, table: Table, token: str, now: datetime, *, waiting: str, to: str,
    owner: Callable[[Row], Awaitable[Row]],
) -> Row:  # fmt: skip
    """Claim the row the link was mailed for: it moves from `waiting` to `to` and the link
    is spent. `owner` loads the row's owner and raises if it no longer takes it; the
    owner is returned. NotFound for a link that is wrong or already used."""
    query = select(table).where(table.c.confirm_hash == token_hash(token)).with_for_update()
    row = (await uow.session.execute(query)).first()
    if row is None or row.status != waiting:
        raise NotFound("Đường dẫn xác nhận không đúng hoặc đã được dùng.")
    parent = await owner(row)
    await uow.session.execute(
        update(table)
        .where(table.c.id == row.id)
        .values(status=to, confirmed_at=now, confirm_hash=None)
    )
    return parent
