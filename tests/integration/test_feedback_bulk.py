"""Answer templates and bulk answers on a real broker and database (the same desk as
test_feedback_flow: admin announcing the sites, feedback, and a local SMTP server):
templates kept per site by its editors, one answer drafted on many repeated questions
from a template, many drafts approved at once with one AnswerPublished and one mail
per question, all or nothing, and hostile input."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import test_feedback_flow
from conftest import BOARD, EDITOR, bearer, eventually, token_for
from sqlalchemy import func, select
from test_feedback_flow import UNIT, Desk, Inbox

from services.feedback import store
from services.feedback.answer_templates import answer_templates

TEMPLATES = "/api/v1/feedback/templates"
QUESTIONS = "/api/v1/feedback/questions"
#: The same module-scoped desk (broker, admin, feedback, SMTP), started for this module.
desk = test_feedback_flow.desk
COLLABORATOR = token_for("ctv.hoankiem", {"hoankiem": "collaborator"})
OTHER_BOARD = token_for("bbt.caugiay", {"caugiay": "board_member"})

ANSWER = (
    "<p>Theo Nghị định 101/2024/NĐ-CP, hồ sơ cấp giấy chứng nhận lần đầu nộp tại "
    "Bộ phận một cửa của phường.</p>"
)


async def _template(desk: Desk, token: str = EDITOR, **fields: Any) -> dict[str, Any]:
    body = {"tenant": "hoankiem", "title": "Cấp sổ đỏ lần đầu", "body_html": ANSWER, **fields}
    r = await desk.http.post(TEMPLATES, json=body, headers=bearer(token))
    assert r.status_code == 201, r.text
    return r.json()


async def _question(desk: Desk, qid: str) -> dict[str, Any]:
    r = await desk.http.get(f"{QUESTIONS}/{qid}", headers=bearer(BOARD))
    assert r.status_code == 200, r.text
    return r.json()


async def _forwarded(desk: Desk, n: int, **fields: Any) -> list[dict[str, Any]]:
    """`n` repeated questions, received and forwarded to Ba Đình."""
    out = []
    for _ in range(n):
        q = await desk.received(**fields)
        r = await desk.http.post(f"{QUESTIONS}/{q['id']}/classify", json={"unit": "badinh"},
                                 headers=bearer(BOARD))  # fmt: skip
        assert r.status_code == 200, r.text
        out.append(r.json())
    return out


async def _snapshot(desk: Desk) -> list[tuple[Any, ...]]:
    async with desk.service.db.read() as session:
        questions = (
            await session.execute(
                select(store.questions.c.id, store.questions.c.status,
                       store.questions.c.answer_html, store.questions.c.version)
                .order_by(store.questions.c.id)
            )
        ).all()  # fmt: skip
        templates = (
            await session.execute(select(answer_templates).order_by(answer_templates.c.id))
        ).all()
        # Newest ids, not counts: the relay prunes old published outbox rows.
        mails = (await session.execute(select(func.max(store.mails.c.id)))).scalar()
        outbox = (await session.execute(select(func.max(store.outbox.c.id)))).scalar()
    return [*map(tuple, questions), *map(tuple, templates), ("mails", mails), ("outbox", outbox)]


# --- templates ----------------------------------------------------------------------------


async def test_editors_keep_their_site_s_templates(desk: Desk) -> None:
    created = await _template(
        desk, body_html='<p onclick="steal()">Xin chào<script>alert(1)</script></p>',
        title="  Mẫu   chào hỏi  ",
    )  # fmt: skip
    assert created["title"] == "Mẫu chào hỏi"
    assert "script" not in created["body_html"] and "onclick" not in created["body_html"]
    assert created["version"] == 1 and created["created_by"] == "bientap.hoankiem"
    url = f"{TEMPLATES}/{created['id']}"

    listed = await desk.http.get(TEMPLATES, params={"tenant": "hoankiem"}, headers=bearer(BOARD))
    assert listed.status_code == 200
    assert created["id"] in [t["id"] for t in listed.json()]
    # Another site's editors and the site's collaborators see nothing of it.
    outsider = await desk.http.get(TEMPLATES, params={"tenant": "hoankiem"},
                                   headers=bearer(UNIT))  # fmt: skip
    assert outsider.status_code == 403
    assert "Biên tập viên" in outsider.json()["detail"]
    assert (await desk.http.get(url, headers=bearer(UNIT))).status_code == 404
    collaborator = await desk.http.get(TEMPLATES, params={"tenant": "hoankiem"},
                                       headers=bearer(COLLABORATOR))  # fmt: skip
    assert collaborator.status_code == 403
    assert (await desk.http.get(TEMPLATES, params={"tenant": "hoankiem"})).status_code == 401
    denied = await desk.http.post(TEMPLATES, headers=bearer(UNIT), json={
        "tenant": "hoankiem", "title": "Chiếm", "body_html": "<p>x</p>"})  # fmt: skip
    assert denied.status_code == 403

    body = {"title": "Mẫu chào hỏi (sửa)", "body_html": "<p>Kính chào Quý vị.</p>", "version": 1}
    changed = await desk.http.put(url, headers=bearer(BOARD), json=body)
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2 and changed.json()["updated_by"] == "bbt.hoankiem"
    stale = await desk.http.put(url, headers=bearer(EDITOR), json={
        "title": "Ghi đè", "body_html": "<p>Cũ</p>", "version": 1})  # fmt: skip
    assert stale.status_code == 409
    assert "người khác" in stale.json()["detail"]
    assert (await desk.http.put(url, headers=bearer(UNIT), json={
        "title": "Chiếm", "body_html": "<p>x</p>", "version": 2})).status_code == 404  # fmt: skip
    assert (await desk.http.delete(url, headers=bearer(UNIT))).status_code == 404
    assert (await desk.http.get(url, headers=bearer(EDITOR))).json()["title"] == (
        "Mẫu chào hỏi (sửa)"
    )

    assert (await desk.http.delete(url, headers=bearer(EDITOR))).status_code == 204
    assert (await desk.http.get(url, headers=bearer(EDITOR))).status_code == 404
    assert (await desk.http.delete(url, headers=bearer(EDITOR))).status_code == 404


@pytest.mark.parametrize(
    ("method", "fields", "status"),
    [
        ("post", {"title": "x" * 201}, 400),
        ("post", {"title": "a"}, 400),
        ("post", {"title": 12345}, 400),
        ("post", {"title": ["mảng"]}, 400),
        ("post", {"body_html": "<p>" + "đ" * 26_000 + "</p>"}, 400),  # > 50 kB in UTF-8
        ("post", {"body_html": "x" * 60_000}, 400),
        ("post", {"body_html": "<script>alert(1)</script>"}, 422),
        ("post", {"body_html": "<p>\x00</p>"}, 400),
        ("post", {"tenant": "../admin"}, 400),
        ("post", {"tenant": "caugiay"}, 403),
        ("post", {"body_html": None}, 400),
        ("put", {"version": "một"}, 400),
        ("put", {"version": 0}, 400),
        ("put", {"title": "<b>" * 100}, 400),
    ],
)
async def test_hostile_template_input_changes_nothing(
    desk: Desk, method: str, fields: dict[str, Any], status: int
) -> None:
    existing = await _template(desk)
    before = await _snapshot(desk)
    if method == "post":
        body = {"tenant": "hoankiem", "title": "Mẫu", "body_html": "<p>Nội dung</p>", **fields}
        r = await desk.http.post(TEMPLATES, json=body, headers=bearer(EDITOR))
    else:
        body = {"title": "Mẫu", "body_html": "<p>Nội dung</p>", "version": 1, **fields}
        r = await desk.http.put(f"{TEMPLATES}/{existing['id']}", json=body, headers=bearer(EDITOR))
    assert r.status_code == status, (fields, r.text[:300])
    assert r.json()["detail"]
    assert await _snapshot(desk) == before


@pytest.mark.parametrize("forged", [str(uuid.uuid4()), "1%20OR%201=1", "x" * 300, "%00"])
async def test_forged_template_ids_are_not_found(desk: Desk, forged: str) -> None:
    for method in ("get", "delete"):
        r = await desk.http.request(method, f"{TEMPLATES}/{forged}", headers=bearer(EDITOR))
        assert r.status_code in (400, 404), (method, forged, r.status_code)


# --- bulk answers --------------------------------------------------------------------------


async def test_a_template_answers_repeated_questions_and_the_board_approves_them_at_once(
    desk: Desk,
) -> None:
    emails = [f"lap.{i}.{uuid.uuid4().hex[:6]}@example.vn" for i in range(3)]
    questions = []
    for email in emails:
        text = "Tôi là Nguyễn Văn An, điện thoại 0912 345 678. Xin hỏi hồ sơ cấp sổ đỏ lần đầu?"
        questions += await _forwarded(desk, 1, email=email, text=text)
    ids = [q["id"] for q in questions]
    # The unit keeps its own templates and answers from one of them.
    template = await _template(desk, UNIT, tenant="badinh", title="Hồ sơ cấp sổ đỏ")
    drafted = await desk.http.post(f"{QUESTIONS}/bulk-draft", headers=bearer(UNIT), json={
        "tenant": "badinh", "question_ids": ids, "template_id": template["id"]})  # fmt: skip
    assert drafted.status_code == 200, drafted.text
    assert drafted.json()["count"] == 3
    assert {q["status"] for q in drafted.json()["questions"]} == {"drafted"}
    for qid in ids:
        q = await _question(desk, qid)
        assert q["status"] == "drafted" and q["answer_html"] == template["body_html"]
        assert any(h["action"] == "draft" and h["actor"] == "bientap.badinh" for h in q["history"])

    # The unit cannot approve; the board approves all three, with ids repeated.
    refused = await desk.http.post(f"{QUESTIONS}/bulk-approve", headers=bearer(UNIT),
                                   json={"tenant": "badinh", "question_ids": ids})  # fmt: skip
    assert refused.status_code == 403
    twice = {"tenant": "hoankiem", "question_ids": ids + ids[:1]}
    approved = await desk.http.post(f"{QUESTIONS}/bulk-approve", headers=bearer(BOARD), json=twice)
    assert approved.status_code == 200, approved.text
    assert approved.json()["count"] == 3

    for qid, email in zip(ids, emails, strict=True):
        q = await _question(desk, qid)
        assert q["status"] == "published"
        events = await desk.events(qid, wait_s=2)
        published = [e for kind, e in events if kind == "AnswerPublished"]
        assert len(published) == 1, events
        assert "Nguyễn Văn An" not in published[0]["question_text"]
        assert "0912 345 678" not in published[0]["question_text"]
        assert published[0]["answer_html"] == template["body_html"]
        assert published[0]["unit"] == "badinh"

        async def answered(email: str = email, code: str = q["code"]) -> bool:
            return [m["Subject"] for m in desk.inbox.to(email)].count(f"Trả lời {code}") == 1

        await eventually(answered)
        body = Inbox.body(next(m for m in desk.inbox.to(email) if m["Subject"].startswith("Trả")))
        assert "Bộ phận một cửa" in body


async def test_bulk_draft_with_html_is_sanitised(desk: Desk) -> None:
    questions = await _forwarded(desk, 2)
    html = '<p>Trả lời chung<img src=x onerror="alert(1)"><script>x()</script></p>'
    body = {"tenant": "hoankiem", "question_ids": [q["id"] for q in questions], "html": html}
    r = await desk.http.post(f"{QUESTIONS}/bulk-draft", headers=bearer(BOARD), json=body)
    assert r.status_code == 200, r.text
    for q in questions:
        html = (await _question(desk, q["id"]))["answer_html"]
        assert "Trả lời chung" in html
        assert "script" not in html and "onerror" not in html


async def test_one_question_in_the_wrong_state_changes_nothing(desk: Desk) -> None:
    ready = await _forwarded(desk, 2)
    waiting = await desk.received()  # received, not yet forwarded: cannot be drafted
    ids = [ready[0]["id"], waiting["id"], ready[1]["id"]]
    before = await _snapshot(desk)
    body = {"tenant": "hoankiem", "question_ids": ids, "html": ANSWER}
    r = await desk.http.post(f"{QUESTIONS}/bulk-draft", headers=bearer(BOARD), json=body)
    assert r.status_code == 409, r.text
    body = r.json()
    assert "1 trong 3" in body["detail"]
    failed = body["extra"]["failed"]
    assert [(f["id"], f["code"], f["status"]) for f in failed] == [
        (waiting["id"], waiting["code"], 409)
    ]
    assert "Đã tiếp nhận, chờ phân loại" in failed[0]["reason"]
    assert await _snapshot(desk) == before

    # Approval too: one draft and one that is not drafted publish nothing, mail no one.
    drafted = await desk.http.post(f"{QUESTIONS}/{ready[0]['id']}/draft", headers=bearer(UNIT),
                                   json={"answer_html": ANSWER})  # fmt: skip
    assert drafted.status_code == 200
    before = await _snapshot(desk)
    r = await desk.http.post(f"{QUESTIONS}/bulk-approve", headers=bearer(BOARD), json={
        "tenant": "hoankiem", "question_ids": [ready[0]["id"], ready[1]["id"]]})  # fmt: skip
    assert r.status_code == 409, r.text
    assert [f["id"] for f in r.json()["extra"]["failed"]] == [ready[1]["id"]]
    assert await _snapshot(desk) == before
    events = await desk.events(ready[0]["id"], wait_s=1.5)
    assert "AnswerPublished" not in [kind for kind, _ in events]


@pytest.fixture(scope="module")
async def two_forwarded(desk: Desk) -> list[str]:
    return [q["id"] for q in await _forwarded(desk, 2)]


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("bulk-draft", {"question_ids": [], "html": ANSWER}, 400),
        ("bulk-draft", {"question_ids": [str(uuid.uuid4()) for _ in range(201)], "html": ANSWER},
         400),
        ("bulk-draft", {"question_ids": ["1; DROP TABLE questions"], "html": ANSWER}, 400),
        ("bulk-draft", {"question_ids": "tất cả", "html": ANSWER}, 400),
        ("bulk-draft", {"question_ids": [{"id": 1}], "html": ANSWER}, 400),
        ("bulk-draft", {"html": ANSWER, "template_id": str(uuid.uuid4())}, 400),
        ("bulk-draft", {}, 400),
        ("bulk-draft", {"html": "<script>alert(1)</script>"}, 422),
        ("bulk-draft", {"html": "x" * 100_001}, 400),
        ("bulk-draft", {"html": "<p>a\x00b</p>"}, 400),
        ("bulk-draft", {"html": 42}, 400),
        ("bulk-draft", {"template_id": "không-phải-uuid"}, 400),
        ("bulk-draft", {"template_id": str(uuid.uuid4())}, 404),
        ("bulk-draft", {"tenant": "../hanoi", "html": ANSWER}, 400),
        ("bulk-approve", {"question_ids": []}, 400),
        ("bulk-approve", {"question_ids": [None]}, 400),
        ("bulk-approve", {"tenant": ["hoankiem"]}, 400),
    ],
)  # fmt: skip
async def test_hostile_bulk_requests_change_nothing(
    desk: Desk, two_forwarded: list[str], path: str, body: dict[str, Any], status: int
) -> None:
    ids = two_forwarded
    before = await _snapshot(desk)
    r = await desk.http.post(f"{QUESTIONS}/{path}", headers=bearer(BOARD),
                             json={"tenant": "hoankiem", "question_ids": ids, **body})  # fmt: skip
    assert r.status_code == status, (body, r.text[:300])
    assert r.json()["detail"]
    assert await _snapshot(desk) == before


async def test_forged_ids_and_other_sites_questions_are_refused(desk: Desk) -> None:
    questions = await _forwarded(desk, 1)
    ours = questions[0]["id"]
    forged = str(uuid.uuid4())
    before = await _snapshot(desk)

    r = await desk.http.post(f"{QUESTIONS}/bulk-draft", headers=bearer(BOARD),
                             json={"tenant": "hoankiem", "question_ids": [ours, forged],
                                   "html": ANSWER})  # fmt: skip
    assert r.status_code == 404, r.text
    assert [(f["id"], f["status"]) for f in r.json()["extra"]["failed"]] == [(forged, 404)]

    # Cầu Giấy's board: on its own site the question does not exist; on Hoàn Kiếm it has
    # no role at all.
    for tenant, status in [("caugiay", 404), ("hoankiem", 403)]:
        for path in ("bulk-draft", "bulk-approve"):
            r = await desk.http.post(f"{QUESTIONS}/{path}", headers=bearer(OTHER_BOARD), json={
                "tenant": tenant, "question_ids": [ours], "html": ANSWER})  # fmt: skip
            assert r.status_code == status, (tenant, path, r.text)
            assert questions[0]["code"] not in r.text and questions[0]["title"] not in r.text
    assert await _snapshot(desk) == before
    # Another site's template cannot be used, nor can the site editor draft for the unit.
    theirs = await _template(desk, OTHER_BOARD, tenant="caugiay")
    before = await _snapshot(desk)
    r = await desk.http.post(f"{QUESTIONS}/bulk-draft", headers=bearer(BOARD), json={
        "tenant": "hoankiem", "question_ids": [ours], "template_id": theirs["id"]})  # fmt: skip
    assert r.status_code == 404
    r = await desk.http.post(f"{QUESTIONS}/bulk-draft", headers=bearer(EDITOR), json={
        "tenant": "hoankiem", "question_ids": [ours], "html": ANSWER})  # fmt: skip
    assert r.status_code == 403
    assert r.json()["extra"]["failed"][0]["code"] == questions[0]["code"]
    r = await desk.http.post(f"{QUESTIONS}/bulk-draft", json={
        "tenant": "hoankiem", "question_ids": [ours], "html": ANSWER})  # fmt: skip
    assert r.status_code == 401
    assert await _snapshot(desk) == before
