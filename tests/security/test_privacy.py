"""Citizens' data kept past its use: a question whose sender never confirmed it (the
mail promises the link for 7 days), and the mails that carried one-time links. Anyone
who later reads the database (a backup, a dump, an operator) must not find them."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from conftest import eventually
from gatedplatform import QUESTION, Gated, gated  # noqa: F401
from sqlalchemy import func, select

from services.feedback import retention, store


async def submit(gated: Gated) -> tuple[str, str]:  # noqa: F811
    """A question sent through the gateway: (its code, the link mailed for it)."""
    email = f"binh.{uuid.uuid4().hex[:6]}@example.vn"
    r = await gated.post("/api/v1/feedback/questions", json={**QUESTION, "email": email})
    assert r.status_code == 202, r.text
    feedback = gated.services["feedback"]

    async def mailed() -> str | None:
        async with feedback.db.read() as session:
            body = await session.scalar(
                select(store.mails.c.body).where(store.mails.c.to_address == email)
            )
        found = re.search(r"/hoi-dap/xac-nhan/[\w-]+", body or "")
        return found.group(0) if found else None

    return r.json()["code"], await eventually(mailed, timeout=30)


async def press(gated: Gated, link: str):  # type: ignore[no-untyped-def]  # noqa: F811
    """Open the mailed link and press its button, as the citizen does."""
    page = await gated.get(link)
    assert page.status_code == 200
    form = re.search(r'name="_csrf"\s+value="([^"]+)"', page.text)
    return await gated.post(link, data={"_csrf": form.group(1)} if form else {})


async def count(gated: Gated, table, *where) -> int:  # type: ignore[no-untyped-def]  # noqa: F811
    async with gated.services["feedback"].db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(table).where(*where)))


async def test_unconfirmed_questions_and_their_links_are_forgotten_after_7_days(
    gated: Gated,  # noqa: F811
) -> None:
    forgotten_code, forgotten_link = await submit(gated)
    kept_code, kept_link = await submit(gated)
    assert (await press(gated, kept_link)).status_code == 200

    feedback = gated.services["feedback"]
    now = datetime.now(UTC)
    await retention.sweep(feedback.unit_of_work, now + timedelta(days=6))
    assert await count(gated, store.questions, store.questions.c.code == forgotten_code) == 1

    done = await retention.sweep(feedback.unit_of_work, now + timedelta(days=8))
    assert done.questions >= 1
    q = store.questions
    assert await count(gated, q, q.c.code == forgotten_code) == 0
    assert await count(gated, q, q.c.code == kept_code) == 1
    # No mail left holds the dead question's link, and its link leads nowhere.
    token = forgotten_link.rsplit("/", 1)[1]
    assert await count(gated, store.mails, store.mails.c.body.contains(token)) == 0
    assert (await press(gated, forgotten_link)).status_code == 404


async def test_a_sent_mail_keeps_no_link(gated: Gated) -> None:  # noqa: F811
    _code, link = await submit(gated)
    token = link.rsplit("/", 1)[1]
    m = store.mails
    async with gated.services["feedback"].unit_of_work() as uow:
        await uow.session.execute(
            m.update().where(m.c.body.contains(token)).values(sent_at=datetime.now(UTC))
        )
        await uow.commit()
    await retention.sweep(gated.services["feedback"].unit_of_work, datetime.now(UTC))
    assert await count(gated, m, m.c.body.contains(token)) == 0
