"""The editors' UI screens on syndication's partner API (operators only): the partner
systems (iHanoi, HanoiWork, QLVB…), the sites and kinds of news each takes, its
read-API key, its webhooks with their signing secrets, and each webhook's delivery
log with the dead letters, retries and replays.

A key or a secret is in the one answer that made it: the page showing it is rendered
from that answer (never flashed into the session, never in a URL) and not cached.
The API decides who may do what; its refusals are shown as they come.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect

from services.admin.ui.backends import BackendError, Backends
from services.admin.ui.common import (
    VN,
    button,
    flash,
    page,
    refusal,
    signed_in,
    sites_by_slug,
    vn_time,
)

API = "/api/v1/syndication/partners"
LIST_LIMIT = 50
#: The partner API's topics, in the operators' words. The API gives no words for them
#: yet (unlike the cross-post kinds); a topic it adds shows by its code until then.
TOPIC_WORDS_VI = {
    "article.published": "Bài được đăng hoặc cập nhật",
    "article.withdrawn": "Bài bị gỡ",
    "answer.published": "Câu trả lời hỏi đáp được đăng",
}


async def _context(backends: Backends) -> dict[str, Any]:
    sites = await sites_by_slug(backends)
    kinds = await backends.words("syndication", "/api/v1/syndication/crossposts/kinds")
    listed = sorted((s for s in sites.values() if s.get("active", True)), key=lambda s: s["name"])
    groups = [("Cổng thành phố", [s for s in listed if s["kind"] == "city"])] + [
        (label, [s for s in listed if s["kind"] == key]) for key, label in kinds.items()
    ]
    return {
        "sites": sites, "groups": [g for g in groups if g[1]], "topics": TOPIC_WORDS_VI,
        "topic_word": lambda t: TOPIC_WORDS_VI.get(t, t),
    }  # fmt: skip


def _fields(form: Any) -> dict[str, Any]:
    sites = ["*"] if form.get("all_sites") else [str(v)[:50] for v in form.getall("sites", [])]
    return {
        "name": str(form.get("name", "")),
        "description": str(form.get("description", "")),
        "sites": sites[:300],
        "topics": [str(v)[:40] for v in form.getall("topics", [])][:10],
    }


async def _partner(backends: Backends, token: str, partner_id: str) -> dict[str, Any]:
    return await backends.call("syndication", "GET", f"{API}/{partner_id}", token=token)


def _webhook(partner: dict[str, Any], webhook_id: str) -> dict[str, Any]:
    for hook in partner["webhooks"]:
        if hook["id"] == webhook_id:
            return hook
    raise BackendError(404, "Không tìm thấy webhook này của đối tác.")


# --- partners -------------------------------------------------------------------------------


@get("/doi-tac")
async def partners(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Any:
    user = signed_in(request)
    items = await backends.call("syndication", "GET", f"{API}/", token=user["token"])
    return page(request, "partners.html", items=items, values={}, **await _context(backends))


@post("/doi-tac")
async def create(request: Request[Any, Any, Any], backends: NamedDependency[Backends]) -> Any:
    user = signed_in(request)
    values = _fields(await request.form())
    try:
        made = await backends.call(
            "syndication", "POST", f"{API}/", token=user["token"], json=values
        )
    except BackendError as exc:
        message = refusal(exc)
        items = await backends.call("syndication", "GET", f"{API}/", token=user["token"])
        return page(
            request, "partners.html", exc.status, items=items, values=values, error=message,
            **await _context(backends),
        )  # fmt: skip
    flash(request, f"Đã thêm đối tác «{made['name']}». Hãy cấp khoá đọc API và thêm webhook.")
    return Redirect(f"/admin/doi-tac/{made['id']}")


async def _partner_page(
    request: Request[Any, Any, Any],
    backends: Backends,
    partner_id: str,
    status: int = 200,
    **values: Any,
) -> Any:
    user = signed_in(request)
    partner = await _partner(backends, user["token"], partner_id)
    return page(
        request, "partner.html", status, partner=partner,
        values=values.pop("values", None) or partner, **values, **await _context(backends),
    )  # fmt: skip


@get("/doi-tac/{partner_id:uuid}")
async def partner_page(
    partner_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    return await _partner_page(request, backends, str(partner_id))


@post("/doi-tac/{partner_id:uuid}")
async def update(
    partner_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    values = _fields(await request.form())
    try:
        await backends.call(
            "syndication", "PATCH", f"{API}/{partner_id}", token=user["token"], json=values
        )
    except BackendError as exc:
        return await _partner_page(
            request, backends, str(partner_id), exc.status, values=values, error=refusal(exc)
        )
    flash(request, "Đã lưu thông tin đối tác.")
    return Redirect(f"/admin/doi-tac/{partner_id}")


@get("/doi-tac/{partner_id:uuid}/ngung")
async def deactivate_form(
    partner_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    partner = await _partner(backends, user["token"], str(partner_id))
    return page(
        request, "confirm.html", title="Ngừng đối tác",
        question=f"Ngừng gửi tin cho đối tác «{partner['name']}»?",
        detail="Đối tác không nhận thêm tin nào; các tin đang chờ gửi chuyển sang danh sách "
        "không gửi được, và khoá đọc API ngừng hoạt động. Có thể cho nhận tin lại sau.",
        action=f"/admin/doi-tac/{partner_id}/ngung", button="Ngừng đối tác",
        back=f"/admin/doi-tac/{partner_id}",
    )  # fmt: skip


@post("/doi-tac/{partner_id:uuid}/ngung")
async def deactivate(
    partner_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    call = backends.call(
        "syndication", "POST", f"{API}/{partner_id}/deactivate", token=user["token"]
    )
    return await button(
        request, call, "Đã ngừng gửi tin cho đối tác.", f"/admin/doi-tac/{partner_id}"
    )


@post("/doi-tac/{partner_id:uuid}/bat")
async def reactivate(
    partner_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    call = backends.call(
        "syndication",
        "PATCH",
        f"{API}/{partner_id}",
        token=user["token"],
        json={"active": True},
    )
    return await button(request, call, "Đối tác nhận tin trở lại.", f"/admin/doi-tac/{partner_id}")


def _shown_once(
    request: Request[Any, Any, Any], partner: dict[str, Any], *, title: str, what: str,
    value: str, note: str,
) -> Any:  # fmt: skip
    return page(
        request, "partner_secret.html", 201, partner=partner, title=title, what=what,
        value=value, note=note,
    )  # fmt: skip


@get("/doi-tac/{partner_id:uuid}/khoa")
async def key_form(
    partner_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    """A new key ends the old one at once: the operator confirms it first."""
    user = signed_in(request)
    partner = await _partner(backends, user["token"], str(partner_id))
    return page(
        request, "confirm.html", title="Cấp khoá mới",
        question=f"Cấp khoá đọc API mới cho «{partner['name']}»?",
        detail=f"Khoá đang dùng ({partner['key_prefix']}…) ngừng hoạt động ngay; đối tác phải "
        "thay khoá mới vào hệ thống của mình.",
        action=f"/admin/doi-tac/{partner_id}/khoa", button="Cấp khoá mới",
        back=f"/admin/doi-tac/{partner_id}",
    )  # fmt: skip


@post("/doi-tac/{partner_id:uuid}/khoa")
async def issue_key(
    partner_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    try:
        made = await backends.call(
            "syndication", "POST", f"{API}/{partner_id}/key", token=user["token"]
        )
    except BackendError as exc:
        flash(request, refusal(exc), "error")
        return Redirect(f"/admin/doi-tac/{partner_id}")
    partner = await _partner(backends, user["token"], str(partner_id))
    return _shown_once(
        request, partner, title="Khoá đọc API", what="Khoá đọc API", value=made["key"],
        note="Đối tác gửi khoá này trong mỗi yêu cầu tới API đọc tin. Khoá cũ (nếu có) đã "
        "ngừng hoạt động.",
    )  # fmt: skip


# --- webhooks ----------------------------------------------------------------------------------


@post("/doi-tac/{partner_id:uuid}/webhook")
async def add_webhook(
    partner_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    url = str((await request.form()).get("url", "")).strip()
    try:
        made = await backends.call(
            "syndication", "POST", f"{API}/{partner_id}/webhooks", token=user["token"],
            json={"url": url},
        )  # fmt: skip
    except BackendError as exc:
        return await _partner_page(
            request, backends, str(partner_id), exc.status, webhook_error=refusal(exc),
            webhook_url=url,
        )  # fmt: skip
    partner = await _partner(backends, user["token"], str(partner_id))
    return _shown_once(
        request, partner, title="Webhook mới", what=f"Khoá ký của webhook {made['url']}",
        value=made["secret"],
        note="Đối tác dùng khoá này để kiểm tra chữ ký của mọi tin gửi tới webhook.",
    )  # fmt: skip


@post("/doi-tac/{partner_id:uuid}/webhook/{webhook_id:uuid}/doi-khoa")
async def rotate(
    partner_id: FromPath[uuid.UUID],
    webhook_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    try:
        made = await backends.call(
            "syndication", "POST", f"{API}/{partner_id}/webhooks/{webhook_id}/rotate",
            token=user["token"],
        )  # fmt: skip
    except BackendError as exc:
        flash(request, refusal(exc), "error")
        return Redirect(f"/admin/doi-tac/{partner_id}")
    partner = await _partner(backends, user["token"], str(partner_id))
    until = vn_time(made.get("previous_secret_until"))
    return _shown_once(
        request, partner, title="Khoá ký mới", what=f"Khoá ký mới của webhook {made['url']}",
        value=made["secret"],
        note="Mỗi tin mang chữ ký bằng cả khoá mới và khoá cũ"
        + (f" đến {until}" if until else "")
        + "; đối tác chuyển sang khoá mới trong thời gian đó.",
    )  # fmt: skip


@get("/doi-tac/{partner_id:uuid}/webhook/{webhook_id:uuid}/go")
async def remove_form(
    partner_id: FromPath[uuid.UUID],
    webhook_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    hook = _webhook(await _partner(backends, user["token"], str(partner_id)), str(webhook_id))
    return page(
        request, "confirm.html", title="Gỡ webhook", question=f"Gỡ webhook {hook['url']}?",
        detail=f"Không gửi thêm tin nào tới địa chỉ này; {hook['pending']} tin đang chờ chuyển "
        "sang danh sách không gửi được. Nhật ký gửi vẫn được giữ.",
        action=f"/admin/doi-tac/{partner_id}/webhook/{webhook_id}/go", button="Gỡ webhook",
        back=f"/admin/doi-tac/{partner_id}",
    )  # fmt: skip


@post("/doi-tac/{partner_id:uuid}/webhook/{webhook_id:uuid}/go")
async def remove(
    partner_id: FromPath[uuid.UUID],
    webhook_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    call = backends.call(
        "syndication",
        "DELETE",
        f"{API}/{partner_id}/webhooks/{webhook_id}",
        token=user["token"],
    )
    return await button(request, call, "Đã gỡ webhook.", f"/admin/doi-tac/{partner_id}")


@post("/doi-tac/{partner_id:uuid}/webhook/{webhook_id:uuid}/bat")
async def reenable(
    partner_id: FromPath[uuid.UUID],
    webhook_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    call = backends.call(
        "syndication",
        "PATCH",
        f"{API}/{partner_id}/webhooks/{webhook_id}",
        token=user["token"],
        json={"active": True},
    )
    return await button(request, call, "Đã bật lại webhook.", f"/admin/doi-tac/{partner_id}")


# --- the delivery log -----------------------------------------------------------------------


def _log_url(partner_id: Any, webhook_id: Any, dead: bool) -> str:
    return f"/admin/doi-tac/{partner_id}/webhook/{webhook_id}" + ("?loc=loi" if dead else "")


@get("/doi-tac/{partner_id:uuid}/webhook/{webhook_id:uuid}")
async def deliveries(
    partner_id: FromPath[uuid.UUID],
    webhook_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    """The webhook's messages, newest first; ?loc=loi: its dead letters only."""
    user = signed_in(request)
    partner = await _partner(backends, user["token"], str(partner_id))
    hook = _webhook(partner, str(webhook_id))
    dead = request.query_params.get("loc") == "loi"
    before = request.query_params.get("truoc", "")[:40]
    try:
        before = datetime.fromisoformat(before).isoformat() if before else ""
    except ValueError:
        before = ""
    items = await backends.call(
        "syndication", "GET", f"{API}/{partner_id}/webhooks/{webhook_id}/deliveries",
        token=user["token"],
        params={"status": "dead" if dead else None, "before": before, "limit": LIST_LIMIT},
    )  # fmt: skip
    return page(
        request, "partner_deliveries.html", partner=partner, hook=hook, items=items,
        dead=dead, more=len(items) == LIST_LIMIT, topic_word=lambda t: TOPIC_WORDS_VI.get(t, t),
        here=_log_url(partner_id, webhook_id, dead),
    )  # fmt: skip


@post("/doi-tac/{partner_id:uuid}/webhook/{webhook_id:uuid}/gui-lai/{message_id:str}")
async def retry(
    partner_id: FromPath[uuid.UUID],
    webhook_id: FromPath[uuid.UUID],
    message_id: FromPath[str],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    call = backends.call(
        "syndication",
        "POST",
        f"{API}/{partner_id}/webhooks/{webhook_id}/deliveries/{message_id[:40]}/retry",
        token=user["token"],
    )
    return await button(
        request, call, "Đã đưa tin vào hàng chờ gửi lại.", _log_url(partner_id, webhook_id, True)
    )


@post("/doi-tac/{partner_id:uuid}/webhook/{webhook_id:uuid}/gui-lai-tu")
async def replay(
    partner_id: FromPath[uuid.UUID],
    webhook_id: FromPath[uuid.UUID],
    request: Request[Any, Any, Any],
    backends: NamedDependency[Backends],
) -> Any:
    user = signed_in(request)
    form = await request.form()
    try:
        try:
            since = datetime.fromisoformat(str(form.get("since", ""))[:30]).replace(tzinfo=VN)
        except ValueError:
            raise BackendError(422, "Hãy chọn thời điểm bắt đầu gửi lại (giờ Hà Nội).") from None
        done = await backends.call(
            "syndication", "POST", f"{API}/{partner_id}/webhooks/{webhook_id}/replay",
            token=user["token"], json={"since": since.isoformat()},
        )  # fmt: skip
        flash(request, f"Đã đưa {done['requeued']} tin từ {vn_time(since)} vào hàng chờ gửi lại.")
    except BackendError as exc:
        flash(request, refusal(exc), "error")
    return Redirect(_log_url(partner_id, webhook_id, False))


ROUTES = [
    partners,
    create,
    partner_page,
    update,
    deactivate_form,
    deactivate,
    reactivate,
    key_form,
    issue_key,
    add_webhook,
    rotate,
    remove_form,
    remove,
    reenable,
    deliveries,
    retry,
    replay,
]
