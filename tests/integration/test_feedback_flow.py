"""feedback on a real broker and database, with admin announcing the sites and a local
SMTP server (aiosmtpd) taking the mail: a question from submission to published
answer, the deadline watcher on a controllable clock, the public clock and calendar,
and hostile input."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import uuid
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from aiosmtpd.controller import Controller
from conftest import BOARD, EDITOR, bearer, eventually, running, settings_for, token_for

from contracts import topics
from runtime.embedded import EmbeddedKafka, free_port
from runtime.settings import Settings
from services.admin.__main__ import build as build_admin
from services.feedback import store
from services.feedback.__main__ import build as build_feedback
from services.feedback.calendar import TZ, Now

OPERATOR = token_for("vanhanh", {}, operator=True)
UNIT = token_for("bientap.badinh", {"badinh": "editor"})


class Inbox:
    """aiosmtpd handler keeping every message it is given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def body(message: EmailMessage) -> str:
        return str(message.get_content())


class Desk:
    def __init__(self, settings: Settings, http: httpx.AsyncClient, clock: Now, inbox: Inbox,
                 service: Any) -> None:  # fmt: skip
        self.settings = settings
        self.http = http
        self.clock = clock
        self.inbox = inbox
        self.service = service

    async def submit(self, ip: str | None = None, **fields: Any) -> httpx.Response:
        """A submission, as if through the gateway from `ip` (a fresh address if None,
        so that tests do not run into the per-address limits)."""
        body = {
            "tenant": "hoankiem", "kind": "question", "field": "Đất đai",
            "title": "Hỏi về thủ tục cấp sổ đỏ", "name": "Nguyễn Văn An",
            "email": f"an.{uuid.uuid4().hex[:6]}@example.vn",
            "text": "Tôi muốn hỏi thủ tục cấp giấy chứng nhận quyền sử dụng đất lần đầu.",
            **fields,
        }  # fmt: skip
        return await self.http.post(
            "/api/v1/feedback/questions", json=body, headers=forwarded_for(ip or fresh_ip())
        )

    async def link(self, email: str, kind: str = "xac-nhan") -> str:
        async def mailed() -> str | None:
            for message in self.inbox.to(email):
                found = re.search(rf"/hoi-dap/{kind}/([\w-]+)", Inbox.body(message))
                if found:
                    return found.group(1)
            return None

        return await eventually(mailed)

    async def received(self, **fields: Any) -> dict[str, Any]:
        """Submitted and confirmed: the question as the board sees it."""
        email = fields.setdefault("email", f"dan.{uuid.uuid4().hex[:6]}@example.vn")
        submitted = await self.submit(**fields)
        assert submitted.status_code == 202, submitted.text
        token = await self.link(email)
        confirmed = await self.http.post("/api/v1/feedback/confirm", json={"token": token})
        assert confirmed.status_code == 200, confirmed.text
        listed = await self.http.get(
            "/api/v1/feedback/questions", params={"tenant": "hoankiem", "limit": 200},
            headers=bearer(BOARD),
        )  # fmt: skip
        return next(q for q in listed.json() if q["code"] == submitted.json()["code"])

    async def events(self, question_id: str, wait_s: float = 3.0) -> list[tuple[str, dict]]:
        consumer = AIOKafkaConsumer(
            topics.QUESTION.name,
            bootstrap_servers=self.settings.kafka_bootstrap_servers,
            auto_offset_reset="earliest",
            group_id=None,  # no group to join: reads every partition at once
        )
        await consumer.start()
        found: list[tuple[str, dict]] = []
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + wait_s
            while loop.time() < deadline:
                batch = await consumer.getmany(timeout_ms=500)
                for records in batch.values():
                    for record in records:
                        if record.key and record.key.decode() == question_id:
                            headers = {k: v.decode() for k, v in record.headers}
                            kind = headers["ce_type"].split(".")[-2]
                            found.append((kind, json.loads(record.value)))
        finally:
            await consumer.stop()
        return found


def fresh_ip() -> str:
    """A random address from the range kept for tests (198.18.0.0/15, RFC 2544)."""
    return f"198.{18 + secrets.randbelow(2)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"


def forwarded_for(ip: str) -> dict[str, str]:
    """The header the gateway adds for a client at `ip`."""
    return {"x-forwarded-for": ip}


@pytest.fixture(scope="module")
async def desk(tmp_path_factory):
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    clock = Now()
    clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=TZ))  # a Monday; 24/11 is a holiday
    try:
        with EmbeddedKafka() as kafka:
            async with settings_for(tmp_path_factory.mktemp("feedback"), kafka) as base:
                settings = base.with_overrides(smtp_port=smtp.port)
                async with (
                    running(build_admin, settings),
                    running(lambda s: build_feedback(s, clock), settings) as (service, http),
                ):
                    # feedback learns the sites from admin's events.
                    async def known() -> bool:
                        async with service.db.read() as session:
                            return all([await store.site(session, "badinh"),
                                        await store.site(session, "hoankiem")])  # fmt: skip

                    await eventually(known, timeout=30)
                    yield Desk(settings, http, clock, inbox, service)
    finally:
        smtp.stop()


async def test_the_public_clock_computes_the_legal_deadlines(desk: Desk) -> None:
    r = await desk.http.get(
        "/api/v1/feedback/deadlines", params={"received_at": "2026-04-29T16:30:00+07:00"}
    )
    assert r.status_code == 200, r.text
    assert r.json() == {
        "received_at": "2026-04-29T16:30:00+07:00",
        "out_of_scope_notice_due": "2026-04-29T23:59:59+07:00",
        "classification_due": "2026-05-05T23:59:59+07:00",
        "answer_due": "2026-05-22T23:59:59+07:00",
    }
    # The same moment written in UTC gives the same answer, in Hanoi time.
    utc = await desk.http.get(
        "/api/v1/feedback/deadlines", params={"received_at": "2026-04-29T09:30:00Z"}
    )
    assert utc.json()["classification_due"] == "2026-05-05T23:59:59+07:00"


@pytest.mark.parametrize(
    "value",
    ["", "hôm qua", "2026-04-29", "2026-04-29T16:30:00", "2026-13-01T00:00:00+07:00",
     "9999-01-01T00:00:00+07:00", "2026-04-29T16:30:00+25:00", "x" * 5000,
     "2026-04-29T16:30:00+07:00\x00", "<script>alert(1)</script>"],
)  # fmt: skip
async def test_the_public_clock_refuses_bad_dates_with_a_message(desk: Desk, value: str) -> None:
    r = await desk.http.get("/api/v1/feedback/deadlines", params={"received_at": value})
    assert r.status_code == 400, (value, r.status_code, r.text[:200])
    assert "received_at" in r.json()["detail"]


async def test_the_public_clock_needs_its_parameter(desk: Desk) -> None:
    r = await desk.http.get("/api/v1/feedback/deadlines")
    assert r.status_code == 400


async def test_operators_keep_the_calendar_and_deadlines_follow_it(desk: Desk) -> None:
    url = "/api/v1/feedback/calendar/2026-12-14"
    body = {"kind": "day_off", "reason": "Nghỉ bù theo quyết định của Chính phủ"}
    assert (await desk.http.put(url, json=body)).status_code == 401
    assert (await desk.http.put(url, json=body, headers=bearer(BOARD))).status_code == 403
    bad = await desk.http.put(url, json={"kind": "holiday", "reason": "x"},
                              headers=bearer(OPERATOR))  # fmt: skip
    assert bad.status_code == 400
    ask = {"received_at": "2026-12-10T09:00:00+07:00"}  # Thursday; Monday 14/12 is day 2
    before = (await desk.http.get("/api/v1/feedback/deadlines", params=ask)).json()
    assert before["classification_due"] == "2026-12-14T23:59:59+07:00"

    put = await desk.http.put(url, json=body, headers=bearer(OPERATOR))
    assert put.status_code == 200, put.text
    after = (await desk.http.get("/api/v1/feedback/deadlines", params=ask)).json()
    assert after["classification_due"] == "2026-12-15T23:59:59+07:00"
    year = (await desk.http.get("/api/v1/feedback/calendar", params={"year": 2026})).json()
    assert {"day": "2026-12-14", "kind": "day_off", "reason": body["reason"]} in year["adjustments"]
    assert any(h["day"] == "2026-11-24" for h in year["holidays"])

    assert (await desk.http.delete(url, headers=bearer(OPERATOR))).status_code == 204
    assert (await desk.http.delete(url, headers=bearer(OPERATOR))).status_code == 404
    again = (await desk.http.get("/api/v1/feedback/deadlines", params=ask)).json()
    assert again == before


async def test_a_question_from_submission_to_published_answer(desk: Desk) -> None:
    email = f"an.{uuid.uuid4().hex[:6]}@example.vn"
    text = ("Tôi là Nguyễn Văn An, số điện thoại 0912 345 678, email an@example.vn. "
            "Xin hỏi thủ tục cấp giấy phép xây dựng nhà ở riêng lẻ?")  # fmt: skip
    submitted = await desk.submit(email=email, text=text)
    assert submitted.status_code == 202, submitted.text
    code = submitted.json()["code"]
    status = await desk.http.get(f"/api/v1/feedback/status/{code}")
    assert status.json()["status"] == "unconfirmed"

    token = await desk.link(email)
    confirmed = await desk.http.post("/api/v1/feedback/confirm", json={"token": token})
    assert confirmed.status_code == 200, confirmed.text
    view = confirmed.json()
    assert view["status"] == "received"
    assert view["classification_due"] == "2026-11-26T23:59:59+07:00"  # 24/11 is a holiday
    # The link works once.
    again = await desk.http.post("/api/v1/feedback/confirm", json={"token": token})
    assert again.status_code == 404

    listed = await desk.http.get(
        "/api/v1/feedback/questions", params={"tenant": "hoankiem"}, headers=bearer(BOARD)
    )
    question = next(q for q in listed.json() if q["code"] == code)
    qid = question["id"]
    base = f"/api/v1/feedback/questions/{qid}"
    # The unit cannot see it before it is forwarded; an editor cannot classify.
    assert (await desk.http.get(base, headers=bearer(UNIT))).status_code == 404
    denied = await desk.http.post(f"{base}/classify", json={"unit": "badinh"},
                                  headers=bearer(EDITOR))  # fmt: skip
    assert denied.status_code == 403
    classified = await desk.http.post(f"{base}/classify", json={"unit": "badinh"},
                                      headers=bearer(BOARD))  # fmt: skip
    assert classified.status_code == 200, classified.text
    assert classified.json()["status"] == "classified"
    twice = await desk.http.post(f"{base}/classify", json={"unit": "badinh"},
                                 headers=bearer(BOARD))  # fmt: skip
    assert twice.status_code == 409

    drafted = await desk.http.post(
        f"{base}/draft",
        json={"answer_html": '<p onclick="x()">Theo Luật Xây dựng…<script>alert(1)</script></p>'},
        headers=bearer(UNIT),
    )
    assert drafted.status_code == 200, drafted.text
    assert "script" not in drafted.json()["answer_html"]
    assert "onclick" not in drafted.json()["answer_html"]
    approved = await desk.http.post(f"{base}/approve", headers=bearer(BOARD))
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "published"

    events = await desk.events(qid)
    kinds = [kind for kind, _ in events]
    assert kinds == ["QuestionSubmitted", "QuestionClassified", "AnswerPublished"]
    published = events[-1][1]
    assert "Nguyễn Văn An" not in published["question_text"]
    assert "0912 345 678" not in published["question_text"]
    assert "an@example.vn" not in published["question_text"]
    assert "giấy phép xây dựng" in published["question_text"]
    assert published["on_time"] is True
    assert email not in json.dumps(events)  # no personal data on the bus

    public = (await desk.http.get(f"/api/v1/feedback/status/{code.lower()}")).json()
    assert public["status"] == "published"
    assert public["answer_path"] == f"/hoi-dap/{code}"
    assert [h["status"] for h in public["history"]] == [
        "unconfirmed", "received", "classified", "published",
    ]  # fmt: skip

    async def answered_by_mail() -> bool:
        return any("Trả lời" in m["Subject"] for m in desk.inbox.to(email))

    await eventually(answered_by_mail)


async def test_the_watcher_warns_once_and_reports_an_overdue_question_once(desk: Desk) -> None:
    desk.clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=TZ))
    question = await desk.received()
    qid = question["id"]
    assert question["classification_due"] == "2026-11-26T16:59:59Z"

    async def sent(kind: str) -> int:
        return sum(1 for k, _ in await desk.events(qid, wait_s=1.5) if k == kind)

    desk.clock.set(datetime(2026, 11, 24, 23, 59, tzinfo=TZ))  # a holiday; nothing yet
    await asyncio.sleep(2.5)  # the watcher looks at least every second
    assert await sent("QuestionDeadlineNear") == 0
    desk.clock.set(datetime(2026, 11, 25, 0, 0, 1, tzinfo=TZ))  # the working day before

    async def warned() -> bool:
        return await sent("QuestionDeadlineNear") == 1

    await eventually(warned, timeout=15)
    desk.clock.set(datetime(2026, 11, 26, 23, 59, 59, tzinfo=TZ))  # the last second
    await asyncio.sleep(2.5)
    assert await sent("QuestionOverdue") == 0
    desk.clock.set(datetime(2026, 11, 27, 0, 0, 0, tzinfo=TZ))

    async def overdue() -> bool:
        return await sent("QuestionOverdue") == 1

    await eventually(overdue, timeout=15)
    desk.clock.set(datetime(2026, 12, 31, 9, 0, tzinfo=TZ))
    await asyncio.sleep(2.5)
    events = await desk.events(qid)
    assert [k for k, _ in events].count("QuestionOverdue") == 1
    assert [k for k, _ in events].count("QuestionDeadlineNear") == 1
    overdue_event = next(e for k, e in events if k == "QuestionOverdue")
    assert overdue_event["clock"] == "classification"
    # Citizens see the mark; the board can list what is overdue.
    status = (await desk.http.get(f"/api/v1/feedback/status/{question['code']}")).json()
    assert status["overdue"] is True
    listed = await desk.http.get(
        "/api/v1/feedback/questions", params={"tenant": "hoankiem", "overdue": "true"},
        headers=bearer(BOARD),
    )  # fmt: skip
    assert qid in [q["id"] for q in listed.json()]
    # A sweep run again (as after a restart) sends nothing more.
    watcher = desk.service.background["watcher"].__self__
    assert (await watcher.sweep()).overdue == 0
    desk.clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=TZ))


async def test_a_clarification_pauses_and_a_progress_notice_extends(desk: Desk) -> None:
    desk.clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=TZ))
    email = f"binh.{uuid.uuid4().hex[:6]}@example.vn"
    question = await desk.received(email=email)
    base = f"/api/v1/feedback/questions/{question['id']}"
    assert question["answer_due"] == "2026-03-23T16:59:59Z"
    await desk.http.post(f"{base}/classify", json={"unit": "badinh"}, headers=bearer(BOARD))
    desk.clock.set(datetime(2026, 3, 4, 10, 0, tzinfo=TZ))
    asked = await desk.http.post(f"{base}/clarify", json={"note": "Xin cho biết số thửa đất."},
                                 headers=bearer(UNIT))  # fmt: skip
    assert asked.status_code == 200, asked.text
    assert asked.json()["answer_due"] is None
    token = await desk.link(email, "bo-sung")
    desk.clock.set(datetime(2026, 3, 9, 15, 0, tzinfo=TZ))
    reply = {"token": token, "text": "Thửa số 123, tờ bản đồ 4."}
    replied = await desk.http.post("/api/v1/feedback/replies", json=reply)
    assert replied.status_code == 200, replied.text
    detail = (await desk.http.get(base, headers=bearer(BOARD))).json()
    assert detail["answer_due"] == "2026-03-26T16:59:59Z"
    assert "Thửa số 123" in detail["text"]
    assert any(h["action"] == "clarify" and "số thửa" in h["note"] for h in detail["history"])

    holiday = await desk.http.post(f"{base}/extend", json={"answer_by": "2026-04-30",
                                   "reason": "Cần lấy ý kiến Sở Nông nghiệp và Môi trường."},
                                   headers=bearer(BOARD))  # fmt: skip
    assert holiday.status_code == 422
    assert "ngày làm việc" in holiday.json()["detail"]
    extended = await desk.http.post(f"{base}/extend", json={"answer_by": "2026-04-10",
                                    "reason": "Cần lấy ý kiến Sở Nông nghiệp và Môi trường."},
                                    headers=bearer(BOARD))  # fmt: skip
    assert extended.status_code == 200, extended.text
    assert extended.json()["answer_due"] == "2026-04-10T16:59:59Z"
    desk.clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=TZ))


async def test_out_of_scope_is_answered_with_the_competent_body(desk: Desk) -> None:
    email = f"cuong.{uuid.uuid4().hex[:6]}@example.vn"
    question = await desk.received(email=email, title="Hỏi về thuế thu nhập cá nhân")
    r = await desk.http.post(
        f"/api/v1/feedback/questions/{question['id']}/out-of-scope",
        json={"note": "Câu hỏi thuộc thẩm quyền của cơ quan thuế.",
              "competent_body": "Thuế thành phố Hà Nội"},
        headers=bearer(BOARD),
    )  # fmt: skip
    assert r.status_code == 200, r.text
    events = await desk.events(question["id"])
    rejected = [e for k, e in events if k == "QuestionRejectedOutOfScope"]
    assert rejected and rejected[0]["competent_body"] == "Thuế thành phố Hà Nội"
    assert rejected[0]["on_time"] is True

    async def told() -> bool:
        return any("Thuế thành phố" in Inbox.body(m) for m in desk.inbox.to(email))

    await eventually(told)


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"text": "x" * 10_001}, 400),
        ({"title": "<b>" * 200}, 400),
        ({"kind": 1}, 400),
        ({"kind": "complaint"}, 400),
        ({"tenant": "../admin"}, 400),
        ({"tenant": "khong-co-trang"}, 404),
        ({"email": None}, 400),
        ({"email": "not-an-email"}, 400),
        ({"phone": "12345"}, 400),
        ({"name": "A\x00B"}, 400),
        ({"text": ["mảng"]}, 400),
    ],
)
async def test_hostile_submissions_get_a_clear_4xx(
    desk: Desk, fields: dict[str, Any], status: int
) -> None:
    before = await _count(desk)
    r = await desk.submit(**fields)
    assert r.status_code == status, (fields, r.text[:300])
    assert r.json()["detail"]
    assert await _count(desk) == before


async def test_the_honeypot_accepts_politely_and_keeps_nothing(desk: Desk) -> None:
    before = await _count(desk)
    r = await desk.submit(website="http://spam.example")
    assert r.status_code == 202
    assert await _count(desk) == before


@pytest.mark.parametrize(
    ("code", "status"),
    [("AAAA-AAAA-AAAA", 400), ("' OR 1=1 --", 400), ("x" * 5000, 400), ("%00", 400)],
)
async def test_forged_tracking_codes_are_refused(desk: Desk, code: str, status: int) -> None:
    r = await desk.http.get(f"/api/v1/feedback/status/{code}")
    assert r.status_code == status, r.text[:200]


async def test_a_well_formed_unknown_code_is_not_found(desk: Desk) -> None:
    from services.feedback.domain import new_code

    r = await desk.http.get(f"/api/v1/feedback/status/{new_code()}")
    assert r.status_code == 404
    assert "Không tìm thấy" in r.json()["detail"]
    forged = await desk.http.post("/api/v1/feedback/confirm", json={"token": "a" * 43})
    assert forged.status_code == 404


async def _count(desk: Desk) -> int:
    from sqlalchemy import func, select

    async with desk.service.db.read() as session:
        return (await session.execute(select(func.count()).select_from(store.questions))).scalar()
