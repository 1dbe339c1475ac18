"""Publish-to-live: approve N articles and time approve → page served with the new content.

Starts the whole platform (embedded defaults unless DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS
are set), writes and submits N articles, then approves them one by one and polls the
gateway until each article's page answers 200 with its title.

    .venv/bin/python scripts/bench_publish.py [--articles 200]

Last line: RESULT publish_to_live_p50_ms=<n> publish_to_live_p95_ms=<n>
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.launch import Platform
from runtime.embedded import free_port
from scripts.seed_demo import login, wait_for


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        platform = Platform(
            data_dir=Path(data_dir), gateway_port=free_port(), free_ports=True,
            extra_env={"PORTAL_DEMO": "1", "LOG_LEVEL": "WARNING"},
        ).start(timeout=120)  # fmt: skip
        try:
            run(platform, args.articles)
        finally:
            platform.stop()


def run(platform: Platform, n: int) -> None:
    host = {"Host": "hoankiem.localhost"}
    with httpx.Client(base_url=platform.gateway_url, headers=host, timeout=10) as http:
        editor = login(http, "bientap.hoankiem")
        board = login(http, "bbt.hoankiem")
        submitted = []
        for i in range(n):
            title = f"Bài đo thời gian xuất bản số {i} của phường Hoàn Kiếm"
            a = http.post("/api/v1/articles", headers=editor, json={
                "tenant": "hoankiem", "category": "tin-tuc", "title": title,
                "summary": "Đo thời gian từ lúc duyệt đến lúc lên trang.",
                "body_html": "<p>" + "Nội dung bài viết. " * 50 + "</p>"}).json()  # fmt: skip
            s = http.post(f"/api/v1/articles/{a['id']}/submit", headers=editor,
                          json={"version": a["version"]}).json()  # fmt: skip
            submitted.append((s["id"], s["current_revision_id"], title))
        for _, revision, _ in submitted:  # every review must be queued before timing starts
            wait_for(
                lambda r=revision: http.get(f"/api/v1/reviews/{r}", headers=board).is_success,
                "the review queue",
            )
        from services.content.domain import slugify

        timings: list[float] = []
        for _article_id, revision, title in submitted:
            path = f"/tin-tuc/{slugify(title)}"
            started = time.perf_counter()
            http.post(
                f"/api/v1/reviews/{revision}/approve", headers=board, json={}
            ).raise_for_status()
            while True:
                r = http.get(path)
                if r.status_code == 200 and title in r.text:
                    break
                if time.perf_counter() - started > 30:
                    raise SystemExit(f"{path} not live after 30 s")
                time.sleep(0.005)
            timings.append((time.perf_counter() - started) * 1000)
    p50 = statistics.median(timings)
    p95 = percentile(timings, 95)
    print(f"articles approved:        {len(timings)}")
    print(f"publish to live p50:      {p50:.0f} ms")
    print(f"publish to live p95:      {p95:.0f} ms")
    print(f"publish to live max:      {max(timings):.0f} ms")
    print(f"RESULT publish_to_live_p50_ms={p50:.0f} publish_to_live_p95_ms={p95:.0f}")


if __name__ == "__main__":
    main()
