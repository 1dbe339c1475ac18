"""The editors' UI screens on content's API: the dashboard of a site (my drafts, the
board's queue, what is scheduled and published), the article editor with its images,
attachments and authors, and the preview rendered by the renderer with the site's
own template.

Like every screen of the UI it holds no rules: it shows what the services return
(states in their words: `state_label`) and sends forms to their APIs with the
signed-in editor's token, so a form shown by mistake still cannot do what the API
refuses.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import MediaType, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from contracts.content import CONTENT_KINDS, LANGUAGES, VALIDITY_LABELS_VI
from runtime.auth import Role
from services.admin.ui.backends import BackendError, Backends
from services.admin.ui.common import (
    flash,
    local_input,
    page,
    role_on,
    signed_in,
    site_of,
    sites_by_slug,
)

# --- dashboard ------------------------------------------------------------------------


@get("/")
async def dashboard(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Any:
    user = signed_in(request)
    site = site_of(request, user)
    token = user["token"]
    role = role_on(user, site)

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
    site_kind: str = "",
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
        site_kind=site_kind,
    )


@get("/bai-viet/moi")
async def new_article(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Any:
    user = signed_in(request)
    site = site_of(request, user)
    return _editor(request, await _categories(backends, site), None)


@post("/bai-viet/moi")
async def create_article(
    request: Request[Any, Any, Any], backends: NamedDependency[Backends]
) -> Any:
    user = signed_in(request)
    site = site_of(request, user)
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
    sites = await sites_by_slug(backends)
    kind = str(sites.get(article["tenant"], {}).get("kind", ""))
    return _editor(request, await _categories(backends, article["tenant"]), article, site_kind=kind)


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


ROUTES = [
    dashboard,
    new_article,
    create_article,
    edit_article_form,
    save_article,
    preview,
    preview_page,
]
