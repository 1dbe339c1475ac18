"""Citizens' data kept past its use or published: a question whose sender never
confirmed it (the mail promises the link for 7 days), the mails that carried one-time
links (anyone who later reads the database, a backup or a dump must not find them),
and what the answer page shows of the asker (their short given name, their house
number, their contacts quoted in the staff's answer)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from conftest import BOARD, bearer, eventually, token_for
from gatedplatform import QUESTION, Gated, gated  # noqa: F401
from sqlalchemy import func, select

from services.feedback import retention, store


async def submit(gated: Gated, **fields: str) -> tuple[str, str]:  # noqa: F811
    """A question sent through the gateway: (its code, the link mailed for it)."""
    email = fields.pop("email", f"binh.{uuid.uuid4().hex[:6]}@example.vn")
    body = {**QUESTION, "email": email, **fields}
    r = await gated.post("/api/v1/feedback/questions", json=body)
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


HA = r"(?<!\w)Hà(?!\w)(?! Nội)"


def named(text: str) -> bool:
    """Whether `text` has the word Hà (not in Hàng Trống nor Hà Nội)."""
    return re.search(HA, text) is not None


UNIT = token_for("bientap.badinh", {"badinh": "editor"})


async def test_the_answer_page_shows_nothing_of_the_asker(gated: Gated) -> None:  # noqa: F811
    """A citizen named Hà writes her short name, house number and phone in the
    question; the unit's answer greets her by name and quotes her address. The page
    everyone reads shows neither, and keeps the office's own contacts."""
    email = f"ha.{uuid.uuid4().hex[:6]}@example.vn"
    code, link = await submit(
        gated, name="Lê Thu Hà", email=email, phone="0912 345 678",
        title="Hà hỏi về giấy phép sửa nhà",
        text="Tôi là Hà, ở số 12B ngõ 5 phố Huế, gọi 0912.345.678. Sửa nhà có cần giấy phép?",
    )  # fmt: skip
    assert (await press(gated, link)).status_code == 200
    listed = await gated.get(
        "/api/v1/feedback/questions", params={"tenant": "hoankiem"}, headers=bearer(BOARD)
    )
    qid = next(q["id"] for q in listed.json() if q["code"] == code)
    base = f"/api/v1/feedback/questions/{qid}"
    r = await gated.post(f"{base}/classify", json={"unit": "badinh"}, headers=bearer(BOARD))
    assert r.status_code == 200, r.text
    answer = (
        "<p>Kính gửi chị Lê Thu Hà (số 12B, điện thoại 0912 345 678, "
        f'<a href="mailto:{email}">{email}</a>): Hà cần xin giấy phép. Hỏi thêm: đường dây '
        "nóng 024.3825.3536, tiepdan@hoankiem.hanoi.gov.vn, số 126 Hàng Trống.</p>"
    )
    drafted = await gated.post(f"{base}/draft", json={"answer_html": answer}, headers=bearer(UNIT))
    assert drafted.status_code == 200, drafted.text
    # The board reads what will be published: the question and the answer, redacted.
    seen = (await gated.get(base, headers=bearer(BOARD))).json()
    assert not named(seen["public_text"]) and "12B" not in seen["public_text"]
    assert not named(seen["answer_html"]) and "Hàng Trống" in seen["answer_html"]
    assert seen["text"].startswith("Tôi là Hà")  # the desk still has what she sent
    approved = await gated.post(f"{base}/approve", headers=bearer(BOARD))
    assert approved.status_code == 200, approved.text

    page = await gated.get(f"/hoi-dap/{code}")
    assert page.status_code == 200
    shown = page.text
    assert not named(shown), [shown[m.start() - 60 : m.end() + 20] for m in re.finditer(HA, shown)]
    for secret in ("12B", "0912", "345 678", "345.678", email):
        assert secret not in shown, (secret, shown[shown.find(secret) - 200 :][:250])
    for kept in ("phố Huế", "024.3825.3536", "tiepdan@hoankiem.hanoi.gov.vn", "126 Hàng Trống"):
        assert kept in shown, kept
