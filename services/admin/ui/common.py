"""What every screen of the editors' UI shares: the signed-in session, the site and
role being worked on, flash messages, the page frame, Hanoi times, and the owning
services' refusals said in Vietnamese. No screen's rule lives here: labels, allowed
actions and grounds come from the services' APIs with the data they describe.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException
from litestar.response import Redirect, Template

from contracts.content import KIND_LABELS_VI
from runtime.auth import ROLE_LABELS_VI, Role
from runtime.settings import Settings
from services.admin.ui.backends import BackendError, Backends

HERE = Path(__file__).parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)
#: The browser's proof that it logged into the account before (services/admin/throttle.py).
DEVICE_COOKIE = "portal_device"
#: Set in the session to give it a new id when it is stored (app.RotatingSessionBackend).
ROTATE = "_rotate_id"


# --- session ----------------------------------------------------------------------


def current(request: Request[Any, Any, Any]) -> dict[str, Any] | None:
    user = request.session.get("user") if request.session else None
    return user if isinstance(user, dict) and user.get("token") else None


def signed_in(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The signed-in editor; otherwise a 401 that the router turns into the login page."""
    user = current(request)
    if user is None:
        raise HTTPException(status_code=401, detail="Phiên đăng nhập đã hết.")
    return user


def site_of(request: Request[Any, Any, Any], user: dict[str, Any]) -> str:
    """The site the editor works on: ?site=, else the last one, else their first."""
    wanted = request.query_params.get("site") or request.session.get("site")
    sites = list(user["roles"]) or (["hanoi"] if user.get("operator") else [])
    if wanted and (wanted in user["roles"] or user.get("operator")):
        site = wanted
    elif sites:
        site = sites[0]
    else:
        raise HTTPException(status_code=403, detail="Tài khoản chưa được giao trang nào.")
    request.session["site"] = site
    return site


def role_on(user: dict[str, Any], site: str) -> int:
    """The signed-in user's role on a site, to choose what to offer (the APIs decide)."""
    if user.get("operator"):
        return Role.tenant_admin
    name = user["roles"].get(site)
    return Role[name] if name else 0


def cookie_name(settings: Settings, name: str) -> str:
    """`__Host-` names where cookies are secure: the browser then keeps them to exactly
    this host and path "/", set only over HTTPS, so no other site of ours (nor a
    sibling subdomain) can set or overwrite them. (Plain HTTP on a developer's machine
    cannot hold such cookies.)"""
    return f"__Host-{name}" if settings.secure_cookies else name


def flash(request: Request[Any, Any, Any], message: str, kind: str = "ok") -> None:
    messages = list(request.session.get("flash", []))
    messages.append({"kind": kind, "text": message})
    request.session["flash"] = messages[-5:]


def page(
    request: Request[Any, Any, Any], template: str, status: int = 200, **context: Any
) -> Template:
    user = current(request)
    site = request.session.get("site") if user else None
    messages = request.session.pop("flash", []) if request.session else []
    return Template(
        template_name=template,
        status_code=status,
        media_type=MediaType.HTML,
        context={
            "user": user,
            "site": site,
            "role": role_on(user, site) if user and site else 0,
            "Role": Role,
            "messages": messages,
            "kind_labels": KIND_LABELS_VI,
            "role_labels": {r.name: label for r, label in ROLE_LABELS_VI.items()},
            "vn_time": vn_time,
            "vn_date": vn_date,
            **context,
        },
        headers={"content-security-policy": CSP, "cache-control": "no-store"},
    )


def safe_next(value: str | None) -> str:
    return value if value and re.fullmatch(r"/admin(/[A-Za-z0-9/_.-]*)?", value) else "/admin/"


def to_login(request: Request[Any, Any, Any]) -> Redirect:
    if current(request) is not None:  # its token was refused: the session is over
        request.session.clear()
    return Redirect("/admin/dang-nhap?next=" + safe_next(str(request.url.path)))


# --- the sites ---------------------------------------------------------------------------


async def sites_by_slug(backends: Backends) -> dict[str, dict[str, Any]]:
    """Every site as admin lists them (public, the same for everyone), by slug: a
    screen that offers sites or names them reads them here, kept a minute."""
    listed = await backends.words("admin", "/api/v1/tenants")
    return {t["slug"]: t for t in listed}


def site_link(backends: Backends, site: dict[str, Any] | None, path: str | None) -> str | None:
    """The public address of `path` on `site` (its own host), for a link out of the UI."""
    if not site or not path:
        return None
    return backends.settings.site_url(site["slug"], site["domain"]).rstrip("/") + path


# --- Hanoi time -------------------------------------------------------------------------


def vn_time(value: str | datetime | None) -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(VN).strftime("%d/%m/%Y %H:%M:%S")


def vn_date(value: str | date | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(VN).date()
    return f"{value:%d/%m/%Y}"


def local_input(value: str) -> datetime | None:
    """A `datetime-local` field, read as Hanoi time."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=VN)
    except ValueError:
        raise BackendError(422, "Giờ đăng không đúng định dạng.") from None


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}".replace(".", ",") + " %" if whole else "—"


# --- the services' refusals ---------------------------------------------------------------

#: The request fields the APIs name when they refuse one, in the words of the forms.
FIELD_LABELS = {
    "note": "Nội dung",
    "reason": "Lý do",
    "title": "Tiêu đề",
    "body_html": "Nội dung mẫu",
    "answer_html": "Câu trả lời",
    "html": "Câu trả lời",
    "competent_body": "Cơ quan có thẩm quyền",
    "unit": "Đơn vị trả lời",
    "field": "Lĩnh vực",
    "answer_by": "Ngày hẹn trả lời",
    "kind": "Loại ngày",
    "day": "Ngày",
    "version": "Phiên bản",
    "question_ids": "Các câu hỏi đã chọn",
    "template_id": "Mẫu trả lời",
    "tenant": "Trang",
    "category": "Chuyên mục",
    "targets": "Trang nhận",
    "article_id": "Bài",
    "name": "Tên",
    "description": "Mô tả",
    "sites": "Trang",
    "topics": "Loại tin",
    "url": "Địa chỉ webhook",
    "since": "Gửi lại từ lúc",
}

_PYDANTIC = [
    (re.compile(r"String should have at most (\d+) characters?"), "dài quá {0} ký tự"),
    (re.compile(r"String should have at least (\d+) characters?"), "cần ít nhất {0} ký tự"),
    (re.compile(r"List should have at most (\d+) items?"), "chọn quá {0} mục"),
    (re.compile(r"List should have at least (\d+) items?"), "cần chọn ít nhất {0} mục"),
    (re.compile(r"Field required"), "chưa điền"),
    (re.compile(r"String should match pattern"), "không đúng định dạng"),
    (re.compile(r"Input should be a valid date"), "không phải ngày hợp lệ"),
    (re.compile(r"Input should be a valid UUID"), "không phải mã hợp lệ"),
    (re.compile(r"Input should be"), "không phải giá trị được chấp nhận"),
]


def api_message(exc: BackendError) -> str:
    """The service's Vietnamese message; a request the API's schema refused (400 with
    the list of fields) is told field by field in Vietnamese."""
    errors = exc.extra.get("errors")
    if exc.status != 400 or not isinstance(errors, list) or not errors:
        return exc.message
    parts = []
    for error in errors[:5]:
        if not isinstance(error, dict):
            continue
        text = str(error.get("message", ""))
        if text.startswith("Value error, "):
            said = text.removeprefix("Value error, ")
        else:
            said = next(
                (
                    vi.format(*m.groups())
                    for pattern, vi in _PYDANTIC
                    if (m := pattern.search(text))
                ),
                "không hợp lệ",
            )
        key = str(error.get("key", ""))
        label = FIELD_LABELS.get(key.split(".")[0])
        parts.append(f"{label}: {said}" if label else said)
    return "Thông tin chưa hợp lệ. " + "; ".join(dict.fromkeys(parts)) + "."


def refusal(exc: BackendError) -> str:
    """What to tell the editor of a refused call; an expired session (401) is not a
    refusal but a sign-in, handled by backend_error."""
    if exc.status == 401:
        raise exc
    return api_message(exc)


async def button(
    request: Request[Any, Any, Any], call: Awaitable[Any], done: str, to: str
) -> Redirect:
    """A form's button that makes one API call: say what was done, or the API's refusal,
    and go back to `to`."""
    try:
        await call
    except BackendError as exc:
        flash(request, refusal(exc), "error")
    else:
        flash(request, done)
    return Redirect(to)


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if exc.status_code == 401:
        return to_login(request)
    return page(request, "error.html", exc.status_code, message=exc.detail)


def backend_error(request: Request[Any, Any, Any], exc: BackendError) -> Response[Any]:
    if exc.status == 401:
        return to_login(request)
    return page(request, "error.html", exc.status, message=exc.message)
