"""admin's hash-chained audit log: every service's actions arrive through the audit
topic, are searchable by the right people, cannot be updated or deleted, and
verification points at the first entry tampered with or cut off."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from conftest import InProcessPlatform, bearer, eventually, settings_for, token_for
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from contracts import AuditRecorded, envelope_for
from runtime.embedded import EmbeddedKafka
from services.admin import handlers, store
from services.admin.audit import verify

OPERATOR = bearer(token_for("vanhanh", {}, operator=True))
QUANTRI = bearer(token_for("quantri.hoankiem", {"hoankiem": "tenant_admin"}))
QUANTRI_BADINH = bearer(token_for("quantri.badinh", {"badinh": "tenant_admin"}))
EDITOR = bearer(token_for("bientap.hoankiem", {"hoankiem": "editor"}))


@pytest.fixture(scope="module")
async def platform(tmp_path_factory):
    with EmbeddedKafka() as kafka:
        async with (
            settings_for(tmp_path_factory.mktemp("audit"), kafka) as settings,
            InProcessPlatform(settings) as p,
        ):
            yield p


async def search(platform, headers: dict[str, str] = OPERATOR, **params: Any) -> Any:
    r = await platform.admin_http.get("/api/v1/audit", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


async def verified(platform) -> dict[str, Any]:
    r = await platform.admin_http.get("/api/v1/audit/verify", headers=OPERATOR)
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_content_action_shows_up_for_those_who_may_see_it(platform) -> None:
    article = await platform.draft_and_submit("Bài để thử nhật ký")
    subject = f"article:{article['id']}"

    async def both_in() -> list[dict[str, Any]]:
        found = await search(platform, subject=subject)
        return len(found) >= 2 and found

    entries = await eventually(both_in)
    assert [e["action"] for e in entries] == ["article.submit", "article.create"]  # newest first
    created = entries[1]
    assert created["actor"] == "bientap.hoankiem"
    assert created["tenant"] == "hoankiem"
    assert created["before"] is None
    assert {"field": "title", "before": None, "after": "Bài để thử nhật ký"} in created["changes"]
    assert entries[0]["seq"] > created["seq"]
    assert entries[0]["prev_hash"] != created["prev_hash"]

    # Filters: action prefix, free text, time window, paging.
    assert {e["action"] for e in await search(platform, subject=subject, action="article.c")} == {
        "article.create"
    }
    assert await search(platform, q=article["id"][:8].upper(), limit=200)
    at = datetime.fromisoformat(created["at"])
    window = await search(
        platform,
        subject=subject,
        since=(at - timedelta(seconds=1)).isoformat(),
        until=at.isoformat(),
    )
    assert [e["seq"] for e in window] == [created["seq"]]
    assert (
        await search(platform, subject=subject, since=(at + timedelta(hours=1)).isoformat()) == []
    )
    page = await search(platform, subject=subject, limit=1, offset=1)
    assert [e["seq"] for e in page] == [created["seq"]]
    assert await search(platform, action="article.%") == []  # % is a letter here, not a wildcard

    # hoankiem's admin sees it; badinh's does not, and may not ask; editors see nothing.
    assert await search(platform, QUANTRI, subject=subject)
    assert await search(platform, QUANTRI_BADINH, subject=subject) == []
    http = platform.admin_http
    r = await http.get("/api/v1/audit", params={"tenant": "hoankiem"}, headers=QUANTRI_BADINH)
    assert r.status_code == 403
    assert r.json()["detail"] == "Tài khoản quantri.badinh không quản trị trang hoankiem."
    r = await http.get("/api/v1/audit", headers=EDITOR)
    assert r.status_code == 403
    assert "Chỉ quản trị trang và cán bộ vận hành" in r.json()["detail"]
    assert (await http.get("/api/v1/audit")).status_code == 401
    r = await http.get("/api/v1/audit/verify", headers=QUANTRI)
    assert r.status_code == 403
    assert r.json()["detail"] == "Chỉ cán bộ vận hành được kiểm tra toàn vẹn nhật ký."


async def test_admins_own_actions_reach_the_log_platform_wide(platform) -> None:
    name = f"khongco.{uuid.uuid4().hex[:6]}"
    r = await platform.admin_http.post(
        "/api/v1/auth/login", json={"username": name, "password": "Sai-mật-khẩu-1"}
    )
    assert r.status_code == 401

    async def logged() -> list[dict[str, Any]]:
        return await search(platform, actor=name, action="auth.")

    [entry] = await eventually(logged)
    assert entry["action"] == "auth.login_failed"
    assert entry["tenant"] is None
    # Platform-wide entries are for operators only.
    assert await search(platform, QUANTRI, actor=name) == []


async def test_bad_searches_get_400(platform) -> None:
    http = platform.admin_http
    for params, message in [
        ({"since": "2026-11-24T08:00:00"}, "Thời điểm tìm kiếm phải kèm múi giờ."),
        ({"since": "hôm qua"}, "Thời điểm bắt đầu không hợp lệ"),
        (
            {"since": "2026-11-25T00:00:00Z", "until": "2026-11-24T00:00:00Z"},
            "Thời điểm bắt đầu phải trước hoặc bằng thời điểm kết thúc.",
        ),
        ({"q": "x" * 201}, "tối đa 200 ký tự"),
        ({"actor": "a\x00b"}, "NUL"),
        ({"q": "\x00"}, "NUL"),
    ]:
        r = await http.get("/api/v1/audit", params=params, headers=OPERATOR)
        assert r.status_code == 400, (params, r.status_code)
        assert message in r.json()["detail"], (params, r.json())
    for query in ["limit=0", "limit=201", "limit=abc", "offset=-1", "tenant=../x",
                  "tenant=HOANKIEM", "q=" + "x" * 1001, "actor=" + "a" * 101]:  # fmt: skip
        r = await http.get(f"/api/v1/audit?{query}", headers=OPERATOR)
        assert r.status_code == 400, query
    # Blank filters (as an HTML form sends them) are no filters.
    r = await http.get("/api/v1/audit?actor=&tenant=&action=&subject=&since=&until=&q=",
                       headers=OPERATOR)  # fmt: skip
    assert r.status_code == 200
    assert r.json()
    # An unencoded "+07:00" arrives as a space and is still understood.
    r = await http.get("/api/v1/audit?since=2026-11-24T08:00:00+07:00", headers=OPERATOR)
    assert r.status_code == 200


async def test_a_redelivered_event_is_appended_once(platform) -> None:
    event = AuditRecorded(
        tenant="hoankiem",
        entry_id=str(uuid.uuid4()),
        actor="thu.nghiem",
        action="test.redelivery",
        subject="test:1",
        at=datetime.now(UTC),
        before={"a": 1},
        after={"a": 2, "tên": "Hà Nội"},
    )
    envelope = envelope_for(event, source="/tests", at=datetime.now(UTC))
    for _ in range(2):
        async with platform.admin.unit_of_work() as uow:
            await handlers.on_audit_recorded(uow, event, envelope)
            await uow.commit()
    entries = await search(platform, action="test.redelivery")
    assert len(entries) == 1
    assert entries[0]["changes"] == [
        {"field": "a", "before": 1, "after": 2},
        {"field": "tên", "before": None, "after": "Hà Nội"},
    ]


async def test_stored_rows_verify_and_come_back_in_utc(platform) -> None:
    await eventually(lambda: search(platform))
    async with platform.admin.db.read() as session:
        entries = await store.audit_batch(session, 0, 10_000)
        head = await store.read_audit_head(session)
    assert entries
    assert all(e.at.tzinfo is UTC for e in entries)
    result = verify(entries)
    assert result.ok, result
    assert result.checked == len(entries)
    report = await verified(platform)
    assert report["ok"] is True, report
    assert report["checked"] >= len(entries)
    assert report["first_bad_seq"] is None
    assert report["head_seq"] >= head.seq


async def _admin_sql(platform, *statements: str) -> None:
    async with platform.admin.db.session() as session:
        for statement in statements:
            await session.execute(text(statement))
        await session.commit()


# Runs last in the module: it breaks the log on purpose.
async def test_updates_are_refused_and_tampering_is_found(platform) -> None:
    async def has_entries() -> list[dict[str, Any]]:
        found = await search(platform, action="article.")
        return len(found) >= 2 and found

    newest, older = (await has_entries() or await eventually(has_entries))[:2]
    for statement in [
        f"UPDATE audit_log SET actor = 'ke.gian' WHERE seq = {older['seq']}",
        f"DELETE FROM audit_log WHERE seq = {older['seq']}",
    ]:
        with pytest.raises(DBAPIError, match="append-only"):
            await _admin_sql(platform, statement)
    assert (await verified(platform))["ok"] is True

    if platform.admin.db.is_postgres:
        drop = ["DROP TRIGGER audit_log_append_only ON audit_log"]
    else:
        drop = ["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"]
    await _admin_sql(
        platform, *drop, f"UPDATE audit_log SET actor = 'ke.gian' WHERE seq = {older['seq']}"
    )
    report = await verified(platform)
    assert report["ok"] is False
    assert report["first_bad_seq"] == older["seq"]
    assert report["checked"] == older["seq"] - 1
    assert "đã bị sửa" in report["problem"]

    # Put it back, then cut the newest entries off the end: the anchored head notices.
    await _admin_sql(
        platform,
        f"UPDATE audit_log SET actor = '{older['actor']}' WHERE seq = {older['seq']}",
    )
    assert (await verified(platform))["ok"] is True
    last = (await search(platform, limit=1))[0]["seq"]
    await _admin_sql(platform, f"DELETE FROM audit_log WHERE seq >= {newest['seq']}")
    report = await verified(platform)
    assert report["ok"] is False
    assert report["first_bad_seq"] == newest["seq"]
    assert report["head_seq"] >= last
    assert "bị cắt" in report["problem"]
