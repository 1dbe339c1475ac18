"""Publish demo articles through the public API, as editors and the board would.

Used by `make run`; also runnable against a running platform:

    .venv/bin/python scripts/seed_demo.py http://127.0.0.1:8000
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pyotp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.admin.domain import DEMO_PASSWORD
from services.admin.security import demo_totp_secret

DEMO_SITES = {
    "hanoi": "Cổng Thông tin điện tử thành phố Hà Nội",
    "hoankiem": "Phường Hoàn Kiếm",
    "badinh": "Phường Ba Đình",
    "caugiay": "Phường Cầu Giấy",
}

ARTICLES: dict[str, list[dict[str, str]]] = {
    "hanoi": [
        {
            "category": "chi-dao-dieu-hanh",
            "title": "UBND Thành phố chỉ đạo đẩy nhanh chuyển đổi số trong giải quyết thủ tục hành chính",
            "summary": "Thành phố yêu cầu các sở, ngành và UBND các phường, xã hoàn thành số hóa hồ sơ, "
            "kết quả giải quyết thủ tục hành chính trong năm 2026.",
            "body_html": "<p>Ủy ban nhân dân Thành phố Hà Nội vừa ban hành văn bản chỉ đạo các sở, ban, "
            "ngành và UBND các phường, xã tiếp tục đẩy mạnh chuyển đổi số trong tiếp nhận, giải quyết "
            "thủ tục hành chính.</p><p>Theo đó, 100% hồ sơ được tiếp nhận, giải quyết trên Hệ thống "
            "thông tin giải quyết thủ tục hành chính của Thành phố; kết quả được số hóa và "
            "đồng bộ với Cổng Dịch vụ công quốc gia.</p>",
            "author": "Văn phòng UBND Thành phố",
        },
        {
            "category": "tin-tuc",
            "title": "Hà Nội khánh thành tuyến phố đi bộ mới quanh hồ Thiền Quang",
            "summary": "Không gian đi bộ mở cửa từ 19 giờ tối thứ Sáu đến 24 giờ Chủ nhật hằng tuần.",
            "body_html": "<p>Tối 21/11, tuyến phố đi bộ quanh hồ Thiền Quang chính thức đi vào "
            "hoạt động, góp phần mở rộng không gian văn hóa, vui chơi cho người dân và du khách.</p>",
            "author": "Phóng viên Cổng TTĐT",
        },
        {
            "category": "thong-bao",
            "title": "Thông báo lịch tiếp công dân của Chủ tịch UBND Thành phố tháng 12/2026",
            "summary": "Lịch tiếp công dân định kỳ tại Trụ sở Tiếp công dân Thành phố.",
            "body_html": "<p>Chủ tịch UBND Thành phố tiếp công dân định kỳ vào ngày 15/12/2026 tại "
            "Trụ sở Tiếp công dân Thành phố, số 1 Ngô Quyền, phường Hoàn Kiếm.</p>",
            "author": "Ban Tiếp công dân Thành phố",
        },
    ],
    "hoankiem": [
        {
            "category": "tin-tuc",
            "title": "Phường Hoàn Kiếm ra quân chỉnh trang vỉa hè phố cổ",
            "summary": "Hơn 200 cán bộ, đoàn viên tham gia ra quân bảo đảm trật tự đô thị.",
            "body_html": "<p>Sáng 22/11, UBND phường Hoàn Kiếm tổ chức ra quân chỉnh trang vỉa hè "
            "các tuyến phố Hàng Đào, Hàng Ngang, Hàng Bạc.</p>",
            "author": "UBND phường Hoàn Kiếm",
        },
        {
            "category": "thong-bao",
            "title": "Thông báo tổ chức lấy ý kiến Nhân dân về quy hoạch chi tiết khu vực hồ Hoàn Kiếm",
            "summary": "Người dân góp ý trực tiếp tại Bộ phận Một cửa phường hoặc qua Cổng thông tin.",
            "body_html": "<p>Thời gian lấy ý kiến từ ngày 25/11 đến hết ngày 25/12/2026.</p>",
            "author": "UBND phường Hoàn Kiếm",
        },
    ],
    "badinh": [
        {
            "category": "tin-tuc",
            "title": "Phường Ba Đình tổ chức Ngày hội Đại đoàn kết toàn dân tộc",
            "summary": "Ngày hội được tổ chức tại 12 tổ dân phố trên địa bàn phường.",
            "body_html": "<p>Nhân kỷ niệm Ngày truyền thống Mặt trận Tổ quốc Việt Nam, phường Ba Đình "
            "tổ chức Ngày hội Đại đoàn kết toàn dân tộc tại các khu dân cư.</p>",
            "author": "UBND phường Ba Đình",
        },
    ],
    "caugiay": [
        {
            "category": "chi-dao-dieu-hanh",
            "title": "Phường Cầu Giấy triển khai cấp đổi căn cước cho người dân ngoài giờ hành chính",
            "summary": "Bộ phận tiếp nhận làm việc cả sáng thứ Bảy trong tháng 12.",
            "body_html": "<p>Để tạo thuận lợi cho người dân, Công an phường phối hợp với Bộ phận "
            "Một cửa tiếp nhận hồ sơ vào sáng thứ Bảy hằng tuần.</p>",
            "author": "UBND phường Cầu Giấy",
        },
    ],
}


def demo_png(colour: tuple[int, int, int], width: int = 1200, height: int = 800) -> bytes:
    """A plain picture for the demo gallery (real photos are the editors' to upload)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    for step in range(0, width, 60):
        draw.line([(step, 0), (step + height // 2, height)], fill=(255, 255, 255), width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


#: One article of every other kind on the city portal, so every page type has a page.
HANOI_KINDS: list[dict[str, Any]] = [
    {
        "category": "van-ban",
        "kind": "document",
        "title": "Quyết định ban hành Quy chế quản lý Cổng Thông tin điện tử Thành phố",
        "summary": "Quy chế quản lý, vận hành Cổng Thông tin điện tử thành phố Hà Nội.",
        "body_html": "<p>Quyết định có hiệu lực kể từ ngày ký.</p>",
        "details": {
            "number": "04/2026/QĐ-UBND",
            "doc_type": "Quyết định",
            "issuer": "UBND thành phố Hà Nội",
            "issued_on": "2026-01-15",
            "effective_on": "2026-01-25",
            "field": "Công nghệ thông tin",
            "validity": "in_force",
        },
    },
    {
        "category": "video",
        "kind": "video",
        "title": "Video: Hà Nội sẵn sàng cho mùa lễ hội cuối năm",
        "summary": "Phóng sự về công tác chuẩn bị các hoạt động văn hóa cuối năm.",
        "details": {
            "source_url": "https://hanoi.gov.vn/media/hanoi/video/le-hoi.mp4",
            "duration_seconds": 185,
            "transcript": "Các tuyến phố trung tâm được trang trí đón năm mới.",
        },
    },
    {
        "category": "am-thanh",
        "kind": "audio",
        "title": "Bản tin phát thanh: Thông tin chính sách mới tháng 12",
        "summary": "Những chính sách mới có hiệu lực từ tháng 12/2026.",
        "details": {
            "source_url": "https://hanoi.gov.vn/media/hanoi/audio/ban-tin.mp3",
            "duration_seconds": 240,
            "transcript": "Kính thưa quý thính giả, sau đây là bản tin chính sách.",
        },
    },
    {
        "category": "gioi-thieu",
        "kind": "page",
        "title": "Lãnh đạo Ủy ban nhân dân Thành phố",
        "summary": "Thông tin về lãnh đạo UBND Thành phố và địa chỉ liên hệ.",
        "details": {
            "page_kind": "leadership",
            "leaders": [
                {
                    "name": "Chủ tịch UBND Thành phố",
                    "position": "Chủ tịch",
                    "bio": "Phụ trách chung, lãnh đạo toàn diện các mặt công tác.",
                }
            ],
            "contacts": [
                {
                    "unit": "Văn phòng UBND Thành phố",
                    "address": "79 Đinh Tiên Hoàng, phường Hoàn Kiếm, Hà Nội",
                }
            ],
        },
    },
]
HANOI_ENGLISH = {
    "category": "tin-tuc",
    "language": "en",
    "title": "Hanoi opens a new pedestrian street around Thien Quang lake",
    "summary": "The walking space is open from Friday evening to Sunday night every week.",
    "body_html": "<p>The pedestrian street around Thien Quang lake opened on 21 November.</p>",
}


BOARD = {"hanoi": "bbt.hanoi", "hoankiem": "bbt.hoankiem", "badinh": "bbt.badinh",
         "caugiay": "bbt.caugiay"}  # fmt: skip


def login(client: httpx.Client, username: str) -> dict[str, str]:
    """Bearer headers for a demo account.

    Accounts with a second factor (board, tenant admins, operators) are asked for a
    code; the demo ones derive their TOTP secret from the username. A code is accepted
    once, so if this account already logged in during the current 30-second step, the
    code is refused as a replay: wait for the next step and send its code.
    """
    body: dict[str, str] = {"username": username, "password": DEMO_PASSWORD}
    totp = pyotp.TOTP(demo_totp_secret(username))
    for _attempt in range(4):
        response = client.post("/api/v1/auth/login", json=body)
        asks_for_code = response.status_code == 401 and (
            (response.json().get("extra") or {}).get("next") == "totp"
        )
        if not asks_for_code:
            break
        if "totp" in body:  # refused: used already within this step
            time.sleep(totp.interval - time.time() % totp.interval + 0.2)
        body["totp"] = totp.now()
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}


def wait_for(check: Any, what: str = "a condition", timeout: float = 30.0) -> Any:
    """Poll `check` until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise TimeoutError(f"timed out waiting for {what}")


def seed(base_url: str, mailbox_url: str | None = None) -> dict[str, int]:
    """Write, submit, approve each demo article; wait until its page is live. With the
    dev mailbox, also ask citizens' questions on Hoàn Kiếm and answer one."""
    counts: dict[str, int] = {}
    with httpx.Client(base_url=base_url, timeout=10.0, headers={"Host": "localhost"}) as client:
        wait_for(lambda: client.get("/api/v1/tenants/hanoi").status_code == 200, "tenants")
        for tenant, articles in ARTICLES.items():
            for data in articles:
                publish(client, tenant, data)
                counts[tenant] = counts.get(tenant, 0) + 1
        counts["hanoi"] += seed_kinds(client)
        if mailbox_url:
            seed_questions(client, mailbox_url)
    return counts


QUESTIONS = [
    {"field": "Đất đai", "title": "Thủ tục cấp giấy chứng nhận quyền sử dụng đất lần đầu",
     "text": "Gia đình tôi sử dụng đất ổn định từ năm 1990, chưa có giấy tờ. Xin hỏi hồ sơ "
             "cấp giấy chứng nhận lần đầu gồm những gì và nộp ở đâu?",
     "answer": "<p>Hồ sơ gồm đơn đăng ký theo Mẫu 04/ĐK, giấy tờ về nguồn gốc sử dụng đất "
               "(nếu có) và xác nhận của UBND phường về thời điểm sử dụng đất ổn định. Nộp "
               "tại Bộ phận một cửa của phường hoặc trên Cổng Dịch vụ công quốc gia.</p>"},
    {"field": "Trật tự đô thị", "title": "Phản ánh vỉa hè phố Hàng Bông bị lấn chiếm",
     "text": "Vỉa hè phố Hàng Bông đoạn gần ngã tư Hàng Gai bị lấn chiếm làm nơi để xe máy, "
             "người đi bộ phải xuống lòng đường.", "kind": "feedback"},
]  # fmt: skip


def seed_questions(client: httpx.Client, mailbox_url: str) -> None:
    """Citizens' questions as the form sends them, confirmed by the mailed link; the
    first is forwarded to Ba Đình, answered and published, the second stays open."""
    board, unit = logged_in(client, BOARD["hoankiem"]), logged_in(client, "bientap.badinh")
    for n, question in enumerate(QUESTIONS):
        email = f"cong.dan.{n + 1}@example.vn"
        body = {k: v for k, v in question.items() if k != "answer"}
        sent = client.post("/api/v1/feedback/questions", json={
            "tenant": "hoankiem", "name": "Nguyễn Văn Dân", "email": email, **body})  # fmt: skip
        sent.raise_for_status()

        def token(email: str = email) -> str | None:
            for mail in httpx.get(f"{mailbox_url}/messages.json").json():
                found = re.search(r"/hoi-dap/xac-nhan/([\w-]+)", mail["body"])
                if mail["to"] == email and found:
                    return found.group(1)
            return None

        confirm = wait_for(token, "the confirmation mail")
        client.post("/api/v1/feedback/confirm", json={"token": confirm}).raise_for_status()
        if "answer" not in question:
            continue
        code = sent.json()["code"]
        listed = client.get("/api/v1/feedback/questions", headers=board,
                            params={"tenant": "hoankiem", "limit": 200}).json()  # fmt: skip
        qid = next(q["id"] for q in listed if q["code"] == code)
        base = f"/api/v1/feedback/questions/{qid}"
        client.post(f"{base}/classify", json={"unit": "badinh"}, headers=board).raise_for_status()
        client.post(f"{base}/draft", json={"answer_html": question["answer"]},
                    headers=unit).raise_for_status()  # fmt: skip
        client.post(f"{base}/approve", headers=board).raise_for_status()


_TOKENS: dict[tuple[int, str], dict[str, str]] = {}


def logged_in(client: httpx.Client, username: str) -> dict[str, str]:
    """login(), once per client and account: a TOTP code is good for one login per step."""
    key = (id(client), username)
    if key not in _TOKENS:
        _TOKENS[key] = login(client, username)
    return _TOKENS[key]


def publish(client: httpx.Client, tenant: str, data: dict[str, Any]) -> dict[str, Any]:
    """Write, submit and approve one article; wait until its page is live."""
    editor = logged_in(client, f"bientap.{tenant}")
    board = logged_in(client, BOARD[tenant])
    created = client.post("/api/v1/articles", json={"tenant": tenant, **data}, headers=editor)
    created.raise_for_status()
    article = created.json()
    submitted = client.post(f"/api/v1/articles/{article['id']}/submit",
                            json={"version": article["version"]}, headers=editor)  # fmt: skip
    submitted.raise_for_status()
    revision = submitted.json()["current_revision_id"]
    wait_for(lambda: client.get(f"/api/v1/reviews/{revision}", headers=board).is_success,
             "the review queue")  # fmt: skip
    client.post(f"/api/v1/reviews/{revision}/approve", json={}, headers=board).raise_for_status()

    def published() -> dict[str, Any] | None:
        now = client.get(f"/api/v1/articles/{article['id']}", headers=editor).json()
        return now if now["state"] == "published" else None

    live = wait_for(published, "publication")
    wait_for(lambda: client.get(live["path"], headers={"Host": f"{tenant}.localhost"})
             .status_code == 200, "the page")  # fmt: skip
    return live


def seed_kinds(client: httpx.Client) -> int:
    """A gallery, a document, a video, an audio bulletin, a leadership page and an
    English translation on the city portal."""
    editor = logged_in(client, "bientap.hanoi")
    photos = []
    for n, colour in enumerate([(20, 90, 160), (160, 40, 40)], start=1):
        alt = f"Quang cảnh phố đi bộ hồ Thiền Quang, ảnh {n}"
        uploaded = client.post(
            "/api/v1/media", data={"tenant": "hanoi", "alt": alt},
            files={"file": (f"pho-di-bo-{n}.png", demo_png(colour), "image/png")}, headers=editor,
        )  # fmt: skip
        uploaded.raise_for_status()
        photos.append({"media_id": uploaded.json()["id"], "alt": alt})
    gallery = {
        "category": "thu-vien-anh",
        "kind": "gallery",
        "title": "Ảnh: Phố đi bộ hồ Thiền Quang ngày đầu mở cửa",
        "summary": "Người dân và du khách dạo quanh hồ Thiền Quang.",
        "details": {"photos": photos},
        "images": [photos[0]],
    }
    for data in [gallery, *HANOI_KINDS]:
        publish(client, "hanoi", data)
    listed = client.get("/api/v1/articles?tenant=hanoi&limit=200", headers=editor).json()
    original = next((a for a in listed if "hồ Thiền Quang" in a["title"]
                     and a.get("kind", "news") == "news"), None)  # fmt: skip
    english = {**HANOI_ENGLISH, "translation_of": original["id"]} if original else HANOI_ENGLISH
    publish(client, "hanoi", english)
    return len(HANOI_KINDS) + 2


if __name__ == "__main__":
    print(seed(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"))
