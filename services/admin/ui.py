"""The editors' admin UI: server-rendered Vietnamese pages under /admin.

A session (server side, cookie `portal_admin`) holds the editor's token from
login; every screen calls the owning service's API with it (backends.py), so the
UI can never allow what an API refuses. Forms carry a CSRF token; the only
scripts are our own files (rich text, live receipt, preview), so the pages keep
a strict Content-Security-Policy.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jwt
from litestar import MediaType, Request, Response, Router, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException
from litestar.params import FromPath
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router

from contracts.content import CONTENT_KINDS, KIND_LABELS_VI, LANGUAGES, VALIDITY_LABELS_VI
from runtime.auth import ROLE_LABELS_VI, TOKEN_TTL, Role
from runtime.clientip import client_key
from runtime.settings import Settings
from services.admin.backends import BackendError, Backends
from services.admin.throttle import DEVICE_DAYS, DEVICE_HEADER

HERE = Path(__file__).parent
VN = ZoneInfo("Asia/Ho_Chi_Minh")
STATE_LABELS = {
    "draft": "Bản nháp",
    "submitted": "Chờ duyệt",
    "rejected": "Bị trả lại",
    "scheduled": "Đã duyệt, chờ giờ đăng",
    "published": "Đã đăng",
    "updated": "Đã cập nhật",
    "withdrawn": "Đã gỡ",
}
GROUNDS = {
    "policy": "a) Không phù hợp với chủ trương, đường lối của Đảng, pháp luật của Nhà nước",
    "secret": "b) Thuộc bí mật nhà nước, hoặc chưa được phép phổ biến công khai",
    "untrue": "c) Không đúng sự thật",
    "unclear_origin": "d) Không rõ xuất xứ, không bảo đảm chất lượng",
    "unlawful": "đ) Thông tin khác mà pháp luật không cho đăng",
}
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)


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


def _site(request: Request[Any, Any, Any], user: dict[str, Any]) -> str:
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


def _role(user: dict[str, Any], site: str) -> int:
    if user.get("operator"):
        return Role.tenant_admin
    name = user["roles"].get(site)
    return Role[name] if name else 0


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
            "role": _role(user, site) if user and site else 0,
            "Role": Role,
            "messages": messages,
            "state_labels": STATE_LABELS,
            "kind_labels": KIND_LABELS_VI,
            "role_labels": {r.name: label for r, label in ROLE_LABELS_VI.items()},
            **context,
        },
        headers={"content-security-policy": CSP, "cache-control": "no-store"},
    )


def to_login(request: Request[Any, Any, Any]) -> Redirect:
    if current(request) is not None:  # its token was refused: the session is over
        request.session.clear()
    return Redirect("/admin/dang-nhap?next=" + _safe_next(str(request.url.path)))


def _safe_next(value: str | None) -> str:
    return value if value and re.fullmatch(r"/admin(/[A-Za-z0-9/_.-]*)?", value) else "/admin/"


def vn_time(value: str | datetime | None) -> str:
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.astimezone(VN).strftime("%d/%m/%Y %H:%M:%S")


def local_input(value: str) -> datetime | None:
    """A `datetime-local` field, read as Hanoi time."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=VN)
    except ValueError:
        raise BackendError(422, "Giờ đăng không đúng định dạng.") from None


# --- sign in and out ------------------------------------------------------------------


@get("/dang-nhap")
async def login_form(request: Request[Any, Any, Any]) -> Template:
    return page(request, "login.html", next=_safe_next(request.query_params.get("next")))


def cookie_name(settings: Settings, name: str) -> str:
    """`__Host-` names where cookies are secure: the browser then keeps them to exactly
    this host and path "/", set only over HTTPS, so no other site of ours (nor a
    sibling subdomain) can set or overwrite them. (Plain HTTP on a developer's machine
    cannot hold such cookies.)"""
    return f"__Host-{name}" if settings.secure_cookies else name


def device_cookie(settings: Settings) -> str:
    return cookie_name(settings, DEVICE_COOKIE)


#: The browser's proof that it logged into the account before (throttle.py).
DEVICE_COOKIE = "portal_device"
#: Set in the session to give it a new id when it is stored (ui_app.RotatingSessionBackend).
ROTATE = "_rotate_id"


@post("/dang-nhap")
async def login(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Any:
    form = await request.form()
    username = str(form.get("username", "")).strip()[:100]
    password = str(form.get("password", ""))[:200]
    code = re.sub(r"\s", "", str(form.get("totp", "")))[:12]
    target = _safe_next(str(form.get("next", "")))
    body: dict[str, Any] = {"username": username, "password": password}
    if code:
        body["totp"] = code
    # The API limits logins per address and knows this browser by its device cookie.
    headers = {"X-Forwarded-For": client_key(request.scope, backends.settings.forwarded_allow_ips)}
    device = request.cookies.get(device_cookie(backends.settings))
    if device:
        headers[DEVICE_HEADER] = device[:200]
    try:
        result = await backends.call(
            "admin", "POST", "/api/v1/auth/login", json=body, headers=headers
        )
    except BackendError as exc:
        if exc.extra.get("next") == "enrol_totp":
            return await _enrol(request, backends, username, password)
        return page(
            request,
            "login.html",
            401 if exc.status < 500 else exc.status,
            error=exc.message,
            username=username,
            next=target,
            need_totp=exc.extra.get("next") == "totp" or bool(code),
        )
    request.session.clear()
    request.session[ROTATE] = True  # a new session id for the signed-in session
    request.session["user"] = {
        "token": result["token"],
        "username": result["username"],
        "name": result["display_name"],
        "roles": result["roles"],
        "operator": result["operator"],
    }
    flash(request, f"Xin chào {result['display_name']}.")
    response = Redirect(target)
    if result.get("device"):
        response.set_cookie(
            device_cookie(backends.settings),
            result["device"],
            max_age=DEVICE_DAYS * 86400,
            path="/",
            secure=backends.settings.secure_cookies,
            httponly=True,
            samesite="strict",
        )
    return response


async def _enrol(
    request: Request[Any, Any, Any], backends: Backends, username: str, password: str
) -> Template:
    try:
        secret = await backends.call(
            "admin",
            "POST",
            "/api/v1/auth/totp/enrol",
            json={"username": username, "password": password},
        )
    except BackendError as exc:
        return page(request, "login.html", 401, error=exc.message, username=username)
    return page(request, "enrol.html", username=username, secret=secret)


@post("/xac-thuc-hai-buoc")
async def enrol_confirm(
    request: Request[Any, Any, Any], backends: NamedDependency[Backends]
) -> Any:
    form = await request.form()
    username = str(form.get("username", "")).strip()[:100]
    body = {
        "username": username,
        "password": str(form.get("password", ""))[:200],
        "code": re.sub(r"\s", "", str(form.get("code", "")))[:12],
    }
    try:
        await backends.call("admin", "POST", "/api/v1/auth/totp/confirm", json=body)
    except BackendError as exc:
        return page(request, "login.html", 400, error=exc.message, username=username)
    flash(request, "Đã bật xác thực hai bước. Hãy đăng nhập bằng mã mới trong ứng dụng.")
    return Redirect("/admin/dang-nhap")


@post("/dang-xuat")
async def logout(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Redirect:
    """Ends the account's tokens on every service, then the session."""
    user = current(request)
    if user is not None:
        with contextlib.suppress(BackendError):  # expired or revoked already: nothing to end
            await backends.call("admin", "POST", "/api/v1/auth/logout", token=user["token"])
    request.session.clear()
    return Redirect("/admin/dang-nhap")


def _seconds_left(token: str) -> float:
    """What is left of a token's lifetime (read, not checked: admin signed it, and the
    services check it on every call)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
        return float(claims["exp"]) - datetime.now(UTC).timestamp()
    except (jwt.PyJWTError, KeyError, TypeError, ValueError):
        return 0.0


def token_renewal(backends: Backends):
    """Before each UI request: a token half spent is exchanged for a new one, so an
    editor at work stays signed in while an idle session ends with its token
    (TOKEN_TTL). A revoked token ends the session."""

    async def renew(request: Request[Any, Any, Any]) -> None:
        user = current(request)
        if user is None or _seconds_left(user["token"]) > TOKEN_TTL.total_seconds() / 2:
            return
        try:
            result = await backends.call(
                "admin", "POST", "/api/v1/auth/refresh", token=user["token"]
            )
        except BackendError as exc:
            if exc.status == 401:
                request.session.clear()
            return  # admin away: the token still works until it expires
        request.session["user"] = {
            **user,
            "token": result["token"],
            "roles": result["roles"],
            "operator": result["operator"],
        }

    return renew


# --- dashboard ------------------------------------------------------------------------


@get("/")
async def dashboard(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Any:
    user = signed_in(request)
    site = _site(request, user)
    token = user["token"]
    role = _role(user, site)

    async def articles(**params: Any) -> list[dict[str, Any]]:
        return await backends.call(
            "content",
            "GET",
            "/api/v1/articles",
            token=token,
            params={"tenant": site, "limit": 20, **params},
        )

    mine = [
        a
        for a in await articles(created_by=user["username"])
        if a["state"] in ("draft", "rejected", "submitted")
    ]
    queue = (
        await backends.call(
            "editorial", "GET", "/api/v1/reviews", token=token, params={"tenant": site}
        )
        if role >= Role.editor
        else []
    )
    post_review = (
        await backends.call(
            "editorial",
            "GET",
            "/api/v1/reviews",
            token=token,
            params={"tenant": site, "post_review": "true"},
        )
        if role >= Role.board_member
        else []
    )
    return page(
        request,
        "dashboard.html",
        mine=mine,
        queue=queue,
        post_review=post_review,
        scheduled=await articles(state="scheduled"),
        published=(await articles(state="published")) + (await articles(state="updated")),
        sites=sorted(user["roles"]) or ["hanoi"],
    )


# --- the article editor ---------------------------------------------------------------------


async def _categories(backends: Backends, site: str) -> list[dict[str, Any]]:
    return await backends.call("content", "GET", "/api/v1/categories", params={"tenant": site})


def _authors(text: str) -> list[dict[str, str]]:
    """ "Nguyễn Văn A; 0,6" per line → [{name, share}]."""
    authors = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _, share = line.partition(";")
        authors.append({"name": name.strip(), "share": share.strip().replace(",", ".") or "1"})
    return authors


async def _upload(
    backends: Backends, token: str, site: str, upload: Any, alt: str = ""
) -> dict[str, Any] | None:
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    content = await upload.read()
    if not content:
        return None
    return await backends.call(
        "content",
        "POST",
        "/api/v1/media",
        token=token,
        data={"tenant": site, "alt": alt},
        files={"file": (upload.filename, content, "application/octet-stream")},
    )


async def _fields_from_form(
    form: Any, backends: Backends, token: str, site: str, current_article: dict[str, Any] | None
) -> dict[str, Any]:
    images = [
        i
        for i in (current_article or {}).get("images", [])
        if f"remove-image-{i['media_id']}" not in form
    ]
    images = [
        {"media_id": i["media_id"], "alt": i["alt"], "caption": i.get("caption", "")}
        for i in images
    ]
    alt = str(form.get("image_alt", "")).strip()
    uploaded = await _upload(backends, token, site, form.get("image"), alt)
    if uploaded:
        images.append(
            {
                "media_id": uploaded["id"],
                "alt": alt,
                "caption": str(form.get("image_caption", "")).strip(),
            }
        )
    attachments = [
        {"media_id": a["media_id"], "title": a.get("title", "")}
        for a in (current_article or {}).get("attachments", [])
        if f"remove-attachment-{a['media_id']}" not in form
    ]
    attached = await _upload(backends, token, site, form.get("attachment"))
    if attached:
        attachments.append(
            {"media_id": attached["id"], "title": str(form.get("attachment_title", "")).strip()}
        )
    kind = str(form.get("kind", "news"))
    details = None
    if kind == "document":
        details = {
            key: str(form.get(f"doc_{key}", "")).strip()
            for key in (
                "number",
                "doc_type",
                "issuer",
                "signer",
                "issued_on",
                "effective_on",
                "field",
                "validity",
            )
        }
        details = {k: v for k, v in details.items() if v}
    translation_of = str(form.get("translation_of", "")).strip() or None
    return {
        "category": str(form.get("category", "")),
        "kind": kind,
        "title": str(form.get("title", "")),
        "summary": str(form.get("summary", "")),
        "body_html": str(form.get("body_html", "")),
        "author": str(form.get("author", "")),
        "language": str(form.get("language", "vi")),
        "translation_of": translation_of,
        "details": details,
        "images": images,
        "attachments": attachments,
        "authors": _authors(str(form.get("authors", ""))),
    }


def _editor(
    request: Request[Any, Any, Any],
    categories: list[dict[str, Any]],
    article: dict[str, Any] | None,
    *,
    status: int = 200,
    error: str | None = None,
    values: dict[str, Any] | None = None,
    conflict: dict[str, Any] | None = None,
) -> Template:
    return page(
        request,
        "editor.html",
        status,
        article=article,
        values=values or article or {},
        categories=categories,
        kinds=CONTENT_KINDS,
        languages=LANGUAGES,
        validity=VALIDITY_LABELS_VI,
        error=error,
        conflict=conflict,
    )


@get("/bai-viet/moi")
async def new_article(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Any:
    user = signed_in(request)
    site = _site(request, user)
    return _editor(request, await _categories(backends, site), None)


@post("/bai-viet/moi")
async def create_article(
    request: Request[Any, Any, Any], backends: NamedDependency[Backends]
) -> Any:
    user = signed_in(request)
    site = _site(request, user)
    form = await request.form()
    categories = await _categories(backends, site)
    values: dict[str, Any] = {}
    try:
        values = await _fields_from_form(form, backends, user["token"], site, None)
        created = await backends.call(
            "content",
            "POST",
            "/api/v1/articles",
            token=user["token"],
            json={"tenant": site, **values},
        )
        if form.get("action") == "submit":
            await backends.call(
                "content",
                "POST",
                f"/api/v1/articles/{created['id']}/submit",
                token=user["token"],
                json={"version": created["version"]},
            )
            flash(request, "Đã lưu và gửi bài cho Ban Biên tập.")
        else:
            flash(request, "Đã lưu bản nháp.")
    except BackendError as exc:
        return _editor(
            request, categories, None, status=exc.status, error=exc.message, values=values
        )
    return Redirect(f"/admin/bai-viet/{created['id']}")


@get("/bai-viet/{article_id:uuid}")
async def edit_article_form(
    article_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    article = await backends.call(
        "content", "GET", f"/api/v1/articles/{article_id}", token=user["token"]
    )
    request.session["site"] = article["tenant"]
    return _editor(request, await _categories(backends, article["tenant"]), article)


@post("/bai-viet/{article_id:uuid}")
async def save_article(
    article_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    token = user["token"]
    form = await request.form()
    article = await backends.call("content", "GET", f"/api/v1/articles/{article_id}", token=token)
    site = article["tenant"]
    categories = await _categories(backends, site)
    action = str(form.get("action", "save"))
    version = int(str(form.get("version", "0")) or 0)
    values: dict[str, Any] = {}
    try:
        if action in ("save", "submit"):
            values = await _fields_from_form(form, backends, token, site, article)
            saved = await backends.call(
                "content",
                "PATCH",
                f"/api/v1/articles/{article_id}",
                token=token,
                json={"version": version, **values},
            )
            version = saved["version"]
            if action == "submit":
                await backends.call(
                    "content",
                    "POST",
                    f"/api/v1/articles/{article_id}/submit",
                    token=token,
                    json={"version": version},
                )
                flash(request, "Đã gửi bài cho Ban Biên tập.")
            else:
                flash(request, "Đã lưu.")
        elif action == "force":
            await backends.call(
                "content",
                "POST",
                f"/api/v1/articles/{article_id}/force-publish",
                token=token,
                json={"version": version, "reason": str(form.get("force_reason", ""))},
            )
            flash(request, "Đã đăng ngay; Ban Biên tập sẽ hậu kiểm.")
        elif action == "withdraw":
            at = local_input(str(form.get("withdraw_at", "")))
            await backends.call(
                "content",
                "POST",
                f"/api/v1/articles/{article_id}/withdraw",
                token=token,
                json={
                    "version": version,
                    "reason": str(form.get("withdraw_reason", "")),
                    "kind": str(form.get("withdraw_kind", "gone")),
                    "notice": str(form.get("withdraw_notice", "")),
                    "redirect_to": str(form.get("withdraw_redirect", "")) or None,
                    "at": at.isoformat() if at else None,
                },
            )
            flash(request, "Đã hẹn giờ gỡ bài." if at else "Đã gỡ bài.")
        elif action == "cancel_schedule":
            await backends.call(
                "content",
                "POST",
                f"/api/v1/articles/{article_id}/cancel-schedule",
                token=token,
                json={"version": version},
            )
            flash(request, "Đã huỷ lịch.")
    except BackendError as exc:
        conflict = exc.extra.get("current") if exc.status == 409 else None
        return _editor(
            request,
            categories,
            conflict or article,
            status=exc.status,
            error=exc.message,
            values=values or article,
            conflict=conflict,
        )
    return Redirect(f"/admin/bai-viet/{article_id}")


@get("/bai-viet/{article_id:uuid}/xem-truoc")
async def preview(article_id: FromPath[uuid.UUID], request: Request[Any, Any, Any]) -> Any:
    signed_in(request)
    return page(request, "preview.html", article_id=str(article_id))


@get("/bai-viet/{article_id:uuid}/xem-truoc/trang")
async def preview_page(
    article_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    """The working copy, rendered by the renderer with the site's own template."""
    user = signed_in(request)
    article = await backends.call(
        "content", "GET", f"/api/v1/articles/{article_id}", token=user["token"]
    )
    categories = {c["slug"]: c["name"] for c in await _categories(backends, article["tenant"])}
    body = {
        k: article[k]
        for k in (
            "tenant",
            "title",
            "summary",
            "body_html",
            "author",
            "kind",
            "details",
            "language",
            "images",
            "attachments",
        )
    }
    body["category_name"] = categories.get(article["category"], article["category"])
    response = await backends.call(
        "renderer", "POST", "/api/v1/preview", token=user["token"], json=body, raw=True
    )
    return Response(
        response.text,
        media_type=MediaType.HTML,
        headers={"cache-control": "no-store", "x-robots-tag": "noindex"},
    )


# --- review -------------------------------------------------------------------------------------


@get("/duyet/{revision_id:uuid}")
async def review(
    revision_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    token = user["token"]
    item = await backends.call("editorial", "GET", f"/api/v1/reviews/{revision_id}", token=token)
    article = await backends.call(
        "content", "GET", f"/api/v1/articles/{item['article_id']}", token=token
    )
    diff = await backends.call(
        "content",
        "GET",
        f"/api/v1/articles/{item['article_id']}/diff",
        token=token,
        params={
            "to": str(revision_id),
            **(
                {"from": article["live_revision_id"]}
                if article["live_revision_id"] and article["live_revision_id"] != str(revision_id)
                else {}
            ),
        },
    )
    request.session["site"] = item["tenant"]
    return page(
        request,
        "review.html",
        item=item,
        article=article,
        diff=diff,
        grounds=GROUNDS,
        min_time=datetime.now(VN).strftime("%Y-%m-%dT%H:%M"),
    )


@post("/duyet/{revision_id:uuid}")
async def decide(
    revision_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    form = await request.form()
    decision = str(form.get("decision", ""))
    try:
        if decision == "approve":
            at = local_input(str(form.get("publish_at", "")))
            await backends.call(
                "editorial",
                "POST",
                f"/api/v1/reviews/{revision_id}/approve",
                token=user["token"],
                json={
                    "note": str(form.get("note", "")),
                    "publish_at": at.isoformat() if at else None,
                    "royalty_coefficient": str(form.get("royalty", "")).strip() or None,
                },
            )
            flash(request, "Đã duyệt bài." + (f" Sẽ đăng lúc {vn_time(at)}." if at else ""))
            return Redirect(f"/admin/duyet/{revision_id}/bien-nhan")
        if decision == "reject":
            await backends.call(
                "editorial",
                "POST",
                f"/api/v1/reviews/{revision_id}/reject",
                token=user["token"],
                json={"ground": str(form.get("ground", "")), "note": str(form.get("note", ""))},
            )
            flash(request, "Đã trả lại bài cho biên tập viên.")
            return Redirect("/admin/")
        if decision == "post_review":
            await backends.call(
                "editorial",
                "POST",
                f"/api/v1/reviews/{revision_id}/post-review",
                token=user["token"],
                json={"note": str(form.get("note", ""))},
            )
            flash(request, "Đã ghi nhận hậu kiểm.")
            return Redirect("/admin/")
        flash(request, "Hãy chọn duyệt hoặc trả lại.", "error")
    except BackendError as exc:
        flash(request, exc.message, "error")
    return Redirect(f"/admin/duyet/{revision_id}")


@get("/duyet/{revision_id:uuid}/bien-nhan")
async def receipt(
    revision_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    data = await backends.call(
        "editorial", "GET", f"/api/v1/reviews/{revision_id}/receipt", token=user["token"]
    )
    item = await backends.call(
        "editorial", "GET", f"/api/v1/reviews/{revision_id}", token=user["token"]
    )
    return page(request, "receipt.html", receipt=data, item=item, vn_time=vn_time)


@get("/duyet/{revision_id:uuid}/bien-nhan.json")
async def receipt_json(
    revision_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    data = await backends.call(
        "editorial", "GET", f"/api/v1/reviews/{revision_id}/receipt", token=user["token"]
    )
    for step in data["steps"]:
        step["at_text"] = vn_time(step["at"])
        step["due_text"] = vn_time(step["due_at"])
    return data


# --- audit, users, royalties ---------------------------------------------------------------------


@get("/nhat-ky")
async def audit(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Any:
    user = signed_in(request)
    params = {k: request.query_params.get(k, "") for k in ("actor", "tenant", "action", "q")}
    entries: list[dict[str, Any]] = []
    error = None
    try:
        entries = await backends.call(
            "admin", "GET", "/api/v1/audit", token=user["token"], params={**params, "limit": 100}
        )
    except BackendError as exc:
        error = exc.message
    return page(request, "audit.html", entries=entries, query=params, error=error, vn_time=vn_time)


@get("/nguoi-dung")
async def users(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Any:
    user = signed_in(request)
    site = _site(request, user)
    listed: list[dict[str, Any]] = []
    error = None
    try:
        listed = await backends.call(
            "admin", "GET", "/api/v1/users", token=user["token"], params={"tenant": site}
        )
    except BackendError as exc:
        error = exc.message
    return page(request, "users.html", users=listed, error=error, roles=[r.name for r in Role])


@post("/nguoi-dung")
async def users_change(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Any:
    user = signed_in(request)
    site = _site(request, user)
    form = await request.form()
    action = str(form.get("action", ""))
    username = str(form.get("username", "")).strip()[:100]
    token = user["token"]
    try:
        if action == "create":
            await backends.call(
                "admin",
                "POST",
                "/api/v1/users",
                token=token,
                json={
                    "username": username,
                    "display_name": str(form.get("display_name", "")),
                    "password": str(form.get("password", "")),
                    "tenant": site,
                    "role": str(form.get("role", "")),
                },
            )
            flash(request, f"Đã tạo tài khoản {username}.")
        elif action == "role":
            await backends.call(
                "admin",
                "PUT",
                f"/api/v1/users/{username}/roles/{site}",
                token=token,
                json={"role": str(form.get("role", ""))},
            )
            flash(request, f"Đã đổi vai trò của {username}.")
        elif action == "remove":
            await backends.call(
                "admin", "DELETE", f"/api/v1/users/{username}/roles/{site}", token=token
            )
            flash(request, f"Đã bỏ vai trò của {username} trên trang này.")
        elif action in ("unlock", "reset-totp"):
            await backends.call("admin", "POST", f"/api/v1/users/{username}/{action}", token=token)
            flash(request, f"Đã thực hiện cho {username}.")
    except BackendError as exc:
        flash(request, exc.message, "error")
    return Redirect("/admin/nguoi-dung")


def _half_now() -> tuple[int, int]:
    now = datetime.now(VN)
    return now.year, 1 if now.month <= 6 else 2


@get("/nhuan-but")
async def royalties(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Any:
    user = signed_in(request)
    site = _site(request, user)
    year, half = _half_now()
    try:
        year = int(request.query_params.get("year", year))
        half = int(request.query_params.get("half", half))
    except ValueError:
        pass
    report, error = None, None
    try:
        report = await backends.call(
            "editorial",
            "GET",
            "/api/v1/royalties",
            token=user["token"],
            params={"tenant": site, "year": year, "half": half},
        )
    except BackendError as exc:
        error = exc.message
    return page(
        request, "royalties.html", report=report, error=error, year=year, half=half, vn_time=vn_time
    )


@get("/nhuan-but/tai-ve")
async def royalties_download(
    request: Request[Any, Any, Any], backends: NamedDependency[Backends]
) -> Any:
    user = signed_in(request)
    site = _site(request, user)
    params = {k: request.query_params.get(k, "") for k in ("year", "half", "format")}
    response = await backends.call(
        "editorial",
        "GET",
        "/api/v1/royalties",
        raw=True,
        token=user["token"],
        params={"tenant": site, **params},
    )
    return Response(
        response.content,
        media_type=response.headers["content-type"],
        headers={"content-disposition": response.headers.get("content-disposition", "")},
    )


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if exc.status_code == 401:
        return to_login(request)
    return page(request, "error.html", exc.status_code, message=exc.detail)


def _backend_error(request: Request[Any, Any, Any], exc: BackendError) -> Response[Any]:
    if exc.status == 401:
        return to_login(request)
    return page(request, "error.html", exc.status, message=exc.message)


ROUTES = [
    login_form,
    login,
    enrol_confirm,
    logout,
    dashboard,
    new_article,
    create_article,
    edit_article_form,
    save_article,
    preview,
    preview_page,
    review,
    decide,
    receipt,
    receipt_json,
    audit,
    users,
    users_change,
    royalties,
    royalties_download,
]


def router(backends: Backends) -> Router:
    from services.admin import feedback_ui, participation_ui  # built on this module's helpers

    return Router(
        path="/admin",
        before_request=token_renewal(backends),
        route_handlers=[
            *ROUTES,
            *feedback_ui.ROUTES,
            *participation_ui.ROUTES,
            create_static_files_router(
                path="/static", directories=[HERE / "static"], opt={"exclude_from_auth": True}
            ),
        ],
        # The UI authenticates by session, not by the API's bearer token.
        opt={"exclude_from_auth": True},
        include_in_schema=False,
        exception_handlers={HTTPException: _http_error, BackendError: _backend_error},
    )
