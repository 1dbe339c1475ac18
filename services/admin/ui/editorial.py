"""The editors' UI screens on editorial's API: the board's review of a revision (with
the diff from what is live, or for another site's proposal its text and source, and
the grounds for refusing publication as editorial gives them), the publish receipt
that follows the article to the site and to search, and the royalties (nhuận bút) report.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect

from services.admin.ui.backends import BackendError, Backends
from services.admin.ui.common import (
    VN,
    flash,
    local_input,
    page,
    signed_in,
    site_of,
    sites_by_slug,
    vn_time,
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
    request.session["site"] = item["tenant"]
    grounds = await backends.words("editorial", "/api/v1/reviews/grounds")
    if item.get("origin") == "proposed":
        # Another site's article proposed to this portal (Điều 12.1.a): content holds no
        # article of this site for it (its id is the copy's), so there is no diff; the
        # board reads it here and at its source. editorial refuses a time for it.
        sites = await sites_by_slug(backends)
        return page(
            request, "review.html", item=item, article=None, diff=None, grounds=grounds,
            source=sites.get(str(item.get("source_tenant"))), min_time=None,
        )  # fmt: skip
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
    return page(
        request,
        "review.html",
        item=item,
        article=article,
        diff=diff,
        grounds=grounds,
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
    return page(request, "receipt.html", receipt=data, item=item)


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


# --- royalties ---------------------------------------------------------------------------


def _half_now() -> tuple[int, int]:
    now = datetime.now(VN)
    return now.year, 1 if now.month <= 6 else 2


@get("/nhuan-but")
async def royalties(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Any:
    user = signed_in(request)
    site = site_of(request, user)
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
    return page(request, "royalties.html", report=report, error=error, year=year, half=half)


@get("/nhuan-but/tai-ve")
async def royalties_download(
    request: Request[Any, Any, Any], backends: NamedDependency[Backends]
) -> Any:
    user = signed_in(request)
    site = site_of(request, user)
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


ROUTES = [review, decide, receipt, receipt_json, royalties, royalties_download]
