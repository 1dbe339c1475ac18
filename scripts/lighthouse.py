"""Lighthouse (npm, mobile profile) on the city home, a category page and an article.

Starts the whole platform with demo data, runs Lighthouse against Debian's Chromium
for each page, and prints the four category scores with FCP and LCP. The official
criteria are FCP < 3 s and LCP < 4 s; our target is ≥ 95 in every category.

    npm ci && .venv/bin/python scripts/lighthouse.py

Last line: RESULT min_score=<n> performance=<n> accessibility=<n> best_practices=<n> seo=<n>
fcp_ms_max=<n> lcp_ms_max=<n>   (each score the lowest of the three pages)
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.launch import Platform
from runtime.embedded import free_port
from runtime.settings import REPO_ROOT
from scripts.seed_demo import seed

LIGHTHOUSE = REPO_ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def run_lighthouse(url: str, out: Path) -> dict[str, float]:
    subprocess.run(
        [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
         "--chrome-flags=--headless=new --no-sandbox --disable-gpu "
         "--disable-background-networking",
         "--only-categories=" + ",".join(CATEGORIES)],
        check=True, env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=300,
    )  # fmt: skip
    report = json.loads(out.read_text())
    scores = {c: round(report["categories"][c]["score"] * 100) for c in CATEGORIES}
    audits = report["audits"]
    scores["fcp_ms"] = audits["first-contentful-paint"]["numericValue"]
    scores["lcp_ms"] = audits["largest-contentful-paint"]["numericValue"]
    failing = [
        f"{a['id']}: {a['title']}"
        for a in audits.values()
        if a.get("score") is not None and a["score"] < 0.9 and a.get("scoreDisplayMode") in
        ("binary", "numeric", "metricSavings")
    ]  # fmt: skip
    for line in failing:
        print("   below 0.9:", line)
    return scores


def main() -> None:
    if not LIGHTHOUSE.exists():
        sys.exit("Lighthouse is not installed: run `npm ci` in the repository")
    with tempfile.TemporaryDirectory() as tmp:
        platform = Platform(
            data_dir=Path(tmp) / "data", gateway_port=free_port(), free_ports=True,
            extra_env={"PORTAL_DEMO": "1", "LOG_LEVEL": "WARNING"},
        ).start(timeout=180)  # fmt: skip
        seed(platform.gateway_url)  # the demo articles `make run` publishes
        try:
            base = f"http://hanoi.localhost:{platform.gateway_port}"
            with httpx.Client(base_url=platform.gateway_url, headers={"Host": "hanoi.localhost"},
                              timeout=10) as http:  # fmt: skip
                deadline = time.monotonic() + 180
                while "/van-ban/" not in (home := http.get("/").text):
                    if time.monotonic() > deadline:
                        sys.exit("the demo data did not arrive")
                    time.sleep(1)
            article = re.search(r'href="(/chi-dao-dieu-hanh/[a-z0-9-]+)"', home)
            assert article, "no article on the home page"
            pages = {"home": "/", "category": "/tin-tuc", "article": article.group(1)}
            results = {}
            for name, path in pages.items():
                print(f"== {name}: {base}{path}")
                results[name] = run_lighthouse(base + path, Path(tmp) / f"{name}.json")
                print("  ", results[name])
        finally:
            platform.stop()
    lowest = {c: min(r[c] for r in results.values()) for c in CATEGORIES}
    fcp = max(r["fcp_ms"] for r in results.values())
    lcp = max(r["lcp_ms"] for r in results.values())
    print(
        f"RESULT min_score={min(lowest.values())} performance={lowest['performance']} "
        f"accessibility={lowest['accessibility']} best_practices={lowest['best-practices']} "
        f"seo={lowest['seo']} fcp_ms_max={fcp:.0f} lcp_ms_max={lcp:.0f}"
    )


if __name__ == "__main__":
    main()
