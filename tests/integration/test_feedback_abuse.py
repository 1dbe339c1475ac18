"""feedback under abuse, on a real broker and database (and Redis when REDIS_URL is
set): a flood from one address is cut at the per-address limit while citizens
elsewhere submit and confirm, one contact is limited across addresses, guessed links
and codes are slowed down; files attached to submissions are checked by content,
stored with the question in one transaction and downloadable only by those handling
it."""

from __future__ import annotations

import asyncio
import uuid
from io import BytesIO
from typing import Any

import httpx
import pytest
from conftest import BOARD, EDITOR, bearer, make_pdf, token_for
from PIL import Image
from sqlalchemy import func, select
from test_feedback_flow import UNIT, Desk, desk, forwarded_for, fresh_ip

from services.feedback import store
from services.feedback.domain import new_code

__all__ = ["desk"]  # the fixture, shared with test_feedback_flow

QUESTIONS = "/api/v1/feedback/questions"
OTHER_BOARD = token_for("bbt.badinh", {"badinh": "board_member"})
MB = 1024 * 1024
FIELDS = {
    "tenant": "hoankiem", "kind": "feedback", "field": "Môi trường",
    "title": "Phản ánh rác thải trên phố Hàng Bông", "name": "Trần Thị Bình",
    "text": "Rác thải tồn đọng nhiều ngày trước số nhà 12, xin xem ảnh và biên bản kèm theo.",
}  # fmt: skip


def png(color: str = "red", fmt: str = "PNG") -> bytes:
    out = BytesIO()
    Image.new("RGB", (40, 30), color).save(out, fmt)
    return out.getvalue()


async def count(desk: Desk, table: Any, *where: Any) -> int:
    async with desk.service.db.read() as session:
        query = select(func.count()).select_from(table)
        return (await session.execute(query.where(*where))).scalar()


async def rows(desk: Desk) -> tuple[int, int]:
    return await count(desk, store.questions), await count(desk, store.attachments)


async def send_form(
    desk: Desk, files: list[tuple[str, bytes, str]], ip: str | None = None, **fields: Any
) -> httpx.Response:
    data = {**FIELDS, "email": f"binh.{uuid.uuid4().hex[:6]}@example.vn", **fields}
    parts = [("attachments", (name, content, kind)) for name, content, kind in files]
    return await desk.http.post(
        QUESTIONS, data=data, files=parts or None, headers=forwarded_for(ip or fresh_ip())
    )


async def board_view(desk: Desk, code: str) -> dict[str, Any]:
    """The question with `code` as its site's board reads it (confirmed or not)."""
    async with desk.service.db.read() as session:
        row = await store.by_code(session, code)
    r = await desk.http.get(f"{QUESTIONS}/{row.id}", headers=bearer(BOARD))
    assert r.status_code == 200, r.text
    return r.json()


# --- abuse -------------------------------------------------------------------------


async def test_a_flood_is_cut_at_the_limit_while_citizens_get_through(desk: Desk) -> None:
    flood_ip, tag = "203.0.113.66", uuid.uuid4().hex[:6]
    robots = store.questions.c.sender_email.like(f"bot%.{tag}@example.vn")
    flooding = asyncio.Event()
    gate = asyncio.Semaphore(16)

    async def robot(i: int) -> httpx.Response:
        async with gate:
            r = await desk.submit(ip=flood_ip, email=f"bot{i}.{tag}@example.vn")
        if r.status_code == 429:
            flooding.set()
        return r

    flood = asyncio.gather(*(robot(i) for i in range(400)))

    async def citizen(i: int) -> bool:
        await flooding.wait()
        ip, email = f"198.51.100.{10 + i}", f"dan{i}.{uuid.uuid4().hex[:6]}@example.vn"
        during = not flood.done()
        submitted = await desk.submit(ip=ip, email=email)
        assert submitted.status_code == 202, submitted.text
        token = await desk.link(email)
        confirmed = await desk.http.post("/api/v1/feedback/confirm", json={"token": token},
                                         headers=forwarded_for(ip))  # fmt: skip
        assert confirmed.status_code == 200, confirmed.text
        status = await desk.http.get(f"/api/v1/feedback/status/{submitted.json()['code']}",
                                     headers=forwarded_for(ip))  # fmt: skip
        assert status.json()["status"] == "received"
        return during

    during = await asyncio.gather(*(citizen(i) for i in range(5)))
    answers = await flood
    assert any(during), "the citizens should have written while the flood went on"
    codes = [r.status_code for r in answers]
    assert codes.count(202) == 10, codes
    assert codes.count(429) == 390
    assert await count(desk, store.questions, robots) == 10  # nothing kept past the limit
    refused = next(r for r in answers if r.status_code == 429)
    assert 0 < int(refused.headers["retry-after"]) <= 600
    assert "Xin thử lại sau" in refused.json()["detail"]
    assert "địa chỉ mạng" in refused.json()["detail"]
    # After the flood the address is still held back, and everyone else is not.
    assert (await desk.submit(ip=flood_ip)).status_code == 429
    assert (await desk.submit(ip="198.51.100.99")).status_code == 202
    # A forged X-Forwarded-For line from the robot is not believed: the gateway's
    # hop, written last, is what counts.
    forged = await desk.http.post(
        QUESTIONS, json={**FIELDS, "email": f"x.{tag}@example.vn"},
        headers=[("x-forwarded-for", "198.51.100.200"), ("x-forwarded-for", flood_ip)],
    )  # fmt: skip
    assert forged.status_code == 429
    if desk.settings.redis_url:
        await assert_counted_in_redis(desk)


async def assert_counted_in_redis(desk: Desk) -> None:
    """With REDIS_URL the counts are in Redis, each key expiring with its window, and
    no address or email in the clear."""
    from redis.asyncio import Redis

    redis = Redis.from_url(desk.settings.redis_url)
    try:
        prefix = f"{desk.settings.schema_prefix}portal:ratelimit:feedback:"
        keys = [k.decode() async for k in redis.scan_iter(match=prefix + "*")]
        assert any("/submit-ip/" in k for k in keys), keys
        assert any("/submit-email/" in k for k in keys), keys
        for key in keys:
            assert 0 < await redis.ttl(key) <= 86_400, key
            assert "203.0.113.66" not in key and "@" not in key
    finally:
        await redis.aclose()


async def test_one_contact_is_limited_across_addresses(desk: Desk) -> None:
    email = f"lan.{uuid.uuid4().hex[:6]}@example.vn"
    answers = [await desk.submit(email=email) for _ in range(3)]  # three addresses
    assert [r.status_code for r in answers] == [202, 202, 202]
    local, domain = email.split("@")
    again = await desk.submit(email=f"{local.upper()}+lan4@{domain}")  # the same inbox
    assert again.status_code == 429, again.text
    assert "email hoặc số điện thoại" in again.json()["detail"]
    assert int(again.headers["retry-after"]) > 0
    assert await count(desk, store.questions, store.questions.c.sender_email == email) == 3

    phone = f"09{uuid.uuid4().int % 10**8:08d}"
    by_phone = [(await desk.submit(phone=phone)).status_code for _ in range(4)]
    assert by_phone == [202, 202, 202, 429]
    assert await count(desk, store.questions, store.questions.c.sender_phone == phone) == 3


async def test_guessed_links_are_slowed_down_and_real_ones_still_work(desk: Desk) -> None:
    guesser = "203.0.113.77"
    for _ in range(20):
        r = await desk.http.post("/api/v1/feedback/confirm", json={"token": uuid.uuid4().hex},
                                 headers=forwarded_for(guesser))  # fmt: skip
        assert r.status_code == 404
    refused = await desk.http.post("/api/v1/feedback/confirm", json={"token": "a" * 43},
                                   headers=forwarded_for(guesser))  # fmt: skip
    assert refused.status_code == 429
    assert "đường dẫn" in refused.json()["detail"]
    assert int(refused.headers["retry-after"]) > 0
    reply = await desk.http.post("/api/v1/feedback/replies", headers=forwarded_for(guesser),
                                 json={"token": "b" * 43, "text": "Bổ sung"})  # fmt: skip
    assert reply.status_code == 429
    # Someone else confirms as usual.
    question = await desk.received()
    assert question["status"] == "received"


async def test_guessed_tracking_codes_are_slowed_down(desk: Desk) -> None:
    guesser, real = "203.0.113.88", await desk.submit()
    for i in range(30):
        code = new_code() if i % 2 else "ABCD-EFGH-JKMN"
        r = await desk.http.get(f"/api/v1/feedback/status/{code}", headers=forwarded_for(guesser))
        assert r.status_code in (400, 404)
    refused = await desk.http.get(f"/api/v1/feedback/status/{new_code()}",
                                  headers=forwarded_for(guesser))  # fmt: skip
    assert refused.status_code == 429
    assert "tra cứu" in refused.json()["detail"]
    found = await desk.http.get(f"/api/v1/feedback/status/{real.json()['code']}",
                                headers=forwarded_for(fresh_ip()))  # fmt: skip
    assert found.status_code == 200


async def test_the_honeypot_still_answers_politely(desk: Desk) -> None:
    before = await rows(desk)
    r = await desk.submit(website="http://spam.example")
    assert r.status_code == 202
    assert r.json()["code"] == ""
    assert await rows(desk) == before


# --- attachments -------------------------------------------------------------------


async def test_files_are_kept_with_the_question_for_those_handling_it(desk: Desk) -> None:
    pdf, image = make_pdf("Biên bản hiện trường"), png()
    email = f"binh.{uuid.uuid4().hex[:6]}@example.vn"
    before = await rows(desk)
    r = await send_form(
        desk, [("bien-ban.pdf", pdf, "application/pdf"), ("anh rác.png", image, "image/png")],
        email=email, phone="",
    )  # fmt: skip
    assert r.status_code == 202, r.text
    assert await rows(desk) == (before[0] + 1, before[1] + 2)
    code = r.json()["code"]
    question = await board_view(desk, code)
    files = question["attachments"]
    assert [(f["filename"], f["media_type"], f["size"]) for f in files] == [
        ("bien-ban.pdf", "application/pdf", len(pdf)),
        ("anh rác.png", "image/png", len(image)),
    ]
    url = files[1]["url"]
    got = await desk.http.get(url, headers=bearer(BOARD))
    assert got.status_code == 200
    assert got.content == image
    assert got.headers["content-type"] == "image/png"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''anh%20r%C3%A1c.png" in got.headers["content-disposition"]
    assert got.headers["x-content-type-options"] == "nosniff"
    # Nobody else: no token, a site editor, another site's board, the unit before
    # the question is forwarded to it.
    assert (await desk.http.get(url)).status_code == 401
    assert (await desk.http.get(url, headers=bearer(EDITOR))).status_code == 403
    assert (await desk.http.get(url, headers=bearer(OTHER_BOARD))).status_code == 404
    assert (await desk.http.get(url, headers=bearer(UNIT))).status_code == 404
    forged = url.rsplit("/", 1)[0] + f"/{uuid.uuid4()}"
    assert (await desk.http.get(forged, headers=bearer(BOARD))).status_code == 404
    # Never public: the status page shows no file.
    status = await desk.http.get(f"/api/v1/feedback/status/{code}")
    assert "attachments" not in status.json()
    assert "bien-ban" not in status.text
    # Once forwarded, the unit can read them.
    token = await desk.link(email)
    await desk.http.post("/api/v1/feedback/confirm", json={"token": token})
    classified = await desk.http.post(f"{QUESTIONS}/{question['id']}/classify",
                                      json={"unit": "badinh"}, headers=bearer(BOARD))  # fmt: skip
    assert classified.status_code == 200, classified.text
    assert (await desk.http.get(files[0]["url"], headers=bearer(UNIT))).content == pdf


async def test_names_are_made_safe_and_match_the_content(desk: Desk) -> None:
    r = await send_form(desk, [("../../etc/\u202egnp.exe", png(), "application/x-msdownload")])
    assert r.status_code == 202, r.text
    [stored] = (await board_view(desk, r.json()["code"]))["attachments"]
    assert stored["filename"] == "gnp.png"
    assert stored["media_type"] == "image/png"


EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200


@pytest.mark.parametrize(
    ("files", "status", "says"),
    [
        ([("hoso.pdf", EXE, "application/pdf")], 422, "tệp chạy được"),
        ([("hoso.pdf", b"#!/bin/sh\nrm -rf /\n", "application/pdf")], 422, "tệp chạy được"),
        ([("trang.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")],
         422, "HTML"),
        ([("anh.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
          b"</svg>", "image/png")], 422, "SVG"),
        ([("trong.pdf", b"", "application/pdf")], 422, "rỗng"),
        ([("lon.pdf", b"%PDF-1.4\n" + b"0" * (10 * MB), "application/pdf")], 422,
         "vượt giới hạn 10 MB"),
        ([(f"tep{i}.pdf", b"%PDF-1.4\n" + b"0" * (7 * MB), "application/pdf") for i in range(3)],
         422, "vượt giới hạn 20 MB"),
        ([(f"anh{i}.png", png(), "image/png") for i in range(4)], 422, "tối đa 3 tệp"),
        ([("dong.gif", png(fmt="GIF"), "image/gif")], 422,
         "chỉ nhận"),
        ([("tot.png", png(), "image/png"), ("xau.pdf", EXE, "application/pdf")], 422,
         "tệp chạy được"),
    ],
    ids=["exe-as-pdf", "script-as-pdf", "html", "svg-script", "empty", "over-10mb",
         "over-20mb-total", "four-files", "gif", "good-and-bad"],
)  # fmt: skip
async def test_bad_files_are_refused_and_nothing_is_kept(
    desk: Desk, files: list[tuple[str, bytes, str]], status: int, says: str
) -> None:
    before = await rows(desk)
    r = await send_form(desk, files)
    assert r.status_code == status, r.text[:300]
    assert says in r.json()["detail"]
    assert await rows(desk) == before


async def test_hostile_forms_get_a_clear_4xx(desk: Desk) -> None:
    before = await rows(desk)
    wrong_field = await desk.http.post(
        QUESTIONS, data={**FIELDS, "email": "a@example.vn"}, headers=forwarded_for(fresh_ip()),
        files=[("photo", ("a.png", png(), "image/png"))],
    )  # fmt: skip
    assert wrong_field.status_code == 400
    assert "attachments" in wrong_field.json()["detail"]
    long_title = await send_form(desk, [("a.png", png(), "image/png")], title="<b>" * 200)
    assert long_title.status_code == 400
    assert long_title.json()["extra"][0]["key"] == "title"
    no_email = await send_form(desk, [], email="")
    assert no_email.status_code == 400
    assert "email" in no_email.text
    nul = await send_form(desk, [], name="A\x00B")
    assert nul.status_code == 400
    no_site = await send_form(desk, [("a.png", png(), "image/png")], tenant="khong-co-trang")
    assert no_site.status_code == 404
    too_big = await desk.http.post(
        QUESTIONS, data={**FIELDS, "email": "a@example.vn"}, headers=forwarded_for(fresh_ip()),
        files=[("attachments", ("x.pdf", b"%PDF-" + b"0" * (23 * MB), "application/pdf"))],
    )  # fmt: skip
    assert too_big.status_code == 413
    bad_json = await desk.http.post(QUESTIONS, content=b"{nope",
                                    headers={"content-type": "application/json"})  # fmt: skip
    assert bad_json.status_code == 400
    assert await rows(desk) == before


async def test_a_form_without_files_is_a_plain_submission(desk: Desk) -> None:
    # A form's empty file field still sends a part with no name and no bytes.
    r = await send_form(desk, [("", b"", "application/octet-stream")])
    assert r.status_code == 202, r.text
    assert (await board_view(desk, r.json()["code"]))["attachments"] == []
