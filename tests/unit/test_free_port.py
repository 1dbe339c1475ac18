"""Ports for child processes come from outside the kernel's ephemeral range."""

from __future__ import annotations

import socket

import pytest

from runtime import embedded
from runtime.embedded import _ephemeral_range, free_port


def test_a_free_port_is_never_one_an_outgoing_connection_could_take() -> None:
    low, high = _ephemeral_range()
    ports = [free_port() for _ in range(50)]
    assert all(not low <= port <= high for port in ports)
    assert len(set(ports)) == 50, "a port is handed out once per process"


def test_a_port_someone_listens_on_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    held = socket.socket()
    held.bind(("127.0.0.1", free_port()))
    held.listen()
    spare = free_port()
    busy = held.getsockname()[1]
    embedded._GIVEN.difference_update({busy, spare})
    # The draw puts the busy port first: free_port must try it, fail, and go on.
    monkeypatch.setattr(embedded._PICK, "sample", lambda _c, _k: [busy, spare])
    try:
        assert free_port() == spare
    finally:
        held.close()
