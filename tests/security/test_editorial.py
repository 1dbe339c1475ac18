"""The editorial workflow attacked by its own users: a board member approving what they
submitted, a board head reviewing their own forced publication, imports that publish
without review or with a made-up date, an approval that silently never publishes."""

from __future__ import annotations

from typing import Any

from conftest import bearer, eventually, token_for
from gatedplatform import Gated, create_article, gated, submit_article  # noqa: F401

TENANT = "hoankiem"


async def test_a_board_member_cannot_approve_their_own_submission(gated: Gated) -> None:  # noqa: F811
    member = token_for("bbt.tu.duyet", {TENANT: "board_member"})
    _, revision = await submit_article(
        gated, member, await create_article(gated, member, "Bài tự duyệt")
    )
    r = await gated.post(f"/api/v1/reviews/{revision}/approve", json={}, headers=bearer(member))
    assert r.status_code == 403, r.text
    assert "tự duyệt" in r.json()["detail"]
    review = await gated.get(f"/api/v1/reviews/{revision}", headers=bearer(member))
    assert review.json()["status"] == "pending"
    # Another member of the board may.
    other = token_for("bbt.nguoi.khac", {TENANT: "board_member"})
    r = await gated.post(f"/api/v1/reviews/{revision}/approve", json={}, headers=bearer(other))
    assert r.status_code == 200, r.text


async def test_a_board_head_cannot_post_review_their_own_forced_publication(
    gated: Gated,  # noqa: F811
) -> None:
    head = token_for("tbbt.tu.hau.kiem", {TENANT: "board_head"})
    article = await create_article(gated, head, "Thông báo khẩn tự hậu kiểm")
    r = await gated.post(
        f"/api/v1/articles/{article['id']}/force-publish",
        json={"version": article["version"], "reason": "Thông báo khẩn, cần đăng ngay."},
        headers=bearer(head),
    )
    assert r.status_code == 200, r.text
    revision = r.json()["current_revision_id"]

    async def flagged() -> bool:
        got = await gated.get(f"/api/v1/reviews/{revision}", headers=bearer(head))
        return got.status_code == 200 and got.json()["needs_post_review"]

    await eventually(flagged, timeout=30)
    post = f"/api/v1/reviews/{revision}/post-review"
    r = await gated.post(post, json={"note": "Tôi đã xem lại bài của tôi."}, headers=bearer(head))
    assert r.status_code == 403, r.text
    assert "tự hậu kiểm" in r.json()["detail"]


def old_article(legacy_id: str, title: str) -> dict[str, Any]:
    return {
        "legacy_id": legacy_id,
        "title": title,
        "summary": "Bài của cổng cũ",
        "body_html": "<p>Nội dung bài viết của cổng cũ.</p>",
        "category": "tin-tuc",
        "published_at": "2015-03-02T08:30:00+07:00",
        "author": "Phóng viên",
    }


async def test_a_tenant_admin_cannot_publish_back_dated_articles_by_import(
    gated: Gated,  # noqa: F811
) -> None:
    """Importing puts articles live without review, like force-publishing, which the
    site's administrator may not do."""
    admin = token_for("quantri.nhap.bai", {TENANT: "tenant_admin"})
    item = old_article("qt-1", "Tin giả lùi ngày của quản trị trang")
    r = await gated.post(
        "/api/v1/imports/articles",
        json={"tenant": TENANT, "items": [item], "backdate": True},
        headers=bearer(admin),
    )
    assert r.status_code == 403, r.text
    assert "Trưởng Ban Biên tập" in r.json()["detail"]
    head = token_for("tbbt.kiem.tra", {TENANT: "board_head"})
    known = await gated.post(
        "/api/v1/imports/articles/known",
        json={"tenant": TENANT, "legacy_ids": ["qt-1"]},
        headers=bearer(head),
    )
    assert known.json()["known"] == {}, "nothing was written"


async def test_a_board_heads_import_is_post_reviewed_and_back_dating_is_explicit_and_audited(
    gated: Gated,  # noqa: F811
) -> None:
    head = token_for("tbbt.nhap.bai", {TENANT: "board_head"})
    operator = token_for("vanhanh.doc.nhat.ky", {}, operator=True)
    url = "/api/v1/imports/articles"
    plain = old_article("tb-1", "Bài cũ nhập không giữ ngày")
    dated = old_article("tb-2", "Bài cũ nhập giữ ngày gốc")
    r = await gated.post(url, json={"tenant": TENANT, "items": [plain]}, headers=bearer(head))
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "imported", r.text
    plain_id = r.json()["results"][0]["article_id"]
    r = await gated.post(
        url, json={"tenant": TENANT, "items": [dated], "backdate": True}, headers=bearer(head)
    )
    assert r.status_code == 200 and r.json()["results"][0]["status"] == "imported", r.text
    dated_id = r.json()["results"][0]["article_id"]

    async def published(article_id: str) -> dict[str, Any] | None:
        got = await gated.get(f"/api/v1/articles/{article_id}", headers=bearer(head))
        body = got.json()
        return body if body["state"] == "published" else None

    plain_live = await eventually(lambda: published(plain_id), timeout=30)
    dated_live = await eventually(lambda: published(dated_id), timeout=30)
    # Without asking, the old date is not the publication date; asked, it is.
    assert not plain_live["first_published_at"].startswith("2015-"), plain_live
    assert dated_live["first_published_at"].startswith("2015-03-02"), dated_live

    async def flagged(article_id: str) -> bool:
        queue = await gated.get(
            f"/api/v1/reviews/?tenant={TENANT}&post_review=true",
            headers=bearer(token_for("bbt.hau.kiem", {TENANT: "board_member"})),
        )
        return any(q["article_id"] == article_id for q in queue.json())

    await eventually(lambda: flagged(plain_id), timeout=30)
    await eventually(lambda: flagged(dated_id), timeout=30)

    async def audited(article_id: str) -> dict[str, Any] | None:
        got = await gated.get(
            "/api/v1/audit/",
            params={
                "tenant": TENANT,
                "subject": f"article:{article_id}",
                "action": "article.import",
            },
            headers=bearer(operator),
        )
        entries = got.json() if got.status_code == 200 else []
        return entries[0]["after"] if entries else None

    plain_audit = await eventually(lambda: audited(plain_id), timeout=30)
    dated_audit = await eventually(lambda: audited(dated_id), timeout=30)
    assert plain_audit.get("backdated") is False, plain_audit
    assert dated_audit.get("backdated") is True, dated_audit
    assert dated_audit["original_published_at"].startswith("2015-03-02")
