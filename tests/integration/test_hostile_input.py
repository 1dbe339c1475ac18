"""Every public endpoint under bad input: a clear 4xx with a message, never a 5xx,
and nothing stored."""

from __future__ import annotations

import uuid

import pytest
from conftest import BOARD, EDITOR, InProcessPlatform, bearer, settings_for, token_for

from runtime.embedded import EmbeddedKafka

OUTSIDER = token_for("bientap.badinh", {"badinh": "editor"})
COLLABORATOR = token_for("ctv.hoankiem", {"hoankiem": "collaborator"})
FORGED = token_for("x", {"hoankiem": "editor"})[:-4] + "AAAA"

NASTY_STRINGS = [
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "\x00\x01\x02",
    "🙂" * 10,
    "a" * 10_000,
]


@pytest.fixture(scope="module")
async def platform(tmp_path_factory):
    # One platform for the module: these tests only read or make their own articles.
    with EmbeddedKafka() as kafka:
        async with (
            settings_for(tmp_path_factory.mktemp("hostile"), kafka) as settings,
            InProcessPlatform(settings) as p,
        ):
            yield p


async def test_login_rejects_garbage(platform) -> None:
    http = platform.admin_http
    for body in [b"", b"{", b"[]", b'{"username": 1, "password": []}', b"null"]:
        r = await http.post(
            "/api/v1/auth/login", content=body, headers={"content-type": "application/json"}
        )
        assert r.status_code == 400, (body, r.status_code)
    for name in NASTY_STRINGS:
        r = await http.post("/api/v1/auth/login", json={"username": name, "password": name})
        assert r.status_code in (400, 401), (name[:20], r.status_code)
    wrong = await http.post("/api/v1/auth/login", json={"username": "x", "password": "y"})
    assert wrong.status_code == 401
    assert wrong.json()["detail"] == "Sai tên đăng nhập hoặc mật khẩu."


async def test_tenants_api_guards_and_validates(platform) -> None:
    http = platform.admin_http
    for slug in ["KHONG-CO", "a" * 60, "..%2F..", "%00"]:
        assert (await http.get(f"/api/v1/tenants/{slug}")).status_code in (400, 404)
    assert (await http.get("/api/v1/tenants/khongco")).status_code == 404
    body = {"kind": "ward", "name": "Phường Mới", "domain": "moi.hanoi.gov.vn",
            "languages": ["vi"], "parent": "hanoi", "owner": "moi"}  # fmt: skip
    assert (await http.put("/api/v1/tenants/moi", json=body)).status_code == 401
    r = await http.put("/api/v1/tenants/moi", json=body, headers=bearer(EDITOR))
    assert r.status_code == 403
    operator = bearer(token_for("vanhanh", {}, operator=True))
    bad = {**body, "domain": "not a domain", "languages": ["en"]}
    r = await http.put("/api/v1/tenants/moi", json=bad, headers=operator)
    assert r.status_code == 400
    assert "tên miền" in r.json()["detail"]
    assert (await http.get("/api/v1/tenants/moi")).status_code == 404  # nothing stored
    r = await http.put("/api/v1/tenants/moi", json=body, headers=operator)
    assert r.status_code == 200
    assert r.json()["sequence"] == 1


async def test_content_api_refuses_bad_requests(platform) -> None:
    http = platform.content_http
    good = {"tenant": "hoankiem", "category": "tin-tuc", "title": "Tiêu đề"}
    assert (await http.post("/api/v1/articles", json=good)).status_code == 401
    assert (await http.post("/api/v1/articles", json=good,
                            headers=bearer(FORGED))).status_code == 401  # fmt: skip
    r = await http.post("/api/v1/articles", json=good, headers=bearer(OUTSIDER))
    assert r.status_code == 403
    assert "hoankiem" in r.json()["detail"]
    cases = [
        ({**good, "category": "khong-co"}, 422),
        ({**good, "tenant": "khongco"}, 403),  # no role there; existence is not revealed
        ({**good, "tenant": "../x"}, 400),
        ({**good, "title": ""}, 400),
        ({**good, "title": "   \x00 "}, 400),  # NUL: PostgreSQL cannot store it
        ({**good, "title": "  \t "}, 422),
        ({**good, "title": "x" * 501}, 400),
        ({**good, "body_html": "x" * 1_000_001}, 400),
        ({"tenant": "hoankiem"}, 400),
    ]
    for body, status in cases:
        r = await http.post("/api/v1/articles", json=body, headers=bearer(EDITOR))
        assert r.status_code == status, (str(body)[:80], r.status_code, r.text[:200])
    r = await http.post(
        "/api/v1/articles", content=b"\xff\xfe{", headers={**bearer(EDITOR),
                                                           "content-type": "application/json"}
    )  # fmt: skip
    assert r.status_code == 400
    listed = await http.get("/api/v1/articles?tenant=hoankiem", headers=bearer(EDITOR))
    titles = {a["title"] for a in listed.json()}
    assert titles <= {"thử"}  # only the probe article the fixture made

    for path in ["/api/v1/articles/not-a-uuid", f"/api/v1/articles/{uuid.uuid4()}"]:
        assert (await http.get(path, headers=bearer(EDITOR))).status_code == 404
    for query in ["tenant=", "tenant=hoankiem&limit=0", "tenant=hoankiem&limit=abc",
                  "tenant=hoankiem&state=DROP%20TABLE"]:  # fmt: skip
        r = await http.get(f"/api/v1/articles?{query}", headers=bearer(EDITOR))
        assert r.status_code == 400, query


async def test_stale_edit_gets_409_with_the_current_version(platform) -> None:
    http = platform.content_http
    created = (
        await http.post(
            "/api/v1/articles",
            json={"tenant": "hoankiem", "category": "tin-tuc", "title": "Bản đầu"},
            headers=bearer(EDITOR),
        )
    ).json()
    edit = {"version": created["version"], "category": "tin-tuc", "title": "Bản sửa"}
    first = await http.patch(f"/api/v1/articles/{created['id']}", json=edit, headers=bearer(EDITOR))
    assert first.status_code == 200
    stale = await http.patch(
        f"/api/v1/articles/{created['id']}",
        json={**edit, "title": "Sửa đè"},
        headers=bearer(EDITOR),
    )
    assert stale.status_code == 409
    assert stale.json()["extra"]["current"]["title"] == "Bản sửa"
    # A collaborator may write but not submit.
    r = await http.post(
        f"/api/v1/articles/{created['id']}/submit",
        json={"version": first.json()["version"]},
        headers=bearer(COLLABORATOR),
    )
    assert r.status_code == 403
    # Withdrawing a draft is refused with the reason.
    r = await http.post(
        f"/api/v1/articles/{created['id']}/withdraw",
        json={"version": first.json()["version"], "reason": "Sai"},
        headers=bearer(BOARD),
    )
    assert r.status_code == 422
    assert "chưa được xuất bản" in r.json()["detail"]


async def test_editorial_api_refuses_bad_decisions(platform) -> None:
    article = await platform.draft_and_submit("Bài để thử quyết định")
    revision = article["current_revision_id"]
    http = platform.editorial_http
    assert (await http.post(f"/api/v1/reviews/{revision}/approve", json={})).status_code == 401
    r = await http.post(f"/api/v1/reviews/{revision}/approve", json={}, headers=bearer(EDITOR))
    assert r.status_code == 403
    for body, problem in [
        ({"note": "Chưa rõ nguồn tin"}, "căn cứ của Điều 14.3"),
        ({"ground": "boring", "note": "Chưa rõ nguồn tin"}, "căn cứ của Điều 14.3"),
        ({"ground": "untrue", "note": "   "}, "lý do"),
        ({"ground": "untrue"}, "lý do"),
    ]:
        r = await http.post(f"/api/v1/reviews/{revision}/reject", json=body, headers=bearer(BOARD))
        assert r.status_code == 422, body
        assert problem in r.json()["detail"]
    r = await http.post(f"/api/v1/reviews/{revision}/reject", json={"ground": ["x"]},
                        headers=bearer(BOARD))  # fmt: skip
    assert r.status_code == 400
    approve = f"/api/v1/reviews/{revision}/approve"
    r = await http.post(approve, json={"royalty_coefficient": "9999"}, headers=bearer(BOARD))
    assert r.status_code == 422
    assert "hệ số" in r.json()["detail"].lower()
    r = await http.post(
        approve, json={"publish_at": "2026-13-01T00:00+07:00"}, headers=bearer(BOARD)
    )
    assert r.status_code == 400
    # A time without its zone is ambiguous.
    r = await http.post(approve, json={"publish_at": "2026-12-01T00:00:00"}, headers=bearer(BOARD))
    assert r.status_code == 400
    r = await http.post(f"/api/v1/reviews/{uuid.uuid4()}/approve", json={}, headers=bearer(BOARD))
    assert r.status_code == 404
    assert (await http.post(f"/api/v1/reviews/{revision}/approve", json={},
                            headers=bearer(BOARD))).status_code == 200  # fmt: skip
    again = await http.post(f"/api/v1/reviews/{revision}/approve", json={}, headers=bearer(BOARD))
    assert again.status_code == 409
    for query in ["", "tenant=../x", "tenant=hoankiem&status=bogus", "tenant=hoankiem&limit=-1"]:
        r = await http.get(f"/api/v1/reviews?{query}", headers=bearer(BOARD))
        assert r.status_code == 400, query


async def test_renderer_pages_answer_4xx_to_odd_paths_and_hosts(platform) -> None:
    http = platform.renderer_http
    for path in ["/tin-tuc/khong-co", "/%2e%2e/%2e%2e/etc/passwd", "/tin-tuc/%00", "/a/b/c",
                 "/tin-tuc/" + "x" * 3000, "/tin-tuc/%F0%9F%99%82", "/static/../../x"]:  # fmt: skip
        r = await http.get(path, headers={"Host": "hoankiem.localhost"})
        assert 400 <= r.status_code < 500, (path[:40], r.status_code)
    for host in ["khongco.localhost", "bad..host", "x" * 300]:
        r = await http.get("/", headers={"Host": host})
        assert r.status_code == 404, host
        assert "Không tìm thấy trang thông tin điện tử" in r.text


async def test_deeply_nested_json_is_bad_input_everywhere(platform) -> None:
    nested = b"[" * 50_000 + b"]" * 50_000
    for http, path in [
        (platform.content_http, "/api/v1/articles"),
        (platform.editorial_http, f"/api/v1/reviews/{uuid.uuid4()}/reject"),
        (platform.admin_http, "/api/v1/auth/login"),
    ]:
        headers = {**bearer(EDITOR), "content-type": "application/json"}
        r = await http.post(path, content=nested, headers=headers)
        assert 400 <= r.status_code < 500, (path, r.status_code)
