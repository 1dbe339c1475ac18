"""The editors' UI screens on syndication's API between sites (Quy chế 004 Điều 12):
the city board's cross-posts to component sites (12.1.b) and their copies' progress,
a target board's copies from the portal (decline, category), and a component board's
proposals to the city portal (12.1.a), whose decisions the city board takes in its
normal review queue (editorial.py).

Which site is the city and which are its components is admin's list of sites; the
copies' and proposals' status words, the target kinds and the refusals are
syndication's; the rejection grounds are editorial's. The API decides every action.
"""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect

from runtime.auth import Role
from services.admin.ui.backends import BackendError, Backends
from services.admin.ui.common import (
    button,
    flash,
    page,
    refusal,
    role_on,
    signed_in,
    site_link,
    site_of,
    sites_by_slug,
)

API = "/api/v1/syndication"
LIST_LIMIT = 100


def _kind(sites: dict[str, dict[str, Any]], slug: str) -> str:
    return str((sites.get(slug) or {}).get("kind", ""))


def _components(sites: dict[str, dict[str, Any]], city: str) -> list[dict[str, Any]]:
    """The active sites under `city`, as syndication resolves targets (domain.py)."""
    return sorted(
        (s for s in sites.values() if s.get("parent") == city and s.get("active", True)),
        key=lambda s: (s["kind"], s["name"]),
    )


async def _published(backends: Backends, token: str, site: str) -> list[dict[str, Any]]:
    """The site's articles now on it, newest first: what can be sent or proposed."""
    found: list[dict[str, Any]] = []
    for state in ("published", "updated"):
        found += await backends.call(
            "content", "GET", "/api/v1/articles", token=token,
            params={"tenant": site, "state": state, "limit": 20},
        )  # fmt: skip
    return sorted(found, key=lambda a: str(a.get("updated_at", "")), reverse=True)[:20]


# --- the hub --------------------------------------------------------------------------------


@get("/dang-lai")
async def crossposts(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Any:
    """The city board's cross-posts; a component site's board goes to its copies."""
    user = signed_in(request)
    site = site_of(request, user)
    sites = await sites_by_slug(backends)
    if _kind(sites, site) != "city":
        return Redirect("/admin/bai-tu-cong")
    items: list[dict[str, Any]] = []
    articles: list[dict[str, Any]] = []
    error = None
    try:
        items = await backends.call(
            "syndication", "GET", f"{API}/crossposts", token=user["token"],
            params={"tenant": site, "limit": LIST_LIMIT},
        )  # fmt: skip
        articles = await _published(backends, user["token"], site)
    except BackendError as exc:
        error = refusal(exc)
    return page(
        request, "syndication_crossposts.html", items=items, articles=articles, error=error,
        site_kind="city", site_name=sites.get(site, {}).get("name", site),
    )  # fmt: skip


# --- one article: cross-post it (the city) or propose it (a component) -------------------------


async def _article_form(
    request: Request[Any, Any, Any],
    backends: Backends,
    article_id: str,
    *,
    status: int = 200,
    error: str | None = None,
    values: dict[str, Any] | None = None,
) -> Any:
    user = signed_in(request)
    token = user["token"]
    article = await backends.call("content", "GET", f"/api/v1/articles/{article_id}", token=token)
    site = article["tenant"]
    request.session["site"] = site
    sites = await sites_by_slug(backends)
    kind = _kind(sites, site)
    context: dict[str, Any] = {
        "article": article, "error": error, "values": values or {}, "site_kind": kind,
        "site_name": sites.get(site, {}).get("name", site),
        "live": bool(article.get("live_revision_id")),
        "public_url": site_link(backends, sites.get(site), article.get("path")),
    }  # fmt: skip
    if kind == "city":
        kinds = await backends.words("syndication", f"{API}/crossposts/kinds")
        components = _components(sites, site)
        posts = await backends.call(
            "syndication", "GET", f"{API}/crossposts", token=token,
            params={"tenant": site, "limit": LIST_LIMIT},
        )  # fmt: skip
        earlier = [p for p in posts if p["article_id"] == article_id]
        categories = await backends.call(
            "content", "GET", "/api/v1/categories", params={"tenant": site}
        )
        groups = [
            (label, [s for s in components if s["kind"] == key]) for key, label in kinds.items()
        ]
        return page(
            request, "syndication_crosspost_form.html", status, kinds=kinds,
            groups=[g for g in groups if g[1]], earlier=earlier, categories=categories,
            **context,
        )  # fmt: skip
    made = await backends.call(
        "syndication", "GET", f"{API}/proposals", token=token,
        params={"tenant": site, "limit": LIST_LIMIT},
    )  # fmt: skip
    proposals = [p for p in made if p["article_id"] == article_id and p["origin"] == site]
    city = sites.get(str(sites.get(site, {}).get("parent") or ""))
    return page(
        request, "syndication_propose_form.html", status, proposals=proposals, city=city,
        grounds=await backends.words("editorial", "/api/v1/reviews/grounds"),
        city_link=lambda path: site_link(backends, city, path), **context,
    )  # fmt: skip


@get("/dang-lai/bai/{article_id:uuid}")
async def article_form(
    article_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    return await _article_form(request, backends, str(article_id))


def _targets(form: Any) -> dict[str, Any]:
    """The form's choice of targets, in the API's shape (it checks the choice)."""
    mode = str(form.get("mode", ""))
    if mode == "all":
        return {"all": True}
    if mode == "kinds":
        return {"kinds": [str(v) for v in form.getall("kinds", [])][:10]}
    if mode == "sites":
        return {"sites": [str(v)[:50] for v in form.getall("sites", [])][:300]}
    return {}


@post("/dang-lai")
async def crosspost(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Any:
    user = signed_in(request)
    form = await request.form()
    article_id = str(form.get("article_id", ""))
    try:
        uuid.UUID(article_id)
    except ValueError:
        flash(request, "Hãy chọn bài để đăng lại.", "error")
        return Redirect("/admin/dang-lai")
    targets = _targets(form)
    category = str(form.get("category", "")).strip() or None
    values = {
        "mode": str(form.get("mode", "")), "kinds": targets.get("kinds", []),
        "sites": targets.get("sites", []), "category": category or "",
    }  # fmt: skip
    if not targets:
        return await _article_form(
            request, backends, article_id, status=422, values=values,
            error="Hãy chọn trang nhận: tất cả, theo loại trang, hoặc danh sách trang.",
        )  # fmt: skip
    try:
        made = await backends.call(
            "syndication", "POST", f"{API}/crossposts", token=user["token"],
            json={"article_id": article_id, "targets": targets, "category": category},
        )  # fmt: skip
    except BackendError as exc:
        return await _article_form(
            request, backends, article_id, status=exc.status, error=refusal(exc), values=values
        )
    sent = len(made.get("copies") or [])
    flash(
        request,
        f"Đã đăng lại bài «{made['title']}» lên {sent} trang."
        if sent
        else "Bài đã có trên mọi trang được chọn, hoặc các trang đó đã từ chối; "
        "không gửi thêm trang nào.",
    )
    return Redirect(f"/admin/dang-lai/{made['id']}")


# --- one cross-post ------------------------------------------------------------------------


async def _crosspost(backends: Backends, token: str, post_id: str) -> dict[str, Any]:
    return await backends.call("syndication", "GET", f"{API}/crossposts/{post_id}", token=token)


@get("/dang-lai/{post_id:uuid}")
async def crosspost_page(
    post_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    item = await _crosspost(backends, user["token"], str(post_id))
    request.session["site"] = item["origin"]
    sites = await sites_by_slug(backends)
    kinds = await backends.words("syndication", f"{API}/crossposts/kinds")
    copies = sorted(item.get("copies") or [], key=lambda c: c["tenant"])
    return page(
        request, "syndication_crosspost.html", item=item, copies=copies, sites=sites,
        kinds=kinds, site_kind="city",
        link=lambda c: site_link(backends, sites.get(c["tenant"]), c["path"])
        if c["status"] == "live" else None,
    )  # fmt: skip


@get("/dang-lai/{post_id:uuid}/dung")
async def stop_form(
    post_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    """Stopping takes every copy off its site: the board confirms it on a page of its own."""
    user = signed_in(request)
    item = await _crosspost(backends, user["token"], str(post_id))
    live = sum(1 for c in item.get("copies") or [] if c["status"] == "live")
    return page(
        request, "confirm.html", title="Dừng đăng lại",
        question=f"Dừng đăng lại bài «{item['title']}»?",
        detail=f"Bài sẽ được gỡ khỏi {live} trang đang hiển thị. Không hoàn tác được: "
        "muốn đăng lại phải gửi lần đăng lại mới.",
        action=f"/admin/dang-lai/{post_id}/dung", button="Dừng đăng lại",
        back=f"/admin/dang-lai/{post_id}",
    )  # fmt: skip


@post("/dang-lai/{post_id:uuid}/dung")
async def stop(
    post_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    call = backends.call(
        "syndication", "POST", f"{API}/crossposts/{post_id}/stop", token=user["token"]
    )
    return await button(
        request,
        call,
        "Đã dừng đăng lại; bài được gỡ khỏi các trang nhận.",
        f"/admin/dang-lai/{post_id}",
    )


# --- a target site's board: the copies on its site ----------------------------------------------


async def _copies(backends: Backends, token: str, site: str, status: str = "") -> list[Any]:
    return await backends.call(
        "syndication", "GET", f"{API}/copies", token=token,
        params={"tenant": site, "status": status, "limit": 200},
    )  # fmt: skip


@get("/bai-tu-cong")
async def copies(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Any:
    user = signed_in(request)
    site = site_of(request, user)
    sites = await sites_by_slug(backends)
    items: list[dict[str, Any]] = []
    categories: list[dict[str, Any]] = []
    error = None
    try:
        items = await _copies(backends, user["token"], site)
        categories = await backends.call(
            "content", "GET", "/api/v1/categories", params={"tenant": site}
        )
    except BackendError as exc:
        error = refusal(exc)
    return page(
        request, "syndication_copies.html", items=items, categories=categories, error=error,
        sites=sites, site_kind=_kind(sites, site), site_name=sites.get(site, {}).get("name", site),
        link=lambda c: site_link(backends, sites.get(c["tenant"]), c["path"])
        if c["status"] == "live" else None,
    )  # fmt: skip


async def _one_copy(backends: Backends, token: str, site: str, copy_id: str) -> dict[str, Any]:
    for item in await _copies(backends, token, site):
        if item["copy_id"] == copy_id:
            return item
    raise BackendError(404, "Không tìm thấy bài đăng lại này trên trang.")


@get("/bai-tu-cong/{copy_id:uuid}/tu-choi")
async def decline_form(
    copy_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    site = site_of(request, user)
    item = await _one_copy(backends, user["token"], site, str(copy_id))
    return _decline_page(request, item)


def _decline_page(
    request: Request[Any, Any, Any],
    item: dict[str, Any],
    status: int = 200,
    error: str | None = None,
    reason: str = "",
) -> Any:
    return page(
        request, "confirm.html", status, title="Từ chối bài đăng lại",
        question=f"Từ chối bài «{item['title']}» từ trang {item['origin']}?",
        detail="Bài được gỡ khỏi trang này và không tự hiện lại, kể cả khi trang gốc cập "
        "nhật bài.", error=error, reason=reason, reason_label="Lý do từ chối",
        action=f"/admin/bai-tu-cong/{item['copy_id']}/tu-choi", button="Từ chối",
        back="/admin/bai-tu-cong",
    )  # fmt: skip


@post("/bai-tu-cong/{copy_id:uuid}/tu-choi")
async def decline(
    copy_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    form = await request.form()
    reason = str(form.get("reason", ""))
    try:
        done = await backends.call(
            "syndication", "POST", f"{API}/copies/{copy_id}/decline", token=user["token"],
            json={"reason": reason},
        )  # fmt: skip
    except BackendError as exc:
        message = refusal(exc)
        site = site_of(request, user)
        item = await _one_copy(backends, user["token"], site, str(copy_id))
        return _decline_page(request, item, exc.status, message, reason)
    flash(request, f"Đã từ chối bài «{done['title']}»; bài được gỡ khỏi trang.")
    return Redirect("/admin/bai-tu-cong")


@post("/bai-tu-cong/{copy_id:uuid}/chuyen-muc")
async def recategorise(
    copy_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    form = await request.form()
    try:
        done = await backends.call(
            "syndication", "PUT", f"{API}/copies/{copy_id}/category", token=user["token"],
            json={"category": str(form.get("category", ""))},
        )  # fmt: skip
        flash(request, f"Đã xếp bài «{done['title']}» vào chuyên mục {done['category_name']}.")
    except BackendError as exc:
        flash(request, refusal(exc), "error")
    return Redirect("/admin/bai-tu-cong")


# --- proposals to the city portal ------------------------------------------------------------


@get("/de-xuat")
async def proposals(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Any:
    """A component site's proposals and what became of them; on the city, those made to it."""
    user = signed_in(request)
    site = site_of(request, user)
    sites = await sites_by_slug(backends)
    kind = _kind(sites, site)
    items: list[dict[str, Any]] = []
    articles: list[dict[str, Any]] = []
    error = None
    try:
        items = await backends.call(
            "syndication", "GET", f"{API}/proposals", token=user["token"],
            params={"tenant": site, "limit": LIST_LIMIT},
        )  # fmt: skip
        if kind != "city" and role_on(user, site) >= Role.board_member:
            articles = await _published(backends, user["token"], site)
    except BackendError as exc:
        error = refusal(exc)
    grounds = await backends.words("editorial", "/api/v1/reviews/grounds")
    return page(
        request, "syndication_proposals.html", items=items, articles=articles, error=error,
        grounds=grounds, sites=sites, site_kind=kind,
        site_name=sites.get(site, {}).get("name", site),
        link=lambda p: site_link(backends, sites.get(p["target"]), p.get("path")),
    )  # fmt: skip


@post("/de-xuat")
async def propose(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Any:
    user = signed_in(request)
    form = await request.form()
    article_id = str(form.get("article_id", ""))
    try:
        uuid.UUID(article_id)
    except ValueError:
        flash(request, "Hãy chọn bài để đề xuất.", "error")
        return Redirect("/admin/de-xuat")
    note = str(form.get("note", ""))
    try:
        await backends.call(
            "syndication", "POST", f"{API}/proposals", token=user["token"],
            json={"article_id": article_id, "note": note},
        )  # fmt: skip
    except BackendError as exc:
        return await _article_form(
            request, backends, article_id, status=exc.status, error=refusal(exc),
            values={"note": note},
        )  # fmt: skip
    flash(request, "Đã đề xuất bài lên Cổng; bài chờ Ban Biên tập Cổng duyệt.")
    return Redirect("/admin/de-xuat")


ROUTES = [
    crossposts,
    article_form,
    crosspost,
    crosspost_page,
    stop_form,
    stop,
    copies,
    decline_form,
    decline,
    recategorise,
    proposals,
    propose,
]
