"""Syndication's editor endpoints attacked through the gateway: cross-posts (only the
city board, from the city's published articles, to the city's component sites),
copies (only the board of the site a copy stands on declines or files it) and
proposals (only a component's board, its own published articles, to its city).
Absent, forged and under-privileged tokens, another site's copies and articles,
malformed and unknown ids, huge bodies and injected text each get a clear 4xx and
store nothing and send nothing; the same cross-post or proposal sent twice, or at
once, makes no second copy."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from conftest import bearer, eventually, token_for
from gatedplatform import Gated, syndication_gated
from sqlalchemy import func, select

from runtime.auth import Principal, Role, TokenIssuer, generate_key_pair
from runtime.messaging import OUTBOX
from runtime.settings import Settings
from services.syndication import store
from services.syndication.copies import article_row
from services.syndication.domain import MAX_REASON, MAX_TARGETS, copy_id

CITY_EDITOR = token_for("bientap.hanoi", {"hanoi": "editor"})
CITY_BOARD = token_for("bbt.hanoi", {"hanoi": "board_member"})
WARD_EDITOR = token_for("bientap.hoankiem", {"hoankiem": "editor"})
WARD_BOARD = token_for("bbt.hoankiem", {"hoankiem": "board_member"})
OTHER_WARD_EDITOR = token_for("bientap.badinh", {"badinh": "editor"})
OTHER_WARD_BOARD = token_for("bbt.badinh", {"badinh": "board_member"})
#: Signed in, with no role on any site (a citizen's account, say).
CITIZEN = token_for("congdan.binh", {})
CITY_COLLABORATOR = token_for("ctv.hanoi", {"hanoi": "collaborator"})

CROSSPOSTS = "/api/v1/syndication/crossposts"
COPIES = "/api/v1/syndication/copies"
PROPOSALS = "/api/v1/syndication/proposals"
#: Ids that are not ids: each must be a 4xx, never a 500 or another route's answer.
BAD_IDS = [
    "not-a-uuid",
    "0" * 5000,
    "..%2F..%2Fpartners",
    "%2e%2e",
    "%00",
    "12345678-1234-1234-1234-1234567890ab'--",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
]


def forged_token() -> str:
    """A board token for hanoi signed with a key that is not the platform's."""
    private, _public = generate_key_pair()
    issuer = TokenIssuer(Settings(PORTAL_AUTH_PRIVATE_KEY=private), ttl=timedelta(hours=1))
    return issuer.issue(
        Principal(username="bbt.hanoi", display_name="Giả mạo", roles={"hanoi": Role.board_head})
    )


@pytest.fixture(scope="module")
async def gated(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Gated]:
    async with syndication_gated(tmp_path_factory) as platform:
        yield platform


# --- what the platform holds ---------------------------------------------------------------


async def snapshot(gated: Gated) -> dict[str, Any]:
    """Everything an editor's request could have stored or sent: cross-posts, copies
    (their status, category, version and address), proposals, partners' deliveries,
    and the events syndication sent (copies changed, proposals, audit entries).
    Confirmations renderer sends later are left out: they are not the request's doing."""
    c = store.copies.c
    async with gated.services["syndication"].db.read() as session:
        crossposts = (
            await session.execute(select(store.crossposts.c.id, store.crossposts.c.status))
        ).all()
        copy_rows = (
            await session.execute(
                select(c.copy_id, c.status, c.category, c.sequence, c.reason, c.crosspost_id,
                       c.proposal_id, c.path)
            )
        ).all()  # fmt: skip
        proposals = (
            await session.execute(select(store.proposals.c.id, store.proposals.c.status))
        ).all()
        deliveries = await session.scalar(select(func.count()).select_from(store.deliveries))
        events = (
            await session.execute(
                select(OUTBOX.c.event_type, func.count()).group_by(OUTBOX.c.event_type)
            )
        ).all()
    sent = {
        kind: n
        for kind, n in events
        if any(k in kind for k in ("ArticleSyndicated", "SyndicationProposed", "AuditRecorded"))
    }
    return {
        "crossposts": sorted(map(tuple, crossposts)),
        "copies": sorted(map(tuple, copy_rows)),
        "proposals": sorted(map(tuple, proposals)),
        "deliveries": deliveries,
        "sent": sent,
    }


async def copies_of(gated: Gated, article_id: str) -> list[Any]:
    query = select(store.copies).where(store.copies.c.article_id == article_id)
    async with gated.services["syndication"].db.read() as session:
        return list((await session.execute(query)).all())


async def sent_with_key(gated: Gated, kind: str, key: str) -> int:
    """How many events of `kind` syndication sent under `key` (ArticleSyndicated: the
    article's id; SyndicationProposed: the copy's)."""
    query = (
        select(func.count())
        .select_from(OUTBOX)
        .where(OUTBOX.c.event_type.like(f"%{kind}%"), OUTBOX.c.key == key)
    )
    async with gated.services["syndication"].db.read() as session:
        return int(await session.scalar(query) or 0)


async def audited(gated: Gated, action: str) -> list[dict[str, Any]]:
    """The audit entries syndication sent for `action`, oldest first."""
    query = (
        select(OUTBOX.c.payload).where(OUTBOX.c.event_type.like("%AuditRecorded%"))
        .order_by(OUTBOX.c.id)
    )  # fmt: skip
    async with gated.services["syndication"].db.read() as session:
        entries = [json.loads(p) for p in (await session.execute(query)).scalars()]
    return [e for e in entries if e["action"] == action]


# --- publishing through the gateway ---------------------------------------------------------


async def draft(gated: Gated, tenant: str, title: str, editor: str) -> dict[str, Any]:
    r = await gated.post(
        "/api/v1/articles",
        host=f"{tenant}.localhost",
        json={"tenant": tenant, "category": "tin-tuc", "title": title, "summary": "Tóm tắt",
              "body_html": "<p>Nội dung của bài, đủ dài để đọc.</p>"},
        headers=bearer(editor),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    return r.json()


async def publish(gated: Gated, tenant: str, title: str, editor: str, board: str) -> str:
    """A news article on `tenant`, written, submitted and approved through the gateway;
    its id, once syndication knows it is live."""
    article = await draft(gated, tenant, title, editor)
    submitted = await gated.post(
        f"/api/v1/articles/{article['id']}/submit",
        json={"version": article["version"]},
        headers=bearer(editor),
    )
    assert submitted.status_code == 200, submitted.text
    revision = submitted.json()["current_revision_id"]

    async def approved() -> bool:
        r = await gated.post(f"/api/v1/reviews/{revision}/approve", json={}, headers=bearer(board))
        return r.status_code == 200

    await eventually(approved, timeout=30)
    await eventually(lambda: _syndication_sees(gated, article["id"], live=True), timeout=30)
    return str(article["id"])


async def withdraw(gated: Gated, article_id: str, board: str) -> None:
    current = await gated.get(f"/api/v1/articles/{article_id}", headers=bearer(board))
    r = await gated.post(
        f"/api/v1/articles/{article_id}/withdraw",
        json={"version": current.json()["version"], "reason": "Hết thời hạn đăng"},
        headers=bearer(board),
    )
    assert r.status_code == 200, r.text
    await eventually(lambda: _syndication_sees(gated, article_id, live=False), timeout=30)


async def _syndication_sees(gated: Gated, article_id: str, *, live: bool) -> bool:
    async with gated.services["syndication"].db.read() as session:
        row = await article_row(session, article_id)
    return row is not None and (row.status == "live") == live


async def crosspost(gated: Gated, token: str, body: Any) -> Any:
    return await gated.post(CROSSPOSTS, json=body, headers=bearer(token))


@pytest.fixture(scope="module")
async def scene(gated: Gated) -> dict[str, Any]:
    """A city article cross-posted to hoankiem and badinh (their copies stand live),
    and a ward article of hoankiem's, published, proposed to nobody."""
    city = await publish(gated, "hanoi", "Thành phố ra quân vệ sinh môi trường", CITY_EDITOR,
                         CITY_BOARD)  # fmt: skip
    ward = await publish(gated, "hoankiem", "Phường Hoàn Kiếm họp tổ dân phố", WARD_EDITOR,
                         WARD_BOARD)  # fmt: skip
    r = await crosspost(
        gated, CITY_BOARD, {"article_id": city, "targets": {"sites": ["hoankiem", "badinh"]}}
    )
    assert r.status_code == 201, r.text
    post = r.json()
    by_site = {c["tenant"]: c for c in post["copies"]}
    assert set(by_site) == {"hoankiem", "badinh"}
    return {
        "city": city,
        "ward": ward,
        "post": post["id"],
        "hoankiem_copy": by_site["hoankiem"]["copy_id"],
        "badinh_copy": by_site["badinh"]["copy_id"],
    }


def _detail(r: Any) -> str:
    """The refusal's message, for a person: JSON, a sentence."""
    assert r.headers["content-type"].startswith("application/json"), r.text[:200]
    detail = r.json()["detail"]
    assert isinstance(detail, str) and detail
    return detail


# --- who may do it -------------------------------------------------------------------------


def _every_endpoint(scene: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(method, path, body) of every protected editor endpoint, aimed at real rows."""
    return [
        ("POST", CROSSPOSTS, {"article_id": scene["city"], "targets": {"all": True}}),
        ("GET", f"{CROSSPOSTS}?tenant=hanoi", None),
        ("GET", f"{CROSSPOSTS}/{scene['post']}", None),
        ("POST", f"{CROSSPOSTS}/{scene['post']}/stop", None),
        ("GET", f"{COPIES}?tenant=hoankiem", None),
        ("POST", f"{COPIES}/{scene['hoankiem_copy']}/decline", {"reason": "Không phù hợp"}),
        ("PUT", f"{COPIES}/{scene['hoankiem_copy']}/category", {"category": "tin-tuc"}),
        ("POST", PROPOSALS, {"article_id": scene["ward"], "note": "Đề nghị đăng"}),
        ("GET", f"{PROPOSALS}?tenant=hoankiem", None),
    ]


async def test_no_token_or_a_forged_one_is_refused(gated: Gated, scene: dict[str, Any]) -> None:
    before = await snapshot(gated)
    for headers in (
        {},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer không-phải-mã".encode()},
        bearer(forged_token()),
        bearer(CITY_BOARD[:-4] + ("AAAA" if not CITY_BOARD.endswith("AAAA") else "BBBB")),
    ):
        for method, path, body in _every_endpoint(scene):
            r = await gated.request(method, path, json=body, headers=headers)
            assert r.status_code == 401, (method, path, headers, r.text)
            assert _detail(r)
    r = await gated.post(CROSSPOSTS, json={"article_id": scene["city"], "targets": {"all": True}})
    assert "đăng nhập" in _detail(r)
    # The kinds of site are the form's labels, open to read, and nothing more.
    kinds = await gated.get(f"{CROSSPOSTS}/kinds")
    assert kinds.status_code == 200
    assert kinds.json()["ward"] == "Phường"
    assert (await gated.post(f"{CROSSPOSTS}/kinds", json={})).status_code in (401, 404, 405)
    r = await gated.post(f"{CROSSPOSTS}/kinds/stop", headers=bearer(CITY_BOARD))
    assert r.status_code in (404, 405)
    assert await snapshot(gated) == before


async def test_citizens_and_editors_without_the_board_role_are_refused(
    gated: Gated, scene: dict[str, Any]
) -> None:
    before = await snapshot(gated)
    for token in (CITIZEN, CITY_COLLABORATOR, CITY_EDITOR):
        r = await crosspost(gated, token, {"article_id": scene["city"], "targets": {"all": True}})
        assert r.status_code == 403, r.text
        assert "Thành viên Ban Biên tập trên trang hanoi" in _detail(r)
        r = await gated.post(f"{CROSSPOSTS}/{scene['post']}/stop", headers=bearer(token))
        assert r.status_code == 403, r.text
        assert "Ban Biên tập" in _detail(r)
    # A citizen sees no site's lists, nor the city's cross-post.
    for path in (f"{CROSSPOSTS}?tenant=hanoi", f"{COPIES}?tenant=hoankiem",
                 f"{PROPOSALS}?tenant=hoankiem"):  # fmt: skip
        r = await gated.get(path, headers=bearer(CITIZEN))
        assert r.status_code == 403, (path, r.text)
        assert "congdan.binh" in _detail(r)
    r = await gated.get(f"{CROSSPOSTS}/{scene['post']}", headers=bearer(CITIZEN))
    assert r.status_code == 404
    assert scene["hoankiem_copy"] not in r.text
    # The ward's editor (and a citizen) neither declines, nor files, nor proposes.
    for token in (CITIZEN, WARD_EDITOR):
        r = await gated.post(f"{COPIES}/{scene['hoankiem_copy']}/decline",
                             json={"reason": "Không phù hợp"}, headers=bearer(token))  # fmt: skip
        assert r.status_code == 403, r.text
        assert "Thành viên Ban Biên tập trên trang hoankiem" in _detail(r)
        r = await gated.request("PUT", f"{COPIES}/{scene['hoankiem_copy']}/category",
                                json={"category": "tin-tuc"}, headers=bearer(token))  # fmt: skip
        assert r.status_code == 403, r.text
        assert "Thành viên Ban Biên tập trên trang hoankiem" in _detail(r)
        r = await gated.post(PROPOSALS, json={"article_id": scene["ward"]}, headers=bearer(token))
        assert r.status_code == 403, r.text
        assert "để đề xuất bài" in _detail(r)
    assert await snapshot(gated) == before


async def test_only_the_city_board_crossposts(gated: Gated, scene: dict[str, Any]) -> None:
    before = await snapshot(gated)
    # A ward's board sends the city's article nowhere, whatever its body claims.
    for body in (
        {"article_id": scene["city"], "targets": {"all": True}},
        {"article_id": scene["city"], "targets": {"sites": ["badinh"]}, "tenant": "hanoi",
         "origin": "hanoi", "created_by": "bbt.hanoi"},
    ):  # fmt: skip
        r = await crosspost(gated, WARD_BOARD, body)
        assert r.status_code == 403, r.text
        assert "trên trang hanoi" in _detail(r)
    # Nor its own article: wards propose upwards, only the city sends down.
    r = await crosspost(
        gated, WARD_BOARD, {"article_id": scene["ward"], "targets": {"sites": ["badinh"]}}
    )
    assert r.status_code == 403, r.text
    assert "Chỉ Cổng Thông tin điện tử thành phố" in _detail(r)
    # Nor may the city board send a ward's article down, naming the city in the body.
    r = await crosspost(gated, CITY_BOARD, {"article_id": scene["ward"], "tenant": "hanoi",
                                            "targets": {"sites": ["badinh"]}})  # fmt: skip
    assert r.status_code == 403, r.text
    # A ward's board stops nothing, nor reads the city's cross-post.
    r = await gated.post(f"{CROSSPOSTS}/{scene['post']}/stop", headers=bearer(WARD_BOARD))
    assert r.status_code == 403, r.text
    r = await gated.get(f"{CROSSPOSTS}/{scene['post']}", headers=bearer(WARD_BOARD))
    assert r.status_code == 404
    assert "Không tìm thấy" in _detail(r)
    r = await gated.get(CROSSPOSTS, params={"tenant": "hanoi"}, headers=bearer(WARD_BOARD))
    assert r.status_code == 403
    assert await snapshot(gated) == before


async def test_a_ward_board_acts_only_on_copies_on_its_own_site(
    gated: Gated, scene: dict[str, Any]
) -> None:
    before = await snapshot(gated)
    theirs = scene["hoankiem_copy"]
    r = await gated.post(f"{COPIES}/{theirs}/decline", json={"reason": "Không phù hợp"},
                         headers=bearer(OTHER_WARD_BOARD))  # fmt: skip
    assert r.status_code == 403, r.text
    assert "trên trang hoankiem" in _detail(r)
    r = await gated.request("PUT", f"{COPIES}/{theirs}/category", json={"category": "tin-tuc"},
                            headers=bearer(OTHER_WARD_BOARD))  # fmt: skip
    assert r.status_code == 403, r.text
    assert "trên trang hoankiem" in _detail(r)
    # Its list is its own; naming the other ward's site opens nothing.
    r = await gated.get(COPIES, params={"tenant": "hoankiem"}, headers=bearer(OTHER_WARD_BOARD))
    assert r.status_code == 403
    assert theirs not in r.text
    mine = await gated.get(COPIES, params={"tenant": "badinh"}, headers=bearer(OTHER_WARD_BOARD))
    assert mine.status_code == 200
    assert {c["tenant"] for c in mine.json()} == {"badinh"}
    assert theirs not in mine.text
    # The city board, which sent the copy, does not decide what stands on a ward's site.
    r = await gated.post(f"{COPIES}/{theirs}/decline", json={}, headers=bearer(CITY_BOARD))
    assert r.status_code == 403
    assert "trên trang hoankiem" in _detail(r)
    assert await snapshot(gated) == before


async def test_proposals_only_of_a_boards_own_published_articles_to_its_city(
    gated: Gated, scene: dict[str, Any]
) -> None:
    unpublished = await draft(gated, "hoankiem", "Bản nháp chưa duyệt", WARD_EDITOR)
    gone = await publish(gated, "hoankiem", "Tin đã gỡ", WARD_EDITOR, WARD_BOARD)
    await withdraw(gated, gone, WARD_BOARD)
    before = await snapshot(gated)

    async def propose(token: str, body: dict[str, Any]) -> Any:
        return await gated.post(PROPOSALS, json=body, headers=bearer(token))

    # Another ward's board, whatever site its body names.
    for body in (
        {"article_id": scene["ward"]},
        {"article_id": scene["ward"], "tenant": "hoankiem", "origin": "hoankiem"},
    ):
        r = await propose(OTHER_WARD_BOARD, body)
        assert r.status_code == 403, r.text
        assert "trên trang hoankiem để đề xuất bài" in _detail(r)
    # An article never published (a draft), and one withdrawn.
    r = await propose(WARD_BOARD, {"article_id": unpublished["id"]})
    assert r.status_code == 404, r.text
    assert "Không tìm thấy bài đã xuất bản" in _detail(r)
    r = await propose(WARD_BOARD, {"article_id": gone})
    assert r.status_code == 422, r.text
    assert "đã bị gỡ" in _detail(r)
    # The city board proposing the city's own article to itself.
    r = await propose(CITY_BOARD, {"article_id": scene["city"]})
    assert r.status_code == 422, r.text
    assert "không phải trang thành phần" in _detail(r)
    # The city board proposing a ward's article in the ward's stead.
    r = await propose(CITY_BOARD, {"article_id": scene["ward"]})
    assert r.status_code == 403, r.text
    assert await snapshot(gated) == before


# --- wrong sites, unknown and malformed ids --------------------------------------------------


async def test_unknown_or_foreign_target_sites_are_named_and_nothing_is_sent(
    gated: Gated, scene: dict[str, Any]
) -> None:
    before = await snapshot(gated)
    city = scene["city"]
    r = await crosspost(
        gated, CITY_BOARD, {"article_id": city, "targets": {"sites": ["caugiay", "khong-co"]}}
    )
    assert r.status_code == 422, r.text
    assert "khong-co" in _detail(r)
    assert "caugiay" not in _detail(r)  # only what is wrong is named
    # The city itself is no target of its own cross-post.
    r = await crosspost(gated, CITY_BOARD, {"article_id": city, "targets": {"sites": ["hanoi"]}})
    assert r.status_code == 422, r.text
    assert "hanoi" in _detail(r)
    many = [f"khong-co-{i}" for i in range(50)]
    r = await crosspost(gated, CITY_BOARD, {"article_id": city, "targets": {"sites": many}})
    assert r.status_code == 422
    assert len(_detail(r)) < 500  # ten are named, then "…"
    for targets in ({}, {"all": False}, {"sites": []}, {"all": True, "kinds": ["ward"]}):
        r = await crosspost(gated, CITY_BOARD, {"article_id": city, "targets": targets})
        assert r.status_code == 422, (targets, r.text)
        assert "Chọn đúng một cách" in _detail(r)
    for targets in (
        {"kinds": ["city"]},
        {"kinds": ["ward"] * 5},
        {"sites": ["../hanoi"]},
        {"sites": ["<script>"]},
        {"sites": ["HoanKiem"]},
        {"sites": ["a" * 51]},
        {"sites": "hoankiem"},
        {"sites": [["hoankiem"]]},
        {"all": "có chứ"},
        "all",
    ):
        r = await crosspost(gated, CITY_BOARD, {"article_id": city, "targets": targets})
        assert r.status_code == 400, (targets, r.text)
        assert r.json()["extra"], r.text  # which field is wrong
    r = await crosspost(gated, CITY_BOARD, {"article_id": city, "targets": {"all": True},
                                            "category": "../../etc/passwd"})  # fmt: skip
    assert r.status_code == 400, r.text
    assert await snapshot(gated) == before


async def test_unknown_or_malformed_ids_are_4xx(gated: Gated, scene: dict[str, Any]) -> None:
    before = await snapshot(gated)
    unknown = str(uuid.uuid4())
    for bad in [*BAD_IDS, unknown]:
        for method, path, body in (
            ("GET", f"{CROSSPOSTS}/{bad}", None),
            ("POST", f"{CROSSPOSTS}/{bad}/stop", None),
            ("POST", f"{COPIES}/{bad}/decline", {"reason": "x"}),
            ("PUT", f"{COPIES}/{bad}/category", {"category": "tin-tuc"}),
        ):
            r = await gated.request(method, path, json=body, headers=bearer(CITY_BOARD))
            assert r.status_code in (400, 404, 405), (method, path[:80], r.status_code, r.text)
            if bad == unknown:
                assert r.status_code == 404
                assert "Không tìm thấy" in _detail(r)
    # The same for article ids in the body: not an id is 400, an unknown id 404.
    for bad in ["../", "x" * 20_000, "not-a-uuid", 123, None, [scene["city"]],
                {"$ne": None}, scene["city"] + "\x00"]:  # fmt: skip
        for path, body in (
            (CROSSPOSTS, {"article_id": bad, "targets": {"all": True}}),
            (PROPOSALS, {"article_id": bad}),
        ):
            r = await gated.post(path, json=body, headers=bearer(CITY_BOARD))
            assert r.status_code == 400, (path, str(bad)[:40], r.text[:300])
    for path, body in (
        (CROSSPOSTS, {"article_id": unknown, "targets": {"all": True}}),
        (PROPOSALS, {"article_id": unknown}),
    ):
        r = await gated.post(path, json=body, headers=bearer(CITY_BOARD))
        assert r.status_code == 404, r.text
        assert "Không tìm thấy bài" in _detail(r)
    # Malformed sites in the lists' query.
    for tenant in ("../hanoi", "HANOI", "a" * 51, "hanoi'--", ""):
        r = await gated.get(COPIES, params={"tenant": tenant}, headers=bearer(CITY_BOARD))
        assert r.status_code == 400, (tenant, r.text)
    for raw in (b"not json", b"[]", b"null", b'{"article_id": ', b"\xff\xfe"):
        r = await gated.post(
            CROSSPOSTS, content=raw,
            headers={**bearer(CITY_BOARD), "Content-Type": "application/json"},
        )  # fmt: skip
        assert r.status_code == 400, (raw, r.text)
    assert await snapshot(gated) == before


# --- huge bodies, long and injected text ----------------------------------------------------


async def test_huge_bodies_are_refused_quickly_and_the_service_answers_on(
    gated: Gated, scene: dict[str, Any]
) -> None:
    before = await snapshot(gated)
    pad = "x" * 2_000_000
    huge = [
        # A cross-post that would be accepted, carried in 2 MB of JSON.
        ("POST", CROSSPOSTS, CITY_BOARD,
         {"article_id": scene["city"], "targets": {"sites": ["caugiay"]}, "padding": pad}),
        ("POST", CROSSPOSTS, CITY_BOARD,
         {"article_id": scene["city"], "targets": {"sites": [f"s{i}" for i in range(100_000)]}}),
        ("POST", f"{COPIES}/{scene['hoankiem_copy']}/decline", WARD_BOARD,
         {"reason": "x" * 1_000_000}),
        ("PUT", f"{COPIES}/{scene['hoankiem_copy']}/category", WARD_BOARD,
         {"category": "tin-tuc", "padding": pad}),
        ("POST", PROPOSALS, WARD_BOARD, {"article_id": scene["ward"], "note": pad}),
        ("POST", PROPOSALS, WARD_BOARD, {"article_id": scene["ward"], "padding": pad}),
    ]  # fmt: skip
    for method, path, token, body in huge:
        started = time.monotonic()
        r = await gated.request(method, path, json=body, headers=bearer(token))
        elapsed = time.monotonic() - started
        assert r.status_code == 413, (path, r.status_code, r.text[:300])
        assert "quá lớn" in _detail(r)
        assert elapsed < 5, (path, elapsed)
    # Just over each bound, in a small body: refused, the field named.
    for method, path, token, body, field in (
        ("POST", f"{COPIES}/{scene['hoankiem_copy']}/decline", WARD_BOARD,
         {"reason": "x" * (MAX_REASON + 1)}, "reason"),
        ("POST", PROPOSALS, WARD_BOARD,
         {"article_id": scene["ward"], "note": "x" * (MAX_REASON + 1)}, "note"),
        ("POST", CROSSPOSTS, CITY_BOARD, {"article_id": scene["city"], "targets": {
            "sites": [f"s{i}" for i in range(MAX_TARGETS + 1)]}}, "targets.sites"),
    ):  # fmt: skip
        r = await gated.request(method, path, json=body, headers=bearer(token))
        assert r.status_code == 400, (path, r.text[:300])
        assert r.json()["extra"][0]["key"] == field, r.text[:300]
    # The largest body a person can send still fits: 200 sites and a long Vietnamese reason.
    sites = [f"{i:03d}-" + "a" * 46 for i in range(MAX_TARGETS)]
    widest = {"article_id": str(uuid.uuid4()), "category": "a" * 60, "targets": {"sites": sites}}
    r = await crosspost(gated, CITY_BOARD, widest)
    assert r.status_code == 404, r.text[:300]  # read and checked, not refused for its size
    r = await gated.post(f"{COPIES}/{uuid.uuid4()}/decline", json={"reason": "ữ" * MAX_REASON},
                         headers=bearer(WARD_BOARD))  # fmt: skip
    assert r.status_code == 404, r.text[:300]
    # Nested a thousand deep: refused, not a RecursionError.
    deep = '{"article_id": "' + scene["ward"] + '", "category": '
    deep += '{"a": ' * 1000 + '"x"' + "}" * 1000 + "}"
    r = await gated.post(
        PROPOSALS,
        content=deep.encode(),
        headers={**bearer(WARD_BOARD), "Content-Type": "application/json"},
    )
    assert 400 <= r.status_code < 500, r.text[:300]
    # The service answers on.
    assert (await gated.get(f"{CROSSPOSTS}/kinds")).status_code == 200
    r = await gated.get(COPIES, params={"tenant": "hoankiem"}, headers=bearer(WARD_BOARD))
    assert r.status_code == 200
    assert scene["hoankiem_copy"] in r.text
    assert await snapshot(gated) == before


async def test_a_category_must_be_one_of_the_wards_own(gated: Gated, scene: dict[str, Any]) -> None:
    async with gated.services["syndication"].db.read() as session:
        trees = {
            r.tenant: {c["slug"] for c in r.categories}
            for r in (await session.execute(select(store.trees))).all()
        }
    city_only = sorted(trees["hanoi"] - trees["hoankiem"])
    before = await snapshot(gated)
    path = f"{COPIES}/{scene['hoankiem_copy']}/category"
    for category in ["khong-co-chuyen-muc", *city_only[:1]]:
        r = await gated.request(
            "PUT", path, json={"category": category}, headers=bearer(WARD_BOARD)
        )
        assert r.status_code == 422, r.text
        assert f"Trang hoankiem không có chuyên mục «{category}»" in _detail(r)
    for category in ("../tin-tuc", "tin-tuc/../../admin", "<b>x</b>", "Tin Tức", "", "a" * 61,
                     None, 7, ["tin-tuc"]):  # fmt: skip
        r = await gated.request(
            "PUT", path, json={"category": category}, headers=bearer(WARD_BOARD)
        )
        assert r.status_code == 400, (category, r.text)
    r = await gated.request("PUT", path, json={}, headers=bearer(WARD_BOARD))
    assert r.status_code == 400
    assert await snapshot(gated) == before


async def test_injected_text_in_a_reason_or_note_stays_text(
    gated: Gated, scene: dict[str, Any]
) -> None:
    """A reason or note is plain text: bounded, its whitespace folded, returned as JSON
    (the editors' screens escape it), never part of a copy's address."""
    evil = '<script>alert("x")</script>\n\n../../../etc/passwd <img src=x onerror=alert(1)>'
    article = await publish(gated, "badinh", "Ba Đình trồng cây xanh", OTHER_WARD_EDITOR,
                            OTHER_WARD_BOARD)  # fmt: skip
    r = await gated.post(
        PROPOSALS, json={"article_id": article, "note": evil, "category": "tin-tuc"},
        headers=bearer(OTHER_WARD_BOARD),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.headers["content-type"].startswith("application/json")
    proposal = r.json()
    assert proposal["note"] == " ".join(evil.split())
    assert (proposal["origin"], proposal["target"]) == ("badinh", "hanoi")
    (copy,) = await copies_of(gated, article)
    assert copy.path.startswith("/tin-tuc/") and ".." not in copy.path and "<" not in copy.path
    # A decline's reason goes to the audit log only, bounded; the copy keeps a code.
    sent = await sent_with_key(gated, "ArticleSyndicated", scene["city"])
    reason = (evil + " ").ljust(MAX_REASON, "y")
    r = await gated.post(f"{COPIES}/{scene['badinh_copy']}/decline", json={"reason": reason},
                         headers=bearer(OTHER_WARD_BOARD))  # fmt: skip
    assert r.status_code == 200, r.text
    declined = r.json()
    assert (declined["status"], declined["reason"]) == ("declined", "declined")
    assert "<script>" not in r.text and "passwd" not in r.text
    (note,) = [e["after"]["note"] for e in await audited(gated, "syndication.decline")
               if e["subject"] == f"copy:{scene['badinh_copy']}"]  # fmt: skip
    assert note == " ".join(reason.split()) and len(note) <= MAX_REASON
    assert await sent_with_key(gated, "ArticleSyndicated", scene["city"]) == sent + 1
    # Declined twice: refused, and nothing more is sent.
    r = await gated.post(f"{COPIES}/{scene['badinh_copy']}/decline", json={"reason": evil},
                         headers=bearer(OTHER_WARD_BOARD))  # fmt: skip
    assert r.status_code == 422
    assert "từ chối bài này rồi" in _detail(r)
    assert await sent_with_key(gated, "ArticleSyndicated", scene["city"]) == sent + 1


# --- the same request twice -------------------------------------------------------------


async def test_the_same_crosspost_twice_or_at_once_makes_one_copy_per_site(gated: Gated) -> None:
    """Copy ids are derived from (article, site) (domain.copy_id), and a cross-post skips
    a site that shows the article already, declined it, or has it pending."""
    article = await publish(gated, "hanoi", "Thành phố tổ chức lễ hội mùa thu", CITY_EDITOR,
                            CITY_BOARD)  # fmt: skip
    body = {"article_id": article, "targets": {"sites": ["caugiay", "dongda", "caugiay"]}}
    results = await asyncio.gather(*(crosspost(gated, CITY_BOARD, body) for _ in range(6)))
    assert all(r.status_code == 201 for r in results), [r.text for r in results]
    sent_to = sorted(c["tenant"] for r in results for c in r.json()["copies"])
    assert sent_to == ["caugiay", "dongda"]  # each site once, whichever request won
    rows = await copies_of(gated, article)
    assert sorted((r.tenant, r.copy_id, r.status) for r in rows) == [
        ("caugiay", copy_id(article, "caugiay"), "live"),
        ("dongda", copy_id(article, "dongda"), "live"),
    ]
    assert await sent_with_key(gated, "ArticleSyndicated", article) == 1
    # Once more, in turn: nothing new stands anywhere, nothing is sent.
    again = await crosspost(gated, CITY_BOARD, body)
    assert again.status_code == 201, again.text
    assert again.json()["copies"] == []
    assert len(await copies_of(gated, article)) == 2
    assert await sent_with_key(gated, "ArticleSyndicated", article) == 1
    # Stopping at once, three times: one stops it, the copies are withdrawn once.
    first = next(r.json() for r in results if r.json()["copies"])
    stops = await asyncio.gather(
        *(gated.post(f"{CROSSPOSTS}/{first['id']}/stop", headers=bearer(CITY_BOARD))
          for _ in range(3))
    )  # fmt: skip
    assert sorted(r.status_code for r in stops) == [200, 409, 409], [r.text for r in stops]
    assert "đã dừng rồi" in next(_detail(r) for r in stops if r.status_code == 409)
    assert await sent_with_key(gated, "ArticleSyndicated", article) == 2
    assert {r.status for r in await copies_of(gated, article)} == {"withdrawn"}


async def test_the_same_proposal_twice_or_at_once_makes_one(gated: Gated) -> None:
    article = await publish(gated, "hoankiem", "Hoàn Kiếm khai trương phố đi bộ", WARD_EDITOR,
                            WARD_BOARD)  # fmt: skip
    body = {"article_id": article, "note": "Đề nghị đăng trên Cổng"}
    results = await asyncio.gather(
        *(gated.post(PROPOSALS, json=body, headers=bearer(WARD_BOARD)) for _ in range(6))
    )
    codes = sorted(r.status_code for r in results)
    assert codes == [201, 409, 409, 409, 409, 409], [r.text for r in results]
    assert "đang chờ Ban Biên tập Cổng duyệt" in next(
        _detail(r) for r in results if r.status_code == 409
    )
    (copy,) = await copies_of(gated, article)
    assert (copy.tenant, copy.status) == ("hanoi", "pending")
    assert await sent_with_key(gated, "SyndicationProposed", copy.copy_id) == 1
    query = select(func.count()).select_from(store.proposals)
    async with gated.services["syndication"].db.read() as session:
        n = await session.scalar(query.where(store.proposals.c.article_id == article))
    assert n == 1
