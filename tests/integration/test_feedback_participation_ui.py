# ruff: noqa: F811 - `office` is the fixture imported from test_feedback_admin_ui
"""The admin UI's participation screens, driven over HTTP like a browser (session
cookie, CSRF token from the page, form posts) against admin and feedback running
in-process on a real embedded broker and SMTP server: a draft put out for comment,
a citizen's comment moderated and shown on the public page, the agency's summary;
a dialogue scheduled, a question answered live, the session ended and its transcript
published; the ratings report with its hidden cells; and who is refused."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import httpx
from conftest import BOARD, bearer
from test_feedback_admin_ui import Office, office, text_of  # noqa: F401 - the fixture
from test_feedback_flow import forwarded_for, fresh_ip
from test_feedback_participation import mailed_token

from services.feedback.calendar import TZ

API = "/api/v1/feedback"
WARD = {"Host": "hoankiem.localhost"}
START = datetime(2026, 11, 23, 9, 0, tzinfo=TZ)  # the office fixture's clock
DRAFT = """Điều 1. Phạm vi điều chỉnh
Quy định này áp dụng với các tuyến phố trên địa bàn phường.

Điều 2. Thời gian sử dụng
Vỉa hè được sử dụng tạm thời từ 6 giờ đến 22 giờ.
Ngoài thời gian này phải dọn dẹp sạch sẽ.
"""


@contextmanager
def clock_at(office: Office, moment: datetime) -> Iterator[None]:
    office.desk.clock.set(moment)
    try:
        yield
    finally:
        office.desk.clock.set(START)


def text_of_cell(cell: str) -> str:
    return html.unescape(cell).strip()


def email() -> str:
    return f"dan.{uuid.uuid4().hex[:8]}@example.vn"


def draft_form(**fields: Any) -> dict[str, Any]:
    return {
        "title": "Dự thảo quy định sử dụng tạm thời vỉa hè phường Hoàn Kiếm",
        "summary": "Phường lấy ý kiến người dân về việc sử dụng tạm thời vỉa hè.",
        "articles": DRAFT,
        "opens_on": "2026-11-25",
        "closes_on": "2026-11-30",
        "attachment_url": "",
        **fields,
    }


async def confirmed_comment(office: Office, cid: str, **fields: Any) -> str:
    """A citizen's comment through the API, confirmed from the mailed link."""
    sender = email()
    text = "Đề nghị kéo dài thời gian sử dụng đến 23 giờ vào cuối tuần."
    body = {"article": 2, "name": "Phạm Thị Dung", "email": sender, "show_name": True,
            "text": text, **fields}  # fmt: skip
    r = await office.desk.http.post(
        f"{API}/consultations/{cid}/comments", json=body, headers=forwarded_for(fresh_ip())
    )
    assert r.status_code == 202, r.text
    token = await mailed_token(office.desk, sender, "du-thao")
    r = await office.desk.http.post(
        f"{API}/consultations/confirm", json={"token": token}, headers=forwarded_for(fresh_ip())
    )
    assert r.status_code == 200, r.text
    return sender


async def board_comments(office: Office, cid: str) -> dict[str, dict[str, Any]]:
    r = await office.desk.http.get(f"{API}/consultations/{cid}/comments", headers=bearer(BOARD))
    assert r.status_code == 200, r.text
    return {c["email"]: c for c in r.json()}


# --- consultations -----------------------------------------------------------------------------


async def test_a_consultation_created_moderated_and_summed_up_in_the_ui(office: Office) -> None:
    board = office.board
    listing = await board.get("/admin/du-thao")
    assert listing.status_code == 200, listing.text[:500]
    assert 'href="/admin/du-thao"' in listing.text and 'href="/admin/doi-thoai"' in listing.text
    assert 'href="/admin/hoi-dap/danh-gia"' in listing.text
    assert "Đăng dự thảo lấy ý kiến" in text_of(listing)

    with clock_at(office, START):
        made = await board.submit("/admin/du-thao", draft_form())
    assert made.status_code == 200, made.text[:500]
    page = text_of(made)
    assert "Đã đăng dự thảo “Dự thảo quy định sử dụng tạm thời vỉa hè" in page
    assert "Sắp lấy ý kiến" in page and "25/11/2026" in page and "30/11/2026" in page
    cid = str(made.url).rsplit("/", 1)[-1]
    r = await office.desk.http.get(f"{API}/consultations/{cid}")
    assert r.status_code == 200, r.text
    articles = r.json()["articles"]
    assert [(a["number"], a["heading"]) for a in articles] == [
        ("Điều 1", "Phạm vi điều chỉnh"),
        ("Điều 2", "Thời gian sử dụng"),
    ]
    assert articles[1]["text"].endswith("Ngoài thời gian này phải dọn dẹp sạch sẽ.")
    listed = await board.get("/admin/du-thao")
    assert f'href="/admin/du-thao/{cid}"' in listed.text

    with clock_at(office, datetime(2026, 11, 26, 10, 0, tzinfo=TZ)):
        shown = await confirmed_comment(office, cid)
        hidden = await confirmed_comment(
            office, cid, article=None, name="Ngô Văn Em", text="Nội dung không phù hợp để đăng."
        )
        by_email = await board_comments(office, cid)
        c1, c2 = by_email[shown]["id"], by_email[hidden]["id"]

        detail = await board.get(f"/admin/du-thao/{cid}")
        assert detail.status_code == 200
        body = text_of(detail)
        assert "Ý kiến chờ duyệt (2)" in body and "Đang lấy ý kiến" in body
        assert "Điều 2. Thời gian sử dụng" in body and "Góp ý chung" in body
        assert f'action="/admin/du-thao/{cid}/y-kien/{c1}"' in detail.text
        assert "Công bố báo cáo tổng hợp" not in body  # not before the closing
        public = await office.desk.http.get(f"/du-thao/{cid}", headers=WARD)
        assert "23 giờ vào cuối tuần" not in public.text

        done = await board.submit(f"/admin/du-thao/{cid}/y-kien/{c1}", {"decision": "publish"})
        assert "Đã đăng ý kiến." in text_of(done)
        done = await board.submit(f"/admin/du-thao/{cid}/y-kien/{c2}", {"decision": "reject"})
        assert "Đã để ý kiến không đăng." in text_of(done)
        assert "Ý kiến chờ duyệt (0)" in text_of(done)
        statuses = {e: c["status"] for e, c in (await board_comments(office, cid)).items()}
        assert statuses == {shown: "published", hidden: "rejected"}
        public = await office.desk.http.get(f"/du-thao/{cid}", headers=WARD)
        assert "kéo dài thời gian sử dụng đến 23 giờ" in public.text
        assert "Nội dung không phù hợp" not in public.text
        # A decision may be changed; a bogus one sends nothing.
        assert f'action="/admin/du-thao/{cid}/y-kien/{c2}"' in done.text
        assert "Gỡ, không đăng" in text_of(done)
        bogus = await board.submit(f"/admin/du-thao/{cid}/y-kien/{c1}", {"decision": "drop"})
        assert "Hãy chọn đăng hoặc không đăng ý kiến." in text_of(bogus)
        early = await board.post(
            f"/admin/du-thao/{cid}/tong-hop", {"report_html": "<p>Quá sớm.</p>"}
        )
        assert early.status_code == 409
        assert "Chỉ công bố tổng hợp ý kiến sau khi hết thời gian góp ý." in text_of(early)

    with clock_at(office, datetime(2026, 12, 2, 9, 0, tzinfo=TZ)):
        closed = await board.get(f"/admin/du-thao/{cid}")
        assert "Công bố báo cáo tổng hợp" in text_of(closed)
        assert f'name="response_1_comment" value="{c1}"' in closed.text
        assert f'value="{c2}"' not in closed.text  # only published comments are answered
        summary = {
            "report_html": "<p>Phường đã nhận 2 ý kiến, tiếp thu 1 ý kiến.</p>",
            "response_1": "Tiếp thu: cho phép đến 23 giờ vào thứ Bảy và Chủ nhật.",
            "response_1_comment": c1,
            "response_2": "",
        }
        done = await board.submit(f"/admin/du-thao/{cid}/tong-hop", summary)
        assert "Đã công bố báo cáo tổng hợp" in text_of(done)
        assert "Phường đã nhận 2 ý kiến, tiếp thu 1 ý kiến." in text_of(done)
        public = await office.desk.http.get(f"/du-thao/{cid}", headers=WARD)
        assert "Tiếp thu: cho phép đến 23 giờ vào thứ Bảy và Chủ nhật." in text_of(public)
        # The form shows what was published; publishing again replaces it.
        assert re.search(rf'name="response_1_comment" value="{c1}" checked', done.text)
        assert "Phường đã nhận 2 ý kiến" in text_of(done).split("Sửa báo cáo tổng hợp")[1]
        summary["response_1"] = "Tiếp thu một phần: đến 23 giờ vào thứ Bảy."
        again = await board.submit(f"/admin/du-thao/{cid}/tong-hop", summary)
        assert "Đã công bố báo cáo tổng hợp" in text_of(again)
        public = await office.desk.http.get(f"/du-thao/{cid}", headers=WARD)
        assert "Tiếp thu một phần: đến 23 giờ vào thứ Bảy." in text_of(public)
        assert "vào thứ Bảy và Chủ nhật" not in text_of(public)
        twice = await board.post(
            f"/admin/du-thao/{cid}/tong-hop",
            {**summary, "response_2": "Lặp lại", "response_2_comment": c1},
        )
        assert twice.status_code == 422 and 'role="alert"' in twice.text
        assert "Mỗi ý kiến chỉ được trả lời trong một mục." in text_of(twice)
        assert "Lặp lại" in text_of(twice)  # what was typed is kept
        # An answered comment cannot be taken down: the service's message, on the page.
        down = await board.post(f"/admin/du-thao/{cid}/y-kien/{c1}", {"decision": "reject"})
        assert down.status_code == 409
        assert "Ý kiến đã có phần trả lời trong bản tổng hợp, không thể gỡ." in text_of(down)


async def test_bad_drafts_are_explained_and_keep_what_was_typed(office: Office) -> None:
    board = office.board
    r = await board.post("/admin/du-thao", draft_form(articles="Lời nói đầu\nĐiều 1. A\nB"))
    assert r.status_code == 422
    assert "phải bắt đầu bằng dòng “Điều 1. Tên điều”" in text_of(r)
    assert "Dự thảo quy định sử dụng tạm thời vỉa hè" in text_of(r)  # kept
    r = await board.post("/admin/du-thao", draft_form(title="Ngắn"))
    assert r.status_code == 400
    assert "Thông tin chưa hợp lệ. Tiêu đề: quá ngắn, cần ít nhất 5 ký tự." in text_of(r)
    r = await board.post("/admin/du-thao", draft_form(closes_on="2026-11-20"))
    assert r.status_code == 422 and 'role="alert"' in r.text
    assert "Ngày kết thúc lấy ý kiến phải sau ngày bắt đầu." in text_of(r)
    hostile = draft_form(title="<script>alert(1)</script> Dự thảo có mã độc", opens_on="x\x00")
    r = await board.post("/admin/du-thao", hostile)
    assert r.status_code == 400 and "<script>alert(1)</script>" not in r.text
    assert "Ngày bắt đầu góp ý" in text_of(r)
    listed = await office.desk.http.get(f"{API}/consultations", params={"tenant": "hoankiem"})
    assert all("mã độc" not in c["title"] and c["title"] != "Ngắn" for c in listed.json())
    for forged in (str(uuid.uuid4()), "1%20OR%201=1"):
        r = await board.get(f"/admin/du-thao/{forged}")
        assert r.status_code == 404, (forged, r.status_code)


# --- dialogues -----------------------------------------------------------------------------------


async def test_a_dialogue_scheduled_answered_ended_and_published_in_the_ui(
    office: Office,
) -> None:
    board = office.board
    form = {
        "topic": "Trật tự đô thị và vỉa hè quanh hồ Hoàn Kiếm",
        "description": "Chủ tịch UBND phường trả lời câu hỏi của người dân.",
        "leader_name": "Nguyễn Văn Hùng",
        "leader_title": "Chủ tịch UBND phường",
        "starts_at": "2026-11-26T09:00",
        "ends_at": "2026-11-26T11:00",
    }
    with clock_at(office, START):
        bad = await board.post("/admin/doi-thoai", {**form, "starts_at": "26/11 9 giờ"})
        assert bad.status_code == 422 and "ngày giờ hợp lệ" in text_of(bad)
        assert "Trật tự đô thị và vỉa hè" in text_of(bad)  # kept
        made = await board.submit("/admin/doi-thoai", form)
        assert "Đã lên lịch buổi đối thoại" in text_of(made)
        assert "Sắp diễn ra" in text_of(made) and "26/11/2026 09:00:00" in text_of(made)
        did = str(made.url).rsplit("/", 1)[-1]
        r = await office.desk.http.get(f"{API}/dialogues/{did}")
        assert r.json()["starts_at"].startswith("2026-11-26T02:00:00"), r.text  # 09:00 Hanoi
        listing = await board.get("/admin/doi-thoai")
        assert f'href="/admin/doi-thoai/{did}"' in listing.text

        asker = email()
        r = await office.desk.http.post(
            f"{API}/dialogues/{did}/questions",
            json={"name": "Lý Thị Hoa", "email": asker, "show_name": True,
                  "text": "Khi nào phường sắp xếp lại chỗ để xe máy trên phố Hàng Bài?"},
            headers=forwarded_for(fresh_ip()),
        )  # fmt: skip
        assert r.status_code == 202, r.text
        token = await mailed_token(office.desk, asker, "doi-thoai")
        r = await office.desk.http.post(
            f"{API}/dialogues/confirm", json={"token": token}, headers=forwarded_for(fresh_ip())
        )
        assert r.status_code == 200, r.text
        r = await office.desk.http.get(f"{API}/dialogues/{did}/questions", headers=bearer(BOARD))
        qid = r.json()[0]["id"]
        before = await board.get(f"/admin/doi-thoai/{did}")
        assert "phố Hàng Bài" in text_of(before) and 'value="answer"' not in before.text
        early = await board.post(
            f"/admin/doi-thoai/{did}",
            {"action": "answer", "question_id": qid, "answer_html": "<p>Sớm.</p>"},
        )
        assert early.status_code == 409
        assert "Chỉ trả lời câu hỏi trong thời gian diễn ra" in text_of(early)

    with clock_at(office, datetime(2026, 11, 26, 9, 30, tzinfo=TZ)):
        live = await board.get(f"/admin/doi-thoai/{did}")
        assert "Đang diễn ra" in text_of(live) and 'value="answer"' in live.text
        answer = {
            "action": "answer",
            "question_id": qid,
            "answer_html": "<p>Phường sắp xếp lại trong tháng 12.</p><script>alert(1)</script>",
        }
        done = await board.submit(f"/admin/doi-thoai/{did}", answer)
        assert "Đã đăng câu trả lời." in text_of(done)
        assert "Phường sắp xếp lại trong tháng 12." in text_of(done)
        assert "<script>alert(1)</script>" not in done.text
        bogus = await board.submit(
            f"/admin/doi-thoai/{did}", {"action": "answer", "question_id": "1 OR 1=1"}
        )
        assert "Không có câu hỏi này" in text_of(bogus)
        public = await office.desk.http.get(f"/doi-thoai/{did}", headers=WARD)
        assert "Phường sắp xếp lại trong tháng 12." in public.text
        ended = await board.submit(f"/admin/doi-thoai/{did}", {"action": "end"})
        assert "Đã kết thúc buổi đối thoại." in text_of(ended)
        assert "Đăng biên bản" in text_of(ended)
        published = await board.submit(
            f"/admin/doi-thoai/{did}",
            {"action": "transcript", "note": "Biên bản đầy đủ được lưu tại UBND phường."},
        )
        assert "Đã đăng biên bản buổi đối thoại." in text_of(published)
        assert "Biên bản đã đăng lúc" in text_of(published)
        r = await office.desk.http.get(f"{API}/dialogues/{did}")
        assert r.json()["state"] == "published"
        assert r.json()["transcript_note"] == "Biên bản đầy đủ được lưu tại UBND phường."
        twice = await board.post(f"/admin/doi-thoai/{did}", {"action": "transcript"})
        assert twice.status_code == 409


# --- ratings ---------------------------------------------------------------------------------


async def test_the_ratings_page_shows_the_cells_as_the_api_returns_them(office: Office) -> None:
    for n in range(5):
        r = await office.desk.http.post(
            f"{API}/ratings/sites/hoankiem",
            json={"interface": 4, **({"content": 5} if n < 2 else {})},
            headers=forwarded_for(fresh_ip()),
        )
        assert r.status_code == 202, r.text
    query = {"from": "2026-11", "to": "2026-11"}
    page = await office.board.get("/admin/hoi-dap/danh-gia", **query)
    assert page.status_code == 200, page.text[:500]
    api = await office.desk.http.get(
        f"{API}/ratings", params={"tenant": "hoankiem", **query}, headers=bearer(BOARD)
    )
    criteria = api.json()["criteria"]
    for key, criterion in criteria.items():
        row = re.search(rf'<tr data-criterion="{key}">(.*?)</tr>', page.text, re.S)
        assert row, (key, page.text[:2000])
        cells = [text_of_cell(c) for c in re.findall(r"<td>(.*?)</td>", row.group(1), re.S)]
        shown = criterion["shown_as"]
        assert cells[0] == shown["ratings"]
        assert cells[2:] == [shown["scores"][s] for s in "12345"]
    interface = re.search(r'<tr data-criterion="interface">(.*?)</tr>', page.text, re.S)
    assert interface and "<td>5</td>" in interface.group(1) and "4,0/5" in interface.group(1)
    content = re.search(r'<tr data-criterion="content">(.*?)</tr>', page.text, re.S)
    assert content and "<td>&lt; 5</td>" in content.group(1) and ">2<" not in content.group(1)
    assert "ẩn" in text_of(page)  # the legend
    bad = await office.board.get("/admin/hoi-dap/danh-gia", **{"from": "2026-13", "to": "<x>"})
    assert bad.status_code == 400 and "<x>" not in bad.text and 'role="alert"' in bad.text


# --- who may ------------------------------------------------------------------------------------


async def test_an_editor_without_the_board_role_is_refused(office: Office) -> None:
    editor = office.editor  # bientap.hoankiem: an editor of the site, not its board
    for path in ("/admin/du-thao", "/admin/doi-thoai", "/admin/hoi-dap/danh-gia"):
        r = await editor.get(path)
        assert r.status_code == 403, (path, r.status_code)
        assert "Chỉ thành viên Ban Biên tập" in text_of(r) and 'lang="vi"' in r.text
    queue = await editor.get("/admin/hoi-dap")
    assert 'href="/admin/du-thao"' not in queue.text
    r = await editor.post("/admin/du-thao", draft_form(title="Dự thảo do biên tập viên đăng"))
    assert r.status_code == 403
    r = await editor.post("/admin/doi-thoai", {"topic": "Đối thoại do biên tập viên lập"})
    assert r.status_code == 403
    listed = await office.desk.http.get(f"{API}/consultations", params={"tenant": "hoankiem"})
    assert all(c["title"] != "Dự thảo do biên tập viên đăng" for c in listed.json())
    # Another site's board member sees the refusal too (their own site is not hoankiem).
    r = await office.outsider.get("/admin/du-thao", site="hoankiem")
    assert r.status_code == 403


async def test_forms_without_the_csrf_token_are_refused(office: Office) -> None:
    board = office.board
    await board.get("/admin/du-thao")
    r = await board.http.post("/admin/du-thao", data=draft_form(title="Dự thảo không có CSRF"))
    assert r.status_code == 403
    r = await board.http.post("/admin/doi-thoai", data={"topic": "Đối thoại không có CSRF"})
    assert r.status_code == 403
    r = await board.http.post(
        f"/admin/du-thao/{uuid.uuid4()}/y-kien/{uuid.uuid4()}", data={"decision": "publish"}
    )
    assert r.status_code == 403
    listed = await office.desk.http.get(f"{API}/consultations", params={"tenant": "hoankiem"})
    assert all(c["title"] != "Dự thảo không có CSRF" for c in listed.json())
    anonymous = httpx.AsyncClient(base_url=office.admin_url, headers={"Host": "hanoi.localhost"})
    async with anonymous:
        r = await anonymous.get("/admin/du-thao")
        assert r.status_code == 302 and "/admin/dang-nhap" in r.headers["location"]


async def test_hostile_dialogue_forms_get_a_clear_refusal_and_store_nothing(
    office: Office,
) -> None:
    board = office.board
    form = {
        "topic": "Đối thoại thử nghiệm đầu vào độc hại",
        "leader_name": "Nguyễn Văn Hùng",
        "leader_title": "Chủ tịch UBND phường",
        "starts_at": "2026-11-27T09:00",
        "ends_at": "2026-11-27T11:00",
    }
    with clock_at(office, START):
        for bad in (
            {"topic": "Chủ đề có ký tự\x00 NUL"},
            {"description": "x" * 20_000},
            {"leader_name": ""},
            {"ends_at": "2026-11-27T08:00"},
            {"starts_at": "2026-02-30T09:00"},
        ):
            r = await board.post("/admin/doi-thoai", {**form, **bad})
            assert r.status_code in (400, 422), (bad, r.status_code)
            said = re.search(r'<p class="flash error" role="alert">(.*?)</p>', r.text, re.S)
            assert said and re.search(r"[ạảãâầấậẩẫăằắặẳẵđêềếệểễôồốộổỗơờớợởỡưừứựửữ]", said.group(1))
        scripted = await board.submit(
            "/admin/doi-thoai", {**form, "topic": "<script>alert(1)</script> Đối thoại"}
        )
        assert "<script>alert(1)</script>" not in scripted.text
        assert "&lt;script&gt;" in scripted.text
    listed = await office.desk.http.get(f"{API}/dialogues", params={"tenant": "hoankiem"})
    topics = [d["topic"] for d in listed.json()]
    assert not any("NUL" in t or t == form["topic"] for t in topics), topics
