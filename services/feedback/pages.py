"""feedback's citizen pages on every site, in Vietnamese: the question form, the
email-link confirmation and clarification reply, the status by tracking code, and the
published answers.

The gateway routes `/hoi-dap...` here and says which site a request is for in
`x-portal-tenant` (it resolved the Host header; it drops any such header a client
sends). Without the gateway (tests, a direct call) the Host header is used.

Pages with forms or personal status are never stored by a cache; forms are plain
HTML that work without JavaScript. Confirmation links are opened with a button
(POST), so a mail scanner that follows links cannot confirm on the citizen's behalf.

    /hoi-dap                     published answers, with a text filter (?q=, ?trang=)
    /hoi-dap/gui                 the form (GET) and its submission (POST)
    /hoi-dap/xac-nhan/{token}    confirm a submission (GET shows a button, POST confirms)
    /hoi-dap/bo-sung/{token}     reply to a request for clarification
    /hoi-dap/tra-cuu?ma=         status by tracking code
    /hoi-dap/{code}              a published answer
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import MediaType, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath
from pydantic import ValidationError
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from runtime.service import Service
from runtime.tenancy import BadHost, classify_host
from services.feedback import commands, store
from services.feedback.abuse import Guard, TooMany
from services.feedback.api import SubmissionIn, client_ip, take_submission
from services.feedback.calendar import TZ, Now
from services.feedback.domain import FIELDS, KIND_VI, Invalid, NotAllowed, normalise_code

templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
PAGE_SIZE = 20
MAX_FORM_BYTES = 25 * 1024 * 1024
NO_STORE = {"cache-control": "no-store", "x-content-type-options": "nosniff"}
#: Published answers change rarely; a short private lifetime keeps them fresh.
SHORT = {"cache-control": "public, max-age=60", "x-content-type-options": "nosniff"}

LABELS = {
    "kind": "Loại nội dung", "field": "Lĩnh vực", "title": "Tiêu đề", "text": "Nội dung",
    "name": "Họ và tên", "email": "Email", "phone": "Số điện thoại", "website": "Ô để trống",
    "attachments": "Tệp đính kèm",
}  # fmt: skip


@dataclass(frozen=True)
class Site:
    slug: str
    name: str
    domain: str


# --- helpers ---------------------------------------------------------------------------------


def hanoi(moment: datetime | None) -> str:
    """A moment as citizens read it: 14:05 ngày 24/11/2026 (Hanoi time)."""
    if moment is None:
        return ""
    return moment.astimezone(TZ).strftime("%H:%M ngày %d/%m/%Y")


def hanoi_day(moment: datetime | None) -> str:
    return moment.astimezone(TZ).strftime("%d/%m/%Y") if moment else ""


def page(
    name: str, site: Site, *, status: int = 200, cache: dict[str, str] = NO_STORE, **context: Any
) -> Response[str]:
    body = templates.get_template(name).render(site=site, **context)
    return Response(body, status_code=status, media_type=MediaType.HTML, headers=cache)


def message(
    site: Site, title: str, lines: Iterable[str], *, status: int = 200, **context: Any
) -> Response[str]:
    return page("message.html", site, status=status, title=title, lines=list(lines),
                noindex=True, **context)  # fmt: skip


def unknown_site() -> Response[str]:
    body = (
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        "<title>Không tìm thấy trang thông tin điện tử</title></head><body><main>"
        "<h1>Không tìm thấy trang thông tin điện tử</h1>"
        "<p>Tên miền này không thuộc Cổng Thông tin điện tử thành phố Hà Nội.</p>"
        "</main></body></html>"
    )
    return Response(body, status_code=404, media_type=MediaType.HTML, headers=NO_STORE)


async def find_site(session: AsyncSession, request: Request[Any, Any, Any]) -> Site | None:
    slug = request.headers.get("x-portal-tenant")
    row: Row | None = None
    if slug:
        row = await store.site(session, slug[:50])
    else:
        try:
            query = classify_host(request.headers.get("host", ""))
        except BadHost:
            return None
        if query.by == "slug":
            row = await store.site(session, query.value)
        elif query.by == "domain":
            row = await store.site_by_domain(session, query.value)
    if row is None or not row.active:
        return None
    return Site(row.slug, row.name, row.domain)


def vietnamese_errors(exc: ValidationError, labels: Mapping[str, str] = LABELS) -> list[str]:
    """Pydantic's complaints, said in Vietnamese, one per field (named by `labels`)."""
    out: list[str] = []
    for error in exc.errors(include_url=False):
        where = str(error["loc"][0]) if error["loc"] else ""
        label = labels.get(where, where)
        ctx = error.get("ctx") or {}
        kind = error["type"]
        if kind == "missing":
            text = f"{label}: xin điền mục này."
        elif kind == "string_too_short":
            text = f"{label}: quá ngắn, cần ít nhất {ctx.get('min_length')} ký tự."
        elif kind == "string_too_long":
            text = f"{label}: quá dài, tối đa {ctx.get('max_length')} ký tự."
        elif kind == "literal_error":
            text = f"{label}: lựa chọn không hợp lệ."
        elif kind == "value_error" and where == "email":
            text = "Email: địa chỉ email không hợp lệ."
        elif kind == "value_error":
            text = str(error["msg"]).removeprefix("Value error, ")
            text = text if not label else f"{label}: {text}" if where else text
        else:
            text = f"{label}: giá trị không hợp lệ." if label else "Dữ liệu không hợp lệ."
        if text not in out:
            out.append(text)
    return out


async def _site_or_none(service: Service, request: Request[Any, Any, Any]) -> Site | None:
    assert service.db
    async with service.db.read() as session:
        return await find_site(session, request)


# --- the answers ----------------------------------------------------------------------------


@get("/hoi-dap", exclude_from_auth=True, include_in_schema=False)
async def answers_index(
    request: Request[Any, Any, Any], service: NamedDependency[Service]
) -> Response[str]:
    site = await _site_or_none(service, request)
    if site is None:
        return unknown_site()
    q = " ".join(request.query_params.get("q", "").split())[:200]
    raw_page = request.query_params.get("trang", "1")
    if "\x00" in q or not raw_page.isdigit() or not 1 <= int(raw_page) <= 10_000:
        return message(site, "Yêu cầu không hợp lệ",
                       ["Từ khóa hoặc số trang không hợp lệ."], status=400)  # fmt: skip
    number = int(raw_page)
    assert service.db
    async with service.db.read() as session:
        total, rows = await store.published_answers(
            session, site.slug, q=q, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE
        )
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if number > pages:
        return message(site, "Không tìm thấy trang", ["Trang này không có."], status=404)

    def href(n: int) -> str:
        params = {k: v for k, v in (("q", q), ("trang", str(n) if n > 1 else "")) if v}
        return "/hoi-dap" + (f"?{urlencode(params)}" if params else "")

    answers = [
        {"code": r.code, "title": r.title, "field": r.field,
         "published": hanoi_day(r.published_at),
         "on_time": r.answer_due is None or r.published_at <= r.answer_due}
        for r in rows
    ]  # fmt: skip
    return page(
        "index.html", site, cache=SHORT, title="Hỏi đáp", section="hoi-dap", q=q, total=total,
        answers=answers, canonical="/hoi-dap", crumbs=[("Hỏi đáp", None)],
        prev_href=href(number - 1) if number > 1 else None,
        next_href=href(number + 1) if number < pages else None, noindex=bool(q),
    )  # fmt: skip


@get("/hoi-dap/{code:str}", exclude_from_auth=True, include_in_schema=False)
async def answer_page(
    code: FromPath[str], request: Request[Any, Any, Any], service: NamedDependency[Service]
) -> Response[str]:
    site = await _site_or_none(service, request)
    if site is None:
        return unknown_site()
    canonical = normalise_code(code[:40])
    missing = ["Không có câu trả lời đã đăng với mã này.",
               "Nếu Quý vị vừa gửi câu hỏi, xin tra cứu tình trạng bằng mã tra cứu."]  # fmt: skip
    if canonical is None:
        return message(site, "Không tìm thấy câu trả lời", missing, status=404)
    assert service.db
    async with service.db.read() as session:
        row = await store.by_code(session, canonical)
        unit = await store.site(session, row.unit) if row is not None and row.unit else None
    if row is None or row.tenant != site.slug or row.status != "published":
        return message(site, "Không tìm thấy câu trả lời", missing, status=404)
    late = row.answer_due is not None and row.published_at > row.answer_due
    return page(
        "answer.html", site, cache=SHORT, title=row.title, q=row, kind_label=KIND_VI[row.kind],
        question_paras=[p for p in (row.published_question or "").split("\n") if p.strip()],
        answer_html=row.answer_html, received=hanoi_day(row.received_at),
        published=hanoi_day(row.published_at), late=late, due=hanoi(row.answer_due),
        unit_name=unit.name if unit is not None and unit.slug != site.slug else None,
        canonical=f"/hoi-dap/{row.code}", section="hoi-dap",
        crumbs=[("Hỏi đáp", "/hoi-dap"), (row.title, None)],
        description=(row.published_question or row.title)[:160],
    )  # fmt: skip


# --- the form --------------------------------------------------------------------------------


def _form_page(
    site: Site, form: dict[str, Any], errors: Sequence[str], status: int
) -> Response[str]:
    return page("form.html", site, status=status, title="Gửi câu hỏi, phản ánh", section="gui",
                form=form, errors=errors, fields=FIELDS, noindex=True,
                crumbs=[("Hỏi đáp", "/hoi-dap"), ("Gửi câu hỏi", None)])  # fmt: skip


@get("/hoi-dap/gui", exclude_from_auth=True, include_in_schema=False)
async def form(request: Request[Any, Any, Any], service: NamedDependency[Service]) -> Response[str]:
    site = await _site_or_none(service, request)
    if site is None:
        return unknown_site()
    return _form_page(site, {}, [], 200)


@post(
    "/hoi-dap/gui", exclude_from_auth=True, include_in_schema=False,
    request_max_body_size=MAX_FORM_BYTES,
)  # fmt: skip
async def submit(
    request: Request[Any, Any, Any], service: NamedDependency[Service],
    guard: NamedDependency[Guard], now: NamedDependency[Now],
) -> Response[str]:  # fmt: skip
    site = await _site_or_none(service, request)
    if site is None:
        return unknown_site()
    ip = client_ip(request, service)
    try:
        await guard.before_reading(ip)
    except TooMany as exc:
        return _too_many(site, exc)
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        return _form_page(site, {}, ["Biểu mẫu gửi không đúng định dạng."], 415)
    raw = await request.form()
    fields = {k: v for k, v in raw.items() if isinstance(v, str)}
    uploads = [v for v in raw.getall("attachments", []) if isinstance(v, UploadFile) and v.filename]
    form = {k: fields.get(k, "") for k in LABELS}
    for optional in ("email", "phone"):  # an empty box means "not given"
        if fields.get(optional) == "":
            fields.pop(optional)
    try:
        data = SubmissionIn.model_validate({**fields, "tenant": site.slug})
    except ValidationError as exc:
        return _form_page(site, form, vietnamese_errors(exc), 422)
    try:
        code = await take_submission(
            service, guard, client_ip=ip, data=data, files=uploads, now=now()
        )
    except TooMany as exc:
        return _too_many(site, exc)
    except Invalid as exc:
        return _form_page(site, form, [str(exc)], 422)
    return _sent(site, code)


def _too_many(site: Site, exc: TooMany) -> Response[str]:
    response = message(site, "Xin thử lại sau", [exc.message], status=429)
    response.headers["retry-after"] = str(exc.retry_after)
    return response


def _sent(site: Site, code: str) -> Response[str]:
    return message(
        site, "Đã nhận, xin xác nhận qua email",
        ["Chúng tôi đã gửi thư có đường dẫn xác nhận tới email của Quý vị.",
         "Câu hỏi chỉ được tiếp nhận chính thức sau khi Quý vị mở đường dẫn đó và bấm "
         "“Xác nhận gửi”; thời hạn trả lời tính từ lúc ấy."],
        code=code or None, status=202,
    )  # fmt: skip


# --- links in the mail -----------------------------------------------------------------------


def _token_ok(token: str) -> bool:
    return 20 <= len(token) <= 100 and all(c.isalnum() or c in "-_" for c in token)


def _deadlines(view: dict[str, Any]) -> list[tuple[str, str]]:
    rows = [("Ngày nhận", view.get("received_at")),
            ("Hạn phân loại, chuyển xử lý", view.get("classification_due")),
            ("Hạn trả lời", view.get("answer_due"))]  # fmt: skip
    return [(label, hanoi(value)) for label, value in rows if value]


@get("/hoi-dap/xac-nhan/{token:str}", exclude_from_auth=True, include_in_schema=False)
async def confirm_form(
    token: FromPath[str], request: Request[Any, Any, Any], service: NamedDependency[Service]
) -> Response[str]:
    site = await _site_or_none(service, request)
    if site is None:
        return unknown_site()
    return page("confirm.html", site, title="Xác nhận gửi câu hỏi", noindex=True,
                lead="Bấm nút dưới đây để gửi chính thức câu hỏi, phản ánh của Quý vị.",
                action=f"/hoi-dap/xac-nhan/{token[:100]}", button="Xác nhận gửi")  # fmt: skip


@post("/hoi-dap/xac-nhan/{token:str}", exclude_from_auth=True, include_in_schema=False)
async def confirm(
    token: FromPath[str], request: Request[Any, Any, Any], service: NamedDependency[Service],
    now: NamedDependency[Now],
) -> Response[str]:  # fmt: skip
    site = await _site_or_none(service, request)
    if site is None:
        return unknown_site()
    used = [
        "Đường dẫn xác nhận không đúng hoặc đã được dùng.",
        "Nếu Quý vị đã xác nhận, xin tra cứu tình trạng bằng mã tra cứu trong thư.",
    ]
    if not _token_ok(token):
        return message(site, "Không xác nhận được", used, status=404)
    try:
        async with service.unit_of_work() as uow:
            row = await commands.confirm(uow, token, now())
            await uow.commit()
    except (commands.NotFound, NotAllowed):
        return message(site, "Không xác nhận được", used, status=404)
    view = commands.public_view(row, [])
    return message(
        site, "Đã tiếp nhận câu hỏi",
        ["Câu hỏi, phản ánh của Quý vị đã được tiếp nhận chính thức.",
         "Quý vị sẽ nhận email khi có câu trả lời; có thể tra cứu tình trạng bất cứ lúc nào."],
        code=row.code, deadlines=_deadlines(view),
        back_href=f"/hoi-dap/tra-cuu?ma={row.code}", back_label="Xem tình trạng",
    )  # fmt: skip


@get("/hoi-dap/bo-sung/{token:str}", exclude_from_auth=True, include_in_schema=False)
async def reply_form(
    token: FromPath[str], request: Request[Any, Any, Any], service: NamedDependency[Service]
) -> Response[str]:
    site = await _site_or_none(service, request)
    if site is None:
        return unknown_site()
    return _reply_page(site, token, "", [], 200)


def _reply_page(site: Site, token: str, text: str, errors: list[str], status: int) -> Response[str]:
    return page("confirm.html", site, status=status, title="Bổ sung thông tin", noindex=True,
                lead="Cơ quan trả lời đề nghị Quý vị bổ sung thông tin (xem thư đã nhận).",
                action=f"/hoi-dap/bo-sung/{token[:100]}", button="Gửi bổ sung", reply=True,
                text=text, errors=errors)  # fmt: skip


@post("/hoi-dap/bo-sung/{token:str}", exclude_from_auth=True, include_in_schema=False)
async def reply(
    token: FromPath[str], request: Request[Any, Any, Any], service: NamedDependency[Service],
    now: NamedDependency[Now],
) -> Response[str]:  # fmt: skip
    site = await _site_or_none(service, request)
    if site is None:
        return unknown_site()
    raw = await request.form()
    text = raw.get("text")
    text = text.strip() if isinstance(text, str) else ""
    if "\x00" in text or not 2 <= len(text) <= 10_000:
        return _reply_page(site, token, text[:10_000].replace("\x00", ""),
                           ["Nội dung bổ sung cần từ 2 đến 10.000 ký tự."], 422)  # fmt: skip
    gone = ["Đường dẫn bổ sung không đúng hoặc đã được dùng."]
    if not _token_ok(token):
        return message(site, "Không gửi được", gone, status=404)
    try:
        async with service.unit_of_work() as uow:
            row = await commands.citizen_reply(uow, token, text, now())
            await uow.commit()
    except (commands.NotFound, NotAllowed):
        return message(site, "Không gửi được", gone, status=404)
    return message(
        site, "Đã nhận thông tin bổ sung", ["Thời hạn trả lời được tính tiếp từ hôm nay."],
        code=row.code, back_href=f"/hoi-dap/tra-cuu?ma={row.code}", back_label="Xem tình trạng",
    )  # fmt: skip


# --- status by code --------------------------------------------------------------------------


@get("/hoi-dap/tra-cuu", exclude_from_auth=True, include_in_schema=False)
async def status(
    request: Request[Any, Any, Any], service: NamedDependency[Service]
) -> Response[str]:
    site = await _site_or_none(service, request)
    if site is None:
        return unknown_site()
    typed = request.query_params.get("ma", "")[:40]
    context: dict[str, Any] = {"title": "Tra cứu", "section": "tra-cuu", "noindex": True,
                               "code_input": typed.replace("\x00", ""),
                               "crumbs": [("Hỏi đáp", "/hoi-dap"), ("Tra cứu", None)]}  # fmt: skip
    if not typed:
        return page("status.html", site, **context)
    canonical = normalise_code(typed)
    if canonical is None:
        bad = "Mã tra cứu không hợp lệ: mã gồm 12 chữ và số, dạng XXXX-XXXX-XXXX."
        return page("status.html", site, status=400, errors=[bad], **context)
    assert service.db
    async with service.db.read() as session:
        row = await store.by_code(session, canonical)
        history = await store.history(session, row.id, public_only=True) if row else []
    if row is None or row.tenant != site.slug:
        unknown = f"Không tìm thấy câu hỏi có mã {canonical} trên trang này."
        return page("status.html", site, status=404, errors=[unknown], **context)
    view = commands.public_view(row, history)
    for key in ("received_at", "classification_due", "answer_due"):
        view[key] = hanoi(view[key])
    for h in view["history"]:
        h["at"] = hanoi(h["at"])
    return page("status.html", site, view=view, **context)


ROUTES = [
    answers_index, form, submit, status, confirm_form, confirm, reply_form, reply, answer_page,
]  # fmt: skip
