"""The editors' UI screens on syndication, driven over HTTP like a browser (session
cookie, CSRF token from the page, form posts) against admin, content, editorial,
renderer and syndication running in-process on a real embedded broker: the city
board cross-posts from an article's page and stops it; a ward's board files and
declines the copies on its site; a ward's board proposes an article, the city board
approves one and rejects another in its review queue, and the ward sees each outcome;
the operators' partner screens (keys and secrets shown once, the delivery log, its
dead letters, retry and replay); and who is shown or refused what."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from conftest import bearer, bound_socket, eventually, running, settings_for, token_for
from sqlalchemy import select
from test_feedback_admin_ui import Browser, sign_in, text_of

from runtime.embedded import EmbeddedKafka
from runtime.settings import Settings
from services.admin.__main__ import build as build_admin
from services.content.__main__ import build as build_content
from services.editorial.__main__ import build as build_editorial
from services.renderer.__main__ import build as build_renderer
from services.syndication import store
from services.syndication.__main__ import build as build_syndication
from services.syndication.copies import article_row

CITY_EDITOR = token_for("bientap.hanoi", {"hanoi": "editor"})
CITY_BOARD = token_for("bbt.hanoi", {"hanoi": "board_head"})
WARD_EDITOR = token_for("bientap.hoankiem", {"hoankiem": "editor"})
WARD_BOARD = token_for("bbt.hoankiem", {"hoankiem": "board_member"})
OPERATOR = token_for("vanhanh", {}, operator=True)
VN = ZoneInfo("Asia/Ho_Chi_Minh")
API = "/api/v1/syndication"


@dataclass
class Desk:
    settings: Settings
    content: httpx.AsyncClient
    editorial: httpx.AsyncClient
    syndication: httpx.AsyncClient
    service: Any
    city: Browser
    city_editor: Browser
    ward: Browser
    other_ward: Browser
    operator: Browser

    async def publish(self, tenant: str, title: str, editor: str, board: str) -> dict[str, Any]:
        created = await self.content.post(
            "/api/v1/articles",
            json={"tenant": tenant, "category": "tin-tuc", "title": title,
                  "summary": "Tóm tắt", "body_html": "<p>Nội dung của bài.</p>"},
            headers=bearer(editor),
        )  # fmt: skip
        assert created.status_code == 201, created.text
        article = created.json()
        submitted = await self.content.post(
            f"/api/v1/articles/{article['id']}/submit",
            json={"version": article["version"]},
            headers=bearer(editor),
        )
        assert submitted.status_code == 200, submitted.text
        revision = submitted.json()["current_revision_id"]

        async def approved() -> bool:
            r = await self.editorial.post(
                f"/api/v1/reviews/{revision}/approve", json={}, headers=bearer(board)
            )
            return r.status_code == 200

        await eventually(approved)

        async def seen() -> bool:
            async with self.service.db.read() as session:
                row = await article_row(session, article["id"])
            return bool(row and row.status == "live")

        await eventually(seen)
        return (
            await self.content.get(f"/api/v1/articles/{article['id']}", headers=bearer(board))
        ).json()


@pytest.fixture(scope="module")
async def desk(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Desk]:
    socks = {name: bound_socket() for name in
             ("admin", "content", "editorial", "renderer", "syndication")}  # fmt: skip
    with EmbeddedKafka() as kafka:
        async with settings_for(tmp_path_factory.mktemp("syndication-ui"), kafka) as base:
            settings = base.with_overrides(
                demo=True,
                webhooks_allow_private=True,
                webhook_retry_schedule_csv="0",
                **{f"{name}_url": f"http://127.0.0.1:{sock.getsockname()[1]}"
                   for name, sock in socks.items()},
            )  # fmt: skip
            async with (
                running(build_admin, settings, sock=socks["admin"]),
                running(build_content, settings, sock=socks["content"]) as (_, content),
                running(build_editorial, settings, sock=socks["editorial"]) as (_, editorial),
                running(build_renderer, settings, sock=socks["renderer"]),
                running(build_syndication, settings, sock=socks["syndication"]) as (service, synd),
            ):

                async def ready() -> bool:
                    async with service.db.read() as session:
                        sites = (await session.execute(select(store.sites.c.slug))).all()
                        trees = (await session.execute(select(store.trees.c.tenant))).all()
                    r = await content.get("/api/v1/categories", params={"tenant": "hoankiem"})
                    return len(sites) >= 151 and len(trees) >= 151 and r.status_code == 200

                await eventually(ready, timeout=90)
                url = settings.admin_url
                sessions = [
                    await sign_in(url, "bbt.hanoi", totp=True),
                    await sign_in(url, "bientap.hanoi"),
                    await sign_in(url, "bbt.hoankiem", totp=True),
                    await sign_in(url, "bbt.badinh", totp=True),
                    await sign_in(url, "vanhanh", totp=True),
                ]
                try:
                    yield Desk(settings, content, editorial, synd, service, *sessions)
                finally:
                    for browser in sessions:
                        await browser.http.aclose()


def rows(page: httpx.Response, table: str) -> list[str]:
    found = re.search(rf'<table class="{table}">(.*?)</table>', page.text, re.S)
    assert found, page.text[:3000]
    return re.findall(r"<tr data-[a-z]+=.*?</tr>", found.group(1), re.S)


def row_of(page: httpx.Response, table: str, key: str) -> str:
    for row in rows(page, table):
        if f'="{key}"' in row.split(">", 1)[0]:
            return html.unescape(row)
    raise AssertionError(f"no row {key} in {table}")


# --- the city board cross-posts ----------------------------------------------------------------


async def test_the_city_board_crossposts_from_the_article_page_and_stops(desk: Desk) -> None:
    title = f"Thành phố phát động Tết trồng cây {uuid.uuid4().hex[:4]}"
    article = await desk.publish("hanoi", title, CITY_EDITOR, CITY_BOARD)

    own = await desk.city.get(f"/admin/bai-viet/{article['id']}")
    assert f'href="/admin/dang-lai/bai/{article["id"]}"' in own.text
    assert "Đăng lại xuống trang thành phần" in text_of(own)
    assert 'href="/admin/dang-lai"' in own.text  # the nav, for the board
    editor = await desk.city_editor.get(f"/admin/bai-viet/{article['id']}")
    assert "/admin/dang-lai" not in editor.text and "/admin/doi-tac" not in editor.text

    form = await desk.city.get(f"/admin/dang-lai/bai/{article['id']}")
    assert form.status_code == 200, form.text[:500]
    body = text_of(form)
    assert "Tất cả trang thành phần" in body and "Trang chuyên đề" in body  # syndication's kinds
    assert "Sở, ban, ngành" in body and "Phường Hoàn Kiếm" in body  # admin's sites
    assert 'value="hoankiem"' in form.text and 'value="hanoi"' not in form.text

    # A choice the API refuses: its message, with what was chosen kept.
    refused = await desk.city.post(
        "/admin/dang-lai", {"article_id": article["id"], "mode": "sites", "kinds": "ward"}
    )
    assert refused.status_code == 422
    assert "Chọn đúng một cách chọn trang nhận" in text_of(refused)
    assert 'value="sites" checked' in refused.text

    sent = await desk.city.submit(
        "/admin/dang-lai",
        {"article_id": article["id"], "mode": "sites", "sites": ["hoankiem", "badinh"],
         "category": "tin-tuc"},
    )  # fmt: skip
    assert f"Đã đăng lại bài «{title}» lên 2 trang." in text_of(sent)
    post_id = str(sent.url).rsplit("/", 1)[-1]
    copy = row_of(sent, "copies", "hoankiem")
    assert "Phường Hoàn Kiếm" in copy and "Đang hiển thị" in copy
    assert "Chưa xác nhận" in copy or "Đã hiện lúc" in copy
    assert re.search(r'href="https://hoankiem\.hanoi\.gov\.vn/tin-tuc/', sent.text)

    listing = await desk.city.get("/admin/dang-lai")
    assert f'href="/admin/dang-lai/{post_id}"' in listing.text
    assert "2 trang; 2 đang hiển thị" in text_of(listing)
    again = await desk.city.get(f"/admin/dang-lai/bai/{article['id']}")
    assert "Bài này đã được đăng lại" in text_of(again)

    # Stopping asks first, then takes every copy off.
    confirm = await desk.city.get(f"/admin/dang-lai/{post_id}/dung")
    assert "Bài sẽ được gỡ khỏi 2 trang đang hiển thị" in text_of(confirm)
    stopped = await desk.city.submit(f"/admin/dang-lai/{post_id}/dung", {})
    assert "Đã dừng đăng lại" in text_of(stopped)
    copy = row_of(stopped, "copies", "badinh")
    assert "Đã gỡ" in copy and "Trang gốc dừng đăng lại" in copy
    assert f'href="/admin/dang-lai/{post_id}/dung"' not in stopped.text
    twice = await desk.city.submit(f"/admin/dang-lai/{post_id}/dung", {})
    assert "Lần đăng lại này đã dừng rồi." in text_of(twice)

    # A ward's board cannot cross-post; the API says why, in its words.
    ward_article = await desk.publish("hoankiem", "Tin của phường", WARD_EDITOR, WARD_BOARD)
    wrong = await desk.ward.post(
        "/admin/dang-lai", {"article_id": ward_article["id"], "mode": "all"}
    )
    assert wrong.status_code == 403
    assert "Chỉ Cổng Thông tin điện tử thành phố đăng lại bài" in text_of(wrong)


# --- a ward's board and the copies on its site --------------------------------------------------


async def test_a_ward_board_files_and_declines_the_portal_s_copies(desk: Desk) -> None:
    title = f"Hướng dẫn phòng cháy mùa hanh khô {uuid.uuid4().hex[:4]}"
    article = await desk.publish("hanoi", title, CITY_EDITOR, CITY_BOARD)
    made = await desk.syndication.post(
        f"{API}/crossposts",
        json={"article_id": article["id"], "targets": {"sites": ["hoankiem", "badinh"]}},
        headers=bearer(CITY_BOARD),
    )
    assert made.status_code == 201, made.text
    copy_id = next(c["copy_id"] for c in made.json()["copies"] if c["tenant"] == "hoankiem")

    hub = await desk.ward.http.get("/admin/dang-lai")
    assert hub.status_code in (302, 303) and hub.headers["location"] == "/admin/bai-tu-cong"
    page = await desk.ward.get("/admin/bai-tu-cong")
    assert page.status_code == 200, page.text[:500]
    row = row_of(page, "copies", copy_id)
    assert title in row and "Cổng Thông tin điện tử thành phố Hà Nội" in row
    assert "Đang hiển thị" in row and f'/admin/bai-tu-cong/{copy_id}/tu-choi"' in row
    assert 'href="/admin/bai-tu-cong"' in page.text and 'href="/admin/de-xuat"' in page.text

    categories = (
        await desk.content.get("/api/v1/categories", params={"tenant": "hoankiem"})
    ).json()
    other = next(c for c in categories if c["slug"] != "tin-tuc")
    filed = await desk.ward.submit(
        f"/admin/bai-tu-cong/{copy_id}/chuyen-muc", {"category": other["slug"]}
    )
    assert f"Đã xếp bài «{title}» vào chuyên mục {other['name']}." in text_of(filed)
    assert f'value="{other["slug"]}" selected' in row_of(filed, "copies", copy_id)
    unknown = await desk.ward.submit(
        f"/admin/bai-tu-cong/{copy_id}/chuyen-muc", {"category": "khong-co"}
    )
    assert "Trang hoankiem không có chuyên mục «khong-co»." in text_of(unknown)

    # Another ward's board may not touch it: syndication's refusal, on its page.
    theirs = await desk.other_ward.post(
        f"/admin/bai-tu-cong/{copy_id}/tu-choi", {"reason": "Không phù hợp"}
    )
    assert theirs.status_code in (403, 404)
    # No CSRF token, no decision.
    forged = await desk.ward.http.post(
        f"/admin/bai-tu-cong/{copy_id}/tu-choi", data={"reason": "Giả mạo"}
    )
    assert forged.status_code == 403

    confirm = await desk.ward.get(f"/admin/bai-tu-cong/{copy_id}/tu-choi")
    assert f"Từ chối bài «{title}» từ trang hanoi?" in text_of(confirm)
    assert '<label for="reason">Lý do từ chối</label>' in confirm.text
    declined = await desk.ward.submit(
        f"/admin/bai-tu-cong/{copy_id}/tu-choi", {"reason": "Phường đã đăng tin riêng."}
    )
    assert f"Đã từ chối bài «{title}»" in text_of(declined)
    row = row_of(declined, "copies", copy_id)
    assert "Trang nhận đã từ chối" in row and "tu-choi" not in row
    # The city board sees it on the cross-post's page.
    post = await desk.city.get(f"/admin/dang-lai/{made.json()['id']}")
    assert "Trang nhận đã từ chối" in row_of(post, "copies", "hoankiem")
    assert "Đang hiển thị" in row_of(post, "copies", "badinh")


# --- proposals to the city portal ---------------------------------------------------------------


async def test_a_ward_proposes_and_the_city_board_decides_in_its_queue(desk: Desk) -> None:
    good_title = f"Phường ra mắt mô hình phố đi bộ {uuid.uuid4().hex[:4]}"
    good = await desk.publish("hoankiem", good_title, WARD_EDITOR, WARD_BOARD)
    poor = await desk.publish(
        "hoankiem", f"Tin ngắn của phường {uuid.uuid4().hex[:4]}", WARD_EDITOR, WARD_BOARD
    )

    own = await desk.ward.get(f"/admin/bai-viet/{good['id']}")
    assert "Đề xuất lên Cổng" in text_of(own)
    form = await desk.ward.get(f"/admin/dang-lai/bai/{good['id']}")
    assert '<textarea id="note" name="note"' in form.text
    listing = await desk.ward.get("/admin/de-xuat")
    assert f'href="/admin/dang-lai/bai/{good["id"]}"' in listing.text

    proposed = await desk.ward.submit(
        "/admin/de-xuat", {"article_id": good["id"], "note": "Mô hình đầu tiên của quận cũ."}
    )
    assert "Đã đề xuất bài lên Cổng" in text_of(proposed)
    mine = rows(proposed, "proposals")
    assert any(good_title in r and "Chờ duyệt" in r for r in mine)
    twice = await desk.ward.post("/admin/de-xuat", {"article_id": good["id"], "note": ""})
    assert twice.status_code == 409
    assert "Bài này đang chờ Ban Biên tập Cổng duyệt." in text_of(twice)
    await desk.ward.submit("/admin/de-xuat", {"article_id": poor["id"], "note": ""})

    proposals = (
        await desk.syndication.get(
            f"{API}/proposals", params={"tenant": "hoankiem"}, headers=bearer(WARD_BOARD)
        )
    ).json()
    good_id = next(p["id"] for p in proposals if p["article_id"] == good["id"])
    poor_id = next(p["id"] for p in proposals if p["article_id"] == poor["id"])

    async def queued() -> bool:
        r = await desk.editorial.get(f"/api/v1/reviews/{poor_id}", headers=bearer(CITY_BOARD))
        return r.status_code == 200

    await eventually(queued)
    await eventually(lambda: _in_queue(desk, good_id))
    dashboard = await desk.city.get("/admin/", site="hanoi")
    assert "đề xuất từ trang hoankiem" in text_of(dashboard)

    review = await desk.city.get(f"/admin/duyet/{good_id}")
    assert review.status_code == 200, review.text[:500]
    body = text_of(review)
    assert re.search(
        r'Đề xuất từ trang <a href="https://hoankiem\.hanoi\.gov\.vn/tin-tuc/'
        r'[^"]+">Phường Hoàn Kiếm</a>',
        body,
    )  # the original, linked
    assert "Mô hình đầu tiên" in body
    assert 'name="publish_at"' not in review.text
    assert "đăng lên Cổng ngay khi duyệt" in body
    approved = await desk.city.submit(f"/admin/duyet/{good_id}", {"decision": "approve"})
    assert approved.status_code == 200 and "Đã duyệt bài." in text_of(approved)

    rejected = await desk.city.submit(
        f"/admin/duyet/{poor_id}",
        {"decision": "reject", "ground": "untrue", "note": "Thông tin chưa được kiểm chứng."},
    )
    assert "Đã trả lại bài" in text_of(rejected)

    async def decided() -> httpx.Response | None:
        page = await desk.ward.get("/admin/de-xuat")
        text = text_of(page)
        return page if "Đã đăng trên Cổng" in text and "Không duyệt" in text else None

    page = await eventually(decided, timeout=30)
    good_row = row_of(page, "proposals", good_id)
    assert "Xem bài trên Cổng" in good_row
    assert re.search(r'href="https://hanoi\.gov\.vn/tin-tuc/', good_row)
    poor_row = row_of(page, "proposals", poor_id)
    grounds = (await desk.editorial.get("/api/v1/reviews/grounds")).json()
    assert f"Căn cứ: {grounds['untrue']}" in poor_row
    assert "Lý do: Thông tin chưa được kiểm chứng." in poor_row
    city = await desk.city.get("/admin/de-xuat")
    assert f'href="/admin/duyet/{good_id}"' in city.text and "Phường Hoàn Kiếm" in text_of(city)


async def _in_queue(desk: Desk, review_id: str) -> bool:
    r = await desk.editorial.get(f"/api/v1/reviews/{review_id}", headers=bearer(CITY_BOARD))
    return r.status_code == 200


# --- partners ------------------------------------------------------------------------------------


async def test_operators_manage_partners_keys_webhooks_and_deliveries(desk: Desk) -> None:
    op = desk.operator
    listing = await op.get("/admin/doi-tac")
    assert listing.status_code == 200, listing.text[:500]
    assert 'href="/admin/doi-tac"' in listing.text and "Thêm đối tác" in text_of(listing)
    assert "Bài được đăng hoặc cập nhật" in text_of(listing)
    # Not an operator: the API's refusal, and no link to it.
    board = await desk.city.get("/admin/doi-tac")
    assert board.status_code == 403
    assert "Chỉ cán bộ vận hành của Thành phố được quản lý đối tác." in text_of(board)
    assert 'href="/admin/doi-tac"' not in board.text

    name = f"iHanoi {uuid.uuid4().hex[:4]}"
    made = await op.submit(
        "/admin/doi-tac",
        {"name": name, "description": "Ứng dụng công dân số", "sites": ["hoankiem", "badinh"],
         "topics": ["article.published", "answer.published"]},
    )  # fmt: skip
    assert f"Đã thêm đối tác «{name}»" in text_of(made)
    partner_id = str(made.url).rsplit("/", 1)[-1]
    assert 'value="hoankiem" checked' in made.text and 'value="article.withdrawn" >' in made.text
    same = await op.post(
        "/admin/doi-tac", {"name": name, "sites": ["hoankiem"], "topics": ["article.published"]}
    )
    assert same.status_code == 409
    assert "Đã có đối tác mang tên này" in text_of(same) and f'value="{name}"' in same.text
    empty = await op.post("/admin/doi-tac", {"name": "Không chọn gì", "topics": []})
    assert empty.status_code == 400 and "Thông tin chưa hợp lệ." in text_of(empty)

    edited = await op.submit(
        f"/admin/doi-tac/{partner_id}",
        {"name": name, "description": "Ứng dụng iHanoi", "all_sites": "1",
         "topics": ["article.published"]},
    )  # fmt: skip
    assert "Đã lưu thông tin đối tác." in text_of(edited)
    assert 'name="all_sites" value="1" checked' in edited.text

    # The key: shown once, then only its first characters.
    key_page = await op.post(f"/admin/doi-tac/{partner_id}/khoa", {})
    assert key_page.status_code == 201
    key = re.search(r'id="secret" class="secret" readonly value="(hnp_[^"]+)"', key_page.text)
    assert key and "chỉ hiện một lần" in text_of(key_page)
    assert key_page.headers["cache-control"] == "no-store"
    after = await op.get(f"/admin/doi-tac/{partner_id}")
    assert key.group(1) not in after.text and key.group(1)[:12] in after.text
    assert f'href="/admin/doi-tac/{partner_id}/khoa"' in after.text  # a new one asks first

    # A webhook: the API's refusal of a bad address, then one with its secret shown once.
    bad = await op.post(f"/admin/doi-tac/{partner_id}/webhook", {"url": "ftp://example.vn/x"})
    assert bad.status_code in (400, 422) and 'value="ftp://example.vn/x"' in bad.text
    hook_page = await op.post(
        f"/admin/doi-tac/{partner_id}/webhook", {"url": "https://127.0.0.1:9/nhan-tin"}
    )
    assert hook_page.status_code == 201, hook_page.text[:1000]
    secret = re.search(r'readonly value="([^"]+)"', hook_page.text)
    assert secret
    partner = (
        await desk.syndication.get(f"{API}/partners/{partner_id}", headers=bearer(OPERATOR))
    ).json()
    (hook,) = partner["webhooks"]
    assert secret.group(1) not in (await op.get(f"/admin/doi-tac/{partner_id}")).text

    # A dead letter in the log: retried from the dead-letter list, and a replay.
    message = await _dead_letter(desk, partner_id, hook["id"])
    log_url = f"/admin/doi-tac/{partner_id}/webhook/{hook['id']}"
    dead = await op.get(log_url, loc="loi")
    row = row_of(dead, "deliveries", message)
    assert "Không gửi được" in row and "Bài được đăng hoặc cập nhật" in row
    assert "HTTP 500" in row and "Máy chủ đối tác lỗi" in row
    retried = await op.submit(f"{log_url}/gui-lai/{message}", {})
    assert "Đã đưa tin vào hàng chờ gửi lại." in text_of(retried)
    delivered = await _dead_letter(desk, partner_id, hook["id"], status="delivered")
    again = await op.submit(f"{log_url}/gui-lai/{delivered}", {})
    assert "Chỉ gửi lại được tin không gửi được" in text_of(again)
    since = (datetime.now(UTC) - timedelta(days=2)).astimezone(VN)
    replayed = await op.submit(f"{log_url}/gui-lai-tu", {"since": since.strftime("%Y-%m-%dT%H:%M")})
    assert re.search(r"Đã đưa \d+ tin từ", text_of(replayed))
    everything = await op.get(log_url)
    assert message in everything.text and 'aria-current="page">Mọi tin' in everything.text

    rotated = await op.post(f"/admin/doi-tac/{partner_id}/webhook/{hook['id']}/doi-khoa", {})
    assert rotated.status_code == 201
    assert "khoá cũ" in text_of(rotated)
    new_secret = re.search(r'readonly value="([^"]+)"', rotated.text)
    assert new_secret and new_secret.group(1) != secret.group(1)
    shown = await op.get(f"/admin/doi-tac/{partner_id}")
    assert "đang đổi khoá ký" in text_of(shown)

    confirm = await op.get(f"/admin/doi-tac/{partner_id}/webhook/{hook['id']}/go")
    assert "Gỡ webhook https://127.0.0.1:9/nhan-tin?" in text_of(confirm)
    removed = await op.submit(f"/admin/doi-tac/{partner_id}/webhook/{hook['id']}/go", {})
    assert "Đã gỡ webhook." in text_of(removed)
    assert "Đã tắt" in row_of(removed, "webhooks", hook["id"])
    back = await op.submit(f"/admin/doi-tac/{partner_id}/webhook/{hook['id']}/bat", {})
    assert "Đã bật lại webhook." in text_of(back)

    sure = await op.get(f"/admin/doi-tac/{partner_id}/ngung")
    assert f"Ngừng gửi tin cho đối tác «{name}»?" in text_of(sure)
    stopped = await op.submit(f"/admin/doi-tac/{partner_id}/ngung", {})
    assert "Đã ngừng gửi tin cho đối tác." in text_of(stopped)
    assert "Đã ngừng nhận tin" in text_of(stopped)
    listed = await op.get("/admin/doi-tac")
    assert "Đã ngừng" in row_of(listed, "partners", partner_id)
    resumed = await op.submit(f"/admin/doi-tac/{partner_id}/bat", {})
    assert "Đối tác nhận tin trở lại." in text_of(resumed)


async def _dead_letter(desk: Desk, partner_id: str, webhook_id: str, status: str = "dead") -> str:
    """A message the receiver refused until its last attempt, as the sender leaves it
    (or, `status="delivered"`, one it took)."""
    message = f"msg_{uuid.uuid4().hex}"
    now = datetime.now(UTC)
    async with desk.service.unit_of_work() as uow:
        await uow.session.execute(
            store.deliveries.insert().values(
                id=message, webhook_id=webhook_id, partner_id=partner_id,
                type="article.published", tenant="hoankiem", subject="article:thu",
                source_sequence=1, body="{}", status=status, attempts=8,
                next_attempt_at=now, last_status=500, last_error="Máy chủ đối tác lỗi",
                occurred_at=now - timedelta(hours=1),
            )
        )  # fmt: skip
        await uow.commit()
    return message
