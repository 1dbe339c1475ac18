"""Migration throughput: `portal import articles` with N articles, until all are on the site.

Starts the whole platform (embedded defaults unless DATABASE_URL / KAFKA_BOOTSTRAP_SERVERS
are set), writes a JSONL export of N articles (a few with a PDF attachment), and runs the
CLI's own code through the gateway: login as the demo board head of hanoi (password and
TOTP), upload, batches, and --wait until every imported article's page is live. Then it
checks on its own: the published migrated articles counted through the API, and every
one of their pages fetched through the gateway.

    .venv/bin/python scripts/bench_import.py [--count 10000] [--batch 100]

Last line: RESULT import_articles_per_s=<n> import_to_live_s=<n> imported=<n> live=<n>
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path
from typing import Any

import httpx
import pypdf

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal import cli
from portal.launch import Platform
from runtime.embedded import free_port
from services.admin.domain import DEMO_PASSWORD
from services.admin.security import demo_totp_secret

TENANT = "hanoi"
USER = "bbt.hanoi"
CATEGORIES = ("tin-tuc", "thong-bao", "chi-dao-dieu-hanh")
PLACES = ("Hoàn Kiếm", "Ba Đình", "Cầu Giấy", "Đống Đa", "Tây Hồ", "Long Biên", "Hà Đông")
TOPICS = (
    "triển khai chuyển đổi số trong giải quyết thủ tục hành chính",
    "ra quân chỉnh trang đô thị, bảo đảm trật tự vỉa hè",
    "tổ chức tiếp công dân định kỳ",
    "thông báo lấy ý kiến Nhân dân về quy hoạch chi tiết",
    "phát động phong trào thi đua yêu nước",
    "kiểm tra công tác phòng cháy, chữa cháy tại khu dân cư",
)
ATTACHMENT_EVERY = 1000
HANOI = timezone(timedelta(hours=7))


def pdf(text: str) -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def write_export(folder: Path, count: int) -> Path:
    """N articles of the old portal, dated over the last fifteen years, all distinct."""
    rng = random.Random(2026)  # noqa: S311 - sample data, reproducible
    files = folder / "dinhkem"
    files.mkdir()
    for n in range(5):
        (files / f"van-ban-{n}.pdf").write_bytes(pdf(f"Văn bản {n}"))
    start = datetime(2010, 1, 1, tzinfo=UTC)
    span = (datetime(2025, 12, 31, tzinfo=UTC) - start).total_seconds()
    path = folder / "bai-cu.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            place, topic = rng.choice(PLACES), rng.choice(TOPICS)
            published = start + timedelta(seconds=rng.uniform(0, span))
            line: dict[str, Any] = {
                "legacy_id": f"hanoi-cu-{i}",
                "title": f"Phường {place} {topic} (tin số {i})",
                "summary": f"Tin từ cổng cũ về việc {topic} tại phường {place}.",
                "body_html": "".join(
                    f"<p>Đoạn {k + 1}: UBND phường {place} {topic}. Các tổ dân phố phối hợp "
                    "thực hiện, bảo đảm an toàn, tiết kiệm, hiệu quả.</p>"
                    for k in range(rng.randint(3, 8))
                ),
                "category": CATEGORIES[i % len(CATEGORIES)],
                "published_at": published.astimezone(HANOI).isoformat(timespec="seconds"),
                "author": f"Phòng Văn hóa - Thông tin phường {place}",
            }
            if i % ATTACHMENT_EVERY == 0:
                n = (i // ATTACHMENT_EVERY) % 5
                line["attachments"] = [
                    {"file": f"dinhkem/van-ban-{n}.pdf", "title": f"Văn bản số {n}"}
                ]
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        platform = Platform(
            data_dir=Path(data_dir), gateway_port=free_port(), free_ports=True,
            extra_env={"PORTAL_DEMO": "1", "LOG_LEVEL": "WARNING"},
        ).start(timeout=120)  # fmt: skip
        try:
            export = write_export(Path(data_dir), args.count)
            run(platform, export, args.count, args.batch)
        finally:
            platform.stop()


def run(platform: Platform, export: Path, count: int, batch: int) -> None:
    argv = ["import", "articles", str(export), "--tenant", TENANT, "--url", platform.gateway_url,
            "--user", USER, "--keep-dates", "--batch", str(batch), "--wait"]  # fmt: skip
    env = {"PORTAL_PASSWORD": DEMO_PASSWORD, "PORTAL_TOTP_SECRET": demo_totp_secret(USER)}
    options = cli.options_from(cli.build_parser().parse_args(argv), env)
    print(f"Nhập {count} bài vào trang {TENANT} qua {platform.gateway_url} …", flush=True)
    started = datetime.now(UTC)
    summary = cli.import_articles(options)
    print(cli.summary_text(summary), flush=True)
    if summary.rejected:
        print(export.with_name(export.name + ".rejected.jsonl").read_text()[:2000])

    published, paths = count_published(platform)
    live = pages_live(platform, paths)
    assert summary.live_s is not None
    after_import = summary.live_s - summary.elapsed_s
    print(f"lines read:                 {summary.lines}")
    print(f"imported / skipped / rej.:  {summary.imported} / {summary.skipped} / "
          f"{summary.rejected}")  # fmt: skip
    print(f"import time:                {summary.elapsed_s:.1f} s")
    print(f"import throughput:          {summary.per_second:.0f} articles/s")
    print(f"import start → all live:    {summary.live_s:.1f} s "
          f"({after_import:.1f} s after the last batch)")  # fmt: skip
    last = renderer_last_applied(platform)
    if last is not None:
        print(f"renderer's last page write: {(last - started).total_seconds():.1f} s "
              "after import start (its inbox; SQLite only)")  # fmt: skip
    for line in event_stats(platform):
        print(line)
    print(f"published migrated (API):   {published}")
    print(f"pages live (gateway):       {live} of {len(paths)}")
    print(
        f"RESULT import_articles_per_s={summary.per_second:.0f} "
        f"import_to_live_s={summary.live_s:.1f} imported={summary.imported} live={live}"
    )


def count_published(platform: Platform) -> tuple[int, dict[str, str]]:
    """Every published migrated article of the tenant, through the list API: {path: title}."""
    with httpx.Client(base_url=platform.gateway_url, timeout=30) as http:
        token = login(http)
        paths: dict[str, str] = {}
        offset = 0
        while True:
            r = http.get(
                "/api/v1/articles",
                params={"tenant": TENANT, "state": "published", "limit": 200, "offset": offset},
                headers={"Authorization": f"Bearer {token}"},
            )
            r.raise_for_status()
            page = r.json()
            paths.update({a["path"]: a["title"] for a in page if a["origin"] == "migrated"})
            if len(page) < 200:
                break
            offset += 200
    return len(paths), paths


def login(http: httpx.Client) -> str:
    """The board head's token; a fresh TOTP step, since the CLI has just used this one."""
    import pyotp

    totp = pyotp.TOTP(demo_totp_secret(USER))
    for _ in range(3):
        r = http.post(
            "/api/v1/auth/login",
            json={"username": USER, "password": DEMO_PASSWORD, "totp": totp.now()},
        )
        if r.status_code == 200:
            return r.json()["token"]
        time.sleep(31 - time.time() % 30)
    r.raise_for_status()
    raise SystemExit("login failed")


def renderer_last_applied(platform: Platform) -> datetime | None:
    """When the renderer applied its last ArticlePublished: a check on --wait's figure,
    independent of any polling (the embedded default's SQLite file only)."""
    path = platform.data_dir / "renderer.db"
    if not path.exists():
        return None
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        (value,) = db.execute(
            "SELECT max(received_at) FROM inbox WHERE event_type LIKE '%ArticlePublished%'"
        ).fetchone()
    return datetime.fromisoformat(value).replace(tzinfo=UTC) if value else None


def event_stats(platform: Platform) -> list[str]:
    """Events each consumer applied and its mean time per event, from /metrics: where
    the time between the import and the pages goes."""
    lines = []
    with httpx.Client(timeout=10) as http:
        for name in ("content", "editorial", "renderer", "admin"):
            totals: dict[str, list[float]] = {}
            for row in http.get(f"{platform.url(name)}/metrics").text.splitlines():
                for suffix, index in (("_sum{", 0), ("_count{", 1)):
                    if row.startswith("portal_event_handle_seconds" + suffix):
                        topic = row.split('topic="', 1)[1].split('"', 1)[0]
                        totals.setdefault(topic, [0.0, 0.0])[index] = float(row.rsplit(" ", 1)[1])
            for topic, (seconds, count) in sorted(totals.items()):
                if count:
                    lines.append(f"  {name:<9} {topic:<32} {count:>7.0f} events "
                                 f"{seconds / count * 1000:6.1f} ms each")  # fmt: skip
    return lines


def pages_live(platform: Platform, paths: dict[str, str]) -> int:
    host = {"Host": f"{TENANT}.localhost"}
    with httpx.Client(base_url=platform.gateway_url, headers=host, timeout=30) as http:

        def live(item: tuple[str, str]) -> bool:
            path, title = item
            r = http.get(path)
            return r.status_code == 200 and title in r.text

        with ThreadPoolExecutor(8) as pool:
            return sum(pool.map(live, paths.items()))


if __name__ == "__main__":
    main()
