"""The editors' UI screens on admin's own API: signing in and out (with the second
factor's enrolment), keeping the session's token fresh, the audit log, and the
accounts and roles of a site.
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime
from typing import Any

import jwt
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from runtime.auth import TOKEN_TTL, Role
from runtime.clientip import client_key
from runtime.settings import Settings
from services.admin.throttle import DEVICE_DAYS, DEVICE_HEADER
from services.admin.ui.backends import BackendError, Backends
from services.admin.ui.common import (
    DEVICE_COOKIE,
    ROTATE,
    cookie_name,
    current,
    flash,
    page,
    safe_next,
    signed_in,
    site_of,
)

# --- sign in and out ------------------------------------------------------------------


@get("/dang-nhap")
async def login_form(request: Request[Any, Any, Any]) -> Template:
    return page(request, "login.html", next=safe_next(request.query_params.get("next")))


def device_cookie(settings: Settings) -> str:
    return cookie_name(settings, DEVICE_COOKIE)


@post("/dang-nhap")
async def login(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Any:
    form = await request.form()
    username = str(form.get("username", "")).strip()[:100]
    password = str(form.get("password", ""))[:200]
    code = re.sub(r"\s", "", str(form.get("totp", "")))[:12]
    target = safe_next(str(form.get("next", "")))
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


# --- audit, users -----------------------------------------------------------------------


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
    return page(request, "audit.html", entries=entries, query=params, error=error)


@get("/nguoi-dung")
async def users(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Any:
    user = signed_in(request)
    site = site_of(request, user)
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
    site = site_of(request, user)
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


ROUTES = [login_form, login, enrol_confirm, logout, audit, users, users_change]
