"""The editorial workflow end to end through the services' APIs: content types,
media, categories, scheduling, forced publication, withdrawal kinds, rejection
grounds, diffs, translations, receipts and royalties."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import openpyxl
import pytest
from conftest import (
    BOARD,
    EDITOR,
    InProcessPlatform,
    bearer,
    eventually,
    make_pdf,
    settings_for,
    token_for,
)
from PIL import Image

from runtime.embedded import EmbeddedKafka

HEAD = token_for("truongban.hoankiem", {"hoankiem": "board_head"})
ADMIN = token_for("quantri.hoankiem", {"hoankiem": "tenant_admin"})
OTHER_ADMIN = token_for("quantri.badinh", {"badinh": "tenant_admin"})
OTHER_EDITOR = token_for("bientap.badinh", {"badinh": "editor"})


@pytest.fixture(scope="module")
async def platform(tmp_path_factory):
    with EmbeddedKafka() as kafka:
        async with (
            settings_for(tmp_path_factory.mktemp("workflow"), kafka) as settings,
            InProcessPlatform(settings) as p,
        ):
            yield p


def png_bytes(width: int = 1200, height: int = 800) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


async def upload(
    p, data: bytes, filename: str, *, alt: str = "", token: str = EDITOR, tenant="hoankiem"
):
    return await p.content_http.post(
        "/api/v1/media",
        data={"tenant": tenant, "alt": alt},
        files={"file": (filename, data, "application/octet-stream")},
        headers=bearer(token),
    )


async def create(p, **fields: Any) -> dict[str, Any]:
    body = {
        "tenant": "hoankiem",
        "category": "tin-tuc",
        "title": f"Bài {uuid.uuid4().hex[:8]}",
        "summary": "Tóm tắt",
        "body_html": "<p>Nội dung ban đầu của bài.</p>",
        **fields,
    }
    r = await p.content_http.post("/api/v1/articles", json=body, headers=bearer(EDITOR))
    assert r.status_code == 201, r.text
    return r.json()


async def submit(p, article: dict[str, Any]) -> dict[str, Any]:
    r = await p.content_http.post(
        f"/api/v1/articles/{article['id']}/submit",
        json={"version": article["version"]},
        headers=bearer(EDITOR),
    )
    assert r.status_code == 200, r.text
    article = r.json()
    revision = article["current_revision_id"]

    async def queued() -> bool:
        r = await p.editorial_http.get(f"/api/v1/reviews/{revision}", headers=bearer(BOARD))
        return r.status_code == 200

    await eventually(queued)
    return article


async def article_state(p, article_id: str) -> dict[str, Any]:
    r = await p.content_http.get(f"/api/v1/articles/{article_id}", headers=bearer(EDITOR))
    assert r.status_code == 200
    return r.json()


async def wait_state(p, article_id: str, state: str, timeout: float = 30) -> dict[str, Any]:
    async def reached() -> dict[str, Any] | None:
        a = await article_state(p, article_id)
        return a if a["state"] == state else None

    return await eventually(reached, timeout=timeout, interval=0.1)


# --- categories ---------------------------------------------------------------------


async def test_every_site_starts_with_the_legal_category_tree(platform) -> None:
    r = await platform.content_http.get("/api/v1/categories?tenant=hoankiem")
    assert r.status_code == 200
    slugs = {c["slug"] for c in r.json()}
    assert {"tin-tuc", "chi-dao-dieu-hanh", "thong-bao"} <= slugs
    assert len(slugs) >= 15
    assert any(c["legal_basis"].startswith("NĐ 42/2022") for c in r.json())
    assert (await platform.content_http.get("/api/v1/categories?tenant=khongco")).status_code == 404


async def test_tenant_admins_edit_their_own_tree_only(platform) -> None:
    http = platform.content_http
    body = {"tenant": "hoankiem", "name": "Chuyển đổi số phường"}
    for token, status in [(EDITOR, 403), (BOARD, 403), (OTHER_ADMIN, 403), (ADMIN, 201)]:
        r = await http.post("/api/v1/categories", json=body, headers=bearer(token))
        assert r.status_code == status, (token[:20], r.text)
    assert any(c["slug"] == "chuyen-doi-so-phuong" for c in r.json())
    r = await http.patch("/api/v1/categories/hoankiem/chuyen-doi-so-phuong",
                         json={"name": "Chuyển đổi số"}, headers=bearer(ADMIN))  # fmt: skip
    assert r.status_code == 200
    assert {c["slug"]: c["name"] for c in r.json()}["chuyen-doi-so-phuong"] == "Chuyển đổi số"
    # The protected ones and those holding articles stay.
    r = await http.delete("/api/v1/categories/hoankiem/tin-tuc", headers=bearer(ADMIN))
    assert r.status_code == 422
    r = await http.delete("/api/v1/categories/hoankiem/chuyen-doi-so-phuong", headers=bearer(ADMIN))
    assert r.status_code == 200
    assert "chuyen-doi-so-phuong" not in {c["slug"] for c in r.json()}
    for path in ["/api/v1/categories/hoankiem/..%2f", "/api/v1/categories/HOAN/x"]:
        r = await http.delete(path, headers=bearer(ADMIN))
        assert 400 <= r.status_code < 500


async def test_an_article_needs_a_category_of_its_own_site(platform) -> None:
    r = await platform.content_http.post(
        "/api/v1/articles",
        json={"tenant": "hoankiem", "category": "khong-co", "title": "Thử"},
        headers=bearer(EDITOR),
    )
    assert r.status_code == 422
    assert "không có trên trang này" in r.json()["detail"]


# --- media ------------------------------------------------------------------------------


async def test_uploads_are_checked_by_content(platform) -> None:
    r = await upload(platform, png_bytes(), "anh.png", alt="Toàn cảnh hồ Hoàn Kiếm")
    assert r.status_code == 201, r.text
    image = r.json()
    assert image["kind"] == "image" and image["width"] == 1200
    assert [v["width"] for v in image["variants"]] == [1200, 960, 480]
    served = await platform.content_http.get(image["variants"][1]["url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/webp"
    assert "immutable" in served.headers["cache-control"]
    assert "sandbox" in served.headers["content-security-policy"]

    r = await upload(platform, make_pdf("Quyet dinh so 12"), "quyet-dinh.pdf")
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "pdf" and "Quyet dinh so 12" in r.json()["text_excerpt"]

    refusals = [
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "baocao.pdf", "", "tệp chạy được"),
        (b"MZ\x90\x00" + b"\x00" * 200, "baocao.pdf", "", "tệp chạy được"),
        (b"<html><script>alert(1)</script></html>", "van-ban.docx", "", "không phải"),
        (png_bytes(), "anh.png", "", "mô tả"),
        (png_bytes(), "anh.png", "IMG_1234.jpg", "mô tả"),
        (b"", "trong.pdf", "", "rỗng"),
    ]
    for data, name, alt, problem in refusals:
        r = await upload(platform, data, name, alt=alt)
        assert r.status_code == 422, (name, r.text)
        assert problem in r.json()["detail"].lower(), r.json()["detail"]
    r = await upload(platform, png_bytes(), "anh.png", alt="Ảnh", token=OTHER_EDITOR)
    assert r.status_code == 403
    r = await upload(platform, png_bytes(), "anh.png", alt="Ảnh hồ", tenant="../x")
    assert r.status_code == 400
    assert (
        await platform.content_http.get(f"/media/hoankiem/{uuid.uuid4()}/w480.webp")
    ).status_code == 404
    assert (await platform.content_http.get("/media/hoankiem/x/..%2f..%2fetc")).status_code == 404


async def test_a_document_with_image_and_attachment_reaches_the_site(platform) -> None:
    image = (await upload(platform, png_bytes(), "hop.png", alt="Quang cảnh cuộc họp")).json()
    pdf = (await upload(platform, make_pdf("Quyet dinh so 12"), "qd-12.pdf")).json()
    article = await create(
        platform,
        category="van-ban",
        kind="document",
        title="Quyết định về việc đăng ký kết hôn",
        details={
            "number": "12/QĐ-UBND",
            "doc_type": "Quyết định",
            "issuer": "UBND phường Hoàn Kiếm",
            "signer": "Nguyễn Văn A",
            "issued_on": "2026-03-02",
            "validity": "in_force",
        },
        images=[{"media_id": image["id"], "alt": "Quang cảnh cuộc họp", "caption": "Cuộc họp"}],
        attachments=[{"media_id": pdf["id"], "title": "Toàn văn quyết định"}],
    )  # fmt: skip
    assert article["images"][0]["sources"][0]["width"] == 480
    article = await submit(platform, article)
    r = await platform.editorial_http.post(
        f"/api/v1/reviews/{article['current_revision_id']}/approve", json={},
        headers=bearer(BOARD),
    )  # fmt: skip
    assert r.status_code == 200
    live = await wait_state(platform, article["id"], "published")

    async def on_site():
        page = await platform.page(live["path"])
        return page if page.status_code == 200 else None

    page = await eventually(on_site)
    assert "12/QĐ-UBND" in page.text and "Còn hiệu lực" in page.text
    assert 'alt="Quang cảnh cuộc họp"' in page.text and "480w" in page.text
    assert "Toàn văn quyết định" in page.text and pdf["url"] in page.text


async def test_details_are_checked_against_the_kind(platform) -> None:
    for fields, problem in [
        ({"kind": "document"}, "trường riêng"),
        ({"kind": "document", "details": {"number": "1"}}, "Trường riêng"),
        ({"kind": "news", "details": {"number": "1"}}, "không có trường riêng"),
        ({"kind": "podcast"}, "Loại bài"),
        ({"images": [{"media_id": str(uuid.uuid4()), "alt": "x"}]}, "tải ảnh lên"),
        ({"authors": [{"name": "A", "share": "0.5"}]}, "bằng 1"),
        ({"language": "fr"}, "Ngôn ngữ"),
        ({"language": "en"}, "bài gốc"),
    ]:
        body = {"tenant": "hoankiem", "category": "tin-tuc", "title": "Thử", **fields}
        r = await platform.content_http.post("/api/v1/articles", json=body, headers=bearer(EDITOR))
        assert r.status_code == 422, (fields, r.text)
        assert problem in r.json()["detail"], (fields, r.json()["detail"])


# --- decisions ----------------------------------------------------------------------------


async def test_rejection_with_a_ground_then_fix_diff_and_approve(platform) -> None:
    article = await submit(platform, await create(platform, title="Bài cần sửa"))
    revision = article["current_revision_id"]
    r = await platform.editorial_http.post(
        f"/api/v1/reviews/{revision}/reject",
        json={"ground": "unclear_origin", "note": "Ghi rõ nguồn số liệu."},
        headers=bearer(BOARD),
    )
    assert r.status_code == 200 and r.json()["ground"] == "unclear_origin"
    rejected = await wait_state(platform, article["id"], "rejected")
    assert rejected["rejection_reason"] == "Ghi rõ nguồn số liệu."
    fixed = await platform.content_http.patch(
        f"/api/v1/articles/{article['id']}",
        json={
            "version": rejected["version"],
            "category": "tin-tuc",
            "title": "Bài đã sửa",
            "summary": "Tóm tắt",
            "body_html": "<p>Nội dung ban đầu của bài, theo số liệu của Cục Thống kê.</p>",
        },
        headers=bearer(EDITOR),
    )
    assert fixed.status_code == 200
    stale = await platform.content_http.patch(
        f"/api/v1/articles/{article['id']}",
        json={"version": rejected["version"], "category": "tin-tuc", "title": "Bản cũ"},
        headers=bearer(EDITOR),
    )
    assert stale.status_code == 409
    assert stale.json()["extra"]["current"]["title"] == "Bài đã sửa"
    diff = await platform.content_http.get(
        f"/api/v1/articles/{article['id']}/diff?from={revision}&working=true",
        headers=bearer(EDITOR),
    )
    assert diff.status_code == 200
    changes = diff.json()
    assert {f["field"] for f in changes["fields"]} == {"title"}
    inserted = "".join(s["text"] for s in changes["body"] if s["op"] == "insert")
    assert "Cục Thống kê" in inserted
    again = await submit(platform, fixed.json())
    revisions = await platform.content_http.get(
        f"/api/v1/articles/{article['id']}/revisions", headers=bearer(EDITOR)
    )
    assert [(r["number"], r["decision"], r["ground"]) for r in revisions.json()] == [
        (1, "rejected", "unclear_origin"), (2, "pending", None),
    ]  # fmt: skip
    assert again["state"] == "submitted"


async def test_scheduled_publication_and_receipt(platform) -> None:
    article = await submit(platform, await create(platform, title="Bài hẹn giờ"))
    revision = article["current_revision_id"]
    publish_at = datetime.now(UTC) + timedelta(seconds=3)
    r = await platform.editorial_http.post(
        f"/api/v1/reviews/{revision}/approve",
        json={"publish_at": publish_at.isoformat(), "royalty_coefficient": "1,5"},
        headers=bearer(BOARD),
    )
    assert r.status_code == 200, r.text
    scheduled = await wait_state(platform, article["id"], "scheduled")
    assert scheduled["live_revision_id"] is None
    receipt = await platform.editorial_http.get(
        f"/api/v1/reviews/{revision}/receipt", headers=bearer(EDITOR)
    )
    steps = {s["step"]: s["status"] for s in receipt.json()["steps"]}
    assert steps == {"approved": "done", "scheduled": "waiting", "published": "waiting",
                     "site": "waiting"}  # fmt: skip
    live = await wait_state(platform, article["id"], "published", timeout=20)
    assert (await platform.page(live["path"])).status_code in (200, 404)

    async def complete():
        r = await platform.editorial_http.get(
            f"/api/v1/reviews/{revision}/receipt", headers=bearer(EDITOR)
        )
        return r.json() if r.json()["complete"] else None

    done = await eventually(complete)
    steps = {s["step"]: s for s in done["steps"]}
    published_at = datetime.fromisoformat(steps["published"]["at"])
    assert published_at >= publish_at  # never early
    assert steps["site"]["after_ms"] is not None
    assert (await platform.page(live["path"])).status_code == 200


async def test_force_publish_by_the_board_head_only_then_post_review(platform) -> None:
    article = await create(platform, title="Thông báo khẩn về cắt điện")
    url = f"/api/v1/articles/{article['id']}/force-publish"
    body = {"version": article["version"], "reason": "Thông báo khẩn, cần đăng ngay trong đêm."}
    for token in (EDITOR, BOARD, ADMIN):
        assert (
            await platform.content_http.post(url, json=body, headers=bearer(token))
        ).status_code == 403
    r = await platform.content_http.post(url, json={**body, "reason": "gấp"}, headers=bearer(HEAD))
    assert r.status_code == 422 and "lý do" in r.json()["detail"]
    r = await platform.content_http.post(url, json=body, headers=bearer(HEAD))
    assert r.status_code == 200, r.text
    revision = r.json()["current_revision_id"]
    await wait_state(platform, article["id"], "published")
    queue = await platform.editorial_http.get(
        "/api/v1/reviews?tenant=hoankiem&post_review=true", headers=bearer(BOARD)
    )
    flagged = {q["revision_id"]: q for q in queue.json()}
    assert flagged[revision]["origin"] == "forced"
    assert flagged[revision]["decided_by"] == "truongban.hoankiem"
    post = f"/api/v1/reviews/{revision}/post-review"
    assert (
        await platform.editorial_http.post(post, json={"note": "ok"}, headers=bearer(BOARD))
    ).status_code == 422
    r = await platform.editorial_http.post(
        post, json={"note": "Đã xem lại, nội dung đúng."}, headers=bearer(BOARD)
    )
    assert r.status_code == 200 and r.json()["needs_post_review"] is False
    again = await platform.editorial_http.post(
        post, json={"note": "Đã xem lại lần nữa."}, headers=bearer(BOARD)
    )
    assert again.status_code == 422


async def _published(platform, title: str) -> dict[str, Any]:
    article = await submit(platform, await create(platform, title=title))
    r = await platform.editorial_http.post(
        f"/api/v1/reviews/{article['current_revision_id']}/approve", json={}, headers=bearer(BOARD)
    )
    assert r.status_code == 200
    live = await wait_state(platform, article["id"], "published")

    async def on_site():
        return (await platform.page(live["path"])).status_code == 200

    await eventually(on_site)
    return live


@pytest.mark.parametrize(
    ("kind", "extra", "status", "expect"),
    [
        ("gone", {}, 410, "Bài viết đã được gỡ"),
        ("notice", {"notice": "Bài đã được thay thế bằng thông báo số 5."}, 410,
         "thông báo số 5"),
        ("redirect", {"redirect_to": "/thong-bao/bai-moi"}, 301, "/thong-bao/bai-moi"),
    ],
)  # fmt: skip
async def test_three_kinds_of_withdrawal(platform, kind, extra, status, expect) -> None:
    live = await _published(platform, f"Bài sẽ gỡ kiểu {kind}")
    r = await platform.content_http.post(
        f"/api/v1/articles/{live['id']}/withdraw",
        json={"version": live["version"], "reason": "Thông tin đã cũ.", "kind": kind, **extra},
        headers=bearer(BOARD),
    )
    assert r.status_code == 200, r.text

    async def answered():
        page = await platform.renderer_http.get(
            live["path"], headers={"Host": "hoankiem.localhost"}, follow_redirects=False
        )
        return page if page.status_code == status else None

    page = await eventually(answered)
    assert expect in (page.headers.get("location", "") if status == 301 else page.text)


async def test_scheduled_withdrawal_happens_on_time(platform) -> None:
    live = await _published(platform, "Bài gỡ theo lịch")
    at = datetime.now(UTC) + timedelta(seconds=2)
    r = await platform.content_http.post(
        f"/api/v1/articles/{live['id']}/withdraw",
        json={
            "version": live["version"],
            "reason": "Hết thời hạn thông báo.",
            "at": at.isoformat(),
        },
        headers=bearer(BOARD),
    )
    assert r.status_code == 200 and r.json()["state"] == "published"
    assert r.json()["unpublish_at"] is not None
    withdrawn = await wait_state(platform, live["id"], "withdrawn", timeout=20)
    assert datetime.fromisoformat(withdrawn["updated_at"]) >= at


async def test_translations_link_to_their_original(platform) -> None:
    original = await _published(platform, "Lễ hội mùa thu Hoàn Kiếm")
    english = await create(platform, title="Hoan Kiem autumn festival", language="en",
                           translation_of=original["id"])  # fmt: skip
    assert english["translation_of"] == original["id"]
    r = await platform.content_http.post(
        "/api/v1/articles",
        json={"tenant": "hoankiem", "category": "tin-tuc", "title": "Again", "language": "en",
              "translation_of": original["id"]},
        headers=bearer(EDITOR),
    )  # fmt: skip
    assert r.status_code == 422 and "đã có bản English" in r.json()["detail"]
    english = await submit(platform, english)
    await platform.editorial_http.post(
        f"/api/v1/reviews/{english['current_revision_id']}/approve", json={}, headers=bearer(BOARD)
    )
    live_en = await wait_state(platform, english["id"], "published")

    async def linked():
        page = await platform.page(original["path"])
        return page if f'hreflang="en" href="{live_en["path"]}"' in page.text else None

    await eventually(linked)


async def test_royalty_report_for_the_half_year(platform) -> None:
    article = await submit(
        platform,
        await create(platform, title="Bài có nhuận bút",
                     authors=[{"name": "Nguyễn Văn A", "share": "0.6"},
                              {"name": "Lê Thị B", "share": "0.4"}]),
    )  # fmt: skip
    r = await platform.editorial_http.post(
        f"/api/v1/reviews/{article['current_revision_id']}/approve",
        json={"royalty_coefficient": "10"},
        headers=bearer(BOARD),
    )
    assert r.status_code == 200
    await wait_state(platform, article["id"], "published")
    now = datetime.now(UTC) + timedelta(hours=7)
    query = f"tenant=hoankiem&year={now.year}&half={1 if now.month <= 6 else 2}"

    async def reported():
        r = await platform.editorial_http.get(f"/api/v1/royalties?{query}", headers=bearer(BOARD))
        lines = [x for x in r.json()["lines"] if x["title"] == "Bài có nhuận bút"]
        return (r.json(), lines) if lines else None

    report, lines = await eventually(reported)
    assert {x["author"]: x["amount_vnd"] for x in lines} == {
        "Nguyễn Văn A": round(10 * report["unit_value_vnd"] * 0.6),
        "Lê Thị B": round(10 * report["unit_value_vnd"] * 0.4),
    }
    r = await platform.editorial_http.get(f"/api/v1/royalties?{query}&format=csv",
                                          headers=bearer(BOARD))  # fmt: skip
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][0] == "STT" and any("Lê Thị B" in row for row in rows)
    r = await platform.editorial_http.get(f"/api/v1/royalties?{query}&format=xlsx",
                                          headers=bearer(BOARD))  # fmt: skip
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    assert any(cell.value == "Lê Thị B" for row in sheet.iter_rows() for cell in row)
    for token in (EDITOR, OTHER_ADMIN):
        r = await platform.editorial_http.get(f"/api/v1/royalties?{query}", headers=bearer(token))
        assert r.status_code == 403
    for bad in ["tenant=hoankiem&year=1&half=1", "tenant=hoankiem&year=2026&half=3",
                "tenant=hoankiem&year=2026&half=1&format=pdf"]:  # fmt: skip
        r = await platform.editorial_http.get(f"/api/v1/royalties?{bad}", headers=bearer(BOARD))
        assert r.status_code == 400, bad
