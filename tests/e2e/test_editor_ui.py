"""The acceptance walk of the editors' admin UI, in headless Chromium against the
whole platform as `make run` starts it.

An editor writes an article with an image and an attachment and submits it; a
board member signs in with a TOTP code and rejects it with a ground and a note;
the editor fixes it and submits again; the board member approves it for twenty
seconds ahead (there is no minimum lead time); the article appears on the ward's
site at that time, not before; the publish receipt shows every step.
"""

from __future__ import annotations

import io
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pyotp
import pytest
from conftest import make_pdf
from PIL import Image

from portal.launch import Platform
from runtime.embedded import free_port
from runtime.settings import REPO_ROOT
from services.admin.domain import DEMO_PASSWORD
from services.admin.security import demo_totp_secret

CHROMIUM = "/usr/bin/chromium"
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _need_chromium() -> None:
    if shutil.which(CHROMIUM) is None:
        message = f"headless Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message + ": CI must run the browser tests")
        pytest.skip(message)


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    env = {"PORTAL_DEMO": "1", "PORTAL_SCHEMA_PREFIX": f"u{uuid.uuid4().hex[:8]}_"}
    running = Platform(
        data_dir=tmp_path_factory.mktemp("ui"), gateway_port=free_port(), free_ports=True,
        extra_env=env,
    ).start(timeout=120)  # fmt: skip
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def browser(platform: Platform):
    _need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def files(tmp: Path) -> tuple[Path, Path]:
    image = tmp / "hop-dan.png"
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 800), (30, 90, 160)).save(buffer, "PNG")
    image.write_bytes(buffer.getvalue())
    pdf = tmp / "ke-hoach.pdf"
    pdf.write_bytes(make_pdf("Ke hoach chinh trang pho co"))
    return image, pdf


def sign_in(page, base: str, username: str, *, totp: bool = False) -> None:
    page.goto(f"{base}/admin/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    if totp:
        page.get_by_label("Mã xác thực").fill(pyotp.TOTP(demo_totp_secret(username)).now())
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/admin/")


@pytest.mark.browser
def test_write_reject_fix_approve_on_schedule_and_see_the_receipt(
    platform: Platform, browser, tmp_path: Path
) -> None:
    base = platform.gateway_url.replace("127.0.0.1", "quantri.localhost")
    image, pdf = files(tmp_path)
    title = f"Phường họp dân về chỉnh trang phố cổ {uuid.uuid4().hex[:6]}"

    editor = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
    board = browser.new_context(viewport={"width": 1280, "height": 900})
    ed, bd = editor.new_page(), board.new_page()

    # The editor writes, with an image and an attachment, and submits.
    sign_in(ed, base, "bientap.hoankiem")
    ed.get_by_role("link", name="Viết bài mới").first.click()
    ed.get_by_label("Tiêu đề").fill(title)
    ed.get_by_label("Chuyên mục").select_option("tin-tuc")
    ed.get_by_label("Tóm tắt").fill("Người dân góp ý phương án chỉnh trang.")
    ed.locator("trix-editor").fill("Sáng nay, phường tổ chức họp dân. Số liệu chưa có nguồn.")
    ed.get_by_label("Tải ảnh lên").set_input_files(str(image))
    ed.get_by_label("Mô tả ảnh cho người khiếm thị").fill("Người dân dự họp tại nhà văn hoá")
    ed.get_by_label("Tải tệp lên").set_input_files(str(pdf))
    ed.get_by_label("Tên tệp hiển thị").fill("Kế hoạch chỉnh trang")
    ed.get_by_role("button", name="Lưu và gửi duyệt").click()
    ed.wait_for_url(f"{base}/admin/bai-viet/*")
    assert "Chờ duyệt" in ed.locator(".status").inner_text()
    article_id = ed.url.rsplit("/", 1)[1]

    # A board member signs in with a second factor and rejects it, with a ground.
    sign_in(bd, base, "bbt.hoankiem", totp=True)
    bd.get_by_role("link", name=title).click()
    assert bd.locator("img[alt='Người dân dự họp tại nhà văn hoá']").count() == 1
    bd.get_by_label("d) Không rõ xuất xứ").check()
    bd.get_by_label("Lý do cụ thể").fill("Ghi rõ nguồn số liệu của phường.")
    bd.get_by_role("button", name="Trả lại").click()
    bd.wait_for_url(f"{base}/admin/")

    # The editor sees why, fixes and resubmits.
    def rejected() -> bool:
        ed.goto(f"{base}/admin/bai-viet/{article_id}")
        return "Ghi rõ nguồn số liệu" in ed.content()

    wait(rejected, "the rejection to reach the editor")
    ed.locator("trix-editor").fill(
        "Sáng nay, phường tổ chức họp dân. Theo số liệu của phường, 120 hộ đã góp ý."
    )
    ed.get_by_role("button", name="Lưu và gửi duyệt").click()
    ed.wait_for_url(f"{base}/admin/bai-viet/{article_id}")

    # The board member sees the change and approves it for a moment ahead (no minimum lead).
    def resubmitted() -> bool:
        bd.goto(f"{base}/admin/")
        return bd.get_by_role("link", name=title).count() > 0

    wait(resubmitted, "the second submission in the queue")
    bd.get_by_role("link", name=title).click()
    assert "120 hộ" in bd.locator(".diff").inner_text()
    publish_at = (datetime.now(VN) + timedelta(seconds=20)).replace(microsecond=0)
    bd.get_by_label("Hẹn giờ đăng").fill(publish_at.strftime("%Y-%m-%dT%H:%M:%S"))
    bd.get_by_label("Hệ số nhuận bút").fill("1,5")
    bd.get_by_role("button", name="Duyệt", exact=True).click()
    bd.wait_for_url(f"{base}/admin/duyet/*/bien-nhan")
    status = {row.get_attribute("data-step"): row.locator(".status").inner_text()
              for row in bd.locator("#receipt tbody tr").all()}  # fmt: skip
    assert status["approved"] == "Xong" and status["scheduled"] == "Đang chờ"

    # Not on the site before its time; on it at its time.
    site = httpx.Client(base_url=platform.gateway_url, headers={"Host": "hoankiem.localhost"})
    while datetime.now(VN) < publish_at - timedelta(seconds=2):
        assert title not in site.get("/").text
        time.sleep(2)

    def live() -> str | None:
        home = site.get("/")
        return home.text if title in home.text else None

    wait(live, "the article on the ward's home page", timeout=30)
    assert datetime.now(VN) >= publish_at
    article = httpx.get(
        f"{platform.gateway_url}/api/v1/articles/{article_id}",
        headers={"Host": "hoankiem.localhost", "Authorization": "Bearer " + token(platform)},
    ).json()
    page = site.get(article["path"]).text
    assert "Người dân dự họp tại nhà văn hoá" in page and "Kế hoạch chỉnh trang" in page

    # The receipt, live in the board member's page, shows every step done.
    def receipt_done() -> bool:
        return "Đã hoàn tất mọi bước" in bd.locator("#receipt-summary").inner_text()

    wait(receipt_done, "the receipt to complete", timeout=30)
    steps = {row.get_attribute("data-step"): row.locator(".status").inner_text()
             for row in bd.locator("#receipt tbody tr").all()}  # fmt: skip
    # make run's steps (portal/launch.py): the site, search, syndication and partners.
    assert steps == {"approved": "Xong", "scheduled": "Xong", "published": "Xong", "site": "Xong",
                     "search": "Xong", "syndication": "Xong", "partners": "Xong"}  # fmt: skip
    editor.close()
    board.close()


def token(platform: Platform) -> str:
    response = httpx.post(
        f"{platform.gateway_url}/api/v1/auth/login",
        json={"username": "bientap.hoankiem", "password": DEMO_PASSWORD},
        headers={"Host": "hoankiem.localhost"},
    )
    return response.json()["token"]


def wait(check, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


# --- tenant isolation in the UI -------------------------------------------------------


def _login_ui(base: str, username: str, password: str, secret: str | None) -> httpx.Client:
    """A browser-like session (cookies, CSRF token) signed in through the login form."""
    http = httpx.Client(base_url=base, headers={"Host": "quantri.localhost"}, timeout=15)
    form = http.get("/admin/dang-nhap").text
    body = {"_csrf_token": _csrf(form), "username": username, "password": password,
            "next": "/admin/"}  # fmt: skip
    if secret:
        # The step after the one enrolment used: accepted (±1 step), never a replay.
        body["totp"] = pyotp.TOTP(secret).at(datetime.now().timestamp() + 30)
    r = http.post("/admin/dang-nhap", data=body)
    assert r.status_code == 302, (username, r.status_code, r.text[:300])
    return http


def _csrf(html: str) -> str:
    import re

    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, html[:300]
    return match.group(1)


def _outsiders(platform: Platform) -> dict[str, httpx.Client]:
    """A signed-in UI session of Ba Đình for every role."""
    base = platform.gateway_url
    api = httpx.Client(base_url=base, headers={"Host": "badinh.localhost"}, timeout=15)
    from scripts.seed_demo import login

    operator = login(api, "vanhanh")
    sessions = {
        "editor": _login_ui(base, "bientap.badinh", DEMO_PASSWORD, None),
    }
    password = "Ba-Dinh-thu-2026!x"
    for role in ("collaborator", "board_member", "board_head", "tenant_admin"):
        username = f"thu.{role.replace('_', '')}.badinh"
        r = api.post("/api/v1/users", headers=operator, json={
            "username": username, "display_name": f"Thử {role}", "password": password,
            "tenant": "badinh", "role": role})  # fmt: skip
        assert r.status_code == 201, r.text
        secret = None
        if role != "collaborator":
            enrol = api.post("/api/v1/auth/totp/enrol",
                             json={"username": username, "password": password})  # fmt: skip
            assert enrol.status_code == 200, enrol.text
            secret = enrol.json()["secret"]
            confirm = api.post("/api/v1/auth/totp/confirm", json={
                "username": username, "password": password,
                "code": pyotp.TOTP(secret).now()})  # fmt: skip
            assert confirm.status_code == 200, confirm.text
        sessions[role] = _login_ui(base, username, password, secret)
    return sessions


def test_no_role_of_another_site_reaches_a_ward_s_work_in_the_ui(platform: Platform) -> None:
    api = httpx.Client(base_url=platform.gateway_url, headers={"Host": "hoankiem.localhost"},
                       timeout=15)  # fmt: skip
    from scripts.seed_demo import login

    editor = login(api, "bientap.hoankiem")
    created = api.post("/api/v1/articles", headers=editor, json={
        "tenant": "hoankiem", "category": "tin-tuc", "title": "Việc riêng của Hoàn Kiếm",
        "body_html": "<p>Bí mật nội bộ</p>"}).json()  # fmt: skip
    submitted = api.post(f"/api/v1/articles/{created['id']}/submit", headers=editor,
                         json={"version": created["version"]}).json()  # fmt: skip
    revision = submitted["current_revision_id"]
    article = created["id"]
    for role, http in _outsiders(platform).items():
        token = _csrf(http.get("/admin/").text)
        dashboard = http.get("/admin/?site=hoankiem")
        assert "Việc riêng của Hoàn Kiếm" not in dashboard.text, role
        assert "trang <strong>badinh</strong>" in dashboard.text, role
        for path in [f"/admin/bai-viet/{article}", f"/admin/bai-viet/{article}/xem-truoc/trang",
                     f"/admin/duyet/{revision}", f"/admin/duyet/{revision}/bien-nhan",
                     f"/admin/duyet/{revision}/bien-nhan.json"]:  # fmt: skip
            r = http.get(path)
            assert r.status_code in (403, 404, 409), (role, path, r.status_code)
            assert "Bí mật nội bộ" not in r.text, (role, path)
        for path, body in [
            (f"/admin/bai-viet/{article}", {"action": "save", "version": "1", "title": "Chiếm",
                                            "category": "tin-tuc"}),
            (f"/admin/bai-viet/{article}", {"action": "force", "version": "2",
                                            "force_reason": "Chiếm quyền đăng ngay"}),
            (f"/admin/duyet/{revision}", {"decision": "approve"}),
            (f"/admin/duyet/{revision}", {"decision": "reject", "ground": "untrue",
                                          "note": "Trả lại trái phép"}),
        ]:  # fmt: skip
            http.post(path, data={"_csrf_token": token, **body})
        for path in ["/admin/nguoi-dung?site=hoankiem", "/admin/nhuan-but?site=hoankiem",
                     "/admin/nhat-ky?tenant=hoankiem"]:  # fmt: skip
            r = http.get(path)
            assert "bientap.hoankiem" not in r.text and "Việc riêng" not in r.text, (role, path)
    # Nothing the outsiders did changed Hoàn Kiếm's article or its review.
    after = api.get(f"/api/v1/articles/{article}", headers=editor).json()
    assert after["title"] == "Việc riêng của Hoàn Kiếm" and after["state"] == "submitted"
    review = api.get(f"/api/v1/reviews/{revision}", headers=editor).json()
    assert review["status"] == "pending"
    # Without the CSRF token even the rightful editor's form post is refused.
    own = _login_ui(platform.gateway_url, "bientap.badinh", DEMO_PASSWORD, None)
    r = own.post("/admin/bai-viet/moi", data={"title": "Không có mã CSRF", "category": "tin-tuc"})
    assert r.status_code == 403


# --- syndication: the city board cross-posts, a ward's board sees the copy ------------

AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_problems(page, name: str) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page (none checked where `npm ci` has
    not installed it, except in CI, which must check)."""
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail("axe-core is missing (npm ci): CI must run the page checks")
        return []
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    return [f"{name}: {v['id']} {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]]  # fmt: skip


def sign_in_next_step(page, base: str, username: str) -> None:
    """sign_in with the next step's TOTP code (accepted, ±1 step): the API helpers may
    have used this step's code for the same account, and a code is good once."""
    page.goto(f"{base}/admin/dang-nhap")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    code = pyotp.TOTP(demo_totp_secret(username)).at(datetime.now().timestamp() + 30)
    page.get_by_label("Mã xác thực").fill(code)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/admin/")


@pytest.mark.browser
def test_the_city_board_crossposts_to_the_wards_and_a_ward_board_sees_it(
    platform: Platform, browser
) -> None:
    from scripts.seed_demo import publish

    base = platform.gateway_url.replace("127.0.0.1", "quantri.localhost")
    api = httpx.Client(base_url=platform.gateway_url, headers={"Host": "localhost"}, timeout=30)
    title = f"Thành phố hướng dẫn phòng cháy mùa khô {uuid.uuid4().hex[:6]}"
    fields = {"category": "tin-tuc", "title": title, "summary": "Hướng dẫn.",
              "body_html": "<p>Nội dung.</p>"}  # fmt: skip
    article = publish(api, "hanoi", fields)
    problems: list[str] = []

    city = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    bd = city.new_page()
    sign_in_next_step(bd, base, "bbt.hanoi")
    bd.goto(f"{base}/admin/bai-viet/{article['id']}")
    bd.get_by_role("link", name="Đăng lại xuống trang thành phần").click()
    bd.wait_for_url(f"{base}/admin/dang-lai/bai/*")
    problems += axe_problems(bd, "crosspost form")
    bd.get_by_label("Theo loại trang").check()
    bd.get_by_label("Phường", exact=True).check()
    bd.get_by_role("button", name="Đăng lại", exact=True).click()
    bd.wait_for_url(f"{base}/admin/dang-lai/*")
    assert "Đã đăng lại bài" in bd.locator(".flash").first.inner_text()
    row = bd.locator("tr[data-site='hoankiem']")
    assert "Đang hiển thị" in row.locator(".status").inner_text()
    problems += axe_problems(bd, "crosspost")
    bd.goto(f"{base}/admin/dang-lai")
    problems += axe_problems(bd, "crossposts")

    ward = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    wd = ward.new_page()
    sign_in_next_step(wd, base, "bbt.hoankiem")
    wd.get_by_role("link", name="Đăng lại, đề xuất").click()
    wd.wait_for_url(f"{base}/admin/bai-tu-cong")
    assert wd.get_by_role("link", name=title, exact=True).count() == 1
    problems += axe_problems(wd, "copies")
    wd.get_by_role("link", name=f"Từ chối bài «{title}»").click()
    problems += axe_problems(wd, "decline")
    wd.get_by_label("Lý do từ chối").fill("Phường đã có tin riêng.")
    wd.get_by_role("button", name="Từ chối", exact=True).click()
    wd.wait_for_url(f"{base}/admin/bai-tu-cong")
    assert "Đã từ chối bài" in wd.locator(".flash").first.inner_text()
    wd.goto(f"{base}/admin/de-xuat")
    problems += axe_problems(wd, "proposals")

    operator = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    op = operator.new_page()
    sign_in_next_step(op, base, "vanhanh")
    op.get_by_role("link", name="Đối tác").click()
    op.wait_for_url(f"{base}/admin/doi-tac")
    problems += axe_problems(op, "partners")
    for context in (city, ward, operator):
        context.close()
    assert problems == [], "\n".join(problems)
