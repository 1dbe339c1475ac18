# ruff: noqa: F811 - `desk` is the fixture imported from test_feedback_flow
"""feedback's citizen pages on a site (Host → site), on a real broker, database and
SMTP server: the form, the email-link confirmation, the status by code, the published
answer and its list, and hostile input on every form."""

from __future__ import annotations

import re
import uuid
from typing import Any

from conftest import BOARD, bearer, make_pdf
from sqlalchemy import func, select
from test_feedback_flow import UNIT, Desk, desk, forwarded_for, fresh_ip  # noqa: F401 - the module's fixture

from services.feedback import store

WARD = {"Host": "hoankiem.localhost"}


def form(**fields: Any) -> dict[str, str]:
    return {
        "kind": "question", "field": "Đất đai", "title": "Hỏi về cấp giấy chứng nhận",
        "text": "Xin hỏi thủ tục cấp giấy chứng nhận quyền sử dụng đất lần đầu.",
        "name": "Trần Thị Bình", "email": f"binh.{uuid.uuid4().hex[:6]}@example.vn",
        "phone": "", "website": "", **fields,
    }  # fmt: skip


async def count(desk: Desk) -> int:
    async with desk.service.db.read() as session:
        return (
            await session.execute(select(func.count()).select_from(store.questions))
        ).scalar_one()


def code_in(page: str) -> str:
    found = re.search(r"data-code>([0-9A-Z-]{14})<", page)
    assert found, page[:2000]
    return found.group(1)


async def test_the_form_is_on_every_site_and_unknown_sites_get_a_vietnamese_404(desk: Desk) -> None:
    r = await desk.http.get("/hoi-dap/gui", headers=WARD)
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"
    assert 'lang="vi"' in r.text and "Gửi câu hỏi, phản ánh, kiến nghị" in r.text
    assert 'name="website"' in r.text  # the honeypot is there, hidden from people
    assert "Phường Hoàn Kiếm" in r.text or "Hoàn Kiếm" in r.text
    unknown = await desk.http.get("/hoi-dap/gui", headers={"Host": "khong-co.localhost"})
    assert unknown.status_code == 404
    assert "Không tìm thấy trang thông tin điện tử" in unknown.text


async def test_a_citizen_submits_confirms_by_the_mailed_link_and_follows_the_status(
    desk: Desk,
) -> None:
    fields = form()
    sent = await desk.http.post("/hoi-dap/gui", data=fields, headers=WARD)
    assert sent.status_code == 202, sent.text
    code = code_in(sent.text)
    assert "xác nhận" in sent.text

    token = await desk.link(fields["email"])
    # Opening the link shows a button; it does not confirm by itself (mail scanners
    # follow links).
    opened = await desk.http.get(f"/hoi-dap/xac-nhan/{token}", headers=WARD)
    assert opened.status_code == 200 and "Xác nhận gửi" in opened.text
    status = await desk.http.get("/hoi-dap/tra-cuu", params={"ma": code}, headers=WARD)
    assert status.status_code == 200
    assert "Chờ người gửi xác nhận" in status.text, status.text

    confirmed = await desk.http.post(f"/hoi-dap/xac-nhan/{token}", headers=WARD)
    assert confirmed.status_code == 200, confirmed.text
    assert "Đã tiếp nhận" in confirmed.text
    assert "26/11/2026" in confirmed.text  # classification due: 24/11 is a holiday
    again = await desk.http.post(f"/hoi-dap/xac-nhan/{token}", headers=WARD)
    assert again.status_code == 404 and "đã được dùng" in again.text

    status = await desk.http.get("/hoi-dap/tra-cuu", params={"ma": code.lower()}, headers=WARD)
    assert status.status_code == 200
    assert "Đã tiếp nhận" in status.text or "tiếp nhận" in status.text
    assert "Quá hạn" not in status.text
    # A code is only looked up on the site it was sent to.
    elsewhere = await desk.http.get(
        "/hoi-dap/tra-cuu", params={"ma": code}, headers={"Host": "badinh.localhost"}
    )
    assert elsewhere.status_code == 404


async def test_the_answer_is_published_without_personal_data_and_listed(desk: Desk) -> None:
    fields = form(
        title="Hỏi về lệ phí trước bạ nhà đất",
        text="Tôi là Trần Thị Bình, điện thoại 0987 654 321. Lệ phí trước bạ khi nhận tặng cho?",
    )
    sent = await desk.http.post("/hoi-dap/gui", data=fields, headers=WARD)
    code = code_in(sent.text)
    token = await desk.link(fields["email"])
    await desk.http.post(f"/hoi-dap/xac-nhan/{token}", headers=WARD)
    listed = await desk.http.get(
        "/api/v1/feedback/questions", params={"tenant": "hoankiem", "limit": 200},
        headers=bearer(BOARD),
    )  # fmt: skip
    qid = next(q["id"] for q in listed.json() if q["code"] == code)
    base = f"/api/v1/feedback/questions/{qid}"
    assert (await desk.http.get(f"/hoi-dap/{code}", headers=WARD)).status_code == 404

    r = await desk.http.post(f"{base}/classify", json={"unit": "badinh"}, headers=bearer(BOARD))
    assert r.status_code == 200, r.text
    answer = "<p>Nhà đất nhận tặng cho giữa vợ chồng được miễn lệ phí trước bạ.</p>"
    r = await desk.http.post(f"{base}/draft", json={"answer_html": answer}, headers=bearer(UNIT))
    assert r.status_code == 200, r.text
    r = await desk.http.post(f"{base}/approve", headers=bearer(BOARD))
    assert r.status_code == 200, r.text

    page = await desk.http.get(f"/hoi-dap/{code}", headers=WARD)
    assert page.status_code == 200, page.text
    assert "miễn lệ phí trước bạ" in page.text
    assert "Trần Thị Bình" not in page.text and "0987 654 321" not in page.text
    assert fields["email"] not in page.text
    assert "Quá hạn" not in page.text
    listing = await desk.http.get("/hoi-dap", params={"q": "trước bạ"}, headers=WARD)
    assert listing.status_code == 200 and f"/hoi-dap/{code}" in listing.text
    nothing = await desk.http.get("/hoi-dap", params={"q": "không có từ này"}, headers=WARD)
    assert f"/hoi-dap/{code}" not in nothing.text
    # Another site does not show this site's answers.
    other = await desk.http.get(f"/hoi-dap/{code}", headers={"Host": "badinh.localhost"})
    assert other.status_code == 404


async def test_a_wrong_form_is_refused_in_vietnamese_keeping_what_was_typed(desk: Desk) -> None:
    before = await count(desk)
    bad = form(title="ab", email="khong-phai-email", name="<script>alert(1)</script>")
    r = await desk.http.post("/hoi-dap/gui", data=bad, headers=WARD)
    assert r.status_code == 422
    assert "Tiêu đề: quá ngắn" in r.text and "Email" in r.text
    assert "<script>alert(1)</script>" not in r.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text  # kept, escaped
    assert await count(desk) == before


async def test_hostile_input_on_the_pages_gets_a_clear_4xx_and_stores_nothing(desk: Desk) -> None:
    before = await count(desk)
    cases: list[tuple[dict[str, Any], int]] = [
        ({"data": form(text="x" * 10_001)}, 422),
        ({"data": form(title="Tiêu đề\x00 có NUL")}, 422),
        ({"data": form(kind="admin")}, 422),
        ({"data": form(email="")}, 422),
        ({"data": form(phone="gọi tôi")}, 422),
        ({"content": b'{"title": "json"}', "headers": {"content-type": "application/json"}}, 415),
    ]
    for kwargs, expected in cases:
        headers = {**WARD, **kwargs.pop("headers", {})}
        r = await desk.http.post("/hoi-dap/gui", headers=headers, **kwargs)
        assert r.status_code == expected, (kwargs, r.status_code, r.text[:300])
        assert 'lang="vi"' in r.text
    # The honeypot: a robot sees the usual page, nothing is kept.
    robot = await desk.http.post("/hoi-dap/gui", data=form(website="http://spam"), headers=WARD)
    assert robot.status_code == 202
    assert await count(desk) == before

    for code, expected in [("ABCD", 400), ("<script>", 400), ("0000-0000-0000", 404),
                           ("x" * 5000, 400)]:  # fmt: skip
        r = await desk.http.get("/hoi-dap/tra-cuu", params={"ma": code}, headers=WARD)
        assert r.status_code == expected, (code, r.status_code)
        assert "<script>" not in r.text
    for path in ["/hoi-dap/<script>", "/hoi-dap/ZZZZ-ZZZZ-ZZZZ", "/hoi-dap/" + "A" * 300]:
        assert (await desk.http.get(path, headers=WARD)).status_code == 404
    for token in ["short", "a" * 40, "../../etc/passwd", "x" * 200]:
        for kind in ("xac-nhan", "bo-sung"):
            r = await desk.http.post(f"/hoi-dap/{kind}/{token}", data={"text": "Bổ sung"},
                                     headers=WARD)  # fmt: skip
            assert r.status_code in (404, 422), (kind, token, r.status_code)
    assert (await desk.http.get("/hoi-dap", params={"trang": "0"}, headers=WARD)).status_code == 400
    assert (
        await desk.http.get("/hoi-dap", params={"trang": "99"}, headers=WARD)
    ).status_code == 404
    assert await count(desk) == before


async def test_clarification_is_answered_on_the_reply_page(desk: Desk) -> None:
    fields = form(title="Hỏi về hộ tịch khai sinh")
    sent = await desk.http.post("/hoi-dap/gui", data=fields, headers=WARD)
    code = code_in(sent.text)
    token = await desk.link(fields["email"])
    await desk.http.post(f"/hoi-dap/xac-nhan/{token}", headers=WARD)
    listed = await desk.http.get(
        "/api/v1/feedback/questions", params={"tenant": "hoankiem", "limit": 200},
        headers=bearer(BOARD),
    )  # fmt: skip
    qid = next(q["id"] for q in listed.json() if q["code"] == code)
    base = f"/api/v1/feedback/questions/{qid}"
    await desk.http.post(f"{base}/classify", json={"unit": "badinh"}, headers=bearer(BOARD))
    r = await desk.http.post(f"{base}/clarify", json={"note": "Xin cho biết năm sinh của cháu."},
                             headers=bearer(UNIT))  # fmt: skip
    assert r.status_code == 200, r.text
    reply_token = await desk.link(fields["email"], kind="bo-sung")
    empty = await desk.http.post(f"/hoi-dap/bo-sung/{reply_token}", data={"text": ""},
                                 headers=WARD)  # fmt: skip
    assert empty.status_code == 422 and "2 đến 10.000" in empty.text
    r = await desk.http.post(
        f"/hoi-dap/bo-sung/{reply_token}", data={"text": "Cháu sinh năm 2020."}, headers=WARD
    )
    assert r.status_code == 200, r.text
    assert "Đã nhận thông tin bổ sung" in r.text
    question = await desk.http.get(base, headers=bearer(BOARD))
    assert question.json()["status"] == "classified"


async def test_the_form_takes_checked_attachments_and_refuses_disguised_programs(
    desk: Desk,
) -> None:
    headers = {**WARD, **forwarded_for(fresh_ip())}
    before = await count(desk)
    exe = ("don-xin.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "application/pdf")
    r = await desk.http.post("/hoi-dap/gui", data=form(), files={"attachments": exe},
                             headers=headers)  # fmt: skip
    assert r.status_code == 422 and 'lang="vi"' in r.text, r.text[:500]
    assert await count(desk) == before
    pdf = ("ban-ve.pdf", make_pdf("Ban ve hien trang"), "application/pdf")
    fields = form()
    r = await desk.http.post("/hoi-dap/gui", data=fields, files={"attachments": pdf},
                             headers=headers)  # fmt: skip
    assert r.status_code == 202, r.text[:500]
    code = code_in(r.text)
    async with desk.service.db.read() as session:
        row = await store.by_code(session, code)
        files = await store.attachment_list(session, [row.id])
    assert [(f.filename, f.media_type) for f in files] == [("ban-ve.pdf", "application/pdf")]


async def test_a_flood_from_one_contact_gets_a_vietnamese_429_page(desk: Desk) -> None:
    email = f"lu.{uuid.uuid4().hex[:6]}@example.vn"
    statuses = []
    for _ in range(5):
        r = await desk.http.post("/hoi-dap/gui", data=form(email=email),
                                 headers={**WARD, **forwarded_for(fresh_ip())})  # fmt: skip
        statuses.append(r.status_code)
    assert statuses[:3] == [202, 202, 202] and statuses[3:] == [429, 429]
    assert "Xin thử lại sau" in r.text and int(r.headers["retry-after"]) > 0
    # Another citizen is not slowed down.
    other = await desk.http.post("/hoi-dap/gui", data=form(),
                                 headers={**WARD, **forwarded_for(fresh_ip())})  # fmt: skip
    assert other.status_code == 202
