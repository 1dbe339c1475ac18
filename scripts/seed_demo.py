"""Publish demo articles through the public API, as editors and the board would.

Used by `make run`; also runnable against a running platform:

    .venv/bin/python scripts/seed_demo.py http://127.0.0.1:8000
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from services.admin.domain import DEMO_PASSWORD

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

BOARD = {"hanoi": "bbt.hanoi", "hoankiem": "bbt.hoankiem", "badinh": "bbt.badinh",
         "caugiay": "bbt.caugiay"}  # fmt: skip


def login(client: httpx.Client, username: str) -> dict[str, str]:
    """Bearer headers for a demo account."""
    response = client.post(
        "/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}
    )
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


def seed(base_url: str) -> dict[str, int]:
    """Write, submit, approve each demo article; wait until its page is live."""
    counts: dict[str, int] = {}
    with httpx.Client(base_url=base_url, timeout=10.0, headers={"Host": "localhost"}) as client:
        wait_for(lambda: client.get("/api/v1/tenants/hanoi").status_code == 200, "tenants")
        for tenant, articles in ARTICLES.items():
            editor = login(client, f"bientap.{tenant}")
            board = login(client, BOARD[tenant])
            for data in articles:
                created = client.post("/api/v1/articles", json={"tenant": tenant, **data},
                                      headers=editor)  # fmt: skip
                created.raise_for_status()
                article = created.json()
                submitted = client.post(
                    f"/api/v1/articles/{article['id']}/submit",
                    json={"version": article["version"]},
                    headers=editor,
                )
                submitted.raise_for_status()
                revision = submitted.json()["current_revision_id"]
                wait_for(
                    lambda r=revision, b=board: (
                        client.get(f"/api/v1/reviews/{r}", headers=b).is_success
                    ),
                    "the review queue",
                )
                client.post(f"/api/v1/reviews/{revision}/approve", json={},
                            headers=board).raise_for_status()  # fmt: skip
                page = wait_for(
                    lambda a=article["id"], e=editor: client.get(f"/api/v1/articles/{a}",
                                                       headers=e).json()["path"],
                    "publication",
                )  # fmt: skip
                wait_for(
                    lambda p=page, t=tenant: client.get(
                        p, headers={"Host": f"{t}.localhost"}
                    ).status_code == 200,
                    "the page",
                )  # fmt: skip
                counts[tenant] = counts.get(tenant, 0) + 1
    return counts


if __name__ == "__main__":
    print(seed(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"))
