"""Every page type of the citizen sites, checked by the tools the acceptance names,
against the whole platform as `make run` starts it (demo data, through the gateway):

- axe-core (npm) in headless Chromium: no WCAG 2.1 A/AA violation at 360 and 1280 px;
- the keyboard alone reaches every visible link and control, in order;
- the Nu Html Checker (vnu-jar, npm, on the machine's Java): no error.

The checkers come from `npm ci` (package.json); CI installs them, so there a missing
checker fails the test instead of skipping it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from portal.launch import Platform
from runtime.embedded import free_port
from runtime.settings import REPO_ROOT
from scripts.seed_demo import logged_in

CHROMIUM = "/usr/bin/chromium"
AXE = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = REPO_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
WIDTHS = (360, 1280)
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def _need(what: str, present: bool, hint: str) -> None:
    if present:
        return
    message = f"{what} is missing ({hint})"
    if os.environ.get("CI"):
        pytest.fail(message + ": CI must run the page checks")
    pytest.skip(message)


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    env = {"PORTAL_DEMO": "1", "PORTAL_SCHEMA_PREFIX": f"q{uuid.uuid4().hex[:8]}_"}
    running = Platform(
        data_dir=tmp_path_factory.mktemp("quality"), gateway_port=free_port(), free_ports=True,
        extra_env=env,
    ).start(timeout=120)  # fmt: skip
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def pages(platform: Platform) -> dict[str, tuple[str, str]]:
    """(host, path) of one page of every type, from the demo data."""
    from scripts.seed_demo import seed

    seed(platform.gateway_url)  # what `make run` publishes
    with httpx.Client(base_url=platform.gateway_url, timeout=30) as http:
        sitemap = _wait_for_demo(http)
        links = dict.fromkeys(re.findall(r"<loc>https?://[^/<]+(/[a-z0-9-]+/[a-z0-9-]+)</loc>",
                                         sitemap))  # fmt: skip
        by_category = {path.split("/")[1]: path for path in links}
        gone = _withdrawn_article(http)
    found = {
        "home": ("hanoi.localhost", "/"),
        "category": ("hanoi.localhost", "/tin-tuc"),
        "category, paged": ("hanoi.localhost", "/tin-tuc?trang=1"),
        "article": ("hanoi.localhost", by_category["chi-dao-dieu-hanh"]),
        "announcement": ("hanoi.localhost", by_category["thong-bao"]),
        "document": ("hanoi.localhost", by_category["van-ban"]),
        "document library": ("hanoi.localhost", "/van-ban?loai=Quyết+định&nam=2026"),
        "gallery": ("hanoi.localhost", by_category["thu-vien-anh"]),
        "video": ("hanoi.localhost", by_category["video"]),
        "audio": ("hanoi.localhost", by_category["am-thanh"]),
        "organisation": ("hanoi.localhost", by_category["gioi-thieu"]),
        "english home": ("hanoi.localhost", "/english"),
        "component sites": ("hanoi.localhost", "/trang-thanh-phan"),
        "search": ("hanoi.localhost", "/tim-kiem?q=ha+noi"),
        "ward home": ("hoankiem.localhost", "/"),
        "not found": ("hanoi.localhost", "/khong-co/trang-nay"),
        "gone": ("hoankiem.localhost", gone),
    }
    return found


def _wait_for_demo(http: httpx.Client) -> str:
    """The city's sitemap, once every demo article of every kind is in it."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        sitemap = http.get("/sitemap.xml", headers={"Host": "hanoi.localhost"}).text
        if all(f"/{c}/" in sitemap for c in ("van-ban", "thu-vien-anh", "gioi-thieu")):
            return sitemap
        time.sleep(1)
    raise AssertionError("the demo data did not reach the city's sitemap")


def _withdrawn_article(http: httpx.Client) -> str:
    from scripts.seed_demo import publish

    http.headers["Host"] = "localhost"
    article = {"category": "tin-tuc", "title": "Bài sẽ được gỡ để thử",
               "summary": "Thử trang 410.", "body_html": "<p>Thử.</p>"}  # fmt: skip
    live = publish(http, "hoankiem", article)
    withdrawn = http.post(
        f"/api/v1/articles/{live['id']}/withdraw",
        headers=logged_in(http, "bbt.hoankiem"),
        json={"version": live["version"], "reason": "Thử.", "kind": "gone"},
    )
    assert withdrawn.status_code == 200, withdrawn.text
    for _ in range(100):
        if http.get(live["path"], headers={"Host": "hoankiem.localhost"}).status_code == 410:
            break
        time.sleep(0.1)
    return str(live["path"])


@pytest.fixture(scope="module")
def browser(platform: Platform):
    _need("headless Chromium", shutil.which(CHROMIUM) is not None, "apt-get install chromium")
    _need("axe-core", AXE.exists(), "npm ci")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


@pytest.mark.browser
def test_axe_finds_no_violation_on_any_page_type(platform, pages, browser) -> None:
    problems = []
    for width in WIDTHS:
        # bypass_csp: axe is injected as an inline script; the pages' own CSP forbids that.
        context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
        page = context.new_page()
        for name, (host, path) in pages.items():
            url = f"http://{host}:{platform.gateway_port}{path}"
            page.goto(url)
            page.add_script_tag(path=str(AXE))
            result = page.evaluate(
                "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                WCAG,
            )
            for violation in result["violations"]:
                targets = [n["target"] for n in violation["nodes"]][:3]
                problems.append(f"{width}px {name} {path}: {violation['id']} {targets}")
        context.close()
    assert problems == [], "\n".join(problems)


FOCUSABLE = (
    "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), "
    "select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex='-1'])"
)


@pytest.mark.browser
def test_the_keyboard_reaches_every_link_and_control(platform, pages, browser) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    missed = []
    for name, (host, path) in pages.items():
        page.goto(f"http://{host}:{platform.gateway_port}{path}")
        wanted = page.evaluate(
            """(selector) => {
                const all = [...document.querySelectorAll(selector)];
                all.forEach((el, i) => el.setAttribute('data-k', String(i)));
                // checkVisibility: not in a closed <details>, not display:none or hidden.
                return all.filter(el => el.checkVisibility({visibilityProperty: true}))
                          .map(el => el.getAttribute('data-k'));
            }""",
            FOCUSABLE,
        )
        reached: set[str] = set()
        for _ in range(len(wanted) + 5):
            page.keyboard.press("Tab")
            key = page.evaluate("document.activeElement && document.activeElement.dataset.k")
            if key is not None:
                reached.add(key)
        lost = [k for k in wanted if k not in reached]
        if lost:
            html = page.evaluate(
                "(ks) => ks.map(k => document.querySelector(`[data-k='${k}']`).outerHTML"
                ".slice(0, 80))",
                lost[:3],
            )
            missed.append(f"{name} {path}: {len(lost)} not reached, e.g. {html}")
    # The menu opens from the keyboard, and then every category in it is reachable.
    host, path = pages["home"]
    page.goto(f"http://{host}:{platform.gateway_port}{path}")
    summary = page.locator("summary").first
    summary.focus()
    page.keyboard.press("Enter")
    menu_links = page.evaluate(
        "() => [...document.querySelectorAll('details[open] a[href]')].map(a => a.href)"
    )
    assert len(menu_links) >= 10, "Enter on the menu button did not open the menu"
    reached_links = set()
    for _ in range(len(menu_links) + 5):
        page.keyboard.press("Tab")
        reached_links.add(page.evaluate("document.activeElement.href || ''"))
    assert set(menu_links) <= reached_links
    context.close()
    assert missed == [], "\n".join(missed)


def test_the_nu_html_checker_finds_no_error(platform, pages, tmp_path: Path) -> None:
    _need("vnu-jar", VNU.exists(), "npm ci")
    _need("java", shutil.which("java") is not None, "apt-get install default-jre-headless")
    files = []
    with httpx.Client(base_url=platform.gateway_url, timeout=30) as http:
        for n, (name, (host, path)) in enumerate(pages.items()):
            response = http.get(path, headers={"Host": host})
            assert "text/html" in response.headers["content-type"], name
            target = tmp_path / f"{n:02d}-{name.replace(' ', '-')}.html"
            target.write_bytes(response.content)
            files.append(target)
    checked = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    report = json.loads(checked.stderr or checked.stdout or '{"messages": []}')
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m.get('message')}"
        for m in report["messages"]
        if m.get("type") == "error"
    ]
    assert errors == [], "\n".join(errors)


@pytest.mark.browser
def test_a_citizen_searches_without_diacritics(platform, pages, browser) -> None:
    """On a ward site: autocomplete offers titles as one types without marks, the results
    mark the words, "did you mean" respells a typo, the scope widens to every site, and a
    withdrawn article is not found."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    base = f"http://hoankiem.localhost:{platform.gateway_port}"
    title = "Phường Hoàn Kiếm ra quân chỉnh trang vỉa hè phố cổ"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the demo reaches the index a moment after the site
        page.goto(f"{base}/tim-kiem?q=chinh+trang+via+he")
        if title in page.content():
            break
        time.sleep(0.5)
    page.goto(f"{base}/tim-kiem")
    box = page.get_by_label("Từ khóa (gõ có dấu hoặc không dấu)")
    box.press_sequentially("ra quan chinh tr", delay=30)
    page.wait_for_function(
        "t => [...document.querySelectorAll('#goi-y option')].some(o => o.value === t)", arg=title
    )
    box.fill("ra quan chinh trang via he pho co")
    box.press("Enter")
    page.wait_for_url("**/tim-kiem?q=ra+quan+chinh+trang+via+he+pho+co*")
    first = page.locator("ol.results li.result").first
    assert first.locator("h2").inner_text() == title
    assert "<mark>" in first.locator(".snippet").inner_html() or "vỉa hè" in first.inner_text()
    first.locator("h2 a").click()
    page.wait_for_load_state()
    assert page.locator("h1").first.inner_text() == title

    page.goto(f"{base}/tim-kiem?q=chinh+trang+via+hee")
    page.get_by_role("link", name="chinh trang via he").click()
    assert title in page.locator("ol.results").inner_text()

    # This site finds nothing from Ba Đình; all sites do, with the site named.
    page.goto(f"{base}/tim-kiem?q=ngay+hoi+dai+doan+ket")
    assert "Không tìm thấy kết quả nào" in page.content()
    page.get_by_role("link", name="Tìm trên tất cả các trang").click()
    results = page.locator("ol.results").inner_text()
    assert "Phường Ba Đình tổ chức Ngày hội Đại đoàn kết toàn dân tộc" in results
    assert "Phường Ba Đình" in page.locator("aside.facets").inner_text()

    # The demo's withdrawn article ("Bài sẽ được gỡ để thử") is gone from the index.
    gone = pages["gone"][1]
    page.goto(f"{base}/tim-kiem?q=bai+se+duoc+go+de+thu")
    assert gone not in page.content() and "Không tìm thấy kết quả nào" in page.content()
    context.close()
