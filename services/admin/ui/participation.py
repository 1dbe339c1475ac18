"""The editors' UI screens on feedback's API for participation (Quy chế Điều
4.2.d/f, 4.3): drafts put out for comment (dự thảo) with the moderation of comments
and the agency's summary, online dialogues (đối thoại) with their questions, answers
and transcript, and the site's satisfaction ratings.

Like the other screens it holds no rules of its own: it shows what the feedback
service returns and sends forms to its API with the signed-in board member's token,
so the API decides in the end. The screens are offered to the site's board (and
operators) only; an editor is shown the refusal page.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import FromPath
from litestar.response import Redirect

from runtime.auth import Role
from services.admin.ui.backends import BackendError, Backends
from services.admin.ui.common import (
    FIELD_LABELS,
    VN,
    api_message,
    flash,
    page,
    role_on,
    signed_in,
    site_of,
)

API = "/api/v1/feedback"
BOARD_ONLY = "Chỉ thành viên Ban Biên tập của trang mới dùng được chức năng này."
#: One article of a draft starts with a line "Điều 3. Heading" (or "Điều 3: Heading").
_ARTICLE = re.compile(r"^\s*(Điều\s+\d{1,4}[a-zđ]?)\s*[.:]?\s*(.*?)\s*$", re.IGNORECASE)
MAX_RESPONSES = 50
SCORES = ["1", "2", "3", "4", "5"]
FIELD_LABELS_P = {
    **FIELD_LABELS,
    "summary": "Tóm tắt",
    "articles": "Các điều",
    "opens_on": "Ngày bắt đầu góp ý",
    "closes_on": "Ngày kết thúc góp ý",
    "attachment_url": "Tệp toàn văn",
    "report_html": "Báo cáo tổng hợp",
    "responses": "Giải trình",
    "topic": "Chủ đề",
    "description": "Giới thiệu",
    "leader_name": "Người chủ trì",
    "leader_title": "Chức vụ",
    "starts_at": "Bắt đầu",
    "ends_at": "Kết thúc",
    "from": "Từ tháng",
    "to": "Đến tháng",
}


# --- presentation rules (pure) ------------------------------------------------------


def parse_articles(text: str) -> tuple[list[dict[str, str]], str | None]:
    """A draft typed as blocks, each starting with a line "Điều N. Heading" followed by
    the article's text, as the API's articles; or the problem, said in Vietnamese."""
    articles: list[dict[str, str]] = []
    lines: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        found = _ARTICLE.match(raw)
        if found:
            articles.append({"number": " ".join(found.group(1).split()).capitalize(),
                             "heading": found.group(2), "text": ""})  # fmt: skip
            lines = []
            continue
        if not articles:
            if raw.strip():
                return [], "Nội dung dự thảo phải bắt đầu bằng dòng “Điều 1. Tên điều”."
            continue
        lines.append(raw.rstrip())
        articles[-1]["text"] = "\n".join(lines).strip()
    if not articles:
        return [], "Hãy nhập các điều của dự thảo, mỗi điều bắt đầu bằng dòng “Điều 1. Tên điều”."
    empty = [a["number"] for a in articles if not a["text"]]
    if empty:
        return [], f"{', '.join(empty[:5])}: chưa có nội dung (viết ở các dòng dưới tiêu đề)."
    numbers = [a["number"].lower() for a in articles]
    if len(set(numbers)) != len(numbers):
        return [], "Mỗi điều của dự thảo phải có số hiệu riêng."
    return articles, None


def report_values(report: dict[str, Any] | None, comments: list[dict[str, Any]]) -> dict[str, Any]:
    """The published summary as the form's values, to change and publish again (which
    replaces it). Responses are numbered in order; the comments each one answers are
    found by their response's id, which the service issues in the responses' order."""
    if not report:
        return {}
    values: dict[str, Any] = {"report_html": report.get("html") or ""}
    ids = sorted({c["response_id"] for c in comments if c.get("response_id") is not None})
    answered = iter(ids)
    for n, response in enumerate(report.get("responses") or [], 1):
        values[f"response_{n}"] = response.get("text", "")
        chosen: list[str] = []
        if response.get("comments"):
            rid = next(answered, None)
            chosen = [c["id"] for c in comments if rid is not None and c.get("response_id") == rid]
        values[f"response_{n}_comment"] = chosen
    return values


def local_moment(value: str) -> str | None:
    """A `datetime-local` field (Hanoi time) as an ISO moment with its offset."""
    value = value.strip()[:20]
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?", value):
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=VN).isoformat()
    except ValueError:
        return None


def local_value(value: str | None) -> str:
    """An ISO moment as a `datetime-local` field's value, in Hanoi time."""
    if not value:
        return ""
    return datetime.fromisoformat(value).astimezone(VN).strftime("%Y-%m-%dT%H:%M")


def average_label(criterion: dict[str, Any]) -> str:
    average = criterion.get("average")
    if average is None:
        return "—"
    return f"{float(average):.1f}".replace(".", ",") + "/5"


def message(exc: BackendError) -> str:
    """The API's message; for a refused schema, field by field in Vietnamese (the
    participation API already says its fields' problems in Vietnamese)."""
    errors = exc.extra.get("errors")
    if exc.status == 400 and isinstance(errors, list) and errors:
        parts = []
        for error in errors[:5]:
            if not isinstance(error, dict):
                continue
            key = str(error.get("key", ""))
            label = FIELD_LABELS_P.get(key.split(".")[0], key)
            parts.append(f"{label}: {error.get('message', '')}" if label else "")
        if parts:
            return "Thông tin chưa hợp lệ. " + "; ".join(p for p in parts if p) + "."
    return api_message(exc)


# --- helpers ------------------------------------------------------------------------------


def _board(request: Request[Any, Any, Any]) -> tuple[dict[str, Any], str]:
    """The signed-in user and their site, or the refusal page for anyone below the board."""
    user = signed_in(request)
    site = site_of(request, user)
    if role_on(user, site) < Role.board_member:
        raise HTTPException(status_code=403, detail=BOARD_ONLY)
    return user, site


def _text(form: Any, name: str, limit: int) -> str:
    return str(form.get(name, ""))[:limit]


def _reraise(exc: BackendError) -> None:
    if exc.status in (401, 403, 404):
        raise exc


async def _call(backends: Backends, user: dict[str, Any], method: str, path: str,
                **kwargs: Any) -> Any:  # fmt: skip
    return await backends.call("feedback", method, API + path, token=user["token"], **kwargs)


# --- consultations ------------------------------------------------------------------------


async def _consultations_page(
    request: Request[Any, Any, Any], backends: Backends, site: str, *, status: int = 200,
    error: str | None = None, values: dict[str, Any] | None = None,
) -> Any:  # fmt: skip
    listed = await backends.call("feedback", "GET", f"{API}/consultations",
                                 params={"tenant": site})  # fmt: skip
    return page(request, "participation_consultations.html", status, items=listed,
                 error=error, values=values or {})  # fmt: skip


@get("/du-thao")
async def consultations_list(
    request: Request[Any, Any, Any], backends: NamedDependency[Backends]
) -> Any:
    _, site = _board(request)
    return await _consultations_page(request, backends, site)


@post("/du-thao")
async def consultation_create(
    request: Request[Any, Any, Any], backends: NamedDependency[Backends]
) -> Any:
    user, site = _board(request)
    form = await request.form()
    values = {
        "title": _text(form, "title", 1000),
        "summary": _text(form, "summary", 10_000),
        "articles": _text(form, "articles", 1_200_000),
        "opens_on": _text(form, "opens_on", 20).strip(),
        "closes_on": _text(form, "closes_on", 20).strip(),
        "attachment_url": _text(form, "attachment_url", 1000).strip(),
    }
    articles, problem = parse_articles(values["articles"])
    if problem:
        return await _consultations_page(request, backends, site, status=422, error=problem,
                                         values=values)  # fmt: skip
    body = {
        "tenant": site, "title": values["title"], "summary": values["summary"],
        "articles": articles, "opens_on": values["opens_on"] or None,
        "closes_on": values["closes_on"] or None,
        "attachment_url": values["attachment_url"] or None,
    }  # fmt: skip
    try:
        made = await _call(backends, user, "POST", "/consultations", json=body)
    except BackendError as exc:
        _reraise(exc)
        return await _consultations_page(request, backends, site, status=exc.status,
                                         error=message(exc), values=values)  # fmt: skip
    flash(request, f"Đã đăng dự thảo “{made['title']}” để lấy ý kiến.")
    return Redirect(f"/admin/du-thao/{made['id']}")


async def _board_item(backends: Backends, user: Any, site: str, path: str) -> dict[str, Any]:
    """A consultation or dialogue, for the board of its own site (or above it)."""
    item = await _call(backends, user, "GET", path)
    if item["tenant"] != site and role_on(user, item["tenant"]) < Role.board_member:
        raise HTTPException(status_code=403, detail=BOARD_ONLY)
    return item


async def _consultation_page(
    request: Request[Any, Any, Any], backends: Backends, consultation_id: uuid.UUID, *,
    status: int = 200, error: str | None = None, values: dict[str, Any] | None = None,
) -> Any:  # fmt: skip
    user, site = _board(request)
    item = await _board_item(backends, user, site, f"/consultations/{consultation_id}")
    comments = await _call(backends, user, "GET", f"/consultations/{consultation_id}/comments")
    titles = {a["position"]: f"{a['number']}. {a['heading']}".rstrip(". ")
              for a in item["articles"]}  # fmt: skip
    try:
        rows = min(MAX_RESPONSES, max(3, int(request.query_params.get("so_muc", "3"))))
    except ValueError:
        rows = 3
    values = report_values(item.get("report"), comments) if values is None else values
    responses = len((item.get("report") or {}).get("responses") or [])
    rows = min(MAX_RESPONSES, max(rows, responses + 1))
    return page(
        request, "participation_consultation.html", status, item=item, comments=comments,
        pending=[c for c in comments if c["status"] == "pending"],
        published=[c for c in comments if c["status"] == "published"],
        titles=titles, error=error, values=values, rows=rows,
    )  # fmt: skip


@get("/du-thao/{consultation_id:uuid}")
async def consultation(
    consultation_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    return await _consultation_page(request, backends, consultation_id)


@post("/du-thao/{consultation_id:uuid}/y-kien/{comment_id:uuid}")
async def moderate(
    consultation_id: FromPath[uuid.UUID],
    comment_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user, _ = _board(request)
    form = await request.form()
    decision = _text(form, "decision", 20)
    if decision not in ("publish", "reject"):
        flash(request, "Hãy chọn đăng hoặc không đăng ý kiến.", "error")
        return Redirect(f"/admin/du-thao/{consultation_id}")
    try:
        await _call(backends, user, "POST",
                    f"/consultations/{consultation_id}/comments/{comment_id}/moderation",
                    json={"decision": decision})  # fmt: skip
    except BackendError as exc:
        _reraise(exc)
        return await _consultation_page(request, backends, consultation_id, status=exc.status,
                                        error=message(exc))  # fmt: skip
    flash(request, "Đã đăng ý kiến." if decision == "publish" else "Đã để ý kiến không đăng.")
    return Redirect(f"/admin/du-thao/{consultation_id}")


@post("/du-thao/{consultation_id:uuid}/tong-hop")
async def consultation_report(
    consultation_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user, _ = _board(request)
    form = await request.form()
    values: dict[str, Any] = {"report_html": _text(form, "report_html", 200_000)}
    responses = []
    for n in range(1, MAX_RESPONSES + 1):
        text = _text(form, f"response_{n}", 10_000)
        ids = [str(v).strip()[:40] for v in form.getall(f"response_{n}_comment", [])][:1000]
        values[f"response_{n}"] = text
        values[f"response_{n}_comment"] = ids
        if text.strip() or ids:
            responses.append({"text": text, "comment_ids": [i for i in ids if i]})
    try:
        body = {"report_html": values["report_html"], "responses": responses}
        await _call(backends, user, "PUT", f"/consultations/{consultation_id}/report", json=body)
    except BackendError as exc:
        _reraise(exc)
        return await _consultation_page(request, backends, consultation_id, status=exc.status,
                                        error=message(exc), values=values)  # fmt: skip
    flash(request, "Đã công bố báo cáo tổng hợp, giải trình ý kiến góp ý.")
    return Redirect(f"/admin/du-thao/{consultation_id}")


# --- dialogues ------------------------------------------------------------------------------


async def _dialogues_page(
    request: Request[Any, Any, Any], backends: Backends, site: str, *, status: int = 200,
    error: str | None = None, values: dict[str, Any] | None = None,
) -> Any:  # fmt: skip
    listed = await backends.call("feedback", "GET", f"{API}/dialogues",
                                 params={"tenant": site})  # fmt: skip
    return page(request, "participation_dialogues.html", status, items=listed, error=error,
                 values=values or {})  # fmt: skip


@get("/doi-thoai")
async def dialogues_list(
    request: Request[Any, Any, Any], backends: NamedDependency[Backends]
) -> Any:
    _, site = _board(request)
    return await _dialogues_page(request, backends, site)


@post("/doi-thoai")
async def dialogue_schedule(
    request: Request[Any, Any, Any], backends: NamedDependency[Backends]
) -> Any:
    user, site = _board(request)
    form = await request.form()
    values = {
        "topic": _text(form, "topic", 1000),
        "description": _text(form, "description", 10_000),
        "leader_name": _text(form, "leader_name", 1000),
        "leader_title": _text(form, "leader_title", 1000),
        "starts_at": _text(form, "starts_at", 30),
        "ends_at": _text(form, "ends_at", 30),
    }
    starts, ends = local_moment(values["starts_at"]), local_moment(values["ends_at"])
    if starts is None or ends is None:
        return await _dialogues_page(
            request, backends, site, status=422, values=values,
            error="Thời gian bắt đầu và kết thúc phải là ngày giờ hợp lệ (giờ Hà Nội).",
        )  # fmt: skip
    body = {**values, "tenant": site, "starts_at": starts, "ends_at": ends}
    try:
        made = await _call(backends, user, "POST", "/dialogues", json=body)
    except BackendError as exc:
        _reraise(exc)
        return await _dialogues_page(request, backends, site, status=exc.status,
                                     error=message(exc), values=values)  # fmt: skip
    flash(request, f"Đã lên lịch buổi đối thoại “{made['topic']}”.")
    return Redirect(f"/admin/doi-thoai/{made['id']}")


async def _dialogue_page(
    request: Request[Any, Any, Any], backends: Backends, dialogue_id: uuid.UUID, *,
    status: int = 200, error: str | None = None, values: dict[str, Any] | None = None,
) -> Any:  # fmt: skip
    user, site = _board(request)
    item = await _board_item(backends, user, site, f"/dialogues/{dialogue_id}")
    questions = await _call(backends, user, "GET", f"/dialogues/{dialogue_id}/questions")
    return page(request, "participation_dialogue.html", status, item=item, questions=questions,
                 error=error, values=values or {})  # fmt: skip


@get("/doi-thoai/{dialogue_id:uuid}")
async def dialogue(
    dialogue_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    return await _dialogue_page(request, backends, dialogue_id)


_DIALOGUE_DONE = {
    "answer": "Đã đăng câu trả lời.",
    "end": "Đã kết thúc buổi đối thoại.",
    "transcript": "Đã đăng biên bản buổi đối thoại.",
}


@post("/doi-thoai/{dialogue_id:uuid}")
async def dialogue_act(
    dialogue_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user, _ = _board(request)
    form = await request.form()
    action = _text(form, "action", 20)
    base = f"/dialogues/{dialogue_id}"
    values: dict[str, Any] = {"action": action}
    try:
        if action == "answer":
            question_id = _text(form, "question_id", 40).strip()
            try:
                question_id = str(uuid.UUID(question_id))
            except ValueError:
                flash(request, "Không có câu hỏi này trong buổi đối thoại.", "error")
                return Redirect(f"/admin/doi-thoai/{dialogue_id}")
            values |= {"question_id": question_id, "answer_html": _text(form, "answer_html",
                                                                          100_000)}  # fmt: skip
            await _call(backends, user, "POST", f"{base}/questions/{question_id}/answer",
                        json={"answer_html": values["answer_html"]})  # fmt: skip
        elif action == "end":
            await _call(backends, user, "POST", f"{base}/end")
        elif action == "transcript":
            values["note"] = _text(form, "note", 5000)
            await _call(backends, user, "POST", f"{base}/transcript", json={"note": values["note"]})
        else:
            flash(request, "Thao tác không hợp lệ.", "error")
            return Redirect(f"/admin/doi-thoai/{dialogue_id}")
    except BackendError as exc:
        _reraise(exc)
        return await _dialogue_page(request, backends, dialogue_id, status=exc.status,
                                    error=message(exc), values=values)  # fmt: skip
    flash(request, _DIALOGUE_DONE[action])
    return Redirect(f"/admin/doi-thoai/{dialogue_id}")


# --- ratings ---------------------------------------------------------------------------------


@get("/hoi-dap/danh-gia")
async def ratings(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Any:
    user, site = _board(request)
    first = request.query_params.get("from", "")[:10]
    last = request.query_params.get("to", "")[:10]
    report, error = None, None
    try:
        report = await _call(backends, user, "GET", "/ratings",
                             params={"tenant": site, "from": first, "to": last})  # fmt: skip
    except BackendError as exc:
        if exc.status in (401, 403):
            raise
        error = message(exc)
    return page(request, "participation_ratings.html", 400 if error else 200, report=report,
                 error=error, first=first, last=last, scores=SCORES,
                 average_label=average_label)  # fmt: skip


ROUTES = [
    consultations_list,
    consultation_create,
    consultation,
    moderate,
    consultation_report,
    dialogues_list,
    dialogue_schedule,
    dialogue,
    dialogue_act,
    ratings,
]
