"""The whole platform as `make run` starts it: separate processes, driven only by
HTTP through the gateway (and Kafka underneath)."""

from __future__ import annotations

import asyncio
import os
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import drop_schemas
from standardwebhooks import Webhook, WebhookVerificationError

from portal.launch import Platform
from runtime.embedded import free_port
from scripts.seed_demo import login, wait_for
from services.admin.domain import SEED_TENANTS
from services.syndication.domain import copy_id, copy_path


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    prefix = f"e{uuid.uuid4().hex[:8]}_"
    # IPv6 on: every process also listens on [::] (the gateway is what citizens reach).
    env = {
        "PORTAL_DEMO": "1",
        "PORTAL_SCHEMA_PREFIX": prefix,
        "PORTAL_LISTEN_IPV6": "1",
        # Webhook retries within seconds, not Standard Webhooks' hours: a receiver's
        # outage in a test is over in seconds, and ~50 s of retries outlast it.
        "PORTAL_WEBHOOK_RETRY_SCHEDULE": "0,1,1,1,2,2,2" + ",3" * 13,
    }
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    data_dir: Path = tmp_path_factory.mktemp("platform")
    running = Platform(
        data_dir=data_dir, gateway_port=free_port(), free_ports=True, extra_env=env
    ).start(timeout=120)
    _wait_until_every_site_is_known(running)
    children = dict(running.children)
    broker = running.kafka
    try:
        yield running
    finally:
        running.stop()
        # Stopping leaves nothing behind.
        assert all(child.poll() is not None for child in children.values())
        assert broker is None or broker.process is None or broker.process.poll() is not None
        if os.environ.get("DATABASE_URL"):
            asyncio.run(drop_schemas(os.environ["DATABASE_URL"], prefix))


def _wait_until_every_site_is_known(platform: Platform, timeout: float = 90) -> None:
    """Services report ready before they have read the 151 sites from the tenant topic;
    content (categories) and renderer (home pages) know every site soon after."""
    slugs = [line.split(",", 1)[0] for line in SEED_TENANTS.read_text().splitlines()[1:]]
    deadline = time.monotonic() + timeout
    with httpx.Client(base_url=platform.gateway_url, timeout=10) as http:
        for slug in slugs:
            while not (
                http.get("/api/v1/categories", params={"tenant": slug}).status_code == 200
                and http.get("/", headers={"Host": f"{slug}.localhost"}).status_code == 200
            ):
                assert time.monotonic() < deadline, f"site {slug} still unknown"
                time.sleep(0.5)


def client(platform: Platform, host: str) -> httpx.Client:
    return httpx.Client(base_url=platform.gateway_url, headers={"Host": host}, timeout=10)


def test_draft_submit_approve_publishes_on_its_own_site_only(platform: Platform) -> None:
    with client(platform, "hoankiem.localhost:8000") as http:
        editor = login(http, "bientap.hoankiem")
        board = login(http, "bbt.hoankiem")
        title = f"Phường Hoàn Kiếm họp dân về chỉnh trang phố cổ {uuid.uuid4().hex[:6]}"
        created = http.post(
            "/api/v1/articles",
            json={"tenant": "hoankiem", "category": "tin-tuc", "title": title,
                  "summary": "Tóm tắt", "body_html": "<p>Nội dung đầy đủ.</p>"},
            headers=editor,
        )  # fmt: skip
        assert created.status_code == 201, created.text
        article = created.json()
        assert article["state"] == "draft"
        submitted = http.post(
            f"/api/v1/articles/{article['id']}/submit",
            json={"version": article["version"]},
            headers=editor,
        )
        assert submitted.status_code == 200, submitted.text
        revision = submitted.json()["current_revision_id"]
        wait_for(lambda: http.get(f"/api/v1/reviews/{revision}", headers=board).is_success)
        # An editor may not approve; the board may.
        assert http.post(f"/api/v1/reviews/{revision}/approve", headers=editor,
                         json={}).status_code == 403  # fmt: skip
        approved = http.post(f"/api/v1/reviews/{revision}/approve", json={}, headers=board)
        assert approved.status_code == 200, approved.text

        path = wait_for(
            lambda: http.get(f"/api/v1/articles/{article['id']}", headers=editor).json()["path"]
        )
        page = wait_for(lambda: (r := http.get(path)).status_code == 200 and r)
        assert title in page.text
        assert 'lang="vi"' in page.text
        # The article's own page was never cached; the home page was, and it changes
        # when the gateway has taken the renderer's PagesChanged (a moment later).
        wait_for(lambda: title in http.get("/").text, "the home page to list the article", 10)

    for other in ("badinh.localhost", "localhost", "hanoi.localhost"):
        with client(platform, other) as http:
            assert http.get(path).status_code == 404
            if other == "badinh.localhost":  # localhost is the city portal too
                assert title not in http.get("/").text
    # The city portal's home lists its component sites' news (Điều 16.1), linked to the
    # article on its own site, never as a page of the portal.
    with client(platform, "hanoi.localhost") as http:
        home = wait_for(lambda: (r := http.get("/")) and title in r.text and r, "component news")
        link = re.search(r'<a[^>]*href="([^"]*)"[^>]*>\s*' + re.escape(title), home.text)
        assert link, "the title is a link"
        assert link.group(1).endswith(path) and "hoankiem" in link.group(1)


def test_every_tenant_answers_on_its_hosts(platform: Platform) -> None:
    with client(platform, "localhost") as http:
        tenants = http.get("/api/v1/tenants").json()
    expected = len(SEED_TENANTS.read_text(encoding="utf-8").strip().splitlines()) - 1
    assert len(tenants) == expected == 151
    with httpx.Client(base_url=platform.gateway_url, timeout=10) as http:
        for tenant in tenants:
            for host in (f"{tenant['slug']}.localhost:8000", tenant["domain"]):
                r = http.get("/", headers={"Host": host})
                assert r.status_code == 200, (host, r.status_code)
                assert tenant["name"] in r.text


def test_the_gateway_answers_on_ipv6_too(platform: Platform) -> None:
    url = f"http://[::1]:{platform.gateway_port}/"
    with httpx.Client(timeout=10) as http:
        page = http.get(url, headers={"Host": "hoankiem.localhost"})
        assert page.status_code == 200
        assert "Hoàn Kiếm" in page.text
        assert page.headers["strict-transport-security"].startswith("max-age=")


def test_unknown_and_malformed_hosts(platform: Platform) -> None:
    with httpx.Client(base_url=platform.gateway_url, timeout=10) as http:
        unknown = http.get("/", headers={"Host": "khongco.localhost"})
        assert unknown.status_code == 404
        assert "Không tìm thấy trang thông tin điện tử" in unknown.text
        assert http.get("/", headers={"Host": "evil.example.com"}).status_code == 404
        for bad in ("bad..host", "a b", "-x.localhost", "x" * 300, "host:99999999"):
            r = http.get("/", headers={"Host": bad})
            assert r.status_code == 400, bad
        assert http.get("/healthz", headers={"Host": "anything"}).status_code == 200


def test_every_process_reports_health_readiness_and_metrics(platform: Platform) -> None:
    with httpx.Client(timeout=10) as http:
        # The dev mailbox is not part of the platform: it only says it is up.
        mailbox = http.get(f"{platform.url('mailbox')}/readyz").json()
        assert mailbox == {"ready": True, "service": "mailbox", "checks": {"smtp": "ok"}}
        for name in [n for n in platform.ports if n != "mailbox"]:
            base = platform.url(name)
            assert http.get(f"{base}/healthz").json()["status"] == "ok"
            ready = http.get(f"{base}/readyz").json()
            assert ready["ready"] is True
            assert ready["checks"]["kafka"] == "ok"
            metrics = http.get(f"{base}/metrics").text
            assert "portal_http_requests_total" in metrics
            if name == "admin":  # it published the 151 tenants through its outbox
                assert 'portal_outbox_published_total{service="admin"}' in metrics


# --- syndication (issue 14): cross-posts, proposals, partners' webhooks --------------------

WARDS = sorted(
    line.split(",", 2)[0]
    for line in SEED_TENANTS.read_text(encoding="utf-8").splitlines()[1:]
    if line.split(",", 2)[1] == "ward"
)
COMMUNES = sorted(
    line.split(",", 2)[0]
    for line in SEED_TENANTS.read_text(encoding="utf-8").splitlines()[1:]
    if line.split(",", 2)[1] == "commune"
)
DEADLINE = 60.0
_TOKENS: dict[tuple[str, str], dict[str, str]] = {}


def token(platform: Platform, username: str) -> dict[str, str]:
    """A demo account's bearer headers, one login per account and platform (a TOTP code
    is good once per 30-second step: a second login might wait for the next)."""
    key = (platform.gateway_url, username)
    if key not in _TOKENS:
        with client(platform, "hanoi.localhost") as http:
            _TOKENS[key] = login(http, username)
    return _TOKENS[key]


def until(check: Callable[[], Any], what: str, timeout: float = DEADLINE) -> Any:
    """Poll `check` with short sleeps until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)
    return result


def publish(
    platform: Platform,
    tenant: str,
    title: str,
    *,
    article: dict[str, Any] | None = None,
    board: str | None = None,
) -> dict[str, Any]:
    """Write (or, given `article`, edit) an article as the site's editor, submit it, have
    its board approve it in editorial's queue; the article once content published it."""
    editor = token(platform, f"bientap.{tenant}")
    approver = token(platform, board or f"bbt.{tenant}")
    fields = {"category": "tin-tuc", "title": title, "summary": f"Tóm tắt: {title}",
              "body_html": f'<p>{title}. <a href="/lien-he">Liên hệ</a></p>'}  # fmt: skip
    with client(platform, f"{tenant}.localhost") as http:
        if article is None:
            written = http.post("/api/v1/articles", json={"tenant": tenant, **fields},
                                headers=editor)  # fmt: skip
            assert written.status_code == 201, written.text
        else:
            written = http.patch(f"/api/v1/articles/{article['id']}",
                                 json={"version": article["version"], **fields},
                                 headers=editor)  # fmt: skip
            assert written.status_code == 200, written.text
        draft = written.json()
        submitted = http.post(f"/api/v1/articles/{draft['id']}/submit",
                              json={"version": draft["version"]}, headers=editor)  # fmt: skip
        assert submitted.status_code == 200, submitted.text
        revision = submitted.json()["current_revision_id"]
        until(lambda: http.get(f"/api/v1/reviews/{revision}", headers=approver).is_success,
              "the review queue")  # fmt: skip
        approved = http.post(f"/api/v1/reviews/{revision}/approve", json={}, headers=approver)
        assert approved.status_code == 200, approved.text

        def live() -> dict[str, Any] | None:
            now = http.get(f"/api/v1/articles/{draft['id']}", headers=editor).json()
            done = now["state"] in ("published", "updated") and now["live_revision_id"] == revision
            return now if done else None

        return dict(until(live, f"{title!r} published"))


def pages_until(
    platform: Platform, pages: dict[str, str], ok: Callable[[httpx.Response], bool], what: str
) -> None:
    """Fetch every site's page (tenant -> path) through the gateway, as a citizen on
    <tenant>.localhost, until each one is `ok`."""
    pending, seen = dict(pages), {}
    deadline = time.monotonic() + DEADLINE
    with httpx.Client(base_url=platform.gateway_url, timeout=10) as http:
        while pending:
            for tenant, path in list(pending.items()):
                r = http.get(path, headers={"Host": f"{tenant}.localhost"})
                if ok(r):
                    del pending[tenant]
                else:
                    seen[tenant] = r.status_code
            if pending:
                assert time.monotonic() < deadline, (
                    f"{what}: {len(pending)} sites not yet, e.g. "
                    f"{[(t, seen[t], pending[t]) for t in sorted(pending)[:3]]}"
                )
                time.sleep(0.25)


def origin_url(platform: Platform, tenant: str, path: str) -> str:
    # The launcher's PORTAL_SITE_URL_TEMPLATE: http://{slug}.localhost:<gateway port>
    return f"http://{tenant}.localhost:{platform.gateway_port}{path}"


def test_a_crosspost_to_every_ward_is_live_updated_and_withdrawn_everywhere(
    platform: Platform,
) -> None:
    board = token(platform, "bbt.hanoi")
    tag = uuid.uuid4().hex[:6]
    first = f"Thành phố phát động Tết trồng cây {tag}"
    article = publish(platform, "hanoi", first)

    with client(platform, "hanoi.localhost") as http:
        assert "ward" in http.get("/api/v1/syndication/crossposts/kinds").json()
        # An editor may not send the city's article down; the board may.
        editor = token(platform, "bientap.hanoi")
        body = {"article_id": article["id"], "targets": {"kinds": ["ward"]}}
        refused = http.post("/api/v1/syndication/crossposts", json=body, headers=editor)
        assert refused.status_code == 403, refused.text

        def posted() -> httpx.Response | None:
            # 404 until syndication has read the article's publication off Kafka.
            r = http.post("/api/v1/syndication/crossposts", json=body, headers=board)
            return r if r.status_code != 404 else None

        crosspost = until(posted, "syndication to know the article")
        assert crosspost.status_code == 201, crosspost.text
        post = crosspost.json()
        assert sorted(c["tenant"] for c in post["copies"]) == WARDS
        assert len(WARDS) == 51
        assert post["counts"] == {"live": len(WARDS)}
        copies = {c["tenant"]: c["path"] for c in post["copies"]}
        assert all(
            path == copy_path("tin-tuc", article["slug"], copy_id(article["id"], tenant))
            for tenant, path in copies.items()
        )

    canonical = f'<link rel="canonical" href="{origin_url(platform, "hanoi", article["path"])}">'

    def shows(title: str) -> Callable[[httpx.Response], bool]:
        return lambda r: (
            r.status_code == 200
            and title in r.text
            and canonical in r.text
            and "Nguồn: <a href" in r.text
            and "Cổng Thông tin điện tử thành phố Hà Nội</a>" in r.text
        )

    pages_until(platform, copies, shows(first), "every ward to show its copy")
    # Each ward's site confirmed showing its copy.
    with client(platform, "hanoi.localhost") as http:
        until(
            lambda: http.get(f"/api/v1/syndication/crossposts/{post['id']}", headers=board)
            .json()["live_confirmed"] == len(WARDS),
            "every ward's confirmation",
        )  # fmt: skip
    # Not on a site it was not sent to, nor at the original's path on a ward.
    with client(platform, f"{COMMUNES[0]}.localhost") as http:
        elsewhere = copy_path("tin-tuc", article["slug"], copy_id(article["id"], COMMUNES[0]))
        assert http.get(elsewhere).status_code == 404
    with client(platform, f"{WARDS[0]}.localhost") as http:
        assert http.get(article["path"]).status_code == 404

    # The original changes: every copy shows the new text, at the same address.
    second = f"Tết trồng cây 2027: lịch mới {tag}"
    article = publish(platform, "hanoi", second, article=article)
    canonical = f'<link rel="canonical" href="{origin_url(platform, "hanoi", article["path"])}">'
    pages_until(
        platform, copies, lambda r: shows(second)(r) and first not in r.text,
        "every copy to show the new title",
    )  # fmt: skip

    # The original is withdrawn: every copy is gone (410) everywhere.
    with client(platform, "hanoi.localhost") as http:
        withdrawn = http.post(
            f"/api/v1/articles/{article['id']}/withdraw",
            json={"version": article["version"], "reason": "Hết thời hạn"},
            headers=board,
        )
        assert withdrawn.status_code == 200, withdrawn.text
    pages_until(
        platform, {"hanoi": article["path"], **copies}, lambda r: r.status_code == 410,
        "the original and every copy to be gone",
    )  # fmt: skip
    with client(platform, "hanoi.localhost") as http:
        after = http.get(f"/api/v1/syndication/crossposts/{post['id']}", headers=board).json()
        assert after["counts"] == {"withdrawn": len(WARDS)}


def test_a_wards_proposal_goes_live_on_the_city_portal_only_when_approved(
    platform: Platform,
) -> None:
    ward_board, city_board = token(platform, "bbt.hoankiem"), token(platform, "bbt.hanoi")
    tag = uuid.uuid4().hex[:6]
    good = publish(platform, "hoankiem", f"Phường Hoàn Kiếm khánh thành vườn hoa {tag}")
    bad = publish(platform, "hoankiem", f"Tin chưa rõ nguồn của phường {tag}")

    with client(platform, "hoankiem.localhost") as http:

        def propose(article: dict[str, Any]) -> dict[str, Any]:
            body = {"article_id": article["id"], "note": "Đề nghị đăng trên Cổng"}

            def sent() -> httpx.Response | None:
                # 404 until syndication has read the publication off Kafka.
                r = http.post("/api/v1/syndication/proposals", json=body, headers=ward_board)
                return r if r.status_code != 404 else None

            r = until(sent, "syndication to know the ward's article")
            assert r.status_code == 201, r.text
            return dict(r.json())

        proposed, doomed = propose(good), propose(bad)
        assert proposed["target"] == doomed["target"] == "hanoi"

    with client(platform, "hanoi.localhost") as http:
        review = until(
            lambda: (r := http.get(f"/api/v1/reviews/{proposed['id']}", headers=city_board))
            .is_success and r.json(),
            "the proposal in the city board's queue",
        )  # fmt: skip
        assert review["tenant"] == "hanoi"
        assert review["origin"] == "proposed"
        assert review["source_tenant"] == "hoankiem"
        until(lambda: http.get(f"/api/v1/reviews/{doomed['id']}", headers=city_board).is_success,
              "the second proposal in the queue")  # fmt: skip
        approved = http.post(f"/api/v1/reviews/{proposed['id']}/approve", json={},
                             headers=city_board)  # fmt: skip
        assert approved.status_code == 200, approved.text
        rejected = http.post(
            f"/api/v1/reviews/{doomed['id']}/reject",
            json={"ground": "unclear_origin", "note": "Chưa rõ nguồn tin, đề nghị bổ sung."},
            headers=city_board,
        )
        assert rejected.status_code == 200, rejected.text

    with client(platform, "hoankiem.localhost") as http:

        def decided() -> dict[str, dict[str, Any]] | None:
            rows = http.get("/api/v1/syndication/proposals", params={"tenant": "hoankiem"},
                            headers=ward_board).json()  # fmt: skip
            mine = {r["id"]: r for r in rows if r["id"] in (proposed["id"], doomed["id"])}
            done = len(mine) == 2 and mine[proposed["id"]]["path"]
            return mine if done and mine[doomed["id"]]["status"] == "rejected" else None

        outcome = until(decided, "both decisions back on the ward's list")
    assert outcome[proposed["id"]]["status"] == "approved"
    assert outcome[doomed["id"]]["ground"] == "unclear_origin"
    path = outcome[proposed["id"]]["path"]
    assert path == copy_path(proposed["category"], good["slug"], proposed["copy_id"])
    would_be = copy_path(doomed["category"], bad["slug"], doomed["copy_id"])
    assert outcome[doomed["id"]]["path"] is None

    canonical = f'<link rel="canonical" href="{origin_url(platform, "hoankiem", good["path"])}">'
    pages_until(
        platform, {"hanoi": path},
        lambda r: r.status_code == 200 and good["title"] in r.text and canonical in r.text
        and "Nguồn: <a href" in r.text and "Phường Hoàn Kiếm</a>" in r.text,
        "the approved proposal live on the city portal",
    )  # fmt: skip
    with client(platform, "hanoi.localhost") as http:
        # The approved copy is in the city's feed and its category; the rejected one is
        # nowhere on the city's site. (The city's home page links to the component
        # sites' own news, on their own sites: never to a copy that does not exist.)
        until(lambda: good["title"] in http.get("/rss.xml").text, "the copy in the city's RSS")
        until(lambda: path in http.get("/tin-tuc").text, "the copy in the city's category")
        assert http.get(would_be).status_code == 404
        assert bad["title"] not in http.get("/rss.xml").text
        assert bad["title"] not in http.get("/tin-tuc").text
        assert would_be not in http.get("/").text
    with client(platform, "hoankiem.localhost") as http:  # the ward's own stays as it was
        assert bad["title"] in http.get(bad["path"]).text


class PartnerReceiver:
    """What a partner runs: verifies every delivery with `standardwebhooks` (never our
    code), answers 401 to one that does not verify, and applies each message once,
    deduplicated by `webhook-id`; the effect keeps each article's latest version.
    `crash_after_apply`: apply, then answer 500, the first time a message comes (as if
    the partner fell over before answering), so that it comes again."""

    def __init__(self) -> None:
        self.secret = ""
        self.lock = threading.Lock()
        self.received: list[str] = []
        self.unverified = 0
        self.applied: dict[str, dict[str, Any]] = {}
        self.articles: dict[str, tuple[int, str, str]] = {}
        self.crash_after_apply = False
        self.server: ThreadingHTTPServer | None = None

    def start(self, port: int = 0) -> int:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                headers = {k.lower(): v for k, v in self.headers.items()}
                status = receiver.take(self.path, body, headers)
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return int(self.server.server_address[1])

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def take(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        try:
            payload = Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError:
            with self.lock:
                self.unverified += 1
            return 401
        if path != "/hook":
            return 404
        msg_id = headers["webhook-id"]
        with self.lock:
            self.received.append(msg_id)
            first = msg_id not in self.applied
            if first:
                self.applied[msg_id] = payload
                data = payload["data"]
                known = self.articles.get(data["article_id"])
                if known is None or data["version"] > known[0]:
                    self.articles[data["article_id"]] = (
                        data["version"], payload["type"], data.get("title", ""),
                    )  # fmt: skip
        return 500 if first and self.crash_after_apply else 204


def test_a_partners_webhook_verifies_every_delivery_and_survives_an_outage(
    platform: Platform,
) -> None:
    receiver = PartnerReceiver()
    port = receiver.start()
    try:
        _partner_webhook_walk(platform, receiver, port)
    finally:
        receiver.stop()


def _partner_webhook_walk(platform: Platform, receiver: PartnerReceiver, port: int) -> None:
    operator = token(platform, "vanhanh")
    partners = "/api/v1/syndication/partners"
    with client(platform, "hanoi.localhost") as http:
        # Not for the editors: the city's operators only.
        assert http.get(partners + "/", headers=token(platform, "bbt.hanoi")).status_code == 403
        made = http.post(partners + "/", headers=operator, json={
            "name": f"Báo điện tử {uuid.uuid4().hex[:6]}", "sites": ["badinh"],
            "topics": ["article.published", "article.withdrawn"]})  # fmt: skip
        assert made.status_code == 201, made.text
        partner_id = made.json()["id"]
        hooked = http.post(f"{partners}/{partner_id}/webhooks", headers=operator,
                           json={"url": f"http://127.0.0.1:{port}/hook"})  # fmt: skip
        assert hooked.status_code == 201, hooked.text
        hook = hooked.json()
        receiver.secret = hook["secret"]
        assert receiver.secret.startswith("whsec_")
        # The secret is shown once: never again.
        assert receiver.secret not in http.get(f"{partners}/{partner_id}", headers=operator).text
    log_path = f"{partners}/{partner_id}/webhooks/{hook['id']}/deliveries"

    def log() -> list[dict[str, Any]]:
        with client(platform, "hanoi.localhost") as http:
            r = http.get(log_path, params={"limit": 200}, headers=operator)
            assert r.status_code == 200, r.text
            return list(r.json())

    tag = uuid.uuid4().hex[:6]
    a = publish(platform, "badinh", f"Ba Đình ra quân dọn vệ sinh {tag}")
    until(lambda: receiver.articles.get(a["id"], (0, "", ""))[2] == a["title"],
          "the first message at the receiver")  # fmt: skip
    until(lambda: [e["status"] for e in log()] == ["delivered"], "its delivery logged")

    # The receiver is down: meanwhile another article, an update and a withdrawal.
    receiver.stop()
    b = publish(platform, "badinh", f"Ba Đình thông báo lịch họp dân {tag}")
    a2 = publish(platform, "badinh", f"Ba Đình ra quân dọn vệ sinh, lần hai {tag}", article=a)
    with client(platform, "badinh.localhost") as http:
        withdrawn = http.post(
            f"/api/v1/articles/{b['id']}/withdraw",
            json={"version": b["version"], "reason": "Đã hoãn cuộc họp"},
            headers=token(platform, "bbt.badinh"),
        )
        assert withdrawn.status_code == 200, withdrawn.text
    expected = Counter({(a["id"], "article.published"): 2, (b["id"], "article.published"): 1,
                        (b["id"], "article.withdrawn"): 1})  # fmt: skip

    def all_tried_and_failed() -> list[dict[str, Any]] | None:
        entries = log()
        if Counter((e["subject"], e["type"]) for e in entries) != expected:
            return None
        down = [e for e in entries if e["status"] != "delivered"]
        tried = len(down) == 3 and all(e["attempts"] >= 1 and e["last_error"] for e in down)
        return down if tried else None

    down = until(all_tried_and_failed, "every message tried while the receiver is down")
    assert {e["status"] for e in down} == {"pending"}  # not lost, not dead: waiting
    assert len(receiver.received) == 1

    # It comes back on the same port, and falls over once on each message after taking it.
    receiver.crash_after_apply = True
    receiver.start(port)

    def settled() -> list[dict[str, Any]] | None:
        entries = log()
        return entries if {e["status"] for e in entries} == {"delivered"} else None

    entries = until(settled, "every message delivered after the outage")
    assert len(entries) == 4
    assert receiver.unverified == 0  # every delivery verified
    assert set(receiver.applied) == {e["id"] for e in entries}  # nothing lost
    # Nothing applied twice: no change came again under another id (the receiver
    # applies each id once, so a resend under a new id would be a second effect).
    changes = Counter(
        (m["type"], m["data"]["article_id"], m["data"]["version"])
        for m in receiver.applied.values()
    )
    assert set(changes.values()) == {1}
    received = Counter(receiver.received)
    assert all(received[e["id"]] >= 2 for e in down)  # ...though each came again
    assert all(e["attempts"] >= 3 for e in entries if e["id"] in {d["id"] for d in down})
    assert receiver.articles[a["id"]][1:] == ("article.published", a2["title"])
    assert receiver.articles[b["id"]][1] == "article.withdrawn"
