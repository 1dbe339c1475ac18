"""The acceptance walk of citizen questions, in headless Chromium against the whole
platform as `make run` starts it (separate processes, the embedded broker, the dev
mailbox), with feedback's clock driven by an operator (PORTAL_CONTROLLABLE_CLOCK).

A citizen asks a question on a ward's site and confirms it by the link in the mail;
in the admin UI the ward's board forwards it to the answering unit, the unit drafts
an answer, the board approves it; the answer is published without the citizen's personal data and
found again on the site; the citizen rates it. A second question is left alone: it is warned about a
working day ahead, is not overdue at 23:59:59 on its last day, and becomes overdue
exactly once at 00:00 the next day, across a restart of the feedback service.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from test_editor_ui import _need_chromium, sign_in

from contracts import topics
from portal.launch import Platform
from runtime.embedded import free_port
from scripts.seed_demo import login

WARD = "hoankiem"
UNIT = "badinh"


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    env = {"PORTAL_DEMO": "1", "PORTAL_SCHEMA_PREFIX": f"f{uuid.uuid4().hex[:8]}_",
           "PORTAL_CONTROLLABLE_CLOCK": "1"}  # fmt: skip
    running = Platform(
        data_dir=tmp_path_factory.mktemp("feedback"), gateway_port=free_port(), free_ports=True,
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
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


class Desk:
    """The platform seen from outside: the gateway, the mailbox, the broker."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.http = httpx.Client(base_url=platform.gateway_url, timeout=30)
        self.operator = login(self.http, "vanhanh")

    def site(self, slug: str = WARD) -> str:
        return f"http://{slug}.localhost:{self.platform.gateway_port}"

    def admin(self) -> str:
        """The editors' UI, on its own host (every site's staff use it)."""
        return f"http://quantri.localhost:{self.platform.gateway_port}"

    def set_clock(self, moment: str) -> None:
        r = self.http.put("/api/v1/feedback/clock/", json={"now": moment}, headers=self.operator)
        assert r.status_code == 200, r.text

    def link(self, email: str, kind: str = "xac-nhan") -> str:
        def found() -> str | None:
            mails = httpx.get(f"{self.platform.url('mailbox')}/messages.json").json()
            for mail in mails:
                hit = re.search(rf"(http://\S+/hoi-dap/{kind}/[\w-]+)", mail["body"])
                if mail["to"] == email and hit:
                    return hit.group(1)
            return None

        return wait(found, f"mail to {email}")

    def events(self, question_id: str) -> list[tuple[str, dict[str, Any]]]:
        # Playwright's sync API runs an event loop in this thread: read in another one.
        bootstrap = self.platform.env["KAFKA_BOOTSTRAP_SERVERS"]
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, _events(bootstrap, question_id)).result()


async def _events(bootstrap: str, question_id: str) -> list[tuple[str, dict[str, Any]]]:
    consumer = AIOKafkaConsumer(
        topics.QUESTION.name, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
        group_id=None,  # no group to join: reads every partition at once
    )  # fmt: skip
    await consumer.start()
    found: list[tuple[str, dict[str, Any]]] = []
    try:
        idle = 0
        while idle < 3:
            batch = await consumer.getmany(timeout_ms=700)
            idle = 0 if batch else idle + 1
            for records in batch.values():
                for record in records:
                    if record.key and record.key.decode() == question_id:
                        kind = dict(record.headers)["ce_type"].decode().split(".")[-2]
                        found.append((kind, json.loads(record.value)))
    finally:
        await consumer.stop()
    return found


def wait(check, what: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def open_question(page, site: str, code: str) -> str:
    """From the admin UI's queue, the question with this tracking code; its id."""
    page.goto(f"{site}/admin/hoi-dap")
    page.get_by_role("link", name=code, exact=True).click()
    page.wait_for_url(re.compile(r".*/admin/hoi-dap/[0-9a-f-]{36}$"))
    return page.url.rsplit("/", 1)[1]


def ask(page, site: str, title: str, text: str, email: str) -> str:
    """A citizen fills in the form on the site; the tracking code shown after."""
    page.goto(f"{site}/hoi-dap/gui")
    page.get_by_label("Lĩnh vực").select_option("Đất đai")
    page.get_by_label("Tiêu đề").fill(title)
    page.get_by_label("Nội dung").fill(text)
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Hoa")
    page.get_by_label("Email (để xác nhận và nhận trả lời)").fill(email)
    page.get_by_role("button", name="Gửi", exact=True).click()
    page.wait_for_selector("[data-code]")
    assert "xác nhận qua email" in page.content()
    return page.locator("[data-code]").inner_text()


def confirm(page, link: str, site: str) -> None:
    """The citizen opens the mailed link and presses the button."""
    page.goto(link.replace(re.match(r"http://[^/]+", link).group(0), site))  # type: ignore[union-attr]
    page.get_by_role("button", name="Xác nhận gửi").click()
    page.wait_for_selector("text=Đã tiếp nhận câu hỏi")


@pytest.mark.browser
def test_a_citizen_s_question_is_answered_and_another_becomes_overdue_once(
    platform: Platform, browser
) -> None:
    desk = Desk(platform)
    desk.set_clock("2026-11-23T09:00:00+07:00")  # a Monday; 24/11 is a public holiday
    site = desk.site()
    page = browser.new_page()

    # 1. Asked on the ward's site, confirmed by the mailed link.
    email = f"hoa.{uuid.uuid4().hex[:6]}@example.vn"
    code = ask(page, site, "Hỏi về thủ tục tách thửa đất ở",
               "Tôi là Nguyễn Thị Hoa, điện thoại 0912 000 111. Xin hỏi điều kiện tách thửa "
               "đất ở tại phường Hoàn Kiếm?", email)  # fmt: skip
    link = desk.link(email)
    assert link.startswith(site)  # the mail leads back to the ward's own site
    confirm(page, link, site)
    assert "26/11/2026" in page.content()  # classification due: 24/11 is a holiday

    # The gateway says which site a request is for; a client cannot say it instead.
    spoof = {"Host": f"{WARD}.localhost", "X-Portal-Tenant": UNIT}
    forged = desk.http.post("/hoi-dap/gui", data={"title": "x"}, headers=spoof)
    assert forged.status_code == 422 and "Phường Hoàn Kiếm" in forged.text
    assert "Phường Ba Đình" not in forged.text

    # 2. In the admin UI: the board forwards it, the unit answers, the board approves.
    board = browser.new_page()
    admin = desk.admin()
    sign_in(board, admin, f"bbt.{WARD}", totp=True)
    qid = open_question(board, admin, code)
    board.get_by_label("Đơn vị trả lời").select_option(UNIT)
    board.get_by_role("button", name="Chuyển đơn vị").click()
    board.wait_for_selector("text=Đã chuyển đơn vị trả lời")
    unit = browser.new_page()
    sign_in(unit, admin, f"bientap.{UNIT}")
    assert open_question(unit, admin, code) == qid
    unit.locator("trix-editor").fill(
        "Điều kiện tách thửa đất ở theo Quyết định 61/2024/QĐ-UBND của UBND Thành phố."
    )
    unit.get_by_role("button", name="Lưu câu trả lời, gửi duyệt").click()
    unit.wait_for_selector("text=Đang duyệt câu trả lời")
    board.goto(f"{admin}/admin/hoi-dap/{qid}")
    board.get_by_role("button", name="Duyệt và đăng câu trả lời").click()
    board.wait_for_selector("text=Câu trả lời đã đăng")

    # 3. Published without personal data, and found again on the site.
    page.goto(f"{site}/hoi-dap/{code}")
    body = page.content()
    assert "Quyết định 61/2024/QĐ-UBND" in body
    assert "Nguyễn Thị Hoa" not in body and "0912 000 111" not in body and email not in body
    page.goto(f"{site}/hoi-dap")
    page.get_by_label("Tìm trong các câu trả lời").fill("tách thửa")
    page.get_by_role("button", name="Tìm", exact=True).click()
    page.wait_for_selector(f"a[href='/hoi-dap/{code}']")
    # The citizen rates the answer: no account, nothing that points back to them.
    page.goto(f"{site}/hoi-dap/{code}")
    page.get_by_label("Hài lòng", exact=True).check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    page.wait_for_selector("text=Đã ghi nhận đánh giá")
    published = [k for k, _ in desk.events(qid)]
    assert published == ["QuestionSubmitted", "QuestionClassified", "AnswerPublished"]
    mails = httpx.get(f"{platform.url('mailbox')}/messages.json").json()
    assert any(m["to"] == email and code in m["subject"] and "Trả lời" in m["subject"]
               for m in mails)  # fmt: skip

    # 4. A second question, left alone.
    email2 = f"hai.{uuid.uuid4().hex[:6]}@example.vn"
    text2 = "Vỉa hè phố Hàng Bông bị lấn chiếm để xe, người đi bộ phải xuống lòng đường."
    code2 = ask(page, site, "Phản ánh về vỉa hè bị lấn chiếm", text2, email2)
    confirm(page, desk.link(email2), site)
    assert "26/11/2026" in page.content()
    second = {"id": open_question(board, admin, code2)}

    desk.set_clock("2026-11-25T08:00:00+07:00")  # the working day before the due day
    wait(lambda: any(k == "QuestionDeadlineNear" for k, _ in desk.events(second["id"])), "warning")
    desk.set_clock("2026-11-26T23:59:59+07:00")
    time.sleep(3)  # the watcher looks every second: it must find nothing due yet
    assert not [k for k, _ in desk.events(second["id"]) if k == "QuestionOverdue"]
    page.goto(f"{site}/hoi-dap/tra-cuu?ma={code2}")
    assert "Quá hạn" not in page.content()

    # The watcher's agenda is in the database: a restart loses nothing.
    platform.stop_process("feedback")
    platform.start_process("feedback")
    platform.wait_ready(60, ["feedback"])
    desk.set_clock("2026-11-27T00:00:00+07:00")

    def overdue() -> list[dict[str, Any]]:
        return [e for k, e in desk.events(second["id"]) if k == "QuestionOverdue"]

    first = wait(overdue, "QuestionOverdue")
    assert [e["clock"] for e in first] == ["classification"]
    page.goto(f"{site}/hoi-dap/tra-cuu?ma={code2}")
    assert "Quá hạn" in page.content()
    desk.set_clock("2026-11-28T10:00:00+07:00")
    time.sleep(3)
    assert [e["clock"] for e in overdue()] == ["classification"]  # exactly once
    # The board sees it in its queue of overdue questions, with the mark.
    board.goto(f"{admin}/admin/hoi-dap?overdue=1")
    row = board.locator(f"tr[data-id='{second['id']}']")
    assert "Quá hạn" in row.inner_text()
    assert board.locator(f"tr[data-id='{qid}']").count() == 0
