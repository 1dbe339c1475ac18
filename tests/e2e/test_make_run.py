"""`make run` as a newcomer uses it: starts, shows demo articles, and Ctrl-C leaves
no process behind."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import drop_schemas

from runtime.embedded import free_port
from runtime.settings import REPO_ROOT


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.timeout(240)
def test_run_shows_demo_sites_and_ctrl_c_stops_everything(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "KAFKA_BOOTSTRAP_SERVERS"}
    env.update(
        PORTAL_GATEWAY_PORT=str(port),
        PORTAL_FREE_PORTS="1",
        PORTAL_DATA_DIR=str(tmp_path / "var"),
        PORTAL_SCHEMA_PREFIX=f"run{port}_",
    )
    started = time.monotonic()
    launcher = subprocess.Popen(
        [sys.executable, "-m", "portal.launch"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = []
    try:
        assert launcher.stdout is not None
        for line in launcher.stdout:
            output.append(line)
            if "Ctrl-C" in line:
                break
        else:
            pytest.fail("launcher stopped early:\n" + "".join(output))
        assert time.monotonic() - started < 120
        banner = "".join(output)
        assert f"http://hanoi.localhost:{port}/" in banner
        assert "bientap.hoankiem" in banner

        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            city = http.get("/", headers={"Host": f"hanoi.localhost:{port}"})
            ward = http.get("/", headers={"Host": f"hoankiem.localhost:{port}"})
            answers = http.get("/hoi-dap", headers={"Host": f"hoankiem.localhost:{port}"})
        assert "Hà Nội khánh thành tuyến phố đi bộ" in city.text
        assert "Phường Hoàn Kiếm ra quân chỉnh trang vỉa hè" in ward.text
        assert "Hà Nội khánh thành tuyến phố đi bộ" not in ward.text
        # A citizen's question, confirmed through the dev mailbox, answered and published.
        assert "Thủ tục cấp giấy chứng nhận quyền sử dụng đất lần đầu" in answers.text

        processes = descendants(launcher.pid)
        assert len(processes) >= 9  # broker + 7 services (search too) + the dev mailbox
        launcher.send_signal(signal.SIGINT)
        assert launcher.wait(60) == 0
        deadline = time.monotonic() + 10
        while any(alive(p) for p in processes) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [p for p in processes if alive(p)]
    finally:
        if launcher.poll() is None:
            launcher.kill()
        if os.environ.get("DATABASE_URL"):
            asyncio.run(drop_schemas(os.environ["DATABASE_URL"], env["PORTAL_SCHEMA_PREFIX"]))
