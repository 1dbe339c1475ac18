# ruff: noqa: F811 - `desk` is the fixture imported from test_feedback_flow
"""Participation on a real broker, database and SMTP server, pages addressed by Host:
satisfaction ratings that keep no identifier and hide counts below five, consultation
on a draft from opening to the agency's summary with the clock moved across its
boundaries, an online dialogue from questions in advance to the published transcript,
who may do what, and hostile input on every new endpoint and form."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import httpx
import pytest
from conftest import BOARD, EDITOR, bearer, eventually, token_for
from sqlalchemy import func, select
from test_feedback_flow import (  # noqa: F401 - desk is the module's fixture
    OPERATOR,
    UNIT,
    Desk,
    Inbox,
    desk,
    forwarded_for,
    fresh_ip,
)

from services.feedback import participation_store
from services.feedback.calendar import TZ

WARD = {"Host": "hoankiem.localhost"}
TAYHO = {"Host": "tayho.localhost"}
TAYHO_BOARD = token_for("bbt.tayho", {"tayho": "board_member"})
START = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
API = "/api/v1/feedback"


@pytest.fixture(autouse=True)
async def through_the_gateway(desk: Desk) -> Any:
    """Every request as if through the gateway from its own address, as citizens' are,
    unless the test names one: the per-address limits are tested where they matter."""

    async def add(request: httpx.Request) -> None:
        request.headers.setdefault("x-forwarded-for", fresh_ip())

    desk.http.event_hooks["request"] = [add]
    yield
    desk.http.event_hooks["request"] = []


def hanoi(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=TZ)


@contextmanager
def clock_at(desk: Desk, moment: datetime) -> Iterator[None]:
    """Run with the service's clock at `moment`, back at the module's start after."""
    desk.clock.set(moment)
    try:
        yield
    finally:
        desk.clock.set(START)


def ip(n: int | str) -> dict[str, str]:
    return {"x-forwarded-for": f"10.9.{n}"}


async def rows(desk: Desk, table: Any) -> list[dict[str, Any]]:
    async with desk.service.db.read() as session:
        return [dict(r._mapping) for r in (await session.execute(select(table))).all()]


async def count(desk: Desk, table: Any) -> int:
    async with desk.service.db.read() as session:
        return (await session.execute(select(func.count()).select_from(table))).scalar_one()


async def rating_total(desk: Desk) -> int:
    async with desk.service.db.read() as session:
        query = select(func.coalesce(func.sum(participation_store.rating_counts.c.count), 0))
        return int((await session.execute(query)).scalar_one())


async def mailed_token(desk: Desk, email: str, section: str) -> str:
    async def found() -> str | None:
        for mail in desk.inbox.to(email):
            hit = re.search(rf"/{section}/xac-nhan/([\w-]+)", Inbox.body(mail))
            if hit:
                return hit.group(1)
        return None

    return await eventually(found)


def email() -> str:
    return f"dan.{uuid.uuid4().hex[:8]}@example.vn"


async def published_answer(desk: Desk) -> str:
    question = await desk.received(title="Hỏi về giờ làm việc của bộ phận một cửa")
    base = f"{API}/questions/{question['id']}"
    r = await desk.http.post(f"{base}/classify", json={"unit": "badinh"}, headers=bearer(BOARD))
    assert r.status_code == 200, r.text
    answer = {"answer_html": "<p>Bộ phận một cửa làm việc từ thứ Hai đến sáng thứ Bảy.</p>"}
    r = await desk.http.post(f"{base}/draft", json=answer, headers=bearer(UNIT))
    assert r.status_code == 200, r.text
    r = await desk.http.post(f"{base}/approve", headers=bearer(BOARD))
    assert r.status_code == 200, r.text
    return question["code"]


def vietnamese(r: httpx.Response) -> None:
    """A clear message in Vietnamese: JSON `detail` or an HTML page in lang="vi"."""
    if r.headers.get("content-type", "").startswith("application/json"):
        detail = r.json()["detail"]
        assert re.search(
            r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", detail.lower()
        ), detail
    else:
        assert 'lang="vi"' in r.text, r.text[:300]


# --- ratings ---------------------------------------------------------------------------------


async def test_ratings_of_an_answer_and_a_site_keep_nothing_that_identifies(desk: Desk) -> None:
    code = await published_answer(desk)
    answer_page = await desk.http.get(f"/hoi-dap/{code}", headers=WARD)
    assert answer_page.status_code == 200
    assert f'action="/hoi-dap/{code}/danh-gia"' in answer_page.text
    assert 'name="muc"' in answer_page.text
    before = await rating_total(desk)
    agent = "Mozilla/5.0 (Nguoi-dan-dac-biet 42)"
    headers = {**WARD, **ip("1.1"), "user-agent": agent, "cookie": "theo-doi=abc123"}
    r = await desk.http.post(f"/hoi-dap/{code}/danh-gia", data={"muc": "4"}, headers=headers)
    assert r.status_code == 200, r.text
    assert "Đã ghi nhận đánh giá" in r.text
    assert r.headers["cache-control"] == "no-store"
    assert "set-cookie" not in r.headers
    # The same network again within the hour is damped; another network is counted.
    again = await desk.http.post(f"/hoi-dap/{code}/danh-gia", data={"muc": "1"}, headers=headers)
    assert again.status_code == 429 and "thử lại sau" in again.text
    r = await desk.http.post(
        f"{API}/ratings/answers/{code}",
        json={"score": 5},
        headers={**ip("1.2"), "user-agent": agent},
    )
    assert r.status_code == 202, r.text

    page = await desk.http.get("/danh-gia", headers=WARD)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    for criterion in ("interface", "content", "quality", "support"):
        assert f'name="{criterion}"' in page.text
    assert "Giao diện" in page.text and "Sự hỗ trợ của cơ quan" in page.text
    site = {"interface": "5", "content": "4", "quality": "4", "support": "3", "website": ""}
    r = await desk.http.post("/danh-gia", data=site, headers={**headers, **ip("1.3")})
    assert r.status_code == 200, r.text
    r = await desk.http.post(
        f"{API}/ratings/sites/hoankiem", json={"interface": 2}, headers=ip("1.4")
    )
    assert r.status_code == 202, r.text
    assert await rating_total(desk) == before + 2 + 4 + 1

    # What is kept: counters per site, criterion, score and month, and nothing else.
    assert set(participation_store.rating_counts.c.keys()) == {
        "tenant",
        "criterion",
        "score",
        "month",
        "count",
    }
    kept = await rows(desk, participation_store.rating_counts)
    assert {(r["tenant"], r["criterion"], r["score"], r["month"]) for r in kept} >= {
        ("hoankiem", "answer", 4, date(2026, 11, 1)),
        ("hoankiem", "answer", 5, date(2026, 11, 1)),
        ("hoankiem", "interface", 5, date(2026, 11, 1)),
        ("hoankiem", "support", 3, date(2026, 11, 1)),
    }
    stored = repr(kept)
    for trace in ("10.9.", agent, "abc123", code, "127.0.0.1"):
        assert trace not in stored
    assert all(r["month"].day == 1 for r in kept)


async def test_counts_below_five_are_hidden_then_shown_at_five(desk: Desk) -> None:
    report_url = f"{API}/ratings"
    query = {"tenant": "tayho", "from": "2026-11", "to": "2026-11"}
    for n in range(4):
        r = await desk.http.post(
            "/danh-gia", data={"interface": "5"}, headers={**TAYHO, **ip(f"2.{n}")}
        )
        assert r.status_code == 200, r.text
    report = await desk.http.get(report_url, params=query, headers=bearer(TAYHO_BOARD))
    assert report.status_code == 200, report.text
    interface = report.json()["criteria"]["interface"]
    assert interface["ratings"] is None and interface["average"] is None
    assert set(interface["scores"].values()) == {None}
    assert interface["shown_as"]["ratings"] == "< 5"
    assert "4" not in interface["shown_as"]["scores"].values()
    page = await desk.http.get("/danh-gia", headers=TAYHO)
    row = re.search(r"<th scope=\"row\">Giao diện</th>(.*?)</tr>", page.text, re.S)
    assert row, page.text
    assert "&lt; 5" in row.group(1) and ">4<" not in row.group(1)

    r = await desk.http.post("/danh-gia", data={"interface": "5"}, headers={**TAYHO, **ip("2.9")})
    assert r.status_code == 200
    report = await desk.http.get(report_url, params=query, headers=bearer(TAYHO_BOARD))
    interface = report.json()["criteria"]["interface"]
    assert interface["ratings"] == 5
    assert interface["average"] == 5.0
    assert interface["shown_as"]["scores"]["1"] == "< 5"
    page = await desk.http.get("/danh-gia", headers=TAYHO)
    row = re.search(r"<th scope=\"row\">Giao diện</th>(.*?)</tr>", page.text, re.S)
    assert row and "<td>5</td>" in row.group(1) and "5,0/5" in row.group(1)
    # Other criteria, with no ratings, still show nothing.
    assert report.json()["criteria"]["content"]["shown_as"]["ratings"] == "< 5"
    # Another month holds none of them.
    earlier = await desk.http.get(
        report_url,
        params={**query, "from": "2026-10", "to": "2026-10"},
        headers=bearer(TAYHO_BOARD),
    )
    assert earlier.json()["criteria"]["interface"]["ratings"] is None


async def test_the_ratings_report_is_for_the_board_of_the_site(desk: Desk) -> None:
    url = f"{API}/ratings"
    assert (await desk.http.get(url, params={"tenant": "hoankiem"})).status_code == 401
    editor = await desk.http.get(url, params={"tenant": "hoankiem"}, headers=bearer(EDITOR))
    assert editor.status_code == 403
    vietnamese(editor)
    other = await desk.http.get(url, params={"tenant": "tayho"}, headers=bearer(BOARD))
    assert other.status_code == 403
    ok = await desk.http.get(url, params={"tenant": "hoankiem"}, headers=bearer(BOARD))
    assert ok.status_code == 200
    assert ok.json()["from"] == "2026-01" and ok.json()["to"] == "2026-11"
    assert (
        await desk.http.get(url, params={"tenant": "tayho"}, headers=bearer(OPERATOR))
    ).status_code == 200
    for params in [
        {"from": "2026-13"},
        {"from": "abc"},
        {"to": "2026-02-30"},
        {"from": "2026-11", "to": "2026-01"},
        {"from": "1999-01"},
        {"from": "2000-01", "to": "2026-01"},
        {"tenant": "../admin"},
        {"from": "<script>"},
        {"from": "2026-01\x00"},
    ]:
        r = await desk.http.get(url, params={"tenant": "hoankiem", **params}, headers=bearer(BOARD))
        assert r.status_code == 400, (params, r.status_code, r.text[:200])
        vietnamese(r)
        assert "<script>" not in r.text


async def test_bad_parameters_are_explained_in_vietnamese(desk: Desk) -> None:
    cases = [
        (f"{API}/consultations", {}, "tenant: thiếu mục này"),
        (f"{API}/dialogues", {"tenant": "../x"}, "tenant: không đúng định dạng"),
        (f"{API}/ratings", {"tenant": "hoankiem", "from": "x" * 11}, "from: tối đa 10 ký tự"),
    ]
    for url, params, said in cases:
        r = await desk.http.get(url, params=params, headers=bearer(BOARD))
        assert r.status_code == 400, (url, r.text)
        assert said in r.json()["detail"], r.json()
        assert r.json()["detail"].startswith("Dữ liệu gửi lên không hợp lệ")


async def test_hostile_ratings_get_a_clear_4xx_and_count_nothing(desk: Desk) -> None:
    code = await published_answer(desk)
    before = await rating_total(desk)
    for n, score in enumerate(
        ["0", "6", "abc", "<script>alert(1)</script>", "4\x00", "9" * 5000, "", "-1", "4.5", "٤"]
    ):
        r = await desk.http.post(
            f"/hoi-dap/{code}/danh-gia", data={"muc": score}, headers={**WARD, **ip(f"3.{n}")}
        )
        assert r.status_code == 422, (score, r.status_code)
        vietnamese(r)
        assert "<script>alert" not in r.text
        if score:  # an empty criterion is one left out, and "content" is given
            site = await desk.http.post(
                "/danh-gia",
                data={"interface": score, "content": "3"},
                headers={**WARD, **ip(f"3.{n}")},
            )
            assert site.status_code == 422, (score, site.status_code)
            assert "Giao diện: điểm đánh giá phải là một số từ 1 đến 5" in site.text
    for year in ["abc", "1999", "2030", "2026\x00", "<script>"]:
        r = await desk.http.get("/danh-gia", params={"nam": year}, headers=WARD)
        assert r.status_code == 400, year
        vietnamese(r)
        assert "<script>" not in r.text
    last_year = await desk.http.get("/danh-gia", params={"nam": "2025"}, headers=WARD)
    assert last_year.status_code == 200 and "Kết quả đánh giá năm 2025" in last_year.text
    empty = await desk.http.post("/danh-gia", data={"website": ""}, headers={**WARD, **ip("3.x")})
    assert empty.status_code == 422 and "ít nhất một tiêu chí" in empty.text
    as_json = await desk.http.post("/danh-gia", json={"interface": 5}, headers=WARD)
    assert as_json.status_code == 415
    robot = await desk.http.post(
        "/danh-gia",
        data={"interface": "5", "website": "http://x"},
        headers={**WARD, **ip("3.robot")},
    )
    assert robot.status_code == 200  # the honeypot: thanked, not counted
    for body in [
        {"score": 0},
        {"score": 6},
        {"score": "abc"},
        {"score": "4"},
        {"score": True},
        {"score": None},
        {"score": [5]},
        {},
        [],
        "5",
        {"score": 4.5},
    ]:
        r = await desk.http.post(f"{API}/ratings/answers/{code}", json=body, headers=ip("3.api"))
        assert r.status_code == 400, (body, r.status_code, r.text[:200])
        vietnamese(r)
    for body in [{"interface": 0}, {"colour": 5}, {}, {"support": "x"}, {"interface": 5.0}]:
        r = await desk.http.post(f"{API}/ratings/sites/hoankiem", json=body, headers=ip("3.api"))
        assert r.status_code == 400, (body, r.status_code, r.text[:200])
        vietnamese(r)
    # Forged or foreign codes and sites find nothing.
    for forged in ["ZZZZ-ZZZZ-ZZZZ", "<script>", "x" * 300, "0000-0000-0000"]:
        r = await desk.http.post(f"/hoi-dap/{forged}/danh-gia", data={"muc": "5"}, headers=WARD)
        assert r.status_code == 404, forged
        r = await desk.http.post(f"{API}/ratings/answers/{forged}", json={"score": 5})
        assert r.status_code == 404, forged
    elsewhere = await desk.http.post(
        f"/hoi-dap/{code}/danh-gia", data={"muc": "5"}, headers={"Host": "badinh.localhost"}
    )
    assert elsewhere.status_code == 404
    unanswered = (await desk.received())["code"]
    r = await desk.http.post(f"{API}/ratings/answers/{unanswered}", json={"score": 5})
    assert r.status_code == 404
    for tenant in ["khong-co", "../admin", "A" * 80]:
        r = await desk.http.post(f"{API}/ratings/sites/{tenant}", json={"interface": 5})
        assert r.status_code == 404, tenant
    assert await rating_total(desk) == before


# --- consultations ------------------------------------------------------------------------------


def draft(**fields: Any) -> dict[str, Any]:
    return {
        "tenant": "hoankiem",
        "title": "Dự thảo Quy định về quản lý vỉa hè trên địa bàn phường",
        "summary": "Lấy ý kiến người dân về việc sử dụng tạm thời vỉa hè.\nDự thảo gồm 3 điều.",
        "articles": [
            {
                "number": "Điều 1",
                "heading": "Phạm vi điều chỉnh",
                "text": "Quy định này áp dụng với các tuyến phố trên địa bàn phường.",
            },
            {
                "number": "Điều 2",
                "heading": "Thời gian sử dụng",
                "text": "Vỉa hè được sử dụng tạm thời từ 6 giờ đến 22 giờ.\n"
                "Ngoài thời gian này phải dọn dẹp sạch sẽ.",
            },
            {
                "number": "Điều 3",
                "heading": "Hiệu lực",
                "text": "Quy định có hiệu lực kể từ ngày ký.",
            },
        ],
        "opens_on": "2026-11-25",
        "closes_on": "2026-11-30",
        "attachment_url": "https://hoankiem.hanoi.gov.vn/files/du-thao-via-he.pdf",
        **fields,
    }


def comment_body(**fields: Any) -> dict[str, Any]:
    return {
        "article": 2,
        "name": "Phạm Thị Dung",
        "email": email(),
        "show_name": True,
        "text": "Đề nghị kéo dài thời gian sử dụng đến 23 giờ vào cuối tuần.",
        **fields,
    }


async def test_a_consultation_from_opening_to_the_agencys_summary(desk: Desk) -> None:
    with clock_at(desk, START):
        created = await desk.http.post(f"{API}/consultations", json=draft(), headers=bearer(BOARD))
        assert created.status_code == 201, created.text
        c = created.json()
        cid, base = c["id"], f"{API}/consultations/{c['id']}"
        assert c["phase"] == "upcoming" and len(c["articles"]) == 3
        assert c["opens_at"].startswith("2026-11-24T17:00:00")  # 25/11 00:00 in Hanoi
        listing = await desk.http.get("/du-thao", headers=WARD)
        assert listing.status_code == 200 and f"/du-thao/{cid}" in listing.text
        assert "Sắp lấy ý kiến" in listing.text
        page = await desk.http.get(f"/du-thao/{cid}", headers=WARD)
        assert page.status_code == 200 and "Phạm vi điều chỉnh" in page.text
        assert "/gop-y" not in page.text  # nothing to comment on yet
        early = await desk.http.get(f"/du-thao/{cid}/gop-y", headers=WARD)
        assert early.status_code == 409 and "Chưa đến thời gian góp ý" in early.text
        r = await desk.http.post(f"{base}/comments", json=comment_body())
        assert r.status_code == 409
        vietnamese(r)

    with clock_at(desk, hanoi(2026, 11, 25, 0, 0, 0)):
        page = await desk.http.get(f"/du-thao/{cid}", headers=WARD)
        assert f"/du-thao/{cid}/gop-y?muc=2" in page.text and "Đang lấy ý kiến" in page.text
        form = await desk.http.get(f"/du-thao/{cid}/gop-y", params={"muc": "2"}, headers=WARD)
        assert form.status_code == 200 and form.headers["cache-control"] == "no-store"
        assert '<option value="2" selected>' in form.text
        first = email()
        sent = await desk.http.post(
            f"/du-thao/{cid}/gop-y",
            headers=WARD,
            data={
                "article": "2",
                "name": "Phạm Thị Dung",
                "email": first,
                "show_name": "1",
                "text": "Tôi là Phạm Thị Dung, điện thoại 0912 345 678. "
                "Đề nghị cho phép đến 23 giờ vào cuối tuần. <script>alert(1)</script>",
                "website": "",
            },
        )
        assert sent.status_code == 202, sent.text
        token = await mailed_token(desk, first, "du-thao")
        opened = await desk.http.get(f"/du-thao/xac-nhan/{token}", headers=WARD)
        assert opened.status_code == 200 and "Xác nhận gửi" in opened.text
        done = await desk.http.post(f"/du-thao/xac-nhan/{token}", headers=WARD)
        assert done.status_code == 200 and "Đã nhận góp ý" in done.text, done.text
        twice = await desk.http.post(f"/du-thao/xac-nhan/{token}", headers=WARD)
        assert twice.status_code == 404

        second = email()
        r = await desk.http.post(
            f"{base}/comments",
            json=comment_body(
                article=None,
                email=second,
                show_name=False,
                name="Ngô Văn Em",
                text="Dự thảo cần quy định rõ mức phạt; liên hệ em.ngo@example.vn nếu cần.",
            ),
        )
        assert r.status_code == 202, r.text
        token = await mailed_token(desk, second, "du-thao")
        r = await desk.http.post(f"{API}/consultations/confirm", json={"token": token})
        assert r.status_code == 200, r.text

    late = email()
    with clock_at(desk, hanoi(2026, 11, 30, 23, 59, 59)):
        # The last second of the closing day is in time.
        r = await desk.http.post(f"{base}/comments", json=comment_body(email=late, article=3))
        assert r.status_code == 202, r.text
        late_token = await mailed_token(desk, late, "du-thao")

    with clock_at(desk, hanoi(2026, 12, 1, 0, 0, 0)):
        # A second later the phase is over: neither new comments nor late confirmations.
        r = await desk.http.post(f"{base}/comments", json=comment_body())
        assert r.status_code == 409 and "Đã hết thời gian góp ý" in r.json()["detail"]
        closed_form = await desk.http.get(f"/du-thao/{cid}/gop-y", headers=WARD)
        assert closed_form.status_code == 409 and "Đã hết thời gian góp ý" in closed_form.text
        closed_post = await desk.http.post(
            f"/du-thao/{cid}/gop-y",
            headers=WARD,
            data={
                "article": "1",
                "name": "Trễ Hạn",
                "email": email(),
                "text": "Góp ý gửi quá hạn.",
            },
        )
        assert closed_post.status_code == 409 and "Đã hết thời gian góp ý" in closed_post.text
        r = await desk.http.post(f"/du-thao/xac-nhan/{late_token}", headers=WARD)
        assert r.status_code == 409 and "Đã hết thời gian góp ý" in r.text

        # Nothing is public before moderation; the counts are.
        page = await desk.http.get(f"/du-thao/{cid}", headers=WARD)
        assert "23 giờ vào cuối tuần" not in page.text
        assert "Đã nhận 2 ý kiến" in page.text
        listed = await desk.http.get(f"{base}/comments", headers=bearer(BOARD))
        assert listed.status_code == 200, listed.text
        by_email = {c["email"]: c for c in listed.json()}
        assert set(by_email) == {first, second}  # the unconfirmed one is not there
        assert all(c["status"] == "pending" for c in by_email.values())
        c1, c2 = by_email[first]["id"], by_email[second]["id"]
        for comment_id in (c1, c2):
            r = await desk.http.post(
                f"{base}/comments/{comment_id}/moderation",
                json={"decision": "publish"},
                headers=bearer(BOARD),
            )
            assert r.status_code == 200 and r.json()["status"] == "published", r.text

        page = await desk.http.get(f"/du-thao/{cid}", headers=WARD)
        assert "Đề nghị cho phép đến 23 giờ" in page.text
        assert "Phạm Thị Dung" in page.text  # she agreed to show her name
        assert "Người góp ý (ẩn danh)" in page.text and "Ngô Văn Em" not in page.text
        for private in (first, second, "em.ngo@example.vn", "0912 345 678", "<script>alert"):
            assert private not in page.text
        assert "&lt;script&gt;" in page.text
        assert "Đã hết thời gian góp ý" in page.text

        report = {
            "report_html": "<p>Đã nhận 2 ý kiến; tiếp thu 1 ý kiến.</p><script>x()</script>",
            "responses": [
                {
                    "comment_ids": [c1],
                    "text": "Tiếp thu: cho phép đến 23 giờ vào thứ Bảy, Chủ nhật.",
                },
                {
                    "comment_ids": [c2],
                    "text": "Mức phạt theo Nghị định của Chính phủ, không quy định lại.",
                },
            ],
        }
        forged = {**report, "responses": [{"comment_ids": [str(uuid.uuid4())], "text": "Không"}]}
        r = await desk.http.put(f"{base}/report", json=forged, headers=bearer(BOARD))
        assert r.status_code == 422
        vietnamese(r)
        assert (
            await desk.http.put(f"{base}/report", json=report, headers=bearer(EDITOR))
        ).status_code == 403
        r = await desk.http.put(f"{base}/report", json=report, headers=bearer(BOARD))
        assert r.status_code == 200, r.text
        assert "<script>" not in r.json()["report"]["html"]
        page = await desk.http.get(f"/du-thao/{cid}", headers=WARD)
        assert "Tổng hợp, tiếp thu, giải trình ý kiến" in page.text
        assert "Đã nhận 2 ý kiến; tiếp thu 1 ý kiến." in page.text
        assert "Tiếp thu: cho phép đến 23 giờ" in page.text
        assert "x()" not in page.text
        listing = await desk.http.get("/du-thao", headers=WARD)
        assert "Đã có tổng hợp ý kiến" in listing.text
        api = (await desk.http.get(base)).json()
        assert api["phase"] == "closed" and len(api["report"]["responses"]) == 2
        assert first not in str(api) and second not in str(api)


async def test_the_summary_waits_for_the_closing_and_moderation_is_the_boards(
    desk: Desk,
) -> None:
    with clock_at(desk, hanoi(2026, 11, 26, 9)):
        created = await desk.http.post(
            f"{API}/consultations",
            headers=bearer(BOARD),
            json=draft(opens_on="2026-11-26", closes_on="2026-12-20"),
        )
        assert created.status_code == 201, created.text
        base = f"{API}/consultations/{created.json()['id']}"
        r = await desk.http.put(
            f"{base}/report", json={"report_html": "<p>Sớm</p>"}, headers=bearer(BOARD)
        )
        assert r.status_code == 409 and "sau khi hết thời gian góp ý" in r.json()["detail"]
        sender = email()
        r = await desk.http.post(f"{base}/comments", json=comment_body(email=sender))
        assert r.status_code == 202
        await mailed_token(desk, sender, "du-thao")
        # An unconfirmed comment is not listed and cannot be moderated.
        listed = await desk.http.get(f"{base}/comments", headers=bearer(BOARD))
        assert listed.json() == []
        assert (await desk.http.get(f"{base}/comments")).status_code == 401
        assert (await desk.http.get(f"{base}/comments", headers=bearer(EDITOR))).status_code == 403
        assert (await desk.http.get(f"{base}/comments", headers=bearer(UNIT))).status_code == 403
        async with desk.service.db.read() as session:
            unconfirmed = (
                await session.execute(
                    select(participation_store.consultation_comments.c.id).where(
                        participation_store.consultation_comments.c.email == sender
                    )
                )
            ).scalar_one()
        r = await desk.http.post(
            f"{base}/comments/{unconfirmed}/moderation",
            json={"decision": "publish"},
            headers=bearer(BOARD),
        )
        assert r.status_code == 409
        for who in (EDITOR, UNIT):
            r = await desk.http.post(
                f"{base}/comments/{unconfirmed}/moderation",
                json={"decision": "publish"},
                headers=bearer(who),
            )
            assert r.status_code == 403
        for forged in (str(uuid.uuid4()), "<script>", "1 OR 1=1"):
            r = await desk.http.post(
                f"{base}/comments/{forged}/moderation",
                json={"decision": "publish"},
                headers=bearer(BOARD),
            )
            assert r.status_code == 404, forged
        r = await desk.http.post(
            f"{base}/comments/{unconfirmed}/moderation",
            json={"decision": "delete"},
            headers=bearer(BOARD),
        )
        assert r.status_code == 400
        vietnamese(r)


async def test_only_the_sites_board_creates_consultations_and_bad_drafts_store_nothing(
    desk: Desk,
) -> None:
    url = f"{API}/consultations"
    before = await count(desk, participation_store.consultations)
    assert (await desk.http.post(url, json=draft())).status_code == 401
    for who in (EDITOR, UNIT):
        r = await desk.http.post(url, json=draft(), headers=bearer(who))
        assert r.status_code == 403
        vietnamese(r)
    r = await desk.http.post(url, json=draft(tenant="badinh"), headers=bearer(BOARD))
    assert r.status_code == 403
    r = await desk.http.post(url, json=draft(tenant="khong-co"), headers=bearer(OPERATOR))
    assert r.status_code == 404
    article = {"number": "Điều 1", "heading": "", "text": "Nội dung"}
    cases: list[tuple[dict[str, Any], int]] = [
        (draft(title="<b>" * 101), 400),
        (draft(title="Dự thảo\x00 có NUL"), 400),
        (draft(summary="x" * 5001), 400),
        (draft(articles=[]), 400),
        (draft(articles="abc"), 400),
        (draft(articles=[{**article, "text": "x" * 20_001}]), 400),
        (draft(articles=[article] * 301), 400),
        (draft(articles=[article, article]), 422),
        (draft(articles=[{**article, "text": "   "}]), 400),
        (draft(opens_on="hôm qua"), 400),
        (draft(opens_on=[2026, 11, 25]), 400),
        (draft(opens_on="2026-11-30", closes_on="2026-11-25"), 422),
        (draft(opens_on="2026-11-01"), 422),
        (draft(closes_on="2030-01-01"), 422),
        (draft(attachment_url="javascript:alert(1)"), 400),
        (draft(attachment_url='https://x.vn/"><script>'), 400),
        (draft(tenant="../admin"), 400),
        (draft(title=123456), 400),
        ([draft()], 400),
    ]
    for body, expected in cases:
        r = await desk.http.post(url, json=body, headers=bearer(BOARD))
        assert r.status_code == expected, (str(body)[:120], r.status_code, r.text[:300])
        vietnamese(r)
    assert await count(desk, participation_store.consultations) == before
    # Scripts in a draft are stored as text and shown escaped.
    r = await desk.http.post(
        url,
        headers=bearer(BOARD),
        json=draft(
            title="Dự thảo <script>alert(1)</script> thử",
            articles=[
                {
                    "number": "Điều 1",
                    "heading": "<img src=x onerror=alert(1)>",
                    "text": "<script>alert(2)</script>",
                }
            ],
        ),
    )
    assert r.status_code == 201, r.text
    page = await desk.http.get(f"/du-thao/{r.json()['id']}", headers=WARD)
    assert "<script>" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


async def test_hostile_comments_get_a_clear_4xx_and_store_nothing(desk: Desk) -> None:
    with clock_at(desk, hanoi(2026, 11, 26, 9)):
        created = await desk.http.post(
            f"{API}/consultations", headers=bearer(BOARD), json=draft(opens_on="2026-11-26")
        )
        cid = created.json()["id"]
        base = f"{API}/consultations/{cid}"
        before = await count(desk, participation_store.consultation_comments)
        api_cases: list[tuple[dict[str, Any], int]] = [
            (comment_body(article=0), 400),
            (comment_body(article=99), 422),
            (comment_body(article="2"), 400),
            (comment_body(article="abc"), 400),
            (comment_body(email="khong-phai-email"), 400),
            (comment_body(text="x" * 5001), 400),
            (comment_body(text="ngắn"), 400),
            (comment_body(name="A\x00B"), 400),
            (comment_body(show_name="yes"), 400),
            (comment_body(text=["mảng"]), 400),
        ]
        for body, expected in api_cases:
            r = await desk.http.post(f"{base}/comments", json=body)
            assert r.status_code == expected, (body, r.status_code, r.text[:300])
            vietnamese(r)
        robot = await desk.http.post(f"{base}/comments", json=comment_body(website="http://x"))
        assert robot.status_code == 202
        for forged in ["khong-phai-id", str(uuid.uuid4()), "<script>", "x" * 300]:
            r = await desk.http.post(f"{API}/consultations/{forged}/comments", json=comment_body())
            assert r.status_code == 404, forged
            vietnamese(r)
            assert (await desk.http.get(f"{API}/consultations/{forged}")).status_code == 404
            page = await desk.http.get(f"/du-thao/{forged}", headers=WARD)
            assert page.status_code == 404 and "Không tìm thấy dự thảo" in page.text
            assert "<script>" not in page.text
            page = await desk.http.post(
                f"/du-thao/{forged}/gop-y", headers=WARD, data={"text": "Góp ý cho dự thảo giả."}
            )
            assert page.status_code == 404
        # A consultation of another site is not found on this one.
        other = await desk.http.get(f"/du-thao/{cid}", headers={"Host": "badinh.localhost"})
        assert other.status_code == 404
        form_cases: list[tuple[dict[str, str], str]] = [
            ({"article": "99"}, "không có trong dự thảo"),
            ({"article": "abc"}, "Điều, khoản góp ý"),
            ({"email": "sai"}, "Email"),
            ({"text": "x" * 5001}, "Nội dung: quá dài"),
            ({"name": "Tên\x00NUL"}, "NUL"),
            ({"name": "<script>alert(1)</script>", "text": "ngắn"}, "Nội dung: quá ngắn"),
        ]
        for change, said in form_cases:
            fields = {
                "article": "1",
                "name": "Hoàng Văn Giang",
                "email": email(),
                "text": "Góp ý hợp lệ cho điều 1 của dự thảo.",
                **change,
            }
            r = await desk.http.post(f"/du-thao/{cid}/gop-y", data=fields, headers=WARD)
            assert r.status_code == 422, (change, r.status_code, r.text[:300])
            assert said in r.text, (change, r.text[:3000])
            assert "<script>alert(1)</script>" not in r.text
        wrong_type = await desk.http.post(f"/du-thao/{cid}/gop-y", json={"text": "x"}, headers=WARD)
        assert wrong_type.status_code == 415
        for token in ["short", "a" * 43, "../../etc/passwd", "x" * 200]:
            r = await desk.http.post(f"/du-thao/xac-nhan/{token}", headers=WARD)
            assert r.status_code == 404, token
            r = await desk.http.post(f"{API}/consultations/confirm", json={"token": token})
            assert r.status_code in (400, 404), token
        assert await count(desk, participation_store.consultation_comments) == before


async def test_comments_count_against_the_abuse_limits_of_questions(desk: Desk) -> None:
    with clock_at(desk, hanoi(2026, 11, 26, 9)):
        created = await desk.http.post(
            f"{API}/consultations", headers=bearer(BOARD), json=draft(opens_on="2026-11-26")
        )
        cid = created.json()["id"]
        one = email()
        for _ in range(3):
            r = await desk.http.post(f"{API}/consultations/{cid}/comments",
                                     json=comment_body(email=one))  # fmt: skip
            assert r.status_code == 202, r.text
        # A fourth mail to the same address within the hour is refused, from any address.
        r = await desk.http.post(f"{API}/consultations/{cid}/comments",
                                 json=comment_body(email=one))  # fmt: skip
        assert r.status_code == 429 and "Xin thử lại sau" in r.json()["detail"]
        assert r.headers["retry-after"]
        fields = {"article": "1", "name": "Hoàng Văn Giang", "email": one,
                  "text": "Góp ý hợp lệ cho điều 1 của dự thảo."}  # fmt: skip
        page = await desk.http.post(f"/du-thao/{cid}/gop-y", data=fields, headers=WARD)
        assert page.status_code == 429 and "Xin thử lại sau" in page.text
        # Guessing confirmation links from one address is slowed down after 20 misses.
        guesser = forwarded_for(fresh_ip())
        for n in range(20):
            r = await desk.http.post(
                f"/du-thao/xac-nhan/{'a' * 30}{n}", headers={**WARD, **guesser}
            )
            assert r.status_code == 404
        r = await desk.http.post(f"/du-thao/xac-nhan/{'a' * 43}", headers={**WARD, **guesser})
        assert r.status_code == 429 and "Xin thử lại sau" in r.text
        r = await desk.http.post(f"{API}/dialogues/confirm", json={"token": "b" * 43},
                                 headers=guesser)  # fmt: skip
        assert r.status_code == 429


# --- dialogues ------------------------------------------------------------------------------


def session_body(**fields: Any) -> dict[str, Any]:
    return {
        "tenant": "hoankiem",
        "topic": "Trật tự đô thị và vỉa hè quanh hồ Hoàn Kiếm",
        "description": "Chủ tịch UBND phường trả lời câu hỏi của người dân.",
        "leader_name": "Nguyễn Văn Hùng",
        "leader_title": "Chủ tịch UBND phường",
        "starts_at": "2026-11-26T09:00:00+07:00",
        "ends_at": "2026-11-26T11:00:00+07:00",
        **fields,
    }


async def test_a_dialogue_from_questions_in_advance_to_the_transcript(desk: Desk) -> None:
    with clock_at(desk, START):
        created = await desk.http.post(
            f"{API}/dialogues", json=session_body(), headers=bearer(BOARD)
        )
        assert created.status_code == 201, created.text
        did = created.json()["id"]
        base = f"{API}/dialogues/{did}"
        assert created.json()["state"] == "scheduled"
        listing = await desk.http.get("/doi-thoai", headers=WARD)
        assert f"/doi-thoai/{did}" in listing.text and "Sắp diễn ra" in listing.text
        page = await desk.http.get(f"/doi-thoai/{did}", headers=WARD)
        assert f"/doi-thoai/{did}/hoi" in page.text and "Chủ tịch UBND phường" in page.text

        first = email()
        form = await desk.http.get(f"/doi-thoai/{did}/hoi", headers=WARD)
        assert form.status_code == 200 and form.headers["cache-control"] == "no-store"
        sent = await desk.http.post(
            f"/doi-thoai/{did}/hoi",
            headers=WARD,
            data={
                "name": "Lý Thị Hoa",
                "email": first,
                "show_name": "1",
                "text": "Khi nào phường sắp xếp lại chỗ để xe máy trên phố Hàng Bài?",
            },
        )
        assert sent.status_code == 202, sent.text
        token = await mailed_token(desk, first, "doi-thoai")
        done = await desk.http.post(f"/doi-thoai/xac-nhan/{token}", headers=WARD)
        assert done.status_code == 200 and "Đã gửi câu hỏi" in done.text

        second = email()
        r = await desk.http.post(
            f"{base}/questions",
            json={
                "name": "Đinh Văn Khoa",
                "email": second,
                "text": "Số tôi 0987 654 321: vỉa hè phố Đinh Tiên Hoàng có được lát lại không?",
            },
        )
        assert r.status_code == 202, r.text
        token = await mailed_token(desk, second, "doi-thoai")
        r = await desk.http.post(f"{API}/dialogues/confirm", json={"token": token})
        assert r.status_code == 200, r.text

        unconfirmed = email()
        r = await desk.http.post(
            f"{base}/questions",
            json={"name": "Chưa Xác Nhận", "email": unconfirmed, "text": "Câu hỏi chưa xác nhận."},
        )
        assert r.status_code == 202
        await mailed_token(desk, unconfirmed, "doi-thoai")

        listed = await desk.http.get(f"{base}/questions", headers=bearer(BOARD))
        by_email = {q["email"]: q for q in listed.json()}
        assert set(by_email) == {first, second}
        q1, q2 = by_email[first]["id"], by_email[second]["id"]
        answer = {"answer_html": "<p>Phường sẽ làm trong quý I.</p>"}
        r = await desk.http.post(
            f"{base}/questions/{q1}/answer", json=answer, headers=bearer(BOARD)
        )
        assert r.status_code == 409 and "trong thời gian diễn ra" in r.json()["detail"]

    with clock_at(desk, hanoi(2026, 11, 26, 9, 0, 0)):
        assert (await desk.http.get(base)).json()["state"] == "live"
        assert (
            await desk.http.post(f"{base}/questions/{q1}/answer", json=answer)
        ).status_code == 401
        for who in (EDITOR, UNIT):
            r = await desk.http.post(
                f"{base}/questions/{q1}/answer", json=answer, headers=bearer(who)
            )
            assert r.status_code == 403
        r = await desk.http.post(
            f"{base}/questions/{q2}/answer",
            headers=bearer(BOARD),
            json={
                "answer_html": "<p onclick='x()'>Phường lát lại trong năm 2027.</p>"
                "<script>y()</script>"
            },
        )
        assert r.status_code == 200, r.text
        assert r.json()["sequence"] == 1 and "script" not in r.json()["answer_html"]
        r = await desk.http.post(
            f"{base}/questions/{q1}/answer", json=answer, headers=bearer(BOARD)
        )
        assert r.json()["sequence"] == 2
        twice = await desk.http.post(
            f"{base}/questions/{q1}/answer", json=answer, headers=bearer(BOARD)
        )
        assert twice.status_code == 409
        forged = await desk.http.post(
            f"{base}/questions/{uuid.uuid4()}/answer", json=answer, headers=bearer(BOARD)
        )
        assert forged.status_code == 404
        live = await desk.http.get(f"/doi-thoai/{did}", headers=WARD)
        assert "Đang diễn ra" in live.text and "lát lại trong năm 2027" in live.text
        assert live.headers["cache-control"] == "no-store"
        early = await desk.http.post(f"{base}/transcript", json={}, headers=bearer(BOARD))
        assert early.status_code == 409
        # Questions are still taken while the session runs.
        assert "/hoi" in live.text

    with clock_at(desk, hanoi(2026, 11, 26, 11, 0, 0)):
        r = await desk.http.post(
            f"{base}/questions",
            json={"name": "Muộn", "email": email(), "text": "Câu hỏi gửi sau khi kết thúc."},
        )
        assert r.status_code == 409 and "đã kết thúc" in r.json()["detail"]
        form = await desk.http.get(f"/doi-thoai/{did}/hoi", headers=WARD)
        assert form.status_code == 409
        r = await desk.http.post(
            f"{base}/questions/{q1}/answer", json=answer, headers=bearer(BOARD)
        )
        assert r.status_code == 409
        assert (
            await desk.http.post(f"{base}/transcript", json={}, headers=bearer(EDITOR))
        ).status_code == 403
        r = await desk.http.post(
            f"{base}/transcript",
            headers=bearer(BOARD),
            json={"note": "Cảm ơn người dân đã tham gia."},
        )
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "published"
        assert [a["number"] for a in r.json()["answered"]] == [1, 2]
        again = await desk.http.post(f"{base}/transcript", json={}, headers=bearer(BOARD))
        assert again.status_code == 409
        page = await desk.http.get(f"/doi-thoai/{did}", headers=WARD)
        assert "Biên bản buổi đối thoại" in page.text
        assert page.text.index("lát lại trong năm 2027") < page.text.index("trong quý I")
        assert "Lý Thị Hoa" in page.text and "Đinh Văn Khoa" not in page.text
        for private in (
            first,
            second,
            unconfirmed,
            "0987 654 321",
            "Câu hỏi chưa xác nhận",
            "y()",
            "onclick",
        ):
            assert private not in page.text
        assert "Cảm ơn người dân đã tham gia." in page.text
        listing = await desk.http.get("/doi-thoai", headers=WARD)
        assert "Đã kết thúc, đã đăng biên bản" in listing.text


async def test_a_dialogue_can_end_early(desk: Desk) -> None:
    with clock_at(desk, START):
        created = await desk.http.post(
            f"{API}/dialogues",
            headers=bearer(BOARD),
            json=session_body(
                starts_at="2026-11-27T14:00:00+07:00", ends_at="2026-11-27T16:00:00+07:00"
            ),
        )
        base = f"{API}/dialogues/{created.json()['id']}"
        assert (await desk.http.post(f"{base}/end", headers=bearer(BOARD))).status_code == 409
    with clock_at(desk, hanoi(2026, 11, 27, 15, 0)):
        assert (await desk.http.post(f"{base}/end", headers=bearer(EDITOR))).status_code == 403
        r = await desk.http.post(f"{base}/end", headers=bearer(BOARD))
        assert r.status_code == 200 and r.json()["state"] == "ended", r.text
        r = await desk.http.post(f"{base}/transcript", json={}, headers=bearer(BOARD))
        assert r.status_code == 200 and r.json()["answered"] == []


async def test_only_the_sites_board_schedules_and_bad_sessions_store_nothing(desk: Desk) -> None:
    url = f"{API}/dialogues"
    with clock_at(desk, START):
        before = await count(desk, participation_store.dialogues)
        assert (await desk.http.post(url, json=session_body())).status_code == 401
        for who in (EDITOR, UNIT):
            assert (
                await desk.http.post(url, json=session_body(), headers=bearer(who))
            ).status_code == 403
        cases: list[tuple[dict[str, Any], int]] = [
            (session_body(starts_at="2026-11-26T09:00:00"), 400),
            (session_body(starts_at="ngày mai"), 400),
            (session_body(ends_at="2026-11-26T08:00:00+07:00"), 422),
            (session_body(starts_at="2026-11-20T09:00:00+07:00"), 422),
            (session_body(ends_at="2026-11-26T23:00:00+07:00"), 422),
            (session_body(topic="x" * 301), 400),
            (session_body(leader_name="A\x00B"), 400),
            (session_body(leader_title=["Chủ tịch"]), 400),
            (session_body(tenant="khong-co"), 403),
        ]
        for body, expected in cases:
            r = await desk.http.post(url, json=body, headers=bearer(BOARD))
            assert r.status_code == expected, (body, r.status_code, r.text[:300])
            vietnamese(r)
        r = await desk.http.post(
            url, json=session_body(tenant="khong-co"), headers=bearer(OPERATOR)
        )
        assert r.status_code == 404
        assert await count(desk, participation_store.dialogues) == before

        created = await desk.http.post(
            url,
            headers=bearer(BOARD),
            json=session_body(topic="Đối thoại <script>alert(1)</script> về môi trường"),
        )
        assert created.status_code == 201
        did = created.json()["id"]
        page = await desk.http.get(f"/doi-thoai/{did}", headers=WARD)
        assert "<script>alert(1)" not in page.text and "&lt;script&gt;" in page.text
        base = f"{url}/{did}"
        questions_before = await count(desk, participation_store.dialogue_questions)
        good = {
            "name": "Trương Văn Long",
            "email": email(),
            "text": "Câu hỏi hợp lệ về môi trường.",
        }
        for change, expected in [
            ({"text": "x" * 3001}, 400),
            ({"text": "ngắn"}, 400),
            ({"email": "sai"}, 400),
            ({"show_name": "yes"}, 400),
            ({"name": "A\x00"}, 400),
            ({"text": 42}, 400),
        ]:
            r = await desk.http.post(f"{base}/questions", json={**good, **change})
            assert r.status_code == expected, (change, r.status_code)
            vietnamese(r)
        for forged in ["khong-phai-id", str(uuid.uuid4())]:
            r = await desk.http.post(f"{url}/{forged}/questions", json=good)
            assert r.status_code == 404
            page = await desk.http.get(f"/doi-thoai/{forged}", headers=WARD)
            assert page.status_code == 404 and "Không tìm thấy buổi đối thoại" in page.text
        assert (await desk.http.get(f"{base}/questions")).status_code == 401
        assert (await desk.http.get(f"{base}/questions", headers=bearer(EDITOR))).status_code == 403
        bad_form = await desk.http.post(
            f"/doi-thoai/{did}/hoi",
            headers=WARD,
            data={"name": "<script>alert(3)</script>", "email": "sai", "text": "ngắn"},
        )
        assert bad_form.status_code == 422
        assert "Email" in bad_form.text and "Nội dung: quá ngắn" in bad_form.text
        assert "<script>alert(3)" not in bad_form.text and "&lt;script&gt;alert(3)" in bad_form.text
        robot = await desk.http.post(
            f"/doi-thoai/{did}/hoi", headers=WARD, data={**good, "website": "http://spam"}
        )
        assert robot.status_code == 202
        for token in ["short", "a" * 43, "x" * 200]:
            r = await desk.http.post(f"/doi-thoai/xac-nhan/{token}", headers=WARD)
            assert r.status_code == 404
        assert await count(desk, participation_store.dialogue_questions) == questions_before
