"""Approvals content will not publish, through the services and the broker: content
announces them (ApprovalSuperseded, from its outbox), editorial marks the review
superseded once, ends its receipt with why, and audits it."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from conftest import BOARD, EDITOR, InProcessPlatform, bearer, eventually, settings_for, token_for
from sqlalchemy import select, update

from contracts import ApprovalSuperseded, RevisionApproved, envelope_for
from runtime.embedded import EmbeddedKafka
from runtime.messaging import OUTBOX
from services.editorial import handlers as editorial_handlers
from services.editorial import store as editorial_store

HEAD = token_for("truongban.hoankiem", {"hoankiem": "board_head"})


@pytest.fixture(scope="module")
async def platform(tmp_path_factory):
    with EmbeddedKafka() as kafka:
        async with (
            settings_for(tmp_path_factory.mktemp("lapse"), kafka) as settings,
            InProcessPlatform(settings) as p,
        ):
            yield p


async def article_of(p, article_id: str) -> dict[str, Any]:
    r = await p.content_http.get(f"/api/v1/articles/{article_id}", headers=bearer(EDITOR))
    assert r.status_code == 200, r.text
    return r.json()


async def review_of(p, revision: str) -> dict[str, Any]:
    r = await p.editorial_http.get(f"/api/v1/reviews/{revision}", headers=bearer(BOARD))
    assert r.status_code == 200, r.text
    return r.json()


async def lapsed(p, revision: str) -> dict[str, Any]:
    async def check() -> dict[str, Any] | None:
        review = await review_of(p, revision)
        return review if review["lapse_reason"] else None

    return await eventually(check, timeout=30)


async def lapse_audits(p, revision: str) -> list[dict[str, Any]]:
    """AuditRecorded rows editorial wrote for this revision's lapse."""
    async with p.editorial.unit_of_work() as uow:
        rows = (
            await uow.session.execute(
                select(OUTBOX.c.payload).where(OUTBOX.c.event_type.like("%AuditRecorded%"))
            )
        ).all()
    entries = [json.loads(r.payload) for r in rows]
    return [
        e
        for e in entries
        if e["action"] == "review.approval_lapsed" and e["after"]["revision_id"] == revision
    ]


async def test_an_approval_that_loses_the_race_with_a_forced_publication(platform) -> None:
    """A board member approves revision 1 while the board head force-publishes the
    article (revision 2); editorial records the approval before it reads revision 2, so
    the approval stands there while content has moved on."""
    article = await platform.draft_and_submit("Thông báo cắt nước")
    first = article["current_revision_id"]
    r = await platform.content_http.post(
        f"/api/v1/articles/{article['id']}/force-publish",
        json={"version": article["version"], "reason": "Sự cố đường ống, cần báo ngay."},
        headers=bearer(HEAD),
    )
    assert r.status_code == 200, r.text
    forced = r.json()["current_revision_id"]
    # The approval of revision 1, as editorial committed it before revision 2 arrived
    # (which supersedes only reviews still pending): approved, and announced.
    now = datetime.now(UTC)
    async with platform.editorial.unit_of_work() as uow:
        await uow.session.execute(
            update(editorial_store.reviews)
            .where(editorial_store.reviews.c.revision_id == first)
            .values(status="approved", decided_by="bbt.hoankiem", decided_at=now)
        )
        uow.emit(
            RevisionApproved(
                tenant="hoankiem",
                article_id=article["id"],
                revision_id=first,
                decided_by="bbt.hoankiem",
                decided_at=now,
            )
        )
        await uow.commit()

    review = await lapsed(platform, first)
    assert review["status"] == "superseded"
    assert review["lapse_reason"] == "newer_revision"
    assert "bản mới hơn" in review["lapse_message"]
    receipt = (
        await platform.editorial_http.get(
            f"/api/v1/reviews/{first}/receipt", headers=bearer(EDITOR)
        )
    ).json()
    assert receipt["ended"] is True and receipt["message"] == review["lapse_message"]

    # The forced revision is what is live (and it waits for post-review); revision 1 is
    # marked so at content, and was never published.
    async def forced_live() -> bool:
        return (await article_of(platform, article["id"]))["live_revision_id"] == forced

    await eventually(forced_live)
    revisions = await platform.content_http.get(
        f"/api/v1/articles/{article['id']}/revisions", headers=bearer(EDITOR)
    )
    assert [(r["id"], r["decision"]) for r in revisions.json()] == [
        (first, "superseded"),
        (forced, "approved"),
    ]
    audits = await eventually(lambda: lapse_audits(platform, first))
    assert len(audits) == 1
    assert audits[0]["actor"] == "system"
    assert audits[0]["before"]["status"] == "approved"
    assert audits[0]["after"]["status"] == "superseded"
    assert audits[0]["after"]["current_revision_id"] == forced


async def test_a_lapse_delivered_again_changes_nothing_more(platform) -> None:
    article = await platform.draft_and_submit("Bài duyệt rồi bị gỡ lịch")
    revision = article["current_revision_id"]
    at = datetime.now(UTC) + timedelta(hours=2)
    r = await platform.editorial_http.post(
        f"/api/v1/reviews/{revision}/approve",
        json={"publish_at": at.isoformat()},
        headers=bearer(HEAD),
    )
    assert r.status_code == 200, r.text

    async def scheduled() -> dict[str, Any] | None:
        body = await article_of(platform, article["id"])
        return body if body["state"] == "scheduled" else None

    article = await eventually(scheduled)
    r = await platform.content_http.post(
        f"/api/v1/articles/{article['id']}/cancel-schedule",
        json={"version": article["version"]},
        headers=bearer(BOARD),
    )
    assert r.status_code == 200, r.text
    review = await lapsed(platform, revision)
    assert review["lapse_reason"] == "schedule_cancelled"
    assert "huỷ" in review["lapse_message"]
    await eventually(lambda: lapse_audits(platform, revision))
    # The same fact again, under its own id (the inbox stops a same-id redelivery): the
    # review is superseded already, so nothing changes and nothing is audited twice.
    event = ApprovalSuperseded(
        tenant="hoankiem",
        article_id=article["id"],
        revision_id=revision,
        current_revision_id=revision,
        article_state="draft",
        reason="edited",
        superseded_at=datetime.now(UTC),
    )
    env = envelope_for(event, source="/services/content", at=datetime.now(UTC),
                       event_id=str(uuid.uuid4()))  # fmt: skip
    async with platform.editorial.unit_of_work() as uow:
        await editorial_handlers.on_approval_superseded(uow, event, env)
        await uow.commit()
    again = await review_of(platform, revision)
    assert again["lapse_reason"] == "schedule_cancelled"
    assert again["lapsed_at"] == review["lapsed_at"]
    assert len(await lapse_audits(platform, revision)) == 1


async def test_an_approval_after_a_withdrawal_during_review_publishes_nothing(platform) -> None:
    article = await platform.draft_and_submit("Bài sẽ cập nhật")
    r = await platform.editorial_http.post(
        f"/api/v1/reviews/{article['current_revision_id']}/approve", json={}, headers=bearer(BOARD)
    )
    assert r.status_code == 200

    async def live() -> dict[str, Any] | None:
        body = await article_of(platform, article["id"])
        return body if body["state"] == "published" else None

    article = await eventually(live)
    first_live = article["live_revision_id"]
    edited = await platform.content_http.patch(
        f"/api/v1/articles/{article['id']}",
        json={"version": article["version"], "category": "tin-tuc", "title": "Bài cập nhật"},
        headers=bearer(EDITOR),
    )
    assert edited.status_code == 200, edited.text
    submitted = await platform.content_http.post(
        f"/api/v1/articles/{article['id']}/submit",
        json={"version": edited.json()["version"]},
        headers=bearer(EDITOR),
    )
    assert submitted.status_code == 200, submitted.text
    update_revision = submitted.json()["current_revision_id"]
    await eventually(lambda: _queued(platform, update_revision))
    withdrawn = await platform.content_http.post(
        f"/api/v1/articles/{article['id']}/withdraw",
        json={"version": submitted.json()["version"], "reason": "Sai thông tin.", "kind": "gone"},
        headers=bearer(BOARD),
    )
    assert withdrawn.status_code == 200, withdrawn.text
    r = await platform.editorial_http.post(
        f"/api/v1/reviews/{update_revision}/approve", json={}, headers=bearer(HEAD)
    )
    assert r.status_code == 200, r.text
    review = await lapsed(platform, update_revision)
    assert review["lapse_reason"] == "withdrawn"
    now = await article_of(platform, article["id"])
    assert now["state"] == "withdrawn" and now["live_revision_id"] is None
    assert now["title"] == "Bài cập nhật"  # the working copy, never published

    async def gone() -> bool:  # the renderer applies the withdrawal a moment later
        return (await platform.page(article["path"])).status_code == 410

    await eventually(gone, timeout=30)
    revisions = await platform.content_http.get(
        f"/api/v1/articles/{article['id']}/revisions", headers=bearer(EDITOR)
    )
    assert [(r["id"], r["decision"]) for r in revisions.json()] == [
        (first_live, "approved"),
        (update_revision, "superseded"),
    ]


async def _queued(p, revision: str) -> bool:
    r = await p.editorial_http.get(f"/api/v1/reviews/{revision}", headers=bearer(BOARD))
    return r.status_code == 200
