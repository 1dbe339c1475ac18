"""The editors' UI screens on feedback's API for citizens' questions (hỏi đáp): the
queue of a site, one question with the actions the caller may take, bulk answers
from templates, the templates themselves, the official working-day calendar
(operators), and the dashboard with its exports.

Like every screen here it holds no rules of its own: statuses, deadlines, allowed
actions and counters come in feedback's words with the data (`status_label`,
`deadline_label`, `allowed_actions`, the reports' `/labels`), and forms go to its API
with the signed-in editor's token, so a form shown by mistake still cannot do what
the API refuses.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from datetime import date, datetime
from typing import Any

from litestar import MediaType, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import FromPath
from litestar.response import Redirect

from runtime.auth import Role
from services.admin.ui.backends import BackendError, Backends
from services.admin.ui.charts import Chart, bar_chart
from services.admin.ui.common import (
    VN,
    api_message,
    flash,
    page,
    percent,
    role_on,
    signed_in,
    site_of,
    vn_date,
    vn_time,
)

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
LIST_LIMIT = 200


# --- presentation (pure) ------------------------------------------------------------


def _parse_day(text: str) -> date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


# --- helpers ------------------------------------------------------------------------------


def _context(**values: Any) -> dict[str, Any]:
    return {"vn_time": vn_time, "vn_date": vn_date, **values}


def _page(request: Request[Any, Any, Any], name: str, status: int = 200, **values: Any) -> Any:
    return page(request, name, status, **_context(**values))


async def _templates(backends: Backends, token: str, tenants: list[str]) -> list[dict[str, Any]]:
    """Answer templates of the sites the caller edits among `tenants` (none otherwise)."""
    found: dict[str, dict[str, Any]] = {}
    for tenant in dict.fromkeys(tenants):
        try:
            listed = await backends.call(
                "feedback", "GET", "/api/v1/feedback/templates", token=token,
                params={"tenant": tenant},
            )  # fmt: skip
        except BackendError as exc:
            if exc.status in (401, 503):
                raise
            continue
        found.update({t["id"]: t for t in listed})
    return list(found.values())


def _ids(values: list[str]) -> list[str]:
    """Checked boxes, as the ids they claim to be (the API checks each one)."""
    return [v.strip()[:40] for v in values if v.strip()][:1000]


# --- the queue -----------------------------------------------------------------------------


@get("/hoi-dap")
async def queue(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Any:
    user = signed_in(request)
    site = site_of(request, user)
    status = request.query_params.get("status", "")
    overdue = request.query_params.get("overdue") == "1"
    try:
        offset = max(0, min(1_000_000, int(request.query_params.get("offset", "0"))))
    except ValueError:
        offset = 0
    questions: list[dict[str, Any]] = []
    statuses: list[dict[str, str]] = []
    error = None
    try:
        statuses = await backends.words("feedback", "/api/v1/feedback/questions/statuses")
        status = status if status in {s["value"] for s in statuses} else ""
        questions = await backends.call(
            "feedback", "GET", "/api/v1/feedback/questions", token=user["token"],
            params={"tenant": site, "status": status, "overdue": "true" if overdue else None,
                    "limit": LIST_LIMIT, "offset": offset},
        )  # fmt: skip
    except BackendError as exc:
        if exc.status == 401:
            raise
        error = api_message(exc)
    templates = await _templates(backends, user["token"], [site]) if not error else []
    return _page(
        request, "feedback_queue.html", questions=questions, templates=templates, error=error,
        status=status, overdue=overdue, statuses=statuses, offset=offset,
        more=len(questions) == LIST_LIMIT, limit=LIST_LIMIT,
        sites=sorted(user["roles"]) or ["hanoi"],
    )  # fmt: skip


@post("/hoi-dap/hang-loat")
async def bulk(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Any:
    user = signed_in(request)
    site = site_of(request, user)
    form = await request.form()
    action = str(form.get("action", ""))
    ids = _ids([str(v) for v in form.getall("question_id", [])])
    if not ids:
        flash(request, "Hãy đánh dấu ít nhất một câu hỏi.", "error")
        return Redirect("/admin/hoi-dap")
    try:
        if action == "draft":
            template_id = str(form.get("template_id", "")).strip()[:40]
            if not template_id:
                flash(request, "Hãy chọn mẫu trả lời.", "error")
                return Redirect("/admin/hoi-dap")
            done = await backends.call(
                "feedback", "POST", "/api/v1/feedback/questions/bulk-draft", token=user["token"],
                json={"tenant": site, "question_ids": ids, "template_id": template_id},
            )  # fmt: skip
            flash(request, f"Đã soạn trả lời theo mẫu cho {done['count']} câu hỏi.")
        elif action == "approve":
            done = await backends.call(
                "feedback", "POST", "/api/v1/feedback/questions/bulk-approve",
                token=user["token"], json={"tenant": site, "question_ids": ids},
            )  # fmt: skip
            flash(request, f"Đã duyệt và đăng {done['count']} câu trả lời.")
        else:
            flash(request, "Hãy chọn trả lời hàng loạt hoặc duyệt hàng loạt.", "error")
    except BackendError as exc:
        if exc.status == 401:
            raise
        failed = exc.extra.get("failed") if isinstance(exc.extra.get("failed"), list) else []
        reasons = "; ".join(str(f.get("reason", "")) for f in failed[:10] if isinstance(f, dict))
        flash(request, api_message(exc) + (f" Chi tiết: {reasons}" if reasons else ""), "error")
    return Redirect("/admin/hoi-dap")


# --- one question --------------------------------------------------------------------------


async def _question_page(
    request: Request[Any, Any, Any],
    backends: Backends,
    question_id: uuid.UUID,
    *,
    status: int = 200,
    error: str | None = None,
    values: dict[str, Any] | None = None,
) -> Any:
    user = signed_in(request)
    token = user["token"]
    question = await backends.call(
        "feedback", "GET", f"/api/v1/feedback/questions/{question_id}", token=token
    )
    actions = question["allowed_actions"]
    editable = [
        t
        for t in (question.get("unit"), question["tenant"])
        if t and role_on(user, t) >= Role.editor
    ]
    templates = await _templates(backends, token, editable) if "draft" in actions else []
    values = dict(values or {})
    chosen = request.query_params.get("mau", "")
    if "answer_html" not in values:
        values["answer_html"] = question.get("answer_html") or ""
        template = next((t for t in templates if t["id"] == chosen), None)
        if template:
            values["answer_html"] = template["body_html"]
    tenants: list[dict[str, Any]] = []
    if "classify" in actions:
        listed = await backends.call("admin", "GET", "/api/v1/tenants")
        tenants = [t for t in listed if t.get("active", True)]
    return _page(
        request, "feedback_question.html", status, q=question, actions=actions,
        templates=templates, tenants=tenants, error=error, values=values, chosen=chosen,
        min_day=datetime.now(VN).date().isoformat(),
    )  # fmt: skip


@get("/hoi-dap/{question_id:uuid}")
async def question(
    question_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    return await _question_page(request, backends, question_id)


_DONE = {
    "classify": "Đã phân loại và chuyển đơn vị trả lời.",
    "out_of_scope": "Đã trả lời người gửi: không thuộc phạm vi.",
    "clarify": "Đã gửi đề nghị bổ sung; thời hạn tạm dừng đến khi người gửi trả lời.",
    "extend": "Đã gửi thông báo tiến độ và ngày hẹn trả lời.",
    "draft": "Đã lưu câu trả lời, chờ Ban Biên tập duyệt.",
    "return": "Đã trả lại để đơn vị sửa câu trả lời.",
    "approve": "Đã duyệt; câu trả lời được đăng và người gửi được báo tin.",
}


def _body(action: str, form: Any) -> dict[str, Any] | None:
    def text(name: str, limit: int = 100_000) -> str:
        return str(form.get(name, ""))[:limit]

    if action == "classify":
        field = text("field", 200).strip()
        return {"unit": text("unit", 60).strip(), "field": field or None}
    if action == "out_of_scope":
        return {"note": text("note"), "competent_body": text("competent_body", 400)}
    if action in ("clarify", "return"):
        return {"note": text("note")}
    if action == "extend":
        return {"answer_by": text("answer_by", 20).strip() or None, "reason": text("reason")}
    if action == "draft":
        return {"answer_html": text("answer_html", 200_000)}
    if action == "approve":
        return {}
    return None


_PATHS = {"out_of_scope": "out-of-scope"}


@post("/hoi-dap/{question_id:uuid}")
async def act(
    question_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    form = await request.form()
    action = str(form.get("action", ""))
    body = _body(action, form)
    if body is None:
        flash(request, "Thao tác không hợp lệ.", "error")
        return Redirect(f"/admin/hoi-dap/{question_id}")
    try:
        await backends.call(
            "feedback", "POST",
            f"/api/v1/feedback/questions/{question_id}/{_PATHS.get(action, action)}",
            token=user["token"], json=body or None,
        )  # fmt: skip
    except BackendError as exc:
        if exc.status in (401, 404):
            raise
        # The page again, with what was typed kept in the form that failed.
        kept = {k: str(v) for k, v in body.items() if v is not None}
        return await _question_page(
            request, backends, question_id, status=exc.status, error=api_message(exc),
            values={"action": action, **kept},
        )  # fmt: skip
    flash(request, _DONE[action])
    return Redirect(f"/admin/hoi-dap/{question_id}")


# --- templates -------------------------------------------------------------------------------


@get("/hoi-dap/mau")
async def templates_list(
    request: Request[Any, Any, Any], backends: NamedDependency[Backends]
) -> Any:
    user = signed_in(request)
    site = site_of(request, user)
    listed, error = [], None
    try:
        listed = await backends.call(
            "feedback", "GET", "/api/v1/feedback/templates", token=user["token"],
            params={"tenant": site},
        )  # fmt: skip
    except BackendError as exc:
        if exc.status == 401:
            raise
        error = api_message(exc)
    return _page(request, "feedback_templates.html", templates=listed, error=error, values={})


@post("/hoi-dap/mau")
async def template_create(
    request: Request[Any, Any, Any], backends: NamedDependency[Backends]
) -> Any:
    user = signed_in(request)
    site = site_of(request, user)
    form = await request.form()
    values = {
        "title": str(form.get("title", ""))[:1000],
        "body_html": str(form.get("body_html", ""))[:200_000],
    }
    try:
        await backends.call(
            "feedback", "POST", "/api/v1/feedback/templates", token=user["token"],
            json={"tenant": site, **values},
        )  # fmt: skip
    except BackendError as exc:
        if exc.status == 401:
            raise
        listed = []
        with contextlib.suppress(BackendError):
            listed = await backends.call(
                "feedback", "GET", "/api/v1/feedback/templates", token=user["token"],
                params={"tenant": site},
            )  # fmt: skip
        return _page(
            request, "feedback_templates.html", exc.status, templates=listed,
            error=api_message(exc), values=values,
        )  # fmt: skip
    flash(request, f"Đã thêm mẫu “{' '.join(values['title'].split())}”.")
    return Redirect("/admin/hoi-dap/mau")


@get("/hoi-dap/mau/{template_id:uuid}")
async def template_form(
    template_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    template = await backends.call(
        "feedback", "GET", f"/api/v1/feedback/templates/{template_id}", token=user["token"]
    )
    return _page(request, "feedback_template.html", item=template, values=template)


@post("/hoi-dap/mau/{template_id:uuid}")
async def template_change(
    template_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    form = await request.form()
    url = f"/api/v1/feedback/templates/{template_id}"
    values: dict[str, Any] = {
        "title": str(form.get("title", ""))[:1000],
        "body_html": str(form.get("body_html", ""))[:200_000],
    }
    try:
        if form.get("action") == "delete":
            await backends.call("feedback", "DELETE", url, token=user["token"])
            flash(request, "Đã xoá mẫu trả lời.")
            return Redirect("/admin/hoi-dap/mau")
        version = str(form.get("version", ""))[:12]
        await backends.call(
            "feedback", "PUT", url, token=user["token"],
            json={**values, "version": int(version) if version.isdigit() else version},
        )  # fmt: skip
    except BackendError as exc:
        if exc.status in (401, 404):
            raise
        template = await backends.call("feedback", "GET", url, token=user["token"])
        return _page(
            request, "feedback_template.html", exc.status, item=template, values=values,
            error=api_message(exc),
        )  # fmt: skip
    flash(request, "Đã lưu mẫu trả lời.")
    return Redirect("/admin/hoi-dap/mau")


# --- the official calendar (operators) -------------------------------------------------------


def _operator(user: dict[str, Any]) -> None:
    if not user.get("operator"):
        raise HTTPException(
            status_code=403, detail="Chỉ người vận hành cổng mới sửa được lịch làm việc."
        )


@get("/lich-lam-viec")
async def calendar(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Any:
    user = signed_in(request)
    _operator(user)
    year = datetime.now(VN).year
    with contextlib.suppress(ValueError):
        year = min(2100, max(2000, int(request.query_params.get("year", year))))
    data = await backends.call("feedback", "GET", "/api/v1/feedback/calendar",
                               params={"year": year})  # fmt: skip
    for item in [*data["holidays"], *data["adjustments"]]:
        item["weekday"] = WEEKDAYS[date.fromisoformat(item["day"]).weekday()]
    return _page(request, "feedback_calendar.html", data=data, year=year, kinds=data["kinds"],
                 values={})  # fmt: skip


@post("/lich-lam-viec")
async def calendar_change(
    request: Request[Any, Any, Any], backends: NamedDependency[Backends]
) -> Any:
    user = signed_in(request)
    _operator(user)
    form = await request.form()
    day = _parse_day(str(form.get("day", ""))[:20])
    if day is None:
        flash(request, "Ngày không hợp lệ (dạng năm-tháng-ngày).", "error")
        return Redirect("/admin/lich-lam-viec")
    url = f"/api/v1/feedback/calendar/{day.isoformat()}"
    try:
        if form.get("action") == "remove":
            await backends.call("feedback", "DELETE", url, token=user["token"])
            flash(request, f"Đã bỏ điều chỉnh ngày {day:%d/%m/%Y}.")
        else:
            kind = str(form.get("kind", ""))[:20]
            done = await backends.call(
                "feedback", "PUT", url, token=user["token"],
                json={"kind": kind, "reason": str(form.get("reason", ""))[:1000]},
            )  # fmt: skip
            flash(request, f"Đã ghi {done['kind_label'].lower()} {day:%d/%m/%Y}.")
    except BackendError as exc:
        if exc.status == 401:
            raise
        flash(request, api_message(exc), "error")
    return Redirect(f"/admin/lich-lam-viec?year={day.year}")


# --- the dashboard ----------------------------------------------------------------------------


def _period(request: Request[Any, Any, Any]) -> tuple[date, date]:
    today = datetime.now(VN).date()
    start = _parse_day(request.query_params.get("from", "")[:20]) or date(today.year, 1, 1)
    end = _parse_day(request.query_params.get("to", "")[:20]) or today
    return (start, end) if start <= end else (end, start)


async def _sees_city(backends: Backends, user: dict[str, Any]) -> bool:
    """Whether to offer the city-wide report: operators, and the board of the city's
    own portal (the API decides; this only chooses what to offer)."""
    if user.get("operator"):
        return True
    tenants = await backends.call("admin", "GET", "/api/v1/tenants")
    return any(
        t.get("kind") == "city" and role_on(user, t["slug"]) >= Role.board_member for t in tenants
    )


async def _scope(
    request: Request[Any, Any, Any], backends: Backends, user: dict[str, Any]
) -> tuple[str | None, bool]:
    """(the site reported on, or None for the whole city; whether the city is offered)."""
    site = site_of(request, user)
    city = await _sees_city(backends, user)
    if city and request.query_params.get("pham_vi") == "thanh-pho":
        return None, city
    return site, city


def _month_label(month: str) -> str:
    year, _, number = month.partition("-")
    return f"T{int(number)}/{year[2:]}" if number.isdigit() else month


@get("/hoi-dap/bao-cao")
async def reports(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Any:
    user = signed_in(request)
    tenant, can_city = await _scope(request, backends, user)
    start, end = _period(request)
    params = {"tenant": tenant, "from": start.isoformat(), "to": end.isoformat()}
    report, error = None, None
    try:
        report = await backends.call(
            "feedback", "GET", "/api/v1/feedback/reports", token=user["token"], params=params
        )
    except BackendError as exc:
        if exc.status == 401:
            raise
        error = api_message(exc)
    charts: dict[str, Chart] = {}
    counters: dict[str, str] = {}
    if report:
        counters = await backends.words("feedback", "/api/v1/feedback/reports/labels")
        months = report.get("by_month") or []
        if months:
            charts["month"] = bar_chart(
                [_month_label(m["month"]) for m in months],
                [("Tiếp nhận", [m["received"] for m in months]),
                 ("Đã trả lời", [m["answered"] for m in months]),
                 ("Trả lời đúng hạn", [m["answered_on_time"] for m in months])],
            )  # fmt: skip
        sites = sorted(report.get("by_tenant") or [], key=lambda t: -t["received"])[:15]
        if len(sites) > 1:
            charts["tenant"] = bar_chart(
                [t["tenant"] for t in sites],
                [("Tiếp nhận", [t["received"] for t in sites]),
                 ("Trả lời đúng hạn", [t["answered_on_time"] for t in sites]),
                 ("Đang quá hạn", [t["overdue_now"] for t in sites])],
            )  # fmt: skip
    query = "&".join(f"{k}={v}" for k, v in params.items() if v)
    today = datetime.now(VN).date()
    return _page(
        request, "feedback_reports.html", report=report, error=error, charts=charts,
        counters=counters, percent=percent, start=start, end=end,
        tenant=tenant, query=query,
        city=tenant is None, can_city=can_city,
        periods=[
            ("6 tháng đầu năm", date(today.year, 1, 1), date(today.year, 6, 30)),
            ("6 tháng cuối năm", date(today.year, 7, 1), date(today.year, 12, 31)),
            (f"Cả năm {today.year}", date(today.year, 1, 1), date(today.year, 12, 31)),
            (f"Cả năm {today.year - 1}", date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
        ],
    )  # fmt: skip


@get("/hoi-dap/bao-cao/tai-ve")
async def reports_download(
    request: Request[Any, Any, Any], backends: NamedDependency[Backends]
) -> Any:
    user = signed_in(request)
    fmt = request.query_params.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        raise HTTPException(status_code=400, detail="Chỉ tải được dạng XLSX hoặc CSV.")
    start, end = _period(request)
    tenant = request.query_params.get("tenant") or None
    if tenant is None and not await _sees_city(backends, user):
        tenant = site_of(request, user)
    if tenant is not None and not re.fullmatch(r"[a-z0-9-]{1,50}", tenant):
        raise HTTPException(status_code=400, detail="Mã trang không hợp lệ.")
    response = await backends.call(
        "feedback", "GET", "/api/v1/feedback/reports/export", token=user["token"], raw=True,
        params={"format": fmt, "tenant": tenant, "from": start.isoformat(), "to": end.isoformat()},
    )  # fmt: skip
    name = f"hoi-dap-{tenant or 'ha-noi'}-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
    return Response(
        response.content,
        media_type=response.headers.get("content-type", MediaType.TEXT),
        headers={
            "content-disposition": response.headers.get(
                "content-disposition", f'attachment; filename="{name}"'
            ),
            "cache-control": "no-store",
        },
    )


ROUTES = [
    queue,
    bulk,
    templates_list,
    template_create,
    template_form,
    template_change,
    reports,
    reports_download,
    question,
    act,
    calendar,
    calendar_change,
]
