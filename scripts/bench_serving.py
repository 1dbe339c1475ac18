"""Serving speed: the gateway's page cache against nginx serving the same HTML from disk.

Starts the whole platform with demo data (embedded defaults unless DATABASE_URL,
REDIS_URL or KAFKA_BOOTSTRAP_SERVERS are set), picks a demo article, and in one run:

1. wrk against the gateway serving the article from its cache;
2. wrk against nginx (one worker, like the one gateway process) serving the same bytes
   from a file, the baseline for this machine at this moment;
3. the uncached render: the same page through a second gateway with its cache off
   (so every request renders), one request at a time.

Needs wrk and nginx (Debian: apt-get install wrk nginx-light).

    .venv/bin/python scripts/bench_serving.py [--seconds 10] [--connections 64]

Last line: RESULT cached_vs_nginx=<ratio> cached_p99_ms=<n> uncached_p95_ms=<n>
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.launch import Platform
from runtime.embedded import die_with_parent, free_port
from runtime.settings import REPO_ROOT
from scripts.seed_demo import seed

HOST = "hoankiem.localhost"
NGINX_CONF = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    client_body_temp_path {dir}/tmp;
    proxy_temp_path {dir}/tmp;
    fastcgi_temp_path {dir}/tmp;
    uwsgi_temp_path {dir}/tmp;
    scgi_temp_path {dir}/tmp;
    types {{ text/html html; }}
    server {{
        listen 127.0.0.1:{port};
        root {dir}/www;
        default_type "text/html; charset=utf-8";
        location / {{ try_files $uri $uri/index.html =404; }}
    }}
}}
"""


def need(tool: str) -> str:
    path = shutil.which(tool) or shutil.which(tool, path="/usr/sbin:/sbin")
    if path is None:
        sys.exit(f"{tool} is not installed: apt-get install wrk nginx-light")
    return path


def wrk(url: str, seconds: int, connections: int) -> tuple[float, float]:
    """(requests per second, p99 latency in ms)."""
    out = subprocess.run(
        [need("wrk"), "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
         "-H", f"Host: {HOST}", url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    print(out)
    if "Non-2xx" in out or "Socket errors" in out:
        sys.exit("wrk saw errors; the figures would mean nothing")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)\b", out).groups()  # type: ignore[union-attr]
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    return rps, float(value) * scale


def pick_article(http: httpx.Client) -> str:
    home = http.get("/").text
    paths = re.findall(r'href="(/[a-z0-9-]+/[a-z0-9-]+)"', home)
    if not paths:
        sys.exit("no article on the demo home page")
    return paths[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--renders", type=int, default=300)
    args = parser.parse_args()
    need("wrk")
    nginx = need("nginx")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        work.chmod(0o755)  # nginx's workers run as another user and must read the page
        platform = Platform(
            data_dir=work / "data", gateway_port=free_port(), free_ports=True,
            extra_env={"PORTAL_DEMO": "1", "LOG_LEVEL": "WARNING"},
        ).start(timeout=180)  # fmt: skip
        seed(platform.gateway_url)  # the demo articles `make run` publishes
        uncached: subprocess.Popen[bytes] | None = None
        web: subprocess.Popen[bytes] | None = None
        try:
            with httpx.Client(base_url=platform.gateway_url, headers={"Host": HOST}) as http:
                deadline = time.monotonic() + 120
                while "/tin-tuc/" not in http.get("/").text and time.monotonic() < deadline:
                    time.sleep(1)  # the demo seed is still publishing
                path = pick_article(http)
                page = http.get(path)
                assert page.status_code == 200, page.status_code
                assert http.get(path).headers.get("x-cache") == "HIT", "the page was not cached"
            print(f"article: {path} ({len(page.content)} bytes)")

            # The same bytes on disk for nginx.
            target = work / "www" / path.strip("/") / "index.html"
            target.parent.mkdir(parents=True)
            target.write_bytes(page.content)
            (work / "tmp").mkdir()
            nginx_port = free_port()
            conf = work / "nginx.conf"
            conf.write_text(NGINX_CONF.format(dir=work, port=nginx_port))
            web = subprocess.Popen([nginx, "-c", str(conf), "-p", str(work)],
                                   preexec_fn=die_with_parent)  # fmt: skip
            time.sleep(1)
            served = httpx.get(f"http://127.0.0.1:{nginx_port}{path}/")
            if served.content != page.content:
                print((work / "error.log").read_text())
                sys.exit(f"nginx did not serve the page: {served.status_code}")

            print("== gateway, cached page")
            cached_rps, cached_p99 = wrk(
                f"{platform.gateway_url}{path}", args.seconds, args.connections
            )
            print("== nginx, same file")
            nginx_rps, nginx_p99 = wrk(
                f"http://127.0.0.1:{nginx_port}{path}/", args.seconds, args.connections
            )

            # A second gateway with its cache off: every request is rendered.
            port = free_port()
            env = {**platform.env, "PORT": str(port), "PORTAL_PAGE_CACHE": "0"}
            uncached = subprocess.Popen(
                [sys.executable, "-m", "gateway"], cwd=REPO_ROOT, env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=die_with_parent,
            )  # fmt: skip
            timings = uncached_renders(f"http://127.0.0.1:{port}", path, args.renders)
        finally:
            for proc in (uncached, web):
                if proc is not None:
                    proc.terminate()
                    proc.wait(10)
            platform.stop()
    uncached_p50 = statistics.median(timings)
    uncached_p95 = statistics.quantiles(timings, n=100, method="inclusive")[94]
    print(f"gateway cached: {cached_rps:.0f} req/s, p99 {cached_p99:.2f} ms")
    print(f"nginx:          {nginx_rps:.0f} req/s, p99 {nginx_p99:.2f} ms")
    print(f"uncached render through the gateway: p50 {uncached_p50:.1f} ms, "
          f"p95 {uncached_p95:.1f} ms ({len(timings)} requests, one at a time)")  # fmt: skip
    print(
        f"RESULT cached_vs_nginx={cached_rps / nginx_rps:.3f} "
        f"cached_p99_ms={cached_p99:.2f} uncached_p95_ms={uncached_p95:.1f}"
    )


def uncached_renders(base: str, path: str, n: int) -> list[float]:
    with httpx.Client(base_url=base, headers={"Host": HOST}, timeout=10) as http:
        deadline = time.monotonic() + 60
        while True:
            try:
                if http.get(path).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                sys.exit("the uncached gateway did not start")
            time.sleep(0.5)
        timings = []
        for _ in range(n):
            started = time.perf_counter()
            response = http.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
            assert response.headers.get("x-cache") is None
    return timings


if __name__ == "__main__":
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    main()
