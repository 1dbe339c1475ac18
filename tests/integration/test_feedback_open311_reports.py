"""Open311 GeoReport v2 and the reports of feedback, on a real broker and database with
admin announcing the sites and aiosmtpd taking the mail (the fixture of
test_feedback_flow): a report filed over Open311 is confirmed by email and followed in
JSON and XML with its legal due date and history; the filters; hostile input; the
dashboard's counters on a controllable clock, their exports and who may see them."""

from __future__ import annotations

import csv
import io
import json
import secrets
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

import httpx
import pytest
import test_feedback_flow as flow
from conftest import BOARD, EDITOR, bearer, eventually, token_for
from openpyxl import load_workbook
from sqlalchemy import func, select
from test_feedback_flow import OPERATOR, UNIT, Desk, forwarded_for, fresh_ip

from services.feedback import store
from services.feedback.calendar import TZ
from services.feedback.domain import FIELDS, new_code

#: The fixture of test_feedback_flow: admin and feedback on a real broker, aiosmtpd.
desk = flow.desk


@pytest.fixture(scope="module", autouse=True)
async def sites_known(desk: Desk) -> None:
    """feedback has learned, from admin's events, every site these tests use."""

    async def known() -> bool:
        async with desk.service.db.read() as session:
            found = [await store.site(session, s) for s in ("hanoi", "hoankiem", "tayho")]
        return all(found) and found[0].kind == "city"

    await eventually(known, timeout=30)


TAYHO_BOARD = token_for("bbt.tayho", {"tayho": "board_member"})
TAYHO_EDITOR = token_for("bientap.tayho", {"tayho": "editor"})
CITY_BOARD = token_for("bbt.hanoi", {"hanoi": "board_member"})
REQUESTS = "/open311/v2/requests"
PERSONAL = ("Trần Thị Bích", "bich.", "0912 345 678", "0912345678")


def _form(**changes: str) -> dict[str, str]:
    return {
        "jurisdiction_id": "hoankiem",
        "service_code": "feedback-giao-thong",
        "description": "Tôi là Trần Thị Bích, số 0912 345 678. Ổ gà lớn trước số 12 phố "
        "Hàng Bài gây nguy hiểm cho người đi xe máy, xin sửa sớm.",
        "first_name": "Thị Bích",
        "last_name": "Trần",
        "email": f"bich.{uuid.uuid4().hex[:6]}@example.vn",
        # A number of its own each time: the per-contact limits count phone numbers.
        "phone": f"09{secrets.randbelow(10**8):08d}",
        "lat": "21.0245",
        "long": "105.8525",
        "address_string": "12 Hàng Bài, phường Hoàn Kiếm",
        **changes,
    }


async def _post(
    desk: Desk, fmt: str, form: dict[str, str], ip: str | None = None
) -> httpx.Response:
    """A POST requests.{fmt}, as if through the gateway from `ip` (by default a fresh
    address, so that tests do not run into the per-address limits)."""
    return await desk.http.post(
        f"{REQUESTS}.{fmt}", data=form, headers=forwarded_for(ip or fresh_ip())
    )


async def _confirm(desk: Desk, email: str) -> None:
    token = await desk.link(email)
    confirmed = await desk.http.post("/api/v1/feedback/confirm", json={"token": token})
    assert confirmed.status_code == 200, confirmed.text


async def _filed(desk: Desk, **changes: str) -> str:
    """Filed over Open311 and confirmed: its tracking code."""
    form = _form(**changes)
    r = await _post(desk, "json", form)
    assert r.status_code == 202, r.text
    code = r.json()[0]["service_request_id"]
    await _confirm(desk, form["email"])
    return code


async def _question_id(desk: Desk, code: str) -> str:
    async with desk.service.db.read() as session:
        row = await store.by_code(session, code)
    assert row is not None
    return row.id


async def _stored(desk: Desk) -> tuple[int, int]:
    """(questions, mails): what a refused request must leave as it was."""
    async with desk.service.db.read() as session:
        questions = await session.execute(select(func.count()).select_from(store.questions))
        mails = await session.execute(select(func.count()).select_from(store.mails))
        return questions.scalar_one(), mails.scalar_one()


async def _one(desk: Desk, code: str, fmt: str = "json", **params: str) -> httpx.Response:
    return await desk.http.get(f"{REQUESTS}/{code}.{fmt}", params=params)


def _spec_error(r: httpx.Response, status: int) -> str:
    """The description of a GeoReport error document, JSON or XML."""
    assert r.status_code == status, (r.status_code, r.text[:300])
    if r.headers["content-type"].startswith("text/xml"):
        root = ET.fromstring(r.content)
        assert root.tag == "errors"
        assert root.findtext("error/code") == str(status)
        description = root.findtext("error/description") or ""
    else:
        assert r.headers["content-type"].startswith("application/json")
        body = r.json()
        assert isinstance(body, list) and len(body) == 1
        assert body[0]["code"] == status
        description = body[0]["description"]
    assert description and not description.isascii(), description  # said in Vietnamese
    return description


# --- Open311 -------------------------------------------------------------------------


async def test_the_service_list_in_json_and_xml(desk: Desk) -> None:
    r = await desk.http.get("/open311/v2/services.json")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    services = r.json()
    assert len(services) == 2 * len(FIELDS)
    land = next(s for s in services if s["service_code"] == "question-dat-dai")
    assert land["group"] == "Hỏi đáp"
    assert land["type"] == "realtime"
    assert land["metadata"] is False
    x = await desk.http.get("/open311/v2/services.xml", params={"jurisdiction_id": "hoankiem"})
    assert x.status_code == 200
    assert x.headers["content-type"].startswith("text/xml")
    root = ET.fromstring(x.content)
    assert root.tag == "services"
    assert [s.findtext("service_code") for s in root.findall("service")] == [
        s["service_code"] for s in services
    ]
    unknown = await desk.http.get("/open311/v2/services.xml", params={"jurisdiction_id": "xyz"})
    _spec_error(unknown, 400)
    _spec_error(await desk.http.get("/open311/v2/services.csv"), 404)
    _spec_error(await desk.http.get("/open311/v2/tokens.json"), 404)


async def test_a_report_filed_over_open311_is_confirmed_then_followed(desk: Desk) -> None:
    desk.clock.set(datetime(2026, 11, 23, 9, 0, tzinfo=TZ))  # a Monday; 24/11 is a holiday
    form = _form(phone="0912 345 678")
    r = await _post(desk, "xml", form)
    assert r.status_code == 202, r.text
    created = ET.fromstring(r.content)
    assert created.tag == "service_requests"
    code = created.findtext("request/service_request_id") or ""
    assert len(code) == 14
    assert "xác nhận" in (created.findtext("request/service_notice") or "")

    # Not a request until its sender confirms: neither shown nor listed.
    _spec_error(await _one(desk, code), 404)
    listed = await desk.http.get(f"{REQUESTS}.json", params={"jurisdiction_id": "hoankiem"})
    assert code not in [x["service_request_id"] for x in listed.json()]

    desk.clock.set(datetime(2026, 11, 23, 9, 30, tzinfo=TZ))
    await _confirm(desk, form["email"])
    # The same intake as the site's form: field, kind, the location in the text.
    async with desk.service.db.read() as session:
        row = await store.by_code(session, code)
    assert (row.kind, row.field, row.tenant) == ("feedback", "Giao thông", "hoankiem")
    assert "Địa điểm: 12 Hàng Bài" in row.text
    assert row.sender_phone == "0912345678"

    shown = await _one(desk, code)
    assert shown.status_code == 200, shown.text
    (view,) = shown.json()
    assert view["service_request_id"] == code
    assert view["status"] == "open"
    assert view["service_code"] == "feedback-giao-thong"
    assert view["requested_datetime"] == "2026-11-23T09:30:00+07:00"
    assert view["expected_datetime"] == "2026-12-15T23:59:59+07:00"  # 15 working days
    assert view["description"] is None  # the citizen's text only once published
    assert [u["description"] for u in view["updates"]] == ["Đã tiếp nhận, chờ phân loại"]

    desk.clock.set(datetime(2026, 11, 25, 14, 0, tzinfo=TZ))
    qid = await _question_id(desk, code)
    base = f"/api/v1/feedback/questions/{qid}"
    classified = await desk.http.post(
        f"{base}/classify", json={"unit": "badinh"}, headers=bearer(BOARD)
    )
    assert classified.status_code == 200, classified.text

    x = await _one(desk, code, "xml", jurisdiction_id="hoankiem")
    assert x.status_code == 200, x.text
    request = ET.fromstring(x.content).find("request")
    assert request is not None
    assert request.findtext("status") == "open"
    assert request.findtext("agency_responsible") == "Phường Ba Đình"
    assert request.findtext("expected_datetime") == "2026-12-15T23:59:59+07:00"
    assert request.findtext("updated_datetime") == "2026-11-25T14:00:00+07:00"
    updates = request.findall("updates/update")
    assert [(u.findtext("updated_datetime"), u.findtext("status")) for u in updates] == [
        ("2026-11-23T09:30:00+07:00", "open"),
        ("2026-11-25T14:00:00+07:00", "open"),
    ]
    assert updates[1].findtext("description") == "Đã chuyển đơn vị trả lời. Chuyển badinh"
    # Asked under another site it is not there.
    _spec_error(await _one(desk, code, "xml", jurisdiction_id="badinh"), 404)

    desk.clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=TZ))
    drafted = await desk.http.post(
        f"{base}/draft", json={"answer_html": "<p>Đã vá ổ gà ngày 30/11 & rào chắn.</p>"},
        headers=bearer(UNIT),
    )  # fmt: skip
    assert drafted.status_code == 200, drafted.text
    assert (await desk.http.post(f"{base}/approve", headers=bearer(BOARD))).status_code == 200

    for fmt in ("json", "xml"):
        r = await _one(desk, code, fmt)
        assert r.status_code == 200
        assert not any(p in r.text for p in PERSONAL), r.text  # no personal data, ever
        assert form["email"] not in r.text
    (closed,) = (await _one(desk, code)).json()
    assert closed["status"] == "closed"
    assert closed["status_notes"] == "Đã trả lời: Đã vá ổ gà ngày 30/11 & rào chắn."
    assert "Ổ gà lớn trước số 12 phố Hàng Bài" in closed["description"]
    assert "[đã ẩn]" in closed["description"]
    assert closed["updates"][-1]["status"] == "closed"
    assert closed["updated_datetime"] == "2026-12-01T10:00:00+07:00"
    root = ET.fromstring((await _one(desk, code, "xml")).content)
    assert root.findtext("request/status_notes") == closed["status_notes"]


async def test_requests_are_listed_by_the_specs_filters(desk: Desk) -> None:
    desk.clock.set(datetime(2026, 12, 7, 9, 0, tzinfo=TZ))
    traffic = await _filed(desk)
    desk.clock.set(datetime(2026, 12, 8, 9, 0, tzinfo=TZ))
    land = await _filed(desk, service_code="question-dat-dai", description="Xin hỏi thủ tục "
                        "cấp giấy chứng nhận quyền sử dụng đất lần đầu.")  # fmt: skip
    desk.clock.set(datetime(2026, 12, 9, 9, 0, tzinfo=TZ))
    rejected = await _filed(desk, service_code="feedback-khac")
    out_of_scope = await desk.http.post(
        f"/api/v1/feedback/questions/{await _question_id(desk, rejected)}/out-of-scope",
        json={"note": "Thuộc thẩm quyền của cơ quan thuế.", "competent_body": "Thuế Hà Nội"},
        headers=bearer(BOARD),
    )
    assert out_of_scope.status_code == 200, out_of_scope.text
    unconfirmed = (await _post(desk, "json", _form())).json()[0]["service_request_id"]
    mine = {traffic, land, rejected}

    async def codes(**params: str) -> list[str]:
        r = await desk.http.get(
            f"{REQUESTS}.json", params={"jurisdiction_id": "hoankiem", **params}
        )
        assert r.status_code == 200, r.text
        return [x["service_request_id"] for x in r.json()]

    everything = await codes()  # the last 90 days, newest first
    assert [c for c in everything if c in mine] == [rejected, land, traffic]
    assert unconfirmed not in everything
    assert [c for c in await codes(service_code="question-dat-dai") if c in mine] == [land]
    both = await codes(service_code="feedback-giao-thong,feedback-khac")
    assert {c for c in both if c in mine} == {traffic, rejected}
    assert [c for c in await codes(status="closed") if c in mine] == [rejected]
    assert {c for c in await codes(status="open") if c in mine} == {traffic, land}
    window = await codes(start_date="2026-12-08T00:00:00+07:00",
                         end_date="2026-12-08T23:59:59+07:00")  # fmt: skip
    assert window == [land]
    by_id = await codes(service_request_id=f"{traffic},{land.lower()},{unconfirmed}",
                        status="closed")  # fmt: skip
    assert by_id == [land, traffic]  # ids override the other filters; unconfirmed not shown
    elsewhere = await desk.http.get(f"{REQUESTS}.json", params={"jurisdiction_id": "badinh"})
    assert not mine & {x["service_request_id"] for x in elsewhere.json()}
    (out,) = (await _one(desk, rejected)).json()
    assert out["status"] == "closed"
    assert out["expected_datetime"] == "2026-12-09T23:59:59+07:00"
    assert "Thuế Hà Nội" in out["status_notes"]
    x = await desk.http.get(f"{REQUESTS}.xml", params={"jurisdiction_id": "hoankiem",
                                                       "service_request_id": land})  # fmt: skip
    assert [r.findtext("service_code") for r in ET.fromstring(x.content)] == ["question-dat-dai"]


@pytest.mark.parametrize(
    ("changes", "status", "words"),
    [
        ({"service_code": "parking"}, 400, "service_code"),
        ({"service_code": "<script>alert(1)</script>"}, 400, "service_code"),
        ({"jurisdiction_id": "<script>"}, 400, "jurisdiction_id"),
        ({"jurisdiction_id": "khong-co-trang"}, 400, "jurisdiction_id"),
        ({"jurisdiction_id": ""}, 400, "jurisdiction_id"),
        ({"description": "x" * 10_001}, 400, "10.000"),
        ({"description": "ngắn"}, 400, "description"),
        ({"description": "Ổ gà\x00 trước nhà số 12 phố Hàng Bài."}, 400, "NUL"),
        ({"first_name": "", "last_name": ""}, 400, "họ tên"),
        ({"email": ""}, 400, "email"),
        ({"email": "<script>@x"}, 400, "email"),
        ({"phone": "12345"}, 400, "điện thoại"),
        ({"lat": "abc"}, 400, "lat"),
        ({"lat": "21.02", "long": ""}, 400, "lat và long"),
    ],
)
async def test_hostile_reports_get_a_spec_error_and_nothing_is_stored(
    desk: Desk, changes: dict[str, str], status: int, words: str
) -> None:
    before = await _stored(desk)
    form = _form(**changes)
    for fmt in ("json", "xml"):
        r = await _post(desk, fmt, form)
        assert words in _spec_error(r, status)
    assert await _stored(desk) == before


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"service_code=feedback-y-te&description=%FF%FE", "application/x-www-form-urlencoded",
         400),
        (json.dumps(_form()).encode(), "application/json", 415),
        (b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\nb\r\n--x--\r\n",
         "multipart/form-data; boundary=x", 415),
        (b"jurisdiction_id=hoankiem&jurisdiction_id=badinh&service_code=feedback-y-te",
         "application/x-www-form-urlencoded", 400),
        (b"&".join(b"f%d=1" % i for i in range(60)), "application/x-www-form-urlencoded", 400),
        (b"description=" + b"%E1%BB%9D" * 100_000, "application/x-www-form-urlencoded", 413),
    ],
)  # fmt: skip
async def test_malformed_bodies_get_a_spec_error(
    desk: Desk, body: bytes, content_type: str, status: int
) -> None:
    before = await _stored(desk)
    r = await desk.http.post(
        f"{REQUESTS}.xml", content=body,
        headers={"Content-Type": content_type, **forwarded_for(fresh_ip())},
    )  # fmt: skip
    _spec_error(r, status)
    assert await _stored(desk) == before


async def test_the_honeypot_answers_like_any_report_and_keeps_nothing(desk: Desk) -> None:
    before = await _stored(desk)
    r = await _post(desk, "json", _form(website="http://spam.example"))
    assert r.status_code == 202
    assert len(r.json()[0]["service_request_id"]) == 14
    assert await _stored(desk) == before


async def test_a_flood_from_one_address_is_refused_and_others_go_on(desk: Desk) -> None:
    """The limits of the site's form (abuse.Limits: 10 per 10 minutes per address)."""
    desk.clock.set(datetime(2026, 12, 10, 9, 0, tzinfo=TZ))
    flood = fresh_ip()
    statuses = [(await _post(desk, "json", _form(), flood)).status_code for _ in range(10)]
    assert statuses == [202] * 10
    before = await _stored(desk)
    refused = await _post(desk, "xml", _form(), flood)
    assert "địa chỉ mạng" in _spec_error(refused, 429)
    assert int(refused.headers["retry-after"]) > 0
    assert await _stored(desk) == before
    assert (await _post(desk, "json", _form())).status_code == 202  # a genuine citizen
    # One contact writing from many addresses: 3 per hour per phone number.
    phone = _form()["phone"]
    assert [(await _post(desk, "json", _form(phone=phone))).status_code for _ in range(3)] == [
        202
    ] * 3
    _spec_error(await _post(desk, "json", _form(phone=phone)), 429)


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        (f"{REQUESTS}/AAAA-AAAA-AAAA.json", {}, 400),
        (f"{REQUESTS}/%27%20OR%201%3D1%20--.xml", {}, 400),
        (f"{REQUESTS}/{'X' * 5000}.json", {}, 400),
        (f"{REQUESTS}/{new_code()}.xml", {}, 404),
        (f"{REQUESTS}/{new_code()}.json", {"jurisdiction_id": "../x"}, 400),
        (f"{REQUESTS}/{new_code()}.html", {}, 404),
        (f"{REQUESTS}.json", {}, 400),
        (f"{REQUESTS}.json", {"jurisdiction_id": "hoankiem", "service_request_id": "1 OR 1"}, 400),
        (f"{REQUESTS}.xml", {"jurisdiction_id": "hoankiem", "status": "<b>"}, 400),
        (f"{REQUESTS}.xml", {"jurisdiction_id": "hoankiem", "service_code": "x\x00"}, 400),
        (f"{REQUESTS}.json", {"jurisdiction_id": "hoankiem", "start_date": "hôm qua"}, 400),
        (f"{REQUESTS}.json", {"jurisdiction_id": "hoankiem",
                              "start_date": "2026-01-01T00:00:00+07:00",
                              "end_date": "2026-12-01T00:00:00+07:00"}, 400),
        (f"{REQUESTS}.csv", {"jurisdiction_id": "hoankiem"}, 404),
    ],
)  # fmt: skip
async def test_forged_ids_and_bad_queries_get_a_spec_error(
    desk: Desk, path: str, params: dict[str, str], status: int
) -> None:
    _spec_error(await desk.http.get(path, params=params), status)


# --- reports -------------------------------------------------------------------------


async def _received_in(desk: Desk, tenant: str, at: datetime, **fields: Any) -> str:
    """A question sent to `tenant` and confirmed at `at`: its id."""
    desk.clock.set(at)
    email = f"dan.{uuid.uuid4().hex[:6]}@example.vn"
    r = await desk.submit(tenant=tenant, email=email, **fields)
    assert r.status_code == 202, r.text
    await _confirm(desk, email)
    return await _question_id(desk, r.json()["code"])


async def _act(desk: Desk, at: datetime, qid: str, action: str, body: dict | None,
               token: str) -> None:  # fmt: skip
    desk.clock.set(at)
    r = await desk.http.post(
        f"/api/v1/feedback/questions/{qid}/{action}", json=body, headers=bearer(token)
    )
    assert r.status_code == 200, r.text


def _at(day: str, hour: int, minute: int = 0) -> datetime:
    year, month, dd = (int(x) for x in day.split("-"))
    return datetime(year, month, dd, hour, minute, tzinfo=TZ)


REPORTS = "/api/v1/feedback/reports"
MARCH = {"tenant": "tayho", "from": "2027-03-01", "to": "2027-03-31"}


@pytest.fixture(scope="module")
async def tayho(desk: Desk) -> Desk:
    """Tây Hồ's questions of early 2027, on the clock:
    q0 received Fri 26/02, left alone (classification due 02/03);
    q1 received Mon 01/03, forwarded 02/03 (on time), answered 10/03 (due 22/03);
    q2 received 01/03, left alone (due 03/03);
    q4 received 01/03, forwarded 05/03 (late: due 03/03);
    q3 received Tue 02/03, out of scope 03/03 (late: due the same working day);
    one more sent 01/03 and never confirmed. Now: Mon 15/03 10:00."""
    await _received_in(desk, "tayho", _at("2027-02-26", 9))
    q1 = await _received_in(desk, "tayho", _at("2027-03-01", 9))
    await _received_in(desk, "tayho", _at("2027-03-01", 9, 30))
    q4 = await _received_in(desk, "tayho", _at("2027-03-01", 10))
    assert (await desk.submit(tenant="tayho")).status_code == 202  # never confirmed
    await _act(desk, _at("2027-03-02", 10), q1, "classify", {"unit": "badinh"}, TAYHO_BOARD)
    q3 = await _received_in(desk, "tayho", _at("2027-03-02", 11))
    await _act(desk, _at("2027-03-03", 9), q3, "out-of-scope",
               {"note": "Không thuộc thẩm quyền của phường."}, TAYHO_BOARD)  # fmt: skip
    await _act(desk, _at("2027-03-05", 9), q4, "classify", {"unit": "badinh"}, TAYHO_BOARD)
    await _act(desk, _at("2027-03-10", 9), q1, "draft",
               {"answer_html": "<p>Trả lời của phường.</p>"}, UNIT)  # fmt: skip
    await _act(desk, _at("2027-03-10", 15), q1, "approve", None, TAYHO_BOARD)
    desk.clock.set(_at("2027-03-15", 10))
    return desk


async def test_the_dashboard_counts_on_time_and_overdue_exactly(tayho: Desk) -> None:
    r = await tayho.http.get(REPORTS, params=MARCH, headers=bearer(TAYHO_BOARD))
    assert r.status_code == 200, r.text
    counters = {
        "received": 4, "classified": 3, "classified_on_time": 1, "answered": 1,
        "answered_on_time": 1, "out_of_scope": 1, "open_now": 3, "overdue_now": 2,
    }  # fmt: skip
    assert r.json() == {
        "tenant": "tayho",
        "from": "2027-03-01",
        "to": "2027-03-31",
        "generated_at": "2027-03-15T10:00:00+07:00",
        "totals": counters,
        "by_tenant": [{"tenant": "tayho", "name": "Phường Tây Hồ", **counters}],
        "by_month": [{"month": "2027-03", "received": 4, "answered": 1, "answered_on_time": 1}],
    }
    longer = await tayho.http.get(
        REPORTS, params={**MARCH, "from": "2027-02-01"}, headers=bearer(TAYHO_BOARD)
    )
    assert longer.json()["totals"]["received"] == 5
    assert longer.json()["by_month"] == [
        {"month": "2027-02", "received": 1, "answered": 0, "answered_on_time": 0},
        {"month": "2027-03", "received": 4, "answered": 1, "answered_on_time": 1},
    ]
    # Later, the forwarded q4 misses its answer deadline (15 working days from 01/03).
    tayho.clock.set(_at("2027-03-23", 0, 0))
    later = await tayho.http.get(REPORTS, params=MARCH, headers=bearer(TAYHO_BOARD))
    assert later.json()["totals"]["overdue_now"] == 3
    tayho.clock.set(_at("2027-03-15", 10))


async def test_the_city_sees_every_site_and_the_same_figures(tayho: Desk) -> None:
    tenant_view = (await tayho.http.get(REPORTS, params=MARCH, headers=bearer(CITY_BOARD))).json()
    assert tenant_view["totals"]["received"] == 4
    for token in (CITY_BOARD, OPERATOR):
        r = await tayho.http.get(
            REPORTS, params={"from": "2027-03-01", "to": "2027-03-31"}, headers=bearer(token)
        )
        assert r.status_code == 200, r.text
        city = r.json()
        assert city["tenant"] is None
        rows = {row["tenant"]: row for row in city["by_tenant"]}
        assert rows["tayho"] == tenant_view["by_tenant"][0]
        assert city["by_tenant"][0]["tenant"] == "hanoi"  # the city portal first
        assert len(rows) > 100  # every active site, with or without questions
        assert city["totals"]["received"] == sum(row["received"] for row in rows.values())
        assert city["totals"]["received"] >= 4


@pytest.mark.parametrize(
    ("params", "token", "status"),
    [
        (MARCH, None, 401),
        (MARCH, UNIT, 403),  # an editor of another site
        (MARCH, TAYHO_EDITOR, 403),  # an editor, not the board
        (MARCH, BOARD, 403),  # the board of another site
        ({"from": "2027-03-01"}, TAYHO_BOARD, 403),  # city-wide: not a site's board
        ({"from": "2027-03-01"}, EDITOR, 403),
    ],
)
async def test_who_may_see_a_report(
    tayho: Desk, params: dict[str, str], token: str | None, status: int
) -> None:
    headers = bearer(token) if token else {}
    for path in (REPORTS, f"{REPORTS}/export"):
        r = await tayho.http.get(path, params={**params, "format": "csv"}, headers=headers)
        assert r.status_code == status, (path, r.text)
        assert r.json()["detail"]


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"from": "2027-13-01"}, 400, "ngày có thật"),
        ({"from": "01/03/2027"}, 400, "YYYY-MM-DD"),
        ({"from": "<script>alert(1)</script>"}, 400, "YYYY-MM-DD"),
        ({"from": "2027-03-01\x00"}, 400, "YYYY-MM-DD"),
        ({"to": "x" * 5000}, 400, "YYYY-MM-DD"),
        ({"from": "2027-04-01", "to": "2027-03-01"}, 400, "phải trước"),
        ({"from": "2025-01-01", "to": "2027-03-01"}, 400, "tối đa 2 năm"),
        ({"tenant": "../admin"}, 400, "không hợp lệ"),
        ({"tenant": "khong-co-trang"}, 404, "Không có trang"),
        ({"tenant": "tayho", "format": "pdf"}, 400, "xlsx hoặc csv"),
        ({"tenant": "tayho", "format": "csv", "table": "x"}, 400, "sites hoặc months"),
    ],
)
async def test_bad_report_parameters_get_a_vietnamese_400(
    tayho: Desk, params: dict[str, str], status: int, words: str
) -> None:
    queries = [(f"{REPORTS}/export", {"tenant": "tayho", "format": "xlsx", **params})]
    if "format" not in params:
        queries.append((REPORTS, {"tenant": "tayho", **params}))
    for path, query in queries:
        r = await tayho.http.get(path, params=query, headers=bearer(OPERATOR))
        assert r.status_code == status, (path, r.text)
        assert words in r.json()["detail"]


async def test_the_exports_hold_the_same_figures(tayho: Desk) -> None:
    r = await tayho.http.get(
        f"{REPORTS}/export", params={**MARCH, "format": "csv"}, headers=bearer(TAYHO_BOARD)
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == (
        'attachment; filename="bao-cao-hoi-dap_tayho_2027-03-01_2027-03-31.csv"'
    )
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Mã trang", "Tên trang", "Tiếp nhận", "Đã phân loại, chuyển xử lý"]
    assert rows[1] == ["tayho", "Phường Tây Hồ", "4", "3", "1", "1", "1", "1", "3", "2",
                       "33.3", "100.0"]  # fmt: skip
    assert rows[2][:3] == ["", "Tổng cộng", "4"]
    months = await tayho.http.get(
        f"{REPORTS}/export", params={**MARCH, "format": "csv", "table": "months"},
        headers=bearer(TAYHO_BOARD),
    )  # fmt: skip
    assert list(csv.reader(io.StringIO(months.content.decode("utf-8-sig"))))[1] == [
        "03/2027", "4", "1", "1", "100.0",
    ]  # fmt: skip

    x = await tayho.http.get(
        f"{REPORTS}/export", params={"from": "2027-03-01", "to": "2027-03-31", "format": "xlsx"},
        headers=bearer(OPERATOR),
    )  # fmt: skip
    assert x.status_code == 200, x.text
    assert x.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "toan-thanh-pho_2027-03-01_2027-03-31.xlsx" in x.headers["content-disposition"]
    book = load_workbook(io.BytesIO(x.content))
    sites = book["Theo trang"]
    assert [c.value for c in sites[1]][:3] == ["Mã trang", "Tên trang", "Tiếp nhận"]
    row = next(r for r in sites.iter_rows(min_row=2, values_only=True) if r[0] == "tayho")
    assert row == ("tayho", "Phường Tây Hồ", 4, 3, 1, 1, 1, 1, 3, 2, 33.3, 100.0)
    last = [c.value for c in sites[sites.max_row]]
    assert last[1] == "Tổng cộng"
    assert last[2] == sum(r[2] for r in sites.iter_rows(min_row=2, max_row=sites.max_row - 1,
                                                         values_only=True))  # fmt: skip
    assert book["Theo tháng"]["A2"].value == "03/2027"
    assert book["Thông tin"]["B2"].value == "Toàn thành phố"
