"""Migrating the old portal: `portal import articles` against the services in this process.

The CLI runs in a thread (it is synchronous; the services run on this event loop),
with --admin-url / --content-url / --site-url pointing at each service, since the
in-process platform has no gateway; scripts/bench_import.py runs it through one.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pypdf
import pytest
from conftest import InProcessPlatform, bearer, eventually, settings_for, token_for

from portal import cli
from runtime.embedded import EmbeddedKafka
from services.admin.domain import DEMO_PASSWORD
from services.admin.security import demo_totp_secret

TENANT = "hanoi"
HEAD = token_for("bbt.hanoi", {TENANT: "board_head"})
ADMIN = token_for("quantri.hanoi", {TENANT: "tenant_admin"})
EDITOR = token_for("bientap.hanoi", {TENANT: "editor"})
OTHER_HEAD = token_for("bbt.badinh", {"badinh": "board_head"})
OPERATOR = token_for("vanhanh", {}, operator=True)
#: The board head of a site that does not exist.
NOWHERE_HEAD = token_for("bbt.khongco", {"khongco": "board_head"})


@pytest.fixture(scope="module")
async def platform(tmp_path_factory):
    with EmbeddedKafka() as kafka:
        async with (
            settings_for(tmp_path_factory.mktemp("import"), kafka) as settings,
            # Demo accounts: the CLI logs in as bbt.hanoi (password and TOTP).
            InProcessPlatform(settings.with_overrides(demo=True)) as p,
        ):
            yield p


@pytest.fixture(autouse=True)
def no_retry_wait(monkeypatch) -> None:
    monkeypatch.setattr(cli, "RETRY_DELAY", 0.0)


def pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def article(n: int, **changes: Any) -> dict[str, Any]:
    return {
        "legacy_id": f"cu-{n}",
        "title": f"Tin cũ số {n}: Hà Nội triển khai chuyển đổi số",
        "summary": f"Tóm tắt bài {n}.",
        "body_html": f"<p>Nội dung bài {n}.</p>",
        "category": ["tin-tuc", "thong-bao", "chi-dao-dieu-hanh"][n % 3],
        "published_at": f"20{10 + n % 14:02d}-0{1 + n % 9}-1{n % 10}T08:30:00+07:00",
        "author": "Ban Biên tập cổng cũ",
        **changes,
    }


GOOD = 22
#: Line number (1-based) → what the report must say about it.
BAD = {
    23: "Dòng không phải JSON hợp lệ.",
    24: "Mỗi dòng phải là một đối tượng JSON {…}.",
    25: "Thiếu trường title.",
    26: "thiếu múi giờ",
    27: "nằm trong tương lai",
    28: "Chuyên mục “khong-co” không có trên trang này.",
    29: "Không đọc được tệp đính kèm thứ 1 (khong-co.pdf)",
    30: "phải nằm trong thư mục của tệp JSONL",
    31: "Tiêu đề dài 501 ký tự",
    33: "Tệp đính kèm thứ 1 (ghi-chu.pdf)",
}


def write_export(folder: Path) -> Path:
    (folder / "dinhkem").mkdir(parents=True)
    (folder / "dinhkem" / "baocao.pdf").write_bytes(pdf())
    (folder / "dinhkem" / "ghi-chu.pdf").write_bytes(b"not a pdf, just text")
    (folder.parent / "secret.pdf").write_bytes(pdf())
    lines = [json.dumps(article(n), ensure_ascii=False) for n in range(1, GOOD + 1)]
    # Line 1 carries an attachment; line 2 a script; line 3 no legacy id; line 4 NFD text.
    attached = [{"file": "dinhkem/baocao.pdf", "title": "Báo cáo tổng kết"}]
    lines[0] = json.dumps(article(1, attachments=attached), ensure_ascii=False)
    lines[1] = json.dumps(article(2, body_html="<p>Bài 2<script>alert(1)</script></p>"))
    lines[2] = json.dumps(article(3, legacy_id=None, extra_field="ignored"))
    lines[3] = json.dumps(article(4, title="Phường Hoàn Kiếm ra quân"))
    lines += [
        "{not json",
        "[1, 2, 3]",
        json.dumps({k: v for k, v in article(25).items() if k != "title"}),
        json.dumps(article(26, published_at="2020-01-01T08:00:00")),
        json.dumps(article(27, published_at="2999-01-01T08:00:00+07:00")),
        json.dumps(article(28, category="khong-co")),
        json.dumps(article(29, attachments=[{"file": "khong-co.pdf"}])),
        json.dumps(article(30, attachments=[{"file": "../secret.pdf"}])),
        json.dumps(article(31, title="T" * 501)),
        json.dumps(article(1)),  # line 32: the same legacy id as line 1: skipped
        json.dumps(article(33, attachments=[{"file": "dinhkem/ghi-chu.pdf"}])),
        "",  # a blank line is neither imported nor a mistake
    ]
    path = folder / "bai-cu.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def urls(p: InProcessPlatform) -> list[str]:
    return [
        "--admin-url", str(p.admin_http.base_url),
        "--content-url", str(p.content_http.base_url),
        "--site-url", str(p.renderer_http.base_url),
    ]  # fmt: skip


async def run_cli(*argv: str) -> int:
    return await asyncio.to_thread(cli.main, ["import", "articles", *argv, "--no-progress"])


async def test_import_publishes_as_migrated_and_a_rerun_skips(
    platform, tmp_path, monkeypatch, capsys
) -> None:
    p = platform
    export = write_export(tmp_path / "xuat")
    monkeypatch.delenv("PORTAL_TOKEN", raising=False)
    monkeypatch.setenv("PORTAL_PASSWORD", DEMO_PASSWORD)
    monkeypatch.setenv("PORTAL_TOTP_SECRET", demo_totp_secret("bbt.hanoi"))

    code = await run_cli(str(export), "--tenant", TENANT, *urls(p), "--user", "bbt.hanoi",
                         "--keep-dates", "--batch", "7",
                         "--wait", "--wait-timeout", "120")  # fmt: skip
    out = capsys.readouterr()
    assert code == 1, out.err
    assert "Đã nhập: 22 bài · bỏ qua (đã có): 1 · từ chối: 10 · tổng số dòng: 34" in out.out
    assert "Tất cả 22 bài đã lên trang" in out.out
    report_path = export.with_name("bai-cu.jsonl.rejected.jsonl")
    assert str(report_path) in out.out
    report = [json.loads(x) for x in report_path.read_text(encoding="utf-8").splitlines()]
    assert [r["line"] for r in report] == sorted(BAD)
    for entry in report:
        assert BAD[entry["line"]] in entry["reason"], entry
    assert report[0]["text"] == "{not json"

    listed = await p.content_http.get(
        f"/api/v1/articles?tenant={TENANT}&limit=200", headers=bearer(HEAD)
    )
    migrated = {a["title"]: a for a in listed.json() if a["origin"] == "migrated"}
    assert len(migrated) == GOOD
    for n in range(1, GOOD + 1):
        source = article(n, title="Phường Hoàn Kiếm ra quân") if n == 4 else article(n)
        got = migrated[source["title"]]
        assert got["state"] == "published"
        assert got["created_by"] == "bbt.hanoi"
        assert datetime.fromisoformat(got["first_published_at"]) == datetime.fromisoformat(
            source["published_at"]
        )
        page = await p.page(got["path"], host=f"{TENANT}.localhost")
        assert page.status_code == 200
        assert source["title"] in page.text

    first = migrated[article(1)["title"]]
    (attachment,) = first["attachments"]
    assert attachment["title"] == "Báo cáo tổng kết"
    assert attachment["media_type"] == "application/pdf"
    page = await p.page(first["path"], host=f"{TENANT}.localhost")
    assert attachment["url"] in page.text
    assert "<script>" not in migrated[article(2)["title"]]["body_html"]

    revisions = await p.content_http.get(
        f"/api/v1/articles/{first['id']}/revisions", headers=bearer(HEAD)
    )
    (revision,) = revisions.json()
    assert revision["origin"] == "migrated"
    assert revision["decision"] == "approved"
    review = await p.editorial_http.get(f"/api/v1/reviews/{revision['id']}", headers=bearer(HEAD))
    assert review.json()["status"] == "approved"
    assert review.json()["needs_post_review"] is True  # the board reviews it afterwards

    # The same file again, now with a token: everything there is skipped, nothing new.
    monkeypatch.setenv("PORTAL_TOKEN", HEAD)
    code = await run_cli(str(export), "--tenant", TENANT, *urls(p))
    out = capsys.readouterr()
    assert code == 1
    assert "Đã nhập: 0 bài · bỏ qua (đã có): 23 · từ chối: 10" in out.out
    listed = await p.content_http.get(
        f"/api/v1/articles?tenant={TENANT}&limit=200", headers=bearer(HEAD)
    )
    assert sum(a["origin"] == "migrated" for a in listed.json()) == GOOD


async def test_a_clean_file_exits_0_and_fatal_errors_exit_2(
    platform, tmp_path, monkeypatch, capsys
) -> None:
    p = platform
    export = tmp_path / "sach.jsonl"
    export.write_text(json.dumps(article(100, legacy_id="sach-1")) + "\n", encoding="utf-8")
    monkeypatch.setenv("PORTAL_TOKEN", HEAD)
    assert await run_cli(str(export), "--tenant", TENANT, *urls(p)) == 0
    assert "Đã nhập: 1 bài" in capsys.readouterr().out
    assert export.with_name("sach.jsonl.rejected.jsonl").read_text() == ""

    cases = [
        (EDITOR, TENANT, urls(p), "không có quyền"),
        (OTHER_HEAD, TENANT, urls(p), "không có quyền"),
        # Like force-publishing: not the site's administrator, nor an operator.
        (ADMIN, TENANT, urls(p), "không có quyền"),
        (OPERATOR, TENANT, urls(p), "không có quyền"),
        (NOWHERE_HEAD, "khongco", urls(p), "Không có trang thông tin điện tử nào mang mã khongco"),
        ("not-a-token", TENANT, urls(p), "Chưa đăng nhập"),
        (HEAD, TENANT, ["--content-url", "http://127.0.0.1:9"], "Không kết nối được"),
    ]
    for token, tenant, where, message in cases:
        monkeypatch.setenv("PORTAL_TOKEN", token)
        assert await run_cli(str(export), "--tenant", tenant, *where) == 2, message
        assert message in capsys.readouterr().err
    monkeypatch.delenv("PORTAL_TOKEN")
    monkeypatch.setenv("PORTAL_PASSWORD", "sai-mat-khau")
    assert await run_cli(str(export), "--tenant", TENANT, *urls(p), "--user", "bbt.hanoi") == 2
    assert "Đăng nhập không thành công" in capsys.readouterr().err
    assert await run_cli(str(tmp_path / "khong-co.jsonl"), "--tenant", TENANT, *urls(p)) == 2
    assert "Không tìm thấy tệp" in capsys.readouterr().err


async def test_a_bom_crlf_and_bytes_that_are_not_utf8(
    platform, tmp_path, monkeypatch, capsys
) -> None:
    export = tmp_path / "windows.jsonl"
    export.write_bytes(
        b"\xef\xbb\xbf" + json.dumps(article(600)).encode() + b"\r\n"
        + b'{"title": "Tin c\xe1\xbb\xff\xfe"}\r\n'  # a cut "ũ", then bytes of no text
        + json.dumps(article(602), ensure_ascii=False).encode() + b"\r\n"
    )  # fmt: skip
    monkeypatch.setenv("PORTAL_TOKEN", HEAD)
    assert await run_cli(str(export), "--tenant", TENANT, *urls(platform)) == 1
    assert "Đã nhập: 2 bài · bỏ qua (đã có): 0 · từ chối: 1" in capsys.readouterr().out
    (entry,) = [json.loads(x) for x in export.with_name("windows.jsonl.rejected.jsonl").open()]
    assert entry["line"] == 2
    assert entry["reason"] == "Dòng không phải văn bản UTF-8."
    assert entry["text"].startswith('{"title": "Tin c')


async def test_attachments_by_url_are_downloaded_by_the_cli(
    platform, tmp_path, monkeypatch, capsys
) -> None:
    p = platform
    # The old portal's file server: here content's own public media route.
    stored = await p.content_http.post(
        "/api/v1/media",
        data={"tenant": TENANT, "alt": ""},
        files={"file": ("quyet-dinh.pdf", pdf())},
        headers=bearer(HEAD),
    )
    assert stored.status_code == 201, stored.text
    base = str(p.content_http.base_url).rstrip("/")
    export = tmp_path / "url.jsonl"
    lines = [
        article(500, attachments=[{"url": base + stored.json()["url"], "title": "Quyết định"}]),
        article(501, attachments=[{"url": f"{base}/media/{TENANT}/{uuid.uuid4()}/x.pdf"}]),
    ]
    export.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    monkeypatch.setenv("PORTAL_TOKEN", HEAD)
    assert await run_cli(str(export), "--tenant", TENANT, *urls(p)) == 1
    assert "Đã nhập: 1 bài · bỏ qua (đã có): 0 · từ chối: 1" in capsys.readouterr().out
    (entry,) = [json.loads(x) for x in export.with_name("url.jsonl.rejected.jsonl").open()]
    assert entry["line"] == 2
    assert entry["reason"].startswith("Không tải được tệp đính kèm thứ 1")
    assert entry["reason"].endswith("máy chủ trả lời 404.")
    known = await p.content_http.post(
        "/api/v1/imports/articles/known",
        json={"tenant": TENANT, "legacy_ids": ["cu-500"]},
        headers=bearer(HEAD),
    )
    got = await p.content_http.get(
        f"/api/v1/articles/{known.json()['known']['cu-500']}", headers=bearer(HEAD)
    )
    (attachment,) = got.json()["attachments"]
    assert attachment["filename"] == "original.pdf"
    assert attachment["title"] == "Quyết định"
    assert attachment["media_id"] != stored.json()["id"]  # uploaded anew, not referenced


async def test_only_the_board_head_of_the_site_may_import(platform) -> None:
    http = platform.content_http
    body = {"tenant": TENANT, "items": [article(200)]}
    assert (await http.post("/api/v1/imports/articles", json=body)).status_code == 401
    member = token_for("bbt.hanoi", {TENANT: "board_member"})
    for token in [EDITOR, OTHER_HEAD, member, ADMIN, OPERATOR]:
        r = await http.post("/api/v1/imports/articles", json=body, headers=bearer(token))
        assert r.status_code == 403, token
        assert "Trưởng Ban Biên tập" in r.json()["detail"]
        r = await http.post(
            "/api/v1/imports/articles/known", json={"tenant": TENANT}, headers=bearer(token)
        )
        assert r.status_code == 403
    r = await http.post(
        "/api/v1/imports/articles", json={**body, "tenant": "khongco"}, headers=bearer(NOWHERE_HEAD)
    )
    assert r.status_code == 404
    # Even a batch with nothing valid in it tells a stranger nothing but 403.
    r = await http.post("/api/v1/imports/articles", json={"tenant": TENANT, "items": [{}]},
                        headers=bearer(OTHER_HEAD))  # fmt: skip
    assert r.status_code == 403


async def test_hostile_bodies_get_4xx_and_hostile_items_are_rejected(platform) -> None:
    http = platform.content_http
    url = "/api/v1/imports/articles"
    head = bearer(HEAD)
    for raw in [b"", b"{", b"[]", b"null", b'"x"', b"\xff\xfe{", b"[" * 50_000]:
        r = await http.post(url, content=raw, headers={**head, "content-type": "application/json"})
        assert r.status_code == 400, (raw[:10], r.status_code)
    for body in [
        {"tenant": TENANT},
        {"tenant": TENANT, "items": []},
        {"tenant": TENANT, "items": "x"},
        {"tenant": TENANT, "items": [1, 2]},
        {"tenant": TENANT, "items": [article(300)] * 201},
        {"tenant": "../x", "items": [article(300)]},
        {"tenant": TENANT.upper(), "items": [article(300)]},
        {"tenant": TENANT, "items": [article(300, title="a\x00b")]},
    ]:
        r = await http.post(url, json=body, headers=head)
        assert r.status_code == 400, (str(body)[:80], r.status_code, r.text[:200])

    media_elsewhere = await http.post(
        "/api/v1/media",
        data={"tenant": "badinh", "alt": ""},
        files={"file": ("x.pdf", pdf())},
        headers=bearer(token_for("bientap.badinh", {"badinh": "editor"})),
    )
    assert media_elsewhere.status_code == 201, media_elsewhere.text
    hostile = [
        {"title": 5, "category": "tin-tuc", "published_at": "2020-01-01T00:00:00Z"},
        article(301, title="x" * 10_000),
        article(302, published_at="2020-13-45T00:00:00+07:00"),
        article(303, attachments=[{"url": "http://169.254.169.254/latest/meta-data/"}]),
        article(304, attachments=[{"file": "/etc/passwd"}]),
        article(305, attachments=[{"media_id": "../../etc/passwd"}]),
        article(306, attachments=[{"media_id": media_elsewhere.json()["id"]}]),
        article(307, body_html="<p>" + "ạ" * 400_000 + "</p>"),
        article(308, category="' OR 1=1 --"),
        article(309, legacy_id=["a"]),
        article(310, attachments={"url": "x"}),
        {**article(311), "line": "DROP TABLE"},  # fine, but for its line: numbered by place
    ]
    r = await http.post(url, json={"tenant": TENANT, "items": hostile}, headers=head)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["status"] for x in results] == ["rejected"] * (len(hostile) - 1) + ["imported"]
    assert all(x["reason"] for x in results[:-1])
    assert "Không tìm thấy tệp đính kèm" in results[6]["reason"]
    assert [x["line"] for x in results] == list(range(1, len(hostile) + 1))
    # A lone surrogate is valid JSON text but no UTF-8: refused, never a 500.
    raw = json.dumps({"tenant": TENANT, "items": [article(312)]}).replace(
        "Tin c\\u0169", "Tin \\ud800"
    )
    r = await http.post(url, content=raw, headers={**head, "content-type": "application/json"})
    assert r.status_code in (200, 400), r.text
    if r.status_code == 200:
        assert r.json()["results"][0]["status"] == "rejected"


async def test_the_api_reports_each_item_and_skips_a_resent_batch(platform) -> None:
    http = platform.content_http
    items = [
        {**article(400), "line": 10},
        {**article(401), "line": 11},
        {**article(400), "line": 12},  # the same legacy id twice in a batch
        {**article(402, category="khong-co"), "line": 13},
    ]
    body = {"tenant": TENANT, "items": items}
    first = await http.post("/api/v1/imports/articles", json=body, headers=bearer(HEAD))
    assert first.status_code == 200, first.text
    results = first.json()["results"]
    assert [(r["line"], r["status"]) for r in results] == [
        (10, "imported"), (11, "imported"), (12, "skipped"), (13, "rejected"),
    ]  # fmt: skip
    assert results[2]["article_id"] == results[0]["article_id"]
    assert results[3]["reason"] == "Chuyên mục “khong-co” không có trên trang này."
    again = await http.post("/api/v1/imports/articles", json=body, headers=bearer(HEAD))
    assert [r["status"] for r in again.json()["results"]] == [
        "skipped", "skipped", "skipped", "rejected",
    ]  # fmt: skip
    known = await http.post(
        "/api/v1/imports/articles/known",
        json={"tenant": TENANT, "legacy_ids": ["cu-400", "cu-401", "cu-999"]},
        headers=bearer(HEAD),
    )
    assert known.json()["known"] == {
        "cu-400": results[0]["article_id"],
        "cu-401": results[1]["article_id"],
    }

    async def live() -> bool:
        r = await http.get(f"/api/v1/articles/{results[1]['article_id']}", headers=bearer(HEAD))
        return r.json()["state"] == "published"

    await eventually(live)
