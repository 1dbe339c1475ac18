"""An approval of a text that changed while it waited, made through the gateway as the
newsroom would: the board's decision must not publish what nobody reviewed, and must
not leave the editors' receipt waiting forever for a publication that will not come.

Before content announced such approvals (ApprovalSuperseded), it dropped them with a
log line: editorial said "approved", the receipt waited, and nobody was told."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from conftest import bearer, eventually, token_for
from gatedplatform import Gated, create_article, gated, submit_article  # noqa: F401

from services.admin.domain import DEMO_PASSWORD

TENANT = "hoankiem"
HOST = f"{TENANT}.localhost"
#: Where the gateway serves the editors' UI (PORTAL_ADMIN_HOSTS).
ADMIN_HOST = "quantri.localhost"
#: The demo account, so that the editor can also sign in to the admin UI.
EDITOR = token_for("bientap.hoankiem", {TENANT: "editor"})
MEMBER = token_for("bbt.go.bai", {TENANT: "board_member"})
HEAD = token_for("tbbt.duyet.ban.cu", {TENANT: "board_head"})
OPERATOR = token_for("vanhanh.doc.nhat.ky", {}, operator=True)
EDITED = (
    "Bài đã được sửa trong khi duyệt; bản được duyệt không còn là bản hiện tại — cần duyệt lại."
)


async def article_of(gated: Gated, article_id: str) -> dict[str, Any]:  # noqa: F811
    r = await gated.get(f"/api/v1/articles/{article_id}", headers=bearer(EDITOR))
    assert r.status_code == 200, r.text
    return r.json()


async def edit(gated: Gated, article: dict[str, Any], title: str) -> dict[str, Any]:  # noqa: F811
    r = await gated.request(
        "PATCH",
        f"/api/v1/articles/{article['id']}",
        json={
            "version": article["version"],
            "category": "tin-tuc",
            "title": title,
            "summary": "Tóm tắt",
            "body_html": "<p>Nội dung đã sửa sau khi gửi duyệt.</p>",
        },
        headers=bearer(EDITOR),
    )
    assert r.status_code == 200, r.text
    return r.json()


async def approve(gated: Gated, revision: str, token: str, **body: Any) -> None:  # noqa: F811
    r = await gated.post(f"/api/v1/reviews/{revision}/approve", json=body, headers=bearer(token))
    assert r.status_code == 200, r.text


async def lapsed_review(gated: Gated, revision: str) -> dict[str, Any]:  # noqa: F811
    async def superseded() -> dict[str, Any] | None:
        got = await gated.get(f"/api/v1/reviews/{revision}", headers=bearer(EDITOR))
        body = got.json()
        return body if body["status"] == "superseded" else None

    return await eventually(superseded, timeout=30)


async def receipt_of(gated: Gated, revision: str) -> dict[str, Any]:  # noqa: F811
    r = await gated.get(f"/api/v1/reviews/{revision}/receipt", headers=bearer(EDITOR))
    assert r.status_code == 200, r.text
    return r.json()


async def audited(gated: Gated, article_id: str) -> list[dict[str, Any]]:  # noqa: F811
    got = await gated.get(
        "/api/v1/audit/",
        params={"tenant": TENANT, "subject": f"article:{article_id}"},
        headers=bearer(OPERATOR),
    )
    return got.json() if got.status_code == 200 else []


async def editor_ui(gated: Gated) -> httpx.AsyncClient:  # noqa: F811
    """The editor's browser: signed in to the admin UI through the gateway."""
    ui = httpx.AsyncClient(
        base_url=str(gated.gateway.base_url), headers={"Host": ADMIN_HOST}, timeout=30
    )
    form = (await ui.get("/admin/dang-nhap")).text
    token = re.search(r'name="_csrf_token" value="([^"]+)"', form)
    assert token, form[:300]
    r = await ui.post(
        "/admin/dang-nhap",
        data={
            "_csrf_token": token.group(1),
            "username": "bientap.hoankiem",
            "password": DEMO_PASSWORD,
            "next": "/admin/",
        },
    )
    assert r.status_code == 302, (r.status_code, r.text[:300])
    return ui


async def test_an_update_edited_during_its_review_is_not_published_on_the_old_approval(
    gated: Gated,  # noqa: F811
) -> None:
    """The editor sends an update of a live article; while the board has it, the article
    is taken down (a complaint) and the editor edits it; then the board head approves
    the update from the queue. Before: the approval vanished, the review said approved
    and its receipt waited forever."""
    article = await create_article(gated, EDITOR, "Thông báo lịch tiếp công dân")
    article, first = await submit_article(gated, EDITOR, article)
    await approve(gated, first, MEMBER)

    async def live() -> dict[str, Any] | None:
        body = await article_of(gated, article["id"])
        return body if body["state"] == "published" else None

    article = await eventually(live, timeout=30)
    path = article["path"]
    article = await edit(gated, article, "Thông báo lịch tiếp công dân (cập nhật)")
    article, update = await submit_article(gated, EDITOR, article)
    # While the update waits for the board, the live article is taken down ...
    r = await gated.post(
        f"/api/v1/articles/{article['id']}/withdraw",
        json={"version": article["version"], "reason": "Có phản ánh sai lịch.", "kind": "gone"},
        headers=bearer(MEMBER),
    )
    assert r.status_code == 200, r.text
    # ... and the editor corrects it during the review.
    article = await edit(gated, r.json(), "Thông báo lịch tiếp công dân (đã sửa lịch)")
    # The board head approves the update as it was sent: an older text.
    await approve(gated, update, HEAD)

    review = await lapsed_review(gated, update)
    assert review["lapse_reason"] == "edited"
    assert review["lapse_message"] == EDITED
    receipt = await receipt_of(gated, update)
    assert receipt["ended"] is True and receipt["complete"] is False
    assert receipt["message"] == EDITED
    assert [(s["step"], s["status"]) for s in receipt["steps"]] == [
        ("approved", "done"),
        ("lapsed", "stopped"),
    ]
    # Nothing went live: neither the approved text nor the edited one nobody reviewed.
    now = await article_of(gated, article["id"])
    assert now["state"] == "draft" and now["live_revision_id"] is None, now
    assert now["title"] == "Thông báo lịch tiếp công dân (đã sửa lịch)"
    assert (await gated.get(path, host=HOST)).status_code == 410
    revisions = await gated.get(
        f"/api/v1/articles/{article['id']}/revisions", headers=bearer(EDITOR)
    )
    assert [(r["id"], r["decision"]) for r in revisions.json()] == [
        (first, "approved"),
        (update, "superseded"),
    ]
    # The editor reads it on the receipt page, which no longer waits.
    ui = await editor_ui(gated)
    try:
        page = await ui.get(f"/admin/duyet/{update}/bien-nhan")
        assert page.status_code == 200, page.text[:300]
        assert EDITED in page.text
        assert 'data-ended="true"' in page.text
        data = (await ui.get(f"/admin/duyet/{update}/bien-nhan.json")).json()
        assert data["ended"] is True and data["message"] == EDITED
    finally:
        await ui.aclose()
    # As the approval was, its lapse is in the audit log.
    entries = await eventually(
        lambda: _with_action(gated, article["id"], "review.approval_lapsed"), timeout=30
    )
    assert entries[0]["after"]["lapse_reason"] == "edited"
    assert entries[0]["after"]["revision_id"] == update
    # The current text goes to the board the normal way: the editor sends it again.
    _, again = await submit_article(gated, EDITOR, now)
    queued = await gated.get(f"/api/v1/reviews/{again}", headers=bearer(EDITOR))
    assert queued.json()["status"] == "pending"


async def _with_action(gated: Gated, article_id: str, action: str) -> list[dict[str, Any]]:  # noqa: F811
    return [e for e in await audited(gated, article_id) if e["action"] == action]


async def test_a_scheduled_approval_edited_before_its_time_ends_its_receipt_unpublished(
    gated: Gated,  # noqa: F811
) -> None:
    """Approved for later, then edited before the time: the schedule is cancelled (the
    approved text is not the text any more). Before, the receipt waited for the time,
    then showed publication late, for ever."""
    article = await create_article(gated, EDITOR, "Lịch cắt điện tuần tới")
    article, revision = await submit_article(gated, EDITOR, article)
    at = datetime.now(UTC) + timedelta(seconds=4)
    await approve(gated, revision, HEAD, publish_at=at.isoformat())

    async def scheduled() -> dict[str, Any] | None:
        body = await article_of(gated, article["id"])
        return body if body["state"] == "scheduled" else None

    article = await eventually(scheduled, timeout=30)
    article = await edit(gated, article, "Lịch cắt điện tuần tới (sửa giờ)")

    review = await lapsed_review(gated, revision)
    assert review["lapse_reason"] == "edited"
    receipt = await receipt_of(gated, revision)
    assert receipt["ended"] is True and receipt["message"] == EDITED
    assert not any(s["status"] in ("waiting", "late") for s in receipt["steps"])
    # Past the time, nothing was published: not the approved text, not the edited one.
    remaining = (at - datetime.now(UTC)).total_seconds()
    await eventually(lambda: datetime.now(UTC) > at + timedelta(seconds=2), timeout=remaining + 5)
    now = await article_of(gated, article["id"])
    assert now["state"] == "draft" and now["live_revision_id"] is None, now
    assert now["first_published_at"] is None
    receipt = await receipt_of(gated, revision)
    assert receipt["ended"] is True and not receipt["late"]
