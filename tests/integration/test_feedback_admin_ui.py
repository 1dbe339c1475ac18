"""The admin UI's screens for citizens' questions, driven over HTTP like a browser
(session cookie, CSRF token from the page, form posts), with admin and feedback
running in-process on a real embedded broker and a local SMTP server: the queue,
one question from classification to approval with a template, bulk answers, the
templates, the official calendar (operators only) and the dashboard."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pyotp
import pytest
from aiosmtpd.controller import Controller
from conftest import BOARD, bearer, bound_socket, eventually, running, settings_for
from test_feedback_flow import UNIT, Desk, Inbox

from runtime.embedded import EmbeddedKafka, free_port
from services.admin.__main__ import build as build_admin
from services.admin.domain import DEMO_PASSWORD
from services.admin.security import demo_totp_secret
from services.feedback import store
from services.feedback.__main__ import build as build_feedback
from services.feedback.calendar import TZ, Now

API = "/api/v1/feedback"


class Browser:
    """One signed-in editor's UI session: cookies, and the CSRF token of the last page."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.csrf = ""

    async def get(self, path: str, **params: Any) -> httpx.Response:
        r = await self.http.get(path, params=params)
        found = re.search(r'name="_csrf_token" value="([^"]+)"', r.text)
        if found:
            self.csrf = found.group(1)
        return r

    async def post(self, path: str, data: dict[str, Any]) -> httpx.Response:
        if not self.csrf:
            await self.get("/admin/")
        return await self.http.post(path, data={"_csrf_token": self.csrf, **data})

    async def submit(self, path: str, data: dict[str, Any]) -> httpx.Response:
        """Post a form and follow its redirect, as a browser does."""
        r = await self.post(path, data)
        assert r.status_code in (302, 303), (r.status_code, r.text[:500])
        return await self.get(r.headers["location"])


async def sign_in(base: str, username: str, *, totp: bool = False) -> Browser:
    http = httpx.AsyncClient(base_url=base, headers={"Host": "hanoi.localhost"}, timeout=30)
    browser = Browser(http)
    await browser.get("/admin/dang-nhap")
    form = {"username": username, "password": DEMO_PASSWORD, "next": "/admin/hoi-dap"}
    if totp:
        form["totp"] = pyotp.TOTP(demo_totp_secret(username)).now()
    r = await browser.post("/admin/dang-nhap", form)
    assert r.status_code == 302, (username, r.status_code, r.text[:500])
    return browser


@dataclass
class Office:
    desk: Desk
    board: Browser
    editor: Browser
    unit: Browser
    operator: Browser
    outsider: Browser
    admin_url: str

    async def forwarded(self, **fields: Any) -> dict[str, Any]:
        question = await self.desk.received(**fields)
        r = await self.desk.http.post(
            f"{API}/questions/{question['id']}/classify",
            json={"unit": "badinh"},
            headers=bearer(BOARD),
        )
        assert r.status_code == 200, r.text
        return r.json()

    async def question(self, qid: str) -> dict[str, Any]:
        r = await self.desk.http.get(f"{API}/questions/{qid}", headers=bearer(BOARD))
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture(scope="module")
async def office(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Office]:
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    clock = Now()
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=TZ))  # a Monday; 24/11 is a holiday
    admin_sock, feedback_sock = bound_socket(), bound_socket()
    try:
        with EmbeddedKafka() as kafka:
            async with settings_for(tmp_path_factory.mktemp("feedback-ui"), kafka) as base:
                # admin's UI calls admin (login) and feedback at their addresses.
                settings = base.with_overrides(
                    smtp_port=smtp.port,
                    demo=True,
                    admin_url=f"http://127.0.0.1:{admin_sock.getsockname()[1]}",
                    feedback_url=f"http://127.0.0.1:{feedback_sock.getsockname()[1]}",
                )
                async with (
                    running(build_admin, settings, sock=admin_sock),
                    running(lambda s: build_feedback(s, clock), settings, sock=feedback_sock) as (
                        service,
                        http,
                    ),
                ):

                    async def known() -> bool:
                        async with service.db.read() as session:
                            return all(
                                [await store.site(session, s) for s in ("hoankiem", "badinh")]
                            )

                    await eventually(known, timeout=30)
                    url = settings.admin_url
                    sessions = [
                        await sign_in(url, "bbt.hoankiem", totp=True),
                        await sign_in(url, "bientap.hoankiem"),
                        await sign_in(url, "bientap.badinh"),
                        await sign_in(url, "vanhanh", totp=True),
                        await sign_in(url, "bientap.caugiay"),
                    ]
                    try:
                        yield Office(
                            Desk(settings, http, clock, inbox, service), *sessions, admin_url=url
                        )
                    finally:
                        for browser in sessions:
                            await browser.http.aclose()
    finally:
        smtp.stop()


def text_of(page: httpx.Response) -> str:
    return html.unescape(page.text)


# --- the queue and one question ------------------------------------------------------------


async def test_the_board_classifies_the_unit_answers_from_a_template_the_board_approves(
    office: Office,
) -> None:
    email = f"an.{uuid.uuid4().hex[:6]}@example.vn"
    question = await office.desk.received(email=email, title="Hỏi về thủ tục cấp sổ đỏ lần đầu")
    qid, code = question["id"], question["code"]

    queue = await office.board.get("/admin/hoi-dap")
    assert queue.status_code == 200
    row = re.search(rf'<tr data-id="{qid}".*?</tr>', queue.text, re.S)
    assert row, queue.text[:2000]
    assert code in row.group(0) and "Hỏi về thủ tục cấp sổ đỏ lần đầu" in text_of(queue)
    assert "Hạn phân loại: hết ngày 26/11/2026" in row.group(0)  # 24/11 is a holiday
    assert "Đất đai" in row.group(0) and "23/11/2026" in row.group(0)
    assert "Quá hạn" not in row.group(0)
    assert 'href="/admin/hoi-dap"' in queue.text  # the nav link
    assert "Duyệt hàng loạt" in queue.text

    page = await office.board.get(f"/admin/hoi-dap/{qid}")
    assert page.status_code == 200
    body = text_of(page)
    assert "Tôi muốn hỏi thủ tục cấp giấy chứng nhận" in body
    assert "Chuyển đơn vị" in body and "Không thuộc phạm vi" in body
    assert '<option value="badinh"' in page.text  # admin's list of sites
    assert "Người gửi xác nhận qua email" in body  # the history
    assert "Duyệt và đăng câu trả lời" not in body  # nothing to approve yet

    done = await office.board.submit(
        f"/admin/hoi-dap/{qid}", {"action": "classify", "unit": "badinh", "field": "Đất đai"}
    )
    assert "Đã phân loại và chuyển đơn vị trả lời." in text_of(done)
    assert (await office.question(qid))["unit"] == "badinh"
    # Twice: the service's own message, on the page.
    again = await office.board.post(
        f"/admin/hoi-dap/{qid}", {"action": "classify", "unit": "badinh"}
    )
    assert again.status_code == 409
    assert "Không thể thực hiện thao tác này" in text_of(again)

    # The unit keeps a template and answers from it.
    made = await office.unit.submit(
        "/admin/hoi-dap/mau",
        {
            "title": "Cấp sổ đỏ lần đầu",
            "body_html": "<p>Hồ sơ nộp tại Bộ phận một cửa.</p><script>alert(1)</script>",
        },
    )
    assert "Đã thêm mẫu “Cấp sổ đỏ lần đầu”." in text_of(made)
    templates = (
        await office.desk.http.get(
            f"{API}/templates", params={"tenant": "badinh"}, headers=bearer(UNIT)
        )
    ).json()
    template = next(t for t in templates if t["title"] == "Cấp sổ đỏ lần đầu")
    assert "script" not in template["body_html"]
    unit_queue = await office.unit.get("/admin/hoi-dap")
    assert code in unit_queue.text and "Duyệt hàng loạt" not in unit_queue.text

    page = await office.unit.get(f"/admin/hoi-dap/{qid}", mau=template["id"])
    assert page.status_code == 200
    area = re.search(r'<textarea id="answer_html"[^>]*>(.*?)</textarea>', page.text, re.S)
    assert area and html.unescape(area.group(1)) == template["body_html"]
    assert "Chuyển đơn vị" not in page.text and "Duyệt và đăng" not in page.text
    drafted = await office.unit.submit(
        f"/admin/hoi-dap/{qid}",
        {
            "action": "draft",
            "answer_html": html.unescape(area.group(1)) + '<img src=x onerror="x()">',
        },
    )
    assert "Đã lưu câu trả lời, chờ Ban Biên tập duyệt." in text_of(drafted)
    assert "onerror" not in drafted.text
    assert (await office.question(qid))["status"] == "drafted"

    approved = await office.board.submit(f"/admin/hoi-dap/{qid}", {"action": "approve"})
    assert "Đã duyệt; câu trả lời được đăng" in text_of(approved)
    assert (await office.question(qid))["status"] == "published"

    async def answered() -> bool:
        return any(m["Subject"] == f"Trả lời {code}" for m in office.desk.inbox.to(email))

    await eventually(answered)


async def test_every_action_form_goes_through_the_api_and_keeps_what_was_typed(
    office: Office,
) -> None:
    question = await office.forwarded()
    qid = question["id"]
    # Too short for the API: its message, in Vietnamese, with the text kept.
    short = await office.unit.post(f"/admin/hoi-dap/{qid}", {"action": "clarify", "note": "Số?"})
    assert short.status_code == 400
    assert "Nội dung: cần ít nhất 5 ký tự" in text_of(short)
    assert ">Số?</textarea>" in text_of(short)
    asked = await office.unit.submit(
        f"/admin/hoi-dap/{qid}", {"action": "clarify", "note": "Xin cho biết số thửa đất."}
    )
    assert "Đã gửi đề nghị bổ sung" in text_of(asked)
    assert "Tạm dừng, chờ người gửi bổ sung" in text_of(asked)
    assert (await office.question(qid))["status"] == "waiting_citizen"

    other = await office.forwarded()
    oid = other["id"]
    holiday = await office.board.post(
        f"/admin/hoi-dap/{oid}",
        {"action": "extend", "answer_by": "2027-02-06", "reason": "Cần ý kiến Sở Xây dựng."},
    )
    assert holiday.status_code == 422
    assert "ngày làm việc" in text_of(holiday)
    assert 'value="2027-02-06"' in holiday.text
    extended = await office.board.submit(
        f"/admin/hoi-dap/{oid}",
        {"action": "extend", "answer_by": "2027-01-15", "reason": "Cần ý kiến Sở Xây dựng."},
    )
    assert "Đã gửi thông báo tiến độ" in text_of(extended)
    assert "đã hẹn trả lời trước hết ngày 15/01/2027" in text_of(extended)
    await office.unit.submit(
        f"/admin/hoi-dap/{oid}", {"action": "draft", "answer_html": "<p>Bản nháp đầu.</p>"}
    )
    back = await office.board.submit(
        f"/admin/hoi-dap/{oid}", {"action": "return", "note": "Xin trích dẫn điều luật."}
    )
    assert "Đã trả lại để đơn vị sửa" in text_of(back)
    assert (await office.question(oid))["status"] == "classified"
    # The editor of the site (not the board, not the unit) sees it, but no forms.
    seen = await office.editor.get(f"/admin/hoi-dap/{oid}")
    assert seen.status_code == 200 and 'name="action" value=' not in seen.text
    refused = await office.editor.post(
        f"/admin/hoi-dap/{oid}", {"action": "draft", "answer_html": "<p>Chen ngang</p>"}
    )
    assert refused.status_code == 403
    assert "cần quyền" in text_of(refused)
    bogus = await office.board.submit(f"/admin/hoi-dap/{oid}", {"action": "drop-table"})
    assert "Thao tác không hợp lệ." in text_of(bogus)

    fresh = await office.desk.received()
    rejected = await office.board.submit(
        f"/admin/hoi-dap/{fresh['id']}",
        {
            "action": "out_of_scope",
            "note": "Thuộc thẩm quyền cơ quan thuế.",
            "competent_body": "Thuế thành phố Hà Nội",
        },
    )
    assert "không thuộc phạm vi" in text_of(rejected)
    assert "Thuế thành phố Hà Nội" in text_of(rejected)


async def test_the_queue_filters_and_marks_overdue_questions(office: Office) -> None:
    desk = office.desk
    question = await desk.received(title="Câu hỏi bị bỏ quên")
    try:
        desk.clock.set(datetime(2026, 11, 27, 0, 0, 1, tzinfo=TZ))  # past its classification

        async def flagged() -> bool:
            return (await office.question(question["id"]))["classification_overdue"]

        await eventually(flagged, timeout=20)
    finally:
        desk.clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=TZ))
    overdue = await office.board.get("/admin/hoi-dap", overdue="1")
    row = re.search(rf'<tr data-id="{question["id"]}" class="overdue">.*?</tr>', overdue.text, re.S)
    assert row and "Quá hạn" in row.group(0)
    assert all('class="overdue"' in r for r in re.findall(r"<tr data-id=[^>]*>", overdue.text))
    by_status = await office.board.get("/admin/hoi-dap", status="published")
    assert question["code"] not in by_status.text
    hostile = await office.board.get("/admin/hoi-dap", status="<script>", offset="x")
    assert hostile.status_code == 200 and "<script>" not in hostile.text
    detail = await office.board.get(f"/admin/hoi-dap/{question['id']}")
    assert "Quá hạn" in detail.text


async def test_other_sites_and_signed_out_visitors_see_nothing(office: Office) -> None:
    question = await office.desk.received(text="Nội dung riêng của Hoàn Kiếm, không ai ngoài xem.")
    qid = question["id"]
    r = await office.outsider.get(f"/admin/hoi-dap/{qid}")
    assert r.status_code == 404 and "Nội dung riêng" not in r.text
    queue = await office.outsider.get("/admin/hoi-dap", site="hoankiem")
    assert question["code"] not in queue.text
    assert "trang <strong>caugiay</strong>" in queue.text
    r = await office.outsider.post(
        f"/admin/hoi-dap/{qid}", {"action": "out_of_scope", "note": "Chiếm quyền xử lý."}
    )
    assert r.status_code == 404
    assert (await office.question(qid))["status"] == "received"
    for forged in (str(uuid.uuid4()), "1%20OR%201=1", "%00"):
        r = await office.board.get(f"/admin/hoi-dap/{forged}")
        assert r.status_code == 404, (forged, r.status_code)
    # Signed out: to the login page; without the CSRF token: refused.
    anonymous = httpx.AsyncClient(base_url=office.admin_url, headers={"Host": "hanoi.localhost"})
    async with anonymous:
        r = await anonymous.get("/admin/hoi-dap")
        assert r.status_code == 302 and "/admin/dang-nhap" in r.headers["location"]
    r = await office.board.http.post(f"/admin/hoi-dap/{qid}", data={"action": "approve"})
    assert r.status_code == 403
    r = await office.board.http.post(
        "/admin/hoi-dap/hang-loat", data={"action": "approve", "question_id": qid}
    )
    assert r.status_code == 403


# --- bulk answers ------------------------------------------------------------------------------


async def test_bulk_answers_from_a_template_and_bulk_approval(office: Office) -> None:
    questions = [await office.forwarded() for _ in range(2)]
    waiting = await office.desk.received()  # not forwarded: cannot be drafted
    await office.unit.submit(
        "/admin/hoi-dap/mau",
        {"title": "Mẫu hàng loạt", "body_html": "<p>Trả lời chung cho các câu hỏi trùng.</p>"},
    )
    queue = await office.unit.get("/admin/hoi-dap")
    template_id = re.search(r'<option value="([0-9a-f-]{36})">Mẫu hàng loạt</option>', queue.text)
    assert template_id
    ids = [q["id"] for q in questions]

    # Nothing chosen, no template, a forged id: told why, nothing changed.
    told = await office.unit.submit(
        "/admin/hoi-dap/hang-loat", {"action": "draft", "template_id": template_id.group(1)}
    )
    assert "Hãy đánh dấu ít nhất một câu hỏi." in text_of(told)
    told = await office.unit.submit(
        "/admin/hoi-dap/hang-loat", {"action": "draft", "question_id": ids}
    )
    assert "Hãy chọn mẫu trả lời." in text_of(told)
    told = await office.unit.submit(
        "/admin/hoi-dap/hang-loat",
        {
            "action": "draft",
            "question_id": [*ids, "' OR 1=1 --"],
            "template_id": template_id.group(1),
        },
    )
    assert "Thông tin chưa hợp lệ" in text_of(told)
    mixed = await office.board.submit(
        "/admin/hoi-dap/hang-loat",
        {
            "action": "draft",
            "question_id": [*ids, waiting["id"]],
            "template_id": template_id.group(1),
        },
    )
    assert "Không có mẫu trả lời" in text_of(mixed)  # Ba Đình's template is not Hoàn Kiếm's
    for qid in ids:
        assert (await office.question(qid))["status"] == "classified"

    drafted = await office.unit.submit(
        "/admin/hoi-dap/hang-loat",
        {"action": "draft", "question_id": ids, "template_id": template_id.group(1)},
    )
    assert "Đã soạn trả lời theo mẫu cho 2 câu hỏi." in text_of(drafted)
    for qid in ids:
        q = await office.question(qid)
        assert q["status"] == "drafted" and "Trả lời chung" in q["answer_html"]

    # The unit has no approve button and the API refuses it anyway.
    refused = await office.unit.submit(
        "/admin/hoi-dap/hang-loat", {"action": "approve", "question_id": ids}
    )
    assert "cần quyền" in text_of(refused)
    # One not drafted among them: nothing published, and the page says which.
    mixed = await office.board.submit(
        "/admin/hoi-dap/hang-loat", {"action": "approve", "question_id": [*ids, waiting["id"]]}
    )
    assert "1 trong 3" in text_of(mixed) and waiting["code"] in text_of(mixed)
    assert (await office.question(ids[0]))["status"] == "drafted"
    approved = await office.board.submit(
        "/admin/hoi-dap/hang-loat", {"action": "approve", "question_id": ids}
    )
    assert "Đã duyệt và đăng 2 câu trả lời." in text_of(approved)
    for qid in ids:
        assert (await office.question(qid))["status"] == "published"


# --- templates ------------------------------------------------------------------------------------


async def test_templates_are_listed_edited_and_deleted(office: Office) -> None:
    made = await office.editor.submit(
        "/admin/hoi-dap/mau",
        {"title": "Giờ làm việc một cửa", "body_html": "<p>Từ thứ Hai đến thứ Sáu.</p>"},
    )
    link = re.search(r'href="/admin/hoi-dap/mau/([0-9a-f-]{36})">Giờ làm việc một cửa<', made.text)
    assert link
    url = f"/admin/hoi-dap/mau/{link.group(1)}"
    form = await office.editor.get(url)
    assert form.status_code == 200 and 'name="version" value="1"' in form.text
    saved = await office.board.submit(
        url,
        {
            "action": "save",
            "version": "1",
            "title": "Giờ làm việc bộ phận một cửa",
            "body_html": "<p>Từ thứ Hai đến sáng thứ Bảy.</p>",
        },
    )
    assert "Đã lưu mẫu trả lời." in text_of(saved)
    stale = await office.editor.post(
        url, {"action": "save", "version": "1", "title": "Ghi đè", "body_html": "<p>Cũ</p>"}
    )
    assert stale.status_code == 409 and "người khác" in text_of(stale)
    assert 'value="Ghi đè"' in stale.text  # what was typed is kept
    too_long = await office.editor.post(
        "/admin/hoi-dap/mau", {"title": "x" * 201, "body_html": "<p>Nội dung</p>"}
    )
    assert too_long.status_code == 400 and "Tiêu đề: dài quá 200 ký tự" in text_of(too_long)
    empty = await office.editor.post(
        "/admin/hoi-dap/mau", {"title": "Trống", "body_html": "<script>alert(1)</script>"}
    )
    assert empty.status_code == 422 and "không có nội dung" in text_of(empty)
    nul = await office.editor.post(
        "/admin/hoi-dap/mau", {"title": "Mẫu\x00độc", "body_html": "<p>Nội dung</p>"}
    )
    assert nul.status_code == 400 and "ký tự NUL" in text_of(nul)
    # Another site's editors cannot open it.
    assert (await office.unit.get(url)).status_code == 404
    gone = await office.editor.submit(url, {"action": "delete"})
    assert "Đã xoá mẫu trả lời." in text_of(gone)
    assert "Giờ làm việc bộ phận một cửa" not in gone.text
    assert (await office.editor.get(url)).status_code == 404


# --- the calendar ------------------------------------------------------------------------------


async def test_operators_keep_the_calendar_others_are_refused(office: Office) -> None:
    ask = {"received_at": "2026-12-10T09:00:00+07:00"}  # Thursday; Monday 14/12 is day 2
    before = (await office.desk.http.get(f"{API}/deadlines", params=ask)).json()
    page = await office.operator.get("/admin/lich-lam-viec", year="2026")
    assert page.status_code == 200
    body = text_of(page)
    assert "Tết Nguyên Đán" in body and "Quốc khánh" in body and "17/02/2026" in body
    assert "Lịch làm việc" in body

    added = await office.operator.submit(
        "/admin/lich-lam-viec",
        {
            "action": "set",
            "day": "2026-12-14",
            "kind": "day_off",
            "reason": "Nghỉ bù theo quyết định <script>alert(1)</script>",
        },
    )
    assert "Đã ghi ngày nghỉ thêm 14/12/2026." in text_of(added)
    assert '<tr data-day="2026-12-14">' in added.text and "<script>alert" not in added.text
    assert "Thứ Hai" in text_of(added)
    after = (await office.desk.http.get(f"{API}/deadlines", params=ask)).json()
    assert after["classification_due"] == "2026-12-15T23:59:59+07:00"
    bad = await office.operator.submit(
        "/admin/lich-lam-viec",
        {"action": "set", "day": "2026-12-15", "kind": "day_off", "reason": "x"},
    )
    assert "Lý do: cần ít nhất 3 ký tự" in text_of(bad)
    bad = await office.operator.submit(
        "/admin/lich-lam-viec",
        {"action": "set", "day": "2026-02-30", "kind": "day_off", "reason": "Sai"},
    )
    assert "Ngày không hợp lệ" in text_of(bad)
    bad = await office.operator.submit(
        "/admin/lich-lam-viec",
        {"action": "set", "day": "2026-12-16", "kind": "holiday", "reason": "Loại lạ"},
    )
    assert "Loại ngày: không phải giá trị được chấp nhận" in text_of(bad)

    # Not an operator: no page, no change.
    for browser in (office.board, office.editor):
        r = await browser.get("/admin/lich-lam-viec")
        assert r.status_code == 403 and "Chỉ người vận hành" in text_of(r)
        r = await browser.post("/admin/lich-lam-viec", {"action": "remove", "day": "2026-12-14"})
        assert r.status_code == 403
    assert (await office.desk.http.get(f"{API}/deadlines", params=ask)).json() == after

    removed = await office.operator.submit(
        "/admin/lich-lam-viec", {"action": "remove", "day": "2026-12-14"}
    )
    assert "Đã bỏ điều chỉnh ngày 14/12/2026." in text_of(removed)
    assert '<tr data-day="2026-12-14">' not in removed.text
    assert (await office.desk.http.get(f"{API}/deadlines", params=ask)).json() == before
    twice = await office.operator.submit(
        "/admin/lich-lam-viec", {"action": "remove", "day": "2026-12-14"}
    )
    assert "không có điều chỉnh nào" in text_of(twice)


# --- the dashboard -------------------------------------------------------------------------------


async def test_the_dashboard_shows_the_counts_with_charts_and_exports(office: Office) -> None:
    probe = await office.desk.http.get(
        f"{API}/reports", params={"tenant": "hoankiem"}, headers=bearer(BOARD)
    )
    assert probe.status_code == 200, probe.text
    await office.desk.received()
    period = {"from": "2026-01-01", "to": "2026-12-31"}
    page = await office.board.get("/admin/hoi-dap/bao-cao", **period)
    assert page.status_code == 200, page.text[:500]
    body = text_of(page)
    assert "Báo cáo hỏi đáp trang hoankiem" in body
    assert "Tiếp nhận" in body and "Trả lời đúng hạn" in body and "Đang quá hạn" in body
    assert "<svg" in page.text and "<script" not in page.text
    assert "Tải Excel (XLSX)" in body and "Tải CSV" in body
    api = (
        await office.desk.http.get(
            f"{API}/reports", headers=bearer(BOARD), params={"tenant": "hoankiem", **period}
        )
    ).json()
    assert api["totals"]["received"] >= 1
    assert re.search(rf"<dt>Tiếp nhận</dt><dd>{api['totals']['received']}</dd>", page.text)

    city = await office.operator.get("/admin/hoi-dap/bao-cao", pham_vi="thanh-pho", **period)
    assert city.status_code == 200 and "toàn thành phố" in text_of(city)
    # A board member of one site gets no city-wide figures by asking for them.
    narrowed = await office.board.get("/admin/hoi-dap/bao-cao", pham_vi="thanh-pho", **period)
    assert "toàn thành phố" not in text_of(narrowed)

    xlsx = await office.board.get("/admin/hoi-dap/bao-cao/tai-ve", format="xlsx", **period)
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert xlsx.content[:2] == b"PK"
    csv = await office.board.get("/admin/hoi-dap/bao-cao/tai-ve", format="csv", **period)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    bad = await office.board.get("/admin/hoi-dap/bao-cao/tai-ve", format="exe")
    assert bad.status_code == 400
