"""Start the whole platform as separate processes: `make run` and the end-to-end tests.

With `KAFKA_BOOTSTRAP_SERVERS` unset it starts the embedded broker first. The
embedded broker keeps nothing on disk, so an embedded run also starts from
empty SQLite files: the databases and the broker's topics never disagree.
Ctrl-C (or SIGTERM) stops every process it started.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from runtime.auth import generate_key_pair
from runtime.embedded import EmbeddedKafka, die_with_parent, free_port
from runtime.settings import REPO_ROOT


@dataclass(frozen=True)
class Process:
    name: str
    module: str
    default_port: int
    url_env: str | None  # how the gateway finds it


PROCESSES = (
    Process("admin", "services.admin", 8101, "PORTAL_ADMIN_URL"),
    Process("content", "services.content", 8102, "PORTAL_CONTENT_URL"),
    Process("editorial", "services.editorial", 8103, "PORTAL_EDITORIAL_URL"),
    Process("renderer", "services.renderer", 8104, "PORTAL_RENDERER_URL"),
    # Takes the mail feedback sends when no mail relay is configured (SMTP_HOST unset).
    Process("mailbox", "portal.mailbox", 8106, None),
    Process("feedback", "services.feedback", 8105, "PORTAL_FEEDBACK_URL"),
    Process("search", "services.search", 8107, "PORTAL_SEARCH_URL"),
    Process("syndication", "services.syndication", 8108, "PORTAL_SYNDICATION_URL"),
    Process("gateway", "gateway", 8000, None),
)


class StartError(RuntimeError):
    pass


@dataclass
class Platform:
    data_dir: Path
    gateway_port: int = 8000
    #: Choose free ports for the services (tests); else 8101-8106 and SMTP on 8025.
    free_ports: bool = False
    extra_env: Mapping[str, str] = field(default_factory=dict)
    kafka: EmbeddedKafka | None = None
    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "log"

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def start(self, timeout: float = 90.0) -> Platform:
        env = {**os.environ, **self.extra_env}
        self.log_dir.mkdir(parents=True, exist_ok=True)
        if not env.get("KAFKA_BOOTSTRAP_SERVERS"):
            self.kafka = EmbeddedKafka(log_file=self.log_dir / "kafka.log").start()
            env["KAFKA_BOOTSTRAP_SERVERS"] = self.kafka.bootstrap
            env["PORTAL_KAFKA_EMBEDDED"] = "1"
        env.setdefault("PORTAL_AUTH_SECRET", secrets.token_urlsafe(48))
        if not env.get("PORTAL_AUTH_PUBLIC_KEY"):
            # A token key pair per run; start_process gives the private key to admin only.
            private, public = generate_key_pair()
            env.setdefault("PORTAL_AUTH_PRIVATE_KEY", private)
            env["PORTAL_AUTH_PUBLIC_KEY"] = public
        # http://<site>.localhost: cookies cannot require HTTPS on the laptop.
        env.setdefault("PORTAL_SECURE_COOKIES", "0")
        env["PORTAL_DATA_DIR"] = str(self.data_dir)
        env.setdefault("PYTHONUNBUFFERED", "1")
        # Links mailed to citizens lead back to this laptop's sites.
        env.setdefault("PORTAL_SITE_URL_TEMPLATE", f"http://{{slug}}.localhost:{self.gateway_port}")
        # The editors' publish receipt waits for the site, search, the copies on other
        # sites and the partners.
        env.setdefault("PORTAL_RECEIPT_STEPS", "site,search,syndication,partners")
        # On the laptop, partners' webhook receivers run on this machine too.
        env.setdefault("PORTAL_WEBHOOKS_ALLOW_PRIVATE", "1")
        relay = bool(env.get("SMTP_HOST"))
        if not relay:
            env["SMTP_HOST"] = "127.0.0.1"
            env["SMTP_PORT"] = str(free_port() if self.free_ports else 8025)
        for proc in self.processes(relay):
            port = self.gateway_port if proc.name == "gateway" else proc.default_port
            if self.free_ports and proc.name != "gateway":
                port = free_port()
            self.ports[proc.name] = port
            if proc.url_env:
                env[proc.url_env] = f"http://127.0.0.1:{port}"
        self.env = env
        try:
            for proc in self.processes(relay):
                self.start_process(proc.name)
            self.wait_ready(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    @staticmethod
    def processes(relay: bool) -> list[Process]:
        return [p for p in PROCESSES if not (relay and p.name == "mailbox")]

    def start_process(self, name: str) -> None:
        proc = next(p for p in PROCESSES if p.name == name)
        env = {**self.env, "PORT": str(self.ports[name]), "OTEL_SERVICE_NAME": name}
        if name != "admin":
            # Only admin signs tokens; the others check them with the public key.
            env.pop("PORTAL_AUTH_PRIVATE_KEY", None)
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - the child owns it
        self.children[name] = subprocess.Popen(  # noqa: S603 - our own modules
            [sys.executable, "-m", proc.module],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )
        log.close()

    def wait_ready(self, timeout: float, names: list[str] | None = None) -> None:
        deadline = time.monotonic() + timeout
        waiting = list(names or self.children)
        with httpx.Client(timeout=2.0) as client:
            while waiting:
                for name in list(waiting):
                    child = self.children[name]
                    if child.poll() is not None:
                        raise StartError(
                            f"{name} exited with {child.returncode}: {self.tail(name)}"
                        )
                    with contextlib.suppress(httpx.HTTPError):
                        if client.get(f"{self.url(name)}/readyz").status_code == 200:
                            waiting.remove(name)
                if waiting and time.monotonic() > deadline:
                    raise StartError(f"not ready after {timeout:.0f}s: {', '.join(waiting)}")
                time.sleep(0.2)

    def tail(self, name: str, lines: int = 15) -> str:
        path = self.log_dir / f"{name}.log"
        if not path.exists():
            return "(no log)"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    def stop_process(self, name: str, timeout: float = 15.0) -> None:
        child = self.children.pop(name, None)
        if child is None or child.poll() is not None:
            return
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(5)

    def stop(self) -> None:
        for name in reversed(list(self.children)):
            child = self.children[name]
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for name in list(self.children):
            self.stop_process(name)
        if self.kafka:
            self.kafka.stop()

    def __enter__(self) -> Platform:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    def _raise(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main() -> None:
    from scripts.seed_demo import DEMO_SITES, seed

    data_dir = Path(os.environ.get("PORTAL_DATA_DIR", REPO_ROOT / "var"))
    embedded = not os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if embedded and not os.environ.get("DATABASE_URL") and data_dir.exists():
        shutil.rmtree(data_dir)  # the embedded broker starts empty: so do the databases
    port = int(os.environ.get("PORTAL_GATEWAY_PORT", "8000"))
    platform = Platform(
        data_dir=data_dir,
        gateway_port=port,
        free_ports=os.environ.get("PORTAL_FREE_PORTS") == "1",
        extra_env={"PORTAL_DEMO": "1"},
    )
    started = time.monotonic()
    print("Đang khởi động nền tảng Cổng Thông tin điện tử Hà Nội…", flush=True)
    with _signals_raise():
        try:
            platform.start()
            print(f"  các dịch vụ sẵn sàng sau {time.monotonic() - started:.0f} giây", flush=True)
            mailbox = platform.url("mailbox") if "mailbox" in platform.ports else None
            counts = seed(platform.gateway_url, mailbox)
            print(f"  đã đăng {sum(counts.values())} bài mẫu qua API", flush=True)
            _banner(port, DEMO_SITES, time.monotonic() - started)
            while all(child.poll() is None for child in platform.children.values()):
                time.sleep(0.5)
            dead = [n for n, c in platform.children.items() if c.poll() is not None]
            print(f"Dừng vì tiến trình {', '.join(dead)} đã thoát:\n{platform.tail(dead[0])}")
            sys.exit(1)
        except KeyboardInterrupt:
            print("\nĐang dừng…", flush=True)
        except StartError as exc:
            print(f"Không khởi động được: {exc}", file=sys.stderr)
            sys.exit(1)
        finally:
            platform.stop()
            print("Đã dừng mọi tiến trình.", flush=True)


def _banner(port: int, sites: Mapping[str, str], elapsed: float) -> None:
    from services.admin.domain import DEMO_ACCOUNTS, DEMO_PASSWORD

    base = f":{port}" if port != 80 else ""
    print(f"\nSẵn sàng sau {elapsed:.0f} giây. Mở trình duyệt:")
    for slug, name in sites.items():
        print(f"  {name:<45} http://{slug}.localhost{base}/")
    print(f"  {'Mọi trang khác (151 trang)':<45} http://<mã trang>.localhost{base}/")
    print(
        f"\nHỏi đáp: http://<mã trang>.localhost{base}/hoi-dap  ·  "
        "hộp thư thử nghiệm: http://localhost:8106/"
    )
    print(f"Trang quản trị (biên tập viên): http://quantri.localhost{base}/admin/")
    print(f"API: http://localhost{base}/api/v1/  ·  nhật ký: var/log/*.log")
    print(f"Tài khoản thử (mật khẩu {DEMO_PASSWORD}):")
    for account in DEMO_ACCOUNTS:
        roles = ", ".join(f"{r.name}@{t}" for t, r in account.roles.items()) or "operator"
        print(f"  {account.username:<18} {roles}")
    print("\nNhấn Ctrl-C để dừng.", flush=True)


if __name__ == "__main__":
    main()
